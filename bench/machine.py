"""What the numbers were measured on, and whether anything else was competing for the 2 cores."""

import os
import platform
import subprocess
import time
from pathlib import Path


def _cpu_times():
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


def busy_percent(seconds=2.0):
    """Share of all cores busy over a short window."""
    t0, i0 = _cpu_times()
    time.sleep(seconds)
    t1, i1 = _cpu_times()
    return round(100 * (1 - (i1 - i0) / max(1, t1 - t0)), 1)


def top_processes(n=5):
    out = subprocess.run(["ps", "-eo", "pcpu,pid,comm", "--sort=-pcpu"], capture_output=True, text=True).stdout
    return [l.strip() for l in out.splitlines()[1:n + 1]]


def wait_until_quiet(max_wait_s, threshold=25.0):
    """Waits (up to max_wait_s) for the machine to be mostly idle; returns what it saw last."""
    deadline = time.monotonic() + max_wait_s
    while True:
        busy = busy_percent()
        if busy <= threshold or time.monotonic() >= deadline:
            if busy > threshold:
                print(f"bench: WARNING the machine is {busy}% busy before measuring; numbers will be low. "
                      f"Top: {top_processes(3)}", flush=True)
            return {"busy_percent": busy, "top_processes": top_processes()}
        print(f"bench: machine {busy}% busy (e.g. a build); waiting for it to settle...", flush=True)
        time.sleep(10)


def describe():
    mem_kib = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()
                   if l.startswith("MemTotal:"))
    model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                  if l.startswith("model name")), platform.processor())
    git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True).stdout.strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else "?",
        "load_average": os.getloadavg(),
    }
