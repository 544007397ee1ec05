"""What a manifest may contain, as pydantic models: every field error collected at once, and the
JSON Schema that `store-gate schema` publishes for editors.

These models validate; they are not what the gate runs on. Accepted data is built into the
runtime dataclasses of `store_gate.config.model` by `build_manifest`. The field names and
defaults of the two are kept equal by tests/test_manifest_layers.py.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema, model_validator

from store_gate.config.model import FANOUT_PATTERN, KeyCondition, parse_fanout, parse_limit, parse_template
from store_gate.dynamodb import ITEM_ONLY_OPERATIONS, ITEM_OPERATIONS, KEY_OPERATORS, MAX_KEY_ATTRIBUTES, OPERATIONS
from store_gate.schema.table import Projection

Template = Annotated[
    Any,
    PlainValidator(parse_template),
    WithJsonSchema({"type": "string", "description": "literal text with {param} / {param.field} parts"}),
]

Condition = Annotated[
    Any,
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
    Any,
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

Limit = Annotated[
    Any,
    PlainValidator(parse_limit),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False)


class KeyAttribute(_Model):
    name: str = Field(min_length=1)
    type: Literal["S", "N", "B"]


MultiKey = Annotated[list[KeyAttribute], Field(min_length=2, max_length=MAX_KEY_ATTRIBUTES)]


class GlobalIndex(_Model):
    partition_key: Optional[KeyAttribute] = None
    partition_keys: Optional[MultiKey] = Field(
        default=None, description="a multi-attribute partition key: 2 to 4 attributes, in order"
    )
    sort_key: Optional[KeyAttribute] = None
    sort_keys: Optional[MultiKey] = Field(default=None, description="a multi-attribute sort key: 2 to 4 attributes")
    projection: ProjectionField = "ALL"

    @model_validator(mode="after")
    def _one_key_form(self) -> GlobalIndex:
        if (self.partition_key is None) == (self.partition_keys is None):
            raise ValueError("a GSI has partition_key (one attribute) or partition_keys (2 to 4), not both")
        if self.sort_key is not None and self.sort_keys is not None:
            raise ValueError("a GSI has sort_key or sort_keys, not both")
        return self


class LocalIndex(_Model):
    sort_key: KeyAttribute
    partition_key: Optional[KeyAttribute] = None
    projection: ProjectionField = "ALL"


class Table(_Model):
    name: Optional[str] = None
    partition_key: Optional[KeyAttribute] = None
    sort_key: Optional[KeyAttribute] = None
    gsi: dict[str, GlobalIndex] = {}
    lsi: dict[str, LocalIndex] = {}
    from_: Optional[str] = Field(
        default=None,
        alias="from",
        description="infrastructure file the table is read from (CloudFormation/SAM, Serverless, Terraform, "
        "describe-table or create_table JSON, NoSQL Workbench), relative to the manifest",
    )
    resource: Optional[str] = Field(default=None, description="which table of `from`: a logical id or address")
    ttl: Optional[str] = Field(default=None, description="the attribute Time to Live reads (TimeToLiveSpecification)")

    @model_validator(mode="after")
    def _declared_or_imported(self) -> Table:
        if self.partition_key is None and self.from_ is None:
            raise ValueError('declare partition_key, or read the table from infrastructure with from = "..."')
        if self.partition_key is None and (self.sort_key or self.gsi or self.lsi):
            raise ValueError("sort_key and indexes need partition_key (or leave them all to `from`)")
        return self


class Store(_Model):
    trait: str = Field(min_length=1, description="name of the governed trait / Protocol / interface")
    table: Optional[str] = Field(default=None, description="a [tables.<name>] its access patterns use by default")
    context: dict[str, Literal["S", "N", "B"]] = Field(
        default={},
        description="key parts the store holds itself (a root key, a tenant set at construction): "
        '{ctx.name} in key templates; the value is the part\'s type: "S", "N" or "B"',
    )
    paths: list[str] = Field(min_length=1, description="globs, relative to the manifest's folder")
    external: list[str] = Field(
        default=[],
        description="supertraits / base classes governed elsewhere, by name or path (crate::admin::Admin): "
        "the gate does not look for them",
    )


AttributeRef = Annotated[str, Field(pattern=r"^[^.\s]+\.[^.\s]+$", description="Entity.attribute")]
FanoutField = Annotated[
    Any,
    PlainValidator(parse_fanout),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": FANOUT_PATTERN}]}),
]


class Copy(_Model):
    from_: AttributeRef = Field(alias="from", description='"Entity.attribute" the copy is taken from')
    via: str = Field(min_length=1, description="the holder's attribute naming the source items (recommendation_ids)")


class Entity(_Model):
    """[entity.<Name>]: a key template per key attribute, and the entity's own fields."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    # The extras' type as an object, not the string `from __future__ import annotations` makes of
    # it: pydantic 2.0 (our floor) cannot resolve that string.
    __annotations__["__pydantic_extra__"] = dict[str, Template]
    table: Optional[str] = Field(default=None, description="the [tables.<name>] the entity lives in")
    attributes: Optional[list[str]] = Field(default=None, description="its attributes besides the key attributes")
    copies: dict[str, Copy] = Field(default={}, description="denormalised copies of other entities' attributes")


