"""Detectors behind one interface: world (exact), owlv2 / grounding-dino (tiny random-weight models
saved and loaded offline), vlm (an OpenAI-compatible test double on loopback)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from PIL import Image

from limner.correct import Query, get_detector
from limner.errors import InputError, LLMError


def _scene():
    from limner.plan import plan
    from limner.world.render import render_layout

    lay = plan("a red circle to the left of a blue square", planner="rules").layout
    return lay, render_layout(lay, 32)


def test_registry_ids_and_clear_errors(monkeypatch):
    from limner.correct import DETECTORS

    assert list(DETECTORS) == ["world", "owlv2", "grounding-dino", "vlm"]
    with pytest.raises(InputError, match="unknown detector"):
        get_detector("yolo")
    monkeypatch.delenv("LIMNER_OWLV2_MODEL", raising=False)
    with pytest.raises(InputError, match="LIMNER_OWLV2_MODEL"):
        get_detector("owlv2")
    with pytest.raises(InputError, match="no grounding-dino weights"):
        get_detector("grounding_dino", model="/nonexistent/folder")


def test_world_detector_names_shapes_and_colours():
    _, img = _scene()
    found = get_detector("world").detect(img, [])
    assert {(f.color, f.shape) for f in found} == {("red", "circle"), ("blue", "square")}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pytest.importorskip("transformers")
    from .tiny_detectors import build_grounding_dino, build_owlv2

    root = tmp_path_factory.mktemp("tiny_detectors")
    return {"owlv2": build_owlv2(root / "owlv2"), "grounding-dino": build_grounding_dino(root / "gd")}


@pytest.mark.slow
@pytest.mark.parametrize("det_id", ["owlv2", "grounding-dino"])
def test_transformers_detectors_load_offline_and_answer_with_the_queries(tiny, det_id, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    det = get_detector(det_id, model=str(tiny[det_id]), threshold=0.0)
    _, img = _scene()
    qs = [Query(name="circle", color="red"), Query(name="square", color="blue"), Query(name="circle")]
    found = det.detect(img, qs)
    assert found, "a zero threshold keeps boxes even from random weights"
    for f in found:
        assert (f.shape, f.color) in {(q.name, q.color) for q in qs}
        x0, y0, x1, y1 = f.box
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    # the same weights, the same answer (deterministic, loaded once)
    assert det.detect(img, qs) == found
    # and it drives the correction loop like any detector
    from limner.correct import correct_image

    lay, _ = _scene()
    _, rep = correct_image(img, request_prompt="a red circle to the left of a blue square", layout=lay, seed=0,
                           rounds=0, detector=det)
    assert rep.detector == det_id and rep.ok_before is not None


class _FakeVision(BaseHTTPRequestHandler):
    reply: dict = {}
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(body)
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": json.dumps(type(self).reply)}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *a):
        pass


@pytest.fixture
def vision_server():
    srv = HTTPServer(("127.0.0.1", 0), _FakeVision)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    _FakeVision.seen = []
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_vlm_detector_sends_the_image_and_schema_and_validates_the_reply(vision_server):
    lay, img = _scene()
    _FakeVision.reply = {"objects": [
        {"name": "balls", "color": "Red", "box": [0.1, 0.3, 0.45, 0.7]},  # plural + synonym
        {"name": "square", "color": "blue", "box": [0.55, 0.3, 0.9, 0.7]},
        {"name": "dragon", "color": "green", "box": [0.0, 0.0, 0.2, 0.2]},  # not asked for: dropped
        {"name": "circle", "color": "red", "box": [0.5, 0.5, 0.5, 0.9]}]}  # empty box: dropped
    det = get_detector("vlm", base_url=vision_server, model="tiny-vlm")
    qs = [Query(name="circle", color="red"), Query(name="square", color="blue")]
    found = det.detect(img, qs)
    assert [(f.shape, f.color) for f in found] == [("circle", "red"), ("square", "blue")]
    sent = _FakeVision.seen[0]
    content = sent["messages"][0]["content"]
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["objects"]
    from limner.correct import correct_image

    out, rep = correct_image(img, request_prompt="a red circle to the left of a blue square", layout=lay, seed=0,
                             detector=det)
    assert rep.ok_before is True and out is img  # judged correct: untouched


def test_vlm_detector_refuses_a_reply_outside_the_schema(vision_server):
    _FakeVision.reply = {"boxes": "circle somewhere"}
    det = get_detector("vlm", base_url=vision_server, model="tiny-vlm")
    with pytest.raises(LLMError, match="detection schema"):
        det.detect(Image.new("RGB", (32, 32)), [Query(name="circle")])
