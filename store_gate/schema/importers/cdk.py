"""AWS CDK source, TypeScript and Python: the `Table` and `TableV2` constructs of the
aws-dynamodb module, read statically with ast-grep - never by running `cdk synth`.

A `.ts` or `.py` file is CDK source for the gate when it imports the DynamoDB module:
`aws-cdk-lib/aws-dynamodb` (or CDK v1's `@aws-cdk/aws-dynamodb`, or `aws_dynamodb` from
`aws-cdk-lib`) in TypeScript, `aws_cdk.aws_dynamodb` (or `aws_dynamodb` from `aws_cdk`) in
Python. Names are resolved through those imports only: `new Table(...)` is a table when `Table`
was imported from the module, `dynamodb.Table(...)` when `dynamodb` is the module; a `Table` of
any other module is not.

Only literal props are read: strings (a template without substitutions included), lists, object
literals / keyword arguments / dicts, the module's `AttributeType` and `ProjectionType` members.
Anything else - a variable, a function call, a spread, an imported constant - is never guessed:
a key or an index that is not literal is an ImportProblem naming its key path and line, with
the way out (`cdk synth`, then the synthesized template, which the CloudFormation importer
reads); a table name that is not literal is a note.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from store_gate.dynamodb import MAX_KEY_ATTRIBUTES
from store_gate.schema.importers import Candidate, ImportedTable, ImportProblem
from store_gate.schema.importers.limits import MAX_NESTING, MAX_NUMBER_DIGITS, cap, quote, too_deep, too_long
from store_gate.schema.importers.shape import item, key_text
from store_gate.schema.table import IndexKind, IndexSchema, KeySchemaAttribute, Projection, TableSchema

SYNTH = 'read the synthesized template instead: run cdk synth, then from = "cdk.out/<Stack>.template.json"'
NOT_LITERAL = f"the table cannot be read without running the CDK app - {SYNTH}"
TABLES = ("Table", "TableV2")
LOW_LEVEL = ("CfnTable", "CfnGlobalTable")  # L1 constructs: CloudFormation's properties, read from cdk.out
_ATTRIBUTE_TYPES = {"STRING": "S", "NUMBER": "N", "BINARY": "B"}
_PROJECTIONS = {"ALL": "ALL", "KEYS_ONLY": "KEYS_ONLY", "INCLUDE": "INCLUDE"}


@dataclass(frozen=True)
class Language:
    """What differs between the CDK's TypeScript and Python sources: the grammar (ast-grep's
    name, from this fixed table only), node kinds and fields, and how props are spelled."""

    grammar: str
    label: str
    construct: str  # the node kind of `new Table(...)` / `Table(...)`
    constructor: str  # its field holding the class
    call: str  # the node kind of a method call
    module_hint: str  # how an error names the module
    keys: dict[str, str]  # the props read, by their meaning
    add: dict[str, IndexKind]  # the index-adding methods
    functions: frozenset[str]  # node kinds that open a scope for local names
    classes: frozenset[str]
    this: str  # `this` / `self`


_TS_KEYS = {
    "partition": "partitionKey",
    "sort": "sortKey",
    "partitions": "partitionKeys",
    "sorts": "sortKeys",
    "table_name": "tableName",
    "ttl": "timeToLiveAttribute",
    "gsis": "globalSecondaryIndexes",
    "lsis": "localSecondaryIndexes",
    "index_name": "indexName",
    "projection": "projectionType",
    "non_key": "nonKeyAttributes",
}
TYPESCRIPT = Language(
    grammar="typescript",
    label="TypeScript",
    construct="new_expression",
    constructor="constructor",
    call="call_expression",
    module_hint="aws-cdk-lib/aws-dynamodb",
    keys=_TS_KEYS,
    add={"addGlobalSecondaryIndex": "gsi", "addLocalSecondaryIndex": "lsi"},
    functions=frozenset(
        {
            "function_declaration",
            "function_expression",
            "function",
            "arrow_function",
            "method_definition",
            "generator_function",
            "generator_function_declaration",
            "class_static_block",
            "program",
        }
    ),
    classes=frozenset({"class_declaration", "class", "abstract_class_declaration"}),
    this="this",
)
PYTHON = Language(
    grammar="python",
    label="Python",
    construct="call",
    constructor="function",
    call="call",
    module_hint="aws_cdk.aws_dynamodb",
    keys={
        "partition": "partition_key",
        "sort": "sort_key",
        "partitions": "partition_keys",
        "sorts": "sort_keys",
        "table_name": "table_name",
        "ttl": "time_to_live_attribute",
        "gsis": "global_secondary_indexes",
        "lsis": "local_secondary_indexes",
        "index_name": "index_name",
        "projection": "projection_type",
        "non_key": "non_key_attributes",
    },
    add={"add_global_secondary_index": "gsi", "add_local_secondary_index": "lsi"},
    functions=frozenset({"function_definition", "lambda", "module"}),
    classes=frozenset({"class_definition"}),
    this="self",
)
LANGUAGES = {".ts": TYPESCRIPT, ".py": PYTHON}

# Python's struct classes, written as calls with keyword arguments: read as object literals.
_STRUCTS = frozenset(
    {
        "Attribute",
        "GlobalSecondaryIndexProps",
        "GlobalSecondaryIndexPropsV2",
        "LocalSecondaryIndexProps",
        "TableProps",
        "TablePropsV2",
    }
)


def mentions(text: str) -> bool:
    """A cheap test before parsing: could the text import the DynamoDB module at all?"""
    return "aws-dynamodb" in text or "aws_dynamodb" in text


# The literal values of the source -------------------------------------------------------------


@dataclass(frozen=True)
class Opaque:
    """A value that is not literal, as written (capped when shown), and what it is."""

    text: str
    what: str  # "a variable", "a function call", ...
    line: int


@dataclass(frozen=True)
class Dotted:
    """A dotted name (`dynamodb.AttributeType.STRING`): an enum member when it resolves to one."""

    chain: tuple[str, ...]
    text: str
    line: int


@dataclass
class Obj:
    """An object literal, a dict or keyword arguments: each entry with the line of its value.
    `spreads` are entries whose keys cannot be known (`...rest`, `**kw`, `[computed]: v`); a key
    written before a spread holds that spread instead, since the spread may replace it."""

    line: int
    fields: dict[str, tuple[Any, int]] = field(default_factory=dict)
    spreads: list[Opaque] = field(default_factory=list)

    def get(self, key: str) -> tuple[Any, int] | None:
        if key in self.fields:
            return self.fields[key]
        if self.spreads:
            spread = self.spreads[0]
            return Opaque(spread.text, f"{spread.what}, which may set it", spread.line), spread.line
        return None


@dataclass
class Arr:
    line: int
    items: list[tuple[Any, int]] = field(default_factory=list)
    spreads: list[Opaque] = field(default_factory=list)


Value = Union[str, int, float, bool, None, bytes, Opaque, Dotted, Obj, Arr]


def _line(node: Any) -> int:
    return int(node.range().start.line) + 1  # ast-grep's lines are 0-based; messages' 1-based


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean(text: str) -> str:
    """A decoded string as Python can print it: surrogate pairs joined, a lone one replaced."""
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return text
    out = []
    i = 0
    while i < len(text):
        code = ord(text[i])
        following = ord(text[i + 1]) if i + 1 < len(text) else 0
        if 0xD800 <= code <= 0xDBFF and 0xDC00 <= following <= 0xDFFF:
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (following - 0xDC00)))
            i += 2
            continue
        out.append("\ufffd" if 0xD800 <= code <= 0xDFFF else text[i])
        i += 1
    return "".join(out)


_TS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _ts_escape(sequence: str) -> str:
    body = sequence[1:]
    if body in _TS_ESCAPES:
        return _TS_ESCAPES[body]
    if body.startswith("u{") and body.endswith("}"):
        code = int(body[2:-1], 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"
    if body[:1] in ("u", "x") and len(body) > 1:
        return chr(int(body[1:], 16))
    if body.startswith(("\r", "\n", "\u2028", "\u2029")):
        return ""  # a line continuation
    return body  # \' \" \\ \` and identity escapes


class NoTable(ImportProblem):
    """The file imports the DynamoDB module but constructs no table the gate can see."""


class Evaluator:
    """Turns the nodes of a call's arguments into literal values (`Value`), bounded in depth."""

    def __init__(self, language: Language, imports: Imports) -> None:
        self.language = language
        self.imports = imports

    def syntax(self, node: Any) -> ImportProblem:
        line = _line(node)
        column = int(node.range().start.column) + 1
        return ImportProblem(f"{self.language.label} syntax error at line {line}, column {column}; {SYNTH}", line=line)

    def value(self, node: Any, depth: int = 0) -> Value:
        line = _line(node)
        if depth > MAX_NESTING:
            raise too_deep(line)
        kind = node.kind()
        if kind == "ERROR" or (node.is_named() and node.text() == "" and not node.children()):
            raise self.syntax(node)  # an ERROR node, or a MISSING one (zero length)
        self.complete(node)
        if self.language is TYPESCRIPT:
            return self._typescript(node, kind, line, depth)
        return self._python(node, kind, line, depth)

    def _variable(self, node: Any) -> str:
        source = self.imports.elsewhere.get(node.text())
        return f"a constant imported from {cap(source)}" if source else "a variable"

    def complete(self, node: Any) -> None:
        """A node the parser completed with a MISSING token (a `}` or `)` it inserted, zero
        characters long) is a syntax error, never read as if the token were there."""
        for child in node.children():
            if not child.is_named() and child.text() == "":
                raise self.syntax(child)

    def _opaque(self, node: Any, what: str) -> Opaque:
        return Opaque(_one_line(node.text()), what, _line(node))

    def _number(self, node: Any, line: int) -> Value:
        text = node.text()
        if len(text) > MAX_NUMBER_DIGITS:
            raise too_long(len(text), line)
        digits = text.replace("_", "")
        try:
            return int(digits, 0) if digits.isdigit() or digits[:2].lower() in ("0x", "0o", "0b") else float(digits)
        except ValueError:
            return self._opaque(node, "a number the gate does not read")

    def _named(self, node: Any) -> list[Any]:
        return [c for c in node.children() if c.is_named() and c.kind() != "comment"]

    def _dotted(self, node: Any) -> tuple[str, ...] | None:
        """The names of `a.b.c` (member expressions / attributes of plain identifiers)."""
        parts: list[str] = []
        depth = 0
        while True:
            depth += 1
            if depth > MAX_NESTING:
                return None
            kind = node.kind()
            if kind == "identifier":
                parts.append(node.text())
                return tuple(reversed(parts))
            if kind in ("member_expression", "attribute"):
                name = node.field("property" if kind == "member_expression" else "attribute")
                if name is None:
                    return None
                parts.append(name.text())
                node = node.field("object")
                if node is None:
                    return None
                continue
            if kind in ("parenthesized_expression", "non_null_expression"):
                inner = self._named(node)
                if len(inner) != 1:
                    return None
                node = inner[0]
                continue
            return None

    def callee(self, node: Any) -> str | None:
        """The module's export a call or `new` calls (`Table`), when it is one."""
        target = node.field(self.language.constructor)
        chain = self._dotted(target) if target is not None else None
        return self.imports.export(chain) if chain else None

    # TypeScript ------------------------------------------------------------------------------

    def _typescript(self, node: Any, kind: str, line: int, depth: int) -> Value:
        if kind in ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"):
            inner = self._named(node)
            if not inner:
                raise self.syntax(node)
            return self.value(inner[0], depth + 1)
        if kind == "type_assertion":  # <T>value
            inner = self._named(node)
            return self.value(inner[-1], depth + 1) if inner else self._opaque(node, "an expression")
        if kind in ("string", "template_string"):
            parts = []
            for child in self._named(node):
                if child.kind() == "string_fragment":
                    parts.append(child.text())
                elif child.kind() == "escape_sequence":
                    parts.append(_ts_escape(child.text()))
                elif child.kind() == "template_substitution":
                    return self._opaque(node, "a template with substitutions")
                else:
                    raise self.syntax(child)
            return _clean("".join(parts))
        if kind == "number":
            return self._number(node, line)
        if kind == "unary_expression" and node.text().startswith("-"):
            inner = self._named(node)
            number = self.value(inner[0], depth + 1) if inner and inner[0].kind() == "number" else None
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return -number
            return self._opaque(node, "an expression")
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "undefined"):
            return None
        if kind == "object":
            return self._ts_object(node, line, depth)
        if kind == "array":
            return self._array(node, line, depth, "spread_element")
        if kind == "member_expression":
            return self._member(node, line)
        if kind == "identifier":
            return self._opaque(node, self._variable(node))
        if kind in ("call_expression", "new_expression", "await_expression"):
            return self._opaque(node, "a function call")
        return self._opaque(node, "an expression")

    def _array(self, node: Any, line: int, depth: int, spread: str) -> Arr:
        """A literal list (TypeScript array, Python list or tuple); a spread is opaque."""
        array = Arr(line)
        for child in self._named(node):
            if child.kind() == spread:
                array.spreads.append(self._opaque(child, "a spread"))
            else:
                array.items.append((self.value(child, depth + 1), _line(child)))
        return array

    def _member(self, node: Any, line: int) -> Value:
        """`dynamodb.AttributeType.STRING`: a dotted name the importer can look up; else opaque."""
        chain = self._dotted(node)
        if chain is not None:
            return Dotted(chain, _one_line(node.text()), line)
        return self._opaque(node, "an expression")

    def _ts_object(self, node: Any, line: int, depth: int) -> Obj:
        found = Obj(line)
        for entry in self._named(node):
            entry_kind = entry.kind()
            if entry_kind == "pair":
                key_node, value_node = entry.field("key"), entry.field("value")
                if key_node is None or value_node is None:
                    raise self.syntax(entry)
                key = self._ts_key(key_node, depth)
                if key is None:
                    found.spreads.append(self._opaque(key_node, "a computed key"))
                    self._overridden(found)
                    continue
                found.fields[key] = (self.value(value_node, depth + 1), _line(value_node))
            elif entry_kind == "shorthand_property_identifier":
                found.fields[entry.text()] = (self._opaque(entry, "a variable"), _line(entry))
            elif entry_kind == "spread_element":
                found.spreads.append(self._opaque(entry, "a spread"))
                self._overridden(found)
            elif entry_kind == "method_definition":
                name = entry.field("name")
                if name is not None:
                    found.fields[name.text()] = (self._opaque(entry, "a method"), _line(entry))
            else:
                raise self.syntax(entry)
        return found

    def _ts_key(self, node: Any, depth: int) -> str | None:
        kind = node.kind()
        if kind in ("property_identifier", "private_property_identifier"):
            return str(node.text())
        if kind in ("string", "number"):
            value = self.value(node, depth + 1)
            return str(value) if isinstance(value, (str, int, float)) else None
        return None

    @staticmethod
    def _overridden(found: Obj) -> None:
        """A spread after keys: each of them may be replaced by it."""
        spread = found.spreads[-1]
        for key, (_, line) in list(found.fields.items()):
            found.fields[key] = (Opaque(spread.text, f"{spread.what} after it, which may replace it", line), line)

    # Python ----------------------------------------------------------------------------------

    def _python(self, node: Any, kind: str, line: int, depth: int) -> Value:
        if kind == "parenthesized_expression":
            inner = self._named(node)
            if len(inner) != 1:
                return self._opaque(node, "an expression")
            return self.value(inner[0], depth + 1)
        if kind in ("string", "concatenated_string"):
            return self._py_string(node)
        if kind in ("integer", "float"):
            return self._number(node, line)
        if kind == "unary_operator" and node.text().startswith("-"):
            argument = node.field("argument")
            number = self.value(argument, depth + 1) if argument is not None else None
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return -number
            return self._opaque(node, "an expression")
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "none":
            return None
        if kind == "dictionary":
            return self._py_dict(node, line, depth)
        if kind in ("list", "tuple"):
            return self._array(node, line, depth, "list_splat")
        if kind == "attribute":
            return self._member(node, line)
        if kind == "identifier":
            return self._opaque(node, self._variable(node))
        if kind == "call":
            if self.callee(node) in _STRUCTS:
                return self.keywords(node, line, depth)
            return self._opaque(node, "a function call")
        return self._opaque(node, "an expression")

    def _py_string(self, node: Any) -> Value:
        if node.find(kind="interpolation") is not None:
            return self._opaque(node, "an f-string with substitutions")
        parts = [node] if node.kind() == "string" else [c for c in self._named(node) if c.kind() == "string"]
        decoded = []
        for part in parts:
            text = part.text()
            start = part.child(0)
            prefix = start.text() if start is not None and start.kind() == "string_start" else ""
            if "f" in prefix.lower():  # an f-string without substitutions is a plain string
                cut = prefix.lower().index("f")
                text = text[:cut] + text[cut + 1 :]
            try:
                value = ast.literal_eval(text)  # a string literal only: nothing is evaluated
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                raise self.syntax(part) from None
            if not isinstance(value, str):
                return self._opaque(node, "a bytes literal")
            decoded.append(value)
        return _clean("".join(decoded))

    def _py_dict(self, node: Any, line: int, depth: int) -> Obj:
        found = Obj(line)
        for entry in self._named(node):
            if entry.kind() == "pair":
                key_node, value_node = entry.field("key"), entry.field("value")
                if key_node is None or value_node is None:
                    raise self.syntax(entry)
                key = self.value(key_node, depth + 1)
                if not isinstance(key, str):
                    found.spreads.append(self._opaque(key_node, "a key that is not a literal string"))
                    self._overridden(found)
                    continue
                found.fields[key] = (self.value(value_node, depth + 1), _line(value_node))
            elif entry.kind() == "dictionary_splat":
                found.spreads.append(self._opaque(entry, "a spread"))
                self._overridden(found)
            else:
                found.spreads.append(self._opaque(entry, "an entry the gate does not read"))
                self._overridden(found)
        return found

    def arguments(self, call: Any) -> list[Any]:
        arguments = call.field("arguments")
        if arguments is None:
            raise self.syntax(call)
        self.complete(arguments)
        return self._named(arguments)

    def keywords(self, call: Any, line: int, depth: int = 0) -> Obj:
        """A Python call's keyword arguments as an object; `**kw` is a spread."""
        found = Obj(line)
        for argument in self.arguments(call):
            kind = argument.kind()
            if kind == "keyword_argument":
                name, value = argument.field("name"), argument.field("value")
                if name is None or value is None:
                    raise self.syntax(argument)
                found.fields[name.text()] = (self.value(value, depth + 1), _line(value))
            elif kind == "dictionary_splat":
                found.spreads.append(self._opaque(argument, "a spread"))
                self._overridden(found)
            elif kind == "list_splat":
                found.spreads.append(self._opaque(argument, "a spread of positional arguments"))
                self._overridden(found)
        return found


