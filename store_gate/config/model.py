"""The manifest as the gate uses it at run time: plain frozen dataclasses.

Validation is pydantic's (`store_gate.config.validation`): its models say what a manifest may
contain, collect every field error and publish the JSON Schema. Once data has passed them, it is
built into these classes by `build_manifest` - the one constructor, whether the data was
validated in this run or by an earlier run of the same store-gate on the same bytes (then
pydantic is not imported at all, which is most of a pre-commit run's start-up time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from store_gate.dynamodb import (
    ITEM_ONLY_OPERATIONS,
    KEY_OPERATORS,
    KEY_TYPES,
    MAX_KEY_ATTRIBUTES,
    OPERATIONS,
    OPERATOR_ALIASES,
)
from store_gate.keytemplate import KeyTemplate
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_template(value: Any) -> KeyTemplate:
    if isinstance(value, KeyTemplate):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a key template string, got {type(value).__name__}")
    return KeyTemplate.parse_key(value)


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
            return cls("eq", (KeyTemplate.parse_key(value),))
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


FANOUT_PATTERN = r"^\{([A-Za-z_][\w-]*)\} per ([A-Za-z_][\w-]*)$"  # "{Verdict} per Dialogue"


@dataclass(frozen=True)
class Fanout:
    """`fanout = "{Verdict} per Dialogue"`: as many copies as [volumes] gives Verdict items per Dialogue."""

    entity: str
    per: str

    @property
    def source(self) -> str:
        return f"{{{self.entity}}} per {self.per}"


def parse_fanout(value: Any) -> int | Fanout:
    if isinstance(value, Fanout):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9:
        return value
    m = re.fullmatch(FANOUT_PATTERN, value) if isinstance(value, str) and len(value) <= 200 else None
    if m is None:
        raise ValueError('expected a number of items (0 to 10^9) or "{Entity} per Parent" (a [volumes] entry)')
    return Fanout(m.group(1), m.group(2))


@dataclass(frozen=True)
class Copy:
    """`[entity.Verdict.copies] titles = { from = "Recommendation.title", via = "recommendation_ids" }`."""

    source: str  # "Entity.attribute"
    via: str

    @property
    def source_entity(self) -> str:
        return self.source.split(".", 1)[0]

    @property
    def source_attribute(self) -> str:
        return self.source.split(".", 1)[1]


@dataclass(frozen=True)
class EntityVolume:
    count: int
    size_kb: float
    per: str | None = None


@dataclass(frozen=True)
class Volumes:
    entities: dict[str, EntityVolume] = field(default_factory=dict)
    calls_per_second: dict[str, float] = field(default_factory=dict)  # "Trait.method" -> peak calls/s


@dataclass(frozen=True)
class Budgets:
    max_write_fanout: int | None = None


@dataclass(frozen=True)
class Handler:
    maintains: tuple[str, ...]


def _volumes(data: dict[str, Any]) -> Volumes:
    entities = {
        _text(name): EntityVolume(_positive(v["count"]), float(v["size_kb"]), _optional_text(v.get("per")))
        for name, v in data.items()
        if name != "calls_per_second"
    }
    return Volumes(entities, {_text(k): float(v) for k, v in _mapping(data.get("calls_per_second", {})).items()})


@dataclass(frozen=True)
class AccessPattern:
    """How a method reaches DynamoDB. One of five forms:

    - one operation: `op` (with `index`, `key`, ... for data operations; `items` for the item
      operations of a transaction or a batch; a control-plane operation; or "none" with a `reason`);
    - `steps`: operations in order (read, then write); a later step may key on an earlier step's items;
    - `alternatives`: one of several operations, chosen by the call's arguments;
    - `delegates`: the method calls other governed methods and reaches DynamoDB only through them;
    - `expiry = "ttl"`: the method's deletions are DynamoDB's Time to Live.
    """

    op: str | None = None
    index: str | None = None
    entity: str | None = None
    key: dict[str, KeyCondition] = field(default_factory=dict)
    consistent: bool = False
    page: Literal["cursor"] | None = None
    limit: int | KeyTemplate | None = None
    table: str | None = None  # a [tables.<name>]; default: the store's table, else [table]
    items: tuple[AccessPattern, ...] = ()
    steps: tuple[AccessPattern, ...] = ()
    alternatives: tuple[AccessPattern, ...] = ()
    delegates: tuple[str, ...] = ()
    expiry: Literal["ttl"] | None = None
    reason: str | None = None
    entities: tuple[str, ...] = ()  # what a Query expects to read besides `entity` (SG305)
    writes: tuple[str, ...] = ()  # "Entity.attribute" the write changes (SG601)
    maintains: tuple[str, ...] = ()  # "Entity.copy" the same transaction updates (SG601)
    stream: str | None = None  # a [handler.<name>] that updates the copies (SG601)
    fanout: int | Fanout | None = None  # copies written per call (SG602)
    reads: tuple[str, ...] | None = None  # attributes a read needs (SG211); None: all

    @property
    def form(self) -> str:
        """Which of the five forms the pattern is: "op", "steps", "alternatives", "delegates", "expiry"."""
        for name in ("steps", "alternatives", "delegates"):
            if getattr(self, name):
                return name
        return "expiry" if self.expiry is not None else "op"

    def operations(self, table: str | None = None) -> list[tuple[str | None, AccessPattern]]:
        """Every single operation in the pattern, with where it sits ("step 2", "step 1 item 3",
        "alternative 2") and its table inherited from where it is written: what the rules check."""
        own = self.table or table
        found: list[tuple[str | None, AccessPattern]] = []
        if self.op is not None:
            here = dataclasses.replace(self, table=own) if own != self.table else self
            found.append((None, here))
            for i, item in enumerate(self.items, 1):
                found += [(f"item {i}", leaf) for _, leaf in item.operations(own)]
        for name, nested in (("step", self.steps), ("alternative", self.alternatives)):
            for i, part in enumerate(nested, 1):
                for label, leaf in part.operations(own):
                    found.append((f"{name} {i}" + (f" {label}" if label else ""), leaf))
        return found

    @classmethod
    def from_data(cls, data: dict[str, Any], depth: int = 0, item: bool = False) -> AccessPattern:
        """From data the validation models accepted. It checks again what the rules rely on, so
        that data which skipped validation (a stale or forged cache) can never pass as legal."""
        limit = data.get("limit")
        unknown = set(data) - _ACCESS_FIELDS
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        if depth > 2:
            raise ValueError("patterns nest at most steps > items")

        def nested(name: str) -> tuple[AccessPattern, ...]:
            values = data.get(name, [])
            if not isinstance(values, list):
                raise TypeError(f"{name} must be a list")
            return tuple(cls.from_data(_mapping(v), depth + 1, name == "items") for v in values)

        pattern = cls(
            op=None
            if data.get("op") is None
            else _one_of(data["op"], (*OPERATIONS, *ITEM_ONLY_OPERATIONS) if item else OPERATIONS),
            index=_optional_text(data.get("index")),
            entity=_optional_text(data.get("entity")),
            key={_text(name): KeyCondition.parse(value) for name, value in _mapping(data.get("key", {})).items()},
            consistent=_one_of(data.get("consistent", False), (False, True)),
            page=_one_of(data.get("page"), (None, "cursor")),
            limit=None if limit is None else parse_limit(limit),
            table=_optional_text(data.get("table")),
            items=nested("items"),
            steps=nested("steps"),
            alternatives=nested("alternatives"),
            delegates=tuple(_text(d) for d in data.get("delegates", [])),
            expiry=_one_of(data.get("expiry"), (None, "ttl")),
            reason=_optional_text(data.get("reason")),
            entities=tuple(_text(e) for e in data.get("entities", [])),
            writes=tuple(_text(w) for w in data.get("writes", [])),
            maintains=tuple(_text(m) for m in data.get("maintains", [])),
            stream=_optional_text(data.get("stream")),
            fanout=None if data.get("fanout") is None else parse_fanout(data["fanout"]),
            reads=None if data.get("reads") is None else tuple(_text(r) for r in data["reads"]),
        )
        shapes = (pattern.op, pattern.steps, pattern.alternatives, pattern.delegates, pattern.expiry)
        forms = sum(bool(shape) for shape in shapes)
        if forms != 1:
            raise ValueError("an access pattern has exactly one of op, steps, alternatives, delegates, expiry")
        return pattern

    def to_data(self) -> dict[str, Any]:
        """The manifest's own shape; the forms beyond one operation only when used."""
        data: dict[str, Any] = {
            "op": self.op,
            "index": self.index,
            "entity": self.entity,
            "key": {name: condition.to_data() for name, condition in self.key.items()},
            "consistent": self.consistent,
            "page": self.page,
            "limit": self.limit.source if isinstance(self.limit, KeyTemplate) else self.limit,
        }
        if self.table is not None:
            data["table"] = self.table
        for name in ("items", "steps", "alternatives"):
            if getattr(self, name):
                data[name] = [p.to_data() for p in getattr(self, name)]
        if self.delegates:
            data["delegates"] = list(self.delegates)
        if self.expiry is not None:
            data["expiry"] = self.expiry
        if self.reason is not None:
            data["reason"] = self.reason
        if self.entities:
            data["entities"] = list(self.entities)
        for name in ("writes", "maintains"):
            if getattr(self, name):
                data[name] = list(getattr(self, name))
        if self.stream is not None:
            data["stream"] = self.stream
        if self.fanout is not None:
            data["fanout"] = self.fanout.source if isinstance(self.fanout, Fanout) else self.fanout
        if self.reads is not None:
            data["reads"] = list(self.reads)
        return data

    def render(self) -> str:
        """As one TOML inline table, the form `@access` takes."""
        return "{ " + ", ".join(self.toml_items()) + " }"

    def toml_lines(self) -> list[str]:
        """As the lines of a manifest table `[access.Trait.method]` (without its header)."""
        return self.toml_items()

    def toml_items(self) -> list[str]:
        items = [f"op = {quote(self.op)}"] if self.op is not None else []
        if self.table:
            items.append(f"table = {quote(self.table)}")
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
        for name in ("items", "steps", "alternatives"):
            nested = getattr(self, name)
            if nested:
                items.append(f"{name} = [" + ", ".join(p.render() for p in nested) + "]")
        if self.delegates:
            items.append("delegates = [" + ", ".join(quote(d) for d in self.delegates) + "]")
        if self.expiry:
            items.append(f"expiry = {quote(self.expiry)}")
        if self.reason is not None:
            items.append(f"reason = {quote(self.reason)}")
        if self.entities:
            items.append("entities = [" + ", ".join(quote(e) for e in self.entities) + "]")
        for name in ("writes", "maintains", "reads"):
            values = getattr(self, name)
            if values or (name == "reads" and values is not None):
                items.append(f"{name} = [" + ", ".join(quote(v) for v in values) + "]")
        if self.stream is not None:
            items.append(f"stream = {quote(self.stream)}")
        if self.fanout is not None:
            items.append(f"fanout = {quote(self.fanout.source) if isinstance(self.fanout, Fanout) else self.fanout}")
        return items


