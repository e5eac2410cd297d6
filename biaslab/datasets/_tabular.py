"""Loaders of the real tabular datasets shipped with biaslab: Adult, COMPAS, German credit and
Cleveland heart disease.

Every loader follows one contract (checked by one test over all of them):

- keyword-only ``as_frame=True`` and ``return_X_y=False``, plus options of its own;
- returns a :class:`~sklearn.utils.Bunch` with ``data`` (the features), ``target`` (0/1 ints,
  1 = the outcome named by ``target_name``), ``target_names`` (what 0 and 1 mean),
  ``sensitive_features`` (always a DataFrame of categorical columns), ``frame`` (every column,
  or ``None`` when ``as_frame=False``), ``feature_names``, ``target_name`` and ``DESCR`` (the
  dataset's datasheet);
- with ``as_frame=False``, ``data`` is ``frame[feature_names].to_numpy()``: an object array
  holding numbers and category labels as they are (encode it yourself, for example with
  ``OneHotEncoder``), and ``target`` a numpy int64 array;
- with ``return_X_y=True``, only ``(data, target)``.

Cleaning is the same everywhere: surrounding whitespace is stripped, spellings are made
consistent, a missing categorical value ("?", "N/A", empty) becomes the category ``"Unknown"``
and a missing number stays ``NaN`` for the learner to handle. No row is dropped unless the
original study dropped it (COMPAS with ``filtered=True``).

Sensitive attributes stay in ``data``: dropping them does not remove bias (module 01), so
learners drop them themselves when an exercise asks. The derived ``age_band`` (an ordered
categorical) is in ``sensitive_features`` and ``frame`` but not in ``data``, which already has
the exact age.

Each file is verified against ``SHA256SUMS`` and parsed once per process; every call returns
fresh copies, so changing what a loader returned never changes what the next call returns.
"""

from __future__ import annotations

import functools
import json
import re
import warnings

import numpy as np
import pandas as pd

from .._validation import check_bool, check_choice
from ._base import Bunch, DataIntegrityError, DatasetHarmWarning, data_file, read_descr

__all__ = ["load_adult", "load_compas", "load_german_credit", "load_heart_disease"]

UNKNOWN = "Unknown"
_MISSING_MARKERS = ("?", "", "N/A", "NA")


# ----------------------------------------------------------------------------- shared cleaning


def _stamped(*rels: str) -> tuple:
    """Verified paths with their mtime and size: the key of the parse caches below."""
    out = []
    for rel in rels:
        path = data_file(rel)
        stat = path.stat()
        out.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def _categorical(values: pd.Series, categories=None, *, ordered: bool = False) -> pd.Series:
    """Strip text, turn missing markers into "Unknown" and return a categorical column.

    ``categories`` fixes the order (observed values not listed are appended, unobserved ones
    are dropped); "Unknown" always comes last.
    """
    text = values.astype("string").str.strip()
    text = text.mask(text.isna() | text.isin(_MISSING_MARKERS), UNKNOWN)
    seen = set(text.unique())
    order = [c for c in (categories or sorted(seen - {UNKNOWN})) if c in seen]
    order += sorted(seen - set(order) - {UNKNOWN})
    if UNKNOWN in seen:
        order.append(UNKNOWN)
    return pd.Series(
        pd.Categorical(text.astype(object), categories=order, ordered=ordered), index=values.index, name=values.name
    )


def _numeric(values: pd.Series) -> pd.Series:
    """Numbers; missing markers become NaN (left for the learner)."""
    if values.dtype.kind in "biuf":
        return values
    text = values.astype("string").str.strip()
    text = text.mask(text.isin(_MISSING_MARKERS))
    return pd.to_numeric(text).astype("float64")


def _age_band(age: pd.Series, edges, labels) -> pd.Series:
    """Ordered age bands, closed on the left: edges [0, 25, 45] -> "<25", "25-44", ..."""
    bands = pd.cut(age, bins=list(edges), right=False, labels=labels, ordered=True)
    return pd.Series(bands, index=age.index, name="age_band")


# bands for adults of working age (Adult, German credit); COMPAS and heart disease have their own
_AGE_EDGES = (0, 25, 45, 65, np.inf)
_AGE_LABELS = ("<25", "25-44", "45-64", "65+")


