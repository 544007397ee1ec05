"""The prefilters only skip what cannot matter.

Before any parse, byte tests decide which files could define a governed trait, a named type or a
record type, which backend files could implement a governed method, which files hold a renamed
crate, and which files each structural rule reads (store_gate/prefilter.py and the rules'
`needles` / `confirm`). A test that skipped a file that matters would let a method, a type or a
finding pass unseen: the gate would fail open, and no other test would notice, because the
skipped file is exactly the one nothing looks at.

So the same check runs twice - as it is, and with every prefilter answering "maybe" (every file
read, parsed where it is needed and given to every rule) - and must report the same, byte for
byte (the JSON report: every governed method and every finding): on the examples with edited
sources, and on generated stores whose definitions are spelt the ways a byte test could miss
(comments and line breaks between the keyword and the name, raw identifiers, unicode escapes,
UTF-16, coding cookies), next to files that name the traits without defining them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzzing import EXAMPLES, MANIFEST, budget, mutated_text, project, settles, write
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from test_fuzz_sources import EXAMPLE_FILES, SOURCES, TOKENS

from store_gate import project as project_module
from store_gate.check import CheckResult, check
from store_gate.config import load
from store_gate.languages import language_of
from store_gate.project import Project, SourceCache
from store_gate.report import REPORTERS
from store_gate.rules import implementation, structural


def _every_trait(plan: Any, text: str) -> dict[str, Any] | None:
    """`_Plan.config_for` without its test of which governed traits the file names: every one."""
    if plan.store_trait is None:
        return plan.config  # type: ignore[no-any-return]
    config = dict(plan.config)
    utils = dict(config["utils"])
    pattern = f"^(?:{structural._alternation(list(plan.store_trait))})$"
    utils["store-trait"] = structural._set_regex(utils["store-trait"], pattern)
    config["utils"] = utils
    return config


@contextlib.contextmanager
def every_file_may_matter() -> Iterator[None]:
    """Every prefilter answers "maybe". What stays: a file that cannot be decoded is not handed to
    a parser (SG002 names it either way), and a file of no known language has no parser."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SourceCache, "_could_define", lambda self, path, names: True)
        patch.setattr(SourceCache, "site_words", lambda self, path: None)
        patch.setattr(
            SourceCache,
            "_may_define_types",
            lambda self, path, names: language_of(path) is not None and self.text(path) is not None,
        )
        patch.setattr(Project, "_may_define_record", lambda self, path, names: True)
        patch.setattr(project_module, "_extern_crate", lambda data: True)
        patch.setattr(structural._Plan, "wants", lambda self, path, data: True)
        patch.setattr(structural._Plan, "config_for", _every_trait)
        patch.setattr(implementation, "_names_any", lambda data, needles: True)
        yield


def _report(manifest: Path) -> dict[str, Any] | None:
    result: CheckResult | None = settles(lambda: check(load(manifest)))
    return None if result is None else json.loads(REPORTERS["json"].render([result]))


def _syntax_error(finding: dict[str, Any]) -> bool:
    return finding["code"] == "SG002" and finding["message"].startswith("syntax error")


def _seen(report: dict[str, Any]) -> dict[str, Any]:
    """What the check saw - every governed method, every finding, every waiver - less its syntax
    errors, which differ by design: a file is parsed for its traits only where a governed trait
    may be defined, so a syntax error in a file where none can be is not looked for; and a backend
    file's syntax error is worded for the calls it may hide, a store file's for the methods. The
    summary only counts."""
    findings = [f for f in report["findings"] if not _syntax_error(f)]
    return {"manifests": report["manifests"], "findings": findings, "waived": report["waived"]}


def _syntax_errors(report: dict[str, Any]) -> set[str]:
    """The files with a syntax error (where it is depends on the parser that read the file: the
    trait extractor's or the backend reader's)."""
    return {f["path"] for f in report["findings"] if _syntax_error(f)}


def _count(what: str) -> None:
    """Counted by --hypothesis-show-statistics (outside a hypothesis test: nothing to count)."""
    with contextlib.suppress(InvalidArgument):
        event(what)


def same_with_and_without_prefilters(manifest: Path) -> None:
    filtered = _report(manifest)
    with every_file_may_matter():
        unfiltered = _report(manifest)
    if filtered is None or unfiltered is None:
        assert filtered == unfiltered, "refused in one run only"
        return
    assert _syntax_errors(filtered) <= _syntax_errors(unfiltered), "a syntax error only the prefiltered run sees"
    if _syntax_errors(unfiltered) - _syntax_errors(filtered):
        # A file broken where no definition can start (`interface( DialogueStore {`) is not parsed
        # (README, "What it will not do"): what the rest of the project shows then depends on it.
        _count("compared: no - a syntax error where no definition can start")
        return
    _count("compared: yes")
    assert _seen(filtered) == _seen(unfiltered), "a prefilter skipped a file that matters"


