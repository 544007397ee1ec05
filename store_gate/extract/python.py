"""Python: governed classes (a `Protocol`, an ABC, or a plain class), read with the standard
`ast` module - parsed, never imported or run. The flake8 plugin reaches it through the same
check as the CLI.

What each statement of a governed class's body is - the gate fails closed: what it cannot tell
apart from a method is a finding, never a silent pass.

- **A method.** A `def` / `async def`. An `@overload` group (and a property's getter / setter)
  is one method: located at its first definition, with the parameters and return type of the
  implementation (the `def` without `@overload`; the first overload when there is none, where a
  parameter binds a key placeholder only if every overload has it), a collection when any
  definition returns one, and the `@access` of whichever definition carries it. A parameter
  defaulting to None or of an `Optional` / `X | None` type is `optional`: a call may bind no key.
  An attribute annotated with a callable type is a method too: `scan: Callable[[], list[X]]`
  (`typing.` / `collections.abc.Callable`, `Callable[..., X]`, bare `Callable`, `FunctionType`,
  within `Optional[...]`, a union, `ClassVar[...]`, `Final[...]`, `Annotated[...]`, or a string
  annotation). Its parameters are the Callable's argument types: nameless, so no key placeholder
  binds to them (write a `def` to bind one). Its `@access` goes in the docstring under it.
  So is an attribute assigned a function, whatever its annotation says: a lambda, a name the
  module binds to a function (`scan = _scan`, `scan: int = _scan`, with `def _scan` or
  `_scan = lambda ...` at module level), or a method of the class (`__call__ = get`): it takes the
  function's parameters, less the receiver.
- **Instance members.** `self.x = ...` (or `self.x: T = ...`, `setattr(self, "x", ...)`,
  `self.__setattr__("x", ...)`, `super().__setattr__("x", ...)`) in any method of the class is a
  member like a class attribute when its annotation or value says it is callable: a lambda, a
  module function, a parameter annotated with a callable type or defaulting to a function (a
  method, with that function's parameters: an instance attribute binds no receiver); an annotation
  naming a type (the project resolves it); an annotation `Any` or a call wrapping a function
  (SG003). `setattr(self, name, ...)` with a computed name, writing
  `self.__dict__` / `vars(self)`, and assigning on `type(self)` / `self.__class__` are SG003.
- **Dunders that are data access in disguise** are methods like any other (`_GOVERNED_DUNDERS`):
  iteration (`__iter__`, `__aiter__`, `__next__`, `__anext__`, `__reversed__`), the container
  protocol (`__len__`, `__length_hint__`, `__bool__`, `__contains__`, `__getitem__`,
  `__setitem__`, `__delitem__`, `__missing__`), calling the store (`__call__`) and the in-place
  operators (`store |= items` writes: `__ior__`, `__iadd__`, ...). The rest of Python's data
  model (`_OBJECT_PROTOCOL`: `__init__`, `__enter__` / `__exit__`, `__aenter__` / `__aexit__`,
  `__repr__`, `__eq__`, `__hash__`, `__class_getitem__`, `__post_init__`, `__del__`, binary
  operators, the pickle and copy protocols, ...) is not governed. A dunder the data model does not
  define (`__everything__`, `__`) is a member like any other. `__getattr__` / `__getattribute__`
  make any attribute a possible method: SG003. So does `__init_subclass__`, which may add methods
  to the classes deriving from the class that defines it.
- **A member typed by a named type** (`scan: ScanFn`, `scan: Optional[ScanFn]`) is a
  `TypedMember`: the project resolves the name across the store's files with `type_definitions`
  below - a method when it is a function type (`ScanFn = Callable[...]`, `ScanFn: TypeAlias =
  ...`, `type ScanFn = ...` where the running Python parses it, a class with `__call__`, its own
  or from a base), data when it is any other class or a data alias, SG003 when it is defined
  nowhere under the paths. A member typed by a class of methods defined in the same module (a
  `Protocol` or ABC with methods, or a class with methods and no data) is a facet of methods the
  store hands out: SG003.
- **Data, not a finding.** An attribute annotated with a data type: builtins and well-known value
  types (`int`, `str`, `datetime`, `Decimal`, `UUID`, ... `_DATA_TYPES`), containers of anything
  (`list[...]`, `dict[...]`, `Sequence[...]`: a container is not called), `type[...]`,
  `Literal[...]`, `ClassVar[...]` / `Final[...]` of data. An attribute assigned a literal (a
  number, string, bytes, None, True / False, an f-string; tuples, lists, sets, dicts and
  `frozenset(...)` / `set(...)` / `tuple(...)` / `list(...)` / `dict(...)` of literals) or a class
  (`__slots__ = ()`, `__match_args__ = ("a",)`, `model_cls = ProductModel`).
- **Fail closed (SG003).** An attribute annotated `Any` or `object` (or a bare `ClassVar` /
  `Final` whose value is not data) may hold a callable; so may one whose annotation the gate
  cannot read (`x: [int]`, a string that does not parse). An assignment of anything else - a call
  such as `staticmethod(f)` or `functools.partialmethod(...)`, a lowercase name the module does not
  bind to data (likely a function), a subscript - may be a method whose signature the gate cannot
  see; so may an annotated attribute whose value is a call that wraps a function, an instance of a
  class of the module that defines `__set_name__`, `__get__` or `__call__`, or a lowercase name the
  module does not bind. So may anything other than a definition, a docstring or `pass` (an `if`, an
  import, a call statement).

Outside the class statement: assigning an attribute of a governed class (`Store.x = f`, or through
a module-level alias `S = Store`), `setattr(Store, ...)`, passing it to a function that may change
it (`install(Store)`; not `isinstance`, `cast`, `TypeVar`, ... `_HARMLESS_CALLS`), binding its name
again (`Store = _Real`, an import, a `global Store`, a star import after it), writing `globals()` or
calling `exec` / `eval`, anywhere in its module, is SG003 naming the line: the class that runs may
not be the one the gate read.

Names are resolved in the module's own scope (module-level statements, those under `if`, `try`,
`with`, `for` included): a class nested in a function does not make a module function of the same
name data. The names that make a class a shape rather than a store (`Protocol`, `Generic`, `ABC`,
`NamedTuple`, `TypedDict`, `object`), the class decorators known not to add methods
(`dataclass`, `runtime_checkable`, `final`, `total_ordering`) and the harmless metaclasses
(`ABCMeta`, `type`) are trusted only when the module imports them from their real module
(`typing`, `typing_extensions`, `abc`, `dataclasses`, `functools`, builtins), by any spelling
(`from typing import Protocol as P`, `import typing as t; t.Protocol`); otherwise each is an
ordinary base (followed, or SG004), decorator or metaclass (SG003).

Bases: a collection ABC or builtin container (`MutableMapping[str, X]`, `Sequence`, `Iterable`,
`dict`, `UserDict`, `Callable`, ... from `typing`, `collections.abc`, `collections` or builtins)
brings methods the class does not write: SG003 naming those the class does not define itself
(define them, or use composition); it is never SG004. A bare collection name the module neither
imports nor defines (a star import) is taken for the standard one. A base the gate cannot resolve to a name
(`make_base(...)`, `bases[0]`, `*mixins`): SG004. A metaclass other than `ABCMeta` / `type` may
add methods: SG003, like a class decorator that is not known to be harmless.

Text from the source that is not text - a lone surrogate written as an escape in a docstring
(`"\\ud800"`) - never reaches a report: in an `@access` docstring it is SG002 naming the line; in
a string annotation it is shown escaped.

Known limits, each a documented convention rather than a proof:

- A name assigned in a class body is taken for a class, hence data, when the module defines a
  class of that name, when it is a builtin or well-known data type, or when it is written in
  CapWords (PEP 8's convention for class names: `model_cls = ProductModel`,
  `model_cls = models.ProductModel`) and the module does not bind it to anything else. An imported
  function named in CapWords passes as data.
- An annotated data attribute whose value is a call that wraps no function of the module
  (`timeout: float = float(os.environ["T"])`) is taken at its annotation; an unannotated one is
  SG003. A descriptor class is recognised only when the module itself defines it.
- Instance members are seen only through the receiver (`self.x`, the first parameter of a method
  other than a `@staticmethod`); `self.x = param` is a method only when the parameter's
  annotation or default says it is callable. An unannotated parameter, an attribute of another
  object (`self.scan = self.client.scan`) and a call's result are taken for data.
- Only the governed class's own module is read for changes to it: another module that assigns
  its attributes (`store.Store.x = f`), `sys.modules` tricks, and a `__new__` that returns an
  object of another class are not seen. A dunder of the object protocol defined on the class
  (`__init_subclass__` aside) is not governed, and `__init_subclass__` is SG003 on the governed
  class itself too, where it only affects the classes deriving from it.
- A class used as an attribute's type is callable through its own `__call__`, a `Callable` base,
  or a base defined in the same module that is; a `Protocol` whose one other base is defined in
  another file is what that base is. A plain class that inherits `__call__` from a base in another
  file is taken for data, and a facet of methods (`admin: AdminOps`) is recognised only when its
  class is defined in the same module.
- An alias of a union of several named types (`Fn = Union[A, B]`) is what its first named type
  (not a well-known data type) is.
- An alias the gate cannot read (`Fn = make_type()`, `Fn = Any`) is left out of
  `type_definitions`: a member of that type is SG003, with the project's "defined nowhere" wording.
- The signature `--base` compares for a member typed by a named type is its annotation
  (`scan: ScanFn`): a change to the alias itself does not make the member "changed".
"""

