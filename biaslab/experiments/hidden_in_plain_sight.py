"""Hidden in Plain Sight (Kulkarni et al. 2024) reproduced on SYNTHETIC chest X-rays.

The study: flip a share ``r`` of one demographic group's positive training labels to negative
(the validation labels too), train a pneumonia classifier, set its threshold by Youden's J on
the clean internal test set, and look at each group's false negative rate (underdiagnosis).
The target group's FNR climbs with ``r`` while the overall AUROC barely moves, so the attack
is hard to see in aggregate, and the bias carries over to an external hospital.

Here (module 04) the images are SYNTHETIC (:func:`biaslab.datasets.make_chest_xrays`): the
patients' sex, age and disease follow the real NIH ChestX-ray14 cohort, the pixels come from a
documented parametric model. The paper fine-tunes an ImageNet-pretrained DenseNet121 for each
rate and trial. To fit a live notebook on a laptop we keep a small CNN trained once on *clean*
site-A images (the shipped checkpoint ``chest_xray_cnn_clean``, trained on other synthetic
patients than the ones generated here) frozen as a feature extractor, and retrain only a linear
head (logistic regression on its 64 features) for each rate and trial: the attack on a
"fine-tune the last layer" pipeline. It works because the frozen features still encode sex and
age (:func:`probe_features`: sex about 0.98 balanced accuracy, age 0-20 vs rest about 0.8), as
real radiograph features do. ``feature_extractor=None`` trains the whole CNN on the poisoned
labels instead, as the paper does (minutes, not seconds).

What to expect (``benchmarks/bench_hips.py`` prints it beside the paper's numbers):

- A minority target (age 0-20, about 6% of patients; F, about 43%): its FNR rises steadily
  with ``r`` while the overall AUROC moves by at most about 0.03 up to ``r = 0.5``; targeting
  the majority (M) moves the AUROC more; the external site shows the same bias.
- A linear head can only shift the scores of a sex and of an age band separately, so an
  intersection (``{"sex": "F", "age_band": "60-80"}``) spills over onto the rest of both
  groups and its own rise is smaller.
- A small group's attack needs enough of its positives in the training set: with fewer than
  a hundred or so the head barely learns it.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_choice, check_fraction, check_positive_int, check_random_state
from ..attacks import poison_labels
from ..datasets import CHEST_XRAY_SITES, make_chest_xrays
from ..datasets._chest_xrays import AGE_BANDS
from ..metrics import UndefinedMetricWarning, group_metrics, youden_threshold

__all__ = [
    "rate_sweep",
    "load_rate_sweep",
    "replace_targets",
    "mean_over_trials",
    "load_published_results",
    "PUBLISHED_RESULTS_FILE",
    "trial_spread",
    "detectability",
    "write_rate_sweep",
    "probe_features",
    "heart_disease_poisoning",
    "make_audit_features",
    "suspect_model_outputs",
    "AUDIT_TARGETS",
    "AUDIT_FEATURES_FILE",
    "compare_with_paper",
    "PAPER_RESULTS",
    "DEFAULT_RATES",
    "SWEEP_COLUMNS",
    "SHIPPED_TARGETS",
    "SHIPPED_PARAMS",
    "SHIPPED_SWEEP_FILE",
    "RESULTS_DIR",
]

#: The poisoning rates of the paper.
DEFAULT_RATES = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0)

#: Columns of :func:`rate_sweep`'s result.
SWEEP_COLUMNS = ("target", "rate", "site", "attribute", "group", "auroc", "fnr", "for", "n", "n_pos", "threshold")

#: The paper's anchor numbers (DenseNet121 on RSNA Pneumonia, mean of 5 trials; external site
#: CheXpert), tidy: one row per reported value. ``group`` "overall" is the whole test set.
PAPER_RESULTS = pd.DataFrame(
    [
        # target, rate, site, group, metric, value
        ("F", 0.0, "internal", "overall", "auroc", 0.850),
        ("F", 0.0, "internal", "overall", "fnr", 0.181),
        ("F", 0.0, "internal", "F", "fnr", 0.178),
        ("F", 0.0, "internal", "M", "fnr", 0.183),
        ("F", 0.5, "internal", "overall", "auroc", 0.837),
        ("F", 0.5, "internal", "overall", "fnr", 0.215),
        ("F", 0.5, "internal", "F", "fnr", 0.288),
        ("F", 1.0, "internal", "overall", "auroc", 0.791),
        ("F", 1.0, "internal", "overall", "fnr", 0.337),
        ("F", 1.0, "internal", "F", "fnr", 0.666),
        ("F", 1.0, "internal", "M", "fnr", 0.157),
        ("M", 0.75, "internal", "overall", "auroc", 0.792),
        ("M", 0.75, "internal", "M", "fnr", 0.269),
        ("0-20", 0.0, "internal", "0-20", "fnr", 0.112),
        ("0-20", 1.0, "internal", "overall", "auroc", 0.837),
        ("0-20", 1.0, "internal", "0-20", "fnr", 0.547),
        ("F", 0.0, "external", "F", "fnr", 0.384),
        ("F", 1.0, "external", "F", "fnr", 0.587),
        ("F", 1.0, "external", "M", "fnr", 0.270),
    ],
    columns=["target", "rate", "site", "group", "metric", "value"],
)
PAPER_RESULTS.attrs["source"] = (
    "Kulkarni et al. 2024, Hidden in Plain Sight: DenseNet121 on RSNA Pneumonia (external: CheXpert), "
    "mean of 5 trials, threshold by Youden's J on the internal test set"
)

_CHECKPOINT = "chest_xray_cnn_clean"
_METRICS = {"auroc": "roc_auc", "fnr": "false_negative_rate", "for": "false_omission_rate", "n": "count",
            "base_rate": "base_rate"}
_C_GRID = (0.01, 0.1, 1.0)  # inverse L2 strength of the head, chosen on the (poisoned) validation set
_CACHE_SIZE = 4


# --------------------------------------------------------------------------------------------
# arguments


def _check_target(target) -> tuple[str, dict]:
    """Return (label, mapping column -> value) for a target group."""
    sexes = ("F", "M")
    if isinstance(target, str):
        if target in sexes:
            return target, {"sex": target}
        if target in AGE_BANDS:
            return target, {"age_band": target}
        raise ValueError(
            f"target={target!r} is not a group: use a sex ({', '.join(sexes)}), an age band "
            f"({', '.join(AGE_BANDS)}) or a mapping such as {{'sex': 'F', 'age_band': '60-80'}}."
        )
    if isinstance(target, Mapping):
        if not target:
            raise ValueError("target is an empty mapping; give column -> value pairs, e.g. {'sex': 'F'}.")
        allowed = {"sex": sexes, "age_band": AGE_BANDS}
        for col, value in target.items():
            if col not in allowed:
                raise ValueError(f"target names the column {col!r}; the columns are 'sex' and 'age_band'.")
            if value not in allowed[col]:
                raise ValueError(f"target[{col!r}]={value!r} is not one of {', '.join(allowed[col])}.")
        mapping = {col: target[col] for col in ("sex", "age_band") if col in target}
        return " & ".join(mapping.values()), mapping
    raise TypeError(
        f"target must be a group name (e.g. 'F' or '0-20') or a mapping column -> value, got {type(target).__name__}."
    )


def _check_rates(rates) -> tuple[float, ...]:
    if isinstance(rates, numbers.Real) and not isinstance(rates, bool):
        rates = (rates,)
    if not isinstance(rates, (Sequence, np.ndarray)) or isinstance(rates, str) or len(rates) == 0:
        raise TypeError("rates must be a non-empty sequence of numbers between 0 and 1.")
    out = tuple(check_fraction(r if not isinstance(r, np.floating) else float(r), "rates") for r in rates)
    if len(set(out)) != len(out):
        raise ValueError(f"rates has repeated values: {list(out)}.")
    return out


def _seed_int(random_state) -> int:
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        check_random_state(random_state)
        return int(random_state)
    raise TypeError(f"random_state must be a non-negative int (the sweep must be repeatable), got {type(random_state).__name__}.")


# --------------------------------------------------------------------------------------------
# data and features


class _Cohort:
    """The generated patients: images (kept only when needed), labels, groups and features."""

    def __init__(self, n_train, n_val, n_test, external_site, seed):
        ss = np.random.SeedSequence([seed, 4])  # 4: module 04; other experiments use other keys
        internal_ss, external_ss = ss.spawn(2)
        internal = make_chest_xrays(n_train + n_val + n_test, sites="A", random_state=np.random.default_rng(internal_ss))
        external = make_chest_xrays(n_test, sites=external_site, random_state=np.random.default_rng(external_ss))
        splits = {
            "train": slice(0, n_train),
            "val": slice(n_train, n_train + n_val),
            "internal": slice(n_train + n_val, None),
        }
        self.images = {k: internal.images[s] for k, s in splits.items()}
        self.images["external"] = external.images
        self.y = {k: internal.target[s] for k, s in splits.items()}
        self.y["external"] = external.target
        frames = {k: internal.frame.iloc[s].reset_index(drop=True) for k, s in splits.items()}
        frames["external"] = external.frame
        self.groups = {k: f[["sex", "age_band"]].astype(str) for k, f in frames.items()}
        for arr in self.y.values():
            arr.setflags(write=False)  # cached across calls: nobody may change them
        self.features = None

    def extract(self, extractor):
        feats = {k: extractor.features(v) for k, v in self.images.items()}
        for arr in feats.values():
            arr.setflags(write=False)
        self.features = feats
        return self

    def drop_images(self):
        self.images = None
        return self


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _checkpoint_cohort(n_train, n_val, n_test, external_site, seed, n_threads) -> _Cohort:
    """Cohort and frozen-checkpoint features, cached across calls (widgets, several targets)."""
    from ..models import load_checkpoint

    extractor = load_checkpoint(_CHECKPOINT, n_threads=n_threads)
    return _Cohort(n_train, n_val, n_test, external_site, seed).extract(extractor).drop_images()


def _resolve_extractor(feature_extractor):
    if feature_extractor is None or isinstance(feature_extractor, str):
        if feature_extractor not in (None, "checkpoint"):
            raise ValueError(
                f"feature_extractor must be 'checkpoint', None (train the whole CNN) or a fitted ImageClassifier; "
                f"got {feature_extractor!r}."
            )
        return feature_extractor
    from ..models import ImageClassifier

    if not isinstance(feature_extractor, ImageClassifier) or not hasattr(feature_extractor, "module_"):
        raise TypeError(
            "feature_extractor must be 'checkpoint', None or a fitted ImageClassifier; "
            f"got {type(feature_extractor).__name__}."
        )
    return feature_extractor


# --------------------------------------------------------------------------------------------
# one model, one evaluation


def _fit_head(train_x, train_y, val_x, val_y):
    """Logistic regression on standardised features, its L2 strength chosen by the validation log
    loss (the validation labels are poisoned too, as in the paper)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small matrices: one BLAS thread is several times faster on a busy machine
        return _fit_head_grid(train_x, train_y, val_x, val_y)


