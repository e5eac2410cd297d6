"""Group fairness metrics from one vectorised engine.

Every function here is computed from the same weighted confusion counts per group
(:func:`group_metrics` exposes them), so the numbers always agree with each other. Signatures and
values follow Fairlearn wherever Fairlearn has the same metric (``pos_label`` included), and the
tests check them against Fairlearn.

One choice differs from Fairlearn, on purpose: a rate whose denominator is zero in a group (the true
positive rate of a group without positives) is NaN, left out of every disparity and named in an
:class:`UndefinedMetricWarning`; Fairlearn counts it as 0, which can make a group that was never
treated differently look like the worst-treated one. Every rate, disparity and :func:`group_metrics`
takes scikit-learn's ``zero_division`` (``np.nan`` by default, ``"warn"``, 0 or 1), and
``zero_division=0`` gives Fairlearn's numbers.
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
from ._report import METRIC_NAMES, GroupMetricReport, group_metrics, score_metric
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
    "score_metric",
    "selection_rate",
    "true_negative_rate",
    "true_positive_rate",
    "youden_threshold",
]
