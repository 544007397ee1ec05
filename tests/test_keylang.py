"""Key languages (SCONE): placeholder classes, the exact intersection of key templates with a
witness, SG304 entity-key-collision and SG305 query-reads-other-entity.

Every witness is checked against an oracle of its own: each template as a Python regular
expression built from the classes' definitions (keytemplate's docstring), and for number keys
the value compared as a number.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import Gate, run_cli

from store_gate.errors import ConfigError
from store_gate.keylang import (
    condition_language,
    key_condition_language,
    key_language,
    shared_value,
    template_language,
    witness,
)
from store_gate.keytemplate import KeyTemplate, Placeholder

_ISO = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z"
_ORACLE = {
    "any": r".+",
    "segment": r"[^#]+",
    "int": r"-?[0-9]+",
    "ulid": r"[0-7][0-9A-HJKMNP-TV-Z]{25}",
    "iso8601": _ISO,
}


def oracle(template: str) -> re.Pattern[str]:
    parsed = KeyTemplate.parse(template)
    return re.compile(
        "".join(re.escape(p) if isinstance(p, str) else f"(?:{_ORACLE[p.text_class]})" for p in parsed.parts),
        re.DOTALL,
    )


def fits(template: str, value: str, kind: str = "S") -> bool:
    if kind == "N":
        parsed = KeyTemplate.parse(template)
        if parsed.is_constant:
            return Decimal(template) == Decimal(value)
        return parsed.placeholders[0].text_class != "int" or Decimal(value) == Decimal(value).to_integral_value()
    return oracle(template).fullmatch(value) is not None


# (first template, second template, key type, the witness expected; None: the languages are disjoint)
CASES = [
    # same prefix: a placeholder of any text takes the other's suffix
    ("ROUND#{round}", "ROUND#{round}#SUMMARY", "S", "ROUND#a#SUMMARY"),
    ("ROUND#{round:int}", "ROUND#{round:int}#SUMMARY", "S", None),
    ("ROUND#{round:segment}", "ROUND#{round}#SUMMARY", "S", None),
    ("DIALOGUE#{d}", "DIALOGUE#{d}", "S", "DIALOGUE#a"),
    ("META", "META", "S", "META"),
    ("META", "PROFILE", "S", None),
    ("META", "{x}", "S", "META"),
    # segment vs any
    ("A#{s:segment}", "A#{x}", "S", "A#a"),
    ("A#{s:segment}", "A#{x}#B", "S", None),
    ("A#{x}", "A#{y}#B", "S", "A#a#B"),
    ("{a:segment}#{b:segment}", "{c:segment}", "S", None),
    # different classes
    ("{id:ulid}", "{n:int}", "S", "0" * 26),
    ("{id:ulid}", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "S", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ("{id:ulid}", "81ARZ3NDEKTSV4RRFFQ69G5FAV", "S", None),
    ("{id:ulid}", "01arz3ndektsv4rrffq69g5fav", "S", None),
    ("{ts:iso8601}", "{n:int}", "S", None),
    ("T#{ts:iso8601}", "T#2024{rest}", "S", "T#2024-01-01T00:00:00Z"),
    ("{ts:iso8601}", "2024-13-01T00:00:00Z", "S", None),
    ("{ts:iso8601}", "{x}.5Z", "S", "0000-01-01T00:00:00.5Z"),
    ("{n:int}", "-{x}", "S", "-0"),
    ("{n:int}", "{s:segment}", "S", "0"),
    ("USER#{a}", "USER#{b:int}", "S", "USER#0"),
    # number (N) keys compare by value
    ("{n:int}", "007", "N", "7"),
    ("{n:int}", "1.5", "N", None),
    ("{x}", "1.50", "N", "1.5"),
    ("7", "7.0", "N", "7"),
    ("7", "8", "N", None),
    ("{ts:iso8601}", "{x}", "N", None),
]


@pytest.mark.parametrize(("first", "second", "kind", "expected"), CASES)
def test_intersection_is_exact_with_a_witness_of_both(first: str, second: str, kind: str, expected: str | None) -> None:
    a, b = KeyTemplate.parse(first), KeyTemplate.parse(second)
    found = shared_value(key_language(a, kind), key_language(b, kind))
    assert found == expected
    if found is not None:
        assert fits(first, found, kind) and fits(second, found, kind)
    assert shared_value(key_language(b, kind), key_language(a, kind)) == found  # symmetric


# (condition operator, operands, an entity's sort key template, the witness expected)
CONDITIONS = [
    ("begins_with", ("ROUND#",), "ROUND#{r:int}#SUMMARY", "ROUND#0#SUMMARY"),
    ("begins_with", ("ROUND#",), "ROUNDSUMMARY#{r}", None),
    ("begins_with", ("ROUND#{r}",), "ROUND#{x}#SUMMARY", "ROUND#a#SUMMARY"),
    ("between", ("ROUND#1", "ROUND#3"), "ROUND#{r:int}#SUMMARY", "ROUND#1#SUMMARY"),
    ("between", ("ROUND#1", "ROUND#3"), "ROUND#{r:int}#SUMMARY", "ROUND#1#SUMMARY"),
    ("between", ("A", "B"), "META", None),
    ("lt", ("ROUND#",), "ROUND#{x}", None),
    ("le", ("ROUND#",), "ROUND{x}", "ROUND "),  # a space sorts before "#"
    ("gt", ("ROUND#9",), "ROUND#{r:int}", "ROUND#90"),
    ("ge", ("Z",), "META", None),
    ("eq", ("ROUND#{r}",), "ROUND#{r:int}#SUMMARY", "ROUND#0#SUMMARY"),
]


def _in_condition(operator: str, operands: tuple[str, ...], value: str) -> bool:
    """The oracle: DynamoDB's comparison of the value against the condition's literal operands
    (the operands of these cases hold a placeholder only with begins_with and eq)."""
    if operator == "begins_with":
        return any(oracle(operands[0]).fullmatch(value[:end]) for end in range(len(value) + 1))
    if operator == "eq":
        return oracle(operands[0]).fullmatch(value) is not None
    low, high = operands[0], operands[-1]
    return {
        "lt": value < high,
        "le": value <= high,
        "gt": value > low,
        "ge": value >= low,
        "between": low <= value <= high,
    }[operator]


@pytest.mark.parametrize(("operator", "operands", "template", "expected"), CONDITIONS)
def test_key_condition_reads_exactly_the_values_it_compares(
    operator: str, operands: tuple[str, ...], template: str, expected: str | None
) -> None:
    condition = condition_language(operator, tuple(KeyTemplate.parse(o) for o in operands))
    found = shared_value(condition, template_language(KeyTemplate.parse(template)))
    assert found == expected
    if found is not None:
        assert _in_condition(operator, operands, found) and fits(template, found)


def test_number_range_condition_meets_integers_by_value() -> None:
    between = key_condition_language("between", (KeyTemplate.parse("1.2"), KeyTemplate.parse("1.9")), "N")
    assert shared_value(between, key_language(KeyTemplate.parse("{n:int}"), "N")) is None
    assert shared_value(between, key_language(KeyTemplate.parse("{n}"), "N")) == "1.2"
    above = key_condition_language("gt", (KeyTemplate.parse("{min}"),), "N")
    assert shared_value(above, key_language(KeyTemplate.parse("-5"), "N")) == "-5"


def test_witness_of_an_empty_language_is_none() -> None:
    assert witness(template_language(KeyTemplate.parse("{id:ulid}"))) == "0" * 26


# Placeholder classes -------------------------------------------------------------------------


def test_placeholder_class_is_part_of_the_placeholder_and_not_of_its_path() -> None:
    template = KeyTemplate.parse("ROUND#{round.number:int}#{id}")
    assert template.placeholders == (Placeholder(("round", "number"), "int"), Placeholder(("id",)))
    assert template.placeholders[0].root == "round" and str(template.placeholders[0]) == "{round.number:int}"
    assert template.min_bytes == len("ROUND##") + 2


def test_unknown_placeholder_class_in_the_manifest_is_a_config_error(gate: Gate) -> None:
    gate.manifest(extra='\n[entity.Turn]\npk = "DIALOGUE#{dialogue_id}"\nsk = "TURN#{n:integer}"\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    result = run_cli("check", str(gate.root))
    line = gate.line_of('sk = "TURN#')
    assert result.returncode == 2 and result.stdout == ""
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith("invalid config: ") and message.endswith(
        f"store-gate.toml:{line}: entity.Turn.sk: placeholder {{n:integer}} in "
        '"TURN#{n:integer}" has unknown class "integer" (classes: any, int, iso8601, segment, ulid)'
    )


def test_unknown_placeholder_class_inline_is_sg002(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id:uuid}", sk = "META" } }
            fn get(&self, dialogue_id: &str) -> Result<Dialogue>;
        }
        """,
    )
    finding = gate.only("SG002", also=("SG101",))
    assert 'has unknown class "uuid"' in finding.message and finding.line == 2


