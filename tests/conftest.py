"""Suite-wide settings: offline, quiet, one BLAS thread (2 contended cores; see DESIGN.md)."""

import os

import pytest

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
