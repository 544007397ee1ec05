"""--base: gate only what changed, in real git repositories made by the tests."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli

MANIFEST = """
version = 1
legacy = "{legacy}"

[[store]]
trait = "DialogueStore"
paths = ["src/**/*.rs"]

[table]
name = "t"
partition_key = {{ name = "pk", type = "S" }}
sort_key = {{ name = "sk", type = "S" }}

[entity.Round]
pk = "DIALOGUE#{{dialogue_id}}"
sk = "ROUND#{{round}}"
{extra}
"""

LEGACY_METHODS = "".join(f"    fn legacy_{i}(&self, id: &str) -> Result<Vec<Round>>;\n" for i in range(5))
DECLARED = """
[access.DialogueStore.list_rounds]
op = "Query"
entity = "Round"
key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
page = "cursor"
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(repo),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    return done.stdout.strip()


class Repo:
    def __init__(self, root: Path, legacy: str = "off", extra: str = "") -> None:
        self.root = root
        git(root, "init", "-q", "-b", "main")
        self.manifest(legacy, extra)
        self.store(LEGACY_METHODS)
        self.commit("legacy store")

    def manifest(self, legacy: str = "off", extra: str = "") -> None:
        (self.root / "store-gate.toml").write_text(MANIFEST.format(legacy=legacy, extra=extra))

    def store(self, methods: str) -> None:
        (self.root / "src").mkdir(exist_ok=True)
        (self.root / "src" / "store.rs").write_text("pub trait DialogueStore {\n" + methods + "}\n")

    def commit(self, message: str) -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)

    def check(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli("check", *args, cwd=self.root, env=env)

    def codes(self, *args: str) -> list[tuple[str, str | None]]:
        result = self.check("--format", "json", *args)
        assert result.returncode in (0, 1), result.stderr
        return [(f["code"], f["method"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


NEW_METHOD = "    fn list_rounds(&self, dialogue_id: &str, cursor: Option<&str>) -> Result<Vec<Round>>;\n"


def test_one_added_method_among_five_legacy_fails_alone_then_passes_once_declared(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("add list_rounds")
    assert repo.codes("--base", "main") == [("SG101", "list_rounds")]
    result = repo.check("--base", "main")
    assert result.returncode == 1
    assert "methods added 1, changed 0, removed 0, unchanged 5" in result.stdout
    assert '5 findings on unchanged legacy methods not reported (legacy = "off")' in result.stdout

    repo.manifest("off", DECLARED)
    repo.commit("declare list_rounds")
    assert repo.check("--base", "main").returncode == 0
    assert len(repo.codes()) == 5, "without --base every legacy method is still checked"


def test_a_method_whose_signature_changed_is_gated(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS.replace("fn legacy_2(&self, id: &str)", "fn legacy_2(&self, id: &str, limit: u32)"))
    repo.commit("change legacy_2")
    assert repo.codes("--base", "main") == [("SG101", "legacy_2")]


def test_a_method_that_only_moved_is_not_gated(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    moved = "\n\n    /// now documented\n" + "".join(reversed(LEGACY_METHODS.splitlines(keepends=True)))
    repo.store(moved)
    repo.commit("reorder")
    assert repo.codes("--base", "main") == []


def test_a_changed_access_pattern_of_a_legacy_method_is_gated(tmp_path: Path) -> None:
    declared = DECLARED.replace("list_rounds", "legacy_0").replace("{dialogue_id}", "{id}")
    repo = Repo(tmp_path, extra=declared)
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.manifest("off", declared.replace('op = "Query"', 'op = "Scan"'))
    repo.commit("scan")
    assert repo.codes("--base", "main") == [("SG202", "legacy_0")]


def test_legacy_warn_turns_legacy_findings_into_warnings(tmp_path: Path) -> None:
    repo = Repo(tmp_path, legacy="warn")
    result = repo.check("--base", "main", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) == 5 and {f["severity"] for f in findings} == {"warning"}
    assert result.returncode == 0


def test_removed_methods_are_listed(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS.replace("    fn legacy_4(&self, id: &str) -> Result<Vec<Round>>;\n", ""))
    repo.commit("remove legacy_4")
    document = json.loads(repo.check("--base", "main", "--format", "json").stdout)
    assert document["manifests"][0]["base"]["removed"] == ["DialogueStore.legacy_4"]


def test_the_base_is_read_from_git_objects_not_the_working_tree(repo: Repo) -> None:
    # Uncommitted work is the change; the base is what the commit holds.
    repo.store(LEGACY_METHODS + NEW_METHOD)
    assert repo.codes("--base", "HEAD") == [("SG101", "list_rounds")]
    assert git(repo.root, "status", "--porcelain") == "M src/store.rs", "nothing was checked out"


def test_sg302_an_lsi_added_to_a_table_that_existed(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.manifest("off", '\n[table.lsi.ByTime]\nsort_key = { name = "lsi1sk", type = "S" }\n')
    repo.commit("add an LSI")
    result = repo.check("--base", "main")
    assert result.returncode == 1
    assert 'SG302 LSI "ByTime" is added to table "t", which exists at the base' in result.stdout


def test_sg302_an_lsi_of_a_new_table_passes(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("x")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "before store-gate")
    repo = Repo.__new__(Repo)
    repo.root = tmp_path
    repo.manifest("off", '\n[table.lsi.ByTime]\nsort_key = { name = "lsi1sk", type = "S" }\n')
    repo.store(NEW_METHOD)
    repo.commit("adopt")
    assert [c for c, _ in repo.codes("--base", "main~1")] == ["SG101"]


def test_a_base_that_does_not_resolve_exits_2(repo: Repo) -> None:
    result = repo.check("--base", "origin/nope")
    assert result.returncode == 2
    assert "does not resolve to a commit" in result.stderr and "git fetch origin nope" in result.stderr


def test_a_folder_outside_git_exits_2(tmp_path: Path) -> None:
    (tmp_path / "store-gate.toml").write_text(MANIFEST.format(legacy="off", extra=""))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "store.rs").write_text("pub trait DialogueStore {}\n")
    (tmp_path / ".git").mkdir()  # stops manifest discovery, but is no repository
    result = run_cli("check", "--base", "main", cwd=tmp_path)
    assert result.returncode == 2 and "is not inside a git repository" in result.stderr


def test_a_git_the_system_cannot_start_is_one_clear_line(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """git installed but not startable (a container's pids limit, no memory for the process):
    --base says so in one line (exit 2), not an internal error; nothing is left started early."""
    import errno

    from store_gate import git as gitmodule
    from store_gate.errors import UsageError

    def refused(*args: object, **kwargs: object) -> None:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "run", refused)
    monkeypatch.setattr(subprocess, "Popen", refused)
    with pytest.raises(UsageError) as raised:
        gitmodule.choose_base(repo.root, "main")
    assert str(raised.value) == "--base needs git, which could not be started (Resource temporarily unavailable)"
    assert gitmodule._early == {}


def test_a_shallow_clone_without_the_merge_base_says_to_fetch_history(repo: Repo, tmp_path: Path) -> None:
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("feature work")
    git(repo.root, "checkout", "-q", "main")
    (repo.root / "other").write_text("x")
    repo.commit("main moves on")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo.root}", str(clone))
    git(clone, "checkout", "-q", "feature")
    result = run_cli("check", "--base", "origin/main", cwd=clone)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "shallow" in result.stderr and "fetch-depth: 0" in result.stderr


def test_github_pull_request_base_is_detected_from_the_environment(repo: Repo) -> None:
    git(repo.root, "update-ref", "refs/remotes/origin/main", "main")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("feature")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": ""}
    result = repo.check("--format", "text", env=env)
    assert result.returncode == 1
    assert "compared with the merge-base of origin/main and HEAD" in result.stdout
    assert "from GITHUB_BASE_REF" in result.stdout
    assert result.stdout.count("SG101") == 1


def test_inside_pre_commit_the_base_is_head(repo: Repo) -> None:
    repo.store(LEGACY_METHODS + NEW_METHOD)
    git(repo.root, "add", "-A")
    result = repo.check(env={"PRE_COMMIT": "1"})
    assert "from pre-commit" in result.stdout and result.stdout.count("SG101") == 1


def test_pre_commit_with_nothing_staged_checks_every_method(repo: Repo) -> None:
    """`pre-commit run --all-files` with nothing staged must not compare HEAD with HEAD: with
    legacy = "off" that would pass a committed, undeclared method."""
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("an undeclared method slipped in")
    result = repo.check("--format", "json", env={"PRE_COMMIT": "1"})
    document = json.loads(result.stdout)
    assert result.returncode == 1 and document["manifests"][0]["base"] is None
    assert sorted(f["method"] for f in document["findings"]) == [f"legacy_{i}" for i in range(5)] + ["list_rounds"]


def test_pre_push_compares_with_the_from_ref(repo: Repo) -> None:
    base = git(repo.root, "rev-parse", "HEAD")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    repo.commit("pushed")
    head = git(repo.root, "rev-parse", "HEAD")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": head}
    result = repo.check("--format", "json", env=env)
    document = json.loads(result.stdout)
    assert document["manifests"][0]["base"]["source"] == "pre-commit --from-ref"
    assert [(f["code"], f["method"]) for f in document["findings"]] == [("SG101", "list_rounds")]


def test_pre_push_of_a_new_branch_checks_every_method(repo: Repo) -> None:
    head = git(repo.root, "rev-parse", "HEAD")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_TO_REF": head}
    document = json.loads(repo.check("--format", "json", env=env).stdout)
    assert document["manifests"][0]["base"] is None and len(document["findings"]) == 5


def test_pre_commit_on_the_first_commit_checks_everything(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "store-gate.toml").write_text(textwrap.dedent(MANIFEST.format(legacy="off", extra="")))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "store.rs").write_text("pub trait DialogueStore {\n" + NEW_METHOD + "}\n")
    result = run_cli("check", cwd=tmp_path, env={"PRE_COMMIT": "1"})
    assert result.returncode == 1 and "compared with" not in result.stdout


INFRA = """
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {{ AttributeName: pk, AttributeType: S }}
        - {{ AttributeName: sk, AttributeType: S }}
        - {{ AttributeName: gsi1pk, AttributeType: S }}
      KeySchema:
        - {{ AttributeName: pk, KeyType: HASH }}
        - {{ AttributeName: sk, KeyType: RANGE }}
{gsi}
"""
GSI1 = """      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema: [{ AttributeName: gsi1pk, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
"""


def test_an_unchanged_method_whose_index_was_deleted_is_gated(tmp_path: Path) -> None:
    """legacy = "off" must not hide that the infrastructure lost the index an old method queries."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "infra.yaml").write_text(INFRA.format(gsi=GSI1))
    (tmp_path / "store-gate.toml").write_text(
        'version = 1\nlegacy = "off"\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/*.rs"]\n'
        '[table]\nfrom = "infra.yaml"\n'
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "store.rs").write_text(
        "pub trait DialogueStore {\n"
        '    /// @access { op = "Query", index = "GSI1", key = { gsi1pk = "S#{s}" }, limit = 10 }\n'
        "    fn by_status(&self, s: &str) -> Vec<u8>;\n}\n"
    )
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "store")
    assert run_cli("check", "--base", "HEAD", cwd=tmp_path).returncode == 0

    (tmp_path / "infra.yaml").write_text(INFRA.format(gsi=""))
    result = run_cli("check", "--base", "HEAD", "--format", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert [(f["code"], f["method"]) for f in document["findings"]] == [("SG201", "by_status")]
    assert document["manifests"][0]["methods"][0]["change"] == "changed"


def test_a_baseline_entry_added_in_the_change_is_sg105(repo: Repo) -> None:
    """A change cannot accept its own findings by growing the baseline."""
    assert run_cli("baseline", "--reason", "legacy", cwd=repo.root).returncode == 0
    repo.commit("baseline the legacy methods")
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    grown = run_cli("baseline", "--update", "--allow-grow", "--reason", "later", cwd=repo.root)
    assert grown.returncode == 0
    repo.commit("add list_rounds and accept it")
    result = repo.check("--base", "main", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert result.returncode == 1
    assert [(f["code"], f["path"], f["message"]) for f in findings] == [
        (
            "SG105",
            "store-gate-baseline.json",
            "store-gate-baseline.json accepts SG101 DialogueStore.list_rounds, added in this change: a change "
            "cannot accept its own findings; fix them, or have the manifest's owners review the entry in a change "
            "of its own",
        )
    ]
    lines = (repo.root / "store-gate-baseline.json").read_text().splitlines()
    assert '"subject": "DialogueStore.list_rounds"' in lines[findings[0]["line"] - 1]


def test_base_reads_files_by_object_id_whatever_their_names(repo: Repo) -> None:
    """A path with a space or a newline, a symlink and a submodule at the base: each file's
    contents stay its own (git's batch protocol is line-based: paths never go through it)."""
    (repo.root / "src" / "with space.rs").write_text("pub trait Other {}\n")
    (repo.root / "src" / "new\nline.rs").write_text("pub trait Another {}\n")
    (repo.root / "src" / "link.rs").symlink_to("store.rs")
    sha = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "update-index", "--add", "--cacheinfo", f"160000,{sha},src/sub.rs")
    repo.commit("odd names")
    repo.store(LEGACY_METHODS + NEW_METHOD)
    result = repo.check("--base", "HEAD", "--format", "json")
    document = json.loads(result.stdout)
    assert [(f["code"], f["method"]) for f in document["findings"]] == [("SG101", "list_rounds")]
    changes = {m["name"]: m["change"] for m in document["manifests"][0]["methods"]}
    assert changes == {**{f"legacy_{i}": "unchanged" for i in range(5)}, "list_rounds": "added"}


STEPS = """
[access.DialogueStore.legacy_1]
steps = [
  { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{id}", sk = { begins_with = "ROUND#" } }, limit = 25 },
  { op = "BatchWriteItem", items = [{ op = "DeleteItem", key = { pk = "{item.pk}", sk = "{item.sk}" } }] },
]
"""


def test_a_change_inside_a_step_makes_the_method_changed(tmp_path: Path) -> None:
    repo = Repo(tmp_path, extra=STEPS)
    git(repo.root, "checkout", "-q", "-b", "feature")
    assert repo.codes("--base", "main") == []
    repo.manifest("off", STEPS.replace('key = { pk = "{item.pk}", sk = "{item.sk}" }', 'key = { pk = "{item.pk}" }'))
    repo.commit("delete by half a key")
    assert repo.codes("--base", "main") == [("SG204", "legacy_1")]
    result = repo.check("--base", "main", "--format", "json")
    (method,) = [m for m in json.loads(result.stdout)["manifests"][0]["methods"] if m["name"] == "legacy_1"]
    assert method["change"] == "changed"


def test_a_change_to_a_file_read_through_a_symlinked_folder_is_gated(repo: Repo) -> None:
    """git lists a changed file under its own name only: `src/shared -> ../lib` reads lib/store.rs
    as src/shared/store.rs, and a change there still makes its methods changed."""
    (repo.root / "src" / "store.rs").unlink()
    (repo.root / "lib").mkdir()
    (repo.root / "lib" / "store.rs").write_text("pub trait DialogueStore {\n" + LEGACY_METHODS + "}\n")
    (repo.root / "src" / "shared").symlink_to("../lib")
    repo.commit("the store through a linked folder")
    git(repo.root, "checkout", "-q", "-b", "feature")
    changed = LEGACY_METHODS.replace("fn legacy_2(&self, id: &str)", "fn legacy_2(&self, id: &str, limit: u32)")
    (repo.root / "lib" / "store.rs").write_text("pub trait DialogueStore {\n" + changed + "}\n")
    assert repo.codes("--base", "main") == [("SG101", "legacy_2")]
