"""Terraform: `aws_dynamodb_table` resources (`hash_key`, `range_key`, `attribute`,
`global_secondary_index`, `local_secondary_index`), and calls of a dynamodb-table module that
pass the same settings as arguments (`attributes`, `global_secondary_indexes`, ...).

HCL is parsed (python-hcl2), never planned: `var.x` and `local.x` resolve from defaults written
in the same file; `dynamic` blocks and other expressions are reported as not static. Module
sources are never fetched.
"""

from __future__ import annotations

import re
from typing import Any

from store_gate.dynamodb import MAX_KEY_ATTRIBUTES
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, Incomplete, first_lines
from store_gate.schema.importers.limits import cap, check_hcl, quote, too_deep
from store_gate.schema.importers.shape import (
    Anything,
    Blocks,
    Checker,
    Entries,
    Fields,
    Items,
    LineMap,
    Scalar,
    Text,
    show,
)
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema

_REFERENCE = re.compile(r"^\$\{(var|local)\.([A-Za-z0-9_-]+)\}$")


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _parse(text: str) -> dict[str, Any]:
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput, VisitError

    check_hcl(text)  # nesting and number length, before python-hcl2 recurses or converts
    try:
        document: dict[str, Any] = hcl2.loads(text)
    except UnexpectedInput as exc:
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        raise ImportProblem(f"HCL syntax error at line {line}, column {column}", line=line) from None
    except RecursionError:
        raise too_deep(None) from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, RecursionError):
            raise too_deep(None) from None
        raise ImportProblem(f"HCL: {_first_line(exc)}") from None
    except (LarkError, ValueError) as exc:
        raise ImportProblem(f"HCL: {_first_line(exc)}") from None
    except Exception as exc:
        # python-hcl2's own failures on text it parsed: serializing a for expression whose value
        # is a number (`{for k, v in var.tags : k => 1}`) raises TypeError in 8.x.
        raise ImportProblem(
            f"HCL: the parser failed on this file ({type(exc).__name__}: {_first_line(exc)}); "
            "declare [table] in the manifest instead"
        ) from None
    return document


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _unquote_value(value: Any) -> Any:
    """A literal string as HCL wrote it, for messages: `"pk"` is the string pk."""
    return _unquote(value) if isinstance(value, str) and "${" not in value else value


def _written(value: Any) -> str:
    """A value as the file writes it, for messages and notes (capped)."""
    return cap(value) if isinstance(value, str) else show(value)


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


_NOT_STATIC = "the table cannot be read without a plan - declare [table] in the manifest instead"
_ATTRIBUTE = Fields("an attribute block with name and type", required={"name": Text(), "type": Text()})
_INDEX = Fields(
    "an index block with name, hash_key and projection_type",
    required={"name": Text()},
    optional={
        "hash_key": Text(),
        "range_key": Text(),
        "projection_type": Text(),
        "non_key_attributes": Items("a list of attribute names", Text()),
        "key_schema": Items(
            "key_schema blocks",
            Fields(
                "a key_schema block with attribute_name and key_type",
                required={"attribute_name": Text(), "key_type": Text()},
            ),
            dynamic_ok=True,
        ),
    },
)
_DYNAMIC = Items("dynamic blocks", Entries("dynamic blocks by label", Anything()))
_BODY = {
    "resource": Fields(
        "a resource block",
        optional={
            "name": Scalar(),
            "hash_key": Text(),
            "range_key": Text(),
            "attribute": Items("attribute blocks", _ATTRIBUTE, dynamic_ok=True),
            "global_secondary_index": Items("global_secondary_index blocks", _INDEX, dynamic_ok=True),
            "local_secondary_index": Items("local_secondary_index blocks", _INDEX, dynamic_ok=True),
            "ttl": Items(
                "a ttl block",
                Fields("a ttl block with attribute_name and enabled", optional={"attribute_name": Text()}),
                dynamic_ok=True,
            ),
            "dynamic": _DYNAMIC,
        },
    ),
    "module": Fields(
        "a module block",
        optional={
            "name": Scalar(),
            "hash_key": Text(),
            "range_key": Text(),
            "attributes": Items("a list of attribute objects", _ATTRIBUTE, dynamic_ok=True),
            "global_secondary_indexes": Items("a list of index objects", _INDEX, dynamic_ok=True),
            "local_secondary_indexes": Items("a list of index objects", _INDEX, dynamic_ok=True),
            "ttl_attribute_name": Scalar(),
            "dynamic": _DYNAMIC,
        },
    ),
}
_DOCUMENT = Fields(
    "an HCL document",
    optional={
        "resource": Items("resource blocks", Entries("resource blocks by type", Anything()), indexed=False),
        "module": Items("module blocks", Blocks('module "NAME" { ... }', Fields("a module block")), indexed=False),
        "variable": Items(
            "variable blocks", Blocks('variable "NAME" { ... }', Fields("a variable block")), indexed=False
        ),
        "locals": Items("locals blocks", Fields("a locals block"), indexed=False),
    },
)
_TABLES = Blocks('resource "aws_dynamodb_table" "NAME" { ... }', _BODY["resource"])


