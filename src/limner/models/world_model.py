"""Builders for the embedded world's models (reused by the edit model in ``limner.edit``).

* :func:`build_tokenizer` — the word-level :class:`~limner.models.tokenizer.WorldTokenizer`.
* :func:`build_text_encoder` — a tiny ``transformers.CLIPTextModel`` trained from scratch.
* :func:`build_unet` — a small pixel-space ``diffusers.UNet2DConditionModel``; its input is the
  noisy image (3 ch) concatenated with extra conditioning channels (``in_channels`` = 3 + C, e.g.
  the layout sketch of :mod:`limner.models.condition`, or a source image for editing).
* :func:`build_scheduler` — the training scheduler: v-prediction, cosine (squaredcos_cap_v2).

torch/diffusers/transformers are imported inside the functions (``import limner`` stays light).
"""

from __future__ import annotations

from typing import Any

from .tokenizer import WorldTokenizer

TEXT_DIM = 128
# The shipped world model's UNet (32×32 px, ≈2.3M params). Self-attention and text cross-attention
# only at 8×8 and a thin 16-channel full-resolution level: on a loaded 2-core CPU, attention at 16×16
# cost ~40% of a step, and the 32×32 level dominates the rest.
DEFAULT_UNET: dict[str, Any] = dict(
    block_out_channels=(16, 64, 96),
    down_block_types=("DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
    layers_per_block=1,
    attention_head_dim=16,
    norm_num_groups=8,
)


def build_tokenizer(model_max_length: int = 48) -> WorldTokenizer:
    """The world tokenizer (world vocabulary + number/relation/common words, unknown → ``<unk>``)."""
    return WorldTokenizer(model_max_length=model_max_length)


def build_text_encoder(vocab_size: int | None = None, hidden_size: int = TEXT_DIM, layers: int = 3,
                       heads: int = 4, max_length: int = 48):
    """A tiny randomly initialised ``CLIPTextModel`` whose ids match :func:`build_tokenizer`."""
    from transformers import CLIPTextConfig, CLIPTextModel

    tok = build_tokenizer(max_length)
    cfg = CLIPTextConfig(
        vocab_size=vocab_size or len(tok), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
        num_hidden_layers=layers, num_attention_heads=heads, max_position_embeddings=max_length,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        projection_dim=hidden_size,
    )
    return CLIPTextModel(cfg)


def build_unet(in_channels: int, out_channels: int = 3, sample_size: int = 32,
               cross_attention_dim: int = TEXT_DIM, **overrides: Any):
    """A small pixel-space ``UNet2DConditionModel`` (≈2.3M params with the defaults)."""
    from diffusers import UNet2DConditionModel

    kw = dict(DEFAULT_UNET)
    kw.update(overrides)
    return UNet2DConditionModel(
        sample_size=sample_size, in_channels=in_channels, out_channels=out_channels,
        cross_attention_dim=cross_attention_dim, **kw,
    )


def build_scheduler():
    """Training scheduler: 1000 steps, cosine betas, v-prediction."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2",
                         prediction_type="v_prediction", clip_sample=False)
