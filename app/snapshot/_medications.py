"""Which drug a medication resource is (terminology.md §5.1 "recommended matching order").

1. Codes (ATC, RxNorm, SNOMED, G-Standaard, CNK...) against the value sets of ``fhir_mappings/``;
2. otherwise the ingredient or brand name in the medication's text / display (English, Dutch, French), as
   terminology.md §5.1 step 3 recommends. Such matches are flagged ``by_text``.

A medication that matches nothing is *irrelevant* when it carries a code in a system our value sets cover
(ATC, RxNorm, SNOMED CT): our lists are authoritative there. When it carries only codes we cannot read
(G-Standaard without ATC, CNK...) it is *unmappable* and becomes a data gap.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import valuesets as vs
from app.snapshot._context import BuildContext
from app.snapshot._dosage import CodeStrength, Strength, parse_strength, product_strength
from app.snapshot._json import CodingKey, Json, codings, concept_texts, get_dict, get_dicts, get_str
from app.snapshot.model import Drug

if TYPE_CHECKING:
    from app.terminology import CodeSetCatalog

__all__ = [
    "COVERED_SYSTEMS",
    "Identification",
    "code_strength",
    "drugs_by_code",
    "drugs_by_name",
    "identify",
    "is_oral_solution",
    "resolve_medication",
]

# Order matters only for the oncology products, which supersede the osteoporosis products of the same agent.
_DRUG_SETS: tuple[tuple[str, Drug], ...] = (
    (vs.ZOLEDRONATE_ONCOLOGY, Drug.ZOLEDRONATE_ONCOLOGY),
    (vs.DENOSUMAB_ONCOLOGY, Drug.DENOSUMAB_ONCOLOGY),
    (vs.ALENDRONATE, Drug.ALENDRONATE),
    (vs.RISEDRONATE, Drug.RISEDRONATE),
    (vs.IBANDRONATE, Drug.IBANDRONATE),
    (vs.ZOLEDRONATE, Drug.ZOLEDRONATE),
    (vs.DENOSUMAB, Drug.DENOSUMAB),
    (vs.TERIPARATIDE, Drug.TERIPARATIDE),
    (vs.ABALOPARATIDE, Drug.ABALOPARATIDE),
    (vs.ROMOSOZUMAB, Drug.ROMOSOZUMAB),
    (vs.RALOXIFENE, Drug.RALOXIFENE),
    (vs.BAZEDOXIFENE, Drug.BAZEDOXIFENE),
    (vs.STRONTIUM_RANELATE, Drug.STRONTIUM_RANELATE),
    (vs.HORMONE_REPLACEMENT_THERAPY, Drug.HORMONE_REPLACEMENT_THERAPY),
    (vs.CALCIUM_SUPPLEMENT, Drug.CALCIUM_SUPPLEMENT),
    (vs.VITAMIN_D_SUPPLEMENT, Drug.VITAMIN_D_SUPPLEMENT),
    (vs.ACTIVE_VITAMIN_D, Drug.ACTIVE_VITAMIN_D),
    (vs.PREDNISONE, Drug.PREDNISONE),
    (vs.PREDNISOLONE, Drug.PREDNISOLONE),
    (vs.METHYLPREDNISOLONE, Drug.METHYLPREDNISOLONE),
    (vs.HYDROCORTISONE, Drug.HYDROCORTISONE),
    (vs.CORTISONE, Drug.CORTISONE),
    (vs.DEXAMETHASONE, Drug.DEXAMETHASONE),
    (vs.BETAMETHASONE, Drug.BETAMETHASONE),
    (vs.TRIAMCINOLONE, Drug.TRIAMCINOLONE),
    (vs.DEFLAZACORT, Drug.DEFLAZACORT),
    (vs.BUDESONIDE_ORAL, Drug.BUDESONIDE_ORAL),
)
_SUPERSEDES = {Drug.ZOLEDRONATE_ONCOLOGY: Drug.ZOLEDRONATE, Drug.DENOSUMAB_ONCOLOGY: Drug.DENOSUMAB}

# terminology.md §5.1 step 3: ingredient names in English, Dutch and French ("alendroninezuur", "acide
# alendronique", "prednisolon"), plus brand names named in terminology.md §5 / rules.md (Fosamax, Prolia, ...).
# Word-start anchors keep "prednisolon" out of "methylprednisolon" and "cortison" out of "hydrocortison".
_NAMES: tuple[tuple[str, Drug], ...] = (
    (r"\b(alendron\w*|fosamax)", Drug.ALENDRONATE),
    (r"\b(risedron\w*|actonel)", Drug.RISEDRONATE),
    (r"\b(ibandron\w*)", Drug.IBANDRONATE),
    (r"\b(zoledron\w*|aclasta|reclast)", Drug.ZOLEDRONATE),
    (r"\b(denosumab\w*|prolia)", Drug.DENOSUMAB),
    (r"\b(xgeva)", Drug.DENOSUMAB_ONCOLOGY),
    (r"\b(teriparatid\w*|t[ée]riparatid\w*|forteo|forsteo|bonsity)", Drug.TERIPARATIDE),
    (r"\b(abaloparatid\w*|tymlos)", Drug.ABALOPARATIDE),
    (r"\b(romosozumab\w*|evenity)", Drug.ROMOSOZUMAB),
    (r"\b(raloxif\w*|evista)", Drug.RALOXIFENE),
    (r"\b(bazedoxif\w*)", Drug.BAZEDOXIFENE),
    (r"\b(strontium\w*)", Drug.STRONTIUM_RANELATE),
    (r"\b(m[ée]thylprednisolon\w*|medrol)", Drug.METHYLPREDNISOLONE),
    (r"\b(prednisolon\w*)", Drug.PREDNISOLONE),
    (r"\b(prednison\w*|deltasone)", Drug.PREDNISONE),
    (r"\b(hydrocortison\w*)", Drug.HYDROCORTISONE),
    (r"\b(cortison\w*)", Drug.CORTISONE),
    (r"\b(dexam[ée]thason\w*)", Drug.DEXAMETHASONE),
    (r"\b(b[ée]tam[ée]thason\w*)", Drug.BETAMETHASONE),
    (r"\b(triamcinolon\w*|kenacort)", Drug.TRIAMCINOLONE),
    (r"\b(deflazacort\w*|calcort)", Drug.DEFLAZACORT),
    (r"\b(entocort|budenofalk|cortiment)", Drug.BUDESONIDE_ORAL),
    (r"\b(alfacalcidol|calcitriol|calcifediol)", Drug.ACTIVE_VITAMIN_D),
    (r"\b(colecalciferol|cholecalciferol|ergocalciferol|vitamine? d3?\b)", Drug.VITAMIN_D_SUPPLEMENT),
    (r"\b(calcium\w*)", Drug.CALCIUM_SUPPLEMENT),
)
_NAME_PATTERNS = tuple((re.compile(pattern, re.IGNORECASE), drug) for pattern, drug in _NAMES)
# Oral budesonide only when the name says so (inhaled budesonide is R03BA02, excluded: terminology.md §5.2).
_BUDESONIDE_PATTERN = r"\bbud[ée]sonid\w*"
_BUDESONIDE = re.compile(_BUDESONIDE_PATTERN, re.IGNORECASE)
_ANY_NAME = re.compile("|".join(f"(?:{p})" for p in (*(p for p, _ in _NAMES), _BUDESONIDE_PATTERN)), re.IGNORECASE)
"""Matches a name exactly when one of the patterns above does: one scan skips the names of other drugs (most of a
medication list), instead of one scan per pattern."""
_ORAL_FORM = re.compile(r"\b(oral\w*|oraal|capsul\w*|tablet\w*|tabl|granul\w*|maagsapresistent)", re.IGNORECASE)
_GLUCOCORTICOID_DRUGS = frozenset(d for d in Drug if d.is_glucocorticoid)
# The oral-solution dose form of an oral bisphosphonate (rules.md TX-CHOICE-2 / SWITCH-GI-1 "alendronic acid oral
# solution"), read from the product name as for oral budesonide above: RxNorm 904447 "alendronic acid 70 MG per
# 75 ML Oral Solution", Dutch "drank", French "solution buvable". A code without any name is not recognised.
_ORAL_SOLUTION = re.compile(r"\b(oral\s+solution|drank\w*|solution\s+buvable|dranken)\b", re.IGNORECASE)

_RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

# Systems whose codes our value sets cover: no match there means "not one of our drugs".
COVERED_SYSTEMS = frozenset(
    {
        "http://www.whocc.no/atc",
        "http://whocc.no/atc",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "http://snomed.info/sct",
    }
)


@dataclass(frozen=True, slots=True)
class Identification:
    """Result of identifying a medication: its drugs, and what its codes and names say about the product."""

    drugs: frozenset[Drug]
    by_text: bool = False
    non_systemic_glucocorticoid: bool = False
    unmappable: str | None = None
    names: tuple[str, ...] = ()
    strength: Strength = Strength()
    """The strength its RxNorm code or its names state (:func:`~app.snapshot._dosage.product_strength`); the
    ingredient strength of a referenced Medication comes before it."""
    oral_solution: bool = False
    """The product name says oral solution (:func:`is_oral_solution`)."""


def resolve_medication(
    resource: Json, context: BuildContext, medication_key: str = "medication"
) -> tuple[Json | None, Json | None, str | None]:
    """``(concept, Medication resource, problem)`` for ``medication[x]`` (codeable concept or reference to a
    contained or separate Medication; terminology.md §6.3 pitfall 2)."""
    concept = get_dict(resource, medication_key + "CodeableConcept")
    if concept is not None:
        return concept, None, None
    reference = get_dict(resource, medication_key + "Reference")
    if reference is None:
        return None, None, "no medication[x]"
    target = context.lookup(get_str(reference, "reference"), resource)
    if target is not None and get_str(target, "resourceType") in ("Medication", None):
        return get_dict(target, "code"), target, None
    display = get_str(reference, "display")
    return ({"text": display} if display else None), None, "medicationReference could not be resolved"


def identify(concept: Json | None, medication: Json | None, context: BuildContext) -> Identification:
    """Map a medication to the drugs it contains (and read its product strength and form: :class:`Identification`)."""
    codes: list[CodingKey] = codings(concept)
    names: list[str] = concept_texts(concept)
    ingredient_codes: tuple[CodingKey, ...] = ()
    if medication is not None:  # a referenced Medication: its code and ingredients too
        medication_code = get_dict(medication, "code")
        codes += codings(medication_code)
        names += concept_texts(medication_code)
        for ingredient in get_dicts(medication, "ingredient"):
            item = get_dict(ingredient, "itemCodeableConcept")
            ingredient_codes += tuple(codings(item))
            names += concept_texts(item)
    return _identify(context.catalog, tuple(codes), ingredient_codes, tuple(names))


@functools.lru_cache(maxsize=4096)
def _identify(
    catalog: CodeSetCatalog,
    product_codes: tuple[CodingKey, ...],
    ingredient_codes: tuple[CodingKey, ...],
    names: tuple[str, ...],
) -> Identification:
    """:func:`identify` of the codes and names of a product (cached: the same products come back call after call,
    and the catalog and the result are immutable). ``product_codes``: the codes of ``medication[x]`` and of the
    Medication's ``code``, which also name its strength (:func:`code_strength`)."""
    strength, oral_solution = _product_facts(catalog, product_codes, names)
    codes = product_codes + ingredient_codes
    sets = frozenset().union(*(catalog.value_sets_for(system, code) for system, code in codes))
    drugs = set(_drugs_in(sets))
    non_systemic = vs.NON_SYSTEMIC_GLUCOCORTICOIDS in sets
    if non_systemic:
        drugs -= _GLUCOCORTICOID_DRUGS
    if drugs or non_systemic:
        return Identification(frozenset(drugs), False, non_systemic, None, names, strength, oral_solution)

    has_covered_code = any(system in COVERED_SYSTEMS for system, _ in codes)
    by_text = _by_name(names)
    if has_covered_code:
        # A code our lists cover did not match: trust the name only for osteoporosis drugs and glucocorticoids,
        # not for supplements (e.g. RxNorm 1722689 aspirin / calcium carbonate is not a supplement).
        by_text = frozenset(d for d in by_text if d.is_osteoporosis_drug or d.is_glucocorticoid)
    if by_text:
        return Identification(by_text, True, False, None, names, strength, oral_solution)
    if not codes and not names:
        return Identification(frozenset(), unmappable="no medication code or name", names=(), strength=strength)
    if codes and not has_covered_code:
        systems = sorted({system or "(no system)" for system, _ in codes})
        return Identification(
            frozenset(),
            unmappable=f"medication coded only in {', '.join(systems)}; name not recognised",
            names=names,
            strength=strength,
            oral_solution=oral_solution,
        )
    return Identification(frozenset(), names=names, strength=strength, oral_solution=oral_solution)


