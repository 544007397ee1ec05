"""SG304, SG305: entity keys decided as languages (`store_gate.keylang`) - two entities whose keys
can be equal on the table or an index, and a Query whose key condition reads another entity.

An entity is in an index only when its layout defines every key attribute of that index (a
sparse index); the base table holds every entity of the table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from store_gate.dynamodb import KEY_OPERATORS
from store_gate.keylang import (
    Binding,
    Language,
    Numbers,
    TooLarge,
    bindable,
    binding_of,
    disjoint_literals,
    everything,
    key_condition_language,
    key_language,
    shared_value,
    substitute,
    template_language,
)
from store_gate.rule import Rule
from store_gate.rules.wording import quote

if TYPE_CHECKING:
    from store_gate.config import LoadedTable
    from store_gate.findings import Finding
    from store_gate.keytemplate import KeyTemplate
    from store_gate.project import Project
    from store_gate.rules.context import PatternContext
    from store_gate.schema.table import IndexSchema

Layout = Mapping[str, "KeyTemplate"]


def members(index: IndexSchema, entities: Mapping[str, Layout]) -> list[str]:
    """The entities whose items the index holds: those whose layout defines all its key attributes."""
    return sorted(name for name, layout in entities.items() if all(a in layout for a in index.key_names))


def shown_key(values: Mapping[str, str], kinds: Mapping[str, str]) -> str:
    """`pk = "DIALOGUE#a", sk = "ROUND#1"` (a number key unquoted)."""
    return ", ".join(f"{a} = {v if kinds.get(a) == 'N' else quote(v)}" for a, v in values.items())


def shown_layout(layout: Layout, attributes: tuple[str, ...]) -> str:
    return ", ".join(f"{a} = {quote(layout[a].source)}" for a in attributes)


def common_key(
    a: Layout, b: Layout, attributes: tuple[str, ...], kinds: Mapping[str, str]
) -> tuple[dict[str, str] | None, bool | None]:
    """A key both layouts produce on these attributes, and whether it is proved: (None, True)
    when they produce no common key; (key, False) when each attribute's languages meet but the
    key found needs two values for one repeated placeholder (`{id}` in pk and sk) and the gate
    cannot decide whether another key would not; (key, None) when the search for one value per
    placeholder passed its budget. Raises TooLarge."""
    if any(kinds.get(x, "S") != "N" and disjoint_literals(a[x], b[x]) for x in attributes):
        return None, True
    values: dict[str, str] = {}
    for attr in attributes:
        kind = kinds.get(attr, "S")
        value = shared_value(key_language(a[attr], kind), key_language(b[attr], kind))
        if value is None:
            return None, True
        values[attr] = value
    bound = [bindable({x: layout[x] for x in attributes}, values, dict(kinds)) for layout in (a, b)]
    if all(bound):
        return values, True
    past_budget = None in bound
    # A placeholder repeats and the key found needs two values for it: look again with each
    # attribute first, the values its key binds written into the other attributes' templates.
    for first in attributes:
        order = (first, *(x for x in attributes if x != first))
        try:
            anchored = _anchored(a, b, order, kinds)
        except TooLarge:
            past_budget = True
            break  # past the search's budget: undecided
        if anchored is not None:
            return {x: anchored[x] for x in attributes}, True
    return values, None if past_budget else False


def _anchored(a: Layout, b: Layout, order: tuple[str, ...], kinds: Mapping[str, str]) -> dict[str, str] | None:
    """A key both produce, found attribute by attribute in `order`, each attribute's templates
    taking the values the earlier attributes' key bound; None when this order finds none."""
    bound_a: Binding = {}
    bound_b: Binding = {}
    values: dict[str, str] = {}
    for attr in order:
        kind = kinds.get(attr, "S")
        template_a, template_b = substitute(a[attr], bound_a), substitute(b[attr], bound_b)
        value = shared_value(key_language(template_a, kind), key_language(template_b, kind))
        if value is None:
            return None
        values[attr] = value
        found_a = binding_of({attr: template_a}, {attr: value}, dict(kinds), bound_a)
        found_b = binding_of({attr: template_b}, {attr: value}, dict(kinds), bound_b)
        if found_a is None or found_b is None:
            return None
        bound_a, bound_b = found_a, found_b
    proved = all(bindable({x: layout[x] for x in order}, values, dict(kinds)) for layout in (a, b))
    return values if proved else None


