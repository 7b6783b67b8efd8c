"""Test helpers shared by every test folder (import as ``from helpers import ScriptedLLM``; the
top-level conftest puts this folder on ``sys.path``, and its ``scripted`` fixture returns the class)."""

from __future__ import annotations

from limner.llm.base import LLM, GenerateArgs


class ScriptedLLM(LLM):
    """An LLM backend that returns the scripted replies in turn (the last one forever) and records
    every call, for boundary tests: replies that are off-format, drop facts, or are right only on
    the second try. ``kind`` is "chat" (messages) or "base" (a completion prompt)."""

    id = "scripted"

    def __init__(self, replies: list[str], kind: str = "chat"):
        super().__init__(model="script", cache=None)
        self.kind = kind  # type: ignore[assignment]
        self.replies = list(replies)
        self.calls: list[GenerateArgs] = []

    def _generate(self, args: GenerateArgs) -> str:
        self.calls.append(args)
        i = min(len(self.calls) - 1, len(self.replies) - 1)
        return self.replies[i]
