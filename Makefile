# The project's vocabulary: `make run` serves the knowledge base, `make test` checks everything.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the browser tests; without npm they skip locally (and fail in CI, which has npm).
NPM := $(shell command -v npm)
NODE_STAMP := node_modules/.installed
export KB_INSTANCE ?= $(CURDIR)/instance

.DEFAULT_GOAL := help
.PHONY: help run init test lint format bench loadtest lock clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): setup.cfg pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,dev,bench]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

init: $(STAMP) ## create or upgrade the database and load seed_data/ (idempotent)
	$(BIN)/kb init

run: init ## set everything up and serve on http://127.0.0.1:5000
	$(BIN)/kb serve --host 127.0.0.1 --port 5000

test: $(STAMP) $(if $(NPM),$(NODE_STAMP)) ## lint, check the import contracts, run the whole test suite (browser tests too)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: $(STAMP) ## benchmark search on a generated catalogue (10,000 cases, 100,000 notes) against SQLite FTS5 and Tantivy; growth: BENCH_ARGS="--growth 1000,10000"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

loadtest: $(STAMP) ## the real server on 127.0.0.1 under 8 clients, kill -9 and index damage (SQLite; PostgreSQL with KB_TEST_DATABASE_URL)
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

lint: $(STAMP) ## ruff, import contracts and mypy
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy kb models search_index webapp

format: $(STAMP) ## format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: $(STAMP) ## re-pin constraints.txt from the current environment
	{ echo "# Pinned versions the test suite passed with; installs use it as a constraints file (pip -c)."; \
	  echo "# Refresh: make lock"; $(BIN)/pip freeze --exclude-editable; } > constraints.txt

clean: ## remove the virtual environment, node_modules and the local instance
	rm -rf $(VENV) node_modules instance
