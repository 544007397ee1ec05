"""`path:line:col: CODE message`, then what was verified and a one-line summary."""

from __future__ import annotations

from collections import Counter

from store_gate.check import CheckResult
from store_gate.config.model import AccessPattern
from store_gate.display import one_line
from store_gate.findings import Finding
from store_gate.report import Presentation, counts, located, partial_note, plural
from store_gate.waivers import WaivedFinding

_STYLE = {"path": "1", "error": "1;31", "warning": "1;33", "info": "1;36", "code": "1;35", "ok": "1;32"}


def _paint(text: str, style: str, presentation: Presentation) -> str:
    return f"\x1b[{_STYLE[style]}m{text}\x1b[0m" if presentation.color else text


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    presentation = presentation or Presentation()
    lines: list[str] = []
    findings = located(results)
    for item in findings:
        f = item.finding
        where = _paint(f"{one_line(item.path)}:{f.line}:{f.column}:", "path", presentation)
        code = _paint(f.code, f.severity if f.severity in _STYLE else "code", presentation)
        lines.append(f"{where} {code} {one_line(f.message, 10_000)}")
        if presentation.show_source:
            lines.extend(_source(results, item.finding))
    if presentation.statistics:
        lines.extend(_statistics(results))
    if presentation.quiet:
        return "\n".join(lines) + "\n" if lines else ""
    many = len(results) > 1
    for result in results:
        lines.extend(f"{result.project.loaded.display_path}: {line}" if many else line for line in _verified(result))
        lines.extend(_ratchets(result))
    errors, warnings = counts(results)
    partial = partial_note(results)
    if not findings and partial:
        lines.append(f"No findings in the selected rules; {partial}.")
    elif not findings:
        lines.append(_paint("All checks passed.", "ok", presentation))
    else:
        failed = any(r.failed for r in results)
        verdict = "gate failed" if failed else 'gate passed (warnings do not fail with fail_on = "error")'
        if partial:
            verdict += f"; {partial}"
        lines.append(f"Found {plural(errors, 'error')} and {plural(warnings, 'warning')}: {verdict}.")
    return "\n".join(lines) + "\n"


def _source(results: list[CheckResult], finding: Finding) -> list[str]:
    """The finding's line in its file, and a caret under its column."""
    for result in results:
        if finding in result.findings:
            text = (
                result.project.sources.text(finding.path)
                if finding.path != result.project.manifest_path
                else (result.project.loaded.text)
            )
            rows = text.splitlines() if text else []
            if 0 < finding.line <= len(rows):
                row = one_line(rows[finding.line - 1].expandtabs(4), 300)
                return [f"    {row}", "    " + " " * max(finding.column - 1, 0) + "^"]
    return []


def _statistics(results: list[CheckResult]) -> list[str]:
    """How many findings of each rule, most frequent first (ruff's --statistics)."""
    counted = Counter(f.code for r in results for f in r.findings)
    names = {code: rule.name for r in results for code, rule in r.rules.items()}
    return [
        f"{n:>5}  {code:<7}  {names.get(code, code)}"
        for code, n in sorted(counted.items(), key=lambda i: (-i[1], i[0]))
    ]


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


def _operations(pattern: AccessPattern) -> list[str]:
    """What a declaration counts as in the summary: its operation (a transaction or batch once),
    each step's or alternative's, "TTL expiry", "delegated", or "none"."""
    if pattern.form == "expiry":
        return ["TTL expiry"]
    if pattern.form == "delegates":
        return ["delegated"]
    if pattern.op is not None:
        return [pattern.op]
    return [op for part in (*pattern.steps, *pattern.alternatives) for op in _operations(part)]


def _verified(result: CheckResult) -> list[str]:
    project = result.project
    out = []
    per_store: list[list[WaivedFinding]] = []
    for store in project.stores:
        if not store.found:
            continue
        traits = store.trait_names
        methods = [m for m in project.methods if m.trait in traits]
        declared = [d for d in (project.declaration(m) for m in methods) if d is not None]
        ops: Counter[str] = Counter()
        tables: dict[str | None, None] = {}
        for d in declared:
            ops.update(_operations(d.pattern))
            for _, leaf in d.pattern.operations():
                tables[project.table_name(d.trait, leaf)] = None
        if not tables:
            tables[project.table_name(store.config.trait, AccessPattern(op="GetItem"))] = None
        supers = f" (+ {', '.join(traits[1:])})" if len(traits) > 1 else ""
        origin = Counter(d.origin for d in declared)
        checked = " and ".join(schema.describe() for name in tables if (schema := project.schema_of(name)) is not None)
        out.append(
            f"{store.config.trait}{supers}: {plural(len(methods), 'method')}, {len(declared)} with an access pattern "
            f"({origin['manifest']} in {project.manifest_path}, {origin['inline']} inline), checked against "
            f"{checked}"
        )
        if ops:
            out.append("  operations: " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
        if store.unresolved:
            named = ", ".join(f"{h.written} (named by {trait})" for trait, h in store.unresolved)
            out.append(f"  named but not found, so not governed: {named}")
        if store.external:
            named = ", ".join(f"{h.written} (named by {trait})" for trait, h in store.external)
            out.append(f"  external, governed elsewhere: {named}")
        mine = [w for w in result.waived if w.finding.trait in traits]
        per_store.append(mine)
        out.extend(f"  waived: {w.finding.code} {w.finding.subject} ({w.waiver.reason})" for w in mine)
    shown = {id(w) for lines in per_store for w in lines}
    for waived in result.waived:
        if id(waived) not in shown:
            f = waived.finding
            out.append(f"  waived: {f.code} {f.subject} ({waived.waiver.reason})")
    return out
