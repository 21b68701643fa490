"""The shipped value sets in ``fhir_mappings/``: metadata, constants, provenance flags and clinical content."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.valueset import ValueSet

from app import valuesets as vs
from app.terminology import (
    ATC,
    CANONICAL_BASE,
    ICD10,
    ICD10_CM,
    ICD10_NL,
    ICPC1_NL,
    LOINC,
    PREFIX_SYSTEMS,
    PROVENANCE_URL,
    RXNORM,
    SNOMED,
    CodeSetCatalog,
    load_catalog,
    normalize_code,
)

MAPPINGS = Path(__file__).resolve().parents[1] / "fhir_mappings"
FILES = sorted(MAPPINGS.glob("valueset-*.json"))
G_STANDAARD_GPK = "urn:oid:2.16.840.1.113883.2.4.4.1"

# Codes terminology.md marks C/U in its tables or lists in §7 "Codes NOT verified", and that we ship. Each must be
# flagged ``unverified`` in its file, and nothing else may be.
UNVERIFIED_SHIPPED: frozenset[tuple[str, str]] = frozenset(
    {
        # §7 LOINC rows: Cockcroft-Gault CrCl (C), FRAX hip (C), vitamin D 49054-0 / 14635-7, total Ca moles,
        # Ca in blood 49765-1, P1NP, spine T-score / DXA panel / DXA report.
        (LOINC, "35591-7"),
        (LOINC, "90264-3"),
        (LOINC, "49054-0"),
        (LOINC, "14635-7"),
        (LOINC, "2000-8"),
        (LOINC, "49765-1"),
        (LOINC, "77370-5"),
        (LOINC, "104938-6"),
        (LOINC, "83311-1"),
        (LOINC, "38269-7"),
        # §7 RxNorm rows: zoledronic acid IN (one excerpt) and the openFDA products with inferred names.
        (RXNORM, "77655"),
        (RXNORM, "904431"),
        (RXNORM, "905024"),
        (RXNORM, "904932"),
        (RXNORM, "904952"),
        (RXNORM, "1435115"),
        (RXNORM, "1490065"),
        (RXNORM, "1490067"),
        (RXNORM, "1020064"),
        (RXNORM, "1020065"),
        # §7 SNOMED rows: root fracture, secondary-source-only codes, and the weaker BE value-set codes.
        (SNOMED, "125605004"),
        (SNOMED, "5291005"),
        (SNOMED, "34713006"),
        (SNOMED, "431857002"),
        (SNOMED, "42942008"),
        (SNOMED, "77493009"),
        (SNOMED, "33737001"),
        (SNOMED, "268029009"),
        (SNOMED, "263199001"),
        (SNOMED, "12676007"),
        (SNOMED, "263191003"),
        (SNOMED, "788938006"),
        (SNOMED, "426115002"),
        (SNOMED, "287066008"),
        # §7 ICPC row: checked against ICPC-2 lists only.
        (ICPC1_NL, "L95"),
        (ICPC1_NL, "L72"),
        (ICPC1_NL, "L75"),
        (ICPC1_NL, "L76"),
        (ICPC1_NL, "L88"),
        (ICPC1_NL, "K75"),
        (ICPC1_NL, "K89"),
        (ICPC1_NL, "K90"),
        (ICPC1_NL, "K93"),
        (ICPC1_NL, "K94"),
    }
)

# §2 / §3.4 / §7 codes we deliberately do not ship (meaning not confirmed, or not a status marker).
NOT_SHIPPED: frozenset[tuple[str, str]] = frozenset(
    {
        (LOINC, "35365-6"),  # §2 St. C: used inconsistently (even labelled estradiol)
        (LOINC, "68438-1"),  # §2 St. C
        (LOINC, "62290-2"),  # §2: 1,25-dihydroxyvitamin D is the active hormone, not a status marker
        (LOINC, "1990-1"),  # §2: cholecalciferol, parent vitamin
        (SNOMED, "207938004"),  # §7: vertebral code from memory, not found
        (SNOMED, "50448004"),  # §7: idem
        (RXNORM, "1722689"),  # §5.1: aspirin / calcium carbonate, not a supplement
        (RXNORM, "19831"),  # §5.2: budesonide IN also covers inhaled forms
    }
)


@dataclass(frozen=True, slots=True)
class Declared:
    """One concept or filter as written in a file (not expanded)."""

    value_set: str
    system: str
    code: str
    is_prefix: bool
    display: str | None
    unverified: bool
    status: str


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _provenance(extensions: list[dict[str, Any]]) -> dict[str, Any]:
    outer = next(ext for ext in extensions if ext["url"] == PROVENANCE_URL)
    return {sub["url"]: next(v for k, v in sub.items() if k.startswith("value")) for sub in outer["extension"]}


def _declared() -> Iterator[Declared]:
    for path in FILES:
        data = _read(path)
        for include in data["compose"]["include"]:
            system = include.get("system")
            for concept in include.get("concept", ()):
                prov = _provenance(concept["extension"])
                yield Declared(
                    data["url"],
                    system,
                    normalize_code(system, concept["code"]),
                    False,
                    concept.get("display"),
                    prov["unverified"],
                    prov["status"],
                )
            for filter_ in include.get("filter", ()):
                prov = _provenance(filter_["extension"])
                yield Declared(
                    data["url"],
                    system,
                    normalize_code(system, filter_["value"]),
                    True,
                    prov.get("display"),
                    prov["unverified"],
                    prov["status"],
                )


def _members() -> dict[str, set[str]]:
    direct = {
        _read(path)["url"]: {inc["valueSet"][0] for inc in _read(path)["compose"]["include"] if "valueSet" in inc}
        for path in FILES
    }

    def closure(url: str) -> set[str]:
        found: set[str] = set()
        for member in direct[url]:
            found |= {member} | closure(member)
        return found

    return {url: closure(url) for url in direct}


def _related(a: str, b: str, members: dict[str, set[str]]) -> bool:
    return a == b or b in members[a] or a in members[b]


def _overlaps(x: Declared, y: Declared) -> bool:
    if x.system != y.system:
        return False
    if x.is_prefix and y.code.startswith(x.code):
        return True
    if y.is_prefix and x.code.startswith(y.code):
        return True
    return x.code == y.code


@pytest.fixture(scope="module")
def catalog() -> CodeSetCatalog:
    return load_catalog(MAPPINGS)


class TestValueSetFiles:
    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
    def test_each_file_is_a_valid_r4_value_set_with_complete_metadata(self, path: Path) -> None:
        resource = ValueSet.model_validate(_read(path))
        identifier = path.stem.removeprefix("valueset-")
        assert resource.id == identifier
        assert resource.url == CANONICAL_BASE + identifier
        assert resource.version == "0.1.0"
        assert str(resource.date) == "2026-11-23"
        assert resource.status == "draft"
        assert resource.publisher == "osteo-cds"
        assert resource.name and resource.title and resource.description and resource.purpose
        assert "rules.md" in resource.purpose, "purpose must name the rules.md rules that use the set"

    def test_the_repository_ships_more_than_a_hundred_value_sets(self) -> None:
        assert len(FILES) >= 100

    def test_every_concept_and_filter_cites_a_terminology_section(self) -> None:
        for path in FILES:
            for include in _read(path)["compose"]["include"]:
                for entry in (*include.get("concept", ()), *include.get("filter", ())):
                    assert _provenance(entry["extension"])["source"].startswith("terminology.md §"), path.name


class TestConstants:
    def test_every_constant_has_a_file_and_every_file_a_constant(self) -> None:
        constants = {value for name, value in vars(vs).items() if name.isupper() and isinstance(value, str)}
        files = {CANONICAL_BASE + path.stem.removeprefix("valueset-") for path in FILES}
        assert constants == files

    def test_all_value_sets_lists_each_constant_once(self) -> None:
        constants = {value for name, value in vars(vs).items() if name.isupper() and isinstance(value, str)}
        assert len(vs.ALL_VALUE_SETS) == len(set(vs.ALL_VALUE_SETS))
        assert set(vs.ALL_VALUE_SETS) == constants

    def test_constant_names_are_the_upper_snake_case_id(self) -> None:
        for name, value in vars(vs).items():
            if name.isupper() and isinstance(value, str):
                assert name == value.removeprefix(CANONICAL_BASE).upper().replace("-", "_")

    def test_the_catalog_loads_every_constant(self, catalog: CodeSetCatalog) -> None:
        assert set(catalog.urls()) == set(vs.ALL_VALUE_SETS)

    def test_observation_condition_and_medication_groups_are_disjoint_parts_of_all(self) -> None:
        groups = (vs.OBSERVATION_VALUE_SETS, vs.CONDITION_VALUE_SETS, vs.MEDICATION_VALUE_SETS)
        listed = [url for group in groups for url in group]
        assert len(listed) == len(set(listed))
        assert set(listed) <= set(vs.ALL_VALUE_SETS)

    def test_the_observation_search_codes_are_loinc_and_include_the_femur_t_score(
        self, catalog: CodeSetCatalog
    ) -> None:
        codes = {pair for url in vs.OBSERVATION_VALUE_SETS for pair in catalog[url].codes()}
        assert (LOINC, "38263-0") in codes
        assert {system for system, _ in codes} == {LOINC}


class TestOneMeaningPerCode:
    def test_a_code_is_declared_only_in_sets_related_by_composition(self) -> None:
        declared = list(_declared())
        members = _members()
        clashes = [
            (x.value_set, y.value_set, x.system, x.code, y.code)
            for i, x in enumerate(declared)
            for y in declared[i + 1 :]
            if _overlaps(x, y) and not _related(x.value_set, y.value_set, members)
        ]
        assert clashes == []

    def test_a_code_never_carries_two_different_displays(self) -> None:
        displays: dict[tuple[str, str], set[str]] = {}
        for entry in _declared():
            if entry.display is not None:
                displays.setdefault((entry.system, entry.code), set()).add(entry.display)
        assert {key: names for key, names in displays.items() if len(names) > 1} == {}

    def test_the_overlap_check_would_see_a_hip_code_in_the_femur_set(self) -> None:
        hip = Declared(vs.FRACTURE_HIP, ICD10_CM, "S720", True, None, False, "V")
        femur = Declared(vs.FRACTURE_FEMUR, ICD10_CM, "S72001A", False, None, False, "V")
        assert _overlaps(hip, femur)
        assert not _related(hip.value_set, femur.value_set, _members())

    def test_prefix_filters_are_used_only_for_hierarchical_systems(self) -> None:
        assert {entry.system for entry in _declared() if entry.is_prefix} <= PREFIX_SYSTEMS
        assert {entry.system for entry in _declared() if not entry.is_prefix}.isdisjoint(PREFIX_SYSTEMS)


class TestUnverifiedCodesAreFlagged:
    def test_every_c_u_or_section_7_code_is_flagged_and_nothing_else(self) -> None:
        flagged = {(e.system, e.code) for e in _declared() if e.unverified}
        expected = {(system, normalize_code(system, code)) for system, code in UNVERIFIED_SHIPPED}
        assert flagged == expected

    def test_every_listed_unverified_code_is_actually_shipped(self) -> None:
        shipped = {(e.system, e.code) for e in _declared()}
        missing = {(s, c) for s, c in UNVERIFIED_SHIPPED if (s, normalize_code(s, c)) not in shipped}
        assert missing == set()

    def test_check_digit_only_codes_carry_status_c(self) -> None:
        statuses = {(e.system, e.code): e.status for e in _declared()}
        assert statuses[(LOINC, "35591-7")] == "C"
        assert statuses[(LOINC, "90264-3")] == "C"

    def test_codes_with_unconfirmed_meaning_are_not_shipped(self, catalog: CodeSetCatalog) -> None:
        for url in catalog.urls():
            for system, code in NOT_SHIPPED:
                assert not catalog[url].contains(system, code), (url, code)

    def test_the_catalog_reports_the_flag_for_a_unverified_lab_code(self, catalog: CodeSetCatalog) -> None:
        provenance = catalog.provenance(LOINC, "2000-8")
        assert provenance is not None
        assert provenance.unverified
        assert provenance.value_set == vs.CALCIUM_TOTAL


class TestDxaCorrections:
    """terminology.md §1.0: the brief's invalid check digits and the BMD code mistaken for a T-score."""

    @pytest.mark.parametrize("wrong", ["38263-7", "38267-8", "38265-2"])
    def test_a_code_with_an_invalid_check_digit_is_in_no_set(self, catalog: CodeSetCatalog, wrong: str) -> None:
        assert not any(catalog[url].contains(LOINC, wrong) for url in catalog.urls())

    def test_the_corrected_femur_and_spine_codes_are_t_scores(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.DXA_T_SCORE_FEMORAL_NECK].contains(LOINC, "38263-0")
        assert catalog[vs.DXA_T_SCORE_LUMBAR_SPINE].contains(LOINC, "38267-1")
        assert catalog[vs.DXA_T_SCORE_FOREARM].contains(LOINC, "38265-5")

    def test_left_hip_bmd_is_a_bmd_and_never_a_t_score(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.DXA_BMD_TOTAL_HIP].contains(LOINC, "46278-8")
        assert not catalog[vs.DXA_T_SCORES].contains(LOINC, "46278-8")
        assert catalog[vs.DXA_T_SCORE_TOTAL_HIP].contains(LOINC, "80946-7")

    def test_the_hip_t_score_is_read_as_total_hip_and_the_femur_t_score_as_femoral_neck(
        self, catalog: CodeSetCatalog
    ) -> None:
        assert catalog[vs.DXA_T_SCORE_TOTAL_HIP].contains(LOINC, "38264-8")
        assert not catalog[vs.DXA_T_SCORE_FEMORAL_NECK].contains(LOINC, "38264-8")
        assert not catalog[vs.DXA_T_SCORE_TOTAL_HIP].contains(LOINC, "38263-0")


