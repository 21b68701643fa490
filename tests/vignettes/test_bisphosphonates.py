"""Bisphosphonate evaluation and drug-holiday vignettes end to end (vignettes.md V28, V29, V30): hook request with
complete prefetch in, cards out. Today is 2025-06-01 unless a vignette says otherwise. Only this slice's rule IDs
are asserted (other slices' rules fire too)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.deps import get_as_of
from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, cards_for, full_assessment, indicators
from tests.builders.fhir import (
    ZOLEDRONATE_5MG,
    dosage,
    draft_medication_request,
    dxa_bmd,
    dxa_t_score,
    fracture,
    medication_statement,
    prednisone_statement,
    rxnorm,
    zoledronate_infusion,
)

ALENDRONATE_70MG = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")
EVALUATION_RULES = ("BP-EVAL-1", "BP-HOLIDAY-1", "BP-CONT-1", "BP-MAX-1")

Json = dict[str, Any]


def dxa(on: str, *, ls: float, fn: float, th: float, bmd_ls: float) -> list[Json]:
    return [
        dxa_t_score(site="lumbar-spine", value=ls, on=on),
        dxa_t_score(site="femoral-neck", value=fn, on=on),
        dxa_t_score(site="total-hip", value=th, on=on),
        dxa_bmd(site="lumbar-spine", g_per_cm2=bmd_ls, on=on),
    ]


def weekly_alendronate(*, start: str, end: str | None = None) -> Json:
    return medication_statement(
        medication=ALENDRONATE_70MG,
        status="completed" if end else "active",
        start=start,
        end=end,
        dosages=[dosage(dose=70, frequency=1, period=1, period_unit="wk")],
    )


def v28() -> PatientRecordBuilder:
    """V28: 70-year-old woman, alendronate continuously since 2020-06-01; evaluation DXA 2025-05-15 (T_LS −2.3,
    T_FN −2.0, T_TH −1.8, BMD −2 % vs the pre-treatment DXA), VFA negative, no new risk factors."""
    record = PatientRecordBuilder(birth_date="1955-03-01", gender="female")
    record.add(weekly_alendronate(start="2020-06-01"))
    record.add(*dxa("2020-05-01", ls=-2.4, fn=-2.0, th=-1.8, bmd_ls=1.000))
    record.add(*dxa("2025-05-15", ls=-2.3, fn=-2.0, th=-1.8, bmd_ls=0.980))
    return record


@pytest.fixture
def client_on_2025_05_01(app: FastAPI) -> Iterator[TestClient]:
    """V28b's date: 4 years 11 months of alendronate."""
    app.dependency_overrides[get_as_of] = lambda: date(2025, 5, 1)
    with TestClient(app) as test_client:
        yield test_client


