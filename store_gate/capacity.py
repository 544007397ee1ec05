"""Capacity: what each declared method costs per call, from the manifest's [volumes], and what a
partition receives per second where the manifest gives call rates (`store-gate cost`, SG212).

DynamoDB's arithmetic: a read unit is 4 KB (strongly consistent; an eventually consistent read
costs half), a write unit is 1 KB, a transaction costs double. A Query is charged on the total
size of the items it reads (one page is at most 1 MB); GetItem, PutItem, ... on each item's size
rounded up. Steps add up, alternatives cost their largest, a delegating method costs its callees
together. What the volumes do not say is reported as unknown, never guessed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from store_gate.config.model import Fanout
from store_gate.dynamodb import (
    CONTROL_PLANE,
    ITEM_WRITE_OPERATIONS,
    PAGE_KB,
    PARTITION_RCU,
    PARTITION_WCU,
    READ_UNIT_KB,
    TRANSACTION_OPERATIONS,
    UNBOUNDED_OPERATIONS,
    WRITE_UNIT_KB,
)

if TYPE_CHECKING:
    from store_gate.config.model import AccessPattern, EntityVolume, Manifest
    from store_gate.keytemplate import KeyTemplate
    from store_gate.project import Project

WRITES = ITEM_WRITE_OPERATIONS | {"ConditionCheck"}  # a condition check costs a write unit too


@dataclass(frozen=True)
class Load:
    """Units one call puts on one partition: (table, index, partition-key shape)."""

    partition: tuple[str, str, str]  # table label, index label, key shape ("DIALOGUE#{}")
    rcu: float
    wcu: float


@dataclass
class Cost:
    rcu: float = 0.0
    wcu: float = 0.0
    items_read: float = 0.0
    kb_read: float = 0.0
    items_written: float = 0.0
    unknown: set[str] = field(default_factory=set)  # what the figures lack ("no [volumes] for Round")
    loads: list[Load] = field(default_factory=list)

    def add(self, other: Cost) -> None:
        self.rcu += other.rcu
        self.wcu += other.wcu
        self.items_read += other.items_read
        self.kb_read += other.kb_read
        self.items_written += other.items_written
        self.unknown |= other.unknown
        self.loads += other.loads

    def key(self) -> tuple[float, float]:
        return (self.rcu + self.wcu, self.kb_read)


def shape(template: KeyTemplate | None) -> str:
    """A partition key's shape: its literal text, each placeholder as `{}`."""
    if template is None:
        return "?"
    return "".join(p if isinstance(p, str) else "{}" for p in template.parts)


def fanout_items(manifest: Manifest, pattern: AccessPattern) -> int | None:
    """The copies one call writes: `fanout` as a number, or the [volumes] count it names."""
    fanout = pattern.fanout
    if isinstance(fanout, Fanout):
        volume = manifest.volumes.entities.get(fanout.entity)
        return volume.count if volume is not None and volume.per == fanout.per else None
    return fanout


def _units(kb: float, unit: float) -> float:
    return float(math.ceil(kb / unit - 1e-9)) if kb > 0 else 1.0