class _Lines:
    """The first lines of the file's blocks, each kind found in one pass over the text."""

    def __init__(self, text: str) -> None:
        self.top = first_lines(text, r"^[ \t]*(?P<name>resource|module|variable|locals)\b")
        self.resources = first_lines(text, r'resource[ \t]+"?aws_dynamodb_table"?[ \t]+"?(?P<name>[^"\s{]+)"?[ \t]*\{')
        self.modules = first_lines(text, r'module[ \t]+"?(?P<name>[^"\s{]+)"?[ \t]*\{')


def _checker(lines: LineMap | None = None) -> Checker:
    return Checker(lines, dynamic=_is_expression, not_static=_NOT_STATIC, display=_unquote_value, shown=_written)


def _check(document: dict[str, Any], lines: _Lines) -> None:
    """Hold the parsed file to what `candidates` reads: blocks where blocks belong, with their
    labels, and every aws_dynamodb_table resource's settings (a module call's are checked when it
    turns out to be a table). Lines are those of the blocks' first lines."""
    known: LineMap = {id(document): dict(lines.top)}
    checker = _checker(known)
    checker.check(document, _DOCUMENT, "")
    for block in document.get("resource") or []:
        for kind, resources in block.items():
            if _unquote(kind) == "aws_dynamodb_table":
                if isinstance(resources, dict):
                    known[id(resources)] = {label: lines.resources.get(_unquote(label)) for label in resources}
                checker.check(resources, _TABLES, "aws_dynamodb_table", lines.top.get("resource"))


