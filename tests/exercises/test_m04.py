"""Module 04's problems, each tested correct, wrong (every diagnosed mistake), wrong type and not attempted."""

import math
import pickle

import numpy as np
import pytest

from biaslab.exercises import Outcome
from biaslab.exercises.m04 import AUDIT_SEED, N_HIDDEN_AUDITS, VISIBLE_AUDIT_SEEDS, _hidden_audits, q1, q2, q3, q4
from biaslab.experiments.hidden_in_plain_sight import (AUDIT_TARGETS, _planted_attack, load_rate_sweep,
                                                       suspect_model_outputs)
from hidden_cases import class_seeds, graded


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


# --- q1: implement the poisoning step -----------------------------------------------------------

def poison_right(y, groups, target, rate, random_state):
    rng = np.random.default_rng(random_state)
    eligible = np.flatnonzero((groups == target) & (y == 1))
    chosen = rng.choice(eligible, size=math.floor(rate * len(eligible)), replace=False)
    new = y.copy()
    new[chosen] = 0
    return new


def make_variant(count=None, rows=None, in_place=False, flip_negatives=False, fixed_rows=False, unseeded=False):
    def poison(y, groups, target, rate, random_state):
        rng = np.random.default_rng(None if unseeded else random_state)
        inside = groups == target
        eligible = np.flatnonzero(inside & (y == 1)) if rows is None else np.flatnonzero(rows(y, groups, target))
        n_flip = math.floor(rate * len(eligible)) if count is None else count(y, groups, target, rate)
        n_flip = min(n_flip, len(eligible))
        chosen = eligible[:n_flip] if fixed_rows else rng.choice(eligible, size=n_flip, replace=False)
        new = y if in_place else y.copy()
        new[chosen] = 1 - new[chosen] if flip_negatives else 0
        return new
    return poison


def test_q1_correct_visible_and_hidden():
    expect(q1.feedback(poison_right), Outcome.CORRECT, "poison_labels")
    expect(q1.feedback(poison_right, variant="hidden"), Outcome.CORRECT)


def test_q1_accepts_lists_and_int_floor():
    def as_list(y, groups, target, rate, random_state):
        return poison_right(y, groups, target, rate, random_state).tolist()
    expect(q1.feedback(as_list), Outcome.CORRECT)


@pytest.mark.parametrize("variant, fragment", [
    (make_variant(in_place=True), "in place"),
    (make_variant(rows=lambda y, g, t: g == t, flip_negatives=True), "negatives (0) into positives"),
    (make_variant(rows=lambda y, g, t: y == 1), "outside the target group"),
    (make_variant(count=lambda y, g, t, r: round(r * ((g == t) & (y == 1)).sum())), "rounded"),
    # (clipped to the positives, as rng.choice would fail otherwise)
    (make_variant(count=lambda y, g, t, r: math.floor(r * (g == t).sum())), "target group's positives"),
    (make_variant(count=lambda y, g, t, r: math.floor(r * (y == 1).sum())), "target group's positives"),
    (make_variant(count=lambda y, g, t, r: min(1, math.floor(r * (y == 1).sum()))), "flipped"),
    (make_variant(count=lambda y, g, t, r: 1), "flipped"),
    (make_variant(unseeded=True), "same random_state"),
    (make_variant(fixed_rows=True), "same rows"),
])
def test_q1_diagnoses_each_mistake(variant, fragment):
    expect(q1.feedback(variant), Outcome.WRONG_VALUE, fragment)


def test_q1_wrong_type_and_not_attempted():
    expect(q1.feedback(3), Outcome.WRONG_TYPE, "function itself")
    expect(q1.feedback(lambda *a: 0.5), Outcome.WRONG_TYPE, "array")
    expect(q1.feedback(lambda y, *a: y * 0.5), Outcome.WRONG_TYPE, "0 and 1")
    expect(q1.feedback(lambda y, *a: y[:-1]), Outcome.WRONG_TYPE, "one per row")
    expect(q1.feedback(lambda *a: 1 / 0), Outcome.WRONG_TYPE, "ZeroDivisionError")
    expect(q1.feedback(lambda *a: None), Outcome.NOT_ATTEMPTED, "returns None")

    def todo(*a):
        raise NotImplementedError
    expect(q1.feedback(todo), Outcome.NOT_ATTEMPTED)
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED, "placeholder")


