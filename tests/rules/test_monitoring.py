"""Follow-up and monitoring (rules.md §13). Boundary pairs: last DXA exactly 5 years old / a day older, 2 years
on treatment / a day less, BTM repeat at 3 months."""

from __future__ import annotations

from app.rules.model import Hook, NotApplicable, Recommendation
from app.rules.osteoporosis.monitoring import MON_BTM_1, MON_DXA_1, MON_SPINE_1
from tests.builders.fhir import draft_medication_request, dxa_t_score, medication_statement, observation, rxnorm
from tests.rules._support import evaluate, snapshot

ALENDRONATE = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")


def on_alendronate(start: str = "2022-06-01") -> dict[str, object]:
    return medication_statement(medication=ALENDRONATE, start=start)


class TestControlDxa:
    def test_a_dxa_more_than_5_years_old_on_treatment_is_overdue(self) -> None:
        outcome = evaluate(MON_DXA_1, snapshot(on_alendronate(), dxa_t_score(value=-2.6, on="2019-04-15")))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "overdue"
        assert outcome.facts["last_dxa"] == "2019-04-15"

    def test_a_dxa_exactly_5_years_old_is_not_overdue_but_a_control_is_due(self) -> None:
        outcome = evaluate(MON_DXA_1, snapshot(on_alendronate(), dxa_t_score(value=-2.6, on="2020-06-01")))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "consider"

    def test_a_dxa_5_years_and_a_day_old_is_overdue(self) -> None:
        outcome = evaluate(MON_DXA_1, snapshot(on_alendronate(), dxa_t_score(value=-2.6, on="2020-05-31")))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "overdue"

    def test_exactly_2_years_on_treatment_without_a_dxa_since_start_is_due(self) -> None:
        snap = snapshot(on_alendronate("2023-06-01"), dxa_t_score(value=-2.6, on="2023-05-01"))

        outcome = evaluate(MON_DXA_1, snap)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "consider"

    def test_a_day_less_than_2_years_on_treatment_is_not_yet_due(self) -> None:
        snap = snapshot(on_alendronate("2023-06-02"), dxa_t_score(value=-2.6, on="2023-05-01"))

        assert isinstance(evaluate(MON_DXA_1, snap), NotApplicable)

    def test_a_dxa_since_the_start_of_treatment_satisfies_the_rule(self) -> None:
        snap = snapshot(on_alendronate("2021-06-01"), dxa_t_score(value=-2.3, on="2024-01-10"))

        assert isinstance(evaluate(MON_DXA_1, snap), NotApplicable)

    def test_no_dxa_at_all_after_2_years_suggests_one(self) -> None:
        outcome = evaluate(MON_DXA_1, snapshot(on_alendronate("2022-06-01")))

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "consider-no-dxa"

    def test_not_on_treatment_no_card(self) -> None:
        assert isinstance(evaluate(MON_DXA_1, snapshot(dxa_t_score(value=-2.6, on="2019-04-15"))), NotApplicable)


class TestSpineImaging:
    def test_cannot_fire_without_a_recordable_trigger(self) -> None:
        assert isinstance(evaluate(MON_SPINE_1, snapshot(on_alendronate())), NotApplicable)


class TestBoneTurnoverMarkers:
    def test_is_off_by_default(self) -> None:
        snap = snapshot(drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        assert isinstance(evaluate(MON_BTM_1, snap, hook=Hook.ORDER_SELECT), NotApplicable)

    def test_a_new_oral_bisphosphonate_order_suggests_baseline_markers(self) -> None:
        snap = snapshot(drafts=[draft_medication_request(id="d1", medication=ALENDRONATE)])

        outcome = evaluate(MON_BTM_1, snap, hook=Hook.ORDER_SELECT, btm_monitoring_enabled=True)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "baseline"
        assert outcome.suggestions == ("lab-ctx", "lab-p1np")

    def test_a_repeat_is_due_3_months_after_start_when_a_baseline_exists(self) -> None:
        snap = snapshot(
            on_alendronate("2025-03-01"), observation(code="41171-0", value=450, unit="pg/mL", on="2025-02-25")
        )

        outcome = evaluate(MON_BTM_1, snap, btm_monitoring_enabled=True)

        assert isinstance(outcome, Recommendation)
        assert outcome.variant == "repeat"

    def test_a_day_before_3_months_the_repeat_is_not_yet_due(self) -> None:
        snap = snapshot(
            on_alendronate("2025-03-02"), observation(code="41171-0", value=450, unit="pg/mL", on="2025-02-25")
        )

        assert isinstance(evaluate(MON_BTM_1, snap, btm_monitoring_enabled=True), NotApplicable)
