"""Read side of the store. A Protocol: any backend with these methods is a store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, overload

from dialogue.model import Dialogue, Page, Round, Tension


class DialogueReads(Protocol):
    async def get_dialogue(self, dialogue_id: str) -> Dialogue | None: ...

    async def list_rounds(self, dialogue_id: str, *, cursor: str | None = None) -> list[Round]: ...

    @overload
    async def get_round(self, dialogue_id: str, round: int) -> Round | None: ...
    @overload
    async def get_round(self, dialogue_id: str, round: str) -> Round | None: ...
    async def get_round(self, dialogue_id: str, round: int | str) -> Round | None:
        """One round of a dialogue.

        @access { op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } }
        """
        ...

    def stream_open_tensions(self, dialogue_id: str) -> AsyncIterator[Tension]: ...

    async def dialogues_by_status(self, status: str, cursor: str | None = None) -> Page: ...
