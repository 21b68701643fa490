"""What every fuzzed response must satisfy: no 500, no traceback text, every 4xx a FHIR OperationOutcome."""

from __future__ import annotations

import httpx

__all__ = ["assert_well_behaved"]

_TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages", "Internal Server Error")


def assert_well_behaved(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    text = response.text
    for marker in _TRACEBACK_MARKERS:
        assert marker not in text, f"traceback text in a response: {text[:300]}"
    if response.request.url.path.startswith("/assessment/") and response.status_code == 404:
        # the assessment page is read by a person in a browser: an unknown link gets a page, not JSON
        assert response.headers.get("content-type", "").startswith("text/html"), response.headers
        return
    if response.request.url.path == "/rules" and response.status_code == 200:
        # the rule reference is a page for people: HTML, never cached, no script (app/rules_page.py)
        assert response.headers.get("content-type", "").startswith("text/html"), response.headers
        assert "default-src 'none'" in response.headers.get("content-security-policy", ""), response.headers
        return
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", "").startswith("application/fhir+json"), response.headers
        body = response.json()
        assert body["resourceType"] == "OperationOutcome"
        assert body["issue"] and all(issue["severity"] and issue["code"] for issue in body["issue"])
