"""Source trees: which files the manifest's globs match, and their bytes - in the working tree,
or at a base commit read from git objects (for `--base`).

The gate reads only inside the project it was pointed at, and only what it can read safely:

- globs are relative to the manifest's folder; absolute globs, `..`, brace expansion and broken
  character classes are configuration errors. Matching is wcmatch's (atomic groups: no
  catastrophic backtracking, whatever the pattern);
- a walk follows a symlinked folder only when it resolves inside the root (each link once, each
  file once), and never starts in one that leads outside (`src -> /elsewhere`); a symlinked file is
  read only when it resolves inside the root;
- only regular files are opened (FIFOs, devices and sockets never are: opening does not block),
  at most `max_file_bytes` of them;
- whatever matched but could not be read - a directory without permission, a symlink that leads
  outside or nowhere, a FIFO, a file too large - is recorded as an unreadable source, which the
  project reports (SG002): a skip is never silent.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import re
import stat
import sys
import threading
import tokenize
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Protocol

from store_gate import git
from store_gate.display import one_line
from store_gate.languages import written_in

DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024  # a source file larger than this is reported, not parsed
_WILDCARDS = frozenset("*?[")


class Unreadable(Exception):
    """A file the gate may not or cannot read; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def glob_problem(glob: str) -> str | None:
    """Why a glob may not be used, or None."""
    if not glob.strip():
        return "empty glob"
    if "\x00" in glob or len(glob) > 1024:
        return "not a usable glob (a NUL character, or longer than 1,024 characters)"
    if glob.startswith(("/", "\\")) or (len(glob) > 1 and glob[1] == ":"):
        return f'"{glob}" is absolute; write it relative to the manifest\'s folder'
    if ".." in glob.replace("\\", "/").split("/"):
        return f'"{glob}" leaves the manifest\'s folder; the gate reads only inside the repository'
    if "{" in glob and "," in glob[glob.index("{") :]:
        return f'"{glob}": braces are not expanded; write one glob per alternative'
    return _class_problem(glob)


def _class_problem(glob: str) -> str | None:
    """A character class that is unclosed, empty or has a reversed range."""
    i = 0
    while i < len(glob):
        ch = glob[i]
        if ch == "\\":
            i += 2
            continue
        if ch != "[":
            i += 1
            continue
        j = i + 1
        if j < len(glob) and glob[j] in "!^":
            j += 1
        start = j
        if j < len(glob) and glob[j] == "]":
            j += 1  # a `]` first in the class is itself a member
        while j < len(glob) and glob[j] != "]":
            if glob.startswith("[:", j):
                end = glob.find(":]", j + 2)
                if end < 0:
                    return f'"{glob}": unclosed [: in a character class'
                j = end + 2
                continue
            if j + 2 < len(glob) and glob[j + 1] == "-" and glob[j + 2] != "]" and glob[j] > glob[j + 2]:
                return f'"{glob}": the range {glob[j]}-{glob[j + 2]} is reversed'
            j += 1
        if j >= len(glob):
            return f'"{glob}": unclosed ['
        if j == start:
            return f'"{glob}": empty character class []'
        i = j + 1
    return None


@lru_cache(maxsize=1024)
def glob_matcher(globs: tuple[str, ...]) -> Callable[[str], bool]:
    """A test of project-relative posix paths against any of the globs (`**` spans folders,
    dot files included)."""
    if not globs:
        return lambda path: False
    simple = _simple_pattern(globs)
    if simple is not None:
        return lambda path: simple.fullmatch(path) is not None
    from wcmatch import glob as wcglob

    compiled = wcglob.compile(list(globs), flags=wcglob.GLOBSTAR | wcglob.DOTGLOB)
    return lambda path: bool(compiled.match(path))


# A segment of a simple glob: `**`, or literal name characters with at most one `*`.
_SIMPLE_SEGMENT = re.compile(r"\*\*|[A-Za-z0-9_.-]*\*?[A-Za-z0-9_.-]*")