from __future__ import annotations

import ast
import bisect
import builtins
import copy
import dataclasses
import importlib
import re
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from store_gate.display import one_line
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

Function = typing.Union[ast.FunctionDef, ast.AsyncFunctionDef]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _from(modules: str, names: str) -> frozenset[str]:
    """`typing.Protocol`, `typing_extensions.Protocol`, ...: each name in each module."""
    return frozenset(f"{module}.{name}" for module in modules.split() for name in names.split())


# Bases that make a class a store's shape, not a store the gate should look for - when they come
# from their real module.
_MARKER_BASES = (
    _from("typing typing_extensions", "Protocol Generic NamedTuple TypedDict")
    | _from("abc", "ABC ABCMeta")
    | frozenset({"builtins.object"})
)
# Class decorators known not to add methods.
_SAFE_CLASS_DECORATORS = _from("typing typing_extensions", "runtime_checkable final") | frozenset(
    {"dataclasses.dataclass", "functools.total_ordering"}
)
# Metaclasses known not to add methods.
_SAFE_METACLASSES = frozenset({"abc.ABCMeta", "builtins.type"})
_PROTOCOLS = _from("typing typing_extensions", "Protocol") | frozenset({"abc.ABC"})
_DATACLASS_FIELD = frozenset({"dataclasses.field"})
# Modules whose star import brings none of the module's own names.
_STANDARD_STARS = _names("typing typing_extensions abc collections collections.abc dataclasses functools")
_BUILTIN_NAMES = frozenset(dir(builtins))
_DYNAMIC = frozenset({"__getattr__", "__getattribute__"})
_DICT_WRITES = frozenset({"update", "setdefault", "__setitem__"})  # `self.__dict__.update(...)`
# Dunders through which a caller reads or writes the store's data without naming a method:
# `for x in store`, `len(store)`, `store[k]`, `k in store`, `store(...)`, `store |= items`.
_GOVERNED_DUNDERS = _names(
    """
    __iter__ __aiter__ __next__ __anext__ __reversed__ __len__ __length_hint__ __bool__ __contains__
    __getitem__ __setitem__ __delitem__ __missing__ __call__ __iadd__ __isub__ __imul__ __imatmul__
    __itruediv__ __ifloordiv__ __imod__ __ipow__ __ilshift__ __irshift__ __iand__ __ixor__ __ior__
    """
)
# The rest of Python's data model (the language reference's "Data model", the pickle and copy
# protocols, dataclasses' __post_init__, the attributes the interpreter sets on a class): the
# object protocol, not storage operations. Any other dunder is a member like any other.
_OBJECT_PROTOCOL = _names(
    """
    __new__ __init__ __del__ __repr__ __str__ __bytes__ __format__ __lt__ __le__ __eq__ __ne__ __gt__
    __ge__ __hash__ __setattr__ __delattr__ __dir__ __get__ __set__ __delete__ __set_name__
    __init_subclass__ __class_getitem__ __mro_entries__ __prepare__ __instancecheck__ __subclasscheck__
    __subclasshook__ __add__ __sub__ __mul__ __matmul__ __truediv__ __floordiv__ __mod__ __divmod__
    __pow__ __lshift__ __rshift__ __and__ __xor__ __or__ __radd__ __rsub__ __rmul__ __rmatmul__
    __rtruediv__ __rfloordiv__ __rmod__ __rdivmod__ __rpow__ __rlshift__ __rrshift__ __rand__ __rxor__
    __ror__ __neg__ __pos__ __abs__ __invert__ __complex__ __int__ __float__ __index__ __round__
    __trunc__ __floor__ __ceil__ __enter__ __exit__ __aenter__ __aexit__ __await__ __buffer__
    __release_buffer__ __copy__ __deepcopy__ __replace__ __reduce__ __reduce_ex__ __getstate__
    __setstate__ __getnewargs__ __getnewargs_ex__ __sizeof__ __fspath__ __post_init__ __slots__
    __match_args__ __doc__ __module__ __qualname__ __annotations__ __dict__ __weakref__
    __abstractmethods__ __orig_bases__ __parameters__ __type_params__ __firstlineno__
    __static_attributes__ __classcell__ __class__ __name__
    """
)
_COLLECTION = re.compile(
    r"\b(?:list|List|Sequence|MutableSequence|Iterable|Iterator|AsyncIterable|AsyncIterator|Generator"
    r"|AsyncGenerator|set|Set|frozenset|FrozenSet|dict|Dict|Mapping|MutableMapping|Collection|deque|Deque)\b"
    r"|\.\.\.\s*\]"
)
# Lines as `ast` numbers them: `str.splitlines` also splits at \x0c, \x1c-\x1e, \x85, U+2028/9.
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TRY_STAR: type = getattr(ast, "TryStar", ast.Try)

# Types -----------------------------------------------------------------------------------------

