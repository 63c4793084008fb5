"""Page weight of the queue page (issue 10, item 4): the HTML plus every /static/ asset it
references (and any url(/static/...) inside its CSS), fetched as a browser with an empty cache
would, with `Accept-Encoding: br, gzip`. Transferred bytes = response bodies as sent (http.client
does not decompress); response headers are not counted."""

import re

BUDGET_BYTES = 60_000  # "≤ 60 KB", read as 60,000 bytes

ASSET_REF = re.compile(r'(?:src|href)="(/static/[^"]+)"')
CSS_URL = re.compile(r'url\(["\']?(/static/[^"\')]+)')


def measure(browser, path="/applications"):
    headers = {"Accept-Encoding": "br, gzip"}
    items = []

    def fetch(p):
        status, h, body = browser.request("GET", p, headers=headers)
        items.append({"path": p, "status": status, "bytes": len(body),
                      "content_encoding": h.get("Content-Encoding") or "identity"})
        return body

    fetch(path)
    # The HTML itself may be compressed: find the references in an uncompressed copy.
    _, _, plain = browser.request("GET", path)
    assets = list(dict.fromkeys(ASSET_REF.findall(plain.decode())))
    nested = []
    for asset in assets:
        fetch(asset)
        if asset.endswith(".css"):
            _, _, css = browser.request("GET", asset)
            nested += [u for u in CSS_URL.findall(css.decode(errors="replace")) if u not in assets + nested]
    for asset in nested:
        fetch(asset)
    total = sum(i["bytes"] for i in items)
    return {"total_bytes": total, "budget_bytes": BUDGET_BYTES, "met": total <= BUDGET_BYTES,
            "items": items}
