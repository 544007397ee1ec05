"""Source files, for each extractor: the examples' sources mutated (as text, and as bytes that are
not UTF-8), and generated traits / classes / interfaces whose members have odd names, attributes,
decorators, generics, heritage, nested types, comments and unicode - through the extractors
directly (`language_of(path).extract`, `type_definitions`) and through a whole check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fuzzing import (
    EXAMPLES,
    MANIFEST,
    budget,
    checked,
    mutated_bytes,
    mutated_text,
    project,
    rarely,
    settles,
    write,
)
from hypothesis import given
from hypothesis import strategies as st

from store_gate.extract.model import FileExtraction
from store_gate.languages import language_of

EXAMPLE_FILES = sorted(
    (example, path.relative_to(EXAMPLES / example).as_posix())
    for example in ("blue", "python", "typescript")
    for path in (EXAMPLES / example).rglob("*")
    if path.is_file() and language_of(path.name) is not None
)
WANTED = frozenset({"DialogueStore", "DialogueReads", "DialogueWrites", "Store", "Base"})
TYPE_NAMES = frozenset({"Round", "Page", "Result", "ListFn", "Items", "Dialogue", "Cursor", "Scan", "T"})

TOKENS = {
    "rust": [
        "pub trait DialogueStore {", "trait DialogueReads: DialogueStore {", "fn ", "async fn x(&self);", "&self",
        "-> ", "<", ">", "::", "#[", "]", "#![allow(x)]", "///", "/// @access { op = \"Scan\" }", "/**", "*/", "//",
        "{", "}", "(", ")", ";", ",", "where ", "impl ", "dyn ", "Box<", "'a", "r#type", "macro_rules! m { () => {} }",
        "m!();", '"', "'", "\"\\u{0}\"", "r#\"", "\"#", "mod x {", "type T;", "const C: u8;", "unsafe ", "extern \"C\" ",
        "#[doc = \"@access { op = \\\"GetItem\\\" }\"]", "Vec<Vec<Vec<u8>>>", "use rusqlite::Connection;", "\u00e9t\u00e9",
    ],
    "python": [
        "class DialogueStore(Protocol):", "class DialogueReads:", "    def x(self): ...", "async def ", "def ", "self",
        "@abstractmethod\n", "@overload\n", "@property\n", "    ", "\t", ":", "->", "(", ")", "[", "]", ",", "*", "**",
        '"""', "'''", "'", '"', "\\", "#", "# -*- coding: latin-1 -*-\n", "# coding: utf-16\n", "lambda: 0",
        "from typing import Protocol\n", "import boto3\n", "if TYPE_CHECKING:\n", "1+" * 50, "x." * 50, "\u00e9t\u00e9",
        "__getattr__ = None\n", "exec('x')\n", "type X = int\n", "match x:\n    case 1: pass\n", "\f", "\x00",
    ],
    "typescript": [
        "export interface DialogueStore {", "interface DialogueReads extends DialogueStore {", "extends ", "implements ",
        "Pick<DialogueReads, 'a'>", "Omit<DialogueReads, \"b\">", "(", ")", "<", ">", "{", "}", ";", ":", "?", "=>",
        "/**", "*/", "/** @access { op = \"Scan\" } */", "//", "'", '"', "`", "${", "@Decorator()", "abstract ",
        "class ", "type T = ", "declare module \"./store\" {", "namespace N {", "[key: string]: any;", "get x(): T;",
        "readonly ", "#priv", "static ", "import { DynamoDBClient } from \"@aws-sdk/client-dynamodb\";", "\u00e9t\u00e9",
        "<T extends keyof U = never>", "unique symbol", "\\u0041", "\ufeff",
    ],
}  # fmt: skip


def extracted(path: str, text: str) -> None:
    """The extractor of the file's language, directly: a FileExtraction, never an exception."""
    language = language_of(path)
    assert language is not None
    result = settles(lambda: language.extract(path, text, WANTED))
    assert isinstance(result, FileExtraction)
    assert isinstance(settles(lambda: language.type_definitions(path, text, TYPE_NAMES)), dict)


