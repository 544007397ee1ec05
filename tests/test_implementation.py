"""SG701-SG704: the backend's code agrees with the declaration.

Each example's DynamoDB backend is clean; a deliberately wrong copy of it - a Scan behind a
Query, another index, a misspelt key prefix, a method left unimplemented - fires each rule, in
each language. Smaller cases show what the readers follow and what they name as unreadable.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, Gate

from store_gate.check import check
from store_gate.config import load

EXAMPLES = REPO / "examples"
RUST = "src/backend/dynamodb.rs"
PYTHON = "dialogue/backend/dynamodb.py"
TYPESCRIPT = "src/backend/dynamodb.ts"


def findings_of(root: Path) -> list[tuple[str, str, str]]:
    found = check(load(root / "store-gate.toml")).findings
    return [(f.code, f.path, f"{f.trait}.{f.method}") for f in found]


@pytest.mark.parametrize("example", ["blue", "python", "typescript"])
def test_each_examples_backend_agrees_with_its_declarations(example: str) -> None:
    """Clean - and not because nothing was read: every method that issues an operation has its
    calls read from the backend module."""
    from store_gate.project import build
    from store_gate.rules.implementation import _backend_files, _implementations

    assert findings_of(EXAMPLES / example) == []
    project = build(load(EXAMPLES / example / "store-gate.toml"))
    read = {
        name
        for impl in _implementations(project, _backend_files(project)[1])[0]
        for name, body in impl.methods.items()
        if body.calls
    }
    issuing = {
        m.name
        for m in project.methods
        if (d := project.declaration(m)) is not None and any(leaf.op != "none" for _, leaf in d.pattern.operations())
    }
    assert issuing and issuing <= read


WRONG = [
    # Rust (blue): aws-sdk-dynamodb fluent builders, through the backend's helpers.
    (
        "blue",
        RUST,
        'self.get(format!("ADR#{number}"), "META".into(), false).await',
        'page(self.query_table(format!("ADR#{number}"), None, 1).await?)',
        [("SG701", RUST, "DialogueStore.get_adr")],
    ),
    (
        "blue",
        RUST,
        '.index_name("ByTime")',
        '.index_name("Inverted")',
        [("SG702", RUST, "DialogueReads.list_verdicts_since")],
    ),
    ("blue", RUST, 'format!("ADR#{number}")', 'format!("ADRS#{number}")', [("SG703", RUST, "DialogueStore.get_adr")]),
    (
        "blue",
        RUST,
        "async fn get_adr(&self, number: u32)",
        "async fn get_adr_v2(&self, number: u32)",
        [("SG704", "src/store/mod.rs", "DialogueStore.get_adr")],
    ),
    # Python: boto3's resource API.
    (
        "python",
        PYTHON,
        'self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk")',
        'self.table.scan(IndexName="GSI1", FilterExpression=Key("gsi1pk")',
        [("SG701", PYTHON, "DialogueReads.dialogues_by_status")],
    ),
    (
        "python",
        PYTHON,
        'IndexName="GSI1",\n',
        'IndexName="GSI2",\n',
        [("SG702", PYTHON, "DialogueReads.stream_open_tensions")],
    ),
    (
        "python",
        PYTHON,
        '{"pk": f"DIALOGUE#{dialogue_id}", "sk": "META"}',
        '{"pk": f"DIALOG#{dialogue_id}", "sk": "META"}',
        [("SG703", PYTHON, "DialogueReads.get_dialogue")],
    ),
    (
        "python",
        PYTHON,
        "async def resolve_tension(",
        "async def resolve(",
        [("SG704", "dialogue/store.py", "DialogueStore.resolve_tension")],
    ),
    # TypeScript: lib-dynamodb commands.
    (
        "typescript",
        TYPESCRIPT,
        "new GetCommand(",
        "new ScanCommand(",
        [("SG701", TYPESCRIPT, "DialogueReads.getDialogue")],
    ),
    (
        "typescript",
        TYPESCRIPT,
        'IndexName: "GSI1"',
        'IndexName: "ByTime"',
        [("SG702", TYPESCRIPT, "DialogueReads.dialoguesByStatus")],
    ),
    ("typescript", TYPESCRIPT, '":sk": "ROUND#"', '":sk": "RND#"', [("SG703", TYPESCRIPT, "DialogueReads.listRounds")]),
    (
        "typescript",
        TYPESCRIPT,
        "async archiveDialogue(",
        "async archive(",
        [("SG704", "src/admin.ts", "DialogueStore.archiveDialogue")],
    ),
]


@pytest.mark.parametrize(
    ("example", "file", "before", "after", "expected"), WRONG, ids=[f"{w[0]}-{w[4][0][0]}" for w in WRONG]
)
def test_a_wrong_copy_of_each_examples_backend_fires_the_rule(
    tmp_path: Path, example: str, file: str, before: str, after: str, expected: list[tuple[str, str, str]]
) -> None:
    copy = tmp_path / example
    shutil.copytree(EXAMPLES / example, copy, ignore=shutil.ignore_patterns("target", "node_modules"))
    text = (copy / file).read_text(encoding="utf-8")
    assert text.count(before) == 1, f"{before!r} is no longer once in {file}"
    (copy / file).write_text(text.replace(before, after), encoding="utf-8")
    assert findings_of(copy) == expected


# -- the messages ---------------------------------------------------------------------------

PY_TABLE = """
[table]
name = "t"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.GSI1]
partition_key = { name = "gsi1pk", type = "S" }

