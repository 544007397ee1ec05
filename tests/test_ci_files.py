"""The ready-made CI: the GitHub composite action's own script and the GitLab job."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO

yaml = pytest.importorskip("yaml")


def _action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "action.yml").read_text())


def _step(key: str) -> dict:  # type: ignore[type-arg]
    (step,) = [s for s in _action()["runs"]["steps"] if key in (s.get("id"), s.get("name"))]
    return step


@dataclass
class Ran:
    """A step's script run the way the runner runs `shell: bash`, and what it left behind."""

    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    def annotations(self, kind: str = "error") -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith(f"::{kind} ")]


def _run_step(key: str, tmp_path: Path, cwd: Path, env: dict[str, str]) -> Ran:
    output, summary = tmp_path / "github_output", tmp_path / "step_summary.md"
    output.write_text("")
    summary.write_text("")
    (tmp_path / "runner_temp").mkdir(exist_ok=True)
    full_env = {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path / "runner_temp"),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        **env,
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step(key)["run"]],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return Ran(done.returncode, done.stdout, done.stderr, outputs, summary.read_text())


def _fake(tmp_path: Path, name: str, script: str) -> Path:
    path = tmp_path / "fake" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + textwrap.dedent(script))
    path.chmod(0o755)
    return path


def _check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[dev]')")
    # The vendored schemas ship inside check-jsonschema: no network is needed.
    return subprocess.run(
        [exe, "--builtin-schema", schema, str(path)], capture_output=True, text=True, check=False, timeout=120
    )


def test_gitlab_template_is_valid_for_the_gitlab_ci_schema(tmp_path: Path) -> None:
    template = REPO / "ci" / "store-gate.gitlab-ci.yml"
    done = _check_jsonschema("vendor.gitlab-ci", template)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = yaml.safe_load(template.read_text())
    broken["store-gate"]["cache"]["when"] = "sometimes"
    (tmp_path / "template.yml").write_text(yaml.safe_dump(broken))
    assert _check_jsonschema("vendor.gitlab-ci", tmp_path / "template.yml").returncode == 1


def test_action_steps_install_check_upload_and_fail_last() -> None:
    steps = _action()["runs"]["steps"]
    assert [s["name"] for s in steps] == [
        "Set up Python",
        "Prepare the environment",
        "Restore pip's cache",
        "Install store-gate",
        "Save pip's cache",
        "Check the access patterns",
        "Upload SARIF to code scanning",
        "Report a failed upload",
        "Verdict",
    ]
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env, never by expansion"
        # The caller's environment is theirs: no step puts anything on its PATH or in its env.
        assert "GITHUB_PATH" not in step.get("run", "") and "GITHUB_ENV" not in step.get("run", "")


