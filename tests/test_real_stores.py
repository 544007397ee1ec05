"""What real stores need to declare honestly (issue 14): several tables, steps and alternatives,
items of transactions and batches, key parts bound to the store, methods that touch no data,
delegation, TTL expiry, multi-attribute GSI keys. Each form has a failing and a passing case."""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import Gate, run_cli

HEAD = 'version = 1\n\n[[store]]\ntrait = "SessionStore"\npaths = ["src/**/*.rs"]\n'
TABLES = """
[table]
name = "main"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[tables.sessions]
name = "sessions"
partition_key = { name = "user", type = "S" }
sort_key = { name = "session", type = "S" }
ttl = "expires_at"

[tables.sessions.gsi.ByDevice]
partition_keys = [{ name = "tenant", type = "S" }, { name = "device", type = "S" }]
sort_keys = [{ name = "day", type = "S" }, { name = "at", type = "N" }]

[entity.Session]
table = "sessions"
user = "USER#{user_id}"
session = "SESSION#{session_id}"

[entity.Profile]
pk = "USER#{user_id}"
sk = "PROFILE"
"""


def store(*methods: str) -> str:
    return "pub trait SessionStore {\n" + "".join(f"    {m}\n" for m in methods) + "}\n"


def setup(gate: Gate, access: str, *methods: str, head: str = HEAD, tables: str = TABLES) -> None:
    gate.write("store-gate.toml", head + tables + textwrap.dedent(access))
    gate.write("src/store.rs", store(*methods))


def found(gate: Gate) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in gate.findings()]


# Several tables ---------------------------------------------------------------------------------


def test_a_pattern_names_its_table_and_is_checked_against_it(gate: Gate) -> None:
    setup(
        gate,
        '[access.SessionStore.get]\nop = "GetItem"\ntable = "sessions"\nentity = "Session"\n'
        'key = { user = "USER#{user_id}", session = "SESSION#{session_id}" }\n',
        "fn get(&self, user_id: &str, session_id: &str);",
    )
    assert found(gate) == []


def test_keys_of_another_table_are_sg205(gate: Gate) -> None:
    setup(
        gate,
        '[access.SessionStore.get]\nop = "GetItem"\ntable = "sessions"\nkey = { pk = "USER#{user_id}", sk = "S" }\n',
        "fn get(&self, user_id: &str);",
    )
    codes = sorted(code for code, _ in found(gate))
    assert codes == ["SG204", "SG204", "SG205", "SG205"]


def test_the_stores_table_is_the_default_of_its_patterns(gate: Gate) -> None:
    head = HEAD.replace('paths = ["src/**/*.rs"]\n', 'paths = ["src/**/*.rs"]\ntable = "sessions"\n')
    setup(
        gate,
        '[access.SessionStore.get]\nop = "GetItem"\nkey = { user = "USER#{user_id}", session = "SESSION#{s}" }\n',
        "fn get(&self, user_id: &str, s: &str);",
        head=head,
    )
    assert found(gate) == []


def test_a_pattern_naming_an_entity_runs_on_the_entitys_table(gate: Gate) -> None:
    access = (
        '[access.SessionStore.profile]\nop = "GetItem"\nentity = "Profile"\nkey = { pk = "USER#{u}", sk = "PROFILE" }\n'
    )
    head = HEAD + 'table = "sessions"\n'
    setup(gate, access, "fn profile(&self, u: &str);", head=head)
    assert found(gate) == []
    setup(gate, access.replace('entity = "Profile"\n', ""), "fn profile(&self, u: &str);", head=head)
    assert [code for code, _ in found(gate)] == ["SG204", "SG204", "SG205", "SG205"]  # user, session; pk, sk


def test_an_unknown_table_is_a_configuration_error(gate: Gate) -> None:
    setup(
        gate,
        '[access.SessionStore.get]\nop = "GetItem"\ntable = "nope"\nkey = { pk = "X#{id}", sk = "Y" }\n',
        "fn get(&self, id: &str);",
    )
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2
    assert 'access.SessionStore.get.table: unknown table "nope" (the [tables.*]: sessions)' in result.stderr


