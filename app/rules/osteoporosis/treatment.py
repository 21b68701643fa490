"""Treatment indication and drug choice (rules.md §5).

The BBC risk class comes from RISK-BBC-1 (:func:`app.rules.osteoporosis.diagnosis.assess_bbc_risk`); every drug
these rules suggest is first filtered through :func:`app.rules.osteoporosis.safety.contraindicated_drugs`
(rules.md §14.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
    intolerance_evidence,
    t_score_evidence,
)
from app.rules.osteoporosis.predicates import (
    ORAL_BP_DRUGS,
    SERMS,
    RiskClass,
    assess_bbc_risk,
    contraindicated_drugs,
    in_bbc_population,
    new_orders_of,
    only_oral_solution,
    oral_bisphosphonate_intolerance,
)
from app.rules.osteoporosis.thresholds import GC_MIN_DURATION, LIFE_EXPECTANCY_NO_TX, SERM_MAX_AGE, T_OSTEOPOROSIS
from app.snapshot.model import (
    ClinicalSnapshot,
    DraftOrder,
    Drug,
    DxaStatus,
    FractureSite,
    Sex,
)

__all__ = [
    "EXCLUDED",
    "RULES",
    "TX_CHOICE_1",
    "TX_CHOICE_2",
    "TX_CHOICE_3",
    "TX_IND_1",
    "TX_LE_1",
    "TX_LOW_1",
    "allowed_suggestions",
]

_S2 = "002_d2419872b4f3ee7d.txt"
_S3 = "003_4b4f3f497f83c805.txt"
_S4 = "004_9931701446fad2f5.txt"
_S0 = "000_95eb2cca0b0588fb.txt"

_ORDER_HOOKS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_BOTH = frozenset({"nl", "be"})

_SUGGESTED_DRUG: Mapping[str, Drug] = {
    "alendronate": Drug.ALENDRONATE,
    "risedronate": Drug.RISEDRONATE,
    "zoledronate": Drug.ZOLEDRONATE,
    "denosumab": Drug.DENOSUMAB,
    "alendronate-solution": Drug.ALENDRONATE,
}
"""Suggestion keys of the TX cards and the drug each one orders (for the contraindication filter)."""

_PREVIOUSLY_TREATED = frozenset(
    {Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE, Drug.ZOLEDRONATE, Drug.DENOSUMAB}
)
_NOT_FIRST_CHOICE = frozenset(
    {
        Drug.ZOLEDRONATE,
        Drug.DENOSUMAB,
        Drug.RALOXIFENE,
        Drug.BAZEDOXIFENE,
        Drug.IBANDRONATE,
        Drug.STRONTIUM_RANELATE,
    }
)


def allowed_suggestions(keys: Iterable[str], forbidden: Mapping[Drug, str]) -> tuple[str, ...]:
    """``keys`` without those that would order a contraindicated drug (rules.md §14.4)."""
    return tuple(key for key in keys if _SUGGESTED_DRUG.get(key) not in forbidden)


def _filtered_evidence(keys: Iterable[str], forbidden: Mapping[Drug, str]) -> tuple[Evidence, ...]:
    """ "Not suggested because …" lines for the card detail (rules.md §14.4)."""
    seen: set[Drug] = set()
    lines = []
    for key in keys:
        drug = _SUGGESTED_DRUG.get(key)
        if drug is not None and drug in forbidden and drug not in seen:
            seen.add(drug)
            lines.append(Evidence("not-suggested", f"{drug.value} ({forbidden[drug]})"))
    return tuple(lines)


def _order_evidence(orders: tuple[DraftOrder, ...]) -> tuple[Evidence, ...]:
    return tuple(Evidence("draft-order", o.drug.value, None, o.source.reference()) for o in orders if o.drug)


def _treatment_naive(snapshot: ClinicalSnapshot) -> bool:
    return not any(history.drug.is_osteoporosis_drug for history in snapshot.therapies)


def _lab_work_up_needed(snapshot: ClinicalSnapshot) -> bool:
    renal, calcium, vitamin_d = snapshot.renal_function, snapshot.calcium, snapshot.vitamin_d
    return (
        renal is None
        or renal.is_stale
        or calcium is None
        or calcium.is_stale
        or vitamin_d is None
        or vitamin_d.is_stale
    )


# ----------------------------------------------------------------------------------------------------------------
# TX-IND-1
# ----------------------------------------------------------------------------------------------------------------


def _on_long_term_glucocorticoid(snapshot: ClinicalSnapshot) -> bool:
    gc = snapshot.current_glucocorticoid()
    months = gc.known_duration_months if gc else None
    return months is not None and months >= GC_MIN_DURATION.value


def _tx_ind_1(ctx: RuleContext) -> Outcome:
    """«Naast deze niet-farmacologische maatregelen is in de groep met een hoog fractuurrisico het opstarten van
    antiresorptieve therapie aanbevolen. In de zeer hoog fractuurrisicogroep is anabole therapie aanbevolen.» (S2)

    When: the patient is in the BBC population, takes no osteoporosis drug and never took a bisphosphonate or
    denosumab (follow-up rules own those), and is not a long-term GC user (GC rules take precedence, §14.2).
    Then: RISK VERY_HIGH → warning "consider anabolic, then antiresorptive"; HIGH (T ≤ −2.5 or a fragility
    fracture, which includes clinical osteoporosis of DX-CLIN-1) → warning "start alendronate/risedronate"; when
    both are contraindicated (rules.md §14.4) the card names the second choice instead: zoledronate or denosumab
    ("high-parenteral"), or denosumab alone when zoledronate is contraindicated too ("high-denosumab").
    RISK UNKNOWN → no card (RISK-BBC-1 / SCREEN show the missing-DXA card). Sex, age or menopause unknown with a
    high-risk finding → info "missing".
    """
    rule_id = "TX-IND-1"
    snapshot = ctx.snapshot
    if snapshot.is_on_bone_protection():
        return NotApplicable(rule_id, "on an osteoporosis drug")
    if any(snapshot.has_ever_taken(drug) for drug in _PREVIOUSLY_TREATED):
        return NotApplicable(rule_id, "treated before: holiday, transition and restart rules apply")
    if _on_long_term_glucocorticoid(snapshot):
        return NotApplicable(rule_id, "systemic glucocorticoid ≥ 3 months: the GC rules take precedence (§14.2)")
    risk = assess_bbc_risk(snapshot, ctx.parameters)
    if risk.risk_class not in (RiskClass.VERY_HIGH, RiskClass.HIGH):
        return NotApplicable(rule_id, f"risk class {risk.risk_class}: no treatment card")
    evidence: list[Evidence] = []
    if risk.lowest_t is not None:
        evidence.append(t_score_evidence(risk.lowest_t))
    fracture = risk.recent_mof or risk.prior_fracture
    if fracture is not None:
        evidence.append(fracture_evidence(fracture))
    population = in_bbc_population(snapshot, ctx.parameters)
    if population is False:
        return NotApplicable(rule_id, "outside the BBC population (premenopausal woman or man < 50)")
    if population is None:
        missing = (
            "sex"
            if snapshot.patient.sex not in (Sex.FEMALE, Sex.MALE)
            else ("age" if snapshot.age is None else "menopausal-status")
        )
        return CannotAssess(rule_id, (missing,), evidence=tuple(evidence))
    if snapshot.age is not None:
        evidence.append(Evidence("age", str(snapshot.age)))
    forbidden = contraindicated_drugs(snapshot, ctx.parameters)
    options = ("alendronate", "risedronate")
    oral_forbidden = not allowed_suggestions(options, forbidden)
    if oral_forbidden:
        options = ("denosumab", "zoledronate")
    suggestions = allowed_suggestions(options, forbidden) + (("lab-work-up",) if _lab_work_up_needed(snapshot) else ())
    evidence.extend(_filtered_evidence(("alendronate", "risedronate", "zoledronate"), forbidden))
    if risk.risk_class is RiskClass.VERY_HIGH:
        # rules.md §12 [turn-2 correction]: romosozumab is for postmenopausal women only; a man's anabolic agent
        # is teriparatide.
        variant = "very-high-man" if snapshot.patient.sex is Sex.MALE else "very-high"
    elif oral_forbidden:
        # The card names what is given instead of the first choice (issue "Alert burden": a card text defect).
        variant = "high-denosumab" if Drug.ZOLEDRONATE in forbidden else "high-parenteral"
    else:
        variant = "high"
    return Recommendation(rule_id, variant=variant, evidence=tuple(evidence), suggestions=suggestions)


# ----------------------------------------------------------------------------------------------------------------
# TX-LE-1
# ----------------------------------------------------------------------------------------------------------------


def _tx_le_1(ctx: RuleContext) -> Outcome:
    """«Enkel bij een levensverwachting korter dan de tijd die nodig is om voordelen te halen uit
    osteoporosebehandeling (≤ 1 jaar) is het opstarten van farmacologische therapie niet zinvol» (S2)

    When: a life expectancy ≤ 1 year (palliative flag) is recorded. Then: info, no start recommendations.
    The flag absent → assumed > 1 year (the catalog's only "assume normal" default). The snapshot has no such
    flag: terminology.md lists no verified code for limited life expectancy / palliative care, so this rule
    cannot fire until one is mapped.
    """
    del ctx
    return NotApplicable(
        "TX-LE-1", f"no life-expectancy flag recorded: assumed > {LIFE_EXPECTANCY_NO_TX} (rules.md TX-LE-1)"
    )


# ----------------------------------------------------------------------------------------------------------------
# TX-LOW-1
# ----------------------------------------------------------------------------------------------------------------


def _tx_low_1(ctx: RuleContext) -> Outcome:
    """«In de laag fractuurrisicogroep is er geen indicatie voor medicamenteuze osteoporosebehandeling, tenzij
    eventueel hormonale substitutietherapie (HST) bij vrouwen jonger dan 65 jaar met menopauzale klachten.» (S2)

    When: a first osteoporosis drug is selected for a patient of the BBC population whose risk class is LOW.
    Then: info "no drug indicated; HRT option". The FRAX thresholds are unset by default (C-40), so the class is
    LOW_PROVISIONAL → info stating that the low-risk classification is provisional. Patient-view needs coded
    menopausal complaints, which have no verified code: not applicable there.
    """
    rule_id = "TX-LOW-1"
    snapshot = ctx.snapshot
    if ctx.hook is Hook.PATIENT_VIEW:
        return NotApplicable(rule_id, "menopausal complaints are not coded in the snapshot")
    orders = new_orders_of(snapshot, frozenset(d for d in Drug if d.is_osteoporosis_drug))
    if not orders:
        return NotApplicable(rule_id, "no osteoporosis drug ordered")
    if not _treatment_naive(snapshot):
        return NotApplicable(rule_id, "treated before: the current T-score may reflect treatment")
    if in_bbc_population(snapshot, ctx.parameters) is not True:
        return NotApplicable(rule_id, "outside the BBC population or unknown")
    risk = assess_bbc_risk(snapshot, ctx.parameters)
    evidence = (*_order_evidence(orders), *((t_score_evidence(risk.lowest_t),) if risk.lowest_t else ()))
    if risk.risk_class is RiskClass.LOW:
        return Recommendation(rule_id, variant="low", evidence=evidence)
    if risk.risk_class is RiskClass.LOW_PROVISIONAL:
        return CannotAssess(rule_id, ("frax-thresholds",), variant="provisional", evidence=evidence)
    return NotApplicable(rule_id, f"risk class {risk.risk_class}")


# ----------------------------------------------------------------------------------------------------------------
# TX-CHOICE-1 / -2 / -3
# ----------------------------------------------------------------------------------------------------------------


def _tx_choice_1(ctx: RuleContext) -> Outcome:
    """«Start bij patiënten met een indicatie voor medicatie voor fractuurpreventie met alendroninezuur of
    risedroninezuur (wekelijks, tabletvorm).» (S4 Bijlage 2)

    When: a first osteoporosis drug other than alendronate/risedronate (zoledronic acid, denosumab, SERM,
    ibandronate, strontium) is ordered for a treatment-naïve patient, with no documented deviation reason that
    the record shows (oral bisphosphonate contraindicated, or very high BBC risk). Then: info "first choice is
    oral alendronate or risedronate weekly; document the reason" (BE: with the denosumab reimbursement note).
    """
    rule_id = "TX-CHOICE-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, _NOT_FIRST_CHOICE)
    if not orders:
        return NotApplicable(rule_id, "no second-line agent ordered")
    if new_orders_of(snapshot, frozenset({Drug.ALENDRONATE, Drug.RISEDRONATE})):
        return NotApplicable(rule_id, "alendronate or risedronate is ordered as well")
    if not _treatment_naive(snapshot):
        return NotApplicable(rule_id, "not a first osteoporosis drug")
    forbidden = contraindicated_drugs(snapshot, ctx.parameters)
    if Drug.ALENDRONATE in forbidden:
        return NotApplicable(rule_id, f"oral bisphosphonate contraindicated ({forbidden[Drug.ALENDRONATE]})")
    if assess_bbc_risk(snapshot, ctx.parameters).risk_class is RiskClass.VERY_HIGH:
        return NotApplicable(rule_id, "very high fracture risk: a parenteral or anabolic agent may be indicated")
    denosumab = any(order.drug is Drug.DENOSUMAB for order in orders)
    variant = "first-choice-be-denosumab" if ctx.profile == "be" and denosumab else "first-choice"
    return Recommendation(
        rule_id,
        variant=variant,
        evidence=_order_evidence(orders),
        suggestions=allowed_suggestions(("alendronate", "risedronate"), forbidden),
    )


def _tx_choice_2(ctx: RuleContext) -> Outcome:
    """«Behandel patiënten die alendroninezuur en/of risedroninezuur niet verdragen, bijvoorbeeld vanwege bovenbuik
    klachten, of als er contra- indicaties zijn, met zoledroninezuur (5mg eenmaal per infuus per jaar), of
    denosumab (2x per jaar 60 mg sc), of alendroninezuur in drankvorm. (70 mg per week)» (S4 Bijlage 2)

    When: patient-view of a patient on an oral bisphosphonate, or an oral bisphosphonate being selected, while
    oral bisphosphonates are contraindicated (renal function < 30 mL/min, CI-EGFR-2) or a current coded intolerance
    to an oral bisphosphonate is recorded (AllergyIntolerance, any date: "re-ordering oral BP despite recorded
    intolerance"). Then: info with the second-choice options that are not contraindicated themselves. An
    intolerance only in free text is not detected (catalog: "free text → not triggered"). Not for the oral solution
    itself (already the alternative). SWITCH-GI-1 (intolerance on the current course) and, in GC users,
    GC-SWITCH-1 give the same advice and take precedence (engine ``SUPERSEDED_BY``).
    """
    rule_id = "TX-CHOICE-2"
    snapshot = ctx.snapshot
    if ctx.hook is Hook.PATIENT_VIEW:
        if not any(snapshot.is_on(drug) for drug in ORAL_BP_DRUGS):
            return NotApplicable(rule_id, "not on an oral bisphosphonate")
        evidence: tuple[Evidence, ...] = ()
    else:
        orders = new_orders_of(snapshot, ORAL_BP_DRUGS)
        if not orders:
            return NotApplicable(rule_id, "no oral bisphosphonate ordered")
        evidence = _order_evidence(orders)
    forbidden = contraindicated_drugs(snapshot, ctx.parameters)
    options = ("zoledronate", "denosumab", "alendronate-solution")
    if Drug.ALENDRONATE in forbidden:
        return Recommendation(
            rule_id,
            variant="contraindicated",
            evidence=(*evidence, *_filtered_evidence(options, forbidden)),
            suggestions=allowed_suggestions(options, forbidden),
        )
    intolerances = oral_bisphosphonate_intolerance(snapshot, None).recorded
    on_solution = (
        all(o.is_oral_solution for o in new_orders_of(snapshot, ORAL_BP_DRUGS))
        if ctx.hook is not Hook.PATIENT_VIEW
        else only_oral_solution(snapshot)
    )
    if intolerances and not on_solution:
        return Recommendation(
            rule_id,
            variant="intolerance",
            evidence=(*evidence, *intolerance_evidence(intolerances), *_filtered_evidence(options, forbidden)),
            suggestions=allowed_suggestions(options, forbidden),
        )
    return NotApplicable(rule_id, "no contraindication to and no coded intolerance of oral bisphosphonates recorded")


def _tx_choice_3(ctx: RuleContext) -> Outcome:
    """«Selectieve oestrogeen receptor modulatoren (SERM, vnl. raloxifen) zijn een optie bij vrouwen in de vroege
    menopauze (≤ 65 jaar) met louter een verhoogd risico op wervelfracturen en zonder contra-indicaties voor SERM
    (m.a.w. niet-rokers zonder veneuze trombo-embolische gebeurtenissen in de voorgeschiedenis) of bij vrouwen met
    een contra-indicatie voor andere antiresorptieve therapie.» (S2); «SERM/raloxifene (Evista) indien nog geen
    fracturen of hoog risico voor borstkanker» (S3, when bisphosphonates are contraindicated)

    When: a SERM is ordered. Eligible (no card): a postmenopausal woman ≤ 65 with only vertebral risk (no
    non-vertebral fracture and hip T > −2.5 [INF]), or bisphosphonates contraindicated and no fracture yet (S3).
    Then: not eligible → info, warning with a hip fracture or hip T ≤ −2.5; hip T unknown → info "missing".
    """
    rule_id = "TX-CHOICE-3"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, SERMS)
    if not orders:
        return NotApplicable(rule_id, "no SERM ordered")
    evidence: list[Evidence] = list(_order_evidence(orders))
    forbidden = contraindicated_drugs(snapshot, ctx.parameters)
    fractures = snapshot.fractures
    evidence.extend(fracture_evidence(f) for f in fractures)
    if Drug.ALENDRONATE in forbidden and Drug.ZOLEDRONATE in forbidden and not fractures:
        return NotApplicable(rule_id, "bisphosphonates contraindicated and no fracture yet (S3)")
    study = snapshot.latest_dxa if snapshot.dxa_status is not DxaStatus.NONE else None
    hip = study.t_hip if study is not None else None
    if hip is not None:
        evidence.append(t_score_evidence(hip))
    hip_fracture = any(f.site is FractureSite.HIP for f in fractures)
    non_vertebral = any(f.site is not FractureSite.VERTEBRAL for f in fractures)
    low_hip = hip is not None and hip.value <= T_OSTEOPOROSIS.value
    if hip_fracture or low_hip:
        return Recommendation(rule_id, variant="not-eligible-hip", evidence=tuple(evidence))
    if snapshot.patient.sex is Sex.MALE:
        return Recommendation(rule_id, variant="not-eligible", evidence=tuple(evidence))
    age = snapshot.age
    missing = []
    if snapshot.patient.sex is not Sex.FEMALE:
        missing.append("sex")
    if age is None:
        missing.append("age")
    else:
        evidence.append(Evidence("age", str(age)))
        if age > SERM_MAX_AGE.value or non_vertebral:
            return Recommendation(rule_id, variant="not-eligible", evidence=tuple(evidence))
        if snapshot.is_postmenopausal is not True:
            missing.append("menopausal-status")
    if hip is None:
        missing.append("hip-t-score")
    if missing:
        return CannotAssess(rule_id, tuple(missing), evidence=tuple(evidence))
    return NotApplicable(rule_id, "early-menopausal woman ≤ 65 with only vertebral fracture risk")


# ----------------------------------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------------------------------


def _cite(source: str, seed: str, section: str, rule_id: str) -> Citation:
    return Citation(source=source, seed=seed, section=section, catalog=f"rules.md §5 {rule_id}")


TX_IND_1 = Rule(
    id="TX-IND-1",
    title="Treatment indicated but no osteoporosis medication",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=_BOTH,
    citations=(
        _cite("S2", _S2, "Behandeling: hoog en zeer hoog fractuurrisico", "TX-IND-1"),
        _cite("S3", _S3, "Behandeling", "TX-IND-1"),
    ),
    evaluate=_tx_ind_1,
)
TX_LE_1 = Rule(
    id="TX-LE-1",
    title="Limited life expectancy (≤ 1 year)",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Behandeling: levensverwachting", "TX-LE-1"),),
    evaluate=_tx_le_1,
)
TX_LOW_1 = Rule(
    id="TX-LOW-1",
    title="Low risk: no drug; HRT option",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Laag fractuurrisico", "TX-LOW-1"),),
    evaluate=_tx_low_1,
)
TX_CHOICE_1 = Rule(
    id="TX-CHOICE-1",
    title="First choice: oral alendronate or risedronate (weekly)",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S4", _S4, "Bijlage 2 (Botversterkende middelen)", "TX-CHOICE-1"),
        _cite("S3", _S3, "Behandeling: eerste keuze", "TX-CHOICE-1"),
        _cite("S0", _S0, "Eerste keus (CBO/NHG)", "TX-CHOICE-1"),
    ),
    evaluate=_tx_choice_1,
)
TX_CHOICE_2 = Rule(
    id="TX-CHOICE-2",
    title="Second choice (intolerance, contraindication to oral BP)",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_BOTH,
    citations=(
        _cite("S4", _S4, "Bijlage 2 (Botversterkende middelen)", "TX-CHOICE-2"),
        _cite("S3", _S3, "Behandeling: tweede keuze", "TX-CHOICE-2"),
    ),
    evaluate=_tx_choice_2,
)
TX_CHOICE_3 = Rule(
    id="TX-CHOICE-3",
    title="SERM (raloxifene) eligibility",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "SERM", "TX-CHOICE-3"), _cite("S3", _S3, "Behandeling: SERM", "TX-CHOICE-3")),
    evaluate=_tx_choice_3,
)

RULES: tuple[Rule, ...] = (TX_LE_1, TX_IND_1, TX_LOW_1, TX_CHOICE_1, TX_CHOICE_2, TX_CHOICE_3)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason."""
