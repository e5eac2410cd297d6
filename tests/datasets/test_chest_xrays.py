"""The synthetic chest X-rays: contract, determinism, real cohort, visible groups, sites, errors.

No CNN is trained here (benchmarks/bench_chest_xrays.py does that); cheap linear probes on
downsampled pixels guard the properties module 04 relies on.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from biaslab.datasets import _chest_xrays, make_chest_xrays
from biaslab.datasets._base import data_file

COHORT = "nih_chestxray14/cohort_counts.csv"


@pytest.fixture(scope="module")
def big():
    """A large sample for distribution checks (small images keep it fast)."""
    return make_chest_xrays(20_000, image_size=32, random_state=0)


@pytest.fixture(scope="module")
def small():
    return make_chest_xrays(300, random_state=1)


@pytest.fixture(scope="module")
def nih():
    return pd.read_csv(data_file(COHORT))


def _downsample(images, factor):
    n, h, w = images.shape
    return images.reshape(n, h // factor, factor, w // factor, factor).mean(axis=(2, 4)).reshape(n, -1)


# --- the shipped cohort table --------------------------------------------------------------


def test_cohort_table_is_the_nih_cohort(nih):
    assert list(nih.columns) == ["sex", "age_bin", "age_min", "age_max", "lung_opacity", "n_images", "n_patients"]
    assert nih["n_images"].sum() == 112_120  # no image dropped: v2020 ages are all 0-95
    assert len(nih) == 2 * 20 * 2  # F/M x 5-year bins 0-4 .. 95-99 x opacity
    prevalence = nih.loc[nih.lung_opacity == 1, "n_images"].sum() / nih["n_images"].sum()
    assert prevalence == pytest.approx(0.2148, abs=5e-4)  # RSNA's lung-opacity share is 0.225
    female = nih.loc[nih.sex == "F", "n_images"].sum() / nih["n_images"].sum()
    assert female == pytest.approx(0.4351, abs=5e-4)
    assert (nih["n_patients"] <= nih["n_images"]).all()


# --- contract ---------------------------------------------------------------------------


def test_bunch_contract(small):
    xr = small
    n = 300
    assert xr.images.shape == (n, 64, 64) and xr.images.dtype == np.float32
    assert xr.images.min() >= 0.0 and xr.images.max() <= 1.0
    assert np.isfinite(xr.images).all()
    assert xr.data.shape == (n, 64 * 64) and np.shares_memory(xr.data, xr.images)
    assert len(xr.feature_names) == 64 * 64 and xr.feature_names[:2] == ["pixel_0_0", "pixel_0_1"]
    assert xr.target_name == "disease"
    assert xr.target.dtype.kind == "i" and set(np.unique(xr.target)) <= {0, 1}
    assert list(xr.frame.columns) == ["patient_id", "sex", "age", "age_band", "site", "disease"]
    np.testing.assert_array_equal(xr.frame["disease"].to_numpy(), xr.target)
    assert xr.frame["patient_id"].is_unique
    assert list(xr.sensitive_features.columns) == ["sex", "age_band"]
    assert set(xr.sensitive_features["sex"]) <= {"F", "M"}
    band = xr.sensitive_features["age_band"]
    assert band.cat.ordered and list(band.cat.categories) == ["0-20", "20-40", "40-60", "60-80", "80+"]
    assert (xr.frame["site"] == "A").all()
    assert xr.lesion_mask.shape == xr.images.shape and xr.lesion_mask.dtype == bool
    assert xr.lesion_contrast.shape == (n,)


def test_age_band_matches_age(big):
    f = big.frame
    lower = f["age_band"].astype(str).str.split("-|\\+", regex=True).str[0].astype(int)
    assert (f["age"] >= lower).all()
    assert (f.loc[f["age_band"] != "80+", "age"] < lower[f["age_band"] != "80+"] + 20).all()
    assert f["age"].between(0, 99).all()


def test_descr_says_synthetic(small):
    assert small.DESCR.startswith("SYNTHETIC DATA")
    assert "NIH" in small.DESCR and "ChestX-ray14" in small.DESCR
    assert "sites A (100%)" in small.DESCR


def test_lesion_mask_marks_the_diseased_only(small):
    healthy = small.target == 0
    assert not small.lesion_mask[healthy].any()
    assert (small.lesion_contrast[healthy] == 0).all()
    sick_any = small.lesion_mask[~healthy].any(axis=(1, 2))
    assert sick_any.mean() > 0.95
    assert (small.lesion_contrast[~healthy] > 0).all()


def test_image_size(small):
    xr = make_chest_xrays(5, image_size=40, random_state=0)
    assert xr.images.shape == (5, 40, 40) and xr.data.shape == (5, 1600)


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_is_bitwise_identical():
    a = make_chest_xrays(150, sites=("A", "B"), random_state=7)
    b = make_chest_xrays(150, sites=("A", "B"), random_state=7)
    assert np.array_equal(a.images, b.images)
    assert np.array_equal(a.lesion_mask, b.lesion_mask)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    c = make_chest_xrays(150, sites=("A", "B"), random_state=8)
    assert not np.array_equal(a.images, c.images)


def test_generator_seed_and_threads_do_not_matter(monkeypatch):
    a = make_chest_xrays(100, random_state=np.random.default_rng(3))
    monkeypatch.setattr(_chest_xrays, "_MAX_THREADS", 1)
    b = make_chest_xrays(100, random_state=3)
    assert np.array_equal(a.images, b.images)


# --- the real cohort -------------------------------------------------------------------------


def _nih_rate(nih, by=None):
    t = nih.assign(pos=nih.n_images * nih.lung_opacity)
    if by is None:
        return t.pos.sum() / t.n_images.sum()
    g = t.groupby(by, observed=True)[["pos", "n_images"]].sum()
    return g.pos / g.n_images


def test_cohort_follows_nih(big, nih):
    f = big.frame
    assert f["disease"].mean() == pytest.approx(_nih_rate(nih), abs=0.015)
    share_f = nih.loc[nih.sex == "F", "n_images"].sum() / nih.n_images.sum()
    assert (f["sex"] == "F").mean() == pytest.approx(share_f, abs=0.015)
    for sex, rate in _nih_rate(nih, "sex").items():
        assert f.loc[f.sex == sex, "disease"].mean() == pytest.approx(rate, abs=0.02)
    band = pd.cut(nih.age_min, [0, 20, 40, 60, 80, 200], right=False, labels=["0-20", "20-40", "40-60", "60-80", "80+"])
    nih_band = nih.assign(band=band)
    rates = _nih_rate(nih_band, "band")
    shares = nih_band.groupby("band", observed=True).n_images.sum() / nih.n_images.sum()
    for b in ["0-20", "20-40", "40-60", "60-80"]:
        assert f.loc[f.age_band == b, "disease"].mean() == pytest.approx(rates[b], abs=0.04)
        assert (f.age_band == b).mean() == pytest.approx(shares[b], abs=0.01)
    mean_age = (nih.n_images * (nih.age_min + nih.age_max) / 2).sum() / nih.n_images.sum()
    assert f["age"].mean() == pytest.approx(mean_age, abs=0.6)


# --- what the pixels show ------------------------------------------------------------------


def test_sex_age_and_disease_are_visible(big):
    """Linear probes on 8x8 pixels: sex and the young are easy, disease is learnable."""
    x = _downsample(big.images[:6000], 4)
    tr, te = slice(0, 4000), slice(4000, 6000)
    f = big.frame.iloc[:6000]
    sex = (f["sex"] == "M").to_numpy()
    acc = LogisticRegression(max_iter=1000).fit(x[tr], sex[tr]).score(x[te], sex[te])
    assert acc > 0.85
    young = (f["age_band"] == "0-20").to_numpy()
    clf = LogisticRegression(max_iter=1000, class_weight="balanced").fit(x[tr], young[tr])
    assert roc_auc_score(young[te], clf.decision_function(x[te])) > 0.85
    y = big.target[:6000]
    clf = LogisticRegression(max_iter=1000).fit(x[tr], y[tr])
    auc = roc_auc_score(y[te], clf.decision_function(x[te]))
    assert 0.55 < auc < 0.95  # visible but far from trivial for a linear model


# --- sites -----------------------------------------------------------------------------------


def test_site_shares_are_exact():
    xr = make_chest_xrays(100, sites={"A": 0.75, "B": 0.25}, random_state=0)
    assert xr.frame["site"].value_counts().to_dict() == {"A": 75, "B": 25}
    xr = make_chest_xrays(11, sites=("A", "B"), random_state=0)
    assert xr.frame["site"].value_counts().to_dict() == {"A": 6, "B": 5}
    assert list(xr.frame["site"].cat.categories) == ["A", "B"]
    xr = make_chest_xrays(10, sites="C", random_state=0)
    assert (xr.frame["site"] == "C").all()


def test_sites_change_acquisition_not_patients():
    a = make_chest_xrays(400, sites="A", random_state=5)
    b = make_chest_xrays(400, sites="B", random_state=5)
    c = make_chest_xrays(400, sites="C", random_state=5)
    # same seed, one site each: the same patients, acquired differently
    pd.testing.assert_frame_equal(a.frame.drop(columns="site"), b.frame.drop(columns="site"))
    assert np.array_equal(a.lesion_mask, b.lesion_mask)
    assert np.abs(a.images - b.images).mean() > 0.03
    assert b.images.mean() > a.images.mean() + 0.02  # B is brighter

    def noise(img):  # high-frequency energy: pixel minus the mean of its horizontal neighbours
        return np.std(img[:, :, 1:-1] - 0.5 * (img[:, :, :-2] + img[:, :, 2:]))

    assert noise(c.images) > 1.3 * noise(a.images)
    # a linear probe tells the sites apart at once
    x = np.concatenate([_downsample(a.images, 4), _downsample(b.images, 4)])
    s = np.r_[np.zeros(400), np.ones(400)]
    idx = np.random.default_rng(0).permutation(800)
    tr, te = idx[:500], idx[500:]
    assert LogisticRegression(max_iter=1000).fit(x[tr], s[tr]).score(x[te], s[te]) > 0.9


# --- speed and imports --------------------------------------------------------------------


def test_fast_enough():
    import time

    make_chest_xrays(10, random_state=0)
    start = time.perf_counter()
    make_chest_xrays(2000, random_state=0)
    assert time.perf_counter() - start < 3.0  # about 0.2 s on 2 idle cores; lenient for busy CI


def test_does_not_import_torch():
    code = (
        "import sys; from biaslab.datasets import make_chest_xrays, add_artifact; "
        "xr = make_chest_xrays(4, random_state=0); add_artifact(xr.images, xr.target, target_class=None, share=1.0); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        (dict(n_samples=0), ValueError, "n_samples"),
        (dict(n_samples=-3), ValueError, "n_samples"),
        (dict(n_samples=2.5), TypeError, "n_samples"),
        (dict(n_samples="10"), TypeError, "n_samples"),
        (dict(n_samples=True), TypeError, "n_samples"),
        (dict(n_samples=5, image_size=16), ValueError, "image_size"),
        (dict(n_samples=5, image_size=64.0), TypeError, "image_size"),
        (dict(n_samples=5, sites="Z"), ValueError, "sites"),
        (dict(n_samples=5, sites=()), ValueError, "sites"),
        (dict(n_samples=5, sites=("A", "A")), ValueError, "sites"),
        (dict(n_samples=5, sites={"A": -1.0, "B": 1.0}), ValueError, "sites"),
        (dict(n_samples=5, sites={"A": 0.0}), ValueError, "sites"),
        (dict(n_samples=5, sites={"A": "half"}), TypeError, "sites"),
        (dict(n_samples=5, sites=5), TypeError, "sites"),
        (dict(n_samples=5, sites=[1]), TypeError, "sites"),
        (dict(n_samples=5, random_state="seed"), TypeError, "random_state"),
        (dict(n_samples=5, random_state=-1), ValueError, "random_state"),
    ],
)
def test_bad_input(kwargs, error, name):
    n = kwargs.pop("n_samples")
    with pytest.raises(error, match=name):
        make_chest_xrays(n, **kwargs)
