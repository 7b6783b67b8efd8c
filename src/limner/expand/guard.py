"""Keep what was asked: find and remove the parts of a rewrite that contradict the request.

One entry for upsampling and expansion. :func:`read_request` reads what a request states beyond
countable objects (medium, style, time, season, lighting, framing, viewpoint: :mod:`.attributes`;
verb and preposition relations: :mod:`.relations`; its subject: :mod:`.subjects`).
:func:`clean` removes from a rewrite every comma clause that contradicts one of them, every clause
that brings in a new main subject (a whole sentence when that subject heads it), and any later
clause whose medium/time/... contradicts an earlier one of the rewrite itself ("dark night, ...,
daylight"); it returns the cleaned text and a :class:`Finding` per removal (what and why).
:func:`rejects_flavor` tells the expander which retrieved modifiers would contradict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import attributes as A
from . import relations as R
from .subjects import RequestSubjects, new_subjects


@dataclass(frozen=True)
class Finding:
    kind: str  # contradiction | relation | new_subject | self_conflict
    what: str  # e.g. "medium: photograph vs oil painting", "new subject: man"
    removed: str  # the clause or sentence removed


@dataclass
class Request:
    prompt: str
    terms: list[A.Term]
    relations: list[R.Rel]
    subjects: RequestSubjects
    axes: set[str] = field(default_factory=set)

    def describe(self) -> list[str]:
        return [f"{t.axis}: {t.phrase}" for t in self.terms] + [f"relation: {r.label}" for r in self.relations]


def _parsed_nouns(prompt: str) -> set[str]:
    try:
        from ..plan import parse_request

        return {o.name.lower() for o in parse_request(prompt).objects}
    except Exception:  # noqa: BLE001 - no parser, or it refused: the animate lexicon still works
        return set()


def read_request(prompt: str, nouns: set[str] | None = None) -> Request:
    """What ``prompt`` states (``nouns``: its object nouns; default: the planning parser's)."""
    nouns = _parsed_nouns(prompt) if nouns is None else nouns
    terms = A.request_terms(prompt)
    if not any(t.axis == "medium" for t in terms):  # "in the style of Van Gogh": not a photograph
        terms += [A.Term("medium", f"(implied by {t.phrase})", ("art",), t.start, t.end)
                  for t in terms if t.axis == "style" and A.implies_art(t)][:1]
    return Request(prompt, terms, R.extract_relations(prompt), RequestSubjects(prompt, nouns),
                   {t.axis for t in terms})


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r"(?<=[,;])\s*", sentence) if c.strip()]


def _clause_findings(req: Request, clause: str, seen: list[A.Term], *, sentence_start: bool,
                     sentence: str, text: str = "") -> list[Finding]:
    out: list[Finding] = []
    for t in A.conflicts(req.terms, clause):
        stated = ", ".join(s.phrase for s in req.terms if s.axis == t.axis)
        out.append(Finding("contradiction", f"{t.axis}: {t.phrase} vs {stated}", clause))
    free = [s for s in seen if s.axis not in req.axes]
    for t in A.conflicts(free, clause):
        if t.axis not in req.axes:
            first = next(s.phrase for s in free if s.axis == t.axis)
            out.append(Finding("self_conflict", f"{t.axis}: {t.phrase} vs {first}", clause))
    for rel in req.relations:
        st = R.relation_broken(rel, clause)
        if st:
            out.append(Finding("relation", f"{st} relation: {rel.label}", clause))
    for w in new_subjects(req.subjects, clause, sentence_start=sentence_start, sentence=sentence,
                          text=text):
        out.append(Finding("new_subject", f"new subject: {w}", clause))
    return out


def clean(req: Request, text: str, *, protect: str = "") -> tuple[str, list[Finding]]:
    """``text`` without the clauses that contradict ``req`` (see the module docstring).

    ``protect``: a leading part of ``text`` that is never removed (the query an expansion continues).
    """
    head, body, joiner = "", text.strip(), ""
    if protect and body.startswith(protect):
        head, body = body[:len(protect)], body[len(protect):]
        m = re.match(r"^\s*[,;.]?\s*", body)
        joiner, body = body[:m.end()], body[m.end():]
    seen: list[A.Term] = [t for t in A.find_terms(head) if not t.weak]
    findings: list[Finding] = []
    kept_sentences: list[str] = []
    for s_i, sentence in enumerate(_sentences(body)):
        clauses = _clauses(sentence)
        kept: list[str] = []
        for c_i, clause in enumerate(clauses):
            starts = c_i == 0 and (s_i > 0 or not head or "." in joiner
                                   or bool(re.search(r"[.!?]\s*$", head)))
            f = _clause_findings(req, clause, seen, sentence_start=starts, sentence=sentence,
                                 text=text)
            if starts and any(x.kind == "new_subject" for x in f):
                findings += [Finding(x.kind, x.what, sentence) for x in f]
                kept = []  # the sentence is about the new subject: drop all of it
                break
            if f:
                findings += f
                continue
            seen += [t for t in A.find_terms(clause) if not t.weak]
            kept.append(clause)
        if kept:
            s = " ".join(kept).strip().rstrip(",;").strip()
            if not re.search(r"[.!?]$", s) and re.search(r"[.!?]$", sentence):
                s += sentence[-1]
            if kept[0] is not clauses[0] and (s_i > 0 or not head or re.search(r"[.!?]\s*$", head)):
                s = s[:1].upper() + s[1:]  # its first clause was removed: the sentence starts anew
            kept_sentences.append(s)
    out = head + (joiner if kept_sentences else "") + " ".join(kept_sentences)
    return out.strip(), findings


def audit(req: Request, text: str) -> list[Finding]:
    """The findings :func:`clean` would remove, without removing them."""
    return clean(req, text)[1]


def rejects_flavor(req: Request, context: str, flavor: str) -> bool:
    """True if ``flavor`` would contradict the request or what ``context`` already says."""
    if A.conflicts(req.terms, flavor):
        return True
    free = [t for t in A.find_terms(context) if t.axis not in req.axes and not t.weak]
    if A.conflicts(free, flavor):
        return True
    return bool(new_subjects(req.subjects, flavor, sentence_start=False, text=f"{context}, {flavor}"))
