"""The baseline: today's findings, accepted with a reason, so that only new ones fail (a ratchet).

Entries are keyed by rule and subject (`Trait.method`), never by line: moving code does not
break them. Each key counts its findings, so a second SG206 on the same method is new. Each entry
carries a reason, like a waiver: an exception nobody can explain is no exception. Rules that are
not baselinable (input problems, waiver problems) never are. `store-gate baseline --update` only
ever removes entries (fixed findings), unless `--allow-grow` is given; with `--base`, an entry the
change under review adds to the baseline is itself a finding (SG105) - a change cannot accept its
own violations.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store_gate.app import DEFAULT_BASELINE
from store_gate.errors import UsageError, config_error
from store_gate.rule import Rule
from store_gate.rules.outside import SG105

if TYPE_CHECKING:
    from store_gate.extract.model import SourceLocation
    from store_gate.findings import Finding

SCHEMA_VERSION = 2
DEFAULT_NAME = DEFAULT_BASELINE

Key = tuple[str, str]  # (code, subject)


@dataclass
class Baseline:
    entries: Counter[Key] = field(default_factory=Counter)
    reasons: dict[Key, str] = field(default_factory=dict)


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

    baseline: Baseline
    removed: int  # entries of the old baseline that no longer occur
    left_out: list[Finding]  # findings the new baseline does not accept: they still fail


def plan(
    findings: list[Finding], old: Baseline | None, allow_grow: bool, rules: Mapping[str, Rule], reason: str | None
) -> Plan:
    """A new baseline: today's findings; or, updating `old`, only the entries that still occur
    (and, with `allow_grow`, the new ones too). It never grows by accident, and every entry it
    writes has a reason: its old one, else `reason`."""
    from store_gate.waivers import has_reason

    current = count(findings, rules)
    entries = current if old is None or allow_grow else current & old.entries
    kept = old.reasons if old is not None else {}
    reasons: dict[Key, str] = {}
    for key in entries:
        text = kept.get(key, "") if has_reason(kept.get(key, "")) else (reason or "")
        if not has_reason(text):
            raise UsageError(
                f'baseline: {key[0]} {key[1]} needs a reason; give one with --reason "..." '
                "(why these findings are accepted for now, for the reviewers)"
            )
        reasons[key] = text
    removed = sum((old.entries - current).values()) if old is not None else 0
    left_out = split(findings, entries, rules).new
    return Plan(Baseline(entries, reasons), removed, left_out)


def load(path: Path, display: str, require_reasons: bool = True) -> Baseline:
    """The baseline file; a corrupt one, or (with `require_reasons`) one whose entries lack a
    reason, is an error - never an empty baseline."""
    from store_gate.sources import Unreadable, read_regular

    if not path.exists():
        raise config_error(display, "", "baseline file not found; create it with: store-gate baseline")
    try:
        document = json.loads(read_regular(path).decode("utf-8"))
    except Unreadable as exc:
        raise config_error(display, "", f"the baseline {exc.reason}") from None
    except (OSError, UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise config_error(
            display, "", f"corrupt baseline ({exc}); restore it from git, or delete it and run store-gate baseline"
        ) from None
    baseline = parse(document)
    if baseline is None:
        raise config_error(
            display,
            "entries",
            f"not a store-gate baseline (schema_version {SCHEMA_VERSION} with entries of code, subject, count, "
            "reason); restore it from git, or delete it and run store-gate baseline",
        )
    if require_reasons:
        from store_gate.waivers import has_reason

        for (code, subject), reason in sorted(baseline.reasons.items()):
            if not has_reason(reason):
                raise config_error(
                    display,
                    "entries",
                    f"the entry {code} {subject} has no reason; an accepted finding needs one, like a waiver: "
                    'run store-gate baseline --update --reason "..."',
                )
    return baseline


def parse(document: Any) -> Baseline | None:
    """The entries of a baseline document (schema 1, without reasons, or 2), or None."""
    if not isinstance(document, dict) or document.get("schema_version") not in (1, SCHEMA_VERSION):
        return None
    raw = document.get("entries")
    if not isinstance(raw, list):
        return None
    baseline = Baseline()
    for item in raw:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("code"), str)
            and isinstance(item.get("subject"), str)
            and isinstance(item.get("count"), int)
            and not isinstance(item.get("count"), bool)
            and 0 < item["count"] < 1_000_000
            and isinstance(item.get("reason", ""), str)
        ):
            return None
        key = (item["code"], item["subject"])
        baseline.entries[key] += item["count"]
        baseline.reasons[key] = item.get("reason", "")
    return baseline


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


def write(path: Path, baseline: Baseline) -> None:
    """Atomically: a crash leaves the old baseline or the new one, never half of either. Never
    through a symlink (it is replaced by a file of the user's umask, never followed)."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": "store-gate",
        "entries": [
            {"code": code, "subject": subject, "count": n, "reason": baseline.reasons.get((code, subject), "")}
            for (code, subject), n in sorted(baseline.entries.items())
            if n > 0
        ],
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(document, indent=2) + "\n")
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600: a baseline is shared, like any file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def added_entries(
    before: Baseline | None, after: Baseline, location: Callable[[Key], SourceLocation], shown: str
) -> Iterator[Finding]:
    """SG105: entries the change under review added to the baseline (or whose count grew)."""
    previous = before.entries if before is not None else Counter()
    for key, n in sorted(after.entries.items()):
        if n > previous[key]:
            code, subject = key
            grew = f" (from {previous[key]} to {n})" if previous[key] else ""
            yield SG105.at(
                location(key),
                f"{shown} accepts {code} {subject}{grew}, added in this change: a change cannot accept its own "
                "findings; fix them, or have the manifest's owners review the entry in a change of its own",
            )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
