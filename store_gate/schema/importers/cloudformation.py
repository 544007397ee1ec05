"""CloudFormation and SAM templates (YAML or JSON, CDK's synthesized ones included) and
Serverless Framework files (`resources.Resources`).

YAML is read with a safe loader that knows CloudFormation's short-form tags (`!Ref`, `!Sub`,
`!GetAtt`, ...) and turns them into their long form (`{"Ref": ...}`); any other tag is an error.
`!Ref` to a parameter resolves to its Default; `!Sub` resolves when every variable has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from typing import Any

import yaml

from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, api_shape, first_lines
from store_gate.schema.importers.limits import (
    MAX_ALIAS_NODES,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    describe,
    quote,
    too_deep,
    too_long,
)
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


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation's short-form intrinsic functions, as data - within bounds:
    collections nest at most MAX_NESTING deep (checked as each is composed, before the composer
    recurses into it), aliases add at most MAX_ALIAS_NODES nodes to the document all together (a
    "billion laughs" document is refused at the first alias past the bound, never expanded), an alias
    inside its own anchor is refused, and numbers are at most MAX_NUMBER_DIGITS long. The line of
    every mapping key and sequence item is kept (`lines`) for messages."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: LineMap = {}
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> how many nodes it stands for, aliases expanded
        self._aliased = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None:
                line = event.start_mark.line + 1
                size = self._sizes.get(id(target))
                if size is None:
                    raise ImportProblem(
                        f"the YAML alias *{event.anchor} at line {line} is inside its own anchor (a recursive "
                        "document); a template cannot be recursive",
                        line=line,
                    )
                self._aliased += size
                if self._aliased > MAX_ALIAS_NODES:
                    raise ImportProblem(
                        f"YAML aliases expand the document by more than {MAX_ALIAS_NODES} nodes (at line {line}); "
                        "aliases are expanded only up to that bound",
                        line=line,
                    )
            return super().compose_node(parent, index)
        collection = self.check_event(yaml.CollectionStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_NESTING:
                raise too_deep(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
        node = super().compose_node(parent, index)
        if collection:
            self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes[id(child)] for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._sizes[id(key)] + self._sizes[id(value)] for key, value in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return node

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Generator[list[Any], None, None]:
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))
        self.lines[id(data)] = {i: child.start_mark.line + 1 for i, child in enumerate(node.value)}

    def construct_yaml_map(self, node: yaml.MappingNode) -> Generator[dict[Any, Any], None, None]:
        data: dict[Any, Any] = {}
        yield data
        data.update(self.construct_mapping(node))
        # After construct_mapping: merge keys are flattened and every key is constructed (cached).
        self.lines[id(data)] = {self.construct_object(key): key.start_mark.line + 1 for key, _ in node.value}


def _number(kind: str, construct: Callable[[yaml.SafeLoader, yaml.ScalarNode], Any]) -> Any:
    def bounded(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        line = node.start_mark.line + 1
        if len(node.value) > MAX_NUMBER_DIGITS:
            raise too_long(len(node.value), line)
        try:
            return construct(loader, node)
        except (ValueError, OverflowError):
            raise ImportProblem(f"{quote(node.value)} at line {line} is not a valid {kind}", line=line) from None

    return bounded


_TemplateLoader.add_constructor("tag:yaml.org,2002:int", _number("integer", yaml.SafeLoader.construct_yaml_int))
_TemplateLoader.add_constructor("tag:yaml.org,2002:float", _number("number", yaml.SafeLoader.construct_yaml_float))
_TemplateLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _number("date", yaml.SafeLoader.construct_yaml_timestamp)
)
_TemplateLoader.add_constructor("tag:yaml.org,2002:seq", _TemplateLoader.construct_yaml_seq)
_TemplateLoader.add_constructor("tag:yaml.org,2002:map", _TemplateLoader.construct_yaml_map)


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
