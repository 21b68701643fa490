"""Vignettes of treatment indication and drug choice end to end (vignettes.md V23c, V35a; TX parts of V17/V19).

Hook request with complete prefetch in, cards out; today is 2025-06-01. Assertions are per rule ID.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, cards_for, full_assessment, indicators
from tests.builders.fhir import (
    atc,
    creatinine_clearance,
    draft_medication_request,
    dxa_t_score,
    medication_statement,
)

ALENDRONATE = atc("M05BA04", "alendronic acid")
RALOXIFENE = atc("G03XC01", "raloxifene")


def order(medication: dict[str, Any], *, id: str = "draft-1") -> dict[str, Any]:
    return draft_medication_request(id=id, medication=medication)


def suggested_atc_codes(card: dict[str, Any]) -> set[str]:
    return {
        coding["code"]
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action["resource"]["resourceType"] == "MedicationRequest"
        for coding in action["resource"]["medicationCodeableConcept"]["coding"]
        if coding["system"] == "http://www.whocc.no/atc"
    }


class TestV23cRaloxifeneForA60YearOldNonSmokerWithVertebralOnlyRisk:
    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1965-01-15", gender="female").add(
            dxa_t_score(site="lumbar-spine", value=-2.6, on="2025-04-01"),
            dxa_t_score(site="total-hip", value=-1.8, on="2025-04-01"),
            dxa_t_score(site="femoral-neck", value=-1.9, on="2025-04-01"),
        )

    def test_tx_choice_1_reminds_that_oral_bisphosphonate_is_first_choice(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[order(RALOXIFENE)], language="en")

        [card] = cards_for(cards, "TX-CHOICE-1")
        assert card["indicator"] == "info"
        assert card["summary"].startswith("First-choice fracture prevention is oral alendronate or risedronate")
        page = full_assessment(client, card_holding(cards, "TX-CHOICE-1"))
        assert "alendronic acid 70 mg" in page and "risedronic acid 35 mg" in page

    def test_she_is_eligible_for_a_serm_so_no_tx_choice_3_card(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[order(RALOXIFENE)])

        assert indicators(cards, "TX-CHOICE-3") == []

    def test_no_critical_serm_contraindication_card(self, client: TestClient) -> None:
        cards = call_hook(client, "order-select", self.record(), draft_orders=[order(RALOXIFENE)])

        assert "critical" not in indicators(cards, "CI-SERM-1")


class TestV35aSixtyYearOldWomanWithLumbarTMinus3Point6:
    def record(self, *extra: dict[str, Any]) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1965-01-15", gender="female").add(
            dxa_t_score(site="lumbar-spine", value=-3.6, on="2025-04-01"),
            dxa_t_score(site="femoral-neck", value=-2.1, on="2025-04-01"),
            *extra,
        )

    def test_tx_ind_1_warns_very_high_risk_untreated(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(), language="en")

        [card] = cards_for(cards, "TX-IND-1")
        assert card["indicator"] == "warning"
        assert card["summary"].startswith("Very high fracture risk (recent MOF or T ≤ -3.5), untreated")
        assert suggested_atc_codes(card) == {"M05BA04", "M05BA07", "A11CC05"}

    def test_v35b_t_exactly_minus_3_5_is_still_very_high(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1965-01-15", gender="female").add(
            dxa_t_score(site="lumbar-spine", value=-3.5, on="2025-04-01")
        )

        [card] = cards_for(call_hook(client, "patient-view", record, language="en"), "TX-IND-1")

        assert card["summary"].startswith("Very high")

    def test_v35c_t_exactly_minus_2_5_is_high(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1965-01-15", gender="female").add(
            dxa_t_score(site="lumbar-spine", value=-2.5, on="2025-04-01")
        )

        [card] = cards_for(call_hook(client, "patient-view", record, language="en"), "TX-IND-1")

        assert card["summary"].startswith("High fracture risk without osteoporosis medication")

    def test_at_crcl_25_no_bisphosphonate_is_suggested(self, client: TestClient) -> None:
        cards = call_hook(
            client, "patient-view", self.record(creatinine_clearance(value=25, on="2025-05-20")), language="en"
        )

        [card] = cards_for(cards, "TX-IND-1")
        assert suggested_atc_codes(card) == {"M05BX04", "A11CC05"}
        assert "alendronate (CI-EGFR-2)" in card["detail"]

    def test_once_on_alendronate_there_is_no_treatment_gap_card(self, client: TestClient) -> None:
        record = self.record(medication_statement(medication=ALENDRONATE, start="2025-01-01"))

        assert indicators(call_hook(client, "patient-view", record), "TX-IND-1") == []


class TestPatientOnAlendronateWhoseRenalFunctionFalls:
    def test_tx_choice_2_offers_denosumab_only(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1945-01-15", gender="female").add(
            medication_statement(medication=ALENDRONATE, start="2024-01-01"),
            creatinine_clearance(value=26, on="2025-05-20"),
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "TX-CHOICE-2") == ["info"]
        assert indicators(cards, "CI-EGFR-2") == ["warning"]
        [card] = cards_for(cards, "CI-EGFR-2")  # the contraindication leads; the second choice is folded into it
        assert suggested_atc_codes(card) == {"M05BX04"}
