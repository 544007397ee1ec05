"""What the fuzz suite (tests/fuzz/test_fuzz_*.py) found, each as the smallest input that crashed
the gate (exit 3) or broke its one-line error contract, kept as a plain test."""

from __future__ import annotations

from pathlib import Path

import pytest

from store_gate.check import check
from store_gate.config import load
from store_gate.errors import ConfigError
from store_gate.languages import language_of
from store_gate.schema.importers import ImportProblem, import_bytes

STORE = 'pub trait DialogueStore {\n    /// @access { op = "GetItem", key = { pk = "P#{id}", sk = "META" } }\n    fn get(&self, id: &str);\n}\n'
MANIFEST = """version = 1
rules = ["governance/*.yml"]

[[store]]
trait = "DialogueStore"
paths = ["src/**/*.rs"]

[table]
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }
"""


def one_line(message: str) -> str:
    assert message.strip() and len(message.splitlines()) == 1, message
    return message


def rule_file_problem(root: Path, rule: str, cache: Path | None = None) -> str:
    """The one-line ConfigError of a project whose one user rule file holds `rule`."""
    (root / "store-gate.toml").write_text(MANIFEST)
    (root / "src").mkdir()
    (root / "src" / "store.rs").write_text(STORE)
    (root / "governance").mkdir()
    (root / "governance" / "rule.yml").write_text(rule)
    with pytest.raises(ConfigError) as raised:
        check(load(root / "store-gate.toml", cache_folder=str(cache) if cache else None))
    (problem,) = raised.value.problems
    return one_line(problem.render())


# YAML core tags on scalars PyYAML's constructors do not accept: `!!int ""` indexed the empty
# string (IndexError), `!!timestamp x` read a failed regex match (AttributeError), `!!bool x`
# looked the word up (KeyError) - in a template and in a user's rule file alike.
YAML_SCALARS = ['!!int ""', "!!float ''", "!!int _", "!!timestamp x", "!!bool maybe"]


@pytest.mark.parametrize("value", YAML_SCALARS)
def test_a_yaml_core_tag_on_a_scalar_it_cannot_read_is_an_import_problem(value: str) -> None:
    with pytest.raises(ImportProblem) as raised:
        import_bytes(f"Resources:\n  T: {value}\n".encode(), "t.yaml", "t.yaml")
    assert "at line 2 is not a valid" in one_line(raised.value.message)


@pytest.mark.parametrize("value", YAML_SCALARS)
def test_a_yaml_core_tag_on_a_scalar_it_cannot_read_in_a_users_rule_is_a_config_error(
    tmp_path: Path, value: str
) -> None:
    message = rule_file_problem(tmp_path, f"id: r\nlanguage: rust\nrule: {{ kind: {value} }}\n")
    assert "YAML: " in message and "is not a valid" in message


# python-hcl2 (8.x) fails on valid HCL whose for expression yields a number: serializing
# `{for k, v in var.m : k => 1}` concatenates the number to a string (TypeError).
@pytest.mark.parametrize("expression", ["[for x in var.l : 1]", "{for k, v in var.tags : k => 1}"])
def test_hcl_the_parser_fails_on_is_an_import_problem(expression: str) -> None:
    text = f'resource "aws_dynamodb_table" "t" {{\n  hash_key = "pk"\n  tags = {expression}\n}}\n'
    with pytest.raises(ImportProblem) as raised:
        import_bytes(text.encode(), "main.tf", "main.tf")
    assert one_line(raised.value.message).startswith("HCL: ")


# A user rule's `files` or `ignores` that is neither a glob nor a list of globs was iterated
# (`files: 5`: TypeError).
@pytest.mark.parametrize("entry", ["files: 5", "ignores: true", "files: 1.5"])
def test_a_users_rule_with_files_or_ignores_of_the_wrong_shape_is_a_config_error(tmp_path: Path, entry: str) -> None:
    message = rule_file_problem(tmp_path, f"id: r\nlanguage: rust\nrule: {{ kind: identifier }}\n{entry}\n")
    assert f"r: {entry.split(':')[0]} must be a glob or a list of globs" in message


# A user rule's id is the code of every finding it reports: empty, it printed findings without
# a code; with a newline or an escape sequence, it split a finding over two lines of text
# output or wrote to the terminal.
@pytest.mark.parametrize("rule_id", ['""', '"a\\nb"', '"a b"', '"x\\u001b[31m"', '"\\u2028"'])
def test_a_users_rule_id_that_is_not_one_printable_word_is_a_config_error(tmp_path: Path, rule_id: str) -> None:
    message = rule_file_problem(tmp_path, f"id: {rule_id}\nlanguage: rust\nrule: {{ kind: identifier }}\n")
    assert "id must be one word of printable characters" in message


