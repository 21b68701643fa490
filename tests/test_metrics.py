"""``GET /metrics``: what operations watches, in the Prometheus text format, with no patient data in any label.

The tests read the counters' change across a few hook calls (the process's registry is shared by every test of the
session). The several-worker case runs the real ``python -m app.serve --workers 2`` (tests/test_serve.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.devtools.connections import free_port
from app.errors import DatabaseUnavailableError
from app.feedback import FeedbackStore, IssuedCard, IssuedCardWriter, IssuedFinding
from app.metrics import exposition
from app.security.replay import RedisReplayCache
from tests.builders.fhir import search_bundle
from tests.builders.hooks import hook_request
from tests.conftest import EHR_FHIR
from tests.hooks.test_prefetch_states import SERVICE, full_prefetch, prednisone_request

PATIENT_ID = "patient-7731"
TOKEN = "ehr-access-token-metrics"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: TestClient | httpx.Client) -> tuple[Samples, str]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text), response.text


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


@pytest.fixture
def ehr() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=EHR_FHIR, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


def prednisone_call() -> dict[str, object]:
    """A long-term prednisone user: GC-START-1 fires (the glucocorticoid bone-protection card)."""
    return hook_request(
        patient_id=PATIENT_ID, prefetch=full_prefetch(medicationRequests=search_bundle(prednisone_request()))
    )


class TestAfterAFewHookCalls:
    def test_calls_findings_fhir_failures_data_gaps_and_feedback_are_counted(
        self, client: TestClient, ehr: respx.MockRouter
    ) -> None:
        ehr.get("/MedicationRequest").respond(status_code=503)
        failing_fetch = full_prefetch()
        del failing_fetch["medicationRequests"]
        before, _ = scrape(client)

        first = client.post(SERVICE, json=prednisone_call())
        client.post(SERVICE, json=prednisone_call())
        client.post(
            SERVICE,
            json=hook_request(patient_id=PATIENT_ID, prefetch=failing_fetch, fhir_server=EHR_FHIR, token=TOKEN),
        )
        assert client.post("/cds-services/no-such-service", json=prednisone_call()).status_code == 404
        card = next(card for card in first.json()["cards"] if card["source"]["topic"]["code"] == "GC-START-1")
        feedback = {
            "feedback": [
                {
                    "card": card["uuid"],
                    "outcome": "overridden",
                    "overrideReason": {"reason": {"system": "http://example.org/reasons", "code": "patient-refuses"}},
                    "outcomeTimestamp": "2025-06-01T10:00:00Z",
                }
            ]
        }
        assert client.post(f"{SERVICE}/feedback", json=feedback).status_code == 200
        after, text = scrape(client)

        service = "osteoporosis-patient-view"
        assert grew(before, after, "osteo_cds_hook_calls_total", service=service, status="200") == 3
        assert grew(before, after, "osteo_cds_hook_calls_total", service="unknown", status="404") == 1
        assert grew(before, after, "osteo_cds_hook_call_seconds_count", service=service) == 3
        main = {"service": service, "rule": "GC-START-1", "indicator": card["indicator"], "display": "main"}
        assert grew(before, after, "osteo_cds_findings_total", **main) == 2
        assert grew(before, after, "osteo_cds_fhir_requests_total", resource_type="MedicationRequest") == 1
        assert (
            grew(
                before,
                after,
                "osteo_cds_fhir_request_failures_total",
                resource_type="MedicationRequest",
                error="FhirServerUnavailableError",
            )
            == 1
        )
        assert grew(before, after, "osteo_cds_data_unavailable_total", key="medicationRequests") == 1
        overridden = {"service": service, "outcome": "overridden", "reason": "patient-refuses"}
        assert grew(before, after, "osteo_cds_feedback_outcomes_total", rule="GC-START-1", **overridden) == 1
        assert PATIENT_ID not in text and TOKEN not in text and card["uuid"] not in text

    def test_the_same_feedback_sent_twice_counts_once(self, client: TestClient) -> None:
        card = client.post(SERVICE, json=prednisone_call()).json()["cards"][0]
        item = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2025-06-01T10:00:00Z"}
        labels = {"service": "osteoporosis-patient-view", "rule": card["source"]["topic"]["code"]}
        before, _ = scrape(client)

        for _ in range(2):
            assert client.post(f"{SERVICE}/feedback", json={"feedback": [item]}).status_code == 200
        after, _ = scrape(client)

        assert grew(before, after, "osteo_cds_feedback_outcomes_total", outcome="overridden", reason="", **labels) == 1


class TestSilentPolicy:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return Settings(
            database_url=database_url,
            fhir_server_allowlist=[EHR_FHIR],
            auth_disabled_for_development=True,
            display_policy={"GC-START-1": "silent"},
        )

    def test_a_silent_rule_is_counted_without_a_card(self, client: TestClient) -> None:
        before, _ = scrape(client)

        response = client.post(SERVICE, json=prednisone_call())
        after, _ = scrape(client)

        assert "GC-START-1" not in response.text
        silent = {"service": "osteoporosis-patient-view", "rule": "GC-START-1", "display": "silent"}
        assert (
            sum(
                grew(before, after, "osteo_cds_findings_total", indicator=indicator, **silent)
                for indicator in ("info", "warning", "critical")
            )
            == 1
        )


class TestDatabaseAndWriter:
    def test_a_read_that_failed_open_and_a_refused_write_are_counted(self, tmp_path: Path) -> None:
        store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")

        def refused() -> frozenset[str]:
            raise OperationalError("SELECT 1", {}, Exception("database is away"))

        before = parse(_exposition())
        try:
            assert asyncio.run(store.read(refused)) == frozenset()
            with pytest.raises(DatabaseUnavailableError):
                asyncio.run(store.write(refused))
        finally:
            store.close()
        after = parse(_exposition())

        assert grew(before, after, "osteo_cds_database_failures_total", operation="read") == 1
        assert grew(before, after, "osteo_cds_database_failures_total", operation="write") == 1

    def test_the_queue_depth_and_its_drops(self, tmp_path: Path) -> None:
        store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
        lifestyle = (IssuedFinding("LIFE-1", "advice", "info", "main"),)
        card = IssuedCard("c", "LIFE-1", "osteoporosis-patient-view", "advice", {}, findings=lifestyle)
        before = parse(_exposition())

        async def fill() -> IssuedCardWriter:  # the writer belongs to an event loop
            writer = IssuedCardWriter(store, max_queued_cards=2)
            for _ in range(5):
                writer.submit([card], issued_at=datetime(2025, 6, 1, tzinfo=UTC))
            return writer

        try:
            asyncio.run(fill())
        finally:
            store.close()
        after = parse(_exposition())

        assert value(after, "osteo_cds_issued_cards_queued") == 2
        assert grew(before, after, "osteo_cds_issued_cards_dropped_total") == 3


def _exposition() -> str:
    return exposition().decode()


class TestReplayStore:
    def test_a_replay_check_the_shared_store_cannot_answer_is_counted(self) -> None:
        """Redis not listening: the token is refused (fail closed) and the failure counted."""
        cache = RedisReplayCache.from_url(f"redis://127.0.0.1:{free_port()}/0")
        before = parse(_exposition())

        async def check() -> bool:
            try:
                return await cache.first_use("jti-1", expires_at=time.time() + 60)
            finally:
                await cache.close()

        assert asyncio.run(check()) is False
        after = parse(_exposition())

        assert grew(before, after, "osteo_cds_replay_store_failures_total") == 1
