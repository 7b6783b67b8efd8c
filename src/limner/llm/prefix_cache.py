"""KV-state cache for few-shot prefixes, so a new request pays only for its own tokens.

Every limner task sends the base model a long, fixed few-shot frame followed by a short request.
Within one process llama.cpp's context already keeps the last prompt, but a command-line run
starts cold and tasks alternate (plan, then expand). :class:`PrefixCache` keeps the KV state of a
prompt's *prefix* — everything up to and including the last blank line (``"\\n\\n"``), else the
last line break — in memory (a few entries) and on disk (``<cache_dir>/llm-state``), keyed by
the sha256 of the model's identity and the prefix tokens. Restoring checks the stored tokens
against the prompt's, so a stale or foreign file is simply not used.

States are written atomically; a file that cannot be read or written only costs speed.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

MIN_PREFIX_TOKENS = 48
MEMORY_ENTRIES = 8  # plan + edit-data + expansion's few-shot frames (2 per prefix); ~7 MB each
DISK_ENTRIES = 24  # ~18 kB per prefix token on Gemma-3-270M: at most ~170 MB
FORMAT = b"limner-kv-1\n"


class PrefixCache:
    def __init__(self, identity: str, dir: str | os.PathLike | None = None):
        self.identity = identity
        self.dir = Path(dir).expanduser() if dir is not None else None
        self._memory: OrderedDict[str, tuple[np.ndarray, bytes]] = OrderedDict()
        self._known: dict[int, set[str]] = {}  # prefix length -> keys seen (memory or disk)
        self.hits = 0
        self.saves = 0

    # -- keys ---------------------------------------------------------------------------------
    def _key(self, tokens: list[int] | np.ndarray) -> str:
        h = hashlib.sha256(self.identity.encode("utf-8"))
        h.update(np.asarray(tokens, dtype=np.int32).tobytes())
        return h.hexdigest()

    def _lengths_on_disk(self) -> set[int]:
        out: set[int] = set()
        if self.dir is None or not self.dir.is_dir():
            return out
        for p in self.dir.glob("*.len*.kv"):
            try:
                out.add(int(p.name.split(".len", 1)[1].split(".", 1)[0]))
            except ValueError:
                continue
        return out

    # -- where to cut -------------------------------------------------------------------------
    def save_point(self, llm: Any, prompt: str, tokens: list[int]) -> int | None:
        """Token count of ``prompt``'s few-shot prefix, or None if it has none worth keeping."""
        for sep in ("\n\n", "\n"):
            cut = prompt.rfind(sep, 0, max(0, len(prompt) - 1))
            if cut <= 0:
                continue
            head = list(llm.tokenize(prompt[: cut + len(sep)].encode("utf-8"), add_bos=True, special=True))
            n = len(head)
            if MIN_PREFIX_TOKENS <= n < len(tokens) - 1 and tokens[:n] == head:
                return n
        return None

    # -- restore / save -----------------------------------------------------------------------
    def restore(self, llm: Any, tokens: list[int], have: int) -> int:
        """Load the longest cached prefix of ``tokens`` longer than ``have`` tokens already in the
        context; return how many prompt tokens the context now holds correctly."""
        lengths = sorted({n for n in self._known} | self._lengths_on_disk(), reverse=True)
        for n in lengths:
            if n <= have or n >= len(tokens):
                continue
            key = self._key(tokens[:n])
            entry = self._memory.get(key) or self._read(key, n)
            if entry is None:
                continue
            stored, state = entry
            if len(stored) != n or not np.array_equal(stored, np.asarray(tokens[:n], dtype=np.int32)):
                continue
            if self._load(llm, stored, state):
                self._remember(key, stored, state)
                self.hits += 1
                return n
            have = 0  # the failed load cleared the context
        return have

    def save(self, llm: Any, tokens: list[int]) -> None:
        """Keep the context's current state, which holds exactly ``tokens``."""
        key = self._key(tokens)
        if key in self._memory:
            return
        import llama_cpp

        ctx = llm._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * int(size))()
        written = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        if not written:
            return
        state = bytes(buf)[: int(written)]
        stored = np.asarray(tokens, dtype=np.int32)
        self._remember(key, stored, state)
        self._write(key, stored, state)
        self.saves += 1

    def _load(self, llm: Any, stored: np.ndarray, state: bytes) -> bool:
        import llama_cpp

        ctx = llm._ctx.ctx
        llm.reset()
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        buf = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        if llama_cpp.llama_state_seq_set_data(ctx, buf, len(state), 0) != len(state):
            llm.reset()
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            return False
        n = len(stored)
        llm.input_ids[:n] = stored
        llm.n_tokens = n
        return True

    def _remember(self, key: str, stored: np.ndarray, state: bytes) -> None:
        self._memory[key] = (stored, state)
        self._memory.move_to_end(key)
        self._known.setdefault(len(stored), set()).add(key)
        while len(self._memory) > MEMORY_ENTRIES:
            self._memory.popitem(last=False)

    # -- disk ---------------------------------------------------------------------------------
    def _file(self, key: str, n: int) -> Path | None:
        return None if self.dir is None else self.dir / f"{key[:32]}.len{n}.kv"

    def _read(self, key: str, n: int) -> tuple[np.ndarray, bytes] | None:
        path = self._file(key, n)
        if path is None:
            return None
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        head = len(FORMAT) + 64
        if not blob.startswith(FORMAT) or blob[len(FORMAT):head].decode("ascii", "replace") != key:
            return None
        body = blob[head:]
        if len(body) < 4 * n:
            return None
        return np.frombuffer(body[: 4 * n], dtype=np.int32).copy(), body[4 * n:]

    def _write(self, key: str, stored: np.ndarray, state: bytes) -> None:
        path = self._file(key, len(stored))
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".kv", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(FORMAT + key.encode("ascii") + stored.tobytes() + state)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        files = sorted(self.dir.glob("*.kv"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[DISK_ENTRIES:]:
            old.unlink(missing_ok=True)

