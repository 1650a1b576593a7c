# Thi đua — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export THIDUA_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/thidua_test

.PHONY: venv install assets run test test-fast lint deps-system postgres bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

install: $(STAMP) assets

assets:
	bash scripts/build-assets.sh

# The background worker runs beside the server (overdue timers escalate, queued e-mails and PDFs go out)
# and stops when the server does.
run: install
	$(BIN)/thidua init
	$(BIN)/thidua demo
	@$(BIN)/thidua worker --interval 30 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(BIN)/thidua serve --host 127.0.0.1 --port 5000

deps-system:
	bash scripts/install-system-deps.sh

postgres:
	bash scripts/ensure-postgres.sh

lint: install
	$(BIN)/lint-imports

# The whole suite on SQLite and PostgreSQL. pytest's exit code 5 (nothing collected) fails here.
test: install deps-system postgres lint
	$(BIN)/python -m pytest -p no:cacheprovider

test-fast: install
	$(BIN)/python -m pytest -p no:cacheprovider -m "not postgres" -x -q

bench: install
	$(BIN)/thidua bench --dossiers 200 --json

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
