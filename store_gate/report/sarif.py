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
from store_gate.findings import Finding

FINGERPRINT_KEY = "storeGate/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _custom_rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.message.splitlines()[0] if rule.message else rule.id},
        "help": {"text": rule.note or rule.message, "markdown": rule.note or rule.message},
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "note")},
        "properties": {"tags": ["custom"], "source": rule.source},
    }


def _rules(results: list[CheckResult]) -> list[dict[str, Any]]:
    custom = sorted({r.id: r for result in results for r in result.custom_rules}.values(), key=lambda r: r.id)
    return [*_catalogue_rules(), *(_custom_rule(r) for r in custom)]


def _catalogue_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.what.replace("\n", " ")},
            "help": {"text": rule.doc_page(), "markdown": rule.doc_page()},
            "helpUri": f"{DOCS_URL}#{rule.code.lower()}",
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"tags": ["dynamodb", "access-pattern", rule.family]},
        }
        for rule in RULES.values()
    ]


def _result(path: str, finding: Finding, suppression: dict[str, str] | None, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVEL.get(finding.severity, "note"),
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if suppression is not None:
        result["suppressions"] = [suppression]
    return result


def render(results: list[CheckResult]) -> str:
    entries: list[tuple[str, Finding, dict[str, str] | None]] = []
    for r in results:
        entries += [(r.display_path(f.path), f, None) for f in r.findings]
        entries += [
            (r.display_path(w.finding.path), w.finding, {"kind": "external", "justification": w.waiver.reason})
            for w in r.waived
        ]
        entries += [
            (r.display_path(f.path), f, {"kind": "external", "justification": "in the store-gate baseline"})
            for f in r.baselined
        ]
    entries.sort(key=lambda e: (e[0], e[1].line, e[1].column, e[1].code, e[1].message))
    rules = _rules(results)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
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
                "results": [_result(path, f, s, index) for path, f, s in entries],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
