"""SG7: the backend's code agrees with the declaration.

The implementation of each governed method in the modules `[boundaries.backends.dynamodb] allow`
names is read (store_gate.extract.backend, with ast-grep; never imported or run), and the
DynamoDB calls in its body are compared with the method's declared access pattern: the
operations (SG701), the index (SG702), the literal key prefixes (SG703). A governed method with
no implementation there, or whose calls cannot be read, is named (SG704), never passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store_gate.rule import Rule
from store_gate.rules.wording import names, quote

if TYPE_CHECKING:
    from store_gate.config.model import AccessPattern
    from store_gate.extract.backend import Body, Implementation
    from store_gate.extract.model import Method, SourceProblem
    from store_gate.findings import Finding
    from store_gate.project import Project

BACKEND = "dynamodb"


@dataclass(frozen=True)
class _Expected:
    """What a declaration lets the body issue."""

    ops: frozenset[str]  # every operation any form allows (steps' and items' included)
    required: tuple[tuple[str, frozenset[str]], ...]  # (what, ops of which one must be issued)
    leaves: tuple[AccessPattern, ...]
    prefixes: tuple[str, ...]  # the literal heads of every template the method may write or read


def _expected(project: Project, pattern: AccessPattern) -> _Expected:
    leaves = tuple(leaf for _, leaf in pattern.operations() if leaf.op not in (None, "none"))
    required: list[tuple[str, frozenset[str]]] = []
    if pattern.form == "op" and pattern.op not in (None, "none"):
        required.append((f"the declared {pattern.op}", frozenset({pattern.op or ""})))
    elif pattern.form == "steps":
        for i, step in enumerate(pattern.steps, 1):
            if step.op not in (None, "none"):
                required.append((f"step {i}'s {step.op}", frozenset({step.op or ""})))
    elif pattern.form == "alternatives":
        ops = frozenset(a.op for a in pattern.alternatives if a.op not in (None, "none"))
        if ops:
            required.append((f"one of the alternatives' {names(sorted(ops))}", frozenset(ops)))
    prefixes: set[str] = set()
    for leaf in leaves:
        for condition in leaf.key.values():
            prefixes.update(o.literal_prefix for o in condition.operands)
        if leaf.entity is not None:
            prefixes.update(t.literal_prefix for t in project.entities.get(leaf.entity, {}).values())
    return _Expected(frozenset(leaf.op or "" for leaf in leaves), tuple(required), leaves, tuple(sorted(prefixes)))


def _fits(head: str, prefixes: tuple[str, ...]) -> bool:
    return any(head.startswith(p) or p.startswith(head) for p in prefixes)


def _subject(method: Method) -> str:
    return f"{method.trait}.{method.name}"


def _backend_files(project: Project) -> tuple[tuple[str, ...], list[str]]:
    from store_gate.languages import language_of

    boundaries = project.loaded.manifest.boundaries
    backend = boundaries.backends.get(BACKEND) if boundaries is not None else None
    if backend is None:
        return (), []
    files = [f for f in project.sources.tree.match(backend.allow) if language_of(f) is not None]
    return backend.allow, files


def _implementations(project: Project, files: list[str]) -> tuple[list[Implementation], list[SourceProblem]]:
    """The implementations in the backend files, and SG002 for a backend file the gate cannot
    read or parse (a call hidden in a syntax error must not pass as absent). Each file is read
    here; those that name a governed trait or method are parsed - in child processes too, when
    there is enough to parse."""
    from store_gate import parallel
    from store_gate.languages import language_of

    traits = frozenset(project.governed_trait_names)
    governed = frozenset(m.name for m in project.methods)
    needles = [name.encode() for name in sorted(traits | governed)]
    reported = frozenset(p.location.path for p in project.problems if p.code == "SG002")
    problems: list[SourceProblem] = []
    named: list[str] = []
    for path in files:
        data = project.sources.utf8(path)  # a UTF-16 file's names are not its bytes
        text = project.sources.text(path) if data else None
        if path in project.sources.problems:
            if path not in reported:
                problems.append(project.sources.problems[path])
            continue
        if language_of(path) is not None and text is not None and _names_any(data, needles):
            named.append(path)
    found: list[Implementation] = []
    weights = [len(project.sources.data(path)) for path in named]
    for implementations, unparsed in parallel.map_files(
        named, lambda path: _read_backend(project, path, traits, governed, reported), weights
    ):
        found += implementations
        problems += unparsed
    return found, problems


def _names_any(data: bytes, needles: list[bytes]) -> bool:
    """Is the backend file worth parsing: does it name a governed trait or method? One that names
    none cannot implement one (an implementation names its trait or its methods)."""
    return any(needle in data for needle in needles)


def _read_backend(
    project: Project, path: str, traits: frozenset[str], governed: frozenset[str], reported: frozenset[str]
) -> tuple[list[Implementation], list[SourceProblem]]:
    """One backend file's implementations, and SG002 for a syntax error in it."""
    from ast_grep_py import SgRoot

    from store_gate.extract import backend
    from store_gate.extract.model import SourceProblem
    from store_gate.extract.sgnodes import first_syntax_problem
    from store_gate.languages import language_of

    language = language_of(path)
    text = project.sources.text(path)
    assert language is not None and text is not None  # only such files are read here
    key = (path, language.name)
    if key not in project.sources.parsed:
        project.sources.parsed[key] = SgRoot(text, language.name).root()
    root = project.sources.parsed[key]
    problems: list[SourceProblem] = []
    syntax = first_syntax_problem(root, path) if path not in reported else None
    if syntax is not None:
        problems.append(
            SourceProblem(
                "SG002",
                syntax.location,
                syntax.message.replace(
                    "the gate cannot see the methods it may hide",
                    "the gate cannot see the DynamoDB calls it may hide",
                ),
            )
        )
    try:
        return backend.read(path, root, language.name, traits, governed), problems
    except RecursionError:
        return [], problems  # nested past the walker: the methods it holds are reported not found (SG704)


