"""Behaviour that a mutant of the gate could change with every other test still passing
(scripts/mutation.sh; README, "Mutation testing"). Each case is named for what a user sees and
asserts the whole list of findings."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from ast_grep_py import SgRoot
from conftest import TABLE, Gate
from test_implementation import BACKEND, PY_ACCESS, PY_STORE, PY_TABLE, RUST_ACCESS, RUST_TRAIT, TS_ACCESS, TS_STORE

from store_gate import baseline
from store_gate.app import Target, check_all, write_baselines
from store_gate.check import CheckResult
from store_gate.errors import ConfigError, ConfigProblem, UsageError
from store_gate.extract import backend, python, rust, typescript
from store_gate.extract.inline import access_declarations
from store_gate.extract.model import (
    FileExtraction,
    FunctionShape,
    Parameter,
    SourceLocation,
    SourceProblem,
    TypeDefinition,
)
from store_gate.extract.sgnodes import first_syntax_problem
from store_gate.findings import Finding

STORE = """
pub trait DialogueStore {
    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
}
"""

DECLARED = """
[access.DialogueStore.get_dialogue]
op = "GetItem"
entity = "Dialogue"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
"""

BINARY_TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "B" }
"""

BLOBS = """
pub trait DialogueStore {
    fn get_blob(&self, id: &str, digest: &[u8]) -> Result<Option<Blob>>;
}
"""


def seen(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in findings]


# SG204 only asks a read of the base table for its primary key --------------------------------


def test_a_getitem_on_an_index_is_sg203_alone_not_also_a_missing_primary_key(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.get_dialogue]\nop = "GetItem"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{dialogue_id}" }\n'
    )
    gate.write("src/store.rs", STORE)
    assert seen(gate.findings()) == [
        (
            "SG203",
            'DialogueStore.get_dialogue: GetItem cannot use index "GSI1": it addresses one item of the base table '
            'by primary key; write op = "Query" with index = "GSI1" (and limit = 1), or drop index',
        )
    ]


# SG208 on a binary (B) key ---------------------------------------------------------------------


def test_a_binary_key_written_as_text_around_a_placeholder_is_sg208(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.get_blob]\nop = "GetItem"\nkey = { pk = "BLOB#{id}", sk = "D#{digest}" }\n'
        '\n[access.DialogueStore.list_blobs]\nop = "Query"\n'
        'key = { pk = "BLOB#{id}", sk = { between = ["D#{digest}", "E#{digest}"] } }\nlimit = 10\n',
        table=BINARY_TABLE,
    )
    gate.write(
        "src/store.rs",
        BLOBS.replace("}\n", "    fn list_blobs(&self, id: &str, digest: &[u8]) -> Result<Vec<Blob>>;\n}\n"),
    )
    single = "must be a single placeholder bound to a bytes parameter"
    assert seen(gate.findings()) == [
        ("SG208", f'DialogueStore.get_blob: key "sk" is binary (B); "D#{{digest}}" {single}'),
        ("SG208", f'DialogueStore.list_blobs: key "sk" is binary (B); "D#{{digest}}" {single}'),
        ("SG208", f'DialogueStore.list_blobs: key "sk" is binary (B); "E#{{digest}}" {single}'),
    ]


def test_a_binary_key_bound_whole_to_a_bytes_parameter_passes(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.get_blob]\nop = "GetItem"\nkey = { pk = "BLOB#{id}", sk = "{digest}" }\n',
        table=BINARY_TABLE,
    )
    gate.write("src/store.rs", BLOBS)
    assert gate.findings() == []


# SG102 for a declaration under a trait the gate does not govern --------------------------------


def test_a_declaration_under_a_trait_that_is_not_governed_is_sg102(gate: Gate) -> None:
    gate.manifest(DECLARED + '\n[access.DialogueStor.get_dialogue]\nop = "GetItem"\n')
    gate.write("src/store.rs", STORE)
    assert seen(gate.findings()) == [
        (
            "SG102",
            "[access.DialogueStor.get_dialogue] names trait DialogueStor, which is not governed "
            '(governed traits: DialogueStore) (did you mean "DialogueStore"?)',
        )
    ]


# Rust: `////` is a plain comment, not documentation --------------------------------------------


def test_an_access_tag_in_a_four_slash_comment_declares_nothing(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            //// @access { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        """,
    )
    assert [(f.code, f.line) for f in gate.findings()] == [("SG101", 3)]


# SG104 cannot be baselined ---------------------------------------------------------------------


def test_a_waiver_without_a_reason_is_left_out_of_the_baseline_and_still_fails(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.manifest("", '\n[[waiver]]\nrule = "SG101"\nmethod = "DialogueStore.get_dialogue"\n')
    gate.write("src/store.rs", STORE)
    monkeypatch.chdir(gate.root)
    target = Target(paths=(".",), use_cache=False)
    outcome = write_baselines(target, update=False, allow_grow=False, reason="legacy, before the gate")
    line = gate.line_of("[[waiver]]")
    assert (outcome.left_out, outcome.lines) == (
        1,
        [
            "store-gate-baseline.json: 1 entries written",
            f"  not baselinable: store-gate.toml:{line}:1: SG104 waiver of SG101 for DialogueStore.get_dialogue "
            "has no reason; say why the exception is acceptable",
            "store-gate: 1 findings are not in the baseline and still fail (new ones need --update --allow-grow)",
        ],
    )
    (result,) = check_all(target, None)
    assert [(f.code, f.subject) for f in result.findings] == [("SG104", "DialogueStore.get_dialogue")]
    assert [(f.code, f.subject) for f in result.baselined] == [("SG101", "DialogueStore.get_dialogue")]


# SG208 on records --------------------------------------------------------------------------------

RECORDS = """
pub struct RoundKey { pub dialogue: String, pub round_key: u32 }
pub struct Round { pub dialogue_id: String, pub number: u32 }
pub trait DialogueStore {
    fn m(&self, rounds: Vec<Round>, round_key: RoundKey, first: Round) -> Result<()>;
}
"""


def test_a_collection_of_records_is_a_collection_and_a_record_suggests_the_field_named_like_it(gate: Gate) -> None:
    # `first: Round` makes Round a record the gate reads; `rounds` is still a collection of them.
    gate.manifest('[access.DialogueStore.m]\nop = "PutItem"\nkey = { pk = "D#{rounds}", sk = "R#{round_key}" }\n')
    gate.write("src/store.rs", RECORDS)
    assert seen(gate.findings()) == [
        (
            "SG208",
            'DialogueStore.m: key "pk" is bound to {rounds} (Vec<Round>: a collection); a key part takes one value, '
            "so this is one request per element: declare a BatchGetItem (or steps), or key the method on a single "
            "value",
        ),
        (
            "SG208",
            'DialogueStore.m: key "sk" is bound to {round_key}, a whole RoundKey (a record with fields dialogue, '
            "round_key); name the field the key part stands for, e.g. {round_key.round_key}",
        ),
    ]


# Which findings a waiver waives ------------------------------------------------------------------

THREE = """
pub trait DialogueStore {
    fn get(&self, id: &str) -> Result<Vec<Round>>;
    fn put(&self, id: &str) -> Result<Vec<Round>>;
    fn list(&self, id: &str) -> Result<Vec<Round>>;
}
"""
THREE_SCANS = "".join(f'\n[access.DialogueStore.{name}]\nop = "Scan"\n' for name in ("get", "put", "list"))


def waived_and_kept(gate: Gate) -> tuple[list[str], list[tuple[str, str | None]]]:
    result = gate.run()
    return (
        [f"{w.finding.code} {w.finding.method}" for w in result.waived],
        [(f.code, f.method) for f in result.findings],
    )


def test_a_trait_wide_waiver_waives_the_methods_it_lists_and_not_one_added_later(gate: Gate) -> None:
    gate.manifest(
        THREE_SCANS,
        '\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.*"\nmethods = ["get", "put"]\nreason = "legacy"\n',
    )
    gate.write("src/store.rs", THREE)
    assert waived_and_kept(gate) == (["SG202 get", "SG202 put"], [("SG202", "list")])


def test_a_waiver_of_one_method_waives_that_rule_on_that_method_only(gate: Gate) -> None:
    gate.manifest(
        THREE_SCANS,
        '\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get"\nreason = "legacy"\n'
        '\n[[waiver]]\nrule = "SG210"\nmethod = "DialogueStore.put"\nreason = "legacy"\n',
    )
    gate.write("src/store.rs", THREE)
    assert waived_and_kept(gate) == (["SG202 get"], [("SG202", "put"), ("SG202", "list"), ("SG104", "put")])


# Messages say what to write ----------------------------------------------------------------------


def test_sg101_quotes_a_method_name_that_is_not_a_bare_toml_key_in_the_table_to_write(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.ts"]')
    gate.write(
        "src/store.ts",
        'export interface DialogueStore {\n  "list.rounds"(id: string): Promise<Round | undefined>;\n}\n',
    )
    assert seen(gate.findings()) == [
        (
            "SG101",
            "DialogueStore.list.rounds has no access pattern; declare it in store-gate.toml under "
            '[access.DialogueStore."list.rounds"] or in its doc comment, e.g. @access { op = "Query", entity = '
            '"Round", key = { pk = "..." } } (a skeleton to complete: no parameter builds the partition key of Round '
            "on the table or any index: key the method on one, or add a GSI whose partition key its parameters build)",
        )
    ]


def test_sg004_names_what_to_list_in_external_a_qualified_path_whole_and_a_wrapper_by_its_base(gate: Gate) -> None:
    gate.manifest(DECLARED.replace("get_dialogue", "get"), paths='["src/**/*.ts"]')
    gate.write(
        "src/store.ts",
        'export interface DialogueStore extends Omit<Base, "x">, admin.Admin {\n'
        "  get(dialogue_id: string): Promise<Dialogue | undefined>;\n}\n",
    )
    where = 'which is defined nowhere under the store\'s paths ("src/**/*.ts"): its methods would not be governed'
    assert [(f.code, f.trait, f.line, f.message) for f in gate.findings()] == [
        (
            "SG004",
            "DialogueStore",
            1,
            f'DialogueStore extends Omit<Base, "x">, {where}; add its file to paths, or list it in [[store]] '
            'external = ["Base"] if another manifest governs it',
        ),
        (
            "SG004",
            "DialogueStore",
            1,
            f"DialogueStore extends admin.Admin, {where}; add its file to paths, or list it in [[store]] "
            'external = ["admin.Admin"] if another manifest governs it',
        ),
    ]


# SG209: which return types hand a cursor back --------------------------------------------------

PAGED_METHODS = {
    "typing_tuple": "Tuple[List[Round], Optional[str]]",
    "nested_tuple": "tuple[list[dict[str, Any]], str | None]",
    "one_element": "tuple[list[Round]]",
}


def test_a_page_of_items_and_a_cursor_hands_the_cursor_back_a_one_element_tuple_does_not(gate: Gate) -> None:
    query = 'op = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }'
    gate.manifest(
        "".join(f'\n[access.DialogueStore.{name}]\n{query}\npage = "cursor"\n' for name in PAGED_METHODS)
        + f'\n[access.DialogueStore.unannotated]\n{query}\npage = "cursor"\n'
        + f"\n[access.DialogueStore.unbounded]\n{query}\n",
        paths='["src/**/*.py"]',
    )
    gate.write(
        "src/store.py",
        "from typing import Any, List, Optional, Protocol, Tuple\n\n\nclass DialogueStore(Protocol):\n"
        + "".join(
            f"    def {name}(self, dialogue_id: str) -> {returns}: ...\n" for name, returns in PAGED_METHODS.items()
        )
        + "    def unannotated(self, dialogue_id: str): ...\n"
        + "    def unbounded(self, dialogue_id: str) -> list[Round]: ...\n",
    )
    instead = (
        "so it reads every page in one call; take the start key as a parameter (after: Option<Cursor>) and return "
        "the next one (Page<T>, or the items with a token), return a stream, or declare limit = N"
    )
    no_cursor = 'page = "cursor", but the method takes no cursor and returns none'
    assert seen(gate.findings()) == [
        ("SG209", f"DialogueStore.one_element: {no_cursor} (it returns tuple[list[Round]]), {instead}"),
        ("SG209", f"DialogueStore.unannotated: {no_cursor} (it returns nothing), {instead}"),
        (
            "SG209",
            'DialogueStore.unbounded returns a collection (list[Round]) from a Query with neither page = "cursor" '
            'nor limit; a Query returns at most 1 MB per call: add page = "cursor" or limit = N',
        ),
    ]


# SG208: each placeholder of a key part is checked, records are shown whole ---------------------

NUMBER_SORT_KEY = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "N" }
"""

PLACEHOLDERS = """
[access.DialogueStore.batch]
op = "BatchGetItem"
key = { pk = "P#{id}", sk = "{numbers}" }

[access.DialogueStore.put_empty]
op = "PutItem"
key = { pk = "P#{marker}", sk = "1" }

[access.DialogueStore.put_two]
op = "PutItem"
key = { pk = "P#{key}#{tags}", sk = "1" }

[access.DialogueStore.put_three]
op = "PutItem"
key = { pk = "P#{thing}#{tags}", sk = "1" }

[access.DialogueStore.put_wide]
op = "PutItem"
key = { pk = "P#{wide}#{eight}", sk = "1" }
"""

PLACEHOLDER_STORE = """
pub struct Marker {}
pub struct Key { pub a: String }
pub struct Wide { pub a: u8, pub b: u8, pub c: u8, pub d: u8, pub e: u8, pub f: u8, pub g: u8, pub h: u8, pub i: u8 }
pub struct Eight { pub a: u8, pub b: u8, pub c: u8, pub d: u8, pub e: u8, pub f: u8, pub g: u8, pub h: u8 }
pub trait DialogueStore {
    fn batch(&self, id: &str, numbers: Vec<u64>) -> Result<Vec<Item>>;
    fn put_empty(&self, marker: Marker) -> Result<()>;
    fn put_two(&self, key: Key, tags: Vec<String>) -> Result<()>;
    fn put_three(&self, thing: Thing, tags: Vec<String>) -> Result<()>;
    fn put_wide(&self, wide: Wide, eight: Eight) -> Result<()>;
}
"""


def test_every_placeholder_of_a_key_part_is_checked_and_a_record_is_shown_with_at_most_eight_fields(
    gate: Gate,
) -> None:
    """A batch may key on a collection of numbers; a record with no fields is still named; after a
    record or a type the gate does not know, the next placeholder is still checked."""
    gate.manifest(PLACEHOLDERS, table=NUMBER_SORT_KEY)
    gate.write("src/store.rs", PLACEHOLDER_STORE)
    collection = (
        "(Vec<String>: a collection); a key part takes one value, so this is one request per element: declare a "
        "BatchGetItem (or steps), or key the method on a single value"
    )
    whole = "name the field the key part stands for, e.g."
    assert seen(gate.findings()) == [
        (
            "SG208",
            'DialogueStore.put_empty: key "pk" is bound to {marker}, a whole Marker (a record with fields none); '
            f"{whole} {{marker.<field>}}",
        ),
        (
            "SG208",
            f'DialogueStore.put_two: key "pk" is bound to {{key}}, a whole Key (a record with fields a); {whole} {{key.a}}',
        ),
        ("SG208", f'DialogueStore.put_two: key "pk" is bound to {{tags}} {collection}'),
        ("SG208", f'DialogueStore.put_three: key "pk" is bound to {{tags}} {collection}'),
        (
            "SG208",
            'DialogueStore.put_wide: key "pk" is bound to {eight}, a whole Eight (a record with fields a, b, c, d, e, '
            f"f, g, h); {whole} {{eight.a}}",
        ),
        (
            "SG208",
            'DialogueStore.put_wide: key "pk" is bound to {wide}, a whole Wide (a record with fields a, b, c, d, e, '
            f"f, g, h, ...); {whole} {{wide.a}}",
        ),
    ]


# SG201 and SG202 say what was written and what exists -------------------------------------------


def test_sg201_lists_the_indexes_and_sg202_says_what_each_unbounded_read_reads(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.everything]\nop = "Scan"\n'
        '\n[access.DialogueStore.every_status]\nop = "Scan"\nindex = "GSI1"\n'
        '\n[access.DialogueStore.selected]\nop = "ExecuteStatement"\n'
    )
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn everything(&self) -> Result<Vec<Dialogue>>;
            fn every_status(&self) -> Result<Vec<Dialogue>>;
            fn selected(&self) -> Result<Vec<Dialogue>>;
            /// @access { op = "Query", index = "GSI2", key = { gsi1pk = "STATUS#{status}" }, limit = 5 }
            fn by_status(&self, status: Status) -> Result<Vec<Dialogue>>;
        }
        """,
    )
    instead = (
        "declare a Query on an index whose partition key the method's parameters can build (add a GSI if none fits)"
    )
    assert seen(gate.findings()) == [
        (
            "SG201",
            'DialogueStore.by_status uses index "GSI2", which the table does not define (its indexes: GSI1, ByScore, '
            'ByTime) (did you mean "GSI1"?); name one of them, or add [table.gsi.GSI2] first',
        ),
        ("SG202", f"DialogueStore.everything uses Scan, which reads all of the base table; {instead}"),
        ("SG202", f'DialogueStore.every_status uses Scan, which reads all of GSI "GSI1"; {instead}'),
        (
            "SG202",
            "DialogueStore.selected uses ExecuteStatement, a PartiQL statement, whose key condition cannot be "
            f"proved; {instead}",
        ),
    ]


# SG205 on a GSI with multi-attribute keys --------------------------------------------------------

MULTI_ATTRIBUTE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.ByDay]
partition_keys = [{ name = "tenant", type = "S" }, { name = "device", type = "S" }]
sort_keys = [{ name = "day", type = "S" }, { name = "hour", type = "S" }, { name = "at", type = "N" }]
"""

MULTI_ATTRIBUTE_KEYS = {
    "skipping_an_hour": 'key = { tenant = "{t}", device = "{d}", day = "{day}", at = { ge = "{at}" } }',
    "a_range_of_days": (
        'key = { tenant = "{t}", device = "{d}", day = { begins_with = "2026" }, hour = { ge = "{day}" }, at = "{at}" }'
    ),
    "containing_a_day": 'key = { tenant = "{t}", device = "{d}", day = { contains = "{day}" }, hour = { contains = "1" } }',
    "by_region": 'key = { tenant = "{t}", device = "{d}", region = "{day}" }',
    "some_devices": 'key = { tenant = "{t}", device = { begins_with = "{d}" } }',
    "any_device": 'key = { tenant = "{t}" }',
}


def test_sg205_multi_attribute_keys_partition_attributes_by_equality_sort_attributes_left_to_right(
    gate: Gate,
) -> None:
    gate.manifest(
        "".join(
            f'\n[access.DialogueStore.{name}]\nop = "Query"\nindex = "ByDay"\n{key}\nlimit = 10\n'
            for name, key in MULTI_ATTRIBUTE_KEYS.items()
        ),
        table=MULTI_ATTRIBUTE,
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        + "".join(
            f"    fn {name}(&self, t: &str, d: &str, day: &str, at: u64) -> Result<Vec<Reading>>;\n"
            for name in MULTI_ATTRIBUTE_KEYS
        )
        + "}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG205",
            'DialogueStore.skipping_an_hour: the sort key of GSI "ByDay" is day, hour, at, used left to right: at '
            'cannot be used without "hour"',
        ),
        (
            "SG205",
            "DialogueStore.a_range_of_days: only the last sort key attribute used may take a range; "
            '"day" comes before "at" and must be matched by equality',
        ),
        (
            "SG205",
            "DialogueStore.a_range_of_days: only the last sort key attribute used may take a range; "
            '"hour" comes before "at" and must be matched by equality',
        ),
        (
            "SG205",
            'DialogueStore.containing_a_day: "contains" on sort key "hour" is not a key condition; use one of '
            "=, <, <=, >, >=, BETWEEN, begins_with",
        ),
        (
            "SG205",
            "DialogueStore.containing_a_day: only the last sort key attribute used may take a range; "
            '"day" comes before "hour" and must be matched by equality',
        ),
        (
            "SG205",
            'DialogueStore.by_region: key condition on "region", which is not a key of GSI "ByDay" (its keys: '
            "tenant, device, day, hour, at); query an index keyed on it, or filter after the read",
        ),
        (
            "SG205",
            'DialogueStore.some_devices: the partition key "device" of GSI "ByDay" must be matched by equality, '
            "not begins_with: a Query reads exactly one partition",
        ),
        (
            "SG205",
            'DialogueStore.any_device: a Query on GSI "ByDay" needs its partition key "device" by equality; '
            'add device = "..."',
        ),
    ]


# SG206: the store's context, and every placeholder of a template --------------------------------

CONTEXT_KEYS = {
    "by_tenant": 'pk = "T#{ctx.tenant}#{id}", sk = "META"',
    "by_region": 'pk = "T#{id}#{ctx.region}", sk = "META"',
    "by_tenant_part": 'pk = "T#{ctx.tenant.name}", sk = "META"',
    "by_tenant_and_more": 'pk = "T#{ctx.tenant}#{nope}", sk = "META"',
    "by_self": 'pk = "T#{self.tenant}", sk = "META"',
}


def test_sg206_a_context_placeholder_names_one_part_of_the_context_and_the_next_placeholder_is_checked_too(
    gate: Gate,
) -> None:
    gate.manifest(
        "".join(
            f'\n[access.DialogueStore.{name}]\nop = "GetItem"\nkey = {{ {key} }}\n'
            for name, key in CONTEXT_KEYS.items()
        ),
        paths='["src/**/*.rs"]\ncontext = { tenant = "S" }',
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        + "".join(f"    fn {name}(&self, id: &str) -> Result<Option<Dialogue>>;\n" for name in CONTEXT_KEYS)
        + "}\n",
    )
    no_part = (
        'names no part of the store\'s context (context: tenant); declare it in [[store]] context = { name = "S" }'
    )
    assert seen(gate.findings()) == [
        ("SG206", f'DialogueStore.by_region: placeholder {{ctx.region}} in key "pk" {no_part}'),
        ("SG206", f'DialogueStore.by_tenant_part: placeholder {{ctx.tenant.name}} in key "pk" {no_part}'),
        (
            "SG206",
            'DialogueStore.by_tenant_and_more: placeholder {nope} in key "pk" binds to no parameter (parameters: id); '
            "rename it to a parameter, or add the parameter",
        ),
        (
            "SG206",
            'DialogueStore.by_self: placeholder {self.tenant} in key "pk" reads from self, not from the call; key it '
            "on a parameter (parameters: id), or declare it in the store's context",
        ),
    ]


# SG206: a later step keyed on an earlier step's items -------------------------------------------

FIRST_STEP = (
    '{ op = "Query", entity = "Round", key = { pk = "DIALOGUE#{id}", sk = { begins_with = "ROUND#" } }, limit = 25 }'
)
SECOND_STEP_KEYS = {
    "by_entity": '{ pk = "{Round.pk}", sk = "{Round.sk}" }',
    "by_unknown": '{ pk = "{item.pk}", sk = "{nope}" }',
    "by_deep": '{ pk = "{item.pk}", sk = "{item.sk.part}" }',
    "by_item_and_more": '{ pk = "{item.pk}#{more}", sk = "{item.sk}" }',
}


def test_sg206_a_later_step_binds_an_earlier_steps_key_attributes_by_entity_or_item_and_nothing_else(
    gate: Gate,
) -> None:
    gate.manifest(
        "".join(
            f"\n[access.DialogueStore.{name}]\nsteps = [\n  {FIRST_STEP},\n"
            f'  {{ op = "BatchWriteItem", items = [{{ op = "DeleteItem", key = {key} }}] }},\n]\n'
            for name, key in SECOND_STEP_KEYS.items()
        )
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        + "".join(f"    fn {name}(&self, id: &str) -> Result<()>;\n" for name in SECOND_STEP_KEYS)
        + "}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG206",
            'DialogueStore.by_unknown (step 2 item 1): placeholder {nope} in key "sk" binds to no parameter '
            "(parameters: id); rename it to a parameter, or add the parameter",
        ),
        (
            "SG206",
            'DialogueStore.by_deep (step 2 item 1): placeholder {item.sk.part} in key "sk" names no attribute the '
            "earlier step's items carry (their key attributes: pk, sk)",
        ),
        (
            "SG206",
            'DialogueStore.by_item_and_more (step 2 item 1): placeholder {more} in key "pk" binds to no parameter '
            "(parameters: id); rename it to a parameter, or add the parameter",
        ),
    ]


# SG208 on number (N) keys ----------------------------------------------------------------------

RANKED = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.ByRank]
partition_key = { name = "rank", type = "N" }
sort_key = { name = "score", type = "N" }
"""


def test_sg208_on_number_keys_every_attribute_and_every_operand_is_checked(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.top]\nop = "Query"\nindex = "ByRank"\n'
        'key = { score = { begins_with = "1" }, rank = "R#{rank}" }\nlimit = 10\n'
        '\n[access.DialogueStore.within]\nop = "Query"\nindex = "ByRank"\n'
        'key = { rank = "{rank}", score = { between = ["S#{low}", "{high}"] } }\nlimit = 10\n',
        table=RANKED,
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn top(&self, rank: u64) -> Result<Vec<Score>>;\n"
        "    fn within(&self, rank: u64, low: u64, high: &str) -> Result<Vec<Score>>;\n}\n",
    )
    text = 'is text; write a single placeholder such as "{n}" or a number'
    assert seen(gate.findings()) == [
        ("SG208", 'DialogueStore.top: begins_with on "score", a number (N) key; use a range (between, <, >=, ...)'),
        ("SG208", f'DialogueStore.top: key "rank" is a number (N) but "R#{{rank}}" {text}'),
        ("SG208", f'DialogueStore.within: key "score" is a number (N) but "S#{{low}}" {text}'),
        (
            "SG208",
            'DialogueStore.within: key "score" is a number (N) but is bound to {high} (&str: text); bind it to an '
            "integer or decimal parameter, or change the attribute's type",
        ),
    ]


def test_sg210_and_sg207_say_what_to_write_instead(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.get_dialogue]\nop = "GetItem"\nkey = { pk = "DIALOGUE#ONE", sk = "META" }\n'
        '\n[access.DialogueStore.by_status]\nop = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{status}" }\n'
        "limit = 10\nconsistent = true\n"
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn get_dialogue(&self) -> Result<Option<Dialogue>>;\n"
        "    fn by_status(&self, status: &str) -> Result<Vec<Dialogue>>;\n}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG210",
            'DialogueStore.get_dialogue: partition key pk = "DIALOGUE#ONE" has no placeholder, so every call lands '
            "on one partition (a hot key); put a parameter into it",
        ),
        (
            "SG207",
            'DialogueStore.by_status: consistent = true on GSI "GSI1", but GSIs support eventually consistent reads '
            "only; drop consistent, or read the base table or an LSI",
        ),
    ]


def test_a_waiver_waives_through_its_expiry_date_and_is_sg104_on_its_method_the_day_after(gate: Gate) -> None:
    import datetime as dt

    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)
    gate.manifest(
        '\n[access.DialogueStore.get]\nop = "Scan"\n\n[access.DialogueStore.put]\nop = "Scan"\n',
        f'\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get"\nreason = "legacy"\nexpires = {today}\n'
        f'\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.put"\nreason = "legacy"\nexpires = {yesterday}\n',
    )
    gate.write("src/store.rs", THREE.replace("    fn list(&self, id: &str) -> Result<Vec<Round>>;\n", ""))
    result = gate.run()
    assert [f"{w.finding.code} {w.finding.method}" for w in result.waived] == ["SG202 get"]
    assert [(f.code, f.subject, f.message) for f in result.findings] == [
        (
            "SG202",
            "DialogueStore.put",
            "DialogueStore.put uses Scan, which reads all of the base table; declare a Query on an index whose "
            "partition key the method's parameters can build (add a GSI if none fits)",
        ),
        (
            "SG104",
            "DialogueStore.put",
            f"waiver of SG202 for DialogueStore.put expired on {yesterday}; fix the finding, or renew the waiver with "
            "a new expires date",
        ),
    ]


def test_a_waiver_that_matches_nothing_is_sg104_on_its_method_or_on_no_method_for_a_path(gate: Gate) -> None:
    gate.manifest(
        DECLARED,
        '\n[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get_dialogue"\nreason = "legacy"\n'
        '\n[[waiver]]\nrule = "SG501"\npath = "src/legacy/**"\nreason = "legacy"\n',
    )
    gate.write("src/store.rs", STORE)
    unused = "matches no finding; delete it, so that it cannot silently waive a future violation"
    assert [(f.code, f.trait, f.method, f.line, f.message) for f in gate.findings()] == [
        (
            "SG104",
            "DialogueStore",
            "get_dialogue",
            gate.line_of('method = "DialogueStore.get_dialogue"') - 2,
            f"waiver of SG202 for DialogueStore.get_dialogue {unused}",
        ),
        (
            "SG104",
            None,
            None,
            gate.line_of('path = "src/legacy/**"') - 2,
            f"waiver of SG501 for path src/legacy/** {unused}",
        ),
    ]


# SG001 and SG004 point at the store and name its trait ------------------------------------------