# Imports: what names the DynamoDB module ------------------------------------------------------

_TS_MODULES = ("aws-cdk-lib/aws-dynamodb", "@aws-cdk/aws-dynamodb")
_TS_LIBRARY = "aws-cdk-lib"
_PY_MODULE = "aws_cdk.aws_dynamodb"
_PY_LIBRARY = "aws_cdk"


@dataclass
class Imports:
    modules: set[str] = field(default_factory=set)  # local names of the DynamoDB module
    libraries: set[str] = field(default_factory=set)  # local names of aws-cdk-lib / aws_cdk
    names: dict[str, str] = field(default_factory=dict)  # local name -> the module's export
    everything: bool = False  # `from aws_cdk.aws_dynamodb import *`
    elsewhere: dict[str, str] = field(default_factory=dict)  # other imported names -> their module

    @property
    def found(self) -> bool:
        return bool(self.modules or self.names or self.everything)

    def export(self, chain: tuple[str, ...]) -> str | None:
        if len(chain) == 1:
            if chain[0] in self.names:
                return self.names[chain[0]]
            return chain[0] if self.everything else None
        if len(chain) == 2 and chain[0] in self.modules:
            return chain[1]
        if len(chain) == 3 and chain[0] in self.libraries and chain[1] == "aws_dynamodb":
            return chain[2]
        return None


