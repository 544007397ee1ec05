"""The ready-made CI: the GitHub composite action's own script and the GitLab job."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO

yaml = pytest.importorskip("yaml")


def _action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "action.yml").read_text())


def test_action_steps_install_check_upload_and_fail_last() -> None:
    steps = _action()["runs"]["steps"]
    names = [s.get("name") or s.get("uses") for s in steps]
    assert names == [
        "actions/setup-python@v5",
        "Install store-gate",
        "Check the access patterns",
        "Upload SARIF to code scanning",
        "Verdict",
    ]
    assert steps[3]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "always()" in steps[3]["if"]
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env, never by expansion"


@pytest.mark.parametrize(("project", "expected"), [("blue", "0"), ("broken", "1")])
def test_action_check_script_keeps_the_exit_code_and_writes_sarif(tmp_path: Path, project: str, expected: str) -> None:
    copy = tmp_path / "work"
    shutil.copytree(EXAMPLE, copy)
    if project == "broken":
        reads = copy / "src" / "store" / "reads.rs"
        reads.write_text(
            reads.read_text().replace("pub trait DialogueReads {", "pub trait DialogueReads {\n    fn fresh(&self);")
        )
    (check,) = [s for s in _action()["runs"]["steps"] if s.get("id") == "gate"]
    output = tmp_path / "github_output"
    summary = tmp_path / "summary.md"
    bin_dir = Path(sys.executable).parent  # where this environment installed store-gate
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "INPUT_PATH": ".",
        "INPUT_BASE": "",
        "INPUT_SARIF": "store-gate.sarif",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTIONS": "true",
    }
    done = subprocess.run(
        ["bash", "-e", "-c", check["run"]], cwd=copy, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert output.read_text().strip() == f"exit-code={expected}"
    assert json.loads((copy / "store-gate.sarif").read_text())["version"] == "2.1.0"
    assert summary.read_text().startswith("## store-gate: gate")


def test_gitlab_job_reports_code_quality() -> None:
    job = yaml.safe_load((REPO / "ci" / "store-gate.gitlab-ci.yml").read_text())["store-gate"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality.json"
    assert "--output gitlab=gl-code-quality.json" in " ".join(job["script"])
    assert job["variables"]["GIT_DEPTH"] == 0


def test_gitlab_merge_request_base_is_detected(tmp_path: Path) -> None:
    from conftest import run_cli
    from test_diff import LEGACY_METHODS, NEW_METHOD, Repo, git

    repo = Repo(tmp_path)
    git(repo.root, "update-ref", "refs/remotes/origin/main", "main")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("feature")
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "GITHUB_ACTIONS": ""}
    result = run_cli("check", "--format", "gitlab", cwd=repo.root, env=env)
    assert [i["check_name"] for i in json.loads(result.stdout)] == ["SG101"]


def test_minimum_constraints_pin_exactly_the_dependency_floors() -> None:
    """constraints/minimum.txt is pyproject.toml's floors, and .ci/run runs the suite on them."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from store_gate.config.toml_lines import loads

    floors: dict[str, set[str]] = {}
    for text in loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]:
        requirement = Requirement(text)
        lows = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert len(lows) == 1, f"{text}: one >= floor"
        floors.setdefault(canonicalize_name(requirement.name), set()).add(lows[0])
    pins: dict[str, set[str]] = {}
    for line in (REPO / "constraints" / "minimum.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, equals, version = line.partition("==")
            assert equals, f"{line}: an exact pin"
            pins.setdefault(canonicalize_name(name), set()).add(version.strip())
    assert pins == floors
    run = (REPO / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[dev]' -c constraints/minimum.txt" in run
