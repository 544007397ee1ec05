"""Every importer on small infrastructure files written for this project (tests/fixtures/infra/),
so that each is covered without the corpus of real files in ../shared (test_import.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from store_gate.schema.importers import ImportProblem, import_table

FIXTURES = Path(__file__).parent / "fixtures" / "infra"


def keys(index: object) -> str:
    pk, sk = index.partition_key, index.sort_key  # type: ignore[attr-defined]
    return f"{pk.name}:{pk.type}(H)" + (f"/{sk.name}:{sk.type}(R)" if sk else "")


def summary(imported: object) -> tuple[str, str, str | None, str, dict[str, tuple[str, str, str]]]:
    schema = imported.schema  # type: ignore[attr-defined]
    indexes = {str(i.name): (i.kind, keys(i), str(i.projection)) for i in schema.indexes.values()}
    return imported.kind, imported.resource, schema.name, keys(schema.base), indexes  # type: ignore[attr-defined]


CASES = {
    ("sam-template.yaml", "DialoguesTable"): (
        "CloudFormation AWS::DynamoDB::Table",
        "DialoguesTable",
        "dialogues-prod",  # !Sub of a parameter's default
        "pk:S(H)/sk:S(R)",
        {
            "GSI1": ("gsi", "gsi1pk:S(H)/gsi1sk:S(R)", "KEYS_ONLY"),
            "ByTime": ("lsi", "pk:S(H)/lsi1sk:N(R)", "INCLUDE ['title', 'status']"),
        },
    ),
    ("sam-template.yaml", "Sessions"): ("CloudFormation AWS::Serverless::SimpleTable", "Sessions", None, "id:S(H)", {}),
    ("global-table.json", None): (
        "CloudFormation AWS::DynamoDB::GlobalTable",
        "Orders",
        "orders",
        "orderId:S(H)",
        {"byUser": ("gsi", "userId:S(H)/createdAt:N(R)", "ALL")},
    ),
    ("serverless.yml", None): ("Serverless Framework AWS::DynamoDB::Table", "Table", None, "pk:S(H)/sk:S(R)", {}),
    ("table.tf", None): (
        "Terraform resource",
        "aws_dynamodb_table.dialogues",
        "dialogues",  # var.table_name's default
        "pk:S(H)/sk:S(R)",
        {
            "GSI1": ("gsi", "gsi1pk:S(H)/score:N(R)", "INCLUDE ['title']"),
            "ByScore": ("lsi", "pk:S(H)/score:N(R)", "KEYS_ONLY"),
        },
    ),
    ("module.tf", None): (
        "Terraform module call",
        "module.sessions",
        "sessions",
        "user:S(H)/session:S(R)",
        {"ByExpiry": ("gsi", "user:S(H)/expires:N(R)", "ALL")},
    ),
    ("describe-table.json", None): (
        "describe-table Table",
        "music",
        "music",
        "Artist:S(H)/SongTitle:S(R)",
        {"AlbumTitle-index": ("gsi", "AlbumTitle:S(H)", "ALL")},
    ),
    ("create-table.json", None): ("create_table parameters", "events", "events", "stream:S(H)/seq:N(R)", {}),
    ("workbench.json", None): (
        "NoSQL Workbench data model",
        "Shop",
        "Shop",
        "PK:S(H)/SK:S(R)",
        {"GSI1": ("gsi", "GSI1PK:S(H)", "ALL")},
    ),
}


@pytest.mark.parametrize(("file", "resource"), sorted(CASES, key=str), ids=lambda v: str(v))
def test_each_importer_reads_its_fixture(file: str, resource: str | None) -> None:
    imported = import_table(FIXTURES / file, file, resource)
    assert summary(imported) == CASES[(file, resource)]


def test_a_file_with_several_tables_asks_which_one() -> None:
    with pytest.raises(ImportProblem) as raised:
        import_table(FIXTURES / "sam-template.yaml", "sam-template.yaml")
    assert raised.value.message == (
        'defines 2 tables (DialoguesTable (dialogues-prod), Sessions); choose one with resource = "..." or name = "..."'
    )


def test_a_table_is_chosen_by_its_name_too() -> None:
    imported = import_table(FIXTURES / "sam-template.yaml", "sam-template.yaml", name="dialogues-prod")
    assert imported.resource == "DialoguesTable"


def test_what_cannot_be_resolved_is_said_in_the_notes() -> None:
    imported = import_table(FIXTURES / "serverless.yml", "serverless.yml")
    assert imported.notes == [
        'TableName is not static ("${self:service}-table"); the table is known by its definition\'s name'
    ]


def test_workbench_facets_become_entities_inferred_from_sample_items() -> None:
    imported = import_table(FIXTURES / "workbench.json", "workbench.json")
    layouts = {name: {attr: t.source for attr, t in layout.items()} for name, layout in imported.entities.items()}
    assert layouts == {
        "Customer": {"PK": "c#{pk}", "SK": "c#{sk}"},
        "Order": {"PK": "c#{pk}", "SK": "o#{sk}", "GSI1PK": "o#{gsi1pk}"},
    }
    assert imported.notes == [
        "entities imported from NoSQL Workbench facets, their key templates inferred from sample items: Customer, Order"
    ]


def test_a_terraform_index_without_projection_type_is_sg307_in_check(tmp_path: Path) -> None:
    import json as json_module
    import subprocess
    import sys

    text = (FIXTURES / "table.tf").read_text()
    text = text.replace('    projection_type = "INCLUDE"\n    non_key_attributes = ["title"]\n', "")
    assert "INCLUDE" not in text
    (tmp_path / "table.tf").write_text(text)
    (tmp_path / "store-gate.toml").write_text(
        'version = 1\n[[store]]\ntrait = "S"\npaths = ["*.rs"]\n[table]\nfrom = "table.tf"\n'
    )
    (tmp_path / "s.rs").write_text("pub trait S {}\n")
    done = subprocess.run(
        [sys.executable, "-m", "store_gate", "check", "--format", "json"], cwd=tmp_path, capture_output=True, text=True
    )
    findings = json_module.loads(done.stdout)["findings"]
    assert [(f["code"], f["severity"], f["line"]) for f in findings] == [("SG307", "warning", 6)], done.stdout[-3000:]
    assert findings[0]["message"].startswith(
        'table.tf: aws_dynamodb_table.dialogues: index "GSI1" has no projection_type, which the AWS provider requires'
    )


def test_a_table_without_a_name_is_said_to_have_none() -> None:
    from store_gate.schema import describe

    imported = import_table(FIXTURES / "sam-template.yaml", "sam-template.yaml", "Sessions")
    text = describe.render_text(imported.schema, "read from sam-template.yaml", imported, {})
    assert text.startswith("table (no TableName / name in the file), read from")


def test_several_tables_none_with_a_static_name_say_so_at_once(tmp_path: Path) -> None:
    template = (
        (FIXTURES / "sam-template.yaml")
        .read_text()
        .replace('TableName: !Sub "dialogues-${Stage}"', "TableName: !Ref Undefined")
    )
    path = tmp_path / "t.yaml"
    path.write_text(template)
    with pytest.raises(ImportProblem) as raised:
        import_table(path, "t.yaml")
    assert raised.value.message.startswith("defines 2 tables and none has a static name")
    with pytest.raises(ImportProblem) as by_name:
        import_table(path, "t.yaml", name="dialogues")
    assert "none of the file's tables has a static name" in by_name.value.message
