"""The openai captioner against a local fake OpenAI-compatible vision server; the rewrite captioner
with a scripted LLM; an unreachable server is one clear error before any work."""

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("pyarrow")


class FakeVision(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *a):  # quiet
        pass

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(200, {"data": [{"id": "fake-vlm"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeVision.seen.append(body)
        fmt = body.get("response_format", {})
        if fmt.get("json_schema", {}).get("strict"):  # like many local servers: no strict mode
            return self._send(400, {"error": "response_format strict is not supported"})
        part = body["messages"][-1]["content"][1]["image_url"]["url"] if isinstance(body["messages"][-1]["content"], list) \
            else body["messages"][1]["content"][1]["image_url"]["url"]
        from PIL import Image

        im = Image.open(io.BytesIO(base64.b64decode(part.split(",", 1)[1])))
        reply = {"short": f"a {im.size[0]} px picture", "descriptive": "a red circle on a plain gray background"}
        if im.size[0] == 40 and len(body["messages"]) == 2:
            content = "not json"  # the captioner re-asks once
        else:
            content = json.dumps(reply)
        self._send(200, {"choices": [{"message": {"content": content}}]})


@pytest.fixture
def fake_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeVision)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    FakeVision.seen = []
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()


def test_openai_captioner_sends_data_url_and_validates(tmp_path, limner_cli, fake_server, scene_png):
    src = tmp_path / "imgs"
    src.mkdir()
    scene_png(src / "a.png", 4_500_001, size=32)
    scene_png(src / "b.png", 4_500_002, size=40)
    code, out, err = limner_cli("recaption", str(src), "--out", str(tmp_path / "o"), "--captioner", "openai",
                                "--base-url", fake_server, "--no-progress")
    assert code == 0, err
    from limner.recaption import read_rows

    rows = {r["id"]: r for r in read_rows(tmp_path / "o")}
    assert rows["a.png"]["short"] == "a 32 px picture" and rows["a.png"]["status"] == "ok"
    assert rows["b.png"]["status"] == "repaired" and "not valid JSON" in rows["b.png"]["reason"]
    assert rows["a.png"]["captioner_version"] == "1:fake-vlm"
    posts = [b for b in FakeVision.seen if b.get("response_format")]
    assert posts[0]["response_format"]["json_schema"]["strict"] is True  # tried first, refused
    assert posts[-1]["response_format"]["json_schema"]["strict"] is False
    assert posts[-1]["response_format"]["json_schema"]["schema"]["required"] == ["short", "descriptive"]
    job = (tmp_path / "o" / "job.json").read_text()
    assert "api_key" not in job


def test_unreachable_server_fails_before_any_work(tmp_path, limner_cli, scene_png):
    src = tmp_path / "imgs"
    src.mkdir()
    scene_png(src / "a.png", 4_500_003)
    out = tmp_path / "o"
    code, _, err = limner_cli("recaption", str(src), "--out", str(out), "--captioner", "openai",
                              "--base-url", "http://127.0.0.1:9/v1", "--no-progress")
    assert code != 0 and err.startswith("error:") and "cannot reach" in err and "127.0.0.1:9" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


class ScriptedLLM:
    """A chat LLM that answers from a list (the last answer repeats)."""

    def __new__(cls, replies):
        from limner.llm import LLM

        class _S(LLM):
            id = "scripted"
            kind = "chat"

            def _generate(self, args):
                self.calls += 1
                return self.replies[min(self.calls - 1, len(self.replies) - 1)]

        s = _S(model="script")
        s.replies, s.calls = replies, 0
        return s


def test_rewrite_keeps_facts_or_repairs():
    from limner.recaption.rewrite import RewriteCaptioner

    good = RewriteCaptioner()
    good._llm = ScriptedLLM(["Two red circles sit left of a blue square on a plain gray background."])
    res = good.caption(None, "two red circles left of a blue square", short=True, descriptive=True, seed=0)
    assert res.status == "ok" and res.short == "two red circles and a blue square"
    assert "two red circles" in res.descriptive.lower()

    lossy = RewriteCaptioner()
    lossy._llm = ScriptedLLM(["A green star in the sky."])  # drops every fact, every time
    res = lossy.caption(None, "three yellow hearts above a purple diamond", short=True, descriptive=True, seed=0)
    assert res.status == "repaired" and "0/" in res.reason
    assert res.descriptive.lower().startswith("three yellow hearts above a purple diamond")


def test_rewrite_rows_without_original_fail(tmp_path):
    from limner.recaption import Item
    from limner.recaption.job import JobSpec, caption_items

    rows = caption_items(JobSpec("rewrite", (), "both", 0.95, 0), [Item(0, "x", "", None)])
    assert rows[0].status == "failed" and "no original caption" in rows[0].reason
