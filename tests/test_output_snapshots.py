"""What a user sees, byte for byte: every output format on the three examples, passing and with
findings. A refactor must not change a byte; a deliberate change regenerates the files with

    STORE_GATE_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_output_snapshots.py

and the diff of tests/snapshots/ is reviewed like code.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from store_gate.report import REPORTERS

SNAPSHOTS = Path(__file__).parent / "snapshots"
FORMATS = tuple(REPORTERS)  # every output format the CLI offers
UPDATE = os.environ.get("STORE_GATE_UPDATE_SNAPSHOTS") == "1"

# One-line changes that break the Rust example in several families at once.
BROKEN_BLUE = [
    (
        "src/store/reads.rs",
        "pub trait DialogueReads {",
        "pub trait DialogueReads { async fn list_stale_tensions(&self, dialogue_id: &DialogueId) "
        "-> Result<Vec<Tension>>; async fn query_gsi1_by_status(&self, status: DialogueStatus) "
        "-> Result<Vec<Dialogue>>;",
    ),
    ("src/store/reads.rs", 'sk = "ROUND#{round}"', 'sk = "ROUND#{round_no}"'),
    (
        "src/store/mod.rs",
        "source: &DocId, cursor: Option<Cursor>) -> Result<Page<Ref>>;",
        "source: &DocId) -> Result<Vec<Ref>>;",
    ),
    (
        "src/domain.rs",
        "pub type Result<T> = std::result::Result<T, StoreError>;",
        'pub type Result<T> = std::result::Result<T, StoreError>; pub const ROUND_PREFIX: &str = "ROUND#";',
    ),
    (
        "src/store/mod.rs",
        "use crate::domain::{Adr, Cursor, DocId, Page, Ref, Result};",
        'use crate::domain::{Adr, Cursor, DocId, Page, Ref, Result}; pub fn raw() { let _ = rusqlite::Connection::open("b"); }',
    ),
    ("store-gate.toml", "[access.DialogueStore.get_adr]", "[access.DialogueStore.get_adrs]"),
]


def _project(tmp_path: Path, name: str) -> Path:
    """A copy of an example under tmp_path/work, so every path in the output is the same."""
    work = tmp_path / "work"
    source = REPO / "examples" / ("blue" if name == "blue-broken" else name)
    shutil.copytree(source, work / "project", ignore=shutil.ignore_patterns("target", ".store-gate-cache"))
    if name == "blue-broken":
        for file, before, after in BROKEN_BLUE:
            path = work / "project" / file
            text = path.read_text(encoding="utf-8")
            assert before in text, (file, before)
            path.write_text(text.replace(before, after, 1), encoding="utf-8")
    return work


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", ["blue", "python", "typescript", "blue-broken"])
def test_output_is_unchanged(tmp_path: Path, example: str, fmt: str) -> None:
    work = _project(tmp_path, example)
    env = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITLAB_CI": "", "PRE_COMMIT": ""}
    result = run_cli("check", "project", "--no-cache", "--format", fmt, cwd=work, env=env)
    assert result.stderr == ""
    assert result.returncode == (1 if example == "blue-broken" else 0)
    snapshot = SNAPSHOTS / f"{example}.{fmt}"
    if UPDATE:
        snapshot.write_text(result.stdout, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot.name}; run with STORE_GATE_UPDATE_SNAPSHOTS=1"
    assert result.stdout == snapshot.read_text(encoding="utf-8")