_ACCESS_FIELDS = frozenset(
    {
        "op",
        "index",
        "entity",
        "key",
        "consistent",
        "page",
        "limit",
        "table",
        "items",
        "steps",
        "alternatives",
        "delegates",
        "expiry",
        "reason",
        "entities",
        "writes",
        "maintains",
        "stream",
        "fanout",
        "reads",
    }
)


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


def _keys(data: dict[str, Any] | list[dict[str, Any]] | None) -> tuple[KeySchemaAttribute, ...]:
    """One key attribute, or a multi-attribute key's list of them (up to four)."""
    if data is None:
        return ()
    attributes = data if isinstance(data, list) else [data]
    if not 1 <= len(attributes) <= MAX_KEY_ATTRIBUTES:
        raise ValueError(f"a key has 1 to {MAX_KEY_ATTRIBUTES} attributes")
    return tuple(k for k in (_key(_mapping(a)) for a in attributes) if k is not None)


def table_schema(data: dict[str, Any]) -> TableSchema | None:
    """The table `[table]` spells out, from validated data; None when it only names where the
    infrastructure defines it (`from`)."""
    partition_key = _key(data.get("partition_key"))
    if partition_key is None:
        return None
    base = IndexSchema(None, "table", partition_key, _key(data.get("sort_key")))
    indexes: dict[str, IndexSchema] = {}
    for name, gsi in data.get("gsi", {}).items():
        partition_keys = _keys(gsi.get("partition_keys") or gsi["partition_key"])
        sort_keys = _keys(gsi.get("sort_keys") or gsi.get("sort_key"))
        indexes[name] = IndexSchema(
            name,
            "gsi",
            partition_keys[0],
            sort_keys[0] if sort_keys else None,
            Projection.parse(gsi.get("projection", "ALL")),
            partition_keys[1:],
            sort_keys[1:],
        )
    for name, lsi in data.get("lsi", {}).items():
        # An LSI always shares the table's partition key (writing it is allowed, differing is not).
        indexes[name] = IndexSchema(
            name, "lsi", partition_key, _key(lsi["sort_key"]), Projection.parse(lsi.get("projection", "ALL"))
        )
    return TableSchema(data.get("name"), base, indexes, _optional_text(data.get("ttl")))


