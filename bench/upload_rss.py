"""Peak memory of the server under eight concurrent worst-case uploads (issue 16, item 4).

    python3 bench/upload_rss.py                      # target/release/kycdesk (cargo build --release first)
    BENCH_BINARY=/path/to/old/kycdesk python3 bench/upload_rss.py --label before

Each scenario starts a fresh `kycdesk serve` on a small generated dataset, sends the same file eight
times at once through the API (multipart, passport front of a Standard application), and reads the
server's peak resident memory (VmHWM in /proc/PID/status) and its memory afterwards (VmRSS).
Scenarios: the security probe's PNG (6324 x 6324 16-bit RGBA, 40.0 MP, 320 MB decoded, ~311 KB
on disk) and the heaviest PNG the decode budget still accepts (5792 x 5792 8-bit RGBA, 134 MB
decoded). Appends a section to bench/results/upload-rss.md (created when missing)."""

import argparse
import http.client
import json
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import uuid
import zlib
from pathlib import Path

from server import BINARY, Server

CONCURRENT = 8
RESULTS = Path(__file__).resolve().parent / "results" / "upload-rss.md"
SCENARIOS = [
    ("probe: 6324x6324 16-bit RGBA", 6324, 16, 6),
    ("heaviest accepted: 5792x5792 8-bit RGBA", 5792, 8, 6),
]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def black_png(side, bit_depth, color_type):
    """A valid all-black PNG, compressed row by row (never the whole raw image in memory)."""
    channels = {2: 3, 6: 4}[color_type]
    row = b"\x00" + bytes(side * channels * bit_depth // 8)  # filter type 0, then the samples
    deflate = zlib.compressobj(9)
    idat = b"".join(deflate.compress(row) for _ in range(side)) + deflate.flush()
    header = struct.pack(">IIBBBBB", side, side, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def api(base_url, key, method, path, body=None):
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn.request(method, "/api/v1" + path, body=json.dumps(body) if body else None, headers=headers)
    response = conn.getresponse()
    text = response.read()
    conn.close()
    return response.status, json.loads(text) if text else None


def multipart(fields, file_bytes):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.png"\r\n'
                 f"Content-Type: image/png\r\n\r\n".encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def draft_application(base_url, key):
    status, levels = api(base_url, key, "GET", "/levels")
    level = next(l["id"] for l in levels if l["name"] == "Standard")
    status, applicant = api(base_url, key, "POST", "/applicants",
                            {"external_id": f"rss-{uuid.uuid4().hex[:8]}", "first_name": "Ada", "last_name": "Lovelace"})
    assert status == 201, applicant
    status, application = api(base_url, key, "POST", "/kyc_applications",
                              {"applicant_id": applicant["id"], "level_id": level})
    assert status == 201, application
    return application["id"]


def upload_concurrently(base_url, key, application, png):
    content_type, body = multipart({"document_type": "passport", "side": "front"}, png)
    host, port = base_url.removeprefix("http://").split(":")
    start = threading.Barrier(CONCURRENT)
    answers = []

    def one():
        conn = http.client.HTTPConnection(host, int(port), timeout=600)
        start.wait()
        conn.request("POST", f"/api/v1/kyc_applications/{application}/documents", body=body,
                     headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})
        response = conn.getresponse()
        text = response.read()
        code = json.loads(text).get("error", {}).get("details", [{}])
        answers.append((response.status, (code[0] if code else {}).get("code", "")))
        conn.close()

    threads = [threading.Thread(target=one) for _ in range(CONCURRENT)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers, time.monotonic() - began


def scenario(work, name, side, bit_depth, color_type):
    png = black_png(side, bit_depth, color_type)
    data_dir = work / uuid.uuid4().hex[:8]
    subprocess.run([str(BINARY), "--data-dir", str(data_dir), "generate", "--applications", "10",
                    "--tenants", "2", "--events-per-application", "1"],
                   check=True, stdout=subprocess.DEVNULL)
    key = next(t for t in json.loads((data_dir / "tenants.json").read_text()) if t["sandbox"])["api_key"]
    server = Server(data_dir, work / f"{data_dir.name}.log", extra_env={"KYCDESK_WORKERS": "0"})
    try:
        application = draft_application(server.base_url, key)
        idle = server.memory_kib()
        answers, seconds = upload_concurrently(server.base_url, key, application, png)
        time.sleep(1)  # let the allocator settle before reading what stays resident
        after = server.memory_kib()
    finally:
        server.stop()
    statuses = {}
    for status, code in answers:
        label = f"{status} {code}".strip()
        statuses[label] = statuses.get(label, 0) + 1
    return {
        "scenario": name, "file_kb": round(len(png) / 1024), "answers": statuses,
        "seconds": round(seconds, 2), "idle_rss_mb": round(idle["VmRSS"] / 1024),
        "peak_rss_mb": round(after["VmHWM"] / 1024), "rss_after_mb": round(after["VmRSS"] / 1024),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="current build")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kycdesk-upload-rss-"))
    try:
        rows = [scenario(work, *s) for s in SCENARIOS]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"\n## {args.label} ({BINARY}, {time.strftime('%Y-%m-%d %H:%M')})\n",
             f"{CONCURRENT} concurrent uploads of the same file; peak = VmHWM of the server process.\n",
             "| scenario | file | answers | time | idle RSS | peak RSS | RSS after |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        answers = ", ".join(f"{n}x {label}" for label, n in sorted(r["answers"].items()))
        lines.append(f"| {r['scenario']} | {r['file_kb']} KB | {answers} | {r['seconds']} s | "
                     f"{r['idle_rss_mb']} MB | **{r['peak_rss_mb']} MB** | {r['rss_after_mb']} MB |")
    if not RESULTS.exists():
        RESULTS.write_text("# Peak server memory under concurrent worst-case uploads\n\n"
                           "Written by `bench/upload_rss.py` (issue 16, item 4; target: peak <= 400 MB).\n")
    with RESULTS.open("a") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
