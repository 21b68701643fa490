"""Denosumab rules (rules.md §11; vignettes.md V15c, V25, V26), rule by rule, with boundary pairs.

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
from app.rules.osteoporosis.denosumab import (
    DMAB_EVAL_1,
    DMAB_FU_1,
    DMAB_INTERVAL_1,
    DMAB_START_1,
    DMAB_STOP_1,
    DMAB_STOP_2,
    DMAB_STOP_3,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.snapshot.model import add_months
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    ZOLEDRONATE_5MG,
    calcium,
    creatinine_clearance,
    denosumab_injection,
    dosage,
    draft_medication_request,
    dxa_bmd,
    dxa_t_score,
    fracture,
    medication_request,
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
    gender: str = "female",
) -> ClinicalSnapshot:
    record = PatientRecord(
        patient=patient(birth_date="1951-03-01", gender=gender),
        resources=tuple(resources),
        draft_orders=tuple(drafts),
        selections=(),
        unavailable=(),
    )
    return build_snapshot(record, catalog=codes, as_of=as_of, parameters=SnapshotParameters())


def evaluate(
    rule: Any, snap: ClinicalSnapshot, *, hook: Hook = Hook.PATIENT_VIEW, profile: str = "nl", **parameters: Any
) -> Outcome:
    params = GuidelineParameters(**parameters).for_profile(profile)
    outcome: Outcome = rule.evaluate(RuleContext(snapshot=snap, hook=hook, parameters=params, profile=profile))
    return outcome


def variant(outcome: Outcome) -> str:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return outcome.variant


def facts(outcome: Outcome) -> Mapping[str, str]:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return outcome.facts


def evidence_keys(outcome: Outcome) -> set[str]:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return {item.what for item in outcome.evidence}


def injections(last: date, count: int) -> list[Json]:
    """``count`` injections 6 calendar months apart, the last on ``last``."""
    return [denosumab_injection(on=add_months(last, -6 * i).isoformat()) for i in reversed(range(count))]


def active_denosumab_order() -> Json:
    """The patient is continuing denosumab: an active 6-monthly order."""
    return medication_request(medication=DENOSUMAB_60MG, authored_on="2020-01-01")


def stop_order() -> Json:
    return draft_medication_request(id="stop-dmab", medication=DENOSUMAB_60MG, status="stopped")


def denosumab_order() -> Json:
    return draft_medication_request(id="draft-dmab", medication=DENOSUMAB_60MG)


def dxa(on: str, *, ls: float = -2.0, fn: float = -1.8, th: float = -1.6, bmd_ls: float | None = 1.0) -> list[Json]:
    items = [
        dxa_t_score(site="lumbar-spine", value=ls, on=on),
        dxa_t_score(site="femoral-neck", value=fn, on=on),
        dxa_t_score(site="total-hip", value=th, on=on),
    ]
    if bmd_ls is not None:
        items.append(dxa_bmd(site="lumbar-spine", g_per_cm2=bmd_ls, on=on))
    return items


def on_denosumab_since(codes: CodeSetCatalog, last: str, *extra: Json, as_of: date = AS_OF) -> ClinicalSnapshot:
    """A patient continuing denosumab (active order) whose last injection was on ``last``."""
    return snapshot(codes, active_denosumab_order(), *injections(date.fromisoformat(last), 4), *extra, as_of=as_of)


class TestDmabInterval1SixMonthlyInterval:
    @pytest.mark.parametrize(
        ("last", "expected"),
        [
            pytest.param("2024-12-30", None, id="due-in-4-weeks-and-1-day"),
            pytest.param("2024-12-29", "due", id="due-in-exactly-4-weeks"),
            pytest.param("2024-12-01", "due", id="V25a-exactly-6-months"),
            pytest.param("2024-11-30", "overdue", id="6-months-and-1-day"),
            pytest.param("2024-11-10", "overdue", id="V25b-6-months-22-days"),
            pytest.param("2024-11-01", "overdue", id="V25c-exactly-7-months"),
            pytest.param("2024-10-31", "critical", id="7-months-and-1-day"),
            pytest.param("2024-10-20", "critical", id="V25d-7-months-12-days"),
            pytest.param("2023-12-01", "critical", id="exactly-18-months"),
            pytest.param("2023-11-30", "lapsed", id="18-months-and-1-day"),
            pytest.param("2023-10-01", "lapsed", id="V25e-20-months"),
        ],
    )
    def test_months_since_the_last_injection_set_the_card(
        self, codes: CodeSetCatalog, last: str, expected: str | None
    ) -> None:
        outcome = evaluate(DMAB_INTERVAL_1, on_denosumab_since(codes, last))

        if expected is None:
            assert isinstance(outcome, NotApplicable)
        else:
            assert variant(outcome) == expected
            assert "dmab-last-injection" in evidence_keys(outcome)

    def test_the_overdue_card_counts_whole_weeks_past_the_due_date(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(DMAB_INTERVAL_1, on_denosumab_since(codes, "2024-11-10"))

        assert facts(outcome)["weeks"] == "3" and facts(outcome)["due"] == "2025-05-10"

    def test_an_injection_ordered_months_early_gets_an_info_card(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *injections(date(2025, 4, 1), 2), drafts=[denosumab_order()])

        outcome = evaluate(DMAB_INTERVAL_1, snap, hook=Hook.ORDER_SELECT)

        assert variant(outcome) == "early" and facts(outcome)["due"] == "2025-10-01"

    def test_a_first_denosumab_order_is_left_to_dmab_start_1(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, drafts=[denosumab_order()])

        assert isinstance(evaluate(DMAB_INTERVAL_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)

    def test_an_active_order_without_any_dated_injection_asks_for_the_date(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(DMAB_INTERVAL_1, snapshot(codes, active_denosumab_order()))

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("dmab-last-injection",)

    def test_after_a_transition_to_zoledronate_there_is_no_interval_card(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *injections(date(2024, 10, 1), 4), zoledronate_infusion(on="2025-04-01"))

        assert isinstance(evaluate(DMAB_INTERVAL_1, snap), NotApplicable)

    def test_zoledronate_given_before_the_transition_window_is_not_a_transition(self, codes: CodeSetCatalog) -> None:
        # Window opens 4 weeks before last + 6 months (2025-04-01 − 28 days = 2025-03-04).
        snap = snapshot(
            codes, active_denosumab_order(), *injections(date(2024, 10, 1), 4), zoledronate_infusion(on="2025-03-03")
        )

        assert variant(evaluate(DMAB_INTERVAL_1, snap)) == "critical"


def stop_at_sign(
    codes: CodeSetCatalog, *, last: date = date(2024, 12, 15), count: int = 4, crcl: float | None = 60, **kw: Any
) -> Outcome:
    renal = [creatinine_clearance(value=crcl, on="2025-05-01")] if crcl is not None else []
    drafts = kw.pop("drafts", [stop_order()])
    snap = snapshot(codes, *injections(last, count), *renal, drafts=drafts)
    return evaluate(DMAB_STOP_1, snap, hook=Hook.ORDER_SIGN, **kw)


class TestDmabStop1NeverStopWithoutTransition:
    def test_v26_stop_after_two_years_gets_the_short_scheme_dated_six_months_after_the_last_injection(
        self, codes: CodeSetCatalog
    ) -> None:
        outcome = stop_at_sign(codes)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "short"
        assert outcome.facts["start"] == "2025-06-15"
        assert outcome.facts["lab"] == "2025-12-15" and outcome.facts["dxa"] == "2026-06-15"
        assert outcome.facts["stop_order"] == "MedicationRequest/stop-dmab"
        assert outcome.suggestions == ("zoledronate", "alendronate", "keep-denosumab")
        assert {"dmab-last-injection", "dmab-renal-crcl"} <= evidence_keys(outcome)

    def test_the_stop_is_also_caught_at_order_select(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *injections(date(2024, 12, 15), 4), drafts=[stop_order()])

        assert variant(evaluate(DMAB_STOP_1, snap, hook=Hook.ORDER_SELECT)) == "short"

    def test_a_zoledronate_order_dated_six_months_after_the_last_injection_is_a_transition(
        self, codes: CodeSetCatalog
    ) -> None:
        zoledronate = draft_medication_request(
            id="zol", medication=ZOLEDRONATE_5MG, dosages=[dosage(dose=5, bounds_period=("2025-06-15", None))]
        )

        assert isinstance(stop_at_sign(codes, drafts=[stop_order(), zoledronate]), NotApplicable)

    def test_an_undated_alendronate_order_today_is_inside_the_window(self, codes: CodeSetCatalog) -> None:
        alendronate = draft_medication_request(id="aln", medication=ALENDRONATE_70MG)

        assert isinstance(stop_at_sign(codes, drafts=[stop_order(), alendronate]), NotApplicable)

    def test_a_bisphosphonate_dated_more_than_four_weeks_after_the_due_date_is_not_a_plan(
        self, codes: CodeSetCatalog
    ) -> None:
        zoledronate = draft_medication_request(
            id="zol", medication=ZOLEDRONATE_5MG, dosages=[dosage(dose=5, bounds_period=("2025-07-14", None))]
        )

        assert variant(stop_at_sign(codes, drafts=[stop_order(), zoledronate])) == "short"

    @pytest.mark.parametrize(
        ("count", "parameters", "expected"),
        [
            pytest.param(5, {}, "short", id="2.5-years"),
            pytest.param(6, {}, "long", id="exactly-3-years-default"),
            pytest.param(6, {"dmab_scheme_at_exactly_3y": "less-than-3"}, "short", id="exactly-3-years-switched"),
            pytest.param(7, {}, "long", id="3.5-years"),
        ],
    )
    def test_the_scheme_follows_years_of_use(
        self, codes: CodeSetCatalog, count: int, parameters: dict[str, Any], expected: str
    ) -> None:
        outcome = stop_at_sign(codes, count=count, **parameters)

        assert variant(outcome) == expected

    @pytest.mark.parametrize(
        ("crcl", "expected"),
        [
            pytest.param(35, "short", id="35-zoledronate-allowed"),
            pytest.param(34.9, "short-alendronate", id="just-below-35"),
            pytest.param(32, "short-alendronate", id="V26b-32"),
            pytest.param(30, "short-alendronate", id="exactly-30-oral-allowed"),
            pytest.param(29.9, "continue-renal", id="just-below-30"),
            pytest.param(24, "continue-renal", id="V26c-24"),
            pytest.param(None, "short", id="renal-unknown-both-options"),
        ],
    )
    def test_renal_function_chooses_the_transition_drug(
        self, codes: CodeSetCatalog, crcl: float | None, expected: str
    ) -> None:
        assert variant(stop_at_sign(codes, crcl=crcl)) == expected

    def test_after_three_years_the_renal_branch_uses_the_long_alendronate_scheme(self, codes: CodeSetCatalog) -> None:
        assert variant(stop_at_sign(codes, count=6, crcl=32)) == "long-alendronate"

    def test_the_renal_branch_offers_only_alendronate(self, codes: CodeSetCatalog) -> None:
        outcome = stop_at_sign(codes, crcl=32)

        assert isinstance(outcome, Recommendation) and outcome.suggestions == ("alendronate", "keep-denosumab")

    def test_a_stop_when_the_due_date_has_passed_dates_the_transition_today(self, codes: CodeSetCatalog) -> None:
        outcome = stop_at_sign(codes, last=date(2024, 10, 1))

        assert facts(outcome)["start"] == "2025-06-01"

    def test_a_stop_without_any_dated_injection_is_still_critical(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, active_denosumab_order(), drafts=[stop_order()])

        outcome = evaluate(DMAB_STOP_1, snap, hook=Hook.ORDER_SIGN)

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "missing" and outcome.missing == ("dmab-last-injection",)
        assert outcome.suggestions == ("keep-denosumab",)

    def test_order_hooks_without_a_denosumab_stop_are_silent(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *injections(date(2024, 12, 15), 4), drafts=[denosumab_order()])

        assert isinstance(evaluate(DMAB_STOP_1, snap, hook=Hook.ORDER_SIGN), NotApplicable)


class TestDmabStop1InPatientView:
    def stopped(self, codes: CodeSetCatalog, last: str, *extra: Json) -> Outcome:
        order = medication_request(medication=DENOSUMAB_60MG, status="stopped", authored_on="2023-01-01")
        snap = snapshot(codes, order, *injections(date.fromisoformat(last), 4), *extra)
        return evaluate(DMAB_STOP_1, snap)

    def test_a_stopped_order_less_than_four_weeks_before_the_due_date_is_critical(self, codes: CodeSetCatalog) -> None:
        outcome = self.stopped(codes, "2024-12-28")

        assert variant(outcome) == "short"
        assert facts(outcome)["start"] == "2025-06-28"
        assert isinstance(outcome, Recommendation) and outcome.suggestions[-1] == "continue-denosumab"

    def test_a_stopped_order_exactly_four_weeks_before_the_due_date_waits(self, codes: CodeSetCatalog) -> None:
        # rules.md: patient-view fires when today > DMAB_LAST + 6 months − 4 weeks (strict).
        assert isinstance(self.stopped(codes, "2024-12-29"), NotApplicable)

    def test_beyond_the_eighteen_month_rebound_window_it_is_left_to_the_lapsed_card(
        self, codes: CodeSetCatalog
    ) -> None:
        assert variant(self.stopped(codes, "2023-12-01")) == "short-overdue"
        assert isinstance(self.stopped(codes, "2023-11-30"), NotApplicable)

    def test_no_active_order_and_last_injection_over_six_months_ago_counts_as_stopped(
        self, codes: CodeSetCatalog
    ) -> None:
        snap = snapshot(codes, *injections(date(2024, 11, 30), 4))

        assert variant(evaluate(DMAB_STOP_1, snap)) == "short-overdue"

    def test_a_continuing_patient_is_not_stopped(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(DMAB_STOP_1, on_denosumab_since(codes, "2024-11-10")), NotApplicable)

    def test_a_given_transition_closes_the_stop(self, codes: CodeSetCatalog) -> None:
        assert isinstance(self.stopped(codes, "2024-12-01", zoledronate_infusion(on="2025-06-01")), NotApplicable)


class TestDmabStop1AfterGlucocorticoidsStopped:
    """V15c: GC stopped, denosumab (4 injections) started for it, no reason to continue → never a plain stop."""

    def record(self, *, dxa_on: str = "2025-05-01", ls: float = -2.0, extra: Sequence[Json] = ()) -> list[Json]:
        return [
            prednisone_statement(mg_per_day=10, start="2022-06-01", end="2025-02-01", status="completed"),
            active_denosumab_order(),
            *injections(date(2025, 3, 1), 4),
            *dxa(dxa_on, ls=ls, fn=-1.7, th=-1.7),
            *extra,
        ]

    def test_stop_criteria_met_gives_the_critical_short_scheme(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(DMAB_STOP_1, snapshot(codes, *self.record(), gender="male"))

        assert variant(outcome) == "short"
        assert facts(outcome)["start"] == "2025-09-01"

    def test_a_t_score_of_exactly_minus_2_5_means_continue_so_no_stop_card(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(DMAB_STOP_1, snapshot(codes, *self.record(ls=-2.5))), NotApplicable)

    def test_a_vertebral_fracture_means_continue(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *self.record(extra=[fracture(site="vertebral", on="2020-01-01")]))

        assert isinstance(evaluate(DMAB_STOP_1, snap), NotApplicable)

    def test_without_a_dxa_after_the_glucocorticoid_stop_there_is_nothing_to_decide_yet(
        self, codes: CodeSetCatalog
    ) -> None:
        assert isinstance(evaluate(DMAB_STOP_1, snapshot(codes, *self.record(dxa_on="2025-01-15"))), NotApplicable)


class TestDmabStart1FirstOrder:
    def test_a_first_denosumab_order_gets_the_long_term_commitment_card(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, calcium(value=2.3, on="2025-05-01"), drafts=[denosumab_order()])

        outcome = evaluate(DMAB_START_1, snap, hook=Hook.ORDER_SELECT)

        assert variant(outcome) == "start"
        assert "dmab-calcium" in evidence_keys(outcome)

    def test_a_repeat_order_is_not_a_start(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *injections(date(2024, 12, 1), 2), drafts=[denosumab_order()])

        assert isinstance(evaluate(DMAB_START_1, snap, hook=Hook.ORDER_SIGN), NotApplicable)

    def test_belgium_without_the_reimbursement_criteria_adds_the_reimbursement_note(
        self, codes: CodeSetCatalog
    ) -> None:
        snap = snapshot(codes, *dxa("2025-03-01", ls=-2.7), drafts=[denosumab_order()])

        assert variant(evaluate(DMAB_START_1, snap, hook=Hook.ORDER_SELECT, profile="be")) == "be-reimbursement"

    def test_belgium_with_a_recent_dxa_prior_bisphosphonate_and_low_t_score_is_reimbursed(
        self, codes: CodeSetCatalog
    ) -> None:
        prior = medication_statement(
            medication=ALENDRONATE_70MG, status="completed", start="2021-01-01", end="2024-01-01"
        )
        snap = snapshot(codes, prior, *dxa("2025-03-01", ls=-2.7), drafts=[denosumab_order()])

        assert variant(evaluate(DMAB_START_1, snap, hook=Hook.ORDER_SELECT, profile="be")) == "start"

    def test_belgium_with_a_dxa_exactly_six_months_old_is_not_reimbursed(self, codes: CodeSetCatalog) -> None:
        prior = medication_statement(
            medication=ALENDRONATE_70MG, status="completed", start="2021-01-01", end="2024-01-01"
        )
        snap = snapshot(codes, prior, *dxa("2024-12-01", ls=-2.7), drafts=[denosumab_order()])

        assert variant(evaluate(DMAB_START_1, snap, hook=Hook.ORDER_SELECT, profile="be")) == "be-reimbursement"


class TestDmabEval1ThreeYearEvaluation:
    def test_five_injections_are_not_yet_three_years(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, active_denosumab_order(), *injections(date(2025, 4, 1), 5))

        assert isinstance(evaluate(DMAB_EVAL_1, snap), NotApplicable)

    def test_six_injections_without_a_dxa_since_the_sixth_warn(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, active_denosumab_order(), *injections(date(2025, 4, 1), 6), *dxa("2025-03-31"))

        outcome = evaluate(DMAB_EVAL_1, snap)

        assert variant(outcome) == "due"
        assert isinstance(outcome, Recommendation) and outcome.suggestions == ("dxa-vfa", "lab")

    def test_the_seventh_injection_ordered_without_evaluation_warns(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, *injections(date(2024, 12, 1), 6), drafts=[denosumab_order()])

        assert variant(evaluate(DMAB_EVAL_1, snap, hook=Hook.ORDER_SELECT)) == "due"

    def evaluated(self, codes: CodeSetCatalog, **evaluation: Any) -> Outcome:
        extra = evaluation.pop("extra", ())
        snap = snapshot(
            codes,
            active_denosumab_order(),
            *injections(date(2025, 4, 1), 6),
            *dxa("2022-06-01", bmd_ls=1.0),
            *dxa("2025-05-01", **evaluation),
            *extra,
        )
        return evaluate(DMAB_EVAL_1, snap)

    def test_all_criteria_met_allows_consolidation_six_months_after_the_last_dose(self, codes: CodeSetCatalog) -> None:
        outcome = self.evaluated(codes, bmd_ls=1.02)

        assert variant(outcome) == "consolidate"
        assert facts(outcome)["start"] == "2025-10-01"

    def test_consolidation_with_the_next_dose_already_overdue_names_the_past_due_date(
        self, codes: CodeSetCatalog
    ) -> None:
        # Issue 16, same class as defect 3: last (6th) injection 2024-11-01, so "6 months after the last dose" is
        # 2025-05-01, a month before today; the card says so instead of offering a past date as the start.
        snap = snapshot(
            codes,
            active_denosumab_order(),
            *injections(date(2024, 11, 1), 6),
            *dxa("2022-04-01", bmd_ls=1.0),
            *dxa("2025-05-01", bmd_ls=1.02),
        )

        outcome = evaluate(DMAB_EVAL_1, snap)

        assert variant(outcome) == "consolidate-overdue"
        assert facts(outcome)["due"] == "2025-05-01"
        assert facts(outcome)["start"] == "2025-06-01"

    def test_t_exactly_minus_2_5_continues_denosumab(self, codes: CodeSetCatalog) -> None:
        outcome = self.evaluated(codes, ls=-2.5)

        assert variant(outcome) == "continue"
        assert "eval-t-lumbar-spine" in evidence_keys(outcome)

    def test_loss_of_exactly_5_percent_still_allows_consolidation(self, codes: CodeSetCatalog) -> None:
        assert variant(self.evaluated(codes, bmd_ls=0.95)) == "consolidate"

    def test_loss_just_over_5_percent_continues(self, codes: CodeSetCatalog) -> None:
        assert variant(self.evaluated(codes, bmd_ls=0.949)) == "continue"

    def test_a_new_fracture_since_the_first_injection_continues(self, codes: CodeSetCatalog) -> None:
        assert variant(self.evaluated(codes, extra=[fracture(site="humerus", on="2024-01-01")])) == "continue"

    def test_a_missing_baseline_bmd_leaves_the_decision_open(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, active_denosumab_order(), *injections(date(2025, 4, 1), 6), *dxa("2025-05-01"))

        outcome = evaluate(DMAB_EVAL_1, snap)

        assert isinstance(outcome, CannotAssess) and outcome.variant == "incomplete"

    def test_ten_years_asks_for_the_lifelong_decision(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(codes, active_denosumab_order(), *injections(date(2025, 4, 1), 20), *dxa("2025-05-01"))

        assert variant(evaluate(DMAB_EVAL_1, snap)) == "ten-years"

    def test_an_active_order_without_injections_has_an_unknown_duration(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(DMAB_EVAL_1, snapshot(codes, active_denosumab_order()))

        assert isinstance(outcome, CannotAssess) and outcome.variant == "duration-unknown"


def transition(
    codes: CodeSetCatalog, *extra: Json, count: int = 4, start: str = "2024-06-01", as_of: date = AS_OF
) -> ClinicalSnapshot:
    """Denosumab (last injection 2023-12-01), then zoledronate on ``start``."""
    return snapshot(
        codes,
        *injections(date(2023, 12, 1), count),
        *dxa("2023-11-01", bmd_ls=1.0),
        zoledronate_infusion(on=start),
        *extra,
        as_of=as_of,
    )


class TestDmabStopSchemesDuringTheTransition:
    def test_short_scheme_names_the_six_month_lab_step_before_it_is_due(self, codes: CodeSetCatalog) -> None:
        outcome = evaluate(DMAB_STOP_2, transition(codes, as_of=date(2024, 11, 1)))

        assert variant(outcome) == "lab"
        assert facts(outcome)["lab"] == "2024-12-01"
        assert isinstance(evaluate(DMAB_STOP_3, transition(codes, as_of=date(2024, 11, 1))), NotApplicable)

    def test_after_the_lab_the_twelve_month_dxa_is_next(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, calcium(value=2.3, on="2024-12-05"), as_of=date(2025, 3, 1))

        assert variant(evaluate(DMAB_STOP_2, snap)) == "dxa"

    def test_long_scheme_with_zoledronate_needs_the_repeat_infusion(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, count=6, as_of=date(2024, 11, 1))

        assert variant(evaluate(DMAB_STOP_3, snap)) == "lab-zoledronate"

    def test_long_scheme_lab_without_repeat_infusion_is_overdue(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, calcium(value=2.3, on="2024-12-05"), count=6, as_of=date(2025, 1, 1))

        assert isinstance(evaluate(DMAB_STOP_3, snap), NotApplicable)
        outcome = evaluate(DMAB_FU_1, snap)
        assert variant(outcome) == "lab-overdue" and facts(outcome)["since"] == "2024-12-01"

    def test_long_scheme_after_lab_and_repeat_infusion_names_the_dxa_step(self, codes: CodeSetCatalog) -> None:
        snap = transition(
            codes,
            calcium(value=2.3, on="2024-12-05"),
            zoledronate_infusion(on="2024-12-05"),
            count=6,
            as_of=date(2025, 3, 1),
        )

        assert variant(evaluate(DMAB_STOP_3, snap)) == "dxa-zoledronate"
        assert isinstance(evaluate(DMAB_FU_1, snap), NotApplicable)

    def test_long_scheme_with_alendronate_continues_it_at_six_months(self, codes: CodeSetCatalog) -> None:
        alendronate = medication_statement(medication=ALENDRONATE_70MG, start="2024-06-01")
        snap = snapshot(codes, *injections(date(2023, 12, 1), 6), alendronate, as_of=date(2024, 11, 1))

        assert variant(evaluate(DMAB_STOP_3, snap)) == "lab-alendronate"

    def test_a_twelve_month_dxa_without_a_baseline_bmd_leaves_the_restart_open(self, codes: CodeSetCatalog) -> None:
        snap = snapshot(
            codes,
            *injections(date(2023, 12, 1), 4),
            zoledronate_infusion(on="2024-06-01"),
            calcium(value=2.3, on="2024-12-05"),
            *dxa("2025-05-20", ls=-2.3, bmd_ls=None),
        )

        outcome = evaluate(DMAB_FU_1, snap)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("dmab-bmd-change",)

    def test_the_six_month_lab_on_its_due_date_is_not_overdue(self, codes: CodeSetCatalog) -> None:
        assert isinstance(evaluate(DMAB_FU_1, transition(codes, as_of=date(2024, 12, 1))), NotApplicable)

    def test_the_twelve_month_dxa_on_its_due_date_is_not_overdue(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, calcium(value=2.3, on="2024-12-05"))

        assert isinstance(evaluate(DMAB_FU_1, snap), NotApplicable)
        assert variant(evaluate(DMAB_STOP_2, snap)) == "dxa"

    def test_the_twelve_month_dxa_a_day_late_warns(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, calcium(value=2.3, on="2024-12-05"), as_of=date(2025, 6, 2))

        outcome = evaluate(DMAB_FU_1, snap)

        assert variant(outcome) == "dxa-overdue" and facts(outcome)["since"] == "2025-06-01"

    def test_restart_when_the_twelve_month_dxa_shows_t_minus_2_5(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, calcium(value=2.3, on="2024-12-05"), *dxa("2025-05-20", ls=-2.5, bmd_ls=0.99))

        outcome = evaluate(DMAB_FU_1, snap)

        assert variant(outcome) == "restart"
        assert isinstance(evaluate(DMAB_STOP_2, snap), NotApplicable)

    def test_no_restart_on_a_good_twelve_month_dxa(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, calcium(value=2.3, on="2024-12-05"), *dxa("2025-05-20", ls=-2.4, bmd_ls=0.96))

        assert isinstance(evaluate(DMAB_FU_1, snap), NotApplicable)

    def test_a_non_vertebral_fracture_during_the_transition_restarts(self, codes: CodeSetCatalog) -> None:
        snap = transition(codes, fracture(site="hip", on="2024-10-01"), as_of=date(2024, 11, 1))

        assert variant(evaluate(DMAB_FU_1, snap)) == "restart"

    def test_the_schemes_are_dutch_only(self) -> None:
        for rule in (DMAB_STOP_2, DMAB_STOP_3, DMAB_FU_1):
            assert rule.profiles == frozenset({"nl"})
