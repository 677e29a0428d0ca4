# The two commands of the README:
#   make book   build the offline HTML book into _build/html
#   make test   the whole test suite (CI runs exactly this)
# Both create .venv on first use and reuse it (and the execution cache) afterwards.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# The course's matrices are small: multi-threaded BLAS only adds overhead on 2 cores
# (measured: a chapter's training went from 2 s to 63 s with the default threading).
export OPENBLAS_NUM_THREADS ?= 1
# The same for torch's OpenMP threads: on 2 busy cores its second thread spins while it waits
# (measured: a test that trains a small LSTM took 3.8 s alone and 70 s inside the suite).
export OMP_NUM_THREADS ?= 1

.PHONY: book test lab system-packages release translations clean help

help:
	@echo "make book     build the book into _build/html"
	@echo "make test     run the whole test suite (unit, notebooks, drift, leaks, autograding, book)"
	@echo "make release  regenerate assignments/ from solutions/ with nbgrader"
	@echo "make translations  update the Chinese catalogues, regenerate and release the Chinese notebooks"
	@echo "make lab      open the assignments in JupyterLab (course environment, 127.0.0.1 only)"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The chapters run in parallel into the execution cache first (jupyter-cache's executor, one
# process per core), then the strict Sphinx build reads them from it: scripts/build_book.py.
book: $(STAMP)
	$(PY) scripts/build_book.py
	@echo "Book: $(CURDIR)/_build/html/index.html"

# Students: JupyterLab on assignments/, reachable from this machine only. The venv's bin/ goes
# first on PATH so that a terminal opened in Lab finds `nbgrader validate`. It runs from inside
# assignments/ because nbgrader (Lab's Validate button too) reads nbgrader_config.py from the
# working directory, and the root's is the instructor's: sandboxed grading, which needs bubblewrap.
# More options with LAB_ARGS, e.g. make lab LAB_ARGS="--port=8899 --no-browser".
LAB_ARGS ?=
lab: $(STAMP)
	cd assignments && PATH="$(abspath $(VENV))/bin:$$PATH" $(abspath $(VENV))/bin/jupyter lab \
	  --ServerApp.root_dir="$(CURDIR)/assignments" --ServerApp.ip=127.0.0.1 $(LAB_ARGS)

system-packages:
	@bash scripts/ensure-debian-packages

# Both cores: pytest-xdist runs independent tests in TEST_WORKERS processes; the tests of one
# assignment's graded class stay together on one worker (the scheduler in tests/conftest.py).
TEST_WORKERS ?= 2
test: $(STAMP) system-packages
	$(PY) -m pytest -n $(TEST_WORKERS)

# Regenerate the student release from the instructor source (never edit assignments/ by hand):
# $(call generate_assignments,FOLDERS) runs nbgrader generate_assignment for each source folder
# (nbgrader calls `alembic` from PATH; a throw-away gradebook for each).
generate_assignments = @for d in $(1); do a=$$(basename $$d); \
	  PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/nbgrader generate_assignment $$a --force --db=sqlite:///$$(mktemp -d)/gradebook.db || exit 1; done

release: $(STAMP)
	$(call generate_assignments,solutions/*/)

# The Chinese edition after a change of English text: re-extract and merge the catalogues, then
# write the Chinese assignments solutions/<a>_zh/ from them and release those.
translations: $(STAMP)
	$(PY) scripts/translations.py update
	$(PY) scripts/translations.py notebooks
	$(call generate_assignments,solutions/*_zh/)

clean:
	rm -rf _build
