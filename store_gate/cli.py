"""Command line: parse arguments, dispatch, pick the exit code. Nothing else lives here.

Exit codes: 0 nothing at or above fail_on; 1 findings; 2 usage or configuration error;
3 internal error. Heavy modules (pydantic, ast-grep) are imported only by the commands that
need them, so `--version`, `explain` and `rules` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from store_gate import __version__
from store_gate.errors import ConfigError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="store-gate",
        description="Every method of a storage trait must declare a legal, derivable DynamoDB access pattern.",
    )
    parser.add_argument("--version", action="version", version=f"store-gate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check the governed stores under PATH (default: .)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    check.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to report, e.g. SG1,SG205")
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="validate the manifest even if this build already validated the same text (.store-gate-cache/)",
    )

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    commands.add_parser("rules", help="list every rule with its default severity")
    commands.add_parser("schema", help="print the manifest's JSON Schema")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "explain":
            return _explain(args.code)
        if args.command == "rules":
            return _rules()
        if args.command == "schema":
            return _schema()
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


def _check(args: argparse.Namespace) -> int:
    import gc

    # A short-lived process that allocates one object per node, method and key: collecting
    # the young generation every 700 allocations cost ~20% of a 10,000-method check.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)

    from store_gate import catalogue, config
    from store_gate.check import check
    from store_gate.report import json as json_report
    from store_gate.report import text as text_report

    selected = None
    if args.select:
        selected = catalogue.select(args.select.split(","))
        if not selected:
            raise UsageError(f"--select {args.select}: matches no rule code (see store-gate rules)")
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
    results = [check(config.load(m, use_cache=not args.no_cache), selected) for m in manifests]
    render = json_report.render if args.format == "json" else text_report.render
    sys.stdout.write(render(results))
    return EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK


def _explain(code: str) -> int:
    from store_gate.catalogue import RULES, lookup

    rule = lookup(code)
    if rule is None:
        raise UsageError(f"unknown rule code {code!r}; known codes: {', '.join(RULES)}")
    sys.stdout.write(rule.doc_page())
    return EXIT_OK


def _rules() -> int:
    from store_gate.catalogue import RULES

    for rule in RULES.values():
        print(f"{rule.code}  {rule.severity:<7}  {rule.name:<32}  {rule.summary}")
    return EXIT_OK


def _schema() -> int:
    import json

    from store_gate.config.validation import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    return EXIT_OK
