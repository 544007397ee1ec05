"""The table from the infrastructure: the real corpus in ../shared/corpus, drift, bad files."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from conftest import SHARED, Gate, run_cli

from store_gate.schema.importers import ImportProblem, import_bytes, import_table

CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus is read from {CORPUS}, which is absent here")

# What INDEX.md says each file imports to: the resource, the keys "name(H)/name(R)" with types,
# and each index as (kind, key schema, projection).
EXPECTED = {
    "cloudformation/aws-cloudformation-templates__DynamoDB_Secondary_Indexes.yaml": (
        "TableOfBooks",
        "Category:S(H)/Title:S(R)",
        {
            "TitleIndex": ("gsi", "Title:S(H)", "KEYS_ONLY"),
            "LanguageIndex": ("lsi", "Category:S(H)/Language:S(R)", "KEYS_ONLY"),
        },
    ),
    "cloudformation/aws-cloudformation-templates__DynamoDB_Secondary_Indexes.json": (
        "TableOfBooks",
        "Category:S(H)/Title:S(R)",
        {
            "TitleIndex": ("gsi", "Title:S(H)", "KEYS_ONLY"),
            "LanguageIndex": ("lsi", "Category:S(H)/Language:S(R)", "KEYS_ONLY"),
        },
    ),
    "cloudformation/aws-serverless-ecommerce-platform__orders-template.yaml": (
        "Table",
        "orderId:S(H)",
        {"user": ("gsi", "userId:S(H)/createdDate:S(R)", "ALL")},
    ),
    "cloudformation/aws-serverless-ecommerce-platform__warehouse-template.yaml": (
        "Table",
        "orderId:S(H)/productId:S(R)",
        {
            "product": ("gsi", "productId:S(H)/orderId:S(R)", "ALL"),
            "orderId-new": ("gsi", "orderId:S(H)/newDate:S(R)", "ALL"),
        },
    ),
    "cloudformation/serverless-rust-demo__template.yaml": ("Table", "id:S(H)", {}),
    "serverless/aws-in-action__serverless.yml": (
        "TestTable",
        "pk:S(H)/sk:S(R)",
        {
            "test.gsiOne": ("gsi", "gsiOnePk:S(H)/gsiOneSk:S(R)", "KEYS_ONLY"),
            "test.gsiTwo": ("gsi", "gsiTwoPk:S(H)/gsiTwoSk:S(R)", "KEYS_ONLY"),
            "test.lsiOne": ("lsi", "pk:S(H)/lsiOneSk:S(R)", "ALL"),
            "test.lsiTwo": ("lsi", "pk:S(H)/lsiTwoSk:S(R)", "ALL"),
        },
    ),
    "terraform/terraform_starter__main.tf": (
        "aws_dynamodb_table.ddb",
        "PK:S(H)/SK:S(R)",
        {"GSI1": ("gsi", "GSI1PK:S(H)/GSI1SK:S(R)", "ALL")},
    ),
    "terraform/abandoned-animals__dynamodb.tf": (
        "aws_dynamodb_table.aa",
        "hk:S(H)/rk:S(R)",
        {"rkT": ("gsi", "rk:S(H)/t:S(R)", "ALL")},
    ),
    "terraform/terraform-AI-Reviewer-dashboard__dynamodb.tf": (
        "aws_dynamodb_table.reviews",
        "PK:S(H)/SK:S(R)",
        {
            "GSI1": ("gsi", "GSI1PK:S(H)/GSI1SK:S(R)", "UNSPECIFIED"),
            "GSI2": ("gsi", "GSI2PK:S(H)/GSI2SK:S(R)", "UNSPECIFIED"),
        },
    ),
    "terraform/terraform-aws-dynamodb-table__examples-basic-main.tf": (
        "module.dynamodb_table",
        "id:N(H)/title:S(R)",
        {"TitleIndex": ("gsi", "title:S(H)/age:N(R)", "INCLUDE ['id']")},
    ),
    "create-table-json/design-dynamodb__schema.json": (
        "example",
        "pk:S(H)/sk:S(R)",
        {
            "gsi1": ("gsi", "gsi1pk:S(H)/gsi1sk:S(R)", "ALL"),
            "gsi2": ("gsi", "gsi2pk:S(H)/gsi2sk:S(R)", "ALL"),
            "lsi": ("lsi", "pk:S(H)/sku:S(R)", "ALL"),
        },
    ),
    "create-table-json/dynamomq__dynamomq-table.json": (
        "dynamo-mq-table",
        "id:S(H)",
        {"dynamo-mq-index-queue_type-sent_at": ("gsi", "queue_type:S(H)/sent_at:S(R)", "ALL")},
    ),
    "nosql-workbench/amazon-dynamodb-design-patterns__AnOnlineShop_facets.json": (
        "OnlineShop",
        "PK:S(H)/SK:S(R)",
        {"GSI1": ("gsi", "GSI1-PK:S(H)/GSI1-SK:S(R)", "ALL"), "GSI2": ("gsi", "GSI2-PK:S(H)/GSI2-SK:S(R)", "ALL")},
    ),
    "nosql-workbench/amazon-dynamodb-design-patterns__DeviceStateLog_7.json": (
        "DeviceStateLog",
        "DeviceID:S(H)/State#Date:S(R)",
        {"GSI1": ("gsi", "Operator:S(H)/Date:S(R)", "ALL"), "GSI2": ("gsi", "EscalatedTo:S(H)/State#Date:S(R)", "ALL")},
    ),
    "nosql-workbench/design-dynamodb__data_model.json": (
        "SingleTable",
        "pk:S(H)/sk:S(R)",
        {
            "gsi1": ("gsi", "gsi1pk:S(H)/gsi1sk:S(R)", "ALL"),
            "gsi2": ("gsi", "gsi2pk:S(H)/gsi2sk:S(R)", "ALL"),
            "lsi": ("lsi", "pk:S(H)/sku:S(R)", "ALL"),
        },
    ),
    "nosql-workbench/dynamodb-modelling-example__product catalog model.json": (
        "ProductCatalog",
        "PK:S(H)/SK:S(R)",
        {
            "GSI1": (
                "gsi",
                "GSI1PK:S(H)/GSI1SK:S(R)",
                "INCLUDE ['type', 'name', 'description', 'stockLevel', 'productId']",
            ),
            "GSI2": (
                "gsi",
                "GSI2PK:S(H)/GSI2SK:S(R)",
                "INCLUDE ['type', 'name', 'description', 'stockLevel', 'productId']",
            ),
        },
    ),
}


def keys(index: object) -> str:
    pk, sk = index.partition_key, index.sort_key  # type: ignore[attr-defined]
    return f"{pk.name}:{pk.type}(H)" + (f"/{sk.name}:{sk.type}(R)" if sk else "")


def summary(imported: object) -> tuple[str, str, dict[str, tuple[str, str, str]]]:
    schema = imported.schema  # type: ignore[attr-defined]
    indexes = {str(i.name): (i.kind, keys(i), str(i.projection)) for i in schema.indexes.values()}
    return imported.resource, keys(schema.base), indexes  # type: ignore[attr-defined]


@needs_corpus
def test_every_corpus_file_imports_to_what_its_index_describes() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("*/*") if p.suffix not in (".md", ".rst")}
    assert files - set(EXPECTED) == {"terraform/terraform-aws-dynamodb-table__main.tf"}  # nothing static: below
    imported = {relative: summary(import_table(CORPUS / relative, relative)) for relative in sorted(EXPECTED)}
    assert imported == EXPECTED


@needs_corpus
def test_terraform_module_with_only_dynamic_blocks_says_nothing_is_static() -> None:
    path = CORPUS / "terraform" / "terraform-aws-dynamodb-table__main.tf"
    # said at once, not after choosing one of the three
    with pytest.raises(ImportProblem, match=r"defines 3 tables and none can be read statically .*nothing is static"):
        import_table(path, "main.tf")
    with pytest.raises(ImportProblem, match=r"nothing is static .*dynamic block over variables") as problem:
        import_table(path, "main.tf", resource="aws_dynamodb_table.this")
    assert problem.value.line == 5


@needs_corpus
def test_unresolved_values_are_reported_plainly() -> None:
    serverless = import_table(CORPUS / "serverless" / "aws-in-action__serverless.yml", "serverless.yml")
    assert serverless.schema.name is None
    assert any("${self:provider.stage}.TestTableCloudFormation" in note for note in serverless.notes)
    reviews = import_table(CORPUS / "terraform" / "terraform-AI-Reviewer-dashboard__dynamodb.tf", "dynamodb.tf")
    assert sum("no projection_type, which the AWS provider requires" in note for note in reviews.notes) == 2


@needs_corpus
def test_workbench_facets_become_entities_and_say_so() -> None:
    shop = import_table(
        CORPUS / "nosql-workbench" / "amazon-dynamodb-design-patterns__AnOnlineShop_facets.json", "shop"
    )
    assert len(shop.entities) == 9
    assert {a: t.source for a, t in shop.entities["customer"].items()} == {"PK": "c#{pk}", "SK": "c#{sk}"}
    assert shop.entities["orderItem"]["PK"].source == "o#{pk}"
    assert any("entities imported from NoSQL Workbench facets" in note for note in shop.notes)


def _rst_outputs(path: Path) -> list[dict]:  # type: ignore[type-arg]
    """The JSON blocks that follow `Output::` in the aws-cli examples."""
    blocks = []
    text = path.read_text()
    for match in re.finditer(r"Output:: *\n\n((?:    .*\n|\n)+)", text):
        blocks.append(json.loads(textwrap.dedent(match.group(1))))
    return blocks


@needs_corpus
def test_real_describe_table_and_create_table_responses_import() -> None:
    outputs = _rst_outputs(CORPUS / "describe-table" / "aws-cli__create-table.rst")
    imported = [summary(import_bytes(json.dumps(o).encode(), "output.json", "create-table.rst")) for o in outputs]
    assert len(imported) == 10
    assert [s[0] for s in imported] == ["MusicCollection"] * 4 + ["GameScores"] * 6
    assert imported[3] == (
        "MusicCollection",
        "Artist:S(H)/SongTitle:S(R)",
        {"AlbumTitleIndex": ("lsi", "Artist:S(H)/AlbumTitle:S(R)", "INCLUDE ['Genre', 'Year']")},
    )
    assert imported[4] == (
        "GameScores",
        "UserId:S(H)/GameTitle:S(R)",
        {"GameTitleIndex": ("gsi", "GameTitle:S(H)/TopScore:N(R)", "INCLUDE ['UserId']")},
    )
    (describe,) = _rst_outputs(CORPUS / "describe-table" / "aws-cli__describe-table.rst")
    imported = import_bytes(json.dumps(describe).encode(), "describe.json", "describe-table.rst")
    assert summary(imported) == ("MusicCollection", "Artist:S(H)/SongTitle:S(R)", {})


def test_a_file_that_defines_no_table_is_rejected(tmp_path: Path) -> None:
    template = tmp_path / "queue.yaml"
    template.write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
    with pytest.raises(ImportProblem, match="defines no DynamoDB table"):
        import_table(template, "queue.yaml")


# Manifests that read the table from a file -----------------------------------------------------

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: prod
Resources:
  Dialogues:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "dialogues-${Stage}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: sk, AttributeType: S }
        - { AttributeName: gsi1pk, AttributeType: S }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
        - { AttributeName: sk, KeyType: RANGE }
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }]
          Projection: { ProjectionType: KEYS_ONLY }
"""
FROM_ONLY = '[table]\nfrom = "infra/template.yaml"\n\n[entity.Dialogue]\npk = "DIALOGUE#{dialogue_id}"\nsk = "META"\n'
STORE = "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str);\n}\n"
GET = '\n[access.DialogueStore.get]\nop = "GetItem"\nentity = "Dialogue"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }\n'


