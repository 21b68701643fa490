"""The service's JSON log line: its time is written as ``datetime`` writes it, to the millisecond, in UTC."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import orjson
from hypothesis import example, given
from hypothesis import strategies as st

from app.logging import JsonFormatter


def _datetime_text(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False, allow_infinity=False))
@example(1_765_152_000.9999996)  # rounds up to the next second, as datetime rounds it
@example(1_765_152_000.0009996)  # 999.6 µs: rounded to 1 ms first, as datetime rounds it, not cut to 0
@example(1_765_152_000.0)
def test_the_line_time_is_the_datetime_text_of_the_record_time(created: float) -> None:
    assert JsonFormatter().format_time(created) == _datetime_text(created)


def test_one_formatter_writes_successive_times_exactly() -> None:
    formatter = JsonFormatter()  # the text up to the second is kept between lines: each line still gets its own
    for created in (1_765_152_000.25, 1_765_152_000.75, 1_765_152_001.0, 1_765_151_999.5, 1_765_152_001.001):
        assert formatter.format_time(created) == _datetime_text(created)


def test_a_line_carries_the_record_time() -> None:
    record = logging.LogRecord("osteo_cds.hooks", logging.INFO, __file__, 1, "hook answered", None, None)
    record.created = 1_765_152_000.123456
    line = orjson.loads(JsonFormatter().format(record))
    assert line["time"] == "2025-12-08T00:00:00.123+00:00"
    assert line["message"] == "hook answered"
