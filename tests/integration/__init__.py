"""Integration tests against a real FHIR R4 server (sekmet-fhir on loopback, or ``FHIR_BASE_URL``)."""

from __future__ import annotations

__all__: list[str] = []
