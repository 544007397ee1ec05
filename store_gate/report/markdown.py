"""A Markdown summary: the verdict, the findings, and the access patterns of the methods the
change added or changed. GitHub's step summary and pull-request comments use it."""

from __future__ import annotations

from store_gate.check import CheckResult
from store_gate.display import markdown, one_line
from store_gate.report import Presentation, counts, located, partial_note, plural


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    errors, warnings = counts(results)
    failed = any(r.failed for r in results)
    verdict = "gate failed" if failed else "gate passed"
    lines = [f"## store-gate: {verdict} ({plural(errors, 'error')}, {plural(warnings, 'warning')})", ""]
    partial = partial_note(results)
    if partial:
        lines += [partial[0].upper() + partial[1:] + ".", ""]
    for result in results:
        if result.comparison is not None:
            summary = result.comparison.summary()
            lines += [summary[0].upper() + summary[1:] + ".", ""]
    findings = located(results)
    if findings:
        lines += ["| | location | rule | message |", "|---|---|---|---|"]
        for item in findings:
            f = item.finding
            mark = "error" if f.severity == "error" else "warning"
            lines.append(f"| {mark} | {_code(f'{item.path}:{f.line}')} | {f.code} | {markdown(f.message)} |")
        lines.append("")
    for result in results:
        lines += _access_table(result)
        if result.baseline_fixed:
            lines += [
                f"The baseline can be tightened: {plural(result.baseline_fixed, 'entry', 'entries')} fixed "
                "(`store-gate baseline --update`).",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def _access_table(result: CheckResult) -> list[str]:
    comparison = result.comparison
    if comparison is None:
        return ["Run with `--base` to list the access patterns of the methods a change adds or changes.", ""]
    project = result.project
    touched = [m for m in project.methods if comparison.of(m.trait, m.name) in ("added", "changed")]
    if not touched and not comparison.removed:
        return ["This change adds or changes no governed method.", ""]
    lines = [
        "### Access patterns of the methods this change added or changed",
        "",
        "| method | change | op | index | key | page / limit |",
        "|---|---|---|---|---|---|",
    ]
    for method in sorted(touched, key=lambda m: (m.trait, m.name)):
        declared = project.declaration(method)
        change = comparison.of(method.trait, method.name)
        if declared is None:
            lines.append(f"| {_code(method.qualified_name)} | {change} | **undeclared** | | | |")
            continue
        for label, p in declared.pattern.operations() or [(None, declared.pattern)]:
            key = ", ".join(f"{k} = {c.render()}" for k, c in p.key.items())
            bound = p.page or (str(p.limit) if p.limit is not None else "")
            op = p.op or declared.pattern.form
            name = method.qualified_name + (f" ({label})" if label else "")
            lines.append(
                f"| {_code(name)} | {change} | {markdown(op)} | {markdown(p.index or 'table')} | "
                f"{markdown(key)} | {markdown(bound)} |"
            )
    for trait, name in comparison.removed:
        lines.append(f"| {_code(f'{trait}.{name}')} | removed | | | | |")
    return [*lines, ""]


def _code(text: str) -> str:
    """Inline code from the checked files (no HTML renders in a code span): one line, and no
    backtick or table pipe that could close it early."""
    shown = one_line(text, 1000).replace("`", "'").replace("|", "\\|")
    return f"`{shown}`"
