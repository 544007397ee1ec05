"""Rust: governed `trait` items, read through ast-grep-py by node kind and grammar field.

Patterns such as `fn $N($$$P) -> $R;` miss async, generic, where-clause and unit methods, so
every trait body is walked item by item instead (see PARSING-NOTES.md).

Supertraits are the trait's bounds, the bounds on `Self` in its `where` clause, and the trait
inside a higher-ranked (`for<'a> Admin<'a>`) or parenthesised (`(Admin)`) bound. A bound the
extractor cannot read as a trait path is SG004.

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
  async_trait::async_trait;`, `use mockall::*;`). A dependency renamed in Cargo.toml to one of
  these crates' names is not seen;
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
_SKIPPED_KINDS = ("associated_type", "const_item", "empty_statement")
_COLLECTION = re.compile(
    r"\b(?:Vec|VecDeque|LinkedList|HashMap|HashSet|BTreeMap|BTreeSet|IndexMap|IndexSet|SmallVec"
    r"|Iterator|IntoIterator|Stream|BoxStream|LocalBoxStream)\b|\[[^;\]]*\]"
)
# Supertraits named like std's marker, prelude and core traits. A trait of one of these names
# defined under the store's paths is governed all the same (the project looks for every name);
# one defined nowhere is std's and ignored. Names that a store's own traits commonly carry
# (`Read`, `Write`, `Index`) are not listed: left out, an unfound one is SG004, never ignored.
_STD_TRAITS = frozenset(
    {
        # markers and auto traits
        "Send",
        "Sync",
        "Sized",
        "Unpin",
        "UnwindSafe",
        "RefUnwindSafe",
        # the prelude and core traits
        "Any",
        "AsMut",
        "AsRef",
        "Borrow",
        "BorrowMut",
        "Clone",
        "Copy",
        "Debug",
        "Default",
        "Deref",
        "DerefMut",
        "Display",
        "DoubleEndedIterator",
        "Drop",
        "Eq",
        "Error",
        "ExactSizeIterator",
        "Extend",
        "Fn",
        "FnMut",
        "FnOnce",
        "From",
        "FromIterator",
        "FromStr",
        "Future",
        "Hash",
        "Into",
        "IntoFuture",
        "IntoIterator",
        "Iterator",
        "Ord",
        "PartialEq",
        "PartialOrd",
        "ToOwned",
        "ToString",
        "TryFrom",
        "TryInto",
    }
)
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
    for node in root.find_all(kind="trait_item"):
        name_node = node.field("name")
        if name_node is None or _unraw(name_node.text()) not in wanted:
            continue
        trait, problems = _Reader(path, imports, _unraw(name_node.text())).trait(node)
        result.traits.append(trait)
        result.problems.extend(problems)
    if result.traits:
        result.syntax = first_syntax_problem(root, path)
    return result


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
    """What the file's `use`, `extern crate` and `mod` declarations bind: name -> the paths it may
    stand for (every binding in the file, whatever its scope), and the paths glob-imported. Built
    on first use: most files never need it."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._bindings: dict[str, set[str]] | None = None
        self._globs: set[str] = set()

    @property
    def bindings(self) -> dict[str, set[str]]:
        if self._bindings is None:
            self._bindings = {}
            for declaration in self._root.find_all(kind="use_declaration"):
                argument = declaration.field("argument")
                if argument is not None:
                    self._use_tree(argument, "")
            for module in self._root.find_all(kind="mod_item"):
                name = module.field("name")
                if name is not None:  # a local module shadows a crate of its name
                    self._bind(name.text(), f"self::{_unraw(name.text())}")
            for declaration in self._root.find_all(kind="extern_crate_declaration"):
                name, alias = declaration.field("name"), declaration.field("alias")
                if name is not None:
                    self._bind((alias or name).text(), _path(name))
        return self._bindings

    @property
    def globs(self) -> set[str]:
        _ = self.bindings
        return self._globs

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


@dataclass(frozen=True)
class _Attribute:
    """One attribute, `cfg_attr` and `unsafe(...)` unwrapped: its path as written."""

    path: str
    nested: bool = False  # written inside cfg_attr(...)


def _attributes(item: Any) -> list[_Attribute]:
    """The attributes an attribute_item applies (those under `cfg_attr` included, whatever the
    condition: the gate does not evaluate it)."""
    attribute = next((c for c in named_children(item) if c.kind() == "attribute"), None)
    parts = named_children(attribute) if attribute is not None else []
    if attribute is None or not parts:
        return [_Attribute(" ".join(str(item.text()).split()))]
    return _unwrap(_path(parts[0]), attribute.field("arguments"), nested=False)


def _written_path(item: Any) -> str:
    """The path of an attribute_item as written, before `cfg_attr` is unwrapped."""
    attribute = next((c for c in named_children(item) if c.kind() == "attribute"), None)
    parts = named_children(attribute) if attribute is not None else []
    return _path(parts[0]) if parts else ""


