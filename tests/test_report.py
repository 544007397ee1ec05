"""`store-gate report`: the picture of the design, through the CLI as a user runs it, and the
HTML opened in a real browser (headless Chromium)."""

from __future__ import annotations

import html.parser
import json
import os
import shutil
import subprocess

import pytest
from conftest import EXAMPLE, Gate, run_cli

STORE = "pub trait DialogueStore {\n    fn get(&self, dialogue_id: &str);\n    fn list_rounds(&self, dialogue_id: &str);\n}\n"
DECLARED = """
[access.DialogueStore.get]
op = "GetItem"
entity = "Dialogue"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "META" }
"""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture
def project(gate: Gate) -> Gate:
    """Two methods (one declared, one not: SG101), the conftest table's three entities."""
    gate.manifest(DECLARED)
    gate.write("src/store.rs", STORE)
    return gate


def test_report_markdown_is_the_matrix_entities_collections_copies_and_findings(project: Gate) -> None:
    done = run_cli("report", cwd=project.root)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == MARKDOWN


MARKDOWN = """\
# The picture: store-gate.toml

## Access patterns

| method | op | index | key | entity | cost |
|---|---|---|---|---|---|
| DialogueStore.get | GetItem | table | pk = "DIALOGUE#{dialogue\\_id}", sk = "META" | Dialogue | ? |
| DialogueStore.list\\_rounds | undeclared | \u2014 | \u2014 | \u2014 | \u2014 |

## Entities

### t

| entity | pk | sk | gsi1pk | gsi1sk | game | score | lsi1sk |
|---|---|---|---|---|---|---|---|
| Dialogue | DIALOGUE#{dialogue\\_id} | META | STATUS#{status} | CREATED#{created\\_at} |   |   |   |
| Round | DIALOGUE#{dialogue\\_id} | ROUND#{round} |   |   |   |   | AT#{at} |
| Score | PLAYER#{player} | SCORE#{game} |   |   | {game} | {score} |   |

## Item collections

- t / table: pk = DIALOGUE#{\u2026}
  - META: Dialogue
  - ROUND#{round}: Round
- t / table: pk = PLAYER#{\u2026}
  - SCORE#{game}: Score
- t / GSI1: gsi1pk = STATUS#{\u2026}
  - CREATED#{created\\_at}: Dialogue
- t / ByScore: game = {\u2026}
  - {score}: Score
- t / ByTime: pk = DIALOGUE#{\u2026}
  - AT#{at}: Round

## Copies

No copies declared.

## Findings

| location | code | severity | message |
|---|---|---|---|
| src/store.rs:3:8 | SG101 | error | DialogueStore.list\\_rounds has no access pattern; declare it in store-gate.toml under \\[access.DialogueStore.list\\_rounds\\] or in its doc comment, e.g. @access { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogue\\_id}", sk = { begins\\_with = "ROUND#" } } } |
"""


HOSTILE = """
[entity."<img src=x onerror=alert(1)>"]
pk = "</text><script>alert(2)</script>#{id}"
sk = "META|x"

[access.DialogueStore."<b>gone</b>"]
op = "GetItem"
key = { pk = "D#{id}", sk = "META" }
"""


def test_report_html_escapes_every_text_a_project_supplies(project: Gate) -> None:
    """Entity names, key templates and method names (here in SG102's message) are text, never
    markup: in the tables, the SVG's text and its aria-label alike."""
    manifest = project.root / "store-gate.toml"
    manifest.write_text(manifest.read_text() + HOSTILE)
    done = run_cli("report", "--format", "html", cwd=project.root)
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;/text&gt;&lt;script&gt;alert(2)&lt;/script&gt;#{\u2026}</text>" in page
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in page
    assert "[access.DialogueStore.&quot;&lt;b&gt;gone&lt;/b&gt;&quot;]" in page


def test_report_html_is_self_contained_and_the_same_bytes_every_run(project: Gate) -> None:
    first = run_cli("report", "--format", "html", "-o", "out/report.html", cwd=project.root)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    again = run_cli("report", "--format", "html", cwd=project.root)
    page = (project.root / "out" / "report.html").read_text(encoding="utf-8")
    assert again.stdout == page
    # Nothing to fetch: no script, no link, no URL but the SVG namespace; a CSP forbids the rest.
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert {u for u in page.split('"') if "://" in u} == {"http://www.w3.org/2000/svg"}
    assert "default-src 'none'" in page


def test_report_output_outside_the_project_exits_2(project: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "report.md"
    done = run_cli("report", "-o", str(elsewhere), cwd=project.root)
    assert done.returncode == 2 and not elsewhere.exists()
    assert done.stderr.startswith(f"store-gate: -o {elsewhere}: outside the project (")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_report_output_through_a_symlink_exits_2(project: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project.root / "docs").symlink_to(elsewhere, target_is_directory=True)
    (project.root / "report.md").symlink_to(elsewhere / "target.md")
    through_folder = run_cli("report", "-o", "docs/report.md", cwd=project.root)
    assert through_folder.returncode == 2
    assert through_folder.stderr.startswith("store-gate: -o docs/report.md: outside the project (")
    through_file = run_cli("report", "-o", "report.md", cwd=project.root)
    assert (through_file.returncode, through_file.stderr) == (
        2,
        "store-gate: --output: report.md is a symlink; the gate does not write through links\n",
    )
    assert list(elsewhere.iterdir()) == []


def test_report_of_the_blue_example() -> None:
    """examples/blue: one matrix row per governed method, its copies section, no findings."""
    done = run_cli("report", str(EXAMPLE), "--format", "html")
    assert (done.returncode, done.stderr) == (0, "")
    checked = run_cli("check", str(EXAMPLE), "--format", "json")
    (manifest,) = json.loads(checked.stdout)["manifests"]
    assert done.stdout.count('<tr class="method">') == len(manifest["methods"]) == 38
    assert '<p class="findings">No findings.</p>' in done.stdout
    # the cost column is `store-gate cost`'s figure per call, from the example's [volumes]
    markdown = run_cli("report", str(EXAMPLE), "--format", "markdown").stdout
    (get_dialogue,) = [line for line in markdown.splitlines() if line.startswith("| DialogueReads.get\\_dialogue |")]
    assert get_dialogue.endswith("| Dialogue | 0.5 RCU |")


# In a real browser -------------------------------------------------------------------------


class _Dom(html.parser.HTMLParser):
    """What the browser built: the rows of the access-pattern table, the SVGs and their rects."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.svgs = 0
        self.rects = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "tr" and classes == "method":
            self.rows.append("")
        elif tag == "svg":
            self.svgs += 1
        elif tag == "rect":
            self.rects += 1


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run does where it can)")
    return found


def test_report_html_in_headless_chromium(project: Gate, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Chromium parses the file from disk (no server, no network): one row per method, an SVG per
    item collection; a screenshot is kept beside the test's files as its artefact."""
    chromium = _chromium()
    done = run_cli("report", "--format", "html", "-o", "report.html", cwd=project.root)
    assert done.returncode == 0, done.stderr
    page = (project.root / "report.html").as_uri()
    artefacts = tmp_path_factory.mktemp("report-artefacts")

    def browse(*args: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path_factory.mktemp("chromium-profile")
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    dumped = browse("--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = _Dom()
    dom.feed(dumped.stdout)
    assert (len(dom.rows), dom.svgs) == (2, 5)  # get, list_rounds; the five collections above
    assert dom.rects == 5 + 6  # a header per collection, a row per item
    screenshot = artefacts / "report.png"
    shot = browse("--window-size=1200,1600", f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
