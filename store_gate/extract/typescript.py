"""TypeScript: governed `interface`s and `abstract class`es, read through ast-grep-py.

Every `interface DialogueStore` block in the program is the same store (declaration merging):
each block's methods are governed, so a second block cannot escape the gate.
"""

from __future__ import annotations

import re
from typing import Any

from ast_grep_py import SgRoot

from store_gate.extract.inline import access_declarations
from store_gate.extract.model import (
    FileExtraction,
    Heritage,
    InlineDeclaration,
    Method,
    Parameter,
    SourceLocation,
    SourceProblem,
    TraitDefinition,
    TypeDefinition,
)
from store_gate.extract.sgnodes import first_syntax_problem, named_children

_STORE_KINDS = ("interface_declaration", "abstract_class_declaration", "class_declaration")
_METHOD_KINDS = ("method_signature", "abstract_method_signature", "method_definition")
_FIELD_KINDS = ("property_signature", "public_field_definition")
_OPAQUE_KINDS = {
    "call_signature": "a call signature",
    "construct_signature": "a construct signature",
    "index_signature": "an index signature (any key may be a method)",
}
_COLLECTION = re.compile(
    r"\[\]|\b(?:Array|ReadonlyArray|Set|ReadonlySet|Map|ReadonlyMap|Iterable|Iterator|AsyncIterable"
    r"|AsyncIterator|Generator|AsyncGenerator)\s*<"
)


def type_definitions(
    path: str, text: str, names: frozenset[str], language: str = "typescript"
) -> dict[str, TypeDefinition]:
    """Named types among `names` defined in the file: function types and collections."""
    return {}


def extract(path: str, text: str, wanted: frozenset[str], language: str = "typescript") -> FileExtraction:
    result = FileExtraction(path)
    root = SgRoot(text, language).root()
    result.tree = (language, root)
    for kind in _STORE_KINDS:
        for node in root.find_all(kind=kind):
            name = node.field("name")
            if name is not None and name.text() in wanted:
                trait, problems = _store(path, node, name.text())
                result.traits.append(trait)
                result.problems.extend(problems)
    result.syntax = first_syntax_problem(root, path)
    return result


def _location(path: str, node: Any) -> SourceLocation:
    start = node.range().start
    return SourceLocation(path, start.line + 1, start.column + 1)


def _supertraits(path: str, node: Any) -> list[Heritage]:
    names: list[Heritage] = []
    clauses = [c for c in named_children(node) if c.kind() in ("extends_type_clause", "class_heritage")]
    for clause in clauses:
        parts = (
            named_children(clause)
            if clause.kind() == "extends_type_clause"
            else [t for c in named_children(clause) for t in named_children(c)]
        )
        for written in parts:
            part = written
            if part.kind() == "generic_type":
                part = part.field("name") or named_children(part)[0]
            if part.kind() in ("type_identifier", "identifier"):
                names.append(Heritage(str(part.text()), str(written.text()), _location(path, written)))
            elif part.kind() in ("nested_type_identifier", "member_expression"):
                name = str(part.text()).rsplit(".", 1)[-1]
                names.append(Heritage(name, str(written.text()), _location(path, written)))
    return names


def _store(path: str, node: Any, name: str) -> tuple[TraitDefinition, list[SourceProblem]]:
    body = node.field("body")
    methods: list[Method] = []
    problems: list[SourceProblem] = []
    pending_doc: Any = None
    for member in named_children(body) if body is not None else ():
        kind = member.kind()
        if kind == "comment":
            pending_doc = member if member.text().startswith("/**") else pending_doc
            continue
        doc, pending_doc = pending_doc, None
        if kind in _OPAQUE_KINDS:
            problems.append(
                SourceProblem(
                    "SG003",
                    _location(path, member),
                    f"{name} has {_OPAQUE_KINDS[kind]}, which the gate cannot analyse",
                    name,
                )
            )
            continue
        if kind in _METHOD_KINDS:
            if _private(member) or _member_name(member) == "constructor":
                continue
            parameters, returns = member.field("parameters"), member.field("return_type")
        elif kind in _FIELD_KINDS:
            function = _function_type(member)
            if function is None or _private(member):
                continue  # a data member, not a method
            parameters, returns = function.field("parameters"), function.field("return_type")
        else:
            continue
        methods.append(_method(path, name, member, parameters, returns, doc))
    return TraitDefinition(
        name, _location(path, node.field("name")), tuple(_supertraits(path, node)), tuple(methods)
    ), problems


def _member_name(member: Any) -> str:
    name = member.field("name")
    return str(name.text()) if name is not None else ""


def _private(member: Any) -> bool:
    modifiers = [c.text() for c in named_children(member) if c.kind() == "accessibility_modifier"]
    return "private" in modifiers or _member_name(member).startswith("#")


def _function_type(member: Any) -> Any:
    annotation = member.field("type")
    if annotation is None:
        return None
    for child in named_children(annotation):
        if child.kind() == "function_type":
            return child
    return None


def _type_text(annotation: Any) -> str:
    if annotation is None:
        return ""
    text = str(annotation.text()).strip()
    return text[1:].strip() if text.startswith(":") else text


def _method(path: str, trait: str, member: Any, parameters: Any, returns: Any, doc: Any) -> Method:
    name_node = member.field("name")
    params: list[Parameter] = []
    for param in named_children(parameters) if parameters is not None else ():
        if param.kind() not in ("required_parameter", "optional_parameter"):
            continue
        pattern = param.field("pattern")
        pattern_kind = pattern.kind() if pattern is not None else ""
        type_text = _type_text(param.field("type"))
        if pattern_kind == "this":
            continue  # a `this` parameter types the receiver
        if pattern_kind == "identifier":
            params.append(Parameter(str(pattern.text()), type_text, True))
        else:  # rest, object and array patterns bind no single name
            params.append(Parameter(None, type_text, False))
    return_type = _type_text(returns) or None
    body = member.field("body")
    signature = str(member.text())
    if body is not None:
        signature = signature[: body.range().start.index - member.range().start.index]
    return Method(
        trait=trait,
        name=_member_name(member).removesuffix("?"),
        location=_location(path, name_node),
        parameters=tuple(params),
        return_type=return_type,
        returns_collection=bool(return_type and _COLLECTION.search(return_type)),
        inline=tuple(_inline(path, doc)),
        signature=" ".join(signature.rstrip().rstrip(";,").split()),
    )


def _inline(path: str, doc: Any) -> list[InlineDeclaration]:
    if doc is None:
        return []
    start = _location(path, doc)
    text = str(doc.text()).replace("\r", "").removeprefix("/**").removesuffix("*/")
    doc_lines = []
    for offset, line in enumerate(text.split("\n")):
        stripped = line.strip().removeprefix("*")
        at = line.find("@access")
        column = (at + 1 if offset else start.column + 3 + at) if at >= 0 else 1
        doc_lines.append((SourceLocation(path, start.line + offset, column), stripped))
    return access_declarations(doc_lines)
