"""Loaded by every Python that scripts/mutation.sh starts (it is on PYTHONPATH there, nowhere else).

mutmut learns which tests reach which function by recording, in its own process, each call of a
mutated function while the tests run once ("stats"). The CLI tests run store-gate in a separate
process, whose calls mutmut never hears of, so it would run none of them against a mutant. Here a
child process of that stats run records its calls and writes them, when it exits, to a file in
MUTMUT_SUBPROCESS_HITS; mutmut_subprocess_hits.py, in the test process, adds them to the test's.
"""

from __future__ import annotations

import os

if os.environ.get("MUTANT_UNDER_TEST") == "stats" and os.environ.get("MUTMUT_SUBPROCESS_HITS"):
    try:
        import mutmut.mutation.trampoline as _trampoline
    except ImportError:
        pass
    else:
        import atexit

        _hits: set[str] = set()

        def _record(name: str, caller: str | None = None) -> None:
            _hits.add(name)

        def _write() -> None:
            if _hits:
                folder = os.environ["MUTMUT_SUBPROCESS_HITS"]
                with open(os.path.join(folder, f"{os.getpid()}.hits"), "w", encoding="utf-8") as out:
                    out.write("\n".join(sorted(_hits)))

        _trampoline.record_trampoline_hit = _record  # type: ignore[assignment]
        atexit.register(_write)
