"""The benchmark run (called by bench/run after the release build): dataset, server, scenarios,
direct SQL, page weight, CLI batch jobs, report. Each concern lives in its own module here."""

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import api_flow
import cli_ops
import dataset
import inputs
import machine
import page_weight
import report
import sql_direct
import wrk
from server import Server
from session import Browser

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# The latency-only targets (search, application page) are measured where the server is already at
# full throughput but requests do not yet wait in line for the 2 cores: beyond that point every
# added connection adds its own queueing (Little's law), not work. Each is also run at CONNECTIONS.
LATENCY_CONNECTIONS = int(os.environ.get("BENCH_LATENCY_CONNECTIONS", "4"))
API_CONCURRENCY = int(os.environ.get("BENCH_API_CONCURRENCY", "8"))
IDLE_WAIT = int(os.environ.get("BENCH_IDLE_WAIT", "300"))


def log(msg):
    print(f"bench: {msg}", flush=True)


def main():
    params = dataset.params_from_env()
    source_dir, built = dataset.prepare(params)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    work = ROOT / "target" / "bench-runs" / run_id
    work.mkdir(parents=True)
    data_dir, copied = dataset.working_copy(source_dir, work / "data")
    try:
        return run(params, built, source_dir, data_dir, copied, run_id, work)
    finally:
        if copied:
            # Server logs and inputs stay in the run's directory; the copy is as big as the dataset.
            shutil.rmtree(data_dir, ignore_errors=True)


