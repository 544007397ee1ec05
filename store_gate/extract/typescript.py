"""TypeScript: governed `interface`s, classes and object type aliases, read through ast-grep-py.

Every `interface DialogueStore` block in the program is the same store (declaration merging):
each block's methods are governed, so a second block cannot escape the gate.

What is a governed member, however it is written:
- a method signature or definition, an overload group (one member, with the implementation's
  parameters where there is one), a getter/setter pair (one member), a bare `constructor(...)`
  signature in an interface (a class's own constructor is not governed);
- a property or field whose type is a function type: written inline, in parentheses, in a union
  (`put?: ((r: R) => Promise<void>) | undefined`), generic, `Function`, or through a named type
  (`list: ListFn`, resolved by the project across the store's files with `type_definitions`);
- a class field initialised with an arrow function, a function expression or `new Function(...)`;
- a constructor's parameter property (`constructor(public readonly list: ListFn)`), read like a field.
Members are governed by name: a quoted name by its string (`"list-rounds"()` is `list-rounds`), a
computed name by its literal value when it has one (`["get"]()` is `get`), else by its expression
in brackets, whitespace removed (`[Symbol.asyncIterator]()` is `[Symbol.asyncIterator]`, so it is
declared under `[access.DialogueStore."[Symbol.asyncIterator]"]`). Identifiers written with
unicode escapes (`\\u0044ialogueStore`) are read for what they name; a surrogate pair written as two
escapes is the one character it encodes, a lone surrogate keeps its escape (`"\\uD800"()` is
`\\uD800`). A numeric name is what JavaScript's Number::toString makes of it (`1e21` is `1e+21`, a
literal too large for a double `Infinity`).

What the gate cannot see is a finding, never a pass: a property typed `any`, `typeof x` or an
indexed or conditional type, a field initialised from an expression whose type is unknown (SG003);
a facet of methods - a member holding an object literal with function members, or typed by an object
type, interface or class with methods (resolved across the store's files), or by a type holding a
function type anywhere (`Record<string, () => X>`) - (SG003); a class
`static { }` block (SG003); a class extending a name that is not a class declaration (a const, a
function, or an import whose file defines the name only as a type: SG004), since a class extends a
value; heritage through a built-in that brings data-access members the gate cannot enumerate (`Iterable`,
`AsyncIterable`, `Map`, `Set`, `Array`, `Record`, ..: SG003); a mixin call, a conditional or other
utility type in heritage (SG004). `Pick` / `Omit` / `Partial` / `Required` / `Readonly` over a named
type are followed, with Pick / Omit's member filter. The built-ins `Object`, `Disposable` and
`AsyncDisposable` bring no data access: they are standard heritage, ignored - when the name is the
global one: imported, qualified or declared in the file, it is resolved like any other base.
Parameters are `optional` when written `id?:`, with a default value, with a type admitting
`undefined` or `void`, or as a rest parameter.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ast_grep_py import SgRoot

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
from store_gate.extract.sgnodes import first_syntax_problem, named_children


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STORE_KINDS = ("interface_declaration", "abstract_class_declaration", "class_declaration", "type_alias_declaration")
_CLASS_KINDS = ("abstract_class_declaration", "class_declaration")
_METHOD_KINDS = ("method_signature", "abstract_method_signature", "method_definition")
_FIELD_KINDS = ("property_signature", "public_field_definition")
_OPAQUE_KINDS = {
    "call_signature": "a call signature",
    "construct_signature": "a construct signature",
    "index_signature": "an index signature (any key may be a method)",
}
_COLLECTION = re.compile(
    r"\[\]|\b(?:Array|ReadonlyArray|Set|ReadonlySet|Map|ReadonlyMap|Iterable|Iterator|AsyncIterable"
    r"|AsyncIterator|IterableIterator|AsyncIterableIterator|Generator|AsyncGenerator)\s*<"
)
_COLLECTION_GENERICS = _words(
    "Array ReadonlyArray Set ReadonlySet Map ReadonlyMap Iterable Iterator AsyncIterable AsyncIterator"
    " IterableIterator AsyncIterableIterator Generator AsyncGenerator"
)
# Heritage: built-ins that bring no data access (standard, ignored), and built-ins whose members
# (iteration, lookup by any key) may read or write data and that the gate cannot enumerate (SG003).
_HARMLESS_BASES = frozenset({"Object", "Disposable", "AsyncDisposable"})
_DATA_ACCESS_BASES = {
    **dict.fromkeys(
        _words(
            "Iterable Iterator AsyncIterable AsyncIterator IterableIterator AsyncIterableIterator Generator"
            " AsyncGenerator"
        ),
        "iteration",
    ),
    **dict.fromkeys(_words("Map ReadonlyMap WeakMap"), "get, has, set, iteration"),
    **dict.fromkeys(_words("Set ReadonlySet WeakSet"), "has, add, iteration"),
    **dict.fromkeys(_words("Array ReadonlyArray ArrayLike"), "indexing, find, filter, iteration"),
    "Record": "a member for every key",
    "PromiseLike": "then: awaiting the store",
}
# Utility types: member filters the gate follows, wrappers that keep the members, and the rest.
_MEMBER_FILTERS = frozenset({"Pick", "Omit"})
_KEEP_MEMBERS = frozenset({"Partial", "Required", "Readonly", "NonNullable", "NoInfer"})
_UTILITIES = _words(
    "Exclude Extract Parameters ConstructorParameters ReturnType InstanceType ThisParameterType"
    " OmitThisParameter ThisType Awaited Uppercase Lowercase Capitalize Uncapitalize"
)
# Member types: built-in types that hold data, never a function; wrappers whose argument decides.
_DATA_TYPES = _words(
    "Date RegExp Error String Number Boolean BigInt Symbol Object ArrayBuffer SharedArrayBuffer DataView"
    " Int8Array Uint8Array Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array"
    " Float64Array BigInt64Array BigUint64Array URL URLSearchParams AbortSignal Buffer"
)
_DATA_GENERICS = frozenset(_DATA_ACCESS_BASES) | _words(
    "Promise WeakRef Pick Omit Parameters ConstructorParameters Uppercase Lowercase Capitalize Uncapitalize"
)
_KEEP_TYPE = frozenset({"Readonly", "NonNullable", "Required", "Partial", "NoInfer", "OmitThisParameter"})
_DATA_TYPE_KINDS = _words(
    "literal_type array_type tuple_type readonly_type template_literal_type index_type_query constructor_type this_type"
)
# Field initialisers that are data whatever their type.
_DATA_VALUES = _words(
    "number string template_string true false null undefined regex array object new_expression"
    " unary_expression binary_expression class"
)
_WRAPPED_VALUES = (
    "parenthesized_expression",
    "as_expression",
    "satisfies_expression",
    "non_null_expression",
    "type_assertion",
)
_FUNCTION_VALUES = ("arrow_function", "function_expression", "function", "generator_function")


# Names ----------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})")


def _identifier(text: str) -> str:
    """An identifier as it names things: unicode escapes (`\\u0044`, `\\u{44}`) read."""
    if "\\" not in text:
        return text
    return _well_formed(_ESCAPE.sub(_escaped_character, text))


_SURROGATES = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")


def _well_formed(text: str) -> str:
    """A name read from escapes, as text every output can hold: a surrogate pair written as two
    escapes (`\\uD83D\\uDE00`) is the one character it encodes; a lone surrogate, which no UTF-8 output
    can hold, stays spelt as its escape (`\\uD800`)."""
    if not _SURROGATES.search(text):
        return text
    return _SURROGATES.sub(_surrogates, text)


def _surrogates(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 2:
        return chr(0x10000 + ((ord(found[0]) - 0xD800) << 10) + (ord(found[1]) - 0xDC00))
    return f"\\u{ord(found):04X}"


def _escaped_character(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _string_value(node: Any) -> str:
    """The value of a string literal node: its fragments, escapes read."""
    value = []
    for child in node.children():
        kind = child.kind()
        if kind == "string_fragment":
            value.append(str(child.text()))
        elif kind == "escape_sequence":
            escape = str(child.text())[1:]
            if escape[:1] == "u":  # surrogate halves stay apart until the whole string is read
                value.append(_ESCAPE.sub(_escaped_character, "\\" + escape))
            elif escape[:1] == "x" and len(escape) == 3:
                value.append(chr(int(escape[1:], 16)))
            elif escape[:1] in ("\n", "\r"):
                continue  # a line continuation
            else:
                value.append(_SIMPLE_ESCAPES.get(escape[:1], escape))
    return _well_formed("".join(value))


def _property_name(name: Any) -> str:
    """The name a member is governed by (module docstring)."""
    kind = name.kind()
    if kind == "string":
        return _string_value(name)
    if kind == "number":
        return _number(str(name.text()))
    if kind == "computed_property_name":
        inner = named_children(name)
        if len(inner) == 1 and inner[0].kind() == "string":
            return _string_value(inner[0])
        if len(inner) == 1 and inner[0].kind() == "number":
            return _number(str(inner[0].text()))
        return "[" + _tokens_text(_leaves(inner[0]) if inner else []) + "]"
    return _identifier(str(name.text()))


def _number(text: str) -> str:
    """A numeric member name as JavaScript names the property (`0x10` and `16.0` are `16`, `1e21` is
    `1e+21`, a literal too large for a double is `Infinity`)."""
    digits = text.replace("_", "")
    try:
        if re.match(r"0[xob]", digits, re.I):
            whole = int(digits, 0)  # binary, octal, hex: linear, never the decimal digit limit
            try:
                value = float(whole)
            except OverflowError:
                value = math.inf
        else:
            value = float(digits)
    except ValueError:
        return text
    return _number_text(value)


def _number_text(value: float) -> str:
    """A non-negative number as JavaScript's Number::toString writes it: the shortest digits that
    read back as the same double (Python's repr finds them), laid out by the ECMAScript rules."""
    if math.isinf(value):
        return "Infinity"
    if value == 0:
        return "0"
    exact = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, exact.digits))
    assert isinstance(exact.exponent, int)  # a finite number
    k, n = len(digits), exact.exponent + len(digits)  # n: where the decimal point falls
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    exponent = f"e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return digits[0] + ("." + digits[1:] if k > 1 else "") + exponent


