"""SG0 and SG1: can the gate see the store, and does every method have an access pattern?"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from store_gate.rule import Rule
from store_gate.rules.wording import did_you_mean, names, quote

if TYPE_CHECKING:
    from store_gate.extract.model import Heritage
    from store_gate.findings import Finding
    from store_gate.project import Project


def store_trait_not_found(project: Project) -> Iterator[Finding]:
    """SG001"""
    for store in project.stores:
        if store.found:
            continue
        trait, paths = store.config.trait, ", ".join(quote(p) for p in store.config.paths)
        if not store.files:
            message = f"store trait {trait} not found: its paths ({paths}) match no source file the gate can read"
        else:
            message = (
                f"store trait {trait} is defined in none of the {len(store.files)} files its paths ({paths}) match; "
                "if it was renamed, rename it in [[store]] trait too (the gate does not follow renames)"
            )
        yield SG001.at(project.manifest_location("store", store.position, "trait"), message, trait)


def store_heritage_unresolved(project: Project) -> Iterator[Finding]:
    """SG004: a supertrait / base / extended interface named by a governed trait and found nowhere."""
    for store in project.stores:
        paths = ", ".join(quote(p) for p in store.config.paths)
        for trait, heritage in store.unresolved:
            yield SG004.at(
                heritage.location,
                f"{trait} extends {heritage.written}, which is defined nowhere under the store's paths ({paths}): "
                f"its methods would not be governed; add its file to paths, or list it in [[store]] external = "
                f"[{quote(_external_name(heritage))}] if another manifest governs it",
                trait,
            )


def _external_name(heritage: Heritage) -> str:
    """What `external` lists: the path written, or the base's name when the path is a wrapper
    around it (`Omit<Base, "x">` lists `Base`)."""
    written = re.split(r"[<\[(]", heritage.written, maxsplit=1)[0].strip()
    return written if re.split(r"[.:]", written)[-1] == heritage.name else heritage.name


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def access_key(project: Project, *segments: str) -> str:
    """The TOML table header of an access pattern as the manifest would write it:
    `[access.Trait.method]`, or `[tool.store_gate.access.Trait.method]` in a pyproject.toml; each
    segment that is not a bare key quoted (`[access.DialogueStore."list-rounds"]`)."""
    parts = (*project.loaded.key_prefix, "access", *segments)
    quoted = (s if _BARE_KEY.fullmatch(s) else json.dumps(s, ensure_ascii=False) for s in parts)
    return "[" + ".".join(quoted) + "]"


def source_problems(project: Project) -> Iterator[Finding]:
    """SG002, SG003 and SG004, as the extractors recorded them."""
    rules = {rule.code: rule for rule in (SG002, SG003, SG004)}
    for problem in project.problems:
        yield rules[problem.code].at(problem.location, problem.message, problem.trait)


def method_access_pattern_missing(project: Project) -> Iterator[Finding]:
    """SG101, with a suggested declaration the gate accepts - or one that says it is a skeleton."""
    from store_gate.rules.suggest import parameter_fields, suggest

    undeclared = [m for m in project.methods if project.declaration(m) is None]
    fields = parameter_fields(project, undeclared)
    for method in undeclared:
        suggestion = suggest(method, project, fields)
        yield SG101.at(
            method.location,
            f"{method.qualified_name} has no access pattern; declare it in {project.manifest_in_repository} under "
            f"{access_key(project, method.trait, method.name)} or in its doc comment, e.g. "
            f"@access {suggestion.pattern.render()}{suggestion.note}",
            method.trait,
            method.name,
        )


def access_pattern_stale(project: Project) -> Iterator[Finding]:
    """SG102"""
    existing: dict[str, set[str]] = {}
    for method in project.methods:
        existing.setdefault(method.trait, set()).add(method.name)
    governed = project.governed_trait_names
    not_found = {s.config.trait for s in project.stores if not s.found}
    for (trait, name), declaration in sorted(project.manifest_declarations.items()):
        if trait in not_found or name in existing.get(trait, ()):
            continue
        if trait not in governed:
            if not project.complete:
                continue  # a missing store (SG001) hides its supertraits: not a stale entry
            message = (
                f"{access_key(project, trait, name)} names trait {trait}, which is not governed "
                f"(governed traits: {names(sorted(governed))}){did_you_mean(trait, sorted(governed))}"
            )
        else:
            elsewhere = sorted(t for t, ms in existing.items() if name in ms)
            if elsewhere:
                hint = f"; {elsewhere[0]} declares it: rename the table to {access_key(project, elsewhere[0], name)}"
            else:
                hint = did_you_mean(name, sorted(existing.get(trait, ()))) + "; rename or delete the declaration"
            message = f"{access_key(project, trait, name)} declares a method {trait} does not have{hint}"
        yield SG102.at(declaration.location, message, trait, name)
    if not project.complete:
        return  # a missing store hides methods a delegation may name
    every = {f"{trait}.{name}" for trait, methods in existing.items() for name in methods}
    for method in project.methods:
        delegation = project.declaration(method)
        for target in delegation.pattern.delegates if delegation is not None else ():
            if target not in every and delegation is not None:
                yield SG102.at(
                    delegation.location,
                    f"{method.qualified_name} delegates to {target}, which no governed trait has"
                    f"{did_you_mean(target, sorted(every))}; name the governed method it calls",
                    method.trait,
                    method.name,
                )


def access_pattern_inline_conflict(project: Project) -> Iterator[Finding]:
    """SG103"""
    for key, inline in sorted(project.inline_declarations.items()):
        declared = project.manifest_declarations.get(key)
        if declared is None or declared.pattern == inline.pattern:
            continue
        yield SG103.at(
            inline.location,
            f"{inline.trait}.{inline.method} is declared here as {inline.pattern.render()} but in "
            f"{declared.location.path}:{declared.location.line} as {declared.pattern.render()}; keep one, "
            "or make them agree (the manifest's is the one checked)",
            inline.trait,
            inline.method,
        )


# Input (fail closed): the gate never passes what it could not see. No exception at all: not
# lowerable, not waivable, not baselinable - a waiver of SG001 would ungovern a whole store.
SG001 = Rule(
    "SG001",
    "store-trait-not-found",
    "error",
    "A configured store trait is found nowhere under its paths.",
    lowerable=False,
    waivable=False,
    baselinable=False,
    project=store_trait_not_found,
)
SG002 = Rule(
    "SG002",
    "store-file-unparsable",
    "error",
    "A file holding a governed trait does not parse cleanly.",
    lowerable=False,
    waivable=False,
    baselinable=False,
    project=source_problems,
)
SG003 = Rule(
    "SG003",
    "store-member-unanalysable",
    "error",
    "The trait body holds something the gate cannot analyse.",
    lowerable=False,
    waivable=False,
    baselinable=False,
)
SG004 = Rule(
    "SG004",
    "store-heritage-unresolved",
    "error",
    "A supertrait, base class or extended interface of a governed trait cannot be found or resolved.",
    lowerable=False,
    waivable=False,
    baselinable=False,
    project=store_heritage_unresolved,
)

# Coverage: every method has an access pattern, every access pattern a method.
SG101 = Rule(
    "SG101",
    "method-access-pattern-missing",
    "error",
    "A trait method has no access pattern.",
    lowerable=False,
    project=method_access_pattern_missing,
)
SG102 = Rule(
    "SG102",
    "access-pattern-stale",
    "error",
    "An access pattern names a method that no governed trait has.",
    lowerable=False,
    project=access_pattern_stale,
)
SG103 = Rule(
    "SG103",
    "access-pattern-inline-conflict",
    "error",
    "A method is declared inline and in the manifest, and the two disagree.",
    lowerable=False,
    project=access_pattern_inline_conflict,
)
