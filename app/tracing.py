"""Optional OpenTelemetry tracing of hook calls, off by default.

With ``OSTEO_TRACING_OTLP_ENDPOINT`` set (e.g. ``http://otel-collector:4318/v1/traces``), every hook call becomes a
trace: a ``hook call`` span with its phases as child spans (``gather``, ``snapshot``, ``rules``, ``cards``),
exported over OTLP/HTTP in batches (install with ``pip install '.[tracing]'``). Unset, the tracer is OpenTelemetry's
no-op tracer and a call costs nothing extra.

The spans carry what the "hook answered" log line carries and nothing more: the service, hook, hook instance,
counts and timings. Never a patient identifier, a FHIR URL or a token.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.trace import Tracer, TracerProvider

from app.config import Settings
from app.errors import TracingConfigurationError

__all__ = ["PHASES", "open_tracer", "record_hook_call"]

PHASES = ("gather", "snapshot", "rules", "cards")
"""The phases of a hook call, in order (app/hooks/pipeline.py)."""


def open_tracer(settings: Settings, provider: TracerProvider | None = None) -> Tracer:
    """The tracer of this application: from ``provider`` when one is given (tests, an embedding application), an
    OTLP/HTTP exporter when ``OSTEO_TRACING_OTLP_ENDPOINT`` is set, else OpenTelemetry's no-op tracer."""
    if provider is None and settings.tracing_otlp_endpoint is not None:
        provider = _otlp_provider(settings.tracing_otlp_endpoint)
    return (provider or trace.NoOpTracerProvider()).get_tracer("osteo_cds")


def _otlp_provider(endpoint: str) -> TracerProvider:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:  # the optional extra is not installed: say so at start-up
        raise TracingConfigurationError(
            "OSTEO_TRACING_OTLP_ENDPOINT is set but the OTLP exporter is not installed: pip install '.[tracing]'"
        ) from exc
    provider = SdkTracerProvider(resource=Resource.create({"service.name": "osteo-cds"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def record_hook_call(
    tracer: Tracer,
    *,
    start_ns: int,
    phase_ends_ns: Mapping[str, int],
    attributes: Mapping[str, str | int | float],
) -> None:
    """One ``hook call`` span with a child span per phase, from times measured during the call (epoch ns)."""
    if not isinstance(tracer, trace.NoOpTracer):
        call = tracer.start_span("hook call", start_time=start_ns, attributes=dict(attributes))
        context = trace.set_span_in_context(call)
        begin = start_ns
        for phase in PHASES:
            end = phase_ends_ns[phase]
            tracer.start_span(phase, context=context, start_time=begin).end(end_time=end)
            begin = end
        call.end(end_time=begin)
