"""CDS client authentication (CDS Hooks 2.0 "Trusting CDS Clients"): every call carries a JWT we verify.

Each failure mode answers a bare 401 OperationOutcome; a valid ES384 or RS384 token from the trusted EHR opens
discovery, the service and feedback, with ``aud`` the exact URL of each endpoint behind the public base URL.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from app.config import Settings
from app.errors import SecurityConfigurationError
from app.main import create_app
from app.security import TrustedIssuer
from tests.builders.fhir import patient
from tests.builders.hooks import hook_request
from tests.builders.jwt import EHR_ISSUER, SigningKey, client_jwt, ec_key, jwks, rsa_key
from tests.security.conftest import DISCOVERY, FEEDBACK, PUBLIC_BASE_URL, SERVICE, aud

KEYS = (
    "patient",
    "observations",
    "conditions",
    "medicationStatements",
    "medicationRequests",
    "medicationAdministrations",
    "medicationDispenses",
    "allergyIntolerances",
)


def complete_prefetch() -> dict[str, Any]:
    prefetch: dict[str, Any] = dict.fromkeys(KEYS)
    prefetch["patient"] = patient(birth_date="1960-01-01")
    return prefetch


def feedback_body() -> dict[str, Any]:
    return {
        "feedback": [
            {
                "card": "card-1",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "sugg-1"}],
                "outcomeTimestamp": "2025-06-01T10:00:00Z",
            }
        ]
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def call(client: TestClient, path: str, token: str | None) -> httpx.Response:
    headers = bearer(token) if token is not None else {}
    response: httpx.Response
    if path == DISCOVERY:
        response = client.get(path, headers=headers)
    else:
        body = feedback_body() if path == FEEDBACK else hook_request(prefetch=complete_prefetch())
        response = client.post(path, json=body, headers=headers)
    return response


def assert_bare_401(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"] == [{"severity": "error", "code": "login", "diagnostics": "Unauthorized"}]


@pytest.fixture
def settings(auth_settings: Settings) -> Settings:
    """Client authentication ON for every test of this module."""
    return auth_settings


ENDPOINTS = [
    pytest.param(DISCOVERY, id="discovery"),
    pytest.param(SERVICE, id="service"),
    pytest.param(FEEDBACK, id="feedback"),
]


class TestValidTokens:
    @pytest.mark.parametrize("path", ENDPOINTS)
    def test_an_es384_token_from_the_trusted_ehr_opens_every_endpoint(
        self, client: TestClient, ehr_ec_key: SigningKey, path: str
    ) -> None:
        response = call(client, path, client_jwt(key=ehr_ec_key, aud=aud(path)))

        assert response.status_code == 200, response.text

    @pytest.mark.parametrize("path", ENDPOINTS)
    def test_an_rs384_token_from_the_trusted_ehr_opens_every_endpoint(
        self, client: TestClient, ehr_rsa_key: SigningKey, path: str
    ) -> None:
        response = call(client, path, client_jwt(key=ehr_rsa_key, aud=aud(path)))

        assert response.status_code == 200, response.text

    def test_aud_may_be_an_array_that_contains_the_endpoint(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=["https://other.example.org/cds-services", aud(DISCOVERY)])

        assert call(client, DISCOVERY, token).status_code == 200

    def test_extra_claims_sub_and_a_past_nbf_are_tolerated(self, client: TestClient, ehr_rsa_key: SigningKey) -> None:
        # Epic sends sub (its client id) and nbf five minutes before iat.
        now = time.time()
        token = client_jwt(
            key=ehr_rsa_key, aud=aud(SERVICE), extra_claims={"sub": "epic-client-id", "nbf": int(now - 300)}
        )

        assert call(client, SERVICE, token).status_code == 200

    def test_the_health_check_needs_no_token(self, client: TestClient) -> None:
        assert client.get("/healthz").status_code == 200


class TestMissingOrMalformedTokens:
    @pytest.mark.parametrize("path", ENDPOINTS)
    def test_a_call_without_a_token_is_refused(self, client: TestClient, path: str) -> None:
        assert_bare_401(call(client, path, None))

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param("not-a-jwt", id="garbage"),
            pytest.param("a.b.c", id="three-garbage-parts"),
            pytest.param("eyJhbGciOiJFUzM4NCJ9.e30.", id="empty-signature"),
            pytest.param("x" * 20_000, id="huge"),
        ],
    )
    def test_a_malformed_token_is_refused(self, client: TestClient, token: str) -> None:
        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_basic_authorization_header_is_refused(self, client: TestClient) -> None:
        assert_bare_401(client.get(DISCOVERY, headers={"Authorization": "Basic dXNlcjpwdw=="}))

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param(b"{not json", id="malformed-json"),
            pytest.param(b'{"hook": "patient-view"}', id="invalid-hook-request"),
            pytest.param(b"", id="empty"),
        ],
    )
    def test_a_call_without_a_token_learns_nothing_of_its_body(self, client: TestClient, body: bytes) -> None:
        response = client.post(SERVICE, content=body, headers={"Content-Type": "application/json"})
        assert_bare_401(response)

    def test_a_call_without_a_token_learns_nothing_of_the_services(self, client: TestClient) -> None:
        assert_bare_401(client.post("/cds-services/no-such-service", json=hook_request(prefetch=complete_prefetch())))


class TestWrongAlgorithm:
    def test_alg_none_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        import jwt as pyjwt

        now = int(time.time())
        claims = {"iss": EHR_ISSUER, "aud": aud(DISCOVERY), "iat": now, "exp": now + 300, "jti": "none-1"}
        # PyJWT's stubs want a key even for "none"; an unsigned token is exactly what an attacker would send.
        token = pyjwt.encode(claims, None, algorithm="none", headers={"kid": ehr_ec_key.kid})  # type: ignore[arg-type]

        assert_bare_401(call(client, DISCOVERY, token))

    def test_hs384_signed_with_the_public_key_as_secret_is_refused(
        self, client: TestClient, ehr_rsa_key: SigningKey
    ) -> None:
        # The classic key-confusion attack: HMAC keyed with the (public) RSA modulus the attacker can read.
        import jwt as pyjwt

        secret = ehr_rsa_key.public_jwk["n"].encode()
        now = int(time.time())
        claims = {"iss": EHR_ISSUER, "aud": aud(DISCOVERY), "iat": now, "exp": now + 300, "jti": "hs-1"}
        token = pyjwt.encode(claims, secret, algorithm="HS384", headers={"kid": ehr_rsa_key.kid})

        assert_bare_401(call(client, DISCOVERY, token))

    def test_es256_is_refused_even_from_a_valid_key_pair(self, client: TestClient) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        p256 = SigningKey(kid="ehr-ec-2025", alg="ES256", private=ec.generate_private_key(ec.SECP256R1()))

        assert_bare_401(call(client, DISCOVERY, client_jwt(key=p256, aud=aud(DISCOVERY))))

    def test_an_rs384_header_on_the_ec_key_id_is_refused(
        self, client: TestClient, ehr_rsa_key: SigningKey, ehr_ec_key: SigningKey
    ) -> None:
        # Signed correctly with the RSA key, but naming the EC key: the key type must fit the algorithm.
        token = client_jwt(key=ehr_rsa_key, aud=aud(DISCOVERY), kid=ehr_ec_key.kid)

        assert_bare_401(call(client, DISCOVERY, token))


class TestKeysAndSignatures:
    def test_an_unknown_kid_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), kid="rotated-away")

        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_token_signed_by_another_key_under_a_trusted_kid_is_refused(
        self, client: TestClient, ehr_ec_key: SigningKey
    ) -> None:
        forger = ec_key(kid=ehr_ec_key.kid)

        assert_bare_401(call(client, DISCOVERY, client_jwt(key=forger, aud=aud(DISCOVERY))))

    def test_a_tampered_payload_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        import base64
        import json

        header, payload, signature = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY)).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["tenant"] = "someone-else"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

        assert_bare_401(call(client, DISCOVERY, f"{header}.{forged}.{signature}"))


class TestClaims:
    @pytest.mark.parametrize(
        "audience",
        [
            pytest.param(aud(SERVICE), id="another-endpoint"),
            pytest.param(f"http://testserver{DISCOVERY}", id="internal-url-behind-the-proxy"),
            pytest.param(aud(DISCOVERY) + "/", id="trailing-slash"),
            pytest.param(PUBLIC_BASE_URL, id="base-url-only"),
        ],
    )
    def test_a_token_for_another_audience_is_refused(
        self, client: TestClient, ehr_ec_key: SigningKey, audience: str
    ) -> None:
        assert_bare_401(call(client, DISCOVERY, client_jwt(key=ehr_ec_key, aud=audience)))

    def test_an_expired_token_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), iat=time.time() - 400, lifetime=300)

        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_token_expired_within_the_leeway_is_accepted(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), iat=time.time() - 310, lifetime=300)

        assert call(client, DISCOVERY, token).status_code == 200

    def test_a_token_issued_in_the_future_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), iat=time.time() + 120)

        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_token_not_valid_before_a_future_nbf_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), extra_claims={"nbf": int(time.time() + 120)})

        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_token_living_longer_than_an_hour_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), lifetime=2 * 3600)

        assert_bare_401(call(client, DISCOVERY, token))

    @pytest.mark.parametrize("claim", ["iss", "aud", "exp", "iat", "jti"])
    def test_a_token_without_a_required_claim_is_refused(
        self, client: TestClient, ehr_ec_key: SigningKey, claim: str
    ) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), omit=(claim,))

        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_token_from_an_issuer_not_on_the_allowlist_is_refused(
        self, client: TestClient, ehr_ec_key: SigningKey
    ) -> None:
        # Even signed with a trusted key: the issuer decides which keys count.
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), iss="https://sandbox.cds-hooks.org")

        assert_bare_401(call(client, DISCOVERY, token))


class TestReplay:
    def test_a_replayed_jti_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), jti="once-only")

        assert call(client, DISCOVERY, token).status_code == 200
        assert_bare_401(call(client, DISCOVERY, token))

    def test_a_fresh_token_reusing_a_jti_is_refused(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        assert call(client, DISCOVERY, client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), jti="j-1")).status_code == 200

        assert_bare_401(call(client, SERVICE, client_jwt(key=ehr_ec_key, aud=aud(SERVICE), jti="j-1")))

    def test_a_refused_token_does_not_use_up_its_jti(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        assert_bare_401(call(client, DISCOVERY, client_jwt(key=ehr_ec_key, aud=aud(SERVICE), jti="j-2")))

        assert call(client, DISCOVERY, client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), jti="j-2")).status_code == 200


class TestTenant:
    @pytest.fixture
    def issuers(self, jwks_file: Any) -> list[TrustedIssuer]:
        return [TrustedIssuer(iss=EHR_ISSUER, tenant="hospital-a", jwks_file=jwks_file)]

    def test_the_configured_tenant_is_accepted(self, client: TestClient, ehr_ec_key: SigningKey) -> None:
        token = client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), tenant="hospital-a")

        assert call(client, DISCOVERY, token).status_code == 200

    @pytest.mark.parametrize("tenant", [pytest.param("hospital-b", id="other-tenant"), pytest.param(None, id="none")])
    def test_another_or_no_tenant_is_refused(
        self, client: TestClient, ehr_ec_key: SigningKey, tenant: str | None
    ) -> None:
        assert_bare_401(call(client, DISCOVERY, client_jwt(key=ehr_ec_key, aud=aud(DISCOVERY), tenant=tenant)))


EHR_KEYS_URL = "https://ehr.example.org/keys/jwks.json"
JKU_PREFIX = "https://ehr.example.org/api/Security/Open/PublicKeys"


@pytest.fixture
def keys_host() -> Any:
    """The EHR's key server, mocked at the httpx edge (strict: any other URL fails the test)."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


