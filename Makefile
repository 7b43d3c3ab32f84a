# scrutiny: build the Adults and Communities performance reports.
# `make help` lists the targets. Reports go to reports/<financial year>/q<quarter>/.

FY ?= 2025-26
HOME_COUNCIL := E10000018
COUNCIL ?= $(HOME_COUNCIL)
DATA ?= data/raw
REPORTS ?= reports
VENV ?= .venv
PYTHON ?= $(if $(wildcard $(VENV)/bin/python),$(VENV)/bin/python,python3)
MIRROR ?=

REPORT_NOTEBOOKS := quarterly_dashboard benchmarking use_of_resources waiting_list
SRC := $(shell find src/scrutiny -type f \( -name '*.py' -o -name '*.j2' -o -name '*.json' -o -name '*.csv' \) 2>/dev/null)
INPUTS := $(wildcard $(DATA)/*.csv $(DATA)/*/*.csv)
NATIONAL_ODS := data/raw/national/ascof_time_series_2015-16_to_2024-25.ods
NATIONAL := data/national_sources.csv $(wildcard data/raw/national/* data/processed/ascof_time_series.csv)
QUARTER_DIR := $(REPORTS)/$(FY)/q
# Another council's reports go to reports/<FY>/q<N>-<COUNCIL>/, never over the home council's.
COUNCIL_SUFFIX := $(if $(filter $(HOME_COUNCIL),$(COUNCIL)),,-$(COUNCIL))
BUILD = $(PYTHON) -m scrutiny.publishing.build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Independent reports build in parallel (JOBS=1 builds one at a time); each progress line
# names its report, so interleaved lines stay readable.
MAKEFLAGS += --jobs=$(JOBS) --no-print-directory
# A half-written file never counts as built; published reports and stamps are never deleted by make
# on an interrupt or a failure (the build publishes them atomically itself).
.DELETE_ON_ERROR:
.PRECIOUS: $(QUARTER_DIR)%$(COUNCIL_SUFFIX)/.parameters $(foreach n,$(REPORT_NOTEBOOKS),$(QUARTER_DIR)%$(COUNCIL_SUFFIX)/$(n).manifest.json)
# The synthetic work-tray extract the waiting-list report reads by default (data/processed, never committed).
WAITING_EXTRACT := data/processed/waiting_list_extract.csv
# Client level data: the council's own extract (CLD_EXTRACT=path/to/extract.parquet or .csv, kept
# outside the repository) or, by default, a seeded synthetic extract (data/processed, never committed).
# CLD_IN_USE records which one the reports were built from, so switching extracts rebuilds them.
CLD_EXTRACT ?=
CLD_SYNTHETIC := data/processed/cld_synthetic.parquet
CLD_INPUT := $(or $(CLD_EXTRACT),$(CLD_SYNTHETIC))
CLD_IN_USE := data/processed/cld_extract_in_use.txt
CLD_ARGS := $(if $(CLD_EXTRACT),--parameter cld_extract=$(abspath $(CLD_EXTRACT)))
# Prerequisites and notebook parameters a report has beyond the sources, inputs and national files.
EXTRA_quarterly_dashboard := $(CLD_INPUT) $(CLD_IN_USE)
EXTRA_waiting_list := $(WAITING_EXTRACT) $(CLD_INPUT) $(CLD_IN_USE)
ARGS_quarterly_dashboard := $(CLD_ARGS)
ARGS_waiting_list := $(CLD_ARGS)

.DEFAULT_GOAL := help
.PHONY: help setup data notebooks q1 q2 q3 q4 test test-fast nbval lint bench clean-reports FORCE

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

q1 q2 q3 q4: q%: $(foreach n,$(REPORT_NOTEBOOKS),$(QUARTER_DIR)%$(COUNCIL_SUFFIX)/$(n).manifest.json) ## run every report for a quarter, e.g. make q3 FY=2025-26
	@echo "Reports for $(FY) quarter $* ($(COUNCIL), $(DATA)) are in $(QUARTER_DIR)$*$(COUNCIL_SUFFIX)/"

# The parameters a quarter was built with. The check runs every time (it is fast and writes nothing
# for a bad FY, COUNCIL or DATA); the stamp changes only when the parameters do, which rebuilds.
$(QUARTER_DIR)%$(COUNCIL_SUFFIX)/.parameters: FORCE
	@$(BUILD) parameters --financial-year $(FY) --quarter $* --council $(COUNCIL) --data $(DATA) --stamp $@

# One rule for every report in REPORT_NOTEBOOKS: a papermill run writes the executed notebook, HTML,
# PDF and CSV tables, published together; the manifest is written last, so it is the target.
# `make q3-<report>` builds one report, e.g. make q3-benchmarking COUNCIL=<a council in councils.csv>.
define REPORT_RULE
$(QUARTER_DIR)%$(COUNCIL_SUFFIX)/$(1).manifest.json: notebooks/$(1).ipynb $(QUARTER_DIR)%$(COUNCIL_SUFFIX)/.parameters $$(SRC) $$(INPUTS) $$(NATIONAL) $$(EXTRA_$(1))
	@$$(BUILD) report $$< --financial-year $$(FY) --quarter $$* --council $$(COUNCIL) --data $$(DATA) --out $$(@D) $$(ARGS_$(1))

q%-$(1): $(QUARTER_DIR)%$(COUNCIL_SUFFIX)/$(1).manifest.json
	@echo "$(1) for $$(FY) quarter $$* ($$(COUNCIL)) is in $$(<D)/"
endef
$(foreach n,$(REPORT_NOTEBOOKS),$(eval $(call REPORT_RULE,$(n))))

FORCE:

# The synthetic work-tray extract (never committed): seeded, calibrated to the published positions.
$(WAITING_EXTRACT): $(DATA)/waiting_list_positions.csv src/scrutiny/waiting_list/synthetic.py
	$(PYTHON) -m scrutiny.waiting_list.synthetic --data $(DATA) --out $@

# The synthetic CLD extract (never committed): seeded person journeys for every council of the
# reporting calendar, April 2023 to the end of its latest financial year; a few seconds.
$(CLD_SYNTHETIC): $(DATA)/reporting_calendar.csv $(DATA)/councils.csv src/scrutiny/cld/synthetic.py src/scrutiny/inputs/cld_extract.py
	$(PYTHON) -m scrutiny.inputs.cld_extract synthetic --data $(DATA) --out $@

# Rewritten only when CLD_EXTRACT changes, so the reports that read it rebuild then and only then.
$(CLD_IN_USE): FORCE
	@mkdir -p $(@D); echo '$(abspath $(CLD_INPUT))' | cmp -s - $@ 2>/dev/null || echo '$(abspath $(CLD_INPUT))' > $@

test: notebooks $(WAITING_EXTRACT) $(CLD_SYNTHETIC) ## all tests: unit, bad input, notebooks (papermill, nbval) and the backtests of make q1 and q3
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

# Benchmarking for any of the 153 councils with adult social services responsibilities, from the
# national tables (make data), into reports/<FY>/q<Q>-<council>/, rebuilt every time it is asked for:
# make benchmarking COUNCIL=E10000007 COMPARATOR=county_councils Q=3
# (comparators: nearest_neighbours, county_councils, region, all_councils).
Q ?= 3
COMPARATOR ?= nearest_neighbours
.PHONY: benchmarking
benchmarking: notebooks/benchmarking.ipynb ## benchmarking for any council: make benchmarking COUNCIL=E10000007 COMPARATOR=county_councils Q=3
	@$(BUILD) report $< --any-council --financial-year $(FY) --quarter $(Q) --council $(COUNCIL) --comparator $(COMPARATOR) --data $(DATA) --out $(QUARTER_DIR)$(Q)$(COUNCIL_SUFFIX)
	@echo "Benchmarking of $(COUNCIL) against $(COMPARATOR) for $(FY) quarter $(Q) is in $(QUARTER_DIR)$(Q)$(COUNCIL_SUFFIX)/"

.PHONY: cld-bench
cld-bench: ## CLD engine: events per second and peak memory at 1 and 10 million synthetic events
	$(PYTHON) scripts/cld_benchmark.py
