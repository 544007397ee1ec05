"""SG2: is one access pattern legal DynamoDB, and can its keys be built from the call?

Each rule takes a `PatternContext` and yields messages; the registry places them at the
declaration (the manifest line, or the `@access` doc line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from store_gate.display import one_line
from store_gate.dynamodb import (
    KEY_OPERATORS,
    MAX_PAGE_ITEMS,
    OPERATOR_SYMBOLS,
    PARTIQL_OPERATIONS,
    SINGLE_ITEM_OPERATIONS,
    UNBOUNDED_OPERATIONS,
)
from store_gate.keytemplate import KeyTemplate
from store_gate.languages import written_in
from store_gate.rule import Rule
from store_gate.rules.wording import did_you_mean, names, quote

if TYPE_CHECKING:
    from store_gate.extract.model import Method
    from store_gate.findings import Finding
    from store_gate.project import Project
    from store_gate.rules.context import PatternContext

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?\Z")


def index_undefined(ctx: PatternContext) -> Iterator[str]:
    """SG201"""
    name = ctx.pattern.index
    if name is not None and ctx.index is None:
        known = [str(i.name) for i in ctx.table.indexes.values()]
        yield (
            f"{ctx.subject} uses index {quote(name)}, which the table does not define "
            f"(its indexes: {names(known)}){did_you_mean(name, known)}; name one of them, "
            f"or add [table.gsi.{name}] first"
        )


def _constant_partition(ctx: PatternContext) -> str | None:
    """The literal partition key of a pattern that names no placeholder in it, if it does that."""
    if ctx.index is None or ctx.pattern.op in UNBOUNDED_OPERATIONS:
        return None
    condition = ctx.pattern.key.get(ctx.index.partition_key.name)
    if condition is not None and condition.operator == "eq" and condition.operands[0].is_constant:
        return condition.operands[0].source
    return None


def operation_unbounded(ctx: PatternContext) -> Iterator[str]:
    """SG202"""
    op = ctx.pattern.op
    constant = _constant_partition(ctx)
    if op == "Query" and constant is not None and ctx.index is not None and ctx.index.kind == "gsi":
        # A GSI partition that every item of an entity lands in: the Query reads that whole
        # population, page by page, however the table grows. A Scan in disguise.
        pk = ctx.index.partition_key.name
        yield (
            f"{ctx.subject}: a Query on {ctx.index.label} with the constant partition key {pk} = {quote(constant)} "
            "reads one partition that holds every such item of the table - a Scan in disguise; put a "
            "parameter into the partition key (shard it when there is none), or serve the method another way"
        )
        return
    if op not in UNBOUNDED_OPERATIONS:
        return
    what = (
        "a PartiQL statement, whose key condition cannot be proved"
        if op in PARTIQL_OPERATIONS
        else f"which reads all of {ctx.index.label if ctx.index else 'the table'}"
    )
    yield (
        f"{ctx.subject} uses {op}, {what}; declare a Query on an index whose partition key "
        "the method's parameters can build (add a GSI if none fits)"
    )


def operation_index_mismatch(ctx: PatternContext) -> Iterator[str]:
    """SG203"""
    op, index = ctx.pattern.op, ctx.pattern.index
    if op in SINGLE_ITEM_OPERATIONS and index is not None:
        yield (
            f"{ctx.subject}: {op} cannot use index {quote(index)}: it addresses one item of the base "
            f'table by primary key; write op = "Query" with index = "{index}" (and limit = 1), or drop index'
        )


def primary_key_incomplete(ctx: PatternContext) -> Iterator[str]:
    """SG204"""
    pattern = ctx.pattern
    if pattern.op not in SINGLE_ITEM_OPERATIONS or pattern.index is not None:
        return
    entity = ctx.entity or {}
    for attr in ctx.table.base.key_names:
        condition = pattern.key.get(attr)
        example = entity[attr].source if attr in entity else "..."
        if condition is None:
            yield (
                f"{ctx.subject}: {pattern.op} needs the full primary key, but key has no {quote(attr)}; "
                f'add {attr} = "{example}"'
            )
        elif condition.operator != "eq":
            yield (
                f"{ctx.subject}: {pattern.op} needs {quote(attr)} by equality, not {condition.operator}; "
                f'write {attr} = "{example}", or declare a Query'
            )


def key_condition_invalid(ctx: PatternContext) -> Iterator[str]:
    """SG205 (multi-attribute GSI keys: every partition attribute by equality; sort attributes
    left to right, a range only on the last one used)"""
    pattern, index = ctx.pattern, ctx.index
    if index is None or pattern.op in UNBOUNDED_OPERATIONS:
        return
    for attr in pattern.key:
        if attr not in index.key_names:
            yield (
                f"{ctx.subject}: key condition on {quote(attr)}, which is not a key of {index.label} "
                f"(its keys: {names(index.key_names)}); query an index keyed on it, or filter after the read"
            )
    if pattern.op != "Query":
        return
    for pk_attribute in index.partition_keys:
        pk = pk_attribute.name
        condition = pattern.key.get(pk)
        if condition is None:
            yield (
                f"{ctx.subject}: a Query on {index.label} needs its partition key {quote(pk)} by equality; "
                f'add {pk} = "..."'
            )
        elif condition.operator != "eq":
            yield (
                f"{ctx.subject}: the partition key {quote(pk)} of {index.label} must be matched by equality, "
                f"not {condition.operator}: a Query reads exactly one partition"
            )
    sort_names = [a.name for a in index.sort_keys]
    used = [name for name in sort_names if name in pattern.key]
    if used and used != sort_names[: len(used)]:
        missing = next(name for name in sort_names if name not in pattern.key)
        yield (
            f"{ctx.subject}: the sort key of {index.label} is {', '.join(sort_names)}, used left to right: "
            f"{', '.join(n for n in used if sort_names.index(n) > sort_names.index(missing))} cannot be used "
            f"without {quote(missing)}"
        )
    for name in used[:-1]:
        if pattern.key[name].operator != "eq":
            yield (
                f"{ctx.subject}: only the last sort key attribute used may take a range; {quote(name)} comes before "
                f"{quote(used[-1])} and must be matched by equality"
            )
    for name in used[-1:]:
        sort_condition = pattern.key[name]
        if sort_condition.operator not in KEY_OPERATORS:
            allowed = ", ".join(OPERATOR_SYMBOLS.get(op, op) for op in KEY_OPERATORS)
            yield (
                f"{ctx.subject}: {quote(sort_condition.operator)} on sort key {quote(name)} "
                f"is not a key condition; use one of {allowed}"
            )


def key_placeholder_unbound(ctx: PatternContext) -> Iterator[str]:
    """SG206: a placeholder's root is a parameter of the method; or `ctx`, a part of the store's
    `context`; or, in a later step, the items of an earlier one (`{item.sk}` - the step just
    before - or `{Session.sk}`, the step that reads that entity), for attributes its items carry."""
    params = ctx.method.bindable_names
    optional_parameters = {p.name: p.type for p in ctx.method.parameters if p.optional and p.name}
    in_alternative = bool(ctx.label and ctx.label.startswith("alternative"))
    templates: list[tuple[str, KeyTemplate]] = [
        (f"key {quote(attr)}", operand) for attr, cond in ctx.pattern.key.items() for operand in cond.operands
    ]
    if isinstance(ctx.pattern.limit, KeyTemplate):
        templates.append(("limit", ctx.pattern.limit))
    read = {e.entity: e for e in ctx.earlier if e.entity}
    for where, template in templates:
        for placeholder in template.placeholders:
            root, rest = placeholder.root, placeholder.path[1:]
            if root in params:
                optional = optional_parameters.get(root)
                if optional is not None and where != "limit" and not in_alternative:
                    yield (
                        f"{ctx.subject}: placeholder {placeholder} in {where} binds to {root}, which a caller may "
                        f"leave out ({one_line(optional)}); a call without it has no key: make it required, or "
                        "declare alternatives = [...], one operation for each case"
                    )
                continue
            if root == "ctx":
                if len(rest) == 1 and rest[0] in ctx.context:
                    continue
                declared = names(sorted(ctx.context))
                yield (
                    f"{ctx.subject}: placeholder {placeholder} in {where} names no part of the store's context "
                    f'(context: {declared}); declare it in [[store]] context = {{ name = "S" }}'
                )
                continue
            earlier = ctx.earlier[-1] if root == "item" and ctx.earlier else read.get(root)
            if earlier is not None:
                if len(rest) == 1 and rest[0] in earlier.keys:
                    continue
                yield (
                    f"{ctx.subject}: placeholder {placeholder} in {where} names no attribute the earlier step's items "
                    f"carry (their key attributes: {names(sorted(earlier.keys))})"
                )
                continue
            if root == "self":
                yield (
                    f"{ctx.subject}: placeholder {placeholder} in {where} reads from self, not from the call; "
                    f"key it on a parameter (parameters: {names(params)}), or declare it in the store's context"
                )
            else:
                yield (
                    f"{ctx.subject}: placeholder {placeholder} in {where} binds to no parameter "
                    f"(parameters: {names(params)}){did_you_mean(root, params)}; "
                    "rename it to a parameter, or add the parameter"
                )


def consistent_read_on_gsi(ctx: PatternContext) -> Iterator[str]:
    """SG207"""
    if ctx.pattern.consistent and ctx.index is not None and ctx.index.kind == "gsi":
        yield (
            f"{ctx.subject}: consistent = true on {ctx.index.label}, but GSIs support eventually "
            "consistent reads only; drop consistent, or read the base table or an LSI"
        )


_FITS = {"N": ("number",), "B": ("bytes",)}  # the parameter classes a single placeholder may have


def key_template_type_mismatch(ctx: PatternContext) -> Iterator[str]:
    """SG208: a key template fits its attribute's type, and so do the parameters its placeholders
    are bound to (where the parameter's type is one the gate knows: a user's own type passes)."""
    types = ctx.table.attribute_types
    for attr, condition in ctx.pattern.key.items():
        kind = types.get(attr)
        if kind == "N" and condition.operator == "begins_with":
            yield f"{ctx.subject}: begins_with on {quote(attr)}, a number (N) key; use a range (between, <, >=, ...)"
            continue
        for operand in condition.operands:
            if kind == "N" and not (operand.is_single_placeholder or _NUMBER.match(operand.source)):
                yield (
                    f"{ctx.subject}: key {quote(attr)} is a number (N) but {quote(operand.source)} is text; "
                    'write a single placeholder such as "{n}" or a number'
                )
                continue
            if kind == "B" and not operand.is_single_placeholder:
                yield (
                    f"{ctx.subject}: key {quote(attr)} is binary (B); {quote(operand.source)} must be a single "
                    "placeholder bound to a bytes parameter"
                )
                continue
            yield from _bound_types(ctx, attr, kind, operand)
    if isinstance(ctx.pattern.limit, KeyTemplate):
        placeholder = ctx.pattern.limit.placeholders[0]
        bound = ctx.binding_class(placeholder)
        if bound is not None and bound[1] not in ("number", "unknown"):
            yield (
                f"{ctx.subject}: limit = {quote(ctx.pattern.limit.source)} is bound to {_what(placeholder, bound)}, "
                "not a number; Limit is a count of items: bind it to an integer parameter or write a number"
            )


_CLASS_NOUNS = {
    "text": "text",
    "number": "a number",
    "bytes": "bytes",
    "bool": "a boolean",
    "collection": "a collection",
}


def _what(placeholder: object, bound: tuple[str, str]) -> str:
    type_text, found = bound
    return f"{placeholder} ({one_line(type_text)}: {_CLASS_NOUNS[found]})"


def _bound_types(ctx: PatternContext, attr: str, kind: str | None, operand: KeyTemplate) -> Iterator[str]:
    for placeholder in operand.placeholders:
        bound = ctx.binding_class(placeholder)
        record = ctx.record_of(placeholder) if bound is not None and bound[1] == "unknown" else None
        if record is not None:
            type_name, fields = record
            ordered = sorted(fields, key=lambda f: (f.replace("_", "").lower() != placeholder.root.replace("_", ""), f))
            shown = ", ".join(sorted(fields)[:8]) + (", ..." if len(fields) > 8 else "")
            example = f"{{{placeholder.root}.{ordered[0]}}}" if ordered else f"{{{placeholder.root}.<field>}}"
            yield (
                f"{ctx.subject}: key {quote(attr)} is bound to {placeholder}, a whole {type_name} (a record with "
                f"fields {shown or 'none'}); name the field the key part stands for, e.g. {example}"
            )
            continue
        if bound is None or bound[1] == "unknown":
            continue
        if bound[1] == "collection" and not ctx.in_many:
            yield (
                f"{ctx.subject}: key {quote(attr)} is bound to {_what(placeholder, bound)}; a key part takes "
                "one value, so this is one request per element: declare a BatchGetItem (or steps), or key "
                "the method on a single value"
            )
        elif kind in _FITS and operand.is_single_placeholder and bound[1] not in (*_FITS[kind], "collection"):
            wanted = {"N": "a number (N)", "B": "binary (B)"}[kind]
            should = {"N": "an integer or decimal parameter", "B": "a bytes parameter"}[kind]
            yield (
                f"{ctx.subject}: key {quote(attr)} is {wanted} but is bound to {_what(placeholder, bound)}; "
                f"bind it to {should}, or change the attribute's type"
            )


# What carries a position between pages: a parameter named or typed like a cursor, or a return
# type that hands one back (a page, a tuple with a token, a lazy stream the caller pulls from).
_CURSOR_NAME = re.compile(
    r"cursor|token|start|after|before|page|next|continu|marker|resume|last_?(?:evaluated|key|seen)|from_?key|offset",
    re.IGNORECASE,
)
_CURSOR_TYPE = re.compile(r"Cursor|Token|StartKey|LastEvaluatedKey|Continuation|Pagination|PageRequest|Marker")
_CURSOR_RETURN = re.compile(
    r"Page\b|Paged|Paginat|Cursor|Token|Continuation|LastEvaluatedKey|next\w*\??:|Stream|Iterator|AsyncIterable|"
    r"Generator|Connection\b"
)


def _tuple_of_several(type_text: str) -> bool:
    """`(Vec<T>, Option<Cursor>)`, `tuple[list[T], str | None]`, `[T[], string?]`: more than one
    element at the outermost tuple, however deep it sits in Result<...>."""
    start = re.search(r"\(|\btuple\[|\bTuple\[|^\[|<\s*\[|Promise<\s*\[", type_text)
    if start is None:
        return False
    depth = 0
    for char in type_text[start.end() :]:
        if char in "(<[{":
            depth += 1
        elif char in ")>]}":
            if depth == 0:
                return False
            depth -= 1
        elif char == "," and depth == 0:
            return True
    return False


# Wrappers a Rust return type's value is seen through: `Result<T, E>`, `Option<T>`, `Box<T>`, ...
_VALUE_WRAPPER = re.compile(r"(?:(?:std|core|alloc)::\w+::)?(?:Result|Option|Box|Pin|Arc|Rc)<(.*)>\Z", re.DOTALL)
_FUTURE_OUTPUT = re.compile(r"(?:impl|dyn)\s+(?:[\w:]+::)?Future\s*<\s*Output\s*=\s*(.*)>\Z", re.DOTALL)
_ASSOCIATED = re.compile(r"Self\s*::\s*\w+\Z")


def _first_argument(arguments: str, separator: str = ",") -> str:
    """The first of a generic's comma-separated arguments (commas inside `<>`, `()`, `[]` kept);
    with `separator="+"`, the first of a type's bounds (`dyn Future<Output = T> + Send`)."""
    depth = 0
    for at, char in enumerate(arguments):
        if char in "<([":
            depth += 1
        elif char in ">)]":
            depth -= 1
        elif char == separator and depth == 0:
            return arguments[:at]
    return arguments


