"""The HTTP API on the real embedded models: what a script or the page sees."""

from __future__ import annotations

import base64
import io
import json
import threading

import pytest
from PIL import Image

PROMPT = "three red circles above a blue square"


def gen(client, **kw):
    body = {"prompt": PROMPT, "planner": "rules", "num_inference_steps": 4, **kw}
    r = client.post("/api/generate?wait=true", json=body)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "done", job
    return job


def png_record(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as im:
        return json.loads(im.text["limner"])


def test_generate_returns_images_with_their_recipe(client):
    job = gen(client, num_images=2, seed=7)
    assert [im["seed"] for im in job["images"]] == [7, 8]
    assert job["layout"] and len(job["layout"]["objects"]) == 4
    r = client.get(job["images"][1]["url"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    rec = png_record(r.content)
    assert rec["seed"] == 8 and rec["request"]["prompt"] == PROMPT


def test_http_image_is_byte_identical_to_the_cli(client, limner_cli, tmp_path):
    job = gen(client, seed=3)
    served = client.get(job["images"][0]["url"]).content
    code, out, err = limner_cli("generate", PROMPT, "--planner", "rules", "--steps", "4", "--seed", "3",
                                "-o", str(tmp_path), "-q")
    assert code == 0, err
    assert (tmp_path / "0000-3.png").read_bytes() == served


def test_plan_expand_upsample_info(client):
    r = client.post("/api/plan", json={"prompt": "two red circles left of a blue square", "planner": "rules"})
    assert r.status_code == 200, r.text
    names = sorted(o["name"] for o in r.json()["layout"]["objects"])
    assert names == ["circle", "circle", "square"]
    r = client.post("/api/expand", json={"prompt": "a castle at night", "n": 2})
    assert r.status_code == 200, r.text
    assert len(r.json()["expansions"]) == 2
    r = client.post("/api/upsample", json={"prompt": "a red circle above a blue square"})
    assert r.status_code == 200, r.text
    assert "circle" in r.json()["text"]
    png = client.get(gen(client)["images"][0]["url"]).content
    r = client.post("/api/info", json={"image": base64.b64encode(png).decode()})
    assert r.status_code == 200 and r.json()["record"]["prompt"]
    assert "Seed: 0" in r.json()["parameters"]
    r = client.post("/api/info", json={"image": "data:image/png;base64," + base64.b64encode(png).decode()})
    assert r.status_code == 200 and r.json()["record"]["prompt"]
    for bad, why in (("data:", "base64"), ("", "empty"), ("data:image/png;base64,", "empty"), ("%%%", "empty")):
        r = client.post("/api/info", json={"image": bad})  # found by the schema fuzzer: "data:" was a 500
        assert r.status_code == 400 and why in r.text, (bad, r.status_code, r.text)


def test_edit_by_instruction_on_a_generated_image(client):
    png = client.get(gen(client)["images"][0]["url"]).content
    data = "data:image/png;base64," + base64.b64encode(png).decode()
    r = client.post("/api/edit?wait=true", json={"image": data, "instruction": "make the circles green"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "done", job
    rec = png_record(client.get(job["images"][0]["url"]).content)
    assert rec["kind"] == "edit" and rec["extra"]["instruction"] == "make the circles green"


@pytest.mark.parametrize("body,code,words", [
    ({"prompt": ""}, 400, "empty"),
    ({"prompt": "x" * 1001}, 400, "limit"),
    ({"prompt": PROMPT, "num_inference_steps": 151}, 400, "steps"),
    ({"prompt": PROMPT, "num_images": 9}, 400, "limit"),
    ({"prompt": PROMPT, "num_images": 0}, 422, "num_images"),
    ({"prompt": PROMPT, "width": 99999}, 422, "width"),
    ({"prompt": PROMPT, "bogus": 1}, 422, "bogus"),
    ({"prompt": 5}, 422, "prompt"),
])
def test_bad_generate_requests_are_4xx_with_a_message(client, body, code, words):
    r = client.post("/api/generate", json=body)
    assert r.status_code == code, r.text
    assert words in r.json()["detail"]


def bomb_png() -> str:
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, format="PNG")  # ~50 kB, 400 Mpx
    return base64.b64encode(buf.getvalue()).decode()


@pytest.mark.parametrize("image,words", [
    ("not base64 !!!", "base64"),
    (base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 50).decode(), "cannot read"),
    ("data:image/png,rawtext", "base64"),
])
def test_bad_uploads_are_refused(client, image, words):
    r = client.post("/api/edit", json={"image": image, "instruction": "make it green"})
    assert r.status_code == 400, r.text
    assert words in r.json()["detail"]


def test_decompression_bomb_is_refused(client):
    r = client.post("/api/edit", json={"image": bomb_png(), "instruction": "make it green"})
    assert r.status_code == 400 and "pixels" in r.json()["detail"]


def test_body_size_is_bounded(make_client):
    client = make_client(max_body_bytes=10_000)
    r = client.post("/api/generate", json={"prompt": PROMPT, "negative_prompt": "y" * 20_000})
    assert r.status_code == 413


def test_token_is_required_when_set(make_client):
    client = make_client(token="s3cret")
    assert client.post("/api/plan", json={"prompt": PROMPT, "planner": "rules"}).status_code == 401
    r = client.post("/api/plan", json={"prompt": PROMPT, "planner": "rules"},
                    headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200
    assert client.get("/sdapi/v1/samplers").status_code == 401
    assert client.get("/api/health").status_code == 200  # liveness only, no data


def block_worker(client):
    """Occupy the single worker with a job that waits on an event; returns the event."""
    gate = threading.Event()
    client.app.state.queue.submit("block", lambda j: gate.wait(60))
    return gate


def test_full_queue_is_429_with_retry_after(make_client):
    client = make_client(queue_size=1)
    gate = block_worker(client)
    try:
        import time

        time.sleep(0.2)  # the blocker is running; the queue has room for one
        first = client.post("/api/generate", json={"prompt": PROMPT, "planner": "rules"})
        assert first.status_code == 202 and first.json()["status"] == "queued"
        assert first.json()["position"] == 1
        r = client.post("/api/generate", json={"prompt": PROMPT, "planner": "rules"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    finally:
        gate.set()


def test_cancel_a_chosen_job_leaves_the_others(client):
    gate = block_worker(client)
    a = client.post("/api/generate", json={"prompt": PROMPT, "planner": "rules", "seed": 1}).json()
    b = client.post("/api/generate", json={"prompt": PROMPT, "planner": "rules", "seed": 2}).json()
    assert client.delete(f"/api/jobs/{b['id']}").json()["status"] == "cancelled"
    gate.set()
    q = client.app.state.queue
    done = q.wait_done(q.get(a["id"]), 120)
    assert done.status == "done" and done.result.images[0].seed == 1
    assert client.get(f"/api/jobs/{b['id']}").json()["status"] == "cancelled"
    assert client.get("/api/jobs/nope").status_code == 404


def test_cancel_a_running_job_stops_it(make_client):
    client = make_client(max_steps=1000)
    job = client.post("/api/generate", json={"prompt": PROMPT, "planner": "rules",
                                             "num_inference_steps": 1000}).json()
    q = client.app.state.queue
    j = q.get(job["id"])
    while j.step < 2 and j.status in ("queued", "running"):
        q.wait(j, timeout=30, since=j.version)
    client.delete(f"/api/jobs/{job['id']}")
    q.wait_done(j, 60)
    assert j.status == "cancelled" and j.step < 1000


def test_events_stream_until_done(client):
    job = client.post("/api/generate", json={"prompt": PROMPT, "planner": "rules", "num_inference_steps": 3}).json()
    seen = []
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:]))
    assert seen[-1]["status"] == "done" and seen[-1]["images"]
    assert any(s["status"] == "running" for s in seen) or len(seen) == 1


def test_openapi_schema_names_the_records(client):
    spec = client.get("/openapi.json").json()
    assert "/api/generate" in spec["paths"] and "/sdapi/v1/txt2img" in spec["paths"]
    assert "GenerateIn" in spec["components"]["schemas"]


def test_serve_refuses_a_public_address_without_a_token(limner_cli):
    code, out, err = limner_cli("serve", "--host", "0.0.0.0")
    assert code == 2 and "--token" in err and "Traceback" not in err


def test_loopback_detection():
    from limner.server.cli import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
