# Slim production image of osteo-cds. Untested here (no Docker engine on the development machines): keep it
# simple. Build: docker build -t osteo-cds .   Run: docker run -p 8080:8080 -e OSTEO_... osteo-cds
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY .ci/constraints.txt .ci/constraints.txt
COPY app ./app
RUN python -m venv /opt/osteo-cds \
 && /opt/osteo-cds/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/osteo-cds/bin/pip install --no-cache-dir -c .ci/constraints.txt '.[postgres,redis]'

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /srv/osteo-cds --shell /usr/sbin/nologin osteo \
 && mkdir -p /srv/osteo-cds/var && chown osteo /srv/osteo-cds/var
WORKDIR /srv/osteo-cds
COPY --from=build /opt/osteo-cds /opt/osteo-cds
COPY app ./app
COPY cards ./cards
COPY fhir_mappings ./fhir_mappings
ENV PATH=/opt/osteo-cds/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OSTEO_DATABASE_URL=sqlite:////srv/osteo-cds/var/feedback.db
USER osteo
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=2)"
# Two workers suit a 2-core host: app.serve runs one uvicorn process per core, each on its own SO_REUSEPORT socket of
# port 8080, so connections spread over both cores (uvicorn --workers shares one socket: one worker can end up with
# every keep-alive connection). TLS is terminated by the hospital's reverse proxy.
# CDS client authentication is ON here (never set OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT): the service refuses to start
# until OSTEO_AUTH_ISSUERS names the trusted EHRs, OSTEO_PUBLIC_BASE_URL the URL the EHR calls and, with two
# workers, OSTEO_REDIS_URL a Redis server for the shared jti replay cache (give replicas one too), or pass
# --workers 1. README "Production checklist".
CMD ["python", "-m", "app.serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2", "--proxy-headers"]
