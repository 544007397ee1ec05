"""What the gate walks, reads and parses - never timings: which files, how many times.

Prefilters may only skip files that cannot matter; these tests pin both halves: the file that
cannot matter is not parsed, the file that can is, and the findings stay what they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TABLE, Gate
from test_diff import git

from store_gate.check import check
from store_gate.config import load
from store_gate.errors import ConfigError

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
UNDECLARED_COPY = """
pub trait DialogueStore {
    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
    fn list_everything(&self) -> Result<Vec<Dialogue>>;
}
"""


class Parses:
    """Every ast-grep parse of the run, as the project-relative path of the file parsed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts: list[str] = []

    def paths(self) -> list[str]:
        files = {p.relative_to(self.root).as_posix(): p.read_text(encoding="utf-8") for p in self.root.rglob("*.rs")}
        return sorted(next((path for path, text in files.items() if text == parsed), "?") for parsed in self.texts)


@pytest.fixture
def parses(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> Iterator[Parses]:
    import ast_grep_py

    import store_gate.extract.rust as rust_extractor

    record = Parses(gate.root)
    real = ast_grep_py.SgRoot

    def parsing(text: str, language: str) -> object:
        if text:  # a user rule is compiled against an empty file
            record.texts.append(text)
        return real(text, language)

    monkeypatch.setattr(ast_grep_py, "SgRoot", parsing)
    monkeypatch.setattr(rust_extractor, "SgRoot", parsing)
    yield record


# Walking ---------------------------------------------------------------------------------------


def test_the_tree_is_walked_once_for_every_store_boundary_and_backend(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store_gate import sources

    walks: list[tuple[str, ...]] = []
    real = sources.Walk.run

    def walking(self: sources.Walk) -> sources.Walk:
        walks.append(self.globs)
        return real(self)

    monkeypatch.setattr(sources.Walk, "run", walking)
    gate.manifest(
        DECLARED,
        '\n[[store]]\ntrait = "OtherStore"\npaths = ["lib/**/*.rs"]\n'
        '\n[[store]]\ntrait = "ThirdStore"\npaths = ["src/**/*.rs"]\n'
        '\n[boundaries]\npaths = ["src/**/*.rs", "lib/**/*.rs", "src/**/*.rs"]\n'
        '\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n',
    )
    gate.write("src/store.rs", STORE)
    gate.write("lib/other.rs", "pub trait OtherStore {}\n")
    gate.write("lib/third.rs", "pub trait ThirdStore {}\n")
    # ThirdStore is in lib/, outside its paths: still found missing; SG704: no backend implements it
    assert gate.codes() == ["SG704", "SG001"]
    assert walks == [("src/**/*.rs", "lib/**/*.rs", "src/backend/**")], "one walk, every glob once"


def manifest_with(gate: Gate, top: str, extra: str = "") -> None:
    """A manifest with top-level keys of its own (`exclude = [...]`) before its tables."""
    head = f'version = 1\n{top}\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/**/*.rs"]\n'
    gate.write("store-gate.toml", head + TABLE + DECLARED + extra)


def test_exclude_leaves_files_and_folders_out_of_every_glob(gate: Gate) -> None:
    manifest_with(
        gate,
        'exclude = ["src/generated/**", "**/vendor"]',
        '\n[boundaries]\n[boundaries.backends.sqlite]\nallow = ["src/db.rs"]\n',
    )
    gate.write("src/store.rs", STORE)
    gate.write("src/generated/copy.rs", UNDECLARED_COPY)
    gate.write("src/deep/vendor/leak.rs", "use rusqlite::Connection;\n")
    gate.write("src/leak.rs", "use rusqlite::Connection;\n")
    assert [(f.code, f.path) for f in gate.findings()] == [("SG501", "src/leak.rs")]


def test_exclude_is_validated_like_every_glob(gate: Gate) -> None:
    manifest_with(gate, 'exclude = ["../elsewhere/**"]')
    gate.write("src/store.rs", STORE)
    with pytest.raises(ConfigError) as raised:
        gate.run()
    assert "exclude[0]" in str(raised.value) and "leaves the manifest's folder" in str(raised.value)


def test_what_git_ignores_is_not_read_but_a_tracked_file_is(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    gate.write(".gitignore", "src/build/\n*.generated.rs\n")
    gate.write("src/build/copy.rs", UNDECLARED_COPY)
    gate.write("src/other.generated.rs", UNDECLARED_COPY)
    gate.write("src/tracked.generated.rs", UNDECLARED_COPY.replace("list_everything", "list_tracked"))
    assert gate.codes() == ["SG101"] * 3, "outside a git work tree, .gitignore is a file like any other"
    git(gate.root, "init", "-q", "-b", "main")
    git(gate.root, "add", "-f", "src/tracked.generated.rs")
    found = gate.findings()
    assert [(f.code, f.path, f.method) for f in found] == [("SG101", "src/tracked.generated.rs", "list_tracked")]


def test_a_folder_a_glob_names_is_read_even_when_git_ignores_it(gate: Gate) -> None:
    gate.manifest(DECLARED, paths='["generated/**/*.rs", "src/**/*.rs"]')
    gate.write(".gitignore", "generated/\nsrc/out/\n")
    gate.write("generated/store.rs", STORE)
    gate.write("src/out/copy.rs", UNDECLARED_COPY)
    git(gate.root, "init", "-q", "-b", "main")
    assert gate.codes() == [], "generated/ is named by a glob: read; src/out/ is not: ignored"


# Following traits ------------------------------------------------------------------------------


def test_a_store_file_is_parsed_once_for_every_round_and_rule(gate: Gate, parses: Parses) -> None:
    gate.manifest(
        DECLARED + '\n[access.DialogueReads.list_rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n'
    )
    gate.write(
        "src/store.rs",
        """
        pub type Rounds = Vec<Round>;
        pub trait DialogueStore: DialogueReads {
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;
        }
        pub trait DialogueReads: DialogueWrites {
            fn list_rounds(&self, dialogue_id: &DialogueId) -> Result<Rounds>;
        }
        pub trait DialogueWrites {}
        """,
    )
    for i in range(5):
        gate.write(f"src/other_{i}.rs", f"pub struct Other{i};\nimpl DialogueStore for Other{i} {{}}\n")
    found = gate.findings()
    assert [f.code for f in found] == ["SG209"], found  # Rounds is a collection: SG209 sees it
    assert parses.paths() == ["src/store.rs"], "three traits, an alias, SG401 and SG402: one parse"


def test_only_names_a_return_type_may_use_as_an_alias_are_looked_for(gate: Gate, parses: Parses) -> None:
    """`Self::Error` is the trait's associated type and `Output =` names a binding, not a type: no
    free `type Error`/`type Output` alias elsewhere is looked for (or parsed). `Rounds`, the bound
    type, is: SG209 sees it is a collection."""
    gate.manifest(
        DECLARED + '\n[access.DialogueStore.list_rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n'
    )
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            type Error;
            fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>, Self::Error>;
            fn list_rounds(&self, dialogue_id: &DialogueId) -> impl Future<Output = Rounds>;
        }
        """,
    )
    gate.write("src/rounds.rs", "pub type Rounds = Vec<Round>;\n")
    gate.write("src/errors.rs", "pub type Error = Vec<String>;\n")
    gate.write("src/output.rs", "pub type Output = Vec<u8>;\n")
    found = gate.findings()
    assert [(f.code, f.method) for f in found] == [("SG209", "list_rounds")], found
    assert parses.paths() == ["src/rounds.rs", "src/store.rs"]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        (
            "src/store.py",
            "Roundé = list[Round]\nclass DialogueStore(Protocol):\n    def list_rounds(self, dialogue_id: str) -> Roundé: ...\n",
        ),
        (
            "src/store.ts",
            "type $Rounds = Round[];\nexport interface DialogueStore {\n  list_rounds(dialogue_id: string): Promise<$Rounds>;\n}\n",
        ),
        (
            "src/store.rs",
            "pub type Roundé = Vec<Round>;\npub trait DialogueStore {\n    fn list_rounds(&self, dialogue_id: &DialogueId) -> Result<Roundé>;\n}\n",
        ),
    ],
)
def test_a_return_types_alias_spelt_with_non_ascii_or_dollar_is_looked_for_whole(
    gate: Gate, path: str, source: str
) -> None:
    """`Roundé` and `$Rounds` are one name each: looked for whole (not `Round`, `Rounds`), so SG209
    sees the alias is a collection."""
    gate.manifest(
        '[access.DialogueStore.list_rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n',
        paths='["src/**"]',
    )
    gate.write(path, source)
    assert [(f.code, f.method) for f in gate.findings()] == [("SG209", "list_rounds")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_an_alias_in_a_utf16_or_utf32_file_is_found(gate: Gate, encoding: str) -> None:
    """The alias prefilter tests the file's text, not its bytes: `Rounds` is there in UTF-16 too."""
    gate.manifest(
        '[access.DialogueStore.list_rounds]\nop = "Query"\nentity = "Round"\n'
        'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n'
    )
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn list_rounds(&self, dialogue_id: &DialogueId) -> Result<Rounds>;\n}\n",
    )
    (gate.root / "src" / "rounds.rs").write_bytes("pub type Rounds = Vec<Round>;\n".encode(encoding))
    assert [(f.code, f.method) for f in gate.findings()] == [("SG209", "list_rounds")]


