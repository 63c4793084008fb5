"""The tenant API's intake sequence, end to end: create an applicant, create a Basic application,
fill its answers, send it to review (the steps of tests/common/tenant.rs `basic_application`).
Each step needs the id the previous one returned, which wrk's per-thread (not per-connection)
Lua state cannot track, so a few Python threads drive whole sequences over keep-alive
connections; the single first step is also measured with wrk (lua/api_applicant.lua)."""

import http.client
import json
import statistics
import threading
import time
import urllib.parse

STEPS = ("create_applicant", "create_application", "fill_answers", "send_to_review")
ANSWERS = {"attribute_changes": [
    {"key": "first_name", "value": "Ada"}, {"key": "last_name", "value": "Lovelace"},
    {"key": "date_of_birth", "value": "1990-12-10"}, {"key": "country", "value": "GB"},
    {"key": "email", "value": "ada@example.com"},
]}


class Client:
    def __init__(self, base_url, key):
        u = urllib.parse.urlsplit(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                        "Accept": "application/json"}

    def call(self, method, path, body=None):
        data = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, "/api/v1" + path, body=data, headers=self.headers)
            r = self.conn.getresponse()
            text = r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # reconnects on the next request
            return None, None
        return r.status, (json.loads(text) if text else None)


def probe_write(base_url, key, tag):
    """One small write (an applicant); returns (status, start of the body)."""
    status, doc = Client(base_url, key).call(
        "POST", "/applicants", {"external_id": f"bench-probe-{tag}", "first_name": "Probe", "last_name": "Write"})
    return status, json.dumps(doc)[:200]


def basic_level_id(base_url, key):
    status, levels = Client(base_url, key).call("GET", "/levels")
    if status != 200:
        raise RuntimeError(f"GET /api/v1/levels: {status}")
    for level in levels:
        if level.get("name") == "Basic":
            return level["id"]
    raise RuntimeError("the sandbox tenant sees no level named Basic")


def run(base_url, key, *, duration, concurrency, run_id, params=None):
    level = basic_level_id(base_url, key)
    steps = {s: [] for s in STEPS}
    sequences, errors, server_errors, samples = [], [0], [0], []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker(w):
        client = Client(base_url, key)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            timings, t_seq = {}, time.perf_counter()

            def step(name, method, path, body, expect):
                t0 = time.perf_counter()
                status, doc = client.call(method, path, body)
                timings[name] = (time.perf_counter() - t0) * 1000
                if status != expect:
                    with lock:
                        errors[0] += 1
                        server_errors[0] += status is None or status >= 500
                        if len(samples) < 3:
                            samples.append(f"{name}: {status} {json.dumps(doc)[:200]}")
                    return None
                return doc

            a = step("create_applicant", "POST", "/applicants",
                     {"external_id": f"bench-seq-{run_id}-{w}-{n}", "first_name": "Ada", "last_name": "Lovelace"}, 201)
            app = a and step("create_application", "POST", "/kyc_applications",
                             {"applicant_id": a["id"], "level_id": level, "params": params or {}}, 201)
            ok = app and step("fill_answers", "PATCH", f"/kyc_applications/{app['id']}", ANSWERS, 200)
            ok = ok and step("send_to_review", "POST", f"/kyc_applications/{app['id']}/send-to-review", None, 200)
            with lock:
                for name, ms in timings.items():
                    steps[name].append(ms)
                if ok:
                    sequences.append((time.perf_counter() - t_seq) * 1000)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    def summary(samples_ms):
        s = sorted(samples_ms)
        if not s:
            return {"count": 0, "p50_ms": None, "p99_ms": None}
        return {"count": len(s), "p50_ms": round(statistics.median(s), 2),
                "p99_ms": round(s[max(0, int(len(s) * 0.99) - 1)], 2)}

    return {
        "concurrency": concurrency,
        "duration_s": round(elapsed, 2),
        "sequences": summary(sequences),
        "sequences_per_s": round(len(sequences) / elapsed, 1),
        "requests_per_s": round(sum(len(v) for v in steps.values()) / elapsed, 1),
        "steps": {k: summary(v) for k, v in steps.items()},
        "errors": errors[0],
        "server_errors": server_errors[0],
        "error_samples": samples,
        "level_id": level,
    }
