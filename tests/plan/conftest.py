"""Shared helpers for the planner tests: a scripted LLM (replies wrong on purpose where a test
needs the repair paths) — the real embedded LLM is tested in test_embedded.py when installed."""

from __future__ import annotations

import pytest

from limner.llm.base import LLM, GenerateArgs


class ScriptedLLM(LLM):
    """Returns the given replies in turn (the last one repeats); records every prompt."""

    id = "scripted"

    def __init__(self, replies, kind="base"):
        super().__init__(model="scripted")
        self.replies = list(replies)
        self.kind = kind
        self.calls: list[GenerateArgs] = []

    def _generate(self, args: GenerateArgs) -> str:
        self.calls.append(args)
        i = min(len(self.calls) - 1, len(self.replies) - 1)
        return self.replies[i]


@pytest.fixture
def scripted():
    return ScriptedLLM
