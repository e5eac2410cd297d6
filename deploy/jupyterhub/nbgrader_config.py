"""System-wide nbgrader configuration of the class (every user of the shared environment reads it).

setup.sh installs it as {prefix}/etc/jupyter/nbgrader_config.py, which Jupyter reads for every
user who runs the environment's Python. It names the course and the shared exchange directory;
the instructor's course folder has its own nbgrader_config.py (notebooks/nbgrader_config.py) for
grading. On Kubernetes the same file is mounted at /etc/jupyter/nbgrader_config.py.
"""

import os

from biaslab.course import load_curriculum

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = load_curriculum().id
# world-writable with the sticky bit (setup.sh): students drop submissions, only the instructor
# who released a course can read its inbound folder.
c.Exchange.root = os.environ.get("BIASLAB_EXCHANGE", "/srv/nbgrader/exchange")
