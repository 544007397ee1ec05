"""The runner of ast-grep rules over source files: the built-in SG4/SG5 rules and users' own.

The built-in rules are the ast-grep rule project in `rules/` (shipped in the wheel as
`store_gate/astgrep_rules`): `rules/<language>/<code>-<language>.yml`, one per code and language,
with valid/invalid cases that `ast-grep test` runs. Each is a `Rule` with a `Scan` (which files,
which prefilter, which message: `store_gate/rules/shape.py`, `store_gate/rules/boundaries.py`).
Their configurable parts are named utils whose regex is set from the manifest:

- `store-trait`: the governed traits (SG401, SG402 look only inside them);
- `storage-word`, `backend-type`, `key-attribute`: extended with `[boundaries]` lists and, for
  key attributes, the table's own key attribute names;
- `key-prefix`: the literal prefixes of the manifest's entity templates (`DIALOGUE#`);
- `key-placeholder`: a format string capturing a key attribute (`"{pk}|{sk}"`), from the same names.

Users' rules (`rules = ["governance/*.yml"]`) are loaded and compiled with the manifest
(`load_user_rules`), run unchanged and keep their ids and severities.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from store_gate import parallel, progress
from store_gate.display import bounded, one_line
from store_gate.errors import ConfigError, ConfigProblem
from store_gate.extract.model import SourceLocation
from store_gate.languages import LANGUAGES, Language, language_of, rules_language, written_in
from store_gate.prefilter import named_in
from store_gate.rule import Rule, Severity
from store_gate.rules.scan import Match, Report, Scan, ScanContext, Scope
from store_gate.sources import Unreadable, Walk, glob_matcher, read_inside

if TYPE_CHECKING:  # `explain` and `rules` import this module for SG005: keep it light
    from store_gate.config.cache import ValidationCache
    from store_gate.config.model import Backend
    from store_gate.findings import Finding
    from store_gate.project import Project, SourceCache
    from store_gate.rules.worker import Outcome, Worker

_SEVERITY: dict[str, Severity] = {"error": "error", "warning": "warning", "info": "info", "hint": "info", "off": "off"}
_CONFIG_KEYS = ("rule", "utils", "constraints", "transform")


@dataclass(frozen=True)
class AstGrepRule:
    """One rule's ast-grep configuration for one language."""

    rule: Rule
    language: str  # the rules/ folder: rust, python, typescript (which also runs on .tsx); a user rule may say tsx
    config: dict[str, Any]  # rule, utils, constraints, transform
    source: str  # the YAML file, as shown
    files: tuple[str, ...] = ()  # users' rules: ast-grep's `files` and `ignores` globs
    ignores: tuple[str, ...] = ()
    message: str = ""  # users' rules: the message, with `$NAME`s the matches fill in


def builtin_rules_dir() -> Path:
    """The built-in rule project: inside the installed package, else the source tree's rules/."""
    packaged = Path(__file__).resolve().parent.parent / "astgrep_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@lru_cache(maxsize=8)
def builtin_rules(languages: frozenset[str], cache: ValidationCache | None = None) -> tuple[AstGrepRule, ...]:
    """The built-in rules for these languages (a project's other languages cost nothing)."""
    from store_gate.catalogue import RULES

    folder = builtin_rules_dir()
    if not any(folder.glob("*/SG*.yml")):
        raise ConfigError(
            [ConfigProblem(str(folder), "", "store-gate's built-in rules are missing from the installation")]
        )
    found: list[AstGrepRule] = []
    for rule in RULES.values():
        if rule.scan is None:
            continue
        for language in sorted({"typescript" if language == "tsx" else language for language in languages}):
            path = folder / language / f"{rule.code}-{language}.yml"
            if path.is_file():
                documents = _documents(path, path.name, cache)
                if len(documents) != 1:
                    raise ConfigError([ConfigProblem(path.name, "", "a built-in rule file holds one rule")])
                found.append(AstGrepRule(rule, language, _config(documents[0]), path.name))
    return tuple(found)


