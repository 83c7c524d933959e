# Phaseout: `make run` sets everything up and serves the app; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint bench bench-planner bench-inventory clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py loaddemo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (figures in docs/benchmarks.md). bench-planner takes about 20 minutes.
bench: bench-planner bench-inventory

bench-planner: install
	$(PY) -m bench.planner --set j30 --time-limit 10
	$(PY) -m bench.planner --set j60 --time-limit 10 --every 4
	$(PY) -m bench.domain_run

# A throwaway database with 100,000 systems; point BENCH_DATABASE_URL at PostgreSQL to
# measure there.
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench.sqlite3
bench-inventory: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py loaddemo --systems 100000
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.inventory
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.imports

clean:
	rm -rf $(VENV) node_modules var
