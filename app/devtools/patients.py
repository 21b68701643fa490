"""The synthetic patient library (``examples/patients/``) and what the tools make of a patient Bundle.

Each ``examples/patients/NN-<name>.json`` is one patient as a FHIR R4 **transaction** Bundle (``PUT`` with stable
ids, so loading it twice is harmless); ``examples/patients/draft-orders/NN-<name>.json`` is, for some of them,
the MedicationRequest a clinician is about to order (the ``order-select`` / ``order-sign`` scenario). Every date
is written relative to :data:`REFERENCE_DATE` (the vignettes' "today"); evaluate them as of that date.

This module turns a patient Bundle (transaction, batch, collection or searchset; ``PUT`` ids or ``POST`` +
``urn:uuid``) into its resources, into the complete prefetch of the service's prefetch keys, and builds the
CDS Hooks request of any of the three hooks, with prefetch (offline) or with ``fhirServer`` (the service
fetches). It reads files and JSON only: no network.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from app.fhir import FhirQuery, patient_queries
from app.terminology import load_catalog
from app.valuesets import OBSERVATION_VALUE_SETS

__all__ = [
    "HOOKS",
    "LIBRARY_DIR",
    "REFERENCE_DATE",
    "SERVICE_BY_HOOK",
    "PatientBundleError",
    "SyntheticPatient",
    "bundle_resources",
    "hook_request",
    "library_descriptions",
    "library_queries",
    "load_library",
    "patient_id_of",
    "prefetch_for",
    "read_json",
    "read_patient",
]

REFERENCE_DATE: Final = date(2025, 6, 1)
""""Today" of the patient library (and of shared/clinical/vignettes.md): evaluate the patients as of this date."""

LIBRARY_DIR: Final = Path(__file__).resolve().parents[2] / "examples" / "patients"
"""The library in a clone of the repository."""

HOOKS: Final = ("patient-view", "order-select", "order-sign")

SERVICE_BY_HOOK: Final[Mapping[str, str]] = {
    "patient-view": "osteoporosis-patient-view",
    "order-select": "osteoporosis-order-select",
    "order-sign": "osteoporosis-order-sign",
}
"""The CDS service that answers each hook (``app/hooks/services.py``)."""

_BUNDLE_TYPES: Final = frozenset({"transaction", "batch", "collection", "searchset", "document"})
# A Medication travels in the searchset of the records that reference it, as an EHR's _include would send it.
_INCLUDED_WITH: Final[Mapping[str, str]] = {"Medication": "MedicationRequest"}

Json = dict[str, Any]


def library_queries(page_size: int = 100) -> tuple[FhirQuery, ...]:
    """The service's prefetch queries, as the application builds them from ``fhir_mappings/`` (for building the
    complete prefetch of a library patient outside the application)."""
    catalog = load_catalog(LIBRARY_DIR.parents[1] / "fhir_mappings")
    codes = [(system, code) for url in OBSERVATION_VALUE_SETS for system, code in catalog[url].codes()]
    return tuple(patient_queries(observation_codes=codes, page_size=page_size))


class PatientBundleError(ValueError):
    """Raised when a file is not a usable patient Bundle (not JSON, not a Bundle, no or several Patients)."""


@dataclass(frozen=True, kw_only=True)
class SyntheticPatient:
    """One patient of the library: its transaction Bundle and, if it has one, its draft-order scenario."""

    name: str
    """The file stem, e.g. ``01-gc-62f-prednisolone-10mg``."""
    path: Path
    bundle: Mapping[str, Any]
    patient_id: str
    draft_order: Mapping[str, Any] | None = None

    @property
    def resources(self) -> list[Json]:
        """The patient's resources (deep copies), references resolved to ``Type/id``."""
        return bundle_resources(self.bundle)