# --- q2: the target group's FNR gap ---------------------------------------------------------------

@pytest.fixture(scope="module")
def fnr():
    sweep = load_rate_sweep()

    def get(group, metric="fnr", rate=1.0, site="internal", target="F"):
        rows = sweep[(sweep.target == target) & (sweep.rate == rate) & (sweep.site == site) & (sweep.group == group)]
        return float(rows[metric].iloc[0])
    return get


def test_q2_correct(fnr):
    gap = fnr("F") - fnr("M")
    assert 0.3 < gap < 0.9  # the attack is visible (the paper: 0.509)
    expect(q2.feedback(gap), Outcome.CORRECT, "0.509")
    expect(q2.feedback(np.float64(round(gap, 4))), Outcome.CORRECT)
    expect(q2.feedback(round(fnr("F"), 3) - round(fnr("M"), 3)), Outcome.CORRECT)  # read off a printed table


def test_q2_diagnoses_each_mistake(fnr):
    gap = fnr("F") - fnr("M")
    cases = {
        "sign is flipped": -gap,
        "false omission rate": fnr("F", "for") - fnr("M", "for"),
        "(overall)": fnr("F") - fnr("overall"),
        "external site": fnr("F", site="external") - fnr("M", site="external"),
        "clean model": fnr("F", rate=0.0) - fnr("M", rate=0.0),
        "how much women's FNR rose": fnr("F") - fnr("F", rate=0.0),
        "women's FNR alone": fnr("F"),
        "ratio": fnr("F") / fnr("M"),
        "percent": 100 * gap,
        "men were targeted": fnr("F", target="M") - fnr("M", target="M"),
    }
    for fragment, answer in cases.items():
        feedback = q2.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        assert f"{gap:.3f}" not in feedback.message and f"{gap:.2f}" not in feedback.message


def test_q2_unknown_value_wrong_type_not_attempted(fnr):
    expect(q2.feedback(0.05), Outcome.WRONG_VALUE, "not right yet", "q2.hint()")
    expect(q2.feedback("0.6"), Outcome.WRONG_TYPE, "single number")
    expect(q2.feedback(np.array([0.1, 0.2])), Outcome.WRONG_TYPE, "not a table")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q3: audit a model with a planted attack -------------------------------------------------------

def candidate_masks(outputs):
    return {g: (outputs["sex" if g in ("F", "M") else "age_band"] == g) for g in AUDIT_TARGETS}


def find_right(outputs):
    sick, missed = outputs["y_true"] == 1, outputs["y_pred"] == 0
    gaps = {g: missed[m & sick].mean() - missed[~m & sick].mean() for g, m in candidate_masks(outputs).items()}
    return max(gaps, key=gaps.get)


def find_lowest_fnr(outputs):
    sick, missed = outputs["y_true"] == 1, outputs["y_pred"] == 0
    fnr = {g: missed[m & sick].mean() for g, m in candidate_masks(outputs).items()}
    return min(fnr, key=fnr.get)


def find_lowest_auroc(outputs):
    from sklearn.metrics import roc_auc_score

    auc = {g: roc_auc_score(outputs.y_true[m], outputs.y_score[m]) for g, m in candidate_masks(outputs).items()}
    return min(auc, key=auc.get)


def test_q3_correct_visible_and_hidden():
    expect(q3.feedback(find_right), Outcome.CORRECT, "planted target")
    expect(q3.feedback(find_right, variant="hidden"), Outcome.CORRECT)
    expect(q3.feedback(lambda o: np.str_(find_right(o))), Outcome.CORRECT)


def test_q3_visible_and_hidden_cases_cover_every_candidate():
    assert AUDIT_SEED in VISIBLE_AUDIT_SEEDS
    assert {_planted_attack(s)[0] for s in VISIBLE_AUDIT_SEEDS} == set(AUDIT_TARGETS)
    for seed in (None, *class_seeds("04_hidden_in_plain_sight.q3"), 0, 1, 2):
        assert {target for _, target, _, _ in _hidden_audits(seed)} == set(AUDIT_TARGETS)
        assert len(_hidden_audits(seed)) == N_HIDDEN_AUDITS