def test_a_syntax_error_is_looked_for_only_where_a_governed_trait_is(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store_gate.extract.rust as rust_extractor
    from store_gate.extract import sgnodes

    looked: list[str] = []
    real = sgnodes.first_syntax_problem

    def looking(root: object, path: str) -> object:
        looked.append(path)
        return real(root, path)

    monkeypatch.setattr(sgnodes, "first_syntax_problem", looking)
    monkeypatch.setattr(rust_extractor, "first_syntax_problem", looking)
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    gate.write("src/notes.rs", "// `trait DialogueStore` lives in store.rs\nfn broken( {\n")
    assert gate.codes() == []
    assert looked == ["src/store.rs"]
    # When the trait is found nowhere, a syntax error may be what hides it: then it is reported.
    gate.write("src/store.rs", "pub trait ConversationStore {}\n")
    looked.clear()
    assert sorted(gate.codes()) == ["SG001", "SG002"]
    assert looked == ["src/notes.rs"]


def test_many_stores_find_their_traits_through_an_index_of_definitions(gate: Gate, parses: Parses) -> None:
    stores = "".join(f'\n[[store]]\ntrait = "Store{i}"\npaths = ["src/**/*.rs"]\n' for i in range(20))
    gate.manifest(DECLARED, stores)
    gate.write("src/store.rs", STORE)
    for i in range(20):
        gate.write(f"src/s{i}.rs", f"pub trait Store{i} {{\n    fn get_{i}(&self);\n}}\n")
    gate.write("src/prose.rs", "// Store1, Store2 and Store12 are documented elsewhere\npub struct Prose;\n")
    gate.write("src/r.rs", "pub trait r#Store13Extra {}\n")
    found = gate.findings()
    assert sorted((f.code, f.trait) for f in found) == sorted(("SG101", f"Store{i}") for i in range(20))
    assert parses.paths() == sorted(["src/store.rs", *(f"src/s{i}.rs" for i in range(20))])


# Structural rules ------------------------------------------------------------------------------

BOUNDED = """
[boundaries]
paths = ["src/**/*.rs"]

[boundaries.backends.sqlite]
allow = ["src/backend/sqlite.rs"]
"""


def test_sg403_parses_only_files_holding_a_key_attribute_identifier(gate: Gate, parses: Parses) -> None:
    gate.manifest(DECLARED, BOUNDED)
    gate.write("src/store.rs", STORE)
    gate.write("src/task.rs", "pub struct Task { disk: u8, mask: u8 }\nfn f(v: &mut Vec<u8>) { v.sort(); }\n")
    gate.write("src/ask.rs", "pub struct Partitioned { sorted: bool, pkg: String }\n")
    gate.write("src/item.rs", "pub struct Item { pk: String }\n")
    gate.write("src/gsi.rs", "pub struct Other { gsi1_sk: String }\n")
    gate.write("src/camel.rs", "pub struct Camel { r#sort_key: String }\n")
    found = [(f.code, f.path) for f in gate.findings()]
    assert found == [("SG403", "src/camel.rs"), ("SG403", "src/gsi.rs"), ("SG403", "src/item.rs")]  # r#sort_key too
    assert parses.paths() == ["src/camel.rs", "src/gsi.rs", "src/item.rs", "src/store.rs"]


def test_sg501_parses_no_feature_string_and_no_allowed_module(gate: Gate, parses: Parses) -> None:
    gate.manifest(DECLARED, BOUNDED)
    gate.write("src/store.rs", STORE)
    gate.write("src/features.rs", '#[cfg(feature = "rusqlite")]\npub fn enabled() -> bool { true }\n')
    gate.write("src/words.rs", "// rusqlite_compat is a crate of ours\npub fn f() {}\n")
    gate.write("src/backend/sqlite.rs", "use rusqlite::Connection;\npub struct Sqlite(Connection);\n")
    gate.write("src/leak.rs", "use rusqlite::Connection;\n")
    gate.write("src/bare.rs", "use rusqlite;\n")
    found = [(f.code, f.path) for f in gate.findings()]
    assert found == [("SG501", "src/bare.rs"), ("SG501", "src/leak.rs")]
    assert parses.paths() == ["src/bare.rs", "src/leak.rs", "src/store.rs"]


def test_sg503_parses_only_files_with_an_aead_shape_and_a_key_part(gate: Gate, parses: Parses) -> None:
    gate.manifest(DECLARED, paths='["src/**"]')
    gate.write("src/store.rs", STORE)
    gate.write("src/crypto.rs", "pub mod ed25519;\npub fn verify(pk: &[u8], sig: &[u8]) -> bool { decrypt(pk, sig) }\n")
    gate.write(
        "src/unkeyed.rs", "pub fn seal(id: &str, msg: &[u8]) { let _ = c().encrypt(n(), Payload { msg, aad: id }); }\n"
    )
    gate.write(
        "src/keyed.rs", "pub fn seal(pk: &str, msg: &[u8]) { let _ = c().encrypt(n(), Payload { msg, aad: pk }); }\n"
    )
    gate.write(
        "src/prefixed.rs", 'pub fn seal(b: &mut Vec<u8>) { let _ = c().encrypt_in_place(n(), "DIALOGUE#1", b); }\n'
    )
    found = [(f.code, f.path) for f in gate.findings()]
    assert found == [("SG503", "src/keyed.rs"), ("SG503", "src/prefixed.rs")]
    assert parses.paths() == ["src/keyed.rs", "src/prefixed.rs", "src/store.rs"]


def test_every_structural_rule_reads_a_file_in_one_parse(gate: Gate, parses: Parses) -> None:
    gate.manifest(DECLARED, BOUNDED)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/mixed.rs",
        'use rusqlite::Connection;\npub struct Row { pk: String }\npub const P: &str = "DIALOGUE#";\n',
    )
    result = gate.run()
    assert sorted(f.code for f in result.findings) == ["SG403", "SG501", "SG502"]
    assert parses.paths() == ["src/mixed.rs", "src/store.rs"]
    assert result.project.sources.parsed == {}, "no tree outlives its file's turn"