def _string_of(node: Any) -> str | None:
    """A module name as an import writes it (a plain string, no escapes)."""
    fragments = [c for c in node.children() if c.is_named()]
    if node.kind() == "string" and all(c.kind() == "string_fragment" for c in fragments):
        return "".join(c.text() for c in fragments)
    return None


def _ts_locals(statement: Any) -> list[str]:
    """The names an import statement binds (`a` of `{ x as a }`, `ns` of `* as ns`, a default)."""
    found = []
    for specifier in statement.find_all(kind="import_specifier"):
        local = specifier.field("alias") or specifier.field("name")
        if local is not None:
            found.append(local.text())
    for namespace in statement.find_all(kind="namespace_import"):
        found.extend(c.text() for c in namespace.children() if c.kind() == "identifier")
    clause = next((c for c in statement.children() if c.kind() == "import_clause"), None)
    if clause is not None:
        found.extend(c.text() for c in clause.children() if c.kind() == "identifier")
    return found


def typescript_imports(root: Any) -> Imports:
    imports = Imports()
    for statement in root.find_all(kind="import_statement"):
        named = [c for c in statement.children() if c.is_named()]
        require = next((c for c in named if c.kind() == "import_require_clause"), None)
        if require is not None:
            parts = [c for c in require.children() if c.is_named()]
            source = next((_string_of(c) for c in parts if c.kind() == "string"), None)
            local = next((c.text() for c in parts if c.kind() == "identifier"), None)
            if local and source in _TS_MODULES:
                imports.modules.add(local)
            elif local and source == _TS_LIBRARY:
                imports.libraries.add(local)
            continue
        source = next((_string_of(c) for c in reversed(named) if c.kind() == "string"), None)
        if source not in (*_TS_MODULES, _TS_LIBRARY):
            for local in _ts_locals(statement):
                imports.elsewhere[local] = source or "another module"
            continue
        clause = next((c for c in named if c.kind() == "import_clause"), None)
        if clause is None:
            continue
        for part in (c for c in clause.children() if c.is_named()):
            if part.kind() in ("identifier", "namespace_import"):  # default or `* as x`: the module itself
                local = part.text() if part.kind() == "identifier" else part.children()[-1].text()
                (imports.libraries if source == _TS_LIBRARY else imports.modules).add(local)
            elif part.kind() == "named_imports":
                for specifier in (c for c in part.children() if c.kind() == "import_specifier"):
                    name, alias = specifier.field("name"), specifier.field("alias")
                    if name is None:
                        continue
                    local = (alias or name).text()
                    if source == _TS_LIBRARY:
                        if name.text() == "aws_dynamodb":
                            imports.modules.add(local)
                    else:
                        imports.names[local] = name.text()
    return imports