def test_sg001_for_a_second_store_renamed_in_the_code_names_its_trait_and_every_path(gate: Gate) -> None:
    gate.manifest(DECLARED, '\n[[store]]\ntrait = "ConversationStore"\npaths = ["src/**/*.rs", "lib/**/*.rs"]\n')
    gate.write("src/store.rs", STORE)
    assert [(f.code, f.trait, f.line, f.message) for f in gate.findings()] == [
        (
            "SG001",
            "ConversationStore",
            gate.line_of('trait = "ConversationStore"'),
            'store trait ConversationStore is defined in none of the 1 files its paths ("src/**/*.rs", "lib/**/*.rs") '
            "match; if it was renamed, rename it in [[store]] trait too (the gate does not follow renames)",
        )
    ]


# The baseline: its file, its counts, its reasons (store_gate/baseline.py) ------------------------

LEGACY = "".join(f"    fn legacy_{i}(&self, id: &str) -> Result<Vec<Round>>;\n" for i in range(2))


def trait_of(*methods: str) -> str:
    return "pub trait DialogueStore {\n" + "".join(methods) + "}\n"


def method(name: str) -> str:
    return f"    fn {name}(&self, id: &str) -> Result<Vec<Round>>;\n"


def at_root(gate: Gate, monkeypatch: pytest.MonkeyPatch, base: str | None = None) -> Target:
    monkeypatch.chdir(gate.root)
    return Target(paths=(".",), base=base, use_cache=False)


def entries(gate: Gate) -> list[tuple[str, str, int, str]]:
    document = json.loads((gate.root / "store-gate-baseline.json").read_text(encoding="utf-8"))
    return [(e["code"], e["subject"], e["count"], e["reason"]) for e in document["entries"]]


def test_the_baseline_file_counts_each_methods_findings_and_is_written_beside_it_readable_by_all(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two definitions of legacy_0 (one per file) are one entry of count 2; the file is indented
    JSON ending in a newline, made under a hidden name in its own folder and renamed, with the
    user's umask (not mkstemp's 0600)."""
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    target = at_root(gate, monkeypatch)
    renamed: list[tuple[str, str]] = []
    replace = os.replace

    def recording(source: str, destination: Path) -> None:
        renamed.append((str(Path(source).parent), Path(source).name.rsplit(".", 1)[0]))
        replace(source, destination)

    monkeypatch.setattr(os, "replace", recording)
    previous = os.umask(0o022)
    try:
        outcome = write_baselines(target, update=False, allow_grow=False, reason="legacy, before the gate")
    finally:
        os.umask(previous)
    assert (outcome.lines, outcome.left_out) == (["store-gate-baseline.json: 3 entries written"], 0)
    assert renamed == [(str(gate.root), ".store-gate-baseline.json")]
    path = gate.root / "store-gate-baseline.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    entry = '    {{\n      "code": "SG101",\n      "subject": "DialogueStore.{}",\n      "count": {},\n      "reason": "{}"\n    }}'
    assert path.read_text(encoding="utf-8") == (
        '{\n  "schema_version": 2,\n  "tool": "store-gate",\n  "entries": [\n'
        + entry.format("legacy_0", 2, "legacy, before the gate")
        + ",\n"
        + entry.format("legacy_1", 1, "legacy, before the gate")
        + "\n  ]\n}\n"
    )


def test_a_baseline_write_that_fails_leaves_the_old_file_and_no_temporary_one(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = gate.root / "b.json"
    baseline.write(path, baseline.Baseline(Counter({("SG101", "A.b"): 1}), {("SG101", "A.b"): "r"}))
    before = path.read_bytes()

    def full(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(baseline.os, "replace", full)
    with pytest.raises(OSError, match="disk full"):
        baseline.write(path, baseline.Baseline(Counter({("SG101", "A.c"): 2}), {("SG101", "A.c"): "r"}))
    assert (path.read_bytes(), sorted(p.name for p in gate.root.iterdir())) == (before, ["b.json"])


def test_a_definition_beyond_the_entrys_count_is_new_and_the_others_are_accepted(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    target = at_root(gate, monkeypatch)
    write_baselines(target, update=False, allow_grow=False, reason="legacy, before the gate")
    gate.write("src/c.rs", trait_of(method("legacy_0")))
    (result,) = check_all(target, None)
    assert [(f.code, f.path) for f in result.findings] == [("SG101", "src/c.rs")]
    assert [(f.code, f.path) for f in result.baselined] == [("SG101", "src/a.rs"), ("SG101", "src/b.rs")]
    assert result.baseline_fixed == 0


def test_update_removes_fixed_entries_keeps_old_reasons_and_grows_only_when_asked(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    target = at_root(gate, monkeypatch)
    write_baselines(target, update=False, allow_grow=False, reason="legacy, before the gate")
    (gate.root / "src" / "b.rs").unlink()
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("fresh")))

    (result,) = check_all(target, None)
    assert [(f.code, f.subject) for f in result.findings] == [("SG101", "DialogueStore.fresh")]
    assert (len(result.baselined), result.baseline_fixed) == (1, 2)

    narrowed = write_baselines(target, update=True, allow_grow=False)
    fresh = gate.line_of("fn fresh", "src/a.rs")
    assert (narrowed.lines, narrowed.left_out) == (
        [
            "store-gate-baseline.json: 1 entries, 2 removed as fixed",
            f"  new: src/a.rs:{fresh}:8: SG101 {result.findings[0].message}",
            "store-gate: 1 findings are not in the baseline and still fail (new ones need --update --allow-grow)",
        ],
        1,
    )
    assert entries(gate) == [("SG101", "DialogueStore.legacy_0", 1, "legacy, before the gate")]

    grown = write_baselines(target, update=True, allow_grow=True, reason="accepted for now")
    assert (grown.lines, grown.left_out) == (["store-gate-baseline.json: 2 entries, 0 removed as fixed"], 0)
    assert entries(gate) == [
        ("SG101", "DialogueStore.fresh", 1, "accepted for now"),
        ("SG101", "DialogueStore.legacy_0", 1, "legacy, before the gate"),
    ]


def test_a_new_baseline_without_a_reason_is_refused_naming_the_first_entry(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    target = at_root(gate, monkeypatch)
    with pytest.raises(UsageError) as refused:
        write_baselines(target, update=False, allow_grow=False)
    assert str(refused.value) == (
        'baseline: SG101 DialogueStore.legacy_0 needs a reason; give one with --reason "..." '
        "(why these findings are accepted for now, for the reviewers)"
    )
    assert not (gate.root / "store-gate-baseline.json").exists()


def test_a_schema_1_baseline_counts_repeated_entries_and_update_gives_them_the_reason(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 1 had no reasons: check refuses it until `--update --reason` gives them one."""
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    one = {"code": "SG101", "subject": "DialogueStore.legacy_0", "count": 1}
    gate.write("store-gate-baseline.json", json.dumps({"schema_version": 1, "entries": [one, one]}))
    target = at_root(gate, monkeypatch)
    with pytest.raises(ConfigError):
        check_all(target, None)
    outcome = write_baselines(target, update=True, allow_grow=False, reason="migrated")
    assert (outcome.lines, outcome.left_out) == (["store-gate-baseline.json: 2 entries, 0 removed as fixed"], 0)
    assert entries(gate) == [("SG101", "DialogueStore.legacy_0", 2, "migrated")]


NOT_A_BASELINE = (
    "not a store-gate baseline (schema_version 2 with entries of code, subject, count, reason); restore it from "
    "git, or delete it and run store-gate baseline"
)


def entry(**fields: object) -> str:
    item = {"code": "SG101", "subject": "DialogueStore.legacy_0", "count": 1, "reason": "r", **fields}
    return json.dumps({"schema_version": 2, "entries": [item]})


@pytest.mark.parametrize(
    ("content", "key", "message"),
    [
        (
            "{",
            "",
            "corrupt baseline (Expecting property name enclosed in double quotes: line 1 column 2 (char 1)); "
            "restore it from git, or delete it and run store-gate baseline",
        ),
        ("[]", "entries", NOT_A_BASELINE),
        ('{"schema_version": 3, "entries": []}', "entries", NOT_A_BASELINE),
        (entry(code=101), "entries", NOT_A_BASELINE),
        (entry(count=0), "entries", NOT_A_BASELINE),
        (entry(count=1_000_000), "entries", NOT_A_BASELINE),
        (entry(count=True), "entries", NOT_A_BASELINE),
        (
            entry(reason=" "),
            "entries",
            "the entry SG101 DialogueStore.legacy_0 has no reason; an accepted finding needs one, like a waiver: "
            'run store-gate baseline --update --reason "..."',
        ),
    ],
    ids=["corrupt", "a-list", "schema-3", "numeric-code", "count-0", "count-1000000", "count-true", "no-reason"],
)
def test_a_baseline_the_gate_cannot_use_is_an_error_naming_the_file_never_an_empty_baseline(
    gate: Gate, monkeypatch: pytest.MonkeyPatch, content: str, key: str, message: str
) -> None:
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("store-gate-baseline.json", content)
    with pytest.raises(ConfigError) as refused:
        check_all(at_root(gate, monkeypatch), None)
    assert refused.value.problems == [ConfigProblem("store-gate-baseline.json", key, message)]


