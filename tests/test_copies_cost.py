"""Copies, write cost, projections and capacity: SG601, SG602, SG211, SG212, `store-gate cost`,
and the configuration errors of the keys they read (copies, writes, maintains, stream, fanout,
reads, [volumes], [budgets], [handler.*]).

The fixture: the conftest table with a Recommendation (title, text) and a Verdict that copies the
recommendations' titles; the trait writes both and reads verdicts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Gate, run_cli

from store_gate import capacity
from store_gate.config import load
from store_gate.errors import ConfigError
from store_gate.project import build

STORE = """
pub trait DialogueStore {
    fn put_recommendation(&self, dialogue_id: &str, recommendation_id: &str) -> Result<()>;
    fn list_verdicts(&self, status: &str) -> Result<Vec<Verdict>>;
}
"""

ENTITIES = """
[entity.Recommendation]
pk = "DIALOGUE#{dialogue_id}"
sk = "RECOMMENDATION#{recommendation_id}"
attributes = ["title", "text"]

[entity.Verdict]
pk = "DIALOGUE#{dialogue_id}"
sk = "VERDICT#{verdict_id}"
gsi1pk = "VERDICT_STATUS#{status}"
attributes = ["status", "recommendation_ids"]

[entity.Verdict.copies]
recommendation_titles = { from = "Recommendation.title", via = "recommendation_ids" }
"""

PUT = (
    'op = "PutItem"\nentity = "Recommendation"\n'
    'key = { pk = "DIALOGUE#{dialogue_id}", sk = "RECOMMENDATION#{recommendation_id}" }\n'
)
TRANSACTION = (
    'steps = [\n  { op = "Query", entity = "Verdict", key = { pk = "DIALOGUE#{dialogue_id}", '
    'sk = { begins_with = "VERDICT#" } }, limit = 20 },\n'
    '  { op = "TransactWriteItems", items = [\n'
    '    { op = "UpdateItem", entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", '
    'sk = "RECOMMENDATION#{recommendation_id}" } },\n'
    '    { op = "UpdateItem", entity = "Verdict", key = { pk = "{item.pk}", sk = "{item.sk}" } },\n'
    "  ] },\n]\n"
)
LIST = 'op = "Query"\nindex = "GSI1"\nentity = "Verdict"\nkey = { gsi1pk = "VERDICT_STATUS#{status}" }\nlimit = 50\n'
HANDLER = '\n[handler.titles]\nmaintains = ["Verdict.recommendation_titles"]\n'
FULL_VOLUMES = """
[volumes]
Dialogue = { count = 10000, size_kb = 1 }
Round = { per = "Dialogue", count = 10, size_kb = 1 }
Recommendation = { per = "Dialogue", count = 20, size_kb = 1 }
Verdict = { per = "Dialogue", count = 20, size_kb = 2 }
Score = { per = "Dialogue", count = 100, size_kb = 0.5 }
"""
VOLUMES = FULL_VOLUMES  # every entity of the table's item collections (SG212 sizes them)


def declare(gate: Gate, put: str = PUT, extra: str = "", list_verdicts: str = LIST) -> None:
    gate.manifest(
        f"\n[access.DialogueStore.put_recommendation]\n{put}\n[access.DialogueStore.list_verdicts]\n{list_verdicts}",
        ENTITIES + extra,
    )
    gate.write("src/store.rs", STORE)


def messages(gate: Gate) -> list[tuple[str, str]]:
    return sorted((f.code, f.message) for f in gate.findings())


def config_errors(gate: Gate) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(gate.root / "store-gate.toml")
    # as the user sees them from the project's folder
    return [
        "invalid config: store-gate.toml:" + line.split("store-gate.toml:", 1)[1]
        for line in str(caught.value).splitlines()
    ]


# SG601 copy-not-maintained ---------------------------------------------------------------------


def test_sg601_a_put_of_the_copied_entity_that_leaves_the_copies_stale(gate: Gate) -> None:
    declare(gate)
    assert messages(gate) == [
        (
            "SG601",
            "DialogueStore.put_recommendation changes Recommendation.title, which Verdict.recommendation_titles "
            "copies (via Verdict.recommendation_ids), and does not update the copies: write them in the same "
            'TransactWriteItems (an UpdateItem on Verdict, maintains = ["Verdict.recommendation_titles"]) or name a '
            'stream handler that does (stream = "...", [handler.<name>] maintains = ["Verdict.recommendation_titles"])',
        )
    ]


def test_sg601_writes_names_what_the_write_changes(gate: Gate) -> None:
    declare(gate, PUT + 'writes = ["Recommendation.text"]\n')
    assert messages(gate) == []


def test_sg601_a_declared_write_of_the_source_is_reported_on_any_operation(gate: Gate) -> None:
    update_verdict = (
        'op = "UpdateItem"\nentity = "Verdict"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "VERDICT#{recommendation_id}" }\n'
        'writes = ["Recommendation.title"]\n'
    )
    declare(gate, update_verdict)
    assert [code for code, _ in messages(gate)] == ["SG601"]


def test_sg601_the_copies_updated_in_the_same_transaction_pass(gate: Gate) -> None:
    declare(gate, TRANSACTION + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 3\n')
    assert messages(gate) == []


def test_sg601_maintains_without_a_holder_item_in_the_transaction(gate: Gate) -> None:
    declare(gate, PUT + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 3\n')
    assert messages(gate) == [
        (
            "SG601",
            'DialogueStore.put_recommendation declares maintains = ["Verdict.recommendation_titles"] but writes no '
            'Verdict item in the same TransactWriteItems; make it op = "TransactWriteItems" with an UpdateItem on '
            'entity Verdict, or let a stream handler update the copies (stream = "...")',
        )
    ]


def test_sg601_a_stream_handler_that_maintains_the_copies_passes(gate: Gate) -> None:
    declare(gate, PUT + 'stream = "titles"\nfanout = 20\n', HANDLER)
    assert messages(gate) == []


def test_sg601_a_stream_handler_that_maintains_other_copies(gate: Gate) -> None:
    extra = (
        '\n[entity.Dialogue.copies]\nfirst_title = { from = "Recommendation.title", via = "status" }\n'
        '\n[handler.titles]\nmaintains = ["Dialogue.first_title"]\n'
    )
    gate.manifest(
        f'\n[access.DialogueStore.put_recommendation]\n{PUT}stream = "titles"\nfanout = 2\n'
        f"\n[access.DialogueStore.list_verdicts]\n{LIST}",
        ENTITIES + extra.replace("[entity.Dialogue.copies]", "[entity.Dialogue.copies]"),
        table=_with_dialogue_attributes(),
    )
    gate.write("src/store.rs", STORE)
    assert [(code, "does not update the copies (handler" in m) for code, m in messages(gate)] == [("SG601", True)]


def _with_dialogue_attributes() -> str:
    from conftest import TABLE

    return TABLE.replace(
        'gsi1sk = "CREATED#{created_at}"\n', 'gsi1sk = "CREATED#{created_at}"\nattributes = ["status"]\n', 1
    )


def test_sg601_a_write_of_no_named_entity_cannot_be_told_apart(gate: Gate) -> None:
    declare(
        gate, 'op = "PutItem"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "RECOMMENDATION#{recommendation_id}" }\n'
    )
    assert messages(gate) == [
        (
            "SG601",
            "DialogueStore.put_recommendation: PutItem writes an item of no named entity, so the gate cannot tell "
            'which copied attributes it changes; add entity = "..." to it, or declare writes = ["Entity.attribute", ...]',
        )
    ]


def test_sg601_no_copies_no_finding(gate: Gate) -> None:
    gate.manifest(
        f"\n[access.DialogueStore.put_recommendation]\n{PUT}\n[access.DialogueStore.list_verdicts]\n{LIST}",
        ENTITIES.split("[entity.Verdict.copies]")[0],
    )
    gate.write("src/store.rs", STORE)
    assert messages(gate) == []


# SG602 write-amplification-budget --------------------------------------------------------------


def test_sg602_copies_updated_without_a_declared_fanout(gate: Gate) -> None:
    declare(gate, PUT + 'stream = "titles"\n', HANDLER)
    assert messages(gate) == [
        (
            "SG602",
            "DialogueStore.put_recommendation updates copies but does not say how many per call; declare fanout = "
            '<items> or "{Entity} per Parent" (a [volumes] entry)',
        )
    ]


def test_sg602_a_transaction_over_100_items(gate: Gate) -> None:
    declare(gate, TRANSACTION + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 100\n')
    assert messages(gate) == [
        (
            "SG602",
            "DialogueStore.put_recommendation writes 101 items in one TransactWriteItems (1 declared + 100 copies); "
            'DynamoDB allows 100: update the copies from a stream handler (stream = "...") instead',
        )
    ]


def test_sg602_a_transaction_of_100_items_passes(gate: Gate) -> None:
    declare(gate, TRANSACTION + 'maintains = ["Verdict.recommendation_titles"]\nfanout = 99\n')
    assert messages(gate) == []


def test_sg602_a_batch_over_25_items_must_page(gate: Gate) -> None:
    batch = (
        'op = "BatchWriteItem"\nwrites = ["Recommendation.text"]\nfanout = 25\nitems = [{ op = "PutItem", '
        'entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", sk = "RECOMMENDATION#{recommendation_id}" } }]\n'
    )
    declare(gate, batch)
    assert messages(gate) == [
        (
            "SG602",
            "DialogueStore.put_recommendation writes 26 items in one BatchWriteItem (1 declared + 25 copies); a request "
            "holds at most 25: page it - read 25 at a time (a Query with limit = 25 as a step) and write each page",
        )
    ]


PAGED = (
    'steps = [\n  { op = "Query", entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", '
    'sk = { begins_with = "RECOMMENDATION#" } }@LIMIT },\n'
    '  { op = "BatchWriteItem", items = [{ op = "DeleteItem", entity = "Recommendation", '
    'key = { pk = "{item.pk}", sk = "{item.sk}" } }] },\n]\n'
)


def test_sg602_a_batch_writing_one_item_per_item_read_is_bounded_by_the_reads_limit(gate: Gate) -> None:
    declare(gate, PAGED.replace("@LIMIT", ", limit = 26"))
    assert messages(gate) == [
        (
            "SG602",
            "DialogueStore.put_recommendation writes 26 items in one BatchWriteItem (26 declared + 0 copies); a "
            "request holds at most 25: page it - read 25 at a time (a Query with limit = 25 as a step) and write "
            "each page",
        )
    ]


def test_sg602_a_batch_of_a_page_of_25_passes(gate: Gate) -> None:
    declare(gate, PAGED.replace("@LIMIT", ", limit = 25"))
    assert messages(gate) == []


def test_sg602_a_batch_writing_one_item_per_item_of_an_unlimited_read(gate: Gate) -> None:
    declare(gate, PAGED.replace("@LIMIT", ', page = "cursor"'))
    paged = "recommendation_id: &str, cursor: Option<Cursor>) -> Result<Page<()>>"
    gate.write("src/store.rs", STORE.replace("recommendation_id: &str) -> Result<()>", paged))
    assert messages(gate) == [
        (
            "SG602",
            "DialogueStore.put_recommendation step 2 writes an item per item step 1 reads, which has no limit: its "
            "BatchWriteItem has no bound; give that step limit = 25 (one request per page)",
        )
    ]


def test_sg602_an_inline_fanout_naming_no_volume(gate: Gate) -> None:
    gate.manifest(f"\n[access.DialogueStore.list_verdicts]\n{LIST}", ENTITIES + HANDLER)
    gate.write(
        "src/store.rs",
        STORE.replace(
            "    fn put_recommendation",
            '    /// @access { op = "PutItem", entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", '
            'sk = "RECOMMENDATION#{recommendation_id}" }, stream = "titles", fanout = "{Verdict} per Dialogue" }\n'
            "    fn put_recommendation",
        ),
    )
    assert messages(gate) == [
        (
            "SG602",
            'DialogueStore.put_recommendation declares fanout = "{Verdict} per Dialogue", which no [volumes] count '
            'gives: add [volumes] Verdict = { per = "Dialogue", count = ..., size_kb = ... }',
        )
    ]


def test_sg601_inline_references_to_nothing_are_findings(gate: Gate) -> None:
    gate.manifest(f"\n[access.DialogueStore.list_verdicts]\n{LIST}", ENTITIES)
    gate.write(
        "src/store.rs",
        STORE.replace(
            "    fn put_recommendation",
            '    /// @access { op = "PutItem", entity = "Recommendation", key = { pk = "DIALOGUE#{dialogue_id}", '
            'sk = "RECOMMENDATION#{recommendation_id}" }, writes = ["Recommendation.titel"] }\n'
            "    fn put_recommendation",
        ),
    )
    assert messages(gate) == [
        (
            "SG601",
            'DialogueStore.put_recommendation: writes: "Recommendation.titel": entity Recommendation has no attribute '
            '"titel" (pk, sk, text, title)',
        )
    ]


def test_sg602_a_fanout_from_volumes_over_the_budget(gate: Gate) -> None:
    extra = HANDLER + VOLUMES.replace("count = 20", "count = 30") + "\n[budgets]\nmax_write_fanout = 25\n"
    declare(gate, PUT + 'stream = "titles"\nfanout = "{Verdict} per Dialogue"\n', extra)
    assert messages(gate) == [
        (
            "SG602",
            "DialogueStore.put_recommendation writes 31 items per call (1 of its own + 30 copies), over [budgets] "
            "max_write_fanout = 25: move the copies to a stream handler, copy less, or raise the budget",
        )
    ]


def test_sg602_a_fanout_from_volumes_within_the_budget(gate: Gate) -> None:
    extra = HANDLER + VOLUMES + "\n[budgets]\nmax_write_fanout = 25\n"
    declare(gate, PUT + 'stream = "titles"\nfanout = "{Verdict} per Dialogue"\n', extra)
    assert messages(gate) == []


# Configuration errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("put", "extra", "error"),
    [
        (
            PUT + 'stream = "nobody"\nfanout = 1\n',
            "",
            'access.DialogueStore.put_recommendation.stream: unknown handler "nobody" (the [handler.*]: none)',
        ),
        (
            PUT + 'maintains = ["Verdict.titles"]\nfanout = 1\n',
            "",
            'access.DialogueStore.put_recommendation.maintains: unknown copy "Verdict.titles" '
            "(copies: Verdict.recommendation_titles)",
        ),
        (
            PUT + 'writes = ["Recommendation.colour"]\n',
            "",
            'access.DialogueStore.put_recommendation.writes: "Recommendation.colour": entity Recommendation has no '
            'attribute "colour" (pk, sk, text, title)',
        ),
        (
            PUT + 'writes = ["Recipe.title"]\n',
            "",
            'access.DialogueStore.put_recommendation.writes: unknown entity "Recipe" in "Recipe.title" (entities: '
            "Dialogue, Recommendation, Round, Score, Verdict)",
        ),
        (
            PUT + 'stream = "titles"\nfanout = "{Verdict} per Dialogue"\n',
            HANDLER,
            'access.DialogueStore.put_recommendation.fanout: "{Verdict} per Dialogue" needs [volumes] Verdict = '
            '{ per = "Dialogue", count = ..., size_kb = ... }',
        ),
        (
            PUT + 'writes = ["Recommendation.text"]\n',
            "\n[volumes]\nVerdit = { count = 3, size_kb = 1 }\n",
            'volumes.Verdit: unknown entity "Verdit" (entities: Dialogue, Recommendation, Round, Score, Verdict)',
        ),
        (
            PUT + 'writes = ["Round.title"]\n',
            "",
            'access.DialogueStore.put_recommendation.writes: "Round.title": list the attribute in [entity.Round] '
            'attributes = ["title", ...]',
        ),
    ],
    ids=["handler", "copy", "attribute", "entity", "fanout-volume", "volume-entity", "attributes-unlisted"],
)
def test_a_reference_to_nothing_is_a_configuration_error(gate: Gate, put: str, extra: str, error: str) -> None:
    declare(gate, put, extra)
    (line,) = config_errors(gate)
    key = error.split(":", 1)[0]
    written = key.split(".")[-1] if not key.startswith("volumes") else "Verdit"
    assert line == f"invalid config: store-gate.toml:{gate.line_of(written + ' =')}: {error}"


def test_a_copy_from_an_unknown_attribute_is_a_configuration_error(gate: Gate) -> None:
    declare(gate, extra="")
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace('from = "Recommendation.title"', 'from = "Recommendation.name"'))
    assert config_errors(gate) == [
        f"invalid config: store-gate.toml:{gate.line_of('recommendation_titles =')}: "
        'entity.Verdict.copies.recommendation_titles.from: "Recommendation.name": entity Recommendation has no '
        'attribute "name" (pk, sk, text, title)'
    ]


def test_write_keys_on_an_item_are_a_configuration_error(gate: Gate) -> None:
    misplaced = TRANSACTION.replace(
        '{ op = "UpdateItem", entity = "Verdict"', '{ op = "UpdateItem", fanout = 2, entity = "Verdict"'
    )
    declare(gate, misplaced)
    assert config_errors(gate) == [
        f"invalid config: store-gate.toml:{gate.line_of('[access.DialogueStore.put_recommendation]')}: "
        "access.DialogueStore.put_recommendation: step 2 item 2: writes, maintains, stream and fanout go on the method's "
        "pattern"
    ]


# SG211 projection-missing-attributes -----------------------------------------------------------


def _keys_only(include: str | None = None) -> str:
    from conftest import TABLE

    projection = "KEYS_ONLY" if include is None else f'{{ include = ["{include}"] }}'
    return TABLE.replace(
        'sort_key = { name = "gsi1sk", type = "S" }\n',
        f'sort_key = {{ name = "gsi1sk", type = "S" }}\nprojection = {json.dumps(projection) if include is None else projection}\n',
        1,
    )


def _declare_on(gate: Gate, table: str, list_verdicts: str) -> None:
    gate.manifest(
        f'\n[access.DialogueStore.put_recommendation]\n{PUT}writes = ["Recommendation.text"]\n'
        f"\n[access.DialogueStore.list_verdicts]\n{list_verdicts}",
        ENTITIES,
        table=table,
    )
    gate.write("src/store.rs", STORE)


def test_sg211_a_keys_only_index_lacks_what_the_read_needs(gate: Gate) -> None:
    _declare_on(gate, _keys_only(), LIST + 'reads = ["status"]\n')
    assert messages(gate) == [
        (
            "SG211",
            'DialogueStore.list_verdicts needs "status", which GSI "GSI1" (projection KEYS_ONLY) does not project; a '
            "GSI cannot return them: each item needs a second read (GetItem on the table). Add them to the "
            'projection ({ include = ["status"] }), or list only what the method uses in reads = [...]',
        )
    ]


def test_sg211_by_default_a_read_needs_all_of_its_entitys_attributes(gate: Gate) -> None:
    _declare_on(gate, _keys_only("status"), LIST)
    found = messages(gate)
    assert [code for code, _ in found] == ["SG211"]
    assert '"recommendation_ids", "recommendation_titles"' in found[0][1]


def test_sg211_an_include_projection_with_what_the_read_needs_passes(gate: Gate) -> None:
    _declare_on(gate, _keys_only("status"), LIST + 'reads = ["status", "gsi1pk"]\n')
    assert messages(gate) == []


def test_sg211_a_read_that_says_nothing_of_what_it_needs(gate: Gate) -> None:
    anonymous = 'op = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "VERDICT_STATUS#{status}" }\nlimit = 50\n'
    _declare_on(gate, _keys_only(), anonymous)
    assert messages(gate) == [
        (
            "SG211",
            'DialogueStore.list_verdicts reads GSI "GSI1" (projection KEYS_ONLY), and the gate cannot tell which '
            'attributes it needs: declare reads = ["attribute", ...], or the attributes of the entity '
            "([entity.<Name>] attributes = [...])",
        )
    ]


# SG212 hot-partition ---------------------------------------------------------------------------


def test_sg212_a_partition_over_3000_rcu_per_second(gate: Gate) -> None:
    # list_verdicts: 20 verdicts x 2 KB = 40 KB, 10 read units, eventually consistent: 5 RCU a call.
    rates = '\n[volumes.calls_per_second]\n"DialogueStore.list_verdicts" = 601\n'
    declare(gate, PUT + 'writes = ["Recommendation.text"]\n', VOLUMES + rates)
    assert gate.only("SG212").line == gate.line_of('"DialogueStore.list_verdicts" = 601')  # where the rate is
    assert messages(gate) == [
        (
            "SG212",
            'partition "VERDICT_STATUS#{}" of [table] (GSI1) receives 3,005 RCU per second at the declared rates '
            "(DialogueStore.list_verdicts); one partition serves at most 3,000 RCU: spread the key over more "
            "partitions (write sharding), or cache the reads",
        ),
    ]


def test_sg212_a_rate_for_a_method_that_does_not_exist(gate: Gate) -> None:
    rates = '\n[volumes.calls_per_second]\n"DialogueStore.list_verdict" = 6\n'
    declare(gate, PUT + 'writes = ["Recommendation.text"]\n', FULL_VOLUMES + rates)
    assert messages(gate) == [
        (
            "SG212",
            '[volumes.calls_per_second] gives a rate for "DialogueStore.list_verdict", which is no declared method '
            "of a governed trait: its load is counted nowhere; fix the name (Trait.method)",
        )
    ]


def test_sg212_rates_within_a_partitions_limits_pass(gate: Gate) -> None:
    rates = '\n[volumes.calls_per_second]\n"DialogueStore.list_verdicts" = 600\n'
    declare(gate, PUT + 'writes = ["Recommendation.text"]\n', FULL_VOLUMES + rates)
    assert messages(gate) == []


def test_sg212_an_item_collection_over_10_gb_on_a_table_with_lsis(gate: Gate) -> None:
    big = FULL_VOLUMES.replace(
        'Round = { per = "Dialogue", count = 10, size_kb = 1 }',
        'Round = { per = "Dialogue", count = 30000, size_kb = 400 }',
    )
    declare(gate, PUT + 'writes = ["Recommendation.text"]\n', big)
    assert messages(gate) == [
        (
            "SG212",
            'the item collection "DIALOGUE#{}" of [table] holds 11.4 GB at the declared volumes; with LSIs an item '
            "collection holds at most 10 GB: split the partition key, or replace the LSIs with GSIs",
        )
    ]


# store-gate cost -------------------------------------------------------------------------------

COST_STORE = """
pub trait DialogueStore {
    fn get(&self, dialogue_id: &str) -> Result<()>;
    fn get_strong(&self, dialogue_id: &str) -> Result<()>;
    fn list(&self, dialogue_id: &str) -> Result<()>;
    fn put(&self, dialogue_id: &str) -> Result<()>;
    fn both(&self, dialogue_id: &str, round: &str) -> Result<()>;
    fn either(&self, dialogue_id: &str) -> Result<()>;
    fn read_then_write(&self, dialogue_id: &str) -> Result<()>;
    fn via(&self, dialogue_id: &str) -> Result<()>;
}
"""

GET = '{ op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }'
QUERY = '{ op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }, limit = 100 }'
PUT_ROUND = '{ op = "PutItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } }'
PUT_DIALOGUE = '{ op = "PutItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }'
COST_ACCESS = f"""
[access.DialogueStore]
get = {GET}
get_strong = {GET.replace('sk = "META" } }', 'sk = "META" }, consistent = true }')}
list = {QUERY}
put = {PUT_DIALOGUE}
both = {{ op = "TransactWriteItems", items = [{PUT_DIALOGUE}, {PUT_ROUND}] }}
either = {{ alternatives = [{GET}, {QUERY}] }}
read_then_write = {{ steps = [{QUERY}, {PUT_DIALOGUE}] }}
via = {{ delegates = ["DialogueStore.get", "DialogueStore.list"] }}