def test_a_transaction_spans_tables_item_by_item(gate: Gate) -> None:
    access = """
    [access.SessionStore.login]
    op = "TransactWriteItems"
    items = [
      { op = "PutItem", table = "sessions", key = { user = "USER#{user_id}", session = "SESSION#{session_id}" } },
      { op = "UpdateItem", key = { pk = "USER#{user_id}" } },
    ]
    """
    setup(gate, access, "fn login(&self, user_id: &str, session_id: &str);")
    assert found(gate) == [
        (
            "SG204",
            'SessionStore.login (item 2): UpdateItem needs the full primary key, but key has no "sk"; add sk = "..."',
        )
    ]


# Steps and alternatives -------------------------------------------------------------------------

STEPS = """
[access.SessionStore.delete_all_sessions]
steps = [
  { op = "Query", table = "sessions", entity = "Session", key = { user = "USER#{user_id}" }, limit = 25 },
  { op = "BatchWriteItem", table = "sessions", items = [
    { op = "DeleteItem", key = { user = "{item.user}", session = "{Session.session}" } },
  ] },
]
"""


def test_a_later_step_keys_on_the_items_of_an_earlier_one(gate: Gate) -> None:
    setup(gate, STEPS, "fn delete_all_sessions(&self, user_id: &str);")
    assert found(gate) == []


def test_a_later_step_may_not_use_what_the_items_do_not_carry(gate: Gate) -> None:
    setup(gate, STEPS.replace("{Session.session}", "{item.title}"), "fn delete_all_sessions(&self, user_id: &str);")
    assert found(gate) == [
        (
            "SG206",
            'SessionStore.delete_all_sessions (step 2 item 1): placeholder {item.title} in key "session" names no '
            "attribute the earlier step's items carry (their key attributes: session, user)",
        )
    ]


def test_a_later_step_copies_the_keys_of_the_entity_it_read(gate: Gate) -> None:
    steps = STEPS.replace('{ op = "DeleteItem", key', '{ op = "DeleteItem", entity = "Session", key').replace(
        "{Session.session}", "{item.session}"
    )
    setup(gate, steps, "fn delete_all_sessions(&self, user_id: &str);")
    assert found(gate) == []


def test_the_first_step_has_no_earlier_items(gate: Gate) -> None:
    access = '[access.SessionStore.m]\nsteps = [{ op = "GetItem", key = { pk = "{item.pk}", sk = "X" } }]\n'
    setup(gate, access, "fn m(&self);")
    assert [code for code, _ in found(gate)] == ["SG206"]


def test_every_alternative_is_checked_and_named(gate: Gate) -> None:
    access = """
    [access.SessionStore.find]
    alternatives = [
      { op = "Query", table = "sessions", key = { user = "USER#{user_id}" }, limit = 10 },
      { op = "Scan", table = "sessions" },
    ]
    """
    setup(gate, access, "fn find(&self, user_id: Option<&str>) -> Vec<Session>;")
    assert [(code, message.split(":")[0]) for code, message in found(gate)] == [
        (
            "SG202",
            "SessionStore.find (alternative 2) uses Scan, which reads all of the base table; declare a Query on an index whose partition key the method's parameters can build (add a GSI if none fits)",
        )
    ]


def test_a_pattern_has_exactly_one_form(gate: Gate) -> None:
    setup(gate, '[access.SessionStore.m]\nop = "GetItem"\nsteps = [{ op = "GetItem" }]\n', "fn m(&self);")
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2
    assert (
        "an access pattern has exactly one of op, steps, alternatives, delegates, expiry (it has op, steps)"
        in result.stderr
    )


# Key parts bound to the store -------------------------------------------------------------------


def test_a_key_may_use_the_stores_context(gate: Gate) -> None:
    head = HEAD.replace('paths = ["src/**/*.rs"]\n', 'paths = ["src/**/*.rs"]\ncontext = { tenant = "S" }\n')
    access = '[access.SessionStore.get]\nop = "GetItem"\nkey = { pk = "TENANT#{ctx.tenant}#USER#{user_id}", sk = "PROFILE" }\n'
    setup(gate, access, "fn get(&self, user_id: &str);", head=head)
    assert found(gate) == []
    setup(gate, access.replace("ctx.tenant", "ctx.region"), "fn get(&self, user_id: &str);", head=head)
    assert found(gate) == [
        (
            "SG206",
            'SessionStore.get: placeholder {ctx.region} in key "pk" names no part of the store\'s context '
            '(context: tenant); declare it in [[store]] context = { name = "S" }',
        )
    ]


# Methods that touch no data, delegation, the control plane --------------------------------------


