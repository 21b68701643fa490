"""The committed OpenAPI document is exactly what the service serves (regenerate: osteo-cds openapi)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

OPENAPI = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_served_document(app: FastAPI) -> None:
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))

    assert committed == app.openapi(), "openapi/openapi.json is stale: run `.venv/bin/osteo-cds openapi`"


def test_every_cds_hooks_endpoint_is_documented(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    assert set(paths) >= {
        "/cds-services",
        "/cds-services/{service_id}",
        "/cds-services/{service_id}/feedback",
    }
    assert "400" in paths["/cds-services/{service_id}"]["post"]["responses"]
    assert "412" in paths["/cds-services/{service_id}"]["post"]["responses"]