_CALLABLE_TYPES = _names(
    """
    Callable FunctionType LambdaType MethodType BuiltinFunctionType BuiltinMethodType partial
    partialmethod
    """
)
# Calls whose result is a function built from another: an attribute assigned one is a method.
_FUNCTION_WRAPPERS = _names(
    """
    staticmethod classmethod property cached_property partial partialmethod wraps update_wrapper
    singledispatchmethod MethodType FunctionType LambdaType
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


def _capwords(name: str) -> bool:
    """PEP 8's class names: `_*` then an ASCII capital, ASCII letters and digits, one lowercase at
    least (`ProductModel`, `_Impl`; not `MAX`, `scan`). String tests: linear in the name's length."""
    word = name.lstrip("_")
    return (
        word[:1].isascii()
        and word[:1].isupper()
        and word.isascii()
        and word.isalnum()
        and any(c.islower() for c in word[1:])
    )


def _source_lines(text: str) -> list[str]:
    """The source's lines, numbered as `ast` numbers them: split at \\n, \\r\\n and \\r only."""
    return _NEWLINE.split(text)


def _printable(text: str) -> str:
    """Source text as a report can write it: a lone surrogate (`"\\ud800"` in a string) escaped."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# The module's own scope --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Binding:
    """One way a module-level statement binds a name."""

    kind: typing.Literal["class", "function", "import", "value", "other"]
    node: ast.AST  # the statement (or expression) that binds it
    target: str = ""  # an import: what it imports ("typing.Protocol", "typing")
    value: ast.expr | None = None  # a value: the expression assigned to the name alone


class _Module:
    """What the rest of the module tells about a class body: the names it binds at module level
    (classes, functions, imports, values), its star imports, every class statement, and the
    statements that write an attribute of a name or call setattr on it."""

    def __init__(self, tree: ast.Module) -> None:
        self.bindings: dict[str, list[_Binding]] = {}
        self.stars: list[tuple[str, ast.ImportFrom]] = []
        definitions: list[ast.ClassDef] = []
        self.writes: list[tuple[str, ast.AST]] = []  # (name, statement or call) that may patch `name`
        self.passed: list[tuple[str, ast.Call]] = []  # (name, a call that receives it)
        self.rebinds: list[ast.stmt | ast.expr] = []  # writes to globals(), exec: may bind any name
        self.assignments: list[ast.AST] = []  # assignments and calls that may write an attribute
        for node in ast.walk(tree):  # once: a store of thousands of methods is a large tree
            if isinstance(node, ast.ClassDef):
                definitions.append(node)
            elif isinstance(node, ast.Global):
                for name in node.names:
                    self._bind(name, _Binding("other", node))
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if not isinstance(node, ast.AugAssign):
                    self.assignments.append(node)
                for target in _flat_targets(targets):
                    for root in _written_roots(target):
                        self.writes.append((root, node))
                    if isinstance(target, ast.Subscript) and _is_call(target.value, "globals"):
                        self.rebinds.append(node)
            elif isinstance(node, ast.Call):
                self._call(node)
        self.definitions = tuple(definitions)
        self.assignments.sort(key=lambda n: getattr(n, "lineno", 0))
        self._lines = [getattr(n, "lineno", 0) for n in self.assignments]
        self._scope(tree.body)
        # What the recursive questions below found, each asked once: a hierarchy or a chain of names
        # that branches at every step must not cost its number of paths.
        self.memo: dict[tuple[str, object], typing.Any] = {}

    def _call(self, node: ast.Call) -> None:
        """A call that may change a class it receives, or bind any name of the module."""
        function = node.func
        if _setattr_call(node) or (isinstance(function, ast.Attribute) and function.attr in _DICT_WRITES):
            self.assignments.append(node)
        if _setattr_call(node):
            holder = _dotted(node.args[0]) if node.args else None
            if holder is not None:
                self.writes.append((holder.split(".")[0], node))
        elif (isinstance(function, ast.Name) and function.id in ("exec", "eval")) or (
            isinstance(function, ast.Attribute)
            and function.attr in _DICT_WRITES
            and _is_call(function.value, "globals")
        ):
            self.rebinds.append(node)
        else:
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(argument, ast.Name):
                    self.passed.append((argument.id, node))

    def writes_within(self, function: Function) -> list[ast.AST]:
        """The assignments and calls (see `assignments`) on the lines of a function."""
        end = function.end_lineno or function.lineno
        low = bisect.bisect_left(self._lines, function.lineno)
        high = bisect.bisect_right(self._lines, end)
        return self.assignments[low:high]

    def _bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def _scope(self, body: Sequence[ast.stmt]) -> None:
        """The names module-level statements bind, those in compound statements included."""
        for statement in body:
            self._walrus(statement)
            if isinstance(statement, ast.ClassDef):
                self._bind(statement.name, _Binding("class", statement))
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._bind(statement.name, _Binding("function", statement))
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        self._bind(alias.asname, _Binding("import", statement, alias.name))
                    else:
                        head = alias.name.split(".")[0]
                        self._bind(head, _Binding("import", statement, head))
            elif isinstance(statement, ast.ImportFrom):
                origin = "." * statement.level + (statement.module or "")
                for alias in statement.names:
                    if alias.name == "*":
                        self.stars.append((origin, statement))
                    else:
                        imported = f"{origin}.{alias.name}" if statement.module else f"{origin}{alias.name}"
                        self._bind(alias.asname or alias.name, _Binding("import", statement, imported))
            elif isinstance(statement, ast.Assign):
                for assigned in statement.targets:
                    self._assign(assigned, statement.value, statement)
            elif isinstance(statement, ast.AnnAssign):
                if statement.value is not None:
                    self._assign(statement.target, statement.value, statement)
            elif isinstance(statement, (ast.AugAssign, ast.Delete)):
                targets = statement.targets if isinstance(statement, ast.Delete) else [statement.target]
                for name in (n for t in targets for n in _target_names(t)):
                    self._bind(name.id, _Binding("other", statement))
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                for name in _target_names(statement.target):
                    self._bind(name.id, _Binding("other", statement))
                self._scope(statement.body)
                self._scope(statement.orelse)
            elif isinstance(statement, (ast.While, ast.If)):
                self._scope(statement.body)
                self._scope(statement.orelse)
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:
                    if item.optional_vars is not None:
                        for name in _target_names(item.optional_vars):
                            self._bind(name.id, _Binding("other", statement))
                self._scope(statement.body)
            elif isinstance(statement, (ast.Try, _TRY_STAR)):
                for handler in getattr(statement, "handlers", []):
                    if handler.name:
                        self._bind(handler.name, _Binding("other", handler))
                    self._scope(handler.body)
                for part in ("body", "orelse", "finalbody"):
                    self._scope(getattr(statement, part, []))
            elif type(statement).__name__ == "Match":
                for case in getattr(statement, "cases", []):
                    for node in ast.walk(case.pattern):
                        for captured in (getattr(node, "name", None), getattr(node, "rest", None)):
                            if isinstance(captured, str):
                                self._bind(captured, _Binding("other", statement))
                    self._scope(case.body)
            elif type(statement).__name__ == "TypeAlias":
                named = getattr(statement, "name", None)
                if isinstance(named, ast.Name):
                    self._bind(named.id, _Binding("other", statement))

    def _assign(self, target: ast.expr, value: ast.expr, statement: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, _Binding("value", statement, value=value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            pairs = isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
            for index, element in enumerate(target.elts):
                if pairs and isinstance(value, (ast.Tuple, ast.List)) and not isinstance(element, ast.Starred):
                    self._assign(element, value.elts[index], statement)
                else:
                    for name in _target_names(element):
                        self._bind(name.id, _Binding("other", statement))
        elif isinstance(target, ast.Starred):
            for name in _target_names(target):
                self._bind(name.id, _Binding("other", statement))

    def _walrus(self, statement: ast.stmt) -> None:
        """`(x := ...)` in a module-level statement's own expressions binds x in the module."""
        for _, value in ast.iter_fields(statement):
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, ast.expr):
                    for node in ast.walk(part):
                        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                            self._bind(node.target.id, _Binding("other", node))

    def resolve(self, dotted: str) -> str | None:
        """What a dotted name refers to, as a module path: `typing.Protocol` for `Protocol` imported
        from typing or `t.Protocol` after `import typing as t`; `builtins.object` for a builtin the
        module does not bind. None when the module binds it otherwise, in several ways, or when a
        star import may have bound it (or bound it again after its import)."""
        head, _, rest = dotted.partition(".")
        suffix = f".{rest}" if rest else ""
        bindings = self.bindings.get(head)
        if bindings:
            targets = {b.target for b in bindings}
            last = max(getattr(b.node, "lineno", 0) for b in bindings)
            rebound = any(m not in _STANDARD_STARS and s.lineno > last for m, s in self.stars)
            if len(targets) == 1 and all(b.kind == "import" for b in bindings) and not rebound:
                return targets.pop() + suffix
            return None
        modules = {module for module, _ in self.stars}
        if head in _BUILTIN_NAMES and modules <= _STANDARD_STARS:
            return f"builtins.{dotted}"
        if len(modules) == 1:
            return f"{modules.pop()}.{dotted}"
        return None

    def qualified(self, node: ast.expr) -> str | None:
        """`resolve` of the class or function an expression names (`Base[T]`, `dataclass(...)`)."""
        while isinstance(node, (ast.Subscript, ast.Call)):
            node = node.value if isinstance(node, ast.Subscript) else node.func
        dotted = _dotted(node)
        return self.resolve(dotted) if dotted else None

    def trusted(self, node: ast.expr, known: frozenset[str]) -> bool:
        """Does the expression name one of the `known` classes or functions (`typing.Protocol`, ...)?
        Imported from its real module; or a bare name the module never binds, with no star import:
        the class statement would raise NameError, so no class could hide a method behind it."""
        if self.qualified(node) in known:
            return True
        while isinstance(node, (ast.Subscript, ast.Call)):
            node = node.value if isinstance(node, ast.Subscript) else node.func
        if not isinstance(node, ast.Name) or node.id in self.bindings or self.stars:
            return False
        return any(name.rsplit(".", 1)[-1] == node.id for name in known)

    def own_class(self, name: str) -> ast.ClassDef | None:
        """The module's class of that name, when every module-level binding of it is a class statement."""
        bindings = self.bindings.get(name, [])
        if bindings and all(b.kind == "class" for b in bindings):
            node = bindings[-1].node
            assert isinstance(node, ast.ClassDef)
            return node
        return None

    def function(self, name: str) -> Function | ast.Lambda | None:
        """The function a module-level name is bound to (a def, a lambda, a name bound to one, eight
        links at most), if any of its bindings binds one: a module-level def wins over anything else."""
        key = ("function", name)
        if key not in self.memo:
            self.memo[key] = None  # a cycle (`a = b`, `b = a`) binds no function
            pending, seen = [name], {name}
            for _ in range(8):
                following: list[str] = []
                for current in pending:
                    for binding in self.bindings.get(current, []):
                        if binding.kind == "function" or (
                            binding.kind == "value" and isinstance(binding.value, ast.Lambda)
                        ):
                            found = binding.node if binding.kind == "function" else binding.value
                            self.memo[key] = found
                            return typing.cast("Function | ast.Lambda", found)
                        named = binding.value.id if isinstance(binding.value, ast.Name) else None
                        if binding.kind == "value" and named is not None and named not in seen:
                            seen.add(named)
                            following.append(named)
                pending = following
        found_function: Function | ast.Lambda | None = self.memo[key]
        return found_function

    def aliases(self, name: str) -> set[str]:
        """The name and the module-level names bound to it (`S = Store`), however many links."""
        if ("aliases", None) not in self.memo:
            index: dict[str, list[str]] = {}
            for alias, bindings in self.bindings.items():
                for binding in bindings:
                    if binding.kind == "value" and isinstance(binding.value, ast.Name):
                        index.setdefault(binding.value.id, []).append(alias)
            self.memo[("aliases", None)] = index
        index = self.memo[("aliases", None)]
        found, pending = {name}, [name]
        while pending:
            for alias in index.get(pending.pop(), []):
                if alias not in found:
                    found.add(alias)
                    pending.append(alias)
        return found


def _written_roots(target: ast.expr) -> list[str]:
    """The names whose attributes an assignment target writes: `Store.x` and `Store.__dict__[k]`
    and `vars(Store)[k]` write Store's."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [root for element in target.elts for root in _written_roots(element)]
    if isinstance(target, ast.Starred):
        return _written_roots(target.value)
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return [target.value.id]
    if isinstance(target, ast.Subscript):
        holder = target.value
        if isinstance(holder, ast.Attribute) and holder.attr == "__dict__" and isinstance(holder.value, ast.Name):
            return [holder.value.id]
        if _is_call(holder, "vars") and isinstance(holder, ast.Call) and holder.args:
            first = holder.args[0]
            return [first.id] if isinstance(first, ast.Name) else []
    return []


def _is_call(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _setattr_call(node: ast.Call) -> bool:
    """`setattr(x, ...)`, `object.__setattr__(x, ...)`, `type.__setattr__(x, ...)`."""
    function = node.func
    return (isinstance(function, ast.Name) and function.id == "setattr") or (
        isinstance(function, ast.Attribute) and function.attr == "__setattr__"
    )


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
    """A string annotation parsed (`"Callable[[], X]"`); any other node as it is; None when unparsable
    (a syntax error, a NUL character, a lone surrogate)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, MemoryError):  # a NUL before Python 3.11; too complex
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


