"""Anabolic (bone-forming) therapy rules on snapshots built from FHIR (rules.md §12; vignettes.md V19–V22, V39).

Today is 2025-06-01 (vignettes.md). Boundary pairs: hip T −2.5/−2.0 and lowest T −1.5 (≤, inclusive), age 50
(strict > 50, C-53), T ≤ −3.5 (BBC very high), 12 months of antiresorptive before the new fracture (≥),
romosozumab 12 doses, teriparatide 24 (NL) / 18 (BE) months, one month after the end of a course.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.fhir.record import PatientRecord
from app.rules.model import CannotAssess, Hook, NotApplicable, Outcome, Recommendation, Rule, RuleContext
from app.rules.osteoporosis.anabolic import ANABOLIC_1, ANABOLIC_2, ANABOLIC_3, ANABOLIC_4, ANABOLIC_5, ANABOLIC_6
from app.rules.parameters import GuidelineParameters
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    atc,
    condition,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_administration,
    medication_statement,
    patient,
)

AS_OF = date(2025, 6, 1)
_REPO = Path(__file__).resolve().parents[2]
ROMOSOZUMAB = atc("M05BX06", "romosozumab")
TERIPARATIDE = atc("H05AA02", "teriparatide")
ALENDRONATE = atc("M05BA04", "alendronic acid")


@pytest.fixture(scope="module")
def catalog() -> CodeSetCatalog:
    return load_catalog(_REPO / "fhir_mappings")


def snapshot(
    catalog: CodeSetCatalog,
    *resources: Mapping[str, Any],
    born: str = "1957-01-15",
    sex: str = "female",
    drafts: tuple[Mapping[str, Any], ...] = (),
) -> ClinicalSnapshot:
    record = PatientRecord(
        patient=patient(birth_date=born, gender=sex), resources=tuple(resources), draft_orders=drafts
    )
    return build_snapshot(record, catalog=catalog, as_of=AS_OF, parameters=SnapshotParameters())


def run(
    rule: Rule, snap: ClinicalSnapshot, *, hook: Hook = Hook.PATIENT_VIEW, profile: str = "nl", **params: Any
) -> Outcome:
    parameters = GuidelineParameters(**params).for_profile(profile)
    return rule.evaluate(RuleContext(snapshot=snap, hook=hook, parameters=parameters, profile=profile))


def vf(grade: int | None = 2, on: str = "2024-09-01") -> dict[str, Any]:
    return fracture(site="vertebral", on=on, stage=None if grade is None else f"Genant graad {grade}")


def dxa(
    *, ls: float | None = None, fn: float | None = None, th: float | None = None, on: str = "2025-03-01"
) -> list[dict[str, Any]]:
    sites = (("lumbar-spine", ls), ("femoral-neck", fn), ("total-hip", th))
    return [dxa_t_score(site=site, value=value, on=on) for site, value in sites if value is not None]


def romo_order() -> dict[str, Any]:
    return draft_medication_request(id="draft-romo", medication=ROMOSOZUMAB)


def tptd_order() -> dict[str, Any]:
    return draft_medication_request(id="draft-tptd", medication=TERIPARATIDE)


def variant(outcome: Outcome) -> str:
    assert isinstance(outcome, Recommendation), outcome
    return outcome.variant


class TestAnabolic1RomosozumabFirstChoice:
    def test_v20_woman_of_68_with_fn_t_minus_2_1_and_two_grade_2_vf_is_eligible(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.0, fn=-2.1, th=-1.8), vf(2), vf(2, "2023-05-01"))

        outcome = run(ANABOLIC_1, snap)

        assert isinstance(outcome, Recommendation) and outcome.variant == "eligible"
        assert outcome.facts == {"t_hip": "-2.1", "vf": "2"}
        assert outcome.suggestions == ("romosozumab",)
        assert {e.what for e in outcome.evidence} >= {"hip-t-score", "vertebral-fractures-grade-2-or-3", "age"}

    @pytest.mark.parametrize(
        ("t_hip", "eligible"),
        [
            pytest.param(-2.1, True, id="just-below-minus-2.0"),
            pytest.param(-2.0, True, id="at-minus-2.0"),
            pytest.param(-1.9, False, id="just-above-minus-2.0"),
        ],
    )
    def test_two_vf_need_hip_t_at_most_minus_2_0(self, catalog: CodeSetCatalog, t_hip: float, eligible: bool) -> None:
        snap = snapshot(catalog, *dxa(fn=t_hip), vf(2), vf(3, "2023-01-01"))

        assert isinstance(run(ANABOLIC_1, snap), Recommendation) is eligible

    @pytest.mark.parametrize(
        ("t_hip", "eligible"),
        [
            pytest.param(-2.6, True, id="just-below-minus-2.5"),
            pytest.param(-2.5, True, id="at-minus-2.5"),
            pytest.param(-2.4, False, id="just-above-minus-2.5"),
        ],
    )
    def test_one_vf_needs_hip_t_at_most_minus_2_5(self, catalog: CodeSetCatalog, t_hip: float, eligible: bool) -> None:
        snap = snapshot(catalog, *dxa(th=t_hip), vf(2))

        assert isinstance(run(ANABOLIC_1, snap), Recommendation) is eligible

    def test_lumbar_spine_t_score_does_not_count(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.5, fn=-1.9, th=-1.8), vf(2), vf(2, "2023-01-01"))

        assert isinstance(run(ANABOLIC_1, snap), NotApplicable)

    @pytest.mark.parametrize(
        ("born", "eligible"),
        [pytest.param("1975-06-01", False, id="exactly-50"), pytest.param("1974-06-01", True, id="51")],
    )
    def test_age_must_be_strictly_above_50(self, catalog: CodeSetCatalog, born: str, eligible: bool) -> None:
        snap = snapshot(catalog, *dxa(fn=-2.6), vf(2), born=born)

        assert isinstance(run(ANABOLIC_1, snap), Recommendation) is eligible

    def test_history_of_myocardial_infarction_excludes_romosozumab(self, catalog: CodeSetCatalog) -> None:
        mi = condition(code="22298006", display="Myocardial infarction", onset="2022-03-01")
        snap = snapshot(catalog, *dxa(fn=-2.9, th=-2.7), vf(2), mi)

        assert isinstance(run(ANABOLIC_1, snap), NotApplicable)

    def test_romosozumab_ordered_after_mi_lists_the_unmet_criterion(self, catalog: CodeSetCatalog) -> None:
        mi = condition(code="22298006", display="Myocardial infarction", onset="2022-03-01")
        snap = snapshot(catalog, *dxa(fn=-2.9, th=-2.7), vf(2), mi, drafts=(romo_order(),))

        assert variant(run(ANABOLIC_1, snap, hook=Hook.ORDER_SELECT)) == "unmet-cv"

    def test_romosozumab_ordered_without_the_bmd_criteria_is_flagged_not_blocked(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(fn=-1.2, th=-1.1, ls=-1.5), vf(3), drafts=(romo_order(),))

        outcome = run(ANABOLIC_1, snap, hook=Hook.ORDER_SELECT)

        assert variant(outcome) == "unmet"
        assert isinstance(outcome, Recommendation) and outcome.facts["t_hip"] == "-1.2"

    def test_romosozumab_ordered_for_a_man_is_outside_the_population(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(fn=-2.9), vf(2), vf(2), sex="male", drafts=(romo_order(),))

        assert variant(run(ANABOLIC_1, snap, hook=Hook.ORDER_SIGN)) == "unmet-population"

    def test_a_vertebral_fracture_without_grade_cannot_be_assessed(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(fn=-2.7), vf(None))

        outcome = run(ANABOLIC_1, snap)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("vertebral-fracture-grade",)

    def test_no_dxa_means_the_hip_t_score_is_missing(self, catalog: CodeSetCatalog) -> None:
        outcome = run(ANABOLIC_1, snapshot(catalog, vf(2), vf(2)))

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("hip-t-score",)

    def test_no_vertebral_fracture_recorded_is_not_applicable_at_patient_view(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(run(ANABOLIC_1, snapshot(catalog, *dxa(fn=-3.0))), NotApplicable)

    @pytest.mark.parametrize(
        ("criteria", "eligible"), [pytest.param("plan", False, id="plan"), pytest.param("flowchart", True, id="flow")]
    )
    def test_one_grade_3_vf_at_hip_t_minus_2_meets_only_the_flowchart_variant(
        self, catalog: CodeSetCatalog, criteria: str, eligible: bool
    ) -> None:
        snap = snapshot(catalog, *dxa(fn=-2.0), vf(3))

        assert isinstance(run(ANABOLIC_1, snap, romo_nl_criteria=criteria), Recommendation) is eligible


class TestAnabolic2TeriparatideFirstChoice:
    @pytest.mark.parametrize(
        ("t_ls", "eligible"),
        [
            pytest.param(-1.6, True, id="just-below-minus-1.5"),
            pytest.param(-1.5, True, id="v21-at-minus-1.5"),
            pytest.param(-1.4, False, id="just-above-minus-1.5"),
        ],
    )
    def test_v21_lowest_t_at_most_minus_1_5_with_one_grade_3_vf(
        self, catalog: CodeSetCatalog, t_ls: float, eligible: bool
    ) -> None:
        snap = snapshot(catalog, *dxa(ls=t_ls, fn=-1.2, th=-1.1), vf(3), born="1959-01-15")

        outcome = run(ANABOLIC_2, snap)

        assert isinstance(outcome, Recommendation) is eligible
        if isinstance(outcome, Recommendation):
            assert outcome.variant == "eligible" and outcome.suggestions == ("teriparatide",)

    def test_one_grade_2_vf_is_not_enough(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(run(ANABOLIC_2, snapshot(catalog, *dxa(ls=-3.0), vf(2))), NotApplicable)

    def test_never_first_choice_within_18_months_of_denosumab(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-2.0), vf(3), denosumab_injection(on="2024-06-01"))

        assert isinstance(run(ANABOLIC_2, snap), NotApplicable)

    @pytest.mark.parametrize(
        ("last", "eligible"),
        [
            pytest.param("2023-12-01", False, id="exactly-18-months-still-excluded"),
            pytest.param("2023-11-30", True, id="18-months-and-a-day-eligible"),
        ],
    )
    def test_the_denosumab_window_is_ci_tptd_1s(self, catalog: CodeSetCatalog, last: str, eligible: bool) -> None:
        snap = snapshot(catalog, *dxa(ls=-2.0), vf(3), denosumab_injection(on=last))

        assert isinstance(run(ANABOLIC_2, snap), Recommendation) is eligible

    def test_the_literal_6_month_lookback_applies_here_too(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-2.0), vf(3), denosumab_injection(on="2024-06-01"))

        assert variant(run(ANABOLIC_2, snap, tptd_after_dmab_lookback_months=6)) == "eligible"

    def test_denosumab_listed_without_a_dated_injection_cannot_be_assessed(self, catalog: CodeSetCatalog) -> None:
        """Behaviour change: the last covered day of the list entry used to stand in for DMAB_LAST; CI-TPTD-1 asks
        to verify denosumab use when no injection is dated, and ANABOLIC-2 now says the same."""
        listed = medication_statement(
            medication=DENOSUMAB_60MG, start="2019-01-01", end="2020-01-01", status="completed"
        )
        snap = snapshot(catalog, *dxa(ls=-2.0), vf(3), listed)

        outcome = run(ANABOLIC_2, snap)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("denosumab-dates",)

    @pytest.mark.parametrize(
        ("age_days", "eligible"),
        [pytest.param(90, False, id="low-renal-90-days-excludes"), pytest.param(91, True, id="91-days-stale")],
    )
    def test_a_low_renal_value_excludes_teriparatide_only_while_fresh(
        self, catalog: CodeSetCatalog, age_days: int, eligible: bool
    ) -> None:
        """Behaviour change: CI-TPTD-2's 90-day staleness (was 365 days here); a stale value does not exclude, the
        order is then met by CI-TPTD-2's "measure first" warning."""
        renal = creatinine_clearance(value=25, on=(AS_OF - timedelta(days=age_days)).isoformat())
        snap = snapshot(catalog, *dxa(ls=-2.0), vf(3), renal)

        assert isinstance(run(ANABOLIC_2, snap), Recommendation) is eligible

    def test_teriparatide_ordered_in_a_denosumab_user_is_flagged(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-2.0), vf(3), denosumab_injection(on="2025-04-01"), drafts=(tptd_order(),))

        assert variant(run(ANABOLIC_2, snap, hook=Hook.ORDER_SELECT)) == "unmet-denosumab"

    def test_v19_romosozumab_after_mi_shows_teriparatide_criteria_not_met(self, catalog: CodeSetCatalog) -> None:
        mi = condition(code="22298006", display="Myocardial infarction", onset="2022-03-01")
        snap = snapshot(catalog, *dxa(fn=-2.9, th=-2.7), vf(2), mi, born="1955-01-01", drafts=(romo_order(),))

        assert variant(run(ANABOLIC_2, snap, hook=Hook.ORDER_SELECT)) == "alternative-unmet"

    def test_first_choice_criteria_do_not_cover_men(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(run(ANABOLIC_2, snapshot(catalog, *dxa(ls=-2.5), vf(3), sex="male")), NotApplicable)


def alendronate_since(start: str) -> dict[str, Any]:
    return medication_statement(medication=ALENDRONATE, start=start)


class TestAnabolic3ThirdFracture:
    def test_v22_man_with_two_vf_and_hip_fracture_after_18_months_of_alendronate(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            vf(2, "2022-01-10"),
            vf(2, "2022-06-10"),
            alendronate_since("2023-11-01"),
            fracture(site="hip", on="2025-05-01"),
            sex="male",
            born="1953-01-01",
        )

        outcome = run(ANABOLIC_3, snap)

        assert variant(outcome) == "teriparatide"
        assert isinstance(outcome, Recommendation) and outcome.suggestions == ("teriparatide",)

    def test_a_postmenopausal_woman_gets_both_options(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            vf(2, "2022-01-10"),
            vf(None, "2022-06-10"),
            alendronate_since("2023-11-01"),
            fracture(site="forearm", on="2025-05-01"),
        )

        assert variant(run(ANABOLIC_3, snap)) == "both"

    @pytest.mark.parametrize(
        ("fracture_on", "fires"),
        [
            pytest.param("2024-10-31", False, id="one-day-before-12-months"),
            pytest.param("2024-11-01", True, id="at-12-months"),
            pytest.param("2024-11-02", True, id="one-day-after-12-months"),
        ],
    )
    def test_the_new_fracture_must_come_after_at_least_12_months(
        self, catalog: CodeSetCatalog, fracture_on: str, fires: bool
    ) -> None:
        snap = snapshot(
            catalog,
            vf(2, "2022-01-10"),
            vf(2, "2022-06-10"),
            alendronate_since("2023-11-01"),
            fracture(site="hip", on=fracture_on),
        )

        assert isinstance(run(ANABOLIC_3, snap), Recommendation) is fires

    def test_teriparatide_is_not_suggested_when_denosumab_use_cannot_be_dated(self, catalog: CodeSetCatalog) -> None:
        """Behaviour change: "not on/after denosumab" was read as true when it was unknown."""
        snap = snapshot(
            catalog,
            vf(2, "2022-01-10"),
            vf(2, "2022-06-10"),
            alendronate_since("2023-11-01"),
            medication_statement(medication=DENOSUMAB_60MG, start=None, status="completed"),
            fracture(site="hip", on="2025-05-01"),
            sex="male",
            born="1953-01-01",
        )

        outcome = run(ANABOLIC_3, snap)

        assert variant(outcome) == "specialist"
        assert isinstance(outcome, Recommendation) and outcome.suggestions == ()

    def test_one_prevalent_vertebral_fracture_is_not_enough(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog, vf(2, "2022-01-10"), alendronate_since("2023-11-01"), fracture(site="hip", on="2025-05-01")
        )

        assert isinstance(run(ANABOLIC_3, snap), NotApplicable)


class TestAnabolic4BbcVeryHighRisk:
    @pytest.mark.parametrize(
        ("t_ls", "very_high"),
        [
            pytest.param(-3.6, True, id="v35a-minus-3.6"),
            pytest.param(-3.5, True, id="v35b-at-minus-3.5"),
            pytest.param(-3.4, False, id="just-above-minus-3.5"),
        ],
    )
    def test_untreated_very_high_risk_prefers_an_anabolic(
        self, catalog: CodeSetCatalog, t_ls: float, very_high: bool
    ) -> None:
        snap = snapshot(catalog, *dxa(ls=t_ls, fn=-2.0), born="1965-01-01")

        outcome = run(ANABOLIC_4, snap)

        assert isinstance(outcome, Recommendation) is very_high
        if very_high:
            assert variant(outcome) == "anabolic-preferred"

    def test_be_profile_very_high_by_t_score_alone_is_not_reimbursed(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.6), born="1965-01-01")

        outcome = run(ANABOLIC_4, snap, profile="be")

        assert variant(outcome) == "be-not-reimbursed"
        assert isinstance(outcome, Recommendation) and outcome.facts == {"t_min": "-3.6"}

    def test_be_profile_with_a_recent_major_fracture_prefers_an_anabolic(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.6), fracture(site="hip", on="2024-09-01"), born="1950-01-01")

        assert variant(run(ANABOLIC_4, snap, profile="be")) == "anabolic-preferred"

    def test_be_order_of_romosozumab_without_mof_repeats_the_reimbursement_note(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.6), born="1965-01-01", drafts=(romo_order(),))

        assert variant(run(ANABOLIC_4, snap, hook=Hook.ORDER_SELECT, profile="be")) == "be-not-reimbursed"

    def test_nl_orders_get_no_reimbursement_card(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.6), born="1965-01-01", drafts=(romo_order(),))

        assert isinstance(run(ANABOLIC_4, snap, hook=Hook.ORDER_SELECT), NotApplicable)

    def test_patients_already_on_treatment_are_left_to_other_rules(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *dxa(ls=-3.6), alendronate_since("2024-01-01"), born="1965-01-01")

        assert isinstance(run(ANABOLIC_4, snap), NotApplicable)


