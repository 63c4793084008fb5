"""Signs in to the back-office as a browser would, and keeps what later requests need.

Sign-in: GET /login gives a session cookie and the CSRF token (hidden input `csrf_token`);
POST /login with the same cookie and token. The token is rotated at sign-in, so the token for
later form posts is read again from a signed-in page (every page carries it, both as hidden
inputs and in `hx-headers`). The CSRF guard also checks the origin (`Sec-Fetch-Site`, else
`Origin` against `Host`), so posts say `Sec-Fetch-Site: same-origin` like a browser's own form.
"""

import http.client
import re
import urllib.parse

CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class Browser:
    def __init__(self, base_url):
        u = urllib.parse.urlsplit(base_url)
        self.host, self.port = u.hostname, u.port
        self.cookies = {}

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, body=None, headers=None):
        """One request, no redirect following; returns (status, headers, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = {"Accept": "text/html"}
        if self.cookies:
            h["Cookie"] = self.cookie_header()
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        for value in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return r.status, r.headers, data

    def get_html(self, path):
        status, _, body = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")
        return body.decode()

    def csrf_of(self, html):
        m = CSRF_INPUT.search(html)
        if not m:
            raise RuntimeError("no csrf_token in the page")
        return m.group(1)

    def sign_in(self, email, password):
        token = self.csrf_of(self.get_html("/login"))
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        status, headers, body = self.request("POST", "/login", form, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Sec-Fetch-Site": "same-origin",
        })
        if status not in (302, 303) or headers.get("Location") != "/":
            raise RuntimeError(f"sign-in as {email} failed: {status} {headers.get('Location')} {body[:200]!r}")
        # The token after sign-in, for decision posts.
        self.csrf = self.csrf_of(self.get_html("/applications"))
        return self