def _optional(annotation: ast.expr | None, depth: int = 0) -> bool:
    """Does the type admit None (`Optional[X]`, `X | None`, `Union[X, None]`, `None`)?"""
    node = _parsed(annotation) if annotation is not None else None
    if node is None or depth > 20:
        return False
    if isinstance(node, ast.Constant) and node.value is None:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _optional(node.left, depth + 1) or _optional(node.right, depth + 1)
    if not isinstance(node, ast.Subscript):
        return False
    name = _last(node.value)
    arguments = _elements(node.slice)
    if name == "Optional":
        return True
    if name == "Union":
        return any(_optional(a, depth + 1) for a in arguments)
    if name in _WRAPPERS:
        return _optional(arguments[0], depth + 1)
    return False


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


def _function_shape(function: Function | ast.Lambda, receiver: bool) -> FunctionShape:
    """A function's parameters (less the receiver, when it is bound as a method) and return type."""
    if isinstance(function, ast.Lambda):
        return FunctionShape(tuple(_arguments(function.args, receiver)), None, False)
    decorators = {_name_of(d) for d in function.decorator_list}
    parameters = _arguments(function.args, receiver and "staticmethod" not in decorators)
    return_type = _annotation(function.returns) or None
    return FunctionShape(tuple(parameters), return_type, bool(return_type and _COLLECTION.search(return_type)))


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
    except MemoryError:
        # CPython's parser gives up on some deep nestings ("too complex to parse") this way.
        result.problems.append(
            SourceProblem(
                "SG002",
                SourceLocation(path, 1, 1),
                "too complex for Python's parser (nested too deeply); the gate cannot see the methods it may hide - "
                "split the expression",
            )
        )
        return result
    except SyntaxError as exc:
        # An unparsable Python file yields nothing at all: report it whenever it names a
        # governed class (the prefilter's condition), so nothing hides behind it.
        line = exc.lineno or 1
        column = _column(text, line, (exc.offset or 1) - 1, characters=True)
        message = exc.msg
        result.problems.append(
            SourceProblem(
                "SG002",
                SourceLocation(path, line, column),
                f"syntax error: {_printable(message)}; the gate cannot see the methods it may hide - fix the syntax",
            )
        )
        return result
    except ValueError as exc:  # a NUL character or a lone surrogate: text no Python source holds
        result.problems.append(
            SourceProblem(
                "SG002",
                SourceLocation(path, 1, 1),
                f"not Python source text ({one_line(_printable(str(exc)), 120)}); the gate cannot see the methods "
                "it may hide - save the file as UTF-8",
            )
        )
        return result
    lines = _source_lines(text)
    module = _Module(tree)
    governed: set[str] = set()
    for node in module.definitions:
        if node.name in wanted:
            governed.add(node.name)
            trait, problems = _class(path, lines, node, module)
            result.traits.append(trait)
            result.problems.extend(problems)
    for name in sorted(governed):
        result.problems.extend(_patches(path, lines, name, module))
    return result


def _summary(node: ast.AST) -> str:
    """A statement's first line, bounded, for a message."""
    text = ast.unparse(node).split("\n", 1)[0]
    return one_line(_printable(text), 80)


def _patches(path: str, lines: list[str], name: str, module: _Module) -> list[SourceProblem]:
    """What changes a governed class outside its class statement: the name bound again, an
    attribute assigned, setattr; each SG003 naming its line."""
    problems: list[SourceProblem] = []
    bindings = module.bindings.get(name, [])
    for binding in bindings:
        if binding.kind == "class":
            continue
        node = binding.node
        assert isinstance(node, (ast.stmt, ast.expr, ast.excepthandler))
        problems.append(
            SourceProblem(
                "SG003",
                SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset)),
                f"{name} is bound again here ({_summary(node)}): the class it names at run time may have methods "
                f"the gate cannot see; keep {name} one class statement and write its methods in it",
                name,
            )
        )
    for node in module.rebinds:
        problems.append(
            SourceProblem(
                "SG003",
                _at(path, lines, node),
                f"{name} may be bound again here ({_summary(node)}): the class it names at run time may have "
                f"methods the gate cannot see; bind names with plain statements",
                name,
            )
        )
    first = min((b.node.lineno for b in bindings if isinstance(b.node, ast.ClassDef)), default=None)
    for origin, star in module.stars:
        if first is not None and star.lineno > first and origin not in _STANDARD_STARS:
            problems.append(
                SourceProblem(
                    "SG003",
                    _at(path, lines, star),
                    f"{name} may be bound again here by `from {one_line(origin, 80)} import *`: the class it names "
                    f"at run time may have methods the gate cannot see; import names one by one",
                    name,
                )
            )
    aliases = module.aliases(name)  # `S = Store`: writing S's attributes writes Store's
    rebound = {getattr(b.node, "lineno", 0) for b in bindings if b.kind != "class"}
    for held, call in module.passed:
        if held in aliases and _last(call.func) not in _HARMLESS_CALLS and call.lineno not in rebound:
            problems.append(
                SourceProblem(
                    "SG003",
                    _at(path, lines, call),
                    f"{name} is passed to {one_line(_printable(ast.unparse(call.func)), 80)}(...) here, which may add "
                    f"methods the gate cannot see; define them in {name} with def",
                    name,
                )
            )
    for root, node in module.writes:
        if root not in aliases:
            continue
        if isinstance(node, ast.Call):
            member = node.args[1] if len(node.args) > 1 else None
            if isinstance(member, ast.Constant) and isinstance(member.value, str) and _ungoverned_dunder(member.value):
                continue
            written = _summary(node)
        else:
            assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            members = [t.attr for t in _flat_targets(targets) if isinstance(t, ast.Attribute)]
            if members and all(_ungoverned_dunder(m) for m in members):
                continue  # `Store.__doc__ = ...`: the object protocol, no method
            written = one_line(_printable(", ".join(ast.unparse(t) for t in targets)), 80) + " = ..."
        problems.append(
            SourceProblem(
                "SG003",
                _at(path, lines, node),
                f"{name} is patched here ({written}): a method added outside the class statement is one the gate "
                f"cannot see; define it in {name} with def",
                name,
            )
        )
    return problems


# Calls that read a class they receive, never change it.
_HARMLESS_CALLS = _names(
    """
    isinstance issubclass cast TypeVar NewType type id repr str print hash hasattr getattr callable super
    assert_type reveal_type get_type_hints vars dir format
    """
)


def _flat_targets(targets: Sequence[ast.expr]) -> list[ast.expr]:
    flat: list[ast.expr] = []
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            flat += _flat_targets(target.elts)
        elif isinstance(target, ast.Starred):
            flat += _flat_targets([target.value])
        else:
            flat.append(target)
    return flat


def type_definitions(
    path: str, text: str, names: frozenset[str], language: str = "python", root: typing.Any = None
) -> dict[str, TypeDefinition]:
    """Named types among `names` defined in the file: aliases (`ScanFn = Callable[[], list[X]]`,
    `ScanFn: TypeAlias = ...`, `type ScanFn = ...`, `NewType`), and classes (a function type when
    it has `__call__`, its own or a base's, or a `Callable` base; a collection when it derives from
    one; else data). An alias of something the gate cannot read (a call, `Any`) is left out: the
    project reports members of that type as SG003."""
    try:
        tree = ast.parse(text, filename=path, type_comments=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # a NUL before 3.11; too complex
        return {}  # a member typed by one of `names` is then SG003, never governed by a guess
    module = _Module(tree)
    found: dict[str, TypeDefinition] = {}
    type_alias = getattr(ast, "TypeAlias", None)  # `type X = ...`: Python 3.12+
    for statement in _module_statements(tree.body):
        definition: TypeDefinition | None = None
        if isinstance(statement, ast.ClassDef) and statement.name in names:
            name, definition = statement.name, _class_type(statement, module)
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


def _class_type(node: ast.ClassDef, module: _Module, depth: int = 0) -> TypeDefinition | None:
    """What `_class_type_of` finds, once per class (a cycle of bases is data: Python refuses it)."""
    key = ("type", id(node))
    if key not in module.memo:
        module.memo[key] = TypeDefinition()
        module.memo[key] = _class_type_of(node, module, depth)
    found: TypeDefinition | None = module.memo[key]
    return found


def _class_type_of(node: ast.ClassDef, module: _Module, depth: int) -> TypeDefinition | None:
    """A class as a type: a function type when its instances are called (its own `__call__`, a
    `Callable` base, a base of the module that is one), a collection when it derives from one, data
    otherwise. A `Protocol` whose other base is defined in another file is what that base is (None -
    left out, SG003 - when there are several such bases: the gate cannot tell which it is)."""
    function: FunctionShape | None = None
    collection = False
    elsewhere: list[str] = []
    for base in node.bases:
        base_name = _last(base.value if isinstance(base, ast.Subscript) else base) or ""
        if base_name in _CALLABLE_TYPES:
            function = _callable_shape(base)
        elif _COLLECTION.fullmatch(base_name):
            collection = True
        elif module.trusted(base, _MARKER_BASES) or not base_name:
            continue
        else:
            plain = base.value if isinstance(base, ast.Subscript) else base
            own = module.own_class(plain.id) if isinstance(plain, ast.Name) else None
            if own is None or own is node or depth >= 50:
                elsewhere.append(base_name)
                continue
            inherited = _class_type(own, module, depth + 1)
            if inherited is None:
                return None
            function = function or inherited.function
            collection = collection or inherited.collection
            if inherited.alias_of:
                elsewhere.append(inherited.alias_of)
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
    protocol = any(module.trusted(b, _from("typing typing_extensions", "Protocol")) for b in node.bases)
    if function is None and protocol and elsewhere:
        if len(elsewhere) > 1:
            return None
        return TypeDefinition(collection=collection, alias_of=elsewhere[0])
    return TypeDefinition(function=function, collection=collection)


def _column(text_or_lines: str | list[str], line: int, offset: int, characters: bool = False) -> int:
    """1-based column in characters. `ast` gives UTF-8 byte offsets; SyntaxError gives characters."""
    if characters:
        return offset + 1
    lines = _source_lines(text_or_lines) if isinstance(text_or_lines, str) else text_or_lines
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(source.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "replace")) + 1


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
    if head in module.bindings:
        resolved = module.resolve(dotted)
        if resolved is None:
            return None  # the module's own class of that name, or a name it binds otherwise
        qualified = resolved
    elif rest:
        qualified = dotted
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