class TestJku:
    @pytest.fixture
    def issuers(self) -> list[TrustedIssuer]:
        return [TrustedIssuer(iss=EHR_ISSUER, jku_allowlist=(JKU_PREFIX,))]

    def test_keys_from_an_allowlisted_jku_verify_the_token(self, client: TestClient, keys_host: Any) -> None:
        key = rsa_key(kid="epic-2025")
        jku = f"{JKU_PREFIX}/530005/OAuth2"
        route = keys_host.get(jku).respond(json=jwks(key))

        response = call(client, DISCOVERY, client_jwt(key=key, aud=aud(DISCOVERY), jku=jku))

        assert response.status_code == 200
        assert route.call_count == 1

    @pytest.mark.parametrize(
        "jku",
        [
            pytest.param("https://attacker.example.net/jwks.json", id="foreign-host"),
            pytest.param("https://ehr.example.org/api/Security/Open/PublicKeysEvil/x", id="prefix-not-a-segment"),
            pytest.param("http://ehr.example.org/api/Security/Open/PublicKeys/1", id="http-not-https"),
            pytest.param("https://ehr.example.org.attacker.net/api/Security/Open/PublicKeys/1", id="host-suffix"),
            pytest.param("https://ehr.example.org/api/Security/Open/PublicKeys/%2e%2e/x", id="dot-segment"),
        ],
    )
    def test_a_jku_not_on_the_allowlist_is_refused_and_never_fetched(
        self, client: TestClient, keys_host: Any, jku: str
    ) -> None:
        key = ec_key(kid="attacker")
        trap = keys_host.route().respond(json=jwks(key))

        assert_bare_401(call(client, DISCOVERY, client_jwt(key=key, aud=aud(DISCOVERY), jku=jku)))
        assert not trap.called


