"""A declaration for an undeclared method, derived from its name, parameters and return type and
from the manifest's entities - and checked by the gate's own pattern rules before it is offered.

A suggestion either passes every SG2 rule for that method as written, or says plainly that it is a
skeleton and what is left to complete (`gaps`). It binds key parts only to parameters the method
has, or to fields of a parameter's type where that type is defined under the store's paths; it
never writes an entity the method only filters by (`delete_by_user_id` does not delete the User).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from store_gate.config.model import AccessPattern, KeyCondition, entity_table_of
from store_gate.extract.model import Method, SourceLocation
from store_gate.keytemplate import KeyTemplate, Placeholder
from store_gate.languages import language_of

if TYPE_CHECKING:
    from store_gate.project import Project
    from store_gate.schema.table import IndexSchema, TableSchema

_VERBS: list[tuple[str, tuple[str, ...]]] = [
    ("PutItem", ("put", "create", "insert", "save", "add", "append", "record", "store", "upsert", "write", "register")),
    (
        "UpdateItem",
        ("update", "set", "mark", "rename", "increment", "touch", "link", "unlink", "adopt", "close", "resolve"),
    ),
    ("DeleteItem", ("delete", "remove", "purge", "drop", "clear", "archive")),
    ("Query", ("list", "query", "search", "all", "count", "recent", "latest", "history")),
    ("GetItem", ("get", "find", "load", "fetch", "read", "lookup", "exists", "has", "is")),
]
_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
# Words that start the filter of a method name: what follows names what the method selects by,
# not what it reads or writes (`delete_sessions_for_user`, `list_rounds_by_status`).
_FILTER_WORDS = frozenset({"by", "for", "of", "from", "in", "since", "before", "after", "with", "where"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Suggestion:
    pattern: AccessPattern
    gaps: tuple[str, ...] = ()  # what a skeleton leaves to complete; none: the gate accepts it as is

    @property
    def note(self) -> str:
        """How a message presents the suggestion's status ("" when it is complete)."""
        return f" (a skeleton to complete: {'; '.join(self.gaps)})" if self.gaps else ""


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def _singular(word: str) -> str:
    word = word.lower()
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ses") or word.endswith("xes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _operation(method: Method, entities: list[str]) -> str:
    """The operation the method's verb names; a name with no known verb reads (a Query when it
    returns a collection or pages), unless it is given a whole entity to write (`raise_tension`)."""
    from store_gate.rules.legality import carries_cursor

    words = [w.lower() for w in _words(method.name)]
    for op, verbs in _VERBS:
        if words and words[0] in verbs:
            if op == "GetItem" and method.returns_collection:
                return "Query"
            return op
    if method.returns_collection or carries_cursor(method):
        return "Query"
    known = {_norm(e) for e in entities}
    if any(_norm(name) in known for p in method.parameters for name in _IDENTIFIER.findall(p.type)):
        return "PutItem"
    return "GetItem"


def _object_words(method: Method) -> list[str]:
    """The words of the name before its filter: `delete_sessions_for_user` -> delete, sessions."""
    words = _words(method.name)
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _FILTER_WORDS:
            return words[:i]
    return words


def _entity(method: Method, op: str, entities: list[str]) -> tuple[str | None, bool]:
    """The entity the method reads or writes, and whether its name speaks of several (a plural).
    A read is named by its return type, else by its name; a write by the type of what it is given
    (`put_round(round: &Round)`), else by its name before any filter - never by the filter."""
    by_key = {_norm(e): e for e in entities}
    sources = [method.return_type or ""] if op not in _WRITES else [p.type for p in method.parameters]
    for source in sources:
        for name in _IDENTIFIER.findall(source):  # `Option<Round>`, `&Round`: not `RoundId`
            if _norm(name) in by_key:
                return by_key[_norm(name)], False
    words = _object_words(method) if op in _WRITES else _words(method.name)
    for size in (3, 2, 1):  # "open_tensions" before "tensions"
        for i in range(len(words) - size + 1):
            group = words[i : i + size]
            joined = "".join(_singular(w) if j == size - 1 else w.lower() for j, w in enumerate(group))
            if joined in by_key:
                return by_key[joined], _singular(group[-1]) != group[-1].lower()
    return None, False