@dataclass
class _Context:
    """Where a governed class is read: its file, the module around it, what it found wrong."""

    path: str
    lines: list[str]
    module: _Module
    trait: str
    problems: list[SourceProblem] = field(default_factory=list)

    def at(self, node: ast.stmt | ast.expr) -> SourceLocation:
        return _at(self.path, self.lines, node)

    def opaque(self, node: ast.stmt | ast.expr, message: str) -> None:
        self.problems.append(SourceProblem("SG003", self.at(node), message, self.trait))


def _heritage(context: _Context, node: ast.ClassDef, defined: set[str]) -> tuple[list[Heritage], list[SourceProblem]]:
    name, module = context.trait, context.module
    bases: list[Heritage] = []
    problems: list[SourceProblem] = []
    for base in node.bases:
        written = ast.unparse(base)
        location = context.at(base)
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
        # `Protocol`, `ABC`, ... only from their real module: a `Protocol` of the project's own
        # (`from lib.bases import Protocol`) is a base like any other.
        bases.append(Heritage(base_name, written, location, standard=module.trusted(base, _MARKER_BASES)))
    for keyword in node.keywords:
        if keyword.arg is None:  # `class X(**options)`: may set a metaclass
            written = f"**{ast.unparse(keyword.value)}"
        elif keyword.arg == "metaclass" and not module.trusted(keyword.value, _SAFE_METACLASSES):
            written = ast.unparse(keyword.value)
        else:
            continue
        problems.append(
            SourceProblem(
                "SG003",
                context.at(keyword.value),
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
    context = _Context(path, lines, module, name)
    for decorator in node.decorator_list:
        if not module.trusted(decorator, _SAFE_CLASS_DECORATORS):
            context.opaque(
                decorator,
                f"{name} has the class decorator @{ast.unparse(decorator)}, which may add methods the gate "
                "cannot see; write them in the class",
            )
    groups: dict[str, list[Function]] = {}
    attributes: dict[str, Method] = {}
    typed: dict[str, list[TypedMember]] = {}
    defined: set[str] = set()  # every member name the body defines
    scope: dict[str, FunctionShape | None] = {}  # what the body's names hold so far (`get = _get`)
    type_alias = getattr(ast, "TypeAlias", None)
    body = node.body
    for index, statement in enumerate(body):
        for bound in _assigned_targets(statement):
            for named in _target_names(bound):
                scope.pop(named.id, None)  # bound to something else now: the module's, or nothing
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.add(statement.name)
            scope[statement.name] = _function_shape(statement, receiver=True)
            if statement.name in _DYNAMIC or statement.name == _SUBCLASS_HOOK:
                context.problems.append(_dynamic(context, statement, statement.name))
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
            if member in _DYNAMIC or member == _SUBCLASS_HOOK:
                context.problems.append(_dynamic(context, statement, member))
                continue
            if _ungoverned_dunder(member) or member in groups:
                continue
            annotation = ast.unparse(_normal(statement.annotation))
            value = statement.value
            shape = _function_value(value, module, True, _shadowing(scope, value)) if value is not None else None
            if shape is not None:  # `scan: int = _scan`: the value decides, not the annotation
                attributes[member] = _assigned(
                    context, member, statement.target, shape, _following(body, index), _written(statement)
                )
                typed.pop(member, None)
                continue
            suspect = _suspect_value(value, module) if value is not None else None
            if suspect is not None:
                context.opaque(
                    statement.target,
                    f"{name}.{member} is annotated {one_line(annotation, 80)} but assigned {suspect}: it may be a "
                    "method whose signature the gate cannot see; define it with def",
                )
                continue
            kind = _classify(statement.annotation)
            bare = _last(_normal(statement.annotation)) in _QUALIFIERS  # `X: Final = 25`: the value tells
            if bare and value is not None and _data_value(value, module):
                continue
            if kind.callable is not None:
                attributes[member] = _attribute(context, statement, body, index, _callable_shape(kind.callable))
            elif kind.opaque is not None:
                context.opaque(
                    statement.target,
                    f"{name}.{member} is annotated {kind.opaque}: the gate cannot tell whether it is a method; "
                    "annotate it with its data type, or define it with def if it is one",
                )
            elif kind.names:
                facet = _facet(kind.names, module)
                if facet is not None:
                    context.opaque(statement.target, _facet_message(name, member, facet))
                    continue
                method = _attribute(context, statement, body, index, None)
                typed[member] = [TypedMember(method, type_name) for type_name in kind.names]
        elif isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [statement.target]  # an AnnAssign here has a target that is not a name
            )
            names = [n.id for t in targets for n in _target_names(t)]
            defined.update(names)
            dynamic = [n for n in names if n in _DYNAMIC or n == _SUBCLASS_HOOK]
            if dynamic:
                context.problems.append(_dynamic(context, statement, dynamic[0]))
                continue
            value = statement.value
            target = targets[0]
            if (
                isinstance(statement, ast.Assign)
                and len(targets) == 1
                and isinstance(target, ast.Name)
                and not _ungoverned_dunder(target.id)
            ):
                shape = _function_value(statement.value, module, True, _shadowing(scope, statement.value))
                if shape is not None:  # `scan = lambda self: ...`, `scan = _scan`, `__call__ = get`: a method
                    attributes[target.id] = _assigned(
                        context, target.id, target, shape, _following(body, index), _written(statement)
                    )
                    typed.pop(target.id, None)
                    continue
            simple = all(_simple_target(t) for t in targets)
            governed = [n for n in names if not _ungoverned_dunder(n)]
            if simple and (not governed or (value is not None and _data_value(value, module))):
                continue  # data: a literal or a class, or an object-protocol dunder
            context.opaque(
                statement,
                f"{name} assigns {', '.join(ast.unparse(t) for t in targets)} from elsewhere; if it is a "
                "method the gate cannot see its signature - define it with def",
            )
        else:
            context.opaque(
                statement,
                f"{name} contains a {type(statement).__name__.lower()} statement the gate cannot analyse "
                "(conditional or generated members)",
            )
    taken = set(groups) | set(attributes) | set(typed)
    instance_methods, instance_typed = _instance_members(context, node, taken)
    attributes.update(instance_methods)
    typed.update(instance_typed)
    methods = {member: _group(context, definitions) for member, definitions in groups.items()}
    bases, heritage_problems = _heritage(context, node, defined)
    problems = heritage_problems + context.problems
    for member, method in attributes.items():
        methods.setdefault(member, method)
    location = SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset) + len("class "))
    typed_members = tuple(t for members in typed.values() for t in members)
    return TraitDefinition(name, location, tuple(bases), tuple(methods.values()), typed_members), problems


_SUBCLASS_HOOK = "__init_subclass__"


def _shadowing(scope: dict[str, FunctionShape | None], value: ast.expr) -> dict[str, FunctionShape | None] | None:
    """The class body's own function of the name a value is, if it has one (else the module decides)."""
    if isinstance(value, ast.Name) and value.id in scope:
        return {value.id: scope[value.id]}
    return None


def _ungoverned_dunder(member: str) -> bool:
    """Part of Python's object protocol, not a storage operation (`__init__`, `__repr__`, ...)."""
    return member in _OBJECT_PROTOCOL


def _dynamic(context: _Context, statement: ast.stmt, member: str) -> SourceProblem:
    trait = context.trait
    if member == _SUBCLASS_HOOK:
        message = (
            f"{trait} defines {member}, which may add methods the gate cannot see to the classes deriving from "
            "it; write them in each class with def"
        )
    else:
        message = f"{trait} defines {member}, so any attribute may be a method the gate cannot see"
    return SourceProblem("SG003", context.at(statement), message, trait)


def _written(statement: ast.stmt) -> str:
    """An assignment as `--base` compares it: written by `ast.unparse`, bounded."""
    return one_line(_printable(ast.unparse(statement)), 200)


def _following(body: Sequence[ast.stmt], index: int) -> ast.stmt | None:
    return body[index + 1] if index + 1 < len(body) else None


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


# What a value is -------------------------------------------------------------------------------


def _function_value(
    value: ast.expr, module: _Module, receiver: bool, local: dict[str, FunctionShape | None] | None = None
) -> FunctionShape | None:
    """The shape of the function a value is: a lambda, a name the method's scope (`local`) or the
    module binds to a function. `receiver`: bound as a method, so its first parameter is not passed."""
    if isinstance(value, ast.Lambda):
        return _function_shape(value, receiver)
    if isinstance(value, ast.Name):
        if local is not None and value.id in local:
            return local[value.id]
        function = module.function(value.id)
        if function is not None:
            return _function_shape(function, receiver)
    return None


