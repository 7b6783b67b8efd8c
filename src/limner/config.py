"""Typed, layered configuration: CLI flag > ``LIMNER_*`` environment > config file > defaults.

There is no global mutable config: :func:`load_settings` returns a fresh frozen :class:`Settings`
each call, and callers pass it (or single values) down.

Config file: ``--config PATH``, else ``$LIMNER_CONFIG``, else ``~/.config/limner/config.toml``
(``$XDG_CONFIG_HOME`` respected). Keys are the field names below, at top level, e.g.::

    llm_backend = "openai"
    llm_base_url = "http://127.0.0.1:11434/v1"
    llm_model = "llama3.1"
    image_backend = "diffusers"
    image_model = "/models/sd-turbo"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError


def _xdg(var: str, default: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / default)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    llm_backend: str = "embedded"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_cache: bool = True
    llm_timeout: float = 120.0
    image_backend: str = "embedded"
    image_model: str | None = None
    device: str = "cpu"
    dtype: str = "float32"
    cache_dir: Path = _xdg("XDG_CACHE_HOME", ".cache") / "limner"

    @property
    def llm_cache_dir(self) -> Path:
        return self.cache_dir / "llm"


def default_config_path() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "limner" / "config.toml"


def _env_values() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in Settings.model_fields:
        val = os.environ.get(f"LIMNER_{name.upper()}")
        if val is not None:
            out[name] = val
    return out


def _file_values(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file not found: {path}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    unknown = set(data) - set(Settings.model_fields)
    if unknown:
        raise ConfigError(f"unknown key(s) in {path}: {', '.join(sorted(unknown))}")
    return data


def load_settings(config: str | os.PathLike | None = None, **flags: Any) -> Settings:
    """Merge the layers; ``flags`` with value None are treated as not given."""
    explicit = config is not None or "LIMNER_CONFIG" in os.environ
    path = Path(config or os.environ.get("LIMNER_CONFIG") or default_config_path()).expanduser()
    merged: dict[str, Any] = {}
    merged.update(_file_values(path, explicit))
    merged.update(_env_values())
    merged.update({k: v for k, v in flags.items() if v is not None})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ConfigError(f"bad setting {'.'.join(map(str, e['loc']))}: {e['msg']}") from None