@budget(200)
@given(data=st.data(), which=st.sampled_from(range(len(EXAMPLE_FILES))))
def test_example_sources_edited_through_the_extractors(data: st.DataObject, which: int) -> None:
    example, relative = EXAMPLE_FILES[which]
    language = language_of(relative)
    assert language is not None
    text = (EXAMPLES / example / relative).read_text(encoding="utf-8")
    tokens = TOKENS["typescript" if language.name == "tsx" else language.name]
    extracted(relative, data.draw(mutated_text(text, tokens)))


@budget(100)
@given(
    data=st.data(),
    which=st.lists(st.sampled_from(range(len(EXAMPLE_FILES))), min_size=1, max_size=3),
    as_bytes=st.integers(0, 3),
)
def test_example_projects_with_edited_sources(data: st.DataObject, which: list[int], as_bytes: int) -> None:
    """The example's whole check, with one to three of its files edited (as bytes, now and then:
    invalid UTF-8, a byte-order mark, NUL)."""
    example = EXAMPLE_FILES[which[0]][0]
    with project(example) as root:
        edit_example(data, root, example, which, as_bytes=as_bytes == 0)
        checked(root / "store-gate.toml")


def edit_example(data: st.DataObject, root: Path, example: str, which: list[int], as_bytes: bool = False) -> None:
    """The files `which` names (indexes into EXAMPLE_FILES) of the example copied at `root`, edited
    as text (and then, with `as_bytes`, as bytes)."""
    for i in sorted(set(which)):
        name, relative = EXAMPLE_FILES[i]
        if name != example:
            continue
        language = language_of(relative)
        assert language is not None
        text = (EXAMPLES / example / relative).read_text(encoding="utf-8")
        edited = data.draw(mutated_text(text, TOKENS["typescript" if language.name == "tsx" else language.name]))
        write(root, relative, data.draw(mutated_bytes(edited)) if as_bytes else edited)


# -- generated members -----------------------------------------------------------------------------

ODD_NAMES = [
    "get", "x", "_", "__x", "gsi_pk", "scan_all", "sql", "dynamo", "listByGsi", "DialogueStore", "DialogueReads", "self_",
    "a" * 200, "\u00e9t\u00e9", "\u03a9mega", "\u65e5\u672c", "x1", "\u0130", "K\u0307", "type", "async", "constructor",
]  # fmt: skip
NAMES = st.one_of(st.sampled_from(ODD_NAMES), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True))
ACCESS = st.sampled_from(
    [
        '@access { op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }',
        '@access { op = "Query", key = { pk = "DIALOGUE#{id}" }, page = "cursor" }',
        '@access { op = "Scan" }',
        "@access {",
        "@access { op = 1 }",
        "no declaration",
    ]
)
HERITAGE = ["DialogueReads", "DialogueWrites", "Base", "Store", "Other", "DialogueStore"]

RUST_TYPES = [
    "u32", "&str", "String", "Self", "Self::Item", "Round", "Result<Vec<Round>>", "Option<Round>", "impl Iterator<Item = Round>",
    "Box<dyn Fn(u32) -> Round + Send>", "&'a mut [u8]", "(u32, String)", "[u8; 4]", "fn(u32) -> u32", "rusqlite::Connection",
    "aws_sdk_dynamodb::Client", "HashMap<K, V>", "!", "_", "dyn Trait", "Page<Round>", "Pin<Box<dyn Future<Output = ()>>>",
    "<T as Trait>::Out", "impl Fn() -> Vec<u8>", "Items",
]  # fmt: skip
RUST_ATTRIBUTES = [
    "#[allow(unused)]", '#[cfg(feature = "x")]', "#[cfg_attr(test, async_trait)]", "#[deprecated]", "#[must_use]",
    "#[tracing::instrument]", "#[async_trait::async_trait]", "#[rustfmt::skip]", "#[doc(hidden)]", "#[inline]",
]  # fmt: skip


def nested_types(simple: list[str], wrappers: list[str], open_: str = "<", close: str = ">") -> st.SearchStrategy[str]:
    return st.recursive(
        st.sampled_from(simple),
        lambda inner: st.tuples(st.sampled_from(wrappers), st.lists(inner, min_size=1, max_size=2)).map(
            lambda t: f"{t[0]}{open_}{', '.join(t[1])}{close}"
        ),
        max_leaves=6,
    )


