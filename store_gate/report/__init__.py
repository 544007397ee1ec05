"""Reporters: each output format is one pure function from check results to text."""

from __future__ import annotations

from dataclasses import dataclass

from store_gate.check import CheckResult
from store_gate.findings import Finding


@dataclass(frozen=True, order=True)
class Located:
    """A finding with its path as the user sees it (relative to where the gate ran)."""

    path: str
    finding: Finding


def located(results: list[CheckResult]) -> list[Located]:
    return sorted(Located(r.display_path(f.path), f) for r in results for f in r.findings)


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural_form or word + 's'}"


def counts(results: list[CheckResult]) -> tuple[int, int]:
    """(errors, warnings) reported."""
    findings = [f for r in results for f in r.findings]
    return sum(f.severity == "error" for f in findings), sum(f.severity == "warning" for f in findings)
