"""Runs on disk (``results.json`` + ``report.md``) and the comparison of two runs."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import InputError
from .harness import Run


def markdown(run: Run) -> str:
    c, s = run.config, run.summary
    arm = f"{c.stage} stage, " + ("planned" if c.plan else "text only") + (f" + correct ({c.rounds} rounds)" if c.correct else "")
    tags = list(s["tags"])
    head = "| set | arm | " + " | ".join(tags) + " | overall | all checks | s / prompt |"
    sep = "|" + "---|" * (len(tags) + 5)
    row = (f"| {c.set} | {arm} | " + " | ".join(f"{s['tags'][t]:.3f}" for t in tags)
           + f" | **{s['overall']:.3f}** | {s['all_checks']:.3f} | {s['seconds_per_item']:.2f} |")
    lines = [f"# limner eval: {c.set}", "", head, sep, row, "",
             f"n={s['n']} errors={s['errors']} planner={c.planner} detector={c.detector} seeds {c.seed}..{c.seed + s['n'] - 1}"]
    fails = [i for i in run.items if not i.ok][:20]
    if fails:
        lines += ["", "Failing prompts (first 20):", ""]
        lines += [f"- `{i.prompt}`: {i.error or '; '.join(i.failures)}" for i in fails]
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run(run: Run, out_dir: str | Path) -> Path:
    from ..records import ensure_output_dir

    out = ensure_output_dir(out_dir)
    _atomic_write(out / "results.json", run.model_dump_json(indent=2))
    _atomic_write(out / "report.md", markdown(run))
    return out


def read_run(path: str | Path) -> Run:
    p = Path(path)
    if p.is_dir():
        p = p / "results.json"
    try:
        return Run.model_validate(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError(f"no eval run at {path} (expected a folder with results.json)") from None
    except ValueError as exc:
        raise InputError(f"{p} is not an eval run: {str(exc).splitlines()[0]}") from None


def compare(a: Run, b: Run, name_a: str = "A", name_b: str = "B") -> str:
    """A Markdown table of the two runs' tag accuracies and the prompts whose verdict flipped."""
    tags = sorted(set(a.summary["tags"]) | set(b.summary["tags"]))
    lines = [f"| tag | {name_a} | {name_b} | Δ |", "|---|---|---|---|"]
    for t in tags + ["overall", "all_checks", "seconds_per_item"]:
        va = a.summary["tags"].get(t) if t in tags else a.summary[t]
        vb = b.summary["tags"].get(t) if t in tags else b.summary[t]
        fa = "–" if va is None else f"{va:.3f}"
        fb = "–" if vb is None else f"{vb:.3f}"
        d = "" if va is None or vb is None else f"{vb - va:+.3f}"
        lines.append(f"| {t} | {fa} | {fb} | {d} |")
    by_prompt = {(i.prompt, i.seed): i.ok for i in a.items}
    fixed = sum(1 for i in b.items if by_prompt.get((i.prompt, i.seed)) is False and i.ok)
    broken = sum(1 for i in b.items if by_prompt.get((i.prompt, i.seed)) is True and not i.ok)
    same = sum(1 for i in b.items if (i.prompt, i.seed) in by_prompt)
    lines += ["", f"{same} prompts in both runs: {fixed} pass only in {name_b}, {broken} pass only in {name_a}"]
    return "\n".join(lines) + "\n"


__all__ = ["compare", "markdown", "read_run", "write_run"]
