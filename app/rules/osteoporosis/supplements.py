"""Calcium, vitamin D and supplements; lifestyle (rules.md §7).

Population. Several rules address "patients with an increased fracture risk" (S1, S4) without defining it in a
computable way; :func:`has_increased_fracture_risk` reads it as any of: a coded osteoporosis diagnosis, a
(non-pathological) fracture, a lowest T-score ≤ −2.5 (``T_OP_CUTOFF``), an osteoporosis drug (current or being
ordered), or systemic glucocorticoids for ≥ 3 months (S1 identification group 3) [INF]. The BBC risk class
(RISK-BBC-1) is finer; the lead may swap it in.

What the record cannot tell: dietary calcium (no verified code, so CALC-1 always asks for the dairy intake), acid
suppression (no verified codes for PPI/H2-blockers, so CALC-2 is phrased conditionally), and the indication of a
vitamin K order (SUPP-1 names the anticoagulant-reversal exception in its detail). Magnesium and vitamin K are
recognised by ingredient name only (terminology.md §5.1 step 3): terminology.md lists no codes for them.
"""

from __future__ import annotations

import re
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
    context_fact,
)
from app.rules.osteoporosis.predicates import (
    gc_duration_met,
    is_osteoporotic_t_score,
)
from app.rules.osteoporosis.thresholds import (
    VITD_ADVICE_AGE_HIGH,
    VITD_ADVICE_WOMEN_MIN_AGE,
    VITD_DEFICIENT_NGML,
    VITD_TARGET_HIGH_NGML,
)
from app.snapshot.model import (
    ClinicalSnapshot,
    ConditionKind,
    DraftOrder,
    Drug,
    GapConcept,
    GapKind,
    Sex,
    VitaminD,
)

__all__ = [
    "CALC_1",
    "CALC_2",
    "EXCLUDED",
    "LIFE_1",
    "RULES",
    "SUPP_1",
    "VITD_1",
    "VITD_2",
    "VITD_3",
    "has_increased_fracture_risk",
]

_ALL_HOOKS = frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_BOTH = frozenset({"nl", "be"})
_NL = frozenset({"nl"})
# rules.md VITD-2: "warning for denosumab/zoledronate/romosozumab because of hypocalcaemia risk [INF]".
_HYPOCALCAEMIA_RISK = frozenset({Drug.DENOSUMAB, Drug.ZOLEDRONATE, Drug.ROMOSOZUMAB})
# terminology.md §5.1 step 3: ingredient names (English, Dutch, French). No codes are listed for these agents.
_MAGNESIUM = re.compile(r"\bmagn[ée]sium", re.IGNORECASE)
_VITAMIN_K = re.compile(
    r"\bvitamine?\s*k\s*[12]?\b|\bmenaquinon\w*|\bphyto?menadion\w*|\bfytomenadion\w*|\bphylloquinon\w*|\bmk-?7\b",
    re.IGNORECASE,
)
_CITRATE = re.compile(r"\bcitra(at|te)\b|calciumcitra", re.IGNORECASE)

_S2 = "002_d2419872b4f3ee7d.txt"
_S2_VITD = Citation(
    source="S2",
    seed=_S2,
    section="BBC-richtlijn: vitamine D-suppletie «streefspiegel 20-50 ng/ml»",
    catalog="rules.md §7 VITD-1",
)


def _cite(source: str, seed: str, section: str, rule_id: str) -> Citation:
    return Citation(source=source, seed=seed, section=section, catalog=f"rules.md §7 {rule_id}")


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# ----------------------------------------------------------------------------------------------------------------
# Shared predicates
# ----------------------------------------------------------------------------------------------------------------


def _ordered(snapshot: ClinicalSnapshot) -> tuple[DraftOrder, ...]:
    return snapshot.new_orders


def _osteoporosis_drugs_ordered(snapshot: ClinicalSnapshot) -> tuple[Drug, ...]:
    return tuple(o.drug for o in _ordered(snapshot) if o.drug is not None and o.drug.is_osteoporosis_drug)


