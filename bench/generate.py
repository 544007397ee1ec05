"""Generate the projects bench/bench.py measures.

- `generate(root, n)`: one trait of N methods and N declarations;
- `generate_many_files(root, files, per_file)`: a root trait whose supertraits are spread one per
  file (10,000 methods over 1,000 files by default);
- `generate_many_stores(root, stores)`: as many `[[store]]` entries, one trait per file.

Usage:  python bench/generate.py DIR N
"""

from __future__ import annotations

import sys
from pathlib import Path

TABLE = """
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

HEADER = (
    """version = 1

[[store]]
trait = "BigStore"
paths = ["src/**/*.rs"]
"""
    + TABLE
)

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


def _method(trait: str, i: int) -> tuple[str, str]:
    """A method's source line(s) and its `[access.<trait>.<name>]` entry."""
    method, access = METHODS[i % len(METHODS)]
    name = method.split("fn ")[1].split("(")[0].format(i=i)
    return method.format(i=i), f"\n[access.{trait}.{name}]\n" + access.format()


def generate(root: Path, n: int) -> None:
    (root / "src").mkdir(parents=True, exist_ok=True)
    source = ["pub trait BigStore: Send + Sync {\n"]
    manifest = [HEADER]
    for i in range(n):
        method, access = _method("BigStore", i)
        source.append(method)
        manifest.append(access)
    source.append("}\n")
    (root / "src" / "store.rs").write_text("".join(source))
    (root / "store-gate.toml").write_text("".join(manifest))


def generate_many_files(root: Path, files: int = 1_000, per_file: int = 10) -> None:
    """`BigStore: Part0 + Part1 + ...`, each `PartN` in a file of its own with `per_file` methods."""
    parts = root / "src" / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    names = [f"Part{i}" for i in range(files)]
    (root / "src" / "store.rs").write_text(
        "use crate::parts::*;\n\npub trait BigStore: " + " + ".join(["Send", "Sync", *names]) + " {}\n"
    )
    manifest = [HEADER]
    for number, name in enumerate(names):
        source = [f"use crate::model::*;\n\n/// Part {number} of the store.\npub trait {name}: Send + Sync {{\n"]
        for i in range(per_file):
            method, access = _method(name, i)
            source.append(method)
            manifest.append(access)
        source.append("}\n")
        (parts / f"part{number}.rs").write_text("".join(source))
    (root / "store-gate.toml").write_text("".join(manifest))


def generate_many_stores(root: Path, stores: int = 1_000) -> None:
    """`stores` [[store]] entries, each governing a trait of three methods in a file of its own."""
    folder = root / "src" / "stores"
    folder.mkdir(parents=True, exist_ok=True)
    head = ["version = 1\n"]
    body = [TABLE]
    for number in range(stores):
        name = f"Store{number}"
        head.append(f'\n[[store]]\ntrait = "{name}"\npaths = ["src/**/*.rs"]\n')
        source = [f"use crate::model::*;\n\npub trait {name}: Send + Sync {{\n"]
        for i in range(len(METHODS)):
            method, access = _method(name, i)
            source.append(method)
            body.append(access)
        source.append("}\n")
        (folder / f"store{number}.rs").write_text("".join(source))
    (root / "store-gate.toml").write_text("".join(head + body))


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
