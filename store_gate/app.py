"""The application layer: what each command does, with no argument parsing and no printing of
its own results. The CLI parses arguments, calls these, renders and picks the exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from store_gate.errors import UsageError

DEFAULT_BASELINE = "store-gate-baseline.json"  # next to the manifest; used when it exists

if TYPE_CHECKING:
    from store_gate.check import CheckResult
    from store_gate.config import LoadedManifest
    from store_gate.selection import Selection


@dataclass(frozen=True)
class Target:
    """Which project(s) a command runs on, and how."""

    paths: tuple[str, ...] = ()
    config: str | None = None  # --config FILE
    base: str | None = None  # --base REF
    baseline: str | None = None  # --baseline FILE
    use_cache: bool = True
    cache_dir: str | None = None  # --cache-dir (else STORE_GATE_CACHE_DIR, else the user's cache)


def manifests(target: Target) -> list[Path]:
    """The manifests to run: --config, or the one found walking up from each path."""
    from store_gate import config

    found: list[Path] = []
    if target.config:
        manifest = Path(target.config)
        if not manifest.is_file():
            raise UsageError(f"--config {target.config}: no such file")
        found.append(manifest)
    for raw in target.paths or ((".",) if not target.config else ()):
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if target.config:
            continue
        discovered = config.discover(path)
        if discovered is None:
            raise UsageError(
                f"{raw}: no store-gate.toml, .store-gate.toml or [tool.store_gate] in pyproject.toml "
                "in this folder or above it (up to the repository root); create one or pass --config FILE"
            )
        if discovered.resolve() not in {m.resolve() for m in found}:
            found.append(discovered)
    return found


def baseline_path(target: Target, loaded: LoadedManifest) -> tuple[Path, str, bool]:
    """(path, as shown, whether it must exist): --baseline, the manifest's `baseline`, or the
    default file next to the manifest when it exists."""
    from store_gate.sources import inside, shown

    if target.baseline:
        path, display, required = Path(target.baseline), target.baseline, True
    else:
        declared = loaded.manifest.baseline
        path = loaded.root / (declared or DEFAULT_BASELINE)
        display, required = shown(path), declared is not None
    if not inside(loaded.root, path.parent) or path.is_symlink():
        raise UsageError(
            f"baseline {display}: the baseline is read and written only inside the project ({shown(loaded.root)}), "
            "never through a symlink"
        )
    return path, display, required


def _quiet_gc() -> None:
    import gc

    # A short-lived process that allocates one object per node, method and key: collecting
    # the young generation every 700 allocations cost ~20% of a 10,000-method check.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def check_manifest(
    loaded: LoadedManifest, target: Target, selection: Selection | None, use_baseline: bool
) -> CheckResult:
    from store_gate import git
    from store_gate.check import Accepted, check

    base = git.choose_base(loaded.root, target.base)
    accepted = None
    if use_baseline:
        path, display, required = baseline_path(target, loaded)
        if required or path.exists():
            from store_gate import baseline as ratchet  # only a project with a baseline reads one

            accepted = Accepted(ratchet.load(path, display), path, display)
    return check(loaded, selection, base=base, baseline=accepted)


def check_all(target: Target, selection: Selection | None) -> list[CheckResult]:
    """`store-gate check`: every manifest, with its baseline."""
    from store_gate import config

    _quiet_gc()
    results = [
        check_manifest(
            config.load(m, use_cache=target.use_cache, cache_folder=target.cache_dir),
            target,
            selection,
            use_baseline=True,
        )
        for m in manifests(target)
    ]
    if selection is not None:
        selection.check_ids(rule.code for result in results for rule in result.user_rules)
    return results


@dataclass(frozen=True)
class BaselineOutcome:
    lines: list[str]  # what to tell the user
    left_out: int  # findings the written baseline does not accept: they still fail


def write_baselines(target: Target, update: bool, allow_grow: bool, reason: str | None = None) -> BaselineOutcome:
    """`store-gate baseline`: write (or, with `update`, narrow) each manifest's baseline."""
    from store_gate import baseline as ratchet
    from store_gate import config

    if allow_grow and not update:
        raise UsageError("--allow-grow goes with --update")
    _quiet_gc()
    lines: list[str] = []
    left_out = 0
    for manifest in manifests(target):
        loaded = config.load(manifest, use_cache=target.use_cache, cache_folder=target.cache_dir)
        path, shown, _ = baseline_path(target, loaded)
        if path.exists() and not update:
            raise UsageError(
                f"{shown} exists; use --update to remove fixed entries (it never grows without --allow-grow)"
            )
        old = ratchet.load(path, shown, require_reasons=False) if path.exists() else None
        result = check_manifest(loaded, target, None, use_baseline=False)
        plan = ratchet.plan(result.findings, old, allow_grow, result.rules, reason)
        ratchet.write(path, plan.baseline)
        total = sum(plan.baseline.entries.values())
        lines.append(
            f"{shown}: {total} entries" + (f", {plan.removed} removed as fixed" if old is not None else " written")
        )
        for f in plan.left_out:
            why = "new" if ratchet.key_of(f, result.rules) is not None else "not baselinable"
            lines.append(f"  {why}: {result.display_path(f.path)}:{f.line}:{f.column}: {f.code} {f.message}")
        left_out += len(plan.left_out)
    if left_out:
        lines.append(
            f"store-gate: {left_out} findings are not in the baseline and still fail "
            "(new ones need --update --allow-grow)"
        )
    return BaselineOutcome(lines, left_out)
