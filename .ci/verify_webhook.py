"""Verifies one webhook delivered by kycdesk with the official `standardwebhooks` package.

Starts the demo server on a fresh data directory, creates a tenant whose webhook URL points at a
receiver in this script, creates an application through the API, and checks the delivered
`kyc_application.created` message with `standardwebhooks.Webhook(secret).verify`.
Usage: python verify_webhook.py path/to/kycdesk
"""

import http.server
import json
import queue
import sys
import threading
import urllib.request

from standardwebhooks.webhooks import Webhook

from demo_server import create_tenant, demo_server

binary = sys.argv[1]
received = queue.Queue()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        received.put((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def api(base, key, method, path, body=None):
    request = urllib.request.Request(
        base + "/api/v1" + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"authorization": "Bearer " + key, "content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


receiver = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
hook_url = "http://127.0.0.1:%d/hook" % receiver.server_address[1]

with demo_server(binary, {"KYCDESK_WEBHOOK_ALLOW_PRIVATE": "true"}) as (base, env):
    created = create_tenant(binary, env, "--name", "Webhook Check", "--sandbox", "--webhook-url", hook_url)
    key, secret = created["api_key"], created["webhook_secret"]
    level = next(l for l in api(base, key, "GET", "/levels") if l["name"] == "Basic")
    applicant = api(base, key, "POST", "/applicants", {"external_id": "webhook-check"})
    application = api(base, key, "POST", "/kyc_applications", {"applicant_id": applicant["id"], "level_id": level["id"]})
    headers, body = received.get(timeout=30)
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "kyc_application.created", payload
    assert payload["data"]["id"] == application["id"], payload
    try:
        Webhook(secret).verify(body + b" ", headers)
        sys.exit("a tampered body verified")
    except Exception:
        pass
    print("standardwebhooks verified %s (%s)" % (payload["type"], headers.get("webhook-id", headers.get("Webhook-Id"))))
receiver.shutdown()