def romo_doses(n: int, *, first: str = "2024-05-15") -> list[dict[str, Any]]:
    year, month, day = (int(part) for part in first.split("-"))
    doses = []
    for i in range(n):
        y, m = divmod(month - 1 + i, 12)
        doses.append(medication_administration(medication=ROMOSOZUMAB, on=f"{year + y:04d}-{m + 1:02d}-{day:02d}"))
    return doses


class TestAnabolic5MaximumDuration:
    def test_v39a_a_13th_romosozumab_order_after_12_doses_warns(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *romo_doses(12, first="2024-05-15"), drafts=(romo_order(),))

        outcome = run(ANABOLIC_5, snap, hook=Hook.ORDER_SELECT)

        assert variant(outcome) == "romosozumab-complete"
        assert isinstance(outcome, Recommendation) and outcome.facts == {"months": "12"}

    def test_an_order_within_the_first_12_months_is_fine(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *romo_doses(11, first="2024-07-01"), drafts=(romo_order(),))

        assert isinstance(run(ANABOLIC_5, snap, hook=Hook.ORDER_SELECT), NotApplicable)

    @pytest.mark.parametrize(
        ("start", "profile", "complete"),
        [
            pytest.param("2023-06-02", "nl", False, id="nl-one-day-short-of-24-months"),
            pytest.param("2023-06-01", "nl", True, id="v39b-nl-24-months"),
            pytest.param("2023-12-02", "be", False, id="be-one-day-short-of-18-months"),
            pytest.param("2023-12-01", "be", True, id="v39b-be-18-months"),
        ],
    )
    def test_teriparatide_renewal_at_the_profile_maximum_warns(
        self, catalog: CodeSetCatalog, start: str, profile: str, complete: bool
    ) -> None:
        statement = medication_statement(medication=TERIPARATIDE, start=start)
        snap = snapshot(catalog, statement, drafts=(tptd_order(),))

        outcome = run(ANABOLIC_5, snap, hook=Hook.ORDER_SIGN, profile=profile)

        assert (isinstance(outcome, Recommendation) and outcome.variant == "teriparatide-complete") is complete

    def test_be_teriparatide_beyond_9_months_needs_the_t_score_check(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog, medication_statement(medication=TERIPARATIDE, start="2024-08-01"), drafts=(tptd_order(),)
        )

        assert variant(run(ANABOLIC_5, snap, hook=Hook.ORDER_SIGN, profile="be")) == "be-nine-month-check"

    def test_patient_view_within_a_month_of_the_course_end_plans_consolidation(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, medication_statement(medication=TERIPARATIDE, start="2023-06-20"))

        outcome = run(ANABOLIC_5, snap)

        assert variant(outcome) == "ending"


