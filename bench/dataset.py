"""The dataset: generated once per parameter set under target/bench-data/<params>/, then reused.

`kycdesk generate` refuses a non-empty database, so an interrupted generation (no marker file)
is wiped and started again. Until `generate` exists in the binary, the demo data (200
applications) stands in: every scenario still runs, on a dataset far below the budget's size.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from server import BINARY, free_port

ROOT = Path(__file__).resolve().parent.parent
MARKER = ".bench-complete"


def params_from_env():
    return {
        "applications": int(os.environ.get("BENCH_APPLICATIONS", "1000000")),
        "tenants": int(os.environ.get("BENCH_TENANTS", "10")),
        "events_per_application": int(os.environ.get("BENCH_EVENTS", "5")),
        "seed": int(os.environ.get("BENCH_SEED", "1")),
    }


def has_generate():
    r = subprocess.run([str(BINARY), "generate", "--help"], capture_output=True)
    return r.returncode == 0


def prepare(params):
    """Returns (data_dir, marker dict); builds the dataset when there is no complete one."""
    if has_generate():
        p = params
        data_dir = ROOT / "target" / "bench-data" / (
            f"apps{p['applications']}-tenants{p['tenants']}-events{p['events_per_application']}-seed{p['seed']}")
        build = lambda: generate(data_dir, p)
    else:
        print("bench: `kycdesk generate` is not in this build; using the demo data instead", flush=True)
        data_dir = ROOT / "target" / "bench-data" / "demo"
        build = lambda: demo(data_dir)
    marker = data_dir / MARKER
    if marker.exists():
        print(f"bench: reusing the dataset in {data_dir}", flush=True)
        return data_dir, json.loads(marker.read_text())
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    started = time.monotonic()
    info = build()
    info["build_seconds"] = round(time.monotonic() - started, 1)
    # Written last: its presence means the dataset is whole.
    marker.write_text(json.dumps(info, indent=2))
    return data_dir, info


def generate(data_dir, p):
    print(f"bench: generating {p['applications']:,} applications in {data_dir} (once per parameter set)",
          flush=True)
    subprocess.run([
        str(BINARY), "--data-dir", str(data_dir), "generate",
        "--applications", str(p["applications"]), "--tenants", str(p["tenants"]),
        "--events-per-application", str(p["events_per_application"]), "--seed", str(p["seed"]),
    ], check=True)
    return {"source": "generate", **p}


def demo(data_dir):
    """Seeds through `kycdesk demo` (it serves afterwards; stopped once it prints its logins) and
    writes logins.json / tenants.json in the generator's format from what it prints."""
    proc = subprocess.Popen(
        [str(BINARY), "--data-dir", str(data_dir), "demo", "--listen", f"127.0.0.1:{free_port()}"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "KYCDESK_WORKERS": "0"})
    logins, tenants, section = [], [], None
    try:
        for line in proc.stdout:
            line = line.rstrip()
            if line.startswith("Staff logins"):
                section = "logins"
            elif line.startswith("Tenant API keys"):
                section = "tenants"
            elif line.startswith("Press Ctrl-C"):
                break
            elif not line.strip():
                section = None
            elif section == "logins":
                email, password, roles = line.split(None, 2)
                logins.append({"email": email, "password": password, "roles": roles.strip()})
            elif section == "tenants":
                # "  <name, may contain spaces>  live|sandbox  <key>"
                name, kind, key = line.strip().rsplit(None, 2)
                tenants.append({"name": name.strip(), "sandbox": kind == "sandbox", "api_key": key})
    finally:
        proc.terminate()
        proc.wait()
    if not logins or not tenants:
        raise RuntimeError("could not read the demo's logins and API keys")
    (data_dir / "logins.json").write_text(json.dumps(logins, indent=2))
    (data_dir / "tenants.json").write_text(json.dumps(tenants, indent=2))
    return {"source": "demo", "applications": count(data_dir, "applications")}


def database(data_dir):
    """A read-only handle on the dataset's SQLite database (the server may be running)."""
    path = data_dir / "kycdesk.sqlite"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def count(data_dir, table):
    with database(data_dir) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def facts(data_dir):
    """What the dataset actually holds (it drifts a little: each run decides and creates some)."""
    with database(data_dir) as db:
        one = lambda sql: db.execute(sql).fetchone()[0]
        return {
            "applications": one("SELECT COUNT(*) FROM applications"),
            "applicants": one("SELECT COUNT(*) FROM applicants"),
            "tenants": one("SELECT COUNT(*) FROM tenants"),
            "audit_events": one("SELECT COUNT(*) FROM audit_events"),
            "documents": one("SELECT COUNT(*) FROM documents"),
            "in_review": one("SELECT COUNT(*) FROM applications WHERE status = 'review'"),
            "database_mib": round((data_dir / "kycdesk.sqlite").stat().st_size / 2**20, 1),
        }


def working_copy(data_dir, dest):
    """A copy of the generated dataset for this run, so that every run starts from the same data:
    a run decides applications (each only once) and creates some through the API, and a reused
    dataset would otherwise run out of applications to decide. Document files are shared through
    a symlink (nothing here writes any). Without room for a copy the run works in place."""
    files = [p for p in data_dir.iterdir() if p.is_file() and p.name != MARKER]
    size = sum(p.stat().st_size for p in files)
    free = shutil.disk_usage(dest.parent).free
    if free < size * 1.2 + 2 * 2**30:
        print(f"bench: no room for a working copy ({size / 2**30:.1f} GiB); the run changes {data_dir} "
              "(delete it for a fresh one)", flush=True)
        return data_dir, False
    dest.mkdir(parents=True)
    for p in files:
        shutil.copy2(p, dest / p.name)
    if (data_dir / "blobs").exists():
        (dest / "blobs").symlink_to((data_dir / "blobs").resolve())
    # The copy leaves gigabytes of dirty pages; while the kernel writes them back it throttles every
    # process that writes, and the server's WAL appends stalled for up to a second (decisions had a
    # p99 of 350-940 ms instead of 65-80 ms at 100,000 applications). Measure once they are on disk.
    started = time.monotonic()
    os.sync()
    print(f"bench: working copy written to disk in {time.monotonic() - started:.0f} s", flush=True)
    return dest, True
