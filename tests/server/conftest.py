"""Fixtures for the server tests: the real app on the embedded models, in process or on loopback."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from limner.llm.base import LLM, GenerateArgs  # noqa: E402


class CannedLLM(LLM):
    """An LLM at the true boundary: answers every call with the same text, counts calls."""

    id = "canned"

    def __init__(self, reply: str = "a red circle above a blue square, soft light, studio photograph"):
        super().__init__(model="canned", cache=None)
        self.kind = "chat"  # type: ignore[assignment]
        self.reply = reply
        self.calls = 0

    def _generate(self, args: GenerateArgs) -> str:
        self.calls += 1
        return self.reply


def make_engine(**limits):
    from limner.config import load_settings
    from limner.server.engine import Engine
    from limner.server.limits import Limits

    return Engine(Limits(**limits), load_settings(None), llm=CannedLLM())


@pytest.fixture
def make_client():
    """make_client(token=None, **limits) -> a TestClient on a fresh app (closed at the end)."""
    from fastapi.testclient import TestClient

    from limner.server.app import create_app

    made = []

    def make(token: str | None = None, **limits):
        client = TestClient(create_app(make_engine(**limits), token=token))
        client.__enter__()
        made.append(client)
        return client

    yield make
    for c in made:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server():
    """live_server(**limits) -> base URL of a real uvicorn server on loopback, in a thread."""
    import uvicorn

    from limner.server.app import create_app

    servers = []

    def start(token: str | None = None, **limits) -> str:
        port = free_port()
        app = create_app(make_engine(**limits), token=token)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        t = threading.Thread(target=server.run, daemon=True)
        t.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not t.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        servers.append((server, t))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, t in servers:
        server.should_exit = True
        t.join(timeout=30)
