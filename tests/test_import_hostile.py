"""Hostile and malformed infrastructure files: each is one clear ImportProblem - the key path of
the offending value, the line where known - within bounded time and memory; never an internal
error. Every fixture is written here (nothing from ../shared)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Gate

from store_gate.schema.importers import ImportProblem, import_bytes, import_table


def problem_of(file: str, content: str) -> ImportProblem:
    with pytest.raises(ImportProblem) as raised:
        import_bytes(content.encode(), file, file)
    return raised.value


# 1. Shapes the importers assumed --------------------------------------------------------------

CFN = """\
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
"""
GSI = (
    "      GlobalSecondaryIndexes:\n        - IndexName: G\n          KeySchema: [{AttributeName: pk, KeyType: HASH}]\n"
)
SIMPLE = "Resources:\n  T:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n      PrimaryKey: pk\n"
PROPS = "Resources.Table.Properties"

SHAPES_CLOUDFORMATION = [
    (
        CFN.replace("      KeySchema:\n        - {AttributeName: pk, KeyType: HASH}\n", '      KeySchema: ["pk"]\n'),
        f'{PROPS}.KeySchema[0]: expected a mapping with AttributeName and KeyType, got the string "pk"',
        7,
    ),
    (
        CFN.replace("      KeySchema:\n        - {AttributeName: pk, KeyType: HASH}\n", "      KeySchema: pk\n"),
        f'{PROPS}.KeySchema: expected a list of mappings with AttributeName and KeyType, got the string "pk"',
        7,
    ),
    (
        CFN.replace("- {AttributeName: pk, AttributeType: S}", "- pk"),
        f'{PROPS}.AttributeDefinitions[0]: expected a mapping with AttributeName and AttributeType, got the string "pk"',
        6,
    ),
    (
        CFN.replace("- {AttributeName: pk, AttributeType: S}", "- 5"),
        f"{PROPS}.AttributeDefinitions[0]: expected a mapping with AttributeName and AttributeType, got the number 5",
        6,
    ),
    (
        CFN.replace("- {AttributeName: pk, AttributeType: S}", "- {AttributeName: [pk], AttributeType: S}"),
        f"{PROPS}.AttributeDefinitions[0].AttributeName: expected a string, got a list of 1 item",
        6,
    ),
    (
        SIMPLE,
        'Resources.T.Properties.PrimaryKey: expected a mapping with Name and Type, got the string "pk"',
        5,
    ),
    (
        CFN + "      GlobalSecondaryIndexes: [ByUser, ByDate]\n",
        f'{PROPS}.GlobalSecondaryIndexes[0]: expected a mapping with IndexName, KeySchema and Projection, got the string "ByUser"',
        9,
    ),
    (
        CFN + "      GlobalSecondaryIndexes: {ByUser: {}}\n",
        f'{PROPS}.GlobalSecondaryIndexes: expected a list of index mappings, got a mapping ("ByUser")',
        9,
    ),
    (
        CFN + GSI + "          Projection: ALL\n",
        f'{PROPS}.GlobalSecondaryIndexes[0].Projection: expected a mapping with ProjectionType, got the string "ALL"',
        12,
    ),
    (
        CFN.replace("  Table:", "  123:"),
        "Resources.123: a logical id must be a string of letters and digits, not the number 123",
        2,
    ),
    ("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n", "Resources.T: Properties is missing", 2),
    (
        "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: [KeySchema]\n",
        "Resources.T.Properties: expected a mapping of table properties, got a list of 1 item",
        4,
    ),
    (
        "Resources:\n  - Type: AWS::DynamoDB::Table\n",
        "Resources: expected a mapping of logical ids to resources, got a list of 1 item",
        1,
    ),
    (
        CFN + "      GlobalSecondaryIndexes: !If [Cond, [], !Ref AWS::NoValue]\n",
        f"{PROPS}.GlobalSecondaryIndexes: not static (Fn::If); it cannot be read without deploying",
        9,
    ),
]


@pytest.mark.parametrize(("content", "message", "line"), SHAPES_CLOUDFORMATION)
def test_cloudformation_of_the_wrong_shape_names_the_key_path_and_line(content: str, message: str, line: int) -> None:
    problem = problem_of("template.yaml", content)
    assert (problem.message, problem.line) == (message, line)


def test_cloudformation_json_of_the_wrong_shape_names_the_key_path_and_the_resource_line() -> None:
    template = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": ["pk"]}}}}
    problem = problem_of("template.json", json.dumps(template, indent=2))
    assert problem.message == (
        f'{PROPS}.KeySchema[0]: expected a mapping with AttributeName and KeyType, got the string "pk"'
    )
    assert problem.line == 3


TF_TABLE = 'resource "aws_dynamodb_table" "t" {{\n  hash_key = "pk"\n{}}}\n'
TF_ATTRIBUTE = '  attribute {\n    name = "pk"\n    type = "S"\n  }\n'
TF_MODULE = 'module "m" {{\n  hash_key = "pk"\n  attributes = [{{ name = "pk", type = "S" }}]\n{}}}\n'
SHAPES_TERRAFORM = [
    (
        TF_TABLE.format('  attribute = ["pk"]\n'),
        'aws_dynamodb_table.t.attribute[0]: expected an attribute block with name and type, got the string "pk"',
        1,
    ),
    (
        TF_TABLE.replace('hash_key = "pk"', "hash_key = 5").format(TF_ATTRIBUTE),
        "aws_dynamodb_table.t.hash_key: expected a string, got the number 5",
        1,
    ),
    (
        "variable = 5\n" + TF_TABLE.format(TF_ATTRIBUTE),
        "variable: expected variable blocks, got the number 5",
        1,
    ),
    ("locals = [1]\n", "locals: expected a locals block, got the number 1", 1),
    ("resource = 5\n", "resource: expected resource blocks, got the number 5", 1),
    (
        'resource "aws_dynamodb_table" {\n  hash_key = "pk"\n}\n',
        'aws_dynamodb_table: a block without its name label; write resource "aws_dynamodb_table" "NAME" { ... }',
        1,
    ),
    (
        'module {\n  hash_key = "pk"\n}\n',
        'module: a block without its name label; write module "NAME" { ... }',
        1,
    ),
    (
        'module "m" {\n  hash_key = "pk"\n  attributes = ["pk", 1]\n}\n',
        'module.m.attributes[0]: expected an attribute block with name and type, got the string "pk"',
        1,
    ),
    (
        TF_TABLE.format(TF_ATTRIBUTE + '  global_secondary_index = "ByUser"\n'),
        'aws_dynamodb_table.t.global_secondary_index: expected global_secondary_index blocks, got the string "ByUser"',
        1,
    ),
    (
        TF_MODULE.format("  global_secondary_indexes = { ByUser = 1 }\n"),
        'module.m.global_secondary_indexes: expected a list of index objects, got a mapping ("ByUser")',
        1,
    ),
    (
        TF_MODULE.format('  global_secondary_indexes = ["ByUser"]\n'),
        "module.m.global_secondary_indexes[0]: expected an index block with name, hash_key and projection_type, "
        'got the string "ByUser"',
        1,
    ),
    (
        TF_MODULE.format(
            '  global_secondary_indexes = [{ name = "g", hash_key = "pk", projection_type = "INCLUDE", '
            "non_key_attributes = var.extra }]\n"
        ),
        "module.m.global_secondary_indexes[0].non_key_attributes: not static (${var.extra}); the table cannot be "
        "read without a plan - declare [table] in the manifest instead",
        1,
    ),
    (
        TF_MODULE.format('  global_secondary_indexes = [{ name = "g", hash_key = "pk", projection_type = "ALL!" }]\n'),
        'module.m: index "g" projection_type is "ALL!", expected ALL, KEYS_ONLY or INCLUDE',
        1,
    ),
    (
        TF_TABLE.format(TF_ATTRIBUTE + "  dynamic = 5\n"),
        "aws_dynamodb_table.t.dynamic: expected dynamic blocks, got the number 5",
        1,
    ),
]


@pytest.mark.parametrize(("content", "message", "line"), SHAPES_TERRAFORM)
def test_terraform_of_the_wrong_shape_names_the_key_path_and_line(content: str, message: str, line: int) -> None:
    problem = problem_of("main.tf", content)
    assert (problem.message, problem.line) == (message, line)


KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFINITIONS = [{"AttributeName": "pk", "AttributeType": "S"}]
SHAPES_API = [
    (
        {"Table": {"TableName": "t", "KeySchema": ["pk"], "AttributeDefinitions": DEFINITIONS}},
        'Table.KeySchema[0]: expected a mapping with AttributeName and KeyType, got the string "pk"',
    ),
    ({"Table": "t"}, 'Table: expected a mapping of table properties, got the string "t"'),
    ({"TableDescription": []}, "TableDescription: expected a mapping of table properties, got an empty list"),
    (
        {"Table": {"KeySchema": KEY, "AttributeDefinitions": "pk"}},
        'Table.AttributeDefinitions: expected a list of mappings with AttributeName and AttributeType, got the string "pk"',
    ),
    (
        {"TableName": "t", "KeySchema": KEY, "AttributeDefinitions": DEFINITIONS, "GlobalSecondaryIndexes": ["g"]},
        'GlobalSecondaryIndexes[0]: expected a mapping with IndexName, KeySchema and Projection, got the string "g"',
    ),
    (
        {"TableName": ["t"], "KeySchema": KEY, "AttributeDefinitions": DEFINITIONS},
        "TableName: expected a string, got a list of 1 item",
    ),
]


@pytest.mark.parametrize(("document", "message"), SHAPES_API)
def test_describe_table_json_of_the_wrong_shape_names_the_key_path(document: object, message: str) -> None:
    assert problem_of("table.json", json.dumps(document)).message == message


def _model(**table: object) -> dict[str, object]:
    key = {"PartitionKey": {"AttributeName": "pk", "AttributeType": "S"}}
    return {"DataModel": [{"TableName": "t", "KeyAttributes": key, **table}]}


INDEX = {"IndexName": "g", "KeyAttributes": {"PartitionKey": {"AttributeName": "pk", "AttributeType": "S"}}}
SHAPES_WORKBENCH = [
    ({"DataModel": {"t": {}}}, 'DataModel: expected a list of tables, got a mapping ("t")'),
    (
        {"DataModel": ["t"]},
        'DataModel[0]: expected a table mapping with TableName and KeyAttributes, got the string "t"',
    ),
    (
        _model(KeyAttributes=["pk"]),
        "DataModel[0].KeyAttributes: expected a mapping with PartitionKey and SortKey, got a list of 1 item",
    ),
    (
        _model(KeyAttributes={"PartitionKey": "pk"}),
        'DataModel[0].KeyAttributes.PartitionKey: expected a mapping with AttributeName and AttributeType, got the string "pk"',
    ),
    (
        _model(KeyAttributes={"PartitionKey": {"AttributeName": ["pk"], "AttributeType": "S"}}),
        "DataModel[0].KeyAttributes.PartitionKey.AttributeName: expected a string, got a list of 1 item",
    ),
    (
        _model(GlobalSecondaryIndexes=[{**INDEX, "IndexName": {"g": 1}}]),
        'DataModel[0].GlobalSecondaryIndexes[0].IndexName: expected a string, got a mapping ("g")',
    ),
    (
        _model(GlobalSecondaryIndexes=["g"]),
        'DataModel[0].GlobalSecondaryIndexes[0]: expected a mapping with IndexName, KeyAttributes and Projection, got the string "g"',
    ),
    (
        _model(GlobalSecondaryIndexes=[{**INDEX, "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": 5}}]),
        "DataModel[0].GlobalSecondaryIndexes[0].Projection.NonKeyAttributes: expected a list of attribute names, got the number 5",
    ),
    (
        _model(TableFacets=["f"]),
        'DataModel[0].TableFacets[0]: expected a mapping with FacetName and TableData, got the string "f"',
    ),
    (
        _model(TableFacets=[{"FacetName": ["f"], "TableData": []}]),
        "DataModel[0].TableFacets[0].FacetName: expected a string, got a list of 1 item",
    ),
    (
        _model(TableFacets=[{"FacetName": "f", "TableData": ["x"]}]),
        'DataModel[0].TableFacets[0].TableData[0]: expected an item (a mapping of attributes), got the string "x"',
    ),
]


@pytest.mark.parametrize(("document", "message"), SHAPES_WORKBENCH)
def test_workbench_model_of_the_wrong_shape_names_the_key_path(document: object, message: str) -> None:
    assert problem_of("model.json", json.dumps(document)).message == message


# 2. Nesting and number limits ----------------------------------------------------------------

DEEP = "nested deeper than 64 levels at line {}; no table definition nests that deep"
LONG = "number too long: 5000 characters at line {}; numbers are read up to 1000 digits"
LIMITS = [
    ("deep.json", "[" * 100_000, DEEP.format(1), 1),
    ("deep.json", '{\n  "a":\n' + "[" * 100_000 + "]" * 100_000 + "\n}", DEEP.format(3), 3),
    ("deep.yaml", "Resources: " + "[" * 100_000, DEEP.format(1), 1),
    ("deep.yaml", "".join(" " * i + "a:\n" for i in range(200)), DEEP.format(65), 65),
    ("deep.tf", "locals {\n  a = " + "[" * 10_000 + "]" * 10_000 + "\n}\n", DEEP.format(2), 2),
    ("deep.tf", "a {\n" * 1000 + "}\n" * 1000, DEEP.format(65), 65),
    ("long.json", '{"TableName": "t",\n "KeySchema": ' + "7" * 5000 + "}", LONG.format(2), 2),
    ("long.json", '{"TableName": "t",\n "KeySchema": 0.' + "7" * 4998 + "}", LONG.format(2), 2),
    ("long.yaml", "Resources:\n  T: " + "7" * 5000 + "\n", LONG.format(2), 2),
    ("long.yaml", "Resources:\n  T: !!float 1." + "7" * 4998 + "\n", LONG.format(2), 2),
    ("long.tf", 'resource "aws_dynamodb_table" "t" {\n  hash_key = ' + "7" * 5000 + "\n}\n", LONG.format(2), 2),
    ("date.yaml", "Resources:\n  T: 2024-13-45\n", '"2024-13-45" at line 2 is not a valid date', 2),
]


@pytest.mark.parametrize(("file", "content", "message", "line"), LIMITS, ids=lambda v: str(v)[:20])
def test_deep_nesting_and_long_numbers_are_refused_with_the_line(
    file: str, content: str, message: str, line: int
) -> None:
    problem = problem_of(file, content)
    assert (problem.message, problem.line) == (message, line)


# 3. YAML aliases, and what a message quotes --------------------------------------------------

LAUGHS = "".join(
    f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10) if i else 'lol'}]\n" for i in range(10)
)  # l9 stands for 10**9 strings


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            CFN + "Metadata:\n" + LAUGHS,
            "YAML aliases expand the document by more than 100000 nodes (at line 15); aliases are expanded only up to "
            "that bound",
        ),
        (
            "Parameters:\n  Name:\n    Type: String\n    Default: &a [x]\n" + CFN + "      TableName: !Ref Name\n",
            None,  # one alias-free default that is a list: not static, never turned into text
        ),
        (
            CFN.replace(
                "      KeySchema:\n        - {AttributeName: pk, KeyType: HASH}\n", "      KeySchema: &k [*k]\n"
            ),
            "the YAML alias *k at line 7 is inside its own anchor (a recursive document); a template cannot be recursive",
        ),
    ],
    ids=["billion-laughs", "list-default", "recursive"],
)
def test_yaml_aliases_are_bounded(content: str, message: str | None) -> None:
    if message is None:
        imported = import_bytes(content.encode(), "t.yaml", "t.yaml")
        assert imported.schema.name is None
        assert imported.notes == ['TableName is not static (Ref "Name"); the table is known by its definition\'s name']
        return
    assert problem_of("t.yaml", content).message == message


def test_a_message_quotes_at_most_60_characters_on_one_line() -> None:
    huge = CFN.replace(
        "      KeySchema:\n        - {AttributeName: pk, KeyType: HASH}\n", f"      KeySchema: {'x' * 100_000}\n"
    )
    problem = problem_of("t.yaml", huge)
    assert problem.message == (
        f'{PROPS}.KeySchema: expected a list of mappings with AttributeName and KeyType, got the string "{"x" * 57}..."'
    )
    assert problem_of("t.yaml", CFN + "Outputs: \x01\n").message == (
        "YAML: the character U+0001 at line 9 is not allowed"
    )
    newline = CFN.replace("AttributeType: S", 'AttributeType: "S\\nRANGE"')
    assert problem_of("t.yaml", newline).message == (
        f'{PROPS}.AttributeDefinitions[0].AttributeType: is "S\\nRANGE", expected S, N or B'
    )


# 4. What is not a regular file, and what is too large -----------------------------------------


def test_a_directory_or_a_device_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").mkdir()
    with pytest.raises(ImportProblem) as directory:
        import_table(tmp_path / "template.yaml", "template.yaml")
    assert directory.value.message == "is a directory, not a regular file: the gate reads regular files only"
    if Path("/dev/zero").exists():
        (tmp_path / "zero.yaml").symlink_to("/dev/zero")
        with pytest.raises(ImportProblem) as device:
            import_table(tmp_path / "zero.yaml", "zero.yaml")
        assert device.value.message.startswith("is a character device, not a regular file")


def test_files_larger_than_the_limits_are_refused_plainly(tmp_path: Path) -> None:
    large = tmp_path / "model.json"
    large.write_bytes(b'{"DataModel": [], "padding": "' + b"x" * (10 * 1024 * 1024) + b'"}')
    with pytest.raises(ImportProblem) as json_file:
        import_table(large, "model.json")
    assert json_file.value.message == (
        f"the file is larger than 10 MB ({large.stat().st_size} bytes); infrastructure files are read up to 10 MB "
        "- declare [table] in the manifest instead"
    )
    yaml_text = CFN + "# " + "x" * (1024 * 1024) + "\n"
    assert problem_of("t.yaml", yaml_text).message == (
        f"the file is larger than 1 MB ({len(yaml_text)} bytes); YAML files are read up to 1 MB "
        "- declare [table] in the manifest instead"
    )
    hcl_text = TF_TABLE.format(TF_ATTRIBUTE) + "# " + "x" * (256 * 1024) + "\n"
    assert problem_of("main.tf", hcl_text).message == (
        f"the file is larger than 256 KB ({len(hcl_text)} bytes); Terraform files are read up to 256 KB "
        "- declare [table] in the manifest instead"
    )


# End to end: exit 2, one line on stderr, never an internal error, always bounded ---------------

STORE = "pub trait DialogueStore {\n    fn get(&self, id: &str);\n}\n"


def run_bounded(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process; the timeout is a guard against a hang, not a speed test."""
    return subprocess.run(
        [sys.executable, "-m", "store_gate", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "internal error" not in line and "Traceback" not in result.stderr
    return line


def with_table_from(gate: Gate, file: str) -> str:
    gate.write("src/store.rs", STORE)
    gate.manifest(table=f'[table]\nfrom = "{file}"\n')
    return f"invalid config: store-gate.toml:{gate.line_of('from = ')}: table.from: {file}"


def test_check_reports_a_template_of_the_wrong_shape_in_one_line(gate: Gate) -> None:
    gate.write("infra/t.yaml", SHAPES_CLOUDFORMATION[0][0])
    prefix = with_table_from(gate, "infra/t.yaml")
    assert one_error_line(run_bounded("check", cwd=gate.root)) == (
        f'{prefix}:7: {PROPS}.KeySchema[0]: expected a mapping with AttributeName and KeyType, got the string "pk"'
    )


def test_check_reports_deep_json_in_one_line(gate: Gate) -> None:
    gate.write("infra/t.json", "[" * 100_000)
    prefix = with_table_from(gate, "infra/t.json")
    assert one_error_line(run_bounded("check", cwd=gate.root)) == f"{prefix}:1: {DEEP.format(1)}"


def test_check_never_opens_a_fifo_given_as_from(gate: Gate) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    (gate.root / "infra").mkdir()
    os.mkfifo(gate.root / "infra" / "pipe.yaml")
    prefix = with_table_from(gate, "infra/pipe.yaml")
    assert one_error_line(run_bounded("check", cwd=gate.root)) == (
        f"{prefix}: is a FIFO (named pipe), not a regular file: the gate reads regular files only"
    )


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        (
            "laughs.yaml",
            "Parameters:\n  Name:\n    Type: String\n"
            + LAUGHS.replace("  l", "    l")
            + "    Default: *l9\n"
            + CFN
            + "      TableName: !Ref Name\n",
            "store-gate: laughs.yaml:9: YAML aliases expand the document by more than 100000 nodes (at line 9); "
            "aliases are expanded only up to that bound",
        ),
        (
            "main.tf",
            'module "m" {\n  hash_key = "pk"\n  attributes = ["pk", 1]\n}\n',
            'store-gate: main.tf:1: module.m.attributes[0]: expected an attribute block with name and type, got the string "pk"',
        ),
        (
            "pipe.yaml",
            None,
            "store-gate: pipe.yaml: is a FIFO (named pipe), not a regular file: the gate reads regular files only",
        ),
        (
            "dir.yaml",
            None,
            "store-gate: dir.yaml: is a directory, not a regular file: the gate reads regular files only",
        ),
    ],
    ids=["billion-laughs-in-a-default", "terraform-module", "fifo", "directory"],
)
def test_table_from_reports_hostile_files_in_one_line(
    tmp_path: Path, file: str, content: str | None, expected: str
) -> None:
    if content is not None:
        (tmp_path / file).write_text(content)
    elif file == "dir.yaml":
        (tmp_path / file).mkdir()
    elif hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / file)
    else:
        pytest.skip("no FIFOs here")
    assert one_error_line(run_bounded("table", "--from", file, cwd=tmp_path)) == expected
