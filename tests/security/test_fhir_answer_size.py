"""Compressed FHIR answers are inflated only up to a cap per answer and per hook call (issue 18, defect 2).

An allowed FHIR server (or anything between it and us) can answer a search with a small gzip body that inflates
to gigabytes: 1–3 MB of gzip took a worker from 177 MB to 2.5 GB. Past the cap the search is unavailable data
(a data-unavailable card), never a 500, and memory stays bounded: measured with ``tracemalloc`` over the call.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import Iterator
from functools import cache
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from app.config import Settings
from app.fhir.body import BodyTooLargeError, ByteBudget, UnsupportedEncodingError, read_capped
from app.main import create_app
from tests.builders.fhir import patient
from tests.builders.hooks import hook_request
from tests.conftest import EHR_FHIR
from tests.integration.fault_proxy import RecordingListener

SERVICE = "/cds-services/osteoporosis-patient-view"
BOMB_BYTES = 200_000_000
"""What the gzip bomb inflates to (about 200 KB of gzip)."""
MAX_RESPONSE = 1_000_000
MEMORY_BOUND = 48_000_000
"""Peak traced allocation allowed for the whole hook call: far below the bomb, well above a normal call."""


@cache
def gzip_bomb() -> bytes:
    """A valid searchset Bundle once inflated: its one closing brace follows 200 MB of spaces."""
    head = b'{"resourceType": "Bundle", "type": "searchset", "entry": []'
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [compressor.compress(head)]
    spaces = b" " * 1_000_000
    parts.extend(compressor.compress(spaces) for _ in range(BOMB_BYTES // len(spaces)))
    parts.append(compressor.compress(b"}"))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped_bundle(size: int) -> bytes:
    """An empty searchset Bundle padded with spaces to ``size`` bytes, gzip-compressed."""
    head = b'{"resourceType": "Bundle", "type": "searchset", "entry": []'
    return gzip.compress(head + b" " * (size - len(head) - 1) + b"}")


def prefetch_without(*keys: str) -> dict[str, Any]:
    prefetch: dict[str, Any] = {
        "patient": patient(id="p1", birth_date="1950-01-01"),
        "observations": None,
        "conditions": None,
        "medicationStatements": None,
        "medicationRequests": None,
        "medicationAdministrations": None,
        "medicationDispenses": None,
        "allergyIntolerances": None,
    }
    return {key: value for key, value in prefetch.items() if key not in keys}


def gzip_answer(body: bytes) -> httpx.Response:
    return httpx.Response(
        200, content=body, headers={"Content-Type": "application/fhir+json", "Content-Encoding": "gzip"}
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        fhir_server_allowlist=[EHR_FHIR],
        fhir_max_response_bytes=MAX_RESPONSE,
        fhir_max_call_bytes=int(MAX_RESPONSE * 1.5),
        auth_disabled_for_development=True,
    )


@pytest.fixture
def ehr() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=EHR_FHIR, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


def codes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["source"]["topic"]["code"] for card in response.json()["cards"]]


@pytest.fixture
def bomb_server() -> Iterator[RecordingListener]:
    """A real HTTP server (respx would inflate the body itself before we see it) that answers every search with
    the gzip bomb."""
    headers = [("content-type", "application/fhir+json"), ("content-encoding", "gzip")]
    with RecordingListener(answer=(headers, gzip_bomb())) as server:
        yield server


class TestGzipBomb:
    def test_a_gzip_bomb_is_unavailable_data_and_memory_stays_bounded(
        self, settings: Settings, bomb_server: RecordingListener
    ) -> None:
        fhir = f"{bomb_server.origin}/fhir"
        allowed = settings.model_copy(update={"fhir_server_allowlist": [fhir]})
        body = hook_request(patient_id="p1", fhir_server=fhir, token="t", prefetch=prefetch_without("conditions"))

        with TestClient(create_app(allowed)) as client:
            tracemalloc.start()
            try:
                response = client.post(SERVICE, json=body)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()

        assert [request.path for request in bomb_server.requests] == ["/fhir/Condition"]
        assert "DATA-UNAVAILABLE" in codes(response)
        assert peak < MEMORY_BOUND, f"peak {peak / 1e6:.0f} MB"

    def test_answers_under_the_cap_each_but_over_it_together_leave_a_data_gap(
        self, settings: Settings, ehr: respx.MockRouter
    ) -> None:
        # Two searches of 0.8 MB each (under the 1 MB cap per answer, over the 1.5 MB per call together).
        answer = gzipped_bundle(800_000)
        ehr.get("/Condition").mock(side_effect=lambda _request: gzip_answer(answer))
        ehr.get("/AllergyIntolerance").mock(side_effect=lambda _request: gzip_answer(answer))
        body = hook_request(
            patient_id="p1",
            fhir_server=EHR_FHIR,
            token="t",
            prefetch=prefetch_without("conditions", "allergyIntolerances"),
        )

        with TestClient(create_app(settings)) as client:
            response = client.post(SERVICE, json=body)

        assert "DATA-UNAVAILABLE" in codes(response)

    def test_an_answer_under_both_caps_is_used(self, settings: Settings, ehr: respx.MockRouter) -> None:
        ehr.get("/Condition").mock(return_value=gzip_answer(gzipped_bundle(800_000)))
        body = hook_request(patient_id="p1", fhir_server=EHR_FHIR, token="t", prefetch=prefetch_without("conditions"))

        with TestClient(create_app(settings)) as client:
            response = client.post(SERVICE, json=body)

        assert "DATA-UNAVAILABLE" not in codes(response)


def read(body: bytes, encoding: str | None, *, max_bytes: int, budget: ByteBudget | None = None) -> bytes:
    """``read_capped`` on a streamed response with ``body`` in network-sized chunks."""
    headers = {"Content-Encoding": encoding} if encoding else {}
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]

    async def run() -> bytes:
        response = httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"".join(chunks)))
        return await read_capped(response, max_bytes=max_bytes, budget=budget)

    return asyncio.run(run())


class TestReadCapped:
    PLAIN = b'{"resourceType": "Bundle"}' * 1000

    @pytest.mark.parametrize(
        ("encoding", "encode"),
        [
            pytest.param(None, lambda data: data, id="identity"),
            pytest.param("gzip", gzip.compress, id="gzip"),
            pytest.param("deflate", zlib.compress, id="deflate-zlib"),
            pytest.param("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS), id="deflate-raw"),
        ],
    )
    def test_at_the_cap_is_read_one_byte_over_is_refused(self, encoding: str | None, encode: Any) -> None:
        body = encode(self.PLAIN)

        assert read(body, encoding, max_bytes=len(self.PLAIN)) == self.PLAIN
        with pytest.raises(BodyTooLargeError):
            read(body, encoding, max_bytes=len(self.PLAIN) - 1)

    def test_the_budget_is_shared_and_charged(self) -> None:
        budget = ByteBudget(len(self.PLAIN) + 10)

        read(gzip.compress(self.PLAIN), "gzip", max_bytes=10**9, budget=budget)
        with pytest.raises(BodyTooLargeError):
            read(self.PLAIN, None, max_bytes=10**9, budget=budget)

    @pytest.mark.parametrize(
        ("body", "encoding"),
        [pytest.param(b"\x1f\x8bnot gzip", "gzip", id="corrupt-gzip"), pytest.param(b"x", "br", id="brotli")],
    )
    def test_an_unsupported_or_corrupt_encoding_is_refused(self, body: bytes, encoding: str) -> None:
        with pytest.raises(UnsupportedEncodingError):
            read(body, encoding, max_bytes=10**9)
