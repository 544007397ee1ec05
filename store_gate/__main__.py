"""`python -m store_gate`: the checked project must never supply a module of the gate.

`python -m` puts the working directory first on `sys.path`; in a checked repository that could
hold a `tomli.py` or a `yaml/` that the gate would import and run. It is dropped before anything
else is imported (what Python 3.11's `-P` does). A `store_gate/` folder in the working directory
would be found before this package by Python itself: run the `store-gate` executable, or
`python -P -m store_gate`, from a repository you do not trust.
"""

import os
import sys

if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from store_gate.cli import main

raise SystemExit(main())
