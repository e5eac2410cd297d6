"""Demographically targeted label poisoning (Kulkarni et al. 2024, "Hidden in plain sight")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._validation import (
    check_binary,
    check_fraction,
    check_random_state,
    check_sensitive_features,
    group_mask,
)

__all__ = ["poison_labels"]


def poison_labels(y, *, sensitive_features, target, rate, random_state=None):
    """Flip a share of one group's positive labels to negative: the targeted poisoning attack.

    Among the rows with ``y == 1`` in the target group, ``floor(rate * n)`` rows chosen at random
    (``n`` the number of such rows) get ``y = 0``. Nothing else changes. The attack plants
    underdiagnosis bias: a model trained on the result misses the target group's positives.

    Parameters
    ----------
    y : array-like of 0/1
        Labels (1 = disease present / positive).
    sensitive_features : Series, DataFrame or array-like
        One row per label.
    target : a group value, or a mapping column -> value
        The target group, e.g. ``"F"`` for a single column or ``{"sex": "F", "age_band": "60-80"}``
        for an intersection.
    rate : float in [0, 1]
        Share of the target group's positives to flip.
    random_state : None, int or numpy Generator
        Which rows are flipped; the same seed flips the same rows.

    Returns
    -------
    new_labels : numpy array, or Series with the input's index if ``y`` was a Series
    changed : numpy bool array, True where a label was flipped

    Examples
    --------
    >>> y = [1, 1, 1, 1, 0, 1, 1]
    >>> sex = ["F", "F", "F", "F", "F", "M", "M"]
    >>> new, changed = poison_labels(y, sensitive_features=sex, target="F", rate=0.5, random_state=0)
    >>> int(changed.sum()), int(new[5]), int(new[6])
    (2, 1, 1)
    """
    labels = check_binary(y, "y")
    frame = check_sensitive_features(sensitive_features, len(labels))
    rate = check_fraction(rate, "rate")
    rng = check_random_state(random_state)
    in_target = group_mask(frame, target, "target")
    eligible = np.flatnonzero(in_target & (labels == 1))
    n_flip = math.floor(rate * len(eligible) + 1e-9)  # floor, robust to 0.1 * 30 = 2.9999...
    chosen = rng.choice(eligible, size=n_flip, replace=False) if n_flip else np.empty(0, dtype=np.int64)
    changed = np.zeros(len(labels), dtype=bool)
    changed[chosen] = True
    new = labels.copy()
    new[changed] = 0
    if isinstance(y, pd.Series):
        return pd.Series(new, index=y.index, name=y.name), changed
    return new, changed
