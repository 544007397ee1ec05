"""What every fuzz target shares: the property, the budget, the hang guard, the generators of
TOML / JSON / YAML text and the mutators of existing files.

Importing this module sets the hypothesis profile, chosen by HYPOTHESIS_PROFILE:

- `ci` (the default): a fixed example budget per target, derandomized (the same cases on every
  run, so a CI failure reproduces locally), the whole folder well under two minutes on two cores.
- `long`: the same targets, each with FUZZ_SCALE (default 50) times the budget and fresh random
  cases; RELIABILITY.md gives the command and the numbers of the last long run.

Neither profile writes an example database into the repository (database=None): a failure prints
its minimal example and the `@reproduce_failure` blob instead. (No conftest.py here: a second
module named `conftest` would shadow tests/conftest.py, which the other test files import.)

The property, for every input: the gate gives a result (exit 0 or 1) or refuses the input with a
`ConfigError`, `UsageError` or `ImportProblem` whose every message is one line (exit 2); never
another exception (exit 3, a traceback), and every case ends in bounded time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import shutil
import signal
import string
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import InvalidArgument

from store_gate.check import CheckResult, check
from store_gate.config import load
from store_gate.errors import ConfigError, UsageError
from store_gate.report import REPORTERS
from store_gate.schema.importers import ImportProblem

# Hypothesis keeps its working folder (`.hypothesis/`: a Unicode table cache, patches) in the
# current directory unless told otherwise: tests never write into the repository.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "store-gate-hypothesis"))

_COMMON = {
    "database": None,
    "print_blob": True,
    # Generous for a noisy two-core machine shared with other work: a case that takes this long
    # is a performance bug worth a look, not noise. (10 s was not: at a load of 7 on two cores, a
    # first case that also loads ast-grep's rules for three languages took 15.6 s, 0.5 s again.)
    # The deadline judges cases that end; one that never does is interrupted by `bounded`.
    "deadline": timedelta(seconds=20),
    # Cases build files on disk and call ast-grep: slower than hypothesis expects of a unit test.
    "suppress_health_check": (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example),
}

settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("long", derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
INFRA = REPO / "tests" / "fixtures" / "infra"

T = TypeVar("T")

# The long run multiplies every target's CI budget (FUZZ_SCALE overrides it either way).
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = int(os.environ.get("FUZZ_SCALE", "50" if PROFILE == "long" else "1"))
# A case that runs this long is a hang: the alarm interrupts it (hypothesis's deadline only
# judges cases that end).
HANG_SECONDS = 60


def budget(ci_examples: int) -> settings:
    """The settings of one target: `ci_examples` cases in CI, SCALE times as many in the long run."""
    return settings(max_examples=max(1, ci_examples * SCALE))


class Hang(BaseException):
    """A case ran longer than HANG_SECONDS. A BaseException: `except Exception` in the code under
    test must not swallow it."""


@contextlib.contextmanager
def bounded(seconds: float = HANG_SECONDS) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"the case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def is_one_line(text: str) -> bool:
    return bool(text.strip()) and len(text.splitlines()) == 1


def settles(action: Callable[[], T]) -> T | None:
    """The property: `action()`'s result, or None when it refuses its input with a user-facing
    error of one line per problem. Any other exception fails the case."""
    with bounded():
        try:
            result = action()
        except ConfigError as exc:
            assert exc.problems, "a ConfigError without a problem"
            for problem in exc.problems:
                rendered = problem.render()
                assert is_one_line(rendered), f"not one line: {rendered!r}"
            _outcome("ConfigError")
            return None
        except UsageError as exc:
            assert is_one_line(str(exc)), f"not one line: {str(exc)!r}"
            _outcome("UsageError")
            return None
        except ImportProblem as exc:
            assert is_one_line(exc.message), f"not one line: {exc.message!r}"
            _outcome("ImportProblem")
            return None
    _outcome("a result")
    return result


def _outcome(what: str) -> None:
    """Counted by --hypothesis-show-statistics: how often each target gets how far."""
    with contextlib.suppress(InvalidArgument):  # outside a hypothesis test: nothing to count
        event(f"outcome: {what}")


_FINDING_LINE = re.compile(r":\d+:\d+: \S+ ")


def rendered(result: CheckResult) -> None:
    """Every reporter renders the result; text output keeps one line per finding and the JSON
    formats parse."""
    for name, reporter in REPORTERS.items():
        text = reporter.render([result])
        if name in ("json", "sarif", "gitlab"):
            json.loads(text)
        if name == "text":
            lines = text.splitlines()
            assert len(lines) >= len(result.findings)
            for line in lines[: len(result.findings)]:
                assert _FINDING_LINE.search(line), f"a finding that is not one line: {line!r}"


def checked(manifest: Path, warm: bool = False) -> CheckResult | None:
    """The gate in-process on one manifest: load, check, render. None when refused (exit 2).
    With `warm`, a passing check runs again: from the validation cache (the manifest's and the
    `@access` texts' digests), it must find the same."""
    result = settles(lambda: check(load(manifest)))
    if result is not None:
        rendered(result)
        if warm:
            again = settles(lambda: check(load(manifest)))
            assert again is not None and _found(again) == _found(result), "the warm run differs from the cold one"
    return result


def _found(result: CheckResult) -> list[str]:
    return [f"{f.location} {f.code} {f.severity} {f.message}" for f in result.findings]


@contextlib.contextmanager
def project(example: str | None = None) -> Iterator[Path]:
    """A temporary project folder (outside the repository), holding a copy of an example."""
    with tempfile.TemporaryDirectory(prefix="store-gate-fuzz-") as folder:
        root = Path(folder) / "project"
        if example is not None:
            shutil.copytree(EXAMPLES / example, root)
        else:
            root.mkdir()
        (root / ".git").mkdir()  # the project's root: discovery and confinement stop here
        yield root


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return path


# A manifest for generated sources: a store in any language, a table with every kind of index.
MANIFEST = """version = 1

[[store]]
trait = "DialogueStore"
paths = ["src/**/*.rs", "src/**/*.py", "src/**/*.ts"]

[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.GSI1]
partition_key = { name = "gsi1pk", type = "S" }
sort_key = { name = "gsi1sk", type = "S" }

[table.lsi.ByTime]
sort_key = { name = "lsi1sk", type = "S" }

[entity.Dialogue]
pk = "DIALOGUE#{dialogue_id}"
sk = "META"
gsi1pk = "STATUS#{status}"
gsi1sk = "CREATED#{created_at}"

[entity.Round]
pk = "DIALOGUE#{dialogue_id}"
sk = "ROUND#{round}"
lsi1sk = "AT#{at}"
"""


# -- values --------------------------------------------------------------------------------------

ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("aZ_0#{}[]().,:;=*/\\\"' \t\n\r-+<>!?@$%&|~`^")),
        st.sampled_from(
            ["\x00", "\x1b", "\x85", "\u2028", "\ufeff", "\u200b", "é", "\u03a9", "\U0001d518", "日", "\U0001f600"]
        ),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=40,
)


