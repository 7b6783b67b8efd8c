"""The AUTOMATIC1111 API subset: field names, response shapes, and an A1111 client script unchanged."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import textwrap

from PIL import Image

PROMPT = "two red circles left of a blue square"


def test_txt2img_seeds_batches_and_info(client):
    r = client.post("/sdapi/v1/txt2img", json={
        "prompt": PROMPT, "negative_prompt": "", "seed": 11, "steps": 4, "cfg_scale": 3,
        "width": 512, "height": 512, "batch_size": 2, "n_iter": 2, "sampler_name": "Euler",
        "restore_faces": False, "styles": [], "send_images": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["images"]) == 4
    info = json.loads(body["info"])
    assert info["all_seeds"] == [11, 12, 13, 14] and info["seed"] == 11
    assert info["ignored"] == ["restore_faces", "send_images", "styles"]
    assert body["parameters"]["steps"] == 4 and body["parameters"]["cfg_scale"] == 3
    with Image.open(io.BytesIO(base64.b64decode(body["images"][0]))) as im:
        rec = json.loads(im.text["limner"])
        assert "Seed: 11" in im.text["parameters"]
    assert rec["extra"]["scheduler"] == "EulerDiscreteScheduler" and rec["num_inference_steps"] == 4


def test_seed_minus_one_is_random_and_recorded(client):
    a = json.loads(client.post("/sdapi/v1/txt2img", json={"prompt": PROMPT, "steps": 2}).json()["info"])
    b = json.loads(client.post("/sdapi/v1/txt2img", json={"prompt": PROMPT, "steps": 2}).json()["info"])
    assert a["seed"] != b["seed"] and a["all_seeds"] == [a["seed"]]


def test_img2img_is_an_instruction_edit(client):
    src = client.post("/sdapi/v1/txt2img", json={"prompt": PROMPT, "steps": 4, "seed": 1}).json()["images"][0]
    r = client.post("/sdapi/v1/img2img", json={"init_images": ["data:image/png;base64," + src],
                                               "prompt": "make the circles green", "image_cfg_scale": 1.0,
                                               "cfg_scale": 1.0, "steps": 5, "seed": 4,
                                               "denoising_strength": 0.75})
    assert r.status_code == 200, r.text
    body = r.json()
    info = json.loads(body["info"])
    assert info["all_seeds"] == [4] and "denoising_strength_note" in info
    with Image.open(io.BytesIO(base64.b64decode(body["images"][0]))) as im:
        assert json.loads(im.text["limner"])["kind"] == "edit"


def test_progress_samplers_models_interrupt(client):
    p = client.get("/sdapi/v1/progress").json()
    assert set(p) >= {"progress", "eta_relative", "state", "current_image"}
    assert set(p["state"]) >= {"job_count", "sampling_step", "sampling_steps", "interrupted"}
    names = [s["name"] for s in client.get("/sdapi/v1/samplers").json()]
    assert "Euler" in names and "DPM++ 2M" in names
    assert client.get("/sdapi/v1/sd-models").json()[0]["model_name"]
    assert client.post("/sdapi/v1/interrupt").status_code == 200


def test_validation_errors_are_422_with_a_message(client):
    r = client.post("/sdapi/v1/txt2img", json={"prompt": PROMPT, "steps": "many"})
    assert r.status_code == 422 and "steps" in r.json()["detail"]
    r = client.post("/sdapi/v1/txt2img", json={"prompt": PROMPT, "sampler_name": "Heun++ 9000"})
    assert r.status_code == 422 and "sampler" in r.json()["detail"]
    r = client.post("/sdapi/v1/img2img", json={"prompt": "x", "init_images": []})
    assert r.status_code == 422


A1111_CLIENT = textwrap.dedent('''
    # The classic AUTOMATIC1111 API example, unchanged but for the URL.
    import base64, io, json, sys, urllib.request
    url = sys.argv[1]
    payload = {"prompt": "two red circles left of a blue square", "steps": 5, "seed": 42,
               "cfg_scale": 3, "batch_size": 2, "width": 512, "height": 512}
    req = urllib.request.Request(f"{url}/sdapi/v1/txt2img", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    r = json.load(urllib.request.urlopen(req, timeout=300))
    for i, img in enumerate(r["images"]):
        open(f"{sys.argv[2]}/output_{i}.png", "wb").write(base64.b64decode(img.split(",", 1)[0]))
    print(json.loads(r["info"])["all_seeds"])
''')


def test_an_a1111_client_script_works_unchanged(live_server, tmp_path):
    url = live_server()
    script = tmp_path / "client.py"
    script.write_text(A1111_CLIENT)
    out = subprocess.run([sys.executable, str(script), url, str(tmp_path)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[42, 43]"
    for i in range(2):
        with Image.open(tmp_path / f"output_{i}.png") as im:
            assert json.loads(im.text["limner"])["seed"] == 42 + i