def test_a_baseline_named_on_the_command_line_that_is_missing_or_a_folder_is_an_error(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.manifest()
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    (gate.root / "folder.json").mkdir()
    monkeypatch.chdir(gate.root)
    problems = []
    for name in ("gone.json", "folder.json"):
        with pytest.raises(ConfigError) as refused:
            check_all(Target(paths=(".",), baseline=name, use_cache=False), None)
        problems += refused.value.problems
    assert problems == [
        ConfigProblem("gone.json", "", "baseline file not found; create it with: store-gate baseline"),
        ConfigProblem(
            "folder.json", "", "the baseline is a directory, not a regular file: the gate reads regular files only"
        ),
    ]


# --base: what changed since the base (store_gate/diff.py), checked in-process -------------------


def git(root: Path, *args: str) -> None:
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t"}
    environment = {**identity, "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": os.environ["PATH"]}
    subprocess.run(["git", *args], cwd=root, env=environment, capture_output=True, check=True)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def repository(gate: Gate, access: str = "", extra: str = "", legacy: str = "off") -> None:
    """The gate's project as the first commit of a repository, on main, then a branch `feature`."""
    gate.manifest(access, extra)
    text = (gate.root / "store-gate.toml").read_text(encoding="utf-8")
    (gate.root / "store-gate.toml").write_text(f'legacy = "{legacy}"\n' + text, encoding="utf-8")
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    git(gate.root, "checkout", "-q", "-b", "feature")


def compared(gate: Gate, monkeypatch: pytest.MonkeyPatch, base: str = "main") -> CheckResult:
    (result,) = check_all(at_root(gate, monkeypatch, base), None)
    assert result.comparison is not None
    return result


def statuses(result: CheckResult) -> dict[str, str]:
    assert result.comparison is not None
    return {method: change for (_, method), change in result.comparison.status.items()}


def test_base_sorts_methods_into_added_changed_removed_and_unchanged_and_gates_the_added_and_changed(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/store.rs", trait_of(*(method(f"legacy_{i}") for i in range(4))))
    repository(gate)
    changed = "    fn legacy_1(&self, id: &str, limit: u32) -> Result<Vec<Round>>;\n"
    gate.write("src/store.rs", trait_of(method("legacy_0"), changed, method("legacy_3"), method("fresh")))
    commit(gate.root, "change the store")
    result = compared(gate, monkeypatch)
    comparison = result.comparison
    assert comparison is not None
    assert [(f.code, f.method) for f in result.findings] == [("SG101", "legacy_1"), ("SG101", "fresh")]
    assert [(f.code, f.method) for f in result.legacy_dropped] == [("SG101", "legacy_0"), ("SG101", "legacy_3")]
    assert statuses(result) == {
        "fresh": "added",
        "legacy_0": "unchanged",
        "legacy_1": "changed",
        "legacy_3": "unchanged",
    }
    assert comparison.removed == [("DialogueStore", "legacy_2")]
    assert comparison.summary() == (
        f"compared with {comparison.base.describe()}: methods added 1, changed 1, removed 1, unchanged 2"
    )


READS = """
[access.DialogueStore.get_dialogue]
op = "GetItem"
entity = "Dialogue"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }

[access.DialogueStore.by_status]
op = "Query"
index = "GSI1"
entity = "Dialogue"
key = { gsi1pk = "STATUS#{status}" }
limit = 10

[access.DialogueStore.by_player]
op = "Query"
entity = "Score"
key = { pk = "PLAYER#{player}" }
limit = 10

[access.DialogueStore.rounds]
op = "Query"
entity = "Round"
key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
limit = 10
"""

READERS = trait_of(
    "    fn get_dialogue(&self, dialogue_id: &str) -> Result<Option<Dialogue>>;\n",
    "    fn by_status(&self, status: &str) -> Result<Vec<Dialogue>>;\n",
    "    fn by_player(&self, player: &str) -> Result<Vec<Score>>;\n",
    "    fn rounds(&self, dialogue_id: &str) -> Result<Vec<Round>>;\n",
    '    /// @access { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{id}" }, limit = 5 }\n',
    "    fn recent(&self, id: &str) -> Result<Vec<Round>>;\n",
)


def test_an_old_method_is_changed_when_its_declaration_its_index_or_its_entitys_layout_changed(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the methods' text is the base's: get_dialogue's declaration gained `consistent`,
    GSI1 became KEYS_ONLY under by_status, Score's sort key template changed under by_player.
    rounds and recent (declared inline) rest on nothing that changed."""
    gate.write("src/store.rs", READERS)
    repository(gate, READS)
    manifest = gate.root / "store-gate.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace('sk = "META" }', 'sk = "META" }\nconsistent = true')
    text = text.replace('name = "gsi1pk", type = "S" }', 'name = "gsi1pk", type = "S" }\nprojection = "KEYS_ONLY"')
    manifest.write_text(text.replace('sk = "SCORE#{game}"', 'sk = "GAME#{game}"'), encoding="utf-8")
    commit(gate.root, "change what the reads rest on")
    result = compared(gate, monkeypatch)
    assert statuses(result) == {
        "by_player": "changed",
        "by_status": "changed",
        "get_dialogue": "changed",
        "recent": "unchanged",
        "rounds": "unchanged",
    }
    assert [(f.code, f.method) for f in result.findings] == [("SG211", "by_status")]


def test_the_same_method_defined_again_in_a_second_file_is_added_both_definitions_gated(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    repository(gate)
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    commit(gate.root, "copy legacy_0")
    result = compared(gate, monkeypatch)
    assert statuses(result) == {"legacy_0": "added"}
    assert [(f.code, f.path) for f in result.findings] == [("SG101", "src/a.rs"), ("SG101", "src/b.rs")]
    assert result.legacy_dropped == []


BOUNDED = '\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n'


def test_a_finding_on_no_method_follows_legacy_only_in_a_file_that_is_the_bases_byte_for_byte(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SG501 in old.py (the base's bytes) is dropped with legacy = "off"; in touched.py (edited),
    new.py (added) and, once edited in the work tree and not committed, old.py, it is reported."""
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("src/jobs/old.py", "import boto3\n")
    gate.write("src/jobs/touched.py", "import boto3\n")
    repository(gate, "", BOUNDED)
    gate.write("src/jobs/touched.py", "import json\nimport boto3\n")
    gate.write("src/jobs/new.py", "import boto3\n")
    commit(gate.root, "touch the jobs")
    result = compared(gate, monkeypatch)
    assert [(f.code, f.path, f.line) for f in result.findings] == [
        ("SG501", "src/jobs/new.py", 1),
        ("SG501", "src/jobs/touched.py", 2),
    ]
    assert [(f.code, f.path) for f in result.legacy_dropped] == [("SG101", "src/a.rs"), ("SG501", "src/jobs/old.py")]

    gate.write("src/jobs/old.py", "import os\nimport boto3\n")
    result = compared(gate, monkeypatch)
    assert [(f.code, f.path, f.line) for f in result.findings] == [
        ("SG501", "src/jobs/new.py", 1),
        ("SG501", "src/jobs/old.py", 2),
        ("SG501", "src/jobs/touched.py", 2),
    ]
    assert [(f.code, f.path) for f in result.legacy_dropped] == [("SG101", "src/a.rs")]


def test_a_project_in_a_folder_of_the_repository_compares_its_own_files(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Gate(gate.root / "sub")
    project.manifest()
    project.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    gate.write("src/a.rs", trait_of(method("legacy_0")))  # another project's file, outside sub/
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    git(gate.root, "checkout", "-q", "-b", "feature")
    project.write("src/a.rs", trait_of(method("legacy_0"), "    fn legacy_1(&self) -> u8;\n"))
    commit(gate.root, "change legacy_1")
    result = compared(project, monkeypatch)
    assert statuses(result) == {"legacy_0": "unchanged", "legacy_1": "changed"}
    assert result.comparison is not None and result.comparison.changed == frozenset({"src/a.rs"})


def test_an_invalid_manifest_at_the_base_vouches_for_no_declaration(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/store.rs", READERS)
    repository(gate, READS)
    manifest = gate.root / "store-gate.toml"
    valid = manifest.read_text(encoding="utf-8")
    manifest.write_text("version = 1\n[[store]\n", encoding="utf-8")
    commit(gate.root, "break the manifest")
    git(gate.root, "branch", "broken")
    manifest.write_text(valid, encoding="utf-8")
    commit(gate.root, "mend it")
    result = compared(gate, monkeypatch, "broken")
    comparison = result.comparison
    assert comparison is not None and comparison.base_manifest_found is False
    assert statuses(result) == dict.fromkeys(["by_player", "by_status", "get_dialogue", "recent", "rounds"], "changed")
    assert comparison.summary() == (
        f"compared with {comparison.base.describe()}: methods added 0, changed 5, removed 0, unchanged 0"
    )


INFRA = """
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: sk, AttributeType: S }
        - { AttributeName: gsi1pk, AttributeType: S }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
        - { AttributeName: sk, KeyType: RANGE }
"""
INFRA_GSI1 = """      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
"""
BY_STATUS = trait_of(
    '    /// @access { op = "Query", index = "GSI1", key = { gsi1pk = "S#{s}" }, limit = 10 }\n',
    "    fn by_status(&self, s: &str) -> Vec<u8>;\n",
)


def test_an_old_method_over_an_index_deleted_from_the_infrastructure_file_is_changed_and_gated(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("infra.yaml", INFRA + INFRA_GSI1)
    gate.write("src/store.rs", BY_STATUS)
    gate.write(
        "store-gate.toml", 'version = 1\nlegacy = "off"\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n'
    )
    (gate.root / "store-gate.toml").write_text(
        (gate.root / "store-gate.toml").read_text(encoding="utf-8") + '[table]\nfrom = "infra.yaml"\n', encoding="utf-8"
    )
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    assert (statuses(compared(gate, monkeypatch, "HEAD")), compared(gate, monkeypatch, "HEAD").findings) == (
        {"by_status": "unchanged"},
        [],
    )
    gate.write("infra.yaml", INFRA)
    result = compared(gate, monkeypatch, "HEAD")
    assert statuses(result) == {"by_status": "changed"}
    assert [(f.code, f.method) for f in result.findings] == [("SG201", "by_status")]


LSI = '\n[table.lsi.ByName]\nsort_key = { name = "lsi2sk", type = "S" }\n'


def test_an_lsi_added_to_a_table_that_exists_at_the_base_is_sg302(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    repository(gate)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + LSI, encoding="utf-8")
    result = compared(gate, monkeypatch)
    assert [(f.code, f.path, f.line, f.message) for f in result.findings] == [
        (
            "SG302",
            "store-gate.toml",
            gate.line_of("[table.lsi.ByName]"),
            'LSI "ByName" is added to table "t", which exists at the base; DynamoDB creates LSIs only with the '
            "table: declare a GSI instead, or plan a table migration",
        )
    ]


def test_an_lsi_of_a_table_the_base_did_not_declare_is_not_sg302(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    gate.write("README", "before store-gate\n")
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "before store-gate")
    gate.manifest()
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + LSI, encoding="utf-8")
    gate.write("src/a.rs", trait_of(method("fresh")))
    commit(gate.root, "adopt store-gate")
    result = compared(gate, monkeypatch, "HEAD~1")
    assert statuses(result) == {"fresh": "added"}
    assert [(f.code, f.method) for f in result.findings] == [("SG101", "fresh")]


def test_entries_a_change_adds_to_the_baseline_or_counts_it_raises_are_sg105_at_their_lines(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """legacy_0 was accepted once at the base; the change accepts a second definition of it and
    a new method: both are SG105, the second saying by how much it grew. legacy_1's entry is as
    it was (and its method too: legacy = "off" drops its finding)."""
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    repository(gate)
    target = at_root(gate, monkeypatch)
    write_baselines(target, update=False, allow_grow=False, reason="legacy, before the gate")
    commit(gate.root, "the baseline")
    git(gate.root, "branch", "-f", "main")
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1"), method("fresh")))
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    write_baselines(target, update=True, allow_grow=True, reason="accepted for now")
    commit(gate.root, "accept the new findings")
    result = compared(gate, monkeypatch)
    rule = "a change cannot accept its own findings; fix them, or have the manifest's owners review the entry in a change of its own"
    lines = (gate.root / "store-gate-baseline.json").read_text(encoding="utf-8").splitlines()
    fresh = lines.index('      "subject": "DialogueStore.fresh",') + 1
    legacy = lines.index('      "subject": "DialogueStore.legacy_0",') + 1
    assert [(f.code, f.path, f.line, f.column, f.message) for f in result.findings] == [
        (
            "SG105",
            "store-gate-baseline.json",
            fresh,
            1,
            f"store-gate-baseline.json accepts SG101 DialogueStore.fresh, added in this change: {rule}",
        ),
        (
            "SG105",
            "store-gate-baseline.json",
            legacy,
            1,
            "store-gate-baseline.json accepts SG101 DialogueStore.legacy_0 (from 1 to 2), added in this change: "
            + rule,
        ),
    ]
    assert [(f.code, f.path, f.method) for f in result.baselined] == [
        ("SG101", "src/a.rs", "legacy_0"),
        ("SG101", "src/a.rs", "fresh"),
        ("SG101", "src/b.rs", "legacy_0"),
    ]
    assert [(f.code, f.method) for f in result.legacy_dropped] == [("SG101", "legacy_1")]


def test_a_baseline_the_change_brings_in_is_sg105_for_every_entry(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    repository(gate)
    target = at_root(gate, monkeypatch)
    write_baselines(target, update=False, allow_grow=False, reason="legacy, before the gate")
    commit(gate.root, "the baseline")
    result = compared(gate, monkeypatch)
    assert [(f.code, f.message.split(",")[0]) for f in result.findings] == [
        ("SG105", "store-gate-baseline.json accepts SG101 DialogueStore.legacy_0")
    ]


def test_when_git_cannot_list_the_changes_each_file_is_compared_with_the_base_byte_for_byte(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file then counts as changed for the methods (the base's project is read whole), and a
    finding on no method follows legacy only in a file whose bytes are the base's."""
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    gate.write("src/jobs/old.py", "import boto3\n")
    gate.write("src/jobs/touched.py", "import boto3\n")
    repository(gate, "", BOUNDED)
    gate.write("src/a.rs", trait_of(method("legacy_0"), "    fn legacy_1(&self) -> u8;\n"))
    gate.write("src/jobs/touched.py", "import json\nimport boto3\n")
    commit(gate.root, "change legacy_1 and touched.py")
    monkeypatch.setattr("store_gate.git.changed_paths", lambda *args: None)
    result = compared(gate, monkeypatch)
    assert statuses(result) == {"legacy_0": "unchanged", "legacy_1": "changed"}
    assert [(f.code, f.path, f.method) for f in result.findings] == [
        ("SG101", "src/a.rs", "legacy_1"),
        ("SG501", "src/jobs/touched.py", None),
    ]
    assert [(f.code, f.path, f.method) for f in result.legacy_dropped] == [
        ("SG101", "src/a.rs", "legacy_0"),
        ("SG501", "src/jobs/old.py", None),
    ]


def test_methods_of_a_store_file_deleted_in_the_change_are_removed(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("src/b.rs", trait_of(method("legacy_1")))
    repository(gate)
    (gate.root / "src" / "b.rs").unlink()
    commit(gate.root, "delete b.rs")
    result = compared(gate, monkeypatch)
    assert result.comparison is not None
    assert (statuses(result), result.comparison.removed) == ({"legacy_0": "unchanged"}, [("DialogueStore", "legacy_1")])


def test_a_changed_method_is_changed_while_another_file_cannot_be_read(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    repository(gate)
    (gate.root / "src" / "outside.rs").symlink_to("/etc/hostname")
    gate.write("src/a.rs", trait_of(method("legacy_0"), "    fn legacy_1(&self) -> u8;\n"))
    commit(gate.root, "change legacy_1, link a file outside")
    result = compared(gate, monkeypatch)
    assert statuses(result) == {"legacy_0": "unchanged", "legacy_1": "changed"}
    assert [(f.code, f.path, f.method) for f in result.findings] == [
        ("SG101", "src/a.rs", "legacy_1"),
        ("SG002", "src/outside.rs", None),
    ]


def test_two_definitions_of_a_method_at_the_base_and_now_are_unchanged(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("src/b.rs", trait_of(method("legacy_0")))
    gate.write("src/c.rs", "pub fn unrelated() {}\n")
    repository(gate)
    gate.write("src/c.rs", "pub fn unrelated() -> u8 { 1 }\n")
    commit(gate.root, "change an unrelated file")
    result = compared(gate, monkeypatch)
    assert (statuses(result), result.findings) == ({"legacy_0": "unchanged"}, [])


def test_a_waiver_the_base_had_still_waives_its_method_once_the_method_changed(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiver = '\n[[waiver]]\nrule = "SG101"\nmethod = "DialogueStore.legacy_0"\nreason = "migrated next quarter"\n'
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    repository(gate, "", waiver)
    gate.write("src/a.rs", trait_of("    fn legacy_0(&self) -> u8;\n"))
    commit(gate.root, "change legacy_0")
    result = compared(gate, monkeypatch)
    assert (statuses(result), result.findings) == ({"legacy_0": "changed"}, [])
    assert [(w.finding.code, w.finding.method) for w in result.waived] == [("SG101", "legacy_0")]


PYPROJECT = """
[project]
name = "dialogues"

[tool.store_gate]
version = 1
legacy = "off"

[[tool.store_gate.store]]
trait = "DialogueStore"
paths = ["src/**/*.rs"]

[tool.store_gate.table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tool.store_gate.entity.Round]
pk = "DIALOGUE#{dialogue_id}"
sk = "ROUND#{round}"

[tool.store_gate.access.DialogueStore.rounds]
op = "Query"
entity = "Round"
key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
limit = 10
"""
ROUNDS = trait_of("    fn rounds(&self, dialogue_id: &str) -> Result<Vec<Round>>;\n")


def test_a_manifest_in_pyproject_toml_edited_in_the_change_is_read_at_the_base_as_pyproject(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("pyproject.toml", PYPROJECT)
    gate.write("src/a.rs", ROUNDS)
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    gate.write("pyproject.toml", PYPROJECT.replace('name = "dialogues"', 'name = "dialogues"\nversion = "2.0"'))
    commit(gate.root, "a release")
    result = compared(gate, monkeypatch, "HEAD~1")
    assert result.comparison is not None and result.comparison.base_manifest_found
    assert (statuses(result), result.findings) == ({"rounds": "unchanged"}, [])


def test_a_manifest_that_links_to_a_shared_one_in_the_repository_is_followed_at_the_base(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Gate(gate.root / "app")
    project.manifest(DECLARED_ROUNDS)
    shared = gate.root / "shared.toml"
    (project.root / "store-gate.toml").rename(shared)
    (project.root / "store-gate.toml").symlink_to("../shared.toml")
    project.write("src/a.rs", ROUNDS)
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    shared.write_text('legacy = "off"\n' + shared.read_text(encoding="utf-8"), encoding="utf-8")
    commit(gate.root, "legacy off")
    result = compared(project, monkeypatch, "HEAD~1")
    comparison = result.comparison
    assert comparison is not None and comparison.base_manifest_found
    assert (statuses(result), comparison.notes, result.findings) == ({"rounds": "unchanged"}, [], [])


DECLARED_ROUNDS = """
[access.DialogueStore.rounds]
op = "Query"
entity = "Round"
key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
limit = 10
"""


def test_pre_push_compares_the_commit_pushed_not_the_work_tree(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    repository(gate)
    gate.write("src/a.rs", trait_of(method("legacy_0"), "    fn legacy_1(&self) -> u8;\n"))
    commit(gate.root, "change legacy_1")
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))  # undone, not committed
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "main")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "feature")
    result = compared(gate, monkeypatch)
    assert statuses(result) == {"legacy_0": "unchanged", "legacy_1": "changed"}
    assert [(f.code, f.method) for f in result.findings] == [("SG101", "legacy_1")]


def test_a_change_to_a_store_file_read_through_a_linked_folder_changes_its_methods(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git lists lib/a.rs; the gate reads it as src/shared/a.rs."""
    gate.write("lib/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    (gate.root / "src").mkdir()
    (gate.root / "src" / "shared").symlink_to("../lib")
    repository(gate)
    gate.write("lib/a.rs", trait_of(method("legacy_0"), "    fn legacy_1(&self) -> u8;\n"))
    commit(gate.root, "change legacy_1")
    result = compared(gate, monkeypatch)
    assert statuses(result) == {"legacy_0": "unchanged", "legacy_1": "changed"}
    assert [(f.code, f.path, f.method) for f in result.findings] == [("SG101", "src/shared/a.rs", "legacy_1")]


TWO_TABLES = """version = 1
legacy = "off"

[[store]]
trait = "DialogueStore"
paths = ["src/dialogues.rs"]

[[store]]
trait = "SessionStore"
paths = ["src/sessions.rs"]
table = "sessions"

[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.sessions]
name = "sessions"
partition_key = { name = "id", type = "S" }

[tables.sessions.gsi.ByUser]
partition_key = { name = "user", type = "S" }
"""
SESSIONS = (
    "pub trait SessionStore {\n"
    '    /// @access { op = "Query", index = "ByUser", key = { user = "{user}" }, limit = 10 }\n'
    "    fn by_user(&self, user: &str) -> Vec<u8>;\n}\n"
)


def test_an_old_method_is_changed_when_the_index_of_its_stores_own_table_changed(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("store-gate.toml", TWO_TABLES)
    gate.write("src/dialogues.rs", "pub trait DialogueStore {}\n")
    gate.write("src/sessions.rs", SESSIONS)
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    before = compared(gate, monkeypatch, "HEAD")
    assert (statuses(before), before.findings) == ({"by_user": "unchanged"}, [])
    gate.write("store-gate.toml", TWO_TABLES + 'projection = "KEYS_ONLY"\n')
    result = compared(gate, monkeypatch, "HEAD")
    assert statuses(result) == {"by_user": "changed"}
    assert [(f.code, f.method) for f in result.findings] == [("SG211", "by_user")]


TWO_RESOURCES = INFRA + INFRA_GSI1 + INFRA.replace("Resources:\n", "").replace("  Table:", "  Other:")


def test_a_table_imported_from_one_resource_of_several_is_read_from_that_resource_at_the_base(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("infra.yaml", TWO_RESOURCES)
    gate.write("src/store.rs", BY_STATUS)
    gate.write(
        "store-gate.toml",
        'version = 1\nlegacy = "off"\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n'
        '[table]\nfrom = "infra.yaml"\nresource = "Table"\n',
    )
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    result = compared(gate, monkeypatch, "HEAD")
    assert (statuses(result), result.findings) == ({"by_status": "unchanged"}, [])


def test_an_old_declaration_of_an_entity_the_change_defines_is_changed(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write(
        "src/store.rs",
        trait_of(
            '    /// @access { op = "Query", entity = "Session", key = { pk = "SESSION#{id}" }, limit = 5 }\n',
            "    fn sessions(&self, id: &str) -> Result<Vec<Session>>;\n",
        ),
    )
    repository(gate)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + '\n[entity.Session]\npk = "SESSION#{id}"\nsk = "META"\n',
        encoding="utf-8",
    )
    commit(gate.root, "define Session")
    result = compared(gate, monkeypatch)
    assert (statuses(result), result.findings) == ({"sessions": "changed"}, [])


def test_a_store_file_the_manifest_excludes_is_left_out_at_the_base_too(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    gate.write("src/generated/b.rs", trait_of(method("generated_0")))
    repository(gate)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text('exclude = ["src/generated/**"]\n' + manifest.read_text(encoding="utf-8"), encoding="utf-8")
    commit(gate.root, "base")
    git(gate.root, "branch", "-f", "main")
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("fresh")))
    result = compared(gate, monkeypatch)
    assert result.comparison is not None
    assert (statuses(result), result.comparison.removed) == ({"fresh": "added", "legacy_0": "unchanged"}, [])
    assert [(f.code, f.method) for f in result.findings] == [("SG101", "fresh")]


def test_a_manifest_the_base_had_as_a_link_outside_the_repository_is_a_note_and_vouches_for_nothing(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/a.rs", ROUNDS)
    (gate.root / "store-gate.toml").symlink_to("/etc/hostname")
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    (gate.root / "store-gate.toml").unlink()
    gate.manifest(DECLARED_ROUNDS)
    result = compared(gate, monkeypatch, "HEAD")
    comparison = result.comparison
    assert comparison is not None
    note = (
        "store-gate.toml cannot be read at the base (a symlink at the base to an absolute path: the gate reads "
        "only inside it): every declaration counts as changed"
    )
    assert (statuses(result), comparison.notes, result.findings) == ({"rounds": "changed"}, [note], [])
    assert comparison.summary() == (
        f"compared with {comparison.base.describe()}: methods added 0, changed 1, removed 0, unchanged 0; {note}"
    )


# SG4: the shape of the trait and of the domain model (store_gate/rules/shape.py) ----------------

SQLITE_BOUNDARIES = (
    '\n[boundaries]\ndomain = ["src/domain/**"]\n[boundaries.backends.sqlite]\nallow = ["src/backend/sqlite/**"]\n'
)


def test_sg401_and_sg402_name_the_trait_and_method_and_say_what_to_write_instead(gate: Gate) -> None:
    gate.manifest("", SQLITE_BOUNDARIES)
    gate.write(
        "src/store.rs", "pub trait DialogueStore {\n    fn query_gsi1(&self, status: &str) -> Vec<rusqlite::Row>;\n}\n"
    )
    found = [(f.code, f.column, f.trait, f.method, f.message) for f in gate.findings()]
    assert [code for code, *_ in found] == ["SG101", "SG401", "SG402", "SG501"]  # SG101's words: elsewhere
    assert found[1:] == [
        (
            "SG401",
            8,
            "DialogueStore",
            "query_gsi1",
            "DialogueStore.query_gsi1: the method name carries storage vocabulary; name it after the domain question "
            "it answers, not after the index or backend that serves it",
        ),
        (
            "SG402",
            47,
            "DialogueStore",
            "query_gsi1",
            "DialogueStore.query_gsi1 exposes the backend type rusqlite::Row in its signature; take and return domain "
            "types and convert inside the backend",
        ),
        (
            "SG501",
            47,
            None,
            None,
            'rusqlite::Row: a sqlite client is used outside the modules allowed to hold it ("src/backend/sqlite/**"); '
            "go through the store trait instead",
        ),
    ]


def test_sg403_partition_key_sort_key_and_a_key_spelt_with_a_long_s_are_physical_keys(gate: Gate) -> None:
    """One field per file: each file must be parsed for its own."""
    gate.manifest("", SQLITE_BOUNDARIES)
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    names = ("partition_key", "sort_key", "\u017fk")
    for index, name in enumerate(names):
        gate.write(
            f"src/domain/m{index}.rs", f"pub struct Dialogue {{\n    pub id: String,\n    pub {name}: String,\n}}\n"
        )
    assert [(f.code, f.path, f.line, f.symbol, f.message) for f in gate.findings()] == [
        (
            "SG403",
            f"src/domain/m{index}.rs",
            3,
            f"Dialogue.{name}",
            f"Dialogue.{name}: the domain type Dialogue carries the physical key attribute {name}; keep keys in the "
            "backend's item mapping",
        )
        for index, name in enumerate(names)
    ]


PYNAMODB_IMPORTS = """
from pynamodb.attributes import UnicodeAttribute as TextAttribute
from pynamodb.attributes import NumberAttribute  # the score
from pynamodb.attributes import (BinaryAttribute, BooleanAttribute,)


class Model:
    pass


class DialogueStore(Protocol):
    def a(self, x: TextAttribute) -> None: ...
    def b(self, x: NumberAttribute) -> None: ...
    def c(self, x: BinaryAttribute) -> None: ...
    def d(self, x: BooleanAttribute) -> Model: ...
"""


def test_sg402_python_names_imported_from_pynamodb_under_an_alias_with_a_comment_or_a_trailing_comma(
    gate: Gate,
) -> None:
    """Model is the project's own class: no backend type, though the file imports from pynamodb."""
    gate.manifest(paths='["src/*.py"]')
    gate.write("src/store.py", PYNAMODB_IMPORTS)
    found = [(f.code, f.method, f.message) for f in gate.findings()]
    assert [(code, method) for code, method, _ in found] == [
        (code, method) for method in "abcd" for code in ("SG101", "SG402")
    ]
    assert [message for code, _, message in found if code == "SG402"] == [
        f"DialogueStore.{method} exposes the backend type {name} in its signature; take and return domain types "
        "and convert inside the backend"
        for method, name in zip("abcd", ("TextAttribute", "NumberAttribute", "BinaryAttribute", "BooleanAttribute"))
    ]


def test_sg402_a_comment_after_the_opening_parenthesis_of_an_import_hides_no_name(gate: Gate) -> None:
    gate.manifest(paths='["src/*.py"]')
    gate.write(
        "src/store.py",
        "from pynamodb.attributes import (  # the attributes\n    NumberAttribute,\n)\n\n\n"
        "class DialogueStore(Protocol):\n    def c(self, x: NumberAttribute) -> None: ...\n",
    )
    assert [(f.code, f.method) for f in gate.findings()] == [("SG101", "c"), ("SG402", "c")]


# SG5: the boundaries around the trait (store_gate/rules/boundaries.py) --------------------------

BARE_TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }
"""


def test_sg501_a_module_of_two_governed_backends_names_both_and_every_glob_that_may_hold_it(gate: Gate) -> None:
    gate.manifest(
        "",
        '\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.sqlite]\nallow = ["src/backend/sqlite/**", '
        '"src/migrations/**"]\n[boundaries.backends.postgres]\nallow = ["src/pg/**"]\n',
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/c.rs", "use sqlx::{sqlite::SqlitePool, Row};\n")
    assert [(f.code, f.path, f.line, f.message) for f in gate.findings()] == [
        (
            "SG501",
            "src/c.rs",
            1,
            "use sqlx::{sqlite::SqlitePool, Row};: a sqlx (sqlite/postgres) client is used outside the modules allowed "
            'to hold it ("src/backend/sqlite/**", "src/migrations/**", "src/pg/**"); go through the store trait instead',
        )
    ]


def test_sg502_and_sg503_without_entity_templates_any_upper_case_prefix_is_a_key_format(gate: Gate) -> None:
    gate.manifest(
        "", '\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.sqlite]\nallow = ["src/db/**"]\n', BARE_TABLE
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write(
        "src/envelope.rs",
        'pub fn seal(id: &str) { let _ = key().seal_in_place_append_tag(n(), Aad::from(format!("USER#{id}").as_bytes()), &mut b()); }\n',
    )
    assert [(f.code, f.column, f.symbol, f.message) for f in gate.findings()] == [
        (
            "SG503",
            69,
            "seal",
            'seal: Aad::from(format!("USER#{id}").as_bytes()): the AEAD\'s associated data is built from the physical '
            "key (the table's key attributes or an entity's key prefix), so no other backend or layout can decrypt it; "
            'bind the logical identity instead, the entity type and its domain id (such as "Dialogue|{dialogue_id}")',
        ),
        (
            "SG502",
            87,
            None,
            '"USER#{id}" spells a physical key format outside the backend; let the backend build keys from the '
            "manifest's entity templates",
        ),
    ]


def test_sg503_the_message_names_the_type_and_method_or_nothing_at_module_level(gate: Gate) -> None:
    gate.manifest(DECLARED, paths='["src/**"]')
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.py",
        """
        SEALED = AESGCM(KEY).encrypt(NONCE, DATA, ITEM["pk"].encode())


        class Envelope:
            def seal(self, item, data):
                return AESGCM(KEY).encrypt(NONCE, data, item["sk"].encode())
        """,
    )
    rest = (
        ": the AEAD's associated data is built from the physical key (the table's key attributes or an entity's key "
        "prefix), so no other backend or layout can decrypt it; bind the logical identity instead, the entity type "
        'and its domain id (such as "Dialogue|{dialogue_id}")'
    )
    assert [(f.code, f.line, f.symbol, f.message) for f in gate.findings()] == [
        ("SG503", 1, None, 'AESGCM(KEY).encrypt(NONCE, DATA, ITEM["pk"].encode())' + rest),
        ("SG503", 6, "Envelope.seal", 'Envelope.seal: AESGCM(KEY).encrypt(NONCE, data, item["sk"].encode())' + rest),
    ]


def test_sg503_an_aad_from_the_manifests_prefix_alone_and_a_typescript_encrypt_without_one(gate: Gate) -> None:
    """envelope.rs names no key attribute, only DIALOGUE#; crypto.ts encrypts with no additionalData."""
    gate.manifest(DECLARED, paths='["src/**"]')
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.rs",
        'pub fn seal(id: &str) { let _ = key().seal_in_place_append_tag(n(), Aad::from(format!("DIALOGUE#{id}").as_bytes()), &mut b()); }\n',
    )
    gate.write("src/crypto.ts", "export const encrypt = (data: Uint8Array) => subtle.encrypt(ALGORITHM, KEY, data);\n")
    assert [(f.code, f.path, f.symbol) for f in gate.findings()] == [("SG503", "src/envelope.rs", "seal")]


def test_sg402_a_rust_transaction_imported_from_rusqlite_needs_no_python_import(gate: Gate) -> None:
    """`Transaction` is ambiguous only in Python, where a project may define its own."""
    gate.manifest()
    gate.write(
        "src/store.rs",
        "use rusqlite::Transaction;\npub trait DialogueStore {\n    fn m(&self, tx: &Transaction) -> u8;\n}\n",
    )
    assert [(f.code, f.line, f.method) for f in gate.findings()] == [("SG101", 3, "m"), ("SG402", 3, "m")]


def test_sg503_a_name_bound_from_the_key_in_a_class_body_binds_no_function_and_a_later_function_still_counts(
    gate: Gate,
) -> None:
    """The class attribute `aad` is neither a module-level name nor a local of `other`; seal's own is."""
    gate.manifest(DECLARED, paths='["src/**"]')
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.py",
        """
        class Config:
            aad = ITEM["pk"].encode()


        def other(data):
            aad = b"Dialogue|1"
            return AESGCM(KEY).encrypt(NONCE, data, aad)


        def seal(item, data):
            aad = item["pk"].encode()
            return AESGCM(KEY).encrypt(NONCE, data, aad)
        """,
    )
    assert [(f.code, f.line, f.symbol) for f in gate.findings()] == [("SG503", 12, "seal")]


def test_a_waiver_added_with_the_change_it_waives_is_sg104_on_its_method_and_one_the_base_had_is_not(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = '\n[[waiver]]\nrule = "SG101"\nmethod = "DialogueStore.legacy_0"\nreason = "migrated next quarter"\n'
    new = '\n[[waiver]]\nrule = "SG101"\nmethod = "DialogueStore.legacy_1"\nreason = "migrated next quarter"\n'
    gate.write("src/a.rs", trait_of(method("legacy_0"), method("legacy_1")))
    repository(gate, "", old)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + new, encoding="utf-8")
    gate.write("src/a.rs", trait_of("    fn legacy_0(&self) -> u8;\n", "    fn legacy_1(&self) -> u8;\n"))
    commit(gate.root, "change both methods, waive legacy_1")
    result = compared(gate, monkeypatch)
    assert statuses(result) == {"legacy_0": "changed", "legacy_1": "changed"}
    assert [(f.code, f.path, f.line, f.trait, f.method, f.message) for f in result.findings] == [
        (
            "SG104",
            "store-gate.toml",
            gate.line_of('method = "DialogueStore.legacy_1"') - 2,
            "DialogueStore",
            "legacy_1",
            "waiver of SG101 for DialogueStore.legacy_1 was added in this change with what it waives "
            "(DialogueStore.legacy_1): a change cannot waive its own findings; fix them, or have the manifest's "
            "owners review the waiver in a change of its own",
        )
    ]
    assert [(w.finding.code, w.finding.method) for w in result.waived] == [("SG101", "legacy_0"), ("SG101", "legacy_1")]


def test_a_path_waiver_added_with_the_files_it_waives_lists_three_of_them_and_how_many_more(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    repository(gate, "", BOUNDED)
    manifest = gate.root / "store-gate.toml"
    waiver = '\n[[waiver]]\nrule = "SG501"\npath = "src/jobs/**"\nreason = "the jobs move behind the trait next"\n'
    manifest.write_text(manifest.read_text(encoding="utf-8") + waiver, encoding="utf-8")
    for name in "abcd":
        gate.write(f"src/jobs/{name}.py", "import boto3\n")
    commit(gate.root, "jobs, waived")
    rest = (
        "a change cannot waive its own findings; fix them, or have the manifest's owners review the waiver in a "
        "change of its own"
    )
    line = gate.line_of('path = "src/jobs/**"') - 2
    result = compared(gate, monkeypatch)
    assert [(f.code, f.line, f.trait, f.method, f.message) for f in result.findings] == [
        (
            "SG104",
            line,
            None,
            None,
            "waiver of SG501 for path src/jobs/** was added in this change with what it waives (src/jobs/a.py, "
            f"src/jobs/b.py, src/jobs/c.py and 1 more): {rest}",
        )
    ]
    (gate.root / "src" / "jobs" / "d.py").unlink()
    assert [f.message for f in compared(gate, monkeypatch).findings] == [
        "waiver of SG501 for path src/jobs/** was added in this change with what it waives (src/jobs/a.py, "
        f"src/jobs/b.py, src/jobs/c.py): {rest}"
    ]


# SG601 and SG602: which items a write changes and counts (store_gate/rules/copies.py) ------------

COPIES = """
[entity.Recommendation]
pk = "DIALOGUE#{dialogue_id}"
sk = "RECOMMENDATION#{recommendation_id}"
attributes = ["title", "text"]

[entity.Verdict]
pk = "DIALOGUE#{dialogue_id}"
sk = "VERDICT#{verdict_id}"
attributes = ["status", "recommendation_ids"]

[entity.Verdict.copies]
recommendation_titles = { from = "Recommendation.title", via = "recommendation_ids" }
"""

COPYING_STORE = """
pub trait DialogueStore {
    fn put_recommendation(&self, dialogue_id: &str, recommendation_id: &str, verdict_id: &str, round: &str) -> Result<()>;
}
"""


def item(op: str, entity: str, key: str) -> str:
    return f'    {{ op = "{op}", entity = "{entity}", key = {{ {key} }} }},\n'


RECOMMENDATION_KEY = 'pk = "DIALOGUE#{dialogue_id}", sk = "RECOMMENDATION#{recommendation_id}"'
VERDICT_KEY = 'pk = "DIALOGUE#{dialogue_id}", sk = "VERDICT#{verdict_id}"'
ROUND_KEY = 'pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}"'
DIALOGUE_KEY = 'pk = "DIALOGUE#{dialogue_id}", sk = "META"'


def copying(gate: Gate, pattern: str, extra: str = "") -> list[tuple[str, str]]:
    gate.manifest(f"\n[access.DialogueStore.put_recommendation]\n{pattern}", COPIES + extra)
    gate.write("src/store.rs", COPYING_STORE)
    return seen(gate.findings())


def transaction(*items: str) -> str:
    return 'op = "TransactWriteItems"\nitems = [\n' + "".join(items) + "]\n"


def test_a_condition_check_is_an_item_of_a_transaction_write(gate: Gate) -> None:
    """A bug: the manifest refused the ConditionCheck the README lists among a TransactWriteItems'
    items (exit 2), so no pattern that checks a condition in its transaction could be declared."""
    pattern = transaction(item("PutItem", "Round", ROUND_KEY), item("ConditionCheck", "Dialogue", DIALOGUE_KEY))
    assert copying(gate, pattern) == []


def test_a_condition_check_is_no_operation_of_its_own_nor_an_item_of_a_batch(gate: Gate) -> None:
    operations = (
        "'GetItem', 'BatchGetItem', 'TransactGetItems', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', "
        "'BatchWriteItem', 'TransactWriteItems', 'Scan', 'ExecuteStatement', 'BatchExecuteStatement', "
        "'ExecuteTransaction', 'CreateTable', 'DescribeTable', 'UpdateTable', 'DeleteTable', 'ListTables', "
        "'UpdateTimeToLive', 'DescribeTimeToLive', 'DescribeContinuousBackups', 'UpdateContinuousBackups', "
        "'CreateBackup', 'TagResource' or 'none'"
    )
    batch = 'op = "BatchWriteItem"\nitems = [\n' + item("ConditionCheck", "Dialogue", DIALOGUE_KEY) + "]\n"
    for pattern, problem in (
        (
            f'op = "ConditionCheck"\nentity = "Dialogue"\nkey = {{ {DIALOGUE_KEY} }}\n',
            f'.op: Input should be {operations} (got "ConditionCheck")',
        ),
        (batch, ": items[0]: an item of BatchWriteItem is one of PutItem, DeleteItem"),
    ):
        with pytest.raises(ConfigError) as raised:
            copying(gate, pattern)
        assert [(p.key, p.message) for p in raised.value.problems] == [
            ("access.DialogueStore.put_recommendation" + problem.split(":", 1)[0], problem.split(": ", 1)[1])
        ]


def test_sg601_maintains_with_only_a_condition_check_on_the_holder_writes_no_copy(gate: Gate) -> None:
    pattern = transaction(
        item("PutItem", "Recommendation", RECOMMENDATION_KEY), item("ConditionCheck", "Verdict", VERDICT_KEY)
    )
    assert copying(gate, pattern + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 3\n') == [
        (
            "SG601",
            'DialogueStore.put_recommendation declares maintains = ["Verdict.recommendation_titles"] but writes no '
            'Verdict item in the same TransactWriteItems; make it op = "TransactWriteItems" with an UpdateItem on '
            'entity Verdict, or let a stream handler update the copies (stream = "...")',
        )
    ]


def test_sg601_a_transaction_that_puts_the_source_and_then_another_entity_changes_the_source(gate: Gate) -> None:
    pattern = transaction(item("PutItem", "Recommendation", RECOMMENDATION_KEY), item("PutItem", "Round", ROUND_KEY))
    assert copying(gate, pattern) == [
        (
            "SG601",
            "DialogueStore.put_recommendation changes Recommendation.title, which Verdict.recommendation_titles "
            "copies (via Verdict.recommendation_ids), and does not update the copies: write them in the same "
            'TransactWriteItems (an UpdateItem on Verdict, maintains = ["Verdict.recommendation_titles"]) or name a '
            'stream handler that does (stream = "...", [handler.<name>] maintains = ["Verdict.recommendation_titles"])',
        )
    ]


def test_sg602_every_item_of_a_transaction_counts_toward_the_budget_condition_checks_too(gate: Gate) -> None:
    pattern = transaction(item("PutItem", "Round", ROUND_KEY), item("ConditionCheck", "Dialogue", DIALOGUE_KEY))
    assert copying(gate, pattern, "\n[budgets]\nmax_write_fanout = 1\n") == [
        (
            "SG602",
            "DialogueStore.put_recommendation writes 2 items per call (2 of its own + 0 copies), over [budgets] "
            "max_write_fanout = 1: move the copies to a stream handler, copy less, or raise the budget",
        )
    ]


def test_sg602_an_item_per_item_read_adds_to_the_items_written_before_it(gate: Gate) -> None:
    pattern = (
        'steps = [\n  { op = "Query", entity = "Verdict", key = { pk = "DIALOGUE#{dialogue_id}", '
        'sk = { begins_with = "VERDICT#" } }, limit = 20 },\n'
        '  { op = "TransactWriteItems", items = [\n'
        + item("PutItem", "Round", ROUND_KEY)
        + item("UpdateItem", "Verdict", 'pk = "{item.pk}", sk = "{item.sk}"')
        + "  ] },\n]\n"
    )
    assert copying(gate, pattern, "\n[budgets]\nmax_write_fanout = 20\n") == [
        (
            "SG602",
            "DialogueStore.put_recommendation writes 21 items per call (21 of its own + 0 copies), over [budgets] "
            "max_write_fanout = 20: move the copies to a stream handler, copy less, or raise the budget",
        )
    ]


def test_a_transaction_of_no_steps_keyed_on_an_earlier_item_binds_nothing_and_writes_one_item(gate: Gate) -> None:
    pattern = transaction(item("UpdateItem", "Round", 'pk = "{item.pk}", sk = "{item.sk}"'))
    unbound = (
        "binds to no parameter (parameters: dialogue_id, recommendation_id, verdict_id, round); rename it to a "
        "parameter, or add the parameter"
    )
    assert copying(gate, pattern) == [
        ("SG206", f'DialogueStore.put_recommendation (item 1): placeholder {{item.pk}} in key "pk" {unbound}'),
        ("SG206", f'DialogueStore.put_recommendation (item 1): placeholder {{item.sk}} in key "sk" {unbound}'),
        (
            "SG306",
            'DialogueStore.put_recommendation (item 1): key pk = "{item.pk}" does not fit entity Round\'s '
            'pk = "DIALOGUE#{dialogue_id}"; write it in the entity\'s layout',
        ),
        (
            "SG306",
            'DialogueStore.put_recommendation (item 1): key sk = "{item.sk}" does not fit entity Round\'s '
            'sk = "ROUND#{round}"; write it in the entity\'s layout',
        ),
    ]


# SG303: each difference between the manifest's table and the infrastructure's (rules/layout.py) --

DRIFTING_INFRA = """
Resources:
  Dialogues:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: dialogues-prod
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: sk, AttributeType: S }
        - { AttributeName: gsi1pk, AttributeType: S }
        - { AttributeName: gsi1sk, AttributeType: S }
        - { AttributeName: g3pk, AttributeType: S }
        - { AttributeName: g3sk, AttributeType: N }
        - { AttributeName: at, AttributeType: S }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
        - { AttributeName: sk, KeyType: RANGE }
      TimeToLiveSpecification: { AttributeName: expires_at, Enabled: true }
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }, { AttributeName: gsi1sk, KeyType: RANGE }]
          Projection: { ProjectionType: KEYS_ONLY }
        - IndexName: GSI3
          KeySchema: [{ AttributeName: g3pk, KeyType: HASH }, { AttributeName: g3sk, KeyType: RANGE }]
          Projection: { ProjectionType: INCLUDE, NonKeyAttributes: [title] }
      LocalSecondaryIndexes:
        - IndexName: ByTime
          KeySchema: [{ AttributeName: pk, KeyType: HASH }, { AttributeName: at, KeyType: RANGE }]
          Projection: { ProjectionType: ALL }
"""

DRIFTING_TABLE = """
[table]
from = "infra/template.yaml"
resource = "Dialogues"
name = "dialogues-dev"
partition_key = { name = "id", type = "S" }
sort_key = { name = "sk", type = "N" }
ttl = "expires"

[table.gsi.GSI1]
partition_keys = [{ name = "tenant", type = "S" }, { name = "device", type = "S" }]
sort_key = { name = "gsi1sk", type = "N" }
projection = "ALL"

[table.gsi.GSI2]
partition_key = { name = "gsi2pk", type = "S" }

[table.gsi.ByTime]
partition_key = { name = "pk", type = "S" }
sort_key = { name = "at", type = "S" }
"""

PLAIN_INFRA = """
Resources:
  Dialogues:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: dialogues
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: sk, AttributeType: S }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
        - { AttributeName: sk, KeyType: RANGE }
"""


def drift(gate: Gate, infra: str, table: str) -> list[tuple[str, int, str]]:
    gate.write("infra/template.yaml", infra)
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.manifest(table=table)
    return [(f.code, f.line, f.message) for f in gate.findings()]


def test_sg303_names_every_difference_of_the_table_and_its_indexes_at_its_key(gate: Gate) -> None:
    found = drift(gate, DRIFTING_INFRA, DRIFTING_TABLE)
    manifest, infra = "in store-gate.toml", "in infra/template.yaml"
    assert found == [
        (
            "SG303",
            gate.line_of("from = "),
            'table drift: infra/template.yaml defines GSI "GSI3" (g3pk (S) / g3sk (N), projection INCLUDE '
            "['title']), which store-gate.toml does not declare",
        ),
        (
            "SG303",
            gate.line_of("name = "),
            f'table drift: the table name is "dialogues-dev" {manifest} but "dialogues-prod" {infra}',
        ),
        (
            "SG303",
            gate.line_of('{ name = "id", type = "S" }'),
            f"table drift: the partition key is id (S) {manifest} but pk (S) {infra}",
        ),
        (
            "SG303",
            gate.line_of('{ name = "sk", type = "N" }'),
            f"table drift: the sort key is sk (N) {manifest} but sk (S) {infra}",
        ),
        (
            "SG303",
            gate.line_of("ttl = "),
            f'table drift: Time to Live is "expires" {manifest} but "expires_at" {infra}',
        ),
        (
            "SG303",
            gate.line_of("[table.gsi.GSI1]"),
            f'table drift: GSI "GSI1" partition key is tenant (S) + device (S) {manifest} but gsi1pk (S) {infra}',
        ),
        (
            "SG303",
            gate.line_of('{ name = "gsi1sk"'),
            f'table drift: GSI "GSI1" sort key is gsi1sk (N) {manifest} but gsi1sk (S) {infra}',
        ),
        (
            "SG303",
            gate.line_of('projection = "ALL"'),
            f'table drift: GSI "GSI1" projection is ALL {manifest} but KEYS_ONLY {infra}',
        ),
        (
            "SG303",
            gate.line_of("[table.gsi.GSI2]"),
            'table drift: GSI "GSI2" is declared in store-gate.toml but infra/template.yaml does not define it: '
            "access patterns on it would fail in production",
        ),
        (
            "SG303",
            gate.line_of("[table.gsi.ByTime]"),
            f'table drift: index "ByTime" is a GSI {manifest} but a LSI {infra}',
        ),
    ]


def test_sg303_a_sort_key_and_a_time_to_live_on_one_side_only(gate: Gate) -> None:
    table = '[table]\nfrom = "infra/template.yaml"\npartition_key = { name = "pk", type = "S" }\nttl = "expires"\n'
    assert drift(gate, PLAIN_INFRA, table) == [
        (
            "SG303",
            gate.line_of("[table]"),
            "table drift: the sort key is absent in store-gate.toml but sk (S) in infra/template.yaml",
        ),
        (
            "SG303",
            gate.line_of("ttl = "),
            'table drift: Time to Live is "expires" in store-gate.toml but not enabled in infra/template.yaml',
        ),
    ]


def test_sg303_a_table_read_from_the_infrastructure_alone_is_compared_on_its_time_to_live(gate: Gate) -> None:
    table = '[table]\nfrom = "infra/template.yaml"\nttl = "expires"\n'
    assert drift(gate, DRIFTING_INFRA, table) == [
        (
            "SG303",
            gate.line_of("ttl = "),
            'table drift: Time to Live is "expires" in store-gate.toml but "expires_at" in infra/template.yaml',
        )
    ]
    assert drift(gate, DRIFTING_INFRA, table.replace('"expires"', '"expires_at"')) == []


# SG306: every key of a pattern against the layout of its entity (rules/layout.py) ---------------

ROUNDS_STEP = (
    '{ op = "Query", entity = "Round", key = { pk = "DIALOGUE#{id}", sk = { begins_with = "ROUND#" } }, limit = 25 }'
)
LAYOUT_CASES = {
    "by_entity_name": (
        f"steps = [\n  {ROUNDS_STEP},\n"
        '  { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{id}", sk = "META" } },\n'
        '  { op = "DeleteItem", entity = "Round", key = { pk = "{Round.pk}", sk = "{Round.sk}" } },\n]\n'
    ),
    "by_another_attribute": (
        f"steps = [\n  {ROUNDS_STEP},\n"
        '  { op = "GetItem", entity = "Round", key = { pk = "{item.sk}", sk = "SUMMARY" } },\n]\n'
    ),
    "missing_then_wrong": (
        'op = "Query"\nindex = "ByTime"\nentity = "Dialogue"\nkey = { lsi1sk = "AT#{id}", pk = "WRONG#{id}" }\n'
        "limit = 5\n"
    ),
    "prefix_only": 'op = "GetItem"\nentity = "Round"\nkey = { pk = "DIALOGUE#{id}", sk = "ROUND" }\n',
}


def test_sg306_checks_each_key_in_full_and_skips_only_the_keys_an_earlier_steps_item_of_its_entity_carries(
    gate: Gate,
) -> None:
    gate.manifest("".join(f"\n[access.DialogueStore.{name}]\n{pattern}" for name, pattern in LAYOUT_CASES.items()))
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        + "".join(f"    fn {name}(&self, id: &str) -> Result<()>;\n" for name in LAYOUT_CASES)
        + "}\n",
    )
    fix = "write it in the entity's layout"
    assert seen(gate.findings()) == [
        (
            "SG306",
            'DialogueStore.by_another_attribute (step 2): key pk = "{item.sk}" does not fit entity Round\'s '
            f'pk = "DIALOGUE#{{dialogue_id}}"; {fix}',
        ),
        (
            "SG306",
            'DialogueStore.by_another_attribute (step 2): key sk = "SUMMARY" does not fit entity Round\'s '
            f'sk = "ROUND#{{round}}"; {fix}',
        ),
        (
            "SG306",
            'DialogueStore.missing_then_wrong: key "lsi1sk" is not part of entity Dialogue\'s layout '
            "(it has: gsi1pk, gsi1sk, pk, sk)",
        ),
        (
            "SG306",
            'DialogueStore.missing_then_wrong: key pk = "WRONG#{id}" does not fit entity Dialogue\'s '
            f'pk = "DIALOGUE#{{dialogue_id}}"; {fix}',
        ),
        (
            "SG306",
            f'DialogueStore.prefix_only: key sk = "ROUND" does not fit entity Round\'s sk = "ROUND#{{round}}"; {fix}',
        ),
    ]


def test_sg306_an_inline_declaration_naming_no_entity_of_the_manifest_lists_the_entities(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        'pub trait DialogueStore {\n    /// @access { op = "GetItem", entity = "Dialog", '
        'key = { pk = "DIALOGUE#{id}", sk = "META" } }\n    fn get(&self, id: &str) -> Result<()>;\n}\n',
    )
    assert seen(gate.findings()) == [
        (
            "SG306",
            'DialogueStore.get names entity "Dialog", which the manifest does not define (entities: Dialogue, Round, '
            "Score); add [entity.Dialog] or fix the name",
        )
    ]


# SG304 and SG305: number keys, the fix's attribute, a Query that names no entity (rules/collisions.py)


def collisions(
    gate: Gate, table: str | None = None, extra: str = "", access: str = "", methods: str = ""
) -> list[tuple[str, str]]:
    if table is None:
        gate.manifest(access, extra)
    else:
        gate.manifest(access, extra, table=table)
    gate.write("src/store.rs", f"pub trait DialogueStore {{\n{methods}}}\n")
    return seen(gate.findings())


def test_sg304_the_fix_names_the_last_key_attribute_that_is_not_the_tables_partition_key(gate: Gate) -> None:
    table = (
        '[table]\nname = "t"\npartition_key = { name = "tenant", type = "S" }\nsort_key = { name = "item", type = "S" }\n'
        '\n[entity.A]\ntenant = "T#{t}"\nitem = "{x}"\n\n[entity.B]\ntenant = "T#{t}"\nitem = "B#{y}"\n'
    )
    assert collisions(gate, table) == [
        (
            "SG304",
            'entities A and B collide on the base table: tenant = "T#a", item = "B#a" is a key of both (A: tenant = '
            '"T#{t}", item = "{x}"; B: tenant = "T#{t}", item = "B#{y}"); one item would overwrite the other - give '
            'each entity a literal of its own in the key (a prefix such as "B#" in item), or placeholder classes that '
            "cannot meet ({n:int}, {s:segment} has no #)",
        )
    ]


def test_sg304_number_keys_spelt_differently_collide_by_value(gate: Gate) -> None:
    table = (
        '[table]\nname = "t"\npartition_key = { name = "n", type = "N" }\nsort_key = { name = "m", type = "N" }\n'
        '\n[entity.A]\nn = "1"\nm = "{x}"\n\n[entity.B]\nn = "1.0"\nm = "{y}"\n'
    )
    assert collisions(gate, table) == [
        (
            "SG304",
            'entities A and B collide on the base table: n = 1, m = 1 is a key of both (A: n = "1", m = "{x}"; B: n = '
            '"1.0", m = "{y}"); one item would overwrite the other - give each entity numbers of its own (other '
            "literals, or a class such as {n:int} against a fraction)",
        )
    ]


def test_sg305_a_number_range_reads_by_value_an_entity_whose_number_key_is_in_it(gate: Gate) -> None:
    badge = '\n[entity.Badge]\npk = "PLAYER#{player}"\nsk = "BADGE#{game}"\ngame = "{game}"\nscore = "7"\n'
    top = (
        '\n[access.DialogueStore.top]\nop = "Query"\nindex = "ByScore"\nentity = "Score"\n'
        'key = { game = "{game}", score = { between = ["1", "10"] } }\nlimit = 10\n'
    )
    assert collisions(gate, None, badge, top, "    fn top(&self, game: &str) -> Result<Vec<Score>>;\n") == [
        (
            "SG305",
            'DialogueStore.top: the Query on GSI "ByScore" reads Badge items: game = "a", score = 7 fits its key '
            'condition and Badge\'s layout (game = "{game}", score = "7"); narrow the key condition to what Score\'s '
            'layout writes (game = "{game}", score = "{score}"), give Badge a key prefix of its own, or declare '
            'entities = ["Badge", "Score"] if the method reads them on purpose',
        ),
        (
            "SG304",
            'entities Badge and Score collide on GSI "ByScore": game = "a", score = 7 is a key of both (Badge: game = '
            '"{game}", score = "7"; Score: game = "{game}", score = "{score}"); a Query on it cannot tell their items '
            'apart - give each entity a literal of its own in the key (a prefix such as "SCORE#" in game), or '
            "placeholder classes that cannot meet ({n:int}, {s:segment} has no #)",
        ),
    ]


def test_sg305_a_query_naming_only_entities_cannot_be_narrowed_to_a_layout_of_its_own(gate: Gate) -> None:
    every = (
        '\n[access.DialogueStore.all]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\nentities = ["Round"]\nlimit = 10\n'
    )
    assert collisions(gate, None, "", every, "    fn all(&self, id: &str) -> Result<Vec<Round>>;\n") == [
        (
            "SG305",
            'DialogueStore.all: the Query on the base table reads Dialogue items: pk = "DIALOGUE#a", sk = "META" fits '
            'its key condition and Dialogue\'s layout (pk = "DIALOGUE#{dialogue_id}", sk = "META"); narrow the key '
            'condition, give Dialogue a key prefix of its own, or declare entities = ["Dialogue", "Round"] if the '
            "method reads them on purpose",
        )
    ]


def test_sg305_a_number_key_with_no_condition_or_an_equal_one_reads_by_value(gate: Gate) -> None:
    badge = '\n[entity.Badge]\npk = "PLAYER#{player}"\nsk = "BADGE#{game}"\ngame = "{game}"\nscore = "7.0"\n'
    tops = "".join(
        f'\n[access.DialogueStore.{name}]\nop = "Query"\nindex = "ByScore"\nentity = "Score"\nkey = {key}\nlimit = 10\n'
        for name, key in (("top", '{ game = "{game}" }'), ("sevens", '{ game = "{game}", score = "7" }'))
    )
    methods = "".join(f"    fn {name}(&self, game: &str) -> Result<Vec<Score>>;\n" for name in ("top", "sevens"))
    reads = (
        'the Query on GSI "ByScore" reads Badge items: game = "a", score = 7 fits its key condition and Badge\'s '
        'layout (game = "{game}", score = "7.0"); narrow the key condition to what Score\'s layout writes (game = '
        '"{game}", score = "{score}"), give Badge a key prefix of its own, or declare entities = ["Badge", "Score"] '
        "if the method reads them on purpose"
    )
    assert collisions(gate, None, badge, tops, methods) == [
        ("SG305", f"DialogueStore.top: {reads}"),
        ("SG305", f"DialogueStore.sevens: {reads}"),
        (
            "SG304",
            'entities Badge and Score collide on GSI "ByScore": game = "a", score = 7 is a key of both (Badge: game = '
            '"{game}", score = "7.0"; Score: game = "{game}", score = "{score}"); a Query on it cannot tell their '
            'items apart - give each entity a literal of its own in the key (a prefix such as "SCORE#" in game), or '
            "placeholder classes that cannot meet ({n:int}, {s:segment} has no #)",
        ),
    ]


def test_sg305_a_later_step_keyed_on_an_earlier_item_of_its_entity_reads_only_that_entitys_keys(gate: Gate) -> None:
    rounds = (
        '{ op = "Query", entity = "Round", key = { pk = "DIALOGUE#{id}", sk = { begins_with = "ROUND#" } }, limit = 1 }'
    )
    again = (
        f"\n[access.DialogueStore.again]\nsteps = [\n  {rounds},\n"
        '  { op = "Query", entity = "Round", key = { pk = "{item.pk}", sk = { begins_with = "ROUND#" } }, limit = 20 },\n]\n'
    )
    summary = '\n[entity.Summary]\npk = "SUMMARY#{id}"\nsk = "ROUND#{n}"\n'
    assert collisions(gate, None, summary, again, "    fn again(&self, id: &str) -> Result<Vec<Round>>;\n") == []


def test_sg304_and_sg305_past_the_binding_search_budget_are_undecided_not_a_crash(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store_gate.keylang

    monkeypatch.setattr(store_gate.keylang, "MAX_BINDING_STEPS", 0)
    summary = '\n[entity.Summary]\npk = "DIALOGUE#{dialogue_id}"\nsk = "ROUND#{round}#SUMMARY"\n'
    rounds = (
        '\n[access.DialogueStore.rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{id}", sk = { begins_with = "ROUND#" } }\nlimit = 10\n'
    )
    # The budget spent, the gate cannot prove one value per placeholder: the findings say "may", and
    # that the search passed its budget (no placeholder repeats here).
    assert collisions(gate, None, summary, rounds, "    fn rounds(&self, id: &str) -> Result<Vec<Round>>;\n") == [
        (
            "SG305",
            'DialogueStore.rounds: the Query on the base table may read Summary items: pk = "DIALOGUE#a", '
            'sk = "ROUND#a#SUMMARY" fits its key condition and Summary\'s layout (pk = "DIALOGUE#{dialogue_id}", '
            'sk = "ROUND#{round}#SUMMARY") (the search for one value per placeholder passed its budget: '
            'undecided); narrow the key condition to what Round\'s layout writes (pk = "DIALOGUE#{dialogue_id}", '
            'sk = "ROUND#{round}"), give Summary a key prefix of its own, or declare entities = ["Round", "Summary"] '
            "if the method reads them on purpose",
        ),
        (
            "SG304",
            'entities Round and Summary may collide on the base table: pk = "DIALOGUE#a", sk = "ROUND#a#SUMMARY" '
            'fits both layouts attribute by attribute (Round: pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}"; '
            'Summary: pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}#SUMMARY"), but the search for one value '
            "per placeholder passed its budget; the gate cannot decide it - give each entity a literal of its own in the key "
            '(a prefix such as "SUMMARY#" in sk), or placeholder classes that cannot meet ({n:int}, {s:segment} has '
            "no #)",
        ),
    ]


def test_sg304_a_placeholder_repeated_in_a_text_and_a_number_key_takes_one_value_in_both(gate: Gate) -> None:
    table = (
        '[table]\nname = "t"\npartition_key = { name = "pk", type = "S" }\nsort_key = { name = "sk", type = "N" }\n'
        '\n[entity.Self]\npk = "X#{id}"\nsk = "{id}"\n\n[entity.Other]\npk = "X#{a}"\nsk = "{b}"\n'
    )
    assert collisions(gate, table) == [
        (
            "SG304",
            'entities Other and Self collide on the base table: pk = "X#1", sk = 1 is a key of both (Other: pk = '
            '"X#{a}", sk = "{b}"; Self: pk = "X#{id}", sk = "{id}"); one item would overwrite the other - give each '
            'entity a literal of its own in the key (a prefix such as "SELF#" in pk), or placeholder classes that '
            "cannot meet ({n:int}, {s:segment} has no #)",
        )
    ]


# SG302 on each of several tables, where the manifest declares it or the infrastructure does -------

LSI_TWO_TABLES = """legacy = "off"
version = 1

[[store]]
trait = "DialogueStore"
paths = ["src/**/*.rs"]
table = "main"

[tables.main]
name = "main"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.events]
from = "infra.yaml"
"""
INFRA_LSI = """      LocalSecondaryIndexes:
        - IndexName: ByAt
          KeySchema: [{ AttributeName: pk, KeyType: HASH }, { AttributeName: at, KeyType: RANGE }]
          Projection: { ProjectionType: ALL }
"""


def test_sg302_an_lsi_added_to_each_of_two_tables_is_reported_where_each_table_is_declared(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.write("store-gate.toml", LSI_TWO_TABLES)
    gate.write("infra.yaml", INFRA)
    gate.write("src/a.rs", trait_of(method("legacy_0")))
    git(gate.root, "init", "-q", "-b", "main")
    commit(gate.root, "base")
    gate.write("store-gate.toml", LSI_TWO_TABLES + "\n" + LSI.replace("[table.lsi", "[tables.main.lsi"))
    gate.write(
        "infra.yaml",
        INFRA.replace(
            "        - { AttributeName: gsi1pk",
            "        - { AttributeName: at, AttributeType: S }\n        - { AttributeName: gsi1pk",
        )
        + INFRA_LSI,
    )
    result = compared(gate, monkeypatch, "HEAD")
    rest = "which exists at the base; DynamoDB creates LSIs only with the table: declare a GSI instead, or plan a table migration"
    assert [(f.code, f.line, f.message) for f in result.findings] == [
        ("SG302", gate.line_of('from = "infra.yaml"'), f'LSI "ByAt" is added to the table of [tables.events], {rest}'),
        ("SG302", gate.line_of("[tables.main.lsi.ByName]"), f'LSI "ByName" is added to table "main", {rest}'),
    ]


# SG307: what the infrastructure's definition lacks, at the table's `from` (rules/layout.py) --------


def test_sg307_an_index_without_a_projection_in_the_infrastructure_is_reported_at_from(gate: Gate) -> None:
    gate.write(
        "infra.yaml",
        INFRA + "      GlobalSecondaryIndexes:\n        - IndexName: GSI1\n"
        "          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }]\n",
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.manifest(table='[table]\nfrom = "infra.yaml"\n')
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG307",
            gate.line_of('from = "infra.yaml"'),
            'infra.yaml: GlobalSecondaryIndexes[0] "GSI1" has no ProjectionType, which DynamoDB requires; its '
            "projection is unknown; the deployment would fail or differ from what the gate checked - complete the "
            "definition",
        )
    ]


# SG211 on an inline declaration's reads, after a method with none (rules/cost.py) ------------------


def test_sg211_an_inline_reads_naming_no_attribute_is_reported_on_its_method_after_an_undeclared_one(
    gate: Gate,
) -> None:
    gate.manifest(extra='\n[entity.Note]\npk = "NOTE#{id}"\nsk = "N"\nattributes = ["title"]\n')
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn undeclared(&self, id: &str) -> Result<()>;\n"
        '    /// @access { op = "GetItem", entity = "Note", key = { pk = "NOTE#{id}", sk = "N" }, reads = ["titel"] }\n'
        "    fn get(&self, id: &str) -> Result<()>;\n}\n",
    )
    assert [(f.code, f.path, f.line, f.trait, f.method, f.message) for f in gate.findings()] == [
        (
            "SG101",
            "src/store.rs",
            2,
            "DialogueStore",
            "undeclared",
            "DialogueStore.undeclared has no access pattern; declare it in store-gate.toml under "
            '[access.DialogueStore.undeclared] or in its doc comment, e.g. @access { op = "GetItem", key = { pk = '
            '"...", sk = "..." } } (a skeleton to complete: name the entity it reads or writes (entity = ...) and its '
            "key)",
        ),
        (
            "SG211",
            "src/store.rs",
            3,
            "DialogueStore",
            "get",
            'DialogueStore.get: reads: entity Note has no attribute "titel" (pk, sk, title)',
        ),
    ]


# SG601 and SG602 over every copy and every method, each finding on its method (rules/copies.py) ---

TEXTS = 'texts = { from = "Recommendation.text", via = "recommendation_ids" }\n'
TITLES_HANDLER = '\n[handler.titles]\nmaintains = ["Verdict.recommendation_titles"]\n'
PUT_RECOMMENDATION = f'op = "PutItem"\nentity = "Recommendation"\nkey = {{ {RECOMMENDATION_KEY} }}\n'
WRITE_SIGNATURE = "(&self, dialogue_id: &str, recommendation_id: &str, verdict_id: &str, round: &str) -> Result<()>;\n"


def placed(gate: Gate) -> list[tuple[str, int, str, str, str]]:
    return [(f.code, f.line, f.trait, f.method, f.message) for f in gate.findings()]


def test_sg601_each_copy_a_write_changes_is_checked_after_one_it_leaves_alone_or_maintains(gate: Gate) -> None:
    methods = {
        "put_text": PUT_RECOMMENDATION + 'writes = ["Recommendation.text"]\n',
        "put_streamed": PUT_RECOMMENDATION + 'stream = "titles"\nfanout = 3\n',
        "put_in_transaction": transaction(
            item("UpdateItem", "Recommendation", RECOMMENDATION_KEY), item("UpdateItem", "Verdict", VERDICT_KEY)
        )
        + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 3\n',
        "put_maintaining": PUT_RECOMMENDATION + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 3\n',
        "put_anything": f'op = "PutItem"\nkey = {{ {RECOMMENDATION_KEY} }}\n',
    }
    gate.manifest(
        "".join(f"\n[access.DialogueStore.{name}]\n{pattern}" for name, pattern in methods.items()),
        COPIES + TEXTS + TITLES_HANDLER,
    )
    gate.write("src/store.rs", trait_of(*(f"    fn {name}{WRITE_SIGNATURE}" for name in methods)))

    def stale(name: str, handler: str = "") -> tuple[str, int, str, str, str]:
        return (
            "SG601",
            gate.line_of(f"[access.DialogueStore.{name}]"),
            "DialogueStore",
            name,
            f"DialogueStore.{name} changes Recommendation.text, which Verdict.texts copies (via "
            f"Verdict.recommendation_ids), and does not update the copies{handler}: write them in the same "
            'TransactWriteItems (an UpdateItem on Verdict, maintains = ["Verdict.texts"]) or name a stream handler '
            'that does (stream = "...", [handler.<name>] maintains = ["Verdict.texts"])',
        )

    maintaining = gate.line_of("[access.DialogueStore.put_maintaining]")
    assert placed(gate) == [
        stale("put_text"),
        stale("put_streamed", ' (handler "titles" does not maintain it)'),
        stale("put_in_transaction"),
        stale("put_maintaining"),
        (
            "SG601",
            maintaining,
            "DialogueStore",
            "put_maintaining",
            'DialogueStore.put_maintaining declares maintains = ["Verdict.recommendation_titles"] but writes no '
            'Verdict item in the same TransactWriteItems; make it op = "TransactWriteItems" with an UpdateItem on '
            'entity Verdict, or let a stream handler update the copies (stream = "...")',
        ),
        (
            "SG601",
            gate.line_of("[access.DialogueStore.put_anything]"),
            "DialogueStore",
            "put_anything",
            "DialogueStore.put_anything: PutItem writes an item of no named entity, so the gate cannot tell which "
            'copied attributes it changes; add entity = "..." to it, or declare writes = ["Entity.attribute", ...]',
        ),
    ]


def test_sg601_inline_copy_fields_are_checked_on_every_method_when_no_entity_has_copies(gate: Gate) -> None:
    gate.manifest(f"\n[access.DialogueStore.first]\n{PUT_RECOMMENDATION}", COPIES.split("[entity.Verdict.copies]")[0])
    gate.write(
        "src/store.rs",
        trait_of(
            f"    fn first{WRITE_SIGNATURE}",
            f'    /// @access {{ op = "PutItem", entity = "Recommendation", key = {{ {RECOMMENDATION_KEY} }}, '
            'writes = ["Recommendation.titel"] }\n',
            f"    fn second{WRITE_SIGNATURE}",
            f'    /// @access {{ steps = [{{ op = "PutItem", entity = "Round", key = {{ {ROUND_KEY} }}, '
            'writes = ["Recommendation.title"] }] }\n',
            f"    fn third{WRITE_SIGNATURE}",
        ),
    )
    assert placed(gate) == [
        (
            "SG601",
            3,
            "DialogueStore",
            "second",
            'DialogueStore.second: writes: "Recommendation.titel": entity Recommendation has no attribute "titel" '
            "(pk, sk, text, title)",
        ),
        (
            "SG601",
            5,
            "DialogueStore",
            "third",
            "DialogueStore.third: step 1: writes, maintains, stream and fanout go on the method's pattern",
        ),
    ]


PAGE_OF_RECOMMENDATIONS = (
    'steps = [\n  { op = "Query", entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", '
    'sk = { begins_with = "RECOMMENDATION#" } }@LIMIT },\n'
    '  { op = "BatchWriteItem", items = [{ op = "DeleteItem", entity = "Recommendation", '
    'key = { pk = "{item.pk}", sk = "{item.sk}" } }] },\n]\n'
)


def test_sg602_every_method_is_checked_after_one_whose_fanout_is_undeclared_unknown_or_unbounded(
    gate: Gate,
) -> None:
    methods = {
        "a": PUT_RECOMMENDATION + 'stream = "titles"\n',
        "c": PAGE_OF_RECOMMENDATIONS.replace("@LIMIT", ', page = "cursor"'),
        "d": transaction(item("PutItem", "Round", ROUND_KEY), item("PutItem", "Dialogue", DIALOGUE_KEY)),
    }
    gate.manifest(
        "".join(f"\n[access.DialogueStore.{name}]\n{pattern}" for name, pattern in methods.items()),
        COPIES + TITLES_HANDLER + "\n[budgets]\nmax_write_fanout = 1\n",
    )
    gate.write(
        "src/store.rs",
        trait_of(
            f"    fn a{WRITE_SIGNATURE}",
            f'    /// @access {{ op = "PutItem", entity = "Recommendation", key = {{ {RECOMMENDATION_KEY} }}, '
            'stream = "titles", fanout = "{Verdict} per Dialogue" }\n',
            f"    fn b{WRITE_SIGNATURE}",
            "    fn c(&self, dialogue_id: &str, cursor: Option<Cursor>) -> Result<Page<()>>;\n",
            f"    fn d{WRITE_SIGNATURE}",
        ),
    )
    assert placed(gate) == [
        (
            "SG602",
            3,
            "DialogueStore",
            "b",
            'DialogueStore.b declares fanout = "{Verdict} per Dialogue", which no [volumes] count gives: add '
            '[volumes] Verdict = { per = "Dialogue", count = ..., size_kb = ... }',
        ),
        (
            "SG602",
            gate.line_of("[access.DialogueStore.a]"),
            "DialogueStore",
            "a",
            "DialogueStore.a updates copies but does not say how many per call; declare fanout = <items> or "
            '"{Entity} per Parent" (a [volumes] entry)',
        ),
        (
            "SG602",
            gate.line_of("[access.DialogueStore.c]"),
            "DialogueStore",
            "c",
            "DialogueStore.c step 2 writes an item per item step 1 reads, which has no limit: its BatchWriteItem has "
            "no bound; give that step limit = 25 (one request per page)",
        ),
        (
            "SG602",
            gate.line_of("[access.DialogueStore.d]"),
            "DialogueStore",
            "d",
            "DialogueStore.d writes 2 items per call (2 of its own + 0 copies), over [budgets] max_write_fanout = 1: "
            "move the copies to a stream handler, copy less, or raise the budget",
        ),
    ]


def test_sg602_copies_a_stream_handler_writes_are_not_in_the_batchs_request(gate: Gate) -> None:
    page = PAGE_OF_RECOMMENDATIONS.replace("@LIMIT", ", limit = 25") + 'stream = "titles"\nfanout = 3\n'
    gate.manifest(f"\n[access.DialogueStore.a]\n{page}", COPIES + TITLES_HANDLER)
    gate.write("src/store.rs", trait_of(f"    fn a{WRITE_SIGNATURE}"))
    assert placed(gate) == []


def test_sg211_a_later_step_on_a_keys_only_index_is_named_by_its_step(gate: Gate) -> None:
    from conftest import TABLE

    keys_only = TABLE.replace("[table.gsi.GSI1]\n", '[table.gsi.GSI1]\nprojection = "KEYS_ONLY"\n')
    steps = (
        '\n[access.DialogueStore.by_status]\nsteps = [\n  { op = "GetItem", entity = "Dialogue", '
        'key = { pk = "DIALOGUE#{id}", sk = "META" } },\n'
        '  { op = "Query", index = "GSI1", key = { gsi1pk = "STATUS#{status}" }, limit = 10 },\n]\n'
    )
    gate.manifest(steps, table=keys_only)
    gate.write("src/store.rs", trait_of("    fn by_status(&self, id: &str, status: &str) -> Result<()>;\n"))
    assert placed(gate) == [
        (
            "SG211",
            gate.line_of("[access.DialogueStore.by_status]"),
            "DialogueStore",
            "by_status",
            'DialogueStore.by_status (step 2) reads GSI "GSI1" (projection KEYS_ONLY), and the gate cannot tell which '
            'attributes it needs: declare reads = ["attribute", ...], or the attributes of the entity '
            "([entity.<Name>] attributes = [...])",
        )
    ]


# SG301 on the manifest's table, an imported one, and both where the manifest also declares it -----

MANY_GSIS = "".join(f'\n[table.gsi.G{i}]\npartition_key = {{ name = "g{i}", type = "S" }}\n' for i in range(21))
SIX_LSIS_INFRA = (
    INFRA.replace(
        "        - { AttributeName: gsi1pk, AttributeType: S }\n",
        "".join(f"        - {{ AttributeName: l{i}, AttributeType: S }}\n" for i in range(6)),
    )
    + "      LocalSecondaryIndexes:\n"
    + "".join(
        f"        - IndexName: L{i}\n          KeySchema: [{{ AttributeName: pk, KeyType: HASH }}, "
        f"{{ AttributeName: l{i}, KeyType: RANGE }}]\n          Projection: {{ ProjectionType: ALL }}\n"
        for i in range(6)
    )
)
OVERLOADED = "merge access patterns onto fewer {}s (overloaded index keys)"


def limits(gate: Gate, table: str) -> list[tuple[str, int, str]]:
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("infra.yaml", SIX_LSIS_INFRA)
    gate.manifest(table=table)
    return [(f.code, f.line, f.message) for f in gate.findings()]


def test_sg301_more_gsis_and_lsis_than_dynamodb_allows_on_the_manifests_table(gate: Gate) -> None:
    keys = '[table]\nname = "t"\npartition_key = { name = "pk", type = "S" }\nsort_key = { name = "sk", type = "S" }\n'
    lsis = "".join(f'\n[table.lsi.L{i}]\nsort_key = {{ name = "l{i}", type = "S" }}\n' for i in range(6))
    found = limits(gate, keys + MANY_GSIS + lsis)
    line = gate.line_of("[table]")
    assert found == [
        (
            "SG301",
            line,
            f"table defines 21 GSIs; DynamoDB allows 20 per table (the default quota): {OVERLOADED.format('GSI')}",
        ),
        ("SG301", line, f"table defines 6 LSIs; DynamoDB allows 5 per table: {OVERLOADED.format('LSI')}"),
    ]


def test_sg301_on_an_imported_table_and_on_the_manifests_declaration_of_it(gate: Gate) -> None:
    imported = "the table in infra.yaml defines 6 LSIs; DynamoDB allows 5 per table: " + OVERLOADED.format("LSI")
    assert limits(gate, '[table]\nfrom = "infra.yaml"\n') == [("SG301", gate.line_of("[table]"), imported)]
    keys = '\npartition_key = { name = "pk", type = "S" }\nsort_key = { name = "sk", type = "S" }\n'
    found = limits(gate, '[table]\nfrom = "infra.yaml"' + keys + MANY_GSIS)
    line, source = gate.line_of("[table]"), gate.line_of('from = "infra.yaml"')
    assert found == [
        ("SG301", line, imported),
        (
            "SG301",
            line,
            "the table in store-gate.toml defines 21 GSIs; DynamoDB allows 20 per table (the default quota): "
            + OVERLOADED.format("GSI"),
        ),
        *(
            (
                "SG303",
                source,
                f'table drift: infra.yaml defines LSI "L{i}" (pk (S) / l{i} (S), projection ALL), which '
                "store-gate.toml does not declare",
            )
            for i in range(6)
        ),
        *(
            (
                "SG303",
                gate.line_of(f"[table.gsi.G{i}]"),
                f'table drift: GSI "G{i}" is declared in store-gate.toml but infra.yaml does not define it: access '
                "patterns on it would fail in production",
            )
            for i in range(21)
        ),
    ]


# SG212: each rate where it is written, the methods that share a hot partition (rules/cost.py) ----


def test_sg212_writes_of_two_methods_to_one_partition_over_1000_wcu_and_a_rate_for_no_method(gate: Gate) -> None:
    put_round = f'op = "PutItem"\nentity = "Round"\nkey = {{ {ROUND_KEY} }}\n'
    rates = (
        '\n[volumes]\nDialogue = { count = 10, size_kb = 1 }\nRound = { per = "Dialogue", count = 10, size_kb = 1 }\nScore = { count = 10, size_kb = 1 }\n'
        '\n[volumes.calls_per_second]\n"DialogueStore.put_a" = 600\n"DialogueStore.put_b" = 600\n'
        '"DialogueStore.put_c" = 1\n'
    )
    gate.manifest(
        f"\n[access.DialogueStore.put_a]\n{put_round}\n[access.DialogueStore.put_b]\n{put_round}", extra=rates
    )
    gate.write("src/store.rs", trait_of(*(f"    fn {name}{WRITE_SIGNATURE}" for name in ("put_a", "put_b"))))
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG212",
            gate.line_of('"DialogueStore.put_a" = 600'),
            'partition "DIALOGUE#{}" of [table] (base) receives 1,200 WCU per second at the declared rates '
            "(DialogueStore.put_a, DialogueStore.put_b); one partition serves at most 1,000 WCU: spread the key over "
            "more partitions (write sharding), or cache the reads",
        ),
        (
            "SG212",
            gate.line_of('"DialogueStore.put_c" = 1'),
            '[volumes.calls_per_second] gives a rate for "DialogueStore.put_c", which is no declared method of a '
            "governed trait: its load is counted nowhere; fix the name (Trait.method)",
        ),
    ]


def test_sg304_and_sg305_compare_only_the_entities_of_one_table(gate: Gate) -> None:
    archive = (
        '\n[tables.archive]\nname = "archive"\npartition_key = { name = "pk", type = "S" }\n'
        'sort_key = { name = "sk", type = "S" }\n'
        '\n[entity.ArchivedRound]\ntable = "archive"\npk = "DIALOGUE#{dialogue_id}"\nsk = "ROUND#{round}"\n'
    )
    rounds = (
        '\n[access.DialogueStore.rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{id}", sk = { begins_with = "ROUND#" } }\nlimit = 10\n'
    )
    assert collisions(gate, None, archive, rounds, "    fn rounds(&self, id: &str) -> Result<Vec<Round>>;\n") == []


def test_sg305_a_later_step_naming_no_entity_keyed_on_an_earlier_item_reads_what_its_condition_says(
    gate: Gate,
) -> None:
    steps = (
        '\n[access.DialogueStore.again]\nsteps = [\n  { op = "GetItem", key = { pk = "DIALOGUE#{id}", sk = "META" } },\n'
        '  { op = "Query", entities = ["Round"], key = { pk = "{item.pk}", sk = { begins_with = "ROUND#" } }, '
        "limit = 20 },\n]\n"
    )
    assert collisions(gate, None, "", steps, "    fn again(&self, id: &str) -> Result<Vec<Round>>;\n") == []


KEYS_ONLY_INFRA = """
Resources:
  Dialogues:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: g1, AttributeType: S }
        - { AttributeName: g9, AttributeType: S }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
      GlobalSecondaryIndexes:
        - IndexName: G1
          KeySchema: [{ AttributeName: g1, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
        - IndexName: G9
          KeySchema: [{ AttributeName: g9, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
"""


def test_sg303_a_sort_key_the_infrastructure_lacks_is_absent_and_an_index_key_is_at_its_line(gate: Gate) -> None:
    table = (
        '[table]\nfrom = "infra/template.yaml"\npartition_key = { name = "pk", type = "S" }\n'
        'sort_key = { name = "sk", type = "S" }\n'
        '\n[table.gsi.G1]\npartition_key = { name = "h1", type = "S" }\nsort_key = { name = "r1", type = "S" }\n'
    )
    assert drift(gate, KEYS_ONLY_INFRA, table) == [
        (
            "SG303",
            gate.line_of('from = "infra/template.yaml"'),
            'table drift: infra/template.yaml defines GSI "G9" (g9 (S), projection ALL), which store-gate.toml does not declare',
        ),
        (
            "SG303",
            gate.line_of('{ name = "sk"'),
            "table drift: the sort key is sk (S) in store-gate.toml but absent in infra/template.yaml",
        ),
        (
            "SG303",
            gate.line_of('{ name = "h1"'),
            'table drift: GSI "G1" partition key is h1 (S) in store-gate.toml but g1 (S) in infra/template.yaml',
        ),
        (
            "SG303",
            gate.line_of('{ name = "r1"'),
            'table drift: GSI "G1" sort key is r1 (S) in store-gate.toml but absent in infra/template.yaml',
        ),
    ]


def test_sg306_a_later_step_keyed_on_an_entity_no_earlier_step_reads_is_checked_against_the_layout(
    gate: Gate,
) -> None:
    gate.manifest(
        f"\n[access.DialogueStore.by_absent_step]\nsteps = [\n  {ROUNDS_STEP},\n"
        '  { op = "DeleteItem", entity = "Round", key = { pk = "{Dialogue.pk}", sk = "{Dialogue.sk}" } },\n]\n'
    )
    gate.write("src/store.rs", trait_of("    fn by_absent_step(&self, id: &str) -> Result<()>;\n"))
    unbound = "binds to no parameter (parameters: id); rename it to a parameter, or add the parameter"
    fix = "write it in the entity's layout"
    assert seen(gate.findings()) == [
        ("SG206", f'DialogueStore.by_absent_step (step 2): placeholder {{Dialogue.pk}} in key "pk" {unbound}'),
        ("SG206", f'DialogueStore.by_absent_step (step 2): placeholder {{Dialogue.sk}} in key "sk" {unbound}'),
        (
            "SG306",
            'DialogueStore.by_absent_step (step 2): key pk = "{Dialogue.pk}" does not fit entity Round\'s '
            f'pk = "DIALOGUE#{{dialogue_id}}"; {fix}',
        ),
        (
            "SG306",
            'DialogueStore.by_absent_step (step 2): key sk = "{Dialogue.sk}" does not fit entity Round\'s '
            f'sk = "ROUND#{{round}}"; {fix}',
        ),
    ]


def test_sg304_past_the_automaton_bound_is_reported_at_the_later_entity_of_the_manifest(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store_gate.keylang

    monkeypatch.setattr(store_gate.keylang, "MAX_STATES", 3)
    table = (
        '[table]\nname = "t"\npartition_key = { name = "pk", type = "S" }\nsort_key = { name = "sk", type = "S" }\n'
        '\n[entity.Big1]\npk = "BIG#{a}#{b}#{c}"\nsk = "S"\n\n[entity.Big2]\npk = "BIG#{x}#{y}#{z}"\nsk = "S"\n'
    )
    gate.manifest(table=table)
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    assert [(f.code, f.path, f.line, f.message.split(":")[0]) for f in gate.findings()] == [
        (
            "SG304",
            "store-gate.toml",
            gate.line_of("[entity.Big2]"),
            "entities Big1 and Big2 may collide on the base table",
        )
    ]


def test_sg212_an_item_collection_of_exactly_10_gb_passes_and_one_of_200_gb_is_shown_in_gb(gate: Gate) -> None:
    def collection(volumes: str) -> list[tuple[str, int, str]]:
        gate.manifest(extra=f"\n[volumes]\n{volumes}Score = {{ count = 1, size_kb = 1 }}\n")
        gate.write("src/store.rs", "pub trait DialogueStore {}\n")
        return [(f.code, f.line, f.message) for f in gate.findings()]

    ten_gb = 'Dialogue = { count = 1, size_kb = 256 }\nRound = { per = "Dialogue", count = 40959, size_kb = 256 }\n'
    assert collection(ten_gb) == []
    huge = 'Dialogue = { count = 1, size_kb = 1 }\nRound = { per = "Dialogue", count = 524288, size_kb = 400 }\n'
    assert collection(huge) == [
        (
            "SG212",
            gate.line_of("[volumes]"),
            'the item collection "DIALOGUE#{}" of [table] holds 200 GB at the declared volumes; with LSIs an item '
            "collection holds at most 10 GB: split the partition key, or replace the LSIs with GSIs",
        )
    ]
    assert collection("") == [
        (
            "SG212",
            gate.line_of("[volumes]"),
            'the item collection "DIALOGUE#{}" of [table] (a table with LSIs: at most 10 GB) cannot be sized: no '
            "[volumes] for Dialogue; no [volumes] for Round; state its volumes in [volumes]",
        )
    ]


def test_sg211_a_step_on_a_keys_only_lsi_after_steps_that_need_nothing_more_or_cannot_tell(gate: Gate) -> None:
    from conftest import TABLE

    keys_only = TABLE.replace("[table.lsi.ByTime]\n", '[table.lsi.ByTime]\nprojection = "KEYS_ONLY"\n').replace(
        "[table.gsi.GSI1]\n", '[table.gsi.GSI1]\nprojection = "KEYS_ONLY"\n'
    )
    steps = (
        "\n[access.DialogueStore.read]\nsteps = [\n"
        '  { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{id}", sk = "META" } },\n'
        '  { op = "Query", index = "GSI1", key = { gsi1pk = "STATUS#{status}" }, reads = ["gsi1pk"], limit = 10 },\n'
        '  { op = "Query", index = "GSI1", key = { gsi1pk = "STATUS#{status}" }, limit = 10 },\n'
        '  { op = "Query", index = "ByTime", entity = "Round", key = { pk = "DIALOGUE#{id}" }, '
        'reads = ["title", "at"], limit = 10 },\n]\n'
    )
    gate.manifest(steps, table=keys_only)
    gate.write("src/store.rs", trait_of("    fn read(&self, id: &str, status: &str) -> Result<()>;\n"))
    line = gate.line_of("[access.DialogueStore.read]")
    assert placed(gate) == [
        (
            "SG211",
            line,
            "DialogueStore",
            "read",
            'DialogueStore.read (step 3) reads GSI "GSI1" (projection KEYS_ONLY), and the gate cannot tell which '
            'attributes it needs: declare reads = ["attribute", ...], or the attributes of the entity '
            "([entity.<Name>] attributes = [...])",
        ),
        (
            "SG211",
            line,
            "DialogueStore",
            "read",
            'DialogueStore.read (step 4) needs "at", "title", which LSI "ByTime" (projection KEYS_ONLY) does not '
            "project; DynamoDB fetches them from the table, a second read per item. Add them to the projection "
            '({ include = ["at", "title"] }), or list only what the method uses in reads = [...]',
        ),
    ]


def test_sg301_sg303_and_sg307_check_every_table_after_the_default_one(gate: Gate) -> None:
    gate.write(
        "infra.yaml",
        INFRA
        + "      GlobalSecondaryIndexes:\n        - IndexName: GSI1\n"
        + "          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }]\n",
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    archive = '\n[tables.archive]\nname = "archive"\npartition_key = { name = "pk", type = "S" }\n' + MANY_GSIS.replace(
        "[table.gsi", "[tables.archive.gsi"
    )
    gate.manifest(extra=archive + '\n[tables.events]\nfrom = "infra.yaml"\nttl = "expires"\n')
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG301",
            gate.line_of("[tables.archive]"),
            'the table "archive" defines 21 GSIs; DynamoDB allows 20 per table (the default quota): '
            + OVERLOADED.format("GSI"),
        ),
        (
            "SG307",
            gate.line_of('from = "infra.yaml"'),
            'infra.yaml: GlobalSecondaryIndexes[0] "GSI1" has no ProjectionType, which DynamoDB requires; its '
            "projection is unknown; the deployment would fail or differ from what the gate checked - complete the "
            "definition",
        ),
        (
            "SG303",
            gate.line_of('ttl = "expires"'),
            'table drift: Time to Live is "expires" in store-gate.toml but not enabled in infra.yaml',
        ),
    ]


def test_sg304_between_two_imported_entities_is_reported_at_the_tables_from(gate: Gate) -> None:
    model = json.loads((Path(__file__).parent / "fixtures" / "infra" / "workbench.json").read_text(encoding="utf-8"))
    facets = model["DataModel"][0]["TableFacets"]
    twin = json.loads(json.dumps(facets[0]))
    twin["FacetName"] = "Twin"
    facets.append(twin)
    gate.write("model.json", json.dumps(model, indent=1))
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.manifest(table='\n[table]\nfrom = "model.json"\n')
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG304",
            gate.line_of('from = "model.json"'),
            'entities Customer and Twin collide on the base table: PK = "c#a", SK = "c#a" is a key of both '
            '(Customer: PK = "c#{pk}", SK = "c#{sk}"; Twin: PK = "c#{pk}", SK = "c#{sk}"); one item would overwrite '
            'the other - give each entity a literal of its own in the key (a prefix such as "TWIN#" in SK), or '
            "placeholder classes that cannot meet ({n:int}, {s:segment} has no #)",
        )
    ]


def test_sg305_past_the_automaton_bound_says_the_gate_cannot_tell_what_the_query_reads(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store_gate.keylang

    monkeypatch.setattr(store_gate.keylang, "MAX_STATES", 3)
    other = '\n[entity.Other]\npk = "OTHER#{x}"\nsk = "ROUND#{n}"\n'
    rounds = (
        '\n[access.DialogueStore.rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "{id}", sk = { begins_with = "ROUND#" } }\nlimit = 10\n'
    )
    assert collisions(gate, None, other, rounds, "    fn rounds(&self, id: &str) -> Result<Vec<Round>>;\n") == [
        (
            "SG305",
            "DialogueStore.rounds: the key condition and the entities' key languages on the base table are too large "
            "to compare (the product automaton passes its bound); the gate cannot tell which entities the Query reads "
            "- shorten the templates",
        ),
        (
            "SG306",
            'DialogueStore.rounds: key pk = "{id}" does not fit entity Round\'s pk = "DIALOGUE#{dialogue_id}"; write '
            "it in the entity's layout",
        ),
    ]


# SG701-SG704 (store_gate/rules/implementation.py) -------------------------------------------------

# The Python store of test_implementation.py's message tests (PY_TABLE, PY_STORE, PY_ACCESS, BACKEND).
GET_PRODUCT = """
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})
"""


def impl_rows(findings: list[Finding]) -> list[tuple[str, str, str | None, str | None, int]]:
    return [(f.code, f.path, f.trait, f.method, f.line) for f in findings]


def impl_gate(gate: Gate, backend: str, access: str = PY_ACCESS, extra: str = BACKEND) -> None:
    gate.manifest(access, extra, table=PY_TABLE, paths='["src/store.py"]')
    gate.write("src/store.py", PY_STORE)
    gate.write("src/backend/dynamo.py", backend)


def test_sg701_a_scan_after_a_served_query_in_the_same_method(gate: Gate) -> None:
    """The first call being the declared one does not end the reading of the method."""
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
                return self.table.scan()
        """,
    )
    assert impl_rows(gate.findings()) == [("SG701", "src/backend/dynamo.py", "DialogueStore", "by_category", 7)]


def test_sg701_and_sg702_an_undeclared_scan_does_not_end_the_reading_of_the_method(gate: Gate) -> None:
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                self.table.scan()
                return self.table.query(IndexName="GSI2", KeyConditionExpression=Key("gsi1pk").eq(category))
        """,
    )
    assert impl_rows(gate.findings()) == [
        ("SG701", "src/backend/dynamo.py", "DialogueStore", "by_category", 6),
        ("SG702", "src/backend/dynamo.py", "DialogueStore", "by_category", 7),
    ]


def test_sg704_an_unreadable_index_does_not_end_the_reading_of_the_method(gate: Gate) -> None:
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                self.table.query(IndexName=self.index, KeyConditionExpression=Key("gsi1pk").eq(category))
                return self.table.scan()
        """,
    )
    assert impl_rows(gate.findings()) == [
        ("SG704", "src/backend/dynamo.py", "DialogueStore", "by_category", 6),
        ("SG701", "src/backend/dynamo.py", "DialogueStore", "by_category", 7),
    ]


def test_sg704_a_dynamic_dispatch_names_its_trait_and_method(gate: Gate) -> None:
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return getattr(self.table, "query")(IndexName="GSI1")
        """,
    )
    assert impl_rows(gate.findings()) == [("SG704", "src/backend/dynamo.py", "DialogueStore", "by_category", 6)]


def test_sg701_a_step_not_issued_names_its_trait_and_method(gate: Gate) -> None:
    access = PY_ACCESS.replace(
        'op = "Query"\nindex = "GSI1"\nentity = "Product"\nkey = { gsi1pk = "CATEGORY#{category}" }\npage = "cursor"\n',
        'steps = [\n  { op = "Query", index = "GSI1", entity = "Product", key = { gsi1pk = "CATEGORY#{category}" }, '
        'limit = 25 },\n  { op = "BatchWriteItem", items = [{ op = "DeleteItem", entity = "Product", key = { pk = '
        '"{item.pk}", sk = "{item.sk}" } }] },\n]\n',
    )
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
        """,
        access=access,
    )
    assert [(f.code, f.trait, f.method, f.line, f.message) for f in gate.findings()] == [
        (
            "SG701",
            "DialogueStore",
            "by_category",
            6,
            "DialogueStore.by_category: the implementation does not issue step 2's BatchWriteItem (it issues "
            "Query); issue it, or correct the declaration",
        )
    ]


def test_sg704_no_call_found_says_what_cannot_be_read(gate: Gate) -> None:
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return []
        """,
    )
    assert [(f.code, f.path, f.method, f.message) for f in gate.findings()] == [
        (
            "SG704",
            "src/store.py",
            "by_category",
            "DialogueStore.by_category: no DynamoDB call found in its implementation (declared: Query); a call "
            "through a helper outside the backend module, more than one level deep, or by dynamic dispatch cannot "
            "be read - call the SDK in the backend module",
        )
    ]


def test_alternatives_one_of_which_must_be_issued(gate: Gate) -> None:
    """No call at all behind alternatives is SG704; a call of one of them is enough."""
    access = PY_ACCESS.replace(
        'op = "GetItem"\nentity = "Product"\nkey = { pk = "PRO#{product_id}", sk = "META" }\n',
        'alternatives = [\n  { op = "GetItem", entity = "Product", key = { pk = "PRO#{product_id}", sk = "META" } },\n'
        '  { op = "Query", entity = "Product", key = { pk = "PRO#{product_id}" }, limit = 1 },\n]\n',
    )
    by_category = """
            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
    """
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):\n    def get_product(self, product_id):\n        return None\n"
        + by_category.replace("            ", "    "),
        access=access,
    )
    assert [(f.code, f.method, f.message) for f in gate.findings()] == [
        (
            "SG704",
            "get_product",
            "DialogueStore.get_product: no DynamoDB call found in its implementation (declared: GetItem, Query); "
            "a call through a helper outside the backend module, more than one level deep, or by dynamic dispatch "
            "cannot be read - call the SDK in the backend module",
        )
    ]
    gate.write("src/backend/dynamo.py", "class Dynamo(DialogueStore):" + GET_PRODUCT + by_category)
    assert gate.findings() == []


def test_a_step_of_op_none_asks_for_no_call(gate: Gate) -> None:
    access = PY_ACCESS.replace(
        'op = "Query"\nindex = "GSI1"\nentity = "Product"\nkey = { gsi1pk = "CATEGORY#{category}" }\npage = "cursor"\n',
        'steps = [\n  { op = "Query", index = "GSI1", entity = "Product", key = { gsi1pk = "CATEGORY#{category}" }, '
        'limit = 25 },\n  { op = "none", reason = "sorts the page in memory" },\n]\n',
    )
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
        """,
        access=access,
    )
    assert gate.findings() == []


def test_sg703_a_literal_longer_than_the_declared_prefix_fits_it(gate: Gate) -> None:
    """`CATEGORY#books` is one of the values `CATEGORY#{category}` spells."""
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq("CATEGORY#books"))
        """,
    )
    assert gate.findings() == []


def test_every_backend_file_is_read_after_one_that_cannot_be(gate: Gate) -> None:
    """A file that is not UTF-8 and one that does not parse are each SG002, and the file after them
    is still read (its Scan is SG701)."""
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return self.table.scan()
        """,
    )
    (gate.root / "src/backend/a_latin1.py").write_bytes(b"# caf\xe9\nclass Cache(DialogueStore):\n    pass\n")
    gate.write("src/backend/b_broken.py", "# DialogueStore\ndef broken(:\n    pass\n")
    assert [(f.code, f.path) for f in gate.findings()] == [
        ("SG002", "src/backend/a_latin1.py"),
        ("SG002", "src/backend/b_broken.py"),
        ("SG701", "src/backend/dynamo.py"),
    ]


def test_sg704_names_the_classes_that_implement_the_trait_without_the_method(gate: Gate) -> None:
    backend = "class Dynamo(DialogueStore):" + GET_PRODUCT
    impl_gate(gate, backend, extra=BACKEND.replace('"src/backend/**"', '"src/backend/**", "src/extra/**"'))
    end = "; the gate cannot compare its code with the declaration - implement it there, or add its module to allow"
    head = 'DialogueStore.by_category has no implementation in the dynamodb backend modules ("src/backend/**", "src/extra/**"): '
    assert [(f.code, f.method, f.message) for f in gate.findings()] == [
        ("SG704", "by_category", head + "Dynamo implements DialogueStore without it" + end)
    ]
    gate.write("src/backend/dynamo.py", backend + "\n\n" + backend.replace("Dynamo", "Cache"))
    assert [f.message for f in gate.findings()] == [head + "Cache, Dynamo implement DialogueStore without it" + end]
    gate.write("src/backend/dynamo.py", "class Other:\n    pass\n")
    assert [f.message for f in gate.findings()] == [
        head.replace("by_category", "get_product") + "no implementation of DialogueStore there" + end,
        head + "no implementation of DialogueStore there" + end,
    ]


def test_a_method_without_a_declaration_does_not_end_the_comparison(gate: Gate) -> None:
    """SG101 for the first method; the ones after it are still compared with their code."""
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return self.table.scan()

            def count(self):
                return 0
        """,
    )
    gate.write(
        "src/store.py",
        PY_STORE.replace("    def get_product", "    def count(self) -> int: ...\n    def get_product"),
    )
    assert [(f.code, f.method) for f in gate.findings()] == [("SG701", "by_category"), ("SG101", "count")]


