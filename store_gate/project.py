"""The model the rules read: the manifest, the table, the governed traits and every declaration.

Built in one direction: manifest -> table schema -> source files -> extracted traits (supertraits
followed) -> declarations (manifest and inline). Nothing here reports findings; it records what it
saw, including what it could not read, for the SG0 rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Literal

from store_gate.config import LoadedManifest
from store_gate.config.cache import ValidationCache
from store_gate.config.model import AccessPattern, Store
from store_gate.config.toml_lines import TOMLDecodeError, loads
from store_gate.errors import ConfigError, ConfigProblem
from store_gate.extract.model import FileExtraction, Method, SourceLocation, SourceProblem, TraitDefinition
from store_gate.keytemplate import KeyTemplate
from store_gate.schema.table import TableSchema
from store_gate.sources import SourceTree, WorkingTree, glob_problem

Extractor = Callable[[str, str, frozenset[str]], FileExtraction]


def _rust(path: str, text: str, wanted: frozenset[str]) -> FileExtraction:
    from store_gate.extract import rust

    return rust.extract(path, text, wanted)


def _python(path: str, text: str, wanted: frozenset[str]) -> FileExtraction:
    from store_gate.extract import python

    return python.extract(path, text, wanted)


def _typescript(path: str, text: str, wanted: frozenset[str]) -> FileExtraction:
    from store_gate.extract import typescript

    return typescript.extract_typescript(path, text, wanted)


def _tsx(path: str, text: str, wanted: frozenset[str]) -> FileExtraction:
    from store_gate.extract import typescript

    return typescript.extract_tsx(path, text, wanted)


# One extractor per language, by file extension; each returns the same model.
EXTRACTORS: dict[str, Extractor] = {
    ".rs": _rust,
    ".py": _python,
    ".pyi": _python,
    ".ts": _typescript,
    ".mts": _typescript,
    ".cts": _typescript,
    ".tsx": _tsx,
}


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

    @property
    def trait_names(self) -> list[str]:
        """The root trait first, then the supertraits followed, in discovery order."""
        names: list[str] = []
        for definition in self.definitions:
            if definition.name not in names:
                names.append(definition.name)
        return names

    @property
    def found(self) -> bool:
        return any(d.name == self.config.trait for d in self.definitions)


@dataclass
class Project:
    loaded: LoadedManifest
    manifest_path: str  # as shown in findings
    table: TableSchema
    stores: list[GovernedStore]
    methods: list[Method]
    problems: list[SourceProblem]
    sources: SourceCache
    manifest_declarations: dict[tuple[str, str], Declaration]
    inline_declarations: dict[tuple[str, str], Declaration]

    @property
    def entities(self) -> dict[str, dict[str, KeyTemplate]]:
        return self.loaded.entities

    def declaration(self, method: Method) -> Declaration | None:
        """The declaration the rules check: the manifest's, else the inline one."""
        key = (method.trait, method.name)
        return self.manifest_declarations.get(key) or self.inline_declarations.get(key)

    def manifest_location(self, *key: object) -> SourceLocation:
        return SourceLocation(self.manifest_path, self.loaded.line_of(*key) or 1, 1)

    @property
    def complete(self) -> bool:
        """Every store's trait was found, so its supertraits and methods are all known."""
        return all(store.found for store in self.stores)

    @property
    def governed_trait_names(self) -> set[str]:
        return {name for store in self.stores for name in store.trait_names}


class SourceCache:
    """Each file is read and decoded at most once, and parsed by ast-grep at most once per
    language, however many stores, passes and rules look at it."""

    def __init__(self, tree: SourceTree) -> None:
        self.tree = tree
        self._bytes: dict[str, bytes] = {}
        self._text: dict[str, str | None] = {}
        self.problems: dict[str, SourceProblem] = {}
        self.parsed: dict[tuple[str, str], Any] = {}  # (path, language) -> ast-grep root node

    def data(self, path: str) -> bytes:
        if path not in self._bytes:
            self._bytes[path] = self.tree.read(path)
        return self._bytes[path]

    def text(self, path: str) -> str | None:
        if path not in self._text:
            try:
                self._text[path] = self.data(path).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                self._text[path] = None
                line = self.data(path)[: exc.start].count(b"\n") + 1
                self.problems[path] = SourceProblem(
                    "SG002",
                    SourceLocation(path, line, 1),
                    f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8",
                )
        return self._text[path]


