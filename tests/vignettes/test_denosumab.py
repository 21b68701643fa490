"""Denosumab vignettes end to end (vignettes.md V15c, V24, V25, V26, V14): hook request with complete prefetch in,
cards out. Today is 2025-06-01. Only this slice's rule IDs are asserted (other slices' rules fire too)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.snapshot.model import add_months
from tests.builders.cds import PatientRecordBuilder, call_hook, cards_for, full_assessment, indicators
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    atc,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_request,
    prednisone_statement,
)

Json = dict[str, Any]


def continuing_denosumab(last: str, *, count: int = 4, birth_date: str = "1955-02-01") -> PatientRecordBuilder:
    """A patient continuing denosumab (active order), injections 6 months apart, the last on ``last``."""
    record = PatientRecordBuilder(birth_date=birth_date, gender="female")
    record.add(medication_request(medication=DENOSUMAB_60MG, authored_on="2021-01-01"))
    final = date.fromisoformat(last)
    for i in reversed(range(count)):
        record.add(denosumab_injection(on=add_months(final, -6 * i).isoformat()))
    return record


class TestV25DenosumabDosingInterval:
    @pytest.mark.parametrize(
        ("last", "indicator"),
        [
            pytest.param("2024-12-01", "info", id="V25a-exactly-6-months-due-today"),
            pytest.param("2024-11-10", "warning", id="V25b-6-months-22-days-overdue"),
            pytest.param("2024-11-01", "warning", id="V25c-exactly-7-months-still-warning"),
            pytest.param("2024-10-20", "critical", id="V25d-7-months-12-days-rebound-risk"),
            pytest.param("2023-10-01", "warning", id="V25e-20-months-lapsed"),
        ],
    )
    def test_the_interval_card_escalates_with_the_months_since_the_last_injection(
        self, client: TestClient, last: str, indicator: str
    ) -> None:
        cards = call_hook(client, "patient-view", continuing_denosumab(last))

        assert indicators(cards, "DMAB-INTERVAL-1") == [indicator]
        assert indicators(cards, "DMAB-STOP-1") == []  # continuing, not stopped

    def test_the_critical_card_offers_the_injection_or_a_transition_today(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", continuing_denosumab("2024-10-20"), language="en")

        [card] = cards_for(cards, "DMAB-INTERVAL-1")
        assert card["summary"].startswith("Denosumab >7 months since last dose")
        assert [s["label"] for s in card["suggestions"]] == [
            "Give denosumab 60 mg SC",
            "Stopping intended: zoledronic acid 5 mg IV now (check renal function)",
        ]

    def test_the_due_card_names_the_date_in_dutch(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", continuing_denosumab("2024-12-01"), language="nl")

        [card] = cards_for(cards, "DMAB-INTERVAL-1")
        assert "2025-06-01" in card["summary"]
        assert "Laatste denosumab-injectie: 2024-12-01" in card["detail"]


def v26(*, crcl: float) -> tuple[PatientRecordBuilder, Json]:
    """V26: injections 2023-06-15 … 2024-12-15 (DMAB_YEARS 2.0), stop ordered, CrCl ``crcl``."""
    record = PatientRecordBuilder(birth_date="1950-04-01", gender="female")
    for day in ("2023-06-15", "2023-12-15", "2024-06-15", "2024-12-15"):
        record.add(denosumab_injection(on=day))
    record.add(creatinine_clearance(value=crcl, on="2025-05-10"))
    stop = draft_medication_request(id="dmab-stop", medication=DENOSUMAB_60MG, status="stopped")
    return record, stop


def atc_code(medication_request: Json) -> str:
    """The ATC code of a suggested MedicationRequest (its codings list RxNorm before ATC)."""
    [code] = [
        c["code"]
        for c in medication_request["medicationCodeableConcept"]["coding"]
        if c["system"] == "http://www.whocc.no/atc"
    ]
    return str(code)


class TestV26StopOrderAfterTwoYears:
    def test_the_stop_is_critical_with_the_short_scheme_dated_2025_06_15(self, client: TestClient) -> None:
        record, stop = v26(crcl=60)

        cards = call_hook(client, "order-sign", record, draft_orders=[stop], language="en")

        [card] = cards_for(cards, "DMAB-STOP-1")
        assert card["indicator"] == "critical"
        assert "2025-06-15" in card["summary"]
        assert "stop scheme < 3 years" in full_assessment(client, card)
        assert card["overrideReasons"]

    def test_suggestions_create_dated_zoledronate_or_alendronate_or_delete_the_stop(self, client: TestClient) -> None:
        record, stop = v26(crcl=60)

        [card] = cards_for(call_hook(client, "order-sign", record, draft_orders=[stop]), "DMAB-STOP-1")

        zoledronate, alendronate, keep = card["suggestions"]
        first = zoledronate["actions"][0]["resource"]
        assert atc_code(first) == "M05BA08"
        assert first["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["start"] == "2025-06-15"
        dxa = zoledronate["actions"][-1]["resource"]
        assert dxa["resourceType"] == "ServiceRequest" and dxa["occurrenceDateTime"] == "2026-06-15"
        assert atc_code(alendronate["actions"][0]["resource"]) == "M05BA04"
        assert keep["actions"] == [
            {"type": "delete", "description": keep["label"], "resourceId": "MedicationRequest/dmab-stop"}
        ]

    def test_the_same_stop_at_order_select_is_critical_too(self, client: TestClient) -> None:
        record, stop = v26(crcl=60)

        assert indicators(call_hook(client, "order-select", record, draft_orders=[stop]), "DMAB-STOP-1") == ["critical"]

    def test_v26b_crcl_32_offers_alendronate_only(self, client: TestClient) -> None:
        record, stop = v26(crcl=32)

        [card] = cards_for(call_hook(client, "order-sign", record, draft_orders=[stop], language="en"), "DMAB-STOP-1")

        assert card["indicator"] == "critical"
        assert "rules out zoledronate" in card["summary"]
        codes = [
            atc_code(a["resource"])
            for s in card["suggestions"]
            for a in s["actions"]
            if a.get("resource", {}).get("resourceType") == "MedicationRequest"
        ]
        assert codes == ["M05BA04"]

    def test_v26c_crcl_24_advises_continuing_denosumab(self, client: TestClient) -> None:
        record, stop = v26(crcl=24)

        [card] = cards_for(call_hook(client, "order-sign", record, draft_orders=[stop], language="en"), "DMAB-STOP-1")

        assert card["indicator"] == "critical"
        assert card["summary"].startswith("Do not stop denosumab")
        assert [a["type"] for s in card["suggestions"] for a in s["actions"]] == ["delete"]

    def test_a_stop_together_with_a_zoledronate_order_for_2025_06_15_passes(self, client: TestClient) -> None:
        record, stop = v26(crcl=60)
        zoledronate = draft_medication_request(id="zol", medication=atc("M05BA08", "zoledronic acid"))

        cards = call_hook(client, "order-sign", record, draft_orders=[stop, zoledronate])

        assert indicators(cards, "DMAB-STOP-1") == []


class TestV15cDenosumabStartedForGlucocorticoids:
    """V15c: 59-year-old man, prednisone stopped, DXA T_LS −2.0 / hip −1.7, VFA negative, no fracture in 2 years,
    bone drug denosumab (4 injections) → no plain stop: DMAB-STOP-1 critical with the < 3-year scheme."""

    def record(self) -> PatientRecordBuilder:
        record = PatientRecordBuilder(birth_date="1966-01-10", gender="male")
        record.add(prednisone_statement(mg_per_day=10, start="2022-09-01", end="2025-02-01", status="completed"))
        record.add(medication_request(medication=DENOSUMAB_60MG, authored_on="2023-09-01"))
        for day in ("2023-09-01", "2024-03-01", "2024-09-01", "2025-03-01"):
            record.add(denosumab_injection(on=day))
        record.add(
            dxa_t_score(site="lumbar-spine", value=-2.0, on="2025-05-01"),
            dxa_t_score(site="femoral-neck", value=-1.7, on="2025-05-01"),
            dxa_t_score(site="total-hip", value=-1.7, on="2025-05-01"),
        )
        return record

    def test_patient_view_warns_never_to_stop_denosumab_plainly(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record(), language="en")

        [card] = cards_for(cards, "DMAB-STOP-1")
        assert card["indicator"] == "critical"
        assert "2025-09-01" in card["summary"]
        assert "stop scheme < 3 years" in full_assessment(client, card)
        assert indicators(cards, "DMAB-INTERVAL-1") == []  # next dose not due before 2025-09-01 − 4 weeks


class TestV24TeriparatideOrderedInADenosumabPatient:
    """V24 (denosumab side): 4 years of denosumab, last injection 2025-04-01, teriparatide ordered. Denosumab must
    continue: no stop card, no interval card (nothing overdue), no 3-year evaluation card at an order of another
    drug."""

    def test_the_denosumab_rules_stay_silent_on_a_teriparatide_order(self, client: TestClient) -> None:
        record = continuing_denosumab("2025-04-01", count=8, birth_date="1951-01-01")
        teriparatide = draft_medication_request(id="tptd", medication=atc("H05AA02", "teriparatide"))

        cards = call_hook(client, "order-select", record, draft_orders=[teriparatide])

        for rule_id in ("DMAB-STOP-1", "DMAB-INTERVAL-1", "DMAB-EVAL-1", "DMAB-START-1"):
            assert indicators(cards, rule_id) == [], rule_id


class TestV14DenosumabChosenAsFirstDrug:
    def test_a_first_denosumab_order_gets_the_commitment_card(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1965-01-10", gender="male")
        order = draft_medication_request(id="dmab", medication=DENOSUMAB_60MG)

        cards = call_hook(client, "order-select", record, draft_orders=[order], language="en")

        assert indicators(cards, "DMAB-START-1") == ["info"]
        assert indicators(cards, "DMAB-INTERVAL-1") == []
        [card] = cards_for(cards, "DMAB-START-1")
        assert card["summary"].startswith("Denosumab must be given every 6 months")


def stopped_denosumab(*, last: str = "2024-10-01", count: int = 4) -> PatientRecordBuilder:
    """A 72-year-old woman whose denosumab order was stopped; injections 6 months apart, the last on ``last``."""
    record = PatientRecordBuilder(birth_date="1953-02-01", gender="female")
    record.add(medication_request(medication=DENOSUMAB_60MG, authored_on="2023-01-01", status="stopped"))
    final = date.fromisoformat(last)
    for i in reversed(range(count)):
        record.add(denosumab_injection(on=add_months(final, -6 * i).isoformat()))
    return record


class TestDenosumabLapseStatesTheRealDates:
    """Issue 16 defect 3: when the transition is overdue, or the follow-on bisphosphonate came too early, the card
    states the real dates (last injection, when the transition was due, what was given and when), never "today,
    6 months after the last injection"; one lapse gives one critical card."""

    def test_transition_two_months_overdue_names_the_due_date_and_the_last_injection(self, client: TestClient) -> None:
        # Last injection 2024-10-01 → transition due 2025-04-01; today 2025-06-01, nothing given.
        cards = call_hook(client, "patient-view", stopped_denosumab(), language="en")

        [card] = cards_for(cards, "DMAB-STOP-1")
        assert card["indicator"] == "critical"
        assert "2025-04-01" in card["summary"]
        assert "2024-10-01" in card["summary"]
        assert "6 months after the last injection" not in card["summary"]
        page = full_assessment(client, card)
        assert "the transition was due 2025-04-01, 6 months after the last injection of 2024-10-01" in page

    def test_one_lapse_gives_one_critical_card(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", stopped_denosumab(), language="en")

        denosumab_cards = [c for c in cards if c["summary"].lower().count("denosumab")]
        assert [c["indicator"] for c in denosumab_cards].count("critical") == 1
        assert indicators(cards, "DMAB-STOP-1") == ["critical"]
        assert indicators(cards, "DMAB-INTERVAL-1") == []

    def test_alendronate_started_three_months_after_the_last_injection_is_named_as_too_early(
        self, client: TestClient
    ) -> None:
        record = stopped_denosumab()
        record.add(
            medication_request(
                medication=atc("M05BA04", "alendronic acid"), authored_on="2025-01-02", status="completed"
            )
        )

        cards = call_hook(client, "patient-view", record, language="en")

        [card] = cards_for(cards, "DMAB-STOP-1")
        assert card["indicator"] == "critical"
        assert "2025-01-02" in card["summary"]
        assert "2025-04-01" in card["summary"] or "2025-04-01" in card["detail"]
        assert "6 months after the last injection" not in card["summary"]
        assert indicators(cards, "DMAB-INTERVAL-1") == []


class TestGlucocorticoidStopAndDenosumabStopAgree:
    """Issue 16: GC-STOP-1 and the DMAB-STOP-1 glucocorticoid exception read one clause (predicates.gc_stop_criteria),
    so a GC-STOP-1 card that points to the denosumab stop scheme always comes with DMAB-STOP-1, and a "continue"
    never does. V15c's man (prednisone 2022-09 → 2025-02, denosumab since 2023-09) with one change each."""

    @staticmethod
    def record(*, dxa_on: str = "2025-05-01", extra: tuple[Json, ...] = ()) -> PatientRecordBuilder:
        record = PatientRecordBuilder(birth_date="1966-01-10", gender="male")
        record.add(prednisone_statement(mg_per_day=10, start="2022-09-01", end="2025-02-01", status="completed"))
        record.add(medication_request(medication=DENOSUMAB_60MG, authored_on="2023-09-01"))
        for day in ("2023-09-01", "2024-03-01", "2024-09-01", "2025-03-01"):
            record.add(denosumab_injection(on=day))
        record.add(
            dxa_t_score(site="lumbar-spine", value=-2.0, on=dxa_on),
            dxa_t_score(site="total-hip", value=-1.7, on=dxa_on),
            *extra,
        )
        return record

    @pytest.mark.parametrize(
        "record",
        [
            pytest.param(
                record(extra=(fracture(site="vertebral", on="2019-04-01", stage="Genant graad 1"),)),
                id="old-grade-1-vertebral-fracture-does-not-continue",
            ),
            pytest.param(record(dxa_on="2025-02-01"), id="dxa-on-the-stop-day-counts"),
        ],
    )
    def test_stop_criteria_met_gives_the_denosumab_transition(
        self, client: TestClient, record: PatientRecordBuilder
    ) -> None:
        cards = call_hook(client, "patient-view", record, language="en")

        [card] = cards_for(cards, "GC-STOP-1")
        assert "never just stop denosumab" in card["summary"]
        assert indicators(cards, "DMAB-STOP-1") == ["critical"]

    def test_a_fracture_dated_only_2023_may_be_recent_so_both_say_continue(self, client: TestClient) -> None:
        record = self.record(extra=(fracture(site="forearm", on="2023"),))

        cards = call_hook(client, "patient-view", record, language="en")

        [card] = cards_for(cards, "GC-STOP-1")
        assert card["summary"].startswith("GC stopped but")  # the continue variant
        assert indicators(cards, "DMAB-STOP-1") == []


class TestOnTheDayTheNextDenosumabDoseIsDue:
    """Issue 16 item 7 (a derived window that ends at the moment it is needed): the 6-month cover of an injection
    ended the day before the next dose was due, so on that day the patient looked untreated. A 67-year-old woman on
    prednisone 10 mg since 2024-06-01, denosumab every 6 months (administrations only), the last on 2024-12-01."""

    def test_she_is_on_denosumab_and_not_told_to_start_bone_protection(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1958-03-01", gender="female")
        record.add(prednisone_statement(mg_per_day=10, start="2024-06-01"))
        for day in ("2023-12-01", "2024-06-01", "2024-12-01"):
            record.add(denosumab_injection(on=day))

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "DMAB-INTERVAL-1") == ["info"]  # due today
        assert indicators(cards, "GC-START-1") == []
