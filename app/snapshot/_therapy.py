"""Medication records → therapy histories, episodes, dated doses and glucocorticoid exposures; draft orders.

Statuses (terminology.md §6.3 pitfall 12; rules.md §0.4):

- MedicationStatement: ``entered-in-error``, ``not-taken``, ``intended`` excluded; ``active`` is current;
  ``completed``, ``stopped``, ``on-hold``, ``unknown`` are past exposure.
- MedicationRequest: ``cancelled``, ``entered-in-error``, ``draft`` and ``doNotPerform`` excluded; ``active`` is
  an active order; ``completed`` / ``stopped`` / ``on-hold`` / ``unknown`` still count as past exposure.
- MedicationAdministration: ``not-done``, ``entered-in-error`` excluded.
- MedicationDispense: ``cancelled``, ``entered-in-error``, ``declined``, ``preparation`` excluded.

Any other status code is an UNPARSEABLE gap. Covered periods: explicit end, else supply (expected supply duration
× (1 + repeats), days supply, quantity ÷ daily units, dosage bounds), else "ongoing" for an active order or
statement; a past record with none of these covers its start day only (and a gap says so). One injection or
infusion covers its dosing interval (parameters ``*_cover_months``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from app import valuesets as vs
from app.snapshot._context import BuildContext, source_of
from app.snapshot._dates import choice_date, parse_date, period_bounds
from app.snapshot._dosage import DosageSummary, daily_dose, ingredient_strength, non_systemic_route, supply_end
from app.snapshot._json import Json, codings, concept_texts, get_bool, get_dict, get_dicts, get_number, get_str
from app.snapshot._medications import identify, is_oral_solution, resolve_medication
from app.snapshot._units import duration_days, is_count_unit, quantity_value
from app.snapshot.model import (
    Administration,
    ClinicalDate,
    Code,
    DateRange,
    DoseEstimate,
    DraftAction,
    DraftOrder,
    Drug,
    GapConcept,
    GapKind,
    GlucocorticoidExposure,
    MedicationRecord,
    RecordKind,
    SourceRef,
    TherapyEpisode,
    TherapyHistory,
    add_months,
    episodes_from_ranges,
)

__all__ = ["MedicationResults", "read_draft_orders", "read_medications"]

_EXCLUDED = {
    RecordKind.STATEMENT: frozenset({"entered-in-error", "not-taken", "intended"}),
    RecordKind.REQUEST: frozenset({"cancelled", "entered-in-error", "draft"}),
    RecordKind.ADMINISTRATION: frozenset({"not-done", "entered-in-error"}),
    RecordKind.DISPENSE: frozenset({"cancelled", "entered-in-error", "declined", "preparation"}),
}
_KNOWN = {
    RecordKind.STATEMENT: frozenset({"active", "completed", "stopped", "on-hold", "unknown"}),
    RecordKind.REQUEST: frozenset({"active", "on-hold", "completed", "stopped", "unknown"}),
    RecordKind.ADMINISTRATION: frozenset({"completed", "in-progress", "on-hold", "stopped", "unknown"}),
    RecordKind.DISPENSE: frozenset({"completed", "in-progress", "on-hold", "stopped", "unknown"}),
}
_KIND_BY_TYPE = {kind.value: kind for kind in RecordKind}
_GLUCOCORTICOIDS = frozenset(d for d in Drug if d.is_glucocorticoid)
# rules.md §0.4: a draft MedicationRequest with status stopped / cancelled / completed, or doNotPerform, stops.
_STOP_STATUSES = frozenset({"stopped", "cancelled", "completed", "entered-in-error"})


def _injection_months(drug: Drug, context: BuildContext) -> int | None:
    p = context.parameters
    if drug is Drug.ZOLEDRONATE:
        return p.zoledronate_cover_months
    if drug is Drug.DENOSUMAB:
        return p.denosumab_cover_months
    if drug is Drug.ROMOSOZUMAB:
        return p.romosozumab_cover_months
    return None


@dataclass(slots=True)
class _Parsed:
    resource: Json
    kind: RecordKind
    status: str
    source: SourceRef
    drugs: frozenset[Drug]
    by_text: bool
    start: ClinicalDate | None
    end: ClinicalDate | None
    dosage: DosageSummary
    supply_days: float | None
    single_dose_on: ClinicalDate | None
    is_active_order: bool
    non_systemic_route: str | None
    non_systemic_set: bool
    oral_solution: bool = False


@dataclass
class MedicationResults:
    """Therapy histories and glucocorticoid exposures from the kept medication records."""

    therapies: list[TherapyHistory]
    glucocorticoids: list[GlucocorticoidExposure]
    gc_episodes: tuple[TherapyEpisode, ...]


def _supply_days(resource: Json, kind: RecordKind, dosage: DosageSummary, context: BuildContext) -> float | None:
    p = context.parameters
    dpm, dpy = p.days_per_month, p.days_per_year
    if kind is RecordKind.DISPENSE:
        days = duration_days(get_dict(resource, "daysSupply"), days_per_month=dpm, days_per_year=dpy)
        if days is None:
            unit = get_dict(resource, "daysSupply")
            value = quantity_value(unit)
            if value is not None and unit is not None and not get_str(unit, "unit") and not get_str(unit, "code"):
                days = value  # daysSupply is a number of days by definition
        if days is None:
            days = _quantity_days(get_dict(resource, "quantity"), 0, dosage.estimate)
        return days
    if kind is RecordKind.REQUEST:
        dispense = get_dict(resource, "dispenseRequest")
        repeats = get_number(dispense, "numberOfRepeatsAllowed") or 0.0
        repeats = max(repeats, 0.0)
        expected = duration_days(get_dict(dispense, "expectedSupplyDuration"), days_per_month=dpm, days_per_year=dpy)
        if expected is not None:
            return expected * (1 + repeats)
        return _quantity_days(get_dict(dispense, "quantity"), repeats, dosage.estimate)
    return None


def _quantity_days(quantity: Json | None, repeats: float, estimate: DoseEstimate) -> float | None:
    """rules.md D-GC: repeats × quantity ÷ daily use (count units only)."""
    value = quantity_value(quantity)
    if value is None or not is_count_unit(quantity) or not estimate.units_per_day:
        return None
    return value * (1 + repeats) / estimate.units_per_day


def _parse(resource: Json, kind: RecordKind, context: BuildContext, *, draft: bool = False) -> _Parsed | None:
    """Read one medication resource; ``None`` when it is excluded, irrelevant or unusable (gaps recorded)."""
    status = get_str(resource, "status") or "unknown"
    if not draft:
        if status in _EXCLUDED[kind]:
            context.exclude(resource, f"status {status}")
            return None
        if kind is RecordKind.REQUEST and get_bool(resource, "doNotPerform") is True:
            context.exclude(resource, "doNotPerform")
            return None
    concept, medication, problem = resolve_medication(resource, context)
    found = identify(concept, medication, context)
    concept_label = GapConcept.DRAFT_ORDER if draft else GapConcept.MEDICATION
    if not found.drugs:
        if found.non_systemic_glucocorticoid and not draft:
            context.exclude(resource, "non-systemic glucocorticoid (ATC/value set)")
        elif found.unmappable or problem:
            context.gap(GapKind.UNMAPPABLE, concept_label, found.unmappable or problem or "", source_of(resource))
        return None
    source = source_of(resource)
    if not draft and status not in _KNOWN[kind]:
        context.gap(GapKind.UNPARSEABLE, concept_label, "unknown medication status", source)
        return None

    if kind is RecordKind.ADMINISTRATION:
        dosage_items = [d] if (d := get_dict(resource, "dosage")) is not None else []
    elif kind is RecordKind.STATEMENT:
        dosage_items = get_dicts(resource, "dosage")
    else:
        dosage_items = get_dicts(resource, "dosageInstruction")
    if kind is RecordKind.ADMINISTRATION:
        dosage = DosageSummary(DoseEstimate(None, None, problem="single administration"))
    else:
        ingredient = ingredient_strength(medication)
        strength = found.strength if ingredient is None else ingredient
        dosage = daily_dose(dosage_items, strength=strength, as_of=context.as_of, limits=context.dose_limits)

    start: ClinicalDate | None
    end: ClinicalDate | None
    single: ClinicalDate | None = None
    if kind is RecordKind.STATEMENT:
        start, end = choice_date(resource, "effective")
        if end is None and get_str(resource, "effectiveDateTime") and status != "active":
            single = start
    elif kind is RecordKind.ADMINISTRATION:
        start, end = choice_date(resource, "effective")
        single = start
    elif kind is RecordKind.DISPENSE:
        start = parse_date(get_str(resource, "whenHandedOver")) or parse_date(get_str(resource, "whenPrepared"))
        end = None
        single = start
    else:
        start = dosage.bounds_start or parse_date(get_str(resource, "authoredOn"))
        if start is None:
            start, _ = period_bounds(get_dict(get_dict(resource, "dispenseRequest"), "validityPeriod"))
        end = dosage.bounds_end
    if kind in (RecordKind.STATEMENT, RecordKind.DISPENSE) and end is None:
        end = dosage.bounds_end

    is_active_order = (
        kind in (RecordKind.STATEMENT, RecordKind.REQUEST)
        and status == "active"
        and start is not None
        and start.earliest <= context.as_of
    )
    return _Parsed(
        resource=resource,
        kind=kind,
        status=status,
        source=source,
        drugs=found.drugs,
        by_text=found.by_text,
        start=start,
        end=end,
        dosage=dosage,
        supply_days=_supply_days(resource, kind, dosage, context),
        single_dose_on=single,
        is_active_order=is_active_order,
        non_systemic_route=non_systemic_route(dosage_items),
        non_systemic_set=found.non_systemic_glucocorticoid,
        oral_solution=found.oral_solution,
    )


def _coverage(parsed: _Parsed, drug: Drug, context: BuildContext) -> tuple[DateRange | None, bool]:
    """``(covered period, end was unknown)`` of one record for one drug."""
    if parsed.start is None:
        return None, False
    start = parsed.start.earliest
    months = None if parsed.single_dose_on is None else _injection_months(drug, context)
    if months is not None and parsed.single_dose_on is not None:
        # rules.md D-OPDRUG "injection within the last 6 months" / "infusion within the last 12 months": the day the
        # next dose is due (exactly 6 / 12 months later) is still covered, so the patient is not "untreated" on the
        # very day the next dose or the evaluation is due (issue 16, item 7).
        day = parsed.single_dose_on.earliest
        return DateRange(day, add_months(day, months)), False
    if parsed.end is not None:
        return DateRange(start, max(start, parsed.end.latest)), False
    ends: list[date] = []
    if parsed.supply_days is not None and parsed.supply_days > 0:
        ends.append(supply_end(start, parsed.supply_days))
    if parsed.dosage.planned_days is not None and parsed.dosage.planned_days > 0:
        ends.append(supply_end(start, parsed.dosage.planned_days))
    if parsed.is_active_order:
        ends.append(max(context.as_of, start))
    if ends:
        return DateRange(start, max(ends)), False
    if parsed.kind is RecordKind.ADMINISTRATION:
        return DateRange(start, start), False
    return DateRange(start, start), True


def _is_current(parsed: _Parsed, coverage: DateRange | None, context: BuildContext) -> bool:
    if parsed.is_active_order:
        return parsed.end is None or parsed.end.latest >= context.as_of
    if parsed.kind in (RecordKind.ADMINISTRATION, RecordKind.DISPENSE) or parsed.single_dose_on is not None:
        return coverage is not None and coverage.contains(context.as_of)
    return False


_MIN_EVALUATED_INFUSIONS = 2
"""rules.md D-OPDRUG: "for a course of ≥ 2 yearly infusions, until its evaluation (BP-EVAL-1) has decided"."""


def _awaiting_evaluation(
    records: tuple[MedicationRecord, ...],
    administrations: tuple[Administration, ...],
    episodes: tuple[TherapyEpisode, ...],
    context: BuildContext,
) -> bool:
    """rules.md D-OPDRUG [turn-2 correction]: a zoledronate course of ≥ 2 infusions stays current after its
    12-month cover until its evaluation has decided. The evaluation window is the one BP-EVAL-1 uses: up to
    ``therapy_gap_days`` after the last covered day (after that the episode is over). A stopped order or
    statement dated on or after the last infusion documents the decision to stop (a holiday)."""
    if not episodes or not administrations:
        return False
    last = episodes[-1]
    if last.is_ongoing or last.administration_count < _MIN_EVALUATED_INFUSIONS:
        return False
    if (context.as_of - last.end).days > context.parameters.therapy_gap_days:
        return False
    last_infusion = max(a.on.earliest for a in administrations)
    for record in records:
        if record.kind not in (RecordKind.REQUEST, RecordKind.STATEMENT) or record.status != "stopped":
            continue
        dated = record.end or record.start
        if dated is None or dated.latest >= last_infusion:
            return False
    return True


def _merge_doses(events: list[tuple[ClinicalDate, SourceRef]], drug: Drug, window: int) -> tuple[Administration, ...]:
    """terminology.md §6.3 pitfall 14: one dose recorded by several resources is one dose."""
    merged: list[Administration] = []
    for on, source in sorted(events, key=lambda e: (e[0].earliest, e[0].latest)):
        if merged and (on.earliest - merged[-1].on.earliest).days <= window:
            last = merged[-1]
            merged[-1] = Administration(drug, last.on, last.sources + (source,))
        else:
            merged.append(Administration(drug, on, (source,)))
    return tuple(merged)


def read_medications(resources: list[Json], context: BuildContext) -> MedicationResults:
    """Therapy histories per drug and glucocorticoid exposures from kept medication resources."""
    p = context.parameters
    by_drug: dict[Drug, list[MedicationRecord]] = defaultdict(list)
    doses: dict[Drug, list[tuple[ClinicalDate, SourceRef]]] = defaultdict(list)
    gc_parsed: list[tuple[_Parsed, Drug, MedicationRecord]] = []
    for resource in resources:
        kind = _KIND_BY_TYPE[get_str(resource, "resourceType") or ""]
        parsed = _parse(resource, kind, context)
        if parsed is None:
            continue
        if parsed.start is None:
            context.gap(GapKind.MISSING, GapConcept.MEDICATION, "medication record without a date", parsed.source)
        for drug in sorted(parsed.drugs):
            is_glucocorticoid = drug.is_glucocorticoid
            if is_glucocorticoid and parsed.non_systemic_route:
                context.exclude(resource, "non-systemic route for a glucocorticoid")
                continue
            coverage, end_unknown = _coverage(parsed, drug, context)
            if end_unknown and (drug.is_osteoporosis_drug or is_glucocorticoid):
                context.gap(
                    GapKind.MISSING,
                    GapConcept.MEDICATION,
                    f"{drug}: no end date or supply duration; counted as its start day only",
                    parsed.source,
                )
            record = MedicationRecord(
                drug=drug,
                kind=parsed.kind,
                status=parsed.status,
                source=parsed.source,
                start=parsed.start,
                end=parsed.end,
                coverage=coverage,
                is_current=_is_current(parsed, coverage, context),
                is_active_order=parsed.is_active_order,
                administered_on=parsed.single_dose_on,
                dose=parsed.dosage.estimate,
                identified_by_text=parsed.by_text,
                supply_days=parsed.supply_days,
                is_oral_solution=parsed.oral_solution,
            )
            by_drug[drug].append(record)
            if parsed.single_dose_on is not None:
                doses[drug].append((parsed.single_dose_on, parsed.source))
            if is_glucocorticoid and parsed.kind is not RecordKind.ADMINISTRATION:
                gc_parsed.append((parsed, drug, record))

    therapies: list[TherapyHistory] = []
    for drug in sorted(by_drug):
        records = tuple(sorted(by_drug[drug], key=_record_key))
        administrations = _merge_doses(doses[drug], drug, p.duplicate_event_window_days)
        episodes = episodes_from_ranges(
            (r.coverage for r in records if r.coverage is not None),
            drugs=frozenset({drug}),
            as_of=context.as_of,
            gap_days=p.therapy_gap_days,
            administrations=(a.on.earliest for a in administrations),
            inexact_starts=(r.coverage.start for r in records if r.coverage and r.start and not r.start.is_exact),
        )
        awaiting = drug is Drug.ZOLEDRONATE and _awaiting_evaluation(records, administrations, episodes, context)
        therapies.append(TherapyHistory(drug, records, administrations, episodes, awaiting_evaluation=awaiting))

    gc_ranges = [record.coverage for _, _, record in gc_parsed if record.coverage is not None]
    gc_episodes = episodes_from_ranges(
        gc_ranges,
        drugs=_GLUCOCORTICOIDS,
        as_of=context.as_of,
        gap_days=p.glucocorticoid_gap_days,
    )
    exposures = [_exposure(parsed, drug, record, gc_episodes, context) for parsed, drug, record in gc_parsed]
    return MedicationResults(therapies, exposures, gc_episodes)


def _record_key(record: MedicationRecord) -> tuple[date, str]:
    start = record.start.earliest if record.start else date.min
    return (start, record.source.reference())


_PREDNISONE_FACTOR_FIELDS = {
    Drug.PREDNISONE: "prednisone",
    Drug.PREDNISOLONE: "prednisolone",
    Drug.METHYLPREDNISOLONE: "methylprednisolone",
    Drug.TRIAMCINOLONE: "triamcinolone",
    Drug.HYDROCORTISONE: "hydrocortisone",
    Drug.CORTISONE: "cortisone",
    Drug.DEXAMETHASONE: "dexamethasone",
    Drug.BETAMETHASONE: "betamethasone",
    Drug.DEFLAZACORT: "deflazacort",
}
"""The field of ``PrednisoneFactors`` of each glucocorticoid that has one (oral budesonide has none)."""


def _prednisone_factor(drug: Drug, context: BuildContext) -> float | None:
    field_name = _PREDNISONE_FACTOR_FIELDS.get(drug)
    return None if field_name is None else float(getattr(context.parameters.prednisone_factors, field_name))


def _dose_fields(
    drug: Drug, estimate: DoseEstimate, source: SourceRef, context: BuildContext
) -> tuple[float | None, float | None, float | None]:
    """``(mg/day, prednisone-eq mg/day, prednisone-eq min)``, recording a gap when unknown."""
    factor = _prednisone_factor(drug, context)
    if estimate.mg_per_day is None:
        detail = f"{drug}: daily dose unknown ({estimate.problem})"
        context.gap(GapKind.MISSING, GapConcept.GLUCOCORTICOID_DOSE, detail, source)
        return None, None, None
    if factor is None:
        detail = f"{drug}: no accepted prednisone equivalent"
        context.gap(GapKind.UNMAPPABLE, GapConcept.GLUCOCORTICOID_DOSE, detail, source)
        return estimate.mg_per_day, None, None
    equivalent = estimate.mg_per_day * factor
    if equivalent > context.parameters.max_prednisone_eq_mg_per_day:
        detail = f"{drug}: daily dose implausible ({equivalent:g} mg prednisone-equivalent per day)"
        context.gap(GapKind.UNPARSEABLE, GapConcept.GLUCOCORTICOID_DOSE, detail, source)
        return None, None, None
    low = None if estimate.mg_per_day_min is None else estimate.mg_per_day_min * factor
    return estimate.mg_per_day, equivalent, low


def _months(days: int | float, context: BuildContext) -> float:
    return days / context.parameters.days_per_month


def _exposure(
    parsed: _Parsed,
    drug: Drug,
    record: MedicationRecord,
    gc_episodes: tuple[TherapyEpisode, ...],
    context: BuildContext,
) -> GlucocorticoidExposure:
    mg, peq, peq_low = _dose_fields(drug, parsed.dosage.estimate, parsed.source, context)
    elapsed: float | None = None
    expected: float | None = None
    if record.coverage is not None:
        episode = next((e for e in gc_episodes if e.start <= record.coverage.start <= e.end), None)
        begin = episode.start if episode else record.coverage.start
        until = context.as_of if record.is_current else min(context.as_of, record.coverage.end)
        elapsed = _months(max((until - begin).days, 0), context)
        if not record.is_current:
            expected = elapsed
        else:
            planned_end = _planned_end(parsed, record.coverage.start)
            if planned_end is not None:
                expected = max(elapsed, _months((planned_end - begin).days + 1, context))
    else:
        context.gap(GapKind.MISSING, GapConcept.GLUCOCORTICOID_DURATION, f"{drug}: start unknown", parsed.source)
    return GlucocorticoidExposure(
        drug=drug,
        source=parsed.source,
        from_draft_order=False,
        is_current=record.is_current,
        mg_per_day=mg,
        prednisone_eq_mg_per_day=peq,
        start=parsed.start,
        elapsed_months=elapsed,
        expected_total_months=expected,
        end=parsed.end,
        dose=parsed.dosage.estimate,
        prednisone_eq_mg_per_day_min=peq_low,
    )


def _planned_end(parsed: _Parsed, start: date) -> date | None:
    candidates: list[date] = []
    if parsed.end is not None:
        candidates.append(parsed.end.latest)
    if parsed.supply_days is not None and parsed.supply_days > 0:
        candidates.append(supply_end(start, parsed.supply_days))
    if parsed.dosage.planned_days is not None and parsed.dosage.planned_days > 0:
        candidates.append(supply_end(start, parsed.dosage.planned_days))
    return max(candidates) if candidates else None


# ----------------------------------------------------------------------------------------------------------------
# Draft orders (context.draftOrders)
# ----------------------------------------------------------------------------------------------------------------


def read_draft_orders(
    drafts: list[Json],
    selections: tuple[str, ...],
    gc_episodes: tuple[TherapyEpisode, ...],
    context: BuildContext,
) -> tuple[list[DraftOrder], list[GlucocorticoidExposure]]:
    """Classify each draft order (NEW / STOP, drug, dose) and turn new systemic GC orders into exposures."""
    orders: list[DraftOrder] = []
    exposures: list[GlucocorticoidExposure] = []
    selected = set(selections)
    for resource in drafts:
        source = source_of(resource)
        status = get_str(resource, "status")
        do_not_perform = get_bool(resource, "doNotPerform") is True
        action = DraftAction.STOP if do_not_perform or status in _STOP_STATUSES else DraftAction.NEW
        is_selected = source.reference() in selected

        def order(
            drug: Drug | None,
            *,
            dose: DoseEstimate | None = None,
            codes: tuple[Code, ...] = (),
            start: ClinicalDate | None = None,
            action: DraftAction = action,
            source: SourceRef = source,
            status: str | None = status,
            is_selected: bool = is_selected,
            do_not_perform: bool = do_not_perform,
        ) -> DraftOrder:
            return DraftOrder(
                action=action,
                drug=drug,
                draft_ref=source.reference(),
                resource_type=source.resource_type,
                status=status,
                source=source,
                dose=dose,
                codes=codes,
                is_selected=is_selected,
                do_not_perform=do_not_perform,
                start=start,
            )

        kind = _KIND_BY_TYPE.get(source.resource_type)
        if kind is None:
            code = get_dict(resource, "code")
            texts = concept_texts(code)
            codes = tuple(Code(system, value, texts[0] if texts else None) for system, value in codings(code))
            draft = order(None, codes=codes, start=parse_date(get_str(resource, "authoredOn")))
            if context.matches(vs.DXA_STUDY, codings(code)):
                draft = replace(draft, is_dxa=True)
            orders.append(draft)
            continue
        parsed = _parse(resource, kind, context, draft=True)
        names = _medication_names(resource, context)
        if parsed is None:
            orders.append(replace(order(None), medication_names=names))
            continue
        for drug in sorted(parsed.drugs):
            orders.append(
                replace(
                    order(drug, dose=parsed.dosage.estimate, start=parsed.start),
                    medication_names=names,
                    is_oral_solution=parsed.oral_solution or is_oral_solution(names),
                )
            )
            if drug.is_glucocorticoid and action is DraftAction.NEW:
                if parsed.non_systemic_route:
                    context.exclude(resource, "draft order: non-systemic route for a glucocorticoid")
                    continue
                exposures.append(_draft_exposure(parsed, drug, gc_episodes, context))
    return orders, exposures


def _medication_names(resource: Json, context: BuildContext) -> tuple[str, ...]:
    """Texts and displays of a medication order's ``medication[x]`` and of the Medication it references."""
    concept, medication, _ = resolve_medication(resource, context)
    return tuple(dict.fromkeys(concept_texts(concept) + concept_texts(get_dict(medication, "code"))))


