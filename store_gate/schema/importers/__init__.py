"""Read the table from where it really lives: CloudFormation/SAM, Serverless Framework,
Terraform, describe-table / create_table JSON, NoSQL Workbench models, AWS CDK source
(TypeScript, Python) and pynamodb models.

Nothing in a template is executed or fetched: YAML is loaded safely (intrinsic tags become
plain data), HCL is parsed, module sources are never downloaded, CDK and pynamodb source is
parsed (ast-grep, Python's `ast`) and never imported or run. Values that are not static (a
`!Ref` to a parameter without a default, a Terraform variable) are resolved from defaults where
the file has them; the rest are reported plainly, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store_gate.display import one_line
from store_gate.keytemplate import KeyTemplate
from store_gate.schema.importers import limits
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema


class ImportProblem(Exception):
    """The file cannot give a table: a one-line reason, with the key and line when known."""

    def __init__(self, message: str, key: str = "", line: int | None = None) -> None:
        message = one_line(message)  # whatever the file put in a name: one line, capped
        super().__init__(message)
        self.message = message
        self.key = key
        self.line = line


class Incomplete(str):
    """An import note that matters to the gate: the definition lacks something DynamoDB or its
    deployment tool requires (a Terraform index without projection_type). `check` reports it
    (SG307); the other notes (a name that is not static) only `store-gate table` shows."""


@dataclass
class ImportedTable:
    schema: TableSchema
    source: str  # the file, as shown
    resource: str  # which definition in the file: a logical id, a resource address, a table name
    kind: str  # "CloudFormation", "Terraform", ...
    notes: list[str] = field(default_factory=list)  # what could not be resolved, said plainly
    entities: dict[str, dict[str, KeyTemplate]] = field(default_factory=dict)  # NoSQL Workbench facets
    # Can the file say whether Time to Live is on? describe-table output and Workbench models
    # cannot: there the manifest's `ttl` says it, and is no drift.
    ttl_known: bool = True


def imported_to_json(imported: ImportedTable) -> dict[str, Any]:
    """What an earlier run imported, as JSON (store_gate.config.cache keeps it by the file's bytes)."""

    def attribute(a: KeySchemaAttribute | None) -> list[str] | None:
        return None if a is None else [a.name, a.type]

    def index(i: IndexSchema) -> dict[str, Any]:
        return {
            "name": i.name,
            "kind": i.kind,
            "pk": attribute(i.partition_key),
            "sk": attribute(i.sort_key),
            "projection": [i.projection.kind, list(i.projection.include)],
            "more_pk": [attribute(a) for a in i.more_partition_keys],
            "more_sk": [attribute(a) for a in i.more_sort_keys],
        }

    schema = imported.schema
    return {
        "schema": {
            "name": schema.name,
            "base": index(schema.base),
            "indexes": [[name, index(i)] for name, i in schema.indexes.items()],
            "ttl": schema.ttl_attribute,
        },
        "source": imported.source,
        "resource": imported.resource,
        "kind": imported.kind,
        "notes": [[str(note), isinstance(note, Incomplete)] for note in imported.notes],
        "entities": {e: {a: t.source for a, t in layout.items()} for e, layout in imported.entities.items()},
        "ttl_known": imported.ttl_known,
    }


def imported_from_json(data: Any) -> ImportedTable:
    """The inverse of imported_to_json; raises (KeyError, TypeError, ValueError) on anything else."""

    def attribute(value: Any) -> KeySchemaAttribute:
        name, kind = value
        return KeySchemaAttribute(str(name), kind)

    def index(value: Any) -> IndexSchema:
        kind, include = value["projection"]
        return IndexSchema(
            value["name"],
            value["kind"],
            attribute(value["pk"]),
            None if value["sk"] is None else attribute(value["sk"]),
            Projection(kind, tuple(include)),
            tuple(attribute(a) for a in value["more_pk"]),
            tuple(attribute(a) for a in value["more_sk"]),
        )

    schema = data["schema"]
    return ImportedTable(
        TableSchema(
            schema["name"], index(schema["base"]), {name: index(i) for name, i in schema["indexes"]}, schema["ttl"]
        ),
        data["source"],
        data["resource"],
        data["kind"],
        [Incomplete(text) if incomplete else str(text) for text, incomplete in data["notes"]],
        {e: {a: KeyTemplate.parse(t) for a, t in layout.items()} for e, layout in data["entities"].items()},
        bool(data["ttl_known"]),
    )


@dataclass
class Candidate:
    """One table a file defines, before it is chosen and read."""

    resource: str
    name: str | None
    line: int | None
    read: Any  # () -> ImportedTable


def line_of(text: str, pattern: str) -> int | None:
    """The 1-based line where `pattern` first matches (a resource's definition), for messages."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def first_lines(text: str, pattern: str) -> dict[str, int]:
    """The 1-based line of the first match of `pattern` for each value of its group `name`: the
    lines of many definitions in one pass over the text (a search per definition is quadratic)."""
    lines: dict[str, int] = {}
    line = 1
    position = 0
    for match in re.finditer(pattern, text, re.MULTILINE):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.setdefault(match.group("name"), line)
    return lines


def import_table(path: Path, shown: str, resource: str | None = None, name: str | None = None) -> ImportedTable:
    """The one table of `path` (or the one `resource` / `name` selects). Only a regular file of
    at most `limits.MAX_FILE_BYTES` is read (a FIFO or a device is never opened for reading)."""
    return import_bytes(limits.read_file(path), path.name, shown, resource, name)


def import_bytes(
    raw: bytes, file_name: str, shown: str, resource: str | None = None, name: str | None = None
) -> ImportedTable:
    """As `import_table`, from the file's bytes (the `--base` commit's version, read from git)."""
    path = Path(file_name)
    if len(raw) > limits.MAX_FILE_BYTES:
        raise limits.too_large(len(raw))
    limit, files = _SIZE_LIMITS.get(path.suffix.lower(), (limits.MAX_FILE_BYTES, ""))
    if len(raw) > limit:
        raise limits.too_large(len(raw), limit, files)
    try:
        if path.suffix.lower() == ".py":  # a Python model is read as CPython reads it: its coding cookie decides
            from store_gate.sources import NotText, decode_source

            try:
                text = decode_source(raw, file_name)
            except NotText as exc:
                raise ImportProblem(exc.reason, line=exc.line) from None
        else:
            text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"not valid {exc.encoding.upper()} (byte {exc.start})") from None
    candidates = _candidates(path, shown, text)
    if not candidates:
        raise ImportProblem(
            "defines no DynamoDB table (looked for AWS::DynamoDB::Table, AWS::DynamoDB::GlobalTable, "
            "AWS::Serverless::SimpleTable, aws_dynamodb_table, a dynamodb-table module, describe-table / "
            "create_table JSON, NoSQL Workbench models, AWS CDK Table / TableV2 constructs and pynamodb models)"
        )
    chosen = _choose(candidates, resource, name)
    imported: ImportedTable = chosen.read()
    return imported


_SIZE_LIMITS = {
    **dict.fromkeys((".yaml", ".yml", ".template"), (limits.MAX_YAML_BYTES, "YAML files")),
    ".tf": (limits.MAX_HCL_BYTES, "Terraform files"),
    **dict.fromkeys((".ts", ".py"), (limits.MAX_SOURCE_BYTES, "source files")),
}


def _candidates(path: Path, shown: str, text: str) -> list[Candidate]:
    suffix = path.suffix.lower()
    if suffix == ".tf":
        from store_gate.schema.importers import terraform

        return terraform.candidates(text, shown)
    if suffix in (".yaml", ".yml", ".template"):
        from store_gate.schema.importers import cloudformation

        document, lines = cloudformation.load_yaml(text)
        return cloudformation.candidates(document, text, shown, lines)
    if suffix == ".json":
        return _json_candidates(_load_json(text), text, shown)
    if suffix in (".ts", ".py"):
        return _source_candidates(suffix, text, shown)
    raise ImportProblem(
        f"unknown kind of file {path.name!r}: expected .yaml, .yml, .json, .tf, .ts (AWS CDK) "
        "or .py (AWS CDK, pynamodb)"
    )


def _source_candidates(suffix: str, text: str, shown: str) -> list[Candidate]:
    """CDK source (.ts, .py) and pynamodb models (.py), each recognised by what the file imports:
    never by its name, never by running it."""
    from store_gate.schema.importers import cdk, pynamodb

    found: list[Candidate] = []
    recognised = False
    cdk_problem: ImportProblem | None = None
    try:
        tables = cdk.candidates(text, shown, cdk.LANGUAGES[suffix])
    except cdk.NoTable as problem:  # imports the module, constructs no table: pynamodb may still read it
        recognised, cdk_problem, tables = True, problem, None
    if tables is not None:
        recognised = True
        found += tables
    if suffix == ".py":
        models = pynamodb.candidates(text, shown)
        if models is not None:
            recognised = True
            found += models
    if found:
        return found
    if cdk_problem is not None:
        raise cdk_problem
    if not recognised:
        expected = (
            "a .py file is read as AWS CDK source when it imports aws_cdk.aws_dynamodb (or aws_dynamodb from "
            "aws_cdk), as pynamodb models when it imports pynamodb"
            if suffix == ".py"
            else "a .ts file is read as AWS CDK source when it imports aws-cdk-lib/aws-dynamodb (or aws_dynamodb "
            "from aws-cdk-lib)"
        )
        raise ImportProblem(f"{expected}; this one imports neither, so it defines no table the gate can read")
    return found


def _load_json(text: str) -> Any:
    """JSON, within the limits: nesting measured before parsing, numbers bounded before `int`."""
    limits.check_json(text)
    try:
        return json.loads(text, parse_int=limits.json_int, parse_float=limits.json_float)
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            f"JSON syntax: {exc.msg} (line {exc.lineno}, column {exc.colno})", line=exc.lineno
        ) from None
    except limits.NumberTooLong as exc:
        raise limits.too_long(exc.length, limits.line_of_literal(text, exc.literal)) from None
    except RecursionError:  # below MAX_NESTING on any sane stack; never an internal error
        raise limits.too_deep(None) from None


def _json_candidates(document: Any, text: str, shown: str) -> list[Candidate]:
    from store_gate.schema.importers import api_shape, cloudformation, workbench

    if isinstance(document, dict):
        if "Resources" in document or "AWSTemplateFormatVersion" in document:
            return cloudformation.candidates(document, text, shown)
        if "DataModel" in document:
            return workbench.candidates(document, shown)
        for wrapper in ("Table", "TableDescription"):  # describe-table, create-table output
            if wrapper in document:
                return api_shape.json_candidates(document[wrapper], shown, f"describe-table {wrapper}", wrapper)
        if "KeySchema" in document:  # boto3 create_table / create-table --cli-input-json
            return api_shape.json_candidates(document, shown, "create_table parameters", "")
    return []


def _listing(candidates: list[Candidate], most: int = 10) -> str:
    """The tables a file defines, for a message: names capped, at most `most` of them."""

    def capped(text: str) -> str:
        return text if len(text) <= limits.MAX_QUOTE else text[: limits.MAX_QUOTE - 3] + "..."

    def one(c: Candidate) -> str:
        return capped(c.resource) + (f" ({capped(c.name)})" if c.name and c.name != c.resource else "")

    listing = ", ".join(one(c) for c in candidates[:most])
    return listing + (f", and {len(candidates) - most} more" if len(candidates) > most else "")


def _choose(candidates: list[Candidate], resource: str | None, name: str | None) -> Candidate:
    listing = _listing(candidates)
    if resource is not None:
        found = [c for c in candidates if resource in (c.resource, c.resource.split(".")[-1])]
        if not found:
            raise ImportProblem(f'no table with resource = "{resource}" (the file defines: {listing})', "resource")
        return found[0]
    if name is not None:
        found = [c for c in candidates if c.name == name]
        if len(found) == 1:
            return found[0]
        if len(candidates) == 1 and candidates[0].name is None:
            return candidates[0]  # the name cannot be read statically; the one table is it
        if not found and all(c.name is None for c in candidates):
            raise ImportProblem(
                f'no table named "{name}": none of the file\'s tables has a static name ({listing}); choose one by its '
                'definition with resource = "..." (--resource)',
                "name",
            )
        if not found:
            raise ImportProblem(f'no table named "{name}" (the file defines: {listing})', "name")
    if len(candidates) > 1:
        unreadable = []
        for candidate in candidates:
            try:
                candidate.read()
            except ImportProblem as problem:
                unreadable.append(problem.message)
        if len(unreadable) == len(candidates):
            raise ImportProblem(
                f"defines {len(candidates)} tables and none can be read statically ({listing}): {unreadable[0]}",
                "from",
            )
        if all(c.name is None for c in candidates):
            raise ImportProblem(
                f"defines {len(candidates)} tables and none has a static name ({listing}); choose one by its "
                'definition with resource = "..." (--resource)',
                "from",
            )
        raise ImportProblem(
            f'defines {len(candidates)} tables ({listing}); choose one with resource = "..." or name = "..."', "from"
        )
    return candidates[0]
