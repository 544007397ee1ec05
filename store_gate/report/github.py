"""GitHub Actions workflow commands: one annotation per finding, at its file, line and column.
(The step summary is the Markdown reporter's text; the CLI appends it to GITHUB_STEP_SUMMARY.)"""

from __future__ import annotations

from store_gate.check import CheckResult
from store_gate.display import one_line
from store_gate.report import Presentation, counts, located, partial_note, plural


def _data(text: str) -> str:
    """A workflow command's data: `%`, CR and LF escaped as GitHub reads them, other control
    characters (an ANSI escape in a literal) shown as escapes."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return one_line(escaped, 10_000)


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    lines = []
    for item in located(results):
        f = item.finding
        command = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
        lines.append(
            f"::{command} file={_property(item.path)},line={f.line},col={f.column},"
            f"title={_property(f.code)}::{_data(f.message)}"
        )
    errors, warnings = counts(results)
    for result in results:
        if result.comparison is not None:
            lines.append(f"store-gate: {result.comparison.summary()}")
    verdict = "gate failed" if any(r.failed for r in results) else "gate passed"
    partial = partial_note(results)
    if partial:
        verdict += f"; {partial}"
    lines.append(f"store-gate: {plural(errors, 'error')}, {plural(warnings, 'warning')}: {verdict}")
    return "\n".join(lines) + "\n"
