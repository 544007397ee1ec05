"""pynamodb models: `Model` subclasses (`class Meta: table_name`, attributes with `hash_key=True`
/ `range_key=True`), their `GlobalSecondaryIndex` / `LocalSecondaryIndex` classes (`class Meta:
index_name, projection`), read with Python's own parser (`ast`) - never imported or run.

A `.py` file holds pynamodb models for the gate when it imports from `pynamodb`. Classes are
followed through the file only: a model's base classes, its `Meta`'s bases, a custom attribute
class (`class KeyAttribute(UnicodeAttribute)`), an index class - when they are defined in the same
file or are pynamodb's own. What is imported from elsewhere is never guessed: a key whose type
cannot be known is an ImportProblem, an index of a class defined elsewhere is a note.

Several models with one `table_name` are single-table design: each model that no other model of
the file extends is an entity, named after its class. Its layout has the table's and indexes'
key attributes it declares; a key's template is what the code shows literally - a string
`default` (a constant, `"METADATA"`), a literal `prefix=` argument (`KeyAttribute(prefix="USER#")`
gives `USER#{pk}`) or a `Meta` entry `<attribute>_prefix` - and otherwise a bare placeholder (any
value), which the notes name.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Any, Optional

from store_gate.keytemplate import KeyTemplate
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem, Incomplete
from store_gate.schema.importers.limits import MAX_NESTING, MAX_NUMBER_DIGITS, cap, quote, too_deep, too_long
from store_gate.schema.table import IndexKind, IndexSchema, KeySchemaAttribute, Projection, TableSchema

_ATTRIBUTE_TYPES = {
    "UnicodeAttribute": "S",
    "NumberAttribute": "N",
    "BinaryAttribute": "B",
    "UTCDateTimeAttribute": "S",  # stored as a string
    "JSONAttribute": "S",
    "DiscriminatorAttribute": "S",
    "VersionAttribute": "N",
    "TTLAttribute": "N",
}
_OTHER_ATTRIBUTES = frozenset(
    {
        "Attribute",
        "BooleanAttribute",
        "MapAttribute",
        "DynamicMapAttribute",
        "ListAttribute",
        "UnicodeSetAttribute",
        "NumberSetAttribute",
        "BinarySetAttribute",
        "NullAttribute",
        "UnicodeEnumAttribute",
    }
)
_INDEXES: dict[str, IndexKind] = {"GlobalSecondaryIndex": "gsi", "LocalSecondaryIndex": "lsi"}
_PROJECTIONS = {"AllProjection": "ALL", "KeysOnlyProjection": "KEYS_ONLY", "IncludeProjection": "INCLUDE"}
_PACKAGE = "pynamodb"
DECLARE = "declare [table] in the manifest instead"


def mentions(text: str) -> bool:
    return _PACKAGE in text


# Parsing, within bounds ----------------------------------------------------------------------

_LONG_DIGITS = re.compile(rf"\d[\d_]{{{MAX_NUMBER_DIGITS},}}")


def _check_numbers(text: str) -> None:
    """Refuse a number literal longer than MAX_NUMBER_DIGITS before the parser converts it (a
    long run of digits inside a string or a comment is no number: tokens tell them apart)."""
    if _LONG_DIGITS.search(text) is None:
        return
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NUMBER and len(token.string) > MAX_NUMBER_DIGITS:
                raise too_long(len(token.string), token.start[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return  # the parser reports it


def parse(text: str) -> ast.Module:
    _check_numbers(text)
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        line = exc.lineno
        if exc.msg and "too many nested" in exc.msg:
            raise too_deep(line) from None
        where = f" at line {line}" if line else ""
        raise ImportProblem(f"Python syntax error{where}: {exc.msg}", line=line) from None
    except (RecursionError, MemoryError):
        raise too_deep(None) from None
    except ValueError as exc:  # null bytes (before Python 3.12), integer limits
        raise ImportProblem(f"Python: {str(exc).splitlines()[0] if str(exc) else 'cannot be parsed'}") from None


# Names: what the file imports from pynamodb ----------------------------------------------------


@dataclass
class Imports:
    names: dict[str, str] = field(default_factory=dict)  # local name -> pynamodb's export
    modules: set[str] = field(default_factory=set)  # local names of pynamodb or its modules
    elsewhere: dict[str, str] = field(default_factory=dict)  # local name -> the module it comes from

    @property
    def found(self) -> bool:
        return bool(self.names or self.modules)

    def export(self, chain: tuple[str, ...]) -> str | None:
        if len(chain) == 1:
            return self.names.get(chain[0])
        if chain[0] in self.modules:
            return chain[-1]
        return None


def _imports(tree: ast.Module) -> Imports:
    imports = Imports()
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom):
            module = statement.module or ""
            inside = statement.level == 0 and (module == _PACKAGE or module.startswith(_PACKAGE + "."))
            for alias in statement.names:
                local = alias.asname or alias.name
                if inside and module == _PACKAGE:
                    imports.modules.add(local)  # from pynamodb import models
                elif inside:
                    imports.names[local] = alias.name
                else:
                    imports.elsewhere[local] = "." * statement.level + module
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name == _PACKAGE or alias.name.startswith(_PACKAGE + "."):
                    imports.modules.add(alias.asname or alias.name.split(".")[0])
                else:
                    imports.elsewhere[alias.asname or alias.name.split(".")[0]] = alias.name
    return imports


def _chain(node: ast.expr) -> tuple[str, ...] | None:
    parts: list[str] = []
    for _ in range(MAX_NESTING):
        if isinstance(node, ast.Name):
            parts.append(node.id)
            return tuple(reversed(parts))
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
            continue
        if isinstance(node, ast.Subscript):  # GlobalSecondaryIndex["User"]
            node = node.value
            continue
        return None
    return None


def _shown(node: ast.AST) -> str:
    try:
        return cap(" ".join(ast.unparse(node).split()))
    except (RecursionError, ValueError, AttributeError):
        return "(an expression)"


# The classes of the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a class (or a name used as one) is: pynamodb's own (`export`), a class of this file
    (`local`), or unknown (`origin` says where it comes from)."""

    export: str | None = None
    local: str | None = None
    origin: str | None = None


