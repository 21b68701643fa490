"""Glucocorticoid rules (rules.md §8) on snapshots built from FHIR resources: bands, boundaries, data gaps.

Reference date 2025-06-01 (vignettes.md "today"). Every threshold has its pair or triple (just below / at / just
above) and both sides of each inclusive/exclusive switch of rules.md §2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.fhir.record import PatientRecord
from app.rules.model import CannotAssess, Hook, NotApplicable, Outcome, Recommendation, Rule, RuleContext
from app.rules.osteoporosis import glucocorticoids as gc
from app.rules.parameters import GuidelineParameters
from app.snapshot import SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import (
    PREDNISONE_5MG,
    atc,
    creatinine_clearance,
    denosumab_injection,
    dosage,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_statement,
    oral_bisphosphonate_intolerance,
    patient,
    prednisone_statement,
)

AS_OF = date(2025, 6, 1)
REPO = Path(__file__).resolve().parents[2]
DEFAULTS = GuidelineParameters()

Json = dict[str, Any]


@pytest.fixture(scope="module")
def catalog() -> CodeSetCatalog:
    return load_catalog(REPO / "fhir_mappings")


def born(age: int) -> str:
    """A birth date giving ``age`` completed years on 2025-06-01 (birthday today)."""
    return f"{2025 - age}-06-01"


def evaluate(
    catalog: CodeSetCatalog,
    rule: Rule,
    *resources: Mapping[str, Any],
    age: int | None = 55,
    gender: str = "female",
    hook: Hook = Hook.PATIENT_VIEW,
    drafts: Sequence[Mapping[str, Any]] = (),
    parameters: GuidelineParameters = DEFAULTS,
) -> Outcome:
    record = PatientRecord(
        patient=patient(birth_date=None if age is None else born(age), gender=gender),
        resources=tuple(resources),
        draft_orders=tuple(drafts),
    )
    snapshot = build_snapshot(record, catalog=catalog, as_of=AS_OF, parameters=SnapshotParameters())
    return rule.evaluate(RuleContext(snapshot=snapshot, hook=hook, parameters=parameters))


def prednisone(mg: float = 10, start: str = "2024-12-01") -> Json:
    """A current prednisone statement (6 months of use by default)."""
    return prednisone_statement(mg_per_day=mg, start=start)


def prednisone_order(mg: float = 10, supply_days: float | None = 180) -> Json:
    return draft_medication_request(
        medication=PREDNISONE_5MG, dosages=[dosage(dose=mg, unit="mg", ucum="mg")], expected_supply_days=supply_days
    )


def alendronate(start: str = "2024-01-01", **kw: Any) -> Json:
    return medication_statement(
        medication=atc("M05BA04", "alendronic acid"),
        start=start,
        dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")],
        **kw,
    )


def alendronate_order() -> Json:
    return draft_medication_request(
        medication=atc("M05BA04", "alendronic acid"),
        dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")],
    )


def recent_dxa(
    *, ls: float | None = None, fn: float | None = None, th: float | None = None, on: str = "2025-05-01"
) -> list[Json]:
    sites = (("lumbar-spine", ls), ("femoral-neck", fn), ("total-hip", th))
    return [dxa_t_score(site=site, value=value, on=on) for site, value in sites if value is not None]


def variant(outcome: Outcome) -> str:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return f"{type(outcome).__name__}:{outcome.variant}"


def evidence_keys(outcome: Outcome) -> list[str]:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return [item.what for item in outcome.evidence]


# ----------------------------------------------------------------------------------------------------------------


class TestDoseBandsCoverEveryDose:
    """C-04/C-05: every dose falls in exactly one band, also with the plan's strict wording."""

    @pytest.mark.parametrize(
        ("mg", "owner"),
        [
            pytest.param(7.4, "GC-START-4", id="7.4-low-band"),
            pytest.param(7.5, "GC-START-1", id="7.5-high-band"),
            pytest.param(7.6, "GC-START-1", id="7.6-high-band"),
            pytest.param(2.4, "GC-START-5", id="2.4-minimal"),
            pytest.param(2.5, "GC-START-4", id="2.5-low-band"),
            pytest.param(2.6, "GC-START-4", id="2.6-low-band"),
        ],
    )
    def test_a_62_year_old_is_served_by_exactly_one_band_rule(
        self, catalog: CodeSetCatalog, mg: float, owner: str
    ) -> None:
        band_rules = (gc.GC_START_1, gc.GC_START_4, gc.GC_START_5)
        fired = [
            rule.id
            for rule in band_rules
            if not isinstance(evaluate(catalog, rule, prednisone(mg), age=62), NotApplicable)
        ]

        assert fired == [owner]

    def test_with_strict_high_dose_wording_7_5_mg_falls_into_the_low_band(self, catalog: CodeSetCatalog) -> None:
        strict = GuidelineParameters(gc_dose_high_inclusive=False)

        assert isinstance(evaluate(catalog, gc.GC_START_1, prednisone(7.5), age=62, parameters=strict), NotApplicable)
        assert variant(evaluate(catalog, gc.GC_START_4, prednisone(7.5), age=62, parameters=strict)) == (
            "CannotAssess:missing"
        )

    def test_with_strict_low_dose_wording_2_5_mg_is_outside_the_scheme(self, catalog: CodeSetCatalog) -> None:
        strict = GuidelineParameters(gc_dose_low_inclusive=False)

        assert isinstance(evaluate(catalog, gc.GC_START_4, prednisone(2.5), age=42, parameters=strict), NotApplicable)
        assert variant(evaluate(catalog, gc.GC_START_5, prednisone(2.5), age=42, parameters=strict)) == (
            "Recommendation:low-dose"
        )