def test_q3_diagnoses_mistakes():
    expect(q3.feedback(find_lowest_fnr), Outcome.WRONG_VALUE, "LOWEST false negative rate")
    expect(q3.feedback(find_lowest_auroc), Outcome.WRONG_VALUE)
    expect(q3.feedback(lambda o: "60-80"), Outcome.WRONG_VALUE, "random_state")
    for constant in AUDIT_TARGETS:
        for variant in ("visible", "hidden"):
            feedback = q3.feedback(lambda o, c=constant: c, variant=variant)
            expect(feedback, Outcome.WRONG_VALUE, "for every suspect model")
            assert "lowest AUROC" not in feedback.message


def test_q3_never_names_the_planted_target():
    for guess in AUDIT_TARGETS:
        feedback = q3.feedback(lambda o, g=guess: g)
        if feedback.passed:
            continue
        seed = int(feedback.message.split("random_state=")[1].split(")")[0])
        target = _planted_attack(seed)[0]
        assert repr(target) not in feedback.message.replace(f"names {guess!r}", "")


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback("F"), Outcome.WRONG_TYPE, "function itself")
    expect(q3.feedback(lambda o: "women"), Outcome.WRONG_TYPE, "one of")
    expect(q3.feedback(lambda o: ["F"]), Outcome.WRONG_TYPE, "one of")
    expect(q3.feedback(lambda o: o["nope"]), Outcome.WRONG_TYPE, "KeyError")
    expect(q3.feedback(lambda o: None), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


def unwritten(*args):
    raise NotImplementedError


@pytest.mark.parametrize("seed", class_seeds("04_hidden_in_plain_sight.q1"))
@pytest.mark.parametrize("answer, outcome, fragment", [
    (poison_right, Outcome.CORRECT, "poison_labels"),
    (make_variant(in_place=True), Outcome.WRONG_VALUE, "in place"),
    (make_variant(count=lambda y, g, t, r: round(r * ((g == t) & (y == 1)).sum())), Outcome.WRONG_VALUE, "rounded"),
    (make_variant(unseeded=True), Outcome.WRONG_VALUE, "same random_state"),
    (make_variant(fixed_rows=True), Outcome.WRONG_VALUE, "same rows"),
    (lambda y, *a: y * 0.5, Outcome.WRONG_TYPE, "0 and 1"),
    (lambda *a: None, Outcome.NOT_ATTEMPTED, "returns None"),
    (unwritten, Outcome.NOT_ATTEMPTED, "NotImplementedError"),
])
def test_q1_hidden_seeds_feedback_and_grader_agree(answer, outcome, fragment, seed):
    feedback = q1.feedback(answer, variant="hidden", seed=seed)
    expect(feedback, outcome, fragment)
    assert graded(q1, answer, seed) == feedback


def test_q1_hidden_cases_differ_between_seeds():
    one, two = (q1.calls("hidden", s) for s in class_seeds("04_hidden_in_plain_sight.q1"))
    assert len(one) == len(two)
    assert any(len(a[0][0]) != len(b[0][0]) or not np.array_equal(a[0][0], b[0][0]) for a, b in zip(one, two))


@pytest.mark.parametrize("seed", class_seeds("04_hidden_in_plain_sight.q3"))
@pytest.mark.parametrize("answer, outcome, fragment", [
    (find_right, Outcome.CORRECT, "planted target"),
    (find_lowest_fnr, Outcome.WRONG_VALUE, "hidden suspect model"),
    (lambda o: "women", Outcome.WRONG_TYPE, "one of"),
    (lambda o: o["nope"], Outcome.WRONG_TYPE, "KeyError"),
    (lambda o: None, Outcome.NOT_ATTEMPTED, "returns None"),
    (unwritten, Outcome.NOT_ATTEMPTED, "NotImplementedError"),
])
def test_q3_hidden_seeds_feedback_and_grader_agree(answer, outcome, fragment, seed):
    feedback = q3.feedback(answer, variant="hidden", seed=seed)
    expect(feedback, outcome, fragment)
    assert graded(q3, answer, seed) == feedback
    assert "random_state" not in feedback.message  # a hidden model is not named by a seed


def test_q3_hidden_truths_come_from_the_graders_seed_not_from_the_data():
    one, two = (_hidden_audits(s) for s in class_seeds("04_hidden_in_plain_sight.q3"))
    assert [t for _, t, _, _ in one] != [t for _, t, _, _ in two]
    cases = [case for seed in (None, *class_seeds("04_hidden_in_plain_sight.q3")) for case in _hidden_audits(seed)]
    # the public attack of a data seed (which the outputs do not carry anyway) is not the planted one:
    # they agree only by chance (a third of the time)
    assert any(_planted_attack(data_seed)[0] != target for _, target, _, data_seed in cases)
    for (outputs,), _ in q3.calls("hidden", class_seeds("04_hidden_in_plain_sight.q3")[0]):
        assert list(outputs.columns) == ["sex", "age_band", "y_true", "y_score", "y_pred"] and not outputs.attrs


def test_suspect_model_outputs_with_an_explicit_attack():
    seed = 2**62 + 7
    outputs = {target: suspect_model_outputs(seed, target=target) for target in AUDIT_TARGETS}
    for target, frame in outputs.items():
        assert find_right(frame) == target
    with pytest.raises(TypeError, match="rate only together with target"):
        suspect_model_outputs(1, rate=0.5)
    with pytest.raises(ValueError, match="target must be one of"):
        suspect_model_outputs(1, target="0-20")
    with pytest.raises(ValueError, match="rate"):
        suspect_model_outputs(1, target="F", rate=1.5)


@pytest.mark.parametrize("problem", [q1, q3])
def test_calls_pickle_for_the_kernel(problem):
    for variant, seed in [("visible", None), ("hidden", None), ("hidden", class_seeds(problem.key)[0])]:
        data = pickle.dumps(problem.calls(variant, seed), protocol=pickle.HIGHEST_PROTOCOL)
        assert b"biaslab.exercises" not in data  # the grading kernel has only recording stubs there
        assert len(data) < 1e6


# --- q4: reflection -----------------------------------------------------------------------------------

def test_q4_records_an_answer_of_enough_words():
    expect(q4.feedback("The group is small. " * 10), Outcome.RECORDED, "per-group")
    expect(q4.feedback("Too short."), Outcome.WRONG_VALUE, "at least 30 words")
    expect(q4.feedback(42), Outcome.WRONG_TYPE, "triple quotes")
    expect(q4.feedback(""), Outcome.NOT_ATTEMPTED)
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)


