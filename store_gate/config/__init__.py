"""Configuration: find the manifest, read it, validate it into `Manifest`."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store_gate.config.cache import CacheLocationError, ValidationCache, cache_dir
from store_gate.config.toml_lines import KeyLines, TOMLDecodeError, loads
from store_gate.display import one_line
from store_gate.errors import ConfigError, ConfigProblem, config_error
from store_gate.sources import inside, shown

if TYPE_CHECKING:
    from store_gate.config.model import Manifest
    from store_gate.keytemplate import KeyTemplate
    from store_gate.rules.structural import AstGrepRule
    from store_gate.schema.importers import ImportedTable
    from store_gate.schema.table import TableSchema

MANIFEST_NAMES = ("store-gate.toml", ".store-gate.toml")
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLES = ("store_gate", "store-gate")  # [tool.store_gate] or [tool.store-gate]


@dataclass(frozen=True)
class LoadedTable:
    """One table of the manifest: what access patterns on it are checked against (the imported
    table, when `from` names one), and where the manifest writes it."""

    name: str | None  # None for [table], else the key of [tables.<name>]
    schema: TableSchema
    imported: ImportedTable | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return ("table",) if self.name is None else ("tables", self.name)

    @property
    def described(self) -> str:
        return "the table" if self.name is None else f'the table "{self.name}"'


@dataclass(frozen=True)
class LoadedManifest:
    path: Path
    root: Path  # the manifest's folder: every `paths` glob is relative to it
    manifest: Manifest
    text: str
    key_prefix: tuple[Any, ...]  # ("tool", "store_gate") inside pyproject.toml
    display_path: str  # as the user can open it from where they ran the gate
    cache: ValidationCache
    tables: dict[str | None, LoadedTable]  # by name: None for [table]
    user_rules: tuple[AstGrepRule, ...] = ()  # `rules = [...]`, loaded and compiled

    @property
    def default(self) -> LoadedTable:
        """[table], else the first [tables.*]: what a pattern with no table of its own uses."""
        return self.tables[None] if None in self.tables else next(iter(self.tables.values()))

    @property
    def table(self) -> TableSchema:
        return self.default.schema

    @property
    def imported(self) -> ImportedTable | None:
        return self.default.imported

    @property
    def entities(self) -> dict[str, dict[str, KeyTemplate]]:
        """The manifest's entities, plus those imported from NoSQL Workbench facets (the
        manifest's own win)."""
        imported: dict[str, dict[str, KeyTemplate]] = {}
        for table in self.tables.values():
            if table.imported is not None:
                imported.update(table.imported.entities)
        return {**imported, **self.manifest.entity} if imported else self.manifest.entity

    @cached_property
    def lines(self) -> KeyLines:
        # Built on first use: a clean run of a large manifest needs few lines, if any.
        return KeyLines(self.text, self.key_prefix)

    def line_of(self, *key: Any) -> int | None:
        return self.lines.line_of(key)


def discover(start: Path) -> Path | None:
    """The manifest found walking up from `start`, stopping at the repository's root. Two
    manifests in one folder are an error, never a silent priority: which one governs must be
    plain to a reviewer."""
    here = start if start.is_dir() else start.parent
    here = here.resolve()
    for folder in (here, *here.parents):
        # lexists, not is_file: a FIFO or a folder named like a manifest is found, then refused
        # plainly when read - never passed over for a manifest further up.
        found = [folder / name for name in MANIFEST_NAMES if os.path.lexists(folder / name)]
        pyproject = folder / PYPROJECT
        tables = _pyproject_tables(pyproject) if pyproject.is_file() else []
        if found or tables:
            candidates = [shown(path) for path in found] + [f"{shown(pyproject)} [tool.{t}]" for t in tables]
            if len(candidates) > 1:
                raise config_error(
                    shown(folder),
                    "",
                    f"several manifests in one folder ({', '.join(candidates)}); keep one, or pass --config FILE",
                )
            return found[0] if found else pyproject
        if (folder / ".git").exists():
            return None
    return None