# -- the comparison can fail ---------------------------------------------------------------------

STORE = """pub trait DialogueStore: DialogueReads {
    /// @access { op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }
    fn get(&self, dialogue_id: &str);
}
"""
READS = """pub trait /* the read side */ DialogueReads {
    fn list_everything(&self);
}
"""


def test_every_file_may_matter_parses_files_the_prefilters_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch is real: with it, a file that names no governed trait is parsed too."""
    import ast_grep_py

    import store_gate.extract.rust as rust_extractor

    parsed: list[str] = []
    real = ast_grep_py.SgRoot

    def parsing(text: str, language: str) -> object:
        parsed.append(text)
        return real(text, language)

    monkeypatch.setattr(ast_grep_py, "SgRoot", parsing)
    monkeypatch.setattr(rust_extractor, "SgRoot", parsing)
    unrelated = "pub fn helper() -> u32 { 1 }\n"
    with project() as root:
        write(root, "store-gate.toml", MANIFEST)
        write(root, "src/store.rs", STORE)
        write(root, "src/reads.rs", READS)
        write(root, "src/helper.rs", unrelated)
        check(load(root / "store-gate.toml"))
        assert unrelated not in parsed
        with every_file_may_matter():
            check(load(root / "store-gate.toml"))
        assert unrelated in parsed


def test_a_prefilter_that_skips_a_definition_is_caught() -> None:
    """A could-define test that missed `trait /* ... */ DialogueReads` would hide the supertrait
    and its undeclared method: the comparison fails on it."""
    with project() as root:
        write(root, "store-gate.toml", MANIFEST)
        write(root, "src/store.rs", STORE)
        write(root, "src/reads.rs", READS)
        same_with_and_without_prefilters(root / "store-gate.toml")
        with pytest.MonkeyPatch.context() as patch:
            real = SourceCache._could_define
            patch.setattr(
                SourceCache,
                "_could_define",
                lambda self, path, names: b"/*" not in self.data(path) and real(self, path, names),
            )
            with pytest.raises(AssertionError, match="a prefilter skipped a file that matters"):
                same_with_and_without_prefilters(root / "store-gate.toml")


# -- the examples, edited ------------------------------------------------------------------------


@budget(30)
@given(data=st.data(), which=st.lists(st.sampled_from(range(len(EXAMPLE_FILES))), min_size=1, max_size=3))
def test_example_projects_with_edited_sources(data: st.DataObject, which: list[int]) -> None:
    """Each example (stores, supertraits, named types, backends, boundaries) with one to three of
    its files edited."""
    example = EXAMPLE_FILES[which[0]][0]
    with project(example) as root:
        for i in sorted(set(which)):
            name, relative = EXAMPLE_FILES[i]
            if name != example:
                continue
            language = language_of(relative)
            assert language is not None
            text = (EXAMPLES / example / relative).read_text(encoding="utf-8")
            tokens = TOKENS["typescript" if language.name == "tsx" else language.name]
            write(root, relative, data.draw(mutated_text(text, tokens)))
        same_with_and_without_prefilters(root / "store-gate.toml")


# -- generated stores, spelt to slip past a byte test --------------------------------------------

BOUNDARIES = """
[boundaries]
paths = ["src/**/*.rs", "src/**/*.py", "src/**/*.ts", "src/**/*.tsx"]

[boundaries.backends.dynamodb]
allow = ["src/backend/**"]

