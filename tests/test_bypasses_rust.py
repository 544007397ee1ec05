"""Bypass catalogue, Rust: every shape of a trait that could hide a method from the gate ends in a
finding (SG101 for the method, SG003 / SG004 for what the gate cannot see), and the shapes that
hide nothing end in none. Each test asserts the complete list of findings.

How the Rust was verified: every source a test writes was compiled with rustc 1.95.0
(`rustc --edition 2021 --crate-type lib --emit=metadata`), the file the test names `src/lib.rs`
as the crate root. The attribute macros the tests use come from crates that are not on this
machine (`async_trait`, `mockall`, `trait_variant`) or do not exist (`my_macros`): each was
stood in for by a proc-macro crate of that name, built with rustc, whose attributes return their
input unchanged (`--extern async_trait=...`); so the sources resolve and compile as written, and
what a real macro would add is exactly what the gate cannot know. Two sources are not valid Rust,
on purpose, and say so: rustc rejects `macro_rules!` and `include!` inside a trait body, but the
parser reads them, so the gate must still report them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import Gate, run_cli
from finding_rows import RUST_GET as GET
from finding_rows import matches, sg101
from finding_rows import rows as findings

from store_gate.extract.rust import extract

# -- 1. bounds on Self in the where clause -----------------------------------------------------


def test_bounds_on_self_in_the_where_clause_are_supertraits(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait Admin {{ fn purge(&self); }}
        pub trait Audit<'a> {{ fn audit(&self, at: &'a str); }}
        pub trait Codec {{ fn decode(&self); }}

        pub trait DialogueStore<T>
        where
            Self: Admin + Send,
            T: Codec,
            for<'a> Self: Audit<'a>,
            Self: 'static,
        {{
            {GET}
            fn get(&self, id: &str) -> Option<T>;
        }}
        """,
    )
    # Codec bounds T, not Self: it is not a supertrait, and its method is not the store's.
    assert matches(findings(gate), [sg101("src/lib.rs", 1, "Admin.purge"), sg101("src/lib.rs", 2, "Audit.audit")])


def test_a_bound_on_self_found_nowhere_is_sg004(gate: Gate) -> None:
    gate.manifest(paths='["src/store/**/*.rs"]')
    gate.write("src/lib.rs", "pub mod admin;\npub mod store;\n")
    gate.write("src/admin.rs", "pub trait Admin { fn purge(&self); }\n")
    gate.write(
        "src/store/mod.rs",
        f"""
        pub trait DialogueStore where Self: crate::admin::Admin {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG004",
            "src/store/mod.rs",
            1,
            "DialogueStore extends crate::admin::Admin, which is defined nowhere under the store's paths "
            '("src/store/**/*.rs"): its methods would not be governed; add its file to paths, or list it in '
            '[[store]] external = ["crate::admin::Admin"] if another manifest governs it',
        )
    ]


# -- 2. higher-ranked and parenthesised bounds --------------------------------------------------


def test_higher_ranked_and_parenthesised_bounds_name_their_trait(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait Admin<'a> {{ fn purge(&self, id: &'a str); }}
        pub trait Audit {{ fn audit(&self); }}

        pub trait DialogueStore: for<'a> Admin<'a> + (Audit) {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert matches(
        findings(gate),
        [
            sg101("src/lib.rs", 1, "Admin.purge"),
            sg101("src/lib.rs", 2, "Audit.audit"),
        ],
    )


def test_a_higher_ranked_bound_found_nowhere_is_sg004_naming_the_trait(gate: Gate) -> None:
    gate.manifest(paths='["src/store/**/*.rs"]')
    gate.write("src/lib.rs", "pub mod admin;\npub mod store;\n")
    gate.write("src/admin.rs", "pub trait Admin<'a> { fn purge(&self, id: &'a str); }\n")
    gate.write(
        "src/store/mod.rs",
        f"""
        pub trait DialogueStore: for<'a> crate::admin::Admin<'a> {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG004",
            "src/store/mod.rs",
            1,
            "DialogueStore extends crate::admin::Admin<'a>, which is defined nowhere under the store's paths "
            '("src/store/**/*.rs"): its methods would not be governed; add its file to paths, or list it in '
            '[[store]] external = ["crate::admin::Admin"] if another manifest governs it',
        )
    ]


# -- 3. traits named like std's -----------------------------------------------------------------


