"""Module 07's problems, each tested correct, wrong (every diagnosed mistake), wrong type and not attempted."""

import numpy as np
import pytest
import torch

from biaslab.exercises import Outcome
from biaslab.exercises.m07 import CLEAN_ACC_BUDGET, METHOD_NAMES, q1, q2, q3, q4
from biaslab.experiments.from_hope_to_safety import load_clarc_results, summarise_clarc
from biaslab.mitigations import rr_penalty


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


@pytest.fixture(scope="module")
def summary():
    return summarise_clarc(load_clarc_results())


# --- q1: the penalty -----------------------------------------------------------------------------

def penalty(gradients, cav):
    h = cav / np.linalg.norm(cav)
    return np.mean((gradients @ h) ** 2)


def test_q1_correct_numpy_torch_and_the_library():
    expect(q1.feedback(penalty), Outcome.CORRECT, "orthogonal")
    expect(q1.feedback(penalty, variant="hidden"), Outcome.CORRECT)
    # the library's rr_penalty with a unit CAV, and a torch implementation, pass too
    expect(q1.feedback(lambda g, c: rr_penalty(g, c / np.linalg.norm(c))), Outcome.CORRECT)

    def torch_penalty(gradients, cav):
        g, c = torch.as_tensor(gradients), torch.as_tensor(cav)
        return ((g @ (c / c.norm())) ** 2).mean()

    expect(q1.feedback(torch_penalty, variant="hidden"), Outcome.CORRECT)


MISTAKES = {
    "not normalised": lambda g, c: np.mean((g @ c) ** 2),
    "summed over the batch": lambda g, c: np.sum((g @ (c / np.linalg.norm(c))) ** 2),
    "Two things": lambda g, c: np.sum((g @ c) ** 2),
    "square is missing": lambda g, c: np.mean(g @ (c / np.linalg.norm(c))),
    "|g . h|": lambda g, c: np.mean(np.abs(g @ (c / np.linalg.norm(c)))),
    "squared the mean": lambda g, c: np.mean(g @ (c / np.linalg.norm(c))) ** 2,
    "square root": lambda g, c: np.sqrt(np.mean((g @ (c / np.linalg.norm(c))) ** 2)),
    "element-wise": lambda g, c: np.mean((g * (c / np.linalg.norm(c))) ** 2),
    "squared length": lambda g, c: np.mean((g @ c / (c @ c)) ** 2),
}


@pytest.mark.parametrize("fragment", list(MISTAKES))
def test_q1_diagnoses_each_mistake(fragment):
    for variant in ("visible", "hidden"):
        expect(q1.feedback(MISTAKES[fragment], variant=variant), Outcome.WRONG_VALUE, fragment)


def test_q1_other_wrong_answers_type_and_not_attempted():
    feedback = q1.feedback(lambda g, c: 2 * penalty(g, c) + 1)
    expect(feedback, Outcome.WRONG_VALUE, "not the penalty")
    expect(q1.feedback(lambda g, c: (g @ (c / np.linalg.norm(c))) ** 2), Outcome.WRONG_TYPE, "one number")
    expect(q1.feedback(lambda g, c: "zero"), Outcome.WRONG_TYPE, "one number")
    expect(q1.feedback(0.5), Outcome.WRONG_TYPE, "function itself")
    expect(q1.feedback(lambda g, c: g.nope), Outcome.WRONG_TYPE, "AttributeError")
    # a shape error names the shapes the function was handed, so the learner sees which operand is which
    expect(q1.feedback(lambda g, c: float(np.mean((c @ g) ** 2))), Outcome.WRONG_TYPE, "ValueError on test case 1",
           "a numpy array of shape (3, 2), a numpy array of shape (2,)")
    expect(q1.feedback(lambda g, c: None), Outcome.NOT_ATTEMPTED)
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED)

    def unwritten(g, c):
        raise NotImplementedError

    expect(q1.feedback(unwritten), Outcome.NOT_ATTEMPTED)


def test_q1_messages_never_show_the_expected_value():
    for variant in ("visible", "hidden"):
        for args, _ in q1.cases(variant):
            value = penalty(*args)
            for wrong in MISTAKES.values():
                message = q1.feedback(wrong, variant=variant).message
                assert f"{value:.4g}" not in message and f"{value:.3f}" not in message


# --- q2: choose lambda -----------------------------------------------------------------------------

def rule(summary, budget=CLEAN_ACC_BUDGET, reference="vanilla"):
    rr = summary[summary.method == "rr_clarc"]
    floor = summary.loc[summary.method == reference, "clean_acc_mean"].item() - budget
    ok = rr[rr.clean_acc_mean >= floor]
    return float(ok.loc[ok.attacked_acc_mean.idxmax(), "lam"])


