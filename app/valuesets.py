"""Canonical URLs of the clinical value sets in ``fhir_mappings/`` (one constant per ``valueset-<id>.json``).

Code refers to value sets only through these constants, never by file path or bare code (house style §2.4,
§2.6.5). ``tests/test_valuesets.py`` checks that every constant has a file and every file a constant.
"""

from __future__ import annotations

__all__ = [
    "ABALOPARATIDE",
    "ACTIVE_VITAMIN_D",
    "ALBUMIN",
    "ALENDRONATE",
    "ALENDRONATE_ALFACALCIDOL",
    "ALENDRONATE_CALCIUM_COLECALCIFEROL",
    "ALENDRONATE_COLECALCIFEROL",
    "ALKALINE_PHOSPHATASE",
    "ALL_VALUE_SETS",
    "ANABOLIC_AGENTS",
    "ANTIRESORPTIVES",
    "ATYPICAL_FEMORAL_FRACTURE",
    "BAZEDOXIFENE",
    "BETAMETHASONE",
    "BISPHOSPHONATES",
    "BUDESONIDE_ORAL",
    "CALCIUM_ALBUMIN_CORRECTED",
    "CALCIUM_IONIZED",
    "CALCIUM_METABOLISM_DISORDER",
    "CALCIUM_SUPPLEMENT",
    "CALCIUM_TOTAL",
    "CALCIUM_VITAMIN_D_COMBINATION",
    "CHRONIC_KIDNEY_DISEASE",
    "CHRONIC_KIDNEY_DISEASE_STAGE_1_3",
    "CHRONIC_KIDNEY_DISEASE_STAGE_4_5",
    "CONDITION_VALUE_SETS",
    "CONJUGATED_ESTROGENS_BAZEDOXIFENE",
    "CORTISONE",
    "CREATININE_CLEARANCE",
    "CTX",
    "DEFLAZACORT",
    "DENOSUMAB",
    "DENOSUMAB_ONCOLOGY",
    "DEXAMETHASONE",
    "DXA_BMD",
    "DXA_BMD_FEMORAL_NECK",
    "DXA_BMD_FOREARM",
    "DXA_BMD_LUMBAR_SPINE",
    "DXA_BMD_OTHER_SITE",
    "DXA_BMD_SITE_IN_BODY_SITE",
    "DXA_BMD_TOTAL_HIP",
    "DXA_STUDY",
    "DXA_T_SCORES",
    "DXA_T_SCORE_FEMORAL_NECK",
    "DXA_T_SCORE_FOREARM",
    "DXA_T_SCORE_LUMBAR_SPINE",
    "DXA_T_SCORE_OTHER_SITE",
    "DXA_T_SCORE_TOTAL_HIP",
    "DXA_Z_SCORES",
    "DXA_Z_SCORE_FEMORAL_NECK",
    "DXA_Z_SCORE_FOREARM",
    "DXA_Z_SCORE_LUMBAR_SPINE",
    "DXA_Z_SCORE_OTHER_SITE",
    "DXA_Z_SCORE_TOTAL_HIP",
    "EGFR",
    "FRACTURE_FEMUR",
    "FRACTURE_FOREARM",
    "FRACTURE_HIP",
    "FRACTURE_HUMERUS",
    "FRACTURE_OTHER",
    "FRACTURE_PATHOLOGICAL",
    "FRACTURE_PELVIS",
    "FRACTURE_RIB",
    "FRACTURE_TIBIA_FIBULA",
    "FRACTURE_VERTEBRAL",
    "FRAGILITY_FRACTURES",
    "FRAX_HIP_FRACTURE",
    "FRAX_MAJOR_OSTEOPOROTIC_FRACTURE",
    "GLUCOCORTICOID_EXPOSURE_CODED",
    "HORMONE_REPLACEMENT_THERAPY",
    "HYDROCORTISONE",
    "HYPERPARATHYROIDISM",
    "HYPERPARATHYROIDISM_DUE_TO_VITAMIN_D_DEFICIENCY",
    "HYPOCALCAEMIA",
    "IBANDRONATE",
    "IBANDRONATE_COLECALCIFEROL",
    "IBANDRONATE_IV",
    "IBANDRONATE_ORAL",
    "IV_BISPHOSPHONATES",
    "LONG_TERM_BISPHOSPHONATE_USE",
    "MEDICATION_VALUE_SETS",
    "METHYLPREDNISOLONE",
    "MYOCARDIAL_INFARCTION",
    "NON_SYSTEMIC_GLUCOCORTICOIDS",
    "OBSERVATION_VALUE_SETS",
    "ORAL_BISPHOSPHONATES",
    "OSTEONECROSIS_OF_JAW",
    "OSTEOPENIA",
    "OSTEOPOROSIS",
    "OSTEOPOROSIS_DRUGS",
    "OSTEOPOROSIS_WITH_FRACTURE",
    "P1NP",
    "PARATHYROID_HORMONE",
    "PHOSPHATE",
    "PREDNISOLONE",
    "PREDNISONE",
    "RALOXIFENE",
    "RHEUMATOID_ARTHRITIS",
    "RISEDRONATE",
    "ROMOSOZUMAB",
    "SERMS",
    "SERUM_CREATININE",
    "STROKE",
    "STRONTIUM_RANELATE",
    "SYSTEMIC_GLUCOCORTICOIDS",
    "TERIPARATIDE",
    "TIA",
    "TRIAMCINOLONE",
    "VENOUS_THROMBOEMBOLISM",
    "VITAMIN_D_25OH",
    "VITAMIN_D_DEFICIENCY",
    "VITAMIN_D_SUPPLEMENT",
    "ZOLEDRONATE",
    "ZOLEDRONATE_CALCIUM_COLECALCIFEROL",
    "ZOLEDRONATE_ONCOLOGY",
]

