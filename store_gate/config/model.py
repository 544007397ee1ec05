"""The manifest as the gate uses it at run time: plain frozen dataclasses.

Validation is pydantic's (`store_gate.config.validation`): its models say what a manifest may
contain, collect every field error and publish the JSON Schema. Once data has passed them, it is
built into these classes by `build_manifest` - the one constructor, whether the data was
validated in this run or by an earlier run of the same store-gate on the same bytes (then
pydantic is not imported at all, which is most of a pre-commit run's start-up time).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from store_gate.dynamodb import KEY_OPERATORS, KEY_TYPES, OPERATIONS, OPERATOR_ALIASES
from store_gate.keytemplate import KeyTemplate
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_template(value: Any) -> KeyTemplate:
    if isinstance(value, KeyTemplate):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a key template string, got {type(value).__name__}")
    return KeyTemplate.parse(value)


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
        op = OPERATOR_ALIASES.get(raw_op, raw_op.lower() if raw_op.lower() in KEY_OPERATORS else raw_op)
        if op == "between":
            if not (isinstance(operand, list) and len(operand) == 2):
                raise ValueError('between takes two templates: { between = ["low", "high"] }')
            return cls(op, tuple(parse_template(v) for v in operand))
        return cls(op, (parse_template(operand),))

    def to_data(self) -> str | dict[str, Any]:
        """The manifest's own shape: a string for equality, else a one-operator table."""
        if self.operator == "eq":
            return self.operands[0].source
        if self.operator == "between":
            return {"between": [o.source for o in self.operands]}
        return {self.operator: self.operands[0].source}

    def render(self) -> str:
        if self.operator == "eq":
            return quote(self.operands[0].source)
        if self.operator == "between":
            low, high = self.operands
            return f"{{ between = [{quote(low.source)}, {quote(high.source)}] }}"
        return f"{{ {self.operator} = {quote(self.operands[0].source)} }}"


def parse_limit(value: Any) -> Union[int, KeyTemplate]:
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


@dataclass(frozen=True)
class AccessPattern:
    op: str
    index: str | None = None
    entity: str | None = None
    key: dict[str, KeyCondition] = field(default_factory=dict)
    consistent: bool = False
    page: Literal["cursor"] | None = None
    limit: int | KeyTemplate | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AccessPattern:
        """From data the validation models accepted. It checks again what the rules rely on, so
        that data which skipped validation (a stale or forged cache) can never pass as legal."""
        limit = data.get("limit")
        unknown = set(data) - _ACCESS_FIELDS
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        return cls(
            op=_one_of(data["op"], OPERATIONS),
            index=_optional_text(data.get("index")),
            entity=_optional_text(data.get("entity")),
            key={_text(name): KeyCondition.parse(value) for name, value in _mapping(data.get("key", {})).items()},
            consistent=_one_of(data.get("consistent", False), (False, True)),
            page=_one_of(data.get("page"), (None, "cursor")),
            limit=None if limit is None else parse_limit(limit),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "index": self.index,
            "entity": self.entity,
            "key": {name: condition.to_data() for name, condition in self.key.items()},
            "consistent": self.consistent,
            "page": self.page,
            "limit": self.limit.source if isinstance(self.limit, KeyTemplate) else self.limit,
        }

    def render(self) -> str:
        """As one TOML inline table, the form `@access` takes."""
        items = [f"op = {quote(self.op)}"]
        if self.index:
            items.append(f"index = {quote(self.index)}")
        if self.entity:
            items.append(f"entity = {quote(self.entity)}")
        if self.key:
            keys = ", ".join(f"{_bare(k)} = {c.render()}" for k, c in self.key.items())
            items.append(f"key = {{ {keys} }}")
        if self.consistent:
            items.append("consistent = true")
        if self.page:
            items.append(f"page = {quote(self.page)}")
        if self.limit is not None:
            items.append(f"limit = {self.limit if isinstance(self.limit, int) else quote(self.limit.source)}")
        return "{ " + ", ".join(items) + " }"


_ACCESS_FIELDS = frozenset({"op", "index", "entity", "key", "consistent", "page", "limit"})


