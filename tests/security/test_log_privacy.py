"""Logs never carry secrets or patient data: planted tokens, JWTs, names and identifiers are searched for in every
line our loggers and uvicorn's write at DEBUG, through successful calls, refused calls and FHIR failures.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.devtools.connections import free_port
from app.logging import JsonFormatter
from tests.builders.jwt import SigningKey, client_jwt
from tests.conftest import EHR_FHIR
from tests.security.conftest import PUBLIC_BASE_URL, SERVICE, aud

ACCESS_TOKEN = "opaque-fhir-token-Zq81xV"
PATIENT_NAME = "Geheimnaam"
GIVEN_NAME = "Wilhelmina"
BSN = "999911120"
PHONE = "+31-6-5551-2345"
STREET = "Verborgenstraat 42"
OBSERVATION_NOTE = "confidential-note-about-patient"
JTI_IN_BAD_TOKEN = "jti-in-a-refused-token"
LOGGERS = ("osteo_cds", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "")


def secret_patient(patient_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "gender": "female",
        "birthDate": "1950-06-01",
        "name": [{"family": PATIENT_NAME, "given": [GIVEN_NAME]}],
        "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": BSN}],
        "telecom": [{"system": "phone", "value": PHONE}],
        "address": [{"line": [STREET], "city": "Utrecht"}],
    }


class LogCapture(logging.Handler):
    """Every record, formatted as production writes it, plus its raw message and arguments."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.formatter_ = JsonFormatter()
        self.lines: list[str] = []
        self._lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        raw = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        with self._lock_:
            self.lines.append(self.formatter_.format(record))
            self.lines.append(raw)


@pytest.fixture
def settings(auth_settings: Settings) -> Settings:
    return auth_settings.model_copy(update={"log_level": "DEBUG", "fhir_server_allowlist": [EHR_FHIR]})


@pytest.fixture
def captured(app: FastAPI) -> Iterator[LogCapture]:
    capture = LogCapture()
    previous = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(capture)
            logging.getLogger(name).setLevel(previous[name])


def fields(line: str) -> dict[str, Any]:
    """A captured line's JSON fields (none for a line that is not a JSON object)."""
    try:
        parsed = json.loads(line)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def planted(jwt: str) -> list[str]:
    return [ACCESS_TOKEN, jwt, jwt.split(".")[1], jwt.split(".")[2], PATIENT_NAME, GIVEN_NAME, BSN, PHONE, STREET,
            OBSERVATION_NOTE, JTI_IN_BAD_TOKEN]  # fmt: skip


def assert_no_secret_in(capture: LogCapture, secrets: list[str]) -> None:
    assert capture.lines, "nothing was logged: the scan would be vacuous"
    for line in capture.lines:
        for secret in secrets:
            assert secret not in line, f"{secret!r} leaked into a log line: {line[:200]}"


def hook_call(patient_id: str, *, prefetch: dict[str, Any]) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": EHR_FHIR,
        "fhirAuthorization": {
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "osteo-cds",
        },
        "context": {"userId": "Practitioner/dr-1", "patientId": patient_id},
        "prefetch": prefetch,
    }


