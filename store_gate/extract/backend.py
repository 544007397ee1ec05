"""What a DynamoDB backend's code does: the implementations of the governed methods in the
modules `[boundaries.backends.dynamodb] allow` names, and the DynamoDB calls in their bodies.

Read with ast-grep, never imported or run. Per language:

- Rust: `impl Trait for X` blocks; aws-sdk-dynamodb fluent builders (`.query()`, `.get_item()`,
  ... with `.index_name("...")` further along the chain).
- Python: classes naming the Protocol / ABC among their bases (else, a class defining methods of
  the store: a Protocol is structural); boto3 client and resource calls (`IndexName="..."`),
  pynamodb `Model.query/scan/get`, index attributes and item `save/update/delete`.
- TypeScript: classes that `implements` / `extends` the interface; @aws-sdk/client-dynamodb and
  lib-dynamodb commands (`new QueryCommand({ IndexName: "..." })`, paginators) and the v2
  DocumentClient methods (`.query({ TableName, ... })`).

A call to a helper defined in the same module (a free function, or a method of the same type)
is followed one level. What cannot be read - a dynamic dispatch, an index name that is not a
literal, a request built elsewhere - is recorded as opaque, for SG704 to name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from store_gate.dynamodb import DATA_OPERATIONS, PARTIQL_OPERATIONS
from store_gate.extract.model import SourceLocation
from store_gate.extract.sgnodes import named_children

# Operation names by how each SDK spells them, derived from DynamoDB's own (store_gate.dynamodb):
# boto3 and the Rust SDK in snake case (`get_item`); the JavaScript SDK v3's commands
# (`GetItemCommand`) and its DocumentClient's, without `Item`/`Items` (`GetCommand`,
# `TransactWriteCommand`); the v2 DocumentClient's methods in camel case (`get`, `getItem`).
# PartiQL is an operation like any other to compare (SG202 reports it declared; SG701 behind a Query).
_TABLE_OPERATIONS = tuple(op for op in DATA_OPERATIONS if op not in PARTIQL_OPERATIONS)


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _short(operation: str) -> str:
    """The DocumentClient's name of an operation: `GetItem` -> `Get`, `TransactWriteItems` -> `TransactWrite`."""
    return operation.removesuffix("Items").removesuffix("Item")


_SNAKE_OPS = {_snake(op): op for op in _TABLE_OPERATIONS}
_PARTIQL = {_snake(op): op for op in sorted(PARTIQL_OPERATIONS)}
_TS_COMMANDS = {f"{name}Command": op for op in _TABLE_OPERATIONS for name in (op, _short(op))}
_TS_PARTIQL = {f"{op}Command": op for op in sorted(PARTIQL_OPERATIONS)}
_TS_V2 = {name[0].lower() + name[1:]: op for op in _TABLE_OPERATIONS for name in (op, _short(op))}
_PYNAMODB_MODEL_OPS = {"query": "Query", "scan": "Scan", "get": "GetItem", "batch_get": "BatchGetItem"}
_PYNAMODB_ITEM_OPS = {"save": "PutItem", "delete": "DeleteItem", "update": "UpdateItem", "refresh": "GetItem"}
_TS_PAGINATORS = {"paginateQuery": "Query", "paginateScan": "Scan"}
_INDEX_OPS = frozenset({"Query", "Scan"})
# A literal that may be a key prefix: a name, then `#` ("DIALOGUE#", "TENANT#{}#EXPERT#").
_KEY_HEAD = re.compile(r"[A-Za-z][A-Za-z0-9_]*#")
_MAX_LITERAL = 200  # longer literals are no key prefixes (and bound the work on hostile input)


@dataclass(frozen=True)
class Call:
    """One DynamoDB operation the body issues."""

    op: str
    location: SourceLocation
    index: str | None = None  # the literal IndexName, if any
    index_opaque: str | None = None  # why the index cannot be read (None: it can)


@dataclass(frozen=True)
class KeyLiteral:
    """The literal head of a string (before its first placeholder) that looks like a key prefix."""

    head: str
    location: SourceLocation


