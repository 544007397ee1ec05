"""SG5: the boundaries around the trait - backend clients only inside their backend, physical key
formats only where keys are built, encryption envelopes bound to the logical identity.

ast-grep rules: rules/<language>/SG50x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable

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
    if used is None and language is not None and language.rules == "typescript" and "\\" in match.text:
        return _escaped_module(match)
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


def _escaped_module(match: Match) -> Report | None:
    """A TypeScript module name written with escapes: which module it names is not in its text,
    so it may be a backend client - reported outside every backend's modules."""
    from store_gate.sources import glob_matcher

    scope = match.context.scope
    anywhere = tuple(g for globs in scope.backend_allow.values() for g in globs)
    if anywhere and glob_matcher(anywhere)(match.path):
        return None
    return Report(
        f"{match.shown}: the module name is written with escapes (\\x, \\u or a line continuation), so the gate "
        "cannot tell whether it is a backend client; write the module name as plain text"
    )


# Escapes that can spell a module name's characters in a TypeScript string: `\x40`, `\u0040`,
# `\u{40}`, a backslash before a line break.
_ESCAPES = (b"\\x", b"\\u", b"\\\n", b"\\\r")


def _client_modules(context: ScanContext, language: str) -> tuple[bytes, ...]:
    """The roots of every governed client module of the rules language (`sqlx` for `sqlx::sqlite`;
    a whole npm package)."""
    from store_gate.languages import rules_language

    known = rules_language(language)
    governed = set(context.scope.backend_allow)
    roots = {
        known.module_root(module)
        for module, serves in context.scope.backend_modules.get(language, ())
        if set(serves) & governed
    }
    escapes = _ESCAPES if language == "typescript" and roots else ()
    return tuple(sorted(root.encode() for root in roots)) + escapes


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
        roots[language.rules] = tuple(
            sorted({language.module_root(module).encode() for module, serves in modules if set(serves) & governed})
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


def _key_prefixes(context: ScanContext, language: str) -> tuple[bytes, ...]:
    prefixes = context.key_prefixes
    return tuple(p.encode() for p in prefixes) if prefixes else (b"#",)


# The nodes that open a variable scope, per rules language: a name assigned inside one is bound
# for uses inside the same outermost one (the YAML's `bound-to-key`: `inside ... stopBy: end`).
_FUNCTIONS = {
    "python": frozenset({"function_definition"}),
    "rust": frozenset({"function_item"}),
    "typescript": frozenset(
        {
            "function_declaration",
            "function_expression",
            "arrow_function",
            "method_definition",
            "generator_function_declaration",
        }
    ),
}
_NAMES = frozenset({"identifier", "shorthand_property_identifier"})


def _outermost_function(node: Any, functions: frozenset[str]) -> tuple[int, int] | None:
    found = None
    for ancestor in node.ancestors():
        if ancestor.kind() in functions:
            found = ancestor
    return (found.range().start.index, found.range().end.index) if found is not None else None


def _key_bindings(match: Match, language: str) -> dict[str, set[tuple[int, int] | None]]:
    """Per name, where the file assigns it from the key: the outermost function holding the
    assignment, or None for a module-level statement. One pass per file (SG503's `bound-to-key`,
    which ast-grep would evaluate once per call, quadratic in a function's length)."""
    memo_key = ("SG503", match.path, language)
    if memo_key not in match.context.memo:
        bindings: dict[str, set[tuple[int, int] | None]] = {}
        config = match.config or {}
        root = match.node.get_root().root()
        for binding in root.find_all({"utils": config.get("utils", {}), "rule": {"matches": "assigned-from-key"}}):
            name = binding.get_match("AAD")
            if name is None:
                continue
            scope = _outermost_function(binding, _FUNCTIONS[language])
            statement = binding.parent()
            top_level = statement is not None and (holder := statement.parent()) is not None and holder == root
            if scope is None and not top_level:
                continue  # the YAML binds a module-level name only from a statement of the module
            bindings.setdefault(str(name.text()), set()).add(scope)
        match.context.memo[memo_key] = bindings
    found: dict[str, set[tuple[int, int] | None]] = match.context.memo[memo_key]
    return found


def _bound_to_key(match: Match, traced: Any) -> bool:
    """Does the AAD expression name a variable its function (or the module) assigns from the key?"""
    from store_gate.languages import language_of

    language = language_of(match.path)
    if language is None or language.rules not in _FUNCTIONS:
        return False
    bindings = _key_bindings(match, language.rules)
    names = [traced] if traced.kind() in _NAMES else []
    names += [n for n in traced.find_all(kind="identifier")]
    for name in names:
        scopes = bindings.get(str(name.text()), set())
        if None in scopes or _outermost_function(name, _FUNCTIONS[language.rules]) in scopes - {None}:
            return True
    return False


def _aad_from_key(match: Match) -> Report | None:
    traced = match.node.get_match("TRACED")  # the AAD is a variable: bound from the key, or not a finding
    if traced is not None and not _bound_to_key(match, traced):
        return None
    place = ".".join(name for name in (match.owner, match.member) if name)
    return Report(
        f"{place + ': ' if place else ''}{match.shown}: the AEAD's associated data is built from the physical key "
        "(the table's key attributes or an entity's key prefix), so no other backend or layout can decrypt it; "
        'bind the logical identity instead, the entity type and its domain id (such as "Dialogue|{dialogue_id}")',
        symbol=place or None,
    )


# What a file must hold for an AEAD call to be in it, per rules language: a substring of each
# name the rule's AEAD shapes match (ast-grep tests a node's text as written, so the name is in
# the bytes) - Rust `aad` fields, `Aad::from`, `(en|de)crypt_in_place*`; Python `.encrypt(...)`,
# `.decrypt(...)` and `associated_data=`; TypeScript `additionalData` and `setAAD`.
_AEAD_WORDS = {
    "rust": (b"aad", b"Aad", b"crypt_in_place"),
    "python": (b"crypt", b"associated_data"),
    "typescript": (b"additionalData", b"setAAD"),
}
# Then the names that must be whole identifiers (not `aadhaar`, `encrypted`).
_AEAD_TOKENS = {
    "rust": (b"aad", b"Aad"),
    "python": (b"encrypt", b"decrypt", b"associated_data"),
}
_AEAD_SUBSTRINGS = {"rust": (b"crypt_in_place",), "typescript": (b"additionalData", b"setAAD")}
# The built-in key prefix (`^[A-Z][A-Z0-9_]*#`), anywhere in the bytes.
_ANY_KEY_PREFIX = re.compile(rb"[A-Z][A-Z0-9_]*#")


def _aead_words(context: ScanContext, language: str) -> tuple[bytes, ...]:
    return _AEAD_WORDS[language]


def _aead_from_key_in_file(context: ScanContext) -> Callable[[str, bytes], bool]:
    """After the substring test: can SG503 match in this file? Every shape of the rule needs an
    AEAD call of the file's language and, somewhere in the file, a key part - a key attribute
    (the built-in names or the table's, as SG403 looks for them), a key prefix (the manifest's, or
    any `UPPER#`). A file about `crypto` that names no AEAD shape, or no key, is not parsed."""
    from store_gate.languages import language_of
    from store_gate.prefilter import holds_token
    from store_gate.rules.shape import holds_key_attribute

    holds_key = holds_key_attribute(context)
    prefixes = tuple(p.encode() for p in context.key_prefixes)

    def holds(path: str, data: bytes) -> bool:
        language = language_of(path)
        if language is None:
            return True
        shape = any(word in data for word in _AEAD_SUBSTRINGS.get(language.rules, ())) or any(
            holds_token(data, word) for word in _AEAD_TOKENS.get(language.rules, ())
        )
        if not shape:
            return False
        if prefixes:
            if any(prefix in data for prefix in prefixes):
                return True
        elif _ANY_KEY_PREFIX.search(data):
            return True
        return holds_key(path, data)

    return holds


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
SG503 = Rule(
    "SG503",
    "aad-binds-physical-key",
    "error",
    'An encryption envelope\'s associated data built from the physical key (pk, sk, "DIALOGUE#...").',
    scan=Scan("scanned", _aad_from_key, needles=_aead_words, confirm=_aead_from_key_in_file),
)
