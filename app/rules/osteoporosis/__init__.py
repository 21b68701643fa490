"""The osteoporosis rule catalog (``shared/clinical/rules.md``): an explicit registry, no import-time magic.

One module per rule family, each exporting ``RULES`` (implemented, in evaluation order) and ``EXCLUDED``
(catalog IDs that are deliberately not rules, with the reason: derived variables, summary tables, reports).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.rules.model import Rule
from app.rules.osteoporosis import (
    anabolic,
    bisphosphonates,
    denosumab,
    diagnosis,
    glucocorticoids,
    monitoring,
    safety,
    screening,
    supplements,
    switch,
    treatment,
)

__all__ = ["EXCLUDED_RULES", "OSTEOPOROSIS_RULES", "RULE_FAMILIES"]

_FAMILIES = (
    safety,
    denosumab,
    glucocorticoids,
    treatment,
    anabolic,
    bisphosphonates,
    switch,
    supplements,
    diagnosis,
    screening,
    monitoring,
)

OSTEOPOROSIS_RULES: tuple[Rule, ...] = tuple(rule for family in _FAMILIES for rule in family.RULES)
EXCLUDED_RULES: Mapping[str, str] = {rule_id: why for family in _FAMILIES for rule_id, why in family.EXCLUDED.items()}
RULE_FAMILIES: Mapping[str, tuple[Rule, ...]] = {
    family.__name__.rsplit(".", 1)[-1]: tuple(family.RULES) for family in _FAMILIES
}
"""The rules per family (the module's name, e.g. ``denosumab``), for the rule reference (``osteo-cds rules``)."""