def _unwrap(path: str, arguments: Any, nested: bool) -> list[_Attribute]:
    if path not in ("cfg_attr", "unsafe") or arguments is None:
        return [_Attribute(path, nested)]
    segments = _split_arguments(arguments)
    applied = segments[1:] if path == "cfg_attr" else segments  # cfg_attr(condition, attr, ...)
    found: list[_Attribute] = []
    for segment in applied:
        head: list[Any] = []
        for node in segment:
            if node.kind() not in _PATH_TOKENS:
                break
            head.append(node)
        rest = segment[len(head) :]
        inner = "::".join(_unraw(s) for s in "".join(str(n.text()) for n in head).removeprefix("::").split("::"))
        inner_arguments = rest[0] if rest and rest[0].kind() == "token_tree" else None
        found.extend(_unwrap(inner or " ".join(str(n.text()) for n in segment), inner_arguments, nested=True))
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

    def __init__(self, path: str, imports: _Imports, name: str) -> None:
        self.path = path
        self.imports = imports
        self.name = name
        self.problems: list[SourceProblem] = []

    def problem(self, code: Literal["SG003", "SG004"], node: Any, message: str) -> None:
        self.problems.append(SourceProblem(code, _location(self.path, node), message, self.name))

    def trait(self, node: Any) -> tuple[TraitDefinition, list[SourceProblem]]:
        self._trait_attributes(node)
        supertraits = self._supertraits(node)
        methods: list[Method] = []
        body = node.field("body")
        pending: list[Any] = []
        for item in named_children(body) if body is not None else ():
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
                self._item(item, pending)
            pending = []
        trait = TraitDefinition(self.name, _location(self.path, node.field("name")), tuple(supertraits), tuple(methods))
        return trait, self.problems

    # -- attributes

    def _trait_attributes(self, node: Any) -> None:
        """The trait's attributes, and those of every item and body enclosing it."""
        for attribute_item in _preceding_attributes(node):
            self._judge(attribute_item, "")
        for ancestor in node.ancestors():
            kind = ancestor.kind()
            if kind.endswith("_item"):
                for attribute_item in _preceding_attributes(ancestor):
                    self._judge(attribute_item, _describe(ancestor))
            elif kind in ("source_file", "declaration_list", "block"):
                owner = ancestor.parent()
                where = "this file" if owner is None else _describe(owner)
                for child in named_children(ancestor):
                    if child.kind() == "inner_attribute_item":
                        self._judge(child, where, inner=True)

    def _judge(self, item: Any, enclosing: str, inner: bool = False) -> None:
        """SG003 for each attribute of the trait, or of what encloses it (`enclosing` names it),
        that may change the trait's methods."""
        bang = "!" if inner else ""
        for attribute in _attributes(item):
            verdict = _verdict(attribute.path, self.imports, for_trait=True)
            if verdict == "known":
                continue
            written = f"#{bang}[{attribute.path}]" + (" (under cfg_attr)" if attribute.nested else "")
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
                written = f"#[{attribute.path}]" + (" (under cfg_attr)" if attribute.nested else "")
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
                if left is not None and right is not None and left.text() == "Self":
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
        if kind == "type_identifier":
            name = _unraw(str(bound.text()))
            return Heritage(name, str(bound.text()), _location(self.path, bound), standard=name in _STD_TRAITS)
        if kind == "scoped_type_identifier":
            name_node = bound.field("name")
            if name_node is not None:
                standard = str(bound.text()).startswith(_STD_CRATES)
                return Heritage(_unraw(str(name_node.text())), str(bound.text()), _location(self.path, bound), standard)
        elif kind == "generic_type":
            inner = bound.field("type")
            if inner is not None:
                heritage = self._heritage(inner, outer)
                if heritage is not None:
                    return Heritage(heritage.name, str(bound.text()), heritage.location, heritage.standard)
                return None
        elif kind == "higher_ranked_trait_bound":  # `for<'a> Admin<'a>`
            inner = bound.field("type")
            if inner is not None:
                return self._heritage(inner, outer)
        elif kind == "tuple_type" and len(named_children(bound)) == 1:  # `(Admin)`
            return self._heritage(named_children(bound)[0], outer)
        elif kind == "function_type":  # `Fn(u8) -> u8`
            inner = bound.field("trait")
            if inner is not None:
                heritage = self._heritage(inner, outer)
                if heritage is not None:
                    return Heritage(heritage.name, str(bound.text()), heritage.location, heritage.standard)
                return None
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

    # -- body items

    def _item(self, item: Any, preceding: list[Any]) -> None:
        kind = item.kind()
        described = kind.replace("_", " ")
        name_node = item.field("name")
        label = f"{described} {name_node.text()}" if name_node is not None else described
        self._member_attributes(
            preceding,
            f"{self.name}'s {label}",
            "may turn it into methods the gate cannot see",
            "remove the attribute, or write the methods out in the trait",
        )
        if kind in _SKIPPED_KINDS or kind == "ERROR":  # ERROR is reported as SG002
            return
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

    def _method(self, item: Any, preceding: list[Any]) -> Method:
        name_node = item.field("name")
        name = _unraw(name_node.text())
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
        doc_lines, attributes = _docs(self.path, preceding)
        gating = self._member_attributes(
            preceding,
            f"{self.name}.{name}",
            "may rename or remove the method, or add others the gate cannot see",
            "write the method out without it",
        )
        body = item.field("body")
        declaration = _normalised(item, body.range().start.index if body is not None else None)
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


def _describe(item: Any) -> str:
    """An enclosing item, for a message: `mod store`, `function build`, `an impl block`."""
    name = item.field("name")
    kind = item.kind().removesuffix("_item").replace("_", " ")
    return f"{kind} {name.text()}" if name is not None else f"an {kind} block"


def _is_inner_doc(node: Any) -> bool:
    text = node.text()
    return bool(node.kind() != "attribute_item" and (text.startswith("//!") or text.startswith("/*!")))


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