def test_an_implementation_of_a_trait_two_levels_below_the_methods_is_read(gate: Gate) -> None:
    """`DialogueStore(Reads)`, `Reads(Base)`: a class implementing DialogueStore implements Base's
    methods; one lacking a method is named as implementing the trait without it."""
    impl_gate(
        gate,
        "class Dynamo(DialogueStore):" + GET_PRODUCT.replace("self.table.get_item", "self.table.scan"),
        access=PY_ACCESS.replace("access.DialogueStore.", "access.Base."),
    )
    gate.write(
        "src/store.py",
        PY_STORE.replace("class DialogueStore(Protocol):", "class Base(Protocol):")
        + "\nclass Reads(Base, Protocol):\n    pass\n\nclass DialogueStore(Reads, Protocol):\n    pass\n",
    )
    assert [(f.code, f.trait, f.method, f.line) for f in gate.findings()] == [
        ("SG701", "Base", "get_product", 3),
        ("SG704", "Base", "by_category", 5),
    ]
    assert "): Dynamo implements Base without it; " in gate.findings()[1].message


def test_sg702_lists_the_indexes_of_the_stores_own_table(gate: Gate) -> None:
    """The store's `table` is the one whose indexes SG702 lists, not the default `[table]`'s."""
    gate.write(
        "store-gate.toml",
        'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/store.py"]\ntable = "archive"\n'
        + PY_TABLE
        + """
[tables.archive]
name = "archive"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.archive.gsi.ByDay]
partition_key = { name = "daypk", type = "S" }

[access.DialogueStore.get_product]
op = "GetItem"
key = { pk = "PRO#{product_id}", sk = "META" }

[access.DialogueStore.by_category]
op = "Query"
index = "ByDay"
key = { daypk = "DAY#{category}" }
page = "cursor"
"""
        + BACKEND,
    )
    gate.write("src/store.py", PY_STORE)
    gate.write(
        "src/backend/dynamo.py",
        "class Dynamo(DialogueStore):"
        + GET_PRODUCT
        + """
            def by_category(self, category, cursor):
                return self.table.query(IndexName="ByDy", KeyConditionExpression=Key("daypk").eq(f"DAY#{category}"))
        """,
    )
    assert [(f.code, f.method, f.message) for f in gate.findings()] == [
        (
            "SG702",
            "by_category",
            'DialogueStore.by_category: this Query reads index "ByDy", an index the table does not have (its indexes: '
            "ByDay), but the declaration reads ByDay; read the declared index, or correct the declaration",
        )
    ]


