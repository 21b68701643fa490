"""Rule-test helpers (diagnosis, screening, monitoring families): a snapshot from FHIR builders, one rule run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.fhir.record import PatientRecord
from app.rules.model import Hook, Outcome, Rule, RuleContext
from app.rules.parameters import GuidelineParameters
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import patient

__all__ = ["AS_OF", "catalog", "evaluate", "snapshot"]

AS_OF = date(2025, 6, 1)
"""vignettes.md reference date ("today = 2025-06-01")."""

_CATALOG: list[CodeSetCatalog] = []


def catalog() -> CodeSetCatalog:
    if not _CATALOG:
        _CATALOG.append(load_catalog(Path(__file__).resolve().parents[2] / "fhir_mappings"))
    return _CATALOG[0]


def snapshot(
    *resources: Mapping[str, Any],
    born: str = "1960-01-15",
    sex: str = "female",
    drafts: Sequence[Mapping[str, Any]] = (),
    as_of: date = AS_OF,
) -> ClinicalSnapshot:
    record = PatientRecord(
        patient=patient(birth_date=born, gender=sex),
        resources=tuple(resources),
        draft_orders=tuple(drafts),
        selections=tuple(f"{d['resourceType']}/{d['id']}" for d in drafts[:1]),
        unavailable=(),
    )
    return build_snapshot(record, catalog=catalog(), as_of=as_of, parameters=SnapshotParameters())


def evaluate(
    rule: Rule,
    snap: ClinicalSnapshot,
    *,
    hook: Hook = Hook.PATIENT_VIEW,
    profile: str = "nl",
    **parameters: Any,
) -> Outcome:
    params = GuidelineParameters(**parameters).for_profile(profile)
    return rule.evaluate(RuleContext(snapshot=snap, hook=hook, parameters=params, profile=profile))
