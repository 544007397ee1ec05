"""What changed since the base: methods added, changed (signature or access pattern), removed,
and the table the base's manifest declared. Rules see the current project; this tells the
check which findings are about code the change touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from store_gate import git
from store_gate.config import LoadedManifest, parse_manifest_text
from store_gate.config.model import AccessPattern, Manifest
from store_gate.git import BaseRevision
from store_gate.keytemplate import KeyTemplate
from store_gate.project import Project, build
from store_gate.schema.table import TableSchema
from store_gate.sources import GitTree, SourceTree, Unreadable

Change = Literal["added", "changed", "unchanged"]


@dataclass
class Comparison:
    base: BaseRevision
    status: dict[tuple[str, str], Change] = field(default_factory=dict)
    removed: list[tuple[str, str]] = field(default_factory=list)
    base_tables: dict[str | None, TableSchema | None] = field(default_factory=dict)  # None: new or unknown
    base_manifest: Manifest | None = None  # None: missing, unreadable or invalid at the base

    @property
    def base_manifest_found(self) -> bool:
        return self.base_manifest is not None

    tree: GitTree | None = None
    current: SourceTree | None = None  # what is checked: the working tree, or the commit pushed
    notes: list[str] = field(default_factory=list)  # what the comparison could not read at the base
    changed: frozenset[str] | None = None  # what git says changed since the base (None: unknown)
    _files: dict[str, bool] = field(default_factory=dict)

    def file_unchanged(self, path: str) -> bool:
        """Are the file's bytes the same at the base (for findings that concern no method)? A file
        git does not list as changed is; one it lists is compared byte for byte."""
        if path not in self._files:
            same = False
            if self.tree is not None and self.changed is not None and path not in self.changed:
                same = self.tree.readable(path)
            elif self.tree is not None and self.current is not None and self.tree.has(path):
                try:
                    same = self.tree.read(path) == self.current.read(path)
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
            + "".join(f"; {note}" for note in self.notes)
        )


def compare(loaded: LoadedManifest, current: Project, base: BaseRevision) -> Comparison:
    """What changed since the base. The project at the base is built from the files git lists as
    changed, read from the base commit; every other file is the same in what is checked, and what
    the current project read of it is reused (`shared`): the cost grows with the change."""
    manifest = loaded.manifest
    checked = current.sources.tree
    changed = _changed(loaded, base, checked)
    tree = GitTree(base, loaded.root, manifest.limits.max_file_bytes, "the base", manifest.exclude, prefetch=changed)
    if changed is not None:
        changed |= tree.linked_names()  # a link's target may have changed under its own name only
    notes: list[str] = []
    base_manifest = _base_manifest(loaded, tree, notes, changed)
    # The current stores' traits, as they were at the base: the current project itself when every
    # store reads the same files, none of them changed (the same bytes under the same manifest).
    if changed is not None and _same_store_files(current, tree, changed):
        before = current
    else:
        before = build(loaded, tree, shared=current.sources if changed is not None else None, changed=changed)
    comparison = Comparison(
        base, base_tables=_base_tables(base_manifest, tree), tree=tree, current=checked, notes=notes, changed=changed
    )
    comparison.base_manifest = base_manifest

    # Each (trait, method) with how many definitions of each signature it has: a second
    # definition - the same legacy method copied into another trait of the same name - is a new
    # one, never "unchanged" because its text matches the old.
    old_signatures: dict[tuple[str, str], Counter[str]] = {}
    for method in before.methods:
        old_signatures.setdefault((method.trait, method.name), Counter())[method.signature] += 1
    new_signatures: dict[tuple[str, str], Counter[str]] = {}
    for method in current.methods:
        new_signatures.setdefault((method.trait, method.name), Counter())[method.signature] += 1

    base_entities = base_manifest.entity if base_manifest is not None else {}
    for key, signatures in sorted(new_signatures.items()):
        declared = _declaration(current, key)
        if key not in old_signatures:
            comparison.status[key] = "added"
        elif set(signatures) != set(old_signatures[key]):
            comparison.status[key] = "changed"
        elif signatures - old_signatures[key]:
            comparison.status[key] = "added"  # one more definition than at the base
        elif declared != _base_declaration(base_manifest, before, key):
            comparison.status[key] = "changed"
        elif declared is not None and _depends(current, key[0], declared, current.loaded.tables, current.entities) != (
            _depends(current, key[0], declared, comparison.base_tables, base_entities)
        ):
            comparison.status[key] = "changed"  # the same declaration, over a table that changed under it
        else:
            comparison.status[key] = "unchanged"
    comparison.removed = sorted(set(old_signatures) - set(new_signatures))
    return comparison


def _depends(
    project: Project,
    trait: str,
    pattern: AccessPattern,
    tables: Mapping[str | None, object],
    entities: Mapping[str, Mapping[str, KeyTemplate]],
) -> tuple[object, ...]:
    """What a declaration's verdict rests on besides its own text: for each of its operations, the
    index it names (or the base table's keys), the types of its key attributes and the layout of
    the entity it names. When these changed since the base, a method whose text did not change is
    still gated as changed - deleting GSI1 from the infrastructure must not pass a method that
    queries GSI1 because the method is old."""
    facts: list[object] = []
    for _, leaf in pattern.operations():
        table = tables.get(project.table_name(trait, leaf))
        schema = getattr(table, "schema", table)  # a LoadedTable now, a TableSchema at the base
        if not isinstance(schema, TableSchema):
            facts.append(None)
            continue
        types = schema.attribute_types
        layout = dict(entities.get(leaf.entity, {})) if leaf.entity is not None else None
        facts.append((schema.index(leaf.index), {attr: types.get(attr) for attr in leaf.key}, layout))
    return tuple(facts)


def _base_tables(manifest: Manifest | None, tree: GitTree) -> dict[str | None, TableSchema | None]:
    """Each table at the base, by name: what the base's manifest checked against - its
    infrastructure file as committed where `from` names one, else its declaration."""
    from store_gate.schema.importers import ImportProblem, import_bytes

    if manifest is None:
        return {}
    tables: dict[str | None, TableSchema | None] = {}
    for name, table in manifest.all_tables.items():
        source = table.from_
        if source is None:
            tables[name] = table.to_schema()
        elif not tree.has(source):
            tables[name] = None  # the infrastructure file is new: so is the table
        else:
            try:
                tables[name] = import_bytes(tree.read(source), source, source, table.resource, table.name).schema
            except (ImportProblem, Unreadable):
                tables[name] = None
    return tables


def _declaration(project: Project, key: tuple[str, str]) -> AccessPattern | None:
    declared = project.manifest_declarations.get(key) or project.inline_declarations.get(key)
    return declared.pattern if declared else None


def _base_declaration(manifest: Manifest | None, before: Project, key: tuple[str, str]) -> AccessPattern | None:
    trait, method = key
    if manifest is not None and method in manifest.access.get(trait, {}):
        return manifest.access[trait][method]
    inline = before.inline_declarations.get(key)
    return inline.pattern if inline else None


def _base_manifest(
    loaded: LoadedManifest, tree: GitTree, notes: list[str], changed: frozenset[str] | None = None
) -> Manifest | None:
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
    try:
        raw = tree.read(name, within_repository=True)  # a link to a shared manifest is followed
    except Unreadable as exc:
        notes.append(f"{name} cannot be read at the base ({exc.reason}): every declaration counts as changed")
        return None
    return parse_manifest_text(raw, name == "pyproject.toml", loaded.cache)


def _changed(loaded: LoadedManifest, base: BaseRevision, checked: SourceTree) -> frozenset[str] | None:
    """The project-relative paths whose bytes in what is checked (the working tree, or the commit
    pushed) may differ from the base's: what git lists, and an editor's unsaved buffers. None when
    git cannot say: then every file counts as changed."""
    prefix = loaded.root.resolve().relative_to(base.repository).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    commit = checked.base.commit if isinstance(checked, GitTree) else None
    listed = git.changed_paths(base, prefix.rstrip("/"), commit)
    if listed is None:
        return None
    changed = frozenset(p[len(prefix) :] for p in listed if p.startswith(prefix))
    return changed | frozenset(getattr(checked, "overlay", {}))


def _same_store_files(current: Project, tree: GitTree, changed: frozenset[str]) -> bool:
    """Does every store read, at the base, the very files it reads now - none of them changed,
    none refused at the base (a symlink that leaves, a submodule) nor unreadable now?"""
    from store_gate.languages import language_of

    if current.sources.tree.unreadable:
        return False
    for store in current.stores:
        at_base = [f for f in tree.match(store.config.paths) if language_of(f) is not None]
        if at_base != store.files or not changed.isdisjoint(store.files):
            return False
    return not tree.unreadable
