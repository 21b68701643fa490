"""The FHIR edge: the client, the query declarations and the prefetch resolver."""

from __future__ import annotations

from app.fhir.client import FhirClient, SearchResult
from app.fhir.prefetch import GatherLimits, GatherStats, gather_patient_record, is_allowed_fhir_server
from app.fhir.queries import FhirQuery, patient_queries
from app.fhir.record import PatientRecord, UnavailableData

__all__ = [
    "FhirClient",
    "FhirQuery",
    "GatherLimits",
    "GatherStats",
    "PatientRecord",
    "SearchResult",
    "UnavailableData",
    "gather_patient_record",
    "is_allowed_fhir_server",
    "patient_queries",
]