def test_a_classed_placeholder_binds_to_the_parameter_its_path_names(gate: Gate) -> None:
    table = TABLE_CLASSES
    gate.manifest(
        """
        [access.DialogueStore.get]
        op = "GetItem"
        entity = "Round"
        key = { pk = "DIALOGUE#{dialogue_id:ulid}", sk = "ROUND#{round:int}" }
        """,
        table=table,
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str, round: u32) -> Result<Round>;\n}\n",
    )
    assert gate.findings() == []


def test_suggest_binds_a_classed_placeholder_and_keeps_its_class(gate: Gate) -> None:
    gate.manifest(table=TABLE_CLASSES)
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn get_round(&self, dialogue_id: &str, round: u32) -> Result<Option<Round>>;\n}\n",
    )
    assert gate.only("SG101").message.endswith(
        'e.g. @access { op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id:ulid}", '
        'sk = "ROUND#{round:int}" } }'
    )


# SG304 ---------------------------------------------------------------------------------------

TABLE_CLASSES = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.ByScore]
partition_key = { name = "game", type = "S" }
sort_key = { name = "score", type = "N" }

[table.gsi.Inverted]
partition_key = { name = "sk", type = "S" }
sort_key = { name = "pk", type = "S" }

[entity.Dialogue]
pk = "DIALOGUE#{dialogue_id:ulid}"
sk = "META"

