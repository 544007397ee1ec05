"""The languages the gate reads: one table, one entry per language.

Everything the gate knows of a language lives here - its file suffixes, its extractor module, its
ast-grep language - so that adding one is one entry (and its extractor). Extractor modules are
imported on first use: a run over Python sources never imports ast-grep-py.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store_gate.extract.model import FileExtraction, TypeDefinition


@dataclass(frozen=True)
class Language:
    name: str  # also the ast-grep-py language name
    suffixes: tuple[str, ...]
    extractor: str  # the module with extract() and type_definitions()
    rules: str  # the folder of rules/ whose rules run on it (tsx runs typescript's)

    def extract(self, path: str, text: str, wanted: frozenset[str]) -> FileExtraction:
        """The governed traits among `wanted` that the file defines, and what blocks reading them."""
        result: FileExtraction = import_module(self.extractor).extract(path, text, wanted, self.name)
        return result

    def type_definitions(self, path: str, text: str, names: frozenset[str]) -> dict[str, TypeDefinition]:
        """The named types among `names` that the file defines: function types and collections."""
        found: dict[str, TypeDefinition] = import_module(self.extractor).type_definitions(path, text, names, self.name)
        return found


LANGUAGES: tuple[Language, ...] = (
    Language("rust", (".rs",), "store_gate.extract.rust", "rust"),
    Language("python", (".py", ".pyi"), "store_gate.extract.python", "python"),
    Language("typescript", (".ts", ".mts", ".cts"), "store_gate.extract.typescript", "typescript"),
    Language("tsx", (".tsx",), "store_gate.extract.typescript", "typescript"),
)

_BY_SUFFIX = {suffix: language for language in LANGUAGES for suffix in language.suffixes}


def language_of(path: str) -> Language | None:
    """The language of a file, by its suffix; None for files no extractor reads."""
    return _BY_SUFFIX.get(PurePosixPath(path).suffix)
