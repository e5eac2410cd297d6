"""The real-data loaders: one contract for all of them, then each dataset's own facts.

Row counts and the Adult discrimination are the published numbers the course relies on
(UCI, ProPublica, Kamiran & Calders); a loader that drifts from them fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from biaslab.datasets import (
    DataIntegrityError,
    DatasetHarmWarning,
    load_adult,
    load_compas,
    load_fashion_mnist,
    load_german_credit,
    load_heart_disease,
)
from biaslab.datasets import _base, _fashion_mnist, _tabular

ROOT = Path(__file__).resolve().parents[2]

TABULAR = [load_adult, load_compas, load_german_credit, load_heart_disease]
ALL_LOADERS = TABULAR + [load_fashion_mnist]


def call(loader, **kwargs):
    """Call a loader; COMPAS must warn on every call, the others must not warn at all."""
    if loader is load_compas:
        with pytest.warns(DatasetHarmWarning, match="DESCR"):
            return loader(**kwargs)
    return loader(**kwargs)


def fashion_or(loader, **kwargs):
    # the contract tests use Fashion-MNIST's test split to stay quick
    return {"subset": "test", **kwargs} if loader is load_fashion_mnist else kwargs


# ----------------------------------------------------------------------------- the contract


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=lambda f: f.__name__)
def test_contract_as_frame(loader):
    bunch = call(loader, **fashion_or(loader, as_frame=True))
    n = len(bunch.target)
    assert isinstance(bunch.data, pd.DataFrame)
    assert list(bunch.data.columns) == bunch.feature_names
    assert isinstance(bunch.target, pd.Series) and bunch.target.name == bunch.target_name
    assert bunch.target.dtype == np.int64
    assert isinstance(bunch.frame, pd.DataFrame) and len(bunch.frame) == n == len(bunch.data)
    assert set(bunch.feature_names) | {bunch.target_name} <= set(bunch.frame.columns)
    assert isinstance(bunch.sensitive_features, pd.DataFrame) and len(bunch.sensitive_features) == n
    assert set(bunch.sensitive_features.columns) <= set(bunch.frame.columns)
    for col in bunch.sensitive_features.columns:
        assert isinstance(bunch.sensitive_features[col].dtype, pd.CategoricalDtype), col
        assert not bunch.sensitive_features[col].isna().any(), col
    assert "age_band" not in bunch.sensitive_features or bunch.sensitive_features["age_band"].cat.ordered
    assert isinstance(bunch.target_names, list) and bunch.target_names
    assert isinstance(bunch.DESCR, str) and bunch.DESCR.startswith("# ")
    assert "Licence" in bunch.DESCR and "Known issues" in bunch.DESCR


@pytest.mark.parametrize("loader", TABULAR, ids=lambda f: f.__name__)
def test_tabular_contract(loader):
    bunch = call(loader)
    assert set(np.unique(bunch.target)) == {0, 1}
    assert len(bunch.target_names) == 2
    # sensitive attributes stay in data (learners drop them themselves)
    in_data = {"age_band": "age"}
    for col in bunch.sensitive_features.columns:
        assert in_data.get(col, col) in bunch.feature_names, col
    assert bunch.DESCR == (_base.data_dir() / DATASHEETS[loader]).read_text(encoding="utf-8")


DATASHEETS = {
    load_adult: "adult/DATASHEET.md",
    load_compas: "compas/DATASHEET.md",
    load_german_credit: "german_credit/DATASHEET.md",
    load_heart_disease: "heart_disease/DATASHEET.md",
    load_fashion_mnist: "fashion_mnist/DATASHEET.md",
}


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=lambda f: f.__name__)
def test_contract_numpy(loader):
    frames = call(loader, **fashion_or(loader, as_frame=True))
    arrays = call(loader, **fashion_or(loader, as_frame=False))
    n = len(frames.target)
    assert isinstance(arrays.data, np.ndarray) and arrays.data.shape == (n, len(frames.feature_names))
    assert isinstance(arrays.target, np.ndarray) and arrays.target.dtype == np.int64
    np.testing.assert_array_equal(arrays.target, frames.target.to_numpy())
    # data is frame[feature_names].to_numpy(); DataFrame.equals treats NaN == NaN
    assert pd.DataFrame(arrays.data).equals(pd.DataFrame(frames.frame[frames.feature_names].to_numpy()))
    assert arrays.frame is None
    assert isinstance(arrays.sensitive_features, pd.DataFrame) and arrays.sensitive_features.shape[0] == n
    assert arrays.feature_names == frames.feature_names and arrays.target_name == frames.target_name


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("as_frame", [True, False])
def test_return_X_y(loader, as_frame):
    bunch = call(loader, **fashion_or(loader, as_frame=as_frame))
    result = call(loader, **fashion_or(loader, as_frame=as_frame, return_X_y=True))
    assert isinstance(result, tuple) and len(result) == 2
    X, y = result
    assert type(X) is type(bunch.data) and type(y) is type(bunch.target)
    assert X.shape == bunch.data.shape
    np.testing.assert_array_equal(np.asarray(y), np.asarray(bunch.target))


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=lambda f: f.__name__)
def test_options_are_keyword_only(loader):
    with pytest.raises(TypeError):
        loader(True)


@pytest.mark.parametrize("loader", TABULAR, ids=lambda f: f.__name__)
def test_each_call_returns_a_fresh_copy(loader):
    first = call(loader)
    first.frame.iloc[0, 0] = first.frame.iloc[1, 0]
    del first.data[first.feature_names[0]]
    first.target.iloc[:] = 0
    first.sensitive_features.iloc[:, 0] = first.sensitive_features.iloc[-1, 0]
    second = call(loader)
    assert second.feature_names[0] in second.data.columns
    assert set(np.unique(second.target)) == {0, 1}
    assert call(loader, as_frame=False).target.flags.writeable


def test_fashion_mnist_returns_fresh_writeable_arrays():
    first = load_fashion_mnist(subset="test")
    assert first.images.flags.writeable and np.shares_memory(first.images, first.data)
    original = int(first.images[0, 14, 14])
    first.images[0] = 7
    assert int(load_fashion_mnist(subset="test").images[0, 14, 14]) == original


@pytest.mark.parametrize("loader", TABULAR, ids=lambda f: f.__name__)
def test_a_second_load_does_not_parse_again(loader):
    # speed is measured by benchmarks; here: the parsed file is reused (the cache keys on file versions)
    from biaslab.datasets import _tabular

    parse = getattr(_tabular, f"_{loader.__name__.removeprefix('load_').split('_')[0]}_frame")
    call(loader)  # parse once
    misses = parse.cache_info().misses
    call(loader)
    assert parse.cache_info().misses == misses


# ----------------------------------------------------------------------------- bad arguments

BAD_ARGUMENTS = [
    (load_adult, {"as_frame": "yes"}, TypeError, "as_frame"),
    (load_adult, {"return_X_y": 1}, TypeError, "return_X_y"),
    (load_adult, {"subset": "validation"}, ValueError, "subset"),
    (load_adult, {"subset": None}, TypeError, "subset"),
    (load_compas, {"filtered": "no"}, TypeError, "filtered"),
    (load_compas, {"as_frame": None}, TypeError, "as_frame"),
    (load_german_credit, {"as_frame": 0}, TypeError, "as_frame"),
    (load_heart_disease, {"return_X_y": "True"}, TypeError, "return_X_y"),
    (load_fashion_mnist, {"subset": "val"}, ValueError, "subset"),
    (load_fashion_mnist, {"subset": 2}, TypeError, "subset"),
    (load_fashion_mnist, {"as_frame": 1}, TypeError, "as_frame"),
]


@pytest.mark.parametrize(("loader", "kwargs", "error", "name"), BAD_ARGUMENTS)
def test_bad_arguments_are_named(loader, kwargs, error, name):
    # checked before anything is loaded, so COMPAS raises before it warns
    with pytest.raises(error, match=name):
        loader(**kwargs)


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=lambda f: f.__name__)
def test_unknown_keyword_is_refused(loader):
    with pytest.raises(TypeError, match="subsett"):
        loader(subsett="train")


# ----------------------------------------------------------------------------- Adult


@pytest.mark.parametrize(("subset", "rows"), [("all", 48_842), ("train", 32_561), ("test", 16_281)])
def test_adult_rows(subset, rows):
    adult = load_adult(subset=subset)
    assert len(adult.frame) == len(adult.data) == len(adult.target) == rows
    assert (adult.frame["split"] == subset).all() or subset == "all"
    assert len(adult.split) == rows


def test_adult_split_is_recoverable():
    adult = load_adult()
    counts = adult.frame["split"].value_counts()
    assert counts["train"] == 32_561 and counts["test"] == 16_281
    train = load_adult(subset="train").frame
    assert adult.frame[adult.frame["split"] == "train"].reset_index(drop=True).equals(train)


def test_adult_label_discrimination_by_sex():
    # Kamiran & Calders: P(>50K | Male) - P(>50K | Female) = 0.3038 - 0.1093 on all 48,842 rows
    frame = load_adult().frame
    rate = frame.groupby("sex", observed=True)["income_over_50k"].mean()
    assert rate["Male"] == pytest.approx(0.3038, abs=0.0005)
    assert rate["Female"] == pytest.approx(0.1093, abs=0.0005)
    assert rate["Male"] - rate["Female"] == pytest.approx(0.1945, abs=0.001)


def test_adult_cleaning():
    adult = load_adult()
    frame = adult.frame
    assert not frame.isna().any().any()
    assert frame["income_over_50k"].sum() == 11_687  # 7,841 train + 3,846 test
    text = frame.select_dtypes("category")
    for col in text.columns:
        labels = set(text[col].cat.categories)
        assert "?" not in labels and all(label == label.strip() for label in labels), col
    assert (frame["occupation"] == "Unknown").sum() == 2_809
    assert "Columbia" not in set(frame["native_country"])
    assert list(frame["sex"].cat.categories) == ["Female", "Male"]
    assert list(frame["age_band"].cat.categories) == ["<25", "25-44", "45-64", "65+"]
    assert "fnlwgt" in frame and "fnlwgt" not in adult.feature_names
    assert list(adult.sensitive_features.columns) == ["sex", "race", "age_band"]


# ----------------------------------------------------------------------------- COMPAS


@pytest.mark.parametrize(("filtered", "rows"), [(True, 6_172), (False, 7_214)])
def test_compas_rows(filtered, rows):
    compas = call(load_compas, filtered=filtered)
    assert len(compas.frame) == len(compas.target) == len(compas.score) == rows


def test_compas_warns_on_every_call():
    for _ in range(2):
        with pytest.warns(DatasetHarmWarning, match="real people"):
            load_compas(return_X_y=True)


def test_compas_scores_and_outcomes():
    compas = call(load_compas)
    frame = compas.frame
    np.testing.assert_array_equal(compas.score, frame["decile_score"])
    np.testing.assert_array_equal(compas.high_risk, (frame["decile_score"] >= 5).astype(int))
    # "Medium or High" is exactly a decile score of 5 or more
    np.testing.assert_array_equal(compas.high_risk, frame["score_text"].isin(["Medium", "High"]).astype(int))
    assert compas.target.equals(frame["two_year_recid"])
    assert frame["days_b_screening_arrest"].between(-30, 30).all()
    assert not compas.data.isna().any().any()
    # scores and outcomes are not features
    assert not {"decile_score", "score_text", "high_risk", "is_recid", "two_year_recid"} & set(compas.feature_names)
    arrays = call(load_compas, as_frame=False)
    assert isinstance(arrays.score, np.ndarray) and isinstance(arrays.high_risk, np.ndarray)


def test_compas_drops_identifying_columns():
    frame = call(load_compas, filtered=False).frame
    for col in ("id", "name", "first", "last", "dob", "c_case_number", "r_case_number", "vr_case_number"):
        assert col not in frame
    assert not any(col.endswith(("_date", ".1")) or "jail_in" in col for col in frame.columns)


def test_compas_groups():
    sf = call(load_compas).sensitive_features
    assert list(sf.columns) == ["sex", "race", "age_band"]
    assert sf["race"].value_counts()["African-American"] == 3_175
    assert sf["race"].value_counts()["Caucasian"] == 2_103
    assert list(sf["age_band"].cat.categories) == ["<25", "25-44", "45+"]


# ----------------------------------------------------------------------------- German credit


def test_german_credit():
    credit = load_german_credit()
    frame = credit.frame
    assert len(frame) == 1_000
    assert (credit.target == 1).sum() == 700 and (credit.target == 0).sum() == 300
    assert credit.target_names == ["bad credit", "good credit"]
    assert not frame.isna().any().any()
    for col in frame.select_dtypes("category").columns:
        assert not any(str(v).startswith("A") and str(v)[1:].isdigit() for v in frame[col].cat.categories), col
    assert frame["sex"].value_counts().to_dict() == {"Male": 690, "Female": 310}
    assert frame["foreign_worker"].value_counts().to_dict() == {"yes": 963, "no": 37}
    assert list(credit.sensitive_features.columns) == ["sex", "age_band", "foreign_worker"]
    assert len(credit.feature_names) == 21 and "personal_status_sex" not in credit.feature_names


# ----------------------------------------------------------------------------- heart disease


def test_heart_disease():
    heart = load_heart_disease()
    frame = heart.frame
    assert len(frame) == 303 and len(heart.feature_names) == 13
    assert heart.target.sum() == 139
    missing = frame.isna().sum()
    assert missing[missing > 0].to_dict() == {"major_vessels": 4}
    assert (frame["thal"] == "Unknown").sum() == 2
    assert frame["sex"].value_counts().to_dict() == {"Male": 206, "Female": 97}
    assert list(heart.sensitive_features.columns) == ["sex", "age_band"]
    assert "reversible defect" in set(frame["thal"])


# ----------------------------------------------------------------------------- Fashion-MNIST


@pytest.mark.parametrize(("subset", "rows"), [("all", 70_000), ("train", 60_000), ("test", 10_000)])
def test_fashion_mnist_rows(subset, rows):
    fm = load_fashion_mnist(subset=subset)
    assert fm.images.shape == (rows, 28, 28) and fm.images.dtype == np.uint8
    assert fm.data.shape == (rows, 784)
    assert fm.target.shape == (rows,) and fm.target.dtype == np.int64
    assert fm.sensitive_features.shape == (rows, 0)
    assert fm.frame is None
    assert len(fm.split) == rows and set(np.unique(fm.split)) == ({"train", "test"} if subset == "all" else {subset})
    # every class is balanced in both official splits
    assert set(np.bincount(fm.target, minlength=10)) == {rows // 10}


def test_fashion_mnist_classes_and_frame():
    fm = load_fashion_mnist(subset="test", as_frame=True)
    assert len(fm.target_names) == 10 and fm.target_names[0] == "T-shirt/top" and fm.target_names[9] == "Ankle boot"
    assert fm.frame.shape == (10_000, 786)
    assert list(fm.frame.columns[-2:]) == ["label", "split"]
    assert fm.feature_names[0] == "pixel_0" and fm.feature_names[-1] == "pixel_783"
    assert set(np.unique(fm.target)) == set(range(10))
    arrays = load_fashion_mnist(subset="test")
    np.testing.assert_array_equal(arrays.data[:, 28 * 14 + 5], arrays.images[:, 14, 5])


def test_fashion_mnist_decompresses_once():
    from biaslab.datasets._fashion_mnist import _read_idx

    load_fashion_mnist()  # decompress once
    misses = _read_idx.cache_info().misses
    load_fashion_mnist()
    assert _read_idx.cache_info().misses == misses


# ----------------------------------------------------------------------------- integrity


def _clear_caches():
    for cached in (
        _base._checksums,
        _base._verified,
        _tabular._adult_frame,
        _tabular._compas_frame,
        _tabular._german_frame,
        _tabular._heart_frame,
        _fashion_mnist._read_idx,
    ):
        cached.cache_clear()


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the data folder (symlinks, so nothing big is copied) that the loaders use."""
    real = _base.data_dir()
    for path in real.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(real)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    _clear_caches()
    monkeypatch.setattr(_base, "data_dir", lambda: tmp_path)
    yield tmp_path
    _clear_caches()


