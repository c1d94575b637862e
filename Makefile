# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   venv + install + browser + materialise the first sandbox weeks, their year and the report,
#               then the Dagster UI on http://$(HOST):$(PORT)  (DEMO_UI=0: stop before the UI)
#   make test   venv + install + browser + the test suite
# and, with DAGSTER_HOME set for you:
#   make ui                       the UI (webserver + daemon) on http://$(HOST):$(PORT)
#   make backfill YEAR=2021       every week of measurement year YEAR, then its yearly assets
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
DEMO_WEEKS ?= 2020-08-25...2020-09-08
DEMO_SCALE ?= 0.2
DEMO_UI ?= 1
PORT ?= 3000
HOST ?= 127.0.0.1

.PHONY: demo ui backfill test install browser dagster-home bench clean

$(BIN)/dagster: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev]'
	@# bytecode of the editable package, as an installed one has (PYTHONDONTWRITEBYTECODE would recompile it per process)
	$(BIN)/python -m compileall -q sekswerk_assets bench >/dev/null
	touch $@

install: $(BIN)/dagster

browser: install
	@# Playwright's own Chromium where downloads work; otherwise Debian's headless shell (what Playwright
	@# itself runs headless) and, as the fallback, Debian's full chromium.
	@$(BIN)/playwright install chromium >/dev/null 2>&1 && echo "browser: playwright chromium" || \
	  (command -v chromium-headless-shell >/dev/null || \
	   (apt-get update -qq && apt-get install -y -qq chromium-headless-shell chromium) || \
	   sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium-headless-shell chromium'; \
	   echo "browser: $$(command -v chromium-headless-shell || command -v chromium)")

dagster-home:
	mkdir -p $(DAGSTER_HOME)
	cp deploy/local/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

demo: browser dagster-home
	SEKSWERK_SANDBOX_SCALE=$(DEMO_SCALE) $(BIN)/python -m sekswerk_assets.demo --weeks $(DEMO_WEEKS) --ui-url http://$(HOST):$(PORT)
	@if [ "$(DEMO_UI)" != "0" ]; then $(MAKE) --no-print-directory ui SEKSWERK_SANDBOX_SCALE=$(DEMO_SCALE) SEKSWERK_AUTOMATION=on; \
	  else echo "UI step skipped (DEMO_UI=0); start it with: make ui"; fi

ui: install dagster-home
	@echo "Dagster UI on http://$(HOST):$(PORT)"
	$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(PORT)

backfill: browser dagster-home
	@test -n "$(YEAR)" || (echo "usage: make backfill YEAR=2021" >&2; exit 2)
	$(BIN)/python -m sekswerk_assets.demo --year $(YEAR) --ui-url http://$(HOST):$(PORT)

test: browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: browser
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .dagster_home
