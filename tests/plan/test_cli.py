import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from limner.cli import app
from limner.plan import parse_request, verify
from limner.schema import Layout

DATA = Path(__file__).resolve().parents[1] / "data"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_plan_rules_prints_valid_layout_and_sketch(tmp_path):
    out = tmp_path / "s.png"
    r = run("plan", "--planner", "rules", "two red circles to the left of a blue square", "--sketch", str(out))
    assert r.exit_code == 0, r.output
    lay = Layout.model_validate_json(r.stdout)
    assert len(lay.objects) == 3
    assert verify(lay, parse_request("two red circles to the left of a blue square")) == []
    assert Image.open(out).size == (512, 512)


def test_plan_tikz_format_and_json_full():
    r = run("plan", "--planner", "rules", "three yellow triangles above a green star", "--format", "tikz")
    assert r.exit_code == 0 and "\\begin{tikzpicture}" in r.stdout
    r = run("plan", "--planner", "rules", "a cat above a dog", "--json-full")
    full = json.loads(r.stdout)
    assert full["source"] == "rules" and full["constraints"]["relations"][0]["relation"] == "above"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.tex")))
def test_plan_from_tikz_file(tmp_path, name):
    out = tmp_path / "s.png"
    r = run("plan", "--tikz", str(DATA / name), "--sketch", str(out))
    assert r.exit_code == 0, r.output
    assert Layout.model_validate_json(r.stdout).objects and out.exists()


def _main(*args):
    """Through limner.cli.main, as a user runs it: errors are one line and a non-zero exit."""
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "limner", *args], capture_output=True, text=True, env=env, timeout=60)


def test_user_errors_are_one_line():
    r = _main("plan", "--planner", "rules", "200 cats")
    assert r.returncode == 2 and r.stderr.startswith("error:") and "16" in r.stderr
    assert "Traceback" not in r.stderr
    r = _main("plan", "--tikz", "/nonexistent.tex")
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_plan_names_unknown_words_and_the_path():
    r = _main("plan", "--planner", "rules", "a glorp next to a red circle")
    assert r.returncode == 0 and "not understood: glorp" in r.stderr
    assert "planned by: rules engine" in r.stderr and "not drawn" in r.stderr
    assert [o.name for o in Layout.model_validate_json(r.stdout).objects] == ["glorp", "circle"]
    r = _main("plan", "two squares, all of them red")  # the default: fully understood -> no LLM
    assert r.returncode == 0 and "not understood" not in r.stderr and "rules engine (no LLM)" in r.stderr
    assert [(o.name, o.color) for o in Layout.model_validate_json(r.stdout).objects] == [("square", "red")] * 2


def test_nothing_understood_is_one_line_error():
    r = _main("plan", "--planner", "rules", "blorp zzz")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not understood: blorp, zzz" in r.stderr
