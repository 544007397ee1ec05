"""`path:line:col: CODE message`, then what was verified and a one-line summary."""

from __future__ import annotations

from collections import Counter

from store_gate.check import CheckResult


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render(results: list[CheckResult]) -> str:
    lines: list[str] = []
    findings = sorted((result.display_path(f.path), f) for result in results for f in result.findings)
    for path, finding in findings:
        lines.append(f"{path}:{finding.line}:{finding.column}: {finding.code} {finding.message}")
    for result in results:
        lines.extend(_verified(result))
    errors = sum(1 for _, f in findings if f.severity == "error")
    warnings = sum(1 for _, f in findings if f.severity == "warning")
    if not findings:
        lines.append("All checks passed.")
    else:
        failed = any(r.failed for r in results)
        verdict = "gate failed" if failed else 'gate passed (warnings do not fail with fail_on = "error")'
        lines.append(f"Found {_plural(errors, 'error')} and {_plural(warnings, 'warning')}: {verdict}.")
    return "\n".join(lines) + "\n"


def _verified(result: CheckResult) -> list[str]:
    project = result.project
    out = []
    for store in project.stores:
        if not store.found:
            continue
        traits = store.trait_names
        methods = [m for m in project.methods if m.trait in traits]
        declared = [d for d in (project.declaration(m) for m in methods) if d is not None]
        ops = Counter(d.pattern.op for d in declared)
        supers = f" (+ {', '.join(traits[1:])})" if len(traits) > 1 else ""
        origin = Counter(d.origin for d in declared)
        out.append(
            f"{store.config.trait}{supers}: {_plural(len(methods), 'method')}, {len(declared)} with an access pattern "
            f"({origin['manifest']} in {project.manifest_path}, {origin['inline']} inline), checked against "
            f"{project.table.describe()}"
        )
        if ops:
            out.append("  operations: " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
    for waived in result.waived:
        f = waived.finding
        out.append(f"  waived: {f.code} {f.subject} ({waived.waiver.reason})")
    return out
