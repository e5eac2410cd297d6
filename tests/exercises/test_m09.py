"""Module 09's checks: correct, each diagnosed mistake, wrong type, not attempted; no expected value leaks."""

import pickle

import numpy as np
import pytest

from biaslab.audit import capstone_case, fnr_screen, proxy_strength
from biaslab.audit._capstone import _plan
from biaslab.audit import CAPSTONE_CANDIDATES
from biaslab.exercises import Outcome
from biaslab.exercises.m09 import SCENARIOS, _hidden_cases, q1, q2, q3, q4, q5
from biaslab.mitigations import GroupThresholds
from biaslab.robustness import counterfactual_flip_rate
from hidden_cases import class_seeds, graded

RIGHT_TIERS = {"credit_scoring": "high-risk", "cv_screening": "high-risk", "social_scoring": "prohibited",
               "emotion_at_work": "prohibited", "customer_chatbot": "transparency", "spam_filter": "minimal"}


@pytest.fixture(autouse=True)
def no_workbook(monkeypatch, tmp_path):
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(tmp_path)


def outcome(problem, answer, **kw):
    return problem.feedback(answer, **kw)


# --- q1 ---------------------------------------------------------------------------------------------

def test_q1_correct_and_case_insensitive():
    assert outcome(q1, RIGHT_TIERS).passed
    assert outcome(q1, {k: v.upper() for k, v in RIGHT_TIERS.items()}).passed


def test_q1_wrong_points_to_the_article_without_the_answer():
    answer = dict(RIGHT_TIERS, credit_scoring="minimal")
    fb = outcome(q1, answer)
    assert fb.outcome is Outcome.WRONG_VALUE and "Annex III" in fb.message and "1 of 6" in fb.message
    assert "high-risk" not in fb.message.replace("high-risk systems", "")
    fb = outcome(q1, dict(RIGHT_TIERS, social_scoring="high-risk"))
    assert "Article 5" in fb.message and "prohibited" not in fb.message


def test_q1_wrong_type_and_not_attempted():
    assert outcome(q1, ...).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q1, dict(RIGHT_TIERS, spam_filter=...)).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q1, "high-risk").outcome is Outcome.WRONG_TYPE
    assert outcome(q1, {"credit_scoring": "high-risk"}).outcome is Outcome.WRONG_TYPE
    assert outcome(q1, dict(RIGHT_TIERS, spam_filter="low")).outcome is Outcome.WRONG_TYPE
    assert outcome(q1, dict(RIGHT_TIERS, unknown="minimal")).outcome is Outcome.WRONG_TYPE
    assert set(SCENARIOS) == set(RIGHT_TIERS)


# --- the capstone's reference functions ------------------------------------------------------------------

def find_harm(case):
    screen = fnr_screen(case.y_test, case.model.predict(case.X_test), sensitive_features=case.groups_test)
    flagged = screen[screen["flagged"]]
    return flagged.index[0][1], flagged.iloc[0]["fnr_gap"]


def _screen(case):
    return fnr_screen(case.y_test, case.model.predict(case.X_test), sensitive_features=case.groups_test)


def screen_case(case):
    features = case.X_test.drop(columns=["sex", "race", "age_band"])
    strengths = proxy_strength(features, case.groups_test["sex"], favoured="Male", random_state=0)
    return {"proxy": strengths.index[0],
            "flip_rate": counterfactual_flip_rate(case.model, case.X_test, column="sex").rate}


def mitigate(case):
    group, _ = find_harm(case)
    column = next(c for c in case.groups_test if group in set(case.groups_test[c]))
    gt = GroupThresholds(criterion="equal_opportunity").fit(case.model.predict_proba(case.X_val)[:, 1], case.y_val,
                                                             sensitive_features=case.groups_val[column])
    pred = gt.predict(case.model.predict_proba(case.X_test)[:, 1], sensitive_features=case.groups_test[column])
    y = case.y_test.to_numpy()
    return pred, np.mean(case.model.predict(case.X_test) == y) - np.mean(pred == y)


def _assert_no_leak(fb, *values):
    for v in values:
        assert f"{v:.4g}" not in fb.message and f"{v:.3f}" not in fb.message


# --- q2 -----------------------------------------------------------------------------------------------

def test_q2_correct_visible_and_hidden():
    assert outcome(q2, find_harm).passed
    assert outcome(q2, find_harm, variant="hidden").passed


