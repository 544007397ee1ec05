"""What the gate walks, reads and parses - never timings: which files, how many times.

Prefilters may only skip files that cannot matter; these tests pin both halves: the file that
cannot matter is not parsed, the file that can is, and the findings stay what they were.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import TABLE, Gate

from store_gate.errors import ConfigError

DECLARED = """
[access.DialogueStore.get_dialogue]
op = "GetItem"
entity = "Dialogue"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
"""
STORE = """
pub trait DialogueStore {
    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
}
"""
UNDECLARED_COPY = """
pub trait DialogueStore {
    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
    fn list_everything(&self) -> Result<Vec<Dialogue>>;
}
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(root),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    return done.stdout.strip()


# Walking ---------------------------------------------------------------------------------------


def test_the_tree_is_walked_once_for_every_store_and_boundary(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    from store_gate import sources

    walks: list[tuple[str, ...]] = []
    real = sources.Walk.run

    def walking(self: sources.Walk) -> sources.Walk:
        walks.append(self.globs)
        return real(self)

    monkeypatch.setattr(sources.Walk, "run", walking)
    gate.manifest(
        DECLARED,
        '\n[[store]]\ntrait = "OtherStore"\npaths = ["lib/**/*.rs"]\n'
        '\n[[store]]\ntrait = "ThirdStore"\npaths = ["src/**/*.rs"]\n'
        '\n[boundaries]\npaths = ["src/**/*.rs", "lib/**/*.rs", "src/**/*.rs"]\n',
    )
    gate.write("src/store.rs", STORE)
    gate.write("lib/other.rs", "pub trait OtherStore {}\n")
    gate.write("lib/third.rs", "pub trait ThirdStore {}\n")
    assert gate.codes() == ["SG001"]  # ThirdStore is in lib/, outside its paths: still found missing
    assert walks == [("src/**/*.rs", "lib/**/*.rs")], "one walk, every glob once"


def manifest_with(gate: Gate, top: str, extra: str = "") -> None:
    """A manifest with top-level keys of its own (`exclude = [...]`) before its tables."""
    head = f'version = 1\n{top}\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/**/*.rs"]\n'
    gate.write("store-gate.toml", head + TABLE + DECLARED + extra)


def test_exclude_leaves_files_and_folders_out_of_every_glob(gate: Gate) -> None:
    manifest_with(
        gate,
        'exclude = ["src/generated/**", "**/vendor"]',
        '\n[boundaries]\n[boundaries.backends.sqlite]\nallow = ["src/db.rs"]\n',
    )
    gate.write("src/store.rs", STORE)
    gate.write("src/generated/copy.rs", UNDECLARED_COPY)
    gate.write("src/deep/vendor/leak.rs", "use rusqlite::Connection;\n")
    gate.write("src/leak.rs", "use rusqlite::Connection;\n")
    assert [(f.code, f.path) for f in gate.findings()] == [("SG501", "src/leak.rs")]


def test_exclude_is_validated_like_every_glob(gate: Gate) -> None:
    manifest_with(gate, 'exclude = ["../elsewhere/**"]')
    gate.write("src/store.rs", STORE)
    with pytest.raises(ConfigError) as raised:
        gate.run()
    assert "exclude[0]" in str(raised.value) and "leaves the manifest's folder" in str(raised.value)


def test_what_git_ignores_is_not_read_but_a_tracked_file_is(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    gate.write(".gitignore", "src/build/\n*.generated.rs\n")
    gate.write("src/build/copy.rs", UNDECLARED_COPY)
    gate.write("src/other.generated.rs", UNDECLARED_COPY)
    gate.write("src/tracked.generated.rs", UNDECLARED_COPY.replace("list_everything", "list_tracked"))
    assert gate.codes() == ["SG101"] * 3, "outside a git work tree, .gitignore is a file like any other"
    git(gate.root, "init", "-q", "-b", "main")
    git(gate.root, "add", "-f", "src/tracked.generated.rs")
    found = gate.findings()
    assert [(f.code, f.path, f.method) for f in found] == [("SG101", "src/tracked.generated.rs", "list_tracked")]


def test_a_folder_a_glob_names_is_read_even_when_git_ignores_it(gate: Gate) -> None:
    gate.manifest(DECLARED, paths='["generated/**/*.rs", "src/**/*.rs"]')
    gate.write(".gitignore", "generated/\nsrc/out/\n")
    gate.write("generated/store.rs", STORE)
    gate.write("src/out/copy.rs", UNDECLARED_COPY)
    git(gate.root, "init", "-q", "-b", "main")
    assert gate.codes() == [], "generated/ is named by a glob: read; src/out/ is not: ignored"
