"""``osteo-cds demo`` end to end, as a user runs it: a real FHIR server, the service over HTTP, every patient.

Each test runs the command in a subprocess with a hard time limit (it starts its own FHIR server, sekmet-fhir or
HAPI FHIR, and the service on free ports), so a hang fails the test instead of blocking CI.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from app.devtools.patients import LIBRARY_DIR, load_library

from .conftest import EXTERNAL, local_fhir_servers

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(EXTERNAL, reason="the demo starts its own private FHIR server; FHIR_BASE_URL is external"),
]

REPO = Path(__file__).resolve().parents[2]
DEMO = [sys.executable, "-m", "app.cli", "demo"]
TIME_LIMIT_S = 180
HAPI_TIME_LIMIT_S = 480  # HAPI FHIR alone takes 30-90 s to start on a busy 2-core machine


@pytest.mark.parametrize("server", local_fhir_servers())
def test_the_demo_shows_the_cards_of_every_patient_and_stops(server: str) -> None:
    done = subprocess.run(
        [*DEMO, "--lang", "en", "--fhir-server", server],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=HAPI_TIME_LIMIT_S if server == "hapi" else TIME_LIMIT_S,
        check=False,
    )

    out = done.stdout
    patients = load_library()
    calls = len(patients) + 2 * sum(1 for p in patients if p.draft_order is not None)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Loading {len(patients)} synthetic patients ... done" in out
    assert "WITHOUT prefetch" in out
    for patient in patients:
        assert f"{patient.name} · patient-view\n" in out
    assert "03-gc-55f-prednisone-order · order-select\n" in out
    assert "03-gc-55f-prednisone-order · order-sign\n" in out
    assert "[WARNING] GC-START-1: Prednisone-eq. 10 mg/day" in out  # fetched from the FHIR server, in English
    assert "DATA-UNAVAILABLE" not in out and "FAILED" not in out
    assert f"{calls} of {calls} hook calls answered" in out
    assert "Woman 62, rheumatoid arthritis, prednisolone 10 mg/day" in out  # the README's line for the patient
    assert "source: " not in out and "-> suggestion" not in out  # one line per card; --verbose for the rest
    titles = {f"{p.name} · {hook}" for p in patients for hook in ("patient-view", "order-select", "order-sign")}
    shown = out.split("WITHOUT prefetch", 1)[1].split("hook calls answered", 1)[0].splitlines()[2:-1]
    for line in filter(None, shown):  # a title, the patient's line below it, or one card
        assert line in titles or re.match(r"  (\[(INFO|WARNING|CRITICAL)\] [A-Z0-9-]+: |\(no cards\)|\S)", line), line


def test_ctrl_c_with_keep_running_stops_the_fhir_server_and_the_service(tmp_path: Path) -> None:
    # One patient with a draft order is enough here: --patients points the demo at a library of one.
    name = "03-gc-55f-prednisone-order"
    (tmp_path / "draft-orders").mkdir()
    shutil.copy(LIBRARY_DIR / f"{name}.json", tmp_path / f"{name}.json")
    shutil.copy(LIBRARY_DIR / "draft-orders" / f"{name}.json", tmp_path / "draft-orders" / f"{name}.json")
    process = subprocess.Popen(
        [*DEMO, "--keep-running", "--verbose", "--patients", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    watchdog = threading.Timer(TIME_LIMIT_S, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            if "press Ctrl-C to stop" in line:
                break
        text = "".join(lines)
        assert "3 of 3 hook calls answered" in text, text[-3000:]
        assert "    source: " in text  # --verbose: each card in full
        fhir = re.search(r"^FHIR server: (\S+)", text, flags=re.MULTILINE)
        service = re.search(r"^Service:\s+(\S+)/cds-services", text, flags=re.MULTILINE)
        assert fhir is not None and service is not None, text[-3000:]
        assert httpx.get(f"{service.group(1)}/cds-services", timeout=10).status_code == 200
        assert httpx.get(f"{fhir.group(1)}/metadata", timeout=10).status_code == 200

        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=60)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    assert returncode == 130
    for url in (f"{service.group(1)}/cds-services", f"{fhir.group(1)}/metadata"):
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=5)
