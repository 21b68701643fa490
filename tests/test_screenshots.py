"""The README screenshot command (``app/devtools/screenshots.py``): the card page shows what an EHR shows, and
headless Chromium photographs it. The Chromium test skips when no Chromium is installed; the suite never installs it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.devtools.screenshots import card_page, chromium_command, find_chromium, markdown_to_html

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

CARD: dict[str, Any] = {
    "summary": "Very high fracture risk, untreated: consider anabolic therapy",
    "indicator": "warning",
    "detail": "T-score lumbar spine: -1.5 (2024-12-02)\n\n**Also check:** calcium <intake>\n\n- first\n- second",
    "source": {"label": "Belgian Bone Club guideline"},
    "suggestions": [{"label": "Start alendronic acid 70 mg weekly"}],
    "links": [{"label": "Full assessment", "url": "http://127.0.0.1:1/assessment/abc", "type": "absolute"}],
}


def test_markdown_detail_becomes_paragraphs_lists_and_bold_with_html_escaped() -> None:
    rendered = markdown_to_html(str(CARD["detail"]))

    assert "<p>T-score lumbar spine: -1.5 (2024-12-02)</p>" in rendered
    assert "<strong>Also check:</strong> calcium &lt;intake&gt;" in rendered
    assert "<ul><li>first</li><li>second</li></ul>" in rendered


def test_card_page_shows_stripe_summary_suggestions_link_and_source() -> None:
    page = card_page([CARD], hook="patient-view", patient="25-vertebral-fracture-66f-grade-3")

    assert "--stripe: #d4880f" in page  # the warning colour
    assert CARD["summary"] in page
    assert "<button>Start alendronic acid 70 mg weekly</button>" in page
    assert '<a href="http://127.0.0.1:1/assessment/abc">Full assessment</a>' in page
    assert "Belgian Bone Club guideline" in page


def test_chromium_command_is_headless_and_sized(tmp_path: Path) -> None:
    command = chromium_command("chromium", "file:///x.html", tmp_path / "x.png", (900, 400), tmp_path / "profile")

    assert command[0] == "chromium"
    assert "--headless" in command
    assert "--window-size=900,400" in command
    assert f"--screenshot={tmp_path / 'x.png'}" in command
    assert command[-1] == "file:///x.html"


def test_chromium_photographs_the_card_page(tmp_path: Path) -> None:
    browser = find_chromium()
    if browser is None:
        pytest.skip("no chromium on PATH (./.ci/screenshots installs Debian's chromium; the test suite does not)")
    page = tmp_path / "cards.html"
    page.write_text(card_page([CARD], hook="patient-view", patient="test"), encoding="utf-8")
    output = tmp_path / "card.png"

    subprocess.run(
        chromium_command(browser, page.as_uri(), output, (600, 300), tmp_path / "profile"),
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert output.read_bytes()[:8] == PNG_SIGNATURE
