"""SG4: the shape of the trait and of the domain model - no storage vocabulary in method names,
no backend types in signatures, no physical key attributes in domain types.

ast-grep rules: rules/<language>/SG40x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from store_gate.languages import written_in
from store_gate.rule import Rule
from store_gate.rules.scan import Report, Scan

if TYPE_CHECKING:
    from store_gate.rules.scan import Match, ScanContext

# The identifiers SG403 looks for, lower-cased: what the rules' `key-attribute` regex matches, case
# insensitively, in any of the three languages (partition_key in Rust and Python, partitionKey in
# TypeScript).
_KEY_IDENTIFIER = re.compile(rb"pk|sk|gsi\d*_?(?:pk|sk)|lsi\d*_?sk|partition_?key|sort_?key")
# Characters that case-fold to an ASCII letter under a case-insensitive regex (the long s, the
# Kelvin sign, the dotted and dotless i): a name spelt with one is no substring of `pk`.
_FOLDING = (b"\xc5\xbf", b"\xe2\x84\xaa", b"\xc4\xb0", b"\xc4\xb1")


# The storage words of SG401's `storage-word` regex, lower-cased: a method name matches only when
# it holds one of them (or, under the case-insensitive regex, a character that folds to ASCII).
# `sqlite` and `dynamodb` hold `sql` and `dynamo`. tests/test_structural.py checks every word
# of the rule files' regexes holds one of these.
STORAGE_WORDS = (b"gsi", b"lsi", b"pk", b"sk", b"scan", b"partition", b"sql", b"dynamo")


def _holds_storage_word(context: ScanContext) -> Callable[[str, bytes], bool]:
    """Can SG401 match in the file: does it hold a storage word (the built-in ones, the manifest's
    `[boundaries] vocabulary`), in any case? Store files whose method names carry none (nearly
    all) are not searched for them."""
    boundaries = context.project.loaded.manifest.boundaries
    vocabulary = boundaries.vocabulary if boundaries else ()
    words = STORAGE_WORDS + tuple(word.lower().encode() for word in vocabulary)
    folded = not all(word.isascii() for word in vocabulary)  # a long s matches `s` case-insensitively

    def holds(path: str, data: bytes) -> bool:
        if folded or not data.isascii():
            return True  # a name may be spelt with a character that case-folds to one of them
        lowered = data.lower()
        return any(word in lowered for word in words)

    return holds


def _storage_vocabulary(match: Match) -> Report:
    return Report(
        f"{match.owner}.{match.member}: the method name carries storage vocabulary; name it after the domain question "
        "it answers, not after the index or backend that serves it",
        match.owner,
        match.member,
    )


# Python names the rule matches bare that a project may well define itself (its own `Model`,
# `Table`, `ColorAttribute`): a backend's only where the file imports them from one.
_AMBIGUOUS_PYTHON = re.compile(
    r"(?:Model|Transaction|TransactWrite|TransactGet|ResultIterator|GlobalSecondaryIndex|LocalSecondaryIndex|Table"
    r"|\w+Attribute)\Z"
)


@lru_cache(maxsize=8)
def _from_import(modules: tuple[str, ...]) -> re.Pattern[str]:
    """`from <module>[.<submodule>] import` for any of `modules`, at the start of a line."""
    alternatives = "|".join(re.escape(module) for module in modules)
    return re.compile(rf"^[ \t]*from[ \t]+(?:{alternatives})(?:\.[\w.]+)?[ \t]+import[ \t]*", re.MULTILINE)


# An import list longer than this many lines is not read to its end: every name may be in it.
_MAX_IMPORT_LINES = 1000


def _imported_names(text: str, start: int) -> list[str] | None:
    """The names bound by the import list starting at `start` (after `import`): a parenthesised
    list over several lines, or the rest of the line with its backslash continuations; comments
    (which may hold `)` or `,`) dropped line by line. None - any name - for a list that does not
    end within _MAX_IMPORT_LINES lines (a file of unclosed lists stays linear)."""
    names: list[str] = []
    parenthesised = text.startswith("(", start)
    position = start + 1 if parenthesised else start
    for _ in range(_MAX_IMPORT_LINES):
        if position >= len(text):
            return names
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end].split("#", 1)[0]
        closing = line.find(")") if parenthesised else -1
        if closing >= 0:
            line = line[:closing]
        continued = not parenthesised and line.rstrip().endswith("\\")
        for entry in line.rstrip().rstrip("\\").split(","):
            words = entry.split()
            if words:
                names.append(words[-1])
        if closing >= 0 or not (parenthesised or continued):
            return names
        position = end + 1
    return None


def _imported_from_backend(match: Match) -> bool:
    """Does the file import the matched name (or bind it with `as`) from a client module: one of
    the language table's (any backend's) or of the manifest's `modules`?"""
    text = match.context.project.sources.text(match.path) or ""
    modules = tuple(sorted({module for module, _ in match.context.scope.backend_modules.get("python", ())}))
    for found in _from_import(modules).finditer(text):
        names = _imported_names(text, found.end())
        if names is None or match.text in names:
            return True
    return False


