"""Generate a project with one trait of N methods and N declarations (for bench/bench.py)."""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """version = 1

[[store]]
trait = "BigStore"
paths = ["src/**/*.rs"]

[table]
name = "big"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.GSI1]
partition_key = { name = "gsi1pk", type = "S" }
sort_key = { name = "gsi1sk", type = "S" }

[entity.Item]
pk = "ITEM#{item_id}"
sk = "VERSION#{version}"
gsi1pk = "OWNER#{owner}"
gsi1sk = "ITEM#{item_id}"
"""

# Three method shapes, so that every rule family has work to do.
METHODS = [
    (
        "    /// Fetch one version.\n    async fn get_item_{i}(&self, item_id: &ItemId, version: u32) -> Result<Option<Item>>;\n",
        'op = "GetItem"\nentity = "Item"\nkey = {{ pk = "ITEM#{{item_id}}", sk = "VERSION#{{version}}" }}\n',
    ),
    (
        "    async fn list_items_{i}(&self, owner: &OwnerId, cursor: Option<Cursor>) -> Result<Vec<Item>>;\n",
        'op = "Query"\nindex = "GSI1"\nentity = "Item"\nkey = {{ gsi1pk = "OWNER#{{owner}}", gsi1sk = {{ begins_with = "ITEM#" }} }}\npage = "cursor"\n',
    ),
    (
        "    fn put_item_{i}(&self, item: &Item) -> Result<()>;\n",
        'op = "PutItem"\nentity = "Item"\nkey = {{ pk = "ITEM#{{item.item_id}}", sk = "VERSION#{{item.version}}" }}\n',
    ),
]


def generate(root: Path, n: int) -> None:
    (root / "src").mkdir(parents=True, exist_ok=True)
    source = ["pub trait BigStore: Send + Sync {\n"]
    manifest = [HEADER]
    for i in range(n):
        method, access = METHODS[i % len(METHODS)]
        source.append(method.format(i=i))
        name = method.split("fn ")[1].split("(")[0].format(i=i)
        manifest.append(f"\n[access.BigStore.{name}]\n" + access.format())
    source.append("}\n")
    (root / "src" / "store.rs").write_text("".join(source))
    (root / "store-gate.toml").write_text("".join(manifest))


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
