"""The CLI as a user runs it: a separate process, exit codes, one-line errors, stable output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO, Gate, run_cli

from store_gate.catalogue import RULES

# -- the embedded example --------------------------------------------------------------------


def test_example_passes_and_says_what_it_verified() -> None:
    result = run_cli("check", "examples/blue", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DialogueStore (+ DialogueReads, DialogueWrites): 31 methods, 31 with an access pattern" in result.stdout
    assert result.stdout.rstrip().endswith("All checks passed.")


def test_check_from_inside_the_project_discovers_the_manifest_walking_up() -> None:
    result = run_cli("check", cwd=EXAMPLE / "src" / "store")
    assert result.returncode == 0, result.stderr


def test_output_is_deterministic() -> None:
    first = run_cli("check", "examples/blue", "--format", "json", cwd=REPO)
    second = run_cli("check", "examples/blue", "--format", "json", cwd=REPO)
    assert first.stdout == second.stdout


def test_json_lists_every_governed_method_with_its_access_pattern() -> None:
    result = run_cli("check", "examples/blue", "--format", "json", cwd=REPO)
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    (manifest,) = document["manifests"]
    methods = {f"{m['trait']}.{m['name']}": m for m in manifest["methods"]}
    assert len(methods) == 38  # DialogueStore's 31, SessionStore's 7
    assert methods["DialogueReads.get_round"]["declared_in"] == "inline"
    assert methods["SessionStore.end_sessions"]["access"]["steps"][1]["op"] == "BatchWriteItem"
    assert manifest["tables"]["sessions"]["ttl"] == "expires_at"
    assert methods["DialogueReads.list_all_experts"]["waived"] == ["SG202"]
    assert methods["DialogueStore.list_refs_to"]["access"]["index"] == "Inverted"
    assert methods["DialogueReads.get_dialogue"]["path"] == "examples/blue/src/store/reads.rs"
    assert document["summary"] == {
        "errors": 0,
        "warnings": 0,
        "methods": 38,
        "declared": 38,
        "failed": False,
        "partial": [],
    }


def test_findings_are_printed_as_path_line_col_code_message(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn list_open_tensions(&self) -> Vec<u8>;\n}\n")
    result = run_cli("check", str(gate.root), cwd=gate.root.parent)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        f"{gate.root.name}/src/store.rs:2:8: SG101 DialogueStore.list_open_tensions has no access pattern"
    )


def test_utf8_bom_does_not_shift_columns(gate: Gate) -> None:
    gate.manifest()
    (gate.root / "src").mkdir()
    (gate.root / "src" / "store.rs").write_bytes("\ufeffpub trait DialogueStore {\n    fn get(&self);\n}\n".encode())
    result = run_cli("check", cwd=gate.root)
    assert result.stdout.startswith("src/store.rs:2:8: SG101"), result.stdout


# -- configuration errors: exit 2, one line naming the file and key, no traceback --------------


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda t: t.replace("[table]", "[table"), "store-gate.toml:7: table: TOML syntax"),
        (
            lambda t: t + '\n[access.DialogueStore.get]\nop = "Query"\nindex = "GSI9"\n',
            'access.DialogueStore.get.index: unknown index "GSI9"',
        ),
        (
            lambda t: t.replace('type = "N"', "type = 3"),
            "table.gsi.ByScore.sort_key.type: Input should be 'S', 'N' or 'B' (got 3)",
        ),
        (lambda t: t.replace('name = "t"', 'name = "t"\ncolour = "blue"'), "table.colour: unknown field"),
        (
            lambda t: t.replace('paths = ["src/**/*.rs"]', 'paths = "src"'),
            "store[0].paths: Input should be a valid list",
        ),
        (
            lambda t: t.replace('paths = ["src/**/*.rs"]', 'paths = ["../elsewhere/*.rs"]'),
            "leaves the manifest's folder",
        ),
        (lambda t: t + '\n[access.DialogueStore.get]\nop = "Serch"\n', "access.DialogueStore.get.op: Input should be"),
        (lambda t: t + '\n[access.DialogueStore.get]\nop = "Query"\nkey = { pk = "A#{" }\n', "unclosed '{'"),
        (lambda t: t + '\n[severity]\nSG101 = "warning"\n', "SG101 is a gate rule: its severity cannot be lowered"),
        (lambda t: t.replace("version = 1", "version = 2"), "version: Input should be 1"),
    ],
    ids=[
        "bad-toml",
        "unknown-index",
        "wrong-key-type",
        "unknown-field",
        "paths-not-a-list",
        "glob-leaves-repo",
        "unknown-op",
        "bad-template",
        "lowered-gate-rule",
        "unknown-version",
    ],
)
def test_broken_manifest_exits_2_with_one_line_per_problem(gate: Gate, mutation: object, expected: str) -> None:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    path = gate.root / "store-gate.toml"
    path.write_text(mutation(path.read_text()))  # type: ignore[operator]
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert all(line.startswith("invalid config: store-gate.toml") for line in result.stderr.splitlines())


def test_every_field_error_is_collected_not_just_the_first(gate: Gate) -> None:
    gate.manifest('[access.DialogueStore.a]\nop = "Serch"\n[access.DialogueStore.b]\nop = "Query"\nkolor = 1\n')
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 2


def test_manifest_that_is_not_utf8_is_a_config_error(gate: Gate) -> None:
    (gate.root / "store-gate.toml").write_bytes(b"version = 1\n# caf\xe9\n")
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2 and "not valid UTF-8" in result.stderr


def test_no_manifest_found_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # discovery stops at the repository root
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2 and "no store-gate.toml" in result.stderr


def test_manifest_in_pyproject_and_dot_file_are_discovered(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    text = (gate.root / "store-gate.toml").read_text()
    (gate.root / "store-gate.toml").unlink()
    (gate.root / ".store-gate.toml").write_text(text)
    assert run_cli("check", cwd=gate.root).returncode == 0
    (gate.root / ".store-gate.toml").unlink()
    nested = text.replace("[[store]]", "[[tool.store_gate.store]]").replace("[table", "[tool.store_gate.table")
    nested = nested.replace("[entity.", "[tool.store_gate.entity.").replace(
        "version = 1", "[tool.store_gate]\nversion = 1"
    )
    (gate.root / "pyproject.toml").write_text('[project]\nname = "x"\n\n' + nested)
    assert run_cli("check", cwd=gate.root).returncode == 0
    broken = nested.replace('type = "N"', 'type = "X"')
    (gate.root / "pyproject.toml").write_text('[project]\nname = "x"\n\n' + broken)
    result = run_cli("check", cwd=gate.root)
    assert (
        result.returncode == 2
        and "pyproject.toml" in result.stderr
        and "tool.store_gate.table.gsi.ByScore" in result.stderr
    )


def test_config_flag_overrides_discovery(gate: Gate, tmp_path: Path) -> None:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn a(&self);\n}\n")
    result = run_cli("check", "--config", str(gate.root / "store-gate.toml"), cwd=REPO)
    assert result.returncode == 1 and "SG101" in result.stdout


def test_select_restricts_the_reported_codes(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn a(&self);\n}\n")
    assert run_cli("check", "--select", "SG2", cwd=gate.root).returncode == 0
    assert run_cli("check", "--select", "SG1", cwd=gate.root).returncode == 1
    assert run_cli("check", "--select", "XX", cwd=gate.root).returncode == 2


def test_missing_path_is_a_usage_error() -> None:
    result = run_cli("check", "no/such/dir", cwd=REPO)
    assert result.returncode == 2 and "no such file or directory" in result.stderr


# -- explain, rules, schema, version ---------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_an_explain_page(code: str) -> None:
    result = run_cli("explain", code.lower())
    assert result.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## How to fix"):
        assert section in result.stdout
    assert result.stdout.startswith(code)


def test_explain_unknown_code_exits_2() -> None:
    result = run_cli("explain", "SG999")
    assert result.returncode == 2 and "unknown rule 'SG999'" in result.stderr and "known codes: SG000" in result.stderr


def test_rules_lists_every_code() -> None:
    listed = [line.split()[0] for line in run_cli("rules").stdout.splitlines()]
    assert listed == list(RULES)


def test_version() -> None:
    from store_gate import __version__

    assert run_cli("--version").stdout.strip() == f"store-gate {__version__}"


def test_schema_validates_the_example_manifest_and_rejects_a_broken_one() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from store_gate.config.toml_lines import loads

    schema = json.loads(run_cli("schema").stdout)
    # As an editor sees it: TOML dates are JSON strings.
    manifest = json.loads(json.dumps(loads((EXAMPLE / "store-gate.toml").read_text()), default=str))
    jsonschema.validate(manifest, schema)
    manifest["table"]["partition_key"]["type"] = "X"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, schema)


def test_internal_error_exits_3_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from store_gate import check, cli

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "check", explode)
    assert cli.main(["check", str(EXAMPLE)]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_readme_rule_table_is_the_catalogue() -> None:
    """The README's rules table is what scripts/rules_table.py prints from the catalogue, byte for byte."""
    printed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "rules_table.py")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert printed.returncode == 0, printed.stderr
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("| code | name | default | checks |\n")
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    assert "".join(lines[start:end]) == printed.stdout
    assert printed.stdout.count("\n") == len(RULES) + 2


