"""AWS CDK source (TypeScript and Python) as `[table] from`: the Table / TableV2 constructs read
statically, what is not literal reported - never guessed -, and multi-attribute GSI keys refused
plainly in every importer that meets them. Every fixture is written for this project."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Gate

from store_gate.schema.importers import ImportProblem, import_bytes, import_table

FIXTURES = Path(__file__).parent / "fixtures" / "infra"
SYNTH = 'read the synthesized template instead: run cdk synth, then from = "cdk.out/<Stack>.template.json"'
NOT_LITERAL = f"the table cannot be read without running the CDK app - {SYNTH}"


def keys(index: Any) -> str:
    pk, sk = index.partition_key, index.sort_key
    return f"{pk.name}:{pk.type}(H)" + (f"/{sk.name}:{sk.type}(R)" if sk else "")


def summary(imported: Any) -> tuple[Any, ...]:
    schema = imported.schema
    indexes = {str(i.name): (i.kind, keys(i), str(i.projection)) for i in schema.indexes.values()}
    return imported.kind, imported.resource, schema.name, keys(schema.base), indexes, imported.notes


def read(content: str, file: str = "stack.ts", **choose: str) -> Any:
    return import_bytes(content.encode(), file, file, choose.get("resource"), choose.get("name"))


def problem_of(content: str, file: str = "stack.ts") -> ImportProblem:
    with pytest.raises(ImportProblem) as raised:
        read(content, file)
    return raised.value


# 1. The fixtures: every key, type, index and projection -----------------------------------------


def test_the_typescript_stack_reads_both_tables() -> None:
    orders = import_table(FIXTURES / "cdk-stack.ts", "cdk-stack.ts", "Orders")
    assert summary(orders) == (
        "AWS CDK (TypeScript) Table",
        "Orders",
        "orders",
        "pk:S(H)/sk:S(R)",
        {
            "GSI1": ("gsi", "gsi1pk:S(H)/gsi1sk:N(R)", "INCLUDE ['total', 'status']"),
            "ByCreated": ("lsi", "pk:S(H)/createdAt:N(R)", "KEYS_ONLY"),
        },
        [],
    )
    sessions = import_table(FIXTURES / "cdk-stack.ts", "cdk-stack.ts", "Sessions")
    assert summary(sessions) == (
        "AWS CDK (TypeScript) TableV2",
        "Sessions",
        None,
        "id:B(H)",
        {
            "ByUser": ("gsi", "userId:S(H)", "ALL"),  # no projectionType: CDK's default, ALL
            "ByExpiry": ("gsi", "userId:S(H)/expires:N(R)", "ALL"),
        },
        [
            "Sessions.tableName: the name is not static (`sessions-${this.stackName}`, a template with "
            "substitutions); the table is known by its construct id"
        ],
    )


def test_the_python_stack_reads_props_structs_dicts_and_added_indexes() -> None:
    imported = import_table(FIXTURES / "cdk_stack.py", "cdk_stack.py")
    assert summary(imported) == (
        "AWS CDK (Python) TableV2",
        "Dialogues",
        "dialogues",
        "pk:S(H)/sk:S(R)",
        {
            "GSI1": ("gsi", "gsi1pk:S(H)/gsi1sk:S(R)", "KEYS_ONLY"),
            "ByScore": ("lsi", "pk:S(H)/score:N(R)", "ALL"),
            "ByTitle": ("gsi", "title:S(H)", "INCLUDE ['status']"),
        },
        [],
    )


def test_the_candidates_are_the_constructs_chosen_by_construct_id_or_table_name() -> None:
    with pytest.raises(ImportProblem) as raised:
        import_table(FIXTURES / "cdk-stack.ts", "cdk-stack.ts")
    assert raised.value.message == (
        'defines 2 tables (Orders (orders), Sessions); choose one with resource = "..." or name = "..."'
    )
    assert import_table(FIXTURES / "cdk-stack.ts", "cdk-stack.ts", name="orders").resource == "Orders"
    with pytest.raises(ImportProblem) as unknown:
        import_table(FIXTURES / "cdk-stack.ts", "cdk-stack.ts", "Invoices")
    assert unknown.value.message == 'no table with resource = "Invoices" (the file defines: Orders (orders), Sessions)'


def test_store_gate_table_shows_a_cdk_table_and_its_notes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "store_gate", "table", "--from", "cdk-stack.ts", "--resource", "Sessions"],
        cwd=FIXTURES,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "table (name not static), read from cdk-stack.ts (AWS CDK (TypeScript) TableV2 Sessions)",
        "  partition key  id (B)",
        "  sort key       (none)",
    ]


# 2. How a file is recognised: by what it imports -------------------------------------------------

KEY = "{ name: 'pk', type: %s.STRING }"
TS_IMPORTS = [
    ("import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';", "new dynamodb.Table", "dynamodb.AttributeType"),
    ('import { Table, AttributeType } from "aws-cdk-lib/aws-dynamodb";', "new Table", "AttributeType"),
    ("import { TableV2 as T, AttributeType as A } from 'aws-cdk-lib/aws-dynamodb';", "new T", "A"),
    ("import { aws_dynamodb as ddb } from 'aws-cdk-lib';", "new ddb.Table", "ddb.AttributeType"),
    ("import * as cdk from 'aws-cdk-lib';", "new cdk.aws_dynamodb.TableV2", "cdk.aws_dynamodb.AttributeType"),
    ("import dynamodb = require('aws-cdk-lib/aws-dynamodb');", "new dynamodb.Table", "dynamodb.AttributeType"),
    ("import * as dynamodb from '@aws-cdk/aws-dynamodb';", "new dynamodb.Table", "dynamodb.AttributeType"),
]


@pytest.mark.parametrize(("imports", "construct", "types"), TS_IMPORTS, ids=lambda v: v[:40])
def test_typescript_names_are_resolved_through_the_files_imports(imports: str, construct: str, types: str) -> None:
    source = f"{imports}\n\nconst t = {construct}(this, 'T', {{ partitionKey: {KEY % types} }});\n"
    assert keys(read(source).schema.base) == "pk:S(H)"


PY_IMPORTS = [
    ("from aws_cdk import aws_dynamodb as dynamodb", "dynamodb.Table", "dynamodb"),
    ("from aws_cdk import aws_dynamodb", "aws_dynamodb.TableV2", "aws_dynamodb"),
    ("import aws_cdk.aws_dynamodb as ddb", "ddb.Table", "ddb"),
    ("import aws_cdk.aws_dynamodb", "aws_cdk.aws_dynamodb.Table", "aws_cdk.aws_dynamodb"),
    ("import aws_cdk as cdk", "cdk.aws_dynamodb.Table", "cdk.aws_dynamodb"),
    ("from aws_cdk.aws_dynamodb import Table as T, Attribute, AttributeType", "T", ""),
    ("from aws_cdk.aws_dynamodb import *", "Table", ""),
]


@pytest.mark.parametrize(("imports", "construct", "module"), PY_IMPORTS, ids=lambda v: v[:40])
def test_python_names_are_resolved_through_the_files_imports(imports: str, construct: str, module: str) -> None:
    prefix = f"{module}." if module else ""
    source = (
        f"{imports}\n\nt = {construct}(self, 'T', partition_key={prefix}Attribute(name='pk', "
        f"type={prefix}AttributeType.NUMBER))\n"
    )
    assert keys(read(source, "stack.py").schema.base) == "pk:N(H)"


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        (
            "stack.ts",
            "import { Table } from './my-tables';\nnew Table(this, 'T', { partitionKey: { name: 'pk', type: 'S' } });\n",
            "a .ts file is read as AWS CDK source when it imports aws-cdk-lib/aws-dynamodb (or aws_dynamodb from "
            "aws-cdk-lib); this one imports neither, so it defines no table the gate can read",
        ),
        (
            "app.py",
            "import boto3\n\ndynamodb = boto3.resource('dynamodb')\n",
            "a .py file is read as AWS CDK source when it imports aws_cdk.aws_dynamodb (or aws_dynamodb from aws_cdk), "
            "as pynamodb models when it imports pynamodb; this one imports neither, so it defines no table the gate "
            "can read",
        ),
        (
            "stack.ts",
            "import * as glue from 'aws-cdk-lib/aws-glue';\nimport * as dynamodb from 'aws-cdk-lib/aws-dynamodb';\n"
            "new glue.Table(this, 'T', { columns: [] });\nexport const grant = dynamodb.Operation.GET_ITEM;\n",
            "imports aws-cdk-lib/aws-dynamodb but constructs no Table or TableV2 the gate can see "
            f'(new Table(this, "Id", {{...}}) with the class imported from the module); {SYNTH}',
        ),
        (
            "stack.ts",
            "import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';\nnew dynamodb.CfnTable(this, 'Raw', { keySchema: [] });\n",
            "Raw: CfnTable (the low-level construct, CloudFormation's own properties) is not read from source; "
            + SYNTH,
        ),
        ("stack.tsx", "export {};\n", None),
    ],
    ids=["ts-no-dynamodb-import", "py-neither", "glue-table", "cfn-table", "tsx"],
)
def test_a_file_that_is_not_cdk_source_says_how_it_is_recognised(file: str, content: str, message: str | None) -> None:
    problem = problem_of(content, file)
    if message is None:
        assert problem.message == (
            "unknown kind of file 'stack.tsx': expected .yaml, .yml, .json, .tf, .ts (AWS CDK) or .py (AWS CDK, pynamodb)"
        )
    else:
        assert problem.message == message


# 3. What is not literal: a problem with the key path and the line, or a note -------------------

TS = "import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';\nimport { KEY } from './keys';\n\n"
TABLE_TS = TS.replace("{", "{{").replace("}", "}}") + "const table = new dynamodb.Table(this, 'Orders', {{\n{}}});\n"
PK_TS = "  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },\n"
ADD_TS = "table.addGlobalSecondaryIndex({{\n{}}});\n"

NOT_LITERAL_TS = [
    (
        TS + "new dynamodb.Table(this, 'Orders', props);\n",
        f"Orders: not literal (props, a variable); {NOT_LITERAL}",
        4,
    ),
    (
        TABLE_TS.format("  partitionKey: { name: KEY, type: dynamodb.AttributeType.STRING },\n"),
        f"Orders.partitionKey.name: not literal (KEY, a constant imported from ./keys); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format("  partitionKey: { name: 'pk', type: keyType() },\n"),
        f"Orders.partitionKey.type: not literal (keyType(), a function call); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format("  partitionKey: { name: `${prefix}pk`, type: dynamodb.AttributeType.STRING },\n"),
        f"Orders.partitionKey.name: not literal (`${{prefix}}pk`, a template with substitutions); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format("  ...common,\n"),
        f"Orders.partitionKey: not literal (...common, a spread, which may set it); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format(PK_TS + "  ...overrides,\n"),
        f"Orders.partitionKey: not literal (...overrides, a spread after it, which may replace it); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format("  ...common,\n" + PK_TS + "  sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },\n"),
        None,  # keys written after the spread are literal: they win
        0,
    ),
    (
        TABLE_TS.format("  partitionKey,\n"),
        f"Orders.partitionKey: not literal (partitionKey, a variable); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format("  partitionKey: { name: 'pk', type: KEY_TYPES.pk },\n"),
        f"Orders.partitionKey.type: not literal (KEY_TYPES.pk, a name the gate does not resolve); {NOT_LITERAL}",
        5,
    ),
    (
        TABLE_TS.format(PK_TS) + ADD_TS.format("  indexName: `gsi-${n}`,\n  partitionKey: { name: 'g', type: 'S' },\n"),
        "Orders.addGlobalSecondaryIndex[0].indexName: not literal (`gsi-${n}`, a template with substitutions); "
        + NOT_LITERAL,
        8,
    ),
    (
        TABLE_TS.format(PK_TS) + ADD_TS.format("  ...gsiKeys,\n  indexName: 'G',\n"),
        f"Orders.addGlobalSecondaryIndex[0].partitionKey: not literal (...gsiKeys, a spread, which may set it); {NOT_LITERAL}",
        8,
    ),
    (
        TABLE_TS.format(PK_TS) + "table.addGlobalSecondaryIndex(indexProps);\n",
        f"Orders.addGlobalSecondaryIndex[0]: not literal (indexProps, a variable); {NOT_LITERAL}",
        7,
    ),
    (
        TABLE_TS.format(PK_TS + "  globalSecondaryIndexes: [...shared],\n"),
        f"Orders.globalSecondaryIndexes: not literal (...shared, a spread); {NOT_LITERAL}",
        6,
    ),
    (
        TABLE_TS.format(PK_TS + "  globalSecondaryIndexes: indexes,\n"),
        f"Orders.globalSecondaryIndexes: not literal (indexes, a variable); {NOT_LITERAL}",
        6,
    ),
    (
        TABLE_TS.format(PK_TS)
        + ADD_TS.format(
            "  indexName: 'G',\n  partitionKey: { name: 'g', type: 'S' },\n  projectionType: dynamodb.ProjectionType.INCLUDE,\n"
            "  nonKeyAttributes: EXTRA,\n"
        ),
        f"Orders.addGlobalSecondaryIndex[0].nonKeyAttributes: not literal (EXTRA, a variable); {NOT_LITERAL}",
        11,
    ),
]


@pytest.mark.parametrize(("content", "message", "line"), NOT_LITERAL_TS)
def test_typescript_keys_that_are_not_literal_name_the_key_path_and_line(
    content: str, message: str | None, line: int
) -> None:
    if message is None:
        assert keys(read(content).schema.base) == "pk:S(H)/sk:S(R)"
        return
    problem = problem_of(content)
    assert (problem.message, problem.line) == (message, line)


PY = "from aws_cdk import aws_dynamodb as dynamodb\nfrom .settings import PK\n\n"
TABLE_PY = PY + "table = dynamodb.Table(\n    self,\n    'Orders',\n{})\n"
PK_PY = "    partition_key=dynamodb.Attribute(name='pk', type=dynamodb.AttributeType.STRING),\n"

NOT_LITERAL_PY = [
    (
        TABLE_PY.format("    **props,\n"),
        f"Orders.partition_key: not literal (**props, a spread, which may set it); {NOT_LITERAL}",
        7,
    ),
    (
        TABLE_PY.format("    partition_key=dynamodb.Attribute(name=PK, type=dynamodb.AttributeType.STRING),\n"),
        f"Orders.partition_key.name: not literal (PK, a constant imported from .settings); {NOT_LITERAL}",
        7,
    ),
    (
        TABLE_PY.format("    partition_key=key_for('orders'),\n"),
        f"Orders.partition_key: not literal (key_for('orders'), a function call); {NOT_LITERAL}",
        7,
    ),
    (
        TABLE_PY.format("    partition_key={'name': f'{stage}_pk', 'type': dynamodb.AttributeType.STRING},\n"),
        f"Orders.partition_key.name: not literal (f'{{stage}}_pk', an f-string with substitutions); {NOT_LITERAL}",
        7,
    ),
    (
        TABLE_PY.format(PK_PY + "    sort_key=dynamodb.Attribute(name='sk', type=dynamodb.AttributeType.BOOLEAN),\n"),
        "Orders.sort_key.type: dynamodb.AttributeType.BOOLEAN is not one of AttributeType.STRING, "
        "AttributeType.NUMBER, AttributeType.BINARY",
        8,
    ),
    (
        TABLE_PY.format(PK_PY) + "table.add_local_secondary_index(index_name='ByTime', sort_key=SORT)\n",
        f"Orders.add_local_secondary_index[0].sort_key: not literal (SORT, a variable); {NOT_LITERAL}",
        9,
    ),
]


@pytest.mark.parametrize(("content", "message", "line"), NOT_LITERAL_PY)
def test_python_keys_that_are_not_literal_name_the_key_path_and_line(content: str, message: str, line: int) -> None:
    problem = problem_of(content, "stack.py")
    assert (problem.message, problem.line) == (message, line)


def test_what_is_not_a_key_is_a_note_never_a_guess() -> None:
    source = TS + (
        "const table = new dynamodb.TableV2(this, `${id}-orders`, {\n"
        + PK_TS
        + "  tableName: process.env.TABLE_NAME,\n  ...shared,\n"
        + PK_TS
        + "  sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },\n"
        + "});\n"
        + "props.audit.addGlobalSecondaryIndex({ indexName: 'X', partitionKey: { name: 'x', type: 'S' } });\n"
    )
    imported = read(source)
    assert (imported.resource, imported.schema.name, imported.schema.indexes) == ("table", None, {})
    assert imported.notes == [
        'the construct id is not literal (`${id}-orders`); the table is known as "table"',
        "table.globalSecondaryIndexes may come from ...shared, which is not read: those indexes are unknown",
        "table.localSecondaryIndexes may come from ...shared, which is not read: those indexes are unknown",
        "table.tableName: the name is not static (...shared, a spread after it, which may replace it); the table is "
        "known by its construct id",
        "table.timeToLiveAttribute: not static (...shared, a spread, which may set it); Time to Live is taken as off",
        'props.audit.addGlobalSecondaryIndex(...) at line 11 is on "props.audit", which is no Table this file '
        "constructs: that index is not read",
    ]


# 4. Which table an addGlobalSecondaryIndex call is on ------------------------------------------


def test_index_calls_go_to_the_table_their_receiver_names_in_its_scope() -> None:
    source = TS + (
        "function orders(scope: Construct) {\n"
        "  const table = new dynamodb.Table(scope, 'Orders', { partitionKey: { name: 'o', type: 'S' } });\n"
        "  table.addGlobalSecondaryIndex({ indexName: 'ByCustomer', partitionKey: { name: 'c', type: 'S' } });\n"
        "}\n"
        "function invoices(scope: Construct) {\n"
        "  const table = new dynamodb.Table(scope, 'Invoices', { partitionKey: { name: 'i', type: 'S' } });\n"
        "  table.addLocalSecondaryIndex({ indexName: 'ByDate', sortKey: { name: 'd', type: 'N' } });\n"
        "}\n"
        "class Audit extends Stack {\n"
        "  readonly log = new dynamodb.TableV2(this, 'Audit', { partitionKey: { name: 'a', type: 'S' } });\n"
        "  index() {\n"
        "    this.log.addGlobalSecondaryIndex({ indexName: 'ByActor', partitionKey: { name: 'who', type: 'S' } });\n"
        "  }\n"
        "}\n"
    )
    tables = {r: read(source, resource=r) for r in ("Orders", "Invoices", "Audit")}
    assert {r: list(t.schema.indexes) for r, t in tables.items()} == {
        "Orders": ["ByCustomer"],
        "Invoices": ["ByDate"],
        "Audit": ["ByActor"],
    }
    assert all(not t.notes for t in tables.values())


def test_source_without_semicolons_and_class_fields_is_read() -> None:
    source = (
        "import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'\n"
        "export class S extends Stack {\n"
        "  readonly t = new dynamodb.Table(this, 'T', {\n"
        "    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },\n"
        "    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING }\n"
        "  })\n"
        "  constructor() {\n"
        "    super()\n"
        "    this.t.addGlobalSecondaryIndex({ indexName: 'h', partitionKey: { name: 'b', type: 'S' } })\n"
        "  }\n"
        "}\n"
    )
    imported = read(source)
    assert (keys(imported.schema.base), list(imported.schema.indexes), imported.notes) == ("pk:S(H)/sk:S(R)", ["h"], [])


def test_an_index_defined_twice_is_a_problem() -> None:
    gsi = "table.addGlobalSecondaryIndex({ indexName: 'G', partitionKey: { name: 'g', type: 'S' } });\n"
    problem = problem_of(TABLE_TS.format(PK_TS) + gsi + gsi)
    assert (problem.message, problem.line) == ('Orders: index "G" is defined twice (lines 7 and 8)', 8)


# 5. Multi-attribute GSI keys: read in every importer that meets them, at most 4 of each -------


def all_keys(index: Any) -> str:
    """Every key attribute of an index, in order: `region:S(H)+tier:N(H)/day:S(R)`."""
    hashes = "+".join(f"{a.name}:{a.type}(H)" for a in index.partition_keys)
    ranges = "+".join(f"{a.name}:{a.type}(R)" for a in index.sort_keys)
    return hashes + (f"/{ranges}" if ranges else "")


def test_cdk_typescript_multi_attribute_gsi_keys_are_read() -> None:
    source = TABLE_TS.format(PK_TS) + ADD_TS.format(
        "  indexName: 'ByRegion',\n  partitionKeys: [\n    { name: 'region', type: dynamodb.AttributeType.STRING },\n"
        "    { name: 'tier', type: dynamodb.AttributeType.NUMBER },\n  ],\n"
    )
    assert all_keys(read(source).schema.indexes["ByRegion"]) == "region:S(H)+tier:N(H)"
    props = TABLE_TS.format(
        PK_TS
        + "  globalSecondaryIndexes: [{\n    indexName: 'ByDay',\n    partitionKey: { name: 'tenant', type: 'S' },\n"
        "    sortKeys: [{ name: 'day', type: 'S' }, { name: 'hour', type: 'N' }, { name: 'id', type: 'S' }],\n  }],\n"
    ).replace("dynamodb.Table(", "dynamodb.TableV2(")
    assert all_keys(read(props).schema.indexes["ByDay"]) == "tenant:S(H)/day:S(R)+hour:N(R)+id:S(R)"


def test_cdk_more_than_four_key_attributes_is_a_problem() -> None:
    five = ", ".join(f"{{ name: 'a{i}', type: 'S' }}" for i in range(5))
    source = TABLE_TS.format(PK_TS) + ADD_TS.format(f"  indexName: 'Wide',\n  partitionKeys: [{five}],\n")
    problem = problem_of(source)
    assert problem.message == (
        'Orders.addGlobalSecondaryIndex[0].partitionKeys: GSI "Wide" has 5 partition-key attributes; a '
        "multi-attribute GSI key has at most 4 of each"
    )


def test_cdk_python_multi_attribute_gsi_keys_are_read() -> None:
    source = TABLE_PY.format(PK_PY) + (
        "table.add_global_secondary_index(\n    index_name='ByRegion',\n"
        "    partition_keys=[{'name': 'region', 'type': 'S'}, {'name': 'tier', 'type': 'N'}],\n)\n"
    )
    assert all_keys(read(source, "stack.py").schema.indexes["ByRegion"]) == "region:S(H)+tier:N(H)"


def test_a_cdk_key_list_of_one_attribute_is_that_attribute() -> None:
    source = TABLE_PY.format(PK_PY) + (
        "table.add_global_secondary_index(index_name='ByRegion', partition_keys=[{'name': 'region', 'type': 'S'}])\n"
    )
    assert keys(read(source, "stack.py").schema.indexes["ByRegion"]) == "region:S(H)"


CFN_MULTI = """\
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: region, AttributeType: S}
        - {AttributeName: tier, AttributeType: N}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
      GlobalSecondaryIndexes:
        - IndexName: ByRegion
          KeySchema:
            - {AttributeName: region, KeyType: HASH}
            - {AttributeName: tier, KeyType: HASH}
          Projection: {ProjectionType: ALL}
