# The README's commands. Each target sets up what it needs on first use:
# a virtual environment in .venv and the tools in .tools (see scripts/).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
PROMTOOL2 := $(CURDIR)/$(TOOLS)/promtool-2/promtool
PROMTOOL3 := $(CURDIR)/$(TOOLS)/promtool-3/promtool

.PHONY: check test tools lint clean

## check: test this repository's alert rules (the main job)
check: $(VENV)/.installed $(TOOLS)/.installed
	$(BIN)/pytest rules rule_tests

## test: every test, once with promtool 2.42 and once with promtool 3.x
test: $(VENV)/.installed $(TOOLS)/.installed
	PROMTOOL=$(PROMTOOL2) $(BIN)/pytest
	PROMTOOL=$(PROMTOOL3) $(BIN)/pytest

## tools: install promtool 2.42 and 3.x, amtool and Alertmanager
tools: $(TOOLS)/.installed

## lint: ruff and mypy
lint: $(VENV)/.installed
	$(BIN)/ruff check src tests rule_tests benchmarks
	$(BIN)/mypy

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

$(TOOLS)/.installed: scripts/install-promtool.sh
	bash scripts/install-promtool.sh $(TOOLS)
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .hypothesis