class _Binder:
    """Binds an entity layout's placeholders to what the method can supply."""

    def __init__(
        self, method: Method, entity: str | None, fields: dict[str, frozenset[str]], context: frozenset[str]
    ) -> None:
        self.method = method
        self.context = context  # the store's own key parts, {ctx.name}
        self.entity = entity
        self.params = {p.name: p for p in method.parameters if p.bindable and p.name}
        self.fields = fields

    def bind(self, name: str) -> str | None:
        """`{dialogue_id}` -> a parameter of that name (snake or camel) that is not a record, `id`
        for the entity's own id, or `param.field` when exactly one parameter's type has that field
        (`{round.dialogue_id}`; the entity's own `id` for `{dialogue_id}` of a Dialogue)."""
        for param, parameter in self.params.items():
            if _norm(param) == _norm(name) and not self._records(parameter.type):
                return param
        own_id = bool(self.entity) and _norm(name) == _norm(self.entity or "") + "id"
        if own_id and "id" in self.params:
            return "id"
        carriers = sorted(
            {
                f"{param}.{field}"
                for param, parameter in self.params.items()
                for type_name in self._records(parameter.type)
                for field in self.fields[type_name]
                if _norm(field) == _norm(name)
                or (own_id and field == "id" and _norm(type_name) == _norm(self.entity or ""))
            }
        )
        return carriers[0] if len(carriers) == 1 else None

    def _records(self, type_text: str) -> list[str]:
        """The record types (with known fields) a parameter's type names."""
        return [name for name in _IDENTIFIER.findall(type_text) if name in self.fields]

    def template(self, template: KeyTemplate) -> tuple[KeyTemplate, list[str]]:
        """The template with its placeholders renamed to what binds them, and the ones nothing binds."""
        parts: list[str | Placeholder] = []
        unbound: list[str] = []
        for part in template.parts:
            if isinstance(part, Placeholder) and part.root == "ctx" and part.path[1:] in {(c,) for c in self.context}:
                pass  # held by the store
            elif isinstance(part, Placeholder):
                bound = self.bind(part.root) if len(part.path) == 1 else None
                if bound is None:
                    unbound.append(str(part))
                else:
                    part = Placeholder(tuple(bound.split(".")), part.kind)
            parts.append(part)
        source = "".join(p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else str(p) for p in parts)
        return KeyTemplate.parse(source), unbound

    def collection_roots(self, templates: list[KeyTemplate]) -> bool:
        """Is any placeholder bound to a collection parameter (one request per element)?"""
        language = language_of(self.method.location.path)
        if language is None:
            return False
        for template in templates:
            for placeholder in template.placeholders:
                parameter = self.params.get(placeholder.root)
                bound = parameter is not None and len(placeholder.path) == 1
                if bound and parameter is not None and language.type_class(parameter.type) == "collection":
                    return True
        return False


def _query_key(
    table: TableSchema, layout: dict[str, KeyTemplate], binder: _Binder
) -> tuple[IndexSchema, dict[str, KeyCondition]] | None:
    """The first of the table and its indexes (in the manifest's order) whose partition key the
    method can build from the entity's layout, with a begins_with on the layout's sort key prefix."""
    return next(_query_keys(table, layout, binder), None)


def _query_keys(
    table: TableSchema, layout: dict[str, KeyTemplate], binder: _Binder
) -> Iterator[tuple[IndexSchema, dict[str, KeyCondition]]]:
    """Each of the table and its indexes whose partition key the method can build, in order."""
    for index in (table.base, *table.indexes.values()):
        if any(attribute.name not in layout for attribute in index.sort_keys):
            continue  # a sparse index: the entity's items, lacking its sort key, are not in it
        key: dict[str, KeyCondition] = {}
        for attribute in index.partition_keys:
            if attribute.name not in layout:
                break
            bound, unbound = binder.template(layout[attribute.name])
            if unbound:
                break
            key[attribute.name] = KeyCondition("eq", (bound,))
        else:
            sort = index.sort_keys[0] if index.sort_keys else None
            sort_layout = layout.get(sort.name) if sort is not None else None
            prefix = sort_layout.literal_prefix if sort_layout is not None and not sort_layout.is_constant else ""
            if sort is not None and prefix and sort.type == "S":
                key[sort.name] = KeyCondition("begins_with", (KeyTemplate.parse(prefix),))
            yield index, key


def parameter_fields(project: Project, methods: list[Method]) -> dict[str, frozenset[str]]:
    """The fields of the record types the methods' parameters name, where defined under paths."""
    names = {name for method in methods for p in method.parameters for name in _IDENTIFIER.findall(p.type)}
    return project.record_fields(frozenset(names)) if names else {}