class TestAgeBands:
    @pytest.mark.parametrize(
        ("age", "owner"),
        [
            pytest.param(39, "GC-START-5", id="39"),
            pytest.param(40, "GC-START-3", id="40-is-band-A40"),
            pytest.param(41, "GC-START-3", id="41"),
            pytest.param(49, "GC-START-3", id="49"),
            pytest.param(50, "GC-START-1", id="50-is-band-A50"),
            pytest.param(51, "GC-START-1", id="51"),
        ],
    )
    def test_high_dose_without_fracture_goes_to_the_rule_of_the_age_band(
        self, catalog: CodeSetCatalog, age: int, owner: str
    ) -> None:
        rules = (gc.GC_START_1, gc.GC_START_2, gc.GC_START_3, gc.GC_START_5)
        fired = [
            rule.id for rule in rules if not isinstance(evaluate(catalog, rule, prednisone(10), age=age), NotApplicable)
        ]

        assert fired == [owner]

    @pytest.mark.parametrize(("age", "applies"), [(39, False), (40, True), (41, True)])
    def test_low_dose_decision_starts_at_40(self, catalog: CodeSetCatalog, age: int, applies: bool) -> None:
        outcome = evaluate(catalog, gc.GC_START_4, prednisone(5), age=age)

        assert isinstance(outcome, NotApplicable) is not applies


