"""Bypass catalogue, Python: every shape in which a governed class can hold a method ends in a
finding (SG101 for an undeclared method, SG003 / SG004 for what the gate cannot analyse), and
plain data ends in none. Each case runs the whole check and asserts every finding it produces.

A few cases are counterparts that the code before this catalogue also passed (each says so): they
keep the new classification from turning data, or a user's own class, into a false finding."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Gate

from store_gate.check import check
from store_gate.config import load
from store_gate.git import resolve_base

PATHS = '["src/**/*.py"]'
STORE = "src/store.py"
Expected = tuple[str, str, int, str]  # code, path, line, the message or its beginning


def undeclared(member: str) -> str:
    return f"DialogueStore.{member} has no access pattern; declare it in store-gate.toml under [access.DialogueStore.{member}]"


def assert_findings(gate: Gate, expected: list[Expected]) -> None:
    """The complete list of findings, in the gate's order: a spurious extra one fails."""
    actual = [(f.code, f.path, f.line, f.message) for f in gate.findings()]
    assert len(actual) == len(expected), actual
    for (code, path, line, message), want in zip(actual, expected):
        assert (code, path, line) == want[:3], actual
        assert message.startswith(want[3]), (message, want[3])


def store(gate: Gate, source: str, access: str = "", paths: str = PATHS, **files: str) -> None:
    """The manifest, src/store.py and any other files (keyword: path under src/, dots as `__`)."""
    gate.manifest(access, paths=paths)
    gate.write(STORE, source)
    for name, text in files.items():
        gate.write(f"src/{name.replace('__', '.')}", text)
    for path in (gate.root / "src").rglob("*.py*"):
        ast.parse(path.read_text(encoding="utf-8"), feature_version=(3, 9))  # valid for CPython 3.9+


HEAD = "from __future__ import annotations\n\nimport collections.abc\nimport typing\nfrom typing import Any, Callable, ClassVar, Optional, Protocol, Union\n\nfrom .model import Dialogue, Round\n\n\n"
MODEL = "class Dialogue:\n    pass\n\n\nclass Round:\n    pass\n"


# 1. An attribute annotated with a callable type is a method -----------------------------------


@pytest.mark.parametrize(
    "annotation",
    [
        "Callable[[], list[Round]]",
        "typing.Callable[[str], Round]",
        "collections.abc.Callable[..., Round]",
        "Callable",
        "Optional[Callable[[str], Round]]",
        "Union[None, Callable[[str], Round]]",
        "Callable[[str], Round] | None",
        "ClassVar[Callable[[str], Round]]",
        '"Callable[[], list[Round]]"',
    ],
)
def test_an_attribute_annotated_with_a_callable_is_a_method(gate: Gate, annotation: str) -> None:
    store(gate, HEAD + f"class DialogueStore(Protocol):\n    scan: {annotation}\n", model__py=MODEL)
    assert_findings(gate, [("SG101", STORE, 11, undeclared("scan"))])


def test_a_callable_attribute_takes_its_parameters_and_return_type_from_the_callable(gate: Gate) -> None:
    # Its parameters have no names: no key placeholder binds to them. Its result is a collection.
    access = """
    [access.DialogueStore.get]
    op = "GetItem"
    entity = "Dialogue"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }

    [access.DialogueStore.rounds]
    op = "Query"
    entity = "Round"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
    """
    source = (
        HEAD
        + "class DialogueStore(Protocol):\n    get: Callable[[str], Dialogue]\n    rounds: Callable[[str], list[Round]]\n"
    )
    store(gate, source, access, model__py=MODEL)
    assert_findings(
        gate,
        [
            (
                "SG206",
                "store-gate.toml",
                gate.line_of("[access.DialogueStore.get]"),
                'DialogueStore.get: placeholder {dialogue_id} in key "pk" binds to no parameter (parameters: none); rename it to a parameter, or add the parameter',
            ),
            (
                "SG206",
                "store-gate.toml",
                gate.line_of("[access.DialogueStore.rounds]"),
                'DialogueStore.rounds: placeholder {dialogue_id} in key "pk" binds to no parameter (parameters: none); rename it to a parameter, or add the parameter',
            ),
            (
                "SG209",
                "store-gate.toml",
                gate.line_of("[access.DialogueStore.rounds]"),
                "DialogueStore.rounds returns a collection (list[Round]) from a Query with neither",
            ),
        ],
    )


