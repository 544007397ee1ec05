"""Reporters: each output format is one module with a pure `render(results) -> str`, registered
in `REPORTERS` - the CLI's `--format` choices come from this table. Modules are imported on use."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store_gate.check import CheckResult
    from store_gate.findings import Finding


@dataclass(frozen=True)
class Presentation:
    """How a human-facing format shows results (machine formats ignore it)."""

    quiet: bool = False  # findings only, no summary
    show_source: bool = False  # the offending line under each finding, with a caret
    color: bool = False  # ANSI colours for severities and codes
    statistics: bool = False  # a count per rule after the findings


@dataclass(frozen=True)
class Reporter:
    name: str
    module: str
    summary: str

    def render(self, results: list[CheckResult], presentation: Presentation | None = None) -> str:
        """The format's text; no lone surrogate survives in it (each reporter already escapes the
        paths and messages it shows; this holds for any line a future one forgets)."""
        from store_gate.display import printable

        text: str = import_module(self.module).render(results, presentation or Presentation())
        return printable(text)


REPORTERS: dict[str, Reporter] = {
    reporter.name: reporter
    for reporter in (
        Reporter("text", "store_gate.report.text", "path:line:col: CODE message, then a summary"),
        Reporter("json", "store_gate.report.json", "every governed method and finding (schema version 1)"),
        Reporter("sarif", "store_gate.report.sarif", "SARIF 2.1.0, for code scanning"),
        Reporter("github", "store_gate.report.github", "GitHub Actions annotations"),
        Reporter("markdown", "store_gate.report.markdown", "a summary for a pull-request comment"),
        Reporter("gitlab", "store_gate.report.gitlab", "GitLab Code Quality JSON"),
        Reporter("junit", "store_gate.report.junit", "JUnit XML, for GitLab, Jenkins and Azure test reports"),
    )
}


@dataclass(frozen=True, order=True)
class Located:
    """A finding with its path as the user sees it (relative to where the gate ran)."""

    path: str
    finding: Finding


def located(results: list[CheckResult]) -> list[Located]:
    from store_gate.display import printable

    return sorted(Located(printable(r.display_path(f.path)), f) for r in results for f in r.findings)


def printable_data(value: Any) -> Any:
    """A JSON document with every string (keys too) shown printable: a file name that is not
    UTF-8 as `st\\xffore.py`, a lone surrogate from a checked file as `\\ud800` - never a
    surrogate escape that a strict JSON reader refuses."""
    from store_gate.display import printable

    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k) if isinstance(k, str) else k: printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable_data(v) for v in value]
    return value


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural_form or word + 's'}"


def counts(results: list[CheckResult]) -> tuple[int, int]:
    """(errors, warnings) reported."""
    findings = [f for r in results for f in r.findings]
    return sum(f.severity == "error" for f in findings), sum(f.severity == "warning" for f in findings)


def partial_note(results: list[CheckResult]) -> str | None:
    """Why a run with --select is not a pass of the gate, or None for a full run."""
    left_out = sorted({family for result in results for family in result.partial})
    if not left_out:
        return None
    how = next(r.selection.describe() for r in results if r.partial)
    verb = "were" if len(left_out) > 1 else "was"
    listed = left_out[0] if len(left_out) == 1 else ", ".join(left_out[:-1]) + " and " + left_out[-1]
    return f"partial run ({how}): {listed} {verb} not checked, so this is not a pass of the gate"


def fingerprints(findings: list[Finding]) -> dict[Finding, str]:
    """A distinct, stable fingerprint for each finding: its own (rule, subject, message without
    line numbers), and among findings that share one, an occurrence index in file order - never
    a line number, so moving code keeps every identity."""
    import hashlib

    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.fingerprint, []).append(finding)
    out: dict[Finding, str] = {}
    for base, group in groups.items():
        for i, finding in enumerate(sorted(set(group), key=lambda f: (f.path, f.line, f.column))):
            out[finding] = base if i == 0 else hashlib.sha256(f"{base}\0{i}".encode()).hexdigest()[:32]
    return out
