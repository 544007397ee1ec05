"""Hostile review, Rust: members that callers can call and a trait's text hid from the gate. Each
shape ends in a finding (SG101 for a member governed as a method, SG003 for what the gate cannot
govern, SG004 for a supertrait it cannot resolve); the shapes that hide nothing end in none. Each
test asserts the complete list of findings.

How the Rust was verified: every source a test writes was compiled with rustc 1.95.0
(`rustc --edition 2021 --crate-type lib --emit=metadata`), the file the test names `src/lib.rs`
as the crate root and the other files as its modules. `evil` and `futures` are not on this
machine: each was stood in for by a library crate of that name (`futures` with `pub trait
Stream { type Item; }`), passed with `--extern`.
"""

from __future__ import annotations

import pytest
from conftest import Gate
from finding_rows import RUST_GET as GET
from finding_rows import matches, sg101
from finding_rows import rows as findings

from store_gate.extract.rust import extract

# -- B15 associated consts holding functions ----------------------------------------------------


def test_a_const_holding_a_fn_pointer_or_a_closure_is_a_method(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            const EVERYTHING: fn(&Self) -> Vec<String>;
            const SEARCH: &'static (dyn Fn(&str) -> Vec<String> + Sync);
            const PURGE: Box<dyn FnMut()>;
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert matches(
        findings(gate),
        [
            sg101("src/lib.rs", 2, "DialogueStore.EVERYTHING"),
            sg101("src/lib.rs", 3, "DialogueStore.SEARCH"),
            sg101("src/lib.rs", 4, "DialogueStore.PURGE"),
        ],
    )


def test_a_const_method_takes_its_parameters_from_the_function_type() -> None:
    result = extract(
        "src/lib.rs",
        "pub trait DialogueStore {\n"
        "    const ROUNDS: fn(&Self, dialogue_id: &str, u8) -> Vec<String>;\n"
        "    const FIND: &'static dyn Fn(&str) -> Option<String>;\n"
        "}\n",
        frozenset({"DialogueStore"}),
    )
    (trait,) = result.traits
    shapes = {m.name: ([(p.name, p.type, p.bindable) for p in m.parameters], m.return_type) for m in trait.methods}
    assert shapes == {
        "ROUNDS": ([("dialogue_id", "&str", True), (None, "u8", False)], "Vec<String>"),
        "FIND": ([(None, "&str", False)], "Option<String>"),
    }
    assert [m.returns_collection for m in trait.methods] == [True, False]


def test_a_const_method_is_declared_like_any_method_and_binds_its_named_parameters(gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.FIND]
        op = "GetItem"
        entity = "Dialogue"
        key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
        """
    )
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            const FIND: fn(&Self, dialogue_id: &str) -> Option<String>;
            {GET}
            const GET: fn(&Self, id: &str) -> Option<String>;
        }}
        """,
    )
    assert findings(gate) == []


def test_a_const_typed_by_a_type_of_the_trait_bounded_by_fn_is_a_method(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore<P: Fn() -> u8>
        where
            Self::Lister: FnOnce() -> Vec<String>,
        {{
            type Everything: Fn() -> Vec<String>;
            type Lister;
            const EVERYTHING: Self::Everything;
            const LIST: <Self as DialogueStore<P>>::Lister;
            const COUNT: P;
            {GET}
            fn get(&self, id: &str);
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
                "DialogueStore's associated type Everything is a function type (Fn() -> Vec<String>): what gives "
                "callers a value of it hands them a function the gate cannot govern; write that access as a method "
                "of DialogueStore",
            ),
            (
                "SG003",
                "src/lib.rs",
                6,
                "DialogueStore's associated type Lister is a function type (FnOnce() -> Vec<String>): what gives "
                "callers a value of it hands them a function the gate cannot govern; write that access as a method "
                "of DialogueStore",
            ),
            sg101("src/lib.rs", 7, "DialogueStore.EVERYTHING"),
            sg101("src/lib.rs", 8, "DialogueStore.LIST"),
            sg101("src/lib.rs", 9, "DialogueStore.COUNT"),
        ],
    )


