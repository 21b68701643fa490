"""The snapshot builder's memos and inlined accessors give what the direct computation gives (issue 20)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app import valuesets as vs
from app.snapshot import SnapshotParameters
from app.snapshot._context import BuildContext, source_of
from app.snapshot._dates import choice_date, effective_date, parse_date
from app.snapshot._dosage import strength_of
from app.snapshot._json import codings, concept_texts, get_dicts, get_str
from app.snapshot._medications import code_strength, identify, is_oral_solution
from app.snapshot._observations import (
    _BMD_SETS,
    _T_SCORE_SETS,
    _calcium_kind,
    _site,
    admitted_by_status,
    lab_concept,
    read_observations,
)
from app.snapshot._results import result_kind
from app.snapshot._therapy import _prednisone_factor
from app.snapshot._units import normalised_unit
from app.snapshot.build import _readers_of
from app.snapshot.model import CalciumKind, Drug, SourceRef
from app.terminology import CodeSetCatalog

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"

_CODE_TUPLES = [
    (),
    ((LOINC, "38267-1"),),
    ((LOINC, "38267-1"), (LOINC, "62292-8")),
    ((SNOMED, "5913000"), (None, "5913000")),
    (("urn:oid:2.16.840.1.113883.2.4.4.1", "12345"),),
]


@pytest.mark.parametrize("codes", _CODE_TUPLES)
def test_value_sets_memo_is_the_union_of_the_catalog_lookups(catalog: CodeSetCatalog, codes: Any) -> None:
    context = BuildContext(catalog=catalog, as_of=date(2025, 6, 1), parameters=SnapshotParameters())
    direct = frozenset().union(*(catalog.value_sets_for(system, code) for system, code in codes))
    assert context.value_sets(list(codes)) == direct
    assert context.value_sets(iter(codes)) == direct  # a second ask, from the memo, and from any iterable


def test_site_memo_is_the_first_matching_site() -> None:
    for table in (_T_SCORE_SETS, _BMD_SETS):
        for url, site in table:
            assert _site(frozenset({url, vs.VITAMIN_D_25OH}), table) is site
    both = frozenset({vs.DXA_T_SCORE_FEMORAL_NECK, vs.DXA_T_SCORE_LUMBAR_SPINE})
    assert _site(both, _T_SCORE_SETS) is next(site for url, site in _T_SCORE_SETS if url in both)


def _get_str_codings(concept: Any) -> list[tuple[str | None, str | None]]:
    """codings() as written with the generic accessors (before the inlining)."""
    if concept is None:
        return []
    items = get_dicts(concept, "coding")
    if not items and ("code" in concept or "system" in concept):
        items = [concept]
    return [(get_str(c, "system"), code) for c in items if (code := get_str(c, "code"))]


_ODD_CONCEPTS: list[Any] = [
    None,
    {},
    {"coding": [{"system": " http://loinc.org ", "code": " 2160-0 "}]},
    {"coding": [{"system": "", "code": "x"}, {"system": 3, "code": "y"}, {"code": "  "}, {"code": 5}, "z", None]},
    {"coding": "not a list"},
    {"coding": [], "system": "s", "code": "c"},
    {"system": "s", "code": "c"},
    {"code": ["c"]},
]


@pytest.mark.parametrize("concept", _ODD_CONCEPTS)
def test_inlined_codings_read_like_the_generic_accessors(concept: Any) -> None:
    assert codings(concept) == _get_str_codings(concept)


@pytest.mark.parametrize(
    "resource",
    [
        {"resourceType": "Observation", "id": "a"},
        {"resourceType": " Observation ", "id": "  "},
        {"resourceType": "", "id": 7},
        {"id": "x"},
        {"resourceType": ["Observation"]},
    ],
)
def test_inlined_source_of_reads_like_get_str(resource: dict[str, Any]) -> None:
    expected = SourceRef(get_str(resource, "resourceType") or "Unknown", get_str(resource, "id"))
    assert source_of(resource) == expected


@pytest.mark.parametrize(
    "quantity",
    [
        None,
        {},
        {"code": "mg/dL", "unit": "x"},
        {"code": "  ", "unit": "ng / mL"},
        {"code": 3, "unit": "Tablet"},
        {"unit": ""},
        {"code": " mL/min/{1.73_m2} "},
    ],
)
def test_inlined_normalised_unit_reads_like_get_str(quantity: Any) -> None:
    raw = (get_str(quantity, "code") or get_str(quantity, "unit") or "") if quantity is not None else ""
    assert normalised_unit(quantity) == raw.replace(" ", "").lower()


@pytest.mark.parametrize(
    "observation",
    [
        {"effectiveDateTime": "2024-03-05T10:00:00+02:00"},
        {"effectiveDateTime": " 2024-03 "},
        {"effectiveDateTime": "   ", "effectivePeriod": {"start": "2023-01-02"}},
        {"effectiveDateTime": 2024, "effectiveDate": "2022"},
        {"effectivePeriod": {"end": "2023-01-02"}},
        {},
    ],
)
def test_inlined_effective_date_reads_like_get_str(observation: dict[str, Any]) -> None:
    text = get_str(observation, "effectiveDateTime")
    expected = parse_date(text) if text is not None else choice_date(observation, "effective")[0]
    assert effective_date(observation) == expected


@pytest.mark.parametrize("codes", _CODE_TUPLES)
def test_reader_table_sends_an_observation_code_where_the_readers_ask(catalog: CodeSetCatalog, codes: Any) -> None:
    sets = frozenset().union(*(catalog.value_sets_for(system, code) for system, code in codes))
    assert _readers_of(catalog, codes) == (
        sets,
        not codes or lab_concept(sets) is not None,
        result_kind(sets) != (None, None),
    )


def test_prednisone_factor_of_each_drug_is_its_parameter() -> None:
    context = BuildContext(catalog=None, as_of=date(2025, 6, 1), parameters=SnapshotParameters())  # type: ignore[arg-type]
    factors = context.parameters.prednisone_factors
    expected = {
        Drug.PREDNISONE: factors.prednisone,
        Drug.PREDNISOLONE: factors.prednisolone,
        Drug.METHYLPREDNISOLONE: factors.methylprednisolone,
        Drug.TRIAMCINOLONE: factors.triamcinolone,
        Drug.HYDROCORTISONE: factors.hydrocortisone,
        Drug.CORTISONE: factors.cortisone,
        Drug.DEXAMETHASONE: factors.dexamethasone,
        Drug.BETAMETHASONE: factors.betamethasone,
        Drug.DEFLAZACORT: factors.deflazacort,
    }
    for drug in Drug:
        assert _prednisone_factor(drug, context) == expected.get(drug)


def _get_str_concept_texts(concept: Any) -> list[str]:
    """concept_texts() as written with the generic accessors (before the inlining)."""
    if concept is None:
        return []
    texts = [t for t in [get_str(concept, "text")] if t]
    texts.extend(d for c in get_dicts(concept, "coding") if (d := get_str(c, "display")))
    if not get_dicts(concept, "coding") and (d := get_str(concept, "display")):
        texts.append(d)
    return texts


@pytest.mark.parametrize(
    "concept",
    [
        *_ODD_CONCEPTS,
        {"text": " Prednison 5 mg ", "coding": [{"display": " prednisone "}, {"display": ""}, {"display": 3}, "x"]},
        {"text": "", "display": "bare display"},
        {"coding": [], "display": "bare display"},
    ],
)
def test_inlined_concept_texts_read_like_the_generic_accessors(concept: Any) -> None:
    assert concept_texts(concept) == _get_str_concept_texts(concept)


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"

_PRODUCTS: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = [
    ({"coding": [{"system": RXNORM, "code": "312617", "display": "prednisone 5 MG Oral Tablet"}]}, None),
    ({"coding": [{"system": RXNORM, "code": "312617"}], "text": "PREDNISON TABLET 10MG"}, None),  # code wins
    ({"coding": [{"system": RXNORM, "code": "312614", "display": "prednisolone 1 MG/ML Oral Solution"}]}, None),
    ({"coding": [{"system": ATC, "code": "M05BA04", "display": "alendroninezuur drank 70 mg"}]}, None),
    ({"coding": [{"system": ATC, "code": "C09AA02", "display": "enalapril 10 mg"}]}, None),
    ({"text": "Prednisolon 5mg"}, None),
    (None, {"resourceType": "Medication", "code": {"coding": [{"system": RXNORM, "code": "312617"}]}}),
    (
        None,
        {
            "resourceType": "Medication",
            "code": {"text": "prednisone 20 MG"},
            "ingredient": [
                {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "312617"}]}, "strength": {}},
            ],
        },
    ),
    (None, None),
]


@pytest.mark.parametrize(("concept", "medication"), _PRODUCTS)
def test_identification_states_the_product_strength_and_form_as_read_directly(
    catalog: CodeSetCatalog, concept: Any, medication: Any
) -> None:
    """identify() reads the product's strength and oral-solution form once per product (memoised with the drugs):
    the same as strength_of() / is_oral_solution() of its names and its code's strength."""
    context = BuildContext(catalog=catalog, as_of=date(2025, 6, 1), parameters=SnapshotParameters())
    found = identify(concept, medication, context)
    direct = strength_of(None, list(found.names), code_strength(concept, medication, context))
    assert found.strength == direct
    assert found.oral_solution is is_oral_solution(found.names)
    assert identify(concept, medication, context) == found