class _Values:
    """Literal values of the file: strings, numbers, and var/local references with defaults."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.defaults: dict[tuple[str, str], Any] = {}
        for block in document.get("variable") or []:
            for name, body in block.items():
                if "default" in body:
                    self.defaults[("var", _unquote(name))] = body["default"]
        for block in document.get("locals") or []:
            for name, value in block.items():
                if not name.startswith("__"):
                    self.defaults[("local", name)] = value

    def text(self, value: Any, depth: int = 0) -> str | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            return None
        if len(value) >= 2 and value[0] == value[-1] == '"' and "${" not in value:
            return value[1:-1]
        reference = _REFERENCE.match(value)
        if reference and depth < 5 and tuple(reference.groups()) in self.defaults:
            return self.text(self.defaults[(reference.group(1), reference.group(2))], depth + 1)
        return None


def candidates(text: str, shown: str) -> list[Candidate]:
    document = _parse(text)
    lines = _Lines(text)
    _check(document, lines)
    values = _Values(document)
    found: list[Candidate] = []
    for block in document.get("resource") or []:
        for kind, resources in block.items():
            if _unquote(kind) != "aws_dynamodb_table":
                continue
            for label, body in resources.items():
                name = _unquote(label)
                line = lines.resources.get(name)
                found.append(_candidate(f"aws_dynamodb_table.{name}", body, values, line, shown, "resource"))
    for block in document.get("module") or []:
        for label, body in block.items():
            if "hash_key" in body and ("attributes" in body or "attribute" in body):
                name = _unquote(label)
                line = lines.modules.get(name)
                _checker().check(body, _BODY["module"], f"module.{name}", line)
                found.append(_candidate(f"module.{name}", body, values, line, shown, "module"))
    return found


def _candidate(
    address: str, body: dict[str, Any], values: _Values, line: int | None, shown: str, form: str
) -> Candidate:
    return Candidate(address, values.text(body.get("name")), line, _reader(address, body, values, shown, line, form))


def _reader(address: str, body: dict[str, Any], values: _Values, shown: str, line: int | None, form: str) -> Any:
    def read() -> ImportedTable:
        try:
            schema, notes = _table(address, body, values, form)
        except ImportProblem as problem:
            problem.line = problem.line or line
            raise
        kind = "Terraform resource" if form == "resource" else "Terraform module call"
        return ImportedTable(schema, shown, address, kind, notes)

    return read


def _index_keys(
    address: str, kind: str, name: str, block: dict[str, Any], values: _Values
) -> tuple[list[str | None], list[str | None]]:
    """An index's hash and range key names: `hash_key` / `range_key`, or `key_schema` blocks
    (the AWS provider's form for multi-attribute GSI keys: up to 4 HASH and 4 RANGE entries)."""
    schema = block.get("key_schema")
    if schema is None:
        hash_name = values.text(block.get("hash_key"))
        range_name = values.text(block.get("range_key")) if block.get("range_key") is not None else None
        return [hash_name], [] if range_name is None else [range_name]
    if not isinstance(schema, list):
        raise ImportProblem(f"{address}: index {quote(name)} key_schema is not static ({_written(schema)})", address)
    roles: dict[str, list[str | None]] = {"HASH": [], "RANGE": []}
    for entry in schema:
        role = values.text(entry["key_type"])
        if role not in roles:
            raise ImportProblem(
                f"{address}: index {quote(name)} key_schema key_type is {_written(entry['key_type'])}, "
                "expected HASH or RANGE",
                address,
            )
        roles[role].append(values.text(entry["attribute_name"]))
    for role in ("HASH", "RANGE"):
        count = len(roles[role])
        if count > 1 and kind != "gsi":
            raise ImportProblem(
                f"{address}: {kind.upper()} {quote(name)} has {count} {role} key_schema entries; only a GSI may "
                "have several (a multi-attribute key)",
                address,
            )
        if count > MAX_KEY_ATTRIBUTES:
            raise ImportProblem(
                f"{address}: GSI {quote(name)} has {count} {role} key_schema entries; a multi-attribute GSI key "
                f"has at most {MAX_KEY_ATTRIBUTES} of each",
                address,
            )
    if not roles["HASH"]:
        raise ImportProblem(f"{address}: index {quote(name)} key_schema has no HASH entry", address)
    return roles["HASH"], roles["RANGE"]


def _table(address: str, body: dict[str, Any], values: _Values, form: str) -> tuple[TableSchema, list[str]]:
    """The table of one definition, already held to `_BODY[form]` (blocks are mappings, names
    are strings; a list in place of blocks may still be an expression over variables)."""
    notes: list[str] = []
    fields = (
        ("attribute", "global_secondary_index", "local_secondary_index")
        if form == "resource"
        else ("attributes", "global_secondary_indexes", "local_secondary_indexes")
    )
    attributes, gsis, lsis = (body.get(field) or [] for field in fields)
    dynamic = {_unquote(name) for block in body.get("dynamic") or [] for name in block}
    hash_key = values.text(body.get("hash_key"))
    if hash_key is None or not isinstance(attributes, list) or (not attributes and "attribute" in dynamic):
        reasons = []
        if hash_key is None:
            reasons.append(f"hash_key is {_written(body.get('hash_key'))}")
        if "attribute" in dynamic or not isinstance(attributes, list):
            reasons.append("the attribute blocks come from a dynamic block over variables")
        raise ImportProblem(f"{address}: nothing is static ({'; '.join(reasons)}); {_NOT_STATIC}", address)
    types: dict[str, str] = {}
    for i, attribute in enumerate(attributes):
        name, kind = values.text(attribute["name"]), values.text(attribute["type"])
        if name is None or kind not in ("S", "N", "B"):
            shown = f"name = {_written(attribute['name'])}, type = {_written(attribute['type'])}"
            raise ImportProblem(f"{address}.{fields[0]}[{i}]: an attribute is not static ({shown})", address)
        types[name] = kind

    def key(name: str | None, what: str) -> KeySchemaAttribute:
        if name is None:
            raise ImportProblem(f"{address}: {what} is not static", address)
        if name not in types:
            raise ImportProblem(f"{address}: {what} {quote(name)} has no attribute block declaring its type", address)
        return KeySchemaAttribute(name, types[name])  # type: ignore[arg-type]

    partition = key(hash_key, "hash_key")
    sort = key(values.text(body.get("range_key")), "range_key") if body.get("range_key") is not None else None
    indexes: dict[str, IndexSchema] = {}
    for kind, blocks in (("gsi", gsis), ("lsi", lsis)):
        if not isinstance(blocks, list):
            raise ImportProblem(f"{address}: the {kind.upper()}s are not static ({_written(blocks)})", address)
        for block in blocks:
            name = values.text(block["name"])
            if name is None:
                raise ImportProblem(f"{address}: an index name is not static ({_written(block['name'])})", address)
            label = f"index {quote(name)}"
            hash_names, range_names = _index_keys(address, kind, name, block, values)
            index_pks = (partition,) if kind == "lsi" else tuple(key(n, f"{label} hash_key") for n in hash_names)
            index_sks = tuple(key(n, f"{label} range_key") for n in range_names)
            projection_type = values.text(block.get("projection_type"))
            if projection_type is None:
                notes.append(
                    Incomplete(
                        f"{address}: {label} has no projection_type, which the AWS provider requires; "
                        "its projection is unknown"
                    )
                )
                projection = Projection("UNSPECIFIED")
            elif projection_type == "INCLUDE":
                include = [values.text(v) for v in block.get("non_key_attributes") or []]
                projection = Projection("INCLUDE", tuple(v for v in include if v is not None))
            elif projection_type in ("ALL", "KEYS_ONLY"):
                projection = Projection(projection_type)  # type: ignore[arg-type]
            else:
                raise ImportProblem(
                    f"{address}: {label} projection_type is {quote(projection_type)}, "
                    "expected ALL, KEYS_ONLY or INCLUDE",
                    address,
                )
            indexes[name] = IndexSchema(
                name,
                kind,  # type: ignore[arg-type]
                index_pks[0],
                index_sks[0] if index_sks else None,
                projection,
                more_partition_keys=index_pks[1:],
                more_sort_keys=index_sks[1:],
            )
    for name in sorted(dynamic & {"global_secondary_index", "local_secondary_index"}):
        notes.append(f"{address}: {name} blocks also come from a dynamic block over variables; those are not read")
    table_name = values.text(body.get("name"))
    if body.get("name") is not None and table_name is None:
        notes.append(f"{address}: name is not static ({_written(body['name'])}); the table is known by its address")
    ttl = _ttl(address, body, values, form, notes)
    return TableSchema(table_name, IndexSchema(None, "table", partition, sort), indexes, ttl_attribute=ttl), notes


def _ttl(address: str, body: dict[str, Any], values: _Values, form: str, notes: list[str]) -> str | None:
    """The Time to Live attribute: a resource's `ttl { attribute_name, enabled = true }`, a module
    call's `ttl_enabled = true` with `ttl_attribute_name`. None when it is absent or not enabled
    (a note says why when it is written but not static or not enabled)."""
    if form == "resource":
        blocks = body.get("ttl")
        if not blocks:
            return None
        if not isinstance(blocks, list):
            notes.append(f"{address}: the ttl block is not static ({_written(blocks)}); Time to Live is taken as off")
            return None
        block = blocks[0]
        enabled, name, where = block.get("enabled", False), block.get("attribute_name"), "ttl"
    else:
        if "ttl_enabled" not in body and "ttl_attribute_name" not in body:
            return None
        enabled, name, where = body.get("ttl_enabled", False), body.get("ttl_attribute_name"), "ttl_enabled"
    if enabled is False or (isinstance(enabled, str) and values.text(enabled) == "false"):
        notes.append(f"{address}: Time to Live is not enabled ({where}); items never expire")
        return None
    if enabled is not True and not (isinstance(enabled, str) and values.text(enabled) == "true"):
        notes.append(f"{address}: {where} enabled is not static ({_written(enabled)}); Time to Live is taken as off")
        return None
    attribute = values.text(name)
    if attribute is None:
        notes.append(
            f"{address}: the Time to Live attribute_name is not static ({_written(name)}); Time to Live is taken as off"
        )
    return attribute