# Observations (terminology.md §1-§3)
DXA_T_SCORE_LUMBAR_SPINE = "http://osteo-cds.org/fhir/ValueSet/dxa-t-score-lumbar-spine"
DXA_T_SCORE_FEMORAL_NECK = "http://osteo-cds.org/fhir/ValueSet/dxa-t-score-femoral-neck"
DXA_T_SCORE_TOTAL_HIP = "http://osteo-cds.org/fhir/ValueSet/dxa-t-score-total-hip"
DXA_T_SCORE_FOREARM = "http://osteo-cds.org/fhir/ValueSet/dxa-t-score-forearm"
DXA_T_SCORE_OTHER_SITE = "http://osteo-cds.org/fhir/ValueSet/dxa-t-score-other-site"
DXA_T_SCORES = "http://osteo-cds.org/fhir/ValueSet/dxa-t-scores"
DXA_Z_SCORE_LUMBAR_SPINE = "http://osteo-cds.org/fhir/ValueSet/dxa-z-score-lumbar-spine"
DXA_Z_SCORE_FEMORAL_NECK = "http://osteo-cds.org/fhir/ValueSet/dxa-z-score-femoral-neck"
DXA_Z_SCORE_TOTAL_HIP = "http://osteo-cds.org/fhir/ValueSet/dxa-z-score-total-hip"
DXA_Z_SCORE_FOREARM = "http://osteo-cds.org/fhir/ValueSet/dxa-z-score-forearm"
DXA_Z_SCORE_OTHER_SITE = "http://osteo-cds.org/fhir/ValueSet/dxa-z-score-other-site"
DXA_Z_SCORES = "http://osteo-cds.org/fhir/ValueSet/dxa-z-scores"
DXA_BMD_LUMBAR_SPINE = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd-lumbar-spine"
DXA_BMD_FEMORAL_NECK = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd-femoral-neck"
DXA_BMD_TOTAL_HIP = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd-total-hip"
DXA_BMD_FOREARM = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd-forearm"
DXA_BMD_OTHER_SITE = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd-other-site"
DXA_BMD_SITE_IN_BODY_SITE = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd-site-in-body-site"
DXA_BMD = "http://osteo-cds.org/fhir/ValueSet/dxa-bmd"
DXA_STUDY = "http://osteo-cds.org/fhir/ValueSet/dxa-study"
FRAX_MAJOR_OSTEOPOROTIC_FRACTURE = "http://osteo-cds.org/fhir/ValueSet/frax-major-osteoporotic-fracture"
FRAX_HIP_FRACTURE = "http://osteo-cds.org/fhir/ValueSet/frax-hip-fracture"
VITAMIN_D_25OH = "http://osteo-cds.org/fhir/ValueSet/vitamin-d-25oh"
EGFR = "http://osteo-cds.org/fhir/ValueSet/egfr"
CREATININE_CLEARANCE = "http://osteo-cds.org/fhir/ValueSet/creatinine-clearance"
SERUM_CREATININE = "http://osteo-cds.org/fhir/ValueSet/serum-creatinine"
CALCIUM_TOTAL = "http://osteo-cds.org/fhir/ValueSet/calcium-total"
CALCIUM_ALBUMIN_CORRECTED = "http://osteo-cds.org/fhir/ValueSet/calcium-albumin-corrected"
CALCIUM_IONIZED = "http://osteo-cds.org/fhir/ValueSet/calcium-ionized"
ALBUMIN = "http://osteo-cds.org/fhir/ValueSet/albumin"
PARATHYROID_HORMONE = "http://osteo-cds.org/fhir/ValueSet/parathyroid-hormone"
PHOSPHATE = "http://osteo-cds.org/fhir/ValueSet/phosphate"
ALKALINE_PHOSPHATASE = "http://osteo-cds.org/fhir/ValueSet/alkaline-phosphatase"
CTX = "http://osteo-cds.org/fhir/ValueSet/ctx"
P1NP = "http://osteo-cds.org/fhir/ValueSet/p1np"

