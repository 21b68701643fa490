"""Against a real FHIR server behind the fault proxy: the token never leaves ``fhirServer``'s origin, and the
call answers within its deadline and page limits with a data-unavailable card instead of failing.

The patient is a woman with two DXA T-scores (lumbar spine and femur; LOINC 38267-1 and 38263-0, both verified
in shared/clinical/terminology.md §1.1). With a page size of 1 her Observation search has two pages, so a
``link[next]`` is always there to follow, or to refuse.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.builders.fhir import transaction_of_posts
from tests.builders.hooks import hook_request, prefetch_bundle

from .fault_proxy import Fault, FaultProxy, ProxiedRequest, RecordingListener

pytestmark = pytest.mark.integration

SERVICE = "/cds-services/osteoporosis-patient-view"
LOINC = "http://loinc.org"
DXA_LUMBAR_SPINE_T_SCORE = "38267-1"  # terminology.md §1.1 (V)
DXA_FEMUR_T_SCORE = "38263-0"  # terminology.md §1.1 (V)
UCUM = "http://unitsofmeasure.org"
EMPTY_KEYS = ("conditions", "medicationStatements", "medicationRequests")


def _dxa(patient: str, loinc: str, t_score: float, effective: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"reference": patient},
        "effectiveDateTime": effective,
        "valueQuantity": {"value": t_score, "unit": "{T-score}", "system": UCUM, "code": "{T-score}"},
    }


@pytest.fixture
def patient_id(fhir_server: Any) -> str:
    """A woman with two DXA scans, loaded into the real FHIR server; returns her server-assigned id."""
    patient = f"urn:uuid:{uuid.uuid4()}"
    entries = [
        (patient, {"resourceType": "Patient", "gender": "female", "birthDate": "1952-04-17"}),
        (f"urn:uuid:{uuid.uuid4()}", _dxa(patient, DXA_LUMBAR_SPINE_T_SCORE, -2.7, "2024-03-01")),
        (f"urn:uuid:{uuid.uuid4()}", _dxa(patient, DXA_FEMUR_T_SCORE, -2.1, "2022-03-01")),
    ]
    response = fhir_server.load_bundle(transaction_of_posts(*entries))
    return str(response["entry"][0]["resource"]["id"])


@pytest.fixture
def settings(database_url: str, fault_proxy: FaultProxy) -> Settings:
    return Settings(
        database_url=database_url,
        fhir_server_allowlist=[fault_proxy.origin],
        fhir_page_size=1,
        fhir_query_timeout_seconds=0.5,
        fhir_call_deadline_seconds=1.0,
        auth_disabled_for_development=True,
    )


def request_fetching_observations(fault_proxy: FaultProxy, fhir_server: Any, patient_id: str) -> dict[str, Any]:
    """Everything prefetched (empty) except the Observations, which we must fetch ourselves."""
    prefetch: dict[str, Any] = {
        "patient": {"resourceType": "Patient", "id": patient_id, "gender": "female", "birthDate": "1952-04-17"},
        "medicationAdministrations": None,
        "medicationDispenses": None,
        "allergyIntolerances": None,
        **dict.fromkeys(EMPTY_KEYS),
    }
    return hook_request(
        patient_id=patient_id, prefetch=prefetch, fhir_server=fault_proxy.base_url, token=fhir_server.token
    )


def topics(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["source"]["topic"]["code"] for card in response.json()["cards"]]


def observation_requests(fault_proxy: FaultProxy) -> list[ProxiedRequest]:
    """The Observation search and its further pages: sekmet pages on ``/Observation?_offset=``, HAPI on the base
    URL (``?_getpages=``); the other searches here find nothing, so they have no further pages."""
    return [
        request
        for request in fault_proxy.requests
        if request.path.endswith("/Observation") or "_getpages=" in request.query
    ]


class TestTokenStaysWithTheFhirServer:
    def test_same_origin_pages_are_followed_with_the_token(
        self, client: TestClient, fault_proxy: FaultProxy, fhir_server: Any, patient_id: str
    ) -> None:
        # The control case: without a fault both pages come from fhirServer and nothing is missing.
        response = client.post(SERVICE, json=request_fetching_observations(fault_proxy, fhir_server, patient_id))

        assert "DATA-UNAVAILABLE" not in topics(response)
        pages = observation_requests(fault_proxy)
        assert len(pages) == 2
        assert all(page.had_authorization for page in pages)

    def test_a_fetched_page_with_a_cross_origin_next_link_is_not_followed(
        self,
        client: TestClient,
        fault_proxy: FaultProxy,
        fhir_server: Any,
        attacker: RecordingListener,
        patient_id: str,
    ) -> None:
        fault_proxy.inject(Fault.cross_origin_next(attacker.origin))

        response = client.post(SERVICE, json=request_fetching_observations(fault_proxy, fhir_server, patient_id))

        assert "DATA-UNAVAILABLE" in topics(response)
        assert attacker.requests == ()
        assert len(observation_requests(fault_proxy)) == 1

    def test_a_prefetched_bundle_with_a_cross_origin_next_link_is_not_followed(
        self,
        client: TestClient,
        fault_proxy: FaultProxy,
        fhir_server: Any,
        attacker: RecordingListener,
        patient_id: str,
    ) -> None:
        body = request_fetching_observations(fault_proxy, fhir_server, patient_id)
        first_page = _dxa(f"Patient/{patient_id}", DXA_LUMBAR_SPINE_T_SCORE, -2.7, "2024-03-01")
        body["prefetch"]["observations"] = prefetch_bundle(
            {**first_page, "id": "obs-1"}, next_url=f"{attacker.origin}/fhir/Observation?page=2"
        )

        response = client.post(SERVICE, json=body)

        assert "DATA-UNAVAILABLE" in topics(response)
        assert attacker.requests == ()
        assert observation_requests(fault_proxy) == []


class TestLimits:
    def test_a_slow_fhir_server_is_cut_off_at_the_deadline_with_a_data_unavailable_card(
        self, client: TestClient, fault_proxy: FaultProxy, fhir_server: Any, patient_id: str, settings: Settings
    ) -> None:
        fault_proxy.inject(Fault.delay(5.0))
        started = time.monotonic()

        response = client.post(SERVICE, json=request_fetching_observations(fault_proxy, fhir_server, patient_id))

        elapsed = time.monotonic() - started
        assert "DATA-UNAVAILABLE" in topics(response)
        assert elapsed < settings.fhir_call_deadline_seconds + 1.0

    def test_a_slow_second_page_is_cut_off_by_the_per_query_timeout(
        self, client: TestClient, fault_proxy: FaultProxy, fhir_server: Any, patient_id: str, settings: Settings
    ) -> None:
        fault_proxy.inject(Fault.delay(5.0, skip_first=1))
        started = time.monotonic()

        response = client.post(SERVICE, json=request_fetching_observations(fault_proxy, fhir_server, patient_id))

        assert "DATA-UNAVAILABLE" in topics(response)
        assert time.monotonic() - started < settings.fhir_call_deadline_seconds + 1.0


class TestPageLimit:
    @pytest.fixture
    def settings(self, database_url: str, fault_proxy: FaultProxy) -> Settings:
        return Settings(
            database_url=database_url,
            fhir_server_allowlist=[fault_proxy.origin],
            fhir_page_size=1,
            fhir_max_pages=1,
            auth_disabled_for_development=True,
        )

    def test_pages_beyond_the_limit_are_not_fetched_and_reported_missing(
        self, client: TestClient, fault_proxy: FaultProxy, fhir_server: Any, patient_id: str
    ) -> None:
        response = client.post(SERVICE, json=request_fetching_observations(fault_proxy, fhir_server, patient_id))

        assert "DATA-UNAVAILABLE" in topics(response)
        assert len(observation_requests(fault_proxy)) == 1


class TestResourceLimit:
    @pytest.fixture
    def settings(self, database_url: str, fault_proxy: FaultProxy) -> Settings:
        return Settings(
            database_url=database_url,
            fhir_server_allowlist=[fault_proxy.origin],
            fhir_page_size=10,
            fhir_max_resources=1,
            auth_disabled_for_development=True,
        )

    def test_resources_beyond_the_limit_are_dropped_and_reported_missing(
        self, client: TestClient, fault_proxy: FaultProxy, fhir_server: Any, patient_id: str
    ) -> None:
        response = client.post(SERVICE, json=request_fetching_observations(fault_proxy, fhir_server, patient_id))

        assert "DATA-UNAVAILABLE" in topics(response)
