"""Cases the mutation testing of store_gate/rules/structural.py found untested (README, "Mutation
testing"): users' rule files that are wrong (one whole config line each), what a loaded users'
rule keeps, a users' rule that cannot be run on a file (SG005), and the built-in rules' parts
the manifest sets. Each asserts the whole result."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import Gate

from store_gate.config import load
from store_gate.errors import ConfigError
from store_gate.extract.model import SourceLocation
from store_gate.rules import structural
from store_gate.rules.worker import Outcome

RUST_RULE = "id: x\nlanguage: rust\nrule:\n  pattern: x\n"
STORE = "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str);\n}\n"
DECLARED = '\n[access.DialogueStore.get]\nop = "GetItem"\nentity = "Dialogue"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }\n'


def with_rules(gate: Gate, rules: str = '["governance/*.yml"]') -> None:
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", f"version = 1\nrules = {rules}\n", 1))


def config_error(gate: Gate) -> str:
    with pytest.raises(ConfigError) as raised:
        load(gate.root / "store-gate.toml")
    assert len(raised.value.problems) == 1
    return str(raised.value)


# A users' rule file that is wrong: one config line, naming the file, the rule's id and what to write.

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['x'] * 9)}]\n"
    for previous, name in zip(["", "a", "b", "c", "d", "e"], ["a", "b", "c", "d", "e", "f"])
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("- a\n- b\n", "a rule must be a mapping with id, language and rule"),
        ("severity: error\n", "missing id, language, rule"),
        ("id: x\n", "x: missing language, rule"),
        (
            "id: two words\nlanguage: rust\nrule:\n  pattern: x\n",
            "two words: id must be one word of printable characters, such as no-raw-sql",
        ),
        (
            "id: ''\nlanguage: rust\nrule:\n  pattern: x\n",
            "id must be one word of printable characters, such as no-raw-sql",
        ),
        (
            'id: "a\\x07b"\nlanguage: rust\nrule:\n  pattern: x\n',
            "a\\x07b: id must be one word of printable characters, such as no-raw-sql",
        ),
        (
            "id: x\nlanguage: cobol\nrule:\n  pattern: x\n",
            "x: language 'cobol' is not one of rust, python, typescript, tsx",
        ),
        (
            "id: x\nlanguage: rust\nseverity: fatal\nrule:\n  pattern: x\n",
            "x: severity 'fatal' is not one of error, warning, info, hint, off",
        ),
        (
            "id: SG999\nlanguage: rust\nrule:\n  pattern: x\n",
            "SG999: SGnnn ids are store-gate's own; give your rule another id",
        ),
        ("id: x\nlanguage: rust\nrule:\n  kind: not_a_kind_at_all\n", "x: invalid ast-grep rule: cannot get matcher"),
        ("id: x\nlanguage: rust\nfiles: 5\nrule:\n  pattern: x\n", "x: files must be a glob or a list of globs"),
        (
            "id: x\nlanguage: rust\nignores: {a: 1}\nrule:\n  pattern: x\n",
            "x: ignores must be a glob or a list of globs",
        ),
        (
            "id: x\nlanguage: rust\nrule:\n  pattern: [unclosed\n",
            "YAML syntax at line 5: expected ',' or ']', but got '<stream end>'",
        ),
        ("id: x\n\tlanguage: rust\n", "YAML syntax at line 2: found character '\\t' that cannot start any token"),
        (
            RUST_RULE + "foo: !" + "a" * 300 + "!b 1\n",
            "YAML syntax at line 5: found undefined tag handle '!" + "a" * 168 + "...",
        ),
        (LAUGHS, "YAML: YAML aliases expand the document by more than 100000 nodes at line 6"),
        (
            "id: x\x01\n",
            'YAML syntax: unacceptable character #x0001: special characters are not allowed\\n  in "<unicode string>", '
            "position 5",
        ),
    ],
    ids=[
        "a-list",
        "no-id",
        "only-an-id",
        "an-id-of-two-words",
        "an-empty-id",
        "an-unprintable-id",
        "an-unknown-language",
        "an-unknown-severity",
        "a-reserved-id",
        "an-unknown-kind",
        "files-a-number",
        "ignores-a-mapping",
        "yaml-syntax",
        "yaml-tab",
        "a-long-yaml-problem-is-cut",
        "billion-laughs",
        "a-control-character-no-line-known",
    ],
)
def test_a_wrong_users_rule_file_is_one_config_line(gate: Gate, content: str, expected: str) -> None:
    gate.manifest()
    with_rules(gate)
    gate.write("governance/r.yml", content)
    assert config_error(gate) == f"invalid config: governance/r.yml: {expected}"


def test_a_users_rule_that_is_a_number_is_one_config_line_with_ast_greps_reason(gate: Gate) -> None:
    """The reason's words are ast-grep-py's (they differ between its versions): the line is ours."""
    gate.manifest()
    with_rules(gate)
    gate.write("governance/r.yml", "id: x\nlanguage: rust\nrule: 5\n")
    line = config_error(gate)
    assert line.startswith("invalid config: governance/r.yml: x: invalid ast-grep rule: unexpected type: 'int' object ")
    assert line.endswith("'Mapping'") and "\n" not in line


def test_a_users_rule_file_that_is_not_utf8_is_one_config_line(gate: Gate) -> None:
    gate.manifest()
    with_rules(gate)
    (gate.root / "governance").mkdir()
    (gate.root / "governance" / "r.yml").write_bytes(b"id: x\xff\n")
    assert config_error(gate) == (
        "invalid config: governance/r.yml: cannot read the rule: "
        "'utf-8' codec can't decode byte 0xff in position 5: invalid start byte"
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, 'rules[0]: "governance/*.yml" matches no rule file'),
        (
            {"governance/a.yml": RUST_RULE, "governance/b.yml": f"{RUST_RULE}---\n{RUST_RULE.replace('x', 'y', 1)}"},
            "rules: rule ids used twice: x",
        ),
        (
            {
                "governance/a.yml": RUST_RULE,
                "governance/b.yml": "---\n".join([RUST_RULE] + [RUST_RULE.replace("x", "y", 1)] * 3),
            },
            "rules: rule ids used twice: x, y",
        ),
        (
            {"governance/r.yml": None},
            "rules[0]: governance/r.yml: leads outside the project (a symlink): the gate reads only inside it",
        ),
    ],
    ids=["a-glob-that-matches-nothing", "an-id-twice", "two-ids-twice-and-thrice", "a-symlink-out-of-the-project"],
)
def test_users_rule_files_wrong_together_are_one_line_at_the_manifests_rules(
    gate: Gate, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | None], expected: str
) -> None:
    gate.manifest()
    with_rules(gate)
    for path, text in files.items():
        if text is None:  # a link to a rule file outside the project
            outside = gate.root.parent / f"{gate.root.name}-outside.yml"
            outside.write_text(RUST_RULE, encoding="utf-8")
            (gate.root / path).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(outside, gate.root / path)
        else:
            gate.write(path, text)
    monkeypatch.chdir(gate.root)
    assert config_error(gate) == f"invalid config: store-gate.toml:2: {expected}"


def test_a_users_rule_file_that_leads_outside_the_project_when_it_is_read(tmp_path: Path) -> None:
    """The walk says it first; the read says it too (a link made between the two)."""
    outside = tmp_path / "outside.yml"
    outside.write_text(RUST_RULE, encoding="utf-8")
    (tmp_path / "project" / "governance").mkdir(parents=True)
    os.symlink(outside, tmp_path / "project" / "governance" / "r.yml")
    with pytest.raises(ConfigError) as raised:
        structural._user_rules(tmp_path / "project", "governance/r.yml", None)
    assert str(raised.value) == (
        "invalid config: governance/r.yml: cannot read the rule: leads outside the project (a symlink): "
        "the gate reads only inside it"
    )


# What a loaded users' rule keeps ----------------------------------------------------------------

RULES = """
id: no-unwrap
language: ts
severity: hint
message: |
  unwrap of $X
  the second line is help