def _suspect_value(value: ast.expr, module: _Module, names: bool = True, depth: int = 0) -> str | None:
    """Why an attribute's value may be a method whatever its annotation says (None: no reason): it
    is or picks a function, calls a wrapper of one (`staticmethod(f)`, `partial(f)`), passes one
    to a call, instantiates a class of the module that is a descriptor or callable, or (`names`) is
    a lowercase name the module does not bind to data."""
    if depth > 20:
        return _shown(value)
    if isinstance(value, ast.Lambda):
        return f"{_shown(value)}, a lambda"
    if isinstance(value, ast.IfExp):
        return _suspect_value(value.body, module, names, depth + 1) or _suspect_value(
            value.orelse, module, names, depth + 1
        )
    if isinstance(value, ast.BoolOp):
        for part in value.values:
            found = _suspect_value(part, module, names, depth + 1)
            if found:
                return found
        return None
    if isinstance(value, ast.NamedExpr):
        return _suspect_value(value.value, module, names, depth + 1)
    if isinstance(value, ast.Name) and module.function(value.id) is not None:
        return f"{_shown(value)}, a function"
    if isinstance(value, ast.Call):
        if module.trusted(value.func, _DATACLASS_FIELD):
            return None  # `field(default_factory=...)`: the factory's result is the value
        callee = _last(value.func) if not isinstance(value.func, ast.Call) else None
        if callee in _FUNCTION_WRAPPERS:
            return f"{_shown(value)}, which wraps a function"
        own = module.own_class(value.func.id) if isinstance(value.func, ast.Name) else None
        hook = _class_hook(own, module) if own is not None else None
        if hook is not None:
            return f"{_shown(value)}, an instance of a class that defines {hook}"
        for argument in [*value.args, *(k.value for k in value.keywords)]:
            if isinstance(argument, ast.Lambda) or (
                isinstance(argument, ast.Name) and module.function(argument.id) is not None
            ):
                return f"{_shown(value)}, which passes a function"
        if isinstance(value.func, ast.Call):
            return _suspect_value(value.func, module, names, depth + 1)
        return None
    if names and isinstance(value, (ast.Name, ast.Attribute)) and not _data_value(value, module):
        last = _last(value) or ""
        if not (last.isupper() or _capwords(last)):
            return f"{_shown(value)}, which may be a function"
    return None


def _shown(node: ast.AST) -> str:
    """An expression as a message quotes it: one line, bounded."""
    return one_line(_printable(ast.unparse(node)), 80)


_HOOKS = ("__set_name__", "__get__", "__call__")
_NO_SHAPE = FunctionShape((), None, False)


def _class_hook(node: ast.ClassDef, module: _Module, depth: int = 0) -> str | None:
    """The dunder by which an instance of a class may become or add a method (`__set_name__`,
    `__get__`, `__call__`), its own or a base's of the module; once per class."""
    key = ("hook", id(node))
    if key not in module.memo:
        module.memo[key] = None
        module.memo[key] = _class_hook_of(node, module, depth)
    found: str | None = module.memo[key]
    return found


def _class_hook_of(node: ast.ClassDef, module: _Module, depth: int) -> str | None:
    for statement in node.body:
        names = (
            [statement.name]
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            else [n.id for t in _assigned_targets(statement) for n in _target_names(t)]
        )
        for hook in _HOOKS:
            if hook in names:
                return hook
    for base in node.bases:
        plain = base.value if isinstance(base, ast.Subscript) else base
        own = module.own_class(plain.id) if isinstance(plain, ast.Name) else None
        if own is not None and own is not node and depth < 8:
            found = _class_hook(own, module, depth + 1)
            if found:
                return found
    return None


def _assigned_targets(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, ast.Assign):
        return list(statement.targets)
    if isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        return [statement.target]
    return []


def _facet(type_names: list[str], module: _Module) -> str | None:
    """The first of the types that is a class of methods of the module (not callable): a member of
    that type hands out methods the store does not declare."""
    for type_name in type_names:
        own = module.own_class(type_name)
        if own is None:
            continue
        kind = _class_type(own, module)
        if kind is not None and kind.function is None and _of_methods(own, module):
            return type_name
    return None


def _of_methods(node: ast.ClassDef, module: _Module, depth: int = 0) -> bool:
    """A class of methods, its own or from bases of the module: a `Protocol` or ABC with methods,
    or a class with methods and no data (no fields, no other base, no decorator, no `self.x = ...`).
    Once per class."""
    key = ("methods", id(node))
    if key not in module.memo:
        module.memo[key] = False
        module.memo[key] = _of_methods_of(node, module, depth)
    found: bool = module.memo[key]
    return found


def _of_methods_of(node: ast.ClassDef, module: _Module, depth: int) -> bool:
    functions = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    methods = any(not _ungoverned_dunder(f.name) for f in functions)
    protocol = False
    for base in node.bases:
        if module.trusted(base, _PROTOCOLS):
            protocol = True
            continue
        plain = base.value if isinstance(base, ast.Subscript) else base
        own = module.own_class(plain.id) if isinstance(plain, ast.Name) else None
        if own is not None and own is not node and depth < 50 and _of_methods(own, module, depth + 1):
            methods = True
        elif not module.trusted(base, _MARKER_BASES):
            return False  # a base that may hold data: `BaseModel`, a dataclass of the module
    if not methods:
        return False
    if protocol:
        return True
    if node.keywords or node.decorator_list:
        return False
    if any(isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)) for s in node.body):
        return False
    for function in functions:
        positional = [*function.args.posonlyargs, *function.args.args]
        receiver = positional[0].arg if positional else None
        for sub in ast.walk(function):
            if (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.ctx, ast.Store)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == receiver
            ):
                return False
    return True


def _facet_message(trait: str, member: str, type_name: str) -> str:
    return (
        f"{trait}.{member} is a member typed by {type_name}, a class of methods: declare its methods on the store "
        f"or govern {type_name} as a store"
    )


def _data_value(node: ast.expr, module: _Module, names: bool = True, depth: int = 0) -> bool:
    """Is the value a literal (or built of literals), or a class? (`names`: may it be a class?)"""
    if depth > 50:
        return False
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_data_value(e, module, names, depth + 1) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _data_value(node.value, module, names, depth + 1)
    if isinstance(node, ast.Dict):
        return all(k is None or _data_value(k, module, names, depth + 1) for k in node.keys) and all(
            _data_value(v, module, names, depth + 1) for v in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _data_value(node.operand, module, False, depth + 1)
    if isinstance(node, ast.BinOp):
        return _data_value(node.left, module, False, depth + 1) and _data_value(node.right, module, False, depth + 1)
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id in _LITERAL_CALLS
            and node.func.id not in module.bindings
            and all(_data_value(a, module, names, depth + 1) for a in node.args)
            and all(_data_value(k.value, module, names, depth + 1) for k in node.keywords)
        )
    if names and isinstance(node, ast.Name) and node.id in module.bindings:
        return _bound_data(node.id, module, depth)
    if names and isinstance(node, (ast.Name, ast.Attribute)):
        last = _last(node)
        return last is not None and (last in _DATA_TYPES or last in _CONTAINER_TYPES or _capwords(last))
    return False


def _bound_data(name: str, module: _Module, depth: int) -> bool:
    """Does the module bind the name to classes and data only (a module-level def wins over anything)?
    Once per name; a cycle (`a = b`, `b = a`) and a chain of more than eight names are not data."""
    key = ("data", name)
    if key not in module.memo:
        module.memo[key] = False
        module.memo[key] = _bound_data_of(name, module, depth)
    found: bool = module.memo[key]
    return found


def _bound_data_of(name: str, module: _Module, depth: int) -> bool:
    if module.function(name) is not None:
        return False
    for binding in module.bindings.get(name, []):
        if binding.kind == "class":
            continue
        if binding.kind == "value" and binding.value is not None:
            if depth < 8 and _data_value(binding.value, module, True, depth + 1):
                continue
            return False
        if binding.kind == "import":
            imported = binding.target.rsplit(".", 1)[-1]
            if imported in _DATA_TYPES or imported in _CONTAINER_TYPES or _capwords(imported):
                continue
        return False
    return True


# Instance members ------------------------------------------------------------------------------


@dataclass
class _Instance:
    """What the methods of a class assign through their receiver, as the scan finds it."""

    context: _Context
    taken: set[str]  # members the class body defines as methods already
    methods: dict[str, Method] = field(default_factory=dict)
    typed: dict[str, list[TypedMember]] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)

    def member(
        self,
        scope: _Scope,
        attribute: str,
        value: ast.expr | None,
        annotation: ast.expr | None,
        where: ast.expr,
        statement: ast.AST,
    ) -> None:
        """`self.<attribute>[: annotation] = value`: a method, a member of a named type, SG003, or data."""
        context, module = self.context, self.context.module
        if _ungoverned_dunder(attribute) or attribute in _DYNAMIC or attribute in self.taken:
            return
        shape = _function_value(value, module, scope.bound, scope.local) if value is not None else None
        kind = _classify(annotation) if annotation is not None else None
        if shape is None and kind is not None and kind.callable is not None:
            shape = _callable_shape(kind.callable)
        if shape is not None:
            if attribute not in self.methods:
                doc = scope.after.get(id(statement))
                signature = _member_signature(where, annotation, value)
                self.methods[attribute] = _assigned(context, attribute, where, shape, doc, signature)
            return
        suspect = _suspect_value(value, module, names=False) if value is not None else None
        if suspect is not None:
            self.opaque(where, attribute, f"is assigned {suspect} in {scope.function.name}")
        elif kind is not None and kind.opaque is not None:
            self.opaque(where, attribute, f"(assigned in {scope.function.name}) is annotated {kind.opaque}")
        elif kind is not None and kind.names:
            facet = _facet(kind.names, module)
            if facet is not None:
                if attribute not in self.reported:
                    self.reported.add(attribute)
                    context.opaque(where, _facet_message(context.trait, attribute, facet))
            elif attribute not in self.typed:
                signature = _member_signature(where, annotation, value)
                method = _assigned(context, attribute, where, _NO_SHAPE, scope.after.get(id(statement)), signature)
                self.typed[attribute] = [TypedMember(method, n) for n in kind.names]

    def opaque(self, where: ast.expr, attribute: str, reason: str) -> None:
        if attribute not in self.reported:
            self.reported.add(attribute)
            self.context.opaque(
                where,
                f"{self.context.trait}.{attribute} {reason}: it may be a method whose signature the gate cannot see; "
                "define it in the class with def",
            )


