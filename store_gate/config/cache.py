"""What this build of store-gate has already validated or parsed, kept between runs.

Validation needs pydantic, whose import is most of a small run's time; a pre-commit hook checks
the same manifest again and again. So the digests of texts that passed validation (and the parsed
JSON of rule YAML) are kept in a per-user cache folder: `--cache-dir`, else `STORE_GATE_CACHE_DIR`,
else the platform's user cache (`$XDG_CACHE_HOME/store-gate`, `~/.cache/store-gate`,
`~/Library/Caches/store-gate`, `%LOCALAPPDATA%\\store-gate\\cache`).

The cache is never an authority:
- it never lives inside the checked project: a repository could commit a forged one, so a cache
  folder inside the project is refused (`CacheLocationError`);
- a digest covers the exact text and this build's validation code (the source of the modules
  that validate, not a version string or a modification time): any edit, or another build,
  validates again;
- only texts that passed are recorded; and the runtime model still refuses what validation would
  refuse, so a forged entry can skip pydantic's messages, never its verdict.
When the cache cannot be read or written, everything is validated.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from store_gate import __version__

ENVIRONMENT = "STORE_GATE_CACHE_DIR"
_FILE = "validated"
_KEEP = 4096  # digests kept: the newest win
_MAX_DIGESTS_BYTES = 1 << 20  # `validated` holds at most _KEEP digests of 65 bytes
_MAX_PARSED_BYTES = 16 << 20  # a parsed rule file, as JSON
# The modules whose code decides what validation accepts and what the runtime model builds.
_VALIDATING = ("config/validation.py", "config/model.py", "keytemplate.py", "dynamodb.py", "schema/table.py")
# ... and the modules whose code decides what a YAML text or an infrastructure file reads as
# (with every module of store_gate/schema/importers/, listed when the fingerprint is taken; an
# imported table's notes are worded by display.py).
_READING = ("bounds.py", "boundedyaml.py", "display.py")


try:  # the interpreter's own SHA-256: hashlib would load OpenSSL first (a few ms of every run)
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]


class CacheLocationError(Exception):
    """The cache folder would be inside the checked project."""


def default_cache_dir() -> Path:
    """The user's cache folder for store-gate on this platform."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "store-gate" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "store-gate"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "store-gate"


def cache_dir(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get(ENVIRONMENT) or default_cache_dir())


@lru_cache(maxsize=1)
def build_fingerprint() -> str:
    """This build's validation code: the version and the bytes of the modules that validate."""
    here = Path(__file__).resolve().parent.parent
    digest = sha256(__version__.encode())
    importers = sorted(p.relative_to(here).as_posix() for p in (here / "schema" / "importers").glob("*.py"))
    for name in (*_VALIDATING, *_READING, *importers):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(f"{name}:?".encode())
    return str(digest.hexdigest())


def _inside(folder: Path, root: Path) -> bool:
    try:
        folder.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


# What an imported table depends on beyond this build's code: the interpreter (PynamoDB and CDK
# models are parsed by its `ast`, which differs between Pythons) and the parsing libraries.
_READERS = ("yaml", "hcl2", "ast_grep_py")


def readers_stamp() -> str:
    """The running interpreter and where and when each parsing library was installed, found
    without importing it (the user cache is shared by every Python and virtualenv of the user)."""
    import importlib.util

    parts = [sys.version, sys.implementation.name]
    for name in _READERS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None and spec.origin else ""
        with contextlib.suppress(OSError):
            info = os.stat(origin)
            origin += f":{info.st_size}:{info.st_mtime_ns}"
        parts.append(f"{name}={origin}")
    return "\n".join(parts)


