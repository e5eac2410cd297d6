"""Kamiran & Calders (2012) pre-processing: reweighing, massaging, uniform and preferential sampling.

All four remove the *label* discrimination of the training data before any model sees it:

- reweighing gives each (group, class) cell the weight that makes group and label independent;
- massaging relabels the fewest rows (promotion/demotion pairs chosen by a ranker);
- uniform sampling resamples each (group, class) cell at random to its expected size;
- preferential sampling does the same but removes / duplicates the rows closest to a ranker's
  decision boundary first.

Everything except uniform sampling is deterministic: the same input gives the same output, and
ties between equal scores are broken by row position (the earlier row first).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validation import (
    check_binary,
    check_random_state,
    check_sample_weight,
    check_scores,
    check_sensitive_features,
    group_mask,
)

__all__ = [
    "reweighing_weights",
    "Reweighing",
    "massage",
    "MassagingResult",
    "uniform_sampling",
    "preferential_sampling",
    "SamplingResult",
    "expected_cell_sizes",
]


# ----------------------------------------------------------------------------- shared helpers

def _group_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Integer code per row and the sorted groups (a MultiIndex for several columns)."""
    if frame.shape[1] == 1:
        codes, groups = pd.factorize(frame.iloc[:, 0], sort=True)
        groups = pd.Index(groups, name=frame.columns[0])
    else:
        codes, groups = pd.factorize(pd.MultiIndex.from_frame(frame), sort=True)
    return np.asarray(codes, dtype=np.int64), groups


def _lookup_codes(frame: pd.DataFrame, groups: pd.Index, name: str) -> np.ndarray:
    """Codes of ``frame``'s rows in the groups seen at fit time; unseen groups are an error."""
    keys = frame.iloc[:, 0] if frame.shape[1] == 1 else pd.MultiIndex.from_frame(frame)
    if frame.shape[1] != groups.nlevels:
        raise ValueError(f"{name} has {frame.shape[1]} column(s) but was fitted with {groups.nlevels}.")
    codes = np.asarray(groups.get_indexer(keys), dtype=np.int64)
    if (codes < 0).any():
        unseen = pd.unique(np.asarray(keys, dtype=object)[codes < 0])[:5]
        raise ValueError(
            f"{name} holds group(s) not seen in fit: {', '.join(map(repr, unseen))}; "
            f"known groups are {', '.join(map(repr, groups[:10]))}."
        )
    return codes


def _check_X(X, n: int) -> None:
    if X is None:
        raise TypeError("X is required: pass the features (DataFrame or array), one row per label.")
    n_x = _n_rows(X)
    if n_x != n:
        raise ValueError(f"Inputs must have the same number of rows: X has {n_x}, y has {n}.")


def _n_rows(X) -> int:
    """Rows of a DataFrame, array, sparse matrix or list."""
    if isinstance(X, (str, bytes)) or not (hasattr(X, "shape") or hasattr(X, "__len__")):
        raise TypeError(f"X must be a DataFrame or array of features, got {type(X).__name__}.")
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 1:
        return int(shape[0])
    if shape is not None:
        raise TypeError("X must be a DataFrame or array of features, got a scalar.")
    return len(X)


def _check_ranker(X, n: int, ranker):
    """Check ``X`` and ``ranker`` before any work; return the scores if they were given directly.

    X may be None only when the scores are given.
    """
    if ranker is not None and not hasattr(ranker, "fit"):
        if callable(ranker) or np.ndim(ranker) != 1:
            raise TypeError(
                "ranker must be None, an unfitted classifier with predict_proba or decision_function, "
                f"or array-like scores (one per row); got {type(ranker).__name__}."
            )
        scores = check_scores(ranker, "ranker")
        if len(scores) != n:
            raise ValueError(f"ranker: the given scores have {len(scores)} values but the data has {n} rows.")
        if X is not None:
            _check_X(X, n)
        return scores
    if ranker is not None and not (hasattr(ranker, "predict_proba") or hasattr(ranker, "decision_function")):
        raise TypeError(f"ranker must have predict_proba or decision_function; {type(ranker).__name__} has neither.")
    if X is None:
        raise TypeError("X is required to fit the ranker: pass the features, or the scores themselves as ranker=.")
    _check_X(X, n)
    return None


