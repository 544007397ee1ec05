"""The one finding type every rule produces and every reporter reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store_gate.rule import Severity


@dataclass(frozen=True, order=True)
class Finding:
    # Field order is the output order: path, line, column, code, message.
    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = "error"
    # The governed trait and method the finding is about ("trait" and "method" mean only those);
    # `symbol` names what else it is about, such as a domain struct's field (`Dialogue.gsi1pk`).
    trait: str | None = None
    method: str | None = None
    symbol: str | None = None

    @property
    def subject(self) -> str | None:
        """`Trait.method` (or the symbol), what method waivers and the baseline key on."""
        if self.trait and self.method:
            return f"{self.trait}.{self.method}"
        return self.trait or self.symbol

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def fingerprint(self) -> str:
        """Stable across commits: the rule, what it is about, and the message without line
        references - never the finding's own line, so moving code keeps its identity."""
        anchor = self.subject or self.path
        message = _LINE_REFERENCE.sub("", self.message)
        import hashlib  # fingerprints are for SARIF, GitLab and the baseline only

        # surrogatepass: a name with a lone surrogate (or a path that is not UTF-8) still has an identity
        return hashlib.sha256(f"{self.code}\0{anchor}\0{message}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


_LINE_REFERENCE = re.compile(r":\d+(?::\d+)?")
