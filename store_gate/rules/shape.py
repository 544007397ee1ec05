"""SG4: the shape of the trait and of the domain model - no storage vocabulary in method names,
no backend types in signatures, no physical key attributes in domain types.

ast-grep rules: rules/<language>/SG40x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from store_gate.rule import Rule
from store_gate.rules.scan import Report, Scan

if TYPE_CHECKING:
    from store_gate.rules.scan import Match, ScanContext

# Substrings of the identifiers SG403 looks for (pk, sk, gsi1pk, partition_key, ...): a file
# holding none of them, nor one of the table's own key names, is never parsed for it.
_KEY_WORDS = (b"pk", b"sk", b"PK", b"SK", b"Pk", b"Sk", b"gsi", b"GSI", b"lsi", b"LSI", b"partition", b"sort")


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
_PYTHON_BACKEND_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(?:pynamodb|boto3|aioboto3|mypy_boto3_dynamodb|types_aiobotocore_dynamodb)(?:\.[\w.]+)?[ \t]+"
    r"import[ \t]+(\([^)]*\)|[^\n]*)",
    re.MULTILINE,
)


def _imported_from_backend(match: Match) -> bool:
    """Does the file import the matched name (or bind it with `as`) from a DynamoDB library?"""
    text = match.context.project.sources.text(match.path) or ""
    for imported in _PYTHON_BACKEND_IMPORT.finditer(text):
        for entry in imported.group(1).strip("()").split(","):
            words = entry.split("#", 1)[0].split()
            if words and words[-1] == match.text:
                return True
    return False


def _backend_type(match: Match) -> Report | None:
    ambiguous = match.path.endswith((".py", ".pyi")) and _AMBIGUOUS_PYTHON.match(match.text)
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


def _key_words(context: ScanContext) -> tuple[bytes, ...]:
    return _KEY_WORDS + tuple(name.encode() for name in context.key_attributes)


SG401 = Rule(
    "SG401",
    "store-method-storage-vocabulary",
    "warning",
    "A store method name carries storage vocabulary (gsi, lsi, pk, sk, scan, partition, sql, dynamo).",
    scan=Scan("stores", _storage_vocabulary),
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
    scan=Scan("domain", _physical_key, needs="boundaries", needles=_key_words),
)
