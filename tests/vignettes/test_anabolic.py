"""Anabolic vignettes end to end (shared/clinical/vignettes.md V19, V20, V21, V22, V39; today 2025-06-01).

Hook request with complete prefetch in, cards out. Only the ANABOLIC cards are asserted (other slices' rules
fire too); absence is asserted per rule ID.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.main import create_app
from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, cards_for, full_assessment, indicators
from tests.builders.fhir import (
    atc,
    condition,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_administration,
    medication_statement,
)
from tests.conftest import AS_OF

ROMOSOZUMAB = atc("M05BX06", "romosozumab")
TERIPARATIDE = atc("H05AA02", "teriparatide")
ALENDRONATE = atc("M05BA04", "alendronic acid")
NOT_FOR_MEN = ("romosozumab is alleen voor postmenopauzale vrouwen", "romosozumab is for postmenopausal women only")


@pytest.fixture
def be_client(settings: Settings) -> Iterator[TestClient]:
    """The service configured with the Belgian profile (otherwise the test settings of tests/conftest.py)."""
    app = create_app(settings.model_copy(update={"profile": "be"}))
    app.dependency_overrides[get_as_of] = lambda: AS_OF
    with TestClient(app) as client:
        yield client


def vf(grade: int, on: str) -> dict[str, Any]:
    return fracture(site="vertebral", on=on, stage=f"Genant graad {grade}")


def t_scores(*, on: str = "2025-04-01", **sites: float) -> list[dict[str, Any]]:
    return [dxa_t_score(site=site.replace("_", "-"), value=value, on=on) for site, value in sites.items()]


def monthly_romosozumab(count: int, *, first_year: int, first_month: int, day: int) -> list[dict[str, Any]]:
    doses = []
    for i in range(count):
        year, month = divmod(first_month - 1 + i, 12)
        when = f"{first_year + year:04d}-{month + 1:02d}-{day:02d}"
        doses.append(medication_administration(medication=ROMOSOZUMAB, on=when))
    return doses


class TestV19RomosozumabOrderedAfterMyocardialInfarction:
    """70-year-old postmenopausal woman, T_TH −2.7, T_FN −2.9, one grade-2 VF, MI in 2022, romosozumab ordered."""

    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1955-01-10", gender="female").add(
            *t_scores(total_hip=-2.7, femoral_neck=-2.9),
            vf(2, "2024-10-01"),
            condition(code="22298006", display="Myocardial infarction", onset="2022-05-01"),
        )

    def test_teriparatide_is_shown_as_not_meeting_the_nl_criteria(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-romo", medication=ROMOSOZUMAB)

        cards = call_hook(client, "order-select", self.record(), draft_orders=[order], language="en")

        assert indicators(cards, "ANABOLIC-2") == ["info"]
        [card] = cards_for(cards, "ANABOLIC-2")
        assert card["summary"].startswith("Romosozumab not possible; teriparatide NL criteria not met")
        # The critical CI-ROMO-1 card replaces ANABOLIC-1's "criterion not met: MI/stroke" card (rules.md §14).
        assert indicators(cards, "CI-ROMO-1") == ["critical"]
        assert indicators(cards, "ANABOLIC-1") == []
        assert indicators(cards, "ANABOLIC-4") == []


class TestV20WomanEligibleForRomosozumab:
    """68-year-old woman, T_FN −2.1, T_TH −1.8, T_LS −3.0, two grade-2 VFs, no CV history, no prior drug."""

    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1957-03-01", gender="female").add(
            *t_scores(femoral_neck=-2.1, total_hip=-1.8, lumbar_spine=-3.0),
            vf(2, "2024-11-01"),
            vf(2, "2025-02-01"),
        )

    def test_both_romosozumab_and_teriparatide_are_listed(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record())

        assert indicators(cards, "ANABOLIC-1") == ["info"]
        assert indicators(cards, "ANABOLIC-2") == ["info"]
        [romo] = cards_for(cards, "ANABOLIC-1")
        assert romo["summary"].startswith("Voldoet aan NL-criteria romosozumab (heup-T -2,1, 2 WF graad ≥2")
        assert len(romo["summary"]) < 140

    def test_the_romosozumab_referral_and_its_quote_are_on_the_full_assessment(self, client: TestClient) -> None:
        """Folded into the treatment card (TX-IND-1 leads): its order and quote are one click away."""
        cards = call_hook(client, "patient-view", self.record(), language="en")

        page = full_assessment(client, card_holding(cards, "ANABOLIC-1"))

        assert "Romosozumab 210 mg" in page
        assert "Data used" in page and "«Overweeg het botvormende middel romosozumab" in page


class TestV21TeriparatideAtTheTMinus1Point5Boundary:
    """66-year-old woman, T_LS exactly −1.5, T_FN −1.2, T_TH −1.1, one grade-3 VF, no denosumab ever."""

    def record(self, t_ls: float = -1.5) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1959-01-20", gender="female").add(
            *t_scores(lumbar_spine=t_ls, femoral_neck=-1.2, total_hip=-1.1), vf(3, "2025-01-15")
        )

    def test_teriparatide_is_eligible_and_romosozumab_is_not(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record())

        assert indicators(cards, "ANABOLIC-2") == ["info"]
        assert indicators(cards, "ANABOLIC-1") == []

    def test_just_above_the_boundary_teriparatide_is_not_eligible(self, client: TestClient) -> None:
        assert indicators(call_hook(client, "patient-view", self.record(t_ls=-1.4)), "ANABOLIC-2") == []

    def test_romosozumab_ordered_shows_criteria_not_met(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-romo", medication=ROMOSOZUMAB)

        cards = call_hook(client, "order-select", self.record(), draft_orders=[order])

        assert indicators(cards, "ANABOLIC-1") == ["info"]
        assert "niet gehaald" in cards_for(cards, "ANABOLIC-1")[0]["summary"]


class TestV22ManWithThirdFractureOnAlendronate:
    """72-year-old man, 2 prevalent VFs, new hip fracture after 18 months of alendronate."""

    def test_teriparatide_is_suggested_not_romosozumab(self, client: TestClient) -> None:
        record = PatientRecordBuilder(birth_date="1953-02-01", gender="male").add(
            vf(2, "2021-06-01"),
            vf(2, "2022-02-01"),
            medication_statement(medication=ALENDRONATE, start="2023-11-01"),
            fracture(site="hip", on="2025-05-10"),
        )

        cards = call_hook(client, "patient-view", record, language="en")

        assert indicators(cards, "ANABOLIC-3") == ["info"]
        [card] = cards_for(cards, "ANABOLIC-3")
        assert card["summary"].endswith("consider teriparatide.")
        page = full_assessment(client, card_holding(cards, "ANABOLIC-3"))
        assert "Suggested orders Teriparatide 20 µg daily (secondary care)" in page


class TestV39EndOfAnabolicCourses:
    def romosozumab_record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1950-06-01", gender="female").add(
            *monthly_romosozumab(12, first_year=2024, first_month=5, day=15)
        )

    def test_v39a_romosozumab_ended_without_antiresorptive_warns(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.romosozumab_record())

        assert indicators(cards, "ANABOLIC-6") == ["warning"]
        [card] = cards_for(cards, "ANABOLIC-6")
        assert "minimaal 2 jaar" in card["summary"]

    def test_v39a_a_13th_romosozumab_order_warns(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-romo", medication=ROMOSOZUMAB)

        cards = call_hook(client, "order-select", self.romosozumab_record(), draft_orders=[order])

        assert indicators(cards, "ANABOLIC-5") == ["warning"]

    @staticmethod
    def teriparatide_record(start: str) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1950-06-01", gender="female").add(
            medication_statement(medication=TERIPARATIDE, start=start)
        )

    def test_v39b_teriparatide_renewal_at_24_months_warns_in_nl(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-tptd", medication=TERIPARATIDE)

        cards = call_hook(client, "order-sign", self.teriparatide_record("2023-06-01"), draft_orders=[order])

        assert indicators(cards, "ANABOLIC-5") == ["warning"]
        assert "24 maanden" in cards_for(cards, "ANABOLIC-5")[0]["summary"]

    def test_v39b_at_18_months_nl_is_still_within_the_course(self, client: TestClient) -> None:
        order = draft_medication_request(id="draft-tptd", medication=TERIPARATIDE)

        cards = call_hook(client, "order-sign", self.teriparatide_record("2023-12-01"), draft_orders=[order])

        assert indicators(cards, "ANABOLIC-5") == []

    def test_v39b_be_profile_warns_at_18_months(self, be_client: TestClient) -> None:
        order = draft_medication_request(id="draft-tptd", medication=TERIPARATIDE)

        cards = call_hook(be_client, "order-sign", self.teriparatide_record("2023-12-01"), draft_orders=[order])

        assert indicators(cards, "ANABOLIC-5") == ["warning"]
        assert "18 maanden" in cards_for(cards, "ANABOLIC-5")[0]["summary"]

    def test_v39b_be_profile_nine_month_check(self, be_client: TestClient) -> None:
        order = draft_medication_request(id="draft-tptd", medication=TERIPARATIDE)

        cards = call_hook(be_client, "order-sign", self.teriparatide_record("2024-08-01"), draft_orders=[order])

        assert indicators(cards, "ANABOLIC-5") == ["info"]


class TestV35VeryHighRiskByTScoreAlone:
    """ANABOLIC-4 part of V35a: 60-year-old woman, T_LS −3.6, no fractures, untreated."""

    def record(self) -> PatientRecordBuilder:
        return PatientRecordBuilder(birth_date="1965-01-01", gender="female").add(
            *t_scores(lumbar_spine=-3.6, femoral_neck=-2.2)
        )

    def test_be_profile_says_anabolic_is_not_reimbursed(self, be_client: TestClient) -> None:
        cards = call_hook(be_client, "patient-view", self.record(), language="en")

        assert indicators(cards, "ANABOLIC-4") == ["info"]
        assert "not reimbursed in Belgium" in cards_for(cards, "ANABOLIC-4")[0]["summary"]

    def test_nl_profile_says_anabolic_is_preferred(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", self.record())

        assert indicators(cards, "ANABOLIC-4") == ["info"]
        assert "niet vergoed" not in cards_for(cards, "ANABOLIC-4")[0]["summary"]


class TestManAtVeryHighRiskIsNeverOfferedRomosozumab:
    """Issue 16 defect 2 (rules.md §12 [turn-2 correction]): romosozumab is for postmenopausal women only (S4
    «romosozumab. (bij postmenopauzale vrouwen)»; S2 «terugbetaald bij postmenopauzale vrouwen (niet bij mannen)»).
    A 74-year-old man with a hip fracture last year and T_FN −3.7, untreated: the anabolic agent is teriparatide."""

    @staticmethod
    def record(*, bisphosphonate_before: bool = False) -> PatientRecordBuilder:
        record = PatientRecordBuilder(birth_date="1951-02-01", gender="male")
        record.add(fracture(site="hip", on="2024-11-03"), *t_scores(femoral_neck=-3.7, total_hip=-3.2))
        if bisphosphonate_before:
            record.add(
                medication_statement(medication=ALENDRONATE, status="completed", start="2015-01-01", end="2018-01-01")
            )
        return record

    @staticmethod
    def mentions_romosozumab(cards: list[dict[str, Any]]) -> list[str]:
        """Texts that offer romosozumab: any mention other than the one that says it is for women only."""
        texts: list[str] = []
        for card in cards:
            detail = (card.get("detail") or "").split("**Source")[0]
            for exclusion in NOT_FOR_MEN:
                detail = detail.replace(exclusion, "")
            labels = [s["label"] for s in card.get("suggestions", [])]
            texts.extend(t for t in (card["summary"], detail, *labels) if "romosozumab" in t.lower())
        return texts

    @pytest.mark.parametrize("language", ["nl", "en"])
    @pytest.mark.parametrize("bisphosphonate_before", [False, True], ids=["untreated", "bisphosphonate-pretreated"])
    def test_nl_profile_names_teriparatide_only(
        self, client: TestClient, language: str, bisphosphonate_before: bool
    ) -> None:
        cards = call_hook(
            client, "patient-view", self.record(bisphosphonate_before=bisphosphonate_before), language=language
        )

        assert indicators(cards, "ANABOLIC-4") == ["info"]
        assert "teriparatide" in cards_for(cards, "ANABOLIC-4")[0]["summary"].lower()
        assert self.mentions_romosozumab(cards) == []

    @pytest.mark.parametrize("language", ["nl", "en"])
    def test_be_profile_names_teriparatide_only(self, be_client: TestClient, language: str) -> None:
        cards = call_hook(be_client, "patient-view", self.record(), language=language)

        assert indicators(cards, "ANABOLIC-4") == ["info"]
        assert self.mentions_romosozumab(cards) == []
