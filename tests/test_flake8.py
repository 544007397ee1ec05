"""The real flake8 executable, with the store-gate plugin installed from this repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("flake8", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the flake8 executable is not installed (pip install -e '.[dev]')")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "python"
    shutil.copytree(REPO / "examples" / "python", copy, ignore=shutil.ignore_patterns(".store-gate-cache"))
    return copy


def add_method(project: Path, line: str) -> int:
    reads = project / "dialogue" / "reads.py"
    lines = reads.read_text().splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if "async def dialogues_by_status" in text)
    lines[at:at] = [line + "\n", "\n"]
    reads.write_text("".join(lines))
    return at + 1


def implement(project: Path, method: str) -> None:
    """Add a method to the example's DynamoDB backend class (its last member is a method)."""
    backend = project / "dialogue" / "backend" / "dynamodb.py"
    backend.write_text(backend.read_text() + "\n" + method + "\n")


def test_flake8_version_lists_the_plugin(project: Path) -> None:
    from store_gate import __version__

    assert f"store-gate: {__version__}" in flake8("--version", cwd=project).stdout


def test_flake8_reports_exactly_the_undeclared_method_at_its_line(project: Path) -> None:
    assert flake8("--select", "SG", "dialogue", cwd=project).stdout == ""
    line = add_method(project, "    async def count_rounds(self, dialogue_id: str) -> int: ...")
    result = flake8("--select", "SG", "dialogue", cwd=project)
    assert result.returncode == 1
    (only,) = result.stdout.splitlines()
    assert only.startswith(f"dialogue/reads.py:{line}:15: SG101 DialogueReads.count_rounds has no access pattern")


def test_flake8_noqa_silences_the_editor_but_not_the_gate(project: Path) -> None:
    add_method(project, "    async def count_rounds(self, dialogue_id: str) -> int: ...  # noqa: SG101")
    assert flake8("--select", "SG", "dialogue", cwd=project).returncode == 0
    gate = run_cli("check", cwd=project)
    assert gate.returncode == 1 and "SG101 DialogueReads.count_rounds" in gate.stdout


def test_flake8_checks_the_project_once_not_once_per_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    from store_gate import check as check_module
    from store_gate import flake8_plugin

    calls: list[object] = []
    real = check_module.check
    monkeypatch.setattr(check_module, "check", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(flake8_plugin, "_findings_by_manifest", {})
    monkeypatch.setattr(flake8_plugin, "_manifest_of_folder", {})
    for name in ("model.py", "reads.py", "store.py", "__init__.py"):
        path = project / "dialogue" / name
        text = path.read_text()
        list(flake8_plugin.StoreGateChecker(ast.parse(text), str(path), text.splitlines(True)).run())
    assert len(calls) == 1


def test_flake8_reports_a_broken_manifest_instead_of_passing(project: Path) -> None:
    manifest = project / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace('op = "UpdateItem"', 'op = "Updat"'))
    result = flake8("--select", "SG", "dialogue", cwd=project)
    assert result.returncode == 1
    # Once in each file that names the store's trait: the Protocol's, and its backend's.
    reported = [
        line.split(":")[0]
        for line in result.stdout.splitlines()
        if "SG000 store-gate cannot check this project: invalid config: store-gate.toml" in line
    ]
    assert reported == ["dialogue/backend/dynamodb.py", "dialogue/store.py"]


def test_files_outside_any_manifest_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "m.py").write_text("class DialogueStore:\n    def a(self) -> None: ...\n")
    assert flake8("--select", "SG", "m.py", cwd=tmp_path).returncode == 0


def test_flake8_checks_the_buffer_it_was_given_not_the_file_on_disk(project: Path) -> None:
    """An editor lints unsaved text through stdin: the findings are the buffer's, not stale ones."""
    reads = project / "dialogue" / "reads.py"
    saved = reads.read_text()
    lines = saved.splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if "async def dialogues_by_status" in text)
    lines[at:at] = ["    async def count_rounds(self, dialogue_id: str) -> int: ...\n", "\n"]
    unsaved = "".join(lines)
    exe = shutil.which("flake8", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the flake8 executable is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [exe, "--select", "SG", "--stdin-display-name", "dialogue/reads.py", "-"],
        cwd=project,
        input=unsaved,
        capture_output=True,
        text=True,
        check=False,
    )
    (only,) = done.stdout.splitlines()
    assert only.startswith(f"dialogue/reads.py:{at + 1}:15: SG101 DialogueReads.count_rounds has no access pattern")
    assert reads.read_text() == saved  # the file on disk is untouched, and clean
    assert flake8("--select", "SG", "dialogue", cwd=project).stdout == ""


def test_flake8_reports_the_step_of_an_inline_multi_step_declaration(project: Path) -> None:
    declared = (
        "    async def end_rounds(self, dialogue_id: str) -> int:\n"
        '        """Deletes a page of rounds.\n\n'
        '        @access { steps = [{ op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", '
        'sk = { begins_with = "ROUND#" } }, limit = 25 }, { op = "BatchWriteItem", items = [{ op = "DeleteItem", '
        'key = { pk = "{item.pk}", sk = "{item.SK}" } }] }] }\n'
        '        """\n        ...'
    )
    line = add_method(project, declared)
    implement(
        project,
        "    async def end_rounds(self, dialogue_id: str) -> int:\n"
        '        condition = Key("pk").eq(f"DIALOGUE#{dialogue_id}") & Key("sk").begins_with("ROUND#")\n'
        "        found = self.table.query(KeyConditionExpression=condition, Limit=25)\n"
        "        with self.table.batch_writer() as batch:\n"
        '            for item in found["Items"]:\n'
        '                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})\n'
        '        return len(found["Items"])',
    )
    result = flake8("--select", "SG", "dialogue", cwd=project)
    (only,) = result.stdout.splitlines()
    assert only.startswith(f"dialogue/reads.py:{line + 3}:")
    assert "SG206 DialogueReads.end_rounds (step 2 item 1): placeholder {item.SK}" in only
    add_method(project, "")  # keep the file shape; now fix the attribute name
    reads = project / "dialogue" / "reads.py"
    reads.write_text(reads.read_text().replace("{item.SK}", "{item.sk}"))
    assert flake8("--select", "SG", "dialogue", cwd=project).stdout == ""


def test_flake8_accepts_a_method_that_touches_no_data_with_its_reason(project: Path) -> None:
    add_method(
        project,
        '    def name(self) -> str:\n        """@access { op = "none", reason = "the store\'s name, held in memory" }"""\n'
        "        ...",
    )
    implement(project, '    def name(self) -> str:\n        return "dynamodb"')
    assert flake8("--select", "SG", "dialogue", cwd=project).stdout == ""
