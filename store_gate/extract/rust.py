"""Rust: governed `trait` items, read through ast-grep-py by node kind and grammar field.

Patterns such as `fn $N($$$P) -> $R;` miss async, generic, where-clause and unit methods, so
every trait body is walked item by item instead (see PARSING-NOTES.md).
"""

from __future__ import annotations

import re
from typing import Any

from ast_grep_py import SgRoot

from store_gate.extract.inline import access_declarations
from store_gate.extract.model import (
    FileExtraction,
    Heritage,
    Method,
    Parameter,
    SourceLocation,
    SourceProblem,
    TraitDefinition,
    TypeDefinition,
)
from store_gate.extract.sgnodes import first_syntax_problem, named_children

_METHOD_KINDS = ("function_signature_item", "function_item")
_DOC_KINDS = ("line_comment", "block_comment", "attribute_item")
_SKIPPED_KINDS = ("associated_type", "const_item", "empty_statement")
_COLLECTION = re.compile(
    r"\b(?:Vec|VecDeque|LinkedList|HashMap|HashSet|BTreeMap|BTreeSet|IndexMap|IndexSet|SmallVec"
    r"|Iterator|IntoIterator|Stream|BoxStream|LocalBoxStream)\b|\[[^;\]]*\]"
)
# Supertraits that cannot be the store's own: std's marker and prelude traits.
_STD_TRAITS = frozenset(
    {
        "Send",
        "Sync",
        "Sized",
        "Unpin",
        "Debug",
        "Display",
        "Clone",
        "Copy",
        "Default",
        "Any",
        "PartialEq",
        "Eq",
        "PartialOrd",
        "Ord",
        "Hash",
        "Drop",
        "Fn",
        "FnMut",
        "FnOnce",
    }
)
_STD_CRATES = ("std::", "core::", "alloc::", "::std::", "::core::")
_DOC_ATTRIBUTE = re.compile(r'#\[\s*doc\s*=\s*"((?:[^"\\]|\\.)*)"\s*\]\Z', re.DOTALL)


def extract(path: str, text: str, wanted: frozenset[str], language: str = "rust") -> FileExtraction:
    """The traits named in `wanted` defined in one Rust file, and what blocks reading them."""
    result = FileExtraction(path)
    root = SgRoot(text, "rust").root()
    result.tree = ("rust", root)
    for node in root.find_all(kind="trait_item"):
        name_node = node.field("name")
        if name_node is None or _unraw(name_node.text()) not in wanted:
            continue
        trait, opaque = _trait(path, node, _unraw(name_node.text()))
        result.traits.append(trait)
        result.problems.extend(opaque)
    result.syntax = first_syntax_problem(root, path)
    return result


def type_definitions(path: str, text: str, names: frozenset[str], language: str = "rust") -> dict[str, TypeDefinition]:
    """Type aliases among `names` defined in the file (`type Items = Vec<Item>;`)."""
    return {}


def _unraw(name: str) -> str:
    return name.removeprefix("r#")


def _location(path: str, node: Any) -> SourceLocation:
    start = node.range().start
    return SourceLocation(path, start.line + 1, start.column + 1)


def _trait(path: str, node: Any, name: str) -> tuple[TraitDefinition, list[SourceProblem]]:
    """The trait, and the members of its body that the gate cannot analyse (SG003)."""
    supertraits: list[Heritage] = []
    bounds = node.field("bounds")
    if bounds is not None:
        for bound in named_children(bounds):
            heritage = _heritage(path, bound)
            if heritage is not None:
                supertraits.append(heritage)
    methods: list[Method] = []
    opaque: list[SourceProblem] = []
    body = node.field("body")
    pending: list[Any] = []
    for item in named_children(body) if body is not None else ():
        kind = item.kind()
        if kind in _DOC_KINDS:
            if not _is_inner_doc(item):
                pending.append(item)
            continue
        if kind in _METHOD_KINDS:
            methods.append(_method(path, name, item, pending))
        elif kind == "macro_invocation":
            macro = item.field("macro")
            macro_name = macro.text() if macro is not None else item.text().split("!")[0]
            opaque.append(
                SourceProblem(
                    "SG003",
                    _location(path, item),
                    f"{name} contains the macro invocation {macro_name}!(...), whose methods the gate "
                    "cannot see; write the methods out in the trait",
                    name,
                )
            )
        elif kind not in _SKIPPED_KINDS and kind != "ERROR":  # ERROR is reported as SG002
            opaque.append(
                SourceProblem(
                    "SG003",
                    _location(path, item),
                    f"{name} contains a {kind.replace('_', ' ')} the gate cannot analyse",
                    name,
                )
            )
        pending = []
    trait = TraitDefinition(name, _location(path, node.field("name")), tuple(supertraits), tuple(methods))
    return trait, opaque


