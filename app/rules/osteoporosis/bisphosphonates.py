"""Bisphosphonate evaluation, drug holiday and restart (rules.md §10; S4 Bijlage 8 flowchart 1, reconstructed §9.0).

The flow: after 5 years of alendronate/risedronate or 3 yearly zoledronate infusions, evaluate (risk factors, lab,
DXA + VFA) — BP-EVAL-1; stop for a drug holiday when every criterion is met (BP-HOLIDAY-1), otherwise continue up
to 10 years / 6 infusions (BP-CONT-1, BP-MAX-1); during the holiday, follow up after 2 (oral) / 3 (zoledronate)
years and then every 2–3 years (BP-FU-1), and restart on any restart criterion (BP-RESTART-1).

Operational choices, each documented where it is made:

- A *course* is the latest episode of oral bisphosphonate (alendronate + risedronate covered days, rules.md D-BP)
  or of zoledronate (``ZOL_COUNT`` = dated 5 mg infusions in the episode), whichever ended last. Ibandronate is
  not covered (conflicts.md C-23).
- The *evaluation DXA* is the latest DXA taken no earlier than ``DXA_DECISION_MAX_AGE_M`` before the evaluation
  point (so a DXA a few weeks before the 5-year date counts, vignettes.md V28). VFA has no verified code
  (terminology.md has none): a DXA study stands for the DXA + VFA examination (VFA-1: a VFA with every DXA), and
  its result is read from the vertebral-fracture conditions. Lab results are suggested, not required to decide.
- The helpers at the top (evaluation criteria, new risk factors, BMD change) are shared with the denosumab rules,
  whose flowchart refers to this one («Voor evaluatie therapie zie flow bisfosfonaten»).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

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
from app.rules.osteoporosis.evidence import (
    bmd_change_evidence,
    evaluation_fracture_evidence,
    evaluation_t_score_evidence,
    number,
)
from app.rules.osteoporosis.predicates import (
    DIAGNOSTIC_SITES,
    bmd_baseline_on_or_before,
    bmd_losses,
    fractures_since,
    new_risk_factors,
    t_scores_at_or_below,
)
from app.rules.osteoporosis.thresholds import (
    BP_EVAL_INFUSIONS_ZOLEDRONATE,
    BP_EVAL_YEARS_ORAL,
    BP_FU_LEAD_MONTHS,
    BP_MAX_INFUSIONS_ZOLEDRONATE,
    BP_MAX_YEARS_ORAL,
    T_OSTEOPOROSIS,
    ZOLEDRONATE_HOLIDAY_START_MONTHS,
)
from app.snapshot.model import (
    Administration,
    BoneSite,
    ClinicalSnapshot,
    DraftAction,
    Drug,
    DxaStatus,
    DxaStudy,
    FractureSite,
    TherapyEpisode,
    add_months,
    add_years,
    derived_fact,
    shift_days,
)

__all__ = [
    "BP_CONT_1",
    "BP_EVAL_1",
    "BP_FU_1",
    "BP_HOLIDAY_1",
    "BP_MAX_1",
    "BP_RESTART_1",
    "EXCLUDED",
    "RULES",
    "BisphosphonateCourse",
    "BpAgent",
    "latest_course",
]

_S4_FLOW_BP = Citation(
    source="S4",
    seed="004_9931701446fad2f5.txt",
    section="Bijlage 8, flowchart «Evaluatie patiënt op therapie na: Alendroninezuur/Risedroninezuur 5 jaar, "
    "Zoledroninezuur 3 jaar»",
    catalog="rules.md §10 (reconstruction §9.0)",
)
_S2_HOLIDAY = Citation(
    source="S2",
    seed="002_d2419872b4f3ee7d.txt",
    section="BBC review: duur van de behandeling, therapiepauze",
    catalog="rules.md §10 BP-HOLIDAY-1, BP-CONT-1, BP-MAX-1",
)
_S1_TAKE_HOME = Citation(
    source="S1",
    seed="001_2eaa9cda53165842.txt",
    section="Take home «5-jaar behandeling met bisfosfonaten, is soms niet voldoende»",
    catalog="rules.md §10 BP-EVAL-1",
)

_ORAL = (Drug.ALENDRONATE, Drug.RISEDRONATE)
_HIP_SITES = (BoneSite.FEMORAL_NECK, BoneSite.TOTAL_HIP)
# D-NEWRF: risk factors of S2 Tabel 1 / the S1 secondary-osteoporosis list that the snapshot can date.


# ----------------------------------------------------------------------------------------------------------------
# Shared evaluation helpers (also used by the denosumab rules)
# ----------------------------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------------------------
# The bisphosphonate course (rules.md D-BP)
# ----------------------------------------------------------------------------------------------------------------


class BpAgent(StrEnum):
    """The two bisphosphonate schedules of the flowchart."""

    ORAL = "oral"
    ZOLEDRONATE = "zoledronate"


@dataclass(frozen=True, slots=True)
class BisphosphonateCourse:
    """The latest bisphosphonate episode: oral (alendronate + risedronate) or zoledronate."""

    agent: BpAgent
    episode: TherapyEpisode
    infusions: tuple[Administration, ...]
    """Dated zoledronate infusions in the episode (``ZOL_COUNT``); empty for oral courses."""
    latest_start: date
    """The latest possible first day (differs from ``episode.start`` when the start date was partial)."""

    def _oral_reached(self, years: int, start: date) -> bool:
        covered = self.episode.covered_days - (start - self.episode.start).days
        return shift_days(start, covered - 1) >= add_years(start, years)

    def reached(self, *, oral_years: int, infusions: int) -> bool | None:
        """Has the course reached the threshold? ``None`` when a partial start date straddles it."""
        if self.agent is BpAgent.ZOLEDRONATE:
            return len(self.infusions) >= infusions
        earliest = self._oral_reached(oral_years, self.episode.start)
        latest = self._oral_reached(oral_years, self.latest_start)
        return earliest if earliest == latest else None

    def reached_on(self, *, oral_years: int, infusions: int) -> date:
        """The day the threshold was (or will be) reached: start + N calendar years (+ inner gaps) for oral; the
        N-th infusion for zoledronate (only meaningful when that many were given)."""
        if self.agent is BpAgent.ZOLEDRONATE:
            return self.infusions[min(infusions, len(self.infusions)) - 1].on.earliest
        return shift_days(add_years(self.episode.start, oral_years), self.episode.gap_days)

    @property
    def holiday_start(self) -> date:
        """rules.md D-BP ``BP_HOLIDAY_START`` without a documented stop: the last covered day (oral) or the last
        infusion + 12 months (zoledronate) [NIS]."""
        if self.agent is BpAgent.ZOLEDRONATE and self.infusions:
            return add_months(self.infusions[-1].on.earliest, int(ZOLEDRONATE_HOLIDAY_START_MONTHS.value))
        return self.episode.end

    def evidence(self, days_per_year: float) -> list[Evidence]:
        """The course as evidence lines; oral years in the snapshot's year (``ClinicalSnapshot.days_per_year``)."""
        if self.agent is BpAgent.ZOLEDRONATE:
            last = self.infusions[-1] if self.infusions else None
            return [
                Evidence(
                    "bp-zoledronate-infusions",
                    str(len(self.infusions)),
                    last.on.earliest if last else None,
                    last.sources[0].reference() if last else None,
                )
            ]
        years = self.episode.covered_days / days_per_year
        return [
            Evidence("bp-oral-start", self.episode.start.isoformat()),
            Evidence("bp-oral-years", number(round(years, 1))),
        ]