@pytest.fixture
def infra(gate: Gate) -> Gate:
    gate.write("infra/template.yaml", TEMPLATE)
    gate.write("src/store.rs", STORE)
    return gate


def test_the_table_is_read_from_the_template(infra: Gate) -> None:
    infra.manifest(GET, table=FROM_ONLY)
    assert infra.codes() == []
    shown = run_cli("table", cwd=infra.root).stdout
    assert shown.startswith(
        'table "dialogues-prod", read from infra/template.yaml (CloudFormation AWS::DynamoDB::Table Dialogues)'
    )
    assert "GSI GSI1: gsi1pk (S), projection KEYS_ONLY" in shown


def test_an_index_the_infrastructure_lacks_is_sg201(infra: Gate) -> None:
    infra.manifest(
        '\n[access.DialogueStore.get]\nop = "Query"\nindex = "GSI2"\nkey = { gsi2pk = "X#{dialogue_id}" }\n',
        table=FROM_ONLY,
    )
    assert 'uses index "GSI2", which the table does not define (its indexes: GSI1)' in infra.only("SG201").message


def test_an_entity_that_does_not_fit_the_imported_table_is_a_config_error(infra: Gate) -> None:
    infra.manifest(GET, table=FROM_ONLY.replace('sk = "META"', 'sk = "META"\ngsi9pk = "X"'))
    result = run_cli("check", cwd=infra.root)
    assert (
        result.returncode == 2
        and '"gsi9pk" is not a key attribute of the table in infra/template.yaml' in result.stderr
    )