RUST_TYPE = rarely(
    nested_types(RUST_TYPES, ["Vec", "Option", "Box", "Result", "Page", "Arc", "HashMap"]),
    st.sampled_from([1, 50, 300]).map(lambda n: "Vec<" * n + "u8" + ">" * n),
)


@st.composite
def rust_member(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 8)) if draw(st.integers(0, 19)) else 9  # 9: a broken member, now and then
    docs = "".join(
        draw(
            st.sampled_from([f"    /// {a}\n", f"    /** {a} */\n", f"    #[doc = {json.dumps(a)}]\n", f"    // {a}\n"])
        )
        for a in draw(st.lists(ACCESS, max_size=2))
    )
    attributes = "".join(f"    {a}\n" for a in draw(st.lists(st.sampled_from(RUST_ATTRIBUTES), max_size=2)))
    if kind <= 5:
        qualifiers = draw(st.sampled_from(["", "async ", "unsafe ", "const ", 'extern "C" ', "pub ", "default "]))
        generics = draw(st.sampled_from(["", "<T>", "<'a, T: Clone + 'a>", "<const N: usize>", "<T = u32>"]))
        receiver = draw(st.sampled_from(["&self", "&mut self", "self", "self: Box<Self>", "mut self", "", "&'a self"]))
        patterns = st.one_of(
            NAMES, st.sampled_from(["_", "(a, b)", "mut id", "ref id", "Round { id, .. }", "&x", "r#type"])
        )
        parameters = [f"{p}: {t}" for p, t in draw(st.lists(st.tuples(patterns, RUST_TYPE), max_size=3))]
        signature = ", ".join(([receiver] if receiver else []) + parameters)
        returns = draw(st.one_of(st.just(""), RUST_TYPE.map(lambda t: f" -> {t}")))
        where = draw(st.sampled_from(["", " where T: Send", " where Self: Sized"]))
        body = draw(st.sampled_from([";", " { todo!() }", " { let x = 1; }"]))
        return f"{docs}{attributes}    {qualifiers}fn {draw(NAMES)}{generics}({signature}){returns}{where}{body}\n"
    if kind == 6:
        return f"{docs}    const {draw(NAMES).upper()}: {draw(RUST_TYPE)}{draw(st.sampled_from([';', ' = 4;']))}\n"
    if kind == 7:
        tail = draw(st.sampled_from([";", ": Clone;", "<'a> where Self: 'a;", " = u32;"]))
        return f"{docs}    type {draw(NAMES)}{tail}\n"
    if kind == 8:
        return draw(
            st.sampled_from(
                [
                    "    my_macro!();\n",
                    "    methods! { fn x(&self); }\n",
                    "    // a comment\n",
                    "    /* a /* nested */ comment */\n",
                ]
            )
        )
    return draw(st.sampled_from(["    fn broken(&self\n", "    }\n", "    {\n", "    ;\n", "    \u00e9t\u00e9\n"]))


@st.composite
def rust_source(draw: st.DrawFn) -> str:
    items = []
    for name in ["DialogueStore", *draw(st.lists(st.sampled_from(HERITAGE), max_size=2))]:
        attributes = "".join(f"{a}\n" for a in draw(st.lists(st.sampled_from(RUST_ATTRIBUTES), max_size=2)))
        supers = draw(
            st.sampled_from(
                [
                    "",
                    ": DialogueReads",
                    ": DialogueReads + Send + Sync",
                    ": Other<T>",
                    ": std::fmt::Debug",
                    ": 'static",
                    ": ?Sized",
                    ": crate::store::DialogueReads",
                    ": Base + DialogueWrites",
                ]
            )
        )
        generics = draw(st.sampled_from(["", "<T>", "<'a, T: 'a>"]))
        members = "".join(draw(st.lists(rust_member(), max_size=5)))
        item = f"{attributes}{draw(st.sampled_from(['pub ', '', 'pub(crate) ', 'unsafe ']))}trait {name}{generics}{supers} {{\n{members}}}\n"
        wrapper = draw(st.integers(0, 5))
        if wrapper == 0:
            item = f"mod inner {{\n{item}}}\n"
        elif wrapper == 1:
            item = f'#[cfg(feature = "x")]\n{item}'
        items.append(item)
    extra = draw(
        st.sampled_from(
            [
                "",
                "use rusqlite::Connection;\n",
                "type Items = Vec<Round>;\n",
                "pub struct Round { pub pk: String }\n",
                "impl DialogueStore for X {}\n",
            ]
        )
    )
    return extra + "\n".join(items)