class Huge(int):
    """10**digits, shown as such: Python refuses to print an integer of more than 4,300 digits,
    and hypothesis prints the examples it draws."""

    digits = 0

    def __repr__(self) -> str:
        return f"10**{self.digits}"


def huge(digits: int) -> Huge:
    number = Huge(10**digits)
    number.digits = digits
    return number


def rarely(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], one_in: int = 20) -> st.SearchStrategy[Any]:
    """`rare` one time in `one_in`: worth trying in every run, not in every value (a huge number
    or a wrong type everywhere would stop every case at the first check)."""
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == 0 else common)


NUMBERS = rarely(
    st.one_of(st.integers(-(10**6), 10**6), st.integers(), st.floats(allow_nan=True, allow_infinity=True)),
    st.sampled_from([2**31, 2**63, -(2**63) - 1, huge(999), huge(1000), huge(1001), huge(5000)]),
    10,
)


def words(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """A key or a value: mostly the format's own words, sometimes anything."""
    return st.one_of(st.sampled_from(vocabulary), st.sampled_from(vocabulary), ODD_TEXT)


def scalars(vocabulary: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), NUMBERS, words(vocabulary))


def trees(vocabulary: list[str], max_leaves: int = 30, scalar: st.SearchStrategy[Any] | None = None) -> Any:
    """Nested dicts and lists whose keys are mostly the format's own words."""
    leaf = scalar if scalar is not None else scalars(vocabulary)

    def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        # A named function: hypothesis reads a lambda's source to check that it recurses, and
        # misreads one written over several lines.
        return st.one_of(st.lists(inner, max_size=5), st.dictionaries(words(vocabulary), inner, max_size=6))

    return st.recursive(leaf, containers, max_leaves=max_leaves)


def deep(value: Any, depth: int, kind: str) -> Any:
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


# -- mutating a tree -----------------------------------------------------------------------------


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _paths(value, (*prefix, i))


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        copy = dict(tree)
        copy[head] = _replace(tree[head], rest, value)
        return copy
    copy_list = list(tree)
    copy_list[head] = _replace(tree[head], rest, value)
    return copy_list


_DELETE = object()