class TestLogsCarryNoSecrets:
    def test_hook_calls_refusals_and_fhir_failures_log_no_token_jwt_name_or_identifier(
        self, client: TestClient, captured: LogCapture, ehr_ec_key: SigningKey
    ) -> None:
        good_jwt = client_jwt(key=ehr_ec_key, aud=aud(SERVICE))
        with respx.mock(base_url=EHR_FHIR, assert_all_called=False) as ehr:
            ehr.get("/Observation").respond(
                500,
                json={
                    "resourceType": "OperationOutcome",
                    "issue": [{"severity": "error", "code": "exception", "diagnostics": OBSERVATION_NOTE}],
                },
            )
            ehr.get("/Condition").respond(200, content=f"<html>{PATIENT_NAME} {BSN}</html>".encode())
            ehr.route().respond(json={"resourceType": "Bundle", "type": "searchset", "entry": []})
            # 1. A hook call that fetches: one search fails with an OperationOutcome, one answers HTML.
            answered = client.post(
                SERVICE,
                json=hook_call("p1", prefetch={"patient": secret_patient("p1")}),
                headers={"Authorization": f"Bearer {good_jwt}"},
            )
        # 2. The same JWT again (a replay), and a token whose claims carry a planted jti.
        replayed = client.post(
            SERVICE, json=hook_call("p1", prefetch={}), headers={"Authorization": f"Bearer {good_jwt}"}
        )
        wrong_aud = client_jwt(key=ehr_ec_key, aud=f"{PUBLIC_BASE_URL}/elsewhere", jti=JTI_IN_BAD_TOKEN)
        refused = client.get("/cds-services", headers={"Authorization": f"Bearer {wrong_aud}"})
        # 3. A malformed body full of patient data.
        malformed = client.post(
            SERVICE,
            content=json.dumps({"hook": "patient-view", "context": secret_patient("p1")}).encode(),
            headers={"Authorization": f"Bearer {client_jwt(key=ehr_ec_key, aud=aud(SERVICE))}"},
        )

        assert answered.status_code == 200, answered.text
        assert (replayed.status_code, refused.status_code, malformed.status_code) == (401, 401, 400)
        assert_no_secret_in(captured, planted(good_jwt) + [wrong_aud])
        assert any("hook_instance" in fields(line) for line in captured.lines)
        assert any(fields(line).get("reason") == "replay" for line in captured.lines)

    def test_exception_records_keep_the_type_not_the_message(self) -> None:
        try:
            raise ValueError(f"parsing failed near {PATIENT_NAME} {BSN} Bearer {ACCESS_TOKEN}")
        except ValueError:
            record = logging.LogRecord("osteo_cds.x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

        line = JsonFormatter().format(record)

        assert json.loads(line)["exception"] == "ValueError"
        assert PATIENT_NAME not in line and BSN not in line and ACCESS_TOKEN not in line

    def test_extra_fields_outside_the_allowlist_are_dropped(self) -> None:
        record = logging.LogRecord("osteo_cds.x", logging.INFO, __file__, 1, "hook answered", None, None)
        record.patient = secret_patient("p1")
        record.hook_instance = "hi-1"

        line = JsonFormatter().format(record)

        assert PATIENT_NAME not in line and json.loads(line)["hook_instance"] == "hi-1"


class TestUvicornLogs:
    def test_uvicorn_access_and_error_logs_carry_no_token_or_patient_data(
        self, app: FastAPI, captured: LogCapture, ehr_ec_key: SigningKey
    ) -> None:
        port = free_port()
        # log_config=None: uvicorn leaves the logging set up by create_app() alone, as in production.
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=True, lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.started
            base = f"http://127.0.0.1:{port}"
            jwt = client_jwt(key=ehr_ec_key, aud=f"{base}/cds-services")  # aud check fails: public URL differs
            prefetch = {"patient": secret_patient("p1")}
            with respx.mock(assert_all_mocked=False) as mock:
                mock.route(host="127.0.0.1").pass_through()
                with httpx.Client(base_url=base, timeout=10) as http:
                    statuses = [
                        http.get("/cds-services", headers={"Authorization": f"Bearer {jwt}"}).status_code,
                        http.post(SERVICE, json=hook_call("p1", prefetch=prefetch)).status_code,
                        http.post(
                            SERVICE, content=b'{"hook": "patient-view", "x": "' + BSN.encode() + b'"'
                        ).status_code,
                    ]
        finally:
            server.should_exit = True
            thread.join(timeout=10)

        assert statuses == [401, 401, 401]
        assert any(str(fields(line).get("logger")).startswith("uvicorn") for line in captured.lines)
        assert_no_secret_in(captured, planted(jwt))
