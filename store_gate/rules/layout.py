"""SG3: does an access pattern fit the single-table layout of the entity it names?"""

from __future__ import annotations

from collections.abc import Iterator

from store_gate.config.model import Table
from store_gate.rules.context import PatternContext, names, quote


def lsi_added_to_existing_table(before: Table | None, after: Table) -> Iterator[tuple[str, str]]:
    """SG302: (index name, message) for each LSI the base's table did not have."""
    if before is None:
        return  # the table is new in this change: its LSIs are created with it
    for name in after.lsi:
        if name not in before.lsi:
            yield (
                name,
                f"LSI {quote(name)} is added to table {quote(after.name or '(unnamed)')}, which exists at the base; "
                "DynamoDB creates LSIs only with the table: declare a GSI instead, or plan a table migration",
            )


def access_pattern_entity_mismatch(ctx: PatternContext) -> Iterator[str]:
    """SG306"""
    entity_name = ctx.pattern.entity
    if entity_name is None:
        return
    layout = ctx.entity
    if layout is None:
        yield (
            f"{ctx.subject} names entity {quote(entity_name)}, which the manifest does not define "
            f"(entities: {names(sorted(ctx.entities))}); add [entity.{entity_name}] or fix the name"
        )
        return
    index = ctx.index
    if index is not None and index.partition_key.name not in layout:
        yield (
            f"{ctx.subject}: entity {entity_name} has no {quote(index.partition_key.name)}, so its items are not "
            f"in {index.label}; add it to [entity.{entity_name}], or query another index"
        )
        return
    for attr, condition in ctx.pattern.key.items():
        template = layout.get(attr)
        if template is None:
            yield (
                f"{ctx.subject}: key {quote(attr)} is not part of entity {entity_name}'s layout "
                f"(it has: {names(sorted(layout))})"
            )
            continue
        for operand in condition.operands:
            fits = template.admits(operand) if condition.operator == "eq" else template.admits_prefix(operand)
            if not fits:
                relation = "does not fit" if condition.operator == "eq" else f"({condition.operator}) is no prefix of"
                yield (
                    f"{ctx.subject}: key {attr} = {quote(operand.source)} {relation} entity {entity_name}'s "
                    f"{attr} = {quote(template.source)}; write it in the entity's layout"
                )
