"""The real `pre-commit try-repo` runs the hook this repository publishes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

MANIFEST = textwrap.dedent(
    """
    version = 1

    [[store]]
    trait = "DialogueStore"
    paths = ["src/**/*.rs"]

    [table]
    partition_key = { name = "pk", type = "S" }
    sort_key = { name = "sk", type = "S" }

    [entity.Dialogue]
    pk = "DIALOGUE#{dialogue_id}"
    sk = "META"

    [access.DialogueStore.get_dialogue]
    op = "GetItem"
    entity = "Dialogue"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
    """
)
STORE = textwrap.dedent(
    """
    pub trait DialogueStore {
        fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        fn list_rounds(&self, dialogue_id: &DialogueId, cursor: Option<Cursor>) -> Result<Vec<Round>>;
    }
    """
)
DECLARATION = textwrap.dedent(
    """
    [access.DialogueStore.list_rounds]
    op = "Query"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
    page = "cursor"
    """
)


def _pre_commit() -> list[str]:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if exe is None:
        pytest.skip("the pre-commit executable is not installed (pip install -e '.[dev]')")
    return [exe]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_pre_commit_try_repo_fails_on_an_undeclared_method_then_passes(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("try-repo needs this repository as a git checkout")
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "store-gate.toml").write_text(MANIFEST)
    (project / "src" / "store.rs").write_text(STORE)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    command = [*_pre_commit(), "try-repo", str(REPO), "store-gate", "--all-files"]

    failing = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "src/store.rs:4:8: SG101 DialogueStore.list_rounds has no access pattern" in failing.stdout

    with (project / "store-gate.toml").open("a") as manifest:
        manifest.write(DECLARATION)
    _git(project, "add", ".")
    passing = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