def _takes(snapshot: ClinicalSnapshot, drug: Drug) -> bool:
    """Current exposure to ``drug`` or a draft order starting it (a drug being ordered counts as started)."""
    return snapshot.is_on(drug) or any(o.drug is drug for o in _ordered(snapshot))


def _on_or_starting_osteoporosis_drug(snapshot: ClinicalSnapshot) -> bool:
    return snapshot.is_on_bone_protection() or bool(_osteoporosis_drugs_ordered(snapshot))


def _long_term_glucocorticoid(ctx: RuleContext) -> bool:
    gc = ctx.snapshot.current_glucocorticoid()
    if gc is None:
        return False
    months = gc.known_duration_months
    return months is not None and gc_duration_met(months, ctx.parameters, ctx.snapshot.days_per_month)


@context_fact
def has_increased_fracture_risk(ctx: RuleContext) -> bool:
    """The population "patients with an increased fracture risk" of rules.md §7 (module docstring) [INF]."""
    snapshot = ctx.snapshot
    if snapshot.has_condition(ConditionKind.OSTEOPOROSIS) or snapshot.fractures:
        return True
    lowest = snapshot.lowest_t_score
    if lowest is not None:
        if is_osteoporotic_t_score(lowest.value, ctx.parameters):
            return True
    return _on_or_starting_osteoporosis_drug(snapshot) or _long_term_glucocorticoid(ctx)


@context_fact
def _risk_evidence(ctx: RuleContext) -> tuple[Evidence, ...]:
    """Why the patient is in the "increased fracture risk" population (what the card was based on)."""
    snapshot = ctx.snapshot
    items: list[Evidence] = []
    for fact in snapshot.conditions_of(ConditionKind.OSTEOPOROSIS)[:1]:
        items.append(Evidence("osteoporosis-diagnosis", "✓", fact.onset.earliest if fact.onset else None))
    for fracture in snapshot.fractures[-2:]:
        on = fracture.date.earliest if fracture.date else None
        items.append(Evidence("fracture", fracture.site.value, on, fracture.source.reference()))
    lowest = snapshot.lowest_t_score
    if lowest is not None:
        items.append(
            Evidence("lowest-t-score", _num(lowest.value), lowest.observed.earliest, lowest.source.reference())
        )
    drugs = [h.drug for h in snapshot.therapies if h.drug.is_osteoporosis_drug and h.is_current]
    drugs += [d for d in _osteoporosis_drugs_ordered(snapshot) if d not in drugs]
    items += [Evidence("osteoporosis-drug", drug.value) for drug in drugs]
    gc = snapshot.current_glucocorticoid()
    if gc is not None and _long_term_glucocorticoid(ctx):
        items.append(Evidence("glucocorticoid", gc.drug.value, gc.start.earliest if gc.start else None))
    return tuple(items)


def _relevant_order(snapshot: ClinicalSnapshot) -> bool:
    """An order the calcium / vitamin D advice belongs to: an osteoporosis drug, a glucocorticoid, or calcium /
    vitamin D itself."""
    return any(
        o.drug is not None
        and (
            o.drug.is_osteoporosis_drug
            or o.drug.is_glucocorticoid
            or o.drug in (Drug.VITAMIN_D_SUPPLEMENT, Drug.CALCIUM_SUPPLEMENT)
        )
        for o in _ordered(snapshot)
    )


# ----------------------------------------------------------------------------------------------------------------
# VITD-1
# ----------------------------------------------------------------------------------------------------------------


