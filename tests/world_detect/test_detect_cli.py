"""`limner world corpus` and `limner world detect` through the real CLI entry point."""

import json

import pytest

from limner.cli import main


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_corpus_then_detect(tmp_path, capsys):
    code, out, _ = run(capsys, "world", "corpus", "--n", "3", "--out", str(tmp_path), "--seed", "5", "--quiet")
    assert code == 0 and "wrote 3 scenes" in out
    rows = [json.loads(x) for x in (tmp_path / "corpus.jsonl").read_text().splitlines()]
    assert [r["file"] for r in rows] == ["00000005.png", "00000006.png", "00000007.png"]
    assert rows[0]["captions"]["short"] and rows[0]["layout"]["objects"]
    assert not list(tmp_path.glob(".tmp-*"))
    pngs = [str(tmp_path / r["file"]) for r in rows]

    code, out, _ = run(capsys, "world", "detect", *pngs)
    assert code == 0 and out.count(".png: ") == 3

    code, out, _ = run(capsys, "world", "detect", "--json", "--expect-record", *pngs)
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and all(x["ok"] for x in lines) and lines[0]["detections"]

    first = rows[0]["captions"]["short"]
    code, out, _ = run(capsys, "world", "detect", pngs[0], "--expect", first)
    assert code == 0 and "[ok]" in out
    code, out, _ = run(capsys, "world", "detect", pngs[0], "--expect", "seven purple hearts")
    assert code == 1 and "FAIL" in out


def test_user_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "not.png"
    bad.write_text("hello")
    code, _, err = run(capsys, "world", "detect", str(bad))
    assert code == 2 and err.startswith("error: cannot read image") and err.count("\n") == 1
    code, _, err = run(capsys, "world", "detect", str(tmp_path / "missing.png"))
    assert code == 2 and "no such image" in err
    code, _, err = run(capsys, "world", "corpus", "--n", "0", "--out", str(tmp_path))
    assert code == 2 and "--n must be at least 1" in err
