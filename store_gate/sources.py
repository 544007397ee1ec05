"""Source trees: which files the manifest's globs match, and their bytes - in the working tree,
or at a base commit read from git objects (for `--base`).

Every glob the project uses is matched in one walk (`WorkingTree.prepare`); what the manifest's
`exclude` matches, and inside a git work tree what git ignores, is left out (a folder so left out
is not even listed). The gate reads only inside the project it was pointed at, and only what it
can read safely:

- globs are relative to the manifest's folder; absolute globs, `..`, brace expansion and broken
  character classes are configuration errors. Matching is wcmatch's (atomic groups: no
  catastrophic backtracking, whatever the pattern);
- a walk never follows a symlinked directory, and never starts in one that leads outside (`src ->
  /elsewhere`); a symlinked file is read only when it resolves inside the root;
- only regular files are opened (FIFOs, devices and sockets never are: opening does not block),
  at most `max_file_bytes` of them;
- whatever matched but could not be read - a directory without permission, a symlink that leads
  outside or nowhere, a FIFO, a file too large - is recorded as an unreadable source, which the
  project reports (SG002): a skip is never silent.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from store_gate import git

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


def read_regular(path: Path, limit: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them. Never blocks: a FIFO, a device or a socket
    is refused without being read (opened non-blocking, checked by fstat)."""
    try:
        before = os.stat(path)  # stat first: a FIFO or a device is refused before any open
    except FileNotFoundError:
        raise Unreadable("missing (a symlink to nothing, or removed during the run)") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(before.st_mode):
        raise Unreadable(f"is {_kind_of_file(before.st_mode)}, not a regular file: the gate reads regular files only")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)  # non-blocking: a FIFO swapped in after the stat cannot hang it
    except FileNotFoundError:
        raise Unreadable("missing (a symlink to nothing, or removed during the run)") from None
    except OSError as exc:
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


_OUTSIDE_FOLDER = "a folder that leads outside the project (a symlink): not walked"


