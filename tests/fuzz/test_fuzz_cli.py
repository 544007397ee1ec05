"""The command line as a user runs it, a separate process: whatever the manifest, the baseline,
the infrastructure file or the options, the exit code is 0, 1 or 2, standard error never holds a
traceback or an internal error, and every line of an exit-2 error is one problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fuzzing import EXAMPLES, INFRA, budget, mutated_text, project, write
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_manifest import TOML_TOKENS

from store_gate.report import REPORTERS

MANIFEST = (EXAMPLES / "blue" / "store-gate.toml").read_text(encoding="utf-8")
BASELINE = json.dumps(
    {"schema_version": 2, "entries": [{"code": "SG101", "subject": "DialogueStore.get_adr", "count": 1, "reason": "r"}]}
)
OPTIONS = st.lists(
    st.sampled_from(
        [["--format", name] for name in REPORTERS]
        + [["--select", "SG1"], ["--select", "SG0,SG1,SG2"], ["--ignore", "SG202"], ["--select", "X,,"], ["--no-cache"]]
        + [["--extend-select", "SG4"], ["--baseline", "store-gate-baseline.json"], ["--output", "sarif=out/x.sarif"]]
    ),
    max_size=3,
)


def run(*args: str, cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "store_gate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
        env={**os.environ, "GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": ""},
    )
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    if result.returncode == 2:
        lines = result.stderr.splitlines()
        assert lines, "exit 2 without a message"
        for line in lines:
            assert line.startswith(("invalid config: ", "store-gate: ")), f"not a one-line error: {line!r}"


@budget(6)
@given(data=st.data(), options=OPTIONS, baseline=st.booleans())
def test_check_exits_0_1_or_2(data: st.DataObject, options: list[list[str]], baseline: bool) -> None:
    with project("blue") as root:
        write(root, "store-gate.toml", data.draw(mutated_text(MANIFEST, TOML_TOKENS)))
        if baseline:
            write(root, "store-gate-baseline.json", data.draw(mutated_text(BASELINE, ["{", "}", "[", '"', "1", ","])))
        run("check", *[part for option in options for part in option], cwd=root)


@budget(4)
@given(
    data=st.data(),
    fixture=st.sampled_from(sorted(p.name for p in INFRA.iterdir())),
    form=st.sampled_from(["text", "json"]),
)
def test_table_from_exits_0_or_2(data: st.DataObject, fixture: str, form: str) -> None:
    with project() as root:
        text = data.draw(
            mutated_text(
                (INFRA / fixture).read_text(encoding="utf-8"), ["{", "}", "[", "]", ":", "-", "=", '"', "!Ref "]
            )
        )
        write(root, fixture, text)
        run("table", "--from", fixture, "--format", form, cwd=root)
