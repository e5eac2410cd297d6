"""Ready scikit-learn pipelines for the shipped tabular datasets.

One call gives a model that takes a loader's ``data`` as it is: numbers with missing values,
categorical columns with an ``"Unknown"`` category, and sample weights for the mitigations that
reweigh rows (module 08).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from .._validation import check_choice, check_sample_weight

__all__ = ["make_tabular_model", "TABULAR_MODEL_KINDS", "TabularModel"]

#: The kinds of classifier :func:`make_tabular_model` builds.
TABULAR_MODEL_KINDS = ("logistic", "gradient_boosting", "mlp")

_UNKNOWN = "Unknown"


# ----------------------------------------------------------------------------- column selection


def _is_numeric(column: pd.Series) -> bool:
    # booleans count as numbers (0/1); categoricals never do, whatever their categories are
    return pd.api.types.is_bool_dtype(column) or (
        pd.api.types.is_numeric_dtype(column) and not isinstance(column.dtype, pd.CategoricalDtype)
    )


class _Columns:
    """Picks the numeric or the categorical columns of a DataFrame at fit time (by dtype).

    A ColumnTransformer column selector: columns named in ``exclude`` (given explicitly for
    the other branch) are never picked.
    """

    def __init__(self, numeric: bool, exclude=()):
        self.numeric = numeric
        self.exclude = tuple(exclude)

    def __call__(self, X):
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                "X must be a pandas DataFrame so that numeric and categorical columns can be told apart "
                f"by dtype, got {type(X).__name__}; pass a DataFrame, or give numeric= and categorical= "
                "explicitly when calling make_tabular_model."
            )
        return [
            col for col in X.columns if col not in self.exclude and _is_numeric(X[col]) == self.numeric
        ]

    def __repr__(self):
        kind = "numeric" if self.numeric else "categorical"
        return f"<{kind} columns by dtype{f', except {list(self.exclude)}' if self.exclude else ''}>"


class _AsCategories(TransformerMixin, BaseEstimator):
    """Turn categorical columns into pandas categoricals with the categories seen at fit time.

    Missing values become ``"Unknown"`` (a category like any other, as in the loaders); values
    not seen at fit time become missing, which the one-hot encoder ignores and the booster
    (``categorical_features="from_dtype"``) sends down its learned "missing" branch. Values are
    compared as text, so numbers given as categorical columns work too.
    """

    def fit(self, X, y=None):
        frame = self._as_frame(X)
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.categories_ = [pd.Index(np.unique(self._text(frame[col]))) for col in frame.columns]
        return self

    def transform(self, X):
        check_is_fitted(self, "categories_")
        frame = self._as_frame(X)
        out = {}
        for col, cats in zip(frame.columns, self.categories_):
            out[col] = pd.Categorical.from_codes(self._codes(frame[col], cats), categories=cats)
        return pd.DataFrame(out, index=frame.index)

    @classmethod
    def _codes(cls, column: pd.Series, cats: pd.Index) -> np.ndarray:
        """Positions in ``cats`` of the column's values; -1 (missing) where unseen."""
        if isinstance(column.dtype, pd.CategoricalDtype):
            # match the few categories, not the many rows; code -1 (missing) picks "Unknown"
            own = np.append(column.cat.categories.astype(str).to_numpy(dtype=object), _UNKNOWN)
            return cats.get_indexer(own)[column.cat.codes.to_numpy()]
        return cats.get_indexer(cls._text(column))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "categories_")
        return np.asarray(self.feature_names_in_, dtype=object)

    @staticmethod
    def _as_frame(X) -> pd.DataFrame:
        return X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))

    @staticmethod
    def _text(column: pd.Series) -> np.ndarray:
        return np.where(column.isna().to_numpy(), _UNKNOWN, column.to_numpy(dtype=object)).astype(str)


# ----------------------------------------------------------------------------- the pipeline


class TabularModel(Pipeline):
    """A scikit-learn :class:`~sklearn.pipeline.Pipeline` whose ``fit`` takes ``sample_weight``.

    The weights go to the final classifier (the preprocessing, imputation and scaling, is fitted
    unweighted). Built by :func:`make_tabular_model`; everything else is a plain Pipeline.
    """

    def fit(self, X, y=None, sample_weight=None, **params):
        """Fit the preprocessing, then the classifier with ``sample_weight`` if given.

        Other fit parameters follow the Pipeline convention ``step__param``.
        """
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, len(X))
            name, final = self.steps[-1]
            if not has_fit_parameter(final, "sample_weight"):
                # never train unweighted when the caller asked for weights
                raise TypeError(
                    f"sample_weight was given, but the final step {name!r} ({type(final).__name__}) "
                    "cannot take sample weights in fit."
                )
            params[f"{name}__sample_weight"] = sample_weight
        # The route of the weights is fixed (to the final step), so metadata routing, if a
        # learner switched it on globally, must not ask for requests nobody has set.
        with config_context(enable_metadata_routing=False):
            return super().fit(X, y, **params)


