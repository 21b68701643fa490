"""Denosumab: start, interval, stop schemes, evaluation and follow-up (rules.md §11; S4 Bijlage 8 flowchart 2,
reconstructed in §11.0).

Derived variables (rules.md D-DMAB), computed here from the snapshot's dated doses:

- ``DMAB_LAST`` = the last dated 60 mg injection; ``DMAB_COUNT`` = injections in the episode that contains it
  (an episode ends with a gap longer than ``BP_GAP_DAYS`` after the 6-month cover of an injection);
  ``DMAB_YEARS = DMAB_COUNT × 0.5``; ``DMAB_DUE = DMAB_LAST + 6 calendar months``.
- A *transition* is zoledronic acid or alendronic acid (the two drugs of the stop schemes) dated on or after
  ``DMAB_LAST + 6 months − 4 weeks``: *given* when that date is not after today, *planned* when it lies in the
  window ``[DMAB_LAST + 6 m − 4 w, max(DMAB_LAST + 6 m, today) + 4 w]`` (an undated draft order starts today).
- A course is *stopped* (patient-view, rules.md §0.4) when the latest denosumab order or statement is stopped /
  completed and none is active, or when no order is active and the last injection is more than 6 months ago.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

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
    bmd_change_evidence,
    evaluation_fracture_evidence,
    evaluation_t_score_evidence,
    number,
)
from app.rules.osteoporosis.predicates import (
    bmd_baseline_on_or_before,
    bmd_losses,
    fractures_since,
    gc_stop_criteria,
    new_risk_factors,
    stopped_glucocorticoid_course,
    t_scores_at_or_below,
)
from app.rules.osteoporosis.thresholds import (
    BE_REIMBURSEMENT_DXA_MAX_AGE_MONTHS,
    DMAB_CRITICAL_MONTHS,
    DMAB_DUE_LEAD_WEEKS,
    DMAB_EVAL_YEARS,
    DMAB_INTERVAL_MONTHS,
    DMAB_LAPSED_MONTHS,
    DMAB_MAX_YEARS,
    DMAB_TRANSITION_WINDOW_WEEKS,
    EGFR_CI_ORAL_BP,
    SCHEME_DXA_MONTHS,
    SCHEME_LAB_MONTHS,
    SCHEME_YEARS,
    T_OSTEOPOROSIS,
    VF_MIN_GRADE,
)
from app.snapshot.model import (
    Administration,
    ClinicalSnapshot,
    DraftAction,
    Drug,
    DxaStatus,
    DxaStudy,
    FractureSite,
    RecordKind,
    RenalFunction,
    TherapyHistory,
    add_months,
    derived_fact,
)

__all__ = [
    "DMAB_EVAL_1",
    "DMAB_FU_1",
    "DMAB_INTERVAL_1",
    "DMAB_START_1",
    "DMAB_STOP_1",
    "DMAB_STOP_2",
    "DMAB_STOP_3",
    "EXCLUDED",
    "RULES",
    "DenosumabCourse",
    "denosumab_course",
]

_S2_DMAB = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="BBC review: denosumab (doseerinterval, rebound-effect, switch naar bisfosfonaten)",
    catalog="rules.md §11",
)
_S4_FLOW_DMAB = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 8, flowchart «Evaluatie patient op therapie op Denosumab na 3 jaar» (stop schemes)",
    catalog="rules.md §11 (reconstruction §11.0)",
)
_S1_DMAB = Citation(
    source="S1",
    seed="001_2eaa9cda53165842.txt",
    section="Take home «Denosumab niet zomaar staken! Na 3-jaar kijken kan het geconsolideerd worden»",
    catalog="rules.md §11 DMAB-STOP-1, DMAB-EVAL-1",
)

_TRANSITION_DRUGS = (Drug.ZOLEDRONATE, Drug.ALENDRONATE)
_STOPPED_STATUSES = frozenset({"stopped", "completed"})
_ORDER_HOOKS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})


def _months(threshold_value: float) -> int:
    return int(threshold_value)


def _weeks(threshold_value: float) -> timedelta:
    return timedelta(weeks=threshold_value)


# ----------------------------------------------------------------------------------------------------------------
# D-DMAB
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DenosumabCourse:
    """What the snapshot knows about denosumab 60 mg (rules.md D-DMAB)."""

    history: TherapyHistory
    episode_injections: tuple[Administration, ...]
    """Dated injections of the episode that holds the last one (``DMAB_COUNT``)."""

    @property
    def last(self) -> Administration | None:
        """``DMAB_LAST``."""
        return self.history.last_administration

    @property
    def count(self) -> int:
        """``DMAB_COUNT`` of the current episode."""
        return len(self.episode_injections)

    @property
    def years(self) -> float:
        """``DMAB_YEARS = DMAB_COUNT × 0.5``."""
        return self.count * DMAB_INTERVAL_MONTHS.value / 12

    @property
    def first(self) -> date | None:
        """The first injection of the current episode."""
        return self.episode_injections[0].on.earliest if self.episode_injections else None

    def due(self) -> date | None:
        """``DMAB_DUE = DMAB_LAST + 6 months``."""
        last = self.last
        return add_months(last.on.earliest, _months(DMAB_INTERVAL_MONTHS.value)) if last else None

    def evidence(self) -> list[Evidence]:
        last = self.last
        if last is None:
            return []
        return [
            Evidence("dmab-last-injection", last.on.earliest.isoformat(), None, last.sources[0].reference()),
            Evidence("dmab-injections", str(self.count)),
            Evidence("dmab-years", number(self.years)),
        ]


@derived_fact
def denosumab_course(snapshot: ClinicalSnapshot) -> DenosumabCourse | None:
    """The denosumab course, ``None`` when denosumab 60 mg was never recorded."""
    history = snapshot.therapy(Drug.DENOSUMAB)
    if history is None:
        return None
    last = history.last_administration
    injections: tuple[Administration, ...] = ()
    if last is not None:
        day = last.on.earliest
        episode = next((e for e in history.episodes if e.start <= day <= e.end), None)
        if episode is None:
            injections = (last,)
        else:
            injections = tuple(a for a in history.administrations if episode.start <= a.on.earliest <= episode.end)
    return DenosumabCourse(history, injections)


@dataclass(frozen=True, slots=True)
class _BpStart:
    drug: Drug
    on: date
    source: str


def _bp_starts(snapshot: ClinicalSnapshot, since: date) -> list[_BpStart]:
    """Zoledronate infusions and zoledronate / alendronate records dated on or after ``since``."""
    found: list[_BpStart] = []
    for drug in _TRANSITION_DRUGS:
        history = snapshot.therapy(drug)
        if history is None:
            continue
        for dose in history.administrations:
            if dose.on.earliest >= since:
                found.append(_BpStart(drug, dose.on.earliest, dose.sources[0].reference()))
        for record in history.records:
            if record.start is not None and record.start.earliest >= since:
                found.append(_BpStart(drug, record.start.earliest, record.source.reference()))
    return sorted(found, key=lambda s: s.on)


def _window_start(last: date) -> date:
    return add_months(last, _months(DMAB_INTERVAL_MONTHS.value)) - _weeks(DMAB_TRANSITION_WINDOW_WEEKS.value)


def _transition_given(snapshot: ClinicalSnapshot, last: date) -> _BpStart | None:
    """rules.md ``DMAB_TRANSITION_GIVEN``: the first zoledronate / alendronate dated from ``DMAB_LAST + 6 m − 4 w``
    up to today."""
    given = [s for s in _bp_starts(snapshot, _window_start(last)) if s.on <= snapshot.as_of]
    return given[0] if given else None


def _too_early_bisphosphonate(snapshot: ClinicalSnapshot, last: date) -> _BpStart | None:
    """The latest zoledronate / alendronate dated after ``DMAB_LAST`` but before the transition window opens
    (``DMAB_LAST + 6 m − 4 w``): given too early, it is not ``DMAB_TRANSITION_GIVEN`` (rules.md D-DMAB)."""
    early = [s for s in _bp_starts(snapshot, last + timedelta(days=1)) if s.on < _window_start(last)]
    return early[-1] if early else None


def _transition_planned(snapshot: ClinicalSnapshot, last: date, target: date) -> bool:
    """rules.md DMAB-STOP-1 ``transition_planned``: a transition given, or a zoledronate / alendronate order (draft
    or recorded) dated in the window around ``target`` (undated drafts start today)."""
    early = _window_start(last)
    late = target + _weeks(DMAB_TRANSITION_WINDOW_WEEKS.value)
    if any(s.on <= late for s in _bp_starts(snapshot, early)):
        return True
    for draft in snapshot.draft_orders:
        if draft.action is DraftAction.NEW and draft.drug in _TRANSITION_DRUGS:
            start = draft.start.earliest if draft.start is not None else snapshot.as_of
            if early <= start <= late:
                return True
    return False


def _renal_evidence(renal: RenalFunction | None) -> list[Evidence]:
    if renal is None:
        return []
    return [
        Evidence(
            f"dmab-renal-{renal.kind.value}",
            number(round(renal.ml_per_min)),
            renal.observed.earliest,
            renal.source.reference(),
        )
    ]


def _usable_renal(snapshot: ClinicalSnapshot) -> RenalFunction | None:
    renal = snapshot.renal_function
    return renal if renal is not None and not renal.is_stale else None


def _is_long_scheme(ctx: RuleContext, years: float) -> bool:
    """rules.md DMAB-STOP-1: ``DMAB_YEARS < 3`` → DMAB-STOP-2, else DMAB-STOP-3; exactly 3.0 per
    ``DMAB_SCHEME_AT_EXACTLY_3Y`` (conflicts.md C-28)."""
    if years == SCHEME_YEARS.value:
        return ctx.parameters.dmab_scheme_at_exactly_3y == "more-than-3"
    return years > SCHEME_YEARS.value


# ----------------------------------------------------------------------------------------------------------------
# DMAB-START-1
# ----------------------------------------------------------------------------------------------------------------


def _dmab_start_1(ctx: RuleContext) -> Outcome:
    """«Denosumab wordt toegediend aan een dosis van 60 mg subcutaan om de 6 maanden. Na stop treedt een verhoogde
    botafbraak op, zelfs meer dan baseline, waardoor een snelle daling van de BMD en een verhoogd risico op
    (multipele) indeukingsfracturen optreedt 6-18 maanden na de laatste toediening van denosumab (= rebound
    effect)» (S2).

    When: denosumab 60 mg is ordered and the patient never had denosumab. Then: info — every 6 months, never
    simply stopped; plan the 3-year evaluation and the exit strategy. BE profile: when the reimbursement criteria
    (DXA < 6 months; prior bisphosphonate or a bisphosphonate contraindication; VF ≥ 25 % or T ≤ −2.5 axial/hip)
    are not all shown by the record, the reimbursement variant instead.
    """
    rule_id = "DMAB-START-1"
    snapshot = ctx.snapshot
    if not any(d.drug is Drug.DENOSUMAB and d.action is DraftAction.NEW for d in snapshot.draft_orders):
        return NotApplicable(rule_id, "no denosumab ordered")
    if snapshot.has_ever_taken(Drug.DENOSUMAB):
        return NotApplicable(rule_id, "not a first denosumab order (DMAB-INTERVAL-1 checks the timing)")
    evidence: list[Evidence] = []
    calcium = snapshot.calcium
    if calcium is not None:
        evidence.append(
            Evidence(
                "dmab-calcium",
                number(round(calcium.mmol_per_l, 2)),
                calcium.observed.earliest,
                calcium.source.reference(),
            )
        )
    vitamin_d = snapshot.vitamin_d
    if vitamin_d is not None:
        evidence.append(
            Evidence(
                "dmab-vitamin-d",
                number(round(vitamin_d.ng_per_ml, 1)),
                vitamin_d.observed.earliest,
                vitamin_d.source.reference(),
            )
        )
    evidence.extend(_renal_evidence(snapshot.renal_function))
    study = snapshot.latest_dxa
    if study is not None:
        evidence.append(Evidence("dmab-latest-dxa", study.observed.earliest.isoformat()))
        evidence.extend(evaluation_t_score_evidence(study))
    if ctx.profile != "be":
        return Recommendation(rule_id, variant="start", evidence=tuple(evidence))

    # BE reimbursement (S2): every criterion must be shown by the record.
    dxa_recent = study is not None and ctx.as_of < add_months(
        study.observed.earliest, _months(BE_REIMBURSEMENT_DXA_MAX_AGE_MONTHS.value)
    )
    prior_bp = any(h.drug.is_bisphosphonate for h in snapshot.therapies)
    renal = _usable_renal(snapshot)
    bp_contraindicated = renal is not None and renal.ml_per_min < EGFR_CI_ORAL_BP.value
    severe_vf = any(
        f.vertebral_grade is not None and f.vertebral_grade >= VF_MIN_GRADE.value for f in snapshot.vertebral_fractures
    )
    low_t = study is not None and bool(t_scores_at_or_below(study, T_OSTEOPOROSIS.value))
    reimbursed = dxa_recent and (prior_bp or bp_contraindicated) and (severe_vf or low_t)
    return Recommendation(rule_id, variant="start" if reimbursed else "be-reimbursement", evidence=tuple(evidence))


# ----------------------------------------------------------------------------------------------------------------
# DMAB-INTERVAL-1
# ----------------------------------------------------------------------------------------------------------------


def _dmab_interval_1(ctx: RuleContext) -> Outcome:
    """«Het is daarom belangrijk om het doseerinterval van 6 maanden strikt te respecteren; een drug holiday is
    dan ook geen optie.» (S2).

    When: a denosumab patient without a transition to a bisphosphonate (patient-view), or a denosumab order for a
    patient who had it before (order-select). Then, counted from the last injection in calendar months: more
    than 4 weeks before the due date → nothing (an order then: info "early"); up to the due date (exactly
    6 months included) → info "due"; up to 7 months → warning "overdue"; up to 18 months → critical (rebound);
    later → warning "lapsed". The 7-month and 4-week points are [NIS] (conflicts.md C-29). An active denosumab
    order without any dated injection → warning "date of last injection unknown". In patient-view a stopped course
    that DMAB-STOP-1 answers gets no interval card: one lapse, one critical card (issue 16).
    """
    rule_id = "DMAB-INTERVAL-1"
    snapshot = ctx.snapshot
    ordered = any(d.drug is Drug.DENOSUMAB and d.action is DraftAction.NEW for d in snapshot.draft_orders)
    if ctx.hook is not Hook.PATIENT_VIEW and not ordered:
        return NotApplicable(rule_id, "no denosumab ordered")
    course = denosumab_course(snapshot)
    if course is None:
        return NotApplicable(rule_id, "no denosumab history (a first order: DMAB-START-1)")
    last = course.last
    if last is None:
        if course.history.has_active_order:
            return CannotAssess(rule_id, ("dmab-last-injection",), variant="missing", suggestions=("give-denosumab",))
        return NotApplicable(rule_id, "no dated denosumab injection and no active order")
    given = _transition_given(snapshot, last.on.earliest)
    if given is not None:
        return NotApplicable(rule_id, f"transition to {given.drug} on {given.on} (DMAB-FU-1)")
    if ctx.hook is Hook.PATIENT_VIEW and isinstance(_dmab_stop_1(ctx), Recommendation):
        # One lapse, one critical card (issue 16): a stopped course without transition is DMAB-STOP-1's card,
        # which offers both the transition and continuing denosumab.
        return NotApplicable(rule_id, "stopped without transition: DMAB-STOP-1")
    last_day = last.on.earliest
    due = add_months(last_day, _months(DMAB_INTERVAL_MONTHS.value))
    facts = {"due": due.isoformat(), "last": last_day.isoformat()}
    evidence = tuple(course.evidence())
    as_of = ctx.as_of
    if as_of < due - _weeks(DMAB_DUE_LEAD_WEEKS.value):
        if ordered:
            return Recommendation(rule_id, variant="early", facts=facts, evidence=evidence)
        return NotApplicable(rule_id, f"next injection due {due}")
    if as_of <= due:
        return Recommendation(rule_id, variant="due", facts=facts, evidence=evidence, suggestions=("give-denosumab",))
    if as_of <= add_months(last_day, _months(DMAB_CRITICAL_MONTHS.value)):
        weeks = str((as_of - due).days // 7)
        return Recommendation(
            rule_id,
            variant="overdue",
            facts={**facts, "weeks": weeks},
            evidence=evidence,
            suggestions=("give-denosumab",),
        )
    if as_of <= add_months(last_day, _months(DMAB_LAPSED_MONTHS.value)):
        return Recommendation(
            rule_id,
            variant="critical",
            facts={**facts, "today": as_of.isoformat()},
            evidence=evidence,
            suggestions=("give-denosumab", "zoledronate-now"),
        )
    return Recommendation(rule_id, variant="lapsed", facts=facts, evidence=evidence, suggestions=("dxa-vfa",))


# ----------------------------------------------------------------------------------------------------------------
# DMAB-STOP-1
# ----------------------------------------------------------------------------------------------------------------


def _record_says_stopped(ctx: RuleContext, course: DenosumabCourse) -> bool:
    """rules.md §0.4, patient-view: the latest denosumab order/statement is stopped or completed (none active), or
    no order is active and the last injection is more than 6 months ago."""
    history = course.history
    if history.has_active_order:
        return False
    orders = [r for r in history.records if r.kind in (RecordKind.REQUEST, RecordKind.STATEMENT)]
    if orders and orders[-1].status in _STOPPED_STATUSES:
        return True
    due = course.due()
    return due is not None and ctx.as_of > due


def _gc_stop_advises_stopping(ctx: RuleContext, course: DenosumabCourse) -> bool:
    """rules.md GC-STOP-1 EXCEPTION: glucocorticoids stopped after ≥ 3 months, denosumab started during their use,
    and the shared GC-STOP-1 criteria (:func:`gc_stop_criteria`) say the medication can be stopped — which for
    denosumab must be the transition scheme (vignettes.md V15c). The same clause decides GC-STOP-1's card, so the
    two rules never disagree about one patient."""
    snapshot = ctx.snapshot
    if not snapshot.is_on(Drug.DENOSUMAB) or course.first is None:
        return False
    stopped = stopped_glucocorticoid_course(snapshot)
    if stopped is None or not stopped.lasted_long_enough(ctx.parameters):
        return False
    if not stopped.start <= course.first <= stopped.stopped:
        return False
    return gc_stop_criteria(snapshot, stopped.stopped, ctx.parameters).continue_treatment is False


def _dmab_stop_1(ctx: RuleContext) -> Outcome:
    """«Denosumab niet zomaar staken! Na 3-jaar kijken kan het geconsolideerd worden» (S1); «Een switch van
    denosumab naar bisfosfonaten is wel mogelijk … Aldus is, in ieder geval bij oudere patiënten, het levenslang
    verderzetten van denosumab, vaak een betere keuze.» (S2); «Behandel 6 maanden na laatste injectie direct met
    Zoledroninezuur of Alendroninezuur» (S4 Bijlage 8).

    When: a denosumab stop order (order-select / order-sign), or in patient-view a stopped course from 4 weeks
    before the next dose was due up to the end of the rebound window (18 months), or glucocorticoids stopped with
    GC-STOP-1's stop criteria met — and no zoledronate / alendronate planned in the transition window. Then:
    critical, with the scheme by ``DMAB_YEARS`` (< 3 y: zoledronate or alendronate; ≥ 3 y: zoledronate unless
    reasons for alendronate) dated ``DMAB_LAST + 6 months`` (or today when that has passed); renal function
    30–< 35 mL/min → alendronate only; < 30 → no bisphosphonate possible: continue denosumab [INF, C-27].
    ``DMAB_LAST`` unknown → still critical ("verify now"). The card states the real dates: once ``DMAB_DUE`` has
    passed, the ``-overdue`` variants say when the transition was due and name the last injection; a zoledronate /
    alendronate dated after ``DMAB_LAST`` but before the window is named with its date (``too-early``).
    """
    rule_id = "DMAB-STOP-1"
    snapshot = ctx.snapshot
    course = denosumab_course(snapshot)
    stop_ref: str | None = None
    if ctx.hook in _ORDER_HOOKS:
        stops = [d for d in snapshot.stop_orders if d.drug is Drug.DENOSUMAB]
        if not stops:
            return NotApplicable(rule_id, "no denosumab stop order")
        stop_ref = stops[0].draft_ref
        trigger = "order"
    elif course is None:
        return NotApplicable(rule_id, "no denosumab history")
    elif _record_says_stopped(ctx, course):
        trigger = "record"
    elif _gc_stop_advises_stopping(ctx, course):
        trigger = "glucocorticoid-stop"
    else:
        return NotApplicable(rule_id, "denosumab not stopped")
    keep = "keep-denosumab" if stop_ref is not None else "continue-denosumab"
    stop_facts = {"stop_order": stop_ref} if stop_ref is not None else {}

    last = course.last if course is not None else None
    if course is None or last is None:
        return CannotAssess(
            rule_id,
            ("dmab-last-injection",),
            variant="missing",
            facts={**stop_facts, "start": ctx.as_of.isoformat()},
            suggestions=(keep,),
        )
    last_day = last.on.earliest
    due = add_months(last_day, _months(DMAB_INTERVAL_MONTHS.value))
    if trigger == "record":
        if ctx.as_of <= due - _weeks(DMAB_DUE_LEAD_WEEKS.value):
            return NotApplicable(rule_id, f"stopped course; next dose not due before {due}")
        if ctx.as_of > add_months(last_day, _months(DMAB_LAPSED_MONTHS.value)):
            return NotApplicable(rule_id, "beyond the rebound window (DMAB-INTERVAL-1 'lapsed')")
    target = max(due, ctx.as_of)
    if _transition_planned(snapshot, last_day, target):
        return NotApplicable(rule_id, "transition to a bisphosphonate planned or given")

    evidence = course.evidence()
    renal = _usable_renal(snapshot)
    evidence.extend(_renal_evidence(snapshot.renal_function))
    scheme = "long" if _is_long_scheme(ctx, course.years) else "short"
    facts = {
        **stop_facts,
        "start": target.isoformat(),
        "lab": add_months(target, _months(SCHEME_LAB_MONTHS.value)).isoformat(),
        "dxa": add_months(target, _months(SCHEME_DXA_MONTHS.value)).isoformat(),
        "years": number(course.years),
        "last": last_day.isoformat(),
        "due": due.isoformat(),
    }
    if renal is not None and renal.ml_per_min < EGFR_CI_ORAL_BP.value:
        return Recommendation(
            rule_id, variant="continue-renal", facts=facts, evidence=tuple(evidence), suggestions=(keep,)
        )
    alendronate_only = renal is not None and renal.ml_per_min < ctx.parameters.egfr_ci_zoledronate_ml_min
    suggestions = ("alendronate", keep) if alendronate_only else ("zoledronate", "alendronate", keep)
    # Issue 16: the card states the real dates. A bisphosphonate before the window is named with its date; a
    # transition whose due date has passed says when it was due, never "on <today>, 6 months after the last
    # injection".
    early = _too_early_bisphosphonate(snapshot, last_day)
    if early is not None:
        evidence.append(Evidence(f"dmab-too-early-{early.drug.value}", early.on.isoformat(), None, early.source))
        return Recommendation(
            rule_id,
            variant="too-early",
            facts={**facts, "given": early.on.isoformat()},
            evidence=tuple(evidence),
            suggestions=suggestions,
        )
    variant = f"{scheme}-alendronate" if alendronate_only else scheme
    if ctx.as_of > due:
        variant = f"{variant}-overdue"
    return Recommendation(rule_id, variant=variant, facts=facts, evidence=tuple(evidence), suggestions=suggestions)


# ----------------------------------------------------------------------------------------------------------------
# The transition phase: DMAB-STOP-2, DMAB-STOP-3, DMAB-FU-1
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Transition:
    course: DenosumabCourse
    start: _BpStart
    long_scheme: bool
    lab_due: date
    dxa_due: date
    lab_done: bool
    dxa: DxaStudy | None

    def facts(self) -> dict[str, str]:
        return {"start": self.start.on.isoformat(), "lab": self.lab_due.isoformat(), "dxa": self.dxa_due.isoformat()}

    def evidence(self) -> list[Evidence]:
        return self.course.evidence() + [
            Evidence(f"dmab-transition-{self.start.drug.value}", self.start.on.isoformat(), None, self.start.source)
        ]


def _transition(ctx: RuleContext) -> _Transition | str:
    snapshot = ctx.snapshot
    course = denosumab_course(snapshot)
    if course is None or course.last is None:
        return "no dated denosumab injection"
    start = _transition_given(snapshot, course.last.on.earliest)
    if start is None:
        return "no transition to zoledronate or alendronate after denosumab"
    lead = _weeks(DMAB_TRANSITION_WINDOW_WEEKS.value)
    lab_due = add_months(start.on, _months(SCHEME_LAB_MONTHS.value))
    dxa_due = add_months(start.on, _months(SCHEME_DXA_MONTHS.value))
    lab_dates = [r.observed.earliest for r in snapshot.calcium_results]
    lab_dates += [r.observed.earliest for r in snapshot.creatinine_results]
    lab_dates += [r.observed.earliest for r in snapshot.renal_results]
    lab_done = any(day >= lab_due - lead for day in lab_dates)
    long_scheme = _is_long_scheme(ctx, course.years)
    if long_scheme and start.drug is Drug.ZOLEDRONATE:
        # S4 «Herhaal altijd direct Zoledroninezuur»: the 6-month step includes the repeat infusion.
        zoledronate = snapshot.therapy(Drug.ZOLEDRONATE)
        repeats = zoledronate.administrations if zoledronate else ()
        lab_done = lab_done and any(a.on.earliest >= lab_due - lead for a in repeats)
    follow_ups = [s for s in snapshot.dxa_after(dxa_due - lead - timedelta(days=1)) if s.observed.earliest <= ctx.as_of]
    return _Transition(
        course=course,
        start=start,
        long_scheme=long_scheme,
        lab_due=lab_due,
        dxa_due=dxa_due,
        lab_done=lab_done,
        dxa=follow_ups[-1] if follow_ups else None,
    )


def _stop_scheme(ctx: RuleContext, rule_id: str, *, long_scheme: bool) -> Outcome:
    state = _transition(ctx)
    if isinstance(state, str):
        return NotApplicable(rule_id, state)
    if state.long_scheme is not long_scheme:
        return NotApplicable(rule_id, f"the {'≥' if state.long_scheme else '<'} 3-year scheme applies")
    if state.dxa is not None:
        return NotApplicable(rule_id, "scheme completed with the 12-month DXA (DMAB-FU-1 evaluates)")
    if not state.lab_done:
        if ctx.as_of > state.lab_due:
            return NotApplicable(rule_id, "6-month step overdue (DMAB-FU-1)")
        step = "lab"
    elif ctx.as_of > state.dxa_due:
        return NotApplicable(rule_id, "12-month DXA overdue (DMAB-FU-1)")
    else:
        step = "dxa"
    variant = f"{step}-{state.start.drug.value}" if long_scheme else step
    suggestions: tuple[str, ...] = ("lab",) if step == "lab" else ("dxa-vfa",)
    if long_scheme and step == "lab" and state.start.drug is Drug.ZOLEDRONATE:
        suggestions = ("repeat-zoledronate", "lab")
    return Recommendation(
        rule_id, variant=variant, facts=state.facts(), evidence=tuple(state.evidence()), suggestions=suggestions
    )


def _dmab_stop_2(ctx: RuleContext) -> Outcome:
    """«Stop schema bij <3 jaar gebruik» … «Behandel 6 maanden na laatste injectie direct met Zoledroninezuur of
    Alendroninezuur» … «Na 6 maanden Lab + kliniek» … «Overweeg herhalen therapie bij hoge botturnover en igv
    nieuwe fractuur» … «Follow up na 12 maaanden [sic] na start consolidatietherapie met DXA+VFA» (S4 Bijlage 8).

    When (patient-view): the transition after < 3 years of denosumab has started and its next step is not yet
    overdue. Then: info naming the step due (lab + clinic at 6 months; DXA + VFA at 12 months). Overdue steps
    are DMAB-FU-1's; the stop card itself is DMAB-STOP-1's.
    """
    return _stop_scheme(ctx, "DMAB-STOP-2", long_scheme=False)


def _dmab_stop_3(ctx: RuleContext) -> Outcome:
    """«Stop schema bij >3 jaar gebruik» … «Behandel 6 maanden na laatste injectie direct met Zoledroninezuur
    tenzij redenen voor Alendroninezuur» … «Na 6 maanden Lab + kliniek» … «Herhaal altijd direct
    Zoledroninezuur, zet Alendroninezuur door» … «Follow up na 12 maanden na start consolidatietherapie met
    DXA+VFA» (S4 Bijlage 8).

    When (patient-view): the transition after ≥ 3 years of denosumab (exactly 3.0 per
    ``DMAB_SCHEME_AT_EXACTLY_3Y``) has started and its next step is not yet overdue. Then: info naming the step
    due; at 6 months always repeat zoledronate (or continue alendronate).
    """
    return _stop_scheme(ctx, "DMAB-STOP-3", long_scheme=True)


def _dmab_fu_1(ctx: RuleContext) -> Outcome:
    """«Voor beslissing herstart/continuering/switch therapie Herstart therapie indien: T-score ≤-2.5 Of
    botverlies >5% tov baseline Of niet-wervel fractuur Of nieuwe risicofactoren» … «Voor evaluatie therapie zie
    flow bisfosfonaten» (S4 Bijlage 8).

    When (patient-view): after the transition from denosumab to a bisphosphonate. Then: warning "restart" on a
    restart criterion (a T-score ≤ −2.5 or BMD loss > 5 % on the 12-month DXA — against the DXA at the stop, or
    the pre-denosumab DXA with ``BMD_BASELINE_REF=pretreatment`` —, a fracture or a new risk factor since the
    bisphosphonate start); otherwise warning when the 12-month DXA + VFA or the 6-month lab + clinic is overdue.
    """
    rule_id = "DMAB-FU-1"
    state = _transition(ctx)
    if isinstance(state, str):
        return NotApplicable(rule_id, state)
    snapshot = ctx.snapshot
    since = state.start.on
    evidence = state.evidence()
    criteria: list[Evidence] = []
    new = fractures_since(snapshot, since)
    criteria.extend(evaluation_fracture_evidence(f for f in new if f.site is not FractureSite.VERTEBRAL))
    criteria.extend(evaluation_fracture_evidence(f for f in new if f.site is FractureSite.VERTEBRAL))
    criteria.extend(new_risk_factors(snapshot, since))
    bmd_unknown = False
    if state.dxa is not None:
        study = state.dxa
        evidence.extend(evaluation_t_score_evidence(study))
        criteria.extend(
            evaluation_t_score_evidence(study, [t.site for t in t_scores_at_or_below(study, T_OSTEOPOROSIS.value)])
        )
        first = state.course.first
        reference = since if ctx.parameters.bmd_baseline_ref == "mixed" or first is None else first
        compared = bmd_losses(snapshot, bmd_baseline_on_or_before(snapshot, reference), study)
        if compared is None:
            bmd_unknown = True
        else:
            changes, losses = compared
            evidence.extend(bmd_change_evidence(changes))
            criteria.extend(bmd_change_evidence(losses))
    if criteria:
        return Recommendation(rule_id, variant="restart", facts=state.facts(), evidence=tuple(evidence + criteria))
    if state.dxa is None and ctx.as_of > state.dxa_due:
        return Recommendation(
            rule_id,
            variant="dxa-overdue",
            facts={**state.facts(), "since": state.dxa_due.isoformat()},
            evidence=tuple(evidence),
            suggestions=("dxa-vfa",),
        )
    if state.dxa is None and not state.lab_done and ctx.as_of > state.lab_due:
        return Recommendation(
            rule_id,
            variant="lab-overdue",
            facts={**state.facts(), "since": state.lab_due.isoformat()},
            evidence=tuple(evidence),
            suggestions=("lab",),
        )
    if bmd_unknown:
        return CannotAssess(
            rule_id, ("dmab-bmd-change",), variant="missing", facts=state.facts(), evidence=tuple(evidence)
        )
    return NotApplicable(rule_id, "no milestone overdue and no restart criterion")


# ----------------------------------------------------------------------------------------------------------------
# DMAB-EVAL-1
# ----------------------------------------------------------------------------------------------------------------


def _dmab_eval_1(ctx: RuleContext) -> Outcome:
    """«Advies richtlijn: Evalueer na 3-jaar Denosumab» (S1); «T-scores >-2.5 , geen botverlies >5% tov baseline +
    geen nieuwe fracturen of risicofactoren» … «Switch naar Bisfosfonaat» … «Continueer bij nog niet behaald
    behandeldoel» … «Na maximaal 10 jaar» … «Levenslang» (S4 Bijlage 8).

    When: on denosumab (patient-view) or ordering it (order-select), with ``DMAB_YEARS ≥ 3``. Then: no DXA since
    the 6th injection → warning "evaluate"; ≥ 10 years → info "lifelong vs switch via stop scheme"; a
    decision-grade evaluation DXA → info "may consolidate" when every T-score is > −2.5, no site lost > 5 % vs
    the pre-denosumab DXA and no fracture or risk factor is new since the first injection (prevalent VF is not an
    exclusion here, conflicts.md C-49), else info "continue" with the reasons. Injection history unknown → info.
    """
    rule_id = "DMAB-EVAL-1"
    snapshot = ctx.snapshot
    ordered = any(d.drug is Drug.DENOSUMAB and d.action is DraftAction.NEW for d in snapshot.draft_orders)
    if ctx.hook is Hook.PATIENT_VIEW and not snapshot.is_on(Drug.DENOSUMAB):
        return NotApplicable(rule_id, "not on denosumab")
    if ctx.hook is not Hook.PATIENT_VIEW and not ordered:
        return NotApplicable(rule_id, "no denosumab ordered")
    course = denosumab_course(snapshot)
    if course is None:
        return NotApplicable(rule_id, "first denosumab order")
    if course.last is None or course.first is None:
        return CannotAssess(rule_id, ("dmab-injection-history",), variant="duration-unknown")
    if course.years < DMAB_EVAL_YEARS.value:
        return NotApplicable(rule_id, f"denosumab {course.years:g} years")
    reached_on = course.episode_injections[int(DMAB_EVAL_YEARS.value * 12 / DMAB_INTERVAL_MONTHS.value) - 1].on.earliest
    evidence = course.evidence()
    study = snapshot.latest_dxa
    evaluated = study is not None and reached_on <= study.observed.earliest <= ctx.as_of
    if study is None or not evaluated:
        return Recommendation(rule_id, variant="due", evidence=tuple(evidence), suggestions=("dxa-vfa", "lab"))
    evidence.append(Evidence("dmab-evaluation-dxa", study.observed.earliest.isoformat()))
    evidence.extend(evaluation_t_score_evidence(study))
    facts = {"years": number(course.years)}
    if course.years >= DMAB_MAX_YEARS.value:
        return Recommendation(rule_id, variant="ten-years", facts=facts, evidence=tuple(evidence))
    if snapshot.dxa_status is not DxaStatus.DECISION_OK:
        return NotApplicable(rule_id, "evaluated since 3 years; the evaluation is older than the decision window")
    first = course.first
    reasons: list[Evidence] = []
    reasons.extend(
        evaluation_t_score_evidence(study, [t.site for t in t_scores_at_or_below(study, T_OSTEOPOROSIS.value)])
    )
    reasons.extend(evaluation_fracture_evidence(fractures_since(snapshot, first)))
    reasons.extend(new_risk_factors(snapshot, first))
    compared = bmd_losses(snapshot, bmd_baseline_on_or_before(snapshot, first), study)
    if compared is not None:
        changes, losses = compared
        evidence.extend(bmd_change_evidence(changes))
        reasons.extend(bmd_change_evidence(losses))
    if reasons:
        return Recommendation(
            rule_id, variant="continue", facts=facts, evidence=tuple(dict.fromkeys(evidence + reasons))
        )
    if compared is None:
        return CannotAssess(rule_id, ("dmab-bmd-change",), variant="incomplete", evidence=tuple(evidence))
    due = course.due()
    if due is not None and due < ctx.as_of:
        # Issue 16 (same class as DMAB-STOP-1): the next dose is already overdue, so "6 months after the last dose"
        # is a past date; the card names it and starts the consolidation today.
        facts.update(start=ctx.as_of.isoformat(), due=due.isoformat(), last=course.last.on.earliest.isoformat())
        return Recommendation(rule_id, variant="consolidate-overdue", facts=facts, evidence=tuple(evidence))
    facts["start"] = (due or ctx.as_of).isoformat()
    return Recommendation(rule_id, variant="consolidate", facts=facts, evidence=tuple(evidence))


_ALL_PROFILES = frozenset({"nl", "be"})

DMAB_START_1 = Rule(
    id="DMAB-START-1",
    title="Starting denosumab: long-term commitment and pre-checks",
    hooks=frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN}),
    profiles=_ALL_PROFILES,
    citations=(_S2_DMAB,),
    evaluate=_dmab_start_1,
)
DMAB_INTERVAL_1 = Rule(
    id="DMAB-INTERVAL-1",
    title="6-monthly dosing interval; overdue injection",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_ALL_PROFILES,
    citations=(_S2_DMAB,),
    evaluate=_dmab_interval_1,
)
DMAB_STOP_1 = Rule(
    id="DMAB-STOP-1",
    title="Order to stop denosumab without a transition plan",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN}),
    profiles=_ALL_PROFILES,
    citations=(_S1_DMAB, _S2_DMAB, _S4_FLOW_DMAB),
    evaluate=_dmab_stop_1,
)
DMAB_STOP_2 = Rule(
    id="DMAB-STOP-2",
    title="Stop scheme after < 3 years of denosumab",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),  # [NL]
    citations=(_S4_FLOW_DMAB,),
    evaluate=_dmab_stop_2,
)
DMAB_STOP_3 = Rule(
    id="DMAB-STOP-3",
    title="Stop scheme after ≥ 3 years of denosumab",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),  # [NL]
    citations=(_S4_FLOW_DMAB,),
    evaluate=_dmab_stop_3,
)
DMAB_EVAL_1 = Rule(
    id="DMAB-EVAL-1",
    title="Evaluation after 3 years of denosumab; continue vs consolidate",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_ALL_PROFILES,
    citations=(_S1_DMAB, _S4_FLOW_DMAB),
    evaluate=_dmab_eval_1,
)
DMAB_FU_1 = Rule(
    id="DMAB-FU-1",
    title="Follow-up after denosumab → bisphosphonate transition",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=frozenset({"nl"}),  # [NL]
    citations=(_S4_FLOW_DMAB,),
    evaluate=_dmab_fu_1,
)

RULES: tuple[Rule, ...] = (
    DMAB_STOP_1,
    DMAB_INTERVAL_1,
    DMAB_START_1,
    DMAB_EVAL_1,
    DMAB_STOP_2,
    DMAB_STOP_3,
    DMAB_FU_1,
)
"""The implemented rules of this family, in evaluation order (the critical safety rules first)."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