def _default_ranker():
    """Logistic regression on standardised numbers and one-hot categories."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    features = make_column_transformer(
        (StandardScaler(), make_column_selector(dtype_include="number")),
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
    )
    return make_pipeline(features, LogisticRegression(max_iter=1000))


def _ranker_scores(X, y, ranker, random_state=None) -> np.ndarray:
    """Scores for P(y = 1) of every row: from ``ranker`` fitted on ``X, y``, or given directly.

    ``ranker`` is None (a logistic regression), an unfitted scikit-learn classifier with
    ``predict_proba`` or ``decision_function`` (cloned and fitted; a ``random_state``
    parameter left at None gets ``random_state``), or array-like scores, one per row.
    """
    given = _check_ranker(X, len(y), ranker)
    if given is not None:
        return given
    from sklearn.base import clone

    if ranker is None:
        if isinstance(X, pd.DataFrame):
            model = _default_ranker()
        else:
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler

            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    else:
        model = clone(ranker)
    seeds = {k: random_state for k, v in model.get_params().items() if k.endswith("random_state") and v is None}
    if seeds and random_state is not None:
        model.set_params(**seeds)
    model.fit(X, y)
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X))
        column = list(model.classes_).index(1)
        return proba[:, column].astype(np.float64)
    return np.asarray(model.decision_function(X), dtype=np.float64).reshape(-1)


def _order(scores: np.ndarray, rows: np.ndarray, *, descending: bool) -> np.ndarray:
    """``rows`` sorted by score (ties: the earlier row first)."""
    key = -scores[rows] if descending else scores[rows]
    return rows[np.lexsort((rows, key))]


def _round_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) with halves rounded up, in exact integer arithmetic."""
    return (2 * numerator + denominator) // (2 * denominator)


def _labels_out(new: np.ndarray, y):
    if isinstance(y, pd.Series):
        return pd.Series(new, index=y.index, name=y.name)
    return new


def _take(values, indices: np.ndarray):
    """Rows ``indices`` of a DataFrame / Series (new 0..n-1 index), an array or a sparse matrix."""
    if values is None:
        return None
    if hasattr(values, "tocsr"):
        return values.tocsr()[indices]
    if isinstance(values, (pd.DataFrame, pd.Series)):
        return values.iloc[indices].reset_index(drop=True)
    return np.asarray(values)[indices]


# ----------------------------------------------------------------------------- reweighing

def _cell_table(y, sensitive_features, sample_weight, min_groups=1):
    labels = check_binary(y, "y")
    frame = check_sensitive_features(sensitive_features, len(labels), min_groups=min_groups)
    w = check_sample_weight(sample_weight, len(labels))
    codes, groups = _group_codes(frame)
    w_rows = np.ones(len(labels)) if w is None else w
    mass = np.bincount(2 * codes + labels, weights=w_rows, minlength=2 * len(groups)).reshape(len(groups), 2)
    return labels, codes, groups, w, mass


