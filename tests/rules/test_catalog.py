"""Every rule ID of shared/clinical/rules.md is implemented, or excluded in code with a reason.

``NOT_YET_IMPLEMENTED`` lists the catalog rules still to be built (issue "Guideline rules: the whole catalog");
the catalog is complete when it is empty. A rule may not be both implemented and listed as pending.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.rules.osteoporosis import EXCLUDED_RULES, OSTEOPOROSIS_RULES

RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "clinical" / "rules.md"

NOT_YET_IMPLEMENTED = frozenset(
    """
    DX-TSCORE-1 DX-CLIN-1 DX-OSTEOMAL-1 DX-MOF-1 RISK-BBC-1 RISK-FRAX-1
    SCREEN-BBC-1 SCREEN-NL-1 SCREEN-NL-2 VFA-1 VF-CONSULT-1 LAB-1 SECONDARY-1 FALL-1
    TX-IND-1 TX-LE-1 TX-LOW-1 TX-CHOICE-1 TX-CHOICE-2 TX-CHOICE-3
    CI-EGFR-1 CI-EGFR-2 CI-EGFR-3 CI-HYPOCA-1 CI-ORALBP-1 CI-ROMO-1 CI-ROMO-2 CI-ROMO-3 CI-SERM-1
    CI-TPTD-1 CI-TPTD-2 CI-TPTD-3 LT-SAFETY-1 DUP-1
    VITD-1 VITD-2 VITD-3 CALC-1 CALC-2 SUPP-1 LIFE-1
    GC-GEN-1 GC-START-2 GC-START-3 GC-START-4 GC-START-5 GC-PARENT-1 GC-SWITCH-1 GC-STOP-1 GC-LEGACY-1
    SWITCH-GI-1 SWITCH-ADH-1 SWITCH-FAIL-1 SWITCH-FAIL-2 SWITCH-DMAB-ROMO-1
    BP-EVAL-1 BP-HOLIDAY-1 BP-CONT-1 BP-MAX-1 BP-FU-1 BP-RESTART-1
    DMAB-START-1 DMAB-INTERVAL-1 DMAB-STOP-1 DMAB-STOP-2 DMAB-STOP-3 DMAB-EVAL-1 DMAB-FU-1
    ANABOLIC-1 ANABOLIC-2 ANABOLIC-3 ANABOLIC-4 ANABOLIC-5 ANABOLIC-6
    MON-DXA-1 MON-SPINE-1 MON-BTM-1 MON-EVAL-1
    """.split()
)


def catalog_rule_ids() -> set[str]:
    text = RULES_MD.read_text(encoding="utf-8")
    return set(re.findall(r"^### ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+) — ", text, re.M))


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