class TestClinicalVignettes:
    def test_synthea_hip_fracture_is_a_hip_fragility_fracture(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.FRACTURE_HIP].contains(SNOMED, "359817006")
        assert catalog[vs.FRAGILITY_FRACTURES].contains(SNOMED, "359817006")

    def test_an_icd10_cm_osteoporotic_vertebral_fracture_is_vertebral_not_other(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.FRACTURE_VERTEBRAL].contains(ICD10_CM, "M80.08XA")
        assert not catalog[vs.FRACTURE_OTHER].contains(ICD10_CM, "M80.08XA")
        assert not catalog[vs.OSTEOPOROSIS_WITH_FRACTURE].contains(ICD10_CM, "M80.08XA")

    def test_a_dutch_icd10_hip_fracture_without_dot_is_a_hip_fracture(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.FRACTURE_HIP].contains(ICD10_NL, "S720")
        assert catalog[vs.FRACTURE_HIP].contains(ICD10, "S72.0")

    def test_who_osteoporosis_with_fracture_counts_as_osteoporosis_and_as_fragility_fracture(
        self, catalog: CodeSetCatalog
    ) -> None:
        assert catalog[vs.OSTEOPOROSIS].contains(ICD10, "M80.0")
        assert catalog[vs.FRAGILITY_FRACTURES].contains(ICD10, "M80.0")
        assert catalog[vs.OSTEOPOROSIS].contains(ICD10, "M81.0")
        assert not catalog[vs.FRAGILITY_FRACTURES].contains(ICD10, "M81.0")

    def test_a_pathological_fracture_is_not_a_fragility_fracture(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.FRACTURE_PATHOLOGICAL].contains(SNOMED, "268029009")
        assert not catalog[vs.FRAGILITY_FRACTURES].contains(SNOMED, "268029009")
        assert not catalog[vs.FRAGILITY_FRACTURES].contains(SNOMED, "890095006")  # atypical femoral fracture

    def test_history_of_tia_and_cerebral_infarction_counts_as_stroke(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.STROKE].contains(ICD10_CM, "Z86.73")
        assert not catalog[vs.TIA].contains(ICD10_CM, "Z86.73")

    def test_who_calcium_disorder_and_cm_hypercalcaemia_are_not_hypocalcaemia(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.HYPOCALCAEMIA].contains(ICD10_CM, "E83.51")
        assert not catalog[vs.HYPOCALCAEMIA].contains(ICD10_CM, "E83.52")
        assert not catalog[vs.HYPOCALCAEMIA].contains(ICD10, "E83.5")
        assert catalog[vs.CALCIUM_METABOLISM_DISORDER].contains(ICD10, "E83.5")

    def test_vitamin_d_deficiency_hyperparathyroidism_is_in_both_concepts(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.VITAMIN_D_DEFICIENCY].contains(SNOMED, "47445009")
        assert catalog[vs.HYPERPARATHYROIDISM].contains(SNOMED, "47445009")

    def test_ckd_stage_3_is_chronic_kidney_disease_but_not_severe(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.CHRONIC_KIDNEY_DISEASE].contains(SNOMED, "433144002")
        assert not catalog[vs.CHRONIC_KIDNEY_DISEASE_STAGE_4_5].contains(SNOMED, "433144002")
        assert catalog[vs.CHRONIC_KIDNEY_DISEASE_STAGE_4_5].contains(ICD10_CM, "N18.6")


