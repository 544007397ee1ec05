"""Which manifests and inline declarations this build of store-gate has already validated.

Validation needs pydantic, whose import is most of a small run's time. A pre-commit hook checks
the same manifest again and again, so the digests of texts that passed validation are kept in
`<project>/.store-gate-cache/` (with a `.gitignore` of `*`, like `.ruff_cache`). A digest covers
the exact text and this build of the validation code: any edit, or another store-gate, validates
again. Only texts that passed are recorded; a failing manifest is validated on every run. The
cache is an optimisation: when it cannot be read or written, everything is validated.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from store_gate import __version__

CACHE_DIR = ".store-gate-cache"
_FILE = "validated"
_KEEP = 4096  # digests kept: the newest win


def _build_fingerprint() -> str:
    here = Path(__file__).parent
    parts = [__version__]
    for name in ("validation.py", "model.py"):
        try:
            stat = (here / name).stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:?")
    return "|".join(parts)


class ValidationCache:
    def __init__(self, root: Path, enabled: bool = True) -> None:
        self._path = root / CACHE_DIR / _FILE
        self._enabled = enabled
        self._known: dict[str, None] | None = None  # insertion-ordered set
        self._dirty = False
        self._fingerprint = _build_fingerprint()

    def digest(self, kind: str, text: str) -> str:
        return hashlib.sha256(f"{self._fingerprint}\0{kind}\0{text}".encode()).hexdigest()

    def _load(self) -> dict[str, None]:
        if self._known is None:
            self._known = {}
            if self._enabled:
                with contextlib.suppress(OSError, UnicodeDecodeError):  # unreadable: validate again
                    self._known = dict.fromkeys(self._path.read_text(encoding="ascii").split())
        return self._known

    def __contains__(self, digest: str) -> bool:
        return self._enabled and digest in self._load()

    def add(self, digest: str) -> None:
        known = self._load()
        if self._enabled and digest not in known:
            known[digest] = None
            self._dirty = True

    def parsed_yaml(self, raw: bytes) -> list[Any] | None:
        """Documents of a YAML file parsed by an earlier run (JSON beside the digests), or None."""
        if not self._enabled:
            return None
        path = self._path.parent / f"yaml-{hashlib.sha256(raw).hexdigest()[:40]}.json"
        try:
            documents: list[Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return documents

    def keep_parsed_yaml(self, raw: bytes, documents: list[Any]) -> None:
        if not self._enabled:
            return
        folder = self._path.parent
        try:
            folder.mkdir(exist_ok=True)
            self._ignore(folder)
            target = folder / f"yaml-{hashlib.sha256(raw).hexdigest()[:40]}.json"
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".yaml-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(documents, out, default=str)
            os.replace(temporary, target)
        except (OSError, TypeError, ValueError):
            pass  # the cache is an optimisation

    @staticmethod
    def _ignore(folder: Path) -> None:
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# written by store-gate\n*\n", encoding="ascii")

    def save(self) -> None:
        if not (self._enabled and self._dirty):
            return
        digests = list(self._load())[-_KEEP:]
        folder = self._path.parent
        try:
            folder.mkdir(exist_ok=True)
            self._ignore(folder)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".validated-")
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write("\n".join(digests) + "\n")
            os.replace(temporary, self._path)
            self._dirty = False
        except OSError:
            pass  # a read-only checkout still works, it only validates every time
