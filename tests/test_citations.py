"""Every guideline quote on a card is the guideline's own words: each «…» passage of a card template's quote
appears verbatim in the seed texts (whitespace folded; " … " marks an elision and "[sic]" an extraction error, as
in the catalog's citation format). The data-unavailable card quotes the catalog itself, not a guideline.

Card sources name the guideline and its year, never a seed file (issue 16). Tests that read ``../shared`` skip with
the reason when it is absent."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.builders.shared import SHARED, shared_text

CARDS = Path(__file__).resolve().parents[1] / "cards"
_PASSAGE = re.compile(r"«(.*?)»", re.S)
_ELISION = re.compile(r"\s*…\s*")


def folded(text: str) -> str:
    return " ".join(text.split())


def fragments(quote: str) -> list[str]:
    """The verbatim pieces of a quote: every «passage», split at its elisions, without "[sic]" markers."""
    return [
        folded(piece.replace("[sic]", ""))
        for passage in _PASSAGE.findall(quote)
        for piece in _ELISION.split(passage)
        if folded(piece.replace("[sic]", ""))
    ]


@pytest.mark.parametrize("path", sorted(CARDS.glob("*.toml")), ids=lambda path: path.stem)
def test_every_quote_on_a_card_is_found_verbatim_in_its_source(path: Path) -> None:
    quote = tomllib.loads(path.read_text(encoding="utf-8"))["source"]["quote"]
    if path.stem == "DATA-UNAVAILABLE":
        source = folded(shared_text("clinical/rules.md"))
    else:
        shared_text("clinical/rules.md")  # skips, with the reason, when ../shared is absent
        source = " ".join(folded(seed.read_text(encoding="utf-8")) for seed in sorted((SHARED / "seeds").glob("*.txt")))

    missing = [piece for piece in fragments(quote) if piece not in source]

    assert fragments(quote), f"{path.name}: no «quoted» passage"
    assert missing == []


def test_a_changed_word_is_caught() -> None:
    seeds = " ".join(folded(seed.read_text(encoding="utf-8")) for seed in sorted((SHARED / "seeds").glob("*.txt")))
    shared_text("clinical/rules.md")
    quote = tomllib.loads((CARDS / "TX-IND-1.toml").read_text(encoding="utf-8"))["source"]["quote"]
    [first, *_] = fragments(quote)

    assert first in seeds
    assert first.replace("aanbevolen", "verplicht") not in seeds


# --- citations a reader can check -------------------------------------------------------------------------------

_SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
_CATALOG_TAG = re.compile(r"\bS[0-4]\b")


@pytest.mark.parametrize("path", sorted(CARDS.glob("*.toml")), ids=lambda path: path.stem)
def test_a_card_source_names_the_guideline_and_its_year_never_a_seed_file(path: Path) -> None:
    labels = tomllib.loads(path.read_text(encoding="utf-8"))["source"]["label"]

    for language, label in labels.items():
        assert not _SEED_FILE.search(label) and not _CATALOG_TAG.search(label), (language, label)
        if "Richtlijn Osteoporose" in label or "Dutch guideline" in label:
            assert "2023" in label, (language, label)


def test_the_rule_reference_shows_no_seed_file() -> None:
    reference = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")

    assert not _SEED_FILE.search(reference)


@pytest.mark.parametrize("rule_id", ["GC-START-1", "GC-START-2", "GC-START-3"])
def test_a_card_that_fires_at_exactly_7_5_mg_quotes_the_text_that_says_at_or_above(rule_id: str) -> None:
    """GC_DOSE_HIGH is ≥ 7.5 mg (conflicts.md C-04: S4 flowchart and indicator); the card quotes «≥ 7,5», not the
    plan text's «> 7,5»."""
    quote = tomllib.loads((CARDS / f"{rule_id}.toml").read_text(encoding="utf-8"))["source"]["quote"]

    assert any("≥ 7,5" in piece for piece in fragments(quote))
    assert not any("> 7,5" in piece for piece in fragments(quote))