def _member_name(member: Any) -> str:
    name = member.field("name")
    return _property_name(name) if name is not None else ""


# Tokens: what `--base` compares ---------------------------------------------------------------

_WORD = re.compile(r"[\w$]")
_SPACED = frozenset({"=>", "|", "&", "="})
_ATOMIC_KINDS = frozenset({"string", "template_string", "template_literal_type", "regex"})
_IDENTIFIER_KINDS = frozenset({"identifier", "property_identifier", "type_identifier", "shorthand_property_identifier"})


def _span(node: Any) -> tuple[int, int]:
    where = node.range()
    return (where.start.index, where.end.index)


def _leaves(node: Any, skip: tuple[tuple[int, int], ...] = ()) -> list[str]:
    """The node's tokens, comments and the `skip` subtrees left out; a string literal is one token."""
    if node.kind() == "comment" or _span(node) in skip:
        return []
    children = node.children()
    if not children or node.kind() in _ATOMIC_KINDS:
        text = str(node.text())
        return [_identifier(text) if node.kind() in _IDENTIFIER_KINDS else text] if text else []
    return [token for child in children for token in _leaves(child, skip)]


def _tokens_text(tokens: list[str]) -> str:
    """Tokens joined by one canonical spacing, whatever the source's whitespace."""
    out: list[str] = []
    previous = ""
    for token in tokens:
        if previous and (
            (_WORD.match(previous[-1]) and _WORD.match(token[0]))
            or token in _SPACED
            or previous in _SPACED
            or previous in (",", ":")
        ):
            out.append(" ")
        out.append(token)
        previous = token
    return "".join(out)


def _signature(decorators: list[Any], member: Any, skip: tuple[tuple[int, int], ...]) -> str:
    """The member as `--base` compares it: its decorators and tokens, without its body or comments."""
    skip = (*skip, *(_span(d) for d in decorators))
    tokens = _leaves(member, skip)
    while tokens and tokens[-1] in (";", ","):
        tokens.pop()
    return " ".join([*(_tokens_text(_leaves(d)) for d in decorators), _tokens_text(tokens)])


# Type definitions -----------------------------------------------------------------------------


def type_definitions(
    path: str, text: str, names: frozenset[str], language: str = "typescript", root: Any = None
) -> dict[str, TypeDefinition]:
    """Named types among `names` defined in the file: function types (a function type, an object
    type or interface with a call signature, `Function`), collections, aliases of other names."""
    found: dict[str, TypeDefinition] = {}
    root = root if root is not None else SgRoot(text, language).root()
    for kind in ("type_alias_declaration", "interface_declaration", *_CLASS_KINDS, "enum_declaration"):
        for node in root.find_all(kind=kind):
            name = node.field("name")
            if name is None or _identifier(str(name.text())) not in names:
                continue
            if kind == "type_alias_declaration":
                value = node.field("value")
                definition = _alias_definition(value) if value is not None else TypeDefinition()
            elif kind == "interface_declaration":
                definition = _interface_definition(node)
            else:
                definition = TypeDefinition()
            if kind != "enum_declaration" and definition.function is None and not definition.collection:
                definition = _with_facet(path, node, definition)
            found.setdefault(_identifier(str(name.text())), definition)
    return found