def _associated_value(method: Method) -> str | None:
    """A Rust method's returned value when it is an associated type of the store (`Self::Rounds`,
    through `Result`, `Option`, `Box`, `Pin`, `Arc`, `Rc` and `Future<Output = ...>`): whether it is a collection
    is decided by each implementation, which the gate does not read. None otherwise. At most eight
    wrappers deep (`Pin<Box<dyn Future<Output = Result<Option<Self::T>, E>> + Send>>` is five)."""
    if not written_in(method.location.path, "rust") or not method.return_type or method.returns_collection:
        return None
    value = method.return_type.strip()
    for _ in range(_MAX_WRAPPERS):
        wrapped = _wrapped(value)
        if wrapped is None:
            break
        value = wrapped
    else:
        if _wrapped(value) is not None:  # deeper than the gate looks: what it holds is undecided
            return TOO_DEEP
    return "".join(value.split()) if _ASSOCIATED.match(value) else None


_MAX_WRAPPERS = 8  # each step reads the type's text again: the bound keeps a hostile type linear
TOO_DEEP = "..."  # _associated_value's answer for a type wrapped deeper than it looks


def _wrapped(value: str) -> str | None:
    """What a `Result`, `Option`, `Box`, `Pin` or `Future<Output = ...>` holds; None for other types."""
    wrapped = _VALUE_WRAPPER.match(value) or _FUTURE_OUTPUT.match(_first_argument(value, "+").strip())
    return _first_argument(wrapped.group(1)).strip() if wrapped else None