"""


def test_cloudformation_multi_attribute_gsi_keys_are_read() -> None:
    assert all_keys(read(CFN_MULTI, "template.yaml").schema.indexes["ByRegion"]) == "region:S(H)+tier:N(H)"
    ranges = CFN_MULTI.replace("KeyType: HASH}\n          Projection", "KeyType: RANGE}\n          Projection")
    ranges = ranges.replace("- {AttributeName: region, KeyType: HASH}", "- {AttributeName: region, KeyType: RANGE}")
    ranges = ranges.replace(
        "KeySchema:\n            - {AttributeName: region",
        "KeySchema:\n            - {AttributeName: pk, KeyType: HASH}\n            - {AttributeName: region",
    )
    assert all_keys(read(ranges, "template.yaml").schema.indexes["ByRegion"]) == "pk:S(H)/region:S(R)+tier:N(R)"
    # The same in describe-table JSON, which shares the DynamoDB API's shape.
    table = {
        "TableName": "t",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "a", "b")],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "G",
                "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
    assert all_keys(read(json.dumps({"Table": table}), "table.json").schema.indexes["G"]) == "a:S(H)+b:S(H)"
    table["GlobalSecondaryIndexes"][0]["KeySchema"] *= 3  # type: ignore[index,operator]
    assert problem_of(json.dumps({"Table": table}), "table.json").message == (
        'Table.GlobalSecondaryIndexes[0].KeySchema: GSI "G" has 6 HASH keys; a multi-attribute GSI key has at most 4 '
        "of each"
    )


def test_a_table_with_two_hash_keys_is_refused_not_read_as_its_last() -> None:
    twice = CFN_MULTI.replace(
        "KeySchema:\n        - {AttributeName: pk, KeyType: HASH}\n",
        "KeySchema:\n        - {AttributeName: pk, KeyType: HASH}\n        - {AttributeName: region, KeyType: HASH}\n",
    )
    assert problem_of(twice, "template.yaml").message == (
        "Resources.Table.Properties.KeySchema: has 2 HASH keys; only a GSI may have several (a multi-attribute key)"
    )


TF_MULTI = """\
resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "region"
    type = "S"
  }
  attribute {
    name = "tier"
    type = "N"
  }
  global_secondary_index {
    name            = "ByRegion"
    projection_type = "ALL"
    key_schema {
      attribute_name = "region"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "tier"
      key_type       = "KEY_TYPE"
    }
  }
}
"""


def test_terraform_key_schema_blocks_are_read_single_or_multi_attribute() -> None:
    imported = read(TF_MULTI.replace("KEY_TYPE", "HASH"), "main.tf")
    assert all_keys(imported.schema.indexes["ByRegion"]) == "region:S(H)+tier:N(H)"
    imported = read(TF_MULTI.replace("KEY_TYPE", "RANGE"), "main.tf")
    assert keys(imported.schema.indexes["ByRegion"]) == "region:S(H)/tier:N(R)"


# 6. Hostile and malformed source: one clear problem, bounded, never an internal error ---------

WRONG_SHAPES = [
    (
        TABLE_TS.format("  partitionKey: 'pk',\n"),
        'Orders.partitionKey: expected an attribute { name, type }, got the string "pk"',
        5,
    ),
    (
        TABLE_TS.format("  partitionKey: { name: 5, type: dynamodb.AttributeType.STRING },\n"),
        "Orders.partitionKey.name: expected a string literal, got the number 5",
        5,
    ),
    (
        TABLE_TS.format("  partitionKey: { name: 'pk', type: 'STRING' },\n"),
        "Orders.partitionKey.type: expected AttributeType.STRING, AttributeType.NUMBER, AttributeType.BINARY, "
        'got the string "STRING"',
        5,
    ),
    (TABLE_TS.format("  tableName: 'orders',\n"), "Orders: partitionKey is missing", 4),
    (
        TABLE_TS.format(PK_TS + "  globalSecondaryIndexes: { GSI1: {} },\n"),
        "Orders.globalSecondaryIndexes: expected a list of index props, got an object (GSI1)",
        6,
    ),
    (
        TABLE_TS.format(PK_TS + "  globalSecondaryIndexes: ['GSI1'],\n"),
        'Orders.globalSecondaryIndexes[0]: expected an object literal of index props, got the string "GSI1"',
        6,
    ),
    (
        TABLE_TS.format(PK_TS + "  localSecondaryIndexes: [{ indexName: 'L' }],\n"),
        'Orders.localSecondaryIndexes[0]: LSI "L": sortKey is missing',
        6,
    ),
    (
        TABLE_TS.format(PK_TS) + ADD_TS.format("  partitionKey: { name: 'g', type: 'S' },\n"),
        "Orders.addGlobalSecondaryIndex[0]: indexName is missing",
        7,
    ),
    (
        TABLE_TS.format(PK_TS)
        + ADD_TS.format("  indexName: 'G',\n  partitionKey: { name: 'g', type: 'S' },\n  projectionType: 'SOME',\n"),
        "Orders.addGlobalSecondaryIndex[0].projectionType: expected ProjectionType.ALL, ProjectionType.KEYS_ONLY, "
        'ProjectionType.INCLUDE, got the string "SOME"',
        10,
    ),
    (
        TS + "new dynamodb.Table(this, 'Orders');\n",
        "Orders: new Table(...) has no props; partitionKey is required",
        4,
    ),
    (
        TABLE_TS.format(PK_TS + "  sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING,\n"),
        f"TypeScript syntax error at line 7, column 2; {SYNTH}",  # where the parser inserted the missing }
        7,
    ),
]


@pytest.mark.parametrize(("content", "message", "line"), WRONG_SHAPES)
def test_cdk_props_of_the_wrong_shape_name_the_key_path_and_line(content: str, message: str, line: int) -> None:
    problem = problem_of(content)
    assert (problem.message, problem.line) == (message, line)


DEEP = "nested deeper than 64 levels at line {}; no table definition nests that deep"
LIMITS = [
    ("stack.ts", TABLE_TS.format("  partitionKey: " + "[" * 100_000 + "]" * 100_000 + ",\n"), DEEP.format(5), 5),
    ("stack.ts", TABLE_TS.format("  partitionKey: " + "{a: " * 5_000 + "1" + "}" * 5_000 + ",\n"), DEEP.format(5), 5),
    ("stack.py", TABLE_PY.format("    partition_key=" + "(" * 150 + "1" + ")" * 150 + ",\n"), DEEP.format(7), 7),
    (
        "stack.ts",
        TABLE_TS.format("  partitionKey: { name: " + "7" * 5000 + ", type: 'S' },\n"),
        "number too long: 5000 characters at line 5; numbers are read up to 1000 digits",
        5,
    ),
    (
        "stack.py",
        TABLE_PY.format("    partition_key={'name': 1." + "7" * 5000 + ", 'type': 'S'},\n"),
        "number too long: 5002 characters at line 7; numbers are read up to 1000 digits",
        7,
    ),
]


@pytest.mark.parametrize(("file", "content", "message", "line"), LIMITS, ids=lambda v: str(v)[:24])
def test_deep_nesting_and_long_numbers_in_cdk_source_are_refused_with_the_line(
    file: str, content: str, message: str, line: int
) -> None:
    started = time.monotonic()
    problem = problem_of(content, file)
    assert (problem.message, problem.line) == (message, line)
    assert time.monotonic() - started < 30  # bounded: a guard against a hang, not a speed test


def test_a_message_quotes_a_huge_or_multi_line_value_capped_on_one_line() -> None:
    huge = TABLE_TS.format("  partitionKey: { name: `" + "x" * 100_000 + "${y}`, type: 'S' },\n")
    message = problem_of(huge).message
    assert message.startswith("Orders.partitionKey.name: not literal (`" + "x" * 56 + "..., a template")
    assert len(message) < 400
    lines = TABLE_TS.format(
        "  partitionKey: { name: 'p\\nk', type: 'S' },\n  sortKey: { name: 'sk', type: BAD\n  .x },\n"
    )
    assert "\n" not in problem_of(lines).message


def test_non_utf8_cdk_source_is_refused_where_the_same_source_in_utf8_is_read() -> None:
    source = TABLE_TS.format(PK_TS + "  tableName: 'caf\u00e9',\n")
    assert read(source).schema.name == "caf\u00e9"
    with pytest.raises(ImportProblem) as raised:
        import_bytes(source.encode("latin-1"), "stack.ts", "stack.ts")
    assert raised.value.message == f"not valid UTF-8 (byte {source.encode('utf-8').index(b'caf') + 3})"


def test_escapes_in_names_are_decoded_and_lone_surrogates_replaced() -> None:
    source = TABLE_TS.format(
        "  partitionKey: { name: 'p\\u006b', type: 'S' },\n  tableName: \"\\uD83D\\uDE00-\\uD800\",\n"
    )
    imported = read(source)
    assert (imported.schema.base.partition_key.name, imported.schema.name) == ("pk", "\U0001f600-\ufffd")


def test_cdk_source_larger_than_one_megabyte_is_refused() -> None:
    source = TABLE_TS.format(PK_TS) + "// " + "x" * (1024 * 1024) + "\n"
    assert problem_of(source).message == (
        f"the file is larger than 1 MB ({len(source)} bytes); source files are read up to 1 MB "
        "- declare [table] in the manifest instead"
    )


# 7. End to end: `from` a CDK file in the manifest ----------------------------------------------


def test_check_reads_a_cdk_stack_as_table_from(gate: Gate) -> None:
    gate.write("infra/stack.ts", (FIXTURES / "cdk-stack.ts").read_text())
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    gate.manifest(
        table='[table]\nfrom = "infra/stack.ts"\nresource = "Orders"\n',
        access='[access.DialogueStore.get]\nop = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "{id}" }\nlimit = 10\n',
    )
    result = gate.run()
    assert [f.code for f in result.findings] == []


def test_check_reports_a_cdk_table_that_is_not_literal_in_one_line(gate: Gate) -> None:
    gate.write("infra/stack.py", TABLE_PY.format("    **props,\n"))
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n")
    gate.manifest(table='[table]\nfrom = "infra/stack.py"\n')
    done = subprocess.run(
        [sys.executable, "-m", "store_gate", "check"], cwd=gate.root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert line == (
        f"invalid config: store-gate.toml:{gate.line_of('from = ')}: table.from: infra/stack.py:7: "
        f"Orders.partition_key: not literal (**props, a spread, which may set it); {NOT_LITERAL}"
    )
