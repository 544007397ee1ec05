"""GitLab Code Quality: a JSON array of issues with a fingerprint, a severity and a location."""

from __future__ import annotations

import json

from store_gate.check import CheckResult
from store_gate.report import Presentation, fingerprints, printable_data

_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    """Paths relative to the repository's root, as GitLab reads them, wherever the gate ran."""
    entries = sorted(
        ((r.repository_path(f.path), f) for r in results for f in r.findings),
        key=lambda e: (e[0], e[1].line, e[1].column, e[1].code, e[1].message),
    )
    prints = fingerprints([f for _, f in entries])
    issues = [
        {
            "description": f"{finding.code} {finding.message}",
            "check_name": finding.code,
            "fingerprint": prints[finding],
            "severity": _SEVERITY.get(finding.severity, "info"),
            "location": {"path": path, "lines": {"begin": finding.line}},
        }
        for path, finding in entries
    ]
    return json.dumps(printable_data(issues), indent=2) + "\n"
