"""Git at the edge: resolve the base of a comparison and read files from it, never checking out.

Every failure is a UsageError that says what to do: a base that does not resolve, a folder that
is not in a git repository, a shallow clone that lacks the merge-base.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from store_gate.errors import UsageError

if TYPE_CHECKING:
    import subprocess


def _git(cwd: Path, *args: str, input_bytes: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    import subprocess  # a run that compares with no base never starts git (nor imports this)

    early = _early.pop((str(cwd), args), None) if input_bytes is None else None
    if early is not None:
        stdout, stderr = early.communicate()
        return subprocess.CompletedProcess(early.args, early.returncode, stdout, stderr)
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=input_bytes,
            capture_output=True,
            check=False,
            env=_environment(),
        )
    except FileNotFoundError:
        raise UsageError("--base needs git, which is not installed or not on PATH") from None
    except OSError as exc:  # a pids limit, no memory: one line, not an internal error
        raise UsageError(f"--base needs git, which could not be started ({exc.strerror or exc})") from None


def _environment() -> dict[str, str]:  # read at each start: tests change os.environ
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


# Commands started ahead of their answer being needed, by (folder, arguments): `_git` finishes one
# when it is asked the same. Only for reads of a commit, whose answer cannot change meanwhile
# (never `git diff` against the work tree, which must run after the files were read).
_early: dict[tuple[str, tuple[str, ...]], subprocess.Popen[bytes]] = {}
_PIPE_BYTES = 1 << 20  # git writes this much before it waits for us to read (Linux)


def _start(cwd: Path, *args: str) -> None:
    import subprocess

    if (str(cwd), args) in _early:
        return
    try:
        process = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
        )
    except OSError:
        return  # asked again when needed, which says what is wrong
    if sys.platform.startswith("linux") and process.stdout is not None:
        import fcntl

        with contextlib.suppress(OSError):  # a listing larger than the pipe waits for us to read it
            fcntl.fcntl(process.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    _early[(str(cwd), args)] = process


def drop_early() -> None:
    """Stop what was started early and never asked for (a run that failed before it needed it)."""
    while _early:
        _, process = _early.popitem()
        with contextlib.suppress(OSError):
            process.kill()
        process.communicate()


def project_prefix(base: BaseRevision, project_root: Path) -> str:
    """The project's folder relative to the repository's top, "" for the top itself."""
    prefix = project_root.resolve().relative_to(base.repository).as_posix()
    return "" if prefix == "." else prefix


def start_listing(base: BaseRevision, project_root: Path) -> None:
    """Start `list_tree` of the project's folder now (the commit's files cannot change): git lists
    them while the working tree is checked, on another CPU."""
    try:
        prefix = project_prefix(base, project_root)
    except (OSError, ValueError):
        return  # not below the repository: the comparison says so when it lists the files
    _start(base.repository, "--literal-pathspecs", *_listing(base, prefix))


def _out(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stdout.decode("utf-8", "replace").strip()


@dataclass(frozen=True)
class BaseRevision:
    requested: str  # what the user (or the CI environment) named
    commit: str  # the merge-base of `requested` and HEAD
    repository: Path  # the repository's top folder
    source: str  # how the base was chosen: "--base", "GITHUB_BASE_REF", ...
    head: str = "HEAD"  # what it is the merge-base with

    @property
    def short(self) -> str:
        return self.commit[:12]

    def describe(self) -> str:
        return f"the merge-base of {self.requested} and {self.head} ({self.short}, from {self.source})"


def repository_root(folder: Path) -> Path:
    done = _git(folder, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise UsageError(f"--base: {folder} is not inside a git repository; run without --base, or from a clone")
    return Path(_out(done)).resolve()


def resolve_base(folder: Path, ref: str, source: str, head: str = "HEAD") -> BaseRevision:
    """The merge-base of `ref` and `head` (HEAD; the commit pushed, in a pre-push hook), as the
    comparison's base."""
    root = repository_root(folder)
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        hint = (
            f"fetch it first (git fetch origin {ref.removeprefix('origin/')})"
            if ref.startswith("origin/")
            else "name a branch, tag or commit that exists here"
        )
        raise UsageError(f"--base {ref}: does not resolve to a commit in {root}; {hint}")
    tip = _git(root, "rev-parse", "--verify", "--quiet", f"{head}^{{commit}}")
    if tip.returncode != 0:
        raise UsageError(f"--base {ref}: the repository {root} has no commit at {head} yet")
    merge_base = _git(root, "merge-base", _out(commit), _out(tip))
    if merge_base.returncode != 0:
        shallow = _out(_git(root, "rev-parse", "--is-shallow-repository")) == "true"
        if shallow:
            raise UsageError(
                f"--base {ref}: this clone is shallow and does not hold the merge-base of {ref} and {head}; "
                "fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)"
            )
        raise UsageError(f"--base {ref}: {ref} and {head} have no common ancestor")
    return BaseRevision(ref, _out(merge_base), root, source, head)


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # 100644, 100755, 120000 (symlink), 160000 (gitlink)
    kind: str  # blob, commit (a submodule), tree
    object: str
    size: int | None  # blobs only
    path: str  # repository-relative, posix


