"""The storage boundary: every method must be servable by one bounded DynamoDB operation."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol, runtime_checkable

from dialogue.model import Dialogue, Round, Tension
from dialogue.reads import DialogueReads


@runtime_checkable
class DialogueStore(DialogueReads, Protocol):
    """Reads come from DialogueReads; writes are declared here."""

    @abstractmethod
    async def put_dialogue(self, dialogue: Dialogue) -> None: ...

    @abstractmethod
    async def append_round(self, round: Round) -> None: ...

    @abstractmethod
    async def raise_tension(self, tension: Tension) -> None: ...

    @abstractmethod
    async def resolve_tension(self, dialogue_id: str, tension_id: str) -> None: ...
