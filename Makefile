# Forkcast — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install install-dev services clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

$(VENV)/.runtime: requirements.txt | $(PY)
	$(UV) pip install --quiet --python $(PY) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(UV) pip install --quiet --python $(PY) -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# The embedded default: SQLite, eager tasks, console e-mail, template narrative, demo data.
run: $(VENV)/.runtime
	env -u DJANGO_SETTINGS_MODULE $(PY) manage.py migrate --noinput
	env -u DJANGO_SETTINGS_MODULE $(PY) manage.py seed_demo
	env -u DJANGO_SETTINGS_MODULE $(PY) manage.py runserver $(HOST):$(PORT)

services: $(VENV)/.dev
	$(PY) scripts/check_services.py

# The whole suite on PostgreSQL (as a role without RLS bypass), Redis and headless Chromium.
test: services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every figure of docs/PERFORMANCE.md, as ratios against baselines timed in the same run, on a
# database and Redis db of its own; BENCH_SIZE=2000 for a quicker look (default 10,000).
bench: $(VENV)/.dev
	$(PY) scripts/check_services.py --no-browser
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
