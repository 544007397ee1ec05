"""GitLab Code Quality: a JSON array of issues with a fingerprint, a severity and a location."""

from __future__ import annotations

import json

from store_gate.check import CheckResult
from store_gate.report import located

_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render(results: list[CheckResult]) -> str:
    issues = [
        {
            "description": f"{item.finding.code} {item.finding.message}",
            "check_name": item.finding.code,
            "fingerprint": item.finding.fingerprint,
            "severity": _SEVERITY.get(item.finding.severity, "info"),
            "location": {"path": item.path, "lines": {"begin": item.finding.line}},
        }
        for item in located(results)
    ]
    return json.dumps(issues, indent=2) + "\n"
