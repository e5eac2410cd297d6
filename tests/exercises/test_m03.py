"""Module 03's problems, each tested correct, wrong (every diagnosed mistake), wrong type and not attempted."""

import pickle

import numpy as np
import pandas as pd
import pytest

from biaslab.attacks import BIAS_KINDS, MEASURED_COLUMNS, historical_label_bias, planted_bias
from biaslab.datasets import load_german_credit
from biaslab.exercises import Outcome
from biaslab.exercises.m03 import N_HIDDEN_MYSTERIES, VISIBLE_MYSTERIES, _hidden_mysteries, q1, q2, q3, q4
from biaslab.metrics import discrimination_score
from hidden_cases import class_seeds, graded


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def german_scores():
    german = load_german_credit()
    age_group = pd.Series(np.where(german.sensitive_features["age_band"] == "<25", "under 25", "25 and over"))
    biased = historical_label_bias(german.data, german.target, sensitive_features=age_group, target="under 25",
                                   strength=0.5, random_state=0).y
    clean = discrimination_score(german.target, sensitive_features=age_group, favoured="25 and over")
    after = discrimination_score(biased, sensitive_features=age_group, favoured="25 and over")
    return german, clean, after, np.asarray(biased)


def test_q1_correct(german_scores):
    _, clean, after, _ = german_scores
    assert after - clean > 0.05  # the planted history visibly widens the gap
    expect(q1.feedback(after - clean), Outcome.CORRECT, "recorded outcomes")
    expect(q1.feedback(np.float64(round(after - clean, 4))), Outcome.CORRECT)


def test_q1_diagnoses_each_mistake(german_scores):
    german, clean, after, biased = german_scores
    rise = after - clean
    sex = german.sensitive_features["sex"]
    by_sex = historical_label_bias(german.data, german.target, sensitive_features=sex, target="Female",
                                   strength=0.5, random_state=0).y
    sex_rise = (discrimination_score(by_sex, sensitive_features=sex, favoured="Male")
                - discrimination_score(german.target, sensitive_features=sex, favoured="Male"))
    cases = {
        "*rose*": after,
        "clean labels, before": clean,
        "sign is flipped": -rise,
        "not in percent": 100 * rise,
        "over everyone": german.target.mean() - biased.mean(),
        "against women": sex_rise,
        "ratio of the two scores": after / clean,  # 3.3: outside [-1, 1], and not a percentage
    }
    for fragment, answer in cases.items():
        feedback = q1.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        assert f"{rise:.3f}" not in feedback.message and f"{rise:.2f}" not in feedback.message


def test_q1_wrong_type_and_not_attempted():
    expect(q1.feedback("0.1"), Outcome.WRONG_TYPE, "single number")
    expect(q1.feedback(pd.Series([0.1, 0.2])), Outcome.WRONG_TYPE, "not a table")
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED)
    expect(q1.feedback(0.987), Outcome.WRONG_VALUE, "not right yet", "q1.hint()")


# --- q2 ----------------------------------------------------------------------------------------

def spread_right(values, in_group):
    x, g = np.asarray(values, dtype=float), np.asarray(in_group, dtype=bool)
    return x[g].std(ddof=1) / x[~g].std(ddof=1)


def spread_pandas(values, in_group):
    x, g = pd.Series(np.asarray(values, dtype=float)), np.asarray(in_group, dtype=bool)
    return x[g].std() / x[~g].std()


def spread_upside_down(values, in_group):
    return 1 / spread_right(values, in_group)


def spread_variance(values, in_group):
    return spread_right(values, in_group) ** 2


def spread_ddof0(values, in_group):
    x, g = np.asarray(values, dtype=float), np.asarray(in_group, dtype=bool)
    return np.std(x[g]) / np.std(x[~g])


def spread_vs_all(values, in_group):
    x, g = np.asarray(values, dtype=float), np.asarray(in_group, dtype=bool)
    return x[g].std(ddof=1) / x.std(ddof=1)


def spread_difference(values, in_group):
    x, g = np.asarray(values, dtype=float), np.asarray(in_group, dtype=bool)
    return x[g].std(ddof=1) - x[~g].std(ddof=1)


def spread_no_conversion(values, in_group):
    return values[in_group].std() / values[~in_group].std()  # fails on lists


@pytest.mark.parametrize("variant", ["visible", "hidden"])
@pytest.mark.parametrize("func", [spread_right, spread_pandas])
def test_q2_correct(func, variant):
    expect(q2.feedback(func, variant=variant), Outcome.CORRECT, "measurement bias")


