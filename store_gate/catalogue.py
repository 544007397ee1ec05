"""The rule catalogue, as data: one entry per code.

`store-gate explain`, `store-gate rules`, the README's rule table and every reporter read this
table; nothing else spells a rule's name, default severity or documentation. It imports nothing
heavy, so `explain` and `--version` start fast.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning", "info", "off"]  # info: users' rules (ast-grep info/hint)

FAMILIES: dict[str, str] = {
    "SG0": "input (fail closed)",
    "SG1": "coverage",
    "SG2": "DynamoDB legality of one access pattern",
    "SG3": "table and single-table layout",
    "SG4": "trait shape",
    "SG5": "boundaries",
}

HOME_URL = "https://github.com/store-gate/store-gate"
DOCS_URL = f"{HOME_URL}/blob/main/docs/rules.md"  # one section per code, anchored by its code

# An error in these families is the gate itself: the manifest may not lower it.
PROTECTED_FAMILIES = ("SG0", "SG1", "SG2")


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    what: str
    why: str
    bad: str
    good: str
    fix: str
    status: Literal["stable", "preview"] = "stable"  # ruff's lifecycle; a preview rule may change
    options: str = ""  # the manifest keys that configure it
    references: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return self.code[:3]

    def doc_page(self) -> str:
        page = (
            f"{self.code} {self.name} (default severity: {self.severity}, {self.status})\n\n"
            f"{self.summary}\n\n"
            f"## What it does\n{self.what}\n\n"
            f"## Why is this bad?\n{self.why}\n\n"
            f"## Example\n{self.bad}\n\n"
            f"## Use instead\n{self.good}\n\n"
            f"## How to fix\n{self.fix}\n"
        )
        if self.options:
            page += f"\n## Options\n{self.options}\n"
        if self.references:
            page += "\n## References\n" + "".join(f"- {reference}\n" for reference in self.references)
        return page


_RULES = [
    RuleInfo(
        code="SG000",
        name="manifest-unreadable",
        severity="error",
        summary="The manifest cannot be read or validated (reported by the flake8 plugin).",
        what=(
            "The CLI reports a broken manifest as a configuration error and exits 2. flake8 has no\n"
            "such exit code, so its plugin reports the first configuration error as SG000 on the\n"
            "first line of each Python file that names a store's trait."
        ),
        why=(
            "A gate that cannot read its manifest must not look like a gate that passed: without\n"
            "this finding an editor would show a broken manifest as a clean store."
        ),
        bad='```toml\n[access.DialogueStore.get]\nop = "Serch"\n```',
        good='```toml\n[access.DialogueStore.get]\nop = "GetItem"\n```',
        fix="Run `store-gate check` to see every configuration error with its line, and fix them.",
    ),
    RuleInfo(
        code="SG001",
        name="store-trait-not-found",
        severity="error",
        summary="A configured store trait is found nowhere under its paths.",
        what=(
            "Looks for every `[[store]]` trait of the manifest in the files its `paths` globs\n"
            "match, and reports the store when no file defines it (or the globs match no file)."
        ),
        why=(
            "A gate that cannot find what it governs must not pass. Renaming `DialogueStore`, or\n"
            "moving it out of `paths`, would otherwise switch the gate off without anyone noticing,\n"
            "and relational-only methods could enter the renamed trait unchecked."
        ),
        bad=(
            '```toml\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/**/*.rs"]\n```\n'
            "while the trait was renamed `pub trait ConversationStore { ... }`."
        ),
        good=('```toml\n[[store]]\ntrait = "ConversationStore"\npaths = ["src/**/*.rs"]\n```'),
        fix=(
            "Point `trait` at the trait's new name, or widen `paths` to where it now lives. Rename\n"
            "the `[access.<Trait>.<method>]` tables with it."
        ),
    ),
    RuleInfo(
        code="SG002",
        name="store-file-unparsable",
        severity="error",
        summary="A file holding a governed trait does not parse cleanly.",
        what=(
            "Reports syntax errors (error and missing nodes of the parser) in files that hold, or\n"
            "name, a governed trait; files that are not UTF-8; and `@access` inline declarations\n"
            "that are not a valid TOML inline table of the access-pattern model."
        ),
        why=(
            "A half-typed method parses as an error node, not as a method: without this rule it\n"
            "would be dropped and its missing access pattern never reported. The gate fails closed."
        ),
        bad="```rust\npub trait DialogueStore {\n    fn list_rounds(&self, id: &DialogueId ->\n}\n```",
        good=(
            "```rust\npub trait DialogueStore {\n"
            "    fn list_rounds(&self, id: &DialogueId) -> Result<Vec<Round>>;\n}\n```"
        ),
        fix="Fix the syntax error at the reported position, or the `@access` table's TOML.",
    ),
    RuleInfo(
        code="SG003",
        name="store-member-unanalysable",
        severity="error",
        summary="The trait body holds something the gate cannot analyse.",
        what=(
            "Reports members of a governed trait whose methods cannot be known statically: a macro\n"
            "invocation (`include!`, a user macro) or any item kind the extractor does not know."
        ),
        why=(
            "A macro can expand to any number of methods. Each of them is a storage operation the\n"
            "DynamoDB backend must serve, but none of them can be checked for an access pattern."
        ),
        bad=("```rust\npub trait DialogueStore {\n    crud_methods!(Dialogue);\n}\n```"),
        good=(
            "```rust\npub trait DialogueStore {\n"
            "    fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;\n}\n```"
        ),
        fix=(
            "Write the methods out in the trait, or waive SG003 for the member in the manifest with\n"
            "a reason the data owners accept."
        ),
    ),
    RuleInfo(
        code="SG004",
        name="store-heritage-unresolved",
        severity="error",
        summary="A supertrait, base class or extended interface of a governed trait cannot be found or resolved.",
        what=(
            "Every supertrait (Rust), base class (Python) or extended interface / type (TypeScript) that a\n"
            "governed trait names is looked for under the store's `paths`. One found is governed like the\n"
            "trait itself; a standard marker (`Send`, `Debug`, `Protocol`, `ABC`, ...) is ignored unless a\n"
            "trait of that name is defined under `paths`; any other is reported, as is heritage that cannot\n"
            "be resolved statically at all (a mixin call, a computed base)."
        ),
        why=(
            "The methods of a supertrait are methods of the store: the DynamoDB backend must serve them\n"
            "too. A supertrait defined outside `paths` would bring methods that no rule ever sees."
        ),
        bad=(
            "```rust\npub trait DialogueStore: crate::admin::Admin {\n"
            "    fn get(&self, id: &str) -> Dialogue;\n}\n```\n"
            'with `paths = ["src/store/**/*.rs"]` and `Admin` defined in `src/admin.rs`.'
        ),
        good=(
            '```toml\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/store/**/*.rs", "src/admin.rs"]\n```\n'
            "or, when another manifest governs `Admin`:\n"
            '```toml\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/store/**/*.rs"]\n'
            'external = ["crate::admin::Admin"]\n```'
        ),
        fix=(
            "Add the file that defines the supertrait to the store's `paths`, or list it in\n"
            "`[[store]] external` - a reviewed statement that it is governed elsewhere."
        ),
    ),
    RuleInfo(
        code="SG101",
        name="method-access-pattern-missing",
        severity="error",
        summary="A trait method has no access pattern.",
        what=(
            "Every method of a governed trait (and of its supertraits defined under the store's\n"
            "paths) needs an access pattern, in the manifest (`[access.<Trait>.<method>]`) or\n"
            "inline in its doc comment (`@access { ... }`). The message suggests a declaration\n"
            "derived from the method's name, parameters and return type."
        ),
        why=(
            "DynamoDB serves only what its keys were designed for. A method added without showing\n"
            "which bounded, partition-scoped operation serves it is how a trait fills with\n"
            "relational-only methods that make the DynamoDB backend unviable."
        ),
        bad=(
            "```rust\nfn list_open_tensions(&self, dialogue_id: &DialogueId) -> Result<Vec<Tension>>;\n```\n"
            "with no `[access.DialogueStore.list_open_tensions]`."
        ),
        good=(
            '```toml\n[access.DialogueStore.list_open_tensions]\nop = "Query"\n'
            'entity = "Tension"\n'
            'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "TENSION#OPEN#" } }\n'
            'page = "cursor"\n```'
        ),
        fix=(
            "Declare the access pattern (start from the suggestion in the message), or waive SG101\n"
            "for the method with a reason and an expiry."
        ),
    ),
    RuleInfo(
        code="SG102",
        name="access-pattern-stale",
        severity="error",
        summary="An access pattern names a method that no governed trait has.",
        what=(
            "Reports `[access.<Trait>.<method>]` tables whose trait or method does not exist among\n"
            "the governed traits (including supertraits followed)."
        ),
        why=(
            "A stale declaration usually means a method was renamed: the new name is undeclared and\n"
            "the old proof describes nothing. The manifest must stay the truth about the table's\n"
            "access patterns, or the data owners review a fiction."
        ),
        bad="```toml\n[access.DialogueStore.list_round]   # the method is list_rounds\n```",
        good="```toml\n[access.DialogueStore.list_rounds]\n```",
        fix=(
            "Rename the table to the method's current name, move it under the trait that declares\n"
            "the method, or delete it."
        ),
    ),
    RuleInfo(
        code="SG103",
        name="access-pattern-inline-conflict",
        severity="error",
        summary="A method is declared inline and in the manifest, and the two disagree.",
        what=(
            "When a method has both an `@access` inline declaration and a manifest entry, they must\n"
            "be the same access pattern. The manifest's entry is the one checked."
        ),
        why=(
            "Two proofs that disagree mean one of them is wrong; a reviewer reading the code sees a\n"
            "different access pattern from the one the data owners approved."
        ),
        bad=(
            '```rust\n/// @access { op = "Query", key = { pk = "DIALOGUE#{id}" }, page = "cursor" }\n'
            "fn list_rounds(&self, id: &DialogueId) -> Result<Vec<Round>>;\n```\n"
            'and `[access.DialogueStore.list_rounds] op = "Scan"` in the manifest.'
        ),
        good="Keep the declaration in one place, or make both identical.",
        fix="Delete one of the two declarations, or make them agree.",
    ),
    RuleInfo(
        code="SG104",
        name="waiver-invalid",
        severity="error",
        summary="A waiver has no reason, has expired, or matches nothing.",
        what=(
            "Checks every `[[waiver]]`: it needs a non-empty `reason`; past its `expires` date it\n"
            "no longer applies; and it must suppress at least one finding. A waiver without a\n"
            "reason or past its expiry suppresses nothing."
        ),
        why=(
            "Waivers are how an exception to the gate is reviewed by the table's owners. One with no\n"
            "reason cannot be reviewed, an expired one was a promise to fix, and one that matches\n"
            "nothing would silently waive the next violation that happens to match it."
        ),
        bad=('```toml\n[[waiver]]\nrule = "SG210"\nmethod = "DialogueStore.global_stats"\nexpires = 2024-01-31\n```'),
        good=(
            '```toml\n[[waiver]]\nrule = "SG210"\nmethod = "DialogueStore.global_stats"\n'
            'reason = "read once a day by the report job"\nexpires = 2027-03-31\n```'
        ),
        fix="Give the waiver a reason, renew or remove an expired one, delete one that matches nothing.",
    ),
    RuleInfo(
        code="SG201",
        name="index-undefined",
        severity="error",
        summary="The index is not defined on the table.",
        what=(
            "Reports an inline `@access` declaration whose `index` is neither a GSI nor an LSI of\n"
            "the table. (In the manifest itself an unknown index is a configuration error.)"
        ),
        why=(
            "An access pattern proved against an index the table does not have proves nothing: the\n"
            "Query would fail at run time with a ValidationException."
        ),
        bad='```rust\n/// @access { op = "Query", index = "GSI9", key = { gsi9pk = "STATUS#{status}" } }\n```',
        good='```rust\n/// @access { op = "Query", index = "GSI1", key = { gsi1pk = "STATUS#{status}" } }\n```',
        fix="Name an index of the table, or add the index to `[table.gsi.<name>]` first.",
    ),
    RuleInfo(
        code="SG202",
        name="operation-unbounded",
        severity="error",
        summary="The operation is not a bounded one (Scan, PartiQL).",
        what=(
            "Reports access patterns whose `op` is `Scan` or a PartiQL statement\n"
            "(`ExecuteStatement`, `BatchExecuteStatement`, `ExecuteTransaction`)."
        ),
        why=(
            "A Scan reads every item of the table or index, 1 MB per page, and its cost grows with\n"
            "the table, not with the answer. A PartiQL SELECT without a key condition is a Scan in\n"
            "disguise, and whether it has one cannot be proved from the declaration."
        ),
        bad='```toml\n[access.DialogueStore.open_dialogues]\nop = "Scan"\n```',
        good=(
            '```toml\n[access.DialogueStore.open_dialogues]\nop = "Query"\nindex = "GSI1"\n'
            'key = { gsi1pk = "STATUS#open" }\npage = "cursor"\n```'
        ),
        fix=(
            "Serve the method with a Query on an index whose partition key the method's parameters\n"
            "can build; add a GSI when no index fits."
        ),
    ),
    RuleInfo(
        code="SG203",
        name="operation-index-mismatch",
        severity="error",
        summary="The operation cannot run on that index.",
        what=(
            "GetItem, PutItem, UpdateItem, DeleteItem and their batch and transaction forms address\n"
            "one item by its primary key on the base table; they cannot name a GSI or an LSI."
        ),
        why=(
            "Secondary indexes are read-only projections and are not unique: DynamoDB offers only\n"
            "Query and Scan on them. The declaration describes a call that cannot exist."
        ),
        bad='```toml\nop = "GetItem"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{status}" }\n```',
        good='```toml\nop = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{status}" }\nlimit = 1\n```',
        fix="Use a Query on the index (with `limit = 1` for a single item), or drop `index`.",
    ),
    RuleInfo(
        code="SG204",
        name="primary-key-incomplete",
        severity="error",
        summary="A single-item operation lacks the full primary key.",
        what=(
            "GetItem, PutItem, UpdateItem, DeleteItem (and batch/transaction forms) must give the\n"
            "table's partition key and, when the table has one, its sort key, both by equality."
        ),
        why=(
            "DynamoDB rejects a single-item request without the complete primary key; a range or\n"
            "prefix on the sort key is a Query, not a GetItem."
        ),
        bad='```toml\nop = "GetItem"\nkey = { pk = "DIALOGUE#{dialogue_id}" }\n```',
        good='```toml\nop = "GetItem"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }\n```',
        fix="Add the missing key attribute by equality, or declare a Query.",
    ),
    RuleInfo(
        code="SG205",
        name="key-condition-invalid",
        severity="error",
        summary="The key condition is not a valid KeyConditionExpression.",
        what=(
            "A Query needs its index's partition key by equality and at most one condition on the\n"
            "index's sort key with =, <, <=, >, >=, BETWEEN or begins_with. Conditions on other\n"
            "attributes, or other operators (contains, <>, IN, ...), are reported."
        ),
        why=(
            "DynamoDB evaluates a Query inside one partition: it must hash the partition key to find\n"
            "it, and it can only walk the sort key's order. Anything else is a filter applied after\n"
            "reading, which costs the same as reading everything."
        ),
        bad='```toml\nop = "Query"\nkey = { pk = { begins_with = "DIALOGUE#" }, sk = { contains = "ROUND" } }\n```',
        good='```toml\nop = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n```',
        fix=(
            "Give the partition key by equality; put the remaining condition on the index's sort\n"
            "key with a supported operator, or choose an index whose sort key it is."
        ),
    ),
    RuleInfo(
        code="SG206",
        name="key-placeholder-unbound",
        severity="error",
        summary="A key placeholder does not bind to a parameter of the method.",
        what=(
            "Each `{placeholder}` of a key template (and of a `limit` template) must start with the\n"
            "name of one of the method's own parameters: `{dialogue_id}`, `{round.dialogue_id}`.\n"
            "`self`, tuple or wildcard patterns and variadic parameters cannot bind."
        ),
        why=(
            "If the key cannot be built from the call's arguments, the backend has to find it some\n"
            "other way - by scanning, or from state hidden in `self`. The access pattern would not\n"
            "describe the call the trait makes."
        ),
        bad=(
            "```rust\nfn get_dialogue(&self, id: &DialogueId) -> Result<Option<Dialogue>>;\n```\n"
            'with `key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }`.'
        ),
        good='`key = { pk = "DIALOGUE#{id}", sk = "META" }`, or rename the parameter.',
        fix="Rename the placeholder to a parameter (the message lists them), or add the parameter.",
    ),
    RuleInfo(
        code="SG207",
        name="consistent-read-on-gsi",
        severity="error",
        summary="A strongly consistent read on a GSI.",
        what="Reports `consistent = true` on an access pattern that names a global secondary index.",
        why=(
            "GSIs are replicated asynchronously and support eventually consistent reads only;\n"
            "DynamoDB rejects ConsistentRead=true on a GSI with a ValidationException."
        ),
        bad='```toml\nop = "Query"\nindex = "GSI1"\nconsistent = true\n```',
        good='```toml\nop = "Query"\nindex = "GSI1"\n```\nor a Query on the base table or an LSI.',
        fix=(
            "Drop `consistent`, or serve the read from the base table or an LSI, which support\n"
            "strongly consistent reads."
        ),
    ),
    RuleInfo(
        code="SG208",
        name="key-template-type-mismatch",
        severity="error",
        summary="A key template does not fit its attribute's type.",
        what=(
            "A key attribute of type N can only be a single placeholder or a number literal; one of\n"
            "type B only a single placeholder; begins_with applies to S and B keys only."
        ),
        why=(
            '`"ROUND#{n}"` is not a number: the request would fail to serialise, or store the key\n'
            "under a type the index does not accept."
        ),
        bad=(
            '```toml\n# table: sort_key = { name = "round", type = "N" }\n'
            'key = { pk = "DIALOGUE#{id}", round = "ROUND#{n}" }\n```'
        ),
        good='```toml\nkey = { pk = "DIALOGUE#{id}", round = "{n}" }\n```',
        fix="Make the template a single placeholder (or a number), or change the attribute's type.",
    ),
    RuleInfo(
        code="SG209",
        name="query-unpaginated",
        severity="error",
        summary="A Query returning a collection has neither a page cursor nor a limit.",
        what=(
            "A Query whose method returns a collection (Vec, list, array, stream, iterator, map)\n"
            'must declare `page = "cursor"` or a `limit`.'
        ),
        why=(
            "A Query returns at most 1 MB per call. A method that promises the whole collection\n"
            "either silently truncates at 1 MB or loops over pages without bound - the unbounded\n"
            "read the gate exists to prevent."
        ),
        bad='```toml\nop = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n```',
        good=(
            '```toml\nop = "Query"\nkey = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }\n'
            'page = "cursor"\n```'
        ),
        fix='Add `page = "cursor"` (and a cursor parameter to the method) or `limit = N`.',
    ),
    RuleInfo(
        code="SG210",
        name="partition-key-constant",
        severity="warning",
        summary="A partition key template with no placeholder: every call lands on one partition.",
        what="Reports access patterns whose partition key condition is literal text only.",
        why=(
            "A partition serves at most 3,000 read units and 1,000 write units per second. A\n"
            "constant partition key sends every call of the method to the same partition: a hot\n"
            "key that throttles as the table grows."
        ),
        bad='```toml\nop = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "DIALOGUES" }\n```',
        good='```toml\nop = "Query"\nindex = "GSI1"\nkey = { gsi1pk = "STATUS#{status}" }\n```',
        fix=(
            "Put a parameter into the partition key (shard it when there is none), or waive the\n"
            "rule for a method called rarely, with the reason."
        ),
    ),
    RuleInfo(
        code="SG301",
        name="table-index-limit",
        severity="error",
        summary="More GSIs or LSIs than DynamoDB allows per table.",
        what=(
            "Counts the secondary indexes of the table (declared in the manifest, or read from the\n"
            "infrastructure): at most 20 global secondary indexes (DynamoDB's default quota per\n"
            "table, which AWS can raise on request) and 5 local secondary indexes (a fixed limit)."
        ),
        why=(
            'CreateTable and UpdateTable reject a table past these limits ("Service, account, and\n'
            'table quotas in Amazon DynamoDB", Developer Guide). A design that needs a 21st GSI\n'
            "cannot be deployed; one index per access pattern does not scale."
        ),
        bad="```toml\n[table.gsi.GSI1]\n# ... through\n[table.gsi.GSI21]\n```",
        good=(
            "Overload index keys: one GSI whose `gsi1pk`/`gsi1sk` carry different entity prefixes\n"
            "(`STATUS#{status}`, `OWNER#{owner}`) serves several access patterns."
        ),
        fix="Merge access patterns onto fewer, overloaded indexes, or request a quota increase for GSIs.",
    ),
    RuleInfo(
        code="SG302",
        name="lsi-added-to-existing-table",
        severity="error",
        summary="An LSI added to a table that already exists.",
        what=(
            "With `--base`, compares the manifest's table at the base with the current one and reports\n"
            "every local secondary index that the base's table did not have."
        ),
        why=(
            "DynamoDB creates local secondary indexes only with the table (CreateTable); UpdateTable\n"
            "cannot add one. An access pattern proved against a new LSI describes an index production\n"
            "will never have, unless the table is recreated and its data migrated."
        ),
        bad=(
            "```toml\n# at the base: no [table.lsi.*]\n[table.lsi.ByTime]\n"
            'sort_key = { name = "lsi1sk", type = "S" }\n```'
        ),
        good=(
            "```toml\n[table.gsi.ByTime]   # a GSI can be added to a live table\n"
            'partition_key = { name = "pk", type = "S" }\nsort_key = { name = "lsi1sk", type = "S" }\n```'
        ),
        fix=(
            "Declare a GSI with the same keys instead (eventually consistent), or plan the table's\n"
            "recreation and waive SG302 with the migration's reason."
        ),
    ),
    RuleInfo(
        code="SG303",
        name="table-drift",
        severity="error",
        summary="The manifest's table and the infrastructure definition disagree (drift).",
        what=(
            "When the manifest both declares `[table]` and names the infrastructure file it lives in\n"
            "(`from`), compares the two: the name, the key schema with types, each index's presence,\n"
            "kind, keys and projection. Each difference is one finding, with both values."
        ),
        why=(
            "Access patterns are proved against the manifest's table. If production's table lacks an\n"
            "index, or keys it differently, the proof is about a table that does not exist: the\n"
            "Query fails, or silently finds nothing, at run time."
        ),
        bad=(
            '```toml\n[table]\nfrom = "infra/template.yaml"\npartition_key = { name = "pk", type = "S" }\n\n'
            '[table.gsi.GSI1]    # the template has no GSI1\npartition_key = { name = "gsi1pk", type = "S" }\n```'
        ),
        good="Add GSI1 to the template (or remove it from the manifest, with the access patterns using it).",
        fix=(
            "Make the two agree - usually by changing the infrastructure, the deployed truth - or drop\n"
            "the manifest's copy and let `from` be the only definition."
        ),
    ),
    RuleInfo(
        code="SG306",
        name="access-pattern-entity-mismatch",
        severity="error",
        summary="An access pattern's keys do not fit the layout of the entity it names.",
        what=(
            "When an access pattern names an `entity`, each of its key conditions must fit that\n"
            "entity's key template for the attribute: equality must produce keys of the same shape,\n"
            "begins_with and ranges must be prefixes of it, and the entity must have the index's\n"
            "key attributes at all (otherwise its items are not in that sparse index)."
        ),
        why=(
            "In a single-table design the key text is the schema. A Query on `ROUND#` for items\n"
            "written as `RND#...` returns nothing, and a GSI Query for an entity that never writes\n"
            "the GSI's key finds none of its items."
        ),
        bad=(
            '```toml\n[entity.Round]\npk = "DIALOGUE#{dialogue_id}"\nsk = "ROUND#{round}"\n\n'
            '[access.DialogueStore.list_rounds]\nop = "Query"\nentity = "Round"\n'
            'key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "RND#" } }\n```'
        ),
        good='`key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }`',
        fix="Make the key templates match the entity's layout, or name the right entity.",
    ),
]

_RULES += [
    RuleInfo(
        code="SG401",
        name="store-method-storage-vocabulary",
        severity="warning",
        summary="A store method name carries storage vocabulary (gsi, lsi, pk, sk, scan, partition, sql, dynamo).",
        what=(
            "Looks at the method names of the governed traits (Rust), classes (Python) and interfaces\n"
            "(TypeScript) for storage words, in snake_case or camelCase; `[boundaries] vocabulary`\n"
            "adds words. The rule is rules/*/SG401-*.yml."
        ),
        why=(
            "A trait shaped by one backend's workarounds (STRUDEL R1-T01) leaks it to every caller: a\n"
            "method named after GSI1 must be renamed - in every caller - when the index changes, and a\n"
            "second backend has to pretend to have a GSI."
        ),
        bad="```rust\nfn query_gsi1_by_status(&self, status: Status) -> Result<Vec<Dialogue>>;\n```",
        good="```rust\nfn list_dialogues_by_status(&self, status: Status) -> Result<Vec<Dialogue>>;\n```",
        fix="Rename the method after the question it answers; the index belongs in its access pattern.",
    ),
    RuleInfo(
        code="SG402",
        name="store-signature-backend-type",
        severity="error",
        summary="A store signature exposes backend types (rusqlite, aws_sdk_dynamodb, AttributeValue, boto3, ...).",
        what=(
            "Looks at the parameter and return types of the governed traits' methods for client crates\n"
            "and modules (rusqlite::, aws_sdk_dynamodb::, boto3., sqlite3.) and wire types\n"
            "(AttributeValue, DynamoDBClient, Connection); `[boundaries] backend_types` adds names."
        ),
        why=(
            "A trait that takes an AttributeValue or returns a rusqlite::Connection can only be\n"
            "implemented by that backend: the abstraction is gone, and callers build storage\n"
            "representations themselves."
        ),
        bad="```rust\nfn put_raw(&self, item: HashMap<String, AttributeValue>) -> Result<()>;\n```",
        good="```rust\nfn put_dialogue(&self, dialogue: &Dialogue) -> Result<()>;\n```",
        fix="Take and return domain types; convert to and from the backend's types inside its implementation.",
    ),
    RuleInfo(
        code="SG403",
        name="domain-type-physical-key",
        severity="error",
        summary="Physical key attributes (pk, sk, gsi1pk, ...) in domain model types.",
        what=(
            "With `[boundaries]`, looks at the fields of structs (Rust), annotated class attributes\n"
            "(Python) and interface or class properties (TypeScript) in the domain files (`domain`, or\n"
            "every scanned file outside the backends' `allow`) for the table's key attribute names and\n"
            "pk/sk/gsiNpk/lsiNsk-like names."
        ),
        why=(
            "DynamoDB artefacts in the domain model (ECLAIR R1-T01) survive a backend swap as dead\n"
            "fields that every writer must keep consistent - or a second schema migration."
        ),
        bad="```rust\npub struct Dialogue { pub id: DialogueId, pub gsi1pk: String }\n```",
        good="```rust\npub struct Dialogue { pub id: DialogueId, pub status: DialogueStatus }\n```",
        fix="Move the key to the backend's item mapping (the struct it serialises to DynamoDB).",
    ),
    RuleInfo(
        code="SG501",
        name="backend-client-outside-backend",
        severity="error",
        summary="Backend clients used outside the modules allowed to hold them.",
        what=(
            "With `[boundaries.backends.<name>] allow = [...]`, reports every use of that backend's\n"
            "client outside its allowed modules: `use rusqlite::...` and `rusqlite::Connection::open`\n"
            "in Rust, `import boto3` / `import sqlite3` in Python, `@aws-sdk/client-dynamodb` or\n"
            "`better-sqlite3` imports in TypeScript. Known backends: sqlite, dynamodb, postgres, mysql,\n"
            "redis, mongodb; `modules = [...]` adds module names."
        ),
        why=(
            "Direct call sites bypass the trait (GALETTE R1-T01: 30+ rusqlite::Connection call sites\n"
            "with zero trait indirection). What the trait never sees, the DynamoDB backend cannot serve."
        ),
        bad='```rust\n// src/report.rs\nlet conn = rusqlite::Connection::open("blue.db")?;\n```',
        good="```rust\n// src/report.rs\nlet rounds = store.list_rounds(&dialogue_id, None).await?;\n```",
        fix="Call the store trait; if it lacks the operation, add a method with an access pattern.",
    ),
    RuleInfo(
        code="SG502",
        name="physical-key-format-outside-backend",
        severity="warning",
        summary='A physical key format (a literal such as "DIALOGUE#") built outside the backend.',
        what=(
            "With `[boundaries.backends.*]`, reports string literals outside the backends' modules that\n"
            "start with a physical key prefix: the literal prefixes of the manifest's entity templates\n"
            "(`DIALOGUE#`, `ROUND#`), plus `[boundaries] key_prefixes`."
        ),
        why=(
            "Key formats spelled elsewhere - in an encryption envelope's AAD, a cache key, a log line -\n"
            "couple that code to one backend's key structure (TARTLET R1-T01): the layout can no\n"
            "longer change, and another backend cannot be portable."
        ),
        bad='```rust\nlet aad = format!("DIALOGUE#{}|META", id);\n```',
        good="```rust\nlet aad = envelope::aad(&dialogue_id);   // backend-neutral identity\n```",
        fix="Build keys only in the backend, from the entity templates; elsewhere, use domain identifiers.",
    ),
]
_AWS = "https://docs.aws.amazon.com/amazondynamodb/latest"
_SEED = "the seed discussion, ../shared/seed/tensions.md"
# Per code: (manifest keys that configure the rule, references).
_DETAILS: dict[str, tuple[str, tuple[str, ...]]] = {
    "SG000": ("", ()),
    "SG001": ("`[[store]] trait` and `paths`.", (f"CROISSANT R1-T01 in {_SEED}",)),
    "SG002": ("", ()),
    "SG003": ("A waiver of SG003 for `Trait.*`.", ()),
    "SG004": ("`[[store]] paths` and `external`.", ()),
    "SG101": (
        "`[access.<Trait>.<method>]`, or `@access { ... }` in the doc comment; `[[waiver]]`.",
        (f"CROISSANT R1-T01 in {_SEED}",),
    ),
    "SG102": ("`[access.<Trait>.<method>]`.", ()),
    "SG103": ("", ()),
    "SG104": ("`[[waiver]]`: `rule`, `method` or `path`, `reason`, `expires`.", ()),
    "SG201": ("`[table.gsi.<name>]`, `[table.lsi.<name>]`, or `[table] from`.", ()),
    "SG202": ("", (f"{_AWS}/developerguide/Scan.html",)),
    "SG203": ("", (f"{_AWS}/APIReference/API_GetItem.html", f"{_AWS}/developerguide/SecondaryIndexes.html")),
    "SG204": ("", (f"{_AWS}/APIReference/API_GetItem.html",)),
    "SG205": ("", (f"{_AWS}/developerguide/Query.KeyConditionExpressions.html",)),
    "SG206": ("", ()),
    "SG207": ("`consistent` in the access pattern.", (f"{_AWS}/developerguide/HowItWorks.ReadConsistency.html",)),
    "SG208": ("The attribute's `type` in `[table]`.", (f"{_AWS}/developerguide/Query.KeyConditionExpressions.html",)),
    "SG209": ('`page = "cursor"` or `limit` in the access pattern.', (f"{_AWS}/developerguide/Query.Pagination.html",)),
    "SG210": (
        '`[severity] SG210 = "error"` to make it fail, or a waiver.',
        (f"{_AWS}/developerguide/bp-partition-key-design.html",),
    ),
    "SG301": (
        "`[table.gsi.*]`, `[table.lsi.*]`, or `[table] from`.",
        (f"{_AWS}/developerguide/ServiceQuotas.html#limits-secondary-indexes",),
    ),
    "SG302": ("`--base`; `[table.lsi.*]` or `[table] from`.", (f"{_AWS}/developerguide/LSI.html",)),
    "SG303": ("`[table] from` (+ `resource` / `name`) together with a declared `[table]`.", ()),
    "SG306": ("`[entity.<Name>]` and `entity` in the access pattern.", ()),
    "SG401": ("`[boundaries] vocabulary`.", (f"STRUDEL R1-T01 in {_SEED}",)),
    "SG402": ("`[boundaries] backend_types`.", (f"STRUDEL R1-T01 in {_SEED}",)),
    "SG403": ("`[boundaries] domain`, `key_attributes`.", (f"ECLAIR R1-T01 in {_SEED}",)),
    "SG501": (
        "`[boundaries.backends.<name>] allow`, `modules`; `[boundaries] paths`.",
        (f"GALETTE R1-T01 in {_SEED}",),
    ),
    "SG502": ("`[boundaries] key_prefixes`; the entities' templates.", (f"TARTLET R1-T01 in {_SEED}",)),
}
_RULES = [replace(rule, options=_DETAILS[rule.code][0], references=_DETAILS[rule.code][1]) for rule in _RULES]
_RULES.sort(key=lambda rule: rule.code)

RULES: dict[str, RuleInfo] = {rule.code: rule for rule in _RULES}


def lookup(code: str) -> RuleInfo | None:
    return RULES.get(code.strip().upper())


def select(prefixes: list[str]) -> set[str]:
    """Codes matching any of the prefixes (`SG2` selects SG201..SG210)."""
    wanted = [p.strip().upper() for p in prefixes if p.strip()]
    return {code for code in RULES if any(code.startswith(p) for p in wanted)}


def selection_problem(prefixes: list[str]) -> str | None:
    """Why a --select list cannot be right: an SG prefix that matches no code (other prefixes
    may name users' own rules, which only the manifest knows)."""
    for prefix in (p.strip() for p in prefixes if p.strip()):
        if prefix.upper().startswith("SG") and not select([prefix]):
            return f"{prefix} matches no rule code (see store-gate rules)"
    return None


def markdown_reference() -> str:
    """docs/rules.md: every rule's page, anchored by its code (SARIF's helpUri points here)."""
    parts = ["# store-gate rules\n\nGenerated by `store-gate rules --format markdown`; do not edit.\n"]
    for rule in RULES.values():
        page = rule.doc_page().replace("\n## ", "\n### ")
        head, _, body = page.partition("\n")
        parts.append(f'\n<a id="{rule.code.lower()}"></a>\n\n## {head}\n{body}')
    return "".join(parts)
