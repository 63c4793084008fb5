"""The PostgreSQL scenarios (issue 23), called by `bench/run postgres`: decisions at 32 connections
on one instance and on two instances sharing the database, and the deadlock scenario (sandbox
intakes whose submissions move cases to review while reviewers decide cases of the same tenant and
level). Each scenario starts from a fresh copy of one generated database (CREATE DATABASE ...
TEMPLATE), reports throughput and latency, 5xx answers, the deadlocks PostgreSQL counted
(pg_stat_database, read after the servers stopped so that every backend flushed its statistics)
and the backends seen waiting on locks (pg_stat_activity, sampled every 50 ms).

Knobs: BENCH_POSTGRES_URL (an admin URL, default postgres://postgres@127.0.0.1:5432/test),
BENCH_PG_APPLICATIONS (default 100,000), BENCH_DURATION, BENCH_CONNECTIONS;
BENCH_PG_COUNTERS=in-place puts back the trigger that updated one counter row per tenant, level and
status in place (before migration 14), to measure that design against the deltas.
Results: bench/results/postgres-latest.{md,json} (BENCH_RESULTS_NAME names them otherwise;
BENCH_BINARY and BENCH_BINARY_LABEL measure another build)."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import api_flow
import machine
import wrk
from server import BINARY, Server
from session import Browser

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
APPLICATIONS = int(os.environ.get("BENCH_PG_APPLICATIONS", "100000"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
COUNTERS = os.environ.get("BENCH_PG_COUNTERS", "deltas")
# Which instance counts the decision scenario runs with (BENCH_PG_INSTANCES=2 for one run).
INSTANCES = [int(n) for n in os.environ.get("BENCH_PG_INSTANCES", "1,2").split(",")]
REVIEWERS = 16
# The trigger function of the migration that kept the counters in place, put back as it was.
_IN_PLACE = (ROOT / "migrations" / "postgres" / "20261122000012_application_counts_triggers.sql").read_text()
IN_PLACE_COUNTERS = (_IN_PLACE[_IN_PLACE.index("CREATE FUNCTION"):_IN_PLACE.index("LANGUAGE plpgsql;") + 17]
                     .replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
INTAKE_THREADS = 8


def log(msg):
    print(f"bench-pg: {msg}", flush=True)


def url_of(database):
    base, _, query = ADMIN_URL.partition("?")
    return base.rsplit("/", 1)[0] + "/" + database + (f"?{query}" if query else "")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-XAtqc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def prepare():
    """The generated database (once per size) and the data dir holding its logins and keys."""
    source = f"kycdesk_bench_src_{APPLICATIONS}"
    data_dir = ROOT / "target" / "bench-data" / f"postgres-apps{APPLICATIONS}"
    marker = data_dir / ".bench-complete"
    if marker.exists() and psql(ADMIN_URL, f"SELECT 1 FROM pg_database WHERE datname = '{source}'") == "1":
        log(f"reusing the database {source}")
        return source, data_dir
    psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {source} WITH (FORCE)")
    psql(ADMIN_URL, f"CREATE DATABASE {source}")
    data_dir.mkdir(parents=True, exist_ok=True)
    log(f"generating {APPLICATIONS:,} applications into {source}")
    started = time.monotonic()
    subprocess.run([str(BINARY), "--data-dir", str(data_dir), "--database-url", url_of(source),
                    "generate", "--applications", str(APPLICATIONS)], check=True)
    psql(url_of(source), "VACUUM ANALYZE")
    marker.write_text(json.dumps({"applications": APPLICATIONS,
                                  "build_seconds": round(time.monotonic() - started, 1)}))
    return source, data_dir


def fresh(source, name):
    """A copy of the generated database for one scenario (a scenario decides its candidates)."""
    target = f"kycdesk_bench_{name}"
    psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
    psql(ADMIN_URL, f"CREATE DATABASE {target} TEMPLATE {source}")
    if COUNTERS == "in-place" and psql(url_of(target), "SELECT to_regclass('application_count_deltas') IS NOT NULL") == "t":
        psql(url_of(target), IN_PLACE_COUNTERS)
    return target


def deadlocks(database):
    return int(psql(ADMIN_URL, f"SELECT deadlocks FROM pg_stat_database WHERE datname = '{database}'"))


class LockSampler(threading.Thread):
    """Counts, every 50 ms, the database's backends waiting on a lock and on what."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.samples, self.waiting, self.by_event = url, 0, 0, {}
        self.stop = threading.Event()

    def run(self):
        proc = subprocess.Popen(["psql", self.url, "-XAtq"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        # Each waiting backend as "wait event:the statement it waits in" (its first words).
        query = ("SELECT COALESCE(string_agg(wait_event || ':' || regexp_replace(left(query, 40), '[\\s,|]+', ' ', 'g'), ','), '') "
                 "|| '|' FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock';\n")
        while not self.stop.is_set():
            proc.stdin.write(query)
            proc.stdin.flush()
            line = proc.stdout.readline().strip().rstrip("|")
            self.samples += 1
            for event in filter(None, line.split(",")):
                self.waiting += 1
                self.by_event[event] = self.by_event.get(event, 0) + 1
            time.sleep(0.05)
        proc.stdin.close()
        proc.wait()

    def result(self):
        n = max(self.samples, 1)
        return {"samples": self.samples, "mean_backends_waiting_on_locks": round(self.waiting / n, 2),
                "mean_by_wait_event": {k: round(v / n, 2) for k, v in sorted(self.by_event.items())}}


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids():
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


class CpuMeter:
    """CPU seconds spent by the kycdesk servers and by PostgreSQL's processes over a scenario."""

    def __init__(self, servers):
        self.servers = servers
        self.pg = {pid: cpu_seconds(pid) for pid in postgres_pids()}
        self.server_start = [cpu_seconds(s.proc.pid) for s in servers]
        self.started = time.monotonic()

    def result(self):
        elapsed = time.monotonic() - self.started
        pg = sum(cpu_seconds(pid) - self.pg.get(pid, 0.0) for pid in postgres_pids())
        servers = sum(cpu_seconds(s.proc.pid) - t for s, t in zip(self.servers, self.server_start))
        return {"seconds": round(elapsed, 1), "kycdesk_cores": round(servers / elapsed, 2),
                "postgres_cores": round(pg / elapsed, 2)}


def candidates(url, path, where="", limit=20000):
    rows = psql(url, f"""
        SELECT a.id || ' ' || a.version FROM applications a
        JOIN level_versions v ON v.level_id = a.level_id AND v.version = a.level_version
        WHERE a.status = 'review' AND COALESCE((v.policy::jsonb ->> 'four_eyes')::boolean, false) = false
          AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = a.id AND d.state = 'proposed')
          {where}
        ORDER BY a.status_changed_at LIMIT {limit}""").splitlines()
    Path(path).write_text("\n".join(rows) + "\n")
    return len(rows)


def split(path, parts):
    lines = Path(path).read_text().splitlines()
    out = []
    for i in range(parts):
        p = Path(f"{path}.{i}")
        p.write_text("\n".join(lines[i::parts]) + "\n")
        out.append(p)
    return out


def decide(server, browser, inputs, connections):
    return wrk.run(server.base_url, "decision.lua", duration=DURATION, threads=min(2, connections),
                   connections=connections, cookie=browser.cookie_header(), inputs=inputs,
                   expect="303,200", extra_env={"BENCH_CSRF": browser.csrf})


def reviewer(data_dir):
    logins = json.loads((data_dir / "logins.json").read_text())
    return next(l for l in logins if "reviewer" in l["roles"].split(","))


def sandbox_key(data_dir):
    tenants = json.loads((data_dir / "tenants.json").read_text())
    return next(t for t in tenants if t["sandbox"])["api_key"]


def decisions(source, data_dir, work, instances, workers=True):
    """32 concurrent decisions over `instances` servers. Each decision queues a webhook delivery;
    with `workers` off the servers run no background jobs, so the numbers show the decisions alone."""
    name = f"decisions{instances}{'' if workers else '_noworkers'}"
    database = fresh(source, name)
    url = url_of(database)
    total = candidates(url, work / f"{name}.txt")
    env = None if workers else {"KYCDESK_WORKERS": "0"}
    servers = [Server(data_dir, work / f"server-{name}-{i}.log", url, env) for i in range(instances)]
    try:
        who = reviewer(data_dir)
        # Sessions live in the database: one sign-in serves every instance.
        browser = Browser(servers[0].base_url).sign_in(who["email"], who["password"])
        before = deadlocks(database)
        sampler = LockSampler(url)
        sampler.start()
        cpu = machine.cpu_sample()
        meter = CpuMeter(servers)
        results = [None] * instances
        parts = split(work / f"{name}.txt", instances)

        def one(i):
            results[i] = decide(servers[i], browser, parts[i], CONNECTIONS // instances)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(instances)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sampler.stop.set()
        sampler.join()
        steal = machine.cpu_share(cpu, machine.cpu_sample())
        processes = meter.result()
    finally:
        for s in servers:
            s.stop()
    decided = sum(r["requests"] for r in results)
    return {
        "instances": instances, "workers": workers, "connections": CONNECTIONS, "candidates": total,
        "decisions_per_s": round(sum(r["req_per_s"] for r in results), 1),
        "p50_ms": max(r["p50_ms"] for r in results), "p99_ms": max(r["p99_ms"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "error_samples": [s for r in results for s in r["error_samples"]][:3],
        "deadlocks": deadlocks(database) - before,
        "locks": sampler.result(),
        "lock_waits_per_decision": round(sampler.waiting * 0.05 / max(decided, 1) * 1000, 3),
        "cpu": steal, "cpu_by_process": processes, "per_instance": results,
    }


def deadlock_scenario(source, data_dir, work):
    """Sandbox intakes (`sandbox_outcome: consider`: each submission moves its case to review) on
    the sandbox tenant's Basic level while 16 reviewers decide cases of that same tenant and level."""
    database = fresh(source, "deadlock")
    url = url_of(database)
    server = Server(data_dir, work / "server-deadlock.log", url)
    try:
        key = sandbox_key(data_dir)
        level = api_flow.basic_level_id(server.base_url, key)
        total = candidates(url, work / "deadlock-decisions.txt", f"AND a.level_id = '{level}'")
        who = reviewer(data_dir)
        browser = Browser(server.base_url).sign_in(who["email"], who["password"])
        before = deadlocks(database)
        sampler = LockSampler(url)
        sampler.start()
        out = {}

        def intakes():
            out["intake"] = api_flow.run(server.base_url, key, duration=DURATION, concurrency=INTAKE_THREADS,
                                         run_id=f"deadlock-{time.time_ns()}",
                                         params={"sandbox_outcome": "consider"})

        t = threading.Thread(target=intakes)
        t.start()
        out["decisions"] = decide(server, browser, work / "deadlock-decisions.txt", REVIEWERS)
        t.join()
        sampler.stop.set()
        sampler.join()
    finally:
        server.stop()
    server_log = (work / "server-deadlock.log").read_text(errors="replace")
    return {
        "level_id": level, "candidates": total, "reviewers": REVIEWERS, "intake_threads": INTAKE_THREADS,
        "decisions": out["decisions"], "intake": out["intake"],
        "deadlocks": deadlocks(database) - before,
        "retries_logged": server_log.count("running the use case again"),
        "locks": sampler.result(),
    }


def write(results):
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = os.environ.get("BENCH_RESULTS_NAME", "postgres-latest")
    (out / f"{name}.json").write_text(json.dumps(results, indent=2))
    lines = [f"# PostgreSQL scenarios ({results['applications']:,} applications, {results['when']}, "
             f"{results['binary']}, counters: {results['counters']})", "",
             "| scenario | decisions/s | p50 ms | p99 ms | errors | deadlocks | lock wait per decision (ms) | mean backends waiting on locks | CPU (cores) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for d in results["decisions"]:
        jobs = "" if d.get("workers", True) else ", no background jobs"
        cpu = d["cpu_by_process"]
        lines.append(f"| 32 concurrent decisions, {d['instances']} instance(s){jobs} | {d['decisions_per_s']} | "
                     f"{d['p50_ms']:.1f} | {d['p99_ms']:.1f} | {d['errors']} | {d['deadlocks']} | "
                     f"{d['lock_waits_per_decision']} | {d['locks']['mean_backends_waiting_on_locks']} {d['locks']['mean_by_wait_event']} | "
                     f"kycdesk {cpu['kycdesk_cores']}, PostgreSQL {cpu['postgres_cores']} |")
    s = results["deadlock"]
    lines.append(f"| deadlock scenario: {REVIEWERS} reviewers + {INTAKE_THREADS} intake threads | "
                 f"{s['decisions']['req_per_s']} | {s['decisions']['p50_ms']:.1f} | {s['decisions']['p99_ms']:.1f} | "
                 f"{s['decisions']['errors']} + {s['intake']['server_errors']} intake 5xx | {s['deadlocks']} | | "
                 f"{s['locks']['mean_backends_waiting_on_locks']} {s['locks']['mean_by_wait_event']} | |")
    lines += ["", f"Deadlock scenario intake: {s['intake']['sequences_per_s']} sequences/s, "
              f"{s['intake']['errors']} errors, use-case retries logged: {s['retries_logged']}.",
              f"API intake sequence alone ({INTAKE_THREADS} threads): {results['intake']['sequences_per_s']} "
              f"sequences/s, p50 {results['intake']['sequences']['p50_ms']} ms, "
              f"p99 {results['intake']['sequences']['p99_ms']} ms, errors {results['intake']['errors']}."]
    md = "\n".join(lines) + "\n"
    (out / f"{name}.md").write_text(md)
    return md


def intake_alone(source, data_dir, work):
    database = fresh(source, "intake")
    server = Server(data_dir, work / "server-intake.log", url_of(database))
    try:
        return api_flow.run(server.base_url, sandbox_key(data_dir), duration=DURATION,
                            concurrency=INTAKE_THREADS, run_id=f"intake-{time.time_ns()}")
    finally:
        server.stop()


def main():
    source, data_dir = prepare()
    work = ROOT / "target" / "bench-runs" / ("pg-" + time.strftime("%Y%m%d-%H%M%S"))
    work.mkdir(parents=True)
    results = {"applications": APPLICATIONS, "when": time.strftime("%Y-%m-%d %H:%M"), "counters": COUNTERS,
               "binary": os.environ.get("BENCH_BINARY_LABEL", "this commit"),
               "machine": machine.describe(), "decisions": []}
    for workers in (True, False):
        for instances in INSTANCES:
            d = decisions(source, data_dir, work, instances, workers)
            log(f"decisions, {instances} instance(s), workers {'on' if workers else 'off'}: "
                f"{d['decisions_per_s']}/s p99 {d['p99_ms']:.1f} ms, errors {d['errors']}, "
                f"deadlocks {d['deadlocks']}, locks {d['locks']}, CPU {d['cpu_by_process']}")
            results["decisions"].append(d)
    results["deadlock"] = deadlock_scenario(source, data_dir, work)
    s = results["deadlock"]
    log(f"deadlock scenario: decisions {s['decisions']['req_per_s']}/s p99 {s['decisions']['p99_ms']:.1f} ms, "
        f"errors {s['decisions']['errors']}, intake 5xx {s['intake']['server_errors']}, deadlocks {s['deadlocks']}")
    results["intake"] = intake_alone(source, data_dir, work)
    log(f"intake alone: {results['intake']['sequences_per_s']}/s")
    print(write(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
