from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from store_gate.check import CheckResult, check
from store_gate.config import load
from store_gate.findings import Finding

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "blue"
SHARED = REPO.parent / "shared"

# A table with every kind of index, and entities laid out on it; rule tests add a trait and
# access patterns to it.
TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.GSI1]
partition_key = { name = "gsi1pk", type = "S" }
sort_key = { name = "gsi1sk", type = "S" }

[table.gsi.ByScore]
partition_key = { name = "game", type = "S" }
sort_key = { name = "score", type = "N" }

[table.lsi.ByTime]
sort_key = { name = "lsi1sk", type = "S" }

[entity.Dialogue]
pk = "DIALOGUE#{dialogue_id}"
sk = "META"
gsi1pk = "STATUS#{status}"
gsi1sk = "CREATED#{created_at}"

[entity.Round]
pk = "DIALOGUE#{dialogue_id}"
sk = "ROUND#{round}"
lsi1sk = "AT#{at}"

[entity.Score]
pk = "PLAYER#{player}"
sk = "SCORE#{game}"
game = "{game}"
score = "{score}"
"""


@dataclass
class Gate:
    """A temporary project: a manifest and Rust sources, checked in-process."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def manifest(self, access: str = "", extra: str = "", table: str = TABLE, paths: str = '["src/**/*.rs"]') -> None:
        head = f'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = {paths}\n'
        self.write("store-gate.toml", head + table + textwrap.dedent(access) + textwrap.dedent(extra))

    def line_of(self, text: str, file: str = "store-gate.toml") -> int:
        lines = (self.root / file).read_text(encoding="utf-8").splitlines()
        return next(i for i, line in enumerate(lines, start=1) if text in line)

    def run(self) -> CheckResult:
        return check(load(self.root / "store-gate.toml"))

    def findings(self) -> list[Finding]:
        return self.run().findings

    def run_at(self, manifest: str) -> list[Finding]:
        """The findings of the manifest at `manifest` (relative to the root)."""
        return check(load(self.root / manifest)).findings

    def codes(self) -> list[str]:
        return [f.code for f in self.findings()]

    def only(self, code: str, also: tuple[str, ...] = ()) -> Finding:
        """The one finding of `code`; the run's findings must be exactly it and the codes `also`
        names (those that follow from it): a spurious extra finding fails."""
        found = self.findings()
        assert sorted(f.code for f in found) == sorted([code, *also]), f"expected {code} (+ {also}), got {found}"
        (one,) = [f for f in found if f.code == code]
        return one


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The gate's per-user cache, for this test session: a folder of its own, not the user's."""
    os.environ["STORE_GATE_CACHE_DIR"] = str(tmp_path_factory.mktemp("store-gate-cache"))


@pytest.fixture
def gate(tmp_path: Path) -> Gate:
    return Gate(tmp_path)


def run_cli(
    *args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: a separate process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "store_gate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )
