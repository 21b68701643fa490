"""FHIR R4 resources for the orders a card suggestion creates, built from ``fhir_mappings/orders/*.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import CardTemplateError

__all__ = ["NATIONAL_PRODUCT_SYSTEMS", "OrderCatalog", "load_order_catalog", "read_site_codings"]

_CODING_KEYS = ("system", "code", "display")

NATIONAL_PRODUCT_SYSTEMS = frozenset(
    {
        "urn:oid:2.16.840.1.113883.2.4.4.10",  # G-Standaard PRK (prescription code)
        "urn:oid:2.16.840.1.113883.2.4.4.1",  # G-Standaard GPK (generic product code)
        "urn:oid:2.16.840.1.113883.2.4.4.7",  # G-Standaard HPK (trade product code)
        "urn:oid:2.16.840.1.113883.2.4.4.8",  # G-Standaard ZI-nummer (article)
        "https://www.ehealth.fgov.be/standards/fhir/medication/NamingSystem/cnk-codes",  # Belgian CNK (instances)
        "https://www.ehealth.fgov.be/standards/fhir/medication/NamingSystem/be-ns-cnk-codes",  # Belgian CNK
    }
)
"""The national drug-product code systems a site may add to suggested medications (shared/clinical/terminology.md
§1: G-Standaard PRK/GPK/HPK/ZI-nummer from Nictiz-zib, CNK from hl7-be; all V). These codes are licensed (Z-Index)
or site-specific, so the service ships none: the hospital supplies its own in ``OSTEO_ORDER_CODINGS_FILE``."""

_RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_ATC_SYSTEMS = frozenset({"http://www.whocc.no/atc", "http://whocc.no/atc"})


def _coding_rank(coding: Mapping[str, Any]) -> int:
    """Order of a suggested medication's codings: the site's national code, then RxNorm, then ATC, then the rest.
    US EHRs and the CDS Hooks Sandbox take ``coding[0]`` as the drug code; ATC names a substance, not a product."""
    system = coding.get("system")
    if system in NATIONAL_PRODUCT_SYSTEMS:
        return 0
    if system == _RXNORM:
        return 1
    if system in _ATC_SYSTEMS:
        return 2
    return 3


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


def read_site_codings(path: Path) -> dict[str, tuple[dict[str, str], ...]]:
    """Read the site's extra medication codings (``OSTEO_ORDER_CODINGS_FILE``): a JSON object mapping a medication
    order key of ``fhir_mappings/orders/`` to a list of codings ``{"system", "code", "display"?}``, each in one of
    :data:`NATIONAL_PRODUCT_SYSTEMS`. A key ``comment`` is ignored. Anything else is a start-up error."""
    where = f"order codings file {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CardTemplateError(f"{where}: cannot read it ({exc})") from exc
    if not isinstance(data, dict):
        raise CardTemplateError(f"{where}: must be a JSON object of order key → list of codings")
    found: dict[str, tuple[dict[str, str], ...]] = {}
    for key, codings in data.items():
        if key == "comment":
            continue
        if not isinstance(codings, list) or not codings:
            raise CardTemplateError(f"{where}: {key!r} must map to a non-empty list of codings")
        checked: list[dict[str, str]] = []
        for coding in codings:
            if not isinstance(coding, dict) or set(coding) - set(_CODING_KEYS):
                raise CardTemplateError(f"{where}: {key!r}: a coding has only system, code and display")
            values = {name: coding.get(name) for name in _CODING_KEYS if name in coding}
            if any(not isinstance(value, str) or not value.strip() for value in values.values()):
                raise CardTemplateError(f"{where}: {key!r}: system, code and display must be non-empty strings")
            if values.get("system") not in NATIONAL_PRODUCT_SYSTEMS or "code" not in values:
                raise CardTemplateError(
                    f"{where}: {key!r}: each coding needs a code and a system of "
                    f"{', '.join(sorted(NATIONAL_PRODUCT_SYSTEMS))}"
                )
            checked.append({name: str(value) for name, value in values.items()})
        if len({(c["system"], c["code"]) for c in checked}) != len(checked):
            raise CardTemplateError(f"{where}: {key!r}: a coding is listed twice")
        found[str(key)] = tuple(checked)
    return found


def load_order_catalog(
    directory: Path, site_codings: Mapping[str, tuple[Mapping[str, str], ...]] | None = None
) -> OrderCatalog:
    """Read and check every order template file (``fhir_mappings/orders/*.json``) once at start-up.

    Each file holds ``medications`` and ``services`` keyed by item key; a key may be defined only once.
    ``site_codings`` (see :func:`read_site_codings`) adds the site's national product codes to the medications they
    name; a key that is not a medication order template is an error. Every medication's codings are then ordered
    national code first, then RxNorm, then ATC (:func:`_coding_rank`; stable within a system).
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
                coding = item["coding"]
                if not isinstance(coding, list) or not all(isinstance(c, dict) for c in coding):
                    raise CardTemplateError(f"{path.name}: order {key!r}: coding must be a list of codings")
                target[key] = item
    unknown = sorted(set(site_codings or {}) - set(medications))
    if unknown:
        raise CardTemplateError(f"order codings: {', '.join(unknown)} name no medication order template")
    for key, item in medications.items():
        codings = [*item["coding"], *(site_codings or {}).get(key, ())]
        medications[key] = {**item, "coding": sorted(codings, key=_coding_rank)}
    return OrderCatalog(medications=medications, services=services)
