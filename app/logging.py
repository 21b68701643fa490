"""Structured JSON logging that cannot leak secrets or patient data.

Only allowlisted ``extra`` fields are written (service, hook, hookInstance, rule IDs fired, timings, counts);
anything else passed as ``extra`` is dropped. Message texts are scrubbed of bearer tokens and JWT-shaped strings
as a second line of defence. Never pass tokens, JWTs, names, identifiers or resource bodies to a logger.
"""

from __future__ import annotations

import logging
import math
import re
import sys
from datetime import UTC, datetime

import orjson

__all__ = ["ALLOWED_FIELDS", "JsonFormatter", "configure_logging", "scrub"]

ALLOWED_FIELDS = frozenset(
    {
        "service",
        "hook",
        "hook_instance",
        "cards",
        "findings",
        "fired",
        "unavailable",
        "fhir_requests",
        "gather_ms",
        "snapshot_ms",
        "rules_ms",
        "render_ms",
        "total_ms",
        "error",
        "status",
        "method",
        "path",
        "stored",
        "snoozed",
        "received",
        "setting",
        "reason",
        "issuer",
        "tenant",
        "jti",
    }
)

_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")


def scrub(text: str) -> str:
    """Remove bearer tokens and JWT-shaped strings from ``text``."""
    return _JWT.sub("[redacted-jwt]", _BEARER.sub("Bearer [redacted]", text))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the allowlisted extra fields."""

    def __init__(self) -> None:
        super().__init__()
        self._second_text: tuple[int, str] = (-1, "")
        """The last second written and its text, as one value: replaced whole, so a line formatted in another
        thread never pairs one second with another's text."""

    def format_time(self, created: float) -> str:
        """``created`` (seconds since the epoch) as ``datetime.fromtimestamp(created, UTC).isoformat(timespec=
        "milliseconds")`` writes it, with the text up to the second made once per second: the datetime's
        ``isoformat`` was a third of the formatting of the line every hook call writes. The fraction is rounded to
        microseconds half to even, as ``fromtimestamp`` rounds it, then cut to milliseconds."""
        second = math.floor(created)
        microseconds = round((created - second) * 1e6)
        if microseconds == 1_000_000:
            second, microseconds = second + 1, 0
        cached_second, text = self._second_text
        if second != cached_second:
            text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second_text = (second, text)
        return f"{text}.{microseconds // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.format_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key in ALLOWED_FIELDS:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        # orjson: a quarter of the standard library's time for the line every hook call writes
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(level: str) -> None:
    """Route the service's and uvicorn's loggers through the JSON formatter.

    The line it writes names no source file, function, thread or process, so the logging module is told not to
    collect them for a record (the settings the Python logging HOWTO lists under "Optimization"): finding the
    caller walks the whole call stack, some 30 frames in a hook call, for each line. The process is the service's
    own: these settings are process-wide, like the handlers set here."""
    logging._srcfile = None  # noqa: SLF001 (the documented switch: no caller lookup)
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("osteo_cds", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if name == "uvicorn.access" and not logger.handlers:
            continue  # uvicorn --no-access-log removed its handlers: keep it off
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    # The HTTP client libraries log request URLs (with patient ids in the query) at INFO and DEBUG: keep only
    # their warnings, through the same scrubbing formatter.
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.WARNING)
        logger.propagate = False
