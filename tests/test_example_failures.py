"""Every one-line change documented in examples/README.md produces the failure it names."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO, run_cli

ROW = re.compile(r"^\| (SG\d{3}) \| `([^`]+)` \| `([^`]+)` \| `([^`]*)` \|$")


def documented_changes() -> list[tuple[str, str, str, str]]:
    text = (REPO / "examples" / "README.md").read_text(encoding="utf-8")
    rows = [m.groups() for m in map(ROW.match, text.splitlines()) if m]
    assert len(rows) >= 12, "the failure table of examples/README.md did not parse"
    return rows  # type: ignore[return-value]


@pytest.mark.parametrize(("code", "file", "before", "after"), documented_changes(), ids=lambda v: str(v)[:24])
def test_documented_one_line_change_fails_with_its_code(
    tmp_path: Path, code: str, file: str, before: str, after: str
) -> None:
    copy = tmp_path / "blue"
    shutil.copytree(EXAMPLE, copy)
    target = copy / file
    text = target.read_text(encoding="utf-8")
    assert text.count(before) >= 1, f"{before!r} is no longer in {file}"
    target.write_text(text.replace(before, after, 1), encoding="utf-8")
    result = run_cli("check", str(copy), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert code in {f["code"] for f in findings}, result.stdout
    assert result.returncode == (1 if any(f["severity"] == "error" for f in findings) else 0)
