"""API fuzzing with schemathesis over the app's own OpenAPI schema: no request gets a 5xx.

Bounded: a few dozen generated requests per operation, in process (ASGI), no network.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from dojosim.web.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_gets_a_server_error(case: Any) -> None:
    # The first /api/validate scores every published run (about ten seconds).
    case.call_and_validate(checks=[schemathesis.checks.not_a_server_error], timeout=180)
