"""SG4, SG5 and users' own rules: ast-grep YAML rules over the source, run through ast-grep-py.

The built-in rules are the ast-grep rule project in `rules/` (shipped in the wheel as
`store_gate/astgrep_rules`); `ast-grep test` runs their valid/invalid cases. Their configurable
parts are named utils whose regex store-gate sets from the manifest:

- `store-trait`: the governed traits (SG401, SG402 look only inside them);
- `storage-word`, `backend-type`, `key-attribute`: extended with `[boundaries]` lists and, for
  key attributes, the table's own key attribute names;
- `key-prefix`: the literal prefixes of the manifest's entity templates (`DIALOGUE#`).

Users' rules (`rules = ["governance/*.yml"]`) run unchanged and keep their ids and severities.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from store_gate.catalogue import Severity
from store_gate.config.cache import ValidationCache
from store_gate.errors import ConfigError, ConfigProblem
from store_gate.extract.model import SourceLocation
from store_gate.findings import Finding
from store_gate.languages import language_of
from store_gate.project import Project
from store_gate.sources import glob_problem, glob_regex, match_files

RULE_LANGUAGES = {"rust": "rust", "python": "python", "typescript": "typescript", "ts": "typescript", "tsx": "tsx"}
_SEVERITY: dict[str, Severity] = {"error": "error", "warning": "warning", "info": "info", "hint": "info", "off": "off"}
_CONFIG_KEYS = ("rule", "utils", "constraints", "transform")
_OWNER_KINDS = (
    "trait_item",
    "struct_item",
    "class_definition",
    "interface_declaration",
    "abstract_class_declaration",
    "class_declaration",
)
_MEMBER_KINDS = (
    "function_signature_item",
    "function_item",
    "function_definition",
    "method_signature",
    "property_signature",
    "abstract_method_signature",
    "method_definition",
    "public_field_definition",
    "field_declaration",
)

# Which backend a client module belongs to (SG501); [boundaries.backends.<name>].modules adds more.
KNOWN_BACKENDS: dict[str, tuple[str, ...]] = {
    "sqlite": ("rusqlite", "sqlite3", "better-sqlite3", "sqlx"),
    "dynamodb": (
        "aws_sdk_dynamodb",
        "boto3",
        "aioboto3",
        "botocore",
        "aiobotocore",
        "pynamodb",
        "@aws-sdk/client-dynamodb",
        "@aws-sdk/lib-dynamodb",
        "aws-sdk",
        "electrodb",
        "dynamodb-toolbox",
    ),
    "postgres": ("tokio_postgres", "postgres", "diesel", "psycopg", "psycopg2", "sqlalchemy", "pg"),
    "mysql": ("mysql2",),
    "redis": ("redis",),
    "mongodb": ("mongodb",),
}


@dataclass(frozen=True)
class StructuralRule:
    id: str
    code: str  # the catalogue code of a built-in rule, or a user rule's own id
    language: str
    severity: Severity
    message: str
    note: str
    config: dict[str, Any]
    source: str  # the YAML file, as shown
    builtin: bool
    files: tuple[str, ...] = ()
    ignores: tuple[str, ...] = ()


def builtin_rules_dir() -> Path:
    """The built-in rule project: inside the installed package, else the source tree's rules/."""
    packaged = Path(__file__).resolve().parent.parent / "astgrep_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@lru_cache(maxsize=8)
def builtin_rules(languages: frozenset[str], cache: ValidationCache | None = None) -> tuple[StructuralRule, ...]:
    """The built-in rules for these languages (a project's other languages cost nothing)."""
    folder = builtin_rules_dir()
    if not any(folder.glob("*/SG*.yml")):
        raise ConfigError(
            [ConfigProblem(str(folder), "", "store-gate's built-in rules are missing from the installation")]
        )
    wanted = {"typescript" if language == "tsx" else language for language in languages}
    found = sorted(p for p in folder.glob("*/SG*.yml") if p.parent.name in wanted)
    return tuple(rule for path in found for rule in _load(path, path.name, builtin=True, cache=cache))


