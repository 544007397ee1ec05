"""NoSQL Workbench tables without facets: entities inferred from the table's own sample items
(`TableData`), grouped by a type attribute or by the `TYPE#` prefixes of their keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from store_gate.schema.importers import ImportProblem, import_bytes, import_table

FIXTURES = Path(__file__).parent / "fixtures" / "infra"


def layouts(imported: Any) -> dict[str, dict[str, str]]:
    return {name: {a: t.source for a, t in layout.items()} for name, layout in imported.entities.items()}


def test_items_with_a_type_attribute_are_grouped_by_its_value() -> None:
    imported = import_table(FIXTURES / "workbench-tabledata.json", "workbench-tabledata.json", "Library")
    assert layouts(imported) == {
        "Author": {"PK": "AUTHOR#{pk}", "SK": "PROFILE"},
        "Book": {"PK": "AUTHOR#{pk}", "SK": "BOOK#{sk}", "GSI1PK": "GENRE#{gsi1pk}"},
    }
    assert imported.notes == [
        'entities inferred from the table\'s TableData items (no facets), grouped by their type attribute "type", '
        "their key templates inferred from the items: Author, Book",
        '1 of the 5 TableData items shows no type ("type"): not read as any entity',
    ]


def test_items_without_a_type_attribute_are_grouped_by_their_keys_type_prefixes() -> None:
    imported = import_table(FIXTURES / "workbench-tabledata.json", "workbench-tabledata.json", "Sessions")
    assert layouts(imported) == {
        "SESSION": {"pk": "USER#{pk}", "sk": "SESSION#{sk}"},
        "DEVICE": {"pk": "USER#{pk}", "sk": "DEVICE#{sk}"},
    }
    assert imported.notes == [
        "entities inferred from the table's TableData items (no facets), grouped by the TYPE# prefixes of their "
        "keys, their key templates inferred from the items: DEVICE, SESSION",
        "1 of the 4 TableData items shows no type (no TYPE#id key): not read as any entity",
    ]


def _model(items: list[dict[str, Any]], **table: Any) -> bytes:
    key = {"PartitionKey": {"AttributeName": "pk", "AttributeType": "S"}}
    return json.dumps({"DataModel": [{"TableName": "t", "KeyAttributes": key, "TableData": items, **table}]}).encode()


def test_items_that_show_no_layout_give_no_entities_and_say_so() -> None:
    imported = import_bytes(_model([{"pk": {"S": "1"}}, {"pk": {"S": "2"}}]), "m.json", "m.json")
    assert imported.entities == {}
    assert imported.notes == [
        "the table's TableData items show neither a type attribute (type, Type, entityType, EntityType, ...) nor a "
        "TYPE#id key layout: no entities inferred"
    ]


def test_the_tables_items_are_read_only_when_no_facet_has_items() -> None:
    items = [{"pk": {"S": "X#1"}, "type": {"S": "X"}}]
    empty = {"FacetName": "Thing", "TableData": []}
    assert layouts(import_bytes(_model(items, TableFacets=[empty]), "m.json", "m.json")) == {"X": {"pk": "X#{pk}"}}
    facet = {"FacetName": "Thing", "TableData": [{"pk": {"S": "T#1"}}]}
    assert layouts(import_bytes(_model(items, TableFacets=[facet]), "m.json", "m.json")) == {"Thing": {"pk": "T#{pk}"}}


def test_type_values_unfit_to_name_an_entity_are_left_out() -> None:
    items = [
        {"pk": {"S": "A#1"}, "_type": {"S": "x" * 500}},
        {"pk": {"S": "A#2"}, "_type": {"S": "line\nbreak"}},
        {"pk": {"S": "A#3"}, "_type": {"S": "Good"}},
        {"pk": {"M": {}}, "_type": {"S": "NoKey"}},
    ]
    imported = import_bytes(_model(items), "m.json", "m.json")
    assert layouts(imported) == {"Good": {"pk": "A#{pk}"}}
    assert imported.notes == [
        'entities inferred from the table\'s TableData items (no facets), grouped by their type attribute "_type", '
        "their key templates inferred from the items: Good",
        'not read as entities, their items lacking the table\'s keys: "NoKey"',
        '2 of the 4 TableData items show no type ("_type"): not read as any entity',
    ]


def test_many_items_are_read_in_linear_time() -> None:
    items = [{"pk": {"S": f"T{i % 50}#{i}"}, "v": {"S": "x"}} for i in range(50_000)]
    imported = import_bytes(_model(items), "m.json", "m.json")
    assert len(imported.entities) == 50


def test_table_data_of_the_wrong_shape_names_the_key_path() -> None:
    for items, message in (
        ("x", 'DataModel[0].TableData: expected a list of items, got the string "x"'),
        (["x"], 'DataModel[0].TableData[0]: expected an item (a mapping of attributes), got the string "x"'),
    ):
        with pytest.raises(ImportProblem) as raised:
            import_bytes(_model(items), "m.json", "m.json")  # type: ignore[arg-type]
        assert raised.value.message == message