@derived_fact
def latest_course(snapshot: ClinicalSnapshot) -> BisphosphonateCourse | None:
    """The oral or zoledronate course that ended last (``None`` when neither was ever recorded with dates)."""
    courses: list[BisphosphonateCourse] = []
    oral = snapshot.episodes_of(*_ORAL)
    if oral:
        episode = oral[-1]
        latest = episode.start
        if not episode.start_is_exact:
            for drug in _ORAL:
                history = snapshot.therapy(drug)
                for record in history.records if history else ():
                    if record.coverage and record.coverage.start == episode.start and record.start:
                        latest = max(latest, record.start.latest)
        courses.append(BisphosphonateCourse(BpAgent.ORAL, episode, (), latest))
    zoledronate = snapshot.therapy(Drug.ZOLEDRONATE)
    if zoledronate and zoledronate.episodes:
        episode = zoledronate.episodes[-1]
        infusions = tuple(a for a in zoledronate.administrations if episode.start <= a.on.earliest <= episode.end)
        courses.append(BisphosphonateCourse(BpAgent.ZOLEDRONATE, episode, infusions, episode.start))
    if not courses:
        return None
    return max(courses, key=lambda c: (c.episode.end, c.agent is BpAgent.ZOLEDRONATE))


def _is_agent(drug: Drug | None, agent: BpAgent) -> bool:
    if drug is None:
        return False
    return drug is Drug.ZOLEDRONATE if agent is BpAgent.ZOLEDRONATE else drug in _ORAL