_FACETS = {
    "interface_declaration": "an interface of methods",
    "type_alias_declaration": "an object type with methods",
    "class_declaration": "a class with methods",
    "abstract_class_declaration": "a class with methods",
}


def _with_facet(path: str, node: Any, definition: TypeDefinition) -> TypeDefinition:
    """A type read as a store would be: a facet of methods when it has a method, a member that is a
    facet, or a function type anywhere in it (`[key: string]: () => X`); else the named types in it and
    its heritage, which make it one when they are."""
    name = node.field("name")
    reader = _Reader(path, _identifier(str(name.text())) if name is not None else "")
    read = reader.store(node)
    inside = node.field("value") if node.kind() == "type_alias_declaration" else node.field("body")
    if read.methods or reader.facets or (inside is not None and _holds_functions(inside)):
        return dataclasses.replace(definition, methods=_FACETS.get(node.kind(), "a type with methods"))
    members = [t.type_name for t in read.typed_members] + [h.name for h in read.supertraits if not h.standard]
    members += _held_names(inside) if inside is not None else []
    return dataclasses.replace(definition, members=tuple(dict.fromkeys(m for m in members if m != definition.alias_of)))


def _unparenthesize(node: Any) -> Any:
    while node.kind() == "parenthesized_type" and named_children(node):
        node = named_children(node)[0]
    return node


def _alias_definition(value: Any) -> TypeDefinition:
    """A type alias: a function type when it may be called (a type the gate cannot see through,
    `typeof f` or `any`, is taken for one: fail closed), a collection, or an alias of a name."""
    functions, named, opaque = _type_parts(value)
    if functions or opaque:
        return TypeDefinition(function=_shape(functions[0]) if functions else FunctionShape((), None, False))
    if _is_collection(value):
        return TypeDefinition(collection=True)
    if len(named) == 1:
        return TypeDefinition(alias_of=named[0])
    return TypeDefinition()


def _is_collection(value: Any) -> bool:
    node = _unparenthesize(value)
    if node.kind() == "generic_type" and _generic_name(node) in _COLLECTION_GENERICS:
        return True
    return bool(_COLLECTION.search(str(value.text())))


def _interface_definition(node: Any) -> TypeDefinition:
    """An interface: a function type when it has a call signature, a collection when it extends
    one, else what its one extended interface is (`interface Lister extends ListFn {}`)."""
    body = node.field("body")
    for member in named_children(body) if body is not None else ():
        if member.kind() == "call_signature":
            return TypeDefinition(function=_shape(member))
    named: list[str] = []
    for clause in named_children(node):
        if clause.kind() == "extends_type_clause":
            for base in named_children(clause):
                if base.kind() == "generic_type" and _generic_name(base) in _COLLECTION_GENERICS:
                    return TypeDefinition(collection=True)
                named.extend(_type_parts(base)[1])
    return TypeDefinition(alias_of=named[0]) if len(named) == 1 else TypeDefinition()


def _shape(function: Any) -> FunctionShape:
    """The shape of a function type, a call signature, or `Function` (no parameters known)."""
    if function.kind() not in ("function_type", "call_signature"):
        return FunctionShape((), None, False)
    return_type = _type_text(function.field("return_type")) or None
    return FunctionShape(
        tuple(_parameters(function.field("parameters"))),
        return_type,
        bool(return_type and _COLLECTION.search(return_type)),
    )


def _generic_name(node: Any) -> str:
    name = node.field("name")
    if name is None:
        return ""
    if name.kind() == "nested_type_identifier":
        name = name.field("name") or name
    return _identifier(str(name.text()).rsplit(".", 1)[-1])


def _type_arguments(node: Any) -> list[Any]:
    arguments = node.field("type_arguments")
    return named_children(arguments) if arguments is not None else []


def _type_parts(node: Any) -> tuple[list[Any], list[str], list[Any]]:
    """What a member's type may be called through: function types (or call signatures, or the
    `Function` identifier), named types to resolve, and types the gate cannot see through."""
    functions: list[Any] = []
    named: list[str] = []
    opaque: list[Any] = []

    def visit(node: Any) -> None:
        kind = node.kind()
        if kind in ("type_annotation", "parenthesized_type", "union_type", "intersection_type"):
            for child in named_children(node):
                visit(child)
        elif kind == "function_type":
            functions.append(node)
        elif kind == "object_type":
            functions.extend(c for c in named_children(node) if c.kind() == "call_signature")
        elif kind == "type_identifier":
            name = _identifier(str(node.text()))
            if name == "Function":
                functions.append(node)
            elif name not in _DATA_TYPES:
                named.append(name)
        elif kind == "nested_type_identifier":
            named.append(_identifier(str(node.text()).rsplit(".", 1)[-1]))
        elif kind == "generic_type":
            name = _generic_name(node)
            arguments = _type_arguments(node)
            if name in _KEEP_TYPE and arguments:
                visit(arguments[0])
            elif name in _UTILITIES and name not in _DATA_GENERICS:
                opaque.append(node)
            elif name not in _DATA_GENERICS:
                named.append(name)
        elif kind == "predefined_type":
            if str(node.text()) == "any":
                opaque.append(node)
        elif kind not in _DATA_TYPE_KINDS and kind != "comment":
            opaque.append(node)  # typeof, indexed access, conditional, infer, ...

    visit(node)
    return functions, named, opaque


# Stores ---------------------------------------------------------------------------------------


def extract(
    path: str, text: str, wanted: frozenset[str], language: str = "typescript", root: Any = None
) -> FileExtraction:
    """The interfaces and classes named in `wanted` defined in one file (`root`: its tree, when
    parsed already); its syntax problem only when it defines one (see the Rust extractor)."""
    result = FileExtraction(path)
    root = root if root is not None else SgRoot(text, language).root()
    result.tree = (language, root)
    scope: _Scope | None = None
    for kind in _STORE_KINDS:
        for node in root.find_all(kind=kind):
            name = node.field("name")
            if name is not None and _identifier(str(name.text())) in wanted:
                scope = scope or _scope(root)
                reader = _Reader(path, _identifier(str(name.text())), scope=scope)
                result.traits.append(reader.store(node))
                result.problems.extend(reader.problems)
    if result.traits:
        result.syntax = first_syntax_problem(root, path)
    return result


