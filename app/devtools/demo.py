"""``osteo-cds demo``: a real FHIR server, the service, the synthetic patients and their cards, in one command.

1. Installs (if needed, via ``.ci/install-fhir-server``) and starts the FHIR R4 test server (sekmet-fhir) on
   127.0.0.1 with a random bearer token and an empty store; ``--fhir-server hapi``: our HAPI FHIR JPA server
   instead (built once by ``.ci/install-hapi-fhir``; 30-90 s to start).
2. Loads every patient of ``examples/patients/`` into it (transaction Bundles).
3. Starts the service (uvicorn, 127.0.0.1) with that server on its ``fhirServer`` allowlist and "today" pinned
   to ``--as-of`` (default: the library's reference date, so the cards match the README).
4. Fires ``patient-view`` for every patient, and ``order-select`` + ``order-sign`` for those with a draft-order
   scenario, over HTTP **without prefetch**: the service fetches everything from the FHIR server itself.
5. Prints one line per card per patient (``--verbose``: each card in full) and stops everything, also on Ctrl-C;
   ``--keep-running`` keeps both servers up until Ctrl-C so you can send your own requests.

Client authentication is off for this loopback-only service (``auth_disabled_for_development``): the demo
plays the EHR and does not sign JWTs. Never expose it.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Final, Self, TextIO
from urllib.parse import urlsplit

import httpx
import uvicorn
from fastapi import FastAPI

from app.config import Language, Settings
from app.deps import get_as_of
from app.devtools.evaluate import format_card_lines, format_cards
from app.devtools.fhir_server import (
    FhirServer,
    FhirTestServer,
    HapiFhirTestServer,
    LocalFhirServerKind,
    ensure_fhir_server_installed,
    ensure_hapi_fhir_built,
)
from app.devtools.patients import (
    LIBRARY_DIR,
    REFERENCE_DATE,
    SERVICE_BY_HOOK,
    SyntheticPatient,
    hook_request,
    library_descriptions,
    load_library,
)
from app.hooks.schemas import CdsResponse
from app.main import create_app

__all__ = ["DemoOptions", "ServiceThread", "demo_app", "run_demo"]

_LOOPBACK: Final = "127.0.0.1"


@dataclass(frozen=True, kw_only=True)
class DemoOptions:
    """What ``osteo-cds demo`` was asked to do."""

    port: int = 0
    """Port of the service on 127.0.0.1 (0: any free port)."""
    fhir_port: int | None = None
    """Port of the FHIR server on 127.0.0.1 (``None``: any free port)."""
    fhir_server: LocalFhirServerKind = "sekmet"
    """Which FHIR server to start: sekmet-fhir or our HAPI FHIR server."""
    language: Language = "nl"
    as_of: date = REFERENCE_DATE
    keep_running: bool = False
    patients_dir: Path = LIBRARY_DIR
    verbose: bool = False
    """Each card in full (detail, suggestions, source) instead of one line per card."""


class ServiceThread:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread (lifespan on, no access log)."""

    def __init__(self, app: FastAPI, *, port: int = 0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((_LOOPBACK, port))
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="osteo-cds-service", daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{_LOOPBACK}:{self.port}"

    def start(self, *, timeout_s: float = 30.0) -> Self:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"the service did not start on {self.base_url} (see the log above)")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def demo_app(*, fhir_base_url: str, database_url: str, language: Language, as_of: date) -> FastAPI:
    """The service as the demo runs it: only this FHIR server allowed, no client JWT, "today" = ``as_of``."""
    parts = urlsplit(fhir_base_url)
    settings = Settings(
        database_url=database_url,
        fhir_server_allowlist=[f"{parts.scheme}://{parts.netloc}"],
        default_language=language,
        auth_disabled_for_development=True,
        log_level="WARNING",
    )
    application = create_app(settings)
    application.dependency_overrides[get_as_of] = lambda: as_of
    return application


def _hooks_for(patient: SyntheticPatient) -> Sequence[str]:
    return ("patient-view", "order-select", "order-sign") if patient.draft_order else ("patient-view",)


@contextmanager
def _step(out: TextIO, text: str) -> Iterator[None]:
    out.write(f"{text} ... ")
    out.flush()
    started = time.monotonic()
    yield
    out.write(f"done ({time.monotonic() - started:.1f} s)\n")
    out.flush()


