"""Screening, identification and work-up (rules.md §4). Boundary pairs: BBC age 49 / 50 and 64 / 65, FLS age at
fracture 49 / 50 and the 2-year window, NL route age 59 / 60, secondary osteoporosis age 49 / 50 and Z −2.0."""

from __future__ import annotations

from typing import Any

from app.rules.model import CannotAssess, Hook, NotApplicable, Recommendation
from app.rules.osteoporosis.screening import (
    FALL_1,
    LAB_1,
    SCREEN_BBC_1,
    SCREEN_NL_1,
    SCREEN_NL_2,
    SECONDARY_1,
    VF_CONSULT_1,
    VFA_1,
)
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    calcium,
    condition,
    creatinine,
    draft_medication_request,
    dxa_t_score,
    fracture,
    loinc_dxa_order,
    medication_statement,
    observation,
    rxnorm,
    service_request,
    vitamin_d,
)
from tests.rules._support import evaluate, snapshot

ALENDRONATE = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")


def z_score(value: float, *, on: str = "2025-05-01") -> dict[str, Any]:
    return observation(code="85394-5", value=value, unit="{Z-score}", on=on)


class TestBbcScreening:
    def test_is_off_in_the_nl_profile_by_default(self) -> None:
        assert isinstance(evaluate(SCREEN_BBC_1, snapshot(born="1970-01-15")), NotApplicable)

    def test_runs_in_nl_when_enabled(self) -> None:
        outcome = evaluate(SCREEN_BBC_1, snapshot(born="1970-01-15"), screen_bbc_in_nl=True)

        assert isinstance(outcome, CannotAssess)

    def test_a_woman_of_49_is_not_screened(self) -> None:
        assert isinstance(evaluate(SCREEN_BBC_1, snapshot(born="1975-06-02"), profile="be"), NotApplicable)

    def test_a_woman_of_50_without_recorded_factors_gets_screening_incomplete_with_rescreen_date(self) -> None:
        outcome = evaluate(SCREEN_BBC_1, snapshot(born="1975-06-01"), profile="be")

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "incomplete"
        assert {"bmi", "falls-past-year", "height-loss"} <= set(outcome.missing)
        assert outcome.facts["next_screen"] == "2027-06-01"

    def test_age_64_is_not_a_major_risk_factor(self) -> None:
        outcome = evaluate(SCREEN_BBC_1, snapshot(born="1960-06-02"), profile="be")

        assert isinstance(outcome, CannotAssess)

    def test_age_65_is_a_major_risk_factor(self) -> None:
        outcome = evaluate(SCREEN_BBC_1, snapshot(born="1960-06-01"), profile="be")

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "positive"
        assert [e.what for e in outcome.evidence] == ["age", "rf-age-65"]

    def test_a_positive_screen_with_a_dxa_within_two_years_needs_nothing(self) -> None:
        snap = snapshot(dxa_t_score(value=-1.5, on="2023-06-01"), born="1955-01-15")

        assert isinstance(evaluate(SCREEN_BBC_1, snap, profile="be"), NotApplicable)

    def test_a_dxa_two_years_and_a_day_old_needs_a_new_one(self) -> None:
        snap = snapshot(dxa_t_score(value=-1.5, on="2023-05-31"), born="1955-01-15")

        assert isinstance(evaluate(SCREEN_BBC_1, snap, profile="be"), Recommendation)

    def test_men_are_not_screened(self) -> None:
        assert isinstance(evaluate(SCREEN_BBC_1, snapshot(born="1950-01-15", sex="male"), profile="be"), NotApplicable)


