"""Where a small check's time goes: the pre-commit path, broken down.

Each round starts a fresh interpreter (start-up costs are paid once per process) that runs
`store-gate check PATH` in-process while it times what Python does for the package as it loads
and runs: creating dataclasses (`dataclasses` generates each class's methods from source text and
compiles them, at every start) and compiling regular expressions; the rest of the import of the
package, and the check itself. Medians over the rounds, in milliseconds.

Usage:
    python bench/startup.py [PATH] [--rounds N]      # PATH defaults to examples/blue
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Runs in the child: the timings of one start, as JSON on the last line of its standard output.
PROBE = r"""
import contextlib, dataclasses, io, json, re, sys, time
start = time.perf_counter()
spent = {"dataclasses": 0.0, "regex compile": 0.0}
classes = [0]

def timed(name, real):
    def run(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - began
    return run

process_class = dataclasses._process_class
def counted(*args, **kwargs):
    classes[0] += 1
    return process_class(*args, **kwargs)
dataclasses._process_class = timed("dataclasses", counted)
re._compile = timed("regex compile", re._compile)
from store_gate.cli import main
imported = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["check", sys.argv[1]])
    except SystemExit:
        pass
done = time.perf_counter()
print(json.dumps({"import store_gate.cli": imported - start, "check": done - imported, "in-process total": done - start,
                  **spent, "classes": classes[0]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="examples/blue")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rounds: list[dict[str, float]] = []
    for _ in range(args.rounds + 1):  # the first fills the validation cache, as a pre-commit run finds it
        done = subprocess.run(
            [sys.executable, "-c", PROBE, args.path], cwd=REPO, capture_output=True, text=True, check=True
        )
        rounds.append(json.loads(done.stdout.splitlines()[-1]))
    rounds = rounds[1:]
    classes = int(rounds[0].pop("classes"))
    for figures in rounds[1:]:
        figures.pop("classes")
    print(f"store-gate check {args.path}: {args.rounds} fresh processes, medians (Python {sys.version.split()[0]})\n")
    for name in rounds[0]:
        median = statistics.median(r[name] for r in rounds) * 1000
        note = f"  ({classes} classes, both the import and the check)" if name == "dataclasses" else ""
        note = note or ("  (both the import and the check)" if name == "regex compile" else "")
        print(f"{name:<24} {median:7.1f} ms{note}")
    print("\n(`check` includes the modules the check imports as it goes: most of the package.)")


if __name__ == "__main__":
    main()
