"""The assessment page in a real browser: headless Chromium (Debian's, installed by .ci/install-chromium) driven by
Playwright, against the real service on 127.0.0.1.

A woman of 80 whose last denosumab injection was on 2024-10-20 (more than 7 months ago) gets a critical card; the
prescriber clicks its "Full assessment" link. The page must draw her T-scores (one point per site and DXA) and
show the overdue injection date, make no request to any origin but the service, log no console error, in both
languages. A screenshot of each is kept as a test artifact (pytest's tmp_path).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.devtools.patients import LIBRARY_DIR, hook_request, library_queries, prefetch_for, read_patient
from app.devtools.screenshots import running_service, wait_for_page

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/install-chromium, run by .ci/test)"),
]
PATIENT = LIBRARY_DIR / "17-denosumab-80f-overdue-7-months.json"


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service as it runs (uvicorn on a free loopback port, today pinned to the library's 2025-06-01)."""
    with running_service(tmp_path_factory.mktemp("service")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def card_link(service_url: str, language: str) -> str:
    patient = read_patient(PATIENT)
    body = hook_request(
        hook="patient-view",
        patient_id=patient.patient_id,
        prefetch=prefetch_for(patient.resources, library_queries()),
        language=language,
    )
    response = httpx.post(f"{service_url}/cds-services/osteoporosis-patient-view", json=body, timeout=10)
    response.raise_for_status()
    [critical, *_] = response.json()["cards"]
    assert critical["indicator"] == "critical"
    [link] = critical["links"]
    return str(link["url"])


@pytest.mark.parametrize(("language", "overdue"), [("en", "(overdue)"), ("nl", "(te laat)")])
def test_the_page_behind_a_real_card_draws_the_record_and_the_overdue_injection(
    service_url: str, browser: Any, tmp_path: Path, language: str, overdue: str
) -> None:
    url = card_link(service_url, language)
    wait_for_page(url)  # stored off the request path, within one writer interval
    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    page = browser.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: None if request.url.startswith(origin) else elsewhere.append(request.url))

    page.goto(url)
    page.screenshot(path=str(tmp_path / f"assessment-{language}.png"), full_page=True)

    assert page.locator("svg.t-scores circle.point").count() == 2  # lumbar spine and femoral neck, one DXA
    assert page.locator("svg.timeline .next-due.overdue").count() == 1
    assert f"2025-04-20 {overdue}" in (page.locator("svg.timeline").text_content() or "")
    assert errors == []
    assert elsewhere == []
    assert (tmp_path / f"assessment-{language}.png").stat().st_size > 10_000
    page.close()
