"""Diagnosis and risk classification (rules.md §3): DX-TSCORE-1 / RISK-BBC-1 classes, DX-CLIN-1, DX-OSTEOMAL-1,
RISK-FRAX-1. Boundary pairs: T −3.5 / −2.5 / −1.0, MOF exactly 2 years ago, men's age at fracture 50 / 51."""

from __future__ import annotations

import pytest

from app.rules.model import CannotAssess, Hook, NotApplicable, Recommendation
from app.rules.osteoporosis.diagnosis import (
    DX_CLIN_1,
    DX_OSTEOMAL_1,
    RISK_BBC_1,
    RISK_FRAX_1,
    bbc_risk_class,
    frax_fall_adjusted,
)
from app.rules.osteoporosis.predicates import DxClass, RiskClass, dx_class
from app.rules.osteoporosis.treatment import TX_LOW_1
from app.rules.parameters import GuidelineParameters
from tests.builders.fhir import (
    calcium,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_statement,
    observation,
    rxnorm,
    vitamin_d,
)
from tests.rules._support import evaluate, snapshot

DEFAULTS = GuidelineParameters()
ALENDRONATE = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")


def t_score(value: float, *, site: str = "lumbar-spine", on: str = "2025-05-01") -> dict[str, object]:
    return dxa_t_score(site=site, value=value, on=on)


class TestDensitometricClass:
    @pytest.mark.parametrize(
        ("t", "expected"),
        [
            (-2.6, DxClass.OSTEOPOROSIS),
            (-2.5, DxClass.OSTEOPOROSIS),
            (-2.4, DxClass.OSTEOPENIA),
            (-1.1, DxClass.OSTEOPENIA),
            (-1.0, DxClass.NORMAL),
            (-0.9, DxClass.NORMAL),
        ],
    )
    def test_the_lowest_t_score_gives_the_who_class(self, t: float, expected: DxClass) -> None:
        assert dx_class(snapshot(t_score(t)), DEFAULTS) is expected

    def test_with_the_strict_cut_off_minus_2_5_is_osteopenia(self) -> None:
        strict = GuidelineParameters(t_op_cutoff_inclusive=False)

        assert dx_class(snapshot(t_score(-2.5)), strict) is DxClass.OSTEOPENIA

    def test_minus_1_can_be_configured_as_osteopenia(self) -> None:
        assert dx_class(snapshot(t_score(-1.0)), GuidelineParameters(t_normal_at_minus1=False)) is DxClass.OSTEOPENIA

    def test_without_dxa_the_class_is_unknown(self) -> None:
        assert dx_class(snapshot(), DEFAULTS) is DxClass.UNKNOWN

    def test_the_lowest_of_spine_and_hip_counts(self) -> None:
        snap = snapshot(t_score(-1.2), t_score(-2.7, site="total-hip"))

        assert dx_class(snap, DEFAULTS) is DxClass.OSTEOPOROSIS