def _documents(path: Path, shown: str, cache: ValidationCache | None) -> list[Any]:
    """The YAML documents of a rule file; from the project's cache when this exact text was
    parsed before (a pre-commit run then never imports PyYAML)."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(shown, "", f"cannot read the rule: {exc}")]) from None
    cached = cache.parsed_yaml(raw) if cache is not None else None
    if cached is not None:
        return cached
    import yaml  # only for rule texts not parsed before

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: ~10x faster
    try:
        documents: list[Any] = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError([ConfigProblem(shown, "", f"YAML syntax{where}: {getattr(exc, 'problem', exc)}")]) from None
    if cache is not None:
        cache.keep_parsed_yaml(raw, documents)
    return documents


def _load(path: Path, shown: str, builtin: bool, cache: ValidationCache | None = None) -> list[StructuralRule]:
    def problem(key: str, message: str) -> ConfigError:
        return ConfigError([ConfigProblem(shown, key, message)])

    documents = _documents(path, shown, cache)
    rules = []
    for document in documents:
        if not isinstance(document, dict):
            raise problem("", "a rule must be a mapping with id, language and rule")
        missing = [k for k in ("id", "language", "rule") if k not in document]
        if missing:
            raise problem(str(document.get("id", "")), f"missing {', '.join(missing)}")
        rule_id = str(document["id"])
        language = RULE_LANGUAGES.get(str(document["language"]).lower())
        if language is None:
            raise problem(rule_id, f"language {document['language']!r} is not one of rust, python, typescript, tsx")
        severity = _SEVERITY.get(str(document.get("severity", "error")).lower())
        if severity is None:
            raise problem(rule_id, f"severity {document['severity']!r} is not one of error, warning, info, hint, off")
        metadata = document.get("metadata") or {}
        code = str(metadata.get("code", rule_id)) if builtin else rule_id
        if not builtin and re.fullmatch(r"SG\d{3}", rule_id):
            raise problem(rule_id, "SGnnn ids are store-gate's own; give your rule another id")
        config = {k: document[k] for k in _CONFIG_KEYS if k in document}
        if not builtin:  # the built-in rules are compiled by their own tests
            _compile(config, language, shown, rule_id)
        rules.append(
            StructuralRule(
                id=rule_id,
                code=code,
                language=language,
                severity=severity,
                message=str(document.get("message", rule_id)).strip(),
                note=str(document.get("note", "")).strip(),
                config=config,
                source=shown,
                builtin=builtin,
                files=tuple(_strings(document.get("files"))),
                ignores=tuple(_strings(document.get("ignores"))),
            )
        )
    return rules


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


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


def custom_rules(project: Project) -> list[StructuralRule]:
    loaded = project.loaded
    rules: list[StructuralRule] = []
    for i, glob in enumerate(loaded.manifest.rules):
        reason = glob_problem(glob)
        if reason:
            raise ConfigError([ConfigProblem(loaded.display_path, f"rules[{i}]", reason, loaded.line_of("rules"))])
        paths = match_files(loaded.root, [glob])
        if not paths:
            raise ConfigError(
                [
                    ConfigProblem(
                        loaded.display_path, f"rules[{i}]", f'"{glob}" matches no rule file', loaded.line_of("rules")
                    )
                ]
            )
        for path in paths:
            rules += _load(loaded.root / path, path, builtin=False, cache=loaded.cache)
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(
            [ConfigProblem(loaded.display_path, "rules", f"rule ids used twice: {', '.join(duplicates)}")]
        )
    return rules


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


def entity_prefixes(project: Project) -> list[str]:
    """The literal prefixes of the entities' key templates that look like a physical format."""
    prefixes = set()
    for layout in project.entities.values():
        for template in layout.values():
            prefix = template.literal_prefix
            if len(prefix) >= 2 and re.search(r"[#|:]$", prefix):
                prefixes.add(prefix)
    return sorted(prefixes)


def _parameterised(rule: StructuralRule, project: Project) -> dict[str, Any] | None:
    """The rule's config with its named utils set from the manifest; None when it cannot apply."""
    config = copy.deepcopy(rule.config)
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
            f"(?i:(?:^|_)(?:{words})\\d*(?:_|$))|(?:^(?:{words})|(?:{capitalised}))\\d*(?:[A-Z0-9_]|$)",
        )
    if "backend-type" in utils and boundaries and boundaries.backend_types:
        utils["backend-type"] = _extend(utils["backend-type"], f"^(?:{_alternation(boundaries.backend_types)})$")
    if "key-attribute" in utils:
        names = list(project.table.attribute_types) + list(boundaries.key_attributes if boundaries else ())
        utils["key-attribute"] = _extend(utils["key-attribute"], f"^(?:{_alternation(names)})$")
    if "key-prefix" in utils:
        prefixes = entity_prefixes(project) + list(boundaries.key_prefixes if boundaries else ())
        if prefixes:
            utils["key-prefix"] = {"regex": f"^(?:{_alternation(prefixes)})"}
    return config


# -- scope -----------------------------------------------------------------------------------