[entity.Product]
pk = "PRO#{product_id}"
sk = "META"
gsi1pk = "CATEGORY#{category}"
"""
PY_STORE = """
from typing import Protocol

class DialogueStore(Protocol):
    def get_product(self, product_id: str) -> dict: ...
    def by_category(self, category: str, cursor: str | None) -> list: ...
"""
PY_ACCESS = """
[access.DialogueStore.get_product]
op = "GetItem"
entity = "Product"
key = { pk = "PRO#{product_id}", sk = "META" }

[access.DialogueStore.by_category]
op = "Query"
index = "GSI1"
entity = "Product"
key = { gsi1pk = "CATEGORY#{category}" }
page = "cursor"
"""
BACKEND = '\n[boundaries.backends.dynamodb]\nallow = ["src/backend/**"]\n'


def python_gate(gate: Gate, backend: str) -> None:
    gate.manifest(PY_ACCESS, BACKEND, table=PY_TABLE, paths='["src/**/*.py"]')
    gate.write("src/store.py", PY_STORE)
    gate.write("src/backend/dynamo.py", backend)


def test_sg703_names_the_prefix_written_and_the_declared_ones(gate: Gate) -> None:
    """The case that started it: `PRO#` in the design, `PROD#` in the code."""
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PROD#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
        """,
    )
    found = gate.only("SG703")
    assert (found.path, found.line, found.column) == ("src/backend/dynamo.py", 3, 47)
    assert found.message == (
        'DialogueStore.get_product: the key literal "PROD#" fits none of the declared templates\' prefixes '
        '("CATEGORY#", "META", "PRO#"); spell the key as the manifest\'s entity templates do, or correct the manifest'
    )


def test_sg701_a_scan_behind_a_declared_query(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.client.scan(TableName="t", IndexName="GSI1")
        """,
    )
    found = gate.only("SG701")
    assert (found.line, found.message) == (
        6,
        "DialogueStore.by_category: the implementation issues Scan but the declaration says Query; issue Query as "
        "declared, or correct the declaration",
    )


def test_sg701_in_a_utf16_backend_file(gate: Gate) -> None:
    """The backend file is tested for the governed names in its text, not its bytes."""
    python_gate(gate, "")
    backend = (
        "class Dynamo(DialogueStore):\n"
        "    def get_product(self, product_id):\n"
        '        return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})\n\n'
        "    def by_category(self, category, cursor):\n"
        '        return self.client.scan(TableName="t", IndexName="GSI1")\n'
    )
    (gate.root / "src" / "backend" / "dynamo.py").write_bytes(backend.encode("utf-16"))
    assert [(f.code, f.path, f.line) for f in gate.findings()] == [("SG701", "src/backend/dynamo.py", 6)]


def test_sg702_an_index_the_table_lacks(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.table.query(IndexName="ByCategory", KeyConditionExpression=Key("gsi1pk").eq(category))
        """,
    )
    assert gate.only("SG702").message == (
        'DialogueStore.by_category: this Query reads index "ByCategory", an index the table does not have (its '
        "indexes: GSI1), but the declaration reads GSI1; read the declared index, or correct the declaration"
    )


