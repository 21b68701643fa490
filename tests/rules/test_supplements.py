"""Calcium, vitamin D, supplement and lifestyle rules (rules.md §7) on snapshots built from FHIR resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.fhir.record import PatientRecord
from app.rules.model import CannotAssess, Hook, NotApplicable, Outcome, Recommendation, Rule, RuleContext
from app.rules.osteoporosis import supplements as supp
from app.rules.parameters import GuidelineParameters
from app.snapshot import SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import (
    ZOLEDRONATE_5MG,
    atc,
    concept,
    dosage,
    draft_medication_request,
    dxa_t_score,
    fracture,
    medication_statement,
    patient,
    prednisone_statement,
    vitamin_d,
)

AS_OF = date(2025, 6, 1)
REPO = Path(__file__).resolve().parents[2]
DEFAULTS = GuidelineParameters()

Json = dict[str, Any]


@pytest.fixture(scope="module")
def catalog() -> CodeSetCatalog:
    return load_catalog(REPO / "fhir_mappings")


def evaluate(
    catalog: CodeSetCatalog,
    rule: Rule,
    *resources: Mapping[str, Any],
    age: int | None = 68,
    gender: str = "female",
    hook: Hook = Hook.PATIENT_VIEW,
    drafts: Sequence[Mapping[str, Any]] = (),
    parameters: GuidelineParameters = DEFAULTS,
) -> Outcome:
    record = PatientRecord(
        patient=patient(birth_date=None if age is None else f"{2025 - age}-06-01", gender=gender),
        resources=tuple(resources),
        draft_orders=tuple(drafts),
    )
    snapshot = build_snapshot(record, catalog=catalog, as_of=AS_OF, parameters=SnapshotParameters())
    return rule.evaluate(RuleContext(snapshot=snapshot, hook=hook, parameters=parameters))


def variant(outcome: Outcome) -> str:
    if isinstance(outcome, NotApplicable):
        return "NotApplicable"
    return f"{type(outcome).__name__}:{outcome.variant}"


def alendronate(**kw: Any) -> Json:
    return medication_statement(
        medication=atc("M05BA04", "alendronic acid"),
        start="2024-01-01",
        dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")],
        **kw,
    )


def colecalciferol() -> Json:
    return medication_statement(medication=atc("A11CC05", "colecalciferol"), start="2024-01-01")


def calcium_statement() -> Json:
    return medication_statement(medication=atc("A12AA04", "calcium carbonate"), start="2024-01-01")


def order_of(medication: Json) -> Json:
    return draft_medication_request(medication=medication, dosages=[dosage(dose=1, unit="tablet")])


class TestVitd1:
    @pytest.mark.parametrize(
        ("value", "unit", "expected"),
        [
            pytest.param(19.9, "ng/mL", "Recommendation:deficient", id="19.9-ng"),
            pytest.param(20.0, "ng/mL", "NotApplicable", id="20.0-ng-not-deficient"),
            pytest.param(20.1, "ng/mL", "NotApplicable", id="20.1-ng"),
            pytest.param(49.9, "nmol/L", "Recommendation:deficient", id="49.9-nmol"),
            pytest.param(50.0, "nmol/L", "NotApplicable", id="50-nmol-is-20.0-ng"),
            pytest.param(50.1, "nmol/L", "NotApplicable", id="50.1-nmol"),
            pytest.param(50.0, "ng/mL", "NotApplicable", id="50-ng-top-of-target"),
            pytest.param(50.1, "ng/mL", "Recommendation:above-target", id="50.1-ng-above-target"),
        ],
    )
    def test_deficiency_is_strictly_below_20_ng_ml(
        self, catalog: CodeSetCatalog, value: float, unit: str, expected: str
    ) -> None:
        outcome = evaluate(catalog, supp.VITD_1, vitamin_d(value=value, unit=unit, on="2025-05-01"))

        assert variant(outcome) == expected

    def test_deficient_card_states_both_units_and_offers_three_regimens(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_1, vitamin_d(value=15, unit="ng/mL", on="2025-05-01"))

        assert isinstance(outcome, Recommendation)
        assert outcome.facts == {"v": "15", "n": "37.4"}
        assert outcome.suggestions == ("colecalciferol-800", "colecalciferol-1000", "colecalciferol-25000-monthly")
        assert [item.what for item in outcome.evidence] == ["vitamin-d-ng-ml"]

    def test_still_deficient_on_supplementation(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_1, vitamin_d(value=15, on="2025-05-01"), colecalciferol())

        assert variant(outcome) == "Recommendation:still-deficient"

    def test_missing_value_in_a_treated_patient_asks_to_measure(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_1, alendronate())

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("vitamin-d",)
        assert outcome.suggestions == ("vitamin-d-test",)

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param("2024-06-01", "Recommendation:deficient", id="365-days-old"),
            pytest.param("2024-05-31", "CannotAssess:missing", id="366-days-old-is-stale"),
        ],
    )
    def test_a_result_older_than_365_days_is_stale(self, catalog: CodeSetCatalog, on: str, expected: str) -> None:
        outcome = evaluate(catalog, supp.VITD_1, vitamin_d(value=15, on=on), alendronate())

        assert variant(outcome) == expected

    def test_an_unknown_unit_is_missing_and_said_so(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_1, vitamin_d(value=15, unit="mg/furlong", on="2025-05-01"), alendronate())

        assert isinstance(outcome, CannotAssess)
        assert outcome.missing == ("vitamin-d", "vitamin-d-unit")

    def test_missing_value_without_increased_risk_is_not_a_card(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(evaluate(catalog, supp.VITD_1, dxa_t_score(value=-1.0, on="2025-01-01")), NotApplicable)

    def test_in_order_hooks_a_missing_value_is_left_to_ci_hypoca_1(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_1, hook=Hook.ORDER_SELECT, drafts=(order_of(ZOLEDRONATE_5MG),))

        assert isinstance(outcome, NotApplicable)

    def test_in_order_hooks_a_deficiency_is_reported_with_an_osteoporosis_order(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog,
            supp.VITD_1,
            vitamin_d(value=15, on="2025-05-01"),
            hook=Hook.ORDER_SELECT,
            drafts=(order_of(ZOLEDRONATE_5MG),),
        )

        assert variant(outcome) == "Recommendation:deficient"


class TestVitd2:
    @pytest.mark.parametrize(
        ("medication", "expected"),
        [
            pytest.param(ZOLEDRONATE_5MG, "Recommendation:missing-high-risk", id="zoledronate-warning"),
            pytest.param(atc("M05BA04", "alendronic acid"), "Recommendation:missing", id="alendronate-info"),
            pytest.param(atc("A12AA04", "calcium carbonate"), "NotApplicable", id="not-an-osteoporosis-drug"),
        ],
    )
    def test_any_osteoporosis_order_without_vitamin_d(
        self, catalog: CodeSetCatalog, medication: Json, expected: str
    ) -> None:
        outcome = evaluate(catalog, supp.VITD_2, hook=Hook.ORDER_SELECT, drafts=(order_of(medication),))

        assert variant(outcome) == expected

    def test_vitamin_d_in_use_satisfies_the_rule_whatever_the_level(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog, supp.VITD_2, colecalciferol(), hook=Hook.ORDER_SELECT, drafts=(order_of(ZOLEDRONATE_5MG),)
        )

        assert isinstance(outcome, NotApplicable)

    def test_active_vitamin_d_does_not_count(self, catalog: CodeSetCatalog) -> None:
        alfacalcidol = medication_statement(medication=atc("A11CC03", "alfacalcidol"), start="2024-01-01")

        assert variant(evaluate(catalog, supp.VITD_2, alfacalcidol, alendronate())) == "Recommendation:missing"

    def test_patient_view_is_info_even_on_denosumab(self, catalog: CodeSetCatalog) -> None:
        denosumab = medication_statement(medication=atc("M05BX04", "denosumab"), start="2025-03-01")

        assert variant(evaluate(catalog, supp.VITD_2, denosumab)) == "Recommendation:missing"

    def test_with_calcium_in_place_only_vitamin_d_is_suggested(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_2, alendronate(), calcium_statement())

        assert isinstance(outcome, Recommendation)
        assert outcome.suggestions == ("colecalciferol-800",)


class TestVitd3:
    ENABLED = GuidelineParameters(population_vitamin_d_enabled=True)

    def test_is_off_by_default(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(evaluate(catalog, supp.VITD_3, age=75), NotApplicable)

    @pytest.mark.parametrize(
        ("age", "gender", "expected"),
        [
            pytest.param(49, "female", "NotApplicable", id="woman-49"),
            pytest.param(50, "female", "Recommendation:women-400", id="woman-50"),
            pytest.param(69, "female", "Recommendation:women-400", id="woman-69"),
            pytest.param(70, "female", "Recommendation:age-800", id="woman-70"),
            pytest.param(71, "male", "Recommendation:age-800", id="man-71"),
            pytest.param(69, "male", "NotApplicable", id="man-69"),
            pytest.param(60, "unknown", "CannotAssess:missing", id="sex-unknown-60"),
        ],
    )
    def test_age_and_sex_table(self, catalog: CodeSetCatalog, age: int, gender: str, expected: str) -> None:
        assert variant(evaluate(catalog, supp.VITD_3, age=age, gender=gender, parameters=self.ENABLED)) == expected

    def test_increased_fracture_risk_gets_800_at_any_age(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.VITD_3, fracture(site="hip", on="2024-01-01"), age=45, parameters=self.ENABLED)

        assert variant(outcome) == "Recommendation:risk-800"


class TestCalc1:
    def test_asks_for_dietary_calcium_in_a_patient_at_increased_risk(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.CALC_1, dxa_t_score(value=-2.7, on="2025-01-01"))

        assert isinstance(outcome, CannotAssess)
        assert (outcome.missing, outcome.facts) == (("dietary-calcium",), {"target": "1000-1200"})

    def test_the_bbc_target_is_selectable(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.CALC_1, alendronate(), parameters=GuidelineParameters(calcium_target="1200"))

        assert isinstance(outcome, CannotAssess)
        assert outcome.facts == {"target": "1200"}

    @pytest.mark.parametrize(
        ("t", "expected"),
        [
            pytest.param(-2.4, "NotApplicable", id="T-2.4"),
            pytest.param(-2.5, "CannotAssess:missing", id="T-2.5-inclusive"),
            pytest.param(-2.6, "CannotAssess:missing", id="T-2.6"),
        ],
    )
    def test_increased_risk_from_a_t_score_of_minus_2_5(self, catalog: CodeSetCatalog, t: float, expected: str) -> None:
        assert variant(evaluate(catalog, supp.CALC_1, dxa_t_score(value=t, on="2025-01-01"))) == expected

    def test_a_strict_t_score_cutoff_excludes_minus_2_5(self, catalog: CodeSetCatalog) -> None:
        strict = GuidelineParameters(t_op_cutoff_inclusive=False)

        outcome = evaluate(catalog, supp.CALC_1, dxa_t_score(value=-2.5, on="2025-01-01"), parameters=strict)

        assert isinstance(outcome, NotApplicable)

    def test_a_calcium_supplement_in_use_satisfies_it(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(evaluate(catalog, supp.CALC_1, alendronate(), calcium_statement()), NotApplicable)

    def test_long_term_glucocorticoid_users_are_in_the_population(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.CALC_1, prednisone_statement(mg_per_day=5, start="2024-12-01"), age=30)

        assert variant(outcome) == "CannotAssess:missing"


class TestCalc2:
    def test_calcium_carbonate_order_gets_the_salt_advice(self, catalog: CodeSetCatalog) -> None:
        order = order_of(atc("A12AA04", "calcium carbonate"))

        outcome = evaluate(catalog, supp.CALC_2, hook=Hook.ORDER_SELECT, drafts=(order,))

        assert variant(outcome) == "Recommendation:carbonate"

    def test_calcium_citrate_order_does_not(self, catalog: CodeSetCatalog) -> None:
        order = order_of(concept(text="Calciumcitraat 500 mg tablet"))

        outcome = evaluate(catalog, supp.CALC_2, hook=Hook.ORDER_SELECT, drafts=(order,))

        assert isinstance(outcome, NotApplicable)


class TestSupp1:
    @pytest.mark.parametrize(
        "name",
        [
            "Vitamine K2 (menaquinon-7) 100 microgram",
            "Magnesiumcitraat 500 mg",
            "phytomenadione 10 mg tablet",
        ],
    )
    def test_advises_against_magnesium_and_vitamin_k_at_increased_risk(
        self, catalog: CodeSetCatalog, name: str
    ) -> None:
        outcome = evaluate(
            catalog,
            supp.SUPP_1,
            fracture(site="hip", on="2024-01-01"),
            hook=Hook.ORDER_SELECT,
            drafts=(order_of(concept(text=name)),),
        )

        assert variant(outcome) == "Recommendation:advise-against"

    def test_not_without_increased_fracture_risk(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog, supp.SUPP_1, hook=Hook.ORDER_SELECT, drafts=(order_of(concept(text="Magnesium 250 mg")),)
        )

        assert isinstance(outcome, NotApplicable)

    def test_other_supplements_are_not_named(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(
            catalog,
            supp.SUPP_1,
            fracture(site="hip", on="2024-01-01"),
            hook=Hook.ORDER_SELECT,
            drafts=(order_of(concept(text="Zinc 25 mg")),),
        )

        assert isinstance(outcome, NotApplicable)


class TestLife1:
    def test_lifestyle_advice_at_increased_risk_names_the_reason(self, catalog: CodeSetCatalog) -> None:
        outcome = evaluate(catalog, supp.LIFE_1, fracture(site="forearm", on="2024-01-01"))

        assert isinstance(outcome, Recommendation)
        assert [item.what for item in outcome.evidence] == ["fracture"]

    def test_no_card_without_increased_risk(self, catalog: CodeSetCatalog) -> None:
        assert isinstance(evaluate(catalog, supp.LIFE_1, dxa_t_score(value=-1.2, on="2025-01-01")), NotApplicable)
