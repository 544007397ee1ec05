"""SG5: the boundaries around the trait - backend clients only inside their backend, physical key
formats only where keys are built.

ast-grep rules: rules/<language>/SG50x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from store_gate.rule import Rule
from store_gate.rules.scan import Report, Scan

if TYPE_CHECKING:
    from store_gate.rules.scan import Match, ScanContext


def _backend_of(text: str, modules: dict[str, tuple[str, ...]]) -> str | None:
    for name, names in modules.items():
        for module in names:
            if re.search(rf"(?<![\w@/-]){re.escape(module)}(?![\w-])", text):
                return name
    return None


def _client_outside_backend(match: Match) -> Report | None:
    from store_gate.sources import glob_regex

    scope = match.context.scope
    backend = _backend_of(match.text, scope.backend_modules)
    if backend is None:
        return None  # a backend the manifest does not govern
    if any(glob_regex(g).match(match.path) for g in scope.backend_allow[backend]):
        return None
    allowed = ", ".join(f'"{g}"' for g in scope.backend_allow[backend])
    return Report(
        f"{match.shown}: a {backend} client is used outside the modules allowed to hold it ({allowed}); go through "
        "the store trait instead"
    )


def _client_modules(context: ScanContext) -> tuple[bytes, ...]:
    return tuple(m.encode() for modules in context.scope.backend_modules.values() for m in modules)


def _key_format(match: Match) -> Report:
    return Report(
        f"{match.shown} spells a physical key format outside the backend; let the backend build keys from the "
        "manifest's entity templates"
    )


def _key_prefixes(context: ScanContext) -> tuple[bytes, ...]:
    prefixes = context.key_prefixes
    return tuple(p.encode() for p in prefixes) if prefixes else (b"#",)


SG501 = Rule(
    "SG501",
    "backend-client-outside-backend",
    "error",
    "Backend clients used outside the modules allowed to hold them.",
    scan=Scan("scanned", _client_outside_backend, needs="backends", needles=_client_modules),
)
SG502 = Rule(
    "SG502",
    "physical-key-format-outside-backend",
    "warning",
    'A physical key format (a literal such as "DIALOGUE#") built outside the backend.',
    scan=Scan("outside-backends", _key_format, needs="backends", needles=_key_prefixes),
)