class TestGcStart1:
    def test_recommends_first_choice_oral_bisphosphonate_and_a_baseline_dxa(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), age=55)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "start"
        assert outcome.suggestions == ("alendronate", "risedronate", "calcium", "dxa-vfa")
        assert outcome.facts == {"dose": "10"}

    def test_a_recent_dxa_is_not_ordered_again(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), *recent_dxa(ls=-1.0), age=55)

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("alendronate", "risedronate", "calcium")

    @pytest.mark.parametrize(
        ("crcl", "second_choice"),
        [pytest.param(29, True, id="29-contraindicated"), pytest.param(30, False, id="30-allowed"), (31, False)],
    )
    def test_never_offers_an_oral_bisphosphonate_below_30_ml_min(
        self, catalog: CodeSetCatalog, crcl: float, second_choice: bool
    ) -> None:
        renal = creatinine_clearance(value=crcl, on="2025-05-01")

        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), renal, age=55)

        assert isinstance(outcome, Recommendation)
        assert (outcome.variant == "start-second-choice") is second_choice
        assert ("alendronate" in outcome.suggestions) is not second_choice
        if second_choice:
            # zoledronate (< 35) and teriparatide (severe renal insufficiency < 30, CI-TPTD-2) are not offered
            assert outcome.suggestions == ("denosumab", "calcium", "dxa-vfa")
            assert "renal-function" in evidence_keys(outcome)

    def test_the_conditional_card_filters_its_suggestions_too(self, catalog: CodeSetCatalog) -> None:
        renal = creatinine_clearance(value=25, on="2025-05-01")

        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), renal, age=None)

        assert isinstance(outcome, CannotAssess)
        assert outcome.variant == "conditional"
        assert outcome.suggestions == ("denosumab", "calcium", "dxa-vfa")

    @pytest.mark.parametrize(
        ("status", "second_choice"),
        [pytest.param("active", True, id="active-intolerance"), pytest.param("resolved", False, id="resolved")],
    )
    def test_a_recorded_oral_bisphosphonate_intolerance_gives_the_second_choice(
        self, catalog: CodeSetCatalog, status: str, second_choice: bool
    ) -> None:
        """V16's GC user, before any bisphosphonate: alendronate stopped for upper-GI complaints (rules.md GC-START-1
        "unless oral BP contraindicated/intolerant -> GC-SWITCH-1 options")."""
        intolerance = oral_bisphosphonate_intolerance(clinical_status=status, recorded="2024-03-01")

        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), intolerance, *recent_dxa(ls=-1.0), age=70)

        assert isinstance(outcome, Recommendation)
        if second_choice:
            assert outcome.variant == "start-intolerant"
            assert outcome.suggestions == ("zoledronate", "denosumab", "teriparatide", "calcium")
            assert "oral-bp-intolerance" in evidence_keys(outcome)
        else:
            assert outcome.variant == "start"
            assert outcome.suggestions[:2] == ("alendronate", "risedronate")

    def test_the_conditional_card_respects_the_intolerance_too(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), oral_bisphosphonate_intolerance(), age=None)

        assert isinstance(outcome, CannotAssess)
        assert "alendronate" not in outcome.suggestions and "zoledronate" in outcome.suggestions

    def test_vitamin_d_already_taken_is_not_ordered_twice(self, catalog: CodeSetCatalog) -> None:
        vitamin_d = medication_statement(medication=atc("A11CC05", "colecalciferol"), start="2024-01-01")

        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), vitamin_d, *recent_dxa(ls=-1.0), age=55)

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("alendronate-alone", "risedronate-alone", "calcium")

    def test_calcium_already_taken_is_not_suggested_again(self, catalog: CodeSetCatalog) -> None:
        calcium = medication_statement(medication=atc("A12AA04", "calcium carbonate"), start="2024-01-01")

        outcome = evaluate(catalog, gc.GC_START_1, prednisone(10), calcium, *recent_dxa(ls=-1.0), age=55)

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("alendronate", "risedronate")

    def test_calcium_and_vitamin_d_in_the_draft_count_as_in_place(self, catalog: CodeSetCatalog) -> None:
        supplements = [
            draft_medication_request(medication=atc(code, name), dosages=[dosage(dose=1, unit="tablet")])
            for code, name in (("A11CC05", "colecalciferol"), ("A12AA04", "calcium carbonate"))
        ]

        outcome = evaluate(
            catalog,
            gc.GC_START_1,
            *recent_dxa(ls=-1.0),
            age=55,
            hook=Hook.ORDER_SIGN,
            drafts=(prednisone_order(), *supplements),
        )

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("alendronate-alone", "risedronate-alone")

    def test_an_osteoporosis_drug_being_ordered_counts_as_bone_protection(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog, gc.GC_START_1, age=55, hook=Hook.ORDER_SELECT, drafts=(prednisone_order(), alendronate_order())
        )

        assert isinstance(outcome, NotApplicable)

    def test_order_hooks_answer_glucocorticoid_orders_only(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog, gc.GC_START_1, prednisone(10), age=55, hook=Hook.ORDER_SELECT, drafts=(alendronate_order(),)
        )

        assert isinstance(outcome, NotApplicable)

    @pytest.mark.parametrize(
        ("supply", "met"),
        [
            pytest.param({"value": 90, "unit": "d"}, False, id="90-days"),
            pytest.param({"value": 3, "unit": "mo"}, True, id="exactly-3-months"),
            pytest.param({"value": 91, "unit": "d"}, True, id="91-days-is-3-months-in-whole-days"),
            pytest.param({"value": 92, "unit": "d"}, True, id="92-days"),
        ],
    )
    def test_expected_duration_of_3_months_is_inclusive(
        self, catalog: CodeSetCatalog, supply: dict[str, Any], met: bool
    ) -> None:
        quantity = supply | {"system": "http://unitsofmeasure.org", "code": supply["unit"]}
        order = prednisone_order(10, supply_days=None) | {"dispenseRequest": {"expectedSupplyDuration": quantity}}

        outcome = evaluate(catalog, gc.GC_START_1, age=55, hook=Hook.ORDER_SELECT, drafts=(order,))

        assert isinstance(outcome, Recommendation) is met

    @pytest.mark.parametrize(("days", "met"), [(91, False), (92, True)])
    def test_with_the_strict_plan_wording_3_months_is_not_enough(
        self, catalog: CodeSetCatalog, days: int, met: bool
    ) -> None:
        strict = GuidelineParameters(gc_min_duration_inclusive=False)
        drafts = (prednisone_order(10, supply_days=days),)

        outcome = evaluate(catalog, gc.GC_START_1, age=55, hook=Hook.ORDER_SELECT, drafts=drafts, parameters=strict)

        assert isinstance(outcome, Recommendation) is met


