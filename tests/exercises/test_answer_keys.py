"""Answer keys of the judgement and number exercises: in the source notebooks only, never in the package.

A check with its key (the workbook, the grader) decides; without one (a class student's own
server) it validates the form, records and never says whether the answer is right.
"""

import importlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

import biaslab
from biaslab.course import build_workbook, load_curriculum, source_dir
from biaslab.exercises import KeyedProblem, NumberProblem, Outcome
from biaslab.exercises import _keys
from biaslab.exercises._keys import AnswerKeyError, parse_key, parse_keys, strip_keys
from biaslab.exercises._plain import encode

MODULES = [m for m in load_curriculum().modules if (source_dir() / m.notebook).is_file()]


def keyed_problems() -> dict:
    out = {}
    for module in MODULES:
        mod = importlib.import_module(f"biaslab.exercises.{module.package}")
        out.update({p.key: p for p in vars(mod).values() if isinstance(p, KeyedProblem)})
    return out


PROBLEMS = keyed_problems()


def right_answer(key):
    if isinstance(key, dict) and "value" in key:  # a number, with fingerprints of what it is right for
        return key["value"]
    if isinstance(key, dict) and "answers" in key:
        return {context: (fits[0] if isinstance(fits, list) else fits) for context, fits in key["answers"].items()}
    if isinstance(key, dict) and "evidence" in key:
        return set(key["evidence"])
    return key


def wrong_answer(exercise, key):
    """An answer of the right form that the key rejects."""
    problem = PROBLEMS[exercise]
    if isinstance(problem, NumberProblem):  # a plausible number, in range, that no mistake explains
        right = right_answer(key)
        return right * 0.83 + 0.011
    if isinstance(key, dict) and "answers" in key:
        from biaslab.exercises.m02 import CRITERIA
        from biaslab.exercises.m08 import MITIGATION_CHOICES
        from biaslab.exercises.m09 import AI_ACT_TIERS

        right = right_answer(key)
        context = sorted(right)[0]
        choices = {"02": CRITERIA, "08": MITIGATION_CHOICES, "09": AI_ACT_TIERS}[exercise[:2]]
        return {**right, context: next(c for c in choices if c not in key["answers"][context])}
    if isinstance(key, dict) and "evidence" in key:
        return {"A", "B", "C", "D", "E"}
    if exercise == "07_unlearning_bias.q2":
        from biaslab.experiments.from_hope_to_safety import load_clarc_results, summarise_clarc

        summary = summarise_clarc(load_clarc_results())
        return float(summary[summary.method == "rr_clarc"].lam.max())
    return {"05_robustness.q3": "standard", "07_unlearning_bias.q3": "Vanilla"}[exercise]


def test_key_lines_parse_and_leave_the_rest_of_the_cell():
    source = 'q4.assert_passed(x)\n### BEGIN HIDDEN TESTS\n  # answer key: {"A": ["b", 1]}\n### END HIDDEN TESTS'
    assert parse_keys(source) == [{"A": ["b", 1]}] and parse_key(source) == {"A": ["b", 1]}
    assert strip_keys(source) == "q4.assert_passed(x)\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"
    assert parse_key("q1.assert_passed(x)") is None and strip_keys("q1.assert_passed(x)") == "q1.assert_passed(x)"
    assert strip_keys('# answer key: "z"') == ""
    with pytest.raises(AnswerKeyError, match="not JSON"):
        parse_keys("# answer key: {A: 1}")
    with pytest.raises(AnswerKeyError, match="2 answer key lines"):
        parse_key('# answer key: 1\n# answer key: 2')


