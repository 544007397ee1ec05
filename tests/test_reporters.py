"""Outputs for CI: SARIF 2.1.0 (validated against the official schema), GitHub annotations and
step summary, Markdown, GitLab Code Quality, and several at once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, SHARED, Gate, run_cli

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
STORE = "pub trait DialogueStore {\n    fn list_open_tensions(&self, id: &str) -> Vec<u8>;\n}\n"
SCAN = '[access.DialogueStore.get]\nop = "Scan"\n\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get"\nreason = "nightly export, 20 items"\n'


@pytest.fixture
def failing(gate: Gate) -> Gate:
    gate.manifest(SCAN)
    gate.write("src/store.rs", STORE.replace("}\n", "    fn get(&self);\n}\n"))
    return gate


def test_sarif_shape_rules_results_locations_and_suppressions(failing: Gate) -> None:
    """What code scanning reads, asserted directly (the schema check below is an extra that needs ../shared)."""
    result = run_cli("check", "--format", "sarif", cwd=failing.root)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "store-gate" and driver["version"] == driver["semanticVersion"]
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    (sg001,) = [r for r in rules if r["id"] == "SG001"]
    assert sg001["helpUri"].endswith("docs/rules.md#sg001") and "## Why is this bad?" in sg001["help"]["text"]
    assert sg001["defaultConfiguration"] == {"level": "error"} and sg001["shortDescription"]["text"]
    open_results = [r for r in run["results"] if "suppressions" not in r]
    (sg101,) = open_results
    assert sg101["ruleId"] == "SG101" and rules[sg101["ruleIndex"]]["id"] == "SG101" and sg101["level"] == "error"
    region = sg101["locations"][0]["physicalLocation"]
    assert region["artifactLocation"] == {"uri": "src/store.rs", "uriBaseId": "%SRCROOT%"}
    assert region["region"] == {"startLine": 2, "startColumn": 8}
    assert set(sg101["partialFingerprints"]) == {"storeGate/v1"}
    (waived,) = [r for r in run["results"] if "suppressions" in r]
    assert waived["suppressions"] == [{"kind": "external", "justification": "nightly export, 20 items"}]


def test_sarif_validates_against_the_sarif_2_1_0_schema(failing: Gate) -> None:
    """An extra: the official schema is read from ../shared; the shape test above runs without it."""
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is read from {SARIF_SCHEMA}, which is absent here")
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    validator.validate(json.loads(run_cli("check", "--format", "sarif", cwd=failing.root).stdout))
    validator.validate(json.loads(run_cli("check", str(EXAMPLE), "--format", "sarif").stdout))


def test_sarif_fingerprints_survive_moving_the_code(failing: Gate) -> None:
    def fingerprints() -> list[str]:
        results = json.loads(run_cli("check", "--format", "sarif", cwd=failing.root).stdout)["runs"][0]["results"]
        return sorted(r["partialFingerprints"]["storeGate/v1"] for r in results)

    before = fingerprints()
    failing.write("src/store.rs", "// header\n\n\n" + STORE.replace("}\n", "    fn get(&self);\n}\n"))
    assert fingerprints() == before


def test_github_annotations_are_the_default_inside_github_actions(failing: Gate, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = run_cli("check", cwd=failing.root, env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "::error file=src/store.rs,line=2,col=8,title=SG101::DialogueStore.list_open_tensions has no access pattern"
    )
    assert "%0A" not in first and "\n" not in first
    text = summary.read_text()
    assert text.startswith("## store-gate: gate failed (1 error, 0 warnings)")
    assert "| error | `src/store.rs:2` | SG101 |" in text


def test_github_escapes_property_and_message_values() -> None:
    from store_gate.report.github import _data, _property

    assert _property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"
    assert _data("x: y, 100%\r\n") == "x: y, 100%25%0D%0A"


def test_step_summary_lists_the_access_patterns_the_change_added(tmp_path: Path) -> None:
    from test_diff import LEGACY_METHODS, NEW_METHOD, Repo, git

    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(
        LEGACY_METHODS + NEW_METHOD + "    fn get_round(&self, dialogue_id: &str, round: u32) -> Option<Round>;\n"
    )
    (repo.root / "store-gate.toml").write_text(
        (repo.root / "store-gate.toml").read_text()
        + '\n[access.DialogueStore.get_round]\nop = "GetItem"\nentity = "Round"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" }\n'
    )
    repo.commit("two methods")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    assert repo.check("--base", "main", env=env).returncode == 1
    text = summary.read_text()
    assert "### Access patterns of the methods this change added or changed" in text
    assert (
        '| `DialogueStore.get_round` | added | GetItem | table | pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" |  |'
        in text
    )
    assert "| `DialogueStore.list_rounds` | added | **undeclared** |" in text


def test_markdown_on_stdout(failing: Gate) -> None:
    result = run_cli("check", "--format", "markdown", cwd=failing.root)
    assert result.stdout.startswith("## store-gate: gate failed") and "| SG101 |" in result.stdout


def test_gitlab_code_quality(failing: Gate) -> None:
    issues = json.loads(run_cli("check", "--format", "gitlab", cwd=failing.root).stdout)
    (issue,) = issues
    assert issue["check_name"] == "SG101" and issue["severity"] == "major"
    assert issue["location"] == {"path": "src/store.rs", "lines": {"begin": 2}}
    assert len(issue["fingerprint"]) == 32


def test_several_outputs_at_once_creating_their_folder(failing: Gate) -> None:
    result = run_cli("check", "--output", "sarif=out/s.sarif", "--output", "gitlab=gl.json", cwd=failing.root)
    assert result.returncode == 1 and result.stdout.startswith("src/store.rs:2:8: SG101")
    assert json.loads((failing.root / "out" / "s.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((failing.root / "gl.json").read_text())[0]["check_name"] == "SG101"


def test_an_output_never_writes_through_a_symlink(failing: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A repository may commit `report.sarif -> ~/.bashrc`: the gate refuses to write through it."""
    target = tmp_path_factory.mktemp("elsewhere") / "victim"
    target.write_text("keep me\n")
    (failing.root / "report.sarif").symlink_to(target)
    result = run_cli("check", "--output", "sarif=report.sarif", cwd=failing.root)
    assert result.returncode == 2 and "is a symlink; the gate does not write through links" in result.stderr
    assert target.read_text() == "keep me\n"


def test_an_output_file_follows_the_umask(failing: Gate) -> None:
    import os
    import stat

    run_cli("check", "--output", "sarif=s.sarif", cwd=failing.root)
    mode = stat.S_IMODE(os.stat(failing.root / "s.sarif").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_bad_output_spec_is_a_usage_error(failing: Gate) -> None:
    result = run_cli("check", "--output", "pdf=x.pdf", cwd=failing.root)
    assert result.returncode == 2 and "expected FORMAT=FILE" in result.stderr


def test_docs_rules_md_is_generated_from_the_catalogue() -> None:
    from conftest import REPO

    from store_gate.catalogue import markdown_reference

    assert (REPO / "docs" / "rules.md").read_text() == markdown_reference()


def test_every_format_is_deterministic(tmp_path: Path) -> None:
    copy = tmp_path / "blue"
    shutil.copytree(EXAMPLE, copy)
    for kind in ("text", "json", "sarif", "markdown", "gitlab", "github"):
        first = run_cli("check", "--format", kind, cwd=copy).stdout
        assert first == run_cli("check", "--format", kind, cwd=copy).stdout, kind