@pytest.mark.parametrize("transform, words", [
    (lambda g, gap, s: (g, -gap), "wrong sign"),
    (lambda g, gap, s: (g, 100 * gap), "percent"),
    (lambda g, gap, s: (g, s.iloc[0]["fnr"]), "group's FNR alone"),
    (lambda g, gap, s: (g, gap + 0.2), "the group is right but the gap is not"),
    (lambda g, gap, s: ("<25", gap), "positives"),
    (lambda g, gap, s: ("Male" if g == "Female" else "45-64" if g == "25-44" else "25-44", gap), ""),
])
def test_q2_diagnoses(transform, words):
    def answer(case):
        group, gap = find_harm(case)
        return transform(group, gap, _screen(case)[lambda t: t["flagged"]])

    fb = outcome(q2, answer)
    assert fb.outcome is Outcome.WRONG_VALUE and words in fb.message
    case = capstone_case(9)
    _assert_no_leak(fb, find_harm(case)[1])
    assert _plan(9)[0][1] not in fb.message or "your function names" in fb.message


def test_q2_lowest_fnr_group_is_named():
    def answer(case):
        screen = _screen(case)
        return screen.index[-1][1], screen.iloc[-1]["fnr_gap"]

    fb = outcome(q2, answer)
    assert fb.outcome is Outcome.WRONG_VALUE and "LOWER" in fb.message


def test_q2_a_function_that_uses_the_notebooks_predictions_is_told_so():
    notebook_case = capstone_case(9)
    y_pred = notebook_case.model.predict(notebook_case.X_test)  # the notebook's global, made for case 9 only

    def answer(case):
        screen = fnr_screen(case.y_test, y_pred, sensitive_features=notebook_case.groups_test)
        top = screen[screen["flagged"]].iloc[0]
        return screen[screen["flagged"]].index[0][1], top["fnr_gap"]

    fb = outcome(q2, answer)
    assert fb.outcome is Outcome.WRONG_VALUE and "case.model.predict(case.X_test)" in fb.message, fb


def test_q2_wrong_type_and_not_attempted():
    assert outcome(q2, ...).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q2, lambda case: None).outcome is Outcome.NOT_ATTEMPTED

    def unwritten(case):
        raise NotImplementedError

    assert outcome(q2, unwritten).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q2, "Female").outcome is Outcome.WRONG_TYPE
    assert outcome(q2, lambda case: "Female").outcome is Outcome.WRONG_TYPE
    assert outcome(q2, lambda case: (3, 0.4)).outcome is Outcome.WRONG_TYPE
    assert outcome(q2, lambda case: ("Martians", 0.4)).outcome is Outcome.WRONG_TYPE
    assert outcome(q2, lambda case: 1 / 0).outcome is Outcome.WRONG_TYPE


# --- q3 -----------------------------------------------------------------------------------------------

def test_q3_correct_visible_and_hidden():
    assert outcome(q3, screen_case).passed
    assert outcome(q3, screen_case, variant="hidden").passed


@pytest.mark.parametrize("change, words", [
    (lambda r, c: dict(r, proxy="sex"), "sensitive attribute itself"),
    (lambda r, c: dict(r, proxy="capital_loss"), "clearly better"),
    (lambda r, c: dict(r, flip_rate=100 * r["flip_rate"]), "percent"),
    (lambda r, c: dict(r, flip_rate=1 - r["flip_rate"]), "do NOT change"),
    (lambda r, c: dict(r, flip_rate=counterfactual_flip_rate(c.model, c.X_test, column="sex").by_value.iloc[0]),
     "one sex only"),
    (lambda r, c: dict(r, flip_rate=counterfactual_flip_rate(c.model, c.X_test, column="age_band").rate),
     "age_band"),
    (lambda r, c: dict(r, flip_rate=counterfactual_flip_rate(c.model, c.X_val, column="sex").rate), "X_test"),
])
def test_q3_diagnoses(change, words):
    fb = outcome(q3, lambda case: change(screen_case(case), case))
    assert fb.outcome is Outcome.WRONG_VALUE and words in fb.message
    _assert_no_leak(fb, screen_case(capstone_case(9))["flip_rate"])


def test_q3_wrong_type_and_not_attempted():
    assert outcome(q3, ...).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q3, lambda case: None).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q3, lambda case: ("occupation", 0.1)).outcome is Outcome.WRONG_TYPE
    assert outcome(q3, lambda case: {"proxy": "nope", "flip_rate": 0.1}).outcome is Outcome.WRONG_TYPE
    assert outcome(q3, lambda case: dict(screen_case(case), flip_rate="high")).outcome is Outcome.WRONG_TYPE


# --- q4 -----------------------------------------------------------------------------------------------

def test_q4_correct_visible_and_hidden():
    fb = outcome(q4, mitigate)
    assert fb.passed and "cost between" in fb.message
    assert outcome(q4, mitigate, variant="hidden").passed


