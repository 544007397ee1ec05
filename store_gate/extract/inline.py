"""`@access` declarations in doc text, for every language.

The declaration is one TOML inline table. It may continue over the following doc lines until its
braces balance (braces inside strings, such as `{dialogue_id}`, do not count); the lines are
joined with spaces, which keeps it one TOML inline table.
"""

from __future__ import annotations

from collections.abc import Sequence

from store_gate.extract.model import InlineDeclaration, SourceLocation

MARKER = "@access"


def _balance(text: str, depth: int) -> int:
    """Brace depth after `text`, outside of TOML strings."""
    quote: str | None = None
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
    return depth


def access_declarations(lines: Sequence[tuple[SourceLocation, str]]) -> list[InlineDeclaration]:
    """Every `@access { ... }` in the doc lines (comment markers already stripped)."""
    found = []
    i = 0
    while i < len(lines):
        location, line = lines[i]
        at = line.find(MARKER)
        if at < 0:
            i += 1
            continue
        parts = [line[at + len(MARKER) :].strip()]
        depth = _balance(parts[0], 0)
        while depth > 0 and i + 1 < len(lines):
            i += 1
            continuation = lines[i][1].strip()
            parts.append(continuation)
            depth = _balance(continuation, depth)
        found.append(InlineDeclaration(" ".join(p for p in parts if p), location))
        i += 1
    return found
