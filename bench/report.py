"""bench/results/latest.md (the table against the budget in docs/ARCHITECTURE.md) and latest.json
(everything measured)."""

import json
from pathlib import Path

MIB = 1024


def _fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def _verdict(ok):
    return "—" if ok is None else ("met" if ok else "**not met**")


COLUMNS = ("operation", "target", "p50_ms", "p99_ms", "throughput", "of_floor", "errors", "cpu_stolen", "verdict")


def rows(doc):
    """One tuple per line of the table, in the order of COLUMNS. `of_floor` is the throughput as a share
    of the baseline's (GET /healthz, same connections and run): the budget asks for ratios to a baseline, which
    stay comparable across machines and days when the absolute numbers do not."""
    http = doc["http"]
    out = []
    floor = http.get("baseline_healthz", {}).get("req_per_s")

    def page(key, target, p99_max, rps_min=None):
        r = http.get(key)
        if not r:
            out.append((key, target, "—", "—", "—", "—", "—", "—", "not run"))
            return
        ok = None if p99_max is None else (
            r["p99_ms"] <= p99_max and (rps_min is None or r["req_per_s"] >= rps_min) and r["errors"] == 0)
        share = f"{100 * r['req_per_s'] / floor:.1f}%" if floor else "—"
        stolen = f"{r['cpu']['steal_percent']}%" if "cpu" in r else "—"
        out.append((r["label"], target, _fmt(r["p50_ms"], 2), _fmt(r["p99_ms"], 2),
                    _fmt(r["req_per_s"], 0), share, str(r["errors"]), stolen, _verdict(ok)))

    page("baseline_healthz", "— (machine + wrk floor)", None)
    page("queue_first", "p99 ≤ 20 ms, ≥ 2,000 req/s", 20, 2000)
    page("queue_first_serial", "— (unloaded latency)", None)
    page("queue_deep", "p99 ≤ 20 ms, ≥ 2,000 req/s", 20, 2000)
    for key in ("search_name", "search_email", "search_external_id"):
        page(key, "p99 ≤ 30 ms", 30)
        page(f"{key}_loaded", "— (p99 ≤ 30 ms under queueing)", None)
    page("application_page", "p99 ≤ 10 ms", 10)
    page("application_page_loaded", "— (p99 ≤ 10 ms under queueing)", None)
    page("decision", "≥ 1,000/s, p99 ≤ 50 ms at 32 concurrent", 50, 1000)
    page("api_create_applicant", "—", None)

    flow = doc.get("api_sequence")
    if flow:
        s = flow["sequences"]
        out.append((f"API sequence (applicant, application, answers, send-to-review), {flow['concurrency']} concurrent",
                    "—", _fmt(s["p50_ms"], 2), _fmt(s["p99_ms"], 2),
                    f"{flow['sequences_per_s']:,.1f} seq/s ({flow['requests_per_s']:,.0f} req/s)", "—",
                    str(flow["errors"]), "—", "—"))

    e = doc.get("export")
    if e:
        ok = (e["rows_per_s"] or 0) >= 500_000 and (e["peak_rss_mib"] or 1e9) <= 100
        out.append((f"export events CSV ({e['rows']:,} rows, {e['seconds']} s)", "≥ 500k rows/s, peak RSS ≤ 100 MB",
                    "—", "—", f"{e['rows_per_s']:,} rows/s, RSS {e['peak_rss_mib']} MiB", "—", "0", "—",
                    _verdict(ok)))
    v = doc.get("verify")
    if v:
        events = doc["dataset"]["after"]["audit_events"]
        rate = events / v["seconds"] if v["seconds"] else None
        # 5M events in 10 s is 500k events/s; on a smaller dataset the rate is what compares.
        ok = rate is not None and rate >= 500_000
        out.append((f"audit chain verify ({events:,} events)", "5M events ≤ 10 s (≥ 500k events/s)",
                    "—", "—", f"{v['seconds']} s, {_fmt(rate, 0)} events/s", "—", "0", "—", _verdict(ok)))
    peak = doc["memory"].get("server_peak_kib")
    if peak:
        out.append(("server peak RSS under load (VmHWM)", "≤ 150 MB", "—", "—", f"{peak / MIB:,.1f} MiB", "—", "—", "—",
                    _verdict(peak / MIB <= 150)))
    w = doc.get("page_weight")
    if w:
        out.append(("page weight: queue page + assets, br/gzip", "≤ 60 KB", "—", "—",
                    f"{w['total_bytes']:,} bytes", "—", "—", "—", _verdict(w["met"])))
    return out


