"""Observations beyond the core labs: DXA Z-scores, phosphate, alkaline phosphatase, PTH, bone-turnover markers
and FRAX probabilities (terminology.md §1.2, §1.4, §3.3, §3.4).

Only codes of the value sets below are read; everything else is left to ``_observations.py`` (which ignores codes
it does not know without a gap, so nothing is reported twice). Status handling is the same as there: ``final``,
``amended``, ``corrected`` and a missing status are kept; ``preliminary`` / ``unknown`` become an UNCONFIRMED gap;
``registered``, ``cancelled``, ``entered-in-error`` are excluded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from app import valuesets as vs
from app.snapshot._context import BuildContext, source_of
from app.snapshot._dates import effective_date
from app.snapshot._json import Json, get_dict, get_number
from app.snapshot._observations import Coded, admitted_by_status, interpret
from app.snapshot._units import mass_concentration_ng_per_l, normalised_unit, quantity_value
from app.snapshot.model import (
    BoneSite,
    GapConcept,
    GapKind,
    LabResult,
    LabTest,
    ZScore,
)

__all__ = ["ResultFacts", "read_results", "result_kind"]

_Z_SCORE_SETS = (
    (vs.DXA_Z_SCORE_LUMBAR_SPINE, BoneSite.LUMBAR_SPINE),
    (vs.DXA_Z_SCORE_FEMORAL_NECK, BoneSite.FEMORAL_NECK),
    (vs.DXA_Z_SCORE_TOTAL_HIP, BoneSite.TOTAL_HIP),
    (vs.DXA_Z_SCORE_FOREARM, BoneSite.FOREARM),
)
_LAB_SETS = (
    (vs.PHOSPHATE, LabTest.PHOSPHATE),
    (vs.ALKALINE_PHOSPHATASE, LabTest.ALKALINE_PHOSPHATASE),
    (vs.PARATHYROID_HORMONE, LabTest.PARATHYROID_HORMONE),
    (vs.CTX, LabTest.CTX),
    (vs.P1NP, LabTest.P1NP),
    (vs.FRAX_MAJOR_OSTEOPOROTIC_FRACTURE, LabTest.FRAX_MAJOR_OSTEOPOROTIC),
    (vs.FRAX_HIP_FRACTURE, LabTest.FRAX_HIP),
)
_FRAX = frozenset({LabTest.FRAX_MAJOR_OSTEOPOROTIC, LabTest.FRAX_HIP})
_BONE_TURNOVER = frozenset({LabTest.CTX, LabTest.P1NP})


@dataclass
class ResultFacts:
    """What these observations yielded, oldest first."""

    z_scores: list[ZScore] = field(default_factory=list)
    lab_results: list[LabResult] = field(default_factory=list)


def _bound(quantity: Json | None) -> float | None:
    """A reference-range bound as stated (these results are compared in the unit the lab reported)."""
    return get_number(quantity, "value") if quantity is not None else None


@functools.lru_cache(maxsize=1024)
def result_kind(sets: frozenset[str]) -> tuple[BoneSite | None, LabTest | None]:
    """The Z-score site or the lab test of an Observation code, from the value sets its codings are in; ``(None,
    None)`` for any other code (cached: the sets of value sets are few, one per kind of code, and immutable)."""
    site = next((site for url, site in _Z_SCORE_SETS if url in sets), None)
    return site, next((test for url, test in _LAB_SETS if url in sets), None)


def read_results(observations: list[Coded], context: BuildContext) -> ResultFacts:
    """Z-scores and the :class:`LabTest` results of ``observations`` (those with a :func:`result_kind`); problems
    become gaps."""
    facts = ResultFacts()
    for observation, sets in observations:
        site, test = result_kind(sets)
        if site is None and test is None:
            continue
        concept = GapConcept.DXA if site is not None else GapConcept.OBSERVATION
        source = source_of(observation)
        if observation.get("status") != "final" and not admitted_by_status(observation, concept, source, context):
            continue
        observed = effective_date(observation)
        quantity = get_dict(observation, "valueQuantity")
        if observed is None or quantity is None:
            context.gap(GapKind.UNPARSEABLE, concept, "observation without a usable date or valueQuantity", source)
            continue
        if site is not None:
            # terminology.md §1.5: dimensionless; accept {Z-score}, 1 or no unit (case-insensitive).
            unit = normalised_unit(quantity).strip("{}")
            z = quantity_value(quantity) if unit in ("z-score", "1", "") else None
            if z is None:
                context.gap(GapKind.UNMAPPABLE, concept, "Z-score unit not usable", source)
                continue
            facts.z_scores.append(ZScore(site, z, observed, source))
            continue
        if test is None:
            continue
        value = quantity_value(quantity)
        if value is None or (test in _FRAX and not 0 <= value <= 100):
            context.gap(GapKind.UNMAPPABLE, concept, f"{test.value} value not usable", source)
            continue
        stale = observed.days_elapsed(context.as_of) > context.parameters.lab_max_age_days
        facts.lab_results.append(
            LabResult(
                test,
                value,
                normalised_unit(quantity),
                observed,
                source,
                interpret(observation, value, _bound)[0],
                is_stale=stale,
                ng_per_l=mass_concentration_ng_per_l(quantity) if test in _BONE_TURNOVER else None,
            )
        )
    facts.z_scores.sort(key=lambda z: (z.observed.earliest, z.observed.latest))
    facts.lab_results.sort(key=lambda r: (r.observed.earliest, r.observed.latest))
    return facts
