"""The FHIR reads and searches the service needs, declared once as data.

Each :class:`FhirQuery` renders both the discovery prefetch template (with ``{{context.patientId}}``) and the
fallback search we run ourselves when the CDS client did not prefetch the key. Only tokens allowed by CDS Hooks
2.0 are used (``{{context.patientId}}``), with token, reference, ``_sort`` and ``_count`` parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["FhirQuery", "PATIENT_ID_TOKEN", "patient_queries"]

PATIENT_ID_TOKEN = "{{context.patientId}}"


@dataclass(frozen=True, slots=True)
class FhirQuery:
    """One prefetch key: a read of the Patient or a type-level search scoped to the patient.

    ``required``: when the key is neither prefetched nor fetchable (no ``fhirServer``) the call fails with 412;
    an optional key only becomes a data gap.
    """

    key: str
    resource_type: str
    params: tuple[tuple[str, str], ...] = ()
    read: bool = False
    required: bool = True

    def template(self) -> str:
        """The prefetch template as published in discovery."""
        if self.read:
            return f"{self.resource_type}/{PATIENT_ID_TOKEN}"
        query = "&".join(f"{name}={_encode(value)}" for name, value in self.params)
        return f"{self.resource_type}?{query}"

    def search_params(self, patient_id: str) -> dict[str, str]:
        """The search parameters with the patient id filled in."""
        return {name: value.replace(PATIENT_ID_TOKEN, patient_id) for name, value in self.params}


def _encode(value: str) -> str:
    # Keep the template readable: leave separators FHIR uses in token lists and the prefetch token as is.
    return quote(value, safe="|,:/{}.-_")


def patient_queries(*, observation_codes: Iterable[tuple[str, str]], page_size: int) -> tuple[FhirQuery, ...]:
    """The prefetch keys of every service, in a stable order.

    ``observation_codes`` are the (system, code) pairs of the Observation value sets we read (DXA, vitamin D,
    renal function, calcium): the Observation search is filtered by them, never "all Observations".
    """
    codes = ",".join(f"{system}|{code}" for system, code in sorted(set(observation_codes)))
    patient = ("patient", PATIENT_ID_TOKEN)
    count = ("_count", str(page_size))
    return (
        FhirQuery(key="patient", resource_type="Patient", read=True),
        FhirQuery(
            key="observations",
            resource_type="Observation",
            params=(patient, ("code", codes), ("_sort", "-date"), count),
        ),
        FhirQuery(key="conditions", resource_type="Condition", params=(patient, count)),
        FhirQuery(key="medicationStatements", resource_type="MedicationStatement", params=(patient, count)),
        FhirQuery(key="medicationRequests", resource_type="MedicationRequest", params=(patient, count)),
        FhirQuery(
            key="medicationAdministrations",
            resource_type="MedicationAdministration",
            params=(patient, count),
            required=False,
        ),
        FhirQuery(
            key="medicationDispenses",
            resource_type="MedicationDispense",
            params=(patient, count),
            required=False,
        ),
        # Recorded intolerances (rules.md §1.1 "Intolerance / adverse reactions", SWITCH-GI-1, TX-CHOICE-2,
        # GC-SWITCH-1). Optional: an EHR that neither prefetches it nor gives fhirServer only leaves a data gap.
        FhirQuery(
            key="allergyIntolerances",
            resource_type="AllergyIntolerance",
            params=(patient, count),
            required=False,
        ),
    )
