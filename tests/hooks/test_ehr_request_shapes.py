"""Requests shaped as real clients send them (issue 17 "EHR interop"): the CDS Hooks Sandbox (the reference
client), Epic-like and Cerner-like order shapes, and the CDS Hooks / HL7 spec examples.

Each situation is one that lost the dose, or the whole call, before; the vignette is the same every time: a woman
of 55 (V06) for whom prednisone 10 mg/day is ordered for 6 months, which is GC-START-1's ``warning`` once the dose
and duration are read, and its conditional ``info`` card while they are not.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.cds import SERVICES, PatientRecordBuilder, cards_for
from tests.builders.hooks import draft_orders_bundle, hook_request

UCUM = "http://unitsofmeasure.org"


def v06() -> PatientRecordBuilder:
    """Vignette V06: a 55-year-old woman, nothing else on record."""
    return PatientRecordBuilder(birth_date="1970-01-15")


def order_select(
    client: TestClient, order: dict[str, Any], *, user_id: str = "Practitioner/dr-1"
) -> list[dict[str, Any]]:
    """One order-select call with ``order`` as the selected draft; asserts 200 and returns the cards."""
    body = hook_request(
        hook="order-select",
        patient_id="patient-1",
        prefetch=v06().prefetch(),
        draft_orders=draft_orders_bundle(order),
        selections=[f"MedicationRequest/{order['id']}"],
    )
    body["context"]["userId"] = user_id
    response = client.post(f"/cds-services/{SERVICES['order-select']}", json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def prednisone_10mg_order(**fields: Any) -> dict[str, Any]:
    """A draft prednisone order for 6 months (boundsPeriod), in mg: the shape every client agrees on."""
    order: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "pred-order",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/patient-1"},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "312617",
                    "display": "prednisone 5 MG Oral Tablet",
                }
            ],
            "text": "prednisone 5 MG Oral Tablet",
        },
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                        "boundsPeriod": {"start": "2025-06-01", "end": "2025-12-01"},
                    }
                },
                "doseAndRate": [{"doseQuantity": {"value": 10, "unit": "mg", "system": UCUM, "code": "mg"}}],
            }
        ],
    }
    order.update(fields)
    return order


def gc_start(cards: list[dict[str, Any]]) -> dict[str, Any]:
    [card] = cards_for(cards, "GC-START-1")
    return card


class TestUserIdThatIsNotTypeSlashId:
    """No rule uses ``context.userId``; an EHR that sends something other than ``Practitioner/123`` must still
    get its cards, and the value is never written to a log."""

    @pytest.mark.parametrize(
        "user_id",
        [
            pytest.param("jdoe.emp-4711", id="a-bare-login"),
            pytest.param("https://ehr.example.org/fhir/Practitioner/4711", id="an-absolute-url"),
            pytest.param("Practitioner/4711/_history/2", id="a-versioned-reference"),
            pytest.param("Device/order-entry-robot", id="another-resource-type"),
        ],
    )
    def test_the_call_is_answered_and_the_user_is_logged_nowhere(
        self, client: TestClient, caplog: pytest.LogCaptureFixture, user_id: str
    ) -> None:
        with caplog.at_level(logging.DEBUG):
            cards = order_select(client, prednisone_10mg_order(), user_id=user_id)

        assert gc_start(cards)["indicator"] == "warning"
        assert caplog.records, "nothing was logged: the scan would be vacuous"
        for record in caplog.records:
            assert user_id not in f"{record.getMessage()} {record.args!r} {vars(record)!r}"


def sandbox_order(dose: dict[str, Any]) -> dict[str, Any]:
    """The CDS Hooks Sandbox's prescription: RxNorm SCD, once daily, a count dose (2 × 5 mg = 10 mg/day)."""
    order = prednisone_10mg_order()
    order["dosageInstruction"][0]["doseAndRate"] = [{"doseQuantity": dose}]
    return order


