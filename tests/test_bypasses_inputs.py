"""Bypass catalogue, the gate's own inputs: waivers, severities, manifests, baselines, the cache
and --select can never switch a rule off without a reviewed reason."""

from __future__ import annotations

import pytest
from conftest import Gate, run_cli

STORE = "pub trait DialogueStore {\n    fn get(&self, id: &str);\n    fn put(&self, id: &str);\n}\n"
DECLARED = (
    '\n[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "P#{id}", sk = "META" }\n'
    '\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "P#{id}", sk = "META" }\n'
)


def config_errors(gate: Gate) -> list[str]:
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


# Waivers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["SG001", "SG002", "SG003", "SG004", "SG104"])
def test_input_and_waiver_problems_cannot_be_waived(gate: Gate, code: str) -> None:
    gate.manifest(DECLARED, f'\n[[waiver]]\nrule = "{code}"\nmethod = "DialogueStore.*"\nreason = "r"\n')
    gate.write("src/store.rs", STORE)
    (line,) = config_errors(gate)
    assert line.endswith(
        f"waiver[0].rule: {code} cannot be waived: the gate does not pass what it could not see or check; "
        "fix what the finding names"
    )


def test_a_waiver_of_sg001_does_not_ungovern_a_missing_store(gate: Gate) -> None:
    """Even past the manifest's validation (a stale cache, a future way in), the waive stage
    never waives a rule that is not waivable."""
    import dataclasses
    import datetime as dt

    from store_gate.check import rule_table, waive
    from store_gate.config import load
    from store_gate.config.model import Waiver
    from store_gate.project import build

    gate.manifest(DECLARED)
    gate.write("src/other.rs", "pub trait Other {}\n")
    loaded = load(gate.root / "store-gate.toml", use_cache=False)
    forged = dataclasses.replace(
        loaded,
        manifest=dataclasses.replace(loaded.manifest, waiver=(Waiver("SG001", method="DialogueStore.*", reason="r"),)),
    )
    project = build(forged)
    sg001 = rule_table(forged)["SG001"].at(project.manifest_location("store", 0, "trait"), "not found", "DialogueStore")
    kept, waived = waive(project, [sg001], dt.date(2026, 1, 1), rule_table(forged), {})
    assert kept[0] == sg001 and waived == []


def test_a_broad_sg101_waiver_must_list_its_methods(gate: Gate) -> None:
    gate.manifest(extra='\n[[waiver]]\nrule = "SG101"\nmethod = "DialogueStore.*"\nreason = "legacy"\n')
    gate.write("src/store.rs", STORE)
    (line,) = config_errors(gate)
    assert line.endswith(
        'waiver[0]: a waiver of SG101 for DialogueStore.* must list the methods it covers, methods = ["..."]: '
        "a method added later must not be waived by it"
    )


def test_a_broad_sg101_waiver_does_not_cover_a_method_added_later(gate: Gate) -> None:
    gate.manifest(
        extra='\n[[waiver]]\nrule = "SG101"\nmethod = "DialogueStore.*"\nmethods = ["get", "put"]\nreason = "legacy"\n'
    )
    gate.write("src/store.rs", STORE.replace("}\n", "    fn scan_all(&self);\n}\n"))
    found = gate.findings()
    assert [(f.code, f.method) for f in found] == [("SG101", "scan_all"), ("SG401", "scan_all")]


@pytest.mark.parametrize("reason", ["   ", "\u200b", "\u200e\u200f", "\t\n", "\u2028", "\ufeff"])
def test_a_reason_of_invisible_characters_is_no_reason(gate: Gate, reason: str) -> None:
    escaped = reason.encode("unicode_escape").decode()
    gate.manifest(
        '\n[access.DialogueStore.get]\nop = "Scan"\n'
        '\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "P#{id}", sk = "META" }\n',
        f'\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get"\nreason = "{escaped}"\n',
    )
    gate.write("src/store.rs", STORE)
    assert sorted(f.code for f in gate.findings()) == ["SG104", "SG202"]


