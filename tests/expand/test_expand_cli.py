"""`limner expand` / `limner upsample` from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from limner.cli import app

runner = CliRunner()


def test_expand_json_flv_needs_no_llm():
    r = runner.invoke(app, ["expand", "a castle at night", "-n", "4", "--prefix", "FLV", "--json", "-q"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data) == 4 and len({d["text"] for d in data}) == 4
    for d in data:
        assert d["prefix"] == "FLV" and "alignment" in d["scores"]
        assert d["text"].startswith("a castle at night, ")


def test_expand_json_with_the_embedded_llm(llm, cache_dir, monkeypatch):
    monkeypatch.setenv("LIMNER_CACHE_DIR", str(cache_dir))
    from limner.llm.embedded import embedded_model_path
    from limner.config import Settings

    # the GGUF is in the default cache dir: point the CLI's cache_dir at a dir that has it
    (cache_dir / "models").mkdir(exist_ok=True)
    gguf = embedded_model_path(Settings())
    for f in (gguf, gguf.with_name(gguf.name + ".verified")):
        link = cache_dir / "models" / f.name
        if not link.exists():
            link.symlink_to(f)
    args = ["expand", "a castle at night", "-n", "2", "--prefix", "DTL", "--pool", "2", "--json", "-q"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data) == 2 and len({d["text"] for d in data}) == 2
    assert all(d["prefix"] in ("DTL", "FLV") and d["scores"]["alignment"] > 0.3 for d in data)


@pytest.mark.parametrize("cmd", [["expand", ""], ["expand", "x" * 600], ["upsample", "  "],
                                 ["expand", "a cat", "--prefix", "BOGUS"], ["expand", "a cat", "-n", "0"]])
def test_user_errors_are_one_line_and_non_zero(cmd):
    from limner.cli import main

    with pytest.raises(SystemExit) as exc:
        main(cmd)
    assert exc.value.code == 2


def test_list_prefixes():
    r = runner.invoke(app, ["expand", "--list-prefixes"])
    assert r.exit_code == 0 and "SUBJ" in r.stdout and "STY" in r.stdout


@pytest.mark.slow
def test_upsample_json_keeps_the_medium_and_lists_what_it_removed(llm, cache_dir, monkeypatch):
    monkeypatch.setenv("LIMNER_CACHE_DIR", str(cache_dir))
    from limner.config import Settings
    from limner.llm.embedded import embedded_model_path

    (cache_dir / "models").mkdir(exist_ok=True)
    gguf = embedded_model_path(Settings())
    for f in (gguf, gguf.with_name(gguf.name + ".verified")):
        link = cache_dir / "models" / f.name
        if not link.exists():
            link.symlink_to(f)
    r = runner.invoke(app, ["upsample", "an oil painting of a fox in a forest", "--json", "-q"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    text = data["text"].lower()
    assert "oil painting" in text and "fox" in text and "photograph" not in text
    assert isinstance(data["removed"], list) and all({"why", "text"} <= set(d) for d in data["removed"])