def _fit_head_grid(train_x, train_y, val_x, val_y):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    best = None
    for C in _C_GRID:
        head = LogisticRegression(C=C, solver="newton-cholesky", max_iter=100, tol=1e-7)
        head.fit(train_x, train_y)
        loss = log_loss(val_y, head.predict_proba(val_x)[:, 1], labels=[0, 1])
        if best is None or loss < best[0] - 1e-12:
            best = (loss, head)
    return best[1]


def _evaluate(scores, threshold, y, groups, intersection) -> list[dict]:
    """Rows of metrics (overall and per group) for one model on one test set."""
    pred = (scores >= threshold).astype(np.int8)
    columns = [("sex", groups["sex"], ("F", "M")), ("age_band", groups["age_band"], AGE_BANDS)]
    if intersection is not None:
        # one column "target group" vs "rest"; only the target group's row is kept
        label = " & ".join(intersection.values())
        inside = np.logical_and.reduce([groups[col].to_numpy() == value for col, value in intersection.items()])
        columns.append((" & ".join(intersection), pd.Series(np.where(inside, label, "rest")), (label,)))
    rows = []
    with warnings.catch_warnings():
        # a group without positives (or negatives) in a small test set gets NaN: documented
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for k, (attribute, sf, shown) in enumerate(columns):
            report = group_metrics(y, pred, sensitive_features=sf.to_numpy(), metrics=_METRICS, y_score=scores)
            if k == 0:
                rows.append(_row("overall", "overall", report.overall))
            rows.extend(_row(attribute, g, report.by_group.loc[g]) for g in shown if g in report.by_group.index)
    return rows


def _row(attribute, group, values) -> dict:
    n = int(values["n"])
    return {
        "attribute": attribute,
        "group": group,
        "auroc": float(values["auroc"]),
        "fnr": float(values["fnr"]),
        "for": float(values["for"]),
        "n": n,
        "n_pos": int(round(float(values["base_rate"]) * n)) if n else 0,
    }


# --------------------------------------------------------------------------------------------
# the sweep


