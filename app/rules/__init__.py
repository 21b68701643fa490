"""Guideline rules: pure functions of the clinical snapshot."""

from __future__ import annotations

from app.rules.engine import evaluate
from app.rules.model import (
    GIVES_CARD,
    CannotAssess,
    Evidence,
    Hook,
    NotApplicable,
    Outcome,
    Recommendation,
    Rule,
    RuleContext,
)

__all__ = [
    "CannotAssess",
    "GIVES_CARD",
    "Evidence",
    "Hook",
    "NotApplicable",
    "Outcome",
    "Recommendation",
    "Rule",
    "RuleContext",
    "evaluate",
]