@dataclass
class AttributeDef:
    python: str
    name: str  # the DynamoDB attribute name (attr_name, else the Python name)
    type: str | None  # S, N, B; None when not a key type
    cls: str
    hash_key: bool
    range_key: bool
    default: str | None
    prefix: str | None
    line: int


@dataclass
class IndexUse:
    python: str
    cls: str
    local: bool
    line: int


class Module:
    """The file's classes, and what each is, followed through the file."""

    def __init__(self, tree: ast.Module, imports: Imports) -> None:
        self.imports = imports
        self.classes: dict[str, ast.ClassDef] = {}
        for statement in tree.body:
            if isinstance(statement, ast.ClassDef):
                self.classes[statement.name] = statement  # a later definition replaces an earlier one
        self.shown: dict[int, str] = {}  # a Meta class -> how a key path names it: `User.Meta`
        for name, cls in self.classes.items():
            self.shown[id(cls)] = name
            for statement in cls.body:
                if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
                    self.shown[id(statement)] = f"{name}.Meta"

    def kind(self, node: ast.expr) -> Kind:
        chain = _chain(node)
        if chain is None:
            return Kind(origin="an expression")
        if len(chain) == 1 and chain[0] in self.classes:
            return Kind(local=chain[0])
        export = self.imports.export(chain)
        if export is not None:
            return Kind(export=export)
        origin = self.imports.elsewhere.get(chain[0])
        return Kind(origin=f"imported from {origin}" if origin else "not defined in this file")

    def ancestry(self, name: str) -> list[str]:
        """The class and its local bases, in lookup order (depth first, left to right)."""
        order: list[str] = []
        stack = [name]
        while stack and len(order) < MAX_NESTING:
            current = stack.pop(0)
            if current in order or current not in self.classes:
                continue
            order.append(current)
            stack[0:0] = [k.local for k in map(self.kind, self.classes[current].bases) if k.local]
        return order

    def root_export(self, name: str) -> tuple[str | None, Kind | None]:
        """pynamodb's class that `name` derives from (Model, GlobalSecondaryIndex, an attribute
        class), and the first base that is neither local nor pynamodb's."""
        unknown: Kind | None = None
        for current in self.ancestry(name):
            for base in self.classes[current].bases:
                kind = self.kind(base)
                if kind.export is not None:
                    return kind.export, None
                if kind.local is None and unknown is None:
                    unknown = kind
        return None, unknown

    def meta(self, name: str, depth: int = 0) -> list[ast.ClassDef]:
        """The `Meta` classes a class sees, in lookup order: its own (with its own bases), else
        its bases'."""
        if depth > MAX_NESTING:
            return []
        for current in self.ancestry(name):
            found = next(
                (s for s in self.classes[current].body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None
            )
            if found is not None:
                return self._meta_chain(found, depth)
        return []

    def _meta_chain(self, meta: ast.ClassDef, depth: int) -> list[ast.ClassDef]:
        chain = [meta]
        queue = list(meta.bases)
        while queue and len(chain) < MAX_NESTING:
            base = queue.pop(0)
            parts = _chain(base)
            target: ast.ClassDef | None = None
            if parts and len(parts) == 1 and parts[0] in self.classes:
                target = self.classes[parts[0]]
            elif parts and len(parts) == 2 and parts[1] == "Meta" and parts[0] in self.classes:
                metas = self.meta(parts[0], depth + 1)
                target = metas[0] if metas else None
            if target is not None and target not in chain:
                chain.append(target)
                queue.extend(target.bases)
        return chain

    def meta_value(self, name: str, key: str) -> tuple[ast.expr, str] | None:
        """A `Meta` entry's value as written, with the Meta holding it as a key path names it."""
        for meta in self.meta(name):
            for statement in meta.body:
                value = _assigned(statement, key)
                if value is not None:
                    return value, self.shown.get(id(meta), meta.name)
        return None

    def assignments(self, name: str) -> list[tuple[str, ast.expr, str]]:
        """The class-level assignments a class sees (its own first), with the class holding each."""
        seen: set[str] = set()
        found = []
        for current in self.ancestry(name):
            for statement in self.classes[current].body:
                target, value = _target(statement)
                if target is not None and value is not None and target not in seen:
                    seen.add(target)
                    found.append((target, value, current))
        return found


def _target(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value is not None:
        return statement.target.id, statement.value
    return None, None


def _assigned(statement: ast.stmt, key: str) -> ast.expr | None:
    target, value = _target(statement)
    return value if target == key else None


def _literal(node: ast.expr | None) -> Any:
    """A constant's value (str, int, float, bool, None); `...` for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    return ...


# Reading the models ---------------------------------------------------------------------------


@dataclass
class Model:
    name: str
    line: int
    table: str | None  # the literal table_name
    table_key: Any  # what groups models into tables: ("name", ...), ("expression", ...) or None
    table_note: str | None
    attributes: dict[str, AttributeDef]  # by DynamoDB name
    indexes: list[IndexUse]
    notes: list[str]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


class Reader:
    def __init__(self, module: Module) -> None:
        self.module = module

    def problem(self, path: str, message: str, line: int | None) -> ImportProblem:
        return ImportProblem(f"{path}: {message}", path, line)

    def attribute_type(self, cls_node: ast.expr) -> tuple[str | None, str, Kind]:
        """(S / N / B or None, the pynamodb class it derives from or '', the kind of name)."""
        kind = self.module.kind(cls_node)
        if kind.export is not None:
            return _ATTRIBUTE_TYPES.get(kind.export), kind.export, kind
        if kind.local is not None:
            root, _ = self.module.root_export(kind.local)
            if root is not None:
                return _ATTRIBUTE_TYPES.get(root), root, kind
        return None, "", kind

    def is_attribute(self, root: str) -> bool:
        return root in _ATTRIBUTE_TYPES or root in _OTHER_ATTRIBUTES or root.endswith("Attribute")

    def flag(self, call: ast.Call, name: str, path: str) -> bool:
        node = _keyword(call, name)
        if node is None:
            return False
        value = _literal(node)
        if isinstance(value, bool):
            return value
        raise self.problem(
            path,
            f"{name} is not literal ({_shown(node)}); the key cannot be read - {DECLARE}",
            node.lineno,
        )

    def attribute(self, owner: str, python: str, call: ast.Call, prefixes: dict[str, str]) -> AttributeDef | None:
        kind_type, root, kind = self.attribute_type(call.func)
        path = f"{owner}.{python}"
        hash_key = self.flag(call, "hash_key", path)
        range_key = self.flag(call, "range_key", path)
        if not root:
            if hash_key or range_key:
                role = "hash_key" if hash_key else "range_key"
                raise self.problem(
                    path,
                    f"the {role} attribute's class {_shown(call.func)} is {kind.origin}: its type cannot be known "
                    "(define it in this file, deriving from a pynamodb attribute class)",
                    call.lineno,
                )
            return None
        if not self.is_attribute(root):
            return None
        name = python
        attr_name = _keyword(call, "attr_name")
        if attr_name is not None:
            value = _literal(attr_name)
            if not isinstance(value, str) or not value:
                if hash_key or range_key:
                    raise self.problem(
                        path,
                        f"attr_name is not literal ({_shown(attr_name)}); the key cannot be read - {DECLARE}",
                        call.lineno,
                    )
                return None
            name = value
        if (hash_key or range_key) and kind_type is None:
            raise self.problem(path, f"a key attribute must be a string, number or binary, not {root}", call.lineno)
        default = _literal(_keyword(call, "default"))
        if not isinstance(default, str):
            default = _literal(_keyword(call, "default_for_new"))
        prefix = _literal(_keyword(call, "prefix"))
        return AttributeDef(
            python,
            name,
            kind_type,
            root,
            hash_key,
            range_key,
            default if isinstance(default, str) else None,
            prefix if isinstance(prefix, str) and prefix else prefixes.get(python),
            call.lineno,
        )

    def members(self, name: str, prefixes: dict[str, str]) -> tuple[dict[str, AttributeDef], list[IndexUse], list[str]]:
        attributes: dict[str, AttributeDef] = {}
        indexes: list[IndexUse] = []
        notes: list[str] = []
        for python, value, _holder in self.module.assignments(name):
            if not isinstance(value, ast.Call):
                continue
            kind = self.module.kind(value.func)
            if kind.local is not None:
                root, _ = self.module.root_export(kind.local)
                if root in _INDEXES:
                    indexes.append(IndexUse(python, kind.local, True, value.lineno))
                    continue
            elif kind.export in _INDEXES:
                continue
            attribute = self.attribute(name, python, value, prefixes)
            if attribute is not None:
                attributes.setdefault(attribute.name, attribute)
            elif kind.origin is not None and kind.origin != "an expression" and not value.args:
                notes.append(
                    f"{name}.{python} = {_shown(value)}: {_shown(value.func)} is {kind.origin}; if it is an index, "
                    "it is not read"
                )
        return attributes, indexes, notes

    def prefixes(self, name: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for meta in self.module.meta(name):
            for statement in meta.body:
                target, value = _target(statement)
                literal = _literal(value)
                if target and target.endswith("_prefix") and isinstance(literal, str) and literal:
                    found.setdefault(target[: -len("_prefix")], literal)
        return found

    def model(self, name: str) -> Model:
        cls = self.module.classes[name]
        prefixes = self.prefixes(name)
        attributes, indexes, notes = self.members(name, prefixes)
        table_name = self.module.meta_value(name, "table_name")
        table: str | None = None
        key: Any = None
        note = None
        if table_name is not None:
            value, holder = table_name
            literal = _literal(value)
            if isinstance(literal, str) and literal:
                table, key = literal, ("name", literal)
            else:
                shown = _shown(value)
                key = ("expression", shown)
                note = (
                    f"{holder}.table_name: the name is not static ({shown}); the models that write the same "
                    "expression are read as one table"
                )
        return Model(name, cls.lineno, table, key, note, attributes, indexes, notes)

    def index(self, use: IndexUse, owner: str, partition: KeySchemaAttribute, notes: list[str]) -> IndexSchema:
        root, _ = self.module.root_export(use.cls)
        kind = _INDEXES[root or "GlobalSecondaryIndex"]
        path = f"{owner}.{use.python}"
        name_entry = self.module.meta_value(use.cls, "index_name")
        if name_entry is None:
            index_name = use.python  # pynamodb names an index after its attribute by default
        else:
            literal = _literal(name_entry[0])
            if not isinstance(literal, str) or not literal:
                raise self.problem(
                    f"{name_entry[1]}.index_name",
                    f"not literal ({_shown(name_entry[0])}); the index cannot be read - {DECLARE}",
                    name_entry[0].lineno,
                )
            index_name = literal
        label = f"{kind.upper()} {quote(index_name)}"
        attributes, _, _ = self.members(use.cls, {})
        hashes = [a for a in attributes.values() if a.hash_key]
        ranges = [a for a in attributes.values() if a.range_key]
        for role, found in (("hash_key", hashes), ("range_key", ranges)):
            if len(found) > 1:
                if kind == "gsi":
                    raise self.problem(
                        use.cls,
                        f"{label} has a multi-attribute key ({len(found)} {role} attributes), which the gate does not "
                        "read from pynamodb models; declare the GSI in the manifest with partition_keys / sort_keys",
                        found[1].line,
                    )
                raise self.problem(
                    use.cls, f"{label} has {len(found)} {role} attributes; an LSI has one", found[1].line
                )

        def key(attribute: AttributeDef) -> KeySchemaAttribute:
            return KeySchemaAttribute(attribute.name, attribute.type)  # type: ignore[arg-type]

        if kind == "gsi":
            if not hashes:
                line = self.module.classes[use.cls].lineno
                raise self.problem(use.cls, f"{label} has no hash_key=True attribute", line)
            index_pk = key(hashes[0])
        else:
            index_pk = partition
            if hashes and key(hashes[0]) != partition:
                raise self.problem(use.cls, f"{label} does not use the table's partition key", hashes[0].line)
        index_sk = key(ranges[0]) if ranges else None
        if kind == "lsi" and index_sk is None:
            raise self.problem(use.cls, f"{label} has no range_key=True attribute", self.module.classes[use.cls].lineno)
        return IndexSchema(index_name, kind, index_pk, index_sk, self.projection(use.cls, label, path, notes))

    def projection(self, cls: str, label: str, path: str, notes: list[str]) -> Projection:
        entry = self.module.meta_value(cls, "projection")
        if entry is None:
            notes.append(
                Incomplete(
                    f"{path}: {label} has no Meta.projection, which pynamodb requires; its projection is unknown"
                )
            )
            return Projection("UNSPECIFIED")
        value, holder = entry
        where = f"{holder}.projection"
        kind = self.module.kind(value.func) if isinstance(value, ast.Call) else None
        projection = _PROJECTIONS.get(kind.export or "") if kind is not None else None
        if kind is not None and kind.local is not None:
            root, _ = self.module.root_export(kind.local)
            projection = _PROJECTIONS.get(root or "")
        if projection is None or not isinstance(value, ast.Call):
            raise self.problem(
                where,
                f"not literal ({_shown(value)}); expected AllProjection(), KeysOnlyProjection() or "
                "IncludeProjection([...])",
                value.lineno,
            )
        if projection != "INCLUDE":
            return Projection(projection)  # type: ignore[arg-type]
        argument = value.args[0] if value.args else _keyword(value, "non_attr_keys")
        if argument is None:
            return Projection("INCLUDE")
        if not isinstance(argument, (ast.List, ast.Tuple)):
            raise self.problem(where, f"the attributes are not literal ({_shown(argument)})", argument.lineno)
        include = []
        for element in argument.elts:
            literal = _literal(element)
            if not isinstance(literal, str):
                raise self.problem(where, f"an attribute name is not literal ({_shown(element)})", element.lineno)
            include.append(literal)
        return Projection("INCLUDE", tuple(include))


def _placeholder(attribute: str) -> str:
    return re.sub(r"\W+", "_", attribute).strip("_").lower() or "key"


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@dataclass
class Table:
    key: Any
    models: list[Model]
    bases: dict[str, list[str]]  # a base model -> the models extending it


def candidates(text: str, shown: str) -> Optional[list[Candidate]]:
    """The tables of a models module; None when the file does not import pynamodb."""
    if not mentions(text):
        return None
    tree = parse(text)
    imports = _imports(tree)
    if not imports.found:
        return None
    module = Module(tree, imports)
    models = [name for name in module.classes if module.root_export(name)[0] == "Model"]
    if not models:
        unknown = [
            f"{name} (extends {_shown(module.classes[name].bases[0])}, {module.root_export(name)[1].origin})"  # type: ignore[union-attr]
            for name in module.classes
            if module.root_export(name)[0] is None
            and module.root_export(name)[1] is not None
            and module.classes[name].bases
            and any(isinstance(s, ast.ClassDef) and s.name == "Meta" for s in module.classes[name].body)
        ]
        more = f"; classes with a Meta whose base the gate cannot follow: {', '.join(unknown[:5])}" if unknown else ""
        raise ImportProblem(
            "imports pynamodb but defines no Model subclass the gate can see (a class deriving from "
            f"pynamodb.models.Model in this file){more}"
        )
    extended: dict[str, list[str]] = {}
    for name in models:
        for base in module.ancestry(name)[1:]:
            if base in models:
                extended.setdefault(base, []).append(name)
    reader = Reader(module)
    tables: dict[Any, Table] = {}
    for name in models:
        if name in extended:
            continue
        model = reader.model(name)
        table = tables.setdefault(repr(model.table_key), Table(model.table_key, [], {}))
        table.models.append(model)
    for base, children in extended.items():
        for table in tables.values():
            if any(m.name in children for m in table.models):
                table.bases[base] = [c for c in children if c not in extended]
    found = []
    for table in tables.values():
        first = table.models[0]
        resource = next(iter(table.bases), first.name) if table.bases else first.name
        found.append(Candidate(resource, first.table, first.line, _reader(reader, table, resource, shown)))
    return found


def _reader(reader: Reader, table: Table, resource: str, shown: str) -> Any:
    def read() -> ImportedTable:
        schema, entities, notes = _table(reader, table)
        return ImportedTable(schema, shown, resource, "pynamodb models", notes, entities)

    return read


def _key_of(model: Model, role: str) -> AttributeDef | None:
    found = [a for a in model.attributes.values() if (a.hash_key if role == "hash" else a.range_key)]
    if len(found) > 1:
        raise ImportProblem(
            f"{model.name}: {len(found)} attributes have {role}_key=True ({', '.join(a.python for a in found)}); "
            "a table has one",
            model.name,
            found[1].line,
        )
    return found[0] if found else None


def _table(reader: Reader, table: Table) -> tuple[TableSchema, dict[str, dict[str, KeyTemplate]], list[str]]:
    notes: list[str] = []
    first = table.models[0]
    if first.table_note:
        notes.append(first.table_note)
    if first.table_key is None:
        notes.append(f"{first.name} has no Meta.table_name; the table is known by its model")
    partition: KeySchemaAttribute | None = None
    sort: KeySchemaAttribute | None = None
    owner = ""
    for model in table.models:
        hash_key, range_key = _key_of(model, "hash"), _key_of(model, "range")
        if hash_key is None:
            raise ImportProblem(f"{model.name}: no attribute has hash_key=True", model.name, model.line)
        mine = KeySchemaAttribute(hash_key.name, hash_key.type)  # type: ignore[arg-type]
        my_sort = KeySchemaAttribute(range_key.name, range_key.type) if range_key else None  # type: ignore[arg-type]
        if partition is None:
            partition, sort, owner = mine, my_sort, model.name
        elif (mine, my_sort) != (partition, sort):

            def keys(pk: KeySchemaAttribute, sk: KeySchemaAttribute | None) -> str:
                return f"{pk}" + (f" / {sk}" if sk else "")

            raise ImportProblem(
                f"{model.name}: models {owner} and {model.name} share a table but their keys differ "
                f"({keys(partition, sort)} and {keys(mine, my_sort)})",
                model.name,
                model.line,
            )
    assert partition is not None
    indexes: dict[str, IndexSchema] = {}
    for model in table.models:
        notes.extend(model.notes)
        for use in model.indexes:
            index = reader.index(use, model.name, partition, notes)
            assert index.name is not None
            if index.name in indexes and indexes[index.name] != index:
                raise ImportProblem(
                    f"{model.name}.{use.python}: index {quote(index.name)} is defined twice, differently",
                    f"{model.name}.{use.python}",
                    use.line,
                )
            indexes[index.name] = index
    # pynamodb enables Time to Live for a model's TTLAttribute (one per model).
    ttls = sorted({a.name for model in table.models for a in model.attributes.values() if a.cls == "TTLAttribute"})
    if len(ttls) > 1:
        notes.append(
            f"the models sharing the table have different TTLAttributes ({', '.join(ttls)}), and a table has one: "
            "Time to Live is taken as off"
        )
    schema = TableSchema(
        first.table,
        IndexSchema(None, "table", partition, sort),
        indexes,
        ttl_attribute=ttls[0] if len(ttls) == 1 else None,
    )
    for base, children in table.bases.items():
        notes.append(f"{base} is extended by {', '.join(children)}: read as their base, not as an entity")
    entities: dict[str, dict[str, KeyTemplate]] = {}
    if len(table.models) > 1:
        literal: list[str] = []
        bare: list[str] = []
        for model in table.models:
            layout: dict[str, KeyTemplate] = {}
            for attribute in schema.attribute_types:
                found = model.attributes.get(attribute)
                if found is None:
                    continue
                if found.prefix is not None:
                    text = _escape(found.prefix) + "{" + _placeholder(attribute) + "}"
                    literal.append(f"{model.name}.{attribute} = {quote(text)} (prefix)")
                elif found.default is not None:
                    text = _escape(found.default)
                    literal.append(f"{model.name}.{attribute} = {quote(text)} (default)")
                else:
                    text = "{" + _placeholder(attribute) + "}"
                    bare.append(f"{model.name}.{attribute}")
                layout[attribute] = KeyTemplate.parse(text)
            entities[model.name] = layout
        notes.append(
            f"entities inferred from the pynamodb models sharing the table (single-table design), named after their "
            f"classes: {', '.join(sorted(entities))}"
        )
        if literal:
            notes.append(f"key templates the code shows literally: {', '.join(literal)}")
        if bare:
            notes.append(
                f"no key template in the code for {', '.join(bare)}: a bare placeholder (any value) stands for each; "
                "declare [entity.<Model>] to give the layout"
            )
    return schema, entities, notes