def test_a_callable_attribute_is_declared_in_the_docstring_under_it(gate: Gate) -> None:
    source = (
        HEAD
        + "class DialogueStore(Protocol):\n"
        + "    latest: Callable[[], Dialogue]\n"
        + '    """The dialogue of the day. @access { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#latest", sk = "META" } }"""\n'
        + "    purge: Callable[[], None]\n"
    )
    store(gate, source, model__py=MODEL)
    # The declaration is latest's (its warning sits in the docstring); purge has none.
    assert_findings(
        gate,
        [
            ("SG210", STORE, 12, 'DialogueStore.latest: partition key pk = "DIALOGUE#latest" has no placeholder'),
            ("SG101", STORE, 13, undeclared("purge")),
        ],
    )


@pytest.mark.parametrize(
    ("definition", "annotation"),
    [
        ("ScanFn = Callable[[], list[Round]]\n", "ScanFn"),
        ("ScanFn = typing.Callable[..., list[Round]]\n", "Optional[ScanFn]"),
        ('ScanFn: TypeAlias = "Callable[[], list[Round]]"\n', "ScanFn"),
        ("ScanFn: typing.TypeAlias = Callable[[], list[Round]]\n", "ClassVar[ScanFn]"),
        ("ScanFn = OtherFn\nOtherFn = Callable[[], list[Round]]\n", "ScanFn"),
        (
            "class ScanFn(Protocol):\n    def __call__(self, dialogue_id: str) -> list[Round]: ...\n",
            '"ScanFn"',
        ),
        ("class ScanFn:\n    def __call__(self) -> list[Round]: ...\n    def describe(self) -> str: ...\n", "ScanFn"),
    ],
)
def test_an_attribute_typed_by_a_callable_alias_is_a_method(gate: Gate, definition: str, annotation: str) -> None:
    types = (
        "from __future__ import annotations\n\nfrom typing import Callable, Protocol, TypeAlias\nimport typing\n\nfrom .model import Round\n\n"
        + definition
    )
    source = HEAD + f"from .types import ScanFn\n\n\nclass DialogueStore(Protocol):\n    scan: {annotation}\n"
    store(gate, source, model__py=MODEL, types__py=types)
    assert_findings(gate, [("SG101", STORE, 14, undeclared("scan"))])


@pytest.mark.skipif(sys.version_info < (3, 12), reason="`type X = ...` parses on Python 3.12+ only")
def test_an_attribute_typed_by_a_type_statement_alias_is_a_method(gate: Gate) -> None:
    gate.manifest(paths=PATHS)
    gate.write("src/types.py", "from collections.abc import Callable\n\ntype ScanFn = Callable[[], list[int]]\n")
    gate.write(STORE, "from typing import Protocol\n\nclass DialogueStore(Protocol):\n    scan: ScanFn\n")
    assert_findings(gate, [("SG101", STORE, 4, undeclared("scan"))])


def test_an_attribute_typed_by_a_type_defined_nowhere_is_sg003(gate: Gate) -> None:
    source = HEAD + "from scanning import ScanFn\n\n\nclass DialogueStore(Protocol):\n    scan: ScanFn\n"
    store(gate, source, model__py=MODEL)
    message = (
        "DialogueStore.scan has type ScanFn, which is defined nowhere under the store's paths: the gate cannot "
        "tell whether it is a method; write it as a method signature, or add the file that defines ScanFn to paths"
    )
    assert_findings(gate, [("SG003", STORE, 14, message)])


@pytest.mark.parametrize(
    ("annotation", "what"),
    [
        ("Any", "Any"),
        ("object", "object"),
        ("Optional[Any]", "Any"),
        ("typing.Any", "typing.Any"),
        ("ClassVar", "ClassVar"),
    ],
)
def test_an_attribute_annotated_any_or_object_is_sg003(gate: Gate, annotation: str, what: str) -> None:
    # It could hold a callable: fail closed.
    store(gate, HEAD + f"class DialogueStore(Protocol):\n    handler: {annotation}\n", model__py=MODEL)
    message = (
        f"DialogueStore.handler is annotated {what}, which may hold a callable: the gate cannot tell whether it is a "
        "method; annotate it with its data type, or define it with def if it is one"
    )
    assert_findings(gate, [("SG003", STORE, 11, message)])


