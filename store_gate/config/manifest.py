"""The manifest's models: stores, table, entities, access patterns, waivers, severities.

Field-level validation is pydantic's; references between sections (an access pattern's index and
entity, an entity's key attributes) are checked by `cross_reference_problems`, so that every
problem of a manifest is reported at once with its key path.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from store_gate.catalogue import PROTECTED_FAMILIES, RULES
from store_gate.keytemplate import KeyTemplate
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema

OPERATIONS = (
    "GetItem",
    "BatchGetItem",
    "TransactGetItems",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "Scan",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
)
SINGLE_ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "TransactGetItems",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
    }
)
UNBOUNDED_OPERATIONS = frozenset({"Scan", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})

# Sort-key operators of a KeyConditionExpression, by their manifest spelling.
KEY_OPERATORS = ("eq", "lt", "le", "gt", "ge", "between", "begins_with")
_OPERATOR_ALIASES = {"=": "eq", "==": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
OPERATOR_SYMBOLS = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "between": "BETWEEN"}


def _parse_template(value: Any) -> KeyTemplate:
    if isinstance(value, KeyTemplate):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a key template string, got {type(value).__name__}")
    return KeyTemplate.parse(value)


Template = Annotated[
    KeyTemplate,
    PlainValidator(_parse_template),
    WithJsonSchema({"type": "string", "description": "literal text with {param} / {param.field} parts"}),
]


@dataclass(frozen=True)
class KeyCondition:
    """One attribute's condition: equality, a range, BETWEEN or begins_with (or an unknown
    operator, which SG205 reports)."""

    operator: str
    operands: tuple[KeyTemplate, ...]

    @classmethod
    def parse(cls, value: Any) -> KeyCondition:
        if isinstance(value, KeyCondition):
            return value
        if isinstance(value, str):
            return cls("eq", (KeyTemplate.parse(value),))
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(
                "expected a template string (equality) or a one-operator table such as "
                '{ begins_with = "ROUND#" } or { between = ["A", "B"] }'
            )
        ((raw_op, operand),) = value.items()
        op = _OPERATOR_ALIASES.get(raw_op, raw_op.lower() if raw_op.lower() in KEY_OPERATORS else raw_op)
        if op == "between":
            if not (isinstance(operand, list) and len(operand) == 2):
                raise ValueError('between takes two templates: { between = ["low", "high"] }')
            return cls(op, tuple(_parse_template(v) for v in operand))
        return cls(op, (_parse_template(operand),))

    def render(self) -> str:
        if self.operator == "eq":
            return _quote(self.operands[0].source)
        if self.operator == "between":
            low, high = self.operands
            return f"{{ between = [{_quote(low.source)}, {_quote(high.source)}] }}"
        return f"{{ {self.operator} = {_quote(self.operands[0].source)} }}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


Condition = Annotated[
    KeyCondition,
    PlainValidator(KeyCondition.parse),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "description": "equality with a key template"},
                {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": {
                        **{op: {"type": "string"} for op in KEY_OPERATORS if op != "between"},
                        "between": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                    },
                },
            ]
        }
    ),
]


ProjectionField = Annotated[
    Projection,
    PlainValidator(Projection.parse),
    WithJsonSchema(
        {
            "oneOf": [
                {"enum": ["ALL", "KEYS_ONLY"]},
                {
                    "type": "object",
                    "properties": {"include": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
                    "required": ["include"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


def _parse_limit(value: Any) -> Union[int, KeyTemplate]:
    if isinstance(value, bool):
        raise ValueError("expected a positive integer or a '{parameter}' template")
    if isinstance(value, int):
        if value < 1:
            raise ValueError("limit must be at least 1")
        return value
    if isinstance(value, str):
        template = KeyTemplate.parse(value)
        if not template.is_single_placeholder:
            raise ValueError("a limit template must be a single placeholder such as '{limit}'")
        return template
    raise ValueError("expected a positive integer or a '{parameter}' template")


Limit = Annotated[
    Union[int, KeyTemplate],
    PlainValidator(_parse_limit),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, arbitrary_types_allowed=True)


class KeyAttribute(_Model):
    name: str = Field(min_length=1)
    type: Literal["S", "N", "B"]


class GlobalIndex(_Model):
    partition_key: KeyAttribute
    sort_key: Optional[KeyAttribute] = None
    projection: ProjectionField = Projection("ALL")


class LocalIndex(_Model):
    # An LSI always shares the table's partition key; writing it is allowed, differing is not.
    partition_key: Optional[KeyAttribute] = None
    sort_key: KeyAttribute
    projection: ProjectionField = Projection("ALL")


class Table(_Model):
    name: Optional[str] = None
    partition_key: KeyAttribute
    sort_key: Optional[KeyAttribute] = None
    gsi: dict[str, GlobalIndex] = {}
    lsi: dict[str, LocalIndex] = {}

    def to_schema(self) -> TableSchema:
        base = IndexSchema(None, "table", _attr(self.partition_key), _attr(self.sort_key) if self.sort_key else None)
        indexes = {
            name: IndexSchema(
                name, "gsi", _attr(g.partition_key), _attr(g.sort_key) if g.sort_key else None, g.projection
            )
            for name, g in self.gsi.items()
        }
        for name, lsi in self.lsi.items():
            indexes[name] = IndexSchema(name, "lsi", base.partition_key, _attr(lsi.sort_key), lsi.projection)
        return TableSchema(self.name, base, indexes)


def _attr(attr: KeyAttribute) -> KeySchemaAttribute:
    return KeySchemaAttribute(attr.name, attr.type)


class Store(_Model):
    trait: str = Field(min_length=1, description="name of the governed trait / Protocol / interface")
    paths: list[str] = Field(min_length=1, description="globs, relative to the manifest's folder")


class AccessPattern(_Model):
    op: Literal[OPERATIONS]  # type: ignore[valid-type]
    index: Optional[str] = Field(default=None, description="a GSI or LSI name; absent for the base table")
    entity: Optional[str] = None
    key: dict[str, Condition] = {}
    consistent: bool = False
    page: Optional[Literal["cursor"]] = None
    limit: Optional[Limit] = None

    def render(self) -> str:
        """As one TOML inline table, the form `@access` takes."""
        items = [f"op = {_quote(self.op)}"]
        if self.index:
            items.append(f"index = {_quote(self.index)}")
        if self.entity:
            items.append(f"entity = {_quote(self.entity)}")
        if self.key:
            keys = ", ".join(f"{_bare(k)} = {c.render()}" for k, c in self.key.items())
            items.append(f"key = {{ {keys} }}")
        if self.consistent:
            items.append("consistent = true")
        if self.page:
            items.append(f"page = {_quote(self.page)}")
        if self.limit is not None:
            items.append(f"limit = {self.limit if isinstance(self.limit, int) else _quote(self.limit.source)}")
        return "{ " + ", ".join(items) + " }"


def _bare(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _quote(key)


class Waiver(_Model):
    rule: str = Field(pattern=r"^SG\d{3}$")
    method: str = Field(pattern=r"^[^.\s]+\.[^.\s]+$", description="Trait.method")
    reason: str = ""
    expires: Optional[_dt.date] = None


class Manifest(_Model):
    version: Literal[1]
    fail_on: Literal["error", "warning"] = "error"
    store: list[Store] = Field(min_length=1)
    table: Table
    entity: dict[str, dict[str, Template]] = {}
    access: dict[str, dict[str, AccessPattern]] = {}
    waiver: list[Waiver] = []
    severity: dict[str, Literal["error", "warning", "off"]] = {}


def cross_reference_problems(manifest: Manifest) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, message) for every reference that points nowhere or contradicts the table."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    table = manifest.table
    types: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def declare(attr: KeyAttribute, where: tuple[Any, ...]) -> None:
        seen = types.get(attr.name)
        if seen and seen[0] != attr.type:
            problems.append(
                (
                    (*where, "type"),
                    f"attribute {_quote(attr.name)} is {attr.type} here but {seen[0]} at {_dotted(seen[1])}",
                )
            )
        types.setdefault(attr.name, (attr.type, where))

    declare(table.partition_key, ("table", "partition_key"))
    if table.sort_key:
        declare(table.sort_key, ("table", "sort_key"))
    for name, gsi in table.gsi.items():
        declare(gsi.partition_key, ("table", "gsi", name, "partition_key"))
        if gsi.sort_key:
            declare(gsi.sort_key, ("table", "gsi", name, "sort_key"))
    for name, lsi in table.lsi.items():
        if table.sort_key is None:
            problems.append((("table", "lsi", name), "a local secondary index needs a table with a sort key"))
        if lsi.partition_key and lsi.partition_key != table.partition_key:
            problems.append(
                (
                    ("table", "lsi", name, "partition_key"),
                    f"an LSI shares the table's partition key {_quote(table.partition_key.name)}; "
                    "remove partition_key or make it equal",
                )
            )
        declare(lsi.sort_key, ("table", "lsi", name, "sort_key"))
        if name in table.gsi:
            problems.append((("table", "lsi", name), f"index name {_quote(name)} is also a GSI"))

    key_attributes = set(types)
    primary = [table.partition_key.name] + ([table.sort_key.name] if table.sort_key else [])
    for entity_name, layout in manifest.entity.items():
        for attr in layout:
            if attr not in key_attributes:
                problems.append(
                    (
                        ("entity", entity_name, attr),
                        f"{_quote(attr)} is not a key attribute of the table or any index "
                        f"(key attributes: {', '.join(sorted(key_attributes))})",
                    )
                )
        for attr in primary:
            if attr not in layout:
                problems.append(
                    (("entity", entity_name), f"missing {_quote(attr)}: every entity needs the table's primary key")
                )

    indexes = sorted([*table.gsi, *table.lsi])
    for trait, methods in manifest.access.items():
        for method, pattern in methods.items():
            where = ("access", trait, method)
            if pattern.index is not None and pattern.index not in table.gsi and pattern.index not in table.lsi:
                known = ", ".join(indexes) if indexes else "none"
                problems.append(
                    ((*where, "index"), f"unknown index {_quote(pattern.index)} (the table's indexes: {known})")
                )
            if pattern.entity is not None and pattern.entity not in manifest.entity:
                known = ", ".join(sorted(manifest.entity)) or "none"
                problems.append(((*where, "entity"), f"unknown entity {_quote(pattern.entity)} (entities: {known})"))

    for code, level in manifest.severity.items():
        rule = RULES.get(code)
        if rule is None:
            problems.append((("severity", code), f"unknown rule code {_quote(code)}"))
        elif rule.severity == "error" and level != "error" and rule.family in PROTECTED_FAMILIES:
            problems.append(
                (("severity", code), f"{code} is a gate rule: its severity cannot be lowered (use a waiver)")
            )
    for i, waiver in enumerate(manifest.waiver):
        if waiver.rule not in RULES:
            problems.append((("waiver", i, "rule"), f"unknown rule code {_quote(waiver.rule)}"))
    return problems


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)
