"""Tiny, randomly initialised OWLv2 and Grounding DINO built from configs and written with
``save_pretrained`` (as diffusers' and transformers' own tests do), so the detectors load them
through the same ``from_pretrained`` path as real weights. Seeded: two builds are identical."""

from __future__ import annotations

from pathlib import Path


def _clip_tokenizer():
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    # OWL masks a query whose first token id is 0, so id 0 is a pad symbol, not <|startoftext|>
    vocab = {"!pad": 0, "<|startoftext|>": 1, "<|endoftext|>": 2}
    for ch in alphabet:
        vocab.setdefault(ch, len(vocab))
    for ch in alphabet:
        vocab.setdefault(ch + "</w>", len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=16, pad_token="<|endoftext|>")


def build_owlv2(folder: Path) -> Path:
    import torch
    from transformers import Owlv2Config, Owlv2ForObjectDetection, Owlv2ImageProcessorPil, Owlv2Processor

    torch.manual_seed(0)
    cfg = Owlv2Config(
        text_config=dict(vocab_size=600, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=16, bos_token_id=1, eos_token_id=2,
                         pad_token_id=2),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
                           image_size=64, patch_size=16),
        projection_dim=32)
    model = Owlv2ForObjectDetection(cfg)
    with torch.no_grad():  # random box-head weights saturate the sigmoid: start from the grid prior
        model.box_head.dense2.weight.zero_()
        model.box_head.dense2.bias.zero_()
    model.save_pretrained(folder)
    Owlv2Processor(image_processor=Owlv2ImageProcessorPil(size={"height": 64, "width": 64}),
                   tokenizer=_clip_tokenizer()).save_pretrained(folder)
    return folder


def build_grounding_dino(folder: Path) -> Path:
    import torch
    from transformers import (BertConfig, BertTokenizer, GroundingDinoConfig, GroundingDinoForObjectDetection,
                              GroundingDinoImageProcessorPil, GroundingDinoProcessor, SwinConfig)

    folder.mkdir(parents=True, exist_ok=True)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "red", "blue", "green", "yellow", "circle",
             "square", "star", "heart", "a", "the"]
    (folder / "vocab.txt").write_text("\n".join(words) + "\n")
    tok = BertTokenizer(str(folder / "vocab.txt"))
    torch.manual_seed(0)
    cfg = GroundingDinoConfig(
        backbone_config=SwinConfig(image_size=64, patch_size=4, embed_dim=8, depths=[1, 1], num_heads=[1, 1],
                                   window_size=4, out_features=["stage1", "stage2"]),
        text_config=BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=16, max_position_embeddings=64),
        d_model=32, encoder_layers=1, decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2,
        encoder_ffn_dim=32, decoder_ffn_dim=32, num_queries=8, num_feature_levels=2, encoder_n_points=2,
        decoder_n_points=2, max_text_len=32, use_pretrained_backbone=False)
    GroundingDinoForObjectDetection(cfg).save_pretrained(folder)
    GroundingDinoProcessor(image_processor=GroundingDinoImageProcessorPil(size={"shortest_edge": 64, "longest_edge": 64}),
                           tokenizer=tok).save_pretrained(folder)
    return folder
