"""Bad input to `limner edit`: one clear line, a non-zero exit, no traceback, nothing left behind.
Every case here fails before a model is loaded, so the module runs in a second or two."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from limner.cli import main
from limner.edit.embedded import to_native
from limner.errors import InputError
from limner.world.corpus import sample_scene
from limner.world.render import render_layout


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("img")
    native = render_layout(sample_scene(7), 32)
    paths = {"view": d / "view.png", "rect": d / "rect.png", "tiny": d / "tiny.png",
             "garbage": d / "garbage.png", "truncated": d / "truncated.png", "text": d / "notes.txt"}
    native.resize((256, 256), Image.NEAREST).save(paths["view"])
    native.resize((64, 48)).save(paths["rect"])
    native.resize((16, 16)).save(paths["tiny"])
    paths["garbage"].write_bytes(b"definitely not a PNG")
    paths["truncated"].write_bytes(paths["view"].read_bytes()[:200])
    paths["text"].write_text("make the circle green\n")
    return paths


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(["edit", *map(str, args), "-q"])
    out, err = capsys.readouterr()
    return e.value.code, out, err


def _one_line_error(code, out, err, *needles):
    assert code == 2, (code, out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and "pydantic" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


GOOD = "make the heart green"


@pytest.mark.parametrize("which,instruction,extra,needles", [
    ("missing", GOOD, [], ["no such image"]),
    ("dir", GOOD, [], ["is a directory"]),
    ("garbage", GOOD, [], ["cannot read image"]),
    ("truncated", GOOD, [], ["cannot read image"]),
    ("text", GOOD, [], ["cannot read image"]),
    ("view", "", [], ["instruction is empty"]),
    ("view", "   \n ", [], ["instruction is empty"]),
    ("view", "make the heart green " * 30, [], ["629 characters", "limit is 500"]),
    ("rect", GOOD, [], ["square", "64x48"]),
    ("tiny", GOOD, [], ["16x16", "32x32"]),
    ("view", GOOD, ["-n", "0"], ["-n/--num-images", "greater than or equal to 1"]),
    ("view", GOOD, ["-n", "100000"], ["-n/--num-images", "less than or equal to 64"]),
    ("view", GOOD, ["--steps", "0"], ["--steps"]),
    ("view", GOOD, ["--guidance", "nan"], ["--guidance", "not a number"]),
    ("view", GOOD, ["--image-guidance", "-1"], ["--image-guidance"]),
    ("view", GOOD, ["--seed", "-3"], ["--seed"]),
    ("view", GOOD, ["--backend", "diffusers", "--no-mask"], ["--no-mask", "embedded backend only"]),
])
def test_bad_input_is_one_line_and_leaves_nothing(capsys, tmp_path, images, which, instruction, extra, needles):
    src = {"missing": tmp_path / "nope.png", "dir": tmp_path}.get(which) or images[which]
    out = tmp_path / "out"
    code, so, err = run(capsys, src, instruction, *extra, "-o", out)
    _one_line_error(code, so, err, *needles)
    assert not out.exists()


def test_unwritable_output_is_refused_before_any_work(capsys, tmp_path, images):
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, so, err = run(capsys, images["view"], GOOD, "-o", afile)
    _one_line_error(code, so, err, "not a directory")
    code, so, err = run(capsys, images["view"], GOOD, "-o", afile / "sub" / "dir")
    _one_line_error(code, so, err, "cannot create output directory", "not a directory")
    assert afile.read_text() == "x"
    if os.geteuid() != 0:  # root may write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        try:
            code, so, err = run(capsys, images["view"], GOOD, "-o", ro / "out")
            _one_line_error(code, so, err, "not writable")
        finally:
            ro.chmod(0o755)


def test_a_failed_write_removes_what_it_wrote(tmp_path, images, monkeypatch):
    """Disk full on the second image: the first one is removed again, and the folders made."""
    from limner.edit import pipeline
    from limner.image.base import BackendOutput

    class Fake:
        id = "fake"

        def edit(self, image, instruction, *, seeds, **kw):
            return BackendOutput(images=[to_native(image)] * len(seeds), seeds=seeds, model={"id": "fake"},
                                 num_inference_steps=1, guidance_scale=1.0, width=32, height=32, extra={})

    calls = []
    from limner import records
    real = records.save_png

    def flaky(img, path, rec, metadata):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(img, path, rec, metadata)

    monkeypatch.setattr(records, "save_png", flaky)
    req = pipeline.make_request(images["view"], GOOD, num_images=2)
    out = tmp_path / "new" / "out"
    with pytest.raises(InputError, match="No space left on device"):
        pipeline.run_edit(req, out, backend=Fake())
    assert len(calls) == 3 and not (tmp_path / "new").exists()
    # an existing folder keeps what was there before
    out.mkdir(parents=True)
    (out / "mine.png").write_bytes(b"keep")
    calls.clear()
    with pytest.raises(InputError):
        pipeline.run_edit(req, out, backend=Fake())
    assert sorted(p.name for p in out.rglob("*")) == ["mine.png"]
    monkeypatch.setattr(records, "save_png", real)
    res = pipeline.run_edit(req, out, backend=Fake())
    assert len(res.paths) == 2 and all(Path(p).is_file() for p in res.paths)


def test_sizes_the_embedded_model_accepts():
    native = render_layout(sample_scene(7), 32)
    notes: list[str] = []
    # an exact nearest upscale (what `limner generate` writes) comes back pixel for pixel, silently
    back = to_native(native.resize((256, 256), Image.NEAREST), notes=notes)
    assert back.tobytes() == native.tobytes() and notes == []
    # any other square size is resized, and the user is told
    small = to_native(render_layout(sample_scene(7), 48), notes=notes)
    assert small.size == (32, 32) and len(notes) == 1 and "48x48" in notes[0]
    with pytest.raises(InputError, match="square"):
        to_native(native.resize((40, 32)))


def test_cli_process_prints_no_traceback(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    r = subprocess.run([sys.executable, "-m", "limner", "edit", str(tmp_path / "missing.png"), GOOD,
                        "-o", str(tmp_path / "o")], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == f"error: no such image: {tmp_path / 'missing.png'}"