def _location(path: str, node: Any) -> SourceLocation:
    start = node.range().start
    return SourceLocation(path, start.line + 1, start.column + 1)


@dataclass(frozen=True)
class _Scope:
    """What a file binds, by name, at any depth (the gate resolves by name, not by scope): the names
    its imports bind, its class declarations, and its other value declarations (what each is, where)."""

    imported: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    values: dict[str, tuple[str, Any]] = field(default_factory=dict)


def _scope(root: Any) -> _Scope:
    imported: set[str] = set()
    for specifier in root.find_all(kind="import_specifier"):
        names = [c for c in named_children(specifier) if c.kind() == "identifier"]
        if names:
            imported.add(_identifier(str(names[-1].text())))  # `{ A as B }` binds B
    for kind in ("import_clause", "namespace_import", "import_require_clause", "import_alias"):
        for node in root.find_all(kind=kind):
            names = [c for c in named_children(node) if c.kind() == "identifier"]
            if names:
                imported.add(_identifier(str(names[0].text())))
    classes = {
        _identifier(str(node.field("name").text()))
        for kind in _CLASS_KINDS
        for node in root.find_all(kind=kind)
        if node.field("name") is not None
    }
    values: dict[str, tuple[str, Any]] = {}
    for declarator in root.find_all(kind="variable_declarator"):
        name = declarator.field("name")
        if name is not None and name.kind() == "identifier":
            keyword = next(
                (str(c.text()) for c in (declarator.parent() or declarator).children() if not c.is_named()), ""
            )
            what = f"a {keyword}" if keyword in ("const", "let", "var") else "a variable"
            values.setdefault(_identifier(str(name.text())), (what, name))
    for kind, what in (
        ("function_declaration", "a function"),
        ("generator_function_declaration", "a function"),
        ("function_signature", "a function"),
        ("enum_declaration", "an enum"),
    ):
        for node in root.find_all(kind=kind):
            name = node.field("name")
            if name is not None:
                values.setdefault(_identifier(str(name.text())), (what, name))
    return _Scope(frozenset(imported), frozenset(classes), values)


@dataclass
class _Member:
    """One written member, before overloads and accessor pairs are grouped into one."""

    name: str
    node: Any
    role: str  # "signature", "implementation", "getter", "setter", "typed"
    parameters: list[Parameter]
    return_type: str | None
    doc: Any
    decorators: list[Any]
    signature: str
    typed: list[str] = field(default_factory=list)  # named types, for a "typed" member
    nested: list[str] = field(default_factory=list)  # named types inside its object types (`{ a: ScanFn }`)
    name_node: Any = None  # where the name is written (the node's `name` field when None)