def test_attributes_annotated_with_data_types_are_not_findings(gate: Gate) -> None:
    # Counterpart: annotations used to be ignored; now each is classified, and none of these is a method.
    source = HEAD + (
        "import datetime as dt\n"
        "from decimal import Decimal\n"
        "from typing import Final, Literal\n"
        "from uuid import UUID\n\n\n"
        "class DialogueStore(Protocol):\n"
        "    MAX_BATCH: int = 25\n"
        "    LIMIT: ClassVar[int] = 100\n"
        '    PREFIX: Final = "DIALOGUE#"\n'
        "    TTL: Final[float] = 1.5\n"
        "    table_name: str\n"
        "    created: dt.datetime\n"
        "    price: Decimal\n"
        "    id: UUID\n"
        "    flags: bytes | None\n"
        '    status: Literal["open", "closed"]\n'
        "    rounds: list[Round]\n"
        "    hooks: dict[str, Callable[[], None]]\n"  # a container is data, whatever it holds
        "    model: type[Dialogue]\n"
        "    current: Optional[Round]\n"  # a class defined under the paths
        '    latest: "Dialogue"\n'
    )
    store(gate, source, model__py=MODEL)
    assert_findings(gate, [])


# 2. Dunders that are data access in disguise are methods --------------------------------------


@pytest.mark.parametrize(
    "definition",
    [
        "def __iter__(self) -> Iterator[Round]: ...",
        "def __aiter__(self) -> AsyncIterator[Round]: ...",
        "def __next__(self) -> Round: ...",
        "async def __anext__(self) -> Round: ...",
        "def __reversed__(self) -> Iterator[Round]: ...",
        "def __len__(self) -> int: ...",
        "def __bool__(self) -> bool: ...",
        "def __contains__(self, dialogue_id: object) -> bool: ...",
        "def __getitem__(self, dialogue_id: str) -> Dialogue: ...",
        "def __setitem__(self, dialogue_id: str, dialogue: Dialogue) -> None: ...",
        "def __delitem__(self, dialogue_id: str) -> None: ...",
        "def __call__(self, dialogue_id: str) -> Dialogue: ...",
        "def __ior__(self, dialogues: dict[str, Dialogue]) -> DialogueStore: ...",
    ],
)
def test_data_access_dunders_are_methods(gate: Gate, definition: str) -> None:
    head = HEAD + "from collections.abc import AsyncIterator, Iterator\n\n\n"
    store(gate, head + f"class DialogueStore(Protocol):\n    {definition}\n", model__py=MODEL)
    name = definition.split("def ", 1)[1].split("(", 1)[0]
    assert_findings(gate, [("SG101", STORE, 14, undeclared(name))])


def test_a_dunder_is_declared_like_any_method(gate: Gate) -> None:
    access = """
    [access.DialogueStore.__getitem__]
    op = "GetItem"
    entity = "Dialogue"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
    """
    source = HEAD + "class DialogueStore(Protocol):\n    def __getitem__(self, dialogue_id: str) -> Dialogue: ...\n"
    store(gate, source, access, model__py=MODEL)
    assert_findings(gate, [])


def test_object_protocol_dunders_are_not_governed(gate: Gate) -> None:
    source = HEAD + (
        "class DialogueStore(Protocol):\n"
        "    def __init__(self, url: str) -> None: ...\n"
        "    def __enter__(self) -> DialogueStore: ...\n"
        "    def __exit__(self, *exc: object) -> None: ...\n"
        "    async def __aenter__(self) -> DialogueStore: ...\n"
        "    async def __aexit__(self, *exc: object) -> None: ...\n"
        "    def __repr__(self) -> str: ...\n"
        "    def __eq__(self, other: object) -> bool: ...\n"
        "    def __hash__(self) -> int: ...\n"
        "    def __class_getitem__(cls, item: object) -> object: ...\n"
        "    def __post_init__(self) -> None: ...\n"
        "    def __del__(self) -> None: ...\n"
        "    __hash__ = None\n"
    )
    store(gate, source, model__py=MODEL)
    assert_findings(gate, [])


