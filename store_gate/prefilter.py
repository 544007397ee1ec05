"""Cheap, exact tests of what a file's text may hold, made before any parse.

A parse costs about 70 ms per MB and holds the GIL; a byte-substring test costs about 1 ms per MB.
So every parse is preceded by tests that skip only files that cannot matter:

- where a definition of a name may start (`trait X`, `class X`, `interface X`, `type X`, with
  comments and line continuations between the keyword and the name): `definition_sites`, and the
  words found there (`site_words`). These are exact replacements for one regex per set of names,
  which Python's `re` runs 30x slower (an alternation of keywords has no literal prefix);
- whether a file holds an identifier, as a token and not inside a longer word
  (`holds_identifier`), for the structural rules' prefilters (`SG403`, `SG501`).

Texts are scanned as `bytes` when they are ASCII (where `bytes` and `str` patterns agree, given
the whitespace `str` patterns also know: \\x1c-\\x1f) and as `str` otherwise.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Union

Text = Union[str, bytes]

_WORD_STR = re.compile(r"\w*")
_WORD_BYTES = re.compile(rb"\w*")
_WORD_CHAR = re.compile(r"\w")
_WORD_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_RAW = {str: "r#", bytes: b"r#"}
# `str.isspace` on ASCII: bytes.isspace does not know the separators \x1c-\x1f.
_ASCII_SPACE = frozenset(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")


def as_scannable(data: bytes, text: str | None) -> Text | None:
    """What to scan: the bytes when they are ASCII, else the decoded text (None: undecodable)."""
    return data if data.isascii() else text


class Gaps:
    """Where the gap (white space, `\\` line continuations, `/* */` and `//` comments) that
    starts at a position ends, in linear time over a whole text (`str`, or ASCII `bytes`): every
    comment's end is found by bisecting the positions of `*/` and newlines, found once, and each
    gap is walked once - never a regex that tries a comment at every keyword (an unclosed `/*`
    would be read to the end of the text each time: quadratic).

    A prefilter may say yes wrongly, never no wrongly: a block comment holding another `/*` ends
    wherever a nesting language (Rust) or a flat one (TypeScript) ends it, so such a gap is a
    "may be" (`None`)."""

    def __init__(self, text: Text) -> None:
        self.text: Any = text  # str, or ASCII bytes: the tokens below are of the same type
        binary = isinstance(text, bytes)
        tokens: tuple[Any, ...] = (b"/*", b"*/", b"\n", b"/", b"\\", b"\r\n", b"//")
        if not binary:
            tokens = tuple(t.decode() for t in tokens)
        self._open, self._close, self._newline, self._slash, self._backslash, self._crlf, self._line = tokens
        self._binary = binary
        self._positions: dict[Any, list[int]] = {}  # of `*/`, `/*`, newlines: found when first needed
        self.ends: dict[int, int | None] = {}

    def _of(self, needle: Any) -> list[int]:
        if needle not in self._positions:
            self._positions[needle] = self._all(needle)
        return self._positions[needle]

    def _all(self, needle: Any) -> list[int]:
        found, at = [], self.text.find(needle)
        while at >= 0:
            found.append(at)
            at = self.text.find(needle, at + 1)
        return found

    @staticmethod
    def _next(positions: list[int], at: int) -> int:
        i = bisect.bisect_left(positions, at)
        return positions[i] if i < len(positions) else -1

    def _element(self, at: int) -> int | None:
        """The end of the one gap element at `at` (`at` itself when there is none); None for a
        block comment that holds another `/*`."""
        text = self.text
        if at >= len(text):
            return at
        if text[at] in _ASCII_SPACE if self._binary else text[at].isspace():
            return at + 1
        ch = text[at : at + 1]
        if ch == self._backslash:
            if text.startswith(self._newline, at + 1):
                return at + 2
            return at + 3 if text.startswith(self._crlf, at + 1) else at
        if text.startswith(self._open, at):
            close = self._next(self._of(self._close), at + 2)
            if close < 0:
                return at
            inner = self._next(self._of(self._open), at + 2)
            return None if 0 <= inner < close else close + 2
        if text.startswith(self._line, at):
            newline = self._next(self._of(self._newline), at + 2)
            return at if newline < 0 else newline + 1
        return at

    def end(self, start: int) -> int | None:
        """The end of the gap starting at `start` (`start` when there is none); None: "may be"."""
        walked: list[int] = []
        at: int | None = start
        while at is not None and at not in self.ends:
            walked.append(at)
            after = self._element(at)
            if after == at:
                self.ends[at] = at
                break
            at = after
        result = self.ends[at] if at is not None else None
        for position in walked:
            self.ends[position] = result
        return result


MAYBE = -1  # a definition site whose gap cannot be read (a nested block comment): anything may follow


def _is_word(text: Text, at: int) -> bool:
    """Is the character at `at` a regex word character (`\\w`)? False outside the text."""
    if at < 0 or at >= len(text):
        return False
    if isinstance(text, bytes):
        return text[at] in _WORD_CHARS
    return _WORD_CHAR.match(text, at) is not None


def definition_sites(text: Text, keywords: tuple[str, ...]) -> Iterator[int]:
    """Where a name may follow one of the keywords: after `\\b<keyword>` and a gap of at least
    one element (`MAYBE` where the gap cannot be read). Each keyword is found by a literal
    search (Python's `re` runs an alternation of keywords 30x slower); every occurrence counts,
    also one inside another's gap (a keyword in a comment), as a search from each position would."""
    gaps = Gaps(text)
    for keyword in keywords:
        literal: Any = keyword.encode() if isinstance(text, bytes) else keyword
        at = text.find(literal)
        while at >= 0:
            if not _is_word(text, at - 1):
                after = at + len(keyword)
                end = gaps.end(after)
                if end is None:
                    yield MAYBE
                elif end > after:
                    yield end
            at = text.find(literal, at + 1)


def word_at(text: Text, at: int) -> str:
    """The run of word characters starting at `at` (empty when there is none)."""
    if isinstance(text, bytes):
        matched = _WORD_BYTES.match(text, at)
        return matched.group().decode("ascii") if matched else ""
    matched_str = _WORD_STR.match(text, at)
    return matched_str.group() if matched_str else ""


def site_words(text: Text, keywords: tuple[str, ...], raw: bool) -> set[str] | None:
    """The words that start at a definition site (and, with `raw`, after an `r#` there): a name
    made of word characters is defined at a site exactly when it is one of these words. None when
    a site's gap cannot be read: any name may be defined there."""
    words: set[str] = set()
    for site in definition_sites(text, keywords):
        if site == MAYBE:
            return None
        words.add(word_at(text, site))
        if raw and text[site : site + 2] == _RAW[type(text)]:
            words.add(word_at(text, site + 2))
    words.discard("")
    return words


def plain(name: str) -> bool:
    """Is the name made of word characters only?"""
    return bool(name) and _WORD_STR.fullmatch(name) is not None


@lru_cache(maxsize=256)
def _name_pattern(names: frozenset[str], raw: bool, binary: bool) -> re.Pattern[Any]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    pattern = ("(?:r#)?" if raw else "") + f"(?:{alternatives})\\b"
    return re.compile(pattern.encode() if binary else pattern)


def defines(text: Text, keywords: tuple[str, ...], names: frozenset[str], raw: bool) -> bool:
    """Is one of the names (after `r#` too, with `raw`) at a definition site of the keywords -
    or is there a site whose gap cannot be read?"""
    if not names:
        return False
    binary = isinstance(text, bytes)
    if binary and not all(name.isascii() for name in names):
        names = frozenset(name for name in names if name.isascii())  # cannot occur in ASCII bytes
        if not names:
            return False
    name = _name_pattern(names, raw, binary)
    return any(site == MAYBE or name.match(text, site) is not None for site in definition_sites(text, keywords))


@lru_cache(maxsize=256)
def _spaced_name(names: frozenset[str], binary: bool) -> re.Pattern[Any]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    if binary:
        return re.compile(rb"[\s\x1c-\x1f]+(?:" + alternatives.encode() + rb")\b")
    return re.compile(rf"\s+(?:{alternatives})\b")


def spaced_definition(text: Text, keywords: tuple[str, ...], names: frozenset[str]) -> bool:
    """Does `\\b(?:keywords)\\s+(?:names)\\b` match (white space only between them)? Each keyword
    is found by a literal search, the rest tested where it ends."""
    binary = isinstance(text, bytes)
    if binary:
        names = frozenset(name for name in names if name.isascii())  # cannot occur in ASCII bytes
    if not names:
        return False
    name = _spaced_name(names, binary)
    for keyword in keywords:
        literal: Any = keyword.encode() if binary else keyword
        at = text.find(literal)
        while at >= 0:
            if not _is_word(text, at - 1) and name.match(text, at + len(keyword)) is not None:
                return True
            at = text.find(literal, at + 1)
    return False


@lru_cache(maxsize=256)
def _assignment(names: frozenset[str], binary: bool) -> tuple[re.Pattern[Any], re.Pattern[Any]]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    tail = rf"[ \t]*(?:{alternatives})[ \t]*(?::[^=\n]*)?="
    if binary:
        return re.compile(tail.encode()), re.compile(("\n" + tail).encode())
    return re.compile(tail), re.compile("\n" + tail)


def assigns(text: Text, names: frozenset[str]) -> bool:
    """Does `^[ \\t]*(?:names)[ \\t]*(?::[^=\\n]*)?=` (multiline) match: a line that starts with
    one of the names and assigns it (a Python type alias)? The first line, then every line after
    a newline - a pattern that starts with a literal runs far faster than one with `^`."""
    if not names:
        return False
    first, after_newline = _assignment(names, isinstance(text, bytes))
    return first.match(text) is not None or after_newline.search(text) is not None


# -- identifiers -----------------------------------------------------------------------------

_IDENTIFIER_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def identifier_run(data: bytes, start: int, end: int, limit: int = 64) -> tuple[int, int]:
    """The run of ASCII identifier characters around data[start:end] (at most `limit` beyond it
    on the left)."""
    left = start
    floor = max(0, start - limit)
    while left > floor and data[left - 1] in _IDENTIFIER_CHARS:
        left -= 1
    right = end
    size = len(data)
    while right < size and data[right] in _IDENTIFIER_CHARS:
        right += 1
    return left, right


def token_runs(data: bytes, needle: bytes) -> Iterator[tuple[int, int, int, bool]]:
    """For each occurrence of `needle`: where it starts, the run of identifier characters around
    it, and whether that run may not be one token - it starts with a digit (a number literal may
    end where an identifier starts: `1u8pk`), touches a non-ASCII character (which may continue an
    identifier), or reaches past the scan limit."""
    position = data.find(needle)
    size = len(data)
    while position >= 0:
        left, right = identifier_run(data, position, position + len(needle))
        unsure = (
            (48 <= data[left] <= 57)
            or (left > 0 and (data[left - 1] >= 0x80 or data[left - 1] in _IDENTIFIER_CHARS))
            or (right < size and data[right] >= 0x80)
        )
        yield position, left, right, unsure
        position = data.find(needle, position + 1)


def holds_token(data: bytes, name: bytes, quoted: bool = True) -> bool:
    """Does `name` occur as a whole identifier token (not inside a longer word)? With `quoted`
    false, an occurrence between double quotes (`"rocksdb"`, a Rust string) does not count."""
    for position, left, right, unsure in token_runs(data, name):
        if unsure:
            return True
        if left != position or right != position + len(name):
            continue  # part of a longer identifier
        if not quoted and data[left - 1 : left] == b'"' and data[right : right + 1] == b'"':
            continue
        return True
    return False


_RUN_STR = re.compile(r"[\w$]+")
_USUAL_RUN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=16)
def _split_names(names: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    runs = frozenset(n for n in names if _RUN_STR.fullmatch(n))
    digits = tuple(sorted(n for n in runs if n.isdigit()))
    return runs, digits, tuple(sorted(names - runs))


def named_in(text: str, names: frozenset[str]) -> list[str]:
    """The names that occur in the text (as substrings: a node's text is a slice of the file's),
    found without testing each name against the whole text. A name of identifier characters
    occurs inside one run of them; in a usual run (ASCII, not starting with a digit) a parser
    reads one token, so only a name equal to the run can be a node's whole text - and any other
    run (non-ASCII, `$`, a leading digit, which a parser may cut) is tested for every name."""
    plain, digits, other = _split_names(names)
    runs = set(_RUN_STR.findall(text))
    found = runs & plain
    for run in runs:
        if _USUAL_RUN.fullmatch(run):
            continue
        if run.isascii() and run.isdigit():
            found.update(name for name in digits if name in run)  # a number holds only digits
        else:
            found.update(name for name in plain if name in run)
    found.update(name for name in other if name in text)
    return sorted(found)
