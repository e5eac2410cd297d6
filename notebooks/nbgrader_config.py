"""nbgrader configuration of the course (this folder is the nbgrader course root).

Only source/ is committed; release/, submitted/, autograded/, feedback/ and gradebook.db are
made by nbgrader. `make release` generates every module's class version.
"""

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from biaslab.course import CODE_STUB, TEXT_STUB, load_curriculum
from biaslab.course._feedback import ShortTracebacks
from biaslab.grading import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = load_curriculum().id
c.CourseDirectory.root = str(Path(__file__).resolve().parent)

# The same stubs as the self-paced workbook: a placeholder line stays runnable, so an untouched
# notebook runs top to bottom and its checks say "not attempted" instead of crashing.
c.ClearSolutions.code_stub = {"python": CODE_STUB}
c.ClearSolutions.text_stub = TEXT_STUB

# A module runs in well under a minute; a stuck cell must not hold up a whole class.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Autograding (biaslab.grading): every locked cell restored, the notebook run in a sandbox that
# only records answers, each grade decided by the grader from those records, outside the kernel.
configure(c)

# Feedback shows the checks' diagnoses but never the hidden tests: neither their source
# (ClearHiddenTests) nor the traceback lines that would quote them (ShortTracebacks).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortTracebacks, CSSHTMLHeaderPreprocessor]