# Inline declarations: strings, escapes, and declarations on consecutive lines (extract/inline.py) --


def test_an_access_declaration_ends_where_its_braces_balance_outside_basic_and_literal_strings() -> None:
    lines = [
        '@access { sk = "", pk = "A#{id" }',
        "@access { op = \"Query\", path = 'C:\\dir\\',",
        'note = "a \\"{\\" b" }',
        '@access { op = "Scan", note = "no @access here" }',
    ]
    found = access_declarations([(SourceLocation("s.rs", n, 5), line) for n, line in enumerate(lines, 1)])
    assert [(d.text, d.location.line) for d in found] == [
        ('{ sk = "", pk = "A#{id" }', 1),
        ('{ op = "Query", path = \'C:\\dir\\\', note = "a \\"{\\" b" }', 2),
        ('{ op = "Scan", note = "no @access here" }', 4),
    ]


# SG002 points at the mistake inside the ERROR node that recovery wrapped around it (extract/sgnodes.py)

SYNTAX_ERRORS = {
    # recovery wraps the trait; the mistake is in the ERROR nested in it, after the last method that parsed
    "pub trait S {\n    fn a(&self) -> u32;\n    fn b(&self) -> u32 @\n    fn c(&self) -> u32 @\n}\n": (
        3,
        20,
        'cannot parse "u32 @ fn" (1 more in this file)',
    ),
    # an ERROR nested two deep
    "impl -> ] ( ) , u32 ) ] { &self": (1, 21, 'cannot parse ") ]" (2 more in this file)'),
    # after the last `{`, the next to last child
    "pub trait S {\n    fn a(&self) -> u32;\n    fn b(&self) -> u32;\n    fn c(&self) { { ; }\n": (
        4,
        19,
        'cannot parse "{ ; }"',
    ),
    "pub trait S { ; @ ]]\n": (1, 17, 'cannot parse "@"'),  # after the last `;`
    "{ ; @ ]]": (1, 3, 'cannot parse ";"'),  # after a `{` that is the first child
    "@ @ @": (1, 1, 'cannot parse "@ @ @"'),  # nothing parsed: the whole ERROR
    "@ {": (1, 1, 'cannot parse "@ {"'),  # nothing after the last `{`: the whole ERROR
    # the snippet on one line, cut to 40 characters
    "@@" + " @" * 19: (1, 1, 'cannot parse "@@' + " @" * 19 + '"'),
    "@" + "\n@" * 20: (1, 1, 'cannot parse "@' + " @" * 18 + '..."'),
    # a node the parser assumed
    "pub trait S {\n    fn a(&self) -> Vec<u32;\n}\n": (2, 27, 'missing ">"'),
}