class Calculator:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.manifest = project.loaded.manifest
        self.volumes = self.manifest.volumes.entities

    def volume(self, entity: str | None, cost: Cost) -> EntityVolume | None:
        volume = self.volumes.get(entity) if entity else None
        if volume is None:
            cost.unknown.add(f"no [volumes] for {entity}" if entity else "an operation names no entity")
        return volume

    def partition(self, trait: str, leaf: AccessPattern) -> tuple[str, str, str]:
        table_name = self.project.table_name(trait, leaf)
        schema = self.project.schema_of(table_name)
        index = schema.index(leaf.index) if schema is not None else None
        key = leaf.key.get(index.partition_key.name) if index is not None else None
        table = "[table]" if table_name is None else f"[tables.{table_name}]"
        return (table, leaf.index or "base", shape(key.operands[0] if key is not None else None))

    def method(self, trait: str, method: str, seen: frozenset[str] = frozenset()) -> Cost:
        """The cost of one call of a declared method."""
        declaration = self.project.manifest_declarations.get((trait, method)) or self.project.inline_declarations.get(
            (trait, method)
        )
        cost = Cost()
        name = f"{trait}.{method}"
        if declaration is None or name in seen:
            cost.unknown.add(f"{name} is not declared" if declaration is None else f"{name} delegates to itself")
            return cost
        return self.pattern(trait, declaration.pattern, seen | {name})

    def pattern(self, trait: str, pattern: AccessPattern, seen: frozenset[str]) -> Cost:
        cost = Cost()
        if pattern.delegates:
            for target in pattern.delegates:
                callee_trait, _, callee = target.partition(".")
                cost.add(self.method(callee_trait, callee, seen))
        elif pattern.steps:
            read = 0.0  # a step's item keyed on `{item.x}` repeats for each item the step before read
            for step in pattern.steps:
                part = self.operation(trait, step, read)
                cost.add(part)
                read = part.items_read
        elif pattern.alternatives:
            costs = [self.operation(trait, alternative) for alternative in pattern.alternatives]
            cost = max(costs, key=Cost.key)
            for other in costs:
                cost.unknown |= other.unknown
        elif pattern.op is not None:
            cost = self.operation(trait, pattern)
        copies = fanout_items(self.manifest, pattern)
        if copies:
            cost.add(self.copies(trait, pattern, copies))
        return cost

    def copies(self, trait: str, pattern: AccessPattern, count: int) -> Cost:
        """The fan-out's writes: in the same transaction (`maintains`), else by the handler."""
        cost = Cost()
        refs = pattern.maintains or (self.manifest.handler[pattern.stream].maintains if pattern.stream else ())
        holder = refs[0].split(".", 1)[0] if refs else None
        if isinstance(pattern.fanout, Fanout):
            holder = pattern.fanout.entity
        volume = self.volume(holder, cost)
        if volume is None:
            return cost
        factor = 2.0 if pattern.op == "TransactWriteItems" and pattern.maintains else 1.0
        cost.wcu = count * _units(volume.size_kb, WRITE_UNIT_KB) * factor
        cost.items_written = float(count)
        layout = self.project.entities.get(holder or "", {})
        schema = self.project.schema_of(self.project.table_name(trait, pattern))
        pk = layout.get(schema.base.partition_key.name) if schema is not None else None
        cost.loads.append(Load((self._table_label(trait, pattern), "base", shape(pk)), 0.0, cost.wcu))
        return cost

    def _table_label(self, trait: str, leaf: AccessPattern) -> str:
        name = self.project.table_name(trait, leaf)
        return "[table]" if name is None else f"[tables.{name}]"

    def operation(self, trait: str, leaf: AccessPattern, earlier_items: float = 0.0) -> Cost:
        op = leaf.op or ""
        cost = Cost()
        if op in CONTROL_PLANE or op in ("none", ""):
            return cost
        if op in UNBOUNDED_OPERATIONS:
            cost.unknown.add(f"{op} reads the whole table or index")
            return cost
        if leaf.items:
            transaction = op in TRANSACTION_OPERATIONS  # a transaction reads strongly, and costs double
            for item in leaf.items:
                item = dataclasses.replace(
                    item, table=item.table or leaf.table, consistent=item.consistent or transaction
                )
                part = self.operation(trait, item)
                times = (2.0 if transaction else 1.0) * (
                    earlier_items if earlier_items and _keyed_on_earlier(item) else 1.0
                )
                repeat = times / 2.0 if transaction else times
                part.items_read, part.kb_read, part.items_written = (
                    part.items_read * repeat,
                    part.kb_read * repeat,
                    part.items_written * repeat,
                )
                part.rcu, part.wcu = part.rcu * times, part.wcu * times
                part.loads = [Load(load.partition, load.rcu * times, load.wcu * times) for load in part.loads]
                cost.add(part)
            return cost
        volume = self.volume(leaf.entity, cost)
        if volume is None:
            return cost
        consistency = 1.0 if leaf.consistent else 0.5
        if op == "Query":
            count = float(volume.count)
            if isinstance(leaf.limit, int):
                count = min(count, float(leaf.limit))
            kb = min(count * volume.size_kb, PAGE_KB)
            count = min(count, math.floor(PAGE_KB / volume.size_kb))
            cost.rcu = _units(kb, READ_UNIT_KB) * consistency
            cost.items_read, cost.kb_read = count, kb
        elif op == "GetItem":
            cost.rcu = _units(volume.size_kb, READ_UNIT_KB) * consistency
            cost.items_read, cost.kb_read = 1.0, volume.size_kb
        elif op in WRITES:
            cost.wcu = _units(volume.size_kb, WRITE_UNIT_KB)
            cost.items_written = 1.0
        cost.loads.append(Load(self.partition(trait, leaf), cost.rcu, cost.wcu))
        return cost