# Conditions (terminology.md §4)
OSTEOPOROSIS_WITH_FRACTURE = "http://osteo-cds.org/fhir/ValueSet/osteoporosis-with-fracture"
FRACTURE_VERTEBRAL = "http://osteo-cds.org/fhir/ValueSet/fracture-vertebral"
FRACTURE_HIP = "http://osteo-cds.org/fhir/ValueSet/fracture-hip"
FRACTURE_FEMUR = "http://osteo-cds.org/fhir/ValueSet/fracture-femur"
FRACTURE_PELVIS = "http://osteo-cds.org/fhir/ValueSet/fracture-pelvis"
FRACTURE_HUMERUS = "http://osteo-cds.org/fhir/ValueSet/fracture-humerus"
FRACTURE_FOREARM = "http://osteo-cds.org/fhir/ValueSet/fracture-forearm"
FRACTURE_RIB = "http://osteo-cds.org/fhir/ValueSet/fracture-rib"
FRACTURE_TIBIA_FIBULA = "http://osteo-cds.org/fhir/ValueSet/fracture-tibia-fibula"
FRACTURE_OTHER = "http://osteo-cds.org/fhir/ValueSet/fracture-other"
FRACTURE_PATHOLOGICAL = "http://osteo-cds.org/fhir/ValueSet/fracture-pathological"
FRAGILITY_FRACTURES = "http://osteo-cds.org/fhir/ValueSet/fragility-fractures"
ATYPICAL_FEMORAL_FRACTURE = "http://osteo-cds.org/fhir/ValueSet/atypical-femoral-fracture"
OSTEOPOROSIS = "http://osteo-cds.org/fhir/ValueSet/osteoporosis"
OSTEOPENIA = "http://osteo-cds.org/fhir/ValueSet/osteopenia"
MYOCARDIAL_INFARCTION = "http://osteo-cds.org/fhir/ValueSet/myocardial-infarction"
STROKE = "http://osteo-cds.org/fhir/ValueSet/stroke"
TIA = "http://osteo-cds.org/fhir/ValueSet/tia"
VENOUS_THROMBOEMBOLISM = "http://osteo-cds.org/fhir/ValueSet/venous-thromboembolism"
CHRONIC_KIDNEY_DISEASE_STAGE_4_5 = "http://osteo-cds.org/fhir/ValueSet/chronic-kidney-disease-stage-4-5"
CHRONIC_KIDNEY_DISEASE_STAGE_1_3 = "http://osteo-cds.org/fhir/ValueSet/chronic-kidney-disease-stage-1-3"
CHRONIC_KIDNEY_DISEASE = "http://osteo-cds.org/fhir/ValueSet/chronic-kidney-disease"
HYPOCALCAEMIA = "http://osteo-cds.org/fhir/ValueSet/hypocalcaemia"
CALCIUM_METABOLISM_DISORDER = "http://osteo-cds.org/fhir/ValueSet/calcium-metabolism-disorder"
HYPERPARATHYROIDISM_DUE_TO_VITAMIN_D_DEFICIENCY = (
    "http://osteo-cds.org/fhir/ValueSet/hyperparathyroidism-due-to-vitamin-d-deficiency"
)
VITAMIN_D_DEFICIENCY = "http://osteo-cds.org/fhir/ValueSet/vitamin-d-deficiency"
HYPERPARATHYROIDISM = "http://osteo-cds.org/fhir/ValueSet/hyperparathyroidism"
RHEUMATOID_ARTHRITIS = "http://osteo-cds.org/fhir/ValueSet/rheumatoid-arthritis"
OSTEONECROSIS_OF_JAW = "http://osteo-cds.org/fhir/ValueSet/osteonecrosis-of-jaw"
LONG_TERM_BISPHOSPHONATE_USE = "http://osteo-cds.org/fhir/ValueSet/long-term-bisphosphonate-use"
GLUCOCORTICOID_EXPOSURE_CODED = "http://osteo-cds.org/fhir/ValueSet/glucocorticoid-exposure-coded"

