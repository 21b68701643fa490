"""The curl-able requests in examples/ answer with spec-valid cards (the README's first-run experience)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.deps import get_as_of
from app.devtools.patients import REFERENCE_DATE
from app.hooks.schemas import CdsResponse
from app.main import ROOT, create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def live_client(settings: Settings) -> Iterator[TestClient]:
    """The service as ``./.ci/serve`` runs it: no date override in the app, "today" pinned by the setting
    ``development_today`` (``OSTEO_DEVELOPMENT_TODAY``) to the examples' reference date."""
    pinned = settings.model_copy(update={"development_today": REFERENCE_DATE})
    with TestClient(create_app(pinned)) as client:
        yield client


@pytest.mark.parametrize(
    ("example", "service", "rules"),
    [
        pytest.param("patient-view-prednisolone.json", "osteoporosis-patient-view", ["GC-START-1"], id="patient-view"),
        pytest.param("order-select-prednisone.json", "osteoporosis-order-select", ["GC-START-1"], id="order-select"),
        pytest.param("order-sign-prednisone.json", "osteoporosis-order-sign", ["GC-START-1"], id="order-sign"),
    ],
)
def test_example_request_answers_with_spec_valid_cards(
    live_client: TestClient, example: str, service: str, rules: list[str]
) -> None:
    body = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))

    response = live_client.post(f"/cds-services/{service}", json=body)

    assert response.status_code == 200, response.text
    cards = CdsResponse.model_validate(response.json()).cards
    fired = [card.source.topic.code for card in cards if card.source.topic]
    assert set(rules) <= set(fired), fired
    assert "DATA-UNAVAILABLE" not in fired


def test_feedback_example_is_accepted(live_client: TestClient) -> None:
    body = json.loads((EXAMPLES / "feedback-accepted.json").read_text(encoding="utf-8"))

    response = live_client.post("/cds-services/osteoporosis-order-select/feedback", json=body)

    assert response.status_code == 200


def test_serve_pins_today_to_the_examples_reference_date() -> None:
    serve = (ROOT / ".ci" / "serve").read_text(encoding="utf-8")

    pinned = re.search(r'OSTEO_DEVELOPMENT_TODAY="\$\{OSTEO_DEVELOPMENT_TODAY-([0-9-]+)\}"', serve)

    assert pinned is not None and pinned.group(1) == REFERENCE_DATE.isoformat()


def test_a_pinned_today_replaces_the_clock() -> None:
    pinned = Settings(auth_disabled_for_development=True, development_today="2025-06-01")
    request: Any = SimpleNamespace(state=SimpleNamespace(resources=SimpleNamespace(settings=pinned)))

    assert asyncio.run(get_as_of(request)) == REFERENCE_DATE


def test_today_cannot_be_pinned_with_client_authentication_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSTEO_DEVELOPMENT_TODAY", "2025-06-01")
    monkeypatch.delenv("OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT", raising=False)

    with pytest.raises(ValidationError, match="never available with client authentication on"):
        Settings()
