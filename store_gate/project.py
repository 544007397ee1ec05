"""The model the rules read: the manifest, the table, the governed traits and every declaration.

Built in one direction: manifest -> table schema -> source files -> extracted traits (supertraits
followed) -> declarations (manifest and inline). Nothing here reports findings; it records what it
saw, including what it could not read, for the SG0 rules.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Literal

from store_gate import parallel, prefilter, progress
from store_gate.config import LoadedManifest
from store_gate.config.cache import ValidationCache
from store_gate.config.model import AccessPattern, Store, entity_table_of
from store_gate.config.toml_lines import TOMLDecodeError, loads
from store_gate.display import one_line
from store_gate.extract.model import (
    FileExtraction,
    Heritage,
    Method,
    SourceLocation,
    SourceProblem,
    TraitDefinition,
    TypeDefinition,
    TypedMember,
)
from store_gate.keytemplate import KeyTemplate
from store_gate.languages import LANGUAGES, Language, language_of
from store_gate.schema.table import TableSchema
from store_gate.sources import NotText, SourceTree, Unreadable, WorkingTree, decode_source, may_declare_coding


@dataclass(frozen=True)
class Declaration:
    trait: str
    method: str
    pattern: AccessPattern
    origin: Literal["manifest", "inline"]
    # A source location for inline declarations; for manifest entries, resolved on first use
    # (finding a TOML key's line means scanning the manifest, which a clean run can skip).
    where: SourceLocation | Callable[[], SourceLocation] = field(compare=False)

    @property
    def location(self) -> SourceLocation:
        if callable(self.where):
            object.__setattr__(self, "where", self.where())
        assert isinstance(self.where, SourceLocation)
        return self.where


@dataclass
class GovernedStore:
    config: Store
    position: int  # index in the manifest's [[store]] array
    files: list[str]  # files its globs match that an extractor can read
    definitions: list[TraitDefinition] = field(default_factory=list)
    # Files that name a governed trait but do not parse: reported when the trait is not found.
    unparsed_mentions: list[SourceProblem] = field(default_factory=list)
    # Heritage named by a governed trait and found nowhere under the paths (SG004), and the
    # heritage the manifest lists as `external`: (the trait naming it, the heritage).
    unresolved: list[tuple[str, Heritage]] = field(default_factory=list)
    external: list[tuple[str, Heritage]] = field(default_factory=list)
    # Which members of each trait the store governs: all, unless reached only through
    # TypeScript's Pick / Omit.
    admitted: dict[str, MemberSet] = field(default_factory=dict)

    @property
    def trait_names(self) -> list[str]:
        """The root trait first, then the supertraits followed, in discovery order."""
        return list(dict.fromkeys(definition.name for definition in self.definitions))

    @property
    def found(self) -> bool:
        return any(d.name == self.config.trait for d in self.definitions)


@dataclass(frozen=True)
class MemberSet:
    """A set of member names that may be infinite: `include` (None: every name) minus `exclude`."""

    include: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()

    def __contains__(self, name: str) -> bool:
        return (self.include is None or name in self.include) and name not in self.exclude

    def through(self, edge: Heritage) -> MemberSet:
        """What of this set a heritage edge passes on (Pick keeps `only`, Omit drops `omit`)."""
        include = self.include
        if edge.only is not None:
            include = edge.only if include is None else include & edge.only
        exclude = self.exclude | edge.omit
        if include is not None:
            return MemberSet(include - exclude)
        return MemberSet(None, exclude)

    def union(self, other: MemberSet) -> MemberSet:
        if self.include is None and other.include is None:
            return MemberSet(None, self.exclude & other.exclude)
        if self.include is None:
            return MemberSet(None, self.exclude - (other.include or frozenset()))
        if other.include is None:
            return MemberSet(None, other.exclude - self.include)
        return MemberSet(self.include | other.include)


EVERY_MEMBER = MemberSet()


@dataclass
class Project:
    loaded: LoadedManifest
    manifest_path: str  # as shown in findings
    table: TableSchema
    stores: list[GovernedStore]
    scanned: list[str]  # what the structural rules read: [boundaries] paths, else the stores' files
    methods: list[Method]
    problems: list[SourceProblem]
    sources: SourceCache
    manifest_declarations: dict[tuple[str, str], Declaration]
    inline_declarations: dict[tuple[str, str], Declaration]
    # Record types' fields as read so far (None: not a record, or defined nowhere under paths).
    _records: dict[str, frozenset[str] | None] = field(default_factory=dict)
    _stores_of: dict[str, Store] | None = None  # each trait's first store, built when first asked

    @property
    def entities(self) -> dict[str, dict[str, KeyTemplate]]:
        return self.loaded.entities

    def store_of(self, trait: str) -> Store | None:
        """The store that governs a trait (the first, when several reach it)."""
        if self._stores_of is None:  # asked once per method: a thousand traits x 10,000 methods
            self._stores_of = {}
            for store in self.stores:
                for name in store.trait_names:
                    self._stores_of.setdefault(name, store.config)
        return self._stores_of.get(trait)

    def table_name(self, trait: str, leaf: AccessPattern) -> str | None:
        """The table an operation runs on: its own `table`; else the table of the entity it names
        (an entity of `[table]` lives there, whatever its store's default); else its store's
        `table`; else the default."""
        if leaf.table is not None:
            return leaf.table
        if leaf.entity is not None and leaf.entity in self.loaded.manifest.entity:
            return entity_table_of(self.loaded.manifest, leaf.entity)
        store = self.store_of(trait)
        if store is not None and store.table is not None:
            return store.table
        return self.loaded.default.name

    def schema_of(self, name: str | None) -> TableSchema | None:
        table = self.loaded.tables.get(name)
        return table.schema if table is not None else None

    def declaration(self, method: Method) -> Declaration | None:
        """The declaration the rules check: the manifest's, else the inline one."""
        key = (method.trait, method.name)
        return self.manifest_declarations.get(key) or self.inline_declarations.get(key)

    @property
    def manifest_in_repository(self) -> str:
        """The manifest's path from the repository's root, as a hint names it: `services/a/store-gate.toml`
        in a monorepo, wherever the gate was run from."""
        from store_gate.config import project_root

        try:
            return self.loaded.path.resolve().relative_to(project_root(self.loaded.root)).as_posix()
        except ValueError:
            return self.manifest_path

    def manifest_location(self, *key: object) -> SourceLocation:
        return SourceLocation(self.manifest_path, self.loaded.line_of(*key) or 1, 1)

    @property
    def complete(self) -> bool:
        """Every store's trait was found, so its supertraits and methods are all known."""
        return all(store.found for store in self.stores)

    @property
    def governed_trait_names(self) -> set[str]:
        return {name for store in self.stores for name in store.trait_names}

    def record_fields(self, names: frozenset[str]) -> dict[str, frozenset[str]]:
        """The named fields of the record types (structs, classes, interfaces) among `names`
        defined under the stores' paths (the first definition of each name). Only files where a
        definition of one of the names may start are parsed, once per run and name."""
        wanted = frozenset(n for n in names if n not in self._records)
        if wanted:
            found: dict[str, frozenset[str]] = {}
            paths = sorted({path for store in self.stores for path in store.files})
            # read already (the stores' files); bytes x the substrings looked for
            weights = [len(self.sources.data(p)) * (len(wanted) + len(_RECORD_KEYWORDS)) for p in paths]
            # On a large tree the files are tested for every name at once in child processes;
            # then, in order, again for the names still to find.
            ahead = (
                parallel.map_files(paths, lambda p: self._may_define_record(p, wanted), weights, scan=True)
                if parallel.worth_sharing(weights, scan=True)
                else [True] * len(paths)
            )
            for path, maybe in zip(paths, ahead):
                pending = frozenset(n for n in wanted if n not in found)
                if not pending:
                    break
                if not maybe or not self._may_define_record(path, pending):
                    continue
                text, language = self.sources.text(path), language_of(path)
                if text is None or language is None:
                    continue
                for name, fields in language.record_fields(path, text, pending).items():
                    found.setdefault(name, fields)
            self._records.update({name: found.get(name) for name in wanted})
        known = ((name, self._records.get(name)) for name in names)
        return {name: fields for name, fields in known if fields is not None}

    def _may_define_record(self, path: str, names: frozenset[str]) -> bool:
        """May a record type of one of the names be defined in the file: one of the names after
        `struct`, `class`, `interface` or `type` and white space (a literal search for each)?"""
        data = self.sources.utf8(path)
        if not any(name.encode() in data for name in names):
            return False
        scannable = self.sources.scannable(path)
        return scannable is not None and prefilter.spaced_definition(scannable, _RECORD_KEYWORDS, names)


# Up to this many names, a file is tested for each by a byte substring first; beyond, the words
# at each file's definition sites are computed once and looked up (1,000 stores x 1,000 files
# would otherwise be a million substring tests).
_FEW_NAMES = 16
_LANGUAGE_NAMES = tuple(language.name for language in LANGUAGES)
_DEFINER_KEYWORDS = ("trait", "class", "interface", "type")  # a trait, class or interface
_RECORD_KEYWORDS = ("struct", "class", "interface", "type")  # a record type, for suggestions
_TYPE_KEYWORDS = ("type", "interface", "class")  # a named type: an alias, an interface, a class


def _known_language(path: str) -> Language:
    language = language_of(path)
    assert language is not None  # only files of a known language are matched
    return language


# Byte-order marks of encodings whose bytes are not their text's UTF-8 (UTF-32 first: its LE mark
# starts with UTF-16's).
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _plain_ascii(path: str, data: bytes) -> bool:
    """Do the bytes decode to the same characters (ASCII, no NUL, no Python coding cookie)?"""
    return (
        data.isascii() and b"\x00" not in data and not may_declare_coding(path, data)  # a coding cookie decides
    )


class SourceCache:
    """Each file is read at most once, tested for what it may hold by cheap prefilters, and
    parsed only when it can matter: each answer is kept per file (and per set of names), so many
    stores, alias rounds and the `--base` comparison ask again for nothing.

    Trees are kept only for the files that hold governed traits (the SG401/SG402 rules read
    them again); any other tree is dropped once read. `shared`: for the project at a `--base`
    commit, the working tree's cache, which answers for every file not in `changed` (its bytes
    are the same at the base): only changed files are read from git and parsed again."""

    def __init__(
        self, tree: SourceTree, shared: SourceCache | None = None, changed: frozenset[str] | None = None
    ) -> None:
        self.tree = tree
        self.shared = shared if changed is not None else None
        self.changed = changed or frozenset()
        self._bytes: dict[str, bytes] = {}
        self._text: dict[str, str | None] = {}
        self.problems: dict[str, SourceProblem] = {}
        self.parsed: dict[tuple[str, str], Any] = {}  # (path, language) -> ast-grep root node
        self.parses = 0  # ast-grep parses made (tests assert which files are parsed, not timings)
        self.parsed_files: set[str] = set()  # every file parsed by ast-grep, here or in a child process (-v)
        self._could: dict[tuple[str, frozenset[str]], bool] = {}
        self._words: dict[str, set[str] | None] = {}  # None: undecodable, a candidate for any name
        self._by_word: dict[str, set[str]] = {}
        self._indexed: set[str] = set()
        self._tested: set[str] = set()  # indexed files that are not plain ASCII: tested name by name
        self._orders: dict[int, tuple[list[str], dict[str, int]]] = {}
        self._extractions: dict[tuple[str, frozenset[str]], FileExtraction] = {}
        self._types: dict[tuple[str, frozenset[str]], dict[str, TypeDefinition]] = {}
        self._may_type: dict[tuple[str, frozenset[str]], bool] = {}
        self._unusual_files: dict[str, bool] = {}
        self._rounds: dict[tuple[int, frozenset[str]], tuple[list[str], dict[str, TypeDefinition]]] = {}
        self._modules: dict[str, str | None] = {}  # module_text

    def _owner(self, path: str) -> SourceCache:
        """Which cache answers for the file: the working tree's, for a file unchanged since the base."""
        if self.shared is not None and path not in self.changed:
            return self.shared
        return self

    def data(self, path: str) -> bytes:
        """The file's bytes; b"" - with an SG002 problem recorded - when it may not or cannot be read."""
        owner = self._owner(path)
        if owner is not self:
            return owner.data(path)
        if path not in self._bytes:
            progress.step()
            try:
                self._bytes[path] = self.tree.read(path)
            except Unreadable as exc:
                self._bytes[path] = b""
                self._text[path] = None
                self.unreadable(path, exc.reason)
        return self._bytes[path]

    def held(self, path: str) -> int | None:
        """The size of the file's bytes when they are held (read, not yet dropped), else None."""
        owner = self._owner(path)
        if owner is not self:
            return owner.held(path)
        data = self._bytes.get(path)
        return None if data is None else len(data)

    def unreadable(self, path: str, reason: str) -> None:
        self.problems.setdefault(
            path,
            SourceProblem(
                "SG002",
                SourceLocation(path, 1, 1),
                f"{reason}; the gate cannot see what it holds - make it readable and inside the project, or "
                "leave it out of paths",
            ),
        )

    def text(self, path: str) -> str | None:
        """The file's text, decoded for what it is (UTF-8, a byte-order mark, a Python coding
        cookie); None, with an SG002 problem recorded, when it cannot be decoded."""
        owner = self._owner(path)
        if owner is not self:
            return owner.text(path)
        if path not in self._text:
            data = self.data(path)
            try:
                self._text[path] = decode_source(data, path)
            except NotText as exc:
                self._text[path] = None
                self.problems[path] = SourceProblem(
                    "SG002",
                    SourceLocation(path, exc.line, 1),
                    f"{exc.reason}: the gate cannot read what it holds (a trait, a backend client, a key); "
                    "save the file as UTF-8",
                )
            except UnicodeDecodeError as exc:
                self._text[path] = None
                line = data[: exc.start].count(b"\n") + 1
                self.problems[path] = SourceProblem(
                    "SG002",
                    SourceLocation(path, line, 1),
                    f"not valid {exc.encoding.upper()} (byte {exc.start}): the gate cannot read what it holds (a "
                    "trait, a backend client, a key); save the file as UTF-8",
                )
        return self._text[path]

    def utf8(self, path: str) -> bytes:
        """The file's text as UTF-8 bytes, what the structural rules' byte prefilters test: its
        own bytes, unless it is written in another encoding (a UTF-16 or UTF-32 byte-order mark, a
        Python coding cookie) - then its decoded text, re-encoded, so that no encoding hides a
        needle from a prefilter of a file ast-grep parses as text. Undecodable: its bytes (SG002)."""
        data = self.data(path)
        if not data.startswith(_WIDE_BOMS) and not may_declare_coding(path, data):
            return data
        text = self.text(path)
        return data if text is None else text.encode("utf-8", "surrogatepass")

    def scannable(self, path: str) -> prefilter.Text | None:
        """The file as the prefilters scan it: its bytes when they are plain ASCII text (which
        decodes to the same characters), else its decoded text (None: undecodable)."""
        data = self.data(path)
        return data if _plain_ascii(path, data) else self.text(path)

    def release(self, keep: set[str], data: bool = False) -> None:
        """Drop the texts and trees (with `data`, the bytes too) of every file but `keep` (the
        files whose trees a later phase reads)."""
        if data:
            self._bytes = {p: b for p, b in self._bytes.items() if p in keep}
        self._text = {p: t for p, t in self._text.items() if p in keep or t is None}
        self.parsed = {k: root for k, root in self.parsed.items() if k[0] in keep}

    def module_text(self, path: str) -> str | None:
        """A Rust module file a `use` path names, read once per run (a thousand supertraits written
        `crate::parts::PartN` name the same two files); None when there is none to read."""
        if path not in self._modules:
            try:
                self._modules[path] = self.tree.read(path).decode("utf-8", errors="replace")
            except Unreadable:
                self._modules[path] = None
        return self._modules[path]

    def forget(self, path: str) -> None:
        """Drop what is kept of one file: a phase that reads each file once is done with it."""
        self._bytes.pop(path, None)
        if self._text.get(path) is not None:
            del self._text[path]
        for language in _LANGUAGE_NAMES:
            self.parsed.pop((path, language), None)

    def root(self, path: str, language: str, keep: bool = False) -> Any:
        """The file's ast-grep tree: the kept one, else parsed now (and kept when `keep`)."""
        owner = self._owner(path)
        if owner is not self:
            return owner.root(path, language, keep)
        key = (path, language)
        found = self.parsed.get(key)
        if found is None:
            from ast_grep_py import SgRoot

            found = SgRoot(self.text(path) or "", language).root()
            self.parses += 1
            self.parsed_files.add(path)
            if keep:
                self.parsed[key] = found
        return found

    # -- what a file may define ------------------------------------------------------------------

    def could_define(self, path: str, names: frozenset[str]) -> bool:
        """Can the file define one of these traits? Cheap byte tests first; a file whose bytes
        are not plain ASCII-compatible text (UTF-16, UTF-32) is decoded and tested as text, so
        an encoding never hides a definition."""
        owner = self._owner(path)
        if owner is not self:
            return owner.could_define(path, names)
        key = (path, names)
        if key not in self._could:
            self._could[key] = self._could_define(path, names)
        return self._could[key]

    def _could_define(self, path: str, names: frozenset[str]) -> bool:
        data = self.data(path)
        if not any(name.encode() in data for name in names) and not self._unusual(path, data):
            return False
        text = self._definable_text(path)
        if text is None:
            return True  # undecodable: SG002 says so
        return prefilter.defines(text, _DEFINER_KEYWORDS, names, raw=True)

    def _unusual(self, path: str, data: bytes) -> bool:
        """Does the file need decoding before a name can be looked for: unicode escapes (a
        TypeScript name may be spelt `\\u0044ialogueStore`), NUL bytes, a UTF-16 byte-order mark
        (UTF-16 or UTF-32 text) or a Python coding cookie (UTF-7 spells `D` as `+AEQ-`)? Tested
        once per file."""
        known = self._unusual_files.get(path)
        if known is None:
            known = (
                b"\\u" in data
                or b"\x00" in data[:4096]
                or data.startswith((b"\xff\xfe", b"\xfe\xff"))
                or may_declare_coding(path, data)
            )
            self._unusual_files[path] = known
        return known

    def _definable_text(self, path: str) -> prefilter.Text | None:
        """What a definition is looked for in: unicode escapes (TypeScript) spelt out."""
        text = self.scannable(path)
        if isinstance(text, bytes) and b"\\u" in text:
            text = text.decode("ascii")
        if isinstance(text, str) and "\\u" in text:
            text = _UNICODE_ESCAPE.sub(_unescaped, text)
        return text

    def candidates(self, files: list[str], names: frozenset[str], many: bool = False) -> list[str]:
        """The files, in order, that could define one of the names (`could_define`). With many
        names (or `many`: many stores asking in turn), each file's definition sites are read once
        and the names looked up in an index of the words found there."""
        if not many and len(names) <= _FEW_NAMES:
            self._ahead(files, names, self._could, self._could_define, len(names))
            return [p for p in files if self.could_define(p, names)]
        for path in files:
            if path not in self._indexed:
                self._index(path)
        hits: set[str] = set()
        for name in names:
            hits.update(self._by_word.get(name, ()))
        order = self._order(files)
        hits.update(p for p in self._tested if p in order and self.could_define(p, names))
        chosen = sorted((p for p in hits if p in order), key=order.__getitem__)
        other = frozenset(n for n in names if not prefilter.plain(n))
        if other:  # a name with other characters than \w (`$`): tested file by file
            picked = set(chosen)
            chosen = [p for p in files if p in picked or self.could_define(p, other)]
        return chosen

    def _index(self, path: str) -> None:
        self._indexed.add(path)
        words = self._owner(path).site_words(path)
        if words is None:
            self._tested.add(path)
        for word in words or ():
            self._by_word.setdefault(word, set()).add(path)

    def site_words(self, path: str) -> set[str] | None:
        """The words at the definition sites of a plain ASCII file (None for any other file: it is
        tested name by name, as `could_define` does, so that only a file that may hold a name is
        decoded - and reported when it cannot be)."""
        if path not in self._words:
            data = self.data(path)
            plain = _plain_ascii(path, data) and b"\\u" not in data
            self._words[path] = prefilter.site_words(data, _DEFINER_KEYWORDS, raw=True) if plain else None
        return self._words[path]

    def _order(self, files: list[str]) -> dict[str, int]:
        known = self._orders.get(id(files))
        if known is None or known[0] is not files:
            known = (files, {p: i for i, p in enumerate(files)})
            self._orders[id(files)] = known
        return known[1]

    def extraction(self, path: str, language: Language, wanted: frozenset[str], keep: bool) -> FileExtraction:
        """What the extractor reads of the traits in `wanted` (once per file and set of names);
        the tree is kept when the file holds one of them (`keep`: when it is a governed file)."""
        owner = self._owner(path)
        if owner is not self:
            return owner.extraction(path, language, wanted, keep)
        key = (path, wanted)
        if key not in self._extractions:
            text = self.text(path)
            assert text is not None  # the caller skips undecodable files
            root = self.root(path, language.name) if language.parsed_by_ast_grep else None
            extraction = language.extract(path, text, wanted, root)
            if extraction.traits and root is not None and keep:
                self.parsed[(path, language.name)] = root
            extraction.tree = None
            self._extractions[key] = extraction
        return self._extractions[key]

    def extract_all(self, paths: list[str], wanted: frozenset[str]) -> None:
        """Extract many files at once, shared with other processes when they are many (their
        trees are then not kept: the rules that read them parse them again, in parallel too)."""
        todo = [p for p in paths if (p, wanted) not in self._owner(p)._extractions]
        weights = [len(self.data(p)) for p in todo]
        if not parallel.worth_sharing(weights):
            return  # file by file, as `extraction` is asked
        work = [(p, _known_language(p)) for p in todo]
        done = parallel.map_files(work, lambda item: self.extraction(item[0], item[1], wanted, keep=False), weights)
        for (path, language), extraction in zip(work, done):
            owner = self._owner(path)
            owner._extractions[(path, wanted)] = extraction
            if language.parsed_by_ast_grep:
                owner.parsed_files.add(path)

    def syntax_problem(self, path: str, language: Language) -> SourceProblem | None:
        """The file's first syntax problem (a file that names a trait but defines none: reported
        when the trait is found nowhere)."""
        if not language.parsed_by_ast_grep:
            return None
        return language.syntax_problem(path, self.root(path, language.name))

    # -- named types -----------------------------------------------------------------------------

    def may_define_types(self, path: str, names: frozenset[str]) -> bool:
        """Can the file define one of these named types, as its language's extractor reads them:
        `type X` (Rust); `type X`, `interface X`, `class X` (TypeScript); `type X`, `class X` or an
        alias `X = ...` / `X: TypeAlias = ...` at the start of a line (Python)? `_type_definer`,
        language-blind, finds more: these are the files where the extractor can find one."""
        owner = self._owner(path)
        if owner is not self:
            return owner.may_define_types(path, names)
        key = (path, names)
        if key not in self._may_type:
            self._may_type[key] = self._may_define_types(path, names)
        return self._may_type[key]

    def _may_define_types(self, path: str, names: frozenset[str]) -> bool:
        data = self.utf8(path)  # a UTF-16 file's names are not its bytes
        language = language_of(path)
        # A definition starts with its keyword: one scan for it first (most files have none),
        # then the names (a store's return types may name dozens).
        keyword = language is not None and (
            language.assigned_types or any(word.encode() in data for word in language.type_keywords)
        )
        if language is None or not keyword or not any(name.encode() in data for name in names):
            return False
        text = self.scannable(path)
        return text is not None and (
            prefilter.defines(text, language.type_keywords, names, raw=False)
            or bool(language.assigned_types and prefilter.assigns(text, names))
        )

    def _ahead(
        self,
        files: list[str],
        names: frozenset[str],
        answers: dict[tuple[str, frozenset[str]], bool],
        test: Callable[[str, frozenset[str]], bool],
        needles: int,
    ) -> None:
        """Answer a byte test for every file this cache owns and has not answered yet, shared with
        child processes on a large tree (the test is a pure function of the file's bytes; it looks
        for about `needles` substrings, and for 3 more in a file not yet tested for unusual
        encodings). The files are read here first, so that a file that cannot be read is recorded
        (SG002) by this process, not by a child that is gone."""
        todo = [p for p in files if (p, names) not in answers and self._owner(p) is self]
        weights = [len(self.data(p)) * (needles + (3 if p not in self._unusual_files else 0)) for p in todo]
        if not parallel.worth_sharing(weights, scan=True):
            return  # asked file by file, as the caller goes

        def answer(path: str) -> tuple[bool, bool | None, SourceProblem | None]:
            # with what the child learnt of the file: its encoding, and why it cannot be decoded
            return test(path, names), self._unusual_files.get(path), self.problems.get(path)

        for path, (found, unusual, problem) in zip(todo, parallel.map_files(todo, answer, weights, scan=True)):
            answers[(path, names)] = found
            if unusual is not None:
                self._unusual_files[path] = unusual
            if problem is not None:
                self.problems.setdefault(path, problem)

    def type_round(self, files: list[str], names: frozenset[str]) -> dict[str, TypeDefinition]:
        """The first definition of each of the names in the files, in order (once per list of
        files and set of names: many stores over the same paths ask the same question)."""
        key = (id(files), names)
        known = self._rounds.get(key)
        if known is not None and known[0] is files:
            return known[1]
        found: dict[str, TypeDefinition] = {}
        self._ahead(files, names, self._may_type, self._may_define_types, len(names) + 3)
        candidates = [p for p in files if self.may_define_types(p, names)]
        weights = [len(self.data(p)) for p in candidates]
        if parallel.worth_sharing(weights):  # every candidate is parsed; in order, the first definition wins
            work = [(p, _known_language(p)) for p in candidates]
            read = parallel.map_files(work, lambda item: self.type_definitions(item[0], item[1], names), weights)
            for (path, language), definitions in zip(work, read):
                owner = self._owner(path)
                owner._types[(path, names)] = definitions
                if language.parsed_by_ast_grep:
                    owner.parsed_files.add(path)
                for name, definition in definitions.items():
                    found.setdefault(name, definition)
        else:
            for path in candidates:
                if names <= found.keys():
                    break  # every name has its first definition: no later file changes that
                for name, definition in self.type_definitions(path, _known_language(path), names).items():
                    found.setdefault(name, definition)
        self._rounds[key] = (files, found)
        return found

    def type_definitions(self, path: str, language: Language, names: frozenset[str]) -> dict[str, TypeDefinition]:
        owner = self._owner(path)
        if owner is not self:
            return owner.type_definitions(path, language, names)
        key = (path, names)
        if key not in self._types:
            text = self.text(path)
            assert text is not None  # may_define_types is False for undecodable files
            root = self.root(path, language.name) if language.parsed_by_ast_grep else None
            self._types[key] = language.type_definitions(path, text, names, root)
        return self._types[key]


def build(
    loaded: LoadedManifest,
    tree: SourceTree | None = None,
    shared: SourceCache | None = None,
    changed: frozenset[str] | None = None,
) -> Project:
    """The project as it is in `tree` (default: the working tree under the manifest's folder).
    With `shared` and `changed` (a base commit's tree), the files not in `changed` are answered
    by `shared`, the working tree's cache: their bytes are the same at the base."""
    manifest = loaded.manifest
    root = loaded.root
    boundaries = manifest.boundaries
    if tree is None:
        tree = WorkingTree(root, manifest.limits.max_file_bytes, exclude=manifest.exclude)
    if isinstance(tree, WorkingTree):
        # One walk for every glob the check matches: the stores', the boundaries' and the backends'
        # (SG7 reads the backend's files).
        backends = [backend.allow for backend in boundaries.backends.values()] if boundaries else []
        tree.prepare(
            [store.paths for store in manifest.store] + [boundaries.paths or () if boundaries else ()] + backends
        )
    cache = SourceCache(tree, shared, changed)
    problems: dict[tuple[str, int, int, str], SourceProblem] = {}
    stores: list[GovernedStore] = []
    files_of: dict[tuple[str, ...], list[str]] = {}
    for store in manifest.store:
        if store.paths not in files_of:
            files_of[store.paths] = [f for f in tree.match(store.paths) if language_of(f) is not None]
    progress.stage("reading files", len({f for files in files_of.values() for f in files}))
    many = len(manifest.store) > 8  # stores asking in turn: look names up in an index
    for position, store in enumerate(manifest.store):
        governed = GovernedStore(store, position, files_of[store.paths])
        _follow_traits(governed, cache, problems, many)
        if not governed.found:
            for problem in governed.unparsed_mentions:
                key = (problem.location.path, problem.location.line, problem.location.column, problem.code)
                problems.setdefault(key, problem)
        stores.append(governed)
    if boundaries is not None and boundaries.paths:
        scanned = [f for f in tree.match(boundaries.paths) if language_of(f) is not None]
    else:
        scanned = sorted({f for store in stores for f in store.files})
    _renamed_crates(stores, tree, cache, problems)
    for path, reason in sorted(tree.unreadable.items()):
        if language_of(path) is not None or reason.startswith("a folder"):
            cache.unreadable(path, reason)
    for path, problem in cache.problems.items():
        problems.setdefault((path, problem.location.line, problem.location.column, problem.code), problem)

    methods: list[Method] = []
    seen_methods: set[tuple[str, str, SourceLocation]] = set()
    for governed_store in stores:
        for definition in governed_store.definitions:
            admitted = governed_store.admitted.get(definition.name, EVERY_MEMBER)
            for method in definition.methods:
                identity = (method.trait, method.name, method.location)
                if method.name in admitted and identity not in seen_methods:
                    seen_methods.add(identity)
                    methods.append(method)

    manifest_path = _display(loaded.path, root)
    project = Project(
        loaded=loaded,
        manifest_path=manifest_path,
        table=loaded.table,
        stores=stores,
        scanned=scanned,
        methods=methods,
        problems=[],
        sources=cache,
        manifest_declarations={},
        inline_declarations={},
    )
    for trait, entries in manifest.access.items():
        for method_name, pattern in entries.items():
            project.manifest_declarations[(trait, method_name)] = Declaration(
                trait,
                method_name,
                pattern,
                "manifest",
                partial(project.manifest_location, "access", trait, method_name),
            )
    for method in methods:
        declaration = _inline_declaration(method, problems, loaded.cache)
        if declaration is not None:
            project.inline_declarations.setdefault((method.trait, method.name), declaration)
    project.problems = list(problems.values())
    # What later phases read again: the trees of the files that hold governed traits (SG401 and
    # SG402); every other tree and text is dropped now.
    cache.release({d.location.path for store in stores for d in store.definitions})
    return project


# Where a trait, class, interface or type alias of one of the names may be defined: the
# keyword, then the name - comments and line continuations between them included, so that no
# spelling hides a definition from the prefilter (the gap is skipped by prefilter.Gaps, in linear
# time; a nested block comment there is a "may be").
_UNICODE_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})")


