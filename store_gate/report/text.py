"""`path:line:col: CODE message`, then what was verified and a one-line summary."""

from __future__ import annotations

from collections import Counter

from store_gate.check import CheckResult
from store_gate.display import one_line
from store_gate.report import counts, located, partial_note, plural


def render(results: list[CheckResult]) -> str:
    lines: list[str] = []
    findings = located(results)
    for item in findings:
        f = item.finding
        lines.append(f"{one_line(item.path)}:{f.line}:{f.column}: {f.code} {one_line(f.message, 10_000)}")
    for result in results:
        lines.extend(_verified(result))
        lines.extend(_ratchets(result))
    errors, warnings = counts(results)
    partial = partial_note(results)
    if not findings and partial:
        lines.append(f"No findings in the selected rules; {partial}.")
    elif not findings:
        lines.append("All checks passed.")
    else:
        failed = any(r.failed for r in results)
        verdict = "gate failed" if failed else 'gate passed (warnings do not fail with fail_on = "error")'
        if partial:
            verdict += f"; {partial}"
        lines.append(f"Found {plural(errors, 'error')} and {plural(warnings, 'warning')}: {verdict}.")
    return "\n".join(lines) + "\n"


def _ratchets(result: CheckResult) -> list[str]:
    """What --base and the baseline did to the findings."""
    out = []
    comparison = result.comparison
    if comparison is not None:
        out.append(f"store-gate: {comparison.summary()}")
        legacy = result.project.loaded.manifest.legacy
        if result.legacy_dropped:
            out.append(
                f"  {plural(len(result.legacy_dropped), 'finding')} on unchanged legacy methods not reported "
                f'(legacy = "{legacy}")'
            )
        elif legacy == "warn":
            out.append('  findings on unchanged legacy methods are warnings (legacy = "warn")')
    if result.baseline_path is not None:
        out.append(f"store-gate: {plural(len(result.baselined), 'finding')} accepted by {result.baseline_path}")
        if result.baseline_fixed:
            out.append(
                f"  the baseline can be tightened: {plural(result.baseline_fixed, 'entry', 'entries')} fixed "
                "(run store-gate baseline --update)"
            )
    return out


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
            f"{store.config.trait}{supers}: {plural(len(methods), 'method')}, {len(declared)} with an access pattern "
            f"({origin['manifest']} in {project.manifest_path}, {origin['inline']} inline), checked against "
            f"{project.table.describe()}"
        )
        if ops:
            out.append("  operations: " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
        if store.unresolved:
            named = ", ".join(f"{h.written} (named by {trait})" for trait, h in store.unresolved)
            out.append(f"  named but not found, so not governed: {named}")
        if store.external:
            named = ", ".join(f"{h.written} (named by {trait})" for trait, h in store.external)
            out.append(f"  external, governed elsewhere: {named}")
    for waived in result.waived:
        f = waived.finding
        out.append(f"  waived: {f.code} {f.subject} ({waived.waiver.reason})")
    return out