def build(loaded: LoadedManifest, tree: SourceTree | None = None) -> Project:
    """The project as it is in `tree` (default: the working tree under the manifest's folder)."""
    manifest = loaded.manifest
    root = loaded.root
    _check_globs(loaded)
    tree = tree or WorkingTree(root)
    cache = SourceCache(tree)
    problems: dict[tuple[str, int, int, str], SourceProblem] = {}
    stores: list[GovernedStore] = []
    for position, store in enumerate(manifest.store):
        files = [f for f in tree.match(store.paths) if Path(f).suffix in EXTRACTORS]
        governed = GovernedStore(store, position, files)
        _follow_traits(governed, cache, problems)
        if not governed.found:
            for problem in governed.unparsed_mentions:
                key = (problem.location.path, problem.location.line, problem.location.column, problem.code)
                problems.setdefault(key, problem)
        stores.append(governed)
    for path, problem in cache.problems.items():
        problems.setdefault((path, problem.location.line, problem.location.column, problem.code), problem)

    methods: list[Method] = []
    seen_traits: set[tuple[str, SourceLocation]] = set()
    for governed_store in stores:
        for definition in governed_store.definitions:
            if (definition.name, definition.location) not in seen_traits:
                seen_traits.add((definition.name, definition.location))
                methods.extend(definition.methods)

    manifest_path = _display(loaded.path, root)
    project = Project(
        loaded=loaded,
        manifest_path=manifest_path,
        table=loaded.table,
        stores=stores,
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
    return project


def _check_globs(loaded: LoadedManifest) -> None:
    bad = []
    for i, store in enumerate(loaded.manifest.store):
        for j, glob in enumerate(store.paths):
            reason = glob_problem(glob)
            if reason:
                line = loaded.line_of("store", i, "paths")
                bad.append(ConfigProblem(loaded.display_path, f"store[{i}].paths[{j}]", reason, line))
    if bad:
        raise ConfigError(bad)


def _follow_traits(
    store: GovernedStore, cache: SourceCache, problems: dict[tuple[str, int, int, str], SourceProblem]
) -> None:
    """Find the store's trait, then every supertrait defined under its paths, transitively."""
    wanted = {store.config.trait}
    pending = frozenset(wanted)
    while pending:
        needles = [name.encode() for name in pending]
        for path in store.files:
            data = cache.data(path)
            if not any(needle in data for needle in needles):
                continue  # cannot hold the trait: never parsed
            text = cache.text(path)
            if text is None:
                continue
            extraction = EXTRACTORS[Path(path).suffix](path, text, pending)
            if extraction.tree is not None:
                cache.parsed[(path, extraction.tree[0])] = extraction.tree[1]
            store.definitions.extend(extraction.traits)
            reported = list(extraction.problems)
            if extraction.syntax is not None:
                if extraction.traits:
                    reported.insert(0, extraction.syntax)
                else:
                    store.unparsed_mentions.append(extraction.syntax)
            for problem in reported:
                key = (problem.location.path, problem.location.line, problem.location.column, problem.code)
                problems.setdefault(key, problem)
        found_supertraits = {s for d in store.definitions for s in d.supertraits}
        pending = frozenset(found_supertraits - wanted)
        wanted |= pending


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
    except TOMLDecodeError as exc:
        report(first.location, f"@access of {method.qualified_name} is not a TOML inline table: {exc}")
        return None
    if not isinstance(value, dict):
        report(
            first.location,
            f"@access of {method.qualified_name} must be an inline table {{ op = ..., key = {{ ... }} }}",
        )
        return None
    digest = cache.digest("access", first.text)
    if digest not in cache:
        from store_gate.config.validation import access_problems

        invalid = access_problems(value)
        if invalid:
            details = "; ".join(f"{'.'.join(str(p) for p in loc) or 'value'}: {msg}" for loc, msg in invalid)
            report(first.location, f"@access of {method.qualified_name} is invalid: {details}")
            return None
        cache.add(digest)
    return Declaration(method.trait, method.name, AccessPattern.from_data(value), "inline", first.location)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
