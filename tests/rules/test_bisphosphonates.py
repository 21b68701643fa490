"""Bisphosphonate evaluation, drug holiday and restart (rules.md §10; vignettes.md V28–V30), rule by rule.

Snapshots are built from FHIR resources with the real value sets; today is 2025-06-01 unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.fhir.record import PatientRecord
from app.rules.model import CannotAssess, Hook, NotApplicable, Outcome, Recommendation, RuleContext
from app.rules.osteoporosis.bisphosphonates import (
    BP_CONT_1,
    BP_EVAL_1,
    BP_FU_1,
    BP_HOLIDAY_1,
    BP_MAX_1,
    BP_RESTART_1,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import (
    ZOLEDRONATE_5MG,
    condition,
    dosage,
    draft_medication_request,
    dxa_bmd,
    dxa_t_score,
    fracture,
    medication_statement,
    patient,
    prednisone_statement,
    rxnorm,
    zoledronate_infusion,
)

AS_OF = date(2025, 6, 1)
ALENDRONATE_70MG = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")
_REPO = Path(__file__).resolve().parents[2]

Json = dict[str, Any]


@pytest.fixture(scope="module")
def codes() -> CodeSetCatalog:
    return load_catalog(_REPO / "fhir_mappings")


def snapshot(
    codes: CodeSetCatalog,
    *resources: Mapping[str, Any],
    drafts: Sequence[Mapping[str, Any]] = (),
    as_of: date = AS_OF,
) -> ClinicalSnapshot:
    record = PatientRecord(
        patient=patient(birth_date="1955-03-01", gender="female"),
        resources=tuple(resources),
        draft_orders=tuple(drafts),
        selections=(),
        unavailable=(),
    )
    return build_snapshot(record, catalog=codes, as_of=as_of, parameters=SnapshotParameters())


def evaluate(
    rule: Any,
    snap: ClinicalSnapshot,
    *,
    hook: Hook = Hook.PATIENT_VIEW,
    profile: str = "nl",
    **parameters: Any,
) -> Outcome:
    params = GuidelineParameters(**parameters).for_profile(profile)
    outcome: Outcome = rule.evaluate(RuleContext(snapshot=snap, hook=hook, parameters=params, profile=profile))
    return outcome


def alendronate(*, start: str, end: str | None = None) -> Json:
    """Weekly alendronate 70 mg: active from ``start``, or completed on ``end``."""
    return medication_statement(
        medication=ALENDRONATE_70MG,
        status="completed" if end else "active",
        start=start,
        end=end,
        dosages=[dosage(dose=70, frequency=1, period=1, period_unit="wk")],
    )


def dxa(on: str, *, ls: float = -2.3, fn: float = -2.0, th: float = -1.8, bmd_ls: float | None = None) -> list[Json]:
    """One DXA study: T-scores at the three sites and, optionally, the lumbar-spine BMD in g/cm²."""
    items = [
        dxa_t_score(site="lumbar-spine", value=ls, on=on),
        dxa_t_score(site="femoral-neck", value=fn, on=on),
        dxa_t_score(site="total-hip", value=th, on=on),
    ]
    if bmd_ls is not None:
        items.append(dxa_bmd(site="lumbar-spine", g_per_cm2=bmd_ls, on=on))
    return items


def alendronate_draft() -> Json:
    return draft_medication_request(
        id="draft-aln", medication=ALENDRONATE_70MG, dosages=[dosage(dose=70, period_unit="wk")]
    )


def v28(codes: CodeSetCatalog, *, as_of: date = AS_OF, **evaluation: Any) -> ClinicalSnapshot:
    """V28: alendronate continuously since 2020-06-01; baseline DXA 2020-05-01, evaluation DXA 2025-05-15."""
    current_bmd = evaluation.pop("bmd_ls", 0.98)
    extra = evaluation.pop("extra", ())
    return snapshot(
        codes,
        alendronate(start="2020-06-01"),
        *dxa("2020-05-01", bmd_ls=1.0),
        *dxa("2025-05-15", bmd_ls=current_bmd, **evaluation),
        *extra,
        as_of=as_of,
    )


def zoledronate_course(codes: CodeSetCatalog, *infusions: str, **evaluation: Any) -> ClinicalSnapshot:
    """V30: yearly zoledronate infusions; baseline DXA 2022-02-01, evaluation DXA 2025-02-10."""
    return snapshot(
        codes,
        *(zoledronate_infusion(on=day) for day in infusions),
        *dxa("2022-02-01", ls=-2.2, fn=-2.3, th=-2.1, bmd_ls=1.0),
        *dxa("2025-02-10", **{"ls": -2.2, "fn": -2.3, "th": -2.1, "bmd_ls": 1.0, **evaluation}),
    )


def variant(outcome: Outcome) -> str:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return outcome.variant


def evidence_keys(outcome: Outcome) -> set[str]:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return {item.what for item in outcome.evidence}


class TestBpEval1EvaluationIsDueAfterFiveYearsOralOrThreeInfusions:
    def test_exactly_five_calendar_years_of_alendronate_without_evaluation_warns(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020-06-01"))

        outcome = evaluate(BP_EVAL_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "oral"
        assert outcome.suggestions == ("dxa-vfa", "lab")
        assert "bp-oral-start" in evidence_keys(outcome)

    def test_one_day_short_of_five_years_is_not_yet_due(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020-06-02"))

        assert isinstance(evaluate(BP_EVAL_1, snap), NotApplicable)

    def test_four_years_eleven_months_gives_no_card_yet(self, codes: CodeSetCatalog) -> None:
        # V28b: the same patient on 2025-05-01.
        snap = v28(codes, as_of=date(2025, 5, 1))

        for rule in (BP_EVAL_1, BP_HOLIDAY_1, BP_CONT_1, BP_MAX_1):
            assert isinstance(evaluate(rule, snap), NotApplicable), rule.id

    def test_three_zoledronate_infusions_without_evaluation_warn_before_the_fourth(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *(zoledronate_infusion(on=d) for d in ("2022-09-01", "2023-09-01", "2024-09-01")))

        assert variant(evaluate(BP_EVAL_1, snap)) == "zoledronate"

    def test_two_zoledronate_infusions_are_not_yet_due(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *(zoledronate_infusion(on=d) for d in ("2023-09-01", "2024-09-01")))

        assert isinstance(evaluate(BP_EVAL_1, snap), NotApplicable)

    def test_a_year_only_start_that_straddles_five_years_cannot_be_assessed(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020"))

        outcome = evaluate(BP_EVAL_1, snap)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("bp-therapy-start",)

    def test_a_dxa_older_than_twelve_months_before_the_five_year_point_does_not_count(
        self, codes: CodeSetCatalog
    ) -> None:
        snap = snapshot(codes, alendronate(start="2020-06-01"), *dxa("2024-05-31", bmd_ls=1.0))

        assert variant(evaluate(BP_EVAL_1, snap)) == "oral"

    def test_a_renewal_order_is_checked_at_order_select(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020-06-01"), drafts=[alendronate_draft()])

        assert variant(evaluate(BP_EVAL_1, snap, hook=Hook.ORDER_SELECT)) == "oral"

    def test_order_hooks_without_a_bisphosphonate_order_are_silent(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020-06-01"))

        assert isinstance(evaluate(BP_EVAL_1, snap, hook=Hook.ORDER_SIGN), NotApplicable)

    def test_a_complete_evaluation_hands_over_to_the_holiday_rules(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(BP_EVAL_1, v28(codes)), NotApplicable)


class TestBpHoliday1AllCriteriaMet:
    def test_v28_five_years_alendronate_with_good_evaluation_stops_with_follow_up_in_two_years(
        self, codes: CodeSetCatalog
    ) -> None:
        outcome = evaluate(BP_HOLIDAY_1, v28(codes))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "oral"
        assert outcome.facts["follow_up"] == "2027-06-01"
        assert {"eval-t-lumbar-spine", "eval-bmd-change-lumbar-spine", "bp-evaluation-dxa"} <= evidence_keys(outcome)

    def test_a_t_score_of_exactly_minus_2_5_is_not_above_minus_2_5_so_continue(self, codes: CodeSetCatalog) -> None:
        snap = v28(codes, ls=-2.5)

        assert isinstance(evaluate(BP_HOLIDAY_1, snap), NotApplicable)
        assert variant(evaluate(BP_CONT_1, snap)) == "oral"

    def test_a_t_score_just_above_minus_2_5_allows_the_holiday(self, codes: CodeSetCatalog) -> None:
        assert variant(evaluate(BP_HOLIDAY_1, v28(codes, ls=-2.4))) == "oral"

    def test_bone_loss_of_exactly_5_percent_is_not_more_than_5_percent(self, codes: CodeSetCatalog) -> None:
        assert variant(evaluate(BP_HOLIDAY_1, v28(codes, bmd_ls=0.95))) == "oral"

    def test_bone_loss_just_over_5_percent_means_continue(self, codes: CodeSetCatalog) -> None:
        snap = v28(codes, bmd_ls=0.949)

        assert isinstance(evaluate(BP_HOLIDAY_1, snap), NotApplicable)
        outcome = evaluate(BP_CONT_1, snap)
        assert "eval-bmd-change-lumbar-spine" in evidence_keys(outcome)

    def test_a_prevalent_vertebral_fracture_means_continue(self, codes: CodeSetCatalog) -> None:
        snap = v28(codes, extra=[fracture(site="vertebral", on="2015-01-01")])

        assert isinstance(evaluate(BP_HOLIDAY_1, snap), NotApplicable)
        assert "eval-fracture-vertebral" in evidence_keys(evaluate(BP_CONT_1, snap))

    def test_a_fracture_during_treatment_means_continue(self, codes: CodeSetCatalog) -> None:
        snap = v28(codes, extra=[fracture(site="forearm", on="2023-02-01")])

        assert "eval-fracture-forearm" in evidence_keys(evaluate(BP_CONT_1, snap))

    def test_glucocorticoids_started_during_treatment_are_a_new_risk_factor(self, codes: CodeSetCatalog) -> None:
        snap = v28(codes, extra=[prednisone_statement(mg_per_day=10, start="2024-01-01")])

        assert "eval-new-glucocorticoid" in evidence_keys(evaluate(BP_CONT_1, snap))

    def test_without_a_pre_treatment_bmd_the_holiday_cannot_be_assessed(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020-06-01"), *dxa("2025-05-15", bmd_ls=0.98))

        outcome = evaluate(BP_HOLIDAY_1, snap)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("bp-bmd-change",)
        assert isinstance(evaluate(BP_EVAL_1, snap), NotApplicable)

    def test_the_bbc_hip_only_variant_ignores_the_spine(self, codes: CodeSetCatalog) -> None:
        snap = v28(codes, ls=-2.7)

        assert isinstance(evaluate(BP_HOLIDAY_1, snap), NotApplicable)
        assert variant(evaluate(BP_HOLIDAY_1, snap, bp_holiday_t_sites="hip")) == "oral"

    def test_v30_three_zoledronate_infusions_with_good_evaluation_follow_up_three_years_after_holiday_start(
        self, codes: CodeSetCatalog
    ) -> None:
        snap = zoledronate_course(codes, "2022-03-01", "2023-03-01", "2024-03-01")

        outcome = evaluate(BP_HOLIDAY_1, snap)

        assert variant(outcome) == "zoledronate"
        assert isinstance(outcome, Recommendation) and outcome.facts["follow_up"] == "2028-03-01"

    def test_the_belgian_profile_follows_up_oral_holidays_after_five_years(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(BP_HOLIDAY_1, v28(codes), profile="be")

        assert isinstance(outcome, Recommendation) and outcome.facts["follow_up"] == "2030-06-01"


class TestBpCont1CriteriaNotMet:
    def test_v30b_total_hip_minus_2_6_continues_zoledronate(self, codes: CodeSetCatalog) -> None:
        snap = zoledronate_course(codes, "2022-03-01", "2023-03-01", "2024-03-01", th=-2.6)

        outcome = evaluate(BP_CONT_1, snap)

        assert variant(outcome) == "zoledronate"
        assert "eval-t-total-hip" in evidence_keys(outcome)
        assert isinstance(evaluate(BP_HOLIDAY_1, snap), NotApplicable)

    def test_a_renewal_order_after_a_continue_decision_confirms_it(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(
            codes,
            alendronate(start="2019-06-01"),
            *dxa("2019-05-01", bmd_ls=1.0),
            *dxa("2024-05-01", ls=-2.7, bmd_ls=1.0),
            drafts=[alendronate_draft()],
        )

        assert isinstance(evaluate(BP_CONT_1, snap), NotApplicable)  # patient-view: evaluation > 12 months old
        assert variant(evaluate(BP_CONT_1, snap, hook=Hook.ORDER_SELECT)) == "oral"
        assert isinstance(evaluate(BP_EVAL_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)


class TestBpMax1MaximumDuration:
    def test_ten_calendar_years_of_alendronate_reach_the_maximum(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2015-06-01"))

        assert variant(evaluate(BP_MAX_1, snap)) == "oral"
        assert isinstance(evaluate(BP_EVAL_1, snap), NotApplicable)

    def test_one_day_short_of_ten_years_is_not_the_maximum(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2015-06-02"))

        assert isinstance(evaluate(BP_MAX_1, snap), NotApplicable)

    def test_v30c_a_seventh_zoledronate_infusion_ordered_after_six_warns(self, codes: CodeSetCatalog) -> None:
        days = ("2019-07-01", "2020-07-01", "2021-07-01", "2022-07-01", "2023-07-01", "2024-07-01")
        draft = draft_medication_request(id="draft-zol", medication=ZOLEDRONATE_5MG)
        snap = snapshot(codes, *(zoledronate_infusion(on=d) for d in days), drafts=[draft])

        assert variant(evaluate(BP_MAX_1, snap, hook=Hook.ORDER_SELECT)) == "zoledronate"
        assert variant(evaluate(BP_MAX_1, snap, hook=Hook.ORDER_SIGN)) == "zoledronate"

    def test_five_infusions_are_below_the_maximum(self, codes: CodeSetCatalog) -> None:
        days = ("2020-07-01", "2021-07-01", "2022-07-01", "2023-07-01", "2024-07-01")
        snap = snapshot(codes, *(zoledronate_infusion(on=d) for d in days))

        assert isinstance(evaluate(BP_MAX_1, snap), NotApplicable)


def holiday(codes: CodeSetCatalog, *extra: Json, as_of: date = AS_OF) -> ClinicalSnapshot:
    """V29: alendronate 2018-05-15 → 2023-05-15 (holiday since), DXA with BMD at the holiday start."""
    return snapshot(
        codes,
        alendronate(start="2018-05-15", end="2023-05-15"),
        *dxa("2023-05-01", bmd_ls=1.0),
        *extra,
        as_of=as_of,
    )


class TestBpFu1HolidayFollowUp:
    def test_v29f_no_follow_up_two_years_after_stopping_warns_since_the_due_date(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(BP_FU_1, holiday(codes))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "due"
        assert outcome.facts == {"since": "2023-05-15", "due": "2025-05-15", "years": "2"}

    def test_on_the_due_date_it_is_due(self, codes: CodeSetCatalog) -> None:
        assert variant(evaluate(BP_FU_1, holiday(codes, as_of=date(2025, 5, 15)))) == "due"

    def test_the_day_before_the_due_date_it_is_upcoming(self, codes: CodeSetCatalog) -> None:
        assert variant(evaluate(BP_FU_1, holiday(codes, as_of=date(2025, 5, 14)))) == "upcoming"

    def test_three_months_before_the_due_date_it_is_upcoming(self, codes: CodeSetCatalog) -> None:
        assert variant(evaluate(BP_FU_1, holiday(codes, as_of=date(2025, 2, 15)))) == "upcoming"

    def test_more_than_three_months_before_the_due_date_there_is_no_card(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(BP_FU_1, holiday(codes, as_of=date(2025, 2, 14))), NotApplicable)

    def test_v29b_after_a_follow_up_dxa_the_next_one_is_two_years_later(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(BP_FU_1, holiday(codes, *dxa("2025-05-20", ls=-2.4, bmd_ls=0.96)))

        assert isinstance(outcome, NotApplicable)
        assert "2027-05-20" in outcome.reason

    def test_a_zoledronate_holiday_is_followed_up_after_three_years(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *(zoledronate_infusion(on=d) for d in ("2019-03-01", "2020-03-01", "2021-03-01")))

        outcome = evaluate(BP_FU_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.facts["since"] == "2022-03-01" and outcome.facts["due"] == "2025-03-01"

    def test_a_course_stopped_before_five_years_is_not_a_holiday(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, alendronate(start="2020-05-15", end="2023-05-15"))

        assert isinstance(evaluate(BP_FU_1, snap), NotApplicable)

    def test_the_belgian_profile_waits_five_years_for_an_oral_holiday(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(BP_FU_1, holiday(codes), profile="be"), NotApplicable)


class TestBpRestart1RestartCriteria:
    def test_v29a_a_t_score_of_exactly_minus_2_5_restarts(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(BP_RESTART_1, holiday(codes, *dxa("2025-05-20", ls=-2.5, bmd_ls=0.99)))

        assert variant(outcome) == "restart"
        assert "eval-t-lumbar-spine" in evidence_keys(outcome)

    def test_v29b_t_minus_2_4_and_4_percent_loss_do_not_restart(self, codes: CodeSetCatalog) -> None:
        snap = holiday(codes, *dxa("2025-05-20", ls=-2.4, bmd_ls=0.96))

        assert isinstance(evaluate(BP_RESTART_1, snap), NotApplicable)

    def test_v29c_5_5_percent_loss_restarts(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(BP_RESTART_1, holiday(codes, *dxa("2025-05-20", bmd_ls=0.945)))

        assert variant(outcome) == "restart"
        assert "eval-bmd-change-lumbar-spine" in evidence_keys(outcome)

    def test_v29d_exactly_5_percent_loss_does_not_restart(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(BP_RESTART_1, holiday(codes, *dxa("2025-05-20", bmd_ls=0.95))), NotApplicable)

    def test_v29e_a_new_wrist_fracture_restarts(self, codes: CodeSetCatalog) -> None:
        snap = holiday(codes, *dxa("2025-05-20", ls=-2.2, bmd_ls=0.99), fracture(site="forearm", on="2025-03"))

        outcome = evaluate(BP_RESTART_1, snap)

        assert variant(outcome) == "restart"
        assert "eval-fracture-forearm" in evidence_keys(outcome)

    def test_a_fracture_before_the_holiday_does_not_restart(self, codes: CodeSetCatalog) -> None:
        snap = holiday(codes, *dxa("2025-05-20", bmd_ls=0.99), fracture(site="forearm", on="2019-03-01"))

        assert isinstance(evaluate(BP_RESTART_1, snap), NotApplicable)

    def test_rheumatoid_arthritis_diagnosed_during_the_holiday_is_a_new_risk_factor(
        self, codes: CodeSetCatalog
    ) -> None:
        ra = condition(code="69896004", display="Rheumatoid arthritis", onset="2024-09-01")
        outcome = evaluate(BP_RESTART_1, holiday(codes, ra))

        assert variant(outcome) == "restart"
        assert "eval-new-rheumatoid-arthritis" in evidence_keys(outcome)

    def test_pretreatment_baseline_compares_with_the_dxa_before_the_course(self, codes: CodeSetCatalog) -> None:
        snap = holiday(codes, *dxa("2018-05-01", bmd_ls=1.1), *dxa("2025-05-20", bmd_ls=1.0))

        assert isinstance(evaluate(BP_RESTART_1, snap), NotApplicable)  # vs holiday start: 0 %
        outcome = evaluate(BP_RESTART_1, snap, bmd_baseline_ref="pretreatment")  # vs 2018: −9 %
        assert variant(outcome) == "restart"

    def test_a_bisphosphonate_ordered_without_any_criterion_gets_the_info_card(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(
            codes,
            alendronate(start="2018-05-15", end="2023-05-15"),
            *dxa("2023-05-01", bmd_ls=1.0),
            *dxa("2025-05-20", ls=-2.4, bmd_ls=0.99),
            drafts=[alendronate_draft()],
        )

        assert variant(evaluate(BP_RESTART_1, snap, hook=Hook.ORDER_SELECT)) == "no-criterion"

    def test_a_bisphosphonate_ordered_without_a_follow_up_dxa_names_what_is_missing(
        self, codes: CodeSetCatalog
    ) -> None:
        snap = snapshot(
            codes, alendronate(start="2018-05-15", end="2023-05-15"), *dxa("2023-05-01"), drafts=[alendronate_draft()]
        )

        outcome = evaluate(BP_RESTART_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("bp-holiday-follow-up-dxa",)