def _backend_type(match: Match) -> Report | None:
    ambiguous = written_in(match.path, "python") and _AMBIGUOUS_PYTHON.match(match.text)
    if ambiguous and not _imported_from_backend(match):
        return None
    return Report(
        f"{match.owner}.{match.member} exposes the backend type {match.shown} in its signature; take and return domain "
        "types and convert inside the backend",
        match.owner,
        match.member,
    )


def _physical_key(match: Match) -> Report:
    return Report(
        f"{match.owner}.{match.shown}: the domain type {match.owner} carries the physical key attribute {match.shown}; "
        "keep keys in the backend's item mapping",
        symbol=f"{match.owner}.{match.shown}",
    )


def holds_key_attribute(context: ScanContext) -> Callable[[str, bytes], bool]:
    """Can SG403 (or SG503) match in the file: does it hold one of the key attribute names as a whole
    identifier (`pk`, `gsi1_sk`, `sortKey`; not `task`, `disk`, `sort()`)? A substring test on
    the lower-cased bytes (`pk`, `sk`, `partition`, `sort`), then the identifier around each
    occurrence. The table's own names that the built-in pattern does not cover are looked for as
    substrings."""
    from store_gate.prefilter import token_runs

    extra = tuple(
        name.encode() for name in context.key_attributes if not _KEY_IDENTIFIER.fullmatch(name.lower().encode())
    )

    def holds(path: str, data: bytes) -> bool:
        if any(name in data for name in extra):
            return True
        if not data.isascii() and any(char in data for char in _FOLDING):
            return True
        lowered = data.lower()
        for needle in (b"pk", b"sk", b"partition", b"sort"):
            for _, left, right, unsure in token_runs(lowered, needle):
                if unsure or _KEY_IDENTIFIER.fullmatch(lowered, left, right):
                    return True
        return False

    return holds


SG401 = Rule(
    "SG401",
    "store-method-storage-vocabulary",
    "warning",
    "A store method name carries storage vocabulary (gsi, lsi, pk, sk, scan, partition, sql, dynamo).",
    scan=Scan("stores", _storage_vocabulary, confirm=_holds_storage_word),
)
SG402 = Rule(
    "SG402",
    "store-signature-backend-type",
    "error",
    "A store signature exposes backend types (rusqlite, aws_sdk_dynamodb, AttributeValue, boto3, ...).",
    lowerable=False,
    scan=Scan("stores", _backend_type),
)
SG403 = Rule(
    "SG403",
    "domain-type-physical-key",
    "error",
    "Physical key attributes (pk, sk, gsi1pk, ...) in domain model types.",
    scan=Scan("domain", _physical_key, needs="boundaries", confirm=holds_key_attribute),
)