def _unescaped(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def _defines(text: str, names: frozenset[str]) -> bool:
    return prefilter.defines(text, _DEFINER_KEYWORDS, names, raw=True)


def _renamed_crates(
    stores: list[GovernedStore],
    tree: SourceTree,
    cache: SourceCache,
    problems: dict[tuple[str, int, int, str], SourceProblem],
) -> None:
    """Rust: `extern crate other as async_trait;` in a store's files, or in the crate root above them
    (`src/lib.rs`, `src/main.rs`, read when inside the project), renames a crate the extractor
    trusts by name for every module: SG003 at the rename (see rust.renamed_crates)."""
    files = sorted({f for store in stores for f in store.files if getattr(language_of(f), "name", "") == "rust"})
    if not files:
        return
    from store_gate.extract import rust

    texts: list[tuple[str, str | None]] = [(p, cache.text(p)) for p in files if _extern_crate(cache.data(p))]
    for path in rust.crate_roots(files):
        try:
            data = tree.read(path)
            texts.append((path, decode_source(data, path) if _extern_crate(data) else None))
        except (Unreadable, UnicodeDecodeError):
            continue  # no crate root there, or none the gate can read: nothing it renames is seen
    for path, text in texts:
        if text is None:
            continue
        for problem in rust.renamed_crates(path, text, cache.parsed.get((path, "rust"))):
            location = problem.location
            problems.setdefault((location.path, location.line, location.column, problem.code), problem)


def _extern_crate(data: bytes) -> bool:
    """May the file hold `extern crate` (comments between the words included)? Only such a file
    is parsed for a renamed crate."""
    if b"extern" not in data or b"crate" not in data:
        return False
    words = prefilter.site_words(data if data.isascii() else data.decode("utf-8", "replace"), ("extern",), raw=False)
    return words is None or "crate" in words


def _follow_traits(
    store: GovernedStore,
    cache: SourceCache,
    problems: dict[tuple[str, int, int, str], SourceProblem],
    many: bool = False,
) -> None:
    """Find the store's trait, then every supertrait / base named by a governed trait, wherever
    it is defined under the store's paths; then decide what each named heritage is: governed,
    standard, external, or not found (SG004)."""
    wanted = {store.config.trait}
    pending = frozenset(wanted)
    mentions: list[tuple[str, Language]] = []  # files that name a trait and define none
    while pending:
        # The other files cannot define it: never parsed. Undecodable ones are reported (SG002).
        candidates = [p for p in cache.candidates(store.files, pending, many) if cache.text(p) is not None]
        cache.extract_all(candidates, pending)
        for path in candidates:
            language = language_of(path)
            assert language is not None  # store.files holds only files of a known language
            extraction = cache.extraction(path, language, pending, keep=True)
            store.definitions.extend(extraction.traits)
            reported = list(extraction.problems)
            if extraction.traits:
                if extraction.syntax is not None:
                    reported.insert(0, extraction.syntax)
            elif language.parsed_by_ast_grep:
                mentions.append((path, language))
            for problem in reported:
                key = (problem.location.path, problem.location.line, problem.location.column, problem.code)
                problems.setdefault(key, problem)
        named = {h.name for d in store.definitions for h in d.supertraits}
        pending = frozenset(named - wanted)
        wanted |= pending
    if not store.found:  # a syntax error may be what hides the trait: only then are they looked for
        for path, language in mentions:
            syntax = cache.syntax_problem(path, language)
            if syntax is not None:
                store.unparsed_mentions.append(syntax)
    store.definitions = _resolve_named_types(_merge_stubs(store.definitions), store.files, cache, problems)
    defined = {d.name for d in store.definitions}
    classes = {(d.name, d.location.path) for d in store.definitions if not d.type_only}
    for definition in store.definitions:
        for heritage in definition.supertraits:
            if heritage.value:
                _class_base(definition.name, heritage, store.definitions, classes, problems)
            listed = store.config.is_external(heritage.written, heritage.name)
            if heritage.name in defined and heritage.paths and not listed:
                _rust_path_elsewhere(definition.name, heritage, store, cache, problems)
            if heritage.name in defined or heritage.standard:
                continue
            if store.config.is_external(heritage.written, heritage.name):
                store.external.append((definition.name, heritage))
            else:
                store.unresolved.append((definition.name, heritage))
    store.admitted = _admitted(store.config.trait, store.definitions)


def _rust_module(path: str) -> tuple[str, tuple[str, ...]] | None:
    """A Rust file's crate source folder and module path: `x/src/store/reads.rs` -> ("x/src",
    ("store", "reads")); `mod.rs`, `lib.rs` and `main.rs` name their folder's module."""
    parts = path.split("/")
    if "src" not in parts[:-1] or not path.endswith(".rs"):
        return None
    at = len(parts) - 1 - parts[::-1].index("src", 1)
    module = [*parts[at + 1 : -1], parts[-1][:-3]]
    if module[-1] in ("mod", "lib", "main") and (module[-1] == "mod" or len(module) == 1):
        module = module[:-1]
    return "/".join(parts[: at + 1]), tuple(module)


def _rust_path_elsewhere(
    trait: str,
    heritage: Heritage,
    store: GovernedStore,
    cache: SourceCache,
    problems: dict[tuple[str, int, int, str], SourceProblem],
) -> None:
    """A Rust supertrait found by its name under the paths, whose `use` or written path points to
    another file that defines a trait of that name: the one found is a namesake, not the bound
    (SG004). Re-exports pass: the file the path names must itself define the trait."""
    here = _rust_module(heritage.location.path)
    if here is None:
        return
    source, module = here
    found_in = {d.location.path for d in store.definitions if d.name == heritage.name}
    definer = None
    for written in heritage.paths:
        segments = written.split("::")
        if len(segments) < 2:
            continue
        head, target = segments[0], list(module)
        rest = segments[1:-1]
        if head == "crate":
            target = []
        elif head == "super":
            target = target[:-1]
            while rest and rest[0] == "super":
                target, rest = target[:-1], rest[1:]
        elif head != "self":
            rest = [head, *rest]
        target += rest
        base = "/".join([source, *target])
        for candidate in (f"{base}.rs", f"{base}/mod.rs") if target else (f"{source}/lib.rs", f"{source}/main.rs"):
            if candidate in found_in:
                return
            text = cache.module_text(candidate)
            if text is None or heritage.name not in text:
                continue
            definer = definer or re.compile(rf"\btrait\s+(?:r#)?{re.escape(heritage.name)}\b")
            if definer.search(text):
                where = sorted(found_in)[0]
                location = heritage.location
                problems.setdefault(
                    (location.path, location.line, location.column, "SG004"),
                    SourceProblem(
                        "SG004",
                        location,
                        f"{trait}'s supertrait {heritage.written} is {written}, defined in {candidate}, which is not "
                        f"under the store's paths; the {heritage.name} in {where} is another trait of that name; add "
                        f"{candidate} to paths, or list {written} as external",
                        trait,
                    ),
                )
                return


def _class_base(
    trait: str,
    heritage: Heritage,
    definitions: list[TraitDefinition],
    classes: set[tuple[str, str]],
    problems: dict[tuple[str, int, int, str], SourceProblem],
) -> None:
    """A TypeScript class extends a value: a file that defines the base's name only as a type
    (an interface, a type alias) binds that value to something else - a const, a function, an
    import - whose members the gate cannot see (SG004)."""
    types_only = sorted(
        d.location
        for d in definitions
        if d.name == heritage.name and d.type_only and (d.name, d.location.path) not in classes
    )
    if not types_only:
        return
    location = heritage.location
    problems.setdefault(
        (location.path, location.line, location.column, "SG004"),
        SourceProblem(
            "SG004",
            location,
            f"{trait} extends {heritage.written}, and {types_only[0]} defines {heritage.name} only as a type: a class "
            f"extends a value, and that file's value {heritage.name} is not a class declaration (a const, a function "
            f"or an import), so the gate cannot see its members; declare {heritage.name} as a class under the store's "
            "paths",
            trait,
        ),
    )


# A name in a return type that may be a type alias defined in the tree. Not one that cannot: an
# associated type of the store itself (`Self::Error`: no free `type Error = ...` is it), the name
# of an associated type binding (`impl Future<Output = Page>`: `Output` names no type, `Page`
# does). A name is whole as its language spells it: non-ASCII letters and TypeScript's `$` (`Roundé`
# and `$Rounds` are not `Round` and `Rounds`).
_NAMED_TYPE = re.compile(r"(?<![\w$])(Self\s*::\s*)?((?:[^\W\d]|\$)[\w$]*)(\s*=(?![=>]))?")


def _named_types(return_type: str) -> list[str]:
    """The names in a return type that may be aliases defined under the store's paths."""
    return [m.group(2) for m in _NAMED_TYPE.finditer(return_type) if m.group(1) is None and m.group(3) is None]


def _type_definer(names: frozenset[str]) -> Callable[[prefilter.Text], bool]:
    """Where a named type may be defined: `type X`, `interface X`, `class X`, or an alias
    `X = ...` / `X: TypeAlias = ...` at the start of a line."""
    return lambda text: prefilter.assigns(text, names) or prefilter.defines(text, _TYPE_KEYWORDS, names, raw=False)


def _resolve_named_types(
    definitions: list[TraitDefinition],
    files: list[str],
    cache: SourceCache,
    problems: dict[tuple[str, int, int, str], SourceProblem],
) -> list[TraitDefinition]:
    """Members typed by a named type become methods when the type is a function type (SG003 when
    the type is defined nowhere under the paths), and a return type naming an alias of a
    collection (`type Items = Vec<Item>`) returns a collection."""
    wanted: set[str] = set()
    for definition in definitions:
        wanted.update(member.type_name for member in definition.typed_members)
        for method in definition.methods:
            if not method.returns_collection and method.return_type:
                wanted.update(_named_types(method.return_type))
    found: dict[str, TypeDefinition] = {}
    pending = frozenset(wanted)
    searched: set[str] = set()
    for _ in range(8):  # alias chains (`type A = B; type B = () => X`) and member types, bounded
        if not pending:
            break
        searched |= pending
        for name, type_definition in cache.type_round(files, pending).items():
            found.setdefault(name, type_definition)
        referred = {n for d in found.values() for n in (d.alias_of, *d.members) if n}
        pending = frozenset(referred - searched)
    deeper = pending  # named by a type the gate read, but past the rounds it follows: unknown

    def resolve(name: str) -> TypeDefinition | None:
        for _ in range(8):
            definition = found.get(name)
            if definition is None or definition.alias_of is None:
                return definition
            name = definition.alias_of
        return None

    def facet_path(name: str, seen: set[str]) -> tuple[str | None, str] | None:
        """Why the type is a facet of methods, if it is one - methods of its own, or a member or base
        type that is a function or a facet - and the first type on the way there."""
        definition = found.get(name)
        if definition is None or name in seen:
            return None
        seen.add(name)
        if definition.methods is not None:
            return None, definition.methods
        for other in (*definition.members, *([definition.alias_of] if definition.alias_of else [])):
            if other in deeper:
                return other, "types nested deeper than the gate follows"
            target = resolve(other)
            if target is not None and target.function is not None:
                return None, f"a type with a member of function type {other}"
            inner = facet_path(other, seen)
            if inner is not None:
                return inner if other == definition.alias_of else (other, inner[1])
        return None

    def facet(name: str) -> str | None:
        path = facet_path(name, set())
        if path is None:
            return None
        hop, reason = path
        return reason if hop is None else f"a type holding {hop}, which leads to {reason}"

    resolved: list[TraitDefinition] = []
    for definition in definitions:
        methods = []
        for method in definition.methods:
            if not method.returns_collection and method.return_type:
                named = (resolve(n) for n in _named_types(method.return_type))
                if any(d is not None and d.collection for d in named):
                    method = dataclasses.replace(method, returns_collection=True)
            methods.append(method)
        for member in definition.typed_members:
            target = resolve(member.type_name)
            facet_of = None if target is None or target.function is not None else facet(member.type_name)
            if member.held:  # data holding the type: a function or a facet there makes a facet
                if target is not None and target.function is not None:
                    facet_of = "a function type"
                if facet_of is not None:
                    what = f"has a type holding {member.type_name}, {facet_of}"
                    _facet(problems, definition.name, member, what, "declare them as methods on the store")
                continue
            if facet_of is not None:
                what = f"is a member typed by {member.type_name}, {facet_of}"
                advice = f"declare its methods on the store or govern {member.type_name} as a store"
                _facet(problems, definition.name, member, what, advice)
            elif target is None:
                location = member.method.location
                problems.setdefault(
                    (location.path, location.line, location.column, "SG003"),
                    SourceProblem(
                        "SG003",
                        location,
                        f"{member.method.qualified_name} has type {member.type_name}, which is defined nowhere "
                        "under the store's paths: the gate cannot tell whether it is a method; write it as a "
                        f"method signature, or add the file that defines {member.type_name} to paths",
                        definition.name,
                    ),
                )
            elif target.function is not None:
                shape = target.function
                methods.append(
                    dataclasses.replace(
                        member.method,
                        parameters=shape.parameters,
                        return_type=shape.return_type,
                        returns_collection=shape.returns_collection,
                    )
                )
        resolved.append(dataclasses.replace(definition, methods=tuple(methods)))
    return resolved


def _facet(
    problems: dict[tuple[str, int, int, str], SourceProblem], trait: str, member: TypedMember, what: str, advice: str
) -> None:
    location = member.method.location
    problems.setdefault(
        (location.path, location.line, location.column, "SG003"),
        SourceProblem(
            "SG003",
            location,
            f"{member.method.qualified_name} {what}: the gate does not govern the methods it reaches; {advice}",
            trait,
        ),
    )


def _admitted(root: str, definitions: list[TraitDefinition]) -> dict[str, MemberSet]:
    """Which members of each trait the root trait brings in: a fixpoint over the heritage graph,
    where Pick / Omit edges narrow what passes."""
    admitted: dict[str, MemberSet] = {root: EVERY_MEMBER}
    changed = True
    while changed:
        changed = False
        for definition in definitions:
            parent = admitted.get(definition.name)
            if parent is None:
                continue
            for edge in definition.supertraits:
                passed = parent.through(edge)
                merged = passed if edge.name not in admitted else admitted[edge.name].union(passed)
                if merged != admitted.get(edge.name):
                    admitted[edge.name] = merged
                    changed = True
    return admitted


def _merge_stubs(definitions: list[TraitDefinition]) -> list[TraitDefinition]:
    """A Python class in `x.py` and its stub in `x.pyi` are one store: each method once, with the
    stub's signature (and the implementation's @access where the stub has none), and the bases of
    both - what the module derives from runs, whatever the stub declares."""
    stubs = {(d.name, d.location.path[:-1]): d for d in definitions if d.location.path.endswith(".pyi")}
    if not stubs:
        return definitions
    modules = {(d.name, d.location.path): d for d in definitions if (d.name, d.location.path) in stubs}
    merged: list[TraitDefinition] = []
    for definition in definitions:
        path = definition.location.path
        module = modules.get((definition.name, path[:-1])) if path.endswith(".pyi") else None
        if module is not None:  # the stub: its members, with the module's @access where it has none
            implemented = {m.name: m for m in module.methods}
            for member in module.typed_members:
                implemented.setdefault(member.method.name, member.method)

            def declared(method: Method, implemented: dict[str, Method] = implemented) -> Method:
                source = implemented.get(method.name)
                if source is not None and not method.inline and source.inline:
                    return dataclasses.replace(method, inline=source.inline)
                return method

            methods = tuple(declared(m) for m in definition.methods)
            typed = tuple(dataclasses.replace(t, method=declared(t.method)) for t in definition.typed_members)
            named = {h.name for h in definition.supertraits}
            bases = definition.supertraits + tuple(h for h in module.supertraits if h.name not in named)
            merged.append(dataclasses.replace(definition, methods=methods, typed_members=typed, supertraits=bases))
            continue
        stub = stubs.get((definition.name, path)) if path.endswith(".py") else None
        if stub is None:
            merged.append(definition)
            continue
        # The module: only what its stub does not declare (its bases are the stub's now).
        stubbed = {m.name for m in stub.methods} | {t.method.name for t in stub.typed_members}
        extra = tuple(m for m in definition.methods if m.name not in stubbed)
        extra_typed = tuple(t for t in definition.typed_members if t.method.name not in stubbed)
        if extra or extra_typed:
            merged.append(dataclasses.replace(definition, methods=extra, typed_members=extra_typed, supertraits=()))
    return merged


def _inline_declaration(
    method: Method, problems: dict[tuple[str, int, int, str], SourceProblem], cache: ValidationCache
) -> Declaration | None:
    if not method.inline:
        return None
    first = method.inline[0]

    def report(location: SourceLocation, message: str) -> None:
        key = (location.path, location.line, location.column, "SG002")
        problems.setdefault(key, SourceProblem("SG002", location, message, method.trait))

    for extra in method.inline[1:]:
        report(extra.location, f"{method.qualified_name} has more than one @access declaration; keep one")
    try:
        value = loads(f"access = {first.text}")["access"]
    except (RecursionError, ValueError) as exc:  # TOMLDecodeError, tomli's nesting bound, a huge number
        why = exc if isinstance(exc, TOMLDecodeError) else f"{type(exc).__name__}: {one_line(str(exc), 120)}"
        report(first.location, f"@access of {method.qualified_name} is not a TOML inline table: {why}")
        return None
    if not isinstance(value, dict):
        report(
            first.location,
            f"@access of {method.qualified_name} must be an inline table {{ op = ..., key = {{ ... }} }}",
        )
        return None
    digest = cache.digest("access", first.text)
    pattern = None
    if digest in cache:  # the runtime model refuses what validation would: a cache is no authority
        with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
            pattern = AccessPattern.from_data(value)
    if pattern is None:
        from store_gate.config.validation import access_problems

        invalid = access_problems(value)
        if invalid:
            details = "; ".join(f"{'.'.join(str(p) for p in loc) or 'value'}: {msg}" for loc, msg in invalid)
            report(first.location, f"@access of {method.qualified_name} is invalid: {details}")
            return None
        pattern = AccessPattern.from_data(value)
        cache.add(digest)
    return Declaration(method.trait, method.name, pattern, "inline", first.location)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