def _product_facts(
    catalog: CodeSetCatalog, product_codes: tuple[CodingKey, ...], names: tuple[str, ...]
) -> tuple[Strength, bool]:
    """``(strength, oral solution)`` that a product's codes and names state."""
    rxnorm_codes = tuple(code for code in product_codes if code[0] == _RXNORM)
    return product_strength(parse_strength(names), _code_strength(catalog, rxnorm_codes)), _is_oral_solution(names)


def code_strength(concept: Json | None, medication: Json | None, context: BuildContext) -> CodeStrength | None:
    """The strength named by the medication's RxNorm clinical-drug code: the display our value sets ship for it
    (e.g. 312617 "prednisone 5 MG Oral Tablet", terminology.md §5.2), read like a product name (§6.2). Only codes
    whose provenance is not flagged unverified count (displays inferred from openFDA do not); ``None`` when no
    code names a strength, or two codes name different ones."""
    codes = codings(concept) + codings(get_dict(medication, "code"))
    return _code_strength(context.catalog, tuple(code for code in codes if code[0] == _RXNORM))


@functools.lru_cache(maxsize=4096)
def _code_strength(catalog: CodeSetCatalog, rxnorm_codes: tuple[CodingKey, ...]) -> CodeStrength | None:
    """:func:`code_strength` of a product's RxNorm codes (cached: codes repeat, the catalog is immutable)."""
    found: dict[tuple[float | None, float | None], CodeStrength] = {}
    for system, code in rxnorm_codes:
        if system is None or code is None:
            continue
        display = catalog.display(system, code)
        provenance = catalog.provenance(system, code)
        if display is None or provenance is None or provenance.unverified:
            continue
        strength = parse_strength([display])
        if strength.is_known:
            found.setdefault((strength.mg_per_unit, strength.mg_per_ml), CodeStrength(system, code, strength))
    return next(iter(found.values())) if len(found) == 1 else None


