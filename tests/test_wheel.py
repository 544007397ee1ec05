"""Packaging proof: the wheel, installed in a fresh virtual environment, runs the gate with the
rules it ships - not the source tree's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A command outside this test run's PYTHONPATH: a source tree on it (PYTHONPATH=. or a
    worktree) would shadow the installed wheel."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False, timeout=900, env=env)


def test_the_installed_wheel_checks_the_example_with_its_own_rules(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="the build package is needed (pip install -e '.[dev]')")
    built = _run(sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(REPO))
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("store_gate-*.whl")

    listing = _run(sys.executable, "-m", "zipfile", "-l", str(wheel)).stdout
    assert "store_gate/astgrep_rules/rust/SG501-rust.yml" in listing
    assert "store_gate/astgrep_rules/sgconfig.yml" in listing
    assert "store_gate/docs/SG101.md" in listing  # every rule's page, read with importlib.resources
    assert any(
        line.strip().startswith(("store_gate-", "licenses/")) and "LICENSE" in line for line in listing.splitlines()
    )

    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    python = venv / "bin" / "python"
    installed = _run(str(python), "-m", "pip", "install", "--quiet", str(wheel))
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]

    where = _run(
        str(python),
        "-c",
        "from store_gate.rules.structural import builtin_rules_dir; print(builtin_rules_dir())",
        cwd=tmp_path,
    )
    rules_dir = Path(where.stdout.strip())
    assert venv in rules_dir.parents and rules_dir.name == "astgrep_rules", where.stdout + where.stderr

    project = tmp_path / "blue"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".store-gate-cache"))
    gate = venv / "bin" / "store-gate"
    clean = _run(str(gate), "check", cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    (project / "src" / "report.rs").write_text(
        'pub fn rounds() {\n    let conn = rusqlite::Connection::open("blue.db");\n}\n'
    )
    failing = _run(str(gate), "check", cwd=project)
    assert failing.returncode == 1 and "src/report.rs:2:16: SG501" in failing.stdout, failing.stdout + failing.stderr