def test_a_product_whose_code_and_name_disagree_is_read_with_the_code(catalog: CodeSetCatalog) -> None:
    context = BuildContext(catalog=catalog, as_of=date(2025, 6, 1), parameters=SnapshotParameters())
    found = identify(_PRODUCTS[1][0], None, context)
    assert found.strength.mg_per_unit == 5
    assert found.strength.coded is not None and found.strength.coded.name_mg_per_unit == 10


@pytest.mark.parametrize(
    "sets",
    [
        frozenset({vs.CALCIUM_TOTAL}),
        frozenset({vs.CALCIUM_IONIZED}),
        frozenset({vs.CALCIUM_ALBUMIN_CORRECTED}),
        frozenset({vs.CALCIUM_TOTAL, vs.CALCIUM_ALBUMIN_CORRECTED, vs.CALCIUM_IONIZED}),
        frozenset({vs.CALCIUM_TOTAL, vs.CALCIUM_IONIZED}),
    ],
)
def test_calcium_kind_memo_is_the_direct_reading(sets: frozenset[str]) -> None:
    if vs.CALCIUM_ALBUMIN_CORRECTED in sets:
        expected = CalciumKind.ALBUMIN_CORRECTED
    elif vs.CALCIUM_IONIZED in sets:
        expected = CalciumKind.IONIZED
    else:
        expected = CalciumKind.TOTAL
    assert _calcium_kind(sets) is expected
    assert _calcium_kind(sets) is expected  # a second ask, from the memo


@pytest.mark.parametrize(
    "status", ["final", " final ", "amended", "corrected", None, "preliminary", "cancelled", "other", 3, {"a": 1}, ""]
)
def test_status_shortcut_admits_as_admitted_by_status(catalog: CodeSetCatalog, status: Any) -> None:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "ca",
        "code": {"coding": [{"system": LOINC, "code": "17861-6"}]},
        "effectiveDateTime": "2025-05-01",
        "valueQuantity": {"value": 9.4, "unit": "mg/dL", "code": "mg/dL"},
    }
    if status is not None:
        observation["status"] = status
    sets = frozenset().union(*(catalog.value_sets_for(s, c) for s, c in codings(observation["code"])))
    direct = BuildContext(catalog=catalog, as_of=date(2025, 6, 1), parameters=SnapshotParameters())
    admitted = admitted_by_status(observation, "calcium", source_of(observation), direct)
    read = BuildContext(catalog=catalog, as_of=date(2025, 6, 1), parameters=SnapshotParameters())
    facts = read_observations([(observation, sets)], read)
    assert len(facts.calcium) == (1 if admitted else 0)
    assert (read.gaps, read.excluded) == (direct.gaps, direct.excluded)
