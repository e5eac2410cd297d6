"""Group fairness metrics from one vectorised engine.

Every function here is computed from the same weighted confusion counts per group
(:func:`group_metrics` exposes them), so the numbers always agree with each other. Signatures and
values follow Fairlearn wherever Fairlearn has the same metric; the tests check them to 1e-9.
"""

from ._engine import UndefinedMetricWarning
from ._functions import (
    demographic_parity_difference,
    demographic_parity_ratio,
    discrimination_score,
    disparate_impact_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_omission_rate,
    false_positive_rate,
    precision,
    predictive_parity_difference,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from ._report import METRIC_NAMES, GroupMetricReport, group_metrics
from ._scores import calibration_by_group, roc_auc_by_group, youden_threshold

__all__ = [
    "METRIC_NAMES",
    "GroupMetricReport",
    "UndefinedMetricWarning",
    "calibration_by_group",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "discrimination_score",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_omission_rate",
    "false_positive_rate",
    "group_metrics",
    "precision",
    "predictive_parity_difference",
    "roc_auc_by_group",
    "selection_rate",
    "true_negative_rate",
    "true_positive_rate",
    "youden_threshold",
]