class TestMedicationVignettes:
    def test_synthea_fosamax_is_an_oral_bisphosphonate(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.ALENDRONATE].contains(RXNORM, "904420")
        assert catalog[vs.ORAL_BISPHOSPHONATES].contains(RXNORM, "904420")
        assert catalog[vs.OSTEOPOROSIS_DRUGS].contains(RXNORM, "904420")

    @pytest.mark.parametrize(
        ("oncology_set", "code"),
        [(vs.ZOLEDRONATE_ONCOLOGY, "351114"), (vs.ZOLEDRONATE_ONCOLOGY, "1114085"), (vs.DENOSUMAB_ONCOLOGY, "1046398")],
    )
    def test_oncology_strengths_are_recognised_but_are_not_osteoporosis_therapy(
        self, catalog: CodeSetCatalog, oncology_set: str, code: str
    ) -> None:
        assert catalog[oncology_set].contains(RXNORM, code)
        assert not catalog[vs.OSTEOPOROSIS_DRUGS].contains(RXNORM, code)
        assert not catalog[vs.ZOLEDRONATE].contains(RXNORM, code)
        assert not catalog[vs.DENOSUMAB].contains(RXNORM, code)

    def test_prolia_and_reclast_are_osteoporosis_therapy(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.DENOSUMAB].contains(RXNORM, "993456")
        assert catalog[vs.IV_BISPHOSPHONATES].contains(RXNORM, "705875")
        assert catalog[vs.ANTIRESORPTIVES].contains(RXNORM, "993452")

    def test_belgian_atc_without_www_matches_alendronate(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.ALENDRONATE].contains("http://whocc.no/atc", "M05BA04")

    def test_a_g_standaard_code_alone_matches_nothing(self, catalog: CodeSetCatalog) -> None:
        codings = [(G_STANDAARD_GPK, "71587")]
        assert not any(catalog[url].matches_any(codings) for url in catalog.urls())
        assert catalog[vs.ALENDRONATE].matches_any([*codings, (ATC, "M05BA04")])

    def test_alendronate_with_colecalciferol_counts_as_vitamin_d_but_alfacalcidol_does_not(
        self, catalog: CodeSetCatalog
    ) -> None:
        assert catalog[vs.ALENDRONATE].contains(ATC, "M05BB03")
        assert catalog[vs.VITAMIN_D_SUPPLEMENT].contains(ATC, "M05BB03")
        assert catalog[vs.ALENDRONATE].contains(ATC, "M05BB06")
        assert not catalog[vs.VITAMIN_D_SUPPLEMENT].contains(ATC, "M05BB06")
        assert catalog[vs.ACTIVE_VITAMIN_D].contains(ATC, "M05BB06")

    def test_calcium_with_vitamin_d_counts_as_both_supplements(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.CALCIUM_SUPPLEMENT].contains(ATC, "A12AX")
        assert catalog[vs.VITAMIN_D_SUPPLEMENT].contains(ATC, "A12AX")

    def test_calcitriol_is_active_vitamin_d_not_supplementation(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.ACTIVE_VITAMIN_D].contains(ATC, "A11CC04")
        assert not catalog[vs.VITAMIN_D_SUPPLEMENT].contains(ATC, "A11CC04")
        assert catalog[vs.VITAMIN_D_SUPPLEMENT].contains(ATC, "A11CC05")

    def test_atc_only_ibandronate_is_a_bisphosphonate_of_unknown_route(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.BISPHOSPHONATES].contains(ATC, "M05BA06")
        assert not catalog[vs.ORAL_BISPHOSPHONATES].contains(ATC, "M05BA06")
        assert catalog[vs.ORAL_BISPHOSPHONATES].contains(RXNORM, "904932")
        assert catalog[vs.IV_BISPHOSPHONATES].contains(RXNORM, "904952")