@pytest.mark.parametrize("source", list(SYNTAX_ERRORS))
def test_sg002_points_at_the_mistake_inside_the_error_that_recovery_wrapped_around_it(source: str) -> None:
    line, column, what = SYNTAX_ERRORS[source]
    problem = first_syntax_problem(SgRoot(source, "rust").root(), "src/s.rs")
    assert problem == SourceProblem(
        "SG002",
        SourceLocation("src/s.rs", line, column),
        f"syntax error: {what}; the gate cannot see the methods it may hide - fix the syntax",
    )


# An inline declaration is located at its `@access`, on every line of a docstring or JSDoc --------

PY_DOCSTRING = '''class DialogueStore(Protocol):
    def get(self, key: str) -> str:
        """Reads one.

          @access { op = "GetItem", entity = "Turn", note = "@access" }
        """
'''

TS_JSDOC = """export interface DialogueStore {
  /** @access { op = "GetItem", entity = "Turn", note = "@access" } */
  get(key: string): Promise<string>;
  /**
   * Lists.
   *   @access { op = "Query", entity = "Turn",
   *     note = "@access" }
   */
  list(key: string): Promise<string[]>;
}
"""


def test_an_inline_declaration_is_located_at_its_first_access_tag_in_python_and_typescript() -> None:
    def declared(result: FileExtraction) -> list[tuple[str, list[tuple[str, int, int]]]]:
        methods = [m for t in result.traits for m in t.methods]
        return [(m.name, [(d.text, d.location.line, d.location.column) for d in m.inline]) for m in methods]

    store = frozenset({"DialogueStore"})
    assert declared(python.extract("store.py", PY_DOCSTRING, store)) == [
        ("get", [('{ op = "GetItem", entity = "Turn", note = "@access" }', 5, 11)])
    ]
    assert declared(typescript.extract("store.ts", TS_JSDOC, store)) == [
        ("get", [('{ op = "GetItem", entity = "Turn", note = "@access" }', 2, 7)]),
        ("list", [('{ op = "Query", entity = "Turn", note = "@access" }', 6, 8)]),
    ]


# SG003 on an associated type bounded by a function type behind `for<'a>` (extract/rust.py) -------