def _weights_table(mass: np.ndarray, groups: pd.Index) -> pd.DataFrame:
    total = mass.sum()
    per_group = mass.sum(axis=1)
    per_class = mass.sum(axis=0)
    if (per_class == 0).any():
        missing = int(np.flatnonzero(per_class == 0)[0])
        raise ValueError(f"y has only one class (no rows with y = {missing}): there is nothing to reweigh.")
    expected = np.outer(per_group, per_class) / total
    empty = (mass == 0) & (expected > 0)
    if empty.any():
        g, c = np.argwhere(empty)[0]
        raise ValueError(
            f"sensitive_features: group {groups[g]!r} has no rows with y = {c} (or only zero weights), "
            "so no weight can give it the overall share of that class."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        table = np.where(mass > 0, expected / np.where(mass > 0, mass, 1.0), 1.0)
    return pd.DataFrame(table, index=groups, columns=pd.Index([0, 1], name="y"))


def reweighing_weights(y, *, sensitive_features, sample_weight=None) -> np.ndarray:
    """Kamiran & Calders reweighing: one weight per row that makes label and group independent.

    Each row of group ``s`` and class ``c`` gets

        W(s, c) = |D_s| |D_c| / (|D| |D_{s,c}|)

    (the count expected if group and label were independent over the count observed), so
    under-represented cells such as "deprived and positive" weigh more. With these weights the
    label discrimination is exactly zero between every pair of groups; any number of groups
    works, and several sensitive columns give intersectional groups.

    Parameters
    ----------
    y : array-like of 0/1
        Training labels.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        One group label per row.
    sample_weight : array-like, optional
        Existing row weights: the counts above become sums of these weights and the result is
        ``sample_weight * W(s, c)``, ready to pass on.

    Returns
    -------
    numpy array of float, one weight per row
        Pass it to an estimator's ``fit(X, y, sample_weight=weights)`` (for a scikit-learn
        ``Pipeline``: ``fit(X, y, logisticregression__sample_weight=weights)``, naming the last
        step).

    Raises
    ------
    ValueError
        If ``y`` has one class only, or a group has no rows of a class (no weight can fix that).

    Examples
    --------
    >>> y = [1, 1, 0, 1, 0, 0]
    >>> sex = ["M", "M", "M", "F", "F", "F"]
    >>> reweighing_weights(y, sensitive_features=sex).round(3).tolist()
    [0.75, 0.75, 1.5, 1.5, 0.75, 0.75]
    >>> from biaslab.metrics import discrimination_score
    >>> discrimination_score(y, sensitive_features=sex, favoured="M",
    ...                      sample_weight=reweighing_weights(y, sensitive_features=sex))
    0.0
    """
    labels, codes, groups, w, mass = _cell_table(y, sensitive_features, sample_weight)
    table = _weights_table(mass, groups).to_numpy()
    weights = table[codes, labels]
    return weights if w is None else w * weights


class Reweighing(BaseEstimator):
    """Reweighing as an estimator: learn W(s, c) on training labels, give weights to any rows.

    ``fit`` computes the table of :func:`reweighing_weights` (``weights_``) and the weights of
    the fitted rows (``sample_weight_``); ``compute_weights`` looks the table up for other rows
    with the same groups (e.g. a validation set). Pass the weights to the model you train::

        rw = Reweighing().fit(X_train, y_train, sensitive_features=sex_train)
        model.fit(X_train, y_train, sample_weight=rw.sample_weight_)
        # a scikit-learn Pipeline routes it to a step: logisticregression__sample_weight=...

    ``X`` is not used (reweighing looks only at labels and groups); it is accepted so that
    ``Reweighing`` is fitted like every other estimator, and may be None.

    Attributes
    ----------
    weights_ : pandas.DataFrame
        W(s, c): one row per group, columns 0 and 1 (the label).
    sample_weight_ : numpy array
        The weight of each fitted row (times its ``sample_weight`` if one was given).
    groups_ : pandas.Index
        The groups seen in ``fit``.

    Examples
    --------
    >>> rw = Reweighing().fit(None, [1, 1, 0, 1, 0, 0], sensitive_features=["M", "M", "M", "F", "F", "F"])
    >>> rw.weights_.to_dict("index")
    {'F': {0: 0.75, 1: 1.5}, 'M': {0: 1.5, 1: 0.75}}
    >>> rw.compute_weights([1, 0], sensitive_features=["F", "F"]).tolist()
    [1.5, 0.75]
    """

    def fit(self, X, y, *, sensitive_features, sample_weight=None) -> "Reweighing":
        labels, codes, groups, w, mass = _cell_table(y, sensitive_features, sample_weight)
        if X is not None:
            _check_X(X, len(labels))
        self.weights_ = _weights_table(mass, groups)
        self.groups_ = groups
        weights = self.weights_.to_numpy()[codes, labels]
        self.sample_weight_ = weights if w is None else w * weights
        return self

    def compute_weights(self, y, *, sensitive_features, sample_weight=None) -> np.ndarray:
        """W(s, c) of the fitted table for each row of ``y`` (times ``sample_weight`` if given)."""
        if not hasattr(self, "weights_"):
            raise AttributeError("This Reweighing is not fitted yet: call fit(X, y, sensitive_features=...) first.")
        labels = check_binary(y, "y")
        frame = check_sensitive_features(sensitive_features, len(labels))
        w = check_sample_weight(sample_weight, len(labels))
        codes = _lookup_codes(frame, self.groups_, "sensitive_features")
        weights = self.weights_.to_numpy()[codes, labels]
        return weights if w is None else w * weights


# ----------------------------------------------------------------------------- massaging

class MassagingResult(NamedTuple):
    """What :func:`massage` returns: new labels and which rows it changed."""

    y: np.ndarray | pd.Series
    """The massaged labels (a Series with the input's index if ``y`` was a Series)."""
    promoted: np.ndarray
    """Bool mask of the rows relabelled 0 -> 1."""
    demoted: np.ndarray
    """Bool mask of the rows relabelled 1 -> 0."""

    @property
    def changed(self) -> np.ndarray:
        """Bool mask of every relabelled row."""
        return self.promoted | self.demoted

    @property
    def n_pairs(self) -> int:
        """M, the number of promotion/demotion pairs."""
        return int(self.promoted.sum())


def massage(X, y, *, sensitive_features, favoured, ranker=None, random_state=None) -> MassagingResult:
    """Kamiran & Calders massaging: relabel the fewest rows that bring label discrimination to zero.

    With ``disc = P(y=1 | favoured) - P(y=1 | deprived)`` (deprived: every row not in
    ``favoured``), swapping M labels in pairs (one deprived negative promoted to 1, one favoured
    positive demoted to 0) lowers ``disc`` by ``M |D| / (|D_f| |D_d|)``. Zero would need

        M* = disc * |D_f| * |D_d| / |D| = (P_f |D_d| - P_d |D_f|) / |D|

    (``P_f``, ``P_d`` the numbers of positives in each group), so M is M* rounded to the nearest
    integer, halves up, computed in exact integer arithmetic. Afterwards
    ``|disc| <= |D| / (2 |D_f| |D_d|) = (1/|D_f| + 1/|D_d|) / 2``: the rounding is the only
    error left, and it is the smallest any whole number of pairs can reach.

    The rows are chosen by a ranker's score for y = 1: the M highest-scored deprived negatives
    are promoted, the M lowest-scored favoured positives demoted (the rows whose labels the
    ranker finds least convincing). Ties are broken by row position, the earlier row first, so
    the result is deterministic. If the labels favour the deprived side (``disc < 0``) the roles
    swap: the favoured group's highest-scored negatives are promoted and the deprived group's
    lowest-scored positives demoted.

    Parameters
    ----------
    X : DataFrame or array-like
        Features the ranker learns from (include the sensitive attribute if it should see it).
    y : array-like of 0/1
    sensitive_features : array-like, Series, DataFrame or dict of columns
    favoured : a group value, or a mapping column -> value
        The group the labels favour (e.g. ``"Male"``); everyone else is deprived.
    ranker : None, scikit-learn classifier, or array-like of scores
        None: a logistic regression (one-hot categories, standardised numbers) fitted on
        ``X, y``. A classifier with ``predict_proba`` or ``decision_function`` is cloned and
        fitted on ``X, y``. Array-like: the scores themselves, one per row (``X`` unused).
    random_state : None or int
        Passed to the ranker's ``random_state`` if it has one left at None. The default
        logistic regression is deterministic anyway.

    Returns
    -------
    MassagingResult
        ``(y, promoted, demoted)``: new labels and bool masks of the changed rows;
        ``n_pairs`` is M.

    Examples
    --------
    >>> y = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> sex = ["M", "M", "M", "M", "F", "F", "F", "F"]
    >>> scores = [0.9, 0.2, 0.8, 0.5, 0.6, 0.7, 0.1, 0.3]
    >>> result = massage(None, y, sensitive_features=sex, favoured="M", ranker=scores)
    >>> result.n_pairs, result.y.tolist()
    (1, [1, 0, 1, 0, 1, 1, 0, 0])
    """
    labels = check_binary(y, "y")
    n = len(labels)
    frame = check_sensitive_features(sensitive_features, n, min_groups=2)
    _check_ranker(X, n, ranker)
    favoured_rows = group_mask(frame, favoured, "favoured")
    deprived_rows = ~favoured_rows
    if not deprived_rows.any():
        raise ValueError(f"favoured={favoured!r} covers every row: there is no deprived group to compare with.")
    n_fav, n_dep = int(favoured_rows.sum()), int(deprived_rows.sum())
    pos_fav = int(labels[favoured_rows].sum())
    pos_dep = int(labels[deprived_rows].sum())
    numerator = pos_fav * n_dep - pos_dep * n_fav  # disc * |D_f| * |D_d|
    up, down = (deprived_rows, favoured_rows) if numerator >= 0 else (favoured_rows, deprived_rows)
    n_pairs = _round_half_up(abs(numerator), n)

    promoted = np.zeros(n, dtype=bool)
    demoted = np.zeros(n, dtype=bool)
    if n_pairs:
        scores = _ranker_scores(X, labels, ranker, random_state)
        promote = _order(scores, np.flatnonzero(up & (labels == 0)), descending=True)[:n_pairs]
        demote = _order(scores, np.flatnonzero(down & (labels == 1)), descending=False)[:n_pairs]
        promoted[promote] = True
        demoted[demote] = True
    new = labels.copy()
    new[promoted] = 1
    new[demoted] = 0
    return MassagingResult(_labels_out(new, y), promoted, demoted)


# ----------------------------------------------------------------------------- sampling

class SamplingResult(NamedTuple):
    """What the sampling methods return: the new training set and where each row came from."""

    X: object
    """The sampled features (DataFrame / Series with a fresh 0..n-1 index, or an array)."""
    y: object
    """The sampled labels: a Series (fresh index) if a Series was given, else a numpy array."""
    sensitive_features: object
    """The sampled sensitive features: DataFrame / Series (fresh index) if given so, else a numpy array."""
    indices: np.ndarray
    """Position in the input of each output row, in ascending order (a duplicate follows its source)."""


def _target_sizes(mass: np.ndarray) -> np.ndarray:
    """round(|D_s| |D_c| / |D|) for every (group, class) cell of integer counts ``mass``."""
    mass = mass.astype(np.int64)
    n = int(mass.sum())
    outer = np.outer(mass.sum(axis=1), mass.sum(axis=0))
    return (2 * outer + n) // (2 * n)


def expected_cell_sizes(y, *, sensitive_features) -> pd.DataFrame:
    """Observed and expected (group, class) cell sizes, as used by the sampling methods.

    The expected size is ``round(|D_s| |D_c| / |D|)`` (halves up, exact integer arithmetic):
    the count the cell would have if group and label were independent.

    Examples
    --------
    >>> expected_cell_sizes([1, 1, 1, 0, 1, 0, 0, 0], sensitive_features=list("MMMMFFFF"))
      group  y  observed  expected
    0     F  0         3         2
    1     F  1         1         2
    2     M  0         1         2
    3     M  1         3         2
    """
    _, _, groups, _, mass = _cell_table(y, sensitive_features, None)
    return _sizes_frame(groups, mass)


def _sizes_frame(groups: pd.Index, mass: np.ndarray) -> pd.DataFrame:
    _weights_table(mass, groups)  # same checks as reweighing: both classes in every group
    target = _target_sizes(mass)
    return pd.DataFrame({
        "group": np.repeat(np.asarray(groups, dtype=object), 2),
        "y": np.tile([0, 1], len(groups)),
        "observed": mass.astype(np.int64).reshape(-1),
        "expected": target.reshape(-1),
    })


def _sampling_plan(X, y, sensitive_features):
    """Labels, group codes and the cells (group code, class, rows, target size) to resample."""
    labels, codes, groups, _, mass = _cell_table(y, sensitive_features, None, min_groups=2)
    if X is not None:
        _check_X(X, len(labels))
    _weights_table(mass, groups)
    target = _target_sizes(mass)
    cells = [
        (c, np.flatnonzero((codes == g) & (labels == c)), int(target[g, c]))
        for g in range(len(groups)) for c in (0, 1)
    ]
    return labels, cells


def _finish(X, y, sensitive_features, kept: list[np.ndarray]) -> SamplingResult:
    indices = np.sort(np.concatenate(kept), kind="stable")
    return SamplingResult(_take(X, indices), _take(y, indices), _take(sensitive_features, indices), indices)


def uniform_sampling(X, y, *, sensitive_features, random_state) -> SamplingResult:
    """Kamiran & Calders uniform sampling: resample each (group, class) cell to its expected size.

    Each cell of group ``s`` and class ``c`` gets ``round(|D_s| |D_c| / |D|)`` rows (halves up;
    see :func:`expected_cell_sizes`). A cell that must shrink keeps a random subset (without
    replacement); a cell that must grow keeps all its rows and adds random duplicates drawn
    with replacement. In the result the label discrimination is zero up to that rounding.

    Parameters
    ----------
    X : DataFrame or array-like
    y : array-like of 0/1
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Any number of groups; several columns give intersectional groups.
    random_state : None, int or numpy Generator
        Which rows are dropped or duplicated; the same seed gives the same sample.

    Returns
    -------
    SamplingResult
        ``(X, y, sensitive_features, indices)``.

    Examples
    --------
    >>> y = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> sex = ["M", "M", "M", "M", "F", "F", "F", "F"]
    >>> result = uniform_sampling(list(range(8)), y, sensitive_features=sex, random_state=0)
    >>> len(result.indices), int(sum(result.y))
    (8, 4)
    """
    rng = check_random_state(random_state)
    if X is None:
        raise TypeError("X is required: pass the features (DataFrame or array), one row per label.")
    _, cells = _sampling_plan(X, y, sensitive_features)
    kept = []
    for _, rows, target in cells:
        if target <= len(rows):
            kept.append(rng.choice(rows, size=target, replace=False))
        else:
            kept.append(np.concatenate([rows, rng.choice(rows, size=target - len(rows), replace=True)]))
    return _finish(X, y, sensitive_features, kept)


def preferential_sampling(X, y, *, sensitive_features, ranker=None, random_state=None) -> SamplingResult:
    """Kamiran & Calders preferential sampling: fix cell sizes by removing / duplicating borderline rows.

    Target sizes are those of :func:`uniform_sampling`, ``round(|D_s| |D_c| / |D|)``. Which
    rows go or repeat is decided by a ranker's score for y = 1: the *borderline* rows, closest to
    the decision boundary, go first. For a negative cell these are the highest-scored rows, for
    a positive cell the lowest-scored. So, with a favoured and a deprived group:

    - deprived negatives (too many): the highest-scored are removed;
    - favoured positives (too many): the lowest-scored are removed;
    - deprived positives (too few): the lowest-scored are duplicated;
    - favoured negatives (too few): the highest-scored are duplicated.

    The direction of each cell (shrink or grow) follows from its expected size, so no favoured
    group need be named and any number of groups works. A cell that must grow by more than its
    size is duplicated whole as many times as needed, then the borderline rows once more
    (rows are taken in borderline order, cyclically). Ties between equal scores are broken by
    row position, the earlier row first: the result is deterministic.

    Parameters
    ----------
    X : DataFrame or array-like
    y : array-like of 0/1
    sensitive_features : array-like, Series, DataFrame or dict of columns
    ranker : None, scikit-learn classifier, or array-like of scores
        As in :func:`massage`: None fits a logistic regression on ``X, y``.
    random_state : None or int
        Passed to the ranker's ``random_state`` if it has one left at None.

    Returns
    -------
    SamplingResult
        ``(X, y, sensitive_features, indices)``.

    Examples
    --------
    >>> y = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> sex = ["M", "M", "M", "M", "F", "F", "F", "F"]
    >>> scores = [0.9, 0.2, 0.8, 0.5, 0.6, 0.7, 0.1, 0.3]
    >>> preferential_sampling(None, y, sensitive_features=sex, ranker=scores).indices.tolist()
    [0, 2, 3, 3, 4, 4, 6, 7]
    """
    labels, cells = _sampling_plan(X, y, sensitive_features)
    _check_ranker(X, len(labels), ranker)
    scores = _ranker_scores(X, labels, ranker, random_state)
    kept = []
    for c, rows, target in cells:
        # borderline first: the highest-scored negatives, the lowest-scored positives
        borderline = _order(scores, rows, descending=(c == 0))
        if target <= len(rows):
            kept.append(borderline[len(rows) - target:])
        else:
            kept.append(np.concatenate([rows, borderline[np.arange(target - len(rows)) % len(rows)]]))
    return _finish(X, y, sensitive_features, kept)
