"""The llama.cpp thread choice: every idle core, one when the machine is busy (limner.llm.threads)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from limner.llm import threads


def test_env_fixes_or_leaves_auto(monkeypatch):
    for value, want in (("3", 3), ("auto", threads.AUTO), ("", threads.AUTO), ("lots", threads.AUTO), ("0", 1)):
        monkeypatch.setenv("LIMNER_LLM_THREADS", value)
        assert threads.from_env() == want, value
    monkeypatch.delenv("LIMNER_LLM_THREADS")
    assert threads.from_env() == threads.AUTO


def test_choice_follows_idle_cores():
    assert threads.choose(None, 8) == 1  # unknown: the safe choice
    assert threads.choose(1.95, 2) == 2
    assert threads.choose(1.0, 2) == 1  # the other core busy: spinning barriers would cost ~27x
    assert threads.choose(0.05, 2) == 1
    assert threads.choose(7.9, 4) == 4  # never more than this process may use
    assert threads.choose(63.0, 64) == threads.MAX_AUTO
    assert threads.threads_now(3) == 3  # a fixed number is used as it is


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc/stat (Linux)")
def test_busy_machine_gets_one_thread():
    n = os.cpu_count() or 1
    spin = "import time\nend = time.time() + 5\nwhile time.time() < end: pass\n"
    procs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(n)]
    try:
        time.sleep(0.3)
        idle = threads.idle_cores(0.3)
        assert idle is not None and idle < n - 0.7, idle
        assert threads.choose(idle, threads.usable_cores()) == 1
    finally:
        for p in procs:
            p.kill()
            p.wait()
