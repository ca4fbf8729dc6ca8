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


.PHONY: contracts-publish run observe prometheus test test-unit test-integration test-e2e bench lint contracts images install clean help

help:
	@echo "make run    start the whole platform on the embedded stack, with demo data"
	@echo "make observe  the same, with a local Prometheus scraping every component with the alerting rules"
	@echo "             (make run OBSERVE=1 likewise; installs Debian's prometheus package if missing, as root or through sudo)"
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

run: install $(if $(OBSERVE),prometheus)
	$(BIN)/civic up $(if $(OBSERVE),--observe)

observe:
	@$(MAKE) --no-print-directory run OBSERVE=1

# Prometheus from Debian's package, for `civic up --observe`: apt-get as root, or through sudo, when it is missing.
prometheus:
	@[ -n "$$CIVIC_PROMETHEUS" ] || command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; echo "make: installing Debian's prometheus package with sudo"; \
	  else echo "make: Prometheus is not installed, and installing it needs root. Install it, then run this again:"; \
	       echo "    apt-get install --no-install-recommends prometheus    (as root; or set CIVIC_PROMETHEUS to a prometheus binary)"; \
	       exit 1; fi; \
	  command -v apt-get >/dev/null 2>&1 || { echo "make: no apt-get here: install Prometheus 2.x yourself and put prometheus on the PATH (or set CIVIC_PROMETHEUS)"; exit 1; }; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null || { \
	    echo "make: apt-get could not install prometheus; install it as root: apt-get install --no-install-recommends prometheus"; exit 1; }; \
	  echo "make: installed $$(prometheus --version 2>&1 | head -1) (Debian may also start its own prometheus service on :9090; civic's is on :9190)"; }

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

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
	$(BIN)/mypy runtime/civic contracts/civic_contracts gateway/civic_gateway web/civic_web $(wildcard services/*/civic_*)
	$(BIN)/lint-imports --no-cache --no-logo

contracts: install
	$(BIN)/python -m civic_contracts.generate

contracts-publish: install
	$(BIN)/python -m civic_contracts.generate --publish

images:
	@bash deploy/images.sh

clean:
	rm -rf $(VENV) $(TOOLS) .civic
