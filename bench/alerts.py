"""Alert burden: how many cards a prescriber sees, over the synthetic patient library (issue "Alert burden").

``python -m bench.alerts`` runs, in process through the real HTTP stack (``TestClient``, no network):

- every patient of the library (``examples/patients/``, or ``--library DIR``) through ``patient-view`` with its
  complete prefetch, as of the library's reference date;
- every order scenario through ``order-select``: each library patient with a draft order, and each request of
  ``examples/order-scenarios/`` (an ``order-sign`` request is sent as ``order-select`` of its first draft order).

It prints the calls per hook, the median and maximum cards per call, cards by indicator and by rule (the card's
``source.topic.code``), the longest card detail in words, and every card shown to a *well-cared-for* patient (a
library file whose name contains ``-well-``: someone with nothing to act on, who should get no card). The last line
reads ``patient-view: N calls, median M cards, max K, Z cards on W well-cared-for patients``.

Targets (reported here, not asserted): patient-view median ≤ 1 card and max ≤ 3; 0 cards for every well-cared-for
patient; order-select ≤ 2 cards per call; card detail ≤ 60 words (that one is also a test).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.devtools.patients import LIBRARY_DIR, REFERENCE_DATE, hook_request, library_queries, load_library, prefetch_for
from app.main import ROOT
from bench.golden import in_process_client

SCENARIOS = ROOT / "examples" / "order-scenarios"
SCENARIOS_DAY = date(2025, 6, 1)
WELL_MARK = "-well-"
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    hook: str
    well: bool
    as_of: date
    body: dict[str, Any]


def _as_order_select(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["hook"] = "order-select"
    entries = body["context"].get("draftOrders", {}).get("entry", [])
    first = [f"{e['resource']['resourceType']}/{e['resource'].get('id', 'draft')}" for e in entries[:1]]
    body["context"]["selections"] = body["context"].get("selections") or first
    return body


def calls(library: Path, language: str) -> Iterator[Call]:
    """The hook calls of the benchmark, in a stable order."""
    queries = library_queries()
    for patient in load_library(library):
        prefetch = prefetch_for(patient.resources, queries)
        well = WELL_MARK in patient.name
        view = hook_request(hook="patient-view", patient_id=patient.patient_id, prefetch=prefetch, language=language)
        yield Call(patient.name, "patient-view", well, REFERENCE_DATE, view)
        if patient.draft_order is not None:
            order = hook_request(
                hook="order-select",
                patient_id=patient.patient_id,
                prefetch=prefetch,
                draft_orders=[patient.draft_order],
                language=language,
            )
            yield Call(patient.name, "order-select", well, REFERENCE_DATE, order)
    if library == LIBRARY_DIR:
        for path in sorted(SCENARIOS.glob("*.json")):
            body = _as_order_select(json.loads(path.read_text(encoding="utf-8")))
            body["extension"] = {**(body.get("extension") or {}), "org.osteo-cds.language": language}
            yield Call(f"order-scenarios/{path.stem}", "order-select", False, SCENARIOS_DAY, body)


@dataclass(frozen=True, slots=True)
class Answer:
    call: Call
    cards: list[dict[str, Any]]


def run(library: Path, language: str) -> list[Answer]:
    answers = []
    with in_process_client() as (client, pin_today):
        for call in calls(library, language):
            pin_today(call.as_of)
            service = "osteoporosis-patient-view" if call.hook == "patient-view" else "osteoporosis-order-select"
            response = client.post(f"/cds-services/{service}", json=call.body)
            response.raise_for_status()
            answers.append(Answer(call, response.json()["cards"]))
    return answers


def _rule(card: dict[str, Any]) -> str:
    return str(card.get("source", {}).get("topic", {}).get("code", "(none)"))


def words(text: str) -> int:
    return len(_WORD.findall(text))


def report(answers: Sequence[Answer]) -> list[str]:
    lines = []
    for hook in ("patient-view", "order-select"):
        mine = [answer for answer in answers if answer.call.hook == hook]
        if not mine:
            continue
        counts = [len(answer.cards) for answer in mine]
        cards = [card for answer in mine for card in answer.cards]
        by_indicator = Counter(card["indicator"] for card in cards)
        by_rule = Counter(_rule(card) for card in cards)
        longest = max((words(card.get("detail", "")) for card in cards), default=0)
        lines.append(
            f"{hook}: {len(mine)} calls, {len(cards)} cards, median {statistics.median(counts):g}, max {max(counts)}, "
            f"longest detail {longest} words"
        )
        lines.append("  by indicator: " + ", ".join(f"{k} {v}" for k, v in sorted(by_indicator.items())))
        lines.append("  by rule: " + ", ".join(f"{k} {v}" for k, v in by_rule.most_common()))
        busiest = sorted(mine, key=lambda answer: -len(answer.cards))[:3]
        lines.append(
            "  most cards: "
            + "; ".join(f"{a.call.name} {len(a.cards)} ({', '.join(map(_rule, a.cards))})" for a in busiest)
        )
    well = [answer for answer in answers if answer.call.hook == "patient-view" and answer.call.well]
    for answer in well:
        shown = ", ".join(f"{_rule(card)} [{card['indicator']}]" for card in answer.cards) or "none"
        lines.append(f"  well-cared-for {answer.call.name}: {shown}")
    view = [len(answer.cards) for answer in answers if answer.call.hook == "patient-view"]
    on_well = sum(len(answer.cards) for answer in well)
    lines.append(
        f"patient-view: {len(view)} calls, median {statistics.median(view):g} cards, max {max(view)}, "
        f"{on_well} cards on {len(well)} well-cared-for patients"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=LIBRARY_DIR, help="a folder of patient Bundles (default: ours)")
    parser.add_argument("--language", choices=("nl", "en"), default="en")
    args = parser.parse_args(argv)
    for line in report(run(args.library.resolve(), args.language)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
