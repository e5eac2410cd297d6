"""In-processing: Fairlearn's exponentiated gradient reduction, made reproducible.

Fairlearn's ``ExponentiatedGradient`` learns a *randomised* classifier: a mixture of models,
each row's prediction drawn from one of them at random, so ``predict`` gives different answers
run to run. Here the mixture is the same, but the draws come from a seeded generator created
afresh on every call: the same ``X`` gives the same predictions on every call and in every run,
and on average over seeds the predictions keep the fairness guarantee of the mixture.
Fairlearn is imported only when this is used.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from .._validation import (
    check_binary,
    check_choice,
    check_random_state,
    check_sensitive_features,
)
from ._preprocessing import _check_X, _n_rows

__all__ = ["CONSTRAINTS", "ExponentiatedGradientClassifier", "exponentiated_gradient"]

#: Constraint names accepted by :func:`exponentiated_gradient` and the Fairlearn moment each stands for.
CONSTRAINTS = {
    "demographic_parity": "DemographicParity",
    "equalized_odds": "EqualizedOdds",
    "equal_opportunity": "TruePositiveRateParity",
    "false_positive_rate_parity": "FalsePositiveRateParity",
    "error_rate_parity": "ErrorRateParity",
}


def _constraint(constraint):
    from fairlearn import reductions

    if isinstance(constraint, reductions.Moment):
        return clone(constraint) if hasattr(constraint, "get_params") else constraint
    name = check_choice(constraint, "constraint", CONSTRAINTS)
    return getattr(reductions, CONSTRAINTS[name])()


def _seed_estimator(estimator, random_state):
    """A clone of ``estimator`` with every ``random_state`` parameter left at None set to the seed."""
    model = clone(estimator)
    seeds = {k: random_state for k, v in model.get_params().items() if k.endswith("random_state") and v is None}
    if seeds:
        model.set_params(**seeds)
    return model


class ExponentiatedGradientClassifier(ClassifierMixin, BaseEstimator):
    """Exponentiated gradient (Agarwal et al. 2018) with reproducible predictions.

    Trains Fairlearn's ``ExponentiatedGradient`` and predicts from its mixture of models with
    seeded draws: for row ``i`` the prediction is ``u_i < p_i``, where ``p_i`` is the mixture's
    probability of predicting 1 (:meth:`predict_proba`) and ``u_i`` the ``i``-th number of
    ``numpy.random.default_rng(random_state)``. So the same ``X`` (same rows, same order) gives
    the same predictions every call and every run. Training is repeatable too: the estimator is
    cloned and any ``random_state`` parameter it leaves at None is set to ``random_state``.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Its ``fit`` must accept ``sample_weight`` (or name the argument with
        ``sample_weight_name``, e.g. ``"logisticregression__sample_weight"`` for a Pipeline).
    constraint : str or fairlearn.reductions.Moment, default="demographic_parity"
        One of :data:`CONSTRAINTS` (``"demographic_parity"``, ``"equalized_odds"``,
        ``"equal_opportunity"``, ``"false_positive_rate_parity"``, ``"error_rate_parity"``) or a
        Fairlearn moment object.
    random_state : int, default=0
        Seed of the prediction draws and of the estimator.
    eps, max_iter, nu, eta0, run_linprog_step, sample_weight_name
        Passed to Fairlearn's ``ExponentiatedGradient``.

    Attributes
    ----------
    mitigator_ : fairlearn.reductions.ExponentiatedGradient
        The fitted Fairlearn object (``predictors_``, ``weights_``...).
    classes_ : numpy array ``[0, 1]``
    """

    def __init__(
        self,
        estimator,
        constraint="demographic_parity",
        *,
        random_state=0,
        eps=0.01,
        max_iter=50,
        nu=None,
        eta0=2.0,
        run_linprog_step=True,
        sample_weight_name="sample_weight",
    ):
        self.estimator = estimator
        self.constraint = constraint
        self.random_state = random_state
        self.eps = eps
        self.max_iter = max_iter
        self.nu = nu
        self.eta0 = eta0
        self.run_linprog_step = run_linprog_step
        self.sample_weight_name = sample_weight_name

    def fit(self, X, y, *, sensitive_features) -> "ExponentiatedGradientClassifier":
        from fairlearn.reductions import ExponentiatedGradient

        if not isinstance(self.random_state, numbers.Integral) or isinstance(self.random_state, bool):
            raise TypeError(
                f"random_state must be a non-negative int (predictions are drawn from it), "
                f"got {type(self.random_state).__name__}."
            )
        check_random_state(self.random_state)
        if not hasattr(self.estimator, "fit"):
            raise TypeError(f"estimator must be a scikit-learn classifier, got {type(self.estimator).__name__}.")
        labels = check_binary(y, "y")
        _check_X(X, len(labels))
        frame = check_sensitive_features(sensitive_features, len(labels), min_groups=2)
        sensitive = frame.iloc[:, 0].to_numpy() if frame.shape[1] == 1 else frame  # several columns: intersections
        self.mitigator_ = ExponentiatedGradient(
            _seed_estimator(self.estimator, self.random_state),
            constraints=_constraint(self.constraint),
            eps=self.eps,
            max_iter=self.max_iter,
            nu=self.nu,
            eta0=self.eta0,
            run_linprog_step=self.run_linprog_step,
            sample_weight_name=self.sample_weight_name,
        )
        with warnings.catch_warnings():
            # fairlearn 0.15 grows Series with .at, which pandas 3 deprecates; harmless, not ours to fix
            warnings.filterwarnings("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning), module=r"fairlearn\.")
            self.mitigator_.fit(X, labels, sensitive_features=sensitive)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Columns P(0), P(1): the weight of the mixture's models that predict each class."""
        if not hasattr(self, "mitigator_"):
            raise AttributeError("This ExponentiatedGradientClassifier is not fitted yet: call fit first.")
        p1 = np.zeros(_n_rows(X))
        for weight, model in zip(self.mitigator_.weights_, self.mitigator_.predictors_):
            if weight > 0:
                p1 += weight * np.asarray(model.predict(X), dtype=np.float64)
        p1 = np.clip(p1 / self.mitigator_.weights_.sum(), 0.0, 1.0)
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """Seeded draws from the mixture: the same ``X`` gives the same predictions every time."""
        p1 = self.predict_proba(X)[:, 1]
        draws = np.random.default_rng(self.random_state).random(len(p1))
        return (draws < p1).astype(np.int64)


