"""The `openai` backend against a real OpenAI-compatible server (`python -m llama_cpp.server`)."""

from __future__ import annotations

import socket

import pytest

from limner.config import Settings
from limner.errors import LLMError
from limner.llm import get_llm
from limner.llm.validate import check
from limner.llm.prompts import ask_json


COLORS = {"type": "object", "properties": {"colors": {"type": "array", "items": {"type": "string"},
                                                      "maxItems": 5}},
          "required": ["colors"]}


def _free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def remote(server_url):
    return get_llm("openai", base_url=server_url, cache=False, settings=Settings(llm_timeout=60))


def test_plain_chat_returns_text(remote):
    # a base model behind a chat template stays silent without a system turn
    text = remote.chat([{"role": "system", "content": "You are a helpful assistant."},
                        {"role": "user", "content": "Say hello."}], max_tokens=8)
    assert isinstance(text, str) and text.strip()
    assert remote.model  # picked from GET /models


def test_schema_reply_is_a_validated_object(remote):
    data = ask_json(remote, "Name two colours", COLORS, max_tokens=32)  # system turn + schema
    check(data, COLORS)
    # llama-cpp-python's server refuses the json_schema form; the backend switched to json_object
    assert remote.schema_style == "json_object"


def test_unreachable_port_is_llm_error():
    url = f"http://127.0.0.1:{_free_port()}/v1"
    llm = get_llm("openai", base_url=url, model="x", cache=False, settings=Settings(llm_timeout=5))
    with pytest.raises(LLMError) as exc:
        llm.chat("hi", max_tokens=4)
    assert url in str(exc.value) and "\n" not in str(exc.value)


def test_http_error_names_the_url(server_url):
    url = server_url.rsplit("/v1", 1)[0] + "/nowhere"
    llm = get_llm("openai", base_url=url, model="x", cache=False, settings=Settings(llm_timeout=10))
    with pytest.raises(LLMError) as exc:
        llm.chat("hi", max_tokens=4)
    assert "404" in str(exc.value) and url in str(exc.value)
