"""The grader's side without nbgrader: plain-data records in, verdicts out, nothing of the student's run.

Hostile records (malformed, forged, oversized, objects pretending to be numbers) give a clear
verdict and never an exception; the objects a locked cell makes (a model, its predictions) are
recomputed by the grader instead of being read from the record.
"""

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biaslab.exercises import Outcome
from biaslab.exercises._plain import DecodeError, Opaque, Raised, Returned, decode, encode, run_calls
from biaslab.exercises.m02 import q1 as fpr_by_group, q2 as eo_age
from biaslab.grading import hidden_seed

# --- the codec ---------------------------------------------------------------------------------

plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**60, 2**60) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_plain_values_come_back_equal(value):
    assert decode(encode(value)) == value


def test_arrays_series_and_frames_come_back_equal():
    arr = np.arange(12, dtype=float).reshape(3, 4)
    arr[0, 0] = np.nan
    back = decode(encode(arr))
    assert back.shape == (3, 4) and np.array_equal(back, arr, equal_nan=True)
    s = pd.Series([0.1, 0.2], index=["a", "b"], name="fpr")
    pd.testing.assert_series_equal(decode(encode(s)), s, check_index_type=False)
    f = pd.DataFrame({"x": [1, 2], "y": ["u", "v"]})
    back = decode(encode(f))
    assert list(back.columns) == ["x", "y"] and back["x"].tolist() == [1, 2] and back["y"].tolist() == ["u", "v"]


def test_objects_that_pretend_are_opaque_or_their_plain_value():
    class Anything:
        def __eq__(self, other):
            return True

    class Sticky(float):
        def __eq__(self, other):
            return True

    assert decode(encode(Anything())) == Opaque("Anything")
    back = decode(encode(Sticky(0.25)))
    assert type(back) is float and back == 0.25 and back != 0.5


@pytest.mark.parametrize("record", [
    {"t": "float", "v": "1e400x"}, {"t": "int", "v": 1.5}, {"t": "ndarray", "k": "i", "shape": [3], "v": [1, 2]},
    {"t": "ndarray", "k": "O", "shape": [1], "v": [{"t": "nope"}]}, {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},
    {"t": "series", "index": {"t": "ndarray", "k": "O", "shape": [2], "v": []}, "v": {}}, "not a dict", {"t": 3},
])
def test_malformed_records_raise_decode_error(record):
    with pytest.raises(DecodeError):
        decode(record)


def test_too_large_or_deep_answers_are_refused():
    assert encode(np.zeros(3_000_000))["t"] == "opaque"
    deep = []
    for _ in range(30):
        deep = [deep]
    assert encode(deep)["t"] == "opaque"


def test_run_calls_records_errors_timeouts_and_exits():
    import os
    import time

    outputs = run_calls(lambda x: 1 / x, [((1,), {}), ((0,), {})])
    assert outputs[0] == Returned(1.0) and outputs[1].name == "ZeroDivisionError"
    assert run_calls(lambda: time.sleep(5), [((), {})], timeout=0.5)[0].name == "TimeoutError"
    assert run_calls(lambda: os._exit(3), [((), {}), ((), {})])[1] == Raised(
        "ProcessExit", "the function ended its process before returning")


# --- verdicts from records -----------------------------------------------------------------------

def value_record(answer, **context):
    return {"kind": "value", "variant": "visible", "answer": encode(answer),
            "context": {k: encode(v) for k, v in context.items()}}


@pytest.mark.parametrize("record", [
    None, [], {"kind": "value"}, {"kind": "value", "answer": {"t": "float", "v": [1]}},
    {"kind": "function", "outputs": "x"}, {"kind": "value", "variant": "elsewhere", "answer": {"t": "float", "v": 1.0}},
    {"kind": "value", "answer": {"t": "float", "v": 1.0}, "context": "x"},
])
def test_hostile_records_get_a_verdict_not_an_exception(record):
    for problem in (eo_age, fpr_by_group):
        feedback = problem.decide(record)
        assert feedback.outcome in (Outcome.WRONG_TYPE, Outcome.NOT_ATTEMPTED), (problem.key, record)


