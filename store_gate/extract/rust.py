"""Rust: governed `trait` items, read through ast-grep-py by node kind and grammar field.

Patterns such as `fn $N($$$P) -> $R;` miss async, generic, where-clause and unit methods, so
every trait body is walked item by item instead (see PARSING-NOTES.md).

Supertraits are the trait's bounds, the bounds on `Self` in its `where` clause (`Self` however
parenthesised or commented: `(Self)`, `( /* */ Self )`), and the trait inside a higher-ranked
(`for<'a> Admin<'a>`) or parenthesised (`(Admin)`) bound. A bound the extractor cannot read as a
trait path is SG004. Each carries the paths it may name through the `use` declarations in its
scope (`Heritage.paths`). A supertrait is std's only when nothing in its scope can make it another:
a `std::`/`core::`/`alloc::` path (std not renamed), a name a `use` binds to one, or a prelude name
with no `use`, item or non-std glob import of that name in scope; otherwise it is a user trait
(governed when found under the paths, SG004 when not). A std supertrait that gives callers data
access on the store - a call (`Fn`), iteration (`Iterator`, `IntoIterator`, `futures::Stream`),
indexing, `Extend`, `io::Read`/`Write`, or a conversion, `Deref` or `.await` to anything but a plain
value - is SG003.

Members that hold functions are methods: an associated const typed by a fn pointer or a closure
trait (`fn(&Self) -> X`, `&dyn Fn(&str) -> X`, `Box<dyn FnMut()>`), by a type of the trait bounded
by Fn (`type E: Fn() -> X; const F: Self::E;`, a type parameter `P: Fn()`), or by an alias of one
in the same file, is governed as a method named after the const, with the function type's
parameters. A const that holds functions inside another type (`Option<fn()>`), a const typed by a
type an implementation or its callers choose (`Self::Item`, a type parameter: `S: Store<Item = fn()>`
makes it a function) and an associated type bounded by Fn are SG003. Other consts (`usize`, `&str`,
a struct) and associated types are data, not governed.

A governed trait under a `cfg` that is never true (`cfg(any())`, `cfg(false)`) or true only when a
build passes its own `--cfg` (`cfg(FALSE)`) is SG003: that definition may be a decoy for one the
gate cannot see. Other cfgs (features, targets, `test`) pass: every definition the gate finds is
governed. A governed trait's name after `trait` in a macro's tokens (a `macro_rules!` body, a macro
invocation, an attribute) is SG003, and so is a `macro_rules!` that generates a trait named by its
input (`trait $name`) in a file the gate reads.

Attributes fail closed. An attribute macro can add, rename or remove methods, so every attribute
on the trait, on an item enclosing it (an inline `mod`, a `fn`), inside its body (`#![...]`) and
on each of its items is judged, `cfg_attr` unwrapped:

- rustc's built-in attributes (`cfg`, `doc`, `allow`, `must_use`, `inline`, ...) always pass:
  rustc refuses to compile a macro imported under a built-in attribute's name;
- tool attributes (`rustfmt::skip`, `clippy::...`, `diagnostic::...`) pass unless the file binds
  the tool's name to something else (`use evil as clippy;` compiles);
- on the trait and the items enclosing it only, a few macros known not to change the trait's
  methods pass: `async_trait::async_trait`, `trait_variant::make`, `mockall::automock`,
  `auto_impl::auto_impl`. Paths are resolved through the file's own `use` and `extern crate`
  declarations, so `use my_macros::add_methods as async_trait;` does not pass; a bare name
  (`#[async_trait]`) passes only when the file imports it from its crate (`use
  async_trait::async_trait;`, `use mockall::*;`). `extern crate other as async_trait;` in a
  file the gate reads, or in the crate root above the store's files (`src/lib.rs`, `src/main.rs`),
  is SG003 (`renamed_crates`). A dependency renamed in Cargo.toml to one of these crates' names is
  not seen;
- anything else is SG003 at the attribute: on the trait, "may add methods"; on a method, "may
  rename or remove it" (the method is still governed: SG101 when undeclared); on an associated
  type or const, "may turn it into methods".

`Method.signature`, what `--base` compares, is the method's tokens without comments, plus the
attributes that gate or transform it (`cfg`, `cfg_attr`, unknown macros; not docs or lints):
whitespace and comments never make a method "changed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

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
_COMMENT_KINDS = ("line_comment", "block_comment")
_DOC_KINDS = (*_COMMENT_KINDS, "attribute_item")
_SKIPPED_KINDS = ("empty_statement",)
_COLLECTION = re.compile(
    r"\b(?:Vec|VecDeque|LinkedList|HashMap|HashSet|BTreeMap|BTreeSet|IndexMap|IndexSet|SmallVec"
    r"|Iterator|IntoIterator|Stream|BoxStream|LocalBoxStream)\b|\[[^;\]]*\]"
)
# Which supertraits are the standard library's. A bound names a std trait when it is written as a
# `std::` / `core::` / `alloc::` path (through the `use` declarations in scope), or as a bare name
# that a `use` in scope binds to such a path, or as a bare name of the prelude that nothing in scope
# could rebind: no `use` of that name, no item of that name, no glob import from outside std. Any
# other bound is a user trait: governed when found under the store's paths, SG004 when not.
_STD_ROOTS = frozenset({"std", "core", "alloc"})
# The traits of the std prelude (editions 2021 and 2024).
_PRELUDE_TRAITS = frozenset(
    {
        "AsMut",
        "AsRef",
        "AsyncFn",
        "AsyncFnMut",
        "AsyncFnOnce",
        "Clone",
        "Copy",
        "Default",
        "DoubleEndedIterator",
        "Drop",
        "Eq",
        "ExactSizeIterator",
        "Extend",
        "Fn",
        "FnMut",
        "FnOnce",
        "From",
        "FromIterator",
        "Future",
        "Into",
        "IntoFuture",
        "IntoIterator",
        "Iterator",
        "Ord",
        "PartialEq",
        "PartialOrd",
        "Send",
        "Sized",
        "Sync",
        "ToOwned",
        "ToString",
        "TryFrom",
        "TryInto",
        "Unpin",
    }
)
# Supertraits through which callers reach data on the store without a governed method (SG003), and
# what each gives them. Those in _TARGETED give access to a target type and pass when the target is
# a plain value (`AsRef<str>`, `Deref<Target = str>`, `IntoFuture<Output = ()>`).
_CALLABLE = frozenset({"Fn", "FnMut", "FnOnce", "AsyncFn", "AsyncFnMut", "AsyncFnOnce"})
_DATA_ACCESS_TRAITS = {
    **dict.fromkeys(_CALLABLE, "call the store, store(...)"),
    **dict.fromkeys(
        ("Iterator", "DoubleEndedIterator", "ExactSizeIterator", "FusedIterator"),
        "call next() and every Iterator method on the store",
    ),
    "IntoIterator": "iterate over the store, with into_iter() and for loops",
    "AsyncIterator": "poll the store for items, poll_next()",
    **dict.fromkeys(("Index", "IndexMut"), "index the store, store[key]"),
    "Extend": "write items into the store with extend()",
    **dict.fromkeys(("Read", "BufRead"), "read bytes from the store"),
    "Write": "write bytes into the store",
    **dict.fromkeys(("Deref", "DerefMut"), "call every method of its Target{target} on the store"),
    **dict.fromkeys(("AsRef", "AsMut"), "turn the store into its target type{target} with as_ref()"),
    **dict.fromkeys(("Borrow", "BorrowMut"), "borrow the store as its target type{target}"),
    **dict.fromkeys(("Into", "TryInto"), "turn the store into its target type{target} with into()"),
    **dict.fromkeys(("Future", "IntoFuture"), "await the store, which yields its Output{target}"),
}
# How a targeted trait names its target: an associated type binding, else its first type argument.
_TARGETED = {
    **dict.fromkeys(("Deref", "DerefMut"), "Target"),
    **dict.fromkeys(("Future", "IntoFuture"), "Output"),
    **dict.fromkeys(("AsRef", "AsMut", "Borrow", "BorrowMut", "Into", "TryInto"), ""),
}
_PLAIN_TARGETS = frozenset(
    {"()", "str", "String", "bool", "char", "[u8]", "f32", "f64"}
    | {f"{sign}{bits}" for sign in "ui" for bits in ("8", "16", "32", "64", "128", "size")}
)
# The same from the usual async crates: streams, sinks and async byte streams.
_ASYNC_CRATES = frozenset(
    {
        "futures",
        "futures_core",
        "futures_util",
        "futures_sink",
        "futures_io",
        "futures_lite",
        "tokio",
        "tokio_stream",
        "async_std",
    }
)
_ASYNC_DATA_ACCESS = {
    **dict.fromkeys(
        ("Stream", "StreamExt", "TryStream", "TryStreamExt"),
        "read items from the store with next() and every stream method",
    ),
    **dict.fromkeys(("Sink", "SinkExt"), "write items into the store with send()"),
    **dict.fromkeys(("AsyncRead", "AsyncReadExt", "AsyncBufRead", "AsyncBufReadExt"), "read bytes from the store"),
    **dict.fromkeys(("AsyncWrite", "AsyncWriteExt"), "write bytes into the store"),
}
_STD_CRATES = ("std::", "core::", "alloc::", "::std::", "::core::", "::alloc::")
_DOC_ATTRIBUTE = re.compile(r'#\[\s*doc\s*=\s*"((?:[^"\\]|\\.)*)"\s*\]\Z', re.DOTALL)

# rustc's built-in attributes (the Reference's index). A macro imported under one of these names
# does not compile ("ambiguous because of a name conflict with a builtin attribute"), so they
# never hide a macro.
_BUILTIN_ATTRIBUTES = frozenset(
    {
        "allow",
        "automatically_derived",
        "cfg",
        "cfg_attr",
        "cold",
        "collapse_debuginfo",
        "crate_name",
        "crate_type",
        "debugger_visualizer",
        "deny",
        "deprecated",
        "derive",
        "doc",
        "expect",
        "export_name",
        "feature",
        "forbid",
        "global_allocator",
        "ignore",
        "inline",
        "instruction_set",
        "link",
        "link_name",
        "link_ordinal",
        "link_section",
        "macro_export",
        "macro_use",
        "must_use",
        "naked",
        "no_builtins",
        "no_implicit_prelude",
        "no_link",
        "no_main",
        "no_mangle",
        "no_std",
        "non_exhaustive",
        "panic_handler",
        "path",
        "proc_macro",
        "proc_macro_attribute",
        "proc_macro_derive",
        "recursion_limit",
        "repr",
        "should_panic",
        "target_feature",
        "test",
        "track_caller",
        "type_length_limit",
        "used",
        "warn",
        "windows_subsystem",
    }
)
# Tool attributes: inert unless the file binds the tool's name to a module of its own.
_TOOLS = frozenset({"clippy", "diagnostic", "rustfmt"})
# Attribute macros known to leave a trait's methods as written (they add impls, mocks or a
# variant trait), by the path they are published under; and the bare name each is imported as.
_TRANSPARENT_MACROS = frozenset(
    {"async_trait::async_trait", "auto_impl::auto_impl", "mockall::automock", "trait_variant::make"}
)
_BARE_MACROS = {path.rsplit("::", 1)[1]: path for path in _TRANSPARENT_MACROS}
# Attributes that decide whether, or as what, a method exists: part of its signature for --base.
_GATING_ATTRIBUTES = frozenset({"cfg", "cfg_attr"})


def extract(path: str, text: str, wanted: frozenset[str], language: str = "rust", root: Any = None) -> FileExtraction:
    """The traits named in `wanted` defined in one Rust file, and what blocks reading them
    (`root`: the file's tree, when it was parsed already). Its syntax problem is looked for only
    when it defines one: otherwise it matters only if the trait is found nowhere (the caller's
    `first_syntax_problem` then)."""
    result = FileExtraction(path)
    root = root if root is not None else SgRoot(text, "rust").root()
    result.tree = ("rust", root)
    imports = _Imports(root)
    aliases = _Aliases(root)
    items = root.find_all(kind="trait_item")
    for node in items:
        name_node = node.field("name")
        if name_node is None or _unraw(name_node.text()) not in wanted:
            continue
        trait, problems = _Reader(path, imports, _unraw(name_node.text()), node, aliases).trait(node)
        result.traits.append(trait)
        result.problems.extend(problems)
    if len(_TRAIT_WORD.findall(text)) > len(items):  # `trait` outside trait items: in tokens, perhaps
        result.problems.extend(_generated(path, root, wanted))
    if result.traits:
        result.syntax = first_syntax_problem(root, path)
    return result


class _Aliases:
    """The file's type aliases (`type Getter = fn() -> X;`, outside traits and impls): name -> the
    aliased type node. Built on first use."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._found: dict[str, Any] | None = None

    def get(self, name: str | None) -> Any:
        if self._found is None:
            self._found = {}
            for node in self._root.find_all(kind="type_item"):
                name_node, target = node.field("name"), node.field("type")
                container = node.parent()
                owner = container.parent() if container is not None else None
                if name_node is None or target is None or (owner is not None and owner.kind() in _ASSOCIATED):
                    continue
                self._found.setdefault(_unraw(str(name_node.text())), target)
        return self._found.get(name) if name is not None else None


_ASSOCIATED = ("impl_item", "trait_item")


def _generated(path: str, root: Any, wanted: frozenset[str]) -> list[SourceProblem]:
    """SG003 where a macro generates a governed trait: `trait Store` inside a `macro_rules!` body,
    a macro invocation's or an attribute's tokens; and a `macro_rules!` that generates a trait named
    by its input (`trait $name`), which may be any of them. Rustc compiles what the macro expands to;
    the gate sees only tokens."""
    problems: list[SourceProblem] = []
    names = "|".join(name for name in sorted(wanted) if _IDENTIFIER.fullmatch(name))  # no name is a pattern
    for identifier in root.find_all(kind="identifier", regex=f"^(?:r#)?(?:{names})$") if names else ():
        parent = identifier.parent()
        if parent is None or parent.kind() not in _TOKEN_KINDS or not _after_trait(identifier):
            continue
        name = _unraw(str(identifier.text()))
        problems.append(
            SourceProblem(
                "SG003",
                _location(path, identifier),
                f"the trait {name} is generated by {_macro_of(parent)}: the gate cannot see the methods it gives "
                f"{name} (its input may add any); write the trait out instead of generating it",
                name,
            )
        )
    for variable in root.find_all(kind="metavariable"):
        parent = variable.parent()
        if parent is None or parent.kind() not in _TOKEN_KINDS or not _after_trait(variable):
            continue
        targets = " or ".join(sorted(wanted))
        problems.append(
            SourceProblem(
                "SG003",
                _location(path, variable),
                f"{_macro_of(parent)} generates a trait named by its input (trait {variable.text()}): it may generate "
                f"{targets} with methods the gate cannot see; write the trait out instead of generating it",
            )
        )
    return problems


_TOKEN_KINDS = ("token_tree", "token_repetition")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TRAIT_WORD = re.compile(r"\btrait\b")


def _after_trait(node: Any) -> bool:
    previous = node.prev()
    while previous is not None and previous.kind() in _COMMENT_KINDS:
        previous = previous.prev()
    return previous is not None and previous.kind() == "trait"


def _macro_of(node: Any) -> str:
    """The macro whose tokens hold `node`, for a message."""
    for ancestor in [node, *node.ancestors()]:
        kind = ancestor.kind()
        if kind == "macro_definition":
            name = ancestor.field("name")
            return f"macro_rules! {name.text() if name is not None else ''}".rstrip()
        if kind == "macro_invocation":
            macro = ancestor.field("macro")
            return f"the macro {macro.text() if macro is not None else ''}!(...)"
        if kind == "attribute":
            parts = named_children(ancestor)
            return f"the attribute #[{_path(parts[0]) if parts else ''}(...)]"
    return "a macro"


# Crate names whose items the extractor trusts by name: the attribute macros it lets pass, the tools
# and std. `extern crate other as async_trait;` at a crate root gives that name to another crate.
_TRUSTED_CRATES = frozenset({path.split("::", 1)[0] for path in _TRANSPARENT_MACROS}) | _TOOLS | _STD_ROOTS


def renamed_crates(path: str, text: str, root: Any = None) -> list[SourceProblem]:
    """SG003 for each `extern crate other as async_trait;` (or as another crate name the gate
    trusts: `mockall`, `std`, `clippy`, ...) in a file. At a crate root it renames the crate for
    every module, so the attributes and supertraits the gate trusts by that name in other files may
    be anything; it is reported wherever the gate reads it."""
    if "extern" not in text:
        return []
    problems: list[SourceProblem] = []
    root = root if root is not None else SgRoot(text, "rust").root()
    for declaration in root.find_all(kind="extern_crate_declaration"):
        name, alias = declaration.field("name"), declaration.field("alias")
        if name is None or alias is None:
            continue
        crate, renamed = _unraw(str(name.text())), _unraw(str(alias.text()))
        if renamed not in _TRUSTED_CRATES or crate == renamed or {crate, renamed} <= _STD_ROOTS:
            continue
        problems.append(
            SourceProblem(
                "SG003",
                _location(path, declaration),
                f"extern crate {crate} as {renamed} gives the crate {crate} the name of {renamed}, which the gate "
                f"trusts: attributes and supertraits written with {renamed} in any module may then be {crate}'s and "
                f"change the store's methods unseen; use {crate} under its own name",
            )
        )
    return problems


def crate_roots(files: list[str]) -> list[str]:
    """The crate roots Cargo would use for these files (`src/lib.rs`, `src/main.rs` of each `src`
    folder above them) that are not among them: where a crate-wide `extern crate ... as` is written."""
    roots: list[str] = []
    listed = set(files)
    for file in files:
        parts = file.split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            if parts[depth - 1] != "src":
                continue
            for name in ("lib.rs", "main.rs"):
                candidate = "/".join([*parts[:depth], name])
                if candidate not in listed and candidate not in roots:
                    roots.append(candidate)
    return roots


_WRAPPERS = frozenset({"Option", "Result", "Box", "Arc", "Rc", "Pin", "Cow", "RefCell", "Mutex", "RwLock"})


def type_definitions(
    path: str, text: str, names: frozenset[str], language: str = "rust", root: Any = None
) -> dict[str, TypeDefinition]:
    """Type aliases among `names` defined in the file: `type Items = Vec<Item>;` and `type Page<T> =
    Vec<T>;` are collections; `type A = B;` is what `B` is (`alias_of`), seen through the wrappers
    that do not change it (`Option<B>`, `Result<B>`, `Box<B>`, ...); any other alias is neither."""
    found: dict[str, TypeDefinition] = {}
    root = root if root is not None else SgRoot(text, "rust").root()
    for node in root.find_all(kind="type_item"):
        name_node, target = node.field("name"), node.field("type")
        if name_node is None or target is None or _unraw(name_node.text()) not in names:
            continue
        container = node.parent()
        owner = container.parent() if container is not None else None
        if owner is not None and owner.kind() in ("impl_item", "trait_item"):
            continue  # an associated type: not a name a method's return type can use bare
        parameters = node.field("type_parameters")
        generic = {
            str(p.field("name").text())
            for p in (named_children(parameters) if parameters is not None else ())
            if p.kind() == "type_parameter" and p.field("name") is not None
        }
        if _COLLECTION.search(str(target.text())):
            definition = TypeDefinition(collection=True)
        else:
            definition = TypeDefinition(alias_of=_aliased(target, generic))
        found.setdefault(_unraw(name_node.text()), definition)
    return found


def _aliased(target: Any, generic: set[str]) -> str | None:
    """The user type an alias stands for, through wrappers; None for std paths and parameters."""
    for _ in range(8):
        kind = target.kind()
        if kind == "reference_type":
            target = target.field("type")
        elif kind == "generic_type":
            base = target.field("type")
            arguments = target.field("type_arguments")
            if base is None:
                return None
            if _unraw(str(base.text())) in _WRAPPERS and arguments is not None:
                types = [a for a in named_children(arguments) if a.kind() not in ("lifetime", "type_binding")]
                if not types:
                    return None
                target = types[0]
            else:
                target = base
        elif kind == "type_identifier":
            name = _unraw(str(target.text()))
            return None if name in generic else name
        elif kind == "scoped_type_identifier":
            name_node = target.field("name")
            if name_node is None or str(target.text()).startswith(_STD_CRATES):
                return None
            return _unraw(str(name_node.text()))
        else:
            return None
        if target is None:
            return None
    return None


def _unraw(name: str) -> str:
    return name.removeprefix("r#")


def _location(path: str, node: Any) -> SourceLocation:
    start = node.range().start
    return SourceLocation(path, start.line + 1, start.column + 1)


# ------------------------------------------------------------------ tokens and signatures

_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")
# Texts the fast path cannot normalise alone: comments, string and character literals.
_NEEDS_TREE = re.compile(r"/|\"|'(?:\\|.')")


def _tokens(node: Any, end: int | None = None) -> list[str]:
    """The node's tokens in order, comments left out; with `end`, only tokens starting before it."""
    tokens: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind() in _COMMENT_KINDS or (end is not None and current.range().start.index >= end):
            continue
        children = current.children()
        if children:
            stack.extend(reversed(children))
        else:
            text = current.text()
            if text:
                tokens.append(text)
    return tokens


def _canonical(tokens: list[str]) -> str:
    """Tokens as one string: a space only where two words meet, so that no spacing of the same
    tokens gives another string."""
    out: list[str] = []
    for token in tokens:
        if out and _WORD.match(out[-1][-1]) and _WORD.match(token[0]):
            out.append(" ")
        out.append(token)
    return "".join(out)


def _normalised(node: Any, end: int | None = None) -> str:
    """`_canonical(_tokens(node, end))`, from the text when nothing in it needs the tree."""
    text = node.text()
    if end is not None:
        text = text[: end - node.range().start.index]
    if _NEEDS_TREE.search(text):
        return _canonical(_tokens(node, end))

    def space(match: re.Match[str]) -> str:
        at, after = match.start(), match.end()
        between_words = at > 0 and after < len(text) and _WORD.match(text[at - 1]) and _WORD.match(text[after])
        return " " if between_words else ""

    return _SPACES.sub(space, text)


# ------------------------------------------------------------------ imports and attributes


class _Imports:
    """What `use`, `extern crate` and `mod` declarations bind: name -> the paths it may stand for,
    the paths glob-imported, and the names of the types and traits defined. Over the whole file
    (every binding, whatever its scope: what attributes are judged by), or, given `containers`,
    over the declarations written directly in them (a trait's own scope). Built on first use: most
    files never need it."""

    def __init__(self, root: Any, containers: list[Any] | None = None) -> None:
        self.root = root
        self._containers = containers
        self._bindings: dict[str, set[str]] | None = None
        self._globs: set[str] = set()
        self._defined: set[str] = set()

    def _declarations(self, kinds: tuple[str, ...]) -> list[Any]:
        if self._containers is None:
            return [node for kind in kinds for node in self.root.find_all(kind=kind)]
        return [node for container in self._containers for node in named_children(container) if node.kind() in kinds]

    @property
    def bindings(self) -> dict[str, set[str]]:
        if self._bindings is None:
            self._bindings = {}
            for declaration in self._declarations(("use_declaration",)):
                argument = declaration.field("argument")
                if argument is not None:
                    self._use_tree(argument, "")
            for module in self._declarations(("mod_item",)):
                name = module.field("name")
                if name is not None:  # a local module shadows a crate of its name
                    self._bind(name.text(), f"self::{_unraw(name.text())}")
            for declaration in self._declarations(("extern_crate_declaration",)):
                name, alias = declaration.field("name"), declaration.field("alias")
                if name is not None:
                    self._bind((alias or name).text(), _path(name))
            for item in self._declarations(_TYPE_ITEMS) if self._containers is not None else ():
                name = item.field("name")
                if name is not None:
                    self._defined.add(_unraw(name.text()))
        return self._bindings

    @property
    def globs(self) -> set[str]:
        _ = self.bindings
        return self._globs

    @property
    def defined(self) -> set[str]:
        _ = self.bindings
        return self._defined

    def is_std(self, path: str) -> bool:
        """Is the path (resolved through these bindings) in the standard library, whose crate names
        nothing here rebinds (`extern crate other as std;`, `mod core;`)?"""
        root = path.split("::", 1)[0]
        return root in _STD_ROOTS and "::" in path and self.bindings.get(root, {root}) == {root}

    def resolve(self, path: str) -> list[str]:
        """The paths a path as written may stand for: its first segment through the bindings."""
        head, _, rest = path.partition("::")
        bound = self.bindings.get(head)
        if not bound:
            return [path]
        return sorted(f"{target}::{rest}" if rest else target for target in bound)

    def _bind(self, name: str, path: str) -> None:
        assert self._bindings is not None
        self._bindings.setdefault(_unraw(name), set()).add(path)

    def _use_tree(self, node: Any, prefix: str) -> None:
        kind = node.kind()
        if kind == "use_as_clause":
            target, alias = node.field("path"), node.field("alias")
            if target is not None and alias is not None:
                self._bind(alias.text(), _join(prefix, _path(target)))
        elif kind == "scoped_use_list":
            head, items = node.field("path"), node.field("list")
            inner = _join(prefix, _path(head)) if head is not None else prefix
            for child in named_children(items) if items is not None else ():
                self._use_tree(child, inner)
        elif kind == "use_list":
            for child in named_children(node):
                self._use_tree(child, prefix)
        elif kind == "use_wildcard":
            heads = named_children(node)
            self._globs.add(_join(prefix, _path(heads[0])) if heads else prefix)
        elif kind in ("identifier", "scoped_identifier", "self", "crate", "super"):
            full = _join(prefix, _path(node))
            self._bind(full.rsplit("::", 1)[-1], full)


def _path(node: Any) -> str:
    """A path as `a::b::c`: whitespace, raw prefixes and a leading `::` removed; `self` in a use
    list stands for the path before it (see `_join`)."""
    text = "".join(str(node.text()).split()).removeprefix("::")
    return "::".join(_unraw(segment) for segment in text.split("::"))


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return prefix if path == "self" else f"{prefix}::{path}"


_PATH_TOKENS = ("identifier", "::", "crate", "self", "super")
# Items of the type namespace: a trait bound of their name names them, not a std trait.
_TYPE_ITEMS = ("trait_item", "struct_item", "enum_item", "union_item", "type_item")


@dataclass(frozen=True)
class _Attribute:
    """One attribute, `cfg_attr` and `unsafe(...)` unwrapped: its path as written."""

    path: str
    under: str = ""  # the attribute it is written inside: cfg_attr(...) or unsafe(...)


def _attributes(item: Any) -> list[_Attribute]:
    """The attributes an attribute_item applies (those under `cfg_attr` included, whatever the
    condition: the gate does not evaluate it)."""
    attribute = next((c for c in named_children(item) if c.kind() == "attribute"), None)
    parts = named_children(attribute) if attribute is not None else []
    if attribute is None or not parts:
        return [_Attribute(" ".join(str(item.text()).split()))]
    return _unwrap(_path(parts[0]), attribute.field("arguments"), under="")


def _written_path(item: Any) -> str:
    """The path of an attribute_item as written, before `cfg_attr` is unwrapped."""
    attribute = next((c for c in named_children(item) if c.kind() == "attribute"), None)
    parts = named_children(attribute) if attribute is not None else []
    return _path(parts[0]) if parts else ""


def _unwrap(path: str, arguments: Any, under: str) -> list[_Attribute]:
    if path not in ("cfg_attr", "unsafe") or arguments is None:
        return [_Attribute(path, under)]
    segments = _split_arguments(arguments)
    applied = segments[1:] if path == "cfg_attr" else segments  # cfg_attr(condition, attr, ...)
    found: list[_Attribute] = []
    for segment in applied:
        head: list[Any] = []
        for node in segment:
            if node.kind() not in _PATH_TOKENS:
                break
            head.append(node)
        if not head and segment[0].kind() == "unsafe":  # cfg_attr(c, unsafe(m)): `unsafe` is a keyword token
            head = segment[:1]
        rest = segment[len(head) :]
        inner = "::".join(_unraw(s) for s in "".join(str(n.text()) for n in head).removeprefix("::").split("::"))
        inner_arguments = rest[0] if rest and rest[0].kind() == "token_tree" else None
        found.extend(_unwrap(inner or " ".join(str(n.text()) for n in segment), inner_arguments, under=path))
    return found


def _split_arguments(arguments: Any) -> list[list[Any]]:
    """A token tree's contents split at its top-level commas, comments left out."""
    children = [c for c in arguments.children() if c.kind() not in _COMMENT_KINDS]
    segments: list[list[Any]] = [[]]
    for child in children[1:-1]:  # inside the brackets
        if child.kind() == ",":
            segments.append([])
        else:
            segments[-1].append(child)
    return [segment for segment in segments if segment]


# ------------------------------------------------------------------ cfg conditions

# Configuration names rustc or Cargo set (rustc's well-known names, `target_*` included, and
# Cargo's `feature` and `docsrs`). Any other name is set only by `--cfg` (RUSTFLAGS, a build script).
_WELL_KNOWN_CFGS = frozenset(
    {
        "clippy",
        "contract_checks",
        "debug_assertions",
        "doc",
        "docsrs",
        "doctest",
        "emscripten_wasm_eh",
        "feature",
        "fmt_debug",
        "miri",
        "overflow_checks",
        "panic",
        "proc_macro",
        "relocation_model",
        "rustfmt",
        "sanitize",
        "sanitizer_cfi_generalize_pointers",
        "sanitizer_cfi_normalize_integers",
        "test",
        "ub_checks",
        "unix",
        "windows",
    }
)


def _absent(item: Any) -> tuple[bool, list[str]] | None:
    """Does a `cfg` (or a `cfg` under `cfg_attr`) leave out what the attribute is on? (True, []) when
    in every build; (False, names) when in every build but those given `--cfg` for the names; None
    when some build Cargo can make keeps it, or the gate cannot tell."""
    attribute = next((c for c in named_children(item) if c.kind() == "attribute"), None)
    parts = named_children(attribute) if attribute is not None else []
    if attribute is None or not parts or _path(parts[0]) not in ("cfg", "cfg_attr"):
        return None
    path, arguments = _path(parts[0]), attribute.field("arguments")
    if _present(path, arguments, None, []) is False:
        return True, []
    names: list[str] = []
    if _present(path, arguments, False, names) is False:
        return False, names
    return None


def _present(path: str, arguments: Any, custom: bool | None, names: list[str]) -> bool | None:
    """Is what the attribute `path(arguments)` is on kept? None: it depends on the build. `custom`
    is the value given to the names only `--cfg` sets (recorded in `names`)."""
    if arguments is None or path not in ("cfg", "cfg_attr"):
        return True
    segments = _split_arguments(arguments)
    if path == "cfg":
        return _evaluate(segments[0], custom, names) if len(segments) == 1 else None
    if len(segments) < 2:
        return None
    kept: bool | None = True
    for segment in segments[1:]:
        head = [node for node in segment if node.kind() in _PATH_TOKENS]
        inner = "".join(str(node.text()) for node in head) if len(head) == len(segment) - 1 else ""
        inner_arguments = segment[-1] if segment[-1].kind() == "token_tree" else None
        if inner in ("cfg", "cfg_attr"):
            kept = _all([kept, _present(inner, inner_arguments, custom, names)])
    condition = _evaluate(segments[0], custom, names)
    return _any([None if condition is None else not condition, kept])  # cfg_attr(c, cfg(p)): !c || p


def _evaluate(segment: list[Any], custom: bool | None, names: list[str]) -> bool | None:
    """A configuration predicate's value: True, False, or None when it depends on the build."""
    if len(segment) == 1:
        node = segment[0]
        if node.kind() == "boolean_literal":
            return str(node.text()) == "true"
        return _option(node, custom, names) if node.kind() == "identifier" else None
    first = segment[0]
    if len(segment) == 2 and first.kind() == "identifier" and segment[1].kind() == "token_tree":
        values = [_evaluate(part, custom, names) for part in _split_arguments(segment[1])]
        operator = str(first.text())
        if operator == "all":
            return _all(values)
        if operator == "any":
            return _any(values)
        if operator == "not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        return None
    if len(segment) == 3 and first.kind() == "identifier" and segment[1].kind() == "=":
        return _option(first, custom, names)  # `feature = "x"`, `target_os = "linux"`
    return None


def _option(node: Any, custom: bool | None, names: list[str]) -> bool | None:
    name = _unraw(str(node.text()))
    if name in _WELL_KNOWN_CFGS or name.startswith("target_"):
        return None
    names.append(name)
    return custom


def _all(values: list[bool | None]) -> bool | None:
    if False in values:
        return False
    return True if all(value is True for value in values) else None


def _any(values: list[bool | None]) -> bool | None:
    if True in values:
        return True
    return False if all(value is False for value in values) else None


_Verdict = Literal["known", "unknown", "unimported"]


def _verdict(path: str, imports: _Imports, for_trait: bool) -> _Verdict:
    """Is the attribute known to leave the trait's methods as written?"""
    segments = path.split("::")
    if len(segments) == 1 and path in _BUILTIN_ATTRIBUTES:
        return "known"
    bound = imports.bindings.get(segments[0])
    if bound is None:
        if segments[0] in _TOOLS and len(segments) > 1:
            return "known"
        if for_trait and path in _TRANSPARENT_MACROS:
            return "known"
        if for_trait and path in _BARE_MACROS:
            crate = _BARE_MACROS[path].split("::", 1)[0]
            return "known" if crate in imports.globs else "unimported"
        return "unknown"
    rest = segments[1:]
    resolved = {"::".join([target, *rest]) for target in bound}
    return "known" if for_trait and resolved <= _TRANSPARENT_MACROS else "unknown"


def _preceding_attributes(node: Any) -> list[Any]:
    """The attribute_items written before an item (its outer attributes), in source order."""
    found: list[Any] = []
    sibling = node.prev()
    while sibling is not None and sibling.kind() in _DOC_KINDS:
        if sibling.kind() == "attribute_item":
            found.append(sibling)
        sibling = sibling.prev()
    return list(reversed(found))


# ------------------------------------------------------------------ the trait


class _Reader:
    """Reads one trait: supertraits, methods, and what the gate cannot analyse."""

    def __init__(self, path: str, imports: _Imports, name: str, node: Any, aliases: _Aliases) -> None:
        self.path = path
        self.imports = imports
        self.name = name
        self.scope = _Imports(imports.root, _scope_of(node))  # what names mean where the trait is
        self.aliases = aliases
        self.problems: list[SourceProblem] = []
        # The types of the trait that are functions: "Self::E" for an associated type, "F" for a
        # type parameter, each with its Fn bound (a function_type node); the type parameters.
        self.callables: dict[str, Any] = {}
        self.parameters: set[str] = set()

    def problem(self, code: Literal["SG003", "SG004"], node: Any, message: str) -> None:
        self.problems.append(SourceProblem(code, _location(self.path, node), message, self.name))

    def trait(self, node: Any) -> tuple[TraitDefinition, list[SourceProblem]]:
        self._trait_attributes(node)
        supertraits = self._supertraits(node)
        methods: list[Method] = []
        body = node.field("body")
        items = named_children(body) if body is not None else []
        self._find_callables(node, items)
        pending: list[Any] = []
        for item in items:
            kind = item.kind()
            if kind in _DOC_KINDS:
                if not _is_inner_doc(item):
                    pending.append(item)
                continue
            if kind == "inner_attribute_item":
                self._judge(item, "", inner=True)
                continue
            if kind in _METHOD_KINDS:
                methods.append(self._method(item, pending))
            else:
                member = self._item(item, pending)
                if member is not None:
                    methods.append(member)
            pending = []
        trait = TraitDefinition(self.name, _location(self.path, node.field("name")), tuple(supertraits), tuple(methods))
        return trait, self.problems

    # -- attributes

    def _trait_attributes(self, node: Any) -> None:
        """The trait's attributes, and those of every item and body enclosing it."""
        for attribute_item in _preceding_attributes(node):
            self._judge(attribute_item, "")
            self._cfg(attribute_item, "")
        for ancestor in node.ancestors():
            kind = ancestor.kind()
            if kind.endswith("_item"):
                for attribute_item in _preceding_attributes(ancestor):
                    self._judge(attribute_item, _describe(ancestor))
                    self._cfg(attribute_item, _describe(ancestor))
            elif kind in ("source_file", "declaration_list", "block"):
                owner = ancestor.parent()
                where = "this file" if owner is None else _describe(owner)
                for child in named_children(ancestor):
                    if child.kind() == "inner_attribute_item":
                        self._judge(child, where, inner=True)
                        self._cfg(child, where)

    def _cfg(self, item: Any, enclosing: str) -> None:
        """SG003 when a cfg leaves the trait out of every build (`cfg(any())`, `cfg(false)`), or of
        every build but those that pass a `--cfg` of their own (`cfg(FALSE)`): the definition the
        gate reads is then a decoy, and the trait callers use is one it cannot see."""
        absent = _absent(item)
        if absent is None:
            return
        written = " ".join(str(item.text()).split())
        subject = (
            f"{self.name} is defined under {written}"
            if not enclosing
            else (f"{self.name} is defined inside {enclosing}, which has {written}")
        )
        definite, names = absent
        if definite:
            why = "which is never true: rustc never compiles this definition"
        else:
            flags = ", ".join(f"--cfg {name}" for name in dict.fromkeys(names))
            why = (
                f"which holds only in a build given {flags} (neither rustc nor Cargo sets it): rustc may never "
                "compile this definition"
            )
        self.problem(
            "SG003",
            item,
            f"{subject}, {why}, and the {self.name} callers use may be one the gate cannot see; remove the cfg, or "
            "gate the trait on a Cargo feature (cfg(feature = ...))",
        )

    def _judge(self, item: Any, enclosing: str, inner: bool = False) -> None:
        """SG003 for each attribute of the trait, or of what encloses it (`enclosing` names it),
        that may change the trait's methods."""
        bang = "!" if inner else ""
        for attribute in _attributes(item):
            verdict = _verdict(attribute.path, self.imports, for_trait=True)
            if verdict == "known":
                continue
            written = f"#{bang}[{attribute.path}]" + (f" (under {attribute.under})" if attribute.under else "")
            if verdict == "unimported":
                canonical = _BARE_MACROS[attribute.path]
                message = (
                    f"{self.name} has the attribute {written}, which this file does not import from {canonical}: "
                    f"the gate cannot tell which macro it is; add use {canonical}; or write #[{canonical}]"
                )
            elif enclosing:
                message = (
                    f"{self.name} is defined inside {enclosing}, which has the attribute macro {written}: it may "
                    "add methods to the trait the gate cannot see; move the trait out of it"
                )
            else:
                message = (
                    f"{self.name} has the attribute macro {written}, which may add methods the gate cannot see; "
                    "write the methods out in the trait instead (cargo expand shows them)"
                )
            self.problem("SG003", item, message)

    def _member_attributes(self, preceding: list[Any], subject: str, effect: str, fix: str) -> list[Any]:
        """SG003 for each attribute of a body item that may change it; returns the attribute_items
        that belong in its signature (`cfg`, `cfg_attr`, unknown macros)."""
        gating: list[Any] = []
        for item in preceding:
            if item.kind() != "attribute_item":
                continue
            attributes = _attributes(item)
            unknown = [a for a in attributes if _verdict(a.path, self.imports, for_trait=False) != "known"]
            if unknown or _written_path(item) in _GATING_ATTRIBUTES:
                gating.append(item)
            for attribute in unknown:
                written = f"#[{attribute.path}]" + (f" (under {attribute.under})" if attribute.under else "")
                self.problem("SG003", item, f"{subject} has the attribute macro {written}, which {effect}; {fix}")
        return gating

    # -- supertraits

    def _supertraits(self, node: Any) -> list[Heritage]:
        bounds: list[Any] = []
        declared = node.field("bounds")
        if declared is not None:
            bounds.extend(named_children(declared))
        for clause in (c for c in named_children(node) if c.kind() == "where_clause"):
            for predicate in named_children(clause):
                left, right = predicate.field("left"), predicate.field("bounds")
                if left is not None and left.kind() == "higher_ranked_trait_bound":
                    left = left.field("type")  # `for<'a> Self: Admin<'a>`
                if left is not None and right is not None and _is_self(left):
                    bounds.extend(named_children(right))
        supertraits: list[Heritage] = []
        for bound in bounds:
            heritage = self._heritage(bound, bound)
            if heritage is not None:
                supertraits.append(heritage)
        return supertraits

    def _heritage(self, bound: Any, outer: Any) -> Heritage | None:
        """A supertrait bound as written; None for what cannot be a trait (lifetimes, `?Sized`).
        `outer` is the bound as a whole, reported when it cannot be read."""
        kind = bound.kind()
        if kind in _PATH_KINDS:
            return self._named(bound, bound, None)
        if kind == "generic_type":  # `Admin<'a>`, `Deref<Target = X>`
            inner = bound.field("type")
            if inner is not None and inner.kind() in _PATH_KINDS:
                return self._named(inner, bound, bound.field("type_arguments"))
        elif kind == "higher_ranked_trait_bound":  # `for<'a> Admin<'a>`
            inner = bound.field("type")
            if inner is not None:
                return self._heritage(inner, outer)
        elif kind == "tuple_type" and len(named_children(bound)) == 1:  # `(Admin)`
            return self._heritage(named_children(bound)[0], outer)
        elif kind == "function_type":  # `Fn(u8) -> u8`
            inner = bound.field("trait")
            if inner is not None and inner.kind() in _PATH_KINDS:
                return self._named(inner, bound, None)
        elif kind in ("lifetime", "removed_trait_bound"):
            return None  # `'static`, `?Sized`: not traits
        if kind != "ERROR":  # ERROR is reported as SG002
            written = " ".join(str(outer.text()).split())
            self.problem(
                "SG004",
                outer,
                f"{self.name} has the supertrait bound {written}, which the gate cannot read as a trait: its methods "
                "would not be governed; write the bound as a trait path (Admin, crate::admin::Admin)",
            )
        return None

    def _named(self, path_node: Any, whole: Any, arguments: Any) -> Heritage:
        """A supertrait by its path (`path_node`), written as `whole` (with its generic arguments)."""
        written_path = _path(path_node)
        name = written_path.rsplit("::", 1)[-1]
        paths, std_name = self._resolve(written_path)
        what: str | None = None
        if std_name is not None:
            what = _data_access(std_name, arguments)
        elif paths and all(
            p.split("::", 1)[0] in _ASYNC_CRATES and p.rsplit("::", 1)[-1] in _ASYNC_DATA_ACCESS for p in paths
        ):
            what = _ASYNC_DATA_ACCESS[paths[0].rsplit("::", 1)[-1]]
        if what is not None:
            self.problem(
                "SG003",
                whole,
                f"{self.name} has the supertrait {' '.join(str(whole.text()).split())}, which lets callers {what}: "
                f"data access the gate cannot govern; declare that access as a method of {self.name}, or drop the "
                "supertrait",
            )
        standard = std_name is not None or what is not None
        return Heritage(name, str(whole.text()), _location(self.path, path_node), standard, paths=tuple(paths))

    def _resolve(self, path: str) -> tuple[list[str], str | None]:
        """The paths a supertrait as written may stand for, and the std trait it names (None: not
        certainly std's)."""
        scope = self.scope
        head, _, rest = path.partition("::")
        if rest:
            if head in ("crate", "self", "super", "Self"):
                return [path], None
            resolved = scope.resolve(path)
            last = {p.rsplit("::", 1)[-1] for p in resolved}
            std = all(scope.is_std(p) for p in resolved) and len(last) == 1
            return resolved, last.pop() if std else None
        bound = scope.bindings.get(head)
        if bound:
            resolved = sorted(bound)
            last = {p.rsplit("::", 1)[-1] for p in resolved}
            std = all(scope.is_std(p) for p in resolved) and len(last) == 1
            return resolved, last.pop() if std else None
        foreign = sorted(g for g in scope.globs if not scope.is_std(g))
        paths = [path, *(f"{glob}::{head}" for glob in foreign)]
        if head in scope.defined or foreign:
            return paths, None  # an item of that name here, or one a glob may bring in
        if head in _PRELUDE_TRAITS or scope.globs:  # the prelude's, or a std glob's
            return paths, head
        return paths, None

    # -- body items

    def _find_callables(self, node: Any, items: list[Any]) -> None:
        """The trait's type parameters and associated types bounded by Fn, FnMut or FnOnce."""

        def record(key: str | None, bounds: Any) -> None:
            for bound in named_children(bounds) if key is not None and bounds is not None else ():
                function = _fn_bound(bound)
                if function is not None:
                    self.callables.setdefault(str(key), function)

        parameters = node.field("type_parameters")
        for parameter in named_children(parameters) if parameters is not None else ():
            name = parameter.field("name")
            name = name if name is not None else parameter.field("left")
            bounds = parameter.field("bounds")
            if name is not None:
                record(_unraw(name.text()), bounds)
                if parameter.kind() in ("type_parameter", "constrained_type_parameter", "optional_type_parameter"):
                    self.parameters.add(_unraw(name.text()))
        for clause in (c for c in named_children(node) if c.kind() == "where_clause"):
            for predicate in named_children(clause):
                left = predicate.field("left")
                record(_type_key(left) if left is not None else None, predicate.field("bounds"))
        for item in items:
            if item.kind() == "associated_type" and item.field("name") is not None:
                record(f"Self::{_unraw(item.field('name').text())}", item.field("bounds"))

    def _item(self, item: Any, preceding: list[Any]) -> Method | None:
        """A body item other than a method: a method when it is a const holding a function; None,
        with any problem it gives recorded, otherwise."""
        kind = item.kind()
        described = kind.replace("_", " ")
        name_node = item.field("name")
        label = f"{described} {name_node.text()}" if name_node is not None else described
        if kind == "const_item" and name_node is not None:
            type_node = item.field("type")
            function, nested, chosen = self._callable(type_node) if type_node is not None else (None, None, None)
            if function is not None:
                return self._const_method(item, function, preceding)
            written = " ".join(str(type_node.text()).split()) if type_node is not None else ""
            if nested is not None:
                self.problem(
                    "SG003",
                    item,
                    f"{self.name}'s {label} has the type {written}, which holds functions "
                    f"({' '.join(str(nested.text()).split())}): calling them is data access the gate cannot govern; "
                    f"write each as a method of {self.name}",
                )
            elif chosen is not None:
                self.problem(
                    "SG003",
                    item,
                    f"{self.name}'s {label} has the type {written}, where {' '.join(str(chosen.text()).split())} is "
                    "chosen by an implementation or its callers and may be a fn pointer: it may hold a function the "
                    f"gate cannot govern; give it a concrete type, or write the access as a method of {self.name}",
                )
        self._member_attributes(
            preceding,
            f"{self.name}'s {label}",
            "may turn it into methods the gate cannot see",
            "remove the attribute, or write the methods out in the trait",
        )
        if kind in ("const_item", "associated_type"):
            key = f"Self::{_unraw(name_node.text())}" if name_node is not None else ""
            if kind == "associated_type" and key in self.callables:
                bound = " ".join(str(self.callables[key].text()).split())
                self.problem(
                    "SG003",
                    item,
                    f"{self.name}'s associated type {_unraw(name_node.text())} is a function type ({bound}): what "
                    "gives callers a value of it hands them a function the gate cannot govern; write that access as "
                    f"a method of {self.name}",
                )
            return None
        if kind in _SKIPPED_KINDS or kind == "ERROR":  # ERROR is reported as SG002
            return None
        if kind == "macro_invocation":
            macro = item.field("macro")
            macro_name = macro.text() if macro is not None else item.text().split("!")[0]
            self.problem(
                "SG003",
                item,
                f"{self.name} contains the macro invocation {macro_name}!(...), whose methods the gate "
                "cannot see; write the methods out in the trait",
            )
        elif kind == "macro_definition":
            self.problem(
                "SG003",
                item,
                f"{self.name} contains the macro definition macro_rules! {name_node.text() if name_node else ''}, "
                "which the gate cannot analyse; move it out of the trait (rustc does not accept it there)",
            )
        else:
            self.problem(
                "SG003",
                item,
                f"{self.name} contains {label}, which the gate cannot analyse; write the methods out in the "
                "trait and move anything else out of it",
            )
        return None

    def _callable(self, type_node: Any) -> tuple[Any, Any, Any]:
        """What makes a const's type hold a function: (the function type it is, through references,
        smart pointers and aliases of this file: a fn pointer, a closure trait, a type of the trait
        bounded by Fn; else a function type it holds inside: `Option<fn()>`, `[fn(); 2]`; else a type
        an implementation or a caller chooses: `Self::Item`, a type parameter), at most one set."""
        node = type_node
        for _ in range(16):
            kind = node.kind()
            following: Any = None
            if kind == "function_type":
                trait = node.field("trait")
                if trait is None or _path(trait).rsplit("::", 1)[-1] in _CALLABLE:
                    return node, None, None
            elif kind in ("reference_type", "pointer_type"):
                following = node.field("type")
            elif kind == "tuple_type" and len(named_children(node)) == 1 and "," not in _kinds(node):
                following = named_children(node)[0]
            elif kind in ("dynamic_type", "abstract_type"):
                following = node.field("trait")
            elif kind == "bounded_type":  # `dyn Fn() + Sync`
                for part in named_children(node):
                    function, _, _ = self._callable(part)
                    if function is not None:
                        return function, None, None
            elif kind == "generic_type":
                base, arguments = node.field("type"), node.field("type_arguments")
                if base is not None and _unraw(str(base.text())).rsplit("::", 1)[-1] in _POINTERS and arguments:
                    following = next((a for a in named_children(arguments) if a.kind() not in _NOT_TYPES), None)
            elif kind in _PATH_KINDS:
                key = _type_key(node)
                if key in self.callables:
                    return self.callables[key], None, None
                following = self.aliases.get(key)
            if following is None:
                break
            node = following
        nested = type_node.find(kind="function_type")
        named = type_node.find_all(any=[{"kind": kind} for kind in _PATH_KINDS])
        if nested is None:
            nested = next((n for n in named if _type_key(n) in self.callables), None)
        if nested is not None:
            return None, nested, None
        keys = ((n, _type_key(n)) for n in named)
        chosen = next((n for n, key in keys if key and (key.startswith("Self::") or key in self.parameters)), None)
        return None, None, chosen

    def _const_method(self, item: Any, function: Any, preceding: list[Any]) -> Method:
        """An associated const holding a function, as the method it is: `const ALL: fn(&Self) -> X`
        is called `(S::ALL)(store)`."""
        parameters: list[Parameter] = []
        params = function.field("parameters")
        listed = [p for p in named_children(params) if p.kind() not in _DOC_KINDS] if params is not None else []
        for index, param in enumerate(listed):
            if param.kind() == "variadic_parameter":
                continue
            type_node = param.field("type") if param.kind() == "parameter" else param
            type_text = str(type_node.text()) if type_node is not None else ""
            if index == 0 and _RECEIVER.fullmatch("".join(type_text.split())):
                continue  # `fn(&Self, ...)`: the store itself
            if param.kind() == "parameter":
                found = _parameter(param)
                if found is not None:
                    parameters.append(found)
            else:
                parameters.append(Parameter(None, type_text, False))
        return self._built_method(item, parameters, function.field("return_type"), "value", preceding)

    def _method(self, item: Any, preceding: list[Any]) -> Method:
        parameters: list[Parameter] = []
        params = item.field("parameters")
        for param in named_children(params) if params is not None else ():
            if param.kind() != "parameter":
                continue  # self_parameter, attribute_item, variadic
            found = _parameter(param)
            if found is not None:
                parameters.append(found)
        return self._built_method(item, parameters, item.field("return_type"), "body", preceding)

    def _built_method(
        self, item: Any, parameters: list[Parameter], return_node: Any, tail: str, preceding: list[Any]
    ) -> Method:
        """The Method of a member (a function, or a const holding one): its signature is the
        declaration up to `tail` (the function's body, the const's value), after its gating attributes."""
        name_node = item.field("name")
        name = _unraw(name_node.text())
        return_type = return_node.text() if return_node is not None else None
        doc_lines, attributes = _docs(self.path, preceding)
        gating = self._member_attributes(
            preceding,
            f"{self.name}.{name}",
            "may rename or remove the method, or add others the gate cannot see",
            "write the method out without it",
        )
        end = item.field(tail)
        declaration = _normalised(item, end.range().start.index if end is not None else None)
        signature = " ".join([*(_normalised(a) for a in gating), declaration.removesuffix(";")])
        return Method(
            trait=self.name,
            name=name,
            location=_location(self.path, name_node),
            parameters=tuple(parameters),
            return_type=return_type,
            returns_collection=bool(return_type and _COLLECTION.search(return_type)),
            inline=tuple(access_declarations(doc_lines)),
            attributes=tuple(attributes),
            signature=signature,
        )


_PATH_KINDS = ("type_identifier", "scoped_type_identifier")
_NOT_TYPES = ("lifetime", "type_binding", "line_comment", "block_comment")
# Pointers a const may hold a function through: `Box<dyn Fn()>`, `Arc<dyn Fn()>`, `Pin<&F>`.
_POINTERS = frozenset({"Box", "Arc", "Rc", "Pin", "ManuallyDrop"})
_RECEIVER = re.compile(r"&(?:'\w+)?(?:mut)?Self|Self|(?:Box|Rc|Arc|Pin)<.*Self>")


def _kinds(node: Any) -> list[str]:
    return [child.kind() for child in node.children()]


_OPTION = re.compile(r"\s*(?:(?:std|core)\s*::\s*option\s*::\s*)?Option\s*<")


def _parameter(param: Any) -> Parameter | None:
    """A `parameter` node as the gate binds it; None for a `self: Box<Self>` receiver."""
    pattern = param.field("pattern")
    type_node = param.field("type")
    type_text = type_node.text() if type_node is not None else ""
    pattern_kind = pattern.kind() if pattern is not None else ""
    if pattern_kind == "self":
        return None  # `self: Box<Self>` is the receiver
    optional = bool(_OPTION.match(type_text))  # the caller may pass None
    if pattern_kind == "identifier":
        return Parameter(_unraw(pattern.text()), type_text, True, optional)
    if pattern_kind == "ref_pattern" and pattern.find(kind="identifier") is not None:
        return Parameter(_unraw(pattern.find(kind="identifier").text()), type_text, True, optional)
    return Parameter(None, type_text, False)


def _scope_of(node: Any) -> list[Any]:
    """The bodies whose declarations name things where `node` is written: from its own up to its
    module's (a block's items and uses, then those of the function's module)."""
    containers: list[Any] = []
    current = node.parent()
    while current is not None:
        kind = current.kind()
        if kind in ("source_file", "declaration_list", "block"):
            containers.append(current)
            owner = current.parent()
            if kind == "source_file" or (owner is not None and owner.kind() == "mod_item"):
                break
        current = current.parent()
    return containers


def _is_self(node: Any) -> bool:
    """Is the type `Self`, however parenthesised and commented (`(Self)`, `( /* */ Self )`)? A
    one-element tuple `(Self,)` is not."""
    return [token for token in _tokens(node) if token not in ("(", ")")] == ["Self"]


def _type_key(node: Any) -> str | None:
    """A type as the trait's callables are keyed: `F`, `Self::E` (also `<Self as Store>::E`)."""
    kind = node.kind()
    if kind == "type_identifier":
        return _unraw(str(node.text()))
    if kind == "tuple_type" and len(named_children(node)) == 1 and "," not in _kinds(node):
        return _type_key(named_children(node)[0])
    if kind == "scoped_type_identifier":
        path, name = node.field("path"), node.field("name")
        if path is None or name is None:
            return None
        if path.kind() == "bracketed_type":  # `<Self as Store>::E`
            qualified = next((c for c in named_children(path) if c.kind() == "qualified_type"), None)
            path = qualified.field("type") if qualified is not None else None
        if path is not None and _is_self(path):
            return f"Self::{_unraw(str(name.text()))}"
    return None


def _fn_bound(bound: Any) -> Any:
    """The `Fn(...) -> R` of a bound (through `for<'a>` and parentheses), else None."""
    for _ in range(8):
        kind = bound.kind()
        if kind == "function_type":
            trait = bound.field("trait")
            return bound if trait is not None and _path(trait).rsplit("::", 1)[-1] in _CALLABLE else None
        if kind == "higher_ranked_trait_bound":
            bound = bound.field("type")
        elif kind == "tuple_type" and len(named_children(bound)) == 1:
            bound = named_children(bound)[0]
        else:
            return None
        if bound is None:
            return None
    return None


def _data_access(trait: str, arguments: Any) -> str | None:
    """What a std supertrait gives callers on the store, when that is data access."""
    what = _DATA_ACCESS_TRAITS.get(trait)
    if what is None or trait not in _TARGETED:
        return what
    binding = _TARGETED[trait]
    target: str | None = None
    for argument in named_children(arguments) if arguments is not None else ():
        if binding and argument.kind() == "type_binding":
            name, value = argument.field("name"), argument.field("type")
            if name is not None and value is not None and name.text() == binding:
                target = "".join(str(value.text()).split())
        elif not binding and argument.kind() not in _NOT_TYPES:
            target = "".join(str(argument.text()).split())
            break
    if target in _PLAIN_TARGETS:
        return None
    return what.format(target=f" ({target})" if target else "")


def _describe(item: Any) -> str:
    """An enclosing item, for a message: `mod store`, `function build`, `an impl block`."""
    name = item.field("name")
    kind = item.kind().removesuffix("_item").replace("_", " ")
    return f"{kind} {name.text()}" if name is not None else f"an {kind} block"


def _is_inner_doc(node: Any) -> bool:
    text = node.text()
    return bool(node.kind() != "attribute_item" and (text.startswith("//!") or text.startswith("/*!")))


def _at_access(line: SourceLocation, text: str, column: int) -> SourceLocation:
    """Where a doc line's `@access` is (`text` starts at `column`), as Python and TypeScript
    report it; the line's own start when it holds none."""
    at = text.find("@access")
    return line if at < 0 else SourceLocation(line.path, line.line, column + at)


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
            content = text[3:].rstrip("\n")
            lines.append((_at_access(loc, content, loc.column + 3), content))
        elif text.startswith("/**") and not text.startswith("/***") and text != "/**/":
            for offset, line in enumerate(text[3:-2].split("\n")):
                # a later line of the comment is the whole line of the file, from column 1
                start = SourceLocation(loc.path, loc.line + offset, loc.column + 3 if offset == 0 else 1)
                lines.append((_at_access(start, line, start.column), line.strip().lstrip("*")))
    return lines, attributes


_RUST_NUMBER = re.compile(r"(?:u|i)(?:8|16|32|64|128|size)|f32|f64|Decimal|BigDecimal|NonZero\w*")
_RUST_TEXT = re.compile(r"str|String|Cow<\s*(?:'\w+\s*,\s*)?str\s*>|Box<str>|Arc<str>|Rc<str>")
_RUST_BYTES = re.compile(r"\[u8(?:;\s*\w+)?\]|Vec<u8>|Bytes|bytes::Bytes|BytesMut|Box<\[u8\]>")
_RUST_WRAPPERS = re.compile(r"^(?:Option|Box|Arc|Rc|Cow)<\s*(?:'\w+\s*,\s*)?(.*)>$")


def classify_type(text: str) -> str:
    """What a Rust parameter type is, for a key part: text, number, bytes, bool, collection, or
    unknown (a type of the project's own, a generic)."""
    type_text = re.sub(r"&\s*(?:'\w+\s+)?(?:mut\s+)?", "", text.replace("impl ", "")).strip()
    for _ in range(4):
        wrapped = _RUST_WRAPPERS.match(type_text)
        if wrapped is None or wrapped.group(1).strip() in ("[u8]",):
            break
        type_text = wrapped.group(1).strip()
    if _RUST_BYTES.fullmatch(type_text):
        return "bytes"
    if _RUST_TEXT.fullmatch(type_text):
        return "text"
    if _RUST_NUMBER.fullmatch(type_text):
        return "number"
    if type_text == "bool":
        return "bool"
    if _COLLECTION.search(type_text):
        return "collection"
    return "unknown"


def record_fields(path: str, text: str, names: frozenset[str]) -> dict[str, frozenset[str]]:
    """The named fields of the structs among `names` the file defines (`struct Round { dialogue_id,
    round }`): what a key placeholder may reach through a parameter (`{round.dialogue_id}`)."""
    found: dict[str, frozenset[str]] = {}
    try:
        structs = SgRoot(text, "rust").root().find_all(kind="struct_item")
        for node in structs:
            name, body = node.field("name"), node.field("body")
            if name is None or body is None or _unraw(name.text()) not in names:
                continue
            if body.kind() != "field_declaration_list":
                continue  # a tuple struct: no field a template can name
            fields = (c.field("name") for c in named_children(body) if c.kind() == "field_declaration")
            found.setdefault(_unraw(name.text()), frozenset(_unraw(f.text()) for f in fields if f is not None))
    except RecursionError:
        return {}
    return found
