"""Hostile input against the core: the definition prefilter, the manifest's TOML scan, key templates,
quoted values, waivers under --base, partial runs and users' rules. Each slow case runs the CLI in a
process with a hang guard (`bounded`) on an input at least three times the size that was reported
slow; a test that times out is a hang, not a slow pass."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import Gate, run_cli
from test_diff import LEGACY_METHODS, Repo, git
from test_hostile import bounded, one_error

TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }
"""
GET = '\n[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "P#{id}", sk = "META" }\n'


def project(gate: Gate, files: str, extra: str = GET) -> None:
    """A manifest governing DialogueStore in the files `files` matches, with `get` declared."""
    gate.write("store-gate.toml", f'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["{files}"]\n')
    (gate.root / "store-gate.toml").write_text((gate.root / "store-gate.toml").read_text() + TABLE + extra)


def findings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return [(f["code"], f["path"], f["message"]) for f in json.loads(result.stdout)["findings"]]


# H1: the definition prefilter is linear ---------------------------------------------------------

PY_STORE = "from typing import Protocol\n\n\nclass DialogueStore(Protocol):\n    def get(self, id: str) -> None: ...\n"
TS_STORE = "export interface DialogueStore {\n  get(id: string): void;\n}\n"


@pytest.mark.parametrize(
    ("name", "store", "note"),
    [
        # 810 KB (reported: 270 KB, 112 s) - a valid Python file: the comments are inside a string
        ("store.py", PY_STORE, '# DialogueStore\nNOTE = """' + "class /* " * 90_000 + '"""\n'),
        # 480 KB (reported: 160 KB, 52 s)
        ("store.ts", TS_STORE, "// DialogueStore\nconst NOTE = `" + "interface /* " * 37_000 + "`;\n"),
        # a line of line comments, each read to the line's end by the old pattern
        ("store.ts", TS_STORE, "// DialogueStore\nconst NOTE = `" + "type // " * 100_000 + "`;\n"),
    ],
    ids=["python-unclosed-block", "typescript-unclosed-block", "typescript-line-comments"],
)
def test_many_keywords_before_an_unclosed_comment_are_read_in_linear_time(
    gate: Gate, name: str, store: str, note: str
) -> None:
    suffix = name.rsplit(".", 1)[1]
    project(gate, f"src/**/*.{suffix}")
    gate.write(f"src/{name}", store)
    (gate.root / "src" / f"note.{suffix}").write_text(note)
    assert findings(bounded("check", "--format", "json", cwd=gate.root, timeout=60)) == []


def test_a_nested_block_comment_between_trait_and_name_never_hides_the_store(gate: Gate) -> None:
    """Rust's block comments nest: the old pattern ended the comment at the first `*/` (SG001)."""
    project(gate, "src/**/*.rs")
    gate.write(
        "src/store.rs", "pub trait /* a /* nested */ comment */ DialogueStore {\n    fn get(&self, id: &str);\n}\n"
    )
    assert gate.findings() == []


def test_the_prefilter_finds_what_the_pattern_found_and_nothing_less() -> None:
    from store_gate.project import _defines, _type_definer

    names = frozenset({"Store"})
    found = [
        "trait Store",
        "class\\\nStore",
        "class\\\r\nStore",
        "interface /**/ Store",
        "type // x\nStore",
        "trait r#Store",
        "trait /* a /* b */ c */ Store",
        "class /* a /* b */ Store",
    ]
    missed = ["trait Stores", "traitStore", "xtrait Store", "trait x Store", "trait /* Store", "trait // Store"]
    assert [t for t in found if not _defines(t, names)] == []
    assert [t for t in missed if _defines(t, names)] == []
    alias = _type_definer(names)
    assert [
        t for t in ["type Store", "class /* */ Store", "Store = int", "  Store: TypeAlias = int"] if not alias(t)
    ] == []
    assert [t for t in ["typeStore", "x = Store", "type r#Store"] if alias(t)] == []