class TestBbcRiskClass:
    @pytest.mark.parametrize(
        ("t", "expected"),
        [
            (-3.6, RiskClass.VERY_HIGH),
            (-3.5, RiskClass.VERY_HIGH),
            (-3.4, RiskClass.HIGH),
            (-2.5, RiskClass.HIGH),
            (-2.4, RiskClass.LOW_PROVISIONAL),
        ],
    )
    def test_t_score_boundaries_of_a_60_year_old_woman(self, t: float, expected: RiskClass) -> None:
        assert bbc_risk_class(snapshot(t_score(t), born="1965-01-15"), DEFAULTS) is expected

    def test_a_hip_fracture_exactly_two_years_ago_is_very_high_risk(self) -> None:
        snap = snapshot(fracture(site="hip", on="2023-06-01"), t_score(-1.5))

        assert bbc_risk_class(snap, DEFAULTS) is RiskClass.VERY_HIGH

    def test_a_hip_fracture_two_years_and_a_day_ago_is_high_risk(self) -> None:
        snap = snapshot(fracture(site="hip", on="2023-05-31"), t_score(-1.5))

        assert bbc_risk_class(snap, DEFAULTS) is RiskClass.HIGH

    def test_a_recent_rib_fracture_is_not_a_major_fracture_but_high_risk(self) -> None:
        assert bbc_risk_class(snapshot(fracture(site="rib", on="2025-01-10")), DEFAULTS) is RiskClass.HIGH

    def test_a_recent_major_fracture_without_dxa_is_very_high_risk(self) -> None:
        assert bbc_risk_class(snapshot(fracture(site="vertebral", on="2025-01-10")), DEFAULTS) is RiskClass.VERY_HIGH

    def test_no_dxa_and_no_fracture_is_unknown(self) -> None:
        assert bbc_risk_class(snapshot(), DEFAULTS) is RiskClass.UNKNOWN

    def test_a_stale_normal_dxa_is_unknown_not_low(self) -> None:
        assert bbc_risk_class(snapshot(t_score(-1.5, on="2019-01-10")), DEFAULTS) is RiskClass.UNKNOWN

    def test_a_stale_very_low_dxa_still_counts(self) -> None:
        assert bbc_risk_class(snapshot(t_score(-3.8, on="2019-01-10")), DEFAULTS) is RiskClass.VERY_HIGH

    def test_men_are_classed_only_when_configured(self) -> None:
        snap = snapshot(t_score(-3.0), born="1955-01-15", sex="male")

        assert bbc_risk_class(snap, DEFAULTS) is RiskClass.HIGH
        assert bbc_risk_class(snap, GuidelineParameters(bbc_apply_to_men=False)) is RiskClass.UNKNOWN


def frax_mof(percent: float, on: str = "2025-05-01") -> dict[str, object]:
    return observation(code="90265-0", value=percent, unit="%", on=on)


def frax_hip(percent: float, on: str = "2025-05-01") -> dict[str, object]:
    return observation(code="90264-3", value=percent, unit="%", on=on)


class TestFraxThresholdsOfTheSite:
    """FRAX_HIGH_MOF_PCT / FRAX_HIGH_HIP_PCT (rules.md §2, C-40): unset by default; a site may set local values.
    The values below are test settings, not guideline thresholds (BBC Fig. 2 is not in the seed text)."""

    @pytest.mark.parametrize(
        ("mof", "expected"),
        [(19.9, RiskClass.LOW), (20.0, RiskClass.HIGH), (20.1, RiskClass.HIGH)],
    )
    def test_a_frax_at_or_above_the_mof_threshold_is_high_risk(self, mof: float, expected: RiskClass) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(mof), born="1955-01-15")

        assert bbc_risk_class(snap, GuidelineParameters(frax_high_mof_pct=20)) is expected

    @pytest.mark.parametrize(("hip", "expected"), [(2.9, RiskClass.LOW), (3.0, RiskClass.HIGH)])
    def test_the_hip_threshold_works_the_same_way(self, hip: float, expected: RiskClass) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(10), frax_hip(hip), born="1955-01-15")
        site = GuidelineParameters(frax_high_mof_pct=20, frax_high_hip_pct=3)

        assert bbc_risk_class(snap, site) is expected

    def test_without_configured_thresholds_a_frax_result_changes_nothing(self) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(45), born="1955-01-15")

        assert bbc_risk_class(snap, DEFAULTS) is RiskClass.LOW_PROVISIONAL

    def test_a_configured_threshold_without_its_frax_result_leaves_low_provisional(self) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(10), born="1955-01-15")
        site = GuidelineParameters(frax_high_mof_pct=20, frax_high_hip_pct=3)

        assert bbc_risk_class(snap, site) is RiskClass.LOW_PROVISIONAL

    def test_one_result_above_its_threshold_is_enough_for_high(self) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(25), born="1955-01-15")
        site = GuidelineParameters(frax_high_mof_pct=20, frax_high_hip_pct=3)

        assert bbc_risk_class(snap, site) is RiskClass.HIGH

    def test_the_card_names_frax_as_the_reason_and_lists_it_as_data_used(self) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(20), born="1955-01-15")

        outcome = evaluate(RISK_BBC_1, snap, frax_high_mof_pct=20)

        assert isinstance(outcome, Recommendation) and outcome.variant == "high-frax"
        assert [e.what for e in outcome.evidence] == ["t-score-lumbar-spine", "frax-major-osteoporotic"]

    def test_below_every_threshold_the_low_card_is_definite(self) -> None:
        snap = snapshot(t_score(-2.0), frax_mof(12), born="1955-01-15")

        outcome = evaluate(RISK_BBC_1, snap, frax_high_mof_pct=20)

        assert isinstance(outcome, Recommendation) and outcome.variant == "low"

    def test_a_drug_ordered_at_definite_low_risk_gets_the_no_drug_indicated_card(self) -> None:
        order = draft_medication_request(medication=ALENDRONATE)
        snap = snapshot(t_score(-2.0), frax_mof(12), born="1955-01-15", drafts=(order,))

        outcome = evaluate(TX_LOW_1, snap, hook=Hook.ORDER_SELECT, frax_high_mof_pct=20)

        assert isinstance(outcome, Recommendation) and outcome.variant == "low"