def _vitd_1(ctx: RuleContext) -> Outcome:
    """«Vitamine D-suppletie is aanbevolen voor alle patiënten behandeld met antiresorptieve of anabole therapie en
    voor alle anderen indien de vitamine D-spiegel lager is dan 20 ng/ml (streefspiegel 20-50 ng/ml) (3). Een
    dagelijkse dosis van 800-1000 IU vitamine D geniet de voorkeur, maar om therapietrouw te verbeteren is een
    maandelijkse inname van 25.000 IU een aanvaardbaar alternatief» (S2).

    When: a current 25-OH-vitamin D result (≤ ``VITD_MAX_AGE_D`` old). Then: < 20 ng/mL (strict; 50 nmol/L ≈ 20.0
    ng/mL is not deficient) without vitamin D → supplement 800–1000 IU/day or 25,000 IU/month (warning); < 20 on
    vitamin D → still deficient: adherence/dose (info); > 50 ng/mL → above the BBC target range (info). Missing,
    stale or unit-less result in patient-view for a patient with increased fracture risk, on GC ≥ 3 months or on
    an osteoporosis drug → "measure 25-OH-vitamin D" (info). In the order hooks the rule answers orders of
    osteoporosis drugs, glucocorticoids, calcium or vitamin D, and a missing value is left to CI-HYPOCA-1.
    """
    rule_id = "VITD-1"
    snapshot = ctx.snapshot
    if ctx.hook is not Hook.PATIENT_VIEW and not _relevant_order(snapshot):
        return NotApplicable(rule_id, "no osteoporosis drug, glucocorticoid, calcium or vitamin D being ordered")
    result = snapshot.vitamin_d
    if result is None or result.is_stale:
        if ctx.hook is not Hook.PATIENT_VIEW:
            return NotApplicable(rule_id, "25-OH-vitamin D missing or stale: CI-HYPOCA-1 asks for it at the order")
        if not has_increased_fracture_risk(ctx):
            return NotApplicable(rule_id, "no increased fracture risk, no GC ≥ 3 months, no osteoporosis drug")
        unit_unknown = any(g.kind is GapKind.UNMAPPABLE for g in snapshot.gaps_for(GapConcept.VITAMIN_D))
        missing = ("vitamin-d", "vitamin-d-unit") if unit_unknown else ("vitamin-d",)
        stale = () if result is None else (_vitd_evidence(result),)
        return CannotAssess(
            rule_id,
            missing,
            variant="missing",
            evidence=(*stale, *_risk_evidence(ctx)),
            suggestions=("vitamin-d-test",),
        )
    value = result.ng_per_ml
    facts = {"v": _num(value), "n": _num(result.nmol_per_l)}
    evidence = (_vitd_evidence(result),)
    if value < VITD_DEFICIENT_NGML.value:
        if _takes(snapshot, Drug.VITAMIN_D_SUPPLEMENT):
            return Recommendation(rule_id, variant="still-deficient", facts=facts, evidence=evidence)
        return Recommendation(
            rule_id,
            variant="deficient",
            facts=facts,
            evidence=evidence,
            suggestions=("colecalciferol-800", "colecalciferol-1000", "colecalciferol-25000-monthly"),
        )
    if value > VITD_TARGET_HIGH_NGML.value:
        return Recommendation(rule_id, variant="above-target", facts=facts, evidence=evidence)
    return NotApplicable(rule_id, f"25-OH-vitamin D {_num(value)} ng/mL within the target range")


def _vitd_evidence(result: VitaminD) -> Evidence:
    return Evidence("vitamin-d-ng-ml", _num(result.ng_per_ml), result.observed.earliest, result.source.reference())


VITD_1 = Rule(
    id="VITD-1",
    title="25-OH-vitamin D below 20 ng/mL (50 nmol/L)",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(_S2_VITD,),
    evaluate=_vitd_1,
)

# ----------------------------------------------------------------------------------------------------------------
# VITD-2
# ----------------------------------------------------------------------------------------------------------------