@dataclass
class _Reader:
    path: str
    trait: str
    problems: list[SourceProblem] = field(default_factory=list)
    type_parameters: frozenset[str] = frozenset()  # the store's own (`interface Store<T>`)
    # Reading an `implements` clause: the class declares every member of what it implements (the
    # compiler checks it), so nothing can hide behind it - built-ins and utility types included.
    implementing: bool = False
    scope: _Scope = field(default_factory=_Scope)
    # Members that are facets of methods (SG003): what `type_definitions` asks of a type.
    facets: list[str] = field(default_factory=list)

    def problem(self, code: Literal["SG003", "SG004"], node: Any, message: str) -> None:
        self.problems.append(SourceProblem(code, _location(self.path, node), message, self.trait))

    # The store and its heritage ---------------------------------------------------------------

    def store(self, node: Any) -> TraitDefinition:
        heritage: list[Heritage] = []
        bodies: list[Any] = []
        kind = node.kind()
        parameters = node.field("type_parameters")
        self.type_parameters = frozenset(
            _identifier(str(p.field("name").text()))
            for p in (named_children(parameters) if parameters is not None else ())
            if p.kind() == "type_parameter" and p.field("name") is not None
        )
        if kind == "type_alias_declaration":
            value = node.field("value")
            if value is not None:
                self._alias(value, heritage, bodies)
        else:
            body = node.field("body")
            if body is not None:
                bodies.append(body)
            for clause in named_children(node):
                if clause.kind() == "extends_type_clause":
                    for base in named_children(clause):
                        if base.kind() != "comment":
                            heritage += self._heritage(base, base)
                elif clause.kind() == "class_heritage":
                    for part in named_children(clause):
                        if part.kind() == "extends_clause":
                            heritage += self._class_extends(part)
                        elif part.kind() == "implements_clause":
                            self.implementing = True
                            for base in named_children(part):
                                if base.kind() != "comment":
                                    heritage += self._heritage(base, base)
                            self.implementing = False
        members = [m for body in bodies for m in self._members(body, kind in _CLASS_KINDS)]
        methods, typed = self._grouped(members)
        return TraitDefinition(
            self.trait,
            _location(self.path, node.field("name")),
            tuple(heritage),
            tuple(methods),
            tuple(typed),
            # An interface in `declare module "..."` / `declare global` augments whatever the name is there:
            # no sign that its value is not a class.
            type_only=kind in ("interface_declaration", "type_alias_declaration") and not _augmentation(node),
        )

    def _alias(self, value: Any, heritage: list[Heritage], bodies: list[Any]) -> None:
        """`type Store = A & B & { ... }`: heritage A and B, and the literal's members."""
        kind = value.kind()
        if kind in ("intersection_type", "parenthesized_type"):
            for part in named_children(value):
                self._alias(part, heritage, bodies)
        elif kind == "object_type":
            bodies.append(value)
        elif kind != "comment":
            heritage += self._heritage(value, value)

    def _class_extends(self, clause: Any) -> list[Heritage]:
        value = clause.field("value")
        if value is None:
            return []
        arguments = clause.field("type_arguments")
        written = str(value.text()) + (str(arguments.text()) if arguments is not None else "")
        if value.kind() == "identifier":
            name = _identifier(str(value.text()))
            bound = self.scope.values.get(name)
            if bound is not None and name not in self.scope.classes:
                what, where = bound
                self.problem(
                    "SG004",
                    value,
                    f"{self.trait} extends {name}, which this file declares as {what} (line "
                    f"{where.range().start.line + 1}), not a class declaration: a class extends a value, and the gate "
                    f"resolves one only to a class declaration, so the members of {name} would not be governed; "
                    f"declare {name} as a class (`class {name} {{ ... }}`) under the store's paths",
                )
                return []
            return self._named(name, written, value, value=True)
        if value.kind() == "member_expression":
            name = _identifier(str(value.text()).rsplit(".", 1)[-1])
            return self._named(name, written, value, qualified=True, value=True)
        what = "a mixin call" if value.kind() == "call_expression" else "an expression"
        self.problem(
            "SG004",
            value,
            f"{self.trait} extends {_short(value)}, {what} whose members the gate cannot resolve: they would not "
            f"be governed; declare them in {self.trait}, or extend a class or interface defined under the store's "
            "paths",
        )
        return []

    def _heritage(
        self, node: Any, written: Any, only: frozenset[str] | None = None, omit: frozenset[str] = frozenset()
    ) -> list[Heritage]:
        kind = node.kind()
        if kind in ("parenthesized_type", "intersection_type"):
            return [h for part in named_children(node) for h in self._heritage(part, written, only, omit)]
        if kind in ("type_identifier", "identifier"):
            return self._named(_identifier(str(node.text())), str(written.text()), written, only, omit)
        if kind in ("nested_type_identifier", "member_expression"):
            name = _identifier(str(node.text()).rsplit(".", 1)[-1])
            return self._named(name, str(written.text()), written, only, omit, qualified=True)
        if kind == "generic_type":
            name, arguments = _generic_name(node), _type_arguments(node)
            if name in _KEEP_MEMBERS and arguments:
                return self._heritage(arguments[0], written, only, omit)
            if name in _MEMBER_FILTERS and len(arguments) == 2:
                keys = _keys(arguments[1])
                if keys is not None:
                    if name == "Pick":
                        return self._heritage(arguments[0], written, keys if only is None else only & keys, omit)
                    return self._heritage(arguments[0], written, only, omit | keys)
                self._unresolved(written, f"{name} with keys the gate cannot list")
                return []
            if name in _MEMBER_FILTERS | _KEEP_MEMBERS | _UTILITIES:
                self._unresolved(written, f"the utility type {name}")
                return []
            return self._named(name, str(written.text()), written, only, omit)
        what = {
            "conditional_type": "a conditional type",
            "object_type": "an object type inside a utility type",
            "type_query": "a typeof type",
            "lookup_type": "an indexed access type",
            "function_type": "a function type",
            "union_type": "a union type",
            "mapped_type": "a mapped type",
        }.get(kind, "a type")
        self._unresolved(written, what)
        return []

    def _unresolved(self, written: Any, what: str) -> None:
        if self.implementing:
            return
        self.problem(
            "SG004",
            written,
            f"{self.trait} is built from {_short(written)}, {what}, which the gate cannot resolve: its members would "
            f"not be governed; declare them in {self.trait}, or extend an interface or object type defined under the "
            "store's paths",
        )

    def _named(
        self,
        name: str,
        written: str,
        node: Any,
        only: frozenset[str] | None = None,
        omit: frozenset[str] = frozenset(),
        qualified: bool = False,
        value: bool = False,
    ) -> list[Heritage]:
        location = _location(self.path, node)
        if name in _DATA_ACCESS_BASES:
            if not self.implementing:
                self.problem(
                    "SG003",
                    node,
                    f"{self.trait} extends {_short(node)}: the built-in {name} brings members "
                    f"({_DATA_ACCESS_BASES[name]}) the gate cannot enumerate, which may read or write data; declare "
                    f"the methods {self.trait} needs instead of inheriting them",
                )
            return [Heritage(name, written, location, standard=True, only=only, omit=omit)]
        if name in _UTILITIES:
            self._unresolved(node, f"the utility type {name}")
            return []
        # A harmless built-in is the global one only when nothing in the file binds its name: an import
        # (`import type { Disposable } from "./lib"`), a qualified name or a local declaration is resolved
        # like any other base (governed when found under the paths, SG004 when not).
        harmless = (
            name in _HARMLESS_BASES
            and not qualified
            and name not in self.scope.imported
            and name not in self.scope.values
            and name not in self.scope.classes
        )
        return [Heritage(name, written, location, standard=harmless, only=only, omit=omit, value=value)]

    # Members ----------------------------------------------------------------------------------

    def _members(self, body: Any, in_class: bool) -> list[_Member]:
        members: list[_Member] = []
        pending_doc: Any = None
        decorators: list[Any] = []
        for node in named_children(body):
            kind = node.kind()
            if kind == "comment":
                pending_doc = node if str(node.text()).startswith("/**") else pending_doc
                continue
            if kind == "decorator":
                decorators.append(node)
                continue
            doc, pending_doc = pending_doc, None
            outer, decorators = decorators, []
            if kind in _OPAQUE_KINDS:
                self.problem("SG003", node, f"{self.trait} has {_OPAQUE_KINDS[kind]}, which the gate cannot analyse")
                continue
            if kind == "class_static_block":
                self.problem(
                    "SG003",
                    node,
                    f"{self.trait} has a static block, code that runs when the class is defined and may add members "
                    f"the gate cannot see (`this.prototype.x = ...`); move that code out of {self.trait}, and declare "
                    "each member it adds as a method",
                )
                continue
            own = [c for c in named_children(node) if c.kind() == "decorator"]
            if kind in _METHOD_KINDS:
                if in_class and _is_constructor(node):
                    members.extend(self._parameter_properties(node))
                member = self._method(node, in_class, doc, outer + own)
            elif kind in _FIELD_KINDS:
                member = self._field(
                    node, node.field("name"), node.field("type"), node.field("value"), doc, outer + own
                )
            elif kind == "ERROR":
                continue  # a syntax error: the file's syntax problem names it
            else:
                self.problem("SG003", node, f"{self.trait} has {_short(node)}, a member the gate does not recognise")
                continue
            if member is not None:
                members.append(member)
        return members

    def _parameter_properties(self, constructor: Any) -> list[_Member]:
        """A constructor's parameter properties (`constructor(public readonly scan: ScanFn)`): members of
        the class, read like fields."""
        members: list[_Member] = []
        parameters = constructor.field("parameters")
        for param in named_children(parameters) if parameters is not None else ():
            if param.kind() not in ("required_parameter", "optional_parameter") or not _parameter_property(param):
                continue
            pattern = param.field("pattern")
            if pattern is None or pattern.kind() != "identifier":
                continue  # a destructuring pattern cannot be a property (the compiler refuses it)
            decorators = [c for c in named_children(param) if c.kind() == "decorator"]
            member = self._field(param, pattern, param.field("type"), param.field("value"), None, decorators)
            if member is not None:
                members.append(member)
        return members

    def _method(self, node: Any, in_class: bool, doc: Any, decorators: list[Any]) -> _Member | None:
        name_node = node.field("name")
        if name_node is None or _private(node):
            return None
        name = _member_name(node)
        keywords = {c.kind() for c in node.children() if not c.is_named()}
        if in_class and _is_constructor(node):
            return None  # the class's constructor: it builds the store, it is not one of its operations
        body = node.field("body")
        if "get" in keywords or "set" in keywords:
            role = "getter" if "get" in keywords else "setter"
        else:
            role = "implementation" if body is not None else "signature"
        returns = _type_text(node.field("return_type")) or None
        skip = (_span(body),) if body is not None else ()
        return _Member(
            name,
            node,
            role,
            _parameters(node.field("parameters")),
            returns,
            doc,
            decorators,
            _signature(decorators, node, skip),
        )

    def _field(
        self, node: Any, name_node: Any, annotation: Any, value: Any, doc: Any, decorators: list[Any]
    ) -> _Member | None:
        """A field, a property signature or a constructor's parameter property: a method when its value is
        a function or its type a function type; typed by a named type (resolved by the project); a facet
        of methods (SG003); data."""
        if name_node is None or _private(node):
            return None
        name = _property_name(name_node)
        asserted = None  # `x = v as T`: T is the field's type
        while value is not None and value.kind() in _WRAPPED_VALUES:
            if value.kind() in ("as_expression", "type_assertion") and asserted is None:
                asserted = _asserted_type(value)
            inner = _wrapped(value)
            if inner is None:
                break
            value = inner
        if value is not None and (value.kind() in _FUNCTION_VALUES or _function_constructed(value)):
            body = value.field("body")
            skip = (_span(body),) if body is not None else ()
            returns = _type_text(value.field("return_type"))
            if not returns and annotation is not None:
                functions = _type_parts(annotation)[0]
                if functions:
                    returns = _shape(functions[0]).return_type or ""
            single = value.field("parameter")  # `id => ...`
            parameters = (
                [Parameter(_identifier(str(single.text())), "", True)]
                if single is not None
                else _parameters(value.field("parameters"))
            )
            return _Member(
                name,
                node,
                "implementation",
                parameters,
                returns or None,
                doc,
                decorators,
                _signature(decorators, node, skip),
                name_node=name_node,
            )
        signature = _signature(decorators, node, ())
        annotation = annotation if annotation is not None else asserted
        if annotation is None and value is not None and value.kind() == "new_expression":
            constructed = _constructed(value)
            if constructed is not None and constructed not in _BUILT_IN_CLASSES:
                # `x = new AdminService()` is `x: AdminService`: a class with methods is a facet.
                return _Member(
                    name, node, "typed", [], None, doc, decorators, signature, typed=[constructed], name_node=name_node
                )
        if annotation is None:
            if value is not None:
                what, description = _value_kind(value)
                if what == "facet":
                    self._facet(name, name_node, f"is initialised with {_short(value)}, {description}")
                elif what != "data":
                    self.problem(
                        "SG003",
                        name_node,
                        f"{self.trait}.{name} is initialised with {_short(value)}, whose type the gate cannot see: if "
                        f"it is a function, define {name} as a method; otherwise annotate its type ({name}: T = ...)",
                    )
            return None  # data
        functions, named, opaque = _type_parts(annotation)
        if functions:
            shape = _shape(functions[0])
            return _Member(
                name,
                node,
                "signature",
                list(shape.parameters),
                shape.return_type,
                doc,
                decorators,
                signature,
                name_node=name_node,
            )
        held = self._object_types(annotation)
        if held is None and _holds_functions(annotation):
            written = named_children(annotation)[0] if annotation.kind() == "type_annotation" else annotation
            held = f"a type holding functions ({_short(written)})"
        if held is not None:
            self._facet(name, name_node, f"has {held}")
            return None
        nested = [n for n in _held_names(annotation) if n not in named]
        generic = [n for n in named if n in self.type_parameters]
        if opaque or generic:
            what = f"{_short(opaque[0])}," if opaque else f"{generic[0]}, a type parameter of {self.trait},"
            self.problem(
                "SG003",
                name_node,
                f"{self.trait}.{name} has type {what} which may be a function the gate cannot see: "
                f"write {name} as a method signature, or give it a type the gate can read",
            )
        named = [n for n in named if n not in self.type_parameters]
        nested = [n for n in nested if n not in self.type_parameters]
        if named or nested:
            return _Member(
                name,
                node,
                "typed",
                [],
                None,
                doc,
                decorators,
                signature,
                typed=named,
                nested=nested,
                name_node=name_node,
            )
        return None  # data

    def _facet(self, name: str, name_node: Any, what: str) -> None:
        self.facets.append(name)
        self.problem(
            "SG003",
            name_node,
            f"{self.trait}.{name} {what}, a facet of methods the gate does not govern: declare its methods on "
            f"{self.trait}, or govern them as a store of their own",
        )

    def _object_types(self, annotation: Any) -> str | None:
        """What an object type a member's type is made of (`{ list(): X }`, `Readonly<{ ... }> | null`) is
        when it has methods: "an object type with methods (list)"."""
        for object_type in _object_types(annotation):
            inner = _Reader(self.path, self.trait, type_parameters=self.type_parameters, scope=self.scope)
            methods, _ = inner._grouped(inner._members(object_type, False))
            names = [m.name for m in methods] + inner.facets
            if names:
                return f"an object type with methods ({', '.join(dict.fromkeys(names))})"
        return None

    def _grouped(self, members: list[_Member]) -> tuple[list[Method], list[TypedMember]]:
        """One method per name: overloads and their implementation, a getter and its setter."""
        groups: dict[str, list[_Member]] = {}
        for member in members:
            groups.setdefault(member.name, []).append(member)
        methods: list[Method] = []
        typed: list[TypedMember] = []
        for name, group in groups.items():
            first = group[0]
            chosen = next(
                (m for m in group if m.role == "implementation"),
                next((m for m in group if m.role == "getter"), first),
            )
            parameters = chosen.parameters
            if chosen.role == "signature" and len(group) > 1:
                # Overload signatures without an implementation: a key binds only to a parameter
                # that every overload has.
                common = set.intersection(*({p.name for p in m.parameters} for m in group))
                parameters = [dataclasses.replace(p, bindable=p.bindable and p.name in common) for p in parameters]
            name_node = first.name_node if first.name_node is not None else first.node.field("name")
            method = Method(
                trait=self.trait,
                name=name,
                location=_location(self.path, name_node),
                parameters=tuple(parameters),
                # An implementation without a return type returns what its overloads declare.
                return_type=chosen.return_type
                or " | ".join(dict.fromkeys(m.return_type for m in group if m.return_type))
                or None,
                returns_collection=any(m.return_type and _COLLECTION.search(m.return_type) for m in group),
                inline=tuple(i for m in group for i in _inline(self.path, m.doc)),
                attributes=tuple(dict.fromkeys(str(d.text()) for m in group for d in m.decorators)),
                signature=" | ".join(m.signature for m in group),
            )
            if chosen.role == "typed":
                typed.extend(TypedMember(method, type_name) for type_name in dict.fromkeys(chosen.typed))
                typed.extend(TypedMember(method, t, held=True) for t in dict.fromkeys(chosen.nested))
            else:
                methods.append(method)
        return methods, typed


