"""The daily-dose arithmetic reads each Dosage's ``timing.repeat`` once (issue 20): the frequency, the bounds and
the duration of a schedule at the boundaries between the branches of terminology.md §6.2."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from app.snapshot._dosage import DoseLimits, Strength, daily_dose, supply_end
from app.snapshot._json import get_number
from app.snapshot.model import shift_days

LIMITS = DoseLimits(days_per_month=30.4375, days_per_year=365.25, max_doses_per_day=24.0, max_period_days=3660.0)
AS_OF = date(2026, 6, 1)
FIVE_MG = {"doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg", "code": "mg"}}]}


def dose_of(*timings: dict[str, Any], strength: Strength | None = None, **extra: Any) -> Any:
    dosages = [{**FIVE_MG, "timing": timing, **extra} for timing in timings]
    return daily_dose(dosages, strength=strength or Strength(), as_of=AS_OF, limits=LIMITS)


@pytest.mark.parametrize(
    ("repeat", "mg_per_day"),
    [
        pytest.param({"frequency": 2, "period": 1, "periodUnit": "d"}, 10.0, id="twice-a-day"),
        pytest.param({"frequency": 2.0, "period": 1.0, "periodUnit": "d"}, 10.0, id="floats-as-ints"),
        pytest.param({"frequency": True, "period": 1, "periodUnit": "d"}, 5.0, id="boolean-frequency-is-absent"),
        pytest.param({"period": 1, "periodUnit": "d", "dayOfWeek": ["mon", "wed", "fri"]}, 15 / 7, id="days-of-week"),
        pytest.param({"period": 1, "periodUnit": "d", "dayOfWeek": ["mon", "mon"]}, 5 / 7, id="repeated-weekday"),
        pytest.param({"period": 1, "periodUnit": "wk", "dayOfWeek": ["mon"]}, 5 / 7, id="weekly-weekday-not-again"),
        pytest.param({"timeOfDay": ["08:00", "20:00"]}, 10.0, id="times-of-day"),
        pytest.param({"timeOfDay": ["08:00", "20:00"], "dayOfWeek": ["sat"]}, 10 / 7, id="times-on-one-weekday"),
        pytest.param({"when": ["MORN"], "dayOfWeek": ["mon", "tue"]}, 10 / 7, id="when-on-two-weekdays"),
        pytest.param(
            {"frequency": 1, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00", "20:00"]},
            5.0,
            id="period-before-times",
        ),
    ],
)
def test_frequency_from_timing_repeat(repeat: dict[str, Any], mg_per_day: float) -> None:
    estimate = dose_of({"repeat": repeat}).estimate
    assert estimate.problem is None
    assert estimate.mg_per_day == pytest.approx(mg_per_day, rel=1e-12)


@pytest.mark.parametrize(
    ("timing", "problem"),
    [
        pytest.param({"repeat": {"count": 1}}, "single or limited course", id="count-only"),
        pytest.param({"repeat": {"count": 1}, "code": {"text": "BID"}}, "single or limited course", id="count-first"),
        pytest.param({"repeat": {"period": 1, "periodUnit": "fortnight"}}, "not understood", id="unknown-unit"),
        pytest.param({"repeat": {"period": 0, "periodUnit": "d"}}, "not understood", id="period-zero"),
        pytest.param({"repeat": {"period": 10**400, "periodUnit": "d"}}, "no frequency", id="huge-int-is-absent"),
        pytest.param({"repeat": {}}, "no frequency", id="empty-repeat"),
        pytest.param({}, "no frequency", id="no-repeat"),
    ],
)
def test_problem_of_timing(timing: dict[str, Any], problem: str) -> None:
    estimate = dose_of(timing).estimate
    assert estimate.mg_per_day is None
    assert estimate.problem is not None and problem in estimate.problem


@pytest.mark.parametrize("repeat", [{}, {"boundsDuration": {"value": 5, "code": "d"}}, None])
def test_timing_code_when_repeat_states_no_frequency(repeat: dict[str, Any] | None) -> None:
    timing: dict[str, Any] = {"code": {"coding": [{"code": "BID"}]}}
    if repeat is not None:
        timing["repeat"] = repeat
    assert dose_of(timing).estimate.mg_per_day == 10.0


def test_bounds_and_duration_read_from_the_same_repeat() -> None:
    taper = [
        {
            **FIVE_MG,
            "sequence": 1,
            "timing": {
                "repeat": {"frequency": 2, "period": 1, "periodUnit": "d", "boundsDuration": {"value": 1, "code": "wk"}}
            },
        },
        {
            **FIVE_MG,
            "sequence": 2,
            "timing": {
                "repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "boundsDuration": {"value": 21, "code": "d"}}
            },
        },
    ]
    summary = daily_dose(taper, strength=Strength(), as_of=AS_OF, limits=LIMITS)
    assert summary.planned_days == 28.0
    assert summary.estimate.mg_per_day == pytest.approx((10 * 7 + 5 * 21) / 28)

    dated = [
        {
            **FIVE_MG,
            "sequence": 1,
            "timing": {
                "repeat": {
                    "frequency": 2,
                    "period": 1,
                    "periodUnit": "d",
                    "boundsPeriod": {"start": "2026-05-01", "end": "2026-05-20"},
                }
            },
        },
        {
            **FIVE_MG,
            "sequence": 2,
            "timing": {
                "repeat": {
                    "frequency": 1,
                    "period": 1,
                    "periodUnit": "d",
                    "boundsPeriod": {"start": "2026-05-21", "end": "2026-06-30"},
                }
            },
        },
    ]
    summary = daily_dose(dated, strength=Strength(), as_of=AS_OF, limits=LIMITS)
    assert summary.planned_days is None
    assert summary.estimate.mg_per_day == 5.0
    assert summary.bounds_start is not None and summary.bounds_start.earliest == date(2026, 5, 1)
    assert summary.bounds_end is not None and summary.bounds_end.latest == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (1, 1.0),
        (0, 0.0),
        (-3, -3.0),
        (2.5, 2.5),
        (True, None),
        (False, None),
        (10**400, None),
        ("1", None),
        (None, None),
    ],
)
def test_get_number_of_json_integers(value: object, number: float | None) -> None:
    read = get_number({"n": value}, "n")
    assert read == number and (read is None or type(read) in (float, int))


DAILY = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}


@pytest.mark.parametrize(
    ("extra", "mg_per_day", "problem", "planned"),
    [
        pytest.param({}, 5.0, None, None, id="one-dosage"),
        pytest.param({"sequence": 1}, 5.0, None, None, id="one-dosage-with-a-sequence"),
        pytest.param({"asNeededBoolean": True}, None, "as-needed only", None, id="as-needed"),
        pytest.param({"asNeededBoolean": False}, 5.0, None, None, id="not-as-needed"),
        pytest.param({"asNeededCodeableConcept": {"text": "pain"}}, None, "as-needed only", None, id="as-needed-for"),
        pytest.param({"doseAndRate": [{"doseQuantity": {"value": 0, "code": "mg"}}]}, None, "zero", None, id="zero"),
    ],
)
def test_one_dosage_as_one_group(
    extra: dict[str, Any], mg_per_day: float | None, problem: str | None, planned: Any
) -> None:
    summary = dose_of(DAILY, **extra)
    assert summary.estimate.mg_per_day == mg_per_day
    assert (summary.estimate.problem is None) is (problem is None)
    assert problem is None or problem in (summary.estimate.problem or "")
    assert summary.planned_days == planned


@pytest.mark.parametrize(("value", "planned"), [(10, 10.0), (0, 0.0), (2.5, 2.5)])
def test_planned_days_of_one_dosage(value: float, planned: float) -> None:
    timing = {"repeat": {**DAILY["repeat"], "boundsDuration": {"value": value, "code": "d"}}}
    assert dose_of(timing).planned_days == planned
    # the same schedule written as two concurrent Dosage entries of half the dose: one group, the same duration
    half = {"doseAndRate": [{"doseQuantity": {"value": 2.5, "code": "mg"}}], "timing": timing}
    both = daily_dose([half, half], strength=Strength(), as_of=AS_OF, limits=LIMITS)
    assert both.planned_days == planned and both.estimate.mg_per_day == 5.0


@pytest.mark.parametrize(
    "days", [0, 0.4, 0.5, 1, 1.5, 2.5, 90, 90.0, -5, 1e20, 10**12, float("inf"), float("-inf"), float("nan")]
)
@pytest.mark.parametrize("start", [date(2026, 6, 1), date(9999, 12, 1), date.max, date.min])
def test_supply_end_as_the_saturating_day_shift(start: date, days: float) -> None:
    """supply_end adds the days directly when the end is a representable date, else saturates as shift_days."""
    expected = shift_days(start, days) if not math.isfinite(days) else shift_days(start, max(round(days) - 1, 0))
    assert supply_end(start, days) == expected


@pytest.mark.parametrize(("value", "finite"), [(1e307, True), (1e308, False), (1.7e308, False)])
def test_a_daily_dose_beyond_the_float_range_is_out_of_range(value: float, finite: bool) -> None:
    dosage = {
        "doseAndRate": [{"doseQuantity": {"value": value, "code": "mg"}}],
        "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
    }
    estimate = daily_dose([dosage], strength=Strength(), as_of=AS_OF, limits=LIMITS).estimate
    assert (estimate.mg_per_day is not None) is finite
    assert finite or estimate.problem == "dose or frequency out of range"
