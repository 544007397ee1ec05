"""What changed since the base: methods added, changed (signature or access pattern), removed,
and the table the base's manifest declared. Rules see the current project; this tells the
check which findings are about code the change touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from store_gate import git
from store_gate.config import LoadedManifest, parse_manifest_text
from store_gate.config.model import AccessPattern, Manifest
from store_gate.git import BaseRevision
from store_gate.keytemplate import KeyTemplate
from store_gate.project import Project, build
from store_gate.schema.table import TableSchema
from store_gate.sources import GitTree, Unreadable, read_inside

Change = Literal["added", "changed", "unchanged"]


@dataclass
class Comparison:
    base: BaseRevision
    status: dict[tuple[str, str], Change] = field(default_factory=dict)
    removed: list[tuple[str, str]] = field(default_factory=list)
    base_table: TableSchema | None = None  # None: the table is new, or unknown at the base
    base_manifest_found: bool = False
    tree: GitTree | None = None
    root: Path | None = None
    changed: frozenset[str] | None = None  # what git says changed since the base (None: unknown)
    _files: dict[str, bool] = field(default_factory=dict)

    def file_unchanged(self, path: str) -> bool:
        """Are the file's bytes the same at the base (for findings that concern no method)? A file
        git does not list as changed is; one it lists is compared byte for byte."""
        if path not in self._files:
            same = False
            if self.tree is not None and self.changed is not None and path not in self.changed:
                same = self.tree.has(path) and self.tree.readable(path)
            elif self.tree is not None and self.root is not None and self.tree.has(path):
                try:
                    same = self.tree.read(path) == read_inside(self.root, path)
                except Unreadable:
                    same = False
            self._files[path] = same
        return self._files[path]

    def of(self, trait: str | None, method: str | None) -> Change | None:
        if trait is None or method is None:
            return None
        return self.status.get((trait, method))

    def count(self, change: Change) -> int:
        return sum(1 for status in self.status.values() if status == change)

    def summary(self) -> str:
        return (
            f"compared with {self.base.describe()}: methods added {self.count('added')}, "
            f"changed {self.count('changed')}, removed {len(self.removed)}, unchanged {self.count('unchanged')}"
        )


def compare(loaded: LoadedManifest, current: Project, base: BaseRevision) -> Comparison:
    """What changed since the base. The project at the base is built from the files git lists as
    changed, read from the base commit; every other file is the same in the work tree, and what
    the current project read of it is reused (`shared`): the cost grows with the change."""
    prefix = loaded.root.resolve().relative_to(base.repository).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    changed_in_repository = git.changed_paths(base, prefix.rstrip("/"))
    changed = (
        None
        if changed_in_repository is None
        else frozenset(p[len(prefix) :] for p in changed_in_repository if p.startswith(prefix))
    )
    manifest = loaded.manifest
    tree = GitTree(base, loaded.root, manifest.limits.max_file_bytes, manifest.exclude, prefetch=changed)
    base_manifest = _base_manifest(loaded, tree, changed)
    # The current stores' traits, as they were at the base: the current project itself when every
    # store reads the same files, none of them changed (the same bytes under the same manifest).
    if changed is not None and _same_store_files(current, tree, changed):
        before = current
    else:
        before = build(loaded, tree, shared=current.sources if changed is not None else None, changed=changed)
    comparison = Comparison(
        base, base_table=_base_table(base_manifest, tree), tree=tree, root=loaded.root, changed=changed
    )
    comparison.base_manifest_found = base_manifest is not None

    old_signatures: dict[tuple[str, str], set[str]] = {}
    for method in before.methods:
        old_signatures.setdefault((method.trait, method.name), set()).add(method.signature)
    new_signatures: dict[tuple[str, str], set[str]] = {}
    for method in current.methods:
        new_signatures.setdefault((method.trait, method.name), set()).add(method.signature)

    base_entities = base_manifest.entity if base_manifest is not None else {}
    for key, signatures in sorted(new_signatures.items()):
        declared = _declaration(current, key)
        if key not in old_signatures:
            comparison.status[key] = "added"
        elif signatures != old_signatures[key] or declared != _base_declaration(base_manifest, before, key):
            comparison.status[key] = "changed"
        elif declared is not None and _depends(declared, current.table, current.entities) != _depends(
            declared, comparison.base_table, base_entities
        ):
            comparison.status[key] = "changed"  # the same declaration, over a table that changed under it
        else:
            comparison.status[key] = "unchanged"
    comparison.removed = sorted(set(old_signatures) - set(new_signatures))
    return comparison


def _depends(
    pattern: AccessPattern, table: TableSchema | None, entities: Mapping[str, Mapping[str, KeyTemplate]]
) -> tuple[object, ...]:
    """What a declaration's verdict rests on besides its own text: the index it names (or the base
    table's keys) and the layout of the entity it names. When these changed since the base, a
    method whose text did not change is still gated as changed - deleting GSI1 from the
    infrastructure must not pass a method that queries GSI1 because the method is old."""
    if table is None:
        return (None,)
    types = table.attribute_types
    layout = dict(entities.get(pattern.entity, {})) if pattern.entity is not None else None
    return (table.index(pattern.index), {attr: types.get(attr) for attr in pattern.key}, layout)


def _base_table(manifest: Manifest | None, tree: GitTree) -> TableSchema | None:
    """The table at the base: the base manifest's, or its infrastructure file's as committed."""
    from store_gate.schema.importers import ImportProblem, import_bytes

    if manifest is None:
        return None
    if manifest.table.declared:
        return manifest.table.to_schema()
    source = manifest.table.from_
    if source is None or not tree.has(source):
        return None  # the infrastructure file is new: so is the table
    try:
        imported = import_bytes(tree.read(source), source, source, manifest.table.resource, manifest.table.name)
    except (ImportProblem, Unreadable):
        return None
    return imported.schema


def _declaration(project: Project, key: tuple[str, str]) -> AccessPattern | None:
    declared = project.manifest_declarations.get(key) or project.inline_declarations.get(key)
    return declared.pattern if declared else None


def _base_declaration(manifest: Manifest | None, before: Project, key: tuple[str, str]) -> AccessPattern | None:
    trait, method = key
    if manifest is not None and method in manifest.access.get(trait, {}):
        return manifest.access[trait][method]
    inline = before.inline_declarations.get(key)
    return inline.pattern if inline else None


def _base_manifest(loaded: LoadedManifest, tree: GitTree, changed: frozenset[str] | None = None) -> Manifest | None:
    """The manifest at the base, if it existed there and was valid (the loaded one, when git
    says it did not change).

    A missing or invalid base manifest makes every declaration count as changed: the stricter
    reading, since nothing at the base vouches for it.
    """
    name = loaded.path.name
    if not tree.has(name):
        return None
    if changed is not None and name not in changed and tree.readable(name):
        return loaded.manifest  # the same text, which validated as it loaded
    return parse_manifest_text(tree.read(name), name == "pyproject.toml", loaded.cache)


def _same_store_files(current: Project, tree: GitTree, changed: frozenset[str]) -> bool:
    """Does every store read, at the base, the very files it reads now - none of them changed,
    none refused at the base (a symlink, a submodule) nor unreadable now?"""
    from store_gate.languages import language_of

    if current.sources.tree.unreadable:
        return False
    for store in current.stores:
        at_base = [f for f in tree.match(store.config.paths) if language_of(f) is not None]
        if at_base != store.files or not changed.isdisjoint(store.files):
            return False
    return not tree.unreadable