def list_tree(base: BaseRevision, prefix: str) -> list[TreeEntry]:
    """Every entry at the base commit below `prefix`: `ls-tree -r -l -z`, parsed exactly (a path
    may hold spaces, tabs and newlines; only NUL ends it)."""
    return _entries(base, _listing(base, prefix))


def _listing(base: BaseRevision, prefix: str) -> list[str]:
    return ["ls-tree", "-r", "-l", "-z", base.commit, *(["--", prefix] if prefix else [])]


def tree_entry(base: BaseRevision, path: str) -> TreeEntry | None:
    """The entry at `path` (repository-relative) in the base commit - a blob, a symlink, a
    folder (kind "tree") or a submodule - or None where there is none."""
    if not path:
        return TreeEntry("040000", "tree", "", None, "")
    found = _entries(base, ["ls-tree", "-l", "-z", base.commit, "--", path])
    return next((entry for entry in found if entry.path == path), None)


def _entries(base: BaseRevision, args: list[str]) -> list[TreeEntry]:
    # --literal-pathspecs: a path is a path, never a pattern (`*`, `:(glob)`)
    done = _git(base.repository, "--literal-pathspecs", *args)
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip()
        raise UsageError(f"--base: cannot list the files of {base.short}: {why}")
    entries = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        meta, tab, raw_path = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 4:
            raise UsageError(f"--base: cannot read git's listing of {base.short} (an entry without a path)")
        mode, kind, sha, size = (f.decode("ascii", "replace") for f in fields)
        path = raw_path.decode("utf-8", "surrogateescape")
        entries.append(TreeEntry(mode, kind, sha, int(size) if size.isdigit() else None, path))
    return entries