def test_sg702_a_query_of_the_table_where_an_index_is_declared(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.table.query(KeyConditionExpression=Key("gsi1pk").eq(category))
        """,
    )
    assert gate.only("SG702").message == (
        'DialogueStore.by_category: this Query reads the table itself, but the declaration reads GSI1; pass IndexName "GSI1"'
    )


def test_helpers_in_the_backend_module_are_followed_one_level_and_no_further(gate: Gate) -> None:
    python_gate(
        gate,
        """
        def _get(table, pk):
            return table.get_item(Key={"pk": pk, "sk": "META"})

        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return _get(self.table, f"PRO#{product_id}")

            def by_category(self, category, cursor):
                return self._page(category)

            def _page(self, category):
                return self._query(category)

            def _query(self, category):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(category))
        """,
    )
    found = gate.only("SG704")
    assert (found.path, found.method) == ("src/store.py", "by_category")
    assert found.message.startswith("DialogueStore.by_category: no DynamoDB call found in its implementation")


def test_sg704_dynamic_dispatch_is_named(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return getattr(self.table, "query")(IndexName="GSI1")
        """,
    )
    found = gate.only("SG704")
    assert (found.line, found.message) == (
        6,
        'DialogueStore.by_category: the gate cannot read a dynamic dispatch (getattr(self.table, "query")); write the '
        "call with the SDK's own methods and literal names in the backend module, so that it can be compared with the "
        "declaration",
    )


def test_sg704_an_index_name_that_is_not_a_literal(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.table.query(IndexName=self.index, KeyConditionExpression=Key("gsi1pk").eq(category))
        """,
    )
    assert gate.only("SG704").message == (
        "DialogueStore.by_category: the gate cannot read the index of this Query: IndexName=self.index is not a string "
        "literal; write IndexName as a literal in the call"
    )


def test_sg704_backend_modules_that_match_no_file(gate: Gate) -> None:
    gate.manifest(PY_ACCESS, BACKEND, table=PY_TABLE, paths='["src/**/*.py"]')
    gate.write("src/store.py", PY_STORE)
    found = gate.findings()
    assert [(f.code, f.method) for f in found] == [("SG704", "get_product"), ("SG704", "by_category")]
    assert found[0].message == (
        'DialogueStore.get_product has no implementation in the dynamodb backend modules ("src/backend/**"): no '
        "implementation of DialogueStore there (they match no source file); the gate cannot compare its code with the "
        "declaration - implement it there, or add its module to allow"
    )


def test_a_protocol_implemented_structurally_is_found(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo:
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.table.scan()
        """,
    )
    assert gate.only("SG701").method == "by_category"


def test_pynamodb_index_classes_name_their_index(gate: Gate) -> None:
    python_gate(
        gate,
        """
        from pynamodb.indexes import GlobalSecondaryIndex
        from pynamodb.models import Model

        class ByStatus(GlobalSecondaryIndex):
            class Meta:
                index_name = "ByStatus"

        class ProductModel(Model):
            by_status = ByStatus()

        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return ProductModel.get(f"PRO#{product_id}", "META")

            def by_category(self, category, cursor):
                return ProductModel.by_status.query(f"CATEGORY#{category}")
        """,
    )
    assert gate.only("SG702").message.startswith(
        'DialogueStore.by_category: this Query reads index "ByStatus", an index'
    )


# -- forms beyond one operation --------------------------------------------------------------

RUST_TRAIT = """
pub trait DialogueStore {
    async fn end_rounds(&self, dialogue_id: &str) -> Result<()>;
    fn name(&self) -> &str;
}
"""
RUST_ACCESS = """
[access.DialogueStore.end_rounds]
steps = [
  { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }, limit = 25 },
  { op = "BatchWriteItem", items = [{ op = "DeleteItem", entity = "Round", key = { pk = "{item.pk}", sk = "{item.sk}" } }] },
]

[access.DialogueStore.name]
op = "none"
reason = "returns the store's name"
"""


