"""How deep, how aliased and how long a structured input may be: the bounds every YAML, JSON and
HCL file the gate reads is held to (store_gate.boundedyaml, store_gate.schema.importers.limits).
A module of its own, so that knowing a bound never imports a parser."""

from __future__ import annotations

MAX_FILE_BYTES = 10 * 1024 * 1024  # no infrastructure file larger than 10 MB is read (JSON: parsed in C)
MAX_NESTING = 64  # collections inside one another
MAX_NUMBER_DIGITS = 1000  # a numeric literal longer than this is refused (Python's own limit is 4300)
MAX_ALIAS_NODES = 100_000  # how many nodes YAML aliases may add to a document, all aliases together
