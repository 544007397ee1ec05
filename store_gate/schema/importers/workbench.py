"""AWS NoSQL Workbench data models: tables with their key attributes and indexes, and facets.

A facet becomes an entity when its sample items show a key layout, by the single-table convention
`TYPE#id`: every sample value of a key attribute starts with the same type prefix up
to its first `#` (`c#12345`, `c#23456` -> `c#{pk}`); values without a common prefix become a bare
placeholder; a value without `#` is constant when several samples agree (`META`). Sample items
often share one partition (the items of one order), so equal `o#12345` values stay `o#{pk}`.
The import's notes say which entities came from facets.
"""

from __future__ import annotations

import os
import re
from typing import Any

from store_gate.keytemplate import KeyTemplate
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema


def candidates(document: dict[str, Any], shown: str) -> list[Candidate]:
    model = document.get("DataModel")
    if not isinstance(model, list):
        raise ImportProblem("DataModel is not a list of tables", "DataModel")
    found = []
    for i, table in enumerate(model):
        if not isinstance(table, dict):
            continue
        name = table.get("TableName") if isinstance(table.get("TableName"), str) else None
        found.append(Candidate(name or f"DataModel[{i}]", name, None, _reader(table, name or f"DataModel[{i}]", shown)))
    return found


def _attribute(value: Any, where: str) -> KeySchemaAttribute:
    if (
        not isinstance(value, dict)
        or value.get("AttributeType") not in ("S", "N", "B")
        or not value.get("AttributeName")
    ):
        raise ImportProblem(f"{where} is not an attribute with AttributeName and AttributeType S, N or B", where)
    return KeySchemaAttribute(value["AttributeName"], value["AttributeType"])


def _keys(value: Any, where: str) -> tuple[KeySchemaAttribute, KeySchemaAttribute | None]:
    if not isinstance(value, dict) or "PartitionKey" not in value:
        raise ImportProblem(f"{where} has no PartitionKey", where)
    sort = _attribute(value["SortKey"], f"{where}.SortKey") if value.get("SortKey") else None
    return _attribute(value["PartitionKey"], f"{where}.PartitionKey"), sort


def _projection(value: Any) -> Projection:
    kind = value.get("ProjectionType") if isinstance(value, dict) else None
    if kind == "INCLUDE":
        return Projection("INCLUDE", tuple(value.get("NonKeyAttributes", [])))
    return Projection(kind) if kind in ("ALL", "KEYS_ONLY") else Projection("UNSPECIFIED")


def _reader(table: dict[str, Any], resource: str, shown: str) -> Any:
    def read() -> ImportedTable:
        partition, sort = _keys(table.get("KeyAttributes"), f"{resource}.KeyAttributes")
        indexes: dict[str, IndexSchema] = {}
        for kind, field in (("gsi", "GlobalSecondaryIndexes"), ("lsi", "LocalSecondaryIndexes")):
            for i, index in enumerate(table.get(field, []) or []):
                where = f"{resource}.{field}[{i}]"
                index_pk, index_sk = _keys(index.get("KeyAttributes"), where)
                name = index.get("IndexName") or where
                indexes[name] = IndexSchema(name, kind, index_pk, index_sk, _projection(index.get("Projection")))  # type: ignore[arg-type]
        schema = TableSchema(table.get("TableName"), IndexSchema(None, "table", partition, sort), indexes)
        entities = _facet_entities(table, schema)
        notes = []
        if entities:
            notes.append(
                f"entities imported from NoSQL Workbench facets, their key templates inferred from sample items: "
                f"{', '.join(sorted(entities))}"
            )
        return ImportedTable(schema, shown, resource, "NoSQL Workbench data model", notes, entities)

    return read


def _facet_entities(table: dict[str, Any], schema: TableSchema) -> dict[str, dict[str, KeyTemplate]]:
    key_attributes = schema.attribute_types
    entities: dict[str, dict[str, KeyTemplate]] = {}
    for facet in table.get("TableFacets", []) or []:
        name, rows = facet.get("FacetName"), facet.get("TableData") or []
        if not name or not rows:
            continue
        layout: dict[str, KeyTemplate] = {}
        for attribute in key_attributes:
            samples = [_scalar(row.get(attribute)) for row in rows]
            if not samples or any(s is None for s in samples):
                continue
            template = _template(attribute, [s for s in samples if s is not None])
            if template is not None:
                layout[attribute] = template
        primary = schema.base.key_names
        if all(key in layout for key in primary):
            entities[name] = layout
    return entities


def _scalar(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        return str(inner) if isinstance(inner, (str, int, float)) else None
    return None


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _template(attribute: str, samples: list[str]) -> KeyTemplate | None:
    escape = _escape
    if len(samples) > 1 and len(set(samples)) == 1 and "#" not in samples[0]:
        return KeyTemplate.parse(escape(samples[0]))  # several items, one plain value: a constant (META)
    prefix = os.path.commonprefix(samples)  # noqa: RUF071 - a character prefix is what is wanted
    literal = prefix[: prefix.find("#") + 1] if "#" in prefix else ""
    placeholder = re.sub(r"\W+", "_", attribute).strip("_").lower() or "key"
    return KeyTemplate.parse(escape(literal) + "{" + placeholder + "}")
