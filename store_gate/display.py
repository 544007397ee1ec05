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


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` with control characters escaped (`\\n`, `\\x1b`) and capped at `limit` characters."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text[: limit * 4])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bounded(text: str, limit: int = MAX_QUOTED) -> str:
    """One value written by a user, as a message quotes it: one line, at most `limit` characters
    ("..." marks where it was cut)."""
    return one_line(text, limit)


def markdown(text: str) -> str:
    """`text` for a Markdown table cell or line: one line, no HTML, no table breaks."""
    escaped = one_line(text, 10 * MAX_MESSAGE).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("|", "\\|")
