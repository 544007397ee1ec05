"""What the ast-grep-based extractors share: node helpers across ast-grep-py versions, and
syntax problems.

Syntax errors never raise: the tree holds ERROR nodes and zero-length MISSING nodes. One native
query finds both; the first, by position, is reported as SG002.
"""

from __future__ import annotations

from typing import Any

from ast_grep_py import SgNode

from store_gate.extract.model import SourceLocation, SourceProblem

if hasattr(SgNode, "named_children"):

    def named_children(node: Any) -> list[Any]:
        return list(node.named_children())

else:  # ast-grep-py < 0.40 (the last releases with wheels for Python 3.9)

    def named_children(node: Any) -> list[Any]:
        return [child for child in node.children() if child.is_named()]


_ERROR_OR_MISSING = {"any": [{"kind": "ERROR"}, {"regex": "^$"}]}


def _pinpoint(error: Any) -> Any:
    """Where inside an ERROR node parsing broke down.

    Recovery can wrap a whole trait in one ERROR; its start is then the trait, not the mistake.
    The mistake follows the last thing that did parse: a complete item, a `{` or a `;`.
    """
    children = error.children()
    nested = next((child for child in children if child.kind() == "ERROR"), None)
    while nested is not None:  # iteratively: ERROR nodes may nest as deep as the input
        error, children = nested, nested.children()
        nested = next((child for child in children if child.kind() == "ERROR"), None)
    boundary = -1
    for i, child in enumerate(children):
        kind = child.kind()
        if kind.endswith("_item") or kind in ("{", ";"):
            boundary = i
    if 0 <= boundary < len(children) - 1 and children[boundary + 1].kind() != "}":
        return children[boundary + 1]
    return error


def first_syntax_problem(root: Any, path: str) -> SourceProblem | None:
    nodes = root.find_all(**_ERROR_OR_MISSING)
    if not nodes:
        return None
    first = min(nodes, key=lambda n: (n.range().start.index, -n.range().end.index))
    at = _pinpoint(first) if first.kind() == "ERROR" else first
    start = at.range().start
    if first.kind() == "ERROR":
        snippet = " ".join(at.text().split())
        if len(snippet) > 40:
            snippet = snippet[:37] + "..."
        what = f'syntax error: cannot parse "{snippet}"'
    else:
        what = f'syntax error: missing "{first.kind()}"'
    more = len(nodes) - 1
    tail = f" ({more} more in this file)" if more else ""
    return SourceProblem(
        "SG002",
        SourceLocation(path, start.line + 1, start.column + 1),
        f"{what}{tail}; the gate cannot see the methods it may hide - fix the syntax",
    )
