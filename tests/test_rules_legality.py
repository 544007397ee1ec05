"""SG2 (DynamoDB legality of one access pattern) and SG306: failing and passing cases.

The fixture table (conftest.TABLE) has pk/sk, GSI1 (gsi1pk/gsi1sk), GSI ByScore (game S /
score N) and LSI ByTime (lsi1sk). Each test declares one method and asserts the codes.
"""

from __future__ import annotations

import pytest
from conftest import Gate

STORE = """
pub trait DialogueStore {
    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
    fn list_rounds(&self, dialogue_id: &DialogueId, cursor: Option<Cursor>) -> Result<Vec<Round>>;
    fn list_by_status(&self, status: Status) -> Result<Vec<Dialogue>>;
    fn top_scores(&self, game: &str, min: u64) -> Result<Vec<Score>>;
}
"""

GOOD = {
    "get_dialogue": 'op = "GetItem"\nentity = "Dialogue"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }',
    "list_rounds": (
        'op = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\npage = "cursor"'
    ),
    "list_by_status": 'op = "Query"\nindex = "GSI1"\nentity = "Dialogue"\nkey = { gsi1pk = "STATUS#{status}" }\nlimit = 100',
    "top_scores": 'op = "Query"\nindex = "ByScore"\nkey = { game = "{game}", score = { ge = "{min}" } }\nlimit = 10',
}


def declare(gate: Gate, **overrides: str) -> None:
    """Declare every method of STORE, with some declarations replaced."""
    entries = {**GOOD, **overrides}
    gate.manifest("".join(f"\n[access.DialogueStore.{name}]\n{body}\n" for name, body in entries.items()))
    gate.write("src/store.rs", STORE)


def test_the_fixture_declarations_are_all_legal(gate: Gate) -> None:
    declare(gate)
    assert gate.codes() == []


# SG201 ---------------------------------------------------------------------------------------


def test_sg201_inline_declaration_naming_an_unknown_index(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "Query", index = "GSI2", key = { gsi1pk = "STATUS#{status}" }, limit = 5 }
            fn list_by_status(&self, status: Status) -> Result<Vec<Dialogue>>;
        }
        """,
    )
    finding = gate.only("SG201")
    assert finding.line == 2 and 'index "GSI2"' in finding.message and 'did you mean "GSI1"?' in finding.message


def test_sg201_inline_declaration_naming_a_known_index_passes(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "Query", index = "GSI1", key = { gsi1pk = "STATUS#{status}" }, limit = 5 }
            fn list_by_status(&self, status: Status) -> Result<Vec<Dialogue>>;
        }
        """,
    )
    assert gate.codes() == []


# SG202 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["Scan", "ExecuteStatement"])
def test_sg202_scan_and_partiql_are_unbounded(gate: Gate, op: str) -> None:
    declare(gate, list_by_status=f'op = "{op}"')
    assert op in gate.only("SG202").message


def test_sg202_query_is_bounded(gate: Gate) -> None:
    declare(gate)
    assert gate.codes() == []


# SG203 ---------------------------------------------------------------------------------------


def test_sg203_getitem_on_a_gsi(gate: Gate) -> None:
    declare(gate, get_dialogue='op = "GetItem"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{dialogue_id}" }')
    assert "GetItem cannot use index" in gate.only("SG203").message


def test_sg203_query_on_a_gsi_passes(gate: Gate) -> None:
    declare(gate)
    assert gate.codes() == []


# SG204 ---------------------------------------------------------------------------------------


def test_sg204_getitem_without_the_sort_key(gate: Gate) -> None:
    declare(gate, get_dialogue='op = "GetItem"\nentity = "Dialogue"\nkey = { pk = "DIALOGUE#{dialogue_id}" }')
    assert 'add sk = "META"' in gate.only("SG204").message


def test_sg204_getitem_with_a_sort_key_prefix(gate: Gate) -> None:
    declare(gate, get_dialogue='op = "GetItem"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "M" } }')
    assert "by equality, not begins_with" in gate.only("SG204").message


def test_sg204_full_primary_key_passes(gate: Gate) -> None:
    declare(gate)
    assert gate.codes() == []


# SG205 ---------------------------------------------------------------------------------------


def test_sg205_partition_key_not_by_equality(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = { begins_with = "DIALOGUE#" } }\npage = "cursor"')
    assert "must be matched by equality" in gate.only("SG205").message