@dataclass
class Walk:
    """The files under a root that globs match, found in one walk over the folders the globs can
    reach, with what could not be read on the way.

    `exclude` (the manifest's globs) and `ignored` (what git ignores: paths relative to the root,
    folders ending in `/`) leave files out, and prune the folders they name: a git-ignored
    `node_modules` is never listed. `regular` records, for each walked file that is not a symlink,
    its (device, inode), so that reading it later needs no second resolution of its path."""

    root: Path
    globs: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    ignored: frozenset[str] = frozenset()
    files: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # relative path -> reason
    regular: dict[str, tuple[int, int]] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)  # matched files that are symlinks
    matched: set[str] = field(default_factory=set)  # every file matched, symlinks to matched files too

    def run(self) -> Walk:
        root = self.root.resolve()
        matches = glob_matcher(self.globs)
        found: set[str] = set()
        starts: list[str] = []
        for glob in self.globs:
            if not _WILDCARDS & set(glob):
                self._literal(root, glob, found)
            else:
                starts.append(_fixed_prefix(glob))
        walked: list[str] = []
        for start in sorted(set(starts), key=lambda s: (s.count("/"), s)):
            if any(w == "" or start.startswith(w + "/") for w in walked):
                continue  # inside a folder another glob walks
            walked.append(start)
            self._walk(root, start, matches, found)
        self.matched = found
        self.files = sorted(found - duplicate_links(root, found, self.links))
        return self

    def _left_out(self, relative: str, folder: bool = False) -> bool:
        """Excluded by the manifest, or ignored by git (the path or one of its folders)."""
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

    def _literal(self, root: Path, relative: str, found: set[str]) -> None:
        path = root / relative
        if not os.path.lexists(path) or self._excluded_anywhere(relative):
            return
        if not inside(root, path):
            self.unreadable[relative] = "leads outside the project (a symlink): the gate reads only inside it"
        elif path.is_dir():
            return  # a folder named without a wildcard matches no file
        else:
            found.add(relative)
            if path.is_symlink():
                self.links.add(relative)

    def _walk(self, root: Path, start: str, matches: Callable[[str], bool], found: set[str]) -> None:
        folder = root / start if start else root
        if not os.path.lexists(folder):
            return
        if not inside(root, folder):
            self.unreadable[start] = _OUTSIDE_FOLDER
            return
        if not folder.is_dir():
            return
        if start and self._excluded_anywhere(start):
            return
        pending = [(str(folder), start)]
        while pending:
            current, base = pending.pop()
            try:
                with os.scandir(current) as listing:
                    entries = list(listing)
            except OSError as error:
                where = Path(error.filename or current)
                try:
                    relative = where.resolve().relative_to(root).as_posix()
                except (ValueError, OSError, RuntimeError):
                    relative = str(where)
                self.unreadable[relative] = f"a folder that cannot be read ({error.strerror or error})"
                continue
            folders = []
            for entry in entries:
                name = entry.name
                relative = f"{base}/{name}" if base else name
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if name == ".git":
                        continue
                    if entry.is_symlink():
                        if not inside(root, Path(entry.path)):
                            self.unreadable[relative] = _OUTSIDE_FOLDER
                        continue  # a link inside the project: its folder is walked under its own name
                    if not self._left_out(relative, folder=True):
                        folders.append((entry.path, relative))
                    continue
                if not matches(relative) or self._left_out(relative):
                    continue
                if entry.is_symlink():
                    full = Path(entry.path)
                    if not inside(root, full):
                        reason = "leads outside the project (a symlink): the gate reads only inside it"
                        if not os.path.exists(full):
                            reason = "a symlink to nothing (or a symlink loop)"
                        self.unreadable[relative] = reason
                        continue
                    self.links.add(relative)
                else:
                    try:
                        info = entry.stat(follow_symlinks=False)
                        if stat.S_ISREG(info.st_mode):
                            self.regular[relative] = (info.st_dev, info.st_ino)
                    except OSError:
                        pass  # read through the checked path
                found.add(relative)
            pending.extend(sorted(folders, reverse=True))


def duplicate_links(root: Path, found: set[str], links: set[str]) -> set[str]:
    """Symlinks to files the globs match anyway: one file is read once, under its own name."""
    duplicates = set()
    for relative in links & found:
        try:
            target = (root / relative).resolve().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):
            continue
        if target in found and target != relative:
            duplicates.add(relative)
    return duplicates


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


class WorkingTree:
    """The files on disk under the project's root: walked once for every glob the project uses
    (`prepare`), leaving out what the manifest's `exclude` and git's ignore rules leave out."""

    def __init__(
        self,
        root: Path,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        exclude: Sequence[str] = (),
        gitignore: bool = True,
    ) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.exclude = tuple(exclude)
        self.gitignore = gitignore
        self.unreadable: dict[str, str] = {}
        self._ignored: frozenset[str] | None = None
        self._walks: list[Walk] = []
        self._matched: dict[tuple[str, ...], list[str]] = {}
        self._regular: dict[str, tuple[int, int]] = {}

    @property
    def ignored(self) -> frozenset[str]:
        if self._ignored is None:
            self._ignored = git_ignored(self.root) if self.gitignore else frozenset()
        return self._ignored

    def prepare(self, glob_sets: Sequence[Sequence[str]]) -> None:
        """Walk once for all these globs; `match` then tests each set against what was found."""
        union = tuple(dict.fromkeys(g for globs in glob_sets for g in globs))
        if union:
            self._walk(union)

    def _walk(self, globs: tuple[str, ...]) -> Walk:
        walk = Walk(self.root, globs, self.exclude, self.ignored).run()
        self.unreadable.update(walk.unreadable)
        self._regular.update(walk.regular)
        self._walks.append(walk)
        return walk

    def match(self, globs: Sequence[str]) -> list[str]:
        key = tuple(globs)
        if key not in self._matched:
            covering = next((w for w in self._walks if set(key) <= set(w.globs)), None)
            if covering is None:
                covering = self._walk(key)
            if covering.globs == key:
                self._matched[key] = covering.files
            else:
                matches = glob_matcher(key)
                found = {f for f in covering.matched if matches(f)}
                self._matched[key] = sorted(found - duplicate_links(self.root.resolve(), found, covering.links))
        return list(self._matched[key])

    def read(self, path: str) -> bytes:
        identity = self._regular.get(path)
        if identity is not None:
            data = _read_walked(self.root / path, identity, self.max_file_bytes)
            if data is not None:
                return data
        return read_inside(self.root, path, self.max_file_bytes)


