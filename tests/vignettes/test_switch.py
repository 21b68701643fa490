"""Switching vignettes end to end (shared/clinical/vignettes.md V22, V24, V32, V33; today 2025-06-01).

V16 (the GC user with upper-GI intolerance: GC-SWITCH-1 over SWITCH-GI-1) is in test_glucocorticoids.py.
SWITCH-ADH-1 has no numbered vignette; its cases follow rules.md SWITCH-ADH-1 and conflicts.md C-31.
Only the SWITCH cards are asserted; absence is asserted per rule ID.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, cards_for, full_assessment, indicators
from tests.builders.fhir import (
    atc,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    dxa_t_score,
    fracture,
    observation,
    oral_bisphosphonate_intolerance,
)
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
        assert labels[0].startswith("Switch to zoledronic acid") and len(labels) == 2
        assert "Alendronic acid oral" in full_assessment(client, card)  # the other options, one click away
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
        assert "Never teriparatide" in full_assessment(client, card_holding(cards, "SWITCH-FAIL-1"))

    def test_romosozumab_ordered_after_long_term_denosumab_warns(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-romo", medication=ROMOSOZUMAB)

        cards = call_hook(client, "order-select", self.record(), draft_orders=[order])

        assert indicators(cards, "SWITCH-DMAB-ROMO-1") == ["warning"]
        assert "4,5 jaar" in cards_for(cards, "SWITCH-DMAB-ROMO-1")[0]["summary"]

    def test_no_switch_card_without_a_romosozumab_order(self, client: TestClient) -> None:
        assert indicators(call_hook(client, "patient-view", self.record()), "SWITCH-DMAB-ROMO-1") == []


class TestV32UpperGiComplaintsOnAlendronate:
    """68-year-old woman on alendronate since 2024-03-01 with upper-GI complaints recorded 2025-04-10 (no GC)."""

    def record(self, crcl: float = 60) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1957-02-01", gender="female").add(
            statement(medication=ALENDRONATE, start="2024-03-01"),
            creatinine_clearance(value=crcl, on="2025-05-01"),
            oral_bisphosphonate_intolerance(id="ai-v32", onset="2025-04-10", manifestation="Upper abdominal pain"),
        )

    def test_switch_to_the_oral_solution_or_parenteral(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(), language="en")

        assert indicators(cards, "SWITCH-GI-1") == ["warning"]
        [card] = cards_for(cards, "SWITCH-GI-1")
        assert card["summary"] == (
            "Oral bisphosphonate side effects: switch to alendronate oral solution or parenteral"
            " (zoledronate yearly / denosumab 6-monthly)."
        )
        labels = [s["label"] for s in card["suggestions"]]
        assert labels == [
            "Switch to alendronic acid oral solution 70 mg once weekly",
            "Switch to zoledronic acid 5 mg intravenously once yearly",
        ]
        assert "alendronate: Upper abdominal pain (2025-04-10)" in card["detail"]
        page = full_assessment(client, card)
        assert "Switch to denosumab 60 mg subcutaneously every 6 months" in page
        assert "free text" in page  # the documented limitation
        assert indicators(cards, "TX-CHOICE-2") == []  # same advice, one card

    def test_zoledronate_is_not_suggested_at_crcl_32(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(crcl=32), language="en")

        [card] = cards_for(cards, "SWITCH-GI-1")
        labels = [s["label"] for s in card["suggestions"]]
        assert not any("zoledronic" in label for label in labels)
        assert "CI-EGFR-1" in card["detail"]

    def test_re_ordering_tablets_warns_at_order_select(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-aln", medication=ALENDRONATE)

        cards = call_hook(client, "order-select", self.record(), draft_orders=[order])

        assert indicators(cards, "SWITCH-GI-1") == ["warning"]

    def test_no_card_without_a_coded_intolerance(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1957-02-01", gender="female").add(
            statement(medication=ALENDRONATE, start="2024-03-01")
        )

        assert indicators(call_hook(client, "patient-view", record), "SWITCH-GI-1") == []


def ctx_result(value: float, on: str) -> dict[str, Any]:
    return observation(code="41171-0", value=value, unit="pg/mL", on=on)


def p1np_result(value: float, on: str) -> dict[str, Any]:
    return observation(code="77370-5", value=value, unit="ug/L", on=on)


def markers(*, ctx: tuple[float, float], p1np: tuple[float, float]) -> list[dict[str, Any]]:
    """s-CTX (pg/mL) and P1NP (µg/L) at the start (2025-01-15) and ~3 months later (2025-04-15)."""
    return [
        ctx_result(ctx[0], "2025-01-15"),
        ctx_result(ctx[1], "2025-04-15"),
        p1np_result(p1np[0], "2025-01-15"),
        p1np_result(p1np[1], "2025-04-15"),
    ]


class TestAdherenceOnAlendronateByBoneTurnoverMarkers:
    """Woman of 70, alendronate since 2025-01-15; s-CTX and P1NP at the start and on 2025-04-15 (C-31)."""

    def record(self, *markers: dict[str, Any]) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1955-01-01", gender="female").add(
            statement(medication=ALENDRONATE, start="2025-01-15"), *markers
        )

    def test_neither_marker_fell_enough_warns_with_the_values_and_dates(self, client: TestClient) -> None:
        record = self.record(*markers(ctx=(500, 400), p1np=(60, 55)))

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "SWITCH-ADH-1") == ["warning"]
        [card] = cards_for(cards, "SWITCH-ADH-1")
        assert "taken with food" in full_assessment(client, card)  # common intake errors
        assert "s-CTX at start: 500 pg/ml (2025-01-15)" in card["detail"]
        assert "s-CTX after ~3 months: 400 pg/ml (2025-04-15)" in card["detail"]
        assert "s-CTX decrease (%; good adherence at ≥ 31 %): 20.0" in full_assessment(client, card)

    def test_only_one_marker_fell_enough_is_info(self, client: TestClient) -> None:
        record = self.record(*markers(ctx=(500, 300), p1np=(60, 55)))

        assert indicators(call_hook(client, "patient-view", record), "SWITCH-ADH-1") == ["info"]

    def test_both_markers_fell_enough_means_good_adherence_and_no_card(self, client: TestClient) -> None:
        record = self.record(*markers(ctx=(500, 300), p1np=(60, 40)))

        assert indicators(call_hook(client, "patient-view", record), "SWITCH-ADH-1") == []

    def test_no_markers_and_no_dispenses_gives_no_card(self, client: TestClient) -> None:
        assert indicators(call_hook(client, "patient-view", self.record()), "SWITCH-ADH-1") == []
