# Two commands matter: `make run` (the exchange with embedded defaults) and
# `make test` (the whole suite). Each creates .venv and installs what it needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-postgres lint check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lgsp demo

test: $(STAMP)
	$(BIN)/pytest

# The storage tests again, on PostgreSQL; fails when the server does not answer.
test-postgres: $(STAMP)
	LGSP_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m tests.require_database
	LGSP_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m storage

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

check: test test-postgres lint

# The benchmark harness (bench/README.md): installs wrk and nginx with apt-get if missing.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
