"""A hostile review of the Python extractor: each way it found to get an undeclared, callable
member past the gate now ends in a finding (SG101 where the gate sees the method, SG003 / SG004
where it cannot know), and each crash or slowdown in one clear finding, in bounded time. Every case
asserts the whole list of findings; the counterparts (marked so) keep ordinary code clean."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Gate

from store_gate.extract.python import extract

PATHS = '["src/**/*.py"]'
STORE = "src/store.py"
Expected = tuple[str, str, int, str]  # code, path, line, the message or its beginning
GET = """
[access.DialogueStore.get]
op = "GetItem"
entity = "Dialogue"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
"""
# A store with one declared method: what a case adds is the only thing that can be a finding.
HEAD = "from typing import Any, Callable, ClassVar, Protocol\n\n\n"
DECLARED = "    def get(self, dialogue_id: str) -> str: ...\n"


def undeclared(member: str, trait: str = "DialogueStore") -> str:
    return f"{trait}.{member} has no access pattern; declare it in store-gate.toml under [access.{trait}.{member}]"


def assert_findings(gate: Gate, expected: list[Expected]) -> None:
    """The complete list of findings, in the gate's order: a spurious extra one fails."""
    actual = [(f.code, f.path, f.line, f.message) for f in gate.findings()]
    assert len(actual) == len(expected), actual
    for (code, path, line, message), want in zip(actual, expected):
        assert (code, path, line) == want[:3], actual
        assert message.startswith(want[3]), (message, want[3])


def store(gate: Gate, source: str, access: str = GET, paths: str = PATHS, **files: str) -> None:
    """The manifest, src/store.py and any other files (keyword: path under src/, dots as `__`)."""
    gate.manifest(access, paths=paths)
    gate.write(STORE, source)
    for name, text in files.items():
        gate.write(f"src/{name.replace('__', '.')}", text)


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), start=1) if text in line)


