"""A real FHIR R4 server for the integration tests and the demo: sekmet-fhir on loopback, or an external one.

``FhirTestServer`` starts ``sekmet serve`` (pinned ``sekmet-fhir==0.1.1``, installed in its own venv by
``.ci/install-fhir-server``; see ``shared/docs/fhir-test-server.md`` for the choice) on a free port of
127.0.0.1 with bearer-token auth and an empty SQLite store in a private temporary directory.
``HapiFhirTestServer`` starts our HAPI FHIR JPA server (``deploy/hapi-fhir/``, HAPI FHIR ``HAPI_FHIR_VERSION``,
built once by ``.ci/install-hapi-fhir``) with ``java -jar`` the same way: 127.0.0.1, a free port, a bearer token,
an empty in-memory H2 database. ``ExternalFhirServer`` wraps a server someone else runs (``FHIR_BASE_URL`` /
``FHIR_BEARER_TOKEN``, e.g. a HAPI sandbox) behind the same interface; ``fhir_server_from_env()`` picks one.

Each is a context manager::

    with fhir_server_from_env() as server:
        server.load_bundle(transaction)
        httpx.get(f"{server.base_url}/Patient", headers=server.auth_headers)

Nothing here is a mock: every request is answered by a real FHIR server. This is developer tooling (used by
``tests/integration`` and ``osteo-cds demo``), never part of the service's request path; it works from a clone
of the repository, where ``.ci/install-fhir-server`` and ``.ci/install-hapi-fhir`` live.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Final, Literal, Self, get_args

import httpx

from app.devtools.connections import free_port

__all__ = [
    "FHIR_JSON",
    "HAPI_FHIR_VERSION",
    "LOCAL_FHIR_SERVERS",
    "REPO_ROOT",
    "SEKMET_VERSION",
    "ExternalFhirServer",
    "FhirServer",
    "FhirTestServer",
    "FhirTestServerError",
    "HapiFhirTestServer",
    "LocalFhirServerKind",
    "default_fhir_venv",
    "ensure_fhir_server_installed",
    "ensure_hapi_fhir_built",
    "fhir_server_from_env",
    "start_local_fhir_server",
]

SEKMET_VERSION: Final = "0.1.1"
"""The pinned sekmet-fhir version; must match ``SEKMET_VERSION`` in ``.ci/install-fhir-server``."""

HAPI_FHIR_VERSION: Final = "8.8.0"
"""The HAPI FHIR release ``deploy/hapi-fhir/pom.xml`` builds on (``hapi_fhir_version`` there)."""

LocalFhirServerKind = Literal["sekmet", "hapi"]
LOCAL_FHIR_SERVERS: Final[tuple[LocalFhirServerKind, ...]] = get_args(LocalFhirServerKind)
"""The FHIR servers this repository can start on loopback (the integration suite runs against each)."""

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
FHIR_JSON: Final = "application/fhir+json"

_INSTALL_SCRIPT: Final = REPO_ROOT / ".ci" / "install-fhir-server"
_HAPI_INSTALL_SCRIPT: Final = REPO_ROOT / ".ci" / "install-hapi-fhir"
# The JVM of the HAPI server: a 1 GiB heap is plenty for the test data; C1 only and the serial collector start
# faster and use less CPU on a small (2-core) machine than the defaults.
_HAPI_JVM_OPTIONS: Final = ("-Xmx1g", "-Xss1m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_LOOPBACK: Final = "127.0.0.1"
# Settings that sekmet reads from the environment and that would override our settings.yaml; plus
# variables that would leak our .venv into the server's own venv.
_SCRUBBED_ENV: Final = (
    "SEKMET_CONFIG",
    "SEKMET_BASE_URL",
    "SEKMET_DB",
    "SEKMET_PUBLIC_URL",
    "SEKMET_PORT",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
)


class FhirTestServerError(RuntimeError):
    """Raised when the test FHIR server cannot be installed, started or reset, or rejects a test fixture."""


def default_fhir_venv() -> Path:
    """The server's venv: ``$FHIR_VENV`` if set, else ``<repo>/.fhir-venv`` (as the install script)."""
    override = os.environ.get("FHIR_VENV")
    return Path(override) if override else REPO_ROOT / ".fhir-venv"