class TestOneRecentFractureWindow:
    """Issue 16: RECENT_FX_YEARS is defined once (the guideline parameter, applied by predicates.py). With
    OSTEO_GUIDELINE__RECENT_FX_YEARS=1 the glucocorticoid rules used 1 year while the risk class still used the
    snapshot's own 2 years. A hip fracture 17 months ago (2024-01-10)."""

    def test_within_the_default_two_years_the_hip_fracture_makes_the_risk_very_high(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot(fracture(site="hip", on="2024-01-10")))

        assert isinstance(outcome, Recommendation) and outcome.variant == "very-high-fracture"

    def test_with_a_one_year_window_the_same_fracture_is_no_longer_recent(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot(fracture(site="hip", on="2024-01-10")), recent_fx_years=1)

        assert isinstance(outcome, Recommendation) and outcome.variant == "high-fracture"


class TestRiskBbcCard:
    def test_very_high_by_t_score_alone_is_an_info_card_with_the_t_score(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot(t_score(-3.6), born="1965-01-15"))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "very-high-t-score"
        assert outcome.facts["t_min"] == "-3.6"
        assert [e.what for e in outcome.evidence] == ["t-score-lumbar-spine"]

    def test_very_high_by_fracture_names_the_fracture_month(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot(fracture(site="hip", on="2025-03-01")))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "very-high-fracture"
        assert outcome.facts["fracture_date"] == "03-2025"

    def test_unknown_class_in_a_woman_over_50_asks_for_a_dxa(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot())

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("dxa",)
        assert outcome.suggestions == ("dxa-vfa",)

    def test_unknown_class_in_a_man_outside_any_screening_population_gives_no_card(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot(born="1960-01-15", sex="male"))

        assert isinstance(outcome, NotApplicable)

    def test_a_woman_under_50_is_outside_the_bbc_population(self) -> None:
        outcome = evaluate(RISK_BBC_1, snapshot(t_score(-3.0), born="1980-01-15"))

        assert isinstance(outcome, NotApplicable)


class TestClinicalOsteoporosis:
    def test_a_wrist_fracture_at_65_with_osteopenia_indicates_osteoporosis(self) -> None:
        outcome = evaluate(DX_CLIN_1, snapshot(fracture(site="forearm", on="2024-09-01"), t_score(-1.8)))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "t-above-cutoff"

    def test_without_dxa_the_card_still_fires(self) -> None:
        outcome = evaluate(DX_CLIN_1, snapshot(fracture(site="forearm", on="2024-09-01")))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "no-dxa"

    def test_densitometric_osteoporosis_is_left_to_the_treatment_rules(self) -> None:
        outcome = evaluate(DX_CLIN_1, snapshot(fracture(site="forearm", on="2024-09-01"), t_score(-2.5)))

        assert isinstance(outcome, NotApplicable)

    def test_a_man_aged_exactly_50_at_the_fracture_is_not_older_than_50(self) -> None:
        snap = snapshot(fracture(site="forearm", on="2020-06-01"), born="1970-01-15", sex="male")

        assert isinstance(evaluate(DX_CLIN_1, snap), NotApplicable)

    def test_a_man_aged_51_at_the_fracture_is(self) -> None:
        snap = snapshot(fracture(site="forearm", on="2021-02-01"), born="1970-01-15", sex="male")

        assert isinstance(evaluate(DX_CLIN_1, snap), Recommendation)

    def test_a_pathological_fracture_does_not_count(self) -> None:
        assert isinstance(evaluate(DX_CLIN_1, snapshot(fracture(site="pathological", on="2024-09-01"))), NotApplicable)

    def test_a_patient_on_alendronate_gets_no_card(self) -> None:
        snap = snapshot(
            fracture(site="forearm", on="2024-09-01"),
            medication_statement(medication=ALENDRONATE, start="2024-10-01"),
        )

        assert isinstance(evaluate(DX_CLIN_1, snap), NotApplicable)