def test_an_undeclared_method_added_to_the_example_fails_at_its_line(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "blue"
    shutil.copytree(EXAMPLE, copy)
    reads = copy / "src" / "store" / "reads.rs"
    lines = reads.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "async fn get_rfc(" in line) + 1
    lines.insert(at, "    async fn list_stale_tensions(&self, dialogue_id: &DialogueId) -> Result<Vec<Tension>>;\n")
    reads.write_text("".join(lines))
    result = run_cli("check", cwd=copy)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        f"src/store/reads.rs:{at + 1}:14: SG101 DialogueReads.list_stale_tensions has no access pattern"
    )


def test_readme_manifest_reference_is_a_valid_manifest(tmp_path: Path) -> None:
    from store_gate.config import load

    text = (REPO / "README.md").read_text()
    section = text[text.index("## The manifest") :]
    block = section[
        section.index("```toml\n") + len("```toml\n") : section.index("```\n", section.index("```toml\n") + 8)
    ]
    (tmp_path / "store-gate.toml").write_text(block)
    (tmp_path / "governance").mkdir()  # the rules it names are loaded with it
    (tmp_path / "governance" / "no-unwrap.yml").write_text(
        "id: no-unwrap\nlanguage: rust\nrule: { pattern: $X.unwrap() }\nmessage: no unwrap\n"
    )
    (tmp_path / "infra").mkdir()  # the table its [tables.sessions] imports, as the example deploys it
    (tmp_path / "infra" / "sessions.yaml").write_text((REPO / "examples/blue/infra/sessions.yaml").read_text())
    loaded = load(tmp_path / "store-gate.toml", use_cache=False)
    assert loaded.manifest.access["DialogueReads"]["list_rounds"].page == "cursor"
    assert loaded.manifest.boundaries is not None and "sqlite" in loaded.manifest.boundaries.backends


def test_symlinks_leading_outside_the_project_are_not_read(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.rs").write_text("pub trait DialogueStore {\n    fn leaked(&self);\n}\n")
    (outside / "dir").mkdir()
    (outside / "dir" / "more.rs").write_text("pub trait DialogueStore {\n    fn also_leaked(&self);\n}\n")
    (outside / "table.yaml").write_text("Resources: {}\n")
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    (gate.root / "src" / "link.rs").symlink_to(outside / "secret.rs")
    (gate.root / "src" / "linked_dir").symlink_to(outside / "dir")
    # Neither is read (no method of theirs is governed), and neither is skipped silently.
    found = [(f.code, f.path, f.message.split(";")[0]) for f in gate.findings()]
    assert found == [
        ("SG002", "src/link.rs", "leads outside the project (a symlink): the gate reads only inside it"),
        ("SG002", "src/linked_dir", "a folder that leads outside the project (a symlink): not walked"),
    ]
    (gate.root / "infra").mkdir()
    (gate.root / "infra" / "table.yaml").symlink_to(outside / "table.yaml")
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(
        manifest.read_text().replace('[table]\nname = "t"', '[table]\nname = "t"\nfrom = "infra/table.yaml"')
    )
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 2 and "leads outside the project" in result.stderr
