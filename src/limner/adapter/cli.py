"""`limner adapter ...`: train a SUR-adapter (use it with `limner generate --adapter PATH`)."""

from __future__ import annotations

from typing import Optional

import typer

adapter_app = typer.Typer(help="SUR-adapter: simple prompts that work like detailed ones.", no_args_is_help=True)


@adapter_app.command("train")
def train_cmd(
    out: str = typer.Option("out", help="run directory; the adapter is OUT/adapter.safetensors"),
    base: Optional[str] = typer.Option(None, help="frozen model: the embedded world model (default) or a local diffusers SD folder"),
    data: str = typer.Option("world", help="'world' (corpus triples) or a folder with metadata.jsonl (file_name, text, prompt)"),
    n_train: int = typer.Option(400, help="world triples to train on (seen vocabulary only)"),
    minutes: Optional[float] = typer.Option(None, help="stop after this much wall time (total, across resumes)"),
    steps: int = typer.Option(100_000, help="stop after this many optimizer steps"),
    batch: int = typer.Option(8),
    lr: float = typer.Option(1e-3, help="AdamW learning rate"),
    w_denoise: float = typer.Option(1.0, help="weight of the denoising (ε/v) loss"),
    w_align: float = typer.Option(0.1, help="weight of the alignment KL (simple → complex text states)"),
    w_distill: float = typer.Option(0.01, help="weight of the LLM distillation KL"),
    align_loss: str = typer.Option("kl", help="alignment loss: kl (the paper's, softmax over channels) or mse"),
    denoise_grad: bool = typer.Option(True, help="let the denoising loss train the adapter (--no-denoise-grad: the paper code's defect)"),
    learned_projection: bool = typer.Option(True, help="train the LLM projection (--no-learned-projection: frozen at init, as in the paper code)"),
    llm_input: bool = typer.Option(True, help="feed the projected LLM vector to the adapter as a token (--no-llm-input: the paper's wiring)"),
    llm: str = typer.Option("embedded", help="feature LLM: 'embedded' (Gemma GGUF), a GGUF path, or 'none'"),
    llm_pooling: str = typer.Option("mean", help="LLM token states → one vector: mean (the paper) or last (the last token's state)"),
    eta: float = typer.Option(0.5, help="mixing: eta*adapter + (1-eta)*text (paper: 0.1)"),
    seed: int = typer.Option(0),
    threads: int = typer.Option(1, help="torch CPU threads"),
    ckpt_minutes: float = typer.Option(4.0),
    resume: bool = typer.Option(False, help="continue the run in OUT"),
    quiet: bool = typer.Option(False, "-q", "--quiet"),
) -> None:
    """Train a SUR-adapter against a frozen model (the UNet and text encoder are not changed)."""
    from .train import TrainOptions, train

    opts = TrainOptions(out=out, base=base, data=data, n_train=n_train, minutes=minutes, steps=steps, batch=batch,
                        lr=lr, w_denoise=w_denoise, w_align=w_align, w_distill=w_distill, align_loss=align_loss, denoise_grad=denoise_grad,
                        learned_projection=learned_projection, llm_input=llm_input, llm=llm, llm_pooling=llm_pooling, eta=eta, seed=seed,
                        threads=threads, ckpt_minutes=ckpt_minutes, resume=resume)
    state = train(opts, progress=not quiet)
    typer.echo(f"step={state['step']} elapsed_s={state['elapsed_s']:.0f} adapter={state['adapter']} "
               f"sha256={state['sha256'][:16]}")


def register(app: typer.Typer) -> None:
    app.add_typer(adapter_app, name="adapter")