def test_a_function_problem_needs_every_output():
    from biaslab.exercises._plain import run_calls_raw

    def right(y_true, y_pred, groups):
        frame = pd.DataFrame({"y": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
        return frame[frame.y == 0].groupby("g").p.mean()

    seed = hidden_seed(b"s" * 32, fpr_by_group.key)
    outputs = run_calls_raw(right, fpr_by_group.calls("hidden", seed))
    record = {"kind": "function", "variant": "hidden", "outputs": outputs}
    assert fpr_by_group.decide(record, seed=seed).passed
    assert not fpr_by_group.decide({**record, "outputs": outputs[:-1]}, seed=seed).passed
    # the same outputs judged against another course's hidden cases are wrong
    assert not fpr_by_group.decide(record, seed=hidden_seed(b"t" * 32, fpr_by_group.key)).passed
    assert fpr_by_group.decide({"kind": "not_callable", "type": "float"}).outcome is Outcome.WRONG_TYPE
    assert fpr_by_group.decide({"kind": "placeholder"}).outcome is Outcome.NOT_ATTEMPTED


def test_numbers_outside_the_record_are_never_trusted_as_numbers():
    assert eo_age.decide(value_record("0.5")).outcome is Outcome.WRONG_TYPE
    assert eo_age.decide({"kind": "value", "answer": {"t": "opaque", "type": "Anything"}}).outcome \
        is Outcome.WRONG_TYPE
    assert not math.isnan(0.0) and eo_age.decide(value_record(float("nan"))).outcome is Outcome.WRONG_TYPE


def _source_key(exercise):
    from biaslab.course import load_curriculum, source_dir
    from biaslab.exercises._keys import notebook_keys

    module_id = exercise.rsplit(".", 1)[0]
    return notebook_keys(source_dir() / load_curriculum().module(module_id).notebook, module_id)[exercise]


def test_the_grader_recomputes_what_locked_cells_make():
    """All-zero predictions make a discrimination score of 0 'right' for a check that trusts them; the
    grader recomputes the notebook's predictions, and the key says which predictions its value is for."""
    from biaslab.exercises import m01, m05

    key = _source_key("01_bias_in_bias_out.q2")
    zeros = np.zeros_like(m01._agency_predictions())
    in_kernel = m01.q2.feedback(0.0, predictions=zeros, key=key)  # the workbook's check names the predictions
    assert in_kernel.outcome is Outcome.WRONG_TYPE and "not those of the notebook's model" in in_kernel.message
    assert not m01.q2.decide(value_record(0.0, predictions=zeros), key=key).passed
    from biaslab.metrics import discrimination_score

    right = discrimination_score(m01._agency_predictions(), sensitive_features=m01._sex("test").to_numpy(),
                                 favoured="Male")
    assert m01.q2.decide(value_record(right, predictions=zeros), key=key).passed
    assert m01.q2.decide(value_record(right, predictions=zeros)).outcome is Outcome.RECORDED  # no key: no verdict
    # module 05: a model does not travel as plain data; the grader uses the clinic's model
    from biaslab.robustness import counterfactual_flip_rate

    key = _source_key("05_robustness.q1")
    rate = counterfactual_flip_rate(m05._clinic_model(), m05._heart_split()[2], column="sex").rate
    assert m05.q1.decide(value_record(rate, model=Opaque("TabularModel")), key=key).passed
    assert not m05.q1.decide(value_record(0.0, model=Opaque("TabularModel")), key=key).passed


def test_the_grader_never_answers_an_output_widget():
    """nbclient's stand-in for an Output widget sends comm messages on the shell channel while it waits
    there for a cell's reply, which can stall a graded cell for the whole timeout (nbclient issue 312)."""
    from nbclient import NotebookClient

    from biaslab.grading._verdicts import SandboxedExecute

    msg = {"content": {"comm_id": "c1", "data": {"state": {"_model_module": "@jupyter-widgets/output",
                                                           "_model_name": "OutputModel"}}}}
    assert NotebookClient.on_comm_open_jupyter_widget.__name__  # nbclient still has the hook we override
    assert SandboxedExecute().on_comm_open_jupyter_widget(msg) is None


def test_a_keyed_exercise_without_its_key_stops_grading_instead_of_scoring_zero():
    """A course folder with source notebooks from before the keys left the package must not grade a class 0."""
    import nbformat
    from traitlets.config import Config

    from biaslab.grading._verdicts import DecideVerdicts, MissingAnswerKey

    cell = nbformat.v4.new_code_cell("q4.assert_passed(criteria)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "q4", "locked": True, "points": 2, "solution": False,
                                 "schema_version": 3, "task": False}
    nb = nbformat.v4.new_notebook(cells=[cell])
    config = Config()
    config.CourseDirectory.root = str(Path(tempfile.mkdtemp()))
    resources = {"nbgrader": {"notebook": "02_measuring_fairness", "assignment": "02_measuring_fairness"}}
    with pytest.raises(MissingAnswerKey, match="q4 has no '# answer key:' line"):
        DecideVerdicts(config=config).preprocess(nb, resources)


def test_bad_arguments_get_clear_errors(tmp_path):
    from biaslab.grading import course_secret

    with pytest.raises(TypeError, match="fn must be a function"):
        run_calls(3, [((), {})])
    with pytest.raises(TypeError, match="calls must be a list of"):
        run_calls(abs, [1, 2])
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        run_calls(abs, [((1,), {})], timeout=0)
    with pytest.raises(TypeError, match="root must be the course folder"):
        course_secret(42)
    with pytest.raises(TypeError, match="secret must be bytes"):
        hidden_seed("text", "a.q1")
    secret = course_secret(tmp_path)
    assert secret == course_secret(tmp_path) and len(secret) >= 32  # made once, then read back
    assert oct((tmp_path / ".biaslab" / "course_secret").stat().st_mode & 0o777) == "0o600"


def _secret_of(root):
    from biaslab.grading import course_secret

    return course_secret(root)


def test_workers_starting_at_once_share_one_course_secret(tmp_path, monkeypatch):
    # grading workers of a fresh course start together; before the secret was written atomically,
    # one of them read a half-written file or met FileExistsError and its student failed to grade
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.delenv("BIASLAB_COURSE_SECRET", raising=False)
    for trial in range(5):
        root = tmp_path / f"course{trial}"
        root.mkdir()
        with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
            secrets = list(pool.map(_secret_of, [root] * 8))
        assert len(set(secrets)) == 1 and len(secrets[0]) >= 32
        assert sorted(p.name for p in (root / ".biaslab").iterdir()) == ["course_secret"]  # no temp file left


def test_the_runner_names_arguments_changed_in_place():
    def sorts_in_place(values, frame, *, weights):
        values.sort()
        weights.append(1)
        return 3

    def leaves_them(values, frame, *, weights):
        return float(np.sum(values)) + len(frame) + len(weights)

    calls = [(([3, 1, 2], pd.DataFrame({"a": [1, 2]})), {"weights": [0]})]
    assert run_calls(sorts_in_place, calls) == [Returned(3, (0, "weights"))]
    assert run_calls(leaves_them, calls) == [Returned(9.0)]

    def adds_a_column(values, frame, *, weights):
        frame["b"] = 0
        return None

    assert run_calls(adds_a_column, calls)[0].changed == (1,)
    # the record is plain data: a changed list that is not one is malformed
    from biaslab.exercises._plain import decode_output

    with pytest.raises(DecodeError):
        decode_output({"ok": 1, "changed": [{"x": 1}]})
