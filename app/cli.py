"""Command-line tools: ``osteo-cds export-feedback`` (per-rule feedback as CSV), ``osteo-cds openapi``."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from app.config import get_settings
from app.feedback import FeedbackStore

__all__ = ["export_feedback_csv", "main"]

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="osteo-cds", description="osteo-cds command-line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export-feedback", help="export stored feedback per rule as CSV")
    export.add_argument("--database-url", help="SQLAlchemy URL (default: the service's DATABASE_URL setting)")
    export.add_argument("--output", "-o", help="CSV file to write (default: standard output)")
    openapi = commands.add_parser("openapi", help="write the OpenAPI document the service serves")
    openapi.add_argument("--output", "-o", default="openapi/openapi.json", help="file to write")
    args = parser.parse_args(argv)

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
