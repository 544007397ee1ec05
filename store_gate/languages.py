"""The languages the gate reads: one table, one entry per language.

Everything the gate knows of a language lives here - its file suffixes, its extractor module, its
ast-grep language - so that adding one is one entry (and its extractor). Extractor modules are
imported on first use: a run over Python sources never imports ast-grep-py.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store_gate.extract.model import FileExtraction, SourceProblem, TypeDefinition


# The SQL backends a generic SQL library serves: one import of it may be any of them.
SQL = ("sqlite", "postgres", "mysql")


@dataclass(frozen=True)
class Language:
    name: str  # also the ast-grep-py language name
    suffixes: tuple[str, ...]
    extractor: str  # the module with extract() and type_definitions()
    rules: str  # the folder of rules/ whose rules run on it (tsx runs typescript's)
    separator: str  # between the parts of a module path: `::`, `.`, `/`
    # Client modules by path, and the backends each serves (SG501): a use of the most specific
    # path found decides the backend; `[boundaries.backends.<name>] modules` adds more.
    backend_modules: tuple[tuple[str, tuple[str, ...]], ...]
    # Node kinds of the types (traits, classes, structs, interfaces) and members (methods, fields)
    # a structural finding names.
    owner_kinds: tuple[str, ...]
    member_kinds: tuple[str, ...]
    # The keywords a named type's definition starts with (`type_definitions` reads only these),
    # and whether an assignment at the start of a line may define one (a Python alias).
    type_keywords: tuple[str, ...] = ("type", "interface", "class")
    assigned_types: bool = False

    def module_root(self, module: str) -> str:
        """What a use of a client module starts with: its crate or top package (`sqlx` of
        `sqlx::sqlite`, `boto3`), or a whole npm package (`@aws-sdk/client-dynamodb`)."""
        return module if self.separator == "/" else module.split(self.separator)[0]

    @property
    def parsed_by_ast_grep(self) -> bool:
        """Does the extractor read an ast-grep tree (Rust, TypeScript), rather than Python's `ast`?"""
        return self.name != "python"

    def extract(self, path: str, text: str, wanted: frozenset[str], root: Any = None) -> FileExtraction:
        """The governed traits among `wanted` that the file defines, and what blocks reading them
        (`root`: the file's ast-grep tree, when parsed already). A file nested deeper than an
        extractor can walk is reported (SG002), never skipped."""
        from store_gate.extract.model import FileExtraction, SourceLocation, SourceProblem

        try:
            result: FileExtraction = import_module(self.extractor).extract(path, text, wanted, self.name, root)
        except RecursionError:
            result = FileExtraction(path)
            result.problems.append(
                SourceProblem(
                    "SG002",
                    SourceLocation(path, 1, 1),
                    "nested too deeply to analyse (the extractor recursed past its limit); the gate cannot see the "
                    "methods it may hide - flatten the nesting",
                )
            )
        return result

    def type_class(self, type_text: str) -> str:
        """What a parameter's type is, for a key part: text, number, bytes, bool, collection, or
        unknown (a type of the project's own: never a finding)."""
        found: str = import_module(self.extractor).classify_type(type_text)
        return found

    def record_fields(self, path: str, text: str, names: frozenset[str]) -> dict[str, frozenset[str]]:
        """The fields of the record types (structs, classes, interfaces) among `names` the file
        defines, for suggestions that reach a key part through a parameter."""
        found: dict[str, frozenset[str]] = import_module(self.extractor).record_fields(path, text, names)
        return found

    def type_definitions(
        self, path: str, text: str, names: frozenset[str], root: Any = None
    ) -> dict[str, TypeDefinition]:
        """The named types among `names` that the file defines: function types and collections
        (none, when the file is nested too deeply to walk: members typed by them are then SG003)."""
        try:
            found: dict[str, TypeDefinition] = import_module(self.extractor).type_definitions(
                path, text, names, self.name, root
            )
        except RecursionError:
            return {}
        return found

    def syntax_problem(self, path: str, root: Any) -> SourceProblem | None:
        """The first syntax problem of a file the extractor parsed with ast-grep (Python's are
        reported by its extractor as it parses)."""
        if not self.parsed_by_ast_grep:
            return None
        from store_gate.extract.sgnodes import first_syntax_problem

        return first_syntax_problem(root, path)


