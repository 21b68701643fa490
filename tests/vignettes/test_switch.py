"""Switching vignettes end to end (shared/clinical/vignettes.md V22, V24, V33; today 2025-06-01).

V16 and V32 (oral-bisphosphonate GI intolerance → SWITCH-GI-1 / GC-SWITCH-1) are not here: SWITCH-GI-1 is still
pending because the service does not yet read intolerance records (see tests/rules/test_catalog.py).
Only the SWITCH cards are asserted; absence is asserted per rule ID.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.builders.cds import PatientRecordBuilder, call_hook, cards_for, indicators
from tests.builders.fhir import atc, denosumab_injection, draft_medication_request, dxa_t_score, fracture
from tests.builders.fhir import medication_statement as statement

ALENDRONATE = atc("M05BA04", "alendronic acid")
ROMOSOZUMAB = atc("M05BX06", "romosozumab")


def vf(on: str, grade: int | None = None) -> dict[str, Any]:
    return fracture(site="vertebral", on=on, stage=None if grade is None else f"Genant graad {grade}")


class TestV33NewFractureOnAlendronate:
    def test_v33a_vertebral_fracture_after_two_years_is_therapy_failure(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1955-04-01", gender="female").add(
            statement(medication=ALENDRONATE, start="2023-01-10"), vf("2025-03-01")
        )

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "SWITCH-FAIL-1") == ["warning"]
        [card] = cards_for(cards, "SWITCH-FAIL-1")
        assert card["summary"].startswith("Therapy failure on oral bisphosphonate")
        labels = [s["label"] for s in card["suggestions"]]
        assert labels[0].startswith("Switch to zoledronic acid") and labels[-1].startswith("Alendronic acid oral")
        # bone-forming criteria are evaluated: no DXA and an ungraded VF → "VFA/DXA needed"
        assert indicators(cards, "SWITCH-FAIL-2") == ["info"]
        assert "VFA/DXA needed" in cards_for(cards, "SWITCH-FAIL-2")[0]["summary"]

    def test_v33b_wrist_fracture_after_8_months_is_not_failure(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1955-04-01", gender="female").add(
            statement(medication=ALENDRONATE, start="2024-09-01"), fracture(site="forearm", on="2025-05-01")
        )

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "SWITCH-FAIL-1") == ["info"]
        assert indicators(cards, "SWITCH-FAIL-2") == []


class TestV22ThirdFractureInAMan:
    def test_hip_fracture_after_18_months_of_alendronate_is_failure(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1953-02-01", gender="male").add(
            vf("2021-06-01", 2),
            vf("2022-02-01", 2),
            statement(medication=ALENDRONATE, start="2023-11-01"),
            fracture(site="hip", on="2025-05-10"),
            dxa_t_score(site="femoral-neck", value=-2.4, on="2025-05-20"),
        )

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "SWITCH-FAIL-1") == ["warning"]
        assert indicators(cards, "SWITCH-FAIL-2") == ["info"]
        [card] = cards_for(cards, "SWITCH-FAIL-2")
        assert "(teriparatide)" in card["summary"]  # romosozumab is for postmenopausal women only


SIX_MONTHLY = (
    "2021-04-01",
    "2021-10-01",
    "2022-04-01",
    "2022-10-01",
    "2023-04-01",
    "2023-10-01",
    "2024-04-01",
    "2024-10-01",
    "2025-04-01",
)


class TestV24FractureOnLongTermDenosumab:
    """74-year-old woman, denosumab for 4 years, last injection 2025-04-01, new vertebral fracture."""

    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1951-01-15", gender="female").add(
            *(denosumab_injection(on=day) for day in SIX_MONTHLY), vf("2025-05-01", 2)
        )

    def test_fracture_on_denosumab_is_therapy_failure(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(), language="en")

        assert indicators(cards, "SWITCH-FAIL-1") == ["warning"]
        assert "Never teriparatide" in cards_for(cards, "SWITCH-FAIL-1")[0]["detail"]

    def test_romosozumab_ordered_after_long_term_denosumab_warns(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-romo", medication=ROMOSOZUMAB)

        cards = call_hook(client, "order-select", self.record(), draft_orders=[order])

        assert indicators(cards, "SWITCH-DMAB-ROMO-1") == ["warning"]
        assert "4,5 jaar" in cards_for(cards, "SWITCH-DMAB-ROMO-1")[0]["summary"]

    def test_no_switch_card_without_a_romosozumab_order(self, client: TestClient) -> None:
        assert indicators(call_hook(client, "patient-view", self.record()), "SWITCH-DMAB-ROMO-1") == []
