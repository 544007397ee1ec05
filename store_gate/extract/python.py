"""Python: governed classes (a `Protocol`, an ABC, or a plain class), read with the standard
`ast` module - parsed, never imported or run. The flake8 plugin reaches it through the same
check as the CLI.

What each statement of a governed class's body is - the gate fails closed: what it cannot tell
apart from a method is a finding, never a silent pass.

- **A method.** A `def` / `async def`. An `@overload` group (and a property's getter / setter)
  is one method: located at its first definition, with the parameters and return type of the
  implementation (the `def` without `@overload`; the first overload when there is none, where a
  parameter binds a key placeholder only if every overload has it), a collection when any
  definition returns one, and the `@access` of whichever definition carries it.
  An attribute annotated with a callable type is a method too: `scan: Callable[[], list[X]]`
  (`typing.` / `collections.abc.Callable`, `Callable[..., X]`, bare `Callable`, `FunctionType`,
  within `Optional[...]`, a union, `ClassVar[...]`, `Final[...]`, `Annotated[...]`, or a string
  annotation). Its parameters are the Callable's argument types: nameless, so no key placeholder
  binds to them (write a `def` to bind one). Its `@access` goes in the docstring under it.
- **Dunders that are data access in disguise** are methods like any other (`_GOVERNED_DUNDERS`):
  iteration (`__iter__`, `__aiter__`, `__next__`, `__anext__`, `__reversed__`), the container
  protocol (`__len__`, `__length_hint__`, `__bool__`, `__contains__`, `__getitem__`,
  `__setitem__`, `__delitem__`, `__missing__`), calling the store (`__call__`) and the in-place
  operators (`store |= items` writes: `__ior__`, `__iadd__`, ...). Every other dunder is the
  object protocol (`__init__`, `__enter__` / `__exit__`, `__aenter__` / `__aexit__`,
  `__repr__`, `__eq__`, `__hash__`, `__init_subclass__`, `__class_getitem__`, `__post_init__`,
  `__del__`, binary operators, ...) and is not governed. `__getattr__` / `__getattribute__` make
  any attribute a possible method: SG003.
- **A member typed by a named type** (`scan: ScanFn`, `scan: Optional[ScanFn]`) is a
  `TypedMember`: the project resolves the name across the store's files with `type_definitions`
  below - a method when it is a function type (`ScanFn = Callable[...]`, `ScanFn: TypeAlias =
  ...`, `type ScanFn = ...` where the running Python parses it, a class with `__call__`), data
  when it is any other class or a data alias, SG003 when it is defined nowhere under the paths.
- **Data, not a finding.** An attribute annotated with a data type: builtins and well-known value
  types (`int`, `str`, `datetime`, `Decimal`, `UUID`, ... `_DATA_TYPES`), containers of anything
  (`list[...]`, `dict[...]`, `Sequence[...]`: a container is not called), `type[...]`,
  `Literal[...]`, `ClassVar[...]` / `Final[...]` of data. An attribute assigned a literal (a
  number, string, bytes, None, True / False, an f-string; tuples, lists, sets, dicts and
  `frozenset(...)` / `set(...)` / `tuple(...)` / `list(...)` / `dict(...)` of literals) or a class
  (`__slots__ = ()`, `__match_args__ = ("a",)`, `model_cls = ProductModel`).
- **Fail closed (SG003).** An attribute annotated `Any` or `object` (or a bare `ClassVar` /
  `Final` whose value is not data) may hold a callable; so may one whose annotation the gate
  cannot read (`x: [int]`, a string that does not parse). An assignment of anything else - a lambda, a call such as
  `staticmethod(f)` or `functools.partialmethod(...)`, a lowercase name (likely a function), a
  subscript - may be a method whose signature the gate cannot see. So may anything other than a
  definition, a docstring or `pass` (an `if`, an import, a call statement).

Bases: a collection ABC or builtin container (`MutableMapping[str, X]`, `Sequence`, `Iterable`,
`dict`, `UserDict`, `Callable`, ... from `typing`, `collections.abc`, `collections` or builtins)
brings methods the class does not write: SG003 naming those the class does not define itself
(define them, or use composition); it is never SG004. A bare collection name the module neither
imports nor defines (a star import) is taken for the standard one. A base the gate cannot resolve to a name
(`make_base(...)`, `bases[0]`, `*mixins`): SG004. A metaclass other than `ABCMeta` / `type` may
add methods: SG003, like a class decorator that is not known to be harmless.

Known limits, each a documented convention rather than a proof:

- A name assigned in a class body is taken for a class, hence data, when the module defines a
  class of that name, when it is a builtin or well-known data type, or when it is written in
  CapWords (PEP 8's convention for class names: `model_cls = ProductModel`,
  `model_cls = models.ProductModel`). A function named in CapWords passes as data.
- A class used as an attribute's type is callable only through its own `__call__` or a
  `Callable` base: one that inherits `__call__` from another base is taken for data.
- An alias of a union of several named types (`Fn = Union[A, B]`) is what its first named type
  (not a well-known data type) is.
- An alias the gate cannot read (`Fn = make_type()`, `Fn = Any`) is left out of
  `type_definitions`: a member of that type is SG003, with the project's "defined nowhere" wording.
- The signature `--base` compares for a member typed by a named type is its annotation
  (`scan: ScanFn`): a change to the alias itself does not make the member "changed".
"""

