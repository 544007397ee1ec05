"""How text that comes from the checked files is shown: on one line, bounded.

Messages quote names, literals and paths written by whoever wrote the checked code. A newline in
a file name, a control character in a string literal or an HTML tag in a type must not break a
reporter's format: text output keeps one finding per line, Markdown renders no markup from the
code, and no value of any size reaches a message whole.
"""

from __future__ import annotations

import re

MAX_MESSAGE = 500  # characters of a whole message taken from a file
MAX_QUOTED = 80  # characters of one value a message quotes (a template, a key path, a name)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    # 0xDC80-0xDCFF is a byte that was not UTF-8 (a file name read with surrogateescape): shown
    # as that byte, `st\xffore.py`; any other lone surrogate (a `"\uD800"` in a checked file) as
    # its code point.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every lone surrogate shown as a visible escape: a name that is not UTF-8, or a
    surrogate written in a checked file, can be encoded by every writer and reads the same in
    every format."""
    return _SURROGATE.sub(_escaped_surrogate, text) if _SURROGATE.search(text) else text


def raw_bytes(text: str) -> bytes:
    """The bytes a path stands for: a name that was not UTF-8 as its own bytes (SARIF
    percent-encodes them), any other surrogate as UTF-8's encoding of it."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` with control characters and lone surrogates escaped (`\\n`, `\\x1b`, `\\xff`), capped at
    `limit` characters."""
    text = printable(_CONTROL.sub(lambda m: repr(m.group())[1:-1], text[: limit * 4]))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bounded(text: str, limit: int = MAX_QUOTED) -> str:
    """One value written by a user, as a message quotes it: one line, at most `limit` characters
    ("..." marks where it was cut)."""
    return one_line(text, limit)


def markdown(text: str) -> str:
    """`text` for a Markdown table cell or line: one line, no HTML, no table breaks."""
    escaped = one_line(text, 10 * MAX_MESSAGE).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("|", "\\|")
