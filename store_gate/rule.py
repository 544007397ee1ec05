"""A rule: its code, name, default severity, what the gate may do with it, and its documentation.

One `Rule` object per code, declared next to the code that checks it (`store_gate/rules/*.py`,
`store_gate/waivers.py`; SG000 and SG105 in `store_gate/rules/outside.py`, apart from the flake8
plugin and the baseline that report them); the catalogue (`store_gate.catalogue`)
collects them, and `explain`, `rules`, SARIF's rule metadata, the README table and docs/rules.md
are generated from them. A built-in rule's documentation is a Markdown file of its own,
`store_gate/docs/<code>.md`, in ruff's sections. Users' own ast-grep rules become `Rule` objects
too, with the help their YAML gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Literal

if TYPE_CHECKING:
    from store_gate.extract.model import SourceLocation
    from store_gate.findings import Finding
    from store_gate.project import Project
    from store_gate.rules.context import PatternContext
    from store_gate.rules.scan import Scan

    ProjectCheck = Callable[[Project], Iterable[Finding]]
    PatternCheck = Callable[[PatternContext], Iterable[str]]

Severity = Literal["error", "warning", "info", "off"]  # info: users' rules (ast-grep info/hint)
Status = Literal["stable", "preview"]  # ruff's lifecycle: a preview rule may still change


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    # What the manifest and the ratchets may do with its findings. A gate rule that may not be
    # lowered can still be waived, one reviewed reason at a time; a rule that is not waivable or
    # baselinable has no exception at all.
    lowerable: bool = True
    waivable: bool = True
    baselinable: bool = True
    status: Status = "stable"
    builtin: bool = True
    help: str = ""  # users' rules: their YAML's note (built-in rules: store_gate/docs/<code>.md)
    # How the produce stage runs it - one of: over the whole project (findings); over each declared
    # access pattern (messages, placed at the declaration); as an ast-grep rule over source files.
    # A rule with none of them is produced by a later stage (SG104 by the waivers, SG302 by the
    # --base comparison) or by the extractors through SG002's project check (SG003, SG004).
    project: ProjectCheck | None = field(default=None, compare=False, repr=False)
    pattern: PatternCheck | None = field(default=None, compare=False, repr=False)
    scan: Scan | None = field(default=None, compare=False, repr=False)

    @property
    def family(self) -> str:
        """SG0 ... SG7 for built-in rules; users' rules form the family "custom"."""
        return self.code[:3] if self.builtin else "custom"

    @cached_property
    def doc(self) -> str:
        """The documentation's body: What it does, Why is this bad?, Example, Use instead, How to fix,
        Options, References."""
        if not self.builtin:
            return self.help
        from importlib import resources  # it imports tempfile: only `explain` and the docs need it

        return resources.files("store_gate.docs").joinpath(f"{self.code}.md").read_text(encoding="utf-8")

    def section(self, title: str) -> str:
        """One section of the documentation (`What it does`), without its heading."""
        for part in f"\n{self.doc}".split("\n## ")[1:]:
            heading, _, body = part.partition("\n")
            if heading == title:
                return body.strip("\n")
        return ""

    def doc_page(self) -> str:
        """What `store-gate explain` prints."""
        head = f"{self.code} {self.name} (default severity: {self.severity}, {self.status})"
        return f"{head}\n\n{self.summary}\n\n{self.doc}"

    def at(
        self,
        location: SourceLocation,
        message: str,
        trait: str | None = None,
        method: str | None = None,
        symbol: str | None = None,
    ) -> Finding:
        """A finding of this rule, at its default severity (the grading stage applies the manifest's)."""
        from store_gate.findings import Finding

        return Finding(
            location.path, location.line, location.column, self.code, message, self.severity, trait, method, symbol
        )