def suggest(
    method: Method, project: Project, fields: dict[str, frozenset[str]] | None = None, *, check: bool = True
) -> Suggestion:
    """The suggested declaration of `method`. `fields`: the record types its parameters may name
    (Project.record_fields); `check`: run the pattern rules on it and name what they report."""
    from store_gate.rules.legality import carries_cursor

    manifest = project.loaded.manifest
    op = _operation(method, sorted(project.entities))
    entity, plural = _entity(method, op, sorted(project.entities))
    table_name = entity_table_of(manifest, entity) if entity else None
    default_table = project.table_name(method.trait, AccessPattern(op="GetItem"))
    table = project.schema_of(table_name if entity else default_table) or project.table
    layout = project.entities.get(entity, {}) if entity else {}
    store = project.store_of(method.trait)
    binder = _Binder(method, entity, fields or {}, frozenset(store.context) if store is not None else frozenset())
    gaps: list[str] = []
    if entity is None:
        gaps.append("name the entity it reads or writes (entity = ...) and its key")
    own_table = table_name if entity and table_name != default_table else None

    expires = {"expired", "expire", "expiry", "expiring"} & {w.lower() for w in _words(method.name)}
    if op == "DeleteItem" and expires and table.ttl_attribute is not None:
        pattern = AccessPattern(expiry="ttl", table=own_table)
        gaps = [g for g in gaps if not g.startswith("name the entity")]
    elif op == "Query" or (op == "DeleteItem" and plural):
        found = _query_key(table, layout, binder) if layout else None
        if found is None:
            index, key = table.base, {table.base.partition_key.name: KeyCondition("eq", (KeyTemplate.parse("..."),))}
            if entity is not None:
                gaps.append(
                    f"no parameter builds the partition key of {entity} on the table or any index: key the method on "
                    "one, or add a GSI whose partition key its parameters build"
                )
        else:
            index, key = found
        query = AccessPattern(op="Query", index=index.name, entity=entity, key=key, table=own_table)
        if op == "Query":
            paged = method.returns_collection or carries_cursor(method)
            pattern = replace(query, page="cursor" if paged else None)
            if paged and not carries_cursor(method):
                gaps.append(
                    f"{method.name} takes no cursor and returns none: add one (and return the next), "
                    'or replace page = "cursor" with limit = N'
                )
        else:  # delete every item of a partition: read them, then delete each by its key
            item_key = {
                a.name: KeyCondition("eq", (KeyTemplate.parse(f"{{item.{a.name}}}"),))
                for a in table.base.key_attributes
            }
            delete = AccessPattern(op="DeleteItem", key=item_key)
            batch = AccessPattern(op="BatchWriteItem", items=(delete,))
            pattern = AccessPattern(steps=(replace(query, page="cursor"), batch), table=own_table)
            gaps.append(
                f"{method.name} deletes every {entity} of a partition: a loop over pages; bound it (limit = N on the "
                "Query) or waive SG209 with the bound that holds"
            )
    else:
        key = {}
        for attribute in table.base.key_attributes:
            if attribute.name in layout:
                bound, unbound = binder.template(layout[attribute.name])
                key[attribute.name] = KeyCondition("eq", (bound,))
                gaps += [f"no parameter builds {placeholder} of {attribute.name}" for placeholder in unbound]
            else:
                key[attribute.name] = KeyCondition("eq", (KeyTemplate.parse("..."),))
                if entity is not None:
                    gaps.append(f"{entity} has no {attribute.name} in its layout")
        templates = [operand for condition in key.values() for operand in condition.operands]
        if op == "GetItem" and binder.collection_roots(templates):
            op = "BatchGetItem"  # one GetItem per element
        pattern = AccessPattern(op=op, entity=entity, key=key, table=own_table)
    if check and not gaps:
        gaps += _reported(project, method, pattern)
    return Suggestion(pattern, tuple(dict.fromkeys(gaps)))


def _reported(project: Project, method: Method, pattern: AccessPattern) -> list[str]:
    """What the gate's own pattern rules would report on the suggestion (its SG2 and SG3 rules)."""
    from store_gate.catalogue import RULES
    from store_gate.project import Declaration
    from store_gate.rules.context import contexts_of

    declaration = Declaration(method.trait, method.name, pattern, "manifest", SourceLocation("", 1, 1))
    found: list[str] = []
    for ctx in contexts_of(project, method, declaration):
        for rule in RULES.values():
            if rule.pattern is not None:
                found += [f"the gate would report {rule.code}: {message}" for message in rule.pattern(ctx)]
    from store_gate.rules.copies import copies_changed

    copied = copies_changed(project.loaded.manifest, pattern)
    if copied:
        found.append(
            f"the gate would report SG601: it changes what {', '.join(copied)} copies; say how the copies follow "
            '(maintains = [...] in a TransactWriteItems, or stream = "...") and fanout = ...'
        )
    return found


# `store-gate suggest`: the indexes that can serve a method, or the one to add ------------------


