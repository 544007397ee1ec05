"""pynamodb models as `[table] from`: read with Python's `ast`, never imported; the models that
share a table become entities, their key templates only where the code shows them literally."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Gate

from store_gate.schema.importers import ImportProblem, Incomplete, import_bytes, import_table

FIXTURES = Path(__file__).parent / "fixtures" / "infra"


def keys(index: Any) -> str:
    pk, sk = index.partition_key, index.sort_key
    return f"{pk.name}:{pk.type}(H)" + (f"/{sk.name}:{sk.type}(R)" if sk else "")


def summary(imported: Any) -> tuple[Any, ...]:
    schema = imported.schema
    indexes = {str(i.name): (i.kind, keys(i), str(i.projection)) for i in schema.indexes.values()}
    return imported.kind, imported.resource, schema.name, keys(schema.base), indexes


def layouts(imported: Any) -> dict[str, dict[str, str]]:
    return {name: {a: t.source for a, t in layout.items()} for name, layout in imported.entities.items()}


def read(content: str, **choose: str) -> Any:
    return import_bytes(content.encode(), "models.py", "models.py", choose.get("resource"), choose.get("name"))


def problem_of(content: str) -> ImportProblem:
    with pytest.raises(ImportProblem) as raised:
        read(content)
    return raised.value


def test_the_fixtures_models_are_one_table_with_its_indexes() -> None:
    imported = import_table(FIXTURES / "pynamodb_models.py", "pynamodb_models.py")
    assert summary(imported) == (
        "pynamodb models",
        "ShopModel",
        "shop",
        "PK:S(H)/SK:S(R)",
        {
            "GSI1": ("gsi", "GSI1PK:S(H)/GSI1SK:S(R)", "INCLUDE ['name']"),
            "by_total": ("lsi", "PK:S(H)/total:N(R)", "KEYS_ONLY"),  # no index_name: named after its attribute
        },
    )


def test_models_sharing_a_table_are_entities_with_the_templates_the_code_shows() -> None:
    imported = import_table(FIXTURES / "pynamodb_models.py", "pynamodb_models.py")
    assert layouts(imported) == {
        "Customer": {"PK": "CUSTOMER#{pk}", "SK": "PROFILE", "GSI1PK": "{gsi1pk}", "GSI1SK": "{gsi1sk}"},
        "Order": {"PK": "CUSTOMER#{pk}", "SK": "ORDER#{sk}", "total": "{total}"},
    }
    assert imported.notes == [
        "ShopModel is extended by Customer, Order: read as their base, not as an entity",
        "entities inferred from the pynamodb models sharing the table (single-table design), named after their "
        "classes: Customer, Order",
        'key templates the code shows literally: Customer.PK = "CUSTOMER#{pk}" (prefix), Customer.SK = "PROFILE" '
        '(default), Order.PK = "CUSTOMER#{pk}" (prefix), Order.SK = "ORDER#{sk}" (prefix)',
        "no key template in the code for Customer.GSI1PK, Customer.GSI1SK, Order.total: a bare placeholder (any "
        "value) stands for each; declare [entity.<Model>] to give the layout",
    ]


HEAD = (
    "from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute\n"
    "from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection\n"
    "from pynamodb.models import Model\n\n"
)
USERS = (
    "class User(Model):\n    class Meta:\n        table_name = 'users'\n\n    id = UnicodeAttribute(hash_key=True)\n"
)
EVENTS = (
    "class Event(Model):\n    class Meta:\n        table_name = 'events'\n\n"
    "    stream = BinaryAttribute(hash_key=True)\n    seq = NumberAttribute(range_key=True)\n"
)


def test_one_model_per_table_is_no_entity_and_each_table_a_candidate() -> None:
    source = HEAD + USERS + "\n\n" + EVENTS
    with pytest.raises(ImportProblem) as raised:
        read(source)
    assert raised.value.message == (
        'defines 2 tables (User (users), Event (events)); choose one with resource = "..." or name = "..."'
    )
    events = read(source, name="events")
    assert (summary(events), events.entities, events.notes) == (
        ("pynamodb models", "Event", "events", "stream:B(H)/seq:N(R)", {}),
        {},
        [],
    )
    assert read(source, resource="User").schema.name == "users"


@pytest.mark.parametrize(
    ("imports", "model", "attribute"),
    [
        (
            "from pynamodb.models import Model as PynamoModel\nfrom pynamodb.attributes import UnicodeAttribute as U",
            "PynamoModel",
            "U",
        ),
        (
            "import pynamodb.models\nimport pynamodb.attributes",
            "pynamodb.models.Model",
            "pynamodb.attributes.UnicodeAttribute",
        ),
        ("from pynamodb import attributes, models", "models.Model", "attributes.UnicodeAttribute"),
    ],
)
def test_pynamodb_names_are_resolved_through_the_files_imports(imports: str, model: str, attribute: str) -> None:
    source = f"{imports}\n\nclass User({model}):\n    class Meta:\n        table_name = 'users'\n\n    id = {attribute}(hash_key=True)\n"
    assert summary(read(source))[2:4] == ("users", "id:S(H)")


def test_what_is_not_literal_in_a_model_is_reported_never_guessed() -> None:
    source = HEAD.replace("from pynamodb", "import os\nfrom .indexes import ByEmail\nfrom pynamodb", 1) + (
        "class User(Model):\n    class Meta:\n        table_name = os.environ['TABLE']\n\n"
        "    id = UnicodeAttribute(hash_key=True)\n    by_email = ByEmail()\n"
    )
    imported = read(source)
    assert (imported.schema.name, imported.schema.indexes) == (None, {})
    assert imported.notes == [
        "User.Meta.table_name: the name is not static (os.environ['TABLE']); the models that write the same "
        "expression are read as one table",
        "User.by_email = ByEmail(): ByEmail is imported from .indexes; if it is an index, it is not read",
    ]


def test_an_index_without_a_projection_is_incomplete() -> None:
    source = HEAD + (
        "class ByName(GlobalSecondaryIndex):\n    class Meta:\n        index_name = 'by-name'\n\n"
        "    name = UnicodeAttribute(hash_key=True)\n\n\n" + USERS + "    by_name = ByName()\n"
    )
    imported = read(source)
    assert str(imported.schema.indexes["by-name"].projection) == "UNSPECIFIED"
    assert imported.notes == [
        'User.by_name: GSI "by-name" has no Meta.projection, which pynamodb requires; its projection is unknown'
    ]
    assert isinstance(imported.notes[0], Incomplete)


MODEL = "class User(Model):\n    class Meta:\n        table_name = 'users'\n\n"
PROBLEMS = [
    (HEAD + MODEL + "    id = UnicodeAttribute()\n", "User: no attribute has hash_key=True", 5),
    (
        HEAD.replace("BinaryAttribute", "BooleanAttribute") + MODEL + "    id = BooleanAttribute(hash_key=True)\n",
        "User.id: a key attribute must be a string, number or binary, not BooleanAttribute",
        9,
    ),
    (
        "from .fields import KeyAttribute\n" + HEAD + MODEL + "    id = KeyAttribute(hash_key=True)\n",
        "User.id: the hash_key attribute's class KeyAttribute is imported from .fields: its type cannot be known "
        "(define it in this file, deriving from a pynamodb attribute class)",
        10,
    ),
    (
        HEAD + MODEL + "    id = UnicodeAttribute(hash_key=IS_KEY)\n",
        "User.id: hash_key is not literal (IS_KEY); the key cannot be read - declare [table] in the manifest instead",
        9,
    ),
    (
        HEAD + MODEL + "    id = UnicodeAttribute(hash_key=True, attr_name=PREFIX + 'id')\n",
        "User.id: attr_name is not literal (PREFIX + 'id'); the key cannot be read - declare [table] in the manifest instead",
        9,
    ),
    (
        HEAD + MODEL + "    id = UnicodeAttribute(hash_key=True)\n    other = UnicodeAttribute(hash_key=True)\n",
        "User: 2 attributes have hash_key=True (id, other); a table has one",
        10,
    ),
    (
        HEAD + USERS + "\n\nclass Order(Model):\n    class Meta:\n        table_name = 'users'\n\n"
        "    pk = UnicodeAttribute(hash_key=True)\n",
        "Order: models User and Order share a table but their keys differ (id (S) and pk (S))",
        12,
    ),
    (
        HEAD + "class G(GlobalSecondaryIndex):\n    class Meta:\n        index_name = NAME\n        projection = "
        "AllProjection()\n\n    g = UnicodeAttribute(hash_key=True)\n\n\n" + USERS + "    g = G()\n",
        "G.Meta.index_name: not literal (NAME); the index cannot be read - declare [table] in the manifest instead",
        7,
    ),
    (
        HEAD + "class G(GlobalSecondaryIndex):\n    class Meta:\n        projection = PROJECTION\n\n"
        "    g = UnicodeAttribute(hash_key=True)\n\n\n" + USERS + "    g = G()\n",
        "G.Meta.projection: not literal (PROJECTION); expected AllProjection(), KeysOnlyProjection() or "
        "IncludeProjection([...])",
        7,
    ),
    (
        "from .base import Base\n"
        + HEAD.replace("from pynamodb.models import Model\n", "")
        + "class User(Base):\n    class Meta:\n        table_name = 'users'\n",
        "imports pynamodb but defines no Model subclass the gate can see (a class deriving from pynamodb.models.Model "
        "in this file); classes with a Meta whose base the gate cannot follow: User (extends Base, imported from .base)",
        None,
    ),
]


@pytest.mark.parametrize(("content", "message", "line"), PROBLEMS)
def test_models_that_cannot_be_read_name_the_class_attribute_and_line(
    content: str, message: str, line: int | None
) -> None:
    problem = problem_of(content)
    assert (problem.message, problem.line) == (message, line)


def test_multi_attribute_gsi_keys_in_an_index_class_point_to_the_manifest() -> None:
    source = HEAD + (
        "class ByRegion(GlobalSecondaryIndex):\n    class Meta:\n        projection = KeysOnlyProjection()\n\n"
        "    region = UnicodeAttribute(hash_key=True)\n    tier = NumberAttribute(hash_key=True)\n\n\n"
        + USERS
        + "    by_region = ByRegion()\n"
    )
    problem = problem_of(source)
    assert (problem.message, problem.line) == (
        'ByRegion: GSI "by_region" has a multi-attribute key (2 hash_key attributes), which the gate does not read '
        "from pynamodb models; declare the GSI in the manifest with partition_keys / sort_keys",
        10,
    )


# Hostile files: one clear problem, bounded, never imported ---------------------------------------

HOSTILE = [
    (
        HEAD + "x = " + "(" * 300 + ")" * 300 + "\n" + USERS,
        "nested deeper than 64 levels at line 5; no table definition nests that deep",
        5,
    ),
    (
        HEAD + "x = " + "-" * 100_000 + "1\n" + USERS,
        "nested deeper than 64 levels; no table definition nests that deep",
        None,
    ),
    (
        HEAD + "x = " + "7" * 5000 + "\n" + USERS,
        "number too long: 5000 characters at line 5; numbers are read up to 1000 digits",
        5,
    ),
    (HEAD + "class User(Model:\n", "Python syntax error at line 5: invalid syntax", 5),
    (HEAD + "class A(B):\n    pass\n\n\nclass B(A):\n    pass\n\n\n" + USERS, None, None),  # a cycle of bases
    (
        HEAD
        + "class User(Model):\n    class Meta(User.Meta):\n        pass\n\n    id = UnicodeAttribute(hash_key=True)\n",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("content", "message", "line"), HOSTILE, ids=["parens", "unary", "number", "syntax", "cycle", "meta-cycle"]
)
def test_hostile_models_are_refused_or_read_within_bounds(content: str, message: str | None, line: int | None) -> None:
    started = time.monotonic()
    if message is None:
        assert keys(read(content).schema.base) == "id:S(H)"
    else:
        problem = problem_of(content)
        assert (problem.message, problem.line) == (message, line)
    assert time.monotonic() - started < 30


def test_a_long_run_of_digits_in_a_string_is_no_number() -> None:
    assert read(HEAD + "DOC = '" + "7" * 5000 + "'\n\n" + USERS).schema.name == "users"


def test_non_utf8_models_are_refused_where_the_same_models_in_utf8_are_read() -> None:
    source = HEAD + USERS.replace("'users'", "'caf\u00e9'")
    assert read(source).schema.name == "caf\u00e9"
    with pytest.raises(ImportProblem) as raised:
        import_bytes(source.encode("latin-1"), "models.py", "models.py")
    assert raised.value.message.startswith("not valid UTF-8 (byte ")


def test_a_models_coding_cookie_decides_how_it_is_read_as_python_reads_it() -> None:
    """`+AGk-` under a UTF-7 cookie is `i`: Python (and the gate) read the table `dialogues`; a
    latin-1 cookie makes the latin-1 bytes the text they spell."""
    utf7 = "# -*- coding: utf-7 -*-\n" + HEAD + USERS.replace("'users'", "'d+AGk-alogues'")
    assert read(utf7).schema.name == "dialogues"
    latin1 = "# -*- coding: latin-1 -*-\n" + HEAD + USERS.replace("'users'", "'caf\u00e9'")
    assert import_bytes(latin1.encode("latin-1"), "models.py", "models.py").schema.name == "caf\u00e9"
    with pytest.raises(ImportProblem) as raised:
        import_bytes(b"# coding: rot13\n" + (HEAD + USERS).encode(), "models.py", "models.py")
    assert (raised.value.message, raised.value.line) == (
        "declares coding rot13, which is not a text encoding",
        1,
    )


def test_the_models_are_never_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').close()\n" + HEAD + USERS
    assert read(source).schema.name == "users"
    assert not marker.exists()


def test_check_reads_pynamodb_models_as_table_from(gate: Gate) -> None:
    gate.write("models.py", (FIXTURES / "pynamodb_models.py").read_text())
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    gate.manifest(
        table='[table]\nfrom = "models.py"\n',
        access='[access.DialogueStore.get]\nop = "GetItem"\nkey = { PK = "CUSTOMER#{id}", SK = "PROFILE" }\n',
    )
    done = subprocess.run(
        [sys.executable, "-m", "store_gate", "table"], cwd=gate.root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert '    Customer: PK = "CUSTOMER#{pk}", SK = "PROFILE", GSI1PK = "{gsi1pk}", GSI1SK = "{gsi1sk}"' in done.stdout
    checked = subprocess.run(
        [sys.executable, "-m", "store_gate", "check", "--format", "json"],
        cwd=gate.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
