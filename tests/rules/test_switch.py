"""Switching rules on snapshots built from FHIR (rules.md §9; vignettes.md V22, V24, V33).

Boundary pairs: a new fracture just before / at / after 12 months of therapy (calendar arithmetic), BMD loss
exactly 5 % (strict "> 5 %"), 2.5 years of denosumab (strict "> 2.5"), denosumab 18 months ago.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.rules.model import CannotAssess, Hook, NotApplicable, Recommendation
from app.rules.osteoporosis.switch import SWITCH_DMAB_ROMO_1, SWITCH_FAIL_1, SWITCH_FAIL_2
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import denosumab_injection, dxa_bmd, fracture, medication_statement
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
