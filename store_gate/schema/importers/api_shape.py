"""The DynamoDB API's own shape of a table - KeySchema, AttributeDefinitions,
GlobalSecondaryIndexes, LocalSecondaryIndexes, Projection - shared by CloudFormation properties,
`aws dynamodb describe-table` output and boto3 `create_table` parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, Incomplete
from store_gate.schema.importers.limits import quote
from store_gate.schema.importers.shape import Checker, Fields, Items, Scalar, Spec, Text, item, join, show
from store_gate.schema.table import IndexKind, IndexSchema, KeySchemaAttribute, Projection, TableSchema

# Turns a possibly-intrinsic value into text, or None when it is not static.
Resolve = Callable[[Any], "str | None"]


def table_spec(value: Spec) -> Fields:
    """What `read` assumes of a table's properties; `value` is what a name or a type may be."""
    key_element = Fields(
        "a mapping with AttributeName and KeyType", required={"AttributeName": value, "KeyType": value}
    )
    key_schema = Items("a list of mappings with AttributeName and KeyType", key_element)
    definition = Fields(
        "a mapping with AttributeName and AttributeType", required={"AttributeName": value, "AttributeType": value}
    )
    projection = Fields(
        "a mapping with ProjectionType",
        optional={"ProjectionType": value, "NonKeyAttributes": Items("a list of attribute names", value)},
    )
    index = Fields(
        "a mapping with IndexName, KeySchema and Projection",
        required={"IndexName": value, "KeySchema": key_schema},
        optional={"Projection": projection},
    )
    return Fields(
        "a mapping of table properties",
        required={"KeySchema": key_schema},
        optional={
            "AttributeDefinitions": Items("a list of mappings with AttributeName and AttributeType", definition),
            "GlobalSecondaryIndexes": Items("a list of index mappings", index),
            "LocalSecondaryIndexes": Items("a list of index mappings", index),
            "TableName": value,
        },
    )


TABLE = table_spec(Text())  # describe-table / create_table JSON: names are strings
TABLE_WITH_INTRINSICS = table_spec(Scalar())  # CloudFormation: numbers and !Ref / !Sub too


def _plain(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read(properties: dict[str, Any], where: str, resolve: Resolve = _plain) -> tuple[TableSchema, list[str]]:
    """The table of one API-shaped definition, already held to `TABLE` / `TABLE_WITH_INTRINSICS`;
    `where` is the key path of `properties` in the file."""
    notes: list[str] = []

    def text(value: Any, path: str) -> str:
        resolved = resolve(value)
        if resolved is None:
            raise ImportProblem(f"{path}: not static ({show(value)}); it cannot be read without deploying", path)
        return resolved

    types: dict[str, str] = {}
    for i, definition in enumerate(properties.get("AttributeDefinitions") or []):
        at = item(join(where, "AttributeDefinitions"), i)
        attr = text(definition["AttributeName"], join(at, "AttributeName"))
        kind = text(definition["AttributeType"], join(at, "AttributeType"))
        if kind not in ("S", "N", "B"):
            raise ImportProblem(f"{join(at, 'AttributeType')}: is {quote(kind)}, expected S, N or B", at)
        types[attr] = kind

    def keys(
        schema: list[Any], path: str, label: str | None = None
    ) -> tuple[KeySchemaAttribute, KeySchemaAttribute | None]:
        """The partition and sort key of a KeySchema; `label` names a GSI, the one kind of key
        schema that may have several HASH / RANGE entries (multi-attribute keys)."""
        roles = [resolve(element["KeyType"]) for element in schema]
        for role, what in (("HASH", "partition-key"), ("RANGE", "sort-key")):
            count = roles.count(role)
            if count > 1 and label is not None:
                raise ImportProblem(
                    f"{path}: {label} has a multi-attribute key ({count} {role} entries, {count} {what} attributes): "
                    "multi-attribute GSI keys are not read yet",
                    path,
                )
            if count > 1:
                raise ImportProblem(
                    f"{path}: has {count} {role} keys; only a GSI may have several (a multi-attribute key)", path
                )
        hash_key = range_key = None
        for i, element in enumerate(schema):
            at = item(path, i)
            attr = text(element["AttributeName"], join(at, "AttributeName"))
            role = text(element["KeyType"], join(at, "KeyType"))
            if attr not in types:
                raise ImportProblem(f"{at}: uses {quote(attr)}, which AttributeDefinitions does not define", at)
            attribute = KeySchemaAttribute(attr, types[attr])  # type: ignore[arg-type]
            if role == "HASH":
                hash_key = attribute
            elif role == "RANGE":
                range_key = attribute
            else:
                raise ImportProblem(f"{join(at, 'KeyType')}: is {quote(role)}, expected HASH or RANGE", at)
        if hash_key is None:
            raise ImportProblem(f"{path}: has no HASH key", path)
        return hash_key, range_key

    def projection(value: Any, path: str, label: str) -> Projection:
        if value is None or value.get("ProjectionType") is None:
            notes.append(
                Incomplete(f"{label} has no ProjectionType, which DynamoDB requires; its projection is unknown")
            )
            return Projection("UNSPECIFIED")
        kind = text(value["ProjectionType"], join(path, "ProjectionType"))
        if kind == "INCLUDE":
            non_key = join(path, "NonKeyAttributes")
            include = [text(v, item(non_key, i)) for i, v in enumerate(value.get("NonKeyAttributes") or [])]
            return Projection("INCLUDE", tuple(include))
        if kind not in ("ALL", "KEYS_ONLY"):
            raise ImportProblem(
                f"{join(path, 'ProjectionType')}: is {quote(kind)}, expected ALL, KEYS_ONLY or INCLUDE", path
            )
        return Projection(kind)  # type: ignore[arg-type]

    partition, sort = keys(properties["KeySchema"], join(where, "KeySchema"))
    base = IndexSchema(None, "table", partition, sort)
    indexes: dict[str, IndexSchema] = {}
    sections: tuple[tuple[IndexKind, str], ...] = (("gsi", "GlobalSecondaryIndexes"), ("lsi", "LocalSecondaryIndexes"))
    for kind, field in sections:
        for i, index in enumerate(properties.get(field) or []):
            at = item(join(where, field), i)
            name = text(index["IndexName"], join(at, "IndexName"))
            multi = f"GSI {quote(name)}" if kind == "gsi" else None
            index_pk, index_sk = keys(index["KeySchema"], join(at, "KeySchema"), multi)
            if kind == "lsi" and index_pk != partition:
                raise ImportProblem(f"{at}: LSI {quote(name)} does not use the table's partition key", at)
            label = f"{field}[{i}] {quote(name)}"
            indexes[name] = IndexSchema(
                name, kind, index_pk, index_sk, projection(index.get("Projection"), join(at, "Projection"), label)
            )
    raw_name = properties.get("TableName")
    table_name = resolve(raw_name) if raw_name is not None else None
    if raw_name is not None and table_name is None:
        notes.append(f"TableName is not static ({show(raw_name)}); the table is known by its definition's name")
    return TableSchema(table_name, base, indexes), notes


def json_candidates(document: Any, shown: str, kind: str, where: str) -> list[Candidate]:
    """describe-table / create-table output (`where` is "Table" or "TableDescription") or
    create_table parameters (`where` is "")."""
    Checker().check(document, TABLE, where)
    name = document.get("TableName")

    def load() -> ImportedTable:
        schema, notes = read(document, where)
        return ImportedTable(schema, shown, name or "(the table)", kind, notes)

    return [Candidate(name or "(the table)", name, None, load)]
