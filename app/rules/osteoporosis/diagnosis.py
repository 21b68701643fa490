"""Diagnosis and risk classification (rules.md §3)."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules.model import Rule

__all__ = ["EXCLUDED", "RULES"]

RULES: tuple[Rule, ...] = ()
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