class TestGlucocorticoidVignettes:
    AGENTS = (
        vs.PREDNISONE,
        vs.PREDNISOLONE,
        vs.METHYLPREDNISOLONE,
        vs.HYDROCORTISONE,
        vs.CORTISONE,
        vs.DEXAMETHASONE,
        vs.BETAMETHASONE,
        vs.TRIAMCINOLONE,
        vs.DEFLAZACORT,
        vs.BUDESONIDE_ORAL,
    )

    def test_synthea_ra_prednisone_is_a_systemic_glucocorticoid(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.PREDNISONE].contains(RXNORM, "312615")
        assert catalog[vs.SYSTEMIC_GLUCOCORTICOIDS].contains(RXNORM, "312615")

    def test_each_agent_set_is_part_of_systemic_glucocorticoids(self, catalog: CodeSetCatalog) -> None:
        systemic = catalog[vs.SYSTEMIC_GLUCOCORTICOIDS]
        for url in self.AGENTS:
            assert catalog[url].exact_codes <= systemic.exact_codes, url
            assert catalog[url].prefix_codes <= systemic.prefix_codes, url

    def test_no_product_belongs_to_two_agents(self, catalog: CodeSetCatalog) -> None:
        for i, first in enumerate(self.AGENTS):
            for second in self.AGENTS[i + 1 :]:
                assert catalog[first].exact_codes.isdisjoint(catalog[second].exact_codes), (first, second)

    def test_inhaled_budesonide_is_a_non_systemic_glucocorticoid(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.NON_SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, "R03BA02")
        assert not catalog[vs.SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, "R03BA02")
        assert not catalog[vs.BUDESONIDE_ORAL].contains(ATC, "R03BA02")

    def test_oral_budesonide_is_systemic_without_a_prednisone_agent(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.BUDESONIDE_ORAL].contains(ATC, "A07EA06")
        assert catalog[vs.SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, "A07EA06")
        assert not catalog[vs.NON_SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, "A07EA06")

    def test_intestinal_prednisolone_and_fludrocortisone_are_not_systemic(self, catalog: CodeSetCatalog) -> None:
        for code in ("A07EA01", "H02AA02", "D07AA02"):
            assert catalog[vs.NON_SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, code)
            assert not catalog[vs.SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, code)

    def test_triamcinolone_dental_paste_is_not_systemic(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.NON_SYSTEMIC_GLUCOCORTICOIDS].contains(RXNORM, "1085728")
        assert not catalog[vs.TRIAMCINOLONE].contains(RXNORM, "1085728")

    def test_meprednisone_is_systemic_but_has_no_agent_set(self, catalog: CodeSetCatalog) -> None:
        assert catalog[vs.SYSTEMIC_GLUCOCORTICOIDS].contains(ATC, "H02AB15")
        assert not any(catalog[url].contains(ATC, "H02AB15") for url in self.AGENTS)
