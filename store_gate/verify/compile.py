"""Access patterns compiled to DynamoDB requests: the parameters of the low-level API call the
SDK would send (`TableName`, `IndexName`, `KeyConditionExpression` with `#name` / `:value`
placeholders, `ConsistentRead`, `Limit`, ...). Pure: no botocore, no network.

A key value is made by a `Values` function from the template and the attribute's type: the
template's own text for `store-gate requests`, a sample value for `store-gate verify`. What
the manifest does not declare and the API requires is a stand-in, named as such: an update's
`UpdateExpression` (`SET #store_gate = :store_gate`) and a ConditionCheck's
`ConditionExpression`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from store_gate.dynamodb import CONTROL_PLANE, NO_OPERATION, OPERATOR_SYMBOLS, PARTIQL_OPERATIONS
from store_gate.keytemplate import KeyTemplate, Placeholder

if TYPE_CHECKING:
    from store_gate.config.model import AccessPattern
    from store_gate.project import Project
    from store_gate.schema.table import TableSchema

# A key attribute's value, as the low-level API writes it: {"S": "..."}, {"N": "..."}, {"B": ...}.
Value = dict[str, str]
Values = Callable[[KeyTemplate, str], Value]

SAMPLE = "1"  # what every placeholder stands for in a sample value (a valid number too), in its class
STAND_IN_ATTRIBUTE = "store_gate_verified"  # the attribute a stand-in update sets
READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
_MEMBERS = {
    "BatchWriteItem": {"PutItem": "PutRequest", "DeleteItem": "DeleteRequest", "UpdateItem": "UpdateRequest"},
    "TransactWriteItems": {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"},
    "TransactGetItems": {"GetItem": "Get"},
}
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]{1,200}\Z")


def template_value(template: KeyTemplate, attribute_type: str) -> Value:
    """The template's own text: what `store-gate requests` shows."""
    return {attribute_type: template.source}


def sample_text(template: KeyTemplate, fill: str = SAMPLE) -> str:
    """The template with every placeholder replaced by `fill` (digits), written in the placeholder's
    class: `{id:ulid}` a ULID of 26 characters, `{at:iso8601}` a UTC timestamp."""
    return "".join(part if isinstance(part, str) else _in_class(part, fill) for part in template.parts)


def _in_class(placeholder: Placeholder, fill: str) -> str:
    if placeholder.kind == "ulid":
        return fill.rjust(26, "0")[-26:]
    if placeholder.kind == "iso8601":
        return f"2026-01-01T00:00:00.{fill[:9]}Z"
    return fill  # any, segment, int: digits are all three


def sample_value(template: KeyTemplate, attribute_type: str) -> Value:
    """A value the template makes: what `store-gate verify` writes and reads."""
    return {attribute_type: sample_text(template)}


@dataclass(frozen=True)
class Request:
    """One request: the operation, where it sits in the pattern ("step 2", "alternative 1")
    and the parameters of the API call."""

    where: str | None
    operation: str
    params: dict[str, Any]
    leaf: AccessPattern = field(compare=False)
    table: str | None = None  # the manifest's key of its table: None for [table]

    @property
    def read(self) -> bool:
        return self.operation in READS

    @property
    def label(self) -> str:
        return f"{self.where}: {self.operation}" if self.where else self.operation


@dataclass(frozen=True)
class MethodRequests:
    trait: str
    method: str
    requests: tuple[Request, ...] = ()
    skipped: tuple[str, ...] = ()  # why a part of the pattern has no request
    problems: tuple[str, ...] = ()  # what keeps it from being compiled

    @property
    def name(self) -> str:
        return f"{self.trait}.{self.method}"

    @property
    def writes(self) -> bool:
        return any(not r.read for r in self.requests)