def _simple_pattern(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """The globs as one regex, when each is simple (`src/**/*.rs`, `**/vendor`, `a/b.rs`): the
    common case, matched without importing wcmatch (about a tenth of a small run's start-up).
    Exactly wcmatch's matches under GLOBSTAR and DOTGLOB on a case-sensitive file system: `*`
    is any run of characters but `/` (a leading dot included), `**` any number of folders - at
    least one at the end of a glob. A segment has at most one `*` and a glob at most one `**`
    before its last segment, so no pattern can backtrack badly (linear in the path); anything
    else (classes, `?`, escapes, other characters, `a/**/b/**/c`) goes to wcmatch."""
    if not sys.platform.startswith("linux"):  # elsewhere wcmatch follows the file system's case
        return None
    alternatives = []
    for glob in globs:
        segments = glob.split("/")
        if any(s in ("", ".", "..") or _SIMPLE_SEGMENT.fullmatch(s) is None for s in segments):
            return None
        if segments[:-1].count("**") > 1:
            return None  # `a/**/b/**/c` could backtrack polynomially: wcmatch takes it
        parts: list[str] = []
        for i, segment in enumerate(segments):
            last = i == len(segments) - 1
            if segment == "**":
                if parts and parts[-1] == "(?:[^/]+/)*":
                    if not last:
                        continue  # `**/**/` is `**/`
                    parts.pop()
                parts.append("[^/]+(?:/[^/]+)*" if last else "(?:[^/]+/)*")
            else:
                parts.append("[^/]*".join(re.escape(piece) for piece in segment.split("*")) + ("" if last else "/"))
        alternatives.append("".join(parts))
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _fixed_prefix(glob: str) -> str:
    """The leading folders of a glob that contain no wildcard: where walking starts."""
    fixed = []
    for part in glob.split("/")[:-1]:
        if _WILDCARDS & set(part):
            break
        fixed.append(part)
    return "/".join(fixed)


def inside(root: Path, path: Path) -> bool:
    """Does `path`, symlinks resolved, stay under `root`? (A symlink loop does not.)"""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _kind_of_file(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


_BENEATH = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")


def open_folder_beneath(root: str, folder: str) -> int:
    """A descriptor of `folder`, a real folder under the real folder `root`, opened one component
    at a time from `root` without following a symlink at any of them: a folder on the way swapped
    for a symlink since the walk raises ELOOP (O_NOFOLLOW alone guards only the last component)."""
    relative = os.path.relpath(folder, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        raise OSError(errno.EACCES, "outside the project")
    descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in [] if relative == os.curdir else relative.split(os.sep):
            try:
                below = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor)
            except NotADirectoryError:  # Linux's answer for a symlink under O_DIRECTORY
                if stat.S_ISLNK(os.stat(part, dir_fd=descriptor, follow_symlinks=False).st_mode):
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP)) from None
                raise
            os.close(descriptor)
            descriptor = below
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_regular(
    path: Path | str,
    limit: int = DEFAULT_MAX_FILE_BYTES,
    resolved: bool = False,
    opener: Callable[[int], int] | None = None,
) -> bytes:
    """A regular file's bytes, at most `limit` of them. Never blocks: a FIFO, a device or a socket
    is refused without being read (opened non-blocking, checked by fstat). `resolved`: the path is
    a real path the walk found inside the project - opened without following a symlink, so one
    swapped in since is refused rather than read; `opener`: opens it (given the flags) from its
    folder, opened from the project's root following no symlink on the way."""
    try:
        before = os.stat(path)  # stat first: a FIFO or a device is refused before any open
    except FileNotFoundError:
        raise Unreadable("missing (a symlink to nothing, or removed during the run)") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(before.st_mode):
        raise Unreadable(f"is {_kind_of_file(before.st_mode)}, not a regular file: the gate reads regular files only")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if resolved:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        # non-blocking: a FIFO swapped in after the stat cannot hang it
        descriptor = opener(flags) if opener is not None else os.open(path, flags)
    except FileNotFoundError:
        raise Unreadable("missing (a symlink to nothing, or removed during the run)") from None
    except OSError as exc:
        if resolved and exc.errno == errno.ELOOP:
            raise Unreadable("replaced by a symlink during the run: the gate reads only inside the project") from None
        raise Unreadable(f"cannot be opened ({exc.strerror or exc})") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(info.st_mode)
                else "a directory"
                if stat.S_ISDIR(info.st_mode)
                else ("a device or a socket")
            )
            raise Unreadable(f"not a regular file ({kind}): the gate reads regular files only")
        if info.st_size > limit:
            raise Unreadable(f"too large to analyse ({info.st_size:,} bytes; the limit is {limit:,})")
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise Unreadable(f"too large to analyse (more than {limit:,} bytes)")
        return data
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(descriptor)