class ValidationCache:
    def __init__(self, folder: Path | None, enabled: bool = True, project: Path | None = None) -> None:
        """`folder`: the cache folder (None: the default); `project`: the checked project's root,
        which the cache may never be inside."""
        self._folder = folder if folder is not None else cache_dir(None)
        if enabled and project is not None and _inside(self._folder, project):
            raise CacheLocationError(
                f"the cache folder {self._folder} is inside the checked project {project}: a cache the checked "
                "tree could commit is never trusted; use a folder outside it (--cache-dir, STORE_GATE_CACHE_DIR) "
                "or --no-cache"
            )
        self._path = self._folder / _FILE
        self._enabled = enabled
        self._known: dict[str, None] | None = None  # insertion-ordered set
        self._dirty = False
        self.notes: list[str] = []  # cache files passed over (said with -v)

    def describe(self) -> str:
        if not self._enabled:
            return "off (--no-cache)"
        return str(self._folder) + "".join(f"; {note}" for note in dict.fromkeys(self.notes))

    def digest(self, kind: str, text: str) -> str:
        return str(sha256(f"{build_fingerprint()}\0{kind}\0{text}".encode()).hexdigest())

    def _load(self) -> dict[str, None]:
        if self._known is None:
            self._known = {}
            if self._enabled:
                raw = self._read(self._path, _MAX_DIGESTS_BYTES)
                with contextlib.suppress(UnicodeDecodeError):  # not ours: validate again
                    self._known = dict.fromkeys(raw.decode("ascii").split()) if raw else {}
        return self._known

    def _read(self, path: Path, limit: int) -> bytes | None:
        """A cache file's bytes, or None - a miss - for anything but a regular file of at most
        `limit` bytes: a FIFO is never waited on (opened non-blocking), a symlink never followed
        (`validated -> /dev/zero` would grow without bound), a device never read."""
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            if os.path.islink(path):  # O_NOFOLLOW where the platform has none
                raise OSError(f"{path.name} is a symlink")
            descriptor = os.open(path, flags)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.notes.append(f"{path.name}: cannot be opened ({exc.strerror or exc}); ignored")
            return None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                why = "not a regular file" if not stat.S_ISREG(info.st_mode) else f"larger than {limit:,} bytes"
                self.notes.append(f"{path.name}: {why}; ignored")
                return None
            chunks, size = [], 0
            while size <= limit:
                chunk = os.read(descriptor, limit + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks) if size <= limit else None
        except OSError:
            return None
        finally:
            os.close(descriptor)

    def __contains__(self, digest: str) -> bool:
        return self._enabled and digest in self._load()

    def add(self, digest: str) -> None:
        known = self._load()
        if self._enabled and digest not in known:
            known[digest] = None
            self._dirty = True

    def _parsed_path(self, kind: str, raw: bytes) -> Path:
        key = sha256(build_fingerprint().encode() + b"\0" + kind.encode() + b"\0" + raw).hexdigest()[:40]
        return self._folder / f"{kind}-{key}.json"

    def parsed(self, kind: str, raw: bytes) -> Any:
        """What an earlier run of this build read from these bytes as `kind` ("yaml": a rule
        file's documents; "table": an imported table with its file's name and selector), or None."""
        if not self._enabled:
            return None
        data = self._read(self._parsed_path(kind, raw), _MAX_PARSED_BYTES)
        if data is None:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            return None

    def keep_parsed(self, kind: str, raw: bytes, value: Any) -> None:
        """Keep what was read, when JSON gives it back exactly (an integer key would come back a
        string, a date not at all: those are read again every run)."""
        if not self._enabled:
            return
        try:
            text = json.dumps(value)
            if json.loads(text) != value:
                return
            self._folder.mkdir(parents=True, exist_ok=True)
            import tempfile  # only when something new is kept

            handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=f".{kind}-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, self._parsed_path(kind, raw))
        except (OSError, TypeError, ValueError, RecursionError):
            pass  # the cache is an optimisation

    def parsed_yaml(self, raw: bytes) -> list[Any] | None:
        """Documents of a YAML file parsed by an earlier run of this build, or None."""
        documents = self.parsed("yaml", raw)
        return documents if isinstance(documents, list) else None

    def keep_parsed_yaml(self, raw: bytes, documents: list[Any]) -> None:
        self.keep_parsed("yaml", raw, documents)

    def save(self) -> None:
        if not (self._enabled and self._dirty):
            return
        digests = list(self._load())[-_KEEP:]
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            import tempfile

            handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=".validated-")
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write("\n".join(digests) + "\n")
            os.replace(temporary, self._path)
            self._dirty = False
        except OSError:
            pass  # a read-only home still works, it only validates every time