# Medications (terminology.md §5)
ALENDRONATE = "http://osteo-cds.org/fhir/ValueSet/alendronate"
ALENDRONATE_COLECALCIFEROL = "http://osteo-cds.org/fhir/ValueSet/alendronate-colecalciferol"
ALENDRONATE_CALCIUM_COLECALCIFEROL = "http://osteo-cds.org/fhir/ValueSet/alendronate-calcium-colecalciferol"
ALENDRONATE_ALFACALCIDOL = "http://osteo-cds.org/fhir/ValueSet/alendronate-alfacalcidol"
RISEDRONATE = "http://osteo-cds.org/fhir/ValueSet/risedronate"
IBANDRONATE_ORAL = "http://osteo-cds.org/fhir/ValueSet/ibandronate-oral"
IBANDRONATE_IV = "http://osteo-cds.org/fhir/ValueSet/ibandronate-iv"
IBANDRONATE = "http://osteo-cds.org/fhir/ValueSet/ibandronate"
IBANDRONATE_COLECALCIFEROL = "http://osteo-cds.org/fhir/ValueSet/ibandronate-colecalciferol"
ZOLEDRONATE = "http://osteo-cds.org/fhir/ValueSet/zoledronate"
ZOLEDRONATE_CALCIUM_COLECALCIFEROL = "http://osteo-cds.org/fhir/ValueSet/zoledronate-calcium-colecalciferol"
ZOLEDRONATE_ONCOLOGY = "http://osteo-cds.org/fhir/ValueSet/zoledronate-oncology"
DENOSUMAB = "http://osteo-cds.org/fhir/ValueSet/denosumab"
DENOSUMAB_ONCOLOGY = "http://osteo-cds.org/fhir/ValueSet/denosumab-oncology"
TERIPARATIDE = "http://osteo-cds.org/fhir/ValueSet/teriparatide"
ABALOPARATIDE = "http://osteo-cds.org/fhir/ValueSet/abaloparatide"
ROMOSOZUMAB = "http://osteo-cds.org/fhir/ValueSet/romosozumab"
RALOXIFENE = "http://osteo-cds.org/fhir/ValueSet/raloxifene"
BAZEDOXIFENE = "http://osteo-cds.org/fhir/ValueSet/bazedoxifene"
CONJUGATED_ESTROGENS_BAZEDOXIFENE = "http://osteo-cds.org/fhir/ValueSet/conjugated-estrogens-bazedoxifene"
STRONTIUM_RANELATE = "http://osteo-cds.org/fhir/ValueSet/strontium-ranelate"
HORMONE_REPLACEMENT_THERAPY = "http://osteo-cds.org/fhir/ValueSet/hormone-replacement-therapy"
CALCIUM_VITAMIN_D_COMBINATION = "http://osteo-cds.org/fhir/ValueSet/calcium-vitamin-d-combination"
CALCIUM_SUPPLEMENT = "http://osteo-cds.org/fhir/ValueSet/calcium-supplement"
VITAMIN_D_SUPPLEMENT = "http://osteo-cds.org/fhir/ValueSet/vitamin-d-supplement"
ACTIVE_VITAMIN_D = "http://osteo-cds.org/fhir/ValueSet/active-vitamin-d"
ORAL_BISPHOSPHONATES = "http://osteo-cds.org/fhir/ValueSet/oral-bisphosphonates"
IV_BISPHOSPHONATES = "http://osteo-cds.org/fhir/ValueSet/iv-bisphosphonates"
BISPHOSPHONATES = "http://osteo-cds.org/fhir/ValueSet/bisphosphonates"
SERMS = "http://osteo-cds.org/fhir/ValueSet/serms"
ANTIRESORPTIVES = "http://osteo-cds.org/fhir/ValueSet/antiresorptives"
ANABOLIC_AGENTS = "http://osteo-cds.org/fhir/ValueSet/anabolic-agents"
OSTEOPOROSIS_DRUGS = "http://osteo-cds.org/fhir/ValueSet/osteoporosis-drugs"
PREDNISONE = "http://osteo-cds.org/fhir/ValueSet/prednisone"
PREDNISOLONE = "http://osteo-cds.org/fhir/ValueSet/prednisolone"
METHYLPREDNISOLONE = "http://osteo-cds.org/fhir/ValueSet/methylprednisolone"
DEXAMETHASONE = "http://osteo-cds.org/fhir/ValueSet/dexamethasone"
HYDROCORTISONE = "http://osteo-cds.org/fhir/ValueSet/hydrocortisone"
CORTISONE = "http://osteo-cds.org/fhir/ValueSet/cortisone"
BETAMETHASONE = "http://osteo-cds.org/fhir/ValueSet/betamethasone"
TRIAMCINOLONE = "http://osteo-cds.org/fhir/ValueSet/triamcinolone"
DEFLAZACORT = "http://osteo-cds.org/fhir/ValueSet/deflazacort"
BUDESONIDE_ORAL = "http://osteo-cds.org/fhir/ValueSet/budesonide-oral"
SYSTEMIC_GLUCOCORTICOIDS = "http://osteo-cds.org/fhir/ValueSet/systemic-glucocorticoids"
NON_SYSTEMIC_GLUCOCORTICOIDS = "http://osteo-cds.org/fhir/ValueSet/non-systemic-glucocorticoids"

