"""The baseline ratchet: new findings fail, fixed ones make it tightenable, it never grows by
accident, and a corrupt one is an error, never an empty baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Gate, run_cli

METHODS = "".join(f"    fn legacy_{i}(&self, id: &str) -> Result<Vec<Round>>;\n" for i in range(3))


@pytest.fixture
def legacy(gate: Gate) -> Gate:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {\n" + METHODS + "}\n")
    return gate


def test_baseline_accepts_todays_findings(legacy: Gate) -> None:
    written = run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    assert written.returncode == 0 and "3 entries written" in written.stdout
    document = json.loads((legacy.root / "store-gate-baseline.json").read_text())
    assert document["entries"][0] == {
        "code": "SG101",
        "subject": "DialogueStore.legacy_0",
        "count": 1,
        "reason": "legacy, before the gate",
    }
    result = run_cli("check", cwd=legacy.root)
    assert result.returncode == 0 and "3 findings accepted by store-gate-baseline.json" in result.stdout


def test_a_new_finding_fails_despite_the_baseline(legacy: Gate) -> None:
    run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    legacy.write("src/store.rs", "pub trait DialogueStore {\n" + METHODS + "    fn fresh(&self);\n}\n")
    result = run_cli("check", cwd=legacy.root)
    assert result.returncode == 1 and result.stdout.count("SG101") == 1 and "DialogueStore.fresh" in result.stdout


def test_moving_code_does_not_break_the_baseline(legacy: Gate) -> None:
    run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    moved = "".join(reversed(METHODS.splitlines(keepends=True)))
    legacy.write("src/store.rs", "// moved\n\npub trait DialogueStore {\n\n" + moved + "}\n")
    assert run_cli("check", cwd=legacy.root).returncode == 0


def test_a_fixed_finding_is_reported_as_tightenable_and_update_shrinks(legacy: Gate) -> None:
    run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    legacy.write(
        "src/store.rs",
        "pub trait DialogueStore {\n" + METHODS.replace("legacy_2", "legacy_1", 1).splitlines(keepends=True)[0] + "}\n",
    )
    result = run_cli("check", cwd=legacy.root)
    assert result.returncode == 0 and "the baseline can be tightened: 2 entries fixed" in result.stdout
    update = run_cli("baseline", "--update", cwd=legacy.root)
    assert update.returncode == 0 and "1 entries, 2 removed as fixed" in update.stdout
    assert "tightened" not in run_cli("check", cwd=legacy.root).stdout


def test_update_never_grows_without_allow_grow(legacy: Gate) -> None:
    run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    legacy.write("src/store.rs", "pub trait DialogueStore {\n" + METHODS + "    fn fresh(&self);\n}\n")
    update = run_cli("baseline", "--update", cwd=legacy.root)
    assert update.returncode == 1 and "1 findings are not in the baseline" in update.stdout
    assert run_cli("check", cwd=legacy.root).returncode == 1
    grow = run_cli("baseline", "--update", "--allow-grow", "--reason", "accepted for now", cwd=legacy.root)
    assert grow.returncode == 0 and run_cli("check", cwd=legacy.root).returncode == 0


def test_baseline_refuses_to_overwrite(legacy: Gate) -> None:
    run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    again = run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    assert again.returncode == 2 and "use --update" in again.stderr


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"schema_version": 1}',
        '{"schema_version": 1, "entries": [{"code": "SG101", "subject": "X.y", "count": "3"}]}',
        "[]",
    ],
    ids=["not-json", "no-entries", "bad-count", "wrong-shape"],
)
def test_a_corrupt_baseline_exits_2(legacy: Gate, content: str) -> None:
    (legacy.root / "store-gate-baseline.json").write_text(content)
    result = run_cli("check", cwd=legacy.root)
    assert result.returncode == 2 and "store-gate-baseline.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_declared_baseline_that_is_missing_exits_2(legacy: Gate) -> None:
    manifest = legacy.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nbaseline = "gate/baseline.json"\n'))
    result = run_cli("check", cwd=legacy.root)
    assert result.returncode == 2 and "baseline file not found" in result.stderr


def test_input_problems_cannot_be_baselined(legacy: Gate) -> None:
    legacy.write("src/store.rs", "pub trait DialogueStore {\n    fn a(&self) -> u8\n}\n")
    result = run_cli("baseline", "--reason", "legacy, before the gate", cwd=legacy.root)
    assert result.returncode == 1 and "not baselinable" in result.stdout and "SG002" in result.stdout
    assert run_cli("check", cwd=legacy.root).returncode == 1


def test_the_baseline_file_is_written_atomically(legacy: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter

    from store_gate import baseline

    path = legacy.root / "b.json"
    baseline.write(path, baseline.Baseline(Counter({("SG101", "A.b"): 1}), {("SG101", "A.b"): "r"}))
    before = path.read_text()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(baseline.os, "replace", crash)
    with pytest.raises(OSError):
        baseline.write(path, baseline.Baseline(Counter({("SG101", "A.c"): 2}), {("SG101", "A.c"): "r"}))
    assert path.read_text() == before
    assert [p.name for p in legacy.root.iterdir() if p.name.startswith(".b.json")] == []


def test_path_given_on_the_command_line(legacy: Gate, tmp_path: Path) -> None:
    target = legacy.root / "elsewhere.json"
    assert run_cli("baseline", "--reason", "r", "--baseline", str(target), cwd=legacy.root).returncode == 0
    assert run_cli("check", "--baseline", str(target), cwd=legacy.root).returncode == 0


# Reasons ---------------------------------------------------------------------------------------


def test_a_new_baseline_needs_a_reason(legacy: Gate) -> None:
    result = run_cli("baseline", cwd=legacy.root)
    assert result.returncode == 2 and not (legacy.root / "store-gate-baseline.json").exists()
    (line,) = result.stderr.splitlines()
    assert line == (
        'store-gate: baseline: SG101 DialogueStore.legacy_0 needs a reason; give one with --reason "..." '
        "(why these findings are accepted for now, for the reviewers)"
    )


@pytest.mark.parametrize("reason", ["", "   ", "\u200b"])
def test_an_entry_without_a_reason_is_an_error(legacy: Gate, reason: str) -> None:
    entry = {"code": "SG101", "subject": "DialogueStore.legacy_0", "count": 1, "reason": reason}
    (legacy.root / "store-gate-baseline.json").write_text(json.dumps({"schema_version": 2, "entries": [entry]}))
    result = run_cli("check", cwd=legacy.root)
    assert result.returncode == 2
    assert "the entry SG101 DialogueStore.legacy_0 has no reason" in result.stderr


def test_a_schema_1_baseline_is_given_reasons_by_update(legacy: Gate) -> None:
    entries = [{"code": "SG101", "subject": f"DialogueStore.legacy_{i}", "count": 1} for i in range(3)]
    path = legacy.root / "store-gate-baseline.json"
    path.write_text(json.dumps({"schema_version": 1, "tool": "store-gate", "entries": entries}))
    assert run_cli("check", cwd=legacy.root).returncode == 2
    assert run_cli("baseline", "--update", "--reason", "migrated", cwd=legacy.root).returncode == 0
    document = json.loads(path.read_text())
    assert document["schema_version"] == 2 and {e["reason"] for e in document["entries"]} == {"migrated"}
    assert run_cli("check", cwd=legacy.root).returncode == 0


def test_findings_hidden_by_select_are_not_called_fixed(legacy: Gate) -> None:
    run_cli("baseline", "--reason", "legacy", cwd=legacy.root)
    result = run_cli("check", "--select", "SG2", cwd=legacy.root)
    assert "tightened" not in result.stdout and "fixed" not in result.stdout
