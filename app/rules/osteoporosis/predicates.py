"""Shared clinical predicates of the osteoporosis rules: every clinical concept that more than one rule family needs,
defined once as a named clause. A family imports these from here and never imports another family
(tests/test_import_boundaries.py): copies of one concept in two families had drifted apart.

- Recent fracture: :func:`is_recent_fracture`, :func:`has_recent_fracture`,
  :func:`recent_major_osteoporotic_fractures` (rules.md §2 ``RECENT_FX_YEARS`` / ``RECENT_FX_INCLUSIVE``,
  conflicts.md C-07; the one window, a guideline setting).
- Qualifying vertebral fracture: :func:`qualifying_vertebral_fractures` (rules.md D-VF, Genant grade ≥ 2 or unstated
  grade: a recorded vertebral fracture is not assumed to be mild), :func:`vertebral_fractures` (the counts by grade
  of the anabolic criteria).
- T-score at or below a cut-off at given sites: :func:`t_scores_at_or_below` (``DIAGNOSTIC_SITES`` by default),
  :func:`low_t_spine_or_hip`, :func:`is_osteoporotic_t_score` (``T_OP_CUTOFF``, C-01), :func:`dx_class`.
- On or recently off denosumab: :func:`denosumab_before_teriparatide` (CI-TPTD-1, C-30),
  :func:`is_on_or_after_denosumab`, :func:`last_denosumab_injection`, :func:`last_exposure`.
- Glucocorticoid stop: :func:`stopped_glucocorticoid_course` and :func:`gc_stop_criteria` (GC-STOP-1 continuation
  criteria, also the DMAB-STOP-1 denosumab exception of rules.md §14.3, so both rules decide a patient alike);
  :func:`gc_duration_met` (``GC_MIN_DURATION_M``, C-06).
- Risk class: :func:`assess_bbc_risk`, :func:`in_bbc_population` (RISK-BBC-1).
- Contraindications: :func:`contraindicated_drugs` (§6, the drug filter of §14.4), :func:`cardiovascular_events`,
  :func:`teriparatide_contraindications`, :func:`hypocalcaemia`.
- Therapy failure and evaluation: :func:`fractures_on_antiresorptive`, :func:`fractures_since`, :func:`bmd_losses`,
  :func:`bmd_baseline_on_or_before`, :func:`new_risk_factors`, the anabolic BMD/VF criteria
  (:func:`romosozumab_bmd_vf_criteria`, :func:`teriparatide_bmd_vf_criteria`).
- Intolerance: :func:`oral_bisphosphonate_intolerance`, :func:`only_oral_solution`.

How a shared datum is shown under "data used" is :mod:`app.rules.osteoporosis.evidence`; the numbers are rows of the
parameter table :mod:`app.rules.osteoporosis.thresholds`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from app.rules.model import (
    Evidence,
)
from app.rules.osteoporosis.thresholds import (
    BMD_LOSS_PCT,
    DMAB_INTERVAL_MONTHS,
    EGFR_CI_ORAL_BP,
    EGFR_SEVERE,
    FAILURE_MIN_THERAPY,
    GC_MIN_DURATION,
    ROMO_PLAN_T_HIP_TWO_VF,
    T_NORMAL,
    T_OSTEOPOROSIS,
    T_VERY_HIGH,
    TPTD_T_MIN,
    VF_GRADE_SEVERE,
    VF_MIN_GRADE,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import (
    BmdChange,
    BoneSite,
    ClinicalSnapshot,
    ConditionFact,
    ConditionKind,
    DraftOrder,
    Drug,
    DrugIntolerance,
    DxaStatus,
    DxaStudy,
    Fracture,
    LabResult,
    LabTest,
    Sex,
    TScore,
    add_months,
    add_years,
    any_of3,
    derived_fact,
)

__all__ = [
    "ANTIRESORPTIVES",
    "BbcRisk",
    "DenosumabBeforeTeriparatide",
    "DxClass",
    "FracturesOnTherapy",
    "GcStopCriteria",
    "ORAL_BISPHOSPHONATES",
    "OralBisphosphonateIntolerance",
    "RiskClass",
    "StoppedGlucocorticoidCourse",
    "TeriparatideContraindications",
    "VertebralFractures",
    "assess_bbc_risk",
    "bmd_baseline_on_or_before",
    "bmd_losses",
    "cardiovascular_events",
    "contraindicated_drugs",
    "current_antiresorptive",
    "denosumab_before_teriparatide",
    "dx_class",
    "fractures_on_antiresorptive",
    "fractures_since",
    "gc_duration_met",
    "gc_stop_criteria",
    "has_cv_contraindication",
    "has_recent_fracture",
    "in_bbc_population",
    "is_on_or_after_denosumab",
    "is_osteoporotic_t_score",
    "is_recent_fracture",
    "last_denosumab_injection",
    "last_exposure",
    "low_t_spine_or_hip",
    "new_risk_factors",
    "only_oral_solution",
    "oral_bisphosphonate_intolerance",
    "qualifying_vertebral_fractures",
    "recent_major_osteoporotic_fractures",
    "recorded_falls_past_year",
    "romosozumab_bmd_vf_criteria",
    "stopped_glucocorticoid_course",
    "t_scores_at_or_below",
    "teriparatide_bmd_vf_criteria",
    "teriparatide_contraindications",
    "usable_dxa",
    "vertebral_fractures",
]

_GLUCOCORTICOIDS = tuple(drug for drug in Drug if drug.is_glucocorticoid)


def is_recent_fracture(fracture: Fracture, as_of: date, parameters: GuidelineParameters) -> bool | None:
    """rules.md D-FX-RECENT: the fracture date within ``RECENT_FX_YEARS`` of ``as_of``, inclusive by default
    (``RECENT_FX_INCLUSIVE``, C-07). ``None`` when a partial date straddles the edge, or the onset is unknown and
    the record date does not exclude it (a fracture recorded before the window cannot be recent)."""
    edge = add_years(as_of, -parameters.recent_fx_years)
    first_recent_day = edge if parameters.recent_fx_inclusive else edge + timedelta(days=1)
    if fracture.date is not None:
        return fracture.date.is_on_or_after(first_recent_day)
    if fracture.recorded is not None and fracture.recorded.latest < first_recent_day:
        return False  # the onset is on or before the recorded date
    return None


def has_recent_fracture(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> bool | None:
    """rules.md D-FX-RECENT: any non-pathological fracture within the recent window (``None``: only uncertain)."""
    return any_of3(is_recent_fracture(f, snapshot.as_of, parameters) for f in snapshot.fractures)


def recent_major_osteoporotic_fractures(
    snapshot: ClinicalSnapshot, parameters: GuidelineParameters
) -> tuple[tuple[Fracture, ...], bool]:
    """rules.md DX-MOF-1 ``MOF_RECENT``: ``(certain, uncertain)`` — the major osteoporotic fractures certainly in
    the recent window, and whether another fracture may be one (site or age unknown, or date straddling)."""
    as_of = snapshot.as_of
    certain = tuple(
        f for f in snapshot.fractures if f.is_major_osteoporotic and is_recent_fracture(f, as_of, parameters)
    )
    uncertain = not certain and any(
        f.is_major_osteoporotic is not False and is_recent_fracture(f, as_of, parameters) is not False
        for f in snapshot.fractures
    )
    return certain, uncertain


def is_osteoporotic_t_score(t: float, parameters: GuidelineParameters) -> bool:
    """rules.md §2 ``T_OP_CUTOFF``: osteoporosis at T ≤ −2.5 (``t_op_cutoff_inclusive``, the default) or T < −2.5."""
    return t <= T_OSTEOPOROSIS.value if parameters.t_op_cutoff_inclusive else t < T_OSTEOPOROSIS.value


def qualifying_vertebral_fractures(snapshot: ClinicalSnapshot) -> tuple[Fracture, ...]:
    """Vertebral fractures of grade ≥ ``VF_MIN_GRADE`` (2), or of unstated grade."""
    return tuple(
        f for f in snapshot.vertebral_fractures if f.vertebral_grade is None or f.vertebral_grade >= VF_MIN_GRADE.value
    )


def low_t_spine_or_hip(study: DxaStudy, cutoff: float) -> bool | None:
    """T ≤ ``cutoff`` in the lumbar spine and/or hip (femoral neck or total hip); ``None`` when none of them was
    measured."""
    scores: list[TScore] = [t for t in (study.t_lumbar_spine, study.t_hip) if t is not None]
    if not scores:
        return None
    return any(t.value <= cutoff for t in scores)


@dataclass(frozen=True, slots=True)
class StoppedGlucocorticoidCourse:
    """A systemic glucocorticoid course that has ended: its first day and its stop day."""

    start: date
    stopped: date

    def lasted_long_enough(self, parameters: GuidelineParameters) -> bool:
        """rules.md GC-STOP-1 applies to a course of ≥ ``GC_MIN_DURATION_M`` (3) months (inclusive per
        ``gc_min_duration_inclusive``)."""
        three_months = add_months(self.start, int(GC_MIN_DURATION.value))
        inclusive = parameters.gc_min_duration_inclusive
        return self.stopped >= three_months if inclusive else self.stopped > three_months


def stopped_glucocorticoid_course(snapshot: ClinicalSnapshot) -> StoppedGlucocorticoidCourse | None:
    """The last glucocorticoid episode when it has ended (no glucocorticoid current or ordered), else ``None``."""
    episodes = snapshot.episodes_of(*_GLUCOCORTICOIDS)
    if not episodes:
        return None
    last = episodes[-1]
    if last.is_ongoing or any(g.is_current or g.from_draft_order for g in snapshot.glucocorticoids):
        return None
    return StoppedGlucocorticoidCourse(last.start, last.end)


@dataclass(frozen=True, slots=True)
class GcStopCriteria:
    """rules.md GC-STOP-1: «Continueer de medicatie ter preventie van fracturen na stoppen met GC bij een T- score
    ≤-2.5 in lumbale wervelkolom en/of heup, of een incidente of prevalente wervelfractuur (graad 2 of hoger, ≥ 25%
    hoogteverlies), of een recente niet- wervelfractuur (< 2 jaar geleden)» (S4 Bijlage 2); flowchart «T≤-2.5 of
    Wervelfractuur ≥ gr 2 of Fractuur afgelopen 2 jaar» (S4 Bijlage 8).

    One reading for every rule that asks (the GC-STOP-1 card and the DMAB-STOP-1 denosumab exception):

    - ``recent_fractures``: fractures within ``RECENT_FX_YEARS`` (flowchart: any site), including those whose date
      is unknown or straddles the edge (the protective reading; the card shows the date as recorded);
    - ``vertebral_fractures``: grade ≥ 2 or unstated grade, whenever they occurred (an older grade-1 fracture
      does not continue the medication);
    - ``study``: the latest DXA with T-scores taken on or after the stop day (a DXA on the stop day counts);
    - ``low_t``: T ≤ −2.5 in the lumbar spine and/or hip on that DXA; ``None`` without one.
    """

    recent_fractures: tuple[Fracture, ...]
    vertebral_fractures: tuple[Fracture, ...]
    study: DxaStudy | None
    low_t: bool | None

    @property
    def continue_treatment(self) -> bool | None:
        """True: continue the medication; False: it can be stopped; None: DXA + VFA needed to decide."""
        if self.recent_fractures or self.vertebral_fractures or self.low_t:
            return True
        return None if self.low_t is None else False


def gc_stop_criteria(snapshot: ClinicalSnapshot, stopped: date, parameters: GuidelineParameters) -> GcStopCriteria:
    """The GC-STOP-1 continuation criteria for glucocorticoids stopped on ``stopped``."""
    recent = tuple(f for f in snapshot.fractures if is_recent_fracture(f, snapshot.as_of, parameters) is not False)
    after = [s for s in snapshot.dxa_studies if s.observed.earliest >= stopped and s.t_scores]
    study = after[-1] if after else None
    low = None if study is None else low_t_spine_or_hip(study, T_OSTEOPOROSIS.value)
    return GcStopCriteria(recent, qualifying_vertebral_fractures(snapshot), study, low)


def recorded_falls_past_year(snapshot: ClinicalSnapshot) -> int | None:
    """Falls in the past 12 months (rules.md §1.1 risk-factor items), ``None`` when not recorded.

    terminology.md lists no verified code for a falls count, so the snapshot carries none and this is always
    ``None`` today: rules then list falls as "not recorded" (rules.md RISK-FRAX-1, FALL-1 missing blocks).
    """
    del snapshot
    return None


class DxClass(StrEnum):
    """rules.md DX-TSCORE-1 ``DX_CLASS``."""

    OSTEOPOROSIS = "osteoporosis"
    OSTEOPENIA = "osteopenia"
    NORMAL = "normal"
    UNKNOWN = "unknown"


@derived_fact
def dx_class(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> DxClass:
    """DX-TSCORE-1: class of ``T_MIN`` of the latest DXA (a stale DXA is still classed; callers needing a
    decision-grade DXA check ``snapshot.dxa_status``). No DXA → UNKNOWN."""
    lowest = snapshot.lowest_t_score
    if snapshot.dxa_status is DxaStatus.NONE or lowest is None:
        return DxClass.UNKNOWN
    t = lowest.value
    if is_osteoporotic_t_score(t, parameters):
        return DxClass.OSTEOPOROSIS
    if t < T_NORMAL.value:
        return DxClass.OSTEOPENIA
    if t == T_NORMAL.value and not parameters.t_normal_at_minus1:
        return DxClass.OSTEOPENIA
    return DxClass.NORMAL


class RiskClass(StrEnum):
    """rules.md RISK-BBC-1 ``RISK``."""

    VERY_HIGH = "very-high"
    HIGH = "high"
    LOW = "low"
    LOW_PROVISIONAL = "low-provisional"
    """No criterion of high risk, but the FRAX criterion of BBC Fig. 2 could not be applied (thresholds unset)."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class BbcRisk:
    """The BBC class with what it rests on.

    ``recent_mof``: the most recent major osteoporotic fracture within the recent window (VERY_HIGH reason);
    ``very_low_t`` / ``osteoporotic_t``: the lowest T-score when it meets T ≤ −3.5 / T ≤ −2.5;
    ``prior_fracture``: the most recent other (non-pathological) fracture (HIGH reason); ``stale_dxa``: the class
    rests on a DXA older than ``DXA_STALE_YEARS``; ``recent_mof_uncertain``: a partial date straddles the window;
    ``frax_at_or_above``: the FRAX results at or above the site's thresholds (HIGH reason); ``frax_below``: every
    configured threshold has a FRAX result below it (what makes LOW definite).
    """

    risk_class: RiskClass
    lowest_t: TScore | None = None
    recent_mof: Fracture | None = None
    prior_fracture: Fracture | None = None
    very_low_t: bool = False
    osteoporotic_t: bool = False
    stale_dxa: bool = False
    recent_mof_uncertain: bool = False
    frax_at_or_above: tuple[LabResult, ...] = ()
    frax_below: tuple[LabResult, ...] = ()