@dataclass
class _Scope:
    scanned: list[str]  # boundaries.paths (default: the stores' paths)
    store_files: list[str]  # files holding governed traits
    backend_allow: dict[str, tuple[str, ...]]
    backend_modules: dict[str, tuple[str, ...]]
    domain: list[str]
    outside_backends: list[str]
    files_of_language: dict[str, list[str]] = field(default_factory=dict)


def _scope(project: Project) -> _Scope:
    loaded = project.loaded
    boundaries = loaded.manifest.boundaries
    globs = (
        list(boundaries.paths)
        if boundaries and boundaries.paths
        else [g for s in loaded.manifest.store for g in s.paths]
    )
    for glob in globs:
        reason = glob_problem(glob)
        if reason:
            raise ConfigError(
                [ConfigProblem(loaded.display_path, "boundaries.paths", reason, loaded.line_of("boundaries"))]
            )
    scanned = [p for p in match_files(loaded.root, globs) if language_of(p) is not None]
    backends = boundaries.backends if boundaries else {}
    allow = {name: b.allow for name, b in backends.items()}
    modules = {name: KNOWN_BACKENDS.get(name, ()) + b.modules for name, b in backends.items()}
    allowed = [glob_regex(g) for globs_of in allow.values() for g in globs_of]
    outside = [p for p in scanned if not any(r.match(p) for r in allowed)]
    if boundaries and boundaries.domain:
        domain_patterns = [glob_regex(g) for g in boundaries.domain]
        domain = [p for p in scanned if any(r.match(p) for r in domain_patterns)]
    else:
        domain = outside
    store_files = sorted({d.location.path for s in project.stores for d in s.definitions})
    return _Scope(scanned, store_files, allow, modules, domain, outside)


# -- running ---------------------------------------------------------------------------------


class _Parsed:
    """Files through the project's source cache: read once, parsed at most once per language
    (the extractor's trees are reused); a rule with needles parses only files containing one."""

    def __init__(self, project: Project) -> None:
        self.sources = project.sources

    def contains_any(self, path: str, needles: tuple[bytes, ...]) -> bool:
        try:
            data = self.sources.data(path)
        except OSError:
            return False
        return any(needle in data for needle in needles)

    def root_of(self, path: str, language: str) -> Any:
        from ast_grep_py import SgRoot

        key = (path, language)
        if key not in self.sources.parsed:
            try:
                text = self.sources.text(path) or ""  # SG002 reports files that are not UTF-8
            except OSError:
                text = ""
            self.sources.parsed[key] = SgRoot(text, language).root()
        return self.sources.parsed[key]


def _file_language(path: str, rule_language: str) -> str | None:
    """The ast-grep language to parse the file in, when a rule of `rule_language` runs on it."""
    language = language_of(path)
    return language.name if language is not None and language.rules == rule_language else None


def _names(node: Any) -> tuple[str | None, str | None]:
    """The type (trait, class, struct, interface) and member a node sits in."""
    owner = member = None
    for ancestor in [node, *node.ancestors()]:
        kind = ancestor.kind()
        name = ancestor.field("name")
        if member is None and kind in _MEMBER_KINDS and name is not None:
            member = str(name.text())
        elif owner is None and kind in _OWNER_KINDS and name is not None:
            owner = str(name.text())
            break
    return owner, member


def _backend_of(text: str, modules: dict[str, tuple[str, ...]]) -> str | None:
    for name, names in modules.items():
        for module in names:
            if re.search(rf"(?<![\w@/-]){re.escape(module)}(?![\w-])", text):
                return name
    return None


_KEY_WORDS = (b"pk", b"sk", b"PK", b"SK", b"Pk", b"Sk", b"gsi", b"GSI", b"lsi", b"LSI", b"partition", b"sort")


def _needles(rule: StructuralRule, project: Project, scope: _Scope) -> tuple[bytes, ...] | None:
    """Byte strings a file must contain for this built-in rule to match in it; None: no prefilter."""
    boundaries = project.loaded.manifest.boundaries
    if rule.code == "SG501":
        return tuple(m.encode() for modules in scope.backend_modules.values() for m in modules)
    if rule.code == "SG502":
        prefixes = entity_prefixes(project) + list(boundaries.key_prefixes if boundaries else ())
        return tuple(p.encode() for p in prefixes) if prefixes else (b"#",)
    if rule.code == "SG403":
        extra = list(project.table.attribute_types) + list(boundaries.key_attributes if boundaries else ())
        return _KEY_WORDS + tuple(name.encode() for name in extra)
    return None


