# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test worker beat lint format messages makemessages assets install lock migrate demo bench clean

# Dependencies come from uv.lock (hashed, every package pinned): uv, itself pinned and
# hashed by the lock, is installed into the venv with pip, then `uv sync --locked`
# installs exactly the lock (runtime, the dev extra and the s3 extra) and removes anything
# else; it fails when pyproject.toml changed without `make lock`. uv reads the package
# index only (not pip's configuration) and never downloads a Python.
UV := $(VENV)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never
SYNC_FLAGS := --locked --extra dev --extra s3

$(VENV)/.uv: uv.lock deploy/uv_requirement.py
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(VENV)/bin/pip || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PYTHON) deploy/uv_requirement.py uv.lock > $(VENV)/uv-requirement.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r $(VENV)/uv-requirement.txt
	touch $@

$(VENV)/.installed: $(VENV)/.uv pyproject.toml uv.lock
	$(UV) sync --quiet $(SYNC_FLAGS)
	touch $@

install: $(VENV)/.installed

# Refresh uv.lock after a change of pyproject.toml (keeps every other pin);
# `make lock UPGRADE=1`: every package to the newest release its bounds allow.
lock: $(VENV)/.uv
	$(UV) lock $(if $(UPGRADE),--upgrade)

# Bootstrap comes from the npm registry (package-lock.json pins it); nothing vendored.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

makemessages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=tests

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: install assets messages migrate demo
	@echo "Khối thi đua: http://127.0.0.1:$(PORT)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info --concurrency=2

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install assets messages lint
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

# Score grid speed (DESIGN.md §7): 15 units x 60 criteria on a throwaway test database.
bench: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py bench_scoring

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache

# The reports' documents: report PDF (median of 10), dossier, 40-bloc batch on 1 and 2
# worker processes (reports/bench.py; needs PostgreSQL and Redis: REDIS_URL).
.PHONY: bench-docs
bench-docs: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py bench_docs

# Load test (DESIGN.md §7): gunicorn (production settings) + PostgreSQL + Redis on loopback,
# locust at 50/100/200 users; prints per-endpoint p50/p95/p99, req/s, errors, CPU per request
# and the lost-update check. Recreates LOADTEST_DATABASE_URL (default h_load). See loadtest/run.py.
.PHONY: loadtest
loadtest: install assets
	$(PY) loadtest/run.py