def _member_signature(where: ast.expr, annotation: ast.expr | None, value: ast.expr | None) -> str:
    """What `--base` compares for an instance member: `self.x: T = value`, written by `ast.unparse`."""
    written = ast.unparse(where)
    if annotation is not None:
        written += f": {ast.unparse(_normal(annotation))}"
    if value is not None:
        written += f" = {ast.unparse(value)}"
    return one_line(_printable(written), 200)


@dataclass
class _Scope:
    """One method of the class, as the instance scan reads it."""

    function: Function
    receiver: str  # self, cls
    bound: bool  # a classmethod: `cls.x = f` binds f's first parameter
    local: dict[str, FunctionShape | None]  # its own names, and the function each holds
    after: dict[int, ast.stmt]  # each of its statements and the one after it


def _instance_members(
    context: _Context, node: ast.ClassDef, taken: set[str]
) -> tuple[dict[str, Method], dict[str, list[TypedMember]]]:
    """Members the class's methods assign through their receiver (`self.x = ...`, `cls.x = ...`,
    `setattr(self, "x", ...)`) that the class body does not define as a method already."""
    scan = _Instance(context, taken)
    for function in node.body:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorators = {_name_of(d) for d in function.decorator_list}
        positional = [*function.args.posonlyargs, *function.args.args]
        if "staticmethod" in decorators or not positional or function.name == _SUBCLASS_HOOK:
            continue  # __init_subclass__ writes the subclasses: SG003 already
        receiver = positional[0].arg
        writes = [sub for sub in context.module.writes_within(function) if _writes_receiver(sub, receiver)]
        if not writes:
            continue  # most methods: one walk, nothing to read
        scope = _Scope(
            function,
            receiver,
            "classmethod" in decorators or function.name in ("__new__", "__class_getitem__"),
            _locals(function, context.module),
            _statements_after(function),
        )
        for sub in writes:
            if isinstance(sub, (ast.Assign, ast.AnnAssign)):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                annotation = sub.annotation if isinstance(sub, ast.AnnAssign) else None
                for target, value in _pairs(targets, sub.value):
                    whose = _receiver_of(target, receiver)
                    if whose == "instance" and isinstance(target, ast.Attribute):
                        scan.member(scope, target.attr, value, annotation, target, sub)
                    elif whose is not None:
                        _patched_from_method(context, function, target)
            elif isinstance(sub, ast.Call):
                _receiver_call(scan, scope, sub)
    for attribute in scan.methods:
        scan.typed.pop(attribute, None)
    return scan.methods, scan.typed


def _writes_receiver(node: ast.AST, receiver: str) -> bool:
    """May the statement or call write an attribute through the receiver (cheap: no value is read)?"""
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(_receiver_of(t, receiver) is not None for t in _flat_targets(targets))
    if isinstance(node, ast.Call):
        function = node.func
        return _setattr_call(node) or (isinstance(function, ast.Attribute) and function.attr in _DICT_WRITES)
    return False


def _pairs(targets: Sequence[ast.expr], value: ast.expr | None) -> Iterator[tuple[ast.expr, ast.expr | None]]:
    """Each assignment target with the value it receives, when the gate can pair them."""
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            paired = (
                isinstance(value, (ast.Tuple, ast.List))
                and len(value.elts) == len(target.elts)
                and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
            )
            for index, element in enumerate(target.elts):
                element_value = value.elts[index] if paired and isinstance(value, (ast.Tuple, ast.List)) else None
                yield from _pairs([element], element_value)
        elif isinstance(target, ast.Starred):
            yield from _pairs([target.value], None)
        else:
            yield target, value


def _receiver_of(target: ast.expr, receiver: str) -> str | None:
    """Whose attribute a target writes: "instance" for `self.x`; "class" for `type(self).x`,
    `self.__class__.x`, `self.__dict__[k]`, `vars(self)[k]`; None for anything else."""
    if isinstance(target, ast.Attribute):
        if _is_receiver(target.value, receiver):
            return "instance"
        if _receiver_class(target.value, receiver):
            return "class"
    if isinstance(target, ast.Subscript) and _receiver_dict(target.value, receiver):
        return "class"
    return None


def _is_receiver(node: ast.expr, receiver: str) -> bool:
    return isinstance(node, ast.Name) and node.id == receiver


def _receiver_class(node: ast.expr, receiver: str) -> bool:
    """`type(self)` or `self.__class__`."""
    if _is_call(node, "type") and isinstance(node, ast.Call) and len(node.args) == 1:
        return _is_receiver(node.args[0], receiver)
    return isinstance(node, ast.Attribute) and node.attr == "__class__" and _is_receiver(node.value, receiver)


def _patched_from_method(context: _Context, function: Function, target: ast.expr) -> None:
    context.opaque(
        target,
        f"{context.trait}.{function.name} writes {one_line(_printable(ast.unparse(target)), 80)}: a member added "
        f"so may be a method the gate cannot see; define it in {context.trait} with def",
    )


def _receiver_call(scan: _Instance, scope: _Scope, call: ast.Call) -> None:
    """`setattr(self, "x", f)` is `self.x = f`; with a computed name, on `type(self)`, or
    `self.__dict__.update(...)` / `vars(self).update(...)`: SG003."""
    receiver, function = scope.receiver, scope.function
    bound = call.func
    if (
        isinstance(bound, ast.Attribute)
        and bound.attr == "__setattr__"
        and (_is_receiver(bound.value, receiver) or _is_call(bound.value, "super"))
    ):  # `self.__setattr__("x", f)`, `super().__setattr__("x", f)`
        name = call.args[0] if call.args else None
        value = call.args[1] if len(call.args) > 1 else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value.isidentifier():
            scan.member(scope, name.value, value, None, call, call)
        else:
            _patched_from_method(scan.context, function, call)
        return
    if _setattr_call(call) and call.args:
        holder = call.args[0]
        if _is_receiver(holder, receiver):
            name = call.args[1] if len(call.args) > 1 else None
            value = call.args[2] if len(call.args) > 2 else None
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value.isidentifier():
                scan.member(scope, name.value, value, None, call, call)
                return
            _patched_from_method(scan.context, function, call)
        elif _receiver_class(holder, receiver):
            _patched_from_method(scan.context, function, call)
        return
    target = call.func
    writes = isinstance(target, ast.Attribute) and target.attr in _DICT_WRITES
    if writes and isinstance(target, ast.Attribute) and _receiver_dict(target.value, receiver):
        _patched_from_method(scan.context, function, call)