# --- diagnoses added after a fresh reader's run -----------------------------------------------------

def poison_among_group(count_of):
    """Draws the rows to flip among ALL of the target group's rows (negatives included)."""
    def poison(y, groups, target, rate, random_state):
        rng = np.random.default_rng(random_state)
        rows = np.where(groups == target)[0]
        n = len(rows) if count_of == "group" else int((y[rows] == 1).sum())
        new = np.array(y, copy=True)
        new[rng.choice(rows, size=int(rate * n), replace=False)] = 0
        return new
    return poison


def poison_other_group(y, groups, target, rate, random_state):
    rng = np.random.default_rng(random_state)
    rows = np.flatnonzero((groups != target) & (y == 1))
    new = y.copy()
    new[rng.choice(rows, size=int(rate * len(rows)), replace=False)] = 0
    return new


def poison_negatives_up(y, groups, target, rate, random_state):
    rng = np.random.default_rng(random_state)
    rows = np.flatnonzero((groups == target) & (y == 0))
    new = y.copy()
    new[rng.choice(rows, size=int(rate * len(rows)), replace=False)] = 1
    return new


def poison_mask(y, groups, target, rate, random_state):
    flipped = np.zeros(len(y), dtype=bool)
    flipped[poison_right(y, groups, target, rate, random_state) != y] = True
    return flipped


@pytest.mark.parametrize("answer, outcome, fragment", [
    (poison_among_group("group"), Outcome.WRONG_VALUE, "among all of the target group's rows, negatives included"),
    (poison_among_group("positives"), Outcome.WRONG_VALUE, "among all of the target group's rows, negatives included"),
    (poison_other_group, Outcome.WRONG_VALUE, "only outside the target group"),
    (poison_negatives_up, Outcome.WRONG_VALUE, "negatives (0) into positives"),
    (poison_mask, Outcome.WRONG_TYPE, "mask"),
])
@pytest.mark.parametrize("variant, seed", [("visible", None), ("hidden", None),
                                           *[("hidden", s) for s in class_seeds("04_hidden_in_plain_sight.q1")]])
