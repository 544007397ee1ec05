"""The produce stage: every built-in rule's check, run over the project.

Which rule checks what is declared on the `Rule` objects themselves (`project=`, `pattern=`,
`scan=`), next to their code; this module only runs them, in code order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store_gate.findings import Finding
    from store_gate.project import Project


def run(project: Project) -> list[Finding]:
    """The findings of every project, pattern and structural rule (not yet graded or filtered)."""
    from store_gate.catalogue import RULES
    from store_gate.rules import structural
    from store_gate.rules.context import pattern_contexts

    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.project is not None:
            findings.extend(rule.project(project))
    pattern_rules = [rule for rule in RULES.values() if rule.pattern is not None]
    for ctx in pattern_contexts(project):
        for rule in pattern_rules:
            assert rule.pattern is not None
            for message in rule.pattern(ctx):
                findings.append(rule.at(ctx.declaration.location, message, ctx.method.trait, ctx.method.name))
    findings.extend(structural.run(project))
    return findings