@pytest.mark.parametrize("member", ["__getattr__: Callable[[str], Any]", "__getattr__ = _lookup"])
def test_getattr_in_any_form_is_sg003(gate: Gate, member: str) -> None:
    store(gate, HEAD + f"class DialogueStore(Protocol):\n    {member}\n", model__py=MODEL)
    message = "DialogueStore defines __getattr__, so any attribute may be a method the gate cannot see"
    assert_findings(gate, [("SG003", STORE, 11, message)])


# 3. A store deriving from a collection ABC or builtin container -------------------------------


def test_a_store_deriving_from_mutable_mapping_is_sg003_not_sg004(gate: Gate) -> None:
    source = (
        "from collections.abc import MutableMapping\n\nfrom .model import Dialogue\n\n\n"
        "class DialogueStore(MutableMapping[str, Dialogue]):\n"
        "    def __getitem__(self, dialogue_id: str) -> Dialogue: ...\n"
    )
    store(gate, source, model__py=MODEL)
    message = (
        "DialogueStore derives from MutableMapping[str, Dialogue], which brings methods it does not define "
        "(__contains__, __delitem__, __iter__, __len__, __setitem__, clear, get, items and 6 more): the gate "
        "cannot see them; define each in DialogueStore, or hold a MutableMapping as an attribute instead of "
        "deriving from it"
    )
    assert_findings(gate, [("SG003", STORE, 6, message), ("SG101", STORE, 7, undeclared("__getitem__"))])


@pytest.mark.parametrize(
    ("imports", "base", "name"),
    [
        ("from typing import Mapping", "Mapping[str, Dialogue]", "Mapping"),
        ("import typing", "typing.Sequence[Dialogue]", "Sequence"),
        ("from collections.abc import MutableSequence", "MutableSequence[Dialogue]", "MutableSequence"),
        ("from typing import AbstractSet", "AbstractSet[Dialogue]", "AbstractSet"),
        ("from collections.abc import Set", "Set[Dialogue]", "Set"),
        ("import collections.abc", "collections.abc.MutableSet[Dialogue]", "MutableSet"),
        ("from collections.abc import Iterable", "Iterable[Dialogue]", "Iterable"),
        ("from typing import Iterator", "Iterator[Dialogue]", "Iterator"),
        ("from collections.abc import AsyncIterable", "AsyncIterable[Dialogue]", "AsyncIterable"),
        ("from typing import AsyncIterator", "AsyncIterator[Dialogue]", "AsyncIterator"),
        ("from collections import abc", "abc.Collection[Dialogue]", "Collection"),
        ("from typing import Container", "Container[Dialogue]", "Container"),
        ("from typing import Dict", "Dict[str, Dialogue]", "Dict"),
        ("import builtins", "dict[str, Dialogue]", "dict"),
        ("import builtins", "list", "list"),
        ("from collections import UserDict", "UserDict[str, Dialogue]", "UserDict"),
        ("from collections import deque", "deque", "deque"),
        ("from typing import *", "MutableMapping[str, Dialogue]", "MutableMapping"),
    ],
)
def test_a_store_deriving_from_a_collection_is_sg003(gate: Gate, imports: str, base: str, name: str) -> None:
    source = f"{imports}\n\nfrom .model import Dialogue\n\n\nclass DialogueStore({base}):\n    pass\n"
    store(gate, source, model__py=MODEL)
    (finding,) = gate.findings()
    assert (finding.code, finding.path, finding.line) == ("SG003", STORE, 6)
    assert finding.message.startswith(f"DialogueStore derives from {base}, which brings methods it does not define (")
    assert finding.message.endswith(
        f"the gate cannot see them; define each in DialogueStore, or hold a {name} as an attribute instead of deriving from it"
    )


def test_a_collection_base_whose_methods_the_class_defines_is_governed(gate: Gate) -> None:
    source = (
        "from collections.abc import Iterable, Iterator\nfrom typing import Protocol\n\nfrom .model import Round\n\n\n"
        "class DialogueStore(Iterable[Round], Protocol):\n"
        "    def __iter__(self) -> Iterator[Round]: ...\n"
    )
    store(gate, source, model__py=MODEL)
    assert_findings(gate, [("SG101", STORE, 8, undeclared("__iter__"))])