def _make_bunch(
    frame: pd.DataFrame,
    *,
    feature_names: list[str],
    target_name: str,
    target_names: list[str],
    sensitive_names: list[str],
    descr: str,
    as_frame: bool,
    return_X_y: bool,
    extra_columns: dict[str, str] | None = None,
):
    frame = frame.copy()
    data = frame[feature_names]
    target = frame[target_name]
    if not as_frame:
        # copy=True: under copy-on-write, to_numpy may hand out a read-only view
        data = data.to_numpy(dtype=object, copy=True)
        target = target.to_numpy(dtype=np.int64, copy=True)
    if return_X_y:
        return data, target
    sensitive = frame[sensitive_names].copy()
    extras = {key: frame[col] for key, col in (extra_columns or {}).items()}
    if not as_frame:
        extras = {key: col.to_numpy(copy=True) for key, col in extras.items()}
        frame = None
    return Bunch(
        data=data,
        target=target,
        target_names=list(target_names),
        sensitive_features=sensitive,
        frame=frame,
        feature_names=list(feature_names),
        target_name=target_name,
        DESCR=descr,
        **extras,
    )


# ----------------------------------------------------------------------------- Adult

_ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
]
_ADULT_NUMERIC = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
# misspellings in the census extract; "South" is left alone (it is not known which country)
_ADULT_COUNTRY_FIXES = {
    "Columbia": "Colombia",
    "Hong": "Hong-Kong",
    "Holand-Netherlands": "Netherlands",
    "Trinadad&Tobago": "Trinidad&Tobago",
}
_ADULT_FEATURES = [c for c in _ADULT_COLUMNS if c not in ("fnlwgt", "income")]


@functools.cache
def _adult_frame(files: tuple) -> pd.DataFrame:
    (train_path, *_), (test_path, *_) = files
    parts = []
    for path, split, skip in ((train_path, "train", 0), (test_path, "test", 1)):
        part = pd.read_csv(
            path,
            names=_ADULT_COLUMNS,
            skiprows=skip,  # adult.test starts with "|1x3 Cross validator"
            skipinitialspace=True,
            keep_default_na=False,
            dtype={c: "int64" for c in _ADULT_NUMERIC},
        )
        part["split"] = split
        parts.append(part)
    raw = pd.concat(parts, ignore_index=True)
    if len(raw) != 48_842:
        raise DataIntegrityError(f"Adult should have 48,842 rows, parsed {len(raw)}.")

    frame = raw[_ADULT_NUMERIC].copy()
    education_order = (
        raw.assign(education=raw["education"].str.strip()).groupby("education")["education_num"].first().sort_values()
    )
    for col in ("workclass", "marital_status", "occupation", "relationship", "race", "sex"):
        frame[col] = _categorical(raw[col])
    frame["education"] = _categorical(raw["education"], list(education_order.index), ordered=True)
    frame["native_country"] = _categorical(raw["native_country"].str.strip().replace(_ADULT_COUNTRY_FIXES))
    frame = frame[_ADULT_COLUMNS[:-1]]
    frame["age_band"] = _age_band(frame["age"], _AGE_EDGES, _AGE_LABELS)
    frame["split"] = pd.Categorical(raw["split"].astype(object), categories=["train", "test"])
    # the test file writes the label with a trailing period (">50K.")
    label = raw["income"].str.strip().str.rstrip(".")
    if not label.isin(["<=50K", ">50K"]).all():
        raise DataIntegrityError(f"Adult has unexpected income labels: {sorted(set(label) - {'<=50K', '>50K'})}.")
    frame["income_over_50k"] = (label == ">50K").astype("int64")
    return frame