def _vitd_2(ctx: RuleContext) -> Outcome:
    """«Vitamine D-suppletie is aanbevolen voor alle patiënten behandeld met antiresorptieve of anabole therapie»
    (S2); «Bij osteoporose worden meestal supplementen van 800-1000 eenheden vitamine D/dag aanbevolen.» (S3);
    «Aandacht voor voldoende CAD en therapie trouw bij een patient met een bisfosfonaat!» (S1).

    When: an osteoporosis drug is being ordered (order hooks) or taken (patient-view) and no vitamin D
    (colecalciferol or equivalent; active vitamin D does not count) is taken or ordered, whatever the 25-OH-D
    value. Then: add 800–1000 IU/day (info; warning when denosumab, zoledronate or romosozumab is being ordered,
    because of the hypocalcaemia risk [INF]).
    """
    rule_id = "VITD-2"
    snapshot = ctx.snapshot
    if ctx.hook is Hook.PATIENT_VIEW:
        drugs = tuple(h.drug for h in snapshot.therapies if h.drug.is_osteoporosis_drug and h.is_current)
    else:
        drugs = _osteoporosis_drugs_ordered(snapshot)
    if not drugs:
        return NotApplicable(rule_id, "no osteoporosis drug taken or being ordered")
    if _takes(snapshot, Drug.VITAMIN_D_SUPPLEMENT):
        return NotApplicable(rule_id, "vitamin D is taken or being ordered")
    high_risk = ctx.hook is not Hook.PATIENT_VIEW and any(d in _HYPOCALCAEMIA_RISK for d in drugs)
    suggestions = ("colecalciferol-800",) if _takes(snapshot, Drug.CALCIUM_SUPPLEMENT) else ("colecalciferol-calcium",)
    return Recommendation(
        rule_id,
        variant="missing-high-risk" if high_risk else "missing",
        evidence=tuple(Evidence("osteoporosis-drug", drug.value) for drug in dict.fromkeys(drugs)),
        suggestions=suggestions,
    )


VITD_2 = Rule(
    id="VITD-2",
    title="Vitamin D with every antiresorptive or anabolic drug",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S2", _S2, "BBC-richtlijn: vitamine D-suppletie", "VITD-2"),
        _cite("S3", "003_4b4f3f497f83c805.txt", "Zorgpad Osteoporose: vitamine D", "VITD-2"),
        _cite("S1", "001_2eaa9cda53165842.txt", "Take home", "VITD-2"),
    ),
    evaluate=_vitd_2,
)

# ----------------------------------------------------------------------------------------------------------------
# VITD-3 (optional, NL)
# ----------------------------------------------------------------------------------------------------------------


def _vitd_3(ctx: RuleContext) -> Outcome:
    """«Vitamine D suppletie NHG CBO GR (GezondheidsRaad) 800 IE Matig en hoog fractuurrisico Patiënten met
    osteoporose of in verzorgingstehuis Ouderen ≥ 70 jaar 400 IE Vrouwen van 50 -70 jaar» (S0 table; column
    assignment [INF]).

    When: ``population_vitamin_d_enabled`` (off by default), patient-view, no osteoporosis drug and no vitamin D.
    Then: 800 IU/day for an increased fracture risk or osteoporosis, or age ≥ 70 (exactly 70 → 800); 400 IU/day
    for women aged 50–69 (info). Age (or, for women's advice, sex) unknown → a card naming it.
    """
    rule_id = "VITD-3"
    snapshot = ctx.snapshot
    if not ctx.parameters.population_vitamin_d_enabled:
        return NotApplicable(rule_id, "population vitamin D advice is disabled (optional in NL)")
    if snapshot.is_on_bone_protection() or _takes(snapshot, Drug.VITAMIN_D_SUPPLEMENT):
        return NotApplicable(rule_id, "on an osteoporosis drug or on vitamin D (VITD-2 / VITD-1 apply)")
    if has_increased_fracture_risk(ctx):
        return Recommendation(rule_id, variant="risk-800", evidence=tuple(_risk_evidence(ctx)))
    age = snapshot.patient.age
    if age is None:
        return CannotAssess(rule_id, ("age",), variant="missing")
    evidence = (Evidence("age", str(age)),)
    if age >= VITD_ADVICE_AGE_HIGH.value:
        return Recommendation(rule_id, variant="age-800", evidence=evidence)
    if age < VITD_ADVICE_WOMEN_MIN_AGE.value:
        return NotApplicable(rule_id, f"age {age} below {VITD_ADVICE_WOMEN_MIN_AGE}")
    if snapshot.patient.sex is Sex.FEMALE:
        return Recommendation(rule_id, variant="women-400", evidence=evidence)
    if snapshot.patient.sex is Sex.MALE:
        return NotApplicable(rule_id, "man aged 50-69 without increased fracture risk")
    return CannotAssess(rule_id, ("sex",), variant="missing", evidence=evidence)


