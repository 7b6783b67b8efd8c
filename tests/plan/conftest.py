"""Shared helpers for the planner tests: a scripted LLM (replies wrong on purpose where a test
needs the repair paths) — the real embedded LLM is tested in test_embedded.py when installed."""

from __future__ import annotations

import pytest



def ScriptedLLM(replies, kind="base"):  # noqa: N802 - the shared class, base-model prompts by default
    from helpers import ScriptedLLM as Shared

    return Shared(replies, kind=kind)


@pytest.fixture
def scripted():
    return ScriptedLLM