def test_a_user_trait_named_like_a_std_trait_is_governed(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/lib.rs", "pub mod store;\n")
    gate.write(
        "src/store.rs",
        f"""
        pub trait Default {{ fn reset(&self); }}
        pub trait Iterator {{ fn next_round(&self); }}
        pub trait Future {{ fn await_all(&self); }}

        pub trait DialogueStore: Default + Iterator + self::Future {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert matches(
        findings(gate),
        [
            sg101("src/store.rs", 1, "Default.reset"),
            sg101("src/store.rs", 2, "Iterator.next_round"),
            sg101("src/store.rs", 3, "Future.await_all"),
        ],
    )


def test_std_traits_defined_nowhere_are_not_findings(gate: Gate) -> None:
    # Those that give callers data access (Iterator, Deref to a collection, ...) are SG003: see
    # test_hostile_rust.py.
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use std::borrow::Borrow;
        use std::future::IntoFuture;
        use std::ops::Deref;

        pub trait DialogueStore:
            AsRef<str>
            + Borrow<str>
            + From<u8>
            + Into<String>
            + TryFrom<u16>
            + Deref<Target = str>
            + std::error::Error
            + IntoFuture<Output = ()>
            + ToString
        {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == []


# -- 4. inner attributes ------------------------------------------------------------------------


def test_an_inner_attribute_in_the_trait_body_is_not_a_finding(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            #![allow(unused_variables)]
            #![cfg_attr(test, allow(dead_code))]
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == []


# -- 5. attribute macros ------------------------------------------------------------------------

UNKNOWN_ON_TRAIT = (
    "DialogueStore has the attribute macro {}, which may add methods the gate cannot see; write the methods out "
    "in the trait instead (cargo expand shows them)"
)


def test_an_attribute_macro_on_the_trait_is_sg003_and_known_transparent_ones_are_not(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use async_trait::async_trait;

        /// The store.
        #[async_trait]
        #[cfg_attr(test, mockall::automock)]
        #[trait_variant::make(SendDialogueStore: Send)]
        #[allow(async_fn_in_trait)]
        #[must_use]
        #[my_macros::add_methods]
        pub trait DialogueStore {{
            {GET}
            async fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [("SG003", "src/lib.rs", 9, UNKNOWN_ON_TRAIT.format("#[my_macros::add_methods]"))]


def test_an_attribute_macro_under_cfg_attr_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use my_macros::my_macro;

        #[cfg_attr(feature = "x", allow(dead_code), my_macro)]
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [("SG003", "src/lib.rs", 3, UNKNOWN_ON_TRAIT.format("#[my_macro] (under cfg_attr)"))]


def test_a_macro_imported_under_a_known_name_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/prelude.rs", "pub use my_macros::add_methods as automock;\n")
    gate.write(
        "src/lib.rs",
        f"""
        mod prelude;
        use my_macros::add_methods as async_trait;
        use prelude::*;

        #[async_trait]
        #[automock]
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        ("SG003", "src/lib.rs", 5, UNKNOWN_ON_TRAIT.format("#[async_trait]")),
        (
            "SG003",
            "src/lib.rs",
            6,
            "DialogueStore has the attribute #[automock], which this file does not import from mockall::automock: "
            "the gate cannot tell which macro it is; add use mockall::automock; or write #[mockall::automock]",
        ),
    ]


def test_an_attribute_macro_on_the_enclosing_module_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        #[my_macros::add_methods]
        pub mod store {{
            #![allow(dead_code)]
            pub trait DialogueStore {{
                {GET}
                fn get(&self, id: &str);
            }}
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            1,
            "DialogueStore is defined inside mod store, which has the attribute macro #[my_macros::add_methods]: "
            "it may add methods to the trait the gate cannot see; move the trait out of it",
        )
    ]


def test_an_attribute_macro_on_a_method_is_sg003_and_the_method_stays_governed(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use my_macros::rename;

        pub trait DialogueStore {{
            {GET}
            #[rename]
            fn get(&self, id: &str);
            #[cfg(feature = "admin")]
            #[cfg_attr(test, allow(unused))]
            #[allow(clippy::all)]
            #[doc(alias = "wipe")]
            #[inline]
            #[track_caller]
            #[must_use]
            #[deprecated = "use purge_all"]
            #[rustfmt::skip]
            fn purge(&self) -> u8;
        }}
        """,
    )
    assert matches(
        findings(gate),
        [
            (
                "SG003",
                "src/lib.rs",
                5,
                "DialogueStore.get has the attribute macro #[rename], which may rename or remove the method, or "
                "add others the gate cannot see; write the method out without it",
            ),
            sg101("src/lib.rs", 16, "DialogueStore.purge"),
        ],
    )


def test_an_attribute_macro_on_an_associated_item_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            #[my_macros::add_methods]
            const BATCH: usize;
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            2,
            "DialogueStore's const item BATCH has the attribute macro #[my_macros::add_methods], which may turn it "
            "into methods the gate cannot see; remove the attribute, or write the methods out in the trait",
        )
    ]


# -- 6. signatures for --base -------------------------------------------------------------------


def signatures(source: str) -> dict[str, str]:
    result = extract("src/lib.rs", source, frozenset({"DialogueStore"}))
    return {m.name: m.signature for t in result.traits for m in t.methods}


def test_a_signature_ignores_whitespace_comments_and_docs_but_not_cfg() -> None:
    plain = signatures("pub trait DialogueStore {\n    fn get(&self, id: &str) -> Option<u8>;\n}\n")
    spaced = signatures(
        "pub trait DialogueStore {\n"
        "    /// documented now\n"
        '    #[doc = "and so"]\n'
        "    #[must_use]\n"
        "    fn get( &self , id : & str /* the key */ )\n"
        "        -> Option< u8 > // maybe\n"
        "    ;\n"
        "}\n"
    )
    gated = signatures(
        'pub trait DialogueStore {\n    #[cfg(feature = "admin")]\n    fn get(&self, id: &str) -> Option<u8>;\n}\n'
    )
    gated_otherwise = signatures(
        'pub trait DialogueStore {\n    #[cfg_attr(feature = "admin", cfg(test))]\n    fn get(&self, id: &str) -> Option<u8>;\n}\n'
    )
    assert spaced == plain
    assert len({plain["get"], gated["get"], gated_otherwise["get"]}) == 3


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_base_a_reformatted_method_is_unchanged_and_a_method_whose_cfg_changed_is_gated(gate: Gate) -> None:
    gate.manifest()
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nlegacy = "off"\n', 1))
    gate.write(
        "src/lib.rs",
        """
        pub trait DialogueStore {
            fn get(&self, id: &str) -> Option<u8>;
            #[cfg(feature = "admin")]
            fn purge(&self, id: &str);
        }
        """,
    )
    git(gate.root, "init", "-q", "-b", "main")
    git(gate.root, "add", "-A")
    git(gate.root, "commit", "-q", "-m", "legacy store")
    gate.write(
        "src/lib.rs",
        """
        pub trait DialogueStore {
            /// documented
            fn get( &self, /* the key */ id : &str )
                -> Option< u8 >;
            #[cfg(feature = "ops")]
            fn purge(&self, id: &str);
        }
        """,
    )
    document = json.loads(run_cli("check", "--base", "main", "--format", "json", cwd=gate.root).stdout)
    assert [(f["code"], f["line"], f["method"]) for f in document["findings"]] == [("SG101", 6, "purge")]
    text = run_cli("check", "--base", "main", cwd=gate.root).stdout
    assert "methods added 0, changed 1, removed 0, unchanged 1" in text


# -- 7. type aliases ----------------------------------------------------------------------------

QUERY = """
[access.DialogueStore.{}]
op = "Query"
entity = "Round"
key = {{ pk = "DIALOGUE#{{dialogue_id}}", sk = {{ begins_with = "ROUND#" }} }}
"""


def test_a_query_returning_an_alias_of_a_collection_needs_page_or_limit(gate: Gate) -> None:
    names = ("list_rounds", "page_rounds", "listing", "count_rounds", "maybe_rounds")
    gate.manifest("".join(QUERY.format(name) for name in names))
    gate.write(
        "src/lib.rs",
        """
        pub struct Round;
        pub type Result<T> = std::result::Result<T, String>;
        pub type Rounds = Vec<Round>;
        pub type Page<T> = Vec<T>;
        pub type Listing = Rounds;
        pub type Count = usize;
        pub type Maybe = Option<Rounds>;

        pub trait DialogueStore {
            fn list_rounds(&self, dialogue_id: &str) -> Result<Rounds>;
            fn page_rounds(&self, dialogue_id: &str) -> Result<Page<Round>>;
            fn listing(&self, dialogue_id: &str) -> Result<Listing>;
            fn count_rounds(&self, dialogue_id: &str) -> Result<Count>;
            fn maybe_rounds(&self, dialogue_id: &str) -> Result<Maybe>;
        }
        """,
    )
    reported = [(f.code, f.method) for f in gate.findings()]
    assert reported == [
        ("SG209", "list_rounds"),
        ("SG209", "page_rounds"),
        ("SG209", "listing"),
        ("SG209", "maybe_rounds"),
    ]
    assert all("returns a collection" in f.message for f in gate.findings())


# -- 8. what the extractor does not know in a trait body ---------------------------------------


def test_a_macro_invocation_in_the_trait_body_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        macro_rules! more_methods {{
            () => {{ fn purge(&self); }};
        }}

        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
            more_methods!();
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            8,
            "DialogueStore contains the macro invocation more_methods!(...), whose methods the gate cannot see; "
            "write the methods out in the trait",
        )
    ]


def test_macro_rules_and_include_in_the_trait_body_are_sg003(gate: Gate) -> None:
    # Not valid Rust: rustc rejects both in a trait body; the parser reads them, so they are reported.
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            macro_rules! m {{ () => {{}} }}
            include!("more_methods.rs");
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            2,
            "DialogueStore contains the macro definition macro_rules! m, which the gate cannot analyse; move it out "
            "of the trait (rustc does not accept it there)",
        ),
        (
            "SG003",
            "src/lib.rs",
            3,
            "DialogueStore contains the macro invocation include!(...), whose methods the gate cannot see; write "
            "the methods out in the trait",
        ),
    ]
