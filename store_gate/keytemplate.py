"""Key templates: literal text with `{placeholder}` parts, parsed once.

`"DIALOGUE#{dialogue_id}#ROUND#{round.number}"` is the literal `DIALOGUE#`, the placeholder
`dialogue_id`, the literal `#ROUND#` and the placeholder `round.number`. `{{` and `}}` stand for
literal braces. A placeholder is a dotted path of identifiers; its first part (its root) must be
a parameter of the method that uses the template.

A placeholder may declare the class of text it stands for after a colon: `{round:int}`. The
class is part of the placeholder; binding uses the path before the colon. Each class is a
regular language, defined exactly (`store_gate.keylang` builds the automata):

- `any` (the default, `{x}`): one or more characters, any Unicode scalar values;
- `segment`: one or more characters, none of them `#`;
- `int`: an optional `-`, then one or more ASCII digits; leading zeros are allowed, so a
  zero-padded sort key (`0042`) is an int;
- `ulid`: a ULID as written canonically: 26 characters of Crockford's base32 in upper case
  (`0-9 A-Z` without `I L O U`), the first `0`-`7` (a ULID is 128 bits);
- `iso8601`: a UTC timestamp `YYYY-MM-DDThh:mm:ssZ` with an optional fraction of 1 to 9 digits
  (`.123`, `.123456`) before the `Z`: year `0000`-`9999`, month `01`-`12`, day `01`-`31` (whatever
  the month), hour `00`-`23`, minute and second `00`-`59`; upper-case `T` and `Z`, no offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Union

from store_gate.display import bounded

_IDENT = re.compile(r"(?:r#)?[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[^{}]+|[{}]")
# Stands for "some parameter's value" when one template is matched against another's shape.
_SLOT = "\x00"
# DynamoDB's bound on a key attribute's value: 2048 bytes for a partition key, 1024 for a sort key.
MAX_KEY_BYTES = 2048


def _shown(text: str) -> str:
    """A template in a message: quoted, one line, at most 80 characters of it."""
    return '"' + bounded(text) + '"'


# The classes a placeholder may declare, and the length of the shortest text of each.
CLASSES: dict[str, int] = {"any": 1, "segment": 1, "int": 1, "ulid": 26, "iso8601": 20}


@dataclass(frozen=True)
class Placeholder:
    path: tuple[str, ...]
    kind: str | None = None  # the class written after a colon; None: any non-empty text

    @property
    def root(self) -> str:
        return self.path[0]

    @property
    def text_class(self) -> str:
        return self.kind or "any"

    def __str__(self) -> str:
        return "{" + ".".join(self.path) + (f":{self.kind}" if self.kind else "") + "}"


Part = Union[str, Placeholder]


_PARSED: dict[str, KeyTemplate] = {}


@dataclass(frozen=True)
class KeyTemplate:
    source: str
    parts: tuple[Part, ...]

    @classmethod
    def parse(cls, text: str) -> KeyTemplate:
        """Parse template text; raises ValueError with a message fit for a user.

        Manifests repeat the same few templates thousands of times: parse each text once.
        """
        cached = _PARSED.get(text)
        if cached is None:
            cached = _PARSED[text] = cls._parse(text)
        return cached

    @classmethod
    def parse_key(cls, text: str) -> KeyTemplate:
        """A template the manifest gives for a key attribute: parsed, and refused when even its
        smallest value is longer than DynamoDB lets any key be."""
        template = cls.parse(text)
        if template.min_bytes > MAX_KEY_BYTES:
            raise ValueError(
                f"{_shown(text)} can never be a key: its shortest value is {template.min_bytes} bytes, and DynamoDB "
                f"keys are at most {MAX_KEY_BYTES} bytes (a partition key; a sort key 1024)"
            )
        return template

    @classmethod
    def _parse(cls, text: str) -> KeyTemplate:
        parts: list[Part] = []
        literal: list[str] = []
        for token in _TOKEN.finditer(text):
            piece, inner = token.group(0), token.group(1)
            if piece in ("{{", "}}"):
                literal.append(piece[0])
            elif inner is not None:
                name, colon, kind = inner.partition(":")
                path = tuple(p.strip() for p in name.split("."))
                if not name.strip() or not all(_IDENT.match(p) for p in path):
                    raise ValueError(
                        f"placeholder {{{bounded(inner.strip())}}} in {_shown(text)} is not a parameter path "
                        "(write {name}, {name.field} or {name:class})"
                    )
                kind = kind.strip()
                if colon and kind not in CLASSES:
                    raise ValueError(
                        f"placeholder {{{bounded(inner.strip())}}} in {_shown(text)} has unknown class "
                        f"{_shown(kind)} (classes: {', '.join(sorted(CLASSES))})"
                    )
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(Placeholder(tuple(p.removeprefix("r#") for p in path), kind or None))
            elif piece == "{":
                raise ValueError(f"unclosed '{{' at offset {token.start()} in {_shown(text)}")
            elif piece == "}":
                raise ValueError(
                    f"unmatched '}}' at offset {token.start()} in {_shown(text)} (write '}}}}' for a brace)"
                )
            else:
                literal.append(piece)
        if literal:
            parts.append("".join(literal))
        return cls(text, tuple(parts))

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.parts if isinstance(p, Placeholder))

    @cached_property
    def min_bytes(self) -> int:
        """The size of the shortest value it makes: its literal text in UTF-8, and for each placeholder
        the shortest text of its class (a byte; 26 for a ULID, 20 for a timestamp)."""
        return sum(
            len(p.encode("utf-8", "surrogatepass")) if isinstance(p, str) else CLASSES[p.text_class] for p in self.parts
        )

    @property
    def is_constant(self) -> bool:
        return not self.placeholders

    @property
    def is_single_placeholder(self) -> bool:
        return len(self.parts) == 1 and isinstance(self.parts[0], Placeholder)

    @property
    def literal_prefix(self) -> str:
        """The literal text before the first placeholder."""
        first = self.parts[0] if self.parts else ""
        return first if isinstance(first, str) else ""

    @cached_property
    def shape(self) -> str:
        """The template with every placeholder replaced by one opaque slot character."""
        return "".join(p if isinstance(p, str) else _SLOT for p in self.parts)

    @cached_property
    def _segments(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """The literal text between runs of placeholders, and each run's length: `A{x}{y}B{z}`
        is literals ("A", "B", "") and runs (2, 1). There is always one literal more than runs."""
        literals: list[str] = [""]
        runs: list[int] = []
        after_placeholder = False
        for part in self.parts:
            if isinstance(part, str):
                literals[-1] += part
            elif after_placeholder:  # the run goes on: {x}{y}
                runs[-1] += 1
            else:
                runs.append(1)
                literals.append("")
            after_placeholder = not isinstance(part, str)
        return tuple(literals), tuple(runs)

    def admits(self, other: KeyTemplate) -> bool:
        """Can `other` produce the same keys as this layout (full match)?

        A placeholder of the layout stands for any non-empty value: another placeholder (one slot
        character of `other`'s shape), or literal text ("STATUS#open" fits "STATUS#{status}").
        Matched like a glob whose holes take at least one character each: the first and last
        literals anchor the ends, each literal between is taken at its leftmost place that
        leaves its holes their characters (leftmost never loses: it leaves the most for the
        rest). No regex: a run of `.+` backtracks exponentially on a key that does not fit.
        """
        shape = other.shape
        literals, runs = self._segments
        if not runs:
            return shape == literals[0]
        head, tail = literals[0], literals[-1]
        end = len(shape) - len(tail)
        if not (shape.startswith(head) and shape.endswith(tail)) or end < len(head):
            return False
        position = len(head)
        for literal, run in zip(literals[1:-1], runs):
            found = shape.find(literal, position + run, end)
            if found < 0 or found + len(literal) > end:
                return False
            position = found + len(literal)
        return end - position >= runs[-1]

    def admits_prefix(self, other: KeyTemplate) -> bool:
        """Is `other` a prefix of some key of this layout (for begins_with and range bounds)?

        It is when it ends inside the layout's first literal; or, when the layout has a
        placeholder, when it starts with that literal - the placeholder then takes whatever
        follows, and the rest of the layout can still come after it."""
        shape = other.shape
        literals, runs = self._segments
        head = literals[0]
        return head.startswith(shape) or (bool(runs) and shape.startswith(head))

    def __str__(self) -> str:
        return self.source
