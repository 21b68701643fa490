"""Evidence lines and card facts that more than one rule family writes: how a T-score, a fracture, a BMD change
or an intolerance is shown under "data used", and how numbers and fracture months are written in card facts. One
writer per kind of line, so that two families show the same datum the same way."""

from __future__ import annotations

from collections.abc import Iterable

from app.rules.model import (
    Evidence,
)
from app.rules.osteoporosis.predicates import (
    DIAGNOSTIC_SITES,
)
from app.snapshot.model import (
    BmdChange,
    BoneSite,
    DrugIntolerance,
    DxaStudy,
    Fracture,
    TScore,
)


def number(value: float) -> str:
    """A plain number for card facts: one decimal, no trailing ``.0`` (render localises the decimal sign)."""
    return f"{value:.1f}".removesuffix(".0")


# from diagnosis
def month_year(fracture: Fracture) -> str:
    """rules.md §0.3.7: dates in summaries as MM-YYYY (``?`` when the fracture has no date)."""
    return f"{fracture.date.earliest.month:02d}-{fracture.date.earliest.year}" if fracture.date else "?"


# from diagnosis
def t_score_evidence(t: TScore) -> Evidence:
    """``T-score <site>: -2.7 (date)``."""
    return Evidence(f"t-score-{t.site.value}", number(t.value), t.observed.earliest, t.source.reference())


# from diagnosis
def fracture_evidence(fracture: Fracture) -> Evidence:
    """``Fracture <site>: <date>`` (the date as precise as the source gave it)."""
    return Evidence(
        f"fracture-{fracture.site.value}",
        str(fracture.date) if fracture.date else "?",
        None,
        fracture.source.reference(),
    )


# from bisphosphonates
def evaluation_t_score_evidence(study: DxaStudy, sites: Iterable[BoneSite] = DIAGNOSTIC_SITES) -> list[Evidence]:
    """The T-scores of a study, one evidence line per site measured."""
    items = []
    for site in sites:
        t = study.t_score(site)
        if t is not None:
            items.append(Evidence(f"eval-t-{site.value}", number(t.value), t.observed.earliest, t.source.reference()))
    return items


# from bisphosphonates
def bmd_change_evidence(changes: Iterable[BmdChange]) -> list[Evidence]:
    """One evidence line per site: percent change, dated by the current measurement."""
    return [
        Evidence(
            f"eval-bmd-change-{c.site.value}",
            number(round(c.percent, 1)),
            c.current.observed.earliest,
            c.current.source.reference(),
        )
        for c in changes
    ]


# from bisphosphonates
def evaluation_fracture_evidence(fractures: Iterable[Fracture]) -> list[Evidence]:
    """One evidence line per fracture: site (label) and date."""
    return [
        Evidence(f"eval-fracture-{f.site.value}", str(f.date) if f.date else "?", None, f.source.reference())
        for f in fractures
    ]


# from switch
def intolerance_evidence(items: Iterable[DrugIntolerance]) -> tuple[Evidence, ...]:
    """One line per intolerance: the drug and the reaction as recorded, its date and source."""
    return tuple(
        Evidence(
            "oral-bp-intolerance",
            f"{item.drug.value}: {item.manifestation}" if item.manifestation else item.drug.value,
            item.date.earliest if item.date else None,
            item.source.reference(),
        )
        for item in items
    )
