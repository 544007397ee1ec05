"""Python: governed classes (a `Protocol`, an ABC, or a plain class), read with the standard
`ast` module - parsed, never imported or run. The flake8 plugin reaches it through the same
check as the CLI.
"""

from __future__ import annotations

import ast
import dataclasses
import re

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

# Bases that make a class a store's shape, not a store the gate should look for.
_MARKER_BASES = frozenset({"Protocol", "Generic", "ABC", "object", "ABCMeta", "NamedTuple", "TypedDict"})
# Class decorators known not to add methods.
_SAFE_CLASS_DECORATORS = frozenset({"runtime_checkable", "final", "dataclass", "total_ordering"})
_DYNAMIC = frozenset({"__getattr__", "__getattribute__"})
_COLLECTION = re.compile(
    r"\b(?:list|List|Sequence|MutableSequence|Iterable|Iterator|AsyncIterable|AsyncIterator|Generator"
    r"|AsyncGenerator|set|Set|frozenset|FrozenSet|dict|Dict|Mapping|MutableMapping|Collection|deque|Deque)\b"
    r"|\.\.\.\s*\]"
)


def extract(path: str, text: str, wanted: frozenset[str], language: str = "python") -> FileExtraction:
    result = FileExtraction(path)
    try:
        tree = ast.parse(text, filename=path, type_comments=False)
    except SyntaxError as exc:
        # An unparsable Python file yields nothing at all: report it whenever it names a
        # governed class (the prefilter's condition), so nothing hides behind it.
        line = exc.lineno or 1
        column = _column(text, line, (exc.offset or 1) - 1, characters=True)
        result.problems.append(
            SourceProblem(
                "SG002",
                SourceLocation(path, line, column),
                f"syntax error: {exc.msg}; the gate cannot see the methods it may hide - fix the syntax",
            )
        )
        return result
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in wanted:
            trait, problems = _class(path, lines, node)
            result.traits.append(trait)
            result.problems.extend(problems)
    return result


def type_definitions(
    path: str, text: str, names: frozenset[str], language: str = "python"
) -> dict[str, TypeDefinition]:
    """Type aliases among `names` defined in the file (`ScanFn = Callable[[], list[X]]`)."""
    return {}


def _column(text_or_lines: str | list[str], line: int, offset: int, characters: bool = False) -> int:
    """1-based column in characters. `ast` gives UTF-8 byte offsets; SyntaxError gives characters."""
    if characters:
        return offset + 1
    lines = text_or_lines.splitlines() if isinstance(text_or_lines, str) else text_or_lines
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(source.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1


def _name_of(expr: ast.expr) -> str | None:
    """`Protocol`, `typing.Protocol`, `Base[T]` -> the class's own name."""
    if isinstance(expr, ast.Subscript):
        return _name_of(expr.value)
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Call):
        return _name_of(expr.func)
    return None


def _class(path: str, lines: list[str], node: ast.ClassDef) -> tuple[TraitDefinition, list[SourceProblem]]:
    name = node.name
    problems: list[SourceProblem] = []
    bases = []
    for base in node.bases:
        base_name = _name_of(base)
        if base_name:
            written = ast.unparse(base)
            bases.append(Heritage(base_name, written, _at(path, lines, base), standard=base_name in _MARKER_BASES))
    for decorator in node.decorator_list:
        decorator_name = _name_of(decorator)
        if decorator_name not in _SAFE_CLASS_DECORATORS:
            problems.append(
                SourceProblem(
                    "SG003",
                    _at(path, lines, decorator),
                    f"{name} has the class decorator @{ast.unparse(decorator)}, which may add methods the gate "
                    "cannot see; write them in the class",
                    name,
                )
            )
    methods: dict[str, Method] = {}
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name in _DYNAMIC:
                problems.append(
                    SourceProblem(
                        "SG003",
                        _at(path, lines, statement),
                        f"{name} defines {statement.name}, so any attribute may be a method the gate cannot see",
                        name,
                    )
                )
                continue
            if statement.name.startswith("__") and statement.name.endswith("__"):
                continue  # the object protocol (__init__, __aenter__, ...), not storage operations
            method = _method(path, lines, name, statement)
            first = methods.get(statement.name)
            if first is not None:
                # An @overload group is one method: located at its first signature, declared by
                # whichever definition carries @access (usually the implementation).
                method = dataclasses.replace(
                    first, inline=first.inline + method.inline, signature=f"{first.signature} | {method.signature}"
                )
            methods[statement.name] = method
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring, or `...`
        elif isinstance(statement, (ast.Pass, ast.AnnAssign, ast.ClassDef)):
            continue  # data members and nested classes are not methods
        elif isinstance(statement, (ast.Assign, ast.AugAssign)):
            assigned = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            targets = ", ".join(ast.unparse(t) for t in assigned)
            problems.append(
                SourceProblem(
                    "SG003",
                    _at(path, lines, statement),
                    f"{name} assigns {targets} from elsewhere; if it is a method the gate cannot see its "
                    "signature - define it with def",
                    name,
                )
            )
        else:
            problems.append(
                SourceProblem(
                    "SG003",
                    _at(path, lines, statement),
                    f"{name} contains a {type(statement).__name__.lower()} statement the gate cannot analyse "
                    "(conditional or generated members)",
                    name,
                )
            )
    location = SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset) + len("class "))
    return TraitDefinition(name, location, tuple(bases), tuple(methods.values())), problems


def _at(path: str, lines: list[str], node: ast.stmt | ast.expr) -> SourceLocation:
    return SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset))


def _method(path: str, lines: list[str], trait: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Method:
    decorators = {_name_of(d) for d in node.decorator_list}
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if "staticmethod" not in decorators and positional:
        positional = positional[1:]  # self or cls: the receiver
    parameters = [Parameter(a.arg, _annotation(a.annotation), True) for a in positional]
    if arguments.vararg is not None:
        parameters.append(Parameter(arguments.vararg.arg, "*" + _annotation(arguments.vararg.annotation), False))
    parameters += [Parameter(a.arg, _annotation(a.annotation), True) for a in arguments.kwonlyargs]
    if arguments.kwarg is not None:
        parameters.append(Parameter(arguments.kwarg.arg, "**" + _annotation(arguments.kwarg.annotation), False))
    return_type = _annotation(node.returns) or None
    keyword = "async def " if isinstance(node, ast.AsyncFunctionDef) else "def "
    source_line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
    name_column = source_line.find(node.name, _column(lines, node.lineno, node.col_offset) - 1) + 1
    signature = f"{keyword}{node.name}({ast.unparse(arguments)})" + (f" -> {return_type}" if return_type else "")
    return Method(
        trait=trait,
        name=node.name,
        location=SourceLocation(path, node.lineno, name_column or 1),
        parameters=tuple(parameters),
        return_type=return_type,
        returns_collection=bool(return_type and _COLLECTION.search(return_type)),
        inline=tuple(_inline(path, lines, node)),
        attributes=tuple("@" + ast.unparse(d) for d in node.decorator_list),
        signature=" ".join(signature.split()),
    )


def _annotation(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value  # a string annotation: its text, without the quotes
    return ast.unparse(node)


def _inline(path: str, lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[InlineDeclaration]:
    if not node.body:
        return []
    first = node.body[0]
    if not (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    ):
        return []
    doc_lines = []
    start = first.value.lineno
    for offset, line in enumerate(first.value.value.splitlines()):
        number = start + offset
        source = lines[number - 1] if number <= len(lines) else ""
        column = source.find("@access") + 1 if "@access" in source else 1
        doc_lines.append((SourceLocation(path, number, column), line))
    return access_declarations(doc_lines)
