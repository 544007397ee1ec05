"""Hostile inputs at the gate's edges: symlinked folders under `paths`, file names that are not
UTF-8 and lone surrogates in what the reporters print, manifests and outputs through symlinks,
cache files that are not files, and the commits that --base and a pre-push hook read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Gate, run_cli
from test_diff import LEGACY_METHODS, MANIFEST, NEW_METHOD, Repo, git

from store_gate.report import REPORTERS

STORE = 'pub trait DialogueStore {\n    /// @access { op = "GetItem", key = { pk = "P#{id}", sk = "META" } }\n    fn get(&self, id: &str);\n}\n'
FORMATS = list(REPORTERS)  # every output format the CLI offers


def bounded(
    *args: str, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI with a hang guard and a memory bound: a test that times out is a hang."""

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "store_gate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
        preexec_fn=limit_memory if sys.platform != "win32" else None,
    )


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    (line,) = result.stderr.splitlines()
    return line


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def found(gate: Gate) -> list[tuple[str, str, str | None]]:
    return [(f.code, f.path, f.method) for f in gate.findings()]


# Symlinked folders under `paths` ----------------------------------------------------------------

TS_TABLE = (
    '\n[table]\nname = "t"\npartition_key = { name = "pk", type = "S" }\nsort_key = { name = "sk", type = "S" }\n'
)


def ts_project(gate: Gate, paths: str = '["src/**/*.ts"]') -> None:
    gate.write("store-gate.toml", f'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = {paths}\n{TS_TABLE}')
    gate.write("src/store.ts", "export interface DialogueStore {\n  get(id: string): Promise<string>;\n}\n")
    gate.write("lib/admin/admin.ts", "export interface DialogueStore {\n  purge(id: string): Promise<void>;\n}\n")


def test_a_symlinked_folder_inside_the_project_is_walked_like_a_real_one(gate: Gate) -> None:
    """`src/admin -> ../lib/admin`: its file augments the store exactly as it would in a real src/admin."""
    ts_project(gate)
    (gate.root / "src" / "admin").symlink_to("../lib/admin")
    assert found(gate) == [
        ("SG101", "src/admin/admin.ts", "purge"),
        ("SG101", "src/store.ts", "get"),
    ]