def changed_paths(base: BaseRevision, prefix: str, commit: str | None = None) -> frozenset[str] | None:
    """The files below `prefix` (repository-relative, posix) whose content in the work tree (or in
    `commit`: the commit pushed) is not the base commit's: `git diff --name-only` between them,
    staged or not (a file that is new, removed or renamed is changed under each of its names).
    None when git cannot say: then every file counts as changed."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", base.commit]
    if commit is not None:
        args.append(commit)
    if prefix:
        args += ["--", prefix]
    done = _git(base.repository, *args)
    if done.returncode != 0:
        return None
    return frozenset(raw.decode("utf-8", "surrogateescape") for raw in done.stdout.split(b"\0") if raw)


def read_objects(base: BaseRevision, objects: list[str]) -> dict[str, bytes]:
    """The contents of blobs by object id, in one `git cat-file --batch` process. Requests are
    object ids, never paths, and every answer is checked against the id asked for."""
    if not objects:
        return {}
    request = "".join(f"{sha}\n" for sha in objects).encode("ascii")
    done = _git(base.repository, "cat-file", "--batch", input_bytes=request)
    if done.returncode != 0:
        raise UsageError(f"--base: cannot read files of {base.short}: {done.stderr.decode(errors='replace').strip()}")
    contents: dict[str, bytes] = {}
    data, pos = done.stdout, 0
    for sha in objects:
        end = data.find(b"\n", pos)
        if end < 0:
            raise UsageError(f"--base: git's answer for {sha[:12]} ends early")
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 2 and header[1] == b"missing":
            continue
        if len(header) != 3 or header[0].decode("ascii", "replace") != sha:
            raise UsageError(f"--base: git answered another object than {sha[:12]}")
        size = int(header[2])
        contents[sha] = data[pos : pos + size]
        pos += size + 1  # the content is followed by a newline
    return contents


def _has_staged_changes(root: Path) -> bool:
    done = _git(root, "diff", "--cached", "--quiet", "--no-ext-diff")
    if done.returncode > 1:
        raise UsageError(f"cannot tell what is staged in {root}: {done.stderr.decode(errors='replace').strip()}")
    return done.returncode == 1


def _pre_commit_base(folder: Path) -> BaseRevision | None:
    """Inside pre-commit: with `--from-ref`/`--to-ref` (pre-push, or a range run by hand) the
    from-ref; for a commit with staged changes, HEAD (what is being committed is the change).
    `pre-commit run --all-files` with nothing staged, an empty commit, a new branch pushed: no
    base - every method is checked, never HEAD against HEAD."""
    from_ref, to_ref = _pre_commit_range()
    if from_ref and to_ref:
        if set(from_ref) == {"0"}:
            return None  # a branch new to the remote: nothing to compare with
        return resolve_base(folder, from_ref, "pre-commit --from-ref", head=to_ref)
    root = repository_root(folder)
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        return None  # the repository's first commit: nothing existed before it
    if not _has_staged_changes(root):
        return None
    return resolve_base(folder, "HEAD", "pre-commit")


def _pre_commit_range() -> tuple[str | None, str | None]:
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF") or os.environ.get("PRE_COMMIT_SOURCE")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT_ORIGIN")
    return from_ref, to_ref


def checked_commit(folder: Path) -> BaseRevision | None:
    """The commit whose tree is checked instead of the working tree: inside pre-commit with a
    range (`pre-push`, or `--from-ref`/`--to-ref` by hand), the to-ref - what is pushed, which
    need not be what is checked out. None elsewhere: the working tree is checked."""
    if os.environ.get("PRE_COMMIT") != "1":
        return None
    from_ref, to_ref = _pre_commit_range()
    if not (from_ref and to_ref):
        return None
    root = repository_root(folder)
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{to_ref}^{{commit}}")
    if commit.returncode != 0:
        raise UsageError(f"pre-commit --to-ref {to_ref}: does not resolve to a commit in {root}")
    return BaseRevision(to_ref, _out(commit), root, "pre-commit --to-ref", to_ref)


def choose_base(folder: Path, explicit: str | None) -> BaseRevision | None:
    """The base of the comparison: `--base REF`; else, in a GitHub Actions pull-request run or a
    GitLab merge-request pipeline, the target branch; else, inside a pre-commit hook, HEAD for a
    commit with staged changes (or the from-ref of a range). None outside those: no comparison,
    every method is checked.
    """
    if explicit is not None:
        pushed = checked_commit(folder)
        return resolve_base(folder, explicit, "--base", head=pushed.requested if pushed else "HEAD")
    if os.environ.get("GITHUB_ACTIONS") == "true" and os.environ.get("GITHUB_BASE_REF"):
        return resolve_base(folder, f"origin/{os.environ['GITHUB_BASE_REF']}", "GITHUB_BASE_REF")
    if os.environ.get("GITLAB_CI") == "true" and os.environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"):
        target = os.environ["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"]
        return resolve_base(folder, f"origin/{target}", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    if os.environ.get("PRE_COMMIT") == "1":
        return _pre_commit_base(folder)
    return None