OBSERVATION_VALUE_SETS: tuple[str, ...] = (
    DXA_T_SCORE_LUMBAR_SPINE,
    DXA_T_SCORE_FEMORAL_NECK,
    DXA_T_SCORE_TOTAL_HIP,
    DXA_T_SCORE_FOREARM,
    DXA_T_SCORE_OTHER_SITE,
    DXA_Z_SCORE_LUMBAR_SPINE,
    DXA_Z_SCORE_FEMORAL_NECK,
    DXA_Z_SCORE_TOTAL_HIP,
    DXA_Z_SCORE_FOREARM,
    DXA_Z_SCORE_OTHER_SITE,
    DXA_BMD_LUMBAR_SPINE,
    DXA_BMD_FEMORAL_NECK,
    DXA_BMD_TOTAL_HIP,
    DXA_BMD_FOREARM,
    DXA_BMD_OTHER_SITE,
    DXA_BMD_SITE_IN_BODY_SITE,
    FRAX_MAJOR_OSTEOPOROTIC_FRACTURE,
    FRAX_HIP_FRACTURE,
    VITAMIN_D_25OH,
    EGFR,
    CREATININE_CLEARANCE,
    SERUM_CREATININE,
    CALCIUM_TOTAL,
    CALCIUM_ALBUMIN_CORRECTED,
    CALCIUM_IONIZED,
    ALBUMIN,
    PARATHYROID_HORMONE,
    PHOSPHATE,
    ALKALINE_PHOSPHATASE,
    CTX,
    P1NP,
)
"""Leaf Observation value sets (no unions, no DXA study/report codes): their codes make the Observation search."""

