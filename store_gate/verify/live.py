"""`store-gate verify`: the declarations run against a real DynamoDB endpoint.

The manifest's tables are created under throwaway names (keys, GSIs and LSIs from the schema), a
sample item of every entity is written from its templates - every placeholder is "1" - and, for
each read, one more item of its entity that the read's key condition selects (a constant where
the layout has a placeholder, the bound of a range). Then every read runs as a real request: it
must be accepted, return items of the declared entity and none of another's (an item is known by
its primary key: store-gate wrote it), and a GSI read must not be strongly consistent. Each write
must be accepted. The tables are deleted at the end, also after a failure or Ctrl-C.

A multi-attribute GSI key that the endpoint cannot create is left out of its table, and the reads
on that index are reported as skipped checks.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from store_gate.display import one_line
from store_gate.errors import UsageError
from store_gate.keytemplate import KeyTemplate
from store_gate.verify.compile import SAMPLE, Compiler, MethodRequests, Request, Value, sample_text, sample_value

if TYPE_CHECKING:
    from store_gate.config import LoadedManifest
    from store_gate.project import Project
    from store_gate.schema.table import IndexSchema, TableSchema

Report = Callable[[str], None]
TABLE_WAIT_SECONDS = 60.0
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class Outcome:
    passed: int = 0
    failed_methods: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # failures outside any one method

    @property
    def failed(self) -> bool:
        return bool(self.failed_methods or self.problems)


@dataclass
class _Table:
    key: str | None  # the manifest's: None for [table]
    schema: TableSchema
    name: str  # the throwaway name
    left_out: dict[str, str] = field(default_factory=dict)  # index -> why the endpoint does not have it
    refusal: str = ""  # what the endpoint said when it refused them
    created: bool = False


def verify(loaded: LoadedManifest, endpoint_url: str, region: str | None, report: Report) -> Outcome:
    from botocore.exceptions import BotoCoreError, ClientError

    from store_gate import project as projects

    if not re.match(r"https?://[^\s/]+", endpoint_url):
        raise UsageError(f"--endpoint-url {one_line(endpoint_url, 200)}: expected http://HOST:PORT or https://HOST")
    project = projects.build(loaded)
    client = _client(endpoint_url, region)
    token = secrets.token_hex(4)
    tables = {
        key: _Table(key, loaded_table.schema, _throwaway(token, key))
        for key, loaded_table in sorted(loaded.tables.items(), key=_order)
    }
    outcome = Outcome()
    report(one_line(f"store-gate verify: {loaded.display_path} against {endpoint_url}", 2000) + "\n")
    for unread in project.problems:
        outcome.problems.append(
            f"{unread.location.path}:{unread.location.line}: {unread.code} {unread.message} "
            "(its inline declarations are not verified)"
        )
    try:
        with _tables_deleted(client, tables, report):
            _run_all(client, project, tables, endpoint_url, outcome, report)
    except (BotoCoreError, ClientError) as exc:  # the endpoint failed outside any one request
        detail = _error(exc) if isinstance(exc, ClientError) else one_line(str(exc), 300)
        raise UsageError(f"store-gate verify: {endpoint_url}: {detail}") from None
    for problem in outcome.problems:
        report(f"error: {one_line(problem, 2000)}\n")
    total = outcome.passed + outcome.failed_methods + outcome.skipped
    report(
        f"{total} methods: {outcome.passed} passed, {outcome.failed_methods} failed, {outcome.skipped} skipped"
        + (f"; {len(outcome.problems)} other problems" if outcome.problems else "")
        + "; the throwaway tables are deleted\n"
    )
    return outcome


def _run_all(
    client: Any, project: Project, tables: dict[str | None, _Table], endpoint_url: str, outcome: Outcome, report: Report
) -> None:
    """Create the tables, write the samples, run every method (reads first, then writes)."""
    for table in tables.values():
        _create(client, table, endpoint_url)
        shown = "[table]" if table.key is None else f"[tables.{table.key}]"
        indexes = ", ".join(f"{i.kind.upper()} {i.name}" for i in table.schema.indexes.values()) or "no indexes"
        report(one_line(f"  table {shown} created as {table.name} ({indexes})", 2000) + "\n")
        for index, why in sorted(table.left_out.items()):
            report(one_line(f"  skipped: GSI {index} on {shown}: {why} ({table.refusal})", 2000) + "\n")
    names = {key: table.name for key, table in tables.items()}
    methods = Compiler(project, names, sample_value).all()
    run = _Run(client, project, tables, report)
    outcome.problems += run.write_samples(methods)
    # Reads first, on the sample items alone; then the methods that write.
    for method in sorted(methods, key=lambda m: m.writes):
        status = run.method(method)
        if status == "FAIL":
            outcome.failed_methods += 1
        elif status == "SKIP":
            outcome.skipped += 1
        else:
            outcome.passed += 1


def _order(item: tuple[str | None, Any]) -> str:
    return "" if item[0] is None else "." + item[0]


def _throwaway(token: str, key: str | None) -> str:
    return f"store-gate-verify-{token}-" + _NAME_CHARACTERS.sub("-", key or "table")[:200]


def _client(endpoint_url: str, region: str | None) -> Any:
    import botocore.session
    from botocore.config import Config

    session = botocore.session.get_session()
    if session.get_credentials() is None:
        raise UsageError(
            "store-gate verify: no AWS credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(any values for a local endpoint such as moto or dynalite)"
        )
    chosen = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
    return session.create_client("dynamodb", region_name=chosen, endpoint_url=endpoint_url, config=config)


@contextmanager
def _tables_deleted(client: Any, tables: dict[str | None, _Table], report: Report) -> Iterator[None]:
    """Whatever happens inside - a failure, Ctrl-C - the tables created are deleted."""
    try:
        yield
    finally:
        deleted = []
        for table in tables.values():
            if table.created:
                try:
                    client.delete_table(TableName=table.name)
                    deleted.append(table.name)
                except Exception as exc:  # the endpoint went away: say which table is left
                    report(f"error: could not delete the table {table.name}: {one_line(str(exc), 300)}\n")
        _wait_gone(client, deleted, report)


def _wait_gone(client: Any, names: list[str], report: Report) -> None:
    """Until the endpoint no longer lists the deleted tables (DELETING takes a while), bounded."""
    deadline = time.monotonic() + TABLE_WAIT_SECONDS
    pending = set(names)
    while pending:
        for name in sorted(pending):
            try:
                client.describe_table(TableName=name)
            except client.exceptions.ResourceNotFoundException:
                pending.discard(name)
            except Exception as exc:
                report(f"error: could not see the table {name} deleted: {one_line(str(exc), 300)}\n")
                return
        if pending and time.monotonic() > deadline:
            report(f"error: still listed after {TABLE_WAIT_SECONDS:.0f}s: {', '.join(sorted(pending))}\n")
            return
        if pending:
            time.sleep(0.2)


def _create(client: Any, table: _Table, endpoint_url: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    params = _create_params(table)
    try:
        try:
            client.create_table(**params)
        except ClientError as exc:
            multi = [i.name for i in table.schema.gsis if len(i.partition_keys) > 1 or len(i.sort_keys) > 1]
            if not multi or exc.response.get("Error", {}).get("Code") != "ValidationException":
                raise
            table.left_out = {str(name): "the endpoint cannot create its multi-attribute key" for name in multi}
            table.refusal = _error(exc)
            client.create_table(**_create_params(table))
    except ClientError as exc:
        raise UsageError(f"store-gate verify: {endpoint_url} refused CreateTable {table.name}: {_error(exc)}") from None
    except BotoCoreError as exc:
        raise UsageError(f"store-gate verify: --endpoint-url {endpoint_url}: {one_line(str(exc), 300)}") from None
    table.created = True
    deadline = time.monotonic() + TABLE_WAIT_SECONDS
    while True:
        described = client.describe_table(TableName=table.name)["Table"]
        statuses = [described.get("TableStatus")]
        statuses += [g.get("IndexStatus", "ACTIVE") for g in described.get("GlobalSecondaryIndexes", [])]
        if all(s == "ACTIVE" for s in statuses):
            return
        if time.monotonic() > deadline:
            raise UsageError(f"store-gate verify: the table {table.name} is not ACTIVE after {TABLE_WAIT_SECONDS:.0f}s")
        time.sleep(0.2)


def _create_params(table: _Table) -> dict[str, Any]:
    schema = table.schema
    indexes = [i for i in schema.indexes.values() if i.name not in table.left_out]
    used = {a.name: a.type for index in (schema.base, *indexes) for a in index.key_attributes}
    params: dict[str, Any] = {
        "TableName": table.name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in sorted(used.items())],
        "KeySchema": _key_schema(schema.base),
    }
    gsis = [_index(i) for i in indexes if i.kind == "gsi"]
    lsis = [_index(i) for i in indexes if i.kind == "lsi"]
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    return params


def _key_schema(index: IndexSchema) -> list[dict[str, str]]:
    return [{"AttributeName": a.name, "KeyType": "HASH"} for a in index.partition_keys] + [
        {"AttributeName": a.name, "KeyType": "RANGE"} for a in index.sort_keys
    ]


def _index(index: IndexSchema) -> dict[str, Any]:
    kind = "ALL" if index.projection.kind == "UNSPECIFIED" else index.projection.kind
    projection: dict[str, Any] = {"ProjectionType": kind}
    if kind == "INCLUDE":
        projection["NonKeyAttributes"] = list(index.projection.include)
    return {"IndexName": index.name, "KeySchema": _key_schema(index), "Projection": projection}


def _error(exc: Any) -> str:
    error = getattr(exc, "response", {}).get("Error", {})
    text = f"{error.get('Code', type(exc).__name__)}: {error.get('Message', '')}".rstrip(": ")
    return one_line(text, 300)


class _Run:
    """The sample items, and each method's requests with their checks."""

    def __init__(self, client: Any, project: Project, tables: dict[str | None, _Table], report: Report) -> None:
        self.client = client
        self.project = project
        self.tables = tables
        self.report = report
        self.by_name = {t.name: t for t in tables.values()}
        self.written: dict[tuple[str, str], str] = {}  # (table name, primary key) -> entity

    # ---------------------------------------------------------------- sample items

    def write_samples(self, methods: list[MethodRequests]) -> list[str]:
        """One item per entity, and one per read of an entity that its key condition selects."""
        problems: list[str] = []
        items: dict[tuple[str, str], tuple[str, dict[str, Value]]] = {}
        entities = self.project.entities
        for entity in sorted(entities):
            key = self._entity_table(entity)
            if key in self.tables:
                self._add(items, problems, self.tables[key], entity, self._sample(entity, self.tables[key].schema, {}))
        fill = 1
        for method in methods:
            for request in method.requests:
                fill += 1
                for table, entity, item in self._selected(request, str(fill)):
                    self._add(items, problems, table, entity, item)
        for (name, identity), (entity, item) in sorted(items.items()):
            try:
                self.client.put_item(TableName=name, Item=item)
                self.written[name, identity] = entity
            except Exception as exc:
                problems.append(f"the sample {entity} {identity} could not be written: {_error(exc)}")
        counts: dict[str, int] = {}
        for entity in self.written.values():
            counts[entity] = counts.get(entity, 0) + 1
        listed = ", ".join(f"{entity} {n}" for entity, n in sorted(counts.items()))
        self.report(f"  sample items: {len(self.written)} written ({listed})\n")
        return problems

    def _entity_table(self, entity: str) -> str | None:
        from store_gate.config.model import entity_table_of

        return entity_table_of(self.project.loaded.manifest, entity)

    def _sample(
        self, entity: str, schema: TableSchema, overrides: dict[str, Value], fill: str = SAMPLE
    ) -> dict[str, Value]:
        layout = self.project.entities.get(entity, {})
        types = schema.attribute_types
        item = {attr: {types.get(attr, "S"): sample_text(template, fill)} for attr, template in layout.items()}
        item.update(overrides)
        return item

    def _add(
        self,
        items: dict[tuple[str, str], tuple[str, dict[str, Value]]],
        problems: list[str],
        table: _Table,
        entity: str,
        item: dict[str, Value],
    ) -> None:
        identity = _identity(table.schema, item)
        seen = items.get((table.name, identity))
        if seen is not None and seen[0] != entity:
            problems.append(
                f"the sample items of {seen[0]} and {entity} have the same primary key {identity}: "
                "one key names two entities (their layouts overlap)"
            )
            return
        items.setdefault((table.name, identity), (entity, item))

    def _selected(self, request: Request, fill: str) -> list[tuple[_Table, str, dict[str, Value]]]:
        """An item of the read's entity that its key condition selects: its own placeholders are
        `fill` (a primary key of its own), the attributes the condition names are what it selects."""
        leaf = request.leaf
        table = self.by_name.get(str(request.params.get("TableName")))
        if not request.read or leaf.entity is None or table is None or request.operation != "Query":
            return []
        types = table.schema.attribute_types
        overrides: dict[str, Value] = {}
        for attr, condition in leaf.key.items():
            kind = types.get(attr, "S")
            chosen = _selecting(condition.operator, condition.operands[0], kind)
            if condition.operator == "begins_with":
                own = self.project.entities.get(leaf.entity, {}).get(attr)
                if own is not None and sample_text(own, fill).startswith(chosen):
                    continue  # the entity's own sample value already begins with it
            if chosen:
                overrides[attr] = {kind: chosen}
        return [(table, leaf.entity, self._sample(leaf.entity, table.schema, overrides, fill))]

    # ---------------------------------------------------------------- methods

    def method(self, method: MethodRequests) -> str:
        failures: list[str] = [f"cannot compile: {p}" for p in method.problems]
        notes: list[str] = list(method.skipped)
        passed: list[str] = []
        for request in method.requests:
            left_out = self._left_out(request)
            if left_out:
                notes.append(f"{request.label} on {left_out}")
                continue
            verdict, status = self._run(request)
            {"ok": passed, "fail": failures, "skip": notes}[status].append(f"{request.label} {verdict}")
        status = "FAIL" if failures else ("PASS" if passed else "SKIP")
        self.report(f"{status} {one_line(method.name, 300)}\n")
        for line in failures:
            self.report(f"  error: {one_line(line, 2000)}\n")
        for line in passed:
            self.report(f"  ok: {one_line(line, 2000)}\n")
        for line in notes:
            self.report(f"  skipped: {one_line(line, 2000)}\n")
        return status

    def _left_out(self, request: Request) -> str | None:
        table = self.by_name.get(str(request.params.get("TableName")))
        index = request.params.get("IndexName")
        if table is not None and isinstance(index, str) and index in table.left_out:
            return f"GSI {index}: {table.left_out[index]}"
        return None

    def _run(self, request: Request) -> tuple[str, str]:
        """What the request did, and "ok", "fail" or "skip" (an operation the endpoint does not
        implement: a check it cannot make, not a mismatch)."""
        from botocore import xform_name
        from botocore.exceptions import ClientError

        table = self.by_name.get(str(request.params.get("TableName")))
        index = table.schema.indexes.get(str(request.params.get("IndexName"))) if table else None
        on_gsi = index is not None and index.kind == "gsi"
        try:
            response = getattr(self.client, xform_name(request.operation))(**request.params)
        except ClientError as exc:
            if on_gsi and request.params.get("ConsistentRead"):
                return _consistent_gsi(index, f"so did the endpoint: {_error(exc)}"), "fail"
            if exc.response.get("Error", {}).get("Code") == "UnknownOperationException":
                return "is an operation the endpoint does not implement (UnknownOperationException)", "skip"
            return f"was refused by the endpoint: {_error(exc)}", "fail"
        if on_gsi and request.params.get("ConsistentRead"):
            return _consistent_gsi(index, "the endpoint accepted it"), "fail"
        if not request.read:
            unprocessed = response.get("UnprocessedItems") or {}
            if unprocessed:
                return f"left {sum(len(v) for v in unprocessed.values())} items unprocessed", "fail"
            self._remember_writes(request)
            return "accepted", "ok"
        return self._check_items(request, response)

    def _remember_writes(self, request: Request) -> None:
        if request.operation == "PutItem" and request.leaf.entity is not None:
            table = self.by_name.get(str(request.params["TableName"]))
            if table is not None:
                identity = _identity(table.schema, request.params["Item"])
                self.written.setdefault((table.name, identity), request.leaf.entity)

    def _check_items(self, request: Request, response: dict[str, Any]) -> tuple[str, str]:
        returned: list[tuple[str, dict[str, Any]]] = []  # (table name, item)
        if request.operation == "GetItem":
            if "Item" in response:
                returned.append((request.params["TableName"], response["Item"]))
        elif request.operation in ("Query", "Scan"):
            returned += [(request.params["TableName"], item) for item in response.get("Items", [])]
        elif request.operation == "BatchGetItem":
            for name, found in sorted(response.get("Responses", {}).items()):
                returned += [(name, item) for item in found]
        elif request.operation == "TransactGetItems":
            for sent, got in zip(request.params["TransactItems"], response.get("Responses", [])):
                if "Item" in got:
                    returned.append((sent["Get"]["TableName"], got["Item"]))
        entities: list[str] = []
        for name, item in returned:
            table = self.by_name.get(name)
            identity = _identity(table.schema, item) if table is not None else "?"
            entities.append(self.written.get((name, identity), f"an item store-gate did not write {identity}"))
        expected = {i.entity for i in (request.leaf, *request.leaf.items) if i.entity is not None}
        counts = ", ".join(f"{entities.count(e)} {e}" for e in sorted(set(entities))) or "nothing"
        if not expected:
            return f"was accepted and returned {counts} (no entity declared: what it returns is not checked)", "ok"
        if not returned:
            wanted = " or ".join(sorted(expected))
            return f"returned nothing: no sample {wanted} it should read was found", "fail"
        others = sorted({e for e in entities if e not in expected})
        if others:
            wanted = " or ".join(sorted(expected))
            return f"returned {counts}: items of another entity than {wanted}", "fail"
        return f"returned {counts}", "ok"


def _consistent_gsi(index: IndexSchema | None, endpoint: str) -> str:
    name = index.name if index is not None else "?"
    return f"reads GSI {name} strongly consistent, which DynamoDB refuses ({endpoint}): remove consistent = true"


def _identity(schema: TableSchema, item: dict[str, Any]) -> str:
    """An item's primary key, as text: how store-gate knows which sample it is."""
    return json.dumps({a: item.get(a) for a in schema.base.key_names}, sort_keys=True, default=str)


def _selecting(operator: str, operand: KeyTemplate, kind: str) -> str:
    """A value the key condition `operator operand` selects (sample values for placeholders)."""
    bound = sample_text(operand)
    if operator == "gt":
        return str(int(bound) + 1) if kind == "N" and bound.lstrip("-").isdigit() else bound + "1"
    if operator == "lt":
        return str(int(bound) - 1) if kind == "N" and bound.lstrip("-").isdigit() else bound[:-1]
    return bound  # eq, ge, le, between (its low bound), begins_with (the prefix itself)