def _draft_exposure(
    parsed: _Parsed, drug: Drug, gc_episodes: tuple[TherapyEpisode, ...], context: BuildContext
) -> GlucocorticoidExposure:
    mg, peq, peq_low = _dose_fields(drug, parsed.dosage.estimate, parsed.source, context)
    as_of = context.as_of
    start = parsed.start.earliest if parsed.start is not None and parsed.start.earliest >= as_of else as_of
    ongoing = next((e for e in gc_episodes if e.is_ongoing), None)
    begin = ongoing.start if ongoing is not None else start
    elapsed = _months(max((as_of - begin).days, 0), context)
    planned_end = _planned_end(parsed, start)
    expected = None if planned_end is None else max(elapsed, _months((planned_end - begin).days + 1, context))
    if planned_end is None:
        context.gap(
            GapKind.MISSING,
            GapConcept.GLUCOCORTICOID_DURATION,
            f"{drug}: expected duration of the draft order unknown",
            parsed.source,
        )
    return GlucocorticoidExposure(
        drug=drug,
        source=parsed.source,
        from_draft_order=True,
        is_current=False,
        mg_per_day=mg,
        prednisone_eq_mg_per_day=peq,
        start=parsed.start or ClinicalDate.on(start),
        elapsed_months=elapsed,
        expected_total_months=expected,
        end=parsed.end,
        dose=parsed.dosage.estimate,
        prednisone_eq_mg_per_day_min=peq_low,
    )