def python_imports(root: Any) -> Imports:
    imports = Imports()
    for statement in root.find_all(kind="import_statement"):
        for part in (c for c in statement.children() if c.is_named()):
            if part.kind() == "aliased_import":
                module, alias = part.field("name"), part.field("alias")
                if module is None or alias is None:
                    continue
                dotted = "".join(module.text().split())
                if dotted == _PY_MODULE:
                    imports.modules.add(alias.text())
                elif dotted == _PY_LIBRARY:
                    imports.libraries.add(alias.text())
            elif part.kind() == "dotted_name":
                dotted = "".join(part.text().split())
                if dotted in (_PY_MODULE, _PY_LIBRARY):
                    imports.libraries.add(_PY_LIBRARY)  # `aws_cdk.aws_dynamodb.Table` from the top
    for statement in root.find_all(kind="import_from_statement"):
        module = statement.field("module_name")
        if module is None:
            continue
        source = "".join(module.text().split())
        if source not in (_PY_MODULE, _PY_LIBRARY):
            for part in statement.field_children("name"):
                local_node = part.field("alias") if part.kind() == "aliased_import" else part
                if local_node is not None:
                    imports.elsewhere["".join(local_node.text().split())] = source
            continue
        for part in statement.field_children("name"):
            if part.kind() == "aliased_import":
                name_node, alias = part.field("name"), part.field("alias")
                if name_node is None or alias is None:
                    continue
                name, local = name_node.text(), alias.text()
            else:
                name = local = part.text()
            if source == _PY_LIBRARY:
                if name == "aws_dynamodb":
                    imports.modules.add(local)
            else:
                imports.names[local] = name
        if source == _PY_MODULE and any(c.kind() == "wildcard_import" for c in statement.children()):
            imports.everything = True
    return imports


