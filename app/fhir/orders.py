"""FHIR R4 resources for the orders a card suggestion creates, built from ``fhir_mappings/orders/*.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import CardTemplateError

__all__ = ["OrderCatalog", "load_order_catalog"]

_CODING_KEYS = ("system", "code", "display")


@dataclass(frozen=True, slots=True)
class OrderCatalog:
    """The orderable items suggestions may create, keyed by item key (e.g. ``alendronate-70mg-weekly``)."""

    medications: Mapping[str, Mapping[str, Any]]
    services: Mapping[str, Mapping[str, Any]]

    def keys(self) -> frozenset[str]:
        return frozenset(self.medications) | frozenset(self.services)

    def describe(self, key: str, language: str) -> str:
        """What creating this order does, in the card's language (e.g. "alendronic acid 70 mg tablet")."""
        item = self.medications.get(key) or self.services[key]
        return str(item["text"][language])

    def build(self, key: str, *, patient_id: str, language: str, start: date | None = None) -> dict[str, Any]:
        """A draft MedicationRequest or ServiceRequest for ``key`` for this patient.

        ``start`` dates the order: ``dosageInstruction.timing.repeat.boundsPeriod.start`` of a MedicationRequest
        (where the snapshot reads a draft's start), ``occurrenceDateTime`` of a ServiceRequest.
        """
        subject = {"reference": f"Patient/{patient_id}"}
        if key in self.medications:
            item = self.medications[key]
            dose = item["dose"]
            repeat = dict(item["timing"])
            if start is not None:
                repeat["boundsPeriod"] = {"start": start.isoformat()}
            return {
                "resourceType": "MedicationRequest",
                "status": "draft",
                "intent": "order",
                "subject": subject,
                "medicationCodeableConcept": {
                    "coding": [{k: c[k] for k in _CODING_KEYS if k in c} for c in item["coding"]],
                    "text": item["text"][language],
                },
                "dosageInstruction": [
                    {
                        "text": item["sig"][language],
                        "timing": {"repeat": repeat},
                        "doseAndRate": [
                            {
                                "doseQuantity": {
                                    "value": dose["value"],
                                    "unit": dose["unit"],
                                    "system": "http://unitsofmeasure.org",
                                    "code": dose["code"],
                                }
                            }
                        ],
                    }
                ],
            }
        item = self.services[key]
        request: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "order",
            "subject": subject,
            "code": {
                "coding": [{k: c[k] for k in _CODING_KEYS if k in c} for c in item["coding"]],
                "text": item["text"][language],
            },
        }
        if start is not None:
            request["occurrenceDateTime"] = start.isoformat()
        return request


def load_order_catalog(directory: Path) -> OrderCatalog:
    """Read and check every order template file (``fhir_mappings/orders/*.json``) once at start-up.

    Each file holds ``medications`` and ``services`` keyed by item key; a key may be defined only once.
    """
    medications: dict[str, Mapping[str, Any]] = {}
    services: dict[str, Mapping[str, Any]] = {}
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise CardTemplateError(f"{directory}: no order template files")
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = {"medications": dict(data.get("medications", {})), "services": dict(data.get("services", {}))}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise CardTemplateError(f"{path.name}: cannot read order templates ({exc})") from exc
        for group, target in (("medications", medications), ("services", services)):
            for key, item in found[group].items():
                if key in medications or key in services:
                    raise CardTemplateError(f"{path.name}: order {key!r} is already defined in another file")
                required = ("text", "coding", "dose", "timing", "sig") if group == "medications" else ("text", "coding")
                missing = [field for field in required if field not in item]
                if missing:
                    raise CardTemplateError(f"{path.name}: order {key!r} lacks {', '.join(missing)}")
                target[key] = item
    return OrderCatalog(medications=medications, services=services)