from __future__ import annotations

import ast
import copy
import importlib
import re
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from store_gate.extract.inline import access_declarations
from store_gate.extract.model import (
    FileExtraction,
    FunctionShape,
    Heritage,
    InlineDeclaration,
    Method,
    Parameter,
    SourceLocation,
    SourceProblem,
    TraitDefinition,
    TypeDefinition,
    TypedMember,
)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Bases that make a class a store's shape, not a store the gate should look for.
_MARKER_BASES = frozenset({"Protocol", "Generic", "ABC", "object", "ABCMeta", "NamedTuple", "TypedDict"})
# Class decorators known not to add methods.
_SAFE_CLASS_DECORATORS = frozenset({"runtime_checkable", "final", "dataclass", "total_ordering"})
# Metaclasses known not to add methods.
_SAFE_METACLASSES = frozenset({"ABCMeta", "type"})
_DYNAMIC = frozenset({"__getattr__", "__getattribute__"})
# Dunders through which a caller reads or writes the store's data without naming a method:
# `for x in store`, `len(store)`, `store[k]`, `k in store`, `store(...)`, `store |= items`.
_GOVERNED_DUNDERS = _names(
    """
    __iter__ __aiter__ __next__ __anext__ __reversed__ __len__ __length_hint__ __bool__ __contains__
    __getitem__ __setitem__ __delitem__ __missing__ __call__ __iadd__ __isub__ __imul__ __imatmul__
    __itruediv__ __ifloordiv__ __imod__ __ipow__ __ilshift__ __irshift__ __iand__ __ixor__ __ior__
    """
)
_COLLECTION = re.compile(
    r"\b(?:list|List|Sequence|MutableSequence|Iterable|Iterator|AsyncIterable|AsyncIterator|Generator"
    r"|AsyncGenerator|set|Set|frozenset|FrozenSet|dict|Dict|Mapping|MutableMapping|Collection|deque|Deque)\b"
    r"|\.\.\.\s*\]"
)

# Types -----------------------------------------------------------------------------------------

_CALLABLE_TYPES = _names(
    """
    Callable FunctionType LambdaType MethodType BuiltinFunctionType BuiltinMethodType partial
    partialmethod
    """
)
# Annotations that may hold anything, a callable included.
_ANY_TYPES = frozenset({"Any", "object"})
# Well-known value types: an attribute of one of these is data.
_DATA_TYPES = _names(
    """
    int str bytes bytearray memoryview float complex bool range slice type Type NoneType datetime date
    time timedelta timezone tzinfo ZoneInfo Decimal Fraction UUID Path PurePath PosixPath WindowsPath
    PurePosixPath PureWindowsPath Pattern Match Enum IntEnum StrEnum Flag IntFlag IPv4Address
    IPv6Address Self LiteralString Never NoReturn AnyStr Text Literal
    """
)
# Containers (and other objects that are not called): an attribute of one is data, whatever it holds.
_CONTAINER_TYPES = _names(
    """
    list dict set frozenset tuple deque defaultdict OrderedDict Counter ChainMap List Dict Set FrozenSet
    Tuple Deque DefaultDict Sequence MutableSequence Mapping MutableMapping AbstractSet MutableSet
    Collection Container Iterable Iterator AsyncIterable AsyncIterator Generator AsyncGenerator
    Awaitable Coroutine KeysView ValuesView ItemsView
    """
)
# `Wrapper[X]` is what X is.
_WRAPPERS = frozenset({"ClassVar", "Final", "Annotated", "Required", "NotRequired", "ReadOnly", "InitVar"})
_UNIONS = frozenset({"Optional", "Union"})
# Bare, they say nothing of the type: `X: Final = 25` is what its value is.
_QUALIFIERS = frozenset({"ClassVar", "Final"})
_TYPE_ALIAS = "TypeAlias"

