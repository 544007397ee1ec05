"""store-gate's speed, measured as whole commands run side by side in one go.

Each round runs every command once, in turn (interleaved, so a noisy machine disturbs them
alike); the figures are medians over the rounds, and ratios are taken between medians of the
same run. Peak RSS is each child's own (`os.wait4`: the rusage of that one child, what
`resource.getrusage(RUSAGE_CHILDREN)` would report in a wrapper that ran only it).

Usage:
    python bench/bench.py [--rounds N]                  # the generated shapes and the example
    python bench/bench.py --tree DIR [--trait NAME] [--paths GLOB] [--module M] [--allow GLOB]

With `--tree`, DIR (any checkout) is copied to a temporary folder and committed there as a git
repository; the script writes a manifest governing the trait NAME (default: the `pub trait`
mentioned in the most files) under `paths`, with `[boundaries] paths = ["**/*.rs"]` and one
backend (`--backend`, default dynamodb; its client modules plus `--module`; `--allow` its
modules). It runs `store-gate check` next to `ast-grep scan` with the equivalent SG501 rule alone
(two threads), and `check --base HEAD` with one file changed.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate, generate_many_files, generate_many_stores  # noqa: E402

Command = tuple[list[str], Path, "dict[str, str] | None"]
# As installed: modules are loaded from their bytecode (a wheel's install compiles it), so the
# children may write __pycache__ (the warm-up round does); nothing else of the caller's changes.
_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**_ENVIRONMENT, **(env or {})},
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} (in {cwd}) failed: {errors.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss


def _unrelated_tree(root: Path, files: int) -> None:
    """Many Rust files that cannot hold the governed trait, plus the example's own."""
    subprocess.run(["cp", "-r", str(REPO / "examples" / "blue"), str(root)], check=True)
    filler = "".join(f"pub fn helper_{i}(x: u32) -> u32 {{ x.wrapping_mul({i}) }}\n" for i in range(200))
    for i in range(files):
        path = root / "src" / "vendor" / f"m{i // 50}" / f"f{i}.rs"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"pub trait Other{i} {{ fn x(&self); }}\n" + filler)


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _commit_all(root: Path) -> None:
    """A repository whose base commit tracks every file (`-f`: as the checkout tracked them)."""
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A", "-f")
    _git(root, "commit", "-q", "--no-verify", "-m", "base")


