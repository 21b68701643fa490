"""Shared clinical predicates of the osteoporosis rules: a clinical concept that more than one rule family needs is
defined here once, as a named clause (issue 16: copies in two families had drifted apart). A family that needs
one imports it from here, not from another family. (Some families still import each other's helpers, e.g.
denosumab the bisphosphonate evaluation helpers; moving those here is the next step of issue 16.)

- :func:`is_recent_fracture`, :func:`has_recent_fracture`, :func:`recent_major_osteoporotic_fractures`: rules.md
  §2 ``RECENT_FX_YEARS`` / ``RECENT_FX_INCLUSIVE`` (conflicts.md C-07), the one recent-fracture window (the
  guideline parameter; the snapshot carries fracture dates, not a window of its own).
- :func:`qualifying_vertebral_fractures`: rules.md D-VF, a vertebral fracture of Genant grade ≥ 2 (≥ 25 % height
  loss), or of unstated grade (the protective reading: a recorded vertebral fracture is not assumed to be mild).
- :func:`is_osteoporotic_t_score`: rules.md §2 ``T_OP_CUTOFF`` (T ≤ −2.5, or < with ``t_op_cutoff_inclusive``
  false; conflicts.md C-01), used by the diagnosis and by the "increased fracture risk" population of §7.
- :func:`low_t_spine_or_hip`: a T-score at or below a cut-off in the lumbar spine and/or hip.
- :func:`stopped_glucocorticoid_course` and :func:`gc_stop_criteria`: rules.md §8 GC-STOP-1, the continuation
  criteria after glucocorticoids stopped, used by GC-STOP-1 and by DMAB-STOP-1 (the GC-STOP-1 denosumab
  exception, rules.md §14.3), so that both rules decide the same patient the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.rules.osteoporosis.thresholds import GC_MIN_DURATION, T_OSTEOPOROSIS, VF_MIN_GRADE
from app.rules.parameters import GuidelineParameters
from app.snapshot.model import ClinicalSnapshot, Drug, DxaStudy, Fracture, TScore, add_months, add_years

__all__ = [
    "GcStopCriteria",
    "StoppedGlucocorticoidCourse",
    "gc_stop_criteria",
    "has_recent_fracture",
    "is_osteoporotic_t_score",
    "is_recent_fracture",
    "low_t_spine_or_hip",
    "qualifying_vertebral_fractures",
    "recent_major_osteoporotic_fractures",
    "stopped_glucocorticoid_course",
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
    return _any3(is_recent_fracture(f, snapshot.as_of, parameters) for f in snapshot.fractures)


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


def _any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True if any is True, else None if any is None, else False."""
    seen_none = False
    for value in values:
        if value is True:
            return True
        if value is None:
            seen_none = True
    return None if seen_none else False


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
