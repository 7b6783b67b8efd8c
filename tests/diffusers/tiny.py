"""Tiny, randomly initialised Stable Diffusion-class pipelines built from configs.

``build_tiny_pipelines(root)`` writes four folders with ``save_pretrained`` so that limner loads them
through the same ``from_pretrained`` path as real weights (as diffusers' own tests do):

* ``sd``         — a text-to-image pipeline (UNet, VAE, CLIP text encoder + tokenizer, PNDM);
* ``controlnet`` — a ControlNet matching the ``sd`` UNet (a model folder, not a pipeline);
* ``gligen``     — a GLIGEN pipeline (UNet with ``attention_type="gated"``);
* ``ip2p``       — an InstructPix2Pix pipeline (UNet with 8 input channels).

Everything is seeded, so two builds give the same weights. Images are 64×64 by default (UNet
sample size 32, VAE scale factor 2). Used by tests/diffusers and benchmarks/overhead.py.
"""

from __future__ import annotations

from pathlib import Path

CROSS_DIM = 32
SAMPLE = 32  # latent size; images default to SAMPLE * 2


def _tokenizer():
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab: dict[str, int] = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in alphabet:
        vocab.setdefault(ch, len(vocab))
    for ch in alphabet:
        vocab.setdefault(ch + "</w>", len(vocab))
    merges: list[tuple[str, str]] = []
    for a, b in [("r", "e"), ("e", "d</w>"), ("a", "t</w>"), ("c", "at</w>"), ("o", "g</w>")]:
        merges.append((a, b))
        vocab.setdefault(a + b, len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)


def _text_encoder():
    from transformers import CLIPTextConfig, CLIPTextModel

    cfg = CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=CROSS_DIM,
        intermediate_size=37, layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=2,
        vocab_size=1000, projection_dim=CROSS_DIM,
    )
    return CLIPTextModel(cfg)


def _unet(**kw):
    from diffusers import UNet2DConditionModel

    args = dict(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=SAMPLE, in_channels=4,
        out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=CROSS_DIM,
        norm_num_groups=4, attention_head_dim=4,
    )
    args.update(kw)
    return UNet2DConditionModel(**args)


def _vae():
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        block_out_channels=(8, 16), in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), latent_channels=4,
        norm_num_groups=4, sample_size=SAMPLE * 2,
    )


def _scheduler():
    from diffusers import PNDMScheduler

    return PNDMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", skip_prk_steps=True,
        set_alpha_to_one=False, steps_offset=1,
    )


def _wake(model) -> None:
    """Give zero-initialised parts small random values so that conditioning has an effect.

    A fresh ControlNet starts with zero convolutions and a fresh GLIGEN UNet with closed gates
    (tanh(0) = 0): untrained, neither the sketch nor the boxes would change a single pixel, and
    the tests could not tell whether limner passes them at all.
    """
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("alpha_attn", "alpha_dense")):
                p.fill_(1.0)
            elif p.ndim > 1 and not p.any():
                p.normal_(0.0, 0.1)


def _components(unet_kw: dict | None = None) -> dict:
    import torch

    torch.manual_seed(0)
    unet = _unet(**(unet_kw or {}))
    _wake(unet)
    torch.manual_seed(0)
    vae = _vae()
    torch.manual_seed(0)
    text_encoder = _text_encoder()
    return dict(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=_tokenizer(),
                scheduler=_scheduler(), safety_checker=None, feature_extractor=None,
                requires_safety_checker=False)


def build_tiny_pipelines(root: Path) -> dict[str, Path]:
    """Build (or reuse, if already built under ``root``) the tiny pipelines; return their paths."""
    import torch
    from diffusers import (
        ControlNetModel,
        StableDiffusionGLIGENPipeline,
        StableDiffusionInstructPix2PixPipeline,
        StableDiffusionPipeline,
    )

    root = Path(root)
    paths = {k: root / k for k in ("sd", "controlnet", "gligen", "ip2p")}

    def done(p: Path, marker: str = "model_index.json") -> bool:
        return (p / marker).exists()

    if not done(paths["sd"]):
        StableDiffusionPipeline(**_components()).save_pretrained(paths["sd"])
    if not done(paths["controlnet"], "config.json"):
        torch.manual_seed(0)
        cn = ControlNetModel(
            block_out_channels=(8, 16), layers_per_block=1, in_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            cross_attention_dim=CROSS_DIM, conditioning_embedding_out_channels=(8, 16),
            norm_num_groups=4, attention_head_dim=4,
        )
        _wake(cn)
        cn.save_pretrained(paths["controlnet"])
    if not done(paths["gligen"]):
        StableDiffusionGLIGENPipeline(
            **_components({"attention_type": "gated"})
        ).save_pretrained(paths["gligen"])
    if not done(paths["ip2p"]):
        StableDiffusionInstructPix2PixPipeline(
            **_components({"in_channels": 8})
        ).save_pretrained(paths["ip2p"])
    return paths


if __name__ == "__main__":  # python tests/diffusers/tiny.py OUT_DIR
    import sys

    for k, v in build_tiny_pipelines(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-sd")).items():
        print(k, v)
