"""Request limits: body size (declared or streamed in chunks) and the number of FHIR entries a request carries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.builders.fhir import patient
from tests.builders.hooks import draft_orders_bundle, hook_request, prefetch_bundle
from tests.conftest import EHR_FHIR

SERVICE = "/cds-services/osteoporosis-patient-view"
ORDER_SIGN = "/cds-services/osteoporosis-order-sign"
MAX_BODY = 64 * 1024
MAX_ENTRIES = 10


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        fhir_server_allowlist=[EHR_FHIR],
        max_body_bytes=MAX_BODY,
        max_prefetch_entries=MAX_ENTRIES,
        auth_disabled_for_development=True,
    )


def condition(n: int) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": f"c{n}", "subject": {"reference": "Patient/p1"}}


def prefetch_with_conditions(count: int) -> dict[str, Any]:
    return {
        "patient": patient(id="p1"),
        "observations": None,
        "conditions": prefetch_bundle(*(condition(n) for n in range(count))),
        "medicationStatements": None,
        "medicationRequests": None,
        "medicationAdministrations": None,
        "medicationDispenses": None,
        "allergyIntolerances": None,
    }


def assert_too_large(response: Any) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "too-costly"


class TestBodySize:
    def test_a_body_over_the_limit_is_refused_with_413(self, client: TestClient) -> None:
        padding = "x" * MAX_BODY
        response = client.post(SERVICE, json=hook_request(prefetch={}, extension={"padding": padding}))

        assert_too_large(response)

    def test_a_body_just_under_the_limit_is_read(self, client: TestClient) -> None:
        body = hook_request(patient_id="p1", prefetch=prefetch_with_conditions(0))
        response = client.post(SERVICE, json=body)

        assert response.status_code == 200

    def test_a_chunked_body_without_content_length_is_counted_as_it_streams(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'{"hook": "patient-view", "padding": "'
            for _ in range(MAX_BODY // 1024 + 2):
                yield b"y" * 1024
            yield b'"}'

        response = client.post(SERVICE, content=chunks(), headers={"content-type": "application/json"})

        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert_too_large(response)

    def test_a_lying_content_length_is_refused_up_front(self, client: TestClient) -> None:
        response = client.post(
            SERVICE,
            content=b"{}",
            headers={"content-type": "application/json", "content-length": str(MAX_BODY + 1)},
        )

        assert_too_large(response)


class TestPrefetchEntries:
    def test_prefetch_at_the_entry_limit_is_accepted(self, client: TestClient) -> None:
        body = hook_request(patient_id="p1", prefetch=prefetch_with_conditions(MAX_ENTRIES))

        assert client.post(SERVICE, json=body).status_code == 200

    def test_prefetch_over_the_entry_limit_is_refused_with_413(self, client: TestClient) -> None:
        body = hook_request(patient_id="p1", prefetch=prefetch_with_conditions(MAX_ENTRIES + 1))

        assert_too_large(client.post(SERVICE, json=body))

    def test_draft_orders_count_towards_the_entry_limit(self, client: TestClient) -> None:
        orders = [
            {"resourceType": "ServiceRequest", "id": f"sr{n}", "status": "draft", "intent": "order"} for n in range(6)
        ]
        body = hook_request(
            hook="order-sign",
            patient_id="p1",
            prefetch=prefetch_with_conditions(5),
            draft_orders=draft_orders_bundle(*orders),
        )

        assert_too_large(client.post(ORDER_SIGN, json=body))