def test_action_is_valid_and_pins_every_action_by_commit_sha_with_its_version(tmp_path: Path) -> None:
    done = _check_jsonschema("vendor.github-actions", REPO / "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    # ... and the linter does bite: a step the runner would reject is reported.
    broken = _action()
    broken["runs"]["steps"][0]["continue-on-eror"] = True
    (tmp_path / "action.yml").write_text(yaml.safe_dump(broken))
    assert _check_jsonschema("vendor.github-actions", tmp_path / "action.yml").returncode == 1

    lines = [line for line in (REPO / "action.yml").read_text().splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert len(lines) == 4
    for line in lines:
        assert re.fullmatch(r"\s*(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line
    pinned = {step["uses"].split("@")[0] for step in _action()["runs"]["steps"] if "uses" in step}
    assert pinned == {
        "actions/setup-python",
        "actions/cache/restore",
        "actions/cache/save",
        "github/codeql-action/upload-sarif",
    }


def test_action_python_leaves_the_callers_python_alone() -> None:
    python = _step("python")
    assert python["with"]["update-environment"] is False
    install = _step("install")
    assert install["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert install["env"]["VENV"] == "${{ steps.prepare.outputs.venv }}"
    assert install["env"]["PIP_CACHE_DIR"] == "${{ steps.prepare.outputs.pip-cache }}"
    assert _step("prepare")["env"]["ROOT"] == "${{ runner.temp }}/store-gate"
    assert _step("gate")["env"]["STORE_GATE"] == "${{ steps.install.outputs.store-gate }}"


def test_action_prepare_keys_pips_cache_on_the_actions_pyproject(tmp_path: Path) -> None:
    env = {"ACTION_PATH": str(REPO), "PYTHON_VERSION": "3.12.7", "ROOT": str(tmp_path / "runner_temp" / "store-gate")}
    ran = _run_step("prepare", tmp_path, tmp_path, env)
    assert ran.returncode == 0, ran.stderr
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]
    assert ran.outputs == {
        "key": f"store-gate-pip-Linux-X64-py3.12.7-{digest}",
        "restore-key": "store-gate-pip-Linux-X64-py3.12.7-",
        "pip-cache": f"{tmp_path}/runner_temp/store-gate/pip-cache",
        "venv": f"{tmp_path}/runner_temp/store-gate/venv",
    }
    restore, save = _step("pip-cache"), _step("Save pip's cache")
    for cache in (restore, save):
        assert cache["with"]["path"] == "${{ steps.prepare.outputs.pip-cache }}"
        assert cache["with"]["key"] == "${{ steps.prepare.outputs.key }}"
    assert restore["with"]["restore-keys"] == "${{ steps.prepare.outputs.restore-key }}"
    # saved right after the install (a job failing on findings keeps it), never failing the job
    assert save["if"] == "${{ steps.pip-cache.outputs.cache-hit != 'true' }}"
    assert save["continue-on-error"] is True


def test_action_installs_store_gate_into_a_venv_of_its_own(tmp_path: Path) -> None:
    log = tmp_path / "python.log"
    python = _fake(
        tmp_path,
        "python3.12",
        f"""
        # `-m venv --clear DIR` makes DIR/bin/python, which logs what pip is asked
        echo "python $*" >> {log}
        venv="${{@: -1}}"
        mkdir -p "$venv/bin"
        printf '#!/usr/bin/env bash\\necho "venv-python $* PIP_CACHE_DIR=$PIP_CACHE_DIR" >> {log}\\n' > "$venv/bin/python"
        chmod +x "$venv/bin/python"
        """,
    )
    venv, cache = tmp_path / "runner_temp" / "store-gate" / "venv", tmp_path / "runner_temp" / "store-gate" / "pip"
    env = {"ACTION_PATH": str(REPO), "PYTHON": str(python), "VENV": str(venv), "PIP_CACHE_DIR": str(cache)}
    ran = _run_step("install", tmp_path, tmp_path, env)
    assert ran.returncode == 0, ran.stderr
    assert log.read_text().splitlines() == [
        f"python -m venv --clear {venv}",
        f"venv-python -m pip install --quiet {REPO} PIP_CACHE_DIR={cache}",
    ]
    assert ran.outputs == {"store-gate": f"{venv}/bin/store-gate"}


def _verdict(tmp_path: Path, code: str) -> int:
    """The last step: the job's exit code is the gate's (3 when the gate step never said)."""
    return _run_step("Verdict", tmp_path, tmp_path, {"CODE": code}).returncode


def _gate_env(**inputs: str) -> dict[str, str]:
    store_gate = Path(sys.executable).parent / "store-gate"  # where this environment installed it
    return {
        "STORE_GATE": str(store_gate),
        "INPUT_PATH": ".",
        "INPUT_BASE": "",
        "INPUT_SARIF": "store-gate.sarif",
        "INPUT_CATEGORY": "",
        **inputs,
    }


@pytest.mark.parametrize(("project", "expected"), [("blue", "0"), ("broken", "1")])
def test_action_check_script_keeps_the_exit_code_and_writes_sarif(tmp_path: Path, project: str, expected: str) -> None:
    copy = tmp_path / "work"
    shutil.copytree(EXAMPLE, copy)
    if project == "broken":
        reads = copy / "src" / "store" / "reads.rs"
        reads.write_text(
            reads.read_text().replace("pub trait DialogueReads {", "pub trait DialogueReads {\n    fn fresh(&self);")
        )
    (copy / "store-gate.sarif").write_text("stale")
    ran = _run_step("gate", tmp_path, copy, _gate_env())
    assert ran.returncode == 0, ran.stderr
    assert ran.outputs == {"exit-code": expected, "category": "store-gate", "sarif-written": "true"}
    assert json.loads((copy / "store-gate.sarif").read_text())["version"] == "2.1.0"
    assert ran.summary.startswith("## store-gate: gate")
    assert _verdict(tmp_path, ran.outputs["exit-code"]) == int(expected)
    if project == "broken":
        assert [a.split("::")[1] for a in ran.annotations()] == [
            "error file=src/store/reads.rs,line=8,col=8,title=SG101"
        ]
    else:
        assert ran.annotations() == []


BROKEN_MANIFEST = """version = 1

[[store]]
trait = "DialogueStore"
paths = ["src/**/*.rs"]

[table]
partition_key = { name = "pk", type = "Q" }

[access.DialogueStore.get]
op = "GetIt"
"""


def test_action_broken_manifest_annotates_each_problem_and_says_the_gate_could_not_run(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "services" / "dialogue" / "src").mkdir(parents=True)
    (work / "services" / "dialogue" / "store-gate.toml").write_text(BROKEN_MANIFEST)
    (work / "services" / "dialogue" / "src" / "store.rs").write_text(
        "pub trait DialogueStore {\n    fn get(&self);\n}\n"
    )
    ran = _run_step("gate", tmp_path, work, _gate_env(INPUT_PATH="services/dialogue/"))
    assert ran.returncode == 0, ran.stderr  # the verdict step fails the job, after the upload
    assert ran.outputs == {"exit-code": "2", "category": "store-gate/services/dialogue", "sarif-written": "false"}
    title = "title=store-gate could not run"
    first, second = ran.annotations()
    assert first == (
        f"::error file=services/dialogue/store-gate.toml,line=8,{title}::"
        "table.partition_key.type: Input should be 'S', 'N' or 'B' (got \"Q\")"
    )
    assert second.startswith(
        f"::error file=services/dialogue/store-gate.toml,line=11,{title}::access.DialogueStore.get.op: Input should be"
    )
    assert second.endswith('(got "GetIt")')
    assert ran.summary.startswith("## store-gate: the gate could not run\n")
    assert "the configuration or the command line is invalid (exit 2)" in ran.summary
    assert "invalid config: services/dialogue/store-gate.toml:8: table.partition_key.type:" in ran.summary
    assert "invalid config: services/dialogue/store-gate.toml:8:" in ran.stderr  # still in the log
    assert _verdict(tmp_path, ran.outputs["exit-code"]) == 2


def test_action_annotations_escape_what_store_gate_prints(tmp_path: Path) -> None:
    fake = _fake(
        tmp_path,
        "store-gate",
        """
        echo 'invalid config: a,b:c.toml: limits: 100% too many'
        echo 'invalid config: x.toml:3: key: 50% off, twice' >&2
        echo 'invalid config: y.toml: no [table] and no from' >&2
        echo 'store-gate: --base: unknown revision' >&2
        exit 2
        """,
    )
    ran = _run_step("gate", tmp_path, tmp_path, _gate_env(STORE_GATE=str(fake), INPUT_CATEGORY="mine"))
    assert ran.returncode == 0, ran.stderr
    assert ran.outputs["category"] == "mine"
    title = "title=store-gate could not run"
    assert ran.annotations() == [
        f"::error file=x.toml,line=3,{title}::key: 50%25 off, twice",
        f"::error file=y.toml,{title}::no [table] and no from",
        f"::error {title}::store-gate: --base: unknown revision",
    ]


def test_action_internal_error_says_the_gate_could_not_run(tmp_path: Path) -> None:
    fake = _fake(tmp_path, "store-gate", "echo 'store-gate: internal error: KeyError (please report it)' >&2\nexit 3\n")
    ran = _run_step("gate", tmp_path, tmp_path, _gate_env(STORE_GATE=str(fake)))
    assert ran.returncode == 0, ran.stderr
    assert ran.outputs["exit-code"] == "3"
    assert ran.annotations() == [
        "::error title=store-gate could not run::store-gate: internal error: KeyError (please report it)"
    ]
    assert "stopped on an internal error (exit 3)" in ran.summary
    assert _verdict(tmp_path, ran.outputs["exit-code"]) == 3
    assert _verdict(tmp_path, "") == 3


def test_action_sarif_upload_never_fails_the_job_and_says_why(tmp_path: Path) -> None:
    upload = _step("upload")
    assert upload["continue-on-error"] is True
    assert upload["if"] == (
        "${{ always() && inputs.upload-sarif == 'true' && steps.gate.outputs.sarif-written == 'true' }}"
    )
    assert upload["with"] == {"sarif_file": "${{ inputs.sarif }}", "category": "${{ steps.gate.outputs.category }}"}
    assert set(_action()["inputs"]) >= {"upload-sarif", "category"}
    report = _step("Report a failed upload")
    assert report["if"] == "${{ always() && steps.upload.outcome == 'failure' }}"
    ran = _run_step("Report a failed upload", tmp_path, tmp_path, {"CATEGORY": "store-gate/services/dialogue"})
    assert ran.returncode == 0, ran.stderr
    (notice,) = ran.annotations("notice")
    assert notice.startswith("::notice title=store-gate%3A SARIF not uploaded::The SARIF upload to code scanning")
    assert "security-events: write" in notice and "actions: read" in notice and "upload-sarif: false" in notice
    assert "store-gate/services/dialogue" in ran.summary


def test_gitlab_job_reports_code_quality() -> None:
    job = yaml.safe_load((REPO / "ci" / "store-gate.gitlab-ci.yml").read_text())["store-gate"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality.json"
    assert "--output gitlab=gl-code-quality.json" in " ".join(job["script"])
    assert job["variables"]["GIT_DEPTH"] == 0


def _gitlab_job() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "ci" / "store-gate.gitlab-ci.yml").read_text())["store-gate"]


def test_gitlab_job_installs_from_git_at_a_pinned_ref_with_pips_cache_kept() -> None:
    job = _gitlab_job()
    lines = [*job["before_script"], *job["script"]]
    # an image that has git (pip installs from a git URL); nothing installed by apt on each run
    assert job["image"] == "python:3.12-bookworm"
    assert not any("apt-get" in line for line in lines)
    # this repository's git URL at a ref given as a variable, into a venv; never a package-index name
    (install,) = [line for line in lines if "pip install" in line]
    assert (
        install == '"$STORE_GATE_VENV/bin/python" -m pip install --quiet "git+$STORE_GATE_REPOSITORY@$STORE_GATE_REF"'
    )
    assert job["variables"]["STORE_GATE_REPOSITORY"].endswith("/store-gate.git")
    assert job["variables"]["STORE_GATE_REF"] == ""  # required: the job says so when it is not set
    assert 'python -m venv "$STORE_GATE_VENV"' in lines
    # pip's cache inside the project (where GitLab caches), kept even when the gate fails
    assert job["variables"]["PIP_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/store-gate-pip"
    assert job["cache"] == {
        "key": "store-gate-pip-$STORE_GATE_REF",
        "paths": [".cache/store-gate-pip"],
        "when": "always",
    }
    # the gate's own cache is never carried between pipelines
    (gate,) = job["script"]
    assert '/bin/store-gate" check --no-cache ' in gate


def _expand(value: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), value)


def _gitlab_env(project: Path, **overrides: str) -> dict[str, str]:
    """The job's variables as GitLab sets them (predefined ones first, then the job's, expanded)."""
    env = {
        **os.environ,
        "GITLAB_CI": "true",
        "GITHUB_ACTIONS": "",
        "CI_PROJECT_DIR": str(project),
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    }
    # the image's `python`: this test's interpreter
    shim = project.parent / "image-bin"
    shim.mkdir(exist_ok=True)
    if not (shim / "python").exists():
        (shim / "python").symlink_to(sys.executable)
    env["PATH"] = f"{shim}{os.pathsep}{env['PATH']}"
    for name, value in _gitlab_job()["variables"].items():
        env[name] = _expand(str(value), env)
    env.update(overrides)
    return env


def _gitlab_run(lines: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Script lines as the runner runs them: one shell, stopping at the first line that fails."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_gitlab_job_without_a_ref_says_so_and_installs_nothing(tmp_path: Path) -> None:
    env = _gitlab_env(tmp_path, STORE_GATE_VENV=str(tmp_path / "venv"))
    done = _gitlab_run(_gitlab_job()["before_script"], tmp_path, env)
    assert done.returncode == 2
    assert "set STORE_GATE_REF to the commit (full SHA) of store-gate to install" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_gitlab_job_lines_install_from_git_and_gate_a_merge_request(tmp_path: Path) -> None:
    """The template's lines in bash: store-gate from this repository's HEAD commit (committed code)."""
    from test_diff import LEGACY_METHODS, NEW_METHOD, Repo, git

    if not (REPO / ".git").exists():
        pytest.skip("the job installs store-gate from this repository's git history")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, check=True, capture_output=True, text=True)
    (tmp_path / "origin").mkdir()
    origin = Repo(tmp_path / "origin")  # the target branch, main, with legacy methods only
    project = tmp_path / "project"
    git(tmp_path, "clone", "-q", str(origin.root), str(project))
    git(project, "checkout", "-q", "-b", "feature")
    venv = tmp_path / "venv"
    env = _gitlab_env(
        project, STORE_GATE_REPOSITORY=f"file://{REPO}", STORE_GATE_REF=head.stdout.strip(), STORE_GATE_VENV=str(venv)
    )
    job = _gitlab_job()

    installed = _gitlab_run(job["before_script"], project, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (venv / "bin" / "store-gate").exists()
    assert (project / ".cache" / "store-gate-pip").is_dir()  # what GitLab's cache: keeps
    report = project / "gl-code-quality.json"

    passing = _gitlab_run(job["script"], project, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert json.loads(report.read_text()) == []

    (project / "src" / "store.rs").write_text("pub trait DialogueStore {\n" + LEGACY_METHODS + NEW_METHOD + "}\n")
    failing = _gitlab_run(job["script"], project, env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert [issue["check_name"] for issue in json.loads(report.read_text())] == ["SG101"]

    (project / "store-gate.toml").write_text(BROKEN_MANIFEST)
    broken = _gitlab_run(job["script"], project, env)
    assert broken.returncode == 2, broken.stdout + broken.stderr
    assert "invalid config: store-gate.toml:8: table.partition_key.type:" in broken.stderr


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


def _readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index(f"\n## {title}\n") :]
    return section[: section.index("\n## ", 1)]


def test_readme_workflow_pins_by_sha_with_the_permissions_a_private_repository_needs(tmp_path: Path) -> None:
    section = _readme_section("CI: GitHub Actions and GitLab")
    workflow_text, gitlab_text = re.findall(r"```yaml\n(.*?)```", section, re.S)
    workflow = yaml.safe_load(workflow_text)
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    uses = [step["uses"] for step in workflow["jobs"]["store-gate"]["steps"]]
    assert uses[-1] == "<owner>/store-gate@<sha>"  # no tag exists to pin to
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", u) for u in uses[:-1]), uses
    (tmp_path / "workflow.yml").write_text(
        workflow_text.replace("<owner>/store-gate@<sha>", "o/store-gate@" + "0" * 40)
    )
    done = _check_jsonschema("vendor.github-workflows", tmp_path / "workflow.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert yaml.safe_load(gitlab_text)["variables"] == {"STORE_GATE_REF": "<sha>"}
