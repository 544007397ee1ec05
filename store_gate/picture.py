"""The picture of a single-table design (`store-gate report`): the access-pattern matrix, the
entity chart (entities x key attributes, like NoSQL Workbench's facets view), the item
collections of each partition-key shape, the denormalised copies and who maintains them, and
the findings of the run.

`build` computes a `Picture` from a checked project (plain, sorted data); `render_markdown` and
`render_html` are pure functions of it. The HTML is one self-contained file: inline CSS and SVG,
no script, a Content-Security-Policy that forbids every fetch, every text escaped. The same
input gives the same bytes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store_gate.check import CheckResult
    from store_gate.config.model import AccessPattern
    from store_gate.keytemplate import KeyTemplate
    from store_gate.project import Project
    from store_gate.schema.table import IndexSchema

BLANK = "\u2014"  # an em dash: what a cell shows when there is nothing to show
SLOT = "{\u2026}"  # a placeholder in a key shape: DIALOGUE#{…}


@dataclass(frozen=True)
class MatrixRow:
    method: str  # Trait.method
    op: str
    index: str
    key: str
    entity: str
    cost: str


@dataclass(frozen=True)
class EntityChart:
    table: str
    attributes: tuple[str, ...]  # the columns: the table's key attributes, then the entities' others
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # entity, its template per column ("" where none)


@dataclass(frozen=True)
class Collection:
    table: str
    index: str  # "table", or the index's name
    key: str  # the partition key attribute(s)
    shape: str  # the partition key's shape: DIALOGUE#{…}
    items: tuple[tuple[str, str], ...]  # (entity, sort key template), in sort-key order


@dataclass(frozen=True)
class CopyRow:
    copy: str  # Entity.copy
    source: str  # Entity.attribute
    via: str
    maintained_by: tuple[str, ...]


@dataclass(frozen=True)
class FindingRow:
    location: str
    code: str
    severity: str
    message: str


@dataclass(frozen=True)
class Picture:
    manifest: str
    matrix: tuple[MatrixRow, ...]
    charts: tuple[EntityChart, ...]
    collections: tuple[Collection, ...]
    copies: tuple[CopyRow, ...]
    findings: tuple[FindingRow, ...]


# -- computing -------------------------------------------------------------------------------


def method_costs(project: Project) -> dict[str, str]:
    """The cost column: read and write units per call as `store-gate cost` computes them
    (store_gate/capacity.py), with "?" where the volumes do not give a figure."""
    from store_gate.capacity import method_costs as computed

    cells = {}
    for entry in computed(project):
        cost = entry.cost
        if cost.unknown:
            cells[entry.name] = "?"
            continue
        parts = [f"{_units(cost.rcu)} RCU"] if cost.rcu else []
        parts += [f"{_units(cost.wcu)} WCU"] if cost.wcu else []
        cells[entry.name] = " + ".join(parts) or "0"
    return cells


def _units(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def build(result: CheckResult) -> Picture:
    project = result.project
    findings = tuple(
        FindingRow(f"{result.display_path(f.path)}:{f.line}:{f.column}", f.code, f.severity, f.message)
        for f in result.findings
    )
    return Picture(
        project.manifest_path,
        _matrix(project),
        _charts(project),
        _collections(project),
        _copies(project),
        findings,
    )


def _matrix(project: Project) -> tuple[MatrixRow, ...]:
    rows = []
    costs = method_costs(project)
    for method in sorted(project.methods, key=lambda m: (m.trait, m.name)):
        declaration = project.declaration(method)
        if declaration is None:
            rows.append(MatrixRow(method.qualified_name, "undeclared", BLANK, BLANK, BLANK, BLANK))
            continue
        op, index, key, entity = _cells(declaration.pattern)
        cost = costs.get(f"{method.trait}.{method.name}", BLANK)
        rows.append(MatrixRow(method.qualified_name, op, index, key, entity, cost))
    return tuple(rows)


def _cells(pattern: AccessPattern) -> tuple[str, str, str, str]:
    """The op, index, key and entity cells of one method's pattern; an operation of a larger
    form is labelled with where it sits (step 1, alternative 2, item 3)."""
    if pattern.form == "delegates":
        return f"delegates to {', '.join(pattern.delegates)}", BLANK, BLANK, BLANK
    if pattern.form == "expiry":
        return "TTL expiry", BLANK, BLANK, pattern.entity or BLANK
    ops, indexes, keys, entities = [], [], [], []
    for label, leaf in pattern.operations():
        prefix = f"{label}: " if label else ""
        op = leaf.op or BLANK
        ops.append(prefix + (f"{op} ({leaf.reason})" if op == "none" and leaf.reason else op))
        if leaf.key or leaf.index:
            indexes.append(prefix + (leaf.index or "table"))
        if leaf.key:
            keys.append(prefix + ", ".join(f"{name} = {condition.render()}" for name, condition in leaf.key.items()))
        if leaf.entity and leaf.entity not in entities:
            entities.append(leaf.entity)
    return "; ".join(ops) or BLANK, "; ".join(indexes) or BLANK, "; ".join(keys) or BLANK, ", ".join(entities) or BLANK


def _tables(project: Project) -> list[tuple[str | None, str]]:
    """Every table by its manifest name (None for [table]), with its label."""
    labelled = []
    for name, loaded in project.loaded.tables.items():
        shown = loaded.schema.name or name or "[table]"
        labelled.append((name, shown))
    return labelled


def _entities_of(project: Project, table: str | None) -> list[tuple[str, dict[str, KeyTemplate]]]:
    from store_gate.config.model import entity_table_of

    manifest = project.loaded.manifest
    return [
        (name, layout) for name, layout in sorted(project.entities.items()) if entity_table_of(manifest, name) == table
    ]


def _charts(project: Project) -> tuple[EntityChart, ...]:
    charts = []
    for name, shown in _tables(project):
        entities = _entities_of(project, name)
        if not entities:
            continue
        keys = list(project.loaded.tables[name].schema.attribute_types)
        others = sorted({a for _, layout in entities for a in layout} - set(keys))
        columns = tuple(keys + others)
        rows = tuple((e, tuple(layout[a].source if a in layout else "" for a in columns)) for e, layout in entities)
        charts.append(EntityChart(shown, columns, rows))
    return tuple(charts)


def _shape(templates: list[KeyTemplate]) -> str:
    return " + ".join("".join(p if isinstance(p, str) else SLOT for p in t.parts) for t in templates)


def _collections(project: Project) -> tuple[Collection, ...]:
    """Per table and index, per partition-key shape: the entities whose items share it (an entity
    appears in an index only where its layout gives that index's key attributes)."""
    found = []
    for name, shown in _tables(project):
        schema = project.loaded.tables[name].schema
        indexes: list[tuple[str, IndexSchema]] = [("table", schema.base)]
        indexes += [(index_name, index) for index_name, index in schema.indexes.items()]
        for index_name, index in indexes:
            groups: dict[str, list[tuple[str, str]]] = {}
            for entity, layout in _entities_of(project, name):
                if not all(a in layout for a in index.key_names):
                    continue
                shape = _shape([layout[a.name] for a in index.partition_keys])
                sort = " + ".join(layout[a.name].source for a in index.sort_keys) or BLANK
                groups.setdefault(shape, []).append((entity, sort))
            key = " + ".join(a.name for a in index.partition_keys)
            for shape, items in sorted(groups.items()):
                ordered = tuple(sorted(items, key=lambda item: (item[1], item[0])))
                found.append(Collection(shown, index_name, key, shape, ordered))
    return tuple(found)


def _copies(project: Project) -> tuple[CopyRow, ...]:
    """The manifest's `[entity.<Name>.copies]`, with the methods whose writes maintain each one
    (`maintains`) and the handlers that do (`stream`); none while the manifest declares none."""
    manifest: Any = project.loaded.manifest
    declared: dict[str, dict[str, Any]] = getattr(manifest, "entity_copies", None) or {}
    handlers: dict[str, Any] = getattr(manifest, "handler", None) or {}
    rows = []
    for entity, copies in sorted(declared.items()):
        for copy_name, copy in sorted(copies.items()):
            ref = f"{entity}.{copy_name}"
            by = []
            for method in sorted(project.methods, key=lambda m: (m.trait, m.name)):
                declaration = project.declaration(method)
                if declaration is None:
                    continue
                # `maintains` and `stream` sit on the method's pattern (a steps pattern is no operation)
                patterns = [declaration.pattern, *(leaf for _, leaf in declaration.pattern.operations())]
                for leaf in patterns:  # `by` is de-duplicated below
                    if ref in (getattr(leaf, "maintains", None) or ()):
                        by.append(method.qualified_name)
                    stream = getattr(leaf, "stream", None)
                    if stream and ref in (getattr(handlers.get(stream), "maintains", None) or ()):
                        by.append(f"{method.qualified_name} (stream {stream})")
            source, via = str(getattr(copy, "source", "")), str(getattr(copy, "via", ""))
            rows.append(CopyRow(ref, source, via, tuple(dict.fromkeys(by))))
    return tuple(rows)


# -- Markdown --------------------------------------------------------------------------------


def _md(text: str) -> str:
    """A table cell: markup and table syntax escaped, one line."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    for char in "\\|`*_[]":
        escaped = escaped.replace(char, "\\" + char)
    return escaped or " "


def _md_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(_md(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(pictures: list[Picture]) -> str:
    out: list[str] = []
    for picture in pictures:
        out += [f"# The picture: {_md(picture.manifest)}", ""]
        out += ["## Access patterns", ""]
        out += _md_table(
            ("method", "op", "index", "key", "entity", "cost"),
            [(r.method, r.op, r.index, r.key, r.entity, r.cost) for r in picture.matrix],
        )
        out += ["", "## Entities", ""]
        for chart in picture.charts:
            out += [f"### {_md(chart.table)}", ""]
            out += _md_table(("entity", *chart.attributes), [(e, *cells) for e, cells in chart.rows])
            out.append("")
        if not picture.charts:
            out += ["No entities declared.", ""]
        out += ["## Item collections", ""]
        for c in picture.collections:
            out.append(f"- {_md(c.table)} / {_md(c.index)}: {_md(c.key)} = {_md(c.shape)}")
            out += [f"  - {_md(sort)}: {_md(entity)}" for entity, sort in c.items]
        if not picture.collections:
            out.append("No item collections: no entity layouts declared.")
        out += ["", "## Copies", ""]
        if picture.copies:
            out += _md_table(
                ("copy", "from", "via", "maintained by"),
                [(c.copy, c.source, c.via, ", ".join(c.maintained_by) or "nobody") for c in picture.copies],
            )
        else:
            out.append("No copies declared.")
        out += ["", "## Findings", ""]
        if picture.findings:
            out += _md_table(
                ("location", "code", "severity", "message"),
                [(f.location, f.code, f.severity, f.message) for f in picture.findings],
            )
        else:
            out.append("No findings.")
        out.append("")
    return "\n".join(out)


# -- HTML ------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1b1f24;background:#fff}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.k,code{font-family:ui-monospace,monospace;font-size:.92em}
td.empty{background:#fafafa}.error{color:#b42318}.warning{color:#9a6700}
figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}
"""

_ROW_HEIGHT = 24
_SVG_WIDTH = 640
_CHAR = 8  # px per character of 13 px text, generously


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(
    head: tuple[str, ...], rows: list[tuple[str, ...]], table_class: str, row_class: str, mono: frozenset[int]
) -> list[str]:
    header = "".join(f"<th>{_h(h)}</th>" for h in head)
    lines = [f'<table class="{table_class}">', f"<thead><tr>{header}</tr></thead>"]
    lines.append("<tbody>")
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            classes = [c for c in ("k" if i in mono else "", "empty" if not cell else "") if c]
            attribute = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attribute}>{_h(cell)}</td>")
        lines.append(f'<tr class="{row_class}">' + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def _svg(collection: Collection) -> str:
    """One item collection: the partition key on top, its items below in sort-key order; as
    wide as its longest text (about 8 px a character at 13 px), at least 640 px."""
    header = f"{collection.key} = {collection.shape}"
    column = max(200, 24 + _CHAR * max((len(entity) for entity, _ in collection.items), default=0))
    width = max(
        _SVG_WIDTH,
        24 + _CHAR * len(header),
        column + 24 + _CHAR * max((len(sort) for _, sort in collection.items), default=0),
    )
    height = _ROW_HEIGHT * (len(collection.items) + 1) + 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="collection" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_h(collection.shape)}">',
        f'<rect x="1" y="1" width="{width - 2}" height="{_ROW_HEIGHT}" fill="#ddf4ff" stroke="#54aeff"/>',
        f'<text x="8" y="{_ROW_HEIGHT - 7}" font-family="monospace" font-size="13">{_h(header)}</text>',
    ]
    for i, (entity, sort) in enumerate(collection.items, 1):
        y, baseline = 1 + _ROW_HEIGHT * i, _ROW_HEIGHT * (i + 1) - 6
        parts += [
            f'<rect x="1" y="{y}" width="{width - 2}" height="{_ROW_HEIGHT}" fill="#ffffff" stroke="#d0d7de"/>',
            f'<line x1="{column}" y1="{y}" x2="{column}" y2="{y + _ROW_HEIGHT}" stroke="#d0d7de"/>',
            f'<text x="8" y="{baseline}" font-family="sans-serif" font-size="13">{_h(entity)}</text>',
            f'<text x="{column + 8}" y="{baseline}" font-family="monospace" font-size="13">{_h(sort)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def render_html(pictures: list[Picture]) -> str:
    title = "store-gate report" + (f": {pictures[0].manifest}" if len(pictures) == 1 else "")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_h(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]
    for picture in pictures:
        out += ['<section class="picture">', f"<h1>The picture: <code>{_h(picture.manifest)}</code></h1>"]
        out.append("<h2>Access patterns</h2>")
        out += _html_table(
            ("method", "op", "index", "key", "entity", "cost"),
            [(r.method, r.op, r.index, r.key, r.entity, r.cost) for r in picture.matrix],
            "access-patterns",
            "method",
            frozenset({0, 3}),
        )
        out.append("<h2>Entities</h2>")
        for chart in picture.charts:
            out.append(f"<h3>{_h(chart.table)}</h3>")
            out += _html_table(
                ("entity", *chart.attributes),
                [(e, *cells) for e, cells in chart.rows],
                "entities",
                "entity",
                frozenset(range(1, len(chart.attributes) + 1)),
            )
        if not picture.charts:
            out.append("<p>No entities declared.</p>")
        out.append("<h2>Item collections</h2>")
        for c in picture.collections:
            out += [
                '<figure class="item-collection">',
                f"<figcaption>{_h(c.table)} / {_h(c.index)}: <code>{_h(c.key)} = {_h(c.shape)}</code></figcaption>",
                _svg(c),
                "</figure>",
            ]
        if not picture.collections:
            out.append("<p>No item collections: no entity layouts declared.</p>")
        out.append("<h2>Copies</h2>")
        if picture.copies:
            out += _html_table(
                ("copy", "from", "via", "maintained by"),
                [(c.copy, c.source, c.via, ", ".join(c.maintained_by) or "nobody") for c in picture.copies],
                "copies",
                "copy",
                frozenset({0, 1, 2}),
            )
        else:
            out.append('<p class="copies">No copies declared.</p>')
        out.append("<h2>Findings</h2>")
        if picture.findings:
            out += _html_table(
                ("location", "code", "severity", "message"),
                [(f.location, f.code, f.severity, f.message) for f in picture.findings],
                "findings",
                "finding",
                frozenset({0}),
            )
        else:
            out.append('<p class="findings">No findings.</p>')
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


RENDERERS = {"markdown": render_markdown, "html": render_html}
