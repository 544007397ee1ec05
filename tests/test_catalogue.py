"""One catalogue: every code it lists is produced somewhere, and nothing produces a code it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO

from store_gate.catalogue import RULES
from store_gate.rules import OTHER_CODES, PATTERN_RULES, PROJECT_RULES

# Produced outside the rule registry, each in one named place.
ELSEWHERE = {
    "SG000": "store_gate/flake8_plugin.py",  # flake8 cannot exit 2
    "SG302": "store_gate/check.py",  # needs the --base comparison
}


def _structural_codes() -> set[str]:
    codes = set()
    for path in (REPO / "rules").glob("*/SG*.yml"):
        if path.parent.name != "tests":
            codes.add(re.search(r"code: (SG\d{3})", path.read_text()).group(1))  # type: ignore[union-attr]
    return codes


def test_every_catalogue_code_is_produced_and_nothing_else() -> None:
    produced = set(PROJECT_RULES) | set(PATTERN_RULES) | set(OTHER_CODES) | _structural_codes() | set(ELSEWHERE)
    assert produced == set(RULES)


def test_codes_produced_elsewhere_appear_in_their_module() -> None:
    for code, module in ELSEWHERE.items():
        assert f'"{code}' in Path(REPO / module).read_text(), (code, module)


def test_every_code_has_a_complete_doc_page() -> None:
    for rule in RULES.values():
        assert all((rule.summary, rule.what, rule.why, rule.bad, rule.good, rule.fix)), rule.code
        assert re.fullmatch(r"[a-z0-9-]+", rule.name), rule.code


def test_the_index_limit_rule_cites_dynamodbs_quota_page() -> None:
    page = RULES["SG301"].doc_page()
    assert "20 global secondary indexes" in page and "5 local secondary indexes" in page
    assert (
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-secondary-indexes"
        in page
    )