def load_adult(*, as_frame: bool = True, return_X_y: bool = False, subset: str = "all"):
    """Load the Adult census income dataset (UCI, 1994 US census extract).

    Predict whether a person's income exceeds $50K a year. Used in modules 01, 02, 03, 05, 08.

    Parameters
    ----------
    as_frame : bool, default=True
        Return pandas objects (``data`` a DataFrame, ``target`` a Series). If False, ``data``
        is an object array equal to ``frame[feature_names].to_numpy()`` and ``target`` an int
        array; ``frame`` is ``None``.
    return_X_y : bool, default=False
        Return only ``(data, target)``.
    subset : {"all", "train", "test"}, default="all"
        The official split: "train" (adult.data, 32,561 rows), "test" (adult.test, 16,281
        rows) or both (48,842 rows, train first).

    Returns
    -------
    Bunch or tuple
        ``data``: 13 features (``fnlwgt``, a census sampling weight, is in ``frame`` only);
        ``target``: 1 = income over $50K, 0 = at most $50K; ``sensitive_features``: ``sex``,
        ``race``, ``age_band``; ``split``: "train" or "test" for each row; ``frame``: all
        columns plus ``age_band``, ``split`` and the target ``income_over_50k``; ``DESCR``:
        the datasheet.

    Examples
    --------
    >>> from biaslab.datasets import load_adult
    >>> adult = load_adult()
    >>> adult.frame.shape
    (48842, 17)
    >>> rate = adult.target.groupby(adult.sensitive_features["sex"], observed=True).mean()
    >>> round(float(rate["Male"] - rate["Female"]), 4)
    0.1945
    """
    as_frame = check_bool(as_frame, "as_frame")
    return_X_y = check_bool(return_X_y, "return_X_y")
    subset = check_choice(subset, "subset", ("all", "train", "test"))
    frame = _adult_frame(_stamped("adult/adult.data.gz", "adult/adult.test.gz"))
    if subset != "all":
        frame = frame[frame["split"] == subset].reset_index(drop=True)
    return _make_bunch(
        frame,
        feature_names=_ADULT_FEATURES,
        target_name="income_over_50k",
        target_names=["<=50K", ">50K"],
        sensitive_names=["sex", "race", "age_band"],
        descr=read_descr("adult/DATASHEET.md"),
        as_frame=as_frame,
        return_X_y=return_X_y,
        extra_columns={"split": "split"},
    )


# ----------------------------------------------------------------------------- COMPAS

_COMPAS_FEATURES = [
    "sex",
    "age",
    "race",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "priors_count",
    "c_charge_degree",
]
_COMPAS_RACES = ["African-American", "Caucasian", "Hispanic", "Asian", "Native American", "Other"]
_COMPAS_AGE_BANDS = {"Less than 25": "<25", "25 - 45": "25-44", "Greater than 45": "45+"}
_COMPAS_HARM = (
    "COMPAS is criminal-justice data about real people (Broward County, Florida, 2013-2014); its "
    "label is a new arrest, shaped by policing, and what its scores mean is contested. Read "
    "load_compas().DESCR before drawing conclusions about people or groups from it."
)


@functools.cache
def _compas_frame(files: tuple) -> pd.DataFrame:
    ((path, *_),) = files
    raw = pd.read_csv(path, keep_default_na=False, na_values={"days_b_screening_arrest": [""]})
    if len(raw) != 7_214:
        raise DataIntegrityError(f"COMPAS should have 7,214 rows, parsed {len(raw)}.")
    # the CSV repeats two column names; pandas reads the second copy as "<name>.1"
    for col in ("decile_score", "priors_count"):
        if not raw[col].equals(raw[f"{col}.1"]):
            raise DataIntegrityError(f"COMPAS: the two {col!r} columns differ; the file is not the expected one.")

    frame = pd.DataFrame(index=raw.index)
    frame["sex"] = _categorical(raw["sex"], ["Female", "Male"])
    frame["age"] = raw["age"].astype("int64")
    frame["race"] = _categorical(raw["race"], _COMPAS_RACES)
    for col in ("juv_fel_count", "juv_misd_count", "juv_other_count", "priors_count"):
        frame[col] = raw[col].astype("int64")
    frame["c_charge_degree"] = _categorical(
        raw["c_charge_degree"].str.strip().replace({"F": "Felony", "M": "Misdemeanor", "O": "Other"}),
        ["Felony", "Misdemeanor", "Other"],
    )
    frame["c_charge_desc"] = _categorical(raw["c_charge_desc"])
    frame["age_band"] = pd.Categorical(
        raw["age_cat"].str.strip().map(_COMPAS_AGE_BANDS).astype(object),
        categories=list(_COMPAS_AGE_BANDS.values()),
        ordered=True,
    )
    frame["days_b_screening_arrest"] = _numeric(raw["days_b_screening_arrest"])
    jail_in = pd.to_datetime(raw["c_jail_in"].mask(raw["c_jail_in"] == ""), format="%Y-%m-%d %H:%M:%S")
    jail_out = pd.to_datetime(raw["c_jail_out"].mask(raw["c_jail_out"] == ""), format="%Y-%m-%d %H:%M:%S")
    frame["length_of_stay_days"] = (jail_out - jail_in).dt.total_seconds() / 86_400
    # what the tool said
    frame["decile_score"] = raw["decile_score"].astype("int64")
    frame["score_text"] = _categorical(raw["score_text"], ["Low", "Medium", "High"], ordered=True)
    frame["high_risk"] = (frame["decile_score"] >= 5).astype("int64")
    frame["v_decile_score"] = raw["v_decile_score"].astype("int64")
    frame["v_score_text"] = _categorical(raw["v_score_text"], ["Low", "Medium", "High"], ordered=True)
    # what happened
    frame["is_recid"] = raw["is_recid"].astype("int64")
    frame["is_violent_recid"] = raw["is_violent_recid"].astype("int64")
    frame["two_year_recid"] = raw["two_year_recid"].astype("int64")

    # ProPublica's filter (Compas Analysis.ipynb): a COMPAS screening within 30 days of the arrest,
    # a known recidivism status, no ordinary traffic offence ('O') and a valid score.
    days = frame["days_b_screening_arrest"]
    keep = (
        days.between(-30, 30)
        & (raw["is_recid"] != -1)
        & (raw["c_charge_degree"].str.strip() != "O")
        & (raw["score_text"].str.strip() != "N/A")
    )
    frame["propublica_filter"] = keep.to_numpy()
    return frame


