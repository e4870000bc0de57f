# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= results

.PHONY: run test lint bench quick docs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip >/dev/null

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test,dev]"
	touch $(STAMP)

DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[docs]"
	touch $(DOCS_STAMP)

run: $(STAMP)
	$(BIN)/multigap reproduce --out $(OUT)

quick: $(STAMP)
	$(BIN)/multigap reproduce --quick --out $(OUT)-quick

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# the documentation site, offline and warning-free, into docs/_build/html
docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -b html -W --keep-going -q docs docs/_build/html

clean:
	rm -rf $(VENV) results results-quick .pytest_cache .mypy_cache .ruff_cache
	rm -rf docs/_build docs/_generated docs/auto_examples docs/tutorial docs/api