def _keyed_on_earlier(item: AccessPattern) -> bool:
    """Is the item keyed on what an earlier step read (`{item.sk}`): one per item read?"""
    return any(p.root == "item" for c in item.key.values() for t in c.operands for p in t.placeholders)


@dataclass(frozen=True)
class MethodCost:
    trait: str
    method: str
    cost: Cost
    calls_per_second: float | None

    @property
    def name(self) -> str:
        return f"{self.trait}.{self.method}"


def method_costs(project: Project) -> list[MethodCost]:
    """Every declared method's cost per call, sorted by Trait.method."""
    calculator = Calculator(project)
    rates = project.loaded.manifest.volumes.calls_per_second
    found = {}
    for method in project.methods:
        if project.declaration(method) is None:
            continue
        cost = calculator.method(method.trait, method.name)
        found[(method.trait, method.name)] = MethodCost(
            method.trait, method.name, cost, rates.get(f"{method.trait}.{method.name}")
        )
    return [found[key] for key in sorted(found)]


def partition_loads(costs: list[MethodCost]) -> dict[tuple[str, str, str], tuple[float, float, list[str]]]:
    """Per partition shape, the RCU and WCU per second at the given rates, and the methods."""
    loads: dict[tuple[str, str, str], tuple[float, float, list[str]]] = {}
    for entry in costs:
        if entry.calls_per_second is None:
            continue
        for load in entry.cost.loads:
            rcu, wcu, methods = loads.get(load.partition, (0.0, 0.0, []))
            names = methods if entry.name in methods else [*methods, entry.name]
            loads[load.partition] = (
                rcu + load.rcu * entry.calls_per_second,
                wcu + load.wcu * entry.calls_per_second,
                names,
            )
    return dict(sorted(loads.items()))


def collection_sizes(project: Project) -> list[tuple[str, str, float | None, list[str]]]:
    """On each table with LSIs: (table label, partition-key shape, KB per item collection or None
    when the volumes cannot say, what is missing) - for SG212's 10 GB bound."""
    manifest = project.loaded.manifest
    volumes = manifest.volumes.entities
    from store_gate.config.model import entity_table_of

    found = []
    for table in project.loaded.tables.values():
        schema = table.schema
        if not schema.lsis:
            continue
        pk, sk = schema.base.partition_key.name, schema.base.sort_key
        members: dict[str, list[str]] = {}
        for entity, layout in sorted(project.entities.items()):
            if entity_table_of(manifest, entity) == table.name and pk in layout:
                members.setdefault(shape(layout[pk]), []).append(entity)
        label = "[table]" if table.name is None else f"[tables.{table.name}]"
        for key_shape, entities in sorted(members.items()):
            total: float | None = 0.0
            missing: list[str] = []
            for entity in entities:
                layout = project.entities[entity]
                volume = volumes.get(entity)
                if volume is None:
                    missing.append(f"no [volumes] for {entity}")
                    continue
                constant_sk = sk is not None and sk.name in layout and layout[sk.name].is_constant
                count = 1.0 if constant_sk else _per_collection(project, entity, key_shape, pk, sk.name if sk else None)
                if count is None:
                    missing.append(f"[volumes] {entity} is not counted per an entity of partition {key_shape}")
                elif total is not None:
                    total += count * volume.size_kb
            found.append((label, key_shape, None if missing else total, missing))
    return found


