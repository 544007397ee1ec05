from __future__ import annotations

from store_gate.cli import main

raise SystemExit(main())