def _first_follow_up_years(ctx: RuleContext, agent: BpAgent) -> int:
    """rules.md §2 ``BP_HOLIDAY_FU_Y`` (conflicts.md C-24): oral 2 (NL) / 5 (BE), zoledronate 3."""
    params = ctx.parameters.for_profile(ctx.profile)
    oral = params.bp_holiday_followup_years_oral
    if agent is BpAgent.ZOLEDRONATE or oral is None:  # for_profile always resolves the oral value
        return params.bp_holiday_followup_years_zoledronate
    return oral


def _drafted(ctx: RuleContext, agent: BpAgent) -> bool:
    return any(_is_agent(d.drug, agent) for d in ctx.snapshot.draft_orders if d.action is DraftAction.NEW)


def _drafted_any_bp(ctx: RuleContext) -> bool:
    return _drafted(ctx, BpAgent.ORAL) or _drafted(ctx, BpAgent.ZOLEDRONATE)


# ----------------------------------------------------------------------------------------------------------------
# Evaluation phase (BP-EVAL-1, BP-HOLIDAY-1, BP-CONT-1, BP-MAX-1)
# ----------------------------------------------------------------------------------------------------------------


class _Phase(StrEnum):
    NOT_DUE = "not-due"
    DURATION_UNKNOWN = "duration-unknown"
    DUE = "due"
    HOLIDAY = "holiday"
    HOLIDAY_UNASSESSABLE = "holiday-unassessable"
    CONTINUE = "continue"
    MAX_REACHED = "max-reached"


@dataclass(frozen=True, slots=True)
class _Evaluation:
    phase: _Phase
    course: BisphosphonateCourse
    evidence: tuple[Evidence, ...] = ()
    failures: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    evaluation_dxa: DxaStudy | None = None
    follow_up: date | None = None