_NOT_SEARCHED = frozenset({".git", ".hg", ".svn", "node_modules", "target", ".venv", "venv", "__pycache__", "dist"})


def discover_below(folder: Path) -> list[Path]:
    """Every manifest in the folders below `folder` (a monorepo's packages), in path order; VCS,
    dependency and build folders are not searched, and symlinked folders are not followed."""
    found: list[Path] = []
    folder = folder.resolve()
    for current, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_SEARCHED)
        here = Path(current)
        if here == folder:
            continue  # the folder itself: discover() looked there
        if any(name in names for name in MANIFEST_NAMES) or (
            PYPROJECT in names and _pyproject_tables(here / PYPROJECT)
        ):
            manifest = discover(here)
            if manifest is not None and manifest.parent == here:
                found.append(manifest)
    return found


def _pyproject_tables(path: Path) -> list[str]:
    """Which of [tool.store_gate] and [tool.store-gate] a pyproject.toml holds."""
    text = _read_text(path)
    if "store_gate" not in text and "store-gate" not in text:
        return []
    tool = _parse_toml(path, text).get("tool")
    return [name for name in PYPROJECT_TABLES if isinstance(tool, dict) and name in tool]


def _read_text(path: Path) -> str:
    """A manifest's text. One that is a symlink leading outside its project (the repository
    holding it, else its own folder) is refused unread: the gate reads only inside the checked
    tree, and its messages would quote the target's values."""
    from store_gate.sources import Unreadable, read_regular

    if os.path.islink(path) and not inside(project_root(path.parent), path):
        raise config_error(
            shown(path),
            "",
            f"a symlink leading outside the project ({shown(project_root(path.parent))}); the gate reads a "
            "manifest only inside the checked tree - copy the file into it, or pass --config with the file itself",
        )
    try:
        data = read_regular(path)
    except Unreadable as exc:
        raise config_error(shown(path), "", f"cannot read: {exc.reason}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise config_error(shown(path), "", f"not valid UTF-8 (byte {exc.start})") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = loads(text)
        return data
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, TOMLDecodeError):
            raise _syntax_error(path, text, exc) from None
        # tomli's own nesting bound (400 levels), or an integer longer than Python converts
        what = "nested too deeply" if isinstance(exc, RecursionError) else "holds a number too long to read"
        reason = f"TOML: the manifest {what} ({one_line(str(exc), 120)})"
        raise config_error(shown(path), "(top level)", reason) from None


def _syntax_error(path: Path, text: str, exc: TOMLDecodeError) -> ConfigError:
    message = str(exc)
    m = re.search(r"line (\d+)", message)
    line = int(m.group(1)) if m else None
    key = _dotted(KeyLines(text).key_at(text, line)) if line else ""
    return config_error(shown(path), key or "(top level)", f"TOML syntax: {message}", line)


def _validated(
    data: dict[str, Any], text: str, cache: ValidationCache
) -> tuple[Manifest | None, list[tuple[tuple[Any, ...], str]]]:
    """The runtime manifest, or every problem (field errors first, then cross-references)."""
    from store_gate.config.model import build_manifest, cross_reference_problems

    digest = cache.digest("manifest", text)
    manifest = None
    if digest in cache:
        # Validated before by this build - but a cache is never an authority: the runtime model
        # refuses what validation would, and anything it refuses is validated in full.
        with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
            manifest = build_manifest(data)
    if manifest is None:
        from store_gate.config.validation import manifest_problems

        problems = manifest_problems(data)
        if problems:
            return None, problems
        manifest = build_manifest(data)
    cross = cross_reference_problems(manifest, data)
    if cross:
        return None, cross
    cache.add(digest)
    return manifest, []


