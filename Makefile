# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   venv + install + browser + materialise the first sandbox weeks + Dagster UI on 127.0.0.1:3000
#   make test   venv + install + browser + the test suite
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export SEKSWERK_REFERENCE_DIR ?= $(abspath ../shared/data/municipalities)
DEMO_WEEKS ?= 2020-08-25...2020-09-08
DEMO_SCALE ?= 0.2

.PHONY: demo test install browser dagster-home bench clean

$(BIN)/dagster: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/dagster

browser: install
	@# Playwright's own Chromium where downloads work; otherwise Debian's chromium package.
	@$(BIN)/playwright install chromium >/dev/null 2>&1 && echo "browser: playwright chromium" || \
	  (command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) || \
	   sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium'; echo "browser: $$(command -v chromium)")

dagster-home:
	mkdir -p $(DAGSTER_HOME)
	cp deploy/local/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

demo: browser dagster-home
	SEKSWERK_SANDBOX_SCALE=$(DEMO_SCALE) $(BIN)/python -m sekswerk_assets.demo --weeks $(DEMO_WEEKS)
	SEKSWERK_SANDBOX_SCALE=$(DEMO_SCALE) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: browser
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .dagster_home