@context_fact
def _evaluation(ctx: RuleContext) -> _Evaluation | str:
    """The evaluation phase of the current course, or why the patient is not in the evaluation population."""
    snapshot = ctx.snapshot
    course = latest_course(snapshot)
    if course is None:
        return "no oral bisphosphonate or zoledronate course"
    episode = course.episode
    recent = episode.is_ongoing or (ctx.as_of - episode.end).days <= snapshot.therapy_gap_days
    if not recent:
        return f"last bisphosphonate course ended {episode.end} (holiday or stop: BP-FU-1 / BP-RESTART-1)"
    if ctx.hook is not Hook.PATIENT_VIEW and not _drafted(ctx, course.agent):
        return "no draft order renewing this bisphosphonate"

    evidence = course.evidence(snapshot.days_per_year)
    oral_max, zol_max = int(BP_MAX_YEARS_ORAL.value), int(BP_MAX_INFUSIONS_ZOLEDRONATE.value)
    if course.reached(oral_years=oral_max, infusions=zol_max):
        return _Evaluation(_Phase.MAX_REACHED, course, tuple(evidence))
    oral_eval, zol_eval = int(BP_EVAL_YEARS_ORAL.value), int(BP_EVAL_INFUSIONS_ZOLEDRONATE.value)
    if course.agent is BpAgent.ZOLEDRONATE and not course.infusions:
        return _Evaluation(_Phase.DURATION_UNKNOWN, course, tuple(evidence), missing=("bp-zoledronate-infusions",))
    reached = course.reached(oral_years=oral_eval, infusions=zol_eval)
    if reached is None:
        return _Evaluation(_Phase.DURATION_UNKNOWN, course, tuple(evidence), missing=("bp-therapy-start",))
    if not reached:
        return _Evaluation(_Phase.NOT_DUE, course, tuple(evidence))

    reached_on = course.reached_on(oral_years=oral_eval, infusions=zol_eval)
    window = add_months(reached_on, -snapshot.dxa_decision_max_age_months)
    study = snapshot.latest_dxa
    if study is None or study.observed.earliest < window or study.observed.earliest > ctx.as_of:
        return _Evaluation(_Phase.DUE, course, tuple(evidence))

    hip_only = ctx.parameters.bp_holiday_t_sites == "hip"
    sites = _HIP_SITES if hip_only else DIAGNOSTIC_SITES
    evidence.append(Evidence("bp-evaluation-dxa", study.observed.earliest.isoformat()))
    evidence.extend(evaluation_t_score_evidence(study, sites))
    failures: list[Evidence] = []
    missing: list[str] = []
    if not any(study.t_score(site) for site in sites):
        missing.append("bp-evaluation-t-scores")
    failures.extend(
        evaluation_t_score_evidence(study, [t.site for t in t_scores_at_or_below(study, T_OSTEOPOROSIS.value, sites)])
    )
    failures.extend(evaluation_fracture_evidence(fractures_since(snapshot, episode.start)))
    failures.extend(
        evaluation_fracture_evidence(
            f for f in snapshot.vertebral_fractures if f not in fractures_since(snapshot, episode.start)
        )
    )
    if not hip_only:
        compared = bmd_losses(snapshot, bmd_baseline_on_or_before(snapshot, episode.start), study)
        if compared is None:
            missing.append("bp-bmd-change")
        else:
            changes, losses = compared
            evidence.extend(bmd_change_evidence(changes))
            failures.extend(bmd_change_evidence(losses))
        failures.extend(new_risk_factors(snapshot, episode.start))
    follow_up = add_years(course.holiday_start, _first_follow_up_years(ctx, course.agent))
    if failures:
        phase = _Phase.CONTINUE
    elif missing:
        phase = _Phase.HOLIDAY_UNASSESSABLE
    elif snapshot.dxa_status is DxaStatus.DECISION_OK:
        phase = _Phase.HOLIDAY
    else:
        phase = _Phase.DUE  # the evaluation is older than DXA_DECISION_MAX_AGE_M: no stop advice on it
    return _Evaluation(
        phase,
        course,
        tuple(evidence),
        failures=tuple(failures),
        missing=tuple(missing),
        evaluation_dxa=study,
        follow_up=follow_up,
    )


_EVAL_SUGGESTIONS = ("dxa-vfa", "lab")


def _bp_eval_1(ctx: RuleContext) -> Outcome:
    """«Evaluatie patiënt op therapie na: Alendroninezuur/Risedroninezuur 5 jaar, Zoledroninezuur 3 jaar» …
    «Klinische risicofactoren, Lab, DXA+VFA voor beslissing stoppen/continueren/switchen van therapie»
    (S4 Bijlage 8); «5-jaar behandeling met bisfosfonaten, is soms niet voldoende» (S1).

    When: 5 years of oral bisphosphonate (calendar arithmetic, exactly 5.0 is due) or 3 zoledronate infusions,
    in patient-view or when the next supply / 4th infusion is ordered, and no evaluation DXA since
    ``DXA_DECISION_MAX_AGE_M`` before that point. Then: evaluate before continuing or stopping (warning). With a
    complete evaluation BP-HOLIDAY-1 / BP-CONT-1 answer instead. Start unknown → info "duration unknown".
    """
    rule_id = "BP-EVAL-1"
    state = _evaluation(ctx)
    if isinstance(state, str):
        return NotApplicable(rule_id, state)
    if state.phase is _Phase.DURATION_UNKNOWN:
        return CannotAssess(rule_id, state.missing, variant="missing", evidence=state.evidence)
    if state.phase is not _Phase.DUE:
        return NotApplicable(rule_id, f"evaluation phase {state.phase}")
    return Recommendation(
        rule_id, variant=state.course.agent.value, evidence=state.evidence, suggestions=_EVAL_SUGGESTIONS
    )


