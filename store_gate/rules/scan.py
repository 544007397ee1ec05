"""What an ast-grep rule over source files declares, and what its report function sees.

A structural rule (SG4, SG5, users' own) is a `Rule` with a `Scan`: which files it reads, what a
file must contain to be worth parsing, and how a match becomes a finding. Its ast-grep YAML lives
in the rule project `rules/<language>/<code>-<language>.yml`; `store_gate.rules.structural`
runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

if TYPE_CHECKING:
    from store_gate.extract.model import SourceLocation
    from store_gate.project import Project

# Which files a rule reads: the files holding governed traits; the domain model; every scanned
# file (`[boundaries] paths`, default the stores' paths); the scanned files outside every backend.
Files = Literal["stores", "domain", "scanned", "outside-backends"]
# What the manifest must configure for the rule to run: nothing, `[boundaries]`, or backends.
Needs = Literal["nothing", "boundaries", "backends"]


@dataclass(frozen=True)
class Scope:
    """The files of one project, sorted into what the rules read."""

    scanned: list[str]
    stores: list[str]
    domain: list[str]
    outside_backends: list[str]
    backend_allow: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Per rules language (rust, python, typescript): every client module, with the backends it may
    # serve (the language table's, and the manifest's `modules`).
    backend_modules: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)

    def files(self, which: Files) -> list[str]:
        return {
            "stores": self.stores,
            "domain": self.domain,
            "scanned": self.scanned,
            "outside-backends": self.outside_backends,
        }[which]


@dataclass(frozen=True)
class ScanContext:
    project: Project
    scope: Scope
    # What a rule's report computes once per file and reuses for its other matches there
    # (SG503's key bindings), for this run only.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)

    @property
    def key_prefixes(self) -> list[str]:
        """The physical key formats of this table: the literal prefixes of the entities' key
        templates that end like a format separator (`DIALOGUE#`), and `[boundaries] key_prefixes`."""
        prefixes = set()
        for layout in self.project.entities.values():
            for template in layout.values():
                prefix = template.literal_prefix
                if len(prefix) >= 2 and prefix[-1] in "#|:":
                    prefixes.add(prefix)
        boundaries = self.project.loaded.manifest.boundaries
        return sorted(prefixes) + list(boundaries.key_prefixes if boundaries else ())

    @property
    def key_attributes(self) -> list[str]:
        """The table's key attribute names and `[boundaries] key_attributes`."""
        boundaries = self.project.loaded.manifest.boundaries
        return list(self.project.table.attribute_types) + list(boundaries.key_attributes if boundaries else ())


@dataclass(frozen=True)
class Match:
    """One node an ast-grep rule matched, with what a message needs."""

    node: Any
    location: SourceLocation
    text: str  # the node's text, whitespace collapsed
    owner: str | None  # the type (trait, class, struct, interface) the node sits in
    member: str | None  # the member (method, field) it sits in
    context: ScanContext
    config: dict[str, Any] | None = None  # the rule as run: its utils set from the manifest

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def shown(self) -> str:
        """The text as a message quotes it: at most 60 characters."""
        return self.text if len(self.text) <= 60 else self.text[:57] + "..."


@dataclass(frozen=True)
class Report:
    message: str
    trait: str | None = None  # a governed trait and method only
    method: str | None = None
    symbol: str | None = None  # anything else the finding is about (`Dialogue.gsi1pk`)


def no_prefilter(context: ScanContext, language: str) -> tuple[bytes, ...] | None:
    return None


def no_confirmation(context: ScanContext) -> Callable[[str, bytes], bool] | None:
    return None


@dataclass(frozen=True)
class Scan:
    files: Files
    report: Callable[[Match], Report | None]  # None: the match is not a finding
    needs: Needs = "nothing"
    # Byte strings a file of the rules language must contain for the rule to match in it (None:
    # no prefilter); the file is parsed only when one of them is there.
    needles: Callable[[ScanContext, str], tuple[bytes, ...] | None] = no_prefilter
    # Then a finer test of the file's path and bytes (None: none), which may only say no to a
    # file the rule cannot match in: an identifier as a whole token, not a substring of a word.
    confirm: Callable[[ScanContext], Callable[[str, bytes], bool] | None] = no_confirmation