class TestCountUnitsAsClientsWriteThem:
    """A dose in pills is a count of the dose form: 2 × prednisone 5 mg tablets once daily is 10 mg/day."""

    @pytest.mark.parametrize(
        "dose",
        [
            pytest.param({"value": 2, "system": UCUM, "code": "{pill}"}, id="sandbox-ucum-pill"),
            pytest.param({"value": 2, "system": UCUM, "code": "{each}", "unit": "each"}, id="ucum-each"),
            pytest.param({"value": 2, "unit": "pill(s)"}, id="unit-text-pills"),
            pytest.param({"value": 2, "unit": "tab(s)"}, id="unit-text-tabs"),
        ],
    )
    def test_the_sandboxs_prednisone_order_in_pills_gives_the_gc_warning(
        self, client: TestClient, dose: dict[str, Any]
    ) -> None:
        card = gc_start(order_select(client, sandbox_order(dose)))

        assert card["indicator"] == "warning"
        assert "10 mg/day" in card["summary"] or "10 mg/dag" in card["summary"]

    def test_an_annotation_that_is_not_a_dose_form_still_leaves_the_dose_unknown(self, client: TestClient) -> None:
        card = gc_start(order_select(client, sandbox_order({"value": 2, "system": UCUM, "code": "{spoonful}"})))

        assert card["indicator"] == "info"


def epic_like_order(frequency_text: str) -> dict[str, Any]:
    """An Epic-style order: the frequency only as the EHR's own timing code with a text, no GTS coding and no
    ``timing.repeat`` frequency; the 6 months as ``dispenseRequest.expectedSupplyDuration``."""
    order = prednisone_10mg_order()
    order["dosageInstruction"][0]["timing"] = {
        "code": {
            "coding": [{"system": "urn:oid:1.2.840.114350.1.13.0.1.7.10.798268.30", "code": "1"}],
            "text": frequency_text,
        }
    }
    order["dispenseRequest"] = {"expectedSupplyDuration": {"value": 180, "unit": "days", "system": UCUM, "code": "d"}}
    return order


class TestFrequencyOnlyAsTheSitesTimingCode:
    @pytest.mark.parametrize("text", ["Daily", "dagelijks", "1 dd"])
    def test_an_epic_like_daily_order_gives_the_gc_warning(self, client: TestClient, text: str) -> None:
        card = gc_start(order_select(client, epic_like_order(text)))

        assert card["indicator"] == "warning"

    def test_a_frequency_text_we_do_not_know_stays_dose_unknown(self, client: TestClient) -> None:
        card = gc_start(order_select(client, epic_like_order("As directed")))

        assert card["indicator"] == "info"


class TestDosageShapesOfTheSpecExamples:
    def test_dose_and_rate_as_one_object_as_in_the_hl7_order_select_example(self, client: TestClient) -> None:
        order = prednisone_10mg_order()
        instruction = order["dosageInstruction"][0]
        instruction["doseAndRate"] = instruction["doseAndRate"][0]

        assert gc_start(order_select(client, order))["indicator"] == "warning"

    def test_the_sandboxs_stu3_dose_quantity_on_the_dosage(self, client: TestClient) -> None:
        order = prednisone_10mg_order()
        instruction = order["dosageInstruction"][0]
        del instruction["doseAndRate"]
        instruction["doseQuantity"] = {"value": 2, "system": UCUM, "code": "{pill}"}

        assert gc_start(order_select(client, order))["indicator"] == "warning"


def coded_prednisone_order(text: str) -> dict[str, Any]:
    """RxNorm 312617 (prednisone 5 MG Oral Tablet) under the EHR's own product name, 2 × "tab(s)" once daily."""
    order = prednisone_10mg_order()
    order["medicationCodeableConcept"] = {
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "312617"}],
        "text": text,
    }
    order["dosageInstruction"][0]["doseAndRate"] = [{"doseQuantity": {"value": 2, "unit": "tab(s)"}}]
    return order


class TestStrengthFromTheRxNormCode:
    def test_a_cerner_like_order_named_without_strength_gives_the_gc_warning(self, client: TestClient) -> None:
        card = gc_start(order_select(client, coded_prednisone_order("predniSONE")))

        assert card["indicator"] == "warning"

    def test_name_and_code_disagree_the_code_wins_and_the_data_line_says_so(self, client: TestClient) -> None:
        body = hook_request(
            hook="order-select",
            patient_id="patient-1",
            prefetch=v06().prefetch(),
            draft_orders=draft_orders_bundle(coded_prednisone_order("predniSONE 10 MG tablet")),
            selections=["MedicationRequest/pred-order"],
            extension={"org.osteo-cds.language": "en"},
        )
        response = client.post(f"/cds-services/{SERVICES['order-select']}", json=body)

        card = gc_start(response.json()["cards"])
        assert card["indicator"] == "warning"
        assert "Prednisone-eq. 10 mg/day" in card["summary"]  # 2 × 5 mg by the code, not 2 × 10 mg by the name
        assert (
            "Strength per the drug code (used) ≠ strength in the product name: 5 mg (RxNorm 312617) ≠ 10 mg"
            in card["detail"]
        )
