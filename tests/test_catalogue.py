"""One catalogue: every rule is a `Rule` object with a producer, a doc page and, for structural
rules, its ast-grep YAML; nothing produces a code the catalogue lacks."""

from __future__ import annotations

import re

import yaml
from conftest import REPO

from store_gate.catalogue import RULES

PACKAGE = REPO / "store_gate"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## How to fix")


def _package_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py")))


def test_every_rule_has_a_producer() -> None:
    source = _package_source()
    for rule in RULES.values():
        runs = rule.project or rule.pattern or rule.scan
        produced_by_a_stage = re.search(rf"\b{rule.code}\.at\(", source) or f'"{rule.code}"' in source
        assert runs or produced_by_a_stage, f"{rule.code} is produced nowhere"


def test_findings_are_made_only_through_rule_objects() -> None:
    """`Finding(...)` is built in one place (Rule.at); nothing spells a code into a finding."""
    source = _package_source()
    assert "Finding.at(" not in source
    constructions = re.findall(r"\bFinding\(", source)
    assert len(constructions) == 1, "Finding(...) is constructed outside Rule.at"


def test_extractor_problem_codes_are_catalogue_codes() -> None:
    for path in (PACKAGE / "extract").glob("*.py"):
        for code in re.findall(r'"(SG\d{3})"', path.read_text(encoding="utf-8")):
            assert code in RULES, (path.name, code)


def test_every_rule_has_a_complete_doc_page_and_no_page_is_orphaned() -> None:
    pages = {p.stem for p in (PACKAGE / "docs").glob("SG*.md")}
    assert pages == set(RULES)
    for rule in RULES.values():
        assert all(section in rule.doc for section in SECTIONS), rule.code
        assert re.fullmatch(r"[a-z0-9-]+", rule.name), rule.code
        assert rule.summary.endswith("."), rule.code


def test_gate_rules_are_not_lowerable() -> None:
    """An error of SG0, SG1 and SG2 is the gate itself: the manifest cannot lower it."""
    for rule in RULES.values():
        if rule.family in ("SG0", "SG1", "SG2") and rule.severity == "error":
            assert not rule.lowerable, rule.code


def test_structural_rules_have_their_yaml_in_every_language_with_tests() -> None:
    structural = {code for code, rule in RULES.items() if rule.scan is not None}
    files = {p.stem for p in (REPO / "rules").glob("*/SG*.yml") if p.parent.name != "tests"}
    tests = {p.stem.removesuffix("-test") for p in (REPO / "rules" / "tests").glob("SG*-test.yml")}
    expected = {f"{code}-{lang}" for code in structural for lang in ("rust", "python", "typescript")}
    assert files == expected and tests == expected


def test_the_yaml_message_of_a_structural_rule_is_its_summary() -> None:
    """The rule project also runs with the ast-grep CLI; its message is the catalogue's, not a second text."""
    for path in (REPO / "rules").glob("*/SG*.yml"):
        if path.parent.name == "tests":
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule = RULES[path.stem.split("-")[0]]
        assert document["message"] == rule.summary, path.name
        assert document["severity"] == rule.severity, path.name


def test_the_index_limit_rule_cites_dynamodbs_quota_page() -> None:
    page = RULES["SG301"].doc_page()
    assert "20 global secondary indexes" in page and "5 local secondary indexes" in page
    assert (
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-secondary-indexes"
        in page
    )


def test_rule_pages_cite_only_what_a_user_has() -> None:
    """No page points at material outside the package or its public documentation."""
    for rule in RULES.values():
        assert "../" not in rule.doc and "shared/" not in rule.doc, rule.code


def test_the_changelog_names_this_version_first() -> None:
    from store_gate import __version__

    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+)", text, re.MULTILINE)
    assert first is not None and first.group(1) == __version__