def read_inside(root: Path, relative: str | Path, limit: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """A project file's bytes, refused when it (symlinks resolved) leads outside the root."""
    path = root / relative
    if not inside(root, path):
        raise Unreadable("leads outside the project (a symlink): the gate reads only inside it")
    return read_regular(path, limit)


def could_match_beneath(globs: Sequence[str], folder: str) -> bool:
    """Could any glob match a file below `folder` (project-relative, posix)? A glob with `**` at
    or above the folder's depth can; one without can only when it has more segments than the
    folder and each of the folder's segments matches the glob's segment at its depth. So `*.py`
    never reaches into `node_modules/`, `src/**/*.ts` reaches everything under `src/`."""
    parts = folder.split("/")
    for glob in globs:
        segments = glob.split("/")
        for depth, part in enumerate(parts):
            if depth >= len(segments):
                break
            if segments[depth] == "**":
                return True
            if not _segment_matcher(segments[depth])(part):
                break
        else:
            if len(segments) > len(parts):
                return True
    return False


@lru_cache(maxsize=1024)
def _segment_matcher(segment: str) -> Callable[[str], bool]:
    from wcmatch import glob as wcglob

    compiled = wcglob.compile([segment], flags=wcglob.GLOBSTAR | wcglob.DOTGLOB)
    return lambda name: bool(compiled.match(name))


_OUTSIDE_FOLDER = "a folder that leads outside the project (a symlink): not walked"


@dataclass
class Walk:
    """The files under a root that globs match, walked once per starting folder, with what could
    not be read on the way.

    A symlinked folder that resolves inside the root is walked too, under its own name (`src/admin
    -> ../lib/admin` matches `src/**/*.ts`), each link once: a link back to an ancestor ends
    there. A file reached under several names is listed once - under its real name when that
    name matches, else under the shortest other. A symlinked folder that leads outside the
    root is unreadable, but only where a glob could match a file below it."""

    root: Path
    globs: tuple[str, ...]
    exclude: tuple[str, ...] = ()  # the manifest's `exclude`: left out, folders pruned
    ignored: frozenset[str] = frozenset()  # what git ignores (folders end in `/`): left out, pruned
    files: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # relative path -> reason
    names: dict[str, str] = field(default_factory=dict)  # every matched name -> the file's real path

    def run(self) -> Walk:
        root = self.root.resolve()
        matches = glob_matcher(self.globs)
        names: dict[str, str] = {}  # relative name -> the file's real path
        starts: list[str] = []
        for glob in self.globs:
            if not _WILDCARDS & set(glob):
                self._literal(root, glob, names)
            else:
                starts.append(_fixed_prefix(glob))
        links: list[tuple[str, Path]] = []  # symlinked folders inside the root, met on the way
        walked: list[str] = []
        for start in sorted(set(starts), key=lambda s: (s.count("/"), s)):
            if any(w == "" or start.startswith(w + "/") for w in walked):
                continue  # inside a folder another glob walks
            walked.append(start)
            self._walk(root, start, matches, names, links)
        followed: set[tuple[int, int]] = set()
        while links:
            relative, link = links.pop(0)
            try:
                info = os.lstat(link)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) in followed or not could_match_beneath(self.globs, relative):
                continue
            followed.add((info.st_dev, info.st_ino))
            self._tree(root, link, relative, matches, names, links)
        self.names = names
        self.files = _once_each(root, names)
        return self

    def _left_out(self, relative: str, folder: bool = False) -> bool:
        """Excluded by the manifest, or ignored by git (the path or one of its folders: those are
        pruned as the walk meets them)."""
        if self.ignored and (relative + "/" if folder else relative) in self.ignored:
            return True
        return bool(self.exclude) and glob_matcher(self.exclude)(relative)

    def _excluded_anywhere(self, relative: str) -> bool:
        """A path a glob names without a wildcard (or a glob's fixed folder): left out only by the
        manifest's `exclude` (it, or a folder above it) - git's ignore rules do not overrule a name
        the manifest writes out."""
        if not self.exclude:
            return False
        excluded = glob_matcher(self.exclude)
        parts = relative.split("/")
        return any(excluded("/".join(parts[: i + 1])) for i in range(len(parts)))

    def _literal(self, root: Path, relative: str, names: dict[str, str]) -> None:
        path = root / relative
        if not os.path.lexists(path) or self._excluded_anywhere(relative):
            return
        if not inside(root, path):
            self.unreadable[relative] = "leads outside the project (a symlink): the gate reads only inside it"
        elif path.is_dir():
            return  # a folder named without a wildcard matches no file
        else:
            names[relative] = os.path.realpath(path)

    def _walk(
        self,
        root: Path,
        start: str,
        matches: Callable[[str], bool],
        names: dict[str, str],
        links: list[tuple[str, Path]],
    ) -> None:
        folder = root / start if start else root
        if not os.path.lexists(folder):
            return
        if not inside(root, folder):
            self.unreadable[start] = _OUTSIDE_FOLDER
            return
        if not folder.is_dir() or (start and self._excluded_anywhere(start)):
            return
        self._tree(root, folder, start, matches, names, links)

    def _tree(
        self,
        root: Path,
        folder: Path,
        named: str,
        matches: Callable[[str], bool],
        names: dict[str, str],
        links: list[tuple[str, Path]],
    ) -> None:
        """Walk `folder` (a symlink to one, maybe), naming what is below it `named/...`."""
        real_top = os.path.realpath(folder)

        def under(sub: str, name: str) -> str:
            parts = [p for p in (named, "" if sub == "." else sub.replace(os.sep, "/"), name) if p]
            return "/".join(parts)

        def failed(error: OSError) -> None:
            sub = os.path.relpath(error.filename, folder) if error.filename else "."
            self.unreadable[under(sub, "") or "."] = f"a folder that cannot be read ({error.strerror or error})"

        for current, dirs, files in os.walk(folder, onerror=failed, followlinks=False):
            sub = os.path.relpath(current, folder)
            dirs[:] = sorted(d for d in dirs if d != ".git" and not self._left_out(under(sub, d), folder=True))
            real_here = real_top if sub == "." else os.path.join(real_top, sub)
            for name in dirs:
                if not os.path.islink(os.path.join(current, name)):  # os.path: no Path per folder
                    continue
                linked = Path(current) / name
                relative = under(sub, name)
                if inside(root, linked):
                    links.append((relative, linked))
                elif could_match_beneath(self.globs, relative):
                    self.unreadable[relative] = _OUTSIDE_FOLDER
            for name in files:
                relative = under(sub, name)
                if not matches(relative) or self._left_out(relative):
                    continue
                joined = os.path.join(current, name)
                if os.path.islink(joined):
                    full = Path(joined)
                    if not inside(root, full):
                        reason = "leads outside the project (a symlink): the gate reads only inside it"
                        if not os.path.exists(full):
                            reason = "a symlink to nothing (or a symlink loop)"
                        self.unreadable[relative] = reason
                        continue
                    names.setdefault(relative, os.path.realpath(full))
                else:
                    names.setdefault(relative, os.path.join(real_here, name))


