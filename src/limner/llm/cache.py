"""A disk cache of LLM replies.

One JSON file per call, named by the sha256 of everything that determines the reply: the backend's
identity (id, model, and e.g. the server URL), the messages or prompt, the JSON schema, seed,
temperature, max_tokens and stop strings. Writes are atomic (temporary file + rename), so several
processes can share a cache directory. Only replies that were accepted are stored: with a schema,
a reply that failed validation is not cached (see :meth:`limner.llm.base.LLM._run`).

On by default at ``Settings.llm_cache_dir`` (``~/.cache/limner/llm``); off with ``--no-cache`` or
``llm_cache = false`` in the config file (or ``LIMNER_LLM_CACHE=false``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import LLM, GenerateArgs

CACHE_FORMAT = 1


def cache_key_material(llm: "LLM", args: "GenerateArgs") -> dict[str, Any]:
    """What the key is computed from (also stored in the file, for people inspecting the cache)."""
    return {
        "format": CACHE_FORMAT,
        "llm": llm.cache_identity(),
        "messages": None if args.messages is None else [m.to_dict() for m in args.messages],
        "prompt": args.prompt,
        "schema": args.json_schema,
        "seed": args.seed,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "stop": list(args.stop),
    }


def cache_key(llm: "LLM", args: "GenerateArgs") -> str:
    blob = json.dumps(cache_key_material(llm, args), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class LLMCache:
    """``get(llm, args) -> str | None`` and ``put(llm, args, text)`` over files in ``dir``."""

    def __init__(self, dir: str | os.PathLike):
        self.dir = Path(dir).expanduser()

    def __repr__(self) -> str:
        return f"LLMCache({str(self.dir)!r})"

    def path_for(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, llm: "LLM", args: "GenerateArgs") -> str | None:
        path = self.path_for(cache_key(llm, args))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # missing, unreadable or half-written by a foreign tool
            return None
        text = data.get("text") if isinstance(data, dict) else None
        return text if isinstance(text, str) else None

    def put(self, llm: "LLM", args: "GenerateArgs", text: str) -> None:
        key = cache_key(llm, args)
        path = self.path_for(key)
        record = {"key": key, "input": cache_key_material(llm, args), "text": text}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(record, fh, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a cache that cannot be written is not an error: the reply is still returned

    def clear(self) -> int:
        """Delete every cached reply; return how many files were removed."""
        n = 0
        for path in self.dir.glob("*/*.json"):
            path.unlink(missing_ok=True)
            n += 1
        return n