[boundaries.backends.sqlite]
allow = ["src/sql/**"]
"""

# (what is replaced, what by) - each spelling is still a definition to the language's parser.
RESPELLINGS = {
    "rust": [
        ("trait ", "trait /* x */ "),
        ("trait ", "trait\n    "),
        ("trait ", "trait // x\n"),
        ("trait Dialogue", "trait r#Dialogue"),
        ("struct ", "struct /**/ "),
        ("type ", "type\n"),
    ],
    "python": [
        ("class ", "class \\\n    "),
        ("class ", "class\t"),
        ("class ", "class  "),
        ("\n", "\n# DialogueStore DialogueReads pk sk\n"),
    ],
    "typescript": [
        ("interface ", "interface /* x */ "),
        ("interface ", "interface\n"),
        ("interface Dialogue", "interface \\u0044ialogue"),
        ("interface Dialogue", "interface \\u{44}ialogue"),
        ("type ", "type /**/ "),
        ("class ", "class // x\n"),
    ],
}

# Files next to the store: they name the traits, key attributes or clients without defining a
# trait (or define one elsewhere in the tree).
NEIGHBOURS = {
    "rust": [
        "// DialogueStore, DialogueReads: see store.rs\nfn task() { let disk = 1; sort(); }\n",
        'use rusqlite::Connection;\nfn open() { let c = Connection::open("x"); }\n',
        "pub struct Round { pub pk: String, pub sort_key: String }\n",
        'const NAME: &str = "trait DialogueReads";\n',
        "pub trait DialogueReads { fn scan_all(&self); }\n",
        "extern crate async_trait as renamed;\n",
    ],
    "python": [
        "# DialogueStore, DialogueReads: see store.py\ndef task():\n    disk = sorted([])\n",
        "import boto3\nclient = boto3.client('dynamodb')\n",
        "import sqlite3\n",
        "class Round:\n    pk: str\n    sort_key: str\n",
        'NAME = "class DialogueReads"\n',
        "class DialogueReads(Protocol):\n    def scan_all(self) -> None: ...\n",
    ],
    "typescript": [
        "// DialogueStore, DialogueReads: see store.ts\nexport const task = () => [1].sort();\n",
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const c = new DynamoDBClient({});\n',
        "export interface Round { pk: string; sortKey: string }\n",
        'export const NAME = "interface DialogueReads";\n',
        "export interface DialogueReads { scanAll(): void }\n",
    ],
}

BACKENDS = {
    "rust": (
        "src/backend/dynamodb.rs",
        "impl DialogueStore for Dynamo {\n    fn get(&self, dialogue_id: &str) {\n"
        '        self.client.get_item().table_name("t").send();\n    }\n}\n',
    ),
    "python": (
        "src/backend/dynamodb.py",
        "class Dynamo(DialogueStore):\n    def get(self, dialogue_id):\n"
        '        return self.table.get_item(Key={"pk": f"DIALOGUE#{dialogue_id}", "sk": "META"})\n',
    ),
    "typescript": (
        "src/backend/dynamodb.ts",
        "export class Dynamo implements DialogueStore {\n  get(dialogueId: string) {\n"
        "    return this.client.send(new GetCommand({ TableName: 't', Key: { pk: `DIALOGUE#${dialogueId}` } }));\n"
        "  }\n}\n",
    ),
}


@st.composite
def respelt(draw: st.DrawFn, text: str, language: str) -> str:
    """The text with some of its definitions spelt differently (each occurrence chosen apart)."""
    for old, new in draw(st.lists(st.sampled_from(RESPELLINGS[language]), max_size=3)):
        parts = text.split(old)
        text = parts[0] + "".join((new if draw(st.booleans()) else old) + part for part in parts[1:])
    return text


@st.composite
def encoded(draw: st.DrawFn, text: str, language: str) -> str | bytes:
    """The text as UTF-8 mostly; now and then as UTF-16 with its mark, or (Python) in Latin-1
    under a coding cookie."""
    how = draw(st.integers(0, 7))
    if how == 0:
        return text.encode("utf-16")
    if how == 1 and language == "python":
        return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1", "replace")
    return text


@budget(60)
@given(data=st.data(), language=st.sampled_from(sorted(SOURCES)), neighbours=st.integers(0, 3), backend=st.booleans())
def test_generated_stores_spelt_to_slip_past_a_byte_test(
    data: st.DataObject, language: str, neighbours: int, backend: bool
) -> None:
    path, strategy = SOURCES[language]
    family = "typescript" if language == "tsx" else language
    suffix = Path(path).suffix
    with project() as root:
        write(
            root, "store-gate.toml", MANIFEST.replace('"src/**/*.ts"]', '"src/**/*.ts", "src/**/*.tsx"]') + BOUNDARIES
        )
        write(root, path, data.draw(encoded(data.draw(respelt(data.draw(strategy), family)), family)))
        for i in range(neighbours):
            text = data.draw(st.sampled_from(NEIGHBOURS[family]))
            folder = data.draw(st.sampled_from(["src", "src/domain", "src/sql", "src/backend"]))
            write(root, f"{folder}/n{i}{suffix}", data.draw(encoded(data.draw(respelt(text, family)), family)))
        if backend:
            backend_path, text = BACKENDS[family]
            write(root, backend_path, data.draw(respelt(text, family)))
        same_with_and_without_prefilters(root / "store-gate.toml")
