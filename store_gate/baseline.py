"""The baseline: today's findings, accepted, so that only new ones fail (a ratchet).

Entries are keyed by rule and subject (`Trait.method`), never by line: moving code does not
break them. Each key counts its findings, so a second SG206 on the same method is new. Input
problems (SG0: a store not found or not parsed) and waiver problems (SG104) cannot be
baselined: a gate that cannot see its store must not pass. `store-gate baseline --update` only
ever removes entries (fixed findings), unless `--allow-grow` is given.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store_gate.errors import config_error
from store_gate.findings import Finding
from store_gate.rule import Rule

SCHEMA_VERSION = 1
DEFAULT_NAME = "store-gate-baseline.json"

Key = tuple[str, str]  # (code, subject)


def key_of(finding: Finding, rules: Mapping[str, Rule]) -> Key | None:
    """The baseline key of a finding, or None when its rule may not be baselined: `Trait.method`,
    or the file for findings that concern no method (a direct rusqlite call, a custom rule's)."""
    if not rules[finding.code].baselinable:
        return None
    return (finding.code, finding.subject or f"file {finding.path}")


def count(findings: Iterable[Finding], rules: Mapping[str, Rule]) -> Counter[Key]:
    return Counter(k for k in (key_of(f, rules) for f in findings) if k is not None)


@dataclass
class Split:
    new: list[Finding]  # not in the baseline: these fail
    known: list[Finding]  # accepted by the baseline
    fixed: int  # baseline entries that no longer occur: the baseline can be tightened


@dataclass
class Plan:
    """What `store-gate baseline` writes, and what it leaves out."""

    entries: Counter[Key]
    removed: int  # entries of the old baseline that no longer occur
    left_out: list[Finding]  # findings the new baseline does not accept: they still fail


def plan(findings: list[Finding], old: Counter[Key] | None, allow_grow: bool, rules: Mapping[str, Rule]) -> Plan:
    """A new baseline: today's findings; or, updating `old`, only the entries that still occur
    (and, with `allow_grow`, the new ones too). It never grows by accident."""
    current = count(findings, rules)
    entries = current if old is None or allow_grow else current & old
    removed = sum((old - current).values()) if old is not None else 0
    left_out = split(findings, entries, rules).new
    return Plan(entries, removed, left_out)


def load(path: Path, display: str) -> Counter[Key]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise config_error(display, "", "baseline file not found; create it with: store-gate baseline") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise config_error(
            display, "", f"corrupt baseline ({exc}); restore it from git, or delete it and run store-gate baseline"
        ) from None
    entries = _entries(document)
    if entries is None:
        raise config_error(
            display,
            "entries",
            f"not a store-gate baseline (schema_version {SCHEMA_VERSION} with entries of code, subject, count); "
            "restore it from git, or delete it and run store-gate baseline",
        )
    return entries


def _entries(document: Any) -> Counter[Key] | None:
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        return None
    raw = document.get("entries")
    if not isinstance(raw, list):
        return None
    entries: Counter[Key] = Counter()
    for item in raw:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("code"), str)
            and isinstance(item.get("subject"), str)
            and isinstance(item.get("count"), int)
            and not isinstance(item.get("count"), bool)
            and item["count"] > 0
        ):
            return None
        entries[(item["code"], item["subject"])] += item["count"]
    return entries


def split(findings: list[Finding], entries: Counter[Key], rules: Mapping[str, Rule]) -> Split:
    remaining = Counter(entries)
    new: list[Finding] = []
    known: list[Finding] = []
    for finding in sorted(findings):
        key = key_of(finding, rules)
        if key is not None and remaining[key] > 0:
            remaining[key] -= 1
            known.append(finding)
        else:
            new.append(finding)
    return Split(new, known, sum(remaining.values()))


def write(path: Path, entries: Counter[Key]) -> None:
    """Atomically: a crash leaves the old baseline or the new one, never half of either."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": "store-gate",
        "entries": [
            {"code": code, "subject": subject, "count": n} for (code, subject), n in sorted(entries.items()) if n > 0
        ],
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(document, indent=2) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
