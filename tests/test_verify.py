"""`store-gate requests` (each declaration compiled, checked against botocore's DynamoDB model)
and `store-gate verify` (run against a real endpoint): moto's server and dynalite, two
independent implementations, each started here on a free 127.0.0.1 port and stopped at the end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from store_gate.config import load
from tests.conftest import REPO, TABLE, Gate, run_cli

EXAMPLES = [REPO / "examples" / name for name in ("python", "typescript", "blue")]
WRONG = REPO / "tests" / "fixtures" / "verify" / "wrong"
# Dummy credentials, in the child's environment only: a local endpoint accepts any.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "store-gate-test",
    "AWS_SECRET_ACCESS_KEY": "store-gate-test",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
START_SECONDS = 180.0  # npx fetches dynalite from the registry on a cold cache

botocore = pytest.importorskip("botocore", reason="the verify extra is not installed: pip install -e '.[dev]'")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _started(command: list[str], port: int, name: str) -> subprocess.Popen[bytes]:
    """The server, once it accepts connections on 127.0.0.1:port; skipped with its output when it
    exits first (the package could not be fetched)."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")[-500:] if process.stdout else ""
            pytest.skip(f"{name} did not start (exit {process.returncode}): {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    _stop(process)
    pytest.skip(f"{name} did not listen on 127.0.0.1:{port} within {START_SECONDS:.0f}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """The server and what it started (npx runs node): its own process group, by id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    server = Path(sys.executable).parent / "moto_server"
    if not server.exists():
        pytest.skip("moto_server is not in this environment: pip install -e '.[dev]' (the verify extra)")
    port = _free_port()
    process = _started([str(server), "-H", "127.0.0.1", "-p", str(port)], port, "moto_server")
    yield f"http://127.0.0.1:{port}"
    _stop(process)


@pytest.fixture(scope="module")
def dynalite() -> Iterator[str]:
    npx = shutil.which("npx")
    if npx is None or shutil.which("node") is None:
        pytest.skip("node and npx are not installed: dynalite (an npm package) cannot run")
    port = _free_port()
    process = _started(
        [
            npx,
            "--yes",
            "dynalite@3",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
        ],
        port,
        "dynalite",
    )
    yield f"http://127.0.0.1:{port}"
    _stop(process)


@pytest.fixture(params=["moto", "dynalite"])
def endpoint(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(request.param))


def _tables(endpoint: str) -> list[str]:
    import botocore.session

    client = botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="store-gate-test",
        aws_secret_access_key="store-gate-test",
    )
    return [t for t in client.list_tables()["TableNames"] if t.startswith("store-gate-verify-")]


def _verify(endpoint: str, project: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("verify", "--endpoint-url", endpoint, str(project), env=CREDENTIALS)


def _statuses(output: str) -> dict[str, str]:
    """Each method's verdict line: {"DialogueStore.get_dialogue": "PASS", ...}."""
    found = {}
    for line in output.splitlines():
        status, _, method = line.partition(" ")
        if status in ("PASS", "FAIL", "SKIP"):
            found[method] = status
    return found


# ---------------------------------------------------------------- requests


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_requests_of_every_example_are_valid_for_botocore(example: Path) -> None:
    done = run_cli("requests", str(example))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].endswith("checked against botocore's DynamoDB model: all valid")
    assert "error:" not in done.stdout


def test_requests_compile_a_query_with_placeholders_typed_per_key_attribute(gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.top_scores]
        op = "Query"
        index = "ByScore"
        entity = "Score"
        key = { game = "{game}", score = { between = ["{low}", "{high}"] } }
        limit = 10

        [access.DialogueStore.get_round]
        op = "GetItem"
        entity = "Round"
        key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" }
        consistent = true
        """,
        table=TABLE.replace('name = "t"', 'name = "dialogues"'),  # 3 to 255 characters in older models
    )
    done = run_cli("requests", "--format", "json", str(gate.root))
    assert done.returncode == 0, done.stdout + done.stderr
    (manifest,) = json.loads(done.stdout)["manifests"]
    assert manifest["problems"] == []
    assert manifest["methods"] == [
        {
            "method": "DialogueStore.get_round",
            "requests": [
                {
                    "where": None,
                    "operation": "GetItem",
                    "params": {
                        "TableName": "dialogues",
                        "Key": {"pk": {"S": "DIALOGUE#{dialogue_id}"}, "sk": {"S": "ROUND#{round}"}},
                        "ConsistentRead": True,
                    },
                }
            ],
            "skipped": [],
        },
        {
            "method": "DialogueStore.top_scores",
            "requests": [
                {
                    "where": None,
                    "operation": "Query",
                    "params": {
                        "TableName": "dialogues",
                        "IndexName": "ByScore",
                        "KeyConditionExpression": "#game = :game AND #score BETWEEN :score_low AND :score_high",
                        "ExpressionAttributeNames": {"#game": "game", "#score": "score"},
                        "ExpressionAttributeValues": {
                            ":game": {"S": "{game}"},
                            ":score_low": {"N": "{low}"},
                            ":score_high": {"N": "{high}"},
                        },
                        "Limit": 10,
                    },
                }
            ],
            "skipped": [],
        },
    ]


def test_requests_names_the_method_and_member_botocore_refuses(gate: Gate) -> None:
    # DynamoDB index names are 3 to 255 characters: "G1" is refused by botocore's model.
    table = """
[table]
name = "dialogues"
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }

