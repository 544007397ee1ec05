"""SG4: the shape of the trait and of the domain model - no storage vocabulary in method names,
no backend types in signatures, no physical key attributes in domain types.

ast-grep rules: rules/<language>/SG40x-<language>.yml (with their valid/invalid tests).
"""

from __future__ import annotations

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


def _backend_type(match: Match) -> Report:
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