def test_sg205_query_without_the_partition_key(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { sk = { begins_with = "ROUND#" } }\npage = "cursor"')
    assert 'needs its partition key "pk"' in gate.only("SG205").message


def test_sg205_condition_on_an_attribute_that_is_not_a_key_of_the_index(gate: Gate) -> None:
    declare(
        gate,
        list_by_status='op = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{status}", sk = "META" }\nlimit = 5',
    )
    assert 'not a key of GSI "GSI1"' in gate.only("SG205").message


def test_sg205_unsupported_operator_on_the_sort_key(gate: Gate) -> None:
    declare(
        gate,
        list_rounds='op = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { contains = "ROUND" } }\npage = "cursor"',
    )
    assert '"contains" on sort key "sk" is not a key condition' in gate.only("SG205").message


@pytest.mark.parametrize(
    "condition",
    [
        '"ROUND#1"',
        '{ lt = "ROUND#9" }',
        '{ "<=" = "ROUND#9" }',
        '{ gt = "ROUND#0" }',
        '{ between = ["ROUND#1", "ROUND#5"] }',
    ],
)
def test_sg205_every_key_condition_operator_passes(gate: Gate, condition: str) -> None:
    declare(
        gate,
        list_rounds=f'op = "Query"\nkey = {{ pk = "DIALOGUE#{{dialogue_id}}", sk = {condition} }}\npage = "cursor"',
    )
    assert gate.codes() == []


# SG206 ---------------------------------------------------------------------------------------


def test_sg206_placeholder_naming_no_parameter(gate: Gate) -> None:
    declare(gate, get_dialogue='op = "GetItem"\nkey = { pk = "DIALOGUE#{dialog_id}", sk = "META" }')
    message = gate.only("SG206").message
    assert "{dialog_id}" in message and 'did you mean "dialogue_id"?' in message


def test_sg206_placeholder_reading_from_self(gate: Gate) -> None:
    declare(gate, get_dialogue='op = "GetItem"\nkey = { pk = "DIALOGUE#{self.current}", sk = "META" }')
    assert "reads from self" in gate.only("SG206").message


def test_sg206_tuple_pattern_parameter_cannot_bind(gate: Gate) -> None:
    gate.manifest('[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "D#{a}", sk = "META" }\n')
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, (a, b): (u8, u8)) -> Result<()>;\n}\n")
    assert "binds to no parameter (parameters: none)" in gate.only("SG206").message


def test_sg206_field_of_a_parameter_and_raw_identifiers_bind(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "DIALOGUE#{round.dialogue_id}", sk = "T#{type}" }\n'
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn put(&self, mut round: Round, r#type: &str) -> Result<()>;\n}\n",
    )
    assert gate.codes() == []


# SG207 ---------------------------------------------------------------------------------------


def test_sg207_consistent_read_on_a_gsi(gate: Gate) -> None:
    declare(gate, list_by_status=GOOD["list_by_status"] + "\nconsistent = true")
    assert "GSIs support eventually consistent reads only" in gate.only("SG207").message


def test_sg207_consistent_read_on_an_lsi_passes(gate: Gate) -> None:
    declare(
        gate,
        list_rounds='op = "Query"\nindex = "ByTime"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{dialogue_id}", lsi1sk = { begins_with = "AT#" } }\npage = "cursor"\nconsistent = true',
    )
    assert gate.codes() == []


# SG208 ---------------------------------------------------------------------------------------


def test_sg208_text_template_on_a_number_key(gate: Gate) -> None:
    declare(
        gate,
        top_scores='op = "Query"\nindex = "ByScore"\nkey = { game = "{game}", score = { ge = "MIN#{min}" } }\nlimit = 10',
    )
    assert 'key "score" is a number (N)' in gate.only("SG208").message


def test_sg208_begins_with_on_a_number_key(gate: Gate) -> None:
    declare(
        gate,
        top_scores='op = "Query"\nindex = "ByScore"\nkey = { game = "{game}", score = { begins_with = "1" } }\nlimit = 10',
    )
    assert "begins_with" in gate.only("SG208").message


def test_sg208_number_literal_and_single_placeholder_fit_a_number_key(gate: Gate) -> None:
    declare(
        gate,
        top_scores='op = "Query"\nindex = "ByScore"\nkey = { game = "{game}", score = { between = ["0", "{min}"] } }\nlimit = 10',
    )
    assert gate.codes() == []


# SG209 ---------------------------------------------------------------------------------------


def test_sg209_collection_query_without_page_or_limit(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }')
    assert "returns a collection (Result<Vec<Round>>)" in gate.only("SG209").message


def test_sg209_single_item_query_needs_no_page(gate: Gate) -> None:
    gate.manifest('[access.DialogueStore.latest]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n')
    gate.write(
        "src/store.rs", "pub trait DialogueStore {\n    fn latest(&self, id: &str) -> Result<Option<Round>>;\n}\n"
    )
    assert gate.codes() == []


ASSOCIATED_STORE = """
pub trait DialogueStore {
    type Rounds;
    type Error;
    fn list_rounds(&self, id: &str) -> impl Future<Output = Result<Self::Rounds, Self::Error>> + Send;
    fn latest(&self, id: &str) -> Result<Option<Round>, Self::Error>;
}
"""