# Constructs, the calls that add indexes, and which table each call is on ----------------------


@dataclass
class Construct:
    node: Any
    cls: str  # Table, TableV2, CfnTable, ...
    ident: str | None  # the construct id, when literal
    ident_text: str  # the construct id as written
    binding: str | None  # what it is assigned to: `table`, `this.table`
    scope: Any  # the node whose names `binding` belongs to
    line: int
    adds: list[tuple[IndexKind, str, Any]] = field(default_factory=list)  # (kind, method, call)

    @property
    def start(self) -> int:
        return int(self.node.range().start.index)


def _ident(node: Any) -> tuple[int, int, str]:
    r = node.range()
    return int(r.start.index), int(r.end.index), str(node.kind())


class _Scopes:
    def __init__(self, language: Language) -> None:
        self.language = language

    def of(self, node: Any, binding: str) -> Any:
        """The node a binding's name belongs to: the class for `this.x` / `self.x`, else the
        innermost function (or the module)."""
        kinds = self.language.classes if binding.startswith(self.language.this + ".") else self.language.functions
        for ancestor in node.ancestors():
            if ancestor.kind() in kinds:
                return ancestor
        return node.get_root()

    def chain(self, node: Any, binding: str) -> list[Any]:
        """The scopes a name used at `node` may come from, innermost first."""
        if binding.startswith(self.language.this + "."):
            return [self.of(node, binding)]
        found = [a for a in node.ancestors() if a.kind() in self.language.functions]
        return found or [node.get_root()]


def _binding(language: Language, node: Any) -> str | None:
    """What a construct is assigned to, as the code writes it (whitespace dropped)."""
    current = node
    parent = node.parent()
    while parent is not None and parent.kind() in (
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
    ):
        current, parent = parent, parent.parent()
    if parent is None:
        return None
    kind = parent.kind()
    if kind == "variable_declarator":
        target = parent.field("name")
        value = parent.field("value")
    elif kind in ("assignment_expression", "assignment"):
        target = parent.field("left")
        value = parent.field("right")
    elif kind == "public_field_definition":
        name = parent.field("name")
        value = parent.field("value")
        if name is None or value is None or _ident(value) != _ident(current):
            return None
        return f"{language.this}.{name.text()}"
    else:
        return None
    if target is None or value is None or _ident(value) != _ident(current):
        return None
    if target.kind() not in ("identifier", "member_expression", "attribute"):
        return None
    return "".join(target.text().split())


def find_constructs(root: Any, evaluator: Evaluator) -> list[Construct]:
    language = evaluator.language
    scopes = _Scopes(language)
    found: list[Construct] = []
    for node in root.find_all(kind=language.construct):
        cls = evaluator.callee(node)
        if cls not in TABLES and cls not in LOW_LEVEL:
            continue
        arguments = [a for a in evaluator.arguments(node) if a.kind() not in ("keyword_argument", "dictionary_splat")]
        ident: str | None = None
        ident_text = ""
        ident_node = arguments[1] if len(arguments) >= 2 else None
        if ident_node is None and language is PYTHON:  # Table(scope, id=...) by keyword
            for argument in evaluator.arguments(node):
                name = argument.field("name") if argument.kind() == "keyword_argument" else None
                if name is not None and name.text() == "id":
                    ident_node = argument.field("value")
        if ident_node is not None:
            ident_text = _one_line(ident_node.text())
            try:
                value = evaluator.value(ident_node)
            except ImportProblem:
                value = None
            ident = value if isinstance(value, str) and value else None
        binding = _binding(language, node)
        scope = scopes.of(node, binding) if binding else None
        found.append(Construct(node, cls, ident, ident_text, binding, scope, _line(node)))
    return found


