# Production image of osteo-cds. Untested here (no Docker engine on the development machines); what can be tested
# is: the wheel it installs works from a clean venv outside the source tree (tests/test_package.py), and this file
# keeps its pins, volume, labels and proxy settings (tests/test_deploy.py).
#   Build: docker build -t osteo-cds:0.1.0 .
#   Run:   docker run -p 8080:8080 -v osteo-var:/srv/osteo-cds/var -e OSTEO_AUTH_ISSUERS=... osteo-cds:0.1.0
#
# The base image is pinned by digest (the tag beside it is for the reader; Docker uses the digest). To move to a
# newer base: docker buildx imagetools inspect python:3.11.<patch>-slim-bookworm, and replace both here.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
# pip itself and every dependency, optional ones included (psycopg, redis), are pinned by .ci/constraints.txt.
COPY .ci/constraints.txt .ci/constraints.txt
RUN python -m venv /opt/osteo-cds \
 && /opt/osteo-cds/bin/pip install --no-cache-dir --disable-pip-version-check "pip==26.3"
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY app ./app
COPY cards ./cards
COPY fhir_mappings ./fhir_mappings
# A regular (not editable) install: the wheel carries cards/ and fhir_mappings/ as package data (app/_data/).
# PIP_CONSTRAINT also pins the build backend (setuptools) in pip's isolated build environment.
RUN PIP_CONSTRAINT=/src/.ci/constraints.txt /opt/osteo-cds/bin/pip install --no-cache-dir \
      --disable-pip-version-check -c .ci/constraints.txt '.[postgres,redis]'
# Then the compiled build (setup.py OSTEO_COMPILE=1: app/snapshot, app/rules and app/fhir/prefetch.py compiled with
# mypyc, about 29 % fewer instructions per call, docs/benchmark.md) replaces that pure install of osteo-cds. It needs a C compiler
# (Debian bookworm's gcc; libc6-dev follows the image's glibc 2.36) and mypy, pinned by .ci/constraints.txt, in a
# build venv that also sees the dependencies installed above (mypy type-checks against them), so without build
# isolation. Neither the compiler nor mypy reaches the image: only /opt/osteo-cds is copied.
RUN apt-get update \
 && apt-get install -y --no-install-recommends "gcc=4:12.2.0-3" libc6-dev \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install --no-cache-dir --disable-pip-version-check -c .ci/constraints.txt mypy setuptools \
 && /opt/osteo-cds/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))" \
      > "$(/opt/build/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))")/osteo-cds-deps.pth" \
 && OSTEO_COMPILE=1 /opt/build/bin/pip wheel --no-cache-dir --disable-pip-version-check --no-build-isolation \
      --no-deps -w dist . \
 && /opt/osteo-cds/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps --force-reinstall \
      dist/osteo_cds-*.whl \
 && cd / && /opt/osteo-cds/bin/python -c "import app.snapshot.model as m, app.fhir.prefetch as p; \
      assert all(x.__file__.endswith('.so') for x in (m, p)), (m.__file__, p.__file__)"

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="osteo-cds" \
      org.opencontainers.image.description="CDS Hooks 2.0 service for the Dutch and Belgian osteoporosis guidelines" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11.13-slim-bookworm"
RUN groupadd --system --gid 10001 osteo \
 && useradd --system --uid 10001 --gid 10001 --home-dir /srv/osteo-cds --shell /usr/sbin/nologin osteo \
 && mkdir -p /srv/osteo-cds/var && chown osteo /srv/osteo-cds/var
WORKDIR /srv/osteo-cds
COPY --from=build /opt/osteo-cds /opt/osteo-cds
ENV PATH=/opt/osteo-cds/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OSTEO_DATABASE_URL=sqlite:////srv/osteo-cds/var/feedback.db
# The SQLite feedback store (default) lives here; with PostgreSQL (OSTEO_DATABASE_URL) nothing is written.
VOLUME ["/srv/osteo-cds/var"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=2)"
# Two workers suit a 2-core host: app.serve runs one uvicorn process per core, each on its own SO_REUSEPORT socket of
# port 8080, so connections spread over both cores (uvicorn --workers shares one socket: one worker can end up with
# every keep-alive connection). TLS is terminated by the hospital's reverse proxy: X-Forwarded-* headers are trusted
# only from the addresses in FORWARDED_ALLOW_IPS (default 127.0.0.1; set the proxy's address or network).
# CDS client authentication is ON here (never set OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT): the service refuses to start
# until OSTEO_AUTH_ISSUERS names the trusted EHRs, OSTEO_PUBLIC_BASE_URL the URL the EHR calls and, with two
# workers, OSTEO_REDIS_URL a Redis server for the shared jti replay cache (give replicas one too), or pass
# --workers 1. docs/deployment.md "Production checklist".
ENV FORWARDED_ALLOW_IPS=127.0.0.1
CMD ["sh", "-c", "exec python -m app.serve --host 0.0.0.0 --port 8080 --workers 2 --proxy-headers --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\""]
