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

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Union

Text = Union[str, bytes]

# Between a keyword and the name it introduces: whitespace, a line continuation, comments.
GAP = r"(?:\s|\\\r?\n|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*\n)+"
# The same on ASCII bytes: `str`'s `\s` also matches the separators \x1c-\x1f.
_GAP_ASCII = rb"(?:[\s\x1c-\x1f]|\\\r?\n|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*\n)+"
_WORD_STR = re.compile(r"\w*")
_WORD_BYTES = re.compile(rb"\w*")
_WORD_CHAR = re.compile(r"\w")
_WORD_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_RAW = {str: "r#", bytes: b"r#"}


def as_scannable(data: bytes, text: str | None) -> Text | None:
    """What to scan: the bytes when they are ASCII, else the decoded text (None: undecodable)."""
    return data if data.isascii() else text


@lru_cache(maxsize=64)
def _keyword_patterns(keywords: tuple[str, ...], binary: bool) -> tuple[re.Pattern[Any], ...]:
    # One pattern per keyword, each starting with its literal: `re` then finds candidates with a
    # fast literal search instead of trying the pattern at every position.
    if binary:
        return tuple(re.compile(re.escape(k).encode() + _GAP_ASCII) for k in keywords)
    return tuple(re.compile(re.escape(k) + GAP) for k in keywords)


def _is_word(text: Text, at: int) -> bool:
    """Is the character at `at` a regex word character (`\\w`)? False outside the text."""
    if at < 0 or at >= len(text):
        return False
    if isinstance(text, bytes):
        return text[at] in _WORD_CHARS
    return _WORD_CHAR.match(text, at) is not None


def definition_sites(text: Text, keywords: tuple[str, ...]) -> Iterator[int]:
    """Where a name may follow one of the keywords: `\\b<keyword><gap>` ends there. Every
    occurrence counts, also one inside another's gap (a keyword in a comment), as a regex search
    from each position would find it."""
    for pattern in _keyword_patterns(keywords, isinstance(text, bytes)):
        position = 0
        while True:
            found = pattern.search(text, position)
            if found is None:
                break
            start = found.start()
            if not _is_word(text, start - 1):
                yield found.end()
            position = start + 1


def word_at(text: Text, at: int) -> str:
    """The run of word characters starting at `at` (empty when there is none)."""
    if isinstance(text, bytes):
        matched = _WORD_BYTES.match(text, at)
        return matched.group().decode("ascii") if matched else ""
    matched_str = _WORD_STR.match(text, at)
    return matched_str.group() if matched_str else ""


def site_words(text: Text, keywords: tuple[str, ...], raw: bool) -> set[str]:
    """The words that start at a definition site (and, with `raw`, after an `r#` there): a name
    made of word characters is defined at a site exactly when it is one of these words - the regex
    `\\b(?:keywords)GAP(?:r#)?(?:names)\\b` matches it."""
    words: set[str] = set()
    for site in definition_sites(text, keywords):
        words.add(word_at(text, site))
        if raw and text[site : site + 2] == _RAW[type(text)]:
            words.add(word_at(text, site + 2))
    words.discard("")
    return words


def plain(name: str) -> bool:
    """Is the name made of word characters only?"""
    return bool(name) and _WORD_STR.fullmatch(name) is not None


@lru_cache(maxsize=256)
def _definer_patterns(
    keywords: tuple[str, ...], names: frozenset[str], raw: bool, binary: bool
) -> tuple[re.Pattern[Any], ...]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    prefix = "(?:r#)?" if raw else ""
    if binary:
        return tuple(
            re.compile(re.escape(k).encode() + _GAP_ASCII + f"{prefix}(?:{alternatives})\\b".encode()) for k in keywords
        )
    return tuple(re.compile(rf"{re.escape(k)}{GAP}{prefix}(?:{alternatives})\b") for k in keywords)


def defines(text: Text, keywords: tuple[str, ...], names: frozenset[str], raw: bool) -> bool:
    """Does `\b(?:keywords)GAP(?:r#)?(?:names)\b` (without `(?:r#)?` unless `raw`) match? One
    pattern per keyword, each starting with the keyword's literal; the `\b` before it is tested
    on each match."""
    if not names:
        return False
    binary = isinstance(text, bytes)
    if binary and not all(name.isascii() for name in names):
        names = frozenset(name for name in names if name.isascii())  # cannot occur in ASCII bytes
        if not names:
            return False
    for pattern in _definer_patterns(keywords, names, raw, binary):
        position = 0
        while True:
            found = pattern.search(text, position)
            if found is None:
                break
            if not _is_word(text, found.start() - 1):
                return True
            position = found.start() + 1
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
