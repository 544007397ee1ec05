"""SG4/SG5 structural rules and users' own ast-grep rules, through the gate."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO, Gate, run_cli

from store_gate.errors import ConfigError

BOUNDARIES = """
[boundaries]
domain = ["src/domain/**"]

[boundaries.backends.sqlite]
allow = ["src/backend/sqlite/**"]
"""
STORE = "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str);\n}\n"
DECLARED = '\n[access.DialogueStore.get]\nop = "GetItem"\nentity = "Dialogue"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }\n'


@pytest.fixture
def bounded(gate: Gate) -> Gate:
    gate.manifest(DECLARED, BOUNDARIES)
    gate.write("src/store.rs", STORE)
    return gate


# The rule project itself --------------------------------------------------------------------


def test_ast_grep_cli_passes_on_the_rule_project() -> None:
    exe = shutil.which("ast-grep", path=str(Path(sys.executable).parent)) or shutil.which("ast-grep")
    if exe is None:
        pytest.skip("the ast-grep executable is not installed (pip install -e '.[dev]' brings ast-grep-cli)")
    done = subprocess.run([exe, "test"], cwd=REPO / "rules", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    cases = len(list((REPO / "rules" / "tests").glob("SG*-test.yml")))  # one per rule and language
    assert f"test result: ok. {cases} passed; 0 failed" in done.stdout


# SG401 ----------------------------------------------------------------------------------------


def test_sg401_storage_vocabulary_in_a_governed_trait(gate: Gate) -> None:
    gate.manifest()
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn query_gsi1_by_status(&self, status: Status) -> Vec<Dialogue>;\n}\n",
    )
    finding = gate.only("SG401", also=("SG101",))
    assert (finding.line, finding.column, finding.trait, finding.method) == (
        2,
        8,
        "DialogueStore",
        "query_gsi1_by_status",
    )


def test_sg401_other_traits_are_not_governed(gate: Gate) -> None:
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE + "pub trait Tokenizer {\n    fn scan_tokens(&self);\n}\n")
    assert gate.codes() == []


def test_sg401_extra_vocabulary_from_the_manifest(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.load_from_ddb]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n',
        '\n[boundaries]\nvocabulary = ["ddb"]\n',
    )
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn load_from_ddb(&self, id: &str);\n}\n")
    assert gate.codes() == ["SG401"]


def test_sg401_finds_a_storage_word_in_any_case_and_folded_spelling(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", "pub trait DialogueStore {\n    fn list_by_GSI1(&self);\n}\n")
    gate.write("src/other.rs", "pub trait OtherStore {\n    fn \u017fcan_all(&self);\n}\n")  # a long s
    gate.manifest(extra='\n[[store]]\ntrait = "OtherStore"\npaths = ["src/**/*.rs"]\n')
    found = sorted((f.code, f.method) for f in gate.findings())
    assert found == [
        ("SG101", "list_by_GSI1"),
        ("SG101", "\u017fcan_all"),
        ("SG401", "list_by_GSI1"),
        ("SG401", "\u017fcan_all"),
    ]


def test_sg401_prefilter_words_cover_every_rule_file() -> None:
    """SG401's byte prefilter (STORAGE_WORDS) must hold a part of every word its rule files'
    `storage-word` regexes list, in every language: a word added to a YAML file only would be
    matched by ast-grep and skipped by the prefilter."""
    import re

    import yaml

    from store_gate.rules.shape import STORAGE_WORDS

    for path in sorted(p for p in (REPO / "rules").glob("*/SG401-*.yml") if p.parent.name != "tests"):
        util = yaml.safe_load(path.read_text(encoding="utf-8"))["utils"]["storage-word"]
        regexes = re.findall(r"'regex': '((?:[^'\\]|\\.)*)'", repr(util))
        words = {
            w for regex in regexes for group in re.findall(r"\(\?:([A-Za-z|]+)\)", regex) for w in group.split("|")
        }
        assert words, path
        uncovered = sorted(w for w in words if not any(part.decode() in w.lower() for part in STORAGE_WORDS))
        assert uncovered == [], f"{path.name}: {uncovered}"


# SG402 ----------------------------------------------------------------------------------------


def test_sg402_backend_type_in_a_store_signature(gate: Gate) -> None:
    gate.manifest('\n[access.DialogueStore.put_raw]\nop = "PutItem"\nkey = { pk = "D#{id}", sk = "META" }\n')
    gate.write(
        "src/store.rs",
        "pub trait DialogueStore {\n    fn put_raw(&self, id: &str, item: HashMap<String, AttributeValue>);\n}\n",
    )
    finding = gate.only("SG402")
    assert "DialogueStore.put_raw exposes the backend type AttributeValue" in finding.message


def test_sg402_every_client_module_of_the_language_table(gate: Gate) -> None:
    """The modules of store_gate/languages.py are backend types in a store signature (asyncpg,
    redis), not only the ones the rule files list."""
    gate.manifest(
        '\n[access.DialogueStore.pool]\nop = "none"\nreason = "a handle"\n', paths='["src/**/*.py", "src/**/*.rs"]'
    )
    gate.write("src/store.py", "class DialogueStore(Protocol):\n    def pool(self) -> asyncpg.Pool: ...\n")
    gate.write("src/other.rs", "pub trait DialogueStore {\n    fn pool(&self) -> redis::Client;\n}\n")
    assert [(f.code, f.path, f.message.split(" in its")[0]) for f in gate.findings()] == [
        ("SG402", "src/other.rs", "DialogueStore.pool exposes the backend type redis::Client"),
        ("SG402", "src/store.py", "DialogueStore.pool exposes the backend type asyncpg.Pool"),
    ]


def test_sg402_domain_types_pass(bounded: Gate) -> None:
    assert bounded.codes() == []


# SG403 ----------------------------------------------------------------------------------------


def test_sg403_physical_key_in_a_domain_struct(bounded: Gate) -> None:
    bounded.write("src/domain/model.rs", "pub struct Dialogue {\n    pub id: String,\n    pub gsi1pk: String,\n}\n")
    finding = bounded.only("SG403")
    # A domain struct is not a governed trait: the finding names it as a symbol, not a trait.
    assert (finding.path, finding.line, finding.trait, finding.method, finding.symbol) == (
        "src/domain/model.rs",
        3,
        None,
        None,
        "Dialogue.gsi1pk",
    )


def test_sg403_the_tables_own_key_names_count(gate: Gate) -> None:
    gate.manifest(DECLARED, BOUNDARIES)
    gate.write("src/store.rs", STORE)
    gate.write("src/domain/model.rs", "pub struct Score {\n    pub game: String,\n    pub score: u64,\n}\n")
    assert [(f.code, f.symbol) for f in gate.findings()] == [("SG403", "Score.game"), ("SG403", "Score.score")]


def test_rust_raw_identifiers_are_the_names_they_spell(gate: Gate) -> None:
    """`r#pk`, `r#game`, `r#aad` and `r#scan` are `pk`, `game`, `aad` and `scan` to rustc: SG401,
    SG403 and SG503 see them (the manifest's own key names too)."""
    gate.manifest(DECLARED, BOUNDARIES)
    gate.write(
        "src/store.rs", STORE.replace("pub trait DialogueStore {", "pub trait DialogueStore {\n    fn r#scan(&self);")
    )
    gate.write("src/domain/model.rs", "pub struct Score {\n    pub r#pk: String,\n    pub r#game: String,\n}\n")
    gate.write(
        "src/domain/seal.rs",
        "pub fn seal(pk: &str, msg: &[u8]) { let _ = c().encrypt(n(), Payload { msg, r#aad: r#pk.as_bytes() }); }\n",
    )
    # The method is named as SG101 names it; a field is quoted as written; SG503 names its function.
    found = [(f.code, f.path, f.line, f.method or f.symbol) for f in gate.findings()]
    assert found == [
        ("SG403", "src/domain/model.rs", 2, "Score.r#pk"),
        ("SG403", "src/domain/model.rs", 3, "Score.r#game"),
        ("SG503", "src/domain/seal.rs", 1, "seal"),
        ("SG101", "src/store.rs", 2, "scan"),
        ("SG401", "src/store.rs", 2, "scan"),
    ]


def test_sg403_keys_in_the_backend_mapping_pass(bounded: Gate) -> None:
    bounded.write("src/backend/sqlite/item.rs", "pub struct Item {\n    pub pk: String,\n    pub sk: String,\n}\n")
    bounded.write("src/domain/model.rs", "pub struct Dialogue {\n    pub id: String,\n}\n")
    assert bounded.codes() == []


def test_sg403_python_and_typescript_domain_types(gate: Gate) -> None:
    gate.manifest(BOUNDARIES.replace('domain = ["src/domain/**"]', 'domain = ["src/domain/**"]\npaths = ["src/**"]'))
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/domain/model.py", "@dataclass\nclass Dialogue:\n    id: str\n    sk: str\n")
    gate.write("src/domain/model.ts", "export interface Dialogue {\n  id: string;\n  gsi1pk: string;\n}\n")
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [
        ("SG403", "src/domain/model.py", 4),
        ("SG403", "src/domain/model.ts", 3),
    ]


# SG501 ----------------------------------------------------------------------------------------


def test_sg501_a_client_outside_its_backend(bounded: Gate) -> None:
    bounded.write(
        "src/report.rs", 'pub fn count() {\n    let conn = rusqlite::Connection::open("blue.db").unwrap();\n}\n'
    )
    finding = bounded.only("SG501")
    assert (finding.path, finding.line, finding.column) == ("src/report.rs", 2, 16)
    assert 'a sqlite client is used outside the modules allowed to hold it ("src/backend/sqlite/**")' in finding.message


def test_sg501_inside_its_backend_passes(bounded: Gate) -> None:
    bounded.write(
        "src/backend/sqlite/mod.rs",
        'use rusqlite::Connection;\npub fn open() -> Connection { Connection::open("x").unwrap() }\n',
    )
    assert bounded.codes() == []


def test_sg501_a_backend_the_manifest_does_not_govern_is_not_reported(bounded: Gate) -> None:
    bounded.write("src/cache.rs", "use redis::Client;\n")
    assert bounded.codes() == []


def test_sg501_python_and_typescript_imports(gate: Gate) -> None:
    gate.manifest('\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/jobs/export.py", "import json\nimport boto3\n")
    gate.write("src/web/api.ts", "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n")
    gate.write("src/backend/dynamo.ts", "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n")
    assert sorted((f.path, f.line) for f in gate.findings()) == [("src/jobs/export.py", 2), ("src/web/api.ts", 1)]


def test_sg501_boto3s_dynamodb_type_stubs_are_dynamodb_clients(gate: Gate) -> None:
    """Code that names `mypy_boto3_dynamodb`'s types handles DynamoDB's shapes: it belongs in the backend."""
    gate.manifest('\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/jobs/export.py", "from mypy_boto3_dynamodb.client import DynamoDBClient\n")
    gate.write("src/jobs/sweep.py", "import types_aiobotocore_dynamodb\n")
    gate.write("src/backend/dynamo.py", "from mypy_boto3_dynamodb.client import DynamoDBClient\n")
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [
        ("SG501", "src/jobs/export.py", 1),
        ("SG501", "src/jobs/sweep.py", 1),
    ]


def test_sg501_modules_names_more_client_modules_of_a_backend(gate: Gate) -> None:
    """`[boundaries.backends.<name>] modules` makes a wrapper count as that backend's client, in
    every language's matcher (it used to do nothing: the YAML regexes were fixed)."""
    gate.manifest(
        '\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n'
        'modules = ["our_dynamo_wrapper"]\n'
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/jobs/export.py", "from our_dynamo_wrapper import table\n")
    gate.write("src/jobs/sweep.rs", "use our_dynamo_wrapper::Table;\n")
    gate.write("src/web/api.ts", "import { table } from 'our_dynamo_wrapper';\n")
    gate.write("src/backend/dynamo.py", "import our_dynamo_wrapper\n")
    found = [(f.code, f.path, f.line, f.message.split(": a ")[1][:15]) for f in gate.findings()]
    assert found == [
        ("SG501", "src/jobs/export.py", 1, "dynamodb client"),
        ("SG501", "src/jobs/sweep.rs", 1, "dynamodb client"),
        ("SG501", "src/web/api.ts", 1, "dynamodb client"),
    ]


def test_a_module_name_no_import_can_spell_is_a_config_error(gate: Gate) -> None:
    """A name with a space, a bracket or a line break would match no import: the client it means
    would pass unseen."""
    gate.manifest(
        '\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n'
        'modules = ["our_dynamo_wrapper", "@acme/dynamo-kit", "our dynamo"]\n'
    )
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    with pytest.raises(ConfigError) as raised:
        gate.run()
    assert [(p.key, p.message) for p in raised.value.problems] == [
        (
            "boundaries.backends.dynamodb.modules[2]",
            "String should match pattern '^[@\\w][\\w.:/@-]*$' (got \"our dynamo\")",
        )
    ]


def test_sg501_backends_are_mapped_by_module_path(gate: Gate) -> None:
    """`sqlx::postgres` is a postgres client, `sqlx::sqlite` a sqlite one; bare `sqlx` may be either."""
    gate.manifest('\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.postgres]\nallow = ["src/pg/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/a.rs", "use sqlx::sqlite::SqlitePool;\n")  # a backend the manifest does not govern
    gate.write("src/b.rs", "use sqlx::postgres::PgPool;\n")
    gate.write("src/c.rs", "use sqlx::Pool;\n")
    gate.write("src/pg/d.rs", "use sqlx::postgres::PgPool;\n")
    found = [(f.path, f.message.split(": a ")[1].split(" client")[0]) for f in gate.findings()]
    assert found == [("src/b.rs", "postgres"), ("src/c.rs", "postgres")]


def test_sg501_typescript_require_and_dynamic_import(gate: Gate) -> None:
    gate.manifest('\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.postgres]\nallow = ["src/pg/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/a.ts", "const { Pool } = require('pg');\nexport async function f() { return import('pg'); }\n")
    assert [(f.code, f.line) for f in gate.findings()] == [("SG501", 1), ("SG501", 2)]


def test_sg501_a_typescript_module_name_written_with_escapes_is_reported_outside_the_backends(gate: Gate) -> None:
    """`'\\x40aws-sdk/client-dynamodb'` is `@aws-sdk/client-dynamodb` to node: a name written with
    escapes could be any client, so it is reported - except inside a backend's own modules."""
    gate.manifest('\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write("src/web/api.ts", "import { DynamoDBClient } from '\\x40aws-sdk/client-dynamodb';\n")
    gate.write("src/web/jobs.ts", "const ddb = require('@aws-sdk/client-dynamo\\u{64}b');\n")
    gate.write("src/web/plain.ts", "import { z } from 'zod';\nconst text = 'a\\x41';\n")
    gate.write("src/backend/dynamo.ts", "import { DynamoDBClient } from '\\x40aws-sdk/client-dynamodb';\n")
    assert [(f.code, f.path, f.line, f.message) for f in gate.findings()] == [
        (
            "SG501",
            "src/web/api.ts",
            1,
            "import { DynamoDBClient } from '\\x40aws-sdk/client-dynamo...: the module name is written with escapes "
            "(\\x, \\u or a line continuation), so the gate cannot tell whether it is a backend client; write the "
            "module name as plain text",
        ),
        (
            "SG501",
            "src/web/jobs.ts",
            1,
            "require('@aws-sdk/client-dynamo\\u{64}b'): the module name is written with escapes (\\x, \\u or a line "
            "continuation), so the gate cannot tell whether it is a backend client; write the module name as plain text",
        ),
    ]


def test_a_python_name_spelt_with_compatibility_characters_is_sg002(gate: Gate) -> None:
    """Python reads `\uff42oto3` (a fullwidth b) as `boto3`: the rules, which match names as
    written, cannot see that import - SG002 says so. Text in comments and strings, and a name
    NFKC leaves as it is (`caf\u00e9`), are not names Python respells."""
    gate.manifest('\n[boundaries]\npaths = ["src/**"]\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n')
    gate.write("src/store.rs", "pub trait DialogueStore {}\n")
    gate.write(
        "src/jobs/leak.py",
        '# \uff42 in a comment\ntext = "\uff42oto3"\ncaf\u00e9 = 1\nimport \uff42oto3\nimport \uff53qlite3\n',
    )
    gate.write("src/jobs/plain.py", "caf\u00e9 = 1\n")
    assert [(f.code, f.path, f.line, f.column, f.message) for f in gate.findings()] == [
        (
            "SG002",
            "src/jobs/leak.py",
            4,
            8,
            "the name \uff42oto3 is boto3 to Python, which reads names NFKC-normalised; the gate matches names as "
            "they are written, so its rules cannot see it - write boto3",
        )
    ]


def test_sg501_waived_by_path_and_baselined_by_file(bounded: Gate) -> None:
    bounded.write("src/legacy/db.rs", 'pub fn a() { let _ = rusqlite::Connection::open("x"); }\n')
    manifest = bounded.root / "store-gate.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[[waiver]]\nrule = "SG501"\npath = "src/legacy/**"\nreason = "alignment_db.rs, until the trait covers it"\n'
    )
    assert bounded.codes() == []
    manifest.write_text(manifest.read_text().split("\n[[waiver]]")[0])
    assert run_cli("baseline", "--reason", "alignment_db.rs", cwd=bounded.root).returncode == 0
    entries = json.loads((bounded.root / "store-gate-baseline.json").read_text())["entries"]
    assert entries == [{"code": "SG501", "subject": "file src/legacy/db.rs", "count": 1, "reason": "alignment_db.rs"}]
    assert run_cli("check", cwd=bounded.root).returncode == 0


# SG502 ----------------------------------------------------------------------------------------


def test_sg502_an_entity_prefix_spelled_outside_the_backend(bounded: Gate) -> None:
    bounded.write("src/crypto.rs", 'pub fn aad(id: &str) -> String {\n    format!("DIALOGUE#{}|META", id)\n}\n')
    finding = bounded.only("SG502")
    assert (finding.line, finding.severity) == (2, "warning") and '"DIALOGUE#{}|META"' in finding.message


def test_sg502_other_uppercase_prefixes_are_not_key_formats_of_this_table(bounded: Gate) -> None:
    bounded.write("src/log.rs", 'pub const TAG: &str = "ERROR#1";\n')
    bounded.write("src/backend/sqlite/keys.rs", 'pub const D: &str = "DIALOGUE#";\n')
    assert bounded.codes() == []


# SG503 ----------------------------------------------------------------------------------------

AEAD_PATHS = '["src/**"]'


def test_sg503_rust_payload_aad_from_pk_and_sk(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.rs",
        """
        pub fn seal(pk: &str, sk: &str, msg: &[u8]) -> Vec<u8> {
            let aad = format!("{}|{}", pk, sk);
            cipher().encrypt(nonce(), Payload { msg, aad: aad.as_bytes() }).unwrap()
        }
        """,
    )
    finding = gate.only("SG503")
    assert (finding.path, finding.line, finding.symbol) == ("src/envelope.rs", 3, "seal")
    assert finding.message == (
        "seal: Payload { msg, aad: aad.as_bytes() }: the AEAD's associated data is built from the physical key "
        "(the table's key attributes or an entity's key prefix), so no other backend or layout can decrypt it; "
        'bind the logical identity instead, the entity type and its domain id (such as "Dialogue|{dialogue_id}")'
    )


def test_sg503_the_manifests_prefixes_and_key_names_count(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.rs",
        """
        pub fn by_prefix(id: &str) { let _ = key().seal_in_place_append_tag(n(), Aad::from(format!("DIALOGUE#{id}").as_bytes()), &mut b()); }
        pub fn by_table_key(game: &str) { let _ = key().seal_in_place_append_tag(n(), Aad::from(format!("{game}").as_bytes()), &mut b()); }
        pub fn other_prefix(id: &str) { let _ = key().seal_in_place_append_tag(n(), Aad::from(format!("TOKEN#{id}").as_bytes()), &mut b()); }
        """,
    )
    assert [(f.code, f.line, f.symbol) for f in gate.findings()] == [
        ("SG503", 1, "by_prefix"),
        ("SG503", 2, "by_table_key"),
    ]


def test_sg503_python_and_typescript_envelopes(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.py",
        """
        def seal(item, data):
            return AESGCM(KEY).encrypt(NONCE, data, item["pk"].encode() + item["sk"].encode())
        """,
    )
    gate.write(
        "src/envelope.ts",
        """
        export function seal(item: Item, data: Uint8Array) {
          const cipher = createCipheriv("aes-256-gcm", KEY, iv);
          cipher.setAAD(Buffer.from(`${item.pk}|${item.sk}`));
          return crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encode(`DIALOGUE#${item.id}`) }, KEY, data);
        }
        """,
    )
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [
        ("SG503", "src/envelope.py", 2),
        ("SG503", "src/envelope.ts", 3),
        ("SG503", "src/envelope.ts", 4),
    ]


def test_sg503_a_variable_assigned_from_the_key_in_the_same_function_or_module(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.py",
        """
        AAD = b"DIALOGUE#"


        def keyed(pk, data):
            aad = f"{pk}|x".encode()
            nonce = os.urandom(12)
            return AESGCM(KEY).encrypt(nonce, data, aad)


        def elsewhere(dialogue_id, data):
            aad = f"Dialogue|{dialogue_id}".encode()
            return AESGCM(KEY).encrypt(NONCE, data, aad)


        def constant(data):
            return AESGCM(KEY).encrypt(NONCE, data, AAD)
        """,
    )
    gate.write(
        "src/envelope.ts",
        """
        export function keyed(item: Item) {
          const additionalData = encoder.encode(item.sk);
          return crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, KEY, data);
        }
        export function elsewhere(id: string) {
          const additionalData = encoder.encode(id);
          return crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, KEY, data);
        }
        """,
    )
    gate.write(
        "src/envelope.rs",
        """
        pub fn keyed(pk: &str, buffer: &mut Vec<u8>) { let aad = pk.as_bytes(); let _ = cipher().encrypt_in_place(n(), aad, buffer); }
        pub fn elsewhere(id: &str, msg: &[u8]) { let aad = id.as_bytes(); let _ = cipher().encrypt(n(), Payload { msg, aad }); }
        """,
    )
    assert [(f.path, f.line, f.symbol) for f in gate.findings()] == [
        ("src/envelope.py", 7, "keyed"),
        ("src/envelope.py", 16, "constant"),
        ("src/envelope.rs", 1, "keyed"),
        ("src/envelope.ts", 3, None),  # a TypeScript function is no member: the line says where
    ]


def test_sg503_through_the_cli(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/seal.py", "def seal(item, data):\n    return AESGCM(KEY).encrypt(NONCE, data, item['pk'].encode())\n"
    )
    done = run_cli("check", "--format", "json", cwd=gate.root)
    assert done.returncode == 1, done.stderr
    found = [(f["code"], f["path"], f["line"], f["severity"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [("SG503", "src/seal.py", 2, "error")]


def test_sg503_and_sg501_read_a_utf16_file_as_its_text(gate: Gate) -> None:
    gate.manifest(DECLARED, BOUNDARIES, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    seal = "def seal(item, data):\n    return AESGCM(KEY).encrypt(NONCE, data, item['pk'].encode())\n"
    (gate.root / "src" / "seal.py").write_bytes(seal.encode("utf-16"))
    (gate.root / "src" / "leak.rs").write_bytes("use rusqlite::Connection;\n".encode("utf-16"))
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [
        ("SG501", "src/leak.rs", 1),
        ("SG503", "src/seal.py", 2),
    ]


def test_sg503_reads_a_python_file_whose_cookie_follows_a_long_first_line(gate: Gate) -> None:
    """CPython reads a coding cookie on line 2 after a first line of any length: this file is UTF-7
    (`+AGU-ncrypt` is `encrypt`), for the prefilter and the parse too."""
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    seal = "#" + "-" * 500 + "\n# coding: utf-7\ndef seal(item, data):\n    return A(K).+AGU-ncrypt(N, data, item.pk)\n"
    (gate.root / "src" / "seal.py").write_bytes(seal.encode("ascii"))
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [("SG503", "src/seal.py", 4)]


def test_a_file_a_structural_rule_wants_that_does_not_decode_is_sg002(gate: Gate) -> None:
    """Not an empty file without findings: the AEAD call and the client import are in the bytes,
    which are not UTF-8, so the gate says it cannot read them."""
    gate.manifest(DECLARED, BOUNDARIES, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    seal = "# caf\xe9\ndef seal(item, data):\n    return AESGCM(KEY).encrypt(NONCE, data, item['pk'].encode())\n"
    (gate.root / "src" / "seal.py").write_bytes(seal.encode("latin-1"))
    (gate.root / "src" / "leak.rs").write_bytes("// caf\xe9\nuse rusqlite::Connection;\n".encode("latin-1"))
    assert [(f.code, f.path, f.line, f.message) for f in gate.findings()] == [
        (
            "SG002",
            "src/leak.rs",
            1,
            "not valid UTF-8 (byte 6): the gate cannot read what it holds (a trait, a backend client, a key); save the file as UTF-8",
        ),
        (
            "SG002",
            "src/seal.py",
            1,
            "not valid UTF-8 (byte 5): the gate cannot read what it holds (a trait, a backend client, a key); save the file as UTF-8",
        ),
    ]


def test_a_file_a_users_rule_would_read_that_does_not_decode_is_sg002(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n', 1))
    gate.write(
        "governance/no-unwrap.yml",
        "id: no-unwrap\nlanguage: rust\nseverity: warning\nmessage: unwrap\nrule: { pattern: $X.unwrap() }\n",
    )
    gate.write("src/store.rs", STORE)
    (gate.root / "src" / "io.rs").write_bytes("// caf\xe9\npub fn f() { g().unwrap(); }\n".encode("latin-1"))
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [("SG002", "src/io.rs", 1)]


def test_sg503_spacing_or_a_comment_in_a_path_hides_no_aead(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.rs",
        """
        pub fn ring(pk: &str) { key().seal_in_place_append_tag(n(), aead::Aad :: from(pk.as_bytes()), &mut b()); }
        pub fn gcm(pk: &str, msg: &[u8]) { let _ = c().encrypt(n(), aead:: /* x */ Payload { msg, aad: pk.as_bytes() }); }
        """,
    )
    assert [(f.code, f.line, f.symbol) for f in gate.findings()] == [("SG503", 1, "ring"), ("SG503", 2, "gcm")]


def test_sg503_the_logical_identity_passes(gate: Gate) -> None:
    gate.manifest(DECLARED, paths=AEAD_PATHS)
    gate.write("src/store.rs", STORE)
    gate.write(
        "src/envelope.rs",
        """
        pub fn seal(dialogue_id: &str, msg: &[u8]) -> Vec<u8> {
            let aad = format!("Dialogue|{}", dialogue_id);
            cipher().encrypt(nonce(), Payload { msg, aad: aad.as_bytes() }).unwrap()
        }
        """,
    )
    gate.write(
        "src/envelope.py",
        'def seal(dialogue_id, data):\n    return AESGCM(KEY).encrypt(NONCE, data, f"Dialogue|{dialogue_id}".encode())\n',
    )
    assert gate.findings() == []


# Users' rules ---------------------------------------------------------------------------------

USER_RULE = """
id: no-println
language: rust
severity: warning
message: println! in library code; use the logger ($ARGS)
rule:
  pattern: println!($$$ARGS)
"""


def test_a_user_rule_is_reported_with_its_own_id_and_severity(bounded: Gate) -> None:
    bounded.write("governance/no-println.yml", USER_RULE)
    manifest = bounded.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n'))
    bounded.write("src/report.rs", 'pub fn show() {\n    println!("hello");\n}\n')
    finding = bounded.only("no-println")
    assert (finding.path, finding.line, finding.severity) == ("src/report.rs", 2, "warning")
    assert finding.message == 'println! in library code; use the logger ("hello")'
    selected = run_cli("check", "--select", "no-println", "--format", "json", cwd=bounded.root)
    assert [f["code"] for f in json.loads(selected.stdout)["findings"]] == ["no-println"]
    result = run_cli("check", "--format", "sarif", cwd=bounded.root)
    rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert any(r["id"] == "no-println" for r in rules)
    manifest.write_text(
        manifest.read_text() + '\n[[waiver]]\nrule = "no-println"\npath = "src/report.rs"\nreason = "a CLI report"\n'
    )
    assert bounded.codes() == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("tsx", ["src/view.tsx"]),
        ("typescript", ["src/util.ts", "src/view.tsx"]),
        ("ts", ["src/util.ts", "src/view.tsx"]),
    ],
)
def test_a_user_rule_runs_on_the_files_of_its_language(gate: Gate, language: str, expected: list[str]) -> None:
    """`language: tsx` (which the README lists) runs on .tsx files, as with ast-grep; typescript
    (or ts) also on .tsx, as the built-in rules do. A tsx rule once matched no file at all."""
    gate.manifest(
        '\n[access.DialogueStore.get]\nop = "GetItem"\nkey = { pk = "D#{id}", sk = "META" }\n',
        paths='["src/**/*.ts", "src/**/*.tsx"]',
    )
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n'))
    gate.write(
        "governance/no-console.yml", f"id: no-console\nlanguage: {language}\nrule:\n  pattern: console.log($$$A)\n"
    )
    gate.write("src/store.ts", "export interface DialogueStore {\n  get(id: string): Promise<void>;\n}\n")
    gate.write("src/util.ts", 'export const y = () => { console.log("hi"); };\n')
    gate.write("src/view.tsx", 'export const x = () => { console.log("hi"); return <div/>; };\n')
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [("no-console", path, 1) for path in expected]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id: broken\nlanguage: rust\nrule:\n  kind: not_a_kind_at_all\n", "invalid ast-grep rule"),
        ("id: broken\nlanguage: cobol\nrule:\n  pattern: x\n", "is not one of rust, python, typescript, tsx"),
        ("id: broken\nlanguage: rust\n", "missing rule"),
        ("id: [unclosed\n", "YAML syntax"),
        ("id: SG999\nlanguage: rust\nrule:\n  pattern: x\n", "SGnnn ids are store-gate's own"),
    ],
    ids=["bad-kind", "bad-language", "no-rule", "bad-yaml", "reserved-id"],
)
def test_a_malformed_user_rule_exits_2(bounded: Gate, content: str, expected: str) -> None:
    bounded.write("governance/broken.yml", content)
    manifest = bounded.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", 'version = 1\nrules = ["governance/*.yml"]\n'))
    result = run_cli("check", cwd=bounded.root)
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("invalid config: governance/broken.yml") and expected in line
    assert "RUST_BACKTRACE" not in line and "Traceback" not in result.stderr


def test_user_rules_flow_through_base(tmp_path: Path) -> None:
    from test_diff import git

    gate = Gate(tmp_path)
    gate.manifest(DECLARED, BOUNDARIES + "\n", paths='["src/**/*.rs"]')
    manifest = tmp_path / "store-gate.toml"
    manifest.write_text(
        manifest.read_text().replace("version = 1\n", 'version = 1\nlegacy = "off"\nrules = ["governance/*.yml"]\n')
    )
    gate.write("governance/no-println.yml", USER_RULE)
    gate.write("src/store.rs", STORE)
    gate.write("src/old.rs", 'pub fn a() { println!("legacy"); }\n')
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    gate.write("src/new.rs", 'pub fn b() { println!("new"); }\n')
    result = run_cli("check", "--base", "HEAD", "--format", "json", cwd=tmp_path)
    assert [(f["code"], f["path"]) for f in json.loads(result.stdout)["findings"]] == [("no-println", "src/new.rs")]


# The example, as the issue describes it -------------------------------------------------------


def _example(tmp_path: Path) -> Path:
    copy = tmp_path / "blue"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".store-gate-cache"))
    return copy


def test_example_rusqlite_call_outside_the_backend_is_sg501_at_its_line(tmp_path: Path) -> None:
    copy = _example(tmp_path)
    (copy / "src" / "report.rs").write_text(
        'pub fn rounds() {\n    let conn = rusqlite::Connection::open("blue.db");\n}\n'
    )
    result = run_cli("check", cwd=copy)
    assert result.returncode == 1 and "src/report.rs:2:16: SG501 rusqlite::Connection::open" in result.stdout


def test_example_gsi1pk_in_a_domain_struct_is_sg403(tmp_path: Path) -> None:
    copy = _example(tmp_path)
    domain = copy / "src" / "domain.rs"
    domain.write_text(
        domain.read_text().replace(
            "pub struct Dialogue { pub id: DialogueId,", "pub struct Dialogue { pub gsi1pk: String, pub id: DialogueId,"
        )
    )
    result = run_cli("check", cwd=copy)
    assert (
        result.returncode == 1
        and "SG403 Dialogue.gsi1pk: the domain type Dialogue carries the physical key attribute gsi1pk" in result.stdout
    )


def test_example_query_gsi1_by_status_is_sg401(tmp_path: Path) -> None:
    copy = _example(tmp_path)
    reads = copy / "src" / "store" / "reads.rs"
    reads.write_text(
        reads.read_text().replace(
            "pub trait DialogueReads {",
            "pub trait DialogueReads {\n    async fn query_gsi1_by_status(&self, status: DialogueStatus) -> Result<Vec<Dialogue>>;",
        )
    )
    result = run_cli("check", cwd=copy)
    assert (
        "src/store/reads.rs:8:14: SG401 DialogueReads.query_gsi1_by_status: the method name carries storage vocabulary"
        in result.stdout
    )


# The constant partition key of these cases' declaration ("D#x") is SG210 in each.
HOT_KEY = (
    "SG210",
    'DialogueStore.put: partition key pk = "D#x" has no placeholder, so every call lands on one partition (a hot '
    "key); put a parameter into it",
)
PYNAMODB_STORE = (
    "from typing import Protocol\n{imports}\n\n"
    "class DialogueStore(Protocol):\n    def put(self, item: Model, at: TTLAttribute) -> None: ...\n"
)


def test_sg402_pynamodb_types_imported_from_pynamodb(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "D#x", sk = "META" }\n', paths='["src/*.py"]'
    )
    imports = "from pynamodb.models import Model\nfrom pynamodb.attributes import (\n    TTLAttribute,\n)\n"
    gate.write("src/store.py", PYNAMODB_STORE.format(imports=imports))
    assert sorted((f.code, f.message) for f in gate.findings()) == [
        HOT_KEY,
        (
            "SG402",
            "DialogueStore.put exposes the backend type Model in its signature; take and return domain types and convert inside the backend",
        ),
        (
            "SG402",
            "DialogueStore.put exposes the backend type TTLAttribute in its signature; take and return domain types and convert inside the backend",
        ),
    ]


@pytest.mark.parametrize(
    "imports",
    [
        "from pynamodb.models import (  # a comment (with parentheses), and a comma\n    Model,\n)\n"
        "from pynamodb.attributes import TTLAttribute\n",
        "from pynamodb.models import Model, \\\n    TTLAttribute\n",
        "from pynamodb.models import (\n    # ) closes nothing here\n    Model, TTLAttribute,\n)\n",
    ],
)
def test_sg402_pynamodb_imports_with_comments_and_continuations(gate: Gate, imports: str) -> None:
    gate.manifest(
        '\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "D#x", sk = "META" }\n', paths='["src/*.py"]'
    )
    gate.write("src/store.py", PYNAMODB_STORE.format(imports=imports))
    assert sorted((f.code, f.message.split(" in its")[0]) for f in gate.findings()) == [
        HOT_KEY,
        ("SG402", "DialogueStore.put exposes the backend type Model"),
        ("SG402", "DialogueStore.put exposes the backend type TTLAttribute"),
    ]


def test_sg402_a_projects_own_model_is_not_a_backend_type(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "D#x", sk = "META" }\n', paths='["src/*.py"]'
    )
    gate.write("src/store.py", PYNAMODB_STORE.format(imports="from app.domain import Model, TTLAttribute\n"))
    assert [f.code for f in gate.findings()] == ["SG210"]


@pytest.mark.parametrize(
    ("backends", "imports", "unserved"),
    [
        ("", "from sqlalchemy import Table as Model\nfrom sqlalchemy.types import TTLAttribute\n", []),
        ("", "from mypy_boto3_dynamodb.service_resource import Table as Model, TTLAttribute\n", []),
        (
            '\n[boundaries.backends.dynamodb]\nallow = ["src/*.py"]\nmodules = ["our_dynamo_wrapper"]\n',
            "from our_dynamo_wrapper.models import Model, TTLAttribute\n",
            [("SG704", "DialogueStore.put: no DynamoDB call found")],  # the backend it names has no call
        ),
    ],
)
def test_sg402_a_name_imported_from_any_client_module_of_the_language_table_or_of_modules_is_a_backend_type(
    gate: Gate, backends: str, imports: str, unserved: list[tuple[str, str]]
) -> None:
    """The names a project may define itself (`Model`, `Table`, `...Attribute`) are backend types
    when imported from a client module: any the language table knows (SQL ones too, and the
    DynamoDB type stubs) or one the manifest's `modules` names."""
    gate.manifest(
        '\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "D#x", sk = "META" }\n' + backends,
        paths='["src/*.py"]',
    )
    gate.write("src/store.py", PYNAMODB_STORE.format(imports=imports))
    assert sorted((f.code, f.message.split(" in its")[0]) for f in gate.findings()) == [
        HOT_KEY,
        ("SG402", "DialogueStore.put exposes the backend type Model"),
        ("SG402", "DialogueStore.put exposes the backend type TTLAttribute"),
        *unserved,
    ]


def test_sg402_aws_sdk_document_client_commands(gate: Gate) -> None:
    gate.manifest(
        '\n[access.DialogueStore.query]\nop = "Query"\nkey = { pk = "D#{id}" }\nlimit = 5\n', paths='["src/*.ts"]'
    )
    gate.write(
        "src/store.ts",
        "import { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';\n"
        "export interface DialogueStore {\n  query(id: string, input: QueryCommandInput): Promise<QueryCommandOutput>;\n}\n",
    )
    assert sorted(f.message.split(" in its")[0] for f in gate.findings()) == [
        "DialogueStore.query exposes the backend type QueryCommandInput",
        "DialogueStore.query exposes the backend type QueryCommandOutput",
    ]
