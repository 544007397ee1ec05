"""The manifest's two layers: pydantic models validate, dataclasses run. They must agree, and the
validation cache must never let an unvalidated text through."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import typing
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_cli

from store_gate.config import model, validation
from store_gate.schema.table import Projection

PAIRS = [
    (validation.Manifest, model.Manifest),
    (validation.Store, model.Store),
    (validation.AccessPattern, model.AccessPattern),
    (validation.Waiver, model.Waiver),
    (validation.Boundaries, model.Boundaries),
    (validation.Backend, model.Backend),
]


def test_the_declared_table_is_built_into_the_one_table_model() -> None:
    """`[table]` runs as the same TableSchema the importers produce: one model of keys and indexes."""
    data = {
        "name": "t",
        "partition_key": {"name": "pk", "type": "S"},
        "sort_key": {"name": "sk", "type": "S"},
        "gsi": {"G": {"partition_key": {"name": "g", "type": "N"}, "projection": "KEYS_ONLY"}},
        "lsi": {"L": {"sort_key": {"name": "l", "type": "S"}}},
    }
    schema = model.Table.from_data(data).to_schema()
    assert [(i.name, i.kind, i.key_names, str(i.projection)) for i in (schema.base, *schema.indexes.values())] == [
        (None, "table", ("pk", "sk"), "ALL"),
        ("G", "gsi", ("g",), "KEYS_ONLY"),
        ("L", "lsi", ("pk", "l"), "ALL"),
    ]
    assert schema.attribute_types == {"pk": "S", "sk": "S", "g": "N", "l": "S"}


@pytest.mark.parametrize(("validating", "running"), PAIRS, ids=[p[1].__name__ for p in PAIRS])
def test_validation_model_and_runtime_class_have_the_same_fields(validating: typing.Any, running: typing.Any) -> None:
    # the runtime's own views of `table = ...`, `attributes = [...]` and `copies` inside [entity.*]
    derived = {"entity_table", "entity_attributes", "entity_copies"}
    assert set(validating.model_fields) == {f.name for f in dataclasses.fields(running)} - derived


def test_defaults_agree_between_the_layers() -> None:
    data = {
        "version": 1,
        "store": [{"trait": "S", "paths": ["*.rs"]}],
        "table": {
            "partition_key": {"name": "pk", "type": "S"},
            "gsi": {"G": {"partition_key": {"name": "g", "type": "S"}}},
        },
        "access": {"S": {"m": {"op": "Query", "key": {"pk": "A#{a}"}}}},
        "waiver": [{"rule": "SG101", "method": "S.m"}],
    }
    assert validation.manifest_problems(data) == []
    built = model.build_manifest(data)
    validated = validation.Manifest.model_validate(data)
    assert built.fail_on == validated.fail_on and built.severity == validated.severity
    pattern, checked = built.access["S"]["m"], validated.access["S"]["m"]
    for name in ("index", "entity", "consistent", "page", "limit"):
        assert getattr(pattern, name) == getattr(checked, name), name
    # pydantic does not run validators on defaults: the raw default must parse to the same value
    assert built.table.to_schema().indexes["G"].projection == Projection.parse(validated.table.gsi["G"].projection)
    assert (built.waiver[0].reason, built.waiver[0].expires) == (
        validated.waiver[0].reason,
        validated.waiver[0].expires,
    )


def _copy_example(tmp_path: Path) -> Path:
    copy = tmp_path / "blue"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".store-gate-cache"))
    return copy


PROBE = (
    "import sys, runpy; sys.argv = ['store-gate', 'check']; "
    "code = 0\ntry:\n runpy.run_module('store_gate', run_name='__main__')\nexcept SystemExit as e:\n code = e.code\nprint('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC', code)"
)


def _probe(cwd: Path, cache: Path) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "STORE_GATE_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, capture_output=True, text=True, check=False, env=env)
    return done.stdout.strip().splitlines()[-1]


def test_a_warm_run_does_not_import_pydantic_and_writes_nothing_in_the_project(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    cache = tmp_path / "user-cache"
    assert _probe(project, cache) == "PYDANTIC 0"  # first run validates
    assert (cache / "validated").is_file() and not (project / ".store-gate-cache").exists()
    assert _probe(project, cache) == "NO-PYDANTIC 0"  # same bytes: already validated


def test_a_forged_cache_entry_cannot_pass_an_unknown_operation(tmp_path: Path) -> None:
    """A digest planted in the cache skips pydantic's messages, never its verdict: the runtime
    model refuses an operation validation would refuse, and the text is validated in full."""
    from store_gate.config.cache import ValidationCache

    project = _copy_example(tmp_path)
    manifest = project / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace('op = "DeleteItem"', 'op = "FullTableScan"'))
    cache = tmp_path / "user-cache"
    forged = ValidationCache(cache)
    forged.add(forged.digest("manifest", manifest.read_text()))
    forged.save()
    cached = run_cli("check", cwd=project, env={"STORE_GATE_CACHE_DIR": str(cache)})
    fresh = run_cli("check", "--no-cache", cwd=project)
    assert cached.returncode == fresh.returncode == 2
    assert cached.stderr == fresh.stderr and "op: Input should be" in fresh.stderr


def test_a_cache_folder_inside_the_project_is_refused(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    result = run_cli("check", cwd=project, env={"STORE_GATE_CACHE_DIR": str(project / ".store-gate-cache")})
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "is inside the checked project" in line and "never trusted" in line


def test_a_cache_committed_in_the_repository_is_never_read(tmp_path: Path) -> None:
    """A clone that carries a forged .store-gate-cache/ gets exactly the result of --no-cache."""
    from store_gate.config.cache import ValidationCache

    project = _copy_example(tmp_path)
    manifest = project / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace('op = "DeleteItem"', 'op = "FullTableScan"'))
    forged = ValidationCache(project / ".store-gate-cache")
    forged.add(forged.digest("manifest", manifest.read_text()))
    forged.save()
    cached, fresh = run_cli("check", cwd=project), run_cli("check", "--no-cache", cwd=project)
    assert (cached.returncode, cached.stdout, cached.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)


TABLE_PROBE = PROBE.replace(
    "print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC', code)",
    "print('YAML' if 'yaml' in sys.modules else 'NO-YAML', code)",
)


def _table_probe(cwd: Path, cache: Path) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "STORE_GATE_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", TABLE_PROBE], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    return done.stdout.strip().splitlines()[-1]


def _as_without_cache(project: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """`check --format json` with the user cache; asserted to print and exit exactly as a run
    with --no-cache does."""
    cached = run_cli("check", "--format", "json", cwd=project, env={"STORE_GATE_CACHE_DIR": str(cache)})
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project)
    assert (cached.returncode, cached.stdout, cached.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    return cached


def test_a_warm_run_reads_an_imported_table_without_its_importer(tmp_path: Path) -> None:
    """examples/blue imports [tables.sessions] from a CloudFormation template: once imported, the
    same bytes are answered from the user's cache - no PyYAML, the same result as --no-cache."""
    project = _copy_example(tmp_path)
    cache = tmp_path / "user-cache"
    assert _table_probe(project, cache) == "YAML 0"
    assert len(list(cache.glob("table-*.json"))) == 1
    assert _table_probe(project, cache) == "NO-YAML 0"
    _as_without_cache(project, cache)