DECLARED = """
[table]
from = "infra/template.yaml"
name = "dialogues-prod"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "N" }

[table.gsi.GSI1]
partition_key = { name = "gsi1pk", type = "S" }
projection = "ALL"

[table.gsi.GSI2]
partition_key = { name = "gsi2pk", type = "S" }

[entity.Dialogue]
pk = "DIALOGUE#{dialogue_id}"
sk = "{n}"
"""


def test_drift_is_reported_per_difference_with_both_values(infra: Gate) -> None:
    infra.manifest(table=DECLARED)
    found = sorted((f.code, f.message) for f in infra.findings())
    assert [code for code, _ in found] == ["SG101", "SG303", "SG303", "SG303"]  # SG101: no access pattern declared here
    assert [message for code, message in found if code == "SG303"] == [
        'table drift: GSI "GSI1" projection is ALL in store-gate.toml but KEYS_ONLY in infra/template.yaml',
        'table drift: GSI "GSI2" is declared in store-gate.toml but infra/template.yaml does not define it: access patterns on it would fail in production',
        "table drift: the sort key is sk (N) in store-gate.toml but sk (S) in infra/template.yaml",
    ]
    lines = {f.message.split(" is ")[0]: f.line for f in infra.findings() if f.code == "SG303"}
    assert lines['table drift: GSI "GSI1" projection'] == infra.line_of('projection = "ALL"')


