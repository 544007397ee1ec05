"""One run of the gate over one manifest, as a pipeline of named stages:

    produce -> grade -> waive -> legacy -> select -> ratchet

`produce` runs every rule over the project (and the --base comparison); `grade` gives each finding
its severity (the manifest's `[severity]`, else the rule's default); `waive` applies the
manifest's waivers and adds their own problems (SG104); `legacy` applies the `legacy` policy to
findings on code unchanged since the base; `select` keeps the codes `--select` asks for; `ratchet`
accepts what the baseline lists. After `produce`, each stage only removes or regrades findings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from store_gate import rules, waivers
from store_gate.config import LoadedManifest
from store_gate.findings import Finding
from store_gate.project import Project, build
from store_gate.rule import Rule, Severity
from store_gate.selection import Selection
from store_gate.sources import SourceTree, Unreadable, shown

if TYPE_CHECKING:
    from store_gate import baseline as ratchet_file
    from store_gate.config.model import Waiver
    from store_gate.diff import Comparison
    from store_gate.git import BaseRevision


@dataclass(frozen=True)
class Accepted:
    """The baseline a run uses: its entries, its file, and the file as the user sees it."""

    baseline: ratchet_file.Baseline
    path: Path
    shown: str


@dataclass
class CheckResult:
    project: Project
    findings: list[Finding]  # what the user sees, sorted
    waived: list[waivers.WaivedFinding]
    rules: Mapping[str, Rule]  # every rule of this run: the catalogue's and the manifest's own
    comparison: Comparison | None = None  # with --base
    legacy_dropped: list[Finding] = field(default_factory=list)  # legacy = "off"
    baselined: list[Finding] = field(default_factory=list)
    baseline_fixed: int = 0
    baseline_path: str | None = None
    selection: Selection = field(default_factory=Selection)

    @property
    def partial(self) -> list[str]:
        """The families of which --select or --ignore left out an error rule: then nothing here is a pass."""
        return self.selection.left_out()

    def display_path(self, path: str) -> str:
        """A project-relative path as the user can open it from where they ran the gate."""
        return shown(self.project.loaded.root / path)

    def repository_path(self, path: str) -> str:
        """A project-relative path relative to the repository's root (SARIF's %SRCROOT%, GitLab's
        paths): the same wherever the gate was run from."""
        from store_gate.config import project_root

        top = project_root(self.project.loaded.root)
        try:
            return (self.project.loaded.root / path).resolve().relative_to(top).as_posix()
        except ValueError:
            return path

    @property
    def fail_on(self) -> str:
        return self.project.loaded.manifest.fail_on

    @property
    def failed(self) -> bool:
        levels = ("error",) if self.fail_on == "error" else ("error", "warning")
        return any(f.severity in levels for f in self.findings)

    @property
    def user_rules(self) -> list[Rule]:
        return [rule for rule in self.rules.values() if not rule.builtin]


def rule_table(loaded: LoadedManifest) -> dict[str, Rule]:
    """The rules of one run: the catalogue's, and the manifest's own ast-grep rules."""
    from store_gate.catalogue import RULES

    return {**RULES, **{user.rule.code: user.rule for user in loaded.user_rules}}


def produce(project: Project, comparison: Comparison | None, accepted: Accepted | None = None) -> list[Finding]:
    """Every rule's findings, deduplicated and sorted."""
    from store_gate.rules.layout import lsi_added_findings

    found = set(rules.run(project))
    if comparison is not None:
        found.update(lsi_added_findings(project, comparison.base_tables))
        if accepted is not None:
            found.update(_baseline_added(project, comparison, accepted))
    return sorted(found)


def _baseline_added(project: Project, comparison: Comparison, accepted: Accepted) -> list[Finding]:
    """SG105: what the change added to the baseline, when the file is in the project at the base too."""
    import json

    from store_gate import baseline as ratchet_file
    from store_gate.extract.model import SourceLocation

    try:
        relative = accepted.path.resolve().relative_to(project.loaded.root.resolve()).as_posix()
    except ValueError:
        return []  # outside the project: the baseline is read only inside it (see loading)
    before = None
    if comparison.tree is not None and comparison.tree.has(relative):
        try:
            before = ratchet_file.parse(json.loads(comparison.tree.read(relative).decode("utf-8")))
        except (ValueError, RecursionError, Unreadable):
            before = None  # a corrupt or unreadable base baseline vouches for nothing: every entry is new
    text = accepted.path.read_text(encoding="utf-8", errors="replace").splitlines()

    def location(key: ratchet_file.Key) -> SourceLocation:
        needle = json.dumps(key[1])
        line = next((i for i, row in enumerate(text, 1) if needle in row), 1)
        return SourceLocation(relative, line, 1)

    return list(ratchet_file.added_entries(before, accepted.baseline, location, accepted.shown))


def grade(findings: list[Finding], table: Mapping[str, Rule], overrides: Mapping[str, Severity]) -> list[Finding]:
    """Each finding at its severity: the manifest's `[severity]`, else the rule's default; "off" drops it."""

    def severity(finding: Finding) -> Severity:
        rule = table[finding.code]
        return overrides.get(finding.code, rule.severity) if rule.builtin else rule.severity

    return [dataclasses.replace(f, severity=severity(f)) for f in findings if severity(f) != "off"]