# H3, W3: a TOML syntax error on a long line ----------------------------------------------------


def test_a_syntax_error_on_a_line_of_escaped_quotes_is_one_bounded_line(gate: Gate) -> None:
    # 2.6 MB (reported: 800 KB, 23 s; 2.6 MB still running after 300 s)
    (gate.root / "store-gate.toml").write_text('version = 1\n[x."' + '\\"' * 1_300_000 + "\n")
    line = one_error(bounded("check", cwd=gate.root, timeout=60))
    assert line == (
        'invalid config: store-gate.toml:2: x."' + '\\"' * 37 + "...: TOML syntax: Illegal character '\\n' "
        "(at line 2, column 2600005)"
    )


def test_a_syntax_error_under_a_long_key_path_names_it_cut(gate: Gate) -> None:
    (gate.root / "store-gate.toml").write_text("version = 1\n[" + "abcdefghij." * 150 + "b\n")
    line = one_error(bounded("check", cwd=gate.root, timeout=60))
    assert line == (
        "invalid config: store-gate.toml:2: " + "abcdefghij." * 7 + "...: TOML syntax: Expected ']' at the end "
        "of a table declaration (at line 2, column 1653)"
    )


# H4, H5: key templates are matched without backtracking ---------------------------------------

QUERY = """
[access.DialogueStore.list]
op = "Query"
entity = "Round"
key = {{ pk = "P#{{id}}", sk = {sk} }}
limit = 10
"""


def declare_list(gate: Gate, layout_sk: str, sk: str) -> None:
    entity = f'\n[entity.Round]\npk = "P#{{id}}"\nsk = "{layout_sk}"\n'
    project(gate, "src/**/*.rs", GET + entity + QUERY.format(sk=sk))
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn get(&self, id: &str);\n    fn list(&self, id: &str) -> Vec<Round>;\n}\n",
    )


def test_a_layout_of_75_placeholders_against_a_key_that_does_not_fit(gate: Gate) -> None:
    # 75 placeholders against 180 characters (reported: 12 placeholders, 27 s; 25 never finish)
    layout = "".join(f"{{p{i}}}" for i in range(75)) + "#"
    declare_list(gate, layout, '"' + "M" * 180 + '"')
    assert findings(bounded("check", "--format", "json", cwd=gate.root, timeout=60)) == [
        (
            "SG306",
            "store-gate.toml",
            'DialogueStore.list: key sk = "'
            + "M" * 77
            + '..." does not fit entity Round\'s sk = "'
            + layout[:77]
            + "...\"; write it in the entity's layout",
        )
    ]


def test_a_layout_no_key_can_hold_is_a_config_error_naming_it(gate: Gate) -> None:
    declare_list(gate, "A" * 9000 + "{x}", '{ begins_with = "A" }')
    line = one_error(bounded("check", cwd=gate.root, timeout=60))
    assert line == (
        f"invalid config: store-gate.toml:{gate.line_of('[entity.Round]') + 2}: entity.Round.sk: "
        '"' + "A" * 77 + '..." can never be a key: its shortest value is 9001 bytes, and DynamoDB keys are at most '
        "2048 bytes (a partition key; a sort key 1024)"
    )


