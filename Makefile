# Phaseout: `make run` sets everything up and serves the app; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run test lint bench bench-planner bench-inventory clean

# Python packages are installed from uv.lock, exactly: the versions and hashes pyproject.toml's
# ranges resolved to when the lock was last made (`make lock`). uv itself is pinned here and
# bootstrapped into the venv with pip; it uses the venv's Python and never downloads one.
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
UV_ENV := UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(VENV) UV_PYTHON=$(CURDIR)/$(PY) UV_PYTHON_DOWNLOADS=never

$(VENV)/.uv-$(UV_VERSION):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	touch $@

# Runtime and dev dependencies and the project itself (editable), as locked; uv also removes
# whatever is installed in the venv that the lock does not name.
$(VENV)/.installed: pyproject.toml uv.lock $(VENV)/.uv-$(UV_VERSION)
	@$(UV_ENV) $(UV) lock --check --quiet || { \
	  echo >&2 "uv.lock is out of date with pyproject.toml: run '.venv/bin/uv lock' (or 'make lock' to upgrade everything) and commit uv.lock."; exit 1; }
	$(UV_ENV) $(UV) sync --locked --extra dev --quiet
	$(PY) -m planner.engine.kernels  # compiled once here, not inside the first plan's time limit
	touch $@

uv.lock:
	@echo >&2 "uv.lock is missing: run 'make lock' and commit uv.lock."; exit 1

# Re-resolve every dependency to the newest version pyproject.toml's ranges allow and rewrite
# uv.lock (commit it; `make install` then installs it). Also the fix after editing the
# dependencies in pyproject.toml. To re-lock changing only what pyproject.toml changed:
# `.venv/bin/uv lock`.
lock: $(VENV)/.uv-$(UV_VERSION)
	$(UV_ENV) $(UV) lock --upgrade

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# serve: the web server and a Celery worker (large exports, periodic clean-ups), both
# stopped by Ctrl-C.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py loaddemo
	$(PY) manage.py serve $(HOST):$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (figures in docs/benchmarks.md). bench-planner takes about 4 hours on 2 cores
# (every instance runs twice, engine and plain CP-SAT); docs/benchmarks.md gives sampled commands.
bench: bench-planner bench-inventory

bench-planner: install
	$(PY) -m bench.sgs_speed
	$(PY) -m bench.planner --set j30 --time-limit 10
	$(PY) -m bench.planner --set j60 --time-limit 10 --every 4
	$(PY) -m bench.planner --set j90 --time-limit 10 --every 4
	$(PY) -m bench.domain_run

# A throwaway database with 100,000 systems; point BENCH_DATABASE_URL at PostgreSQL to
# measure there.
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench.sqlite3
bench-inventory: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py loaddemo --systems 100000
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.list_load
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.imports

clean:
	rm -rf $(VENV) node_modules var