@dataclass(frozen=True)
class Opaque:
    why: str
    location: SourceLocation


@dataclass
class Body:
    calls: list[Call] = field(default_factory=list)
    literals: list[KeyLiteral] = field(default_factory=list)
    opaque: list[Opaque] = field(default_factory=list)

    def add(self, other: Body) -> None:
        self.calls += other.calls
        self.literals += other.literals
        self.opaque += other.opaque


@dataclass
class Implementation:
    """A type that implements a governed trait (Rust), or a class that names one or more among its
    bases (Python, TypeScript; `traits` empty: a class that implements a Protocol structurally)."""

    owner: str
    traits: tuple[str, ...]
    location: SourceLocation
    methods: dict[str, Body]


def _at(path: str, node: Any) -> SourceLocation:
    start = node.range().start
    return SourceLocation(path, start.line + 1, start.column + 1)


def _key_literal(path: str, node: Any, head: str) -> KeyLiteral | None:
    if len(head) > _MAX_LITERAL or not _KEY_HEAD.match(head):
        return None
    return KeyLiteral(head, _at(path, node))


def _governed_name(text: str) -> str:
    """`crate::store::DialogueReads<T>` -> `DialogueReads`."""
    base = re.split(r"[<\[]", text, maxsplit=1)[0].strip()
    return re.split(r"::|\.", base)[-1].strip()


class _Reader:
    """What the three readers share: a helper's body is read once per file, and added once per method."""

    def __init__(self) -> None:
        self._cache: dict[int, Body] = {}
        self._seen: set[int] = set()

    def _constant(self, node: Any, constants: dict[str, str]) -> str | None:
        """A module-level string constant the node names (`INDEX`, `Self::INDEX`, `indexes.GSI1` not)."""
        return constants.get(node.text()) if node.kind() in ("identifier", "scoped_identifier") else None

    def _once(self, node: Any, read: Callable[[], Body]) -> Body:
        key = node.range().start.index
        if key in self._seen:
            return Body()
        self._seen.add(key)
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]


# -- Rust --------------------------------------------------------------------------------------