# Bases whose methods the class inherits without writing them, and the modules they come from.
_COLLECTION_BASES = _names(
    """
    Mapping MutableMapping Sequence MutableSequence Set AbstractSet MutableSet Iterable Iterator
    AsyncIterable AsyncIterator Collection Container Sized Reversible Generator AsyncGenerator KeysView
    ItemsView ValuesView MappingView ByteString Callable Dict List FrozenSet Tuple Deque DefaultDict
    OrderedDict Counter ChainMap UserDict UserList UserString deque defaultdict dict list set frozenset
    tuple bytearray str bytes
    """
)
_COLLECTION_MODULES = {
    "typing": "typing",
    "typing_extensions": "typing",
    "collections": "collections",
    "collections.abc": "collections.abc",
    "_collections_abc": "collections.abc",
    "builtins": "builtins",
}
_BUILTIN_BASES = frozenset({"dict", "list", "set", "frozenset", "tuple", "bytearray", "str", "bytes"})
# Calls that build a literal container from literals.
_LITERAL_CALLS = frozenset({"frozenset", "set", "tuple", "list", "dict"})
_CAPWORDS = re.compile(r"^_*[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class _Module:
    """What the rest of the module tells about a class body: the classes it defines and its imports."""

    classes: frozenset[str]
    imports: dict[str, str]  # local name -> what it is: "typing.Mapping", "collections.abc"
    definitions: tuple[ast.ClassDef, ...]  # every class statement, nested ones included

    @staticmethod
    def of(tree: ast.Module) -> _Module:
        definitions: list[ast.ClassDef] = []
        imports: dict[str, str] = {}
        for node in ast.walk(tree):  # once: a store of thousands of methods is a large tree
            if isinstance(node, ast.ClassDef):
                definitions.append(node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        imports[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:  # a relative import: the project's own module
                    imports[alias.asname or alias.name] = "." * node.level + f"{node.module or ''}.{alias.name}"
        return _Module(frozenset(d.name for d in definitions), imports, tuple(definitions))


@dataclass
class _Type:
    """What an annotation is: a callable (the node that says so), named types to resolve, data, or
    something that may hold a callable (`opaque`, the reason)."""

    callable: ast.expr | None = None
    names: list[str] = field(default_factory=list)
    opaque: str | None = None

    def add(self, other: _Type) -> None:
        self.callable = self.callable or other.callable
        self.names += [n for n in other.names if n not in self.names]
        self.opaque = self.opaque or other.opaque


def _parsed(node: ast.expr) -> ast.expr | None:
    """A string annotation parsed (`"Callable[[], X]"`); any other node as it is; None when unparsable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return None
    return node


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _last(node: ast.expr) -> str | None:
    dotted = _dotted(node)
    return dotted.rsplit(".", 1)[-1] if dotted else None


def _elements(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, (ast.Tuple, ast.List)) else [node]


def _classify(annotation: ast.expr, depth: int = 0) -> _Type:
    """What the type `annotation` is, for a member annotated with it."""
    node = _parsed(annotation)
    if node is None or depth > 20:
        return _Type(opaque=f"{ast.unparse(annotation)}, which the gate cannot read")
    if isinstance(node, ast.Constant) and node.value is None:
        return _Type()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        result = _classify(node.left, depth + 1)
        result.add(_classify(node.right, depth + 1))
        return result
    origin = node.value if isinstance(node, ast.Subscript) else node
    name = _last(origin)
    if name is None:
        return _Type(opaque=f"{ast.unparse(node)}, which the gate cannot read")
    if name in _CALLABLE_TYPES:
        return _Type(callable=node)
    if not isinstance(node, ast.Subscript):
        if name in _ANY_TYPES or name in _QUALIFIERS:
            return _Type(opaque=f"{ast.unparse(node)}, which may hold a callable")
        if name in _DATA_TYPES or name in _CONTAINER_TYPES:
            return _Type()
        return _Type(names=[name])
    arguments = _elements(node.slice)
    if name in _WRAPPERS:
        return _classify(arguments[0], depth + 1)
    if name in _UNIONS:
        result = _Type()
        for argument in arguments:
            result.add(_classify(argument, depth + 1))
        return result
    if name in _DATA_TYPES or name in _CONTAINER_TYPES:
        return _Type()
    return _Type(names=[name])  # a generic alias or class: `ScanFn[T]`


def _callable_shape(node: ast.expr) -> FunctionShape:
    """`Callable[[A, B], R]` -> nameless parameters A and B, returning R; `Callable[..., R]`
    and bare `Callable` -> parameters the gate cannot name."""
    unknown = (Parameter(None, "...", False),)
    if not isinstance(node, ast.Subscript):
        return FunctionShape(unknown, None, False)
    arguments = _elements(node.slice)
    if len(arguments) != 2:
        return FunctionShape(unknown, None, False)
    accepted, result = arguments
    if isinstance(accepted, ast.List):
        parameters = tuple(Parameter(None, _annotation(a), False) for a in accepted.elts)
    else:  # `...`, a ParamSpec, `Concatenate[...]`
        parameters = (Parameter(None, _annotation(accepted), False),)
    return_type = _annotation(result) or None
    return FunctionShape(parameters, return_type, bool(return_type and _COLLECTION.search(return_type)))


# Extraction ------------------------------------------------------------------------------------


def extract(
    path: str, text: str, wanted: frozenset[str], language: str = "python", root: typing.Any = None
) -> FileExtraction:
    try:
        return _extract(path, text, wanted)
    except RecursionError:
        # `1+1+...` five thousand times, a 100,000-link attribute chain: CPython's own parser and
        # `ast` recurse per level. The file is reported, never skipped.
        result = FileExtraction(path)
        result.problems.append(
            SourceProblem(
                "SG002",
                SourceLocation(path, 1, 1),
                "nested too deeply for Python's parser (it recursed past its limit); the gate cannot see the "
                "methods it may hide - split the expression",
            )
        )
        return result


def _extract(path: str, text: str, wanted: frozenset[str]) -> FileExtraction:
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
    module = _Module.of(tree)
    for node in module.definitions:
        if node.name in wanted:
            trait, problems = _class(path, lines, node, module)
            result.traits.append(trait)
            result.problems.extend(problems)
    return result


def type_definitions(
    path: str, text: str, names: frozenset[str], language: str = "python", root: typing.Any = None
) -> dict[str, TypeDefinition]:
    """Named types among `names` defined in the file: aliases (`ScanFn = Callable[[], list[X]]`,
    `ScanFn: TypeAlias = ...`, `type ScanFn = ...`, `NewType`), and classes (a function type when
    it has `__call__` or a `Callable` base, a collection when it derives from one, else data).
    An alias of something the gate cannot read (a call, `Any`) is left out: the project reports
    members of that type as SG003."""
    try:
        tree = ast.parse(text, filename=path, type_comments=False)
    except (SyntaxError, RecursionError):
        return {}  # a member typed by one of `names` is then SG003, never governed by a guess
    found: dict[str, TypeDefinition] = {}
    type_alias = getattr(ast, "TypeAlias", None)  # `type X = ...`: Python 3.12+
    for statement in _module_statements(tree.body):
        definition: TypeDefinition | None = None
        if isinstance(statement, ast.ClassDef) and statement.name in names:
            name, definition = statement.name, _class_type(statement)
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if not (isinstance(target, ast.Name) and target.id in names):
                continue
            name, definition = target.id, _alias_type(statement.value)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.target.id not in names:
                continue
            name = statement.target.id
            if _last(statement.annotation) == _TYPE_ALIAS or (
                isinstance(statement.annotation, ast.Constant) and statement.annotation.value == _TYPE_ALIAS
            ):
                definition = _alias_type(statement.value) if statement.value is not None else None
            else:
                definition = TypeDefinition()  # a variable, not a type
        elif type_alias is not None and isinstance(statement, type_alias):
            alias_name = getattr(statement, "name", None)
            if not (isinstance(alias_name, ast.Name) and alias_name.id in names):
                continue
            name, definition = alias_name.id, _alias_type(getattr(statement, "value", None))
        else:
            continue
        if definition is not None:
            found.setdefault(name, definition)
    return found


def _module_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The module's statements, those under `if TYPE_CHECKING:`, `try:` and `with` included."""
    try_star = getattr(ast, "TryStar", ast.Try)
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _module_statements(statement.body)
            yield from _module_statements(statement.orelse)
        elif isinstance(statement, (ast.Try, try_star)):
            for part in (statement.body, statement.orelse, statement.finalbody):
                yield from _module_statements(part)
            for handler in statement.handlers:
                yield from _module_statements(handler.body)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            yield from _module_statements(statement.body)


def _alias_type(value: ast.expr | None) -> TypeDefinition | None:
    """What an alias's value is: a function type, a collection, an alias of another name, or data."""
    if value is None:
        return None
    node = _parsed(value)
    if node is None:
        return None
    if isinstance(node, ast.Call):
        function = _last(node.func)
        if function in ("TypeVar", "ParamSpec", "TypeVarTuple"):
            return TypeDefinition()
        if function in ("NewType", "TypeAliasType") and len(node.args) == 2:
            return _alias_type(node.args[1])
        return None
    kind = _classify(node)
    if kind.callable is not None:
        return TypeDefinition(function=_callable_shape(kind.callable))
    if kind.opaque is not None:
        return None
    collection = bool(_COLLECTION.search(ast.unparse(node)))
    if kind.names:
        return TypeDefinition(collection=collection, alias_of=kind.names[0])
    return TypeDefinition(collection=collection)


def _class_type(node: ast.ClassDef) -> TypeDefinition:
    """A class as a type: a function type when its instances are called (its own `__call__`, a
    `Callable` base), a collection when it derives from one, data otherwise."""
    function: FunctionShape | None = None
    collection = False
    for base in node.bases:
        base_name = _last(base.value if isinstance(base, ast.Subscript) else base) or ""
        if base_name in _CALLABLE_TYPES:
            function = _callable_shape(base)
        elif _COLLECTION.fullmatch(base_name):
            collection = True
    calls = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__call__"]
    if calls:
        implementation = _implementation(calls) or calls[0]
        parameters, return_type = _parameters(implementation), _annotation(implementation.returns) or None
        function = FunctionShape(tuple(parameters), return_type, bool(return_type and _COLLECTION.search(return_type)))
    for statement in node.body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == "__call__"
        ):
            kind = _classify(statement.annotation)
            if kind.callable is not None:
                function = _callable_shape(kind.callable)
    return TypeDefinition(function=function, collection=collection)


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


def _type_like(node: ast.expr) -> bool:
    """Could `node` be a type argument (`T`, `str`, `"Round"`, `list[X]`, `A | None`, `...`)?"""
    if isinstance(node, (ast.Name, ast.Attribute)):
        return _dotted(node) is not None
    if isinstance(node, ast.Constant):
        return node.value is None or node.value is Ellipsis or isinstance(node.value, str)
    if isinstance(node, ast.Subscript):
        if _last(node.value) == "Literal":
            return True
        return _type_like(node.value) and all(_type_like(e) for e in _elements(node.slice))
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_type_like(e) for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_like(node.left) and _type_like(node.right)
    return False


def _base_name(base: ast.expr) -> str | None:
    """The class a base names (`Base`, `models.Base`, `Base[T]`); None for an expression the gate
    cannot resolve to a class (a call, an index such as `bases[0]`, a conditional)."""
    if isinstance(base, ast.Subscript):
        if not all(_type_like(e) for e in _elements(base.slice)):
            return None
        base = base.value
    return _last(base)


def _stdlib_base(base: ast.expr, module: _Module) -> tuple[str, type | None] | None:
    """A collection ABC or builtin container the base names: (its name, the class where the gate
    can look it up in its own standard library). None for any other base."""
    dotted = _dotted(base.value if isinstance(base, ast.Subscript) else base)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head in module.imports:
        qualified = module.imports[head] + (f".{rest}" if rest else "")
    elif rest:
        qualified = dotted
    elif head in module.classes:
        return None  # the module's own class of that name
    else:
        # A builtin, or a typing name the module uses without importing it (a star import):
        # fail closed, it is the standard one.
        qualified = f"builtins.{head}" if head in _BUILTIN_BASES else f"typing.{head}"
    owner, _, name = qualified.rpartition(".")
    if owner not in _COLLECTION_MODULES or name not in _COLLECTION_BASES:
        return None
    try:
        found = getattr(importlib.import_module(_COLLECTION_MODULES[owner]), name, None)
    except ImportError:  # pragma: no cover - the standard library is always there
        found = None
    origin = typing.get_origin(found) or found
    return name, origin if isinstance(origin, type) else None


def _inherited(cls: type | None) -> list[str] | None:
    """The methods a class brings that the gate governs (None: it cannot tell)."""
    if cls is None:
        return None
    names = []
    for name in dir(cls):
        if name.startswith("__") and name.endswith("__") and name not in _GOVERNED_DUNDERS:
            continue
        if name.startswith("_") and not name.startswith("__"):
            continue  # private helpers (`_hash`, `_from_iterable`), not part of the interface
        if callable(getattr(cls, name, None)):
            names.append(name)
    return sorted(names)


def _heritage(
    path: str, lines: list[str], name: str, node: ast.ClassDef, module: _Module, defined: set[str]
) -> tuple[list[Heritage], list[SourceProblem]]:
    bases: list[Heritage] = []
    problems: list[SourceProblem] = []
    for base in node.bases:
        written = ast.unparse(base)
        location = _at(path, lines, base)
        base_name = _base_name(base)
        if base_name is None:
            problems.append(
                SourceProblem(
                    "SG004",
                    location,
                    f"{name} derives from {written}, which the gate cannot resolve to a class: the methods it "
                    f"brings would not be governed; derive from a class defined under the store's paths, by name, "
                    f"or write the methods in {name}",
                    name,
                )
            )
            continue
        stdlib = _stdlib_base(base, module)
        if stdlib is not None:
            inherited = _inherited(stdlib[1])
            missing = [m for m in inherited if m not in defined] if inherited is not None else None
            if missing is None or missing:
                brings = "methods the gate cannot enumerate"
                if missing:
                    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
                    brings = f"methods it does not define ({', '.join(missing[:8])}{more})"
                problems.append(
                    SourceProblem(
                        "SG003",
                        location,
                        f"{name} derives from {written}, which brings {brings}: the gate cannot see them; define "
                        f"each in {name}, or hold a {stdlib[0]} as an attribute instead of deriving from it",
                        name,
                    )
                )
            bases.append(Heritage(base_name, written, location, standard=True))
            continue
        bases.append(Heritage(base_name, written, location, standard=base_name in _MARKER_BASES))
    for keyword in node.keywords:
        if keyword.arg is None:  # `class X(**options)`: may set a metaclass
            written = f"**{ast.unparse(keyword.value)}"
        elif keyword.arg == "metaclass" and _last(keyword.value) not in _SAFE_METACLASSES:
            written = ast.unparse(keyword.value)
        else:
            continue
        problems.append(
            SourceProblem(
                "SG003",
                _at(path, lines, keyword.value),
                f"{name} has the metaclass {written}, which may add methods the gate cannot see; write them in the "
                "class",
                name,
            )
        )
    return bases, problems


def _class(
    path: str, lines: list[str], node: ast.ClassDef, module: _Module
) -> tuple[TraitDefinition, list[SourceProblem]]:
    name = node.name
    problems: list[SourceProblem] = []
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
    groups: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    attributes: dict[str, Method] = {}
    typed: dict[str, list[TypedMember]] = {}
    defined: set[str] = set()  # every member name the body defines
    type_alias = getattr(ast, "TypeAlias", None)
    body = node.body
    for index, statement in enumerate(body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.add(statement.name)
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
            if _ungoverned_dunder(statement.name):
                continue  # the object protocol (__init__, __aenter__, ...), not storage operations
            groups.setdefault(statement.name, []).append(statement)
            attributes.pop(statement.name, None)  # a def defines what an annotation only typed
            typed.pop(statement.name, None)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring, or `...`
        elif isinstance(statement, (ast.Pass, ast.ClassDef)) or (
            type_alias is not None and isinstance(statement, type_alias)
        ):
            continue  # nested classes and type aliases are not methods
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            member = statement.target.id
            defined.add(member)
            if member in _DYNAMIC:
                problems.append(_dynamic(path, lines, name, statement, member))
                continue
            if _ungoverned_dunder(member) or member in groups:
                continue
            kind = _classify(statement.annotation)
            bare = _last(_normal(statement.annotation)) in _QUALIFIERS  # `X: Final = 25`: the value tells
            if bare and statement.value is not None and _data_value(statement.value, module):
                continue
            if kind.callable is not None:
                shape = _callable_shape(kind.callable)
                attributes[member] = _attribute(path, lines, name, statement, body, index, shape)
            elif kind.opaque is not None:
                problems.append(
                    SourceProblem(
                        "SG003",
                        _at(path, lines, statement.target),
                        f"{name}.{member} is annotated {kind.opaque}: the gate cannot tell whether it is a method; "
                        "annotate it with its data type, or define it with def if it is one",
                        name,
                    )
                )
            elif kind.names:
                method = _attribute(path, lines, name, statement, body, index, None)
                typed[member] = [TypedMember(method, type_name) for type_name in kind.names]
        elif isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [statement.target]  # an AnnAssign here has a target that is not a name
            )
            names = [n.id for t in targets for n in _target_names(t)]
            defined.update(names)
            dynamic = [n for n in names if n in _DYNAMIC]
            if dynamic:
                problems.append(_dynamic(path, lines, name, statement, dynamic[0]))
                continue
            simple = all(_simple_target(t) for t in targets)
            governed = [n for n in names if not _ungoverned_dunder(n)]
            value = statement.value
            if simple and (not governed or (value is not None and _data_value(value, module))):
                continue  # data: a literal or a class, or an object-protocol dunder
            problems.append(
                SourceProblem(
                    "SG003",
                    _at(path, lines, statement),
                    f"{name} assigns {', '.join(ast.unparse(t) for t in targets)} from elsewhere; if it is a "
                    "method the gate cannot see its signature - define it with def",
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
    bases, heritage_problems = _heritage(path, lines, name, node, module, defined)
    problems[:0] = heritage_problems
    methods = {member: _group(path, lines, name, definitions) for member, definitions in groups.items()}
    for member, method in attributes.items():
        methods.setdefault(member, method)
    location = SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset) + len("class "))
    typed_members = tuple(t for members in typed.values() for t in members)
    return TraitDefinition(name, location, tuple(bases), tuple(methods.values()), typed_members), problems


def _ungoverned_dunder(member: str) -> bool:
    return member.startswith("__") and member.endswith("__") and member not in _GOVERNED_DUNDERS


def _dynamic(path: str, lines: list[str], trait: str, statement: ast.stmt, member: str) -> SourceProblem:
    return SourceProblem(
        "SG003",
        _at(path, lines, statement),
        f"{trait} defines {member}, so any attribute may be a method the gate cannot see",
        trait,
    )


def _target_names(target: ast.expr) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _target_names(e)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _simple_target(target: ast.expr) -> bool:
    """Names only: `x[0] = f` or `ns.attr = f` in a class body may inject a member (`locals()[n] = f`)."""
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_simple_target(e) for e in target.elts)
    if isinstance(target, ast.Starred):
        return _simple_target(target.value)
    return False


def _data_value(node: ast.expr, module: _Module, names: bool = True) -> bool:
    """Is the value a literal (or built of literals), or a class? (`names`: may it be a class?)"""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_data_value(e, module, names) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _data_value(node.value, module, names)
    if isinstance(node, ast.Dict):
        return all(k is None or _data_value(k, module, names) for k in node.keys) and all(
            _data_value(v, module, names) for v in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _data_value(node.operand, module, names=False)
    if isinstance(node, ast.BinOp):
        return _data_value(node.left, module, names=False) and _data_value(node.right, module, names=False)
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id in _LITERAL_CALLS
            and all(_data_value(a, module, names) for a in node.args)
            and all(_data_value(k.value, module, names) for k in node.keywords)
        )
    if names and isinstance(node, (ast.Name, ast.Attribute)):
        last = _last(node)
        return last is not None and (
            last in module.classes or last in _DATA_TYPES or last in _CONTAINER_TYPES or bool(_CAPWORDS.match(last))
        )
    return False


def _at(path: str, lines: list[str], node: ast.stmt | ast.expr) -> SourceLocation:
    return SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset))


