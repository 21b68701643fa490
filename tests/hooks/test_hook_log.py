"""The "hook answered" log line: what an operator (and ``./.ci/bench``) reads to see where a call's time went."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.builders.fhir import search_bundle
from tests.builders.hooks import hook_request
from tests.hooks.test_prefetch_states import SERVICE, full_prefetch, prednisone_request, topics

PHASES = ("gather_ms", "snapshot_ms", "rules_ms", "render_ms")


def test_a_hook_call_logs_the_time_of_each_phase_within_its_total(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = hook_request(prefetch=full_prefetch(medicationRequests=search_bundle(prednisone_request())))

    with caplog.at_level(logging.INFO, logger="osteo_cds"):
        response = client.post(SERVICE, json=body)

    assert "GC-START-1" in topics(response)
    [answered] = [record for record in caplog.records if record.getMessage() == "hook answered"]
    timings = {name: getattr(answered, name) for name in (*PHASES, "total_ms")}
    assert all(isinstance(value, float) and value >= 0 for value in timings.values()), timings
    # Each phase is rounded to 0.01 ms on its own: the sum may exceed the total by the rounding only.
    assert sum(timings[name] for name in PHASES) <= timings["total_ms"] + 0.005 * len(PHASES) + 0.005
    assert timings["snapshot_ms"] > 0 and timings["rules_ms"] > 0 and timings["render_ms"] > 0