@pytest.mark.parametrize("func, fragment", [
    (spread_upside_down, "upside down"),
    (spread_variance, "variances"),
    (spread_ddof0, "ddof=1"),
    (spread_vs_all, "everyone *else*"),
    (spread_difference, "difference"),
])
def test_q2_diagnoses_each_mistake(func, fragment):
    expect(q2.feedback(func), Outcome.WRONG_VALUE, fragment)
    expect(q2.feedback(func, variant="hidden"), Outcome.WRONG_VALUE, fragment)


def test_q2_wrong_type_and_not_attempted():
    expect(q2.feedback(spread_no_conversion), Outcome.WRONG_TYPE, "raised")
    expect(q2.feedback(1.3), Outcome.WRONG_TYPE, "function itself")
    expect(q2.feedback(lambda v, g: [1.0, 2.0]), Outcome.WRONG_TYPE, "one number")
    expect(q2.feedback(lambda v, g: None), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q3 ----------------------------------------------------------------------------------------

def member(data, group):
    (column, value), = group.items()
    return (data.sensitive_features[column] == value).to_numpy()


def diagnose_right(mystery, reference):
    def stats(d):
        g = member(d, mystery.group)
        y = np.asarray(d.target)
        spread = np.mean([spread_right(d.data[c], g) for c in MEASURED_COLUMNS])
        return g.mean(), y[g].mean(), spread

    share, rate, spread = stats(mystery)
    ref_share, ref_rate, ref_spread = stats(reference)
    district = np.corrcoef(mystery.data["district"], member(mystery, mystery.group))[0, 1]
    if share / ref_share < 0.5:
        return "representation"
    if district > 0.3:
        return "proxy"
    if rate / ref_rate < 0.6:
        return "historical_label"
    return "measurement"


def diagnose_no_proxy_check(mystery, reference):
    """Forgets the district: calls every proxy mystery 'measurement'."""
    answer = diagnose_right(mystery, reference)
    return "measurement" if answer == "proxy" else answer


def diagnose_raw_thresholds(mystery, reference):
    """Ignores the reference: thresholds on the group's raw share and label rate, tuned on one group."""
    g = (mystery.sensitive_features[next(iter(mystery.group))] == next(iter(mystery.group.values()))).to_numpy()
    y = np.asarray(mystery.target)
    if g.mean() < 0.05:
        return "representation"
    if np.corrcoef(mystery.data["district"], g)[0, 1] > 0.3:
        return "proxy"
    if y[g].mean() < 0.06:
        return "historical_label"
    return "measurement"


def test_q3_a_diagnosis_that_ignores_the_reference_already_fails_the_visible_stack():
    """The visible mysteries hit each group with each kind, so raw thresholds that fit one group fail there,
    not first in the hidden tests."""
    feedback = q3.feedback(diagnose_raw_thresholds)
    expect(feedback, Outcome.WRONG_VALUE, "of 8 mysteries right")


@pytest.mark.parametrize("variant", ["visible", "hidden"])
def test_q3_correct(variant):
    expect(q3.feedback(diagnose_right, variant=variant), Outcome.CORRECT, f"all {8 if variant == 'visible' else 12}")


def test_q3_wrong_answers_are_located_without_revealing_the_kind():
    feedback = q3.feedback(diagnose_no_proxy_check)
    expect(feedback, Outcome.WRONG_VALUE, "of 8 mysteries right")
    proxies = [s for s in VISIBLE_MYSTERIES if planted_bias(s).kind == "proxy"]
    for seed in proxies:
        assert f"mystery {seed}" in feedback.message
    for kind in BIAS_KINDS:
        assert kind not in feedback.message
    expect(q3.feedback(lambda m, r: "proxy"), Outcome.WRONG_VALUE, "for every mystery")


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback(lambda m, r: "historical"), Outcome.WRONG_TYPE, "'historical_label'")
    expect(q3.feedback(lambda m, r: 3), Outcome.WRONG_TYPE, "one of the strings")
    expect(q3.feedback(lambda m: "proxy"), Outcome.WRONG_TYPE, "raised TypeError")
    expect(q3.feedback("proxy"), Outcome.WRONG_TYPE, "function itself")
    expect(q3.feedback(lambda m, r: None), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


#: two classes' hidden seeds, as their graders derive them from two course secrets
SEEDS = class_seeds("03_where_bias_comes_from.q3")


def unwritten(mystery, reference):
    raise NotImplementedError


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("answer, outcome, fragment", [
    (diagnose_right, Outcome.CORRECT, f"all {N_HIDDEN_MYSTERIES}"),
    (diagnose_no_proxy_check, Outcome.WRONG_VALUE, f"of {N_HIDDEN_MYSTERIES} mysteries right"),
    (lambda m, r: "proxy", Outcome.WRONG_VALUE, "for every mystery"),
    (lambda m, r: "historical", Outcome.WRONG_TYPE, "one of the strings"),
    (lambda m: "proxy", Outcome.WRONG_TYPE, "raised TypeError on hidden mystery 1"),
    (lambda m, r: None, Outcome.NOT_ATTEMPTED, "returns None"),
    (unwritten, Outcome.NOT_ATTEMPTED, "NotImplementedError"),
])
def test_q3_hidden_seeds_feedback_and_grader_agree(answer, outcome, fragment, seed):
    feedback = q3.feedback(answer, variant="hidden", seed=seed)
    expect(feedback, outcome, fragment)
    assert graded(q3, answer, seed) == feedback


def test_q3_wrong_hidden_mysteries_are_named_without_their_seed():
    feedback = q3.feedback(diagnose_no_proxy_check, variant="hidden", seed=SEEDS[0])
    proxies = [f"hidden mystery {i + 1}" for i, (_, p) in enumerate(_hidden_mysteries(SEEDS[0])) if p.kind == "proxy"]
    named = feedback.message.split("wrong about ")[1].split(". Look")[0].split(", ")
    assert named == proxies and len(proxies) == N_HIDDEN_MYSTERIES // 4
    for _, planted in _hidden_mysteries(SEEDS[0]):
        assert str(planted.seed) not in feedback.message


@pytest.mark.parametrize("seed", [None, *SEEDS])
def test_q3_hidden_truths_come_from_the_graders_seed_not_from_the_data(seed):
    hidden = _hidden_mysteries(seed)
    kinds = [planted.kind for _, planted in hidden]
    # every seed: each kind three times, each group six times
    assert sorted(kinds) == sorted(BIAS_KINDS * (N_HIDDEN_MYSTERIES // 4))
    assert sorted(str(p.group) for _, p in hidden).count("{'sex': 'Female'}") == N_HIDDEN_MYSTERIES // 2
    # the public truth of the data seed is not the truth: a quarter agree by chance, so over these
    # 12 mysteries 10 or more agreeing has a chance of 4e-5 (binomial, p = 1/4); 6 happens in 1 seed of 20
    public = [planted_bias(planted.seed).kind for _, planted in hidden]
    assert sum(a == b for a, b in zip(kinds, public)) < 10
    # what the learner's function receives names neither the seed nor the kind
    visible_keys = set(q3.calls()[0][0][0].keys())
    for i, ((mystery, reference), _) in enumerate(q3.calls("hidden", seed)):
        planted = hidden[i][1]
        assert set(mystery.keys()) == visible_keys and mystery.name == f"hidden mystery {i + 1}"
        text = " ".join(map(str, [mystery.name, mystery.DESCR, *mystery.data.columns]))
        assert str(planted.seed) not in text and planted.kind not in text


def test_q3_hidden_truths_differ_between_seeds():
    one, two = ([p.kind for _, p in _hidden_mysteries(s)] for s in SEEDS)
    assert one != two
    assert {p.seed for _, p in _hidden_mysteries(SEEDS[0])}.isdisjoint(p.seed for _, p in _hidden_mysteries(SEEDS[1]))


@pytest.mark.parametrize("variant, seed", [("visible", None), ("hidden", None), *(("hidden", s) for s in SEEDS)])
def test_q3_calls_pickle_for_the_kernel(variant, seed):
    data = pickle.dumps(q3.calls(variant, seed), protocol=pickle.HIGHEST_PROTOCOL)
    assert b"biaslab.exercises" not in data  # the grading kernel has only recording stubs there
    assert len(data) < 20e6


def test_q2_hidden_seeds_feedback_and_grader_agree():
    for seed in SEEDS:
        for answer, outcome in [(spread_right, Outcome.CORRECT), (spread_upside_down, Outcome.WRONG_VALUE),
                                (lambda v, g: None, Outcome.NOT_ATTEMPTED)]:
            feedback = q2.feedback(answer, variant="hidden", seed=seed)
            assert feedback.outcome is outcome and graded(q2, answer, seed) == feedback


# --- q4 ----------------------------------------------------------------------------------------

def test_q4_records_an_answer_in_words():
    text = ("More data of the same kind only helps representation bias, where women are missing; with historical "
            "labels, noisy measurements or a proxy, twice the data repeats the same flipped labels, the same "
            "noise and the same proxy, so the model learns the same bias with more confidence.")
    expect(q4.feedback(text), Outcome.RECORDED, "A person grades")
    expect(q4.feedback("Yes."), Outcome.WRONG_VALUE, "at least 30 words")
    expect(q4.feedback(42), Outcome.WRONG_TYPE, "triple quotes")
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)