VITD_3 = Rule(
    id="VITD-3",
    title="Population vitamin D advice (legacy NL table; optional)",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=_NL,
    citations=(_cite("S0", "000_95eb2cca0b0588fb.txt", "Calcium en vitamine D suppletie", "VITD-3"),),
    evaluate=_vitd_3,
)

# ----------------------------------------------------------------------------------------------------------------
# CALC-1
# ----------------------------------------------------------------------------------------------------------------


def _calc_1(ctx: RuleContext) -> Outcome:
    """«Daarnaast is een dagelijkse calciuminname van 1200 mg aangewezen. Inname via de voeding geniet de voorkeur»
    (S2); «aangevuld met supplementen (1000-1200 mg per dag)» (S3); «voldoende calcium (minimaal 1000-1200 mg per
    dag) en vitamine D» (S4 Bijlage 2, GC).

    When: patient-view for a patient with increased fracture risk, on GC ≥ 3 months or on an osteoporosis drug;
    order-select of an osteoporosis drug; no calcium supplement taken or ordered. Then: the supplement is the
    shortfall between ``CALCIUM_TARGET_MG`` and the diet — but dietary calcium is not in the record, so the card
    asks for the dairy portions per day (info) and computes no dose.
    """
    rule_id = "CALC-1"
    snapshot = ctx.snapshot
    if ctx.hook is Hook.PATIENT_VIEW:
        if not has_increased_fracture_risk(ctx):
            return NotApplicable(rule_id, "no increased fracture risk, no GC ≥ 3 months, no osteoporosis drug")
    elif not _osteoporosis_drugs_ordered(snapshot):
        return NotApplicable(rule_id, "no osteoporosis drug being ordered")
    if _takes(snapshot, Drug.CALCIUM_SUPPLEMENT):
        return NotApplicable(rule_id, "a calcium supplement is taken or being ordered")
    target = "1200" if ctx.parameters.calcium_target == "1200" else "1000-1200"
    return CannotAssess(
        rule_id,
        ("dietary-calcium",),
        variant="missing",
        facts={"target": target},
        evidence=tuple(_risk_evidence(ctx)),
    )


CALC_1 = Rule(
    id="CALC-1",
    title="Calcium intake 1000–1200 mg/day",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_BOTH,
    citations=(
        _cite("S2", _S2, "BBC-richtlijn: calciuminname", "CALC-1"),
        _cite("S3", "003_4b4f3f497f83c805.txt", "Zorgpad Osteoporose: calcium", "CALC-1"),
        _cite("S4", "004_9931701446fad2f5.txt", "Bijlage 2 (Glucocorticoïden)", "CALC-1"),
        _cite("S0", "000_95eb2cca0b0588fb.txt", "Calcium en vitamine D suppletie", "CALC-1"),
    ),
    evaluate=_calc_1,
)

# ----------------------------------------------------------------------------------------------------------------
# CALC-2
# ----------------------------------------------------------------------------------------------------------------


def _calc_2(ctx: RuleContext) -> Outcome:
    """«Calciumcarbonaat is de meestgebruikte en goedkoopste vorm. Het bevat een hoog percentage elementair calcium
    (42%; 1000 mg elementair calcium is equivalent aan 2500 mg calciumcarbonaat)» … «minder geschikt is voor
    patiënten behandeld met maagzuurremmers» … «Calciumcitraat daarentegen bevat minder elementair calcium (21%)
    waardoor een hogere dosis nodig is (1000 mg elementair calcium is equivalent aan 4750 mg calciumcitraat)» (S2).

    When: order-select of a calcium supplement not named as citrate (carbonate is the usual salt; the record does
    not show acid suppression). Then: carbonate needs gastric acid (with meals); with acid suppressants prefer
    citrate; the dose equivalences (info).
    """
    rule_id = "CALC-2"
    orders = [o for o in _ordered(ctx.snapshot) if o.drug is Drug.CALCIUM_SUPPLEMENT]
    if not orders:
        return NotApplicable(rule_id, "no calcium supplement being ordered")
    if all(any(_CITRATE.search(name) for name in o.medication_names) for o in orders):
        return NotApplicable(rule_id, "calcium citrate is being ordered")
    names = [name for o in orders for name in o.medication_names[:1]]
    return Recommendation(
        rule_id,
        variant="carbonate",
        evidence=tuple(Evidence("calcium-order", name) for name in names),
    )


