# Two entry points: `make demo` opens the TUI on the bundled sample, `make test` runs every test.
# Both create .venv and install what they need, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench samples wheel-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dask]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/triage

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/triage heuristics lint
	$(BIN)/triage heuristics test
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

# Build the wheel, install it in a clean venv (not editable) and run the CLI from it.
wheel-check: $(STAMP)
	bash tools/wheel-check.sh $(PYTHON) $(BIN)/python

samples:
	$(PYTHON) tools/samples/generate.py

clean:
	rm -rf $(VENV) build *.egg-info
