"""SG0 (input, fail closed) and SG1 (coverage): a failing and a passing case per rule."""

from __future__ import annotations

from conftest import Gate

DECLARED = """
[access.DialogueStore.get_dialogue]
op = "GetItem"
entity = "Dialogue"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
"""

STORE = """
pub trait DialogueStore {
    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
}
"""


# SG001 ---------------------------------------------------------------------------------------


def test_sg001_renamed_trait_is_reported_at_the_store_entry(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE.replace("DialogueStore", "ConversationStore"))
    finding = gate.only("SG001")
    assert (finding.path, finding.line) == ("store-gate.toml", 4)
    assert "DialogueStore is defined in none of the 1 files" in finding.message
    assert gate.codes() == ["SG001"], "a missing store must not cascade into SG102/SG104 noise"


def test_sg001_paths_matching_no_file_are_reported(gate: Gate) -> None:
    gate.manifest(DECLARED, paths='["crates/**/*.rs"]')
    gate.write("src/store.rs", STORE)
    assert "match no source file" in gate.only("SG001").message


def test_sg001_passes_when_the_trait_is_found(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    assert gate.codes() == []


# SG002 ---------------------------------------------------------------------------------------


def test_sg002_syntax_error_inside_the_trait_is_reported_at_its_position(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
            fn list_rounds(&self, dialogue_id: &DialogueId ->
        }
        """,
    )
    finding = gate.only("SG002", also=("SG001",))  # the error hides the trait
    assert (finding.path, finding.line) == ("src/store.rs", 3), finding


def test_sg002_missing_semicolon_is_a_missing_node(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs", "pub trait DialogueStore {\n    fn get_dialogue(&self, dialogue_id: &DialogueId) -> u8\n}\n"
    )
    assert 'missing ";"' in gate.only("SG002").message


def test_sg002_file_that_is_not_utf8_is_reported(gate: Gate) -> None:
    gate.manifest(DECLARED)
    (gate.root / "src").mkdir()
    (gate.root / "src" / "store.rs").write_bytes(b"// caf\xe9\npub trait DialogueStore {}\n")
    finding = gate.only("SG002", also=("SG001",))  # the store cannot be read, so it is not found
    assert "not valid UTF-8" in finding.message and finding.path == "src/store.rs"


def test_sg002_malformed_inline_declaration_is_reported(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}" sk = "META" } }
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        """,
    )
    finding = gate.only("SG002", also=("SG101",))  # an unreadable declaration declares nothing
    assert finding.line == 2 and "not a TOML inline table" in finding.message


def test_sg002_inline_declaration_with_unknown_field_is_reported(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            /// @access { op = "GetItem", colour = "red", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        """,
    )
    assert "colour: unknown field" in gate.only("SG002", also=("SG101",)).message


def test_sg002_passes_on_a_clean_file(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    assert gate.codes() == []


# SG003 ---------------------------------------------------------------------------------------


def test_sg003_macro_invocation_in_the_trait_is_reported(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
            crud_methods!(Round);
            include!("more_methods.rs");
        }
        """,
    )
    findings = gate.findings()
    assert [(f.code, f.line) for f in findings] == [("SG003", 3), ("SG003", 4)]
    assert "crud_methods!" in findings[0].message and "include!" in findings[1].message


def test_sg003_associated_types_and_consts_are_not_members_to_govern(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            type Error: std::error::Error;
            const PAGE: usize = 50;
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        """,
    )
    assert gate.codes() == []


# SG101 ---------------------------------------------------------------------------------------


def test_sg101_undeclared_method_is_reported_at_its_name_with_a_suggestion(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
            fn list_rounds(&self, dialogue_id: &DialogueId) -> Result<Vec<Round>>;
        }
        """,
    )
    finding = gate.only("SG101")
    assert (finding.line, finding.column) == (3, 8)
    assert finding.message.startswith("DialogueStore.list_rounds has no access pattern")
    assert (
        '@access { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", '
        'sk = { begins_with = "ROUND#" } }, page = "cursor" }' in finding.message
    )


def test_sg101_suggested_declaration_passes_once_pasted(gate: Gate) -> None:
    gate.manifest(DECLARED)
    source = """
        pub struct Round { pub dialogue_id: DialogueId, pub round: u32 }
        pub trait DialogueStore {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
            fn append_round(&self, round: &Round) -> Result<()>;
        }
        """
    gate.write("src/store.rs", source)
    suggestion = gate.only("SG101").message.split("e.g. @access ")[1]
    assert suggestion == (
        '{ op = "PutItem", entity = "Round", key = { pk = "DIALOGUE#{round.dialogue_id}", sk = "ROUND#{round.round}" } }'
    )
    gate.write(
        "src/store.rs", source.replace("fn append_round", f"/// @access {suggestion}\n            fn append_round")
    )
    assert gate.codes() == []


def test_sg101_supertrait_methods_are_governed(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore: DialogueReads + std::fmt::Debug + Send + Sync {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        """,
    )
    gate.write(
        "src/reads.rs",
        """
        pub trait DialogueReads: Send {
            fn list_rounds(&self, dialogue_id: &DialogueId) -> Result<Vec<Round>>;
        }
        """,
    )
    finding = gate.only("SG101")
    assert finding.path == "src/reads.rs" and finding.message.startswith("DialogueReads.list_rounds")