@pytest.mark.parametrize("change, words", [
    (lambda p, cost, c: (c.model.predict(c.X_test), 0.0), "must at least halve"),
    (lambda p, cost, c: (np.ones(len(c.X_test), dtype=int), 0.0), "useless"),
    (lambda p, cost, c: (c.y_test.to_numpy(), 0.0), "true labels"),
    (lambda p, cost, c: (p, -cost if abs(cost) > 2e-3 else cost + 0.5), ""),
    (lambda p, cost, c: (p, cost + 0.3), "its cost is not"),
])
def test_q4_diagnoses(change, words):
    fb = outcome(q4, lambda case: change(*mitigate(case), case))
    assert fb.outcome is Outcome.WRONG_VALUE and words in fb.message


def mitigate_on_test_labels(case):
    """The commonest shortcut: the thresholds chosen on the audit rows' own labels."""
    group, _ = find_harm(case)
    column = next(c for c in case.groups_test if group in set(case.groups_test[c]))
    scores = case.model.predict_proba(case.X_test)[:, 1]
    gt = GroupThresholds(criterion="equal_opportunity").fit(scores, case.y_test,
                                                             sensitive_features=case.groups_test[column])
    pred = gt.predict(scores, sensitive_features=case.groups_test[column])
    y = case.y_test.to_numpy()
    return pred, np.mean(case.model.predict(case.X_test) == y) - np.mean(pred == y)


@pytest.mark.parametrize("variant", ["visible", "hidden"])
def test_q4_thresholds_tuned_on_the_audit_labels_are_caught(variant):
    """It halves the gap on every case (the gap is measured on the labels it was tuned on), so only the
    reshuffled twin tells it apart: the same groups, FNRs and accuracy, other rows positive."""
    cases = q4.calls(variant)
    twin = cases[-2][0][0]
    original = cases[0][0][0]
    assert not twin.y_test.equals(original.y_test)
    assert find_harm(twin)[0] == find_harm(original)[0]
    assert find_harm(twin)[1] == pytest.approx(find_harm(original)[1], abs=1e-12)
    assert np.array_equal(mitigate(twin)[0], mitigate(original)[0])  # the right answer does not move
    fb = outcome(q4, mitigate_on_test_labels, variant=variant)
    assert fb.outcome is Outcome.WRONG_VALUE and "tuned on case.y_test" in fb.message, fb.message
    assert "case.X_val" in fb.message


def test_q4_predictions_that_change_between_calls_are_named():
    draws = iter(range(100))
    fb = outcome(q4, lambda c: (mitigate(c)[0] if next(draws) < 3 else 1 - mitigate(c)[0], mitigate(c)[1]))
    assert fb.outcome is Outcome.WRONG_VALUE and "differ from one call to the next" in fb.message, fb.message
    state = np.random.default_rng()
    fb = outcome(q4, lambda c: (np.where(state.random(len(c.X_test)) < 0.01, 1, mitigate(c)[0]), mitigate(c)[1]))
    assert fb.outcome is Outcome.WRONG_VALUE and ("random_state" in fb.message or "cost" in fb.message), fb.message


def test_q4_sign_and_percent_of_the_cost():
    case = capstone_case(9)
    cost = mitigate(case)[1]
    if abs(cost) > 2e-3:
        fb = outcome(q4, lambda c: (mitigate(c)[0], -mitigate(c)[1]))
        assert "wrong sign" in fb.message
    fb = outcome(q4, lambda c: (mitigate(c)[0], 100 * mitigate(c)[1] + (0 if abs(cost) > 2e-3 else 0.05)))
    assert fb.outcome is Outcome.WRONG_VALUE


def test_q4_wrong_type_and_not_attempted():
    assert outcome(q4, ...).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q4, lambda case: None).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q4, lambda case: mitigate(case)[0]).outcome is Outcome.WRONG_TYPE
    assert outcome(q4, lambda case: ([0, 1], 0.0)).outcome is Outcome.WRONG_TYPE
    assert outcome(q4, lambda case: (np.full(len(case.X_test), 0.5), 0.0)).outcome is Outcome.WRONG_TYPE


# --- q5 -----------------------------------------------------------------------------------------------

def test_q5_reflection():
    assert outcome(q5, ...).outcome is Outcome.NOT_ATTEMPTED
    assert outcome(q5, "too short").outcome is Outcome.WRONG_VALUE
    fb = outcome(q5, " ".join(["word"] * 80))
    assert fb.outcome is Outcome.RECORDED and not fb.passed and "responsibility" in fb.message
    assert outcome(q5, 42).outcome is Outcome.WRONG_TYPE


# --- the capstone's hidden cases, as a class's grader makes and decides them ---------------------------

def unwritten(case):
    raise NotImplementedError


def lowest(case):
    screen = _screen(case)
    return screen.index[-1][1], screen.iloc[-1]["fnr_gap"]


