"""A declaration skeleton for an undeclared method, derived from its name, parameters and
return type and from the manifest's entities. A starting point to paste and correct: the gate
checks the pasted declaration like any other."""

from __future__ import annotations

import re

from store_gate.config.model import AccessPattern, KeyCondition
from store_gate.extract.model import Method
from store_gate.keytemplate import KeyTemplate, Placeholder
from store_gate.schema.table import TableSchema

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


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]


def _singular(word: str) -> str:
    word = word.lower()
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ses") or word.endswith("xes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _operation(method: Method) -> str:
    words = [w.lower() for w in _words(method.name)]
    for op, verbs in _VERBS:
        if words and words[0] in verbs:
            if op == "GetItem" and method.returns_collection:
                return "Query"
            return op
    return "Query" if method.returns_collection else "GetItem"


def _entity(method: Method, op: str, entities: list[str]) -> str | None:
    """The entity a method serves: named by its return type, else by its name; for writes, by
    the type of what it is given (`put_round(round: &Round)`)."""
    by_key = {e.lower().replace("_", ""): e for e in entities}
    for word in _words(method.return_type or ""):
        if word.lower() in by_key:
            return by_key[word.lower()]
    words = _words(method.name)
    for size in (3, 2, 1):  # "open_tensions" before "tensions"
        for i in range(len(words) - size + 1):
            joined = "".join(_singular(w) if j == size - 1 else w.lower() for j, w in enumerate(words[i : i + size]))
            if joined in by_key:
                return by_key[joined]
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        for word in (w for p in method.parameters for w in _words(p.type)):
            if word.lower() in by_key:
                return by_key[word.lower()]
    return None


def _bind(template: KeyTemplate, method: Method, entity: str | None) -> KeyTemplate:
    """Rename the layout's placeholders to the method's parameters where the match is clear."""
    params = method.bindable_names
    carriers = [p.name for p in method.parameters if p.name and entity and entity.lower() in p.type.lower()]
    parts: list[str | Placeholder] = []
    for part in template.parts:
        if isinstance(part, Placeholder) and part.root not in params:
            if len(carriers) == 1:
                part = Placeholder((carriers[0], *part.path))
            elif part.root.endswith("id") and "id" in params:
                part = Placeholder(("id",))
        parts.append(part)
    source = "".join(p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else str(p) for p in parts)
    try:
        return KeyTemplate.parse(source)
    except ValueError:  # a parameter no placeholder can name (`été`): the layout's own placeholders stay
        return template


def suggest(method: Method, table: TableSchema, entities: dict[str, dict[str, KeyTemplate]]) -> AccessPattern:
    op = _operation(method)
    entity = _entity(method, op, sorted(entities))
    layout = entities.get(entity, {}) if entity else {}
    key: dict[str, KeyCondition] = {}
    pk, sk = table.base.partition_key.name, table.base.sort_key.name if table.base.sort_key else None
    key[pk] = KeyCondition("eq", (_bind(layout[pk], method, entity) if pk in layout else KeyTemplate.parse("..."),))
    if sk:
        layout_sk = layout.get(sk)
        if op == "Query" and layout_sk is not None and not layout_sk.is_constant and layout_sk.literal_prefix:
            key[sk] = KeyCondition("begins_with", (KeyTemplate.parse(layout_sk.literal_prefix),))
        elif op != "Query":
            key[sk] = KeyCondition("eq", (_bind(layout_sk, method, entity) if layout_sk else KeyTemplate.parse("..."),))
    return AccessPattern(
        op=op,
        index=None,
        entity=entity,
        key=key,
        consistent=False,
        page="cursor" if op == "Query" and method.returns_collection else None,
        limit=None,
    )