def _without(tree: Any, path: tuple[Any, ...]) -> Any:
    parent_path, last = path[:-1], path[-1]
    parent = _get(tree, parent_path)
    if isinstance(parent, dict):
        copy: Any = {k: v for k, v in parent.items() if k != last}
    else:
        copy = [v for i, v in enumerate(parent) if i != last]
    return _replace(tree, parent_path, copy)


@st.composite
def mutated_tree(
    draw: st.DrawFn, tree: Any, vocabulary: list[str], scalar: st.SearchStrategy[Any] | None = None
) -> Any:
    """`tree` with one to five structural edits: a node replaced by another value (another type,
    a small tree, a deep one), deleted, renamed, duplicated, wrapped, or a key added."""
    values = trees(vocabulary, 12, scalar)
    for _ in range(draw(st.one_of(st.just(1), st.integers(1, 5)))):
        paths = list(_paths(tree))
        path = draw(st.sampled_from(paths))
        node = _get(tree, path)
        edit = draw(
            st.sampled_from(["replace", "replace", "delete", "add", "rename", "duplicate", "wrap", "deep", "retype"])
        )
        if edit == "replace":
            tree = _replace(tree, path, draw(values))
        elif edit == "delete" and path:
            tree = _without(tree, path)
        elif edit == "add" and isinstance(node, dict):
            tree = _replace(tree, path, {**node, draw(words(vocabulary)): draw(values)})
        elif edit == "add" and isinstance(node, list):
            tree = _replace(tree, path, [*node, draw(values)])
        elif edit == "rename" and path and isinstance(_get(tree, path[:-1]), dict):
            parent = _get(tree, path[:-1])
            new = draw(words(vocabulary))
            tree = _replace(tree, path[:-1], {(new if k == path[-1] else k): v for k, v in parent.items()})
        elif edit == "duplicate" and path and isinstance(_get(tree, path[:-1]), list):
            parent = _get(tree, path[:-1])
            tree = _replace(tree, path[:-1], [*parent, node])
        elif edit == "wrap":
            tree = _replace(tree, path, draw(st.sampled_from([[node], {"value": node}, [node, node]])))
        elif edit == "deep":
            tree = _replace(
                tree,
                path,
                deep(
                    node, draw(st.sampled_from([10, 60, 63, 64, 65, 100, 300])), draw(st.sampled_from(["list", "dict"]))
                ),
            )
        elif edit == "retype":
            tree = _replace(
                tree,
                path,
                draw(st.sampled_from([None, True, 0, -1, 1.5, "", "x", [], {}, [None], {"": None}, str(node)[:50]])),
            )
    return tree


# -- mutating a text -----------------------------------------------------------------------------


@st.composite
def mutated_text(draw: st.DrawFn, text: str, tokens: list[str]) -> str:
    """`text` with one to six edits by line or by character: lines deleted, duplicated, swapped
    or truncated; the format's tokens inserted; spans deleted or replaced by odd text; brackets
    nested deep; the file cut short."""
    for _ in range(draw(st.one_of(st.just(1), st.integers(1, 6)))):
        lines = text.splitlines(keepends=True) or [""]
        edit = draw(
            st.sampled_from(
                [
                    "delete-line",
                    "duplicate-line",
                    "swap-lines",
                    "insert-token",
                    "insert-token",
                    "replace-span",
                    "delete-span",
                    "insert-odd",
                    "truncate",
                    "nest",
                    "repeat-token",
                ]
            )
        )
        position = draw(st.integers(0, len(text)))
        i = draw(st.integers(0, len(lines) - 1))
        if edit == "delete-line":
            del lines[i]
            text = "".join(lines)
        elif edit == "duplicate-line":
            lines.insert(i, lines[i])
            text = "".join(lines)
        elif edit == "swap-lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif edit == "insert-token":
            text = text[:position] + draw(st.sampled_from(tokens)) + text[position:]
        elif edit == "replace-span":
            end = min(len(text), position + draw(st.integers(1, 20)))
            text = text[:position] + draw(st.one_of(st.sampled_from(tokens), ODD_TEXT)) + text[end:]
        elif edit == "delete-span":
            end = min(len(text), position + draw(st.integers(1, 40)))
            text = text[:position] + text[end:]
        elif edit == "insert-odd":
            text = text[:position] + draw(ODD_TEXT) + text[position:]
        elif edit == "truncate":
            text = text[:position]
        elif edit == "nest":
            depth = draw(st.sampled_from([3, 30, 65, 200, 1000]))
            opener, closer = draw(st.sampled_from([("(", ")"), ("[", "]"), ("{", "}"), ("<", ">")]))
            text = text[:position] + opener * depth + closer * depth + text[position:]
        elif edit == "repeat-token":
            token = draw(st.sampled_from(tokens))
            text = text[:position] + token * draw(st.sampled_from([2, 10, 100, 1000])) + text[position:]
    return text