def _bp_holiday_1(ctx: RuleContext) -> Outcome:
    """«T-scores >-2.5 , geen botverlies >5% tov baseline en geen nieuwe fracturen/prevalente WF of
    risicofactoren» → «Stop bisfosfonaat» (S4 Bijlage 8).

    When: the evaluation is complete and every measured T-score (LS, FN, TH; hip only with
    ``BP_HOLIDAY_T_SITES=hip``) is > −2.5, no site lost > 5 % BMD against the pre-treatment DXA, no fracture since
    the course began, no prevalent vertebral fracture and no new risk factor. Then: stop (drug holiday), follow up
    with DXA + VFA + lab after 2 (oral) / 3 (zoledronate) years (info). Any criterion not evaluable → no stop
    advice: warning "holiday cannot be assessed".
    """
    rule_id = "BP-HOLIDAY-1"
    state = _evaluation(ctx)
    if isinstance(state, str):
        return NotApplicable(rule_id, state)
    if state.phase is _Phase.HOLIDAY_UNASSESSABLE:
        return CannotAssess(rule_id, state.missing, variant="missing", evidence=state.evidence)
    if state.phase is not _Phase.HOLIDAY or state.follow_up is None:
        return NotApplicable(rule_id, f"evaluation phase {state.phase}")
    return Recommendation(
        rule_id,
        variant=state.course.agent.value,
        facts={"follow_up": state.follow_up.isoformat()},
        evidence=state.evidence,
        suggestions=("follow-up",),
    )


def _bp_cont_1(ctx: RuleContext) -> Outcome:
    """«In alle andere gevallen is het aangewezen om alendronaat te continueren tot 10 jaar therapie of
    intraveneus zoledronaat tot 6 jaar» (S2); «Anders continueer» … «Na maximaal 2 behandelcycli van 3-5 jaar»
    (S4 Bijlage 8).

    When: the evaluation is complete and a holiday criterion is not met (any T ≤ −2.5, loss > 5 %, new or
    prevalent fracture, new risk factor). Then: continue up to 10 years oral / 6 infusions (info), with the
    failing findings as evidence. In patient-view only while the evaluation DXA is decision-grade (≤ 12 months).
    """
    rule_id = "BP-CONT-1"
    state = _evaluation(ctx)
    if isinstance(state, str):
        return NotApplicable(rule_id, state)
    if state.phase is not _Phase.CONTINUE:
        return NotApplicable(rule_id, f"evaluation phase {state.phase}")
    if ctx.hook is Hook.PATIENT_VIEW and ctx.snapshot.dxa_status is not DxaStatus.DECISION_OK:
        return NotApplicable(rule_id, "continuation decided on an evaluation older than the decision window")
    return Recommendation(rule_id, variant=state.course.agent.value, evidence=state.evidence + state.failures)


def _bp_max_1(ctx: RuleContext) -> Outcome:
    """«Een bijkomende verlenging van 6 naar 9 jaarlijkse toedieningen van zoledronaat toonde daarentegen geen
    bijkomende fractuurreductie» (S2); «Na maximaal 2 behandelcycli van 3-5 jaar» (S4 Bijlage 8).

    When: 10 years of oral bisphosphonate (calendar arithmetic) or 6 zoledronate infusions, in patient-view or
    when a further supply / infusion is ordered. Then: warning — re-evaluate; stop with holiday follow-up or
    second-line therapy (specialist) [INF, conflicts.md C-26].
    """
    rule_id = "BP-MAX-1"
    state = _evaluation(ctx)
    if isinstance(state, str):
        return NotApplicable(rule_id, state)
    if state.phase is not _Phase.MAX_REACHED:
        return NotApplicable(rule_id, f"evaluation phase {state.phase}")
    return Recommendation(rule_id, variant=state.course.agent.value, evidence=state.evidence, suggestions=("dxa-vfa",))


# ----------------------------------------------------------------------------------------------------------------
# Drug holiday (BP-FU-1, BP-RESTART-1)
# ----------------------------------------------------------------------------------------------------------------


def _holiday(ctx: RuleContext) -> BisphosphonateCourse | str:
    """The course whose drug holiday is running, or why there is none."""
    snapshot = ctx.snapshot
    course = latest_course(snapshot)
    if course is None:
        return "no oral bisphosphonate or zoledronate course"
    if course.episode.is_ongoing:
        return "bisphosphonate course ongoing"
    if any(h.drug.is_osteoporosis_drug and h.is_current for h in snapshot.therapies):
        return "on another osteoporosis drug"  # recorded therapy only: a drafted bisphosphonate is a restart
    completed = course.reached(
        oral_years=int(BP_EVAL_YEARS_ORAL.value), infusions=int(BP_EVAL_INFUSIONS_ZOLEDRONATE.value)
    )
    if not completed:
        return "the course ended before the evaluation point: not a drug holiday of the flowchart"
    if course.holiday_start > ctx.as_of:
        return f"holiday starts {course.holiday_start}"
    evaluation = _evaluation(ctx)
    if isinstance(evaluation, _Evaluation) and evaluation.phase is not _Phase.HOLIDAY:
        # Still in the evaluation window and the evaluation has not decided a holiday (continue, due, cannot be
        # assessed, maximum reached): a continue decision never comes with restart advice.
        return f"evaluation phase {evaluation.phase}: no drug holiday decided"
    return course


