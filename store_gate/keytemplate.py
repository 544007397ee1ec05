"""Key templates: literal text with `{placeholder}` parts, parsed once.

`"DIALOGUE#{dialogue_id}#ROUND#{round.number}"` is the literal `DIALOGUE#`, the placeholder
`dialogue_id`, the literal `#ROUND#` and the placeholder `round.number`. `{{` and `}}` stand for
literal braces. A placeholder is a dotted path of identifiers; its first part (its root) must be
a parameter of the method that uses the template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Union

_IDENT = re.compile(r"(?:r#)?[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[^{}]+|[{}]")
# Stands for "some parameter's value" when one template is matched against another's shape.
_SLOT = "\x00"


@dataclass(frozen=True)
class Placeholder:
    path: tuple[str, ...]

    @property
    def root(self) -> str:
        return self.path[0]

    def __str__(self) -> str:
        return "{" + ".".join(self.path) + "}"


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
    def _parse(cls, text: str) -> KeyTemplate:
        parts: list[Part] = []
        literal: list[str] = []
        for token in _TOKEN.finditer(text):
            piece, inner = token.group(0), token.group(1)
            if piece in ("{{", "}}"):
                literal.append(piece[0])
            elif inner is not None:
                path = tuple(p.strip() for p in inner.split("."))
                if not inner.strip() or not all(_IDENT.match(p) for p in path):
                    raise ValueError(
                        f"placeholder {{{inner.strip()}}} in {text!r} is not a parameter path "
                        "(write {name} or {name.field})"
                    )
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(Placeholder(tuple(p.removeprefix("r#") for p in path)))
            elif piece == "{":
                raise ValueError(f"unclosed '{{' at offset {token.start()} in {text!r}")
            elif piece == "}":
                raise ValueError(f"unmatched '}}' at offset {token.start()} in {text!r} (write '}}}}' for a brace)")
            else:
                literal.append(piece)
        if literal:
            parts.append("".join(literal))
        return cls(text, tuple(parts))

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.parts if isinstance(p, Placeholder))

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

    def _part_patterns(self) -> list[str]:
        # A placeholder of the layout stands for any non-empty value: another placeholder, or
        # literal text ("STATUS#open" fits "STATUS#{status}").
        return [re.escape(p) if isinstance(p, str) else ".+" for p in self.parts]

    @cached_property
    def _full_pattern(self) -> re.Pattern[str]:
        return re.compile("".join(self._part_patterns()), re.DOTALL)

    @cached_property
    def _prefix_pattern(self) -> re.Pattern[str]:
        patterns = self._part_patterns()
        alternatives = []
        for i, part in enumerate(self.parts):
            head = "".join(patterns[:i])
            if isinstance(part, str):
                prefixes = "|".join(re.escape(part[:n]) for n in range(len(part), -1, -1))
                alternatives.append(f"{head}(?:{prefixes})")
            else:
                alternatives.append(f"{head}.*")
        alternatives.append("".join(patterns))
        return re.compile("|".join(f"(?:{a})" for a in alternatives), re.DOTALL)

    def admits(self, other: KeyTemplate) -> bool:
        """Can `other` produce the same keys as this layout (full match)?"""
        return self._full_pattern.fullmatch(other.shape) is not None

    def admits_prefix(self, other: KeyTemplate) -> bool:
        """Is `other` a prefix of some key of this layout (for begins_with and range bounds)?"""
        return self._prefix_pattern.fullmatch(other.shape) is not None

    def __str__(self) -> str:
        return self.source