_RUST_BACKENDS = (
    ("rusqlite", ("sqlite",)),
    ("sqlx", SQL),
    ("sqlx::sqlite", ("sqlite",)),
    ("sqlx::postgres", ("postgres",)),
    ("sqlx::mysql", ("mysql",)),
    ("diesel", SQL),
    ("diesel::sqlite", ("sqlite",)),
    ("diesel::pg", ("postgres",)),
    ("diesel::mysql", ("mysql",)),
    ("sea_orm", SQL),
    ("tokio_postgres", ("postgres",)),
    ("postgres", ("postgres",)),
    ("mysql", ("mysql",)),
    ("mysql_async", ("mysql",)),
    ("aws_sdk_dynamodb", ("dynamodb",)),
    ("aws_sdk_dynamodbstreams", ("dynamodb",)),
    ("serde_dynamo", ("dynamodb",)),
    ("redis", ("redis",)),
    ("mongodb", ("mongodb",)),
)
_PYTHON_BACKENDS = (
    ("sqlite3", ("sqlite",)),
    ("aiosqlite", ("sqlite",)),
    ("sqlalchemy", SQL),
    ("psycopg", ("postgres",)),
    ("psycopg2", ("postgres",)),
    ("asyncpg", ("postgres",)),
    ("pymysql", ("mysql",)),
    ("MySQLdb", ("mysql",)),
    ("boto3", ("dynamodb",)),
    ("aioboto3", ("dynamodb",)),
    ("botocore", ("dynamodb",)),
    ("aiobotocore", ("dynamodb",)),
    ("pynamodb", ("dynamodb",)),
    ("mypy_boto3_dynamodb", ("dynamodb",)),  # boto3's type stubs: DynamoDB's shapes all the same
    ("types_aiobotocore_dynamodb", ("dynamodb",)),
    ("redis", ("redis",)),
    ("pymongo", ("mongodb",)),
    ("motor", ("mongodb",)),
)
_TYPESCRIPT_BACKENDS = (
    ("better-sqlite3", ("sqlite",)),
    ("sqlite3", ("sqlite",)),
    ("sqlite", ("sqlite",)),
    ("pg", ("postgres",)),
    ("postgres", ("postgres",)),
    ("mysql", ("mysql",)),
    ("mysql2", ("mysql",)),
    ("knex", SQL),
    ("kysely", SQL),
    ("typeorm", SQL),
    ("sequelize", SQL),
    ("drizzle-orm", SQL),
    ("@prisma/client", SQL),
    ("@aws-sdk/client-dynamodb", ("dynamodb",)),
    ("@aws-sdk/lib-dynamodb", ("dynamodb",)),
    ("aws-sdk", ("dynamodb",)),
    ("electrodb", ("dynamodb",)),
    ("dynamodb-toolbox", ("dynamodb",)),
    ("redis", ("redis",)),
    ("ioredis", ("redis",)),
    ("mongodb", ("mongodb",)),
    ("mongoose", ("mongodb",)),
)
_TYPESCRIPT_OWNERS = (
    "interface_declaration",
    "abstract_class_declaration",
    "class_declaration",
    "type_alias_declaration",
)
_TYPESCRIPT_MEMBERS = (
    "method_signature",
    "property_signature",
    "abstract_method_signature",
    "method_definition",
    "public_field_definition",
)

LANGUAGES: tuple[Language, ...] = (
    Language(
        "rust",
        (".rs",),
        "store_gate.extract.rust",
        "rust",
        "::",
        _RUST_BACKENDS,
        ("trait_item", "struct_item"),
        ("function_signature_item", "function_item", "field_declaration"),
        type_keywords=("type",),
    ),
    Language(
        "python",
        (".py", ".pyi"),
        "store_gate.extract.python",
        "python",
        ".",
        _PYTHON_BACKENDS,
        ("class_definition",),
        ("function_definition",),
        type_keywords=("type", "class"),
        assigned_types=True,
    ),
    Language(
        "typescript",
        (".ts", ".mts", ".cts"),
        "store_gate.extract.typescript",
        "typescript",
        "/",
        _TYPESCRIPT_BACKENDS,
        _TYPESCRIPT_OWNERS,
        _TYPESCRIPT_MEMBERS,
    ),
    Language(
        "tsx",
        (".tsx",),
        "store_gate.extract.typescript",
        "typescript",
        "/",
        _TYPESCRIPT_BACKENDS,
        _TYPESCRIPT_OWNERS,
        _TYPESCRIPT_MEMBERS,
    ),
)

_BY_SUFFIX = {suffix: language for language in LANGUAGES for suffix in language.suffixes}


def language_of(path: str) -> Language | None:
    """The language of a file, by its suffix (PurePosixPath's: from the last dot of the name, when
    it neither starts nor ends the name); None for files no extractor reads."""
    name = path[path.rfind("/") + 1 :]
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:]) if 0 < dot < len(name) - 1 else None


def written_in(path: str, name: str) -> bool:
    """Is the file one of the language `name`'s, by the table's suffixes (`.pyi` is Python's)?"""
    language = language_of(path)
    return language is not None and language.name == name


def rules_language(name: str) -> Language:
    """The first entry whose rules folder is `name` (tsx shares typescript's)."""
    return next(language for language in LANGUAGES if language.rules == name)