@dataclass
class Unattached:
    method: str
    receiver: str
    line: int
    why: str


def attach_indexes(root: Any, evaluator: Evaluator, constructs: list[Construct]) -> list[Unattached]:
    """Each `table.addGlobalSecondaryIndex(...)` goes to the construct `table` names there: the
    innermost scope binding that name, the last construct bound before the call. A call on
    anything else is returned, for the notes."""
    language = evaluator.language
    scopes = _Scopes(language)
    bound: dict[tuple[str, tuple[int, int, str]], list[Construct]] = {}
    for construct in constructs:
        if construct.binding is not None:
            bound.setdefault((construct.binding, _ident(construct.scope)), []).append(construct)
    unattached = []
    for call in root.find_all(kind=language.call):
        function = call.field("function")
        if function is None or function.kind() not in ("member_expression", "attribute"):
            continue
        method = function.field("property" if function.kind() == "member_expression" else "attribute")
        if method is None or method.text() not in language.add:
            continue
        receiver_node = function.field("object")
        while receiver_node is not None and receiver_node.kind() in ("non_null_expression", "parenthesized_expression"):
            inner = [c for c in receiver_node.children() if c.is_named()]
            receiver_node = inner[0] if inner else None
        if receiver_node is None:
            continue
        receiver = "".join(receiver_node.text().split())
        start = int(call.range().start.index)
        target: Construct | None = None
        why = "which is no Table this file constructs"
        for scope in scopes.chain(call, receiver):
            choices = bound.get((receiver, _ident(scope)), [])
            before = [c for c in choices if c.start < start]
            if before:
                target = before[-1]
            elif len(choices) == 1 and receiver.startswith(language.this + "."):
                target = choices[0]
            elif len(choices) > 1:
                why = "which is assigned several tables"
            if target is not None or choices:
                break
        if target is None or target.cls not in TABLES:
            unattached.append(Unattached(method.text(), receiver, _line(call), why))
            continue
        target.adds.append((language.add[method.text()], method.text(), call))
    return unattached


# Reading one table ---------------------------------------------------------------------------


def _describe(value: Value) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, (int, float)):
        text = repr(value)
        return f"the number {text if len(text) <= 60 else text[:57] + '...'}"
    if isinstance(value, bytes):
        return "a bytes literal"
    if isinstance(value, Obj):
        keys = list(value.fields)[:3]
        shown = ", ".join(key_text(k) for k in keys) + (", ..." if len(value.fields) > 3 else "")
        return f"an object ({shown})" if keys else "an empty object"
    if isinstance(value, Arr):
        n = len(value.items)
        return f"a list of {n} item{'s' if n != 1 else ''}" if n else "an empty list"
    return f"{cap(value.text)}"


