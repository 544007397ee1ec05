"""SG101's suggested declaration is one the gate accepts for that method, or it says plainly that
it is a skeleton and what is left: checked over every method of the three examples, and on the
shapes that used to go wrong (a write on an entity the method only filters by, a field path on a
type that has no such field, a cursor page on a method with no cursor)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, Gate

from store_gate.check import check
from store_gate.config import load
from store_gate.rules.suggest import Suggestion, parameter_fields, suggest

_ACCESS_TABLE = re.compile(r"(?ms)^\[access\.[^\n]*\n(?:(?!^\[).*\n?)*")


def undeclared_copy(example: str, tmp_path: Path) -> Path:
    """The example with every declaration removed: the manifest's [access.*] and each @access line."""
    root = tmp_path / example
    shutil.copytree(REPO / "examples" / example, root)
    manifest = root / "store-gate.toml"
    manifest.write_text(_ACCESS_TABLE.sub("", manifest.read_text(encoding="utf-8")), encoding="utf-8")
    for path in root.rglob("*"):
        if path.suffix in (".rs", ".py", ".ts"):
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            path.write_text("".join(line for line in lines if "@access" not in line), encoding="utf-8")
    return root


def suggestions(root: Path) -> dict[str, Suggestion]:
    project = check(load(root / "store-gate.toml")).project
    fields = parameter_fields(project, project.methods)
    return {m.qualified_name: suggest(m, project, fields) for m in project.methods}


def paste(root: Path, chosen: dict[str, Suggestion]) -> None:
    manifest = root / "store-gate.toml"
    text = manifest.read_text(encoding="utf-8")
    for name, suggestion in sorted(chosen.items()):
        trait, method = name.split(".")
        text += f"\n[access.{trait}.{method}]\n" + "\n".join(suggestion.pattern.toml_lines()) + "\n"
    manifest.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("example", ["blue", "python", "typescript"])
def test_every_complete_suggestion_for_the_examples_passes_the_gate(tmp_path: Path, example: str) -> None:
    root = undeclared_copy(example, tmp_path)
    offered = suggestions(root)
    complete = {name: s for name, s in offered.items() if not s.gaps}
    assert len(complete) * 2 >= len(offered), f"most methods get a complete suggestion: {offered}"
    paste(root, complete)
    findings = check(load(root / "store-gate.toml")).findings
    # A suggestion is built from the signature, not from the backend's code: SG7 compares the two
    # and may rightly disagree (the example's backend reads the index its declaration names).
    on_pasted = [
        (f.code, f.message)
        for f in findings
        if f.subject in complete and f.code != "SG101" and not f.code.startswith("SG7")
    ]
    assert on_pasted == []
    assert sorted(f.subject for f in findings if f.code == "SG101") == sorted(set(offered) - set(complete))


@pytest.mark.parametrize("example", ["blue", "python", "typescript"])
def test_a_skeleton_says_what_is_left_and_pasted_as_is_does_not_pass(tmp_path: Path, example: str) -> None:
    root = undeclared_copy(example, tmp_path)
    skeletons = {name: s for name, s in suggestions(root).items() if s.gaps}
    paste(root, skeletons)
    findings = check(load(root / "store-gate.toml")).findings
    flagged = {f.subject for f in findings if f.code != "SG101"}
    assert sorted(set(skeletons) - flagged) == []


# The shapes that went wrong -------------------------------------------------------------------

LAYOUT = """
[entity.User]
pk = "USER#{user_id}"
sk = "PROFILE"

[entity.Session]
pk = "USER#{user_id}"
sk = "SESSION#{session_id}"
"""


def message(gate: Gate) -> str:
    (finding,) = gate.findings()
    assert finding.code == "SG101"
    return finding.message.split("e.g. @access ", 1)[1]


def test_a_delete_by_a_filter_never_deletes_the_filters_entity(gate: Gate) -> None:
    gate.manifest(extra=LAYOUT)
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn delete_by_user_id(&self, user_id: &str);\n}\n")
    suggestion = message(gate)
    assert 'entity = "User"' not in suggestion
    assert suggestion.endswith(
        "(a skeleton to complete: name the entity it reads or writes (entity = ...) and its key)"
    )


def test_deleting_every_item_of_an_entity_reads_then_deletes_in_batches(gate: Gate) -> None:
    gate.manifest(extra=LAYOUT)
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn delete_sessions_for_user(&self, user_id: &str);\n}\n")
    assert message(gate) == (
        '{ steps = [{ op = "Query", entity = "Session", key = { pk = "USER#{user_id}", sk = { begins_with = '
        '"SESSION#" } }, page = "cursor" }, { op = "BatchWriteItem", items = [{ op = "DeleteItem", key = { pk = '
        '"{item.pk}", sk = "{item.sk}" } }] }] } (a skeleton to complete: delete_sessions_for_user deletes every '
        "Session of a partition: a loop over pages; bound it (limit = N on the Query) or waive SG209 with the bound "
        "that holds)"
    )


def test_a_field_path_only_where_the_parameters_type_has_the_field(gate: Gate) -> None:
    gate.manifest(extra=LAYOUT)
    gate.write(
        "src/store.rs",
        "pub struct Session { pub user_id: String, pub started: u64 }\n"
        "pub trait DialogueStore {\n    fn put_session(&self, session: &Session);\n}\n",
    )
    assert message(gate) == (
        '{ op = "PutItem", entity = "Session", key = { pk = "USER#{session.user_id}", sk = "SESSION#{session_id}" } } '
        "(a skeleton to complete: no parameter builds {session_id} of sk)"
    )


def test_a_record_parameter_is_not_bound_whole_to_a_key_part(gate: Gate) -> None:
    gate.manifest(extra=LAYOUT)
    gate.write(
        "src/store.rs",
        "pub struct Session { pub user_id: String, pub session_id: String }\n"
        "pub trait DialogueStore {\n    fn put_session(&self, session_id: &Session);\n}\n",
    )
    assert message(gate) == (
        '{ op = "PutItem", entity = "Session", key = { pk = "USER#{session_id.user_id}", sk = '
        '"SESSION#{session_id.session_id}" } }'
    )


def test_a_cursor_page_needs_a_cursor_or_the_suggestion_says_so(gate: Gate) -> None:
    gate.manifest(extra=LAYOUT)
    gate.write(
        "src/store.rs", "pub trait DialogueStore {\n    fn list_sessions(&self, user_id: &str) -> Vec<Session>;\n}\n"
    )
    assert message(gate).endswith(
        "(a skeleton to complete: list_sessions takes no cursor and returns none: add one (and return the next), or "
        'replace page = "cursor" with limit = N)'
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn list_sessions(&self, user_id: &str, after: Option<String>) -> Vec<Session>;\n}\n",
    )
    assert message(gate) == (
        '{ op = "Query", entity = "Session", key = { pk = "USER#{user_id}", sk = { begins_with = "SESSION#" } }, '
        'page = "cursor" }'
    )


def test_a_collection_of_ids_is_a_batch_get(gate: Gate) -> None:
    gate.manifest(extra=LAYOUT)
    gate.write(
        "src/store.rs", "pub trait DialogueStore {\n    fn get_users(&self, user_id: Vec<String>) -> Option<User>;\n}\n"
    )
    assert message(gate) == '{ op = "BatchGetItem", entity = "User", key = { pk = "USER#{user_id}", sk = "PROFILE" } }'
