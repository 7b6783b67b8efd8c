"""Image backends declare what they take; adding one is one module plus one registration line
(in process, or through the ``limner.image_backends`` entry-point group); the one output writer
keeps nothing when a write fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import limner
import limner.image as image_registry
from limner.errors import InputError
from limner.image import image_backend_ids, image_capabilities, register_image_backend
from limner.records import OutputImage, read_record, write_images

HERE = Path(__file__).resolve().parent
PROMPT = "a red square left of a blue circle and a cat"


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry (and tests/ on sys.path for `toy_backend`)."""
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setattr(image_registry, "BACKENDS", dict(image_registry.BACKENDS))
    monkeypatch.setattr(image_registry, "_entry_points_read", False)
    return image_registry.BACKENDS


def test_builtin_backends_declare_what_they_take():
    emb, dif = image_capabilities("embedded"), image_capabilities("diffusers")
    assert not emb.needs_model and dif.needs_model
    assert not emb.draws_any_object and dif.draws_any_object
    assert emb.native_size == (32, 32) and dif.native_size is None and dif.size_multiple == 8
    assert {"scheduler", "layout_guidance_scale"} <= emb.options
    assert {"controlnet", "gligen", "scheduler"} <= dif.options and dif.takes_sketch
    assert {"device", "dtype", "model"} <= dif.init_options and "device" not in emb.init_options


def test_a_toy_backend_is_one_module_and_one_registration(registry, tmp_path):
    register_image_backend("toy", "toy_backend:ToyBackend")  # the one line
    assert "toy" in image_backend_ids()
    out = tmp_path / "out"
    r = limner.generate(PROMPT, backend="toy", planner="rules", out=out, outline="black")
    assert [im.size for im in r.images] == [(64, 64)]
    rec = read_record(out / "0000-0.png")
    assert rec.backend == "toy" and rec.request["options"]["outline"] == "black"
    with Image.open(out / "0000-0.png") as im:
        assert im.size == (256, 256)  # upscaled for viewing by the one writer
    # what it could not draw is read from the typed field: a note, and the plan's sketch is kept
    assert r.undrawn == ["cat"]
    assert any("the toy model cannot draw: cat" in n for n in r.notes)
    assert (out / "layout" / "0000-0.png").is_file()
    # red square on the left, blue circle on the right: the layout reached the backend
    px = r.images[0].convert("RGB")
    lay = r.layout
    sq = next(o for o in lay.objects if o.name == "square")
    ci = next(o for o in lay.objects if o.name == "circle")
    assert px.getpixel((round(sq.center[0] * 63), round(sq.center[1] * 63))) == (220, 30, 30)
    assert px.getpixel((round(ci.center[0] * 63), round(ci.center[1] * 63))) == (30, 60, 220)


def test_unknown_options_are_refused_before_any_work(registry, tmp_path):
    register_image_backend("toy", "toy_backend:ToyBackend")
    out = tmp_path / "never"
    with pytest.raises(InputError, match=r"unknown option\(s\) for the toy backend: scheduler; known: outline"):
        limner.generate(PROMPT, backend="toy", planner="rules", out=out, scheduler="euler")
    assert not out.exists()
    # an option of another backend is refused by the embedded one too (it used to be dropped)
    with pytest.raises(InputError, match="unknown option.*embedded backend: controlnet"):
        limner.generate(PROMPT, planner="rules", controlnet="some/controlnet")
    with pytest.raises(InputError, match="--backend diffusers needs --model"):
        limner.generate(PROMPT, backend="diffusers", planner="rules")


def test_a_plugin_registers_through_its_entry_point(registry, tmp_path, monkeypatch, limner_cli):
    dist = tmp_path / "site" / "limner_toy-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: limner-toy\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[limner.image_backends]\ntoyplug = toy_backend:ToyBackend\n"
                                           "embedded = toy_backend:ToyBackend\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert "toyplug" in image_backend_ids()
    assert registry["embedded"] == "limner.image.embedded:EmbeddedBackend"  # built-ins win
    code, out, err = limner_cli("generate", "two red squares", "--backend", "toyplug", "--planner", "rules",
                                "-o", str(tmp_path / "out"), "-q")
    assert code == 0, err
    assert read_record(tmp_path / "out" / "0000-0.png").backend == "toyplug"


def test_registration_checks_ids_and_targets(registry):
    with pytest.raises(ValueError, match="lower-case"):
        register_image_backend("My Backend", "toy_backend:ToyBackend")
    with pytest.raises(ValueError, match="taken"):
        register_image_backend("embedded", "toy_backend:ToyBackend")
    register_image_backend("ghost", "no_such_module_xyz:Backend")
    with pytest.raises(InputError, match="'ghost' is registered as 'no_such_module_xyz:Backend'"):
        image_capabilities("ghost")
    with pytest.raises(InputError, match="unknown image backend 'nope'; choose one of: .*embedded"):
        image_capabilities("nope")


def _rec(index: int):
    from limner import __version__
    from limner.schema import ImageRecord

    return ImageRecord(limner_version=__version__, request={}, index=index, seed=index, prompt="p",
                       backend="toy", width=32, height=32)


def test_the_writer_keeps_nothing_when_a_write_fails(tmp_path):
    small = Image.new("RGB", (32, 32), "red")
    items = [OutputImage(small, _rec(0), {"layout": small}), OutputImage(small, _rec(1))]
    paths = write_images(tmp_path / "a" / "b", items)
    assert [Path(p).name for p in paths] == ["0000-0.png", "0001-1.png"]
    assert sorted(p.relative_to(tmp_path / "a" / "b").as_posix() for p in (tmp_path / "a" / "b").rglob("*.png")) == [
        "0000-0.png", "0001-1.png", "layout/0000-0.png", "native/0000-0.png", "native/0001-1.png"]
    assert write_images(tmp_path / "a" / "b", items[:1])[0].endswith("0000-0-1.png")  # never overwrites

    def broken(size):
        raise OSError(28, "No space left on device")

    before = sorted((tmp_path / "a").rglob("*"))
    with pytest.raises(InputError, match="No space left on device; nothing was kept"):
        write_images(tmp_path / "a" / "b", [OutputImage(small, _rec(5)), OutputImage(small, _rec(6), {"sketch": broken})])
    assert sorted((tmp_path / "a").rglob("*")) == before  # the earlier files stay, none of this call's
    with pytest.raises(InputError):
        write_images(tmp_path / "new" / "dir", [OutputImage(small, _rec(0), {"sketch": broken})])
    assert not (tmp_path / "new").exists()  # folders this call made are gone too
