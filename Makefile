# One command for the demo year, one for the tests; each sets up whatever is missing first.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := False
export ZGC_TEST_POSTGRES_URL ?= postgresql+psycopg2://postgres@127.0.0.1:5432/postgres

.PHONY: help setup demo ui test lint typecheck unit e2e bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/ —/'

setup: $(BIN)/.installed  ## virtual environment with the pinned packages

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[airflow,dev]'
	touch $@

demo: setup  ## make the sample year and run the annual cycle end to end (outputs in ./demo-out)
	$(BIN)/zgc demo --out demo-out

ui: setup  ## a whole local Airflow (UI, scheduler, dag-processor, triggerer) on the demo's home, with the year's pages (run make demo first)
	$(BIN)/zgc ui --out demo-out

lint: setup  ## ruff (with Airflow's AIR rules)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy on the domain package
	$(BIN)/mypy

test: lint typecheck  ## lint, types and the whole pytest suite (PostgreSQL from ZGC_TEST_POSTGRES_URL)
	$(BIN)/python -m pytest

bench: setup  ## the benchmarks (figures, not pass/fail)
	$(BIN)/python -m benchmarks

clean:  ## remove what the demo and the tests leave behind
	rm -rf demo-out test-output .pytest_cache .mypy_cache .ruff_cache
