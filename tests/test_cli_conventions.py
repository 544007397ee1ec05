"""The conventions users reach for (after ruff and semgrep): --exit-zero, --statistics, -q, -v,
--show-source, --output-format, colour, JUnit XML, monorepos, explain by name."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from conftest import Gate, run_cli

STORE = (
    "pub trait DialogueStore {\n    fn list_open(&self, id: &str) -> Vec<u8>;\n    fn get_one(&self, id: &str);\n}\n"
)
NO_COLOR = {"NO_COLOR": "", "FORCE_COLOR": ""}


def failing(gate: Gate) -> Gate:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    return gate


def test_exit_zero_keeps_the_report_and_exits_0(gate: Gate) -> None:
    failing(gate)
    result = run_cli("check", "--exit-zero", cwd=gate.root, env=NO_COLOR)
    assert result.returncode == 0 and result.stdout.count("SG101") == 2 and "gate failed" in result.stdout


def test_exit_zero_never_hides_a_configuration_error(gate: Gate) -> None:
    gate.write("store-gate.toml", "version = 2\n")
    assert run_cli("check", "--exit-zero", cwd=gate.root).returncode == 2


def test_statistics_count_each_rule(gate: Gate) -> None:
    failing(gate)
    lines = run_cli("check", "--statistics", cwd=gate.root, env=NO_COLOR).stdout.splitlines()
    assert "    2  SG101    method-access-pattern-missing" in lines


def test_quiet_prints_the_findings_only(gate: Gate) -> None:
    failing(gate)
    result = run_cli("check", "-q", cwd=gate.root, env=NO_COLOR)
    assert result.returncode == 1
    assert [line.split(": ")[1].split(" ")[0] for line in result.stdout.splitlines()] == ["SG101", "SG101"]


def test_verbose_says_what_was_read_which_base_and_which_cache(gate: Gate) -> None:
    failing(gate)
    stderr = run_cli("check", "-v", cwd=gate.root, env={**NO_COLOR, "STORE_GATE_CACHE_DIR": "/tmp/sg-cache"}).stderr
    assert "store-gate: manifest store-gate.toml" in stderr
    assert "store-gate:   files: 1 under the stores' paths, 1 scanned by the structural rules, 1 parsed" in stderr
    assert "store-gate:   base: none: every method checked" in stderr
    assert "store-gate:   cache: /tmp/sg-cache" in stderr


def test_show_source_puts_a_caret_under_the_column(gate: Gate) -> None:
    failing(gate)
    lines = run_cli("check", "--show-source", cwd=gate.root, env=NO_COLOR).stdout.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("src/store.rs:2:8: SG101")))
    assert lines[at + 1 : at + 3] == [
        "        fn list_open(&self, id: &str) -> Vec<u8>;",
        "           ^",
    ]


def test_output_format_is_an_alias_of_format(gate: Gate) -> None:
    failing(gate)
    document = json.loads(run_cli("check", "--output-format", "json", cwd=gate.root).stdout)
    assert document["summary"]["errors"] == 2


def test_colour_follows_force_color_and_no_color(gate: Gate) -> None:
    failing(gate)
    forced = run_cli("check", cwd=gate.root, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b[1;31mSG101\x1b[0m" in forced
    plain = run_cli("check", cwd=gate.root, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in plain
    piped = run_cli("check", cwd=gate.root, env=NO_COLOR).stdout  # not a terminal
    assert "\x1b[" not in piped


def test_machine_formats_never_carry_colour(gate: Gate) -> None:
    failing(gate)
    output = run_cli("check", "--format", "json", cwd=gate.root, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b[" not in output


def test_junit_xml_has_a_case_per_method_failed_by_its_findings(gate: Gate) -> None:
    failing(gate)
    gate.write("src/report.rs", 'pub fn r() { let _ = "x"; }\n')
    result = run_cli("check", "--format", "junit", cwd=gate.root)
    root = ElementTree.fromstring(result.stdout)
    (suite,) = root.findall("testsuite")
    cases = {case.get("name"): [f.get("type") for f in case.findall("failure")] for case in suite.findall("testcase")}
    assert cases == {"DialogueStore.get_one": ["SG101"], "DialogueStore.list_open": ["SG101"]}
    assert (root.get("tests"), root.get("failures"), suite.get("name")) == ("2", "2", "store-gate.toml")


def test_explain_takes_a_rules_name(gate: Gate) -> None:
    by_name = run_cli("explain", "method-access-pattern-missing")
    assert by_name.returncode == 0 and by_name.stdout.startswith("SG101 method-access-pattern-missing")


def test_explain_takes_one_of_your_own_rules_ids(gate: Gate) -> None:
    gate.write(
        "store-gate.toml",
        'version = 1\nrules = ["governance/*.yml"]\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n'
        '\n[table]\npartition_key = { name = "pk", type = "S" }\n',
    )
    gate.write(
        "governance/no-unwrap.yml",
        "id: no-unwrap\nlanguage: rust\nseverity: warning\nmessage: unwrap in a store\n"
        "note: return the error instead\nrule: { pattern: $X.unwrap() }\n",
    )
    mine = run_cli("explain", "no-unwrap", cwd=gate.root)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.splitlines()[0] == "no-unwrap no-unwrap (default severity: warning, stable)"
    assert "return the error instead" in mine.stdout and "Defined in governance/no-unwrap.yml (rust)" in mine.stdout
    unknown = run_cli("explain", "no-such-rule", cwd=gate.root)
    assert unknown.returncode == 2 and unknown.stderr.rstrip().endswith("your rules: no-unwrap")


def test_check_help_lists_exit_codes_and_base_detection() -> None:
    text = run_cli("check", "--help").stdout
    assert "exit codes:" in text and "3  an internal error" in text
    assert "GITHUB_BASE_REF" in text and "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in text and "pre-commit" in text


# Monorepos --------------------------------------------------------------------------------------


def test_a_monorepo_root_checks_every_manifest_below_and_names_each(gate: Gate) -> None:
    for package in ("services/a", "services/b"):
        gate.write(
            f"{package}/store-gate.toml",
            'version = 1\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n'
            '[table]\npartition_key = { name = "pk", type = "S" }\n',
        )
        gate.write(f"{package}/src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    gate.write("node_modules/x/store-gate.toml", "not a manifest = [")  # never searched
    result = run_cli("check", cwd=gate.root, env=NO_COLOR)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if "SG101" in line] == [
        "services/a/src/store.rs",
        "services/b/src/store.rs",
    ]
    assert "services/a/store-gate.toml: DialogueStore: 1 method, 0 with an access pattern" in result.stdout
    assert "services/b/store-gate.toml: DialogueStore: 1 method, 0 with an access pattern" in result.stdout


def test_all_manifests_adds_those_below_the_one_that_governs(gate: Gate) -> None:
    failing(gate)
    gate.write(
        "tools/store-gate.toml",
        'version = 1\n[[store]]\ntrait = "Other"\npaths = ["*.rs"]\n[table]\npartition_key = { name = "pk", type = "S" }\n',
    )
    gate.write("tools/other.rs", "pub trait Other {\n    fn x(&self);\n}\n")
    one = json.loads(run_cli("check", "--format", "json", cwd=gate.root).stdout)
    every = json.loads(run_cli("check", "--format", "json", "--all-manifests", cwd=gate.root).stdout)
    assert [m["path"] for m in one["manifests"]] == ["store-gate.toml"]
    assert [m["path"] for m in every["manifests"]] == ["store-gate.toml", "tools/store-gate.toml"]


# Fingerprints and paths -------------------------------------------------------------------------


def test_two_identical_findings_in_one_file_get_distinct_stable_fingerprints(gate: Gate) -> None:
    gate.manifest(extra='\n[boundaries]\n[boundaries.backends.sqlite]\nallow = ["src/db/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/log.rs", 'pub fn a() { let _ = "DIALOGUE#"; }\npub fn b() { let _ = "DIALOGUE#"; }\n')

    def prints(fmt: str) -> list[str]:
        out = run_cli("check", "--format", fmt, cwd=gate.root).stdout
        if fmt == "gitlab":
            return [issue["fingerprint"] for issue in json.loads(out)]
        results = json.loads(out)["runs"][0]["results"]
        return [r["partialFingerprints"]["storeGate/v1"] for r in results]

    for fmt in ("gitlab", "sarif"):
        first = prints(fmt)
        assert len(first) == 2 and len(set(first)) == 2, fmt
        gate.write(
            "src/log.rs",
            '\n\n// moved down\npub fn a() { let _ = "DIALOGUE#"; }\npub fn b() { let _ = "DIALOGUE#"; }\n',
        )
        assert prints(fmt) == first, fmt
        gate.write("src/log.rs", 'pub fn a() { let _ = "DIALOGUE#"; }\npub fn b() { let _ = "DIALOGUE#"; }\n')


def test_sarif_and_gitlab_paths_are_relative_to_the_repository_root_wherever_the_gate_runs(gate: Gate) -> None:
    import subprocess

    failing(gate)
    subprocess.run(["git", "init", "-q"], cwd=gate.root, check=True)
    sarif = json.loads(run_cli("check", "--format", "sarif", cwd=gate.root / "src").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"src/store.rs"}
    gitlab = json.loads(run_cli("check", "--format", "gitlab", cwd=gate.root / "src").stdout)
    assert {issue["location"]["path"] for issue in gitlab} == {"src/store.rs"}


def test_the_hint_names_the_key_as_the_manifest_writes_it(gate: Gate) -> None:
    gate.write(
        "pyproject.toml",
        '[tool.store_gate]\nversion = 1\n[[tool.store_gate.store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n'
        '[tool.store_gate.table]\npartition_key = { name = "pk", type = "S" }\n',
    )
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    (finding,) = gate.run_at("pyproject.toml")
    assert "declare it in pyproject.toml under [tool.store_gate.access.DialogueStore.get]" in finding.message


def test_the_hint_names_the_manifests_path_in_a_monorepo(gate: Gate) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=gate.root, check=True)
    gate.write(
        "services/a/store-gate.toml",
        'version = 1\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n[table]\npartition_key = { name = "pk", type = "S" }\n',
    )
    gate.write("services/a/src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    (finding,) = gate.run_at("services/a/store-gate.toml")
    assert "declare it in services/a/store-gate.toml under [access.DialogueStore.get]" in finding.message


# init -------------------------------------------------------------------------------------------


def test_init_writes_a_manifest_with_a_todo_per_undeclared_method(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "store.rs").write_text(
        "pub trait DialogueStore {\n    fn get_round(&self, id: &str) -> Round;\n    fn list_rounds(&self, id: &str) -> Vec<Round>;\n}\n"
    )
    done = run_cli("init", "--trait", "DialogueStore", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "store-gate.toml: written, governing DialogueStore - 2 methods to declare (a TODO each); then run store-gate check\n"
    )
    text = (tmp_path / "store-gate.toml").read_text()
    assert 'paths = ["src/**/*.rs"]' in text
    assert '# [access.DialogueStore.list_rounds]\n# op = "Query"\n' in text
    check = run_cli("check", "--format", "json", cwd=tmp_path)
    assert sorted(f["method"] for f in json.loads(check.stdout)["findings"]) == ["get_round", "list_rounds"]
    again = run_cli("init", "--trait", "DialogueStore", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr


def test_init_reads_the_table_from_infrastructure(tmp_path: Path) -> None:
    from conftest import REPO

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "store.py").write_text("class DialogueStore:\n    def get(self, id: str) -> str: ...\n")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "table.tf").write_text((REPO / "tests" / "fixtures" / "infra" / "table.tf").read_text())
    done = run_cli("init", "--trait", "DialogueStore", "--paths", "src/*.py", "--from", "infra/table.tf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "store-gate.toml").read_text()
    assert '[table]\nfrom = "infra/table.tf"\n' in text and "# [access.DialogueStore.get]" in text


def test_init_says_when_the_trait_is_nowhere(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("class Other: ...\n")
    done = run_cli("init", "--trait", "DialogueStore", "--paths", "*.py", cwd=tmp_path)
    assert done.returncode == 2 and "trait DialogueStore is defined in none of the 1 files" in done.stderr
    assert not (tmp_path / "store-gate.toml").exists()


# Progress on a terminal -------------------------------------------------------------------------


def _stderr_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the CLI with standard error on a pseudo-terminal (stdout a pipe): (code, stdout, stderr)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "store_gate", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=follower, env=env
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout=60)
    os.close(leader)
    return code, stdout, b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize(
    ("extra_env", "args", "shown"),
    [
        ({}, [], True),
        ({"CI": "true"}, [], False),
        ({}, ["--format", "json"], False),
        ({}, ["-q"], False),
    ],
)
def test_progress_shows_on_a_terminal_only_where_a_person_watches(
    gate: Gate, extra_env: dict[str, str], args: list[str], shown: bool
) -> None:
    import os

    gate.manifest('\n[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n')
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")}
    env.update({"STORE_GATE_PROGRESS_DELAY": "0", "TERM": "xterm", **extra_env})
    code, stdout, stderr = _stderr_on_a_terminal(["check", *args], gate.root, env)
    assert code == 0, stdout + stderr
    assert ("store-gate: reading files " in stderr and "/1" in stderr) is shown, repr(stderr)
    if shown:
        assert stderr.endswith("\r\x1b[K")  # erased: the summary starts on a clean line
