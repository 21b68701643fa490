"""Schemathesis against the committed ``openapi/openapi.json``, in process, with the application's lifespan running.

Schemathesis generates the cases (valid and invalid bodies, paths, headers, including random ``Authorization``
values); they are sent through one ``TestClient`` so the app starts once. Bounded and reproducible:
``derandomize=True``, a fixed ``max_examples`` per operation, no deadline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from tests.fuzz._checks import assert_well_behaved

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(OPENAPI)
OPERATIONS = {
    f"{result.ok().method.upper()} {result.ok().path}": result.ok()
    for result in SCHEMA.get_all_operations()
    if isinstance(result, Ok)
}
SERVICE_IDS = ("osteoporosis-patient-view", "osteoporosis-order-select", "osteoporosis-order-sign")
_DROPPED_HEADERS = {"connection", "accept-encoding", "x-schemathesis-testcaseid", "user-agent"}

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


def send(client: TestClient, case: Any) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in _DROPPED_HEADERS}
    try:
        request = client.build_request(
            kwargs["method"], kwargs["url"], headers=headers, params=kwargs.get("params"), json=kwargs.get("json")
        )
    except (UnicodeEncodeError, httpx.InvalidURL):
        assume(False)  # not sendable over HTTP at all (e.g. a non-latin-1 header value)
        raise
    response: httpx.Response = client.send(request)
    return response


def test_the_committed_schema_lists_every_endpoint() -> None:
    assert set(OPERATIONS) == {
        "GET /cds-services",
        "GET /assessment/{token}",
        "POST /cds-services/{service_id}",
        "POST /cds-services/{service_id}/feedback",
        "GET /healthz",
        "GET /livez",
        "GET /readyz",
        "GET /rules",
        "GET /metrics",
    }


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_generated_requests_never_crash_the_service(client: TestClient, operation: str) -> None:
    strategy = OPERATIONS[operation].as_strategy()

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy)
        if case.path_parameters and "service_id" in case.path_parameters and data.draw(st.booleans()):
            # Half the time a real service, so bodies get past routing into validation and the pipeline.
            case.path_parameters["service_id"] = data.draw(st.sampled_from(SERVICE_IDS))
        assert_well_behaved(send(client, case))

    run()
