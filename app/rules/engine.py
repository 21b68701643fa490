"""Evaluate the rules of one service for one snapshot.

A rule that raises is a bug: the exception propagates (the request fails loudly and tests catch it).
Precedence between rules that conflict is applied here, after evaluation, so that every rule stays a pure
function of the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.rules.model import Hook, Outcome, Rule, RuleContext
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import ClinicalSnapshot

__all__ = ["evaluate"]


def evaluate(
    rules: Iterable[Rule],
    snapshot: ClinicalSnapshot,
    *,
    hook: Hook,
    profile: str,
    parameters: GuidelineParameters,
) -> list[Outcome]:
    """One outcome per rule that applies to ``hook`` and ``profile``, in registry order."""
    context = RuleContext(snapshot=snapshot, hook=hook, parameters=parameters)
    return [rule.evaluate(context) for rule in rules if hook in rule.hooks and profile in rule.profiles]