class EntityVolume(_Model):
    per: Optional[str] = Field(default=None, description="the entity one group of `count` items belongs to")
    count: int = Field(ge=1, le=10**12, description="items (per `per`, else in all)")
    size_kb: float = Field(gt=0, le=400, description="the average item size in KB")


class Volumes(_Model):
    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    __annotations__["__pydantic_extra__"] = dict[str, EntityVolume]  # an object: see Entity
    calls_per_second: dict[AttributeRef, Annotated[float, Field(gt=0, le=10**9, allow_inf_nan=False)]] = Field(
        default={}, description='"Trait.method" = calls per second on one partition at peak'
    )


class Budgets(_Model):
    max_write_fanout: Optional[int] = Field(default=None, ge=1, le=10**9, description="items one write call may change")


class Handler(_Model):
    maintains: list[AttributeRef] = Field(min_length=1, description='"Entity.copy": the copies the handler updates')


class AccessPattern(_Model):
    op: Optional[Literal[OPERATIONS]] = Field(  # type: ignore[valid-type]
        default=None, description='a DynamoDB operation, a control-plane operation, or "none" (with a reason)'
    )
    index: Optional[str] = Field(default=None, description="a GSI or LSI name; absent for the base table")
    entity: Optional[str] = None
    key: dict[str, Condition] = {}
    consistent: bool = False
    page: Optional[Literal["cursor"]] = None
    limit: Optional[Limit] = None
    table: Optional[str] = Field(default=None, description="a [tables.<name>]; default: the store's, else [table]")
    items: list[Item] = Field(
        default=[], description="the items of a TransactWriteItems / TransactGetItems / BatchWriteItem / BatchGetItem"
    )
    steps: list[AccessPattern] = Field(default=[], description="operations in order; a later one may key on `{item.x}`")
    alternatives: list[AccessPattern] = Field(default=[], description="one of several operations, by the arguments")
    delegates: list[Annotated[str, Field(pattern=r"^[^.\s]+\.[^.\s]+$")]] = Field(
        default=[], description="Trait.method: the governed methods this one calls instead of reaching DynamoDB"
    )
    expiry: Optional[Literal["ttl"]] = Field(default=None, description="deletions by DynamoDB's Time to Live")
    reason: Optional[str] = Field(default=None, description='why a method with op = "none" touches no data')
    entities: list[str] = Field(
        default=[], description="the entities a Query expects to read besides `entity` (SG305 reports any other)"
    )
    # Copies and write cost (SG601, SG602) on a method's pattern; `reads` (SG211) on a read.
    writes: list[AttributeRef] = Field(default=[], description='"Entity.attribute": what the write changes')
    maintains: list[AttributeRef] = Field(default=[], description='"Entity.copy": copies the transaction updates')
    stream: Optional[str] = Field(default=None, description="a [handler.<name>] that updates the copies after it")
    fanout: Optional[FanoutField] = Field(
        default=None, description='copies written per call: 3 or "{Verdict} per Dialogue"'
    )
    reads: Optional[list[str]] = Field(default=None, description="the attributes a read needs (default: all)")

    @model_validator(mode="after")
    def _one_form(self) -> AccessPattern:
        forms = [
            name
            for name, value in (
                ("op", self.op),
                ("steps", self.steps),
                ("alternatives", self.alternatives),
                ("delegates", self.delegates),
                ("expiry", self.expiry),
            )
            if value
        ]
        if len(forms) != 1:
            raise ValueError(
                "an access pattern has exactly one of op, steps, alternatives, delegates, expiry"
                + (f" (it has {', '.join(forms)})" if forms else "")
            )
        if self.op == "none" and not (self.reason or "").strip():
            raise ValueError('op = "none" needs a reason: why the method touches no data')
        if self.reason is not None and self.op != "none":
            raise ValueError('reason goes with op = "none"')
        if self.items and self.op not in ITEM_OPERATIONS:
            raise ValueError(f"items go with {', '.join(ITEM_OPERATIONS)}, not {self.op}")
        for i, item in enumerate(self.items):
            allowed = ITEM_OPERATIONS.get(str(self.op), ())
            if item.op not in allowed or item.items or item.form_nested():
                raise ValueError(f"items[{i}]: an item of {self.op} is one of {', '.join(allowed)}")
        for name in ("steps", "alternatives"):
            for i, nested in enumerate(getattr(self, name)):
                if nested.op is None or nested.form_nested():
                    raise ValueError(f"{name}[{i}]: each is one operation (op = ...), not steps or alternatives")
        return self

    def form_nested(self) -> bool:
        return bool(self.steps or self.alternatives or self.delegates or self.expiry)


_ITEM_OPERATION_NAMES = (*OPERATIONS, *ITEM_ONLY_OPERATIONS)


class Item(AccessPattern):
    """An item of a TransactWriteItems / TransactGetItems / BatchWriteItem / BatchGetItem: one
    operation, or a ConditionCheck (an item of TransactWriteItems only, which _one_form checks)."""

    op: Optional[Literal[_ITEM_OPERATION_NAMES]] = Field(  # type: ignore[valid-type]
        default=None, description='a DynamoDB operation, or "ConditionCheck" in a TransactWriteItems'
    )


