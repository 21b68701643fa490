"""The engine: one outcome per applicable rule, and precedence between rules (rules.md §14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.rules.engine import (
    REPLACED_BY_CONTRAINDICATION,
    SUPERSEDED_BY,
    _CardSettings,
    _changed_values,
    evaluate,
)
from app.rules.model import (
    CannotAssess,
    Citation,
    Hook,
    NotApplicable,
    Outcome,
    Recommendation,
    Rule,
    RuleContext,
)
from app.rules.osteoporosis.thresholds import card_values
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import ClinicalSnapshot, PatientFacts, Sex
from tests.builders.shared import catalog_rule_ids

CITATION = Citation(source="S4", seed="004_9931701446fad2f5.txt", section="test", catalog="rules.md test")
SNAPSHOT = ClinicalSnapshot(
    as_of=date(2025, 6, 1), patient=PatientFacts(as_of=date(2025, 6, 1), sex=Sex.FEMALE, birth_date=None, source=None)
)


def rule(
    rule_id: str,
    outcome: str,
    *,
    hooks: frozenset[Hook] = frozenset(Hook),
    profiles: frozenset[str] = frozenset({"nl"}),
) -> Rule:
    def evaluate_rule(_ctx: RuleContext) -> Outcome:
        if outcome == "card":
            return Recommendation(rule_id, variant="v")
        if outcome == "missing":
            return CannotAssess(rule_id, ("x",))
        return NotApplicable(rule_id, "no")

    return Rule(rule_id, rule_id, hooks, profiles, (CITATION,), evaluate_rule)


def run(*rules: Rule, hook: Hook = Hook.PATIENT_VIEW, profile: str = "nl") -> dict[str, str]:
    outcomes = evaluate(rules, SNAPSHOT, hook=hook, profile=profile, parameters=GuidelineParameters())
    return {outcome.rule_id: type(outcome).__name__ for outcome in outcomes}


class TestEvaluation:
    def test_runs_only_the_rules_of_the_hook_and_profile(self) -> None:
        order_only = rule("CI-EGFR-1", "card", hooks=frozenset({Hook.ORDER_SIGN}))
        belgian = rule("SCREEN-BBC-1", "card", profiles=frozenset({"be"}))

        assert run(order_only, belgian, rule("GC-START-1", "card")) == {"GC-START-1": "Recommendation"}


class TestPrecedence:
    def test_a_gc_start_card_supersedes_the_general_treatment_gap_card(self) -> None:
        outcomes = run(rule("GC-START-1", "card"), rule("TX-IND-1", "card"))

        assert outcomes == {"GC-START-1": "Recommendation", "TX-IND-1": "NotApplicable"}

    def test_a_missing_data_card_of_a_superseding_rule_also_counts(self) -> None:
        assert run(rule("GC-START-3", "missing"), rule("TX-IND-1", "card"))["TX-IND-1"] == "NotApplicable"

    def test_without_the_superseding_card_the_rule_keeps_its_card(self) -> None:
        assert run(rule("GC-START-1", "not"), rule("TX-IND-1", "card"))["TX-IND-1"] == "Recommendation"

    def test_a_critical_contraindication_replaces_the_matching_choice_card(self) -> None:
        outcomes = run(rule("CI-ROMO-1", "card"), rule("ANABOLIC-1", "card"))

        assert outcomes == {"CI-ROMO-1": "Recommendation", "ANABOLIC-1": "NotApplicable"}

    def test_a_contraindication_that_could_not_assess_does_not_replace_the_choice_card(self) -> None:
        assert run(rule("CI-ROMO-1", "missing"), rule("ANABOLIC-1", "card"))["ANABOLIC-1"] == "Recommendation"

    def test_the_precedence_tables_name_only_catalog_rules(self) -> None:
        tables = {**SUPERSEDED_BY, **REPLACED_BY_CONTRAINDICATION}
        named = set(tables) | {winner for winners in tables.values() for winner in winners}

        assert named <= catalog_rule_ids()


class TestCardValues:
    """The parameter values a card states are computed once per profile, parameters and settings: the cached
    answer is the direct computation's, for other settings too."""

    @pytest.mark.parametrize(
        ("profile", "parameters", "snapshot"),
        [
            ("nl", GuidelineParameters(), SNAPSHOT),
            ("be", GuidelineParameters(), SNAPSHOT),
            ("nl", GuidelineParameters(recent_fx_years=3, calcium_target="1200"), SNAPSHOT),
            ("nl", GuidelineParameters(), replace(SNAPSHOT, dxa_stale_years=3, lab_max_age_days=60)),
            ("be", GuidelineParameters(teriparatide_max_months=24), replace(SNAPSHOT, mof_forearm_min_age=70)),
        ],
    )
    def test_the_cached_changed_values_are_those_computed_directly(
        self, profile: str, parameters: GuidelineParameters, snapshot: ClinicalSnapshot
    ) -> None:
        direct = card_values(profile, parameters, snapshot)
        default = card_values()
        expected = {name: value for name, value in direct.items() if default.get(name) != value}

        for _ in range(2):  # computed, then cached
            assert dict(_changed_values(profile, parameters, _CardSettings.of(snapshot))) == expected

    def test_a_card_states_the_settings_of_its_snapshot(self) -> None:
        changed = replace(SNAPSHOT, dxa_stale_years=3)
        for snapshot, years in ((SNAPSHOT, None), (changed, "3"), (SNAPSHOT, None)):
            (outcome,) = evaluate(
                [rule("GC-START-1", "card")],
                snapshot,
                hook=Hook.PATIENT_VIEW,
                profile="nl",
                parameters=GuidelineParameters(),
            )
            assert isinstance(outcome, Recommendation)
            assert outcome.facts.get("DXA_STALE_YEARS") == years