def test_a_method_that_touches_no_data_says_why(gate: Gate) -> None:
    setup(gate, '[access.SessionStore.name]\nop = "none"\nreason = "returns a constant"\n', "fn name(&self) -> &str;")
    assert found(gate) == []
    setup(gate, '[access.SessionStore.name]\nop = "none"\n', "fn name(&self) -> &str;")
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2 and 'op = "none" needs a reason: why the method touches no data' in result.stderr


def test_control_plane_operations_are_declared_as_such(gate: Gate) -> None:
    setup(gate, '[access.SessionStore.ensure_table]\nop = "CreateTable"\n', "fn ensure_table(&self);")
    assert found(gate) == []


def test_delegation_names_governed_methods(gate: Gate) -> None:
    access = (
        '[access.SessionStore.refresh]\ndelegates = ["SessionStore.get", "SessionStore.gett"]\n'
        '[access.SessionStore.get]\nop = "GetItem"\nkey = { pk = "USER#{id}", sk = "PROFILE" }\n'
    )
    setup(gate, access, "fn refresh(&self, id: &str);", "fn get(&self, id: &str);")
    assert found(gate) == [
        (
            "SG102",
            "SessionStore.refresh delegates to SessionStore.gett, which no governed trait has (did you mean "
            '"SessionStore.get"?); name the governed method it calls',
        )
    ]


# Time to Live -----------------------------------------------------------------------------------


def test_expiry_by_ttl_needs_a_table_with_ttl(gate: Gate) -> None:
    setup(
        gate, '[access.SessionStore.delete_expired]\nexpiry = "ttl"\ntable = "sessions"\n', "fn delete_expired(&self);"
    )
    assert found(gate) == []
    setup(gate, '[access.SessionStore.delete_expired]\nexpiry = "ttl"\n', "fn delete_expired(&self);")
    assert found(gate) == [
        (
            "SG213",
            'SessionStore.delete_expired declares expiry = "ttl", but the table has no Time to Live attribute: its '
            "items never expire; enable TTL in the infrastructure (TimeToLiveSpecification, a Terraform ttl block) "
            'or declare [table] ttl = "attribute"',
        )
    ]


# Multi-attribute GSI keys -----------------------------------------------------------------------

DEVICE = '[access.SessionStore.by_device]\nop = "Query"\ntable = "sessions"\nindex = "ByDevice"\nlimit = 50\n'


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ('{ tenant = "T#{t}", device = "D#{d}" }', []),
        ('{ tenant = "T#{t}", device = "D#{d}", day = "{day}", at = { gt = "{at}" } }', []),
        ('{ tenant = "T#{t}", device = "D#{d}", day = { begins_with = "2026" } }', []),
        (
            '{ tenant = "T#{t}" }',
            [
                'SessionStore.by_device: a Query on GSI "ByDevice" needs its partition key "device" by equality; add device = "..."'
            ],
        ),
        (
            '{ tenant = "T#{t}", device = "D#{d}", at = { gt = "{at}" } }',
            [
                'SessionStore.by_device: the sort key of GSI "ByDevice" is day, at, used left to right: at cannot be used without "day"'
            ],
        ),
        (
            '{ tenant = "T#{t}", device = "D#{d}", day = { begins_with = "2026" }, at = "{at}" }',
            [
                'SessionStore.by_device: only the last sort key attribute used may take a range; "day" comes before "at" and must be matched by equality'
            ],
        ),
    ],
)
def test_multi_attribute_gsi_keys(gate: Gate, key: str, expected: list[str]) -> None:
    setup(gate, DEVICE + f"key = {key}\n", "fn by_device(&self, t: &str, d: &str, day: &str, at: u64) -> Vec<Session>;")
    assert [message for code, message in found(gate) if code == "SG205"] == expected
    assert [code for code, _ in found(gate) if code != "SG205"] == []


def test_a_multi_attribute_key_has_two_to_four_attributes(gate: Gate) -> None:
    tables = TABLES.replace(
        'partition_keys = [{ name = "tenant", type = "S" }, { name = "device", type = "S" }]',
        'partition_keys = [{ name = "tenant", type = "S" }]',
    )
    setup(gate, "", "", tables=tables)
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2 and "tables.sessions.gsi.ByDevice.partition_keys" in result.stderr


# The table from the infrastructure: Time to Live, multi-attribute keys, a declared subset -------

