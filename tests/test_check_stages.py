"""`check`'s stages one at a time (produce -> grade -> waive -> legacy -> select -> ratchet): each
is a function of findings; these cases call them directly (the rest of the suite runs them
through `check`)."""

from __future__ import annotations

from collections import Counter

from store_gate.baseline import Baseline
from store_gate.catalogue import RULES
from store_gate.check import grade, legacy, ratchet, select
from store_gate.extract.model import SourceLocation
from store_gate.findings import Finding
from store_gate.rule import Rule
from store_gate.selection import Selection

MINE = Rule("no-println", "no-println", "warning", "println! in library code.", builtin=False)
TABLE = {**RULES, MINE.code: MINE}


def _at(code: str, line: int = 1, method: str | None = "get") -> Finding:
    rule = TABLE[code]
    return rule.at(SourceLocation("src/store.rs", line, 1), "m", "DialogueStore" if method else None, method)


def test_grade_sets_the_manifests_severity_and_off_drops_the_finding() -> None:
    graded = grade([_at("SG401"), _at("SG402", 2), _at("SG502", 3)], TABLE, {"SG401": "error", "SG502": "off"})
    assert [(f.code, f.severity) for f in graded] == [("SG401", "error"), ("SG402", "error")]


def test_grade_leaves_a_users_rule_at_its_own_severity() -> None:
    assert [f.severity for f in grade([_at("no-println")], TABLE, {"no-println": "off"})] == ["warning"]


def test_select_keeps_the_selected_prefixes_minus_the_ignored() -> None:
    findings = [_at("SG101"), _at("SG201", 2), _at("SG202", 3), _at("no-println", 4)]
    kept = select(findings, Selection.parse(["SG2", "no-println"], ["SG202"]))
    assert [f.code for f in kept] == ["SG201", "no-println"]


def test_legacy_without_a_base_keeps_every_finding() -> None:
    findings = [_at("SG101"), _at("SG401", 2)]
    assert legacy(findings, None, "off", TABLE) == (findings, [])


def test_ratchet_accepts_what_the_baseline_lists_and_counts_the_entries_fixed() -> None:
    accepted, new = _at("SG401"), _at("SG101", 2)
    baseline = Baseline(Counter({("SG401", "DialogueStore.get"): 1, ("SG402", "DialogueStore.put"): 1}))
    # SG402's entry is fixed only when no SG402 finding occurs at all (before --select hid any).
    assert ratchet([accepted, new], [accepted, new], baseline, TABLE) == ([new], [accepted], 1)
    hidden = _at("SG402", 3, "put")
    assert ratchet([accepted, new], [accepted, new, hidden], baseline, TABLE) == ([new], [accepted], 0)