def _supertraits(project: Project) -> dict[str, set[str]]:
    """Each governed trait's own name and every supertrait it reaches."""
    direct: dict[str, set[str]] = {}
    for store in project.stores:
        for definition in store.definitions:
            direct.setdefault(definition.name, set()).update(h.name for h in definition.supertraits)
    reach: dict[str, set[str]] = {}
    for name in direct:
        seen, todo = {name}, [name]
        while todo:
            for parent in direct.get(todo.pop(), set()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        reach[name] = seen
    return reach


def _bodies(method: Method, implementations: list[Implementation], reach: dict[str, set[str]]) -> list[Body]:
    """The bodies of the method in every implementation of its trait (Rust: `impl Trait for X`;
    Python, TypeScript: a class naming the trait or one extending it, or a structural one)."""
    bodies: list[Body] = []
    for impl in implementations:
        if impl.traits:
            covers = any(method.trait in reach.get(t, {t}) for t in impl.traits)
        else:
            covers = method.name in impl.methods
        if covers and method.name in impl.methods:
            bodies.append(impl.methods[method.name])
    return bodies


def _owners(method: Method, implementations: list[Implementation], reach: dict[str, set[str]]) -> list[str]:
    return sorted(
        {impl.owner for impl in implementations if any(method.trait in reach.get(t, {t}) for t in impl.traits)}
    )


def check(project: Project) -> Iterator[Finding]:
    """SG701, SG702, SG703 and SG704, for every governed method with a declaration."""
    allow, files = _backend_files(project)
    if not allow:
        return
    implementations, problems = _implementations(project, files)
    from store_gate.rules.coverage import SG002

    for problem in problems:
        yield SG002.at(problem.location, problem.message)
    reach = _supertraits(project)
    where = ", ".join(quote(g) for g in allow)
    for method in project.methods:
        declaration = project.declaration(method)
        if declaration is None:
            continue  # SG101
        subject = _subject(method)
        bodies = _bodies(method, implementations, reach)
        if not bodies:
            owners = _owners(method, implementations, reach)
            if owners:
                what = f"{names(owners)} implement{'s' if len(owners) == 1 else ''} {method.trait} without it"
            else:
                what = f"no implementation of {method.trait} there" + ("" if files else " (they match no source file)")
            yield SG704.at(
                method.location,
                f"{subject} has no implementation in the {BACKEND} backend modules ({where}): {what}; the gate "
                "cannot compare its code with the declaration - implement it there, or add its module to allow",
                method.trait,
                method.name,
            )
            continue
        expected = _expected(project, declaration.pattern)
        for body in bodies:
            yield from _check_body(project, method, body, expected)


def _check_body(project: Project, method: Method, body: Body, expected: _Expected) -> Iterator[Finding]:
    subject = _subject(method)
    declared = names(sorted(expected.ops)) if expected.ops else "no DynamoDB operation"
    for opaque in body.opaque:
        yield SG704.at(
            opaque.location,
            f"{subject}: the gate cannot read {opaque.why}; write the call with the SDK's own methods and literal "
            "names in the backend module, so that it can be compared with the declaration",
            method.trait,
            method.name,
        )
    mismatched = False
    served = {(leaf.op, leaf.index) for leaf in expected.leaves}
    for call in body.calls:
        if (call.op, call.index) in served and call.index_opaque is None:
            continue  # the common case, without building a message
        if call.op not in expected.ops:
            mismatched = True
            yield SG701.at(
                call.location,
                f"{subject}: the implementation issues {call.op} but the declaration says {declared}; issue "
                f"{declared} as declared, or correct the declaration",
                method.trait,
                method.name,
            )
            continue
        if call.index_opaque is not None:
            yield SG704.at(
                call.location,
                f"{subject}: the gate cannot read the index of this {call.op}: {call.index_opaque}; write "
                "IndexName as a literal in the call",
                method.trait,
                method.name,
            )
            continue
        yield from _index(project, method, call.op, call.index, call.location, expected)
    issued = {call.op for call in body.calls}
    if not body.calls and not body.opaque and expected.required:
        yield SG704.at(
            method.location,
            f"{subject}: no DynamoDB call found in its implementation (declared: {declared}); a call through "
            "a helper outside the backend module, more than one level deep, or by dynamic dispatch cannot be "
            "read - call the SDK in the backend module",
            method.trait,
            method.name,
        )
    elif body.calls and not mismatched:
        for what, ops in expected.required:
            if not ops & issued:
                yield SG701.at(
                    body.calls[0].location,
                    f"{subject}: the implementation does not issue {what} (it issues "
                    f"{names(sorted(issued))}); issue it, or correct the declaration",
                    method.trait,
                    method.name,
                )
    fits: dict[str, bool] = {}
    for literal in body.literals:
        if literal.head not in fits:
            fits[literal.head] = not expected.prefixes or _fits(literal.head, expected.prefixes)
        if not fits[literal.head]:
            templates = names([quote(p) for p in expected.prefixes if p])
            yield SG703.at(
                literal.location,
                f"{subject}: the key literal {quote(literal.head)} fits none of the declared templates' prefixes "
                f"({templates}); spell the key as the manifest's entity templates do, or correct the manifest",
                method.trait,
                method.name,
            )


def _index(
    project: Project, method: Method, op: str, index: str | None, location: object, expected: _Expected
) -> Iterator[Finding]:
    from store_gate.extract.model import SourceLocation

    assert isinstance(location, SourceLocation)
    subject = _subject(method)
    leaves = [leaf for leaf in expected.leaves if leaf.op == op]
    if any(leaf.index == index for leaf in leaves):
        return
    declared = names(sorted({leaf.index or "the table" for leaf in leaves}))
    if index is None:
        message = f"{subject}: this {op} reads the table itself, but the declaration reads {declared}; pass " + (
            f"IndexName {quote(next(leaf.index for leaf in leaves if leaf.index))}"
            if any(leaf.index for leaf in leaves)
            else "the declared index"
        )
    else:
        schema = project.schema_of(project.table_name(method.trait, leaves[0])) if leaves else None
        missing = schema is not None and index not in schema.indexes
        known = names(sorted(str(n) for n in schema.indexes)) if schema is not None else ""
        lacks = f", an index the table does not have (its indexes: {known})" if missing else ""
        message = (
            f"{subject}: this {op} reads index {quote(index)}{lacks}, but the declaration reads {declared}; "
            "read the declared index, or correct the declaration"
        )
    yield SG702.at(location, message, method.trait, method.name)


SG701 = Rule(
    "SG701",
    "implementation-op-mismatch",
    "error",
    "The backend's implementation issues an operation its declaration does not (a Scan behind a declared Query).",
    project=check,
)
SG702 = Rule(
    "SG702",
    "implementation-index-mismatch",
    "error",
    "The backend's implementation reads another index than the declared one, or one the table lacks.",
)
SG703 = Rule(
    "SG703",
    "implementation-key-mismatch",
    "error",
    'A literal key prefix in the backend\'s implementation ("PROD#") fits none of the declared templates.',
)
SG704 = Rule(
    "SG704",
    "implementation-not-found",
    "warning",
    "A governed method with no implementation in the backend modules, or whose DynamoDB calls cannot be read.",
)
