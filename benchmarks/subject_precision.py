"""Precision and recall of the new-main-subject check on hand-labelled captions.

    python benchmarks/subject_precision.py [tuning|fresh]

``benchmarks/data/upsample/subject_labels.jsonl``: real first replies of the embedded LLM
(Gemma-3-270M) to dev-set requests, each labelled by hand, from the caption alone, with the
nouns that bring in a new main subject (a person, animal or thing the request did not ask for
that the caption makes a subject; setting, props and light are not). The check
(:func:`limner.expand.guard.audit`) is run on each caption; a flagged noun is a true positive
when it is labelled; a labelled noun is caught when it is flagged or inside a removed sentence
(a sentence whose subject is new is removed whole). Last line: ``precision=<p> recall=<r>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "benchmarks" / "data" / "upsample" / "subject_labels.jsonl"


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from limner.expand import guard as G

    rows = [json.loads(x) for x in LABELS.read_text(encoding="utf-8").splitlines() if x.strip()]
    if len(sys.argv) > 1:  # "tuning" (seen while the check was written) or "fresh" (labelled after)
        rows = [r for r in rows if r.get("sample") == sys.argv[1]]
    tp = fp = fn = 0
    cap_flag = cap_true = cap_both = 0
    for r in rows:
        found = [f for f in G.audit(G.read_request(r["prompt"]), r["caption"]) if f.kind == "new_subject"]
        flagged = {f.what.split(": ", 1)[1].split()[-1] for f in found}
        gold = set(r["new"])
        removed = " ".join(f.removed.lower() for f in found)
        caught = {g for g in gold if g in flagged or g in removed}  # a dropped sentence takes all in it
        tp += len(flagged & gold)
        fp += len(flagged - gold)
        fn += len(gold - caught)
        cap_flag += bool(flagged)
        cap_true += bool(gold)
        cap_both += bool(flagged) and bool(gold)
        if flagged - gold or gold - caught:
            print(f"- {r['prompt']!r}: flagged {sorted(flagged)} labelled {sorted(gold)}\n    {r['caption']}")
    p = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    print(f"# {len(rows)} captions, {cap_true} with a labelled new subject; nouns: {tp} right, {fp} wrong, "
          f"{fn} missed; captions flagged {cap_flag} (of them labelled {cap_both})")
    print(f"precision={p:.3f} recall={rec:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