def markdown(doc):
    m, d = doc["machine"], doc["dataset"]
    before, built = d["before"], d["built"]
    lines = [
        "# Benchmark results",
        "",
        f"{m['date']} · commit `{m['git_commit'][:12]}`{' (with uncommitted changes)' if m['git_dirty'] else ''} · "
        f"{m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB · {m['wrk']}",
        "",
        f"Dataset ({built.get('source')}): {before['applications']:,} applications "
        f"({before['in_review']:,} in review), {before['applicants']:,} applicants, {before['tenants']} tenants, "
        f"{before['audit_events']:,} audit events, {before['documents']:,} documents, "
        f"{before['database_mib']:,} MiB SQLite; requested {json.dumps(d['requested'])}.",
        "",
        f"HTTP: wrk, {doc['settings']['wrk_threads']} threads, {doc['settings']['connections']} connections, "
        f"{doc['settings']['duration_s']} s per scenario after a {doc['settings']['warmup_s']} s warm-up, loopback, "
        f"load generator on the same 2 cores as the server. Machine before load: "
        f"{doc['idle_before']['busy_percent']}% busy. *of floor*: throughput as a share of the baseline's "
        f"(`GET /healthz`, 32 connections). *CPU stolen*: share of the cores' time the hypervisor gave to other "
        f"guests during the scenario (`/proc/stat` steal); it is not available to server or load generator.",
        "",
    ]
    if built.get("source") != "generate" or before["applications"] < 1_000_000:
        lines += ["**The dataset is smaller than the budget's 1,000,000 applications: verdicts are indicative only.**", ""]
    lines += ["| operation | target (budget) | p50 ms | p99 ms | throughput | of floor | errors | CPU stolen | verdict |",
              "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(doc)]
    sql = doc.get("direct_sql", {})
    http = doc["http"]
    if sql:
        lines += ["", "Queue page, SQL alone (the 3 statements of src/store/queue.rs with Python's sqlite3 "
                  f"{sql['queue_first']['sqlite_version']}, server stopped) vs over HTTP:", "",
                  "| page | SQL p50 ms | SQL p99 ms | HTTP p50 ms | HTTP p50 / SQL p50 |", "|---|---:|---:|---:|---:|"]
        for key, sql_key in (("queue_first_serial", "queue_first"), ("queue_first", "queue_first"),
                             ("queue_deep", "queue_deep")):
            s, h = sql[sql_key], http.get(key)
            ratio = h["p50_ms"] / s["p50_ms"] if h and s["p50_ms"] else None
            lines.append(f"| {h['label'] if h else key} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | "
                         f"{_fmt(h and h['p50_ms'], 2)} | {_fmt(ratio, 1)}× |")
    w = doc.get("page_weight")
    if w:
        lines += ["", "Page weight (`Accept-Encoding: br, gzip`, bodies as transferred):", "",
                  "| resource | status | encoding | bytes |", "|---|---:|---|---:|"]
        lines += [f"| `{i['path']}` | {i['status']} | {i['content_encoding']} | {i['bytes']:,} |" for i in w["items"]]
        lines.append(f"| **total** | | | **{w['total_bytes']:,}** |")
    notes = []
    settings = doc["settings"]
    if "latency_connections" in settings:
        notes.append(
            f"- Search and the application page have a latency target and no load in the budget. Their verdict is "
            f"taken at {settings['latency_connections']} connections, where the server already runs at full "
            f"throughput, and they are run again at {settings['connections']} connections with the same inputs.")
    for key, r in http.items():
        if key.endswith("_loaded"):
            # Little's law: with N requests always in flight, the mean time in the system is N / throughput.
            floor_ms = 1000 * r["connections"] / r["req_per_s"] if r["req_per_s"] else None
            notes.append(f"- {r['label']}: {r['req_per_s']:,.0f} req/s with {r['connections']} requests always "
                         f"in flight means {_fmt(floor_ms, 1)} ms in the system per request on average "
                         f"(Little's law), most of it waiting for a core.")
    for key, r in http.items():
        if r.get("error_samples"):
            notes.append(f"- {r['label']}: {r['errors']} errors, e.g. `{r['error_samples'][0][:160]}`")
    if doc.get("api_sequence", {}).get("error_samples"):
        notes.append(f"- API sequence: e.g. `{doc['api_sequence']['error_samples'][0][:160]}`")
    if "decision" in http:
        r = http["decision"]
        notes.append(f"- decision: {r['requests']:,} decisions over {r['candidates']:,} candidate applications "
                     f"in {r['duration_s']} s (each application is decided once; the run ends with the list or "
                     f"after {doc['settings']['duration_s']} s).")
    for probe in doc.get("write_probes", []):
        if probe["status"] != 201:
            notes.append(f"- after {probe['after']}: a single API write got {probe['status']} "
                         f"(`{probe['body'][:120]}`); the server was restarted before the next scenario.")
    if notes:
        lines += ["", "Notes:", ""] + notes
    lines += ["", "Raw numbers: `latest.json`. Produced by `bench/run`."]
    return "\n".join(lines) + "\n"


def all_ran(doc):
    return all(k in doc for k in ("export", "verify", "page_weight", "api_sequence"))


def write(doc, out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    doc["table"] = [dict(zip(COLUMNS, r)) for r in rows(doc)]
    md = markdown(doc)
    (out_dir / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out_dir / "latest.md").write_text(md)
    return md, doc
