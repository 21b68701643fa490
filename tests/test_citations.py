"""Every guideline quote on a card is the guideline's own words: each «…» passage of a card template's quote
appears verbatim in the seed texts (whitespace folded; " … " marks an elision and "[sic]" an extraction error, as
in the catalog's citation format). The data-unavailable card quotes the catalog itself, not a guideline."""

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
