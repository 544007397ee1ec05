"""A seeded random sample of mutmut's mutants, stratified per module, and its score.

A full mutation run of a large module takes hours; a sample gives an honest estimate of the score
with a confidence interval and real survivors to kill. mutmut must have generated the mutants
first (mutants/**/*.py.meta hold every mutant name); `mutmut run` always generates every mutant and
collects which tests reach which function, whatever the names it is given, so the first step is a
run of one small module:

    MUTATION_JOBS=2 nice -n 19 scripts/mutation.sh 'store_gate.extract.inline.*'
    sample="--seed 1 --per-module 80 --whole store_gate.extract.sgnodes store_gate.extract.*"
    MUTATION_JOBS=2 nice -n 19 scripts/mutation.sh $(python3 scripts/mutation_sample.py $sample)
    python3 scripts/mutation_sample.py --score $sample

The sample is the names of each module matching a pattern (fnmatch on the dotted module name),
`--per-module` of them drawn with a generator seeded by `--seed` and the module's name (a module
with no more mutants, or matching a `--whole` pattern, is taken whole), sorted, one a line: the
same arguments give the same names.
`--score` prints, per module, the sample's results (scripts/mutation_score.py's classes) with a 95%
Wilson interval of the score killed / (killed + survived + no tests). `--names FILE` scores the
names an earlier run printed (saved to FILE) instead: after an edit of the source, a module's count
of mutants, and so the draw, may change.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

from mutation_score import kind

Z95 = 1.959963984540054


def mutants_by_module(root: Path) -> dict[str, dict[str, int | None]]:
    """Every mutant's result (None if not run), per dotted module name."""
    found: dict[str, dict[str, int | None]] = {}
    for meta in sorted(root.glob("store_gate/**/*.py.meta")):
        module = ".".join(meta.relative_to(root).with_suffix("").with_suffix("").parts)
        try:
            found[module] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        except (OSError, ValueError, KeyError) as error:
            raise SystemExit(f"cannot read {meta} ({error}): is mutmut writing it? Try again") from None
    return found


def sample(names: list[str], seed: int, module: str, per_module: int) -> list[str]:
    ordered = sorted(names)
    if len(ordered) <= per_module:
        return ordered
    return sorted(random.Random(f"{seed}:{module}").sample(ordered, per_module))


def wilson(killed: int, judged: int) -> tuple[float, float]:
    if not judged:
        return (0.0, 1.0)
    p = killed / judged
    centre = p + Z95**2 / (2 * judged)
    spread = Z95 * math.sqrt(p * (1 - p) / judged + Z95**2 / (4 * judged**2))
    scale = 1 + Z95**2 / judged
    return ((centre - spread) / scale, (centre + spread) / scale)


def score_row(module: str, total: int, codes: list[int | None]) -> str:
    counts = Counter(kind(code) for code in codes)
    judged = counts["killed"] + counts["survived"] + counts["no tests"]
    low, high = wilson(counts["killed"], judged)
    score = f"{100 * counts['killed'] / judged:.1f}%" if judged else "-"
    cells = [module, f"{len(codes)} / {total}", counts["killed"], counts["survived"], counts["no tests"]]
    cells += [counts["not run"] + counts["other"], score, f"{100 * low:.1f}% - {100 * high:.1f}%"]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("patterns", nargs="+", help="dotted module names, fnmatch patterns")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--per-module", type=int, required=True, metavar="N")
    parser.add_argument("--whole", action="append", default=[], metavar="PATTERN", help="modules taken whole")
    parser.add_argument("--score", action="store_true", help="print the sample's score per module")
    parser.add_argument("--root", type=Path, default=Path("mutants"))
    parser.add_argument(
        "--names", type=Path, metavar="FILE", help="score the names in FILE (an earlier sample) instead of drawing"
    )
    args = parser.parse_args(argv)
    modules = {
        module: codes
        for module, codes in mutants_by_module(args.root).items()
        if codes and any(fnmatch(module, pattern) for pattern in args.patterns)
    }
    if not modules:
        wanted = " ".join(args.patterns)
        print(f"no mutants of {wanted} in {args.root}/: run scripts/mutation.sh first", file=sys.stderr)
        return 2
    picked: dict[str, list[str]] = {}
    for module, by_name in modules.items():
        whole = any(fnmatch(module, pattern) for pattern in args.whole)
        picked[module] = sample(list(by_name), args.seed, module, len(by_name) if whole else args.per_module)
    if args.names is not None:  # the same names after the source changed: a changed function's mutants differ
        listed = set(args.names.read_text(encoding="utf-8").split())
        picked = {module: sorted(listed & set(by_name)) for module, by_name in modules.items()}
    if not args.score:
        print("\n".join(name for module in sorted(picked) for name in picked[module]))
        return 0
    print("| module | sampled / total | killed | survived | no tests | not run | score | 95% Wilson |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    everything: list[int | None] = []
    for module in sorted(picked):
        results = [modules[module][name] for name in picked[module]]
        everything += results
        print(score_row(module, len(modules[module]), results))
    # The pooled row weighs each module by its sample, not by its size: it is no estimate of the
    # whole package's score when modules are sampled at different rates.
    print(score_row("**sample, pooled**", sum(map(len, modules.values())), everything))
    return 0


if __name__ == "__main__":
    sys.exit(main())
