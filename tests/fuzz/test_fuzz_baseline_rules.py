"""Baselines (arbitrary JSON, and near-valid baseline documents) and users' ast-grep rule files
(generated rule trees, and the built-in rule files edited), loaded and checked in-process on the
examples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from fuzzing import (
    EXAMPLES,
    REPO,
    budget,
    json_text,
    mutated_bytes,
    mutated_text,
    mutated_tree,
    project,
    rendered,
    settles,
    trees,
    words,
    write,
    yaml_text,
)
from hypothesis import given
from hypothesis import strategies as st

from store_gate import baseline as ratchet
from store_gate.check import Accepted, CheckResult, check
from store_gate.config import load
from store_gate.errors import ConfigError

# -- baselines -------------------------------------------------------------------------------------

BASELINE_WORDS = [
    "schema_version", "tool", "entries", "code", "subject", "count", "reason", "store-gate", "SG101", "SG202", "SG206",
    "SG105", "SG001", "DialogueReads.list_all_experts", "DialogueStore.get_adr", "file src/domain.rs", "accepted for now",
    "", "TODO", "SG999",
]  # fmt: skip
VALID_BASELINE = {
    "schema_version": 2,
    "tool": "store-gate",
    "entries": [
        {"code": "SG101", "subject": "DialogueStore.get_adr", "count": 1, "reason": "the ADR page is being rewritten"},
        {"code": "SG202", "subject": "DialogueReads.list_all_experts", "count": 2, "reason": "admin page only"},
        {"code": "SG502", "subject": "file src/domain.rs", "count": 1, "reason": "legacy"},
    ],
}
BASELINES = st.one_of(
    trees(BASELINE_WORDS, 25).map(json_text),
    mutated_tree(VALID_BASELINE, BASELINE_WORDS).map(json_text),
    mutated_text(
        json.dumps(VALID_BASELINE, indent=2),
        ["{", "}", "[", "]", ",", ":", '"', "1e999", "-0", "9" * 5000, "NaN", "true", "null", "\\u0000", "\\ud800"],
    ),
)


@budget(100)
@given(text=BASELINES, as_bytes=st.integers(0, 9), data=st.data())
def test_baselines(text: str, as_bytes: int, data: st.DataObject) -> None:
    with project("blue") as root:
        path = write(root, "store-gate-baseline.json", data.draw(mutated_bytes(text)) if as_bytes == 0 else text)
        accepted = settles(lambda: ratchet.load(path, "store-gate-baseline.json"))
        if accepted is None:
            return
        loaded = load(root / "store-gate.toml")
        result = settles(lambda: check(loaded, baseline=Accepted(accepted, path, "store-gate-baseline.json")))
        if result is not None:
            rendered(result)


# -- users' ast-grep rules ---------------------------------------------------------------------------

RULE_WORDS = [
    "id", "language", "severity", "message", "note", "rule", "utils", "constraints", "transform", "files", "ignores",
    "pattern", "kind", "regex", "inside", "has", "follows", "precedes", "all", "any", "not", "matches", "stopBy",
    "field", "nthChild", "range", "context", "selector", "strictness", "position", "reverse", "ofRule", "end",
    "neighbor", "substring", "replace", "by", "source", "startChar", "endChar", "convert", "toCase", "metadata",
    "rust", "python", "typescript", "tsx", "ts", "Rust", "go", "error", "warning", "info", "hint", "off", "name",
    "identifier", "function_signature_item", "trait_item", "call_expression", "string_literal", "class_definition",
    "method_signature", "ERROR", "nope", "fn $NAME($$$ARGS)", "$A.$B", "import $M", "use $P;", "$X", "$$$", "$_", "(",
    "my-rule", "SG401", "SG999x", "^get_", "(?i)scan", "[", "src/**", "**/*.rs", "[z-a]", "{a,b}", "/abs", "../up",
    "$NAME is not allowed", "smart", "relaxed", "ast", "cst", "signature", "upperCase", "lowerCase",
]  # fmt: skip
LANGUAGES = st.sampled_from(["rust", "python", "typescript", "tsx", "ts", "Rust", "go", ""])


@st.composite
def rule_tree(draw: st.DrawFn, depth: int = 0) -> Any:
    """An ast-grep rule: atomic (pattern, kind, regex, nthChild, range), relational (inside, has,
    follows, precedes, with stopBy and field), composite (all, any, not, matches), or anything."""
    atomic = st.fixed_dictionaries(
        {},
        optional={
            "pattern": st.one_of(
                words(RULE_WORDS),
                st.fixed_dictionaries(
                    {"context": words(RULE_WORDS), "selector": words(RULE_WORDS)},
                    optional={"strictness": words(RULE_WORDS)},
                ),
            ),
            "kind": words(RULE_WORDS),
            "regex": words(RULE_WORDS),
            "nthChild": st.one_of(
                st.integers(-2, 5),
                words(RULE_WORDS),
                st.fixed_dictionaries({"position": st.integers(-1, 3)}, optional={"reverse": st.booleans()}),
            ),
        },
    )
    if depth >= 3:
        return draw(st.one_of(atomic, trees(RULE_WORDS, 5)))
    inner = rule_tree(depth + 1)
    relational = st.tuples(
        st.sampled_from(["inside", "has", "follows", "precedes"]),
        inner,
        st.one_of(st.none(), st.sampled_from(["end", "neighbor"]), inner),
        st.one_of(st.none(), words(RULE_WORDS)),
    ).map(
        lambda t: {
            t[0]: {
                **(t[1] if isinstance(t[1], dict) else {"kind": "x"}),
                **({"stopBy": t[2]} if t[2] is not None else {}),
                **({"field": t[3]} if t[3] is not None else {}),
            }
        }
    )
    composite = st.one_of(
        st.lists(inner, max_size=3).map(lambda rules: {"all": rules}),
        st.lists(inner, max_size=3).map(lambda rules: {"any": rules}),
        inner.map(lambda rule: {"not": rule}),
        words(RULE_WORDS).map(lambda name: {"matches": name}),
    )
    return draw(st.one_of(atomic, relational, composite, trees(RULE_WORDS, 5)))


# Rules that compile in every language: half the documents use one, so that what is read after
# compiling (files, ignores, message, severity) and running the rule is reached too.
COMPILING = st.sampled_from(
    [
        {"pattern": "$X"},
        {"regex": "^get"},
        {"kind": "identifier"},
        {"kind": "identifier", "inside": {"pattern": "$F($$$)", "stopBy": "end"}},
        {"any": [{"pattern": "$A.$B"}, {"regex": "scan"}]},
        {"all": [{"kind": "identifier"}, {"not": {"regex": "^x"}}]},
        {"pattern": "$X", "has": {"regex": ".", "stopBy": "neighbor"}},
        {"matches": "named"},
    ]
)


@st.composite
def rule_document(draw: st.DrawFn) -> Any:
    document = {
        "id": draw(words(RULE_WORDS)),
        "language": draw(st.one_of(LANGUAGES, LANGUAGES, trees(RULE_WORDS, 3))),
        "rule": draw(st.one_of(COMPILING, rule_tree())),
    }
    if document["rule"] == {"matches": "named"} or draw(st.integers(0, 3)) == 0:
        document["utils"] = {"named": draw(st.one_of(COMPILING.filter(lambda r: "matches" not in r), rule_tree(1)))}
    optional = {
        "severity": st.one_of(
            st.sampled_from(["error", "warning", "info", "hint", "off", "fatal"]), trees(RULE_WORDS, 3)
        ),
        "message": st.one_of(words(RULE_WORDS), trees(RULE_WORDS, 3)),
        "note": words(RULE_WORDS),
        "constraints": st.dictionaries(st.sampled_from(["NAME", "A", "X", "M"]), rule_tree(2), max_size=2),
        "transform": trees(RULE_WORDS, 6),
        "files": st.one_of(st.lists(words(RULE_WORDS), max_size=3), trees(RULE_WORDS, 3)),
        "ignores": st.one_of(st.lists(words(RULE_WORDS), max_size=3), trees(RULE_WORDS, 3)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=5)):
        document[key] = draw(optional[key])
    if draw(st.integers(0, 9)) == 0:
        del document[draw(st.sampled_from(["id", "language", "rule"]))]
    return document


BUILTIN_RULES = sorted((REPO / "rules").glob("*/SG*.yml"))
RULE_TOKENS = [
    "\n",
    ": ",
    "- ",
    "  ",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "!!python/object ",
    "!Ref ",
    "---\n",
    "|\n",
    ">\n",
    "'",
    '"',
    "#",
    "\t",
    "~",
    "9" * 2000,
    "stopBy: end",
    "kind: ERROR",
    "regex: '['",
]


def manifest_with_rules(root: Path) -> Path:
    """The blue example with users' rules, scanning its Rust sources and copies of the Python and
    TypeScript examples' sources."""
    shutil.copytree(EXAMPLES / "python" / "dialogue", root / "py")
    shutil.copytree(EXAMPLES / "typescript" / "src", root / "ts")
    text = (root / "store-gate.toml").read_text(encoding="utf-8")
    text = text.replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n', 1)
    text = text.replace("[boundaries]\n", '[boundaries]\npaths = ["src/**/*.rs", "py/**/*.py", "ts/**/*.ts"]\n', 1)
    return write(root, "store-gate.toml", text)