def cli(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, with a hang guard: a test that times out is a hang."""
    return subprocess.run(
        [sys.executable, "-m", "store_gate", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ},
    )


def no_crash(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode in (0, 1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


# B1. Only Python's own data model is ungoverned; an invented dunder is a member -----------------


@pytest.mark.parametrize(
    "member",
    [
        "def __everything__(self) -> list[str]: ...",
        "def __(self) -> list[str]: ...",
        "def ___(self) -> list[str]: ...",
        "__everything__: Callable[[], list[str]]",
    ],
)
def test_an_invented_dunder_is_a_member_like_any_other(gate: Gate, member: str) -> None:
    store(gate, HEAD + f"class DialogueStore(Protocol):\n{DECLARED}    {member}\n")
    name = member.replace("def ", "").split("(")[0].split(":")[0]
    assert_findings(gate, [("SG101", STORE, 6, undeclared(name))])


# B2. The value decides over the annotation: an attribute assigned a function is a method ------------


@pytest.mark.parametrize(
    "member",
    [
        "everything: int = _all",
        "everything: ClassVar[str] = lambda self: []",
        'everything: "list[int]" = _all',
        "everything = _all",
        "everything = lambda self: []",
        "everything: int = _alias",
    ],
)
def test_an_attribute_assigned_a_function_is_a_method_whatever_its_annotation(gate: Gate, member: str) -> None:
    source = HEAD + "def _all(self) -> list[str]: ...\n\n\n_alias = _all\n\n\n"
    source += f"class DialogueStore(Protocol):\n{DECLARED}    {member}\n"
    store(gate, source)
    assert_findings(gate, [("SG101", STORE, line_of(source, member), undeclared("everything"))])


def test_an_alias_of_a_method_of_the_class_is_a_method_with_its_parameters(gate: Gate) -> None:
    # `__call__ = get`: calling the store is calling get; declared, it binds like get.
    access = GET + GET.replace(".get]", ".__call__]") + GET.replace(".get]", ".everything]")
    source = HEAD + f"class DialogueStore(Protocol):\n{DECLARED}    __call__ = get\n    everything: int = get\n"
    store(gate, source, access)
    assert_findings(gate, [])
    methods = {m.name: [p.name for p in m.parameters] for m in gate.run().project.methods}
    assert methods == {"get": ["dialogue_id"], "__call__": ["dialogue_id"], "everything": ["dialogue_id"]}


@pytest.mark.parametrize(
    "member",
    [
        "get: int = _get",
        "get = _get",
        "get = lambda self, dialogue_id: None",
        "get: str = lambda self, dialogue_id: None",
    ],
)
def test_an_assigned_function_takes_its_parameters_less_the_receiver(gate: Gate, member: str) -> None:
    # Declared, it binds {dialogue_id} like a def: nothing to report.
    source = HEAD + "def _get(self, dialogue_id: str) -> str: ...\n\n\n"
    source += f"class DialogueStore(Protocol):\n    {member}\n"
    store(gate, source)
    assert_findings(gate, [])


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ("everything: int = staticmethod(_all)", "staticmethod(_all), which wraps a function"),
        ("everything: int = functools.partialmethod(_all)", "functools.partialmethod(_all), which wraps a function"),
        ("everything: int = register(_all)", "register(_all), which passes a function"),
        ("everything: int = _all if FLAG else 0", "_all, a function"),
        ("everything: int = FLAG and (lambda self: [])", "lambda self: [], a lambda"),
        ("everything: int = helper", "helper, which may be a function"),
        ("everything: int = Describe()", "Describe(), an instance of a class that defines __set_name__"),
        ("everything: int = Caller()", "Caller(), an instance of a class that defines __call__"),
    ],
)
def test_an_annotated_attribute_whose_value_may_be_a_method_is_sg003(gate: Gate, member: str, why: str) -> None:
    source = (
        "import functools\nfrom typing import Protocol\n\nfrom .lib import FLAG, helper, register\n\n\n"
        "def _all(self) -> list[str]: ...\n\n\n"
        "class Describe:\n    def __set_name__(self, owner: type, name: str) -> None: ...\n\n\n"
        "class Caller:\n    def __call__(self) -> list[str]: ...\n\n\n"
        f"class DialogueStore(Protocol):\n{DECLARED}    {member}\n"
    )
    store(gate, source)
    message = (
        f"DialogueStore.everything is annotated int but assigned {why}: it may be a method whose signature the "
        "gate cannot see; define it with def"
    )
    assert_findings(gate, [("SG003", STORE, line_of(source, member), message)])


def test_annotated_data_with_a_value_stays_data(gate: Gate) -> None:
    # Counterpart: values that are not functions, whatever they are built from.
    source = (
        "import os\nfrom dataclasses import dataclass, field\nfrom typing import ClassVar, Protocol\n\n"
        "from .config import DEFAULT_LIMIT, Settings\n\n\n"
        "_PREFIX = 'DIALOGUE#'\n\n\n"
        "@dataclass\nclass DialogueStore:\n"
        "    table: str = os.environ.get('TABLE', 'dialogue')\n"
        "    limit: int = DEFAULT_LIMIT\n"
        "    prefix: str = _PREFIX\n"
        "    settings: ClassVar[type] = Settings\n"
        "    names: list[str] = field(default_factory=lambda: ['a'])\n"
        "    ratio: float = float('1.5')\n"
        f"{DECLARED}"
    )
    store(gate, source)
    assert_findings(gate, [])


# B3. Instance attributes: self.x assigned a callable is a member --------------------------------


@pytest.mark.parametrize(
    ("parameters", "statement"),
    [
        ("", "self.everything: Callable[[], list[str]] = lambda: []"),
        ("", "self.everything = lambda: []"),
        ("", "self.everything = _all"),
        ("", "self._everything = _all"),
        ("", "self.everything, self.count = _all, 0"),
        ("", "setattr(self, 'everything', _all)"),
        ("", "object.__setattr__(self, 'everything', _all)"),
        ("", "self.__setattr__('everything', _all)"),
        ("", "super().__setattr__('everything', _all)"),
        ("", "scan = lambda: []\n        self.everything = scan"),
        (", scan: Callable[[], list[str]]", "self.everything = scan"),
        (", scan=_all", "self.everything = scan"),
        (", scan: 'Callable[[], list[str]] | None' = None", "self.everything = scan"),
    ],
)
def test_an_instance_attribute_assigned_a_callable_is_a_method(gate: Gate, parameters: str, statement: str) -> None:
    source = (
        HEAD
        + "def _all() -> list[str]: ...\n\n\n"
        + f"class DialogueStore:\n    def __init__(self{parameters}) -> None:\n        {statement}\n\n{DECLARED}"
    )
    store(gate, source)
    line = line_of(source, "everything")
    assert_findings(
        gate, [("SG101", STORE, line, undeclared("everything" if "_everything" not in statement else "_everything"))]
    )


def test_an_instance_method_binds_every_parameter(gate: Gate) -> None:
    # No receiver: `self.get = lambda dialogue_id: ...` is called `store.get(dialogue_id)`.
    source = (
        HEAD + "class DialogueStore:\n    def __init__(self) -> None:\n        self.get = lambda dialogue_id: None\n"
    )
    store(gate, source)
    assert_findings(gate, [])


def test_a_classmethod_assigning_a_function_on_cls_makes_a_method(gate: Gate) -> None:
    source = (
        HEAD
        + "def _all(cls) -> list[str]: ...\n\n\n"
        + "class DialogueStore:\n    @classmethod\n    def get(cls, dialogue_id: str) -> str:\n        cls.everything = _all\n"
    )
    store(gate, source)
    assert_findings(gate, [("SG101", STORE, line_of(source, "cls.everything"), undeclared("everything"))])


def test_an_instance_attribute_typed_by_a_function_alias_is_a_method(gate: Gate) -> None:
    source = (
        HEAD
        + "from .types import ScanFn\n\n\n"
        + f"class DialogueStore:\n    def __init__(self, scan) -> None:\n        self.everything: ScanFn = scan\n\n{DECLARED}"
    )
    store(gate, source, types__py="from typing import Callable\n\nScanFn = Callable[[], list[str]]\n")
    assert_findings(gate, [("SG101", STORE, line_of(source, "self.everything"), undeclared("everything"))])


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "self.everything: Any = scan",
            "DialogueStore.everything (assigned in __init__) is annotated Any, which may hold a callable: it may be a "
            "method whose signature the gate cannot see; define it in the class with def",
        ),
        (
            "self.everything = functools.partial(_all)",
            "DialogueStore.everything is assigned functools.partial(_all), which wraps a function in __init__: it may "
            "be a method whose signature the gate cannot see; define it in the class with def",
        ),
        (
            "setattr(self, scan, _all)",
            "DialogueStore.__init__ writes setattr(self, scan, _all): a member added so may be a method the gate "
            "cannot see; define it in DialogueStore with def",
        ),
        (
            "self.__dict__.update(scan)",
            "DialogueStore.__init__ writes self.__dict__.update(scan): a member added so may be a method the gate "
            "cannot see; define it in DialogueStore with def",
        ),
        (
            "type(self).everything = _all",
            "DialogueStore.__init__ writes type(self).everything: a member added so may be a method the gate cannot "
            "see; define it in DialogueStore with def",
        ),
    ],
)
def test_an_instance_member_the_gate_cannot_see_is_sg003(gate: Gate, statement: str, message: str) -> None:
    source = (
        HEAD
        + "import functools\n\n\ndef _all() -> list[str]: ...\n\n\n"
        + f"class DialogueStore:\n    def __init__(self, scan) -> None:\n        {statement}\n\n{DECLARED}"
    )
    store(gate, source)
    assert_findings(gate, [("SG003", STORE, line_of(source, statement), message)])


def test_a_plain_class_store_with_ordinary_instance_state_is_clean(gate: Gate) -> None:
    # Counterpart: clients, tables, names and caches are data, however they are obtained.
    source = (
        "import boto3\n\nfrom . import config\nfrom .clients import Client\n\n\n"
        "class DialogueStore:\n"
        "    def __init__(self, table, client: Client, name: str = 'dialogue') -> None:\n"
        "        self._table = table\n"
        "        self._client = client or boto3.client('dynamodb')\n"
        "        self.name = config.table_name\n"
        "        self._cache: dict[str, str] = {}\n"
        "        self.count = 0\n\n"
        f"{DECLARED}"
    )
    store(gate, source, clients__py="class Client:\n    pass\n")
    assert_findings(gate, [])


# B4. Marker names are trusted only from their real module --------------------------------------

BASES = """
class Protocol:
    def everything(self) -> list[str]: ...


def dataclass(cls):
    cls.everything = lambda self: []
    return cls


class ABCMeta(type):
    pass
"""


def test_markers_imported_from_elsewhere_are_ordinary_bases_decorators_and_metaclasses(gate: Gate) -> None:
    # The reviewer's case: lib/bases.py (outside the paths) defines Protocol, dataclass and ABCMeta.
    source = (
        "from lib.bases import ABCMeta, Protocol, dataclass\n\n\n"
        f"@dataclass\nclass DialogueStore(Protocol, metaclass=ABCMeta):\n{DECLARED}"
    )
    store(gate, source)
    gate.write("lib/bases.py", BASES)
    assert_findings(
        gate,
        [
            (
                "SG003",
                STORE,
                4,
                "DialogueStore has the class decorator @dataclass, which may add methods the gate cannot see",
            ),
            ("SG004", STORE, 5, "DialogueStore extends Protocol, which is defined nowhere under the store's paths"),
            ("SG003", STORE, 5, "DialogueStore has the metaclass ABCMeta, which may add methods the gate cannot see"),
        ],
    )


def test_a_protocol_of_the_projects_own_under_the_paths_is_governed(gate: Gate) -> None:
    source = f"from .bases import Protocol\n\n\nclass DialogueStore(Protocol):\n{DECLARED}"
    store(gate, source, bases__py=BASES.split("\n\n\ndef")[0] + "\n")
    assert_findings(gate, [("SG101", "src/bases.py", 2, undeclared("everything", "Protocol"))])


@pytest.mark.parametrize(
    ("head", "base"),
    [
        ("from typing import Protocol", "Protocol"),
        ("import typing as t", "t.Protocol"),
        ("from typing_extensions import Protocol as Shape", "Shape"),
        ("from typing import *", "Protocol"),
    ],
)
def test_markers_from_their_real_module_are_trusted_by_any_spelling(gate: Gate, head: str, base: str) -> None:
    # Counterpart: a module alias, a name alias, a star import of typing.
    source = (
        f"{head}\nimport abc\nimport dataclasses as dc\nfrom functools import total_ordering\n\n\n"
        f"@dc.dataclass(frozen=True)\n@total_ordering\nclass DialogueStore({base}, metaclass=abc.ABCMeta):\n{DECLARED}"
    )
    store(gate, source)
    assert_findings(gate, [])


@pytest.mark.parametrize(
    "head",
    [
        "import typing as t\nProtocol = t.Protocol",
        "from typing import Protocol\nfrom lib.bases import *",
        "try:\n    from typing import Protocol\nexcept ImportError:\n    from lib.bases import Protocol",
    ],
)
def test_a_marker_the_module_binds_otherwise_is_an_ordinary_base(gate: Gate, head: str) -> None:
    # A value, a star import that may rebind it, or a second import: not only typing's.
    source = f"{head}\n\n\nclass DialogueStore(Protocol):\n{DECLARED}"
    store(gate, source)
    line = line_of(source, "class DialogueStore")
    assert_findings(gate, [("SG004", STORE, line, "DialogueStore extends Protocol, which is defined nowhere")])


# B5. What adds methods to a class from outside its body -----------------------------------------


def test_a_base_defining_init_subclass_is_sg003(gate: Gate) -> None:
    source = (
        "class Base:\n    def __init_subclass__(cls, **kw: object) -> None:\n        cls.everything = lambda self: []\n\n\n"
        f"class DialogueStore(Base):\n{DECLARED}"
    )
    store(gate, source)
    message = (
        "Base defines __init_subclass__, which may add methods the gate cannot see to the classes deriving from "
        "it; write them in each class with def"
    )
    assert_findings(gate, [("SG003", STORE, 2, message)])


def test_init_subclass_assigned_is_sg003_too(gate: Gate) -> None:
    source = f"from .hooks import hook\n\n\nclass DialogueStore:\n    __init_subclass__ = classmethod(hook)\n{DECLARED}"
    store(gate, source)
    assert_findings(gate, [("SG003", STORE, 5, "DialogueStore defines __init_subclass__, which may add methods")])


# B6. A stub does not hide the module's bases ----------------------------------------------------


@pytest.mark.parametrize("mixin_under_paths", [False, True])
def test_a_stub_keeps_the_modules_bases(gate: Gate, mixin_under_paths: bool) -> None:
    paths = '["src/*.py*", "lib/*.py"]' if mixin_under_paths else '["src/*.py*"]'
    store(gate, f"from lib.mix import Mixin\n\n\nclass DialogueStore(Mixin):\n{DECLARED}", paths=paths)
    gate.write("src/store.pyi", f"class DialogueStore:\n{DECLARED}")
    gate.write("lib/mix.py", "class Mixin:\n    def everything(self) -> list[str]: ...\n")
    if mixin_under_paths:
        assert_findings(gate, [("SG101", "lib/mix.py", 2, undeclared("everything", "Mixin"))])
    else:
        message = "DialogueStore extends Mixin, which is defined nowhere under the store's paths"
        assert_findings(gate, [("SG004", STORE, 4, message)])


# B7. Changing the class outside its class statement ---------------------------------------------


@pytest.mark.parametrize(
    ("statement", "shown"),
    [
        ("DialogueStore.everything = lambda self: []", "is patched here (DialogueStore.everything = ...)"),
        ("setattr(DialogueStore, 'more', _all)", "is patched here (setattr(DialogueStore, 'more', _all))"),
        (
            "type.__setattr__(DialogueStore, 'more', _all)",
            "is patched here (type.__setattr__(DialogueStore, 'more', _all))",
        ),
        ("def _patch():\n    DialogueStore.everything = _all", "is patched here (DialogueStore.everything = ...)"),
        ("DialogueStore = _Real", "is bound again here (DialogueStore = _Real)"),
        ("DialogueStore = dataclass(DialogueStore)", "is bound again here (DialogueStore = dataclass(DialogueStore))"),
        ("from .real import DialogueStore", "is bound again here (from .real import DialogueStore)"),
        ("def _swap():\n    global DialogueStore", "is bound again here (global DialogueStore)"),
        ("from .real import *", "may be bound again here by `from .real import *`"),
        ("_Alias = DialogueStore\n_Alias.everything = _all", "is patched here (_Alias.everything = ...)"),
        ("globals()['DialogueStore'] = _Real", "may be bound again here (globals()['DialogueStore'] = _Real)"),
        ("exec('DialogueStore.more = _all')", "may be bound again here (exec('DialogueStore.more = _all'))"),
        ("_install(DialogueStore)", "is passed to _install(...) here, which may add methods the gate cannot see"),
    ],
)
def test_a_governed_class_changed_at_module_level_is_sg003(gate: Gate, statement: str, shown: str) -> None:
    source = (
        "from dataclasses import dataclass\n\n\ndef _all(self) -> list[str]: ...\n\n\n"
        "class _Real:\n    def everything(self) -> list[str]: ...\n\n\n"
        f"class DialogueStore:\n{DECLARED}\n\n{statement}\n"
    )
    store(gate, source)
    where = line_of(source, statement.split("\n")[-1].strip())
    assert_findings(gate, [("SG003", STORE, where, f"DialogueStore {shown}")])


def test_reading_a_governed_class_or_setting_its_docstring_is_not_a_finding(gate: Gate) -> None:
    # Counterpart: the object protocol (`__doc__`) adds no method; isinstance, cast, del add none.
    source = (
        "from typing import TypeVar, cast\n\n\n"
        f"class DialogueStore:\n{DECLARED}    def helper(self) -> None: ...\n\n\n"
        "DialogueStore.__doc__ = 'Dialogues.'\n"
        "S = TypeVar('S', bound=DialogueStore)\n"
        "assert isinstance(cast(DialogueStore, object()), DialogueStore)\n"
        "del DialogueStore.helper\n"
    )
    store(gate, source)
    assert_findings(gate, [("SG101", STORE, 6, undeclared("helper"))])


# B8. Names resolve in the module's own scope ----------------------------------------------------


def test_a_class_nested_in_a_function_does_not_make_a_module_function_data(gate: Gate) -> None:
    source = (
        "def _unused() -> None:\n    class scan_all:\n        pass\n\n\n"
        "def scan_all(self) -> list[str]: ...\n\n\n"
        f"class DialogueStore:\n{DECLARED}    everything = scan_all\n"
    )
    store(gate, source)
    assert_findings(gate, [("SG101", STORE, line_of(source, "everything"), undeclared("everything"))])


# B9. A callable type inherits __call__ through its bases ---------------------------------------


def test_a_protocol_inheriting_call_from_a_base_in_the_module_is_callable(gate: Gate) -> None:
    source = (
        HEAD
        + "class Caller(Protocol):\n    def __call__(self) -> list[str]: ...\n\n\n"
        + "class ScanFn(Caller, Protocol):\n    pass\n\n\n"
        + f"class DialogueStore:\n{DECLARED}    everything: ScanFn\n"
    )
    store(gate, source)
    assert_findings(gate, [("SG101", STORE, line_of(source, "everything"), undeclared("everything"))])


def test_a_protocol_inheriting_call_from_a_base_in_another_file_is_callable(gate: Gate) -> None:
    store(
        gate,
        f"from .types import ScanFn\n\n\nclass DialogueStore:\n{DECLARED}    everything: ScanFn\n",
        types__py="from typing import Protocol\n\nfrom .call import Caller\n\n\nclass ScanFn(Caller, Protocol):\n    pass\n",
        call__py="from typing import Protocol\n\n\nclass Caller(Protocol):\n    def __call__(self) -> list[str]: ...\n",
    )
    assert_findings(gate, [("SG101", STORE, 6, undeclared("everything"))])


# B11. A member typed by a class of methods is a facet of methods -------------------------------


@pytest.mark.parametrize(
    "member",
    [
        "    admin: AdminOps\n",
        "    admin: 'AdminOps | None' = None\n",
        "    def __init__(self) -> None:\n        self.admin: AdminOps = AdminOps()\n",
    ],
)
def test_a_member_typed_by_a_class_of_methods_is_sg003(gate: Gate, member: str) -> None:
    source = (
        HEAD
        + "class AdminOps(Protocol):\n    def wipe(self) -> None: ...\n\n\n"
        + f"class DialogueStore:\n{DECLARED}{member}"
    )
    store(gate, source)
    message = (
        "DialogueStore.admin is a member typed by AdminOps, a class of methods: declare its methods on the store or "
        "govern AdminOps as a store"
    )
    assert_findings(gate, [("SG003", STORE, line_of(source, "admin:"), message)])


def test_a_class_of_methods_through_its_bases_is_a_facet_too(gate: Gate) -> None:
    source = (
        HEAD
        + "class Wipe(Protocol):\n    def wipe(self) -> None: ...\n\n\n"
        + "class AdminOps(Wipe, Protocol):\n    pass\n\n\n"
        + f"class DialogueStore:\n{DECLARED}    admin: AdminOps\n"
    )
    store(gate, source)
    message = "DialogueStore.admin is a member typed by AdminOps, a class of methods"
    assert_findings(gate, [("SG003", STORE, line_of(source, "admin:"), message)])


def test_a_member_typed_by_a_data_class_with_methods_is_data(gate: Gate) -> None:
    # Counterpart: a class with fields is data, whatever methods it has.
    source = (
        HEAD
        + "class Round:\n    number: int\n\n    def label(self) -> str: ...\n\n\n"
        + "class Dialogue:\n    def __init__(self, title: str) -> None:\n        self.title = title\n\n"
        + "    def label(self) -> str: ...\n\n\n"
        + f"class DialogueStore(Protocol):\n{DECLARED}    current: Round\n    latest: Dialogue\n"
    )
    store(gate, source)
    assert_findings(gate, [])


# B26. A parameter a caller may leave out is optional -------------------------------------------


def test_parameters_defaulting_to_none_or_of_an_optional_type_are_optional() -> None:
    # `e: str = 'x'` and `g: int = 0` still build a key when left out; `h=None` does not
    source = (
        "from typing import Optional, Union\n\n\n"
        "class DialogueStore:\n"
        "    def get(self, a: str, b: Optional[str], c: 'str | None', d: Union[int, None], e: str = 'x', /,"
        " *rest: str, f: str, g: int = 0, h: str = None, **more: str) -> None: ...\n"
    )
    (trait,) = extract("s.py", source, frozenset({"DialogueStore"})).traits
    optional = {p.name: p.optional for p in trait.methods[0].parameters}
    assert optional == {
        "a": False,
        "b": True,
        "c": True,
        "d": True,
        "e": False,
        "rest": True,
        "f": False,
        "g": False,
        "h": True,
        "more": True,
    }


# C2. A lone surrogate in a docstring never reaches a report ------------------------------------


def test_a_lone_surrogate_in_an_access_docstring_is_sg002_end_to_end(gate: Gate) -> None:
    source = (
        "class DialogueStore:\n"
        "    def get(self, dialogue_id: str) -> str:\n"
        '        """@access { op = "GetItem", key = { pk = "DIALOGUE#\\ud800{dialogue_id}", sk = "META" } }"""\n'
        '    def titles(self, dialogue_id: "str\\udfff") -> "list[str]\\ud800": ...\n'
    )
    store(gate, source, access="")
    message = (
        "the docstring of DialogueStore.get holds a lone surrogate (\\ud800), which is not text: the gate cannot "
        "read what it declares; write the character itself, or remove it"
    )
    assert_findings(
        gate,
        [
            ("SG101", STORE, 2, undeclared("get")),
            ("SG002", STORE, 3, message),
            ("SG101", STORE, 4, undeclared("titles")),
        ],
    )
    for output in ("text", "json", "sarif", "markdown", "junit", "github", "gitlab"):
        result = cli(gate.root, "check", ".", "--format", output)
        no_crash(result)
        assert result.returncode == 1, (output, result.stdout, result.stderr)


def test_a_lone_surrogate_decoded_from_a_coding_cookie_is_sg002(gate: Gate) -> None:
    gate.manifest("", paths=PATHS)
    (gate.root / "src").mkdir()
    (gate.root / STORE).write_bytes(b"# coding: unicode_escape\nclass DialogueStore:\n    x = '\\ud800'\n")
    result = cli(gate.root, "check", ".", "--format", "json")
    no_crash(result)
    found = [(f["code"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert found[0] == (
        "SG002",
        3,
        "holds a lone surrogate once decoded as unicode_escape, which is not source text: the gate cannot read "
        "what it holds (a trait, a backend client, a key); save the file as UTF-8",
    )
    assert [code for code, _, _ in found] == ["SG002", "SG001"]


# C4. A coding cookie must name a text encoding -------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "message"),
    [
        (codec, f"declares coding {codec}, which is not a text encoding")
        for codec in ("rot13", "hex", "zlib", "base64", "uu", "bz2", "quopri")
    ]
    + [("punycode", "is not valid punycode (UnicodeError: ")],
)
def test_a_coding_cookie_that_is_not_a_text_encoding_is_sg002(gate: Gate, codec: str, message: str) -> None:
    gate.manifest("", paths=PATHS)
    (gate.root / "src").mkdir()
    (gate.root / STORE).write_bytes(f"# -*- coding: {codec} -*-\n".encode() + b"class DialogueStore:\n    pass\n")
    result = cli(gate.root, "check", ".")
    no_crash(result)
    assert result.returncode == 1
    assert_findings(
        gate,
        [
            ("SG002", STORE, 1, message),
            ("SG001", "store-gate.toml", 4, "store trait DialogueStore is defined in none of the 1 files"),
        ],
    )


# W1. Lines and columns as ast counts them ------------------------------------------------------


@pytest.mark.parametrize("character", ["\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_a_line_separator_inside_a_string_does_not_shift_lines_or_columns(gate: Gate, character: str) -> None:
    source = (
        "class DialogueStore:\n"
        f'    """A store{character}of dialogues."""\n'
        f"{DECLARED}"
        "    def titles(self) -> list[str]:\n"
        f'        """Every dialogue.{character}\n'
        "        @access { op = 'Scan' key = 1 }\n"
        '        """\n'
    )
    store(gate, source)
    found = [(f.code, f.line, f.column) for f in gate.findings()]
    assert found == [("SG101", 4, 9), ("SG002", 6, 9)], gate.findings()


