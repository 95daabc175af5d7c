# Theke – the developer's entry point. `make run` serves the demo, `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
# HOST=0.0.0.0 serves the local network too (with THEKE_BASE_URL=http://<this machine's IP>:$(PORT)).
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?= -n 2

# make run is a local demo: debug on, console e-mail, SQLite in var/.
RUN_ENV := THEKE_DEBUG=$${THEKE_DEBUG:-true} THEKE_BASE_URL=$${THEKE_BASE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: help venv bytecode run serve migrate demo test lint format pytest test-tools bench messages clean

help:
	@echo "make run    – set up (venv, dependencies, migrations, demo data) and serve Theke on http://$(HOST):$(PORT)"
	@echo "make test   – lint (ruff, mypy, import-linter) and the whole test suite, browser tests included"
	@echo "make bench  – benchmark scripts under bench/"
	@echo "make lint | format | messages | clean"

$(STAMP): pyproject.toml uv.lock
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  python=$$(bin/find-python); \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV); \
	fi; \
	uv_version=$$(grep -A1 '^name = "uv"$$' uv.lock | sed -n 's/^version = "\(.*\)"/\1/p'); \
	[ -x $(UV) ] || $(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$$uv_version"; \
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet --compile-bytecode --python $(PY)
	@touch $(STAMP)

# Byte code for Theke's own modules. Where PYTHONDONTWRITEBYTECODE is set (as on CI machines)
# Python never caches it, and every process - each test worker, each subprocess a test starts,
# the server - would compile some 1,500 modules from source again: seconds per start.
# compileall skips what is up to date; uv sync --compile-bytecode does the dependencies.
bytecode: venv
	@$(PY) -m compileall -q -j 0 theke bench conftest.py manage.py > /dev/null

venv: $(STAMP)

migrate: bytecode
	@$(RUN_ENV) $(PY) manage.py migrate --no-input -v 0

demo: migrate
	@$(RUN_ENV) $(PY) manage.py seed_demo

run: demo
	@$(RUN_ENV) $(PY) manage.py serve --host $(HOST) --port $(PORT)

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy theke bench
	$(VENV)/bin/lint-imports --no-logo

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-tools:
	@bin/ensure-test-tools $(CHROMIUM)

pytest: bytecode test-tools
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint pytest

bench: bytecode
	@# -P: bench/ stays off sys.path, where bench/calendar.py would hide the stdlib calendar.
	@for script in bench/*.py; do echo "== $$script"; $(PY) -P $$script || exit 1; done

messages: venv
	cd theke && ../$(PY) ../manage.py makemessages -l en --no-obsolete --no-location
	cd theke && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles
