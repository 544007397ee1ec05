"""store-gate's speed, measured as whole commands run side by side in one go.

Each round runs every command once, in turn (interleaved, so a noisy machine disturbs them
alike); the figures are medians over the rounds, and ratios are taken between medians of the
same run. Usage:  python bench/bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def _time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return elapsed


def _unrelated_tree(root: Path, files: int) -> None:
    """Many Rust files that cannot hold the governed trait, plus the example's own."""
    subprocess.run(["cp", "-r", str(REPO / "examples" / "blue"), str(root)], check=True)
    filler = "".join(f"pub fn helper_{i}(x: u32) -> u32 {{ x.wrapping_mul({i}) }}\n" for i in range(200))
    for i in range(files):
        path = root / "src" / "vendor" / f"m{i // 50}" / f"f{i}.rs"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"pub trait Other{i} {{ fn x(&self); }}\n" + filler)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=11)
    rounds = parser.parse_args().rounds
    py = sys.executable
    gate = [py, "-m", "store_gate"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in (1_000, 10_000):
            generate(work / f"n{n}", n)
        _unrelated_tree(work / "tree", 800)
        commands = {
            "python -c pass": ([py, "-c", "pass"], REPO),
            "store-gate --version": ([*gate, "--version"], REPO),
            "store-gate explain SG101": ([*gate, "explain", "SG101"], REPO),
            "check examples/blue (pre-commit path)": ([*gate, "check", "examples/blue"], REPO),
            "check examples/blue --no-cache (first run)": ([*gate, "check", "--no-cache", "examples/blue"], REPO),
            "check examples/blue + 800 unrelated .rs files": ([*gate, "check"], work / "tree"),
            "check 1,000 methods / 1,000 declarations": ([*gate, "check"], work / "n1000"),
            "check 10,000 methods / 10,000 declarations": ([*gate, "check"], work / "n10000"),
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, (command, cwd) in commands.items():
                samples[name].append(_time(command, cwd))
        medians = {name: statistics.median(values) for name, values in samples.items()}

    base = medians["python -c pass"]
    print(f"store-gate benchmark: {rounds} interleaved rounds, medians (Python {sys.version.split()[0]})\n")
    print(f"{'command':<50} {'median':>10} {'x python -c pass':>18}")
    for name, value in medians.items():
        print(f"{name:<50} {value * 1000:>8.0f}ms {value / base:>17.1f}x")
    big, small = (
        medians["check 10,000 methods / 10,000 declarations"],
        medians["check 1,000 methods / 1,000 declarations"],
    )
    blue = medians["check examples/blue (pre-commit path)"]
    tree = medians["check examples/blue + 800 unrelated .rs files"]
    print("\ngoals")
    print(
        f"  pre-commit path within 15x of python -c pass: {blue / base:.1f}x  {'ok' if blue / base <= 15 else 'MISSED'}"
    )
    cold = medians["check examples/blue --no-cache (first run)"]
    print(f"    (a first run, which validates the manifest with pydantic: {cold / base:.1f}x)")
    print(f"  10,000 methods under 2 s: {big:.2f} s  {'ok' if big < 2 else 'MISSED'}")
    print(f"  10,000 within 12x of 1,000: {big / small:.1f}x  {'ok' if big / small <= 12 else 'MISSED'}")
    print(f"  800 unrelated files cost {(tree - blue) * 1000:.0f} ms over the example alone (prefilter: never parsed)")


if __name__ == "__main__":
    main()