class TestOsteomalaciaCheck:
    def test_low_vitamin_d_with_osteoporotic_bmd_suggests_osteomalacia(self) -> None:
        snap = snapshot(t_score(-2.8), vitamin_d(value=15, on="2025-05-01"))

        outcome = evaluate(DX_OSTEOMAL_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "pattern"
        assert "lab-pth" in outcome.suggestions

    def test_vitamin_d_exactly_20_ng_per_ml_is_not_deficient(self) -> None:
        normal_lab = (
            calcium(value=2.3, on="2025-05-01", reference_range=(2.2, 2.6)),
            observation(code="2777-1", value=3.5, unit="mg/dL", on="2025-05-01", reference_range=(2.5, 4.5)),
            observation(code="6768-6", value=80, unit="U/L", on="2025-05-01", reference_range=(40, 120)),
        )
        snap = snapshot(t_score(-2.8), vitamin_d(value=20, on="2025-05-01"), *normal_lab)

        assert isinstance(evaluate(DX_OSTEOMAL_1, snap), NotApplicable)

    def test_raised_alkaline_phosphatase_is_part_of_the_pattern(self) -> None:
        snap = snapshot(
            t_score(-2.8),
            observation(code="6768-6", value=180, unit="U/L", on="2025-05-01", reference_range=(40, 120)),
        )

        outcome = evaluate(DX_OSTEOMAL_1, snap)

        assert isinstance(outcome, Recommendation)
        assert "alkaline-phosphatase" in [e.what for e in outcome.evidence]

    def test_missing_labs_are_listed_when_an_antiresorptive_is_ordered(self) -> None:
        order = draft_medication_request(id="draft-aln", medication=ALENDRONATE)
        snap = snapshot(t_score(-2.8), drafts=[order])

        outcome = evaluate(DX_OSTEOMAL_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("vitamin-d", "calcium", "phosphate", "alkaline-phosphatase")

    def test_missing_labs_give_no_card_in_patient_view(self) -> None:
        assert isinstance(evaluate(DX_OSTEOMAL_1, snapshot(t_score(-2.8))), NotApplicable)

    def test_bmd_above_the_osteoporosis_cut_off_is_not_checked(self) -> None:
        assert isinstance(evaluate(DX_OSTEOMAL_1, snapshot(t_score(-2.4), vitamin_d(value=10))), NotApplicable)


class TestFraxFallAdjustment:
    def test_each_fall_multiplies_by_1_3_compounded(self) -> None:
        assert frax_fall_adjusted(10, 2) == pytest.approx(16.9)

    def test_at_most_five_falls_count(self) -> None:
        assert frax_fall_adjusted(10, 7) == pytest.approx(frax_fall_adjusted(10, 5))

    def test_the_result_is_capped_at_100_percent(self) -> None:
        assert frax_fall_adjusted(40, 5) == 100

    def test_the_linear_reading_is_available(self) -> None:
        assert frax_fall_adjusted(10, 2, compounded=False) == pytest.approx(16.0)

    def test_a_stored_frax_without_recorded_falls_asks_about_falls(self) -> None:
        snap = snapshot(observation(code="90265-0", value=22, unit="%", on="2025-03-01"))

        outcome = evaluate(RISK_FRAX_1, snap)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("falls-past-year",)
        assert [e.what for e in outcome.evidence] == ["frax-major-osteoporotic"]

    def test_no_frax_no_card(self) -> None:
        assert isinstance(evaluate(RISK_FRAX_1, snapshot()), NotApplicable)
