# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test worker beat lint format messages makemessages assets install migrate demo bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(VENV)/bin/pip || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

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
bench-docs:
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py bench_docs
