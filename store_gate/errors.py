"""The user-facing error types. Anything else that escapes is an internal error (exit 3)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a manifest: the file, the TOML key path, and the line when known."""

    file: str
    key: str
    message: str
    line: int | None = None

    def render(self) -> str:
        """One line, whatever a file name or a key from the checked project holds."""
        from store_gate.display import one_line

        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        return one_line(f"invalid config: {where}:{key} {self.message}", 2000)


class ConfigError(Exception):
    """The manifest (or another input the user controls) is unusable: exit 2."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(p.render() for p in problems))
        self.problems = problems


class UsageError(Exception):
    """The command line asks for something impossible: exit 2."""


def config_error(file: str, key: str, message: str, line: int | None = None) -> ConfigError:
    return ConfigError([ConfigProblem(file, key, message, line)])