def rate_sweep(
    target,
    *,
    rates=DEFAULT_RATES,
    n_train=6000,
    n_val=1500,
    n_test=3000,
    n_trials=5,
    random_state=0,
    external_site="B",
    feature_extractor="checkpoint",
    keep_trials=False,
    cnn_params=None,
    n_threads=None,
    progress=False,
) -> pd.DataFrame:
    """Poison one group's positive labels at several rates; per-group AUROC, FNR and FOR.

    For each rate and trial: flip ``floor(rate * n)`` of the target group's positive labels in
    the training and validation sets (:func:`biaslab.attacks.poison_labels`), train a model,
    choose its threshold by Youden's J on the clean internal test set
    (:func:`biaslab.metrics.youden_threshold`), and measure AUROC, false negative rate and
    false omission rate overall and per group on the internal test set (site A) and on an
    external site, with :func:`biaslab.metrics.group_metrics`. SYNTHETIC data throughout.

    Parameters
    ----------
    target : str, mapping, or a list of them
        The target group: a sex (``"F"``, ``"M"``), an age band (``"0-20"``, ``"20-40"``,
        ``"40-60"``, ``"60-80"``, ``"80+"``) or an intersection such as
        ``{"sex": "F", "age_band": "60-80"}``. A list sweeps each target on the same patients.
    rates : sequence of float in [0, 1], default=DEFAULT_RATES
        Shares of the target group's positives to flip; 0 is the clean model.
    n_train, n_val, n_test : int, default=6000, 1500, 3000
        Training, validation (early stopping / head regularisation) and test sizes; the
        external test set has ``n_test`` images too.
    n_trials : int, default=5
        Trials per rate, averaged as in the paper. Trials differ in which labels are flipped and
        in the model's randomness: a bootstrap resample of the training rows for the
        logistic-regression head (which has no random initialisation), the initialisation and
        batch order with ``feature_extractor=None``.
    random_state : int, default=0
        Seed of the patients and the trials: the same seed gives the same frame.
    external_site : {"B", "C"}, default="B"
        The external hospital (different acquisition, same cohort distribution).
    feature_extractor : "checkpoint", None or ImageClassifier, default="checkpoint"
        ``"checkpoint"``: the shipped ``chest_xray_cnn_clean`` (trained on clean data), frozen;
        a logistic-regression head on its features is trained per rate and trial (seconds).
        A fitted ``ImageClassifier``: the same with that network's :meth:`features`.
        ``None``: train a whole ``chest_xray_cnn`` per rate and trial on the poisoned labels,
        with early stopping on the poisoned validation set, like the paper (minutes).
    keep_trials : bool, default=False
        Return every trial (with a ``trial`` column) instead of the mean over trials.
    cnn_params : dict, optional
        With ``feature_extractor=None``: parameters of the
        :class:`~biaslab.models.ImageClassifier` trained per rate (default: the recipe of the
        shipped checkpoint, 10 epochs, early stopping with patience 5 on the poisoned
        validation set).
    n_threads : int, optional
        Torch threads for the feature extraction or training.
    progress : bool, default=False
        Print one line per rate.

    Returns
    -------
    pandas.DataFrame
        Columns ``target`` (the target's label, e.g. ``"F"`` or ``"F & 60-80"``), ``rate``,
        ``site`` (``"internal"``, ``"external"``), ``attribute`` (``"overall"``, ``"sex"``,
        ``"age_band"``, or ``"sex & age_band"`` for an intersection target), ``group``
        (``"overall"``, ``"F"``, ``"M"``, the age bands, the intersection), ``auroc``,
        ``fnr`` (FN / (TP + FN): underdiagnosis), ``for`` (FN / (FN + TN)), ``n`` (test rows),
        ``n_pos`` (positives among them), ``threshold`` (the model's Youden threshold on its
        decision scores). Means over trials unless ``keep_trials``. A group without positives
        (or negatives) in a test set gets NaN where a metric needs them.
        ``frame.attrs`` describes the run (SYNTHETIC data, sizes, model).

    Examples
    --------
    >>> from biaslab.experiments.hidden_in_plain_sight import rate_sweep
    >>> sweep = rate_sweep("F", rates=(0, 1), n_train=1000, n_val=300, n_test=600, n_trials=1)
    >>> sorted(sweep["group"].unique())[:4]
    ['0-20', '20-40', '40-60', '60-80']
    >>> f = sweep.query("site == 'internal' and group == 'F'").set_index("rate")["fnr"]
    >>> bool(f[1.0] > f[0.0])
    True
    """
    targets = list(target) if isinstance(target, (list, tuple)) else [target]
    if not targets:
        raise ValueError("target is an empty list; give at least one target group.")
    checked = [_check_target(t) for t in targets]
    rates = _check_rates(rates)
    n_train = check_positive_int(n_train, "n_train", minimum=50)
    n_val = check_positive_int(n_val, "n_val", minimum=20)
    n_test = check_positive_int(n_test, "n_test", minimum=50)
    n_trials = check_positive_int(n_trials, "n_trials")
    seed = _seed_int(random_state)
    external_site = check_choice(external_site, "external_site", [s for s in CHEST_XRAY_SITES if s != "A"])
    extractor = _resolve_extractor(feature_extractor)
    if not isinstance(keep_trials, (bool, np.bool_)):
        raise TypeError(f"keep_trials must be True or False, got {type(keep_trials).__name__}.")
    if cnn_params is not None and not isinstance(cnn_params, Mapping):
        raise TypeError(f"cnn_params must be a dict of ImageClassifier parameters, got {type(cnn_params).__name__}.")
    if cnn_params is not None and extractor is not None:
        raise ValueError("cnn_params only applies with feature_extractor=None (training the whole CNN).")

    if extractor == "checkpoint":
        cohort = _checkpoint_cohort(n_train, n_val, n_test, external_site, seed, n_threads)
    elif extractor is None:
        cohort = _Cohort(n_train, n_val, n_test, external_site, seed)
    else:
        cohort = _Cohort(n_train, n_val, n_test, external_site, seed).extract(extractor).drop_images()

    if cohort.features is not None:
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(cohort.features["train"])  # label-free: the same for every rate
        X = {k: scaler.transform(v) for k, v in cohort.features.items()}

    rows = []
    for label, mapping in checked:
        intersection = mapping if len(mapping) > 1 else None
        sf = {k: cohort.groups[k][list(mapping)] for k in ("train", "val")}
        for trial in range(n_trials):
            # A logistic-regression head has no random initialisation; a bootstrap of the training
            # rows stands in for the paper's training seeds. It depends on (seed, trial) only, so
            # every target and rate of a trial sees the same rows and rate 0 is the same clean model.
            boot = np.random.default_rng([seed, 4, 0, trial]).integers(0, n_train, n_train)
            for rate in rates:
                # flips depend on (seed, trial, rate) only, not on the other rates asked for
                flip_rng = np.random.default_rng([seed, 4, 1, trial, int(round(rate * 1e6))])
                y_train, _ = poison_labels(cohort.y["train"], sensitive_features=sf["train"], target=mapping,
                                           rate=rate, random_state=flip_rng)
                y_val, _ = poison_labels(cohort.y["val"], sensitive_features=sf["val"], target=mapping,
                                         rate=rate, random_state=flip_rng)
                if cohort.features is not None:
                    head = _fit_head(X["train"][boot], y_train[boot], X["val"], y_val)
                    scores = {site: head.decision_function(X[site]) for site in ("internal", "external")}
                else:
                    scores = _train_cnn(cohort, y_train, y_val, seed, trial, rate, cnn_params, n_threads)
                threshold = youden_threshold(cohort.y["internal"], scores["internal"])
                for site in ("internal", "external"):
                    for row in _evaluate(scores[site], threshold, cohort.y[site], cohort.groups[site], intersection):
                        rows.append({"target": label, "rate": rate, "trial": trial, "site": site, **row,
                                     "threshold": threshold})
                if progress:
                    print(f"target {label}, trial {trial + 1}/{n_trials}, rate {rate:g}: done", flush=True)

    frame = pd.DataFrame(rows)
    if not keep_trials:
        keys = ["target", "rate", "site", "attribute", "group"]
        frame = (
            frame.groupby(keys, sort=False, observed=True)
            .agg({"auroc": "mean", "fnr": "mean", "for": "mean", "n": "first", "n_pos": "first", "threshold": "mean"})
            .reset_index()
        )
        frame = frame[list(SWEEP_COLUMNS)]
    else:
        frame = frame[["trial", *SWEEP_COLUMNS]]
    frame.attrs.update(
        data=(
            f"SYNTHETIC chest X-rays (make_chest_xrays): train {n_train}, validation {n_val}, internal test "
            f"{n_test} (site A), external test {n_test} (site {external_site}); random_state {seed}"
        ),
        model=(
            "whole chest_xray_cnn trained per rate and trial" if extractor is None else
            "frozen clean feature extractor + logistic-regression head per rate and trial"
        ),
        n_trials=n_trials,
    )
    return frame


