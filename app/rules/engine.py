"""Evaluate the rules of one service for one snapshot, then apply the precedence between rules.

A rule that raises is a bug: the exception propagates (the request fails loudly and tests catch it).
Precedence (rules.md §14) is applied here, after evaluation, so that every rule stays a pure function of the
snapshot: when a rule in :data:`SUPERSEDED_BY` would give a card while one of the rules that supersede it gives a
card too, its outcome becomes :class:`~app.rules.model.NotApplicable` with the reason. One card per rule per call
follows from one outcome per rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from app.rules.model import GIVES_CARD, Hook, NotApplicable, Outcome, Recommendation, Rule, RuleContext
from app.rules.osteoporosis.thresholds import CardSettings, card_values
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import ClinicalSnapshot

__all__ = ["REPLACED_BY_CONTRAINDICATION", "SUPERSEDED_BY", "evaluate"]

SUPERSEDED_BY: Mapping[str, tuple[str, ...]] = {
    # rules.md §14.2: GC users get the GC card (a start card or its missing-data card); no second "start" card.
    "TX-IND-1": ("GC-START-1", "GC-START-2", "GC-START-3", "GC-START-4", "GC-PARENT-1"),
    # rules.md DX-CLIN-1: "AND TX-IND-1 card not already shown (avoid duplicate)".
    "DX-CLIN-1": ("TX-IND-1",),
    # The evaluation and follow-up rules already ask for the DXA at the right moment.
    "MON-DXA-1": ("BP-EVAL-1", "BP-FU-1", "DMAB-EVAL-1", "DMAB-FU-1"),
    # The fracture-liaison work-up card already asks for DXA with VFA.
    "VFA-1": ("SCREEN-NL-1",),
    # vignettes.md V16 / conflicts.md C-55: a GC user who cannot take the oral bisphosphonate gets the GC second
    # choice (GC-SWITCH-1), not the general switch card.
    "SWITCH-GI-1": ("GC-SWITCH-1",),
    # TX-CHOICE-2 gives the same second-choice list as the intolerance card on the current course (SWITCH-GI-1)
    # and, for GC users, as GC-SWITCH-1 (C-55): one card, the more specific one.
    "TX-CHOICE-2": ("SWITCH-GI-1", "GC-SWITCH-1"),
}
"""Rule ID → rules whose card (recommendation or missing-data card) makes its card redundant (rules.md §14)."""

REPLACED_BY_CONTRAINDICATION: Mapping[str, tuple[str, ...]] = {
    "ANABOLIC-1": ("CI-ROMO-1", "CI-ROMO-2"),
    "ANABOLIC-2": ("CI-TPTD-1",),
    "TX-CHOICE-3": ("CI-SERM-1",),
}
"""Rule ID → contraindication rules whose *recommendation* replaces its choice card (issue "Guideline rules": a
critical contraindication replaces the matching choice card). A contraindication rule that could not assess
does not replace anything: the choice card then still says what it could and could not check."""


_SUPERSEDABLE: Final = frozenset(SUPERSEDED_BY) | frozenset(REPLACED_BY_CONTRAINDICATION)


def _apply_precedence(outcomes: list[Outcome]) -> list[Outcome]:
    cards = [outcome for outcome in outcomes if isinstance(outcome, GIVES_CARD)]
    with_cards = {outcome.rule_id for outcome in cards}
    recommended = {outcome.rule_id for outcome in cards if isinstance(outcome, Recommendation)}
    superseded = {
        outcome.rule_id: _superseded(outcome, with_cards, recommended)
        for outcome in cards
        if outcome.rule_id in _SUPERSEDABLE
    }
    if not superseded:
        return outcomes
    return [superseded.get(outcome.rule_id, outcome) for outcome in outcomes]  # one outcome per rule


def _superseded(outcome: Outcome, with_cards: set[str], recommended: set[str]) -> Outcome:
    """``outcome`` (which gives a card), or :class:`NotApplicable` when a card of another rule makes it redundant."""
    winners = [rule_id for rule_id in SUPERSEDED_BY.get(outcome.rule_id, ()) if rule_id in with_cards]
    winners += [r for r in REPLACED_BY_CONTRAINDICATION.get(outcome.rule_id, ()) if r in recommended]
    if winners:
        return NotApplicable(outcome.rule_id, f"superseded by {', '.join(winners)} (rules.md §14)")
    return outcome


def evaluate(
    rules: Iterable[Rule],
    snapshot: ClinicalSnapshot,
    *,
    hook: Hook,
    profile: str,
    parameters: GuidelineParameters,
) -> list[Outcome]:
    """One outcome per rule that applies to ``hook`` and ``profile``, in registry order, after precedence."""
    context = RuleContext(snapshot=snapshot, hook=hook, parameters=parameters, profile=profile)
    outcomes = [rule.evaluate(context) for rule in rules if hook in rule.hooks and profile in rule.profiles]
    changed = _changed_values(profile, parameters, _CardSettings.of(snapshot))  # the builder's settings
    if changed:
        outcomes = [_with_parameter_values(outcome, changed) for outcome in outcomes]
    return _apply_precedence(outcomes)


@dataclass(frozen=True, slots=True)
class _CardSettings:
    """The snapshot settings a card states (:class:`~app.rules.osteoporosis.thresholds.CardSettings`), as a small
    hashable value: the key of :func:`_changed_values` together with the profile and the guideline parameters."""

    dxa_stale_years: int
    lab_max_age_days: int
    vitamin_d_max_age_days: int
    renal_max_age_days: int
    dxa_decision_max_age_months: int
    assume_postmenopausal_age: int
    mof_forearm_min_age: int

    @classmethod
    def of(cls, settings: CardSettings) -> _CardSettings:
        return cls(
            settings.dxa_stale_years,
            settings.lab_max_age_days,
            settings.vitamin_d_max_age_days,
            settings.renal_max_age_days,
            settings.dxa_decision_max_age_months,
            settings.assume_postmenopausal_age,
            settings.mof_forearm_min_age,
        )


@lru_cache(maxsize=16)
def _changed_values(profile: str, parameters: GuidelineParameters, settings: _CardSettings) -> Mapping[str, str]:
    """The card values (:func:`~app.rules.osteoporosis.thresholds.card_values`) of this profile, these guideline
    parameters and these snapshot settings that differ from the defaults. A deployment has one profile and one set
    of parameters and settings, so this is computed once (the key holds values only: frozen parameters and
    settings, never the snapshot)."""
    values = card_values(profile, parameters, settings)
    return MappingProxyType({name: value for name, value in values.items() if _DEFAULT_VALUES.get(name) != value})


_DEFAULT_VALUES: Final = card_values()
"""The default profile's and settings' values, which the renderer fills in itself."""


def _with_parameter_values(outcome: Outcome, values: Mapping[str, str]) -> Outcome:
    """A card's facts with the parameter values of this profile and these settings that differ from the defaults,
    for the card text's parameter placeholders (:func:`~app.rules.osteoporosis.thresholds.card_values`); the
    rule's own facts win."""
    if isinstance(outcome, GIVES_CARD):
        return replace(outcome, facts={**values, **outcome.facts})
    return outcome
