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

from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, api_shape, line_of
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


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation's short-form intrinsic functions, as data."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
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
    return {_TAGS[tag]: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_TemplateLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        raise ImportProblem(f"YAML syntax: {exc.problem}{where}", line=line) from None
    except yaml.YAMLError as exc:
        raise ImportProblem(f"YAML: {exc}") from None


def candidates(document: Any, text: str, shown: str) -> list[Candidate]:
    if not isinstance(document, dict):
        return []
    resources = document.get("Resources")
    kind = "CloudFormation"
    if resources is None and isinstance(document.get("resources"), dict):  # Serverless Framework
        resources = document["resources"].get("Resources")
        kind = "Serverless Framework"
    if not isinstance(resources, dict):
        return []
    declared = document.get("Parameters")
    parameters: dict[str, Any] = declared if isinstance(declared, dict) else {}
    resolve = _resolver(parameters)
    found = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in TABLE_TYPES:
            continue
        properties = resource.get("Properties") or {}
        if not isinstance(properties, dict):
            raise ImportProblem(f"{logical_id}.Properties is not a mapping", f"Resources.{logical_id}")
        line = line_of(text, rf'^\s*"?{re.escape(logical_id)}"?\s*:')
        name = resolve(properties["TableName"]) if "TableName" in properties else None
        found.append(
            Candidate(
                logical_id, name, line, _reader(logical_id, resource["Type"], properties, resolve, shown, kind, line)
            )
        )
    return found


def _reader(
    logical_id: str,
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
                schema, notes = _simple_table(properties, resolve)
            else:
                schema, notes = api_shape.read(properties, f"Resources.{logical_id}.Properties", resolve)
        except ImportProblem as problem:
            problem.line = problem.line or line
            raise
        return ImportedTable(schema, shown, logical_id, f"{kind} {kind_of_resource}", notes)

    return read


def _simple_table(properties: dict[str, Any], resolve: Any) -> tuple[TableSchema, list[str]]:
    """SAM's SimpleTable: one partition key (default `id` of type String), no indexes."""
    key = properties.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    name, kind = resolve(key.get("Name")), resolve(key.get("Type"))
    types = {"String": "S", "Number": "N", "Binary": "B"}
    if name is None or kind not in types:
        raise ImportProblem("PrimaryKey is not static", "PrimaryKey")
    table_name = resolve(properties["TableName"]) if "TableName" in properties else None
    return TableSchema(table_name, IndexSchema(None, "table", KeySchemaAttribute(name, types[kind]), None), {}), []  # type: ignore[arg-type]


def _resolver(parameters: dict[str, Any]) -> Any:
    def default(name: str) -> str | None:
        parameter = parameters.get(name)
        if isinstance(parameter, dict) and "Default" in parameter:
            return str(parameter["Default"])
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
