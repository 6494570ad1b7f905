# Moorage's interface. The two set-up commands are `make up` and `make test`;
# both install everything they need (Python venv, pinned tools built from Go).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= local
ARGS ?=
RENDER_DIR ?= rendered/$(STACK)
STAMP := $(VENV)/.moorage-installed
RUN := scripts/pulumi-stack

.PHONY: help up preview preview-json render destroy test test-unit test-engine lint typecheck fmt tools venv bench clean docs

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@echo "[setup] creating $(VENV) and installing pinned Python packages"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@$(PY) -m pip install --quiet -r requirements-dev.txt -e . >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@# The engine starts dynamic providers in the program directory (infra/), so the
	@# relative `virtualenv: .venv` of Pulumi.yaml must resolve from there too.
	@ln -sfn ../.venv infra/.venv
	@# mypy checks the package under its import name, moorage (the folder is components/).
	@mkdir -p $(VENV)/mypy && ln -sfn ../../components $(VENV)/mypy/moorage
	@touch $@

venv: $(STAMP) ## Create the virtualenv with pinned packages

tools: ## Build or reuse the pinned Pulumi engine, providers and Kubernetes binaries
	@scripts/bootstrap-tools

up: venv tools ## The main job: `pulumi up` of STACK (default: local, on a kwok/kind cluster)
	@$(RUN) $(STACK) up --yes
	@scripts/print-access $(STACK)

# preview/render build missing tools themselves (bootstrap-tools --print-bin-dir), keeping
# stdout clean for ARGS=--json; the `tools` target would print the bin dir there.
preview: venv ## `pulumi preview` of STACK with the policy pack, summarised (ARGS=--json for machines)
	@$(PY) scripts/preview $(STACK) $(ARGS)

preview-json: venv ## The same preview as one JSON document (changes, policy violations)
	@$(PY) scripts/preview $(STACK) --json $(ARGS)

render: venv ## Write the manifests STACK would apply to RENDER_DIR (rendered/STACK), validated; no cluster
	@$(PY) scripts/render $(STACK) $(RENDER_DIR)

destroy: venv tools ## Tear down STACK: the service and its cluster
	@$(RUN) $(STACK) destroy --yes

test: venv tools lint typecheck test-unit test-engine ## The whole test suite (lint, types, unit, engine)

test-unit: venv ## Fast unit tests under Pulumi mocks
	@$(PY) -m pytest -q tests/unit

test-engine: venv tools ## Tests with the real engine and a local Kubernetes control plane
	@MOORAGE_TOOLS_BIN="$$(scripts/bootstrap-tools --print-bin-dir)" $(PY) -m pytest -q tests/engine

lint: venv ## ruff lint and format check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: venv ## mypy (strict) on the package
	@$(VENV)/bin/mypy

fmt: venv ## Format and auto-fix with ruff
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

docs: venv ## Regenerate the field reference in docs/reference/ from the code
	@$(PY) scripts/gen_reference.py

bench: venv tools ## Benchmarks (prints figures; never part of the tests)
	@MOORAGE_TOOLS_BIN="$$(scripts/bootstrap-tools --print-bin-dir)" $(PY) bench/run.py

clean: ## Remove the venv and the local state backend (not the tool cache)
	rm -rf $(VENV) .pulumi build *.egg-info
