"""The flake8 plugin: store-gate's findings for Python files, in flake8's own output.

`flake8 --select SG` reports them as `path:line:col: SG101 message`. It is the same gate as the
CLI - the same extractor, rules and waivers, through `store_gate.check.check` - run once per
manifest per process (not once per file) and filtered to the file flake8 is looking at.

The CLI, not flake8, is the enforcement point: flake8 honours `# noqa`, so an author could silence
a finding in the very change that causes it; the CLI ignores inline suppressions by design. Use
the plugin for editor feedback, and `store-gate check` in pre-commit and CI. Findings that sit in
the manifest (SG102, an SG2xx on a manifest entry) or in other languages' files are the CLI's.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from store_gate import __version__
from store_gate.rules.outside import SG000

# flake8 cannot exit 2: a manifest it cannot read is reported as a finding (SG000) in the files
# that name a store's trait, rather than as a clean store.

# Per process: one check per manifest, one discovery per folder.
_manifest_of_folder: dict[Path, Path | None] = {}
_findings_by_manifest: dict[Path, dict[Path, list[tuple[int, int, str]]]] = {}
_TRAIT = re.compile(r'^\s*trait\s*=\s*"([^"]+)"', re.MULTILINE)


def _manifest_for(folder: Path) -> Path | None:
    from store_gate import config

    if folder not in _manifest_of_folder:
        _manifest_of_folder[folder] = config.discover(folder)
    return _manifest_of_folder[folder]


def _by_file(manifest: Path, overlay: dict[str, bytes] | None = None) -> dict[Path, list[tuple[int, int, str]]]:
    """Findings of the whole project by absolute file: (line, 0-based column, 'CODE message'),
    with `overlay`'s texts in place of those files on disk."""
    from store_gate.check import check
    from store_gate.config import load
    from store_gate.sources import WorkingTree

    loaded = load(manifest)
    limits, exclude = loaded.manifest.limits, loaded.manifest.exclude
    tree = WorkingTree(loaded.root, limits.max_file_bytes, overlay, exclude) if overlay else None
    result = check(loaded, tree=tree)
    by_file: dict[Path, list[tuple[int, int, str]]] = {}
    for f in result.findings:
        by_file.setdefault((loaded.root / f.path).resolve(), []).append((f.line, f.column - 1, f"{f.code} {f.message}"))
    return by_file


def _findings(manifest: Path) -> dict[Path, list[tuple[int, int, str]]]:
    """The project's findings as saved on disk: once per manifest per flake8 process."""
    if manifest not in _findings_by_manifest:
        _findings_by_manifest[manifest] = _by_file(manifest)
    return _findings_by_manifest[manifest]


def _buffer_findings(manifest: Path, path: Path, text: str) -> list[tuple[int, int, str]]:
    """The findings of one file as flake8 read it - an editor's unsaved buffer, or stdin with
    --stdin-display-name - checked with the rest of the project as saved."""
    root = manifest.parent.resolve()
    try:
        relative = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return []
    return _by_file(manifest, {relative: text.encode("utf-8")}).get(path.resolve(), [])


class StoreGateChecker:
    name = "store-gate"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        # flake8 hands over its own tree; the gate reads whole stores (a class and its bases
        # across files), so it parses the governed files itself, with the CLI's extractor.
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        from store_gate.display import one_line
        from store_gate.errors import ConfigError, UsageError

        path = Path(os.path.abspath(self.filename))
        manifest: Path | None = None
        try:
            manifest = _manifest_for(path.parent)
            if manifest is None:
                return
            buffer = "".join(self.lines)
            if self._saved() == buffer:
                found = _findings(manifest.resolve()).get(path.resolve(), [])
            else:
                found = _buffer_findings(manifest.resolve(), path, buffer)
        except (ConfigError, UsageError) as exc:
            # flake8 cannot exit 2: report the broken manifest instead of passing silently, in
            # the files that name a store's trait (read from the raw text, as far as it goes) -
            # the same files whatever flake8's number of processes.
            if manifest is None or self._names_a_store(manifest):
                first = one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 500)
                yield 1, 0, f"{SG000.code} store-gate cannot check this project: {first}", type(self)
            return
        except Exception as exc:
            # flake8 would print the plugin's traceback and stop: the gate's own bug must neither
            # hide the editor's other findings nor look like a clean store.
            message = f"{SG000.code} store-gate could not check this project: internal error: {type(exc).__name__}"
            yield 1, 0, f"{message}: {one_line(str(exc), 200)} (please report it)", type(self)
            return
        for line, column, text in found:
            yield line, column, text, type(self)

    def _saved(self) -> str | None:
        """The file as saved on disk, or None when it cannot be read (stdin, a new file)."""
        from store_gate.sources import Unreadable, read_regular

        try:
            return read_regular(Path(self.filename)).decode("utf-8")
        except (Unreadable, UnicodeDecodeError):
            return None

    def _names_a_store(self, manifest: Path) -> bool:
        from store_gate.sources import Unreadable, read_regular

        try:
            traits = _TRAIT.findall(read_regular(manifest).decode("utf-8", "replace"))
        except Unreadable:
            traits = []
        source = "".join(self.lines)
        return not traits or any(trait in source for trait in traits)
