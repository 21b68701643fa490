"""The curl-able requests in examples/ answer with spec-valid cards (the README's first-run experience)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.deps import get_as_of
from app.hooks.schemas import CdsResponse

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WRITTEN_ON = date(2026, 11, 23)
"""The examples' dates are relative to the day they were written; they stay valid after it."""


@pytest.fixture
def live_client(app: FastAPI) -> Iterator[TestClient]:
    app.dependency_overrides[get_as_of] = lambda: WRITTEN_ON
    with TestClient(app) as client:
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
