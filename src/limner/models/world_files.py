"""Where the shipped world model lives, its fingerprint, and loading it once per process.

No torch at import: :func:`load_pipeline` imports the pipeline on first use. Used by the embedded
image backend (:mod:`limner.image.embedded`), the SUR-adapter trainer and the correction loop.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from .._deps import require

WEIGHTS_DIR = Path(__file__).resolve().parent / "world_weights"


def weights_sha256(path: str | Path = WEIGHTS_DIR) -> dict[str, str]:
    """sha256 of the weight files: {"sha256": digest of unet+text_encoder bytes, per-file digests}."""
    p = Path(path)
    files = {"unet": p / "unet" / "diffusion_pytorch_model.safetensors",
             "text_encoder": p / "text_encoder" / "model.safetensors"}
    total = hashlib.sha256()
    out: dict[str, str] = {}
    for name, f in files.items():
        data = f.read_bytes()
        total.update(data)
        out[f"{name}_sha256"] = hashlib.sha256(data).hexdigest()
    out["sha256"] = total.hexdigest()
    return out


@lru_cache(maxsize=2)
def load_pipeline(path: str = str(WEIGHTS_DIR)):
    """Load (once per process) the world pipeline in float32."""
    require("torch", "the embedded image model")
    require("diffusers", "the embedded image model")
    from ..models.world_pipeline import WorldPipeline

    if not (Path(path) / "model_index.json").exists():
        from ..errors import InputError

        raise InputError(f"no world-model weights at {path} (train them with `limner world train`)")
    return WorldPipeline.from_pretrained(path)
