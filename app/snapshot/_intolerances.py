"""AllergyIntolerance: recorded allergies and intolerances to our drugs (rules.md §1.1 "Intolerance / adverse
reactions", used by SWITCH-GI-1, TX-CHOICE-2 and GC-SWITCH-1).

The drug is identified by codes only, as the catalog asks (SWITCH-GI-1: "intolerance only in free text → not
auto-detected"): ``code``, else a ``reaction.substance``, against the drug value sets of ``fhir_mappings/`` (ATC,
RxNorm, SNOMED CT product codes as listed there). terminology.md has no codes for intolerance manifestations or
for the substances as SNOMED substance concepts, so none are assumed.

- ``verificationStatus`` refuted / entered-in-error → excluded (not data).
- ``clinicalStatus`` inactive / resolved → kept as history (``is_current`` False).
- A record whose code is in a system our value sets cover (ATC, RxNorm, SNOMED CT) but matches none of our drugs
  is not relevant (a penicillin allergy). A record coded only in other systems (G-Standaard, CNK) is an UNMAPPABLE
  gap; a record with text only is an UNMAPPABLE gap when the text names one of our drugs (it cannot be used,
  and the clinician should know why), and irrelevant otherwise.
- A relevant record with neither an onset nor a recorded date is kept (``date`` None) with a MISSING gap.
"""

from __future__ import annotations

from app.snapshot._conditions import NOT_DATA_VERIFICATION
from app.snapshot._context import BuildContext, source_of
from app.snapshot._dates import choice_date, parse_date
from app.snapshot._json import Json, codings, concept_texts, get_dict, get_dicts, get_str, status_code
from app.snapshot._medications import COVERED_SYSTEMS, drugs_by_code, drugs_by_name
from app.snapshot.model import (
    ClinicalDate,
    DrugIntolerance,
    GapConcept,
    GapKind,
    IntoleranceStatus,
    IntoleranceType,
)

__all__ = ["read_intolerances"]

_CLINICAL = {s.value: s for s in IntoleranceStatus}
_TYPES = {t.value: t for t in IntoleranceType}
_VERIFICATION = frozenset({"confirmed", "unconfirmed", "presumed"})
_MANIFESTATION_MAX_CHARS = 120
"""Display only: the reaction text is cut to this length in the card's data list (not a clinical threshold)."""


def _onset(resource: Json) -> ClinicalDate | None:
    start, end = choice_date(resource, "onset")
    found = start or end or parse_date(get_str(resource, "onsetString"))
    if found is not None:
        return found
    dated = [d for reaction in get_dicts(resource, "reaction") if (d := parse_date(get_str(reaction, "onset")))]
    return min(dated, key=lambda d: d.earliest) if dated else None


def _manifestation(resource: Json) -> str | None:
    texts: list[str] = []
    for reaction in get_dicts(resource, "reaction"):
        for manifestation in get_dicts(reaction, "manifestation"):
            names = concept_texts(manifestation)
            if names and names[0] not in texts:
                texts.append(names[0])
        description = get_str(reaction, "description")
        if description and description not in texts:
            texts.append(description)
    if not texts:
        return None
    text = "; ".join(texts)
    return text if len(text) <= _MANIFESTATION_MAX_CHARS else text[: _MANIFESTATION_MAX_CHARS - 1].rstrip() + "…"


def read_intolerances(resources: list[Json], context: BuildContext) -> list[DrugIntolerance]:
    """The :class:`DrugIntolerance` facts of ``AllergyIntolerance`` resources, oldest first; problems become gaps."""
    found: list[DrugIntolerance] = []
    for resource in resources:
        source = source_of(resource)
        code = get_dict(resource, "code")
        codes = codings(code)
        substance_codes = [
            key for reaction in get_dicts(resource, "reaction") for key in codings(get_dict(reaction, "substance"))
        ]
        drugs = drugs_by_code(codes, context) or drugs_by_code(substance_codes, context)
        if not drugs:
            all_codes = codes + substance_codes
            names = concept_texts(code)
            for reaction in get_dicts(resource, "reaction"):
                names += concept_texts(get_dict(reaction, "substance"))
            if all_codes and not any(system in COVERED_SYSTEMS for system, _ in all_codes):
                detail = "allergy/intolerance coded only in other systems"
                context.gap(GapKind.UNMAPPABLE, GapConcept.INTOLERANCE, detail, source)
            elif not all_codes and drugs_by_name(names):
                context.gap(
                    GapKind.UNMAPPABLE,
                    GapConcept.INTOLERANCE,
                    "allergy/intolerance to an osteoporosis drug recorded as text only: not used",
                    source,
                )
            continue
        verification = status_code(get_dict(resource, "verificationStatus"))
        if verification in NOT_DATA_VERIFICATION:
            context.exclude(resource, f"verification status {verification}")
            continue
        clinical_code = status_code(get_dict(resource, "clinicalStatus")) or "unknown"
        clinical = _CLINICAL.get(clinical_code, IntoleranceStatus.UNKNOWN)
        onset = _onset(resource)
        recorded = parse_date(get_str(resource, "recordedDate"))
        if onset is None and recorded is None:
            detail = "allergy/intolerance without onset or recorded date"
            context.gap(GapKind.MISSING, GapConcept.INTOLERANCE, detail, source)
        manifestation = _manifestation(resource)
        kind = _TYPES.get(get_str(resource, "type") or "unknown", IntoleranceType.UNKNOWN)
        for drug in sorted(drugs):
            found.append(
                DrugIntolerance(
                    drug=drug,
                    type=kind,
                    onset=onset,
                    recorded=recorded,
                    manifestation=manifestation,
                    clinical_status=clinical,
                    verification=verification if verification in _VERIFICATION else "unknown",
                    source=source,
                )
            )
    found.sort(key=lambda i: (i.date.earliest, i.date.latest) if i.date else (context.as_of, context.as_of))
    return found
