"""SG6: denormalised copies. Every write that changes a copy's source says how the copies follow
(SG601), and what one call writes in all stays within DynamoDB's limits and the manifest's budget
(SG602)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from store_gate.dynamodb import ITEM_WRITE_OPERATIONS, MAX_ITEMS
from store_gate.rule import Rule
from store_gate.rules.wording import quote

if TYPE_CHECKING:
    from store_gate.config.model import AccessPattern, Manifest
    from store_gate.findings import Finding
    from store_gate.project import Declaration, Project

CHANGES = ("PutItem", "UpdateItem")  # what changes a source attribute (a DeleteItem removes it)
CONTAINERS = ("TransactWriteItems", "BatchWriteItem")


def _declarations(project: Project) -> Iterator[Declaration]:
    for method in project.methods:
        declaration = project.declaration(method)
        if declaration is not None:
            yield declaration


def _transaction_writes(pattern: AccessPattern, entity: str) -> bool:
    """Is there a TransactWriteItems (the pattern, or one of its steps) with an item on `entity`?"""
    transactions = [p for p in (pattern, *pattern.steps) if p.op == "TransactWriteItems"]
    return any(item.op in CHANGES and item.entity == entity for t in transactions for item in t.items)


def changed_sources(manifest: Manifest, pattern: AccessPattern) -> tuple[set[str], list[str]]:
    """The copied attributes ("Entity.attribute") a write changes: its `writes`, else every copied
    attribute of each entity it puts or updates; and the write operations that name no entity."""
    if pattern.writes:
        return set(pattern.writes), []
    sources = {copy.source for copies in manifest.entity_copies.values() for copy in copies.values()}
    changed, unnamed = set(), []
    for label, leaf in pattern.operations():
        if leaf.op in CHANGES:
            if leaf.entity is None:
                unnamed.append(label or leaf.op or "")
            changed |= {s for s in sources if s.split(".", 1)[0] == leaf.entity}
    return changed, unnamed


def copies_changed(manifest: Manifest, pattern: AccessPattern) -> list[str]:
    """The copies ("Entity.copy") whose source a write changes."""
    changed, _ = changed_sources(manifest, pattern)
    return sorted(
        f"{h}.{n}" for h, copies in manifest.entity_copies.items() for n, c in copies.items() if c.source in changed
    )


def copy_not_maintained(project: Project) -> Iterator[Finding]:
    """SG601"""
    from store_gate.config.model import pattern_copy_problems

    manifest = project.loaded.manifest
    for declaration in _declarations(project):
        pattern, subject = declaration.pattern, f"{declaration.trait}.{declaration.method}"
        if declaration.origin == "inline":  # the manifest's own are configuration errors
            for field_name, message in pattern_copy_problems(manifest, set(project.entities), pattern):
                if field_name not in ("fanout", "reads"):  # SG602's and SG211's
                    yield SG601.at(
                        declaration.location,
                        f"{subject}: {field_name + ': ' if field_name else ''}{message}",
                        declaration.trait,
                        declaration.method,
                    )
        if not manifest.entity_copies:
            continue
        changed, unnamed = changed_sources(manifest, pattern)
        for label in unnamed:
            yield SG601.at(
                declaration.location,
                f"{subject}: {label} writes an item of no named entity, so the gate cannot tell which copied "
                'attributes it changes; add entity = "..." to it, or declare writes = ["Entity.attribute", ...]',
                declaration.trait,
                declaration.method,
            )
        handler = manifest.handler.get(pattern.stream) if pattern.stream else None
        for holder, copies in sorted(manifest.entity_copies.items()):
            for name, copy in sorted(copies.items()):
                if copy.source not in changed:
                    continue
                ref = f"{holder}.{name}"
                if handler is not None and ref in handler.maintains:
                    continue
                if ref in pattern.maintains:
                    if _transaction_writes(pattern, holder):
                        continue
                    yield SG601.at(
                        declaration.location,
                        f"{subject} declares maintains = [{quote(ref)}] but writes no {holder} item in the same "
                        f'TransactWriteItems; make it op = "TransactWriteItems" with an UpdateItem on entity {holder}, '
                        'or let a stream handler update the copies (stream = "...")',
                        declaration.trait,
                        declaration.method,
                    )
                    continue
                via = "" if pattern.stream is None else f" (handler {quote(pattern.stream)} does not maintain it)"
                yield SG601.at(
                    declaration.location,
                    f"{subject} changes {copy.source}, which {ref} copies (via {holder}.{copy.via}), and does not "
                    f"update the copies{via}: write them in the same TransactWriteItems (an UpdateItem on {holder}, "
                    f'maintains = ["{ref}"]) or name a stream handler that does (stream = "...", '
                    f'[handler.<name>] maintains = ["{ref}"])',
                    declaration.trait,
                    declaration.method,
                )


def _keyed_on_earlier(item: AccessPattern) -> bool:
    return any(p.root == "item" for c in item.key.values() for t in c.operands for p in t.placeholders)


def _own_writes(pattern: AccessPattern) -> tuple[int, str | None, str | None]:
    """The items the call's own operations write, its TransactWriteItems / BatchWriteItem (if any),
    and why the count is unbounded (None: it is not). A transaction's condition checks count toward
    its limit; an item on the entity of a copy it maintains stands for the fan-out, counted there;
    a step's item keyed on `{item.x}` is written once per item the step before reads (its `limit`)."""
    holders = {ref.split(".", 1)[0] for ref in pattern.maintains}
    count, container, unbounded = 0, None, None
    steps = pattern.steps or (pattern,)
    for number, step in enumerate(steps):
        before = steps[number - 1] if number else None
        for _, leaf in step.operations():
            if leaf.op in CONTAINERS:
                container = leaf.op
            elif (leaf.op in ITEM_WRITE_OPERATIONS or leaf.op == "ConditionCheck") and leaf.entity not in holders:
                if before is not None and _keyed_on_earlier(leaf):
                    if isinstance(before.limit, int):
                        count += before.limit
                    else:
                        unbounded = f"step {number + 1} writes an item per item step {number} reads, which has no limit"
                else:
                    count += 1
    return count, container, unbounded