[volumes]
Dialogue = {{ count = 1000, size_kb = 6 }}
Round = {{ per = "Dialogue", count = 20, size_kb = 3 }}
Score = {{ count = 1, size_kb = 1 }}

[volumes.calls_per_second]
"DialogueStore.list" = 10
"DialogueStore.put" = 5
"""


def _cost(gate: Gate) -> dict[str, dict[str, Any]]:
    gate.manifest(COST_ACCESS)
    gate.write("src/store.rs", COST_STORE)
    data = capacity.report(build(load(gate.root / "store-gate.toml")))
    return {m["method"]: m for m in data["methods"]} | {"partitions": data["partitions"]}


def test_cost_per_call_matches_the_hand_computed_figures(gate: Gate) -> None:
    costs = _cost(gate)

    def figures(name: str) -> tuple[float, float, float, float, float]:
        m = costs[name]
        assert m["unknown"] == []
        return (m["rcu"], m["wcu"], m["items_read"], m["kb_read"], m["items_written"])

    # GetItem of 6 KB: 2 read units of 4 KB; eventually consistent, half: 1 RCU.
    assert figures("DialogueStore.get") == (1.0, 0.0, 1.0, 6.0, 0.0)
    assert figures("DialogueStore.get_strong")[0] == 2.0
    # Query: 20 rounds x 3 KB = 60 KB, 15 read units, eventually consistent: 7.5 RCU.
    assert figures("DialogueStore.list") == (7.5, 0.0, 20.0, 60.0, 0.0)
    # PutItem of 6 KB: 6 write units.
    assert figures("DialogueStore.put") == (0.0, 6.0, 0.0, 0.0, 1.0)
    # A transaction doubles: (6 + 3) x 2.
    assert figures("DialogueStore.both") == (0.0, 18.0, 0.0, 0.0, 2.0)
    # Alternatives: the largest (the Query); steps: the sum; delegates: the callees together.
    assert figures("DialogueStore.either") == (7.5, 0.0, 20.0, 60.0, 0.0)
    assert figures("DialogueStore.read_then_write") == (7.5, 6.0, 20.0, 60.0, 1.0)
    assert figures("DialogueStore.via") == (8.5, 0.0, 21.0, 66.0, 0.0)
    # Per partition per second: list 10/s x 7.5 RCU, put 5/s x 6 WCU on DIALOGUE#{}.
    assert costs["partitions"] == [
        {
            "table": "[table]",
            "index": "base",
            "partition_key": "DIALOGUE#{}",
            "rcu_per_second": 75.0,
            "wcu_per_second": 30.0,
            "methods": ["DialogueStore.list", "DialogueStore.put"],
        }
    ]


def test_cost_says_what_it_does_not_know(gate: Gate) -> None:
    gate.manifest(COST_ACCESS.replace('Round = { per = "Dialogue", count = 20, size_kb = 3 }\n', ""))
    gate.write("src/store.rs", COST_STORE)
    data = capacity.report(build(load(gate.root / "store-gate.toml")))
    unknown = {m["method"]: m["unknown"] for m in data["methods"] if m["unknown"]}
    assert unknown == {
        name: ["no [volumes] for Round"]
        for name in (
            "DialogueStore.both",
            "DialogueStore.either",
            "DialogueStore.list",
            "DialogueStore.read_then_write",
            "DialogueStore.via",
        )
    }


EXPECTED_COST_TEXT = """\
Cost per call, from [volumes] in store-gate.toml: RCU = 4 KB read units (eventually consistent: half), WCU = 1 KB write units, transactions double

