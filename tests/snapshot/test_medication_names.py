"""Drug names in free text (terminology.md §5.1 step 3): the one-scan filter that skips the names of other drugs
must never skip a name one of the drug patterns recognises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.snapshot._medications import _ANY_NAME, _BUDESONIDE, _NAME_PATTERNS, drugs_by_name
from app.snapshot.model import Drug

# Fragments of the names the patterns look for, in several languages and cases, plus near misses.
_WORDS = (
    "Alendroninezuur", "acide alendronique", "FOSAMAX", "risedronaat", "Actonel", "ibandronic", "zoledronic",
    "Aclasta", "Prolia", "XGEVA", "denosumab", "tériparatide", "Forsteo", "abaloparatide", "Evenity", "raloxifene",
    "bazedoxifene", "strontium", "méthylprednisolone", "Medrol", "prednisolon", "prednison", "hydrocortison",
    "cortison", "dexaméthasone", "bétaméthasone", "Kenacort", "deflazacort", "Entocort", "budesonide", "budésonide",
    "alfacalcidol", "colecalciferol", "vitamine D3", "vitamin d", "Calci-Chew", "calciumcarbonaat",
    "metformine", "omeprazol", "paracetamol", "capsule", "oraal", "tablet", "500 mg", "70 MG", "drank",
    "xprednison", "hydro", "vitamines", "d3", "-", " ", "/",
)  # fmt: skip
names = st.lists(st.sampled_from(_WORDS) | st.text(max_size=8), max_size=5).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(names)
def test_the_filter_passes_every_name_a_drug_pattern_matches(name: str) -> None:
    matched_by_a_pattern = any(pattern.search(name) for pattern, _ in _NAME_PATTERNS) or bool(_BUDESONIDE.search(name))

    assert bool(_ANY_NAME.search(name)) is matched_by_a_pattern


def test_names_of_other_drugs_are_recognised_as_none_of_ours_and_ours_still_are() -> None:
    assert drugs_by_name(["Metformine 500 mg tablet", "Omeprazol 20 mg capsule"]) == frozenset()
    assert drugs_by_name(["Metformine 500 mg", "Alendroninezuur 70 mg tablet"]) == {Drug.ALENDRONATE}
    assert drugs_by_name(["Budesonide 3 mg capsule (oraal)"]) == {Drug.BUDESONIDE_ORAL}
    assert drugs_by_name(["Budesonide inhalatiepoeder"]) == frozenset()