# The parsed YAML of a rule file is cached as JSON: a date became a string on the way
# (`default=str`), an integer key a string key, and a surrogate pair that YAML leaves as two
# lone surrogates one character - so the second run read another rule than the first: a rule
# that was a configuration error cold passed warm.
@pytest.mark.parametrize(
    "rule",
    [
        "id: r\nlanguage: rust\nrule: { regex: 2001-01-01 }\n",
        "id: r\nlanguage: rust\nrule: { kind: identifier, 1: x }\n",
        'id: "\\ud83d\\ude00"\nlanguage: rust\nrule: { kind: identifier }\n',
    ],
)
def test_a_users_rule_reads_the_same_from_the_cache(tmp_path: Path, rule: str) -> None:
    root, cache = tmp_path / "project", tmp_path / "cache"
    root.mkdir()
    cold = rule_file_problem(root, rule, cache)
    with pytest.raises(ConfigError) as warm:
        check(load(root / "store-gate.toml", cache_folder=str(cache)))
    assert [p.render() for p in warm.value.problems] == [cold]


# Python 3.9 and 3.10's `ast.parse` raise ValueError, not SyntaxError, for a NUL character: a
# string annotation holding an escaped one (`scan: "Callable[[], \x00]"`, a valid UTF-8 file)
# crashed the check there, and so did the extractor given a text with a NUL. (3.11 raises
# SyntaxError: these pass there before the fix too; .ci/run's 3.9 pass is where they bite.)
def test_a_python_string_annotation_holding_a_nul_is_read_as_unreadable(tmp_path: Path) -> None:
    (tmp_path / "store-gate.toml").write_text(
        MANIFEST.replace("src/**/*.rs", "src/**/*.py").replace('rules = ["governance/*.yml"]\n', "")
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "store.py").write_text(
        'class DialogueStore:\n    def get(self, id: "int\\x00") -> "list[int\\x00]": ...\n    scan: "Callable[[], \\x00]"\n'
    )
    result = check(load(tmp_path / "store-gate.toml"))
    assert sorted(f.code for f in result.findings) == ["SG003", "SG101"]


def test_the_python_extractor_reports_a_nul_as_a_syntax_problem() -> None:
    language = language_of("store.py")
    assert language is not None
    text = "class DialogueStore:\n    def get(self): ...\x00\n"
    (problem,) = language.extract("store.py", text, frozenset({"DialogueStore"})).problems
    assert problem.code == "SG002" and "null bytes" in problem.message
    assert language.type_definitions("store.py", text, frozenset({"X"})) == {}


# CPython's parser gives up with MemoryError ("too complex") on some deep nestings followed by
# more text - `[` x 199, `]` x 199, then a string - where it gives SyntaxError on others.
def test_python_too_complex_for_the_parser_is_reported_not_raised() -> None:
    language = language_of("store.py")
    assert language is not None
    text = "[" * 199 + "]" * 199 + '"x"\nclass DialogueStore:\n    def get(self): ...\n'
    (problem,) = language.extract("store.py", text, frozenset({"DialogueStore"})).problems
    # Python 3.11+ gives up on the nesting ("too complex"); 3.9's parser reads it and stops at the
    # string after the list (a syntax error): SG002 either way, never an internal error
    assert problem.code == "SG002"
    assert "too complex" in problem.message or problem.message.startswith("syntax error: invalid syntax")
    assert language.type_definitions("store.py", text, frozenset({"X"})) == {}


# SG101 suggests an access pattern, binding the entity's key placeholders to a parameter whose
# type names the entity: a parameter named `été` (an identifier in Python, Rust and TypeScript,
# not in a key template) made the suggestion raise ValueError.
@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("src/store.ts", "export interface DialogueStore {\n  get(été: Round): Round[];\n}\n"),
        ("src/store.py", "class DialogueStore:\n    def get(self, été: Round) -> list[Round]: ...\n"),
        ("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, été: &Round) -> Vec<Round>;\n}\n"),
    ],
)
def test_a_suggestion_for_a_parameter_no_placeholder_can_name(tmp_path: Path, path: str, source: str) -> None:
    manifest = MANIFEST.replace('rules = ["governance/*.yml"]\n', "").replace('"src/**/*.rs"', f'"{path}"')
    (tmp_path / "store-gate.toml").write_text(
        manifest + '\n[entity.Round]\npk = "DIALOGUE#{dialogue_id}"\nsk = "ROUND#{round}"\n'
    )
    (tmp_path / "src").mkdir()
    (tmp_path / path).write_text(source, encoding="utf-8")
    (finding,) = check(load(tmp_path / "store-gate.toml")).findings
    assert finding.code == "SG101" and finding.message.startswith("DialogueStore.get has no access pattern")


# The YAML loader told a recursive alias by the size it records for each finished node, keyed by
# id(node): a node of a later document could get the id of a freed node of an earlier one, and an
# anchor still being composed then looked finished - a recursive rule document passed now and then
# (cold and warm runs disagreed). Here every node has the same id, as if every id were reused.
def test_a_recursive_yaml_alias_is_found_whatever_the_ids_of_freed_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    from store_gate import boundedyaml

    monkeypatch.setattr(boundedyaml, "id", lambda _: 0, raising=False)
    text = "a: [1, 2]\n---\nrule: &r0 { kind: identifier, inside: *r0 }\n"
    with pytest.raises(boundedyaml.YamlLimit) as raised:
        boundedyaml.load_all(text)
    assert raised.value.describe() == "the YAML alias *r0 at line 3 is inside its own anchor (a recursive document)"
