"""Placeholders are checked against the types of the parameters they bind (SG208), and a cursor
page needs a cursor (SG209): in Rust, Python and TypeScript alike. A type the gate does not know
(a user's own) passes, and --format json names it."""

from __future__ import annotations

import json

import pytest
from conftest import Gate, run_cli

TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.ByScore]
partition_key = { name = "game", type = "S" }
sort_key = { name = "score", type = "N" }

[table.gsi.ByDigest]
partition_key = { name = "digest", type = "B" }
"""

# One spelling per language of each class of type.
TYPES = {
    "rs": {"text": "&str", "number": "u64", "bytes": "&[u8]", "collection": "Vec<String>", "own": "Points"},
    "py": {"text": "str", "number": "int", "bytes": "bytes", "collection": "list[str]", "own": "Points"},
    "ts": {"text": "string", "number": "number", "bytes": "Uint8Array", "collection": "string[]", "own": "Points"},
}
LANGUAGES = sorted(TYPES)


def source(language: str, parameters: list[tuple[str, str]], returns: str) -> str:
    """A store with one method `m` taking `parameters` (name, type) and returning `returns`."""
    if language == "rs":
        params = "".join(f", {name}: {type_}" for name, type_ in parameters)
        return f"pub trait DialogueStore {{\n    fn m(&self{params}) -> {returns};\n}}\n"
    if language == "py":
        params = "".join(f", {name}: {type_}" for name, type_ in parameters)
        return f"from typing import Protocol\n\n\nclass DialogueStore(Protocol):\n    def m(self{params}) -> {returns}: ...\n"
    params = ", ".join(f"{name}: {type_}" for name, type_ in parameters)
    return f"export interface DialogueStore {{\n  m({params}): {returns};\n}}\n"


RETURNS = {
    "rs": {"one": "Option<Item>", "many": "Vec<Item>", "page": "Page<Item>", "pair": "(Vec<Item>, Option<String>)"},
    "py": {"one": "Item | None", "many": "list[Item]", "page": "Page[Item]", "pair": "tuple[list[Item], str | None]"},
    "ts": {
        "one": "Item | null",
        "many": "Item[]",
        "page": "Page<Item>",
        "pair": "{ items: Item[]; nextToken?: string }",
    },
}


def setup(
    gate: Gate, language: str, access: str, parameters: dict[str, str], returns: str = "one", head: str = ""
) -> None:
    """`parameters` maps each name to a class of TYPES (spelt in `language`)."""
    gate.manifest(access, table=head + TABLE, paths=f'["src/**/*.{language}"]')
    typed = [(name, TYPES[language][kind]) for name, kind in parameters.items()]
    gate.write(f"src/store.{language}", source(language, typed, RETURNS[language][returns]))


def found(gate: Gate) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in gate.findings()]


SCORE = '[access.DialogueStore.m]\nop = "Query"\nindex = "ByScore"\nkey = {{ game = "G#{{g}}", score = "{{s}}" }}\nlimit = 10\n'


# SG208: a number (N) key ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_key_bound_to_a_text_parameter_is_sg208(gate: Gate, language: str) -> None:
    setup(gate, language, SCORE.format(), {"g": "text", "s": "text"})
    ((code, message),) = found(gate)
    assert code == "SG208"
    assert message == (
        f'DialogueStore.m: key "score" is a number (N) but is bound to {{s}} ({TYPES[language]["text"]}: text); '
        "bind it to an integer or decimal parameter, or change the attribute's type"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_key_bound_to_bytes_is_sg208(gate: Gate, language: str) -> None:
    setup(gate, language, SCORE.format(), {"g": "text", "s": "bytes"})
    assert [code for code, _ in found(gate)] == ["SG208"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_key_bound_to_a_number_parameter_passes(gate: Gate, language: str) -> None:
    setup(gate, language, SCORE.format(), {"g": "text", "s": "number"})
    assert found(gate) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_parameter_of_a_type_of_the_projects_own_passes_and_json_names_it(gate: Gate, language: str) -> None:
    setup(gate, language, SCORE.format(), {"g": "text", "s": "own"})
    assert found(gate) == []
    document = json.loads(run_cli("check", "--format", "json", cwd=gate.root).stdout)
    (method,) = document["manifests"][0]["methods"]
    assert method["parameters"] == [
        {"name": "g", "type": TYPES[language]["text"], "class": "text"},
        {"name": "s", "type": "Points", "class": "unknown"},
    ]


# SG208: a binary (B) key ------------------------------------------------------------------------

DIGEST = '[access.DialogueStore.m]\nop = "Query"\nindex = "ByDigest"\nkey = { digest = "{d}" }\nlimit = 10\n'


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_binary_key_bound_to_text_is_sg208(gate: Gate, language: str) -> None:
    setup(gate, language, DIGEST, {"d": "text"})
    ((code, message),) = found(gate)
    assert code == "SG208" and 'key "digest" is binary (B' in message and "bind it to a bytes parameter" in message


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_binary_key_bound_to_bytes_passes(gate: Gate, language: str) -> None:
    setup(gate, language, DIGEST, {"d": "bytes"})
    assert found(gate) == []


# SG208: a collection for one key part -----------------------------------------------------------

GET = '[access.DialogueStore.m]\nop = "GetItem"\nkey = { pk = "D#{ids}", sk = "META" }\n'
BATCH = '[access.DialogueStore.m]\nop = "BatchGetItem"\nkey = { pk = "D#{ids}", sk = "META" }\n'


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_collection_in_an_equality_key_part_is_sg208(gate: Gate, language: str) -> None:
    setup(gate, language, GET, {"ids": "collection"})
    ((code, message),) = found(gate)
    assert code == "SG208"
    assert message == (
        f'DialogueStore.m: key "pk" is bound to {{ids}} ({TYPES[language]["collection"]}: a collection); a key part '
        "takes one value, so this is one request per element: declare a BatchGetItem (or steps), or key the "
        "method on a single value"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_collection_keys_one_item_per_element_in_a_batch(gate: Gate, language: str) -> None:
    setup(gate, language, BATCH, {"ids": "collection"})
    assert found(gate) == []


# SG208: limit -----------------------------------------------------------------------------------

LIMITED = (
    '[access.DialogueStore.m]\nop = "Query"\nkey = {{ pk = "D#{{id}}", sk = {{ begins_with = "R#" }} }}\n'
    'page = "cursor"\nlimit = "{{{name}}}"\n'
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_limit_bound_to_a_text_cursor_is_sg208(gate: Gate, language: str) -> None:
    setup(gate, language, LIMITED.format(name="cursor"), {"id": "text", "cursor": "text"}, returns="many")
    ((code, message),) = found(gate)
    assert code == "SG208"
    assert message == (
        f'DialogueStore.m: limit = "{{cursor}}" is bound to {{cursor}} ({TYPES[language]["text"]}: text), not a '
        "number; Limit is a count of items: bind it to an integer parameter or write a number"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_limit_bound_to_a_number_passes(gate: Gate, language: str) -> None:
    setup(gate, language, LIMITED.format(name="n"), {"id": "text", "n": "number"}, returns="many")
    assert found(gate) == []


# SG208: the store's context ---------------------------------------------------------------------

CONTEXT_SCORE = (
    '[access.DialogueStore.m]\nop = "Query"\nindex = "ByScore"\nkey = { game = "G#{g}", score = "{ctx.tenant}" }\n'
    "limit = 10\n"
)


def test_a_number_key_bound_to_a_text_context_part_is_sg208(gate: Gate) -> None:
    setup(gate, "rs", CONTEXT_SCORE, {"g": "text"}, head='context = { tenant = "S" }\n')
    assert found(gate) == [
        (
            "SG208",
            'DialogueStore.m: key "score" is a number (N) but is bound to {ctx.tenant} (S: text); bind it to an '
            "integer or decimal parameter, or change the attribute's type",
        )
    ]


def test_a_number_key_bound_to_a_number_context_part_passes(gate: Gate) -> None:
    setup(gate, "rs", CONTEXT_SCORE, {"g": "text"}, head='context = { tenant = "N" }\n')
    assert found(gate) == []


# SG209: page = "cursor" needs a cursor ----------------------------------------------------------

PAGED = (
    '[access.DialogueStore.m]\nop = "Query"\nkey = { pk = "D#{id}", sk = { begins_with = "R#" } }\npage = "cursor"\n'
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cursor_page_with_no_cursor_in_or_out_is_sg209(gate: Gate, language: str) -> None:
    setup(gate, language, PAGED, {"id": "text"}, returns="many")
    ((code, message),) = found(gate)
    assert code == "SG209"
    assert message.startswith('DialogueStore.m: page = "cursor", but the method takes no cursor and returns none')
    assert "reads every page in one call" in message


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cursor_parameter_carries_the_start_key(gate: Gate, language: str) -> None:
    setup(gate, language, PAGED, {"id": "text", "after": "text"}, returns="many")
    assert found(gate) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("returns", ["page", "pair"])
def test_a_return_type_that_hands_back_a_cursor_passes(gate: Gate, language: str, returns: str) -> None:
    setup(gate, language, PAGED, {"id": "text"}, returns=returns)
    assert found(gate) == []


def test_a_stream_is_pulled_page_by_page_by_its_caller(gate: Gate) -> None:
    gate.manifest(PAGED)
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn m(&self, id: &str) -> BoxStream<'_, Item>;\n}\n")
    assert found(gate) == []


def test_a_limit_bounds_a_cursor_page_without_a_cursor(gate: Gate) -> None:
    setup(gate, "rs", PAGED + "limit = 50\n", {"id": "text"}, returns="many")
    assert found(gate) == []


# SG208: a record bound whole --------------------------------------------------------------------

RECORDS = {
    "rs": "pub struct Round { pub dialogue_id: String, pub number: u32 }\n",
    "py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Round:\n    dialogue_id: str\n    number: int\n\n\n",
    "ts": "export interface Round { dialogueId: string; number: number }\n",
}
ROUND_PUT = '[access.DialogueStore.m]\nop = "PutItem"\nkey = {{ pk = "D#{{r.{field}}}", sk = "R#{{{whole}}}" }}\n'


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_record_bound_whole_to_a_key_part_is_sg208(gate: Gate, language: str) -> None:
    field = "dialogueId" if language == "ts" else "dialogue_id"
    gate.manifest(ROUND_PUT.format(field=field, whole="r"), table=TABLE, paths=f'["src/**/*.{language}"]')
    gate.write(
        f"src/store.{language}", RECORDS[language] + source(language, [("r", "Round")], RETURNS[language]["one"])
    )
    ((code, message),) = found(gate)
    assert code == "SG208"
    fields = "dialogueId, number" if language == "ts" else "dialogue_id, number"
    assert message == (
        f'DialogueStore.m: key "sk" is bound to {{r}}, a whole Round (a record with fields {fields}); name the field '
        f"the key part stands for, e.g. {{r.{fields.split(', ')[0]}}}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_field_of_a_record_passes(gate: Gate, language: str) -> None:
    field = "dialogueId" if language == "ts" else "dialogue_id"
    gate.manifest(ROUND_PUT.format(field=field, whole="r.number"), table=TABLE, paths=f'["src/**/*.{language}"]')
    gate.write(
        f"src/store.{language}", RECORDS[language] + source(language, [("r", "Round")], RETURNS[language]["one"])
    )
    assert found(gate) == []


# SG206: a key part bound to a parameter a caller may leave out -------------------------------------

OPTIONAL = {"rs": ("id", "Option<String>"), "ts": ("id?", "string"), "py": ("id", "str | None = None")}
GET_BY_ID = '[access.DialogueStore.m]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n'


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_key_part_bound_to_an_optional_parameter_is_sg206(gate: Gate, language: str) -> None:
    gate.manifest(GET_BY_ID, table=TABLE, paths=f'["src/**/*.{language}"]')
    gate.write(f"src/store.{language}", source(language, [OPTIONAL[language]], RETURNS[language]["one"]))
    ((code, message),) = found(gate)
    assert code == "SG206"
    assert message.startswith('DialogueStore.m: placeholder {id} in key "pk" binds to id, which a caller may leave out')
    assert message.endswith("make it required, or declare alternatives = [...], one operation for each case")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_optional_parameter_may_key_one_of_several_alternatives(gate: Gate, language: str) -> None:
    access = (
        '[access.DialogueStore.m]\nalternatives = [\n  { op = "GetItem", key = { pk = "D#{id}", sk = "META" } },\n'
        '  { op = "GetItem", key = { pk = "D#default", sk = "META" } },\n]\n'
    )
    gate.manifest(access, table=TABLE, paths=f'["src/**/*.{language}"]')
    gate.write(f"src/store.{language}", source(language, [OPTIONAL[language]], RETURNS[language]["one"]))
    assert [code for code, _ in found(gate)] == ["SG210"]  # the default's constant partition key
