"""Durable storage of issued cards and of the feedback clinicians give on them."""

from __future__ import annotations

from app.feedback.store import FeedbackStore, IssuedCard, IssuedFinding, RuleFeedbackSummary
from app.feedback.writer import IssuedCardWriter

__all__ = ["FeedbackStore", "IssuedCard", "IssuedCardWriter", "IssuedFinding", "RuleFeedbackSummary"]
