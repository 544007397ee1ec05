"""CloudFormation and SAM templates (YAML or JSON, CDK's synthesized ones included) and
Serverless Framework files (`resources.Resources`).

YAML is read with a safe loader that knows CloudFormation's short-form tags (`!Ref`, `!Sub`,
`!GetAtt`, ...) and turns them into their long form (`{"Ref": ...}`); any other tag is an error.
`!Ref` to a parameter resolves to its Default; `!Sub` resolves when every variable has one.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from store_gate.boundedyaml import MAX_ALIAS_NODES, BoundedLoader, YamlLimit
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, api_shape, first_lines
from store_gate.schema.importers.limits import describe, quote, too_deep, too_long
from store_gate.schema.importers.shape import Checker, Fields, LineMap, Scalar, join, show
from store_gate.schema.table import IndexSchema, KeySchemaAttribute, TableSchema

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable")
_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
        )
    },
}


class _TemplateLoader(BoundedLoader):
    """The bounded SafeLoader (store_gate.boundedyaml) plus CloudFormation's short-form intrinsic
    functions, as data."""


def _intrinsic(loader: _TemplateLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    tag = "!" + suffix
    if tag not in _TAGS:
        mark = node.start_mark
        raise ImportProblem(
            f"unknown tag {tag} at line {mark.line + 1}, column {mark.column + 1} "
            "(CloudFormation's short forms are !Ref, !Sub, !GetAtt, !If, !Select, !Join, ...)",
            line=mark.line + 1,
        )
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag == "!GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    intrinsic = {_TAGS[tag]: value}
    loader.lines[id(intrinsic)] = {_TAGS[tag]: node.start_mark.line + 1}
    return intrinsic


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_yaml(text: str) -> tuple[Any, LineMap]:
    """The document and the lines of its entries; every problem, limits included, is an
    ImportProblem."""
    loader: _TemplateLoader | None = None
    try:
        loader = _TemplateLoader(text)  # the reader checks the characters here already
        return loader.get_single_data(), loader.lines
    except YamlLimit as exc:
        raise _limit_problem(exc) from None
    except yaml.reader.ReaderError as exc:
        at = text.count("\n", 0, exc.position) + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise ImportProblem(f"YAML: the character {character} at line {at} is not allowed", line=at) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        raise ImportProblem(f"YAML syntax: {exc.problem}{where}", line=line) from None
    except yaml.YAMLError as exc:
        raise ImportProblem(f"YAML: {exc}") from None
    except RecursionError:  # the composer stops at MAX_NESTING first; never an internal error
        raise too_deep(None) from None
    finally:
        if loader is not None:
            loader.dispose()


def _limit_problem(exc: YamlLimit) -> ImportProblem:
    line = exc.line
    if exc.kind == "nesting":
        return too_deep(line)  # type: ignore[return-value]
    if exc.kind == "number":
        return too_long(int(exc.detail), line)  # type: ignore[return-value]
    if exc.kind == "recursive-alias":
        return ImportProblem(
            f"the YAML alias {exc.detail} at line {line} is inside its own anchor (a recursive document); a template "
            "cannot be recursive",
            line=line,
        )
    if exc.kind == "alias":
        return ImportProblem(
            f"YAML aliases expand the document by more than {MAX_ALIAS_NODES} nodes (at line {line}); aliases are "
            "expanded only up to that bound",
            line=line,
        )
    return ImportProblem(f"{quote(exc.detail)} at line {line} is not a valid {exc.what}", line=line)


def is_intrinsic(value: Any) -> bool:
    """An intrinsic function in its long form (`{"Ref": ...}`, `{"Fn::Sub": ...}`): not static."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (name,) = value
    return isinstance(name, str) and (name in ("Ref", "Condition") or name.startswith("Fn::"))


_SIMPLE_TABLE = Fields(
    "a mapping of SimpleTable properties",
    optional={
        "PrimaryKey": Fields("a mapping with Name and Type", required={"Name": Scalar(), "Type": Scalar()}),
        "TableName": Scalar(),
    },
)
_RESOURCE = {  # what is read of each kind of table resource
    "AWS::DynamoDB::Table": Fields("a resource mapping", required={"Properties": api_shape.TABLE_WITH_INTRINSICS}),
    "AWS::DynamoDB::GlobalTable": Fields(
        "a resource mapping", required={"Properties": api_shape.TABLE_WITH_INTRINSICS}
    ),
    "AWS::Serverless::SimpleTable": Fields("a resource mapping", optional={"Properties": _SIMPLE_TABLE}),
}


_JSON_KEY = r'^[ \t]*"(?P<name>[^"\\\n]*)"[ \t]*:'


