import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def run_limner():
    """`limner ARGS` in a subprocess with this checkout first on the path: (code, stdout, stderr)."""
    def run(*args: str, timeout: float = 600) -> tuple[int, str, str]:
        env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
        p = subprocess.run([sys.executable, "-m", "limner", *args], capture_output=True, text=True,
                           env=env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture
def scene_png():
    """Write corpus scene ``seed`` as a PNG at ``path``."""
    def write(path: Path, seed: int, size: int = 48) -> None:
        from limner.world.corpus import sample_scene
        from limner.world.render import render_layout

        render_layout(sample_scene(seed), size, supersample=2).save(path)

    return write


@pytest.fixture
def limner_env():
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
