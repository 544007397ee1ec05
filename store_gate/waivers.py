"""Waivers: reviewed exceptions in the manifest. Each needs a reason, may expire, must match.

Inline suppressions (`# noqa`, `// store-gate: ignore`) are not honoured by design: a change must
not be able to waive its own violation without the manifest's owners seeing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store_gate.display import bounded
from store_gate.rule import Rule

if TYPE_CHECKING:
    from store_gate.config.model import Waiver
    from store_gate.findings import Finding
    from store_gate.project import Project


@dataclass(frozen=True)
class WaivedFinding:
    finding: Finding
    waiver: Waiver


def has_reason(text: str) -> bool:
    """Is there a reason a reviewer can read: a character that is neither a space, a separator
    nor a control or format character (zero-width spaces and direction marks are no reason)?"""
    import unicodedata

    return any(unicodedata.category(ch)[0] not in "ZC" for ch in text)


def _matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.rule != finding.code:
        return False
    if waiver.methods and finding.method not in waiver.methods:
        return False  # a method added after the waiver was written
    if waiver.path is not None:
        from store_gate.sources import glob_matcher

        return glob_matcher((waiver.path,))(finding.path)
    if finding.trait is None or waiver.method is None:
        return False
    trait, _, method = waiver.method.partition(".")
    return trait == finding.trait and (method == "*" or method == finding.method)


def apply(
    project: Project,
    findings: list[Finding],
    today: dt.date,
    at_base: Sequence[Waiver] | None = None,
    changed: Callable[[Finding], bool] | None = None,
) -> tuple[list[Finding], list[WaivedFinding], list[Finding]]:
    """(findings kept, findings waived, SG104 findings about the waivers themselves).

    With `--base`: `at_base` holds the waivers of the base's manifest and `changed` says whether a
    finding is on code the change added or changed. A waiver that waives such a finding, where no
    waiver at the base did, came with the code it waives - SG104 too, as the baseline's SG105."""
    waivers = project.loaded.manifest.waiver
    active: list[tuple[int, Waiver]] = []
    problems: list[Finding] = []
    for i, waiver in enumerate(waivers):
        location = project.manifest_location("waiver", i)
        trait, method, symbol = _about(project, waiver)
        what = _what(waiver)
        if not has_reason(waiver.reason):
            problems.append(
                SG104.at(location, f"{what} has no reason; say why the exception is acceptable", trait, method, symbol)
            )
        elif waiver.expires is not None and waiver.expires < today:
            problems.append(
                SG104.at(
                    location,
                    f"{what} expired on {waiver.expires.isoformat()}; fix the finding, or renew the waiver "
                    "with a new expires date",
                    trait,
                    method,
                    symbol,
                )
            )
        else:
            active.append((i, waiver))
    kept: list[Finding] = []
    waived: list[WaivedFinding] = []
    used: dict[int, list[Finding]] = {}
    for finding in findings:
        match = next(((i, w) for i, w in active if _matches(w, finding)), None)
        if match is None:
            kept.append(finding)
        else:
            used.setdefault(match[0], []).append(finding)
            waived.append(WaivedFinding(finding, match[1]))
    for i, waiver in active:
        trait, method, symbol = _about(project, waiver)
        # With a store missing (SG001), its findings cannot be known: "matches nothing" would lie.
        if i not in used and project.complete:
            problems.append(
                SG104.at(
                    project.manifest_location("waiver", i),
                    f"{_what(waiver)} matches no finding; delete it, so that it "
                    "cannot silently waive a future violation",
                    trait,
                    method,
                    symbol,
                )
            )
        elif i in used and at_base is not None and changed is not None:
            fresh = [f for f in used[i] if changed(f) and not any(_matches(old, f) for old in at_base)]
            if fresh:
                problems.append(
                    SG104.at(
                        project.manifest_location("waiver", i),
                        f"{_what(waiver)} was added in this change with what it "
                        f"waives ({_listed(fresh)}): a change cannot waive its own findings; fix them, or have "
                        "the manifest's owners review the waiver in a change of its own",
                        trait,
                        method,
                        symbol,
                    )
                )
    return kept, waived, problems


def _about(project: Project, waiver: Waiver) -> tuple[str | None, str | None, str | None]:
    """What a waiver's SG104 is about: (trait, method) when it names a method of a governed
    trait; any other name it gives, as the symbol; nothing for a waiver of a path."""
    trait, _, method = (waiver.method or "").partition(".")
    if trait in project.governed_trait_names and method:
        return trait, method, None
    return None, None, waiver.method or None


def _what(waiver: Waiver) -> str:
    """A waiver as its problems name it; what the manifest wrote is cut at 80 characters."""
    return f"waiver of {bounded(waiver.rule)} for {bounded(waiver.subject)}"


def _listed(findings: list[Finding]) -> str:
    """The code a waiver came with: each method (or file), at most three named."""
    subjects = sorted({bounded(f"{f.trait}.{f.method}" if f.trait and f.method else f.path) for f in findings})
    more = len(subjects) - 3
    return ", ".join(subjects[:3]) + (f" and {more} more" if more > 0 else "")


# Produced by the waiver stage, which runs after every other rule: a waiver's own problems can
# neither be waived nor baselined.
SG104 = Rule(
    "SG104",
    "waiver-invalid",
    "error",
    "A waiver has no reason, has expired, matches nothing, or came with the code it waives.",
    lowerable=False,
    waivable=False,
    baselinable=False,
)