def _receiver_dict(node: ast.expr, receiver: str) -> bool:
    """`self.__dict__` or `vars(self)`."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return _is_receiver(node.value, receiver)
    return (
        _is_call(node, "vars")
        and isinstance(node, ast.Call)
        and bool(node.args)
        and _is_receiver(node.args[0], receiver)
    )


def _locals(function: Function, module: _Module) -> dict[str, FunctionShape | None]:
    """The names a method's own scope binds, and the shape of the function each holds, if any: a
    parameter annotated with a callable type or defaulting to a function, a local lambda."""
    local: dict[str, FunctionShape | None] = {}
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += list(arguments.defaults)
    pairs = [*zip(positional, defaults), *zip(arguments.kwonlyargs, arguments.kw_defaults)]
    for extra in (arguments.vararg, arguments.kwarg):
        if extra is not None:
            local[extra.arg] = None
    for argument, default in pairs:
        shape = _function_value(default, module, False) if default is not None else None
        kind = _classify(argument.annotation) if argument.annotation is not None else None
        if shape is None and kind is not None and kind.callable is not None:
            shape = _callable_shape(kind.callable)
        local[argument.arg] = shape
    for sub in ast.walk(function):
        if isinstance(sub, ast.Assign):
            for target, value in _pairs(sub.targets, sub.value):
                if isinstance(target, ast.Name):
                    shape = _function_value(value, module, False, local) if value is not None else None
                    local[target.id] = shape if shape is not None else local.get(target.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and sub is not function:
            local[sub.name] = _function_shape(sub, False)
    return local


def _statements_after(function: Function) -> dict[int, ast.stmt]:
    """Each statement of the function (by id) and the statement after it in its block: where the
    docstring of an attribute sits."""
    after: dict[int, ast.stmt] = {}
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                for current, following in zip(block, block[1:]):
                    after[id(current)] = following
    return after


def _assigned(
    context: _Context,
    member: str,
    target: ast.expr,
    shape: FunctionShape,
    following: ast.AST | None,
    signature: str,
) -> Method:
    """A method written as an assignment of a function (`scan = _scan`, `self.scan = lambda: ...`)."""
    location = context.at(target)
    if isinstance(target, ast.Attribute) and target.end_lineno is not None and target.end_col_offset is not None:
        start = target.end_col_offset - len(target.attr.encode("utf-8"))
        source = context.lines[target.end_lineno - 1] if target.end_lineno <= len(context.lines) else ""
        if source.encode("utf-8", "surrogatepass")[start : target.end_col_offset] == target.attr.encode("utf-8"):
            location = SourceLocation(context.path, target.end_lineno, _column(context.lines, target.end_lineno, start))
    doc = _string(following) if isinstance(following, ast.stmt) else None
    return Method(
        trait=context.trait,
        name=member,
        location=location,
        parameters=shape.parameters,
        return_type=shape.return_type,
        returns_collection=shape.returns_collection,
        inline=tuple(_inline(context, member, doc)),
        signature=signature,
    )


def _at(path: str, lines: list[str], node: ast.stmt | ast.expr | ast.excepthandler) -> SourceLocation:
    return SourceLocation(path, node.lineno, _column(lines, node.lineno, node.col_offset))


def _is_overload(node: Function) -> bool:
    return any(_name_of(d) == "overload" for d in node.decorator_list)


def _is_accessor(node: Function) -> bool:
    """`@x.setter` / `@x.deleter`: the rest of a property whose getter is the implementation."""
    return any(isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter") for d in node.decorator_list)


def _implementation(definitions: list[Function]) -> Function | None:
    """The definition that runs: the last one without @overload (a property's getter over its setter)."""
    candidates = [d for d in definitions if not _is_overload(d)]
    preferred = [d for d in candidates if not _is_accessor(d)]
    chosen = preferred or candidates
    return chosen[-1] if chosen else None


def _group(context: _Context, definitions: list[Function]) -> Method:
    """One method from its definitions: an @overload group, a property's getter and setter, or a
    redefinition. Located at the first; parameters and return type from the implementation."""
    lines = context.lines
    first = definitions[0]
    implementation = _implementation(definitions)
    source = implementation or first
    parameters = _parameters(source)
    if implementation is None and len(definitions) > 1:
        # Overloads only (a stub, a Protocol): a parameter binds a key placeholder only when
        # every overload has it.
        every = [{p.name for p in _parameters(d) if p.bindable} for d in definitions]
        shared = set.intersection(*every)
        parameters = [dataclasses.replace(p, bindable=p.bindable and p.name in shared) for p in parameters]
    return_type = _annotation(source.returns) or None
    returned = [_annotation(d.returns) for d in definitions]
    if return_type is None and any(returned):
        return_type = " | ".join(dict.fromkeys(r for r in returned if r))
    inline = tuple(i for d in definitions for i in _inline(context, first.name, _docstring(d)))
    source_line = lines[first.lineno - 1] if first.lineno <= len(lines) else ""
    name_column = source_line.find(first.name, _column(lines, first.lineno, first.col_offset) - 1) + 1
    return Method(
        trait=context.trait,
        name=first.name,
        location=SourceLocation(context.path, first.lineno, name_column or 1),
        parameters=tuple(parameters),
        return_type=return_type,
        returns_collection=any(r and _COLLECTION.search(r) for r in [return_type or "", *returned]),
        inline=inline,
        attributes=tuple("@" + ast.unparse(d) for d in first.decorator_list),
        signature=" | ".join(_signature(d) for d in definitions),
    )


def _parameters(node: Function) -> list[Parameter]:
    decorators = {_name_of(d) for d in node.decorator_list}
    return _arguments(node.args, receiver="staticmethod" not in decorators)


def _arguments(arguments: ast.arguments, receiver: bool) -> list[Parameter]:
    """The parameters a caller passes (`receiver`: less the first, self or cls). One defaulting to
    None or of an Optional type is `optional`: a caller may leave it out, or pass None."""
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += list(arguments.defaults)
    pairs = list(zip(positional, defaults))
    if receiver and pairs:
        pairs = pairs[1:]
    parameters = [_parameter(a, d) for a, d in pairs]
    if arguments.vararg is not None:
        vararg = arguments.vararg
        parameters.append(Parameter(vararg.arg, "*" + _annotation(vararg.annotation), False, optional=True))
    parameters += [_parameter(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)]
    if arguments.kwarg is not None:
        kwarg = arguments.kwarg
        parameters.append(Parameter(kwarg.arg, "**" + _annotation(kwarg.annotation), False, optional=True))
    return parameters


def _parameter(argument: ast.arg, default: ast.expr | None) -> Parameter:
    # A default of None, or an Optional type, leaves the key without a value; any other default
    # (`round: int = 0`) still builds one.
    none_default = isinstance(default, ast.Constant) and default.value is None
    optional = none_default or _optional(argument.annotation)
    return Parameter(argument.arg, _annotation(argument.annotation), True, optional=optional)


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


def _signature(node: Function) -> str:
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
    context: _Context,
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
        trait=context.trait,
        name=target.id,
        location=context.at(target),
        parameters=shape.parameters if shape else (),
        return_type=shape.return_type if shape else None,
        returns_collection=shape.returns_collection if shape else False,
        inline=tuple(_inline(context, target.id, _string(following))),
        signature=f"{target.id}: {ast.unparse(_normal(statement.annotation))}",
    )


def _annotation(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _printable(node.value)  # a string annotation: its text, without the quotes
    return ast.unparse(node)


def _docstring(node: Function) -> ast.Constant | None:
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


def _inline(context: _Context, member: str, doc: ast.Constant | None) -> list[InlineDeclaration]:
    """The `@access` declarations of a docstring. One holding a lone surrogate (`"\\ud800"`, which
    no report can write) declares nothing: SG002 on each line that holds one."""
    if doc is None or not isinstance(doc.value, str):
        return []
    doc_lines = []
    unreadable = False
    for offset, line in enumerate(_source_lines(doc.value)):
        number = doc.lineno + offset
        source = context.lines[number - 1] if number <= len(context.lines) else ""
        column = source.find("@access") + 1 if "@access" in source else 1
        location = SourceLocation(context.path, number, column)
        surrogate = _SURROGATE.search(line)
        if surrogate is not None:
            unreadable = True
            context.problems.append(
                SourceProblem(
                    "SG002",
                    location,
                    f"the docstring of {context.trait}.{member} holds a lone surrogate "
                    f"({_printable(surrogate.group())}), which is not text: the gate cannot read what it declares; "
                    "write the character itself, or remove it",
                    context.trait,
                )
            )
        doc_lines.append((location, line))
    return [] if unreadable else access_declarations(doc_lines)


_PY_WRAPPER_NAMES = ("Optional", "Final", "ClassVar", "Annotated")
_PY_SEQUENCE = re.compile(r"(?:typing\.)?(?:list|tuple|set|frozenset|List|Tuple|Set)\b")
_PY_CLASSES = {
    "str": "text",
    "int": "number",
    "float": "number",
    "Decimal": "number",
    "decimal.Decimal": "number",
    "bytes": "bytes",
    "bytearray": "bytes",
    "memoryview": "bytes",
    "bool": "bool",
}


def _unwrapped(text: str) -> str | None:
    """`Optional[X]` -> `X`, `Annotated[X, meta]` -> `X` (also `Final`, `ClassVar`, `typing.`-prefixed):
    the text up to the first comma. String tests, linear in the text's length."""
    body = text[len("typing.") :] if text.startswith("typing.") else text
    for name in _PY_WRAPPER_NAMES:
        if body.startswith(name + "[") and body.endswith("]") and "\n" not in body:
            return body[len(name) + 1 : -1].split(",", 1)[0]
    return None


def classify_type(text: str) -> str:
    """What a Python parameter annotation is, for a key part: text, number, bytes, bool,
    collection, or unknown."""
    type_text = text.strip().strip("'\"")
    parts = [p.strip() for p in type_text.split("|") if p.strip() != "None"]
    if len(parts) == 1:
        type_text = parts[0]
    for _ in range(4):
        wrapped = _unwrapped(type_text)
        if wrapped is None:
            break
        type_text = wrapped.strip()
    if type_text in _PY_CLASSES:
        return _PY_CLASSES[type_text]
    if _COLLECTION.search(type_text) or _PY_SEQUENCE.match(type_text):
        return "collection"
    return "unknown"


def record_fields(path: str, text: str, names: frozenset[str]) -> dict[str, frozenset[str]]:
    """The attributes of the classes among `names` the module defines - annotated class attributes
    (dataclasses, pydantic, attrs, NamedTuple, TypedDict) and `self.x` set in `__init__`: what a key
    placeholder may reach through a parameter (`{round.dialogue_id}`)."""
    try:
        tree = ast.parse(text, filename=path, type_comments=False)
    except (SyntaxError, RecursionError, ValueError):
        return {}
    found: dict[str, frozenset[str]] = {}
    for statement in _module_statements(tree.body):
        if not isinstance(statement, ast.ClassDef) or statement.name not in names:
            continue
        fields: set[str] = set()
        for member in statement.body:
            if isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                fields.add(member.target.id)
            elif isinstance(member, ast.FunctionDef) and member.name == "__init__":
                for node in ast.walk(member):
                    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            fields.add(target.attr)
        found.setdefault(statement.name, frozenset(fields))
    return found
