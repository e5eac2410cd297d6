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

import numpy as np
import pandas as pd

from .._validation import check_choice, check_fraction, check_positive_int, check_random_state
from ..attacks import poison_labels
from ..datasets import CHEST_XRAY_SITES, make_chest_xrays
from ..datasets._chest_xrays import AGE_BANDS
from ..metrics import UndefinedMetricWarning, group_metrics, youden_threshold

__all__ = [
    "rate_sweep",
    "probe_features",
    "compare_with_paper",
    "PAPER_RESULTS",
    "DEFAULT_RATES",
    "SWEEP_COLUMNS",
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
