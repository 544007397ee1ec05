"""Findings as the rows the bypass and hostile-review tests compare, and the sources they share.

A row is (code, path, line, message); an expected row may give only the start of the message
(`matches`) or a distinctive part of it (`assert_findings`), so that a test pins the whole list of
findings without repeating every suggestion the gate writes.
"""

from __future__ import annotations

from conftest import Gate

Row = tuple[str, str, int, str]

# A Rust method's inline declaration: a GetItem by `id`.
RUST_GET = '/// @access { op = "GetItem", key = { pk = "P#{id}", sk = "META" } }'
# The TypeScript stores' paths and their domain model.
TS_PATHS = '["src/**/*.ts"]'
TS_MODEL = """
export interface Round {
  dialogue_id: string;
  round: number;
}
"""


def rows(gate: Gate) -> list[Row]:
    """The run's findings, in the gate's order."""
    return [(f.code, f.path, f.line, f.message) for f in gate.findings()]


def sg101(path: str, line: int, qualified: str) -> Row:
    """The SG101 of a method: its message, up to the suggested declaration."""
    trait, method = qualified.split(".")
    return (
        "SG101",
        path,
        line,
        f"{qualified} has no access pattern; declare it in store-gate.toml under [access.{trait}.{method}]",
    )


def matches(actual: list[Row], expected: list[Row]) -> bool:
    """Same findings, in order, each message starting with the expected text."""
    return len(actual) == len(expected) and all(
        a[:3] == e[:3] and a[3].startswith(e[3]) for a, e in zip(actual, expected)
    )


def assert_findings(gate: Gate, *expected: Row) -> None:
    """The findings are exactly `expected`: (code, path, line, a distinctive part of the message)."""
    got = sorted(rows(gate), key=lambda f: f[:3])
    want = sorted(expected, key=lambda f: f[:3])
    if len(got) == len(want):
        got = [(*g[:3], w[3] if w[3] in g[3] else g[3]) for g, w in zip(got, want)]
    assert got == want