def run_demo(options: DemoOptions, *, out: TextIO = sys.stdout) -> int:
    """Run the demo; 0 when every hook call answered 200, 1 otherwise. Ctrl-C stops everything cleanly
    (``KeyboardInterrupt`` propagates after the servers are stopped)."""
    patients = load_library(options.patients_dir)
    fhir: FhirServer
    if options.fhir_server == "hapi":
        with _step(out, "Checking the HAPI FHIR server build (.ci/install-hapi-fhir)"):
            jar = ensure_hapi_fhir_built()
        with _step(out, "Starting the FHIR R4 server (HAPI FHIR; up to a minute or two)"):
            fhir = HapiFhirTestServer(jar=jar, port=options.fhir_port)
    else:
        with _step(out, "Checking the FHIR test server install (.ci/install-fhir-server)"):
            ensure_fhir_server_installed()
        with _step(out, "Starting the FHIR R4 server (sekmet-fhir)"):
            fhir = FhirTestServer(port=options.fhir_port)
    with fhir, tempfile.TemporaryDirectory(prefix="osteo-cds-demo-") as workdir:
        with _step(out, f"Loading {len(patients)} synthetic patients"):
            for patient in patients:
                fhir.load_bundle(dict(patient.bundle))
        application = demo_app(
            fhir_base_url=fhir.base_url,
            database_url=f"sqlite:///{Path(workdir) / 'feedback.db'}",
            language=options.language,
            as_of=options.as_of,
        )
        with _step(out, "Starting the osteo-cds service"):
            service = ServiceThread(application, port=options.port).start()
        try:
            out.write(
                f"\nFHIR server: {fhir.base_url} (bearer token required)\n"
                f"Service:     {service.base_url}/cds-services\n"
                f"Today:       {options.as_of.isoformat()} (the patients' reference date is {REFERENCE_DATE})\n"
                "Each hook is called WITHOUT prefetch: the service fetches the patient from the FHIR server.\n\n"
            )
            about = library_descriptions(options.patients_dir)
            failures = _fire_hooks(
                patients,
                service=service,
                fhir=fhir,
                language=options.language,
                about=about,
                verbose=options.verbose,
                out=out,
            )
            calls = sum(len(_hooks_for(p)) for p in patients)
            out.write(f"{calls - failures} of {calls} hook calls answered with cards or an empty list.\n")
            if options.keep_running:
                out.write(
                    "\nBoth servers keep running; press Ctrl-C to stop. Try:\n"
                    f"  curl -s {service.base_url}/cds-services\n"
                    f"  FHIR: curl -s -H 'Authorization: Bearer {fhir.token}' "
                    f"'{fhir.base_url}/Patient?_count=5'\n"
                )
                out.flush()
                threading.Event().wait()
        finally:
            service.stop()
    return 0 if failures == 0 else 1


def _fire_hooks(
    patients: Sequence[SyntheticPatient],
    *,
    service: ServiceThread,
    fhir: FhirServer,
    language: Language,
    about: Mapping[str, str],
    verbose: bool,
    out: TextIO,
) -> int:
    failures = 0
    with httpx.Client(base_url=service.base_url, timeout=60.0) as http:
        for patient in patients:
            for hook in _hooks_for(patient):
                body = hook_request(
                    hook=hook,
                    patient_id=patient.patient_id,
                    fhir_server=fhir.base_url,
                    access_token=fhir.token,
                    draft_orders=[patient.draft_order] if patient.draft_order else [],
                    language=language,
                )
                title = f"{patient.name} · {hook}"
                response = http.post(f"/cds-services/{SERVICE_BY_HOOK[hook]}", json=body)
                try:
                    if response.status_code != httpx.codes.OK:
                        raise ValueError(f"HTTP {response.status_code}: {response.text[:500]}")
                    cards = CdsResponse.model_validate(response.json()).cards
                except ValueError as exc:  # not JSON, or not a valid CDS Hooks response
                    failures += 1
                    out.write(f"{title}\n{'=' * len(title)}\nFAILED: {exc}\n\n")
                    continue
                description = about.get(patient.name) if hook == "patient-view" else None
                shown = format_cards if verbose else format_card_lines
                out.write(shown(cards, title=title, about=description) + "\n")
                out.flush()
    return failures
