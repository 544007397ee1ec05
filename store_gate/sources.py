"""Source trees: which files a store's `paths` globs match, and their bytes - in the working
tree, or at a base commit read from git objects (for `--base`).

The gate reads only inside the repository it was pointed at: absolute globs and `..` are
configuration errors, and symlinks that lead outside the root are not followed.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import tokenize
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

from store_gate import git

_GLOB_CHARS = re.compile(r"[*?\[]")


@cache
def glob_regex(glob: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            end = glob.find("]", i + 1)
            if end < 0:
                out.append(re.escape("["))
                i += 1
            else:
                body = glob[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_problem(glob: str) -> str | None:
    """Why a glob may not be used, or None."""
    if not glob.strip():
        return "empty glob"
    if glob.startswith("/") or re.match(r"[A-Za-z]:[\\/]", glob):
        return f'"{glob}" is absolute; write it relative to the manifest\'s folder'
    if ".." in glob.replace("\\", "/").split("/"):
        return f'"{glob}" leaves the manifest\'s folder; the gate reads only inside the repository'
    return None


def _fixed_prefix(glob: str) -> str:
    """The leading folders of a glob that contain no wildcard: where walking starts."""
    parts = glob.split("/")
    fixed = []
    for part in parts[:-1]:
        if _GLOB_CHARS.search(part):
            break
        fixed.append(part)
    return "/".join(fixed)


def match_files(root: Path, globs: Sequence[str]) -> list[str]:
    """Files under `root` matched by any glob, as sorted posix paths relative to root."""
    root = root.resolve()
    found: set[str] = set()
    for glob in globs:
        pattern = glob_regex(glob)
        if not _GLOB_CHARS.search(glob):
            if (root / glob).is_file() and inside(root, root / glob):
                found.add(glob)
            continue
        start = root / _fixed_prefix(glob) if _fixed_prefix(glob) else root
        if not start.is_dir():
            continue
        for folder, dirs, files in os.walk(start):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
            for name in files:
                rel = name if rel_folder == "." else f"{rel_folder}/{name}"
                if pattern.match(rel):
                    full = Path(folder) / name
                    if not full.is_symlink() or inside(root, full):
                        found.add(rel)
    return sorted(found)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_source(data: bytes, path: str) -> str:
    """A source file's text, decoded for what it is: a byte-order mark (UTF-8, UTF-16, UTF-32), a
    Python coding cookie (PEP 263), else UTF-8. Raises UnicodeDecodeError when the bytes are not
    that encoding, and for NUL characters (UTF-16 without a byte-order mark, or a binary file):
    no compiler reads them as source, and no prefilter could see a definition in them."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    else:
        if path.endswith((".py", ".pyi")) and b"coding" in data[:400]:
            try:
                encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
            except SyntaxError:
                encoding = "utf-8"  # an unknown cookie: CPython refuses the file; so does UTF-8 below
    text = data.decode(encoding)
    if "\x00" in text:
        at = text.index("\x00")
        raise UnicodeDecodeError(encoding, data, at, at + 1, "NUL character")
    return text


@lru_cache(maxsize=4096)
def shown(path: Path) -> str:
    """A path as the user can open it from where they ran the gate."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def inside(root: Path, path: Path) -> bool:
    """Does `path`, symlinks resolved, stay under `root`?"""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


class SourceTree(Protocol):
    def match(self, globs: Sequence[str]) -> list[str]: ...

    def read(self, path: str) -> bytes: ...


class WorkingTree:
    """The files on disk under the project's root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def match(self, globs: Sequence[str]) -> list[str]:
        return match_files(self.root, globs)

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()


class GitTree:
    """The files of the project's folder at a base commit, read from git objects in one batch."""

    def __init__(self, base: git.BaseRevision, project_root: Path) -> None:
        self.base = base
        prefix = project_root.resolve().relative_to(base.repository).as_posix()
        self._prefix = "" if prefix == "." else prefix + "/"
        self._paths = [p[len(self._prefix) :] for p in git.list_files(base, self._prefix.rstrip("/"))]
        self._contents: dict[str, bytes] = {}

    def match(self, globs: Sequence[str]) -> list[str]:
        patterns = [glob_regex(g) for g in globs]
        found = sorted(p for p in self._paths if any(pattern.match(p) for pattern in patterns))
        unread = [p for p in found if p not in self._contents]
        contents = git.read_files(self.base, [self._prefix + p for p in unread])
        for path in unread:
            self._contents[path] = contents.get(self._prefix + path, b"")
        return found

    def read(self, path: str) -> bytes:
        if path not in self._contents:
            self._contents[path] = git.read_files(self.base, [self._prefix + path]).get(self._prefix + path, b"")
        return self._contents[path]

    def has(self, path: str) -> bool:
        return path in self._paths
