"""Schemathesis hooks for .ci/fuzz_api.py.

An `Idempotency-Key` binds one request (method, path, body): reused with another body it is refused,
by design. A generated key would repeat across unrelated requests, so each request gets a fresh one,
as a real client's retries-only reuse would."""

import uuid

import schemathesis


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
