"""Post-processing: one decision threshold per group, chosen so every group reaches the same rate.

Unlike Fairlearn's ``ThresholdOptimizer``, which randomises between two thresholds per group (so
two runs give different predictions), these thresholds are plain numbers: a row is predicted
positive when its score is at least its group's threshold, the same way every time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validation import (
    check_binary,
    check_choice,
    check_fraction,
    check_scores,
    check_sensitive_features,
)
from ._preprocessing import _group_codes, _lookup_codes

__all__ = ["GroupThresholds", "group_thresholds"]

_CRITERIA = ("equal_opportunity", "demographic_parity")
_RATE_NAMES = {"equal_opportunity": "true positive rate", "demographic_parity": "selection rate"}


def _threshold_for_rate(scores: np.ndarray, target: float) -> tuple[float, int, int]:
    """The threshold whose share of ``scores >= threshold`` is closest to ``target``.

    Returns (threshold, number selected, largest block of tied scores). Reachable shares are 0
    and, for each distinct score v, the share of scores >= v; on a tie between two of them the
    smaller share (the higher threshold) wins.
    """
    values, counts = np.unique(scores, return_counts=True)
    selected = np.concatenate([[0], np.cumsum(counts[::-1])])  # 0, then the top distinct values
    thresholds = np.concatenate([[np.inf], values[::-1]])
    best = int(np.argmin(np.abs(selected - target * len(scores))))  # first = smallest count on ties
    return float(thresholds[best]), int(selected[best]), int(counts.max())


class GroupThresholds(BaseEstimator):
    """Group-specific thresholds on scores that equalise the TPR or the selection rate.

    ``fit`` chooses, for each group, the threshold whose rate on the fitted data is closest to a
    common ``target`` rate:

    - ``criterion="equal_opportunity"``: the true positive rate, P(score >= t_g | y = 1, g);
    - ``criterion="demographic_parity"``: the selection rate, P(score >= t_g | g).

    The reachable rates of a group are the multiples of ``1 / n_g`` at which its scores change
    (``n_g`` its positives, or its rows, for the two criteria), so on the fitted data each group's
    rate is within ``b_g / (2 n_g)`` of the target, ``b_g`` being the largest number of those rows
    that share one score; with distinct scores that is ``1 / (2 n_g)``, and two groups differ by at
    most ``1 / (2 n_g) + 1 / (2 n_h)``. A tie between two equally close rates goes to the lower
    rate (the higher threshold).

    Deterministic: no randomisation, the same scores give the same predictions every run.

    Parameters
    ----------
    criterion : {"equal_opportunity", "demographic_parity"}
    target : float in [0, 1], optional
        The rate every group should reach. By default the overall rate of the single,
        group-blind threshold ``reference_threshold`` on the fitted data, so the mitigated model
        selects about as often as the original one overall.
    reference_threshold : float, default=0.5
        The group-blind threshold that sets the default target (0.5 for probabilities; use 0 for
        ``decision_function`` scores).

    Attributes
    ----------
    thresholds_ : pandas.Series
        One threshold per group (``inf``: nobody in the group is selected).
    rates_ : pandas.Series
        Each group's rate on the fitted data.
    target_ : float
        The target rate used.
    n_rows_ : pandas.Series
        ``n_g``: the rows each rate is computed over (positives for equal opportunity).

    Examples
    --------
    >>> scores = [0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.35, 0.2]
    >>> y = [1, 1, 1, 0, 1, 1, 1, 0]
    >>> sex = ["M", "M", "M", "M", "F", "F", "F", "F"]
    >>> gt = GroupThresholds(criterion="equal_opportunity", target=2 / 3).fit(scores, y, sensitive_features=sex)
    >>> gt.thresholds_.to_dict()
    {'F': 0.4, 'M': 0.8}
    >>> gt.predict(scores, sensitive_features=sex).tolist()
    [1, 1, 0, 0, 1, 1, 0, 0]
    """

    def __init__(self, criterion="equal_opportunity", target=None, reference_threshold=0.5):
        self.criterion = criterion
        self.target = target
        self.reference_threshold = reference_threshold

    def fit(self, scores, y=None, *, sensitive_features) -> "GroupThresholds":
        """Choose the thresholds on ``scores`` (``y`` is needed for equal opportunity only)."""
        criterion = check_choice(self.criterion, "criterion", _CRITERIA)
        scores = check_scores(scores, "scores")
        n = len(scores)
        frame = check_sensitive_features(sensitive_features, n, min_groups=2)
        if criterion == "equal_opportunity" or y is not None:
            if y is None:
                raise TypeError("y is required for criterion='equal_opportunity': the TPR needs the true labels.")
            labels = check_binary(y, "y")
            if len(labels) != n:
                raise ValueError(f"y has {len(labels)} values but scores has {n}.")
        relevant = labels == 1 if criterion == "equal_opportunity" else np.ones(n, dtype=bool)
        if not relevant.any():
            raise ValueError("y has no positives: the true positive rate is undefined.")
        reference = check_scores([self.reference_threshold], "reference_threshold")[0]
        if self.target is None:
            target = float(np.mean(scores[relevant] >= reference))
        else:
            target = check_fraction(self.target, "target")

        codes, groups = _group_codes(frame)
        thresholds, rates, sizes = [], [], []
        for g, group in enumerate(groups):
            rows = relevant & (codes == g)
            if not rows.any():
                raise ValueError(
                    f"sensitive_features: group {group!r} has no positives, so its true positive rate is undefined."
                )
            threshold, selected, _ = _threshold_for_rate(scores[rows], target)
            thresholds.append(threshold)
            rates.append(selected / rows.sum())
            sizes.append(int(rows.sum()))
        self.groups_ = groups
        self.target_ = target
        self.thresholds_ = pd.Series(thresholds, index=groups, name="threshold")
        self.rates_ = pd.Series(rates, index=groups, name=_RATE_NAMES[criterion])
        self.n_rows_ = pd.Series(sizes, index=groups, name="n")
        return self

    def predict(self, scores, *, sensitive_features) -> np.ndarray:
        """1 where a row's score is at least its group's threshold, else 0."""
        if not hasattr(self, "thresholds_"):
            raise AttributeError("This GroupThresholds is not fitted yet: call fit(scores, y, sensitive_features=...).")
        scores = check_scores(scores, "scores")
        frame = check_sensitive_features(sensitive_features, len(scores))
        codes = _lookup_codes(frame, self.groups_, "sensitive_features")
        return (scores >= self.thresholds_.to_numpy()[codes]).astype(np.int64)


def group_thresholds(
    y_true, scores, *, sensitive_features, criterion="equal_opportunity", target=None, reference_threshold=0.5
) -> pd.Series:
    """The thresholds of :class:`GroupThresholds` fitted on ``scores``: one per group.

    Examples
    --------
    >>> group_thresholds(None, [0.9, 0.6, 0.2, 0.8, 0.3, 0.1], sensitive_features=list("AAABBB"),
    ...                  criterion="demographic_parity", target=1 / 3).to_dict()
    {'A': 0.9, 'B': 0.8}
    """
    model = GroupThresholds(criterion=criterion, target=target, reference_threshold=reference_threshold)
    return model.fit(scores, y_true, sensitive_features=sensitive_features).thresholds_
