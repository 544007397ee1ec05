"""Bypass catalogue, heritage: a supertrait / base the gate cannot find is a finding (SG004), never
a silent pass; `[[store]] external` is the reviewed way to say it is governed elsewhere."""

from __future__ import annotations

from conftest import Gate

STORE = 'pub trait DialogueStore: crate::admin::Admin + Send {\n    /// @access { op = "GetItem", key = { pk = "P#{id}", sk = "META" } }\n    fn get(&self, id: &str);\n}\n'


def findings(gate: Gate) -> list[tuple[str, int, str]]:
    return [(f.code, f.line, f.message) for f in gate.findings()]


def test_a_supertrait_outside_the_paths_is_sg004(gate: Gate) -> None:
    gate.manifest(paths='["src/store/**/*.rs"]')
    gate.write("src/store/mod.rs", STORE)
    gate.write("src/admin.rs", "pub trait Admin { fn purge(&self); }\n")
    assert findings(gate) == [
        (
            "SG004",
            1,
            "DialogueStore extends crate::admin::Admin, which is defined nowhere under the store's paths "
            '("src/store/**/*.rs"): its methods would not be governed; add its file to paths, or list it in '
            '[[store]] external = ["crate::admin::Admin"] if another manifest governs it',
        )
    ]


def test_the_supertrait_found_under_the_paths_is_governed(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.rs"]')
    gate.write("src/store/mod.rs", STORE)
    gate.write("src/admin.rs", "pub trait Admin { fn purge(&self); }\n")
    assert [(code, line) for code, line, _ in findings(gate)] == [("SG101", 1)]


def test_external_lists_a_supertrait_governed_elsewhere(gate: Gate) -> None:
    gate.manifest(paths='["src/store/**/*.rs"]')
    text = (gate.root / "store-gate.toml").read_text()
    gate.write(
        "store-gate.toml",
        text.replace(
            'paths = ["src/store/**/*.rs"]', 'paths = ["src/store/**/*.rs"]\nexternal = ["crate::admin::Admin"]'
        ),
    )
    gate.write("src/store/mod.rs", STORE)
    result = gate.run()
    assert result.findings == []
    (store,) = result.project.stores
    assert [h.written for _, h in store.external] == ["crate::admin::Admin"]


def test_summary_names_what_was_not_found(gate: Gate) -> None:
    from store_gate.report import text

    gate.manifest(paths='["src/store/**/*.rs"]')
    gate.write("src/store/mod.rs", STORE)
    rendered = text.render([gate.run()])
    assert "  named but not found, so not governed: crate::admin::Admin (named by DialogueStore)\n" in rendered