CONDITION_VALUE_SETS: tuple[str, ...] = (
    OSTEOPOROSIS_WITH_FRACTURE,
    FRACTURE_VERTEBRAL,
    FRACTURE_HIP,
    FRACTURE_FEMUR,
    FRACTURE_PELVIS,
    FRACTURE_HUMERUS,
    FRACTURE_FOREARM,
    FRACTURE_RIB,
    FRACTURE_TIBIA_FIBULA,
    FRACTURE_OTHER,
    FRACTURE_PATHOLOGICAL,
    FRAGILITY_FRACTURES,
    ATYPICAL_FEMORAL_FRACTURE,
    OSTEOPOROSIS,
    OSTEOPENIA,
    MYOCARDIAL_INFARCTION,
    STROKE,
    TIA,
    VENOUS_THROMBOEMBOLISM,
    CHRONIC_KIDNEY_DISEASE_STAGE_4_5,
    CHRONIC_KIDNEY_DISEASE_STAGE_1_3,
    CHRONIC_KIDNEY_DISEASE,
    HYPOCALCAEMIA,
    CALCIUM_METABOLISM_DISORDER,
    HYPERPARATHYROIDISM_DUE_TO_VITAMIN_D_DEFICIENCY,
    VITAMIN_D_DEFICIENCY,
    HYPERPARATHYROIDISM,
    RHEUMATOID_ARTHRITIS,
    OSTEONECROSIS_OF_JAW,
    LONG_TERM_BISPHOSPHONATE_USE,
    GLUCOCORTICOID_EXPOSURE_CODED,
)
"""Condition value sets (terminology.md §4), unions included."""

MEDICATION_VALUE_SETS: tuple[str, ...] = (
    ALENDRONATE,
    ALENDRONATE_COLECALCIFEROL,
    ALENDRONATE_CALCIUM_COLECALCIFEROL,
    ALENDRONATE_ALFACALCIDOL,
    RISEDRONATE,
    IBANDRONATE_ORAL,
    IBANDRONATE_IV,
    IBANDRONATE,
    IBANDRONATE_COLECALCIFEROL,
    ZOLEDRONATE,
    ZOLEDRONATE_CALCIUM_COLECALCIFEROL,
    ZOLEDRONATE_ONCOLOGY,
    DENOSUMAB,
    DENOSUMAB_ONCOLOGY,
    TERIPARATIDE,
    ABALOPARATIDE,
    ROMOSOZUMAB,
    RALOXIFENE,
    BAZEDOXIFENE,
    CONJUGATED_ESTROGENS_BAZEDOXIFENE,
    STRONTIUM_RANELATE,
    HORMONE_REPLACEMENT_THERAPY,
    CALCIUM_VITAMIN_D_COMBINATION,
    CALCIUM_SUPPLEMENT,
    VITAMIN_D_SUPPLEMENT,
    ACTIVE_VITAMIN_D,
    ORAL_BISPHOSPHONATES,
    IV_BISPHOSPHONATES,
    BISPHOSPHONATES,
    SERMS,
    ANTIRESORPTIVES,
    ANABOLIC_AGENTS,
    OSTEOPOROSIS_DRUGS,
    PREDNISONE,
    PREDNISOLONE,
    METHYLPREDNISOLONE,
    DEXAMETHASONE,
    HYDROCORTISONE,
    CORTISONE,
    BETAMETHASONE,
    TRIAMCINOLONE,
    DEFLAZACORT,
    BUDESONIDE_ORAL,
    SYSTEMIC_GLUCOCORTICOIDS,
    NON_SYSTEMIC_GLUCOCORTICOIDS,
)
"""Medication value sets (terminology.md §5), classes included."""

