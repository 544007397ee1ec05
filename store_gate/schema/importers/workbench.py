"""AWS NoSQL Workbench data models: tables with their key attributes and indexes, and facets.

A facet becomes an entity when its sample items show a key layout, by the single-table convention
`TYPE#id`: every sample value of a key attribute starts with the same type prefix up
to its first `#` (`c#12345`, `c#23456` -> `c#{pk}`); values without a common prefix become a bare
placeholder; a value without `#` is constant when several samples agree (`META`). Sample items
often share one partition (the items of one order), so equal `o#12345` values stay `o#{pk}`.
The import's notes say which entities came from facets.

A table without facets (or whose facets hold no items) may still carry sample items of its own,
`TableData`: its entities are then inferred from those, grouped by a type attribute (`type`,
`entityType`, `_type`, `__typename`, ...) when the items carry one, else by the `TYPE#` prefixes
of their keys, and the notes say which grouping was used.
"""

from __future__ import annotations

import os
import re
from typing import Any

from store_gate.keytemplate import KeyTemplate
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem
from store_gate.schema.importers.limits import MAX_QUOTE, quote
from store_gate.schema.importers.shape import Checker, Fields, Items, Text
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema

_ATTRIBUTE = Fields(
    "a mapping with AttributeName and AttributeType", required={"AttributeName": Text(), "AttributeType": Text()}
)
_KEYS = Fields(
    "a mapping with PartitionKey and SortKey", required={"PartitionKey": _ATTRIBUTE}, optional={"SortKey": _ATTRIBUTE}
)
_INDEX = Fields(
    "a mapping with IndexName, KeyAttributes and Projection",
    required={"KeyAttributes": _KEYS},
    optional={
        "IndexName": Text(),
        "Projection": Fields(
            "a mapping with ProjectionType",
            optional={"ProjectionType": Text(), "NonKeyAttributes": Items("a list of attribute names", Text())},
        ),
    },
)
_FACET = Fields(
    "a mapping with FacetName and TableData",
    optional={"FacetName": Text(), "TableData": Items("a list of items", Fields("an item (a mapping of attributes)"))},
)
_MODEL = Fields(
    "a NoSQL Workbench model",
    required={
        "DataModel": Items(
            "a list of tables",
            Fields(
                "a table mapping with TableName and KeyAttributes",
                required={"KeyAttributes": _KEYS},
                optional={
                    "TableName": Text(),
                    "GlobalSecondaryIndexes": Items("a list of index mappings", _INDEX),
                    "LocalSecondaryIndexes": Items("a list of index mappings", _INDEX),
                    "TableFacets": Items("a list of facets", _FACET),
                    "TableData": Items("a list of items", Fields("an item (a mapping of attributes)")),
                },
            ),
        )
    },
)


def candidates(document: dict[str, Any], shown: str) -> list[Candidate]:
    """The model's tables; the whole model is held to `_MODEL` first."""
    Checker().check(document, _MODEL, "")
    found = []
    for i, table in enumerate(document["DataModel"]):
        name = table.get("TableName")
        found.append(
            Candidate(
                name or f"DataModel[{i}]",
                name,
                None,
                _reader(table, name or f"DataModel[{i}]", f"DataModel[{i}]", shown),
            )
        )
    return found


def _attribute(value: dict[str, Any], where: str) -> KeySchemaAttribute:
    if value["AttributeType"] not in ("S", "N", "B") or not value["AttributeName"]:
        raise ImportProblem(f"{where}: not an attribute with an AttributeName and AttributeType S, N or B", where)
    return KeySchemaAttribute(value["AttributeName"], value["AttributeType"])


def _keys(value: dict[str, Any], where: str) -> tuple[KeySchemaAttribute, KeySchemaAttribute | None]:
    sort = _attribute(value["SortKey"], f"{where}.SortKey") if value.get("SortKey") else None
    return _attribute(value["PartitionKey"], f"{where}.PartitionKey"), sort


def _projection(value: dict[str, Any] | None) -> Projection:
    kind = value.get("ProjectionType") if value is not None else None
    if value is not None and kind == "INCLUDE":
        return Projection("INCLUDE", tuple(value.get("NonKeyAttributes") or []))
    return Projection(kind) if kind in ("ALL", "KEYS_ONLY") else Projection("UNSPECIFIED")


def _reader(table: dict[str, Any], resource: str, where: str, shown: str) -> Any:
    def read() -> ImportedTable:
        partition, sort = _keys(table["KeyAttributes"], f"{where}.KeyAttributes")
        indexes: dict[str, IndexSchema] = {}
        for kind, field in (("gsi", "GlobalSecondaryIndexes"), ("lsi", "LocalSecondaryIndexes")):
            for i, index in enumerate(table.get(field) or []):
                at = f"{where}.{field}[{i}]"
                index_pk, index_sk = _keys(index["KeyAttributes"], f"{at}.KeyAttributes")
                name = index.get("IndexName") or at
                indexes[name] = IndexSchema(name, kind, index_pk, index_sk, _projection(index.get("Projection")))  # type: ignore[arg-type]
        schema = TableSchema(table.get("TableName"), IndexSchema(None, "table", partition, sort), indexes)
        entities = _facet_entities(table, schema)
        notes: list[str] = []
        if entities:
            notes.append(
                f"entities imported from NoSQL Workbench facets, their key templates inferred from sample items: "
                f"{', '.join(sorted(entities))}"
            )
        elif not any(facet.get("TableData") for facet in table.get("TableFacets") or []) and table.get("TableData"):
            entities, notes = _table_data_entities(table["TableData"], schema)
        return ImportedTable(schema, shown, resource, "NoSQL Workbench data model", notes, entities, ttl_known=False)

    return read