def _where(index: IndexSchema) -> str:
    return "the base table" if index.kind == "table" else index.label


def collision_findings(project: Project) -> Iterator[Finding]:
    """SG304, on each table and each of its indexes."""
    from store_gate.rules.context import entity_tables  # not at import: `explain` and `rules` need no model

    tables = entity_tables(project)
    all_entities = project.entities
    for table_name, table in project.loaded.tables.items():
        schema = table.schema
        kinds = schema.attribute_types
        entities = {n: layout for n, layout in all_entities.items() if tables.get(n, None) == table_name}
        for index in (schema.base, *(schema.indexes[n] for n in sorted(schema.indexes))):
            present = members(index, entities)
            for i, first in enumerate(present):
                for second in present[i + 1 :]:
                    yield from _collision(project, table, index, (first, second), entities, kinds)


def _line(project: Project, entity: str) -> int:
    return project.loaded.line_of("entity", entity) or 0


def _collision(
    project: Project,
    table: LoadedTable,
    index: IndexSchema,
    pair: tuple[str, str],
    entities: Mapping[str, Layout],
    kinds: Mapping[str, str],
) -> Iterator[Finding]:
    first, second = pair
    a, b = entities[first], entities[second]
    attributes = index.key_names
    table_pk = table.schema.base.partition_key.name
    later = max((first, second), key=lambda e: (_line(project, e), e))
    # An entity the manifest writes: its [entity.<Name>]; one imported only: the table's `from`.
    manifest_entities = project.loaded.manifest.entity
    place = ("entity", later) if later in manifest_entities else (*table.key, "from")
    layouts = f"{first}: {shown_layout(a, attributes)}; {second}: {shown_layout(b, attributes)}"
    where = _where(index)
    try:
        key, proved = common_key(a, b, attributes, kinds)
    except TooLarge:  # undecided, like a search past its budget: a finding, never a pass
        yield SG304.at(
            project.manifest_location(*place),
            f"entities {first} and {second} may collide on {where}: their key languages ({layouts}) are too large "
            "to compare (the product automaton passes its bound); the gate cannot decide it - shorten the "
            f"templates, or {_fix(second, attributes, kinds, table_pk)}",
        )
        return
    if key is None:
        return
    if not proved:
        why = (
            "but only with two values for a placeholder that repeats"
            if proved is False
            else "but the search for one value per placeholder passed its budget"
        )
        yield SG304.at(
            project.manifest_location(*place),
            f"entities {first} and {second} may collide on {where}: {shown_key(key, kinds)} fits both layouts "
            f"attribute by attribute ({layouts}), {why}; the gate cannot decide it - "
            f"{_fix(second, attributes, kinds, table_pk)}",
        )
        return
    consequence = (
        "one item would overwrite the other" if index.kind == "table" else "a Query on it cannot tell their items apart"
    )
    yield SG304.at(
        project.manifest_location(*place),
        f"entities {first} and {second} collide on {where}: {shown_key(key, kinds)} is a key of both "
        f"({layouts}); {consequence} - {_fix(second, attributes, kinds, table_pk)}",
    )


def _fix(entity: str, attributes: tuple[str, ...], kinds: Mapping[str, str], table_pk: str) -> str:
    """How to keep two entities apart: a prefix of its own in a text key attribute - the last one,
    but the table's partition key only when it is the only one (it moves the item collection)."""
    text = [a for a in attributes if kinds.get(a, "S") != "N"]
    text.sort(key=lambda a: a != table_pk)
    if not text:
        return "give each entity numbers of its own (other literals, or a class such as {n:int} against a fraction)"
    return (
        f'give each entity a literal of its own in the key (a prefix such as "{entity.upper()}#" in {text[-1]}), '
        "or placeholder classes that cannot meet ({n:int}, {s:segment} has no #)"
    )


