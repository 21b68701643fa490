"""Glucocorticoid-induced osteoporosis: prevention (rules.md §8)."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules.model import (
    CannotAssess,
    Citation,
    Evidence,
    Hook,
    NotApplicable,
    Outcome,
    Recommendation,
    Rule,
    RuleContext,
)
from app.rules.osteoporosis.thresholds.glucocorticoids import GC_DIRECT_START_MIN_AGE, GC_DOSE_HIGH, GC_MIN_DURATION

__all__ = ["EXCLUDED", "GC_START_1", "RULES"]

_S4_GC = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section=(
        "Bijlage 2 (Glucocorticoïden); Bijlage 8 flowchart «Behandelschema patiënten met Glucocorticoïden ≥ 3 maanden»"
    ),
    catalog="rules.md §8 GC-START-1",
)


def _at_least(value: float, threshold: float, *, inclusive: bool) -> bool:
    return value >= threshold if inclusive else value > threshold


def _gc_start_1(ctx: RuleContext) -> Outcome:
    """«Start bij patiënten ≥ 50 jaar, die naar verwachting langer dan 3 maanden prednison > 7,5 mg per dag zullen
    gebruiken, direct met medicatie ter preventie van fracturen, onafhankelijk van de uitslag van de BMD/VFA»
    (S4 Bijlage 2, GC).

    When: a current or ordered systemic glucocorticoid, age ≥ 50, prednisone-eq. ≥ 7.5 mg/day expected for
    ≥ 3 months, and no bone-protective drug. Then: start alendronate or risedronate now (warning); DXA + VFA
    only as a baseline. Dose or expected duration unknown → the conditional card (info).
    """
    rule_id = "GC-START-1"
    snapshot = ctx.snapshot
    gc = snapshot.current_glucocorticoid()
    if gc is None:
        return NotApplicable(rule_id, "no current or ordered systemic glucocorticoid")
    if snapshot.is_on_bone_protection():
        return NotApplicable(rule_id, "already on a bone-protective drug")

    suggestions = ("alendronate", "risedronate", "dxa-vfa")
    evidence = [
        Evidence("glucocorticoid", gc.drug.value, gc.start.earliest if gc.start else None, gc.source.reference())
    ]
    age = snapshot.patient.age
    missing: list[str] = []
    if age is None:
        missing.append("age")
    elif age < GC_DIRECT_START_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {age} below {GC_DIRECT_START_MIN_AGE}")
    else:
        evidence.append(Evidence("age", str(age)))

    dose = gc.prednisone_eq_mg_per_day
    if dose is None:
        missing.append("glucocorticoid-dose")
    elif not _at_least(dose, GC_DOSE_HIGH.value, inclusive=ctx.parameters.gc_dose_high_inclusive):
        return NotApplicable(rule_id, f"prednisone-eq. {dose:.1f} mg/day below {GC_DOSE_HIGH}")
    else:
        evidence.append(
            Evidence("prednisone-equivalent", f"{dose:.1f}".removesuffix(".0"), None, gc.source.reference())
        )

    # GC_EXPECTED_TOTAL_M = elapsed + remaining expected use. Use already ≥ 3 months meets it whatever remains;
    # otherwise an unknown expected duration is missing data, never "short".
    months = gc.expected_total_months
    if (
        months is None
        and gc.elapsed_months is not None
        and _at_least(gc.elapsed_months, GC_MIN_DURATION.value, inclusive=ctx.parameters.gc_min_duration_inclusive)
    ):
        months = gc.elapsed_months
    if months is None:
        missing.append("glucocorticoid-duration")
    elif not _at_least(months, GC_MIN_DURATION.value, inclusive=ctx.parameters.gc_min_duration_inclusive):
        return NotApplicable(rule_id, f"expected GC use {months:.1f} months below {GC_MIN_DURATION}")
    else:
        evidence.append(Evidence("glucocorticoid-duration", f"{months:.1f}"))

    if missing or dose is None:
        return CannotAssess(
            rule_id, tuple(missing), variant="conditional", evidence=tuple(evidence), suggestions=suggestions
        )
    return Recommendation(
        rule_id,
        variant="start",
        facts={"dose": f"{dose:.1f}".removesuffix(".0")},
        evidence=tuple(evidence),
        suggestions=suggestions,
    )


GC_START_1 = Rule(
    id="GC-START-1",
    title="Age ≥ 50, prednisone-eq. ≥ 7.5 mg/day for ≥ 3 months: start bone protection now",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN}),
    profiles=frozenset({"nl"}),  # [NL] in the catalog
    citations=(_S4_GC,),
    evaluate=_gc_start_1,
)


RULES: tuple[Rule, ...] = (GC_START_1,)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {
    "GC-QI-1": "a population quality indicator (numerator/denominator report), not a card (rules.md §8 GC-QI-1)",
}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason."""
