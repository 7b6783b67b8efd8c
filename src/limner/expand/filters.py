"""Reply hygiene: turn an LLM reply into a usable prompt, or reject it with a reason.

An off-format reply is never passed on as a prompt. :func:`clean_reply` keeps the first prompt-like
line, strips labels/quotes/bullets and cut-off tails, and rejects (``RejectedReply``) chat
boilerplate ("Sure, here is..."), replies that are too short or too long, repeated-token
degeneration (clauses that only repeat earlier ones are dropped first, cutting a loop where it
starts), links/markup, and replies that dropped the query's key words.
"""

from __future__ import annotations

import re

from ..errors import InputError

MAX_QUERY_CHARS = 500
STOPWORDS = frozenset("""
a an the of and or but with without in on at to for from by into onto over under near this that
these those is are was were be been being it its their his her your my our as while very some
any each every which who whom whose where when there here then than so such just also not no
""".split())
NUMBER_WORDS = frozenset("""one two three four five six seven eight nine ten eleven twelve
dozen single pair couple several many few""".split())
BOILERPLATE = re.compile(
    r"^(sure|certainly|of course|okay|ok|here is|here's|here are|as an ai|i can|i cannot|i can't|"
    r"i'm sorry|i am sorry|sorry|absolutely|great|happy to|below is|the following|let me)\b",
    re.I)
LABEL = re.compile(r"^\s*(?:[-*•]|\d+[.)]|(?:detailed|expanded|prompt|caption|descriptive caption|"
                   r"output|answer|abstract|subject|result|image prompt|description)\s*:)\s*", re.I)
DANGLING = re.compile(r"(?:[,;:\s]+(?:and|with|of|in|on|at|a|an|the|by|to|for|or|from|her|his|its|"
                      r"their|very|while|as))+[\s,;:]*$", re.I)


class RejectedReply(ValueError):
    """An LLM reply that cannot be used as a prompt; ``reason`` says why."""

    def __init__(self, reason: str, raw: str = ""):
        super().__init__(reason)
        self.reason, self.raw = reason, raw


def check_query(query: str, what: str = "query") -> str:
    """Strip ``query``; InputError if it is empty, oversize, or not text."""
    if not isinstance(query, str):
        raise InputError(f"the {what} must be text")
    q = " ".join(query.split())
    if not q:
        raise InputError(f"the {what} is empty")
    if len(q) > MAX_QUERY_CHARS:
        raise InputError(f"the {what} is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    if not re.search(r"[^\W\d_]", q):
        raise InputError(f"the {what} has no words")
    return q


def stem(word: str) -> str:
    """A crude English stem that maps a noun's singular and plural to the same string:
    bike/bikes -> bik, bus/buses -> bus, box/boxes -> box, glass/glasses -> glass, city/cities -> city."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def key_words(query: str) -> list[str]:
    """The query's words a faithful expansion must keep (content words, numbers; stemmed)."""
    out = []
    for w in words(query):
        if w in STOPWORDS or (len(w) < 3 and not w.isdigit()):
            continue
        out.append(stem(w))
    return list(dict.fromkeys(out))


def missing_key_words(query: str, text: str) -> list[str]:
    have = {stem(w) for w in words(text)}
    return [k for k in key_words(query) if k not in have]


def _degenerate(ws: list[str]) -> str | None:
    run = 1
    for a, b in zip(ws, ws[1:]):
        run = run + 1 if a == b else 1
        if run >= 3:
            return f"repeats '{a}'"
    grams: dict[tuple[str, ...], int] = {}
    for i in range(len(ws) - 2):
        g = tuple(ws[i:i + 3])
        grams[g] = grams.get(g, 0) + 1
        if grams[g] >= 3:
            return f"repeats '{' '.join(g)}'"
    content = [w for w in ws if w not in STOPWORDS]
    if len(content) >= 12 and len(set(content)) / len(content) < 0.55:
        return "too many repeated words"
    return None


def drop_repeated_clauses(text: str) -> str:
    """Drop comma clauses that only repeat earlier content; cut the text where repetition starts.

    Small models drift into loops ("a soft light, a warm light, a soft light, ..."): a clause
    whose content words were all said before is dropped, and two such clauses in a row end the
    text there. The first clause (usually the query itself) is always kept.
    """
    clauses = [c.strip() for c in text.split(",")]
    kept: list[str] = []
    seen: set[str] = set()
    dropped_in_a_row = 0
    for c in clauses:
        stems = {stem(w) for w in words(c) if w not in STOPWORDS}
        if kept and (not stems or stems <= seen):
            dropped_in_a_row += 1
            if dropped_in_a_row >= 2:
                break
            continue
        dropped_in_a_row = 0
        kept.append(c)
        seen |= stems
    return ", ".join(k for k in kept if k)


def first_line(raw: str) -> str:
    for line in raw.replace("\r", "\n").split("\n"):
        line = LABEL.sub("", line.strip())
        if line:
            return line
    return ""


def clean_reply(raw: str, query: str, *, min_new_words: int = 3, max_words: int = 90,
                max_chars: int = 700, keep_ratio: float = 1.0) -> str:
    """The usable prompt in ``raw`` (an expansion of ``query``), or raise :class:`RejectedReply`.

    ``keep_ratio``: the share of the query's key words that must survive (1.0 = all of them).
    """
    text = first_line(raw or "")
    text = text.strip().strip('"“”\'`').strip()
    if not text:
        raise RejectedReply("empty reply", raw)
    if BOILERPLATE.match(text):
        raise RejectedReply("chat boilerplate instead of a prompt", raw)
    if re.search(r"https?://|www\.|[<>{}\[\]]|```|\\n|#{2,}", text):
        raise RejectedReply("links or markup in the reply", raw)
    # a reply cut off by max_tokens: drop the unfinished last clause
    if not re.search(r"[.!?\"”)]$", text) and "," in text:
        head, _, tail = text.rpartition(",")
        if len(words(tail)) <= 2:
            text = head
    text = DANGLING.sub("", text).strip(" ,;:-")
    text = DANGLING.sub("", drop_repeated_clauses(text)).strip(" ,;:-")
    ws = words(text)
    if len(text) > max_chars or len(ws) > max_words:
        raise RejectedReply(f"too long ({len(ws)} words)", raw)
    new = {stem(w) for w in ws if w not in STOPWORDS} - {stem(w) for w in words(query)}
    if len(ws) < len(words(query)) + min_new_words or len(new) < min(min_new_words, 3):
        raise RejectedReply("adds too little to the query", raw)
    why = _degenerate(ws)
    if why:
        raise RejectedReply(f"degenerate reply: {why}", raw)
    keys = key_words(query)
    missing = missing_key_words(query, text)
    if keys and (len(keys) - len(missing)) / len(keys) < keep_ratio - 1e-9:
        raise RejectedReply(f"drops the query's key words: {', '.join(missing)}", raw)
    return text