[entity.Round]
pk = "DIALOGUE#{dialogue_id:ulid}"
sk = "ROUND#{round:int}"
"""

SUMMARY = '\n[entity.RoundSummary]\npk = "DIALOGUE#{dialogue_id:ulid}"\nsk = "ROUND#{round}#SUMMARY"\n'


def collide(gate: Gate, extra: str, table: str = TABLE_CLASSES) -> list[tuple[int, str, str]]:
    gate.manifest(extra=extra, table=table)
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    return [(f.line, f.code, f.message) for f in gate.findings()]


ULID = "0" * 26


def test_sg304_round_and_summary_collide_on_the_base_table_and_the_inverted_index(gate: Gate) -> None:
    found = collide(gate, SUMMARY, table=TABLE_CLASSES.replace('"ROUND#{round:int}"', '"ROUND#{round}"'))
    line = gate.line_of("[entity.RoundSummary]")
    key = f'pk = "DIALOGUE#{ULID}", sk = "ROUND#a#SUMMARY"'
    layouts = (
        'Round: pk = "DIALOGUE#{dialogue_id:ulid}", sk = "ROUND#{round}"; '
        'RoundSummary: pk = "DIALOGUE#{dialogue_id:ulid}", sk = "ROUND#{round}#SUMMARY"'
    )
    inverted_key = f'sk = "ROUND#a#SUMMARY", pk = "DIALOGUE#{ULID}"'
    inverted_layouts = (
        'Round: sk = "ROUND#{round}", pk = "DIALOGUE#{dialogue_id:ulid}"; '
        'RoundSummary: sk = "ROUND#{round}#SUMMARY", pk = "DIALOGUE#{dialogue_id:ulid}"'
    )
    fix = 'give each entity a literal of its own in the key (a prefix such as "ROUNDSUMMARY#" in {}), ' + (
        "or placeholder classes that cannot meet ({{n:int}}, {{s:segment}} has no #)"
    )
    assert found == [
        (
            line,
            "SG304",
            f'entities Round and RoundSummary collide on GSI "Inverted": {inverted_key} is a key of both '
            f"({inverted_layouts}); a Query on it cannot tell their items apart - {fix.format('sk')}",
        ),
        (
            line,
            "SG304",
            f"entities Round and RoundSummary collide on the base table: {key} is a key of both ({layouts}); "
            f"one item would overwrite the other - {fix.format('sk')}",
        ),
    ]


def test_sg304_an_int_round_cannot_hold_the_summary_suffix(gate: Gate) -> None:
    assert collide(gate, SUMMARY.replace("{round}", "{round:int}")) == []


def test_sg304_witness_fits_both_layouts(gate: Gate) -> None:
    found = collide(gate, SUMMARY.replace('sk = "ROUND#{round}#SUMMARY"', 'sk = "{anything}"'))
    (finding,) = [f for f in found if "Round and RoundSummary collide on the base table" in f[2]]
    pk, sk = re.findall(r'(?:pk|sk) = "([^"]*)"', finding[2])[:2]
    for template in ("ROUND#{round:int}", "{anything}"):
        assert fits(template, sk)
    assert fits("DIALOGUE#{dialogue_id:ulid}", pk) and sk == "ROUND#0"


def test_sg304_sparse_index_holds_only_entities_that_define_its_keys(gate: Gate) -> None:
    extra = (
        '\n[entity.HighScore]\npk = "PLAYER#{p}"\nsk = "HIGH"\ngame = "GAME#{g}"\nscore = "{s:int}"\n'
        '\n[entity.Bonus]\npk = "PLAYER#{p}"\nsk = "BONUS"\ngame = "GAME#{g}"\nscore = "{s}"\n'
        '\n[entity.Note]\npk = "PLAYER#{p}"\nsk = "NOTE"\n'
    )
    found = collide(gate, extra)
    assert found == [
        (
            gate.line_of("[entity.Bonus]"),
            "SG304",
            'entities Bonus and HighScore collide on GSI "ByScore": game = "GAME#a", score = 1 is a key of both '
            '(Bonus: game = "GAME#{g}", score = "{s}"; HighScore: game = "GAME#{g}", score = "{s:int}"); a Query '
            "on it cannot tell their items apart - give each entity a literal of its own in the key (a prefix such "
            'as "HIGHSCORE#" in game), or placeholder classes that cannot meet ({n:int}, {s:segment} has no #)',
        )
    ]


def test_sg304_number_keys_compare_by_value(gate: Gate) -> None:
    extra = (
        '\n[entity.Gold]\npk = "G#{p}"\nsk = "G"\ngame = "GAME"\nscore = "{s:int}"\n'
        '\n[entity.Silver]\npk = "S#{p}"\nsk = "S"\ngame = "GAME"\nscore = "1.5"\n'
    )
    assert collide(gate, extra) == []
    found = collide(gate, extra.replace('"1.5"', '"007"'))
    assert [(code, message.split(" is a key")[0]) for _, code, message in found] == [
        ("SG304", 'entities Gold and Silver collide on GSI "ByScore": game = "GAME", score = 7')
    ]


def test_sg304_inverted_index_refs_do_not_collide_with_their_documents(gate: Gate) -> None:
    extra = '\n[entity.Doc]\npk = "DOC#{id}"\nsk = "META"\n\n[entity.Ref]\npk = "DOC#{source}"\nsk = "REF#{target}"\n'
    assert collide(gate, extra) == []


EMPTY_SORT_KEY = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
"""