CFN = """\
Resources:
  Sessions:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: sessions
      AttributeDefinitions:
        - {AttributeName: user, AttributeType: S}
        - {AttributeName: session, AttributeType: S}
        - {AttributeName: tenant, AttributeType: S}
        - {AttributeName: device, AttributeType: S}
      KeySchema:
        - {AttributeName: user, KeyType: HASH}
        - {AttributeName: session, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: ByDevice
          KeySchema:
            - {AttributeName: tenant, KeyType: HASH}
            - {AttributeName: device, KeyType: HASH}
          Projection: {ProjectionType: KEYS_ONLY}
@TTL@"""
CFN_TTL = "      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}\n"
TERRAFORM = """\
resource "aws_dynamodb_table" "sessions" {
  name     = "sessions"
  hash_key = "user"
  attribute {
    name = "user"
    type = "S"
  }
@TTL@}
"""
TERRAFORM_TTL = '  ttl {\n    attribute_name = "expires_at"\n    enabled        = ENABLED\n  }\n'
MODULE = 'module "sessions" {\n  source   = "terraform-aws-modules/dynamodb-table/aws"\n  name     = "sessions"\n  hash_key = "user"\n  attributes = [{ name = "user", type = "S" }]\n@TTL@}\n'
CDK_TS = """\
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
new dynamodb.Table(this, 'Sessions', {
  partitionKey: { name: 'user', type: dynamodb.AttributeType.STRING },
@TTL@});
"""
CDK_PY = """\
from aws_cdk import aws_dynamodb as dynamodb
dynamodb.Table(self, "Sessions", partition_key=dynamodb.Attribute(name="user", type=dynamodb.AttributeType.STRING),
@TTL@)
"""
PYNAMODB = """\
from pynamodb.models import Model
from pynamodb.attributes import UnicodeAttribute, TTLAttribute
class Session(Model):
    class Meta:
        table_name = "sessions"
    user = UnicodeAttribute(hash_key=True)
@TTL@
"""
# (file, text with TTL, text without)
INFRASTRUCTURE = {
    "cloudformation": ("template.yaml", CFN.replace("@TTL@", CFN_TTL), CFN.replace("@TTL@", "")),
    "terraform": (
        "main.tf",
        TERRAFORM.replace("@TTL@", TERRAFORM_TTL.replace("ENABLED", "true")),
        TERRAFORM.replace("@TTL@", TERRAFORM_TTL.replace("ENABLED", "false")),
    ),
    "terraform-module": (
        "main.tf",
        MODULE.replace("@TTL@", '  ttl_enabled = true\n  ttl_attribute_name = "expires_at"\n'),
        MODULE.replace("@TTL@", ""),
    ),
    "cdk-typescript": (
        "stack.ts",
        CDK_TS.replace("@TTL@", "  timeToLiveAttribute: 'expires_at',\n"),
        CDK_TS.replace("@TTL@", ""),
    ),
    "cdk-python": (
        "stack.py",
        CDK_PY.replace("@TTL@", '    time_to_live_attribute="expires_at",\n'),
        CDK_PY.replace("@TTL@", ""),
    ),
    "pynamodb": (
        "models.py",
        PYNAMODB.replace("@TTL@", "    expires_at = TTLAttribute()"),
        PYNAMODB.replace("@TTL@", ""),
    ),
}
EXPIRY = '[access.SessionStore.delete_expired]\nexpiry = "ttl"\n'


def from_only(file: str, extra: str = "") -> str:
    return f'\n[table]\nfrom = "{file}"\n{extra}'


@pytest.mark.parametrize("form", sorted(INFRASTRUCTURE))
def test_time_to_live_is_read_from_the_infrastructure(gate: Gate, form: str) -> None:
    file, with_ttl, without = INFRASTRUCTURE[form]
    setup(gate, EXPIRY, "fn delete_expired(&self);", tables=from_only(file))
    gate.write(file, with_ttl)
    assert found(gate) == []
    gate.write(file, without)
    assert [code for code, _ in found(gate)] == ["SG213"]