def _shortest(name: str) -> tuple[int, str]:
    return name.count("/"), name


def _once_each(root: Path, names: dict[str, str]) -> list[str]:
    """One name per file: its real name when the globs matched it, else the shortest other."""
    by_file: dict[str, list[str]] = {}
    for name, real in names.items():
        by_file.setdefault(real, []).append(name)
    chosen = []
    for real, group in by_file.items():
        if len(group) == 1:
            chosen.append(group[0])
            continue
        own = os.path.relpath(real, root).replace(os.sep, "/")
        chosen.append(own if own in group else min(group, key=_shortest))
    return sorted(chosen)


def git_ignored(root: Path) -> frozenset[str]:
    """What git ignores under `root` (untracked files and folders its ignore rules match, folders
    ending in `/`), when `root` is inside a git work tree; nothing otherwise, or when git cannot
    say: then every file is read (a tracked file is never ignored)."""
    here = root.resolve()
    if not any((folder / ".git").exists() for folder in (here, *here.parents)):
        return frozenset()
    arguments = ["-C", str(here), "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"]
    listed = _git_output(arguments)
    if listed is None:
        return frozenset()
    # `./`: the project folder itself is ignored by a repository around it; what is under it is
    # still the project the gate was pointed at.
    return frozenset(p for p in (os.fsdecode(raw) for raw in listed.split(b"\0")) if p and p != "./")


