"""Manifests: valid TOML of arbitrary shape, and near-valid manifests (the examples' manifests and
the README's manifest reference, edited as text or as a tree), loaded and checked in-process
against the example projects."""

from __future__ import annotations

import re
from typing import Any

import tomli
from fuzzing import (
    EXAMPLES,
    REPO,
    TOML_SCALARS_EXTRA,
    budget,
    checked,
    mutated_text,
    mutated_tree,
    project,
    scalars,
    toml_document,
    trees,
    words,
    write,
)
from hypothesis import given
from hypothesis import strategies as st

MANIFEST_WORDS = [
    # keys
    "version", "fail_on", "legacy", "baseline", "rules", "store", "trait", "paths", "external", "table", "name",
    "from", "resource", "partition_key", "sort_key", "type", "gsi", "lsi", "projection", "include", "entity",
    "access", "op", "index", "key", "page", "limit", "consistent", "eq", "lt", "le", "gt", "ge", "between",
    "begins_with", "waiver", "rule", "method", "path", "reason", "expires", "severity", "boundaries", "domain",
    "backends", "allow", "modules", "vocabulary", "backend_types", "key_attributes", "key_prefixes", "limits",
    "max_file_bytes", "rule_seconds", "tool", "store_gate",
    # names and values the examples use
    "DialogueStore", "DialogueReads", "DialogueWrites", "GSI1", "Inverted", "ByTime", "Dialogue", "Round", "pk", "sk",
    "gsi1pk", "gsi1sk", "lsi1sk", "S", "N", "B", "GetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
    "BatchGetItem", "TransactWriteItems", "cursor", "ALL", "KEYS_ONLY", "INCLUDE", "error", "warning", "off", "warn",
    "info", "SG202", "SG210", "SG401", "SG999", "sqlite", "dynamodb", "redis",
    # templates, globs and paths, good and bad
    "DIALOGUE#{dialogue_id}", "ROUND#{round}", "ROUND#", "{limit}", "{", "}", "{{", "{a.b.c}", "{self}", "{0}",
    "src/**/*.rs", "src/**/*.py", "**/*.ts", "*", "**", "../x", "/etc/passwd", "[z-a]", "[]", "[[:alpha:]]", "{a,b}",
    "src/store/mod.rs", "infra/t.yaml", "governance/*.yml", "store-gate-baseline.json", "a" * 300,
]  # fmt: skip

MANIFEST_SCALARS = st.one_of(scalars(MANIFEST_WORDS), TOML_SCALARS_EXTRA)
ARBITRARY = trees(MANIFEST_WORDS, 40, MANIFEST_SCALARS)


def _reference_manifest() -> str:
    """The README's manifest reference: the first TOML block under "## The manifest"."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The manifest", 1)[1]
    match = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert match, "the README's manifest reference moved"
    return match.group(1)


EXAMPLE_MANIFESTS = {
    name: (EXAMPLES / name / "store-gate.toml").read_text(encoding="utf-8") for name in ("blue", "python", "typescript")
}
REFERENCE = _reference_manifest()
SOURCES = [(name, text) for name, text in EXAMPLE_MANIFESTS.items()] + [("blue", REFERENCE)]
TOML_TOKENS = [
    "[", "]", "[[", "]]", "{", "}", "=", ",", ".", '"', "'", '"""', "'''", "\\", "#", "\n", " = ", "true", "1979-05-27",
    "1979-05-27T07:32:00Z", "nan", "inf", "-0", "0x10", "1_000", "9" * 5000, "[table]", "[[store]]", "[access.A.b]",
    "[table.gsi.G]", "key = { pk = \"P#{id}\" }", 'op = "Scan"', "version = 2", "paths = []", '"\\u0000"', "\ufeff",
]  # fmt: skip


@budget(150)
@given(tree=st.dictionaries(words(MANIFEST_WORDS), ARBITRARY, max_size=8), inline_below=st.integers(0, 3))
def test_valid_toml_of_any_shape(tree: dict[str, Any], inline_below: int) -> None:
    with project("blue") as root:
        manifest = write(root, "store-gate.toml", toml_document(tree, inline_below))
        checked(manifest, warm=True)


@budget(150)
@given(data=st.data(), which=st.sampled_from(range(len(SOURCES))), inline_below=st.integers(0, 3))
def test_example_manifests_edited_as_trees(data: st.DataObject, which: int, inline_below: int) -> None:
    example, text = SOURCES[which]
    tree = data.draw(mutated_tree(tomli.loads(text), MANIFEST_WORDS, MANIFEST_SCALARS))
    if not isinstance(tree, dict):
        tree = {"version": 1, "store": tree}
    with project(example) as root:
        manifest = write(root, "store-gate.toml", toml_document(tree, inline_below))
        checked(manifest, warm=True)


@budget(150)
@given(data=st.data(), which=st.sampled_from(range(len(SOURCES))))
def test_example_manifests_edited_as_text(data: st.DataObject, which: int) -> None:
    example, text = SOURCES[which]
    edited = data.draw(mutated_text(text, TOML_TOKENS))
    with project(example) as root:
        manifest = write(root, "store-gate.toml", edited)
        checked(manifest, warm=True)


@budget(60)
@given(data=st.data(), which=st.sampled_from(range(len(SOURCES))), table=st.sampled_from(["store_gate", "store-gate"]))
def test_manifests_inside_pyproject(data: st.DataObject, which: int, table: str) -> None:
    example, text = SOURCES[which]
    tree = data.draw(st.one_of(mutated_tree(tomli.loads(text), MANIFEST_WORDS, MANIFEST_SCALARS), ARBITRARY))
    document = {"project": {"name": "x"}, "tool": {table: tree}}
    with project(example) as root:
        (root / "store-gate.toml").unlink(missing_ok=True)
        manifest = write(root, "pyproject.toml", toml_document(document, 2))
        checked(manifest, warm=True)


def test_the_toml_writer_round_trips() -> None:
    """The generator's own check: what it writes is the TOML it meant (else the targets above
    would only ever test syntax errors)."""
    tree = tomli.loads(EXAMPLE_MANIFESTS["blue"])
    assert tomli.loads(toml_document(tree)) == tree
    assert tomli.loads(toml_document(tree, 0)) == tree
    odd = {"a b": {"\n": [1, {"x": '\x00\\"'}], "t": [{"k": 1}, {"k": 2}]}, "big": 10**30}
    assert tomli.loads(toml_document(odd)) == odd