class TestGcStart2And3:
    """HIGH & A40: a recent or vertebral fracture starts directly (GC-START-2), otherwise DXA/VFA (GC-START-3)."""

    @pytest.mark.parametrize(
        ("on", "recent"),
        [
            pytest.param("2023-05-31", False, id="2-years-and-1-day-ago"),
            pytest.param("2023-06-01", True, id="exactly-2-years-ago-inclusive"),
            pytest.param("2023-06-02", True, id="just-under-2-years-ago"),
        ],
    )
    def test_recent_non_vertebral_fracture_window_is_inclusive(
        self, catalog: CodeSetCatalog, on: str, recent: bool
    ) -> None:
        resources = (prednisone(10), fracture(site="forearm", on=on))

        start2 = evaluate(catalog, gc.GC_START_2, *resources, age=45)
        start3 = evaluate(catalog, gc.GC_START_3, *resources, age=45)

        assert isinstance(start2, Recommendation) is recent
        assert isinstance(start3, NotApplicable) is recent

    def test_exclusive_window_leaves_a_fracture_of_exactly_2_years_to_gc_start_3(self, catalog: CodeSetCatalog) -> None:
        exclusive = GuidelineParameters(recent_fx_inclusive=False)
        resources = (prednisone(10), fracture(site="forearm", on="2023-06-01"))

        assert isinstance(evaluate(catalog, gc.GC_START_2, *resources, age=45, parameters=exclusive), NotApplicable)

    def test_a_vertebral_fracture_of_unstated_grade_starts_directly(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_2, prednisone(10), fracture(site="vertebral", on="2015-01-01"), age=45)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "start"
        assert "vertebral-fracture" in evidence_keys(outcome)

    def test_a_grade_1_vertebral_fracture_does_not_count(self, catalog: CodeSetCatalog) -> None:
        grade_1 = fracture(site="vertebral", on="2015-01-01", stage="Genant grade 1")

        assert isinstance(evaluate(catalog, gc.GC_START_2, prednisone(10), grade_1, age=45), NotApplicable)

    @pytest.mark.parametrize(
        ("t_ls", "expected"),
        [
            pytest.param(-1.9, "Recommendation:no-drug", id="T-1.9"),
            pytest.param(-2.0, "Recommendation:start", id="T-2.0-inclusive"),
            pytest.param(-2.1, "Recommendation:start", id="T-2.1"),
        ],
    )
    def test_t_score_threshold_of_minus_2(self, catalog: CodeSetCatalog, t_ls: float, expected: str) -> None:
        outcome = evaluate(catalog, gc.GC_START_3, prednisone(10), *recent_dxa(ls=t_ls, fn=-1.5), age=45)

        assert variant(outcome) == expected

    def test_a_low_hip_t_score_counts_as_well(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_3, prednisone(10), *recent_dxa(ls=-1.0, th=-2.0), age=45)

        assert variant(outcome) == "Recommendation:start"

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param("2024-06-01", "Recommendation:no-drug", id="exactly-12-months-old"),
            pytest.param("2024-05-31", "CannotAssess:missing", id="older-than-12-months"),
        ],
    )
    def test_a_dxa_older_than_12_months_counts_as_missing(
        self, catalog: CodeSetCatalog, on: str, expected: str
    ) -> None:
        outcome = evaluate(catalog, gc.GC_START_3, prednisone(10), *recent_dxa(ls=-1.5, on=on), age=45)

        assert variant(outcome) == expected

    def test_no_dxa_asks_for_dxa_and_vfa(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_3, prednisone(10), age=45)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("recent-dxa-vfa",)
        assert outcome.suggestions == ("dxa-vfa",)


