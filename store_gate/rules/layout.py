"""SG3: does an access pattern fit the single-table layout of the entity it names?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from store_gate.dynamodb import MAX_GSIS, MAX_LSIS
from store_gate.rule import Rule
from store_gate.rules.wording import names, quote

if TYPE_CHECKING:
    from collections.abc import Mapping

    from store_gate.config import LoadedTable
    from store_gate.findings import Finding
    from store_gate.keytemplate import KeyTemplate
    from store_gate.project import Project
    from store_gate.rules.context import PatternContext
    from store_gate.schema.table import IndexSchema, KeySchemaAttribute, TableSchema


def lsi_added_to_existing_table(
    before: TableSchema | None, after: TableSchema, manifest_key: str = "[table]"
) -> Iterator[tuple[str, str]]:
    """SG302: (index name, message) for each LSI the base's table did not have. The table is named
    by its name, else (infrastructure without a TableName) by its manifest key, `[tables.events]`."""
    if before is None:
        return  # the table is new in this change: its LSIs are created with it
    shown = f"table {quote(after.name)}" if after.name else f"the table of {manifest_key}"
    for index in after.lsis:
        previous = before.indexes.get(str(index.name))
        if previous is None or previous.kind != "lsi":
            yield (
                str(index.name),
                f"LSI {quote(str(index.name))} is added to {shown}, which exists "
                "at the base; DynamoDB creates LSIs only with the table: declare a GSI instead, or plan a table "
                "migration",
            )


def index_limits(table: TableSchema, where: str) -> Iterator[str]:
    """SG301: more secondary indexes than DynamoDB allows on one table."""
    for kind, limit, indexes in (("GSI", MAX_GSIS, table.gsis), ("LSI", MAX_LSIS, table.lsis)):
        if len(indexes) > limit:
            yield (
                f"{where} defines {len(indexes)} {kind}s; DynamoDB allows {limit} per table"
                + (" (the default quota)" if kind == "GSI" else "")
                + f": merge access patterns onto fewer {kind}s (overloaded index keys)"
            )


def _key_text(attributes: tuple[KeySchemaAttribute, ...]) -> str:
    """One side of a key as the messages show it: `pk (S)`, or `tenant (S) + device (S)` for a
    multi-attribute GSI key, or `absent`."""
    return " + ".join(str(a) for a in attributes) or "absent"


def _describe(index: IndexSchema) -> str:
    keys = _key_text(index.partition_keys) + (f" / {_key_text(index.sort_keys)}" if index.sort_keys else "")
    return f"{keys}, projection {index.projection}"


def ttl_drift(
    declared: str | None, actual: str | None, manifest: str, source: str
) -> Iterator[tuple[tuple[str, ...], str]]:
    """SG303 for Time to Live: the manifest's `ttl`, where it writes one, against the definition's."""
    if declared is not None and declared != actual:
        theirs = quote(actual) if actual else "not enabled"
        yield ("table", "ttl"), f"table drift: Time to Live is {quote(declared)} in {manifest} but {theirs} in {source}"


def table_drift(
    declared: TableSchema, actual: TableSchema, manifest: str, source: str
) -> Iterator[tuple[tuple[str, ...], str]]:
    """SG303: (manifest key path, message) for each difference between the table the manifest
    declares and the one the infrastructure defines, with both values."""

    def differ(what: str, ours: object, theirs: object) -> str:
        return f"table drift: {what} is {ours} in {manifest} but {theirs} in {source}"

    if declared.name and actual.name and declared.name != actual.name:
        yield ("table", "name"), differ("the table name", quote(declared.name), quote(actual.name))
    if declared.base.partition_key != actual.base.partition_key:
        yield (
            ("table", "partition_key"),
            differ("the partition key", declared.base.partition_key, actual.base.partition_key),
        )
    if declared.base.sort_key != actual.base.sort_key:
        yield (
            ("table", "sort_key"),
            differ("the sort key", declared.base.sort_key or "absent", actual.base.sort_key or "absent"),
        )
    yield from ttl_drift(declared.ttl_attribute, actual.ttl_attribute, manifest, source)
    for name in sorted(set(declared.indexes) | set(actual.indexes)):
        ours, theirs = declared.indexes.get(name), actual.indexes.get(name)
        if theirs is None:
            assert ours is not None
            yield (
                ("table", ours.kind, name),
                (
                    f"table drift: {ours.kind.upper()} {quote(name)} is declared in {manifest} but {source} does not "
                    "define it: access patterns on it would fail in production"
                ),
            )
        elif ours is None:
            yield (
                ("table", "from"),
                (
                    f"table drift: {source} defines {theirs.kind.upper()} {quote(name)} ({_describe(theirs)}), which "
                    f"{manifest} does not declare"
                ),
            )
        elif ours.kind != theirs.kind:
            yield (
                ("table", ours.kind, name),
                differ(f"index {quote(name)}", f"a {ours.kind.upper()}", f"a {theirs.kind.upper()}"),
            )
        else:
            for what, mine, other in (
                ("partition key", _key_text(ours.partition_keys), _key_text(theirs.partition_keys)),
                ("sort key", _key_text(ours.sort_keys), _key_text(theirs.sort_keys)),
                ("projection", str(ours.projection), str(theirs.projection)),
            ):
                if mine != other:
                    field = {"partition key": "partition_key", "sort key": "sort_key"}.get(what, what)
                    yield (
                        ("table", ours.kind, name, field),
                        differ(f"{ours.kind.upper()} {quote(name)} {what}", mine, other),
                    )


def _copied_from_earlier(ctx: PatternContext, operand: KeyTemplate, attr: str) -> bool:
    """`{item.sk}` / `{Session.sk}` for key sk, in a step after one that reads this entity."""
    if not operand.is_single_placeholder or not ctx.earlier:
        return False
    placeholder = operand.placeholders[0]
    if placeholder.path[1:] != (attr,):
        return False
    source = ctx.earlier[-1] if placeholder.root == "item" else None
    source = source or next((e for e in ctx.earlier if e.entity == placeholder.root), None)
    return source is not None and source.entity in (None, ctx.pattern.entity)


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
            if condition.operator == "eq" and _copied_from_earlier(ctx, operand, attr):
                continue  # the key an earlier step's item carries: its own layout, whatever it is
            fits = template.admits(operand) if condition.operator == "eq" else template.admits_prefix(operand)
            if not fits:
                relation = "does not fit" if condition.operator == "eq" else f"({condition.operator}) is no prefix of"
                yield (
                    f"{ctx.subject}: key {attr} = {quote(operand.source)} {relation} entity {entity_name}'s "
                    f"{attr} = {quote(template.source)}; write it in the entity's layout"
                )


def index_limit_findings(project: Project) -> Iterator[Finding]:
    """SG301, on every table the gate knows: each table's manifest declaration and import."""
    loaded = project.loaded
    for table in loaded.tables.values():
        declared = loaded.manifest.all_tables[table.name]
        schemas = [(table.schema, _where(table))]
        if table.imported is not None and declared.declared:
            schemas.append((declared.to_schema(), f"{table.described} in {project.manifest_path}"))
        for schema, where in schemas:
            for message in index_limits(schema, where):
                yield SG301.at(project.manifest_location(*table.key), message)


