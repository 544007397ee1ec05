"""What an importer may assume about its input, checked once at its entry.

Each importer describes the part of a document it reads - CloudFormation's table properties,
Terraform's blocks, a Workbench model - as a small specification (`Fields`, `Items`, `Entries`,
`Text`, `Scalar`), and `Checker.check` holds the document to it before anything is read: the
first value of the wrong shape is an ImportProblem naming its key path
(`Resources.Table.Properties.KeySchema[0]`), what was expected, what was found, and its line when
the loader recorded one (YAML). Only what is read is specified: unknown keys and other resources
are left alone. The specifications are a few levels deep, so a check never walks further into a
document than they do, however deep or aliased the document is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from store_gate.schema.importers import ImportProblem
from store_gate.schema.importers.limits import MAX_QUOTE, describe, quote

LineMap = dict[int, dict[Any, Optional[int]]]  # id(container) -> {key or index: the line of that entry}


@dataclass(frozen=True)
class Text:
    """A string (a name)."""

    expected: str = "a string"


@dataclass(frozen=True)
class Scalar:
    """A string or a number (not a boolean); where the checker has a `dynamic` test, also a value
    it accepts (a CloudFormation intrinsic function), left for the importer to resolve."""

    expected: str = "a string"


@dataclass(frozen=True)
class Anything:
    """Any value: read by code that accepts every shape."""


@dataclass(frozen=True)
class Fields:
    """A mapping with these keys (others are ignored). An optional key that is absent or empty
    (null) is skipped; `dynamic_ok`: a dynamic value in its place is left to the importer."""

    expected: str
    required: Mapping[str, Spec] = field(default_factory=dict)
    optional: Mapping[str, Spec] = field(default_factory=dict)
    dynamic_ok: bool = False


@dataclass(frozen=True)
class Items:
    """A list whose every item is `item`; `indexed=False` for python-hcl2's lists of blocks,
    whose items a key path does not number (`module.table`, not `module[0].table`)."""

    expected: str
    item: Spec
    dynamic_ok: bool = False
    indexed: bool = True


@dataclass(frozen=True)
class Entries:
    """A mapping of names (strings) to values that are each `value`."""

    expected: str
    value: Spec


@dataclass(frozen=True)
class Blocks:
    """HCL blocks by label, as python-hcl2 gives them: `{'"name"': body}`. python-hcl2 marks a
    body with `__is_block__`; one found where a label belongs is a block without its label."""

    form: str  # how the block is written: 'module "NAME" { ... }'
    body: Spec


Spec = Union[Text, Scalar, Anything, Fields, Items, Entries, Blocks]

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:#@$-]+")


def key_text(key: Any) -> str:
    """A mapping key as a key path shows it: plain names as they are, others quoted."""
    if isinstance(key, str):
        return key if len(key) <= MAX_QUOTE and _PLAIN_KEY.fullmatch(key) else quote(key)
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        return repr(key)[:MAX_QUOTE]
    return f"({describe(key)})"


def join(path: str, key: Any) -> str:
    """The key path of a mapping's entry: `Resources.Table`, `Resources.123`."""
    return f"{path}.{key_text(key)}" if path else key_text(key)


def item(path: str, index: int) -> str:
    """The key path of a list's item: `KeySchema[0]`."""
    return f"{path}[{index}]"


def show(value: Any) -> str:
    """A value that is not static, as a message names it: an intrinsic function by its name (and
    its argument when that is a string), an expression quoted - capped either way."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, argument),) = value.items()
        if isinstance(name, str):
            return f"{key_text(name)} {quote(argument)}" if isinstance(argument, str) else key_text(name)
    if isinstance(value, str):
        return quote(value)
    return describe(value)


def _unquote(label: Any) -> Any:
    if isinstance(label, str) and len(label) >= 2 and label[0] == label[-1] == '"':
        return label[1:-1]
    return label


def _never(value: Any) -> bool:
    return False


def _same(value: Any) -> Any:
    return value


class Checker:
    """Holds one document to specifications. `lines` are the loader's (YAML), `dynamic` says
    which values are not static (an intrinsic function, an HCL expression) and `not_static`
    what follows from it; `display` turns a value of the wrong shape into what a message
    describes, `shown` a value that is not static into what a message quotes of it."""

    def __init__(
        self,
        lines: LineMap | None = None,
        dynamic: Callable[[Any], bool] = _never,
        not_static: str = "it cannot be read without deploying",
        display: Callable[[Any], Any] = _same,
        shown: Callable[[Any], str] = show,
    ) -> None:
        self.lines = lines if lines is not None else {}
        self.dynamic = dynamic
        self.not_static = not_static
        self.display = display
        self.shown = shown

    def line(self, container: Any, key: Any, default: int | None) -> int | None:
        entries = self.lines.get(id(container))
        if entries is None:
            return default
        try:
            found = entries.get(key)
        except TypeError:  # an unhashable key cannot have a line
            return default
        return found if found is not None else default

    def problem(self, path: str, message: str, line: int | None) -> ImportProblem:
        return ImportProblem(f"{path}: {message}" if path else message, path, line)

    def wrong(self, path: str, expected: str, value: Any, line: int | None) -> ImportProblem:
        return self.problem(path, f"expected {expected}, got {describe(self.display(value))}", line)

    def check(self, value: Any, spec: Spec, path: str, line: int | None = None) -> None:
        if isinstance(spec, Anything):
            return
        if isinstance(spec, (Text, Scalar)):
            if isinstance(value, str):
                return
            if isinstance(spec, Scalar) and (
                (isinstance(value, (int, float)) and not isinstance(value, bool)) or self.dynamic(value)
            ):
                return
            raise self.wrong(path, spec.expected, value, line)
        if self.dynamic(value):
            if isinstance(spec, (Fields, Items)) and spec.dynamic_ok:
                return
            raise self.problem(path, f"not static ({self.shown(value)}); {self.not_static}", line)
        if isinstance(spec, Items):
            if not isinstance(value, list):
                raise self.wrong(path, spec.expected, value, line)
            for i, element in enumerate(value):
                self.check(element, spec.item, item(path, i) if spec.indexed else path, self.line(value, i, line))
            return
        if isinstance(spec, Blocks):
            if not isinstance(value, dict):
                raise self.wrong(path, f"blocks written {spec.form}", value, line)
            if "__is_block__" in value:
                raise self.problem(path, f"a block without its name label; write {spec.form}", line)
            for label, body in value.items():
                self.check(body, spec.body, join(path, _unquote(label)), self.line(value, label, line))
            return
        if not isinstance(value, dict):
            raise self.wrong(path, spec.expected, value, line)
        if isinstance(spec, Entries):
            for key, entry in value.items():
                if not isinstance(key, str):
                    raise self.problem(
                        join(path, key), f"a name must be a string, not {describe(key)}", self.line(value, key, line)
                    )
                self.check(entry, spec.value, join(path, key), self.line(value, key, line))
            return
        for name, required in spec.required.items():
            if value.get(name) is None:
                raise self.problem(path, f"{name} is missing", line)
            self.check(value[name], required, join(path, name), self.line(value, name, line))
        for name, optional in spec.optional.items():
            if value.get(name) is not None:
                self.check(value[name], optional, join(path, name), self.line(value, name, line))
