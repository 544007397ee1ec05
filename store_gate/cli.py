"""Command line: parse arguments, dispatch, pick the exit code. Nothing else lives here.

Exit codes: 0 nothing at or above fail_on; 1 findings; 2 usage or configuration error;
3 internal error. Heavy modules (pydantic, ast-grep) are imported only by the commands that
need them, so `--version`, `explain` and `rules` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from store_gate import __version__
from store_gate.app import Target
from store_gate.display import one_line, printable
from store_gate.errors import ConfigError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3

CHECK_EPILOG = """exit codes:
  0  nothing at or above fail_on (or --exit-zero)
  1  findings that fail the gate
  2  a usage or configuration error: one line per problem, never a traceback
  3  an internal error (a bug: please report it)

the base of a comparison (what changed; see the manifest's `legacy`):
  --base REF               the merge-base of REF and HEAD
  GitHub Actions           origin/$GITHUB_BASE_REF, in pull_request runs
  GitLab CI                origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME, in merge-request pipelines
  pre-commit               HEAD for a commit with staged changes; the from-ref of a range (pre-push);
                           nothing (every method checked) for --all-files with nothing staged
  otherwise                none: every method is checked

colour: on a terminal; NO_COLOR turns it off, FORCE_COLOR on."""


def _parser() -> argparse.ArgumentParser:
    from store_gate.report import REPORTERS

    parser = argparse.ArgumentParser(
        prog="store-gate",
        description="Every method of a storage trait must declare a legal, derivable DynamoDB access pattern.",
    )
    parser.add_argument("--version", action="version", version=f"store-gate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check the governed stores under PATH (default: .)",
        description="Check every governed store of the manifest found at or above PATH (default: .); with no "
        "manifest there, every manifest below PATH (--all-manifests: always).",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _project_arguments(check)
    check.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=tuple(REPORTERS),
        help="what to print on standard output (default: text; github inside GitHub Actions)",
    )
    check.add_argument(
        "--all-manifests",
        action="store_true",
        help="check every manifest below PATH too, not only the one that governs PATH",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings fail the gate")
    check.add_argument("--statistics", action="store_true", help="count the findings of each rule")
    check.add_argument("--show-source", action="store_true", help="show the offending line under each finding")
    check.add_argument("-q", "--quiet", action="store_true", help="print the findings only, no summary")
    check.add_argument(
        "-v", "--verbose", action="store_true", help="say on stderr what was read, which base and which cache"
    )
    check.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="also write FORMAT to FILE (repeatable), e.g. --output sarif=store-gate.sarif",
    )
    check.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="report only these codes or prefixes, comma-separated and repeatable, e.g. SG1,SG205 "
        "(leaving out any rule whose default severity is error makes the run partial: never a pass)",
    )
    check.add_argument(
        "--extend-select", action="append", default=[], metavar="CODES", help="add codes to those --select chose"
    )
    check.add_argument("--ignore", action="append", default=[], metavar="CODES", help="do not report these codes")

    baseline = commands.add_parser("baseline", help="write today's findings to the baseline file (a ratchet)")
    _project_arguments(baseline)
    baseline.add_argument("--update", action="store_true", help="remove the entries that no longer occur")
    baseline.add_argument("--allow-grow", action="store_true", help="with --update: also add new findings")
    baseline.add_argument(
        "--reason",
        metavar="TEXT",
        help="why the entries it adds are accepted for now (required for every new entry, like a waiver's reason)",
    )

    init = commands.add_parser(
        "init", help="write a starting store-gate.toml for a trait, with a TODO entry per method"
    )
    init.add_argument("path", nargs="?", default=".", metavar="PATH", help="the project's folder (default: .)")
    init.add_argument("--trait", required=True, help="the storage trait / Protocol / interface to govern")
    init.add_argument("--paths", action="append", metavar="GLOB", help="where its files are (default: by language)")
    init.add_argument("--from", dest="source", metavar="FILE", help="read the table from this infrastructure file")
    init.add_argument("--resource", help="with --from: which table (a logical id or address)")
    init.add_argument("--name", help="with --from: which table, by its table name")

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="a code (SG206), a rule's name, or one of your own rules' ids")
    explain.add_argument(
        "path", nargs="?", default=".", metavar="PATH", help="where your rules' manifest is (default: .)"
    )
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

    requests = commands.add_parser(
        "requests",
        help="print each declaration as the DynamoDB request it sends, checked against botocore's model",
        description="Compile every access pattern to the request the SDK would send and check it offline "
        "against botocore's DynamoDB service model (needs the verify extra). Exit 1 on any invalid request.",
    )
    requests.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    requests.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    requests.add_argument("--format", choices=("text", "json"), default="text")

    verify = commands.add_parser(
        "verify",
        help="run each declaration against a real DynamoDB endpoint, on throwaway tables",
        description="Create the manifest's tables under throwaway names at --endpoint-url, write a sample item "
        "of every entity, run every access pattern as a real request and check what it returns, then delete "
        "the tables (needs the verify extra). Exit 1 on any mismatch.",
    )
    verify.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    verify.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    verify.add_argument(
        "--endpoint-url", required=True, metavar="URL", help="the DynamoDB endpoint, e.g. http://127.0.0.1:8000"
    )
    verify.add_argument("--region", help="the region to sign requests for (default: AWS_REGION, else us-east-1)")

    suggest = commands.add_parser(
        "suggest",
        help="for a method: the declarations over existing indexes that serve it, or the GSI to add (never a Scan)",
    )
    suggest.add_argument("method", metavar="Trait.method", help="the governed method, as SG101 names it")
    suggest.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    suggest.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    suggest.add_argument("--format", choices=("text", "json"), default="text")

    report = commands.add_parser(
        "report",
        help="the picture of the design: access patterns, entities, item collections, copies and findings",
    )
    report.add_argument("paths", nargs="*", metavar="PATH", help="where to look for the manifest (walking up)")
    report.add_argument("--config", metavar="FILE", help="the manifest to use instead of discovering one")
    report.add_argument("--format", choices=("markdown", "html"), default="markdown")
    report.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="a file inside the project, or - for stdout (default)"
    )
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
        help="validate the manifest even if this build already validated the same text; read and write no cache",
    )
    command.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where this build keeps what it validated (default: $STORE_GATE_CACHE_DIR, else the user's cache "
        "folder); never inside the checked project",
    )


def _target(args: argparse.Namespace) -> Target:
    return Target(
        paths=tuple(args.paths),
        config=args.config,
        base=getattr(args, "base", None),
        baseline=getattr(args, "baseline", None),
        use_cache=not getattr(args, "no_cache", False),
        cache_dir=getattr(args, "cache_dir", None),
    )


def _closed_pipe(code: int) -> int:
    """The reader went away (`store-gate rules | head -1`): not an error; exit quietly, as git
    and ruff do, with stdout pointed at nothing so that Python's last flush cannot complain."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return code


def _emit(text: str) -> None:
    """Write to standard output; a character its encoding cannot hold is written as an escape
    (`\\ud800`), never an error that loses the report."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding, "replace"))
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "init":
            return _init(args)
        if args.command == "explain":
            return _explain(args.code, args.path)
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "schema":
            return _schema()
        if args.command == "table":
            return _table(args)
        if args.command == "requests":
            return _requests(args)
        if args.command == "verify":
            return _verify(args)
        if args.command == "suggest":
            return _suggest(args)
        if args.command == "report":
            return _report(args)
        _parser().print_help()
        return EXIT_CONFIG
    except (ConfigError, UsageError) as exc:
        print(str(exc) if isinstance(exc, ConfigError) else f"store-gate: {one_line(str(exc), 2000)}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe(EXIT_OK)
    except BaseException as exc:
        if isinstance(exc, SystemExit) or os.environ.get("STORE_GATE_DEBUG") == "1":
            raise  # STORE_GATE_DEBUG=1: the traceback, for a bug report
        print(
            f"store-gate: internal error: {type(exc).__name__}: {one_line(str(exc))} (please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _check(args: argparse.Namespace) -> int:
    import os

    from store_gate import app
    from store_gate.config import project_root
    from store_gate.report import REPORTERS, Presentation
    from store_gate.selection import Selection

    selection = Selection.parse([*args.select, *args.extend_select] if args.select else [], args.ignore)
    outputs: list[tuple[str, str]] = []
    for spec in args.output:
        kind, sep, file = spec.partition("=")
        if not sep or kind not in REPORTERS or not file:
            raise UsageError(f"--output {spec}: expected FORMAT=FILE with FORMAT one of {', '.join(REPORTERS)}")
        outputs.append((kind, file))
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    stdout_format = args.format or ("github" if in_actions else "text")

    from store_gate import progress

    if stdout_format == "text" and not args.quiet and _watched():
        delay = float(os.environ.get("STORE_GATE_PROGRESS_DELAY", "1.0"))
        progress.active = progress.Progress(sys.stderr, delay=delay)
    try:
        results = app.check_all(_target(args), selection, every_manifest=args.all_manifests)
    finally:
        progress.active.close()
    if args.verbose:
        for line in app.describe_runs(results):
            print(f"store-gate: {printable(line)}", file=sys.stderr)
    code = EXIT_FINDINGS if any(r.failed for r in results) and not args.exit_zero else EXIT_OK
    presentation = Presentation(
        quiet=args.quiet, show_source=args.show_source, color=_color(), statistics=args.statistics
    )
    roots = {project_root(r.project.loaded.root) for r in results}
    for kind, file in outputs:
        _write(Path(file), REPORTERS[kind].render(results), roots)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and "github" in {stdout_format, *(kind for kind, _ in outputs)}:
        with open(summary, "a", encoding="utf-8", errors="backslashreplace") as out:
            out.write(REPORTERS["markdown"].render(results) + "\n")
    try:
        _emit(REPORTERS[stdout_format].render(results, presentation))  # last: a closed pipe must not skip files
    except BrokenPipeError:
        return _closed_pipe(code)
    return code


def _watched() -> bool:
    """Is a person watching standard error (a terminal, not a CI log)? Then a long run shows progress."""
    import os

    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _color() -> bool:
    """Colour on a terminal; NO_COLOR (any value) turns it off, FORCE_COLOR on (no-color.org)."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _write(path: Path, text: str, roots: set[Path]) -> None:
    """Write an output file: its folder is created, a symlink is never written through (a
    repository could commit one pointing anywhere: `reports -> /elsewhere` as well as
    `report.sarif -> ~/.bashrc`), the mode follows the user's umask. A folder on the way that is
    a symlink inside the current directory or a checked repository is refused; the system's own
    links above them (`/tmp -> /private/tmp`) are not the checked tree's."""
    import os

    if path.is_symlink():
        raise UsageError(f"--output: {path} is a symlink; the gate does not write through links")
    linked = _linked_folder(path, {Path.cwd().resolve(), *roots})
    if linked is not None:
        raise UsageError(
            f"--output: {path}: the folder {linked} is a symlink; the gate does not write through links "
            "(write to a real folder)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags, 0o666)
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write(text)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from None


def _linked_folder(path: Path, roots: set[Path]) -> str | None:
    """The first folder of `path`, as the system walks it, that is a symlink lying inside one of
    `roots`; None when there is none."""
    import os

    walked = Path(path.anchor) if path.is_absolute() else Path()
    for part in path.parent.parts[1 if path.is_absolute() else 0 :]:
        walked = walked / part
        if part in (".", "..") or not os.path.islink(walked):
            continue
        holder = Path(os.path.realpath(walked.parent))
        if any(holder == root or root in holder.parents for root in roots):
            return str(walked)
    return None


def _baseline(args: argparse.Namespace) -> int:
    from store_gate import app

    outcome = app.write_baselines(_target(args), args.update, args.allow_grow, args.reason)
    for line in outcome.lines:
        print(line)
    return EXIT_FINDINGS if outcome.left_out else EXIT_OK


def _suggest(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from store_gate import app

    advice = app.suggest(_target(args), args.method)
    if args.format == "json":
        _emit(json.dumps(dataclasses.asdict(advice), indent=2, sort_keys=True) + "\n")
    else:
        _emit("".join(f"{line}\n" for line in app.advice_lines(advice)))
    return EXIT_OK


def _table(args: argparse.Namespace) -> int:
    from store_gate import app, config
    from store_gate.schema import describe as report
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
    for manifest in app.manifests(_target(args)):
        loaded = config.load(manifest)
        if loaded.imported is not None:
            origin = f"read from {loaded.imported.source} ({loaded.imported.kind} {loaded.imported.resource})"
        else:
            origin = f"declared in {loaded.display_path}"
        sys.stdout.write(render(loaded.table, origin, loaded.imported, loaded.entities))
    return EXIT_OK


def _requests(args: argparse.Namespace) -> int:
    from store_gate import app, config
    from store_gate.verify import offline, require_botocore

    require_botocore("store-gate requests")
    results = [offline.compile_manifest(config.load(m)) for m in app.manifests(_target(args))]
    _emit((offline.render_json if args.format == "json" else offline.render_text)(results))
    return EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from store_gate import app, config
    from store_gate.verify import live, require_botocore

    require_botocore("store-gate verify")
    failed = False
    for manifest in app.manifests(_target(args)):
        outcome = live.verify(config.load(manifest), args.endpoint_url, args.region, report=_emit)
        failed = failed or outcome.failed
    return EXIT_FINDINGS if failed else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    """`store-gate report`: the picture of each manifest's design (store_gate/picture.py), on
    stdout or in one file inside the checked project (a symlink is never written through)."""
    from store_gate import app, picture
    from store_gate.config import project_root

    results = app.check_all(_target(args), None)
    text = picture.RENDERERS[args.format]([picture.build(result) for result in results])
    if args.output == "-":
        _emit(text)
        return EXIT_OK
    roots = {project_root(r.project.loaded.root) for r in results}
    target = Path(os.path.realpath(Path(args.output).parent)) / Path(args.output).name
    if not any(target == root or root in target.parents for root in {r.resolve() for r in roots}):
        inside = ", ".join(sorted(str(r) for r in roots))
        raise UsageError(f"-o {args.output}: outside the project ({inside}); write inside it, or to stdout with -o -")
    _write(Path(args.output), text, roots)
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from store_gate import init

    folder = Path(args.path)
    if not folder.is_dir():
        raise UsageError(f"{args.path}: no such folder")
    plan = init.plan(folder, args.trait, args.paths, args.source, args.resource, args.name)
    init.write(plan)
    print(
        f"{plan.path}: written, governing {args.trait} - {plan.methods} methods to declare (a TODO each); "
        "then run store-gate check"
    )
    return EXIT_OK


def _explain(code: str, path: str) -> int:
    """A built-in rule's page, or one of the manifest's own rules (looked up only when the code
    is not a built-in one, so `explain SG206` reads no manifest)."""
    from store_gate.catalogue import RULES, lookup

    rule = lookup(code)
    if rule is None:
        from store_gate.config import discover, load

        found = discover(Path(path))
        users = {u.rule.code: u for u in load(found).user_rules} if found is not None else {}
        if code not in users:
            mine = f"; your rules: {', '.join(sorted(users))}" if users else ""
            raise UsageError(f"unknown rule {code!r}; known codes: {', '.join(RULES)}{mine}")
        user = users[code]
        sys.stdout.write(f"{user.rule.doc_page()}\n\nDefined in {user.source} ({user.language}).\n")
        return EXIT_OK
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