def test_rust_steps_must_each_be_issued_and_op_none_issues_none(gate: Gate) -> None:
    gate.manifest(RUST_ACCESS, BACKEND)
    gate.write("src/store.rs", RUST_TRAIT)
    gate.write(
        "src/backend/dynamo.rs",
        """
        impl DialogueStore for Dynamo {
            async fn end_rounds(&self, dialogue_id: &str) -> Result<()> {
                let found = self.client.query().table_name(&self.table)
                    .expression_attribute_values(":pk", AttributeValue::S(format!("DIALOGUE#{}", dialogue_id)))
                    .send().await?;
                Ok(())
            }

            fn name(&self) -> &str {
                let _ = self.client.scan().table_name(&self.table).send();
                "dynamo"
            }
        }
        """,
    )
    found = [(f.code, f.line, f.message) for f in gate.findings()]
    assert found == [
        (
            "SG701",
            3,
            "DialogueStore.end_rounds: the implementation does not issue step 2's BatchWriteItem (it issues Query); "
            "issue it, or correct the declaration",
        ),
        (
            "SG701",
            10,
            "DialogueStore.name: the implementation issues Scan but the declaration says no DynamoDB operation; issue "
            "no DynamoDB operation as declared, or correct the declaration",
        ),
    ]


def test_rust_iterator_scan_is_not_a_dynamodb_scan_the_sdks_is(gate: Gate) -> None:
    gate.manifest(RUST_ACCESS, BACKEND)
    gate.write("src/store.rs", RUST_TRAIT)
    gate.write(
        "src/backend/dynamo.rs",
        """
        impl DialogueStore for Dynamo {
            async fn end_rounds(&self, dialogue_id: &str) -> Result<()> {
                let found = self.client.query().send().await?;
                let _ = (0..3).scan(0, |acc, x| Some(*acc + x));
                self.client.batch_write_item().send().await?;
                Ok(())
            }

            fn name(&self) -> &str {
                let _ = self.client.scan().send();
                "dynamo"
            }
        }
        """,
    )
    assert (gate.only("SG701").method, gate.only("SG701").line) == ("name", 10)


# -- TypeScript forms ----------------------------------------------------------------------

TS_STORE = """
export interface DialogueStore {
  getRound(dialogueId: string, round: number): Promise<unknown>;
  listRounds(dialogueId: string): Promise<unknown[]>;
}
"""
TS_ACCESS = """
[access.DialogueStore.getRound]
op = "GetItem"
entity = "Round"
key = { pk = "DIALOGUE#{dialogueId}", sk = "ROUND#{round}" }

[access.DialogueStore.listRounds]
op = "Query"
index = "ByTime"
entity = "Round"
key = { pk = "DIALOGUE#{dialogueId}", lsi1sk = { begins_with = "AT#" } }
limit = 50
"""


def test_typescript_document_client_v2_methods_are_read(gate: Gate) -> None:
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    gate.write(
        "src/backend/dynamo.ts",
        """
        export class Dynamo implements DialogueStore {
          async getRound(dialogueId: string, round: number) {
            return this.doc.get({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }).promise();
          }
          async listRounds(dialogueId: string) {
            return this.doc.scan({ TableName: "t", IndexName: "ByTime" }).promise();
          }
        }
        """,
    )
    found = gate.only("SG701")
    assert (found.line, found.method) == (6, "listRounds")


def test_typescript_a_request_built_elsewhere_is_named(gate: Gate) -> None:
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    gate.write(
        "src/backend/dynamo.ts",
        """
        export class Dynamo implements DialogueStore {
          async getRound(dialogueId: string, round: number) {
            return this.client.send(new GetCommand({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
          }
          async listRounds(dialogueId: string) {
            return this.client.send(new QueryCommand(this.request(dialogueId)));
          }
        }
        """,
    )
    assert gate.only("SG704").message == (
        "DialogueStore.listRounds: the gate cannot read the index of this Query: its request is "
        "this.request(dialogueId), not an object literal; write IndexName as a literal in the call"
    )