CALC_2 = Rule(
    id="CALC-2",
    title="Calcium salt choice (carbonate vs citrate)",
    hooks=frozenset({Hook.ORDER_SELECT}),
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "BBC-richtlijn: calciumzouten (calciumcarbonaat, calciumcitraat)", "CALC-2"),),
    evaluate=_calc_2,
)

# ----------------------------------------------------------------------------------------------------------------
# SUPP-1
# ----------------------------------------------------------------------------------------------------------------


def _supp_1(ctx: RuleContext) -> Outcome:
    """«Schrijf geen magnesium en vitamine K (1 en 2) supplementen voor aan patiënten met een verhoogd fractuurrisico
    om het risico op fracturen te verminderen» (S1).

    When: order-select of a magnesium or vitamin K (K1/K2) preparation (recognised by name) for a patient with
    increased fracture risk. Then: the guideline advises against these supplements for fracture prevention
    (info). Vitamin K for anticoagulant reversal or a haematological indication is out of scope [NIS]: the record
    does not show the indication, so the card says so and offers the override "not applicable".
    """
    rule_id = "SUPP-1"
    found = [
        name
        for order in _ordered(ctx.snapshot)
        if order.drug is None
        for name in order.medication_names[:1]
        if _MAGNESIUM.search(name) or _VITAMIN_K.search(name)
    ]
    if not found:
        return NotApplicable(rule_id, "no magnesium or vitamin K being ordered")
    if not has_increased_fracture_risk(ctx):
        return NotApplicable(rule_id, "no increased fracture risk recorded")
    evidence = (*(Evidence("supplement-order", name) for name in found), *_risk_evidence(ctx))
    return Recommendation(rule_id, variant="advise-against", evidence=evidence)


SUPP_1 = Rule(
    id="SUPP-1",
    title="No magnesium or vitamin K supplements for fracture prevention",
    hooks=frozenset({Hook.ORDER_SELECT}),
    profiles=_NL,
    citations=(_cite("S1", "001_2eaa9cda53165842.txt", "Voedingsinterventies", "SUPP-1"),),
    evaluate=_supp_1,
)

# ----------------------------------------------------------------------------------------------------------------
# LIFE-1
# ----------------------------------------------------------------------------------------------------------------


def _life_1(ctx: RuleContext) -> Outcome:
    """«Stimuleer bij alle patiënten met een verhoogd fractuurrisico om een gezonde leefstijl aan te houden. Denk
    hierbij aan voldoende calcium en vitamine D (zie module voedingsinterventies), gezonde voeding, lichaamsbeweging
    volgens de beweegrichtlijn (zie module beweeginterventies), stoppen met roken, geen of matig alcoholgebruik»
    (S4 Bijlage 2); S1: ≥ 150 minutes per week of moderate activity plus muscle- and bone-strengthening twice weekly.

    When: patient-view, a patient with increased fracture risk. Then: lifestyle, exercise and diet advice (info).
    """
    rule_id = "LIFE-1"
    if not has_increased_fracture_risk(ctx):
        return NotApplicable(rule_id, "no increased fracture risk recorded")
    return Recommendation(rule_id, variant="advice", evidence=tuple(_risk_evidence(ctx)))


LIFE_1 = Rule(
    id="LIFE-1",
    title="Lifestyle, exercise and diet",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=_BOTH,
    citations=(
        _cite("S4", "004_9931701446fad2f5.txt", "Bijlage 2 (Implementatieplan): leefstijl", "LIFE-1"),
        _cite("S1", "001_2eaa9cda53165842.txt", "Beweeginterventies; voedingsinterventies", "LIFE-1"),
    ),
    evaluate=_life_1,
)


RULES: tuple[Rule, ...] = (VITD_1, VITD_2, VITD_3, CALC_1, CALC_2, SUPP_1, LIFE_1)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