def _documents(path: Path, shown: str, cache: ValidationCache | None, root: Path | None = None) -> list[Any]:
    """The YAML documents of a rule file; from the project's cache when this exact text was
    parsed before (a pre-commit run then never imports PyYAML)."""
    try:
        raw = read_inside(root, path) if root is not None else path.read_bytes()
        text = raw.decode("utf-8")
    except Unreadable as exc:
        raise ConfigError([ConfigProblem(shown, "", f"cannot read the rule: {exc.reason}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(shown, "", f"cannot read the rule: {exc}")]) from None
    cached = cache.parsed_yaml(raw) if cache is not None else None
    if cached is not None and all(isinstance(d, dict) for d in cached):
        return cached  # a cached entry of another shape is not trusted: the text is parsed again
    import yaml  # only for rule texts not parsed before

    from store_gate.boundedyaml import YamlLimit, load_all

    try:
        documents: list[Any] = [d for d in load_all(text) if d is not None]
    except YamlLimit as exc:
        raise ConfigError([ConfigProblem(shown, "", f"YAML: {exc.describe()}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = one_line(str(getattr(exc, "problem", exc)), 200)
        raise ConfigError([ConfigProblem(shown, "", f"YAML syntax{where}: {problem}")]) from None
    if cache is not None:
        cache.keep_parsed_yaml(raw, documents)
    return documents


def _config(document: dict[str, Any]) -> dict[str, Any]:
    return {k: document[k] for k in _CONFIG_KEYS if k in document}


def _user_rules(root: Path, path: str, cache: ValidationCache | None) -> list[AstGrepRule]:
    def problem(key: str, message: str) -> ConfigError:
        return ConfigError([ConfigProblem(shown, key, message)])

    shown = path
    rules = []
    for document in _documents(Path(path), shown, cache, root):
        if not isinstance(document, dict):
            raise problem("", "a rule must be a mapping with id, language and rule")
        missing = [k for k in ("id", "language", "rule") if k not in document]
        if missing:
            raise problem(str(document.get("id", "")), f"missing {', '.join(missing)}")
        rule_id = str(document["id"])
        if not rule_id.isprintable() or not rule_id or any(ch.isspace() for ch in rule_id):
            # It is the code of every finding the rule reports: one word on a line of output.
            raise problem(rule_id, "id must be one word of printable characters, such as no-raw-sql")
        language = _user_rule_language(str(document["language"]).lower())
        if language is None:
            raise problem(
                rule_id,
                f"language {bounded(repr(document['language']))} is not one of "
                f"{', '.join(known.name for known in LANGUAGES)}",
            )
        written = document.get("severity", "error")
        if written is False:  # PyYAML reads YAML 1.1: an unquoted `off` is false (ast-grep reads the word)
            written = "off"
        severity = _SEVERITY.get(str(written).lower())
        if severity is None:
            raise problem(
                rule_id,
                f"severity {bounded(repr(document['severity']))} is not one of error, warning, info, hint, off",
            )
        if re.fullmatch(r"SG\d{3}", rule_id):
            raise problem(rule_id, "SGnnn ids are store-gate's own; give your rule another id")
        config = _config(document)
        _compile(config, language, shown, rule_id)
        message = str(document.get("message", rule_id)).strip()
        rule = Rule(
            rule_id,
            rule_id,
            severity,
            message.splitlines()[0] if message else rule_id,
            builtin=False,
            help=str(document.get("note", "")).strip() or message,
            scan=Scan("scanned", partial(_user_report, message)),
        )
        globs: dict[str, tuple[str, ...]] = {}
        for key in ("files", "ignores"):
            found = _globs(document.get(key))
            if found is None:
                raise problem(rule_id, f"{key} must be a glob or a list of globs")
            globs[key] = found
        rules.append(AstGrepRule(rule, language, config, shown, globs["files"], globs["ignores"], message))
    return rules


def _user_rule_language(name: str) -> str | None:
    """The language of the table a user's rule names (ast-grep's `ts` is typescript)."""
    wanted = "typescript" if name == "ts" else name
    return next((known.name for known in LANGUAGES if known.name == wanted), None)


def _globs(value: Any) -> tuple[str, ...] | None:
    """ast-grep's `files` / `ignores`: a glob or a list of them (None: neither)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return None


def _compile(config: dict[str, Any], language: str, shown: str, rule_id: str) -> None:
    """A rule that does not compile is a configuration error, with ast-grep's first line."""
    from ast_grep_py import SgRoot

    try:
        root: Any = SgRoot("", language).root()
        root.find_all(config)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError([ConfigProblem(shown, rule_id, f"invalid ast-grep rule: {first}")]) from None


def load_user_rules(
    root: Path, globs: tuple[str, ...], display: str, line: int | None, cache: ValidationCache
) -> tuple[AstGrepRule, ...]:
    """The manifest's own rules (`rules = [...]`), loaded and compiled while the manifest loads."""
    rules: list[AstGrepRule] = []
    for i, glob in enumerate(globs):
        walk = Walk(root, (glob,)).run()
        if walk.unreadable:
            path, reason = sorted(walk.unreadable.items())[0]
            raise ConfigError([ConfigProblem(display, f"rules[{i}]", f"{path}: {reason}", line)])
        paths = walk.files
        if not paths:
            raise ConfigError([ConfigProblem(display, f"rules[{i}]", f'"{glob}" matches no rule file', line)])
        for path in paths:
            rules += _user_rules(root, path, cache)
    ids = [r.rule.code for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError([ConfigProblem(display, "rules", f"rule ids used twice: {', '.join(duplicates)}", line)])
    return tuple(rules)


# -- parameters from the manifest -------------------------------------------------------------


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _extend(util: dict[str, Any], regex: str) -> dict[str, Any]:
    return {"any": [util, {"regex": regex}]}


def _set_regex(node: Any, regex: str) -> Any:
    if isinstance(node, dict):
        return {k: (regex if k == "regex" else _set_regex(v, regex)) for k, v in node.items()}
    if isinstance(node, list):
        return [_set_regex(v, regex) for v in node]
    return node


def _parameterised(config: dict[str, Any], context: ScanContext, language: str) -> dict[str, Any] | None:
    """A built-in rule's config (for one rules language) with its named utils set from the manifest
    and the language table; None when it cannot apply."""
    project = context.project
    config = copy.deepcopy(config)
    utils = config.get("utils") or {}
    boundaries = project.loaded.manifest.boundaries
    if "store-trait" in utils:
        names = sorted(project.governed_trait_names)
        if not names:
            return None
        utils["store-trait"] = _set_regex(utils["store-trait"], f"^(?:{_alternation(names)})$")
    if "storage-word" in utils and boundaries and boundaries.vocabulary:
        words = _alternation(boundaries.vocabulary)
        capitalised = _alternation([w[:1].upper() + w[1:] for w in boundaries.vocabulary])
        utils["storage-word"] = _extend(
            utils["storage-word"],
            f"(?i:(?:^(?:r#)?|_)(?:{words})\\d*(?:_|$))|(?:^(?:{words})|(?:{capitalised}))\\d*(?:[A-Z0-9_]|$)",
        )
    if "backend-type" in utils and (through_a_client := _module_types(language)):
        utils["backend-type"] = _extend(utils["backend-type"], through_a_client)
    if "backend-type" in utils and boundaries and boundaries.backend_types:
        utils["backend-type"] = _extend(utils["backend-type"], f"^(?:{_alternation(boundaries.backend_types)})$")
    if "key-attribute" in utils:
        # `(?:r#)?`: a Rust raw identifier (`r#pk`) is the same name
        utils["key-attribute"] = _extend(utils["key-attribute"], f"^(?:r#)?(?:{_alternation(context.key_attributes)})$")
    if "key-placeholder" in utils and context.key_attributes:
        alternatives = _alternation(context.key_attributes)
        utils["key-placeholder"] = _extend(utils["key-placeholder"], f"\\{{(?:{alternatives})[:}}]")
    if "bound-to-key" in utils and "mentions-a-name" in utils:
        utils["bound-to-key"] = {"matches": "mentions-a-name"}  # SG503 resolves the names itself, per file
    if "key-prefix" in utils and context.key_prefixes:
        utils["key-prefix"] = {"regex": f"^(?:{_alternation(context.key_prefixes)})"}
    governed = context.scope.backend_allow
    modules = [m for m, serves in context.scope.backend_modules.get(language, ()) if set(serves) & set(governed)]
    if "backend-client" in utils:
        if not modules:
            return None
        utils["backend-client"] = {"regex": _client_regex(language, modules)}
    return config


def _module_types(language: str) -> str | None:
    """SG402's `backend-type` for the language table's client modules: a type named through one
    (`redis::Client`, `asyncpg.Pool`). None for TypeScript, whose types are imported by name."""
    if language not in ("rust", "python"):
        return None
    known = rules_language(language)
    roots = {known.module_root(module) for module, _ in known.backend_modules}
    return f"^(?:{_alternation(sorted(roots))}){re.escape(known.separator)}"


def _client_regex(language: str, modules: list[str]) -> str:
    """What SG501's `backend-client` util matches in one language: a Rust path or crate root, the
    first identifier of a Python import, a TypeScript module specifier."""
    if language == "typescript":
        return f"^[\"'`](?:{_alternation(modules)})(?:/[^\"'`]*)?[\"'`]$"
    roots = sorted({rules_language(language).module_root(module) for module in modules})
    if language == "rust":
        return f"^(?:::)?(?:{_alternation(roots)})(?:::|$)"
    return f"^(?:{_alternation(roots)})$"


# -- scope -----------------------------------------------------------------------------------


def _client_modules(language: Language, backends: Mapping[str, Backend]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The language's client modules, each with the backends it serves, and the manifest's own
    `modules`; the most specific one a match uses decides (SG501 keeps the governed backends)."""
    modules: dict[str, list[str]] = {module: list(serves) for module, serves in language.backend_modules}
    for name, backend in backends.items():
        for module in backend.modules:
            modules.setdefault(module, []).append(name)
    return tuple((module, tuple(dict.fromkeys(serves))) for module, serves in sorted(modules.items()))


def _scope(project: Project) -> Scope:
    boundaries = project.loaded.manifest.boundaries
    scanned = project.scanned
    backends = boundaries.backends if boundaries else {}
    allow = {name: b.allow for name, b in backends.items()}
    modules = {language.rules: _client_modules(language, backends) for language in LANGUAGES}
    in_a_backend = glob_matcher(tuple(g for globs_of in allow.values() for g in globs_of))
    outside = [p for p in scanned if not in_a_backend(p)]
    if boundaries and boundaries.domain:
        in_the_domain = glob_matcher(tuple(boundaries.domain))
        domain = [p for p in scanned if in_the_domain(p)]
    else:
        domain = outside
    stores = sorted({d.location.path for s in project.stores for d in s.definitions})
    return Scope(scanned, stores, domain, outside, allow, modules)


# -- running ---------------------------------------------------------------------------------


def _file_language(path: str, rule_language: str) -> str | None:
    """The ast-grep language to parse the file in, when a rule of `rule_language` runs on it: a
    rule of rules/typescript (or a user's typescript rule) runs on .tsx files too, a user's tsx
    rule on .tsx files only, as with ast-grep."""
    language = language_of(path)
    if language is None or rule_language not in (language.rules, language.name):
        return None
    return language.name


def _names(node: Any, language: Language) -> tuple[str | None, str | None]:
    """The type (trait, class, struct, interface) and member a node sits in."""
    owner = member = None
    for ancestor in [node, *node.ancestors()]:
        kind = ancestor.kind()
        name = ancestor.field("name")
        if member is None and kind in language.member_kinds and name is not None:
            member = _spelt(str(name.text()), language)
        elif owner is None and kind in language.owner_kinds and name is not None:
            owner = _spelt(str(name.text()), language)
            break
    return owner, member


def _nfkc_names(path: str, text: str | None) -> list[Finding]:
    """SG002 for a Python file that spells a name with compatibility characters: Python reads
    names NFKC-normalised (a fullwidth `b` in `boto3` imports boto3), the rules match them as written. The
    first such name of the file, with what Python reads."""
    import io
    import tokenize
    import unicodedata

    from store_gate.extract.model import SourceLocation
    from store_gate.rules.coverage import SG002

    if text is None:
        return []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.NAME or token.string.isascii():
                continue
            read = unicodedata.normalize("NFKC", token.string)
            if read != token.string:
                line, column = token.start
                return [
                    SG002.at(
                        SourceLocation(path, line, column + 1),
                        f"the name {token.string} is {read} to Python, which reads names NFKC-normalised; the gate "
                        f"matches names as they are written, so its rules cannot see it - write {read}",
                    )
                ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return []  # a file Python cannot tokenize is reported where it is parsed
    return []


def _spelt(name: str, language: Language) -> str:
    """A name as the extractors give it: a Rust raw identifier `r#scan` is `scan`."""
    return name[2:] if language.name == "rust" and name.startswith("r#") else name


@dataclass
class _Plan:
    """One rule's run over its files: which files, with what config, behind which prefilters."""

    astgrep: AstGrepRule
    files: list[str]
    config: dict[str, Any]
    needles: tuple[bytes, ...] | None
    confirm: Callable[[str, bytes], bool] | None
    store_trait: tuple[str, ...] | None = None  # the governed traits, when the rule looks only inside them
    members: set[str] = field(default_factory=set)  # the files of the rule's language
    store_names: frozenset[str] = frozenset()

    def wants(self, path: str, data: bytes) -> bool:
        if self.needles is not None and not any(needle in data for needle in self.needles):
            return False
        return self.confirm is None or self.confirm(path, data)

    def config_for(self, text: str) -> dict[str, Any] | None:
        """The config for one file: `store-trait` lists only the governed traits the file's text
        holds (a node's name is a slice of it), so a thousand stores make no thousand-name regex
        per file. None: no governed trait is named in it, so nothing can match."""
        if self.store_trait is None:
            return self.config
        names = (
            [name for name in self.store_trait if name in text]
            if len(self.store_trait) <= 16
            else named_in(text, self.store_names)
        )
        if not names:
            return None
        config = dict(self.config)
        utils = dict(config["utils"])
        utils["store-trait"] = _set_regex(utils["store-trait"], f"^(?:{_alternation(names)})$")
        config["utils"] = utils
        return config


def run(project: Project) -> list[Finding]:
    """Findings of the built-in structural rules, file by file (each file read once, parsed once
    for every rule that needs it, its tree dropped after), then of the manifest's own rules, in
    the worker process within their budget."""
    scope = _scope(project)
    context = ScanContext(project, scope)
    boundaries = project.loaded.manifest.boundaries
    sources = project.sources
    present = frozenset(known.name for p in [*scope.scanned, *scope.stores] if (known := language_of(p)) is not None)
    plans: list[_Plan] = []
    users: list[AstGrepRule] = []
    for astgrep in [*builtin_rules(present, project.loaded.cache), *project.loaded.user_rules]:
        rule, scan = astgrep.rule, astgrep.rule.scan
        assert scan is not None
        if rule.severity == "off":
            continue
        if scan.needs == "boundaries" and boundaries is None:
            continue  # SG403 needs [boundaries]: where the domain is
        if scan.needs == "backends" and not scope.backend_allow:
            continue  # SG501 and SG502 need [boundaries.backends.*]
        if not rule.builtin:
            users.append(astgrep)
            continue
        files = scope.files(scan.files)
        config = _parameterised(astgrep.config, context, astgrep.language)
        if config is None:
            continue
        store_trait = None
        if "store-trait" in (config.get("utils") or {}):
            store_trait = tuple(sorted(project.governed_trait_names))
        needles = scan.needles(context, astgrep.language)
        plan = _Plan(astgrep, files, config, needles, scan.confirm(context), store_trait)
        plan.members = {p for p in files if _file_language(p, astgrep.language) is not None}
        plan.store_names = frozenset(store_trait or ())
        plans.append(plan)
    # First the prefilters, file by file, on the bytes; the files no rule wants are dropped now.
    wanted: list[tuple[str, list[int]]] = []
    weights: list[int] = []
    members = sorted({p for plan in plans for p in plan.members})
    progress.stage("structural rules: files", len(members))
    respelt: list[Finding] = []

    def prefilter(path: str) -> tuple[list[int], list[Finding]]:
        """Which plans want the file (and the Python names it spells with compatibility
        characters): a pure function of its bytes, so a child process may answer it."""
        data = sources.utf8(path)
        nfkc = _nfkc_names(path, sources.text(path)) if not data.isascii() and written_in(path, "python") else []
        return [i for i, plan in enumerate(plans) if path in plan.members and plan.wants(path, data)], nfkc

    # Shared with child processes only when every file's bytes are held already (the stores'
    # files, read while the project was built): otherwise each is read and dropped in turn, so
    # that a tree's bytes are never all held at once for the rules alone.
    held = [sources.held(path) for path in members]
    sizes = [size for size in held if size is not None]
    answers: Iterable[tuple[list[int], list[Finding]]]
    if len(sizes) == len(members):  # bytes x substrings looked for (each plan's needles, its confirmation)
        tests = [n * sum(len(p.needles or ()) + 1 for p in plans if f in p.members) for f, n in zip(members, sizes)]
        answers = parallel.map_files(members, prefilter, tests, scan=True)
    else:
        answers = (prefilter(path) for path in members)
    for path, (active, nfkc) in zip(members, answers):
        progress.step()
        respelt.extend(nfkc)
        if active:
            wanted.append((path, active))
            weights.append(len(sources.data(path)))
        else:
            sources.forget(path)

    reported = {p.location.path for p in project.problems if p.code == "SG002"}

    def scan_file(entry: tuple[str, list[int]]) -> list[Finding]:
        """One file: parsed once, every rule that wants it run on it, its tree dropped. A file a
        rule wants that cannot be decoded is SG002 (not an empty file without findings)."""
        path, active = entry
        language = language_of(path)
        assert language is not None  # plans hold only files of their rules' language
        text = sources.text(path)
        if text is None:
            from store_gate.rules.coverage import SG002

            problem = sources.problems.get(path)
            sources.forget(path)
            return [] if problem is None or path in reported else [SG002.at(problem.location, problem.message)]
        root = sources.root(path, language.name)
        found: list[Finding] = []
        for index in active:
            plan = plans[index]
            config = plan.config_for(text)
            if config is None:
                continue
            rule = plan.astgrep.rule
            assert rule.scan is not None
            nodes = root.find_all(config)
            matched = (_finding(rule, rule.scan, node, path, context, config) for node in nodes)
            found.extend(f for f in matched if f is not None)
        sources.forget(path)
        return found

    findings: list[Finding] = [f for found in parallel.map_files(wanted, scan_file, weights) for f in found]
    findings.extend(respelt)
    sources.parsed_files.update(path for path, _ in wanted)  # parsed here or in a child process
    if users:
        from store_gate.rules.worker import Worker  # a process of its own: only for users' rules

        budget = project.loaded.manifest.limits.rule_seconds
        worker = Worker()
        try:
            for astgrep in users:
                assert astgrep.rule.scan is not None
                files = _rule_files(astgrep, scope.files(astgrep.rule.scan.files))
                findings += _run_users(astgrep, files, sources, worker, budget, reported)
        finally:
            worker.stop()
    return findings


def _run_users(
    astgrep: AstGrepRule,
    files: list[str],
    sources: SourceCache,
    worker: Worker,
    budget: float,
    reported: set[str] | frozenset[str] = frozenset(),
) -> list[Finding]:
    """One of the manifest's own rules, file by file in the worker process, each within the
    budget: a file it overruns (or fails on) stops the rule there, and says so (SG005)."""
    findings: list[Finding] = []
    progress.stage(f"rule {astgrep.rule.code}: files", len(files))
    for position, path in enumerate(files):
        progress.step()
        parse_as = _file_language(path, astgrep.language)
        if parse_as is None:
            continue
        try:
            decoded = sources.text(path)
        except OSError:
            decoded = ""
        if decoded is None:  # not decodable: SG002, once (the built-in rules may have said it)
            from store_gate.rules.coverage import SG002

            problem = sources.problems.get(path)
            if problem is not None and path not in reported:
                findings.append(SG002.at(problem.location, problem.message))
            continue
        text = decoded
        outcome = worker.run(path, parse_as, text, astgrep.config, astgrep.message, budget)
        if outcome.problem is not None:
            findings.append(_not_run(astgrep, path, outcome, budget, len(files) - position - 1))
            break
        for line, column, message in outcome.matches:
            findings.append(astgrep.rule.at(SourceLocation(path, line + 1, column + 1), message))
    return findings


def _not_run(astgrep: AstGrepRule, path: str, outcome: Outcome, budget: float, left: int) -> Finding:
    rest = f"the {left} file{'s' if left != 1 else ''} after it"
    if outcome.over_budget:
        what = (
            f"your rule {bounded(astgrep.rule.code)} took more than its budget of {budget:g} s per file on {path}: it "
            f"was stopped there, and was not run on {rest}; make it cheaper (an `inside` with `stopBy: end` is "
            "quadratic in the depth of the tree: test the node itself first, in an `all`), or raise [limits] "
            "rule_seconds"
        )
    else:
        what = (
            f"your rule {bounded(astgrep.rule.code)} could not be run on {path} "
            f"({one_line(outcome.problem or '', 200)}), so it was not run on {rest} either"
        )
    return SG005.at(SourceLocation(astgrep.source, 1, 1), what, symbol=astgrep.rule.code)


# Produced by the runner: a rule of the manifest that could not be run on every file it governs.
SG005 = Rule(
    "SG005",
    "user-rule-over-budget",
    "error",
    "One of your own ast-grep rules exceeded its time budget on a file and was not run on the rest.",
    lowerable=False,
    waivable=False,
    baselinable=False,
)


def _rule_files(astgrep: AstGrepRule, scanned: list[str]) -> list[str]:
    included = glob_matcher(astgrep.files)
    ignored = glob_matcher(astgrep.ignores)
    return [p for p in scanned if (not astgrep.files or included(p)) and not ignored(p)]


def _finding(
    rule: Rule, scan: Scan, node: Any, path: str, context: ScanContext, config: dict[str, Any] | None = None
) -> Finding | None:
    start = node.range().start
    location = SourceLocation(path, start.line + 1, start.column + 1)
    language = language_of(path)
    assert language is not None  # only files of a known language are scanned
    owner, member = _names(node, language)
    report = scan.report(Match(node, location, " ".join(str(node.text()).split()), owner, member, context, config))
    if report is None:
        return None
    return rule.at(location, report.message, report.trait, report.method, report.symbol)


def _user_report(message: str, match: Match) -> Report:
    """`$NAME` in a user's message becomes the text that metavariable matched."""
    from store_gate.rules.worker import fill

    return Report(fill(message, match.node))
