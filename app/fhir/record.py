"""The raw patient record handed from the FHIR edge to the snapshot builder.

The FHIR client and the prefetch resolver gather JSON resources (from prefetch or from the EHR's FHIR server)
into one :class:`PatientRecord`. Only ``app/snapshot/build.py`` reads FHIR fields out of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FhirJson", "ParsedJson", "PatientRecord", "UnavailableData"]

FhirJson = Mapping[str, Any]
"""One FHIR R4 resource as parsed JSON (``resourceType`` is always present)."""
ParsedJson = dict[str, Any]
"""A JSON object as a JSON parser gives it: a ``dict``. The readers of FHIR fields (``app/fhir/prefetch.py``, the
snapshot builder's ``Json``) type what they have checked this way, not as ``Mapping``, so that the compiled build
(mypyc) reads a field with a direct dictionary lookup instead of a call of the ``get`` method, about 250
instructions less per field read. A :class:`PatientRecord` keeps ``Mapping`` fields: it may hold anything a caller
gives, and the builder admits only ``dict`` resources."""


@dataclass(frozen=True, slots=True)
class UnavailableData:
    """A prefetch key whose data could not be obtained (OperationOutcome in prefetch, FHIR server error, ...).

    ``reason`` is safe to show and log: it never contains tokens, identifiers or resource bodies.
    ``failed`` is True when something went wrong (an error, a timeout, an incomplete search): the clinician is
    told with a data-unavailable card. It is False for an optional key that the EHR simply does not provide
    (no prefetch and no ``fhirServer``): the snapshot still records the gap, so rules that need it say so.
    """

    key: str
    resource_type: str
    reason: str
    failed: bool = True


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """Everything known about one patient for one hook call, still as FHIR JSON.

    - ``patient``: the Patient resource, or ``None`` when it was known-empty or unavailable.
    - ``resources``: every other resource from prefetch and searches (Observation, Condition, MedicationStatement,
      MedicationRequest, MedicationAdministration, MedicationDispense, and ``Medication`` resources included by
      ``_include``), de-duplicated by ``resourceType/id``. Order is not meaningful.
    - ``draft_orders``: the resources of ``context.draftOrders`` (order-select / order-sign), unsigned orders.
    - ``selections``: ``context.selections`` references (``"MedicationRequest/123"``) for order-select.
    - ``unavailable``: prefetch keys that could not be obtained; the builder turns them into data gaps.
    """

    patient: FhirJson | None
    resources: tuple[FhirJson, ...] = ()
    draft_orders: tuple[FhirJson, ...] = ()
    selections: tuple[str, ...] = ()
    unavailable: tuple[UnavailableData, ...] = field(default=())