def _check_columns(columns, name: str):
    if columns is None:
        return None
    if isinstance(columns, (str, bytes)) or not hasattr(columns, "__iter__"):
        raise TypeError(f"{name} must be a list of column names (or None to infer them), got {type(columns).__name__}.")
    columns = list(columns)
    if len(set(columns)) != len(columns):
        raise ValueError(f"{name} names a column more than once: {columns}.")
    return columns


def _check_model_random_state(random_state):
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}.")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return random_state
    raise TypeError(
        f"random_state must be None, a non-negative int or a numpy RandomState, got {type(random_state).__name__}."
    )


def _classifier(kind: str, random_state):
    if kind == "logistic":
        # lbfgs converges on every shipped dataset within this many iterations
        return LogisticRegression(max_iter=2000, random_state=random_state)
    if kind == "gradient_boosting":
        return HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=random_state)
    # Stops when the training loss improves by less than tol for 10 epochs: 20-150 epochs on the
    # shipped data, far from max_iter. No early stopping on a held-out split, which wastes a
    # tenth of German credit's 1,000 rows and stops too soon there.
    return MLPClassifier(hidden_layer_sizes=(32,), alpha=1.0, tol=1e-3, max_iter=500, random_state=random_state)


def make_tabular_model(kind="logistic", *, numeric=None, categorical=None, random_state=None, **params):
    """A ready scikit-learn pipeline for a tabular dataset: preprocessing plus a classifier.

    The preprocessing takes a loader's ``data`` as it is. Numeric columns get their missing
    values replaced by the column's median and are standardised; categorical columns get
    missing values replaced by ``"Unknown"`` and are one-hot encoded, ignoring categories not
    seen in training. For ``"gradient_boosting"`` the booster handles both natively instead
    (missing numbers as their own branch, categories without one-hot encoding). The returned
    model's ``fit(X, y, sample_weight=...)`` passes the weights to the classifier; the
    preprocessing is fitted unweighted.

    Parameters
    ----------
    kind : {"logistic", "gradient_boosting", "mlp"}, default "logistic"
        The classifier: scikit-learn's ``LogisticRegression``, ``HistGradientBoostingClassifier``
        or a small ``MLPClassifier`` (one hidden layer of 32 units, L2 penalty ``alpha=1``). All three
        take sample weights. :data:`TABULAR_MODEL_KINDS` lists them.
    numeric, categorical : list of column names, optional
        The columns to use. By default they are inferred from the DataFrame's dtypes when the
        model is fitted: numbers and booleans are numeric, everything else (categoricals,
        strings) categorical. If only one list is given, the other holds the remaining columns
        of the matching dtype. Columns in neither list are dropped, so
        ``categorical=[...]`` without ``"sex"`` gives a model that never sees ``"sex"``.
    random_state : None, int or numpy RandomState
        Seed of the classifier (the MLP's initial weights, the booster's validation split);
        the same seed gives the same model.
    **params
        Parameters of the classifier, e.g. ``C=0.1`` for ``"logistic"`` or ``max_iter=50``
        for ``"gradient_boosting"``.

    Returns
    -------
    TabularModel
        An unfitted :class:`~sklearn.pipeline.Pipeline` (steps ``"preprocess"`` and
        ``"classifier"``) whose ``fit`` accepts ``sample_weight``.

    Examples
    --------
    >>> from biaslab.datasets import load_heart_disease
    >>> heart = load_heart_disease()
    >>> model = make_tabular_model("logistic", random_state=0).fit(heart.data, heart.target)
    >>> model.predict(heart.data.head(3)).tolist()
    [0, 1, 1]
    >>> round(model.score(heart.data, heart.target), 2)
    0.87
    """
    kind = check_choice(kind, "kind", TABULAR_MODEL_KINDS)
    numeric = _check_columns(numeric, "numeric")
    categorical = _check_columns(categorical, "categorical")
    if numeric is not None and categorical is not None:
        both = sorted(set(numeric) & set(categorical), key=str)
        if both:
            raise ValueError(f"numeric and categorical must not share columns; both name {both}.")
    random_state = _check_model_random_state(random_state)

    classifier = _classifier(kind, random_state)
    if params:
        valid = classifier.get_params(deep=False)
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a parameter of {type(classifier).__name__} (kind={kind!r}); "
                f"valid parameters are {', '.join(sorted(valid))}."
            )
        classifier.set_params(**params)

    num_cols = numeric if numeric is not None else _Columns(True, exclude=categorical or ())
    cat_cols = categorical if categorical is not None else _Columns(False, exclude=numeric or ())
    if kind == "gradient_boosting":
        preprocess = ColumnTransformer(
            [("numeric", "passthrough", num_cols), ("categorical", _AsCategories(), cat_cols)],
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
    else:
        preprocess = ColumnTransformer(
            [
                ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
                 num_cols),
                ("categorical",
                 Pipeline([("fill_unknown", _AsCategories()), ("one_hot", OneHotEncoder(handle_unknown="ignore"))]),
                 cat_cols),
            ]
        )
    return TabularModel([("preprocess", preprocess), ("classifier", classifier)])
