"""The DynamoDB API's own shape of a table - KeySchema, AttributeDefinitions,
GlobalSecondaryIndexes, LocalSecondaryIndexes, Projection - shared by CloudFormation properties,
`aws dynamodb describe-table` output and boto3 `create_table` parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem
from store_gate.schema.table import IndexKind, IndexSchema, KeySchemaAttribute, Projection, TableSchema

# Turns a possibly-intrinsic value into text, or None when it is not static.
Resolve = Callable[[Any], "str | None"]


def _plain(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read(properties: dict[str, Any], where: str, resolve: Resolve = _plain) -> tuple[TableSchema, list[str]]:
    """The table of one API-shaped definition; `where` prefixes key paths in messages."""
    notes: list[str] = []

    def text(value: Any, key: str) -> str:
        resolved = resolve(value)
        if resolved is None:
            raise ImportProblem(
                f"{key} is not static ({_show(value)}); it cannot be read without deploying", f"{where}.{key}"
            )
        return resolved

    types: dict[str, str] = {}
    for i, definition in enumerate(_list(properties.get("AttributeDefinitions"), "AttributeDefinitions", where)):
        attr = text(definition.get("AttributeName"), f"AttributeDefinitions[{i}].AttributeName")
        kind = text(definition.get("AttributeType"), f"AttributeDefinitions[{i}].AttributeType")
        if kind not in ("S", "N", "B"):
            raise ImportProblem(f'AttributeDefinitions[{i}].AttributeType is "{kind}": expected S, N or B', where)
        types[attr] = kind

    def keys(schema: Any, key: str) -> tuple[KeySchemaAttribute, KeySchemaAttribute | None]:
        hash_key = range_key = None
        for i, element in enumerate(_list(schema, key, where)):
            attr = text(element.get("AttributeName"), f"{key}[{i}].AttributeName")
            role = text(element.get("KeyType"), f"{key}[{i}].KeyType")
            if attr not in types:
                raise ImportProblem(
                    f'{key} uses "{attr}", which AttributeDefinitions does not define', f"{where}.{key}"
                )
            attribute = KeySchemaAttribute(attr, types[attr])  # type: ignore[arg-type]
            if role == "HASH":
                hash_key = attribute
            elif role == "RANGE":
                range_key = attribute
            else:
                raise ImportProblem(f'{key}[{i}].KeyType is "{role}": expected HASH or RANGE', f"{where}.{key}")
        if hash_key is None:
            raise ImportProblem(f"{key} has no HASH key", f"{where}.{key}")
        return hash_key, range_key

    def projection(value: Any, key: str) -> Projection:
        if not isinstance(value, dict) or "ProjectionType" not in value:
            notes.append(f"{key} has no ProjectionType")
            return Projection("UNSPECIFIED")
        kind = text(value["ProjectionType"], f"{key}.ProjectionType")
        if kind == "INCLUDE":
            include = [text(v, f"{key}.NonKeyAttributes") for v in _list(value.get("NonKeyAttributes"), key, where)]
            return Projection("INCLUDE", tuple(include))
        if kind not in ("ALL", "KEYS_ONLY"):
            raise ImportProblem(f'{key}.ProjectionType is "{kind}": expected ALL, KEYS_ONLY or INCLUDE', where)
        return Projection(kind)  # type: ignore[arg-type]

    partition, sort = keys(properties.get("KeySchema"), "KeySchema")
    base = IndexSchema(None, "table", partition, sort)
    indexes: dict[str, IndexSchema] = {}
    sections: tuple[tuple[IndexKind, str], ...] = (("gsi", "GlobalSecondaryIndexes"), ("lsi", "LocalSecondaryIndexes"))
    for kind, field in sections:
        for i, index in enumerate(_list(properties.get(field), field, where)):
            name = text(index.get("IndexName"), f"{field}[{i}].IndexName")
            index_pk, index_sk = keys(index.get("KeySchema"), f"{field}[{i}].KeySchema")
            if kind == "lsi" and index_pk != partition:
                raise ImportProblem(f'LSI "{name}" does not use the table\'s partition key', f"{where}.{field}")
            indexes[name] = IndexSchema(
                name, kind, index_pk, index_sk, projection(index.get("Projection"), f'{field}[{i}] "{name}"')
            )
    raw_name = properties.get("TableName")
    table_name = resolve(raw_name) if raw_name is not None else None
    if raw_name is not None and table_name is None:
        notes.append(f"TableName is not static ({_show(raw_name)}); the table is known by its definition's name")
    return TableSchema(table_name, base, indexes), notes


def _list(value: Any, key: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (dict, str)) for v in value):
        raise ImportProblem(f"{key} is not a static list ({_show(value)})", f"{where}.{key}")
    return value


def _show(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        return f"{fn} {arg!r}" if not isinstance(arg, (dict, list)) else fn
    return repr(value)


def json_candidates(document: dict[str, Any], shown: str, kind: str) -> list[Candidate]:
    name = document.get("TableName") if isinstance(document.get("TableName"), str) else None

    def load() -> ImportedTable:
        schema, notes = read(document, kind)
        return ImportedTable(schema, shown, name or "(the table)", kind, notes)

    return [Candidate(name or "(the table)", name, None, load)]