def test_sg304_table_without_sort_key_compares_partition_keys_alone(gate: Gate) -> None:
    extra = '\n[entity.User]\npk = "USER#{id}"\n\n[entity.Admin]\npk = "USER#ADMIN#{id:segment}"\n'
    found = collide(gate, extra, table=EMPTY_SORT_KEY)
    assert [(line, code, message.split(" (")[0]) for line, code, message in found] == [
        (
            gate.line_of("[entity.Admin]"),
            "SG304",
            'entities Admin and User collide on the base table: pk = "USER#ADMIN#a" is a key of both',
        )
    ]
    assert collide(gate, extra.replace('"USER#{id}"', '"USER#{id:segment}"'), table=EMPTY_SORT_KEY) == []


def test_sg304_repeated_placeholder_that_cannot_take_two_values_is_undecided(gate: Gate) -> None:
    extra = '\n[entity.Self]\npk = "X#{id}"\nsk = "{id}"\n\n[entity.Pair]\npk = "X#1"\nsk = "2"\n'
    found = collide(
        gate,
        extra,
        table=EMPTY_SORT_KEY.replace('type = "S" }', 'type = "S" }\nsort_key = { name = "sk", type = "S" }'),
    )
    assert [message.split(":")[0] for _, _, message in found] == [
        "entities Pair and Self may collide on the base table"
    ]


