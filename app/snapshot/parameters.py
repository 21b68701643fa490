"""Parameters of the snapshot builder: data freshness, dose arithmetic and episode rules.

Every field is defaulted, and every default names its source in the clinical specification (``shared/clinical/``):
``rules.md`` section or configuration parameter (``[CFG:NAME]``), or ``terminology.md`` section. Values marked
**[NIS]** are not in the guideline seeds: they are implementation choices that a clinician must review, which is why
they are settings.

The application embeds this model as ``Settings.snapshot`` (environment ``OSTEO_SNAPSHOT__<FIELD>``, e.g.
``OSTEO_SNAPSHOT__DXA_STALE_YEARS=5``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PrednisoneFactors", "SnapshotParameters"]


class PrednisoneFactors(BaseModel):
    """mg prednisone per 1 mg of each systemic glucocorticoid (anti-inflammatory potency equivalents).

    Source: rules.md §1.3 (table "Prednisone-equivalent conversion", [NIS]: none of the seeds give factors) and
    terminology.md §5.2 (Meikle & Tyler 1977 via GlobalRPh; FDA prednisolone labelling; Calcort SmPC).
    Oral budesonide has **no** factor by design (terminology.md §5.2: first-pass metabolism, no accepted factor):
    its exposure is recorded with an unknown prednisone equivalent and a data gap.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    prednisone: float = Field(default=1.0, gt=0)
    """rules.md §1.3: 5 mg ≙ prednisone 5 mg (× 1)."""
    prednisolone: float = Field(default=1.0, gt=0)
    """rules.md §1.3: 5 mg (× 1)."""
    methylprednisolone: float = Field(default=1.25, gt=0)
    """rules.md §1.3: 4 mg (× 1.25)."""
    triamcinolone: float = Field(default=1.25, gt=0)
    """rules.md §1.3: 4 mg, systemic (× 1.25)."""
    hydrocortisone: float = Field(default=0.25, gt=0)
    """rules.md §1.3: 20 mg (× 0.25)."""
    cortisone: float = Field(default=0.2, gt=0)
    """rules.md §1.3: cortisone acetate 25 mg (× 0.2)."""
    dexamethasone: float = Field(default=6.67, gt=0)
    """rules.md §1.3: 0.75 mg (× 6.67)."""
    betamethasone: float = Field(default=8.33, gt=0)
    """rules.md §1.3: 0.6 mg ≙ prednisone 5 mg (× 8.33, "configurable"). terminology.md §5.2 suggests 6.67 (the
    0.75 mg convention). Default follows the rule catalog; 8.33 is also the protective reading (conflicts.md,
    general policy: the more inclusive reading when it leads to protective action). Set 6.67 to follow
    terminology.md."""
    deflazacort: float = Field(default=0.83, gt=0)
    """rules.md §1.3 and terminology.md §5.2: 6 mg deflazacort ≙ 5 mg prednisolone (× 0.83, configurable)."""