def parse_manifest_text(raw: bytes, pyproject: bool, cache: ValidationCache) -> Manifest | None:
    """A manifest read from elsewhere than the working tree (the `--base` commit): None when it
    does not decode, parse or validate."""
    try:
        text = raw.decode("utf-8-sig")
        data: Any = loads(text)
    except (UnicodeDecodeError, RecursionError, ValueError):  # TOMLDecodeError is a ValueError
        return None
    if pyproject:
        tools: dict[str, Any] = data["tool"] if isinstance(data.get("tool"), dict) else {}
        data = next((tools[name] for name in PYPROJECT_TABLES if name in tools), None)
    if not isinstance(data, dict):
        return None
    return _validated(data, text, cache)[0]


def project_root(folder: Path) -> Path:
    """The checked tree: the repository holding the manifest's folder, else that folder."""
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def load(path: Path, use_cache: bool = True, cache_folder: str | None = None) -> LoadedManifest:
    """Read and validate a manifest; every problem is collected into one ConfigError."""
    text = _read_text(path)
    data = _parse_toml(path, text)
    prefix: tuple[Any, ...] = ()
    if path.name == PYPROJECT:
        tool: dict[str, Any] = data["tool"] if isinstance(data.get("tool"), dict) else {}
        spelled = [written for written in PYPROJECT_TABLES if written in tool]
        if len(spelled) > 1:
            raise config_error(shown(path), "tool", "both [tool.store_gate] and [tool.store-gate]; keep one", None)
        table_name = spelled[0] if spelled else "store_gate"
        prefix = ("tool", table_name)
        if not isinstance(tool.get(table_name), dict):
            raise config_error(shown(path), f"tool.{table_name}", "expected a table")
        data = tool[table_name]
    display = shown(path)
    try:
        cache = ValidationCache(cache_dir(cache_folder), enabled=use_cache, project=project_root(path.parent))
    except CacheLocationError as exc:
        raise config_error(display, "", str(exc)) from None
    manifest, problems = _validated(data, text, cache)
    if problems:
        lines = KeyLines(text, prefix)
        raise ConfigError(
            [ConfigProblem(display, _dotted(prefix + loc), msg, lines.line_of(loc)) for loc, msg in problems]
        )
    assert manifest is not None
    tables: dict[str | None, LoadedTable] = {}
    for name, declared in manifest.all_tables.items():
        lines = KeyLines(text, prefix)
        imported = _import_table(path.parent, manifest, name, display, lines, cache) if declared.from_ else None
        if imported is not None and not imported.ttl_known and declared.ttl is not None:
            with_ttl = dataclasses.replace(imported.schema, ttl_attribute=declared.ttl)
            imported = dataclasses.replace(imported, schema=with_ttl)
        schema = imported.schema if imported is not None else declared.to_schema()
        tables[name] = LoadedTable(name, schema, imported)
    loaded = LoadedManifest(
        path=path,
        root=path.parent,
        manifest=manifest,
        text=text,
        key_prefix=prefix,
        display_path=display,
        cache=cache,
        tables=tables,
    )
    if any(table.imported is not None for table in tables.values()):
        from store_gate.config.model import entity_reference_problems

        unknown = entity_reference_problems(manifest, set(loaded.entities))
        if unknown:
            lines = KeyLines(text, prefix)
            raise ConfigError(
                [ConfigProblem(display, _dotted(prefix + loc), msg, lines.line_of(loc)) for loc, msg in unknown]
            )
    _check_globs(loaded)
    if manifest.rules:
        from store_gate.rules.structural import load_user_rules

        user_rules = load_user_rules(path.parent, manifest.rules, display, loaded.line_of("rules"), cache)
        loaded = dataclasses.replace(loaded, user_rules=user_rules)
    return loaded


