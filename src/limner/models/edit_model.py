"""The embedded edit model: a small pixel-space diffusion UNet that edits 32×32 world images.

InstructPix2Pix's recipe at world scale. The UNet (``limner.models.world_model.build_unet``) sees, as input
channels next to the noisy target image:

* the **source image** (3 ch, [-1, 1]) — InstructPix2Pix's extra image channels;
* a **target sketch** (10 ch, ``limner.models.condition.layout_to_condition``): the planner turns the
  instruction into a target layout (``edit.reader`` + ``edit.apply`` on the source scene found by
  the detector) and paints it; zeros when ``limner edit --force`` runs an instruction the planner
  refused, so the model then runs on source + text alone (training pairs use the templates of
  ``edit.ops`` read by ``edit.instructions``);
* two fixed **texture-phase** channels (the canvas-wide stripe and dot patterns of the renderer),
  a positional hint that lets a small network draw textures in phase.

The instruction enters through a tiny CLIP text encoder (``build_text_encoder``) by cross-attention
at the lowest resolution and, pooled, added to the timestep embedding. To keep a training step
cheap on a CPU, the 32×32 input is pixel-unshuffled to 16×16 (×4 channels) and shuffled back.

Classifier-free guidance (InstructPix2Pix eq. 3), with the sketch counted as part of the text:
``x = u + s_I·(img − u) + s_T·(full − img)`` where ``u`` drops image, text and sketch, ``img``
keeps only the image, ``full`` keeps all; at ``s_I = s_T = 1`` it is ``full`` alone, and only that
branch is evaluated (3× faster). Prediction type: the clean sample ("x0"); sampling is DDIM.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .tokenizer import SPECIALS, WorldTokenizer, _default_words

WEIGHTS_DIR = Path(__file__).parent / "edit_weights"
SIZE = 32
SKETCH_CH = 10
PATTERN_CH = 2
IN_CH = 3 + 3 + SKETCH_CH + PATTERN_CH

# Words edit instructions use that the world tokenizer does not know (verbs, particles).
EDIT_WORDS = (
    "make turn change paint recolor recolour color colour into be should number it them move "
    "shift slide push drag nudge put place insert add remove delete erase take away get rid "
    "eliminate drop clear up down upward upwards downward downwards leftward rightward higher lower "
    "give replace use for instead enlarge shrink grow reduce smaller bigger larger exactly only "
    "total so that another more fewer less new edit scene picture make its stripy dotty polka spots "
    "filled unpatterned single couple pair everything"
).split()


def build_edit_tokenizer(max_length: int = 32) -> WorldTokenizer:
    words = SPECIALS + _default_words()
    words += [w for w in EDIT_WORDS if w not in words]
    out: list[str] = []
    for w in words:
        if w not in out:
            out.append(w)
    return WorldTokenizer(out, model_max_length=max_length)


@dataclass
class EditModelConfig:
    block_out_channels: tuple[int, ...] = (32, 64, 96)
    down_block_types: tuple[str, ...] = ("DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D")
    up_block_types: tuple[str, ...] = ("CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D")
    layers_per_block: int = 1
    text_layers: int = 2
    max_length: int = 32
    prediction_type: str = "sample"
    extra: dict[str, Any] = field(default_factory=dict)


def pattern_channels(size: int = SIZE) -> np.ndarray:
    """The renderer's canvas-wide stripe and dot masks (see world.render._texture), in [-1, 1]."""
    period = max(2.0, 0.09 * size)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    stripe = ((xx + yy) % period) < period / 2
    cx, cy = (xx % period) - period / 2, (yy % period) - period / 2
    dot = cx * cx + cy * cy <= (period * 0.28) ** 2
    return np.stack([stripe, dot]).astype(np.float32) * 2 - 1


def build_scheduler(kind: str = "ddpm", prediction_type: str = "sample"):
    from diffusers import DDIMScheduler, DDPMScheduler

    cls = DDPMScheduler if kind == "ddpm" else DDIMScheduler
    return cls(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2",
               prediction_type=prediction_type, clip_sample=True, clip_sample_range=1.0)