class TableReader:
    def __init__(self, construct: Construct, evaluator: Evaluator, shown: str) -> None:
        self.construct = construct
        self.evaluator = evaluator
        self.language = evaluator.language
        self.keys = evaluator.language.keys
        self.shown = shown
        self.notes: list[str] = []
        self.root = key_text(self.resource)  # the key paths' first part: the construct id

    @property
    def resource(self) -> str:
        c = self.construct
        if c.ident is not None:
            return c.ident
        return c.binding or f"{c.cls}@{c.line}"

    # values -----------------------------------------------------------------------------------

    def problem(self, path: str, message: str, line: int | None) -> ImportProblem:
        return ImportProblem(f"{path}: {message}", path, line)

    def not_literal(self, path: str, value: Opaque | Dotted, line: int | None) -> ImportProblem:
        what = value.what if isinstance(value, Opaque) else "a name the gate does not resolve"
        return self.problem(path, f"not literal ({cap(value.text)}, {what}); {NOT_LITERAL}", value.line or line)

    def wrong(self, path: str, expected: str, value: Value, line: int) -> ImportProblem:
        if isinstance(value, (Opaque, Dotted)):
            return self.not_literal(path, value, line)
        return self.problem(path, f"expected {expected}, got {_describe(value)}", line)

    def obj(self, value: Value, path: str, line: int, expected: str) -> Obj:
        if isinstance(value, Obj):
            return value
        raise self.wrong(path, expected, value, line)

    def text(self, value: Value, path: str, line: int) -> str:
        if isinstance(value, str) and value:
            return value
        raise self.wrong(path, "a string literal", value, line)

    def member(self, value: Value, path: str, line: int, enum: str, members: dict[str, str]) -> str:
        if isinstance(value, Dotted):
            owner = self.evaluator.imports.export(value.chain[:-1]) if len(value.chain) >= 2 else None
            if owner == enum and value.chain[-1] in members:
                return members[value.chain[-1]]
            if owner == enum:
                choices = ", ".join(f"{enum}.{m}" for m in members)
                raise self.problem(path, f"{cap(value.text)} is not one of {choices}", line)
            raise self.not_literal(path, value, line)
        if isinstance(value, str) and value in members.values():  # the enum's own value, cast
            return value
        choices = ", ".join(f"{enum}.{m}" for m in members)
        raise self.wrong(path, choices, value, line)

    def attribute(self, value: Value, path: str, line: int) -> KeySchemaAttribute:
        found = self.obj(value, path, line, "an attribute { name, type }")
        name = self.required(found, "name", path, line)
        kind = self.required(found, "type", path, line)
        return KeySchemaAttribute(
            self.text(name[0], f"{path}.name", name[1]),
            self.member(kind[0], f"{path}.type", kind[1], "AttributeType", _ATTRIBUTE_TYPES),  # type: ignore[arg-type]
        )

    def required(self, found: Obj, key: str, path: str, line: int) -> tuple[Value, int]:
        entry = found.get(key)
        if entry is None:
            raise self.problem(path, f"{key} is missing", line)
        return entry

    # the table --------------------------------------------------------------------------------

    def props(self) -> Obj:
        c = self.construct
        if self.language is PYTHON:
            return self.evaluator.keywords(c.node, c.line)
        arguments = self.evaluator.arguments(c.node)
        if len(arguments) < 3:
            raise self.problem(self.root, f"new {c.cls}(...) has no props; partitionKey is required", c.line)
        props = self.evaluator.value(arguments[2])
        return self.obj(props, self.root, _line(arguments[2]), "an object literal of props")

    def read(self) -> ImportedTable:
        c = self.construct
        if c.cls in LOW_LEVEL:
            raise self.problem(
                self.root,
                f"{c.cls} (the low-level construct, CloudFormation's own properties) is not read from source; {SYNTH}",
                c.line,
            )
        if c.ident is None:
            self.notes.append(
                f"the construct id is not literal ({cap(c.ident_text or '(none)')}); the table is known as "
                f"{quote(self.resource)}"
            )
        props = self.props()
        partition, sort = self.primary(props)
        indexes: dict[str, IndexSchema] = {}
        lines: dict[str, int] = {}
        for kind, key in (("gsi", "gsis"), ("lsi", "lsis")):
            entry = props.get(self.keys[key])
            if entry is None:
                continue
            path = f"{self.root}.{self.keys[key]}"
            value, line = entry
            if isinstance(value, Opaque) and self.keys[key] not in props.fields:
                self.notes.append(
                    f"{path} may come from {cap(value.text)}, which is not read: those indexes are unknown"
                )
                continue
            if value is None:
                continue
            if not isinstance(value, Arr):
                raise self.wrong(path, "a list of index props", value, line)
            if value.spreads:
                raise self.not_literal(path, value.spreads[0], line)
            for i, (index, index_line) in enumerate(value.items):
                at = item(path, i)
                self.add(indexes, lines, self.index(kind, index, at, index_line, partition), index_line)  # type: ignore[arg-type]
        counts: dict[str, int] = {}
        for kind, method, call in c.adds:
            n = counts.get(method, 0)
            counts[method] = n + 1
            at = f"{self.root}.{method}[{n}]"
            if self.language is PYTHON:
                value = self.evaluator.keywords(call, _line(call))
            else:
                arguments = self.evaluator.arguments(call)
                if not arguments:
                    raise self.problem(at, "no index props", _line(call))
                value = self.evaluator.value(arguments[0])
            index_line = _line(call)
            self.add(indexes, lines, self.index(kind, value, at, index_line, partition), index_line)
        name = self.table_name(props)
        ttl = self.ttl(props)
        return ImportedTable(
            TableSchema(name, IndexSchema(None, "table", partition, sort), indexes, ttl_attribute=ttl),
            self.shown,
            self.resource,
            f"AWS CDK ({self.language.label}) {c.cls}",
            self.notes,
        )

    def add(self, indexes: dict[str, IndexSchema], lines: dict[str, int], index: IndexSchema, line: int) -> None:
        assert index.name is not None
        if index.name in indexes:
            raise self.problem(
                self.root, f"index {quote(index.name)} is defined twice (lines {lines[index.name]} and {line})", line
            )
        indexes[index.name] = index
        lines[index.name] = line

    def primary(self, props: Obj) -> tuple[KeySchemaAttribute, KeySchemaAttribute | None]:
        k = self.keys
        entry = self.required(props, k["partition"], self.root, props.line)
        partition = self.attribute(entry[0], f"{self.root}.{k['partition']}", entry[1])
        sort_entry = props.get(k["sort"])
        sort = None
        if sort_entry is not None and sort_entry[0] is not None:
            sort = self.attribute(sort_entry[0], f"{self.root}.{k['sort']}", sort_entry[1])
        return partition, sort

    def ttl(self, props: Obj) -> str | None:
        """`timeToLiveAttribute`: the Time to Live attribute, which CDK enables when it is set."""
        entry = props.get(self.keys["ttl"])
        if entry is None or entry[0] is None:
            return None
        value, line = entry
        path = f"{self.root}.{self.keys['ttl']}"
        if isinstance(value, str) and value:
            return value
        if isinstance(value, (Opaque, Dotted)):
            what = value.what if isinstance(value, Opaque) else "a name the gate does not resolve"
            self.notes.append(f"{path}: not static ({cap(value.text)}, {what}); Time to Live is taken as off")
            return None
        raise self.wrong(path, "a string literal", value, line)

    def table_name(self, props: Obj) -> str | None:
        entry = props.get(self.keys["table_name"])
        if entry is None or entry[0] is None:
            return None
        value, line = entry
        path = f"{self.root}.{self.keys['table_name']}"
        if isinstance(value, str) and value:
            return value
        if isinstance(value, (Opaque, Dotted)):
            what = value.what if isinstance(value, Opaque) else "a name the gate does not resolve"
            self.notes.append(
                f"{path}: the name is not static ({cap(value.text)}, {what}); the table is known by its construct id"
            )
            return None
        raise self.wrong(path, "a string literal", value, line)

    def index(self, kind: IndexKind, value: Value, at: str, line: int, partition: KeySchemaAttribute) -> IndexSchema:
        k = self.keys
        props = self.obj(value, at, line, "an object literal of index props")
        name_entry = self.required(props, k["index_name"], at, line)
        name = self.text(name_entry[0], f"{at}.{k['index_name']}", name_entry[1])
        label = f"{kind.upper()} {quote(name)}"
        if kind == "gsi":
            index_pks = self.key(props, at, line, label, "partition", "partitions", required=True)
        else:
            index_pks = (partition,)
            for plural in ("partitions", "partition"):
                if props.fields.get(k[plural], (None, 0))[0] is not None:
                    raise self.problem(
                        f"{at}.{k[plural]}", f"{label}: an LSI has the table's partition key, not its own", line
                    )
        index_sks = self.key(props, at, line, label, "sort", "sorts", required=kind == "lsi")
        if kind == "lsi" and len(index_sks) > 1:
            raise self.problem(
                f"{at}.{k['sorts']}", f"{label}: an LSI has one sort key; only a GSI may have several", line
            )
        return IndexSchema(
            name,
            kind,
            index_pks[0],
            index_sks[0] if index_sks else None,
            self.projection(props, at, line),
            more_partition_keys=index_pks[1:],
            more_sort_keys=index_sks[1:],
        )

    def key(
        self, props: Obj, at: str, line: int, label: str, single: str, plural: str, required: bool
    ) -> tuple[KeySchemaAttribute, ...]:
        """The attributes of one side of a key: `partitionKey` (one), or `partitionKeys` (a GSI's
        multi-attribute key: up to 4)."""
        k = self.keys
        one, several = props.fields.get(k[single]), props.fields.get(k[plural])
        if one is not None and one[0] is not None and several is not None and several[0] is not None:
            raise self.problem(at, f"{label} has both {k[single]} and {k[plural]}; CDK takes one of them", line)
        if several is not None and several[0] is not None:
            value, value_line = several
            path = f"{at}.{k[plural]}"
            if not isinstance(value, Arr):
                raise self.wrong(path, "a list of attributes { name, type }", value, value_line)
            if value.spreads:
                raise self.not_literal(path, value.spreads[0], value_line)
            if len(value.items) > MAX_KEY_ATTRIBUTES:
                what = "partition-key" if single == "partition" else "sort-key"
                raise self.problem(
                    path,
                    f"{label} has {len(value.items)} {what} attributes; a multi-attribute GSI key has at most "
                    f"{MAX_KEY_ATTRIBUTES} of each",
                    value_line,
                )
            if not value.items:
                raise self.problem(path, f"{label}: an empty list of key attributes", value_line)
            return tuple(self.attribute(a, item(path, i), n) for i, (a, n) in enumerate(value.items))
        entry = props.get(k[single])
        if entry is None or entry[0] is None:
            if required:
                raise self.problem(at, f"{label}: {k[single]} is missing", line)
            return ()
        return (self.attribute(entry[0], f"{at}.{k[single]}", entry[1]),)

    def projection(self, props: Obj, at: str, line: int) -> Projection:
        k = self.keys
        entry = props.get(k["projection"])
        if entry is None or entry[0] is None:
            return Projection("ALL")  # CDK's documented default
        kind = self.member(entry[0], f"{at}.{k['projection']}", entry[1], "ProjectionType", _PROJECTIONS)
        if kind != "INCLUDE":
            return Projection(kind)  # type: ignore[arg-type]
        non_key = props.get(k["non_key"])
        if non_key is None or non_key[0] is None:
            return Projection("INCLUDE")
        value, value_line = non_key
        path = f"{at}.{k['non_key']}"
        if not isinstance(value, Arr):
            raise self.wrong(path, "a list of attribute names", value, value_line)
        if value.spreads:
            raise self.not_literal(path, value.spreads[0], value_line)
        return Projection("INCLUDE", tuple(self.text(v, item(path, i), n) for i, (v, n) in enumerate(value.items)))


