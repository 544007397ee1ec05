"""SG5: the boundaries around the trait - backend clients only inside their backend, physical key
formats only where keys are built, encryption envelopes bound to the logical identity.

ast-grep rules: rules/<language>/SG50x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from store_gate.rule import Rule
from store_gate.rules.scan import Report, Scan

if TYPE_CHECKING:
    from store_gate.rules.scan import Match, ScanContext


def backend_of(
    text: str, modules: tuple[tuple[str, tuple[str, ...]], ...], governed: Iterable[str]
) -> tuple[str, tuple[str, ...]] | None:
    """The most specific client module the text uses (`sqlx::sqlite` before `sqlx`), and the
    governed backends it serves; None when it uses none, or serves no governed backend."""
    found = [
        (module, backends)
        for module, backends in modules
        if re.search(rf"(?<![\w@/.:-]){re.escape(module)}(?![\w-])", text)
    ]
    if not found:
        return None
    module, backends = max(found, key=lambda item: len(item[0]))
    kept = tuple(backend for backend in backends if backend in set(governed))
    return (module, kept) if kept else None


def _client_outside_backend(match: Match) -> Report | None:
    from store_gate.languages import language_of

    scope = match.context.scope
    language = language_of(match.path)
    modules = scope.backend_modules.get(language.rules, ()) if language else ()
    used = backend_of(match.text, modules, scope.backend_allow)
    if used is None:
        return None  # a client of a backend the manifest does not govern
    module, backends = used
    globs = [g for backend in backends for g in scope.backend_allow[backend]]
    from store_gate.sources import glob_matcher

    if glob_matcher(tuple(globs))(match.path):
        return None
    allowed = ", ".join(f'"{g}"' for g in globs)
    what = backends[0] if len(backends) == 1 else f"{module} ({'/'.join(backends)})"
    return Report(
        f"{match.shown}: a {what} client is used outside the modules allowed to hold it ({allowed}); go through "
        "the store trait instead"
    )


def _client_modules(context: ScanContext) -> tuple[bytes, ...]:
    """The roots of every governed client module (`sqlx` for `sqlx::sqlite`; a whole npm package)."""
    from store_gate.languages import LANGUAGES

    separators = {language.rules: language.separator for language in LANGUAGES}
    roots: set[str] = set()
    governed = set(context.scope.backend_allow)
    for language, modules in context.scope.backend_modules.items():
        separator = separators[language]
        roots.update(
            module if separator == "/" else module.split(separator)[0]
            for module, serves in modules
            if set(serves) & governed
        )
    return tuple(sorted(root.encode() for root in roots))


def _key_format(match: Match) -> Report:
    return Report(
        f"{match.shown} spells a physical key format outside the backend; let the backend build keys from the "
        "manifest's entity templates"
    )


def _key_prefixes(context: ScanContext) -> tuple[bytes, ...]:
    prefixes = context.key_prefixes
    return tuple(p.encode() for p in prefixes) if prefixes else (b"#",)


def _aad_from_key(match: Match) -> Report:
    place = ".".join(name for name in (match.owner, match.member) if name)
    return Report(
        f"{place + ': ' if place else ''}{match.shown}: the AEAD's associated data is built from the physical key "
        "(the table's key attributes or an entity's key prefix), so no other backend or layout can decrypt it; "
        'bind the logical identity instead, the entity type and its domain id (such as "Dialogue|{dialogue_id}")',
        symbol=place or None,
    )


# What a file must hold for an AEAD call to be in it.
_AEAD_WORDS = (b"aad", b"Aad", b"AAD", b"associated_data", b"additionalData", b"crypt")


def _aead_words(context: ScanContext) -> tuple[bytes, ...]:
    return _AEAD_WORDS


SG501 = Rule(
    "SG501",
    "backend-client-outside-backend",
    "error",
    "Backend clients used outside the modules allowed to hold them.",
    lowerable=False,
    scan=Scan("scanned", _client_outside_backend, needs="backends", needles=_client_modules),
)
SG502 = Rule(
    "SG502",
    "physical-key-format-outside-backend",
    "warning",
    'A physical key format (a literal such as "DIALOGUE#") built outside the backend.',
    scan=Scan("outside-backends", _key_format, needs="backends", needles=_key_prefixes),
)
SG503 = Rule(
    "SG503",
    "aad-binds-physical-key",
    "error",
    'An encryption envelope\'s associated data built from the physical key (pk, sk, "DIALOGUE#...").',
    scan=Scan("scanned", _aad_from_key, needles=_aead_words),
)
