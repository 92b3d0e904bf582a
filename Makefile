# Freelancer platform: `make local` converges it on the embedded emulator,
# `make test` proves it. Every target uses the virtualenv in .venv/.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCAL_AWS_PORT ?= 4566
export LOCAL_AWS_PORT
INVENTORY ?= inventories/local
ENV_NAME ?= local
# Unit and integration tests run on this many processes (pytest-xdist).
PYTEST_WORKERS ?= 2
# A command prefix for the suites that run beside molecule in `make test`.
SIDE ?=

.PHONY: help venv emulator-start emulator-stop emulator-status local teardown-local check-local check-tags \
	lint yamllint ansible-lint ruff syntax unit integration molecule test bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt emulator/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e emulator
	touch $@

venv: $(BIN)/.installed ## Create the virtualenv from the pinned requirements

emulator-start: venv ## Start the emulator on LOCAL_AWS_PORT (default 4566)
	$(BIN)/python -m freelancer_emulator start --port $(LOCAL_AWS_PORT)

emulator-stop: venv ## Stop the emulator on LOCAL_AWS_PORT
	$(BIN)/python -m freelancer_emulator stop --port $(LOCAL_AWS_PORT)

emulator-status: venv ## Say whether the emulator on LOCAL_AWS_PORT runs
	$(BIN)/python -m freelancer_emulator status --port $(LOCAL_AWS_PORT)

local: venv ## Converge the whole platform on the emulator and write outputs/local.json
	@if [ -z "$$AWS_ENDPOINT_URL" ]; then $(BIN)/python -m freelancer_emulator start --port $(LOCAL_AWS_PORT); fi
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-playbook site.yml -i $(INVENTORY)
	@echo "Outputs: outputs/$(ENV_NAME).json"

check-local: venv ## Preview the platform on the emulator (--check --diff)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-playbook site.yml -i $(INVENTORY) --check --diff

check-tags: venv ## Rerun each role alone by its tag on the converged local environment; fail on any change
	@for role in $$($(BIN)/python -c "import yaml; print(*yaml.safe_load(open('group_vars/all/platform.yml'))['platform_roles'])"); do \
	  recap=$$(PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-playbook site.yml -i $(INVENTORY) --tags $$role | grep -E '^[a-z].*: ok=') || exit 1; \
	  echo "--tags $$role: $$recap"; \
	  case "$$recap" in *" changed=0 "*) ;; *) echo "--tags $$role changed something"; exit 1;; esac; \
	done

teardown-local: venv ## Remove every resource of the local environment
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ansible-playbook playbooks/teardown.yml -i $(INVENTORY)

yamllint: venv
	$(SIDE) $(BIN)/yamllint --strict .

ansible-lint: venv
	PATH="$(CURDIR)/$(BIN):$$PATH" $(SIDE) $(BIN)/ansible-lint --offline --profile production

ruff: venv
	$(SIDE) $(BIN)/ruff check .
	$(SIDE) $(BIN)/ruff format --check .

syntax: venv
	for playbook in site.yml playbooks/teardown.yml; do \
	  for inventory in inventories/local inventories/dev inventories/prod; do \
	    $(SIDE) $(BIN)/ansible-playbook --syntax-check -i $$inventory $$playbook || exit 1; \
	  done; \
	done

lint: yamllint ansible-lint ruff syntax ## yamllint, ansible-lint (production), ruff, syntax checks

unit: venv ## Unit tests: filters, modules, the emulator launcher, Lambda code
	PATH="$(CURDIR)/$(BIN):$$PATH" $(SIDE) $(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) tests/unit

integration: venv ## Playbooks run as a user would: bad input, a copied inventory
	PATH="$(CURDIR)/$(BIN):$$PATH" $(SIDE) $(BIN)/pytest -q -p no:cacheprovider tests/integration

molecule: venv ## The molecule scenarios on their own emulator
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/molecule test --all

# Each suite uses its own emulator(s) and environment names, so they run side by
# side (each suite's output is printed when it ends). The molecule scenario is
# the longest and keeps about one core busy; the other suites run at a lower
# priority (SIDE) in what it leaves, so they do not lengthen it.
test: venv ## Everything CI runs
	$(MAKE) --no-print-directory -j4 --output-sync=target lint unit integration molecule SIDE="nice -n 15"

bench: venv ## Payment webhook benchmark: warm throughput and latency, cold start (emulator + local MariaDB)
	@if [ -z "$$AWS_ENDPOINT_URL" ]; then $(BIN)/python -m freelancer_emulator start --port $(LOCAL_AWS_PORT); fi
	$(BIN)/python bench/webhook_benchmark.py

clean: ## Stop the emulator and remove the virtualenv and outputs
	-$(BIN)/python -m freelancer_emulator stop --port $(LOCAL_AWS_PORT)
	rm -rf $(VENV) outputs .emulator