def test_every_judgement_exercise_has_its_key_in_the_source_and_none_in_the_package(source_keys):
    assert set(PROBLEMS) == set(source_keys)
    numbers = {"00_welcome.q1", "01_bias_in_bias_out.q1", "01_bias_in_bias_out.q2", "02_measuring_fairness.q2",
               "02_measuring_fairness.q3", "03_where_bias_comes_from.q1", "04_hidden_in_plain_sight.q2",
               "05_robustness.q1", "06_concepts_and_trust.q1", "08_mitigating_tabular_bias.q1"}
    assert numbers <= set(PROBLEMS)
    assert {"02_measuring_fairness.q4", "05_robustness.q3", "06_concepts_and_trust.q4", "07_unlearning_bias.q2",
            "07_unlearning_bias.q3", "08_mitigating_tabular_bias.q3", "09_accountability_and_capstone.q1"} \
        <= set(PROBLEMS)
    # no key line of the package's files parses (the docs show a placeholder), no module holds a key
    for path in sorted(Path(biaslab.__file__).parent.rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(_keys.KEY_PREFIX):
                with pytest.raises(AnswerKeyError):
                    parse_keys(line)
    for exercise, key in source_keys.items():
        module = importlib.import_module(type(PROBLEMS[exercise]).__module__)
        right = right_answer(key)
        for name, value in vars(module).items():
            if not isinstance(value, (dict, list, tuple, set, frozenset, str, int, float)):
                continue
            assert value != key and value != right, (exercise, name)
            if isinstance(value, dict) and isinstance(right, dict):
                assert {k: value.get(k) for k in right} != right, (exercise, name)


@pytest.fixture
def no_handed_keys():
    """No key handed in with use_keys, for the test only (whatever order other fixtures run in)."""
    saved = list(_keys._HANDED)
    _keys._HANDED.clear()
    yield
    _keys._HANDED[:] = saved


@pytest.fixture
def no_keys(monkeypatch, tmp_path, home, no_handed_keys):
    """A class student's server: no key handed in, no workbook."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(_keys.KEYS_ENV, raising=False)


@pytest.mark.parametrize("exercise", sorted(PROBLEMS))
def test_without_a_key_the_check_records_and_does_not_claim_correct(exercise, source_keys, no_keys, capsys):
    problem, key = PROBLEMS[exercise], source_keys[exercise]
    said = set()
    context = problem.grading_context()  # the notebook's own objects (predictions, model), if the check takes them
    for answer in (right_answer(key), wrong_answer(exercise, key)):
        feedback = problem.feedback(answer, **context)
        assert feedback.outcome is Outcome.RECORDED and not feedback.passed, feedback
        assert str(feedback).startswith(f"[{exercise}] Recorded: ") and "grader decides" in feedback.message
        said.add(feedback.message)
        problem.assert_passed(answer, **context)  # the grader decides: the student's kernel does not fail the cell
        problem.check(answer, **context)
        assert "Recorded" in capsys.readouterr().out
    assert len(said) == 1  # the same words for a right and a wrong answer
    # the form is still checked
    assert problem.feedback([3], **context).outcome is Outcome.WRONG_TYPE
    with pytest.raises(AssertionError, match="Not yet"):
        problem.assert_passed([3], **context)
    assert problem.feedback(..., **context).outcome is Outcome.NOT_ATTEMPTED
    # the grader without a key decides nothing either
    assert problem.decide({"kind": "value", "answer": encode(right_answer(key))}).outcome is Outcome.RECORDED


def test_the_class_release_holds_no_key(tmp_path, source_keys):
    from biaslab.course import course_root, release_course

    modules = sorted({exercise.rsplit(".", 1)[0] for exercise in source_keys})
    shutil.copy(course_root() / "nbgrader_config.py", tmp_path)
    for module in modules:
        shutil.copytree(source_dir() / module, tmp_path / "source" / module)
    assert release_course(tmp_path) == {m: True for m in modules}
    released = list((tmp_path / "release").rglob("*.ipynb"))
    assert len(released) == len(modules)
    for path in released:
        assert "# answer key" not in path.read_text(encoding="utf-8"), path
    # the gradebook keeps the full source cell, with its key
    for module in modules:
        assert "# answer key" in (tmp_path / "source" / module / f"{module}.ipynb").read_text(encoding="utf-8")


def _test_cell_source(exercise):
    module_id, name = exercise.rsplit(".", 1)
    nb = nbformat.read(source_dir() / load_curriculum().module(module_id).notebook, as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)


@pytest.fixture(scope="module")
def keyed_workbook(tmp_path_factory, source_keys):
    folder = tmp_path_factory.mktemp("workbook")
    build_workbook(folder, modules=sorted({exercise.rsplit(".", 1)[0] for exercise in source_keys}))
    return folder


def test_the_workbook_keeps_the_keys_and_its_notebooks_none(keyed_workbook, source_keys):
    keys = json.loads((keyed_workbook / ".biaslab" / "keys.json").read_text(encoding="utf-8"))
    assert keys == source_keys
    for path in keyed_workbook.rglob("*.ipynb"):
        assert "# answer key" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("exercise", sorted(PROBLEMS))
def test_the_grader_decides_with_the_source_key_like_the_workbook(exercise, keyed_workbook, source_keys,
                                                                  monkeypatch, no_handed_keys):
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(keyed_workbook))
    problem, key = PROBLEMS[exercise], parse_key(_test_cell_source(exercise))
    assert key == source_keys[exercise]
    right, wrong = right_answer(key), wrong_answer(exercise, key)
    context = problem.grading_context()
    for answer, outcome in ((right, Outcome.CORRECT), (wrong, Outcome.WRONG_VALUE), ([3], Outcome.WRONG_TYPE)):
        in_workbook = problem.feedback(answer, **context)  # the workbook's check, with keys.json
        assert in_workbook.outcome is outcome, in_workbook
        record = {"kind": "value", "answer": encode(answer)}
        assert problem.decide(json.loads(json.dumps(record)), key=key) == in_workbook
    problem.assert_passed(right, **context)
    with pytest.raises(AssertionError, match="Not yet"):
        problem.assert_passed(wrong, **context)
    # a key handed in with the answer is not the grader's: the record's context never holds one
    forged = {"kind": "value", "answer": encode(wrong), "context": {"key": encode(right_answer(key))}}
    assert problem.decide(forged, key=key).outcome is Outcome.WRONG_VALUE
    assert problem.decide(forged).outcome is Outcome.RECORDED


def test_a_key_that_does_not_fit_the_exercise_is_the_instructors_error(source_keys):
    problem = PROBLEMS["05_robustness.q3"]
    with pytest.raises(AnswerKeyError, match="05_robustness.q3"):
        problem.feedback("standard", key="a variant nobody trained")


def test_a_number_out_of_range_is_diagnosed_without_the_key(no_keys):
    from biaslab.exercises.m00 import q1 as share
    from biaslab.exercises.m08 import q1 as weight

    for answer in (33.15, 33.2, 33):  # a percentage, rounded or not: named as a possibility, not claimed
        feedback = share.feedback(answer)
        assert feedback.outcome is Outcome.WRONG_VALUE and "If it is a percentage" in feedback.message, feedback
    feedback = share.feedback(1.7)
    assert feedback.outcome is Outcome.WRONG_VALUE and "between 0 and 1" in feedback.message, feedback
    assert weight.feedback(-2.2).outcome is Outcome.WRONG_VALUE  # a weight is positive
    for answer in (0.0, 1.0, 0.5):  # in range: recorded, whatever it is
        assert share.feedback(answer).outcome is Outcome.RECORDED
    assert weight.feedback(2.2).outcome is Outcome.RECORDED


def test_with_the_key_a_percentage_of_the_right_value_is_named(source_keys):
    from biaslab.exercises.m00 import q1 as share

    right = source_keys["00_welcome.q1"]
    for answer in (100 * right, round(100 * right, 1)):
        feedback = share.feedback(answer)
        assert feedback.outcome is Outcome.WRONG_VALUE and "not in percent" in feedback.message, feedback


def test_a_number_rounded_too_much_is_told_so(source_keys):
    from biaslab.exercises.m00 import q1 as share

    right = source_keys["00_welcome.q1"]  # 0.3315...
    feedback = share.feedback(round(right, 2))
    assert feedback.outcome is Outcome.WRONG_VALUE and "rounded to two decimals" in feedback.message, feedback
    assert share.feedback(round(right, 3)).passed
    assert "rounded" not in share.feedback(0.5).message  # far off: not a rounding