class TestGcStart4:
    def test_age_unknown_gives_the_conditional_card(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_4, prednisone(5), age=None)

        assert isinstance(outcome, CannotAssess)
        assert (outcome.variant, outcome.missing) == ("conditional", ("age",))

    def test_also_applies_from_age_50_with_no_direct_start(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_4, prednisone(5), *recent_dxa(ls=-2.3), age=62)

        assert variant(outcome) == "Recommendation:start"

    def test_a_vertebral_fracture_starts_without_waiting_for_a_dxa(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_4, prednisone(5), fracture(site="vertebral", on="2020-01-01"), age=62)

        assert variant(outcome) == "Recommendation:start"


class TestGcStart5:
    def test_under_40_on_a_high_dose_with_a_fracture_asks_for_specialist_judgement(
        self, catalog: CodeSetCatalog
    ) -> None:
        outcome = evaluate(catalog, gc.GC_START_5, prednisone(30), fracture(site="forearm", on="2025-01-01"), age=35)

        assert variant(outcome) == "Recommendation:under-40-fracture"

    def test_a_short_course_is_not_in_the_scheme(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_START_5, prednisone(2, start="2025-05-01"), age=70)

        assert isinstance(outcome, NotApplicable)


class TestGcParent1:
    @pytest.mark.parametrize(
        ("age", "met"),
        [pytest.param(74, False, id="74"), pytest.param(75, True, id="75"), pytest.param(76, True, id="76")],
    )
    def test_age_75_is_a_very_high_risk_criterion(self, catalog: CodeSetCatalog, age: int, met: bool) -> None:
        outcome = evaluate(catalog, gc.GC_PARENT_1, prednisone(10), *recent_dxa(ls=-1.0, fn=-1.0), age=age)

        assert isinstance(outcome, Recommendation) is met

    def test_age_75_can_be_switched_off(self, catalog: CodeSetCatalog) -> None:
        off = GuidelineParameters(gc_parenteral_age75=False)

        outcome = evaluate(catalog, gc.GC_PARENT_1, prednisone(10), *recent_dxa(ls=-1.0), age=78, parameters=off)

        assert isinstance(outcome, NotApplicable)

    @pytest.mark.parametrize(("mg", "met"), [(14.9, False), (15, True), (15.1, True)])
    def test_high_dose_criterion_from_15_mg(self, catalog: CodeSetCatalog, mg: float, met: bool) -> None:
        outcome = evaluate(catalog, gc.GC_PARENT_1, prednisone(mg), *recent_dxa(ls=-1.0), age=60)

        assert isinstance(outcome, Recommendation) is met
        if met:
            assert "criterion-high-dose" in evidence_keys(outcome)

    @pytest.mark.parametrize(("t", "met"), [(-1.9, False), (-2.0, True), (-2.1, True)])
    def test_low_t_score_criterion_at_minus_2(self, catalog: CodeSetCatalog, t: float, met: bool) -> None:
        outcome = evaluate(catalog, gc.GC_PARENT_1, prednisone(10), *recent_dxa(ls=-1.0, fn=t), age=60)

        assert isinstance(outcome, Recommendation) is met

    def test_no_criterion_and_no_dxa_asks_for_a_dxa(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_PARENT_1, prednisone(10), age=60)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("recent-dxa-vfa",)

    def test_suggestions_skip_zoledronate_below_35_ml_min(self, catalog: CodeSetCatalog) -> None:
        resources = (prednisone(20), creatinine_clearance(value=34, on="2025-05-01"))

        outcome = evaluate(catalog, gc.GC_PARENT_1, *resources, age=60)

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("denosumab", "teriparatide")

    @pytest.mark.parametrize(
        ("last_injection", "teriparatide"),
        [
            pytest.param("2023-11-30", True, id="18-months-and-a-day-ago"),
            pytest.param("2023-12-01", False, id="exactly-18-months-ago"),
            pytest.param("2024-06-01", False, id="12-months-ago"),
        ],
    )
    def test_no_teriparatide_within_18_months_of_denosumab(
        self, catalog: CodeSetCatalog, last_injection: str, teriparatide: bool
    ) -> None:
        resources = (
            prednisone(20),
            creatinine_clearance(value=60, on="2025-05-01"),
            denosumab_injection(on=last_injection),
        )

        outcome = evaluate(catalog, gc.GC_PARENT_1, *resources, age=60)

        assert isinstance(outcome, Recommendation)
        assert ("teriparatide" in outcome.suggestions) is teriparatide
        assert "zoledronate" in outcome.suggestions

    def test_not_for_a_patient_already_on_denosumab(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_PARENT_1, prednisone(20), denosumab_injection(on="2025-03-01"), age=60)

        assert isinstance(outcome, NotApplicable)


