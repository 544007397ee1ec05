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

from store_gate.config.model import KeyCondition, parse_limit, parse_template
from store_gate.dynamodb import KEY_OPERATORS, OPERATIONS
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


class GlobalIndex(_Model):
    partition_key: KeyAttribute
    sort_key: Optional[KeyAttribute] = None
    projection: ProjectionField = "ALL"


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

    @model_validator(mode="after")
    def _declared_or_imported(self) -> Table:
        if self.partition_key is None and self.from_ is None:
            raise ValueError('declare partition_key, or read the table from infrastructure with from = "..."')
        if self.partition_key is None and (self.sort_key or self.gsi or self.lsi):
            raise ValueError("sort_key and indexes need partition_key (or leave them all to `from`)")
        return self


class Store(_Model):
    trait: str = Field(min_length=1, description="name of the governed trait / Protocol / interface")
    paths: list[str] = Field(min_length=1, description="globs, relative to the manifest's folder")
    external: list[str] = Field(
        default=[],
        description="supertraits / base classes governed elsewhere, by name or path (crate::admin::Admin): "
        "the gate does not look for them",
    )


class AccessPattern(_Model):
    op: Literal[OPERATIONS]  # type: ignore[valid-type]
    index: Optional[str] = Field(default=None, description="a GSI or LSI name; absent for the base table")
    entity: Optional[str] = None
    key: dict[str, Condition] = {}
    consistent: bool = False
    page: Optional[Literal["cursor"]] = None
    limit: Optional[Limit] = None


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
        description="with Trait.* or path: the methods the waiver covers (required for SG101); "
        "a method added later is not waived",
    )

    @model_validator(mode="after")
    def _one_subject(self) -> Waiver:
        if (self.method is None) == (self.path is None):
            raise ValueError('a waiver names either method = "Trait.method" or path = "glob"')
        if self.methods and self.method is not None and not self.method.endswith(".*"):
            raise ValueError('methods goes with method = "Trait.*" or a path, not with one method')
        return self


class Backend(_Model):
    allow: list[str] = Field(min_length=1, description="globs of the modules that may hold this backend's client")
    modules: list[str] = Field(default=[], description="more module names that count as this backend's client")


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
    table: Table
    entity: dict[str, dict[str, Template]] = {}
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