def _one_of(value: Any, allowed: tuple[Any, ...]) -> Any:
    if not any(value is choice or (type(value) is type(choice) and value == choice) for choice in allowed):
        raise ValueError(f"{value!r} is not one of {allowed!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _limits(data: dict[str, Any]) -> Limits:
    seconds = data.get("rule_seconds", 2.0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 600:
        raise ValueError(f"rule_seconds out of range: {seconds!r}")
    return Limits(_positive(data.get("max_file_bytes", 4 * 1024 * 1024)), float(seconds))


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table, got {type(value).__name__}")
    return value


def _bare(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else quote(key)


def _key(data: dict[str, Any] | None) -> KeySchemaAttribute | None:
    if data is None:
        return None
    return KeySchemaAttribute(_text(data["name"]), _one_of(data["type"], KEY_TYPES))


def table_schema(data: dict[str, Any]) -> TableSchema | None:
    """The table `[table]` spells out, from validated data; None when it only names where the
    infrastructure defines it (`from`)."""
    partition_key = _key(data.get("partition_key"))
    if partition_key is None:
        return None
    base = IndexSchema(None, "table", partition_key, _key(data.get("sort_key")))
    indexes: dict[str, IndexSchema] = {}
    for name, gsi in data.get("gsi", {}).items():
        key = _key(gsi["partition_key"])
        assert key is not None
        indexes[name] = IndexSchema(
            name, "gsi", key, _key(gsi.get("sort_key")), Projection.parse(gsi.get("projection", "ALL"))
        )
    for name, lsi in data.get("lsi", {}).items():
        # An LSI always shares the table's partition key (writing it is allowed, differing is not).
        indexes[name] = IndexSchema(
            name, "lsi", partition_key, _key(lsi["sort_key"]), Projection.parse(lsi.get("projection", "ALL"))
        )
    return TableSchema(data.get("name"), base, indexes)


@dataclass(frozen=True)
class Table:
    """`[table]`: the table the manifest declares, and/or where the infrastructure defines it."""

    schema: TableSchema | None  # None: the table comes only from `from_`
    name: str | None = None
    from_: str | None = None
    resource: str | None = None

    @property
    def declared(self) -> bool:
        """Does the manifest spell the table out (and not only name where it lives)?"""
        return self.schema is not None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Table:
        return cls(table_schema(data), data.get("name"), data.get("from"), data.get("resource"))

    def to_schema(self) -> TableSchema:
        assert self.schema is not None, "an imported table's schema comes from its file"
        return self.schema


@dataclass(frozen=True)
class Store:
    trait: str
    paths: tuple[str, ...]
    # Supertraits / bases governed elsewhere (another crate, a package): named here so that a
    # heritage the gate cannot find is a reviewed decision, not a silent pass (SG004).
    external: tuple[str, ...] = ()

    def is_external(self, written: str, name: str) -> bool:
        """Does `external` list this heritage, by its name or by the path it is written with?"""
        path = re.split(r"[<\[(]", written, maxsplit=1)[0].strip().replace("::", ".")
        for entry in self.external:
            listed = entry.replace("::", ".")
            if listed in (path, name) or listed.endswith("." + path):
                return True
        return False


@dataclass(frozen=True)
class Waiver:
    rule: str
    method: str | None = None  # Trait.method, or Trait.* for every finding of the rule on the trait
    path: str | None = None  # a glob of files, for findings that concern no method
    reason: str = ""
    expires: dt.date | None = None
    # With `Trait.*` or `path`: the methods the waiver covers, as they were when it was written -
    # a method added later is not waived by it (required for SG101).
    methods: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        return self.method or f"path {self.path}"

    @property
    def broad(self) -> bool:
        """Does it name a whole trait or a glob, rather than one method?"""
        return self.path is not None or (self.method or "").endswith(".*")


@dataclass(frozen=True)
class Backend:
    allow: tuple[str, ...]
    modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Boundaries:
    paths: tuple[str, ...] | None = None
    domain: tuple[str, ...] | None = None
    backends: dict[str, Backend] = field(default_factory=dict)
    vocabulary: tuple[str, ...] = ()
    backend_types: tuple[str, ...] = ()
    key_attributes: tuple[str, ...] = ()
    key_prefixes: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Boundaries:
        def optional(key: str) -> tuple[str, ...] | None:
            return tuple(data[key]) if data.get(key) is not None else None

        return cls(
            paths=optional("paths"),
            domain=optional("domain"),
            backends={
                name: Backend(tuple(b["allow"]), tuple(b.get("modules", [])))
                for name, b in data.get("backends", {}).items()
            },
            vocabulary=tuple(data.get("vocabulary", [])),
            backend_types=tuple(data.get("backend_types", [])),
            key_attributes=tuple(data.get("key_attributes", [])),
            key_prefixes=tuple(data.get("key_prefixes", [])),
        )


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 4 * 1024 * 1024
    rule_seconds: float = 2.0  # per file, for users' own rules


@dataclass(frozen=True)
class Manifest:
    version: int
    store: tuple[Store, ...]
    table: Table
    fail_on: Literal["error", "warning"] = "error"
    legacy: Literal["error", "warn", "off"] = "error"
    baseline: str | None = None
    entity: dict[str, dict[str, KeyTemplate]] = field(default_factory=dict)
    access: dict[str, dict[str, AccessPattern]] = field(default_factory=dict)
    waiver: tuple[Waiver, ...] = ()
    severity: dict[str, Literal["error", "warning", "off"]] = field(default_factory=dict)
    boundaries: Boundaries | None = None
    rules: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)


def build_manifest(data: dict[str, Any]) -> Manifest:
    """The runtime manifest from data the validation models accepted. Raises (ValueError,
    TypeError, KeyError) on what the gate's verdict rests on - an unknown operation, severity or
    key type - so that data which skipped validation can never pass as legal."""
    for level in _mapping(data.get("severity", {})).values():
        _one_of(level, ("error", "warning", "off"))
    return Manifest(
        version=_one_of(data["version"], (1,)),
        fail_on=_one_of(data.get("fail_on", "error"), ("error", "warning")),
        legacy=_one_of(data.get("legacy", "error"), ("error", "warn", "off")),
        baseline=data.get("baseline"),
        store=tuple(Store(s["trait"], tuple(s["paths"]), tuple(s.get("external", []))) for s in data["store"]),
        table=Table.from_data(data["table"]),
        entity={
            name: {attr: KeyTemplate.parse(text) for attr, text in layout.items()}
            for name, layout in data.get("entity", {}).items()
        },
        access={
            trait: {method: AccessPattern.from_data(pattern) for method, pattern in methods.items()}
            for trait, methods in data.get("access", {}).items()
        },
        waiver=tuple(
            Waiver(
                w["rule"],
                w.get("method"),
                w.get("path"),
                w.get("reason", ""),
                w.get("expires"),
                tuple(w.get("methods", [])),
            )
            for w in data.get("waiver", [])
        ),
        severity=dict(data.get("severity", {})),
        boundaries=Boundaries.from_data(data["boundaries"]) if data.get("boundaries") is not None else None,
        rules=tuple(data.get("rules", [])),
        exclude=tuple(data.get("exclude", [])),
        limits=_limits(_mapping(data.get("limits", {}))),
    )


def cross_reference_problems(manifest: Manifest, data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, message) for every reference that points nowhere or contradicts the table.

    With a table read only from infrastructure (`from`), the checks that need the table run
    after the import, through `layout_problems`.
    """
    from store_gate.catalogue import RULES  # the rule modules import this one

    problems: list[tuple[tuple[Any, ...], str]] = []
    table = manifest.table
    if table.declared:
        problems += _table_problems(data["table"])
        if not problems:
            problems += layout_problems(manifest, table.to_schema(), "the table")
            problems += _index_reference_problems(manifest, table.to_schema())
    for code, level in manifest.severity.items():
        rule = RULES.get(code)
        if rule is None:
            problems.append((("severity", code), f"unknown rule code {quote(code)}"))
        elif not rule.lowerable and level != rule.severity:
            problems.append(
                (("severity", code), f"{code} is a gate rule: its severity cannot be lowered (use a waiver)")
            )
    for i, waiver in enumerate(manifest.waiver):
        rule = RULES.get(waiver.rule)
        if waiver.rule.startswith("SG") and rule is None:
            problems.append((("waiver", i, "rule"), f"unknown rule code {quote(waiver.rule)}"))
        elif rule is not None and not rule.waivable:
            problems.append(
                (
                    ("waiver", i, "rule"),
                    f"{waiver.rule} cannot be waived: the gate does not pass what it could not see or check; "
                    "fix what the finding names",
                )
            )
        elif waiver.rule == "SG101" and waiver.broad and not waiver.methods:
            problems.append(
                (
                    ("waiver", i),
                    f"a waiver of SG101 for {waiver.subject} must list the methods it covers, "
                    'methods = ["..."]: a method added later must not be waived by it',
                )
            )
    for trait, methods in manifest.access.items():
        for method, pattern in methods.items():
            if pattern.entity is not None and pattern.entity not in manifest.entity:
                known = ", ".join(sorted(manifest.entity)) or "none"
                problems.append(
                    (("access", trait, method, "entity"), f"unknown entity {quote(pattern.entity)} (entities: {known})")
                )
    return problems


def _table_problems(table: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """A declared table that contradicts itself: an attribute with two types, an LSI on a table
    without a sort key or with another partition key, an index name used twice."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    types: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def declare(attr: dict[str, Any], where: tuple[Any, ...]) -> None:
        seen = types.get(attr["name"])
        if seen and seen[0] != attr["type"]:
            problems.append(
                (
                    (*where, "type"),
                    f"attribute {quote(attr['name'])} is {attr['type']} here but {seen[0]} at {_dotted(seen[1])}",
                )
            )
        types.setdefault(attr["name"], (attr["type"], where))

    partition_key = table["partition_key"]
    declare(partition_key, ("table", "partition_key"))
    if table.get("sort_key"):
        declare(table["sort_key"], ("table", "sort_key"))
    gsis = table.get("gsi", {})
    for name, gsi in gsis.items():
        declare(gsi["partition_key"], ("table", "gsi", name, "partition_key"))
        if gsi.get("sort_key"):
            declare(gsi["sort_key"], ("table", "gsi", name, "sort_key"))
    for name, lsi in table.get("lsi", {}).items():
        if not table.get("sort_key"):
            problems.append((("table", "lsi", name), "a local secondary index needs a table with a sort key"))
        if lsi.get("partition_key") and lsi["partition_key"] != partition_key:
            problems.append(
                (
                    ("table", "lsi", name, "partition_key"),
                    f"an LSI shares the table's partition key {quote(partition_key['name'])}; "
                    "remove partition_key or make it equal",
                )
            )
        declare(lsi["sort_key"], ("table", "lsi", name, "sort_key"))
        if name in gsis:
            problems.append((("table", "lsi", name), f"index name {quote(name)} is also a GSI"))
    return problems


def layout_problems(manifest: Manifest, schema: TableSchema, described: str) -> list[tuple[tuple[Any, ...], str]]:
    """Entities whose layout does not fit `schema` (described as `described` in messages)."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    key_attributes = set(schema.attribute_types)
    for entity_name, layout in manifest.entity.items():
        for attr in layout:
            if attr not in key_attributes:
                problems.append(
                    (
                        ("entity", entity_name, attr),
                        f"{quote(attr)} is not a key attribute of {described} or any index "
                        f"(key attributes: {', '.join(sorted(key_attributes))})",
                    )
                )
        for attr in schema.base.key_names:
            if attr not in layout:
                problems.append(
                    (
                        ("entity", entity_name),
                        f"missing {quote(attr)}: every entity needs the primary key of {described}",
                    )
                )
    return problems


def _index_reference_problems(manifest: Manifest, schema: TableSchema) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    indexes = sorted(schema.indexes)
    for trait, methods in manifest.access.items():
        for method, pattern in methods.items():
            if pattern.index is not None and pattern.index not in schema.indexes:
                known = ", ".join(indexes) if indexes else "none"
                problems.append(
                    (
                        ("access", trait, method, "index"),
                        f"unknown index {quote(pattern.index)} (the table's indexes: {known})",
                    )
                )
    return problems


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)
