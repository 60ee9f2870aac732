# mgsleep: set-up, demo, tests and benchmarks. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# A Python >= 3.12: PATH first, then the machine's pyenv. The default python3 may be 3.11,
# on which PyMC 6 does not install.
define find_python
for c in python3.13 python3.12 python3; do \
  p=$$(command -v $$c 2>/dev/null) || continue; \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
done; \
root=$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv); \
for p in $$(ls -d $$root/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
done; exit 1
endef

.PHONY: install demo notebooks test check-stats bench bench-loop bench-calibration lint clean

$(PY):
	@base=$$( $(find_python) ) || { echo "error: no Python >= 3.12 found on PATH or in pyenv (\$$(pyenv root)/versions). Install Python 3.12 (e.g. 'pyenv install 3.12') and retry." >&2; exit 1; }; \
	echo "creating $(VENV) with $$base ($$($$base --version))"; \
	$$base -m venv $(VENV)

# Versions are held to constraints.txt, those the suite last passed with: a new upstream
# release (numpy, ArviZ, PyMC) changes nothing until it has been tried.
# The last steps compile the personal model and the population stage into the user's compile
# cache (~/.pytensor), so that the first `mgsleep analyze` or `mgsleep population` on this
# machine does not spend a minute or two compiling. Where that cache cannot be written the
# install still succeeds: the commands then compile on first use.
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,fast,dev]'
	$(PY) -m compileall -q model  # an editable install is not byte-compiled by pip
	$(PY) -m model.personal.warmup || echo "warning: the model was not compiled ahead (see above); the first analysis will compile it" >&2
	$(PY) -m model.population.warmup || echo "warning: the population stage was not compiled ahead (see above); its first run will compile it" >&2
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/mgsleep demo

# JupyterLab (the optional extra `notebooks`) into the same venv, then the notebooks in it.
notebooks: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[notebooks]'
	$(VENV)/bin/jupyter lab notebooks

# What CI runs: every test but the multi-seed statistical checks (one seeded recovery per
# family stays in); `make check-stats` runs those checks. Two pytest workers, a test file to
# each (`--dist loadfile`: a file's shared fits run once): half the suite is single-threaded
# (compiling, numpy), so the two cores overlap it with sampling. The longest files first
# (tests/conftest.py HEAVY_FIRST; xdist's own reorder puts the files of most tests first, and a
# long file of few tests taken last kept one worker busy alone). A fresh clone: 13.2 min of
# tests (7,602), 15.9 min with the install (2026-12-08, 2 cores, CI=true bash .ci/run; the
# README's status table keeps the history).
test: install
	$(PY) -m pytest -m "not slow" -n 2 --dist loadfile --no-loadscope-reorder --durations=15

check-stats: install
	$(PY) -m pytest -m slow --durations=15

bench: install
	$(PY) benchmarks/run.py

# Decision policies followed for 12 weeks by 200 world persons (issue 15): about 10 min on 2
# busy cores (4 min of it the quick-vs-full check on 6 persons).
bench-loop: install
	$(PY) benchmarks/closed_loop.py --persons 200

# Calibration (issue 19): SBC ranks and 50/90 % coverage with truth from the prior (200 persons)
# and in 7 misspecified worlds (200 persons each), on the quick model: about 6 min on 2 busy cores.
# Drop --quick for the NUTS fit (500 x 2 draws; about 15 s a person on 2 busy cores).
bench-calibration: install
	$(PY) benchmarks/calibration.py --suite prior --persons 200 --quick --workers 2
	$(PY) benchmarks/calibration.py --suite world --persons 200 --quick --workers 2

lint: install
	$(VENV)/bin/ruff check model tests benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
