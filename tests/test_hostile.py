"""Hostile input: every class gives exit 0, 1 or 2 with a clear one-line message, in bounded time,
and nothing is read or written outside the project. (The importers' classes are in
test_import_hostile.py, the extractors' in test_bypasses_*.py.)"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Gate, run_cli

STORE = 'pub trait DialogueStore {\n    /// @access { op = "GetItem", key = { pk = "P#{id}", sk = "META" } }\n    fn get(&self, id: &str);\n}\n'
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def bounded(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI with a hang guard: a test that times out is a hang, not a slow pass."""
    return subprocess.run(
        [sys.executable, "-m", "store_gate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ},
    )


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    (line,) = result.stderr.splitlines()
    return line


def sg002(gate: Gate) -> list[tuple[str, str]]:
    """The run's findings, each an SG002 (any other finding fails): where, and what is wrong."""
    found = gate.findings()
    assert [f.code for f in found] == ["SG002"] * len(found), found
    return [(f.path, f.message.split("; the gate")[0]) for f in found]


def top_level(gate: Gate, keys: str, extra: str = "") -> None:
    """A manifest with top-level `keys` (before any table) and `extra` tables at its end."""
    gate.manifest(extra=extra)
    manifest = gate.root / "store-gate.toml"
    manifest.write_text(manifest.read_text().replace("version = 1\n", f"version = 1\n{keys}\n", 1))


# Files that are not regular, not readable, or not inside -----------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_under_paths_is_reported_never_opened(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    os.mkfifo(gate.root / "src" / "pipe.rs")
    result = bounded("check", "--format", "json", cwd=gate.root, timeout=30)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["path"], f["message"].split(";")[0]) for f in findings] == [
        ("SG002", "src/pipe.rs", "is a FIFO (named pipe), not a regular file: the gate reads regular files only")
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("which", ["store-gate.toml", "store-gate-baseline.json"])
def test_a_fifo_as_manifest_or_baseline_is_a_config_error(gate: Gate, which: str) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    (gate.root / which).unlink(missing_ok=True)
    os.mkfifo(gate.root / which)
    line = one_error(bounded("check", cwd=gate.root, timeout=30))
    assert "is a FIFO (named pipe), not a regular file" in line


def test_a_dangling_symlink_and_a_symlink_loop_are_reported(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    (gate.root / "src" / "gone.rs").symlink_to(gate.root / "src" / "nowhere.rs")
    (gate.root / "src" / "a.rs").symlink_to(gate.root / "src" / "b.rs")
    (gate.root / "src" / "b.rs").symlink_to(gate.root / "src" / "a.rs")
    assert sg002(gate) == [
        ("src/a.rs", "a symlink to nothing (or a symlink loop)"),
        ("src/b.rs", "a symlink to nothing (or a symlink loop)"),
        ("src/gone.rs", "missing (a symlink to nothing, or removed during the run)"),
    ]


def test_a_file_larger_than_the_limit_is_reported_not_parsed(gate: Gate) -> None:
    gate.manifest(extra="\n[limits]\nmax_file_bytes = 2048\n")
    gate.write("src/store.rs", STORE)
    gate.write("src/big.rs", "// " + "x" * 4000 + "\npub trait DialogueStore {}\n")
    assert sg002(gate) == [("src/big.rs", "too large to analyse (4,031 bytes; the limit is 2,048)")]


@pytest.mark.skipif(ROOT, reason="root reads files whatever their mode")
def test_an_unreadable_file_and_folder_are_reported(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    gate.write("src/secret.rs", "pub trait X {}\n")
    gate.write("src/closed/inner.rs", "pub trait DialogueStore {}\n")
    (gate.root / "src" / "secret.rs").chmod(0)
    (gate.root / "src" / "closed").chmod(0)
    try:
        found = sg002(gate)
    finally:
        (gate.root / "src" / "closed").chmod(0o755)
    assert [path for path, _ in found] == ["src/closed", "src/secret.rs"]


def test_an_unreadable_file_is_reported_even_for_root(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, by making the open fail: root ignores file modes."""
    from store_gate import sources

    gate.manifest()
    gate.write("src/store.rs", STORE)
    gate.write("src/secret.rs", "pub trait DialogueStore {}\n")
    real_open = os.open

    def failing(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret.rs"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sources.os, "open", failing)
    assert sg002(gate) == [("src/secret.rs", "cannot be opened (Permission denied)")]


def test_a_glob_through_a_symlink_to_dev_is_never_read(gate: Gate) -> None:
    top_level(gate, 'rules = ["devices/*"]')
    gate.write("src/store.rs", STORE)
    (gate.root / "devices").symlink_to("/dev")
    line = one_error(bounded("check", cwd=gate.root, timeout=30))
    assert "a folder that leads outside the project (a symlink): not walked" in line


def test_the_baseline_is_never_read_or_written_outside_the_project(
    gate: Gate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "baseline.json"
    gate.manifest()
    gate.write("src/store.rs", STORE)
    line = one_error(run_cli("baseline", "--reason", "r", "--baseline", str(outside), cwd=gate.root))
    assert "the baseline is read and written only inside the project" in line and not outside.exists()
    (gate.root / "store-gate-baseline.json").symlink_to(outside)
    line = one_error(run_cli("baseline", "--reason", "r", cwd=gate.root))
    assert "never through a symlink" in line and not outside.exists()


# Globs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("glob", "reason"),
    [
        ("src/[z-a].rs", "the range z-a is reversed"),
        ("src/[].rs", "unclosed ["),  # `]` first in a class is a member: the class never closes
        ("src/[!].rs", "unclosed ["),
        ("src/[ab.rs", "unclosed ["),
        ("src/{a,b}.rs", "braces are not expanded; write one glob per alternative"),
        ("/etc/*.rs", "is absolute; write it relative to the manifest's folder"),
        ("src/../../*.rs", "leaves the manifest's folder"),
    ],
)
def test_a_bad_glob_is_a_config_error(gate: Gate, glob: str, reason: str) -> None:
    gate.manifest(paths=json.dumps([glob]))
    line = one_error(run_cli("check", cwd=gate.root))
    assert "store[0].paths[0]" in line and reason in line


def test_a_glob_built_to_backtrack_finishes_at_once(gate: Gate) -> None:
    glob = "src/" + "*a" * 30 + "b/*.rs"
    gate.manifest(paths=json.dumps(["src/**/*.rs", glob]))
    gate.write("src/store.rs", STORE)
    gate.write("src/" + "a" * 80 + "/x.rs", "// nothing\n")
    result = bounded("check", cwd=gate.root, timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr


def test_posix_classes_in_globs_work(gate: Gate) -> None:
    gate.manifest(paths='["src/[[:lower:]]*.rs"]')
    gate.write("src/store.rs", STORE)
    assert gate.findings() == []


# Numbers and nesting ----------------------------------------------------------------------------


def test_a_manifest_with_a_5000_digit_integer_is_a_config_error(gate: Gate) -> None:
    gate.manifest(extra="\n[limits]\nmax_file_bytes = " + "9" * 5000 + "\n")  # [limits] is a table: at the end
    line = one_error(run_cli("check", cwd=gate.root))
    assert "the manifest holds a number too long to read" in line


def test_a_manifest_nested_thousands_deep_is_a_config_error(gate: Gate) -> None:
    top_level(gate, "rules = " + "[" * 3000 + "]" * 3000)
    line = one_error(run_cli("check", cwd=gate.root))
    assert "the manifest nested too deeply" in line


def test_an_inline_declaration_with_a_huge_number_is_sg002(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE.replace('sk = "META" }', 'sk = "META" }, limit = ' + "1" * 5000))
    finding = gate.only("SG002", also=("SG101",))  # the declaration is unreadable: the method is undeclared
    assert "is not a TOML inline table: ValueError" in finding.message


def test_a_python_store_nested_past_the_parser_is_sg002(gate: Gate) -> None:
    gate.manifest(paths='["src/**/*.py"]')
    source = "class DialogueStore:\n    X = " + "1+" * 5000 + "1\n    def get(self, id): ...\n"
    gate.write("src/store.py", source)
    found = [(f.code, f.message.split(";")[0]) for f in gate.findings()]
    try:
        ast.parse(source)
    except (RecursionError, MemoryError, SyntaxError):  # Python 3.11+: past the parser
        assert ("SG002", "nested too deeply for Python's parser (it recursed past its limit)") in found
        assert "SG001" in [code for code, _ in found]  # the store cannot be seen: never a pass
    else:  # Python 3.9's parser reads it: the store is seen, and its undeclared method fails
        assert ("SG101", "DialogueStore.get has no access pattern") in found


def test_deeply_nested_generics_are_checked_in_bounded_time(gate: Gate) -> None:
    depth = 10_000
    gate.manifest(extra='\n[access.DialogueStore.put]\nop = "PutItem"\nkey = { pk = "P#{x}", sk = "META" }\n')
    nested = f"    fn put(&self, x: {'Box<' * depth}u8{'>' * depth});\n}}\n"
    gate.write("src/store.rs", STORE.rsplit("}", 1)[0] + nested)
    result = bounded("check", cwd=gate.root, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_baseline_count_of_5000_digits_is_a_config_error(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    entry = '{"code": "SG101", "subject": "X.y", "reason": "r", "count": ' + "9" * 5000 + "}"
    (gate.root / "store-gate-baseline.json").write_text('{"schema_version": 2, "entries": [' + entry + "]}")
    line = one_error(run_cli("check", cwd=gate.root))
    assert "store-gate-baseline.json" in line and "corrupt baseline" in line


# Users' rules -----------------------------------------------------------------------------------


def test_a_users_rule_over_its_time_budget_is_sg005_and_stops(gate: Gate) -> None:
    top_level(gate, 'rules = ["governance/*.yml"]', "\n[limits]\nrule_seconds = 0.000001\n")
    gate.write("src/store.rs", STORE)
    # Work enough (90,000 identifiers: ~0.2 s) that no answer can be back before the runner waits
    # for it, however long a loaded machine keeps the runner from running.
    gate.write("src/other.rs", "fn f() {\n" + "    let a = b + c;\n" * 30_000 + "}\n")
    gate.write(
        "governance/slow.yml",
        "id: every-identifier\nlanguage: rust\nseverity: warning\nmessage: an identifier\n"
        "rule: { kind: identifier, inside: { stopBy: end, kind: source_file } }\n",
    )
    found = gate.findings()
    assert [(f.code, f.path) for f in found] == [("SG005", "governance/slow.yml")]
    (finding,) = found
    assert finding.message == (
        "your rule every-identifier took more than its budget of 1e-06 s per file on src/other.rs: it was stopped "
        "there, and was not run on the 1 file after it; make it cheaper (an `inside` with `stopBy: end` is quadratic "
        "in the depth of the tree: test the node itself first, in an `all`), or raise [limits] rule_seconds"
    )


def test_a_users_rule_with_a_billion_laughs_is_refused(gate: Gate) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    top_level(gate, 'rules = ["governance/*.yml"]')
    gate.write("src/store.rs", STORE)
    gate.write("governance/laughs.yml", laughs)
    line = one_error(bounded("check", cwd=gate.root, timeout=30))
    assert "YAML aliases expand the document by more than 100000 nodes" in line


# Outputs ----------------------------------------------------------------------------------------


def test_a_file_name_with_a_newline_stays_on_one_line(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    gate.write("src/evil\nname.rs", "pub trait DialogueStore {\n    fn scan(&self);\n}\n")
    result = run_cli("check", cwd=gate.root)
    finding_lines = [line for line in result.stdout.splitlines() if "SG101" in line]
    assert finding_lines == [line for line in finding_lines if line.startswith("src/evil\\nname.rs:2:8: SG101")]
    assert len(finding_lines) == 1


def test_markdown_renders_no_markup_from_the_code(gate: Gate) -> None:
    gate.manifest('\n[access.DialogueStore.list]\nop = "Query"\nkey = { pk = "P#{id}" }\n')
    gate.write(
        "src/store.rs",
        STORE.replace(
            "fn get(&self, id: &str);", "fn get(&self, id: &str);\n    fn list(&self, id: &str) -> Vec<Script>;"
        ),
    )
    markdown = run_cli("check", "--format", "markdown", cwd=gate.root).stdout
    assert "<Script>" not in markdown and "&lt;Script&gt;" in markdown


# The process ------------------------------------------------------------------------------------


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    done = subprocess.run(
        f"{sys.executable} -m store_gate rules | head -1", shell=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.startswith("SG000") and done.stderr == ""


def test_python_m_never_imports_modules_of_the_checked_project(gate: Gate) -> None:
    gate.manifest()
    gate.write("src/store.rs", STORE)
    marker = gate.root / "pwned"
    gate.write("tomli.py", f"open({str(marker)!r}, 'w').write('x')\n")
    gate.write("yaml.py", f"open({str(marker)!r}, 'w').write('x')\n")
    result = bounded("check", "--no-cache", cwd=gate.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()


def test_the_flake8_plugin_turns_an_internal_error_into_one_line(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    from store_gate import flake8_plugin

    gate.manifest(paths='["src/**/*.py"]')
    gate.write("src/store.py", "class DialogueStore:\n    def get(self, id): ...\n")

    def broken(manifest: Path) -> object:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(flake8_plugin, "_findings", broken)
    monkeypatch.setattr(flake8_plugin, "_manifest_of_folder", {})
    path = gate.root / "src" / "store.py"
    checker = flake8_plugin.StoreGateChecker(ast.parse(path.read_text()), str(path), path.read_text().splitlines(True))
    ((line, column, text, _),) = list(checker.run())
    assert (line, column) == (1, 0)
    assert (
        text
        == "SG000 store-gate could not check this project: internal error: RuntimeError: boom\\nsecond line (please report it)"
    )