note: "  return the error instead  "
files: ["src/**/*.ts", "lib/*.ts"]
ignores: src/gen/**
rule:
  pattern: $X.unwrap()
---
id: no-todo
language: Rust
rule:
  pattern: todo!()
---
id: blank
language: python
severity: "Hint"
message: "   "
rule:
  pattern: print($A)
"""


def test_a_users_rule_keeps_its_id_severity_message_note_and_globs(tmp_path: Path) -> None:
    from store_gate.config.cache import ValidationCache

    (tmp_path / "governance").mkdir()
    (tmp_path / "governance" / "rules.yml").write_text(RULES.lstrip(), encoding="utf-8")
    (tmp_path / "governance" / "more.yml").write_text(RUST_RULE, encoding="utf-8")
    loaded = structural.load_user_rules(
        tmp_path, ("governance/rules.yml", "governance/more.yml"), "store-gate.toml", 2, ValidationCache(tmp_path)
    )
    assert [
        (
            r.rule.code,
            r.rule.name,
            r.rule.severity,
            r.rule.summary,
            r.rule.builtin,
            r.rule.help,
            r.language,
            r.source,
            r.files,
            r.ignores,
            r.message,
        )
        for r in loaded
    ] == [
        (
            "no-unwrap",
            "no-unwrap",
            "info",
            "unwrap of $X",
            False,
            "return the error instead",
            "typescript",
            "governance/rules.yml",
            ("src/**/*.ts", "lib/*.ts"),
            ("src/gen/**",),
            "unwrap of $X\nthe second line is help",
        ),
        ("no-todo", "no-todo", "error", "no-todo", False, "no-todo", "rust", "governance/rules.yml", (), (), "no-todo"),
        ("blank", "blank", "info", "blank", False, "", "python", "governance/rules.yml", (), (), ""),
        ("x", "x", "error", "x", False, "x", "rust", "governance/more.yml", (), (), "x"),
    ]
    scanned = ["lib/a.ts", "lib/deep/b.ts", "src/a.ts", "src/gen/c.ts", "src/x/d.ts", "src/e.rs"]
    assert structural._rule_files(loaded[0], scanned) == ["lib/a.ts", "src/a.ts", "src/x/d.ts"]
    assert structural._rule_files(loaded[1], scanned) == scanned


def test_a_loaded_users_rules_report_fills_its_message_with_what_its_metavariables_matched(tmp_path: Path) -> None:
    """The rule's own report (a scan of its Rule), as the worker fills it."""
    from ast_grep_py import SgRoot

    from store_gate.rules.scan import Match

    (tmp_path / "governance").mkdir()
    (tmp_path / "governance" / "r.yml").write_text(
        "id: no-unwrap\nlanguage: rust\nmessage: unwrap of $X on $Y\nrule:\n  pattern: $X.unwrap()\n", encoding="utf-8"
    )
    (loaded,) = structural._user_rules(tmp_path, "governance/r.yml", None)
    assert loaded.rule.scan is not None
    node = SgRoot("fn f() { value.unwrap(); }", "rust").root().find(pattern="$X.unwrap()")
    assert node is not None
    match = Match(node, SourceLocation("src/a.rs", 1, 10), "value.unwrap()", None, None, None)  # type: ignore[arg-type]
    report = loaded.rule.scan.report(match)
    assert report is not None and (report.message, report.trait, report.method, report.symbol) == (
        "unwrap of value on $Y",
        None,
        None,
        None,
    )


# A users' rule file by file in the worker: a file it cannot be run on stops it there (SG005) ---------


@dataclass
class FakeSources:
    """The source cache, for the files a users' rule reads."""

    texts: dict[str, str | None]
    problems: dict[str, Any] = field(default_factory=dict)

    def text(self, path: str) -> str | None:
        text = self.texts[path]
        if path == "src/gone.rs":
            raise OSError("gone")
        return text


@dataclass
class FakeWorker:
    """The worker: a file's outcome from a table, and what it was asked."""

    outcomes: dict[str, Outcome]
    asked: list[tuple[str, str, str, float]] = field(default_factory=list)

    def run(self, path: str, language: str, text: str, config: Any, message: str, budget: float) -> Outcome:
        self.asked.append((path, language, text, budget))
        return self.outcomes.get(path, Outcome([]))


def users_rule(tmp_path: Path) -> structural.AstGrepRule:
    (tmp_path / "governance").mkdir(exist_ok=True)
    (tmp_path / "governance" / "r.yml").write_text(
        "id: no-todo\nlanguage: rust\nmessage: a todo\nrule:\n  pattern: todo!()\n", encoding="utf-8"
    )
    (rule,) = structural._user_rules(tmp_path, "governance/r.yml", None)
    return rule


def run_users(
    tmp_path: Path, outcomes: dict[str, Outcome], files: list[str], texts: dict[str, str | None] | None = None
) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, str, float]]]:
    from store_gate.extract.model import SourceProblem

    texts = texts or {}
    sources = FakeSources(
        {path: texts.get(path, f"// {path}\n") for path in files},
        {
            path: SourceProblem("SG002", SourceLocation(path, 1, 1), f"{path} is not UTF-8")
            for path, text in texts.items()
            if text is None
        },
    )
    worker = FakeWorker(outcomes)
    found = structural._run_users(
        users_rule(tmp_path),
        files,
        sources,  # type: ignore[arg-type]
        worker,  # type: ignore[arg-type]
        0.5,
        frozenset({"src/said.rs"}),
    )
    return [(f.path, f.line, f.column, f.code, f.message, f.symbol) for f in found], worker.asked


def test_a_users_rule_over_its_budget_on_a_file_is_sg005_naming_the_files_it_left(tmp_path: Path) -> None:
    files = ["src/a.py", "src/b.rs", "src/bad.rs", "src/said.rs", "src/gone.rs", "src/slow.rs", "src/d.rs", "src/e.rs"]
    outcomes = {
        "src/b.rs": Outcome([(2, 4, "a todo"), (6, 0, "a todo")]),
        "src/slow.rs": Outcome([], "over budget", over_budget=True),
    }
    found, asked = run_users(tmp_path, outcomes, files, {"src/bad.rs": None, "src/said.rs": None})
    assert found == [
        ("src/b.rs", 3, 5, "no-todo", "a todo", None),
        ("src/b.rs", 7, 1, "no-todo", "a todo", None),
        ("src/bad.rs", 1, 1, "SG002", "src/bad.rs is not UTF-8", None),
        (
            "governance/r.yml",
            1,
            1,
            "SG005",
            "your rule no-todo took more than its budget of 0.5 s per file on src/slow.rs: it was stopped there, "
            "and was not run on the 2 files after it; make it cheaper (an `inside` with `stopBy: end` is quadratic "
            "in the depth of the tree: test the node itself first, in an `all`), or raise [limits] rule_seconds",
            "no-todo",
        ),
    ]
    assert asked == [
        ("src/b.rs", "rust", "// src/b.rs\n", 0.5),
        ("src/gone.rs", "rust", "", 0.5),
        ("src/slow.rs", "rust", "// src/slow.rs\n", 0.5),
    ]


@pytest.mark.parametrize(
    ("files", "left"),
    [(["src/a.rs", "src/b.rs"], "the 1 file after it"), (["src/x.rs", "src/a.rs"], "the 0 files after it")],
    ids=["one-file-left", "none-left"],
)
def test_a_users_rule_the_worker_cannot_run_on_a_file_is_sg005_with_the_first_line_of_why(
    tmp_path: Path, files: list[str], left: str
) -> None:
    outcomes = {"src/a.rs": Outcome([], "the worker stopped\n(exit 1)")}
    found, _ = run_users(tmp_path, outcomes, files)
    assert found == [
        (
            "governance/r.yml",
            1,
            1,
            "SG005",
            "your rule no-todo could not be run on src/a.rs (the worker stopped\\n(exit 1)), so it was not run on "
            f"{left} either",
            "no-todo",
        )
    ]


# Users' rules through the gate ------------------------------------------------------------------

TWO_RULES = """
id: quiet
language: rust
severity: off
rule: { pattern: todo!() }
---
id: no-todo
language: rust
severity: warning
message: a todo in $F
rule: { pattern: todo!(), inside: { kind: function_item, stopBy: end, has: { field: name, pattern: $F } } }
---
id: no-unwrap
language: rust
message: unwrap of $X
rule: { pattern: $X.unwrap() }
"""

SEAL = (
    "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n\n"
    "def seal(item, data):\n    return AESGCM(KEY).encrypt(NONCE, data, item['pk'].encode())\n"
)


def test_a_users_rule_set_off_is_not_run_and_the_rules_after_it_are(gate: Gate) -> None:
    """Without [boundaries]: SG403, SG501 and SG502 are not run, the rules after them are; the
    built-in rules' findings are kept with the users'."""
    gate.manifest(DECLARED, paths='["src/**"]')
    with_rules(gate)
    gate.write("governance/rules.yml", TWO_RULES)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/jobs.rs", "pub struct Row {\n    pk: String,\n}\n\npub fn later() {\n    todo!();\n    x.unwrap();\n}\n"
    )
    gate.write("src/seal.py", SEAL)
    assert [(f.path, f.line, f.column, f.code, f.severity, f.message) for f in gate.findings()] == [
        ("src/jobs.rs", 6, 5, "no-todo", "warning", "a todo in later"),
        ("src/jobs.rs", 7, 5, "no-unwrap", "error", "unwrap of x"),
        ("src/seal.py", 5, 12, "SG503", "error", SG503_SEAL),
    ]


SG503_SEAL = (
    "seal: AESGCM(KEY).encrypt(NONCE, data, item['pk'].encode()): the AEAD's associated data is built from the "
    "physical key (the table's key attributes or an entity's key prefix), so no other backend or layout can "
    'decrypt it; bind the logical identity instead, the entity type and its domain id (such as "Dialogue|{dialogue_id}")'
)


def test_a_users_rule_with_severity_off_unquoted_is_off(tmp_path: Path) -> None:
    """ast-grep's own spelling: YAML 1.1 (PyYAML) reads `off` as false, and the rule file was refused
    with "severity False is not one of error, warning, info, hint, off"."""
    (tmp_path / "governance").mkdir()
    (tmp_path / "governance" / "r.yml").write_text(RUST_RULE + "severity: off\n", encoding="utf-8")
    (rule,) = structural._user_rules(tmp_path, "governance/r.yml", None)
    assert (rule.rule.code, rule.rule.severity) == ("x", "off")


# The built-in rules' parts the manifest sets ------------------------------------------------------


def test_sg401_a_vocabulary_word_counts_capitalised_inside_a_camel_case_name(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.readBlob]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n',
        '\n[boundaries]\nvocabulary = ["blob"]\n',
        paths='["src/**/*.ts"]',
    )
    gate.write("src/store.ts", "export interface DialogueStore {\n  readBlob(id: string): void;\n}\n")
    assert [(f.path, f.line, f.code, f.method) for f in gate.findings()] == [("src/store.ts", 2, "SG401", "readBlob")]