def carries_cursor(method: Method) -> bool:
    """Does the method take a start key, or hand the next one back (or a stream)?"""
    for parameter in method.parameters:
        if (parameter.name and _CURSOR_NAME.search(parameter.name)) or _CURSOR_TYPE.search(parameter.type):
            return True
    returned = method.return_type or ""
    return bool(_CURSOR_RETURN.search(returned)) or _tuple_of_several(returned)


def query_unpaginated(ctx: PatternContext) -> Iterator[str]:
    """SG209: a Query that returns a collection is bounded per call - by a limit of at most a
    page, or by a cursor the caller passes in and gets back. `page = "cursor"` on a method that
    takes no cursor and returns none drains every page in one call."""
    pattern = ctx.pattern
    if pattern.op != "Query":
        return
    if isinstance(pattern.limit, int) and pattern.limit > MAX_PAGE_ITEMS:
        yield (
            f"{ctx.subject}: limit = {pattern.limit} is above {MAX_PAGE_ITEMS:,} items per page; a page that large "
            'is a bulk read: page with page = "cursor" and a limit of at most 1,000'
        )
    elif ctx.method.returns_collection and pattern.page is None and pattern.limit is None:
        yield (
            f"{ctx.subject} returns a collection ({one_line(ctx.method.return_type or '')}) from a Query with neither "
            'page = "cursor" nor limit; a Query returns at most 1 MB per call: add page = "cursor" or limit = N'
        )
    elif pattern.page is None and pattern.limit is None and (associated := _associated_value(ctx.method)):
        what = (
            f"{one_line(ctx.method.return_type or '')}, wrapped deeper than the gate looks ({_MAX_WRAPPERS} of "
            "Result, Option, Box, Pin, Arc, Rc, Future)"
            if associated == TOO_DEEP
            else f"{associated}, an associated type whose definition (in each implementation) the gate does not read"
        )
        yield (
            f'{ctx.subject} returns {what}, from a Query with neither page = "cursor" nor limit; it may be a '
            'collection, and a Query returns at most 1 MB per call: add page = "cursor" or limit = N (limit = 1 for a '
            "single item)"
        )
    elif pattern.page == "cursor" and pattern.limit is None and not carries_cursor(ctx.method):
        returned = one_line(ctx.method.return_type) if ctx.method.return_type else "nothing"
        yield (
            f'{ctx.subject}: page = "cursor", but the method takes no cursor and returns none (it returns '
            f"{returned}), so it reads every page in one call; take the start key as a parameter (after: "
            "Option<Cursor>) and return the next one (Page<T>, or the items with a token), return a stream, "
            "or declare limit = N"
        )