def waive(
    project: Project,
    findings: list[Finding],
    today: dt.date,
    table: Mapping[str, Rule],
    overrides: Mapping[str, Severity],
    comparison: Comparison | None = None,
) -> tuple[list[Finding], list[waivers.WaivedFinding]]:
    """The findings no waiver accepts, plus the waivers' own problems (graded too), and the waived.
    A rule that is not waivable is never waived, whatever the manifest says (loading refuses such a
    waiver; this keeps it so for any other way in). With `--base`, a waiver the base's manifest
    did not have, that waives a finding on code the change added or changed, is SG104: like a
    baseline entry (SG105), an exception cannot come in the change that needs it."""
    exempt = [f for f in findings if not table[f.code].waivable]
    at_base = _base_waivers(project.loaded, comparison) if comparison is not None else None

    def changed(finding: Finding) -> bool:
        assert comparison is not None
        return not _unchanged(finding, comparison, table)

    kept, waived, problems = waivers.apply(
        project, [f for f in findings if table[f.code].waivable], today, at_base, changed
    )
    return sorted(exempt + kept) + grade(problems, table, overrides), waived


def _base_waivers(loaded: LoadedManifest, comparison: Comparison) -> tuple[Waiver, ...]:
    """The waivers of the manifest at the base: none when it was missing or invalid there (then
    nothing at the base vouches for any waiver, as for the baseline's entries)."""
    manifest = comparison.base_manifest
    return manifest.waiver if manifest is not None else ()


def _unchanged(finding: Finding, comparison: Comparison, table: Mapping[str, Rule]) -> bool:
    """Is the finding on code as it was at the base: a method unchanged since it, or - for a
    structural finding (SG4, SG5, users' rules) that concerns no governed method - a file
    byte-for-byte the base's? Anything else (the manifest's own problems) is never "unchanged"."""
    change = comparison.of(finding.trait, finding.method)
    if change is not None:
        return change == "unchanged"
    rule = table[finding.code]
    structural = rule.family in ("SG4", "SG5", "custom")
    return structural and comparison.file_unchanged(finding.path)


def legacy(
    findings: list[Finding], comparison: Comparison | None, policy: str, table: Mapping[str, Rule]
) -> tuple[list[Finding], list[Finding]]:
    """(kept, dropped): findings on methods unchanged since the base follow the `legacy` policy
    ("error" keeps them, "warn" makes them warnings, "off" drops them); added and changed methods
    get every rule. Structural findings (SG4, SG5, users' rules) that concern no governed method
    follow it when their file is byte-for-byte the base's. Everything else - a store not found, a
    file that does not parse, the manifest's own problems - is always reported."""
    if comparison is None or policy == "error":
        return findings, []
    kept: list[Finding] = []
    dropped: list[Finding] = []
    for finding in findings:
        if not _unchanged(finding, comparison, table):
            kept.append(finding)
        elif policy == "off":
            dropped.append(finding)
        else:
            kept.append(dataclasses.replace(finding, severity="warning"))
    return kept, dropped


def select(findings: list[Finding], selection: Selection) -> list[Finding]:
    """The findings whose code the selection includes."""
    return [f for f in findings if selection.includes(f.code)]


def ratchet(
    findings: list[Finding], occurring: list[Finding], baseline: ratchet_file.Baseline, table: Mapping[str, Rule]
) -> tuple[list[Finding], list[Finding], int]:
    """(new, accepted by the baseline, entries fixed). An entry is fixed only when no finding
    occurs for it - not when `legacy` or `--select` merely hid its findings from this report."""
    from store_gate import baseline as ratchet_file  # only a project with a baseline reads one

    split = ratchet_file.split(findings, baseline.entries, table)
    fixed = ratchet_file.split(occurring, baseline.entries, table).fixed
    return split.new, split.known, fixed


def check(
    loaded: LoadedManifest,
    selection: Selection | None = None,
    today: dt.date | None = None,
    base: BaseRevision | None = None,
    baseline: Accepted | None = None,
    tree: SourceTree | None = None,
) -> CheckResult:
    if base is not None:
        from store_gate import git

        git.start_listing(base, loaded.root)  # the base's files, listed while the project is built
    try:
        project = build(loaded, tree)
        comparison: Comparison | None = None
        if base is not None:
            from store_gate.diff import compare

            comparison = compare(loaded, project, base)
    finally:
        if base is not None:
            git.drop_early()
    manifest = loaded.manifest
    table = rule_table(loaded)

    findings = produce(project, comparison, baseline)
    findings = grade(findings, table, manifest.severity)
    findings, waived = waive(project, findings, today or dt.date.today(), table, manifest.severity, comparison)
    occurring = list(findings)  # before legacy and --select hide some: what still occurs
    findings, legacy_dropped = legacy(findings, comparison, manifest.legacy, table)
    findings = select(findings, selection or Selection())
    known: list[Finding] = []
    fixed = 0
    if baseline is not None:
        findings, known, fixed = ratchet(findings, occurring, baseline.baseline, table)

    loaded.cache.save()
    return CheckResult(
        project,
        sorted(findings),
        waived,
        table,
        comparison=comparison,
        legacy_dropped=legacy_dropped,
        baselined=known,
        baseline_fixed=fixed,
        baseline_path=baseline.shown if baseline is not None else None,
        selection=selection or Selection(),
    )