class _Rust(_Reader):
    def __init__(self, path: str, root: Any, governed_methods: frozenset[str]) -> None:
        super().__init__()
        self.constants: dict[str, str] = {}  # `const GSI1: &str = "GSI1";` (also as `Self::GSI1`)
        for item in root.find_all(any=[{"kind": "const_item"}, {"kind": "static_item"}]):
            name, value = item.field("name"), item.field("value")
            literal = _rust_string(value) if value is not None else None
            if name is not None and literal is not None:
                self.constants.setdefault(name.text(), literal)
                self.constants.setdefault(f"Self::{name.text()}", literal)
        self.path = path
        self.root = root
        self.governed_methods = governed_methods
        self.helpers: dict[str, Any] = {}
        for function in root.find_all(kind="function_item"):
            name = function.field("name")
            if name is not None:
                self.helpers.setdefault(name.text(), function)

    def implementations(self, traits: frozenset[str]) -> list[Implementation]:
        found: list[Implementation] = []
        for impl in self.root.find_all(kind="impl_item"):
            trait_node, type_node, body = impl.field("trait"), impl.field("type"), impl.field("body")
            if trait_node is None or body is None:
                continue
            trait = _governed_name(trait_node.text())
            if trait not in traits:
                continue
            methods: dict[str, Body] = {}
            for item in named_children(body):
                if item.kind() == "function_item" and item.field("name") is not None:
                    methods[item.field("name").text()] = self.body(item, follow=True)
            owner = type_node.text() if type_node is not None else "?"
            found.append(Implementation(owner, (trait,), _at(self.path, impl), methods))
        return found

    def body(self, function: Any, follow: bool) -> Body:
        if follow:
            self._seen = set()
        block = function.field("body")
        body = Body()
        if block is None:
            return body
        for call in block.find_all(kind="call_expression"):
            self._call(call, body, follow)
        for literal in block.find_all(kind="string_literal"):
            text = "".join(part.text() for part in named_children(literal) if part.kind() == "string_content")
            found = _key_literal(self.path, literal, text.split("{", 1)[0])
            if found is not None:
                body.literals.append(found)
        return body

    def _call(self, call: Any, body: Body, follow: bool) -> None:
        function, arguments = call.field("function"), call.field("arguments")
        if function is None:
            return
        kind = function.kind()
        if kind == "field_expression":
            name_node = function.field("field")
            name = name_node.text() if name_node is not None else ""
            if name in _SNAKE_OPS and arguments is not None and not named_children(arguments):
                body.calls.append(self._chain(call, _SNAKE_OPS[name]))
                return
            if name in _PARTIQL and arguments is not None and not named_children(arguments):
                body.calls.append(Call(_PARTIQL[name], _at(self.path, call)))
                return
            value = function.field("value")
            if value is not None and value.kind() == "self":
                self._helper(name, call, body, follow)
        elif kind == "identifier":
            self._helper(function.text(), call, body, follow)
        elif kind == "scoped_identifier":
            path_node, name_node = function.field("path"), function.field("name")
            if path_node is not None and path_node.text() == "Self" and name_node is not None:
                self._helper(name_node.text(), call, body, follow)

    def _helper(self, name: str, call: Any, body: Body, follow: bool) -> None:
        if not follow or name in self.governed_methods or name not in self.helpers:
            return
        helper = self.helpers[name]
        body.add(self._once(helper, lambda: self.body(helper, follow=False)))

    def _chain(self, call: Any, op: str) -> Call:
        """The builder chain after `.query()`: `.index_name("GSI1")` and the rest, up to `.send()`."""
        index: str | None = None
        opaque: str | None = None
        current = call
        while True:
            parent = current.parent()
            if parent is None or parent.kind() != "field_expression":
                break
            outer = parent.parent()
            if outer is None or outer.kind() != "call_expression":
                break
            name_node = parent.field("field")
            if name_node is not None and name_node.text() in ("index_name", "set_index_name"):
                arguments = outer.field("arguments")
                args = named_children(arguments) if arguments is not None else []
                literal = (_rust_string(args[0]) or self._constant(args[0], self.constants)) if len(args) == 1 else None
                if literal is None:
                    opaque = f"the index name {' '.join(outer.text().split())[-60:]} is not a string literal"
                else:
                    index = literal
            current = outer
        return Call(op, _at(self.path, call), index, opaque)


def _rust_string(node: Any) -> str | None:
    if node.kind() == "string_literal":
        return "".join(p.text() for p in named_children(node) if p.kind() == "string_content")
    if node.kind() == "call_expression":  # Some("GSI1") / "GSI1".to_string() / String::from("GSI1")
        arguments = node.field("arguments")
        args = named_children(arguments) if arguments is not None else []
        function = node.field("function")
        if len(args) == 1 and function is not None and function.text() in ("Some", "String::from"):
            return _rust_string(args[0])
        if not args and function is not None and function.kind() == "field_expression":
            value, method = function.field("value"), function.field("field")
            if value is not None and method is not None and method.text() in ("to_string", "to_owned", "into"):
                return _rust_string(value)
    return None


# -- Python ------------------------------------------------------------------------------------


def _py_string(node: Any) -> str | None:
    """A plain string literal's content; None for an f-string or anything else."""
    if node.kind() != "string":
        return None
    parts = named_children(node)
    if any(p.kind() == "interpolation" for p in parts):
        return None
    return "".join(p.text() for p in parts if p.kind() == "string_content")