ALL_VALUE_SETS: tuple[str, ...] = (
    DXA_T_SCORE_LUMBAR_SPINE,
    DXA_T_SCORE_FEMORAL_NECK,
    DXA_T_SCORE_TOTAL_HIP,
    DXA_T_SCORE_FOREARM,
    DXA_T_SCORE_OTHER_SITE,
    DXA_T_SCORES,
    DXA_Z_SCORE_LUMBAR_SPINE,
    DXA_Z_SCORE_FEMORAL_NECK,
    DXA_Z_SCORE_TOTAL_HIP,
    DXA_Z_SCORE_FOREARM,
    DXA_Z_SCORE_OTHER_SITE,
    DXA_Z_SCORES,
    DXA_BMD_LUMBAR_SPINE,
    DXA_BMD_FEMORAL_NECK,
    DXA_BMD_TOTAL_HIP,
    DXA_BMD_FOREARM,
    DXA_BMD_OTHER_SITE,
    DXA_BMD_SITE_IN_BODY_SITE,
    DXA_BMD,
    DXA_STUDY,
    FRAX_MAJOR_OSTEOPOROTIC_FRACTURE,
    FRAX_HIP_FRACTURE,
    VITAMIN_D_25OH,
    EGFR,
    CREATININE_CLEARANCE,
    SERUM_CREATININE,
    CALCIUM_TOTAL,
    CALCIUM_ALBUMIN_CORRECTED,
    CALCIUM_IONIZED,
    ALBUMIN,
    PARATHYROID_HORMONE,
    PHOSPHATE,
    ALKALINE_PHOSPHATASE,
    CTX,
    P1NP,
    OSTEOPOROSIS_WITH_FRACTURE,
    FRACTURE_VERTEBRAL,
    FRACTURE_HIP,
    FRACTURE_FEMUR,
    FRACTURE_PELVIS,
    FRACTURE_HUMERUS,
    FRACTURE_FOREARM,
    FRACTURE_RIB,
    FRACTURE_TIBIA_FIBULA,
    FRACTURE_OTHER,
    FRACTURE_PATHOLOGICAL,
    FRAGILITY_FRACTURES,
    ATYPICAL_FEMORAL_FRACTURE,
    OSTEOPOROSIS,
    OSTEOPENIA,
    MYOCARDIAL_INFARCTION,
    STROKE,
    TIA,
    VENOUS_THROMBOEMBOLISM,
    CHRONIC_KIDNEY_DISEASE_STAGE_4_5,
    CHRONIC_KIDNEY_DISEASE_STAGE_1_3,
    CHRONIC_KIDNEY_DISEASE,
    HYPOCALCAEMIA,
    CALCIUM_METABOLISM_DISORDER,
    HYPERPARATHYROIDISM_DUE_TO_VITAMIN_D_DEFICIENCY,
    VITAMIN_D_DEFICIENCY,
    HYPERPARATHYROIDISM,
    RHEUMATOID_ARTHRITIS,
    OSTEONECROSIS_OF_JAW,
    LONG_TERM_BISPHOSPHONATE_USE,
    GLUCOCORTICOID_EXPOSURE_CODED,
    ALENDRONATE,
    ALENDRONATE_COLECALCIFEROL,
    ALENDRONATE_CALCIUM_COLECALCIFEROL,
    ALENDRONATE_ALFACALCIDOL,
    RISEDRONATE,
    IBANDRONATE_ORAL,
    IBANDRONATE_IV,
    IBANDRONATE,
    IBANDRONATE_COLECALCIFEROL,
    ZOLEDRONATE,
    ZOLEDRONATE_CALCIUM_COLECALCIFEROL,
    ZOLEDRONATE_ONCOLOGY,
    DENOSUMAB,
    DENOSUMAB_ONCOLOGY,
    TERIPARATIDE,
    ABALOPARATIDE,
    ROMOSOZUMAB,
    RALOXIFENE,
    BAZEDOXIFENE,
    CONJUGATED_ESTROGENS_BAZEDOXIFENE,
    STRONTIUM_RANELATE,
    HORMONE_REPLACEMENT_THERAPY,
    CALCIUM_VITAMIN_D_COMBINATION,
    CALCIUM_SUPPLEMENT,
    VITAMIN_D_SUPPLEMENT,
    ACTIVE_VITAMIN_D,
    ORAL_BISPHOSPHONATES,
    IV_BISPHOSPHONATES,
    BISPHOSPHONATES,
    SERMS,
    ANTIRESORPTIVES,
    ANABOLIC_AGENTS,
    OSTEOPOROSIS_DRUGS,
    PREDNISONE,
    PREDNISOLONE,
    METHYLPREDNISOLONE,
    DEXAMETHASONE,
    HYDROCORTISONE,
    CORTISONE,
    BETAMETHASONE,
    TRIAMCINOLONE,
    DEFLAZACORT,
    BUDESONIDE_ORAL,
    SYSTEMIC_GLUCOCORTICOIDS,
    NON_SYSTEMIC_GLUCOCORTICOIDS,
)
"""Every value set the service ships; ``load_catalog`` must find each of them."""