def run(project: Project) -> tuple[list[Finding], list[StructuralRule]]:
    """Findings of the built-in structural rules and the manifest's own rules, and those rules."""
    customs = custom_rules(project)
    scope = _scope(project)
    boundaries = project.loaded.manifest.boundaries
    parsed = _Parsed(project)
    findings: list[Finding] = []
    present = frozenset(
        language.name for p in [*scope.scanned, *scope.store_files] if (language := language_of(p)) is not None
    )
    for rule in [*builtin_rules(present, project.loaded.cache), *customs]:
        if rule.severity == "off":
            continue
        if rule.builtin:
            if rule.code in ("SG401", "SG402"):
                files = scope.store_files
            elif boundaries is None:
                continue  # SG403 and SG5 need [boundaries]: where the domain and the backends are
            elif rule.code == "SG403":
                files = scope.domain
            elif not scope.backend_allow:
                continue  # SG501 and SG502 need [boundaries.backends.*]
            else:
                files = scope.outside_backends if rule.code == "SG502" else scope.scanned
            config = _parameterised(rule, project)
            if config is None:
                continue
        else:
            files = _rule_files(rule, scope.scanned)
            config = rule.config
        needles = _needles(rule, project, scope) if rule.builtin else None
        for path in files:
            parse_as = _file_language(path, rule.language)
            if parse_as is None or (needles is not None and not parsed.contains_any(path, needles)):
                continue
            for node in parsed.root_of(path, parse_as).find_all(config):
                finding = _finding(rule, node, path, scope)
                if finding is not None:
                    findings.append(finding)
    return findings, customs


def _rule_files(rule: StructuralRule, scanned: list[str]) -> list[str]:
    included = [glob_regex(g) for g in rule.files]
    ignored = [glob_regex(g) for g in rule.ignores]
    return [
        p
        for p in scanned
        if (not included or any(r.match(p) for r in included)) and not any(r.match(p) for r in ignored)
    ]


def _finding(rule: StructuralRule, node: Any, path: str, scope: _Scope) -> Finding | None:
    start = node.range().start
    location = SourceLocation(path, start.line + 1, start.column + 1)
    text = " ".join(str(node.text()).split())
    shown = text if len(text) <= 60 else text[:57] + "..."
    owner, member = _names(node)
    if not rule.builtin:
        return Finding(path, location.line, location.column, rule.code, _substitute(rule.message, node), rule.severity)
    code = rule.code
    if code == "SG401":
        message = (
            f"{owner}.{member}: the method name carries storage vocabulary; name it after the domain question it "
            "answers, not after the index or backend that serves it"
        )
        return Finding(path, location.line, location.column, code, message, rule.severity, owner, member)
    if code == "SG402":
        message = (
            f"{owner}.{member} exposes the backend type {shown} in its signature; take and return domain types and "
            "convert inside the backend"
        )
        return Finding(path, location.line, location.column, code, message, rule.severity, owner, member)
    if code == "SG403":
        message = (
            f"{owner}.{shown}: the domain type {owner} carries the physical key attribute {shown}; keep keys in the "
            "backend's item mapping"
        )
        return Finding(path, location.line, location.column, code, message, rule.severity, owner, shown)
    if code == "SG501":
        backend = _backend_of(text, scope.backend_modules)
        if backend is None:
            return None  # a backend the manifest does not govern
        if any(glob_regex(g).match(path) for g in scope.backend_allow[backend]):
            return None
        allowed = ", ".join(f'"{g}"' for g in scope.backend_allow[backend])
        message = (
            f"{shown}: a {backend} client is used outside the modules allowed to hold it ({allowed}); go through the "
            "store trait instead"
        )
        return Finding(path, location.line, location.column, code, message, rule.severity)
    if code == "SG502":
        message = (
            f"{shown} spells a physical key format outside the backend; let the backend build keys from the "
            "manifest's entity templates"
        )
        return Finding(path, location.line, location.column, code, message, rule.severity)
    return Finding(path, location.line, location.column, code, rule.message, rule.severity)


def _substitute(message: str, node: Any) -> str:
    """`$NAME` in a user's message becomes the text that metavariable matched."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        captured = node.get_match(name)
        if captured is not None:
            return " ".join(str(captured.text()).split())
        many = [n for n in node.get_multiple_matches(name) if n.is_named()]  # $$$NAME
        return ", ".join(" ".join(str(n.text()).split()) for n in many) if many else match.group(0)

    return re.sub(r"\$([A-Z_][A-Z0-9_]*)", replace, message)