def test_a_const_typed_by_an_alias_of_a_function_in_the_file_is_a_method(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub type Getter = fn(&str) -> Vec<String>;
        pub type Indirect = Getter;

        pub trait DialogueStore {{
            const SCAN: Indirect;
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert matches(findings(gate), [sg101("src/lib.rs", 5, "DialogueStore.SCAN")])


def test_a_const_holding_functions_inside_another_type_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            const HOOKS: Option<fn() -> Vec<String>>;
            type Callback: Fn();
            const CALLBACKS: [Self::Callback; 2];
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
            "DialogueStore's const item HOOKS has the type Option<fn() -> Vec<String>>, which holds functions "
            "(fn() -> Vec<String>): calling them is data access the gate cannot govern; write each as a method of "
            "DialogueStore",
        ),
        (
            "SG003",
            "src/lib.rs",
            3,
            "DialogueStore's associated type Callback is a function type (Fn()): what gives callers a value of it "
            "hands them a function the gate cannot govern; write that access as a method of DialogueStore",
        ),
        (
            "SG003",
            "src/lib.rs",
            4,
            "DialogueStore's const item CALLBACKS has the type [Self::Callback; 2], which holds functions "
            "(Self::Callback): calling them is data access the gate cannot govern; write each as a method of "
            "DialogueStore",
        ),
    ]


def test_data_consts_and_associated_types_are_not_governed(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore {{
            const BATCH: usize;
            const TABLE: &'static str = "dialogues";
            const LIMITS: (u8, [u16; 2]);
            type Item: Clone + Send;
            type Error;
            {GET}
            fn get(&self, id: &str) -> Result<Self::Item, Self::Error>;
        }}
        """,
    )
    assert findings(gate) == []


def test_a_const_typed_by_a_type_its_implementation_or_callers_choose_is_sg003(gate: Gate) -> None:
    # A caller may write `S: DialogueStore<fn() -> u8, Item = fn() -> Vec<String>>` and call both.
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait DialogueStore<T> {{
            type Item;
            const DEFAULT: Self::Item;
            const SEEDS: Option<[T; 2]>;
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            3,
            "DialogueStore's const item DEFAULT has the type Self::Item, where Self::Item is chosen by an "
            "implementation or its callers and may be a fn pointer: it may hold a function the gate cannot govern; "
            "give it a concrete type, or write the access as a method of DialogueStore",
        ),
        (
            "SG003",
            "src/lib.rs",
            4,
            "DialogueStore's const item SEEDS has the type Option<[T; 2]>, where T is chosen by an implementation "
            "or its callers and may be a fn pointer: it may hold a function the gate cannot govern; give it a "
            "concrete type, or write the access as a method of DialogueStore",
        ),
    ]


# -- B16 `Self` in parentheses in the where clause ----------------------------------------------


def test_self_in_parentheses_in_the_where_clause_is_bounded_like_self(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub trait Admin {{ fn purge(&self); }}
        pub trait Audit<'a> {{ fn audit(&self, at: &'a str); }}
        pub trait Export {{ fn export(&self); }}
        pub trait Codec {{ fn decode(&self); }}

        pub trait DialogueStore: Sized
        where
            (Self): Admin,
            for<'a> ( /* the store */ Self ): Audit<'a>,
            ((Self)): Export + Send,
            (Self,): Codec,
        {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    # `(Self,)` is a one-element tuple, not Self: Codec bounds the tuple and is not a supertrait.
    assert matches(
        findings(gate),
        [
            sg101("src/lib.rs", 1, "Admin.purge"),
            sg101("src/lib.rs", 2, "Audit.audit"),
            sg101("src/lib.rs", 3, "Export.export"),
        ],
    )


# -- B17 std supertraits that give data access --------------------------------------------------

GIVES = (
    "DialogueStore has the supertrait {}, which lets callers {}: data access the gate cannot govern; declare "
    "that access as a method of DialogueStore, or drop the supertrait"
)


def test_std_supertraits_that_give_data_access_are_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use std::ops::{{Deref, Index}};

        pub trait DialogueStore:
            Fn(&str) -> Vec<String>
            + Iterator<Item = String>
            + Deref<Target = Vec<String>>
            + Index<usize, Output = String>
            + Extend<String>
            + AsRef<[String]>
            + std::io::Read
            + std::future::IntoFuture<Output = Vec<String>>
        {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        ("SG003", "src/lib.rs", 4, GIVES.format("Fn(&str) -> Vec<String>", "call the store, store(...)")),
        (
            "SG003",
            "src/lib.rs",
            5,
            GIVES.format("Iterator<Item = String>", "call next() and every Iterator method on the store"),
        ),
        (
            "SG003",
            "src/lib.rs",
            6,
            GIVES.format("Deref<Target = Vec<String>>", "call every method of its Target (Vec<String>) on the store"),
        ),
        ("SG003", "src/lib.rs", 7, GIVES.format("Index<usize, Output = String>", "index the store, store[key]")),
        ("SG003", "src/lib.rs", 8, GIVES.format("Extend<String>", "write items into the store with extend()")),
        (
            "SG003",
            "src/lib.rs",
            9,
            GIVES.format("AsRef<[String]>", "turn the store into its target type ([String]) with as_ref()"),
        ),
        ("SG003", "src/lib.rs", 10, GIVES.format("std::io::Read", "read bytes from the store")),
        (
            "SG003",
            "src/lib.rs",
            11,
            GIVES.format(
                "std::future::IntoFuture<Output = Vec<String>>",
                "await the store, which yields its Output (Vec<String>)",
            ),
        ),
    ]


def test_a_stream_supertrait_from_futures_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use futures::Stream;

        pub trait DialogueStore: Stream<Item = String> {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            3,
            GIVES.format("Stream<Item = String>", "read items from the store with next() and every stream method"),
        )
    ]


def test_std_supertraits_without_data_access_are_not_findings(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use std::borrow::Borrow;
        use std::fmt::{{self, Display}};
        use std::future::IntoFuture;
        use std::ops::Deref;

        pub trait DialogueStore:
            Clone
            + Send
            + Sync
            + fmt::Debug
            + Display
            + AsRef<str>
            + Borrow<str>
            + From<u8>
            + Into<String>
            + TryFrom<u16>
            + Deref<Target = str>
            + std::error::Error
            + IntoFuture<Output = ()>
            + ToString
            + 'static
        {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == []


# -- B4 std names that a use or a glob gives to another trait -----------------------------------

NOWHERE = (
    'DialogueStore extends {0}, which is defined nowhere under the store\'s paths ("src/store.rs"): its '
    'methods would not be governed; add its file to paths, or list it in [[store]] external = ["{0}"] if '
    "another manifest governs it"
)


def test_a_std_name_imported_from_elsewhere_is_resolved_like_a_user_trait(gate: Gate) -> None:
    gate.manifest(paths='["src/store.rs"]')
    gate.write("src/lib.rs", "mod ext;\nmod store;\n")
    gate.write("src/ext.rs", "pub trait Clone { fn scan_all(&self) -> Vec<String>; }\n")
    gate.write(
        "src/store.rs",
        f"""
        use crate::ext::Clone;

        pub trait DialogueStore: Clone {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [("SG004", "src/store.rs", 3, NOWHERE.format("Clone"))]


def test_a_glob_import_from_outside_std_may_shadow_every_std_name(gate: Gate) -> None:
    gate.manifest(paths='["src/store.rs"]')
    gate.write("src/lib.rs", "mod ext;\nmod store;\n")
    gate.write("src/ext.rs", "pub trait Send { fn scan_all(&self) -> Vec<String>; }\n")
    gate.write(
        "src/store.rs",
        f"""
        use crate::ext::*;

        pub trait DialogueStore: Clone + Send {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        ("SG004", "src/store.rs", 3, NOWHERE.format("Clone")),
        ("SG004", "src/store.rs", 3, NOWHERE.format("Send")),
    ]


def test_a_glob_import_in_another_module_of_the_file_shadows_nothing(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        pub mod ext {{
            pub trait Clone {{ fn duplicate(&self) -> Vec<String>; }}
        }}

        pub trait DialogueStore: Clone + Send + Sync {{
            {GET}
            fn get(&self, id: &str);
        }}

        #[cfg(test)]
        mod tests {{
            use super::*;
            use crate::ext::Clone;
        }}
        """,
    )
    # ext::Clone is found under the paths and followed by name, as every supertrait's name is.
    assert matches(findings(gate), [sg101("src/lib.rs", 2, "Clone.duplicate")])


def test_a_std_trait_renamed_by_a_use_is_judged_as_itself(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        use std::ops::Deref as Clone;

        pub trait DialogueStore: Clone<Target = Vec<String>> {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            3,
            GIVES.format("Clone<Target = Vec<String>>", "call every method of its Target (Vec<String>) on the store"),
        )
    ]


def test_heritage_carries_the_paths_its_bound_may_name() -> None:
    result = extract(
        "src/store/mod.rs",
        "use crate::admin::Admin;\n"
        "use super::audit;\n"
        "use crate::more::*;\n"
        "mod local;\n"
        "pub trait DialogueStore: Admin + audit::Audit<'static> + crate::admin::Purge + Export + local::Codec"
        " + std::fmt::Debug {}\n",
        frozenset({"DialogueStore"}),
    )
    (trait,) = result.traits
    assert [(h.name, h.written, h.paths, h.standard) for h in trait.supertraits] == [
        ("Admin", "Admin", ("crate::admin::Admin",), False),
        ("Audit", "audit::Audit<'static>", ("super::audit::Audit",), False),
        ("Purge", "crate::admin::Purge", ("crate::admin::Purge",), False),
        ("Export", "Export", ("Export", "crate::more::Export"), False),
        ("Codec", "local::Codec", ("self::local::Codec",), False),
        ("Debug", "std::fmt::Debug", ("std::fmt::Debug",), True),
    ]


# -- B18 a crate renamed to a trusted macro crate's name ----------------------------------------


def test_an_extern_crate_renamed_to_a_trusted_crate_name_is_sg003(gate: Gate) -> None:
    gate.manifest(paths='["src/store/**/*.rs"]')
    gate.write("src/lib.rs", "extern crate evil as async_trait;\nextern crate core as std2;\nmod store;\n")
    gate.write(
        "src/store/mod.rs",
        f"""
        use async_trait::async_trait;

        #[async_trait]
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            1,
            "extern crate evil as async_trait gives the crate evil the name of async_trait, which the gate trusts: "
            "attributes and supertraits written with async_trait in any module may then be evil's and change the "
            "store's methods unseen; use evil under its own name",
        )
    ]


def test_an_extern_crate_renamed_in_a_file_under_the_paths_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/lib.rs", "extern crate evil as mockall;\nextern crate core as std;\nmod store;\n")
    gate.write(
        "src/store.rs",
        f"""
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert [(code, path, line) for code, path, line, _ in findings(gate)] == [("SG003", "src/lib.rs", 1)]


# -- B19 decoys under cfg, and traits generated by macros ---------------------------------------

NEVER = (
    "DialogueStore is defined under {}, which is never true: rustc never compiles this definition, and the "
    "DialogueStore callers use may be one the gate cannot see; remove the cfg, or gate the trait on a Cargo "
    "feature (cfg(feature = ...))"
)


def test_a_decoy_under_cfg_any_and_a_trait_generated_by_macro_rules_are_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        macro_rules! store {{
            ($($x:tt)*) => {{
                pub trait DialogueStore {{ fn get(&self, id: &str) -> String; $($x)* }}
            }};
        }}
        store! {{ fn everything(&self) -> Vec<String>; }}

        #[cfg(any())]
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str) -> String;
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            3,
            "the trait DialogueStore is generated by macro_rules! store: the gate cannot see the methods it gives "
            "DialogueStore (its input may add any); write the trait out instead of generating it",
        ),
        ("SG003", "src/lib.rs", 8, NEVER.format("#[cfg(any())]")),
    ]


def test_a_trait_in_a_macro_invocation_and_a_trait_named_by_a_macro_input_are_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        """
        macro_rules! items { ($($t:tt)*) => { $($t)* }; }
        macro_rules! make { ($n:ident) => { pub trait $n { fn scan_all(&self) -> Vec<String>; } }; }

        items! {
            pub trait /* the store */ DialogueStore { fn everything(&self) -> Vec<String>; }
        }
        make!(Audit);
        """,
    )
    # The gate reads the file because it names DialogueStore; the trait itself is only tokens.
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            2,
            "macro_rules! make generates a trait named by its input (trait $n): it may generate DialogueStore with "
            "methods the gate cannot see; write the trait out instead of generating it",
        ),
        (
            "SG003",
            "src/lib.rs",
            5,
            "the trait DialogueStore is generated by the macro items!(...): the gate cannot see the methods it "
            "gives DialogueStore (its input may add any); write the trait out instead of generating it",
        ),
        (
            "SG001",
            "store-gate.toml",
            4,
            'store trait DialogueStore is defined in none of the 1 files its paths ("src/**/*.rs") match; if it was '
            "renamed, rename it in [[store]] trait too (the gate does not follow renames)",
        ),
    ]


