"""Per-file work shared across processes, for trees large enough to pay for it.

Parsing holds the GIL (ast-grep-py), so threads give nothing; a fork of the process does: the
child has the project, its kept trees and the rules already in memory, parses its share of the
files and sends back plain results (findings, type definitions) through a pipe. Results are
returned in the order of the items, whatever process computed them: the output never depends on
the split. A child that fails is not trusted for anything - its share is computed again here.

Only on Linux (fork is safe there with no threads running; macOS frameworks and Windows lack it),
only when the work is above `THRESHOLD` bytes of source in files of `MIN_AVERAGE` bytes on average
and CPUs are idle, and never with `STORE_GATE_JOBS=1` (`STORE_GATE_JOBS=N` sets the number of
processes).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import Callable, NoReturn, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many bytes of source to parse (about 25 ms of parsing), a fork costs more than it saves
# (linera's 9 files for the structural rules, 389 KB: 45 ms in one process, 33 ms in two).
THRESHOLD = 256 * 1024
# ... and below this many bytes per file on average: a small file's parse costs less than sending
# its results back (1,000 one-kilobyte store files ran 7% slower on two processes than on one).
MIN_AVERAGE = 4 * 1024
# Byte prefilters (substring tests, no parse) send back a few integers per file, and their cost
# is the bytes times the substrings looked for: a fork (3-5 ms with its copied pages) pays from
# about 24 MB of bytes x substrings (about 10 ms of tests on each of two processes), whatever the
# files' size. Their weights are bytes x substrings.
SCAN_THRESHOLD = 24 * 1024 * 1024
SCAN_MIN_AVERAGE = 0
ENVIRONMENT = "STORE_GATE_JOBS"


def workers() -> int:
    """How many processes may share the work: `STORE_GATE_JOBS`, else the CPUs this process may
    run on that are idle now (on a machine busy with other work, a fork only adds its own cost)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    configured = os.environ.get(ENVIRONMENT, "").strip()
    if configured:
        try:
            return max(1, min(int(configured), 64))
        except ValueError:
            return 1
    try:
        cpus = max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cpus = max(1, os.cpu_count() or 1)
    cpus = min(cpus, _quota() or cpus)
    return max(1, min(cpus, round(cpus - _busy()) + 1))


def _quota() -> int | None:
    """The CPUs this process's cgroup may use in all (cgroup v2 `cpu.max`; a container held to 2
    CPUs on a 64-CPU host), rounded up; None when it is not limited or cannot be read."""
    try:
        with open("/proc/self/cgroup", "rb") as own:
            folder = next((line[3:].strip() for line in own.read().splitlines() if line.startswith(b"0::")), None)
        if folder is None:
            return None
        with open(b"/sys/fs/cgroup" + folder.rstrip(b"/") + b"/cpu.max", "rb") as limit:
            quota, period = limit.read().split()[:2]
        if quota == b"max":
            return None
        return max(1, -(-int(quota) // max(1, int(period))))
    except (OSError, ValueError):
        return None


def _busy() -> float:
    """How many processes are running or ready to run now, this one included: the kernel's count
    (/proc/loadavg's fourth field), not the one-minute average, which still counts a run that
    ended seconds ago - a benchmark's previous round, a build that just finished."""
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            return float(loadavg.read().split()[3].split(b"/")[0])
    except (OSError, IndexError, ValueError):
        pass
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _shares(weights: Sequence[int], count: int) -> list[list[int]]:
    """Item indices split into `count` shares of about equal weight (heaviest first, each to the
    lightest share so far)."""
    shares: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += weights[index]
    return [sorted(share) for share in shares if share]


def worth_sharing(weights: Sequence[int], scan: bool = False) -> bool:
    """Would `map_files` share this work with other processes? `scan`: the work is byte
    prefilters, not parsing (`SCAN_THRESHOLD`, `SCAN_MIN_AVERAGE`)."""
    threshold, average = (SCAN_THRESHOLD, SCAN_MIN_AVERAGE) if scan else (THRESHOLD, MIN_AVERAGE)
    total = sum(weights)
    return min(workers(), len(weights)) > 1 and total >= threshold and total >= average * len(weights)


def map_files(
    items: Sequence[Item], work: Callable[[Item], Result], weights: Sequence[int], scan: bool = False
) -> list[Result]:
    """`work(item)` for every item, in order: in this process, or - above `THRESHOLD` bytes in
    all (`SCAN_THRESHOLD` for byte prefilters, `scan`) - shared with forked children."""
    if not worth_sharing(weights, scan):
        return [work(item) for item in items]
    import pickle

    count = min(workers(), len(items))
    shares = _shares(weights, count)
    children: list[tuple[int, int, list[int]]] = []  # (pid, read end, share)
    own = list(shares[0])
    try:
        for position, share in enumerate(shares[1:], start=1):
            try:
                read_end, write_end = os.pipe()
            except OSError:  # no file descriptor left: this process does the rest
                own += [i for rest in shares[position:] for i in rest]
                break
            try:
                pid = os.fork()
            except OSError:  # no process to be had (a pids limit, no memory): this process does the rest
                os.close(read_end)
                os.close(write_end)
                own += [i for rest in shares[position:] for i in rest]
                break
            if pid == 0:  # the child: its share, pickled down the pipe, then gone without cleanup
                _child(items, work, share, read_end, write_end)
            os.close(write_end)
            children.append((pid, read_end, share))
        results: dict[int, Result] = {i: work(items[i]) for i in sorted(own)}
        while children:
            pid, read_end, share = children[0]
            chunks = []
            while True:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            os.close(read_end)
            children[0] = (pid, -1, share)  # closed: only to be reaped
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            answer: list[Result] | None = None
            if os.waitstatus_to_exitcode(status) == 0:
                try:
                    answer = pickle.loads(b"".join(chunks))
                except Exception:
                    answer = None
            if answer is None or len(answer) != len(share):
                answer = [work(items[i]) for i in share]  # the child failed: nothing of it is trusted
            results.update(zip(share, answer))
    finally:  # this process failed (an interrupt, an error in its share): no child is left behind
        for pid, read_end, _ in children:
            if read_end >= 0:
                os.close(read_end)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return [results[i] for i in range(len(items))]


def _child(
    items: Sequence[Item], work: Callable[[Item], Result], share: list[int], read_end: int, write_end: int
) -> NoReturn:
    """In a forked child: its share's results, pickled down the pipe; never returns (nothing
    raised here may run on in the parent's code)."""
    import pickle

    status = 1
    try:
        os.close(read_end)
        try:
            payload = pickle.dumps([work(items[i]) for i in share], protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            payload = b""
        else:
            status = 0
        view = memoryview(payload)
        while view:
            written = os.write(write_end, view)
            view = view[written:]
    except BaseException:
        status = 1
    finally:
        os._exit(status)