def _facet_entities(table: dict[str, Any], schema: TableSchema) -> dict[str, dict[str, KeyTemplate]]:
    """Each facet's key layout from its sample items. Linear in the items' size: each item's own
    attributes are looked up among the key attributes (never every key attribute in every item,
    which a model with thousands of indexes and items would make quadratic)."""
    order = {attribute: i for i, attribute in enumerate(schema.attribute_types)}
    entities: dict[str, dict[str, KeyTemplate]] = {}
    for facet in table.get("TableFacets") or []:
        name, rows = facet.get("FacetName"), facet.get("TableData") or []
        if not name or not rows:
            continue
        layout = _layout(rows, order, schema)
        if layout is not None:
            entities[name] = layout
    return entities


def _layout(rows: list[dict[str, Any]], order: dict[str, int], schema: TableSchema) -> dict[str, KeyTemplate] | None:
    """The key layout sample items share: a template per key attribute every item has (None when
    the table's own keys are not all among them)."""
    found: dict[str, list[str | None]] = {}
    for row in rows:
        for attribute, value in row.items():
            if attribute in order:
                found.setdefault(attribute, []).append(_scalar(value))
    layout: dict[str, KeyTemplate] = {}
    for attribute in sorted(found, key=order.__getitem__):
        samples = found[attribute]
        if len(samples) < len(rows) or any(s is None for s in samples):
            continue  # an item without it, or with a value that is not a plain scalar
        template = _template(attribute, [s for s in samples if s is not None])
        if template is not None:
            layout[attribute] = template
    return layout if all(key in layout for key in schema.base.key_names) else None


# Attributes that name an item's type, by the conventions of the libraries that write them:
# plain `type` / `entityType`, `_type`, GraphQL's `__typename`, dynamodb-toolbox's `_et`,
# ElectroDB's `__edb_e__`. The first one the items carry is the one read.
TYPE_ATTRIBUTES = ("type", "Type", "entityType", "EntityType", "entity_type", "_type", "__typename", "_et", "__edb_e__")


def _entity_name(text: str | None) -> str | None:
    """A value from the file fit to name an entity: printable, at most MAX_QUOTE characters."""
    if text is None or not text or len(text) > MAX_QUOTE or not text.isprintable():
        return None
    return text


def _type_prefix(value: str | None) -> str | None:
    """The `TYPE#` of a `TYPE#id` key value."""
    if value is None or "#" not in value:
        return None
    prefix = value[: value.index("#") + 1]
    return prefix if len(prefix) > 1 else None


def _table_data_entities(
    rows: list[dict[str, Any]], schema: TableSchema
) -> tuple[dict[str, dict[str, KeyTemplate]], list[str]]:
    """Entities of a table without facets, from the table's own sample items: grouped by a type
    attribute's value when the items carry one (`TYPE_ATTRIBUTES`), else by the `TYPE#` prefixes
    of their key values (`c#12345` / `o#2024-01`: entity `o`). Each group's layout is inferred as
    a facet's; the notes say how the items were grouped, and which were left out."""
    order = {attribute: i for i, attribute in enumerate(schema.attribute_types)}
    primary = schema.base.key_names
    type_attribute = next((a for a in TYPE_ATTRIBUTES if any(_scalar(row.get(a)) for row in rows)), None)
    groups: dict[str, list[dict[str, Any]]] = {}
    untyped = 0
    if type_attribute is not None:
        for row in rows:
            name = _entity_name(_scalar(row.get(type_attribute)))
            if name is None:
                untyped += 1
            else:
                groups.setdefault(name, []).append(row)
        how = f"grouped by their type attribute {quote(type_attribute)}"
    else:
        signatures: dict[tuple[str | None, ...], list[dict[str, Any]]] = {}
        for row in rows:
            signature = tuple(_type_prefix(_scalar(row.get(key))) for key in primary)
            if all(p is None for p in signature):
                untyped += 1
            else:
                signatures.setdefault(signature, []).append(row)
        names = {s: next(p for p in reversed(s) if p is not None)[:-1] for s in signatures}
        for signature, members in signatures.items():
            name = names[signature]
            if list(names.values()).count(name) > 1:  # one type under several layouts: name each by all its prefixes
                name = "/".join((p or "")[:-1] for p in signature)
            checked = _entity_name(name)
            if checked is None:
                untyped += len(members)
            else:
                groups[checked] = members
        how = "grouped by the TYPE# prefixes of their keys"
    if not groups:
        return {}, [
            f"the table's TableData items show neither a type attribute ({', '.join(TYPE_ATTRIBUTES[:4])}, ...) nor "
            "a TYPE#id key layout: no entities inferred"
        ]
    entities: dict[str, dict[str, KeyTemplate]] = {}
    incomplete = []
    for name, members in groups.items():
        layout = _layout(members, order, schema)
        if layout is None:
            incomplete.append(name)
        else:
            entities[name] = layout
    notes = []
    if entities:
        notes.append(
            f"entities inferred from the table's TableData items (no facets), {how}, their key templates inferred "
            f"from the items: {', '.join(quote(n) if not n.isidentifier() else n for n in sorted(entities))}"
        )
    if incomplete:
        notes.append(
            f"not read as entities, their items lacking the table's keys: "
            f"{', '.join(quote(n) for n in sorted(incomplete)[:10])}{', ...' if len(incomplete) > 10 else ''}"
        )
    if untyped:
        notes.append(
            f"{untyped} of the {len(rows)} TableData items {'shows' if untyped == 1 else 'show'} no type"
            + (f" ({quote(type_attribute)})" if type_attribute else " (no TYPE#id key)")
            + ": not read as any entity"
        )
    return entities, notes


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