class TestV28ExactlyFiveYearsOfAlendronate:
    def test_holiday_criteria_met_so_stop_with_follow_up_on_2027_06_01(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", v28(), language="en")

        assert indicators(cards, "BP-HOLIDAY-1") == ["info"]
        for rule_id in ("BP-EVAL-1", "BP-CONT-1", "BP-MAX-1", "BP-FU-1", "BP-RESTART-1"):
            assert indicators(cards, rule_id) == [], rule_id
        [card] = cards_for(cards, "BP-HOLIDAY-1")
        assert "2027-06-01" in card["summary"]
        assert "Evaluation DXA: 2025-05-15" in card["detail"]
        [suggestion] = card["suggestions"]
        assert suggestion["actions"][0]["resource"]["occurrenceDateTime"] == "2027-06-01"

    def test_v28b_at_four_years_eleven_months_there_is_no_evaluation_card_yet(
        self, client_on_2025_05_01: TestClient
    ) -> None:
        record = PatientRecordBuilder(birth_date="1955-03-01", gender="female")
        record.add(weekly_alendronate(start="2020-06-01"), *dxa("2020-05-01", ls=-2.4, fn=-2.0, th=-1.8, bmd_ls=1.0))

        cards = call_hook(client_on_2025_05_01, "patient-view", record)

        for rule_id in EVALUATION_RULES:
            assert indicators(cards, rule_id) == [], rule_id

    def test_five_years_without_an_evaluation_warns_to_evaluate(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1955-03-01", gender="female")
        record.add(weekly_alendronate(start="2020-06-01"))

        cards = call_hook(client, "patient-view", record, language="nl")

        assert indicators(cards, "BP-EVAL-1") == ["warning"]
        assert indicators(cards, "BP-HOLIDAY-1") == []


def v29(*follow_up: Json) -> PatientRecordBuilder:
    """V29: alendronate 2018-05-15 → stopped (holiday) 2023-05-15, DXA at the holiday start."""
    record = PatientRecordBuilder(birth_date="1952-08-01", gender="female")
    record.add(weekly_alendronate(start="2018-05-15", end="2023-05-15"))
    record.add(*dxa("2023-05-01", ls=-2.3, fn=-2.0, th=-1.9, bmd_ls=1.000))
    record.add(*follow_up)
    return record


class TestV29HolidayFollowUpAndRestart:
    @pytest.mark.parametrize(
        ("follow_up", "restart"),
        [
            pytest.param(dxa("2025-05-20", ls=-2.5, fn=-2.0, th=-1.9, bmd_ls=0.990), True, id="V29a-T-exactly-2.5"),
            pytest.param(dxa("2025-05-20", ls=-2.4, fn=-2.0, th=-1.9, bmd_ls=0.960), False, id="V29b-T-2.4-loss-4"),
            pytest.param(dxa("2025-05-20", ls=-2.3, fn=-2.0, th=-1.9, bmd_ls=0.945), True, id="V29c-loss-5.5"),
            pytest.param(dxa("2025-05-20", ls=-2.3, fn=-2.0, th=-1.9, bmd_ls=0.950), False, id="V29d-loss-exactly-5"),
            pytest.param(
                [*dxa("2025-05-20", ls=-2.2, fn=-2.0, th=-1.9, bmd_ls=0.990), fracture(site="forearm", on="2025-03")],
                True,
                id="V29e-new-wrist-fracture",
            ),
        ],
    )
    def test_restart_criteria_on_the_two_year_follow_up(
        self, client: TestClient, follow_up: list[Json], restart: bool
    ) -> None:
        cards = call_hook(client, "patient-view", v29(*follow_up))

        assert indicators(cards, "BP-RESTART-1") == (["warning"] if restart else [])
        assert indicators(cards, "BP-FU-1") == []  # next follow-up 2027-05-20

    def test_v29f_no_follow_up_dxa_yet_is_overdue_since_2025_05_15(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", v29(), language="en")

        assert indicators(cards, "BP-FU-1") == ["warning"]
        [card] = cards_for(cards, "BP-FU-1")
        assert "2025-05-15" in card["summary"]
        assert indicators(cards, "BP-RESTART-1") == []
        for rule_id in EVALUATION_RULES:
            assert indicators(cards, rule_id) == [], rule_id


def v30(
    *, total_hip: float = -2.1, infusions: tuple[str, ...] = ("2022-03-01", "2023-03-01", "2024-03-01")
) -> PatientRecordBuilder:
    """V30: yearly zoledronate; evaluation 2025-02 (T_LS −2.2, T_FN −2.3, T_TH as given), no VF, BMD stable."""
    record = PatientRecordBuilder(birth_date="1950-09-01", gender="female")
    record.add(*(zoledronate_infusion(on=day) for day in infusions))
    record.add(*dxa("2021-12-01", ls=-2.3, fn=-2.3, th=-2.1, bmd_ls=0.900))
    record.add(*dxa("2025-02-10", ls=-2.2, fn=-2.3, th=total_hip, bmd_ls=0.905))
    return record


class TestV30ZoledronateAfterThreeInfusions:
    def test_holiday_with_follow_up_three_years_after_the_holiday_start(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", v30(), language="en")

        assert indicators(cards, "BP-HOLIDAY-1") == ["info"]
        [card] = cards_for(cards, "BP-HOLIDAY-1")
        assert "2028-03-01" in card["summary"]
        for rule_id in ("BP-EVAL-1", "BP-CONT-1", "BP-MAX-1", "BP-FU-1"):
            assert indicators(cards, rule_id) == [], rule_id

    def test_v30b_total_hip_minus_2_6_continues_to_six_infusions(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", v30(total_hip=-2.6), language="en")

        assert indicators(cards, "BP-CONT-1") == ["info"]
        assert indicators(cards, "BP-HOLIDAY-1") == []
        assert "T-score total hip: -2.6" in full_assessment(client, card_holding(cards, "BP-CONT-1"))

    def test_v30c_a_seventh_infusion_ordered_after_six_warns(self, client: TestClient) -> None:
        record = v30(infusions=("2019-07-01", "2020-07-01", "2021-07-01", "2022-07-01", "2023-07-01", "2024-07-01"))
        order = draft_medication_request(id="zol-7", medication=ZOLEDRONATE_5MG)

        cards = call_hook(client, "order-select", record, draft_orders=[order], language="en")

        assert indicators(cards, "BP-MAX-1") == ["warning"]
        assert indicators(cards, "BP-EVAL-1") == []
        [card] = cards_for(cards, "BP-MAX-1")
        assert "6 y zoledronate" in card["summary"]


class TestContinueDecisionNeverComesWithRestartAdvice:
    """Issue 16 defect 1: a decision to continue (holiday criteria not met) is not a drug holiday, so it never comes
    with BP-RESTART-1 advice; zoledronate is still the current treatment at its 3-year evaluation."""

    def test_zoledronate_evaluated_just_after_the_third_infusion_year_continues_without_restart_advice(
        self, client: TestClient
    ) -> None:
        # Third infusion 2024-03-01: its 12-month cover ends 2025-03-01, the day the evaluation is due; the
        # evaluation DXA of 2025-03-10 (T total hip −2.6) decides: continue to 6 infusions.
        record = PatientRecordBuilder(birth_date="1950-09-01", gender="female")
        record.add(*(zoledronate_infusion(on=day) for day in ("2022-03-01", "2023-03-01", "2024-03-01")))
        record.add(*dxa("2021-12-01", ls=-2.3, fn=-2.3, th=-2.1, bmd_ls=0.900))
        record.add(*dxa("2025-03-10", ls=-2.2, fn=-2.3, th=-2.6, bmd_ls=0.905))

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "BP-CONT-1") == ["info"]
        assert indicators(cards, "BP-RESTART-1") == []
        assert indicators(cards, "BP-FU-1") == []

    def test_alendronate_supply_ended_at_five_years_and_evaluation_says_continue_gets_no_restart_advice(
        self, client: TestClient
    ) -> None:
        # Five years of alendronate ended 2025-05-01 (statement completed); the evaluation DXA after it (T LS −2.6)
        # does not meet the holiday criteria: continue, not "restart during the holiday".
        record = PatientRecordBuilder(birth_date="1955-03-01", gender="female")
        record.add(weekly_alendronate(start="2020-05-01", end="2025-05-01"))
        record.add(*dxa("2020-04-01", ls=-2.4, fn=-2.0, th=-1.8, bmd_ls=1.000))
        record.add(*dxa("2025-05-20", ls=-2.6, fn=-2.0, th=-1.8, bmd_ls=0.990))

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "BP-CONT-1") == ["info"]
        assert indicators(cards, "BP-RESTART-1") == []

    def test_prednisone_user_at_her_zoledronate_three_year_evaluation_is_not_told_to_start_bone_protection(
        self, client: TestClient
    ) -> None:
        record = PatientRecordBuilder(birth_date="1950-09-01", gender="female")
        record.add(*(zoledronate_infusion(on=day) for day in ("2022-03-01", "2023-03-01", "2024-03-01")))
        record.add(prednisone_statement(mg_per_day=10, start="2024-06-01"))

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "GC-START-1") == []
        assert indicators(cards, "BP-EVAL-1") == ["warning"]
