import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("layout_accuracy", ROOT / "benchmarks" / "layout_accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_benchmark_skips_cleanly_without_shared(monkeypatch, capsys, tmp_path):
    mod = _bench()
    monkeypatch.setattr(mod, "DEFAULT", tmp_path / "absent.jsonl")
    assert mod.main(["--planner", "rules"]) == 0
    out = capsys.readouterr().out
    assert "skipped" in out and out.strip().splitlines()[-1] == "layout_accuracy=skipped"


def test_benchmark_on_a_small_file(capsys, tmp_path):
    rows = [
        {"tag": "position", "include": [{"class": "teddy bear", "count": 1},
                                        {"class": "dog", "count": 1, "position": ["right of", 0]}],
         "prompt": "a photo of a dog right of a teddy bear"},
        {"tag": "counting", "include": [{"class": "bus", "count": 4}], "exclude": [{"class": "bus", "count": 5}],
         "prompt": "a photo of four buses"},
        {"tag": "color_attr", "include": [{"class": "wine glass", "count": 1, "color": "purple"},
                                          {"class": "apple", "count": 1, "color": "black"}],
         "prompt": "a photo of a purple wine glass and a black apple"},
    ]
    f = tmp_path / "m.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows))
    assert _bench().main(["--prompts", str(f), "--planner", "rules"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "layout_accuracy=1.0000" and any(line.startswith("position") for line in out)


def test_geneval_scoring_catches_wrong_layouts():
    from limner.schema import Layout, SceneObject

    mod = _bench()
    meta = {"include": [{"class": "cow", "count": 1}, {"class": "dog", "count": 1, "position": ["above", 0]}]}
    below = Layout(objects=[SceneObject(name="cow", box=(0.4, 0.1, 0.6, 0.3)), SceneObject(name="dog", box=(0.4, 0.6, 0.6, 0.8))])
    above = Layout(objects=[SceneObject(name="cow", box=(0.4, 0.6, 0.6, 0.8)), SceneObject(name="dog", box=(0.4, 0.1, 0.6, 0.3))])
    assert not mod.geneval_correct(below, meta) and mod.geneval_correct(above, meta)
    assert not mod.geneval_correct(above, {**meta, "exclude": [{"class": "dog", "count": 1}]})


def test_read_eval_on_a_small_file(capsys, tmp_path):
    spec = importlib.util.spec_from_file_location("read_eval", ROOT / "benchmarks" / "read_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rows = [{"tag": "position", "prompt": "a purple star between two green triangles",
             "include": [{"class": "triangle", "count": 2, "color": "green"},
                         {"class": "star", "count": 1, "color": "purple", "position": ["between", 0]}]},
            {"tag": "counting", "prompt": "two squares, all of them red",
             "include": [{"class": "square", "count": 2, "color": "red"}], "exclude": [{"class": "square", "count": 3}]}]
    f = tmp_path / "r.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows))
    assert mod.main(["--split", "all", "--prompts", str(f), "--no-default"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "read_accuracy=1.0000" and any("strong LLM accuracy kept: 1.0000" in x for x in out)