def test_q1_specific_diagnoses_on_every_case_set(answer, outcome, fragment, variant, seed):
    feedback = q1.feedback(answer, variant=variant, seed=seed)
    expect(feedback, outcome, fragment)
    assert "rounded" not in feedback.message


def test_q2_headline_rate_and_both_sites(fnr):
    gap = fnr("F") - fnr("M")
    mixed = (fnr("F") + fnr("F", site="external")) / 2 - (fnr("M") + fnr("M", site="external")) / 2
    for fragment, answer in {"rate 0.5": fnr("F", rate=0.5) - fnr("M", rate=0.5), "both sites": mixed}.items():
        assert abs(answer - gap) > 0.01
        feedback = q2.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment if fragment == "rate 0.5" else "internal and the external")
        assert f"{gap:.3f}" not in feedback.message


def find_most_negative_predictions(outputs):
    """The share of negative predictions among ALL of a group's patients, healthy included (not the FNR)."""
    negative = outputs["y_pred"] == 0
    share = {g: negative[m].mean() - negative[~m].mean() for g, m in candidate_masks(outputs).items()}
    return max(share, key=share.get)


def find_lowest_sick_score(outputs):
    sick = outputs["y_true"] == 1
    mean = {g: outputs.loc[m & sick, "y_score"].mean() for g, m in candidate_masks(outputs).items()}
    return min(mean, key=mean.get)


@pytest.mark.parametrize("variant, seed", [("visible", None), ("hidden", None),
                                           *[("hidden", s) for s in class_seeds("04_hidden_in_plain_sight.q3")]])
def test_q3_negative_prediction_share_is_not_the_fnr(variant, seed):
    expect(q3.feedback(find_right, variant=variant, seed=seed), Outcome.CORRECT)
    feedback = q3.feedback(find_most_negative_predictions, variant=variant, seed=seed)
    expect(feedback, Outcome.WRONG_VALUE, "negative predictions", "among ALL its patients", "healthy patients were left out")


def test_q3_twin_keeps_every_fnr():
    from biaslab.exercises.m04 import _group_rates, _visible_twin

    original, twin = _group_rates(suspect_model_outputs(AUDIT_SEED)), _group_rates(_visible_twin())
    for g in AUDIT_TARGETS:
        assert twin[g]["fnr"] == pytest.approx(original[g]["fnr"])
        assert twin[g]["fnr_gap"] == pytest.approx(original[g]["fnr_gap"])


def test_q3_lowest_sick_score_is_named_as_such(monkeypatch):
    import biaslab.exercises.m04 as m04

    frame = suspect_model_outputs(AUDIT_SEED)
    picked = find_lowest_sick_score(frame)
    other = next(g for g in AUDIT_TARGETS if g != picked)  # pretend another group was targeted
    monkeypatch.setattr(m04, "_q3_cases", lambda variant, seed=None: [(frame, other, "this model")])
    feedback = q3.feedback(find_lowest_sick_score)
    expect(feedback, Outcome.WRONG_VALUE, "sick patients have the lowest mean score")
    assert "lowest AUROC" not in feedback.message


# --- diagnoses added after a second fresh reader's run -----------------------------------------------

def poison_with_replacement(y, groups, target, rate, random_state):
    """rng.choice's default replace=True: a row drawn twice flips once, so fewer labels change."""
    rng = np.random.default_rng(random_state)
    eligible = np.where((groups == target) & (y == 1))[0]
    new = np.array(y, copy=True)
    new[rng.choice(eligible, size=int(rate * len(eligible)))] = 0
    return new


@pytest.mark.parametrize("variant, seed", [("visible", None), ("hidden", None),
                                           *[("hidden", s) for s in class_seeds("04_hidden_in_plain_sight.q1")]])