class TestJwksUrl:
    @pytest.fixture
    def issuers(self) -> list[TrustedIssuer]:
        return [TrustedIssuer(iss=EHR_ISSUER, jwks_url=EHR_KEYS_URL)]

    @pytest.fixture
    def auth_overrides(self) -> dict[str, Any]:
        return {"auth_jwks_min_refresh_seconds": 3600}

    def test_the_jwks_is_fetched_once_and_cached(self, client: TestClient, keys_host: Any) -> None:
        key = ec_key(kid="k1")
        route = keys_host.get(EHR_KEYS_URL).respond(json=jwks(key))

        for path in (DISCOVERY, SERVICE, FEEDBACK):
            assert call(client, path, client_jwt(key=key, aud=aud(path))).status_code == 200
        assert route.call_count == 1

    def test_unknown_kids_do_not_refetch_within_the_minimum_refresh_interval(
        self, client: TestClient, keys_host: Any
    ) -> None:
        # Random kids must not make us hammer the EHR's key server (interval 1 h here).
        known = ec_key(kid="k1")
        route = keys_host.get(EHR_KEYS_URL).respond(json=jwks(known))
        assert call(client, DISCOVERY, client_jwt(key=known, aud=aud(DISCOVERY))).status_code == 200

        for n in range(5):
            assert_bare_401(call(client, DISCOVERY, client_jwt(key=ec_key(kid=f"random-{n}"), aud=aud(DISCOVERY))))
        assert route.call_count == 1

    def test_an_unreachable_jwks_url_refuses_the_call(self, client: TestClient, keys_host: Any) -> None:
        keys_host.get(EHR_KEYS_URL).mock(side_effect=httpx.ConnectError("down"))

        assert_bare_401(call(client, DISCOVERY, client_jwt(key=ec_key(kid="k1"), aud=aud(DISCOVERY))))

    def test_a_redirecting_jwks_url_is_not_followed(self, client: TestClient, keys_host: Any) -> None:
        keys_host.get(EHR_KEYS_URL).respond(302, headers={"Location": "https://attacker.example.net/jwks.json"})
        trap = keys_host.get("https://attacker.example.net/jwks.json").respond(json=jwks(ec_key(kid="k1")))

        assert_bare_401(call(client, DISCOVERY, client_jwt(key=ec_key(kid="k1"), aud=aud(DISCOVERY))))
        assert not trap.called