class TestGcSwitch1:
    @pytest.mark.parametrize(("crcl", "fires"), [(29, True), (30, False), (31, False)])
    def test_renal_contraindication_to_the_oral_bisphosphonate(
        self, catalog: CodeSetCatalog, crcl: float, fires: bool
    ) -> None:
        resources = (prednisone(10), alendronate(), creatinine_clearance(value=crcl, on="2025-05-01"))

        outcome = evaluate(catalog, gc.GC_SWITCH_1, *resources, age=70)

        assert (isinstance(outcome, Recommendation) and outcome.variant == "contraindication") is fires

    @pytest.mark.parametrize(
        ("fracture_on", "fires"),
        [
            pytest.param("2024-12-31", False, id="11-months-after-start"),
            pytest.param("2025-01-01", True, id="12-months-after-start"),
        ],
    )
    def test_new_fracture_after_at_least_a_year_of_therapy(
        self, catalog: CodeSetCatalog, fracture_on: str, fires: bool
    ) -> None:
        resources = (
            prednisone(10),
            alendronate(start="2024-01-01"),
            creatinine_clearance(value=60, on="2025-05-01"),
            fracture(site="forearm", on=fracture_on),
        )

        outcome = evaluate(catalog, gc.GC_SWITCH_1, *resources, age=70)

        assert (isinstance(outcome, Recommendation) and outcome.variant == "fracture") is fires

    def test_not_for_a_gc_user_without_an_oral_bisphosphonate(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, gc.GC_SWITCH_1, prednisone(10), creatinine_clearance(value=20), age=70)

        assert isinstance(outcome, NotApplicable)