PYTHON_DECORATORS = [
    "@abstractmethod", "@overload", "@property", "@staticmethod", "@classmethod", "@functools.cache", "@x.setter",
    "@decorator(arg=1)", "@a.b.c", "@(lambda f: f)", "@typing.final", "@abc.abstractmethod",
]  # fmt: skip
PYTHON_TYPES = [
    "int", "str", "'Round'", "Round", "None", "list[Round]", "Iterator[Round]", "AsyncIterator[Round]", "Callable[[int], Round]",
    "dict[str, Round]", "sqlite3.Connection", "boto3.client", "Page", "ListFn", "str | None", "Optional[Round]", "Any",
    "'list[Round]'", "Items", "typing.Sequence[Round]", "tuple[int, ...]", "Literal['a']",
]  # fmt: skip
PYTHON_TYPE = rarely(
    nested_types(PYTHON_TYPES, ["list", "Optional", "dict", "Iterable", "Page", "Awaitable"], "[", "]"),
    st.sampled_from([1, 50, 300]).map(lambda n: "list[" * n + "int" + "]" * n),
)


@st.composite
def python_member(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 8)) if draw(st.integers(0, 19)) else 9  # 9: a broken member, now and then
    decorators = "".join(f"    {d}\n" for d in draw(st.lists(st.sampled_from(PYTHON_DECORATORS), max_size=2)))
    if kind <= 5:
        head = draw(st.sampled_from(["self", "self", "self, /", "", "cls"]))
        parameters = [f"{n}: {t}" for n, t in draw(st.lists(st.tuples(NAMES, PYTHON_TYPE), max_size=3))]
        tail = draw(st.sampled_from(["", "", "*args", "*, cursor: str | None = None", "**kwargs", "*args, **kwargs"]))
        signature = ", ".join(part for part in [head, *parameters, tail] if part)
        returns = draw(st.one_of(st.just(""), PYTHON_TYPE.map(lambda t: f" -> {t}")))
        doc = draw(st.one_of(st.just(""), ACCESS.map(lambda a: f"        {('Doc. ' + a)!r}\n")))
        body = draw(
            st.sampled_from(
                ["        ...\n", "        pass\n", "        return 1\n", "        raise NotImplementedError\n"]
            )
        )
        asynchronous = draw(st.sampled_from(["", "async "]))
        return f"{decorators}    {asynchronous}def {draw(NAMES)}({signature}){returns}:\n{doc}{body}\n"
    if kind == 6:
        return f"    {draw(NAMES)}: {draw(PYTHON_TYPE)}{draw(st.sampled_from(['', ' = None', ' = field()']))}\n"
    if kind == 7:
        return draw(
            st.sampled_from(
                [
                    "    scan = other.scan\n",
                    "    __getattr__ = f\n",
                    "    locals()['x'] = 1\n",
                    "    exec('def x(self): ...')\n",
                    "    x, y = 1, 2\n",
                    "    (a := 1)\n",
                ]
            )
        )
    if kind == 8:
        return draw(
            st.sampled_from(
                [
                    "    class Inner:\n        def x(self): ...\n",
                    "    if TYPE_CHECKING:\n        def y(self) -> int: ...\n",
                    "    try:\n        def z(self): ...\n    except Exception:\n        pass\n",
                ]
            )
        )
    return draw(
        st.sampled_from(
            ["    def broken(self\n", "  x = 1\n", "\tdef t(self): ...\n", "    lambda: 0\n", "    \u00e9t\u00e9 = 1\n"]
        )
    )


