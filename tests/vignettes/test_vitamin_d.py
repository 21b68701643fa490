"""Vitamin D and supplement vignette V34 (shared/clinical/vignettes.md §G) end to end. Today is 2025-06-01,
profile NL. Only the calcium / vitamin D / supplement rules are asserted (other families' cards may appear)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, cards_for, full_assessment, indicators
from tests.builders.fhir import (
    ZOLEDRONATE_5MG,
    atc,
    concept,
    creatinine_clearance,
    dosage,
    draft_medication_request,
    fracture,
    vitamin_d,
)

Json = dict[str, Any]


def zoledronate_order() -> Json:
    return draft_medication_request(
        medication=ZOLEDRONATE_5MG, dosages=[dosage(dose=5, unit="mg", ucum="mg", period_unit="a")]
    )


def alendronate_order() -> Json:
    return draft_medication_request(
        medication=atc("M05BA04", "alendronic acid"), dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")]
    )


def osteoporotic_woman(*resources: Json) -> PatientRecordBuilder:
    return PatientRecordBuilder(birth_date="1952-03-01", gender="female").add(
        fracture(site="vertebral", on="2024-11-01"), creatinine_clearance(value=60, on="2025-05-01"), *resources
    )


class TestV34aDeficientPatientOrderedZoledronate:
    """25-OH-D 15 ng/mL (2025-05-01), zoledronate ordered, no vitamin D prescribed."""

    def test_deficiency_and_missing_vitamin_d_are_both_warnings(self, client: TestClient) -> None:
        record = osteoporotic_woman(vitamin_d(value=15, unit="ng/mL", on="2025-05-01"))

        cards = call_hook(client, "order-select", record, draft_orders=[zoledronate_order()], language="en")

        assert indicators(cards, "VITD-1") == ["warning"]
        assert indicators(cards, "VITD-2") == ["warning"]
        [vitd1] = cards_for(cards, "VITD-1")
        assert vitd1["summary"] == (
            "25-OH-vitamin D 15 ng/mL (37.4 nmol/L) is <20 ng/mL: supplement 800-1000 IU/day (or 25,000 IU monthly)."
        )
        page = full_assessment(client, card_holding(cards, "VITD-1"))  # folded into the VITD-2 card
        for label in (
            "Start colecalciferol 800 IU daily",
            "Start colecalciferol 1000 IU daily",
            "Start colecalciferol 25,000 IU monthly",
            "25-OH vitamin D (ng/mL): 15 (2025-05-01)",
        ):
            assert label in page

    def test_dutch_card_localises_the_decimal_mark(self, client: TestClient) -> None:
        record = osteoporotic_woman(vitamin_d(value=15, unit="ng/mL", on="2025-05-01"))

        [card] = cards_for(call_hook(client, "order-select", record, draft_orders=[zoledronate_order()]), "VITD-1")

        assert card["summary"].startswith("25-OH-vitamine D 15 ng/ml (37,4 nmol/l) is <20 ng/ml")


class TestV34bExactly50NanomolesPerLitre:
    """25-OH-D exactly 50 nmol/L (= 20.0 ng/mL), no osteoporosis drug: not deficient (strict < 20)."""

    def record(self) -> PatientRecordBuilder:
        return osteoporotic_woman(vitamin_d(value=50, unit="nmol/L", on="2025-04-01"))

    def test_no_deficiency_card(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record())

        assert indicators(cards, "VITD-1") == []
        assert indicators(cards, "VITD-2") == []

    def test_ordering_an_antiresorptive_still_asks_for_vitamin_d(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[alendronate_order()])

        assert indicators(cards, "VITD-2") == ["info"]
        assert indicators(cards, "VITD-1") == []


class TestV34cNoVitaminDResult:
    def test_alendronate_ordered_without_a_25_oh_d_value(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", osteoporotic_woman(), draft_orders=[alendronate_order()])

        assert indicators(cards, "VITD-2") == ["info"]
        assert indicators(cards, "VITD-1") == []  # CI-HYPOCA-1 asks for the measurement at the order

    def test_patient_view_asks_to_measure_it(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", osteoporotic_woman(), language="en")

        [card] = cards_for(cards, "VITD-1")
        assert card["indicator"] == "info"
        assert card["summary"].startswith("Measure 25-OH-vitamin D")
        page = full_assessment(client, card_holding(cards, "VITD-1"))
        assert "Missing or outdated data 25-OH vitamin D" in page


class TestV34dVitaminK2ForBoneHealth:
    def test_order_select_of_vitamin_k2_in_a_patient_at_increased_risk(self, client: TestClient) -> None:
        order = draft_medication_request(
            medication=concept(text="Vitamine K2 (menaquinon-7) 100 microgram"),
            dosages=[dosage(dose=1, unit="capsule")],
        )

        cards = call_hook(client, "order-select", osteoporotic_woman(), draft_orders=[order], language="en")

        [card] = cards_for(cards, "SUPP-1")
        assert card["indicator"] == "info"
        assert card["summary"] == (
            "Guideline: do not prescribe magnesium or vitamin K (K1/K2) supplements to reduce fracture risk."
        )
        assert "Supplement ordered: Vitamine K2 (menaquinon-7) 100 microgram" in card["detail"]


class TestCalciumAndLifestyleInPatientView:
    def test_patient_with_a_vertebral_fracture_gets_calcium_and_lifestyle_advice(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", osteoporotic_woman(vitamin_d(value=30, on="2025-04-01")))

        assert indicators(cards, "CALC-1") == ["info"]
        assert indicators(cards, "LIFE-1") == ["info"]
        assert indicators(cards, "VITD-1") == []

    def test_calcium_carbonate_order_gets_the_salt_advice(self, client: TestClient) -> None:
        order = draft_medication_request(
            medication=atc("A12AA04", "calcium carbonate"), dosages=[dosage(dose=1250, unit="mg", ucum="mg")]
        )

        cards = call_hook(client, "order-select", osteoporotic_woman(), draft_orders=[order])

        assert indicators(cards, "CALC-2") == ["info"]
        assert indicators(cards, "CALC-1") == []  # calcium is being ordered
