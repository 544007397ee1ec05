"""SARIF 2.1.0: one run, every rule with its help, results with locations and stable
fingerprints (so code scanning follows a finding across commits); waived and baselined findings
are included as suppressed results."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from store_gate import __version__
from store_gate.catalogue import DOCS_URL, HOME_URL, RULES
from store_gate.check import CheckResult
from store_gate.display import raw_bytes
from store_gate.findings import Finding
from store_gate.report import Presentation, fingerprints, printable_data
from store_gate.rules.structural import AstGrepRule

FINGERPRINT_KEY = "storeGate/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _user_rule(rule: AstGrepRule) -> dict[str, Any]:
    return {
        "id": rule.rule.code,
        "name": rule.rule.code,
        "shortDescription": {"text": rule.rule.summary},
        "help": {"text": rule.rule.help, "markdown": rule.rule.help},
        "defaultConfiguration": {"level": _LEVEL.get(rule.rule.severity, "note")},
        "properties": {"tags": ["custom"], "source": rule.source},
    }


def _rules(results: list[CheckResult]) -> list[dict[str, Any]]:
    users = {r.rule.code: r for result in results for r in result.project.loaded.user_rules}
    return [*_catalogue_rules(), *(_user_rule(users[code]) for code in sorted(users))]


def _catalogue_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.section("What it does").replace("\n", " ")},
            "help": {"text": rule.doc_page(), "markdown": rule.doc_page()},
            "helpUri": f"{DOCS_URL}#{rule.code.lower()}",
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"tags": ["dynamodb", "access-pattern", rule.family]},
        }
        for rule in RULES.values()
    ]


def _result(
    path: str, finding: Finding, suppression: dict[str, str] | None, index: dict[str, int], fingerprint: str
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVEL.get(finding.severity, "note"),
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(raw_bytes(path)), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if suppression is not None:
        result["suppressions"] = [suppression]
    return result


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    entries: list[tuple[str, Finding, dict[str, str] | None]] = []
    for r in results:
        # Relative to the repository's root (%SRCROOT%), wherever the gate was run from.
        entries += [(r.repository_path(f.path), f, None) for f in r.findings]
        entries += [
            (r.repository_path(w.finding.path), w.finding, {"kind": "external", "justification": w.waiver.reason})
            for w in r.waived
        ]
        entries += [
            (r.repository_path(f.path), f, {"kind": "external", "justification": "in the store-gate baseline"})
            for f in r.baselined
        ]
    entries.sort(key=lambda e: (e[0], e[1].line, e[1].column, e[1].code, e[1].message))
    rules = _rules(results)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    prints = fingerprints([f for _, f, _ in entries])
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "store-gate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOME_URL,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(path, f, s, index, prints[f]) for path, f, s in entries],
            }
        ],
    }
    return json.dumps(printable_data(document), indent=2) + "\n"