class Waiver(_Model):
    rule: str = Field(pattern=r"^[A-Za-z][\w.-]*$", description="a rule code (SG101) or a custom rule's id")
    method: Optional[str] = Field(
        default=None, pattern=r"^[^.\s]+\.[^.\s]+$", description="Trait.method, or Trait.* for the whole trait"
    )
    path: Optional[str] = Field(default=None, description="a glob of files, for findings that concern no method")
    reason: str = ""
    expires: Optional[_dt.date] = None
    methods: list[str] = Field(
        default=[],
        description="with Trait.* or path: the methods the waiver covers (required for SG101 and SG2 rules); "
        "a method added later is not waived",
    )

    @model_validator(mode="after")
    def _one_subject(self) -> Waiver:
        if (self.method is None) == (self.path is None):
            raise ValueError('a waiver names either method = "Trait.method" or path = "glob"')
        if self.methods and self.method is not None and not self.method.endswith(".*"):
            raise ValueError('methods goes with method = "Trait.*" or a path, not with one method')
        return self


# A client module as an import names it: a Rust path (`a::b`), a Python module (`a.b`), an npm
# package (`@scope/name`); no spaces, quotes or brackets (a name with them matches no import).
ModulePath = Annotated[
    str, Field(pattern=r"^[@\w][\w.:/@-]*$", description="a module path: crate::module, package.module, @scope/pkg")
]


class Backend(_Model):
    allow: list[str] = Field(min_length=1, description="globs of the modules that may hold this backend's client")
    modules: list[ModulePath] = Field(default=[], description="more module names that count as this backend's client")


class Boundaries(_Model):
    paths: Optional[list[str]] = Field(default=None, description="what SG403, SG5 and custom rules scan")
    domain: Optional[list[str]] = Field(default=None, description="the domain model's files, for SG403")
    backends: dict[str, Backend] = {}
    vocabulary: list[str] = Field(default=[], description="more storage words for SG401")
    backend_types: list[str] = Field(default=[], description="more backend type names for SG402")
    key_attributes: list[str] = Field(default=[], description="more physical key attribute names for SG403")
    key_prefixes: list[str] = Field(default=[], description="more physical key prefixes for SG502")


class Limits(_Model):
    max_file_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="a source or infrastructure file larger than this is reported (SG002), not parsed",
    )
    rule_seconds: float = Field(
        default=2.0,
        gt=0,
        le=600,
        description="the time one of your own ast-grep rules may take on one file; past it the rule is "
        "reported (SG005) and not run on the remaining files",
    )


class Manifest(_Model):
    version: Literal[1]
    fail_on: Literal["error", "warning"] = "error"
    legacy: Literal["error", "warn", "off"] = Field(
        default="error", description="with --base: what findings on methods that existed at the base become"
    )
    baseline: Optional[str] = Field(default=None, description="the baseline file, relative to the manifest")
    store: list[Store] = Field(min_length=1)
    table: Optional[Table] = Field(default=None, description="the table (the default one, with [tables.*])")
    tables: dict[str, Table] = Field(default={}, description='several tables, by name: table = "name" chooses one')
    entity: dict[str, Entity] = {}
    access: dict[str, dict[str, AccessPattern]] = {}
    waiver: list[Waiver] = []
    severity: dict[str, Literal["error", "warning", "off"]] = {}
    boundaries: Optional[Boundaries] = None
    rules: list[str] = Field(default=[], description="globs of your own ast-grep YAML rules")
    exclude: list[str] = Field(
        default=[],
        description="globs of files and folders no store, boundary or rule reads (besides what git ignores)",
    )
    limits: Limits = Field(default_factory=Limits, description="bounds on what the gate reads")
    volumes: Volumes = Field(default_factory=Volumes, description="item counts and sizes; calls per second")
    budgets: Budgets = Field(default_factory=Budgets, description="bounds on write cost (SG602)")
    handler: dict[str, Handler] = Field(default={}, description="stream handlers that update copies")

    @model_validator(mode="after")
    def _a_table(self) -> Manifest:
        if self.table is None and not self.tables:
            raise ValueError("declare the table: [table], or several as [tables.<name>]")
        return self


AccessPattern.model_rebuild()
Item.model_rebuild()


def _problems(model: type[BaseModel], data: Any) -> list[tuple[tuple[Any, ...], str]]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [(tuple(error["loc"]), _message(error)) for error in exc.errors()]
    return []


def manifest_problems(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, message) for every field error of a whole manifest."""
    return _problems(Manifest, data)


def access_problems(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, message) for every field error of one access pattern (an inline `@access`)."""
    return _problems(AccessPattern, data)


def json_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "store-gate manifest"
    return schema


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if isinstance(value, (str, int, float, bool)) and kind != "value_error":
        if isinstance(value, bool):
            shown = str(value).lower()
        elif isinstance(value, str):
            shown = f'"{value}"'
        else:
            shown = repr(value)
        message += f" (got {shown})"
    return message
