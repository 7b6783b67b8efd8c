"""Fixtures for the diffusers backends: tiny real pipelines, built once per session.

The pipelines are saved with ``save_pretrained`` and loaded by limner through ``from_pretrained``,
the same path real Stable Diffusion weights take. Offline, one torch thread (see DESIGN.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).parent))

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

STEPS = 2  # enough to exercise the scheduler loop; 64×64 images


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    from tiny import build_tiny_pipelines

    return build_tiny_pipelines(tmp_path_factory.mktemp("tiny-pipelines"))


@pytest.fixture(scope="session")
def layout():
    from limner.schema import Layout, SceneObject

    return Layout(objects=[
        SceneObject(name="cat", color="red", box=(0.05, 0.3, 0.45, 0.9)),
        SceneObject(name="ball", color="blue", size="small", box=(0.6, 0.1, 0.95, 0.45)),
    ], caption="a red cat and a small blue ball")


@pytest.fixture(scope="session")
def other_layout():
    from limner.schema import Layout, SceneObject

    return Layout(objects=[SceneObject(name="cat", color="green", box=(0.5, 0.0, 1.0, 0.5))])


def pixels(image) -> bytes:
    return image.tobytes()
