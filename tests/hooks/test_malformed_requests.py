"""Malformed hook requests get a 400 with a FHIR OperationOutcome naming the problem; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.hooks import hook_request

SERVICE = "/cds-services/osteoporosis-patient-view"


def _outcome(response: Any) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert response.headers["content-type"].startswith("application/fhir+json")
    issue = body["issue"][0]
    assert issue["severity"] == "error"
    return str(issue["diagnostics"])


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


class TestMalformedHookRequests:
    def test_bad_json_is_rejected(self, client: TestClient) -> None:
        response = client.post(
            SERVICE, content=b'{"hook": "patient-view",', headers={"content-type": "application/json"}
        )

        assert response.status_code == 400
        assert "json" in _outcome(response).lower()

    @pytest.mark.parametrize(
        ("path", "named"),
        [
            pytest.param(("hook",), "hook", id="missing-hook"),
            pytest.param(("hookInstance",), "hookInstance", id="missing-hookInstance"),
            pytest.param(("context",), "context", id="missing-context"),
            pytest.param(("context", "patientId"), "context.patientId", id="missing-patientId"),
        ],
    )
    def test_missing_required_field_is_named(self, client: TestClient, path: tuple[str, ...], named: str) -> None:
        response = client.post(SERVICE, json=_without(hook_request(prefetch={}), *path))

        assert response.status_code == 400
        assert named in _outcome(response)

    def test_wrong_hook_for_the_service_is_rejected(self, client: TestClient) -> None:
        response = client.post(SERVICE, json=hook_request(hook="order-sign", prefetch={}))

        assert response.status_code == 400
        assert "patient-view" in _outcome(response)

    @pytest.mark.parametrize(
        "prefetch",
        [
            pytest.param({"patient": {"name": "not a resource"}}, id="object-without-resourceType"),
            pytest.param({"patient": ["a", "list"]}, id="list"),
            pytest.param({"patient": "Patient/1"}, id="string"),
            pytest.param({"observations": {"resourceType": "Bundle", "entry": [{"fullUrl": "x"}]}}, id="empty-entry"),
            pytest.param({"observations": {"resourceType": "Bundle", "entry": "nope"}}, id="entry-not-a-list"),
            pytest.param({"observations": {"resourceType": "Patient", "id": "p1"}}, id="search-key-not-a-bundle"),
            pytest.param({"patient": {"resourceType": "Observation"}}, id="read-key-wrong-type"),
        ],
    )
    def test_non_fhir_content_in_prefetch_is_rejected(self, client: TestClient, prefetch: dict[str, Any]) -> None:
        response = client.post(SERVICE, json=hook_request(prefetch=prefetch))

        assert response.status_code == 400
        assert "prefetch" in _outcome(response)

    def test_order_select_without_draft_orders_is_rejected(self, client: TestClient) -> None:
        body = hook_request(hook="order-select", prefetch={})
        del body["context"]["draftOrders"]

        response = client.post("/cds-services/osteoporosis-order-select", json=body)

        assert response.status_code == 400
        assert "draftOrders" in _outcome(response)

    def test_draft_orders_that_are_not_a_bundle_are_rejected(self, client: TestClient) -> None:
        body = hook_request(hook="order-sign", prefetch={})
        body["context"]["draftOrders"] = {"resourceType": "MedicationRequest"}

        response = client.post("/cds-services/osteoporosis-order-sign", json=body)

        assert response.status_code == 400
        assert "draftOrders" in _outcome(response)

    def test_authorization_without_fhir_server_is_rejected(self, client: TestClient) -> None:
        body = hook_request(prefetch={}, token="secret-token")

        response = client.post(SERVICE, json=body)

        assert response.status_code == 400
        assert "fhirServer" in _outcome(response)
        assert "secret-token" not in response.text

    def test_a_json_array_body_is_rejected(self, client: TestClient) -> None:
        assert client.post(SERVICE, json=[1, 2]).status_code == 400

    def test_unknown_language_extension_is_rejected(self, client: TestClient) -> None:
        body = hook_request(prefetch={}, extension={"org.osteo-cds.language": "fr"})

        response = client.post(SERVICE, json=body)

        assert response.status_code == 400
        assert "org.osteo-cds.language" in _outcome(response)


class TestUnknownService:
    def test_unknown_service_is_404_with_an_operation_outcome(self, client: TestClient) -> None:
        response = client.post("/cds-services/no-such-service", json=hook_request(prefetch={}))

        assert response.status_code == 404
        assert "no-such-service" in _outcome(response)

    @pytest.mark.parametrize(
        "content",
        [
            pytest.param(b'{"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"}', id="no-hook-no-context"),
            pytest.param(b"{not json", id="not-json"),
            pytest.param(b"", id="empty"),
        ],
    )
    def test_unknown_service_is_404_whatever_the_body(self, client: TestClient, content: bytes) -> None:
        for path in ("/cds-services/no-such-service", "/cds-services/no-such-service/feedback"):
            response = client.post(path, content=content, headers={"Content-Type": "application/json"})

            assert response.status_code == 404, path
            assert "no-such-service" in _outcome(response)

    def test_a_known_service_with_an_invalid_body_is_still_400(self, client: TestClient) -> None:
        response = client.post(SERVICE, content=b"{not json", headers={"Content-Type": "application/json"})

        assert response.status_code == 400

    def test_feedback_for_an_unknown_service_is_404(self, client: TestClient) -> None:
        feedback = {
            "feedback": [
                {
                    "card": "c1",
                    "outcome": "overridden",
                    "overrideReason": {"userComment": "not now"},
                    "outcomeTimestamp": "2025-06-01T10:00:00Z",
                }
            ]
        }

        response = client.post("/cds-services/no-such-service/feedback", json=feedback)

        assert response.status_code == 404
        assert "no-such-service" in _outcome(response)
