"""YAML read within bounds: what every YAML file the gate reads (infrastructure templates, users'
ast-grep rules) is parsed with.

PyYAML's SafeLoader constructs plain data only; this one also refuses, as each node is composed
and before the composer recurses into it: collections nested deeper than MAX_NESTING, aliases
that would add more than MAX_ALIAS_NODES nodes to the document (a "billion laughs" file is
refused at the first alias past the bound, never expanded), an alias inside its own anchor, and
numbers longer than MAX_NUMBER_DIGITS. The line of every mapping key and sequence item is kept.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Literal

import yaml

from store_gate.bounds import MAX_ALIAS_NODES, MAX_NESTING, MAX_NUMBER_DIGITS

__all__ = ["MAX_ALIAS_NODES", "MAX_NESTING", "MAX_NUMBER_DIGITS", "BoundedLoader", "YamlLimit", "load_all"]

LineMap = dict[int, dict[Any, "int | None"]]  # id(a list or dict) -> its keys / indexes -> their 1-based lines


class YamlLimit(Exception):
    """A bound was exceeded: what, where (1-based line), and for numbers the literal's length."""

    def __init__(
        self,
        kind: Literal["nesting", "alias", "recursive-alias", "number", "value"],
        line: int | None,
        detail: str = "",
        what: str = "",
    ) -> None:
        super().__init__(kind, line, detail)
        self.kind = kind
        self.line = line
        self.detail = detail  # the anchor, the literal's length, or the value
        self.what = what  # for "value": an integer, a number, a date

    def describe(self) -> str:
        where = f" at line {self.line}" if self.line else ""
        return {
            "nesting": f"nested deeper than {MAX_NESTING} levels{where}",
            "alias": f"YAML aliases expand the document by more than {MAX_ALIAS_NODES} nodes{where}",
            "recursive-alias": f"the YAML alias {self.detail}{where} is inside its own anchor (a recursive document)",
            "number": f"number too long: {self.detail} characters{where}; numbers are read up to {MAX_NUMBER_DIGITS} "
            "digits",
            "value": f"{self.detail[:60]!r}{where} is not a valid {self.what or 'value'}",
        }[self.kind]


class BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: LineMap = {}
        self._depth = 0
        # node -> how many nodes it stands for, aliases expanded. Keyed by the node itself, not its
        # id(): a finished document's nodes are freed, and a node of the next one may get the id of
        # one of them - an anchor still being composed would then look finished (a recursive alias
        # missed, now and then).
        self._sizes: dict[yaml.Node, int] = {}
        self._aliased = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None:
                line = event.start_mark.line + 1
                size = self._sizes.get(target)
                if size is None:
                    raise YamlLimit("recursive-alias", line, f"*{event.anchor}")
                self._aliased += size
                if self._aliased > MAX_ALIAS_NODES:
                    raise YamlLimit("alias", line)
            return super().compose_node(parent, index)
        collection = self.check_event(yaml.CollectionStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_NESTING:
                raise YamlLimit("nesting", self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
        node = super().compose_node(parent, index)
        if collection:
            self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes[child] for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._sizes[key] + self._sizes[value] for key, value in node.value)
        else:
            size = 1
        if node is not None:
            self._sizes[node] = size
        return node

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Generator[list[Any], None, None]:
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))
        self.lines[id(data)] = {i: child.start_mark.line + 1 for i, child in enumerate(node.value)}

    def construct_yaml_map(self, node: yaml.MappingNode) -> Generator[dict[Any, Any], None, None]:
        data: dict[Any, Any] = {}
        yield data
        data.update(self.construct_mapping(node))
        # After construct_mapping: merge keys are flattened and every key is constructed (cached).
        self.lines[id(data)] = {self.construct_object(key): key.start_mark.line + 1 for key, _ in node.value}


def _scalar(kind: str, construct: Any, digits: bool = True) -> Any:
    def bounded(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        line = node.start_mark.line + 1
        if digits and len(node.value) > MAX_NUMBER_DIGITS:
            raise YamlLimit("number", line, str(len(node.value)))
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, IndexError, AttributeError, KeyError):
            # PyYAML's constructors trust the resolver: an explicit tag on a scalar of another
            # kind breaks them (`!!int ""` indexes the empty string, `!!timestamp x` reads a
            # failed regex match, `!!bool maybe` looks the word up).
            raise YamlLimit("value", line, node.value, kind) from None

    return bounded


BoundedLoader.add_constructor("tag:yaml.org,2002:int", _scalar("integer", yaml.SafeLoader.construct_yaml_int))
BoundedLoader.add_constructor("tag:yaml.org,2002:float", _scalar("number", yaml.SafeLoader.construct_yaml_float))
BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _scalar("date", yaml.SafeLoader.construct_yaml_timestamp))
BoundedLoader.add_constructor(
    "tag:yaml.org,2002:bool", _scalar("boolean", yaml.SafeLoader.construct_yaml_bool, digits=False)
)
BoundedLoader.add_constructor("tag:yaml.org,2002:seq", BoundedLoader.construct_yaml_seq)
BoundedLoader.add_constructor("tag:yaml.org,2002:map", BoundedLoader.construct_yaml_map)


def load_all(text: str) -> list[Any]:
    """Every document of a YAML text, within the bounds; raises YamlLimit or yaml.YAMLError."""
    loader = BoundedLoader(text)
    try:
        documents = []
        while loader.check_data():  # type: ignore[no-untyped-call]
            documents.append(loader.get_data())
        return documents
    except RecursionError:  # the composer stops at MAX_NESTING first; never an internal error
        raise YamlLimit("nesting", None) from None
    finally:
        loader.dispose()
