"""A determined student against class grading, with real nbgrader and ``biaslab grade``.

Each student of a small class of module 02 hands in one attack (in an answer cell, in a locked
cell, or as files beside the notebook); none may earn a point it did not earn honestly, and the
gradebook, the instructor's files and the course secret stay untouched. Honest controls, one of
them printing to stderr and warning, get full marks; an untouched notebook gets no false
tampering alarm.
"""

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest

from biaslab.course import course_root, load_curriculum, release_course
from biaslab.grading._parallel import grade_class

MODULE = load_curriculum().module("02")
ASSIGNMENT = MODULE.id
AUTO = {e.name: e.points for e in MODULE.exercises if e.kind == "auto"}  # q1..q4, 8 points
WRONG_Q2 = "eo_age = 0.123\n"
WRONG_Q4 = "criteria = {'A': 'calibration', 'B': 'calibration', 'C': 'calibration', 'D': 'calibration'}\n"

# every attack: (answers to put in answer cells, replacements of locked cells, files beside the notebook)
ATTACKS = {
    # --- answer-cell attacks on the checks ------------------------------------------------------------
    "rebind_assert": {"q2_answer": WRONG_Q2 + "q2.assert_passed = lambda *a, **k: None\n"},
    "patch_classes": {"q2_answer": WRONG_Q2 + (
        "import biaslab.exercises._problem as P\n"
        "P.Problem.assert_passed = lambda *a, **k: None\n"
        "P.Feedback.passed = property(lambda self: True)\n")},
    "patch_builtin": {"q2_answer": WRONG_Q2 + "import builtins\nbuiltins.abs = lambda x: 0\n"},
    "input_transformer": {"q2_answer": WRONG_Q2 + (
        "get_ipython().input_transformers_post.append(\n"
        "    lambda lines: ['pass\\n'] if any('assert_passed' in l for l in lines) else lines)\n")},
    "always_equal": {"q2_answer": (
        "class Anything(float):\n"
        "    def __eq__(self, other): return True\n"
        "    def __abs__(self): return 0.0\n"
        "    def __sub__(self, other): return 0.0\n"
        "    def __rsub__(self, other): return 0.0\n"
        "eo_age = Anything(0.5)\n"),
        "q3_answer": (
        "class Equal:\n"
        "    def __eq__(self, other): return True\n"
        "    def __float__(self): return 0.0\n"
        "fpr_white_if_equal = Equal()\n")},
    "forged_record": {"q2_answer": WRONG_Q2 + (
        "from IPython.display import display\n"
        "display({'text/plain': 'x'}, raw=True, metadata={'biaslab_record': {'v': 1, 'kind': 'value', "
        "'key': '02_measuring_fairness.q4', 'variant': 'visible', 'answer': {'t': 'dict', 'v': []}}})\n")},
    "reference_in_kernel": {"q1_answer": (
        "def false_positive_rate_by_group(y_true, y_pred, groups):\n"
        "    from biaslab.exercises.m02 import q1\n"
        "    return q1._reference(y_true, y_pred, groups)\n")},
    # q4's answer key is in no file a student can reach: not in the package (what the kernel's m02 holds, any
    # '# answer key' line in the installed biaslab), not beside the notebook or in a workbook's .biaslab/
    "keys_in_kernel": {"q4_answer": WRONG_Q4 + (
        "import glob, json, os\n"
        "import biaslab\n"
        "from biaslab.exercises import m02\n"
        "found = [v for v in vars(m02).values() if isinstance(v, dict)]\n"
        "here = os.path.abspath(os.getcwd())\n"
        "places = [here, os.path.expanduser('~'), os.environ.get('BIASLAB_WORKBOOK') or here]\n"
        "while os.path.dirname(here) != here:\n"
        "    here = os.path.dirname(here)\n"
        "    places.append(here)\n"
        "for place in places:\n"
        "    for path in glob.glob(os.path.join(place, '.biaslab', '*.json')):\n"
        "        try:\n"
        "            found += list(json.load(open(path)).values())\n"
        "        except Exception:\n"
        "            pass\n"
        "for path in glob.glob(os.path.join(os.path.dirname(biaslab.__file__), '**', '*.py'), recursive=True):\n"
        "    for line in open(path, encoding='utf-8', errors='replace'):\n"
        "        if '# answer key:' in line:\n"
        "            try:\n"
        "                found.append(json.loads(line.split('# answer key:', 1)[1]))\n"
        "            except ValueError:\n"
        "                pass\n"
        "for key in found:\n"
        "    key = key.get('answers', key) if isinstance(key, dict) else key\n"
        "    if isinstance(key, dict) and set(key) == set('ABCD'):\n"
        "        criteria = dict(key)\n"
        "print('KEYS-FOUND', len(found))\n")},
    # the grader's restored test cell holds the key: the kernel never runs it, so nothing can read it there
    "key_in_test_cell": {"q4_answer": WRONG_Q4 + (
        "import json\n"
        "def steal(lines):\n"
        "    for line in lines:\n"
        "        if '# answer key:' in line:\n"
        "            key = json.loads(line.split('# answer key:', 1)[1])\n"
        "            return [f'criteria = {key.get(\"answers\", key)!r}\\n'] + lines\n"
        "    return lines\n"
        "get_ipython().input_transformers_post.append(steal)\n")},
    # a key handed in with the answer is never used: the grader decides with the gradebook's
    "own_key": {"q4_answer": WRONG_Q4 + (
        "record = q4.check\n"
        "q4.assert_passed = lambda answer, **kw: record(answer, key={'answers': answer})\n")},
    # --- locked cells and files handed in -------------------------------------------------------------
    "edit_import_cell": {"@import": (
        "class _Pass:\n"
        "    def assert_passed(self, *a, **k): pass\n"
        "    check = feedback = assert_passed\n"
        "q1 = q2 = q3 = q4 = q5 = _Pass()\n"
        "from biaslab.metrics import *\n"
        "import numpy as np, pandas as pd\n")},
    "delete_test_cell": {"-q2": True},
    "shadow_package": {"@files": {
        "biaslab/__init__.py": "",
        "biaslab/exercises/__init__.py": "",
        "biaslab/exercises/m02.py": (
            "class _Pass:\n    def assert_passed(self, *a, **k): pass\n    check = feedback = assert_passed\n"
            "q1 = q2 = q3 = q4 = q5 = _Pass()\n__all__ = ['q1', 'q2', 'q3', 'q4', 'q5']\n"),
        "sitecustomize.py": "import builtins\nbuiltins.abs = lambda x: 0\n"}},
    # --- the instructor's files ----------------------------------------------------------------------
    "read_instructor_files": {"q2_answer": WRONG_Q2 + (
        "import os, glob\n"
        "seen = []\n"
        "for up in ['..', '../..', '../../..', '../../../..']:\n"
        "    seen += glob.glob(os.path.join(up, '**', '*.ipynb'), recursive=True)\n"
        "    seen += glob.glob(os.path.join(up, '**', 'gradebook.db'), recursive=True)\n"
        "    seen += glob.glob(os.path.join(up, '.biaslab', '*'))\n"
        "texts = []\n"
        "for path in seen:\n"
        "    try:\n"
        "        texts.append(open(path, 'rb').read().decode('latin-1'))\n"
        "    except OSError:\n"
        "        pass\n"
        "print('LEAK' if any('BEGIN HIDDEN TESTS' in t or 'BEGIN SOLUTION' in t or 'SQLite format' in t\n"
        "                    for t in texts) else 'NOTHING-FOUND', len(seen))\n")},
    "write_instructor_files": {"q2_answer": WRONG_Q2 + (
        "import os\n"
        "for up in ['..', '../..', '../../..', '../../../..']:\n"
        "    for name in ['gradebook.db', 'canary.txt', os.path.join('.biaslab', 'course_secret')]:\n"
        "        try:\n"
        "            open(os.path.join(up, name), 'w').write('overwritten')\n"
        "        except OSError:\n"
        "            pass\n")},
    "network": {"q2_answer": WRONG_Q2 + (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
        "    print('NETWORK-OPEN')\n"
        "except OSError as exc:\n"
        "    print('NETWORK-CLOSED', type(exc).__name__)\n")},
    "limits_and_processes": {"q2_answer": WRONG_Q2 + (
        "import os, signal\n"
        "try:\n"
        "    hog = bytearray(40 * 2**30)\n"
        "    print('MEMORY-UNLIMITED')\n"
        "except MemoryError:\n"
        "    print('MEMORY-LIMITED')\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "try:\n"
        "    with open('big.bin', 'wb') as f:\n"
        "        for _ in range(600):\n"
        "            f.write(b'x' * 2**20)\n"
        "    print('FILES-UNLIMITED')\n"
        "except OSError:\n"
        "    print('FILES-LIMITED')\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "print('PIDS-SEEN', len(pids), 'UID', os.getuid())\n")},
    "grader_home": {"q2_answer": WRONG_Q2 + (
        "import glob, os\n"
        "found = glob.glob(os.path.join(HOME_OF_GRADER, '*.pem')) + glob.glob(os.path.join(HOME_OF_GRADER, '.*.pem'))\n"
        "print('HOME-FILES', found)\n")},
}


def _noisy(right_q1):
    """The right q1 function, printing to stdout and stderr and warning on every call."""
    lines = right_q1.split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("def "))
    noise = ["    import sys, warnings", "    print('debugging', file=sys.stderr)",
             "    warnings.warn('a harmless warning')"]
    return "\n".join(lines[:head + 1] + noise + lines[head + 1:])


def _strip(text):
    return "\n".join(line for line in text.split("\n") if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("attacked")
    shutil.copy(course_root() / "nbgrader_config.py", root)
    shutil.copytree(course_root() / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    (root / "canary.txt").write_text("instructor's file\n")
    assert release_course(root) == {ASSIGNMENT: True}
    release = nbformat.read(root / "release" / MODULE.notebook, as_version=4)
    source = nbformat.read(root / "source" / MODULE.notebook, as_version=4)
    right = {c.metadata.nbgrader.grade_id: _strip(c.source) for c in source.cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    import_cell = next(c.metadata.nbgrader.grade_id for c in release.cells
                       if c.cell_type == "code" and "biaslab.exercises.m02 import" in c.source)
    students = {"honest": dict(right), "noisy": {**right, "q1_answer": _noisy(right["q1_answer"])},
                "untouched": {}}
    students.update(ATTACKS)
    for student, plan in students.items():
        nb = nbformat.from_dict(json.loads(json.dumps(release)))
        cells = []
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if plan.get(f"-{grade_id}"):
                continue
            if grade_id in plan:
                cell.source = plan[grade_id].replace("HOME_OF_GRADER", repr(str(Path.home())))
            if grade_id == import_cell and "@import" in plan:
                cell.source = plan["@import"]
            cells.append(cell)
        nb.cells = cells
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
        for name, text in plan.get("@files", {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
    before = {"canary": _sha(root / "canary.txt"), "source": _sha(root / "source" / MODULE.notebook)}
    planted = Path.home() / f".biaslab-test-{root.name}.pem"  # stands for the instructor's badge key
    planted.write_text("-----BEGIN PRIVATE KEY-----\n")
    request.addfinalizer(lambda: planted.unlink(missing_ok=True))
    lines = []
    report = grade_class(root, ASSIGNMENT, workers=2, log=lines.append)
    assert not report.failed, {s: report.results[s].error for s in report.failed}
    secret = root / ".biaslab" / "course_secret"
    return root, report, before, secret.read_text()


def scores(root):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            return {(sub.student.id, g.name): g.auto_score for sub in gb.find_assignment(ASSIGNMENT).submissions
                    for nb in sub.notebooks for g in nb.grades if g.name in AUTO}


def autograded(root, student):
    return nbformat.read(root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def outputs_text(nb):
    return "\n".join(json.dumps(c.get("outputs", [])) for c in nb.cells if c.cell_type == "code")


def test_honest_controls_get_full_marks_even_when_printing_and_warning(graded):
    root, _, _, _ = graded
    got = scores(root)
    for student in ("honest", "noisy"):
        assert {q: got[(student, q)] for q in AUTO} == AUTO, student
    assert all(got[("untouched", q)] == 0 for q in AUTO)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_no_attack_earns_a_point_it_did_not_earn(graded, attack):
    root, _, _, _ = graded
    got = scores(root)
    targeted = {"rebind_assert": ["q2"], "patch_classes": ["q2"], "patch_builtin": ["q2"],
                "input_transformer": ["q2"], "always_equal": ["q2", "q3"], "forged_record": ["q2", "q4"],
                "reference_in_kernel": ["q1"], "keys_in_kernel": ["q4"], "key_in_test_cell": ["q4"], "own_key": ["q4"], "edit_import_cell": list(AUTO),
                "delete_test_cell": list(AUTO), "shadow_package": list(AUTO),
                "read_instructor_files": ["q2"], "write_instructor_files": ["q2"], "network": ["q2"],
                "limits_and_processes": ["q2"], "grader_home": ["q2"]}[attack]
    for q in targeted:
        assert got[(attack, q)] == 0, (attack, q)


def test_locked_cells_are_restored_and_named_in_the_feedback(graded):
    root, _, _, _ = graded
    for student, name in (("edit_import_cell", "changed"), ("delete_test_cell", "q2 (deleted)")):
        note = autograded(root, student).cells[0]
        assert note.cell_type == "markdown" and "restored before grading" in note.source, student
        assert name in note.source
    # an untouched notebook and an honest one get no tampering note (no false checksum alarm)
    for student in ("untouched", "honest", "noisy"):
        assert "restored before grading" not in autograded(root, student).cells[0].source


def test_instructor_files_stay_unreadable_and_untouched(graded):
    root, _, before, secret = graded
    read = outputs_text(autograded(root, "read_instructor_files"))
    assert "NOTHING-FOUND" in read and "LEAK" not in read
    assert _sha(root / "canary.txt") == before["canary"]
    assert _sha(root / "source" / MODULE.notebook) == before["source"]
    assert (root / ".biaslab" / "course_secret").read_text() == secret != "overwritten"
    assert "NETWORK-CLOSED" in outputs_text(autograded(root, "network"))
    # limits: memory and file size; a PID namespace of its own; user nobody
    limits = outputs_text(autograded(root, "limits_and_processes"))
    assert "MEMORY-LIMITED" in limits and "FILES-LIMITED" in limits
    seen = int(limits.split("PIDS-SEEN ")[1].split()[0])
    assert seen <= 4 and "UID 65534" in limits
    # the instructor's home (badge keys) is not there: a key file planted in it is not found
    assert "HOME-FILES []" in outputs_text(autograded(root, "grader_home"))
    # the gradebook is still nbgrader's: every student has a submission with a score
    assert {s for s, _ in scores(root)} == set(ATTACKS) | {"honest", "noisy", "untouched"}


def test_hidden_tests_and_solutions_never_reach_the_feedback(graded):
    root, _, _, _ = graded
    for student in ("honest", "reference_in_kernel", "read_instructor_files"):
        text = outputs_text(autograded(root, student))
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
