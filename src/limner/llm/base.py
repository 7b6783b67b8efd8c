"""The one small LLM interface every backend implements.

A backend subclasses :class:`LLM` and implements :meth:`LLM._generate`: messages (or, for base
models, a raw prompt) in, text out, optionally constrained by a JSON schema. Everything else —
validation against a pydantic model, bounded retries with the validation error, the disk cache —
lives here once, so that ``chat()`` behaves the same on every backend.

Base models (the embedded Gemma-270M) are given few-shot prompts via :meth:`LLM.complete`; chat
models get instructions via :meth:`LLM.chat`. ``kind`` tells callers which one a backend is.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar, overload

from pydantic import BaseModel

from ..errors import InputError, LLMError, LLMOutputError
from .validate import validate_reply

T = TypeVar("T", bound=BaseModel)
Schema = type[BaseModel] | dict[str, Any]


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerateArgs:
    """The arguments of one backend call; also the cache key's content."""

    messages: tuple[Message, ...] | None  # chat form
    prompt: str | None  # raw completion form (base models)
    json_schema: dict[str, Any] | None
    seed: int
    temperature: float
    max_tokens: int
    stop: tuple[str, ...] = field(default_factory=tuple)
    # monotonic time by which the whole call (re-asks included) must end; not part of the cache key
    deadline: float | None = field(default=None, compare=False)

    def remaining(self) -> float | None:
        """Seconds left before ``deadline`` (None = no deadline); may be <= 0."""
        return None if self.deadline is None else self.deadline - time.monotonic()


class LLMTimeout(LLMError):
    """The whole LLM call (all tries) did not finish within its deadline (``--llm-timeout``)."""


def _tries(n: int) -> str:
    return f"{n} {'try' if n == 1 else 'tries'}"


def schema_dict(schema: Schema | None) -> dict[str, Any] | None:
    if schema is None:
        return None
    if isinstance(schema, dict):
        return schema
    return schema.model_json_schema()


