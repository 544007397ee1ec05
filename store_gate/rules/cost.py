"""SG211 and SG212: what a read on an index can return without a second read, and what one
partition receives at the manifest's volumes and rates (the arithmetic is store_gate.capacity)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from store_gate.rule import Rule
from store_gate.rules.wording import quote

if TYPE_CHECKING:
    from store_gate.findings import Finding
    from store_gate.project import Project

INDEX_READS = frozenset({"Query", "Scan"})


def projection_missing_attributes(project: Project) -> Iterator[Finding]:
    """SG211"""
    from store_gate.config.model import entity_attributes, pattern_copy_problems

    manifest = project.loaded.manifest
    for method in project.methods:
        declaration = project.declaration(method)
        if declaration is None:
            continue
        if declaration.origin == "inline":  # the manifest's own are configuration errors
            for field_name, message in pattern_copy_problems(manifest, set(project.entities), declaration.pattern):
                if field_name == "reads":
                    yield SG211.at(
                        declaration.location, f"{method.qualified_name}: reads: {message}", method.trait, method.name
                    )
        for label, leaf in declaration.pattern.operations():
            schema = project.schema_of(project.table_name(method.trait, leaf))
            index = schema.index(leaf.index) if schema is not None and leaf.index else None
            if schema is None or index is None or leaf.op not in INDEX_READS or index.projection.kind == "ALL":
                continue
            subject = method.qualified_name + (f" ({label})" if label else "")
            where = f"{index.label} (projection {index.projection})"
            needed = set(leaf.reads) if leaf.reads is not None else None
            if needed is None and leaf.entity is not None:
                needed = entity_attributes(manifest, leaf.entity)
            if needed is None:
                yield SG211.at(
                    declaration.location,
                    f"{subject} reads {where}, and the gate cannot tell which attributes it needs: declare "
                    f'reads = ["attribute", ...], or the attributes of the entity ([entity.{leaf.entity or "<Name>"}] '
                    "attributes = [...])",
                    method.trait,
                    method.name,
                )
                continue
            projected = {*schema.base.key_names, *index.key_names, *index.projection.include}
            missing = sorted(needed - projected)
            if not missing:
                continue
            second = (
                "DynamoDB fetches them from the table, a second read per item"
                if index.kind == "lsi"
                else "a GSI cannot return them: each item needs a second read (GetItem on the table)"
            )
            shown = ", ".join(quote(a) for a in missing)
            yield SG211.at(
                declaration.location,
                f"{subject} needs {shown}, which {where} does not project; {second}. Add them to the projection "
                f"({{ include = [{shown}] }}), or list only what the method uses in reads = [...]",
                method.trait,
                method.name,
            )


def _number(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def hot_partition(project: Project) -> Iterator[Finding]:
    """SG212"""
    from store_gate.capacity import collection_sizes, method_costs
    from store_gate.dynamodb import ITEM_COLLECTION_KB, PARTITION_RCU, PARTITION_WCU

    volumes = project.loaded.manifest.volumes
    if volumes.calls_per_second:
        from store_gate.capacity import partition_loads

        costs = method_costs(project)
        declared = {entry.name for entry in costs}
        for name in sorted(set(volumes.calls_per_second) - declared):
            yield SG212.at(
                project.manifest_location("volumes", "calls_per_second", name),
                f"[volumes.calls_per_second] gives a rate for {quote(name)}, which is no declared method of a "
                "governed trait: its load is counted nowhere; fix the name (Trait.method)",
            )
        for (table, index, key), (rcu, wcu, methods) in partition_loads(costs).items():
            for units, limit, kind in ((rcu, PARTITION_RCU, "RCU"), (wcu, PARTITION_WCU, "WCU")):
                if units > limit:
                    yield SG212.at(
                        project.manifest_location("volumes", "calls_per_second", methods[0]),
                        f"partition {quote(key)} of {table} ({index}) receives {_number(units)} {kind} per second at "
                        f"the declared rates ({', '.join(methods)}); one partition serves at most {_number(limit)} "
                        f"{kind}: spread the key over more partitions (write sharding), or cache the reads",
                    )
    if not volumes.entities:
        return
    for table, key, size_kb, missing in collection_sizes(project):
        location = project.manifest_location("volumes")
        if size_kb is None:
            yield SG212.at(
                location,
                f"the item collection {quote(key)} of {table} (a table with LSIs: at most 10 GB) cannot be sized: "
                f"{'; '.join(missing)}; state its volumes in [volumes]",
            )
        elif size_kb > ITEM_COLLECTION_KB:
            yield SG212.at(
                location,
                f"the item collection {quote(key)} of {table} holds {_number(size_kb / 1024 / 1024)} GB at the "
                "declared volumes; with LSIs an item collection holds at most 10 GB: split the partition key, or "
                "replace the LSIs with GSIs",
            )


SG211 = Rule(
    "SG211",
    "projection-missing-attributes",
    "warning",
    "A read on an index needs attributes the index does not project: a second read per item.",
    project=projection_missing_attributes,
)
SG212 = Rule(
    "SG212",
    "hot-partition",
    "warning",
    "At the declared volumes and rates a partition exceeds 3,000 RCU or 1,000 WCU per second, or an item "
    "collection exceeds 10 GB on a table with LSIs.",
    project=hot_partition,
)