class EditModel:
    """UNet + text encoder + tokenizer; ``edit()`` runs guided DDIM sampling."""

    def __init__(self, config: EditModelConfig | None = None, unet=None, text_encoder=None, tokenizer=None):
        from .world_model import build_text_encoder, build_unet

        self.config = config or EditModelConfig()
        c = self.config
        self.tokenizer = tokenizer or build_edit_tokenizer(c.max_length)
        self.text_encoder = text_encoder or build_text_encoder(
            vocab_size=len(self.tokenizer), layers=c.text_layers, max_length=c.max_length)
        self.unet = unet or build_unet(
            IN_CH * 4, out_channels=12, sample_size=SIZE // 2,
            block_out_channels=tuple(c.block_out_channels), down_block_types=tuple(c.down_block_types),
            up_block_types=tuple(c.up_block_types), layers_per_block=c.layers_per_block,
            class_embed_type="projection", projection_class_embeddings_input_dim=128)
        import torch

        self._pattern = torch.from_numpy(pattern_channels())

    # -- persistence --------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        sd = {f"unet.{k}": v for k, v in self.unet.state_dict().items()}
        sd.update({f"text_encoder.{k}": v for k, v in self.text_encoder.state_dict().items()})
        return sd

    def load_state_dict(self, sd: dict[str, Any]) -> None:
        self.unet.load_state_dict({k[5:]: v.float() for k, v in sd.items() if k.startswith("unet.")})
        self.text_encoder.load_state_dict(
            {k[13:]: v.float() for k, v in sd.items() if k.startswith("text_encoder.")}, strict=False)

    def save_pretrained(self, path: str | Path, fp16: bool = True, meta: dict | None = None) -> Path:
        import torch
        from safetensors.torch import save_file

        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        sd = {k: (v.half() if fp16 and v.is_floating_point() else v).contiguous()
              for k, v in self.state_dict().items()}
        tmp = d / ".model.safetensors.tmp"
        save_file(sd, str(tmp), metadata={"format": "pt"})
        tmp.replace(d / "model.safetensors")
        cfg = asdict(self.config)
        (d / "config.json").write_text(json.dumps(cfg | {"meta": meta or {}}, indent=2))
        self.tokenizer.save_pretrained(d / "tokenizer")
        del torch
        return d

    @classmethod
    def from_pretrained(cls, path: str | Path = WEIGHTS_DIR) -> "EditModel":
        from safetensors.torch import load_file

        from ..errors import ModelNotFoundError

        d = Path(path)
        if not (d / "model.safetensors").is_file():
            raise ModelNotFoundError(f"no edit model weights in {d} (train them with `limner world train-edit`)")
        raw = json.loads((d / "config.json").read_text())
        raw.pop("meta", None)
        cfg = EditModelConfig(**raw)
        tok = WorldTokenizer.from_pretrained(d / "tokenizer")
        m = cls(cfg, tokenizer=tok)
        m.load_state_dict(load_file(str(d / "model.safetensors")))
        m.unet.eval()
        m.text_encoder.eval()
        return m

    def parameters(self):
        return list(self.unet.parameters()) + list(self.text_encoder.parameters())

    # -- forward ------------------------------------------------------------------------------
    def encode_text(self, texts: list[str]):
        import torch

        ids = torch.tensor([self.tokenizer.encode(t) for t in texts], dtype=torch.long)
        out = self.text_encoder(ids)
        return out.last_hidden_state, out.pooler_output

    def predict(self, noisy, t, source, sketch, text_h, text_pooled):
        """The model's output (clean-sample prediction) for batched 32×32 inputs in [-1, 1]."""
        import torch
        import torch.nn.functional as F

        b = noisy.shape[0]
        pat = self._pattern.to(noisy.dtype).expand(b, -1, -1, -1)
        x = torch.cat([noisy, source, sketch, pat], dim=1)
        x = F.pixel_unshuffle(x, 2)
        out = self.unet(x, t, encoder_hidden_states=text_h, class_labels=text_pooled).sample
        return F.pixel_shuffle(out, 2)

    def edit(self, source, instruction: list[str], sketch, *, image_guidance_scale: float = 1.0,
             guidance_scale: float = 1.0, num_inference_steps: int = 20, generators=None,
             callback: Callable[[int, int], None] | None = None, keep=None, fill=None):
        """Guided DDIM sampling. ``source`` (B,3,32,32) and ``sketch`` (B,10,32,32) tensors; one
        ``torch.Generator`` per image. ``keep`` (B,1,32,32 in [0, 1], optional, see ``edit.mask``):
        at every step the clean-sample prediction becomes ``keep·fill + (1 − keep)·prediction``,
        and so does the result (blended sampling); ``fill`` (B,3,32,32) defaults to the source.
        Returns (B,3,32,32) in [-1, 1]."""
        import torch

        b = source.shape[0]
        if keep is not None and fill is None:
            fill = source
        sched = build_scheduler("ddim", self.config.prediction_type)
        sched.set_timesteps(num_inference_steps)
        if generators is None:
            generators = [torch.Generator().manual_seed(i) for i in range(b)]
        x = torch.stack([torch.randn(3, SIZE, SIZE, generator=g) for g in generators])
        with torch.no_grad():
            h_full, p_full = self.encode_text(list(instruction))
            h_null, p_null = self.encode_text([""] * b)
            zeros_img = torch.zeros_like(source)
            zeros_sk = torch.zeros_like(sketch)
            src3 = torch.cat([zeros_img, source, source])
            sk3 = torch.cat([zeros_sk, zeros_sk, sketch])
            h3 = torch.cat([h_null, h_null, h_full])
            p3 = torch.cat([p_null, p_null, p_full])
            steps = list(sched.timesteps)
            plain = image_guidance_scale == 1 and guidance_scale == 1  # the formula is just `full`
            for i, t in enumerate(steps):
                if plain:
                    tt = torch.full((b,), int(t), dtype=torch.long)
                    guided = self.predict(x, tt, source, sketch, h_full, p_full)
                else:
                    tt = torch.full((3 * b,), int(t), dtype=torch.long)
                    out = self.predict(torch.cat([x, x, x]), tt, src3, sk3, h3, p3)
                    u, img, full = out.chunk(3)
                    guided = u + image_guidance_scale * (img - u) + guidance_scale * (full - img)
                if keep is not None:
                    guided = keep * fill + (1 - keep) * guided
                x = sched.step(guided, t, x).prev_sample
                if callback:
                    callback(i + 1, len(steps))
        if keep is not None:
            x = keep * fill + (1 - keep) * x
        return x.clamp(-1, 1)