def load_compas(*, as_frame: bool = True, return_X_y: bool = False, filtered: bool = True):
    """Load ProPublica's COMPAS two-year recidivism data (Broward County, Florida, 2013-2014).

    Every call emits a :class:`DatasetHarmWarning`: this is criminal-justice data about real
    people. Used in modules 02 and 08, to compare the COMPAS tool's risk scores with what
    happened.

    Parameters
    ----------
    as_frame : bool, default=True
        Return pandas objects. If False, ``data`` is ``frame[feature_names].to_numpy()`` (an
        object array) and ``target``, ``score``, ``high_risk`` are numpy arrays.
    return_X_y : bool, default=False
        Return only ``(data, target)``.
    filtered : bool, default=True
        Apply ProPublica's filter (screened within 30 days of the arrest, known outcome, valid
        score): 6,172 rows. ``False`` gives all 7,214 rows.

    Returns
    -------
    Bunch or tuple
        ``data``: sex, age, race, juvenile and prior counts, charge degree; ``target``: 1 =
        arrested again within two years (``two_year_recid``), 0 = not; ``score``: the COMPAS
        decile score (1-10); ``high_risk``: 1 where the decile score is 5 or more (COMPAS
        "Medium" or "High", ProPublica's reading of a positive prediction);
        ``sensitive_features``: ``sex``, ``race``, ``age_band``; ``frame``: the features plus
        the charge description, the COMPAS scores and outcomes; ``DESCR``: the datasheet.
        Names, dates of birth, case numbers and dates are not included (privacy).

    Examples
    --------
    >>> import warnings
    >>> from biaslab.datasets import load_compas
    >>> with warnings.catch_warnings(record=True, action="always") as caught:
    ...     compas = load_compas()
    >>> caught[0].category.__name__
    'DatasetHarmWarning'
    >>> len(compas.frame), float(compas.target.mean().round(3))
    (6172, 0.455)
    """
    as_frame = check_bool(as_frame, "as_frame")
    return_X_y = check_bool(return_X_y, "return_X_y")
    filtered = check_bool(filtered, "filtered")
    warnings.warn(_COMPAS_HARM, DatasetHarmWarning, stacklevel=2)
    frame = _compas_frame(_stamped("compas/compas-scores-two-years.csv.gz"))
    if filtered:
        frame = frame[frame["propublica_filter"]].reset_index(drop=True)
    frame = frame.drop(columns="propublica_filter")
    return _make_bunch(
        frame,
        feature_names=_COMPAS_FEATURES,
        target_name="two_year_recid",
        target_names=["not rearrested within two years", "rearrested within two years"],
        sensitive_names=["sex", "race", "age_band"],
        descr=read_descr("compas/DATASHEET.md"),
        as_frame=as_frame,
        return_X_y=return_X_y,
        extra_columns={"score": "decile_score", "high_risk": "high_risk"},
    )


# ----------------------------------------------------------------------------- German credit

# (column in german.data order, key in values_maps.json or None for numbers)
_GERMAN_COLUMNS = [
    ("checking_account", "status"),
    ("duration_months", None),
    ("credit_history", "credit_history"),
    ("purpose", "purpose"),
    ("credit_amount", None),
    ("savings", "savings"),
    ("employment_since", "present_employment"),
    ("installment_rate", None),
    ("personal_status_sex", "status_sex"),
    ("other_debtors", "other_debtors"),
    ("residence_since", None),
    ("property", "property"),
    ("age", None),
    ("other_installment_plans", "installment_plans"),
    ("housing", "housing"),
    ("existing_credits", None),
    ("job", "job"),
    ("people_liable", None),
    ("telephone", "telephone"),
    ("foreign_worker", "foreign_worker"),
    ("credit", "credit"),
]