def _data_value(value: Any) -> bool:
    """Is a field's initialiser data whatever its type? (`a ?? b` may be a function: not known.)"""
    if value.kind() == "binary_expression":
        operator = value.field("operator")
        return operator is not None and str(operator.text()) not in ("??", "||", "&&")
    return value.kind() in _DATA_VALUES


_FUNCTION_CONSTRUCTORS = frozenset({"Function", "AsyncFunction", "GeneratorFunction", "AsyncGeneratorFunction"})
# Built-in classes whose instances are data (or bring no data access): `new Date()` is data; `new X()` of
# any other class is typed X, resolved like an annotation.
_BUILT_IN_CLASSES = (
    _DATA_TYPES
    | _DATA_GENERICS
    | _words(
        "Array Map Set WeakMap WeakSet WeakRef Promise Error TypeError RangeError SyntaxError ReferenceError"
        " EvalError URIError AggregateError AbortController TextEncoder TextDecoder"
    )
)


def _constructed(value: Any) -> str | None:
    """The class `new X(...)` constructs, by name (None when the constructor is an expression)."""
    constructor = value.field("constructor")
    if constructor is None or constructor.kind() not in ("identifier", "member_expression"):
        return None
    return _identifier(str(constructor.text()).rsplit(".", 1)[-1])


