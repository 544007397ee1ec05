"""The README's rules table, printed from the catalogue (tests/test_cli.py compares the README's
table with this output, byte for byte). After adding or changing a rule:

    PYTHONPATH=. python scripts/rules_table.py

and paste the output over the table under "## Rules" in README.md.
"""

from __future__ import annotations

from store_gate.catalogue import RULES


def rules_table() -> str:
    rows = ["| code | name | default | checks |", "|---|---|---|---|"]
    rows += [f"| {rule.code} | {rule.name} | {rule.severity} | {rule.summary} |" for rule in RULES.values()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(rules_table(), end="")