def test_a_users_own_class_named_like_a_collection_is_followed(gate: Gate) -> None:
    # Counterpart: only the standard library's collections are SG003; a user's Mapping is a base like any other.
    source = "from .mapping import Mapping\n\n\nclass DialogueStore(Mapping):\n    pass\n"
    store(gate, source, mapping__py="class Mapping:\n    def dialogue(self) -> None: ...\n")
    assert_findings(gate, [("SG101", "src/mapping.py", 2, "Mapping.dialogue has no access pattern")])


# 4. Plain data is not a finding ---------------------------------------------------------------


def test_plain_data_is_not_a_finding(gate: Gate) -> None:
    source = (
        "from typing import Protocol\n\nfrom . import models\nfrom .models import ProductModel\n\n\n"
        "class _impl:\n    pass\n\n\n"
        "class DialogueStore(Protocol):\n"
        "    MAX_BATCH = 25\n"
        "    __slots__ = ()\n"
        '    __match_args__ = ("a",)\n'
        '    TABLE = "dialogue"\n'
        '    MAGIC = b"\\x00"\n'
        "    RATIO = -0.5\n"
        "    SECONDS = 60 * 60\n"
        "    NOTHING = None\n"
        "    ENABLED, STRICT = True, False\n"
        '    FIELDS = ["id", "title"]\n'
        '    KINDS = {"a", "b"}\n'
        '    LIMITS = {"read": 100, "write": 25}\n'
        '    FROZEN = frozenset({"a", "b"})\n'
        '    LABEL = f"store {MAX_BATCH}"\n'
        "    model_cls = ProductModel\n"
        "    other_cls = models.ProductModel\n"
        "    impl_cls = _impl\n"
        "    key_type = str\n"
        "    MAX_BATCH += 1\n"
    )
    store(gate, source, models__py="class ProductModel:\n    pass\n")
    assert_findings(gate, [])


@pytest.mark.parametrize(
    "member",
    [
        "find = lookup",
        "find = staticmethod(lookup)",
        "find = functools.partialmethod(lookup, kind='dialogue')",
        "find = make_method()",
        'find = HANDLERS["find"]',
        "find = DEFAULT_FINDER",
        "find, count = lookup, 1",
        "locals()['find'] = lookup",
    ],
)
def test_assigned_members_that_may_be_methods_stay_sg003(gate: Gate, member: str) -> None:
    # Counterpart of plain data: these were SG003 before, and stay so. (A lambda, whose signature
    # the gate sees, is a method now: tests/test_hostile_python_bypasses.py.)
    store(gate, f"import functools\nfrom typing import Protocol\n\n\nclass DialogueStore(Protocol):\n    {member}\n")
    assignment = ast.parse(member).body[0]
    assert isinstance(assignment, ast.Assign)
    targets = ast.unparse(assignment.targets[0])
    message = (
        f"DialogueStore assigns {targets} from elsewhere; if it is a method the gate cannot see its signature - "
        "define it with def"
    )
    assert_findings(gate, [("SG003", STORE, 6, message)])


# 5. An @overload group takes its parameters and return type from the implementation -----------


def test_an_overload_group_binds_the_implementations_parameters(gate: Gate) -> None:
    source = HEAD + (
        "from typing import overload\n\n\n"
        "class DialogueStore(Protocol):\n"
        "    @overload\n"
        "    def get(self, dialogue_id: str) -> Round: ...\n"
        "    @overload\n"
        "    def get(self, dialogue_id: str, round: int) -> Round: ...\n"
        "    def get(self, dialogue_id: str, round: int = 0) -> Round:\n"
        '        """@access { op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } }"""\n'
    )
    store(gate, source, model__py=MODEL)
    assert_findings(gate, [])


def test_an_overload_group_returns_what_its_implementation_returns(gate: Gate) -> None:
    access = """
    [access.DialogueStore.rounds]
    op = "Query"
    entity = "Round"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
    """
    source = HEAD + (
        "from typing import overload\n\n\n"
        "class DialogueStore(Protocol):\n"
        "    @overload\n"
        "    def rounds(self, dialogue_id: str, first: int) -> Round: ...\n"
        "    @overload\n"
        "    def rounds(self, dialogue_id: str) -> list[Round]: ...\n"
        "    def rounds(self, dialogue_id: str, first: int | None = None) -> Round | list[Round]: ...\n"
    )
    store(gate, source, access, model__py=MODEL)
    message = "DialogueStore.rounds returns a collection (Round | list[Round]) from a Query with neither"
    assert_findings(gate, [("SG209", "store-gate.toml", gate.line_of("[access.DialogueStore.rounds]"), message)])


