"""SG5: the boundaries around the trait - backend clients only inside their backend, physical key
formats only where keys are built.

ast-grep rules: rules/<language>/SG50x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Callable

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


def _client_in_file(context: ScanContext) -> Callable[[str, bytes], bool]:
    """After the substring test: can SG501 match in this file? Not in a file every governed
    backend allows (no client there is outside its backend); in Rust and Python, only where a
    client module's root occurs as a whole identifier - in Rust not between double quotes (a
    `feature = "rocksdb"` is a string; a path is written `rocksdb::`)."""
    from store_gate.languages import LANGUAGES, language_of
    from store_gate.prefilter import holds_token
    from store_gate.sources import glob_matcher

    scope = context.scope
    governed = set(scope.backend_allow)
    everywhere = [glob_matcher(tuple(scope.backend_allow[name])) for name in sorted(governed)]
    roots: dict[str, tuple[bytes, ...]] = {}
    for language in LANGUAGES:
        modules = scope.backend_modules.get(language.rules, ())
        separator = language.separator
        roots[language.rules] = tuple(
            sorted(
                {
                    (module if separator == "/" else module.split(separator)[0]).encode()
                    for module, serves in modules
                    if set(serves) & governed
                }
            )
        )

    def holds(path: str, data: bytes) -> bool:
        if everywhere and all(allowed(path) for allowed in everywhere):
            return False
        language = language_of(path)
        if language is None or language.rules == "typescript":
            return True  # a module specifier is a string: the substring test was the test
        rust = language.rules == "rust"
        for root in roots.get(language.rules, ()):
            if rust and root + b"::" in data:
                return True
            if holds_token(data, root, quoted=not rust):
                return True
        return False

    return holds


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
    lowerable=False,
    scan=Scan("scanned", _client_outside_backend, needs="backends", needles=_client_modules, confirm=_client_in_file),
)
SG502 = Rule(
    "SG502",
    "physical-key-format-outside-backend",
    "warning",
    'A physical key format (a literal such as "DIALOGUE#") built outside the backend.',
    scan=Scan("outside-backends", _key_format, needs="backends", needles=_key_prefixes),
)