def _wrapped(value: Any) -> Any:
    """The expression inside `(v)`, `v as T`, `<T>v`, `v satisfies T`, `v!`; None when there is none."""
    inner = [c for c in named_children(value) if c.kind() != "comment"]
    if value.kind() == "type_assertion":
        inner = inner[1:]
    return inner[0] if inner else None


def _asserted_type(value: Any) -> Any:
    """The T of `v as T` / `<T>v` (None for `as const`)."""
    inner = [c for c in named_children(value) if c.kind() != "comment"]
    if value.kind() == "type_assertion":
        arguments = named_children(inner[0]) if inner and inner[0].kind() == "type_arguments" else []
        return arguments[0] if arguments else None
    return inner[1] if len(inner) > 1 else None


def _function_constructed(value: Any) -> bool:
    """`new Function("...")` (or `globalThis.Function`, `AsyncFunction`, ...): a function value."""
    return value.kind() == "new_expression" and _constructed(value) in _FUNCTION_CONSTRUCTORS


def _value_kind(value: Any) -> tuple[str, str]:
    """What a field's initialiser is, whatever its type: ("function" | "facet" | "data" | "unknown",
    what it is). An object literal or array holding a function is a facet of methods; one holding a
    value the gate cannot type is unknown."""
    while value.kind() in _WRAPPED_VALUES:
        inner = _wrapped(value)
        if inner is None:
            return "unknown", ""
        value = inner
    kind = value.kind()
    if kind in _FUNCTION_VALUES or _function_constructed(value):
        return "function", "a function"
    if kind == "new_expression":  # of a built-in data class; any other is typed by its class
        return ("data", "") if _constructed(value) in _BUILT_IN_CLASSES else ("unknown", "")
    if kind == "class":
        body = value.field("body")
        members = [c for c in named_children(body) if c.kind() != "comment"] if body is not None else []
        return ("facet", "a class expression") if members else ("data", "")
    if kind in ("object", "array"):
        found = "data"
        for item in named_children(value):
            item_kind = item.kind()
            if item_kind == "comment":
                continue
            if item_kind == "method_definition":
                held = "function"
            elif item_kind == "pair":
                held = _value_kind(item.field("value"))[0] if item.field("value") is not None else "unknown"
            elif kind == "array" and item_kind != "spread_element":
                held = _value_kind(item)[0]
            else:  # `{ scan }`, `...rest`: values the gate cannot type
                held = "unknown"
            if held in ("function", "facet"):
                what = "an object literal with function members" if kind == "object" else "an array holding functions"
                return "facet", what
            if held == "unknown":
                found = "unknown"
        return found, ""
    return ("data", "") if _data_value(value) else ("unknown", "")


_FUNCTION_KINDS = ("function_type", "call_signature", "construct_signature", "method_signature")
# Names inside a type that are not types of the project: built-ins and the wrappers around them.
_NOT_HELD = _DATA_TYPES | _DATA_GENERICS | _KEEP_TYPE | _UTILITIES | _COLLECTION_GENERICS | _MEMBER_FILTERS


def _holds_functions(node: Any) -> bool:
    """Is a function type anywhere inside the type (`Record<string, () => X>`, `(() => X)[]`,
    `Promise<Function>`)? Each is a way to reach a method through data."""
    if any(node.find(kind=kind) is not None for kind in _FUNCTION_KINDS):
        return True
    return any(_identifier(str(t.text())) == "Function" for t in node.find_all(kind="type_identifier"))


def _held_names(node: Any) -> list[str]:
    """The project's named types anywhere inside a type (`Round` in `Promise<Round[]>`, `ListFn` in
    `{ list: ListFn }`): the project resolves them, and a function or a facet among them makes a facet."""
    names = (_identifier(str(t.text())) for t in node.find_all(kind="type_identifier"))
    return list(dict.fromkeys(n for n in names if n not in _NOT_HELD and n != "Function"))


def _object_types(annotation: Any) -> list[Any]:
    """The object type literals a type is made of, through parentheses, unions, intersections and the
    wrappers that keep members (`Readonly<{ ... }>`)."""
    found: list[Any] = []

    def visit(node: Any) -> None:
        kind = node.kind()
        if kind in ("type_annotation", "parenthesized_type", "union_type", "intersection_type"):
            for child in named_children(node):
                visit(child)
        elif kind == "object_type":
            found.append(node)
        elif kind == "generic_type" and _generic_name(node) in _KEEP_TYPE:
            arguments = _type_arguments(node)
            if arguments:
                visit(arguments[0])

    visit(annotation)
    return found


