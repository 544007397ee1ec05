"""What a rule about one access pattern sees: the method, its declaration, the index, the entity."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from store_gate.config.model import AccessPattern
from store_gate.extract.model import Method
from store_gate.keytemplate import KeyTemplate
from store_gate.project import Declaration, Project
from store_gate.schema.table import IndexSchema, TableSchema


@dataclass(frozen=True)
class PatternContext:
    method: Method
    declaration: Declaration
    table: TableSchema
    index: IndexSchema | None  # None when the declaration names an index the table lacks
    entities: dict[str, dict[str, KeyTemplate]]

    @property
    def pattern(self) -> AccessPattern:
        return self.declaration.pattern

    @property
    def subject(self) -> str:
        return self.method.qualified_name

    @property
    def entity(self) -> dict[str, KeyTemplate] | None:
        name = self.pattern.entity
        return self.entities.get(name) if name else None


def pattern_contexts(project: Project) -> Iterator[PatternContext]:
    for method in project.methods:
        declaration = project.declaration(method)
        if declaration is None:
            continue
        yield PatternContext(
            method=method,
            declaration=declaration,
            table=project.table,
            index=project.table.index(declaration.pattern.index),
            entities=project.entities,
        )


def quote(text: str) -> str:
    return '"' + text + '"'


def names(items: list[str] | tuple[str, ...]) -> str:
    return ", ".join(items) if items else "none"


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""