def _heritage(path: str, bound: Any, written: Any = None) -> Heritage | None:
    """A supertrait bound as written; None for what cannot be a trait (lifetimes, `?Sized`)."""
    kind = bound.kind()
    written = written if written is not None else bound
    if kind == "type_identifier":
        name = _unraw(str(bound.text()))
        return Heritage(name, str(written.text()), _location(path, written), standard=name in _STD_TRAITS)
    if kind == "scoped_type_identifier":
        name_node = bound.field("name")
        if name_node is None:
            return None
        standard = str(bound.text()).startswith(_STD_CRATES)
        return Heritage(_unraw(str(name_node.text())), str(written.text()), _location(path, written), standard)
    if kind == "generic_type":
        inner = bound.field("type")
        return _heritage(path, inner, written) if inner is not None else None
    return None  # lifetimes, ?Sized, for<'a> bounds: not traits defined by the store


def _is_inner_doc(node: Any) -> bool:
    text = node.text()
    return bool(node.kind() != "attribute_item" and (text.startswith("//!") or text.startswith("/*!")))


def _method(path: str, trait: str, item: Any, preceding: list[Any]) -> Method:
    name_node = item.field("name")
    parameters: list[Parameter] = []
    params = item.field("parameters")
    for param in named_children(params) if params is not None else ():
        if param.kind() != "parameter":
            continue  # self_parameter, attribute_item, variadic
        pattern = param.field("pattern")
        type_node = param.field("type")
        type_text = type_node.text() if type_node is not None else ""
        pattern_kind = pattern.kind() if pattern is not None else ""
        if pattern_kind == "self":
            continue  # `self: Box<Self>` is the receiver
        if pattern_kind == "identifier":
            parameters.append(Parameter(_unraw(pattern.text()), type_text, True))
        elif pattern_kind == "ref_pattern" and pattern.find(kind="identifier") is not None:
            parameters.append(Parameter(_unraw(pattern.find(kind="identifier").text()), type_text, True))
        else:
            parameters.append(Parameter(None, type_text, False))
    return_node = item.field("return_type")
    return_type = return_node.text() if return_node is not None else None
    doc_lines, attributes = _docs(path, preceding)
    text = item.text()
    body = item.field("body")
    if body is not None:
        text = text[: body.range().start.index - item.range().start.index]
    return Method(
        trait=trait,
        name=_unraw(name_node.text()),
        location=_location(path, name_node),
        parameters=tuple(parameters),
        return_type=return_type,
        returns_collection=bool(return_type and _COLLECTION.search(return_type)),
        inline=tuple(access_declarations(doc_lines)),
        attributes=tuple(attributes),
        signature=" ".join(text.rstrip().rstrip(";").split()),
    )


def _docs(path: str, nodes: list[Any]) -> tuple[list[tuple[SourceLocation, str]], list[str]]:
    """Doc text line by line with where each line starts, and the non-doc attributes."""
    lines: list[tuple[SourceLocation, str]] = []
    attributes: list[str] = []
    for node in nodes:
        text = node.text().replace("\r", "")
        loc = _location(path, node)
        if node.kind() == "attribute_item":
            doc = _DOC_ATTRIBUTE.match(text)
            if doc:
                lines.append((loc, doc.group(1).replace('\\"', '"').replace("\\\\", "\\")))
            else:
                attributes.append(text)
        elif text.startswith("///") and not text.startswith("////"):
            lines.append((loc, text[3:].rstrip("\n")))
        elif text.startswith("/**") and not text.startswith("/***") and text != "/**/":
            for offset, line in enumerate(text[3:-2].split("\n")):
                line_loc = SourceLocation(loc.path, loc.line + offset, loc.column if offset == 0 else 1)
                lines.append((line_loc, line.strip().lstrip("*")))
    return lines, attributes