def test_typescript_a_spread_that_may_set_the_index_is_named(gate: Gate) -> None:
    """`{ ...base, IndexName: "ByTime" }` reads ByTime; `{ IndexName: "ByTime", ...base }` may read any index."""
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    backend = """
        export class Dynamo implements DialogueStore {
          async getRound(dialogueId: string, round: number) {
            return this.client.send(new GetCommand({ ...this.base, Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
          }
          async listRounds(dialogueId: string) {
            return this.client.send(new QueryCommand(REQUEST));
          }
        }
        """
    gate.write("src/backend/dynamo.ts", backend.replace("REQUEST", '{ ...this.base, IndexName: "ByTime" }'))
    assert gate.findings() == []
    gate.write("src/backend/dynamo.ts", backend.replace("REQUEST", '{ IndexName: "ByTime", ...this.base }'))
    assert gate.only("SG704").message == (
        "DialogueStore.listRounds: the gate cannot read the index of this Query: its request spreads ...this.base; "
        "write IndexName as a literal in the call"
    )


def test_a_backend_file_that_does_not_parse_is_sg002(gate: Gate) -> None:
    """A call hidden in a syntax error must not pass as absent."""
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))

        def broken(:
            pass
        """,
    )
    found = gate.only("SG002")
    assert (found.path, found.line) == ("src/backend/dynamo.py", 8)
    assert found.message.endswith("the gate cannot see the DynamoDB calls it may hide - fix the syntax")


def test_a_helper_called_twice_is_read_once_per_method(gate: Gate) -> None:
    """Each helper's body is read once per file and added once per method: a backend whose methods
    call the same helpers many times costs the file's size, not its size times the call sites."""
    gate.manifest(RUST_ACCESS, BACKEND)
    gate.write("src/store.rs", RUST_TRAIT)
    gate.write(
        "src/backend/dynamo.rs",
        """
        impl Dynamo {
            fn everything(&self) {
                let _ = self.client.scan().send();
            }
        }

        impl DialogueStore for Dynamo {
            async fn end_rounds(&self, dialogue_id: &str) -> Result<()> {
                self.client.query().send().await?;
                self.client.batch_write_item().send().await?;
                Ok(())
            }

            fn name(&self) -> &str {
                self.everything();
                self.everything();
                Self::everything(self);
                "dynamo"
            }
        }
        """,
    )
    found = gate.only("SG701")
    assert (found.method, found.line) == ("name", 3)
    from ast_grep_py import SgRoot

    from store_gate.extract.backend import read

    root = SgRoot((gate.root / "src/backend/dynamo.rs").read_text(), "rust").root()
    (impl,) = read(
        "src/backend/dynamo.rs", root, "rust", frozenset({"DialogueStore"}), frozenset({"end_rounds", "name"})
    )
    assert [call.op for call in impl.methods["name"].calls] == ["Scan"]


def test_typescript_an_object_literal_typed_as_the_interface_is_an_implementation(gate: Gate) -> None:
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    gate.write(
        "src/backend/dynamo.ts",
        """
        export const store: DialogueStore = {
          async getRound(dialogueId: string, round: number) {
            return client.send(new GetCommand({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
          },
          listRounds: async (dialogueId: string) => client.send(new ScanCommand({ TableName: "t" })),
        };
        """,
    )
    found = gate.only("SG701")
    assert (found.line, found.method) == (5, "listRounds")


def test_an_index_named_by_a_module_constant_is_read_in_each_language(gate: Gate) -> None:
    """`const GSI: &str = "ByTime"`, `INDEX = "ByTime"`, `const INDEX = "ByTime"`: read as the
    literal they hold; a Python name bound twice is no constant (SG704)."""
    gate.manifest(TS_ACCESS, BACKEND, paths='["src/**/*.ts"]')
    gate.write("src/store.ts", TS_STORE)
    gate.write(
        "src/backend/dynamo.ts",
        """
        const INDEX = "GSI1";

        export class Dynamo implements DialogueStore {
          async getRound(dialogueId: string, round: number) {
            return this.client.send(new GetCommand({ TableName: "t", Key: { pk: `DIALOGUE#${dialogueId}`, sk: `ROUND#${round}` } }));
          }
          async listRounds(dialogueId: string) {
            return this.client.send(new QueryCommand({ TableName: "t", IndexName: INDEX }));
          }
        }
        """,
    )
    assert gate.only("SG702").message.startswith('DialogueStore.listRounds: this Query reads index "GSI1", but')

    gate.manifest(RUST_ACCESS, BACKEND)
    gate.write("src/store.rs", RUST_TRAIT)
    gate.write(
        "src/backend/dynamo.rs",
        """
        const BY_TIME: &str = "ByTime";

        impl DialogueStore for Dynamo {
            async fn end_rounds(&self, dialogue_id: &str) -> Result<()> {
                self.client.query().index_name(BY_TIME).send().await?;
                self.client.batch_write_item().send().await?;
                Ok(())
            }

            fn name(&self) -> &str {
                "dynamo"
            }
        }
        """,
    )
    assert gate.only("SG702").message.startswith(
        'DialogueStore.end_rounds: this Query reads index "ByTime", but the declaration reads the table'
    )

    python_gate(
        gate,
        """
        INDEX = "GSI1"
        OTHER = "GSI1"
        OTHER = "ByCategory"

        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                self.table.query(IndexName=INDEX, KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
                return self.table.query(IndexName=OTHER, KeyConditionExpression=Key("gsi1pk").eq(f"CATEGORY#{category}"))
        """,
    )
    assert gate.only("SG704").message.startswith(
        "DialogueStore.by_category: the gate cannot read the index of this Query: IndexName=OTHER is not a string literal"
    )


def test_a_partiql_statement_is_an_operation_to_compare(gate: Gate) -> None:
    python_gate(
        gate,
        """
        class Dynamo(DialogueStore):
            def get_product(self, product_id):
                return self.table.get_item(Key={"pk": f"PRO#{product_id}", "sk": "META"})

            def by_category(self, category, cursor):
                return self.client.execute_statement(Statement='SELECT * FROM "t"."GSI1" WHERE gsi1pk = ?')
        """,
    )
    assert gate.only("SG701").message.startswith(
        "DialogueStore.by_category: the implementation issues ExecuteStatement but the declaration says Query"
    )


def test_backend_files_read_in_child_processes_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large backend is parsed in child processes too: what each file's reader finds (a call to
    another index, SG702) and what it cannot read (a syntax error, SG002) come back the same."""
    import sys

    from store_gate import parallel

    if not sys.platform.startswith("linux"):
        pytest.skip("the work is shared only on Linux (fork)")
    root = tmp_path / "blue"
    shutil.copytree(EXAMPLES / "blue", root)
    manifest = root / "store-gate.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            'allow = ["src/backend/dynamodb.rs"]', 'allow = ["src/backend/d*.rs"]'
        ),
        encoding="utf-8",
    )
    backend = root / RUST
    backend.write_text(
        backend.read_text(encoding="utf-8").replace('.index_name("ByTime")', '.index_name("Inverted")'),
        encoding="utf-8",
    )
    (root / "src/backend/dynamodb_extra.rs").write_text(
        "impl DialogueStore for Extra {\n    async fn get_adr(&self) { let x = ; }\n}\n", encoding="utf-8"
    )
    monkeypatch.setenv("STORE_GATE_JOBS", "1")
    alone = findings_of(root)
    assert alone == [
        ("SG702", RUST, "DialogueReads.list_verdicts_since"),
        ("SG002", "src/backend/dynamodb_extra.rs", "None.None"),
        ("SG704", "src/store/mod.rs", "DialogueStore.get_adr"),
    ]
    monkeypatch.setenv("STORE_GATE_JOBS", "2")
    monkeypatch.setattr(parallel, "THRESHOLD", 0)
    monkeypatch.setattr(parallel, "MIN_AVERAGE", 0)
    shared: list[list[object]] = []
    real_map = parallel.map_files

    def mapping(items, work, weights, scan=False):  # type: ignore[no-untyped-def]
        if parallel.worth_sharing(weights, scan):
            shared.append(list(items))
        return real_map(items, work, weights, scan)

    monkeypatch.setattr(parallel, "map_files", mapping)
    assert findings_of(root) == alone
    assert [RUST, "src/backend/dynamodb_extra.rs"] in shared, "the backend files were shared"