class Compiler:
    """Compiles the declarations of a project. `table_names` gives the TableName of each of the
    manifest's tables (by key: None for [table]); a table without one is a problem."""

    def __init__(self, project: Project, table_names: Mapping[str | None, str | None], values: Values) -> None:
        self.project = project
        self.table_names = table_names
        self.values = values

    def all(self) -> list[MethodRequests]:
        """Every declared method, manifest and inline, sorted by trait and method."""
        declarations = {**self.project.inline_declarations, **self.project.manifest_declarations}
        return [self.method(trait, name, declarations[trait, name].pattern) for trait, name in sorted(declarations)]

    def method(self, trait: str, method: str, pattern: AccessPattern) -> MethodRequests:
        requests: list[Request] = []
        skipped: list[str] = []
        problems: list[str] = []
        for where, leaf, table in _leaves(pattern, None, None):
            prefix = f"{where}: " if where else ""
            if pattern.form == "delegates":
                skipped.append(f"delegates to {', '.join(pattern.delegates)}: each is compiled as its own method")
            elif pattern.form == "expiry":
                skipped.append("deletions by Time to Live: DynamoDB sends no request for them")
            elif leaf.op == NO_OPERATION:
                skipped.append(f'{prefix}op = "none": {leaf.reason or "no data request"}')
            elif leaf.op in CONTROL_PLANE:
                skipped.append(f"{prefix}{leaf.op}: a control-plane operation, not a data request")
            elif leaf.op in PARTIQL_OPERATIONS:
                skipped.append(f"{prefix}{leaf.op}: a PartiQL statement, which the manifest does not declare")
            else:
                try:
                    requests.append(self._request(trait, where, leaf, table))
                except _Unresolved as exc:
                    problems.append(f"{prefix}{leaf.op}: {exc}")
        return MethodRequests(trait, method, tuple(requests), tuple(skipped), tuple(problems))

    # ---------------------------------------------------------------- one operation

    def _table(self, trait: str, leaf: AccessPattern, inherited: str | None) -> tuple[str | None, TableSchema, str]:
        if leaf.table is None and inherited is not None:
            leaf = dataclasses.replace(leaf, table=inherited)
        key = self.project.table_name(trait, leaf)
        loaded = self.project.loaded.tables.get(key)
        described = "[table]" if key is None else f"[tables.{key}]"
        if loaded is None:
            raise _Unresolved(f"its table {described} is not declared")
        name = self.table_names.get(key)
        if not name:
            raise _Unresolved(f'{described} has no name: add name = "..." (the TableName requests are sent to)')
        return key, loaded.schema, name

    def _request(self, trait: str, where: str | None, leaf: AccessPattern, inherited: str | None) -> Request:
        op = leaf.op or ""
        if op in ("BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"):
            if not leaf.items:
                raise _Unresolved("declares no items: nothing to send")
            return Request(where, op, self._many(trait, leaf, inherited), leaf, None)
        key, schema, name = self._table(trait, leaf, inherited)
        params: dict[str, Any] = {"TableName": name}
        if op in ("Query", "Scan") and leaf.index is not None:
            params["IndexName"] = leaf.index
        if op == "Query":
            params.update(self._condition(leaf, schema))
        elif op in ("GetItem", "DeleteItem", "UpdateItem", "ConditionCheck"):
            params["Key"] = self._key(leaf, schema)
        elif op == "PutItem":
            params["Item"] = self._item(leaf, schema)
        if op == "UpdateItem":
            params.update(_stand_in_update())
        if op == "ConditionCheck":
            params.update(_stand_in_condition())
        if op in ("GetItem", "Query", "Scan") and leaf.consistent:
            params["ConsistentRead"] = True
        if op in ("Query", "Scan") and isinstance(leaf.limit, int):
            params["Limit"] = leaf.limit
        return Request(where, op, params, leaf, key)

    def _many(self, trait: str, leaf: AccessPattern, inherited: str | None) -> dict[str, Any]:
        """The items of a batch or a transaction, each on its own table."""
        op = leaf.op or ""
        own = leaf.table or inherited
        if op == "BatchGetItem":
            by_table: dict[str, dict[str, Any]] = {}
            for item in leaf.items:
                _, schema, name = self._table(trait, item, own)
                entry = by_table.setdefault(name, {"Keys": []})
                entry["Keys"].append(self._key(item, schema))
                if item.consistent or leaf.consistent:
                    entry["ConsistentRead"] = True
            return {"RequestItems": by_table}
        if op == "BatchWriteItem":
            writes: dict[str, list[dict[str, Any]]] = {}
            for item in leaf.items:
                _, schema, name = self._table(trait, item, own)
                member = _MEMBERS[op].get(item.op or "", f"{item.op}Request")
                body = {"Item": self._item(item, schema)} if item.op == "PutItem" else {"Key": self._key(item, schema)}
                writes.setdefault(name, []).append({member: body})
            return {"RequestItems": writes}
        transact: list[dict[str, Any]] = []
        for item in leaf.items:
            params = dict(self._request(trait, None, item, own).params)
            params.pop("ConsistentRead", None)  # a transaction's reads are serializable: no such member
            transact.append({_MEMBERS[op].get(item.op or "", item.op or ""): params})
        return {"TransactItems": transact}

    def _type(self, schema: TableSchema, attribute: str) -> str:
        return schema.attribute_types.get(attribute, "S")

    def _key(self, leaf: AccessPattern, schema: TableSchema) -> dict[str, Value]:
        return {
            attr: self.values(condition.operands[0], self._type(schema, attr))
            for attr, condition in leaf.key.items()
            if condition.operator == "eq"
        }

    def _item(self, leaf: AccessPattern, schema: TableSchema) -> dict[str, Value]:
        """The entity's whole layout (its index keys too), the declared key over it."""
        layout = self.project.entities.get(leaf.entity or "", {})
        item = {attr: self.values(template, self._type(schema, attr)) for attr, template in layout.items()}
        item.update(self._key(leaf, schema))
        return item

    def _condition(self, leaf: AccessPattern, schema: TableSchema) -> dict[str, Any]:
        """KeyConditionExpression with #name and :value placeholders, in the declared order."""
        parts: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Value] = {}
        for i, (attr, condition) in enumerate(leaf.key.items()):
            base = attr if _PLAIN_NAME.match(attr) else f"k{i}"
            while f"#{base}" in names:
                base = f"{base}_{i}"
            names[f"#{base}"] = attr
            kind = self._type(schema, attr)
            if condition.operator == "between":
                low, high = condition.operands
                values[f":{base}_low"] = self.values(low, kind)
                values[f":{base}_high"] = self.values(high, kind)
                parts.append(f"#{base} BETWEEN :{base}_low AND :{base}_high")
                continue
            values[f":{base}"] = self.values(condition.operands[0], kind)
            if condition.operator == "begins_with":
                parts.append(f"begins_with(#{base}, :{base})")
            else:
                symbol = OPERATOR_SYMBOLS.get(condition.operator, condition.operator)
                parts.append(f"#{base} {symbol} :{base}")
        return {
            "KeyConditionExpression": " AND ".join(parts),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


class _Unresolved(Exception):
    """What keeps one operation from being compiled: its message says what to write."""


def _stand_in_update() -> dict[str, Any]:
    return {
        "UpdateExpression": "SET #store_gate = :store_gate",
        "ExpressionAttributeNames": {"#store_gate": STAND_IN_ATTRIBUTE},
        "ExpressionAttributeValues": {":store_gate": {"S": "store-gate"}},
    }


def _stand_in_condition() -> dict[str, Any]:
    return {
        "ConditionExpression": "attribute_not_exists(#store_gate)",
        "ExpressionAttributeNames": {"#store_gate": STAND_IN_ATTRIBUTE},
    }


def _leaves(
    pattern: AccessPattern, where: str | None, table: str | None
) -> list[tuple[str | None, AccessPattern, str | None]]:
    """The operations of a pattern in order, with where each sits and the table it inherits
    (items stay inside their batch or transaction)."""
    if pattern.form in ("delegates", "expiry"):
        return [(where, pattern, table)]
    own = pattern.table or table
    if pattern.op is not None:
        return [(where, pattern, table)]
    found: list[tuple[str | None, AccessPattern, str | None]] = []
    for name, nested in (("step", pattern.steps), ("alternative", pattern.alternatives)):
        for i, part in enumerate(nested, 1):
            label = f"{where} {name} {i}" if where else f"{name} {i}"
            found += _leaves(part, label, own)
    return found