def test_describe_table_output_cannot_say_so_the_manifest_says_ttl(gate: Gate) -> None:
    table = {
        "Table": {
            "TableName": "sessions",
            "AttributeDefinitions": [{"AttributeName": "user", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
        }
    }
    gate.write("table.json", json.dumps(table))
    setup(gate, EXPIRY, "fn delete_expired(&self);", tables=from_only("table.json"))
    assert [code for code, _ in found(gate)] == ["SG213"]
    setup(gate, EXPIRY, "fn delete_expired(&self);", tables=from_only("table.json", 'ttl = "expires_at"\n'))
    assert found(gate) == []


def test_a_manifest_ttl_the_infrastructure_contradicts_is_drift(gate: Gate) -> None:
    gate.write("template.yaml", CFN.replace("@TTL@", CFN_TTL))
    setup(gate, EXPIRY, "fn delete_expired(&self);", tables=from_only("template.yaml", 'ttl = "expiry"\n'))
    assert found(gate) == [
        (
            "SG303",
            'table drift: Time to Live is "expiry" in store-gate.toml but "expires_at" in template.yaml',
        )
    ]


DECLARED_SUBSET = """
[table]
from = "template.yaml"
name = "sessions"
partition_key = { name = "user", type = "S" }
sort_key = { name = "session", type = "S" }
"""


def test_a_declared_subset_of_the_infrastructure_is_drift_and_checked_against_it(gate: Gate) -> None:
    gate.write("template.yaml", CFN.replace("@TTL@", ""))
    access = (
        '[access.SessionStore.by_device]\nop = "Query"\nindex = "ByDevice"\nkey = { tenant = "T#{t}" }\nlimit = 5\n'
    )
    setup(gate, access, "fn by_device(&self, t: &str, d: &str) -> Vec<Session>;", tables=DECLARED_SUBSET)
    assert found(gate) == [
        (
            "SG303",
            'table drift: template.yaml defines GSI "ByDevice" (tenant (S) + device (S), projection KEYS_ONLY), which '
            "store-gate.toml does not declare",
        ),
        (
            "SG205",
            'SessionStore.by_device: a Query on GSI "ByDevice" needs its partition key "device" by equality; add '
            'device = "..."',
        ),
    ]


def test_a_multi_attribute_key_that_differs_from_the_infrastructure_is_drift(gate: Gate) -> None:
    gate.write("template.yaml", CFN.replace("@TTL@", ""))
    declared = DECLARED_SUBSET + (
        '\n[table.gsi.ByDevice]\npartition_keys = [{ name = "tenant", type = "S" }, { name = "user", type = "S" }]\n'
        'projection = "KEYS_ONLY"\n'
    )
    setup(gate, "", "", tables=declared)
    assert found(gate) == [
        (
            "SG303",
            'table drift: GSI "ByDevice" partition key is tenant (S) + user (S) in store-gate.toml but tenant (S) + '
            "device (S) in template.yaml",
        )
    ]


TWO_MODELS = """\
from pynamodb.models import Model
from pynamodb.attributes import UnicodeAttribute
class User(Model):
    class Meta:
        table_name = "main"
    pk = UnicodeAttribute(hash_key=True, default="USER")
    sk = UnicodeAttribute(range_key=True)
class Session(Model):
    class Meta:
        table_name = "main"
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
"""


def test_access_patterns_may_name_entities_imported_from_the_infrastructure(gate: Gate) -> None:
    gate.write("models.py", TWO_MODELS)
    access = '[access.SessionStore.get]\nop = "GetItem"\nentity = "Session"\nkey = { pk = "{p}", sk = "{s}" }\n'
    setup(gate, access, "fn get(&self, p: &str, s: &str);", tables=from_only("models.py"))
    # Named, and checked: the models' keys as read (Session's bare pk can be User's "USER") collide.
    assert found(gate) == [
        (
            "SG304",
            'entities Session and User collide on the base table: pk = "USER", sk = "a" is a key of both (Session: '
            'pk = "{pk}", sk = "{sk}"; User: pk = "USER", sk = "{sk}"); one item would overwrite the other - give '
            'each entity a literal of its own in the key (a prefix such as "USER#" in sk), or placeholder classes '
            "that cannot meet ({n:int}, {s:segment} has no #)",
        )
    ]


def test_an_entity_neither_declared_nor_imported_is_a_configuration_error(gate: Gate) -> None:
    gate.write("models.py", TWO_MODELS)
    access = (
        '[access.SessionStore.get]\nsteps = [{ op = "GetItem", entity = "Sesion", key = { pk = "{p}", sk = "{s}" } }]\n'
    )
    setup(gate, access, "fn get(&self, p: &str, s: &str);", tables=from_only("models.py"))
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        'access.SessionStore.get.entity: unknown entity "Sesion" (entities: Session, User)'
    ), result.stderr