def _git_output(arguments: list[str]) -> bytes | None:
    """git's standard output, None when it fails or is not installed. Spawned directly (posix_spawn
    where there is one): the subprocess module costs a pre-commit run more than git itself."""
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    if not hasattr(os, "posix_spawnp"):
        import subprocess

        try:
            done = subprocess.run(["git", *arguments], capture_output=True, check=False, env=environment)
        except OSError:
            return None
        return done.stdout if done.returncode == 0 else None
    read_end, write_end = os.pipe()
    try:
        with open(os.devnull, "rb") as nothing_in, open(os.devnull, "wb") as nothing_out:
            pid = os.posix_spawnp(
                "git",
                ["git", *arguments],
                environment,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, nothing_in.fileno(), 0),
                    (os.POSIX_SPAWN_DUP2, write_end, 1),
                    (os.POSIX_SPAWN_DUP2, nothing_out.fileno(), 2),
                    (os.POSIX_SPAWN_CLOSE, read_end),
                ],
            )
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as output:
        while chunk := output.read(1 << 16):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


def match_files(root: Path, globs: Sequence[str]) -> list[str]:
    """Files under `root` matched by any glob, as sorted posix paths relative to root."""
    return Walk(root, tuple(globs)).run().files


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotText(ValueError):
    """Bytes a coding cookie says to read as something that is not source text: a codec that is
    not a text encoding (rot13, hex, zlib, base64, ...), a decoder that fails in its own way
    (punycode, idna), or text holding a lone surrogate (unicode_escape of `\\ud800`)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line  # 1-based: where the cookie or the surrogate is
        self.reason = reason


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")


def may_declare_coding(path: str, data: bytes) -> bool:
    """May a Python file's coding cookie decide its encoding: does `coding` occur in its first two
    lines, however long (CPython reads a cookie on line 2 after a first line of any length)?"""
    if not written_in(path, "python"):
        return False
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return data.find(b"coding", 0, len(data) if second < 0 else second) >= 0


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_source(data: bytes, path: str) -> str:
    """A source file's text, decoded for what it is: a byte-order mark (UTF-8, UTF-16, UTF-32), a
    Python coding cookie (PEP 263), else UTF-8. Raises UnicodeDecodeError when the bytes are not
    that encoding, and for NUL characters (UTF-16 without a byte-order mark, or a binary file):
    no compiler reads them as source, and no prefilter could see a definition in them. Raises
    NotText when a cookie names a codec that does not decode bytes to text, or one whose text is
    not source text."""
    encoding = "utf-8"
    cookie = 0  # the line of a coding cookie
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    else:
        if may_declare_coding(path, data):
            try:
                encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
            except SyntaxError:
                encoding = "utf-8"  # an unknown cookie: CPython refuses the file; so does UTF-8 below
            first_lines = data.split(b"\n", 2)[:2]
            cookie = next((i for i, line in enumerate(first_lines, 1) if _COOKIE.match(line)), 1)
    if cookie:
        return _decode_declared(data, encoding, cookie)
    text = data.decode(encoding)
    if "\x00" in text:
        at = text.index("\x00")
        raise UnicodeDecodeError(encoding, data, at, at + 1, "NUL character")
    return text


def _decode_declared(data: bytes, encoding: str, cookie: int) -> str:
    """The text of a file whose coding cookie (on line `cookie`) names `encoding`."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise NotText(cookie, f"declares coding {encoding}, which Python does not know") from None
    if not getattr(codec, "_is_text_encoding", True):  # what bytes.decode checks: rot13, hex, zlib, ...
        raise NotText(cookie, f"declares coding {encoding}, which is not a text encoding")
    try:
        text = codec.decode(data)[0]
    except UnicodeDecodeError:
        raise
    except (UnicodeError, ValueError, TypeError, LookupError) as exc:
        reason = one_line(str(exc).encode("ascii", "backslashreplace").decode("ascii"), 120)
        raise NotText(cookie, f"is not valid {encoding} ({type(exc).__name__}: {reason})") from None
    if not isinstance(text, str):
        raise NotText(cookie, f"declares coding {encoding}, which is not a text encoding")
    if "\x00" in text:
        at = text.index("\x00")
        raise UnicodeDecodeError(encoding, data, at, at + 1, "NUL character")
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate is not None:
        line = text.count("\n", 0, surrogate.start()) + 1
        raise NotText(line, f"holds a lone surrogate once decoded as {encoding}, which is not source text")
    return text


@lru_cache(maxsize=4096)
def shown(path: Path) -> str:
    """A path as the user can open it from where they ran the gate."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


class SourceTree(Protocol):
    """Where a project's files are read from: the working tree, or a base commit."""

    unreadable: dict[str, str]  # relative path -> why it was not read

    def match(self, globs: Sequence[str]) -> list[str]: ...

    def read(self, path: str) -> bytes:
        """The file's bytes; raises Unreadable."""
        ...


