"""What an extractor returns, for every language: traits, their methods, and what it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, order=True)
class SourceLocation:
    path: str  # posix, relative to the project root
    line: int  # 1-based
    column: int  # 1-based, in characters

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Parameter:
    name: str | None  # None when the pattern binds no single name (tuple, wildcard)
    type: str
    bindable: bool  # can a key placeholder name it? (not for *args, patterns, ...)
    # May a caller leave it out (a default value, an Optional / `X | None` type, *args)? Such a
    # parameter cannot alone bind a partition key part.
    optional: bool = False


@dataclass(frozen=True)
class InlineDeclaration:
    """The text after `@access` in a doc comment: one TOML inline table, not yet parsed."""

    text: str
    location: SourceLocation


@dataclass(frozen=True)
class Method:
    trait: str
    name: str
    location: SourceLocation
    parameters: tuple[Parameter, ...]
    return_type: str | None
    returns_collection: bool
    inline: tuple[InlineDeclaration, ...] = ()
    attributes: tuple[str, ...] = ()
    # The declaration without body, docs or attributes, whitespace collapsed: what `--base`
    # compares to tell a changed method from one that only moved.
    signature: str = ""

    @property
    def qualified_name(self) -> str:
        return f"{self.trait}.{self.name}"

    @property
    def bindable_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.bindable and p.name)


@dataclass(frozen=True)
class Heritage:
    """One supertrait, base class or extended interface of a trait, as written in the source.

    The project looks for a trait named `name` under the store's paths: found, it is governed
    (a user's trait named like a standard one included); not found, a `standard` one is ignored
    and any other is SG004, unless the manifest lists it as `external`. `only` and `omit` are
    what TypeScript's `Pick<Base, ...>` / `Omit<Base, ...>` keep of the base's members.
    """

    name: str
    written: str
    location: SourceLocation
    standard: bool = False
    only: frozenset[str] | None = None
    omit: frozenset[str] = frozenset()
    # A TypeScript class's `extends` clause names a value: only a class declaration is it (an
    # interface or type alias of that name is not; SG004 when that is all there is).
    value: bool = False
    # Rust: the paths the bound may name, generic arguments dropped, through the `use` and `mod`
    # declarations in scope where it is written: `use crate::admin::Admin;` + `Store: Admin` gives
    # ("crate::admin::Admin",); `Store: super::Admin` gives ("super::Admin",) (relative to the
    # file's module); a bare name nothing binds gives itself first, then one candidate per glob
    # import in scope (`use crate::admin::*;` adds "crate::admin::Admin"). Empty from the other
    # extractors.
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceProblem:
    """Something an extractor cannot analyse: SG002 (does not parse), SG003 (opaque member) or
    SG004 (heritage it cannot resolve: a mixin call, a computed base)."""

    code: Literal["SG002", "SG003", "SG004"]
    location: SourceLocation
    message: str
    trait: str | None = None


@dataclass(frozen=True)
class TypedMember:
    """A member typed by a named type (`list: ListFn` in TypeScript, `scan: ScanFn` in Python): a
    method when that type is a function type. The project resolves the name across the store's
    files; `method` carries everything but what the type gives (parameters, return type)."""

    method: Method
    type_name: str
    # The member is data that holds values of the type (`raw: { list: ListFn }`, `Record<K, ListFn>`):
    # the type being a function or a facet of methods makes the member a facet (SG003); a type found
    # nowhere does not.
    held: bool = False


@dataclass(frozen=True)
class FunctionShape:
    """The parameters and return type of a named function type (`type ListFn = (since: Date) => Round[]`)."""

    parameters: tuple[Parameter, ...]
    return_type: str | None
    returns_collection: bool


@dataclass(frozen=True)
class TypeDefinition:
    """What a named type defined in a file is, as far as the gate cares: a function type (with its
    shape), a collection (`type Items = Vec<Item>`), or neither."""

    function: FunctionShape | None = None
    collection: bool = False
    alias_of: str | None = None  # `type A = B`: what B is decides what A is
    # A facet of methods: a type whose values carry methods the store's callers can reach through a
    # member of that type (`ops: AdminOps`). What it is, for the message ("an interface of methods").
    methods: str | None = None
    # Named types whose being a function or a facet makes this type a facet (its members' types, the
    # types it extends).
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class TraitDefinition:
    name: str
    location: SourceLocation
    supertraits: tuple[Heritage, ...]
    methods: tuple[Method, ...]
    typed_members: tuple[TypedMember, ...] = ()
    # A TypeScript interface or type alias: a type, never the value a class's `extends` names.
    type_only: bool = False


@dataclass
class FileExtraction:
    path: str
    traits: list[TraitDefinition] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)  # SG003 and inline problems
    # The file's first syntax problem, if any. Reported when the file defines a governed trait,
    # or when a governed trait is found nowhere: a syntax error may be what hides it.
    syntax: SourceProblem | None = None
    # The ast-grep tree the extractor parsed, (language, root node): the structural rules reuse
    # it instead of parsing the file again. None for extractors that do not use ast-grep.
    tree: tuple[str, Any] | None = None
