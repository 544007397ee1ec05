"""`store-gate requests`: every declaration compiled to its requests, each checked against
botocore's DynamoDB service model; rendered as text or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from store_gate.display import one_line
from store_gate.verify.compile import Compiler, MethodRequests, template_value

if TYPE_CHECKING:
    from store_gate.config import LoadedManifest


@dataclass(frozen=True)
class Compiled:
    manifest: str  # as shown
    methods: list[MethodRequests]
    problems: list[str]  # "Trait.method: step 1: Query: <what is wrong>", and unreadable sources
    botocore: str

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def compile_manifest(loaded: LoadedManifest) -> Compiled:
    from store_gate import project as projects
    from store_gate.verify import model

    project = projects.build(loaded)
    names = {key: table.schema.name for key, table in loaded.tables.items()}
    methods = Compiler(project, names, template_value).all()
    problems = [
        f"{p.location.path}:{p.location.line}: {p.code} {p.message} (its inline declarations are not compiled)"
        for p in sorted(project.problems, key=lambda p: (p.location.path, p.location.line, p.code))
    ]
    for method in methods:
        problems += [f"{method.name}: {problem}" for problem in method.problems]
        for request in method.requests:
            invalid = model.problems(request.operation, request.params)
            problems += [f"{method.name}: {request.label}: {p}" for p in invalid]
    return Compiled(loaded.display_path, methods, problems, model.botocore_version())


def render_text(results: list[Compiled]) -> str:
    lines: list[str] = []
    for result in results:
        lines.append(f"{one_line(result.manifest, 300)}: the requests of each declaration (botocore {result.botocore})")
        for method in result.methods:
            lines.append(one_line(method.name, 300))
            for request in method.requests:
                lines.append(f"  {request.label} {json.dumps(request.params, sort_keys=True)}")
            lines += [f"  skipped: {one_line(reason, 300)}" for reason in method.skipped]
        count = sum(len(m.requests) for m in result.methods)
        for problem in result.problems:
            lines.append(f"error: {one_line(problem, 2000)}")
        verdict = f"{len(result.problems)} problems" if result.problems else "all valid"
        lines.append(
            f"{len(result.methods)} methods, {count} requests checked against botocore's DynamoDB model: {verdict}"
        )
    return "\n".join(lines) + "\n"


def render_json(results: list[Compiled]) -> str:
    document: dict[str, Any] = {
        "manifests": [
            {
                "manifest": result.manifest,
                "botocore": result.botocore,
                "methods": [
                    {
                        "method": method.name,
                        "requests": [
                            {"where": r.where, "operation": r.operation, "params": r.params} for r in method.requests
                        ],
                        "skipped": list(method.skipped),
                    }
                    for method in result.methods
                ],
                "problems": result.problems,
            }
            for result in results
        ]
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
