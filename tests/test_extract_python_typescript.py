"""Python (ast) and TypeScript (ast-grep-py) stores: the same model, manifest and rule codes as Rust."""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import REPO, Gate, run_cli

from store_gate.extract import python, typescript

STORE = frozenset({"DialogueStore"})


def py_methods(source: str) -> dict[str, object]:
    result = python.extract("store.py", textwrap.dedent(source), STORE)
    return {m.name: m for t in result.traits for m in t.methods}


# Python ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "class DialogueStore(Protocol):",
        "class DialogueStore(typing_extensions.Protocol):",
        "class DialogueStore(Protocol[T]):",
        "class DialogueStore(ABC):",
        "class DialogueStore(metaclass=ABCMeta):",
        "class DialogueStore:",
    ],
)
def test_python_store_kinds(header: str) -> None:
    methods = py_methods(f"{header}\n    def get(self, key: str) -> str: ...\n")
    assert list(methods) == ["get"]


def test_python_method_forms_and_receivers() -> None:
    methods = py_methods(
        """
        class DialogueStore(Protocol):
            async def a(self, x: int) -> None: ...
            @abstractmethod
            def b(self, x: int) -> None: ...
            @property
            def c(self) -> int: ...
            @classmethod
            def d(cls, x: int) -> None: ...
            @staticmethod
            def e(x: int) -> None: ...
            def __init__(self, url: str) -> None: ...
        """
    )
    assert list(methods) == ["a", "b", "c", "d", "e"]
    assert [[p.name for p in m.parameters] for m in methods.values()] == [["x"], ["x"], [], ["x"], ["x"]]  # type: ignore[attr-defined]


def test_python_parameters_positional_keyword_and_variadic() -> None:
    (method,) = py_methods(
        "class DialogueStore:\n    def f(self, a: int, /, b: 'Round', *args: str, c: int, **kw: int) -> 'list[Round]': ...\n"
    ).values()
    params = [(p.name, p.type, p.bindable) for p in method.parameters]  # type: ignore[attr-defined]
    assert params == [
        ("a", "int", True),
        ("b", "Round", True),
        ("args", "*str", False),
        ("c", "int", True),
        ("kw", "**int", False),
    ]
    assert method.return_type == "list[Round]" and method.returns_collection  # type: ignore[attr-defined]


def test_python_overload_group_is_one_method_declared_by_its_implementation() -> None:
    methods = py_methods(
        '''
        class DialogueStore(Protocol):
            @overload
            def get(self, x: int) -> int: ...
            @overload
            def get(self, x: str) -> str: ...
            def get(self, x):
                """@access { op = "GetItem" }"""
        '''
    )
    (get,) = methods.values()
    assert get.location.line == 4 and [d.text for d in get.inline] == ['{ op = "GetItem" }']  # type: ignore[attr-defined]
    assert get.inline[0].location.line == 8  # type: ignore[attr-defined]


def test_python_columns_count_characters_not_bytes(gate: Gate) -> None:
    # `ast` reports UTF-8 byte offsets; editors and SARIF count characters.
    gate.manifest(paths='["src/**/*.py"]')
    gate.write("src/store.py", 'class DialogueStore(Protocol):\n    note = f("é"); find = lookup\n')
    assert [(f.code, f.column) for f in gate.findings()] == [("SG003", 5), ("SG003", 20)]


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("    find = staticmethod(lookup)\n", "assigns find from elsewhere"),
        ("    def __getattr__(self, name): ...\n", "defines __getattr__"),
        ("    if FEATURE:\n        def purge(self) -> None: ...\n", "contains a if statement"),
    ],
)
def test_python_members_the_gate_cannot_analyse_are_sg003(gate: Gate, member: str, expected: str) -> None:
    gate.manifest(paths='["src/**/*.py"]')
    gate.write("src/store.py", "class DialogueStore(Protocol):\n" + member)
    assert expected in gate.only("SG003").message


