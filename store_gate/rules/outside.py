"""Rules whose findings come from outside the rule run: the baseline's own check (SG105) and
the flake8 plugin's (SG000). Defined here, apart from the modules that report them, so that the
catalogue - which every run imports - does not import the baseline's writer or the plugin."""

from __future__ import annotations

from store_gate.rule import Rule

# flake8 cannot exit 2: a manifest it cannot read is reported as a finding in the files that
# name a store's trait, rather than as a clean store.
SG000 = Rule(
    "SG000",
    "manifest-unreadable",
    "error",
    "The manifest cannot be read or validated (reported by the flake8 plugin).",
    lowerable=False,
    waivable=False,
    baselinable=False,
)

SG105 = Rule(
    "SG105",
    "baseline-entry-added",
    "error",
    "A baseline entry was added in the change under review.",
    lowerable=False,
    waivable=False,
    baselinable=False,
)
