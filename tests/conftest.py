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
