"""Treatment indication and drug-choice rules on snapshots built from FHIR (rules.md §5; vignettes.md V23, V35).

Today is 2025-06-01. Boundary pairs: lowest T −3.5 (very high, ≤) and −2.5 (high, ≤), SERM age 65 (≤), hip T
−2.5 for "only vertebral risk" (> −2.5), renal function 30/35 in the suggestion filter.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.rules.model import CannotAssess, Hook, NotApplicable, Outcome, Recommendation
from app.rules.osteoporosis.treatment import TX_CHOICE_1, TX_CHOICE_2, TX_CHOICE_3, TX_IND_1, TX_LE_1, TX_LOW_1
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    atc,
    creatinine_clearance,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_statement,
    prednisone_statement,
)
from tests.rules._support import evaluate, snapshot

ZOLEDRONATE = atc("M05BA08", "zoledronic acid")
ALENDRONATE = atc("M05BA04", "alendronic acid")
RALOXIFENE = atc("G03XC01", "raloxifene")
DXA_DAY = "2025-05-01"


def ordered(medication: dict[str, Any], *, id: str = "draft-1") -> dict[str, Any]:
    return draft_medication_request(id=id, medication=medication)


def t_scores(*, ls: float | None = None, fn: float | None = None, th: float | None = None) -> list[dict[str, Any]]:
    sites = (("lumbar-spine", ls), ("femoral-neck", fn), ("total-hip", th))
    return [dxa_t_score(site=site, value=value, on=DXA_DAY) for site, value in sites if value is not None]


def run(rule: Any, *resources: dict[str, Any], drafts: tuple[dict[str, Any], ...] = (), **kw: Any) -> Outcome:
    hook = kw.pop("hook", Hook.PATIENT_VIEW)
    profile = kw.pop("profile", "nl")
    born = kw.pop("born", "1965-01-15")
    sex = kw.pop("sex", "female")
    return evaluate(rule, snapshot(*resources, born=born, sex=sex, drafts=drafts), hook=hook, profile=profile, **kw)


def variant(outcome: Outcome) -> str:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return outcome.variant


class TestTxInd1TreatmentGap:
    def test_v35a_t_minus_3_6_without_fracture_is_very_high_risk(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-3.6, fn=-2.0, th=-1.8))

        assert isinstance(outcome, Recommendation) and outcome.variant == "very-high"
        assert ("t-score-lumbar-spine", "-3.6") in [(e.what, e.value) for e in outcome.evidence]

    @pytest.mark.parametrize(
        ("t", "expected"),
        [(-3.6, "very-high"), (-3.5, "very-high"), (-3.4, "high"), (-2.5, "high"), (-2.4, None)],
    )
    def test_risk_class_boundaries(self, t: float, expected: str | None) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=t, fn=-1.0, th=-1.0))

        if expected is None:
            assert isinstance(outcome, NotApplicable)
        else:
            assert variant(outcome) == expected

    def test_a_fragility_fracture_without_dxa_is_high_risk(self) -> None:
        assert variant(run(TX_IND_1, fracture(site="forearm", on="2020-03-01"))) == "high"

    def test_a_recent_hip_fracture_is_very_high_risk(self) -> None:
        assert variant(run(TX_IND_1, fracture(site="hip", on="2025-03-01"))) == "very-high"

    def test_suggests_alendronate_risedronate_and_missing_labs(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-2.7))

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("alendronate", "risedronate", "lab-work-up")

    def test_at_crcl_below_30_only_denosumab_is_suggested_and_the_rest_is_explained(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-2.7), creatinine_clearance(value=25, on="2025-05-20"))

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions[0] == "denosumab"
        assert "alendronate" not in outcome.suggestions and "zoledronate" not in outcome.suggestions
        not_suggested = [e.value for e in outcome.evidence if e.what == "not-suggested"]
        assert not_suggested == ["alendronate (CI-EGFR-2)", "risedronate (CI-EGFR-2)", "zoledronate (CI-EGFR-1)"]

    def test_a_patient_on_alendronate_gets_no_card(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-2.7), medication_statement(medication=ALENDRONATE, start="2024-01-01"))

        assert isinstance(outcome, NotApplicable)

    def test_a_patient_treated_before_is_left_to_the_follow_up_rules(self) -> None:
        outcome = run(
            TX_IND_1,
            *t_scores(ls=-2.7),
            medication_statement(medication=ALENDRONATE, start="2015-01-01", end="2020-01-01", status="completed"),
        )

        assert isinstance(outcome, NotApplicable)

    def test_a_long_term_glucocorticoid_user_is_left_to_the_gc_rules(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-2.7), prednisone_statement(mg_per_day=10, start="2024-06-01"))

        assert isinstance(outcome, NotApplicable)

    def test_a_man_under_50_is_outside_the_bbc_population(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-2.7), sex="male", born="1980-01-15")

        assert isinstance(outcome, NotApplicable)

    def test_a_woman_under_50_has_unknown_menopausal_status(self) -> None:
        outcome = run(TX_IND_1, *t_scores(ls=-2.7), born="1980-01-15")

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("menopausal-status",)

    def test_without_dxa_or_fracture_the_risk_is_unknown_and_no_card(self) -> None:
        assert isinstance(run(TX_IND_1), NotApplicable)


class TestTxLe1:
    def test_without_a_life_expectancy_flag_it_assumes_more_than_a_year(self) -> None:
        assert isinstance(run(TX_LE_1, drafts=(ordered(ALENDRONATE),), hook=Hook.ORDER_SELECT), NotApplicable)


class TestTxLow1:
    def test_a_first_drug_at_provisionally_low_risk_gets_the_provisional_card(self) -> None:
        outcome = run(TX_LOW_1, *t_scores(ls=-1.5, fn=-1.2), drafts=(ordered(ALENDRONATE),), hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "provisional" and outcome.missing == ("frax-thresholds",)

    def test_high_risk_gives_no_card(self) -> None:
        outcome = run(TX_LOW_1, *t_scores(ls=-2.6), drafts=(ordered(ALENDRONATE),), hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, NotApplicable)

    def test_patient_view_needs_coded_menopausal_complaints(self) -> None:
        assert isinstance(run(TX_LOW_1, *t_scores(ls=-1.5)), NotApplicable)


class TestTxChoice1FirstChoice:
    def test_v23c_raloxifene_as_first_drug_gets_the_first_choice_card(self) -> None:
        outcome = run(TX_CHOICE_1, *t_scores(ls=-2.6, th=-1.8), drafts=(ordered(RALOXIFENE),), hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "first-choice" and outcome.suggestions == ("alendronate", "risedronate")

    def test_be_profile_adds_the_denosumab_reimbursement_note(self) -> None:
        outcome = run(
            TX_CHOICE_1, *t_scores(ls=-2.6), drafts=(ordered(DENOSUMAB_60MG),), hook=Hook.ORDER_SELECT, profile="be"
        )

        assert variant(outcome) == "first-choice-be-denosumab"

    def test_a_renal_contraindication_to_oral_bisphosphonates_is_a_documented_reason(self) -> None:
        outcome = run(
            TX_CHOICE_1,
            *t_scores(ls=-2.6),
            creatinine_clearance(value=29, on="2025-05-20"),
            drafts=(ordered(DENOSUMAB_60MG),),
            hook=Hook.ORDER_SELECT,
        )

        assert isinstance(outcome, NotApplicable)

    def test_very_high_risk_is_a_reason_to_deviate(self) -> None:
        outcome = run(TX_CHOICE_1, *t_scores(ls=-3.6), drafts=(ordered(ZOLEDRONATE),), hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, NotApplicable)

    def test_a_patient_treated_before_is_not_a_first_choice_case(self) -> None:
        outcome = run(
            TX_CHOICE_1,
            *t_scores(ls=-2.6),
            medication_statement(medication=ALENDRONATE, start="2020-01-01", end="2024-01-01", status="completed"),
            drafts=(ordered(ZOLEDRONATE),),
            hook=Hook.ORDER_SELECT,
        )

        assert isinstance(outcome, NotApplicable)

    def test_alendronate_itself_gets_no_card(self) -> None:
        outcome = run(TX_CHOICE_1, *t_scores(ls=-2.6), drafts=(ordered(ALENDRONATE),), hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, NotApplicable)


class TestTxChoice2SecondChoice:
    @pytest.mark.parametrize(("crcl", "fires"), [(29.9, True), (30, False)])
    def test_patient_on_alendronate_with_renal_contraindication(self, crcl: float, fires: bool) -> None:
        outcome = run(
            TX_CHOICE_2,
            medication_statement(medication=ALENDRONATE, start="2024-01-01"),
            creatinine_clearance(value=crcl, on="2025-05-20"),
        )

        assert isinstance(outcome, Recommendation) is fires
        if fires:
            assert isinstance(outcome, Recommendation) and outcome.suggestions == ("denosumab",)
            assert [e.value for e in outcome.evidence if e.what == "not-suggested"] == [
                "zoledronate (CI-EGFR-1)",
                "alendronate (CI-EGFR-2)",
            ]

    def test_order_select_of_oral_bisphosphonate_despite_contraindication(self) -> None:
        outcome = run(
            TX_CHOICE_2,
            creatinine_clearance(value=25, on="2025-05-20"),
            drafts=(ordered(ALENDRONATE),),
            hook=Hook.ORDER_SELECT,
        )

        assert variant(outcome) == "contraindicated"


class TestTxChoice3SermEligibility:
    def test_v23a_early_menopausal_woman_with_vertebral_only_risk_is_eligible(self) -> None:
        outcome = run(
            TX_CHOICE_3,
            *t_scores(ls=-2.6, th=-1.8),
            drafts=(ordered(RALOXIFENE),),
            hook=Hook.ORDER_SIGN,
            born="1967-01-15",
        )

        assert isinstance(outcome, NotApplicable)

    @pytest.mark.parametrize(("born", "eligible"), [("1960-01-15", True), ("1959-01-15", False)], ids=["65", "66"])
    def test_age_65_is_still_early_menopause(self, born: str, eligible: bool) -> None:
        outcome = run(
            TX_CHOICE_3, *t_scores(ls=-2.6, th=-1.8), drafts=(ordered(RALOXIFENE),), hook=Hook.ORDER_SIGN, born=born
        )

        assert isinstance(outcome, NotApplicable) is eligible
        if not eligible:
            assert variant(outcome) == "not-eligible"

    @pytest.mark.parametrize(
        ("hip", "expected"), [(-2.6, "not-eligible-hip"), (-2.5, "not-eligible-hip"), (-2.4, None)]
    )
    def test_hip_t_at_or_below_minus_2_5_is_not_vertebral_only(self, hip: float, expected: str | None) -> None:
        outcome = run(TX_CHOICE_3, *t_scores(ls=-2.6, th=hip), drafts=(ordered(RALOXIFENE),), hook=Hook.ORDER_SIGN)

        if expected is None:
            assert isinstance(outcome, NotApplicable)
        else:
            assert variant(outcome) == expected

    def test_a_hip_fracture_gives_the_warning(self) -> None:
        outcome = run(
            TX_CHOICE_3,
            *t_scores(ls=-2.6, th=-1.8),
            fracture(site="hip", on="2023-01-01"),
            drafts=(ordered(RALOXIFENE),),
            hook=Hook.ORDER_SIGN,
        )

        assert variant(outcome) == "not-eligible-hip"

    def test_a_wrist_fracture_means_not_only_vertebral_risk(self) -> None:
        outcome = run(
            TX_CHOICE_3,
            *t_scores(ls=-2.6, th=-1.8),
            fracture(site="forearm", on="2023-01-01"),
            drafts=(ordered(RALOXIFENE),),
            hook=Hook.ORDER_SIGN,
        )

        assert variant(outcome) == "not-eligible"

    def test_hip_t_unknown_asks_for_hip_bmd(self) -> None:
        outcome = run(TX_CHOICE_3, *t_scores(ls=-2.6), drafts=(ordered(RALOXIFENE),), hook=Hook.ORDER_SIGN)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("hip-t-score",)

    def test_s3_bisphosphonates_contraindicated_and_no_fracture_is_eligible_at_any_age(self) -> None:
        outcome = run(
            TX_CHOICE_3,
            creatinine_clearance(value=25, on="2025-05-20"),
            drafts=(ordered(RALOXIFENE),),
            hook=Hook.ORDER_SIGN,
            born="1945-01-15",
        )

        assert isinstance(outcome, NotApplicable)
