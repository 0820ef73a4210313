"""Load on the web API (loopback only, bounded): latency of POST /api/estimate under concurrency.

Goal from the web issue: 200 estimate requests from 50 concurrent clients with zero errors,
p95 <= 200 ms for a fixed-layout scenario. The server is ``dojosim serve`` (one uvicorn
process) on 127.0.0.1; the clients are 50 asyncio tasks in this process. Every request
carries a different scenario (GPT-3 175B on 64 A100, TP 8 x PP 8, the global batch varied),
so no answer comes from the server's cache of estimates; ``--same`` sends one scenario
200 times instead (the cached path). The clients speak HTTP/1.1 over kept-alive asyncio
connections (a few lines here), so the figures are the server's, not an HTTP library's.
Figures are printed, never asserted.

Run: python benchmarks/bench_web.py [--requests 200] [--clients 50] [--same]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

SCENARIO: dict[str, Any] = {
    "name": "bench-gpt3-175b-64-a100",
    "model": "gpt3-175b",
    "system": "dgx-a100-80g",
    "chips": 64,
    "precision": "bf16",
    "parallelism": {
        "tensor": 8,
        "pipeline": 8,
        "global_batch": 64,
        "micro_batch": 1,
        "sequence_parallel": True,
        "recompute": "selective",
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dojosim.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the server exited before answering") from None
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not answer within 60 s")


def body(i: int, same: bool) -> dict[str, Any]:
    b = json.loads(json.dumps(SCENARIO))
    if not same:
        b["parallelism"]["global_batch"] = 64 * (i + 2)  # a new scenario each time
    return b


async def post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, payload: bytes
) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on a kept-alive connection: (status, body)."""
    writer.write(
        b"POST /api/estimate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % (port, len(payload))
        + payload
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    return status, await reader.readexactly(length)


async def load(port: int, requests: int, clients: int, same: bool) -> tuple[list[float], list[str]]:
    """``clients`` connections sending ``requests`` in all, each waiting for its answer."""
    latencies: list[float] = []
    errors: list[str] = []
    todo = iter(range(requests))

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in todo:
                payload = json.dumps(body(i, same)).encode()
                t0 = time.perf_counter()
                try:
                    status, answer = await asyncio.wait_for(post(reader, writer, port, payload), 60)
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    return
                latencies.append(time.perf_counter() - t0)
                if status != 200 or b'"step_time_s"' not in answer:
                    errors.append(f"{status}: {answer[:120]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--same", action="store_true", help="one scenario every time (cached)")
    args = ap.parse_args()
    if not (1 <= args.requests <= 10_000 and 1 <= args.clients <= 500):
        raise SystemExit("keep the load bounded: --requests 1..10000, --clients 1..500")
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}/api/estimate"
    try:
        # One request first: imports and catalog reads happen once, not in the figures.
        urllib.request.urlopen(
            urllib.request.Request(
                url,
                data=json.dumps(body(-1, False)).encode(),
                headers={"Content-Type": "application/json"},
            ),
            timeout=60,
        ).read()
        t0 = time.perf_counter()
        latencies, errors = asyncio.run(load(port, args.requests, args.clients, args.same))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=10)
    ms = sorted(1e3 * x for x in latencies)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    kind = "one scenario (cached)" if args.same else "a new fixed-layout scenario per request"
    print(
        f"POST /api/estimate, {args.requests} requests from {args.clients} concurrent clients ({kind})"
    )
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"  latency p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms")
    print(f"  throughput {len(ms) / wall:.0f} requests/s over {wall:.2f} s (goal: p95 <= 200 ms)")
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"  machine: {os.cpu_count()} cores, load average {busy:.1f} (client and server share them)"
    )


if __name__ == "__main__":
    main()