def is_oral_solution(names: list[str] | tuple[str, ...]) -> bool:
    """The product name says it is an oral solution (drank)."""
    return _is_oral_solution(tuple(names))


@functools.lru_cache(maxsize=4096)
def _is_oral_solution(names: tuple[str, ...]) -> bool:
    """Cached: the same product names come back call after call."""
    return any(_ORAL_SOLUTION.search(name) for name in names)


def drugs_by_code(codes: list[CodingKey], context: BuildContext) -> frozenset[Drug]:
    """The drugs whose value sets contain any of ``codes`` (codes only; oncology products supersede)."""
    return _drugs_in(context.value_sets(codes))


@functools.lru_cache(maxsize=4096)
def _drugs_in(sets: frozenset[str]) -> frozenset[Drug]:
    """The drugs of the value sets ``sets`` (urls); an oncology product supersedes the osteoporosis one. Cached:
    the same products come back call after call, and the sets are immutable."""
    drugs = {drug for url, drug in _DRUG_SETS if url in sets}
    for specific, general in _SUPERSEDES.items():
        if specific in drugs:
            drugs.discard(general)
    return frozenset(drugs)


def drugs_by_name(names: list[str]) -> frozenset[Drug]:
    """The drugs recognised in free text (terminology.md §5.1 step 3)."""
    return _by_name(tuple(names))


@functools.lru_cache(maxsize=4096)
def _by_name(names: tuple[str, ...]) -> frozenset[Drug]:
    """Cached: the same product names come back call after call (the result is immutable)."""
    found: set[Drug] = set()
    for name in names:
        if not _ANY_NAME.search(name):
            continue
        for pattern, drug in _NAME_PATTERNS:
            if pattern.search(name):
                found.add(drug)
        if _BUDESONIDE.search(name) and _ORAL_FORM.search(name):
            found.add(Drug.BUDESONIDE_ORAL)
    if Drug.HYDROCORTISONE in found or Drug.METHYLPREDNISOLONE in found:
        found.discard(Drug.CORTISONE)
        if Drug.METHYLPREDNISOLONE in found:
            found.discard(Drug.PREDNISOLONE)
    if Drug.DENOSUMAB_ONCOLOGY in found:
        found.discard(Drug.DENOSUMAB)
    return frozenset(found)
