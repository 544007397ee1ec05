"""Infrastructure files: CloudFormation / SAM / Serverless (JSON and YAML), Terraform HCL,
describe-table and create_table JSON, NoSQL Workbench models - generated trees and mutations of
tests/fixtures/infra/* - through the importers (`import_bytes`) and through a manifest's
`[table] from`."""

from __future__ import annotations

import json
from typing import Any

from fuzzing import (
    EXAMPLES,
    INFRA,
    ODD_TEXT,
    budget,
    checked,
    json_text,
    mutated_bytes,
    mutated_text,
    mutated_tree,
    project,
    rarely,
    settles,
    trees,
    words,
    write,
    yaml_text,
)
from hypothesis import given
from hypothesis import strategies as st

from store_gate.schema import describe
from store_gate.schema.importers import ImportedTable, import_bytes
from store_gate.schema.importers.cloudformation import load_yaml

INFRA_WORDS = [
    # CloudFormation, SAM, Serverless
    "AWSTemplateFormatVersion", "Transform", "Parameters", "Default", "Type", "Conditions", "Mappings", "Outputs",
    "Resources", "resources", "service", "Properties", "TableName", "KeySchema", "AttributeName", "KeyType", "HASH",
    "RANGE", "AttributeDefinitions", "AttributeType", "S", "N", "B", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
    "IndexName", "Projection", "ProjectionType", "NonKeyAttributes", "ALL", "KEYS_ONLY", "INCLUDE", "BillingMode",
    "PrimaryKey", "Name", "String", "Number", "Binary", "Replicas", "Region", "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable", "AWS::Serverless::Function", "Ref", "Fn::Sub",
    "Fn::If", "Fn::Select", "Fn::Join", "Fn::GetAtt", "Fn::FindInMap", "Fn::ImportValue", "Fn::Split",
    "AWS::Region", "AWS::NoValue", "Stage", "${Stage}", "dialogues-${Stage}", "${self:service}",
    # describe-table, create_table
    "Table", "TableDescription", "TableStatus", "ItemCount", "IndexStatus",
    # NoSQL Workbench
    "ModelName", "ModelMetadata", "DataModel", "KeyAttributes", "PartitionKey", "SortKey", "TableFacets",
    "FacetName", "KeyAttributeAlias", "PartitionKeyAlias", "SortKeyAlias", "TableData", "DataAccess",
    # names
    "pk", "sk", "PK", "SK", "gsi1pk", "GSI1", "ByTime", "DialoguesTable", "c#12345", "o#2024-01", "#", "",
]  # fmt: skip

CFN_TYPES = ["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable", "AWS::S3::Bucket"]
INTRINSICS = ["Ref", "Fn::Sub", "Fn::If", "Fn::Select", "Fn::Join", "Fn::GetAtt", "Fn::FindInMap", "Fn::Split"]