def test_q2_correct(summary):
    best = rule(summary)
    expect(q2.feedback(best), Outcome.CORRECT, "within a point")
    expect(q2.feedback(np.float64(best)), Outcome.CORRECT)
    expect(q2.feedback(int(best) if best == int(best) else best), Outcome.CORRECT)


def test_q2_the_rule_picks_an_interior_lambda(summary):
    """The shipped grid shows a real trade-off: the right answer is neither end of the grid."""
    rr = summary[summary.method == "rr_clarc"].sort_values("lam")
    best = rule(summary)
    assert rr.lam.min() < best < rr.lam.max()
    # the strongest lambda is better on the attacked set but breaks the clean-accuracy budget
    vanilla = summary.loc[summary.method == "vanilla", "clean_acc_mean"].item()
    assert rr.clean_acc_mean.iloc[-1] < vanilla - CLEAN_ACC_BUDGET
    assert rr.attacked_acc_mean.max() > rr.loc[rr.lam == best, "attacked_acc_mean"].item()


def test_q2_diagnoses_mistakes(summary):
    best = rule(summary)
    rr = summary[summary.method == "rr_clarc"]
    top = float(rr.loc[rr.attacked_acc_mean.idxmax(), "lam"])
    expect(q2.feedback(top), Outcome.WRONG_VALUE, "check the constraint first")
    lowest_tcav = float(rr.loc[rr.tcav_sensitivity_mean.idxmin(), "lam"])
    if lowest_tcav not in (best, top):
        expect(q2.feedback(lowest_tcav), Outcome.WRONG_VALUE, "TCAV")
    # the lambda a comparison with the original model picks: just outside the budget, said as such first
    original = rule(summary, reference="original")
    if original not in (best, top):
        expect(q2.feedback(original), Outcome.WRONG_VALUE, "more than 1 point below Vanilla's", "If you compared")
    loose = rule(summary, budget=0.1)
    if loose not in (best,):
        assert q2.feedback(loose).outcome is Outcome.WRONG_VALUE
    # a lambda within the budget but not the best, and one outside it
    floor = summary.loc[summary.method == "vanilla", "clean_acc_mean"].item() - CLEAN_ACC_BUDGET
    inside = rr[(rr.clean_acc_mean >= floor) & (rr.lam != best)]
    messages = [q2.feedback(float(v)).message for v in inside.lam]
    assert messages and all(q2.feedback(float(v)).outcome is Outcome.WRONG_VALUE for v in inside.lam)
    assert any("another lambda within it" in m for m in messages)
    for message in messages:
        assert f"{best:g}" not in message.replace(f"lambda={float(inside.lam.iloc[0]):g}", "")


def test_q2_wrong_type_and_not_attempted():
    expect(q2.feedback(12345.0), Outcome.WRONG_TYPE, "not one of the lambdas")
    expect(q2.feedback("1e3"), Outcome.WRONG_TYPE, "number")
    expect(q2.feedback(True), Outcome.WRONG_TYPE, "number")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q3: which method ------------------------------------------------------------------------------

def test_q3_correct_and_wrong(summary):
    best = summary.groupby("method")["attacked_acc_mean"].max().reindex(list(METHOD_NAMES)).idxmax()
    name = METHOD_NAMES[best]
    expect(q3.feedback(name), Outcome.CORRECT, "clean test set")
    expect(q3.feedback(name.lower().replace("-", "_")), Outcome.CORRECT)
    expect(q3.feedback(f"  {name.upper()} "), Outcome.CORRECT)
    for code, other in METHOD_NAMES.items():
        if code != best:
            feedback = q3.feedback(other)
            expect(feedback, Outcome.WRONG_VALUE)
            assert name not in feedback.message
    expect(q3.feedback("Vanilla") if best != "vanilla" else q3.feedback("P-ClArC"), Outcome.WRONG_VALUE)


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback(3), Outcome.WRONG_TYPE, "string")
    expect(q3.feedback("retraining"), Outcome.WRONG_TYPE, "not one of the methods")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q4: reflection --------------------------------------------------------------------------------

def test_q4_records_a_long_enough_answer():
    expect(q4.feedback("too short"), Outcome.WRONG_VALUE, "at least")
    long = " ".join(["word"] * 45)
    feedback = q4.feedback(long)
    assert feedback.outcome is Outcome.RECORDED and not feedback.passed and "one direction" in feedback.message
    expect(q4.feedback(42), Outcome.WRONG_TYPE)
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)
