# promrules: the README's commands.
#
#   make check   set up, then test this repository's alert rules (pytest rules rule_tests)
#   make test    set up, then run the suite with promtool 2.42 and with promtool 3.x: the fast
#                tests in both lanes, the slow ones (-m slow) once, in the 3.x lane (what CI runs;
#                also installs headless Chromium for the HTML report's browser tests)
#   make test-fast   the fast tests only, in both lanes (-m 'not slow')
#   make test-all    every test in both lanes
#   make lint    ruff and mypy
#   make tools   only install the tools into .tools/ (scripts/install-tools.sh)
#   make setup   the virtual environment and the tools, nothing else
#   make clean   remove .venv, .tools and the caches
#
# Each target sets up what it needs on first use, and only then: the set-up steps
# leave stamp files behind (.venv/.installed, .tools/.installed-promtool) so that
# a second run goes straight to the tests. A stamp is redone when what it was made
# from changes (pyproject.toml, scripts/install-tools.sh).
#
# Extra pytest arguments: make test PYTEST_ARGS="-x -k notation"

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
PYTEST_ARGS ?=

# Stamps: made by the set-up recipes below.
VENV_STAMP := $(VENV)/.installed
TOOLS_STAMP := $(TOOLS)/.installed-promtool

# The two promtools `make test` runs the suite with.
PROMTOOL2 := $(CURDIR)/$(TOOLS)/promtool-2/promtool
PROMTOOL3 := $(CURDIR)/$(TOOLS)/promtool-3/promtool

# `make check` uses $PROMTOOL when it is set, else the set-up's default (3.x).
PROMTOOL ?= $(CURDIR)/$(TOOLS)/bin/promtool

.PHONY: check test test-fast test-all lint tools setup chromium clean

## check: test this repository's alert rules (the main job)
check: setup
	PROMTOOL=$(PROMTOOL) $(BIN)/pytest rules rule_tests $(PYTEST_ARGS)

## test: pyproject's testpaths once per promtool version; tests marked slow run only
## in the 3.x lane. Both lanes run even if the first fails; the target fails if either
## did, and its last lines repeat both lanes' pytest summaries (scripts/test-lanes.sh).
LANES := bash scripts/test-lanes.sh
test: setup chromium
	@$(LANES) "$(PROMTOOL2):not slow" "$(PROMTOOL3)" -- $(PYTEST_ARGS)

## test-fast: only the tests not marked slow, in both lanes
test-fast: setup chromium
	@$(LANES) "$(PROMTOOL2):not slow" "$(PROMTOOL3):not slow" -- $(PYTEST_ARGS)

## test-all: every test in both lanes
test-all: setup chromium
	@$(LANES) "$(PROMTOOL2)" "$(PROMTOOL3)" -- $(PYTEST_ARGS)

## lint: ruff over the Python sources, mypy (strict) over src/promrules
lint: $(VENV_STAMP)
	$(BIN)/ruff check src tests alertmanager
	$(BIN)/mypy

## tools: promtool 2.42 and 3.x, amtool, Alertmanager into .tools/
tools: $(TOOLS_STAMP)

## setup: the virtual environment and the tools
setup: $(VENV_STAMP) $(TOOLS_STAMP)

# The virtual environment with the package (editable) and its dev extras.
# Debian's python3 lacks venv/ensurepip until python3-venv is installed.
$(VENV_STAMP): pyproject.toml
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "installing python3-venv with apt-get (system-wide: Debian's python3 cannot make a .venv without it)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	@echo "installing promrules and its dev extras (pytest, hypothesis, ruff, mypy, selenium...) into $(VENV) with pip, about a minute"
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

# promtool 2.42 and 3.x, amtool, Alertmanager (see the script's header).
$(TOOLS_STAMP): scripts/install-tools.sh
	bash scripts/install-tools.sh $(TOOLS)
	touch $@

## chromium: Debian's chromium and chromedriver, for the browser tests (a no-op once
## installed; scripts/install-chromium.sh says why when it cannot install them)
chromium:
	@bash scripts/install-chromium.sh

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .hypothesis \
	  build dist test-artifacts