def _excluder(exclude: Sequence[str]) -> Callable[[str], bool]:
    """Is a path excluded: it, or one of its folders, matched by an `exclude` glob?"""
    matcher = glob_matcher(tuple(exclude))

    def excluded(path: str) -> bool:
        if not exclude:
            return False
        parts = path.split("/")
        return any(matcher("/".join(parts[: i + 1])) for i in range(len(parts)))

    return excluded


def _close_folder(state: dict[str, Any]) -> None:
    kept = state.get("_folder")
    state["_folder"] = None
    if kept is not None:
        with contextlib.suppress(OSError):
            os.close(kept[1])


class WorkingTree:
    """The files on disk under the project's root: walked once for every glob the project uses
    (`prepare`), leaving out what the manifest's `exclude` and git's ignore rules leave out."""

    def __init__(
        self,
        root: Path,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        overlay: dict[str, bytes] | None = None,
        exclude: Sequence[str] = (),
        gitignore: bool = True,
    ) -> None:
        """`overlay`: texts that stand in for files (an editor's unsaved buffer), by relative path."""
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.overlay = overlay or {}
        self.exclude = tuple(exclude)
        self.gitignore = gitignore
        self.unreadable: dict[str, str] = {}
        self._ignored: frozenset[str] | None = None
        self._walks: list[Walk] = []
        self._matched: dict[tuple[str, ...], list[str]] = {}
        self._real: dict[str, str] = {}  # every name a walk matched -> the real path it found inside the root
        self._root_real: str | None = None
        # The folder a file was last read from (files are read in order: mostly the same one),
        # opened from the root following no symlink, kept open until the next folder.
        self._folder: tuple[str, int] | None = None
        self._folder_lock = threading.Lock()
        weakref.finalize(self, _close_folder, self.__dict__)

    def _open_beneath(self, real: str, flags: int) -> int:
        """Open a file the walk found at `real` from its folder, following no symlink on the way
        from the root (a folder swapped for one since the walk raises ELOOP)."""
        folder, name = os.path.split(real)
        with self._folder_lock:
            if self._folder is None or self._folder[0] != folder:
                if self._root_real is None:
                    self._root_real = os.path.realpath(self.root)
                _close_folder(self.__dict__)
                self._folder = (folder, open_folder_beneath(self._root_real, folder))
            return os.open(name, flags | os.O_NOFOLLOW, dir_fd=self._folder[1])

    @property
    def ignored(self) -> frozenset[str]:
        if self._ignored is None:
            self._ignored = git_ignored(self.root) if self.gitignore else frozenset()
        return self._ignored

    def prepare(self, glob_sets: Sequence[Sequence[str]]) -> None:
        """Walk once for all these globs; `match` then tests each set against what was found."""
        union = tuple(dict.fromkeys(g for globs in glob_sets for g in globs))
        if union and not any(set(union) <= set(w.globs) for w in self._walks):
            self._walk(union)

    def _walk(self, globs: tuple[str, ...]) -> Walk:
        walk = Walk(self.root, globs, self.exclude, self.ignored).run()
        self.unreadable.update(walk.unreadable)
        self._real.update(walk.names)
        self._walks.append(walk)
        return walk

    def match(self, globs: Sequence[str]) -> list[str]:
        key = tuple(globs)
        if key not in self._matched:
            covering = next((w for w in self._walks if set(key) <= set(w.globs)), None)
            if covering is None:
                covering = self._walk(key)
            if covering.globs == key:
                files = covering.files
            else:
                matches = glob_matcher(key)
                files = _once_each(self.root.resolve(), {n: r for n, r in covering.names.items() if matches(n)})
            self._matched[key] = files
        matches = glob_matcher(key)
        return sorted(set(self._matched[key]) | {path for path in self.overlay if matches(path)})

    def read(self, path: str) -> bytes:
        if path in self.overlay:
            if len(self.overlay[path]) > self.max_file_bytes:
                raise Unreadable(f"too large to analyse ({len(self.overlay[path]):,} bytes)")
            return self.overlay[path]
        real = self._real.get(path)
        if real is not None:  # the walk resolved it inside the root: no second resolution
            opener = partial(self._open_beneath, real) if _BENEATH else None
            return read_regular(real, self.max_file_bytes, resolved=True, opener=opener)
        return read_inside(self.root, path, self.max_file_bytes)


_MAX_LINKS = 40  # symlinks followed to resolve one path at the base (Linux's own bound)
_LINK = "120000"