def _is_overload(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_name_of(d) == "overload" for d in node.decorator_list)


def _is_accessor(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`@x.setter` / `@x.deleter`: the rest of a property whose getter is the implementation."""
    return any(isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter") for d in node.decorator_list)


def _implementation(
    definitions: list[ast.FunctionDef | ast.AsyncFunctionDef],
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The definition that runs: the last one without @overload (a property's getter over its setter)."""
    candidates = [d for d in definitions if not _is_overload(d)]
    preferred = [d for d in candidates if not _is_accessor(d)]
    chosen = preferred or candidates
    return chosen[-1] if chosen else None


def _group(
    path: str, lines: list[str], trait: str, definitions: list[ast.FunctionDef | ast.AsyncFunctionDef]
) -> Method:
    """One method from its definitions: an @overload group, a property's getter and setter, or a
    redefinition. Located at the first; parameters and return type from the implementation."""
    first = definitions[0]
    implementation = _implementation(definitions)
    source = implementation or first
    parameters = _parameters(source)
    if implementation is None and len(definitions) > 1:
        # Overloads only (a stub, a Protocol): a parameter binds a key placeholder only when
        # every overload has it.
        every = [{p.name for p in _parameters(d) if p.bindable} for d in definitions]
        shared = set.intersection(*every)
        parameters = [Parameter(p.name, p.type, p.bindable and p.name in shared) for p in parameters]
    return_type = _annotation(source.returns) or None
    returned = [_annotation(d.returns) for d in definitions]
    if return_type is None and any(returned):
        return_type = " | ".join(dict.fromkeys(r for r in returned if r))
    inline = tuple(i for d in definitions for i in _inline(path, lines, _docstring(d)))
    source_line = lines[first.lineno - 1] if first.lineno <= len(lines) else ""
    name_column = source_line.find(first.name, _column(lines, first.lineno, first.col_offset) - 1) + 1
    return Method(
        trait=trait,
        name=first.name,
        location=SourceLocation(path, first.lineno, name_column or 1),
        parameters=tuple(parameters),
        return_type=return_type,
        returns_collection=any(r and _COLLECTION.search(r) for r in [return_type or "", *returned]),
        inline=inline,
        attributes=tuple("@" + ast.unparse(d) for d in first.decorator_list),
        signature=" | ".join(_signature(d) for d in definitions),
    )


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Parameter]:
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
    return parameters


