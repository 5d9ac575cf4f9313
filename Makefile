# The two commands a newcomer types: `make report` and `make test`.
# Each creates .venv when it is missing and installs the package with every framework,
# pinned by constraints.txt; a second run finds the stamp file and skips the install.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= ci
WORKERS ?= 2
# Compiled XLA programs and the 200-bit accuracy truth, kept between runs (a second run
# and the tests after a report reuse them); deleting the folder only costs time.
export REFIMPL_CACHE_DIR ?= $(CURDIR)/.cache

.PHONY: report test venv clean mutation

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first and alone, pinned: it makes the resolver take the CPU wheel.
	$(PY) -m pip install --quiet "torch==2.13.0" -c constraints.txt
	$(PY) -m pip install --quiet -e ".[dev]" -c constraints.txt
	touch $(STAMP)

venv: $(STAMP)

report: $(STAMP)
	$(VENV)/bin/refimpl report --out reports --profile $(PROFILE)

test: $(STAMP)
	$(PY) -m pytest -n $(WORKERS) --hypothesis-profile=$(PROFILE)

# Not part of `make test`: every function of refimpl/ mutated, one change at a time, each
# mutant run against the numpy-only tests that reach it ([tool.mutmut] in pyproject.toml);
# mutation/score.py then prints the score with the equivalent mutants (mutation/equivalent/)
# set aside and lists every other survivor; `mutmut show NAME` shows one in context.
mutation: $(STAMP)
	$(PY) -m pip install --quiet -e ".[mutation]" -c constraints.txt
	$(VENV)/bin/mutmut run --max-children $(WORKERS)
	$(PY) -m mutation.score

clean:
	rm -rf $(VENV) .hypothesis .cache mutants
