"""JUnit XML, for the test reports of GitLab, Jenkins and Azure Pipelines: one test suite per
manifest, one test case per governed method (failed by its findings), and one failed test case
per finding that concerns no method (a backend client in the wrong module, a manifest problem)."""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import quoteattr

from store_gate.check import CheckResult
from store_gate.display import one_line
from store_gate.findings import Finding
from store_gate.report import Presentation


def _failure(result: CheckResult, finding: Finding) -> str:
    where = f"{result.display_path(finding.path)}:{finding.line}:{finding.column}"
    message = one_line(f"{finding.code} {finding.message}", 2000)
    body = one_line(f"{where}: {finding.code} {finding.message}", 4000).replace("&", "&amp;").replace("<", "&lt;")
    return f"      <failure type={quoteattr(finding.code)} message={quoteattr(message)}>{body}</failure>"


def _suite(result: CheckResult) -> tuple[str, int, int]:
    by_method: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    loose: list[Finding] = []
    for finding in result.findings:
        if finding.trait and finding.method:
            by_method[(finding.trait, finding.method)].append(finding)
        else:
            loose.append(finding)
    manifest = result.display_path(result.project.manifest_path)
    cases: list[str] = []
    failed = 0
    governed = sorted({(m.trait, m.name) for m in result.project.methods} | set(by_method))
    for trait, method in governed:
        found = by_method.get((trait, method), [])
        failed += bool(found)
        name = quoteattr(one_line(f"{trait}.{method}", 500))
        classname = quoteattr(one_line(f"store-gate.{trait}", 500))
        if found:
            failures = "\n".join(_failure(result, f) for f in found)
            cases.append(f"    <testcase classname={classname} name={name}>\n{failures}\n    </testcase>")
        else:
            cases.append(f"    <testcase classname={classname} name={name}/>")
    for finding in loose:
        failed += 1
        name = quoteattr(one_line(f"{result.display_path(finding.path)}:{finding.line}: {finding.code}", 500))
        classname = quoteattr(f"store-gate.{finding.code}")
        cases.append(f"    <testcase classname={classname} name={name}>\n{_failure(result, finding)}\n    </testcase>")
    head = (
        f'  <testsuite name={quoteattr(one_line(manifest, 500))} tests="{len(cases)}" failures="{failed}" '
        f'errors="0" skipped="0">'
    )
    return "\n".join([head, *cases, "  </testsuite>"]), len(cases), failed


def render(results: list[CheckResult], presentation: Presentation | None = None) -> str:
    suites = [_suite(r) for r in results]
    tests, failures = sum(s[1] for s in suites), sum(s[2] for s in suites)
    body = "\n".join(s[0] for s in suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="store-gate" tests="{tests}" failures="{failures}" errors="0">\n{body}\n</testsuites>\n'
    )
