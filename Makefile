# devzone: `make run` starts the platform, `make test` runs every test. Both work on a fresh
# Debian 12 machine as root (they install what is missing) and are quick when already set up.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMPS := var/.make
# Where the app keeps its data (settings read DEVZONE_VAR_DIR too).
VAR := $(or $(DEVZONE_VAR_DIR),var)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
DEMO_PASSWORD := devzone-demo-2026
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Debian packages: WeasyPrint (PDF reports, with Chinese fonts); gettext (compiles the English
# catalog); chromium for the browser tests; poppler-utils (pdftotext, pdffonts) reads the PDF
# reports in tests; LibreOffice Calc writes the spreadsheets that the
# import tests read as zone staff's own files.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext
APT_TEST := chromium libreoffice-calc poppler-utils

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help run test lint check lock clean screenshots system-packages system-packages-test \
        setup-run setup-test migrate static banner

help:
	@echo "make run    install what is missing, migrate, load demo data, start web + worker + beat"
	@echo "make test   install what is missing (incl. chromium), run the whole pytest suite"
	@echo "            (extra pytest arguments: make test PYTEST_ARGS='-k healthz -x')"
	@echo "make screenshots  regenerate docs/screenshots/ (cockpit, zone dashboard, board)"
	@echo "make lint   ruff check + ruff format --check"
	@echo "make check  migrations up to date, manage.py check, check --deploy for production"
	@echo "make lock   regenerate constraints.txt from pyproject.toml"
	@echo "make clean  remove .venv, node_modules, collected static files and stamps (keeps data)"
	@echo "make backup   database + uploaded files into $(VAR)/backups/devzone-YYYYmmdd-HHMMSS.tar.gz"
	@echo "make restore FILE=path/to/devzone-….tar.gz [FORCE=1]  check every file's SHA-256, restore"
	@echo "              (FORCE=1 overwrites a database that has user accounts; docs/operations.md)"

# --- system packages (apt-get only when something is missing) --------------------------------
# $(1): package names that must be installed.
define apt_ensure
	@missing=""; \
	for pkg in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$pkg"; \
	done; \
	command -v $(PYTHON) >/dev/null && $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || missing="$$missing python3 python3-venv"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "==> apt-get install$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

system-packages:
	$(call apt_ensure,$(APT_RUN))

system-packages-test:
	$(call apt_ensure,$(APT_RUN) $(APT_TEST))

# --- Python and front-end packages -----------------------------------------------------------
$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/venv-run: pyproject.toml constraints.txt | $(PY)
	$(PIP) install -q -c constraints.txt -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/venv-test: pyproject.toml constraints.txt | $(PY)
	$(PIP) install -q -c constraints.txt -e '.[test,bench]'
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/venv-run

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund
	@mkdir -p $(STAMPS) && touch $@

# --- translations (compiled .mo files are built here, not committed) -------------------------
PO_FILES := $(shell find locale -name '*.po' 2>/dev/null)
MO_MISSING := $(filter-out $(wildcard $(PO_FILES:.po=.mo)),$(PO_FILES:.po=.mo))

# Reruns when a .po changes or a .mo is missing. Listed after the venv in setup-* (needs Django).
$(STAMPS)/messages: $(PO_FILES) $(if $(MO_MISSING),FORCE)
	$(PY) manage.py compilemessages --ignore .venv --ignore node_modules -v 0
	@mkdir -p $(STAMPS) && touch $@

.PHONY: FORCE
FORCE:

setup-run: system-packages $(STAMPS)/venv-run $(STAMPS)/npm $(STAMPS)/messages
setup-test: system-packages-test $(STAMPS)/venv-test $(STAMPS)/npm $(STAMPS)/messages

# --- run -------------------------------------------------------------------------------------
migrate: setup-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty

STATIC_SOURCES := $(shell find static -type f 2>/dev/null)
$(VAR)/static/.collected: $(STATIC_SOURCES) package-lock.json | setup-run
	$(PY) manage.py collectstatic --noinput -v 0
	@touch $@

static: $(VAR)/static/.collected

banner:
	@echo
	@echo "devzone is starting at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Demo accounts (password $(DEMO_PASSWORD)):"
	@echo "  admin       系统管理员 administrator"
	@echo "  province    省级领导 provincial leader"
	@echo "  supervisor  省督查 provincial supervisor"
	@echo "  city        市州督查 city supervisor"
	@echo "  leader      开发区一把手 zone leader"
	@echo "  staff       园区工作人员 zone staff"
	@echo "  viewer      只读用户 zone viewer"
	@echo "  staff2      另一开发区工作人员 staff of another zone"
	@echo "Stop with Ctrl-C."
	@echo

run: migrate static banner
	HOST=$(HOST) exec honcho start -f Procfile -p $(PORT)

# --- backups (docs/operations.md) -----------------------------------------------------------
.PHONY: backup restore

backup: $(STAMPS)/venv-run
	$(PY) manage.py backup

restore: $(STAMPS)/venv-run
	$(if $(FILE),,$(error usage: make restore FILE=path/to/devzone-YYYYmmdd-HHMMSS.tar.gz [FORCE=1]))
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

# --- quality ---------------------------------------------------------------------------------
test: setup-test
	$(PY) -m pytest $(PYTEST_ARGS)

# The README's screenshots: the demo in a throw-away database, photographed by chromium.
screenshots: setup-test
	$(PY) docs/screenshots.py

lint: $(STAMPS)/venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup-run
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	DEVZONE_ENV=production ALLOWED_HOSTS=devzone.example \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Re-resolve pyproject.toml's ranges (UPGRADE=1 moves to the newest allowed versions) and
# write the result to constraints.txt.
lock: | $(PY)
	$(PIP) install -q $(if $(UPGRADE),--upgrade) -e '.[test,bench]'
	@{ echo "# Lock of every third-party distribution (pip freeze of .venv with the [test,bench] extras)."; \
	   echo "# Used as: pip install -c constraints.txt -e '.[test,bench]'. Regenerate with: make lock"; \
	   $(PIP) freeze --exclude-editable --exclude devzone; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	@mkdir -p $(STAMPS) && touch $(STAMPS)/venv-test $(STAMPS)/venv-run
	@echo "constraints.txt: $$(grep -vc '^#' constraints.txt) distributions"

clean:
	rm -rf $(VENV) node_modules $(STAMPS) $(VAR)/static .pytest_cache .ruff_cache *.egg-info build
	find . -name __pycache__ -type d -prune -not -path './node_modules/*' -exec rm -rf {} +
