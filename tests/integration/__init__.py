"""Integration tests against real FHIR R4 servers (sekmet-fhir and HAPI FHIR on loopback, or ``FHIR_BASE_URL``)."""

from __future__ import annotations

__all__: list[str] = []