def test_sg304_repeated_placeholder_takes_one_value_in_the_witness(gate: Gate) -> None:
    extra = '\n[entity.Self]\npk = "X#{id}"\nsk = "{id}"\n\n[entity.Other]\npk = "X#{a}"\nsk = "{b:int}"\n'
    found = collide(
        gate,
        extra,
        table=EMPTY_SORT_KEY.replace('type = "S" }', 'type = "S" }\nsort_key = { name = "sk", type = "S" }'),
    )
    assert [message.split(" is a key")[0] for _, _, message in found] == [
        'entities Other and Self collide on the base table: pk = "X#0", sk = "0"'
    ]


# SG305 ---------------------------------------------------------------------------------------

LIST = """
[access.DialogueStore.list_rounds]
op = "Query"
entity = "Round"
key = {{ pk = "DIALOGUE#{{dialogue_id}}", sk = {sk} }}
limit = 20
{extra}
"""


def query(
    gate: Gate, sk: str, extra: str = "", entities: str = SUMMARY.replace("{round}", "{round:int}")
) -> list[tuple[int, str, str]]:
    gate.manifest(LIST.format(sk=sk, extra=extra), extra=entities, table=TABLE_CLASSES)
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn list_rounds(&self, dialogue_id: &str) -> Result<Vec<Round>>;\n}\n",
    )
    return [(f.line, f.code, f.message) for f in gate.findings()]


def test_sg305_begins_with_the_round_prefix_reads_round_summaries(gate: Gate) -> None:
    found = query(gate, '{ begins_with = "ROUND#" }')
    assert found == [
        (
            gate.line_of("[access.DialogueStore.list_rounds]"),
            "SG305",
            f'DialogueStore.list_rounds: the Query on the base table reads RoundSummary items: pk = "DIALOGUE#{ULID}", '
            'sk = "ROUND#0#SUMMARY" fits its key condition and RoundSummary\'s layout (pk = '
            '"DIALOGUE#{dialogue_id:ulid}", sk = "ROUND#{round:int}#SUMMARY"); narrow the key condition to what '
            'Round\'s layout writes (pk = "DIALOGUE#{dialogue_id:ulid}", sk = "ROUND#{round:int}"), give '
            'RoundSummary a key prefix of its own, or declare entities = ["Round", "RoundSummary"] if the method '
            "reads them on purpose",
        )
    ]


def test_sg305_between_two_rounds_reads_the_summaries_between_them(gate: Gate) -> None:
    found = query(gate, '{ between = ["ROUND#1", "ROUND#3"] }')
    assert [(code, message.split(" fits")[0].split("items: ")[1]) for _, code, message in found] == [
        ("SG305", f'pk = "DIALOGUE#{ULID}", sk = "ROUND#1#SUMMARY"')
    ]
    sk = re.findall(r'sk = "([^"]*)"', found[0][2])[0]
    assert _in_condition("between", ("ROUND#1", "ROUND#3"), sk) and fits("ROUND#{round:int}#SUMMARY", sk)


def test_sg305_passes_when_the_query_declares_the_entities_it_reads(gate: Gate) -> None:
    assert query(gate, '{ begins_with = "ROUND#" }', extra='entities = ["RoundSummary"]') == []


def test_sg305_passes_when_the_summary_has_a_prefix_of_its_own(gate: Gate) -> None:
    summary = SUMMARY.replace('"ROUND#{round}#SUMMARY"', '"SUMMARY#{round:int}"')
    assert query(gate, '{ begins_with = "ROUND#" }', entities=summary) == []


def test_sg305_without_a_sort_key_condition_reads_the_whole_collection(gate: Gate) -> None:
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn list_rounds(&self, dialogue_id: &str) -> Result<Vec<Round>>;\n}\n",
    )
    gate.manifest(
        '\n[access.DialogueStore.list_rounds]\nop = "Query"\nentity = "Round"\nkey = { pk = "DIALOGUE#{dialogue_id}" }\nlimit = 20\n',
        table=TABLE_CLASSES,
    )
    assert [(f.code, f.message.split(" fits")[0].split("reads ")[1]) for f in gate.findings()] == [
        ("SG305", f'Dialogue items: pk = "DIALOGUE#{ULID}", sk = "META"')
    ]


