# Kinerja developer tasks. `make` (or `make help`) lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=
# Interpreter used only to create the venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)

# Playwright uses the Debian Chromium; never `playwright install`.
ifneq ($(wildcard /usr/bin/chromium),)
export PLAYWRIGHT_CHROMIUM_EXECUTABLE ?= /usr/bin/chromium
endif

# Run a manage.py command against the same services `make run` uses (embedded unless *_URL are set).
MANAGE_RUN := $(PY) scripts/services.py exec --mode run -- env DJANGO_SETTINGS_MODULE=kinerja.settings.local $(PY) manage.py

.PHONY: help venv run cluster test lint format typecheck migrate seed bench clean clean-data

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "; printf "Usage: make <target> [ARGS=...]\n\nTargets:\n"} \
	  /^[a-zA-Z_-]+:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@test -n "$(PYTHON)" || { echo "python3.11/python3 not found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -r requirements-dev.txt
	@touch $@

venv: $(STAMP) ## Create .venv and install requirements-dev.txt (re-installs when requirements change)

run: venv ## Start embedded Postgres+Redis, migrate, seed, web on :8000 and a Celery worker (Ctrl-C stops all)
	$(PY) scripts/run.py

cluster: venv ## Production shape on this machine: PG primary + streaming replica, PgBouncer, 2 gunicorn behind HAProxy :8080, a worker per queue, beat (Ctrl-C stops all)
	$(PY) scripts/cluster.py

test: venv ## Run pytest against Postgres+Redis (system ones if up, else embedded); extra pytest args via ARGS="..."
	$(PY) scripts/test.py $(ARGS)

lint: venv ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## ruff format + safe autofixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: venv ## mypy (django-stubs, drf-stubs)
	$(VENV)/bin/mypy

migrate: venv ## Apply migrations to the dev database (embedded unless DATABASE_URL is set)
	$(MANAGE_RUN) migrate --noinput

seed: venv ## Load demo data into the dev database (idempotent)
	$(MANAGE_RUN) seed_demo

bench: venv ## Run scripts/bench.py if present
	@if [ -f scripts/bench.py ]; then $(PY) scripts/bench.py $(ARGS); else echo "belum ada benchmark"; fi

clean: ## Remove caches and collected static files (keeps .venv and the dev database)
	rm -rf .data/staticfiles .pytest_cache .mypy_cache .ruff_cache test-results htmlcov .coverage
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

clean-data: ## Delete .data (embedded Postgres/Redis data, media); stop `make run` first
	rm -rf .data