def _per_collection(project: Project, entity: str, key_shape: str, pk: str, sk: str | None) -> float | None:
    """Items of an entity in one item collection: its count, times its parents' counts up the
    `per` chain to the collection's owner (an entity of this partition with a constant sort key:
    one per partition); a count with no `per` is all of them (an upper bound)."""
    volumes = project.loaded.manifest.volumes.entities
    count, current = 1.0, entity
    for _ in range(len(volumes) + 1):
        volume = volumes.get(current)
        if volume is None:
            return None
        count *= volume.count
        if volume.per is None:
            return count
        parent = project.entities.get(volume.per, {})
        owner = sk is not None and sk in parent and parent[sk].is_constant
        if owner and pk in parent and shape(parent[pk]) == key_shape:
            return count
        current = volume.per
    return None


def _figure(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def report(project: Project) -> dict[str, Any]:
    """Everything `store-gate cost` shows, as plain data (sorted: the same input, the same bytes)."""
    costs = method_costs(project)
    return {
        "manifest": project.manifest_path,
        "methods": [
            {
                "method": entry.name,
                "rcu": entry.cost.rcu,
                "wcu": entry.cost.wcu,
                "items_read": entry.cost.items_read,
                "kb_read": entry.cost.kb_read,
                "items_written": entry.cost.items_written,
                "calls_per_second": entry.calls_per_second,
                "unknown": sorted(entry.cost.unknown),
            }
            for entry in costs
        ],
        "partitions": [
            {
                "table": table,
                "index": index,
                "partition_key": key,
                "rcu_per_second": rcu,
                "wcu_per_second": wcu,
                "methods": methods,
            }
            for (table, index, key), (rcu, wcu, methods) in partition_loads(costs).items()
        ],
        "item_collections": [
            {"table": table, "partition_key": key, "kb": size, "unknown": missing}
            for table, key, size, missing in collection_sizes(project)
        ],
    }


def render_json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def render_text(data: dict[str, Any]) -> str:
    lines = [
        f"Cost per call, from [volumes] in {data['manifest']}: RCU = 4 KB read units (eventually consistent: half), "
        "WCU = 1 KB write units, transactions double",
        "",
    ]
    rows = [("method", "RCU", "WCU", "items read", "KB read", "items written", "calls/s")]
    for m in data["methods"]:
        figures = ("rcu", "wcu", "items_read", "kb_read", "items_written")
        rows.append(
            (
                m["method"],
                *(("?" if m["unknown"] else _figure(m[k])) for k in figures),
                "-" if m["calls_per_second"] is None else _figure(m["calls_per_second"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        lines.append("  ".join(cells).rstrip())
    missing = [f"  {m['method']}: {reason}" for m in data["methods"] for reason in m["unknown"]]
    if missing:
        lines += ["", "Unknown (? above):", *missing]
    if data["partitions"]:
        lines += [
            "",
            f"Per partition per second, at calls_per_second (limits: {_figure(PARTITION_RCU)} RCU, "
            f"{_figure(PARTITION_WCU)} WCU):",
        ]
        for p in data["partitions"]:
            lines.append(
                f'  {p["table"]} {p["index"]} "{p["partition_key"]}": {_figure(p["rcu_per_second"])} RCU, '
                f"{_figure(p['wcu_per_second'])} WCU ({', '.join(p['methods'])})"
            )
    if data["item_collections"]:
        lines += ["", "Item collections on tables with LSIs (limit: 10 GB each):"]
        for c in data["item_collections"]:
            size = "?" if c["kb"] is None else f"{_figure(c['kb'])} KB"
            note = f" ({'; '.join(c['unknown'])})" if c["unknown"] else ""
            lines.append(f'  {c["table"]} "{c["partition_key"]}": {size}{note}')
    return "\n".join(lines) + "\n"
