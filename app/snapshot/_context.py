"""Shared state of one snapshot build: inputs, parameters, and the gaps and exclusions collected on the way."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from app.snapshot._dosage import DoseLimits
from app.snapshot._json import CodingKey, Json, codings, get_str
from app.snapshot.model import DataGap, ExcludedRecord, GapKind, SourceRef
from app.snapshot.parameters import SnapshotParameters
from app.terminology import CodeSetCatalog  # at run time: the compiled build (mypyc) reads the field types below

__all__ = ["BuildContext", "source_of", "value_sets_of"]


def source_of(resource: Json) -> SourceRef:
    """The provenance reference of a resource: its type (``"Unknown"`` when absent) and id."""
    # get_str of both keys, inlined: every fact and every gap has a source.
    rtype = resource.get("resourceType")
    rid = resource.get("id")
    return SourceRef(
        (rtype.strip() or "Unknown") if isinstance(rtype, str) else "Unknown",
        (rid.strip() or None) if isinstance(rid, str) else None,
    )


@functools.lru_cache(maxsize=4096)
def value_sets_of(catalog: CodeSetCatalog, codes: tuple[CodingKey, ...]) -> frozenset[str]:
    """Every value set of ``catalog`` containing any of ``codes`` (cached for the process: the catalog is immutable,
    and the same codes come back call after call)."""
    return frozenset().union(*(catalog.value_sets_for(system, code) for system, code in codes))


@dataclass
class BuildContext:
    """Mutable collector used while building one snapshot (never leaves the builder)."""

    catalog: CodeSetCatalog
    as_of: date
    parameters: SnapshotParameters
    resources: list[Json] = field(default_factory=list)
    """The record's resources, for :meth:`lookup` (indexed by ``Type/id`` on the first lookup only: most records
    reference none)."""
    gaps: list[DataGap] = field(default_factory=list)
    excluded: list[ExcludedRecord] = field(default_factory=list)
    dose_limits: DoseLimits = field(init=False, repr=False)
    """The calendar units and schedule bounds of the parameters, for the dose arithmetic."""
    _by_ref: dict[str, Json] | None = field(init=False, repr=False, compare=False)
    """``Type/id`` → resource, made by the first :meth:`lookup` of a ``Type/id`` (most records reference none).

    These two are plain fields, set in ``__post_init__``, not ``functools.cached_property``: the compiled build
    (mypyc) turns a ``cached_property`` into a property computed on every read (and leaves a class-level default
    unset)."""

    def __post_init__(self) -> None:
        p = self.parameters
        self.dose_limits = DoseLimits(p.days_per_month, p.days_per_year, p.max_doses_per_day, p.max_dosing_period_days)
        self._by_ref = None

    def gap(self, kind: GapKind, concept: str, detail: str, source: SourceRef | None = None) -> None:
        """Record a data gap."""
        self.gaps.append(DataGap(kind, concept, detail, source))

    def exclude(self, resource: Json, reason: str) -> None:
        """Record a resource left out because its status says it is not real data (or it is not relevant)."""
        self.excluded.append(ExcludedRecord(source_of(resource), reason))

    def matches(self, url: str, codes: Iterable[CodingKey]) -> bool:
        """Any of ``codes`` is in the value set ``url`` (an absent value set matches nothing)."""
        return url in self.value_sets(codes)

    def value_sets(self, codes: Iterable[CodingKey]) -> frozenset[str]:
        """Every value set containing any of ``codes`` (one index lookup per coding, cached for the process)."""
        return value_sets_of(self.catalog, tuple(codes))

    def coded(self, concept: Json | None) -> tuple[list[CodingKey], frozenset[str]]:
        """``(codings, value sets)`` of a CodeableConcept."""
        codes = codings(concept)
        return codes, value_sets_of(self.catalog, tuple(codes)) if codes else frozenset()

    def lookup(self, reference: str | None, container: Json | None = None) -> Json | None:
        """Resolve a reference: ``#id`` among ``container.contained``, else ``Type/id`` (also at the end of an
        absolute URL) among the record's resources."""
        if reference is None:
            return None
        if reference.startswith("#"):
            wanted = reference[1:]
            if container is not None:
                contained = container.get("contained")
                if isinstance(contained, list):
                    for item in contained:
                        if isinstance(item, dict) and get_str(item, "id") == wanted:
                            return item
            return None
        parts = reference.rstrip("/").split("/")
        if len(parts) >= 2:
            key = f"{parts[-2]}/{parts[-1]}"
            if parts[-2] == "_history" and len(parts) >= 4:
                key = f"{parts[-4]}/{parts[-3]}"
            return self._resources_by_ref().get(key)
        return None

    def _resources_by_ref(self) -> dict[str, Json]:
        """``Type/id`` → resource; the first resource wins when two share a reference."""
        if self._by_ref is None:
            index: dict[str, Json] = {}
            for resource in self.resources:
                rid = get_str(resource, "id")
                rtype = get_str(resource, "resourceType")
                if rid and rtype:
                    index.setdefault(f"{rtype}/{rid}", resource)
            self._by_ref = index
        return self._by_ref