class SnapshotParameters(BaseModel):
    """Ages, windows and factors the builder uses. Thresholds that *decide* belong to the rules, not here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- data freshness ------------------------------------------------------------------------------------
    dxa_stale_years: int = Field(default=5, ge=1)
    """rules.md §2 ``DXA_STALE_YEARS`` (S2 «controle-DXA elke 2-5 jaar»): a DXA older than this is STALE."""
    dxa_decision_max_age_months: int = Field(default=12, ge=1)
    """rules.md §2 ``DXA_DECISION_MAX_AGE_M`` [NIS] (alt 6, BE denosumab reimbursement): DECISION_OK window."""
    vitamin_d_max_age_days: int = Field(default=365, ge=1)
    """rules.md §2 ``VITD_MAX_AGE_D`` [NIS]."""
    renal_max_age_days: int = Field(default=365, ge=1)
    """rules.md §2 ``RENAL_MAX_AGE_D`` [NIS]: 365 days in general. The stricter 90 days before IV zoledronate is
    the rule's decision (it reads ``RenalFunction.observed``)."""
    lab_max_age_days: int = Field(default=90, ge=1)
    """rules.md §2 ``LAB_MAX_AGE_D`` [NIS]: calcium and albumin before starting a drug."""

    # --- fractures ------------------------------------------------------------------------------------------
    # The recent-fracture window (rules.md §2 RECENT_FX_YEARS / RECENT_FX_INCLUSIVE) is a guideline parameter
    # (GuidelineParameters.recent_fx_*), applied by app/rules/osteoporosis/predicates.py: defined once (issue 16).
    mof_forearm_min_age: int = Field(default=75, ge=0)
    """rules.md DX-MOF-1 (S2 BBC: forearm counts as MOF «bij een persoon van ≥ 75 jaar», age at fracture [INF])."""

    # --- DXA ------------------------------------------------------------------------------------------------
    forearm_t_score_in_lowest: bool = False
    """rules.md D-T: ``T_MIN`` = lowest of lumbar spine, femoral neck and total hip; terminology.md §1.1 says the
    1/3 radius counts "only in specific situations" and that Synthea's only T-score is coded as forearm
    (38265-5). Set true for Synthea sandboxes to let the forearm T-score count in ``lowest_t_score``."""

    # --- therapy episodes -----------------------------------------------------------------------------------
    therapy_gap_days: int = Field(default=180, ge=0)
    """rules.md §2 ``BP_GAP_DAYS`` [NIS]: a gap longer than this between covered periods ends an episode."""
    zoledronate_cover_months: int = Field(default=12, ge=1)
    """rules.md D-OPDRUG: "zoledronate infusion within last 12 months" is on treatment; one 5 mg infusion covers
    12 months (terminology.md §6.3 pitfall 3: zoledronic acid yearly)."""
    denosumab_cover_months: int = Field(default=6, ge=1)
    """rules.md D-OPDRUG / ``DMAB_INTERVAL_M`` (S2): one 60 mg injection covers 6 months."""
    romosozumab_cover_months: int = Field(default=1, ge=1)
    """terminology.md §5.1: romosozumab 210 mg monthly; one administration covers 1 month."""
    duplicate_event_window_days: int = Field(default=14, ge=0)
    """[NIS] implementation choice for terminology.md §6.3 pitfall 14 ("de-duplicate by ingredient and time"):
    dated doses of one drug (an administration plus its dispense or statement) closer than this are one dose.
    Must stay well below the shortest interval it merges across (romosozumab, monthly)."""

    # --- glucocorticoids ------------------------------------------------------------------------------------
    glucocorticoid_gap_days: int = Field(default=0, ge=0)
    """[NIS] rules.md D-GC ``GC_ELAPSED_M`` is "continuous use so far": by default only overlapping or adjacent
    covered periods of systemic glucocorticoids (any agent) are continuous. A clinician may allow short gaps
    between renewals here."""
    prednisone_factors: PrednisoneFactors = PrednisoneFactors()
    """rules.md §1.3 / terminology.md §5.2."""
    max_doses_per_day: float = Field(default=24, gt=0)
    """[NIS] data validity, not a clinical threshold (issue 16): a dosage schedule of more administrations a day
    than this (more often than hourly) is not a plausible schedule; the daily dose is then unknown."""
    max_dosing_period_days: float = Field(default=366, gt=0)
    """[NIS] data validity: a ``timing.repeat.period`` longer than this is implausible (the longest schedule of
    the drugs here is zoledronic acid once a year, terminology.md §6.3 pitfall 3); the daily dose is then
    unknown."""
    max_prednisone_eq_mg_per_day: float = Field(default=2000, gt=0)
    """[NIS] data validity: a computed prednisone-equivalent daily dose above this is implausible (it exceeds
    methylprednisolone pulse therapy, 1000 mg/day ≙ 1250 mg prednisone with the rules.md §1.3 factor 1.25): the
    dose is then unknown ("implausible"), never "very high"."""
    days_per_month: float = Field(default=30.4375, gt=0)
    """terminology.md §6.3 pitfall 4: ``mo`` is a calendar unit of 30.4375 days (also used for elapsed months)."""
    days_per_year: float = Field(default=365.25, gt=0)
    """terminology.md §6.3 pitfall 4: ``a`` is 365.25 days."""

    # --- patient --------------------------------------------------------------------------------------------
    assume_postmenopausal_age: int = Field(default=50, ge=0)
    """rules.md §2 ``ASSUME_PM_AGE`` [NIS]: a woman of this age or older without menopause data is treated as
    postmenopausal."""

    # --- unit conversion (facts, not thresholds) ------------------------------------------------------------
    vitamin_d_nmol_per_ng: float = Field(default=2.496, gt=0)
    """terminology.md §2: nmol/L = ng/mL × 2.496 (molar mass 400.64 g/mol); rules.md D-VITD."""
    creatinine_umol_per_mg: float = Field(default=88.4, gt=0)
    """terminology.md §3.2: creatinine µmol/L = mg/dL × 88.4."""
    calcium_mmol_per_mg: float = Field(default=0.2495, gt=0)
    """terminology.md §3.3: calcium mmol/L = mg/dL × 0.2495."""
