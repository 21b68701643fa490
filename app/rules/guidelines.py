"""The guidelines the rules cite, as a reader finds them: name, year and public address.

The catalog tags its sources S0–S4 (``shared/clinical/rules.md`` §0.1) and keeps each as a seed text file; the
seed file is internal provenance, never what a user sees. Card sources, ``docs/rules.md`` and ``GET /rules`` name
the guideline from this table, with the module or appendix and the recommendation the citation gives.

``url`` is the guideline's public address where the source texts give one. They give none for any of the five:
the S4 appendices name only the Zorginzicht page of the indicator set and a Zorginstituut report, which are not the
guideline; so no ``url`` is set (none is invented).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.model import Citation

__all__ = ["GUIDELINES", "Guideline", "citation_text"]


@dataclass(frozen=True, slots=True)
class Guideline:
    name_nl: str
    name_en: str
    year: str | None
    """The year the source text states; ``None`` when it states none."""
    url: str | None = None

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en

    def label(self, language: str) -> str:
        """The name with its year (or that the source states none)."""
        if self.year:
            return f"{self.name(language)} ({self.year})"
        return f"{self.name(language)} ({'jaar niet vermeld' if language == 'nl' else 'year not stated'})"


GUIDELINES: dict[str, Guideline] = {
    "S0": Guideline(
        "Osteoporose: nascholing bij de CBO-richtlijn en NHG-standaard (vervangen)",
        "Osteoporosis lecture on the CBO guideline and NHG standard (superseded)",
        "2011",
    ),
    "S1": Guideline(
        "Nascholing bij de richtlijn Osteoporose en fractuurpreventie",
        "Lecture on the Dutch guideline Osteoporosis and fracture prevention",
        "2023",
    ),
    "S2": Guideline(
        "Belgian Bone Club: update over de diagnose en behandeling van osteoporose (Nijs, Dupont, Dejaeger, De Vlam, "
        "Laurent, Gielen)",
        "Belgian Bone Club: update on the diagnosis and treatment of osteoporosis (Nijs, Dupont, Dejaeger, De Vlam, "
        "Laurent, Gielen)",
        None,
    ),
    "S3": Guideline(
        "Zorgpad Osteoporose (Belgische patiëntenfolder)", "Osteoporosis care pathway (Belgian flyer)", None
    ),
    "S4": Guideline(
        "Richtlijn Osteoporose en fractuurpreventie, bijlagen (autorisatiefase december 2021)",
        "Dutch guideline Osteoporosis and fracture prevention, appendices (authorisation phase December 2021)",
        "2021",
    ),
}
"""rules.md §0.1: S0 CBO 2011 / NHG era slides; S1 the 2023 guideline lecture; S2 the BBC review (its text states
no publication year); S3 a Belgian hospital flyer (no year); S4 the NL guideline appendices, «Autorisatiefase
december 2021»."""


def citation_text(citation: Citation, language: str = "en") -> str:
    """A rule's citation as a reader checks it: guideline, year, section or recommendation, and the public address
    when there is one. Never the seed file."""
    guideline = GUIDELINES.get(citation.source)
    if guideline is None:
        return citation.section
    text = f"{guideline.label(language)} – {citation.section}"
    return f"{text} <{guideline.url}>" if guideline.url else text