def write_amplification_budget(project: Project) -> Iterator[Finding]:
    """SG602"""
    manifest = project.loaded.manifest
    budget = manifest.budgets.max_write_fanout
    for declaration in _declarations(project):
        pattern, subject = declaration.pattern, f"{declaration.trait}.{declaration.method}"

        def finding(message: str, declaration: Declaration = declaration, subject: str = subject) -> Finding:
            return SG602.at(declaration.location, f"{subject} {message}", declaration.trait, declaration.method)

        if (pattern.maintains or pattern.stream) and pattern.fanout is None:
            yield finding(
                "updates copies but does not say how many per call; declare fanout = <items> or "
                '"{Entity} per Parent" (a [volumes] entry)'
            )
            continue
        from store_gate.capacity import fanout_items
        from store_gate.config.model import Fanout

        copies = fanout_items(manifest, pattern)
        if copies is None and isinstance(pattern.fanout, Fanout):  # inline, naming no [volumes] count
            yield finding(
                f"declares fanout = {quote(pattern.fanout.source)}, which no [volumes] count gives: add "
                f'[volumes] {pattern.fanout.entity} = {{ per = "{pattern.fanout.per}", count = ..., size_kb = ... }}'
            )
            continue
        copies = copies or 0
        own, container, unbounded = _own_writes(pattern)
        if unbounded is not None and container is not None:
            yield finding(
                f"{unbounded}: its {container} has no bound; give that step limit = {MAX_ITEMS[container]} "
                "(one request per page)"
            )
            continue
        total = own + copies
        in_request = own + (copies if pattern.stream is None else 0)
        limit = MAX_ITEMS.get(container or "")
        if container == "TransactWriteItems" and limit is not None and in_request > limit:
            yield finding(
                f"writes {in_request} items in one TransactWriteItems ({own} declared + {copies} copies); "
                f'DynamoDB allows {limit}: update the copies from a stream handler (stream = "...") instead'
            )
        elif container == "BatchWriteItem" and limit is not None and in_request > limit:
            yield finding(
                f"writes {in_request} items in one BatchWriteItem ({own} declared + {copies} copies); a request "
                f"holds at most {limit}: page it - read {limit} at a time (a Query with limit = {limit} as a step) "
                "and write each page"
            )
        if budget is not None and total > budget:
            yield finding(
                f"writes {total} items per call ({own} of its own + {copies} copies), over [budgets] "
                f"max_write_fanout = {budget}: move the copies to a stream handler, copy less, or raise the budget"
            )


# Denormalisation: a copy that goes stale is a wrong answer with no error; a write that fans out
# past DynamoDB's limits fails in production.
SG601 = Rule(
    "SG601",
    "copy-not-maintained",
    "error",
    "A write changes a copied attribute and does not say how the copies follow.",
    project=copy_not_maintained,
)
SG602 = Rule(
    "SG602",
    "write-amplification-budget",
    "error",
    "A write's fan-out is undeclared, over DynamoDB's request limits, or over the manifest's budget.",
    project=write_amplification_budget,
)