def exponentiated_gradient(
    estimator, X, y, *, sensitive_features, constraint="demographic_parity", random_state=0, **kwargs
) -> ExponentiatedGradientClassifier:
    """Train ``estimator`` under a fairness constraint with Fairlearn's exponentiated gradient.

    Returns a fitted :class:`ExponentiatedGradientClassifier`, whose ``predict`` is reproducible
    (seeded draws from the learned mixture of models) where Fairlearn's is random on every call.

    Parameters
    ----------
    estimator : scikit-learn classifier whose ``fit`` accepts ``sample_weight``
    X, y : features and 0/1 labels
    sensitive_features : array-like, Series, DataFrame or dict of columns
    constraint : str or fairlearn.reductions.Moment
        ``"demographic_parity"`` (default), ``"equalized_odds"``, ``"equal_opportunity"``,
        ``"false_positive_rate_parity"``, ``"error_rate_parity"``, or a Fairlearn moment.
    random_state : int, default=0
    **kwargs
        ``eps``, ``max_iter``, ``nu``, ``eta0``, ``run_linprog_step``, ``sample_weight_name``
        of Fairlearn's ``ExponentiatedGradient``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> group = rng.integers(0, 2, 400)
    >>> X = np.column_stack([rng.normal(size=400) + group, group])
    >>> y = (X[:, 0] + rng.normal(size=400) > 0.5).astype(int)
    >>> model = exponentiated_gradient(LogisticRegression(), X, y, sensitive_features=group)
    >>> bool((model.predict(X) == model.predict(X)).all())
    True
    """
    unknown = set(kwargs) - {"eps", "max_iter", "nu", "eta0", "run_linprog_step", "sample_weight_name"}
    if unknown:
        raise TypeError(f"exponentiated_gradient got unexpected keyword argument(s): {', '.join(sorted(unknown))}.")
    model = ExponentiatedGradientClassifier(estimator, constraint, random_state=random_state, **kwargs)
    return model.fit(X, y, sensitive_features=sensitive_features)
