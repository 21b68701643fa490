"""Behaviour check for performance work: every response the service gives, captured and compared.

``python -m bench.golden capture FILE`` runs, through the real HTTP stack (in-process ``TestClient``):
every request in ``examples/`` and ``examples/order-scenarios/``; every synthetic patient of
``examples/patients/`` at patient-view (complete prefetch) and, with its draft order, at order-select and
order-sign; the benchmark patient; and a few malformed requests; each in Dutch and English. It writes the status,
content type and body of each response, with every uuid replaced by ``<uuid>`` (cards and suggestions get fresh
uuids per call) and every assessment link's token by ``<token>``. ``python -m bench.golden check FILE`` runs the same and prints every difference; exit status 1
when there is any. Capture before an optimisation, check after it: the output must not change.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.devtools.patients import REFERENCE_DATE, hook_request, library_queries, load_library, prefetch_for
from app.main import ROOT, create_app
from bench.patient import AS_OF as BENCH_AS_OF
from bench.patient import patient_view_request

EXAMPLES = ROOT / "examples"
EXAMPLES_WRITTEN_ON = date(2025, 6, 1)
SCENARIOS_DAY = date(2025, 6, 1)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ASSESSMENT_TOKEN = re.compile(r"/assessment/[A-Za-z0-9_-]+")
_SERVICE_BY_HOOK = {
    "patient-view": "osteoporosis-patient-view",
    "order-select": "osteoporosis-order-select",
    "order-sign": "osteoporosis-order-sign",
}

Case = tuple[str, date, str, Any]
"""(name, as_of, path, JSON body or raw bytes)."""


def _with_language(body: dict[str, Any], language: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["extension"] = {**(body.get("extension") or {}), "org.osteo-cds.language": language}
    return body


def _cases() -> Iterator[Case]:
    queries = library_queries()
    for language in ("nl", "en"):
        for path in sorted(EXAMPLES.glob("*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            if "hook" not in body:
                continue
            yield (f"examples/{path.name}:{language}", EXAMPLES_WRITTEN_ON, _path(body), _with_language(body, language))
        for path in sorted((EXAMPLES / "order-scenarios").glob("*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            yield (
                f"order-scenarios/{path.name}:{language}",
                SCENARIOS_DAY,
                _path(body),
                _with_language(body, language),
            )
        for patient in load_library():
            prefetch = prefetch_for(patient.resources, queries)
            hooks = ["patient-view"] + (["order-select", "order-sign"] if patient.draft_order else [])
            for hook in hooks:
                body = hook_request(
                    hook=hook,
                    patient_id=patient.patient_id,
                    prefetch=prefetch,
                    draft_orders=[patient.draft_order] if patient.draft_order and hook != "patient-view" else [],
                    language=language,
                )
                yield (f"patients/{patient.name}/{hook}:{language}", REFERENCE_DATE, _path(body), body)
        bench = patient_view_request()
        yield (f"bench/patient:{language}", BENCH_AS_OF, _path(bench), _with_language(bench, language))
        yield (
            f"bench/patient-no-extension-accept-{language}",
            BENCH_AS_OF,
            _path(bench),
            {k: v for k, v in bench.items() if k != "extension"},
        )
    pv = "/cds-services/osteoporosis-patient-view"
    minimal = {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p1"}, "prefetch": {}}
    yield ("error/bad-json", REFERENCE_DATE, pv, b'{"hook": "patient-view",')
    yield ("error/array", REFERENCE_DATE, pv, [1, 2])
    yield ("error/no-hook", REFERENCE_DATE, pv, {k: v for k, v in minimal.items() if k != "hook"})
    yield ("error/no-context", REFERENCE_DATE, pv, {k: v for k, v in minimal.items() if k != "context"})
    yield ("error/no-patient", REFERENCE_DATE, pv, {**minimal, "context": {}})
    yield ("error/bad-patient-id", REFERENCE_DATE, pv, {**minimal, "context": {"patientId": "a b"}})
    yield ("error/wrong-hook", REFERENCE_DATE, pv, {**minimal, "hook": "order-sign"})
    yield ("error/prefetch-string", REFERENCE_DATE, pv, {**minimal, "prefetch": {"patient": "Patient/1"}})
    yield ("error/prefetch-no-type", REFERENCE_DATE, pv, {**minimal, "prefetch": {"patient": {"x": 1}}})
    yield ("error/language", REFERENCE_DATE, pv, {**minimal, "extension": {"org.osteo-cds.language": "fr"}})
    yield ("error/auth-no-server", REFERENCE_DATE, pv, {**minimal, "fhirAuthorization": {"access_token": "t"}})
    yield ("error/unknown-service", REFERENCE_DATE, "/cds-services/nope", minimal)
    yield ("error/no-prefetch", REFERENCE_DATE, pv, {k: v for k, v in minimal.items() if k != "prefetch"})
    yield ("ok/empty-prefetch", REFERENCE_DATE, pv, minimal)
    yield ("ok/null-prefetch", REFERENCE_DATE, pv, {**minimal, "prefetch": None})


def _path(body: dict[str, Any]) -> str:
    return f"/cds-services/{_SERVICE_BY_HOOK[body['hook']]}"


def _normalise(value: Any) -> Any:
    text = _UUID.sub("<uuid>", json.dumps(value, ensure_ascii=False))
    return json.loads(_ASSESSMENT_TOKEN.sub("/assessment/<token>", text))


@contextmanager
def in_process_client(**overrides: Any) -> Iterator[tuple[TestClient, Callable[[date], None]]]:
    """The application with its lifespan, on a throwaway SQLite file, client JWT checks off, quiet logs, through
    ``TestClient`` (no network); the second value pins "today" for the next calls."""
    with tempfile.TemporaryDirectory(prefix="osteo-bench-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'feedback.db'}",
            auth_disabled_for_development=True,
            log_level="ERROR",
            **overrides,
        )
        application = create_app(settings)
        current = {"as_of": REFERENCE_DATE}
        application.dependency_overrides[get_as_of] = lambda: current["as_of"]

        def pin_today(day: date) -> None:
            current["as_of"] = day

        with TestClient(application) as client:
            yield client, pin_today


def run() -> dict[str, Any]:
    """Every case's response: status, content type and the JSON body with uuids replaced."""
    out: dict[str, Any] = {}
    with in_process_client(fhir_server_allowlist=["https://ehr.example.org/fhir"]) as (client, pin_today):
        for name, as_of, path, body in _cases():
            pin_today(as_of)
            headers = {"accept-language": "en"} if name.endswith("accept-en") else {}
            if isinstance(body, bytes):
                response = client.post(path, content=body, headers={"content-type": "application/json", **headers})
            else:
                response = client.post(path, json=body, headers=headers)
            try:
                payload: Any = response.json()
            except ValueError:
                payload = response.text
            out[name] = {
                "status": response.status_code,
                "content_type": response.headers.get("content-type"),
                "body": _normalise(payload),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("capture", "check"))
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    result = run()
    if args.action == "capture":
        args.file.parent.mkdir(parents=True, exist_ok=True)
        args.file.write_text(json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(result)} responses captured in {args.file}")
        return 0
    expected = json.loads(args.file.read_text(encoding="utf-8"))
    differences = sorted(set(expected) ^ set(result)) + [
        name for name in sorted(set(expected) & set(result)) if expected[name] != result[name]
    ]
    for name in differences:
        print(f"DIFFERENT: {name}", file=sys.stderr)
    print(f"{len(result)} responses, {len(differences)} different")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
