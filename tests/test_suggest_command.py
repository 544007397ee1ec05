"""`store-gate suggest Trait.method`: what serves an undeclared method, or the index to add -
and what it prints, pasted into the manifest, passes the gate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_cli

READS = "src/store/reads.rs"
ANCHOR = "    async fn list_open_tensions(&self"


@pytest.fixture
def blue(tmp_path: Path) -> Path:
    copy = tmp_path / "blue"
    shutil.copytree(EXAMPLE, copy)
    return copy


def add_method(project: Path, signature: str) -> None:
    reads = project / READS
    text = reads.read_text(encoding="utf-8")
    assert ANCHOR in text
    reads.write_text(text.replace(ANCHOR, f"    {signature}\n{ANCHOR}", 1), encoding="utf-8")


def implement(project: Path, method: str) -> None:
    """Add the method to the example's DynamoDB backend too (SG704 names a governed method it lacks)."""
    backend = project / "src/backend/dynamodb.rs"
    text = backend.read_text(encoding="utf-8")
    anchor = "impl DialogueReads for DynamoStore {\n"
    assert anchor in text
    backend.write_text(text.replace(anchor, anchor + method + "\n\n", 1), encoding="utf-8")


def suggest(project: Path, method: str) -> dict[str, object]:
    result = run_cli("suggest", method, str(project), "--format", "json")
    assert result.returncode == 0, result.stderr
    advice: dict[str, object] = json.loads(result.stdout)
    return advice


def findings(project: Path) -> list[tuple[str, str]]:
    result = run_cli("check", str(project), "--format", "json")
    return [(f["code"], f["message"].split(" ")[0]) for f in json.loads(result.stdout)["findings"]]


def paste(project: Path, lines: list[str]) -> None:
    """Apply the printed blocks as a user would: an entity block's lines join that entity's
    existing table (TOML cannot open it twice); every other block is appended."""
    manifest = project / "store-gate.toml"
    text = manifest.read_text(encoding="utf-8")
    blocks = "\n".join(lines).split("\n\n")
    for block in blocks:
        header, _, body = block.partition("\n")
        if header.startswith("[entity."):
            existing = header.split("  #")[0]
            assert existing + "\n" in text
            text = text.replace(existing + "\n", f"{existing}\n{body}\n", 1)
        else:
            text += f"\n{block}\n"
    manifest.write_text(text, encoding="utf-8")


def test_a_method_an_existing_key_serves_gets_that_declaration_and_it_passes(blue: Path) -> None:
    add_method(
        blue,
        "async fn list_tensions_of(&self, dialogue_id: &DialogueId, cursor: Option<Cursor>) -> Result<Page<Tension>>;",
    )
    assert findings(blue) == [("SG101", "DialogueReads.list_tensions_of")]

    advice = suggest(blue, "DialogueReads.list_tensions_of")
    assert advice["serving"] == [
        '{ op = "Query", entity = "Tension", key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "TENSION#" } }, '
        'page = "cursor" }'
    ]  # not the LSI ByTime: Tension items carry no lsi1sk, so that sparse index never holds them
    assert advice["proposal"] == []
    serving_lines = advice["serving_lines"]
    assert isinstance(serving_lines, list)
    paste(blue, [str(advice["access_key"]), *serving_lines[0]])
    implement(
        blue,
        "    async fn list_tensions_of(&self, dialogue_id: &DialogueId, _cursor: Option<Cursor>) -> Result<Page<Tension>> {\n"
        '        page(self.query_table(format!("DIALOGUE#{}", dialogue_id.0), Some("TENSION#".into()), 100).await?)\n'
        "    }",
    )
    assert findings(blue) == []


def test_a_method_no_index_serves_gets_a_new_overloaded_gsi_and_pasted_it_passes(blue: Path) -> None:
    add_method(
        blue,
        "async fn list_tensions_by_expert(&self, expert_id: &ExpertId, cursor: Option<Cursor>) -> Result<Page<Tension>>;",
    )

    advice = suggest(blue, "DialogueReads.list_tensions_by_expert")
    assert advice["serving"] == []
    proposal = advice["proposal"]
    assert isinstance(proposal, list)
    # GSI1's gsi1pk is already Tension's (by status): the proposal opens gsi2pk/gsi2sk, never a Scan
    assert proposal[:3] == [
        "[table.gsi.GSI2]",
        'partition_key = { name = "gsi2pk", type = "S" }',
        'sort_key = { name = "gsi2sk", type = "S" }',
    ]
    assert 'key = { gsi2pk = "EXPERT#{expert_id}" }' in proposal
    assert "Scan" not in json.dumps(advice)
    assert "GSI2" in str(advice["cost"])
    paste(blue, proposal)
    implement(
        blue,
        "    async fn list_tensions_by_expert(&self, expert_id: &ExpertId, _cursor: Option<Cursor>) -> Result<Page<Tension>> {\n"
        '        let found = self.client.query().table_name(&self.table).index_name("GSI2")\n'
        '            .key_condition_expression("gsi2pk = :pk")\n'
        '            .expression_attribute_values(":pk", s(format!("EXPERT#{}", expert_id.0)))\n'
        "            .send().await.map_err(err)?;\n"
        "        Ok(Page { items: decode(found.items.unwrap_or_default())?, cursor: None })\n"
        "    }",
    )
    assert findings(blue) == []


def test_text_output_names_the_method_and_what_to_paste(blue: Path) -> None:
    add_method(
        blue,
        "async fn list_tensions_by_expert(&self, expert_id: &ExpertId, cursor: Option<Cursor>) -> Result<Page<Tension>>;",
    )
    result = run_cli("suggest", "list_tensions_by_expert", str(blue))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "DialogueReads.list_tensions_by_expert: no access pattern"
    assert lines[1].startswith("no existing index serves it with a bounded Query or GetItem; add this index")
    assert "  [access.DialogueReads.list_tensions_by_expert]" in lines
    assert lines[-1].startswith("cost: each Tension item written also writes a new GSI GSI2")


def test_a_declared_method_shows_its_declaration(blue: Path) -> None:
    advice = suggest(blue, "DialogueReads.get_round")
    assert (
        advice["declared"]
        == '{ op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } }'
    )


def test_an_unknown_method_is_a_usage_error_with_a_near_name(blue: Path) -> None:
    result = run_cli("suggest", "DialogueReads.get_rounds", str(blue))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("store-gate: no governed method 'DialogueReads.get_rounds' (did you mean")
    assert "DialogueReads.get_round" in result.stderr and len(result.stderr.splitlines()) == 1