# --base ----------------------------------------------------------------------------------------


@pytest.fixture
def objects_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The git objects the run reads at the base, in order."""
    from store_gate import git as gitmodule

    asked: list[str] = []
    real = gitmodule.read_objects

    def reading(base: gitmodule.BaseRevision, objects: list[str]) -> dict[str, bytes]:
        asked.extend(objects)
        return real(base, objects)

    monkeypatch.setattr(gitmodule, "read_objects", reading)
    return asked


def commit_everything(gate: Gate) -> None:
    """The project as it is, committed: the base of a `--base` run."""
    git(gate.root, "init", "-q", "-b", "main")
    git(gate.root, "add", "-A")
    git(gate.root, "commit", "-q", "-m", "base")


def test_base_reads_and_parses_only_the_files_changed_since_it(
    gate: Gate, parses: Parses, objects_read: list[str]
) -> None:
    from store_gate import git as gitmodule

    gate.manifest(DECLARED, BOUNDED)
    gate.write("src/store.rs", STORE)
    gate.write("src/leak.rs", "use rusqlite::Connection;\n")
    gate.write("src/keys.rs", "pub struct Row { pk: String }\n")
    commit_everything(gate)
    objects = {git(gate.root, "rev-parse", f"HEAD:{p}"): p for p in ("store-gate.toml", "src/leak.rs", "src/store.rs")}
    gate.write("src/leak.rs", "use rusqlite::Connection;\nuse rusqlite::Transaction;\n")
    loaded = load(gate.root / "store-gate.toml")
    result = check(loaded, base=gitmodule.resolve_base(gate.root, "HEAD", "--base"))
    assert sorted(f.code for f in result.findings) == ["SG403", "SG501", "SG501"]
    assert result.comparison is not None and result.comparison.summary().endswith("unchanged 1")
    assert sorted(objects.get(o, o) for o in objects_read) == ["src/leak.rs"], "the manifest did not change: not read"
    assert parses.paths() == ["src/keys.rs", "src/leak.rs", "src/store.rs"], "the store at the base is today's"


def test_base_with_no_store_file_changed_reads_nothing_at_the_base(
    gate: Gate, parses: Parses, objects_read: list[str]
) -> None:
    from store_gate import git as gitmodule

    gate.manifest(DECLARED, BOUNDED, paths='["src/store.rs"]')
    gate.write("src/store.rs", STORE)
    gate.write("src/leak.rs", "pub fn ok() {}\n")
    commit_everything(gate)
    gate.write("src/leak.rs", "use rusqlite::Connection;\n")
    result = check(load(gate.root / "store-gate.toml"), base=gitmodule.resolve_base(gate.root, "HEAD", "--base"))
    assert [f.code for f in result.findings] == ["SG501"]
    assert result.comparison is not None and result.comparison.status == {
        ("DialogueStore", "get_dialogue"): "unchanged"
    }
    assert objects_read == [], "the store reads the same unchanged file at the base: nothing is read from git"
    assert parses.paths() == ["src/leak.rs", "src/store.rs"]


def test_base_reads_a_changed_store_at_the_base(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    commit_everything(gate)
    gate.write("src/store.rs", UNDECLARED_COPY)
    from store_gate import git as gitmodule

    result = check(load(gate.root / "store-gate.toml"), base=gitmodule.resolve_base(gate.root, "HEAD", "--base"))
    assert result.comparison is not None
    assert result.comparison.status == {
        ("DialogueStore", "get_dialogue"): "unchanged",
        ("DialogueStore", "list_everything"): "added",
    }


# Sharing the work across processes ---------------------------------------------------------------


def test_work_is_shared_only_for_large_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small files are parsed faster in one process than their results travel back."""
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    monkeypatch.setenv("STORE_GATE_JOBS", "2")
    assert not parallel.worth_sharing([1024] * 1000)  # 1 MB in 1,000 small store files
    assert parallel.worth_sharing([12 * 1024] * 100)  # 1.2 MB in files of linera's average size
    assert not parallel.worth_sharing([12 * 1024] * 10)  # 120 KB: below THRESHOLD


