"""How many threads a llama.cpp call uses: every core when the others are idle, else one.

Measured on the 2-core development machine (``benchmarks/llm_speed.py --quick``):

* both cores idle: 2 threads decode 62 tok/s against 48 with 1, and ``expand -n 4`` takes 5.5 s
  against 7.2 s;
* the other core busy: llama.cpp's spinning thread barriers make 2 threads far slower than 1
  (8 tokens in 41 s against 1.5 s at load average 11).

So the default (``auto``) looks at how idle the machine is just before a call (from
``/proc/stat`` over 50 ms, re-measured at most every few seconds) and takes the idle cores. A
number in ``$LIMNER_LLM_THREADS`` or ``get_llm(..., n_threads=N)`` fixes it; where ``/proc/stat``
cannot be read, auto means 1.
"""

from __future__ import annotations

import os
import threading
import time

AUTO = 0  # n_threads value meaning "decide per call"
SAMPLE_S = 0.05
REMEASURE_S = 5.0
MAX_AUTO = 8  # a 270M model gains little past a few threads; llama.cpp itself defaults to the physical cores
_lock = threading.Lock()
_last: tuple[float, int] | None = None  # (monotonic time, threads) of the last measurement


def from_env() -> int:
    """``$LIMNER_LLM_THREADS``: a positive number fixes the threads; unset, ``auto`` or bad means auto."""
    value = (os.environ.get("LIMNER_LLM_THREADS") or "auto").strip().lower()
    try:
        return max(1, int(value))
    except ValueError:
        return AUTO


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs, or None where /proc/stat is not there."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != b"cpu":
        return None
    values = [int(v) for v in fields[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return idle, sum(values[:8])  # guest time is already counted in user


def idle_cores(sample_s: float = SAMPLE_S) -> float | None:
    """How many of the machine's CPUs were idle over the next ``sample_s`` seconds."""
    a = _cpu_times()
    if a is None:
        return None
    time.sleep(sample_s)
    b = _cpu_times()
    if b is None or b[1] <= a[1]:
        return None
    return (b[0] - a[0]) / (b[1] - a[1]) * (os.cpu_count() or 1)


def choose(idle: float | None, cores: int) -> int:
    """Threads for a call: the idle cores (rounded, with a little slack for this process's own
    bookkeeping), at least 1, at most the cores this process may use (and ``MAX_AUTO``); 1 when unknown."""
    if idle is None:
        return 1
    return max(1, min(cores, MAX_AUTO, int(idle + 0.3)))


def threads_now(requested: int) -> int:
    """The threads for a call that asked for ``requested`` (``AUTO``: measured, cached a few seconds)."""
    global _last
    if requested and requested > 0:
        return int(requested)
    with _lock:
        now = time.monotonic()
        if _last is None or now - _last[0] > REMEASURE_S:
            _last = (now, choose(idle_cores(), usable_cores()))
        return _last[1]