def test_no_drift_when_they_agree(infra: Gate) -> None:
    agreeing = DECLARED.replace('type = "N"', 'type = "S"').replace('projection = "ALL"', 'projection = "KEYS_ONLY"')
    agreeing = agreeing.replace('\n[table.gsi.GSI2]\npartition_key = { name = "gsi2pk", type = "S" }\n', "").replace(
        'sk = "{n}"', 'sk = "META"'
    )
    infra.manifest(table=agreeing)
    assert "SG303" not in infra.codes()


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        ("infra/t.yaml", "Resources:\n  T:\n    Type: [unclosed\n", "infra/t.yaml:4: YAML syntax"),
        ("infra/t.yaml", "Resources:\n  T:\n    Type: !Bogus x\n", "unknown tag !Bogus at line 3, column 11"),
        ("infra/t.yaml", "Resources: !!python/object/apply:os.system ['touch pwned']\n", "python/object/apply"),
        ("infra/t.tf", 'resource "aws_dynamodb_table" "t" {\n  hash_key = \n}\n', "HCL syntax error at line 2"),
        ("infra/t.json", '{"TableName": "t", "KeySchema": [}', "JSON syntax"),
        ("infra/t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", "defines no DynamoDB table"),
    ],
    ids=["bad-yaml", "unknown-tag", "python-tag", "bad-hcl", "bad-json", "no-table"],
)
def test_a_malformed_template_exits_2_naming_file_and_position(
    gate: Gate, file: str, content: str, expected: str
) -> None:
    gate.write(file, content)
    gate.write("src/store.rs", STORE)
    gate.manifest(table=f'[table]\nfrom = "{file}"\n')
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("invalid config: store-gate.toml:") and "table.from" in line and expected in line
    assert not (gate.root / "pwned").exists(), "nothing in a template is executed"