@pytest.mark.parametrize(
    ("loadavg", "expected"), [(b"1.90 1.80 1.70 1/120 99\n", 2), (b"0.00 0.00 0.00 3/120 99\n", 1)]
)
def test_work_is_shared_when_cpus_are_idle_now(monkeypatch: pytest.MonkeyPatch, loadavg: bytes, expected: int) -> None:
    """The processes running now decide, not the one-minute average: one running (this one) on
    two CPUs shares the work though the last minute was busy; three running do not."""
    import io
    import os
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    monkeypatch.delenv("STORE_GATE_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    files = {"/proc/loadavg": loadavg, "/proc/self/cgroup": b"0::/\n", b"/sys/fs/cgroup/cpu.max": b"max 100000\n"}
    monkeypatch.setattr(parallel, "open", lambda path, mode: io.BytesIO(files[path]), raising=False)
    assert parallel.workers() == expected


@pytest.mark.parametrize(
    ("cpu_max", "expected"), [(b"max 100000\n", 8), (b"200000 100000\n", 2), (b"50000 100000\n", 1)]
)
def test_work_is_shared_by_no_more_processes_than_the_cgroup_allows(
    monkeypatch: pytest.MonkeyPatch, cpu_max: bytes, expected: int
) -> None:
    """A container held to 2 CPUs on an 8-CPU host forks no more than 2 processes (cgroup v2)."""
    import io
    import os
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    monkeypatch.delenv("STORE_GATE_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    files = {
        "/proc/loadavg": b"0.00 0.00 0.00 1/120 99\n",
        "/proc/self/cgroup": b"0::/kubepods/pod1/c1\n",
        b"/sys/fs/cgroup/kubepods/pod1/c1/cpu.max": cpu_max,
    }
    monkeypatch.setattr(parallel, "open", lambda path, mode: io.BytesIO(files[path]), raising=False)
    assert parallel.workers() == expected


def test_work_shared_across_processes_gives_the_same_result(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import pickle
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    gate.manifest(DECLARED, BOUNDED)
    parts = " + ".join(f"Part{i}" for i in range(6))
    gate.write("src/store.rs", STORE.replace("DialogueStore {", f"DialogueStore: {parts} {{"))
    for i in range(6):  # supertraits, aliases and structural findings spread over many files
        gate.write(f"src/part{i}.rs", f"pub trait Part{i} {{\n    fn rows_{i}(&self) -> Result<Rows{i}>;\n}}\n")
        gate.write(f"src/rows{i}.rs", f"pub type Rows{i} = Vec<Row{i}>;\npub struct Row{i} {{ pk: String }}\n")
        gate.write(f"src/m{i}.rs", "use rusqlite::Connection;\n")

    def outcome() -> list[object]:
        result = gate.run()
        return [result.findings, [(m.trait, m.name, m.returns_collection) for m in result.project.methods]]

    monkeypatch.setenv("STORE_GATE_JOBS", "1")
    alone = outcome()
    assert len(alone[0]) == 18  # type: ignore[arg-type]
    assert all("Query" in f.message for f in alone[0] if f.code == "SG101")  # type: ignore[attr-defined]
    monkeypatch.setenv("STORE_GATE_JOBS", "3")
    monkeypatch.setattr(parallel, "THRESHOLD", 0)
    monkeypatch.setattr(parallel, "MIN_AVERAGE", 0)
    assert parallel.worth_sharing([1, 1])
    forks: list[int] = []
    real_fork = os.fork

    def forking() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(parallel.os, "fork", forking)
    assert outcome() == alone
    assert len(forks) >= 3 * 2, "extraction, named types and the structural rules: two children each"
    # A child that fails is not trusted: its share is computed again in the parent.
    parent = os.getpid()
    real_dumps = pickle.dumps

    def failing(value: object, protocol: int | None = None) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("a child that breaks")
        return real_dumps(value, protocol)

    monkeypatch.setattr(pickle, "dumps", failing)
    assert outcome() == alone


def test_byte_tests_shared_across_processes_give_the_same_findings(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a large tree the byte prefilters (could a file define a trait, a type, a record; which
    structural rules want it) run in child processes too. What only a process that reads the file
    learns must still reach the findings: a file too large to read (read here, before the fork), a
    Python name a child finds respelt, a supertrait in UTF-16, a backend client outside its module."""
    import os
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    gate.manifest(
        extra='\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.sqlite]\nallow = ["src/backend/**"]\n'
        "\n[limits]\nmax_file_bytes = 2048\n",
        paths='["src/**/*.rs"]',
    )
    gate.write(
        "src/store.rs", "pub trait DialogueStore: Part {\n    fn put_dialogue(&self, d: &Dialogue) -> Result<()>;\n}\n"
    )
    (gate.root / "src" / "part.rs").write_bytes(
        "pub trait Part {\n    fn rows(&self) -> Result<()>;\n}\n".encode("utf-16")
    )
    gate.write("src/dialogue.rs", "pub struct Dialogue {\n    pub dialogue_id: String,\n}\n")
    gate.write("src/big.rs", "// " + "x" * 4000 + "\npub trait DialogueStore {}\n")
    # UTF-16 cut in the middle of a character: only a process that decodes it knows
    (gate.root / "src" / "cut.rs").write_bytes("pub type Rows = Vec<Dialogue>;\n".encode("utf-16") + b"\x00")
    gate.write("src/jobs/leak.py", "import \uff53qlite3\n")
    gate.write("src/jobs/m.rs", "use rusqlite::Connection;\n")
    for i in range(8):  # files no test wants, shared out with the rest
        gate.write(f"src/other{i}.rs", f"pub fn f{i}() {{}}\n")

    def outcome() -> list[tuple[str, str, int, str]]:
        return [(f.code, f.path, f.line, f.message) for f in gate.findings()]

    monkeypatch.setenv("STORE_GATE_JOBS", "1")
    alone = outcome()
    assert [(code, path) for code, path, _, _ in alone] == [
        ("SG002", "src/big.rs"),
        ("SG002", "src/cut.rs"),
        ("SG002", "src/jobs/leak.py"),
        ("SG501", "src/jobs/m.rs"),
        ("SG101", "src/part.rs"),
        ("SG101", "src/store.rs"),
    ]
    assert "{d.dialogue_id}" in alone[5][3]  # the suggestion read Dialogue's fields (a record test)
    monkeypatch.setenv("STORE_GATE_JOBS", "2")
    monkeypatch.setattr(parallel, "SCAN_THRESHOLD", 0)
    scans: list[int] = []
    real_map = parallel.map_files

    def mapping(items, work, weights, scan=False):  # type: ignore[no-untyped-def]
        scans.append(scan and parallel.worth_sharing(weights, scan))
        return real_map(items, work, weights, scan)

    monkeypatch.setattr(parallel, "map_files", mapping)
    parent = os.getpid()
    assert outcome() == alone
    assert os.getpid() == parent
    assert scans.count(True) >= 3, "trait candidates, record fields and the structural prefilters were shared"


def test_the_base_is_listed_by_git_while_the_project_is_built(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ls-tree` of the base commit starts before the working tree is read (a commit cannot
    change meanwhile) and its answer is the one used: git is not asked twice. A run that fails
    before it needs the listing leaves no git process behind."""
    import subprocess

    from store_gate import git as gitmodule

    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    commit_everything(gate)
    gate.write("src/store.rs", UNDECLARED_COPY)
    started: list[list[str]] = []
    ran: list[list[str]] = []
    real_popen, real_run = subprocess.Popen, subprocess.run

    def popen(args: list[str], **kwargs: object) -> object:
        started.append(args)
        return real_popen(args, **kwargs)  # type: ignore[call-overload]

    def run(args: list[str], **kwargs: object) -> object:
        ran.append(args)
        return real_run(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(subprocess, "run", run)
    base = gitmodule.resolve_base(gate.root, "HEAD", "--base")
    ran.clear()
    result = check(load(gate.root / "store-gate.toml"), base=base)
    assert result.comparison is not None and result.comparison.count("added") == 1
    assert [a[1:4] for a in started if "ls-tree" in a] == [["--literal-pathspecs", "ls-tree", "-r"]]
    assert [a for a in ran if "ls-tree" in a] == []
    assert gitmodule._early == {}

    def failing(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the build fails")

    monkeypatch.setattr("store_gate.check.build", failing)
    with pytest.raises(RuntimeError):
        check(load(gate.root / "store-gate.toml"), base=base)
    assert gitmodule._early == {}


@pytest.mark.parametrize(("call", "error"), [("fork", 11), ("pipe", 24)])  # EAGAIN, EMFILE
def test_byte_tests_where_no_child_process_can_be_started_are_answered_here(
    gate: Gate, monkeypatch: pytest.MonkeyPatch, call: str, error: int
) -> None:
    """A machine that refuses another process (a container's pids limit, `ulimit -u`, no memory
    for the fork) or another pipe (no file descriptor left) makes `os.fork` or `os.pipe` fail:
    the gate does the shares itself and gives the findings of one process, never an internal
    error."""
    import os
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    gate.manifest(
        extra='\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.sqlite]\nallow = ["src/backend/**"]\n'
    )
    gate.write(
        "src/store.rs", "pub trait DialogueStore: Part {\n    fn put_dialogue(&self, d: &Dialogue) -> Result<()>;\n}\n"
    )
    gate.write("src/part.rs", "pub trait Part {\n    fn rows(&self) -> Result<Rows>;\n}\n")
    gate.write(
        "src/rows.rs", "pub type Rows = Vec<Dialogue>;\npub struct Dialogue {\n    pub dialogue_id: String,\n}\n"
    )
    gate.write("src/jobs/m.rs", "use rusqlite::Connection;\n")
    for i in range(4):
        gate.write(f"src/other{i}.rs", f"pub fn f{i}() {{}}\n")

    def outcome() -> list[tuple[str, str, int, str]]:
        return [(f.code, f.path, f.line, f.message) for f in gate.findings()]

    monkeypatch.setenv("STORE_GATE_JOBS", "1")
    alone = outcome()
    assert [(code, path, line) for code, path, line, _ in alone] == [
        ("SG501", "src/jobs/m.rs", 1),
        ("SG101", "src/part.rs", 2),
        ("SG101", "src/store.rs", 2),
    ]
    monkeypatch.setenv("STORE_GATE_JOBS", "3")
    for threshold in ("SCAN_THRESHOLD", "THRESHOLD", "MIN_AVERAGE"):
        monkeypatch.setattr(parallel, threshold, 0)
    attempts: list[int] = []

    def refused() -> int:
        attempts.append(1)
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(parallel.os, call, refused)
    assert outcome() == alone
    assert len(attempts) >= 3  # trait candidates, record fields, the structural prefilters, parsing


def test_children_are_not_left_behind_when_this_process_fails_its_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in this process's own share (an interrupt, a recursion too deep) leaves no child
    process running or unreaped, and no pipe open."""
    import os
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    monkeypatch.setenv("STORE_GATE_JOBS", "3")
    monkeypatch.setattr(parallel, "SCAN_THRESHOLD", 0)
    parent = os.getpid()
    forked: list[int] = []
    real_fork = os.fork

    def forking() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    def work(item: int) -> int:
        if os.getpid() == parent:
            raise RecursionError("too deep")
        import time

        time.sleep(5)  # a long share: the parent must not wait for it
        return item

    monkeypatch.setattr(parallel.os, "fork", forking)
    open_before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(RecursionError):
        parallel.map_files([0, 1, 2], work, [1, 1, 1], scan=True)
    assert len(forked) == 2
    for pid in forked:
        with pytest.raises(ChildProcessError):  # reaped already: no zombie
            os.waitpid(pid, os.WNOHANG)
    assert len(os.listdir("/proc/self/fd")) == open_before
