# Two commands for a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test test-fast test-accessibility lint format migrations-check deploy-check messages clean system-build system-chromium \
	system-cluster cluster cluster-stop cluster-test

help:
	@echo "make run   - install into .venv, migrate, seed demo data, serve http://127.0.0.1:8000 (PORT=8001 for another)"
	@echo "make test  - install into .venv and run the whole test suite, with coverage"
	@echo "make test-fast - the suite without the browser tests"
	@echo "make lint  - ruff check and format check"
	@echo "make cluster / cluster-stop - nginx, 2 app instances, 2 workers, own PostgreSQL and Redis on 127.0.0.1"
	@echo "make cluster-test - the load-and-fault run against the cluster (MINUTES=2)"

# Install Debian package $(2) when the shell test $(1) fails: as root we
# install it, otherwise we say exactly what to install. $(3), when given, is
# the command the package provides.
define require_package
	@if ! { $(1); } >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian package $(2)$(if $(3), (provides $(3)))"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) >/dev/null \
	      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) >/dev/null; }; \
	  else \
	    echo "Missing $(if $(3),'$(3)'. Install the Debian package,Debian package $(2)): sudo apt-get install -y $(2)"; exit 1; \
	  fi; \
	fi
endef

# A missing command: $(1) is the command, $(2) the package that provides it.
require = $(call require_package,command -v $(1),$(2),$(1))

# What no command reveals (a shared library, a font): $(1) is a shell test that
# succeeds when it is there.
require_test = $(call require_package,$(1),$(2))

system-build:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)." % sys.version.split()[0])'
	$(call require,pg_config,libpq-dev)
	$(call require,gcc,build-essential)
	@# Receipts as PDF (WeasyPrint): Pango and a font with Arabic letters; the
	@# tests read the PDF's text with pdftotext.
	$(call require_test,ldconfig -p | grep -q libpango-1.0.so.0,libpango-1.0-0)
	$(call require_test,ldconfig -p | grep -q libpangoft2-1.0.so.0,libpangoft2-1.0-0)
	$(call require,fc-list,fontconfig)
	$(call require_test,fc-list | grep -q 'DejaVu Sans',fonts-dejavu-core)
	$(call require,pdftotext,poppler-utils)

system-chromium:
	$(call require,/usr/bin/chromium,chromium)

# The cluster's servers: nginx, PgBouncer, PostgreSQL's initdb, Redis.
system-cluster:
	$(call require,nginx,nginx)
	$(call require,pgbouncer,pgbouncer)
	$(call require,pg_isready,postgresql)
	$(call require,redis-server,redis-server)

$(STAMP): requirements.txt requirements-dev.txt | system-build
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# `make run PORT=8001` serves on another port.
PORT ?= 8000
# The demo's settings live in .env (git-ignored), which the settings read, so
# `.venv/bin/python manage.py ...` typed by hand behaves like `make run`.
# A setting already in .env (or in the environment) is kept.
DEMO_ENV := DEBUG=true SIMULATION_MODE=true SMS_BACKEND=sandbox

.env: FORCE
	@touch .env
	@for pair in $(DEMO_ENV); do \
	  grep -q "^$${pair%%=*}=" .env || { echo "$$pair" >> .env; echo "Wrote $$pair to .env"; }; \
	done

.PHONY: FORCE
FORCE:

run: $(STAMP) .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py residency_import_holidays
	$(BIN)/python manage.py seed_residency_demo
	@echo "Starting the task worker (text messages) and the web server; Ctrl-C stops both."
	$(BIN)/python manage.py task_worker --interval 0.5 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Line coverage of the app code; the floor is the figure the suite reached, so
# it may only rise. On PostgreSQL (CI) the whole suite runs: 95%. On the
# embedded SQLite default the PostgreSQL-only tests (COPY loads, trigram and
# plan checks, row locks raced over real connections) are skipped: 90%.
COVERAGE_FLOOR := $(if $(filter postgres%,$(DATABASE_URL)),95,90)
COVERAGE := --cov=accounts --cov=activation --cov=residency --cov=messaging --cov=moi_portal \
	--cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

test: $(STAMP) system-chromium
	$(BIN)/pytest -n auto --dist loadfile $(COVERAGE)

test-fast: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile -m 'not browser and not cluster and not accessibility'

# Every page kind through axe-core, keyboard only and at 320 px: slower, so CI
# runs it after the main suite.
test-accessibility: $(STAMP) system-chromium
	$(BIN)/pytest -m accessibility -n auto --dist loadfile tests/browser

# A production-shaped cluster on 127.0.0.1 (see bench/cluster.py); state in .cluster/.
cluster: $(STAMP) system-cluster
	$(BIN)/python bench/cluster.py start

# Ends exactly the processes `make cluster` started, by their recorded PIDs.
cluster-stop:
	@if [ -x $(BIN)/python ]; then $(BIN)/python bench/cluster.py stop; else python3 bench/cluster.py stop; fi

MINUTES ?= 2
cluster-test: $(STAMP)
	$(BIN)/python bench/cluster_test.py --minutes $(MINUTES)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates messaging/templates --lint

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=moi_portal.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages -l ar -l en --no-location
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 test-artifacts .cluster
