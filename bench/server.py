"""Starts `kycdesk serve` on a free loopback port for the run, and reads its memory from /proc."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

# BENCH_BINARY measures another build (an earlier commit's, for a before/after).
BINARY = Path(os.environ.get("BENCH_BINARY") or
              Path(__file__).resolve().parent.parent / "target" / "release" / "kycdesk")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir, log_path, database_url=None, extra_env=None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        # The default limit (20 req/s per key) is a production guard; the bench measures the server.
        env["KYCDESK_API_RATE_LIMIT"] = "100000"
        # Many simulated reviewers sign in from 127.0.0.1.
        env["KYCDESK_FAILURES_PER_ADDRESS_PER_MINUTE"] = "100000"
        env.update(extra_env or {})
        self.log = open(log_path, "w")
        database = ["--database-url", database_url] if database_url else []
        self.proc = subprocess.Popen(
            [str(BINARY), "--data-dir", str(data_dir), *database, "serve",
             "--listen", f"127.0.0.1:{self.port}",
             # Plain http on loopback: a Secure cookie would be right in production, pointless here.
             "--secure-cookies", "false"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout_s=300):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kycdesk serve exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base_url + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("kycdesk serve did not become ready")

    def memory_kib(self):
        """VmRSS (now) and VmHWM (peak since start) in KiB."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
        return fields

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
