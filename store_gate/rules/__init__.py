"""The rule registry: every code the catalogue lists, mapped to the function that checks it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Callable

from store_gate.findings import Finding
from store_gate.project import Project
from store_gate.rules import coverage, layout, legality
from store_gate.rules.context import PatternContext, pattern_contexts

ProjectRule = Callable[[Project], Iterable[Finding]]
PatternRule = Callable[[PatternContext], Iterable[str]]

# Rules over the whole project. SG002 and SG003 come from one function: the extractors record
# both kinds of source problem as they read.
PROJECT_RULES: dict[str, ProjectRule] = {
    "SG001": coverage.store_trait_not_found,
    "SG002": coverage.source_problems,
    "SG004": coverage.store_heritage_unresolved,
    "SG101": coverage.method_access_pattern_missing,
    "SG102": coverage.access_pattern_stale,
    "SG103": coverage.access_pattern_inline_conflict,
    "SG301": layout.index_limit_findings,
    "SG303": layout.drift_findings,
}

# Rules over one declared access pattern; their findings sit at the declaration.
PATTERN_RULES: dict[str, PatternRule] = {
    "SG201": legality.index_undefined,
    "SG202": legality.operation_unbounded,
    "SG203": legality.operation_index_mismatch,
    "SG204": legality.primary_key_incomplete,
    "SG205": legality.key_condition_invalid,
    "SG206": legality.key_placeholder_unbound,
    "SG207": legality.consistent_read_on_gsi,
    "SG208": legality.key_template_type_mismatch,
    "SG209": legality.query_unpaginated,
    "SG210": legality.partition_key_constant,
    "SG306": layout.access_pattern_entity_mismatch,
}

# Codes produced outside this registry: SG003 by the extractors (through SG002's function),
# SG104 by the waiver stage, which runs after every other rule.
OTHER_CODES = ("SG003", "SG104")


def run(project: Project) -> Iterator[Finding]:
    for check in PROJECT_RULES.values():
        yield from check(project)
    for ctx in pattern_contexts(project):
        for code, pattern_check in PATTERN_RULES.items():
            for message in pattern_check(ctx):
                yield Finding.at(code, ctx.declaration.location, message, ctx.method.trait, ctx.method.name)