def _read_walked(path: Path, identity: tuple[int, int], limit: int) -> bytes | None:
    """The bytes of a file the walk saw as a regular file inside the project, when it is still
    that very file (its device and inode, opened without following a symlink); None otherwise,
    and the caller reads it through every check (`read_inside`)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)
    if not getattr(os, "O_NOFOLLOW", 0):
        return None
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != identity or info.st_size > limit:
            return None
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, max(info.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _git() -> Any:
    from store_gate import git  # only a --base run reads a commit

    return git


class GitTree:
    """The files of the project's folder at a base commit, read from git objects by their ids:
    no path ever goes through git's line-based batch protocol, so a path with a newline or a
    space cannot shift one file's contents onto another.

    `prefetch` (the default: every matched file) says which matched files to read in the one
    batch `match` makes; the others are read on demand."""

    def __init__(
        self,
        base: git.BaseRevision,
        project_root: Path,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        exclude: Sequence[str] = (),
        prefetch: frozenset[str] | None = None,
    ) -> None:
        self.base = base
        self.max_file_bytes = max_file_bytes
        self.prefetch = prefetch
        prefix = project_root.resolve().relative_to(base.repository).as_posix()
        self._prefix = "" if prefix == "." else prefix + "/"
        self._entries = {
            entry.path[len(self._prefix) :]: entry for entry in _git().list_tree(base, self._prefix.rstrip("/"))
        }
        self._excluded = _excluder(exclude)
        self._contents: dict[str, bytes] = {}
        self.unreadable: dict[str, str] = {}

    def match(self, globs: Sequence[str]) -> list[str]:
        matches = glob_matcher(tuple(globs))
        found = sorted(p for p in self._entries if matches(p) and not self._excluded(p))
        for path in found:
            reason = self._refusal(path)
            if reason:
                self.unreadable[path] = reason
        readable = [p for p in found if p not in self.unreadable]
        unread = [p for p in readable if p not in self._contents and (self.prefetch is None or p in self.prefetch)]
        contents = _git().read_objects(self.base, sorted({self._entries[p].object for p in unread}))
        for path in unread:
            self._contents[path] = contents.get(self._entries[path].object, b"")
        return readable

    def _refusal(self, path: str) -> str | None:
        entry = self._entries[path]
        if entry.kind == "commit":
            return "a submodule (a gitlink) at the base: its files are another repository's"
        if entry.mode == "120000":
            return "a symlink at the base: the gate reads regular files only"
        if entry.kind != "blob":
            return f"not a file at the base ({entry.kind})"
        if entry.size is not None and entry.size > self.max_file_bytes:
            return f"too large to analyse at the base ({entry.size:,} bytes; the limit is {self.max_file_bytes:,})"
        return None

    def read(self, path: str) -> bytes:
        if path not in self._entries:
            raise Unreadable("missing at the base")
        reason = self._refusal(path)
        if reason:
            raise Unreadable(reason)
        if path not in self._contents:
            entry = self._entries[path]
            self._contents[path] = _git().read_objects(self.base, [entry.object]).get(entry.object, b"")
        return self._contents[path]

    def has(self, path: str) -> bool:
        return path in self._entries

    def readable(self, path: str) -> bool:
        """A regular file at the base, within the size limit (what `read` returns)."""
        return path in self._entries and self._refusal(path) is None
