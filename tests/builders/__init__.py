"""Test builders: FHIR resources (:mod:`tests.builders.fhir`) and hook requests (:mod:`tests.builders.hooks`)."""

from __future__ import annotations

__all__: list[str] = []