def test_python_class_decorator_that_may_add_methods_is_sg003(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.py"]')
    gate.write("src/store.py", "@runtime_checkable\n@crud_methods('Round')\nclass DialogueStore(Protocol):\n    pass\n")
    finding = gate.only("SG003")
    assert finding.line == 2 and "@crud_methods('Round')" in finding.message


def test_python_syntax_error_is_sg002_at_its_position(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.py"]')
    gate.write("src/store.py", "class DialogueStore(Protocol):\n    def get(self, x: int -> int: ...\n")
    finding = gate.only("SG002", also=("SG001",))  # the broken file hides the store
    assert (finding.path, finding.line) == ("src/store.py", 2)


def test_python_inherited_methods_cannot_hide_an_undeclared_method(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.py"]')
    gate.write("src/store.py", "from .reads import Reads\n\nclass DialogueStore(Reads, Protocol):\n    pass\n")
    gate.write(
        "src/reads.py",
        "class Base(Protocol):\n    def hidden(self) -> None: ...\n\nclass Reads(Base, Protocol):\n    pass\n",
    )
    finding = gate.only("SG101")
    assert (finding.path, finding.line, finding.trait, finding.method) == ("src/reads.py", 2, "Base", "hidden")


def test_python_variadic_parameter_cannot_bind_a_placeholder(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "D#{ids}", sk = "META" }\n', paths='["src/**/*.py"]'
    )
    gate.write("src/store.py", "class DialogueStore(Protocol):\n    def get(self, *ids: str) -> None: ...\n")
    assert "binds to no parameter (parameters: none)" in gate.only("SG206").message


# TypeScript -----------------------------------------------------------------------------------


def ts_methods(source: str) -> dict[str, object]:
    result = typescript.extract("store.ts", textwrap.dedent(source), STORE)
    return {m.name: m for t in result.traits for m in t.methods}


def test_typescript_interface_members() -> None:
    methods = ts_methods(
        """
        export interface DialogueStore<T> {
          get(id: string): Promise<T | undefined>;
          list: (id: string, ...more: string[]) => Promise<T[]>;
          maybe?(id: string): Promise<void>;
          generic<K extends keyof T>(this: Window, key: K): T[K];
          readonly size: number;
        }
        """
    )
    assert list(methods) == ["get", "list", "maybe", "generic"]
    assert [(p.name, p.bindable) for p in methods["list"].parameters] == [("id", True), (None, False)]  # type: ignore[attr-defined]
    assert methods["list"].returns_collection and not methods["get"].returns_collection  # type: ignore[attr-defined]
    assert [p.name for p in methods["generic"].parameters] == ["key"]  # type: ignore[attr-defined]


def test_typescript_abstract_class_store() -> None:
    methods = ts_methods(
        """
        export abstract class DialogueStore implements Reads {
          abstract get(id: string): Promise<Dialogue>;
          protected abstract list({ a }: P): Promise<Dialogue[]>;
          helper(): void {}
          private secret(): void {}
          constructor(url: string) {}
          abstract onChange: (id: string) => void;
          private count = 0;
        }
        """
    )
    assert list(methods) == ["get", "list", "helper", "onChange"]


def test_typescript_jsdoc_access_and_tsx(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.tsx"]')
    gate.write(
        "src/store.tsx",
        """
        /** The store. */
        export interface DialogueStore {
          /**
           * @access { op = "GetItem", key = { pk = "D#{id}", sk = "META" } }
           */
          get(id: string): Promise<JSX.Element>;
        }
        """,
    )
    assert gate.codes() == []


def test_typescript_declaration_merging_cannot_hide_a_method(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n', paths='["src/**/*.ts"]'
    )
    gate.write("src/store.ts", "export interface DialogueStore {\n  get(id: string): Promise<void>;\n}\n")
    gate.write(
        "src/more.ts", "declare module './store' {\n  interface DialogueStore {\n    purge(): Promise<void>;\n  }\n}\n"
    )
    finding = gate.only("SG101")
    assert (finding.path, finding.line, finding.method) == ("src/more.ts", 3, "purge")


def test_typescript_extends_chain_is_governed(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.ts"]')
    gate.write("src/store.ts", "export interface DialogueStore extends Reads<Dialogue> {}\n")
    gate.write(
        "src/reads.ts",
        "export interface Reads<T> extends Base {}\nexport interface Base {\n  scan(): Promise<T[]>;\n}\n",
    )
    found = [(f.code, f.trait, f.method) for f in gate.findings()]
    assert found == [("SG101", "Base", "scan"), ("SG401", "Base", "scan")], found  # "scan" is storage vocabulary


def test_typescript_index_signature_is_sg003_and_syntax_error_sg002(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.ts"]')
    gate.write("src/store.ts", "export interface DialogueStore {\n  [name: string]: () => Promise<void>;\n}\n")
    assert "index signature" in gate.only("SG003").message
    gate.write("src/store.ts", "export interface DialogueStore {\n  get(id: string: Promise<void>;\n}\n")
    assert gate.only("SG002", also=("SG101",)).line == 2  # the half-typed method is still governed


# The same rules in every language ------------------------------------------------------------

SOURCES = {
    "rs": "pub trait DialogueStore {\n    fn undeclared(&self, id: &str);\n    fn scan_all(&self, id: &str);\n    fn get(&self, id: &str);\n}\n",
    "py": "class DialogueStore(Protocol):\n    def undeclared(self, id: str) -> None: ...\n    def scan_all(self, id: str) -> None: ...\n    def get(self, id: str) -> None: ...\n",
    "ts": "export interface DialogueStore {\n  undeclared(id: string): void;\n  scan_all(id: string): void;\n  get(id: string): void;\n}\n",
}
ACCESS = """
[access.DialogueStore.scan_all]
op = "Scan"

[access.DialogueStore.get]
op = "GetItem"
key = { pk = "D#{key}", sk = "META" }
"""


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_the_same_manifest_gives_the_same_findings_in_every_language(gate: Gate, language: str) -> None:
    gate.manifest(ACCESS, paths=f'["src/**/*.{language}"]')
    gate.write(f"src/store.{language}", SOURCES[language])
    assert sorted((f.code, f.method) for f in gate.findings()) == [
        ("SG101", "undeclared"),
        ("SG202", "scan_all"),
        ("SG206", "get"),
        ("SG401", "scan_all"),  # the structural rules hold in every language too
    ]


@pytest.mark.parametrize("example", ["blue", "python", "typescript"])
def test_each_language_example_passes_through_the_cli(example: str) -> None:
    result = run_cli("check", f"examples/{example}", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["findings"] == [] and document["summary"]["declared"] == document["summary"]["methods"] >= 8
