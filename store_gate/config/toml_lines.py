"""Where a TOML key is written: key path -> 1-based line.

`tomllib` gives values, not positions. Error messages must name the line, so this scans the text
once for table headers and `key =` lines. It is only built when a message needs a line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from store_gate.display import MAX_QUOTED, bounded

try:  # compiled wheels: several times faster than the pure-Python tomllib
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib keeps 3.11+ working without it
    import tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

TOMLDecodeError = tomllib.TOMLDecodeError
loads = tomllib.loads

_SEGMENT = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*')


def _split_key(text: str) -> tuple[str, ...] | None:
    """`a."b c".d` -> ("a", "b c", "d"); None when the text is not a key."""
    parts: list[str] = []
    pos = 0
    while True:
        m = _SEGMENT.match(text, pos)
        if not m:
            return None
        basic, literal, bare = m.groups()
        parts.append(_unescape(basic) if basic is not None else literal if literal is not None else bare)
        pos = m.end()
        if pos == len(text):
            return tuple(parts)
        if text[pos] != ".":
            return None
        pos += 1


def _unescape(basic: str) -> str:
    """A basic string's escapes read (`\\"` is `"`); TOML's are JSON's, but for `\\UXXXXXXXX`."""
    if "\\" not in basic:
        return basic
    try:
        value = json.loads(f'"{basic}"')
    except ValueError:
        return basic
    return value if isinstance(value, str) else basic


def _closing(line: str, start: int, bracket: str) -> int:
    """Where a table header's closing bracket is, outside quoted keys (`[a."[b]"]`); -1 if none."""
    if '"' not in line and "'" not in line:
        return line.find(bracket, start)
    quote: str | None = None
    escaped = False  # inside a basic string, after an odd run of backslashes
    for i in range(start, len(line)):
        ch = line[i]
        if quote:
            if ch == quote and not escaped:
                quote = None
            escaped = quote == '"' and ch == "\\" and not escaped
        elif ch in "\"'":
            quote = ch
        elif line.startswith(bracket, i):
            return i
    return -1


_BARE_KEY = re.compile(r"([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=")


def _key_before_equals(line: str) -> tuple[str, ...] | None:
    bare = _BARE_KEY.match(line)
    if bare:  # the common case, without a character loop
        return tuple(part.strip() for part in bare.group(1).split("."))
    depth_quote: str | None = None
    for i, ch in enumerate(line):
        if depth_quote:
            if ch == depth_quote:
                depth_quote = None
        elif ch in "\"'":
            depth_quote = ch
        elif ch == "=":
            return _split_key(line[:i])
    return None


class KeyLines:
    """The lines of a manifest's keys, scanned on the first question (a clean run of a manifest
    with 10,000 access patterns asks none)."""

    def __init__(self, text: str, prefix: tuple[Any, ...] = ()) -> None:
        self._text = text
        self._prefix = prefix
        self._scanned: tuple[dict[tuple[Any, ...], int], list[tuple[int, tuple[Any, ...]]]] | None = None

    @property
    def _lines(self) -> dict[tuple[Any, ...], int]:
        return self._scan()[0]

    @property
    def _headers(self) -> list[tuple[int, tuple[Any, ...]]]:
        return self._scan()[1]

    def _scan(self) -> tuple[dict[tuple[Any, ...], int], list[tuple[int, tuple[Any, ...]]]]:
        if self._scanned is None:
            self._scanned = ({}, [])
            self._read(self._text)
        return self._scanned

    def _read(self, text: str) -> None:
        array_counts: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] = ()
        in_multiline: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith("[["):
                close = _closing(line, 2, "]]")
                path = _split_key(line[2:close]) if close >= 0 else None
                if path is not None:
                    index = array_counts.get(path, 0)
                    array_counts[path] = index + 1
                    current = (*path, index)
                    self._record(current, number)
                    self._headers.append((number, current))
                continue
            if line.startswith("["):
                close = _closing(line, 1, "]")
                path = _split_key(line[1:close]) if close >= 0 else None
                if path is not None:
                    current = path
                    self._record(current, number)
                    self._headers.append((number, current))
                continue
            key = _key_before_equals(line)
            if key is not None:
                self._record((*current, *key), number)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_multiline = quote

    def _record(self, path: tuple[Any, ...], line: int) -> None:
        for i in range(1, len(path) + 1):
            self._lines.setdefault(path[:i], line)
        self._lines[path] = line

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """The line of the longest written prefix of `path` (inline tables share their line)."""
        full = (*self._prefix, *path)
        for i in range(len(full), len(self._prefix), -1):
            if full[:i] in self._lines:
                return self._lines[full[:i]]
        return None

    def key_at(self, text: str, line: int) -> tuple[Any, ...]:
        """The key a TOML syntax error at `line` is about: the header or key written on that
        line, else the table in force there."""
        lines = text.splitlines()
        raw = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        if raw.startswith("["):
            name = raw.strip("[]").strip()
            return _shown_key(_split_key(name) or (name,))
        current: tuple[Any, ...] = ()
        for number, path in self._headers:
            if number > line:
                break
            current = path
        key = _key_before_equals(raw)
        return _shown_key((*current, *key) if key else current)


def _shown_key(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """A key path as an error message names it: a path longer than 80 characters written out is
    one part, cut with "..." (a syntax error may sit on a line of any length)."""
    if sum(len(str(part)) + 1 for part in path) <= MAX_QUOTED:
        return path
    return (bounded(".".join(str(part) for part in path)),)
