"""The grader's view of a function exercise's hidden cases, shared by the module tests."""

import json
import pickle

from biaslab.exercises._plain import run_calls_raw
from biaslab.grading import hidden_seed


def class_seeds(key):
    """Two classes' hidden seeds of problem ``key``, as their graders derive them from two course secrets."""
    return tuple(hidden_seed(secret.ljust(32, b"."), key) for secret in (b"one", b"two"))


def graded(problem, answer, seed):
    """The grader's verdict: the hidden calls pickled to a kernel, run there, decided from the plain record."""
    calls = pickle.loads(pickle.dumps(problem.calls("hidden", seed)))
    record = {"kind": "function", "variant": "hidden", "outputs": run_calls_raw(answer, calls)}
    return problem.decide(json.loads(json.dumps(record)), seed=seed)
