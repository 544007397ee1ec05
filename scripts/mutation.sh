#!/usr/bin/env bash
# Mutation testing of the rules, the extractors, diff, baseline and waivers (README, "Mutation
# testing"). The configuration is pyproject.toml's [tool.mutmut]. mutmut gets a virtual
# environment of its own (MUTATION_VENV, default .venv-mutation) with this project's
# `mutation` extra, so the project's own .venv is left as it is.
#
#   scripts/mutation.sh                      # every mutant; results are kept in mutants/, so a
#                                            # second run resumes where the first stopped
#   scripts/mutation.sh 'store_gate.waivers*'  # only these mutants (re-run even if done)
#   MUTATION_JOBS=1 scripts/mutation.sh      # workers (default: 2)
#
# Then: `$MUTATION_VENV/bin/mutmut results` lists the survivors, `... show NAME` shows one.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${MUTATION_VENV:-.venv-mutation}"
if [ ! -x "$venv/bin/mutmut" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e '.[mutation]'
fi

# mutants/ must exist before mutmut starts: Python caches a folder of sys.path that is missing at
# start-up as holding nothing, and on a first run the tests would find no store_gate in mutants/
# ("No module named 'store_gate.check'" while mutmut collects its stats).
mkdir -p mutants

# Tests that run the CLI as a separate process import the mutated copy too, and while mutmut
# learns which tests reach which function, such a process reports its calls back to the test that
# started it (scripts/mutmut_hooks: a sitecustomize and a pytest plugin).
export PYTHONPATH="$PWD/mutants:$PWD/scripts/mutmut_hooks${PYTHONPATH:+:$PYTHONPATH}"
MUTMUT_SUBPROCESS_HITS="$(mktemp -d)"
export MUTMUT_SUBPROCESS_HITS
trap 'rm -rf "$MUTMUT_SUBPROCESS_HITS"' EXIT
# The mutated modules are large (every mutant is a copy of its function): let Python cache their
# bytecode, or each of those processes compiles megabytes of source again.
unset PYTHONDONTWRITEBYTECODE
export PYTEST_ADDOPTS="-p mutmut_subprocess_hits${PYTEST_ADDOPTS:+ $PYTEST_ADDOPTS}"
"$venv/bin/mutmut" run --max-children "${MUTATION_JOBS:-2}" "$@"
"$venv/bin/python" scripts/mutation_score.py