def test_matching_a_9000_character_layout_takes_no_time() -> None:
    """The matcher itself, past what a manifest may hold: no pattern grows with the square of it."""
    code = textwrap.dedent(
        """
        from store_gate.keytemplate import KeyTemplate as K
        layout = K.parse("A" * 9000 + "{x}")
        assert layout.admits_prefix(K.parse("A" * 8000)) and not layout.admits_prefix(K.parse("A" * 8999 + "B"))
        assert layout.admits(K.parse("A" * 9000 + "{y}")) and not layout.admits(K.parse("A" * 9000))
        many = K.parse("".join("{p%d}" % i for i in range(75)) + "#")
        assert not many.admits(K.parse("M" * 180)) and many.admits(K.parse("M" * 180 + "#"))
        """
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize(
    ("layout", "key", "full", "prefix"),
    [
        ("ROUND#{round}", "ROUND#{n}", True, True),
        ("ROUND#{round}", "ROUND#", False, True),
        ("ROUND#{round}", "ROUND#7", True, True),
        ("ROUND#{round}", "RND#", False, False),
        ("ROUND#{round}", "ROU", False, True),
        ("{a}{b}", "x", False, True),  # two placeholders take two characters at least
        ("{a}{b}", "xy", True, True),
        ("{a}#{b}", "{x}#{y}#{z}", True, True),  # a placeholder may take a '#'
        ("A{a}A", "AA", False, True),
        ("A{a}A", "AxA", True, True),
        ("A{a}B{b}B", "AxBB", False, True),
        ("A{a}B{b}B", "AxBxBB", True, True),
        ("META", "META", True, True),
        ("META", "MET", False, True),
        ("META", "META#", False, False),
    ],
)
def test_what_a_layout_admits(layout: str, key: str, full: bool, prefix: bool) -> None:
    from store_gate.keytemplate import KeyTemplate

    template, operand = KeyTemplate.parse(layout), KeyTemplate.parse(key)
    assert (template.admits(operand), template.admits_prefix(operand)) == (full, prefix)


# W3: quoted values are capped -------------------------------------------------------------------


def test_a_long_key_in_an_sg306_message_is_cut(gate: Gate) -> None:
    declare_list(gate, "ROUND#{round}", '{ begins_with = "' + "X" * 500 + '" }')
    assert gate.only("SG306").message == (
        'DialogueStore.list: key sk = "' + "X" * 77 + "...\" (begins_with) is no prefix of entity Round's sk = "
        '"ROUND#{round}"; write it in the entity\'s layout'
    )


# B24: a waiver that comes with the code it waives -----------------------------------------------

SCAN = '\n[access.DialogueStore.export_all]\nop = "Scan"\n'
EXPORT_METHOD = "    fn export_all(&self) -> Result<Vec<Round>>;\n"
WAIVER = '\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.export_all"\nreason = "the nightly export"\n'


def test_a_waiver_added_with_the_method_it_waives_is_sg104_under_base(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.manifest(extra=SCAN + WAIVER)
    repo.store(LEGACY_METHODS + EXPORT_METHOD)
    repo.commit("add export_all and waive its Scan")
    result = repo.check("--base", "main", "--format", "json")
    assert result.returncode == 1
    assert findings(result) == [
        (
            "SG104",
            "store-gate.toml",
            "waiver of SG202 for DialogueStore.export_all was added in this change with what it waives "
            "(DialogueStore.export_all): a change cannot waive its own findings; fix them, or have the manifest's "
            "owners review the waiver in a change of its own",
        )
    ]
    # Without --base the waiver is the manifest's like any other: the Scan stays waived.
    assert repo.codes() == [("SG101", f"legacy_{i}") for i in range(5)]


def test_a_waiver_at_the_base_still_waives_a_changed_method(tmp_path: Path) -> None:
    repo = Repo(tmp_path, extra=SCAN + WAIVER)
    repo.store(LEGACY_METHODS + EXPORT_METHOD)
    repo.commit("export_all, waived")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + EXPORT_METHOD.replace("(&self)", "(&self, limit: u32)"))
    repo.commit("change export_all")
    assert findings(repo.check("--base", "main", "--format", "json")) == []


def test_a_waiver_in_a_change_of_its_own_passes(tmp_path: Path) -> None:
    repo = Repo(tmp_path, extra=SCAN)
    repo.store(LEGACY_METHODS + EXPORT_METHOD)
    repo.commit("export_all")
    git(repo.root, "checkout", "-q", "-b", "waive")
    repo.manifest(extra=SCAN + WAIVER)
    repo.commit("waive the Scan of export_all")
    assert findings(repo.check("--base", "main", "--format", "json")) == []


def test_a_broad_waiver_of_an_sg2_rule_must_list_its_methods(gate: Gate) -> None:
    project(gate, "src/**/*.rs", GET + '\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.*"\nreason = "r"\n')
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    line = one_error(run_cli("check", cwd=gate.root))
    assert line == (
        f"invalid config: store-gate.toml:{gate.line_of('[[waiver]]')}: waiver[0]: a waiver of SG202 for "
        'DialogueStore.* must list the methods it covers, methods = ["..."]: a method added later must not be '
        "waived by it"
    )


# B25: a run that leaves out an error rule is partial ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "partial"),
    [
        (("--ignore", "SG2"), ["SG2"]),
        (("--select", "SG0,SG1"), ["SG2", "SG3", "SG4", "SG5", "SG7"]),
        (("--ignore", "SG306"), ["SG3"]),
        (("--ignore", "SG210,SG401"), []),  # warnings only
    ],
)
def test_leaving_out_any_error_rule_makes_the_run_partial(
    gate: Gate, args: tuple[str, ...], partial: list[str]
) -> None:
    project(gate, "src/**/*.rs")
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    document = json.loads(run_cli("check", *args, "--format", "json", cwd=gate.root).stdout)
    assert document["summary"]["partial"] == partial
    last = run_cli("check", *args, cwd=gate.root).stdout.splitlines()[-1]
    if partial:
        verb = "were" if len(partial) > 1 else "was"
        listed = partial[0] if len(partial) == 1 else ", ".join(partial[:-1]) + " and " + partial[-1]
        assert last == (
            f"No findings in the selected rules; partial run ({' '.join(args)}): {listed} {verb} "
            "not checked, so this is not a pass of the gate."
        )
    else:
        assert last == "All checks passed."