class TestAnabolic6Consolidation:
    def test_v39a_romosozumab_ended_without_antiresorptive_warns(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *romo_doses(12, first="2024-05-15"))

        outcome = run(ANABOLIC_6, snap)

        assert variant(outcome) == "after-romosozumab"
        assert isinstance(outcome, Recommendation) and outcome.suggestions[0] == "denosumab"

    @pytest.mark.parametrize(
        ("last_dose", "fires"),
        [
            pytest.param("2025-04-30", True, id="end-plus-one-month-passed"),
            pytest.param("2025-05-01", False, id="end-plus-one-month-is-today"),
        ],
    )
    def test_one_month_grace_after_the_course_end(self, catalog: CodeSetCatalog, last_dose: str, fires: bool) -> None:
        snap = snapshot(catalog, medication_administration(medication=ROMOSOZUMAB, on=last_dose))

        assert isinstance(run(ANABOLIC_6, snap), Recommendation) is fires

    def test_a_denosumab_injection_after_romosozumab_is_consolidation(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *romo_doses(12, first="2024-05-15"), denosumab_injection(on="2025-05-20"))

        assert isinstance(run(ANABOLIC_6, snap), NotApplicable)

    def test_stop_order_of_teriparatide_without_follow_on_warns_at_order_sign(self, catalog: CodeSetCatalog) -> None:
        stop = draft_medication_request(id="stop-tptd", medication=TERIPARATIDE, status="stopped")
        snap = snapshot(catalog, medication_statement(medication=TERIPARATIDE, start="2023-07-01"), drafts=(stop,))

        assert variant(run(ANABOLIC_6, snap, hook=Hook.ORDER_SIGN)) == "stop-order"

    def test_stop_order_with_a_denosumab_order_is_fine(self, catalog: CodeSetCatalog) -> None:
        stop = draft_medication_request(id="stop-tptd", medication=TERIPARATIDE, status="stopped")
        dmab = draft_medication_request(id="new-dmab", medication=DENOSUMAB_60MG)
        snap = snapshot(catalog, medication_statement(medication=TERIPARATIDE, start="2023-07-01"), drafts=(stop, dmab))

        assert isinstance(run(ANABOLIC_6, snap, hook=Hook.ORDER_SIGN), NotApplicable)
