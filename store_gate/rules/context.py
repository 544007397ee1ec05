"""What a rule about one access pattern sees: one operation of a declaration - the method, the
operation, where it sits in the declaration (a step, an alternative, an item), its table and
index, the entities, and what else its keys may be built from (the store's context, the items of
earlier steps)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from store_gate.config.model import AccessPattern
from store_gate.dynamodb import CONTROL_PLANE, ITEM_OPERATIONS, NO_OPERATION
from store_gate.extract.model import Method
from store_gate.keytemplate import KeyTemplate, Placeholder
from store_gate.languages import language_of
from store_gate.project import Declaration, Project
from store_gate.schema.table import IndexSchema, TableSchema


@dataclass(frozen=True)
class Earlier:
    """An earlier step whose items a later step's keys may use (`{item.sk}`, `{Session.sk}`)."""

    entity: str | None
    keys: frozenset[str]  # the attributes its items certainly carry: the keys of its table and index


@dataclass(frozen=True)
class PatternContext:
    method: Method
    declaration: Declaration
    leaf: AccessPattern  # the one operation checked
    label: str | None  # where it sits: None, "step 2", "alternative 1", "item 3", "step 1 item 2"
    table: TableSchema
    table_name: str | None  # None for [table]
    index: IndexSchema | None  # None when the operation names an index the table lacks
    entities: dict[str, dict[str, KeyTemplate]]
    context: dict[str, str] = field(default_factory=dict)  # the store's {ctx.name} parts and their types
    earlier: tuple[Earlier, ...] = ()  # the steps before this one, nearest last
    # The fields of the record types the method's parameters name (defined under the paths).
    records: Mapping[str, frozenset[str]] = field(default_factory=dict)
    entity_tables: Mapping[str, str | None] = field(default_factory=dict)  # the table each entity lives in

    @property
    def pattern(self) -> AccessPattern:
        return self.leaf

    @property
    def subject(self) -> str:
        return self.method.qualified_name + (f" ({self.label})" if self.label else "")

    @property
    def entity(self) -> dict[str, KeyTemplate] | None:
        name = self.leaf.entity
        return self.entities.get(name) if name else None

    @property
    def in_many(self) -> bool:
        """Is the operation one of many items (a batch, a transaction, an item of one)? A key part
        bound to a collection then names one item per element."""
        return self.leaf.op in ITEM_OPERATIONS or bool(self.label and "item" in self.label)

    def binding_class(self, placeholder: Placeholder) -> tuple[str, str] | None:
        """What a placeholder is bound to, as (what, class): a parameter's type and its class
        (text, number, bytes, bool, collection, unknown), or a context part's key type as
        S/N/B. None for field paths and earlier steps' items: no type the gate can see."""
        root, rest = placeholder.root, placeholder.path[1:]
        if root == "ctx" and len(rest) == 1 and rest[0] in self.context:
            kind = self.context[rest[0]]
            return kind, {"S": "text", "N": "number", "B": "bytes"}[kind]
        if rest:
            return None
        for parameter in self.method.parameters:
            if parameter.bindable and parameter.name == root:
                language = language_of(self.method.location.path)
                found = language.type_class(parameter.type) if language is not None else "unknown"
                return parameter.type, found
        return None

    def record_of(self, placeholder: Placeholder) -> tuple[str, frozenset[str]] | None:
        """The record type (and its fields) a placeholder binds whole: `{round}` for `round: &Round`
        where `struct Round { .. }` is defined under the paths. None otherwise."""
        if len(placeholder.path) != 1:
            return None
        for parameter in self.method.parameters:
            if parameter.bindable and parameter.name == placeholder.root:
                named = [n for n in _IDENTIFIER.findall(parameter.type) if n in self.records]
                return (named[0], self.records[named[0]]) if len(named) == 1 else None
        return None

    @property
    def table_label(self) -> str:
        return "the table" if self.table_name is None else f'table "{self.table_name}"'


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _is_checked(leaf: AccessPattern) -> bool:
    """Does the operation address data by keys the rules check? Not the control plane, not
    `none`, and not a transaction or batch whose items carry the keys."""
    return leaf.op is not None and leaf.op not in CONTROL_PLANE and leaf.op != NO_OPERATION and not leaf.items


def pattern_contexts(project: Project) -> Iterator[PatternContext]:
    declared = [(m, d) for m in project.methods if (d := project.declaration(m)) is not None]
    records = parameter_records(project, [m for m, _ in declared])
    for method, declaration in declared:
        yield from contexts_of(project, method, declaration, records)


def parameter_records(project: Project, methods: list[Method]) -> Mapping[str, frozenset[str]]:
    """The record types the methods' parameters name, where a type the gate knows nothing of
    (not text, a number, bytes ...) may be one: their fields, read only where they are defined."""
    names: set[str] = set()
    for method in methods:
        language = language_of(method.location.path)
        for parameter in method.parameters:
            if language is not None and language.type_class(parameter.type) == "unknown":
                names.update(_IDENTIFIER.findall(parameter.type))
    return project.record_fields(frozenset(names)) if names else {}


def contexts_of(
    project: Project, method: Method, declaration: Declaration, records: Mapping[str, frozenset[str]] | None = None
) -> Iterator[PatternContext]:
    """What the pattern rules check of one declaration: each of its operations in context."""
    if records is None:
        records = parameter_records(project, [method])
    store = project.store_of(method.trait)
    context = dict(store.context) if store is not None else {}
    earlier: list[Earlier] = []
    steps = declaration.pattern.steps
    tables = entity_tables(project)
    for label, leaf in declaration.pattern.operations():
        table_name = project.table_name(method.trait, leaf)
        table = project.schema_of(table_name)
        if table is None:
            continue  # a table name the manifest does not declare: a configuration error already
        step = int(label.split()[1]) if label and label.startswith("step ") else None
        before = tuple(earlier[: step - 1]) if step is not None else ()
        if step is not None and label == f"step {step}":
            index = table.index(leaf.index)
            keys = frozenset(table.base.key_names) | frozenset(index.key_names if index else ())
            if len(earlier) < step:
                earlier.append(Earlier(leaf.entity, keys))
        if not _is_checked(leaf):
            continue
        yield PatternContext(
            method=method,
            declaration=declaration,
            leaf=leaf,
            label=label,
            table=table,
            table_name=table_name,
            index=table.index(leaf.index),
            entities=project.entities,
            context=context,
            earlier=before if steps else (),
            records=records,
            entity_tables=tables,
        )


def entity_tables(project: Project) -> dict[str, str | None]:
    """The table each entity lives in (None for [table]): an imported entity, the table it was
    imported with; a manifest entity, its `table` or the default."""
    from store_gate.config.model import entity_table_of

    found = {
        name: table.name
        for table in project.loaded.tables.values()
        if table.imported is not None
        for name in table.imported.entities
    }
    manifest = project.loaded.manifest
    found.update({name: entity_table_of(manifest, name) for name in manifest.entity})
    return found
