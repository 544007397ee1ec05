"""The gate never crashes on what it reads: mutated sources give findings, never an internal
error (bugbear's habit of fuzzing itself, with a fixed seed so a failure reproduces)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from store_gate.check import check
from store_gate.config import load

SOURCES = [
    "examples/blue/src/store/reads.rs",
    "examples/blue/src/store/mod.rs",
    "examples/python/dialogue/reads.py",
    "examples/typescript/src/reads.ts",
]


def _mutate(text: str, rng: random.Random) -> str:
    position = rng.randrange(len(text))
    choice = rng.randrange(4)
    if choice == 0:  # delete a slice
        return text[:position] + text[position + rng.randrange(1, 40) :]
    if choice == 1:  # insert punctuation
        return text[:position] + rng.choice("{}()<>;:,#!@\"'`\\/*&|") * rng.randrange(1, 4) + text[position:]
    if choice == 2:  # duplicate a slice
        end = min(len(text), position + rng.randrange(1, 80))
        return text[:end] + text[position:end] + text[end:]
    return text[:position] + "\u00e9\u4e2d\U0001f600" + text[position:]  # non-ASCII


@pytest.mark.parametrize("source", SOURCES)
def test_mutated_sources_give_findings_never_a_crash(tmp_path: Path, source: str) -> None:
    example = REPO / Path(source).parts[0] / Path(source).parts[1]
    rng = random.Random(f"store-gate:{source}")
    for round_ in range(25):
        copy = tmp_path / f"r{round_}"
        shutil.copytree(example, copy, ignore=shutil.ignore_patterns(".store-gate-cache"))
        target = copy / Path(*Path(source).parts[2:])
        target.write_text(_mutate(target.read_text(encoding="utf-8"), rng), encoding="utf-8")
        result = check(load(copy / "store-gate.toml", use_cache=False))  # must not raise
        assert all(f.line >= 1 and f.column >= 1 for f in result.findings)