@pytest.mark.parametrize(
    ("attribute", "line"),
    [
        ("#[cfg(any())]", 1),
        ("#[cfg(all(unix, any()))]", 1),
        ("#[cfg(false)]", 1),
        ("#[cfg(not(all()))]", 1),
        ("#[cfg_attr(all(), cfg(any()))]", 1),
    ],
)
def test_a_governed_trait_under_a_cfg_never_true_is_sg003(gate: Gate, attribute: str, line: int) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        {attribute}
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [("SG003", "src/lib.rs", line, NEVER.format(attribute))]


def test_a_governed_trait_in_a_module_never_compiled_is_sg003(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/lib.rs", "mod store;\n")
    gate.write(
        "src/store.rs",
        f"""
        #![cfg(any())]

        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/store.rs",
            1,
            "DialogueStore is defined inside this file, which has #![cfg(any())], which is never true: rustc never "
            "compiles this definition, and the DialogueStore callers use may be one the gate cannot see; remove "
            "the cfg, or gate the trait on a Cargo feature (cfg(feature = ...))",
        )
    ]


def test_a_cfg_only_a_cfg_flag_sets_is_sg003_and_features_and_rustc_cfgs_are_not(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/lib.rs",
        f"""
        #[cfg(FALSE)]
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}

        #[cfg(all(feature = "dynamodb", not(FALSE), any(unix, windows, test), target_os = "linux"))]
        pub trait DialogueStore {{
            {GET}
            fn get(&self, id: &str);
        }}
        """,
    )
    assert findings(gate) == [
        (
            "SG003",
            "src/lib.rs",
            1,
            "DialogueStore is defined under #[cfg(FALSE)], which holds only in a build given --cfg FALSE (neither "
            "rustc nor Cargo sets it): rustc may never compile this definition, and the DialogueStore callers use "
            "may be one the gate cannot see; remove the cfg, or gate the trait on a Cargo feature "
            "(cfg(feature = ...))",
        )
    ]


# B20: a supertrait found by its name is the one its path names ----------------------------------

ADMIN = "pub trait Admin { fn every_user(&self) -> Vec<String>; }\n"


def test_a_namesake_under_paths_does_not_stand_for_the_supertrait_the_path_names(gate: Gate) -> None:
    gate.manifest(paths='["src/store/*.rs"]')
    gate.write("src/lib.rs", "pub mod store;\npub mod admin;\n")
    gate.write("src/admin.rs", ADMIN)
    gate.write("src/store/legacy.rs", "pub trait Admin {}\n")
    gate.write(
        "src/store/mod.rs",
        "pub mod legacy;\npub trait DialogueStore: crate::admin::Admin {\n    fn get(&self, id: &str) -> String;\n}\n",
    )
    finding = gate.only("SG004", also=("SG101",))
    assert finding.message == (
        "DialogueStore's supertrait crate::admin::Admin is crate::admin::Admin, defined in src/admin.rs, which is not "
        "under the store's paths; the Admin in src/store/legacy.rs is another trait of that name; add src/admin.rs "
        "to paths, or list crate::admin::Admin as external"
    )


def test_a_supertrait_imported_by_use_resolves_to_the_file_that_defines_it(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n'
        '\n[access.Admin.every_user]\nop = "Query"\nkey = { pk = "A" }\nlimit = 10\n',
        paths='["src/**/*.rs"]',
    )
    gate.write("src/lib.rs", "pub mod store;\npub mod admin;\npub mod prelude;\n")
    gate.write("src/admin.rs", ADMIN)
    gate.write("src/prelude.rs", "pub use crate::admin::Admin;\n")  # a re-export: not a definition
    gate.write(
        "src/store/mod.rs",
        "use crate::prelude::Admin;\npub trait DialogueStore: Admin {\n    fn get(&self, id: &str) -> String;\n}\n",
    )
    assert [f.code for f in gate.findings()] == ["SG210"]  # Admin's constant partition key, nothing else
