"""The mutation score per module, from the results mutmut keeps in mutants/ (scripts/mutation.sh).

killed counts what a test caught (a failure or a time-out); survived is what every test reaching
the mutant let pass; no tests is a mutant in code the selected tests never run; not run is a
mutant the run did not reach (an interrupted run). The score is killed / (killed + survived +
no tests).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, -24, 24, 152, 255}  # a test failed or the mutant timed out
SURVIVED = {0}
NO_TESTS = {5, 33}


def kind(code: int | None) -> str:
    if code is None:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"


def main() -> int:
    root = Path("mutants")
    metas = sorted(root.glob("store_gate/**/*.py.meta"))
    if not metas:
        print("no results in mutants/: run scripts/mutation.sh first", file=sys.stderr)
        return 2
    columns = ("killed", "survived", "no tests", "not run", "other")
    total: Counter[str] = Counter()
    print(f"| module | mutants | {' | '.join(columns)} | score |")
    print("|---|---:|" + "---:|" * len(columns) + "---:|")
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts = Counter(kind(code) for code in codes.values())
        total += counts
        print(row(str(meta.relative_to(root))[: -len(".meta")], len(codes), counts, columns))
    print(row("**all**", sum(total.values()), total, columns))
    return 0


def row(name: str, mutants: int, counts: Counter[str], columns: tuple[str, ...]) -> str:
    judged = counts["killed"] + counts["survived"] + counts["no tests"]
    score = f"{100 * counts['killed'] / judged:.1f}%" if judged else "-"
    return f"| {name} | {mutants} | {' | '.join(str(counts[c]) for c in columns)} | {score} |"


if __name__ == "__main__":
    sys.exit(main())
