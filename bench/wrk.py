"""Runs one wrk scenario and returns its numbers (the JSON line printed by lua/common.lua's done())."""

import json
import os
import subprocess
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"


def run(base_url, script, *, duration, threads, connections, path="/", inputs=None,
        cookie="", expect="200", extra_env=None, timeout_s=10):
    env = dict(os.environ)
    env.update({
        "BENCH_LUA_DIR": str(LUA_DIR),
        "BENCH_THREADS": str(threads),
        "BENCH_INPUT": str(inputs or ""),
        "BENCH_COOKIE": cookie,
        "BENCH_EXPECT": expect,
    })
    env.update(extra_env or {})
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
           "--timeout", f"{timeout_s}s", "--latency", "-s", str(LUA_DIR / script), base_url + path]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    r = json.loads(line[len("BENCH_JSON "):])
    socket_errors = sum(r["socket_errors"].values())
    # Throughput over the time requests were actually in flight: equal to wrk's duration for the
    # open-ended scenarios, shorter when a thread ran out of inputs (decisions).
    active_s = (r["active_us"] or r["duration_us"]) / 1e6
    return {
        "requests": r["responses"],
        "duration_s": round(active_s, 3),
        "req_per_s": round(r["responses"] / active_s, 1) if active_s else 0.0,
        "p50_ms": r["latency_us"]["p50"] / 1000,
        "p90_ms": r["latency_us"]["p90"] / 1000,
        "p99_ms": r["latency_us"]["p99"] / 1000,
        "max_ms": r["latency_us"]["max"] / 1000,
        # Errors: anything but the expected status (wrk's own >= 400 count is a subset), plus
        # connect/read/write/timeout errors of the sockets.
        "errors": r["unexpected"] + socket_errors,
        "unexpected_status": r["unexpected"],
        "socket_errors": r["socket_errors"],
        "error_samples": r["samples"][:3],
        "connections": connections,
        "threads": threads,
    }