# 6. A .py and its .pyi stub are one store -----------------------------------------------------

IMPLEMENTATION = '''
class DialogueStore:
    def get(self, id):
        """@access { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }"""

    def helper(self):
        pass
'''
STUB_PATHS = '["src/**/*.py", "src/**/*.pyi"]'
STUB = """
from .model import Dialogue, Round

class DialogueStore:
    def get(self, dialogue_id: str) -> Dialogue: ...
    def rounds(self, dialogue_id: str) -> list[Round]: ...
"""


def test_a_stub_and_its_module_are_one_store_each_method_once(gate: Gate) -> None:
    # get: the stub's signature (dialogue_id binds) and the module's @access; rounds: the stub's
    # alone; helper: the module's alone.
    store(gate, IMPLEMENTATION, paths=STUB_PATHS, model__py=MODEL, store__pyi=STUB)
    assert_findings(
        gate,
        [
            ("SG101", STORE, 5, undeclared("helper")),
            ("SG101", "src/store.pyi", 5, undeclared("rounds")),
        ],
    )
    methods = sorted((m.name, m.location.path) for m in gate.run().project.methods)
    assert methods == [("get", "src/store.pyi"), ("helper", STORE), ("rounds", "src/store.pyi")]


def test_the_stubs_signature_wins(gate: Gate) -> None:
    # Counterpart: the stub's parameters bind and its return type counts, not the module's.
    access = """
    [access.DialogueStore.rounds]
    op = "Query"
    entity = "Round"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
    """
    implementation = "class DialogueStore:\n    def rounds(self, id):\n        pass\n"
    store(
        gate,
        implementation,
        access,
        STUB_PATHS,
        model__py=MODEL,
        store__pyi=STUB.replace("    def get(self, dialogue_id: str) -> Dialogue: ...\n", ""),
    )
    message = "DialogueStore.rounds returns a collection (list[Round]) from a Query with neither"
    assert_findings(gate, [("SG209", "store-gate.toml", gate.line_of("[access.DialogueStore.rounds]"), message)])


def test_a_stub_member_typed_by_a_function_alias_takes_the_modules_access(gate: Gate) -> None:
    implementation = (
        "class DialogueStore:\n"
        "    def latest(self):\n"
        '        """@access { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#latest", sk = "META" } }"""\n'
    )
    stub = "from .model import Dialogue\nfrom .types import LatestFn\n\nclass DialogueStore:\n    latest: LatestFn\n"
    types = "from typing import Callable\n\nfrom .model import Dialogue\n\nLatestFn = Callable[[], Dialogue]\n"
    store(gate, implementation, "", STUB_PATHS, model__py=MODEL, store__pyi=stub, types__py=types)
    # One member, latest: the stub's, declared by the module's @access (its warning sits there).
    message = 'DialogueStore.latest: partition key pk = "DIALOGUE#latest" has no placeholder'
    assert_findings(gate, [("SG210", STORE, 3, message)])
    assert [(m.name, m.location.path) for m in gate.run().project.methods] == [("latest", "src/store.pyi")]


# 7. Bases the gate cannot resolve --------------------------------------------------------------


@pytest.mark.parametrize(
    "base",
    ["make_base('Dialogue')", "BASES[0]", "*MIXINS", "Admin if ADMIN else Reader", "registry.base()[Dialogue]"],
)
def test_a_base_that_is_not_a_name_is_sg004(gate: Gate, base: str) -> None:
    source = f"from .model import Dialogue\n\n\nclass DialogueStore({base}):\n    pass\n"
    store(gate, source, model__py=MODEL)
    message = (
        f"DialogueStore derives from {base}, which the gate cannot resolve to a class: the methods it brings "
        "would not be governed; derive from a class defined under the store's paths, by name, or write the "
        "methods in DialogueStore"
    )
    assert_findings(gate, [("SG004", STORE, 4, message)])