# The file ------------------------------------------------------------------------------------


def candidates(text: str, shown: str, language: Language) -> Optional[list[Candidate]]:
    """The Table / TableV2 constructs of CDK source; None when the file does not import the
    DynamoDB module (it is no CDK file for the gate)."""
    if not mentions(text):
        return None
    from ast_grep_py import SgRoot

    root = SgRoot(text, language.grammar).root()
    imports = typescript_imports(root) if language is TYPESCRIPT else python_imports(root)
    if not imports.found and not imports.libraries:
        return None
    evaluator = Evaluator(language, imports)
    error = root.find(kind="ERROR")
    if error is not None:
        raise evaluator.syntax(error)
    constructs = find_constructs(root, evaluator)
    if not constructs and not imports.found:
        return None  # aws-cdk-lib without DynamoDB
    unattached = attach_indexes(root, evaluator, constructs)
    if not constructs:
        raise NoTable(
            f"imports {language.module_hint} but constructs no Table or TableV2 the gate can see "
            f'(new Table(this, "Id", {{...}}) with the class imported from the module); {SYNTH}'
        )
    found = []
    for construct in constructs:
        reader = TableReader(construct, evaluator, shown)
        name: str | None = None
        if construct.cls in TABLES:
            try:
                name = reader.table_name(reader.props())
            except ImportProblem:
                name = None
        found.append(Candidate(reader.resource, name, construct.line, _reader(construct, evaluator, shown, unattached)))
    return found


def _reader(construct: Construct, evaluator: Evaluator, shown: str, unattached: list[Unattached]) -> Any:
    def read() -> ImportedTable:
        reader = TableReader(construct, evaluator, shown)
        try:
            imported = reader.read()
        except ImportProblem as problem:
            problem.line = problem.line or construct.line
            raise
        for call in unattached:
            imported.notes.append(
                f"{call.receiver}.{call.method}(...) at line {call.line} is on {quote(call.receiver)}, {call.why}: "
                "that index is not read"
            )
        return imported

    return read
