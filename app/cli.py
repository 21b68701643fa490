"""Command-line tools: ``osteo-cds export-feedback`` (per-rule feedback as CSV), ``osteo-cds report`` (per rule
and service since a moment: fired, shown, accepted, overridden by reason; a table or CSV), ``osteo-cds openapi``,
``osteo-cds rules`` (the rule reference as Markdown),
``osteo-cds evaluate`` (cards for a patient Bundle, offline) and ``osteo-cds demo`` (FHIR server + service +
synthetic patients). ``evaluate`` and ``demo`` live in :mod:`app.devtools` and are imported only when used."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from app.config import get_settings
from app.feedback import FeedbackStore
from app.feedback.store import RuleReportRow

__all__ = ["REPORT_COLUMNS", "export_feedback_csv", "format_report", "main", "parse_since", "write_report_csv"]

EXIT_SERVICE_ERROR = 1
"""``evaluate``: the service refused the request (e.g. 400 or 412 over HTTP); ``demo``: a hook call failed."""
EXIT_BAD_INPUT = 2
"""The input file is not a usable patient Bundle or draft order (argparse uses 2 for bad arguments too)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), after everything that was started has been stopped."""

CSV_COLUMNS = ("rule_id", "cards_issued", "accepted", "overridden", "override_reasons", "comments")


def export_feedback_csv(store: FeedbackStore, out: TextIO) -> int:
    """Write one CSV row per rule: issued, accepted, overridden and the override reasons with counts."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    summaries = store.summary_per_rule()
    for summary in summaries:
        reasons = "; ".join(f"{code}={count}" for code, count in summary.override_reasons.items())
        writer.writerow(
            (summary.rule_id, summary.issued, summary.accepted, summary.overridden, reasons, summary.comments)
        )
    return len(summaries)


REPORT_COLUMNS = (
    "rule_id",
    "service_id",
    "fired",
    "shown",
    "shown_main",
    "shown_folded",
    "silent",
    "accepted",
    "overridden",
    "override_reasons",
)
"""``osteo-cds report``: snoozed cards are not among them: the store does not record a snoozed card (it is simply
not sent), so the data cannot support that count."""

_SINCE_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "w": timedelta(weeks=1)}


def parse_since(value: str, *, now: datetime) -> datetime:
    """``30d``, ``12h``, ``2w`` (before ``now``) or a date ``YYYY-MM-DD`` (its start, UTC)."""
    match = re.fullmatch(r"(\d{1,5})([dhw])", value.strip())
    if match:
        return now - int(match.group(1)) * _SINCE_UNITS[match.group(2)]
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a period (30d, 12h, 2w) or a date (YYYY-MM-DD): {value!r}") from None


def _report_values(row: RuleReportRow) -> tuple[str | int, ...]:
    reasons = "; ".join(f"{code}={count}" for code, count in row.override_reasons.items())
    return (
        row.rule_id,
        row.service_id,
        row.fired,
        row.shown,
        row.shown_main,
        row.shown_folded,
        row.silent,
        row.accepted,
        row.overridden,
        reasons,
    )