@dataclass(frozen=True)
class Table:
    """`[table]`: the table the manifest declares, and/or where the infrastructure defines it."""

    schema: TableSchema | None  # None: the table comes only from `from_`
    name: str | None = None
    from_: str | None = None
    resource: str | None = None
    ttl: str | None = None  # `ttl`: with `from`, for a definition that cannot say (describe-table output)

    @property
    def declared(self) -> bool:
        """Does the manifest spell the table out (and not only name where it lives)?"""
        return self.schema is not None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Table:
        return cls(
            table_schema(data),
            data.get("name"),
            data.get("from"),
            data.get("resource"),
            _optional_text(data.get("ttl")),
        )

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
    table: str | None = None  # a [tables.<name>], the default of its access patterns
    # Key parts the store holds itself ({ctx.root_key}): name -> DynamoDB type.
    context: dict[str, str] = field(default_factory=dict)

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
    # a method added later is not waived by it (required for SG101 and the SG2 rules).
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
    table: Table | None  # [table]: the default table (None when only [tables.*] are declared)
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
    tables: dict[str, Table] = field(default_factory=dict)  # [tables.<name>]
    entity_table: dict[str, str] = field(default_factory=dict)  # an entity's `table = "<name>"`
    entity_attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `attributes = [...]`
    entity_copies: dict[str, dict[str, Copy]] = field(default_factory=dict)  # [entity.<Name>.copies]
    volumes: Volumes = field(default_factory=Volumes)
    budgets: Budgets = field(default_factory=Budgets)
    handler: dict[str, Handler] = field(default_factory=dict)

    @property
    def all_tables(self) -> dict[str | None, Table]:
        """Every table by name: None for [table], the name for each [tables.<name>]."""
        tables: dict[str | None, Table] = {None: self.table} if self.table is not None else {}
        tables.update(self.tables)
        return tables


