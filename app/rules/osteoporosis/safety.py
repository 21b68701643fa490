"""Contraindications and safety checks (rules.md §6), and the shared drug filter of rules.md §14.4.

:func:`contraindicated_drugs` is the one place that says which osteoporosis drugs must not be suggested for this
patient (renal function per drug, romosozumab after MI/stroke or with hypocalcaemia, SERM after VTE,
teriparatide on or just after denosumab or with a CI-TPTD-2 contraindication). Choice rules use it to leave
such drugs out of their suggestions; the engine/render can apply it to every card of a hook call.
"""

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
from app.rules.osteoporosis.predicates import (
    ORAL_BP_DRUGS,
    SERMS,
    DenosumabBeforeTeriparatide,
    cardiovascular_events,
    contraindicated_drugs,
    days_old,
    denosumab_before_teriparatide,
    hypocalcaemia,
    new_orders_of,
    teriparatide_contraindications,
)
from app.rules.osteoporosis.thresholds import (
    EGFR_CI_ORAL_BP,
    EGFR_SEVERE,
    RENAL_MAX_AGE_BEFORE_ZOLEDRONATE,
    ROMO_MIN_AGE_NL,
    VITD_DEFICIENT_NGML,
    ZOLEDRONATE_INTERVAL,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    CalciumResult,
    ClinicalSnapshot,
    ConditionFact,
    ConditionKind,
    DraftOrder,
    Drug,
    GapConcept,
    GapKind,
    RenalFunction,
    RenalKind,
    Sex,
    add_months,
)

__all__ = [
    "CI_EGFR_1",
    "CI_EGFR_2",
    "CI_EGFR_3",
    "CI_HYPOCA_1",
    "CI_ORALBP_1",
    "CI_ROMO_1",
    "CI_ROMO_2",
    "CI_ROMO_3",
    "CI_SERM_1",
    "CI_TPTD_1",
    "CI_TPTD_2",
    "CI_TPTD_3",
    "DUP_1",
    "EXCLUDED",
    "RULES",
    "renal_evidence",
]

_S2 = "002_d2419872b4f3ee7d.txt"
_S0 = "000_95eb2cca0b0588fb.txt"
_S3 = "003_4b4f3f497f83c805.txt"
_S4 = "004_9931701446fad2f5.txt"

_ALL_HOOKS = frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_ORDER_HOOKS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_BOTH = frozenset({"nl", "be"})

_ANTIRESORPTIVES = frozenset(d for d in Drug if d.is_antiresorptive)


# ----------------------------------------------------------------------------------------------------------------
# Shared helpers
# ----------------------------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    """A plain number string for card facts ("32", "32.5"); render localises the decimal separator."""
    return f"{value:.1f}".removesuffix(".0")


def _order_evidence(orders: tuple[DraftOrder, ...]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence("draft-order", order.drug.value, None, order.source.reference()) for order in orders if order.drug
    )