[table.gsi.G1]
partition_key = { name = "gsi1pk", type = "S" }
"""
    gate.manifest(
        """
        [access.DialogueStore.by_status]
        op = "Query"
        index = "G1"
        key = { gsi1pk = "STATUS#{status}" }
        page = "cursor"
        """,
        table=table,
    )
    done = run_cli("requests", str(gate.root))
    assert done.returncode == 1, done.stdout + done.stderr
    assert [line for line in done.stdout.splitlines() if line.startswith("error:")] == [
        "error: DialogueStore.by_status: Query: Invalid length for parameter IndexName, value: 2, valid min length: 3"
    ]


def test_requests_skip_what_sends_no_request_with_a_line(gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.tenant]
        op = "none"
        reason = "returns the tenant the store was built for"

        [access.DialogueStore.archive]
        delegates = ["DialogueStore.tenant"]
        """
    )
    done = run_cli("requests", str(gate.root))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[1:] == [
        "DialogueStore.archive",
        "  skipped: delegates to DialogueStore.tenant: each is compiled as its own method",
        "DialogueStore.tenant",
        '  skipped: op = "none": returns the tenant the store was built for',
        "2 methods, 0 requests checked against botocore's DynamoDB model: all valid",
    ]


def test_requests_fail_closed_on_a_table_without_name_and_a_source_that_does_not_parse(gate: Gate) -> None:
    table = """
[table]
partition_key = { name = "pk", type = "S" }

[entity.Dialogue]
pk = "DIALOGUE#{dialogue_id}"
"""
    gate.manifest(
        """
        [access.DialogueStore.get_dialogue]
        op = "GetItem"
        entity = "Dialogue"
        key = { pk = "DIALOGUE#{dialogue_id}" }
        """,
        table=table,
    )
    gate.write(
        "src/store.rs",
        """
        pub trait DialogueStore {
            fn get_dialogue(&self, dialogue_id: &str) -> Dialogue;
            fn broken(&self {
        }
        """,
    )
    done = run_cli("requests", str(gate.root))
    assert done.returncode == 1, done.stdout + done.stderr
    assert [line for line in done.stdout.splitlines() if line.startswith("error:")] == [
        'error: src/store.rs:3: SG002 syntax error: missing ")" (1 more in this file); the gate cannot see the '
        "methods it may hide - fix the syntax (its inline declarations are not compiled)",
        'error: DialogueStore.get_dialogue: GetItem: [table] has no name: add name = "..." (the TableName requests '
        "are sent to)",
    ]


