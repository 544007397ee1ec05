"""Users' ast-grep rules run in a worker process, so that their time budget is a hard bound.

A user's rule can take any time on one file (nested `inside: {stopBy: end}` is polynomial in the
depth of the tree, with the depth as exponent), and ast-grep-py holds the GIL while it matches:
neither a timer nor a thread can stop it in-process. So the runner sends each (rule, file) to one
worker process - a plain `python -I` of this module, with the runner's own import path and no
other - and waits at most the rule's budget (`[limits] rule_seconds`) for the answer; past it the
worker is killed, and the next rule gets a new one. The worker parses each file once and keeps the
tree for the next rule; it sends back, per match, where it starts and the rule's message with its
`$NAMES` filled in.

The gate's own rules (SG4, SG5) are not run here: they are written to be linear.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

# The worker's whole start: the runner's import path (never the working directory: `-I`), then
# the loop below.
_BOOT = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); from store_gate.rules.worker import serve; serve()"
_START_SECONDS = 60.0  # python and ast-grep-py starting, on a loaded machine: not the rule's budget


def fill(message: str, node: Any) -> str:
    """`$NAME` in a user's message becomes the text that metavariable matched."""

    def replace(found: re.Match[str]) -> str:
        name = found.group(1)
        captured = node.get_match(name)
        if captured is not None:
            return " ".join(str(captured.text()).split())
        many = [n for n in node.get_multiple_matches(name) if n.is_named()]  # $$$NAME
        return ", ".join(" ".join(str(n.text()).split()) for n in many) if many else found.group(0)

    return re.sub(r"\$([A-Z_][A-Z0-9_]*)", replace, message)


def serve() -> None:
    """The worker: one JSON request a line in, one JSON answer a line out."""
    from ast_grep_py import SgRoot

    roots: dict[tuple[str, str], Any] = {}
    out = sys.stdout.buffer
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        key = (request["path"], request["language"])
        try:
            if request.get("text") is not None:
                roots[key] = SgRoot(request["text"], request["language"]).root()
            nodes = roots[key].find_all(request["config"])
            matches = []
            for node in nodes:
                start = node.range().start
                matches.append([start.line, start.column, fill(request["message"], node)])
            answer: dict[str, Any] = {"matches": matches}
        except Exception as exc:  # a rule that fails on one file: the runner reports it (SG005)
            text = str(exc).strip()
            answer = {"error": text.splitlines()[0] if text else type(exc).__name__}
        out.write(json.dumps(answer).encode("utf-8") + b"\n")
        out.flush()


@dataclass(frozen=True)
class Outcome:
    """A rule's run on one file: its matches (0-based line and column, message), or why not."""

    matches: list[tuple[int, int, str]]
    problem: str | None = None  # "over budget", or what stopped the worker
    over_budget: bool = False


class Worker:
    """The runner's side: starts the worker when first needed, kills it when a rule overruns."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._answers: queue.Queue[bytes] = queue.Queue()
        self._sent: set[tuple[str, str]] = set()  # files the live worker has parsed
        self._reader: threading.Thread | None = None

    def _start(self) -> str | None:
        """Start a worker; why it could not, or None."""
        self._answers = queue.Queue()
        self._sent = set()
        path = [p for p in sys.path if p]  # never "" (the working directory: the checked project)
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, json.dumps(path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            return f"the worker process did not start ({exc.strerror or exc})"
        self._process = process
        self._reader = threading.Thread(target=self._read, args=(process, self._answers), daemon=True)
        self._reader.start()
        ready = self._answer(_START_SECONDS)
        if ready is None or not ready.get("ready"):
            self.stop()
            return "the worker process did not start"
        return None

    @staticmethod
    def _read(process: subprocess.Popen[bytes], answers: queue.Queue[bytes]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            answers.put(line)
        answers.put(b"")  # the worker ended

    def _answer(self, seconds: float) -> dict[str, Any] | None:
        try:
            line = self._answers.get(timeout=seconds)
        except queue.Empty:
            return None
        if not line:
            return {"error": "the worker process ended"}
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(self, path: str, language: str, text: str, config: dict[str, Any], message: str, budget: float) -> Outcome:
        """One rule on one file, in at most `budget` seconds (then the worker is killed)."""
        if self._process is None:
            problem = self._start()
            if problem is not None:
                return Outcome([], problem)
        process = self._process
        assert process is not None and process.stdin is not None
        key = (path, language)
        request = {"path": path, "language": language, "config": config, "message": message}
        if key not in self._sent:
            request["text"] = text
        try:
            process.stdin.write(json.dumps(request, default=str).encode("utf-8") + b"\n")
            process.stdin.flush()
        except OSError:
            self.stop()
            return Outcome([], "the worker process ended")
        self._sent.add(key)
        answer = self._answer(budget)
        if answer is None:
            self.stop()
            return Outcome([], "over budget", over_budget=True)
        if "error" in answer:
            if answer["error"] == "the worker process ended":
                self.stop()
            return Outcome([], str(answer["error"]))
        return Outcome([(int(line), int(column), str(text)) for line, column, text in answer["matches"]])

    def stop(self) -> None:
        """End the worker: it is killed, whatever it is doing (a rule past its budget)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        process.wait()
        if self._reader is not None:
            self._reader.join(5)  # the pipe's writer is gone: the reader sees its end at once
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
