"""The two batch operations of the performance budget (docs/ARCHITECTURE.md, Performance budget),
run with the CLI on the dataset while no server is running: exporting every application event as CSV (rows/s, peak RSS) and verifying the audit chain
(seconds). /usr/bin/time -v gives the peak RSS (the process's maximum resident set size)."""

import json
import re
import subprocess
import time
from pathlib import Path

from server import BINARY

MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def timed(args):
    """Runs the CLI under /usr/bin/time -v; returns (seconds, peak RSS KiB, stdout)."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", str(BINARY), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"kycdesk {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    m = MAX_RSS.search(r.stderr)
    return seconds, int(m.group(1)) if m else None, r.stdout


def export_events(data_dir, out_dir):
    out = Path(out_dir) / "events.csv"
    seconds, rss_kib, _ = timed(["--data-dir", str(data_dir), "export", "events", "--format", "csv",
                                 "--out", str(out)])
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    rows = manifest.get("rows")
    size = out.stat().st_size
    # The file can be gigabytes at full size; only its numbers are kept.
    out.unlink()
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds) if rows else None,
            "file_mib": round(size / 2**20, 1), "peak_rss_mib": round(rss_kib / 1024, 1) if rss_kib else None}


def verify_chain(data_dir):
    seconds, rss_kib, stdout = timed(["--data-dir", str(data_dir), "audit", "verify", "--json"])
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        report = {"output": stdout.strip()}
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(rss_kib / 1024, 1) if rss_kib else None,
            "report": report}