def test_an_edited_infrastructure_file_is_imported_again(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    cache = tmp_path / "user-cache"
    env = {"STORE_GATE_CACHE_DIR": str(cache)}
    assert run_cli("check", cwd=project, env=env).returncode == 0
    template = project / "infra" / "sessions.yaml"
    template.write_text(template.read_text().replace("AttributeType: S", "AttributeType: N", 1))
    assert _as_without_cache(project, cache).returncode != 0


def test_a_table_cache_entry_that_does_not_read_back_is_imported_again(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    cache = tmp_path / "user-cache"
    env = {"STORE_GATE_CACHE_DIR": str(cache)}
    assert run_cli("check", cwd=project, env=env).returncode == 0
    (entry,) = cache.glob("table-*.json")
    for forged in ('{"schema": 1}', "[]", "not json", '{"schema": {"name": null, "base": {}}}'):
        entry.write_text(forged)
        assert _table_probe(project, cache) == "YAML 0", forged
        entry.write_text(forged)
        _as_without_cache(project, cache)


def test_a_table_imported_by_another_interpreter_is_imported_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PynamoDB and CDK models are parsed by the running Python's `ast`, which another Python may
    refuse (3.12's `type X = ...` on 3.11): what one interpreter kept in the shared user cache is
    not another's answer - here a parser that refuses the models refuses them, cache or not."""
    import sys

    from store_gate.config import load
    from store_gate.errors import ConfigError
    from store_gate.schema.importers import ImportProblem, pynamodb

    project = tmp_path / "project"
    project.mkdir()
    (project / "models.py").write_bytes(
        (Path(__file__).parent / "fixtures" / "infra" / "pynamodb_models.py").read_bytes()
    )
    manifest = (
        'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/**/*.rs"]\n\n[table]\nfrom = "models.py"\n'
    )
    (project / "store-gate.toml").write_text(manifest)
    cache = str(tmp_path / "user-cache")
    assert load(project / "store-gate.toml", cache_folder=cache).table.name == "shop"

    def refused(text: str) -> None:
        raise ImportProblem("Python syntax error at line 1: invalid syntax", line=1)

    monkeypatch.setattr(sys, "version", "3.99.0 (another interpreter)")
    monkeypatch.setattr(pynamodb, "parse", refused)
    with pytest.raises(ConfigError) as raised:
        load(project / "store-gate.toml", cache_folder=cache)
    assert [p.message for p in raised.value.problems] == ["models.py:1: Python syntax error at line 1: invalid syntax"]


def test_the_cache_fingerprint_covers_every_module_an_importer_imports() -> None:
    """A cached table is this build's import of the bytes only if every store_gate module the
    importers run is in the fingerprint: a change to one (how a note is worded, `display.one_line`)
    imports again."""
    import ast

    from store_gate.config import cache

    package = Path(cache.__file__).resolve().parent.parent
    imported: set[str] = set()
    for source in sorted((package / "schema" / "importers").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("store_gate."):
                imported.add(node.module)
    covered = {*cache._VALIDATING, *cache._READING}
    missing = sorted(
        module
        for module in imported
        if not module.startswith("store_gate.schema.importers")
        and module != "store_gate.sources"  # reads a file by path: import_bytes is given the bytes
        and module.removeprefix("store_gate.").replace(".", "/") + ".py" not in covered
    )
    assert missing == []


def test_an_edit_after_a_cached_run_is_validated_again(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    assert run_cli("check", cwd=project).returncode == 0
    manifest = project / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace('op = "DeleteItem"', 'op = "DeleteIt"'))
    result = run_cli("check", cwd=project)
    assert result.returncode == 2 and "Input should be" in result.stderr


def test_an_edited_inline_declaration_is_validated_again(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    assert run_cli("check", cwd=project).returncode == 0
    store = project / "src" / "store" / "reads.rs"
    store.write_text(
        store.read_text().replace('op = "GetItem", entity = "Round"', 'op = "GetItem", colour = 1, entity = "Round"')
    )
    result = run_cli("check", cwd=project)
    assert result.returncode == 1 and "colour: unknown field" in result.stdout


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    project = _copy_example(tmp_path)
    cache = tmp_path / "user-cache"
    assert run_cli("check", "--no-cache", cwd=project, env={"STORE_GATE_CACHE_DIR": str(cache)}).returncode == 0
    assert not cache.exists() and not (project / ".store-gate-cache").exists()


@pytest.mark.parametrize("args", [["--version"], ["explain", "SG101"], ["rules"]])
def test_version_explain_and_rules_do_not_build_manifest_models(args: list[str]) -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom store_gate.cli import main\n"
        f"try:\n main({args!r})\nexcept SystemExit:\n pass\n"
        "print('pydantic' in sys.modules, 'store_gate.config.model' in sys.modules, 'ast_grep_py' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip().splitlines()[-1] == "False False False"


LAZY = ("store_gate.baseline", "store_gate.flake8_plugin", "wcmatch", "subprocess")


def test_a_warm_run_without_baseline_imports_neither_the_baseline_nor_subprocess(tmp_path: Path) -> None:
    """The pre-commit path's start-up: the example's globs are simple (matched without wcmatch)
    and it has no baseline, so the baseline's module, the flake8 plugin and subprocess (git
    ls-files is spawned directly) are never imported."""
    import os
    import subprocess
    import sys

    project = _copy_example(tmp_path)
    probe = PROBE.replace("print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC', code)", "")
    probe += f"\nprint(code, sorted(m for m in {LAZY!r} if m in sys.modules))"
    env = {**os.environ, "STORE_GATE_CACHE_DIR": str(tmp_path / "user-cache")}
    runs = [
        subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=False, env=env)
        for _ in range(2)
    ]
    assert runs[1].stdout.strip().splitlines()[-1] == "0 []"
