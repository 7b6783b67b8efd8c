"""What `limner serve` buys: a warm HTTP request vs a cold CLI call for the same recipe, and
throughput with concurrent clients — measured in one run on this machine.

* cold CLI: ``limner generate PROMPT --planner P --seed S -o DIR`` in a fresh process (imports,
  model load, planning, drawing, writing) — what every CLI call pays;
* warm HTTP: ``POST /api/generate?wait=true`` with the same recipe to a server started once on
  loopback (uvicorn, the real app), then ``GET`` of the PNG; the first request is a warm-up;
* the PNG bytes of both are compared (they must be identical);
* throughput: ``--clients`` concurrent clients each submitting ``--jobs`` requests.

    python benchmarks/server.py --repeat 3 --clients 4 --jobs 4

The last line is ``warm_http_speedup=<median cold CLI seconds / median warm HTTP seconds>``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROMPT = "three red circles above a blue square"


def start_server() -> tuple[str, object]:
    import uvicorn

    from limner.server.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def cold_cli(planner: str, seed: int, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "limner", "generate", PROMPT, "--planner", planner, "--seed", str(seed),
                    "-o", str(out), "-q"], check=True, capture_output=True)
    return time.perf_counter() - t0


def warm_http(client, planner: str, seed: int) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    job = client.post("/api/generate?wait=true", json={"prompt": PROMPT, "planner": planner, "seed": seed}).json()
    png = client.get(job["images"][0]["url"]).content
    return time.perf_counter() - t0, png


def main() -> None:
    import httpx

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--planner", default="rules", help="rules (no LLM) or an LLM backend id")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--jobs", type=int, default=4, help="requests per client")
    args = ap.parse_args()

    url, server = start_server()
    cold, warm, same = [], [], 0
    with httpx.Client(base_url=url, timeout=600) as c, tempfile.TemporaryDirectory() as d:
        warm_http(c, args.planner, 999)  # warm-up: loads the models once
        for r in range(args.repeat):  # interleaved
            out = Path(d) / f"cli{r}"
            cold.append(cold_cli(args.planner, r, out))
            t, png = warm_http(c, args.planner, r)
            warm.append(t)
            same += png == (out / f"0000-{r}.png").read_bytes()

    def client_run(k: int) -> int:
        with httpx.Client(base_url=url, timeout=600) as c:
            for j in range(args.jobs):
                warm_http(c, args.planner, 1000 + k * args.jobs + j)
        return args.jobs

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(args.clients) as pool:
        done = sum(pool.map(client_run, range(args.clients)))
    wall = time.perf_counter() - t0
    server.should_exit = True

    mc, mw = statistics.median(cold), statistics.median(warm)
    print(f"planner={args.planner} repeat={args.repeat} cores={os.cpu_count()}")
    print(f"cold_cli_s_median={mc:.3f}")
    print(f"warm_http_s_median={mw:.3f}")
    print(f"identical_png={same}/{args.repeat}")
    print(f"throughput_images_per_s={done / wall:.2f} ({args.clients} clients x {args.jobs} requests, {wall:.1f} s)")
    print(f"warm_http_speedup={mc / mw:.1f}")


if __name__ == "__main__":
    main()