def _bp_fu_1(ctx: RuleContext) -> Outcome:
    """«Follow up: Alendroninezuur/Risedroninezuur:2 jaar, Zoledroninezuur: 3 jaar» … «DXA+VFA+Lab» … «Follow up
    om de 2-3 jaar met DXA+VFA» (S4 Bijlage 8).

    When: a drug holiday runs (the last course reached its evaluation point and ended; no osteoporosis drug now).
    Holiday start = last covered day (oral) / last infusion + 12 months (zoledronate) [NIS]. First follow-up at
    +2 years (oral; BE profile 5) / +3 years (zoledronate), later ones ``BP_HOLIDAY_REPEAT_FU_Y`` after the last
    follow-up DXA. Then: warning from the due date on; info within 3 months before it [NIS].
    """
    rule_id = "BP-FU-1"
    course = _holiday(ctx)
    if isinstance(course, str):
        return NotApplicable(rule_id, course)
    snapshot = ctx.snapshot
    params = ctx.parameters.for_profile(ctx.profile)
    start = course.holiday_start
    follow_ups = snapshot.dxa_after(start)
    evidence = course.evidence(snapshot.days_per_year) + [Evidence("bp-holiday-start", start.isoformat())]
    years: int
    if follow_ups:
        last = follow_ups[-1].observed.earliest
        years = params.bp_holiday_repeat_followup_years
        due = add_years(last, years)
        evidence.append(Evidence("bp-holiday-last-follow-up", last.isoformat()))
    else:
        years = _first_follow_up_years(ctx, course.agent)
        due = add_years(start, years)
    facts = {"since": start.isoformat(), "due": due.isoformat(), "years": str(years)}
    if ctx.as_of >= due:
        return Recommendation(rule_id, variant="due", facts=facts, evidence=tuple(evidence), suggestions=("follow-up",))
    if ctx.as_of >= add_months(due, -int(BP_FU_LEAD_MONTHS.value)):
        return Recommendation(
            rule_id, variant="upcoming", facts=facts, evidence=tuple(evidence), suggestions=("follow-up",)
        )
    return NotApplicable(rule_id, f"next holiday follow-up due {due}")