method                         RCU  WCU  items read  KB read  items written  calls/s
DialogueStore.both               0   18           0        0              2        -
DialogueStore.either           7.5    0          20       60              0        -
DialogueStore.get                1    0           1        6              0        -
DialogueStore.get_strong         2    0           1        6              0        -
DialogueStore.list             7.5    0          20       60              0       10
DialogueStore.put                0    6           0        0              1        5
DialogueStore.read_then_write  7.5    6          20       60              1        -
DialogueStore.via              8.5    0          21       66              0        -

Per partition per second, at calls_per_second (limits: 3,000 RCU, 1,000 WCU):
  [table] base "DIALOGUE#{}": 75 RCU, 30 WCU (DialogueStore.list, DialogueStore.put)

Item collections on tables with LSIs (limit: 10 GB each):
  [table] "DIALOGUE#{}": 66 KB
  [table] "PLAYER#{}": 1 KB
"""


def test_cost_command_text_and_json_are_deterministic(gate: Gate) -> None:
    gate.manifest(COST_ACCESS)
    gate.write("src/store.rs", COST_STORE)
    first, second = run_cli("cost", cwd=gate.root), run_cli("cost", cwd=gate.root)
    assert first.returncode == 0 and first.stdout == second.stdout, first.stderr
    assert first.stdout == EXPECTED_COST_TEXT
    as_json = run_cli("cost", "--format", "json", cwd=gate.root)
    assert json.loads(as_json.stdout)["methods"][0]["method"] == "DialogueStore.both"


def test_the_blue_example_states_its_copies_and_volumes_and_stays_clean() -> None:
    from conftest import EXAMPLE

    result = run_cli("cost", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert (
        "DialogueWrites.put_recommendation         0   41           0        0             21        1" in result.stdout
    )
    assert '[table] "DIALOGUE#{}": 360.2 KB' in result.stdout
    assert result.stdout in (EXAMPLE.parent.parent / "README.md").read_text(encoding="utf-8")  # shown as it is
    assert run_cli("check", str(EXAMPLE)).returncode == 0