@st.composite
def python_source(draw: st.DrawFn) -> str:
    classes = []
    for name in ["DialogueStore", *draw(st.lists(st.sampled_from(HERITAGE), max_size=2))]:
        decorators = "".join(
            f"{d}\n"
            for d in draw(
                st.lists(st.sampled_from(["@runtime_checkable", "@dataclass", "@final", "@decorate()"]), max_size=2)
            )
        )
        bases = draw(
            st.sampled_from(
                [
                    "",
                    "Protocol",
                    "DialogueReads, Protocol",
                    "Generic[T]",
                    "ABC",
                    "metaclass=ABCMeta",
                    "make_base()",
                    "*bases",
                    "**kw",
                    "typing.Protocol",
                    "Base[int]",
                    "Pick",
                    "DialogueWrites",
                ]
            )
        )
        members = "".join(draw(st.lists(python_member(), max_size=5))) or "    ...\n"
        classes.append(f"{decorators}class {name}({bases}):\n{members}")
    prelude = draw(
        st.sampled_from(
            [
                "",
                "from typing import Protocol\n",
                "import boto3\n",
                "ListFn = Callable[[str], list[Round]]\n",
                "type ListFn = Callable[[str], list[Round]]\n",
                "Items: TypeAlias = list[Round]\n",
            ]
        )
    )
    return prelude + "\n\n".join(classes)


TYPESCRIPT_TYPES = [
    "string", "number", "Round[]", "Promise<Round[]>", "ReadonlyArray<Round>", "AsyncIterable<Round>", "Record<string, Round>",
    "Map<K, V>", "() => void", "(a: string) => Promise<Round[]>", "{ a: string }", "'literal'", "`t${string}`", "A | B",
    "A & B", "keyof T", "typeof x", "T extends U ? X : Y", "[string, number]", "unique symbol", "DynamoDBClient",
    "import('x').Y", "ListFn", "Items", "Page<Round>", "any", "never", "void",
]  # fmt: skip


TYPESCRIPT_TYPE = rarely(
    nested_types(TYPESCRIPT_TYPES, ["Promise", "Array", "Page", "Readonly", "Pick", "Partial"]),
    st.sampled_from([1, 50, 300]).map(lambda n: "Array<" * n + "string" + ">" * n),
)


@st.composite
def typescript_member(draw: st.DrawFn, in_class: bool) -> str:
    kind = draw(st.integers(0, 8)) if draw(st.integers(0, 19)) else 9  # 9: a broken member, now and then
    doc = draw(st.one_of(st.just(""), ACCESS.map(lambda a: f"  /** {a} */\n"), ACCESS.map(lambda a: f"  // {a}\n")))
    decorator = draw(st.sampled_from(["", "", "  @Decorator()\n", "  @d\n"])) if in_class else ""
    modifiers = draw(
        st.sampled_from(["", "readonly ", "static ", "abstract ", "private ", "protected ", "public ", "declare "])
    )
    name = draw(
        st.one_of(NAMES, st.sampled_from(["'quoted-name'", "123", "[Symbol.iterator]", "#private", '"x y"', "[key]"]))
    )
    optional = draw(st.sampled_from(["", "?", "!"]))
    parameters = ", ".join(
        f"{n}{draw(st.sampled_from(['', '?']))}: {t}"
        for n, t in draw(st.lists(st.tuples(NAMES, TYPESCRIPT_TYPE), max_size=3))
    )
    rest = draw(st.sampled_from(["", "...rest: string[]", "{ a, b }: Args", "this: X"]))
    signature = ", ".join(p for p in (parameters, rest) if p)
    generics = draw(st.sampled_from(["", "<T>", "<T extends keyof U = never>"]))
    if kind <= 4:
        body = draw(st.sampled_from([";", " {}", " { return 1; }"])) if in_class else ";"
        return f"{doc}{decorator}  {modifiers}{name}{optional}{generics}({signature}): {draw(TYPESCRIPT_TYPE)}{body}\n"
    if kind <= 6:
        return f"{doc}{decorator}  {modifiers}{name}{optional}: {draw(TYPESCRIPT_TYPE)};\n"
    if kind == 7:
        return draw(
            st.sampled_from(
                [
                    "  [key: string]: any;\n",
                    "  (a: number): string;\n",
                    "  new (x: string): Store;\n",
                    "  get x(): string;\n",
                    "  set x(v: string);\n",
                    "  x = () => 1;\n",
                    "  accessor y = 1;\n",
                ]
            )
        )
    if kind == 8:
        return f"  {draw(NAMES)}(): void;\n  {draw(NAMES)}(a: string): void;\n"
    return draw(
        st.sampled_from(["  broken(\n", "  }\n", "  {\n", "  ;\n", "  \u00e9t\u00e9: string;\n", "  /* open comment\n"])
    )