class TestFractureLiaisonIdentification:
    def test_a_recent_hip_fracture_at_68_without_dxa_is_an_incomplete_work_up(self) -> None:
        snap = snapshot(fracture(site="hip", on="2025-03-01"), born="1957-01-15", sex="male")

        outcome = evaluate(SCREEN_NL_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "incomplete"
        assert "dxa-vfa" in outcome.suggestions

    def test_a_fracture_exactly_two_years_ago_is_recent(self) -> None:
        assert isinstance(evaluate(SCREEN_NL_1, snapshot(fracture(on="2023-06-01"))), Recommendation)

    def test_a_fracture_two_years_and_a_day_ago_is_not(self) -> None:
        assert isinstance(evaluate(SCREEN_NL_1, snapshot(fracture(on="2023-05-31"))), NotApplicable)

    def test_age_50_at_the_fracture_is_included(self) -> None:
        snap = snapshot(fracture(on="2025-01-15"), born="1975-01-15")

        assert isinstance(evaluate(SCREEN_NL_1, snap), Recommendation)

    def test_age_49_at_the_fracture_is_not(self) -> None:
        snap = snapshot(fracture(on="2025-01-14"), born="1975-01-15")

        assert isinstance(evaluate(SCREEN_NL_1, snap), NotApplicable)

    def test_with_exclusive_age_50_is_not_included(self) -> None:
        snap = snapshot(fracture(on="2025-01-15"), born="1975-01-15")

        assert isinstance(evaluate(SCREEN_NL_1, snap, ident_min_age_inclusive=False), NotApplicable)

    def test_a_dxa_after_the_fracture_leaves_an_info_to_check_vfa_lab_and_falls(self) -> None:
        snap = snapshot(fracture(on="2025-01-10"), dxa_t_score(value=-1.9, on="2025-02-01"))

        outcome = evaluate(SCREEN_NL_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "verify-work-up"

    def test_a_year_only_fracture_date_on_the_window_edge_asks_to_verify(self) -> None:
        outcome = evaluate(SCREEN_NL_1, snapshot(fracture(on="2023")))

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "verify-date"

    def test_a_patient_on_treatment_is_not_identified(self) -> None:
        snap = snapshot(fracture(on="2025-01-10"), medication_statement(medication=ALENDRONATE, start="2025-02-01"))

        assert isinstance(evaluate(SCREEN_NL_1, snap), NotApplicable)


class TestNlRiskFactorRoute:
    def test_age_60_with_a_risk_factor_asks_for_the_nl_score(self) -> None:
        snap = snapshot(condition(code="69896004", display="Rheumatoid arthritis"), born="1965-06-01")

        outcome = evaluate(SCREEN_NL_2, snap)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("nl-risk-score",)

    def test_age_59_is_outside_the_route(self) -> None:
        snap = snapshot(condition(code="69896004", display="Rheumatoid arthritis"), born="1965-06-02")

        assert isinstance(evaluate(SCREEN_NL_2, snap), NotApplicable)

    def test_a_fracture_in_the_past_year_goes_the_fracture_route(self) -> None:
        snap = snapshot(condition(code="69896004"), fracture(site="rib", on="2024-06-01"), born="1950-01-15")

        assert isinstance(evaluate(SCREEN_NL_2, snap), NotApplicable)

    def test_no_recorded_risk_factor_gives_no_card(self) -> None:
        assert isinstance(evaluate(SCREEN_NL_2, snapshot(born="1950-01-15")), NotApplicable)


class TestVfaWithDxa:
    def test_a_dxa_order_gets_the_vfa_advice(self) -> None:
        snap = snapshot(drafts=[service_request(code=loinc_dxa_order(), id="sr-dxa")])

        outcome = evaluate(VFA_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "add-vfa"

    def test_the_be_profile_mentions_reimbursement_and_x_ray(self) -> None:
        snap = snapshot(drafts=[service_request(code=loinc_dxa_order(), id="sr-dxa")])

        outcome = evaluate(VFA_1, snap, hook=Hook.ORDER_SIGN, profile="be")

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "be"

    def test_a_medication_order_is_not_a_dxa(self) -> None:
        snap = snapshot(drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        assert isinstance(evaluate(VFA_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)


class TestVertebralFractureConsultation:
    def test_a_vertebral_fracture_without_grade_asks_for_the_grade(self) -> None:
        outcome = evaluate(VF_CONSULT_1, snapshot(fracture(site="vertebral", on="2024-01-10")))

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "grade-unknown"

    def test_no_vertebral_fracture_no_card(self) -> None:
        assert isinstance(evaluate(VF_CONSULT_1, snapshot(fracture(site="hip"))), NotApplicable)


class TestPreTreatmentLab:
    def test_a_first_alendronate_order_lists_the_nl_panel_gaps(self) -> None:
        snap = snapshot(drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "missing"
        assert {"calcium", "creatinine", "vitamin-d", "alkaline-phosphatase", "esr", "tsh"} <= set(outcome.missing)
        assert "lab-25oh-vitamin-d" in outcome.suggestions

    def test_recent_results_are_not_listed(self) -> None:
        snap = snapshot(
            calcium(on="2025-05-01"),
            creatinine(on="2025-05-01"),
            vitamin_d(on="2025-05-01"),
            drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)],
        )

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert not {"calcium", "creatinine", "vitamin-d"} & set(outcome.missing)

    def test_a_result_91_days_old_is_too_old(self) -> None:
        snap = snapshot(creatinine(on="2025-03-02"), drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert "creatinine" in outcome.missing

    def test_a_result_90_days_old_is_recent_enough(self) -> None:
        snap = snapshot(creatinine(on="2025-03-03"), drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert "creatinine" not in outcome.missing

    def test_a_man_under_70_also_needs_testosterone(self) -> None:
        snap = snapshot(
            born="1960-01-15", sex="male", drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)]
        )

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert "testosterone" in outcome.missing

    def test_the_be_panel_asks_crp_phosphate_pth_and_electrophoresis(self) -> None:
        snap = snapshot(drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SELECT, profile="be")

        assert isinstance(outcome, CannotAssess)
        assert {"crp", "phosphate", "pth", "protein-electrophoresis"} <= set(outcome.missing)
        assert "esr" not in outcome.missing

    def test_denosumab_signed_without_calcium_is_a_warning(self) -> None:
        snap = snapshot(drafts=[draft_medication_request(id="d1", medication=DENOSUMAB_60MG)])

        outcome = evaluate(LAB_1, snap, hook=Hook.ORDER_SIGN)

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "missing-before-parenteral"

    def test_patient_view_without_indication_gives_no_card(self) -> None:
        assert isinstance(evaluate(LAB_1, snapshot(dxa_t_score(value=-1.2, on="2025-01-10"))), NotApplicable)

    def test_patient_view_with_osteoporosis_and_no_drug_lists_the_gaps(self) -> None:
        assert isinstance(evaluate(LAB_1, snapshot(dxa_t_score(value=-2.7, on="2025-01-10"))), CannotAssess)


class TestSecondaryOsteoporosis:
    def test_osteoporosis_at_49_is_a_reason(self) -> None:
        outcome = evaluate(SECONDARY_1, snapshot(dxa_t_score(value=-2.7, on="2025-01-10"), born="1975-06-02"))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "young"

    def test_osteoporosis_at_50_with_unreported_z_score_says_so(self) -> None:
        outcome = evaluate(SECONDARY_1, snapshot(dxa_t_score(value=-2.7, on="2025-01-10"), born="1975-06-01"))

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("z-score",)

    def test_z_score_exactly_minus_2_is_a_reason(self) -> None:
        snap = snapshot(dxa_t_score(value=-2.7, on="2025-05-01"), z_score(-2.0))

        outcome = evaluate(SECONDARY_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "low-z-score"

    def test_z_score_minus_1_9_is_not(self) -> None:
        assert isinstance(
            evaluate(SECONDARY_1, snapshot(dxa_t_score(value=-2.7, on="2025-05-01"), z_score(-1.9))), NotApplicable
        )

    def test_a_fracture_after_a_year_of_alendronate_is_insufficient_response(self) -> None:
        snap = snapshot(
            medication_statement(medication=ALENDRONATE, start="2023-01-10"),
            fracture(site="vertebral", on="2025-03-01"),
            z_score(-1.0),
        )

        outcome = evaluate(SECONDARY_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "insufficient-response"

    def test_osteopenia_without_fracture_is_out_of_scope(self) -> None:
        assert isinstance(evaluate(SECONDARY_1, snapshot(dxa_t_score(value=-2.0, on="2025-05-01"))), NotApplicable)


class TestFallRisk:
    def test_falls_are_asked_for_after_a_recent_fracture(self) -> None:
        outcome = evaluate(FALL_1, snapshot(fracture(on="2025-01-10")))

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("falls-past-year",)

    def test_no_pathway_no_card(self) -> None:
        assert isinstance(evaluate(FALL_1, snapshot(dxa_t_score(value=-1.0, on="2025-01-10"))), NotApplicable)

    def test_under_50_no_card(self) -> None:
        assert isinstance(evaluate(FALL_1, snapshot(fracture(on="2025-01-10"), born="1980-01-15")), NotApplicable)
