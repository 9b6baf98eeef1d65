# statprogram: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The development server runs with DEBUG on unless told otherwise, and answers at http://$(HOST):$(PORT)/: what
# `make run` announces and what the app's emails link to (DEV_SITE_URL), unless SITE_URL is set (environment or .env).
DEV_ENV := DEBUG=$${DEBUG:-true} DEV_SITE_URL=http://$(HOST):$(PORT)/

.PHONY: help install venv deps frontend static migrate demo run run-services worker beat test test-fast lint format bench bench-pages clean

help:
	@echo "make run            install, migrate, load the demo city, serve on http://$(HOST):$(PORT)/"
	@echo "make test           the whole test suite"
	@echo "make install        set-up only: virtualenv, locked dependencies, front-end packages, static files"
	@echo "make run-services   production-shaped: gunicorn + Celery worker + beat on DATABASE_URL and REDIS_URL"
	@echo "make lint / format  ruff, djLint, mypy (and makemigrations --check)"

$(VENV)/.installed: requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "statprogram needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.installed

static: deps frontend
	$(DEV_ENV) $(MANAGE) collectstatic --noinput --verbosity 0

install: deps frontend static

migrate: deps
	$(DEV_ENV) $(MANAGE) migrate --noinput

demo: migrate
	$(DEV_ENV) $(MANAGE) seed_demo

run: install demo
	@$(DEV_ENV) $(MANAGE) demo_logins
	$(DEV_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# Production-shaped: needs DATABASE_URL, REDIS_URL and SECRET_KEY (and ALLOWED_HOSTS) in the environment.
run-services: install
	@test -n "$$DATABASE_URL" || (echo "run-services needs DATABASE_URL (PostgreSQL)"; exit 2)
	@test -n "$$REDIS_URL" || (echo "run-services needs REDIS_URL"; exit 2)
	$(MANAGE) migrate --noinput
	$(MANAGE) sync_schedule
	$(MANAGE) collectstatic --noinput --verbosity 0
	sh scripts/run-services.sh

worker: deps
	$(VENV)/bin/celery -A statprogram worker --loglevel=INFO

beat: deps
	$(VENV)/bin/celery -A statprogram beat --loglevel=INFO

# The suite runs in parallel with pytest-xdist: one process per core, at most four (each has its own test database
# and its own Redis database). TEST_WORKERS=0 runs it in one process. It runs on statprogram/settings_test.py, as
# pyproject.toml says; named here too because a DJANGO_SETTINGS_MODULE in the environment would win over that.
TEST_WORKERS ?= auto
test: deps frontend
	DJANGO_SETTINGS_MODULE=statprogram.settings_test $(VENV)/bin/pytest -n $(TEST_WORKERS) --maxprocesses 4 $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/djlint templates --lint --extension jinja --profile jinja
	$(VENV)/bin/mypy
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: deps
	@ls benchmarks/*.py >/dev/null 2>&1 && for b in benchmarks/*.py; do $(PY) $$b; done || echo "no benchmarks yet"

# Lighthouse (package.json's devDependencies) on the public pages of the demo city served as in production: each
# page's performance and accessibility scores and bytes on a first visit (benchmarks/README.md).
bench-pages: deps frontend
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(PY) benchmarks/pages_lighthouse.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var/staticfiles
