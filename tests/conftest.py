"""Suite-wide settings: offline, quiet, one BLAS thread (2 contended cores; see DESIGN.md); the
shared ``scripted`` LLM (tests/helpers.py) and the in-process ``limner_cli`` runner.

Markers: ``slow`` for tests that load an LLM, train, or spawn a server; ``python -m pytest -m
"not slow"`` runs the rest.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `from helpers import ScriptedLLM`

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture
def limner_cli(capsys):
    """Run `limner ARGS...` in process; returns (exit code, stdout, stderr)."""
    from limner.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = 0
        try:
            main([*args])
        except SystemExit as e:
            code = e.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def scripted():
    """The :class:`helpers.ScriptedLLM` class: ``scripted(["reply 1", "reply 2"], kind="base")``."""
    from helpers import ScriptedLLM

    return ScriptedLLM


# Tests that load the embedded LLM, spawn servers or kill processes are `slow` (they still run in
# CI; `python -m pytest -m "not slow"` is the quick loop). Marked here by what they use, so a new
# test that takes one of these fixtures is marked without anyone remembering to.
SLOW_FIXTURES = {"llm", "embedded", "gguf_path", "server_url", "live_server"}
SLOW_TESTS = ("tests/plan/test_embedded.py", "test_sigkill_then_resume", "test_embedded_llm_writes",
              "test_kill9_then_resume", "test_ray_rows_equal_local", "test_world_train_on_recaptioned",
              "test_cli_prints_one_clear_error_within_the_deadline", "[trickle]",
              "test_upsample_with_the_embedded_llm", "test_llm_json_schema_prints_valid_json",
              "test_greedy_tokens_identical", "test_prefix_state_from_disk")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or any(s in item.nodeid for s in SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