def _check_globs(loaded: LoadedManifest) -> None:
    """Every glob of the manifest, checked while it loads: absolute ones and `..` would read
    outside the project."""
    from store_gate.sources import glob_problem

    manifest = loaded.manifest
    globs: list[tuple[tuple[Any, ...], str]] = []
    for i, store in enumerate(manifest.store):
        globs += [(("store", i, "paths", j), glob) for j, glob in enumerate(store.paths)]
    boundaries = manifest.boundaries
    if boundaries is not None:
        globs += [(("boundaries", "paths", j), glob) for j, glob in enumerate(boundaries.paths or ())]
        globs += [(("boundaries", "domain", j), glob) for j, glob in enumerate(boundaries.domain or ())]
        for name, backend in boundaries.backends.items():
            globs += [(("boundaries", "backends", name, "allow", j), glob) for j, glob in enumerate(backend.allow)]
    globs += [(("rules", j), glob) for j, glob in enumerate(manifest.rules)]
    globs += [(("exclude", j), glob) for j, glob in enumerate(manifest.exclude)]
    globs += [(("waiver", i, "path"), w.path) for i, w in enumerate(manifest.waiver) if w.path is not None]
    problems = []
    for key, glob in globs:
        reason = glob_problem(glob)
        if reason:
            problems.append(ConfigProblem(loaded.display_path, _dotted(key), reason, loaded.line_of(*key)))
    if problems:
        raise ConfigError(problems)


def _import_table(
    root: Path, manifest: Manifest, name: str | None, display: str, lines: KeyLines, cache: ValidationCache
) -> ImportedTable | None:
    """The table of `[table] from` (or `[tables.<name>] from`), read from inside the project. A
    file this build imported before (the same bytes, name and selector) is answered from the
    cache without its importer or PyYAML; only files that imported cleanly are kept."""
    declared = manifest.all_tables[name]
    source = declared.from_
    if source is None:
        return None  # the importers (and PyYAML) are not even imported
    from store_gate.bounds import MAX_FILE_BYTES
    from store_gate.config.model import layout_problems, table_key
    from store_gate.sources import Unreadable, glob_problem, read_inside

    where_key = (*table_key(name), "from")
    key = _dotted(where_key)
    line = lines.line_of(where_key)
    reason = glob_problem(source)
    if reason:
        raise config_error(display, key, reason, line)
    path = root / source
    if not os.path.lexists(path):
        raise config_error(display, key, f'"{source}" is not a file in the project', line)
    if not inside(root, path):
        raise config_error(
            display, key, f'"{source}" leads outside the project (a symlink); the gate reads only inside it', line
        )
    shown = Path(source).as_posix()  # as the manifest writes it: stable wherever the gate runs
    try:
        raw = read_inside(root, source, MAX_FILE_BYTES)
    except Unreadable as exc:
        if exc.reason.startswith("too large"):
            from store_gate.schema.importers import limits

            exc.reason = str(limits.too_large(os.path.getsize(path)))
        raise config_error(display, key, f"{shown}: {exc.reason}", line) from None
    from store_gate.config.cache import readers_stamp

    selector = json.dumps([path.name, shown, declared.resource, declared.name, readers_stamp()]).encode()
    imported = _imported_before(cache, selector + b"\0" + raw)
    if imported is None:
        from store_gate.schema.importers import ImportProblem, import_bytes, imported_from_json, imported_to_json

        try:
            imported = import_bytes(raw, path.name, shown, declared.resource, declared.name)
        except ImportProblem as problem:
            where = f"{shown}:{problem.line}" if problem.line else shown
            raise config_error(display, key, f"{where}: {problem.message}", line) from None
        kept = imported_to_json(imported)
        if imported_from_json(json.loads(json.dumps(kept))) == imported:  # only what reads back the same
            cache.keep_parsed("table", selector + b"\0" + raw, kept)
    problems = layout_problems(manifest, imported.schema, f"the table in {shown}", name)
    if problems:
        raise ConfigError([ConfigProblem(display, _dotted(loc), msg, lines.line_of(loc)) for loc, msg in problems])
    return imported


def _imported_before(cache: ValidationCache, raw: bytes) -> ImportedTable | None:
    """The table an earlier run of this build imported from these bytes, or None (a cache entry
    that does not read back as one is a miss: the file is imported again)."""
    data = cache.parsed("table", raw)
    if data is None:
        return None
    from store_gate.schema.importers import imported_from_json

    try:
        return imported_from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
