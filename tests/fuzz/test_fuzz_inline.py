"""Inline `@access` declarations: arbitrary and near-valid TOML inline tables, in Rust doc
comments (`///`, `/** */`, `#[doc]`), Python docstrings and TypeScript JSDoc, checked in-process."""

from __future__ import annotations

import json

import tomli
from fuzzing import MANIFEST, ODD_TEXT, budget, checked, mutated_text, mutated_tree, project, toml_value, trees, write
from hypothesis import given
from hypothesis import strategies as st

VALID = [
    '{ op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }',
    '{ op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }, page = "cursor" }',
    '{ op = "Query", index = "GSI1", entity = "Dialogue", key = { gsi1pk = "STATUS#{status}" }, limit = "{limit}" }',
    '{ op = "Query", index = "ByTime", key = { pk = "DIALOGUE#{dialogue_id}", lsi1sk = { between = ["AT#{since}", "AT#{until}"] } }, limit = 10 }',
    '{ op = "PutItem", entity = "Round", key = { pk = "DIALOGUE#{round.dialogue_id}", sk = "ROUND#{round.number}" } }',
    '{ op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }, consistent = true }',
]
INLINE_WORDS = [
    "op", "index", "entity", "key", "page", "limit", "consistent", "eq", "lt", "le", "gt", "ge", "between", "begins_with",
    "<", "<=", "=", "contains", "pk", "sk", "gsi1pk", "lsi1sk", "GSI1", "ByTime", "Nope", "Dialogue", "Round", "GetItem",
    "Query", "Scan", "PutItem", "ExecuteStatement", "cursor", "DIALOGUE#{dialogue_id}", "{limit}", "{self}", "{_}",
    "{round.number}", "{missing}", "{", "}", "{{}}", "META", "",
]  # fmt: skip
TOKENS = [
    "{",
    "}",
    "{ ",
    " }",
    '"',
    "'",
    "=",
    ",",
    "\n",
    "@access",
    "*/",
    "/**",
    '"""',
    "\\",
    "#",
    '{ op = "Query" }',
    "key = {",
    "[",
    "]",
    "\u2028",
    "\x00",
]

METHOD_PARAMETERS = {
    "rust": "&self, dialogue_id: &str, status: &str, limit: u32, round: &Round, since: &str, until: &str",
    "python": "self, dialogue_id: str, status: str, limit: int, round: Round, since: str, until: str",
    "typescript": "dialogue_id: string, status: string, limit: number, round: Round, since: string, until: string",
}

INLINE = st.one_of(
    ODD_TEXT,
    st.sampled_from(VALID),
    st.sampled_from(VALID).flatmap(lambda text: mutated_text(text, TOKENS + INLINE_WORDS)),
    st.sampled_from(VALID)
    .flatmap(lambda text: mutated_tree(tomli.loads("x = " + text)["x"], INLINE_WORDS))
    .map(toml_value),
    trees(INLINE_WORDS, 15).map(toml_value),
)


def rust_doc(text: str, style: int) -> str:
    if style == 0:
        return "".join(
            f"    /// @access {line}\n" if i == 0 else f"    /// {line}\n" for i, line in enumerate(text.split("\n"))
        )
    if style == 1:
        return f"    /** @access {text} */\n"
    if style == 2:
        return f"    #[doc = {json.dumps('@access ' + text)}]\n"
    return f"    //! @access {text}\n"


def python_doc(text: str, style: int) -> str:
    if style == 0:
        return f"        {'@access ' + text!r}\n"
    body = ("@access " + text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'        """Doc.\n\n        {body}\n        """\n'


def typescript_doc(text: str, style: int) -> str:
    if style == 0:
        return (
            "  /**\n"
            + "".join(f"   * {'@access ' if i == 0 else ''}{line}\n" for i, line in enumerate(text.split("\n")))
            + "   */\n"
        )
    return f"  /** @access {text} */\n"


def source(language: str, texts: list[str], styles: list[int]) -> tuple[str, str]:
    parameters = METHOD_PARAMETERS[language]
    if language == "rust":
        members = "".join(
            f"{rust_doc(t, s)}    fn m{i}({parameters}) -> Vec<Round>;\n\n"
            for i, (t, s) in enumerate(zip(texts, styles))
        )
        return "src/store.rs", f"pub struct Round;\n\npub trait DialogueStore {{\n{members}}}\n"
    if language == "python":
        members = "".join(
            f"    def m{i}({parameters}) -> list[Round]:\n{python_doc(t, s)}        ...\n\n"
            for i, (t, s) in enumerate(zip(texts, styles))
        )
        return (
            "src/store.py",
            f"from typing import Protocol\n\n\nclass Round: ...\n\n\nclass DialogueStore(Protocol):\n{members}",
        )
    members = "".join(
        f"{typescript_doc(t, s)}  m{i}({parameters}): Promise<Round[]>;\n\n"
        for i, (t, s) in enumerate(zip(texts, styles))
    )
    return (
        "src/store.ts",
        f"export interface Round {{ id: string }}\n\nexport interface DialogueStore {{\n{members}}}\n",
    )


@budget(150)
@given(
    language=st.sampled_from(["rust", "python", "typescript"]),
    texts=st.lists(INLINE, min_size=1, max_size=3),
    styles=st.lists(st.integers(0, 3), min_size=3, max_size=3),
)
def test_inline_declarations(language: str, texts: list[str], styles: list[int]) -> None:
    path, text = source(language, texts, styles)
    with project() as root:
        write(root, "store-gate.toml", MANIFEST)
        write(root, path, text)
        checked(root / "store-gate.toml", warm=True)