def run(params, built, source_dir, data_dir, copied, run_id, work):
    logins = json.loads((data_dir / "logins.json").read_text())
    tenants = json.loads((data_dir / "tenants.json").read_text())
    reviewer = next(l for l in logins if "reviewer" in l["roles"].split(","))
    sandbox = next(t for t in tenants if t["sandbox"])

    results = {"machine": machine.describe(), "dataset": {"requested": params, "built": built,
                                                          "data_dir": str(source_dir.relative_to(ROOT)),
                                                          "working_copy": copied,
                                                          "before": dataset.facts(data_dir)},
               "settings": {"duration_s": DURATION, "warmup_s": WARMUP, "wrk_threads": THREADS,
                            "connections": CONNECTIONS, "latency_connections": LATENCY_CONNECTIONS,
                            "api_concurrency": API_CONCURRENCY},
               "http": {}, "memory": {}}
    log(f"dataset: {results['dataset']['before']}")

    server = Server(data_dir, work / "server.log")
    peak_kib = [0]
    results["write_probes"] = []
    try:
        browser = Browser(server.base_url).sign_in(reviewer["email"], reviewer["password"])
        cookie = browser.cookie_header()
        log(f"server on {server.base_url}, signed in as {reviewer['email']}")

        # Inputs, read before the load starts.
        deep_path, deep_tab, deep_rows = inputs.deep_page(data_dir)
        searches = inputs.search_paths(data_dir, work)
        details = inputs.detail_paths(data_dir, work)
        check_cursor_format(browser, data_dir)

        results["idle_before"] = machine.wait_until_quiet(IDLE_WAIT)
        log(f"machine before load: {results['idle_before']['busy_percent']}% busy")

        def scenario(name, label, script="get.lua", path="/", warm=True, connections=CONNECTIONS, **kw):
            threads = min(THREADS, connections)
            if warm and WARMUP:
                wrk.run(server.base_url, script, duration=WARMUP, threads=threads, connections=connections,
                        path=path, cookie=cookie, **kw)
            before = machine.cpu_sample()
            r = wrk.run(server.base_url, script, duration=DURATION, threads=threads,
                        connections=connections, path=path, cookie=cookie, **kw)
            r["cpu"] = machine.cpu_share(before, machine.cpu_sample())
            r["label"] = label
            r["server_memory_kib"] = server.memory_kib()
            results["http"][name] = r
            log(f"{label}: p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, {r['req_per_s']:.0f} req/s, "
                f"errors {r['errors']} {r['error_samples'] or ''}, CPU stolen {r['cpu']['steal_percent']}%")
            check_writes(name)
            return r

        def check_writes(after):
            """wrk ends a run by closing its connections with requests in flight. A write cancelled
            that way has been seen to leave its pooled SQLite connection inside a transaction, after
            which every write on it fails with 500 ("begin_with at non-zero transaction depth").
            One API write after each scenario tells; when it fails, the finding is recorded and the
            server restarted, so that the next scenario measures a healthy server."""
            nonlocal server, browser
            status, body = api_flow.probe_write(server.base_url, sandbox["api_key"], f"{run_id}-{after}")
            results["write_probes"].append({"after": after, "status": status, "body": body})
            if status != 201:
                log(f"after {after}: a write now fails ({status} {body}); restarting the server")
                peak_kib[0] = max(peak_kib[0], server.memory_kib()["VmHWM"])
                server.stop()
                server = Server(data_dir, work / f"server-after-{after}.log")
                browser.port = server.port  # same session: it lives in the database

        # A floor for the machine + load generator: the cheapest route there is.
        scenario("baseline_healthz", "baseline: GET /healthz", path="/healthz")
        scenario("queue_first", "queue, first page (review tab)", path="/applications")
        # The same page one request at a time: its latency without queueing, to compare with the SQL.
        scenario("queue_first_serial", "queue, first page, 1 connection", path="/applications", connections=1)
        scenario("queue_deep", f"queue, page {deep_rows:,} rows deep ({deep_tab} tab)", path=deep_path)
        for kind, label in (("name", "name"), ("email", "e-mail"), ("external_id", "external id")):
            scenario(f"search_{kind}", f"search by {label}, {LATENCY_CONNECTIONS} connections",
                     inputs=searches[kind], connections=LATENCY_CONNECTIONS)
            scenario(f"search_{kind}_loaded", f"search by {label}, {CONNECTIONS} connections",
                     inputs=searches[kind])
        scenario("application_page", f"application page, {LATENCY_CONNECTIONS} connections", inputs=details,
                 connections=LATENCY_CONNECTIONS)
        scenario("application_page_loaded", f"application page, {CONNECTIONS} connections", inputs=details)
        results["page_weight"] = page_weight.measure(browser)
        log(f"page weight: {results['page_weight']['total_bytes']:,} bytes")

        # Decisions change the data: read the candidates (with their versions) just before.
        decisions_file, candidates = inputs.decision_candidates(data_dir, work)
        log(f"{candidates:,} applications can be decided")
        if candidates:
            scenario("decision", f"decision (accept), {CONNECTIONS} concurrent", script="decision.lua",
                     warm=False, inputs=decisions_file, expect="303,200",
                     extra_env={"BENCH_CSRF": browser.csrf})
            results["http"]["decision"]["candidates"] = candidates
            # Each decision queues webhook jobs; let the worker finish them before the API is measured.
            results["idle_after_decisions"] = machine.wait_until_quiet(IDLE_WAIT)

        scenario("api_create_applicant", "API: POST /api/v1/applicants", script="api_applicant.lua",
                 warm=False, expect="201",
                 extra_env={"BENCH_API_KEY": sandbox["api_key"], "BENCH_RUN_ID": run_id})
        log(f"API sequence, {API_CONCURRENCY} concurrent, {DURATION}s...")
        flow = api_flow.run(server.base_url, sandbox["api_key"], duration=DURATION,
                            concurrency=API_CONCURRENCY, run_id=run_id)
        flow["server_memory_kib"] = server.memory_kib()
        results["api_sequence"] = flow
        log(f"API sequence: {flow['sequences']}, {flow['sequences_per_s']}/s, errors {flow['errors']}")

        results["memory"]["server_peak_kib"] = max(peak_kib[0], server.memory_kib()["VmHWM"])
    finally:
        server.stop()

    # Without the server: the database alone, then the CLI batch jobs.
    results["direct_sql"] = {
        "queue_first": sql_direct.time_queue(data_dir, "/applications"),
        "queue_deep": sql_direct.time_queue(data_dir, deep_path),
    }
    log(f"direct SQL: {results['direct_sql']}")
    results["export"] = cli_ops.export_events(data_dir, work)
    log(f"export: {results['export']}")
    results["verify"] = cli_ops.verify_chain(data_dir)
    log(f"verify: {results['verify']}")
    results["dataset"]["after"] = dataset.facts(data_dir)

    md, doc = report.write(results, ROOT / "bench" / "results")
    print()
    print(md)
    return 0 if report.all_ran(doc) else 1


def check_cursor_format(browser, data_dir):
    """The deep-page cursor is computed from the database; make sure it is what the page's own
    "Next page" link would carry, so the deep scenario walks the same keyset path."""
    html = browser.get_html("/applications")
    m = re.search(r'href="/applications\?after=([^"&]+)"', html)
    if not m:
        return  # fewer than one page in review: nothing to compare
    from urllib.parse import unquote
    link = unquote(m.group(1).replace("&amp;", "&"))
    expected = inputs.cursor_after(data_dir, 50)
    if link != expected:
        raise RuntimeError(f"the Next page cursor {link!r} differs from the database's {expected!r}")


if __name__ == "__main__":
    sys.exit(main())