@dataclass(frozen=True)
class IndexProposal:
    """A GSI to add (or an overloaded one to join) so that a method's parameters build a key."""

    entity: str
    index: str
    new: bool  # a new GSI; False: the entity joins an existing overloaded one
    partition: tuple[str, str]  # (attribute, template)
    sort: tuple[str, str] | None
    declaration: AccessPattern

    def lines(self, table_key: str, entity_key: str) -> list[str]:
        """The manifest lines to add, then the access pattern, as `store-gate suggest` prints them.
        `table_key`: where the manifest writes the entity's table (`table`, `tables.events`)."""
        out: list[str] = []
        if self.new:
            out.append(f"[{table_key}.gsi.{self.index}]")
            out.append(f'partition_key = {{ name = "{self.partition[0]}", type = "S" }}')
            if self.sort is not None:
                out.append(f'sort_key = {{ name = "{self.sort[0]}", type = "S" }}')
            out.append("")
        out.append(f"[{entity_key}]  # add to the entity's layout")
        out.append(f'{self.partition[0]} = "{self.partition[1]}"')
        if self.sort is not None:
            out.append(f'{self.sort[0]} = "{self.sort[1]}"')
        return out


def serving(method: Method, project: Project, fields: dict[str, frozenset[str]]) -> list[Suggestion]:
    """Every declaration over the table and its existing indexes that the gate accepts for the
    method as it is (never a Scan): for a read, each index whose partition key its parameters
    build; else the one suggestion, when it is complete."""
    first = suggest(method, project, fields)
    pattern = first.pattern
    if pattern.op != "Query" or pattern.entity is None:
        return [first] if not first.gaps else []
    table = project.schema_of(project.table_name(method.trait, pattern)) or project.table
    store = project.store_of(method.trait)
    context = frozenset(store.context) if store is not None else frozenset()
    binder = _Binder(method, pattern.entity, fields, context)
    found: list[Suggestion] = []
    for index, key in _query_keys(table, project.entities.get(pattern.entity, {}), binder):
        candidate = replace(pattern, index=index.name, key=key)
        gaps = _reported(project, method, candidate)
        if not gaps:
            found.append(Suggestion(candidate))
    return found


def propose_index(method: Method, project: Project, fields: dict[str, frozenset[str]]) -> IndexProposal | None:
    """A GSI keyed on the parameter the method filters by (`..._by_expert(expert_id)`), holding
    the entity it reads: joining an overloaded `gsiNpk`/`gsiNsk` index the entity does not use yet
    when the table follows that convention, else a new one. None when the method names no entity
    or has no parameter to key on."""
    first = suggest(method, project, fields, check=False)
    entity = first.pattern.entity
    if entity is None:
        return None
    layout = project.entities.get(entity, {})
    table = project.schema_of(project.table_name(method.trait, first.pattern)) or project.table
    bindable = [p.name for p in method.parameters if p.bindable and p.name and not p.optional]
    filters = {_norm(w) for w in _words(method.name)[len(_object_words(method)) :]}
    used = {ph.root for t in layout.values() for ph in t.placeholders}
    ranked = sorted(bindable, key=lambda n: (not ({_norm(w) for w in _words(n)} & filters), n in used))
    if not ranked:
        return None
    param = ranked[0]
    words = [w for w in _words(param) if w.lower() != "id"] or _words(param)
    partition_template = "#".join(w.upper() for w in words) + f"#{{{param}}}"
    sort_attribute = table.base.sort_key.name if table.base.sort_key else None
    sort_template = layout[sort_attribute].source if sort_attribute and sort_attribute in layout else None
    overloaded = sorted(
        (int(m.group(1)), index)
        for index in table.gsis
        if (m := re.fullmatch(r"gsi(\d+)pk", index.partition_key.name, re.IGNORECASE))
    )
    joinable = [index for _, index in overloaded if index.partition_key.name not in layout]
    if joinable:
        index = joinable[0]
        partition = (index.partition_key.name, partition_template)
        sort = (index.sort_key.name, sort_template) if index.sort_key and sort_template else None
        name, new = index.name or "", False
    elif overloaded:
        n = overloaded[-1][0] + 1
        name, new = f"GSI{n}", True
        partition = (f"gsi{n}pk", partition_template)
        sort = (f"gsi{n}sk", sort_template) if sort_template else None
    else:
        name, new = "By" + "".join(w.capitalize() for w in words), True
        partition = (f"by_{'_'.join(w.lower() for w in words)}", partition_template)
        sort = (sort_attribute, sort_template) if sort_attribute and sort_template else None
    key = {partition[0]: KeyCondition("eq", (KeyTemplate.parse(partition_template),))}
    declaration = replace(first.pattern, index=name, key=key)
    return IndexProposal(entity, name, new, partition, sort, declaration)
