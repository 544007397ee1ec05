"""The bounds an infrastructure file is read within, whatever it holds.

A gate reads files that a pull request controls. Before anything is parsed, the file is a regular
file (never a FIFO, a device or a directory: `stat` first, then opened without blocking) of at
most `MAX_FILE_BYTES`; JSON and HCL nesting is measured by a scan of brackets outside strings and
comments, YAML nesting and aliases while the document is composed; numbers longer than
`MAX_NUMBER_DIGITS` are refused before they are converted. What a message quotes from the file is
capped (`quote`) and made one line, so no value of any size or shape reaches a message whole.
"""

from __future__ import annotations

import re
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from store_gate.bounds import MAX_ALIAS_NODES, MAX_FILE_BYTES, MAX_NESTING, MAX_NUMBER_DIGITS
from store_gate.display import one_line

__all__ = ["MAX_ALIAS_NODES", "MAX_FILE_BYTES", "MAX_NESTING", "MAX_NUMBER_DIGITS"]

# YAML and HCL are parsed in pure Python - PyYAML's own composer, whose hooks bound nesting and
# aliases, at ~100 KB a second on dense input; python-hcl2 at ~35 KB a second - so they are read
# only up to sizes no real definition of a table reaches: 1 MB of YAML (CloudFormation's own
# limit for a template), 256 KB of HCL. Parsing either takes at most ~10 seconds.
MAX_YAML_BYTES = 1024 * 1024
MAX_HCL_BYTES = 256 * 1024
# CDK source and pynamodb models are parsed by ast-grep (~15 MB a second, far less on deeply
# nested text) and Python's own parser: 1 MB, more than any stack or models module needs.
MAX_SOURCE_BYTES = 1024 * 1024
MAX_QUOTE = 60  # characters of a value from the file that a message quotes


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES (read as every project file is:
    `store_gate.sources.read_regular`); anything else is an ImportProblem."""
    from store_gate.schema.importers import ImportProblem
    from store_gate.sources import Unreadable, read_regular

    try:
        return read_regular(path, MAX_FILE_BYTES)
    except Unreadable as exc:
        if exc.reason.startswith("too large"):
            raise too_large(path.stat().st_size) from None
        raise ImportProblem(exc.reason) from None


def too_large(size: int, limit: int = MAX_FILE_BYTES, files: str = "infrastructure files") -> Exception:
    from store_gate.schema.importers import ImportProblem

    return ImportProblem(
        f"the file is larger than {_size(limit)} ({size} bytes); {files} are read up to {_size(limit)} "
        "- declare [table] in the manifest instead"
    )


# What a message may say about a value from the file -------------------------------------------


def cap(value: str) -> str:
    """A string from the file as it is written (an HCL expression), one line, at most MAX_QUOTE
    characters of it."""
    return one_line(value if len(value) <= MAX_QUOTE else value[: MAX_QUOTE - 3] + "...", MAX_QUOTE * 4)


def quote(value: str) -> str:
    """A string from the file, as a message quotes it: double quotes, one line, at most MAX_QUOTE
    characters of it."""
    text = value if len(value) <= MAX_QUOTE else value[: MAX_QUOTE - 3] + "..."
    return '"' + one_line(text.replace("\\", "\\\\").replace('"', '\\"'), MAX_QUOTE * 4) + '"'


def describe(value: Any) -> str:
    """What a value is, for `expected ..., got <describe>`: containers by their kind only (an
    aliased YAML structure is never walked), scalars quoted and capped."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, (int, float)):
        return f"the number {show_number(value)}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}" if value else "an empty list"
    if isinstance(value, dict):
        keys = list(islice(value, 3))
        shown = ", ".join(quote(k) if isinstance(k, str) else describe(k) for k in keys)
        more = ", ..." if len(value) > 3 else ""
        return f"a mapping ({shown}{more})" if value else "an empty mapping"
    return f"a value of type {type(value).__name__}"


def show_number(value: int | float) -> str:
    text = repr(value)  # bounded: numbers are at most MAX_NUMBER_DIGITS long when read
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 3] + "..."


# Nesting and numbers, before parsing -----------------------------------------------------------


