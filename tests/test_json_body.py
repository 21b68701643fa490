"""Hook request bodies are parsed with msgspec, accepting and refusing exactly what the standard library does."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.json_body import TOO_DEEP, loads

_NUMBER_TEXT = st.from_regex(r"-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
"""JSON number literals: integers of any size, decimals with more digits than a float keeps, exponents out of range."""
_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


class TestJsonBody:
    @pytest.mark.parametrize(
        "text",
        [
            pytest.param('{"a": [1, 2.5, -0.0, 1e300, "é", null, true]}', id="ordinary"),
            pytest.param('{"a": NaN, "b": Infinity}', id="nan-infinity"),
            pytest.param('{"a": 123456789012345678901234567890}', id="big-integer"),
            pytest.param('{"a": -9223372036854775809, "b": 18446744073709551616}', id="just-beyond-64-bits"),
            pytest.param('{"a": 18446744073709551615, "b": -9223372036854775808}', id="just-within-64-bits"),
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

    @given(_NUMBER_TEXT)
    def test_a_number_reads_as_the_standard_library_reads_it(self, text: str) -> None:
        expected = json.loads(text)

        got = loads(text.encode())

        assert repr(got) == repr(expected)

    @given(_DOCUMENTS)
    def test_any_document_reads_as_the_standard_library_reads_it(self, document: object) -> None:
        text = json.dumps(document)

        assert repr(loads(text.encode())) == repr(json.loads(text))

    def test_a_body_with_a_byte_order_mark_reads_as_the_standard_library_reads_it(self) -> None:
        body = b'\xef\xbb\xbf{"a": 1}'

        assert loads(body) == json.loads(body) == {"a": 1}

    def test_bytes_that_are_not_utf_8_fail_as_malformed_json_at_that_character(self) -> None:
        with pytest.raises(json.JSONDecodeError) as caught:
            loads('{"given": "Zoë", "hookInstance": "'.encode() + b'\xff"}')

        assert caught.value.pos == 34
        assert "utf-8" in caught.value.msg

    def test_a_body_nested_beyond_the_recursion_limit_fails_as_malformed_json(self) -> None:
        with pytest.raises(json.JSONDecodeError) as caught:
            loads(b"[" * 5000 + b"]" * 5000)

        assert caught.value.msg == TOO_DEEP

    def test_a_body_nested_as_deep_as_fhir_nests_is_read(self) -> None:
        assert loads(b"[" * 100 + b"]" * 100) == json.loads("[" * 100 + "]" * 100)
