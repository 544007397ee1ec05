"""One run of the gate over one manifest.

model -> rules -> severities -> waivers -> what changed since --base (legacy policy) ->
--select (code prefixes) -> baseline. Each stage only removes or regrades findings; none invents them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from store_gate import baseline as ratchet
from store_gate import rules, waivers
from store_gate.catalogue import RULES, Severity
from store_gate.config import LoadedManifest
from store_gate.findings import Finding
from store_gate.git import BaseRevision
from store_gate.project import Project, build
from store_gate.sources import shown

if TYPE_CHECKING:
    from store_gate.diff import Comparison
    from store_gate.rules.structural import StructuralRule


@dataclass
class CheckResult:
    project: Project
    findings: list[Finding]  # what the user sees, sorted
    waived: list[waivers.WaivedFinding]
    comparison: Comparison | None = None  # with --base
    legacy_dropped: list[Finding] = field(default_factory=list)  # legacy = "off"
    baselined: list[Finding] = field(default_factory=list)
    baseline_fixed: int = 0
    baseline_path: str | None = None
    custom_rules: list[StructuralRule] = field(default_factory=list)  # the manifest's own rules

    def display_path(self, path: str) -> str:
        """A project-relative path as the user can open it from where they ran the gate."""
        return shown(self.project.loaded.root / path)

    @property
    def fail_on(self) -> str:
        return self.project.loaded.manifest.fail_on

    @property
    def failed(self) -> bool:
        levels = ("error",) if self.fail_on == "error" else ("error", "warning")
        return any(f.severity in levels for f in self.findings)


def check(
    loaded: LoadedManifest,
    selected: list[str] | None = None,
    today: dt.date | None = None,
    base: BaseRevision | None = None,
    baseline: Counter[ratchet.Key] | None = None,
    baseline_path: str | None = None,
) -> CheckResult:
    project = build(loaded)
    manifest = loaded.manifest
    overrides = manifest.severity

    def severity(finding: Finding) -> Severity:
        if finding.code not in RULES:
            return finding.severity  # a user's rule keeps its own severity
        return overrides.get(finding.code, RULES[finding.code].severity)

    from store_gate.rules import structural

    raw = set(rules.run(project))
    structural_findings, custom = structural.run(project)
    raw.update(structural_findings)
    comparison: Comparison | None = None
    if base is not None:
        from store_gate.diff import compare
        from store_gate.rules.layout import lsi_added_to_existing_table

        comparison = compare(loaded, project, base)
        for name, message in lsi_added_to_existing_table(comparison.base_table, loaded.table):
            key = ("table", "lsi", name) if manifest.table.declared else ("table", "from")
            raw.add(Finding.at("SG302", project.manifest_location(*key), message))

    graded = [dataclasses.replace(f, severity=severity(f)) for f in sorted(raw) if severity(f) != "off"]
    kept, waived, waiver_findings = waivers.apply(project, graded, today or dt.date.today())
    findings = kept + [dataclasses.replace(f, severity=severity(f)) for f in waiver_findings]

    legacy_dropped: list[Finding] = []
    if comparison is not None and manifest.legacy != "error":
        # Methods that existed at the base, unchanged, follow the legacy policy; added and
        # changed methods get every rule. Structural findings (SG4, SG5, users' rules) that
        # concern no governed method follow it when their file is byte-for-byte the base's.
        # Everything else - a store not found, a file that does not parse, the manifest's
        # own problems - is always reported.
        def status(finding: Finding) -> str | None:
            change = comparison.of(finding.trait, finding.method) if comparison else None
            if change is not None or comparison is None:
                return change
            structural = finding.code not in RULES or RULES[finding.code].family in ("SG4", "SG5")
            return "unchanged" if structural and comparison.file_unchanged(finding.path) else None

        regraded = []
        for finding in findings:
            if status(finding) != "unchanged":
                regraded.append(finding)
            elif manifest.legacy == "off":
                legacy_dropped.append(finding)
            else:
                regraded.append(dataclasses.replace(finding, severity="warning"))
        findings = regraded

    if selected is not None:  # code prefixes: SG2 selects SG201..SG210; a user rule's id selects it
        findings = [f for f in findings if any(f.code.upper().startswith(p.upper()) for p in selected)]

    known: list[Finding] = []
    fixed = 0
    if baseline is not None:
        split = ratchet.split(findings, baseline)
        findings, known, fixed = split.new, split.known, split.fixed

    loaded.cache.save()
    return CheckResult(
        project,
        sorted(findings),
        waived,
        comparison=comparison,
        legacy_dropped=legacy_dropped,
        baselined=known,
        baseline_fixed=fixed,
        baseline_path=baseline_path,
        custom_rules=custom,
    )
