"""The hook endpoint's own request handling (app/hooks/hook_route.py) answers exactly as FastAPI's would.

The same endpoint function is mounted a second time, under ``/reference/{service_id}``, with FastAPI's route
class (the one every other route uses); each request below goes to both, and the two answers must be the same:
status, content type and body, for good calls and for every kind of malformed one.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.hooks.hook_route import HookRoute
from app.hooks.routes import call_service
from app.hooks.schemas import CdsResponse
from app.json_body import JsonBodyRoute
from tests.builders.cds import PatientRecordBuilder
from tests.builders.fhir import dxa_t_score
from tests.builders.hooks import hook_request

SERVICE_ID = "osteoporosis-patient-view"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def both(app: FastAPI) -> FastAPI:
    """The application, with the reference route beside its own (FastAPI solves its arguments)."""
    app.router.add_api_route(
        "/reference/{service_id}",
        call_service,
        methods=["POST"],
        response_model=CdsResponse,
        response_model_exclude_none=True,
        route_class_override=JsonBodyRoute,
    )
    return app


def _low_bone_density() -> PatientRecordBuilder:
    return PatientRecordBuilder(birth_date="1950-03-01").add(dxa_t_score(value=-2.8))


def _the_same(client: TestClient, service_id: str, **request: Any) -> Any:
    ours = client.post(f"/cds-services/{service_id}", **request)
    reference = client.post(f"/reference/{service_id}", **request)
    assert ours.status_code == reference.status_code
    assert ours.headers["content-type"] == reference.headers["content-type"]
    return ours, reference


def _cards_without_random_parts(response: Any) -> list[dict[str, Any]]:
    """The cards without what differs between any two calls: the uuids and the assessment link's token."""
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        card.pop("uuid", None)
        for suggestion in card.get("suggestions", []):
            suggestion.pop("uuid", None)
        for link in card.get("links", []):
            link["url"] = link["url"].rpartition("/")[0]
    return cards


class TestTheSameAnswerAsFastApi:
    def test_a_call_with_cards(self, both: FastAPI) -> None:
        with TestClient(both) as client:
            ours, reference = _the_same(client, SERVICE_ID, json=hook_request(prefetch=_low_bone_density().prefetch()))

        assert ours.status_code == 200
        assert _cards_without_random_parts(ours) == _cards_without_random_parts(reference)
        assert _cards_without_random_parts(ours), "the vignette gives a card"

    @pytest.mark.parametrize(
        ("content", "headers"),
        [
            pytest.param(b'{"hook": "patient-view",', JSON, id="malformed-json"),
            pytest.param(b'{"hook": "patient-view", "hookInstance": "\xff"}', JSON, id="not-utf-8"),
            pytest.param(
                b'{"hook": "patient-view", "context": ' + b"[" * 5000 + b"]" * 5000 + b"}", JSON, id="nested-too-deeply"
            ),
            pytest.param(b"", JSON, id="empty-body"),
            pytest.param(b"[1, 2]", JSON, id="json-array"),
            pytest.param(b'{"hookInstance": "x"}', JSON, id="fields-missing"),
            pytest.param(b'{"hook": "patient-view", "hookInstance": "x", "context": {}}', {}, id="no-content-type"),
            pytest.param(
                b'{"hook": "patient-view", "hookInstance": "x", "context": {}}',
                {"Content-Type": "text/plain"},
                id="not-json-content-type",
            ),
            pytest.param(b'{"hook": 7}', {"Content-Type": "application/fhir+json"}, id="fhir-json-content-type"),
        ],
    )
    def test_a_malformed_call(self, both: FastAPI, content: bytes, headers: dict[str, str]) -> None:
        with TestClient(both) as client:
            ours, reference = _the_same(client, SERVICE_ID, content=content, headers=headers)

        assert ours.status_code == 400
        assert ours.json() == reference.json()

    @pytest.mark.parametrize(
        ("content", "diagnostics"),
        [
            pytest.param(
                b'{"hook": "patient-view",',
                "body is not valid JSON: Expecting property name enclosed in double quotes (character 24)",
                id="cut-off",
            ),
            pytest.param(
                b'{"hookInstance": "\xff"}',
                "body is not valid JSON: not utf-8: invalid start byte (character 18)",
                id="not-utf-8",
            ),
            pytest.param(
                b"[" * 5000 + b"]" * 5000, "body is not valid JSON: JSON nested too deeply (character 0)", id="too-deep"
            ),
        ],
    )
    def test_a_body_that_is_not_json_is_refused_saying_where_and_why(
        self, both: FastAPI, content: bytes, diagnostics: str
    ) -> None:
        with TestClient(both) as client:
            ours, _reference = _the_same(client, SERVICE_ID, content=content, headers=JSON)

        assert ours.status_code == 400
        assert ours.json()["issue"][0]["diagnostics"] == diagnostics

    def test_an_unknown_service(self, both: FastAPI) -> None:
        with TestClient(both) as client:
            ours, reference = _the_same(client, "no-such-service", content=b"{not json", headers=JSON)

        assert ours.status_code == 404
        assert ours.json() == reference.json()


def test_the_route_refuses_an_endpoint_whose_arguments_it_would_not_supply() -> None:
    async def endpoint(service_id: str, body: CdsResponse) -> CdsResponse:
        return body

    with pytest.raises(TypeError, match="HookRoute supplies exactly"):
        HookRoute("/x/{service_id}", endpoint, methods=["POST"], response_model=CdsResponse)
