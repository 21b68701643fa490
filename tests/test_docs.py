"""The README and docs/ make sense in a clone of this repository alone: a short README that opens with the
screenshots, every relative link and anchor resolving inside the repository, and nothing pointing at ``../shared``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.main import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
OTHER_READMES = [
    ROOT / "examples" / "README.md",
    ROOT / "examples" / "patients" / "README.md",
    ROOT / "fhir_mappings" / "README.md",
]
LINK = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=\"([^\"]+)\"")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.*)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def _relative_links(page: Path) -> list[str]:
    found = [a or b for a, b in LINK.findall(page.read_text(encoding="utf-8"))]
    return [link for link in found if not re.match(r"^[a-z]+:", link)]


def test_readme_is_short_and_opens_with_what_a_prescriber_sees() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert len(readme.splitlines()) <= 200
    quick_start = readme.index("## Quick start")
    assert readme.index("docs/images/card.png") < quick_start
    assert readme.index("docs/images/assessment.png") < quick_start
    assert "./.ci/serve" in readme and "./.ci/test" in readme


def test_ci_runs_exactly_the_readme_test_command() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

    assert run.strip().splitlines()[-1] == "exec ./.ci/test"


@pytest.mark.parametrize("page", PAGES + OTHER_READMES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(page: Path) -> None:
    broken = []
    for link in _relative_links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.is_relative_to(ROOT) or not target.exists():
            broken.append(link)
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(link)

    assert broken == []


@pytest.mark.parametrize("page", PAGES + OTHER_READMES, ids=lambda page: str(page.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")

    assert "../shared" not in text
    assert re.search(r"\bissue \d+", text) is None


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme_links = set(_relative_links(ROOT / "README.md"))

    assert {f"docs/{page.name}" for page in DOCS} <= {link.partition("#")[0] for link in readme_links}