def _condition_language(ctx: PatternContext, attr: str, kind: str) -> Language:
    """What the Query's condition on one key attribute reads: every value when it has none."""
    from store_gate.rules.layout import _copied_from_earlier

    condition = ctx.pattern.key.get(attr)
    if condition is None:
        return Numbers() if kind == "N" else everything()
    operand = condition.operands[0]
    if condition.operator == "eq" and _copied_from_earlier(ctx, operand, attr):
        own = ctx.entity
        if own is not None and attr in own:  # the key an earlier step's item of this entity carries
            return key_language(own[attr], kind)
    if condition.operator == "eq" and kind != "N":
        return template_language(operand)
    return key_condition_language(condition.operator, condition.operands, kind)


def query_reads_other_entity(ctx: PatternContext) -> Iterator[str]:
    """SG305"""
    pattern, index = ctx.pattern, ctx.index
    if pattern.op != "Query" or index is None:
        return
    expected = set(pattern.entities) | ({pattern.entity} if pattern.entity else set())
    if not expected:
        return  # a Query that names no entity expects none: SG306 and the manifest's own review
    own = ctx.entity
    if pattern.entity and (own is None or not all(a in own for a in index.key_names)):
        return  # an entity the index does not hold: SG306's finding
    if any(c.operator not in KEY_OPERATORS for c in pattern.key.values()):
        return  # an operator DynamoDB does not have: SG205's finding
    kinds = ctx.table.attribute_types
    on_table = {n: layout for n, layout in ctx.entities.items() if ctx.entity_tables.get(n) == ctx.table_name}
    others = [n for n in members(index, on_table) if n not in expected]
    if not others:
        return
    attributes = index.key_names
    try:
        reads = {a: _condition_language(ctx, a, kinds.get(a, "S")) for a in attributes}
        for other in others:
            layout = on_table[other]
            values: dict[str, str] = {}
            for attr in attributes:
                value = shared_value(reads[attr], key_language(layout[attr], kinds.get(attr, "S")))
                if value is None:
                    break
                values[attr] = value
            else:
                proved = bindable({a: layout[a] for a in attributes}, values, dict(kinds))
                yield _read_message(ctx, other, layout, values, proved, expected)
    except TooLarge:
        yield (
            f"{ctx.subject}: the key condition and the entities' key languages on {_where(index)} are too large "
            "to compare (the product automaton passes its bound); the gate cannot tell which entities the Query "
            "reads - shorten the templates"
        )


def _read_message(
    ctx: PatternContext, other: str, layout: Layout, values: dict[str, str], proved: bool | None, expected: set[str]
) -> str:
    kinds = ctx.table.attribute_types
    attributes = tuple(values)
    declared = ", ".join(quote(e) for e in sorted(expected | {other}))
    own = ctx.entity
    narrow = (
        f" to what {ctx.pattern.entity}'s layout writes ({shown_layout(own, attributes)})"
        if own is not None and all(a in own for a in attributes)
        else ""
    )
    verb = "reads" if proved else "may read"
    undecided = (
        ""
        if proved
        else " (only with two values for a placeholder that repeats in its layout: undecided)"
        if proved is False
        else " (the search for one value per placeholder passed its budget: undecided)"
    )
    return (
        f"{ctx.subject}: the Query on {_where(ctx.index) if ctx.index else 'the table'} {verb} {other} items: "
        f"{shown_key(values, kinds)} fits its key condition and {other}'s layout ({shown_layout(layout, attributes)})"
        f"{undecided}; narrow the key condition{narrow}, give {other} a key prefix of its own, or declare "
        f"entities = [{declared}] if the method reads them on purpose"
    )


SG304 = Rule(
    "SG304",
    "entity-key-collision",
    "error",
    "Two entities whose keys can be equal on the table or on an index where both appear.",
    project=collision_findings,
)
SG305 = Rule(
    "SG305",
    "query-reads-other-entity",
    "error",
    "A Query whose key condition also reads items of an entity it does not declare.",
    pattern=query_reads_other_entity,
)
