"""Tiny real world-model components (seconds on one CPU thread)."""

import pytest


@pytest.fixture(scope="session")
def tiny_pipe():
    import torch

    from limner.models.condition import NUM_CHANNELS
    from limner.models.world_model import build_text_encoder, build_tokenizer, build_unet
    from limner.models.world_pipeline import WorldPipeline, default_scheduler
    from limner.models.world_train import MODEL_PRESETS

    torch.set_num_threads(1)
    torch.manual_seed(0)
    p = MODEL_PRESETS["tiny"]
    tok = build_tokenizer()
    te = build_text_encoder(len(tok), **p["text"])
    unet = build_unet(3 + NUM_CHANNELS, sample_size=16, cross_attention_dim=p["text"]["hidden_size"], **p["unet"])
    return WorldPipeline(unet=unet.eval(), text_encoder=te.eval(), tokenizer=tok, scheduler=default_scheduler())