def test_sg305_inline_access_takes_entities_too(gate: Gate) -> None:
    gate.manifest(extra=SUMMARY.replace("{round}", "{round:int}"), table=TABLE_CLASSES)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } },
            ///   limit = 20, entities = ["RoundSummary"] }
            fn list_rounds(&self, dialogue_id: &str) -> Result<Vec<Round>>;
        }
        """,
    )
    assert gate.findings() == []
    gate.write("src/store.rs", (gate.root / "src/store.rs").read_text().replace(', entities = ["RoundSummary"]', ""))
    assert [f.code for f in gate.findings()] == ["SG305"]


def test_sg305_unknown_entity_in_entities_is_a_config_error(gate: Gate) -> None:
    with pytest.raises(ConfigError):
        query(gate, '{ begins_with = "ROUND#" }', extra='entities = ["Summary"]')
    result = run_cli("check", str(gate.root))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        'access.DialogueStore.list_rounds.entities: unknown entity "Summary" (entities: Dialogue, Round, RoundSummary)'
    )


def test_sg304_past_the_automaton_bound_is_a_finding_that_the_gate_cannot_decide(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like a search past its budget: undecided is reported, never a pass (and no configuration
    error at run time - the manifest is valid)."""
    import store_gate.keylang

    monkeypatch.setattr(store_gate.keylang, "MAX_STATES", 3)
    extra = '\n[entity.Big1]\npk = "BIG#{a}#{b}#{c}"\nsk = "S"\n\n[entity.Big2]\npk = "BIG#{x}#{y}#{z}"\nsk = "S"\n'
    found = collide(
        gate,
        extra,
        table=EMPTY_SORT_KEY.replace('type = "S" }', 'type = "S" }\nsort_key = { name = "sk", type = "S" }'),
    )
    assert found == [
        (
            gate.line_of("[entity.Big2]"),
            "SG304",
            'entities Big1 and Big2 may collide on the base table: their key languages (Big1: pk = "BIG#{a}#{b}#{c}", '
            'sk = "S"; Big2: pk = "BIG#{x}#{y}#{z}", sk = "S") are too large to compare (the product automaton passes '
            "its bound); the gate cannot decide it - shorten the templates, or give each entity a literal of its own "
            'in the key (a prefix such as "BIG2#" in sk), or placeholder classes that cannot meet ({n:int}, '
            "{s:segment} has no #)",
        )
    ]


MULTI = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.ByDevice]
partition_keys = [{ name = "tenant", type = "S" }, { name = "device", type = "S" }]
sort_keys = [{ name = "day", type = "S" }, { name = "at", type = "N" }]
"""


def test_sg304_multi_attribute_keys_collide_only_when_every_attribute_meets(gate: Gate) -> None:
    reading = '\n[entity.Reading]\npk = "R#{id}"\nsk = "R"\ntenant = "{t}"\ndevice = "{d}"\nday = "{day:iso8601}"\nat = "{at:int}"\n'
    alarm = (
        '\n[entity.Alarm]\npk = "A#{id}"\nsk = "A"\ntenant = "{t}"\ndevice = "{d}"\nday = "2024{rest}"\nat = "{at}"\n'
    )
    found = collide(gate, reading + alarm, table=MULTI)
    assert [(code, message.split(" is a key")[0]) for _, code, message in found] == [
        (
            "SG304",
            'entities Alarm and Reading collide on GSI "ByDevice": tenant = "a", device = "a", '
            'day = "2024-01-01T00:00:00Z", at = 1',
        )
    ]
    assert collide(gate, reading + alarm.replace('"{at}"', '"0.5"'), table=MULTI) == []


def test_a_classed_placeholder_that_binds_nothing_is_sg206_by_its_path(gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.get]
        op = "GetItem"
        entity = "Round"
        key = { pk = "DIALOGUE#{dialog:ulid}", sk = "ROUND#{round:int}" }
        """,
        table=TABLE_CLASSES,
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str, round: u32) -> Result<Round>;\n}\n",
    )
    assert gate.only("SG206").message == (
        'DialogueStore.get: placeholder {dialog:ulid} in key "pk" binds to no parameter (parameters: dialogue_id, '
        'round) (did you mean "dialogue_id"?); rename it to a parameter, or add the parameter'
    )


def test_a_classed_number_key_bound_to_text_is_sg208(gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.top]
        op = "Query"
        index = "ByScore"
        key = { game = "{game}", score = { ge = "{min:int}" } }
        limit = 10
        """,
        table=TABLE_CLASSES,
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn top(&self, game: &str, min: &str) -> Result<Vec<Score>>;\n}\n",
    )
    assert gate.only("SG208").message == (
        'DialogueStore.top: key "score" is a number (N) but is bound to {min:int} (&str: text); bind it to an '
        "integer or decimal parameter, or change the attribute's type"
    )
