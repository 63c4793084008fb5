"""What the numbers were measured on, and whether anything else was competing for the 2 cores."""

import os
import platform
import subprocess
import time
from pathlib import Path


def cpu_sample():
    """(total, idle, steal) jiffies of all cores so far. Steal is time the hypervisor gave this VM's
    cores to someone else: on a shared host it can take a quarter of the machine."""
    # user nice system idle iowait irq softirq steal (guest time is already inside user)
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields), fields[3] + fields[4], fields[7]


def cpu_share(before, after):
    """Percent of all cores busy (steal included) and stolen between two samples."""
    total = max(1, after[0] - before[0])
    return {"busy_percent": round(100 * (1 - (after[1] - before[1]) / total), 1),
            "steal_percent": round(100 * (after[2] - before[2]) / total, 1)}


def cpu_over(seconds):
    """cpu_share over the next `seconds`."""
    before = cpu_sample()
    time.sleep(seconds)
    return cpu_share(before, cpu_sample())


def top_processes(n=5):
    out = subprocess.run(["ps", "-eo", "pcpu,pid,comm", "--sort=-pcpu"], capture_output=True, text=True).stdout
    return [l.strip() for l in out.splitlines()[1:n + 1]]


def wait_until_quiet(max_wait_s, threshold=25.0):
    """Waits (up to max_wait_s) for the machine to be mostly idle; returns what it saw last."""
    deadline = time.monotonic() + max_wait_s
    while True:
        seen = cpu_over(2.0)
        busy = seen["busy_percent"]
        if busy <= threshold or time.monotonic() >= deadline:
            if busy > threshold:
                print(f"bench: WARNING the machine is {busy}% busy before measuring; numbers will be low. "
                      f"Top: {top_processes(3)}", flush=True)
            return {**seen, "top_processes": top_processes()}
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
