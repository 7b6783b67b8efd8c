"""What does the LLM itself know of the SUR-adapter's references? A ceiling for any distillation.

The SUR-adapter moves an LLM's knowledge into the text path ("a heart in the shade of a plum" →
purple). It cannot move knowledge the LLM does not have. This asks the LLM directly, by greedy
generation with a few-shot question frame, for every reference and idiom of
``limner.adapter.knowledge``:

* colours: "Q: What colour is a plum?\\nA:" → the first word, against the table's colour;
* counts: "Q: How many things are in a duo of?\\nA:" → the first number (digits or words).

The few-shot examples are the first *seen* entry of each colour / count, so the held-out rows are
never shown. Seen rows are scored without their own example. Works for any GGUF (``--model``).

    python benchmarks/sur_llm_knowledge.py
Last line: ``sur_llm_knows_held_colour=<share>``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def _first_number(text: str) -> int | None:
    m = re.search(r"\d+|" + "|".join(NUMBERS), text.lower())
    if not m:
        return None
    return int(m.group()) if m.group().isdigit() else NUMBERS[m.group()]


def colour_rows(split: str):
    from limner.adapter.knowledge import COLOR_REFS

    for colour, d in COLOR_REFS.items():
        rows = d[split][1:] if split == "seen" else d[split]  # the first seen entry is the example
        for phrase, _ in rows:
            yield phrase, colour


def count_rows(split: str):
    from limner.adapter.knowledge import COUNT_IDIOMS

    for n, d in COUNT_IDIOMS.items():
        rows = d[split][1:] if split == "seen" else d[split]
        for idiom in rows:
            yield idiom.rstrip(":"), n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="embedded", help="'embedded' or a GGUF path")
    ap.add_argument("--verbose", action="store_true", help="print every question and answer")
    args = ap.parse_args(argv)

    from limner.adapter.knowledge import COLOR_REFS, COUNT_IDIOMS
    from limner.config import Settings
    from limner.llm import get_llm

    settings = Settings(llm_cache=False)
    llm = (get_llm("embedded", settings=settings, cache=False) if args.model == "embedded"
           else get_llm("llamacpp", settings=settings, cache=False, model=args.model))
    colour_shots = "".join(f"Q: What colour is {d['seen'][0][0]}?\nA: {c}\n" for c, d in COLOR_REFS.items())
    count_shots = "".join(f"Q: How many things are in {d['seen'][0].rstrip(':')}?\nA: {n}\n"
                          for n, d in COUNT_IDIOMS.items())
    results = {}
    for kind, rows, shots, question, judge in (
            ("colour", colour_rows, colour_shots, "What colour is {}?",
             lambda out, want: out.strip().lower().startswith(want)),
            ("count", count_rows, count_shots, "How many things are in {}?",
             lambda out, want: _first_number(out) == want)):
        for split in ("seen", "held"):
            ok = n = 0
            for phrase, want in rows(split):
                out = llm.complete(shots + f"Q: {question.format(phrase)}\nA:", max_tokens=4, stop=["\n"])
                good = judge(out, want)
                ok, n = ok + good, n + 1
                if args.verbose:
                    print(f"{kind} {split} {phrase!r} -> {out.strip()!r} (want {want}) {'ok' if good else 'WRONG'}")
            results[(kind, split)] = (ok, n)
            print(f"{kind:<7} {split:<5} {ok:>3}/{n:<3} = {ok / max(n, 1):.3f}", flush=True)
    ok, n = results[("colour", "held")]
    print(f"sur_llm_knows_held_colour={ok / max(n, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