class _Python(_Reader):
    def __init__(self, path: str, root: Any, governed_methods: frozenset[str]) -> None:
        super().__init__()
        # Module-level `GSI1 = "GSI1"`, assigned once in the file (a name rebound anywhere is no constant).
        self.constants: dict[str, str] = {}
        bound: dict[str, int] = {}
        for assignment in root.find_all(any=[{"kind": "assignment"}, {"kind": "augmented_assignment"}]):
            left = assignment.field("left")
            if left is not None and left.kind() == "identifier":
                bound[left.text()] = bound.get(left.text(), 0) + 1
        for statement in named_children(root):
            assignment = named_children(statement)[0] if statement.kind() == "expression_statement" else None
            if assignment is not None and assignment.kind() == "assignment":
                left, right = assignment.field("left"), assignment.field("right")
                literal = _py_string(right) if right is not None else None
                if left is not None and bound.get(left.text()) == 1 and literal is not None:
                    self.constants[left.text()] = literal
        self.path = path
        self.root = root
        self.governed_methods = governed_methods
        self.functions: dict[str, Any] = {}
        for child in named_children(root):
            function = _py_function(child)
            if function is not None:
                self.functions.setdefault(function.field("name").text(), function)
        self.models: set[str] = set()
        self.index_attributes: dict[str, str] = {}  # pynamodb: attribute -> index name
        self._pynamodb()
        self.uses_pynamodb = "pynamodb" in root.text()

    def _pynamodb(self) -> None:
        index_classes: dict[str, str] = {}
        classes = self.root.find_all(kind="class_definition")
        for cls in classes:
            bases = cls.field("superclasses")
            names = {_governed_name(b.text()) for b in named_children(bases)} if bases is not None else set()
            name = cls.field("name").text()
            if "Model" in names:
                self.models.add(name)
            if names & {"GlobalSecondaryIndex", "LocalSecondaryIndex"}:
                index_classes[name] = ""
                for assignment in cls.find_all(kind="assignment"):
                    left, right = assignment.field("left"), assignment.field("right")
                    if left is not None and left.text() == "index_name" and right is not None:
                        index_classes[name] = _py_string(right) or ""
        for cls in classes:
            if cls.field("name").text() not in self.models:
                continue
            for assignment in cls.find_all(kind="assignment"):
                left, right = assignment.field("left"), assignment.field("right")
                if left is None or right is None or right.kind() != "call":
                    continue
                constructor = right.field("function")
                if constructor is not None and constructor.text() in index_classes:
                    self.index_attributes[left.text()] = index_classes[constructor.text()] or left.text()

    def implementations(self, traits: frozenset[str]) -> list[Implementation]:
        found: list[Implementation] = []
        for cls in self.root.find_all(kind="class_definition"):
            bases = cls.field("superclasses")
            names = tuple(_governed_name(b.text()) for b in named_children(bases)) if bases is not None else ()
            named = tuple(n for n in names if n in traits)
            methods = {
                function.field("name").text(): function
                for function in (_py_function(c) for c in named_children(cls.field("body")))
                if function is not None
            }
            if not named and not set(methods) & self.governed_methods:
                continue
            bodies = {name: self.body(function, methods, follow=True) for name, function in methods.items()}
            found.append(Implementation(cls.field("name").text(), named, _at(self.path, cls), bodies))
        return found

    def body(self, function: Any, methods: dict[str, Any], follow: bool) -> Body:
        if follow:
            self._seen = set()
        block = function.field("body")
        body = Body()
        if block is None:
            return body
        for call in block.find_all(kind="call"):
            self._call(call, body, methods, follow)
        for string in block.find_all(kind="string"):
            head = ""
            for part in named_children(string):
                if part.kind() == "interpolation":
                    break
                if part.kind() == "string_content":
                    head += part.text()
            found = _key_literal(self.path, string, re.split(r"[{%]", head, maxsplit=1)[0])
            if found is not None:
                body.literals.append(found)
        return body

    def _call(self, call: Any, body: Body, methods: dict[str, Any], follow: bool) -> None:
        function = call.field("function")
        if function is None:
            return
        if function.kind() == "call" and (function.field("function") or function).text() == "getattr":
            body.opaque.append(Opaque(f"a dynamic dispatch ({function.text()[:60]})", _at(self.path, call)))
            return
        if function.kind() == "identifier":
            self._helper(function.text(), self.functions, body, methods, follow)
            return
        if function.kind() != "attribute":
            return
        receiver, name = function.field("object"), function.field("attribute").text()
        arguments = call.field("arguments")
        args = named_children(arguments) if arguments is not None else []
        receiver_text = receiver.text() if receiver is not None else ""
        if name in _PARTIQL:
            body.calls.append(Call(_PARTIQL[name], _at(self.path, call)))
        elif receiver_text in self.models and name in _PYNAMODB_MODEL_OPS:
            body.calls.append(Call(_PYNAMODB_MODEL_OPS[name], _at(self.path, call)))
        elif (
            receiver is not None
            and receiver.kind() == "attribute"
            and receiver.field("attribute").text() in self.index_attributes
            and name in ("query", "scan")
        ):
            index = self.index_attributes[receiver.field("attribute").text()]
            body.calls.append(Call(_SNAKE_OPS[name], _at(self.path, call), index))
        elif name in _SNAKE_OPS or name == "batch_writer":
            self._boto3(call, name, args, body)
        elif self.uses_pynamodb and name in _PYNAMODB_ITEM_OPS and receiver_text not in ("self", "cls"):
            body.calls.append(Call(_PYNAMODB_ITEM_OPS[name], _at(self.path, call)))
        elif receiver is not None and receiver.kind() == "identifier" and receiver_text in ("self", "cls"):
            self._helper(name, methods, body, methods, follow)

    def _boto3(self, call: Any, name: str, args: list[Any], body: Body) -> None:
        op = "BatchWriteItem" if name == "batch_writer" else _SNAKE_OPS[name]
        index: str | None = None
        opaque: str | None = None
        splat: str | None = None
        for arg in args:
            if arg.kind() == "dictionary_splat" and op in _INDEX_OPS:
                splat = f"its arguments come from {arg.text()[:60]}"
            if arg.kind() == "keyword_argument" and arg.field("name").text() == "IndexName":
                value = arg.field("value")
                index = (_py_string(value) or self._constant(value, self.constants)) if value is not None else None
                if index is None:
                    opaque = f"IndexName={value.text()[:60] if value is not None else ''} is not a string literal"
        # A literal IndexName= cannot be overridden by a ** splat (Python refuses the call).
        if index is None and opaque is None:
            opaque = splat
        body.calls.append(Call(op, _at(self.path, call), index, opaque))

    def _helper(self, name: str, table: dict[str, Any], body: Body, methods: dict[str, Any], follow: bool) -> None:
        if not follow or name in self.governed_methods or name not in table:
            return
        helper = table[name]
        body.add(self._once(helper, lambda: self.body(helper, methods, follow=False)))