class _Unquote(ast.NodeTransformer):
    """String annotations parsed, so that `'list[ Round ]'` and `'list[Round]'` are one signature."""

    def visit_arg(self, node: ast.arg) -> ast.arg:
        if node.annotation is not None:
            node.annotation = _normal(node.annotation)
        return node


def _quoted(annotation: ast.expr | None) -> bool:
    return isinstance(annotation, ast.Constant) and isinstance(annotation.value, str)


def _normal(annotation: ast.expr) -> ast.expr:
    return _parsed(annotation) or annotation


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """What `--base` compares: decorators and the declaration, without body or docstring; written
    by `ast.unparse`, so that whitespace, line breaks and comments never count as a change."""
    arguments = node.args
    quoted = [a for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs) if _quoted(a.annotation)]
    quoted += [a for a in (arguments.vararg, arguments.kwarg) if a is not None and _quoted(a.annotation)]
    if quoted:  # copied only when there is something to unquote: most signatures have nothing
        arguments = _Unquote().visit(copy.deepcopy(arguments))
    keyword = "async def " if isinstance(node, ast.AsyncFunctionDef) else "def "
    returns = f" -> {ast.unparse(_normal(node.returns))}" if node.returns is not None else ""
    decorators = "".join(f"@{ast.unparse(d)} " for d in node.decorator_list)
    return f"{decorators}{keyword}{node.name}({ast.unparse(arguments)}){returns}"