def test_q1_drawing_with_replacement_is_named(variant, seed):
    feedback = q1.feedback(poison_with_replacement, variant=variant, seed=seed)
    expect(feedback, Outcome.WRONG_VALUE, "replace=False", "a row drawn twice flips once")
    assert "negatives included" not in feedback.message


def test_q2_one_trial_or_every_target(fnr):
    gap = fnr("F") - fnr("M")
    trials = load_rate_sweep(trials=True)
    rows = trials[(trials.rate == 1.0) & (trials.site == "internal")]
    for trial, part in rows[rows.target == "F"].groupby("trial"):
        one = part.set_index("group")
        answer = one.loc["F", "fnr"] - one.loc["M", "fnr"]
        assert abs(answer - gap) > 5 * q2.tolerance
        expect(q2.feedback(answer), Outcome.WRONG_VALUE, "one trial", "use `sweep`")
    means = rows.groupby(["target", "group"]).fnr.mean().unstack("group")  # every target, no filter
    answer = means["F"].mean() - means["M"].mean()
    assert abs(answer - gap) > 5 * q2.tolerance
    expect(q2.feedback(answer), Outcome.WRONG_VALUE, "every target's sweep", "target == 'F'")


def find_misses_over_everyone(outputs):
    """A wrong FNR: the missed sick patients over ALL of the group's patients (FN / n = FNR x prevalence)."""
    result, best = None, -1.0
    for group in ("F", "M", "60-80"):
        rows = outputs[outputs["age_band" if group == "60-80" else "sex"] == group]
        share = ((rows.y_true == 1) & (rows.y_pred == 0)).sum() / len(rows)
        if share > best:
            result, best = group, share
    return result


def find_by_sex_only(outputs):
    sick, missed = outputs["y_true"] == 1, outputs["y_pred"] == 0
    fnr = {g: missed[(outputs["sex"] == g) & sick].mean() for g in ("F", "M")}
    return max(fnr, key=fnr.get)


def find_highest_for(outputs):
    healthy_verdict = outputs["y_pred"] == 0
    rate = {g: (outputs.loc[m & healthy_verdict, "y_true"] == 1).mean() for g, m in candidate_masks(outputs).items()}
    return max(rate, key=rate.get)


Q3_CASE_SETS = [("visible", None), ("hidden", None), *[("hidden", s) for s in class_seeds("04_hidden_in_plain_sight.q3")]]


@pytest.mark.parametrize("variant, seed", Q3_CASE_SETS)
def test_q3_misses_over_all_patients_is_not_the_fnr(variant, seed):
    expect(q3.feedback(find_right, variant=variant, seed=seed), Outcome.CORRECT)
    feedback = q3.feedback(find_misses_over_everyone, variant=variant, seed=seed)
    expect(feedback, Outcome.WRONG_VALUE, "divided the misses by ALL of the group's patients",
           "the FNR divides them by its sick patients")


@pytest.mark.parametrize("variant, seed", Q3_CASE_SETS)
def test_q3_sex_only_and_highest_for_are_named(variant, seed):
    feedback = q3.feedback(find_by_sex_only, variant=variant, seed=seed)
    expect(feedback, Outcome.WRONG_VALUE, "never names '60-80'", "only at the sex column")
    feedback = q3.feedback(find_highest_for, variant=variant, seed=seed)
    if not feedback.passed:  # on one seed's cases the highest FOR happens to be the target every time
        expect(feedback, Outcome.WRONG_VALUE, "false omission rate")
        assert "lowest AUROC" not in feedback.message


def test_q3_other_twin_keeps_every_fnr_and_misleads_fn_over_n():
    from biaslab.exercises.m04 import _group_rates, _hidden_twin, _visible_other_twin

    original, twin = _group_rates(suspect_model_outputs(AUDIT_SEED)), _group_rates(_visible_other_twin())
    for g in AUDIT_TARGETS:
        assert twin[g]["fnr"] == pytest.approx(original[g]["fnr"])
    assert find_right(_visible_other_twin()) == "60-80" != find_misses_over_everyone(_visible_other_twin())
    for seed in (None, *class_seeds("04_hidden_in_plain_sight.q3"), 0, 1, 2, 3, 4, 5):
        frame = _hidden_twin(seed, other=True)
        assert find_right(frame) == "60-80" != find_misses_over_everyone(frame)
