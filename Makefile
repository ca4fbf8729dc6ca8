# civic: every target bootstraps its own environment from nothing but python3.
# uv is installed into .tools/ (a plain venv), then `uv sync --frozen` builds .venv
# from the committed uv.lock, so CI and a new laptop get the same versions.

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export UV_LINK_MODE := copy


.PHONY: contracts-publish run test test-unit test-integration test-e2e bench lint contracts images install clean help

help:
	@echo "make run    start the whole platform on the embedded stack, with demo data"
	@echo "make test   install everything and run the whole test suite"
	@echo "make bench  run the benchmarks, results in bench/results.md"
	@echo "make lint   ruff on everything, mypy (strict) on the runtime, contracts, gateway, web and services, import contracts (.importlinter)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml runtime/pyproject.toml contracts/pyproject.toml gateway/pyproject.toml web/pyproject.toml services/*/pyproject.toml
	$(UV) sync --frozen --all-groups
	@touch $@

install: $(VENV)/.synced

run: install
	$(BIN)/civic up

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

test-integration: install
	$(BIN)/python -m pytest -q tests/integration

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy runtime/civic contracts/civic_contracts gateway/civic_gateway web/civic_web $(foreach s,savings property safeguarding comms,services/$(s)/civic_$(s))
	$(BIN)/lint-imports --no-cache --no-logo

contracts: install
	$(BIN)/python -m civic_contracts.generate

contracts-publish: install
	$(BIN)/python -m civic_contracts.generate --publish

images:
	@bash deploy/images.sh

clean:
	rm -rf $(VENV) $(TOOLS) .civic
