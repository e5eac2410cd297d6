import os
import sys

# Plots render off-screen in tests.
os.environ.setdefault("MPLBACKEND", "Agg")
# Tools that the code under test starts by name (nbgrader runs `alembic`, kernels run `python`)
# must come from this environment, however pytest was started.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