def test_sg402_the_manifests_backend_types_in_a_store_signature(gate: Gate) -> None:
    gate.manifest(DECLARED, '\n[boundaries]\nbackend_types = ["VaultHandle"]\n')
    gate.write(
        "src/store.rs", "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str, db: &VaultHandle);\n}\n"
    )
    assert [(f.path, f.line, f.code, f.method) for f in gate.findings()] == [("src/store.rs", 2, "SG402", "get")]


def test_sg501_a_dotted_python_module_and_a_rust_module_path_of_the_manifest(gate: Gate) -> None:
    gate.manifest(
        '\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n'
        'modules = ["corp.dynamo", "corp_db::dynamo"]\n',
        paths='["src/**"]',
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/jobs/export.py", "import corp.dynamo\n")
    gate.write("src/jobs/sweep.rs", "use corp_db::dynamo::Table;\n")
    assert [(f.path, f.line, f.code) for f in gate.findings()] == [
        ("src/jobs/export.py", 1, "SG501"),
        ("src/jobs/sweep.rs", 1, "SG501"),
    ]


def test_a_backend_without_client_modules_leaves_the_rules_after_sg501_running(gate: Gate) -> None:
    gate.manifest(
        DECLARED, '\n[boundaries]\n[boundaries.backends.vault]\nallow = ["src/vault/**"]\n', paths='["src/**"]'
    )
    gate.write("src/store.rs", STORE)
    gate.write("src/seal.py", SEAL)
    assert [(f.path, f.line, f.code) for f in gate.findings()] == [("src/seal.py", 5, "SG503")]


def test_sg503_a_literal_associated_data_is_no_key_prefix_when_no_entity_has_one(gate: Gate) -> None:
    table = '\n[table]\nname = "t"\npartition_key = { name = "pk", type = "S" }\n'
    gate.manifest("", table=table, paths='["src/**"]')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write(
        "src/seal.py",
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n\n"
        "def seal(pk, data):\n    return AESGCM(KEY).encrypt(NONCE, data, b'v1|dialogue')\n",
    )
    assert gate.findings() == []


def test_sg401_with_more_than_sixteen_store_traits(gate: Gate) -> None:
    """Past 16 governed traits a file's are found by the prefilter's index, not one by one."""
    stores = "".join(f'\n[[store]]\ntrait = "Store{i:02}"\npaths = ["src/**/*.rs"]\n' for i in range(17))
    gate.manifest(extra=stores)
    gate.write(
        "src/store.rs", "pub trait DialogueStore {}\n" + "".join(f"pub trait Store{i:02} {{}}\n" for i in range(16))
    )
    gate.write("src/s16.rs", "pub trait Store16 {\n    fn scan_all(&self);\n}\n")
    found = [(f.path, f.line, f.code, f.trait, f.method) for f in gate.findings()]
    assert found == [
        ("src/s16.rs", 2, "SG101", "Store16", "scan_all"),
        ("src/s16.rs", 2, "SG401", "Store16", "scan_all"),
    ]


def test_a_python_stub_that_spells_a_name_with_compatibility_characters_is_sg002(gate: Gate) -> None:
    gate.manifest(paths='["src/**"]')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/client.pyi", "import \uff42oto3\n")
    assert [(f.path, f.line, f.column, f.code) for f in gate.findings()] == [("src/client.pyi", 1, 8, "SG002")]


def test_sg005_cuts_a_long_reason_the_worker_gives_at_200_characters(tmp_path: Path) -> None:
    found, _ = run_users(tmp_path, {"src/a.rs": Outcome([], "why " * 80)}, ["src/a.rs"])
    assert found == [
        (
            "governance/r.yml",
            1,
            1,
            "SG005",
            f"your rule no-todo could not be run on src/a.rs ({('why ' * 50)[:197]}...), so it was not run on "
            "the 0 files after it either",
            "no-todo",
        )
    ]
