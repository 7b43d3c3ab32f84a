# scrutiny: build the Adults and Communities performance reports.
# `make help` lists the targets. Reports go to reports/<financial year>/q<quarter>/.

FY ?= 2025-26
COUNCIL ?= E10000018
DATA ?= data/raw
REPORTS ?= reports
VENV ?= .venv
PYTHON ?= $(if $(wildcard $(VENV)/bin/python),$(VENV)/bin/python,python3)
MIRROR ?=

REPORT_NOTEBOOKS := quarterly_dashboard benchmarking
SRC := $(shell find src/scrutiny -type f \( -name '*.py' -o -name '*.j2' -o -name '*.json' \) 2>/dev/null)
INPUTS := $(wildcard $(DATA)/*.csv)
NATIONAL_ODS := data/raw/national/ascof_time_series_2015-16_to_2024-25.ods
NATIONAL := data/national_sources.csv $(wildcard data/raw/national/* data/processed/ascof_time_series.csv)
OUT = $(REPORTS)/$(FY)/q$*

.DEFAULT_GOAL := help
.PHONY: help setup data notebooks q1 q2 q3 q4 test test-fast nbval lint bench clean-reports

help: ## list the targets
	@grep -E '^[a-z0-9%-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

setup: ## one-time set-up: Debian Chromium and fonts, virtual environment, packages, Jupyter kernel
	@if ! command -v chromium >/dev/null || ! command -v pdfinfo >/dev/null; then \
	  echo "Installing Debian chromium, fonts-liberation and poppler-utils (needs root or sudo)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-liberation poppler-utils; \
	fi
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev,lab]'
	$(VENV)/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (scrutiny)"
	$(MAKE) notebooks

data: ## fetch and verify the national files (MIRROR=folder to copy from a local mirror), then prepare the ASCOF table
	$(PYTHON) -m scrutiny.inputs.national_data fetch $(if $(MIRROR),--mirror $(MIRROR))
	$(MAKE) data/processed/ascof_time_series.csv

data/processed/ascof_time_series.csv: $(NATIONAL_ODS) data/raw/ascof_measures.csv
	$(PYTHON) -m scrutiny.inputs.national_data prepare

notebooks: $(REPORT_NOTEBOOKS:%=notebooks/%.ipynb) ## write the .ipynb notebooks from their .py sources

notebooks/%.ipynb: notebooks/%.py
	$(PYTHON) -m scrutiny.publishing.build notebook $< $@

q1 q2 q3 q4: q%: $(foreach n,$(REPORT_NOTEBOOKS),$(REPORTS)/$(FY)/q%/$(n).pdf) ## run every report for a quarter, e.g. make q3 FY=2025-26
	@echo "Reports for $(FY) quarter $* are in $(REPORTS)/$(FY)/q$*/"

# One papermill run writes the executed notebook, the HTML, the PDF and the CSV tables together.
$(REPORTS)/$(FY)/q%/quarterly_dashboard.pdf $(REPORTS)/$(FY)/q%/quarterly_dashboard.html: notebooks/quarterly_dashboard.ipynb $(SRC) $(INPUTS)
	$(PYTHON) -m scrutiny.publishing.build report $< --financial-year $(FY) --quarter $* --council $(COUNCIL) --data $(DATA) --out $(OUT)

$(REPORTS)/$(FY)/q%/benchmarking.pdf $(REPORTS)/$(FY)/q%/benchmarking.html: notebooks/benchmarking.ipynb $(SRC) $(INPUTS) $(NATIONAL)
	$(PYTHON) -m scrutiny.publishing.build report $< --financial-year $(FY) --quarter $* --council $(COUNCIL) --data $(DATA) --out $(OUT)

test: notebooks ## all tests: unit, bad input, notebooks (papermill, nbval) and the backtests of make q1 and q3
	$(PYTHON) -m pytest -q
	$(PYTHON) -m pytest -q --nbval-lax --nbval-current-env --nbval-cell-timeout 900 -p no:cacheprovider $(REPORT_NOTEBOOKS:%=notebooks/%.ipynb)

test-fast: ## unit tests only (skips the pipeline runs)
	$(PYTHON) -m pytest -q -m "not slow"

lint: ## ruff over the package, tests and notebook sources
	$(PYTHON) -m ruff check src tests notebooks

bench: notebooks ## time make q3 from clean, a no-op re-run and the empty-notebook floor
	$(PYTHON) scripts/benchmark.py

clean-reports: ## delete built reports (inputs are untouched)
	rm -rf $(REPORTS)/*/ build/failed

.PHONY: cld-bench
cld-bench: ## CLD engine: events per second and peak memory at 1 and 10 million synthetic events
	$(PYTHON) scripts/cld_benchmark.py