ENTITY_TABLE_KEY = "table"  # in an [entity.<Name>], the table the entity lives in (not a key attribute)
ENTITY_FIELDS = frozenset({ENTITY_TABLE_KEY, "attributes", "copies"})  # not key attributes


def _store(data: dict[str, Any]) -> Store:
    context = {_text(k): _one_of(v, KEY_TYPES) for k, v in _mapping(data.get("context", {})).items()}
    return Store(
        data["trait"],
        tuple(data["paths"]),
        tuple(data.get("external", [])),
        _optional_text(data.get("table")),
        context,
    )


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
        store=tuple(_store(s) for s in data["store"]),
        table=Table.from_data(data["table"]) if data.get("table") is not None else None,
        tables={name: Table.from_data(t) for name, t in _mapping(data.get("tables", {})).items()},
        entity={
            name: {attr: KeyTemplate.parse_key(text) for attr, text in layout.items() if attr not in ENTITY_FIELDS}
            for name, layout in data.get("entity", {}).items()
        },
        entity_table={
            name: _text(layout[ENTITY_TABLE_KEY])
            for name, layout in data.get("entity", {}).items()
            if ENTITY_TABLE_KEY in layout
        },
        entity_attributes={
            name: tuple(_text(a) for a in layout["attributes"])
            for name, layout in data.get("entity", {}).items()
            if layout.get("attributes") is not None
        },
        entity_copies={
            name: {_text(c): Copy(_text(v["from"]), _text(v["via"])) for c, v in _mapping(layout["copies"]).items()}
            for name, layout in data.get("entity", {}).items()
            if layout.get("copies")
        },
        volumes=_volumes(_mapping(data.get("volumes", {}))),
        budgets=Budgets(
            None
            if _mapping(data.get("budgets", {})).get("max_write_fanout") is None
            else _positive(data["budgets"]["max_write_fanout"])
        ),
        handler={
            _text(n): Handler(tuple(_text(m) for m in h["maintains"]))
            for n, h in _mapping(data.get("handler", {})).items()
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


def entity_table_of(manifest: Manifest, entity: str) -> str | None:
    """The table an entity lives in: its `table = "..."`, else [table], else the one [tables.*]."""
    if entity in manifest.entity_table:
        return manifest.entity_table[entity]
    if manifest.table is None and len(manifest.tables) == 1:
        return next(iter(manifest.tables))
    return None


def cross_reference_problems(manifest: Manifest, data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, message) for every reference that points nowhere or contradicts a table.

    A table read only from infrastructure (`from`) is checked after its import, through
    `layout_problems`; an access pattern whose table depends on the store that declares its
    method (a supertrait's) is checked by the rules (SG201), not here.
    """
    from store_gate.catalogue import RULES  # the rule modules import this one

    problems: list[tuple[tuple[Any, ...], str]] = []
    tables = manifest.all_tables
    for name, table in tables.items():
        if table.declared:
            raw = data["table"] if name is None else data["tables"][name]
            problems += _table_problems(raw, table_key(name))
    problems += _table_reference_problems(manifest)
    if not problems:
        for name, table in tables.items():
            if table.declared and table.from_ is None:  # with `from`, the infrastructure's table decides
                problems += layout_problems(manifest, table.to_schema(), _described(name), name)
        problems += _index_reference_problems(manifest)
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
        elif (waiver.rule == "SG101" or waiver.rule.startswith("SG2")) and waiver.broad and not waiver.methods:
            problems.append(
                (
                    ("waiver", i),
                    f"a waiver of {waiver.rule} for {waiver.subject} must list the methods it covers, "
                    'methods = ["..."]: a method added later must not be waived by it',
                )
            )
    if not any(table.from_ for table in manifest.all_tables.values()):
        problems += entity_reference_problems(manifest, set(manifest.entity))
    # else: entities may come from the infrastructure (facets, pynamodb models, TableData), checked
    # once it is imported
    return problems


def entity_reference_problems(manifest: Manifest, known: set[str]) -> list[tuple[tuple[Any, ...], str]]:
    """An entity an access pattern (or one of its steps, alternatives, items) names that is
    neither the manifest's nor imported."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    for trait, methods in manifest.access.items():
        for method, pattern in methods.items():
            for _, leaf in pattern.operations():
                named = [("entity", leaf.entity)] if leaf.entity is not None else []
                named += [("entities", e) for e in leaf.entities]
                missing = [(field, e) for field, e in named if e not in known]
                if missing:
                    field, name = missing[0]
                    listed = ", ".join(sorted(known)) or "none"
                    problems.append(
                        (("access", trait, method, field), f"unknown entity {quote(name)} (entities: {listed})")
                    )
                    break
    return problems + copy_reference_problems(manifest, known)


def entity_attributes(manifest: Manifest, entity: str) -> set[str] | None:
    """An entity's attributes: its key attributes, `attributes` and copies; None when it does not
    list `attributes` (then only its key attributes are known)."""
    listed = manifest.entity_attributes.get(entity)
    if listed is None:
        return None
    return set(manifest.entity.get(entity, {})) | set(listed) | set(manifest.entity_copies.get(entity, {}))


def _attribute_problem(manifest: Manifest, known: set[str], ref: str) -> str | None:
    entity, _, attr = ref.partition(".")
    if entity not in known:
        return f"unknown entity {quote(entity)} in {quote(ref)} (entities: {', '.join(sorted(known)) or 'none'})"
    attrs = entity_attributes(manifest, entity)
    if attrs is None and attr not in manifest.entity.get(entity, {}):
        return f'{quote(ref)}: list the attribute in [entity.{entity}] attributes = ["{attr}", ...]'
    if attrs is not None and attr not in attrs:
        return f"{quote(ref)}: entity {entity} has no attribute {quote(attr)} ({', '.join(sorted(attrs))})"
    return None


def _copy_problem(manifest: Manifest, ref: str) -> str | None:
    entity, _, name = ref.partition(".")
    if name in manifest.entity_copies.get(entity, {}):
        return None
    declared = [f"{e}.{c}" for e, copies in sorted(manifest.entity_copies.items()) for c in sorted(copies)]
    return f"unknown copy {quote(ref)} (copies: {', '.join(declared) or 'none'})"


def pattern_copy_problems(manifest: Manifest, known: set[str], pattern: AccessPattern) -> list[tuple[str | None, str]]:
    """(field, message) for what one access pattern's writes, maintains, stream, fanout and reads
    name that the manifest does not have; field None: the pattern itself."""
    problems: list[tuple[str | None, str | None]] = []
    problems += [("writes", _attribute_problem(manifest, known, ref)) for ref in pattern.writes]
    problems += [("maintains", _copy_problem(manifest, ref)) for ref in pattern.maintains]
    if pattern.stream is not None and pattern.stream not in manifest.handler:
        handlers = ", ".join(sorted(manifest.handler)) or "none"
        problems.append(("stream", f"unknown handler {quote(pattern.stream)} (the [handler.*]: {handlers})"))
    if isinstance(pattern.fanout, Fanout):
        named = manifest.volumes.entities.get(pattern.fanout.entity)
        if named is None or named.per != pattern.fanout.per:
            problems.append(
                (
                    "fanout",
                    f"{quote(pattern.fanout.source)} needs [volumes] {pattern.fanout.entity} = "
                    f'{{ per = "{pattern.fanout.per}", count = ..., size_kb = ... }}',
                )
            )
    for label, leaf in pattern.operations():
        if label is not None and (leaf.writes or leaf.maintains or leaf.stream or leaf.fanout is not None):
            problems.append((None, f"{label}: writes, maintains, stream and fanout go on the method's pattern"))
        attrs = entity_attributes(manifest, leaf.entity) if leaf.entity else None
        for read in leaf.reads or ():
            if attrs is not None and read not in attrs:
                problems.append(
                    ("reads", f"entity {leaf.entity} has no attribute {quote(read)} ({', '.join(sorted(attrs))})")
                )
    return [(where, message) for where, message in problems if message is not None]


def copy_reference_problems(manifest: Manifest, known: set[str]) -> list[tuple[tuple[Any, ...], str]]:
    """Copies, writes, maintains, streams, fan-outs, reads and volumes that name an entity,
    attribute, copy or handler the manifest does not have (SG601, SG602, SG211, cost)."""
    problems: list[tuple[tuple[Any, ...], str | None]] = []
    entities = ", ".join(sorted(known)) or "none"
    for entity, copies in sorted(manifest.entity_copies.items()):
        for name, spec in sorted(copies.items()):
            where = ("entity", entity, "copies", name)
            problems.append(((*where, "from"), _attribute_problem(manifest, known, spec.source)))
            problems.append(((*where, "via"), _attribute_problem(manifest, known, f"{entity}.{spec.via}")))
    for name, handler in sorted(manifest.handler.items()):
        problems += [(("handler", name, "maintains"), _copy_problem(manifest, ref)) for ref in handler.maintains]
    for entity, volume in sorted(manifest.volumes.entities.items()):
        if entity not in known:
            problems.append((("volumes", entity), f"unknown entity {quote(entity)} (entities: {entities})"))
        if volume.per is not None and volume.per not in known:
            problems.append((("volumes", entity, "per"), f"unknown entity {quote(volume.per)} (entities: {entities})"))
    for trait, methods in sorted(manifest.access.items()):
        for method, pattern in sorted(methods.items()):
            for field_name, message in pattern_copy_problems(manifest, known, pattern):
                key: tuple[str, ...] = ("access", trait, method) + ((field_name,) if field_name else ())
                problems.append((key, message))
    return [(where, message) for where, message in problems if message is not None]


def table_key(name: str | None) -> tuple[str, ...]:
    """Where a table is written in the manifest: ("table",) or ("tables", name)."""
    return ("table",) if name is None else ("tables", name)


def _described(name: str | None) -> str:
    return "the table" if name is None else f'the table "{name}"'


def _table_reference_problems(manifest: Manifest) -> list[tuple[tuple[Any, ...], str]]:
    """`table = "..."` on a store, an entity or an access pattern names a declared table."""
    names = sorted(manifest.tables)
    known = ", ".join(names) or "none"
    problems: list[tuple[tuple[Any, ...], str]] = []

    def unknown(where: tuple[Any, ...], name: str) -> None:
        problems.append((where, f"unknown table {quote(name)} (the [tables.*]: {known})"))

    for i, store in enumerate(manifest.store):
        if store.table is not None and store.table not in manifest.tables:
            unknown(("store", i, "table"), store.table)
    for entity, name in manifest.entity_table.items():
        if name not in manifest.tables:
            unknown(("entity", entity, ENTITY_TABLE_KEY), name)
    if manifest.table is None and len(manifest.tables) > 1:
        for entity in manifest.entity:
            if entity not in manifest.entity_table:
                problems.append(
                    (("entity", entity), f'which table does entity {entity} live in? add table = "..." ({known})')
                )
    for trait, methods in manifest.access.items():
        for method, pattern in methods.items():
            for _, leaf in pattern.operations():
                if leaf.table is not None and leaf.table not in manifest.tables:
                    unknown(("access", trait, method, "table"), leaf.table)
    return problems


def _table_problems(table: dict[str, Any], key: tuple[str, ...] = ("table",)) -> list[tuple[tuple[Any, ...], str]]:
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
    declare(partition_key, (*key, "partition_key"))
    if table.get("sort_key"):
        declare(table["sort_key"], (*key, "sort_key"))
    gsis = table.get("gsi", {})
    for name, gsi in gsis.items():
        for field_name in ("partition_key", "sort_key"):
            if gsi.get(field_name):
                declare(gsi[field_name], (*key, "gsi", name, field_name))
            for i, attr in enumerate(gsi.get(field_name + "s") or []):
                declare(attr, (*key, "gsi", name, field_name + "s", i))
    for name, lsi in table.get("lsi", {}).items():
        if not table.get("sort_key"):
            problems.append(((*key, "lsi", name), "a local secondary index needs a table with a sort key"))
        if lsi.get("partition_key") and lsi["partition_key"] != partition_key:
            problems.append(
                (
                    (*key, "lsi", name, "partition_key"),
                    f"an LSI shares the table's partition key {quote(partition_key['name'])}; "
                    "remove partition_key or make it equal",
                )
            )
        declare(lsi["sort_key"], (*key, "lsi", name, "sort_key"))
        if name in gsis:
            problems.append(((*key, "lsi", name), f"index name {quote(name)} is also a GSI"))
    return problems


def layout_problems(
    manifest: Manifest, schema: TableSchema, described: str, table: str | None = None
) -> list[tuple[tuple[Any, ...], str]]:
    """Entities of `table` whose layout does not fit `schema` (described as `described`)."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    key_attributes = set(schema.attribute_types)
    for entity_name, layout in manifest.entity.items():
        if entity_table_of(manifest, entity_name) != table:
            continue
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


def _index_reference_problems(manifest: Manifest) -> list[tuple[tuple[Any, ...], str]]:
    """An index an access pattern names that its table (known from the manifest alone, and
    declared there rather than read from infrastructure) does not define."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    tables = manifest.all_tables
    only = next(iter(tables)) if len(tables) == 1 else None
    for trait, methods in manifest.access.items():
        for method, pattern in methods.items():
            for _, leaf in pattern.operations():
                name = leaf.table if leaf.table is not None else only
                table = tables.get(name) if name is not None or len(tables) == 1 else None
                if leaf.index is None or table is None or not table.declared or table.from_ is not None:
                    continue
                schema = table.to_schema()
                if leaf.index not in schema.indexes:
                    known = ", ".join(sorted(schema.indexes)) or "none"
                    problems.append(
                        (
                            ("access", trait, method, "index"),
                            f"unknown index {quote(leaf.index)} (the indexes of {_described(name)}: {known})",
                        )
                    )
    return problems


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)
