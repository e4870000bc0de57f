# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Separate stamps: `make run` installs the package and its run-time dependencies only;
# `make test` (and lint, bench) add the test and dev tools. The full install covers the run one.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
DOCS_STAMP := $(VENV)/.installed-docs
OUT ?= results

.PHONY: run test lint bench quick docs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip >/dev/null

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $(RUN_STAMP)

# the tests include the documentation site's (tests/docs), so they get the docs tools too
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test,dev,docs]"
	touch $(TEST_STAMP) $(RUN_STAMP) $(DOCS_STAMP)

$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[docs]"
	touch $(DOCS_STAMP)

run: $(RUN_STAMP)
	$(BIN)/multigap reproduce --out $(OUT)

quick: $(RUN_STAMP)
	$(BIN)/multigap reproduce --quick --out $(OUT)-quick

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy

bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks.run

# the documentation site, offline and warning-free, into docs/_build/html
docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -b html -W --keep-going -q docs docs/_build/html

clean:
	rm -rf $(VENV) results results-quick .pytest_cache .mypy_cache .ruff_cache
	rm -rf docs/_build docs/_generated docs/auto_examples docs/tutorial docs/api