def test_sg003_an_associated_type_bounded_by_fn_through_for_a_is_a_function_type(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            type Hook: for<'a> Fn(&'a str) -> u32;
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        """,
    )
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG003",
            2,
            "DialogueStore's associated type Hook is a function type (Fn(&'a str) -> u32): what gives callers a "
            "value of it hands them a function the gate cannot govern; write that access as a method of DialogueStore",
        )
    ]


# SG003 for a cfg nested in cfg_attr twice (extract/rust.py) ----------------------------------------


@pytest.mark.parametrize(
    ("attribute", "never"),
    [("cfg_attr(all(), cfg_attr(all(), cfg(any())))", True), ("cfg_attr(all(), cfg_attr(unix, cfg(any())))", False)],
)
def test_sg003_a_cfg_under_two_cfg_attrs_that_is_never_true_leaves_the_trait_out(
    gate: Gate, attribute: str, never: bool
) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", f"#[{attribute}]\n{STORE.lstrip()}")
    expected = [
        (
            "SG003",
            1,
            f"DialogueStore is defined under #[{attribute}], which is never true: rustc never compiles this "
            "definition, and the DialogueStore callers use may be one the gate cannot see; remove the cfg, or gate "
            "the trait on a Cargo feature (cfg(feature = ...))",
        )
    ]
    assert [(f.code, f.line, f.message) for f in gate.findings()] == (expected if never else [])


# A const of a type parameter bounded by Fn in a where clause, parenthesised, is a method (extract/rust.py)


def test_a_const_of_a_type_parameter_bounded_by_fn_as_a_parenthesised_where_clause_type_is_a_method() -> None:
    source = (
        "pub trait DialogueStore<F> where (F): Fn(&str) -> u32 {\n    const HOOK: F;\n    fn get(&self) -> u32;\n}\n"
    )
    result = rust.extract("src/store.rs", source, frozenset({"DialogueStore"}))
    assert (result.problems, [(m.name, m.location.line) for t in result.traits for m in t.methods]) == (
        [],
        [("HOOK", 2), ("get", 3)],
    )


def test_a_module_level_augmented_assignment_and_del_do_not_stop_the_python_store_being_read() -> None:
    source = (
        "import typing\nn = 0\nn += 1\ndel n\nclass DialogueStore(typing.Protocol):\n    def get(self) -> str: ...\n"
    )
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert (result.problems, [(m.name, m.location.line) for t in result.traits for m in t.methods]) == (
        [],
        [("get", 6)],
    )


def test_a_rust_block_doc_comment_continues_an_access_declaration_past_the_leading_stars() -> None:
    source = """pub trait DialogueStore {
    /** Reads one.
     * @access { op = "GetItem", entity = "Turn",
     *   key = { pk = "T#{id}" } }
     */
    fn get(&self, id: &str) -> u32;
}
"""
    result = rust.extract("src/store.rs", source, frozenset({"DialogueStore"}))
    declared = [(m.name, [(d.text, d.location.line) for d in m.inline]) for t in result.traits for m in t.methods]
    assert (result.problems, declared) == (
        [],
        [("get", [('{ op = "GetItem", entity = "Turn", key = { pk = "T#{id}" } }', 3)])],
    )


@pytest.mark.parametrize(
    ("attribute", "shown"),
    [
        ("unsafe(my_macro)", "my_macro] (under unsafe"),
        ("cfg_attr(all(), - x)", "- x] (under cfg_attr"),
        ("cfg_attr(all(), unsafe(my_macro))", "my_macro] (under unsafe"),
    ],
)
def test_sg003_an_attribute_macro_wrapped_in_unsafe_or_cfg_attr_is_named_as_written(
    gate: Gate, attribute: str, shown: str
) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", f"#[{attribute}]\n{STORE.lstrip()}")
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG003",
            1,
            f"DialogueStore has the attribute macro #[{shown}), which may add methods the gate "
            "cannot see; write the methods out in the trait instead (cargo expand shows them)",
        )
    ]


def test_a_typescript_member_typed_by_an_interface_that_extends_a_function_type_is_a_method(gate: Gate) -> None:
    gate.manifest(DECLARED.replace("get_dialogue", "get"), paths='["src/**/*.ts"]')
    gate.write(
        "src/store.ts",
        """
        type GetFn = (dialogue_id: string) => Promise<Dialogue | undefined>;
        interface Getter extends GetFn {}
        export interface DialogueStore {
          get: Getter;
        }
        """,
    )
    assert gate.findings() == []


# A Rust backend's index name written `"ByTime".into()` is the literal (extract/backend.py) ----------


def test_a_rust_index_name_converted_with_into_is_read_as_the_literal(gate: Gate) -> None:
    gate.manifest(RUST_ACCESS, BACKEND)
    gate.write("src/store.rs", RUST_TRAIT)
    gate.write(
        "src/backend/dynamo.rs",
        """
        impl DialogueStore for Dynamo {
            async fn end_rounds(&self, dialogue_id: &str) -> Result<()> {
                self.client.query().index_name("ByTime".into()).send().await?;
                self.client.batch_write_item().send().await?;
                Ok(())
            }

            fn name(&self) -> &str {
                "dynamo"
            }
        }
        """,
    )
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG702",
            3,
            'DialogueStore.end_rounds: this Query reads index "ByTime", but the declaration reads the table; read the '
            "declared index, or correct the declaration",
        )
    ]


def test_a_rust_backend_follows_helpers_called_on_self_and_on_self_type_not_on_another_value(gate: Gate) -> None:
    gate.manifest(RUST_ACCESS, BACKEND)
    gate.write("src/store.rs", RUST_TRAIT)
    gate.write(
        "src/backend/dynamo.rs",
        """
        impl DialogueStore for Dynamo {
            async fn end_rounds(&self, dialogue_id: &str) -> Result<()> {
                self.query_rounds(dialogue_id).await?;
                Self::delete_all(&self.client).await?;
                Ok(())
            }

            fn name(&self) -> &str {
                self.label.query_rounds("x");
                "dynamo"
            }
        }

        impl Dynamo {
            async fn query_rounds(&self, dialogue_id: &str) -> Result<()> {
                self.client.query().send().await?;
                Ok(())
            }

            async fn delete_all(client: &Client) -> Result<()> {
                client.batch_write_item().send().await?;
                Ok(())
            }
        }
        """,
    )
    assert gate.findings() == []


def test_sg003_an_item_rustc_does_not_accept_in_a_trait_is_named_and_the_methods_still_read(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE.replace("{\n", "{\n    struct Inner;\n", 1))
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG003",
            2,
            "DialogueStore contains struct item Inner, which the gate cannot analyse; write the methods out in the "
            "trait and move anything else out of it",
        )
    ]


@pytest.mark.parametrize(
    ("imported", "base"),
    [
        ('import Disposable from "./lib";', "Disposable"),
        ('import * as Disposable from "./lib";', "Disposable"),
        ('import Disposable = require("./lib");', "Disposable"),
        ('import * as lib from "./lib";', "lib.Disposable"),
    ],
)
def test_a_typescript_base_named_like_a_harmless_built_in_but_imported_is_resolved_like_any_other(
    gate: Gate, imported: str, base: str
) -> None:
    gate.manifest(DECLARED.replace("get_dialogue", "get"), paths='["src/**/*.ts"]')
    gate.write(
        "src/store.ts",
        imported
        + f"\nexport interface DialogueStore extends {base} {{\n"
        + "  get(dialogue_id: string): Promise<Dialogue | undefined>;\n}\n",
    )
    assert [(f.code, f.line, f.message) for f in gate.findings()] == [
        (
            "SG004",
            2,
            f'DialogueStore extends {base}, which is defined nowhere under the store\'s paths ("src/**/*.ts"): its '
            f'methods would not be governed; add its file to paths, or list it in [[store]] external = ["{base}"] '
            "if another manifest governs it",
        )
    ]


def test_typescript_record_fields_include_constructor_parameter_properties_readonly_and_optional_ones() -> None:
    source = """export class Round {
  id: string;
  constructor(public dialogueId: string, private seq: number, readonly n: number, public note?: string, plain = 1) {}
  other(public x: string) {}
}
"""
    assert typescript.record_fields("src/round.ts", source, frozenset({"Round"})) == {
        "Round": frozenset({"id", "dialogueId", "seq", "n", "note"})
    }


def test_sg208_names_the_fields_a_typescript_record_declares_as_readonly_constructor_parameters(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "ROUND#{round}", sk = "META" }\n',
        paths='["src/**/*.ts"]',
    )
    gate.write(
        "src/store.ts",
        """
        export class Round {
          constructor(readonly n: string, public note?: string) {}
        }
        export interface DialogueStore {
          put(round: Round): Promise<void>;
        }
        """,
    )
    assert seen(gate.findings()) == [
        (
            "SG208",
            'DialogueStore.put: key "pk" is bound to {round}, a whole Round (a record with fields n, note); name the '
            "field the key part stands for, e.g. {round.n}",
        )
    ]


def test_a_typescript_member_typed_by_an_interface_with_a_call_signature_takes_its_parameters(gate: Gate) -> None:
    gate.manifest(DECLARED.replace("get_dialogue", "get"), paths='["src/**/*.ts"]')
    gate.write(
        "src/store.ts",
        """
        interface GetFn {
          (dialogue_id: string): Promise<Dialogue | undefined>;
        }
        export interface DialogueStore {
          get: GetFn;
        }
        """,
    )
    assert gate.findings() == []


def test_typescript_store_fields_a_class_expression_is_a_facet_an_empty_one_and_wrapped_data_are_data() -> None:
    source = """export abstract class DialogueStore {
  cfg = { limit: (25) };
  ops = class { run() {} };
  empty = class {};
  abstract get(dialogue_id: string): Promise<string>;
}
"""
    result = typescript.extract("src/store.ts", source, frozenset({"DialogueStore"}))
    assert [(p.code, p.location.line, p.message) for p in result.problems] == [
        (
            "SG003",
            3,
            "DialogueStore.ops is initialised with class { run() {} }, a class expression, a facet of methods the "
            "gate does not govern: declare its methods on DialogueStore, or govern them as a store of their own",
        )
    ]


def test_typescript_numeric_member_names_are_written_as_javascript_does_and_a_parenthesised_alias_is_read() -> None:
    source = """export interface DialogueStore {
  0x0(): Promise<void>;
  1e21(): Promise<void>;
  0.0000001(): Promise<void>;
  ["2.50"](): Promise<void>;
}
export type Other = ({ get(dialogue_id: string): Promise<string> });
"""
    result = typescript.extract("src/store.ts", source, frozenset({"DialogueStore", "Other"}))
    assert (result.problems, [(t.name, [m.name for m in t.methods], t.supertraits) for t in result.traits]) == (
        [],
        [("DialogueStore", ["0", "1e+21", "1e-7", "2.50"], ()), ("Other", ["get"], ())],
    )


# A TypeScript backend: exported constants, function-expression helpers, object literals (extract/backend.py)

TS_BACKENDS = {
    "helpers": """
        import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
        export const BY_TIME = "ByTime";
        function getHelper(client: any, dialogueId: string, round: number) {
          return client.send(new GetCommand({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
        }
        const listHelper = (client: any, dialogueId: string) => client.send(new QueryCommand({ TableName: "t", IndexName: BY_TIME }));

        export class Dynamo implements DialogueStore {
          async getRound(dialogueId: string, round: number) {
            return getHelper(this.client, dialogueId, round);
          }
          async listRounds(dialogueId: string) {
            return listHelper(this.client, dialogueId);
          }
        }
        """,
    "object literal": """
        const other: DialogueStore = makeStore();
        export const store: DialogueStore = {
          getRound: function (dialogueId: string, round: number) {
            return client.send(new GetCommand({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
          },
          listRounds: async (dialogueId: string) => client.send(new QueryCommand({ TableName: "t", IndexName: `ByTime` })),
        };
        """,
    "structural class": """
        export class Dynamo {
          async getRound(dialogueId: string, round: number) {
            return this.client.send(new GetCommand({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
          }
          async listRounds(dialogueId: string) {
            return this.client.send(new QueryCommand({ TableName: "t", IndexName: "ByTime" }));
          }
        }
        """,
}


@pytest.mark.parametrize("backend", list(TS_BACKENDS))
def test_a_typescript_backend_is_read_through_constants_helpers_and_object_literals(gate: Gate, backend: str) -> None:
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    gate.write("src/backend/dynamo.ts", TS_BACKENDS[backend].replace("ByTime", "Inverted"))
    assert [(f.code, f.line, f.method, f.message) for f in gate.findings()] == [
        (
            "SG702",
            6,
            "listRounds",
            'DialogueStore.listRounds: this Query reads index "Inverted", an index the table does not have (its '
            "indexes: ByScore, ByTime, GSI1), but the declaration reads ByTime; read the declared index, or correct "
            "the declaration",
        )
    ]


def test_a_typescript_dynamic_dispatch_and_a_paginator_index_that_is_no_literal_are_sg704_at_their_calls(
    gate: Gate,
) -> None:
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    gate.write(
        "src/backend/dynamo.ts",
        """
        export class Dynamo implements DialogueStore {
          async getRound(dialogueId: string, round: number) {
            return this[this.op](dialogueId, round);
          }
          async listRounds(dialogueId: string) {
            for await (const page of paginateQuery({ client: this.client }, { TableName: "t", IndexName: this.index })) {
            }
          }
        }
        """,
    )
    assert [(f.code, f.line, f.method, f.message) for f in gate.findings()] == [
        (
            "SG704",
            3,
            "getRound",
            "DialogueStore.getRound: the gate cannot read a dynamic dispatch (this[this.op]); write the call with the "
            "SDK's own methods and literal names in the backend module, so that it can be compared with the "
            "declaration",
        ),
        (
            "SG704",
            6,
            "listRounds",
            "DialogueStore.listRounds: the gate cannot read the index of this Query: IndexName IndexName: this.index "
            "is not a string literal; write IndexName as a literal in the call",
        ),
    ]


def test_a_pynamodb_item_save_in_a_file_that_uses_pynamodb_is_a_putitem(gate: Gate) -> None:
    gate.manifest(PY_ACCESS, BACKEND, table=PY_TABLE, paths='["src/**/*.py"]')
    gate.write("src/store.py", PY_STORE)
    gate.write(
        "src/backend/dynamo.py",
        """
        from pynamodb.models import Model
        from dialogue.models import Product


        class Dynamo(DialogueStore):
            @staticmethod
            def _load(product_id):
                return Product(product_id)

            def get_product(self, product_id):
                product = self._load(product_id)
                product.save()
                return product

            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1")
        """,
    )
    assert [(f.code, f.line, f.method, f.message) for f in gate.findings()] == [
        (
            "SG701",
            12,
            "get_product",
            "DialogueStore.get_product: the implementation issues PutItem but the declaration says GetItem; issue "
            "GetItem as declared, or correct the declaration",
        )
    ]


def test_python_an_expression_nested_past_the_parsers_limit_is_sg002_and_hides_the_store() -> None:
    source = "x = " + "-" * 200_000 + "1\nclass DialogueStore:\n    def get(self): ...\n"
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert (result.problems, result.traits) == (
        [
            SourceProblem(
                "SG002",
                SourceLocation("store.py", 1, 1),
                "too complex for Python's parser (nested too deeply); the gate cannot see the methods it may hide - "
                "split the expression",
            )
        ],
        [],
    )


def test_python_sg003_a_chained_assignment_from_elsewhere_after_data_names_every_target() -> None:
    source = "from typing import Protocol\nfrom x import ops\nclass DialogueStore(Protocol):\n    LIMIT = 10\n    a = b = ops\n"
    result = python.extract(
        "store.py", source + "    def get(self, key: str) -> str: ...\n", frozenset({"DialogueStore"})
    )
    assert (
        [(p.code, p.location.line, p.message) for p in result.problems],
        [m.name for m in result.traits[0].methods],
    ) == (
        [
            (
                "SG003",
                5,
                "DialogueStore assigns a, b from elsewhere; if it is a method the gate cannot see its signature - "
                "define it with def",
            )
        ],
        ["get"],
    )


def test_python_overloads_only_bind_the_parameters_every_overload_has_and_any_collection_return_counts() -> None:
    source = """from typing import Protocol, overload
class DialogueStore(Protocol):
    @overload
    def get(self, dialogue_id: str, limit: int) -> Dialogue: ...
    @overload
    def get(self, key: str, limit: int) -> list[Dialogue]: ...
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    methods = [(m.name, m.parameters, m.return_type, m.returns_collection) for t in result.traits for m in t.methods]
    assert (result.problems, methods) == (
        [],
        [
            (
                "get",
                (Parameter("dialogue_id", "str", bindable=False), Parameter("limit", "int", bindable=True)),
                "Dialogue",
                True,
            )
        ],
    )


def test_python_a_function_class_getitem_binds_to_cls_is_a_method_without_its_first_parameter() -> None:
    source = """from typing import Protocol
def _fetch(store, dialogue_id: str) -> str: ...
class DialogueStore(Protocol):
    def __class_getitem__(cls, item):
        cls.fetch = _fetch
        return cls
    def get(self, key: str) -> str: ...
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    methods = [(m.name, m.location.line, [p.name for p in m.parameters]) for t in result.traits for m in t.methods]
    assert (result.problems, methods) == ([], [("get", 7, ["key"]), ("fetch", 5, ["dialogue_id"])])


def test_python_sg003_a_std_base_lists_the_methods_it_brings_without_its_private_helpers() -> None:
    source = "from collections.abc import Set\nclass DialogueStore(Set):\n    def get(self, key: str) -> str: ...\n"
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert [(p.code, p.location.line, p.message) for p in result.problems] == [
        (
            "SG003",
            2,
            "DialogueStore derives from Set, which brings methods it does not define (__contains__, __iter__, "
            "__len__, isdisjoint): the gate cannot see them; define each in DialogueStore, or hold a Set as an "
            "attribute instead of deriving from it",
        )
    ]


def test_python_sg003_a_data_annotation_over_a_conditional_whose_else_is_a_lambda() -> None:
    source = """from typing import Protocol
FLAG = True
class DialogueStore(Protocol):
    limit: int = 10 if FLAG else (lambda self: 20)
    def get(self, key: str) -> str: ...
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert [(p.code, p.location.line, p.message) for p in result.problems] == [
        (
            "SG003",
            4,
            "DialogueStore.limit is annotated int but assigned lambda self: 20, a lambda: it may be a method whose "
            "signature the gate cannot see; define it with def",
        )
    ]


def test_python_a_starred_data_unpacking_is_data_and_a_keyword_only_callable_stored_on_self_is_a_method() -> None:
    source = """from typing import Callable, Protocol
class DialogueStore(Protocol):
    a, *b = (1, 2, 3)
    def configure(self, *, fetch: Callable[[str], str]) -> None:
        self.fetch = fetch
    def get(self, key: str) -> str: ...
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    methods = [
        (m.name, m.location.line, [(p.name, p.type) for p in m.parameters]) for t in result.traits for m in t.methods
    ]
    assert (result.problems, methods) == (
        [],
        [
            ("configure", 4, [("fetch", "Callable[[str], str]")]),
            ("get", 6, [("key", "str")]),
            ("fetch", 5, [(None, "str")]),
        ],
    )


def test_python_a_class_deriving_from_callable_is_a_function_type_with_its_parameters_and_return() -> None:
    source = "from typing import Callable\nclass Fetch(Callable[[str, int], list[str]]):\n    pass\n"
    shape = FunctionShape((Parameter(None, "str", False), Parameter(None, "int", False)), "list[str]", True)
    assert python.type_definitions("t.py", source, frozenset({"Fetch"})) == {"Fetch": TypeDefinition(function=shape)}


def test_python_sg003_quotes_a_long_expression_cut_to_80_characters() -> None:
    body = "self.client.get_item(Key={'pk': 'DIALOGUE#' + dialogue_id, 'sk': 'META'})"
    source = (
        "from typing import Protocol\nFLAG = True\nclass DialogueStore(Protocol):\n"
        f"    limit: int = 10 if FLAG else (lambda self, dialogue_id: {body})\n"
    )
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    shown = "lambda self, dialogue_id: self.client.get_item(Key={'pk': 'DIALOGUE#' + dialo..."
    assert len(shown) == 80
    assert [(p.code, p.location.line, p.message) for p in result.problems] == [
        (
            "SG003",
            4,
            f"DialogueStore.limit is annotated int but assigned {shown}, a lambda: it may be a method whose signature "
            "the gate cannot see; define it with def",
        )
    ]


def test_typescript_an_arrow_field_with_one_bare_parameter_takes_that_parameter() -> None:
    source = """export abstract class DialogueStore {
  get = dialogue_id => this.load(dialogue_id);
  put = async (dialogue_id: string, body: string): Promise<void> => {};
}
"""
    result = typescript.extract("src/store.ts", source, frozenset({"DialogueStore"}))
    methods = [
        (m.name, [(p.name, p.type) for p in m.parameters], m.return_type) for t in result.traits for m in t.methods
    ]
    assert (result.problems, methods) == (
        [],
        [
            ("get", [("dialogue_id", "")], None),
            ("put", [("dialogue_id", "string"), ("body", "string")], "Promise<void>"),
        ],
    )


@pytest.mark.parametrize(
    "rebinding",
    [
        pytest.param(
            "match 1:\n    case Protocol:\n        pass\n",
            marks=pytest.mark.skipif(sys.version_info < (3, 10), reason="`match` parses on Python 3.10+ only"),
        ),
        'with open("x") as Protocol:\n    pass\n',
    ],
)
def test_python_protocol_rebound_by_a_match_capture_or_a_with_target_is_no_longer_typings(rebinding: str) -> None:
    source = (
        "from typing import Protocol\n"
        + rebinding
        + "class DialogueStore(Protocol):\n    def get(self, key: str) -> str: ...\n"
    )
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    traits = [
        (t.name, [(h.name, h.standard) for h in t.supertraits], [m.name for m in t.methods]) for t in result.traits
    ]
    assert (result.problems, traits) == ([], [("DialogueStore", [("Protocol", False)], ["get"])])


# SG101's suggested declaration, and `store-gate suggest` (store_gate/rules/suggest.py) -----------


def offered(gate: Gate) -> dict[str, str]:
    """Each governed method's suggested declaration, with what a skeleton leaves to complete."""
    from store_gate.rules.suggest import parameter_fields, suggest

    project = gate.run().project
    fields = parameter_fields(project, project.methods)
    return {m.qualified_name: (s := suggest(m, project, fields)).pattern.render() + s.note for m in project.methods}


PLAIN_TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }
"""

NAMED = """
[entity.Category]
pk = "USER#{user_id}"
sk = "CATEGORY#{category_id}"

[entity.Address]
pk = "USER#{user_id}"
sk = "ADDRESS#{address_id}"

[entity.Tax]
pk = "USER#{user_id}"
sk = "TAX#{tax_id}"

[entity.Class]
pk = "CLASS#{class_id}"
sk = "META"

[entity.OpenTension]
pk = "USER#{user_id}"
sk = "TENSION#{tension_id}"

[entity.OpenWorkItem]
pk = "USER#{user_id}"
sk = "WORK#{item_id}"

[entity.StatusUpdate]
pk = "USER#{user_id}"
sk = "UPDATE#{update_id}"
"""


def test_suggest_names_the_entity_by_the_singular_of_one_two_or_three_words_of_the_name(gate: Gate) -> None:
    gate.manifest(table=PLAIN_TABLE, extra=NAMED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn get_categories(&self, user_id: &str, after: Option<String>) -> Vec<String>;
            fn list_addresses(&self, user_id: &str, after: Option<String>) -> Vec<String>;
            fn taxes_of_user(&self, user_id: &str) -> Vec<String>;
            fn get_class(&self, class_id: &str) -> Option<String>;
            fn list_open_tensions(&self, user_id: &str, after: Option<String>) -> Vec<String>;
            fn list_open_work_items(&self, user_id: &str, after: Option<String>) -> Vec<String>;
            fn list_status_updates(&self, user_id: &str, after: Option<String>) -> Vec<String>;
        }
        """,
    )
    assert offered(gate) == {
        "DialogueStore.get_categories": '{ op = "Query", entity = "Category", key = { pk = "USER#{user_id}", sk = { begins_with = "CATEGORY#" } }, page = "cursor" }',
        "DialogueStore.get_class": '{ op = "GetItem", entity = "Class", key = { pk = "CLASS#{class_id}", sk = "META" } }',
        "DialogueStore.list_addresses": '{ op = "Query", entity = "Address", key = { pk = "USER#{user_id}", sk = { begins_with = "ADDRESS#" } }, page = "cursor" }',
        "DialogueStore.list_open_tensions": '{ op = "Query", entity = "OpenTension", key = { pk = "USER#{user_id}", sk = { begins_with = "TENSION#" } }, page = "cursor" }',
        "DialogueStore.list_open_work_items": '{ op = "Query", entity = "OpenWorkItem", key = { pk = "USER#{user_id}", sk = { begins_with = "WORK#" } }, page = "cursor" }',
        "DialogueStore.list_status_updates": '{ op = "Query", entity = "StatusUpdate", key = { pk = "USER#{user_id}", sk = { begins_with = "UPDATE#" } }, page = "cursor" }',
        "DialogueStore.taxes_of_user": '{ op = "Query", entity = "Tax", key = { pk = "USER#{user_id}", sk = { begins_with = "TAX#" } }, page = "cursor" } (a skeleton to complete: taxes_of_user takes no cursor and returns none: add one (and return the next), or replace page = "cursor" with limit = N)',
    }


def test_suggest_names_a_write_by_what_it_is_given_and_a_read_by_what_it_returns(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub struct Dialogue { pub id: String, pub status: String }
        pub trait DialogueStore {
            fn save_round(&self, round: &Round) -> Option<Dialogue>;
            fn get_round(&self, dialogue: &Dialogue) -> Option<Round>;
            fn delete_round(&self, round: &Round);
            fn delete_dialogue(&self, dialogue_id: &str);
            fn get_status_of_dialogue(&self, dialogue_id: &str) -> Option<String>;
            fn get_dialogue(&self, id: &str) -> Option<Dialogue>;
            fn put_dialogue(&self, dialogue: &Dialogue);
            fn get_round_at(&self, round: &str) -> Option<Round>;
        }
        """,
    )
    assert offered(gate) == {
        "DialogueStore.delete_dialogue": '{ op = "DeleteItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }',
        "DialogueStore.delete_round": '{ op = "DeleteItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } } (a skeleton to complete: no parameter builds {dialogue_id} of pk)',
        "DialogueStore.get_dialogue": '{ op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{id}", sk = "META" } }',
        "DialogueStore.get_round": '{ op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } } (a skeleton to complete: no parameter builds {dialogue_id} of pk; no parameter builds {round} of sk)',
        "DialogueStore.get_round_at": '{ op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } } (a skeleton to complete: no parameter builds {dialogue_id} of pk)',
        "DialogueStore.get_status_of_dialogue": '{ op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }',
        "DialogueStore.put_dialogue": '{ op = "PutItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue.id}", sk = "META" } }',
        "DialogueStore.save_round": '{ op = "PutItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } } (a skeleton to complete: no parameter builds {dialogue_id} of pk)',
    }


def test_suggest_keeps_a_layouts_literal_braces_and_reads_a_typescript_methods_camel_case(gate: Gate) -> None:
    gate.manifest(
        table=PLAIN_TABLE,
        extra='[entity.OpenTension]\npk = "USER#{user_id}"\nsk = "T{{1}}#{tension_id}"\n',
        paths='["src/**/*.ts"]',
    )
    gate.write(
        "src/store.ts",
        """
        export interface DialogueStore {
          removeOpenTension(userId: string, tensionId: string): Promise<void>;
        }
        """,
    )
    assert offered(gate) == {
        "DialogueStore.removeOpenTension": '{ op = "DeleteItem", entity = "OpenTension", key = { pk = "USER#{userId}", sk = "T{{1}}#{tensionId}" } }'
    }


INDEXED_TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.ByOwner]
partition_key = { name = "owner", type = "S" }

[table.gsi.Sparse]
partition_key = { name = "game", type = "S" }
sort_key = { name = "rank", type = "S" }

[table.gsi.ByGame]
partition_key = { name = "game", type = "S" }
sort_key = { name = "score", type = "N" }

[entity.Score]
pk = "PLAYER#{player}"
sk = "SCORE#{game}"
game = "{game}"
score = "{score}"

[entity.Badge]
pk = "PLAYER#{player}"
sk = "BADGE#{badge}"
owner = "OWNER#{owner}"

[entity.Profile]
pk = "PROFILE#{player}"
sk = "PROFILE"

[entity.Token]
pk = "TOKEN#{player}"
sk = "{token}"
"""


def test_suggest_queries_the_first_index_the_parameters_key_past_a_sparse_one_and_only_a_text_prefix(
    gate: Gate,
) -> None:
    gate.manifest(table=INDEXED_TABLE)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn list_scores_for_game(&self, game: &str, after: Option<String>) -> Vec<Score>;
            fn list_badges_by_owner(&self, owner: &str, after: Option<String>) -> Vec<Badge>;
            fn list_profiles(&self, player: &str, after: Option<String>) -> Vec<Profile>;
            fn list_tokens(&self, player: &str, after: Option<String>) -> Vec<Token>;
        }
        """,
    )
    assert offered(gate) == {
        "DialogueStore.list_badges_by_owner": '{ op = "Query", index = "ByOwner", entity = "Badge", key = { owner = "OWNER#{owner}" }, page = "cursor" }',
        "DialogueStore.list_profiles": '{ op = "Query", entity = "Profile", key = { pk = "PROFILE#{player}" }, page = "cursor" }',
        "DialogueStore.list_scores_for_game": '{ op = "Query", index = "ByGame", entity = "Score", key = { game = "{game}" }, page = "cursor" }',
        "DialogueStore.list_tokens": '{ op = "Query", entity = "Token", key = { pk = "TOKEN#{player}" }, page = "cursor" }',
    }


TWO_TABLE_STORES = """
version = 1

[[store]]
trait = "DialogueStore"
paths = ["src/dialogues.rs"]

[[store]]
trait = "SessionStore"
paths = ["src/sessions.rs"]
table = "sessions"

[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.sessions]
name = "sessions"
partition_key = { name = "id", type = "S" }
sort_key = { name = "part", type = "S" }
ttl = "expires"

[entity.Session]
table = "sessions"
id = "USER#{user_id}"
part = "SESSION#{session_id}"
"""


def test_suggest_names_the_table_of_an_entity_outside_the_stores_own_and_deletes_expired_items_by_ttl(
    gate: Gate,
) -> None:
    gate.write("store-gate.toml", TWO_TABLE_STORES)
    gate.write(
        "src/dialogues.rs",
        """
        pub trait DialogueStore {
            fn get_session(&self, user_id: &str, session_id: &str) -> Option<Session>;
            fn list_sessions(&self, user_id: &str, after: Option<String>) -> Vec<Session>;
            fn delete_sessions(&self, user_id: &str);
            fn delete_expired_sessions(&self);
            fn purge_expiring_sessions(&self);
            fn drop_sessions_past_expiry(&self);
            fn remove_sessions_that_expire(&self);
        }
        """,
    )
    gate.write(
        "src/sessions.rs",
        """
        pub trait SessionStore {
            fn get_session(&self, user_id: &str, session_id: &str) -> Option<Session>;
            fn get_blob(&self, id: &str) -> Option<String>;
            fn delete_session(&self, user_id: &str, session_id: &str);
        }
        """,
    )
    assert offered(gate) == {
        "DialogueStore.delete_expired_sessions": '{ table = "sessions", expiry = "ttl" }',
        "DialogueStore.delete_sessions": '{ table = "sessions", steps = [{ op = "Query", table = "sessions", entity = "Session", key = { id = "USER#{user_id}", part = { begins_with = "SESSION#" } }, page = "cursor" }, { op = "BatchWriteItem", items = [{ op = "DeleteItem", key = { id = "{item.id}", part = "{item.part}" } }] }] } (a skeleton to complete: delete_sessions deletes every Session of a partition: a loop over pages; bound it (limit = N on the Query) or waive SG209 with the bound that holds)',
        "DialogueStore.drop_sessions_past_expiry": '{ table = "sessions", expiry = "ttl" }',
        "DialogueStore.get_session": '{ op = "GetItem", table = "sessions", entity = "Session", key = { id = "USER#{user_id}", part = "SESSION#{session_id}" } }',
        "DialogueStore.list_sessions": '{ op = "Query", table = "sessions", entity = "Session", key = { id = "USER#{user_id}", part = { begins_with = "SESSION#" } }, page = "cursor" }',
        "DialogueStore.purge_expiring_sessions": '{ table = "sessions", expiry = "ttl" }',
        "DialogueStore.remove_sessions_that_expire": '{ table = "sessions", expiry = "ttl" }',
        "SessionStore.delete_session": '{ op = "DeleteItem", entity = "Session", key = { id = "USER#{user_id}", part = "SESSION#{session_id}" } }',
        "SessionStore.get_blob": '{ op = "GetItem", key = { id = "...", part = "..." } } (a skeleton to complete: name the entity it reads or writes (entity = ...) and its key)',
        "SessionStore.get_session": '{ op = "GetItem", entity = "Session", key = { id = "USER#{user_id}", part = "SESSION#{session_id}" } }',
    }


TWO_COPIES = COPIES + 'recommendation_texts = { from = "Recommendation.text", via = "recommendation_ids" }\n'


def test_suggest_names_every_copy_a_suggested_write_changes(gate: Gate) -> None:
    gate.manifest(extra=TWO_COPIES)
    gate.write("src/store.rs", COPYING_STORE)
    assert offered(gate) == {
        "DialogueStore.put_recommendation": '{ op = "PutItem", entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", sk = "RECOMMENDATION#{recommendation_id}" } } (a skeleton to complete: the gate would report SG601: it changes what Verdict.recommendation_texts, Verdict.recommendation_titles copies; say how the copies follow (maintains = [...] in a TransactWriteItems, or stream = "...") and fanout = ...)'
    }


def advised(gate: Gate, name: str) -> dict[str, object]:
    """What `store-gate suggest name` says, in-process: every field of its advice."""
    import dataclasses

    from store_gate.app import suggest

    return dataclasses.asdict(suggest(Target(paths=(str(gate.root),), use_cache=False), name))


def test_store_gate_suggest_lists_every_index_that_serves_a_method_past_a_sparse_one(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        "    fn list_scores(&self, player: &str, game: &str, after: Option<String>) -> Vec<Score>;\n}\n",
    )
    assert advised(gate, "DialogueStore.list_scores") == {
        "access_key": "[access.DialogueStore.list_scores]",
        "cost": None,
        "declared": None,
        "name": "DialogueStore.list_scores",
        "note": None,
        "proposal": [],
        "proposal_declaration": None,
        "serving": [
            '{ op = "Query", entity = "Score", key = { pk = "PLAYER#{player}", sk = { begins_with = "SCORE#" } }, page = "cursor" }',
            '{ op = "Query", index = "ByScore", entity = "Score", key = { game = "{game}" }, page = "cursor" }',
        ],
        "serving_lines": [
            [
                'op = "Query"',
                'entity = "Score"',
                'key = { pk = "PLAYER#{player}", sk = { begins_with = "SCORE#" } }',
                'page = "cursor"',
            ],
            ['op = "Query"', 'index = "ByScore"', 'entity = "Score"', 'key = { game = "{game}" }', 'page = "cursor"'],
        ],
    }


# The advice for a query of Rounds by expert on the overloaded GSI1 (two tests arrive at it).
ROUNDS_BY_EXPERT_ON_GSI1 = {
    "access_key": "[access.DialogueStore.list_rounds_by_expert]",
    "cost": "each Round item written also writes the overloaded GSI GSI1 (one more write, a write unit per KB of the projected item), and GSI1 stores a copy of each Round item it projects",
    "declared": None,
    "name": "DialogueStore.list_rounds_by_expert",
    "note": None,
    "proposal": [
        "[entity.Round]  # add to the entity's layout",
        'gsi1pk = "EXPERT#{expert_id}"',
        'gsi1sk = "ROUND#{round}"',
        "",
        "[access.DialogueStore.list_rounds_by_expert]",
        'op = "Query"',
        'index = "GSI1"',
        'entity = "Round"',
        'key = { gsi1pk = "EXPERT#{expert_id}" }',
        'page = "cursor"',
    ],
    "proposal_declaration": '{ op = "Query", index = "GSI1", entity = "Round", key = { gsi1pk = "EXPERT#{expert_id}" }, page = "cursor" }',
    "serving": [],
    "serving_lines": [],
}


def test_store_gate_suggest_joins_an_overloaded_gsi_the_entity_does_not_use(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        "    fn list_rounds_by_expert(&self, round: &str, expert_id: &str, after: Option<String>) -> Vec<Round>;\n}\n",
    )
    assert advised(gate, "DialogueStore.list_rounds_by_expert") == ROUNDS_BY_EXPERT_ON_GSI1


def test_store_gate_suggest_opens_the_next_overloaded_gsi_when_the_entity_uses_every_one(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        "    fn list_dialogues_by_owner(&self, owner_id: &str, after: Option<String>) -> Vec<Dialogue>;\n}\n",
    )
    assert advised(gate, "DialogueStore.list_dialogues_by_owner") == {
        "access_key": "[access.DialogueStore.list_dialogues_by_owner]",
        "cost": "each Dialogue item written also writes a new GSI GSI2 (one more write, a write unit per KB of the projected item), and GSI2 stores a copy of each Dialogue item it projects",
        "declared": None,
        "name": "DialogueStore.list_dialogues_by_owner",
        "note": None,
        "proposal": [
            "[table.gsi.GSI2]",
            'partition_key = { name = "gsi2pk", type = "S" }',
            'sort_key = { name = "gsi2sk", type = "S" }',
            "",
            "[entity.Dialogue]  # add to the entity's layout",
            'gsi2pk = "OWNER#{owner_id}"',
            'gsi2sk = "META"',
            "",
            "[access.DialogueStore.list_dialogues_by_owner]",
            'op = "Query"',
            'index = "GSI2"',
            'entity = "Dialogue"',
            'key = { gsi2pk = "OWNER#{owner_id}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", index = "GSI2", entity = "Dialogue", key = { gsi2pk = "OWNER#{owner_id}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }


def test_store_gate_suggest_names_a_new_gsi_by_the_parameter_on_a_table_without_overloaded_ones(
    gate: Gate,
) -> None:
    gate.manifest(table=PLAIN_TABLE, extra=NAMED)
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        "    fn list_categories_by_label(&self, user_id: Option<String>, category_id: &str, label: &str, after: "
        "Option<String>) -> Vec<Category>;\n}\n",
    )
    assert advised(gate, "DialogueStore.list_categories_by_label") == {
        "access_key": "[access.DialogueStore.list_categories_by_label]",
        "cost": "each Category item written also writes a new GSI ByLabel (one more write, a write unit per KB of the projected item), and ByLabel stores a copy of each Category item it projects",
        "declared": None,
        "name": "DialogueStore.list_categories_by_label",
        "note": None,
        "proposal": [
            "[table.gsi.ByLabel]",
            'partition_key = { name = "by_label", type = "S" }',
            'sort_key = { name = "sk", type = "S" }',
            "",
            "[entity.Category]  # add to the entity's layout",
            'by_label = "LABEL#{label}"',
            'sk = "CATEGORY#{category_id}"',
            "",
            "[access.DialogueStore.list_categories_by_label]",
            'op = "Query"',
            'index = "ByLabel"',
            'entity = "Category"',
            'key = { by_label = "LABEL#{label}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", index = "ByLabel", entity = "Category", key = { by_label = "LABEL#{label}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }


def test_store_gate_suggest_proposes_no_index_without_an_entity_or_a_parameter_to_key_on(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        "    fn list_things(&self, owner: &str, after: Option<String>) -> Vec<String>;\n"
        "    fn list_rounds(&self, after: Option<String>) -> Vec<Round>;\n}\n",
    )
    assert advised(gate, "DialogueStore.list_things") == {
        "access_key": "[access.DialogueStore.list_things]",
        "cost": None,
        "declared": None,
        "name": "DialogueStore.list_things",
        "note": "DialogueStore.list_things names no entity the manifest lays out, or takes no parameter to key on: name its entity (entity = ...) or add the parameter it selects by",
        "proposal": [],
        "proposal_declaration": None,
        "serving": [],
        "serving_lines": [],
    }
    assert advised(gate, "DialogueStore.list_rounds") == {
        "access_key": "[access.DialogueStore.list_rounds]",
        "cost": None,
        "declared": None,
        "name": "DialogueStore.list_rounds",
        "note": "DialogueStore.list_rounds names no entity the manifest lays out, or takes no parameter to key on: name its entity (entity = ...) or add the parameter it selects by",
        "proposal": [],
        "proposal_declaration": None,
        "serving": [],
        "serving_lines": [],
    }


TABLES_WITHOUT_SORT_KEYS = """
version = 1

[[store]]
trait = "DialogueStore"
paths = ["src/**/*.rs"]

[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.events]
name = "events"
partition_key = { name = "id", type = "S" }

[tables.events.gsi.GSI1]
partition_key = { name = "GSI1PK", type = "S" }
sort_key = { name = "GSI1SK", type = "S" }

[tables.logs]
name = "logs"
partition_key = { name = "id", type = "S" }

[entity.Event]
table = "events"
id = "EVENT#{event_id}"
GSI1PK = "KIND#{kind}"
GSI1SK = "AT#{at}"

[entity.Alert]
table = "events"
id = "ALERT#{alert_id}"

[entity.Log]
table = "logs"
id = "LOG#{log_id}"
"""


def test_store_gate_suggest_adds_the_proposed_gsi_to_the_entitys_own_table_even_one_without_a_sort_key(
    gate: Gate,
) -> None:
    gate.write("store-gate.toml", TABLES_WITHOUT_SORT_KEYS)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn list_events_by_source(&self, source: &str, after: Option<String>) -> Vec<Event>;
            fn list_alerts_by_source(&self, source: &str, after: Option<String>) -> Vec<Alert>;
            fn list_logs_by_source(&self, source_name: &str, after: Option<String>) -> Vec<Log>;
        }
        """,
    )
    assert advised(gate, "DialogueStore.list_events_by_source") == {
        "access_key": "[access.DialogueStore.list_events_by_source]",
        "cost": "each Event item written also writes a new GSI GSI2 (one more write, a write unit per KB of the projected item), and GSI2 stores a copy of each Event item it projects",
        "declared": None,
        "name": "DialogueStore.list_events_by_source",
        "note": None,
        "proposal": [
            "[tables.events.gsi.GSI2]",
            'partition_key = { name = "gsi2pk", type = "S" }',
            "",
            "[entity.Event]  # add to the entity's layout",
            'gsi2pk = "SOURCE#{source}"',
            "",
            "[access.DialogueStore.list_events_by_source]",
            'op = "Query"',
            'table = "events"',
            'index = "GSI2"',
            'entity = "Event"',
            'key = { gsi2pk = "SOURCE#{source}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", table = "events", index = "GSI2", entity = "Event", key = { gsi2pk = "SOURCE#{source}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }
    assert advised(gate, "DialogueStore.list_alerts_by_source") == {
        "access_key": "[access.DialogueStore.list_alerts_by_source]",
        "cost": "each Alert item written also writes the overloaded GSI GSI1 (one more write, a write unit per KB of the projected item), and GSI1 stores a copy of each Alert item it projects",
        "declared": None,
        "name": "DialogueStore.list_alerts_by_source",
        "note": None,
        "proposal": [
            "[entity.Alert]  # add to the entity's layout",
            'GSI1PK = "SOURCE#{source}"',
            "",
            "[access.DialogueStore.list_alerts_by_source]",
            'op = "Query"',
            'table = "events"',
            'index = "GSI1"',
            'entity = "Alert"',
            'key = { GSI1PK = "SOURCE#{source}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", table = "events", index = "GSI1", entity = "Alert", key = { GSI1PK = "SOURCE#{source}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }
    assert advised(gate, "DialogueStore.list_logs_by_source") == {
        "access_key": "[access.DialogueStore.list_logs_by_source]",
        "cost": "each Log item written also writes a new GSI BySourceName (one more write, a write unit per KB of the projected item), and BySourceName stores a copy of each Log item it projects",
        "declared": None,
        "name": "DialogueStore.list_logs_by_source",
        "note": None,
        "proposal": [
            "[tables.logs.gsi.BySourceName]",
            'partition_key = { name = "by_source_name", type = "S" }',
            "",
            "[entity.Log]  # add to the entity's layout",
            'by_source_name = "SOURCE#NAME#{source_name}"',
            "",
            "[access.DialogueStore.list_logs_by_source]",
            'op = "Query"',
            'table = "logs"',
            'index = "BySourceName"',
            'entity = "Log"',
            'key = { by_source_name = "SOURCE#NAME#{source_name}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", table = "logs", index = "BySourceName", entity = "Log", key = { by_source_name = "SOURCE#NAME#{source_name}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }


TENANT_SESSIONS = """
version = 1

[[store]]
trait = "SessionStore"
paths = ["src/**/*.rs"]
table = "sessions"
context = { tenant = "S" }

[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.sessions]
name = "sessions"
partition_key = { name = "id", type = "S" }
sort_key = { name = "part", type = "S" }

[tables.sessions.gsi.ByUser]
partition_key = { name = "user", type = "S" }

[entity.Session]
table = "sessions"
id = "T#{ctx.tenant}#SESSION#{session_id}"
part = "META"
user = "USER#{user_id}"
"""


def test_store_gate_suggest_serves_a_get_as_suggested_and_a_query_on_the_stores_table_its_context_and_fields(
    gate: Gate,
) -> None:
    gate.write("store-gate.toml", TENANT_SESSIONS)
    gate.write(
        "src/store.rs",
        """
        pub struct Owner { pub user_id: String }
        pub struct SessionKey { pub session_id: String }
        pub trait SessionStore {
            fn get_session(&self, session_id: &str) -> Option<Session>;
            fn get_session_at(&self, at: &SessionKey) -> Option<Session>;
            fn list_sessions(&self, owner: &Owner, id: &str, after: Option<String>) -> Vec<Session>;
        }
        """,
    )
    assert advised(gate, "SessionStore.get_session") == {
        "access_key": "[access.SessionStore.get_session]",
        "cost": None,
        "declared": None,
        "name": "SessionStore.get_session",
        "note": None,
        "proposal": [],
        "proposal_declaration": None,
        "serving": [
            '{ op = "GetItem", entity = "Session", key = { id = "T#{ctx.tenant}#SESSION#{session_id}", part = "META" } }'
        ],
        "serving_lines": [
            [
                'op = "GetItem"',
                'entity = "Session"',
                'key = { id = "T#{ctx.tenant}#SESSION#{session_id}", part = "META" }',
            ]
        ],
    }
    assert advised(gate, "SessionStore.get_session_at") == {
        "access_key": "[access.SessionStore.get_session_at]",
        "cost": None,
        "declared": None,
        "name": "SessionStore.get_session_at",
        "note": None,
        "proposal": [],
        "proposal_declaration": None,
        "serving": [
            '{ op = "GetItem", entity = "Session", key = { id = "T#{ctx.tenant}#SESSION#{at.session_id}", part = "META" } }'
        ],
        "serving_lines": [
            [
                'op = "GetItem"',
                'entity = "Session"',
                'key = { id = "T#{ctx.tenant}#SESSION#{at.session_id}", part = "META" }',
            ]
        ],
    }
    assert advised(gate, "SessionStore.list_sessions") == {
        "access_key": "[access.SessionStore.list_sessions]",
        "cost": None,
        "declared": None,
        "name": "SessionStore.list_sessions",
        "note": None,
        "proposal": [],
        "proposal_declaration": None,
        "serving": [
            '{ op = "Query", entity = "Session", key = { id = "T#{ctx.tenant}#SESSION#{id}" }, page = "cursor" }',
            '{ op = "Query", index = "ByUser", entity = "Session", key = { user = "USER#{owner.user_id}" }, page = "cursor" }',
        ],
        "serving_lines": [
            ['op = "Query"', 'entity = "Session"', 'key = { id = "T#{ctx.tenant}#SESSION#{id}" }', 'page = "cursor"'],
            [
                'op = "Query"',
                'index = "ByUser"',
                'entity = "Session"',
                'key = { user = "USER#{owner.user_id}" }',
                'page = "cursor"',
            ],
        ],
    }


def test_store_gate_suggest_keys_a_new_index_on_the_filter_else_on_a_parameter_the_layout_does_not_use(
    gate: Gate,
) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn list_rounds_by_expert(&self, tag: &str, expert_id: &str, after: Option<String>) -> Vec<Round>;
            fn list_rounds_tagged(&self, round: &str, owner_name: &str, after: Option<String>) -> Vec<Round>;
            fn list_rounds_of(&self, id: &str, after: Option<String>) -> Vec<Round>;
        }
        """,
    )
    assert advised(gate, "DialogueStore.list_rounds_by_expert") == ROUNDS_BY_EXPERT_ON_GSI1
    assert advised(gate, "DialogueStore.list_rounds_tagged") == {
        "access_key": "[access.DialogueStore.list_rounds_tagged]",
        "cost": "each Round item written also writes the overloaded GSI GSI1 (one more write, a write unit per KB of the projected item), and GSI1 stores a copy of each Round item it projects",
        "declared": None,
        "name": "DialogueStore.list_rounds_tagged",
        "note": None,
        "proposal": [
            "[entity.Round]  # add to the entity's layout",
            'gsi1pk = "OWNER#NAME#{owner_name}"',
            'gsi1sk = "ROUND#{round}"',
            "",
            "[access.DialogueStore.list_rounds_tagged]",
            'op = "Query"',
            'index = "GSI1"',
            'entity = "Round"',
            'key = { gsi1pk = "OWNER#NAME#{owner_name}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", index = "GSI1", entity = "Round", key = { gsi1pk = "OWNER#NAME#{owner_name}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }
    assert advised(gate, "DialogueStore.list_rounds_of") == {
        "access_key": "[access.DialogueStore.list_rounds_of]",
        "cost": "each Round item written also writes the overloaded GSI GSI1 (one more write, a write unit per KB of the projected item), and GSI1 stores a copy of each Round item it projects",
        "declared": None,
        "name": "DialogueStore.list_rounds_of",
        "note": None,
        "proposal": [
            "[entity.Round]  # add to the entity's layout",
            'gsi1pk = "ID#{id}"',
            'gsi1sk = "ROUND#{round}"',
            "",
            "[access.DialogueStore.list_rounds_of]",
            'op = "Query"',
            'index = "GSI1"',
            'entity = "Round"',
            'key = { gsi1pk = "ID#{id}" }',
            'page = "cursor"',
        ],
        "proposal_declaration": '{ op = "Query", index = "GSI1", entity = "Round", key = { gsi1pk = "ID#{id}" }, page = "cursor" }',
        "serving": [],
        "serving_lines": [],
    }


def test_suggest_binds_no_key_part_to_a_python_star_parameter(gate: Gate) -> None:
    gate.manifest(
        table=PLAIN_TABLE, extra='[entity.Thing]\npk = "THING#{thing_id}"\nsk = "META"\n', paths='["src/**/*.py"]'
    )
    gate.write(
        "src/store.py",
        'from typing import Protocol\n\nclass DialogueStore(Protocol):\n    def get_thing(self, *thing_id: str) -> "Thing": ...\n',
    )
    assert offered(gate) == {
        "DialogueStore.get_thing": '{ op = "GetItem", entity = "Thing", key = { pk = "THING#{thing_id}", sk = "META" } } (a skeleton to complete: no parameter builds {thing_id} of pk)'
    }


def test_suggest_leaves_a_layouts_field_path_to_complete_not_bound_to_the_parameter_it_starts_with(gate: Gate) -> None:
    gate.manifest(table=PLAIN_TABLE, extra='[entity.Round]\npk = "ROUND#{round.number}"\nsk = "META"\n')
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get_round(&self, round: &str) -> Option<Round>;\n}\n")
    assert offered(gate) == {
        "DialogueStore.get_round": '{ op = "GetItem", entity = "Round", key = { pk = "ROUND#{round.number}", sk = "META" } } (a skeleton to complete: no parameter builds {round.number} of pk)'
    }


# What the pattern rules see of each operation (store_gate/rules/context.py) ------------------------


def test_a_store_context_part_of_type_b_is_bytes_to_the_key_type_rules(gate: Gate) -> None:
    gate.write(
        "store-gate.toml",
        'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/**/*.rs"]\ncontext = { digest = "B" }\n'
        + TABLE
        + '\n[access.DialogueStore.top]\nop = "Query"\nindex = "ByScore"\n'
        'key = { game = "{game}", score = "{ctx.digest}" }\nlimit = 10\n',
    )
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn top(&self, game: &str) -> Vec<Score>;\n}\n")
    assert seen(gate.findings()) == [
        (
            "SG208",
            'DialogueStore.top: key "score" is a number (N) but is bound to {ctx.digest} (B: bytes); bind it to an '
            "integer or decimal parameter, or change the attribute's type",
        )
    ]


def test_a_later_step_keyed_on_an_index_key_of_the_earlier_steps_items(gate: Gate) -> None:
    gate.manifest(
        "[access.DialogueStore.related]\nsteps = [\n"
        '  { op = "Query", index = "GSI1", entity = "Dialogue", key = { gsi1pk = "STATUS#{status}" }, limit = 10 },\n'
        '  { op = "Query", index = "GSI1", entity = "Dialogue", key = { gsi1pk = "{item.gsi1pk}" }, limit = 10 },\n'
        "]\n"
    )
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn related(&self, status: &str) -> Vec<Dialogue>;\n}\n")
    assert seen(gate.findings()) == []


def test_an_item_of_a_transaction_step_is_keyed_on_the_step_before_not_on_its_own_step(gate: Gate) -> None:
    gate.write(
        "store-gate.toml",
        TWO_TABLE_STORES + "\n[access.DialogueStore.move_sessions]\nsteps = [\n"
        '  { op = "Query", entity = "Session", key = { id = "USER#{user_id}" }, limit = 10 },\n'
        '  { op = "TransactWriteItems", items = [{ op = "DeleteItem", key = { pk = "{item.pk}", sk = "{item.sk}" } }] },\n'
        "]\n",
    )
    gate.write("src/dialogues.rs", "pub trait DialogueStore {\n    fn move_sessions(&self, user_id: &str);\n}\n")
    gate.write("src/sessions.rs", "pub trait SessionStore {}\n")
    assert seen(gate.findings()) == [
        (
            "SG206",
            f'DialogueStore.move_sessions (step 2 item 1): placeholder {{item.{key}}} in key "{key}" names no '
            "attribute the earlier step's items carry (their key attributes: id, part)",
        )
        for key in ("pk", "sk")
    ]


def test_sg305_on_a_named_table_compares_the_entities_of_that_table(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.rounds]\nop = "Query"\nentity = "ArchivedRound"\nkey = { pk = "DIALOGUE#{id}" }\nlimit = 10\n',
        extra='\n[tables.archive]\nname = "archive"\npartition_key = { name = "pk", type = "S" }\n'
        'sort_key = { name = "sk", type = "S" }\n'
        '\n[entity.ArchivedRound]\ntable = "archive"\npk = "DIALOGUE#{dialogue_id}"\nsk = "ROUND#{round}"\n'
        '\n[entity.ArchivedNote]\ntable = "archive"\npk = "DIALOGUE#{dialogue_id}"\nsk = "NOTE#{note}"\n',
    )
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn rounds(&self, id: &str) -> Vec<ArchivedRound>;\n}\n")
    assert seen(gate.findings()) == [
        (
            "SG305",
            'DialogueStore.rounds: the Query on the base table reads ArchivedNote items: pk = "DIALOGUE#a", sk = '
            '"NOTE#a" fits its key condition and ArchivedNote\'s layout (pk = "DIALOGUE#{dialogue_id}", sk = '
            '"NOTE#{note}"); narrow the key condition to what ArchivedRound\'s layout writes (pk = '
            '"DIALOGUE#{dialogue_id}", sk = "ROUND#{round}"), give ArchivedNote a key prefix of its own, or declare '
            'entities = ["ArchivedNote", "ArchivedRound"] if the method reads them on purpose',
        )
    ]


def test_a_step_on_an_index_the_table_lacks_is_reported_and_the_later_step_still_checked(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        '    /// @access { steps = [{ op = "Query", index = "Nope", entity = "Dialogue", key = { gsi1pk = '
        '"STATUS#{status}" }, limit = 10 }, { op = "GetItem", entity = "Dialogue", key = { pk = "{item.pk}", '
        'sk = "{item.gsi1pk}" } }] }\n'
        "    fn related(&self, status: &str) -> Vec<Dialogue>;\n}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG201",
            'DialogueStore.related (step 1) uses index "Nope", which the table does not define (its indexes: GSI1, '
            "ByScore, ByTime); name one of them, or add [table.gsi.Nope] first",
        ),
        (
            "SG206",
            'DialogueStore.related (step 2): placeholder {item.gsi1pk} in key "sk" names no attribute the earlier '
            "step's items carry (their key attributes: pk, sk)",
        ),
        (
            "SG306",
            'DialogueStore.related (step 2): key sk = "{item.gsi1pk}" does not fit entity Dialogue\'s sk = "META"; '
            "write it in the entity's layout",
        ),
    ]


# extract/backend.py: the second seeded sample (seed 2) ---------------------------------------


BACKEND_FILES = {
    "rust": "src/backend/dynamo.rs",
    "python": "src/backend/dynamo.py",
    "typescript": "src/backend/dynamo.ts",
}


def backend_read(language: str, source: str, traits: set[str], governed: set[str]) -> list[backend.Implementation]:
    root = SgRoot(source, language).root()
    return backend.read(BACKEND_FILES[language], root, language, frozenset(traits), frozenset(governed))


def backend_at(language: str, line: int, column: int) -> SourceLocation:
    return SourceLocation(BACKEND_FILES[language], line, column)


def implementation(
    language: str, name: str, at: tuple[int, int], bodies: dict[str, backend.Body]
) -> list[backend.Implementation]:
    """The one implementation of DialogueStore `backend.read` finds: its name, where, its methods' bodies."""
    return [backend.Implementation(name, ("DialogueStore",), backend_at(language, *at), bodies)]


def test_backend_typescript_reads_a_documentclient_transact_write_command_as_transact_write_items() -> None:
    source = (
        "const store: DialogueStore = {\n  async save() {\n"
        "    await client.send(new TransactWriteCommand({ TransactItems: [] }));\n  },\n};\n"
    )
    assert backend_read("typescript", source, {"DialogueStore"}, {"save"}) == implementation(
        "typescript",
        "store",
        (1, 7),
        {"save": backend.Body([backend.Call("TransactWriteItems", backend_at("typescript", 3, 23))])},
    )


def test_backend_typescript_an_index_name_after_a_shorthand_table_name_is_read() -> None:
    source = (
        "const store: DialogueStore = {\n  async byStatus() {\n"
        '    await client.send(new QueryCommand({ TableName, IndexName: "GSI1" }));\n  },\n};\n'
    )
    assert backend_read("typescript", source, {"DialogueStore"}, {"byStatus"}) == implementation(
        "typescript",
        "store",
        (1, 7),
        {"byStatus": backend.Body([backend.Call("Query", backend_at("typescript", 3, 23), "GSI1")])},
    )


def test_backend_typescript_follows_a_helper_that_is_a_function_expression_and_reads_a_file_with_a_bare_let() -> None:
    source = (
        "let cached;\nconst load = function () {\n  return client.send(new GetCommand({ TableName }));\n};\n"
        "const store: DialogueStore = {\n  async get() {\n    return load();\n  },\n};\n"
    )
    assert backend_read("typescript", source, {"DialogueStore"}, {"get"}) == implementation(
        "typescript", "store", (5, 7), {"get": backend.Body([backend.Call("GetItem", backend_at("typescript", 3, 22))])}
    )


def test_backend_python_follows_a_helper_called_through_cls_and_locates_a_pynamodb_model_read() -> None:
    source = (
        "from pynamodb.models import Model\n\n\nclass Dialogue(Model):\n    pass\n\n\n"
        "class Store(DialogueStore):\n    @classmethod\n    def get(cls, id):\n        return cls._fetch(id)\n\n"
        "    @classmethod\n    def _fetch(cls, id):\n        return Dialogue.get(id)\n"
    )
    fetch = backend.Body([backend.Call("GetItem", backend_at("python", 15, 16))])
    assert backend_read("python", source, {"DialogueStore"}, {"get"}) == implementation(
        "python", "Store", (8, 1), {"get": fetch, "_fetch": fetch}
    )


def test_backend_python_a_class_naming_the_store_without_any_governed_method_is_still_an_implementation() -> None:
    source = "class Store(DialogueStore):\n    def helper(self):\n        return 1\n\n\nclass Other:\n    pass\n"
    assert backend_read("python", source, {"DialogueStore"}, {"get"}) == [
        backend.Implementation("Store", ("DialogueStore",), backend_at("python", 1, 1), {"helper": backend.Body()})
    ]


def test_backend_rust_an_index_name_given_as_an_associated_constant_through_self_is_read() -> None:
    source = (
        'struct Dynamo;\nimpl Dynamo {\n    const INDEX: &str = "GSI1";\n}\n'
        "impl DialogueStore for Dynamo {\n    async fn by_status(&self) {\n"
        "        self.client.query().index_name(Self::INDEX).send().await;\n    }\n}\n"
    )
    assert backend_read("rust", source, {"DialogueStore"}, {"by_status"}) == implementation(
        "rust", "Dynamo", (5, 1), {"by_status": backend.Body([backend.Call("Query", backend_at("rust", 7, 9), "GSI1")])}
    )


# extract/python.py and extract/typescript.py: the second seeded sample (seed 2) ----------------


def extracted(result: FileExtraction) -> tuple[list[tuple[str, int, str]], list[tuple[object, ...]]]:
    """The problems and, per trait, its heritage, methods (with their inline declarations) and typed members."""
    return (
        [(p.code, p.location.line, p.message) for p in result.problems],
        [
            (
                t.name,
                tuple(h.written for h in t.supertraits),
                [(m.name, m.parameters, m.return_type, tuple(i.text for i in m.inline)) for m in t.methods],
                [(tm.method.name, tm.type_name, tuple(i.text for i in tm.method.inline)) for tm in t.typed_members],
            )
            for t in result.traits
        ],
    )


def test_python_a_protocol_member_assigned_a_module_level_literal_through_a_lowercase_name_is_data() -> None:
    source = """from typing import Protocol
default_limit = 10
class DialogueStore(Protocol):
    limit = default_limit
    def get(self, key: str) -> str: ...
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert extracted(result) == (
        [],
        [("DialogueStore", ("Protocol",), [("get", (Parameter("key", "str", True),), "str", ())], [])],
    )


def test_python_a_protocol_member_assigned_a_module_level_lambda_is_a_method_with_its_parameters() -> None:
    source = """from typing import Protocol
_get = lambda self, key: key
class DialogueStore(Protocol):
    get = _get
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert extracted(result) == (
        [],
        [("DialogueStore", ("Protocol",), [("get", (Parameter("key", "", True),), None, ())], [])],
    )


def test_python_a_generic_base_whose_argument_is_a_literal_is_heritage_not_sg004() -> None:
    source = """from typing import Literal, Protocol
class Reads(Protocol[Literal[1]]):
    def get(self, key: str) -> str: ...
class DialogueStore(Reads[Literal[1]], Protocol):
    def put(self, key: str) -> None: ...
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert extracted(result) == (
        [],
        [
            (
                "DialogueStore",
                ("Reads[Literal[1]]", "Protocol"),
                [("put", (Parameter("key", "str", True),), "None", ())],
                [],
            )
        ],
    )


def test_python_type_definitions_skip_tuple_targets_and_other_names_and_a_protocol_with_a_call_base_is_data() -> None:
    source = """from typing import Callable, Protocol
a, b = 1, 2
Other = Callable[[], int]
ScanFn = Callable[[], int]
class Rec(Protocol, make_base()):
    x: int
"""
    assert python.type_definitions("types.py", source, frozenset({"ScanFn", "Rec"})) == {
        "ScanFn": TypeDefinition(function=FunctionShape((), "int", False)),
        "Rec": TypeDefinition(),
    }


def test_typescript_a_class_stores_private_hash_method_is_not_one_of_its_operations() -> None:
    source = "export class DialogueStore {\n  #cache(): void {}\n  get(id: string): string { return id; }\n}\n"
    result = typescript.extract("store.ts", source, frozenset({"DialogueStore"}))
    assert extracted(result) == (
        [],
        [("DialogueStore", (), [("get", (Parameter("id", "string", True),), "string", ())], [])],
    )


def test_typescript_a_quoted_method_name_reads_its_hex_escape() -> None:
    source = 'export interface DialogueStore {\n  "get\\x41ll"(): string[];\n}\n'
    result = typescript.extract("store.ts", source, frozenset({"DialogueStore"}))
    assert extracted(result) == ([], [("DialogueStore", (), [("getAll", (), "string[]", ())], [])])


def test_typescript_an_index_signature_is_sg003_and_the_methods_after_it_are_still_read() -> None:
    source = "export interface DialogueStore {\n  [key: string]: unknown;\n  get(id: string): string;\n}\n"
    result = typescript.extract("store.ts", source, frozenset({"DialogueStore"}))
    assert extracted(result) == (
        [("SG003", 2, "DialogueStore has an index signature (any key may be a method), which the gate cannot analyse")],
        [("DialogueStore", (), [("get", (Parameter("id", "string", True),), "string", ())], [])],
    )


def test_typescript_a_member_initialised_with_new_keeps_its_inline_declaration() -> None:
    source = 'export class DialogueStore {\n  /** @access { op = "GetItem" } */\n  admin = new AdminService();\n}\n'
    result = typescript.extract("store.ts", source, frozenset({"DialogueStore"}))
    assert extracted(result) == ([], [("DialogueStore", (), [], [("admin", "AdminService", ('{ op = "GetItem" }',))])])


def test_typescript_record_fields_of_an_object_type_alias() -> None:
    source = "type Round = { id: string; dialogueId: string };\n"
    assert typescript.record_fields("round.ts", source, frozenset({"Round"})) == {
        "Round": frozenset({"id", "dialogueId"})
    }


def test_typescript_an_object_type_alias_of_functions_is_a_facet_and_one_of_named_types_holds_them() -> None:
    source = "type Handlers = { [k: string]: () => void };\ntype Both = { a: AdminService; b: Reads };\n"
    assert typescript.type_definitions("types.ts", source, frozenset({"Handlers", "Both"})) == {
        "Handlers": TypeDefinition(methods="an object type with methods"),
        "Both": TypeDefinition(members=("AdminService", "Reads")),
    }


def test_backend_rust_reads_a_partiql_execute_statement_as_its_operation() -> None:
    source = (
        "struct Dynamo;\nimpl DialogueStore for Dynamo {\n    async fn run(&self) {\n"
        '        self.client.execute_statement().statement("SELECT").send().await;\n    }\n}\n'
    )
    assert backend_read("rust", source, {"DialogueStore"}, {"run"}) == implementation(
        "rust", "Dynamo", (2, 1), {"run": backend.Body([backend.Call("ExecuteStatement", backend_at("rust", 4, 9))])}
    )


def test_python_sg002_names_the_column_of_the_syntax_error() -> None:
    source = "from typing import Protocol\nclass DialogueStore(Protocol):\n    limit = 1)\n"
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert [(p.code, p.location.line, p.location.column, p.message) for p in result.problems] == [
        ("SG002", 3, 14, "syntax error: unmatched ')'; the gate cannot see the methods it may hide - fix the syntax")
    ]


def test_python_sg003_a_patch_of_the_store_after_a_write_to_another_class_is_still_reported() -> None:
    source = """from typing import Protocol
class DialogueStore(Protocol):
    def get(self, key: str) -> str: ...
Other.flag = 1
DialogueStore.extra = lambda self: 1
"""
    result = python.extract("store.py", source, frozenset({"DialogueStore"}))
    assert extracted(result) == (
        [
            (
                "SG003",
                5,
                "DialogueStore is patched here (DialogueStore.extra = ...): a method added outside the class statement "
                "is one the gate cannot see; define it in DialogueStore with def",
            )
        ],
        [("DialogueStore", ("Protocol",), [("get", (Parameter("key", "str", True),), "str", ())], [])],
    )


def test_rust_sg004_quotes_the_supertrait_bound_it_cannot_read() -> None:
    source = "pub trait DialogueStore: (Admin, Reads) {\n    fn get(&self, id: &str) -> String;\n}\n"
    result = rust.extract("store.rs", source, frozenset({"DialogueStore"}))
    assert [(p.code, p.location.line, p.location.column, p.message) for p in result.problems] == [
        (
            "SG004",
            1,
            26,
            "DialogueStore has the supertrait bound (Admin, Reads), which the gate cannot read as a trait: its methods "
            "would not be governed; write the bound as a trait path (Admin, crate::admin::Admin)",
        )
    ]


# SG202 on an index the table lacks; SG101 with a method name outside ASCII (rules/legality.py, coverage.py)


def test_sg202_a_scan_of_an_index_the_table_lacks_is_sg201_and_reads_all_of_the_table(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        'pub trait DialogueStore {\n    /// @access { op = "Scan", index = "Nope", limit = 10 }\n'
        "    fn all(&self) -> Vec<Dialogue>;\n}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG201",
            'DialogueStore.all uses index "Nope", which the table does not define (its indexes: GSI1, ByScore, '
            "ByTime); name one of them, or add [table.gsi.Nope] first",
        ),
        (
            "SG202",
            "DialogueStore.all uses Scan, which reads all of the table; declare a Query on an index whose partition "
            "key the method's parameters can build (add a GSI if none fits)",
        ),
    ]


def test_sg101_writes_a_method_name_outside_ascii_as_it_is_in_the_table_to_write(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.ts"]')
    gate.write(
        "src/store.ts",
        'export interface DialogueStore {\n  "liste-été"(id: string): Promise<Round | undefined>;\n}\n',
    )
    assert seen(gate.findings()) == [
        (
            "SG101",
            "DialogueStore.liste-été has no access pattern; declare it in store-gate.toml under "
            '[access.DialogueStore."liste-été"] or in its doc comment, e.g. @access { op = "GetItem", entity = '
            '"Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } } (a skeleton to complete: no '
            "parameter builds {dialogue_id} of pk; no parameter builds {round} of sk)",
        )
    ]


# SG209: an X in a return type is a letter, not a bracket; an associated type however it is spelt --

X_RETURNS = """
pub trait DialogueStore {
    type XmlRounds;
    fn paged(&self, id: &str) -> Result<(Vec<XmlRound>, Option<String>)>;
    fn associated(&self, id: &str) -> Result<Self::XmlRounds, Error>;
    fn spaced(&self, id: &str) -> Result<Self :: XmlRounds, Error>;
}
"""


def test_sg209_an_x_in_a_return_type_is_a_letter_and_an_associated_type_is_named_without_spaces(gate: Gate) -> None:
    query = 'op = "Query"\nkey = { pk = "DIALOGUE#{id}" }'
    gate.manifest(
        f'[access.DialogueStore.paged]\n{query}\npage = "cursor"\n'
        f"[access.DialogueStore.associated]\n{query}\n[access.DialogueStore.spaced]\n{query}\n"
    )
    gate.write("src/store.rs", X_RETURNS)
    associated = (
        "an associated type whose definition (in each implementation) the gate does not read, from a Query with "
        'neither page = "cursor" nor limit; it may be a collection, and a Query returns at most 1 MB per call: add '
        'page = "cursor" or limit = N (limit = 1 for a single item)'
    )
    assert seen(gate.findings()) == [
        ("SG209", f"DialogueStore.associated returns Self::XmlRounds, {associated}"),
        ("SG209", f"DialogueStore.spaced returns Self::XmlRounds, {associated}"),
    ]


def test_sg209_an_associated_type_behind_eight_wrappers_is_seen_through_all_of_them(gate: Gate) -> None:
    """Eight is the bound: Pin, Box, Future, Result, Option, Arc, Rc and Box around `Self::Rounds`."""
    gate.manifest('[access.DialogueStore.deep]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n')
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    type Rounds;\n    fn deep(&self, id: &str) -> Pin<Box<dyn Future<Output = "
        "Result<Option<Arc<Rc<Box<Self::Rounds>>>>, Error>> + Send>>;\n}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG209",
            "DialogueStore.deep returns Self::Rounds, an associated type whose definition (in each implementation) "
            'the gate does not read, from a Query with neither page = "cursor" nor limit; it may be a collection, '
            'and a Query returns at most 1 MB per call: add page = "cursor" or limit = N (limit = 1 for a single item)',
        )
    ]


def test_sg209_a_return_type_wrapped_deeper_than_the_gate_looks_is_reported_not_passed(gate: Gate) -> None:
    """Past the bound of eight wrappers what the type holds is undecided: reported, never passed."""
    gate.manifest('[access.DialogueStore.deep]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n')
    returned = "Pin<Box<dyn Future<Output = Result<Option<Arc<Rc<Box<Box<Self::Rounds>>>>>, Error>> + Send>>"
    gate.write(
        "src/store.rs",
        f"pub trait DialogueStore {{\n    type Rounds;\n    fn deep(&self, id: &str) -> {returned};\n}}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG209",
            f"DialogueStore.deep returns {returned}, wrapped deeper than the gate looks (8 of Result, Option, Box, Pin, Arc, Rc, "
            'Future), from a Query with neither page = "cursor" nor limit; it may be a collection, and a Query returns '
            'at most 1 MB per call: add page = "cursor" or limit = N (limit = 1 for a single item)',
        )
    ]


# SG205 names each sort attribute used past the gap; SG204 without an entity to take the key from --


def test_sg205_names_every_sort_attribute_used_after_the_one_left_out(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.by_hour]\nop = "Query"\nindex = "ByDay"\n'
        'key = { tenant = "{t}", device = "{d}", hour = "{hour}", at = { ge = "{at}" } }\nlimit = 10\n',
        table=MULTI_ATTRIBUTE,
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        "    fn by_hour(&self, t: &str, d: &str, hour: &str, at: u64) -> Result<Vec<Reading>>;\n}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG205",
            'DialogueStore.by_hour: the sort key of GSI "ByDay" is day, hour, at, used left to right: hour, at '
            'cannot be used without "day"',
        )
    ]


def test_sg204_without_an_entity_the_missing_key_is_written_as_dots(gate: Gate) -> None:
    gate.manifest('[access.DialogueStore.get_dialogue]\nop = "GetItem"\nkey = { pk = "DIALOGUE#{dialogue_id}" }\n')
    gate.write("src/store.rs", STORE)
    assert seen(gate.findings()) == [
        (
            "SG204",
            'DialogueStore.get_dialogue: GetItem needs the full primary key, but key has no "sk"; add sk = "..."',
        )
    ]


# SG206: a placeholder after one that names nothing is checked too -------------------------------


def test_sg206_after_an_unknown_part_of_the_context_or_of_an_earlier_item_the_next_placeholder_is_checked(
    gate: Gate,
) -> None:
    gate.manifest(
        '[access.DialogueStore.by_region]\nop = "GetItem"\nkey = { pk = "T#{ctx.region}#{nope}", sk = "META" }\n'
        f"\n[access.DialogueStore.by_item]\nsteps = [\n  {FIRST_STEP},\n"
        '  { op = "BatchWriteItem", items = [{ op = "DeleteItem", key = { pk = "{item.nope}#{more}", sk = "{item.sk}" '
        "} }] },\n]\n",
        paths='["src/**/*.rs"]\ncontext = { tenant = "S" }',
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn by_region(&self, id: &str) -> Result<Option<Dialogue>>;\n"
        "    fn by_item(&self, id: &str) -> Result<()>;\n}\n",
    )
    no_parameter = "binds to no parameter (parameters: id); rename it to a parameter, or add the parameter"
    assert seen(gate.findings()) == [
        (
            "SG206",
            'DialogueStore.by_region: placeholder {ctx.region} in key "pk" names no part of the store\'s context '
            '(context: tenant); declare it in [[store]] context = { name = "S" }',
        ),
        ("SG206", f'DialogueStore.by_region: placeholder {{nope}} in key "pk" {no_parameter}'),
        (
            "SG206",
            'DialogueStore.by_item (step 2 item 1): placeholder {item.nope} in key "pk" names no attribute the '
            "earlier step's items carry (their key attributes: pk, sk)",
        ),
        ("SG206", f'DialogueStore.by_item (step 2 item 1): placeholder {{more}} in key "pk" {no_parameter}'),
    ]


# SG209 names what a TypeScript method returns when only its overloads say it ---------------------


def test_sg209_a_typescript_implementation_without_a_return_type_returns_what_its_overloads_do(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.list]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n', paths='["src/**/*.ts"]'
    )
    gate.write(
        "src/store.ts",
        "export class DialogueStore {\n  list(id: string): Promise<Round[]>;\n"
        "  list(id: string, n: number): Promise<Round[]>;\n  list(id: string, n?: number) {\n"
        "    return this.rounds(id, n);\n  }\n}\n",
    )
    assert seen(gate.findings()) == [
        (
            "SG209",
            'DialogueStore.list returns a collection (Promise<Round[]>) from a Query with neither page = "cursor" '
            'nor limit; a Query returns at most 1 MB per call: add page = "cursor" or limit = N',
        )
    ]


# SG004 names every path of the store -----------------------------------------------------------


def test_sg004_names_every_path_of_the_store(gate: Gate) -> None:
    gate.manifest(DECLARED, paths='["src/store.rs", "src/more/*.rs"]')
    gate.write("src/store.rs", STORE.replace("pub trait DialogueStore {", "pub trait DialogueStore: Base {"))
    assert [(f.code, f.trait, f.line, f.message) for f in gate.findings()] == [
        (
            "SG004",
            "DialogueStore",
            1,
            'DialogueStore extends Base, which is defined nowhere under the store\'s paths ("src/store.rs", '
            '"src/more/*.rs"): its methods would not be governed; add its file to paths, or list it in [[store]] '
            'external = ["Base"] if another manifest governs it',
        )
    ]


# SG102 after a declaration that is fine; SG003 names its trait (rules/coverage.py) ---------------


def test_sg102_a_stale_declaration_sorted_after_one_that_matches_is_still_reported_on_its_method(gate: Gate) -> None:
    gate.manifest(DECLARED + DECLARED.replace("get_dialogue]", "get_dialogues]"))
    gate.write("src/store.rs", STORE)
    assert [(f.code, f.trait, f.method, f.message) for f in gate.findings()] == [
        (
            "SG102",
            "DialogueStore",
            "get_dialogues",
            "[access.DialogueStore.get_dialogues] declares a method DialogueStore does not have (did you mean "
            '"get_dialogue"?); rename or delete the declaration',
        )
    ]


def test_sg003_from_the_extractor_names_the_trait_it_is_in(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE.replace("{\n", "{\n    my_macro!();\n", 1))
    assert [(f.code, f.trait, f.method, f.line, f.message) for f in gate.findings()] == [
        (
            "SG003",
            "DialogueStore",
            None,
            2,
            "DialogueStore contains the macro invocation my_macro!(...), whose methods the gate cannot see; write "
            "the methods out in the trait",
        )
    ]


def test_sg102_while_a_store_is_missing_a_stale_declaration_after_one_of_an_ungoverned_trait_is_reported(
    gate: Gate,
) -> None:
    gate.manifest(
        DECLARED
        + DECLARED.replace("get_dialogue]", "get_dialogues]")
        + '\n[access.ArchiveStore.get]\nop = "GetItem"\n',
        '\n[[store]]\ntrait = "ConversationStore"\npaths = ["lib/**/*.rs"]\n',
    )
    gate.write("src/store.rs", STORE)
    assert seen(gate.findings()) == [
        (
            "SG102",
            "[access.DialogueStore.get_dialogues] declares a method DialogueStore does not have (did you mean "
            '"get_dialogue"?); rename or delete the declaration',
        ),
        (
            "SG001",
            'store trait ConversationStore not found: its paths ("lib/**/*.rs") match no source file the gate can read',
        ),
    ]


def test_sg102_a_declaration_under_a_governed_trait_with_no_methods_is_stale(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    assert seen(gate.findings()) == [
        (
            "SG102",
            "[access.DialogueStore.get_dialogue] declares a method DialogueStore does not have; rename or delete the "
            "declaration",
        )
    ]


def test_sg102_a_delegation_to_a_method_no_governed_trait_has_is_reported_on_the_delegating_method(
    gate: Gate,
) -> None:
    gate.manifest(
        DECLARED + '\n[access.DialogueStore.refresh]\ndelegates = ["DialogueStore.get_dialogue", '
        '"DialogueStore.get_dialog"]\n'
    )
    gate.write("src/store.rs", STORE.replace("}\n", "    fn refresh(&self, dialogue_id: &DialogueId);\n}\n"))
    assert [(f.code, f.trait, f.method, f.message) for f in gate.findings()] == [
        (
            "SG102",
            "DialogueStore",
            "refresh",
            "DialogueStore.refresh delegates to DialogueStore.get_dialog, which no governed trait has (did you mean "
            '"DialogueStore.get_dialogue"?); name the governed method it calls',
        )
    ]


# SG213: expiry by TTL on each table, after a method that declares none (rules/legality.py) -------------

TTL_TABLES = """
[tables.archive]
name = "archive"
partition_key = { name = "pk", type = "S" }

[tables.sessions]
name = "sessions"
partition_key = { name = "pk", type = "S" }
ttl = "expires_at"
"""


def test_sg213_expiry_by_ttl_on_each_table_without_ttl_after_a_method_that_declares_none(gate: Gate) -> None:
    gate.manifest(
        DECLARED + '\n[access.DialogueStore.expire]\nexpiry = "ttl"\n'
        '\n[access.DialogueStore.expire_archive]\nexpiry = "ttl"\ntable = "archive"\n'
        '\n[access.DialogueStore.expire_sessions]\nexpiry = "ttl"\ntable = "sessions"\n',
        TTL_TABLES,
    )
    gate.write(
        "src/store.rs",
        STORE.replace(
            "}\n", "    fn expire(&self);\n    fn expire_archive(&self);\n    fn expire_sessions(&self);\n}\n"
        ),
    )
    never = (
        "has no Time to Live attribute: its items never expire; enable TTL in the infrastructure "
        "(TimeToLiveSpecification, a Terraform ttl block) or declare"
    )
    assert [(f.code, f.trait, f.method, f.line, f.message) for f in gate.findings()] == [
        (
            "SG213",
            "DialogueStore",
            "expire",
            gate.line_of("[access.DialogueStore.expire]"),
            f'DialogueStore.expire declares expiry = "ttl", but the table {never} [table] ttl = "attribute"',
        ),
        (
            "SG213",
            "DialogueStore",
            "expire_archive",
            gate.line_of("[access.DialogueStore.expire_archive]"),
            f'DialogueStore.expire_archive declares expiry = "ttl", but the table "archive" {never} [tables.archive] '
            'ttl = "attribute"',
        ),
    ]


# SG103 after an inline declaration the manifest does not repeat (rules/coverage.py) ---------------


def test_sg103_a_conflict_sorted_after_an_inline_declaration_alone_is_reported(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n"
        '    /// @access { op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ARCHIVE" } }\n'
        "    fn archived(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;\n"
        '    /// @access { op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }, consistent = true }\n'
        "    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;\n}\n",
    )
    manifest_line = gate.line_of("[access.DialogueStore.get_dialogue]")
    assert [(f.code, f.trait, f.method, f.line, f.message) for f in gate.findings()] == [
        (
            "SG103",
            "DialogueStore",
            "get_dialogue",
            4,
            'DialogueStore.get_dialogue is declared here as { op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", '
            f'sk = "META" }}, consistent = true }} but in store-gate.toml:{manifest_line} as {{ op = "GetItem", '
            'entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }; keep one, or make them '
            "agree (the manifest's is the one checked)",
        )
    ]


def test_sg209_a_rust_query_method_that_returns_nothing_is_no_associated_type(gate: Gate) -> None:
    gate.manifest('[access.DialogueStore.touch]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n')
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn touch(&self, id: &str);\n}\n")
    assert seen(gate.findings()) == []