class NumberTooLong(Exception):
    def __init__(self, literal: str) -> None:
        super().__init__(literal[:MAX_QUOTE])
        self.length = len(literal)
        self.literal = literal


def too_deep(line: int | None) -> Exception:
    from store_gate.schema.importers import ImportProblem

    where = f" at line {line}" if line else ""
    return ImportProblem(
        f"nested deeper than {MAX_NESTING} levels{where}; no table definition nests that deep", line=line
    )


def too_long(length: int, line: int | None) -> Exception:
    from store_gate.schema.importers import ImportProblem

    where = f" at line {line}" if line else ""
    return ImportProblem(
        f"number too long: {length} characters{where}; numbers are read up to {MAX_NUMBER_DIGITS} digits", line=line
    )


_OPEN, _CLOSE = "[{(", "]})"
_STEP = {**dict.fromkeys(_OPEN, 1), **dict.fromkeys(_CLOSE, -1)}
_BRACKET = re.compile(r"[\[\]{}()]")
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_HCL_STRING = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_JSON_TOKENS = re.compile(rf"(?P<skip>{_JSON_STRING})|(?P<bracket>[\[\]{{}}()])")
# HCL: strings, comments (an unterminated block comment runs to the end), heredoc openers (their
# body is skipped up to the closing marker, found with one search), brackets, long digit runs.
_HCL_TOKENS = re.compile(
    rf"(?P<skip>{_HCL_STRING}|#[^\n]*|//[^\n]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\*+\Z|\Z))"
    r"|<<-?[ \t]*(?P<heredoc>[A-Za-z_][\w-]*)[ \t]*\n"
    r"|(?P<bracket>[\[\]{}()])"
    r"|(?P<number>\d+)"
)


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def check_json(text: str) -> None:
    """Refuse JSON nested deeper than MAX_NESTING before it is parsed: brackets outside strings
    are counted (C-speed regex passes; the line is searched for only when the bound is exceeded)."""
    skeleton = re.sub(_JSON_STRING, "", text)
    steps = map(_STEP.__getitem__, _BRACKET.findall(skeleton))
    if max(accumulate(steps), default=0) <= MAX_NESTING:
        return
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        if match.lastgroup == "bracket":
            depth += _STEP[match.group()]
            if depth > MAX_NESTING:
                raise too_deep(_line(text, match.start()))
    raise too_deep(None)  # pragma: no cover - the two passes count the same brackets


def check_hcl(text: str) -> None:
    """Refuse HCL nested deeper than MAX_NESTING, or with a number longer than MAX_NUMBER_DIGITS,
    before it is parsed (python-hcl2 recurses per level and converts numbers with `int`)."""
    depth = 0
    position = 0
    while True:
        match = _HCL_TOKENS.search(text, position)
        if match is None:
            return
        position = match.end()
        kind = match.lastgroup
        if kind == "bracket":
            depth = max(depth + _STEP[match.group()], 0)
            if depth > MAX_NESTING:
                raise too_deep(_line(text, match.start()))
        elif kind == "number" and len(match.group()) > MAX_NUMBER_DIGITS:
            raise too_long(len(match.group()), _line(text, match.start()))
        elif kind == "heredoc":
            marker = re.escape(match.group("heredoc"))
            end = re.compile(rf"^[ \t]*{marker}[ \t]*$", re.MULTILINE).search(text, position)
            if end is None:
                return  # an unterminated heredoc: the parser reports it
            position = end.end()


def json_int(literal: str) -> int:
    """`int` for json.loads, refusing a literal longer than MAX_NUMBER_DIGITS before converting."""
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise NumberTooLong(literal)
    try:
        return int(literal)
    except ValueError:  # the interpreter's own limit (PYTHONINTMAXSTRDIGITS) is lower
        raise NumberTooLong(literal) from None


def json_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise NumberTooLong(literal)
    return float(literal)


def line_of_literal(text: str, literal: str) -> int | None:
    """The line of a number that was refused (its first occurrence outside a string, near enough)."""
    position = text.find(literal)
    return _line(text, position) if position >= 0 else None
