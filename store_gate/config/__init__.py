"""Configuration: find the manifest, read it, validate it into `Manifest`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store_gate.config.cache import ValidationCache
from store_gate.config.toml_lines import KeyLines, TOMLDecodeError, loads
from store_gate.errors import ConfigError, ConfigProblem, config_error
from store_gate.sources import inside, shown

if TYPE_CHECKING:
    from store_gate.config.model import Manifest
    from store_gate.keytemplate import KeyTemplate
    from store_gate.schema.importers import ImportedTable
    from store_gate.schema.table import TableSchema

MANIFEST_NAMES = ("store-gate.toml", ".store-gate.toml")
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "store_gate")


@dataclass(frozen=True)
class LoadedManifest:
    path: Path
    root: Path  # the manifest's folder: every `paths` glob is relative to it
    manifest: Manifest
    text: str
    key_prefix: tuple[Any, ...]  # ("tool", "store_gate") inside pyproject.toml
    display_path: str  # as the user can open it from where they ran the gate
    cache: ValidationCache
    table: TableSchema  # what access patterns are checked against: the imported table, if any
    imported: ImportedTable | None = None  # the table read from `[table] from`

    @property
    def entities(self) -> dict[str, dict[str, KeyTemplate]]:
        """The manifest's entities, plus those imported from NoSQL Workbench facets (the
        manifest's own win)."""
        if self.imported is None or not self.imported.entities:
            return self.manifest.entity
        return {**self.imported.entities, **self.manifest.entity}

    @cached_property
    def lines(self) -> KeyLines:
        # Built on first use: a clean run of a large manifest needs few lines, if any.
        return KeyLines(self.text, self.key_prefix)

    def line_of(self, *key: Any) -> int | None:
        return self.lines.line_of(key)


def discover(start: Path) -> Path | None:
    """The first manifest found walking up from `start`, stopping at the repository's root."""
    here = start if start.is_dir() else start.parent
    here = here.resolve()
    for folder in (here, *here.parents):
        for name in MANIFEST_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _pyproject_has_table(pyproject):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _pyproject_has_table(path: Path) -> bool:
    text = _read_text(path)
    if "tool.store_gate" not in text:
        return False
    data = _parse_toml(path, text)
    return isinstance(data.get("tool"), dict) and "store_gate" in data["tool"]


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise config_error(shown(path), "", f"cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise config_error(shown(path), "", f"not valid UTF-8 (byte {exc.start})") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = loads(text)
        return data
    except TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"line (\d+)", message)
        line = int(m.group(1)) if m else None
        key = _dotted(KeyLines(text).key_at(text, line)) if line else ""
        key = key or "(top level)"
        raise config_error(shown(path), key, f"TOML syntax: {message}", line) from None


def _validated(
    data: dict[str, Any], text: str, cache: ValidationCache
) -> tuple[Manifest | None, list[tuple[tuple[Any, ...], str]]]:
    """The runtime manifest, or every problem (field errors first, then cross-references)."""
    from store_gate.config.model import build_manifest, cross_reference_problems

    digest = cache.digest("manifest", text)
    if digest not in cache:
        from store_gate.config.validation import manifest_problems

        problems = manifest_problems(data)
        if problems:
            return None, problems
    manifest = build_manifest(data)
    cross = cross_reference_problems(manifest)
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
    except (UnicodeDecodeError, TOMLDecodeError):
        return None
    if pyproject:
        data = data.get("tool", {}).get("store_gate")
    if not isinstance(data, dict):
        return None
    return _validated(data, text, cache)[0]


def load(path: Path, use_cache: bool = True) -> LoadedManifest:
    """Read and validate a manifest; every problem is collected into one ConfigError."""
    text = _read_text(path)
    data = _parse_toml(path, text)
    prefix: tuple[Any, ...] = ()
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("store_gate")
        prefix = PYPROJECT_TABLE
        if not isinstance(data, dict):
            raise config_error(shown(path), "tool.store_gate", "expected a table")
    display = shown(path)
    cache = ValidationCache(path.parent, enabled=use_cache)
    manifest, problems = _validated(data, text, cache)
    if problems:
        lines = KeyLines(text, prefix)
        raise ConfigError(
            [ConfigProblem(display, _dotted(prefix + loc), msg, lines.line_of(loc)) for loc, msg in problems]
        )
    assert manifest is not None
    imported = _import_table(path.parent, manifest, display, KeyLines(text, prefix) if manifest.table.from_ else None)
    table = imported.schema if imported is not None else manifest.table.to_schema()
    return LoadedManifest(
        path=path,
        root=path.parent,
        manifest=manifest,
        text=text,
        key_prefix=prefix,
        display_path=display,
        cache=cache,
        table=table,
        imported=imported,
    )


def _import_table(root: Path, manifest: Manifest, display: str, lines: KeyLines | None) -> ImportedTable | None:
    """The table of `[table] from`, read from inside the project; None without `from`."""
    from store_gate.config.model import layout_problems
    from store_gate.schema.importers import ImportProblem, import_table
    from store_gate.sources import glob_problem

    source = manifest.table.from_
    if source is None or lines is None:
        return None
    line = lines.line_of(("table", "from"))
    reason = glob_problem(source)
    if reason:
        raise config_error(display, "table.from", reason, line)
    path = root / source
    if not os.path.exists(path):  # what it is (a FIFO, a directory) is import_table's to say, unopened
        raise config_error(display, "table.from", f'"{source}" is not a file in the project', line)
    if not inside(root, path):
        raise config_error(
            display,
            "table.from",
            f'"{source}" leads outside the project (a symlink); the gate reads only inside it',
            line,
        )
    shown = Path(source).as_posix()  # as the manifest writes it: stable wherever the gate runs
    try:
        imported = import_table(path, shown, manifest.table.resource, manifest.table.name)
    except ImportProblem as problem:
        where = f"{shown}:{problem.line}" if problem.line else shown
        raise config_error(display, "table.from", f"{where}: {problem.message}", line) from None
    if not manifest.table.declared:
        described = f"the table in {shown}"
        problems = layout_problems(manifest, imported.schema, described)
        if problems:
            raise ConfigError([ConfigProblem(display, _dotted(loc), msg, lines.line_of(loc)) for loc, msg in problems])
    return imported


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
