# Bias In, Bias Out: the two commands of the quick start are `make lab` and `make test`.
#   make lab  [PORT=8888] [TOKEN=secret] [NO_BROWSER=1] [IP=127.0.0.1]
#   make test [PYTEST_ARGS="-k metrics"]
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8888
IP ?= 127.0.0.1
TOKEN ?=
NO_BROWSER ?=
PYTEST_ARGS ?=

BIN := $(VENV)/bin
STAMP := $(VENV)/.biaslab-installed
# nbgrader and Jupyter start tools by name (alembic, python): find this environment's first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install lab workbook workshop release test test-class bench lock clean

# (Re)install when the venv is new or the project's dependencies changed.
$(STAMP): pyproject.toml setup.py requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --progress-bar off -c requirements/constraints.txt -e '.[dev]'
	@touch $@

install: $(STAMP)

# The learner's workbook: built from notebooks/source, never overwriting the learner's work.
workbook: install
	$(BIN)/biaslab workbook --dest workbook

# The learner's JupyterLab (biaslab/course/lab_config): the course without nbgrader's instructor tools.
lab: workbook
	JUPYTER_CONFIG_PATH=$(abspath biaslab/course/lab_config) \
	$(BIN)/jupyter lab --ip=$(IP) --port=$(PORT) --ServerApp.root_dir=workbook \
		$(if $(TOKEN),--IdentityProvider.token=$(TOKEN)) $(if $(NO_BROWSER),--no-browser) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

# Workshop mode for presenters (docs/PRESENTER.md): every module executed once; its saved state
# goes to workbook/workshop/, where `make lab` shows it. FORCE=1 rebuilds existing ones.
workshop: install
	$(BIN)/biaslab workshop --dest workbook/workshop $(if $(FORCE),--force)

# The class version of every module (nbgrader release/), for instructors.
release: install
	$(BIN)/biaslab release --root notebooks

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The class end-to-end test (docs/INSTRUCTOR.md): JupyterHub on 127.0.0.1, real Linux users; needs root.
test-class: install
	BIASLAB_CLASS_TEST=1 $(BIN)/python -m pytest tests/deploy -rs

bench: install
	$(BIN)/python benchmarks/bench_metrics.py

# Refresh the exact versions from what the venv has (after changing ranges in pyproject.toml).
lock: install
	{ echo "# Exact versions every machine installs (make, CI). Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable --exclude biaslab; } > requirements/constraints.txt

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
