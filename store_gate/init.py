"""`store-gate init`: a starting manifest for a named trait, so that a team with forty legacy
methods starts in a minute - the table (read from infrastructure where given), the store, and one
commented TODO entry per method with the declaration the gate suggests for it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from store_gate.errors import UsageError

# The first of these found in the folder decides the default `paths` of the store.
_LANGUAGE_MARKERS = (
    ("Cargo.toml", ["src/**/*.rs"]),
    ("package.json", ["src/**/*.ts", "src/**/*.tsx"]),
    ("tsconfig.json", ["src/**/*.ts", "src/**/*.tsx"]),
    ("pyproject.toml", ["**/*.py"]),
    ("setup.py", ["**/*.py"]),
)


@dataclass(frozen=True)
class Plan:
    path: Path
    text: str
    methods: int


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def default_paths(folder: Path) -> list[str]:
    for marker, paths in _LANGUAGE_MARKERS:
        if (folder / marker).is_file():
            return paths
    raise UsageError(
        f"{folder}: cannot tell the language of the project (no Cargo.toml, package.json or pyproject.toml); "
        'pass --paths "src/**/*.rs"'
    )


def _table(source: str | None, resource: str | None, name: str | None) -> list[str]:
    if source is None:
        return [
            "[table]",
            '# TODO: your table\'s keys - or read them from infrastructure: from = "infra/template.yaml"',
            'partition_key = { name = "pk", type = "S" }',
            'sort_key = { name = "sk", type = "S" }',
        ]
    lines = ["[table]", f"from = {_quote(source)}"]
    if resource:
        lines.append(f"resource = {_quote(resource)}")
    if name:
        lines.append(f"name = {_quote(name)}")
    return lines


def plan(
    folder: Path, trait: str, paths: list[str] | None, source: str | None, resource: str | None, name: str | None
) -> Plan:
    """The manifest `init` would write in `folder`, built and checked against the sources there."""
    from store_gate.config import load
    from store_gate.display import one_line
    from store_gate.project import build
    from store_gate.rules.coverage import access_key
    from store_gate.rules.suggest import parameter_fields, suggest

    target = folder / "store-gate.toml"
    if target.exists():
        raise UsageError(f"{target} exists; init writes a new manifest only (edit the one you have)")
    globs = paths or default_paths(folder)
    head = [
        "# store-gate manifest, written by `store-gate init`: declare each method's access pattern",
        "# (store-gate explain SG101), then run `store-gate check`.",
        "version = 1",
        "",
        "[[store]]",
        f"trait = {_quote(trait)}",
        f"paths = [{', '.join(_quote(g) for g in globs)}]",
        "",
        *_table(source, resource, name),
        "",
    ]
    text = "\n".join(head) + "\n"
    target.write_text(text, encoding="utf-8")  # loaded and checked like any manifest
    try:
        loaded = load(target, use_cache=False)
        project = build(loaded)
    except BaseException:
        target.unlink()
        raise
    store = project.stores[0]
    if not store.found:
        target.unlink()
        raise UsageError(
            f"trait {trait} is defined in none of the {len(store.files)} files {', '.join(globs)} match; "
            "pass --paths with the globs of its files"
        )
    entries: list[str] = []
    undeclared = [m for m in project.methods if project.declaration(m) is None]
    fields = parameter_fields(project, undeclared)
    for method in undeclared:
        suggestion = suggest(method, project, fields)
        status = f"a skeleton to complete: {'; '.join(suggestion.gaps)}" if suggestion.gaps else "check the suggestion"
        entries += [
            f"# TODO {method.qualified_name} ({method.location}): {one_line(status, 1000)}, then uncomment",
            f"# {access_key(project, method.trait, method.name)}",
            *(f"# {line}" for line in suggestion.pattern.toml_lines()),
            "",
        ]
    if undeclared:
        text += "\n# -------------------------------------------------------------- access patterns\n" + "\n".join(
            entries
        )
    return Plan(target, text, len(undeclared))


def write(plan: Plan) -> None:
    plan.path.write_text(plan.text, encoding="utf-8")