def _fixture_tree(name: str) -> Any:
    text = (INFRA / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else load_yaml(text)[0]


FIXTURES = sorted(path.name for path in INFRA.iterdir())
TREE_FIXTURES = [name for name in FIXTURES if name.endswith((".json", ".yaml", ".yml"))]  # the trees a mutation edits
TREES = {name: _fixture_tree(name) for name in TREE_FIXTURES}
TEXTS = {name: (INFRA / name).read_text(encoding="utf-8") for name in FIXTURES}
VALUES = trees(INFRA_WORDS, 20)


@st.composite
def intrinsic(draw: st.DrawFn) -> Any:
    return {draw(st.sampled_from(INTRINSICS)): draw(VALUES)}


def odd(common: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly `common`, now and then any value at all (an intrinsic function among them): most
    cases get past the shape checks to the reading of the table, every field is tried wrong."""
    return rarely(common, st.one_of(VALUES, intrinsic()), 25)


ATTRIBUTE = st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk", "lsi1sk", "score", "PK", "SK"])
SCALAR_TYPE = st.sampled_from(["S", "S", "N", "B", "Z", "String"])
PROJECTION = odd(
    st.fixed_dictionaries(
        {"ProjectionType": odd(st.sampled_from(["ALL", "KEYS_ONLY", "INCLUDE", "SOME"]))},
        optional={"NonKeyAttributes": odd(st.lists(odd(ATTRIBUTE), max_size=3))},
    )
)


@st.composite
def key_schema(draw: st.DrawFn, defined: list[str]) -> Any:
    """A HASH (and mostly a RANGE) key on attributes drawn into `defined` (so that the
    AttributeDefinitions drawn after it mostly agree)."""
    names = draw(st.lists(ATTRIBUTE, min_size=1, max_size=2, unique=True))
    defined.extend(name for name in names if name not in defined)
    keys = [
        draw(odd(st.fixed_dictionaries({"AttributeName": odd(st.just(name)), "KeyType": odd(st.just(kind))})))
        for name, kind in zip(names, ["HASH", "RANGE"])
    ]
    return draw(odd(st.just(keys)))


@st.composite
def table_properties(draw: st.DrawFn) -> Any:
    defined: list[str] = []
    properties: dict[str, Any] = {"KeySchema": draw(key_schema(defined))}
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if draw(st.booleans()):
            indexes = []
            for _ in range(draw(st.integers(0, 3))):
                index = {
                    "IndexName": draw(odd(st.sampled_from(["GSI1", "ByTime", "GSI1", ""]))),
                    "KeySchema": draw(key_schema(defined)),
                }
                if draw(st.booleans()):
                    index["Projection"] = draw(PROJECTION)
                indexes.append(draw(odd(st.just(index))))
            properties[kind] = draw(odd(st.just(indexes)))
    if draw(st.integers(0, 9)) == 0:
        defined.append(draw(ATTRIBUTE))
    elif defined and draw(st.integers(0, 9)) == 0:
        defined.pop()
    definitions = [
        draw(odd(st.fixed_dictionaries({"AttributeName": odd(st.just(n)), "AttributeType": odd(SCALAR_TYPE)})))
        for n in defined
    ]
    properties["AttributeDefinitions"] = draw(odd(st.just(definitions)))
    optional = {
        "TableName": odd(st.sampled_from(["dialogues", "t", ""])),
        "BillingMode": odd(st.just("PAY_PER_REQUEST")),
        "Replicas": odd(st.lists(st.fixed_dictionaries({"Region": st.just("eu-west-1")}), max_size=2)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True)):
        properties[key] = draw(optional[key])
    if draw(st.integers(0, 19)) == 0:
        del properties[draw(st.sampled_from(sorted(properties)))]
    return properties


TABLE_PROPERTIES = table_properties()


@st.composite
def cloudformation_tree(draw: st.DrawFn, serverless: bool = False) -> Any:
    """A template around tables: resources of the importers' types whose properties are mostly
    right and now and then anything (an intrinsic function, another type, a deep tree)."""
    simple = st.fixed_dictionaries(
        {
            "PrimaryKey": odd(
                st.fixed_dictionaries(
                    {"Name": odd(ATTRIBUTE), "Type": odd(st.sampled_from(["String", "Number", "Binary", "S"]))}
                )
            )
        },
        optional={"TableName": odd(st.just("t"))},
    )
    resource = st.sampled_from(CFN_TYPES[:3] * 3 + CFN_TYPES[3:]).flatmap(
        lambda kind: st.fixed_dictionaries(
            {
                "Type": odd(st.just(kind)),
                "Properties": odd(simple if kind.endswith("SimpleTable") else TABLE_PROPERTIES),
            }
        )
    )
    ids = rarely(st.sampled_from(["DialoguesTable", "Sessions", "Table", "T1"]), words(INFRA_WORDS), 12)
    template: dict[str, Any] = {"Resources": draw(odd(st.dictionaries(ids, odd(resource), min_size=1, max_size=3)))}
    if draw(st.booleans()):
        template["Parameters"] = draw(
            st.dictionaries(
                words(INFRA_WORDS),
                odd(st.fixed_dictionaries({"Type": st.just("String"), "Default": odd(st.just("prod"))})),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        template["AWSTemplateFormatVersion"] = "2010-09-09"
    if serverless and draw(st.booleans()):  # Serverless Framework: YAML only
        template = {"service": "s", "resources": template}
    return template


@st.composite
def api_tree(draw: st.DrawFn) -> Any:
    """describe-table / create-table output, boto3 create_table parameters."""
    tree = draw(TABLE_PROPERTIES)
    wrapper = draw(st.sampled_from([None, "Table", "TableDescription"]))
    return tree if wrapper is None else {wrapper: tree}


WORKBENCH_KEY = odd(st.fixed_dictionaries({"AttributeName": odd(ATTRIBUTE), "AttributeType": odd(SCALAR_TYPE)}))
WORKBENCH_KEYS = odd(st.fixed_dictionaries({"PartitionKey": WORKBENCH_KEY}, optional={"SortKey": WORKBENCH_KEY}))
SAMPLE = odd(st.sampled_from(["c#12345", "c#23456", "o#2024-01", "META", "", "#", "x#y#z", "{pk}", "{{"]))
WORKBENCH_TABLE = st.fixed_dictionaries(
    {"TableName": odd(st.sampled_from(["Shop", "t", ""])), "KeyAttributes": WORKBENCH_KEYS},
    optional={
        "GlobalSecondaryIndexes": odd(
            st.lists(
                odd(
                    st.fixed_dictionaries(
                        {"IndexName": odd(st.just("GSI1")), "KeyAttributes": WORKBENCH_KEYS},
                        optional={"Projection": PROJECTION},
                    )
                ),
                max_size=2,
            )
        ),
        "TableFacets": odd(
            st.lists(
                odd(
                    st.fixed_dictionaries(
                        {"FacetName": odd(st.sampled_from(["Customer", "Order", ""]))},
                        optional={
                            "KeyAttributeAlias": odd(
                                st.fixed_dictionaries(
                                    {"PartitionKeyAlias": odd(ATTRIBUTE), "SortKeyAlias": odd(ATTRIBUTE)}
                                )
                            ),
                            "TableData": odd(
                                st.lists(
                                    odd(
                                        st.dictionaries(
                                            ATTRIBUTE, odd(st.fixed_dictionaries({"S": SAMPLE})), max_size=3
                                        )
                                    ),
                                    max_size=3,
                                )
                            ),
                        },
                    )
                ),
                max_size=3,
            )
        ),
    },
)


@st.composite
def workbench_tree(draw: st.DrawFn) -> Any:
    return {"ModelName": "m", "DataModel": draw(odd(st.lists(odd(WORKBENCH_TABLE), min_size=1, max_size=2)))}


# -- HCL -----------------------------------------------------------------------------------------

HCL_KEYS = [
    "name", "hash_key", "range_key", "billing_mode", "projection_type", "non_key_attributes", "attributes",
    "global_secondary_indexes", "local_secondary_indexes", "type", "source", "default", "for_each", "content",
    "count", "tags", "x", "attribute", "global_secondary_index", "local_secondary_index",
]  # fmt: skip
HCL_BLOCKS = [
    "attribute",
    "global_secondary_index",
    "local_secondary_index",
    "ttl",
    "dynamic",
    "content",
    "lifecycle",
    "x",
]


@st.composite
def hcl_expression(draw: st.DrawFn, depth: int = 0) -> str:
    simple = [
        st.sampled_from(
            [
                '"pk"',
                '"sk"',
                '"S"',
                '"N"',
                '"ALL"',
                '"INCLUDE"',
                '"${var.x}"',
                '"a-${local.y}"',
                '"%{ if true }x%{ endif }"',
                "null",
                "true",
                "1",
                "-1.5e3",
                "var.table",
                "local.keys",
                "each.value",
                "attribute.value.name",
                "module.m.x",
                "0x10",
            ]
        ),
        ODD_TEXT.map(json.dumps),
        st.sampled_from(["1" * 1001, "9" * 5000, '"' + "x" * 300 + '"']),
    ]
    if depth >= 2:
        return draw(st.one_of(*simple))
    inner = hcl_expression(depth + 1)
    compound = [
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(HCL_KEYS), inner), max_size=3).map(
            lambda kv: "{ " + ", ".join(f"{k} = {v}" for k, v in kv) + " }"
        ),
        st.tuples(st.sampled_from(["lookup", "merge", "concat", "tolist", "f"]), st.lists(inner, max_size=3)).map(
            lambda c: f"{c[0]}({', '.join(c[1])})"
        ),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        inner.map(lambda e: f"[for x in var.l : {e}]"),
        st.just("<<EOT\nhello ${var.x}\nEOT\n"),
    ]
    return draw(st.one_of(*simple, *compound))


@st.composite
def hcl_body(draw: st.DrawFn, depth: int = 0) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            block = draw(st.sampled_from(HCL_BLOCKS))
            label = f' "{draw(st.sampled_from(HCL_BLOCKS))}"' if block == "dynamic" else ""
            lines.append(f"{block}{label} {{\n{draw(hcl_body(depth + 1))}}}")
        else:
            lines.append(f"{draw(st.sampled_from(HCL_KEYS))} = {draw(hcl_expression())}")
    return "".join(line + "\n" for line in lines)


@st.composite
def hcl_document(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["resource", "resource", "module", "variable", "locals", "data", "output"]))
        if kind == "resource":
            header = f'resource "{draw(st.sampled_from(["aws_dynamodb_table", "aws_s3_bucket", "x"]))}" {json.dumps(draw(words(HCL_KEYS)))}'
        elif kind == "module":
            header = f"module {json.dumps(draw(words(HCL_KEYS)))}"
        elif kind == "variable":
            header = f'variable "{draw(st.sampled_from(["table", "x", "keys"]))}"'
        elif kind == "locals":
            header = "locals"
        else:
            header = f'{kind} "aws_dynamodb_table" "t"'
        body = draw(hcl_body())
        if kind == "module" and draw(st.booleans()):
            body = 'source = "terraform-aws-modules/dynamodb-table/aws"\n' + body
        blocks.append(f"{header} {{\n{body}}}\n")
    return "\n".join(blocks)


# -- the property ----------------------------------------------------------------------------------


def imported(raw: bytes, file_name: str, resource: str | None, name: str | None) -> None:
    table = settles(lambda: import_bytes(raw, file_name, file_name, resource, name))
    if table is not None:
        assert isinstance(table, ImportedTable)
        describe.render_text(table.schema, "fuzz", table, table.entities)
        describe.render_json(table.schema, "fuzz", table, table.entities)


SELECTORS = rarely(
    st.none(), st.one_of(st.sampled_from(["DialoguesTable", "Table", "dialogues", "x", ""]), ODD_TEXT), 4
)
JSON_TREES = rarely(st.one_of(cloudformation_tree(), api_tree(), workbench_tree()), VALUES, 8)
INFRA_TOKENS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    '"',
    "- ",
    "  ",
    "\n",
    "!Ref ",
    "!Sub ",
    "!GetAtt a.b",
    "!Unknown ",
    "&a ",
    "*a",
    "<<: *a",
    "---\n",
    "${",
    "=",
    "#",
    "//",
    "/*",
    "*/",
    "<<EOT\n",
    "EOT\n",
    "9" * 1200,
    "\t",
    "\\",
    "null",
    "~",
    "'",
]


@budget(120)
@given(tree=JSON_TREES, resource=SELECTORS, name=SELECTORS)
def test_generated_json(tree: Any, resource: str | None, name: str | None) -> None:
    imported(json_text(tree).encode(), "template.json", resource, name)


@budget(80)
@given(data=st.data(), resource=SELECTORS, suffix=st.sampled_from([".yaml", ".yml", ".template"]))
def test_generated_yaml(data: st.DataObject, resource: str | None, suffix: str) -> None:
    tree = data.draw(rarely(cloudformation_tree(serverless=True), VALUES, 8))
    text = data.draw(yaml_text(tree))
    imported(text.encode("utf-8", "surrogatepass"), "template" + suffix, resource, None)


@budget(80)
@given(text=hcl_document(), resource=SELECTORS)
def test_generated_terraform(text: str, resource: str | None) -> None:
    imported(text.encode("utf-8", "surrogatepass"), "main.tf", resource, None)


@budget(150)
@given(data=st.data(), fixture=st.sampled_from(TREE_FIXTURES), resource=SELECTORS, name=SELECTORS)
def test_fixtures_edited_as_trees(data: st.DataObject, fixture: str, resource: str | None, name: str | None) -> None:
    tree = data.draw(mutated_tree(TREES[fixture], INFRA_WORDS))
    text = json_text(tree) if fixture.endswith(".json") else data.draw(yaml_text(tree))
    imported(text.encode("utf-8", "surrogatepass"), fixture, resource, name)


@budget(150)
@given(data=st.data(), fixture=st.sampled_from(FIXTURES), resource=SELECTORS)
def test_fixtures_edited_as_text(data: st.DataObject, fixture: str, resource: str | None) -> None:
    text = data.draw(mutated_text(TEXTS[fixture], INFRA_TOKENS))
    raw = data.draw(mutated_bytes(text)) if data.draw(st.integers(0, 9)) == 0 else text.encode("utf-8", "surrogatepass")
    imported(raw, fixture, resource, None)


@budget(20)
@given(
    fixture=st.sampled_from([*TREE_FIXTURES, *(name for name in FIXTURES if name.endswith(".tf"))]),
    depth=st.sampled_from([63, 64, 65, 200, 5000]),
    kind=st.sampled_from(["list", "dict"]),
)
def test_nesting_at_and_past_the_bound(fixture: str, depth: int, kind: str) -> None:
    if fixture.endswith(".tf"):
        value = "[" * depth + "]" * depth if kind == "list" else "{ a = " * depth + "1" + " }" * depth
        text = TEXTS[fixture] + f'\nvariable "deep" {{\n  default = {value}\n}}\n'
    else:
        value = "[" * depth + '"x"' + "]" * depth if kind == "list" else '{"a": ' * depth + '"x"' + "}" * depth
        tree = TREES[fixture] if isinstance(TREES[fixture], dict) else {"x": TREES[fixture]}
        text = json.dumps(tree)[:-1] + f', "Deep": {value}}}\n'  # JSON is YAML too
    imported(text.encode(), fixture, None, None)


@budget(60)
@given(
    data=st.data(),
    fixture=st.sampled_from(FIXTURES),
    declared=st.booleans(),
    resource=rarely(st.sampled_from([None, "DialoguesTable"]), SELECTORS, 5),
)
def test_manifest_table_from(data: st.DataObject, fixture: str, declared: bool, resource: str | None) -> None:
    """Through the manifest: `[table] from` an edited fixture, alone (the blue example's store,
    its inline declarations checked against the imported table) or next to blue's declared table
    and layout (compared with it: SG303)."""
    if fixture not in TREES or data.draw(st.integers(0, 3)) == 0:  # HCL and CDK/pynamodb sources: as text
        text = data.draw(mutated_text(TEXTS[fixture], INFRA_TOKENS))
    else:
        tree = data.draw(mutated_tree(TREES[fixture], INFRA_WORDS))
        text = json_text(tree) if fixture.endswith(".json") else data.draw(yaml_text(tree))
    selector = f"resource = {json.dumps(resource)}\n" if resource is not None else ""
    if declared:
        manifest = (EXAMPLES / "blue" / "store-gate.toml").read_text(encoding="utf-8")
        manifest = manifest.replace('name = "blue-alignment"\n', f'from = "infra/{fixture}"\n{selector}', 1)
    else:
        manifest = f'version = 1\n\n[[store]]\ntrait = "DialogueStore"\npaths = ["src/**/*.rs"]\n\n[table]\nfrom = "infra/{fixture}"\n{selector}'
    with project("blue") as root:
        write(root, f"infra/{fixture}", text)
        write(root, "store-gate.toml", manifest)
        checked(root / "store-gate.toml")
