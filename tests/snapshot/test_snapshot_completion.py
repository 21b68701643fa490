"""build_snapshot constructs the snapshot once and completes it with the gaps and exclusions it collected
(issue 20): the reading gaps first, the freshness gaps last, and the result is frozen like any snapshot."""

from __future__ import annotations

import dataclasses

import pytest

from app.snapshot import GapConcept, GapKind
from tests.builders.fhir import PREDNISONE_5MG, medication_request
from tests.snapshot.conftest import SnapshotOf


def test_freshness_gaps_follow_the_reading_gaps_and_exclusions_are_kept(snapshot_of: SnapshotOf) -> None:
    cancelled = medication_request(medication=PREDNISONE_5MG, id="cancelled-order", status="cancelled")
    snapshot = snapshot_of(cancelled, no_patient=True)
    concepts = [g.concept for g in snapshot.gaps]
    assert concepts[:3] == [GapConcept.PATIENT, GapConcept.BIRTH_DATE, GapConcept.SEX]
    assert concepts[-4:] == [GapConcept.DXA, GapConcept.VITAMIN_D, GapConcept.RENAL_FUNCTION, GapConcept.CALCIUM]
    assert all(g.kind is GapKind.MISSING for g in snapshot.gaps)
    assert [e.source.id for e in snapshot.excluded] == ["cancelled-order"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.gaps = ()  # type: ignore[misc]
    assert dataclasses.replace(snapshot) == snapshot
