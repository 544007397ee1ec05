"""The real `pre-commit try-repo` runs the hook this repository publishes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

yaml = pytest.importorskip("yaml")

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


def _readme_pre_commit_snippet() -> str:
    """The `.pre-commit-config.yaml` the README's "pre-commit" section tells users to write."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("\n## pre-commit\n") :]
    section = section[: section.index("\n## ", 1)]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match, "the pre-commit section shows a .pre-commit-config.yaml"
    return match.group(1)


def _head() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()


def _project(tmp_path: Path, config: str) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "store-gate.toml").write_text(MANIFEST)
    (project / "src" / "store.rs").write_text(STORE)
    (project / ".pre-commit-config.yaml").write_text(config)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return project, env


def test_readme_pre_commit_snippet_pinned_to_head_installs_and_gates(tmp_path: Path) -> None:
    """The README's snippet, its repo this repository and its rev the HEAD commit (committed code)."""
    if not (REPO / ".git").exists():
        pytest.skip("the hook is installed from this repository's git history")
    snippet = _readme_pre_commit_snippet()
    config = yaml.safe_load(snippet)
    (repo,) = config["repos"]
    assert [hook["id"] for hook in repo["hooks"]] == ["store-gate"]
    assert not re.fullmatch(r"v\d.*", str(repo["rev"])), "no tag exists to pin to: the README pins a commit SHA"
    repo["repo"], repo["rev"] = str(REPO), _head()
    project, env = _project(tmp_path, yaml.safe_dump(config))
    command = [*_pre_commit(), "run", "--all-files"]

    failing = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "src/store.rs:4:8: SG101 DialogueStore.list_rounds has no access pattern" in failing.stdout

    with (project / "store-gate.toml").open("a") as manifest:
        manifest.write(DECLARATION)
    _git(project, "add", ".")
    passing = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "store-gate (access patterns of storage traits)" in passing.stdout and "Passed" in passing.stdout


def test_autoupdate_freeze_pins_the_readme_snippet_to_a_commit(tmp_path: Path) -> None:
    """With no tags, `pre-commit autoupdate --freeze` writes the newest commit's SHA into `rev`."""
    if not (REPO / ".git").exists():
        pytest.skip("autoupdate reads this repository's git history")
    readme = (REPO / "README.md").read_text()
    assert "`pre-commit autoupdate --freeze`" in readme[readme.index("\n## pre-commit\n") :]
    snippet = _readme_pre_commit_snippet()
    (repo,) = yaml.safe_load(snippet)["repos"]
    assert not re.fullmatch(r"v\d.*", str(repo["rev"])), "no tag exists to pin to: the README pins a commit SHA"
    url = repo["repo"]
    project, env = _project(tmp_path, snippet.replace(url, str(REPO)))

    done = subprocess.run(
        [*_pre_commit(), "autoupdate", "--freeze"], cwd=project, capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (rev,) = re.findall(r"^\s+rev: (\S+)(.*)$", (project / ".pre-commit-config.yaml").read_text(), re.M)
    tags = subprocess.run(["git", "tag"], cwd=REPO, check=True, capture_output=True, text=True).stdout.split()
    if tags:  # once releases are tagged: the newest tag, as a SHA, named in a comment
        assert re.fullmatch(r"[0-9a-f]{40}", rev[0]) and "# frozen: v" in rev[1]
    else:
        assert rev[0] == _head()