def test_sg209_a_query_returning_an_associated_type_may_return_a_collection(gate: Gate) -> None:
    """`Self::Rounds` is defined by each implementation, which the gate does not read: a Query
    returning it is bounded like a collection. An associated error type decides nothing."""
    gate.manifest(
        '[access.DialogueStore.list_rounds]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n'
        '[access.DialogueStore.latest]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n'
    )
    gate.write("src/store.rs", ASSOCIATED_STORE)
    assert [(f.code, f.method, f.message) for f in gate.findings()] == [
        (
            "SG209",
            "list_rounds",
            "DialogueStore.list_rounds returns Self::Rounds, an associated type whose definition (in each "
            'implementation) the gate does not read, from a Query with neither page = "cursor" nor limit; it may be '
            'a collection, and a Query returns at most 1 MB per call: add page = "cursor" or limit = N (limit = 1 for '
            "a single item)",
        )
    ]


def test_sg209_a_query_returning_an_associated_type_with_a_limit_passes(gate: Gate) -> None:
    gate.manifest(
        '[access.DialogueStore.list_rounds]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\nlimit = 50\n'
        '[access.DialogueStore.latest]\nop = "Query"\nkey = { pk = "DIALOGUE#{id}" }\n'
    )
    gate.write("src/store.rs", ASSOCIATED_STORE)
    assert gate.findings() == []


def test_sg209_limit_from_a_parameter_passes(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}" }\nlimit = "{cursor}"')
    assert gate.codes() == []


# SG210 ---------------------------------------------------------------------------------------


def test_sg210_constant_partition_key_is_a_warning(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = "ALL_ROUNDS" }\nlimit = 5')
    finding = gate.only("SG210")
    assert finding.severity == "warning" and "hot key" in finding.message
    assert not gate.run().failed, "a warning does not fail the gate with the default fail_on"


def test_sg202_a_constant_partition_key_on_a_gsi_is_a_scan_in_disguise(gate: Gate) -> None:
    declare(gate, list_by_status='op = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "ALL_DIALOGUES" }\nlimit = 5')
    finding = gate.only("SG202")
    assert finding.severity == "error"
    assert finding.message == (
        'DialogueStore.list_by_status: a Query on GSI "GSI1" with the constant partition key gsi1pk = "ALL_DIALOGUES" '
        "reads one partition that holds every such item of the table - a Scan in disguise; put a parameter into the "
        "partition key (shard it when there is none), or serve the method another way"
    )


def test_sg209_a_limit_above_a_thousand_items_is_a_bulk_read(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}" }\nlimit = 5000')
    assert gate.only("SG209").message == (
        "DialogueStore.list_rounds: limit = 5000 is above 1,000 items per page; a page that large is a bulk read: "
        'page with page = "cursor" and a limit of at most 1,000'
    )


def test_sg209_a_limit_of_a_thousand_passes(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}" }\nlimit = 1000')
    assert gate.findings() == []


def test_sg210_fail_on_warning_makes_it_fail(gate: Gate) -> None:
    declare(gate, list_rounds='op = "Query"\nkey = { pk = "ALL_ROUNDS" }\nlimit = 5')
    text = (gate.root / "store-gate.toml").read_text().replace("version = 1\n", 'version = 1\nfail_on = "warning"\n')
    (gate.root / "store-gate.toml").write_text(text)
    assert gate.run().failed


def test_sg210_partition_key_with_a_placeholder_passes(gate: Gate) -> None:
    declare(gate)
    assert gate.codes() == []


# SG306 ---------------------------------------------------------------------------------------


def test_sg306_prefix_that_does_not_fit_the_entity_layout(gate: Gate) -> None:
    declare(
        gate,
        list_rounds='op = "Query"\nentity = "Round"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "RND#" } }\npage = "cursor"',
    )
    assert 'is no prefix of entity Round\'s sk = "ROUND#{round}"' in gate.only("SG306").message


def test_sg306_equality_that_does_not_fit_the_entity_layout(gate: Gate) -> None:
    declare(gate, get_dialogue='op = "GetItem"\nentity = "Dialogue"\nkey = { pk = "DLG#{dialogue_id}", sk = "META" }')
    assert "does not fit entity Dialogue's pk" in gate.only("SG306").message


def test_sg306_entity_absent_from_a_sparse_index(gate: Gate) -> None:
    declare(
        gate,
        list_by_status='op = "Query"\nindex = "GSI1"\nentity = "Round"\nkey = { gsi1pk = "STATUS#{status}" }\nlimit = 5',
    )
    assert 'entity Round has no "gsi1pk"' in gate.only("SG306").message


def test_sg306_literal_value_for_a_layout_placeholder_fits(gate: Gate) -> None:
    declare(
        gate,
        list_by_status='op = "Query"\nindex = "GSI1"\nentity = "Dialogue"\nkey = { gsi1pk = "STATUS#open" }\nlimit = 5',
    )
    # The literal fits the layout's STATUS#{status} (no SG306); a constant GSI partition is SG202 of its own.
    assert gate.codes() == ["SG202"]


def test_sg306_inline_declaration_naming_an_unknown_entity(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "GetItem", entity = "Dialog", key = { pk = "DIALOGUE#{id}", sk = "META" } }
            fn get(&self, id: &str) -> Result<Option<Dialogue>>;
        }
        """,
    )
    assert 'names entity "Dialog"' in gate.only("SG306").message
