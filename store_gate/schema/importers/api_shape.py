"""The DynamoDB API's own shape of a table - KeySchema, AttributeDefinitions,
GlobalSecondaryIndexes, LocalSecondaryIndexes, Projection - shared by CloudFormation properties,
`aws dynamodb describe-table` output and boto3 `create_table` parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from store_gate.dynamodb import MAX_KEY_ATTRIBUTES
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, Incomplete
from store_gate.schema.importers.limits import quote
from store_gate.schema.importers.shape import Anything, Checker, Fields, Items, Scalar, Spec, Text, item, join, show
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
            "TimeToLiveSpecification": Fields(
                "a mapping with AttributeName and Enabled", optional={"AttributeName": value, "Enabled": Anything()}
            ),
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
    ) -> tuple[tuple[KeySchemaAttribute, ...], tuple[KeySchemaAttribute, ...]]:
        """The partition and sort key attributes of a KeySchema, in order; `label` names a GSI,
        the one kind of key schema that may have several HASH / RANGE entries (a multi-attribute
        key: up to 4 of each)."""
        roles = [resolve(element["KeyType"]) for element in schema]
        for role in ("HASH", "RANGE"):
            count = roles.count(role)
            if count > 1 and label is None:
                raise ImportProblem(
                    f"{path}: has {count} {role} keys; only a GSI may have several (a multi-attribute key)", path
                )
            if count > MAX_KEY_ATTRIBUTES:
                raise ImportProblem(
                    f"{path}: {label} has {count} {role} keys; a multi-attribute GSI key has at most "
                    f"{MAX_KEY_ATTRIBUTES} of each",
                    path,
                )
        found: dict[str, list[KeySchemaAttribute]] = {"HASH": [], "RANGE": []}
        for i, element in enumerate(schema):
            at = item(path, i)
            attr = text(element["AttributeName"], join(at, "AttributeName"))
            role = text(element["KeyType"], join(at, "KeyType"))
            if attr not in types:
                raise ImportProblem(f"{at}: uses {quote(attr)}, which AttributeDefinitions does not define", at)
            if role not in found:
                raise ImportProblem(f"{join(at, 'KeyType')}: is {quote(role)}, expected HASH or RANGE", at)
            found[role].append(KeySchemaAttribute(attr, types[attr]))  # type: ignore[arg-type]
        if not found["HASH"]:
            raise ImportProblem(f"{path}: has no HASH key", path)
        return tuple(found["HASH"]), tuple(found["RANGE"])

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

    (partition,), sorts = keys(properties["KeySchema"], join(where, "KeySchema"))
    base = IndexSchema(None, "table", partition, sorts[0] if sorts else None)
    indexes: dict[str, IndexSchema] = {}
    sections: tuple[tuple[IndexKind, str], ...] = (("gsi", "GlobalSecondaryIndexes"), ("lsi", "LocalSecondaryIndexes"))
    for kind, field in sections:
        for i, index in enumerate(properties.get(field) or []):
            at = item(join(where, field), i)
            name = text(index["IndexName"], join(at, "IndexName"))
            multi = f"GSI {quote(name)}" if kind == "gsi" else None
            index_pks, index_sks = keys(index["KeySchema"], join(at, "KeySchema"), multi)
            if kind == "lsi" and index_pks != (partition,):
                raise ImportProblem(f"{at}: LSI {quote(name)} does not use the table's partition key", at)
            label = f"{field}[{i}] {quote(name)}"
            indexes[name] = IndexSchema(
                name,
                kind,
                index_pks[0],
                index_sks[0] if index_sks else None,
                projection(index.get("Projection"), join(at, "Projection"), label),
                more_partition_keys=index_pks[1:],
                more_sort_keys=index_sks[1:],
            )
    raw_name = properties.get("TableName")
    table_name = resolve(raw_name) if raw_name is not None else None
    if raw_name is not None and table_name is None:
        notes.append(f"TableName is not static ({show(raw_name)}); the table is known by its definition's name")
    ttl = _ttl(properties.get("TimeToLiveSpecification"), join(where, "TimeToLiveSpecification"), resolve, notes)
    return TableSchema(table_name, base, indexes, ttl_attribute=ttl), notes


def _ttl(spec: dict[str, Any] | None, path: str, resolve: Resolve, notes: list[str]) -> str | None:
    """The Time to Live attribute of a TimeToLiveSpecification that enables it, else None (a
    note says why, when the specification is there but not static or not enabled)."""
    if not spec:
        return None
    enabled = spec.get("Enabled")
    if isinstance(enabled, str):
        enabled = {"true": True, "false": False}.get(enabled.lower(), enabled)
    if enabled is False or enabled is None:
        said = "false" if enabled is False else "absent"
        notes.append(f"{path}: Time to Live is not enabled (Enabled is {said}); items never expire")
        return None
    if enabled is not True:
        notes.append(f"{path}.Enabled: not static ({show(enabled)}); Time to Live is taken as not enabled")
        return None
    raw = spec.get("AttributeName")
    attribute = resolve(raw) if raw is not None else None
    if attribute is None:
        notes.append(f"{path}.AttributeName: not static ({show(raw)}); Time to Live is taken as not enabled")
    return attribute


def json_candidates(document: Any, shown: str, kind: str, where: str) -> list[Candidate]:
    """describe-table / create-table output (`where` is "Table" or "TableDescription") or
    create_table parameters (`where` is "")."""
    Checker().check(document, TABLE, where)
    name = document.get("TableName")

    def load() -> ImportedTable:
        schema, notes = read(document, where)
        return ImportedTable(schema, shown, name or "(the table)", kind, notes, ttl_known=False)

    return [Candidate(name or "(the table)", name, None, load)]