def test_from_must_stay_inside_the_project(gate: Gate) -> None:
    gate.write("src/store.rs", STORE)
    gate.manifest(table='[table]\nfrom = "../outside.yaml"\n')
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2 and "leaves the manifest's folder" in result.stderr


def test_a_table_without_keys_or_from_is_a_config_error(gate: Gate) -> None:
    gate.write("src/store.rs", STORE)
    gate.manifest(table='[table]\nname = "t"\n')
    result = run_cli("check", cwd=gate.root)
    assert (
        result.returncode == 2
        and 'declare partition_key, or read the table from infrastructure with from = "..."' in result.stderr
    )


# SG301 ----------------------------------------------------------------------------------------


def _gsis(n: int) -> str:
    head = '[table]\npartition_key = { name = "pk", type = "S" }\nsort_key = { name = "sk", type = "S" }\n'
    return head + "".join(f'\n[table.gsi.G{i}]\npartition_key = {{ name = "g{i}", type = "S" }}\n' for i in range(n))


def test_sg301_more_gsis_than_dynamodb_allows(gate: Gate) -> None:
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.manifest(table=_gsis(21))
    assert "defines 21 GSIs; DynamoDB allows 20 per table (the default quota)" in gate.only("SG301").message


def test_sg301_twenty_gsis_pass(gate: Gate) -> None:
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.manifest(table=_gsis(20))
    assert gate.codes() == []


def test_sg301_more_lsis_than_dynamodb_allows(gate: Gate) -> None:
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    lsis = "".join(f'\n[table.lsi.L{i}]\nsort_key = {{ name = "l{i}", type = "S" }}\n' for i in range(6))
    gate.manifest(table=_gsis(0) + lsis)
    assert "defines 6 LSIs; DynamoDB allows 5 per table" in gate.only("SG301").message


def test_sg302_an_lsi_added_in_the_infrastructure_file(tmp_path: Path) -> None:
    from test_diff import git

    gate = Gate(tmp_path)
    gate.write("infra/template.yaml", TEMPLATE)
    gate.write("src/store.rs", STORE)
    gate.manifest(GET, table=FROM_ONLY)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "table")
    with_lsi = TEMPLATE.replace(
        "      GlobalSecondaryIndexes:",
        "      LocalSecondaryIndexes:\n        - IndexName: ByTime\n          KeySchema: [{ AttributeName: pk, KeyType: HASH }, { AttributeName: at, KeyType: RANGE }]\n"
        "          Projection: { ProjectionType: ALL }\n      GlobalSecondaryIndexes:",
    ).replace(
        "        - { AttributeName: gsi1pk, AttributeType: S }",
        "        - { AttributeName: gsi1pk, AttributeType: S }\n        - { AttributeName: at, AttributeType: S }",
    )
    gate.write("infra/template.yaml", with_lsi)
    result = run_cli("check", "--base", "HEAD", cwd=tmp_path)
    assert (
        result.returncode == 1
        and 'SG302 LSI "ByTime" is added to table "dialogues-prod", which exists at the base' in result.stdout
    )
