"""Fixtures for integration tests against a real FHIR R4 server.

* ``fhir_server`` (session): sekmet-fhir on 127.0.0.1, installed on first use by ``.ci/install-fhir-server``
  (so ``pytest`` alone works on a fresh clone), or the external server named by ``FHIR_BASE_URL`` (with
  ``FHIR_BEARER_TOKEN``). Started once per session, stopped at its end whatever the outcome.
* ``fault_proxy`` (per test): a ``FaultProxy`` in front of ``fhir_server``; plain forwarding until a test
  calls ``fault_proxy.inject(Fault...)``.
* ``attacker`` (per test): a ``RecordingListener`` on a foreign loopback origin (127.0.0.2), the
  target of rewritten ``link[next]`` URLs; it records which requests, with which token, reached it.

Tests that share ``fhir_server`` must not assume an empty store: each loads its own patient.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fault_proxy import FaultProxy, RecordingListener
from .fhir_server import FhirServer, fhir_server_from_env

__all__ = ["fault_proxy", "fhir_server", "attacker"]


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[FhirServer]:
    server = fhir_server_from_env()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fault_proxy(fhir_server: FhirServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(fhir_server.base_url).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def attacker() -> Iterator[RecordingListener]:
    listener = RecordingListener().start()
    try:
        yield listener
    finally:
        listener.stop()
