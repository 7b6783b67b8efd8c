"""`limner serve`: the HTTP API and web page (FastAPI + uvicorn)."""

from __future__ import annotations

import ipaddress
import os
from typing import Optional

import typer

LOOPBACK = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="address to bind (loopback by default)"),
        port: int = typer.Option(7860, "--port", min=1, max=65535),
        token: Optional[str] = typer.Option(None, "--token", envvar="LIMNER_TOKEN",
                                            help="require 'Authorization: Bearer TOKEN' (needed off loopback)"),
        queue_size: int = typer.Option(16, "--queue-size", min=1, max=1024, help="jobs that may wait"),
        max_steps: int = typer.Option(150, "--max-steps", min=1, max=1000),
        max_images: int = typer.Option(8, "--max-images", min=1, max=64),
        config: Optional[str] = typer.Option(None, "--config", help="config file (TOML)"),
    ) -> None:
        """Serve the HTTP API (limner routes + the A1111 subset) and the web page; models load once."""
        from .._deps import require
        from ..config import load_settings
        from ..errors import InputError

        if not is_loopback(host) and not token:
            raise InputError(f"refusing to bind {host} without --token (anyone on the network could use it)")
        require("fastapi", "the server")
        uvicorn = require("uvicorn", "the server")
        from .app import create_app
        from .engine import Engine
        from .limits import Limits

        limits = Limits(queue_size=queue_size, max_steps=max_steps, max_images=max_images)
        engine = Engine(limits, load_settings(config))
        typer.echo(f"limner: serving on http://{host}:{port}/ (API docs at /docs)", err=True)
        uvicorn.run(create_app(engine, limits=limits, token=token), host=host, port=port,
                    log_level=os.environ.get("LIMNER_LOG_LEVEL", "warning"))
