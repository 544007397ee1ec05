"""`store-gate table`: the table the gate believes, where it was read from, and what could not
be resolved - as text or JSON."""

from __future__ import annotations

import json
from typing import Any

from store_gate.keytemplate import KeyTemplate
from store_gate.schema.importers import ImportedTable
from store_gate.schema.table import IndexSchema, TableSchema


def _keys(index: IndexSchema) -> str:
    return f"{index.partition_key}" + (f" / {index.sort_key}" if index.sort_key else "")


def render_text(
    table: TableSchema, origin: str, imported: ImportedTable | None, entities: dict[str, dict[str, KeyTemplate]]
) -> str:
    if table.name:
        name = f'"{table.name}"'
    elif imported is not None and any(
        "name is not static" in n or "TableName is not static" in n for n in imported.notes
    ):
        name = "(name not static)"
    else:
        name = "(no name given)" if imported is None else "(no TableName / name in the file)"
    lines = [f"table {name}, {origin}"]
    lines.append(f"  partition key  {table.base.partition_key}")
    lines.append(f"  sort key       {table.base.sort_key or '(none)'}")
    for index in table.indexes.values():
        lines.append(f"  {index.kind.upper()} {index.name}: {_keys(index)}, projection {index.projection}")
    if entities:
        source = f" (imported from the {imported.kind})" if imported and imported.entities else ""
        lines.append("  entities:" + source)
        for entity, layout in sorted(entities.items()):
            lines.append(f"    {entity}: " + ", ".join(f'{attr} = "{t.source}"' for attr, t in layout.items()))
    if imported is not None and imported.notes:
        lines.append("  notes:")
        lines.extend(f"    - {note}" for note in imported.notes)
    return "\n".join(lines) + "\n"


def render_json(
    table: TableSchema, origin: str, imported: ImportedTable | None, entities: dict[str, dict[str, KeyTemplate]]
) -> str:
    def index(i: IndexSchema) -> dict[str, Any]:
        return {
            "name": i.name,
            "kind": i.kind,
            "partition_key": {"name": i.partition_key.name, "type": i.partition_key.type},
            "sort_key": {"name": i.sort_key.name, "type": i.sort_key.type} if i.sort_key else None,
            "projection": {"type": i.projection.kind, "include": list(i.projection.include)},
        }

    document = {
        "schema_version": 1,
        "origin": origin,
        "source": imported.source if imported else None,
        "resource": imported.resource if imported else None,
        "kind": imported.kind if imported else "store-gate manifest",
        "name": table.name,
        "table": index(table.base),
        "indexes": [index(i) for i in table.indexes.values()],
        "entities": {e: {a: t.source for a, t in layout.items()} for e, layout in sorted(entities.items())},
        "notes": imported.notes if imported else [],
    }
    return json.dumps(document, indent=2) + "\n"
