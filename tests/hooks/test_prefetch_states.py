"""Each prefetch state (absent / null / OperationOutcome / paged), 412, and FHIR failures, at the httpx edge.

The EHR's FHIR server is mocked with respx, strictly: a request nobody declared fails the test, so "not
fetched" is proven by the absence of a route.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from tests.builders.fhir import PREDNISONE_5MG, dosage, medication_request, patient, search_bundle
from tests.builders.hooks import hook_request
from tests.conftest import EHR_FHIR

SERVICE = "/cds-services/osteoporosis-patient-view"
TOKEN = "ehr-access-token-123"
KEYS = (
    "patient",
    "observations",
    "conditions",
    "medicationStatements",
    "medicationRequests",
    "medicationAdministrations",
    "medicationDispenses",
    "allergyIntolerances",
)


def prednisone_request() -> dict[str, Any]:
    """A current long-term prednisone order: enough for GC-START-1 to fire, which proves the data was used."""
    return medication_request(
        id="mr-pred",
        medication=PREDNISONE_5MG,
        authored_on="2025-01-01",
        dosages=[dosage(dose=10, unit="mg", ucum="mg")],
        expected_supply_days=365,
    )


def full_prefetch(**overrides: Any) -> dict[str, Any]:
    prefetch: dict[str, Any] = dict.fromkeys(KEYS)
    prefetch["patient"] = patient(birth_date="1960-01-01")
    prefetch.update(overrides)
    return prefetch


def topics(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["source"]["topic"]["code"] for card in response.json()["cards"]]


def signals(response: httpx.Response) -> tuple[bool, bool]:
    """(GC-START-1 card present, DATA-UNAVAILABLE card present): what these tests are about.

    GC-START-1 firing proves the prednisone order reached the rules (from prefetch, a fetch or a next page);
    other rules may add cards for the same patient. The data-unavailable card, when present, comes last.
    """
    codes = topics(response)
    if "DATA-UNAVAILABLE" in codes:
        assert codes[-1] == "DATA-UNAVAILABLE"
    return "GC-START-1" in codes, "DATA-UNAVAILABLE" in codes


@pytest.fixture
def ehr() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=EHR_FHIR, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


class TestCompletePrefetch:
    def test_needs_no_fhir_server_and_sends_no_request(self, client: TestClient, ehr: respx.MockRouter) -> None:
        body = hook_request(
            patient_id="patient-1", prefetch=full_prefetch(medicationRequests=search_bundle(prednisone_request()))
        )

        assert signals(client.post(SERVICE, json=body)) == (True, False)
        assert not ehr.calls


class TestAbsentKeys:
    def test_are_fetched_from_the_fhir_server_with_the_bearer_token(
        self, client: TestClient, ehr: respx.MockRouter
    ) -> None:
        route = ehr.get("/MedicationRequest", params={"patient": "patient-1"}).respond(
            json=search_bundle(prednisone_request())
        )
        prefetch = full_prefetch()
        del prefetch["medicationRequests"]
        body = hook_request(patient_id="patient-1", prefetch=prefetch, fhir_server=EHR_FHIR, token=TOKEN)

        assert signals(client.post(SERVICE, json=body)) == (True, False)
        request = route.calls.last.request
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Accept"] == "application/fhir+json"
        assert request.url.params["_count"]

    def test_every_missing_key_is_searched_once(self, client: TestClient, ehr: respx.MockRouter) -> None:
        ehr.get("/Patient/patient-1").respond(json=patient(id="patient-1", birth_date="1960-01-01"))
        searches = {
            resource: ehr.get(f"/{resource}").respond(json=search_bundle())
            for resource in (
                "Observation",
                "Condition",
                "MedicationStatement",
                "MedicationRequest",
                "MedicationAdministration",
                "MedicationDispense",
                "AllergyIntolerance",
            )
        }
        body = hook_request(patient_id="patient-1", fhir_server=EHR_FHIR, token=TOKEN)

        assert signals(client.post(SERVICE, json=body)) == (False, False)
        assert {name: route.call_count for name, route in searches.items()} == dict.fromkeys(searches, 1)
        observation_codes = searches["Observation"].calls.last.request.url.params["code"]
        assert "http://loinc.org|38267-1" in observation_codes

    def test_required_keys_without_fhir_server_are_a_412(self, client: TestClient) -> None:
        prefetch = full_prefetch()
        del prefetch["observations"]
        del prefetch["patient"]

        response = client.post(SERVICE, json=hook_request(prefetch=prefetch))

        assert response.status_code == 412
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert "observations" in outcome["issue"][0]["diagnostics"]
        assert "patient" in outcome["issue"][0]["diagnostics"]

    def test_optional_keys_without_fhir_server_are_no_error(self, client: TestClient) -> None:
        prefetch = full_prefetch()
        del prefetch["medicationAdministrations"]
        del prefetch["medicationDispenses"]
        del prefetch["allergyIntolerances"]

        assert signals(client.post(SERVICE, json=hook_request(prefetch=prefetch))) == (False, False)


class TestNullKeys:
    def test_are_known_empty_and_not_fetched(self, client: TestClient, ehr: respx.MockRouter) -> None:
        body = hook_request(patient_id="patient-1", prefetch=full_prefetch(), fhir_server=EHR_FHIR, token=TOKEN)

        assert signals(client.post(SERVICE, json=body)) == (False, False)
        assert not ehr.calls


class TestOperationOutcomeInPrefetch:
    def test_is_reported_as_unavailable_data_and_not_refetched(self, client: TestClient, ehr: respx.MockRouter) -> None:
        failed = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
        body = hook_request(
            patient_id="patient-1",
            prefetch=full_prefetch(medicationRequests=failed),
            fhir_server=EHR_FHIR,
            token=TOKEN,
        )

        response = client.post(SERVICE, json=body)

        assert signals(response) == (False, True)
        assert "Medicatievoorschriften" in response.json()["cards"][-1]["detail"]
        assert not ehr.calls


class TestPagedPrefetch:
    def test_next_pages_are_fetched_with_the_token_and_used(self, client: TestClient, ehr: respx.MockRouter) -> None:
        page_two = ehr.get("/MedicationRequest", params={"_page": "2"}).respond(
            json=search_bundle(prednisone_request())
        )
        first_page = search_bundle()
        first_page["link"] = [{"relation": "next", "url": f"{EHR_FHIR}/MedicationRequest?patient=patient-1&_page=2"}]
        body = hook_request(
            patient_id="patient-1",
            prefetch=full_prefetch(medicationRequests=first_page),
            fhir_server=EHR_FHIR,
            token=TOKEN,
        )

        assert signals(client.post(SERVICE, json=body)) == (True, False)
        assert page_two.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"

    def test_a_next_link_to_another_origin_is_not_followed(self, client: TestClient, ehr: respx.MockRouter) -> None:
        evil = respx.get("https://evil.example/fhir/MedicationRequest").respond(json=search_bundle())
        first_page = search_bundle()
        first_page["link"] = [{"relation": "next", "url": "https://evil.example/fhir/MedicationRequest?page=2"}]
        body = hook_request(
            patient_id="patient-1",
            prefetch=full_prefetch(medicationRequests=first_page),
            fhir_server=EHR_FHIR,
            token=TOKEN,
        )

        response = client.post(SERVICE, json=body)

        assert signals(response) == (False, True)
        assert not evil.called
        assert TOKEN not in response.text

    def test_a_next_link_without_fhir_server_is_reported_as_incomplete(self, client: TestClient) -> None:
        first_page = search_bundle(prednisone_request())
        first_page["link"] = [{"relation": "next", "url": f"{EHR_FHIR}/MedicationRequest?page=2"}]

        response = client.post(
            SERVICE, json=hook_request(patient_id="patient-1", prefetch=full_prefetch(medicationRequests=first_page))
        )

        assert signals(response) == (True, True)


class TestFhirServerFailures:
    @pytest.mark.parametrize(
        "answer",
        [
            pytest.param(httpx.Response(500), id="500"),
            pytest.param(httpx.Response(401), id="401-token-refused"),
            pytest.param(httpx.Response(200, content=b"<html>oops</html>"), id="not-json"),
            pytest.param(httpx.Response(200, json={"resourceType": "Patient"}), id="not-a-bundle"),
            pytest.param(
                httpx.Response(400, json={"resourceType": "OperationOutcome", "issue": [{"code": "invalid"}]}),
                id="operation-outcome",
            ),
        ],
    )
    def test_a_failing_search_gives_a_data_unavailable_card_not_an_error(
        self, client: TestClient, ehr: respx.MockRouter, answer: httpx.Response
    ) -> None:
        ehr.get("/Condition").mock(return_value=answer)
        prefetch = full_prefetch()
        del prefetch["conditions"]
        body = hook_request(patient_id="patient-1", prefetch=prefetch, fhir_server=EHR_FHIR, token=TOKEN)

        response = client.post(SERVICE, json=body)

        assert signals(response) == (False, True)
        assert "Diagnoses" in response.json()["cards"][-1]["detail"]

    def test_an_unreachable_server_gives_a_data_unavailable_card(
        self, client: TestClient, ehr: respx.MockRouter
    ) -> None:
        ehr.get("/Condition").mock(side_effect=httpx.ConnectError("refused"))
        prefetch = full_prefetch()
        del prefetch["conditions"]
        body = hook_request(patient_id="patient-1", prefetch=prefetch, fhir_server=EHR_FHIR, token=TOKEN)

        assert signals(client.post(SERVICE, json=body)) == (False, True)

    def test_a_fhir_server_not_on_the_allowlist_gets_no_request(
        self, client: TestClient, ehr: respx.MockRouter
    ) -> None:
        elsewhere = respx.get(url__startswith="https://other-ehr.example").respond(json=search_bundle())
        prefetch = full_prefetch()
        del prefetch["conditions"]
        body = hook_request(
            patient_id="patient-1", prefetch=prefetch, fhir_server="https://other-ehr.example/fhir", token=TOKEN
        )

        response = client.post(SERVICE, json=body)

        assert response.status_code == 412
        assert response.json()["resourceType"] == "OperationOutcome"
        assert not elsewhere.called

    def test_a_referenced_medication_is_fetched_in_one_search(self, client: TestClient, ehr: respx.MockRouter) -> None:
        order = medication_request(
            id="mr-ref",
            medication_ref={"reference": "Medication/med-pred"},
            authored_on="2025-01-01",
            dosages=[dosage(dose=2, unit=None)],
            expected_supply_days=365,
        )
        med = {
            "resourceType": "Medication",
            "id": "med-pred",
            "code": {
                "coding": [
                    {
                        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                        "code": "312617",
                        "display": "prednisone 5 MG Oral Tablet",
                    }
                ]
            },
        }
        lookup = ehr.get("/Medication", params={"_id": "med-pred"}).respond(json=search_bundle(med))
        body = hook_request(
            patient_id="patient-1",
            prefetch=full_prefetch(medicationRequests=search_bundle(order)),
            fhir_server=EHR_FHIR,
            token=TOKEN,
        )

        assert signals(client.post(SERVICE, json=body)) == (True, False)
        assert lookup.call_count == 1