# H2. Bounded time on pathological names ----------------------------------------------------------


def test_a_200kb_name_that_is_almost_capwords_is_linear(gate: Gate) -> None:
    name = "A" + "a" * 200_000 + "_"
    store(gate, f"class DialogueStore:\n{DECLARED}    everything = {name}\n", access=GET)
    started = time.monotonic()
    result = cli(gate.root, "check", ".", timeout=60)
    elapsed = time.monotonic() - started
    no_crash(result)
    assert result.returncode == 1 and "SG003" in result.stdout, result.stdout
    assert elapsed < 30, elapsed


def test_a_200kb_optional_annotation_is_linear(gate: Gate) -> None:
    annotation = "Optional[" + "," * 200_000
    source = f"class DialogueStore:\n    def get(self, dialogue_id: {annotation!r}) -> str: ...\n"
    ast.parse(source)
    store(gate, source)
    started = time.monotonic()
    result = cli(gate.root, "check", ".", "--format", "json", timeout=60)
    elapsed = time.monotonic() - started
    no_crash(result)
    assert elapsed < 30, elapsed


def test_a_hierarchy_that_branches_at_every_class_and_a_long_alias_chain_are_read_in_bounded_time(gate: Gate) -> None:
    # 40 Protocols, each deriving from every one before it; 20,000 names, each bound to the next.
    classes = "".join(
        f"class C{i}({', '.join(f'C{j}' for j in range(i - 1, -1, -1))}, Protocol):\n    pass\n\n\n"
        for i in range(1, 40)
    )
    aliases = "".join(f"A{i} = A{i - 1}\n" for i in range(20_000, 0, -1))
    source = (
        "from typing import Protocol\n\n\nclass C0(Protocol):\n    def wipe(self) -> None: ...\n\n\n"
        + classes
        + aliases
        + "A0 = lambda self: []\n\n\n"
        + f"class DialogueStore:\n{DECLARED}    admin: C39\n    everything = A20000\n"
    )
    store(gate, source)
    started = time.monotonic()
    result = cli(gate.root, "check", ".", "--format", "json", timeout=60)
    elapsed = time.monotonic() - started
    no_crash(result)
    found = [(f["code"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    # The chain is longer than the eight links the gate follows: fail closed, SG003.
    assert found == [("SG003", line_of(source, "admin:")), ("SG003", line_of(source, "everything ="))]
    assert elapsed < 30, elapsed