@st.composite
def typescript_source(draw: st.DrawFn) -> str:
    items = []
    for name in ["DialogueStore", *draw(st.lists(st.sampled_from(HERITAGE), max_size=2))]:
        kind = draw(st.sampled_from(["interface", "abstract class", "class", "type", "declare"]))
        heritage = draw(
            st.sampled_from(
                [
                    "",
                    "DialogueReads",
                    "DialogueReads, Base",
                    "Pick<DialogueReads, 'a' | 'b'>",
                    'Omit<Base, "c">',
                    "Other<T>",
                    "Mixin(Base)",
                    "N.DialogueReads",
                ]
            )
        )
        generics = draw(st.sampled_from(["", "<T>", "<T extends object = {}>"]))
        in_class = "class" in kind
        members = "".join(draw(st.lists(typescript_member(in_class), max_size=5)))
        if kind == "type":
            item = f"export type {name}{generics} = {heritage + ' & ' if heritage else ''}{{\n{members}}};\n"
        elif kind == "declare":
            item = f'declare module "./store" {{\n  interface {name} {{\n{members}  }}\n}}\n'
        else:
            keyword = (
                "extends" if kind == "interface" or not heritage else draw(st.sampled_from(["extends", "implements"]))
            )
            clause = f" {keyword} {heritage}" if heritage else ""
            decorator = draw(st.sampled_from(["", "@Injectable()\n"])) if in_class else ""
            item = f"{decorator}export {kind} {name}{generics}{clause} {{\n{members}}}\n"
        if draw(st.integers(0, 5)) == 0:
            item = f"namespace N {{\n{item}}}\n"
        items.append(item)
    prelude = draw(
        st.sampled_from(
            [
                "",
                'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\n',
                "type ListFn = (a: string) => Promise<Round[]>;\n",
                "type Items = Round[];\n",
            ]
        )
    )
    return prelude + "\n".join(items)


SOURCES = {
    "rust": ("src/store.rs", rust_source()),
    "python": ("src/store.py", python_source()),
    "typescript": ("src/store.ts", typescript_source()),
    "tsx": ("src/store.tsx", typescript_source()),
}


@budget(150)
@given(data=st.data(), language=st.sampled_from(sorted(SOURCES)), split=st.booleans())
def test_generated_members(data: st.DataObject, language: str, split: bool) -> None:
    """A generated store through its extractor, then the whole check (with, now and then, a second
    file of the same language defining the heritage)."""
    path, strategy = SOURCES[language]
    text = data.draw(strategy)
    extracted(path, text)
    with project() as root:
        write(root, "store-gate.toml", MANIFEST.replace('"src/**/*.ts"]', '"src/**/*.ts", "src/**/*.tsx"]'))
        write(root, path, text)
        if split:
            other = data.draw(strategy).replace("DialogueStore", "DialogueReads")
            write(root, str(Path(path).with_name("reads" + Path(path).suffix)), other)
        checked(root / "store-gate.toml")


def test_the_examples_pass_unchanged(tmp_path: Path) -> None:
    """The generators' baseline: the examples, copied unchanged, check clean (else the mutation
    targets would only ever test a broken project)."""
    for example in ("blue", "python", "typescript"):
        shutil.copytree(EXAMPLES / example, tmp_path / example)
        (tmp_path / example / ".git").mkdir()
        result = checked(tmp_path / example / "store-gate.toml")
        assert result is not None and result.findings == []
