"""Guideline parameters (``shared/clinical/rules.md`` §2): every choice where the sources differ, as configuration.

Defaults are the catalog's defaults, which follow ``shared/clinical/conflicts.md``: current NL texts over older
ones; the more inclusive reading where it leads to protective action, the stricter one where it leads to
withdrawal of therapy. Each field's docstring names the catalog parameter (and conflict id) and its basis.
Settable per deployment, e.g. ``OSTEO_GUIDELINE__GC_DOSE_HIGH_INCLUSIVE=false``. Profile-dependent values
(``None`` = "the profile's default") are resolved with :meth:`GuidelineParameters.for_profile`.

Data freshness (DXA age, lab age, ...) lives in :class:`app.snapshot.parameters.SnapshotParameters`: it decides
what the snapshot calls stale, before any rule runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["GuidelineParameters"]


class GuidelineParameters(BaseModel):
    """rules.md §2 configuration parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Diagnosis and risk (§3)
    t_op_cutoff_inclusive: bool = True
    """T_OP_CUTOFF (C-01): osteoporosis if T ≤ −2.5 (S2, S3, S4); False → T < −2.5 (S1, S3 score list)."""
    t_normal_at_minus1: bool = True
    """T_NORMAL_AT_MINUS1 (C-02): T = −1.0 is normal (WHO convention [NIS]); False → osteopenia."""
    bbc_apply_to_men: bool = True
    """BBC_APPLY_TO_MEN: apply the BBC risk classes to men too (S2 is written for postmenopausal women) [INF]."""
    frax_high_mof_pct: float | None = Field(default=None, gt=0, le=100)
    """FRAX_HIGH_MOF_PCT (C-40): 10-year major-osteoporotic-fracture probability (%) at or above which RISK-BBC-1
    classes a patient HIGH. Unset by default: the BBC Fig. 2 thresholds are not recoverable from the seed text, so
    "low" stays provisional; a site sets its local value."""
    frax_high_hip_pct: float | None = Field(default=None, gt=0, le=100)
    """FRAX_HIGH_HIP_PCT (C-40): the same for the 10-year hip-fracture probability (%). Unset by default."""

    # Fractures and identification (§3, §4)
    recent_fx_years: int = Field(default=2, ge=1, le=10)
    """RECENT_FX_YEARS (C-07): a fracture is recent within this many years (S1, S2, S4)."""
    recent_fx_inclusive: bool = True
    """RECENT_FX_INCLUSIVE (C-07): ≤ 2 years (S4 flowchart); False → < 2 years (S1, S4 plan)."""
    ident_min_age_inclusive: bool = True
    """IDENT_MIN_AGE (C-36): fracture-liaison identification from age ≥ 50; False → > 50 (S1 "ouder dan 50")."""
    screen_bbc_in_nl: bool = False
    """SCREEN-BBC-1 is [BE; optional in NL]: also run it in the NL profile."""

    # Glucocorticoids (§8)
    gc_dose_high_inclusive: bool = True
    """GC_DOSE_HIGH (C-04): prednisone-eq. ≥ 7.5 mg/day (S4 flowchart & indicator); False → > 7.5 (S4 plan)."""
    gc_dose_low_inclusive: bool = True
    """GC_DOSE_LOW (C-05): low band from ≥ 2.5 mg/day (S4 flowchart); False → > 2.5 (S4 plan)."""
    gc_min_duration_inclusive: bool = True
    """GC_MIN_DURATION_M (C-06): ≥ 3 months (S4 flowchart title); False → > 3 months (S4 plan)."""
    gc_parenteral_age75: bool = True
    """GC_PARENTERAL_AGE75 (C-08): age ≥ 75 counts as a very-high-risk criterion (S4 flowchart only)."""
    gc_legacy_enabled: bool = False
    """GC_LEGACY_ENABLED (C-10): the superseded S0 rule GC-LEGACY-1 (audit only)."""

    # Renal and safety (§6)
    egfr_ci_zoledronate_ml_min: Literal[35, 30] = 35
    """EGFR_CI_ZOL (C-13): IV zoledronate contraindicated below 35 mL/min (S2); 30 → S0's generic "< 30"."""
    romo_ci_includes_tia: bool = True
    """ROMO_CI_INCLUDES_TIA (C-15): TIA counts with MI/stroke against romosozumab (S2 Tabel 2)."""
    tptd_after_dmab_lookback_months: Literal[18, 6] = 18
    """TPTD_AFTER_DMAB_LOOKBACK_M (C-30): no teriparatide within 18 months of denosumab (end of the rebound
    window, S2) [INF]; 6 → only "currently on denosumab" (S2 literal)."""
    duplicate_therapy_enabled: bool = False
    """DUP-1 [NIS] is disabled by default."""

    # Anabolic (§12)
    romo_nl_criteria: Literal["plan", "flowchart"] = "plan"
    """ROMO_NL_CRITERIA (C-16): the S4 implementation-plan text; "flowchart" → the S4 flowchart variant."""
    teriparatide_max_months: Literal[24, 18] | None = None
    """TPTD_MAX_M (C-14): None → the profile's value of the parameter table: 24 (NL, S4/S0) or 18 (BE, S2)."""
    romosozumab_max_months: int = 12
    """ROMO_MAX_M: 12 months (S2 «De behandeling met romosozumab is beperkt tot 12 maanden»; S4 Bijlage 8
    «Romosozumab 1 jaar»)."""
    post_anabolic_antiresorptive_min_years: int = 2
    """POST_ANABOLIC_AR_MIN_Y (C-32): at least 2 years of antiresorptive after an anabolic (S4 flowchart)."""

    # Bisphosphonates (§10)
    bp_holiday_t_sites: Literal["all", "hip"] = "all"
    """BP_HOLIDAY_T_SITES (C-22): all measured sites > −2.5 (S4); "hip" → hip only (BBC, S2)."""
    bp_holiday_followup_years_oral: Literal[2, 5] | None = None
    """BP_HOLIDAY_FU_Y (C-24), oral: None → the profile's value of the parameter table: 2 (NL, S4) or 5 (BE, S2)."""
    bp_holiday_followup_years_zoledronate: int = 3
    """BP_HOLIDAY_FU_Y (C-24), zoledronate: 3 years (S4, S2)."""
    bp_holiday_repeat_followup_years: Literal[2, 3] = 2
    """BP_HOLIDAY_REPEAT_FU_Y (C-24): then every 2 years (S4 "om de 2-3 jaar", protective end)."""
    bmd_baseline_ref: Literal["mixed", "pretreatment"] = "mixed"
    """BMD_BASELINE_REF (C-47): evaluation vs pre-treatment DXA, holiday follow-up vs DXA at holiday start [INF];
    "pretreatment" → pre-treatment DXA for both."""
    adherence_pdc_min_pct: float = Field(default=80, gt=0, le=100)
    """SWITCH-ADH-1 [NIS]: dispensing-based adherence (proportion of days covered) below this percentage is poor
    adherence (rules.md §9 SWITCH-ADH-1 "dispensing-based adherence (PDC/MPR) [NIS threshold, default < 80 %]")."""
    adherence_pdc_window_days: int = Field(default=365, ge=30)
    """SWITCH-ADH-1 [NIS]: the PDC looks back at most this many days (from the start of the current oral
    bisphosphonate episode, if later). The seeds give no period; one year is the usual PDC period."""
    adherence_pdc_min_days: int = Field(default=90, ge=1)
    """SWITCH-ADH-1 [NIS]: a PDC over fewer days than this (first dispense to today) is not judged: too early to
    tell poor adherence from a late first refill. 90 days mirrors the 3-month BTM check of S2."""
    failure_definition: Literal["nl", "bbc"] = "nl"
    """FAILURE_DEFINITION (C-21): NL (≥ 1 new fracture after ≥ 12 months) triggers, BBC criteria reported as
    confirmation (S4 vs S2); "bbc" → BBC criteria only."""

    # Denosumab (§11)
    dmab_scheme_at_exactly_3y: Literal["more-than-3", "less-than-3"] = "more-than-3"
    """DMAB_SCHEME_AT_EXACTLY_3Y (C-28): exactly 3.0 years → the "> 3 years" stop scheme (more protective)."""

    # Calcium and vitamin D (§7)
    calcium_target: Literal["1000-1200", "1200"] = "1000-1200"
    """CALCIUM_TARGET_MG (C-33): 1000–1200 mg/day total intake (S3, S4); "1200" → S2."""
    population_vitamin_d_enabled: bool = False
    """VITD-3 [NL, optional]: the legacy NL population vitamin D table."""
    btm_monitoring_enabled: bool = False
    """MON-BTM-1 [ALL, optional]: bone-turnover markers to check adherence."""

    # Presentation (§0.3)
    info_snooze_days: int = Field(default=30, ge=0, le=365)
    """INFO_SNOOZE_DAYS [NIS] (rules.md §0.3 item 6): an ``info`` card on patient-view is not shown again to the
    same patient's chart for this many days after a card of that rule was acknowledged there (feedback
    ``accepted`` or ``overridden``); warning/critical cards and order hooks are never snoozed. 0 disables.
    See app/feedback/snooze.py for the boundary (inclusive, rules.md §0.3 item 2)."""

    def for_profile(self, profile: str) -> GuidelineParameters:
        """These parameters with every profile-dependent ``None`` resolved for ``profile`` (``nl`` or ``be``): the
        profile's value of the parameter table (``TPTD_MAX_M``, ``BP_HOLIDAY_FU_Y``)."""
        from app.rules.osteoporosis.thresholds import BP_HOLIDAY_FU_YEARS_ORAL, TPTD_MAX_MONTHS  # noqa: PLC0415

        return self.model_copy(
            update={
                "teriparatide_max_months": self.teriparatide_max_months or int(TPTD_MAX_MONTHS.in_profile(profile)),
                "bp_holiday_followup_years_oral": self.bp_holiday_followup_years_oral
                or int(BP_HOLIDAY_FU_YEARS_ORAL.in_profile(profile)),
            }
        )