def partition_key_constant(ctx: PatternContext) -> Iterator[str]:
    """SG210 (on a GSI, a Query with a constant partition key is SG202)"""
    constant = _constant_partition(ctx)
    if constant is None or ctx.index is None or (ctx.index.kind == "gsi" and ctx.pattern.op == "Query"):
        return
    yield (
        f"{ctx.subject}: partition key {ctx.index.partition_key.name} = {quote(constant)} has no placeholder, so "
        "every call lands on one partition (a hot key); put a parameter into it"
    )


def ttl_not_enabled(project: Project) -> Iterator[Finding]:
    """SG213: a method that deletes by Time to Live, on a table with no TTL attribute."""
    for method in project.methods:
        declaration = project.declaration(method)
        if declaration is None or declaration.pattern.expiry != "ttl":
            continue
        name = project.table_name(method.trait, declaration.pattern)
        schema = project.schema_of(name)
        if schema is not None and schema.ttl_attribute is None:
            table = "the table" if name is None else f'the table "{name}"'
            key = "table" if name is None else f"tables.{name}"
            yield SG213.at(
                declaration.location,
                f'{method.qualified_name} declares expiry = "ttl", but {table} has no Time to Live attribute: its '
                f"items never expire; enable TTL in the infrastructure (TimeToLiveSpecification, a Terraform ttl "
                f'block) or declare [{key}] ttl = "attribute"',
                method.trait,
                method.name,
            )


