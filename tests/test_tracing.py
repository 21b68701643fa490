"""Optional OpenTelemetry tracing (app/tracing.py): off by default; when on, a hook call is a trace with its phases
and carries no patient data."""

from __future__ import annotations

import importlib.util
import json

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NoOpTracer

from app.config import Settings
from app.deps import get_as_of
from app.errors import TracingConfigurationError
from app.main import create_app
from app.tracing import open_tracer
from tests.builders.cds import PatientRecordBuilder, call_hook
from tests.builders.fhir import dxa_t_score
from tests.conftest import AS_OF

SECRET_PATIENT_ID = "pt-7Tq2-trace"


def test_tracing_is_off_by_default(settings: Settings) -> None:
    assert isinstance(open_tracer(settings), NoOpTracer)


def test_a_hook_call_is_one_trace_with_its_phases_and_no_patient_data(settings: Settings) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    application = create_app(settings, tracer_provider=provider)
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    record = PatientRecordBuilder(birth_date="1950-01-10", gender="female", patient_id=SECRET_PATIENT_ID)
    record.add(dxa_t_score(site="lumbar-spine", value=-2.9, on="2025-03-01"))

    with TestClient(application) as client:
        cards = call_hook(client, "patient-view", record)

    spans = exporter.get_finished_spans()
    [call] = [span for span in spans if span.name == "hook call"]
    phases = [span for span in spans if span.parent is not None and span.parent.span_id == call.context.span_id]
    assert cards
    assert [span.name for span in sorted(phases, key=lambda span: span.start_time or 0)] == [
        "gather",
        "snapshot",
        "rules",
        "cards",
    ]
    assert call.attributes is not None
    assert call.attributes["cds.service"] == "osteoporosis-patient-view"
    assert call.attributes["cds.findings"] >= 1  # type: ignore[operator]
    exported = json.dumps([json.loads(span.to_json()) for span in spans])
    assert SECRET_PATIENT_ID not in exported


@pytest.mark.skipif(
    importlib.util.find_spec("opentelemetry.exporter") is not None, reason="the [tracing] extra is installed here"
)
def test_an_otlp_endpoint_without_the_exporter_installed_stops_start_up(settings: Settings) -> None:
    configured = settings.model_copy(update={"tracing_otlp_endpoint": "http://127.0.0.1:4318/v1/traces"})

    with pytest.raises(TracingConfigurationError, match=r"pip install '\.\[tracing\]'"):
        open_tracer(configured)