class TestGcStop1:
    def stopped_course(self) -> list[Json]:
        return [
            prednisone(10, start="2023-01-01")
            | {"status": "completed", "effectivePeriod": {"start": "2023-01-01", "end": "2025-02-01"}}
        ]

    @pytest.mark.parametrize(
        ("t_ls", "expected"),
        [
            pytest.param(-2.4, "Recommendation:stop", id="T-2.4"),
            pytest.param(-2.5, "Recommendation:continue", id="T-2.5-inclusive"),
            pytest.param(-2.6, "Recommendation:continue", id="T-2.6"),
        ],
    )
    def test_continue_threshold_of_minus_2_5_after_the_stop(
        self, catalog: CodeSetCatalog, t_ls: float, expected: str
    ) -> None:
        resources = (*self.stopped_course(), alendronate(start="2023-02-01"), *recent_dxa(ls=t_ls, fn=-1.7))

        assert variant(evaluate(catalog, gc.GC_STOP_1, *resources, age=66)) == expected

    def test_a_dxa_before_the_stop_does_not_count(self, catalog: CodeSetCatalog) -> None:
        resources = (*self.stopped_course(), alendronate(start="2023-02-01"), *recent_dxa(ls=-1.0, on="2025-01-15"))

        outcome = evaluate(catalog, gc.GC_STOP_1, *resources, age=66)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("dxa-vfa-after-stop",)

    def test_a_bone_drug_started_before_the_glucocorticoid_was_not_for_it(self, catalog: CodeSetCatalog) -> None:
        resources = (*self.stopped_course(), alendronate(start="2022-01-01"), *recent_dxa(ls=-1.0))

        assert isinstance(evaluate(catalog, gc.GC_STOP_1, *resources, age=66), NotApplicable)

    def test_denosumab_is_never_simply_stopped(self, catalog: CodeSetCatalog) -> None:
        injections = [denosumab_injection(on=day) for day in ("2023-12-15", "2024-06-15", "2024-12-15")]
        resources = (*self.stopped_course(), *injections, *recent_dxa(ls=-2.0, th=-1.7))

        assert variant(evaluate(catalog, gc.GC_STOP_1, *resources, age=59)) == "Recommendation:denosumab"

    def test_order_sign_of_a_glucocorticoid_stop_asks_for_a_dxa(self, catalog: CodeSetCatalog) -> None:
        stop = prednisone_order() | {"status": "stopped"}
        resources = (prednisone(10, start="2023-01-01"), alendronate(start="2023-02-01"))

        outcome = evaluate(catalog, gc.GC_STOP_1, *resources, age=66, hook=Hook.ORDER_SIGN, drafts=(stop,))

        assert variant(outcome) == "CannotAssess:missing"


class TestGcGen1:
    def test_lists_the_vitamin_d_already_in_place(self, catalog: CodeSetCatalog) -> None:
        vitamin_d = medication_statement(medication=atc("A11CC05", "colecalciferol"), start="2024-01-01")

        outcome = evaluate(catalog, gc.GC_GEN_1, prednisone(10), vitamin_d, age=30)

        assert isinstance(outcome, Recommendation)
        assert "vitamin-d-in-place" in evidence_keys(outcome)
        assert outcome.suggestions == ("calcium", "dxa-vfa")

    def test_unknown_duration_gives_the_conditional_card(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog, gc.GC_GEN_1, age=30, hook=Hook.ORDER_SELECT, drafts=(prednisone_order(10, supply_days=None),)
        )

        assert variant(outcome) == "CannotAssess:conditional"

    def test_unknown_dose_is_named(self, catalog: CodeSetCatalog) -> None:
        statement = medication_statement(medication=PREDNISONE_5MG, start="2024-12-01")

        outcome = evaluate(catalog, gc.GC_GEN_1, statement, age=45)

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("glucocorticoid-dose",)


class TestGcLegacy1:
    def test_is_off_by_default(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(evaluate(catalog, gc.GC_LEGACY_1, prednisone(10), age=60), NotApplicable)

    @pytest.mark.parametrize(
        ("mg", "age", "expected"),
        [
            pytest.param(7.5, 60, "undefined", id="7.5-mg-undefined"),
            pytest.param(10, 69, "dxa", id="10-mg-age-69"),
            pytest.param(10, 70, "undefined", id="10-mg-age-70-undefined"),
            pytest.param(10, 71, "treat", id="10-mg-age-71"),
            pytest.param(15, 60, "undefined", id="15-mg-undefined"),
            pytest.param(15.1, 60, "treat", id="15.1-mg"),
        ],
    )
    def test_s0_bands_with_their_gaps(self, catalog: CodeSetCatalog, mg: float, age: int, expected: str) -> None:
        enabled = GuidelineParameters(gc_legacy_enabled=True)

        outcome = evaluate(catalog, gc.GC_LEGACY_1, prednisone(mg), age=age, parameters=enabled)

        assert variant(outcome) == f"Recommendation:{expected}"
