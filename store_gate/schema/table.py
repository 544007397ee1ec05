"""Table schema model, independent of where it was read from (manifest or infrastructure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

IndexKind = Literal["table", "gsi", "lsi"]


@dataclass(frozen=True)
class KeySchemaAttribute:
    name: str
    type: Literal["S", "N", "B"]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"


@dataclass(frozen=True)
class Projection:
    kind: Literal["ALL", "KEYS_ONLY", "INCLUDE", "UNSPECIFIED"]  # UNSPECIFIED: the file gave none
    include: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: Any) -> Projection:
        if isinstance(value, Projection):
            return value
        if value in ("ALL", "KEYS_ONLY"):
            return cls(value)
        if (
            isinstance(value, dict)
            and set(value) == {"include"}
            and isinstance(value["include"], list)
            and value["include"]
            and all(isinstance(v, str) and v for v in value["include"])
        ):
            return cls("INCLUDE", tuple(value["include"]))
        raise ValueError('expected "ALL", "KEYS_ONLY" or { include = ["attribute", ...] }')

    def __str__(self) -> str:
        return f"INCLUDE {list(self.include)}" if self.kind == "INCLUDE" else self.kind


@dataclass(frozen=True)
class IndexSchema:
    name: str | None  # None for the base table
    kind: IndexKind
    partition_key: KeySchemaAttribute  # the first partition key attribute
    sort_key: KeySchemaAttribute | None  # the first sort key attribute
    projection: Projection = Projection("ALL")
    # A GSI's multi-attribute key (DynamoDB's newest key form): up to 4 partition and 4 sort key
    # attributes; these are the ones after the first, in order.
    more_partition_keys: tuple[KeySchemaAttribute, ...] = ()
    more_sort_keys: tuple[KeySchemaAttribute, ...] = ()

    @property
    def label(self) -> str:
        return "the base table" if self.kind == "table" else f'{self.kind.upper()} "{self.name}"'

    @property
    def partition_keys(self) -> tuple[KeySchemaAttribute, ...]:
        return (self.partition_key, *self.more_partition_keys)

    @property
    def sort_keys(self) -> tuple[KeySchemaAttribute, ...]:
        return ((self.sort_key,) if self.sort_key else ()) + self.more_sort_keys

    @property
    def key_attributes(self) -> tuple[KeySchemaAttribute, ...]:
        return (*self.partition_keys, *self.sort_keys)

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.key_attributes)


@dataclass(frozen=True)
class TableSchema:
    name: str | None
    base: IndexSchema
    indexes: dict[str, IndexSchema]  # GSIs and LSIs by name
    ttl_attribute: str | None = None  # Time to Live, where the definition enables it

    def index(self, name: str | None) -> IndexSchema | None:
        return self.base if name is None else self.indexes.get(name)

    @property
    def attribute_types(self) -> dict[str, str]:
        """Every key attribute of the table and its indexes, with its type."""
        return {a.name: a.type for i in (self.base, *self.indexes.values()) for a in i.key_attributes}

    @property
    def gsis(self) -> list[IndexSchema]:
        return [i for i in self.indexes.values() if i.kind == "gsi"]

    @property
    def lsis(self) -> list[IndexSchema]:
        return [i for i in self.indexes.values() if i.kind == "lsi"]

    def describe(self) -> str:
        name = f'"{self.name}"' if self.name else "(unnamed)"
        indexes = ", ".join(f"{i.kind.upper()} {i.name}" for i in self.indexes.values()) or "no indexes"
        return f"table {name} ({indexes})"
