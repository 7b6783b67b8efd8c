"""`limner edit` on the README main job's picture: edits people ask for, and honest refusals."""

from __future__ import annotations

import pytest
from PIL import Image

from limner.edit.sketch import detect_layout
from limner.models.edit_model import WEIGHTS_DIR
from limner.records import read_record
from limner.schema import Layout, SceneObject
from limner.world.render import render_layout


def _obj(name, color, side, x, y):
    return SceneObject(name=name, color=color, box=(x - side / 2, y - side / 2, x + side / 2, y + side / 2))


# the README main job's picture: three red circles above a blue square
MAIN = Layout(width=512, height=512, background="plain gray", objects=[
    _obj("circle", "red", 0.22, 0.2, 0.25), _obj("circle", "red", 0.22, 0.5, 0.25),
    _obj("circle", "red", 0.22, 0.8, 0.25), _obj("square", "blue", 0.30, 0.5, 0.72)])

pytestmark = pytest.mark.skipif(not (WEIGHTS_DIR / "model.safetensors").is_file(),
                                reason="edit weights not shipped")


@pytest.fixture(scope="module")
def main_png(tmp_path_factory):
    p = tmp_path_factory.mktemp("src") / "main.png"
    render_layout(MAIN, 32).resize((256, 256), Image.NEAREST).save(p)
    return p


def detected(path):
    with Image.open(path.parent / "native" / path.name) as im:
        return sorted(f"{o.color} {o.name}" for o in detect_layout(im).objects)


@pytest.mark.parametrize("instruction,expect", [
    ("remove one circle", ["blue square", "red circle", "red circle"]),
    ("turn the square into a triangle", ["blue triangle", "red circle", "red circle", "red circle"]),
    ("add a yellow star", ["blue square", "red circle", "red circle", "red circle", "yellow star"]),
])
def test_acceptance_edits(limner_cli, tmp_path, main_png, instruction, expect):
    code, out, err = limner_cli("edit", str(main_png), instruction, "-o", str(tmp_path / "o"), "-q")
    assert code == 0, err
    png = tmp_path / "o" / "0000-0.png"
    assert detected(png) == expect
    assert read_record(png).extra["edit_path"] == "rules"


@pytest.mark.parametrize("instruction,needle", [
    ("make it night", "'night'"),
    ("add a dog", "'dog'"),
    ("put a hat on the circle", "'hat'"),
    ("remove the green star", "no green star"),
])
def test_refused_instructions_write_nothing(limner_cli, tmp_path, main_png, instruction, needle):
    out = tmp_path / "o"
    code, so, err = limner_cli("edit", str(main_png), instruction, "-o", str(out), "-q")
    assert code == 2 and so == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot edit:") and needle in lines[0], err
    assert "Traceback" not in err
    assert not out.exists()


def test_force_runs_on_text_alone_and_says_so(limner_cli, tmp_path, main_png):
    out = tmp_path / "o"
    code, so, err = limner_cli("edit", str(main_png), "make it night", "-o", str(out), "-q", "--force",
                               "--steps", "4")
    assert code == 0, err
    rec = read_record(out / "0000-0.png")
    assert rec.extra["edit_path"] == "text-only (forced)" and "'night'" in rec.extra["refusal"]
    assert rec.extra["unknown_words"] == ["night"]
    assert "night" in err  # the note says what was not understood