def _bp_restart_1(ctx: RuleContext) -> Outcome:
    """«Indien: T-score ≤-2.5 Of botverlies >5% tov baseline Of niet-wervel fractuur Of nieuwe risicofactoren» →
    «Herstart therapie» (S4 Bijlage 8).

    When: during a drug holiday, any of: a T-score (LS, FN, TH) ≤ −2.5 on a DXA after the holiday start; BMD loss
    > 5 % against the DXA at holiday start (``BMD_BASELINE_REF=mixed``) or the pre-treatment DXA; a non-vertebral
    fracture since the holiday start; a new risk factor (a new vertebral fracture, a (re)start of systemic
    glucocorticoids, a new risk-factor condition). Then: restart (warning). A bisphosphonate ordered without any
    criterion: info "no restart criterion found"; without a follow-up DXA to judge: the missing-data card.
    """
    rule_id = "BP-RESTART-1"
    course = _holiday(ctx)
    if isinstance(course, str):
        return NotApplicable(rule_id, course)
    if ctx.hook is not Hook.PATIENT_VIEW and not _drafted_any_bp(ctx):
        return NotApplicable(rule_id, "no bisphosphonate ordered")
    snapshot = ctx.snapshot
    start = course.holiday_start
    evidence: list[Evidence] = [Evidence("bp-holiday-start", start.isoformat())]
    criteria: list[Evidence] = []
    missing: list[str] = []
    new = fractures_since(snapshot, start)
    criteria.extend(evaluation_fracture_evidence(f for f in new if f.site is not FractureSite.VERTEBRAL))
    criteria.extend(evaluation_fracture_evidence(f for f in new if f.site is FractureSite.VERTEBRAL))
    criteria.extend(new_risk_factors(snapshot, start))
    follow_ups = snapshot.dxa_after(start)
    if follow_ups:
        study = follow_ups[-1]
        evidence.append(Evidence("bp-evaluation-dxa", study.observed.earliest.isoformat()))
        evidence.extend(evaluation_t_score_evidence(study))
        criteria.extend(
            evaluation_t_score_evidence(study, [t.site for t in t_scores_at_or_below(study, T_OSTEOPOROSIS.value)])
        )
        reference = start if ctx.parameters.bmd_baseline_ref == "mixed" else course.episode.start
        compared = bmd_losses(snapshot, bmd_baseline_on_or_before(snapshot, reference), study)
        if compared is None:
            missing.append("bp-bmd-change")
        else:
            changes, losses = compared
            evidence.extend(bmd_change_evidence(changes))
            criteria.extend(bmd_change_evidence(losses))
    else:
        missing.append("bp-holiday-follow-up-dxa")
    if criteria:
        return Recommendation(rule_id, variant="restart", evidence=tuple(evidence + criteria), suggestions=())
    if ctx.hook is Hook.PATIENT_VIEW and not follow_ups:
        return NotApplicable(rule_id, "no new DXA, fracture or risk factor since the holiday start (BP-FU-1)")
    if missing:
        return CannotAssess(rule_id, tuple(missing), variant="missing", evidence=tuple(evidence))
    if ctx.hook is Hook.PATIENT_VIEW:
        return NotApplicable(rule_id, "no restart criterion on the follow-up data")
    return Recommendation(rule_id, variant="no-criterion", evidence=tuple(evidence))


_ALL_HOOKS = frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT, Hook.ORDER_SIGN})
_ALL_PROFILES = frozenset({"nl", "be"})

BP_EVAL_1 = Rule(
    id="BP-EVAL-1",
    title="Standard evaluation after 5 years (alendronate/risedronate) or 3 years (zoledronate)",
    hooks=_ALL_HOOKS,
    profiles=_ALL_PROFILES,
    citations=(_S4_FLOW_BP, _S1_TAKE_HOME),
    evaluate=_bp_eval_1,
)
BP_HOLIDAY_1 = Rule(
    id="BP-HOLIDAY-1",
    title="Drug-holiday criteria met → stop bisphosphonate",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_ALL_PROFILES,
    citations=(_S4_FLOW_BP, _S2_HOLIDAY),
    evaluate=_bp_holiday_1,
)
BP_CONT_1 = Rule(
    id="BP-CONT-1",
    title="Holiday criteria not met → continue (up to 10 y oral / 6 y zoledronate)",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_ALL_PROFILES,
    citations=(_S2_HOLIDAY, _S4_FLOW_BP),
    evaluate=_bp_cont_1,
)
BP_MAX_1 = Rule(
    id="BP-MAX-1",
    title="Maximum bisphosphonate duration reached (2 cycles)",
    hooks=_ALL_HOOKS,
    profiles=_ALL_PROFILES,
    citations=(_S2_HOLIDAY, _S4_FLOW_BP),
    evaluate=_bp_max_1,
)
BP_FU_1 = Rule(
    id="BP-FU-1",
    title="Follow-up during bisphosphonate drug holiday",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    profiles=_ALL_PROFILES,
    citations=(_S4_FLOW_BP, _S2_HOLIDAY),
    evaluate=_bp_fu_1,
)
BP_RESTART_1 = Rule(
    id="BP-RESTART-1",
    title="Restart criteria during drug holiday",
    hooks=frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT}),
    profiles=_ALL_PROFILES,
    citations=(_S4_FLOW_BP,),
    evaluate=_bp_restart_1,
)

RULES: tuple[Rule, ...] = (BP_MAX_1, BP_EVAL_1, BP_HOLIDAY_1, BP_CONT_1, BP_RESTART_1, BP_FU_1)
"""The implemented rules of this family, in evaluation order."""

EXCLUDED: Mapping[str, str] = {}
"""Catalog rule IDs of this family that are deliberately not rules, with the reason (e.g. a derived variable)."""