def candidates(document: Any, text: str, shown: str, lines: LineMap | None = None) -> list[Candidate]:
    """The tables of a template, each held to the shape the importer reads before it is listed."""
    if not isinstance(document, dict):
        return []
    checker = Checker(lines, dynamic=is_intrinsic)
    resources = document.get("Resources")
    path, kind = "Resources", "CloudFormation"
    if resources is None and isinstance(document.get("resources"), dict):  # Serverless Framework
        resources = document["resources"].get("Resources")
        path, kind = "resources.Resources", "Serverless Framework"
    if resources is None:
        return []
    if not isinstance(resources, dict):
        raise checker.wrong(
            path, "a mapping of logical ids to resources", resources, checker.line(document, "Resources", None)
        )
    declared = document.get("Parameters")
    parameters: dict[str, Any] = declared if isinstance(declared, dict) else {}
    resolve = _resolver(parameters)
    found = []
    json_lines: dict[str, int] | None = None  # JSON has no loader lines: keys found at line starts
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in TABLE_TYPES:
            continue
        at = join(path, logical_id)
        line = checker.line(resources, logical_id, None)
        if line is None and lines is None:
            json_lines = json_lines if json_lines is not None else first_lines(text, _JSON_KEY)
            line = json_lines.get(logical_id) if isinstance(logical_id, str) else None
        if not isinstance(logical_id, str):
            raise checker.problem(
                at, f"a logical id must be a string of letters and digits, not {describe(logical_id)}", line
            )
        type_of_resource = resource["Type"]
        checker.check(resource, _RESOURCE[type_of_resource], at, line)
        properties = resource.get("Properties") or {}
        name = resolve(properties["TableName"]) if "TableName" in properties else None
        found.append(
            Candidate(
                logical_id,
                name,
                line,
                _reader(logical_id, at, type_of_resource, properties, resolve, shown, kind, line),
            )
        )
    return found


def _reader(
    logical_id: str,
    at: str,
    kind_of_resource: str,
    properties: dict[str, Any],
    resolve: Any,
    shown: str,
    kind: str,
    line: int | None,
) -> Any:
    def read() -> ImportedTable:
        try:
            if kind_of_resource == "AWS::Serverless::SimpleTable":
                schema, notes = _simple_table(properties, join(at, "Properties"), resolve)
            else:
                schema, notes = api_shape.read(properties, join(at, "Properties"), resolve)
        except ImportProblem as problem:
            problem.line = problem.line or line
            raise
        return ImportedTable(schema, shown, logical_id, f"{kind} {kind_of_resource}", notes)

    return read


def _simple_table(properties: dict[str, Any], where: str, resolve: Any) -> tuple[TableSchema, list[str]]:
    """SAM's SimpleTable: one partition key (default `id` of type String), no indexes."""
    key = properties.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    name, kind = resolve(key["Name"]), resolve(key["Type"])
    types = {"String": "S", "Number": "N", "Binary": "B"}
    for field, value, resolved in (("Name", key["Name"], name), ("Type", key["Type"], kind)):
        if resolved is None:
            path = join(join(where, "PrimaryKey"), field)
            raise ImportProblem(f"{path}: not static ({show(value)}); it cannot be read without deploying", path)
    if kind not in types:
        path = join(join(where, "PrimaryKey"), "Type")
        raise ImportProblem(f"{path}: is {quote(str(kind))}, expected String, Number or Binary", path)
    table_name = resolve(properties["TableName"]) if "TableName" in properties else None
    return TableSchema(table_name, IndexSchema(None, "table", KeySchemaAttribute(name, types[kind]), None), {}), []  # type: ignore[arg-type]


def _resolver(parameters: dict[str, Any]) -> Any:
    def default(name: str) -> str | None:
        parameter = parameters.get(name)
        if isinstance(parameter, dict) and isinstance(parameter.get("Default"), (str, int, float)):
            return str(parameter["Default"])  # a scalar: a list or mapping is never turned into text
        return None

    def resolve(value: Any) -> str | None:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value)
            return None if "${" in text and re.search(r"\$\{(?!!)[^}]+\}", text) else text
        if isinstance(value, dict) and len(value) == 1:
            ((fn, argument),) = value.items()
            if fn == "Ref" and isinstance(argument, str):
                return default(argument)
            if fn == "Fn::Sub":
                template = argument[0] if isinstance(argument, list) and argument else argument
                if not isinstance(template, str):
                    return None
                values = {}
                for variable in re.findall(r"\$\{(?!!)([^}]+)\}", template):
                    resolved = default(variable)
                    if resolved is None:
                        return None
                    values[variable] = resolved
                return re.sub(r"\$\{(?!!)([^}]+)\}", lambda m: values[m.group(1)], template)
        return None

    return resolve