def test_sg101_cfg_gated_and_default_methods_are_still_methods(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
            #[cfg(feature = "admin")]
            fn purge(&self) -> Result<()>;
            fn count(&self) -> usize { 0 }
        }
        """,
    )
    assert [(f.code, f.method) for f in gate.findings()] == [("SG101", "purge"), ("SG101", "count")]


def test_sg101_passes_when_every_method_is_declared(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    assert gate.codes() == []


# SG102 ---------------------------------------------------------------------------------------


def test_sg102_declaration_for_a_missing_method_is_stale(gate: Gate) -> None:
    gate.manifest(DECLARED.replace("get_dialogue]", "get_dialog]"))
    gate.write("src/store.rs", STORE)
    finding = gate.only("SG102", also=("SG101",))  # the renamed method is undeclared
    assert finding.path == "store-gate.toml" and finding.line == gate.line_of("[access.DialogueStore.get_dialog]")
    assert 'did you mean "get_dialogue"?' in finding.message


def test_sg102_declaration_under_the_wrong_trait_names_the_right_one(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", "pub trait DialogueStore: DialogueReads {}\n")
    gate.write("src/reads.rs", STORE.replace("DialogueStore", "DialogueReads"))
    assert "[access.DialogueReads.get_dialogue]" in gate.only("SG102", also=("SG101",)).message


def test_sg102_passes_when_every_declaration_names_a_method(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    assert gate.codes() == []


# SG103 ---------------------------------------------------------------------------------------


def _inline(declaration: str) -> str:
    return f"""
        pub trait DialogueStore {{
            /// Fetch one dialogue.
            /// @access {declaration}
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }}
        """


def test_sg103_inline_and_manifest_declarations_that_disagree(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        _inline('{ op = "GetItem", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }, consistent = true }'),
    )
    finding = gate.only("SG103")
    assert finding.line == 3
    assert f"store-gate.toml:{gate.line_of('[access.DialogueStore.get_dialogue]')}" in finding.message


def test_sg103_passes_when_both_declarations_agree(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write(
        "src/store.rs",
        _inline('{ op = "GetItem", entity = "Dialogue", key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" } }'),
    )
    assert gate.codes() == []


# SG104 ---------------------------------------------------------------------------------------

SCAN = """
[access.DialogueStore.get_dialogue]
op = "Scan"
"""


def test_sg104_waiver_without_reason_does_not_waive(gate: Gate) -> None:
    gate.manifest(SCAN, '[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get_dialogue"\n')
    gate.write("src/store.rs", STORE)
    assert "has no reason" in gate.only("SG104", also=("SG202",)).message


def test_sg104_expired_waiver_does_not_waive(gate: Gate) -> None:
    gate.manifest(
        SCAN, '[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get_dialogue"\nreason = "x"\nexpires = 2001-01-01\n'
    )
    gate.write("src/store.rs", STORE)
    assert "expired on 2001-01-01" in gate.only("SG104", also=("SG202",)).message


def test_sg104_waiver_matching_nothing_is_reported(gate: Gate) -> None:
    gate.manifest(DECLARED, '[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get_dialogue"\nreason = "x"\n')
    gate.write("src/store.rs", STORE)
    assert "matches no finding" in gate.only("SG104").message


def test_sg104_names_a_governed_method_as_trait_and_method_and_nothing_else(gate: Gate) -> None:
    """`trait` and `method` are the governed ones only: a waiver of a path has neither (not ""),
    and one naming a method of no governed trait gives it as the finding's symbol."""
    gate.manifest(
        DECLARED,
        '[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get_dialogue"\nreason = "x"\n\n'
        '[[waiver]]\nrule = "SG502"\npath = "src/other.rs"\nreason = "x"\n\n'
        '[[waiver]]\nrule = "SG202"\nmethod = "NotGoverned.frob"\nreason = "x"\n',
    )
    gate.write("src/store.rs", STORE)
    assert [(f.code, f.trait, f.method, f.symbol) for f in gate.findings()] == [
        ("SG104", "DialogueStore", "get_dialogue", None),
        ("SG104", None, None, None),
        ("SG104", None, None, "NotGoverned.frob"),
    ]


def test_sg104_valid_waiver_suppresses_its_finding(gate: Gate) -> None:
    gate.manifest(
        SCAN,
        '[[waiver]]\nrule = "SG202"\nmethod = "DialogueStore.get_dialogue"\nreason = "nightly export"\nexpires = 2999-01-01\n',
    )
    gate.write("src/store.rs", STORE)
    result = gate.run()
    assert result.findings == []
    assert [(w.finding.code, w.waiver.reason) for w in result.waived] == [("SG202", "nightly export")]


# The prefilter ---------------------------------------------------------------------------------


def test_files_that_cannot_define_a_governed_trait_are_never_parsed(gate: Gate, monkeypatch: object) -> None:
    from store_gate.languages import Language

    parsed: list[str] = []
    real = Language.extract

    def counting(self: Language, path: str, text: str, wanted: frozenset[str], *tree: object) -> object:
        parsed.append(path)
        return real(self, path, text, wanted, *tree)

    monkeypatch.setattr(Language, "extract", counting)  # type: ignore[attr-defined]
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    for i in range(20):
        gate.write(f"src/other_{i}.rs", f"pub trait Other{i} {{ fn x(&self); }}\n")
    gate.write("src/impl.rs", "impl DialogueStore for Sqlite {}\n")
    assert gate.codes() == []
    assert sorted(parsed) == ["src/store.rs"], "only files that can define the trait are parsed"
