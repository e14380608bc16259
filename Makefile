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
.PHONY: help run init site test lint format bench loadtest lock clean messages translations language

# The gettext catalogues: kb's messages (domain kb) and the web app's (domain messages). The .po
# files are the source; the compiled .mo files are built from them and not kept in git.
CATALOGUES := kb/translations:kb webapp/translations:messages
PO := $(wildcard kb/translations/*/LC_MESSAGES/kb.po webapp/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

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

init: $(STAMP) $(MO) ## create or upgrade the database and load seed_data/ (idempotent)
	$(BIN)/kb init

run: init ## set everything up and serve on http://127.0.0.1:5000
	$(BIN)/kb serve --host 127.0.0.1 --port 5000

SITE ?= $(CURDIR)/site
site: init ## the static edition of the local instance in ./site (or SITE=dir): any web host, a folder or a USB stick
	$(BIN)/kb export --format site --out $(SITE)

test: $(STAMP) $(MO) $(if $(NPM),$(NODE_STAMP)) ## lint, check the import contracts, run the whole test suite (browser tests too)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: $(STAMP) $(MO) ## benchmark search on a generated catalogue (10,000 cases, 100,000 notes) against SQLite FTS5 and Tantivy; growth: BENCH_ARGS="--growth 1000,10000"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

loadtest: $(STAMP) $(MO) ## the real server on 127.0.0.1 under 8 clients, kill -9 and index damage (SQLite; PostgreSQL with KB_TEST_DATABASE_URL)
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO) ## compile the catalogues (every language's .po to .mo)

messages: $(STAMP) ## extract the marked strings and update every language's catalogue; then translate what is new or fuzzy
	for c in $(CATALOGUES); do dir=$${c%%:*}; domain=$${c##*:}; \
	  $(BIN)/pybabel -q extract -F $$dir/babel.cfg -k N_ -k lazy_gettext --add-comments=Translators: --project=kooperationsmodelle-kb --add-location=file \
	    --sort-by-file --no-wrap -o $$dir/$$domain.pot . && \
	  $(BIN)/pybabel -q update -i $$dir/$$domain.pot -d $$dir -D $$domain --no-wrap --ignore-obsolete || exit 1; \
	done

language: messages ## start a new language: make language NEW=fr (then make messages, translate, make translations)
	test -n "$(NEW)" || { echo "usage: make language NEW=<code>"; exit 2; }
	for c in $(CATALOGUES); do dir=$${c%%:*}; domain=$${c##*:}; \
	  $(BIN)/pybabel init -i $$dir/$$domain.pot -d $$dir -D $$domain -l $(NEW) --no-wrap || exit 1; \
	done

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