@derived_fact
def in_bbc_population(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> bool | None:
    """S2 is written for postmenopausal women; men ≥ 50 per ``BBC_APPLY_TO_MEN`` [INF]. ``None``: unknown."""
    sex = snapshot.patient.sex
    if sex is Sex.FEMALE:
        return snapshot.is_postmenopausal
    if sex is Sex.MALE:
        if not parameters.bbc_apply_to_men:
            return False
        age = snapshot.age
        return None if age is None else age >= snapshot.assume_postmenopausal_age
    return None


def _frax_against_thresholds(
    snapshot: ClinicalSnapshot, parameters: GuidelineParameters
) -> tuple[tuple[LabResult, ...], tuple[LabResult, ...], bool]:
    """The latest FRAX results at or above / below the site's ``FRAX_HIGH_*`` thresholds, and whether every
    configured threshold could be applied (a FRAX result is on record for it). No threshold configured (the
    default, C-40) → nothing applies. FRAX is taken as recorded: falls have no verified code, so the RISK-FRAX-1
    fall adjustment cannot be applied here (``recorded_falls_past_year``); when falls become recordable the
    adjusted value belongs here."""
    above: list[LabResult] = []
    below: list[LabResult] = []
    complete = True
    for test, threshold in (
        (LabTest.FRAX_MAJOR_OSTEOPOROTIC, parameters.frax_high_mof_pct),
        (LabTest.FRAX_HIP, parameters.frax_high_hip_pct),
    ):
        if threshold is None:
            continue
        result = snapshot.latest_lab(test)
        if result is None:
            complete = False
        elif result.value >= threshold:
            above.append(result)
        else:
            below.append(result)
    configured = parameters.frax_high_mof_pct is not None or parameters.frax_high_hip_pct is not None
    return tuple(above), tuple(below), configured and complete


@derived_fact
def assess_bbc_risk(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> BbcRisk:
    """RISK-BBC-1 logic. Every non-pathological fracture counts as a possible fragility fracture (mechanism
    unknown → included, as in DX-CLIN-1). FRAX at or above a site threshold (``FRAX_HIGH_*``) → HIGH; LOW is
    definite only when every configured threshold has a FRAX result below it, else provisional (rules.md §2, C-40:
    unset by default)."""
    status = snapshot.dxa_status
    lowest = snapshot.lowest_t_score if status is not DxaStatus.NONE else None
    recent_mofs, uncertain = recent_major_osteoporotic_fractures(snapshot, parameters)
    recent_mof = recent_mofs[-1] if recent_mofs else None
    very_low = lowest is not None and lowest.value <= T_VERY_HIGH.value
    osteoporotic = lowest is not None and is_osteoporotic_t_score(lowest.value, parameters)
    prior = snapshot.fractures[-1] if snapshot.fractures else None
    stale = status is DxaStatus.STALE
    frax_above, frax_below, frax_applied = _frax_against_thresholds(snapshot, parameters)

    def result(risk_class: RiskClass, prior_fracture: Fracture | None = None) -> BbcRisk:
        return BbcRisk(
            risk_class,
            lowest_t=lowest,
            recent_mof=recent_mof,
            prior_fracture=prior_fracture,
            very_low_t=very_low,
            osteoporotic_t=osteoporotic,
            stale_dxa=stale,
            recent_mof_uncertain=uncertain,
            frax_at_or_above=frax_above,
            frax_below=frax_below,
        )

    if recent_mof is not None or very_low:
        return result(RiskClass.VERY_HIGH)
    if osteoporotic or prior is not None or frax_above:
        return result(RiskClass.HIGH, prior)
    if status in (DxaStatus.DECISION_OK, DxaStatus.USABLE_FOR_CONTEXT):
        return result(RiskClass.LOW if frax_applied else RiskClass.LOW_PROVISIONAL)
    return result(RiskClass.UNKNOWN)


ORAL_BP_DRUGS = frozenset({Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE})


SERMS = frozenset({Drug.RALOXIFENE, Drug.BAZEDOXIFENE})


def new_orders_of(snapshot: ClinicalSnapshot, drugs: frozenset[Drug]) -> tuple[DraftOrder, ...]:
    return tuple(order for order in snapshot.new_orders if order.drug in drugs)


def days_old(on: date, as_of: date) -> int:
    return (as_of - on).days


def cardiovascular_events(snapshot: ClinicalSnapshot, *, include_tia: bool) -> tuple[ConditionFact, ...]:
    """rules.md D-CV: myocardial infarction or stroke/CVA (and TIA when ROMO_CI_INCLUDES_TIA), active or history.

    The one definition of the romosozumab cardiovascular contraindication, shared by the CI and anabolic rules."""
    kinds = [ConditionKind.MYOCARDIAL_INFARCTION, ConditionKind.STROKE] + ([ConditionKind.TIA] if include_tia else [])
    return tuple(fact for kind in kinds for fact in snapshot.conditions_of(kind))


def hypocalcaemia(snapshot: ClinicalSnapshot) -> bool | None:
    """rules.md D-CA HYPOCALCAEMIA: a recent calcium below the lab's range, or an active coded hypocalcaemia.
    ``None`` when the calcium is missing, older than LAB_MAX_AGE_D or has no reference range."""
    if snapshot.has_active_condition(ConditionKind.HYPOCALCAEMIA):
        return True
    calcium = snapshot.calcium
    if calcium is None or calcium.is_stale:
        return None
    return calcium.is_low


def fresh_for_teriparatide(observed: date, snapshot: ClinicalSnapshot) -> bool:
    """rules.md CI-TPTD-2 Missing / stale: a calcium or renal value older than ``LAB_MAX_AGE_D`` (90 days [NIS], the
    snapshot's ``lab_max_age_days``) counts as missing."""
    return days_old(observed, snapshot.as_of) <= snapshot.lab_max_age_days


class DenosumabBeforeTeriparatide(StrEnum):
    """rules.md CI-TPTD-1: where the patient stands with denosumab when teriparatide is considered."""

    ON = "on-denosumab"
    """``on_dmab``: an active (or newly ordered) denosumab order, or ``today <= DMAB_LAST + 6 months``."""
    RECENT = "recent-denosumab"
    """``recent_dmab`` [INF]: not on it, and ``today <= DMAB_LAST + TPTD_AFTER_DMAB_LOOKBACK_M`` (18, or 6)."""
    UNDATED = "undated"
    """Denosumab is recorded but no injection is dated (and no order is active): "verify denosumab use"."""
    NONE = "none"
    """No denosumab recorded, or the last injection is before the look-back window."""

    @property
    def excludes_teriparatide(self) -> bool | None:
        """ANABOLIC-2/-3, SWITCH-FAIL-2 "not on/after denosumab (CI-TPTD-1)": ``None`` when undated."""
        if self is DenosumabBeforeTeriparatide.UNDATED:
            return None
        return self is not DenosumabBeforeTeriparatide.NONE


def last_denosumab_injection(snapshot: ClinicalSnapshot) -> date | None:
    """rules.md D-DMAB ``DMAB_LAST``: the date of the last denosumab 60 mg injection (latest possible day of a
    partial date). Only dated doses count: a medication-list entry without a dated injection does not give one
    (CI-TPTD-1 Missing / stale: "verify denosumab use")."""
    history = snapshot.therapy(Drug.DENOSUMAB)
    last = history.last_administration if history else None
    return last.on.latest if last else None


def denosumab_before_teriparatide(
    snapshot: ClinicalSnapshot, parameters: GuidelineParameters
) -> DenosumabBeforeTeriparatide:
    """rules.md CI-TPTD-1 (conflicts.md C-30), the one definition of "on or recently off denosumab" used by
    CI-TPTD-1, the §14.4 drug filter and the anabolic and switching rules that consider teriparatide::

        on_dmab     = active denosumab order OR today <= DMAB_LAST + 6 months
        recent_dmab = not on_dmab AND today <= DMAB_LAST + TPTD_AFTER_DMAB_LOOKBACK_M    # 18 (default) or 6

    "Active order" includes current exposure (an active statement or a covered period reaching today) and a
    denosumab order drafted in this very call."""
    if new_orders_of(snapshot, frozenset({Drug.DENOSUMAB})):
        return DenosumabBeforeTeriparatide.ON
    history = snapshot.therapy(Drug.DENOSUMAB)
    if history is None:
        return DenosumabBeforeTeriparatide.NONE
    last = last_denosumab_injection(snapshot)
    if (
        history.has_active_order
        or history.is_current
        or (last is not None and snapshot.as_of <= add_months(last, int(DMAB_INTERVAL_MONTHS.value)))
    ):
        return DenosumabBeforeTeriparatide.ON
    if last is None:
        return DenosumabBeforeTeriparatide.UNDATED
    if snapshot.as_of <= add_months(last, parameters.tptd_after_dmab_lookback_months):
        return DenosumabBeforeTeriparatide.RECENT
    return DenosumabBeforeTeriparatide.NONE


@dataclass(frozen=True, slots=True)
class TeriparatideContraindications:
    """rules.md CI-TPTD-2, the one definition used by CI-TPTD-2, the §14.4 drug filter and ANABOLIC-2.

    ``reasons``: the contraindications the snapshot can show (card variant names), in card order: hypercalcaemia
    (a calcium above the lab's range), severe renal insufficiency (renal function < EGFR_SEVERE = 30 mL/min [NIS]),
    hyperparathyroidism (coded). Calcium and renal values count only when at most 90 days old (CI-TPTD-2 Missing /
    stale [NIS]); an older value is ``missing`` ("measure before teriparatide"), whatever it says.
    ``missing``: ``calcium-90-days`` / ``renal-function-90-days`` when absent or older;
    ``calcium-no-reference-range`` when a recent calcium came without reference range (cannot be interpreted)."""

    reasons: tuple[str, ...]
    missing: tuple[str, ...]


@derived_fact
def teriparatide_contraindications(snapshot: ClinicalSnapshot) -> TeriparatideContraindications:
    calcium = snapshot.calcium
    renal = snapshot.renal_function
    fresh_calcium = calcium if calcium and fresh_for_teriparatide(calcium.observed.earliest, snapshot) else None
    fresh_renal = renal if renal and fresh_for_teriparatide(renal.observed.earliest, snapshot) else None
    reasons = []
    if fresh_calcium is not None and fresh_calcium.is_high is True:
        reasons.append("hypercalcaemia")
    if fresh_renal is not None and fresh_renal.ml_per_min < EGFR_SEVERE.value:
        reasons.append("renal")
    if snapshot.has_condition(ConditionKind.HYPERPARATHYROIDISM):
        reasons.append("hyperparathyroidism")
    missing = []
    if fresh_calcium is None:
        missing.append("calcium-90-days")
    elif fresh_calcium.is_high is None:
        missing.append("calcium-no-reference-range")
    if fresh_renal is None:
        missing.append("renal-function-90-days")
    return TeriparatideContraindications(tuple(reasons), tuple(missing))


@derived_fact
def contraindicated_drugs(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> Mapping[Drug, str]:
    """Osteoporosis drugs that must not be suggested for this patient, each with the rule ID that forbids it.

    rules.md §14.4: every drug-choice suggestion is filtered through CI-EGFR-1/-2, CI-ROMO-1/-2, CI-SERM-1 and
    CI-TPTD-1/-2; romosozumab also through CI-ROMO-3's "not for men" (rules.md §12, turn-2 correction).
    A known renal value below the threshold counts even when it is old (a low value never becomes reassuring with
    age); unknown values forbid nothing here (the CI rules ask for the measurement).
    Teriparatide is forbidden on denosumab and within ``TPTD_AFTER_DMAB_LOOKBACK_M`` months of the last injection
    (CI-TPTD-1), and with a CI-TPTD-2 contraindication shown by values at most 90 days old — or by a renal value
    below ``EGFR_SEVERE`` of any age (the same "never reassuring" reading as for the bisphosphonates; the CI-TPTD-2
    card itself then asks for a fresh measurement, per its Missing / stale block).
    """
    forbidden: dict[Drug, str] = {}
    renal = snapshot.renal_function
    if renal is not None:
        if renal.ml_per_min < parameters.egfr_ci_zoledronate_ml_min:
            forbidden[Drug.ZOLEDRONATE] = "CI-EGFR-1"
        if renal.ml_per_min < EGFR_CI_ORAL_BP.value:
            for drug in sorted(ORAL_BP_DRUGS):
                forbidden[drug] = "CI-EGFR-2"
    if cardiovascular_events(snapshot, include_tia=parameters.romo_ci_includes_tia):
        forbidden[Drug.ROMOSOZUMAB] = "CI-ROMO-1"
    elif hypocalcaemia(snapshot) is True:
        forbidden[Drug.ROMOSOZUMAB] = "CI-ROMO-2"
    elif snapshot.patient.sex is Sex.MALE:
        forbidden[Drug.ROMOSOZUMAB] = "CI-ROMO-3"  # postmenopausal women only (rules.md §12, turn-2 correction)
    if snapshot.has_condition(ConditionKind.VENOUS_THROMBOEMBOLISM):
        for drug in sorted(SERMS):
            forbidden[drug] = "CI-SERM-1"
    if denosumab_before_teriparatide(snapshot, parameters).excludes_teriparatide:
        forbidden[Drug.TERIPARATIDE] = "CI-TPTD-1"
    elif teriparatide_contraindications(snapshot).reasons or (
        renal is not None and renal.ml_per_min < EGFR_SEVERE.value
    ):
        forbidden[Drug.TERIPARATIDE] = "CI-TPTD-2"
    return MappingProxyType(forbidden)


DIAGNOSTIC_SITES = (BoneSite.LUMBAR_SPINE, BoneSite.FEMORAL_NECK, BoneSite.TOTAL_HIP)


_RISK_FACTOR_CONDITIONS = (
    ConditionKind.RHEUMATOID_ARTHRITIS,
    ConditionKind.HYPERPARATHYROIDISM,
    ConditionKind.LONG_TERM_GLUCOCORTICOID_USE,
)


def t_scores_at_or_below(
    study: DxaStudy, cutoff: float, sites: Iterable[BoneSite] = DIAGNOSTIC_SITES
) -> tuple[TScore, ...]:
    """T-scores of ``study`` at ``sites`` that are ≤ ``cutoff`` (S4: «T-score ≤-2.5» restarts; exactly −2.5 is
    not "> −2.5")."""
    found = (study.t_score(site) for site in sites)
    return tuple(t for t in found if t is not None and t.value <= cutoff)


def bmd_baseline_on_or_before(snapshot: ClinicalSnapshot, day: date) -> DxaStudy | None:
    """The latest study with BMDs certainly taken on or before ``day`` (rules.md D-BMD-CHG ``BMD_ref``)."""
    found = [s for s in snapshot.dxa_studies if s.bmds and s.observed.latest <= day]
    return found[-1] if found else None


def bmd_losses(
    snapshot: ClinicalSnapshot, baseline: DxaStudy | None, current: DxaStudy
) -> tuple[tuple[BmdChange, ...], tuple[BmdChange, ...]] | None:
    """``(changes, losses > BMD_LOSS_PCT)`` of ``current`` against ``baseline``; ``None`` when no site can be
    compared (no baseline, no BMD in either study). Loss exactly 5.0 % is not "> 5 %" (S4)."""
    if baseline is None or not current.bmds or baseline is current:
        return None
    changes = snapshot.bmd_changes(baseline, current)
    if not changes:
        return None
    # Rounded to 6 decimals so that float noise (100 × (0.95 − 1.0) = −5.000000000000004) keeps "exactly 5 %".
    return changes, tuple(c for c in changes if round(c.percent, 6) < -BMD_LOSS_PCT.value)


def fractures_since(snapshot: ClinicalSnapshot, day: date) -> tuple[Fracture, ...]:
    """Non-pathological fractures dated on or after ``day``, including those whose partial or missing date may
    fall after it (conservative: an undatable fracture is not assumed to be old)."""
    return tuple(f for f in snapshot.fractures if f.date is None or f.date.is_on_or_after(day) is not False)


def new_risk_factors(snapshot: ClinicalSnapshot, day: date) -> tuple[Evidence, ...]:
    """rules.md D-NEWRF that the snapshot can date, with onset after ``day``: a (re)start of systemic
    glucocorticoids and conditions of the S2/S1 risk-factor lists (new fractures are reported separately)."""
    items: list[Evidence] = []
    for gc in snapshot.glucocorticoids:
        if gc.from_draft_order or (gc.start is not None and gc.start.earliest > day):
            on = gc.start.earliest if gc.start else None
            items.append(Evidence("eval-new-glucocorticoid", gc.drug.value, on, gc.source.reference()))
    for kind in _RISK_FACTOR_CONDITIONS:
        for condition in snapshot.conditions_of(kind):
            onset = condition.onset or condition.recorded
            if onset is not None and onset.earliest > day:
                items.append(Evidence(f"eval-new-{kind.value}", str(onset), None, condition.source.reference()))
    return tuple(items)


ORAL_BISPHOSPHONATES: tuple[Drug, ...] = (Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE)
"""rules.md §1.1 oral bisphosphonates (ibandronic acid: legacy, S0 only)."""


@dataclass(frozen=True, slots=True)
class OralBisphosphonateIntolerance:
    """The current oral-bisphosphonate intolerances, split by their date against the start of an oral-bisphosphonate
    course (rules.md SWITCH-GI-1 "intolerance recorded after start of oral BP"). ``undetermined``: no date, or a
    partial date that straddles the start."""

    start: date | None
    after_start: tuple[DrugIntolerance, ...]
    before_start: tuple[DrugIntolerance, ...]
    undetermined: tuple[DrugIntolerance, ...]

    @property
    def recorded(self) -> tuple[DrugIntolerance, ...]:
        """Every current intolerance, whatever its date."""
        return self.after_start + self.undetermined + self.before_start


def oral_bisphosphonate_intolerance(snapshot: ClinicalSnapshot, start: date | None) -> OralBisphosphonateIntolerance:
    """The snapshot's current oral-bisphosphonate intolerances against a course that started on ``start``."""
    after: list[DrugIntolerance] = []
    before: list[DrugIntolerance] = []
    unknown: list[DrugIntolerance] = []
    for item in snapshot.oral_bisphosphonate_intolerances:
        when = item.date
        if when is None or start is None:
            unknown.append(item)
        elif when.earliest >= start:
            after.append(item)
        elif when.latest < start:
            before.append(item)
        else:
            unknown.append(item)
    return OralBisphosphonateIntolerance(start, tuple(after), tuple(before), tuple(unknown))


def only_oral_solution(snapshot: ClinicalSnapshot) -> bool:
    """Every current oral-bisphosphonate record is the oral solution (the switch has been made)."""
    current = [
        record
        for drug in ORAL_BISPHOSPHONATES
        if (history := snapshot.therapy(drug)) is not None
        for record in history.records
        if record.is_current
    ]
    return bool(current) and all(record.is_oral_solution for record in current)


def gc_duration_met(months: float, parameters: GuidelineParameters, days_per_month: float) -> bool:
    """``GC_EXPECTED_TOTAL_M ≥ 3`` (or ``> 3``, C-06) on whole days, as the snapshot counts them.

    The snapshot turns a supply of "3 mo" (91.3125 days) into 91 whole days (2.99 months), so a plain float
    comparison would leave an order of exactly 3 months out of the default "≥ 3 months". Inclusive: at least the
    whole days of 3 months (91); exclusive: more than 3 months (92 days or more). ``days_per_month`` is the
    snapshot's month (``ClinicalSnapshot.days_per_month``, terminology.md §6.3 pitfall 4).
    """
    days = round(months * days_per_month)
    limit = GC_MIN_DURATION.value * days_per_month
    return days >= math.floor(limit) if parameters.gc_min_duration_inclusive else days > limit


ANTIRESORPTIVES: tuple[Drug, ...] = tuple(d for d in Drug if d.is_antiresorptive)
"""rules.md §1.1: bisphosphonates, denosumab, SERM."""


@dataclass(frozen=True, slots=True)
class VertebralFractures:
    """rules.md D-VF: recorded vertebral fractures by Genant grade (``ungraded``: no grade in the source)."""

    grade2: int
    grade3: int
    ungraded: int
    other: int
    """Grade 1."""
    sources: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.grade2 + self.grade3 + self.ungraded + self.other

    @property
    def at_least_grade2(self) -> int:
        """``n_VF_ge2`` counting only recorded grades."""
        return self.grade2 + self.grade3


def vertebral_fractures(snapshot: ClinicalSnapshot, *, before: date | None = None) -> VertebralFractures:
    """Counts of the recorded vertebral fractures (optionally only those certainly dated before ``before``)."""
    grade2 = grade3 = ungraded = other = 0
    sources: list[str] = []
    for fracture in snapshot.vertebral_fractures:
        if before is not None and not (fracture.date is not None and fracture.date.latest < before):
            continue
        sources.append(fracture.source.reference())
        grade = fracture.vertebral_grade
        if grade is None:
            ungraded += 1
        elif grade >= VF_GRADE_SEVERE.value:
            grade3 += 1
        elif grade >= VF_MIN_GRADE.value:
            grade2 += 1
        else:
            other += 1
    return VertebralFractures(grade2, grade3, ungraded, other, tuple(sources))


def _over_grades(vf: VertebralFractures, met: Callable[[int, int], bool]) -> bool | None:
    """``met(n_grade2, n_grade3)`` over every way the ungraded fractures could be graded (< 2, 2 or 3)."""
    results = {
        met(vf.grade2 + k2, vf.grade3 + k3) for k2 in range(vf.ungraded + 1) for k3 in range(vf.ungraded + 1 - k2)
    }
    return results.pop() if len(results) == 1 else None


def romosozumab_bmd_vf_criteria(t_hip: float | None, vf: VertebralFractures, variant: str = "plan") -> bool | None:
    """The BMD/VF part of the NL romosozumab criteria (rules.md ANABOLIC-1 / SWITCH-FAIL-2; C-16).

    ``plan`` (default): hip T ≤ −2.5 with ≥ 1 grade 2/3 VF, or hip T ≤ −2.0 with ≥ 2 grade 2/3 VFs.
    ``flowchart``: hip T ≤ −2.0 with 2 grade-2 or 1 grade-3 VF, or hip T ≤ −2.5 with 1 grade-2 or 2 grade-3 VF.
    ``None`` when a missing hip T or a VF without grade could decide it.
    """

    def met_at(t: float) -> Callable[[int, int], bool]:
        one, two = t <= T_OSTEOPOROSIS.value, t <= ROMO_PLAN_T_HIP_TWO_VF.value
        if variant == "flowchart":
            return lambda g2, g3: (two and (g2 >= 2 or g3 >= 1)) or (one and (g2 >= 1 or g3 >= 2))
        return lambda g2, g3: (one and g2 + g3 >= 1) or (two and g2 + g3 >= 2)

    if t_hip is not None:
        return _over_grades(vf, met_at(t_hip))
    # Hip T unknown: only decidable when even the lowest possible T-score could not meet the criteria.
    return False if _over_grades(vf, met_at(float("-inf"))) is False else None


def teriparatide_bmd_vf_criteria(t_min: float | None, vf: VertebralFractures) -> bool | None:
    """rules.md ANABOLIC-2 / SWITCH-FAIL-2: lowest T (LS, FN, TH) ≤ −1.5 and (≥ 2 grade 2/3 VFs or ≥ 1 grade 3)."""

    def met(g2: int, g3: int) -> bool:
        return g3 >= 1 or g2 + g3 >= 2

    vf_met = _over_grades(vf, met)
    if vf_met is False:
        return False
    if t_min is None:
        return None
    if t_min > TPTD_T_MIN.value:
        return False
    return vf_met


def usable_dxa(snapshot: ClinicalSnapshot) -> DxaStudy | None:
    """The latest DXA study unless it is stale (> DXA_STALE_YEARS): stale T-scores count as missing."""
    if snapshot.dxa_status in (DxaStatus.NONE, DxaStatus.STALE):
        return None
    return snapshot.latest_dxa


def has_cv_contraindication(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> bool:
    """rules.md D-CV: MI or stroke, and TIA when ``ROMO_CI_INCLUDES_TIA`` (C-15); the CI-ROMO-1 definition."""
    return bool(cardiovascular_events(snapshot, include_tia=parameters.romo_ci_includes_tia))


def last_exposure(snapshot: ClinicalSnapshot, drug: Drug) -> date | None:
    """The last dated dose of ``drug``, or without any, its last covered day (SWITCH-DMAB-ROMO-1's "denosumab
    within 18 months"). Teriparatide after denosumab uses :func:`is_on_or_after_denosumab` instead."""
    history = snapshot.therapy(drug)
    if history is None:
        return None
    days = [a.on.latest for a in history.administrations] or [e.end for e in history.episodes]
    return max(days) if days else None


def is_on_or_after_denosumab(snapshot: ClinicalSnapshot, parameters: GuidelineParameters) -> bool | None:
    """ANABOLIC-2/-3, SWITCH-FAIL-2 "not on/after denosumab (CI-TPTD-1)": the CI-TPTD-1 definition
    (:func:`denosumab_before_teriparatide`). ``None`` when denosumab is recorded
    without a dated injection (CI-TPTD-1 asks to verify)."""
    return denosumab_before_teriparatide(snapshot, parameters).excludes_teriparatide


@dataclass(frozen=True, slots=True)
class FracturesOnTherapy:
    """rules.md D-FAIL timing: fractures since the current antiresorptive agent started.

    ``therapy_start`` is the start of continuous antiresorptive therapy (alendronate → zoledronate without a gap
    counts as one); ``after_min_therapy`` pairs each new fracture with "≥ 12 months of therapy at the fracture"
    (``None`` when a partial date straddles the boundary).
    """

    agent: Drug
    agent_start: date
    therapy_start: date
    therapy_start_exact: bool
    new: tuple[tuple[Fracture, bool | None], ...]
    undated: tuple[Fracture, ...]
    sources: tuple[str, ...]

    @property
    def after_first_year(self) -> tuple[Fracture, ...]:
        return tuple(f for f, after in self.new if after is True)

    @property
    def within_first_year(self) -> tuple[Fracture, ...]:
        return tuple(f for f, after in self.new if after is False)

    @property
    def uncertain(self) -> tuple[Fracture, ...]:
        return tuple(f for f, after in self.new if after is None) + self.undated


_AGENT_PRIORITY = (Drug.DENOSUMAB, Drug.ZOLEDRONATE, Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE)


@derived_fact
def current_antiresorptive(snapshot: ClinicalSnapshot) -> Drug | None:
    """The antiresorptive the patient is on (denosumab > zoledronate > oral bisphosphonates > SERM)."""
    current = [d for d in ANTIRESORPTIVES if snapshot.is_on(d)]
    if not current:
        return None
    return next((d for d in _AGENT_PRIORITY if d in current), current[0])


@derived_fact
def fractures_on_antiresorptive(snapshot: ClinicalSnapshot) -> FracturesOnTherapy | None | str:
    """Fractures on the current antiresorptive; ``None`` when not on one; ``"therapy-start"`` when on one whose
    start cannot be dated."""
    agent = current_antiresorptive(snapshot)
    if agent is None:
        return None
    history = snapshot.therapy(agent)
    episode = history.current_episode if history else None
    if episode is None:
        return "therapy-start"
    combined = [e for e in snapshot.episodes_of(*ANTIRESORPTIVES) if e.start <= episode.start <= e.end]
    therapy = combined[0] if combined else episode
    exact = therapy.start_is_exact and episode.start_is_exact
    boundary = add_months(therapy.start, int(FAILURE_MIN_THERAPY.value))
    new: list[tuple[Fracture, bool | None]] = []
    undated: list[Fracture] = []
    sources: list[str] = [r.reference() for h in snapshot.therapies if h.drug in ANTIRESORPTIVES for r in h.sources]
    for fracture in snapshot.fractures:
        if fracture.date is None:
            undated.append(fracture)
            continue
        is_new = fracture.date.is_on_or_after(episode.start)
        if is_new is False:
            continue
        if is_new is None:
            new.append((fracture, None))
            continue
        after = fracture.date.is_on_or_after(boundary)
        if after is True and not exact and fracture.date.earliest < add_months(boundary, 12):
            after = None  # a partial start date may lie up to a year later
        new.append((fracture, after))
    return FracturesOnTherapy(
        agent, episode.start, therapy.start, exact, tuple(new), tuple(undated), tuple(dict.fromkeys(sources))
    )