HIDDEN = [
    (q2, find_harm, Outcome.CORRECT, "Right on every case"),
    (q2, lambda c: (find_harm(c)[0], -find_harm(c)[1]), Outcome.WRONG_VALUE, "wrong sign"),
    (q2, lowest, Outcome.WRONG_VALUE, "hidden case 1"),
    (q2, lambda c: ("Martians", 0.4), Outcome.WRONG_TYPE, "not a group"),
    (q2, lambda c: (c.model, 0.4), Outcome.WRONG_TYPE, "not a TabularModel"),
    (q2, lambda c: None, Outcome.NOT_ATTEMPTED, "returns None"),
    (q2, unwritten, Outcome.NOT_ATTEMPTED, "NotImplementedError"),
    (q3, screen_case, Outcome.CORRECT, "Right on every case"),
    (q3, lambda c: dict(screen_case(c), proxy="sex"), Outcome.WRONG_VALUE, "sensitive attribute itself"),
    (q3, lambda c: dict(screen_case(c), flip_rate=c.model), Outcome.WRONG_TYPE, "TabularModel object"),
    (q3, lambda c: ..., Outcome.NOT_ATTEMPTED, "returns Ellipsis"),
    (q4, mitigate, Outcome.CORRECT, "cost between"),
    (q4, lambda c: (c.model.predict(c.X_test), 0.0), Outcome.WRONG_VALUE, "must at least halve"),
    (q4, lambda c: (c.model, 0.0), Outcome.WRONG_TYPE, "TabularModel object"),
    (q4, lambda c: None, Outcome.NOT_ATTEMPTED, "returns None"),
]


@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("problem, answer, expected, words", HIDDEN)
def test_hidden_seeds_feedback_and_grader_agree(problem, answer, expected, words, which):
    seed = class_seeds(problem.key)[which]
    fb = outcome(problem, answer, variant="hidden", seed=seed)
    assert fb.outcome is expected and words in fb.message, fb
    assert "capstone_case(" not in fb.message  # a hidden case is not named by a seed
    assert graded(problem, answer, seed) == fb


@pytest.mark.parametrize("problem", [q2, q3, q4])
def test_hidden_truths_come_from_the_graders_seed_not_from_the_data(problem):
    one, two = (_hidden_cases(seed) for seed in class_seeds(problem.key))
    assert [t for _, t, _ in one] != [t for _, t, _ in two] or [len(c.X_test.columns) for c, _, _ in one] != \
        [len(c.X_test.columns) for c, _, _ in two]
    for cases in (one, two, _hidden_cases(None)):
        assert sorted(t for _, t, _ in cases) == sorted(CAPSTONE_CANDIDATES)  # every target, every seed
        for case, target, data_seed in cases:
            assert case.random_state is None and str(data_seed) not in repr(case)
            assert find_harm(case)[0] == target[1]
    # the public attack of a data seed (which the case does not carry anyway) is not the planted one:
    # they agree only by chance (a third of the time)
    assert any(t != _plan(d)[0] for cases in (one, two) for _, t, d in cases)


@pytest.mark.parametrize("problem", [q2, q3, q4])
def test_calls_pickle_for_the_kernel(problem):
    for variant, seed in [("visible", None), ("hidden", None), ("hidden", class_seeds(problem.key)[0])]:
        data = pickle.dumps(problem.calls(variant, seed), protocol=pickle.HIGHEST_PROTOCOL)
        assert b"biaslab.exercises" not in data  # the grading kernel has only recording stubs there
        assert len(data) < 5e6
        (case,), _ = pickle.loads(data)[0]
        assert case.random_state == (9 if variant == "visible" else None)


def test_variant_must_be_known():
    with pytest.raises(ValueError, match="variant"):
        q2.feedback(find_harm, variant="secret")


def test_the_visible_cases_plant_different_targets_so_a_hard_coded_answer_fails_there():
    """A second fresh reader passed q2 with `return "Female", gap` and q4 with a sex-only mitigation: both
    visible cases planted sex = Female."""
    from biaslab.audit._capstone import _plan
    from biaslab.exercises.m09 import VISIBLE_CASE_SEEDS

    assert len({_plan(s)[0] for s in VISIBLE_CASE_SEEDS}) == len(VISIBLE_CASE_SEEDS)
    fb = outcome(q2, lambda case: ("Female", find_harm(case)[1]))
    assert fb.outcome is Outcome.WRONG_VALUE, fb.message

    def mitigate_sex_only(case):
        gt = GroupThresholds(criterion="equal_opportunity").fit(
            case.model.predict_proba(case.X_val)[:, 1], case.y_val, sensitive_features=case.groups_val["sex"])
        pred = gt.predict(case.model.predict_proba(case.X_test)[:, 1], sensitive_features=case.groups_test["sex"])
        y = case.y_test.to_numpy()
        return pred, np.mean(case.model.predict(case.X_test) == y) - np.mean(pred == y)

    assert outcome(q4, mitigate_sex_only).outcome is Outcome.WRONG_VALUE