def test_a_file_swapped_for_an_outside_symlink_after_the_walk_is_not_read(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The walk resolved `src/store.ts` inside the project; replaced by a link to a secret before
    it is read, it is refused (opened without following links), not read through the link."""
    from store_gate.sources import Unreadable, WorkingTree

    ts_project(gate)
    secret = tmp_path_factory.mktemp("outside") / "secret.ts"
    secret.write_text("export interface DialogueStore {}\n", encoding="utf-8")
    tree = WorkingTree(gate.root)
    tree.prepare([["src/**/*.ts"]])
    assert tree.read("src/store.ts").startswith(b"export interface")
    (gate.root / "src" / "store.ts").unlink()
    (gate.root / "src" / "store.ts").symlink_to(secret)
    with pytest.raises(Unreadable, match="replaced by a symlink during the run"):
        tree.read("src/store.ts")


def test_a_folder_swapped_for_an_outside_symlink_after_the_walk_is_not_read(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The walk found `src/store.ts` in a real folder; `src` replaced by a link to an outside folder
    before the file is read: the file is refused (O_NOFOLLOW guards only the last component)."""
    from store_gate.sources import Unreadable, WorkingTree

    ts_project(gate)
    outside = tmp_path_factory.mktemp("outside")
    (outside / "store.ts").write_text("export interface Secret {}\n", encoding="utf-8")
    tree = WorkingTree(gate.root)
    tree.prepare([["src/**/*.ts"]])
    (gate.root / "src").rename(gate.root / "src-moved")
    (gate.root / "src").symlink_to(outside)
    with pytest.raises(Unreadable, match="replaced by a symlink during the run"):
        tree.read("src/store.ts")


def test_a_trait_named_in_utf7_under_a_coding_cookie_is_found(gate: Gate) -> None:
    """`+AEQ-ialogueStore` is `DialogueStore` in a file whose cookie says UTF-7 (as CPython reads
    it): the definition prefilter decodes the file before it looks for the name."""
    access = '[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }\n'
    gate.manifest(access, paths='["src/**/*.py"]')
    gate.write("src/store.py", "class DialogueStore(Protocol):\n    def get(self, dialogue_id: str) -> str: ...\n")
    more = b"# coding: utf-7\nclass +AEQ-ialogueStore(Protocol):\n    def purge_all(self) -> None: ...\n"
    (gate.root / "src" / "more.py").write_bytes(more)
    assert [(f.code, f.path, f.line, f.method) for f in gate.findings()] == [("SG101", "src/more.py", 3, "purge_all")]


def test_a_link_to_an_ancestor_is_walked_once_and_ends(gate: Gate) -> None:
    """`lib/admin/loop -> ..` makes a cycle through the linked folder: the walk ends, each method once."""
    ts_project(gate)
    (gate.root / "src" / "admin").symlink_to("../lib/admin")
    (gate.root / "lib" / "admin" / "loop").symlink_to("..")
    (gate.root / "src" / "top").symlink_to("..")
    result = bounded("check", "--format", "json", cwd=gate.root, timeout=60)
    assert [(f["code"], f["path"], f["method"]) for f in json.loads(result.stdout)["findings"]] == [
        ("SG101", "src/admin/admin.ts", "purge"),
        ("SG101", "src/store.ts", "get"),
    ]


@pytest.mark.parametrize(
    ("paths", "named"),
    [
        ('["src/**/*.ts"]', "src/admin/admin.ts"),  # two links, no real name matched: the first link's
        ('["src/**/*.ts", "lib/**/*.ts"]', "lib/admin/admin.ts"),  # its own name, matched: that one
    ],
)
def test_a_file_reached_under_several_names_is_read_once(gate: Gate, paths: str, named: str) -> None:
    ts_project(gate, paths)
    (gate.root / "src" / "admin").symlink_to("../lib/admin")
    (gate.root / "src" / "zadmin").symlink_to("../lib/admin")
    assert found(gate) == sorted([("SG101", named, "purge"), ("SG101", "src/store.ts", "get")])


def test_an_outside_link_no_glob_can_reach_is_not_reported(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`*.rs` matches no file below `node_modules/` or `reports/`, wherever they lead."""
    outside = tmp_path_factory.mktemp("shared")
    gate.manifest(paths='["*.rs"]')
    gate.write("store.rs", STORE)
    (gate.root / "node_modules").symlink_to(outside)
    (gate.root / "reports").symlink_to(outside)
    assert found(gate) == []


def test_an_outside_link_a_glob_can_reach_is_sg002(gate: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("shared")
    gate.manifest(paths='["*.rs", "src/*.rs", "vendor/**/*.rs"]')
    gate.write("store.rs", STORE)
    gate.write("src/other.rs", "fn f() {}\n")
    gate.write("vendor/x.rs", "fn f() {}\n")
    (gate.root / "node_modules").symlink_to(outside)  # no glob reaches below it
    (gate.root / "src" / "deep").symlink_to(outside)  # src/*.rs stops at src/
    (gate.root / "vendor" / "lib").symlink_to(outside)  # vendor/**/*.rs reaches below it
    assert [(f.code, f.path, f.message.split(";")[0]) for f in gate.findings()] == [
        ("SG002", "vendor/lib", "a folder that leads outside the project (a symlink): not walked"),
    ]


# What the reporters print: names that are not UTF-8, lone surrogates ----------------------------

PY_MANIFEST = 'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["**/*.py", "**/*.ts"]\n' + TS_TABLE


@pytest.fixture
def odd_names(gate: Gate) -> Gate:
    """A store in `st\\xffore.py` (a name that is not UTF-8) and a TS member named "\\uD800"."""
    gate.write("store-gate.toml", PY_MANIFEST)
    name = os.path.join(os.fsencode(gate.root), b"st\xffore.py")
    with open(name, "wb") as out:
        out.write(b"class DialogueStore:\n    def get(self, id): ...\n")
    return gate


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names must be valid Unicode there")
@pytest.mark.parametrize("kind", FORMATS)
def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_every_format(odd_names: Gate, kind: str) -> None:
    result = bounded("check", "--format", kind, "--output", f"{kind}=out/report", cwd=odd_names.root)
    assert (result.returncode, result.stderr) == (1, "")
    written = (odd_names.root / "out" / "report").read_text(encoding="utf-8")
    assert written == result.stdout
    if kind == "sarif":
        uris = [
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(written)["runs"][0]["results"]
            for loc in r["locations"]
        ]
        assert uris == ["st%FFore.py"]
    elif kind in ("json", "gitlab"):
        assert "st\\\\xffore.py" in written and "\\udc" not in written
    else:
        assert "st\\xffore.py" in written


@pytest.mark.parametrize("kind", FORMATS)
def test_a_lone_surrogate_in_a_name_never_crashes_a_reporter(gate: Gate, kind: str) -> None:
    gate.write("store-gate.toml", PY_MANIFEST)
    gate.write("src/store.ts", 'export interface DialogueStore {\n  "\\uD800"(): Promise<string[]>;\n}\n')
    result = bounded("check", "--format", kind, "--output", f"{kind}=report", cwd=gate.root)
    assert (result.returncode, result.stderr) == (1, "")
    assert (gate.root / "report").read_text(encoding="utf-8") == result.stdout


def test_display_escapes_surrogates_visibly() -> None:
    from store_gate.display import one_line, printable, raw_bytes

    assert printable("st\udcffore.py \ud800") == "st\\xffore.py \\ud800"
    assert one_line("a\nst\udcff") == "a\\nst\\xff"
    assert raw_bytes("st\udcffore.py") == b"st\xffore.py"


# Outputs and manifests through symlinks ---------------------------------------------------------


def test_an_output_through_a_symlinked_folder_is_refused(gate: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`reports -> /elsewhere`, committed: the gate does not write the report there."""
    outside = tmp_path_factory.mktemp("outside")
    gate.manifest()
    gate.write("src/store.rs", STORE)
    (gate.root / "reports").symlink_to(outside)
    result = run_cli("check", "--output", "sarif=reports/store-gate.sarif", cwd=gate.root)
    assert one_error(result) == (
        "store-gate: --output: reports/store-gate.sarif: the folder reports is a symlink; the gate does not "
        "write through links (write to a real folder)"
    )
    assert list(outside.iterdir()) == []


def test_an_output_in_a_real_folder_outside_the_project_is_written(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    gate.manifest()
    gate.write("src/store.rs", STORE)
    result = run_cli("check", "--output", f"sarif={outside / 'new' / 's.sarif'}", cwd=gate.root)
    assert result.returncode == 0 and json.loads((outside / "new" / "s.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("name", ["store-gate.toml", ".store-gate.toml", "pyproject.toml"])
def test_a_manifest_linked_outside_the_project_is_refused_unread(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    outside = tmp_path_factory.mktemp("outside") / name
    secret = 'version = "SECRET-VALUE"\n'
    outside.write_text(f"[tool.store_gate]\n{secret}" if name == "pyproject.toml" else secret)
    (gate.root / ".git").mkdir()
    (gate.root / name).symlink_to(outside)
    line = one_error(run_cli("check", cwd=gate.root))
    assert f"{name}: a symlink leading outside the project" in line and "SECRET" not in line


def test_a_manifest_linked_inside_the_repository_is_read(gate: Gate) -> None:
    (gate.root / ".git").mkdir()
    gate.manifest()
    (gate.root / "config").mkdir()
    (gate.root / "store-gate.toml").rename(gate.root / "config" / "store-gate.toml")
    (gate.root / "store-gate.toml").symlink_to("config/store-gate.toml")
    gate.write("src/store.rs", STORE)
    result = run_cli("check", cwd=gate.root)
    assert result.returncode == 0, result.stderr


# The cache folder -------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_the_cache_folder_is_a_miss_never_a_wait(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.mktemp("cache")
    os.mkfifo(cache / "validated")
    gate.manifest()
    gate.write("src/store.rs", STORE)
    result = bounded("check", "-v", cwd=gate.root, timeout=30, env={"STORE_GATE_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert "validated: not a regular file; ignored" in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_cache_file_linked_to_dev_zero_is_never_read(gate: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("cache")
    (cache / "validated").symlink_to("/dev/zero")
    gate.manifest()
    gate.write("src/store.rs", STORE)
    result = bounded("check", "-v", cwd=gate.root, timeout=30, env={"STORE_GATE_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert "validated: cannot be opened" in result.stderr


# --base and pre-push: the commits read ----------------------------------------------------------


def test_a_legacy_method_copied_into_a_new_trait_of_the_same_name_is_gated(repo: Repo) -> None:
    """legacy = "off": `pub trait DialogueStore` duplicated in src/v2 with a legacy method is a new
    definition, never "unchanged" because its text matches the old one."""
    git(repo.root, "checkout", "-q", "-b", "feature")
    (repo.root / "src" / "v2").mkdir()
    (repo.root / "src" / "v2" / "mod.rs").write_text(
        "pub trait DialogueStore {\n" + LEGACY_METHODS.splitlines()[0] + "\n}\n"
    )
    repo.commit("v2")
    result = repo.check("--base", "main", "--format", "json")
    document = json.loads(result.stdout)
    assert [(f["code"], f["path"], f["method"]) for f in document["findings"]] == [
        ("SG101", "src/store.rs", "legacy_0"),
        ("SG101", "src/v2/mod.rs", "legacy_0"),
    ]
    changes = sorted({(m["name"], m["change"]) for m in document["manifests"][0]["methods"]})
    assert changes == [("legacy_0", "added")] + [(f"legacy_{i}", "unchanged") for i in range(1, 5)]


def test_a_legacy_method_moved_to_another_file_stays_unchanged(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    (repo.root / "src" / "store.rs").rename(repo.root / "src" / "moved.rs")
    repo.commit("move")
    assert repo.codes("--base", "main") == []


def test_pre_push_checks_the_commit_pushed_not_the_checked_out_tree(repo: Repo) -> None:
    base = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("an undeclared method")
    git(repo.root, "checkout", "-q", "main")  # pushed with `git push origin feature`
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": "feature"}
    result = repo.check("--format", "json", env=env)
    document = json.loads(result.stdout)
    assert [(f["code"], f["path"], f["method"]) for f in document["findings"]] == [
        ("SG101", "src/store.rs", "list_rounds")
    ]
    assert result.returncode == 1
    assert "the merge-base of" in repo.check(env=env).stdout and "and feature" in repo.check(env=env).stdout


def test_pre_push_of_a_new_branch_checks_the_commit_pushed(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("an undeclared method")
    git(repo.root, "checkout", "-q", "main")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_TO_REF": "feature"}
    document = json.loads(repo.check("--format", "json", env=env).stdout)
    assert sorted(f["method"] for f in document["findings"]) == [f"legacy_{i}" for i in range(5)] + ["list_rounds"]


def test_pre_push_refuses_when_the_configuration_differs_from_the_commit_pushed(repo: Repo) -> None:
    base = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.manifest("warn")
    repo.commit("legacy warn")
    git(repo.root, "checkout", "-q", "main")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": "feature"}
    line = one_error(repo.check(env=env))
    assert line.startswith("store-gate: pre-push: store-gate.toml differs between the working tree and feature (")


def test_base_reads_a_manifest_that_is_a_symlink_inside_the_repository(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "store-gate.toml").rename(tmp_path / "config" / "store-gate.toml")
    (tmp_path / "store-gate.toml").symlink_to("config/store-gate.toml")
    repo.commit("the manifest lives in config/")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("list_rounds")
    assert repo.codes("--base", "main") == [("SG101", "list_rounds")]


def test_base_with_a_manifest_linked_outside_the_repository_compares_without_it(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = Repo(tmp_path)
    outside = tmp_path_factory.mktemp("outside") / "store-gate.toml"
    shutil.move(tmp_path / "store-gate.toml", outside)
    (tmp_path / "store-gate.toml").symlink_to(outside)
    repo.commit("a manifest from elsewhere")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "store-gate.toml").unlink()
    repo.manifest()
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("the manifest in the repository")
    result = repo.check("--base", "main")
    assert result.returncode == 1 and result.stderr == ""
    assert (
        "store-gate.toml cannot be read at the base (a symlink at the base to an absolute path: the gate reads only "
        "inside it): every declaration counts as changed"
    ) in result.stdout
    assert repo.codes("--base", "main") == [("SG101", "list_rounds")]


def test_base_reads_a_baseline_that_was_a_symlink(repo: Repo) -> None:
    assert run_cli("baseline", "--reason", "legacy", cwd=repo.root).returncode == 0
    (repo.root / "data").mkdir()
    (repo.root / "store-gate-baseline.json").rename(repo.root / "data" / "baseline.json")
    (repo.root / "store-gate-baseline.json").symlink_to("data/baseline.json")
    repo.commit("the baseline, linked")
    git(repo.root, "checkout", "-q", "-b", "feature")
    (repo.root / "store-gate-baseline.json").unlink()
    (repo.root / "data" / "baseline.json").rename(repo.root / "store-gate-baseline.json")
    repo.commit("the baseline, in place")
    result = repo.check("--base", "main", "--format", "json")
    assert (result.returncode, result.stderr, json.loads(result.stdout)["findings"]) == (0, "", [])


def test_legacy_methods_under_a_symlinked_folder_are_unchanged_at_the_base(tmp_path: Path) -> None:
    """The base is read as the working tree is: a folder linked into `paths` is walked at the
    base too, so its old methods are not "added" by every run."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "store-gate.toml").write_text(MANIFEST.format(legacy="off", extra=""))
    (tmp_path / "lib" / "admin").mkdir(parents=True)
    (tmp_path / "lib" / "admin" / "store.rs").write_text("pub trait DialogueStore {\n" + LEGACY_METHODS + "}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "admin").symlink_to("../lib/admin")
    (tmp_path / "lib" / "admin" / "loop").symlink_to("..")  # a cycle: walked once
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "admin").symlink_to("../lib/admin")  # another link to the same folder, met first
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "legacy, linked")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "lib" / "admin" / "store.rs").write_text(
        "pub trait DialogueStore {\n" + LEGACY_METHODS + NEW_METHOD + "}\n"
    )
    git(tmp_path, "commit", "-q", "-am", "list_rounds")
    result = run_cli("check", "--base", "main", "--format", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert [(f["code"], f["path"], f["method"]) for f in document["findings"]] == [
        ("SG101", "src/admin/store.rs", "list_rounds")
    ]


def test_pre_push_reports_a_folder_linked_outside_in_the_commit_pushed(
    repo: Repo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What the working tree's walk reports, the commit pushed reports too: a folder under
    `paths` that leads outside is SG002, never a silent skip."""
    outside = tmp_path_factory.mktemp("outside")
    base = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "checkout", "-q", "-b", "feature")
    (repo.root / "src" / "ext").symlink_to(outside)
    repo.commit("a folder from elsewhere")
    git(repo.root, "checkout", "-q", "main")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": "feature"}
    document = json.loads(repo.check("--format", "json", env=env).stdout)
    pushed = git(repo.root, "rev-parse", "feature")[:12]
    assert [(f["code"], f["path"], f["message"].split(";")[0]) for f in document["findings"]] == [
        (
            "SG002",
            "src/ext",
            f"a folder that is not walked: a symlink at feature ({pushed}) to an absolute path: the gate reads "
            "only inside it",
        ),
    ]
