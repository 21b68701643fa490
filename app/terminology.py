"""Clinical value sets: load ``fhir_mappings/valueset-*.json`` into immutable, fast code sets.

Each file is one FHIR R4 ValueSet (validated by ``app/fhir/conformance.py``). ``load_catalog`` expands every
``compose`` once, at start-up, into a :class:`CodeSet` keyed by canonical URL; a bad file fails the start-up
with a :class:`~app.errors.TerminologyError` that names the file. Code refers to value sets only through the
constants of :mod:`app.valuesets`.

Matching is always on ``(system, code)`` after :func:`normalize_system`, never on a bare code:

* ``compose.include.concept``: exact codes.
* ``compose.include.filter`` ``{"property": "concept", "op": "is-a", "value": P}``: **prefix matching**, allowed
  only for the systems in :data:`PREFIX_SYSTEMS` (ATC, ICD-10 WHO / CM / NL, ICPC-1-NL). Those systems are
  strictly hierarchical by code prefix (terminology.md §0 "Subsumption"), so ``is-a P`` means "P or any code
  that starts with P". Codes of these systems are compared without dots, spaces or case (terminology.md §4:
  some EHRs send ``M800`` for ``M80.0``).
* ``compose.include.valueSet``: one canonical URL per include; the member's codes are added (union).

Every concept and filter carries a provenance extension (:data:`PROVENANCE_URL`) with the terminology.md
section, the St. status (V, V2, C, U) and an ``unverified`` flag; :meth:`CodeSetCatalog.provenance` returns it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.errors import TerminologyError
from app.fhir.conformance import InvalidConformanceResourceError, parse_value_set

__all__ = [
    "ATC",
    "CANONICAL_BASE",
    "CNK",
    "ICD10",
    "ICD10_CM",
    "ICD10_NL",
    "ICPC1_NL",
    "LOINC",
    "PREFIX_SYSTEMS",
    "PROVENANCE_URL",
    "RXNORM",
    "SNOMED",
    "CodeProvenance",
    "CodeSet",
    "CodeSetCatalog",
    "VerificationStatus",
    "load_catalog",
    "normalize_code",
    "normalize_system",
]

CANONICAL_BASE = "http://osteo-cds.org/fhir/ValueSet/"
PROVENANCE_URL = "http://osteo-cds.org/fhir/StructureDefinition/code-provenance"

# Code-system URIs (terminology.md §0).
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_NL = "http://hl7.org/fhir/sid/icd-10-nl"
ICPC1_NL = "http://hl7.org/fhir/sid/icpc-1-nl"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
CNK = "https://www.ehealth.fgov.be/standards/fhir/medication/NamingSystem/cnk-codes"

PREFIX_SYSTEMS: frozenset[str] = frozenset({ATC, ICD10, ICD10_CM, ICD10_NL, ICPC1_NL})
"""Systems that are strictly hierarchical by code prefix; only these may use an ``is-a`` filter."""

_SYSTEM_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        # terminology.md §0: Belgian artifacts sometimes drop the "www".
        "http://whocc.no/atc": ATC,
        # terminology.md §0: canonical NamingSystem URL vs. the system URI used in instances.
        "https://www.ehealth.fgov.be/standards/fhir/medication/NamingSystem/be-ns-cnk-codes": CNK,
        # terminology.md §0: OIDs of the Dutch ICD-10 translation and ICPC-1-NL.
        "urn:oid:2.16.840.1.113883.6.3.2": ICD10_NL,
        "urn:oid:2.16.840.1.113883.2.4.4.31.1": ICPC1_NL,
    }
)

_FILE_PATTERN = "valueset-*.json"
_ALLOWED_STATUSES = frozenset({"draft", "active", "retired", "unknown"})
_PREFIX_CLEANUP = re.compile(r"[\s.]")


def normalize_system(system: str) -> str:
    """The canonical URI for a code-system URI or one of its known aliases (unknown systems are only stripped)."""
    stripped = system.strip()
    return _SYSTEM_ALIASES.get(stripped, stripped)


def normalize_code(system: str, code: str) -> str:
    """The comparable form of ``code`` in the canonical ``system``.

    Codes of prefix systems lose dots and whitespace and are upper-cased (``m80.0`` -> ``M800``); other codes
    are only stripped (LOINC, SNOMED CT and RxNorm codes are case- and punctuation-exact).
    """
    if system in PREFIX_SYSTEMS:
        return _PREFIX_CLEANUP.sub("", code).upper()
    return code.strip()


class VerificationStatus(StrEnum):
    """The St. column of terminology.md: how well the code and its meaning were checked."""

    VERIFIED = "V"
    SECONDARY = "V2"
    CHECK_DIGIT_ONLY = "C"
    UNVERIFIED = "U"


@dataclass(frozen=True, slots=True)
class CodeProvenance:
    """Where a shipped code (or prefix) comes from: the terminology.md section, its status and our flag."""

    value_set: str
    """Canonical URL of the value set that declares the code."""
    source: str
    status: VerificationStatus
    unverified: bool
    """True for St. C/U codes and for codes listed in terminology.md §7 ("Codes NOT verified")."""
    note: str | None = None
    is_prefix: bool = False


def _empty_index() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CodeSet:
    """One expanded ValueSet: exact ``(system, code)`` pairs plus prefix filters, all normalised."""

    url: str
    name: str
    title: str
    version: str
    exact_codes: frozenset[tuple[str, str]] = frozenset()
    """Normalised ``(system, code)`` pairs matched exactly."""
    prefix_codes: frozenset[tuple[str, str]] = frozenset()
    """Normalised ``(system, prefix)`` pairs matched by prefix (``is-a`` filters of prefix systems)."""
    _prefix_index: Mapping[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=_empty_index
    )

    def __post_init__(self) -> None:
        index: dict[str, list[str]] = {}
        for system, prefix in self.prefix_codes:
            index.setdefault(system, []).append(prefix)
        frozen = MappingProxyType({system: tuple(sorted(values)) for system, values in index.items()})
        object.__setattr__(self, "_prefix_index", frozen)

    def contains(self, system: str | None, code: str | None) -> bool:
        """True when ``code`` of ``system`` is in this set, exactly or under one of its prefix filters."""
        if not system or not code:
            return False
        canonical = normalize_system(system)
        normalized = normalize_code(canonical, code)
        if not normalized:
            return False
        if (canonical, normalized) in self.exact_codes:
            return True
        return any(normalized.startswith(prefix) for prefix in self._prefix_index.get(canonical, ()))

    def codes(self) -> tuple[tuple[str, str], ...]:
        """The exact ``(system, code)`` pairs, sorted: e.g. to build a FHIR ``code=`` search (prefix filters,
        which a FHIR server cannot search on, are not included)."""
        return tuple(sorted(self.exact_codes))

    def matches_any(self, codings: Iterable[tuple[str | None, str | None]]) -> bool:
        """True when any ``(system, code)`` pair, e.g. the codings of one CodeableConcept, is in this set."""
        return any(self.contains(system, code) for system, code in codings)


class CodeSetCatalog:
    """All value sets, keyed by canonical URL; immutable once loaded."""

    __slots__ = ("_displays", "_exact_index", "_lookup_cache", "_prefix_index", "_provenance", "_sets")

    def __init__(
        self,
        sets: Mapping[str, CodeSet],
        *,
        displays: Mapping[tuple[str, str], str],
        provenance: Mapping[tuple[str, str], CodeProvenance],
    ) -> None:
        self._sets: Mapping[str, CodeSet] = MappingProxyType(dict(sets))
        self._displays: Mapping[tuple[str, str], str] = MappingProxyType(dict(displays))
        self._provenance: Mapping[tuple[str, str], CodeProvenance] = MappingProxyType(dict(provenance))
        # Reverse indexes, so that one lookup answers "which value sets contain this code?" for all sets at once.
        exact: dict[tuple[str, str], set[str]] = {}
        prefixes: dict[str, dict[str, set[str]]] = {}
        for url, code_set in self._sets.items():
            for key in code_set.exact_codes:
                exact.setdefault(key, set()).add(url)
            for system, prefix in code_set.prefix_codes:
                prefixes.setdefault(system, {}).setdefault(prefix, set()).add(url)
        self._exact_index = {key: frozenset(urls) for key, urls in exact.items()}
        self._prefix_index = {
            system: {prefix: frozenset(urls) for prefix, urls in by_prefix.items()}
            for system, by_prefix in prefixes.items()
        }
        self._lookup_cache: dict[tuple[str, str], frozenset[str]] = {}

    def __getitem__(self, url: str) -> CodeSet:
        try:
            return self._sets[url]
        except KeyError:
            raise TerminologyError(
                f"unknown value set {url!r}: no fhir_mappings/valueset-*.json has this url"
            ) from None

    def __contains__(self, url: object) -> bool:
        return url in self._sets

    def __iter__(self) -> Iterator[CodeSet]:
        return iter(self._sets.values())

    def __len__(self) -> int:
        return len(self._sets)

    def value_sets_for(self, system: str | None, code: str | None) -> frozenset[str]:
        """The canonical URLs of every value set that contains ``code`` of ``system`` (exactly or by prefix).

        Equivalent to ``{url for url in urls() if self[url].contains(system, code)}``, from precomputed indexes
        and a cache: the snapshot builder asks this once per coding instead of once per value set.
        """
        if not system or not code:
            return frozenset()
        key = (system, code)
        cached = self._lookup_cache.get(key)
        if cached is not None:
            return cached
        canonical = normalize_system(system)
        normalized = normalize_code(canonical, code)
        found: frozenset[str] = frozenset()
        if normalized:
            found = self._exact_index.get((canonical, normalized), frozenset())
            by_prefix = self._prefix_index.get(canonical)
            if by_prefix:
                for length in range(1, len(normalized) + 1):
                    urls = by_prefix.get(normalized[:length])
                    if urls:
                        found = found | urls
        if len(self._lookup_cache) < 100_000:
            self._lookup_cache[key] = found
        return found

    def urls(self) -> tuple[str, ...]:
        """Canonical URLs of every loaded value set, sorted."""
        return tuple(sorted(self._sets))

    def display(self, system: str, code: str) -> str | None:
        """The display we ship for exactly this code (or prefix), if any."""
        canonical = normalize_system(system)
        return self._displays.get((canonical, normalize_code(canonical, code)))

    def provenance(self, system: str, code: str) -> CodeProvenance | None:
        """Provenance of the entry that matches ``code``: the exact code, else the longest matching prefix."""
        canonical = normalize_system(system)
        normalized = normalize_code(canonical, code)
        exact = self._provenance.get((canonical, normalized))
        if exact is not None or canonical not in PREFIX_SYSTEMS:
            return exact
        for length in range(len(normalized) - 1, 0, -1):
            found = self._provenance.get((canonical, normalized[:length]))
            if found is not None and found.is_prefix:
                return found
        return None


# ----------------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    system: str
    code: str
    display: str | None
    provenance: CodeProvenance


@dataclass(slots=True)
class _Parsed:
    path: Path
    url: str
    name: str
    title: str
    version: str
    entries: list[_Entry]
    members: list[str]


def load_catalog(directory: Path) -> CodeSetCatalog:
    """Parse, validate and expand every ``valueset-*.json`` in ``directory``.

    Raises :class:`TerminologyError` naming the file and the problem: unreadable JSON, an invalid R4 ValueSet,
    missing metadata, a url that does not match the file name, an unsupported compose construct (exclude,
    intersections, filters on a non-prefix system), a missing provenance extension, an unknown or cyclic
    ``compose.include.valueSet``, or one code shipped with two different displays.
    """
    paths = sorted(directory.glob(_FILE_PATTERN))
    if not paths:
        raise TerminologyError(f"{directory}: no {_FILE_PATTERN} files found")
    parsed: dict[str, _Parsed] = {}
    for path in paths:
        value_set = _parse_file(path)  # its url is derived from the (unique) file name
        parsed[value_set.url] = value_set

    displays: dict[tuple[str, str], str] = {}
    display_origin: dict[tuple[str, str], str] = {}
    provenance: dict[tuple[str, str], CodeProvenance] = {}
    for value_set in parsed.values():
        for entry in value_set.entries:
            key = (entry.system, entry.code)
            if entry.display is not None:
                known = displays.get(key)
                if known is not None and known != entry.display:
                    raise TerminologyError(
                        f"{value_set.path.name}: {entry.system}|{entry.code} has display {entry.display!r} but "
                        f"{display_origin[key]} ships {known!r}"
                    )
                displays[key] = entry.display
                display_origin[key] = value_set.path.name
            provenance.setdefault(key, entry.provenance)

    expanded: dict[str, CodeSet] = {}
    for url in parsed:
        _expand(url, parsed, expanded, ())
    return CodeSetCatalog(expanded, displays=displays, provenance=provenance)


def _expand(url: str, parsed: Mapping[str, _Parsed], done: dict[str, CodeSet], stack: tuple[str, ...]) -> CodeSet:
    if url in done:
        return done[url]
    value_set = parsed[url]
    if url in stack:
        cycle = " -> ".join((*stack[stack.index(url) :], url))
        raise TerminologyError(f"{value_set.path.name}: compose.include.valueSet cycle {cycle}")
    codes = {(e.system, e.code) for e in value_set.entries if not e.provenance.is_prefix}
    prefixes = {(e.system, e.code) for e in value_set.entries if e.provenance.is_prefix}
    for member in value_set.members:
        if member not in parsed:
            raise TerminologyError(f"{value_set.path.name}: compose.include.valueSet {member} is not a known value set")
        member_set = _expand(member, parsed, done, (*stack, url))
        codes |= member_set.exact_codes
        prefixes |= member_set.prefix_codes
    code_set = CodeSet(
        url=value_set.url,
        name=value_set.name,
        title=value_set.title,
        version=value_set.version,
        exact_codes=frozenset(codes),
        prefix_codes=frozenset(prefixes),
    )
    done[url] = code_set
    return code_set


def _parse_file(path: Path) -> _Parsed:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TerminologyError(f"{path.name}: cannot read JSON ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("resourceType") != "ValueSet":
        raise TerminologyError(f"{path.name}: not a FHIR ValueSet (resourceType must be 'ValueSet')")
    try:
        resource = parse_value_set(raw)
    except InvalidConformanceResourceError as exc:
        raise TerminologyError(f"{path.name}: {exc}") from exc
    return _read_value_set(path, resource)


def _read_value_set(path: Path, resource: Any) -> _Parsed:
    file_id = path.stem.removeprefix("valueset-")
    expected_url = CANONICAL_BASE + file_id
    if resource.id != file_id:
        raise TerminologyError(f"{path.name}: id {resource.id!r} does not match the file name (expected {file_id!r})")
    if resource.url != expected_url:
        raise TerminologyError(f"{path.name}: url {resource.url!r} must be {expected_url!r}")
    for element in ("version", "name", "title", "date", "publisher", "description", "purpose"):
        if not getattr(resource, element, None):
            raise TerminologyError(f"{path.name}: missing {element}")
    if resource.status not in _ALLOWED_STATUSES:
        raise TerminologyError(f"{path.name}: status {resource.status!r} is not a FHIR publication status")
    compose = resource.compose
    if compose is None or not compose.include:
        raise TerminologyError(f"{path.name}: compose.include is empty")
    if compose.exclude:
        raise TerminologyError(f"{path.name}: compose.exclude is not supported (use a separate exclusion value set)")

    entries: list[_Entry] = []
    members: list[str] = []
    for index, include in enumerate(compose.include):
        where = f"{path.name}: compose.include[{index}]"
        if include.valueSet:
            if include.system or include.concept or include.filter or len(include.valueSet) != 1:
                raise TerminologyError(
                    f"{where}: list exactly one valueSet and nothing else (FHIR would intersect them)"
                )
            members.append(include.valueSet[0])
            continue
        if not include.system:
            raise TerminologyError(f"{where}: system is required")
        if include.concept and include.filter:
            raise TerminologyError(f"{where}: concept and filter in one include (FHIR vsd-3)")
        system = normalize_system(include.system)
        if system != include.system:
            raise TerminologyError(f"{where}: use the canonical system {system!r}, not the alias {include.system!r}")
        for concept in include.concept or ():
            entries.append(_concept_entry(where, resource.url, system, concept))
        for filter_ in include.filter or ():
            entries.append(_filter_entry(where, resource.url, system, filter_))
        if not include.concept and not include.filter:
            raise TerminologyError(f"{where}: a whole code system is never included; list concepts or filters")
    _reject_duplicates(path, entries)
    return _Parsed(
        path=path,
        url=resource.url,
        name=resource.name,
        title=resource.title,
        version=resource.version,
        entries=entries,
        members=members,
    )


def _concept_entry(where: str, url: str, system: str, concept: Any) -> _Entry:
    code = normalize_code(system, concept.code)
    if not code:
        raise TerminologyError(f"{where}: empty code")
    if not concept.display:
        raise TerminologyError(f"{where}: {system}|{concept.code} has no display")
    provenance = _provenance(f"{where} {system}|{concept.code}", url, concept.extension, is_prefix=False)
    return _Entry(system=system, code=code, display=concept.display, provenance=provenance)


def _filter_entry(where: str, url: str, system: str, filter_: Any) -> _Entry:
    label = f"{where} filter {filter_.value!r}"
    if system not in PREFIX_SYSTEMS:
        raise TerminologyError(f"{label}: filters are only allowed on prefix systems, not {system}")
    if filter_.property != "concept" or filter_.op != "is-a":
        raise TerminologyError(f"{label}: only {{'property': 'concept', 'op': 'is-a'}} (prefix match) is supported")
    prefix = normalize_code(system, filter_.value)
    if not prefix:
        raise TerminologyError(f"{label}: empty prefix")
    provenance = _provenance(label, url, filter_.extension, is_prefix=True)
    display = _sub_value(provenance_extension=filter_.extension, key="display")
    return _Entry(system=system, code=prefix, display=display, provenance=provenance)


def _provenance(label: str, url: str, extensions: Any, *, is_prefix: bool) -> CodeProvenance:
    if not any(ext.url == PROVENANCE_URL for ext in extensions or ()):
        raise TerminologyError(f"{label}: missing provenance extension {PROVENANCE_URL}")
    source = _sub_value(provenance_extension=extensions, key="source")
    status = _sub_value(provenance_extension=extensions, key="status")
    unverified = _sub_value(provenance_extension=extensions, key="unverified")
    note = _sub_value(provenance_extension=extensions, key="note")
    if not isinstance(source, str) or not source:
        raise TerminologyError(f"{label}: provenance needs a 'source' (terminology.md section)")
    if status not in {member.value for member in VerificationStatus}:
        raise TerminologyError(f"{label}: provenance 'status' must be one of V, V2, C, U (got {status!r})")
    if not isinstance(unverified, bool):
        raise TerminologyError(f"{label}: provenance needs a boolean 'unverified'")
    verification = VerificationStatus(status)
    if verification in (VerificationStatus.CHECK_DIGIT_ONLY, VerificationStatus.UNVERIFIED) and not unverified:
        raise TerminologyError(f"{label}: a St. {status} code must be flagged unverified")
    return CodeProvenance(
        value_set=url,
        source=source,
        status=verification,
        unverified=unverified,
        note=note if isinstance(note, str) else None,
        is_prefix=is_prefix,
    )


def _sub_value(*, provenance_extension: Any, key: str) -> Any:
    for ext in provenance_extension or ():
        if ext.url != PROVENANCE_URL:
            continue
        for sub in ext.extension or ():
            if sub.url == key:
                for attribute in ("valueString", "valueCode", "valueBoolean"):
                    value = getattr(sub, attribute, None)
                    if value is not None:
                        return value
    return None


def _reject_duplicates(path: Path, entries: list[_Entry]) -> None:
    seen: set[tuple[str, str, bool]] = set()
    for entry in entries:
        key = (entry.system, entry.code, entry.provenance.is_prefix)
        if key in seen:
            raise TerminologyError(f"{path.name}: {entry.system}|{entry.code} is listed twice")
        seen.add(key)