class LLM(ABC):
    """Base class for LLM backends. Subclasses set ``id`` and implement ``_generate``."""

    id: str = ""
    kind: Literal["base", "chat"] = "chat"
    max_retries: int = 2

    timeout: float | None = None  # seconds for a whole call, re-asks included; None/0 = no limit
    plan_repair_rounds: int = 1  # how often the planner asks again with the verifier's problems

    def __init__(self, model: str | None = None, cache: Any = None):
        self.model = model or ""
        self.cache = cache  # an LLMCache or None

    @classmethod
    def from_settings(cls, settings: Any, *, base_url: str | None = None, model: str | None = None,
                      api_key: str | None = None, cache: Any = None, **options: Any) -> "LLM":
        """Build from :class:`limner.config.Settings` (used by ``get_llm``); backends override."""
        return cls(model=model, cache=cache, **options)

    # -- implemented by backends ------------------------------------------------------------
    @abstractmethod
    def _generate(self, args: GenerateArgs) -> str:
        """Run one call. ``args.json_schema``, when set, must constrain decoding if possible."""

    # -- public API ---------------------------------------------------------------------------
    @overload
    def chat(self, messages: list[Message] | str, *, schema: type[T], **kw: Any) -> T: ...
    @overload
    def chat(self, messages: list[Message] | str, *, schema: dict[str, Any], **kw: Any) -> Any: ...
    @overload
    def chat(self, messages: list[Message] | str, *, schema: None = None, **kw: Any) -> str: ...

    def chat(self, messages, *, schema=None, seed=0, temperature=0.0, max_tokens=512, stop=None,
             timeout=None):
        """Chat messages in; text out, or a validated object when ``schema`` is given.

        ``timeout`` (seconds) bounds the whole call including re-asks; default ``self.timeout``.
        """
        if isinstance(messages, str):
            messages = [Message("user", messages)]
        messages = [m if isinstance(m, Message) else Message(m["role"], m["content"]) for m in messages]
        return self._run(tuple(messages), None, schema, seed, temperature, max_tokens, stop, timeout)

    def complete(self, prompt: str, *, schema=None, seed=0, temperature=0.0, max_tokens=512, stop=None,
                 timeout=None):
        """Raw text completion (few-shot prompts for base models); same validation as chat."""
        return self._run(None, prompt, schema, seed, temperature, max_tokens, stop, timeout)

    def where(self) -> str:
        """Names this backend in error messages (backends add e.g. the server URL)."""
        return f"{self.id} LLM ({self.model})" if self.model else f"{self.id} LLM"

    # -- shared machinery ---------------------------------------------------------------------
    def _call(self, args: GenerateArgs) -> tuple[str, bool]:
        """One reply for ``args``: (text, came_from_cache)."""
        if self.cache is not None:
            hit = self.cache.get(self, args)
            if hit is not None:
                return hit, True
        left = args.remaining()
        if left is not None and left <= 0:
            raise LLMTimeout("no time left")
        return self._generate(args), False

    def _store(self, args: GenerateArgs, text: str, cached: bool) -> None:
        if self.cache is not None and not cached:
            self.cache.put(self, args, text)

    def _run(self, messages, prompt, schema, seed, temperature, max_tokens, stop, timeout=None):
        if messages is not None and not any(m.content.strip() for m in messages):
            raise InputError("the messages are empty")
        if prompt is not None and not prompt.strip():
            raise InputError("the prompt is empty")
        if int(max_tokens) < 1:
            raise InputError(f"max_tokens must be at least 1, got {max_tokens}")
        limit = self.timeout if timeout is None else timeout
        limit = float(limit) if limit and float(limit) > 0 else None
        deadline = None if limit is None else time.monotonic() + limit
        js = schema_dict(schema)
        args = GenerateArgs(messages, prompt, js, int(seed), float(temperature), int(max_tokens),
                            tuple(stop or ()), deadline)
        errors: list[str] = []
        tries = 1
        try:
            raw, cached = self._call(args)
            if schema is None:
                self._store(args, raw, cached)
                return raw
            for attempt in range(self.max_retries + 1):
                try:
                    out = validate_reply(raw, schema)
                except ValueError as exc:
                    errors.append(str(exc))
                    if attempt == self.max_retries:
                        break
                    args = self._retry_args(args, raw, str(exc), attempt)
                    tries += 1
                    raw, cached = self._call(args)
                else:
                    self._store(args, raw, cached)  # only replies that validated are cached
                    return out
        except LLMTimeout as exc:
            if limit is None:
                raise
            last = f"; last reply: {errors[-1]}" if errors else ""
            why = "" if str(exc) == "no time left" else f": {exc}"
            raise LLMTimeout(f"{self.where()} gave no valid reply within {limit:g} s "
                             f"({_tries(tries)}{last}){why}") from None
        raise LLMOutputError(
            f"{self.where()}: reply did not match the schema after {_tries(tries)}: {errors[-1]}",
            raw=raw if isinstance(raw, str) else "",
            errors=errors,
        )

    def _retry_args(self, args: GenerateArgs, raw: str, error: str, attempt: int) -> GenerateArgs:
        """Ask again, showing the model its reply and the validation error; new seed each time."""
        fix = f"Your reply was invalid: {error}. Reply again with only valid JSON for the schema."
        if args.messages is not None:
            msgs = args.messages + (Message("assistant", raw[:2000]), Message("user", fix))
            return replace(args, messages=msgs, seed=args.seed + attempt + 1)
        return replace(args, seed=args.seed + attempt + 1, temperature=max(args.temperature, 0.3))

    def cache_identity(self) -> dict[str, Any]:
        """What distinguishes this backend's replies in the cache key (backends add e.g. a URL)."""
        return {"backend": self.id, "model": self.model, "kind": self.kind}

    def describe(self) -> dict[str, str]:
        """For records and `limner doctor`."""
        return {"backend": self.id, "model": self.model, "kind": self.kind}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id!r} model={self.model!r} kind={self.kind!r}>"


def render_transcript(messages: tuple[Message, ...] | list[Message]) -> tuple[str, tuple[str, ...]]:
    """Render chat messages as a plain-text transcript for a *base* model.

    Returns ``(prompt, stop)``: the prompt ends with ``"Assistant:"`` so the model writes the next
    turn, and ``stop`` ends that turn before the model invents the user's next line.
    """
    names = {"system": "", "user": "User", "assistant": "Assistant"}
    parts = []
    for m in messages:
        text = m.content.strip()
        parts.append(text if m.role == "system" else f"{names[m.role]}: {text}")
    prompt = "\n\n".join(parts) + "\n\nAssistant:"
    return prompt, ("\nUser:", "\n\nUser", "\nAssistant:")
