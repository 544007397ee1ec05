"""The Rust extractor on what real traits contain."""

from __future__ import annotations

from store_gate.extract.rust import extract

WANTED = frozenset({"DialogueStore"})


def methods(source: str, wanted: frozenset[str] = WANTED) -> dict[str, object]:
    result = extract("src/store.rs", source, wanted)
    return {m.name: m for t in result.traits for m in t.methods}


def test_visibility_unsafe_generics_lifetimes_and_where_clauses() -> None:
    source = """
pub(crate) unsafe trait DialogueStore<'a, T: Clone + 'a>: Send where T: Sync {
    fn get<'b, K: AsRef<str>>(&'b self, key: K) -> Result<Option<T>> where K: Send;
}
"""
    (method,) = methods(source).values()
    assert method.name == "get" and [p.name for p in method.parameters] == ["key"]  # type: ignore[attr-defined]


def test_async_trait_native_async_and_default_bodies() -> None:
    source = """
#[async_trait::async_trait]
pub trait DialogueStore {
    async fn a(&self) -> Result<()>;
    fn b(&self) -> u8 { 1 }
    async fn c(&self) -> Result<Vec<u8>> { Ok(vec![]) }
}
"""
    assert sorted(methods(source)) == ["a", "b", "c"]


def test_associated_types_and_consts_are_not_methods() -> None:
    source = "pub trait DialogueStore { type Error; const N: usize = 1; fn a(&self); }"
    assert list(methods(source)) == ["a"]


def test_doc_comment_forms_carry_inline_declarations() -> None:
    source = """
pub trait DialogueStore {
    //! inner doc of the trait: not a method's
    /// line doc
    /// @access { op = "GetItem" }
    fn a(&self);
    /** block doc
     * @access { op = "Query" }
     */
    fn b(&self);
    #[doc = "@access { op = \\"PutItem\\" }"]
    fn c(&self);
    // a plain comment is not documentation: @access { op = "Scan" }
    fn d(&self);
}
"""
    found = methods(source)
    inline = {name: [d.text for d in m.inline] for name, m in found.items()}  # type: ignore[attr-defined]
    assert inline == {"a": ['{ op = "GetItem" }'], "b": ['{ op = "Query" }'], "c": ['{ op = "PutItem" }'], "d": []}
    assert found["a"].inline[0].location.line == 5  # type: ignore[attr-defined]
    assert found["b"].inline[0].location.line == 8  # type: ignore[attr-defined]


def test_an_inline_declaration_is_located_at_its_access_tag_as_in_python_and_typescript() -> None:
    source = """
pub trait DialogueStore {
    /// @access { op = "GetItem" }
    fn a(&self);
    /** Reads them.
     *  @access { op = "Query" }
     */
    fn b(&self);
    /** @access { op = "PutItem" } */
    fn c(&self);
}
"""
    found = methods(source)
    located = {name: [(d.location.line, d.location.column) for d in m.inline] for name, m in found.items()}  # type: ignore[attr-defined]
    assert located == {"a": [(3, 9)], "b": [(6, 9)], "c": [(9, 9)]}


def test_attributes_including_cfg_do_not_hide_a_method() -> None:
    source = """
pub trait DialogueStore {
    #[cfg(feature = "admin")]
    #[must_use]
    fn purge(&self) -> Result<()>;
}
"""
    (method,) = methods(source).values()
    assert method.attributes == ('#[cfg(feature = "admin")]', "#[must_use]")  # type: ignore[attr-defined]


def test_impl_trait_and_boxed_returns() -> None:
    source = """
pub trait DialogueStore {
    fn rounds(&self) -> impl Iterator<Item = Round> + '_;
    fn stream(&self) -> Pin<Box<dyn Stream<Item = Round> + Send>>;
    fn future(&self) -> Box<dyn Future<Output = Option<Round>>>;
    fn slice(&self) -> Box<[Round]>;
    fn digest(&self) -> [u8; 32];
}
"""
    found = methods(source)
    collections = {name: m.returns_collection for name, m in found.items()}  # type: ignore[attr-defined]
    assert collections == {"rounds": True, "stream": True, "future": False, "slice": True, "digest": False}


def test_pattern_parameters_raw_identifiers_and_receivers() -> None:
    source = """
pub trait DialogueStore {
    fn r#match(self: Box<Self>, mut id: Id, r#type: &str, (a, b): (u8, u8), _: u8, ref x: u8);
}
"""
    method = methods(source)["match"]
    params = [(p.name, p.bindable) for p in method.parameters]  # type: ignore[attr-defined]
    assert params == [("id", True), ("type", True), (None, False), (None, False), ("x", True)]


def test_crlf_line_endings_keep_positions() -> None:
    source = 'pub trait DialogueStore {\r\n    /// @access { op = "GetItem" }\r\n    fn get(&self);\r\n}\r\n'
    method = methods(source)["get"]
    assert (method.location.line, method.location.column) == (3, 8)  # type: ignore[attr-defined]
    assert method.inline[0].text == '{ op = "GetItem" }'  # type: ignore[attr-defined]


def test_supertraits_mark_std_markers_and_keep_scoped_store_traits() -> None:
    source = "pub trait DialogueStore: crate::store::Reads + Writes<u8> + std::fmt::Debug + Send + Sync + ?Sized + 'static {}"
    (trait,) = extract("src/store.rs", source, WANTED).traits
    named = [(h.name, h.written, h.standard) for h in trait.supertraits]
    assert named == [
        ("Reads", "crate::store::Reads", False),
        ("Writes", "Writes<u8>", False),
        ("Debug", "std::fmt::Debug", True),
        ("Send", "Send", True),
        ("Sync", "Sync", True),
    ]


def test_trait_inside_a_module_is_found_and_other_traits_are_not() -> None:
    source = "mod inner { pub trait DialogueStore { fn a(&self); } }\npub trait Other { fn b(&self); }"
    assert list(methods(source)) == ["a"]


def test_a_clean_file_has_no_syntax_problem_and_a_broken_one_does() -> None:
    assert extract("s.rs", "pub trait DialogueStore { fn a(&self); }", WANTED).syntax is None
    broken = extract("s.rs", "pub trait DialogueStore { fn a(&self) }", WANTED).syntax
    assert broken is not None and broken.code == "SG002"
