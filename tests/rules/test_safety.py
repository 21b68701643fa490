"""Contraindication and safety rules on snapshots built from FHIR (rules.md §6; vignettes.md V17, V19, V23, V24, V34).

Today is 2025-06-01. Boundary pairs: renal function 35 (zoledronate, strict <) and 30 (oral bisphosphonate,
severe renal insufficiency), renal value age 90 days before zoledronate, 25-OH-D 20 ng/mL (strict <), calcium
age 90 days, denosumab 6 months (on) and 18 months (look-back), romosozumab age 50 (strict > 50), teriparatide
24 / 18 months.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.rules.model import CannotAssess, Hook, NotApplicable, Outcome, Recommendation
from app.rules.osteoporosis.predicates import contraindicated_drugs
from app.rules.osteoporosis.safety import (
    CI_EGFR_1,
    CI_EGFR_2,
    CI_EGFR_3,
    CI_HYPOCA_1,
    CI_ORALBP_1,
    CI_ROMO_1,
    CI_ROMO_2,
    CI_ROMO_3,
    CI_SERM_1,
    CI_TPTD_1,
    CI_TPTD_2,
    CI_TPTD_3,
    DUP_1,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import Drug
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    atc,
    calcium,
    condition,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    egfr,
    medication_request,
    medication_statement,
    vitamin_d,
    zoledronate_infusion,
)
from tests.rules._support import AS_OF, evaluate, snapshot

ZOLEDRONATE = atc("M05BA08", "zoledronic acid")
ALENDRONATE = atc("M05BA04", "alendronic acid")
RISEDRONATE = atc("M05BA07", "risedronic acid")
ROMOSOZUMAB = atc("M05BX06", "romosozumab")
TERIPARATIDE = atc("H05AA02", "teriparatide")
RALOXIFENE = atc("G03XC01", "raloxifene")

MI: dict[str, Any] = {"code": "22298006", "display": "Myocardial infarction"}
STROKE: dict[str, Any] = {"code": "230690007", "display": "Cerebrovascular accident"}
TIA: dict[str, Any] = {"code": "266257000", "display": "Transient ischemic attack"}
DVT: dict[str, Any] = {"code": "128053003", "display": "Deep venous thrombosis"}
HYPERPARATHYROIDISM: dict[str, Any] = {"code": "47445009", "display": "Hyperparathyroidism due to vitamin D deficiency"}
HYPOCALCAEMIA: dict[str, Any] = {"code": "5291005", "display": "Hypocalcemia"}

RECENT = "2025-05-20"
NORMAL_CALCIUM: dict[str, Any] = {"value": 2.35, "reference_range": (2.2, 2.6), "on": RECENT}
LOW_CALCIUM: dict[str, Any] = {"value": 1.95, "reference_range": (2.2, 2.6), "on": RECENT}
HIGH_CALCIUM: dict[str, Any] = {"value": 2.85, "reference_range": (2.2, 2.6), "on": RECENT}


def days_ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def ordered(medication: dict[str, Any], *, id: str = "draft-1") -> dict[str, Any]:
    return draft_medication_request(id=id, medication=medication)


def run(rule: Any, *resources: dict[str, Any], drafts: tuple[dict[str, Any], ...] = (), **kw: Any) -> Outcome:
    hook = kw.pop("hook", Hook.ORDER_SELECT)
    profile = kw.pop("profile", "nl")
    born = kw.pop("born", "1950-01-15")
    sex = kw.pop("sex", "female")
    return evaluate(rule, snapshot(*resources, born=born, sex=sex, drafts=drafts), hook=hook, profile=profile, **kw)


def variant(outcome: Outcome) -> str:
    assert isinstance(outcome, Recommendation | CannotAssess), outcome
    return outcome.variant


class TestCiEgfr1ZoledronateAndRenalFunction:
    @pytest.mark.parametrize(("crcl", "expected"), [(34.9, "contraindicated"), (35, None), (35.1, None)])
    def test_zoledronate_is_contraindicated_strictly_below_35(self, crcl: float, expected: str | None) -> None:
        outcome = run(CI_EGFR_1, creatinine_clearance(value=crcl, on=RECENT), drafts=(ordered(ZOLEDRONATE),))

        if expected is None:
            assert isinstance(outcome, NotApplicable)
        else:
            assert isinstance(outcome, Recommendation) and outcome.variant == expected
            assert outcome.facts["renal"] == "34.9"

    def test_v17a_crcl_32_suggests_alendronate_and_denosumab(self) -> None:
        outcome = run(CI_EGFR_1, creatinine_clearance(value=32, on=RECENT), drafts=(ordered(ZOLEDRONATE),))

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("remove-order", "alendronate", "denosumab")
        assert [e.what for e in outcome.evidence] == ["draft-order", "creatinine-clearance"]

    def test_below_30_the_oral_alternative_is_not_suggested(self) -> None:
        outcome = run(CI_EGFR_1, creatinine_clearance(value=29, on=RECENT), drafts=(ordered(ZOLEDRONATE),))

        assert isinstance(outcome, Recommendation) and outcome.suggestions == ("remove-order", "denosumab")

    def test_the_s0_alternative_threshold_of_30_allows_32(self) -> None:
        outcome = run(
            CI_EGFR_1,
            creatinine_clearance(value=32, on=RECENT),
            drafts=(ordered(ZOLEDRONATE),),
            egfr_ci_zoledronate_ml_min=30,
        )

        assert isinstance(outcome, NotApplicable)

    @pytest.mark.parametrize(("age_days", "missing"), [(89, False), (90, False), (91, True)])
    def test_a_renal_value_older_than_90_days_must_be_repeated(self, age_days: int, missing: bool) -> None:
        outcome = run(CI_EGFR_1, creatinine_clearance(value=60, on=days_ago(age_days)), drafts=(ordered(ZOLEDRONATE),))

        assert isinstance(outcome, CannotAssess) is missing
        if missing:
            assert isinstance(outcome, CannotAssess)
            assert outcome.missing == ("renal-function-90-days",) and outcome.suggestions == ("creatinine",)

    def test_v17d_no_renal_value_gives_the_measure_first_card(self) -> None:
        outcome = run(CI_EGFR_1, drafts=(ordered(ZOLEDRONATE),))

        assert isinstance(outcome, CannotAssess) and outcome.variant == "missing"

    def test_an_egfr_is_accepted_and_named_as_such(self) -> None:
        outcome = run(CI_EGFR_1, egfr(value=33, on=RECENT), drafts=(ordered(ZOLEDRONATE),))

        assert isinstance(outcome, Recommendation)
        assert "egfr" in [e.what for e in outcome.evidence]

    def test_without_a_zoledronate_order_it_does_not_apply(self) -> None:
        outcome = run(CI_EGFR_1, creatinine_clearance(value=20, on=RECENT), drafts=(ordered(ALENDRONATE),))

        assert isinstance(outcome, NotApplicable)

    def test_patient_view_warns_when_the_yearly_infusion_is_due_at_low_renal_function(self) -> None:
        outcome = run(
            CI_EGFR_1,
            medication_request(medication=ZOLEDRONATE, status="active", authored_on="2024-05-01"),
            zoledronate_infusion(on="2024-05-15"),
            creatinine_clearance(value=30, on=RECENT),
            hook=Hook.PATIENT_VIEW,
        )

        assert variant(outcome) == "contraindicated-due"

    def test_patient_view_is_silent_when_the_infusion_is_not_yet_due(self) -> None:
        outcome = run(
            CI_EGFR_1,
            medication_request(medication=ZOLEDRONATE, status="active", authored_on="2024-05-01"),
            zoledronate_infusion(on="2024-06-02"),
            creatinine_clearance(value=30, on=RECENT),
            hook=Hook.PATIENT_VIEW,
        )

        assert isinstance(outcome, NotApplicable)


class TestCiEgfr2OralBisphosphonateAndRenalFunction:
    @pytest.mark.parametrize(("crcl", "fires"), [(29.9, True), (30, False), (30.1, False)])
    def test_oral_bisphosphonate_is_contraindicated_strictly_below_30(self, crcl: float, fires: bool) -> None:
        outcome = run(CI_EGFR_2, creatinine_clearance(value=crcl, on=RECENT), drafts=(ordered(ALENDRONATE),))

        assert isinstance(outcome, Recommendation) is fires
        if fires:
            assert variant(outcome) == "contraindicated"
            assert isinstance(outcome, Recommendation) and outcome.suggestions == ("remove-order", "denosumab")

    def test_risedronate_is_covered_too(self) -> None:
        outcome = run(CI_EGFR_2, creatinine_clearance(value=25, on=RECENT), drafts=(ordered(RISEDRONATE),))

        assert variant(outcome) == "contraindicated"

    def test_a_stale_low_value_still_contraindicates(self) -> None:
        outcome = run(CI_EGFR_2, creatinine_clearance(value=25, on="2023-01-01"), drafts=(ordered(ALENDRONATE),))

        assert variant(outcome) == "contraindicated"

    def test_no_renal_value_at_ordering_asks_to_measure(self) -> None:
        outcome = run(CI_EGFR_2, drafts=(ordered(ALENDRONATE),))

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("renal-function",)

    def test_patient_view_warns_a_current_user_when_renal_function_falls_below_30(self) -> None:
        outcome = run(
            CI_EGFR_2,
            medication_statement(medication=ALENDRONATE, start="2024-01-01"),
            creatinine_clearance(value=28, on=RECENT),
            hook=Hook.PATIENT_VIEW,
        )

        assert variant(outcome) == "contraindicated-current"

    def test_patient_view_without_renal_value_gives_no_card(self) -> None:
        outcome = run(
            CI_EGFR_2, medication_statement(medication=ALENDRONATE, start="2024-01-01"), hook=Hook.PATIENT_VIEW
        )

        assert isinstance(outcome, NotApplicable)


class TestCiEgfr3DenosumabInSevereRenalInsufficiency:
    @pytest.mark.parametrize(("crcl", "fires"), [(29.9, True), (30, False)])
    def test_warns_below_30(self, crcl: float, fires: bool) -> None:
        outcome = run(CI_EGFR_3, creatinine_clearance(value=crcl, on=RECENT), drafts=(ordered(DENOSUMAB_60MG),))

        assert isinstance(outcome, Recommendation) is fires

    def test_suggests_the_missing_calcium_and_vitamin_d(self) -> None:
        outcome = run(CI_EGFR_3, creatinine_clearance(value=20, on=RECENT), drafts=(ordered(DENOSUMAB_60MG),))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "severe-renal" and outcome.suggestions == ("calcium", "vitamin-d")

    def test_renal_function_unknown_gives_info(self) -> None:
        outcome = run(CI_EGFR_3, drafts=(ordered(DENOSUMAB_60MG),))

        assert isinstance(outcome, CannotAssess)


class TestCiHypoca1:
    @pytest.mark.parametrize(("ng_per_ml", "deficient"), [(19.9, True), (20, False), (20.1, False)])
    def test_vitamin_d_deficiency_is_strictly_below_20_ng_per_ml(self, ng_per_ml: float, deficient: bool) -> None:
        outcome = run(
            CI_HYPOCA_1,
            vitamin_d(value=ng_per_ml, on=RECENT),
            calcium(**NORMAL_CALCIUM),
            drafts=(ordered(ZOLEDRONATE),),
        )

        assert (isinstance(outcome, Recommendation) and outcome.variant == "vitamin-d-deficiency") is deficient

    def test_50_nmol_per_l_is_not_deficient(self) -> None:
        outcome = run(
            CI_HYPOCA_1,
            vitamin_d(value=50, unit="nmol/L", on=RECENT),
            calcium(**NORMAL_CALCIUM),
            drafts=(ordered(ALENDRONATE),),
        )

        assert isinstance(outcome, NotApplicable)

    def test_v34a_vitamin_d_15_with_zoledronate_warns(self) -> None:
        outcome = run(CI_HYPOCA_1, vitamin_d(value=15, on="2025-05-01"), drafts=(ordered(ZOLEDRONATE),))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "vitamin-d-deficiency" and outcome.facts == {"vitamin_d": "15"}
        assert outcome.suggestions == ("vitamin-d-supplement",)

    def test_v34c_no_vitamin_d_with_alendronate_asks_to_measure(self) -> None:
        outcome = run(CI_HYPOCA_1, calcium(**NORMAL_CALCIUM), drafts=(ordered(ALENDRONATE),))

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("vitamin-d",)

    def test_hypocalcaemia_warns_at_order_select(self) -> None:
        outcome = run(CI_HYPOCA_1, calcium(**LOW_CALCIUM), vitamin_d(value=30), drafts=(ordered(DENOSUMAB_60MG),))

        assert variant(outcome) == "hypocalcaemia"

    def test_hypocalcaemia_is_critical_when_signing_a_new_denosumab_start(self) -> None:
        outcome = run(
            CI_HYPOCA_1,
            calcium(**LOW_CALCIUM),
            drafts=(ordered(DENOSUMAB_60MG),),
            hook=Hook.ORDER_SIGN,
        )

        assert variant(outcome) == "hypocalcaemia-new-start"

    def test_a_continued_denosumab_is_not_a_new_start(self) -> None:
        outcome = run(
            CI_HYPOCA_1,
            calcium(**LOW_CALCIUM),
            denosumab_injection(on="2024-12-01"),
            drafts=(ordered(DENOSUMAB_60MG),),
            hook=Hook.ORDER_SIGN,
        )

        assert variant(outcome) == "hypocalcaemia"

    @pytest.mark.parametrize(("age_days", "missing"), [(90, False), (91, True)])
    def test_calcium_older_than_90_days_counts_as_missing(self, age_days: int, missing: bool) -> None:
        outcome = run(
            CI_HYPOCA_1,
            calcium(value=2.35, reference_range=(2.2, 2.6), on=days_ago(age_days)),
            vitamin_d(value=30, on=RECENT),
            drafts=(ordered(ALENDRONATE),),
        )

        assert isinstance(outcome, CannotAssess) is missing

    def test_a_coded_hypocalcaemia_counts(self) -> None:
        outcome = run(CI_HYPOCA_1, condition(**HYPOCALCAEMIA, onset="2025-05-01"), drafts=(ordered(ALENDRONATE),))

        assert variant(outcome) == "hypocalcaemia"


class TestCiOralbp1:
    def test_a_first_oral_bisphosphonate_gets_the_intake_advice(self) -> None:
        assert variant(run(CI_ORALBP_1, drafts=(ordered(ALENDRONATE),))) == "intake"

    def test_a_repeat_prescription_does_not(self) -> None:
        outcome = run(
            CI_ORALBP_1,
            medication_statement(medication=ALENDRONATE, start="2024-01-01"),
            drafts=(ordered(ALENDRONATE),),
        )

        assert isinstance(outcome, NotApplicable)


class TestCiRomo1:
    @pytest.mark.parametrize("event", [MI, STROKE], ids=["myocardial-infarction", "stroke"])
    def test_v19_romosozumab_after_mi_or_stroke_is_critical(self, event: dict[str, Any]) -> None:
        outcome = run(CI_ROMO_1, condition(**event, onset="2022-03-01"), drafts=(ordered(ROMOSOZUMAB),))

        assert variant(outcome) == "contraindicated"
        assert isinstance(outcome, Recommendation) and outcome.evidence[-1].value == "2022-03-01"

    def test_v19b_tia_is_critical_by_default(self) -> None:
        outcome = run(CI_ROMO_1, condition(**TIA, onset="2023-01-01"), drafts=(ordered(ROMOSOZUMAB),))

        assert variant(outcome) == "contraindicated-tia"

    def test_v19b_tia_only_weighs_when_tia_is_not_counted(self) -> None:
        outcome = run(
            CI_ROMO_1,
            condition(**TIA, onset="2023-01-01"),
            drafts=(ordered(ROMOSOZUMAB),),
            romo_ci_includes_tia=False,
        )

        assert variant(outcome) == "tia-weigh"

    def test_a_resolved_mi_still_counts_as_history(self) -> None:
        outcome = run(
            CI_ROMO_1,
            condition(**MI, onset="2010-01-01", clinical_status="resolved"),
            drafts=(ordered(ROMOSOZUMAB),),
        )

        assert variant(outcome) == "contraindicated"

    def test_no_cardiovascular_history_gives_no_card(self) -> None:
        assert isinstance(run(CI_ROMO_1, drafts=(ordered(ROMOSOZUMAB),)), NotApplicable)

    def test_patient_view_during_a_course_warns_to_reassess(self) -> None:
        outcome = run(
            CI_ROMO_1,
            medication_statement(medication=ROMOSOZUMAB, start="2025-01-01"),
            condition(**STROKE, onset="2025-05-01"),
            hook=Hook.PATIENT_VIEW,
        )

        assert variant(outcome) == "during-course"


class TestCiRomo2:
    def test_hypocalcaemia_is_critical(self) -> None:
        outcome = run(CI_ROMO_2, calcium(**LOW_CALCIUM), drafts=(ordered(ROMOSOZUMAB),))

        assert variant(outcome) == "hypocalcaemia"
        assert isinstance(outcome, Recommendation) and outcome.facts == {"calcium": "1.95"}

    def test_normal_calcium_gives_no_card(self) -> None:
        assert isinstance(run(CI_ROMO_2, calcium(**NORMAL_CALCIUM), drafts=(ordered(ROMOSOZUMAB),)), NotApplicable)

    def test_missing_calcium_warns_to_measure(self) -> None:
        outcome = run(CI_ROMO_2, drafts=(ordered(ROMOSOZUMAB),))

        assert isinstance(outcome, CannotAssess) and outcome.suggestions == ("calcium",)


class TestCiRomo3:
    def test_v22_a_man_is_outside_the_target_population(self) -> None:
        assert variant(run(CI_ROMO_3, drafts=(ordered(ROMOSOZUMAB),), sex="male")) == "male"

    @pytest.mark.parametrize(("born", "fires"), [("1975-01-15", True), ("1974-01-15", False)], ids=["50", "51"])
    def test_nl_age_must_be_over_50(self, born: str, fires: bool) -> None:
        outcome = run(CI_ROMO_3, drafts=(ordered(ROMOSOZUMAB),), born=born)

        assert (isinstance(outcome, Recommendation) and outcome.variant == "age") is fires

    def test_be_profile_does_not_apply_the_nl_age_criterion(self) -> None:
        outcome = run(CI_ROMO_3, drafts=(ordered(ROMOSOZUMAB),), born="1975-01-15", profile="be")

        assert isinstance(outcome, NotApplicable)

    def test_be_profile_woman_under_50_has_unknown_menopause(self) -> None:
        outcome = run(CI_ROMO_3, drafts=(ordered(ROMOSOZUMAB),), born="1980-01-15", profile="be")

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("menopausal-status",)


class TestCiSerm1:
    def test_v23b_prior_dvt_is_critical(self) -> None:
        outcome = run(
            CI_SERM_1, condition(**DVT, onset="2019", clinical_status="resolved"), drafts=(ordered(RALOXIFENE),)
        )

        assert variant(outcome) == "vte"

    def test_a_man_gets_a_warning(self) -> None:
        assert variant(run(CI_SERM_1, drafts=(ordered(RALOXIFENE),), sex="male")) == "male"

    def test_without_vte_smoking_status_must_be_confirmed(self) -> None:
        outcome = run(CI_SERM_1, drafts=(ordered(RALOXIFENE),))

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("smoking-status",)


class TestCiTptd1TeriparatideAfterDenosumab:
    @pytest.mark.parametrize(
        ("last", "expected"),
        [
            ("2024-12-02", "on-denosumab"),
            ("2024-12-01", "on-denosumab"),  # exactly 6 months: today <= last + 6 months
            ("2024-11-30", "recent-denosumab"),
            ("2023-12-01", "recent-denosumab"),  # exactly 18 months
            ("2023-11-30", None),
        ],
    )
    def test_on_within_6_months_recent_within_18(self, last: str, expected: str | None) -> None:
        outcome = run(CI_TPTD_1, denosumab_injection(on=last), drafts=(ordered(TERIPARATIDE),))

        if expected is None:
            assert isinstance(outcome, NotApplicable)
        else:
            assert variant(outcome) == expected

    def test_v24_last_injection_two_months_ago_is_critical_and_suggests_keeping_denosumab(self) -> None:
        outcome = run(
            CI_TPTD_1,
            *(denosumab_injection(on=day) for day in ("2021-10-01", "2023-04-01", "2024-10-01", "2025-04-01")),
            drafts=(ordered(TERIPARATIDE),),
        )

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "on-denosumab" and outcome.suggestions == ("remove-order", "denosumab")
        assert ("denosumab-last-injection", "2025-04-01") in [(e.what, e.value) for e in outcome.evidence]

    def test_the_literal_six_month_lookback_drops_the_warning(self) -> None:
        outcome = run(
            CI_TPTD_1,
            denosumab_injection(on="2024-06-01"),
            drafts=(ordered(TERIPARATIDE),),
            tptd_after_dmab_lookback_months=6,
        )

        assert isinstance(outcome, NotApplicable)

    def test_denosumab_on_the_list_without_a_dated_injection_asks_to_verify(self) -> None:
        """CI-TPTD-1 Missing / stale, also for an old list entry: only dated injections give DMAB_LAST."""
        outcome = run(
            CI_TPTD_1,
            medication_statement(medication=DENOSUMAB_60MG, start="2019-01-01", end="2020-01-01", status="completed"),
            drafts=(ordered(TERIPARATIDE),),
        )

        assert isinstance(outcome, CannotAssess) and outcome.missing == ("denosumab-injection-dates",)

    @pytest.mark.parametrize(
        ("last", "forbidden"),
        [
            pytest.param("2023-12-01", True, id="exactly-18-months-forbidden"),
            pytest.param("2023-11-30", False, id="18-months-and-a-day-allowed"),
        ],
    )
    def test_the_drug_filter_uses_the_same_18_month_window(self, last: str, forbidden: bool) -> None:
        snap = snapshot(denosumab_injection(on=last))

        assert (contraindicated_drugs(snap, GuidelineParameters()).get(Drug.TERIPARATIDE) == "CI-TPTD-1") is forbidden

    def test_denosumab_ordered_together_with_teriparatide_is_critical(self) -> None:
        outcome = run(CI_TPTD_1, drafts=(ordered(TERIPARATIDE), ordered(DENOSUMAB_60MG, id="draft-2")))

        assert variant(outcome) == "on-denosumab"


class TestCiTptd2:
    def test_hypercalcaemia_is_critical(self) -> None:
        outcome = run(
            CI_TPTD_2,
            calcium(**HIGH_CALCIUM),
            creatinine_clearance(value=60, on=RECENT),
            drafts=(ordered(TERIPARATIDE),),
        )

        assert variant(outcome) == "hypercalcaemia"

    @pytest.mark.parametrize(("crcl", "expected"), [(29.9, "renal"), (30, "confirm")])
    def test_severe_renal_insufficiency_below_30(self, crcl: float, expected: str) -> None:
        outcome = run(
            CI_TPTD_2,
            calcium(**NORMAL_CALCIUM),
            creatinine_clearance(value=crcl, on=RECENT),
            drafts=(ordered(TERIPARATIDE),),
        )

        assert variant(outcome) == expected

    def test_hyperparathyroidism_is_critical(self) -> None:
        outcome = run(
            CI_TPTD_2,
            calcium(**NORMAL_CALCIUM),
            creatinine_clearance(value=60, on=RECENT),
            condition(**HYPERPARATHYROIDISM, onset="2020"),
            drafts=(ordered(TERIPARATIDE),),
        )

        assert variant(outcome) == "hyperparathyroidism"

    def test_missing_labs_warn_to_measure(self) -> None:
        outcome = run(CI_TPTD_2, drafts=(ordered(TERIPARATIDE),))

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("calcium-90-days", "renal-function-90-days")

    @pytest.mark.parametrize(
        ("age_days", "expected"),
        [
            pytest.param(89, "renal", id="89-days-counts"),
            pytest.param(90, "renal", id="90-days-counts"),
            pytest.param(91, "measure", id="91-days-stale"),
            pytest.param(400, "measure", id="400-days-stale"),
        ],
    )
    def test_a_low_renal_value_counts_only_up_to_90_days(self, age_days: int, expected: str) -> None:
        """CI-TPTD-2 Missing / stale: renal function older than 90 days asks to measure, even a low value (the
        anabolic rules used to count it up to 365 days, the CI rule at any age)."""
        outcome = run(
            CI_TPTD_2,
            calcium(**NORMAL_CALCIUM),
            creatinine_clearance(value=25, on=days_ago(age_days)),
            drafts=(ordered(TERIPARATIDE),),
        )

        if expected == "measure":
            assert isinstance(outcome, CannotAssess) and outcome.missing == ("renal-function-90-days",)
        else:
            assert variant(outcome) == expected

    @pytest.mark.parametrize(
        ("age_days", "expected"),
        [
            pytest.param(90, "hypercalcaemia", id="90-days-counts"),
            pytest.param(91, "measure", id="91-days-stale"),
        ],
    )
    def test_a_high_calcium_counts_only_up_to_90_days(self, age_days: int, expected: str) -> None:
        outcome = run(
            CI_TPTD_2,
            calcium(**{**HIGH_CALCIUM, "on": days_ago(age_days)}),
            creatinine_clearance(value=60, on=RECENT),
            drafts=(ordered(TERIPARATIDE),),
        )

        if expected == "measure":
            assert isinstance(outcome, CannotAssess) and outcome.missing == ("calcium-90-days",)
        else:
            assert variant(outcome) == expected

    @pytest.mark.parametrize(
        ("crcl", "age_days", "forbidden"),
        [
            pytest.param(25, 90, True, id="fresh-low-forbids"),
            pytest.param(25, 400, True, id="old-low-still-forbids"),
            pytest.param(30, 400, False, id="old-at-threshold"),
        ],
    )
    def test_a_low_renal_value_never_becomes_reassuring_for_suggestions(
        self, crcl: float, age_days: int, forbidden: bool
    ) -> None:
        """The drug filter withholds teriparatide from every card on a low renal value of any age (as for the
        bisphosphonates); the CI-TPTD-2 card on a teriparatide order asks for a fresh value (Missing / stale)."""
        snap = snapshot(calcium(**NORMAL_CALCIUM), creatinine_clearance(value=crcl, on=days_ago(age_days)))

        blocked = contraindicated_drugs(snap, GuidelineParameters())

        assert (blocked.get(Drug.TERIPARATIDE) == "CI-TPTD-2") is forbidden

    def test_a_high_calcium_older_than_90_days_withholds_nothing(self) -> None:
        snap = snapshot(calcium(**{**HIGH_CALCIUM, "on": days_ago(91)}), creatinine_clearance(value=60, on=RECENT))

        assert Drug.TERIPARATIDE not in contraindicated_drugs(snap, GuidelineParameters())


class TestCiTptd3SingleCourse:
    @pytest.mark.parametrize(("end", "expected"), [("2023-12-31", "partial"), ("2024-01-01", "completed")])
    def test_24_months_completes_the_course_in_nl(self, end: str, expected: str) -> None:
        outcome = run(
            CI_TPTD_3,
            medication_statement(medication=TERIPARATIDE, start="2022-01-01", end=end, status="completed"),
            drafts=(ordered(TERIPARATIDE),),
        )

        assert variant(outcome) == expected

    def test_18_months_completes_the_course_in_be(self) -> None:
        outcome = run(
            CI_TPTD_3,
            medication_statement(medication=TERIPARATIDE, start="2022-01-01", end="2023-07-15", status="completed"),
            drafts=(ordered(TERIPARATIDE),),
            profile="be",
        )

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "completed" and outcome.facts["max"] == "18"

    def test_no_previous_teriparatide_gives_no_card(self) -> None:
        assert isinstance(run(CI_TPTD_3, drafts=(ordered(TERIPARATIDE),)), NotApplicable)


class TestDup1:
    def test_disabled_by_default(self) -> None:
        outcome = run(
            DUP_1,
            medication_statement(medication=ALENDRONATE, start="2024-01-01"),
            drafts=(ordered(ZOLEDRONATE),),
            hook=Hook.ORDER_SIGN,
        )

        assert isinstance(outcome, NotApplicable)

    def test_when_enabled_warns_on_two_antiresorptives(self) -> None:
        outcome = run(
            DUP_1,
            medication_statement(medication=ALENDRONATE, start="2024-01-01"),
            drafts=(ordered(ZOLEDRONATE),),
            hook=Hook.ORDER_SIGN,
            duplicate_therapy_enabled=True,
        )

        assert variant(outcome) == "duplicate"

    def test_when_enabled_the_denosumab_to_bisphosphonate_transition_is_not_a_duplicate(self) -> None:
        outcome = run(
            DUP_1,
            denosumab_injection(on="2024-12-15"),
            drafts=(ordered(ZOLEDRONATE),),
            hook=Hook.ORDER_SIGN,
            duplicate_therapy_enabled=True,
        )

        assert isinstance(outcome, NotApplicable)


class TestContraindicatedDrugs:
    def params(self, **kw: Any) -> GuidelineParameters:
        return GuidelineParameters(**kw).for_profile("nl")

    @pytest.mark.parametrize(
        ("crcl", "expected"),
        [
            (29.9, {Drug.ZOLEDRONATE, Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE, Drug.TERIPARATIDE}),
            (30, {Drug.ZOLEDRONATE}),
            (34.9, {Drug.ZOLEDRONATE}),
            (35, set()),
        ],
    )
    def test_renal_thresholds_per_drug(self, crcl: float, expected: set[Drug]) -> None:
        forbidden = contraindicated_drugs(snapshot(creatinine_clearance(value=crcl, on=RECENT)), self.params())

        assert set(forbidden) == expected

    def test_each_forbidden_drug_names_the_rule(self) -> None:
        snap = snapshot(
            creatinine_clearance(value=20, on=RECENT),
            condition(**MI, onset="2020"),
            condition(**DVT, onset="2019"),
            denosumab_injection(on="2024-01-01"),
        )

        forbidden = contraindicated_drugs(snap, self.params())

        assert forbidden[Drug.ZOLEDRONATE] == "CI-EGFR-1"
        assert forbidden[Drug.ALENDRONATE] == "CI-EGFR-2"
        assert forbidden[Drug.ROMOSOZUMAB] == "CI-ROMO-1"
        assert forbidden[Drug.RALOXIFENE] == "CI-SERM-1"
        assert forbidden[Drug.TERIPARATIDE] == "CI-TPTD-1"
        assert Drug.DENOSUMAB not in forbidden

    def test_unknown_renal_function_forbids_nothing(self) -> None:
        assert contraindicated_drugs(snapshot(), self.params()) == {}
