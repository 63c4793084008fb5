"""Starts `kycdesk demo` on a fresh data directory and a free port, for the CI checks that talk to
a running server. Used as `with demo_server(binary, extra_env) as (base_url, env): ...`."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def demo_server(binary, extra_env):
    data_dir = tempfile.mkdtemp(prefix="kycdesk-ci-")
    env = dict(os.environ, KYCDESK_DATA_DIR=data_dir, **extra_env)
    env.pop("KYCDESK_DATABASE_URL", None)
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    server = subprocess.Popen(
        [binary, "demo", "--listen", "127.0.0.1:%d" % port],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/readyz", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    sys.exit("the demo server did not start")
                time.sleep(0.5)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def create_tenant(binary, env, *args):
    """Creates a tenant with the CLI; returns its JSON (api_key, webhook_secret, ...)."""
    return json.loads(
        subprocess.run(
            [binary, "tenant", "create", *args, "--json"],
            env=env,
            check=True,
            capture_output=True,
        ).stdout
    )