def _german_label(value) -> str:
    """Tidy a values_maps.json label: booleans to yes/no, drop the "... " placeholders."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).split())
    for prefix in ("... ", ".. "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return re.sub(r"\s*/\s*", "/", text)


@functools.cache
def _german_frame(files: tuple) -> pd.DataFrame:
    (data_path, *_), (maps_path, *_) = files
    maps = json.loads(maps_path.read_text(encoding="utf-8"))
    names = [name for name, _ in _GERMAN_COLUMNS]
    raw = pd.read_csv(data_path, sep=" ", header=None, names=names, dtype=str, keep_default_na=False)
    if len(raw) != 1_000:
        raise DataIntegrityError(f"German credit should have 1,000 rows, parsed {len(raw)}.")

    frame = pd.DataFrame(index=raw.index)
    for name, key in _GERMAN_COLUMNS:
        values = raw[name].str.strip()
        if key is None:
            frame[name] = pd.to_numeric(values).astype("int64")
            continue
        codes = {code: _german_label(label) for code, label in maps[key].items()}
        unknown = set(values) - set(codes)
        if unknown:
            raise DataIntegrityError(f"German credit column {name!r} has undocumented codes {sorted(unknown)}.")
        if name == "personal_status_sex":
            parts = values.map(codes).str.split(" : ", n=1, expand=True)
            frame["personal_status"] = _categorical(parts[1])
            frame["sex"] = _categorical(parts[0].str.capitalize(), ["Female", "Male"])
        elif name == "credit":
            frame["good_credit"] = (values.map(codes) == "good").astype("int64")
        else:
            frame[name] = _categorical(values.map(codes), list(dict.fromkeys(codes.values())))
    frame["age_band"] = _age_band(frame["age"], _AGE_EDGES, _AGE_LABELS)
    return frame[[c for c in frame.columns if c != "good_credit"] + ["good_credit"]]


_GERMAN_FEATURES = [name for name, _ in _GERMAN_COLUMNS[:8]] + ["personal_status", "sex"]
_GERMAN_FEATURES += [name for name, _ in _GERMAN_COLUMNS[9:-1]]


def load_german_credit(*, as_frame: bool = True, return_X_y: bool = False):
    """Load the Statlog German credit dataset (UCI; 1,000 loans, 700 good and 300 bad).

    Predict whether a loan applicant is a good credit risk. Used in module 03.

    Parameters
    ----------
    as_frame : bool, default=True
        Return pandas objects. If False, ``data`` is ``frame[feature_names].to_numpy()`` (an
        object array) and ``target`` an int array; ``frame`` is ``None``.
    return_X_y : bool, default=False
        Return only ``(data, target)``.

    Returns
    -------
    Bunch or tuple
        ``data``: 21 features with the A-codes decoded to words (``personal_status_sex`` is
        split into ``personal_status`` and ``sex``); ``target``: 1 = good credit (the
        favourable outcome), 0 = bad; ``sensitive_features``: ``sex``, ``age_band``,
        ``foreign_worker``; ``frame``: the features plus ``age_band`` and ``good_credit``;
        ``DESCR``: the datasheet, which explains why ``sex`` here is unreliable.

    Examples
    --------
    >>> from biaslab.datasets import load_german_credit
    >>> credit = load_german_credit()
    >>> int(credit.target.sum()), len(credit.target)
    (700, 1000)
    """
    as_frame = check_bool(as_frame, "as_frame")
    return_X_y = check_bool(return_X_y, "return_X_y")
    frame = _german_frame(_stamped("german_credit/german.data.gz", "german_credit/values_maps.json"))
    return _make_bunch(
        frame,
        feature_names=_GERMAN_FEATURES,
        target_name="good_credit",
        target_names=["bad credit", "good credit"],
        sensitive_names=["sex", "age_band", "foreign_worker"],
        descr=read_descr("german_credit/DATASHEET.md"),
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


# ----------------------------------------------------------------------------- heart disease

# Orange's column name -> ours
_HEART_COLUMNS = {
    "age": "age",
    "gender": "sex",
    "chest pain": "chest_pain",
    "rest SBP": "resting_blood_pressure",
    "cholesterol": "cholesterol",
    "fasting blood sugar > 120": "fasting_blood_sugar_over_120",
    "rest ECG": "resting_ecg",
    "max HR": "max_heart_rate",
    "exerc ind ang": "exercise_angina",
    "ST by exercise": "st_depression",
    "slope peak exc ST": "st_slope",
    "major vessels colored": "major_vessels",
    "thal": "thal",
    "diameter narrowing": "heart_disease",
}
_HEART_SPELLINGS = {
    "chest_pain": {
        "typical ang": "typical angina",
        "atypical ang": "atypical angina",
        "non-anginal": "non-anginal pain",
        "asymptomatic": "asymptomatic",
    },
    "resting_ecg": {
        "normal": "normal",
        "ST-T abnormal": "ST-T wave abnormality",
        "left vent hypertrophy": "left ventricular hypertrophy",
    },
    "st_slope": {"upsloping": "upsloping", "flat": "flat", "downsloping": "downsloping"},
    "thal": {"normal": "normal", "fixed defect": "fixed defect", "reversable defect": "reversible defect"},
}
_HEART_AGE_EDGES = (0, 45, 55, 65, np.inf)
_HEART_AGE_LABELS = ("<45", "45-54", "55-64", "65+")
_HEART_FEATURES = [c for c in _HEART_COLUMNS.values() if c != "heart_disease"]


@functools.cache
def _heart_frame(files: tuple) -> pd.DataFrame:
    ((path, *_),) = files
    # rows 2 and 3 of an Orange .tab file are type and role headers, not data
    raw = pd.read_csv(path, sep="\t", skiprows=[1, 2], dtype=str, keep_default_na=False)
    if len(raw) != 303 or list(raw.columns) != list(_HEART_COLUMNS):
        raise DataIntegrityError(f"heart_disease.tab should have 303 rows and 14 known columns, got {raw.shape}.")
    raw = raw.rename(columns=_HEART_COLUMNS)
    frame = pd.DataFrame(index=raw.index)
    for col in _HEART_COLUMNS.values():
        values = raw[col].str.strip()
        if col == "sex":
            frame[col] = _categorical(values.str.capitalize(), ["Female", "Male"])
        elif col in _HEART_SPELLINGS:
            spelling = _HEART_SPELLINGS[col]
            frame[col] = _categorical(values.replace(spelling), list(spelling.values()))
        elif col in ("major_vessels", "st_depression"):
            frame[col] = _numeric(values)
        else:
            frame[col] = pd.to_numeric(values).astype("int64")
    frame.insert(len(frame.columns) - 1, "age_band", _age_band(frame["age"], _HEART_AGE_EDGES, _HEART_AGE_LABELS))
    return frame


def load_heart_disease(*, as_frame: bool = True, return_X_y: bool = False):
    """Load the Cleveland heart disease dataset (UCI, 303 patients referred for angiography).

    Predict angiographic coronary artery disease. Used in modules 04 and 05.

    Parameters
    ----------
    as_frame : bool, default=True
        Return pandas objects. If False, ``data`` is ``frame[feature_names].to_numpy()`` (an
        object array) and ``target`` an int array; ``frame`` is ``None``.
    return_X_y : bool, default=False
        Return only ``(data, target)``.

    Returns
    -------
    Bunch or tuple
        ``data``: 13 clinical features (``major_vessels`` has 4 missing values, left as NaN;
        ``thal`` has 2, as the category "Unknown"); ``target``: 1 = more than 50% narrowing
        of a major coronary artery (heart disease present), 0 = not; ``sensitive_features``:
        ``sex``, ``age_band``; ``frame``: the features plus ``age_band`` and
        ``heart_disease``; ``DESCR``: the datasheet.

    Examples
    --------
    >>> from biaslab.datasets import load_heart_disease
    >>> heart = load_heart_disease()
    >>> heart.sensitive_features["sex"].value_counts().to_dict()
    {'Male': 206, 'Female': 97}
    """
    as_frame = check_bool(as_frame, "as_frame")
    return_X_y = check_bool(return_X_y, "return_X_y")
    frame = _heart_frame(_stamped("heart_disease/heart_disease.tab.gz"))
    return _make_bunch(
        frame,
        feature_names=_HEART_FEATURES,
        target_name="heart_disease",
        target_names=["no heart disease (narrowing at most 50%)", "heart disease (narrowing over 50%)"],
        sensitive_names=["sex", "age_band"],
        descr=read_descr("heart_disease/DATASHEET.md"),
        as_frame=as_frame,
        return_X_y=return_X_y,
    )
