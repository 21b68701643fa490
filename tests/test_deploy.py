"""What can be checked of the deployment without a Docker engine or a cluster: the Kubernetes manifests against the
Kubernetes API schemas (offline, shipped by ``kubernetes-validate``) and against our own settings, and the
Dockerfile's pins, volume, labels and proxy settings. The image's command itself is tested from an installed wheel
(``tests/test_package.py``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from app.config import Settings
from app.main import ROOT

KUBERNETES = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.30"
"""The oldest Kubernetes release the manifests target (its API schemas are the ones checked)."""
APPLIED = sorted(p for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _by_kind() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in APPLIED:
        for doc in _documents(path):
            assert doc["kind"] not in found, f"two {doc['kind']} manifests"
            found[doc["kind"]] = doc
    return found


@pytest.mark.parametrize("path", APPLIED, ids=lambda p: p.name)
def test_each_manifest_is_valid_against_the_kubernetes_schemas(path: Path) -> None:
    for doc in _documents(path):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)  # raises ValidationError


def test_the_validator_refuses_an_invalid_manifest() -> None:
    deployment = _by_kind()["Deployment"]
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest() -> None:
    (kustomization,) = _documents(KUBERNETES / "kustomization.yaml")

    assert sorted(kustomization["resources"]) == [p.name for p in APPLIED]


def test_every_resource_the_issue_asks_for_is_there() -> None:
    assert set(_by_kind()) == {
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }


def test_the_pod_runs_as_non_root_on_a_read_only_root_filesystem_with_bounded_resources() -> None:
    pod = _by_kind()["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert set(container["resources"]["requests"]) == set(container["resources"]["limits"]) == {"cpu", "memory"}
    assert pod["automountServiceAccountToken"] is False


def test_liveness_and_readiness_use_the_health_endpoints() -> None:
    (container,) = _by_kind()["Deployment"]["spec"]["template"]["spec"]["containers"]

    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert container["livenessProbe"]["httpGet"]["port"] in ports
    assert "--proxy-headers" in container["args"]
    assert "--forwarded-allow-ips=$(FORWARDED_ALLOW_IPS)" in container["args"]


def test_the_service_autoscaler_and_disruption_budget_point_at_the_deployment() -> None:
    kinds = _by_kind()
    deployment = kinds["Deployment"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]

    assert kinds["Service"]["spec"]["selector"].items() <= labels.items()
    assert kinds["Service"]["spec"]["ports"][0]["targetPort"] in {p["name"] for p in container["ports"]}
    assert kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert (
        kinds["HorizontalPodAutoscaler"]["spec"]["minReplicas"] > kinds["PodDisruptionBudget"]["spec"]["minAvailable"]
    )
    sources = {(next(iter(ref)), next(iter(ref.values()))["name"]) for ref in container["envFrom"]}
    assert sources == {
        ("configMapRef", kinds["ConfigMap"]["metadata"]["name"]),
        ("secretRef", kinds["Secret"]["metadata"]["name"]),
    }


def test_the_config_map_and_secret_are_settings_the_service_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = _by_kind()
    environment = {**kinds["ConfigMap"]["data"], **kinds["Secret"]["stringData"]}
    for name in list(os.environ):
        if name.startswith("OSTEO_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    osteo = {name.removeprefix("OSTEO_").lower() for name in environment if name.startswith("OSTEO_")}
    assert osteo <= set(Settings.model_fields), osteo - set(Settings.model_fields)
    assert set(environment) - {f"OSTEO_{name.upper()}" for name in osteo} == {"FORWARDED_ALLOW_IPS"}
    assert settings.auth_disabled_for_development is False and settings.auth_issuers
    assert settings.database_url.startswith("postgresql+psycopg://") and settings.redis_url


DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_base_image_is_pinned_by_digest() -> None:
    images = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, flags=re.MULTILINE)
    froms = re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.MULTILINE)

    assert len(images) == 1 and re.fullmatch(r"python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", images[0])
    assert froms and all(image == "${PYTHON_IMAGE}" for image in froms)


def test_pip_and_every_optional_dependency_are_pinned() -> None:
    constraints = (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8")

    assert re.search(r'"pip==\d+(\.\d+)+"', DOCKERFILE)
    assert "-c .ci/constraints.txt" in DOCKERFILE and "'.[postgres,redis]'" in DOCKERFILE
    for package in ("psycopg", "psycopg-binary", "redis"):
        assert re.search(rf"^{re.escape(package)}==\S+$", constraints, flags=re.MULTILINE), package


def test_the_image_has_a_volume_labels_and_trusts_forwarded_headers_only_from_its_proxy() -> None:
    assert 'VOLUME ["/srv/osteo-cds/var"]' in DOCKERFILE
    for label in ("title", "description", "version", "licenses"):
        assert f"org.opencontainers.image.{label}=" in DOCKERFILE
    (command,) = re.findall(r"^CMD (.+)$", DOCKERFILE, flags=re.MULTILINE)
    assert "--proxy-headers" in command and "--forwarded-allow-ips" in command
    assert re.search(r"^USER 10001", DOCKERFILE, flags=re.MULTILINE)


def test_the_build_context_leaves_out_virtualenvs_git_and_databases() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()

    assert {".git", ".venv", ".fhir-venv", "var", "**/*.db"} <= set(ignored)
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, flags=re.MULTILINE):
        for source in copied.split():
            assert source.split("/")[0] not in ignored, source