def _augmentation(node: Any) -> bool:
    """Is the declaration inside a `declare module "..."`, `module "..."` or `declare global` block?"""
    for ancestor in node.ancestors():
        if ancestor.kind() == "ambient_declaration":
            return True
        if ancestor.kind() == "module":
            name = ancestor.field("name")
            if name is not None and name.kind() == "string":
                return True
    return False


def _is_constructor(node: Any) -> bool:
    """A class's own constructor: `constructor(...)` or `"constructor"(...)`, not static, not computed."""
    name = node.field("name")
    keywords = {c.kind() for c in node.children() if not c.is_named()}
    return (
        name is not None
        and name.kind() != "computed_property_name"
        and _property_name(name) == "constructor"
        and "static" not in keywords
    )


def _parameter_property(param: Any) -> bool:
    """`public x`, `readonly x`, `override x`: a constructor parameter that is also a property."""
    return any(
        c.kind() in ("accessibility_modifier", "override_modifier") or (not c.is_named() and c.kind() == "readonly")
        for c in param.children()
    )


def _keys(node: Any) -> frozenset[str] | None:
    """The member names of a key type (`"a" | "b"`, `never`); None when the gate cannot list them."""
    kind = node.kind()
    if kind in ("parenthesized_type", "union_type"):
        keys: set[str] = set()
        for part in named_children(node):
            if part.kind() == "comment":
                continue
            found = _keys(part)
            if found is None:
                return None
            keys |= found
        return frozenset(keys)
    if kind == "literal_type":
        inner = named_children(node)
        if len(inner) == 1 and inner[0].kind() == "string":
            return frozenset({_string_value(inner[0])})
        if len(inner) == 1 and inner[0].kind() == "number":
            return frozenset({_number(str(inner[0].text()))})
        return None
    if kind == "predefined_type" and str(node.text()) == "never":
        return frozenset()
    return None


def _short(node: Any) -> str:
    text = " ".join(str(node.text()).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _private(member: Any) -> bool:
    modifiers = [c.text() for c in named_children(member) if c.kind() == "accessibility_modifier"]
    name = member.field("name")
    return "private" in modifiers or (name is not None and name.kind() == "private_property_identifier")


def _type_text(annotation: Any) -> str:
    if annotation is None:
        return ""
    text = str(annotation.text()).strip()
    return text[1:].strip() if text.startswith(":") else text


def _parameters(parameters: Any) -> list[Parameter]:
    params: list[Parameter] = []
    for param in named_children(parameters) if parameters is not None else ():
        if param.kind() not in ("required_parameter", "optional_parameter"):
            continue
        pattern = param.field("pattern")
        pattern_kind = pattern.kind() if pattern is not None else ""
        type_text = _type_text(param.field("type"))
        if pattern_kind == "this":
            continue  # a `this` parameter types the receiver
        # Optional: `id?: T`, a default value (`id = "x"`), a type that admits undefined (`T | undefined`,
        # `T | void`), a rest parameter (it may receive nothing).
        optional = (
            param.kind() == "optional_parameter"
            or param.field("value") is not None
            or pattern_kind == "rest_pattern"
            or _admits_undefined(param.field("type"))
        )
        if pattern_kind == "identifier":
            params.append(Parameter(_identifier(str(pattern.text())), type_text, True, optional))
        else:  # rest, object and array patterns bind no single name
            params.append(Parameter(None, type_text, False, optional))
    return params


def _admits_undefined(annotation: Any) -> bool:
    """Is `undefined` (or `void`) one of the type's alternatives, through parentheses and unions?"""
    if annotation is None:
        return False
    kind = annotation.kind()
    if kind in ("type_annotation", "parenthesized_type", "union_type"):
        return any(_admits_undefined(c) for c in named_children(annotation))
    if kind in ("literal_type", "predefined_type"):
        return str(annotation.text()) in ("undefined", "void")
    return False


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


_TS_CLASSES = {
    "string": "text",
    "number": "number",
    "bigint": "number",
    "boolean": "bool",
    "Uint8Array": "bytes",
    "Buffer": "bytes",
    "ArrayBuffer": "bytes",
}


def classify_type(text: str) -> str:
    """What a TypeScript parameter type is, for a key part: text, number, bytes, bool,
    collection, or unknown."""
    parts = [p.strip() for p in text.split("|") if p.strip() not in ("undefined", "null", "")]
    type_text = parts[0] if len(parts) == 1 else text.strip()
    if type_text in _TS_CLASSES:
        return _TS_CLASSES[type_text]
    if re.fullmatch(r"(?:string|number|bigint|boolean)\s*\[\s*\]", type_text) or _COLLECTION.search(type_text):
        return "collection"
    if re.fullmatch(r"""(?:"[^"]*"|'[^']*')(?:\s*\|\s*(?:"[^"]*"|'[^']*'))*""", type_text):
        return "text"  # a union of string literals
    return "unknown"


def record_fields(path: str, text: str, names: frozenset[str]) -> dict[str, frozenset[str]]:
    """The property names of the interfaces, classes and object type aliases among `names` the
    file defines: what a key placeholder may reach through a parameter (`{round.dialogueId}`)."""
    found: dict[str, frozenset[str]] = {}
    try:
        root = SgRoot(text, "typescript").root()
        for kind in ("interface_declaration", *_CLASS_KINDS, "type_alias_declaration"):
            for node in root.find_all(kind=kind):
                name = node.field("name")
                if name is None or _identifier(str(name.text())) not in names:
                    continue
                body = node.field("body") if kind != "type_alias_declaration" else node.field("value")
                if body is None or (kind == "type_alias_declaration" and body.kind() != "object_type"):
                    continue
                fields: set[str] = set()
                for member in named_children(body):
                    if member.kind() in ("property_signature", "public_field_definition"):
                        field_name = member.field("name")
                        if field_name is not None:
                            fields.add(_identifier(str(field_name.text())))
                    elif member.kind() == "method_definition" and str(member.field("name").text()) == "constructor":
                        # Parameter properties: `public x`, `readonly x`, `private x?` - each a field.
                        parameters = member.find_all(
                            any=[{"kind": "required_parameter"}, {"kind": "optional_parameter"}]
                        )
                        for parameter in parameters:
                            if any(c.kind() in ("accessibility_modifier", "readonly") for c in parameter.children()):
                                pattern = parameter.field("pattern")
                                if pattern is not None:
                                    fields.add(str(pattern.text()))
                found.setdefault(_identifier(str(name.text())), frozenset(fields))
    except RecursionError:
        return {}
    return found
