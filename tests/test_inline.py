"""`@access` over several doc lines, in every language: joined until the braces balance."""

from __future__ import annotations

import pytest
from conftest import Gate

from store_gate.extract.inline import access_declarations
from store_gate.extract.model import SourceLocation


def test_braces_inside_strings_do_not_count() -> None:
    lines = [
        (SourceLocation("a", 1, 1), ' @access { op = "Query", key = { pk = "D#{id}}",'),
        (SourceLocation("a", 2, 1), '   sk = { begins_with = "R#{" } },'),
        (SourceLocation("a", 3, 1), '   page = "cursor" }'),
        (SourceLocation("a", 4, 1), " More prose that is not part of it."),
    ]
    (declaration,) = access_declarations(lines)
    assert (
        declaration.text == '{ op = "Query", key = { pk = "D#{id}}", sk = { begins_with = "R#{" } }, page = "cursor" }'
    )
    assert declaration.location.line == 1


DECLARATION = [
    "@access {",
    '  op = "Query", entity = "Round",',
    '  key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } },',
    '  page = "cursor" }',
]

SOURCES = {
    "rs": "pub trait DialogueStore {\n"
    + "".join(f"    /// {line}\n" for line in DECLARATION)
    + "    fn list_rounds(&self, dialogue_id: &str, cursor: Option<&str>) -> Vec<Round>;\n}\n",
    "py": 'class DialogueStore(Protocol):\n    def list_rounds(self, dialogue_id: str, cursor: str | None) -> list[Round]:\n        """Rounds.\n\n'
    + "".join(f"        {line}\n" for line in DECLARATION)
    + '        """\n',
    "ts": "export interface DialogueStore {\n  /**\n"
    + "".join(f"   * {line}\n" for line in DECLARATION)
    + "   */\n  listRounds(dialogue_id: string, cursor?: string): Promise<Round[]>;\n}\n",
}
DECLARED_LINE = {"rs": 2, "py": 5, "ts": 3}


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_a_declaration_over_several_doc_lines_is_checked_like_one(gate: Gate, language: str) -> None:
    gate.manifest(paths=f'["src/**/*.{language}"]')
    gate.write(f"src/store.{language}", SOURCES[language])
    assert gate.codes() == []
    result = gate.run()
    (declaration,) = result.project.inline_declarations.values()
    assert declaration.pattern.page == "cursor" and declaration.location.line == DECLARED_LINE[language]


def test_an_unterminated_declaration_is_sg002(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        'pub trait DialogueStore {\n    /// @access { op = "GetItem",\n    ///   key = { pk = "D#{id}", sk = "META" }\n'
        "    fn get(&self, id: &str);\n}\n",
    )
    assert "not a TOML inline table" in gate.only("SG002", also=("SG101",)).message