def _run_install_script(
    script: Path, timeout_s: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one of the project's install scripts (output captured); raise when it does not finish in time."""
    try:
        return subprocess.run(
            ["bash", str(script)], env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise FhirTestServerError(f"{script} did not finish within {timeout_s:.0f} s") from exc


def _install_failed(script: Path, done: subprocess.CompletedProcess[str]) -> FhirTestServerError:
    return FhirTestServerError(f"{script} failed (exit {done.returncode}):\n{_tail(done.stdout + done.stderr)}")


def ensure_fhir_server_installed(*, venv: Path | None = None, timeout_s: float = 600.0) -> Path:
    """Run ``.ci/install-fhir-server`` (idempotent: ~0.1 s when the pinned version is there); return the
    path of the ``sekmet`` executable."""
    venv = venv or default_fhir_venv()
    executable = venv / "bin" / "sekmet"
    done = _run_install_script(_INSTALL_SCRIPT, timeout_s, env={**os.environ, "FHIR_VENV": str(venv)})
    if done.returncode != 0 or not executable.is_file():
        raise _install_failed(_INSTALL_SCRIPT, done)
    return executable


def ensure_hapi_fhir_built(*, timeout_s: float = 1200.0) -> Path:
    """Run ``.ci/install-hapi-fhir`` (cached: well under a second when the jar for the current sources exists,
    a Maven build of a minute or more otherwise); return the path of the server's jar (its last output line)."""
    done = _run_install_script(_HAPI_INSTALL_SCRIPT, timeout_s)
    lines = done.stdout.strip().splitlines()
    jar = Path(lines[-1]) if lines else None
    if done.returncode != 0 or jar is None or not jar.is_file():
        raise _install_failed(_HAPI_INSTALL_SCRIPT, done)
    return jar


class FhirServer:
    """What a test needs from a FHIR server: where it is, how to authenticate, and how to load data.

    ``token`` is ``None`` when the server needs no authentication (only possible for external servers).
    ``kind`` names the server: ``"sekmet"``, ``"hapi"`` or ``"external"``.
    """

    kind: ClassVar[str] = "external"
    base_url: str
    token: str | None

    @property
    def auth_headers(self) -> dict[str, str]:
        """The ``Authorization`` header for this server (empty if it needs none)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def client(self, *, timeout_s: float = 10.0) -> httpx.Client:
        """A fresh synchronous client for this server: FHIR JSON, bearer token, relative URLs allowed."""
        return httpx.Client(
            base_url=self.base_url,
            headers={"Accept": FHIR_JSON, **self.auth_headers},
            timeout=timeout_s,
        )

    def load_bundle(self, bundle: dict[str, Any]) -> dict[str, Any]:
        """POST a transaction (or batch) Bundle to the base URL and return the response Bundle, whose entries
        carry the stored resources (``Prefer: return=representation``).

        Raises ``FhirTestServerError`` on a non-2xx answer, with the OperationOutcome's text.
        """
        if bundle.get("resourceType") != "Bundle" or bundle.get("type") not in ("transaction", "batch"):
            raise FhirTestServerError("load_bundle() takes a Bundle of type 'transaction' or 'batch'")
        with self.client(timeout_s=30.0) as http:
            # return=representation: the response entries carry the stored resources (HAPI omits them otherwise).
            response = http.post(
                "", json=bundle, headers={"Content-Type": FHIR_JSON, "Prefer": "return=representation"}
            )
        if not response.is_success:
            raise FhirTestServerError(
                f"{self.base_url} rejected the {bundle['type']} Bundle with HTTP {response.status_code}: "
                f"{_outcome_text(response)}"
            )
        answer: dict[str, Any] = response.json()
        return answer

    def reset(self) -> None:
        """Delete every resource on the server."""
        raise NotImplementedError

    def stop(self) -> None:
        """Release the server (stop it if this process started it)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class ExternalFhirServer(FhirServer):
    """A FHIR server this process does not own (e.g. a HAPI sandbox); ``reset()`` is refused."""

    def __init__(self, base_url: str, *, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None

    def reset(self) -> None:
        raise FhirTestServerError(
            f"refusing to wipe the external FHIR server {self.base_url}; give each test its own patient"
        )

    def __repr__(self) -> str:
        return f"ExternalFhirServer(base_url={self.base_url!r}, token={'***' if self.token else None})"


class _LocalFhirServer(FhirServer):
    """A FHIR server run by this process as a subprocess on 127.0.0.1, with a private temp dir and bearer token.

    ``start()`` is called by ``__init__`` unless ``start=False``. The process runs in its own process
    group, so ``stop()`` (also run at interpreter exit as a safety net) terminates it and anything it
    spawned, then deletes the temp dir. On a start-up failure the error carries the tail of the server log.
    ``port`` pins the port (default: a free port of 127.0.0.1). Subclasses say what to run.
    """

    program: ClassVar[str]
    """The server's name in messages."""

    def __init__(self, *, executable: Path, startup_timeout_s: float, port: int | None, start: bool) -> None:
        self._executable = executable
        self._startup_timeout_s = startup_timeout_s
        self._requested_port = port
        self.token = secrets.token_urlsafe(24)
        self.port = 0
        self.base_url = ""
        self._workdir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        if start:
            self.start()

    @property
    def workdir(self) -> Path:
        """The private temp dir: the server's log and whatever files it keeps."""
        if self._workdir is None:
            raise FhirTestServerError("the FHIR test server is not running")
        return self._workdir

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def start(self) -> None:
        """Start the server; wait until ``GET /fhir/metadata`` answers 200 (at most the start-up timeout)."""
        if self._process is not None:
            raise FhirTestServerError("the FHIR test server is already running")
        if not self._executable.is_file():
            raise FhirTestServerError(f"{self._executable} is missing; run {self._install_hint()}")
        self._workdir = Path(tempfile.mkdtemp(prefix="osteo-cds-fhir-"))
        atexit.register(self.stop)
        try:
            # The free port is only reserved until we close the probe socket: retry on the rare collision.
            # A port the caller asked for is tried once: if it is taken, that is the caller's error to see.
            attempts = 1 if self._requested_port else 3
            for attempt in range(attempts):
                self.port = self._requested_port or free_port(_LOOPBACK)
                self.base_url = f"http://{_LOOPBACK}:{self.port}/fhir"
                self._spawn()
                if self._wait_until_ready(last_attempt=attempt == attempts - 1):
                    return
                self._terminate()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s) and delete its temp dir. Idempotent."""
        atexit.unregister(self.stop)
        try:
            self._terminate()
        finally:
            if self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, running={self.is_running})"

    # -- internals ---------------------------------------------------------------------------------

    def _install_hint(self) -> str:
        raise NotImplementedError

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _env(self) -> dict[str, str]:
        return _server_env()

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._command(),
                cwd=self.workdir,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_until_ready(self, *, last_attempt: bool) -> bool:
        """True once metadata answers 200; False if the port was taken (retry); raises otherwise."""
        process = self._process
        if process is None:
            raise FhirTestServerError("the FHIR test server is not running")
        deadline = time.monotonic() + self._startup_timeout_s
        with httpx.Client(timeout=2.0) as http:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    log = self._log_tail()
                    if "already in use" in log.lower() and not last_attempt:
                        return False
                    raise FhirTestServerError(
                        f"{self.program} exited with code {process.returncode} "
                        f"before answering {self.base_url}/metadata"
                        f"\n--- {self.log_path.name} (tail) ---\n{log}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    if http.get(f"{self.base_url}/metadata").status_code == httpx.codes.OK:
                        return True
                time.sleep(0.1)
        raise FhirTestServerError(
            f"{self.program} did not answer {self.base_url}/metadata within {self._startup_timeout_s:.0f} s"
            f"\n--- {self.log_path.name} (tail) ---\n{self._log_tail()}"
        )

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)

    def _log_tail(self) -> str:
        try:
            return _tail(self.log_path.read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            return f"(no log: {exc})"


class FhirTestServer(_LocalFhirServer):
    """sekmet-fhir as a subprocess on 127.0.0.1 (see ``_LocalFhirServer``), with an SQLite store in its temp dir."""

    kind: ClassVar[str] = "sekmet"
    program: ClassVar[str] = "sekmet"

    def __init__(
        self,
        *,
        venv: Path | None = None,
        startup_timeout_s: float = 30.0,
        port: int | None = None,
        start: bool = True,
    ) -> None:
        self.venv = venv or default_fhir_venv()
        super().__init__(
            executable=self.venv / "bin" / "sekmet", startup_timeout_s=startup_timeout_s, port=port, start=start
        )

    @property
    def workdir(self) -> Path:
        """The private temp dir: ``settings.yaml``, ``server.log`` and ``data/`` (the SQLite store)."""
        return super().workdir

    @property
    def settings_path(self) -> Path:
        return self.workdir / "settings.yaml"

    def reset(self) -> None:
        """Empty the store with ``sekmet reset --yes`` (about 1 s); the server keeps running on the same URL.

        This wipes *every* resource: call it only from a fixture that owns the whole store, never while
        another test's data must survive. Tests that share the session server should use their own patient.
        """
        if self._process is None:
            raise FhirTestServerError("the FHIR test server is not running")
        try:
            done = subprocess.run(
                [str(self._executable), "reset", "--yes", "-c", str(self.settings_path)],
                cwd=self.workdir,
                env=_server_env(),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise FhirTestServerError("sekmet reset did not finish within 60 s") from exc
        if done.returncode != 0:
            raise FhirTestServerError(f"sekmet reset failed (exit {done.returncode}):\n{_tail(done.stderr)}")

    def _install_hint(self) -> str:
        return str(_INSTALL_SCRIPT)

    def _command(self) -> list[str]:
        self._write_settings()
        return [str(self._executable), "serve", "-c", str(self.settings_path)]

    def _write_settings(self) -> None:
        # Keys verified against sekmet/config.py (Settings, ServerAuth, SimulatorSettings) in 0.1.1.
        # JSON is valid YAML, and json.dumps quotes every string safely.
        settings = {
            "host": _LOOPBACK,
            "port": self.port,
            "base_url": self.base_url,
            "data_dir": str(self.workdir / "data"),
            "simulator": {"enabled": False},
            "log_inbound": False,
            "server_auth": {"types": ["bearer"], "tokens": [self.token]},
        }
        self.settings_path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


class HapiFhirTestServer(_LocalFhirServer):
    """Our HAPI FHIR JPA server (``deploy/hapi-fhir/``) as ``java -jar`` on 127.0.0.1 (see ``_LocalFhirServer``).

    FHIR R4 with an in-memory H2 database (empty at every start), the bearer token passed in the environment
    (``HAPI_BEARER_TOKEN``, never on the command line). Starting takes 30-90 s on a 2-core machine (the JVM,
    Hibernate's schema, HAPI's FHIRPath model), so the test suite starts it once per session.
    """

    kind: ClassVar[str] = "hapi"
    program: ClassVar[str] = "HAPI FHIR"

    def __init__(
        self,
        *,
        jar: Path,
        java: str = "java",
        startup_timeout_s: float = 300.0,
        port: int | None = None,
        start: bool = True,
    ) -> None:
        self.jar = jar
        self._java = java
        super().__init__(executable=jar, startup_timeout_s=startup_timeout_s, port=port, start=start)

    def reset(self) -> None:
        """Refused: the in-memory database is emptied by starting a new server, not by a wipe over HTTP."""
        raise FhirTestServerError("HapiFhirTestServer has no reset(): stop it and start a new one (an empty store)")

    def _install_hint(self) -> str:
        return str(_HAPI_INSTALL_SCRIPT)

    def _command(self) -> list[str]:
        return [
            self._java,
            *_HAPI_JVM_OPTIONS,
            "-jar",
            str(self._executable),
            f"--server.address={_LOOPBACK}",
            f"--server.port={self.port}",
        ]

    def _env(self) -> dict[str, str]:
        return {**_server_env(), "HAPI_BEARER_TOKEN": self.token or ""}


def start_local_fhir_server(kind: LocalFhirServerKind, *, port: int | None = None) -> FhirServer:
    """Install or build (when needed) and start the loopback FHIR server ``kind``: sekmet-fhir or HAPI FHIR."""
    if kind == "hapi":
        return HapiFhirTestServer(jar=ensure_hapi_fhir_built(), port=port)
    ensure_fhir_server_installed()
    return FhirTestServer(port=port)


def fhir_server_from_env(kind: LocalFhirServerKind = "sekmet", *, install: bool = True) -> FhirServer:
    """``ExternalFhirServer`` if ``FHIR_BASE_URL`` is set (token from ``FHIR_BEARER_TOKEN``), else a fresh
    loopback server of ``kind`` (installing or building it first when ``install``)."""
    external = os.environ.get("FHIR_BASE_URL", "").strip()
    if external:
        return ExternalFhirServer(external, token=os.environ.get("FHIR_BEARER_TOKEN", "").strip() or None)
    if install:
        return start_local_fhir_server(kind)
    if kind == "hapi":
        raise FhirTestServerError("the HAPI FHIR server needs its jar: call with install=True")
    return FhirTestServer()


def _server_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in _SCRUBBED_ENV}


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # start_new_session=True made the server its own process-group leader: pgid == pid. Only called
    # while the leader is not yet reaped, so the group id cannot have been reused by another process.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _outcome_text(response: httpx.Response) -> str:
    """The diagnostics / details text of an OperationOutcome answer, or the raw body start."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        texts = [
            str(issue.get("diagnostics") or (issue.get("details") or {}).get("text") or issue.get("code"))
            for issue in body.get("issue", [])
            if isinstance(issue, dict)
        ]
        return "; ".join(texts) or "(OperationOutcome without issues)"
    return response.text[:500]


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])
