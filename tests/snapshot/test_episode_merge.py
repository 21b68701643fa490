"""``episodes_from_ranges`` builds each episode in one pass over the sorted periods (issue 20): the same episodes
as the reference below (the two-pass version it replaced: group the periods, then count each group)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

import pytest

from app.snapshot.model import DateRange, Drug, TherapyEpisode, episodes_from_ranges

DRUGS = frozenset({Drug.ALENDRONATE})
AS_OF = date(2026, 6, 1)


def reference(
    ranges: Iterable[DateRange],
    *,
    as_of: date,
    gap_days: int,
    administrations: Iterable[date] = (),
    inexact_starts: Iterable[date] = (),
) -> tuple[TherapyEpisode, ...]:
    clipped = sorted((DateRange(r.start, min(r.end, as_of)) for r in ranges if r.start <= as_of), key=lambda r: r.start)
    inexact = set(inexact_starts)
    doses = sorted(administrations)
    episodes: list[TherapyEpisode] = []
    groups: list[list[DateRange]] = []
    last_end: date | None = None
    for r in clipped:
        if last_end is None or (r.start - last_end).days - 1 > gap_days:
            groups.append([])
            last_end = None
        groups[-1].append(r)
        last_end = r.end if last_end is None else max(last_end, r.end)
    for current in groups:
        start = current[0].start
        end = max(r.end for r in current)
        covered = gaps = 0
        cursor: date | None = None
        for r in current:
            if cursor is None:
                covered += r.days
                cursor = r.end
            elif r.start > cursor:
                gaps += (r.start - cursor).days - 1
                covered += r.days
                cursor = r.end
            elif r.end > cursor:
                covered += (r.end - cursor).days
                cursor = r.end
        episodes.append(
            TherapyEpisode(
                drugs=DRUGS,
                start=start,
                end=end,
                covered_days=covered,
                gap_days=gaps,
                is_ongoing=end >= as_of,
                administration_count=sum(1 for d in doses if start <= d <= end),
                start_is_exact=start not in inexact,
            )
        )
    return tuple(episodes)


def day(offset: int) -> date:
    return AS_OF + timedelta(days=offset)


@pytest.mark.parametrize("seed", range(300))
def test_same_episodes_as_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    ranges = []
    for _ in range(rng.randint(0, 8)):
        start = rng.randint(-900, 60)
        length = rng.choice([0, 0, 1, 30, 90, 200, -3])  # -3: an end before the start (never from the builder)
        ranges.append(DateRange(day(start), day(start + length)))
    doses = [day(rng.randint(-900, 60)) for _ in range(rng.randint(0, 4))]
    inexact = [r.start for r in ranges if rng.random() < 0.3]
    gap_days = rng.choice([0, 1, 30, 180])
    got = episodes_from_ranges(
        ranges, drugs=DRUGS, as_of=AS_OF, gap_days=gap_days, administrations=doses, inexact_starts=inexact
    )
    assert got == reference(ranges, as_of=AS_OF, gap_days=gap_days, administrations=doses, inexact_starts=inexact)


def test_boundaries_of_the_gap_and_the_snapshot_date() -> None:
    touching = [DateRange(day(-100), day(-51)), DateRange(day(-50), day(-1))]
    (one,) = episodes_from_ranges(touching, drugs=DRUGS, as_of=AS_OF, gap_days=0)
    assert (one.start, one.end, one.covered_days, one.gap_days, one.is_ongoing) == (day(-100), day(-1), 100, 0, False)
    gap_of_ten = [DateRange(day(-100), day(-51)), DateRange(day(-40), day(10))]
    (joined,) = episodes_from_ranges(gap_of_ten, drugs=DRUGS, as_of=AS_OF, gap_days=10)
    assert (joined.end, joined.covered_days, joined.gap_days, joined.is_ongoing) == (AS_OF, 91, 10, True)
    assert len(episodes_from_ranges(gap_of_ten, drugs=DRUGS, as_of=AS_OF, gap_days=9)) == 2
    doses = [day(-100), day(-51), day(-50), day(1)]
    (counted,) = episodes_from_ranges(touching, drugs=DRUGS, as_of=AS_OF, gap_days=0, administrations=doses)
    assert counted.administration_count == 3
    assert episodes_from_ranges([DateRange(day(1), day(5))], drugs=DRUGS, as_of=AS_OF, gap_days=0) == ()