def _copy_tree(source: Path, target: Path) -> None:
    """The checkout's files: a git work tree's tracked and untracked files (not what it ignores),
    else every file."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        return
    for raw in sorted(set(listed.stdout.split(b"\0"))):
        relative = os.fsdecode(raw)
        if not relative or not os.path.lexists(source / relative):
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        if os.path.islink(source / relative):
            os.symlink(os.readlink(source / relative), target / relative)
        elif os.path.isfile(source / relative):
            shutil.copy2(source / relative, target / relative)


def _touch(path: Path) -> None:
    """One file changed since the base: a comment appended."""
    with path.open("a", encoding="utf-8") as out:
        out.write("// changed since the base\n")


# -- a real tree -------------------------------------------------------------------------------

_PUB_TRAIT = re.compile(rb"\bpub trait ([A-Za-z_][A-Za-z0-9_]*)")


def _rust_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.rs") if ".git" not in p.parts and p.is_file()]


def _default_trait(root: Path) -> str:
    """The `pub trait` mentioned in the most files: the tree's most used abstraction."""
    files = _rust_files(root)
    texts = [p.read_bytes() for p in files]
    defined = {m.group(1) for text in texts for m in _PUB_TRAIT.finditer(text)}
    mentions = collections.Counter(
        name for text in texts for name in set(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", text)) if name in defined
    )
    if not mentions:
        raise SystemExit("--tree: no `pub trait` in the tree; pass --trait NAME")
    return mentions.most_common(1)[0][0].decode()


def _client_roots(backend: str, extra: list[str]) -> list[str]:
    """The crate roots SG501 looks for in Rust for one backend: the language table's and `modules`."""
    from store_gate.languages import LANGUAGES

    rust = next(language for language in LANGUAGES if language.name == "rust")
    modules = [module for module, serves in rust.backend_modules if backend in serves] + extra
    return sorted({module.split("::")[0] for module in modules})


def _tree_manifest(trait: str, paths: str, backend: str, modules: list[str], allow: list[str]) -> str:
    return f"""version = 1

[[store]]
trait = "{trait}"
paths = ["{paths}"]

[table]
name = "bench"
partition_key = {{ name = "pk", type = "S" }}
sort_key = {{ name = "sk", type = "S" }}

[entity.Item]
pk = "ITEM#{{item_id}}"
sk = "META"

[boundaries]
paths = ["**/*.rs"]

[boundaries.backends.{backend}]
allow = [{", ".join(f'"{g}"' for g in allow)}]
modules = [{", ".join(f'"{m}"' for m in modules)}]
"""


def _sg501_rule(roots: list[str], allow: list[str]) -> str:
    """SG501 for Rust, as store-gate runs it for this backend: its `backend-client` regex set to
    the backend's crate roots, its allowed modules ignored (`**/` first: ast-grep matches
    `ignores` against paths as it walks them)."""
    rule = (REPO / "rules" / "rust" / "SG501-rust.yml").read_text(encoding="utf-8")
    alternation = "|".join(re.escape(r) for r in sorted(roots, key=lambda r: (-len(r), r)))
    regex = f"^(?:::)?(?:{alternation})(?:::|$)"
    rule = re.sub(
        r'(backend-client:\n\s+regex: )".*"', lambda m: m.group(1) + '"' + regex.replace("\\", "\\\\") + '"', rule
    )
    ignores = ", ".join(f'"**/{g}"' for g in allow)
    return rule.replace("\nutils:", f"\nignores: [{ignores}]\nutils:", 1)


def _tree_setup(args: argparse.Namespace, work: Path) -> tuple[dict[str, Command], str, str]:
    source = Path(args.tree).resolve()
    tree = work / "tree"
    _copy_tree(source, tree)
    trait = args.trait or _default_trait(tree)
    roots = _client_roots(args.backend, args.module)
    (tree / "store-gate.toml").write_text(_tree_manifest(trait, args.paths, args.backend, args.module, args.allow))
    (work / "sg501.yml").write_text(_sg501_rule(roots, args.allow))
    _commit_all(tree)
    definer = re.compile(rb"\btrait\s+" + re.escape(trait.encode()) + rb"\b")
    changed = next((p for p in sorted(_rust_files(tree)) if definer.search(p.read_bytes())), None)
    if changed is None:
        raise SystemExit(f"--tree: trait {trait} is defined in no .rs file of the tree")
    _touch(changed)
    py = sys.executable
    gate = [py, "-m", "store_gate", "check", "--format", "json"]
    sg = shutil.which("ast-grep", path=str(Path(py).parent)) or shutil.which("ast-grep")
    if sg is None:
        raise SystemExit("ast-grep (the native CLI, pip install ast-grep-cli) is not installed")
    commands: dict[str, Command] = {
        f"tree: store-gate check ({trait})": (gate, tree, None),
        "tree: ast-grep scan SG501 -j 2": (
            [sg, "scan", "-r", str(work / "sg501.yml"), "-j", "2", "--json=compact"],
            tree,
            None,
        ),
        "tree: store-gate check --base HEAD (1 file changed)": ([*gate, "--base", "HEAD"], tree, None),
    }
    files = _rust_files(tree)
    size = sum(p.stat().st_size for p in files)
    changed_name = changed.relative_to(tree)
    described = f"{source.name}: {len(files)} .rs files, {size / 1e6:.1f} MB; trait {trait}; changed {changed_name}"
    return commands, described, trait


# -- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--tree", metavar="DIR", help="also measure this checkout against ast-grep")
    parser.add_argument("--trait", help="with --tree: the governed trait (default: the most mentioned pub trait)")
    parser.add_argument("--paths", default="**/*.rs", help="with --tree: the store's paths glob (default **/*.rs)")
    parser.add_argument("--backend", default="dynamodb", help="with --tree: the backend's name (default dynamodb)")
    parser.add_argument("--module", action="append", default=[], help="with --tree: a client module of the backend")
    parser.add_argument("--allow", action="append", default=None, help="with --tree: a module allowed to hold it")
    parser.add_argument("--no-generated", action="store_true", help="measure only --tree (and python -c pass)")
    args = parser.parse_args()
    args.allow = args.allow or ["**/backends/**"]
    py = sys.executable
    gate = [py, "-m", "store_gate"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        commands: dict[str, Command] = {"python -c pass": ([py, "-c", "pass"], REPO, None)}
        if not args.no_generated:
            for n in (1_000, 10_000):
                generate(work / f"n{n}", n)
            generate_many_files(work / "files")
            generate_many_stores(work / "stores")
            _unrelated_tree(work / "unrelated", 800)
            generate_many_files(work / "based")
            _commit_all(work / "based")
            _touch(work / "based" / "src" / "parts" / "part500.rs")
            commands.update(
                {
                    "store-gate --version": ([*gate, "--version"], REPO, None),
                    "store-gate explain SG101": ([*gate, "explain", "SG101"], REPO, None),
                    "check examples/blue (pre-commit path)": ([*gate, "check", "examples/blue"], REPO, None),
                    "check examples/blue --no-cache (first run)": (
                        [*gate, "check", "--no-cache", "examples/blue"],
                        REPO,
                        None,
                    ),
                    "check examples/blue + 800 unrelated .rs files": ([*gate, "check"], work / "unrelated", None),
                    "check 1,000 methods / 1,000 declarations": ([*gate, "check"], work / "n1000", None),
                    "check 10,000 methods / 10,000 declarations": ([*gate, "check"], work / "n10000", None),
                    "check 10,000 methods over 1,000 files": ([*gate, "check"], work / "files", None),
                    "check 1,000 [[store]] entries, one trait per file": ([*gate, "check"], work / "stores", None),
                    "check --base HEAD, 1 of 1,000 files changed": (
                        [*gate, "check", "--base", "HEAD"],
                        work / "based",
                        None,
                    ),
                }
            )
        described = trait = ""
        if args.tree:
            tree_commands, described, trait = _tree_setup(args, work)
            commands.update(tree_commands)
        for command, cwd, env in commands.values():  # warm: caches filled, files in the page cache
            _run(command, cwd, env)
        samples: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (command, cwd, env) in commands.items():
                samples[name].append(_run(command, cwd, env))
        medians = {name: statistics.median(t for t, _ in values) for name, values in samples.items()}
        peaks = {name: statistics.median(r for _, r in values) for name, values in samples.items()}

    base = medians["python -c pass"]
    print(f"store-gate benchmark: {args.rounds} interleaved rounds, medians (Python {sys.version.split()[0]})\n")
    if described:
        print(described + "\n")
    print(f"{'command':<58} {'median':>9} {'x python -c pass':>17} {'peak RSS':>9}")
    for name, value in medians.items():
        print(f"{name:<58} {value * 1000:>7.0f}ms {value / base:>16.1f}x {peaks[name] / 1024:>7.0f}MB")

    def goal(label: str, value: float, limit: float, unit: str = "x") -> None:
        shown = f"{value:.2f} s" if unit == "s" else f"{value:.2f}x"
        print(f"  {label}: {shown}  {'ok' if value <= limit else 'MISSED'}")

    print("\ngoals")
    if not args.no_generated:
        blue = medians["check examples/blue (pre-commit path)"]
        goal("pre-commit path on the example <= 8x python -c pass", blue / base, 8)
        cold = medians["check examples/blue --no-cache (first run)"]
        print(f"    (a first run, which validates the manifest with pydantic: {cold / base:.1f}x)")
        goal("10,000 methods in one trait <= 2 s", medians["check 10,000 methods / 10,000 declarations"], 2, "s")
        files = medians["check 10,000 methods over 1,000 files"]
        goal("10,000 methods over 1,000 files <= 2 s", files, 2, "s")
        goal("1,000 [[store]] entries <= 2 s", medians["check 1,000 [[store]] entries, one trait per file"], 2, "s")
        based = medians["check --base HEAD, 1 of 1,000 files changed"]
        goal("--base, 1 of 1,000 files changed, vs its full check <= 0.5x", based / files, 0.5)
        unrelated = medians["check examples/blue + 800 unrelated .rs files"]
        print(f"  800 unrelated files cost {(unrelated - blue) * 1000:.0f} ms over the example alone")
    if args.tree:
        full = f"tree: store-gate check ({trait})"
        sg = "tree: ast-grep scan SG501 -j 2"
        goal("tree: full check vs ast-grep <= 0.5x", medians[full] / medians[sg], 0.5)
        print(f"  tree: peak RSS {peaks[full] / 1024:.0f} MB (ast-grep: {peaks[sg] / 1024:.0f} MB), goal <= 60 MB")
        based = medians["tree: store-gate check --base HEAD (1 file changed)"]
        goal("tree: --base, 1 file changed, vs full check <= 0.5x", based / medians[full], 0.5)


if __name__ == "__main__":
    main()