@budget(120)
@given(data=st.data(), documents=st.integers(1, 3), how=st.integers(0, 4))
def test_users_rules(data: st.DataObject, documents: int, how: int) -> None:
    if how == 0:  # a built-in rule file edited as text, under a user's id
        source = (
            data.draw(st.sampled_from(BUILTIN_RULES)).read_text(encoding="utf-8").replace("id: SG", "id: user-SG", 1)
        )
        text = data.draw(mutated_text(source, RULE_TOKENS))
    else:
        rules = [data.draw(rule_document()) for _ in range(documents)]
        if how == 1:
            rules = [data.draw(mutated_tree(rules[0], RULE_WORDS))]
        text = "---\n".join(data.draw(yaml_text(rule)) for rule in rules)
    with project("blue") as root:
        manifest = manifest_with_rules(root)
        write(
            root, "governance/rule.yml", data.draw(mutated_bytes(text)) if data.draw(st.integers(0, 19)) == 0 else text
        )
        cold = verdict(manifest)
        # The second run reads the rule's parsed YAML from the cache: it must read the same rule.
        assert verdict(manifest) == cold


def verdict(manifest: Path) -> list[str]:
    """What a check says: its findings, or its one-line errors."""
    problems: list[str] = []

    def run() -> CheckResult:
        try:
            return check(load(manifest))
        except ConfigError as exc:
            problems.extend(problem.render() for problem in exc.problems)
            raise

    result = settles(run)
    if result is None:
        return problems or ["refused"]
    rendered(result)
    return [f"{f.location} {f.code} {f.message}" for f in result.findings]
