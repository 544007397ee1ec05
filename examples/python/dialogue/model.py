"""Domain types: backend-neutral (no partition keys, no attribute values)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialogue:
    id: str
    title: str
    status: str


@dataclass(frozen=True)
class Round:
    dialogue_id: str
    number: int


@dataclass(frozen=True)
class Tension:
    dialogue_id: str
    id: str
    status: str


@dataclass(frozen=True)
class Page:
    items: list
    cursor: str | None