def _removal(orders: tuple[DraftOrder, ...]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The "remove this order" suggestion for a contraindicated draft (rules.md §6 "Suggestions: remove draft"):
    a delete action naming the first draft that has an id; a draft without id cannot be named, so no suggestion."""
    named = [order for order in orders if order.source.id]
    if not named:
        return (), {}
    return ("remove-order",), {"draft": named[0].draft_ref}


def _antiresorptive_alternatives(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> tuple[str, ...]:
    """rules.md §6 CI-ROMO-1 / CI-SERM-1 "bisphosphonate or denosumab", without drugs the patient may not get
    (rules.md §14.4)."""
    forbidden = contraindicated_drugs(snapshot, parameters)
    return tuple(
        key for key, drug in (("alendronate", Drug.ALENDRONATE), ("denosumab", Drug.DENOSUMAB)) if drug not in forbidden
    )


def renal_evidence(renal: RenalFunction) -> Evidence:
    """The renal value a card used: CrCl (Cockcroft–Gault) or eGFR, with its date and source."""
    what = "creatinine-clearance" if renal.kind is RenalKind.CRCL else "egfr"
    return Evidence(what, _number(renal.ml_per_min), renal.observed.earliest, renal.source.reference())


def _calcium_evidence(calcium: CalciumResult) -> Evidence:
    return Evidence(
        f"calcium-{calcium.kind.value}",
        f"{calcium.mmol_per_l:.2f}",
        calcium.observed.earliest,
        calcium.source.reference(),
    )


def _condition_evidence(facts: tuple[ConditionFact, ...]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(fact.kind.value, str(fact.onset) if fact.onset else "?", None, fact.source.reference())
        for fact in facts
    )


def _conditions_unavailable(snapshot: ClinicalSnapshot) -> bool:
    """The Condition search could not be obtained (prefetch failed): CV/VTE history cannot be checked."""
    return any(
        gap.kind is GapKind.UNAVAILABLE and "(Condition)" in gap.detail
        for gap in snapshot.gaps_for(GapConcept.RESOURCE)
    )


def _calcium_without_range(snapshot: ClinicalSnapshot) -> bool:
    """A calcium no older than LAB_MAX_AGE_D that the lab sent without reference range or interpretation: it
    cannot be interpreted (rules.md D-CA reads the local range), which is not the same as "no recent value"
    (issue 16)."""
    calcium = snapshot.calcium
    return calcium is not None and calcium.interpretation is None and not calcium.is_stale


def _is_order_hook(ctx: RuleContext) -> bool:
    return ctx.hook is not Hook.PATIENT_VIEW


# ----------------------------------------------------------------------------------------------------------------
# CI-EGFR-1 / -2 / -3: renal function per drug
# ----------------------------------------------------------------------------------------------------------------


def _zoledronate_due(snapshot: ClinicalSnapshot) -> bool:
    history = snapshot.therapy(Drug.ZOLEDRONATE)
    if history is None or not history.has_active_order:
        return False
    last = history.last_administration
    return last is None or add_months(last.on.earliest, int(ZOLEDRONATE_INTERVAL.value)) <= snapshot.as_of


def _ci_egfr_1(ctx: RuleContext) -> Outcome:
    """«Bij een eGFR (Cockcroft-Gault) < 35 ml/min en < 30 ml/min zijn respectievelijk intraveneuze en perorale
    bisfosfonaten gecontra-indiceerd.» (S2)

    When: zoledronic acid is ordered (order-select/-sign), or its yearly infusion is due (patient-view).
    Then: renal function < 35 mL/min (EGFR_CI_ZOL, strict) → critical (patient-view: warning) with oral BP (if
    ≥ 30) or denosumab as alternatives; no value within 90 days → warning "measure first".
    """
    rule_id = "CI-EGFR-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.ZOLEDRONATE}))
    if _is_order_hook(ctx):
        if not orders:
            return NotApplicable(rule_id, "no zoledronic acid ordered")
    elif not _zoledronate_due(snapshot):
        return NotApplicable(rule_id, "no yearly zoledronic acid infusion due")
    threshold = ctx.parameters.egfr_ci_zoledronate_ml_min
    renal = snapshot.renal_function
    evidence = _order_evidence(orders)
    if renal is not None and renal.ml_per_min < threshold:
        forbidden = contraindicated_drugs(snapshot, ctx.parameters)
        suggestions = tuple(
            key
            for key, drug in (("alendronate", Drug.ALENDRONATE), ("denosumab", Drug.DENOSUMAB))
            if drug not in forbidden
        )
        remove, draft = _removal(orders)
        return Recommendation(
            rule_id,
            variant="contraindicated" if _is_order_hook(ctx) else "contraindicated-due",
            facts={"renal": _number(renal.ml_per_min), "threshold": str(threshold), **draft},
            evidence=(*evidence, renal_evidence(renal)),
            suggestions=(*remove, *suggestions),
        )
    if renal is None or days_old(renal.observed.earliest, snapshot.as_of) > RENAL_MAX_AGE_BEFORE_ZOLEDRONATE.value:
        return CannotAssess(
            rule_id,
            ("renal-function-90-days",),
            evidence=(*evidence, *((renal_evidence(renal),) if renal else ())),
            suggestions=("creatinine",),
        )
    return NotApplicable(rule_id, f"renal function {renal.ml_per_min:g} ≥ {threshold} mL/min")


def _ci_egfr_2(ctx: RuleContext) -> Outcome:
    """«Bij een eGFR (Cockcroft-Gault) < 35 ml/min en < 30 ml/min zijn respectievelijk intraveneuze en perorale
    bisfosfonaten gecontra-indiceerd.» (S2); «Klaring<30ml/min contra-indicatie» (S0)

    When: an oral bisphosphonate is ordered, or (patient-view) the patient takes one. Then: renal function
    < 30 mL/min (strict) → critical at ordering, warning for an ongoing prescription; suggest denosumab.
    Renal value missing or older than 365 days at ordering → info "measure".
    """
    rule_id = "CI-EGFR-2"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, ORAL_BP_DRUGS)
    if _is_order_hook(ctx):
        if not orders:
            return NotApplicable(rule_id, "no oral bisphosphonate ordered")
    elif not any(snapshot.is_on(drug) for drug in ORAL_BP_DRUGS):
        return NotApplicable(rule_id, "not on an oral bisphosphonate")
    renal = snapshot.renal_function
    evidence = _order_evidence(orders)
    if renal is not None and renal.ml_per_min < EGFR_CI_ORAL_BP.value:
        forbidden = contraindicated_drugs(snapshot, ctx.parameters)
        remove, draft = _removal(orders)
        return Recommendation(
            rule_id,
            variant="contraindicated" if _is_order_hook(ctx) else "contraindicated-current",
            facts={"renal": _number(renal.ml_per_min), **draft},
            evidence=(*evidence, renal_evidence(renal)),
            suggestions=(*remove, *(() if Drug.DENOSUMAB in forbidden else ("denosumab",))),
        )
    if renal is None or renal.is_stale:
        if not _is_order_hook(ctx):
            return NotApplicable(rule_id, "patient-view fires only on a new renal value < 30 mL/min")
        return CannotAssess(
            rule_id,
            ("renal-function",),
            evidence=(*evidence, *((renal_evidence(renal),) if renal else ())),
            suggestions=("creatinine",),
        )
    return NotApplicable(rule_id, f"renal function {renal.ml_per_min:g} ≥ {EGFR_CI_ORAL_BP}")


def _ci_egfr_3(ctx: RuleContext) -> Outcome:
    """«Denosumab kan toegediend worden aan mensen met ernstige nierinsufficiëntie, maar in deze groep is er een
    verhoogd risico op diepe en moeilijk corrigeerbare hypocalciëmie.» (S2)

    When: denosumab is ordered, or (patient-view) the patient is on denosumab. Then: renal function < 30 mL/min
    (EGFR_SEVERE [NIS]) → warning, check calcium and vitamin D (not a contraindication). Renal value unknown at
    ordering → info.
    """
    rule_id = "CI-EGFR-3"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.DENOSUMAB}))
    if _is_order_hook(ctx):
        if not orders:
            return NotApplicable(rule_id, "no denosumab ordered")
    elif not snapshot.is_on(Drug.DENOSUMAB):
        return NotApplicable(rule_id, "not on denosumab")
    renal = snapshot.renal_function
    evidence = _order_evidence(orders)
    if renal is not None and renal.ml_per_min < EGFR_SEVERE.value:
        labs: list[str] = []
        if hypocalcaemia(snapshot) is None:
            labs.append("calcium")
        vitamin_d = snapshot.vitamin_d
        if vitamin_d is None or vitamin_d.is_stale:
            labs.append("vitamin-d")
        return Recommendation(
            rule_id,
            variant="severe-renal",
            facts={"renal": _number(renal.ml_per_min)},
            evidence=(*evidence, renal_evidence(renal)),
            suggestions=tuple(labs),
        )
    if renal is None or renal.is_stale:
        if not _is_order_hook(ctx):
            return NotApplicable(rule_id, "patient-view fires only on a known renal value < 30 mL/min")
        return CannotAssess(rule_id, ("renal-function",), evidence=evidence, suggestions=("creatinine",))
    return NotApplicable(rule_id, f"renal function {renal.ml_per_min:g} ≥ {EGFR_SEVERE}")


# ----------------------------------------------------------------------------------------------------------------
# CI-HYPOCA-1: hypocalcaemia / vitamin D deficiency before antiresorptives
# ----------------------------------------------------------------------------------------------------------------

_HYPOCA_DRUGS = frozenset({Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE, Drug.ZOLEDRONATE, Drug.DENOSUMAB})


def _ci_hypoca_1(ctx: RuleContext) -> Outcome:
    """«Hypocalciëmie (vitamine D!)» (S0, complications of antiresorptives); vitamin D «lager is dan 20 ng/ml»
    (S2).

    When: a bisphosphonate or denosumab is ordered, or (patient-view) the patient is on denosumab or zoledronic
    acid. Then: hypocalcaemia → warning (critical at order-sign of a new zoledronic acid or denosumab start);
    else 25-OH-D < 20 ng/mL → warning (supplement vitamin D); else calcium (> 90 days) or 25-OH-D (> 365 days)
    missing at ordering → info "measure before start".
    """
    rule_id = "CI-HYPOCA-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, _HYPOCA_DRUGS)
    if _is_order_hook(ctx):
        if not orders:
            return NotApplicable(rule_id, "no bisphosphonate or denosumab ordered")
    elif not (snapshot.is_on(Drug.DENOSUMAB) or snapshot.is_on(Drug.ZOLEDRONATE)):
        return NotApplicable(rule_id, "not on denosumab or zoledronic acid")
    evidence = list(_order_evidence(orders))
    calcium = snapshot.calcium
    if calcium is not None:
        evidence.append(_calcium_evidence(calcium))
    vitamin_d = snapshot.vitamin_d
    if vitamin_d is not None:
        evidence.append(
            Evidence(
                "vitamin-d-25oh",
                _number(vitamin_d.ng_per_ml),
                vitamin_d.observed.earliest,
                vitamin_d.source.reference(),
            )
        )
    hypo = hypocalcaemia(snapshot)
    if hypo is True:
        new_parenteral_start = any(
            order.drug in (Drug.ZOLEDRONATE, Drug.DENOSUMAB) and snapshot.therapy(order.drug) is None
            for order in orders
        )
        variant = "hypocalcaemia-new-start" if ctx.hook is Hook.ORDER_SIGN and new_parenteral_start else "hypocalcaemia"
        value = f"{calcium.mmol_per_l:.2f}" if calcium is not None else "?"
        return Recommendation(
            rule_id,
            variant=variant,
            facts={"calcium": value},
            evidence=tuple(evidence),
            suggestions=("vitamin-d-supplement",),
        )
    deficient = vitamin_d is not None and not vitamin_d.is_stale and vitamin_d.ng_per_ml < VITD_DEFICIENT_NGML.value
    if deficient and vitamin_d is not None:
        return Recommendation(
            rule_id,
            variant="vitamin-d-deficiency",
            facts={"vitamin_d": _number(vitamin_d.ng_per_ml)},
            evidence=tuple(evidence),
            suggestions=("vitamin-d-supplement",),
        )
    missing = []
    no_range = hypo is None and _calcium_without_range(snapshot)
    if no_range:
        missing.append("calcium-no-reference-range")
    elif hypo is None:
        missing.append("calcium-90-days")
    if vitamin_d is None or vitamin_d.is_stale:
        missing.append("vitamin-d")
    if missing and _is_order_hook(ctx):
        labs = (("calcium",) if hypo is None and not no_range else ()) + (
            ("vitamin-d",) if "vitamin-d" in missing else ()
        )
        variant = "no-reference-range" if missing == ["calcium-no-reference-range"] else "missing"
        return CannotAssess(rule_id, tuple(missing), variant=variant, evidence=tuple(evidence), suggestions=labs)
    return NotApplicable(
        rule_id, "calcium within range and 25-OH vitamin D ≥ 20 ng/mL (or not checked at patient-view)"
    )


# ----------------------------------------------------------------------------------------------------------------
# CI-ORALBP-1: intake conditions and interactions
# ----------------------------------------------------------------------------------------------------------------


def _ci_oralbp_1(ctx: RuleContext) -> Outcome:
    """«Inname met calciumpreparaten, antacida • NSAIDs: GI effecten • Medicatie met effect op maagontlediging»
    (S0); «innamevoorwaarden niet haalbaar (rechtop zitten, therapietrouw)» (S3).

    When: an oral bisphosphonate is selected for a patient who has not taken one before ("once per patient").
    Then: info with the intake instructions and interactions. Oesophageal disease, gastric surgery and inability
    to sit upright have no verified codes (terminology.md) and are listed for the prescriber to check.
    """
    rule_id = "CI-ORALBP-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, ORAL_BP_DRUGS)
    if not orders:
        return NotApplicable(rule_id, "no oral bisphosphonate ordered")
    if any(snapshot.has_ever_taken(drug) for drug in ORAL_BP_DRUGS):
        return NotApplicable(rule_id, "already took an oral bisphosphonate: intake advice given before")
    return Recommendation(rule_id, variant="intake", evidence=_order_evidence(orders))


# ----------------------------------------------------------------------------------------------------------------
# CI-ROMO-1 / -2 / -3
# ----------------------------------------------------------------------------------------------------------------


def _ci_romo_1(ctx: RuleContext) -> Outcome:
    """«Een contra-indicatie voor de opstart van romosozumab is een voorgeschiedenis van een myocardinfarct of
    beroerte» (S2); Tabel 2 «Voorgeschiedenis van myocardinfarct of TIA/CVA» (S2).

    When: romosozumab is ordered, or (patient-view) the patient is on romosozumab. Then: a history of MI or
    stroke (and TIA when ROMO_CI_INCLUDES_TIA, the default) → critical at ordering, warning "reassess" during a
    course; TIA only with the switch off → warning "weigh individually". Condition data unavailable → warning.
    """
    rule_id = "CI-ROMO-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.ROMOSOZUMAB}))
    if _is_order_hook(ctx):
        if not orders:
            return NotApplicable(rule_id, "no romosozumab ordered")
    elif not snapshot.is_on(Drug.ROMOSOZUMAB):
        return NotApplicable(rule_id, "not on romosozumab")
    evidence = _order_evidence(orders)
    include_tia = ctx.parameters.romo_ci_includes_tia
    mi_stroke = cardiovascular_events(snapshot, include_tia=False)
    tia = snapshot.conditions_of(ConditionKind.TIA)
    if mi_stroke or (tia and include_tia):
        events = mi_stroke + (tia if include_tia else ())
        if not _is_order_hook(ctx):
            return Recommendation(rule_id, variant="during-course", evidence=(*evidence, *_condition_evidence(events)))
        remove, draft = _removal(orders)
        return Recommendation(
            rule_id,
            variant="contraindicated" if mi_stroke else "contraindicated-tia",
            facts=draft,
            evidence=(*evidence, *_condition_evidence(events)),
            suggestions=(*remove, *_antiresorptive_alternatives(snapshot, ctx.parameters)),
        )
    if tia:
        return Recommendation(rule_id, variant="tia-weigh", evidence=(*evidence, *_condition_evidence(tia)))
    if _conditions_unavailable(snapshot):
        return CannotAssess(rule_id, ("cardiovascular-history",), evidence=evidence)
    return NotApplicable(rule_id, "no myocardial infarction, stroke or TIA recorded")


def _ci_romo_2(ctx: RuleContext) -> Outcome:
    """S2 Tabel 2 (romosozumab column) «Contra-indicatie … Hypocalciëmie».

    When: romosozumab is ordered. Then: hypocalcaemia → critical; calcium missing, older than 90 days or without
    reference range → warning "measure calcium".
    """
    rule_id = "CI-ROMO-2"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.ROMOSOZUMAB}))
    if not orders:
        return NotApplicable(rule_id, "no romosozumab ordered")
    calcium = snapshot.calcium
    evidence = (*_order_evidence(orders), *((_calcium_evidence(calcium),) if calcium else ()))
    hypo = hypocalcaemia(snapshot)
    if hypo is True:
        value = f"{calcium.mmol_per_l:.2f}" if calcium is not None else "?"
        return Recommendation(rule_id, variant="hypocalcaemia", facts={"calcium": value}, evidence=evidence)
    if hypo is None and _calcium_without_range(snapshot):
        return CannotAssess(rule_id, ("calcium-no-reference-range",), variant="no-reference-range", evidence=evidence)
    if hypo is None:
        return CannotAssess(rule_id, ("calcium-90-days",), evidence=evidence, suggestions=("calcium",))
    return NotApplicable(rule_id, "calcium within the reference range")


def _ci_romo_3(ctx: RuleContext) -> Outcome:
    """«Overweeg het botvormende middel romosozumab … als eerste keus medicament bij postmenopauzale vrouwen
    ouder dan 50 jaar» (S4 Bijlage 2); «Romosozumab is in België terugbetaald bij postmenopauzale vrouwen (niet
    bij mannen)» (S2).

    When: romosozumab is ordered. Then: a man, a woman not known to be postmenopausal, or (NL) age ≤ 50 →
    warning (indication mismatch, not an absolute contraindication). Sex or age unknown → warning "missing".
    """
    rule_id = "CI-ROMO-3"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.ROMOSOZUMAB}))
    if not orders:
        return NotApplicable(rule_id, "no romosozumab ordered")
    evidence = list(_order_evidence(orders))
    sex = snapshot.patient.sex
    if sex is Sex.MALE:
        return Recommendation(rule_id, variant="male", evidence=tuple(evidence))
    if sex is not Sex.FEMALE:
        return CannotAssess(rule_id, ("sex",), evidence=tuple(evidence))
    age = snapshot.age
    nl = ctx.profile == "nl"
    if age is None:
        return CannotAssess(rule_id, ("age",), evidence=tuple(evidence))
    evidence.append(Evidence("age", str(age)))
    if nl and age <= ROMO_MIN_AGE_NL.value:
        return Recommendation(rule_id, variant="age", facts={"age": str(age)}, evidence=tuple(evidence))
    if snapshot.is_postmenopausal is not True:
        return CannotAssess(rule_id, ("menopausal-status",), evidence=tuple(evidence))
    return NotApplicable(rule_id, "postmenopausal woman in the target population")


# ----------------------------------------------------------------------------------------------------------------
# CI-SERM-1
# ----------------------------------------------------------------------------------------------------------------


def _ci_serm_1(ctx: RuleContext) -> Outcome:
    """«zonder contra-indicaties voor SERM (m.a.w. niet-rokers zonder veneuze trombo-embolische gebeurtenissen in
    de voorgeschiedenis)» (S2)

    When: a SERM (raloxifene, bazedoxifene) is ordered. Then: venous thromboembolism ever → critical; a man →
    warning (SERM is discussed for women only); otherwise smoking status cannot be read (no verified smoking
    code in terminology.md) → warning "confirm non-smoker and no VTE history".
    """
    rule_id = "CI-SERM-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, SERMS)
    if not orders:
        return NotApplicable(rule_id, "no SERM ordered")
    evidence = _order_evidence(orders)
    vte = snapshot.conditions_of(ConditionKind.VENOUS_THROMBOEMBOLISM)
    if vte:
        remove, draft = _removal(orders)
        return Recommendation(
            rule_id,
            variant="vte",
            facts=draft,
            evidence=(*evidence, *_condition_evidence(vte)),
            suggestions=(*remove, *_antiresorptive_alternatives(snapshot, ctx.parameters)),
        )
    if snapshot.patient.sex is Sex.MALE:
        return Recommendation(rule_id, variant="male", evidence=evidence)
    missing = ("smoking-status",) + (("venous-thromboembolism-history",) if _conditions_unavailable(snapshot) else ())
    return CannotAssess(rule_id, missing, evidence=evidence)


# ----------------------------------------------------------------------------------------------------------------
# CI-TPTD-1 / -2 / -3
# ----------------------------------------------------------------------------------------------------------------


def _ci_tptd_1(ctx: RuleContext) -> Outcome:
    """«Teriparatide kan niet gestart worden (en is in België ook niet terugbetaald) bij patiënten die reeds onder
    therapie staan met denosumab, aangezien de switch van denosumab naar teriparatide leidt tot een transiënte
    daling van de botmassa t.h.v. de wervelzuil en de heup, en een progressieve daling van de botmassa t.h.v. de
    radius (DATA-Switch Study)» (S2)

    When: teriparatide is ordered. Then: on denosumab (active order, current, ordered now, or last injection
    ≤ 6 months ago) → critical; last injection within TPTD_AFTER_DMAB_LOOKBACK_M (18) months → warning;
    denosumab on the medication list without any injection date or order → warning "verify".
    """
    rule_id = "CI-TPTD-1"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.TERIPARATIDE}))
    if not orders:
        return NotApplicable(rule_id, "no teriparatide ordered")
    evidence = list(_order_evidence(orders))
    history = snapshot.therapy(Drug.DENOSUMAB)
    if history is not None and history.last_administration is not None:
        evidence.append(Evidence("denosumab-last-injection", str(history.last_administration.on), None, None))
    status = denosumab_before_teriparatide(snapshot, ctx.parameters)
    if status is DenosumabBeforeTeriparatide.ON:
        remove, draft = _removal(orders)
        return Recommendation(
            rule_id,
            variant="on-denosumab",
            facts=draft,
            evidence=tuple(evidence),
            suggestions=(*remove, "denosumab"),
        )
    if status is DenosumabBeforeTeriparatide.RECENT:
        lookback = ctx.parameters.tptd_after_dmab_lookback_months
        return Recommendation(
            rule_id, variant="recent-denosumab", facts={"months": str(lookback)}, evidence=tuple(evidence)
        )
    if status is DenosumabBeforeTeriparatide.UNDATED:
        return CannotAssess(rule_id, ("denosumab-injection-dates",), evidence=tuple(evidence))
    return NotApplicable(rule_id, "no denosumab within the look-back window")


def _ci_tptd_2(ctx: RuleContext) -> Outcome:
    """S2 Tabel 2 (teriparatide column): «Hypercalciëmie - Ernstige nierinsufficiëntie - Metabole botziekten
    (inclusief hyperparathyroïdie en ziekte van Paget) - Onverklaarde stijging van alkalische fosfatasen -
    Vroegere radiotherapie van het skelet - Botmaligniteit/metastasen»

    When: teriparatide is ordered. Then (:func:`teriparatide_contraindications`): hypercalcaemia or renal function
    < 30 mL/min (EGFR_SEVERE [NIS]), each from a value at most 90 days old, or hyperparathyroidism → critical;
    calcium or renal function missing or older than 90 days → warning "measure" (an older value, even an abnormal
    one, does not decide: rules.md CI-TPTD-2 Missing / stale);
    otherwise info "no coded contraindication: confirm ALP, Paget, skeletal radiotherapy, bone malignancy"
    (these have no mapped data in the snapshot).
    """
    rule_id = "CI-TPTD-2"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.TERIPARATIDE}))
    if not orders:
        return NotApplicable(rule_id, "no teriparatide ordered")
    evidence = list(_order_evidence(orders))
    calcium = snapshot.calcium
    renal = snapshot.renal_function
    if calcium is not None:
        evidence.append(_calcium_evidence(calcium))
    if renal is not None:
        evidence.append(renal_evidence(renal))
    evidence.extend(_condition_evidence(snapshot.conditions_of(ConditionKind.HYPERPARATHYROIDISM)))
    check = teriparatide_contraindications(snapshot)
    if check.reasons:
        return Recommendation(rule_id, variant=check.reasons[0], evidence=tuple(evidence))
    missing = check.missing
    if missing:
        labs = (("calcium",) if "calcium-90-days" in missing else ()) + (
            ("creatinine",) if "renal-function-90-days" in missing else ()
        )
        variant = "no-reference-range" if missing == ("calcium-no-reference-range",) else "missing"
        return CannotAssess(rule_id, tuple(missing), variant=variant, evidence=tuple(evidence), suggestions=labs)
    return Recommendation(rule_id, variant="confirm", evidence=tuple(evidence))


def _ci_tptd_3(ctx: RuleContext) -> Outcome:
    """«Max 2 jaar (eenmalige cyclus)» (S0); «Het gebruik van teriparatide is bovendien beperkt tot 18 maanden in
    België (elders 24 maanden; het zogenaamde anabool venster).» (S2)

    When: teriparatide is ordered and teriparatide was used before. Then: cumulative use ≥ TPTD_MAX_M (24 NL /
    18 BE) → warning (single course completed); shorter → info with the months remaining.
    """
    rule_id = "CI-TPTD-3"
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, frozenset({Drug.TERIPARATIDE}))
    if not orders:
        return NotApplicable(rule_id, "no teriparatide ordered")
    history = snapshot.therapy(Drug.TERIPARATIDE)
    if history is None:
        return NotApplicable(rule_id, "no previous teriparatide")
    maximum = ctx.parameters.for_profile(ctx.profile).teriparatide_max_months
    if maximum is None:  # for_profile always resolves TPTD_MAX_M; kept for the type checker
        return NotApplicable(rule_id, "TPTD_MAX_M not resolved")
    months = history.cumulative_covered_days / snapshot.days_per_month
    evidence = (
        *_order_evidence(orders),
        Evidence("teriparatide-months", f"{months:.0f}", history.first_start, None),
    )
    facts = {"months": f"{months:.0f}", "max": str(maximum)}
    if months >= maximum:
        return Recommendation(rule_id, variant="completed", facts=facts, evidence=evidence)
    if history.cumulative_covered_days == 0:
        return CannotAssess(rule_id, ("teriparatide-duration",), evidence=evidence)
    return Recommendation(
        rule_id, variant="partial", facts=facts | {"remaining": f"{maximum - months:.0f}"}, evidence=evidence
    )


# ----------------------------------------------------------------------------------------------------------------
# DUP-1 (disabled by default)
# ----------------------------------------------------------------------------------------------------------------


def _dup_1(ctx: RuleContext) -> Outcome:
    """[NIS] Not in the seeds: an optional safety net (rules.md §6 DUP-1), off unless duplicate_therapy_enabled.

    When: an antiresorptive is being signed while another, different antiresorptive is current or also drafted,
    and the other one is not being stopped in the same orders. Planned transitions are not duplicates: a
    bisphosphonate after denosumab (DMAB-STOP-2/-3); anabolic → antiresorptive is never two antiresorptives.
    Then: warning.
    """
    rule_id = "DUP-1"
    if not ctx.parameters.duplicate_therapy_enabled:
        return NotApplicable(rule_id, "DUP-1 is disabled (duplicate_therapy_enabled = false)")
    snapshot = ctx.snapshot
    orders = new_orders_of(snapshot, _ANTIRESORPTIVES)
    if not orders:
        return NotApplicable(rule_id, "no antiresorptive ordered")
    stopping = {order.drug for order in snapshot.stop_orders}
    ordered = {order.drug for order in orders if order.drug}
    current = {drug for drug in _ANTIRESORPTIVES if snapshot.is_on(drug)} - stopping
    for new in sorted(ordered):
        others = (current | ordered) - {new}
        if new.is_bisphosphonate:
            others -= {Drug.DENOSUMAB}  # the planned denosumab → bisphosphonate transition
        if others:
            evidence = (*_order_evidence(orders), *(Evidence("current-drug", d.value) for d in sorted(others)))
            return Recommendation(rule_id, variant="duplicate", facts={"drug": new.value}, evidence=evidence)
    return NotApplicable(rule_id, "no overlapping antiresorptive")


# ----------------------------------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------------------------------


def _cite(source: str, seed: str, section: str, rule_id: str) -> Citation:
    return Citation(source=source, seed=seed, section=section, catalog=f"rules.md §6 {rule_id}")


CI_EGFR_1 = Rule(
    id="CI-EGFR-1",
    title="IV zoledronate contraindicated when renal function < 35 mL/min",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Behandeling: bisfosfonaten, nierfunctie", "CI-EGFR-1"),),
    evaluate=_ci_egfr_1,
)
CI_EGFR_2 = Rule(
    id="CI-EGFR-2",
    title="Oral bisphosphonate contraindicated when renal function < 30 mL/min",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S2", _S2, "Behandeling: bisfosfonaten, nierfunctie", "CI-EGFR-2"),
        _cite("S0", _S0, "Nierfunctiestoornissen", "CI-EGFR-2"),
    ),
    evaluate=_ci_egfr_2,
)
CI_EGFR_3 = Rule(
    id="CI-EGFR-3",
    title="Denosumab in severe renal insufficiency: hypocalcaemia risk",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Behandeling: denosumab", "CI-EGFR-3"),),
    evaluate=_ci_egfr_3,
)
CI_HYPOCA_1 = Rule(
    id="CI-HYPOCA-1",
    title="Hypocalcaemia / vitamin D deficiency before antiresorptives",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S0", _S0, "Complicaties botresorptieremmers", "CI-HYPOCA-1"),
        _cite("S2", _S2, "Calcium en vitamine D", "CI-HYPOCA-1"),
    ),
    evaluate=_ci_hypoca_1,
)
CI_ORALBP_1 = Rule(
    id="CI-ORALBP-1",
    title="Oral bisphosphonate intake conditions, interactions and GI risk",
    hooks=frozenset({Hook.ORDER_SELECT}),
    profiles=_BOTH,
    citations=(
        _cite("S0", _S0, "Interacties Bisfosfonaten", "CI-ORALBP-1"),
        _cite("S3", _S3, "Behandeling: innamevoorwaarden", "CI-ORALBP-1"),
    ),
    evaluate=_ci_oralbp_1,
)
CI_ROMO_1 = Rule(
    id="CI-ROMO-1",
    title="Romosozumab after myocardial infarction or stroke (± TIA)",
    hooks=_ALL_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S2", _S2, "Romosozumab; Tabel 2", "CI-ROMO-1"),
        _cite("S4", _S4, "Bijlage 2 (romosozumab)", "CI-ROMO-1"),
    ),
    evaluate=_ci_romo_1,
)
CI_ROMO_2 = Rule(
    id="CI-ROMO-2",
    title="Romosozumab with hypocalcaemia",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Tabel 2 (romosozumab, contra-indicatie)", "CI-ROMO-2"),),
    evaluate=_ci_romo_2,
)
CI_ROMO_3 = Rule(
    id="CI-ROMO-3",
    title="Romosozumab target population",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S4", _S4, "Bijlage 2 (romosozumab)", "CI-ROMO-3"),
        _cite("S2", _S2, "Romosozumab: terugbetaling", "CI-ROMO-3"),
    ),
    evaluate=_ci_romo_3,
)
CI_SERM_1 = Rule(
    id="CI-SERM-1",
    title="SERM with venous thromboembolism history or active smoking",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "SERM", "CI-SERM-1"),),
    evaluate=_ci_serm_1,
)
CI_TPTD_1 = Rule(
    id="CI-TPTD-1",
    title="Never teriparatide in a patient on (or just off) denosumab",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Teriparatide (DATA-Switch)", "CI-TPTD-1"),),
    evaluate=_ci_tptd_1,
)
CI_TPTD_2 = Rule(
    id="CI-TPTD-2",
    title="Other teriparatide contraindications",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(_cite("S2", _S2, "Tabel 2 (teriparatide, contra-indicatie)", "CI-TPTD-2"),),
    evaluate=_ci_tptd_2,
)
CI_TPTD_3 = Rule(
    id="CI-TPTD-3",
    title="Teriparatide is a single (once-only) course",
    hooks=_ORDER_HOOKS,
    profiles=_BOTH,
    citations=(
        _cite("S0", _S0, "Teriparatide (Forsteo)", "CI-TPTD-3"),
        _cite("S2", _S2, "Teriparatide: duur", "CI-TPTD-3"),
    ),
    evaluate=_ci_tptd_3,
)
DUP_1 = Rule(
    id="DUP-1",
    title="Duplicate osteoporosis drug therapy [NIS] (disabled by default)",
    hooks=frozenset({Hook.ORDER_SIGN}),
    profiles=_BOTH,
    citations=(
        Citation(
            source="NIS",
            seed=_S4,
            section="not in seeds; planned transitions excepted per Bijlage 8 (denosumab stop schemes)",
            catalog="rules.md §6 DUP-1",
        ),
    ),
    evaluate=_dup_1,
)

RULES: tuple[Rule, ...] = (
    CI_TPTD_1,
    CI_EGFR_1,
    CI_EGFR_2,
    CI_ROMO_1,
    CI_ROMO_2,
    CI_SERM_1,
    CI_TPTD_2,
    CI_HYPOCA_1,
    CI_EGFR_3,
    CI_ROMO_3,
    CI_TPTD_3,
    CI_ORALBP_1,
    DUP_1,
)
"""The implemented rules of this family, in evaluation order (critical contraindications first, rules.md §14.1)."""

EXCLUDED: Mapping[str, str] = {
    "LT-SAFETY-1": (
        "not a card of its own: rules.md §6 LT-SAFETY-1 is long-term safety text (atypical femoral fracture, ONJ "
        "rates) shown inside the BP-EVAL-1 / BP-MAX-1 card details"
    ),
}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason."""
