"""Every rule ID of shared/clinical/rules.md is implemented, or excluded in code with a reason.

``NOT_YET_IMPLEMENTED`` lists the catalog rules still to be built (issue "Guideline rules: the whole catalog");
the catalog is complete when it is empty. A rule may not be both implemented and listed as pending.
"""

from __future__ import annotations

from app.rules.osteoporosis import EXCLUDED_RULES, OSTEOPOROSIS_RULES
from tests.builders.shared import catalog_rule_ids

NOT_YET_IMPLEMENTED: frozenset[str] = frozenset()


def test_the_catalog_has_the_rules_we_expect_to_find() -> None:
    assert len(catalog_rule_ids()) >= 80


def test_every_catalog_rule_is_implemented_excluded_or_pending() -> None:
    implemented = {rule.id for rule in OSTEOPOROSIS_RULES}

    assert implemented | set(EXCLUDED_RULES) | NOT_YET_IMPLEMENTED == catalog_rule_ids()


def test_no_rule_is_both_implemented_and_pending_or_excluded() -> None:
    implemented = {rule.id for rule in OSTEOPOROSIS_RULES}

    assert not implemented & NOT_YET_IMPLEMENTED
    assert not implemented & set(EXCLUDED_RULES)
    assert not set(EXCLUDED_RULES) & NOT_YET_IMPLEMENTED


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in OSTEOPOROSIS_RULES]

    assert len(ids) == len(set(ids))


def test_every_exclusion_gives_a_reason() -> None:
    assert all(len(reason) > 20 for reason in EXCLUDED_RULES.values())


def test_every_rule_cites_a_seed_and_the_catalog() -> None:
    for rule in OSTEOPOROSIS_RULES:
        assert rule.citations, rule.id
        for citation in rule.citations:
            assert citation.seed.endswith(".txt") and citation.catalog.startswith("rules.md"), rule.id
