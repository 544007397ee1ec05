"""Machine-readable output, schema version 1 (documented in the README).

Lists every governed method - with its declared access pattern or none, and whether a waiver
applies - not only the findings, so that other tools can build on what the gate verified.
"""

from __future__ import annotations

import json
from typing import Any

from store_gate import __version__
from store_gate.check import CheckResult
from store_gate.extract.model import Method
from store_gate.findings import Finding
from store_gate.languages import language_of
from store_gate.report import Presentation, printable_data
from store_gate.schema.table import KeySchemaAttribute, TableSchema

SCHEMA_VERSION = 1


def _finding(result: CheckResult, f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "path": result.display_path(f.path),
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "trait": f.trait,
        "method": f.method,
    }


def _key(attributes: tuple[KeySchemaAttribute, ...]) -> list[dict[str, str]]:
    return [{"name": a.name, "type": a.type} for a in attributes]


def _table(table: TableSchema) -> dict[str, Any]:
    """A table as the checks saw it. `partition_key`/`sort_key` are the first key attribute (all
    a table or LSI has); `partition_keys`/`sort_keys` list every one of a multi-attribute GSI key."""
    return {
        "name": table.name,
        "partition_key": {"name": table.base.partition_key.name, "type": table.base.partition_key.type},
        "sort_key": (
            {"name": table.base.sort_key.name, "type": table.base.sort_key.type} if table.base.sort_key else None
        ),
        "ttl": table.ttl_attribute,
        "indexes": [
            {
                "name": i.name,
                "kind": i.kind,
                "partition_key": i.partition_key.name,
                "sort_key": i.sort_key.name if i.sort_key else None,
                "partition_keys": _key(i.partition_keys),
                "sort_keys": _key(i.sort_keys),
                "projection": str(i.projection),
            }
            for i in table.indexes.values()
        ],
    }


def _parameters(method: Method) -> list[dict[str, Any]]:
    """Each parameter with its type and the class the key checks see in it (text, number, bytes,
    bool, collection; unknown for a type of the project's own, which SG208 lets pass)."""
    language = language_of(method.location.path)
    return [
        {"name": p.name, "type": p.type, "class": language.type_class(p.type) if language else "unknown"}
        for p in method.parameters
    ]


def _manifest(result: CheckResult) -> dict[str, Any]:
    project = result.project
    waived_codes: dict[str, list[str]] = {}
    for w in result.waived:
        if w.finding.subject:
            waived_codes.setdefault(w.finding.subject, []).append(w.finding.code)
    methods = []
    for method in sorted(project.methods, key=lambda m: (m.location, m.name)):
        declaration = project.declaration(method)
        methods.append(
            {
                "trait": method.trait,
                "name": method.name,
                "path": result.display_path(method.location.path),
                "line": method.location.line,
                "column": method.location.column,
                "parameters": _parameters(method),
                "return_type": method.return_type,
                "access": declaration.pattern.to_data() if declaration else None,
                "declared_in": declaration.origin if declaration else None,
                "declaration": (
                    f"{result.display_path(declaration.location.path)}:{declaration.location.line}"
                    if declaration
                    else None
                ),
                "waived": sorted(waived_codes.get(method.qualified_name, [])),
                "change": result.comparison.of(method.trait, method.name) if result.comparison else None,
            }
        )
    return {
        "path": result.display_path(project.manifest_path),
        "fail_on": result.fail_on,
        "table": _table(project.table),
        "tables": {name: _table(loaded.schema) for name, loaded in project.loaded.tables.items() if name is not None},
        "stores": [
            {"trait": s.config.trait, "found": s.found, "traits": s.trait_names, "files": len(s.files)}
            for s in project.stores
        ],
        "methods": methods,
        "base": (
            {
                "requested": result.comparison.base.requested,
                "commit": result.comparison.base.commit,
                "source": result.comparison.base.source,
                "removed": [f"{t}.{m}" for t, m in result.comparison.removed],
            }
            if result.comparison
            else None
        ),
        "baseline": (
            {"path": result.baseline_path, "accepted": len(result.baselined), "fixed": result.baseline_fixed}
            if result.baseline_path
            else None
        ),
    }


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    findings = sorted(
        (_finding(r, f) for r in results for f in r.findings),
        key=lambda d: (d["path"], d["line"], d["column"], d["code"], d["message"]),
    )
    waived = [dict(_finding(r, w.finding), reason=w.waiver.reason) for r in results for w in r.waived]
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "store-gate", "version": __version__},
        "manifests": [_manifest(r) for r in results],
        "findings": findings,
        "waived": waived,
        "summary": {
            "errors": sum(1 for f in findings if f["severity"] == "error"),
            "warnings": sum(1 for f in findings if f["severity"] == "warning"),
            "methods": sum(len(r.project.methods) for r in results),
            "declared": sum(1 for r in results for m in r.project.methods if r.project.declaration(m)),
            "failed": any(r.failed for r in results),
            "partial": sorted({family for r in results for family in r.partial}),
        },
    }
    return json.dumps(printable_data(document), indent=2, sort_keys=False, default=str) + "\n"