@st.composite
def mutated_bytes(draw: st.DrawFn, text: str) -> bytes:
    """The text's UTF-8 bytes with invalid or surprising bytes put in: a stray continuation byte,
    a lone lead byte, an encoded surrogate, NUL, a byte-order mark, a UTF-16 mark."""
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data)))
        junk = draw(
            st.one_of(
                st.sampled_from(
                    [b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xe2\x80"]
                ),
                st.binary(min_size=1, max_size=8),
            )
        )
        data = data[:position] + junk + data[position:]
    return data


@contextlib.contextmanager
def any_int_digits() -> Iterator[None]:
    """While a test renders its input text: integers of any length can be written (a 5,000-digit
    literal is an input the gate must refuse plainly). Never while the gate runs."""
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:
        yield
        return
    previous = get()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(previous)


# -- TOML text from a tree -----------------------------------------------------------------------

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    return key if _BARE.match(key) else toml_string(key)


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items() if v is not None) + " }"
        )
    return toml_string(str(value))


def _array_of_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_document(tree: dict[str, Any], inline_below: int = 3) -> str:
    """TOML for a tree of TOML values (None leaves are left out: TOML has no null). Tables become
    `[section]` headers down to `inline_below` levels, arrays of tables `[[section]]`, the rest
    inline."""
    with any_int_digits():
        return _toml_document(tree, (), inline_below)


def _toml_document(tree: dict[str, Any], prefix: tuple[str, ...], inline_below: int) -> str:
    lines: list[str] = []
    nested: list[tuple[str, Any]] = []
    for key, value in tree.items():
        key = str(key)
        if value is None:
            continue
        if len(prefix) < inline_below and (isinstance(value, dict) or _array_of_tables(value)):
            nested.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, value in nested:
        path = (*prefix, key)
        header = ".".join(toml_key(p) for p in path)
        if isinstance(value, dict):
            text += f"\n[{header}]\n" + _toml_document(value, path, inline_below)
        else:
            for item in value:
                text += f"\n[[{header}]]\n" + _toml_document(item, path, inline_below)
    return text


TOML_SCALARS_EXTRA = st.one_of(
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.timezone.utc])),
    st.times(),
)

# -- JSON / YAML text from a tree ----------------------------------------------------------------

YAML_TAGS = [
    "!Ref",
    "!Sub",
    "!GetAtt",
    "!If",
    "!Select",
    "!Join",
    "!Split",
    "!FindInMap",
    "!ImportValue",
    "!Equals",
    "!Not",
    "!Condition",
    "!GetAZs",
    "!Base64",
    "!Cidr",
    "!And",
    "!Or",
    "!Transform",
    "!Unknown",
    "!!str",
    "!!int",
    "!!float",
    "!!binary",
    "!!timestamp",
    "!!python/object",
]


@st.composite
def yaml_text(draw: st.DrawFn, tree: Any) -> str:
    """YAML for a tree: block style (PyYAML's own emitter), or flow style with CloudFormation
    short-form tags, anchors and aliases put in at random."""
    with any_int_digits():
        return _yaml_text(draw, tree)


def _yaml_text(draw: st.DrawFn, tree: Any) -> str:
    if draw(st.booleans()):
        import yaml

        try:
            return str(yaml.safe_dump(tree, allow_unicode=draw(st.booleans()), sort_keys=False))
        except (yaml.YAMLError, ValueError, OverflowError):
            pass
    anchors: list[str] = []

    def emit(node: Any) -> str:
        prefix = ""
        choice = draw(st.integers(0, 59))
        if choice == 0:
            prefix = draw(st.sampled_from(YAML_TAGS)) + " "
        elif choice == 1:
            name = f"a{len(anchors)}"
            anchors.append(name)
            prefix = f"&{name} "
        elif choice == 2 and anchors:
            return "*" + draw(st.sampled_from(anchors))
        if isinstance(node, dict):
            return prefix + "{" + ", ".join(f"{json.dumps(str(k))}: {emit(v)}" for k, v in node.items()) + "}"
        if isinstance(node, list):
            return prefix + "[" + ", ".join(emit(v) for v in node) + "]"
        if isinstance(node, float) and not math.isfinite(node):
            return prefix + (".nan" if math.isnan(node) else ".inf" if node > 0 else "-.inf")
        if isinstance(node, (dt.date, dt.datetime, dt.time)):
            return prefix + node.isoformat()
        return prefix + json.dumps(node)

    return emit(tree) + "\n"


def json_text(tree: Any) -> str:
    with any_int_digits():
        return json.dumps(tree, indent=1, default=str)


PRINTABLE = st.text(alphabet=string.printable, max_size=30)
