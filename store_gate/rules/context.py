"""What a rule about one access pattern sees: the method, its declaration, the index, the entity."""

from __future__ import annotations

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