def _damage(root: Path, rel: str) -> None:
    path = root / rel
    data = bytearray(path.resolve().read_bytes())
    data[len(data) // 2] ^= 0x01
    path.unlink()
    path.write_bytes(bytes(data))


DAMAGED_FILES = [
    (load_adult, {}, "adult/adult.test.gz"),
    (load_compas, {}, "compas/compas-scores-two-years.csv.gz"),
    (load_german_credit, {}, "german_credit/values_maps.json"),
    (load_heart_disease, {}, "heart_disease/heart_disease.tab.gz"),
    (load_heart_disease, {}, "heart_disease/DATASHEET.md"),
    (load_fashion_mnist, {"subset": "test"}, "fashion_mnist/t10k-labels-idx1-ubyte.gz"),
]


@pytest.mark.parametrize(("loader", "kwargs", "rel"), DAMAGED_FILES)
def test_damaged_file_is_refused(data_copy, loader, kwargs, rel):
    call(loader, **kwargs)  # the intact copy loads
    _damage(data_copy, rel)
    with pytest.raises(DataIntegrityError, match="sha256"):
        call(loader, **kwargs)


def test_missing_file_is_refused(data_copy):
    (data_copy / "adult" / "adult.data.gz").unlink()
    with pytest.raises(DataIntegrityError, match="missing"):
        load_adult()


def test_sha256sums_is_up_to_date():
    spec = importlib.util.spec_from_file_location("update_sha256sums", ROOT / "scripts" / "update_sha256sums.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SUMS.read_text() == module.compute(), "run: python scripts/update_sha256sums.py"
