"""A pytest plugin for scripts/mutation.sh: after each test of mutmut's stats run, the calls its
child processes recorded (sitecustomize.py) count as the test's own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


@pytest.hookimpl(tryfirst=True)  # before mutmut's own teardown hook files the test's calls
def pytest_runtest_teardown(item: Any, nextitem: Any) -> None:
    folder = os.environ.get("MUTMUT_SUBPROCESS_HITS")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not folder:
        return
    from mutmut.state import state

    for hits in Path(folder).glob("*.hits"):
        state()._stats.update(hits.read_text(encoding="utf-8").split())
        hits.unlink()
