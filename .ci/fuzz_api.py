"""Fuzzes the tenant API with schemathesis against its own OpenAPI document.

Starts the demo server on a fresh data directory, creates a sandbox tenant, and runs
`schemathesis run` on /api/v1/openapi.json with that tenant's key: the conformance checks, a fixed seed and a
bounded number of examples per operation. Any 5xx, or any response the document does not describe,
fails the run.
Usage: python fuzz_api.py path/to/kycdesk
"""

import os
import subprocess
import sys

from demo_server import create_tenant, demo_server

binary = sys.argv[1]
schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")

# The fuzzer sends far more than a tenant's rate; the limit itself is tested elsewhere.
with demo_server(binary, {"KYCDESK_API_RATE_LIMIT": "100000", "KYCDESK_FAILURES_PER_ADDRESS_PER_MINUTE": "100000", "KYCDESK_CALLBACK_REFUSALS_PER_ADDRESS_PER_MINUTE": "100000"}) as (base, env):
    here = os.path.dirname(os.path.abspath(__file__))
    fuzz_env = dict(env, SCHEMATHESIS_HOOKS="fuzz_hooks", PYTHONPATH=here)
    created = create_tenant(binary, env, "--name", "Fuzzing", "--sandbox")
    result = subprocess.run(
        [
            schemathesis,
            "run",
            base + "/api/v1/openapi.json",
            "--header",
            "Authorization: Bearer " + created["api_key"],
            "--checks",
            "all",
            # These two judge whether the schema spells out every validation rule (they flag a
            # 422 for `4.0` where an integer is due, or a multipart field sent as "null"); the
            # answers are documented 4xx, which is what this run must prove.
            "--exclude-checks",
            "positive_data_acceptance,missing_required_header",
            "--max-examples",
            os.environ.get("KYCDESK_FUZZ_EXAMPLES", "30"),
            "--request-timeout",
            "10",
            "--seed",
            "20261122",
        ],
        env=fuzz_env,
        timeout=900,
    )
sys.exit(result.returncode)