# Severities -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["SG301", "SG302", "SG303", "SG402", "SG501", "SG101", "SG205"])
def test_severity_cannot_turn_off_gate_errors(gate: Gate, code: str) -> None:
    gate.manifest(DECLARED, f'\n[severity]\n{code} = "off"\n')
    gate.write("src/store.rs", STORE)
    (line,) = config_errors(gate)
    assert line.endswith(f"severity.{code}: {code} is a gate rule: its severity cannot be lowered (use a waiver)")


def test_severity_may_raise_a_warning_or_turn_it_off(gate: Gate) -> None:
    gate.manifest(DECLARED, '\n[severity]\nSG210 = "error"\nSG401 = "off"\n')
    gate.write("src/store.rs", STORE)
    assert gate.findings() == []


# Manifests -------------------------------------------------------------------------------------


def test_two_manifests_in_one_folder_are_an_error(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    gate.write(".store-gate.toml", "version = 1\n")
    (line,) = config_errors(gate)
    assert (
        "several manifests in one folder (store-gate.toml, .store-gate.toml); keep one, or pass --config FILE" in line
    )


def test_a_manifest_beside_a_pyproject_table_is_an_error(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    gate.write("pyproject.toml", "[tool.store_gate]\nversion = 1\n")
    (line,) = config_errors(gate)
    assert "several manifests in one folder (store-gate.toml, pyproject.toml [tool.store_gate])" in line


def test_the_pyproject_table_may_be_spelled_with_a_dash(gate: Gate) -> None:
    gate.manifest(DECLARED)
    manifest = (gate.root / "store-gate.toml").read_text()
    (gate.root / "store-gate.toml").unlink()
    body = "\n".join(
        f"[tool.store-gate.{line[1:]}"
        if line.startswith("[") and not line.startswith("[[")
        else f"[[tool.store-gate.{line[2:]}"
        if line.startswith("[[")
        else line
        for line in manifest.splitlines()
    )
    gate.write("pyproject.toml", "[tool.store-gate]\n" + body + "\n")
    gate.write("src/store.rs", STORE.replace("}\n", "    fn more(&self);\n}\n"))
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 1 and "SG101 DialogueStore.more has no access pattern" in result.stdout


# --select ---------------------------------------------------------------------------------------


def test_a_select_that_leaves_out_the_gates_own_families_is_never_a_pass(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)  # two undeclared methods: SG101 twice
    result = run_cli("check", "--select", "SG2", cwd=gate.root)
    assert result.returncode == 0
    assert "All checks passed" not in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "No findings in the selected rules; partial run (--select SG2): SG0, SG1, SG3, SG4, SG5 and SG7 were "
        "not checked, so this is not a pass of the gate."
    )


def test_partial_runs_say_so_in_json_and_markdown(gate: Gate) -> None:
    import json

    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    document = json.loads(run_cli("check", "--select", "SG1", "--format", "json", cwd=gate.root).stdout)
    assert document["summary"]["partial"] == ["SG0", "SG2", "SG3", "SG4", "SG5", "SG7"]
    full = json.loads(run_cli("check", "--format", "json", cwd=gate.root).stdout)
    assert full["summary"]["partial"] == []
    markdown = run_cli("check", "--ignore", "SG101", "--format", "markdown", cwd=gate.root).stdout
    assert "Partial run (--ignore SG101): SG1 was not checked, so this is not a pass of the gate." in markdown


def test_select_accumulates_and_ignore_removes(gate: Gate) -> None:
    import json

    gate.manifest('\n[access.DialogueStore.get]\nop = "Scan"\n')
    gate.write("src/store.rs", STORE)  # SG202 on get, SG101 on put

    def codes(*args: str) -> list[str]:
        result = run_cli("check", "--format", "json", *args, cwd=gate.root)
        return sorted(f["code"] for f in json.loads(result.stdout)["findings"])

    assert codes() == ["SG101", "SG202"]
    assert codes("--select", "SG1", "--select", "SG2") == ["SG101", "SG202"]
    assert codes("--select", "SG1", "--extend-select", "SG202") == ["SG101", "SG202"]
    assert codes("--ignore", "SG2") == ["SG101"]
    bad = run_cli("check", "--ignore", "SG9", cwd=gate.root)
    assert bad.returncode == 2 and "--ignore SG9: SG9 matches no rule code" in bad.stderr
