"""Validation of FHIR R4 conformance resources we ship (the ValueSets of ``fhir_mappings/``).

Kept at the FHIR edge so that ``fhir.resources`` is imported only here, in the FHIR client and in the
snapshot builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.valueset import ValueSet
from pydantic import ValidationError

__all__ = ["InvalidConformanceResourceError", "parse_value_set"]


class InvalidConformanceResourceError(ValueError):
    """Raised when a shipped ValueSet is not a valid FHIR R4 ValueSet (the message names the element)."""


def parse_value_set(raw: Mapping[str, Any]) -> Any:
    """The R4B ``ValueSet`` model of ``raw``; raises :class:`InvalidConformanceResourceError` when invalid."""
    try:
        return ValueSet.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first.get("loc", ()))
        raise InvalidConformanceResourceError(
            f"invalid R4 ValueSet at {location or 'root'}: {first.get('msg')}"
        ) from exc
