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

from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, line_of
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema

_REFERENCE = re.compile(r"^\$\{(var|local)\.([A-Za-z0-9_-]+)\}$")


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _parse(text: str) -> dict[str, Any]:
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        document: dict[str, Any] = hcl2.loads(text)
    except UnexpectedInput as exc:
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        raise ImportProblem(f"HCL syntax error at line {line}, column {column}", line=line) from None
    except (LarkError, ValueError) as exc:
        raise ImportProblem(f"HCL: {str(exc).splitlines()[0]}") from None
    return document


class _Values:
    """Literal values of the file: strings, numbers, and var/local references with defaults."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.defaults: dict[tuple[str, str], Any] = {}
        for block in document.get("variable", []):
            for name, body in block.items():
                if isinstance(body, dict) and "default" in body:
                    self.defaults[("var", _unquote(name))] = body["default"]
        for block in document.get("locals", []):
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
    values = _Values(document)
    found: list[Candidate] = []
    for block in document.get("resource", []):
        for kind, resources in block.items():
            if _unquote(kind) != "aws_dynamodb_table":
                continue
            for label, body in resources.items():
                name = _unquote(label)
                pattern = r'resource\s+"?aws_dynamodb_table"?\s+"?' + re.escape(name)
                found.append(_candidate(f"aws_dynamodb_table.{name}", body, values, text, pattern, shown, "resource"))
    for block in document.get("module", []):
        for label, body in block.items():
            if isinstance(body, dict) and "hash_key" in body and ("attributes" in body or "attribute" in body):
                name = _unquote(label)
                pattern = r'module\s+"?' + re.escape(name)
                found.append(_candidate(f"module.{name}", body, values, text, pattern, shown, "module"))
    return found


def _candidate(
    address: str, body: dict[str, Any], values: _Values, text: str, pattern: str, shown: str, form: str
) -> Candidate:
    line = line_of(text, pattern)
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


def _table(address: str, body: dict[str, Any], values: _Values, form: str) -> tuple[TableSchema, list[str]]:
    notes: list[str] = []
    if form == "resource":
        attributes = body.get("attribute", [])
        gsis, lsis = body.get("global_secondary_index", []), body.get("local_secondary_index", [])
    else:
        attributes = body.get("attributes", [])
        gsis, lsis = body.get("global_secondary_indexes", []), body.get("local_secondary_indexes", [])
    dynamic = {_unquote(name) for block in body.get("dynamic", []) for name in block}
    hash_key = values.text(body.get("hash_key"))
    if hash_key is None or not isinstance(attributes, list) or (not attributes and "attribute" in dynamic):
        reasons = []
        if hash_key is None:
            reasons.append(f"hash_key is {body.get('hash_key')}")
        if "attribute" in dynamic or not isinstance(attributes, list):
            reasons.append("the attribute blocks come from a dynamic block over variables")
        raise ImportProblem(
            f"{address}: nothing is static ({'; '.join(reasons)}); the table cannot be read without a plan - "
            "declare [table] in the manifest instead",
            address,
        )
    types: dict[str, str] = {}
    for attribute in attributes:
        name, kind = values.text(attribute.get("name")), values.text(attribute.get("type"))
        if name is None or kind not in ("S", "N", "B"):
            raise ImportProblem(f"{address}: an attribute block is not static: {attribute!r}", address)
        types[name] = kind

    def key(name: str | None, what: str) -> KeySchemaAttribute:
        if name is None:
            raise ImportProblem(f"{address}: {what} is not static", address)
        if name not in types:
            raise ImportProblem(f'{address}: {what} "{name}" has no attribute block declaring its type', address)
        return KeySchemaAttribute(name, types[name])  # type: ignore[arg-type]

    partition = key(hash_key, "hash_key")
    sort = key(values.text(body.get("range_key")), "range_key") if body.get("range_key") is not None else None
    indexes: dict[str, IndexSchema] = {}
    for kind, blocks in (("gsi", gsis), ("lsi", lsis)):
        if not isinstance(blocks, list):
            raise ImportProblem(f"{address}: the {kind.upper()}s are not static", address)
        for block in blocks:
            name = values.text(block.get("name"))
            if name is None:
                raise ImportProblem(f"{address}: an index name is not static", address)
            index_pk = (
                partition if kind == "lsi" else key(values.text(block.get("hash_key")), f'index "{name}" hash_key')
            )
            index_sk = (
                key(values.text(block.get("range_key")), f'index "{name}" range_key')
                if block.get("range_key") is not None
                else None
            )
            projection_type = values.text(block.get("projection_type"))
            if projection_type is None:
                notes.append(
                    f'{address}: index "{name}" has no projection_type, which the AWS provider requires; '
                    "its projection is unknown"
                )
                projection = Projection("UNSPECIFIED")
            elif projection_type == "INCLUDE":
                include = [values.text(v) for v in block.get("non_key_attributes", [])]
                projection = Projection("INCLUDE", tuple(v for v in include if v is not None))
            else:
                projection = Projection(projection_type)  # type: ignore[arg-type]
            indexes[name] = IndexSchema(name, kind, index_pk, index_sk, projection)  # type: ignore[arg-type]
    for name in sorted(dynamic & {"global_secondary_index", "local_secondary_index"}):
        notes.append(f"{address}: {name} blocks also come from a dynamic block over variables; those are not read")
    table_name = values.text(body.get("name"))
    if body.get("name") is not None and table_name is None:
        notes.append(f"{address}: name is not static ({body.get('name')}); the table is known by its address")
    return TableSchema(table_name, IndexSchema(None, "table", partition, sort), indexes), notes
