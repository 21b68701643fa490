"""Start-up of client authentication, the replay cache backends, and the allowlist URL matching they rely on."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.devtools.connections import free_port
from app.errors import SecurityConfigurationError
from app.main import create_app
from app.security import InMemoryReplayCache, RedisReplayCache, TrustedIssuer
from app.security._urls import is_allowed_url
from tests.builders.jwt import SigningKey, client_jwt
from tests.security.conftest import DISCOVERY, aud


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TestStartUp:
    def test_auth_on_without_trusted_issuers_refuses_to_start(self, database_url: str) -> None:
        app = create_app(Settings(database_url=database_url, auth_issuers=[]))

        with pytest.raises(SecurityConfigurationError, match="OSTEO_AUTH_ISSUERS"), TestClient(app):
            pass

    def test_an_unreadable_jwks_file_refuses_to_start(self, database_url: str, tmp_path: Path) -> None:
        broken = tmp_path / "jwks.json"
        broken.write_text("{not json", encoding="utf-8")
        issuer = TrustedIssuer(iss="https://ehr.example.org", jwks_file=broken)
        app = create_app(
            Settings(database_url=database_url, auth_issuers=[issuer], public_base_url="https://cds.example.org")
        )

        with pytest.raises(SecurityConfigurationError, match="JWKS file"), TestClient(app):
            pass

    def test_auth_is_on_by_default(self) -> None:
        assert Settings().auth_disabled_for_development is False

    def test_disabling_auth_for_development_logs_a_warning_and_lets_calls_in(
        self, database_url: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = create_app(Settings(database_url=database_url, auth_disabled_for_development=True))
        security = logging.getLogger("osteo_cds.security")
        security.addHandler(caplog.handler)
        try:
            with caplog.at_level(logging.WARNING, logger="osteo_cds.security"), TestClient(app) as client:
                assert client.get("/cds-services").status_code == 200
        finally:
            security.removeHandler(caplog.handler)

        warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "osteo_cds.security"]
        assert any("DISABLED" in record.getMessage() for record in warnings)

    def test_an_issuer_needs_a_key_source(self) -> None:
        with pytest.raises(ValueError, match="jwks_file, jwks_url or jku_allowlist"):
            TrustedIssuer(iss="https://ehr.example.org")

    def test_issuers_are_read_from_json_in_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(
            "OSTEO_AUTH_ISSUERS",
            '[{"iss": "https://ehr.example.org", "tenant": "t1", "jku_allowlist": ["https://ehr.example.org/keys"]}]',
        )
        monkeypatch.setenv("OSTEO_PUBLIC_BASE_URL", "https://cds.example.org/osteo/")

        settings = Settings()

        assert settings.auth_issuers == [
            TrustedIssuer(iss="https://ehr.example.org", tenant="t1", jku_allowlist=("https://ehr.example.org/keys",))
        ]
        assert settings.public_base_url == "https://cds.example.org/osteo"


class TestInMemoryReplayCache:
    def test_a_key_is_accepted_once_until_it_expires(self) -> None:
        clock = FakeClock()
        cache = InMemoryReplayCache(clock=clock)

        async def scenario() -> list[bool]:
            first = await cache.first_use("k", expires_at=clock.now + 60)
            again = await cache.first_use("k", expires_at=clock.now + 60)
            clock.now += 61
            after_expiry = await cache.first_use("k", expires_at=clock.now + 60)
            return [first, again, after_expiry]

        assert asyncio.run(scenario()) == [True, False, True]

    def test_expired_entries_are_purged(self) -> None:
        clock = FakeClock()
        cache = InMemoryReplayCache(clock=clock)

        async def scenario() -> None:
            for n in range(100):
                await cache.first_use(f"k{n}", expires_at=clock.now + 10)
            clock.now += 11
            await cache.first_use("fresh", expires_at=clock.now + 10)

        asyncio.run(scenario())
        assert len(cache) == 1

    def test_when_full_it_refuses_new_tokens_rather_than_forget_live_ones(self) -> None:
        clock = FakeClock()
        cache = InMemoryReplayCache(max_entries=2, clock=clock)

        async def scenario() -> list[bool]:
            return [await cache.first_use(k, expires_at=clock.now + 60) for k in ("a", "b", "c")]

        assert asyncio.run(scenario()) == [True, True, False]


class TestAllowlistUrls:
    ALLOWLIST = ("https://ehr.example.org/keys", "https://keys.example.org/exact.json?v=2")

    @pytest.mark.parametrize(
        ("url", "allowed"),
        [
            ("https://ehr.example.org/keys", True),
            ("https://ehr.example.org/keys/2025.json", True),
            ("https://EHR.example.org:443/keys/a", True),
            ("https://ehr.example.org/keys-evil/a", False),
            ("https://ehr.example.org:8443/keys/a", False),
            ("http://ehr.example.org/keys/a", False),
            ("https://ehr.example.org.evil.test/keys/a", False),
            ("https://user@ehr.example.org/keys/a", False),
            ("https://ehr.example.org/keys/%2e%2e/admin", False),
            ("https://ehr.example.org/keys/a#frag", False),
            ("https://keys.example.org/exact.json?v=2", True),
            ("https://keys.example.org/exact.json?v=3", False),
            ("ftp://ehr.example.org/keys/a", False),
            ("not a url", False),
        ],
    )
    def test_matches_scheme_host_port_and_whole_path_segments(self, url: str, allowed: bool) -> None:
        assert is_allowed_url(url, self.ALLOWLIST) is allowed


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server on loopback (.ci/install-redis-server installs it on CI; skipped where it cannot)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed; the in-process cache covers the ReplayCache contract")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=5)


class TestRedisReplayCache:
    def test_replicas_sharing_redis_accept_a_jti_once(self, redis_url: str) -> None:
        async def scenario() -> list[bool]:
            replica_a, replica_b = RedisReplayCache.from_url(redis_url), RedisReplayCache.from_url(redis_url)
            try:
                expires = time.time() + 60
                return [
                    await replica_a.first_use("jti-1", expires_at=expires),
                    await replica_b.first_use("jti-1", expires_at=expires),
                    await replica_b.first_use("jti-2", expires_at=expires),
                ]
            finally:
                await replica_a.close()
                await replica_b.close()

        assert asyncio.run(scenario()) == [True, False, True]

    def test_an_unreachable_redis_fails_closed(self) -> None:
        async def scenario() -> bool:
            cache = RedisReplayCache.from_url(f"redis://127.0.0.1:{free_port()}/0")
            try:
                return await cache.first_use("jti-1", expires_at=time.time() + 60)
            finally:
                await cache.close()

        assert asyncio.run(scenario()) is False


class TestRedisStoppedDuringHookCalls:
    """The shared replay store goes down while the EHR calls us: the calls are refused at once (fail closed, as
    documented: a token whose single use cannot be checked is not accepted), and accepted again when it is back."""

    def test_calls_are_refused_quickly_while_redis_is_down_and_accepted_after(
        self, auth_settings: Settings, ehr_ec_key: SigningKey, tmp_path: Path
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (.ci/install-redis-server installs it on CI)")
        port = free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]

        def start() -> subprocess.Popen[bytes]:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        return process
                time.sleep(0.02)
            raise AssertionError("redis-server did not start")

        def discovery(client: TestClient) -> tuple[int, float]:
            token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY))
            started = time.monotonic()
            response = client.get(DISCOVERY, headers={"Authorization": f"Bearer {token}"})
            return response.status_code, time.monotonic() - started

        server = start()
        settings = auth_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"})
        try:
            with TestClient(create_app(settings)) as client:
                up, _ = discovery(client)
                server.terminate()
                server.wait(timeout=5)
                down, seconds = discovery(client)
                server = start()
                back, _ = discovery(client)
        finally:
            server.terminate()
            server.wait(timeout=5)

        assert (up, down, back) == (200, 401, 200)
        assert seconds < 3.0
