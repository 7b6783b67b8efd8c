"""`limner llm`, `limner doctor`, `limner --version`: real commands, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from limner import __version__
from limner.cli import main
from limner.llm.validate import check


COLORS = {"type": "object", "properties": {"colors": {"type": "array", "items": {"type": "string"}}},
          "required": ["colors"]}


def _free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cfg(tmp_path):
    """An empty config file, so the developer's own config does not leak into the tests."""
    path = tmp_path / "config.toml"
    path.write_text("")
    return str(path)


def run_cli(args, capsys):
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version(capsys):
    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0 and out.strip() == f"limner {__version__}"


def test_doctor_reports_paths_and_exits_0(capsys, cfg):
    from limner.llm.embedded import embedded_model_path

    code, out, err = run_cli(["doctor", "--config", cfg], capsys)
    assert code == 0, err
    assert str(embedded_model_path()) in out
    for label in ("extra [llm]", "extra [image]", "extra [server]", "llm cache", "config file",
                  "llama-cpp-python", "torch", "cuda"):
        assert label in out


def test_llm_json_schema_prints_valid_json(capsys, cfg, gguf_path):
    code, out, err = run_cli(["llm", "Name three colours", "--json-schema", json.dumps(COLORS),
                              "--max-tokens", "48", "--no-cache", "--config", cfg], capsys)
    assert code == 0, err
    check(json.loads(out), COLORS)


def test_llm_schema_from_file_and_plain_text(capsys, cfg, gguf_path, tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps(COLORS))
    prompt = 'Three colours: {"colors": ["red", "green", "blue"]}\nTwo colours:'
    code, out, err = run_cli(["llm", prompt, "--raw", "--json-schema", str(schema), "--indent", "2",
                              "--max-tokens", "24", "--no-cache", "--config", cfg], capsys)
    assert code == 0, err
    check(json.loads(out), COLORS)
    code, out, err = run_cli(["llm", "The capital of France is", "--raw", "--max-tokens", "6",
                              "--no-cache", "--config", cfg], capsys)
    assert code == 0 and out.strip(), err


@pytest.mark.parametrize("args, needle", [
    (["--json-schema", "/nonexistent/schema.json"], "cannot read JSON schema file"),
    (["--json-schema", '{"type": "object",'], "not valid JSON"),
    (["--json-schema", '{"type": "colour"}'], "not a usable JSON schema"),
    (["--backend", "gpt5"], "known: embedded, llamacpp, openai"),
    (["--backend", "openai", "--base-url", "http://127.0.0.1:{port}/v1", "--model", "x"], "cannot reach"),
])
def test_llm_bad_input_is_one_line(args, needle, capsys, cfg):
    args = [a.replace("{port}", str(_free_port())) for a in args]
    code, out, err = run_cli(["llm", "hello", "--no-cache", "--config", cfg, *args], capsys)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err
    assert "Traceback" not in err


def test_bad_input_in_a_real_process_has_no_traceback(cfg):
    out = subprocess.run([sys.executable, "-m", "limner", "llm", "hi", "--backend", "nope", "--config", cfg],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert out.stderr.strip().count("\n") == 0 and "unknown LLM backend" in out.stderr
