"""The value-set loader: system aliases, prefix filters, composition, and fail-fast errors naming the file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from app.errors import TerminologyError
from app.terminology import (
    ATC,
    CANONICAL_BASE,
    CNK,
    ICD10,
    ICD10_CM,
    ICD10_NL,
    ICPC1_NL,
    LOINC,
    PROVENANCE_URL,
    SNOMED,
    CodeSetCatalog,
    VerificationStatus,
    load_catalog,
    normalize_code,
    normalize_system,
)


def provenance(*, status: str = "V", unverified: bool = False, display: str | None = None) -> list[dict[str, Any]]:
    subs: list[dict[str, Any]] = [
        {"url": "source", "valueString": "terminology.md §5.1"},
        {"url": "status", "valueCode": status},
        {"url": "unverified", "valueBoolean": unverified},
    ]
    if display is not None:
        subs.append({"url": "display", "valueString": display})
    return [{"url": PROVENANCE_URL, "extension": subs}]


def concept(code: str, display: str, *, status: str = "V", unverified: bool = False) -> dict[str, Any]:
    return {"extension": provenance(status=status, unverified=unverified), "code": code, "display": display}


def prefix(value: str, *, display: str = "group") -> dict[str, Any]:
    return {"extension": provenance(display=display), "property": "concept", "op": "is-a", "value": value}


def a_value_set(
    directory: Path,
    *,
    id: str,
    system: str | None = None,
    concepts: tuple[dict[str, Any], ...] = (),
    filters: tuple[dict[str, Any], ...] = (),
    members: tuple[str, ...] = (),
    **overrides: Any,
) -> Path:
    """Write ``valueset-<id>.json`` with sensible metadata; ``overrides`` replace or add top-level elements."""
    include: list[dict[str, Any]] = []
    if concepts:
        include.append({"system": system, "concept": list(concepts)})
    if filters:
        include.append({"system": system, "filter": list(filters)})
    include += [{"valueSet": [CANONICAL_BASE + member]} for member in members]
    resource: dict[str, Any] = {
        "resourceType": "ValueSet",
        "id": id,
        "url": CANONICAL_BASE + id,
        "version": "0.1.0",
        "name": id.title().replace("-", ""),
        "title": id,
        "status": "draft",
        "date": "2026-11-23",
        "publisher": "osteo-cds",
        "description": f"test set {id}",
        "purpose": "test (rules.md none)",
        "compose": {"include": include},
    }
    resource.update(overrides)
    path = directory / f"valueset-{id}.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    return path


@pytest.fixture
def small_catalog(tmp_path: Path) -> CodeSetCatalog:
    a_value_set(tmp_path, id="alendronate", system=ATC, filters=(prefix("M05BA04", display="alendronic acid"),))
    a_value_set(tmp_path, id="hip", system=ICD10_CM, filters=(prefix("S72.0"),))
    a_value_set(tmp_path, id="t-score", system=LOINC, concepts=(concept("38263-0", "DXA Femur [T-score]"),))
    a_value_set(tmp_path, id="bisphosphonates", members=("alendronate",))
    a_value_set(tmp_path, id="drugs", members=("bisphosphonates",))
    return load_catalog(tmp_path)


def url(identifier: str) -> str:
    return CANONICAL_BASE + identifier


class TestNormalizeSystem:
    def test_atc_without_www_is_the_canonical_atc_uri(self) -> None:
        assert normalize_system("http://whocc.no/atc") == ATC

    def test_both_belgian_cnk_uris_are_one_system(self) -> None:
        canonical_name = "https://www.ehealth.fgov.be/standards/fhir/medication/NamingSystem/be-ns-cnk-codes"
        assert normalize_system(canonical_name) == CNK
        assert normalize_system(CNK) == CNK

    def test_dutch_oids_map_to_the_icd10_nl_and_icpc_uris(self) -> None:
        assert normalize_system("urn:oid:2.16.840.1.113883.6.3.2") == ICD10_NL
        assert normalize_system("urn:oid:2.16.840.1.113883.2.4.4.31.1") == ICPC1_NL

    def test_an_unknown_system_is_kept_but_stripped(self) -> None:
        assert normalize_system(" urn:oid:2.16.840.1.113883.2.4.4.1 ") == "urn:oid:2.16.840.1.113883.2.4.4.1"

    def test_icd_codes_compare_without_dots_or_case_but_loinc_codes_keep_them(self) -> None:
        assert normalize_code(ICD10, "m80.0") == "M800"
        assert normalize_code(LOINC, " 38263-0 ") == "38263-0"


class TestPrefixMatching:
    def test_the_filter_code_itself_matches(self, small_catalog: CodeSetCatalog) -> None:
        assert small_catalog[url("alendronate")].contains(ATC, "M05BA04")

    def test_a_more_specific_code_matches(self, small_catalog: CodeSetCatalog) -> None:
        hip = small_catalog[url("hip")]
        assert hip.contains(ICD10_CM, "S72.001A")
        assert hip.contains(ICD10_CM, "s72001a")

    def test_a_shorter_or_sibling_code_does_not_match(self, small_catalog: CodeSetCatalog) -> None:
        assert not small_catalog[url("alendronate")].contains(ATC, "M05BA0")
        assert not small_catalog[url("alendronate")].contains(ATC, "M05BA07")
        assert not small_catalog[url("hip")].contains(ICD10_CM, "S72")
        assert not small_catalog[url("hip")].contains(ICD10_CM, "S72.1")

    def test_a_prefix_only_applies_within_its_own_system(self, small_catalog: CodeSetCatalog) -> None:
        assert not small_catalog[url("hip")].contains(ICD10, "S72.0")
        assert not small_catalog[url("alendronate")].contains(SNOMED, "M05BA04")

    def test_an_alias_system_matches_through_the_prefix_filter(self, small_catalog: CodeSetCatalog) -> None:
        assert small_catalog[url("alendronate")].contains("http://whocc.no/atc", "M05BA04")


class TestExactMatching:
    def test_an_exact_code_matches_only_itself(self, small_catalog: CodeSetCatalog) -> None:
        t_score = small_catalog[url("t-score")]
        assert t_score.contains(LOINC, "38263-0")
        assert not t_score.contains(LOINC, "38263-7")
        assert not t_score.contains(LOINC, "38263-01")

    def test_a_bare_code_or_a_missing_code_never_matches(self, small_catalog: CodeSetCatalog) -> None:
        t_score = small_catalog[url("t-score")]
        assert not t_score.contains(None, "38263-0")
        assert not t_score.contains(LOINC, None)
        assert not t_score.contains("", "")
        assert not t_score.contains(None, "x")

    def test_a_code_in_another_system_does_not_match(self, small_catalog: CodeSetCatalog) -> None:
        assert not small_catalog[url("t-score")].contains(SNOMED, "38263-0")

    def test_matches_any_looks_at_every_coding_of_a_concept(self, small_catalog: CodeSetCatalog) -> None:
        alendronate = small_catalog[url("alendronate")]
        gpk_only = [("urn:oid:2.16.840.1.113883.2.4.4.1", "12345")]
        assert not alendronate.matches_any(gpk_only)
        assert alendronate.matches_any([*gpk_only, ("http://whocc.no/atc", "M05BA04")])
        assert not alendronate.matches_any([])

    def test_codes_lists_the_exact_pairs_for_a_search(self, small_catalog: CodeSetCatalog) -> None:
        assert small_catalog[url("t-score")].codes() == ((LOINC, "38263-0"),)
        assert small_catalog[url("hip")].codes() == ()


class TestComposition:
    def test_a_class_set_contains_its_members_codes(self, small_catalog: CodeSetCatalog) -> None:
        assert small_catalog[url("bisphosphonates")].contains(ATC, "M05BA04")

    def test_composition_is_transitive(self, small_catalog: CodeSetCatalog) -> None:
        assert small_catalog[url("drugs")].contains("http://whocc.no/atc", "M05BA04")
        assert not small_catalog[url("drugs")].contains(LOINC, "38263-0")

    def test_a_set_can_declare_codes_and_include_members(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="member", system=LOINC, concepts=(concept("1-1", "one"),))
        a_value_set(tmp_path, id="mixed", system=LOINC, concepts=(concept("2-2", "two"),), members=("member",))
        mixed = load_catalog(tmp_path)[url("mixed")]
        assert mixed.contains(LOINC, "1-1")
        assert mixed.contains(LOINC, "2-2")


class TestCatalog:
    def test_an_unknown_url_raises_a_terminology_error(self, small_catalog: CodeSetCatalog) -> None:
        with pytest.raises(TerminologyError, match="unknown value set"):
            small_catalog[url("nope")]

    def test_membership_and_urls(self, small_catalog: CodeSetCatalog) -> None:
        assert url("hip") in small_catalog
        assert url("nope") not in small_catalog
        assert 42 not in small_catalog
        assert small_catalog.urls() == tuple(sorted(small_catalog.urls()))
        assert len(small_catalog.urls()) == 5

    def test_display_is_the_shipped_display_for_codes_and_prefixes(self, small_catalog: CodeSetCatalog) -> None:
        assert small_catalog.display(LOINC, "38263-0") == "DXA Femur [T-score]"
        assert small_catalog.display("http://whocc.no/atc", "M05BA04") == "alendronic acid"
        assert small_catalog.display(LOINC, "0000-0") is None

    def test_provenance_of_a_specific_code_comes_from_its_prefix(self, small_catalog: CodeSetCatalog) -> None:
        found = small_catalog.provenance(ICD10_CM, "S72.001A")
        assert found is not None
        assert found.value_set == url("hip")
        assert found.is_prefix
        assert found.status is VerificationStatus.VERIFIED
        assert small_catalog.provenance(ICD10_CM, "S71") is None

    def test_code_sets_are_immutable(self, small_catalog: CodeSetCatalog) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            small_catalog[url("hip")].url = "x"  # type: ignore[misc]


class TestBrokenFilesFailFast:
    def test_invalid_json_names_the_file(self, tmp_path: Path) -> None:
        (tmp_path / "valueset-broken.json").write_text("{not json", encoding="utf-8")
        with pytest.raises(TerminologyError, match=r"valueset-broken\.json: cannot read JSON"):
            load_catalog(tmp_path)

    def test_an_invalid_r4_value_set_names_the_file(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="bad", system=LOINC, concepts=(concept("1-1", "one"),), compose="oops")
        with pytest.raises(TerminologyError, match=r"valueset-bad\.json: invalid R4 ValueSet"):
            load_catalog(tmp_path)

    def test_another_resource_type_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="bad", system=LOINC, concepts=(concept("1-1", "one"),), resourceType="CodeSystem")
        with pytest.raises(TerminologyError, match=r"valueset-bad\.json: not a FHIR ValueSet"):
            load_catalog(tmp_path)

    def test_a_url_that_does_not_match_the_file_name_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="hip", system=LOINC, concepts=(concept("1-1", "one"),), url=url("femur"))
        with pytest.raises(TerminologyError, match=r"valueset-hip\.json: url"):
            load_catalog(tmp_path)

    @pytest.mark.parametrize("element", ["version", "date", "purpose", "publisher"])
    def test_missing_metadata_is_rejected(self, tmp_path: Path, element: str) -> None:
        path = a_value_set(tmp_path, id="hip", system=LOINC, concepts=(concept("1-1", "one"),))
        data = json.loads(path.read_text(encoding="utf-8"))
        del data[element]
        path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(TerminologyError, match=rf"valueset-hip\.json: missing {element}"):
            load_catalog(tmp_path)

    def test_an_unknown_status_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="hip", system=LOINC, concepts=(concept("1-1", "one"),), status="final")
        with pytest.raises(TerminologyError, match=r"valueset-hip\.json: status"):
            load_catalog(tmp_path)

    def test_an_unknown_member_value_set_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="drugs", members=("ghost",))
        with pytest.raises(TerminologyError, match=r"valueset-drugs\.json: .*ghost is not a known value set"):
            load_catalog(tmp_path)

    def test_a_composition_cycle_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="a", members=("b",))
        a_value_set(tmp_path, id="b", members=("a",))
        with pytest.raises(TerminologyError, match="cycle"):
            load_catalog(tmp_path)

    def test_two_value_sets_in_one_include_are_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="a", system=LOINC, concepts=(concept("1-1", "one"),))
        a_value_set(tmp_path, id="b", system=LOINC, concepts=(concept("2-2", "two"),))
        a_value_set(tmp_path, id="c", compose={"include": [{"valueSet": [url("a"), url("b")]}]})
        with pytest.raises(TerminologyError, match=r"valueset-c\.json: .*exactly one valueSet"):
            load_catalog(tmp_path)

    def test_a_prefix_filter_on_loinc_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="labs", system=LOINC, filters=(prefix("382"),))
        with pytest.raises(TerminologyError, match=r"valueset-labs\.json: .*only allowed on prefix systems"):
            load_catalog(tmp_path)

    def test_a_filter_other_than_concept_is_a_is_rejected(self, tmp_path: Path) -> None:
        bad = {**prefix("M05"), "op": "descendent-of"}
        a_value_set(tmp_path, id="atc", system=ATC, filters=(bad,))
        with pytest.raises(TerminologyError, match=r"valueset-atc\.json: .*is-a"):
            load_catalog(tmp_path)

    def test_a_code_without_provenance_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="labs", system=LOINC, concepts=({"code": "1-1", "display": "one"},))
        with pytest.raises(TerminologyError, match=r"valueset-labs\.json: .*missing provenance"):
            load_catalog(tmp_path)

    def test_a_check_digit_only_code_must_be_flagged_unverified(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="labs", system=LOINC, concepts=(concept("35591-7", "CrCl", status="C"),))
        with pytest.raises(TerminologyError, match=r"valueset-labs\.json: .*must be flagged unverified"):
            load_catalog(tmp_path)

    def test_a_flagged_check_digit_only_code_loads(self, tmp_path: Path) -> None:
        a_value_set(
            tmp_path, id="labs", system=LOINC, concepts=(concept("35591-7", "CrCl", status="C", unverified=True),)
        )
        found = load_catalog(tmp_path).provenance(LOINC, "35591-7")
        assert found is not None
        assert found.unverified
        assert found.status is VerificationStatus.CHECK_DIGIT_ONLY

    def test_one_code_with_two_displays_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="a", system=LOINC, concepts=(concept("1-1", "one"),))
        a_value_set(tmp_path, id="b", system=LOINC, concepts=(concept("1-1", "uno"),))
        with pytest.raises(TerminologyError, match=r"valueset-b\.json: .*1-1 has display 'uno'"):
            load_catalog(tmp_path)

    def test_an_alias_system_in_a_file_is_rejected(self, tmp_path: Path) -> None:
        a_value_set(tmp_path, id="atc", system="http://whocc.no/atc", filters=(prefix("M05BA04"),))
        with pytest.raises(TerminologyError, match=r"valueset-atc\.json: .*canonical system"):
            load_catalog(tmp_path)

    def test_compose_exclude_is_rejected(self, tmp_path: Path) -> None:
        include = [{"system": LOINC, "concept": [concept("1-1", "one")]}]
        a_value_set(tmp_path, id="labs", compose={"include": include, "exclude": include})
        with pytest.raises(TerminologyError, match=r"valueset-labs\.json: compose\.exclude"):
            load_catalog(tmp_path)

    def test_an_empty_directory_is_rejected(self, tmp_path: Path) -> None:
        with pytest.raises(TerminologyError, match="no valueset-"):
            load_catalog(tmp_path)


class TestReverseLookup:
    """value_sets_for(system, code) answers exactly what CodeSet.contains answers, for every shipped set."""

    def test_agrees_with_contains_for_every_shipped_code_and_some_strangers(self) -> None:
        from pathlib import Path

        from app.terminology import load_catalog

        catalog = load_catalog(Path(__file__).resolve().parent.parent / "fhir_mappings")
        probes: set[tuple[str | None, str | None]] = {
            (s, c) for code_set in catalog for s, c in code_set.exact_codes | code_set.prefix_codes
        }
        probes |= {(s, f"{c}9") for s, c in list(probes)[:200]}  # longer codes under prefix filters
        probes |= {("http://whocc.no/atc", "M05BA04"), ("http://www.whocc.no/atc", "M05BA0"), (None, "x"), ("x", None)}
        for system, code in probes:
            expected = {code_set.url for code_set in catalog if code_set.contains(system, code)}
            assert catalog.value_sets_for(system, code) == expected, (system, code)
