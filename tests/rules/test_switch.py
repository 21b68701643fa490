"""Switching rules on snapshots built from FHIR (rules.md §9; vignettes.md V16, V22, V24, V32, V33).

Boundary pairs: a new fracture just before / at / after 12 months of therapy (calendar arithmetic), BMD loss
exactly 5 % (strict "> 5 %"), 2.5 years of denosumab (strict "> 2.5"), denosumab 18 months ago; an intolerance
the day before / on the oral-bisphosphonate start; s-CTX and P1NP decreases exactly at, just below and just above
31 % / 20 % (C-31); a PDC exactly at / just below 80 %.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.rules.engine import evaluate
from app.rules.model import CannotAssess, Hook, NotApplicable, Recommendation
from app.rules.osteoporosis import OSTEOPOROSIS_RULES
from app.rules.osteoporosis.switch import (
    SWITCH_ADH_1,
    SWITCH_DMAB_ROMO_1,
    SWITCH_FAIL_1,
    SWITCH_FAIL_2,
    SWITCH_GI_1,
)
from app.rules.osteoporosis.treatment import TX_CHOICE_2
from app.rules.parameters import GuidelineParameters
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import (
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    dxa_bmd,
    fracture,
    medication_dispense,
    medication_statement,
    observation,
    oral_bisphosphonate_intolerance,
    prednisone_statement,
    rxnorm,
)
from tests.rules import _support as support
from tests.rules.test_anabolic import (
    ALENDRONATE,
    dxa,
    romo_order,
    run,
    snapshot,
    variant,
    vf,
)


@pytest.fixture(scope="module")
def catalog() -> CodeSetCatalog:
    return load_catalog(Path(__file__).resolve().parents[2] / "fhir_mappings")


def alendronate_since(start: str) -> dict[str, Any]:
    return medication_statement(medication=ALENDRONATE, start=start)


def injections(*dates: str) -> list[dict[str, Any]]:
    return [denosumab_injection(on=day) for day in dates]


SIX_MONTHLY_FROM_2021 = (
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


class TestSwitchFail1TherapyFailure:
    def test_v33a_vertebral_fracture_after_two_years_of_alendronate_is_failure(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, alendronate_since("2023-01-10"), vf(None, "2025-03-01"))

        outcome = run(SWITCH_FAIL_1, snap)

        assert variant(outcome) == "failure-oral-bp"
        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("zoledronate", "denosumab", "alendronate-solution")
        assert {e.what for e in outcome.evidence} >= {"antiresorptive", "antiresorptive-start", "new-fracture"}

    def test_v33b_wrist_fracture_after_8_months_is_not_failure_by_definition(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, alendronate_since("2024-09-01"), fracture(site="forearm", on="2025-05-01"))

        assert variant(run(SWITCH_FAIL_1, snap)) == "early"

    @pytest.mark.parametrize(
        ("fracture_on", "expected"),
        [
            pytest.param("2024-01-09", "early", id="one-day-before-12-months"),
            pytest.param("2024-01-10", "failure-oral-bp", id="at-12-months"),
            pytest.param("2024-01-11", "failure-oral-bp", id="one-day-after-12-months"),
        ],
    )
    def test_failure_needs_at_least_12_months_of_therapy(
        self, catalog: CodeSetCatalog, fracture_on: str, expected: str
    ) -> None:
        snap = snapshot(catalog, alendronate_since("2023-01-10"), fracture(site="hip", on=fracture_on))

        assert variant(run(SWITCH_FAIL_1, snap)) == expected

    def test_v24_vertebral_fracture_on_four_years_of_denosumab(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *injections(*SIX_MONTHLY_FROM_2021), vf(2, "2025-05-01"))

        outcome = run(SWITCH_FAIL_1, snap)

        assert variant(outcome) == "failure-denosumab"
        assert isinstance(outcome, Recommendation) and outcome.suggestions == ()

    def test_a_fracture_before_therapy_started_is_not_new(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, alendronate_since("2023-01-10"), fracture(site="hip", on="2022-12-01"))

        assert isinstance(run(SWITCH_FAIL_1, snap), NotApplicable)

    def test_without_current_antiresorptive_the_rule_does_not_apply(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(run(SWITCH_FAIL_1, snapshot(catalog, fracture(site="hip", on="2025-03-01"))), NotApplicable)

    def test_a_fracture_dated_only_by_year_straddling_12_months_cannot_be_assessed(
        self, catalog: CodeSetCatalog
    ) -> None:
        snap = snapshot(catalog, alendronate_since("2023-06-15"), fracture(site="hip", on="2024"))

        outcome = run(SWITCH_FAIL_1, snap)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("fracture-date",)

    @pytest.mark.parametrize(
        ("fractures", "expected"),
        [
            pytest.param(("2025-03-01",), "not-confirmed", id="one-fracture"),
            pytest.param(("2024-06-01", "2025-03-01"), "failure-oral-bp", id="two-fractures"),
        ],
    )
    def test_bbc_definition_needs_two_new_fractures(
        self, catalog: CodeSetCatalog, fractures: tuple[str, ...], expected: str
    ) -> None:
        snap = snapshot(catalog, alendronate_since("2023-01-10"), *(fracture(site="rib", on=d) for d in fractures))

        assert variant(run(SWITCH_FAIL_1, snap, failure_definition="bbc")) == expected

    @pytest.mark.parametrize(
        ("after_g_per_cm2", "failure"),
        [
            pytest.param(0.944, True, id="loss-5.6-percent"),
            pytest.param(0.950, False, id="loss-exactly-5-percent"),
            pytest.param(0.955, False, id="loss-4.5-percent"),
        ],
    )
    def test_bmd_loss_above_5_percent_after_a_year_is_failure_without_fracture(
        self, catalog: CodeSetCatalog, after_g_per_cm2: float, failure: bool
    ) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2023-01-10"),
            dxa_bmd(site="total-hip", g_per_cm2=1.0, on="2023-01-05"),
            dxa_bmd(site="total-hip", g_per_cm2=after_g_per_cm2, on="2025-02-01"),
        )

        outcome = run(SWITCH_FAIL_1, snap)

        assert (isinstance(outcome, Recommendation) and outcome.variant == "failure-oral-bp") is failure
        if failure:
            assert isinstance(outcome, Recommendation)
            assert any(e.what == "bmd-change-total-hip" for e in outcome.evidence)


class TestSwitchFail2BoneFormingAfterFailure:
    def test_failure_with_romosozumab_and_teriparatide_criteria_offers_both(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2023-01-10"),
            *dxa(ls=-2.8, fn=-2.6, on="2025-04-01"),
            vf(2, "2022-01-01"),
            vf(2, "2025-03-01"),
        )

        outcome = run(SWITCH_FAIL_2, snap)

        assert variant(outcome) == "both"
        assert isinstance(outcome, Recommendation) and outcome.suggestions == ("romosozumab", "teriparatide")

    def test_a_man_can_only_get_teriparatide(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2023-01-10"),
            *dxa(ls=-2.8, fn=-2.6, on="2025-04-01"),
            vf(3, "2025-03-01"),
            sex="male",
        )

        assert variant(run(SWITCH_FAIL_2, snap)) == "teriparatide"

    def test_after_denosumab_only_romosozumab_remains(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            *injections(*SIX_MONTHLY_FROM_2021),
            *dxa(ls=-2.8, fn=-2.6, on="2025-05-15"),
            vf(2, "2022-01-01"),
            vf(2, "2025-05-01"),
        )

        assert variant(run(SWITCH_FAIL_2, snap)) == "romosozumab"

    def test_failure_without_dxa_cannot_be_assessed(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, alendronate_since("2023-01-10"), vf(3, "2025-03-01"))

        outcome = run(SWITCH_FAIL_2, snap)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("dxa",)

    def test_no_failure_no_card(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, alendronate_since("2024-09-01"), *dxa(fn=-3.0), vf(3, "2025-05-01"))

        assert isinstance(run(SWITCH_FAIL_2, snap), NotApplicable)


class TestSwitchDmabRomo1:
    @pytest.mark.parametrize(
        ("count", "expected"),
        [
            pytest.param(5, "short-term", id="2.5-years-not-above"),
            pytest.param(6, "long-term", id="3-years"),
        ],
    )
    def test_more_than_2_5_years_of_denosumab_warns(self, catalog: CodeSetCatalog, count: int, expected: str) -> None:
        snap = snapshot(catalog, *injections(*SIX_MONTHLY_FROM_2021[-count:]), drafts=(romo_order(),))

        outcome = run(SWITCH_DMAB_ROMO_1, snap, hook=Hook.ORDER_SELECT)

        assert variant(outcome) == expected

    @pytest.mark.parametrize(
        ("last", "applies"),
        [pytest.param("2023-12-01", True, id="18-months-ago"), pytest.param("2023-11-30", False, id="18m-plus-1d")],
    )
    def test_only_within_18_months_of_the_last_denosumab(
        self, catalog: CodeSetCatalog, last: str, applies: bool
    ) -> None:
        snap = snapshot(catalog, denosumab_injection(on=last), drafts=(romo_order(),))

        assert isinstance(run(SWITCH_DMAB_ROMO_1, snap, hook=Hook.ORDER_SIGN), Recommendation) is applies

    def test_no_romosozumab_order_no_card(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, *injections(*SIX_MONTHLY_FROM_2021))

        assert isinstance(run(SWITCH_DMAB_ROMO_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-GI-1 (vignette V32) and its precedence (V16)
# ----------------------------------------------------------------------------------------------------------------

ALENDRONATE_SOLUTION = rxnorm("904447", "alendronic acid 70 MG per 75 ML Oral Solution")


def alendronate_order(medication: dict[str, Any] = ALENDRONATE) -> dict[str, Any]:
    return draft_medication_request(id="draft-aln", medication=medication)


class TestSwitchGi1OralBisphosphonateSideEffects:
    def test_v32_upper_gi_complaints_recorded_on_alendronate_switch_to_solution_or_parenteral(
        self, catalog: CodeSetCatalog
    ) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2024-03-01"),
            oral_bisphosphonate_intolerance(id="ai-gi", onset="2025-04-10", manifestation="Upper abdominal pain"),
        )

        outcome = run(SWITCH_GI_1, snap)

        assert isinstance(outcome, Recommendation) and outcome.variant == "intolerance"
        assert outcome.suggestions == ("alendronate-solution", "zoledronate", "denosumab")
        lines = {(e.what, e.value, str(e.on), e.source) for e in outcome.evidence}
        assert (
            "oral-bp-intolerance",
            "alendronate: Upper abdominal pain",
            "2025-04-10",
            "AllergyIntolerance/ai-gi",
        ) in (lines)
        assert ("oral-bisphosphonate-start", "2024-03-01", "None", None) in lines

    @pytest.mark.parametrize(
        ("onset", "fires"),
        [pytest.param("2024-02-29", False, id="day-before-start"), pytest.param("2024-03-01", True, id="on-start")],
    )
    def test_only_an_intolerance_from_the_start_of_the_course_on_counts(
        self, catalog: CodeSetCatalog, onset: str, fires: bool
    ) -> None:
        snap = snapshot(catalog, alendronate_since("2024-03-01"), oral_bisphosphonate_intolerance(onset=onset))

        outcome = run(SWITCH_GI_1, snap)

        assert isinstance(outcome, Recommendation) is fires
        if not fires:
            assert isinstance(outcome, NotApplicable) and "TX-CHOICE-2" in outcome.reason

    def test_an_undated_intolerance_cannot_be_placed_against_the_start(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog, alendronate_since("2024-03-01"), oral_bisphosphonate_intolerance(onset=None, recorded=None)
        )

        outcome = run(SWITCH_GI_1, snap)

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("intolerance-date",)

    def test_a_year_only_onset_straddling_the_start_cannot_be_placed(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, alendronate_since("2024-03-01"), oral_bisphosphonate_intolerance(onset="2024"))

        assert isinstance(run(SWITCH_GI_1, snap), CannotAssess)

    def test_a_resolved_intolerance_gives_no_card(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2024-03-01"),
            oral_bisphosphonate_intolerance(onset="2025-01-10", clinical_status="resolved"),
        )

        assert isinstance(run(SWITCH_GI_1, snap), NotApplicable)

    def test_an_intolerance_to_risedronate_counts_for_alendronate_as_a_class(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2024-03-01"),
            oral_bisphosphonate_intolerance(drug="risedronate", onset="2025-01"),
        )

        assert isinstance(run(SWITCH_GI_1, snap), Recommendation)

    def test_not_on_an_oral_bisphosphonate_is_not_applicable(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, oral_bisphosphonate_intolerance(onset="2025-01-10"))

        assert isinstance(run(SWITCH_GI_1, snap), NotApplicable)

    def test_no_card_once_the_patient_takes_the_oral_solution(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            medication_statement(medication=ALENDRONATE_SOLUTION, start="2024-03-01"),
            oral_bisphosphonate_intolerance(onset="2025-01-10"),
        )

        outcome = run(SWITCH_GI_1, snap)

        assert isinstance(outcome, NotApplicable) and "oral solution" in outcome.reason

    def test_re_ordering_tablets_after_the_intolerance_warns_at_order_select(self, catalog: CodeSetCatalog) -> None:
        stopped = medication_statement(medication=ALENDRONATE, start="2023-01-01", end="2024-06-30", status="completed")
        snap = snapshot(
            catalog, stopped, oral_bisphosphonate_intolerance(onset="2024-06-15"), drafts=(alendronate_order(),)
        )

        outcome = run(SWITCH_GI_1, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, Recommendation) and outcome.variant == "intolerance"
        assert ("draft-order", "alendronate") in {(e.what, e.value) for e in outcome.evidence}

    def test_ordering_the_oral_solution_itself_is_not_warned_about(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            alendronate_since("2024-03-01"),
            oral_bisphosphonate_intolerance(onset="2025-01-10"),
            drafts=(alendronate_order(ALENDRONATE_SOLUTION),),
        )

        assert isinstance(run(SWITCH_GI_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)

    def test_a_first_ever_order_is_left_to_tx_choice_2(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(catalog, oral_bisphosphonate_intolerance(onset="2024-01-10"), drafts=(alendronate_order(),))

        assert isinstance(run(SWITCH_GI_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)


def _by_rule(catalog: CodeSetCatalog, *resources: dict[str, Any], profile: str = "nl") -> dict[str, Any]:
    snap = snapshot(catalog, *resources, born="1955-01-01")
    outcomes = evaluate(
        OSTEOPOROSIS_RULES,
        snap,
        hook=Hook.PATIENT_VIEW,
        profile=profile,
        parameters=GuidelineParameters().for_profile(profile),
    )
    return {outcome.rule_id: outcome for outcome in outcomes}


class TestIntolerancePrecedence:
    def test_v16_in_a_gc_user_gc_switch_1_takes_precedence_over_switch_gi_1(self, catalog: CodeSetCatalog) -> None:
        by_rule = _by_rule(
            catalog,
            prednisone_statement(mg_per_day=10, start="2024-01-01"),
            alendronate_since("2024-03-01"),
            creatinine_clearance(value=60, on="2025-05-01"),
            oral_bisphosphonate_intolerance(onset="2025-02-01"),
        )

        gc_switch = by_rule["GC-SWITCH-1"]
        assert isinstance(gc_switch, Recommendation) and gc_switch.variant == "intolerance"
        assert set(gc_switch.suggestions) == {"zoledronate", "denosumab", "teriparatide"}
        assert isinstance(by_rule["SWITCH-GI-1"], NotApplicable) and "GC-SWITCH-1" in by_rule["SWITCH-GI-1"].reason
        assert isinstance(by_rule["TX-CHOICE-2"], NotApplicable)

    def test_in_the_be_profile_without_gc_switch_1_the_general_card_stays(self, catalog: CodeSetCatalog) -> None:
        by_rule = _by_rule(
            catalog,
            prednisone_statement(mg_per_day=10, start="2024-01-01"),
            alendronate_since("2024-03-01"),
            oral_bisphosphonate_intolerance(onset="2025-02-01"),
            profile="be",
        )

        assert isinstance(by_rule["SWITCH-GI-1"], Recommendation)

    def test_without_gc_switch_gi_1_replaces_the_tx_choice_2_intolerance_card(self, catalog: CodeSetCatalog) -> None:
        by_rule = _by_rule(
            catalog, alendronate_since("2024-03-01"), oral_bisphosphonate_intolerance(onset="2025-02-01")
        )

        assert isinstance(by_rule["SWITCH-GI-1"], Recommendation)
        assert isinstance(by_rule["TX-CHOICE-2"], NotApplicable) and "SWITCH-GI-1" in by_rule["TX-CHOICE-2"].reason

    def test_an_intolerance_from_before_the_restart_gives_the_tx_choice_2_card(self, catalog: CodeSetCatalog) -> None:
        by_rule = _by_rule(
            catalog, alendronate_since("2024-03-01"), oral_bisphosphonate_intolerance(onset="2022-02-01")
        )

        tx_choice = by_rule["TX-CHOICE-2"]
        assert isinstance(tx_choice, Recommendation) and tx_choice.variant == "intolerance"
        assert isinstance(by_rule["SWITCH-GI-1"], NotApplicable)


# ----------------------------------------------------------------------------------------------------------------
# SWITCH-ADH-1 (C-31 boundary pairs, PDC)
# ----------------------------------------------------------------------------------------------------------------

START = "2025-01-15"
"""Alendronate started 2025-01-15: baseline up to that day, follow-up ~2025-04-15 (window 2025-03-15..2025-07-15)."""


def ctx(value: float, on: str, unit: str = "pg/mL") -> dict[str, Any]:
    return observation(code="41171-0", value=value, unit=unit, on=on)


def p1np(value: float, on: str, unit: str = "ug/L") -> dict[str, Any]:
    return observation(code="77370-5", value=value, unit=unit, on=on)


def btm_pair(ctx_drop_pct: float | None, p1np_drop_pct: float | None) -> list[dict[str, Any]]:
    """Baseline s-CTX 1000 pg/mL and P1NP 100 µg/L on the start day; follow-up on 2025-04-15 with these drops."""
    items: list[dict[str, Any]] = []
    if ctx_drop_pct is not None:
        items += [ctx(1000, START), ctx(1000 - 10 * ctx_drop_pct, "2025-04-15")]
    if p1np_drop_pct is not None:
        items += [p1np(100, START), p1np(100 - p1np_drop_pct, "2025-04-15")]
    return items


def adherence(catalog: CodeSetCatalog, *resources: dict[str, Any], **params: Any) -> Any:
    return run(SWITCH_ADH_1, snapshot(catalog, alendronate_since(START), *resources), **params)


class TestSwitchAdh1BoneTurnoverMarkers:
    @pytest.mark.parametrize(
        ("ctx_drop", "p1np_drop"),
        [
            pytest.param(31, 20, id="exactly-31-and-20"),
            pytest.param(31.1, 20.1, id="just-above"),
            pytest.param(60, 45, id="well-above"),
        ],
    )
    def test_both_thresholds_reached_is_good_compliance_and_no_card(
        self, catalog: CodeSetCatalog, ctx_drop: float, p1np_drop: float
    ) -> None:
        outcome = adherence(catalog, *btm_pair(ctx_drop, p1np_drop))

        assert isinstance(outcome, NotApplicable)

    @pytest.mark.parametrize(
        ("ctx_drop", "p1np_drop"),
        [pytest.param(30.9, 19.9, id="just-below-both"), pytest.param(0, 0, id="no-decrease")],
    )
    def test_neither_threshold_reached_warns_of_possible_non_adherence(
        self, catalog: CodeSetCatalog, ctx_drop: float, p1np_drop: float
    ) -> None:
        outcome = adherence(catalog, *btm_pair(ctx_drop, p1np_drop))

        assert isinstance(outcome, Recommendation) and outcome.variant == "btm-poor"
        assert outcome.suggestions == ("zoledronate", "denosumab", "alendronate-solution")

    @pytest.mark.parametrize(
        ("ctx_drop", "p1np_drop"),
        [pytest.param(30.9, 20, id="ctx-just-below"), pytest.param(31, 19.9, id="p1np-just-below")],
    )
    def test_only_one_threshold_reached_is_ambiguous_info(
        self, catalog: CodeSetCatalog, ctx_drop: float, p1np_drop: float
    ) -> None:
        outcome = adherence(catalog, *btm_pair(ctx_drop, p1np_drop))

        assert isinstance(outcome, Recommendation) and outcome.variant == "btm-ambiguous"

    def test_the_card_lists_the_values_and_dates_used(self, catalog: CodeSetCatalog) -> None:
        outcome = adherence(catalog, *btm_pair(10, 5))

        assert isinstance(outcome, Recommendation)
        lines = {(e.what, e.value, str(e.on)) for e in outcome.evidence}
        assert {
            ("ctx-baseline", "1000 pg/ml", START),
            ("ctx-follow-up", "900 pg/ml", "2025-04-15"),
            ("ctx-decrease-pct", "10.0", "None"),
            ("p1np-baseline", "100 ug/l", START),
            ("p1np-follow-up", "95 ug/l", "2025-04-15"),
            ("p1np-decrease-pct", "5.0", "None"),
        } <= lines

    def test_markers_in_different_mass_units_are_compared(self, catalog: CodeSetCatalog) -> None:
        outcome = adherence(catalog, ctx(1.0, START, "ng/mL"), ctx(800, "2025-04-15", "pg/mL"), *btm_pair(None, 10))

        assert isinstance(outcome, Recommendation) and outcome.variant == "btm-poor"  # 20 % and 10 %

    def test_a_single_marker_below_its_threshold_is_ambiguous(self, catalog: CodeSetCatalog) -> None:
        assert adherence(catalog, *btm_pair(10, None)).variant == "btm-ambiguous"

    def test_a_single_marker_at_its_threshold_gives_no_card(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(adherence(catalog, *btm_pair(31, None)), NotApplicable)

    @pytest.mark.parametrize(
        ("baseline_on", "counts"),
        [
            pytest.param("2024-10-17", True, id="90-days-before-start"),
            pytest.param("2024-10-16", False, id="91-days-before-start"),
            pytest.param("2025-01-16", False, id="day-after-start"),
        ],
    )
    def test_the_baseline_window_is_90_days_up_to_the_start(
        self, catalog: CodeSetCatalog, baseline_on: str, counts: bool
    ) -> None:
        outcome = adherence(catalog, ctx(1000, baseline_on), ctx(1000, "2025-04-15"))

        assert isinstance(outcome, Recommendation) is counts

    @pytest.mark.parametrize(
        ("follow_up_on", "counts"),
        [
            pytest.param("2025-03-14", False, id="just-before-2-months"),
            pytest.param("2025-03-15", True, id="at-2-months"),
            pytest.param("2025-07-15", True, id="at-6-months"),
            pytest.param("2025-07-16", False, id="after-6-months"),
        ],
    )
    def test_the_follow_up_window_is_2_to_6_months(
        self, catalog: CodeSetCatalog, follow_up_on: str, counts: bool
    ) -> None:
        later = support.snapshot(
            alendronate_since(START), ctx(1000, START), ctx(1000, follow_up_on), as_of=date(2025, 8, 1)
        )

        outcome = run(SWITCH_ADH_1, later)

        assert isinstance(outcome, Recommendation) is counts

    def test_the_follow_up_nearest_3_months_is_used(self, catalog: CodeSetCatalog) -> None:
        outcome = adherence(catalog, ctx(1000, START), ctx(500, "2025-03-20"), ctx(1000, "2025-04-16"))

        assert isinstance(outcome, Recommendation)  # 2025-04-16 (0 %) is nearer to 2025-04-15 than 2025-03-20

    def test_units_that_cannot_be_compared_cannot_be_assessed(self, catalog: CodeSetCatalog) -> None:
        outcome = adherence(catalog, ctx(1000, START, "pg/mL"), ctx(3, "2025-04-15", "nmol/L"))

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("btm-units",)

    def test_no_markers_and_no_dispenses_is_nothing_to_evaluate(self, catalog: CodeSetCatalog) -> None:
        outcome = adherence(catalog)

        assert isinstance(outcome, NotApplicable) and outcome.reason.startswith("nothing to evaluate")

    def test_not_on_an_oral_bisphosphonate_is_not_applicable(self, catalog: CodeSetCatalog) -> None:
        outcome = run(SWITCH_ADH_1, snapshot(catalog, *btm_pair(0, 0)))

        assert isinstance(outcome, NotApplicable) and outcome.reason == "not on an oral bisphosphonate"


ALENDRONATE_TABLET = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")


def dispenses(*days: str, supply: float = 28) -> list[dict[str, Any]]:
    return [medication_dispense(medication=ALENDRONATE_TABLET, handed_over=day, days_supply=supply) for day in days]


class TestSwitchAdh1Dispensing:
    """PDC from 2025-01-01 (152 days to 2025-06-01 inclusive)."""

    def on_alendronate(self, catalog: CodeSetCatalog, *resources: dict[str, Any], **params: Any) -> Any:
        statement = medication_statement(medication=ALENDRONATE_TABLET, start="2025-01-01")
        return run(SWITCH_ADH_1, snapshot(catalog, statement, *resources), **params)

    def test_pdc_below_80_percent_is_poor_adherence(self, catalog: CodeSetCatalog) -> None:
        # 3 × 28 days + 23 days of the last supply up to today = 107 of 152 days = 70.4 %
        outcome = self.on_alendronate(catalog, *dispenses("2025-01-01", "2025-02-15", "2025-04-01", "2025-05-10"))

        assert isinstance(outcome, Recommendation) and outcome.variant == "dispensing"
        assert outcome.facts == {"pdc": "70"}
        assert ("pdc-pct", "70.4") in {(e.what, e.value) for e in outcome.evidence}

    @pytest.mark.parametrize(
        ("covered_days", "fires"),
        [pytest.param(121, True, id="79.6-percent"), pytest.param(122, False, id="80.3-percent")],
    )
    def test_the_80_percent_boundary(self, catalog: CodeSetCatalog, covered_days: int, fires: bool) -> None:
        outcome = self.on_alendronate(catalog, *dispenses("2025-01-01", supply=covered_days))

        assert isinstance(outcome, Recommendation) is fires

    def test_the_threshold_is_configurable(self, catalog: CodeSetCatalog) -> None:
        outcome = self.on_alendronate(catalog, *dispenses("2025-01-01", supply=121), adherence_pdc_min_pct=70)

        assert isinstance(outcome, NotApplicable)

    def test_a_pdc_over_less_than_90_days_is_not_judged(self, catalog: CodeSetCatalog) -> None:
        outcome = self.on_alendronate(catalog, *dispenses("2025-03-10"))  # 84 days to 2025-06-01

        assert isinstance(outcome, NotApplicable) and outcome.reason.startswith("nothing to evaluate")

    def test_a_dispense_without_supply_makes_the_pdc_unknown_not_low(self, catalog: CodeSetCatalog) -> None:
        undated_supply = medication_dispense(medication=ALENDRONATE_TABLET, handed_over="2025-01-01")

        outcome = self.on_alendronate(catalog, undated_supply)

        assert isinstance(outcome, NotApplicable) and "known supply" in outcome.reason

    def test_poor_markers_outrank_a_low_pdc(self, catalog: CodeSetCatalog) -> None:
        markers = [ctx(1000, "2025-01-01"), ctx(1000, "2025-04-01"), p1np(100, "2025-01-01"), p1np(100, "2025-04-01")]

        outcome = self.on_alendronate(catalog, *markers, *dispenses("2025-01-01", supply=28))

        assert isinstance(outcome, Recommendation) and outcome.variant == "btm-poor"
        assert "pdc-pct" in {e.what for e in outcome.evidence}  # every datum used is listed


class TestTxChoice2WithARecordedIntolerance:
    def test_a_first_order_of_tablets_despite_a_recorded_intolerance_offers_the_second_choice(
        self, catalog: CodeSetCatalog
    ) -> None:
        snap = snapshot(catalog, oral_bisphosphonate_intolerance(onset="2023-05-01"), drafts=(alendronate_order(),))

        outcome = run(TX_CHOICE_2, snap, hook=Hook.ORDER_SELECT)

        assert isinstance(outcome, Recommendation) and outcome.variant == "intolerance"
        assert outcome.suggestions == ("zoledronate", "denosumab", "alendronate-solution")

    def test_ordering_the_oral_solution_is_the_second_choice_already(self, catalog: CodeSetCatalog) -> None:
        snap = snapshot(
            catalog,
            oral_bisphosphonate_intolerance(onset="2023-05-01"),
            drafts=(alendronate_order(ALENDRONATE_SOLUTION),),
        )

        assert isinstance(run(TX_CHOICE_2, snap, hook=Hook.ORDER_SELECT), NotApplicable)
