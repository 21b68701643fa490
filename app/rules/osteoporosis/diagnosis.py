"""Diagnosis and risk classification (rules.md §3).

Besides its rules this module exposes the derived classifications other families consume (TX-IND-1 and
ANABOLIC-4 read the BBC risk class):

- :func:`dx_class` — DX-TSCORE-1, the densitometric class of the latest DXA;
- :func:`assess_bbc_risk` / :func:`bbc_risk_class` — RISK-BBC-1, the BBC fracture-risk class with its reasons;
- :func:`frax_fall_adjusted` — RISK-FRAX-1, FRAX corrected for falls in the past year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
from app.rules.osteoporosis.evidence import (
    fracture_evidence,
    month_year,
    number,
    t_score_evidence,
)
from app.rules.osteoporosis.predicates import (
    DxClass,
    RiskClass,
    assess_bbc_risk,
    dx_class,
    has_recent_fracture,
    in_bbc_population,
    is_osteoporotic_t_score,
    recorded_falls_past_year,
)
from app.rules.osteoporosis.thresholds import (
    CLINICAL_OP_MALE_MIN_AGE,
    FRAX_CAP_PERCENT,
    FRAX_FALL_MULTIPLIER,
    FRAX_MAX_FALLS,
    T_OSTEOPOROSIS,
    VITD_DEFICIENT_NGML,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    ClinicalSnapshot,
    DxaStatus,
    Fracture,
    Interpretation,
    LabResult,
    LabTest,
    Sex,
)

__all__ = [
    "DX_CLIN_1",
    "DX_OSTEOMAL_1",
    "EXCLUDED",
    "RISK_BBC_1",
    "RISK_FRAX_1",
    "RULES",
    "bbc_risk_class",
    "frax_fall_adjusted",
]

_S2_DIAGNOSE = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="Diagnose; Zeer hoog fractuurrisico (BBC)",
    catalog="rules.md §3 RISK-BBC-1",
)
_S3_DIAGNOSE = Citation(
    source="S3", seed="003_4b4f3f497f83c805.txt", section="Diagnose", catalog="rules.md §3 DX-CLIN-1, DX-OSTEOMAL-1"
)
_S2_FRAX = Citation(
    source="S2", seed="002_d2419872b4f3ee7d.txt", section="FRAX en valincidenten", catalog="rules.md §3 RISK-FRAX-1"
)


# ----------------------------------------------------------------------------------------------------------------
# Shared helpers (also used by screening and monitoring)
# ----------------------------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------------------------
# DX-TSCORE-1 (derived)
# ----------------------------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------------------------
# RISK-BBC-1 (classification, consumed by TX-IND-1 / ANABOLIC-4)
# ----------------------------------------------------------------------------------------------------------------


def bbc_risk_class(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> RiskClass:
    """The BBC fracture-risk class (rules.md D-RISK); UNKNOWN outside the BBC population or without data."""
    if in_bbc_population(snapshot, parameters) is not True:
        return RiskClass.UNKNOWN
    return assess_bbc_risk(snapshot, parameters).risk_class


def _in_screening_population(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> bool:
    """RISK-BBC-1 "missing" card only for patients in a screening/identification population: a recent fracture
    (SCREEN-NL-1), a current systemic glucocorticoid (GC rules), or a woman ≥ 50 (SCREEN-BBC-1)."""
    return (
        has_recent_fracture(snapshot, parameters) is not False
        and bool(snapshot.fractures)
        or snapshot.current_glucocorticoid() is not None
        or snapshot.is_postmenopausal is True
    )


def _risk_bbc_1(ctx: RuleContext) -> Outcome:
    """«Op basis van de DXA T-score, de aan- of afwezigheid van een MOF in de voorbije 2 jaar en de FRAX®-score,
    maakt de BBC-richtlijn een onderscheid tussen een laag, hoog of zeer hoog fractuurrisico» (S2).

    When: a postmenopausal woman (or a man ≥ 50, ``BBC_APPLY_TO_MEN``). Then: the class as info — VERY HIGH (MOF
    ≤ 2 years or T ≤ −3.5), HIGH (T ≤ −2.5 or another fragility fracture [INF]), LOW (provisional: FRAX
    thresholds unset). No DXA and no fracture → "class unknown" card, only in a screening population.
    """
    rule_id = "RISK-BBC-1"
    snapshot = ctx.snapshot
    population = in_bbc_population(snapshot, ctx.parameters)
    if population is False:
        return NotApplicable(rule_id, "outside the BBC population (postmenopausal women, men ≥ 50)")
    if population is None:
        if snapshot.age is None or snapshot.patient.sex not in (Sex.FEMALE, Sex.MALE):
            return CannotAssess(rule_id, ("age" if snapshot.age is None else "sex",), variant="missing")
        return NotApplicable(rule_id, "menopausal status unknown (woman < 50)")
    risk = assess_bbc_risk(snapshot, ctx.parameters)
    evidence: list[Evidence] = []
    if risk.recent_mof is not None:
        evidence.append(fracture_evidence(risk.recent_mof))
    if risk.prior_fracture is not None and risk.prior_fracture is not risk.recent_mof:
        evidence.append(fracture_evidence(risk.prior_fracture))
    if risk.lowest_t is not None:
        evidence.append(t_score_evidence(risk.lowest_t))
        if risk.stale_dxa:
            evidence.append(Evidence("dxa-older-than-5-years", str(risk.lowest_t.observed)))
    facts = {"t_min": number(risk.lowest_t.value) if risk.lowest_t else "?"}
    if risk.risk_class is RiskClass.VERY_HIGH:
        if risk.recent_mof is not None:
            facts["fracture_date"] = month_year(risk.recent_mof)
            return Recommendation(rule_id, "very-high-fracture", facts, tuple(evidence))
        return Recommendation(rule_id, "very-high-t-score", facts, tuple(evidence))
    evidence.extend(_frax_evidence(risk.frax_at_or_above + risk.frax_below))
    if risk.risk_class is RiskClass.HIGH:
        if risk.osteoporotic_t:
            return Recommendation(rule_id, "high-t-score", facts, tuple(evidence))
        if risk.prior_fracture is not None:
            facts["fracture_date"] = month_year(risk.prior_fracture)
            return Recommendation(rule_id, "high-fracture", facts, tuple(evidence))
        return Recommendation(rule_id, "high-frax", facts, tuple(evidence))
    if risk.risk_class is RiskClass.LOW:
        return Recommendation(rule_id, "low", facts, tuple(evidence))
    if risk.risk_class is RiskClass.LOW_PROVISIONAL:
        return Recommendation(rule_id, "low-provisional", facts, tuple(evidence))
    if not _in_screening_population(snapshot, ctx.parameters):
        return NotApplicable(rule_id, "no DXA and no fracture, not in a screening population")
    return CannotAssess(rule_id, ("dxa",), variant="missing", evidence=tuple(evidence), suggestions=("dxa-vfa",))


def _frax_evidence(results: Sequence[LabResult]) -> list[Evidence]:
    return [Evidence(r.test.value, number(r.value), r.observed.earliest, r.source.reference()) for r in results]


RISK_BBC_1 = Rule(
    id="RISK-BBC-1",
    title="BBC fracture-risk class: low / high / very high",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(_S2_DIAGNOSE,),
    evaluate=_risk_bbc_1,
)


# ----------------------------------------------------------------------------------------------------------------
# RISK-FRAX-1
# ----------------------------------------------------------------------------------------------------------------


def frax_fall_adjusted(percent: float, falls: int, *, compounded: bool = True) -> float:
    """RISK-FRAX-1: FRAX × 1.3^k (k = falls in the past year, at most 5), capped at 100 %; ``compounded=False``
    gives the linear reading FRAX × (1 + 0.3k) (conflicts.md C-38)."""
    k = max(0, min(falls, int(FRAX_MAX_FALLS.value)))
    factor = FRAX_FALL_MULTIPLIER.value**k if compounded else 1 + (FRAX_FALL_MULTIPLIER.value - 1) * k
    return min(percent * factor, FRAX_CAP_PERCENT.value)


def _risk_frax_1(ctx: RuleContext) -> Outcome:
    """«de FRAX®-score per valincident met 1.3 te vermenigvuldigen en dit voor maximaal 5 valincidenten in het
    voorbije jaar» (S2).

    When: a FRAX result (10-year MOF and/or hip probability) is on record. Then: FRAX adjusted for the falls of
    the past year (info). Falls not recorded → "ask about falls" card (FRAX ignores falls).
    """
    rule_id = "RISK-FRAX-1"
    snapshot = ctx.snapshot
    mof = snapshot.latest_lab(LabTest.FRAX_MAJOR_OSTEOPOROTIC)
    hip = snapshot.latest_lab(LabTest.FRAX_HIP)
    if mof is None and hip is None:
        return NotApplicable(rule_id, "no FRAX result on record")
    evidence = tuple(
        Evidence(r.test.value, number(r.value), r.observed.earliest, r.source.reference())
        for r in (mof, hip)
        if r is not None
    )
    falls = recorded_falls_past_year(snapshot)
    if falls is None:
        return CannotAssess(rule_id, ("falls-past-year",), variant="missing", evidence=evidence)
    facts = {
        "falls": str(min(falls, int(FRAX_MAX_FALLS.value))),
        "mof": number(mof.value) if mof else "?",
        "mof_adjusted": number(frax_fall_adjusted(mof.value, falls)) if mof else "?",
        "hip": number(hip.value) if hip else "?",
        "hip_adjusted": number(frax_fall_adjusted(hip.value, falls)) if hip else "?",
    }
    return Recommendation(rule_id, "adjusted", facts, evidence)


RISK_FRAX_1 = Rule(
    id="RISK-FRAX-1",
    title="FRAX fall adjustment",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(_S2_FRAX,),
    evaluate=_risk_frax_1,
)


# ----------------------------------------------------------------------------------------------------------------
# DX-CLIN-1
# ----------------------------------------------------------------------------------------------------------------


def _clinically_eligible(snapshot: ClinicalSnapshot, fracture: Fracture) -> bool | None:
    """Postmenopausal woman (age at fracture ≥ ``ASSUME_PM_AGE`` [INF]) or man older than 50 at the fracture."""
    sex = snapshot.patient.sex
    age = fracture.age_at_fracture
    if sex is Sex.FEMALE:
        return None if age is None else age >= snapshot.assume_postmenopausal_age
    if sex is Sex.MALE:
        return None if age is None else age > CLINICAL_OP_MALE_MIN_AGE.value
    return None


def _dx_clin_1(ctx: RuleContext) -> Outcome:
    """«Een laagenergetische frac- tuur bij postmenopausale vrouw of man ouder dan 50 jaar, met uitsluiting van
    andere oorzaken (bv. Kahler), wijst op osteoporose.» (S3)

    When: a non-pathological fracture (low-energy or mechanism unknown) in a postmenopausal woman or a man > 50,
    T-score above the osteoporosis cut-off (or no DXA), not on osteoporosis treatment. Then: info — the fracture
    indicates osteoporosis; assess treatment. Age at fracture unknown → card asks for it.
    """
    rule_id = "DX-CLIN-1"
    snapshot = ctx.snapshot
    if snapshot.is_on_bone_protection():
        return NotApplicable(rule_id, "on osteoporosis treatment")
    if not snapshot.fractures:
        return NotApplicable(rule_id, "no non-pathological fracture on record")
    verdicts = [(f, _clinically_eligible(snapshot, f)) for f in snapshot.fractures]
    eligible = [f for f, ok in verdicts if ok is True]
    unknown = [f for f, ok in verdicts if ok is None]
    if not eligible and not unknown:
        return NotApplicable(rule_id, "no fracture at an eligible age and menopausal status")
    fracture = (eligible or unknown)[-1]
    evidence = [fracture_evidence(fracture)]
    klass = dx_class(snapshot, ctx.parameters)
    if klass is DxClass.OSTEOPOROSIS:
        return NotApplicable(rule_id, "densitometric osteoporosis: TX-IND-1 covers the indication")
    facts = {"fracture_date": month_year(fracture)}
    lowest = snapshot.lowest_t_score
    if lowest is not None:
        evidence.append(t_score_evidence(lowest))
    if not eligible:
        return CannotAssess(rule_id, ("age-at-fracture",), variant="missing", facts=facts, evidence=tuple(evidence))
    variant = "no-dxa" if klass is DxClass.UNKNOWN else "t-above-cutoff"
    return Recommendation(rule_id, variant, facts, tuple(evidence))


DX_CLIN_1 = Rule(
    id="DX-CLIN-1",
    title="Clinical osteoporosis after a low-energy fracture",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(_S3_DIAGNOSE,),
    evaluate=_dx_clin_1,
)


# ----------------------------------------------------------------------------------------------------------------
# DX-OSTEOMAL-1
# ----------------------------------------------------------------------------------------------------------------

_OSTEOMALACIA_LAB_ORDERS = {
    "vitamin-d": "lab-25oh-vitamin-d",
    "calcium": "lab-calcium",
    "phosphate": "lab-phosphate",
    "alkaline-phosphatase": "lab-alkaline-phosphatase",
}


def _dx_osteomal_1(ctx: RuleContext) -> Outcome:
    """«niet elk verlaagde botmeting osteoporose is (kan ook bv osteomalacie zijn). Deze verkeerde interpretatie
    kan leiden tot foutieve en zelfs schadelijke therapie.» (S3)

    When: T_MIN ≤ −2.5 and a lab pattern that may mean osteomalacia [NIS]: 25-OH-D < 20 ng/mL, hypocalcaemia,
    hypophosphataemia or ALP above the reference range. Then: info — exclude osteomalacia before antiresorptive
    therapy. When an antiresorptive is being ordered and any of the four labs is missing or stale: the card lists
    them (no silent skip).
    """
    rule_id = "DX-OSTEOMAL-1"
    snapshot = ctx.snapshot
    lowest = snapshot.lowest_t_score
    if snapshot.dxa_status is DxaStatus.NONE or lowest is None:
        return NotApplicable(rule_id, "no DXA")
    if not is_osteoporotic_t_score(lowest.value, ctx.parameters):
        return NotApplicable(rule_id, f"lowest T-score {lowest.value} above {T_OSTEOPOROSIS}")
    ordering = any(o.drug is not None and o.drug.is_antiresorptive for o in snapshot.new_orders)
    if ctx.hook is not Hook.PATIENT_VIEW and not ordering:
        return NotApplicable(rule_id, "no antiresorptive being ordered")
    evidence = [t_score_evidence(lowest)]
    abnormal: list[str] = []
    missing: list[str] = []
    vit_d = snapshot.vitamin_d
    if vit_d is None or vit_d.is_stale:
        missing.append("vitamin-d")
    else:
        evidence.append(
            Evidence("vitamin-d-ng-ml", number(vit_d.ng_per_ml), vit_d.observed.earliest, str(vit_d.source))
        )
        if vit_d.ng_per_ml < VITD_DEFICIENT_NGML.value:
            abnormal.append("vitamin-d")
    calcium = snapshot.calcium
    if calcium is not None and not calcium.is_stale and calcium.is_low is None:
        missing.append("calcium-no-reference-range")  # a recent value that cannot be interpreted (issue 16)
    elif calcium is None or calcium.is_stale or calcium.is_low is None:
        missing.append("calcium")
    else:
        evidence.append(Evidence("calcium-mmol-l", f"{calcium.mmol_per_l:.2f}", calcium.observed.earliest))
        if calcium.is_low:
            abnormal.append("calcium")
    for key, test, flag in (
        ("phosphate", LabTest.PHOSPHATE, Interpretation.LOW),
        ("alkaline-phosphatase", LabTest.ALKALINE_PHOSPHATASE, Interpretation.HIGH),
    ):
        result = snapshot.latest_lab(test)
        if result is not None and not result.is_stale and result.interpretation is None:
            missing.append(f"{key}-no-reference-range")
            continue
        if result is None or result.is_stale:
            missing.append(key)
            continue
        evidence.append(Evidence(key, number(result.value), result.observed.earliest, str(result.source)))
        if result.interpretation is flag:
            abnormal.append(key)
    orders = tuple(f"{_OSTEOMALACIA_LAB_ORDERS[key]}" for key in missing if key in _OSTEOMALACIA_LAB_ORDERS)
    if abnormal:
        return Recommendation(rule_id, "pattern", {}, tuple(evidence), suggestions=(*orders, "lab-pth"))
    if missing and ordering:
        no_range = all(key.endswith("-no-reference-range") for key in missing)
        variant = "no-reference-range" if no_range else "missing"
        return CannotAssess(rule_id, tuple(missing), variant=variant, evidence=tuple(evidence), suggestions=orders)
    return NotApplicable(rule_id, "no lab pattern of osteomalacia")


DX_OSTEOMAL_1 = Rule(
    id="DX-OSTEOMAL-1",
    title="Low BMD is not always osteoporosis (osteomalacia check)",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=frozenset({"nl", "be"}),  # [ALL]
    citations=(_S3_DIAGNOSE,),
    evaluate=_dx_osteomal_1,
)


RULES: tuple[Rule, ...] = (DX_OSTEOMAL_1, DX_CLIN_1, RISK_BBC_1, RISK_FRAX_1)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {
    "DX-TSCORE-1": "a derived variable (DX_CLASS) without a card of its own: dx_class() in this module, shown inside "
    "RISK-BBC-1 and read by the rules that need it (rules.md §3 DX-TSCORE-1 'Card: none of its own')",
    "DX-MOF-1": "a derived variable (MOF, MOF_RECENT): Fracture.is_major_osteoporotic in the snapshot and "
    "predicates.recent_major_osteoporotic_fractures; rules.md §3 DX-MOF-1 'Card: none (derived)'",
}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason."""