def _py_function(node: Any) -> Any:
    if node.kind() == "decorated_definition":
        node = node.field("definition")
    return node if node is not None and node.kind() == "function_definition" else None


# -- TypeScript --------------------------------------------------------------------------------


def _ts_string(node: Any) -> str | None:
    if node.kind() == "string":
        return "".join(p.text() for p in named_children(node) if p.kind() == "string_fragment")
    if node.kind() == "template_string" and not any(p.kind() == "template_substitution" for p in named_children(node)):
        return "".join(p.text() for p in named_children(node) if p.kind() == "string_fragment")
    if node.kind() in ("as_expression", "satisfies_expression", "parenthesized_expression"):
        inner = named_children(node)
        return _ts_string(inner[0]) if inner else None
    return None


def _ts_property(node: Any) -> str:
    text: str = node.text()
    return text[1:-1] if node.kind() == "string" else text


class _TypeScript(_Reader):
    def __init__(self, path: str, root: Any, governed_methods: frozenset[str]) -> None:
        super().__init__()
        self.constants: dict[str, str] = {}  # top-level `const GSI1 = "GSI1";`
        for statement in named_children(root):
            declaration = statement
            if statement.kind() == "export_statement":
                declaration = statement.field("declaration") or statement
            if declaration.kind() != "lexical_declaration" or not declaration.text().startswith("const"):
                continue
            for declarator in named_children(declaration):
                name, value = declarator.field("name"), declarator.field("value")
                literal = _ts_string(value) if value is not None else None
                if name is not None and name.kind() == "identifier" and literal is not None:
                    self.constants[name.text()] = literal
        self.path = path
        self.root = root
        self.governed_methods = governed_methods
        self.functions: dict[str, Any] = {}
        for function in root.find_all(kind="function_declaration"):
            if function.field("name") is not None:
                self.functions.setdefault(function.field("name").text(), function)
        for declarator in root.find_all(kind="variable_declarator"):
            value, name = declarator.field("value"), declarator.field("name")
            if value is not None and name is not None and value.kind() in ("arrow_function", "function_expression"):
                self.functions.setdefault(name.text(), value)

    def implementations(self, traits: frozenset[str]) -> list[Implementation]:
        found: list[Implementation] = []
        for cls in self.root.find_all(any=[{"kind": "class_declaration"}, {"kind": "abstract_class_declaration"}]):
            names: list[str] = []
            for heritage in cls.find_all(any=[{"kind": "extends_clause"}, {"kind": "implements_clause"}]):
                if heritage.parent() is None or heritage.parent().parent() != cls:
                    continue
                names += [_governed_name(t.text()) for t in named_children(heritage) if t.kind() != "type_arguments"]
            named = tuple(n for n in names if n in traits)
            methods: dict[str, Any] = {}
            body_node = cls.field("body")
            for member in named_children(body_node) if body_node is not None else []:
                if member.kind() == "method_definition" and member.field("name") is not None:
                    methods.setdefault(_ts_property(member.field("name")), member)
                elif member.kind() == "public_field_definition":
                    value, name = member.field("value"), member.field("name")
                    if name is not None and value is not None and value.kind() == "arrow_function":
                        methods.setdefault(_ts_property(name), value)
            if not named and not set(methods) & self.governed_methods:
                continue
            bodies = {name: self.body(function, methods, follow=True) for name, function in methods.items()}
            name_node = cls.field("name")
            owner = name_node.text() if name_node is not None else "?"
            found.append(Implementation(owner, named, _at(self.path, cls), bodies))
        return found + self._objects(traits)

    def _objects(self, traits: frozenset[str]) -> list[Implementation]:
        """Object literals typed as a governed interface: `const store: DialogueStore = { ... }`,
        `{ ... } satisfies DialogueStore`."""
        found: list[Implementation] = []
        for declarator in self.root.find_all(kind="variable_declarator"):
            annotation, value = declarator.field("type"), declarator.field("value")
            typed = _governed_name(annotation.text().lstrip(":")) if annotation is not None else ""
            if value is not None and value.kind() == "satisfies_expression":
                parts = named_children(value)
                value, typed = (parts[0], _governed_name(parts[-1].text())) if len(parts) == 2 else (None, "")
            if value is None or value.kind() != "object" or typed not in traits:
                continue
            methods: dict[str, Any] = {}
            for member in named_children(value):
                if member.kind() == "method_definition" and member.field("name") is not None:
                    methods.setdefault(_ts_property(member.field("name")), member)
                elif member.kind() == "pair" and member.field("key") is not None:
                    function = member.field("value")
                    if function is not None and function.kind() in ("arrow_function", "function_expression"):
                        methods.setdefault(_ts_property(member.field("key")), function)
            bodies = {name: self.body(function, methods, follow=True) for name, function in methods.items()}
            name = declarator.field("name")
            owner = name.text() if name is not None else "?"
            found.append(Implementation(owner, (typed,), _at(self.path, declarator), bodies))
        return found

    def body(self, function: Any, methods: dict[str, Any], follow: bool) -> Body:
        if follow:
            self._seen = set()
        block = function.field("body")
        body = Body()
        if block is None:
            return body
        if block.kind() != "statement_block":  # an arrow function's expression body
            block = function
        for node in block.find_all(any=[{"kind": "new_expression"}, {"kind": "call_expression"}]):
            if node.kind() == "new_expression":
                self._command(node, body)
            else:
                self._call(node, block, body, methods, follow)
        for string in block.find_all(any=[{"kind": "string"}, {"kind": "template_string"}]):
            head = ""
            for part in named_children(string):
                if part.kind() == "template_substitution":
                    break
                if part.kind() == "string_fragment":
                    head += part.text()
            found = _key_literal(self.path, string, head)
            if found is not None:
                body.literals.append(found)
        return body

    def _command(self, node: Any, body: Body) -> None:
        constructor = node.field("constructor")
        name = constructor.text() if constructor is not None else ""
        if name in _TS_PARTIQL:
            body.calls.append(Call(_TS_PARTIQL[name], _at(self.path, node)))
            return
        if name not in _TS_COMMANDS:
            return
        arguments = node.field("arguments")
        args = named_children(arguments) if arguments is not None else []
        body.calls.append(self._request(_TS_COMMANDS[name], node, args[0] if args else None))

    def _call(self, node: Any, block: Any, body: Body, methods: dict[str, Any], follow: bool) -> None:
        function = node.field("function")
        arguments = node.field("arguments")
        args = named_children(arguments) if arguments is not None else []
        if function is None:
            return
        if function.kind() == "subscript_expression":
            body.opaque.append(Opaque(f"a dynamic dispatch ({function.text()[:60]})", _at(self.path, node)))
        elif function.kind() == "identifier":
            name = function.text()
            if name in _TS_PAGINATORS:
                body.calls.append(self._request(_TS_PAGINATORS[name], node, args[1] if len(args) > 1 else None))
            elif follow and name not in self.governed_methods and name in self.functions:
                helper = self.functions[name]
                body.add(self._once(helper, lambda: self.body(helper, methods, follow=False)))
        elif function.kind() == "member_expression":
            receiver, prop = function.field("object"), function.field("property")
            name = prop.text() if prop is not None else ""
            if name in _TS_V2 and args and args[0].kind() == "object" and self._pair(args[0], "TableName") is not None:
                body.calls.append(self._request(_TS_V2[name], node, args[0]))
            elif (
                receiver is not None
                and receiver.kind() == "this"
                and follow
                and name not in self.governed_methods
                and name in methods
            ):
                helper = methods[name]
                body.add(self._once(helper, lambda: self.body(helper, methods, follow=False)))

    @staticmethod
    def _pair(obj: Any, key: str) -> Any:
        for member in named_children(obj):
            if member.kind() == "pair" and member.field("key") is not None and _ts_property(member.field("key")) == key:
                return member
            if member.kind() == "shorthand_property_identifier" and member.text() == key:
                return member
        return None

    def _request(self, op: str, node: Any, request: Any) -> Call:
        """The request object's IndexName, when it is an object literal here."""
        at = _at(self.path, node)
        if request is None:
            return Call(op, at)
        if request.kind() != "object":
            if op in _INDEX_OPS:
                return Call(op, at, None, f"its request is {request.text()[:60]}, not an object literal")
            return Call(op, at)
        members = named_children(request)
        pair = self._pair(request, "IndexName")
        # A spread after IndexName (or with none written) may set it: `{ ...base, IndexName: "GSI1" }` may not.
        after = members[members.index(pair) + 1 :] if pair is not None and pair in members else members
        spread = next((m for m in after if m.kind() == "spread_element"), None)
        opaque = f"its request spreads {spread.text()[:60]}" if spread is not None and op in _INDEX_OPS else None
        if pair is None:
            return Call(op, at, None, opaque)
        value = pair.field("value") if pair.kind() == "pair" else None
        index = (_ts_string(value) or self._constant(value, self.constants)) if value is not None else None
        if index is None:
            return Call(op, at, None, f"IndexName {pair.text()[:60]} is not a string literal")
        return Call(op, at, index, opaque)


_READERS: dict[str, type[_Rust] | type[_Python] | type[_TypeScript]] = {
    "rust": _Rust,
    "python": _Python,
    "typescript": _TypeScript,
    "tsx": _TypeScript,
}


def read(
    path: str, root: Any, language: str, traits: frozenset[str], governed_methods: frozenset[str]
) -> list[Implementation]:
    """The implementations of the governed traits in one parsed backend file."""
    reader = _READERS.get(language)
    if reader is None:
        return []
    found: list[Implementation] = reader(path, root, governed_methods).implementations(traits)
    return found
