"""Every guideline quote on a card is the guideline's own words: each «…» passage of a card template's quote
appears verbatim in the seed texts (whitespace folded; " … " marks an elision and "[sic]" an extraction error, as
in the catalog's citation format). The data-unavailable card quotes the catalog itself, not a guideline.

The same holds for the quotes in the code (issue 16): every «passage» of a string constant under ``app/`` (the
citations of the parameter table, the guideline settings, the rules' docstrings) is found verbatim in the seed
texts, or, for the catalog's own wording, in the catalog. Card sources name the guideline and its year, never a
seed file. Tests that read ``../shared`` skip with the reason when it is absent."""

from __future__ import annotations

import ast
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


# --- quotes in the code -----------------------------------------------------------------------------------------

APP = Path(__file__).resolve().parents[1] / "app"
CATALOG_TEXTS = ("clinical/rules.md", "clinical/conflicts.md", "clinical/terminology.md")


def _quotes_in_code() -> list[tuple[str, str]]:
    """Every «passage» of a string constant under ``app/`` (parameter and threshold citations, rule docstrings,
    citation sections), as ``(where, verbatim piece)``; adjacent literals are one constant, as Python joins them.
    A piece without a letter is no quote (a pattern such as ``«([^»]*)»``)."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "«" in node.value:
                where = f"{path.relative_to(APP.parent).as_posix()}:{node.lineno}"
                found += [(where, piece) for piece in fragments(node.value) if re.search(r"[^\W\d_]", piece)]
    return found


QUOTES_IN_CODE = _quotes_in_code()


def test_the_code_quotes_the_guidelines() -> None:
    assert len(QUOTES_IN_CODE) > 200  # the scan sees the citations of the parameter table and the rules


@pytest.mark.parametrize(("where", "piece"), QUOTES_IN_CODE, ids=[f"{w} {p[:40]}" for w, p in QUOTES_IN_CODE])
def test_every_quote_in_the_code_is_found_verbatim_in_the_guideline_texts(where: str, piece: str) -> None:
    """A quote names a guideline (S0–S4, ../shared/seeds) or, for the catalog's own wording («n_VF_ge2», a card
    block), the catalog; either way it is found there word for word (whitespace folded)."""
    shared_text("clinical/rules.md")  # skips, with the reason, when ../shared is absent
    seeds = _folded_seeds()
    catalog = " ".join(folded(shared_text(name)) for name in CATALOG_TEXTS)

    assert piece in seeds or piece in catalog, f"{where}: «{piece}» is not in the guideline texts"


def _folded_seeds() -> str:
    if not _SEEDS:
        _SEEDS.append(
            " ".join(folded(seed.read_text(encoding="utf-8")) for seed in sorted((SHARED / "seeds").glob("*.txt")))
        )
    return _SEEDS[0]


_SEEDS: list[str] = []


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


def test_a_changed_word_in_a_quote_in_the_code_is_caught() -> None:
    shared_text("clinical/rules.md")
    where, piece = next((w, p) for w, p in QUOTES_IN_CODE if "thresholds.py" in w and "7,5" in p)

    assert piece in _folded_seeds(), where
    assert piece.replace("7,5", "7,0") not in _folded_seeds()
