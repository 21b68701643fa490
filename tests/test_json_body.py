"""Hook request bodies are parsed with orjson, accepting and refusing exactly what the standard library does."""

from __future__ import annotations

import json

import pytest

from app.json_body import loads


class TestJsonBody:
    @pytest.mark.parametrize(
        "text",
        [
            pytest.param('{"a": [1, 2.5, -0.0, 1e300, "é", null, true]}', id="ordinary"),
            pytest.param('{"a": NaN, "b": Infinity}', id="nan-infinity"),
            pytest.param('{"a": 123456789012345678901234567890}', id="big-integer"),
            pytest.param('{"a": -9223372036854775809, "b": 18446744073709551616}', id="just-beyond-64-bits"),
            pytest.param('{"a": 1e400, "b": 0.1000000000000000055511151231257827}', id="float-limits"),
            pytest.param('{"a": "\\ud800"}', id="lone-surrogate"),
            pytest.param('{"a": 1, "a": 2}', id="duplicate-key"),
        ],
    )
    def test_a_body_the_standard_library_accepts_reads_the_same(self, text: str) -> None:
        expected = json.loads(text)

        got = loads(text.encode())

        assert repr(got) == repr(expected)

    def test_a_malformed_body_fails_with_the_standard_library_error(self) -> None:
        with pytest.raises(json.JSONDecodeError) as caught:
            loads(b'{"hook": "patient-view",')

        assert caught.value.pos == 24