@dataclass(frozen=True)
class _Name:
    """What a project-relative name at the base stands for: a file (its repository path) or a
    refusal; `folder` when the name is a symlinked folder."""

    real: str | None
    reason: str | None = None
    folder: bool = False


class GitTree:
    """The files of the project's folder at a base commit, read from git objects by their ids:
    no path ever goes through git's line-based batch protocol, so a path with a newline or a
    space cannot shift one file's contents onto another.

    Symlinks are resolved as a checkout would resolve them, within the commit: a link to a file
    reads that file, a link to a folder is walked as the working tree's walk does (each link once,
    each file once). A link that leaves the project (the repository, for the manifest), is
    absolute, dangles or loops is refused with its reason."""

    def __init__(
        self,
        base: git.BaseRevision,
        project_root: Path,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        label: str = "the base",
        exclude: Sequence[str] = (),
        prefetch: frozenset[str] | None = None,
    ) -> None:
        """`label`: the commit as messages name it ("the base", "the commit pushed"); `exclude`:
        the manifest's; `prefetch` (default: every matched file): the matched files read in the
        one batch `match` makes - the others are read when asked for."""
        self.base = base
        self.prefetch = prefetch
        self._excluded = _excluder(exclude)
        self._at = f"at {label}"
        self.max_file_bytes = max_file_bytes
        prefix = git.project_prefix(base, project_root)
        self._prefix = prefix + "/" if prefix else ""
        self._entries = {
            entry.path[len(self._prefix) :]: entry for entry in git.list_tree(base, self._prefix.rstrip("/"))
        }
        self._folders = {""}
        for path in self._entries:
            parts = path.split("/")[:-1]
            self._folders.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
        self._elsewhere: dict[str, git.TreeEntry | None] = {}  # repository paths outside the project
        self._objects: dict[str, bytes] = {}
        self._names: dict[str, _Name] | None = None
        self.unreadable: dict[str, str] = {}

    # -- resolving ---------------------------------------------------------------------------

    def _entry(self, repo_path: str) -> git.TreeEntry | None:
        """The entry at a repository path: a folder is an entry of kind "tree"."""
        if self._prefix and repo_path + "/" == self._prefix:
            repo_path = self._prefix
        if repo_path.startswith(self._prefix):
            relative = repo_path[len(self._prefix) :]
            if relative in self._entries:
                return self._entries[relative]
            return git.TreeEntry("040000", "tree", "", None, repo_path) if relative in self._folders else None
        if repo_path not in self._elsewhere:
            self._elsewhere[repo_path] = git.tree_entry(self.base, repo_path)
        return self._elsewhere[repo_path]

    def _blob(self, entry: git.TreeEntry) -> bytes:
        if entry.object not in self._objects:
            self._objects.update(git.read_objects(self.base, [entry.object]))
        return self._objects.get(entry.object, b"")

    def _resolve(self, path: str, within_repository: bool = False) -> git.TreeEntry:
        """The entry a project-relative path leads to, every symlink on the way followed inside
        the commit. Raises Unreadable for a link that leaves the project (the repository, with
        `within_repository`), is absolute, dangles or loops."""
        pending = list(reversed((self._prefix + path).split("/")))
        resolved: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if not resolved:
                    raise Unreadable(f"a symlink {self._at} that leads outside the repository")
                resolved.pop()
                continue
            entry = self._entry("/".join([*resolved, part]))
            if entry is None:
                raise Unreadable(f"a symlink to nothing {self._at}" if hops else f"missing {self._at}")
            if entry.mode == _LINK:
                hops += 1
                if hops > _MAX_LINKS:
                    raise Unreadable(f"a symlink loop {self._at} (more than {_MAX_LINKS} links)")
                target = self._blob(entry).decode("utf-8", "surrogateescape")
                if not target or target.startswith("/"):
                    raise Unreadable(f"a symlink {self._at} to an absolute path: the gate reads only inside it")
                pending.extend(reversed(target.split("/")))
                continue
            if entry.kind != "tree" and any(p not in ("", ".") for p in pending):
                raise Unreadable(f"missing {self._at} (a file where a folder is named)")
            resolved.append(part)
        final = "/".join(resolved)
        if not within_repository and not (final + "/").startswith(self._prefix):
            raise Unreadable(f"leads outside the project {self._at} (a symlink): the gate reads only inside it")
        entry = self._entry(final)
        assert entry is not None
        return entry

    def _all_names(self) -> dict[str, _Name]:
        """Every name a file has below the project at the base: its own, and those through
        symlinks (a symlinked folder's files under the link's name, each link expanded once)."""
        if self._names is not None:
            return self._names
        names: dict[str, _Name] = {}
        links = sorted(path for path, entry in self._entries.items() if entry.mode == _LINK)
        for path, entry in self._entries.items():
            if entry.kind == "commit":
                names[path] = _Name(None, self._refusal(entry), folder=True)
            elif entry.mode != _LINK:
                names[path] = _Name(self._prefix + path)
        if links:
            self._objects.update(git.read_objects(self.base, sorted({self._entries[p].object for p in links})))
        expanded: set[str] = set()  # the links followed, by where they are: each once (a cycle ends)
        while links:
            link = links.pop(0)
            parent, _, leaf = link.rpartition("/")
            try:
                itself = f"{self._resolve(parent).path.rstrip('/')}/{leaf}" if parent else self._prefix + link
                entry = self._resolve(link)
            except Unreadable as exc:
                names.setdefault(link, _Name(None, exc.reason, folder=True))
                continue
            if entry.kind != "tree":
                names.setdefault(link, _Name(entry.path))
                continue
            if itself in expanded:
                continue
            expanded.add(itself)
            folder = entry.path[len(self._prefix) :].rstrip("/")
            below = folder + "/" if folder else ""
            for path, inner in self._entries.items():
                if path.startswith(below) and path != folder:
                    name = f"{link}/{path[len(below) :]}"
                    if inner.mode == _LINK:
                        links.append(name)
                    else:
                        names.setdefault(name, _Name(inner.path))
        self._names = names
        return names

    # -- the SourceTree protocol -------------------------------------------------------------

    def match(self, globs: Sequence[str]) -> list[str]:
        matches = glob_matcher(tuple(globs))
        by_file: dict[str, list[str]] = {}
        for name, what in self._all_names().items():
            if self._excluded(name):
                continue
            if what.real is None:
                why = what.reason or f"cannot be read {self._at}"
                if matches(name):
                    self.unreadable[name] = why
                elif what.folder and could_match_beneath(globs, name):
                    self.unreadable[name] = f"a folder that is not walked: {why}"
                continue
            if matches(name):
                by_file.setdefault(what.real, []).append(name)
        found = []
        for real, group in by_file.items():
            own = real[len(self._prefix) :]
            found.append(own if own in group else min(group, key=_shortest))
        readable = []
        for path in sorted(found):
            reason = self._refusal(self._resolve(path))
            if reason:
                self.unreadable[path] = reason
            else:
                readable.append(path)
        prefetched = readable if self.prefetch is None else [p for p in readable if p in self.prefetch]
        wanted = sorted({self._resolve(p).object for p in prefetched} - set(self._objects))
        self._objects.update(git.read_objects(self.base, wanted))
        return readable

    def _refusal(self, entry: git.TreeEntry) -> str | None:
        if entry.kind == "commit":
            return f"a submodule (a gitlink) {self._at}: its files are another repository's"
        if entry.kind != "blob":
            return f"not a file {self._at} ({entry.kind})"
        if entry.size is not None and entry.size > self.max_file_bytes:
            return f"too large to analyse {self._at} ({entry.size:,} bytes; the limit is {self.max_file_bytes:,})"
        return None

    def read(self, path: str, within_repository: bool = False) -> bytes:
        """The file's bytes at the base, symlinks followed inside the project (inside the
        repository with `within_repository`: the manifest may be a link to a shared one)."""
        entry = self._resolve(path, within_repository)
        reason = self._refusal(entry)
        if reason:
            raise Unreadable(reason)
        return self._blob(entry)

    def has(self, path: str) -> bool:
        """Is there an entry at `path` in the commit (a file, or a symlink - readable or not)?"""
        if path in self._entries:
            return True
        try:
            self._resolve(path)
        except Unreadable:
            return False
        return True

    def readable(self, path: str) -> bool:
        """Does `read` return the file's bytes (a file at the commit, within the size limit)?"""
        try:
            return self._refusal(self._resolve(path)) is None
        except Unreadable:
            return False

    def linked_names(self) -> frozenset[str]:
        """The names at the commit that reach their file through a symlink (the link itself, or a
        linked folder above it): git lists a change to the file under its own name only."""
        return frozenset(name for name, what in self._all_names().items() if what.real != self._prefix + name)
