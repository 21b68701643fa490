"""GC-START-1 end to end: hook request with prefetch in, cards out (rules.md §8, vignettes.md V06/V07)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from tests.builders.cds import full_assessment
from tests.builders.fhir import (
    PREDNISONE_5MG,
    atc,
    dosage,
    draft_prednisone_order,
    medication_statement,
    patient,
    search_bundle,
)
from tests.builders.hooks import draft_orders_bundle, hook_request

ORDER_SELECT = "/cds-services/osteoporosis-order-select"
ORDER_SIGN = "/cds-services/osteoporosis-order-sign"
PATIENT_VIEW = "/cds-services/osteoporosis-patient-view"


def prefetch(*, birth_date: str = "1970-01-15", statements: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """Complete prefetch: the patient, and empty or given searches."""
    return {
        "patient": patient(birth_date=birth_date, gender="female"),
        "observations": search_bundle(),
        "conditions": None,
        "medicationStatements": search_bundle(*statements),
        "medicationRequests": search_bundle(),
        "medicationAdministrations": None,
        "medicationDispenses": None,
        "allergyIntolerances": None,
    }


def call(client: TestClient, url: str, body: dict[str, Any], **headers: str) -> list[dict[str, Any]]:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def gc_cards(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [card for card in cards if card["source"]["topic"]["code"] == "GC-START-1"]


def order_select(**kw: Any) -> dict[str, Any]:
    birth_date = kw.pop("birth_date", "1970-01-15")
    statements = kw.pop("statements", ())
    return hook_request(
        hook="order-select",
        patient_id="patient-1",
        draft_orders=draft_orders_bundle(draft_prednisone_order(**kw)),
        selections=["MedicationRequest/draft-pred"],
        prefetch=prefetch(birth_date=birth_date, statements=statements),
    )


class TestV06PrednisoneOrderedFor55YearOldWoman:
    """V06: 55-year-old woman, prednisone 10 mg/day for an expected 6 months, no bone protection."""

    def test_warns_to_start_fracture_prevention_now(self, client: TestClient) -> None:
        [card] = gc_cards(call(client, ORDER_SELECT, order_select()))

        assert card["indicator"] == "warning"
        assert card["summary"].startswith("Prednison-eq. 10 mg/dag")
        assert len(card["summary"]) < 140
        assert card["source"]["topic"] == {
            "system": "urn:osteo-cds:rule",
            "code": "GC-START-1",
            "display": card["source"]["topic"]["display"],
        }
        assert card["selectionBehavior"] == "any"
        assert all(reason["display"] for reason in card["overrideReasons"])

    def test_offers_alendronate_risedronate_calcium_and_baseline_dxa_as_valid_r4_orders(
        self, client: TestClient
    ) -> None:
        [card] = gc_cards(call(client, ORDER_SELECT, order_select()))

        labels = [suggestion["label"] for suggestion in card["suggestions"]]
        assert len(labels) == 4 and all(suggestion["uuid"] for suggestion in card["suggestions"])
        resources = [action["resource"] for s in card["suggestions"] for action in s["actions"]]
        for resource in resources:
            model = MedicationRequest if resource["resourceType"] == "MedicationRequest" else ServiceRequest
            model.model_validate(resource)  # raises on anything that is not valid R4
        atc_codes = {
            coding["code"]
            for r in resources
            if r["resourceType"] == "MedicationRequest"
            for coding in r["medicationCodeableConcept"]["coding"]
            if coding["system"] == "http://www.whocc.no/atc"
        }
        services = [c["code"] for r in resources if r["resourceType"] == "ServiceRequest" for c in r["code"]["coding"]]
        # alendronate, risedronate, colecalciferol, calcium carbonate
        assert atc_codes == {"M05BA04", "M05BA07", "A11CC05", "A12AA04"}
        assert services == ["312681000"]  # SNOMED bone density scan
        assert all(r["subject"] == {"reference": "Patient/patient-1"} for r in resources)

    def test_detail_lists_the_key_data_and_the_page_quotes_the_guideline(self, client: TestClient) -> None:
        [card] = gc_cards(call(client, ORDER_SELECT, order_select()))

        assert "Dosis (mg prednison-equivalent per dag): 10" in card["detail"]
        page = full_assessment(client, card)
        assert "Gebruikte gegevens" in page
        assert "Leeftijd (jaar): 55" in page
        assert "«Start bij patiënten ≥ 50 jaar" in page

    def test_speaks_english_when_the_request_asks_for_it(self, client: TestClient) -> None:
        body = order_select()
        body["extension"] = {"org.osteo-cds.language": "en"}

        [card] = gc_cards(call(client, ORDER_SELECT, body))

        assert card["summary"].startswith("Prednisone-eq. 10 mg/day ≥3 months at age ≥50")
        assert "Dose (mg prednisone-equivalent per day): 10" in card["detail"]
        assert "Data used" in full_assessment(client, card)

    def test_speaks_english_for_an_english_accept_language(self, client: TestClient) -> None:
        [card] = gc_cards(call(client, ORDER_SELECT, order_select(), **{"Accept-Language": "en-GB,en;q=0.8"}))

        assert card["summary"].startswith("Prednisone-eq.")

    def test_is_shown_again_at_order_sign_while_the_order_is_unchanged(self, client: TestClient) -> None:
        body = order_select()
        body["hook"] = "order-sign"
        del body["context"]["selections"]

        assert [card["indicator"] for card in gc_cards(call(client, ORDER_SIGN, body))] == ["warning"]


class TestGcStart1Boundaries:
    @pytest.mark.parametrize(
        ("mg_per_day", "fires"),
        [
            pytest.param(7.4, False, id="7.4-mg"),
            pytest.param(7.5, True, id="7.5-mg"),
            pytest.param(7.6, True, id="7.6"),
        ],
    )
    def test_dose_threshold_is_inclusive_at_7_5_mg(self, client: TestClient, mg_per_day: float, fires: bool) -> None:
        cards = gc_cards(call(client, ORDER_SELECT, order_select(mg_per_day=mg_per_day)))

        assert [card["indicator"] for card in cards] == (["warning"] if fires else [])

    @pytest.mark.parametrize(
        ("birth_date", "fires"),
        [
            pytest.param("1975-06-02", False, id="49-the-day-before-the-50th-birthday"),
            pytest.param("1975-06-01", True, id="50-on-the-birthday"),
            pytest.param("1974-06-01", True, id="51"),
        ],
    )
    def test_age_threshold_is_50(self, client: TestClient, birth_date: str, fires: bool) -> None:
        cards = gc_cards(call(client, ORDER_SELECT, order_select(birth_date=birth_date)))

        assert [card["indicator"] for card in cards] == (["warning"] if fires else [])

    def test_a_short_course_does_not_fire(self, client: TestClient) -> None:
        assert gc_cards(call(client, ORDER_SELECT, order_select(supply_days=30))) == []


class TestGcStart1DataGaps:
    def test_unknown_dose_gives_the_conditional_card_naming_the_missing_dose(self, client: TestClient) -> None:
        body = order_select()
        order = body["context"]["draftOrders"]["entry"][0]["resource"]
        del order["dosageInstruction"]

        [card] = gc_cards(call(client, ORDER_SELECT, body))

        assert card["indicator"] == "info"
        assert card["summary"].startswith("Als prednison-eq. ≥7,5 mg/dag ≥3 maanden wordt verwacht")
        assert "dagdosis glucocorticoïd" in card["detail"]
        assert card["extension"]["org.osteo-cds.trace"]["missing"] == ["glucocorticoid-dose"]

    def test_unknown_birth_date_gives_the_conditional_card(self, client: TestClient) -> None:
        [card] = gc_cards(call(client, ORDER_SELECT, order_select(birth_date=None)))

        assert card["indicator"] == "info"
        assert "age" in card["extension"]["org.osteo-cds.trace"]["missing"]


class TestGcStart1NotApplicable:
    def test_no_card_when_already_on_alendronate(self, client: TestClient) -> None:
        alendronate = medication_statement(
            medication=atc("M05BA04", "alendronic acid"),
            start="2025-01-01",
            dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")],
        )

        cards = call(client, ORDER_SELECT, order_select(statements=(alendronate,)))

        assert gc_cards(cards) == []

    def test_no_card_without_any_glucocorticoid(self, client: TestClient) -> None:
        body = hook_request(hook="patient-view", patient_id="patient-1", prefetch=prefetch())

        assert gc_cards(call(client, PATIENT_VIEW, body)) == []

    def test_patient_view_warns_for_a_current_long_term_user(self, client: TestClient) -> None:
        statement = medication_statement(
            medication=PREDNISONE_5MG, start="2025-01-01", dosages=[dosage(dose=10, unit="mg", ucum="mg")]
        )
        body = hook_request(hook="patient-view", patient_id="patient-1", prefetch=prefetch(statements=(statement,)))

        assert [card["indicator"] for card in gc_cards(call(client, PATIENT_VIEW, body))] == ["warning"]


class TestGcStart1Duration:
    def test_a_current_open_ended_course_of_one_month_asks_for_the_expected_duration(self, client: TestClient) -> None:
        statement = medication_statement(
            medication=PREDNISONE_5MG, start="2025-05-01", dosages=[dosage(dose=10, unit="mg", ucum="mg")]
        )
        body = hook_request(hook="patient-view", patient_id="patient-1", prefetch=prefetch(statements=(statement,)))

        [card] = gc_cards(call(client, PATIENT_VIEW, body))

        assert card["indicator"] == "info"
        assert card["extension"]["org.osteo-cds.trace"]["missing"] == ["glucocorticoid-duration"]
