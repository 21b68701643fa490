"""Fixtures for snapshot tests: the real value-set catalog and a one-line way to build a snapshot."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pytest

from app.fhir.record import PatientRecord, UnavailableData
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog, load_catalog
from tests.builders.fhir import patient as patient_resource

AS_OF = date(2025, 6, 1)
"""vignettes.md reference date ("today = 2025-06-01")."""

_REPO = Path(__file__).resolve().parents[2]


class SnapshotOf(Protocol):
    def __call__(
        self,
        *resources: Mapping[str, Any],
        patient: Mapping[str, Any] | None = ...,
        drafts: Sequence[Mapping[str, Any]] = ...,
        selections: Sequence[str] = ...,
        unavailable: Sequence[UnavailableData] = ...,
        as_of: date = ...,
        parameters: SnapshotParameters | None = ...,
        no_patient: bool = ...,
    ) -> ClinicalSnapshot: ...


@pytest.fixture(scope="session")
def catalog() -> CodeSetCatalog:
    return load_catalog(_REPO / "fhir_mappings")


@pytest.fixture
def snapshot_of(catalog: CodeSetCatalog) -> SnapshotOf:
    def build(
        *resources: Mapping[str, Any],
        patient: Mapping[str, Any] | None = None,
        drafts: Sequence[Mapping[str, Any]] = (),
        selections: Sequence[str] = (),
        unavailable: Sequence[UnavailableData] = (),
        as_of: date = AS_OF,
        parameters: SnapshotParameters | None = None,
        no_patient: bool = False,
    ) -> ClinicalSnapshot:
        record = PatientRecord(
            patient=None if no_patient else (patient if patient is not None else patient_resource()),
            resources=tuple(resources),
            draft_orders=tuple(drafts),
            selections=tuple(selections),
            unavailable=tuple(unavailable),
        )
        return build_snapshot(record, catalog=catalog, as_of=as_of, parameters=parameters or SnapshotParameters())

    return build


SnapshotFactory = Callable[..., ClinicalSnapshot]