def test_requests_without_the_verify_extra_says_how_to_install_it(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    (hidden / "botocore").mkdir(parents=True)
    (hidden / "botocore" / "__init__.py").write_text("raise ImportError('not installed')\n")
    path = os.pathsep.join([str(hidden), str(REPO)])
    for command in (["requests"], ["verify", "--endpoint-url", "http://127.0.0.1:9"]):
        done = run_cli(*command, str(EXAMPLES[0]), env={"PYTHONPATH": path})
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert done.stderr == (
            f"store-gate: store-gate {command[0]} needs botocore, which the verify extra installs: "
            "pip install 'store-gate[verify]' (or pip install boto3)\n"
        )


# ---------------------------------------------------------------- verify


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_verify_passes_the_examples(endpoint: str, example: Path) -> None:
    done = _verify(endpoint, example)
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = _statuses(done.stdout)
    assert "FAIL" not in statuses.values(), done.stdout
    assert " 0 failed" in done.stdout.splitlines()[-1]
    assert _tables(endpoint) == []  # the throwaway tables are gone


def test_verify_skips_what_dynalite_cannot_do_and_says_so(dynalite: str) -> None:
    done = _verify(dynalite, REPO / "examples" / "blue")
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = {m: s for m, s in _statuses(done.stdout).items() if s == "SKIP"}
    assert skipped == {
        "SessionStore.purge_expired": "SKIP",  # Time to Live: no request
        "SessionStore.tenant": "SKIP",  # op = "none"
        "SessionStore.sessions_on_device": "SKIP",  # a multi-attribute GSI key: dynalite cannot create it
        "SessionStore.start_session": "SKIP",  # TransactWriteItems: dynalite does not implement it
    }
    assert "  skipped: Query on GSI ByDevice: the endpoint cannot create its multi-attribute key" in done.stdout
    assert (
        "  skipped: TransactWriteItems is an operation the endpoint does not implement (UnknownOperationException)"
        in done.stdout
    )


def test_verify_on_moto_runs_the_multi_attribute_gsi_and_the_transaction(moto: str) -> None:
    done = _verify(moto, REPO / "examples" / "blue")
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = _statuses(done.stdout)
    assert statuses["SessionStore.sessions_on_device"] == "PASS"
    assert statuses["SessionStore.start_session"] == "PASS"
    assert [m for m, s in statuses.items() if s == "SKIP"] == ["SessionStore.purge_expired", "SessionStore.tenant"]


def test_verify_fails_an_index_the_table_lacks_and_a_prefix_that_reads_another_entity(endpoint: str) -> None:
    done = _verify(endpoint, WRONG)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _statuses(done.stdout) == {
        "DialogueStore.dialogues_of_owner": "FAIL",
        "DialogueStore.get_dialogue": "PASS",
        "DialogueStore.list_rounds": "FAIL",
        "DialogueStore.put_recommendation": "PASS",
    }
    lines = done.stdout.splitlines()
    refused = lines[lines.index("FAIL DialogueStore.dialogues_of_owner") + 1]
    assert refused.startswith("  error: Query was refused by the endpoint: ")
    assert "ByOwner" in refused
    assert lines[lines.index("FAIL DialogueStore.list_rounds") + 1] == (
        "  error: Query returned 1 Recommendation, 2 Round: items of another entity than Round"
    )
    assert lines[-1] == "4 methods: 2 passed, 2 failed, 0 skipped; the throwaway tables are deleted"
    assert _tables(endpoint) == []


def test_verify_fails_a_strongly_consistent_gsi_read(moto: str, gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.by_status]
        op = "Query"
        index = "GSI1"
        entity = "Dialogue"
        key = { gsi1pk = "STATUS#{status}" }
        consistent = true
        page = "cursor"
        """
    )
    done = _verify(moto, gate.root)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    error = lines[lines.index("FAIL DialogueStore.by_status") + 1]
    # moto 5.0 accepts it; later releases refuse it as DynamoDB does: a failure either way.
    assert error.startswith("  error: Query reads GSI GSI1 strongly consistent, which DynamoDB refuses (")
    assert error.endswith("): remove consistent = true")


def test_verify_deletes_its_tables_when_interrupted(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from store_gate.verify import live

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)

    def interrupt(line: str) -> None:
        if line.startswith("  sample items:"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        live.verify(load(EXAMPLES[0] / "store-gate.toml"), moto, None, interrupt)
    assert _tables(moto) == []


def test_verify_without_credentials_or_endpoint_is_one_line_exit_2(moto: str) -> None:
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    bare.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    done = subprocess.run(
        [sys.executable, "-m", "store_gate", "verify", "--endpoint-url", moto, str(EXAMPLES[0])],
        capture_output=True,
        text=True,
        env=bare,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "store-gate: store-gate verify: no AWS credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "(any values for a local endpoint such as moto or dynalite)\n"
    )
    closed = run_cli("verify", "--endpoint-url", f"http://127.0.0.1:{_free_port()}", str(EXAMPLES[0]), env=CREDENTIALS)
    assert closed.returncode == 2, closed.stdout + closed.stderr
    assert len(closed.stderr.splitlines()) == 1 and "Traceback" not in closed.stderr
    assert "Could not connect to the endpoint URL" in closed.stderr


def test_verify_says_what_it_does_not_check_for_a_read_without_entity(moto: str, gate: Gate) -> None:
    gate.manifest(
        """
        [access.DialogueStore.by_status]
        op = "Query"
        index = "GSI1"
        key = { gsi1pk = "STATUS#{status}" }
        page = "cursor"
        """
    )
    done = _verify(moto, gate.root)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[lines.index("PASS DialogueStore.by_status") + 1] == (
        "  ok: Query was accepted and returned 1 Dialogue (no entity declared: what it returns is not checked)"
    )


def test_verify_against_a_server_that_is_not_dynamodb_is_one_line_exit_2() -> None:
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        done = run_cli("verify", "--endpoint-url", url, str(EXAMPLES[0]), env=CREDENTIALS)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"store-gate: store-gate verify: {url} refused CreateTable store-gate-verify-")
    assert "501" in line


def test_sample_values_are_written_in_the_placeholders_classes() -> None:
    from store_gate.keytemplate import KeyTemplate
    from store_gate.verify.compile import sample_text

    template = KeyTemplate.parse("ORDER#{id:ulid}#{at:iso8601}#{n:int}#{s:segment}#{x}")
    assert sample_text(template) == "ORDER#00000000000000000000000001#2026-01-01T00:00:00.1Z#1#1#1"
    assert sample_text(template, "12") == "ORDER#00000000000000000000000012#2026-01-01T00:00:00.12Z#12#12#12"
