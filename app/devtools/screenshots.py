"""The README screenshots: a card as an EHR shows it, and the assessment page behind its link.

``python -m app.devtools.screenshots`` (or ``./.ci/screenshots``, which first installs Debian's ``chromium`` when
it is missing) starts the service on a free port of 127.0.0.1 (client authentication off, "today" pinned to the
library's reference date, a throwaway SQLite file), calls ``patient-view`` for one library patient with its
complete prefetch, renders the returned cards in a small static page styled like an EHR's CDS card panel
(indicator stripe, summary, detail, suggestion buttons, the "Full assessment" link), and photographs it with a
headless Chromium (``chromium --headless --screenshot``). It then follows the card's link
(``GET /assessment/{token}``) and photographs that page. The PNGs go to ``docs/images/``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import httpx

from app.devtools.patients import (
    LIBRARY_DIR,
    REFERENCE_DATE,
    SERVICE_BY_HOOK,
    bundle_resources,
    hook_request,
    library_queries,
    prefetch_for,
    read_patient,
)

__all__ = [
    "card_page",
    "chromium_command",
    "find_chromium",
    "main",
    "markdown_to_html",
    "running_service",
    "wait_for_page",
]

ROOT: Final = Path(__file__).resolve().parents[2]
IMAGES_DIR: Final = ROOT / "docs" / "images"
DEFAULT_PATIENT: Final = LIBRARY_DIR / "25-vertebral-fracture-66f-grade-3.json"
CARD_WINDOW: Final = (900, 400)
ASSESSMENT_WINDOW: Final = (1000, 1500)
_BROWSERS: Final = ("chromium", "chromium-browser", "google-chrome")
_STRIPE: Final[Mapping[str, str]] = {"info": "#1f6feb", "warning": "#d4880f", "critical": "#c62828"}

Json = dict[str, Any]


def find_chromium() -> str | None:
    """The path of a Chromium on ``PATH`` (Debian's ``chromium`` first), or ``None``."""
    for name in _BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def chromium_command(browser: str, url: str, output: Path, window: tuple[int, int], profile: Path) -> list[str]:
    """A headless Chromium call that writes a PNG of ``url`` at ``window`` (width, height) pixels."""
    width, height = window
    return [
        browser,
        "--headless",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        f"--screenshot={output}",
        url,
    ]


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", out)
    out = re.sub(r"(?<![\w])_(?!\s)(.+?)(?<!\s)_(?![\w])", r"<em>\1</em>", out)
    return out


def markdown_to_html(text: str) -> str:
    """The GitHub-flavoured Markdown subset card details use (paragraphs, bullet lists, bold, italics, code), as
    an EHR renders it."""
    blocks: list[str] = []
    items: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        bullet = re.match(r"^[-*•]\s+(.*)$", line)
        if not line:
            flush()
        elif bullet:
            if paragraph:
                flush()
            items.append(bullet.group(1))
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "\n".join(blocks)


_CSS: Final = """
body { margin: 0; background: #eef1f5; font: 14px/1.45 "DejaVu Sans", Arial, sans-serif; color: #1d2733; }
.chart { padding: 14px 18px; }
.bar { background: #2d3e50; color: #fff; padding: 9px 18px; font-size: 13px; }
.bar b { font-size: 14px; }
.panel-title { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #5a6876; margin: 4px 0 8px; }
.card { background: #fff; border: 1px solid #d5dbe2; border-left: 6px solid var(--stripe); border-radius: 4px;
        padding: 12px 16px; margin-bottom: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.indicator { display: inline-block; font-size: 11px; font-weight: bold; text-transform: uppercase; color: #fff;
             background: var(--stripe); border-radius: 3px; padding: 1px 6px; margin-right: 8px; }
.summary { font-weight: bold; font-size: 15px; }
.detail { margin-top: 6px; }
.detail p { margin: 6px 0; }
.detail ul { margin: 6px 0; padding-left: 20px; }
.suggestions { margin-top: 10px; }
.suggestions button { font: inherit; font-size: 13px; background: #f4f7fb; border: 1px solid #9fb3c8;
                      border-radius: 3px; padding: 4px 10px; margin: 0 6px 6px 0; color: #1d4f8c; }
.links { margin-top: 4px; font-size: 13px; }
.links a { color: #1d4f8c; }
.source { margin-top: 6px; font-size: 12px; color: #5a6876; }
"""


def card_page(cards: Sequence[Mapping[str, Any]], *, hook: str, patient: str) -> str:
    """A static HTML page showing ``cards`` as an EHR's CDS card panel shows them."""
    parts = []
    for card in cards:
        indicator = str(card.get("indicator", "info"))
        stripe = _STRIPE.get(indicator, _STRIPE["info"])
        buttons = "".join(
            f"<button>{html.escape(str(s.get('label', '')))}</button>" for s in card.get("suggestions") or []
        )
        links = " · ".join(
            f'<a href="{html.escape(str(link.get("url", "")))}">{html.escape(str(link.get("label", "")))}</a>'
            for link in card.get("links") or []
        )
        source = card.get("source") or {}
        parts.append(
            f'<div class="card" style="--stripe: {stripe}">'
            f'<div><span class="indicator">{html.escape(indicator)}</span>'
            f'<span class="summary">{html.escape(str(card.get("summary", "")))}</span></div>'
            f'<div class="detail">{markdown_to_html(str(card.get("detail", "")))}</div>'
            + (f'<div class="suggestions">{buttons}</div>' if buttons else "")
            + (f'<div class="links">{links}</div>' if links else "")
            + f'<div class="source">Source: {html.escape(str(source.get("label", "")))}</div>'
            "</div>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>CDS cards</title>'
        f"<style>{_CSS}</style></head><body>"
        f'<div class="bar"><b>Patient chart</b> · {html.escape(patient)} (synthetic patient)</div>'
        f'<div class="chart"><div class="panel-title">Decision support · {html.escape(hook)}</div>'
        + "".join(parts)
        + "</div></body></html>"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_service(workdir: Path) -> Iterator[str]:
    """The service on a free loopback port, development settings, its own SQLite file; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT": "true",
        "OSTEO_DEVELOPMENT_TODAY": REFERENCE_DATE.isoformat(),
        "OSTEO_DATABASE_URL": f"sqlite:///{workdir / 'feedback.db'}",
        "OSTEO_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    log = (workdir / "service.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = (workdir / "service.log").read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"the service exited with status {process.returncode} before answering:\n{output}")
            try:
                if httpx.get(f"{base}/livez", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the service did not answer /livez within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for_page(url: str) -> None:
    """The page is stored off the request path (in batches every 0.2 s): wait until it answers."""
    deadline = time.monotonic() + 15
    while httpx.get(url, timeout=5).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the assessment page did not become available within 15 s")
        time.sleep(0.2)


def _shoot(browser: str, url: str, output: Path, window: tuple[int, int], workdir: Path) -> None:
    command = chromium_command(browser, url, output, window, workdir / "chromium-profile")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    if not output.is_file() or output.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot to {output}")
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    sys.stdout.write(f"screenshots: wrote {shown}\n")


def take(patient_file: Path, out_dir: Path, language: str, browser: str) -> None:
    """Both screenshots of ``patient_file``'s ``patient-view`` cards into ``out_dir``."""
    patient = read_patient(patient_file)
    prefetch = prefetch_for(bundle_resources(patient.bundle, where=str(patient_file)), library_queries())
    body = hook_request(hook="patient-view", patient_id=patient.patient_id, prefetch=prefetch, language=language)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="osteo-screenshots-") as tmp:
        workdir = Path(tmp)
        with running_service(workdir) as base:
            response = httpx.post(f"{base}/cds-services/{SERVICE_BY_HOOK['patient-view']}", json=body, timeout=30)
            response.raise_for_status()
            cards = response.json()["cards"]
            if not cards:
                raise RuntimeError(f"{patient_file.name}: patient-view returned no card")
            page = workdir / "cards.html"
            page.write_text(card_page(cards, hook="patient-view", patient=patient.name), encoding="utf-8")
            _shoot(browser, page.as_uri(), out_dir / "card.png", CARD_WINDOW, workdir)
            link = next((link["url"] for card in cards for link in card.get("links") or []), None)
            if link is None:
                raise RuntimeError("the card has no Full assessment link (is OSTEO_ASSESSMENT_PAGE off?)")
            wait_for_page(link)
            _shoot(browser, link, out_dir / "assessment.png", ASSESSMENT_WINDOW, workdir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.devtools.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("--patient", type=Path, default=DEFAULT_PATIENT, help="a library patient Bundle")
    parser.add_argument("--out", type=Path, default=IMAGES_DIR, help="where the PNGs go (default docs/images/)")
    parser.add_argument("--lang", choices=("en", "nl"), default="en")
    args = parser.parse_args(argv)
    browser = find_chromium()
    if browser is None:
        sys.stderr.write("screenshots: no chromium on PATH; run ./.ci/screenshots (installs Debian's chromium)\n")
        return 2
    take(args.patient, args.out, args.lang, browser)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