def _attribute(
    path: str,
    lines: list[str],
    trait: str,
    statement: ast.AnnAssign,
    body: list[ast.stmt],
    index: int,
    shape: FunctionShape | None,
) -> Method:
    """A method written as an annotated attribute; `shape` None for a member typed by a named type
    (the project fills it in when the type is a function type)."""
    target = statement.target
    assert isinstance(target, ast.Name)
    following = body[index + 1] if index + 1 < len(body) else None
    return Method(
        trait=trait,
        name=target.id,
        location=_at(path, lines, target),
        parameters=shape.parameters if shape else (),
        return_type=shape.return_type if shape else None,
        returns_collection=shape.returns_collection if shape else False,
        inline=tuple(_inline(path, lines, _string(following))),
        signature=f"{target.id}: {ast.unparse(_normal(statement.annotation))}",
    )


def _annotation(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value  # a string annotation: its text, without the quotes
    return ast.unparse(node)


def _docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Constant | None:
    return _string(node.body[0]) if node.body else None


def _string(statement: ast.stmt | None) -> ast.Constant | None:
    """The string a statement is (a docstring), if it is one."""
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    ):
        return statement.value
    return None


def _inline(path: str, lines: list[str], doc: ast.Constant | None) -> list[InlineDeclaration]:
    if doc is None or not isinstance(doc.value, str):
        return []
    doc_lines = []
    start = doc.lineno
    for offset, line in enumerate(doc.value.splitlines()):
        number = start + offset
        source = lines[number - 1] if number <= len(lines) else ""
        column = source.find("@access") + 1 if "@access" in source else 1
        doc_lines.append((SourceLocation(path, number, column), line))
    return access_declarations(doc_lines)
