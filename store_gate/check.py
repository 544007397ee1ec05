"""One run of the gate over one manifest: model -> rules -> severities -> waivers -> findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from store_gate import rules, waivers
from store_gate.catalogue import RULES, Severity
from store_gate.config import LoadedManifest
from store_gate.findings import Finding
from store_gate.project import Project, build


@dataclass
class CheckResult:
    project: Project
    findings: list[Finding]  # what the user sees, sorted
    waived: list[waivers.WaivedFinding]

    def display_path(self, path: str) -> str:
        """A project-relative path as the user can open it from where they ran the gate."""
        return _display(self.project.loaded.root, path)

    @property
    def fail_on(self) -> str:
        return self.project.loaded.manifest.fail_on

    @property
    def failed(self) -> bool:
        levels = ("error",) if self.fail_on == "error" else ("error", "warning")
        return any(f.severity in levels for f in self.findings)


def check(loaded: LoadedManifest, selected: set[str] | None = None, today: dt.date | None = None) -> CheckResult:
    project = build(loaded)
    overrides = loaded.manifest.severity

    def severity(code: str) -> Severity:
        return overrides.get(code, RULES[code].severity)

    raw = sorted(set(rules.run(project)))
    graded = [dataclasses.replace(f, severity=severity(f.code)) for f in raw if severity(f.code) != "off"]
    kept, waived, waiver_findings = waivers.apply(project, graded, today or dt.date.today())
    findings = kept + [dataclasses.replace(f, severity=severity(f.code)) for f in waiver_findings]
    if selected is not None:
        findings = [f for f in findings if f.code in selected]
    loaded.cache.save()
    return CheckResult(project, sorted(findings), waived)


@lru_cache(maxsize=4096)
def _display(root: Path, path: str) -> str:
    full = root / path
    try:
        return Path(os.path.relpath(full)).as_posix()
    except ValueError:  # another drive on Windows
        return full.as_posix()