def write_report_csv(rows: Sequence[RuleReportRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(_report_values(row) for row in rows)


def format_report(rows: Sequence[RuleReportRow], *, since: datetime) -> str:
    """A plain-text table, one line per rule and service, with a note on what the counts mean."""
    header = ("rule", "service", "fired", "shown", "main", "folded", "silent", "accepted", "overridden", "reasons")
    lines = [header, *(tuple(str(value) for value in _report_values(row)) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = [
        "  ".join(
            [*(value.ljust(width) for value, width in zip(line[:2], widths[:2], strict=True))]
            + [*(value.rjust(width) for value, width in zip(line[2:-1], widths[2:], strict=True))]
            + [line[-1]]
        )
        for line in lines
    ]
    if not rows:
        text.append("(nothing recorded in this period)")
    text += [
        "",
        f"Since {since.isoformat(timespec='seconds')}. fired: findings recorded (shown or silent-policy); shown: "
        "the main finding of a card (main) or folded into one (folded); accepted / overridden: feedback on the "
        "cards that held the finding (a card's feedback counts for each finding it held); reasons: override "
        "reason codes. Snoozed cards are not recorded, so they are not counted. Rule (unknown): feedback on a "
        "card without a recorded finding.",
    ]
    return "\n".join(line.rstrip() for line in text) + "\n"


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="osteo-cds", description="osteo-cds command-line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export-feedback", help="export stored feedback per rule as CSV")
    export.add_argument("--database-url", help="SQLAlchemy URL (default: the service's DATABASE_URL setting)")
    export.add_argument("--output", "-o", help="CSV file to write (default: standard output)")
    report = commands.add_parser(
        "report",
        help="per rule and service: fired, shown, accepted, overridden (by reason), as a table or CSV",
        description=(
            "Read the feedback store: per rule and service, the findings recorded since --since (shown as the "
            "card's main finding, folded into a card, or silent-policy) and the feedback on the cards that held "
            "them. Snoozed cards are not recorded by the store and are not reported."
        ),
    )
    report.add_argument("--since", default="30d", help="30d, 12h, 2w or YYYY-MM-DD (default: %(default)s)")
    report.add_argument("--csv", action="store_true", help="write CSV instead of a table")
    report.add_argument("--database-url", help="SQLAlchemy URL (default: the service's DATABASE_URL setting)")
    report.add_argument("--output", "-o", help="file to write (default: standard output)")
    openapi = commands.add_parser("openapi", help="write the OpenAPI document the service serves")
    openapi.add_argument("--output", "-o", default="openapi/openapi.json", help="file to write")
    rules = commands.add_parser(
        "rules", help="write the rule reference (every rule, its parameters, card text and tests) as Markdown"
    )
    rules.add_argument("--output", "-o", help="file to write, e.g. docs/rules.md (default: standard output)")
    rules.add_argument("--profile", choices=("nl", "be"), help="guideline profile (default: the OSTEO_PROFILE setting)")

    evaluate = commands.add_parser(
        "evaluate",
        help="show the cards for a patient Bundle, offline",
        description=(
            "Evaluate a patient Bundle (transaction, batch, collection or searchset) through the service's "
            "pipeline in this process: the Bundle is the complete prefetch; nothing is fetched, no network is used."
        ),
    )
    evaluate.add_argument("bundle", type=Path, help="the patient Bundle (JSON), e.g. examples/patients/01-*.json")
    evaluate.add_argument(
        "--hook",
        choices=("patient-view", "order-select", "order-sign"),
        default="patient-view",
        help="default: %(default)s",
    )
    evaluate.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the date to evaluate on (default: today in OSTEO_TIMEZONE; the synthetic patients are dated "
        "relative to 2025-06-01)",
    )
    evaluate.add_argument("--lang", choices=("nl", "en"), default="nl", help="card language (default: %(default)s)")
    evaluate.add_argument(
        "--draft-order",
        type=Path,
        metavar="RESOURCE.json",
        help="a draft MedicationRequest for order-select / order-sign (e.g. examples/patients/draft-orders/...)",
    )
    evaluate.add_argument("--json", action="store_true", help="print the CDS Hooks response as JSON")

    demo = commands.add_parser(
        "demo",
        help="start a FHIR server and the service, load the synthetic patients, fire the hooks, show the cards",
        description=(
            "Start the local FHIR R4 test server (sekmet-fhir, installed into .fhir-venv if needed) and the "
            "service on 127.0.0.1, load examples/patients/, call patient-view (and order-select/order-sign where "
            "a patient has a draft order) without prefetch, print one line per card (--verbose: in full) and stop."
        ),
    )
    demo.add_argument("--port", type=_port, default=0, help="service port on 127.0.0.1 (default: any free port)")
    demo.add_argument("--fhir-port", type=_port, default=None, help="FHIR server port (default: any free port)")
    demo.add_argument(
        "--fhir-server",
        choices=("sekmet", "hapi"),
        default="sekmet",
        help="the FHIR server to start: sekmet-fhir, or HAPI FHIR built from deploy/hapi-fhir (default: %(default)s)",
    )
    demo.add_argument("--lang", choices=("nl", "en"), default="nl", help="card language (default: %(default)s)")
    demo.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        default=None,
        help="the service's 'today' (default: 2025-06-01, the patients' reference date)",
    )
    demo.add_argument(
        "--keep-running", action="store_true", help="keep both servers running after the cards, until Ctrl-C"
    )
    demo.add_argument(
        "--verbose", "-v", action="store_true", help="print each card in full (default: one line per card)"
    )
    demo.add_argument(
        "--patients",
        type=Path,
        metavar="DIR",
        default=None,
        help="directory of patient transaction Bundles, with draft-orders/ (default: examples/patients)",
    )
    return parser


def _evaluate(args: argparse.Namespace) -> int:
    from app.devtools.evaluate import evaluate_patient, format_cards
    from app.devtools.patients import PatientBundleError, read_json, read_patient
    from app.errors import CdsServiceError

    try:
        patient = read_patient(args.bundle)
        drafts = [read_json(args.draft_order)] if args.draft_order else []
    except PatientBundleError as exc:
        print(f"osteo-cds evaluate: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    as_of = args.as_of or datetime.now(ZoneInfo(get_settings().timezone)).date()
    try:
        response = asyncio.run(
            evaluate_patient(patient, hook=args.hook, as_of=as_of, language=args.lang, draft_orders=drafts)
        )
    except CdsServiceError as exc:
        print(
            f"osteo-cds evaluate: the service refused the request ({exc.status_code}): {exc.message}", file=sys.stderr
        )
        return EXIT_SERVICE_ERROR
    if args.json:
        print(response.model_dump_json(by_alias=True, exclude_none=True, indent=2))
    else:
        title = f"{patient.name} · {args.hook} · as of {as_of.isoformat()} · patient {patient.patient_id}"
        sys.stdout.write(format_cards(response.cards, title=title))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from app.devtools.demo import DemoOptions, run_demo
    from app.devtools.fhir_server import FhirTestServerError
    from app.devtools.patients import LIBRARY_DIR, REFERENCE_DATE, PatientBundleError

    options = DemoOptions(
        port=args.port,
        fhir_port=args.fhir_port,
        fhir_server=args.fhir_server,
        language=args.lang,
        as_of=args.as_of or REFERENCE_DATE,
        keep_running=args.keep_running,
        patients_dir=args.patients or LIBRARY_DIR,
        verbose=args.verbose,
    )
    try:
        return EXIT_SERVICE_ERROR if run_demo(options) else 0
    except PatientBundleError as exc:
        print(f"osteo-cds demo: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FhirTestServerError, OSError) as exc:
        print(f"osteo-cds demo: could not start: {exc}", file=sys.stderr)
        return EXIT_SERVICE_ERROR
    except KeyboardInterrupt:
        print("\nosteo-cds demo: interrupted; the FHIR server and the service are stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _emit(text: str, output: str | None, *, newline: str, written: str) -> None:
    """``text`` to the file ``output`` (saying so on stderr), or to standard output."""
    if output:
        with open(output, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
        print(written, file=sys.stderr)
    else:
        sys.stdout.write(text)


def _rules(args: argparse.Namespace) -> int:
    from app.rules_reference import render_markdown, rule_reference

    settings = get_settings()
    profile = args.profile or settings.profile
    document = render_markdown(rule_reference(profile, settings.guideline), profile, settings.guideline)
    _emit(document, args.output, newline="\n", written=f"Rule reference written to {args.output}")
    return 0


def _report(args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since, now=datetime.now(UTC))
    except argparse.ArgumentTypeError as exc:
        print(f"osteo-cds report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    store = FeedbackStore(args.database_url or get_settings().database_url)
    try:
        rows = store.report_per_rule(since)
    finally:
        store.close()
    if args.csv:
        buffer = io.StringIO()
        write_report_csv(rows, buffer)
        text = buffer.getvalue()
    else:
        text = format_report(rows, since=since)
    _emit(text, args.output, newline="", written=f"{len(rows)} rows written to {args.output}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    if args.command == "evaluate":
        return _evaluate(args)
    if args.command == "demo":
        return _demo(args)

    if args.command == "rules":
        return _rules(args)
    if args.command == "report":
        return _report(args)

    if args.command == "openapi":
        from app.main import create_app

        document = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(document)
        print(f"OpenAPI written to {args.output}", file=sys.stderr)

    if args.command == "export-feedback":
        store = FeedbackStore(args.database_url or get_settings().database_url)
        try:
            if args.output:
                with open(args.output, "w", encoding="utf-8", newline="") as handle:
                    rows = export_feedback_csv(store, handle)
                print(f"{rows} rules written to {args.output}", file=sys.stderr)
            else:
                export_feedback_csv(store, sys.stdout)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
