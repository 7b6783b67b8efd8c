"""`limner eval`: sets, plan and image stages, JSON + Markdown, --compare."""

import json

import pytest


def test_world_set_is_reproducible_and_in_geneval_format():
    from limner.evaluate.sets import world_items

    a, b = world_items(6), world_items(6)
    assert a == b and len(a) == 6
    assert {r["tag"] for r in a} == {"position", "counting"}
    assert all("include" in r and r["prompt"] for r in a)


def test_plan_stage_writes_results_and_a_table(tmp_path, limner_cli):
    code, out, err = limner_cli("eval", "world", "--stage", "plan", "-n", "8", "-q", "-o", str(tmp_path / "run"))
    assert code == 0, err
    res = json.loads((tmp_path / "run" / "results.json").read_text())
    assert res["summary"]["n"] == 8 and len(res["items"]) == 8
    assert [i["seed"] for i in res["items"]] == list(range(8))
    assert res["summary"]["all_checks"] == 1.0  # the rules planner's boxes satisfy their own prompts
    assert "| world | plan stage, planned |" in (tmp_path / "run" / "report.md").read_text()


def test_a_jsonl_set_with_geneval_classes_is_mapped_to_the_world(tmp_path, limner_cli):
    rows = [{"tag": "position", "prompt": "a photo of a dog right of a teddy bear",
             "include": [{"class": "teddy bear", "count": 1}, {"class": "dog", "count": 1, "position": ["right of", 0]}]},
            {"tag": "counting", "prompt": "a photo of three apples",
             "include": [{"class": "apple", "count": 3}], "exclude": [{"class": "apple", "count": 4}]}]
    f = tmp_path / "set.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = limner_cli("eval", str(f), "--stage", "plan", "-q", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["n"] == 2 and set(summary["tags"]) == {"position", "counting"}


@pytest.mark.slow
def test_image_stage_and_compare(tmp_path, limner_cli):
    pytest.importorskip("torch")
    code, _, err = limner_cli("eval", "world", "-n", "2", "-q", "--no-plan", "-o", str(tmp_path / "a"))
    assert code == 0, err
    code, _, err = limner_cli("eval", "world", "-n", "2", "-q", "--no-plan", "--correct", "-o", str(tmp_path / "b"))
    assert code == 0, err
    code, out, err = limner_cli("eval", "--compare", str(tmp_path / "a"), "--compare", str(tmp_path / "b"))
    assert code == 0, err
    assert "| all_checks |" in out and "2 prompts in both runs" in out


def test_bad_inputs_are_one_line_errors(tmp_path, limner_cli):
    code, _, err = limner_cli("eval", str(tmp_path / "nope.jsonl"), "-q")
    assert code == 2 and "no such evaluation set" in err
    code, _, err = limner_cli("eval", "--compare", str(tmp_path), "--compare", str(tmp_path))
    assert code == 2 and "no eval run" in err
    code, _, err = limner_cli("eval", "world", "--stage", "plan", "--correct")
    assert code == 2 and "--stage image" in err
