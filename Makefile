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
RENDER_DIR ?= rendered/$(if $(filter %.yaml,$(STACK)),$(patsubst Pulumi.%.yaml,%,$(notdir $(STACK))),$(STACK))
STAMP := $(VENV)/.moorage-installed
RUN := scripts/pulumi-stack
# Test processes (pytest-xdist). Unit tests are CPU-bound: one per core. Engine tests
# mostly wait on the engine and the control plane, so they overlap well beyond the core
# count; each worker runs whole test files and has its own kwok cluster.
UNIT_WORKERS ?= auto
ENGINE_WORKERS ?= 3

.PHONY: help up preview preview-json explain render convert destroy test test-unit test-engine lint typecheck fmt tools venv bench clean docs

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): requirements.lock pyproject.toml tools/setup-venv
	@# Every package (transitive ones too) pinned with hashes in requirements.lock; uv
	@# installs it in seconds from its cache (pip --require-hashes when uv is missing).
	@PYTHON=$(PYTHON) tools/setup-venv $(VENV)
	@# The engine starts dynamic providers in the program directory (infra/), so the
	@# relative `virtualenv: .venv` of Pulumi.yaml must resolve from there too.
	@ln -sfn ../.venv infra/.venv
	@# mypy checks the package under its import name, moorage (the folder is components/).
	@mkdir -p $(VENV)/mypy && ln -sfn ../../components $(VENV)/mypy/moorage
	@touch $@

venv: $(STAMP) ## Create the virtualenv from requirements.lock (hash-pinned)

.PHONY: lock
lock: ## Re-pin requirements.lock (with hashes) after editing requirements*.txt or pyproject.toml
	@uv=$$(tools/setup-venv --print-uv) && \
	  "$$uv" pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	    --custom-compile-command "make lock" requirements-dev.txt pyproject.toml -o requirements.lock && \
	  "$$uv" pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	    --custom-compile-command "make lock" requirements-s3.txt -o requirements-s3.lock && \
	  echo "[lock] requirements.lock and requirements-s3.lock updated; commit them with the requirements change"

tools: ## Reuse installed Pulumi/Kubernetes tools within range, build only what is missing
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

explain: venv ## Each service of STACK (or SERVICE): effective settings, their origin, its objects
	@$(PY) scripts/explain $(STACK) $(SERVICE)

render: venv ## Write the manifests STACK (or a stack file path) would apply to RENDER_DIR (rendered/STACK), validated; no cluster
	@$(PY) scripts/render $(STACK) $(RENDER_DIR)

convert: venv ## Convert manifests (FILES=a.yaml b.yaml) into stacks/Pulumi.STACK.yaml, with a fidelity report (ARGS=--exact)
	@$(PY) -m moorage convert $(FILES) --stack $(STACK) -o stacks/Pulumi.$(STACK).yaml $(ARGS)

destroy: venv tools ## Tear down STACK: the service and its cluster
	@$(RUN) $(STACK) destroy --yes

test: venv tools lint typecheck test-unit test-engine ## The whole test suite (lint, types, unit, engine)

test-unit: venv ## Fast unit tests under Pulumi mocks
	@$(PY) -m pytest -q -n $(UNIT_WORKERS) tests/unit

test-engine: venv tools ## Tests with the real engine and a local Kubernetes control plane
	@MOORAGE_TOOLS_BIN="$$(scripts/bootstrap-tools --print-bin-dir)" $(PY) -m pytest -q -n $(ENGINE_WORKERS) --dist loadfile tests/engine

lint: venv ## ruff lint and format check; actionlint and zizmor on the GitHub workflows (offline)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@tools/actionlint
	@$(VENV)/bin/zizmor --offline --quiet .github/

typecheck: venv ## mypy (strict) on the package
	@$(VENV)/bin/mypy

fmt: venv ## Format and auto-fix with ruff
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

docs: venv ## Regenerate the field reference in docs/reference/ from the code
	@$(PY) scripts/gen_reference.py

bench: venv tools ## Benchmarks (prints figures; never part of the tests)
	@MOORAGE_TOOLS_BIN="$$(scripts/bootstrap-tools --print-bin-dir)" $(PY) bench/run.py
	@$(PY) bench/full_service.py --write
	@$(PY) bench/convert.py --write
	@scripts/bootstrap-tools --only prometheus >/dev/null
	@MOORAGE_TOOLS_BIN="$$(scripts/bootstrap-tools --print-bin-dir)" $(PY) bench/canary_steps.py

clean: ## Remove the venv and the local state backend (not the tool cache)
	rm -rf $(VENV) .venv-s3 .pulumi build *.egg-info
