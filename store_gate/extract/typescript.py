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
- a class field initialised with an arrow function or a function expression.
Members are governed by name: a quoted name by its string (`"list-rounds"()` is `list-rounds`), a
computed name by its literal value when it has one (`["get"]()` is `get`), else by its expression
in brackets, whitespace removed (`[Symbol.asyncIterator]()` is `[Symbol.asyncIterator]`, so it is
declared under `[access.DialogueStore."[Symbol.asyncIterator]"]`). Identifiers written with
unicode escapes (`\\u0044ialogueStore`) are read for what they name.

What the gate cannot see is a finding, never a pass: a property typed `any`, `typeof x` or an
indexed or conditional type, a field initialised from an expression whose type is unknown (SG003);
heritage through a built-in that brings data-access members the gate cannot enumerate (`Iterable`,
`AsyncIterable`, `Map`, `Set`, `Array`, `Record`, ..: SG003); a mixin call, a conditional or other
utility type in heritage (SG004). `Pick` / `Omit` / `Partial` / `Required` / `Readonly` over a named
type are followed, with Pick / Omit's member filter. The built-ins `Object`, `Disposable` and
`AsyncDisposable` bring no data access: they are standard heritage, ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
_WRAPPED_VALUES = ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression")
_FUNCTION_VALUES = ("arrow_function", "function_expression", "function", "generator_function")


# Names ----------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})")


def _identifier(text: str) -> str:
    """An identifier as it names things: unicode escapes (`\\u0044`, `\\u{44}`) read."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(_escaped_character, text)


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
            if escape[:1] == "u":
                value.append(_identifier("\\" + escape))
            elif escape[:1] == "x" and len(escape) == 3:
                value.append(chr(int(escape[1:], 16)))
            elif escape[:1] in ("\n", "\r"):
                continue  # a line continuation
            else:
                value.append(_SIMPLE_ESCAPES.get(escape[:1], escape))
    return "".join(value)


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
    """A numeric member name as JavaScript names the property (`0x10` and `16.0` are `16`)."""
    digits = text.replace("_", "")
    try:
        value = float(int(digits, 0)) if re.match(r"0[xob]", digits, re.I) else float(digits)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)


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
            found.setdefault(_identifier(str(name.text())), definition)
    return found


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
    for kind in _STORE_KINDS:
        for node in root.find_all(kind=kind):
            name = node.field("name")
            if name is not None and _identifier(str(name.text())) in wanted:
                reader = _Reader(path, _identifier(str(name.text())))
                result.traits.append(reader.store(node))
                result.problems.extend(reader.problems)
    if result.traits:
        result.syntax = first_syntax_problem(root, path)
    return result


def _location(path: str, node: Any) -> SourceLocation:
    start = node.range().start
    return SourceLocation(path, start.line + 1, start.column + 1)


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


@dataclass
class _Reader:
    path: str
    trait: str
    problems: list[SourceProblem] = field(default_factory=list)
    type_parameters: frozenset[str] = frozenset()  # the store's own (`interface Store<T>`)
    # Reading an `implements` clause: the class declares every member of what it implements (the
    # compiler checks it), so nothing can hide behind it - built-ins and utility types included.
    implementing: bool = False

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
            return self._named(_identifier(str(value.text())), written, value)
        if value.kind() == "member_expression":
            return self._named(_identifier(str(value.text()).rsplit(".", 1)[-1]), written, value)
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
            return self._named(name, str(written.text()), written, only, omit)
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
        return [Heritage(name, written, location, standard=name in _HARMLESS_BASES, only=only, omit=omit)]

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
            own = [c for c in named_children(node) if c.kind() == "decorator"]
            if kind in _METHOD_KINDS:
                member = self._method(node, in_class, doc, outer + own)
            elif kind in _FIELD_KINDS:
                member = self._field(node, doc, outer + own)
            else:
                continue
            if member is not None:
                members.append(member)
        return members

    def _method(self, node: Any, in_class: bool, doc: Any, decorators: list[Any]) -> _Member | None:
        name_node = node.field("name")
        if name_node is None or _private(node):
            return None
        name = _member_name(node)
        keywords = {c.kind() for c in node.children() if not c.is_named()}
        if (
            in_class
            and name == "constructor"
            and name_node.kind() != "computed_property_name"
            and "static" not in keywords
        ):
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

    def _field(self, node: Any, doc: Any, decorators: list[Any]) -> _Member | None:
        if node.field("name") is None or _private(node):
            return None
        name = _member_name(node)
        annotation = node.field("type")
        value = node.field("value")
        while value is not None and value.kind() in _WRAPPED_VALUES and named_children(value):
            value = named_children(value)[0]
        if value is not None and value.kind() in _FUNCTION_VALUES:
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
            )
        signature = _signature(decorators, node, ())
        if annotation is None:
            if value is not None and not _data_value(value):
                self.problem(
                    "SG003",
                    node.field("name"),
                    f"{self.trait}.{name} is initialised with {_short(value)}, whose type the gate cannot see: if it "
                    f"is a function, define {name} as a method; otherwise annotate its type ({name}: T = ...)",
                )
            return None  # data
        functions, named, opaque = _type_parts(annotation)
        if functions:
            shape = _shape(functions[0])
            return _Member(
                name, node, "signature", list(shape.parameters), shape.return_type, doc, decorators, signature
            )
        generic = [n for n in named if n in self.type_parameters]
        if opaque or generic:
            what = f"{_short(opaque[0])}," if opaque else f"{generic[0]}, a type parameter of {self.trait},"
            self.problem(
                "SG003",
                node.field("name"),
                f"{self.trait}.{name} has type {what} which may be a function the gate cannot see: "
                f"write {name} as a method signature, or give it a type the gate can read",
            )
        named = [n for n in named if n not in self.type_parameters]
        if named:
            return _Member(name, node, "typed", [], None, doc, decorators, signature, typed=named)
        return None  # data

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
                parameters = [Parameter(p.name, p.type, p.bindable and p.name in common) for p in parameters]
            name_node = first.node.field("name")
            method = Method(
                trait=self.trait,
                name=name,
                location=_location(self.path, name_node),
                parameters=tuple(parameters),
                return_type=chosen.return_type,
                returns_collection=any(m.return_type and _COLLECTION.search(m.return_type) for m in group),
                inline=tuple(i for m in group for i in _inline(self.path, m.doc)),
                attributes=tuple(dict.fromkeys(str(d.text()) for m in group for d in m.decorators)),
                signature=" | ".join(m.signature for m in group),
            )
            if chosen.role == "typed":
                typed.extend(TypedMember(method, type_name) for type_name in dict.fromkeys(chosen.typed))
            else:
                methods.append(method)
        return methods, typed


def _data_value(value: Any) -> bool:
    """Is a field's initialiser data whatever its type? (`a ?? b` may be a function: not known.)"""
    if value.kind() == "binary_expression":
        operator = value.field("operator")
        return operator is not None and str(operator.text()) not in ("??", "||", "&&")
    return value.kind() in _DATA_VALUES


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
        if pattern_kind == "identifier":
            params.append(Parameter(_identifier(str(pattern.text())), type_text, True))
        else:  # rest, object and array patterns bind no single name
            params.append(Parameter(None, type_text, False))
    return params


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
