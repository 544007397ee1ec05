"""The application layer: what each command does, with no argument parsing and no printing of
its own results. The CLI parses arguments, calls these, renders and picks the exit code."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store_gate.errors import UsageError

DEFAULT_BASELINE = "store-gate-baseline.json"  # next to the manifest; used when it exists

if TYPE_CHECKING:
    from store_gate.check import CheckResult
    from store_gate.config import LoadedManifest
    from store_gate.selection import Selection
    from store_gate.sources import GitTree


@dataclass(frozen=True)
class Target:
    """Which project(s) a command runs on, and how."""

    paths: tuple[str, ...] = ()
    config: str | None = None  # --config FILE
    base: str | None = None  # --base REF
    baseline: str | None = None  # --baseline FILE
    use_cache: bool = True
    cache_dir: str | None = None  # --cache-dir (else STORE_GATE_CACHE_DIR, else the user's cache)


def manifests(target: Target, every_manifest: bool = False) -> list[Path]:
    """The manifests to run: --config; else, for each path, the one found walking up from it -
    and when there is none (a monorepo's root), or with `every_manifest`, each one below it."""
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
        candidates = [discovered] if discovered is not None else []
        if (discovered is None or every_manifest) and path.is_dir():
            candidates += config.discover_below(path)
        if not candidates:
            raise UsageError(
                f"{raw}: no store-gate.toml, .store-gate.toml or [tool.store_gate] in pyproject.toml "
                "in this folder, above it (up to the repository root) or below it; create one "
                "(store-gate init) or pass --config FILE"
            )
        for manifest in candidates:
            if manifest.resolve() not in {m.resolve() for m in found}:
                found.append(manifest)
    return found


def describe_runs(results: list[CheckResult]) -> list[str]:
    """What `-v` says: for each manifest, what was read, which base and which cache."""
    lines = []
    for result in results:
        project, loaded = result.project, result.project.loaded
        files = sorted({f for store in project.stores for f in store.files})
        parsed = project.sources.parsed_files | {path for path, _ in project.sources.parsed}
        lines.append(f"manifest {loaded.display_path}")
        lines.append(
            f"  files: {len(files)} under the stores' paths, {len(project.scanned)} scanned by the structural rules, "
            f"{len(parsed)} parsed"
        )
        for store in project.stores:
            traits = ", ".join(store.trait_names) or "not found"
            lines.append(f"  store {store.config.trait}: {traits} ({len(store.files)} files)")
        base = result.comparison.base.describe() if result.comparison is not None else "none: every method checked"
        lines.append(f"  base: {base}")
        lines.append(f"  cache: {loaded.cache.describe()}")
        if result.baseline_path:
            lines.append(f"  baseline: {result.baseline_path}")
    return lines


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
    tree = None
    pushed = git.checked_commit(loaded.root)
    if pushed is not None:
        from store_gate.sources import GitTree

        label = f"{pushed.requested} ({pushed.short})"
        manifest = loaded.manifest
        tree = GitTree(pushed, loaded.root, manifest.limits.max_file_bytes, label=label, exclude=manifest.exclude)
        _same_configuration(loaded, tree, label)
    accepted = None
    if use_baseline:
        path, display, required = baseline_path(target, loaded)
        if required or path.exists():
            from store_gate import baseline as ratchet  # only a project with a baseline reads one

            accepted = Accepted(ratchet.load(path, display), path, display)
    return check(loaded, selection, base=base, baseline=accepted, tree=tree)


def _same_configuration(loaded: LoadedManifest, pushed: GitTree, label: str) -> None:
    """In a pre-push hook the sources are read from the commit pushed, and the configuration -
    the manifest, its tables' files, its rules and the baseline - from the working tree. Where
    the two differ, what would be checked is neither commit: refused, with what to do."""
    from store_gate.baseline import DEFAULT_NAME
    from store_gate.sources import Unreadable, Walk, read_inside, read_regular

    root = loaded.root
    manifest = loaded.manifest
    files = {loaded.path.name, manifest.baseline or DEFAULT_NAME}
    files |= {table.from_ for table in manifest.all_tables.values() if table.from_}
    if manifest.rules:
        here = set(Walk(root, manifest.rules).run().files)
        noted = dict(pushed.unreadable)
        there = set(pushed.match(manifest.rules))
        pushed.unreadable = noted  # what the rule globs met is not a source the check reports
        files |= here | there
    for name in sorted(files):
        try:
            now: bytes | None = read_regular(loaded.path) if name == loaded.path.name else read_inside(root, name)
        except Unreadable:
            now = None
        try:
            then: bytes | None = pushed.read(name, within_repository=name == loaded.path.name)
        except Unreadable:
            then = None
        if now != then:
            raise UsageError(
                f"pre-push: {name} differs between the working tree and {label}; the gate reads its configuration "
                f"from the working tree and the sources from {label} - check it out (git switch), or commit or "
                "stash the change, and push again"
            )


def check_all(target: Target, selection: Selection | None, every_manifest: bool = False) -> list[CheckResult]:
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
        for m in manifests(target, every_manifest)
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


@dataclass(frozen=True)
class MethodAdvice:
    """What `store-gate suggest Trait.method` says about one method."""

    name: str
    declared: str | None  # its declaration as written today, if any
    access_key: str  # the manifest table its declaration goes under
    serving: list[str]  # declarations over existing indexes the gate accepts (TOML inline tables)
    serving_lines: list[list[str]]  # the same, as the lines to paste under access_key
    proposal: list[str]  # the manifest lines of a GSI to add, then the declaration; [] when none
    proposal_declaration: str | None
    cost: str | None  # what the proposed index costs
    note: str | None  # why nothing is proposed, when nothing is


def suggest(target: Target, name: str) -> MethodAdvice:
    """The declarations over existing indexes that serve a method, or the index to add - never a Scan."""
    from store_gate import config
    from store_gate.config.model import table_key as table_key_of
    from store_gate.project import build
    from store_gate.rules.coverage import access_key
    from store_gate.rules.suggest import parameter_fields, propose_index, serving
    from store_gate.rules.wording import did_you_mean

    candidates = manifests(target)
    if not candidates:
        raise UsageError("no manifest found: run it inside a project with a store-gate.toml, or pass --config")
    manifest = candidates[0]
    loaded = config.load(manifest)
    project = build(loaded)
    by_name = {m.qualified_name: m for m in project.methods}
    method = by_name.get(name)
    if method is None:  # `Store.method` for a method a supertrait declares, or a bare unique name
        alike = [m for m in project.methods if m.name == name.rpartition(".")[2]]
        method = alike[0] if len(alike) == 1 else None
    if method is None:
        known = sorted(by_name)
        raise UsageError(
            f"no governed method {name!r}{did_you_mean(name, known)}: name it Trait.method as SG101 does "
            f"({len(known)} governed methods; `store-gate check` lists the undeclared ones)"
        )
    fields = parameter_fields(project, [method])
    declaration = project.declaration(method)
    found = serving(method, project, fields)
    access = access_key(project, method.trait, method.name)
    advice = MethodAdvice(
        method.qualified_name,
        declaration.pattern.render() if declaration else None,
        access,
        [s.pattern.render() for s in found],
        [s.pattern.toml_lines() for s in found],
        [],
        None,
        None,
        None,
    )
    if found:
        return advice
    proposal = propose_index(method, project, fields)
    if proposal is None:
        return dataclasses.replace(
            advice,
            note=f"{method.qualified_name} names no entity the manifest lays out, or takes no parameter to key on: "
            "name its entity (entity = ...) or add the parameter it selects by",
        )
    entity_key = ".".join((*loaded.key_prefix, "entity", proposal.entity))
    # the new GSI goes to the entity's own table: `[tables.events.gsi.X]`, not always `[table.gsi.X]`
    table_key = ".".join((*loaded.key_prefix, *table_key_of(project.table_name(method.trait, proposal.declaration))))
    lines = proposal.lines(table_key, entity_key)
    where = f"a new GSI {proposal.index}" if proposal.new else f"the overloaded GSI {proposal.index}"
    cost = (
        f"each {proposal.entity} item written also writes {where} (one more write, a write unit per KB of "
        f"the projected item), and {proposal.index} stores a copy of each {proposal.entity} item it projects"
    )
    return dataclasses.replace(
        advice,
        proposal=[*lines, "", access, *proposal.declaration.toml_lines()],
        proposal_declaration=proposal.declaration.render(),
        cost=cost,
    )


def advice_lines(advice: MethodAdvice) -> list[str]:
    """`store-gate suggest` as text: what serves the method today, else the index to add."""
    out = [f"{advice.name}: declared as {advice.declared}" if advice.declared else f"{advice.name}: no access pattern"]
    if advice.serving:
        out.append("served by existing indexes; declare one of them:")
        for lines in advice.serving_lines:
            out.extend(("", f"  {advice.access_key}", *(f"  {line}" for line in lines)))
        return out
    if not advice.proposal:
        out.append(f"no existing index serves it, and no index can be proposed: {advice.note}")
        return out
    out.append("no existing index serves it with a bounded Query or GetItem; add this index and declaration:")
    out.append("")
    out.extend(f"  {line}" if line else "" for line in advice.proposal)
    out.append("")
    out.append(f"cost: {advice.cost}")
    return out


def cost(target: Target) -> list[dict[str, Any]]:
    """`store-gate cost`: each manifest's figures (store_gate.capacity), in path order."""
    from store_gate import capacity, config
    from store_gate.project import build

    candidates = manifests(target)
    if not candidates:
        raise UsageError("no manifest found: run it inside a project with a store-gate.toml, or pass --config")
    return [capacity.report(build(config.load(manifest))) for manifest in candidates]