class TestKeyRotationWithRefetchAllowed:
    @pytest.fixture
    def issuers(self) -> list[TrustedIssuer]:
        return [TrustedIssuer(iss=EHR_ISSUER, jwks_url=EHR_KEYS_URL)]

    @pytest.fixture
    def auth_overrides(self) -> dict[str, Any]:
        return {"auth_jwks_min_refresh_seconds": 0}

    def test_an_unknown_kid_triggers_one_refetch_that_finds_the_new_key(
        self, client: TestClient, keys_host: Any
    ) -> None:
        old, new = ec_key(kid="k-old"), ec_key(kid="k-new")
        route = keys_host.get(EHR_KEYS_URL)
        route.side_effect = [httpx.Response(200, json=jwks(old)), httpx.Response(200, json=jwks(old, new))]

        assert call(client, DISCOVERY, client_jwt(key=old, aud=aud(DISCOVERY))).status_code == 200
        assert call(client, DISCOVERY, client_jwt(key=new, aud=aud(DISCOVERY))).status_code == 200
        assert route.call_count == 2


class TestWithoutPublicBaseUrl:
    def test_authentication_on_without_a_public_base_url_refuses_to_start(self, auth_settings: Settings) -> None:
        """Without OSTEO_PUBLIC_BASE_URL, ``aud`` would be checked against the Host header the caller chose
        (issue 18, defect 4): the service must not start."""
        unset = auth_settings.model_copy(update={"public_base_url": None})

        with pytest.raises(SecurityConfigurationError, match="OSTEO_PUBLIC_BASE_URL"), TestClient(create_app(unset)):
            pass

    def test_authentication_off_needs_no_public_base_url(self, auth_settings: Settings) -> None:
        development = auth_settings.model_copy(update={"public_base_url": None, "auth_disabled_for_development": True})

        with TestClient(create_app(development)) as client:
            assert client.get(DISCOVERY).status_code == 200