def _where(table: LoadedTable) -> str:
    if table.imported is not None:
        return f"the table in {table.imported.source}"
    return "table" if table.name is None else f'the table "{table.name}"'


def drift_findings(project: Project) -> Iterator[Finding]:
    """SG303, for each table the manifest declares and also names the infrastructure file of."""
    loaded = project.loaded
    for table in loaded.tables.values():
        declared = loaded.manifest.all_tables[table.name]
        imported = table.imported
        if imported is None:
            continue
        if declared.declared:
            drifts = table_drift(declared.to_schema(), imported.schema, project.manifest_path, imported.source)
        else:
            drifts = ttl_drift(declared.ttl, imported.schema.ttl_attribute, project.manifest_path, imported.source)
        for key, message in drifts:
            yield SG303.at(project.manifest_location(*table.key, *key[1:]), message)


def incomplete_definition_findings(project: Project) -> Iterator[Finding]:
    """SG307: what an infrastructure definition lacks that DynamoDB or its tool requires."""
    from store_gate.schema.importers import Incomplete

    for table in project.loaded.tables.values():
        if table.imported is None:
            continue
        for note in table.imported.notes:
            if isinstance(note, Incomplete):
                yield SG307.at(
                    project.manifest_location(*table.key, "from"),
                    f"{table.imported.source}: {note}; the deployment would fail or differ from what the gate "
                    "checked - complete the definition",
                )


def lsi_added_findings(project: Project, base_tables: Mapping[str | None, TableSchema | None]) -> Iterator[Finding]:
    """SG302, with --base: each table against itself as it was at the base."""
    loaded = project.loaded
    for table in loaded.tables.values():
        declared = loaded.manifest.all_tables[table.name].declared
        manifest_key = f"[tables.{table.name}]" if table.name is not None else "[table]"
        for name, message in lsi_added_to_existing_table(base_tables.get(table.name), table.schema, manifest_key):
            key = (*table.key, "lsi", name) if declared else (*table.key, "from")
            yield SG302.at(project.manifest_location(*key), message)


# The table and its single-table layout. DynamoDB's limits and drift from the infrastructure are
# errors the manifest cannot lower: a table production does not have proves nothing.
SG301 = Rule(
    "SG301",
    "table-index-limit",
    "error",
    "More GSIs or LSIs than DynamoDB allows per table.",
    lowerable=False,
    project=index_limit_findings,
)
SG302 = Rule(
    "SG302",
    "lsi-added-to-existing-table",
    "error",
    "An LSI added to a table that already exists.",
    lowerable=False,
)
SG303 = Rule(
    "SG303",
    "table-drift",
    "error",
    "The manifest's table and the infrastructure definition disagree (drift).",
    lowerable=False,
    project=drift_findings,
)
SG306 = Rule(
    "SG306",
    "access-pattern-entity-mismatch",
    "error",
    "An access pattern's keys do not fit the layout of the entity it names.",
    pattern=access_pattern_entity_mismatch,
)
SG307 = Rule(
    "SG307",
    "table-definition-incomplete",
    "warning",
    "The infrastructure definition lacks something DynamoDB or its deployment tool requires.",
    project=incomplete_definition_findings,
)