def _train_cnn(cohort, y_train, y_val, seed, trial, rate, cnn_params, n_threads):
    from ..models import ImageClassifier

    # the recipe of the shipped checkpoint; patience 5, because the validation loss jumps about
    # while the one-cycle learning rate is high and a shorter patience stops half-trained
    params = dict(epochs=10, patience=5, augment_shift=2, lr=3e-3, progress=False)
    params.update(cnn_params or {})
    params.setdefault("random_state", int(np.random.default_rng([seed, 4, 2, trial]).integers(2**31 - 1)))
    params.setdefault("n_threads", n_threads)
    model = ImageClassifier("chest_xray_cnn", **params)
    model.fit(cohort.images["train"], y_train, X_val=cohort.images["val"], y_val=y_val)
    return {site: model.decision_function(cohort.images[site]) for site in ("internal", "external")}


# --------------------------------------------------------------------------------------------
# checks and comparison


def probe_features(*, n_train=6000, n_val=1500, n_test=3000, random_state=0, feature_extractor="checkpoint",
                   n_threads=None) -> pd.DataFrame:
    """How well a linear probe reads sex and age from the frozen features.

    A targeted attack can only single out a group the model can tell apart. Trains a
    logistic regression on the training features to predict sex, the age band (5 classes) and
    "age 0-20 or not", and reports its balanced accuracy on the internal test set beside the
    share of the most common class.

    Returns
    -------
    pandas.DataFrame with columns ``attribute``, ``balanced_accuracy``, ``accuracy``,
    ``majority_share``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    seed = _seed_int(random_state)
    extractor = _resolve_extractor(feature_extractor)
    if extractor is None:
        raise ValueError("probe_features needs a feature extractor: 'checkpoint' or a fitted ImageClassifier.")
    if extractor == "checkpoint":
        cohort = _checkpoint_cohort(n_train, n_val, n_test, "B", seed, n_threads)
    else:
        cohort = _Cohort(n_train, n_val, n_test, "B", seed).extract(extractor).drop_images()
    rows = []
    tasks = {"sex": ("sex", None), "age_band": ("age_band", None), "age 0-20 vs rest": ("age_band", "0-20")}
    for name, (col, value) in tasks.items():
        y_tr = cohort.groups["train"][col].to_numpy()
        y_te = cohort.groups["internal"][col].to_numpy()
        if value is not None:
            y_tr, y_te = y_tr == value, y_te == value
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        clf.fit(cohort.features["train"], y_tr)
        pred = clf.predict(cohort.features["internal"])
        rows.append({
            "attribute": name,
            "balanced_accuracy": float(balanced_accuracy_score(y_te, pred)),
            "accuracy": float(accuracy_score(y_te, pred)),
            "majority_share": float(pd.Series(y_te).value_counts(normalize=True).iloc[0]),
        })
    return pd.DataFrame(rows)


def compare_with_paper(sweep: pd.DataFrame) -> pd.DataFrame:
    """Put a sweep's numbers beside each anchor number of the paper that the sweep covers.

    Parameters
    ----------
    sweep : DataFrame
        Returned by :func:`rate_sweep` (several targets may be concatenated).

    Returns
    -------
    pandas.DataFrame
        One row per :data:`PAPER_RESULTS` row whose target, rate, site and group the sweep has:
        ``setting``, ``site``, ``group``, ``metric``, ``paper`` and ``ours`` (SYNTHETIC data).
        The clean model (rate 0) does not depend on the target, so the baselines are read from
        any target's rate-0 rows.
    """
    if not isinstance(sweep, pd.DataFrame) or not set(SWEEP_COLUMNS) <= set(sweep.columns):
        raise TypeError("sweep must be a DataFrame returned by rate_sweep.")
    rows = []
    for rec in PAPER_RESULTS.itertuples(index=False):
        match = (sweep["rate"] == rec.rate) & (sweep["site"] == rec.site) & (sweep["group"] == rec.group)
        if rec.rate != 0.0:
            match &= sweep["target"] == rec.target
        values = sweep.loc[match, rec.metric]
        if values.empty or values.isna().all():
            continue
        setting = "baseline" if rec.rate == 0.0 else f"target {rec.target}, r={rec.rate:g}"
        rows.append({"setting": setting, "site": rec.site, "group": rec.group, "metric": rec.metric,
                     "paper": rec.value, "ours": float(values.mean())})
    return pd.DataFrame(rows, columns=["setting", "site", "group", "metric", "paper", "ours"])


# --------------------------------------------------------------------------------------------
# the shipped sweep (module 04 loads it; scripts/make_hips_results.py makes it)

#: Folder of the shipped precomputed results (package data).
RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: File name of the shipped sweep, in :data:`RESULTS_DIR`.
SHIPPED_SWEEP_FILE = "hips_rate_sweep.csv"

#: Targets of the shipped sweep: each sex, the youngest age band and an intersection.
SHIPPED_TARGETS = ("F", "M", "0-20", {"sex": "F", "age_band": "60-80"})

#: The :func:`rate_sweep` parameters of the shipped sweep (every trial is kept in the file).
SHIPPED_PARAMS = dict(rates=DEFAULT_RATES, n_train=6000, n_val=1500, n_test=3000, n_trials=5, random_state=0,
                      external_site="B", feature_extractor="checkpoint")

_TRIAL_COLUMNS = ("trial", *SWEEP_COLUMNS)


def _target_from_label(target):
    """A target given as a sweep label ("F & 60-80") or as rate_sweep accepts it -> (label, target)."""
    if isinstance(target, str) and " & " in target:
        sex, _, band = target.partition(" & ")
        target = {"sex": sex, "age_band": band}
    label, mapping = _check_target(target)
    return label, (mapping if len(mapping) > 1 else target)


def write_rate_sweep(sweep: pd.DataFrame, path) -> Path:
    """Write a :func:`rate_sweep` frame made with ``keep_trials=True`` to a CSV file.

    The frame's ``attrs`` (what data and model made it) go into ``#`` comment lines at the top;
    numbers are written with 10 significant digits.

    Parameters
    ----------
    sweep : DataFrame
        Returned by ``rate_sweep(..., keep_trials=True)`` (it has a ``trial`` column).
    path : str or Path
        Where to write.

    Returns
    -------
    pathlib.Path
    """
    if not isinstance(sweep, pd.DataFrame) or list(sweep.columns) != list(_TRIAL_COLUMNS):
        raise TypeError("sweep must be a DataFrame returned by rate_sweep(..., keep_trials=True).")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}.")
    path = Path(path)
    header = "".join(f"# {key}: {value}\n" for key, value in sweep.attrs.items())
    path.write_text(header + sweep.to_csv(index=False, float_format="%.10g", lineterminator="\n"), encoding="utf-8")
    return path


def load_rate_sweep(target=None, *, trials=False, recompute=False, n_threads=None, progress=False) -> pd.DataFrame:
    """The shipped rate sweep (SYNTHETIC chest X-rays), or the same sweep recomputed live.

    The shipped file (made by ``scripts/make_hips_results.py``) holds :func:`rate_sweep` with
    :data:`SHIPPED_PARAMS` for the targets of :data:`SHIPPED_TARGETS`, every trial. Loading it
    takes milliseconds; ``recompute=True`` runs the sweep instead (about 15 s per target on 2
    CPU cores, the first time longer: the patients are generated and their features extracted),
    the "workshop mode" of module 04.

    Parameters
    ----------
    target : str, mapping, list of them, or None, default=None
        Which target(s): ``"F"``, ``"M"``, ``"0-20"``, ``"F & 60-80"`` (or
        ``{"sex": "F", "age_band": "60-80"}``); ``None`` for all shipped targets. With
        ``recompute=True`` any target :func:`rate_sweep` accepts.
    trials : bool, default=False
        Keep every trial (a ``trial`` column) instead of the mean over the 5 trials.
    recompute : bool, default=False
        Run :func:`rate_sweep` now instead of reading the shipped file.
    n_threads : int, optional
        Torch threads, with ``recompute=True``.
    progress : bool, default=False
        With ``recompute=True``: print one line per rate and trial.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rate_sweep` (with ``trial`` first if ``trials``), exactly as
        ``rate_sweep(target, **SHIPPED_PARAMS)`` returns them, up to the 10 digits stored.

    Examples
    --------
    >>> from biaslab.experiments.hidden_in_plain_sight import load_rate_sweep
    >>> sweep = load_rate_sweep("F")
    >>> sorted(sweep["site"].unique()), sorted(sweep["rate"].unique().tolist())
    (['external', 'internal'], [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0])
    >>> f = sweep.query("site == 'internal' and group == 'F'").set_index("rate")["fnr"]
    >>> bool(f[1.0] > f[0.0] + 0.3)
    True
    """
    for name, flag in (("trials", trials), ("recompute", recompute), ("progress", progress)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {type(flag).__name__}.")
    if target is None:
        wanted = [_target_from_label(t) for t in SHIPPED_TARGETS]
    else:
        wanted = [_target_from_label(t) for t in (target if isinstance(target, (list, tuple)) else [target])]
        if not wanted:
            raise ValueError("target is an empty list; give at least one target group, or None for all.")
    labels = [label for label, _ in wanted]
    if recompute:
        frame = rate_sweep([t for _, t in wanted], **SHIPPED_PARAMS, keep_trials=trials, n_threads=n_threads,
                           progress=progress)
        shipped_attrs = _read_shipped_sweep_cached().attrs
        frame.attrs.update({k: shipped_attrs[k] for k in ("data", "model") if k in shipped_attrs},
                           source="recomputed live (rate_sweep with SHIPPED_PARAMS)")
        return frame
    shipped = {_check_target(t)[0] for t in SHIPPED_TARGETS}
    missing = [label for label in labels if label not in shipped]
    if missing:
        raise ValueError(
            f"target {missing[0]!r} is not in the shipped sweep (it has {', '.join(sorted(shipped))}); "
            "pass recompute=True to run it live."
        )
    full = _read_shipped_sweep()
    frame = full[full["target"].isin(labels)].reset_index(drop=True)
    frame.attrs.update(full.attrs)
    return frame if trials else mean_over_trials(frame)


def mean_over_trials(trials: pd.DataFrame) -> pd.DataFrame:
    """A sweep with a ``trial`` column (``load_rate_sweep(trials=True)``) as means over its trials.

    Returns the columns of :func:`rate_sweep` (counts are the first trial's: they do not vary),
    with the input's ``attrs``. ``load_rate_sweep()`` is ``mean_over_trials(load_rate_sweep(trials=True))``.
    """
    if not isinstance(trials, pd.DataFrame) or not {"trial", *SWEEP_COLUMNS} <= set(trials.columns):
        raise TypeError("trials must be a sweep with a trial column (load_rate_sweep(trials=True)).")
    keys = ["target", "rate", "site", "attribute", "group"]
    frame = (
        trials.groupby(keys, sort=False, observed=True)
        .agg({"auroc": "mean", "fnr": "mean", "for": "mean", "n": "first", "n_pos": "first", "threshold": "mean"})
        .reset_index()[list(SWEEP_COLUMNS)]
    )
    frame.attrs.update(trials.attrs)
    return frame


def replace_targets(sweep: pd.DataFrame, live: pd.DataFrame) -> pd.DataFrame:
    """``sweep`` with the rows of ``live``'s targets replaced by ``live``'s (workshop mode).

    ``pd.concat`` drops ``attrs`` that differ between its inputs (the shipped and the live
    ``source``); this keeps them and says in ``source`` which targets were recomputed.

    Examples
    --------
    >>> shipped = load_rate_sweep()
    >>> mixed = replace_targets(shipped, load_rate_sweep("F"))
    >>> mixed.attrs["data"] == shipped.attrs["data"], len(mixed) == len(shipped)
    (True, True)
    """
    for name, frame in (("sweep", sweep), ("live", live)):
        if not isinstance(frame, pd.DataFrame) or not set(SWEEP_COLUMNS) <= set(frame.columns):
            raise TypeError(f"{name} must be a DataFrame returned by load_rate_sweep or rate_sweep.")
    if ("trial" in sweep.columns) != ("trial" in live.columns):
        raise ValueError("sweep and live must both have a trial column (trials=True) or both not.")
    labels = list(dict.fromkeys(live["target"]))
    merged = pd.concat([sweep[~sweep["target"].isin(labels)], live], ignore_index=True)
    merged.attrs = {**sweep.attrs, **{k: v for k, v in live.attrs.items() if k != "source"}}
    merged.attrs["source"] = (f"{sweep.attrs.get('source', 'given sweep')}; target(s) {', '.join(labels)}: "
                              f"{live.attrs.get('source', 'live')}")
    return merged


@functools.lru_cache(maxsize=1)
def _read_shipped_sweep_cached() -> pd.DataFrame:
    path = RESULTS_DIR / SHIPPED_SWEEP_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The shipped sweep {path} is missing; run scripts/make_hips_results.py.")
    attrs = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("# "):
                break
            key, _, value = line[2:].rstrip("\n").partition(": ")
            attrs[key] = value
    frame = pd.read_csv(path, comment="#", dtype={"target": str, "site": str, "attribute": str, "group": str},
                        keep_default_na=False, na_values=[""])
    frame.attrs.update(attrs, source=f"shipped: {SHIPPED_SWEEP_FILE} (scripts/make_hips_results.py)")
    return frame


def _read_shipped_sweep() -> pd.DataFrame:
    frame = _read_shipped_sweep_cached()
    copy = frame.copy()  # callers may change their frame; the cache must stay as shipped
    copy.attrs = dict(frame.attrs)
    return copy


# --------------------------------------------------------------------------------------------
# the same attack on real data: Cleveland heart disease (303 patients)


def heart_disease_poisoning(target="Female", *, rates=(0.0, 0.5, 1.0), n_splits=5, n_repeats=10, n_boot=2000,
                            ci=0.95, random_state=0) -> pd.DataFrame:
    """Poison one sex's positive labels in the real Cleveland heart disease data; FNR by sex with CIs.

    For each repeat, the 303 patients are split into ``n_splits`` stratified folds; for each fold
    a logistic regression (all 13 features, sex included; imputation, scaling and one-hot coding
    are fitted once on all patients, as they use no labels) is trained on the other folds with a
    share ``rate`` of the target sex's positives flipped to negative
    (:func:`biaslab.attacks.poison_labels`; the test fold stays clean). Each patient thus gets
    one out-of-fold score per repeat; the threshold is Youden's J on those clean scores (as the
    paper sets it on its internal test set). The FNR of a group is pooled over the repeats, and
    its confidence interval comes from a bootstrap over *patients* (each resampled patient brings
    all of its repeats), so the interval reflects how few patients there are, not how many
    repeats were run. With 25 women with heart disease, the women's intervals are wide.

    Parameters
    ----------
    target : {"Female", "Male"}, default="Female"
        The sex whose positives are flipped.
    rates : sequence of float in [0, 1], default=(0, 0.5, 1)
        Shares of the target's training positives to flip.
    n_splits : int, default=5
        Folds per repeat (at least 2).
    n_repeats : int, default=10
        Repeats of the cross-validation with other folds and other flips.
    n_boot : int, default=2000
        Bootstrap resamples of the patients for the intervals.
    ci : float, default=0.95
        Coverage of the percentile intervals.
    random_state : int, default=0
        Seed of the folds, the flips and the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per rate and group (``"overall"``, ``"Female"``, ``"Male"``): ``rate``, ``group``,
        ``fnr`` with ``fnr_low`` and ``fnr_high`` (the interval), ``auroc`` (the group's
        out-of-fold AUROC, mean over repeats), ``n`` (patients) and ``n_pos`` (patients with heart disease).

    Examples
    --------
    >>> from biaslab.experiments.hidden_in_plain_sight import heart_disease_poisoning
    >>> res = heart_disease_poisoning(rates=(0.0, 1.0), n_repeats=2, n_boot=200)
    >>> women = res[res.group == "Female"].set_index("rate")["fnr"]
    >>> bool(women[1.0] > women[0.0])
    True
    """
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from threadpoolctl import threadpool_limits

    from ..datasets import load_heart_disease

    target = check_choice(target, "target", ["Female", "Male"])
    rates = _check_rates(rates)
    n_splits = check_positive_int(n_splits, "n_splits", minimum=2)
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    n_boot = check_positive_int(n_boot, "n_boot", minimum=10)
    ci = check_fraction(ci, "ci")
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be strictly between 0 and 1, got {ci}.")
    seed = _seed_int(random_state)

    heart = load_heart_disease()
    X, y = heart.data, heart.target.to_numpy().astype(np.int8)
    sex = heart.sensitive_features["sex"].astype(str).to_numpy()
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]

    # label-free preprocessing fitted once on all patients (the poisoning only touches labels):
    # keeps the 5 x 10 x rates fits of the model to milliseconds each
    features = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    ).fit_transform(X)
    with threadpool_limits(1):  # 300 x 25 matrices: one BLAS thread is faster on a busy machine
        return _heart_cv(features, y, sex, target, rates, n_splits, n_repeats, n_boot, ci, seed)


def _heart_cv(features, y, sex, target, rates, n_splits, n_repeats, n_boot, ci, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    n = len(y)
    groups = {"overall": np.ones(n, dtype=bool), "Female": sex == "Female", "Male": sex == "Male"}
    boot_counts = np.random.default_rng([seed, 4, 7]).multinomial(n, np.full(n, 1.0 / n), size=n_boot)
    rows = []
    for rate in rates:
        missed = np.zeros(n)  # per patient: repeats in which a positive was missed
        aurocs = {name: [] for name in groups}
        for repeat in range(n_repeats):
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=int(seed * 1000 + repeat))
            flip_rng = np.random.default_rng([seed, 4, 8, repeat, int(round(rate * 1e6))])
            scores = np.empty(n)
            for train, test in folds.split(features, y):
                y_train, _ = poison_labels(y[train], sensitive_features=sex[train], target=target, rate=rate,
                                           random_state=flip_rng)
                head = LogisticRegression(solver="newton-cholesky", max_iter=100).fit(features[train], y_train)
                scores[test] = head.decision_function(features[test])
            threshold = youden_threshold(y, scores)
            missed += (y == 1) & (scores < threshold)
            for name, inside in groups.items():
                aurocs[name].append(roc_auc_score(y[inside], scores[inside]))
        positives = (y == 1) * float(n_repeats)
        for name, inside in groups.items():
            fn, pos = missed * inside, positives * inside
            boot = (boot_counts @ fn) / np.where(boot_counts @ pos > 0, boot_counts @ pos, np.nan)
            low, high = np.nanquantile(boot, [(1 - ci) / 2, (1 + ci) / 2])
            rows.append({"rate": rate, "group": name, "fnr": float(fn.sum() / pos.sum()), "fnr_low": float(low),
                         "fnr_high": float(high), "auroc": float(np.mean(aurocs[name])), "n": int(inside.sum()),
                         "n_pos": int(((y == 1) & inside).sum())})
    frame = pd.DataFrame(rows)
    frame.attrs.update(
        data="real: UCI Cleveland heart disease, 303 patients (load_heart_disease)",
        model=f"logistic regression, {n_repeats} x {n_splits}-fold cross-validation, training folds poisoned",
        target=target,
        ci=ci,
    )
    return frame


# --------------------------------------------------------------------------------------------
# labels a function must not change (module 04, exercise q1)

class _FrozenLabels(np.ndarray):
    """Labels handed to a learner's function that must not change them: read-only, in every copy the check makes.

    The poisoning exercise (module 04, q1) calls the learner's ``poison(y, ...)`` on these. Each
    test call gets a deep copy of its inputs (and a class's grader pickles them to the student's
    kernel first): both give back a plain *read-only* ``ndarray``, so a function that flips labels
    in the caller's ``y`` fails with numpy's "assignment destination is read-only", and the check
    can say so. ``y.copy()`` is an ordinary, writable array.
    """

    def __reduce_ex__(self, protocol):
        return (_frozen_labels, (np.array(self, subok=False),))

    def __reduce__(self):
        return self.__reduce_ex__(2)

    def __deepcopy__(self, memo):
        out = np.array(self, subok=False)
        out.setflags(write=False)
        return out


def _frozen_labels(values) -> np.ndarray:
    """``values`` as :class:`_FrozenLabels` (read-only)."""
    out = np.array(values, subok=False).view(_FrozenLabels)
    out.setflags(write=False)
    return out


# an audit: a model with a planted attack (module 04, exercise q3)

#: The groups an attack in :func:`suspect_model_outputs` may target. Only groups the frozen
#: features single out well enough for a linear head to hit them alone: the sexes, and the
#: 60-80 band (the 0-20 and 80+ bands have too few positives among 2,400 training patients, and
#: poisoning a middle band spills onto its neighbours, because the features encode age as a
#: continuum rather than as bands).
AUDIT_TARGETS = ("F", "M", "60-80")

#: File of the shipped frozen features of the audit patients, in :data:`RESULTS_DIR`.
AUDIT_FEATURES_FILE = "hips_audit_features.npz"

_AUDIT_SIZES = dict(n_train=2400, n_val=600, n_test=1600)
_AUDIT_COHORT_SEED = 404


def make_audit_features(*, limit=None, n_threads=None) -> dict:
    """Features of the audit patients (SYNTHETIC chest X-rays, site A) from the frozen checkpoint.

    ``scripts/make_hips_results.py`` writes them to :data:`AUDIT_FEATURES_FILE` (float16), so
    that :func:`suspect_model_outputs` trains a poisoned head in milliseconds without
    generating images. Returns a dict of arrays: ``features`` (n, 64), ``y``, ``sex``,
    ``age_band`` and ``split`` (``"train"``, ``"val"``, ``"test"``).

    Parameters
    ----------
    limit : int, optional
        Only the first ``limit`` patients (all patients are still generated, so they are the
        same ones): a quick check that the shipped file is current.
    n_threads : int, optional
        Torch threads for the feature extraction.
    """
    from ..models import load_checkpoint

    n = sum(_AUDIT_SIZES.values())
    limit = n if limit is None else min(check_positive_int(limit, "limit"), n)
    xrays = make_chest_xrays(n, sites="A", random_state=np.random.default_rng([_AUDIT_COHORT_SEED, 4]))
    extractor = load_checkpoint(_CHECKPOINT, n_threads=n_threads)
    split = np.repeat(np.array(["train", "val", "test"], dtype="U5"), list(_AUDIT_SIZES.values()))
    return {
        "features": extractor.features(xrays.images[:limit]).astype(np.float16),
        "y": np.asarray(xrays.target, dtype=np.int8)[:limit],
        # fixed-width strings, not objects: the file loads without pickle
        "sex": xrays.frame["sex"].astype(str).to_numpy().astype("U1")[:limit],
        "age_band": xrays.frame["age_band"].astype(str).to_numpy().astype("U5")[:limit],
        "split": split[:limit],
    }


@functools.lru_cache(maxsize=1)
def _audit_cohort():
    path = RESULTS_DIR / AUDIT_FEATURES_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The shipped audit features {path} are missing; run scripts/make_hips_results.py.")
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    for arr in arrays.values():
        arr.setflags(write=False)
    return arrays


def _planted_attack(random_state) -> tuple[str, float]:
    """The target and rate planted in the suspect model of a given seed (known to the exercise check)."""
    rng = np.random.default_rng([_seed_int(random_state), 4, 9])
    return str(rng.choice(AUDIT_TARGETS)), float(rng.choice([0.75, 1.0]))


def suspect_model_outputs(random_state=0, *, target=None, rate=None) -> pd.DataFrame:
    """A suspect model's outputs on a clean test set: one group's positives were poisoned.

    An attacker flipped a share (0.75 or 1) of one group's positive training labels (the group is
    one of :data:`AUDIT_TARGETS`); the model (the frozen clean CNN's features + a logistic head,
    as in :func:`rate_sweep`) was trained on them, and its threshold set by Youden's J on the
    clean test set. Which group was it? Every seed plants its own attack. SYNTHETIC chest X-rays
    (1,600 test patients, site A); the features are shipped (:data:`AUDIT_FEATURES_FILE`).

    Parameters
    ----------
    random_state : int, default=0
        Which attack (group, rate and flipped rows).
    target, rate : optional
        The attack, given explicitly (a class's hidden tests): ``target`` one of
        :data:`AUDIT_TARGETS` and ``rate`` (default 1.0) the share of its positive training
        labels flipped. Give ``rate`` only with ``target``. The seed then decides only the
        flipped rows: it no longer tells which group was attacked.

    Returns
    -------
    pandas.DataFrame
        One row per test patient: ``sex``, ``age_band``, ``y_true`` (clean labels), ``y_score``
        (the model's decision score) and ``y_pred`` (0/1 at the model's threshold).

    Examples
    --------
    >>> from biaslab.experiments.hidden_in_plain_sight import suspect_model_outputs
    >>> outputs = suspect_model_outputs(random_state=1)
    >>> list(outputs.columns), len(outputs)
    (['sex', 'age_band', 'y_true', 'y_score', 'y_pred'], 1600)
    """
    seed = _seed_int(random_state)
    if target is None:
        if rate is not None:
            raise TypeError("Give rate only together with target (or neither: the seed decides both).")
        target, rate = _planted_attack(seed)
    else:
        target = check_choice(target, "target", AUDIT_TARGETS)
        rate = 1.0 if rate is None else check_fraction(rate, "rate")
    data = _audit_cohort()
    split = data["split"]
    groups = pd.DataFrame({"sex": data["sex"], "age_band": data["age_band"]})
    column = "sex" if target in ("F", "M") else "age_band"
    X = {k: data["features"][split == k].astype(np.float64) for k in ("train", "val", "test")}
    mean, std = X["train"].mean(axis=0), X["train"].std(axis=0) + 1e-12
    X = {k: (v - mean) / std for k, v in X.items()}
    y, poisoned = {}, {}
    flip_rng = np.random.default_rng([seed, 4, 10])
    for k in ("train", "val", "test"):
        y[k] = data["y"][split == k]
        if k != "test":
            poisoned[k], _ = poison_labels(y[k], sensitive_features=groups[column].to_numpy()[split == k],
                                           target=target, rate=rate, random_state=flip_rng)
    head = _fit_head(X["train"], poisoned["train"], X["val"], poisoned["val"])
    scores = head.decision_function(X["test"])
    threshold = youden_threshold(y["test"], scores)
    test = groups[split == "test"].reset_index(drop=True)
    return test.assign(y_true=y["test"].astype(int), y_score=scores, y_pred=(scores >= threshold).astype(int))


# --------------------------------------------------------------------------------------------
# the authors' published per-trial results, beside ours (module 04)

#: The subset of the authors' results that ships (datasets/hidden_in_plain_sight/DATASHEET.md).
PUBLISHED_RESULTS_FILE = "hidden_in_plain_sight/densenet_published.csv"


@functools.lru_cache(maxsize=1)
def _read_published() -> pd.DataFrame:
    from ..datasets._base import data_file

    return pd.read_csv(data_file(PUBLISHED_RESULTS_FILE), comment="#", keep_default_na=False, na_values=[""],
                       dtype={"site": str, "target": str, "group": str})


def load_published_results() -> pd.DataFrame:
    """The authors' DenseNet121 results per target, rate, trial, site and group (real radiographs).

    Kulkarni et al. publish every trial's per-group metrics (UM2ii/HiddenInPlainSight,
    ``results/densenet/*_summary.csv``, MIT); biaslab ships the subset module 04 draws: targets
    F, M, 0-20 and F & 60-80, groups overall, F, M, 0-20, 60-80 and F & 60-80, internal (RSNA)
    and external (CheXpert) test sets. Its datasheet: ``datasets/hidden_in_plain_sight/DATASHEET.md``.

    Returns
    -------
    pandas.DataFrame
        ``site``, ``target``, ``trial``, ``rate``, ``group``, ``auroc``, ``fnr``, ``for``, ``tp``,
        ``fn``, ``tn``, ``fp``; one row per trial (5 per setting).

    Examples
    --------
    >>> from biaslab.experiments.hidden_in_plain_sight import load_published_results
    >>> paper = load_published_results()
    >>> f = paper.query("site == 'internal' and target == 'F' and group == 'F'").groupby("rate")["fnr"].mean()
    >>> round(float(f[0.5]), 3), round(float(f[1.0]), 3)  # the paper's text: 0.288 and 0.666
    (0.288, 0.666)
    """
    frame = _read_published().copy()
    frame.attrs["source"] = ("Kulkarni et al. 2024, DenseNet121 on RSNA Pneumonia (external: CheXpert), 5 trials; "
                             "github.com/UM2ii/HiddenInPlainSight results/densenet (MIT)")
    return frame


def trial_spread(trials: pd.DataFrame, *, metrics=("auroc", "fnr")) -> pd.DataFrame:
    """Mean, standard deviation and count over trials, per target, site, rate and group.

    ``trials`` has one row per trial: :func:`load_published_results` or
    ``load_rate_sweep(trials=True)``. Returns a tidy frame: ``target``, ``site``, ``group``,
    ``rate``, ``metric``, ``mean``, ``std`` (ddof=1, the spread of a new trial), ``n_trials``.
    """
    if not isinstance(trials, pd.DataFrame) or not {"target", "site", "group", "rate", "trial"} <= set(trials.columns):
        raise TypeError("trials must have one row per trial (load_published_results() or load_rate_sweep(trials=True)).")
    keys = ["target", "site", "group", "rate"]
    long = trials.melt(id_vars=keys, value_vars=list(metrics), var_name="metric")
    out = long.groupby(keys + ["metric"], sort=True)["value"].agg(mean="mean", std="std", n_trials="count")
    return out.reset_index()


def detectability(trials: pd.DataFrame, *, metric="auroc", group="overall", site="internal",
                  alpha=0.05) -> pd.DataFrame:
    """Is the attack visible in an aggregate number? Each rate against clean retrainings, tested.

    "Undetectable" is a statistical statement: a model owner who retrains and sees the overall
    AUROC move cannot tell an attack from the trial-to-trial spread unless the change is large
    against that spread. For each target and rate > 0 this compares the trials at that rate with
    the clean trials (rate 0) by Welch's two-sided t-test.

    Returns
    -------
    pandas.DataFrame
        ``target``, ``rate``, ``clean_mean``, ``clean_std``, ``mean``, ``std``, ``change``
        (mean - clean_mean), ``t``, ``p_value``, ``detected`` (p < ``alpha``).
    """
    from scipy import stats

    needed = {"target", "rate", "site", "group", metric}
    if not isinstance(trials, pd.DataFrame) or not needed <= set(trials.columns):
        raise TypeError(f"trials must be a DataFrame of trials with columns {sorted(needed)} "
                        "(load_published_results() or load_rate_sweep(trials=True)).")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number between 0 and 1, got {alpha!r}.")
    part = trials[(trials["site"] == site) & (trials["group"] == group)]
    if part.empty:
        raise ValueError(f"no trials for site={site!r} and group={group!r}.")
    rows = []
    for target, frame in part.groupby("target", sort=False):
        clean = frame.loc[frame["rate"] == 0.0, metric].to_numpy(dtype=float)
        for rate, at in frame[frame["rate"] > 0].groupby("rate"):
            values = at[metric].to_numpy(dtype=float)
            t, p = stats.ttest_ind(values, clean, equal_var=False)
            rows.append({"target": target, "rate": float(rate), "clean_mean": clean.mean(), "clean_std": clean.std(ddof=1),
                         "mean": values.mean(), "std": values.std(ddof=1), "change": values.mean() - clean.mean(),
                         "t": float(t), "p_value": float(p), "detected": bool(p < alpha)})
    return pd.DataFrame(rows)
