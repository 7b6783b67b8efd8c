"""The frozen diffusion models an adapter is trained against: limner's world model, or diffusers SD.

Each base gives the adapter trainer four things: ``encode(texts) → (B, T, d)`` text states (frozen
text encoder), ``x0(images) → model-space targets`` (pixels for the world model, VAE latents for
SD), ``predict(noisy, t, states)`` (the frozen UNet; gradients flow to ``states``), and its training
``scheduler`` (noise + target: ε or v per the scheduler's ``prediction_type``). ``identity()`` is
recorded in the adapter file. torch/diffusers are imported by the caller's first use.
"""

from __future__ import annotations

from typing import Any

import torch


class WorldBase:
    """The embedded world model, text path only (the layout channels are zero, as with ``--no-plan``)."""

    size = 32

    def __init__(self, weights: str | None = None):
        from ..models.world_files import WEIGHTS_DIR, load_pipeline, weights_sha256
        from ..models.world_model import build_scheduler

        self.path = str(weights or WEIGHTS_DIR)
        self.pipe = load_pipeline(self.path)
        self.pipe.unet.requires_grad_(False)
        self.pipe.text_encoder.requires_grad_(False)
        self.scheduler = build_scheduler()
        self.text_dim = int(self.pipe.text_encoder.config.hidden_size)
        self._id = {"id": "limner-world", "sha256": weights_sha256(self.path)["sha256"]}
        self.extra_channels = int(self.pipe.unet.config.in_channels) - 3

    def identity(self) -> dict[str, Any]:
        return dict(self._id)

    @torch.no_grad()
    def encode(self, texts: list[str]) -> torch.Tensor:
        return self.pipe.encode_prompt(texts).float()

    def x0(self, images: torch.Tensor) -> torch.Tensor:
        return images

    def predict(self, noisy: torch.Tensor, t: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
        b, _, h, w = noisy.shape
        zero = torch.zeros(b, self.extra_channels, h, w, dtype=noisy.dtype)
        return self.pipe.unet(torch.cat([noisy, zero], 1), t, encoder_hidden_states=states).sample


class DiffusersBase:
    """A local Stable Diffusion-class pipeline folder (UNet, VAE, CLIP text encoder all frozen)."""

    def __init__(self, model: str):
        from diffusers import DDPMScheduler, StableDiffusionPipeline

        self.pipe = StableDiffusionPipeline.from_pretrained(model, safety_checker=None)
        for m in (self.pipe.unet, self.pipe.vae, self.pipe.text_encoder):
            m.requires_grad_(False)
            m.eval()
        self.scheduler = DDPMScheduler.from_config(self.pipe.scheduler.config)
        self.text_dim = int(self.pipe.text_encoder.config.hidden_size)
        vs = 2 ** (len(self.pipe.vae.config.block_out_channels) - 1)
        self.size = int(self.pipe.unet.config.sample_size) * vs
        self._id = {"id": model}

    def identity(self) -> dict[str, Any]:
        return dict(self._id)

    @torch.no_grad()
    def encode(self, texts: list[str]) -> torch.Tensor:
        tok = self.pipe.tokenizer(texts, padding="max_length", max_length=self.pipe.tokenizer.model_max_length,
                                  truncation=True, return_tensors="pt")
        return self.pipe.text_encoder(tok.input_ids)[0].float()

    @torch.no_grad()
    def x0(self, images: torch.Tensor) -> torch.Tensor:
        lat = self.pipe.vae.encode(images).latent_dist.sample()
        return lat * self.pipe.vae.config.scaling_factor

    def predict(self, noisy: torch.Tensor, t: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
        return self.pipe.unet(noisy, t, encoder_hidden_states=states).sample


def load_base(base: str | None):
    """``None``/"embedded" → :class:`WorldBase`; a world pipeline folder → WorldBase; else diffusers."""
    from pathlib import Path

    if base in (None, "", "embedded"):
        return WorldBase()
    idx = Path(base) / "model_index.json"
    if idx.is_file() and "WorldPipeline" in idx.read_text():
        return WorldBase(base)
    return DiffusersBase(base)


def target_for(scheduler, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    kind = scheduler.config.prediction_type
    if kind == "v_prediction":
        return scheduler.get_velocity(x0, noise, t)
    if kind == "epsilon":
        return noise
    return x0
