"""Command line: parse arguments, dispatch, pick the exit code. Nothing else lives here.

Exit codes: 0 nothing at or above fail_on; 1 findings; 2 usage or configuration error;
3 internal error. Heavy modules (pydantic, ast-grep) are imported only by the commands that
need them, so `--version`, `explain` and `rules` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from store_gate import __version__
from store_gate.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from store_gate.check import CheckResult
    from store_gate.config import LoadedManifest

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3


REPORTERS = ("text", "json", "sarif", "github", "markdown", "gitlab")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="store-gate",
        description="Every method of a storage trait must declare a legal, derivable DynamoDB access pattern.",
    )
    parser.add_argument("--version", action="version", version=f"store-gate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check the governed stores under PATH (default: .)")
    _project_arguments(check)
    check.add_argument(
        "--format",
        choices=REPORTERS,
        help="what to print on standard output (default: text; github inside GitHub Actions)",
    )
    check.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="also write FORMAT to FILE (repeatable), e.g. --output sarif=store-gate.sarif",
    )
    check.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to report, e.g. SG1,SG205")

    baseline = commands.add_parser("baseline", help="write today's findings to the baseline file (a ratchet)")
    _project_arguments(baseline)
    baseline.add_argument("--update", action="store_true", help="remove the entries that no longer occur")
    baseline.add_argument("--allow-grow", action="store_true", help="with --update: also add new findings")

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    rules = commands.add_parser("rules", help="list every rule with its default severity")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    commands.add_parser("schema", help="print the manifest's JSON Schema")

    table = commands.add_parser("table", help="print the table the gate believes (from the manifest or a file)")
    table.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    table.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    table.add_argument("--from", dest="source", metavar="FILE", help="read this infrastructure file instead")
    table.add_argument("--resource", help="with --from: which table (a logical id or address)")
    table.add_argument("--name", help="with --from: which table, by its table name")
    table.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _project_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    command.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    command.add_argument(
        "--base",
        metavar="REF",
        help="gate only what changed since the merge-base of REF and HEAD (default: the pull request's base "
        "in GitHub Actions, HEAD inside pre-commit)",
    )
    command.add_argument("--baseline", metavar="FILE", help="the baseline file (default: the manifest's `baseline`)")
    command.add_argument(
        "--no-cache",
        action="store_true",
        help="validate the manifest even if this build already validated the same text (.store-gate-cache/)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "explain":
            return _explain(args.code)
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "schema":
            return _schema()
        if args.command == "table":
            return _table(args)
        _parser().print_help()
        return EXIT_CONFIG
    except (ConfigError, UsageError) as exc:
        print(str(exc) if isinstance(exc, ConfigError) else f"store-gate: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BaseException as exc:
        if isinstance(exc, SystemExit):
            raise
        print(f"store-gate: internal error: {type(exc).__name__}: {exc} (please report it)", file=sys.stderr)
        return EXIT_INTERNAL


def _manifests(args: argparse.Namespace) -> list[Path]:
    from store_gate import config

    manifests: list[Path] = []
    if args.config:
        manifest = Path(args.config)
        if not manifest.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        manifests.append(manifest)
    for raw in args.paths or (["."] if not args.config else []):
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if args.config:
            continue
        found = config.discover(path)
        if found is None:
            raise UsageError(
                f"{raw}: no store-gate.toml, .store-gate.toml or [tool.store_gate] in pyproject.toml "
                "in this folder or above it (up to the repository root); create one or pass --config FILE"
            )
        if found.resolve() not in {m.resolve() for m in manifests}:
            manifests.append(found)
    return manifests


def _run(args: argparse.Namespace, selected: list[str] | None, use_baseline: bool) -> list[CheckResult]:
    import gc

    # A short-lived process that allocates one object per node, method and key: collecting
    # the young generation every 700 allocations cost ~20% of a 10,000-method check.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)

    from store_gate import baseline as ratchet
    from store_gate import config, git
    from store_gate.check import check

    results = []
    for manifest in _manifests(args):
        loaded = config.load(manifest, use_cache=not args.no_cache)
        base = git.choose_base(loaded.root, args.base)
        entries, shown = None, None
        if use_baseline:
            path, display, required = _baseline_path(args, loaded)
            if required or path.exists():
                entries, shown = ratchet.load(path, display), display
        results.append(check(loaded, selected, base=base, baseline=entries, baseline_path=shown))
    return results


def _baseline_path(args: argparse.Namespace, loaded: LoadedManifest) -> tuple[Path, str, bool]:
    """(path, as shown, whether it must exist): --baseline, the manifest's `baseline`, or the
    default file next to the manifest when it exists."""
    from store_gate.baseline import DEFAULT_NAME
    from store_gate.sources import shown

    if args.baseline:
        path = Path(args.baseline)
        return path, args.baseline, True
    declared = loaded.manifest.baseline
    path = loaded.root / (declared or DEFAULT_NAME)
    return path, shown(path), declared is not None


def _check(args: argparse.Namespace) -> int:
    import os

    from store_gate import catalogue

    selected = None
    if args.select:
        prefixes = [p.strip() for p in args.select.split(",") if p.strip()]
        problem = catalogue.selection_problem(prefixes) if prefixes else "is empty"
        if problem:
            raise UsageError(f"--select {args.select}: {problem}")
        selected = prefixes
    outputs: list[tuple[str, str]] = []
    for spec in args.output:
        kind, sep, file = spec.partition("=")
        if not sep or kind not in REPORTERS or not file:
            raise UsageError(f"--output {spec}: expected FORMAT=FILE with FORMAT one of {', '.join(REPORTERS)}")
        outputs.append((kind, file))
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    stdout_format = args.format or ("github" if in_actions else "text")

    results = _run(args, selected, use_baseline=True)
    custom_ids = {rule.id.upper() for result in results for rule in result.custom_rules}
    for prefix in selected or []:
        if not prefix.upper().startswith("SG") and not any(i.startswith(prefix.upper()) for i in custom_ids):
            raise UsageError(f"--select {args.select}: {prefix} matches no rule code and none of the manifest's rules")
    sys.stdout.write(_render(stdout_format, results))
    for kind, file in outputs:
        _write(Path(file), _render(kind, results))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and "github" in {stdout_format, *(kind for kind, _ in outputs)}:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(_render("markdown", results) + "\n")
    return EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK


def _render(kind: str, results: list[CheckResult]) -> str:
    from importlib import import_module

    module = import_module(f"store_gate.report.{kind}")
    text: str = module.render(results)
    return text


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror}") from None


def _baseline(args: argparse.Namespace) -> int:
    from store_gate import baseline as ratchet
    from store_gate import config

    if args.allow_grow and not args.update:
        raise UsageError("--allow-grow goes with --update")
    left_out = 0
    for manifest in _manifests(args):
        loaded = config.load(manifest, use_cache=not args.no_cache)
        path, shown, _ = _baseline_path(args, loaded)
        if path.exists() and not args.update:
            raise UsageError(
                f"{shown} exists; use --update to remove fixed entries (it never grows without --allow-grow)"
            )
        old = ratchet.load(path, shown) if path.exists() else None
        narrowed = argparse.Namespace(**{**vars(args), "config": str(manifest), "paths": []})
        (result,) = _run(narrowed, None, use_baseline=False)
        update = ratchet.plan(result.findings, old, args.allow_grow)
        ratchet.write(path, update.entries)
        total = sum(update.entries.values())
        print(f"{shown}: {total} entries" + (f", {update.removed} removed as fixed" if old is not None else " written"))
        for f in update.left_out:
            why = "new" if ratchet.key_of(f) is not None else "not baselinable"
            print(f"  {why}: {result.display_path(f.path)}:{f.line}:{f.column}: {f.code} {f.message}")
        left_out += len(update.left_out)
    if left_out:
        print(
            f"store-gate: {left_out} findings are not in the baseline and still fail "
            "(new ones need --update --allow-grow)"
        )
        return EXIT_FINDINGS
    return EXIT_OK


def _table(args: argparse.Namespace) -> int:

    from store_gate import config
    from store_gate.report import table as report
    from store_gate.schema.importers import ImportProblem, import_table

    render = report.render_json if args.format == "json" else report.render_text
    if args.source:
        path = Path(args.source)
        if not os.path.exists(path):  # a FIFO or a directory: import_table says so, never opening it
            raise UsageError(f"--from {args.source}: no such file")
        try:
            imported = import_table(path, args.source, args.resource, args.name)
        except ImportProblem as problem:
            where = f"{args.source}:{problem.line}" if problem.line else args.source
            raise UsageError(f"{where}: {problem.message}") from None
        sys.stdout.write(
            render(
                imported.schema,
                f"read from {args.source} ({imported.kind} {imported.resource})",
                imported,
                imported.entities,
            )
        )
        return EXIT_OK
    for manifest in _manifests(argparse.Namespace(**{**vars(args), "base": None})):
        loaded = config.load(manifest)
        if loaded.imported is not None:
            origin = f"read from {loaded.imported.source} ({loaded.imported.kind} {loaded.imported.resource})"
        else:
            origin = f"declared in {loaded.display_path}"
        sys.stdout.write(render(loaded.table, origin, loaded.imported, loaded.entities))
    return EXIT_OK


def _explain(code: str) -> int:
    from store_gate.catalogue import RULES, lookup

    rule = lookup(code)
    if rule is None:
        raise UsageError(f"unknown rule code {code!r}; known codes: {', '.join(RULES)}")
    sys.stdout.write(rule.doc_page())
    return EXIT_OK


def _rules(form: str) -> int:
    from store_gate.catalogue import RULES, markdown_reference

    if form == "markdown":
        sys.stdout.write(markdown_reference())
        return EXIT_OK
    for rule in RULES.values():
        print(f"{rule.code}  {rule.severity:<7}  {rule.status:<7}  {rule.name:<35}  {rule.summary}")
    return EXIT_OK


def _schema() -> int:
    import json

    from store_gate.config.validation import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    return EXIT_OK