# DynamoDB legality of one access pattern: an error here is the gate itself, never lowered.
SG201 = Rule(
    "SG201",
    "index-undefined",
    "error",
    "The index is not defined on the table.",
    lowerable=False,
    pattern=index_undefined,
)
SG202 = Rule(
    "SG202",
    "operation-unbounded",
    "error",
    "The operation is not a bounded one (Scan, PartiQL).",
    lowerable=False,
    pattern=operation_unbounded,
)
SG203 = Rule(
    "SG203",
    "operation-index-mismatch",
    "error",
    "The operation cannot run on that index.",
    lowerable=False,
    pattern=operation_index_mismatch,
)
SG204 = Rule(
    "SG204",
    "primary-key-incomplete",
    "error",
    "A single-item operation lacks the full primary key.",
    lowerable=False,
    pattern=primary_key_incomplete,
)
SG205 = Rule(
    "SG205",
    "key-condition-invalid",
    "error",
    "The key condition is not a valid KeyConditionExpression.",
    lowerable=False,
    pattern=key_condition_invalid,
)
SG206 = Rule(
    "SG206",
    "key-placeholder-unbound",
    "error",
    "A key placeholder does not bind to a parameter of the method.",
    lowerable=False,
    pattern=key_placeholder_unbound,
)
SG207 = Rule(
    "SG207",
    "consistent-read-on-gsi",
    "error",
    "A strongly consistent read on a GSI.",
    lowerable=False,
    pattern=consistent_read_on_gsi,
)
SG208 = Rule(
    "SG208",
    "key-template-type-mismatch",
    "error",
    "A key template does not fit its attribute's type.",
    lowerable=False,
    pattern=key_template_type_mismatch,
)
SG209 = Rule(
    "SG209",
    "query-unpaginated",
    "error",
    "A Query returning a collection has neither a page cursor nor a limit.",
    lowerable=False,
    pattern=query_unpaginated,
)
SG210 = Rule(
    "SG210",
    "partition-key-constant",
    "warning",
    "A partition key template with no placeholder: every call lands on one partition.",
    pattern=partition_key_constant,
)
SG213 = Rule(
    "SG213",
    "ttl-not-enabled",
    "error",
    "A method declares deletion by Time to Live on a table without a TTL attribute.",
    lowerable=False,
    project=ttl_not_enabled,
)