# H6: a user's rule is stopped at its budget -------------------------------------------------------

NESTED_RULE = """
id: deep-inside
language: rust
severity: warning
message: nested
rule:
  kind: identifier
  inside:
    stopBy: end
    kind: block
    inside:
      stopBy: end
      kind: block
      inside:
        stopBy: end
        kind: block
        inside:
          stopBy: end
          kind: macro_invocation
"""


def test_a_users_rule_that_would_run_for_hours_is_stopped_at_its_budget(gate: Gate) -> None:
    # 900 nested blocks (reported: 300, over 300 s; the time grows with the depth to the fourth)
    project(gate, "src/**/*.rs")
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n'))
    gate.write("governance/deep.yml", NESTED_RULE)
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    (gate.root / "src" / "deep.rs").write_text("pub fn f() " + "{ x; " * 900 + "}" * 900 + "\n")
    started = time.perf_counter()
    result = bounded("check", "--format", "json", cwd=gate.root, timeout=120)
    assert findings(result) == [
        (
            "SG005",
            "governance/deep.yml",
            "your rule deep-inside took more than its budget of 2 s per file on src/deep.rs: it was stopped there, "
            "and was not run on the 1 file after it; make it cheaper (an `inside` with `stopBy: end` is quadratic "
            "in the depth of the tree: test the node itself first, in an `all`), or raise [limits] rule_seconds",
        )
    ]
    assert time.perf_counter() - started < 60


def test_a_users_rule_runs_without_importing_from_the_checked_project(gate: Gate) -> None:
    project(gate, "src/**/*.rs")
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n'))
    gate.write(
        "governance/println.yml",
        "id: no-println\nlanguage: rust\nseverity: warning\nmessage: println! of $ARGS\n"
        "rule:\n  pattern: println!($$$ARGS)\n",
    )
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    gate.write("src/report.rs", 'pub fn show() {\n    println!("hello");\n}\n')
    marker = gate.root / "pwned"
    for module in ("ast_grep_py.py", "json.py", "queue.py"):
        gate.write(module, f"open({str(marker)!r}, 'w').write('x')\n")
    result = bounded("check", "--format", "json", cwd=gate.root, timeout=60)
    assert findings(result) == [("no-println", "src/report.rs", 'println! of "hello"')]
    assert not marker.exists()
