"""Which rule codes a run reports: `--select` (code prefixes or users' rule ids) minus `--ignore`.

Parsed here, not in the CLI, so that the check, the baseline and tests share one reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from store_gate.errors import UsageError


def _prefixes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(p.strip().upper() for value in values for p in value.split(",") if p.strip())


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()  # code prefixes; empty: every code
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(cls, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
        """From the command line's repeated, comma-separated values; an SG prefix that names no
        built-in code is a usage error (other prefixes may name users' rules: `check_ids`)."""
        from store_gate.catalogue import RULES

        chosen, dropped = _prefixes(select), _prefixes(ignore)
        for flag, prefixes, raw in (("--select", chosen, select), ("--ignore", dropped, ignore)):
            if any(v.strip(", ") == "" for v in raw):
                raise UsageError(f"{flag}: is empty")
            for prefix in prefixes:
                if prefix.startswith("SG") and not any(code.startswith(prefix) for code in RULES):
                    raise UsageError(f"{flag} {','.join(raw)}: {prefix} matches no rule code (see store-gate rules)")
        return cls(chosen, dropped)

    def check_ids(self, user_ids: Iterable[str]) -> None:
        """A prefix that is neither an SG code nor one of the manifest's own rules is a usage error."""
        ids = {i.upper() for i in user_ids}
        for prefix in (*self.select, *self.ignore):
            if not prefix.startswith("SG") and not any(i.startswith(prefix) for i in ids):
                raise UsageError(f"{prefix} matches no rule code and none of the manifest's rules")

    def includes(self, code: str) -> bool:
        code = code.upper()
        chosen = not self.select or any(code.startswith(p) for p in self.select)
        return chosen and not any(code.startswith(p) for p in self.ignore)

    @property
    def everything(self) -> bool:
        return not self.select and not self.ignore

    def left_out(self) -> list[str]:
        """The families (SG0 input, SG1 coverage, SG2 legality, ...) of which this selection
        leaves out an error rule (by its default severity), in part or whole: a run without one
        of them did not check what the gate checks, so it is partial, never a pass. Leaving out
        warnings only (SG210, SG401, ...) is a full run."""
        from store_gate.catalogue import RULES

        return sorted(
            {
                code[:3]
                for code, rule in RULES.items()
                if code != "SG000" and rule.severity == "error" and not self.includes(code)
            }
        )

    def describe(self) -> str:
        parts = ([f"--select {','.join(self.select)}"] if self.select else []) + (
            [f"--ignore {','.join(self.ignore)}"] if self.ignore else []
        )
        return " ".join(parts)