def test_a_base_defined_nowhere_under_the_paths_is_sg004(gate: Gate) -> None:
    # Not new: a regression guard for the Python side of project.py's heritage check.
    store(
        gate,
        "from typing import Protocol\n\nfrom admin import AdminOps\n\n\nclass DialogueStore(AdminOps, Protocol):\n    pass\n",
    )
    message = (
        'DialogueStore extends AdminOps, which is defined nowhere under the store\'s paths ("src/**/*.py"): its '
        'methods would not be governed; add its file to paths, or list it in [[store]] external = ["AdminOps"] if '
        "another manifest governs it"
    )
    assert_findings(gate, [("SG004", STORE, 6, message)])


@pytest.mark.parametrize(("keyword", "written"), [("metaclass=CrudMeta", "CrudMeta"), ("**OPTIONS", "**OPTIONS")])
def test_a_metaclass_that_may_add_methods_is_sg003(gate: Gate, keyword: str, written: str) -> None:
    # A class decorator that may add methods is SG003 already; so is a metaclass, which may too.
    store(gate, f"from .meta import OPTIONS, CrudMeta\n\n\n\n\nclass DialogueStore({keyword}):\n    pass\n")
    message = (
        f"DialogueStore has the metaclass {written}, which may add methods the gate cannot see; write them in the class"
    )
    assert_findings(gate, [("SG003", STORE, 6, message)])


# 8. The signature `--base` compares ignores whitespace, not decorators --------------------------


def _git(root: Path, *args: str) -> None:
    environment = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(root),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=environment)


BEFORE = "from typing import Protocol\n\n\nclass DialogueStore(Protocol):\n    def get(self, dialogue_id: str, *, limit: 'int | None' = None) -> 'list[ Round ]': ...\n"
REFORMATTED = """from typing import Protocol


class DialogueStore(Protocol):
    # A comment, new lines and spaces are not a change.
    def get(
        self,
        dialogue_id : str,
        *,
        limit: "int|None" = None,
    ) -> "list[Round]":
        ...
"""
DECORATED = BEFORE.replace("    def get", "    @abstractmethod\n    def get")


def _changed_since_head(gate: Gate, source: str) -> list[tuple[str, int]]:
    """With legacy = "off": the findings on what changed since the committed store."""
    gate.manifest(paths=PATHS)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nlegacy = "off"\n', 1))
    gate.write(STORE, BEFORE)
    _git(gate.root, "init", "-q", "-b", "main")
    _git(gate.root, "add", "-A")
    _git(gate.root, "commit", "-q", "-m", "store")
    gate.write(STORE, source)
    ast.parse(source, feature_version=(3, 9))
    result = check(load(manifest), base=resolve_base(gate.root, "HEAD", "--base"))
    return [(f.code, f.line) for f in result.findings]


def test_reformatting_a_method_does_not_change_its_signature(gate: Gate) -> None:
    assert _changed_since_head(gate, REFORMATTED) == []


def test_adding_a_decorator_changes_its_signature(gate: Gate) -> None:
    assert _changed_since_head(gate, DECORATED) == [("SG101", 6)]


# 9. A return type naming a collection alias is a collection -----------------------------------


@pytest.mark.parametrize(
    "definition",
    [
        "Rounds = list[Round]",
        "Rounds = typing.List[Round]",
        'Rounds: TypeAlias = "Sequence[Round]"',
        "Rounds = RoundList\nRoundList = tuple[Round, ...]",
        "Rounds = Optional[list[Round]]",
        "class Rounds(list[Round]):\n    pass",
    ],
)
def test_a_return_type_naming_a_collection_alias_is_a_collection(gate: Gate, definition: str) -> None:
    access = """
    [access.DialogueStore.list_rounds]
    op = "Query"
    entity = "Round"
    key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
    """
    types = f"from __future__ import annotations\n\nimport typing\nfrom typing import Optional, Sequence, TypeAlias\n\nfrom .model import Round\n\n{definition}\n"
    source = "from typing import Protocol\n\nfrom .types import Rounds\n\n\nclass DialogueStore(Protocol):\n    def list_rounds(self, dialogue_id: str) -> Rounds: ...\n"
    store(gate, source, access, model__py=MODEL, types__py=types)
    message = "DialogueStore.list_rounds returns a collection (Rounds) from a Query with neither"
    assert_findings(gate, [("SG209", "store-gate.toml", gate.line_of("[access.DialogueStore.list_rounds]"), message)])