def read_json(path: Path) -> Json:
    """A JSON object from ``path``; :class:`PatientBundleError` when unreadable or not an object."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PatientBundleError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise PatientBundleError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(document, dict):
        raise PatientBundleError(f"{path}: expected a JSON object")
    return document


def read_patient(path: Path, *, draft_order: Path | None = None) -> SyntheticPatient:
    """One patient Bundle file (and, optionally, the draft-order file that goes with it)."""
    bundle = read_json(path)
    resources = bundle_resources(bundle, where=str(path))
    order = read_json(draft_order) if draft_order is not None else None
    if order is not None and not isinstance(order.get("resourceType"), str):
        raise PatientBundleError(f"{draft_order}: a draft order must be a FHIR resource (e.g. a MedicationRequest)")
    return SyntheticPatient(
        name=path.stem,
        path=path,
        bundle=bundle,
        patient_id=patient_id_of(resources, where=str(path)),
        draft_order=order,
    )


def load_library(directory: Path = LIBRARY_DIR) -> tuple[SyntheticPatient, ...]:
    """Every ``*.json`` patient of ``directory``, in file-name order, with its ``draft-orders/`` file if any."""
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise PatientBundleError(f"{directory}: no patient Bundles (*.json) found")
    orders = directory / "draft-orders"
    patients = []
    for path in paths:
        order = orders / path.name
        patients.append(read_patient(path, draft_order=order if order.is_file() else None))
    return tuple(patients)


def library_descriptions(directory: Path = LIBRARY_DIR) -> dict[str, str]:
    """The one-line description of each patient (file stem → text) from the library's ``README.md`` table
    (rows ``| `stem` | `id` | description |``); empty when there is no README."""
    try:
        readme = (directory / "README.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    rows = re.findall(r"^\| `([^`]+)` \| `[^`]+` \| (.+?) \|$", readme, flags=re.MULTILINE)
    return {stem: text.strip() for stem, text in rows}


def bundle_resources(bundle: Mapping[str, Any], *, where: str = "the Bundle") -> list[Json]:
    """The entry resources of a patient Bundle, deep-copied.

    ``POST`` entries of a transaction have no id: each gets the uuid of its ``urn:uuid`` fullUrl (or a fresh
    one), and every ``urn:uuid:...`` reference in the Bundle is rewritten to ``Type/id``, as a server would.
    """
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") not in _BUNDLE_TYPES:
        raise PatientBundleError(f"{where}: expected a FHIR Bundle of type transaction, batch, collection or searchset")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        raise PatientBundleError(f"{where}: the Bundle has no entries")
    resources: list[Json] = []
    replacements: dict[str, str] = {}
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise PatientBundleError(f"{where}: entry {index} holds no FHIR resource")
        resource = copy.deepcopy(resource)
        full_url = entry.get("fullUrl")
        if not isinstance(resource.get("id"), str):
            given = full_url.removeprefix("urn:uuid:") if isinstance(full_url, str) else ""
            resource["id"] = given if full_url != given and given else str(uuid.uuid4())
        if isinstance(full_url, str) and full_url.startswith("urn:uuid:"):
            replacements[full_url] = f"{resource['resourceType']}/{resource['id']}"
        resources.append(resource)
    if replacements:
        for resource in resources:
            _rewrite_references(resource, replacements)
    return resources


def _rewrite_references(node: Any, replacements: Mapping[str, str]) -> None:
    if isinstance(node, dict):
        reference = node.get("reference")
        if isinstance(reference, str) and reference in replacements:
            node["reference"] = replacements[reference]
        for value in node.values():
            _rewrite_references(value, replacements)
    elif isinstance(node, list):
        for item in node:
            _rewrite_references(item, replacements)


def patient_id_of(resources: Sequence[Mapping[str, Any]], *, where: str = "the Bundle") -> str:
    """The id of the one Patient among ``resources``."""
    ids = [str(r["id"]) for r in resources if r.get("resourceType") == "Patient"]
    if len(ids) != 1:
        raise PatientBundleError(f"{where}: expected exactly one Patient, found {len(ids)}")
    return ids[0]


def _searchset(resources: Iterable[Mapping[str, Any]]) -> Json:
    entries = [{"resource": dict(r), "search": {"mode": "match"}} for r in resources]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


def prefetch_for(
    resources: Sequence[Mapping[str, Any]], queries: Sequence[FhirQuery], *, only: Iterable[str] | None = None
) -> Json:
    """The complete prefetch of ``queries`` for this patient, as an EHR would send it.

    The read key gets the Patient; each search key a searchset Bundle of the resources of its type (empty when
    there are none: "searched, found nothing"). ``only`` keeps just those keys (partial prefetch: the service
    fetches the others). Resources of other types are left out, as the EHR's searches would leave them out.
    """
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    for resource in resources:
        kind = str(resource["resourceType"])
        by_type.setdefault(_INCLUDED_WITH.get(kind, kind), []).append(resource)
    wanted = set(only) if only is not None else None
    prefetch: Json = {}
    for query in queries:
        if wanted is not None and query.key not in wanted:
            continue
        if query.read:
            (patient,) = by_type.get(query.resource_type, [None])
            prefetch[query.key] = dict(patient) if patient is not None else None
        else:
            prefetch[query.key] = _searchset(by_type.get(query.resource_type, []))
    return prefetch


def hook_request(
    *,
    hook: str,
    patient_id: str,
    prefetch: Mapping[str, Any] | None = None,
    fhir_server: str | None = None,
    access_token: str | None = None,
    draft_orders: Sequence[Mapping[str, Any]] = (),
    language: str | None = None,
    user_id: str = "Practitioner/osteo-cds-demo",
) -> Json:
    """A CDS Hooks 2.0 request for ``hook``.

    Order hooks carry ``draftOrders`` (a collection Bundle of ``draft_orders``, possibly empty); ``order-select``
    selects the first draft order. ``fhir_server`` + ``access_token`` let the service fetch what ``prefetch``
    lacks; ``language`` sets the ``org.osteo-cds.language`` extension.
    """
    if hook not in SERVICE_BY_HOOK:
        raise ValueError(f"unknown hook {hook!r}; expected one of {', '.join(HOOKS)}")
    context: Json = {"userId": user_id, "patientId": patient_id}
    if hook != "patient-view":
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": dict(order)} for order in draft_orders],
        }
    if hook == "order-select":
        context["selections"] = [f"{o['resourceType']}/{o.get('id', 'draft')}" for o in draft_orders[:1]] or [
            "MedicationRequest/none-selected"
        ]
    body: Json = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
        if access_token is not None:
            body["fhirAuthorization"] = {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "patient/*.read",
                "subject": "osteo-cds",
            }
    if prefetch is not None:
        body["prefetch"] = dict(prefetch)
    if language is not None:
        body["extension"] = {"org.osteo-cds.language": language}
    return body
