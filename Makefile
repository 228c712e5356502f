# The few commands people type. Everything installs into .venv from pyproject.toml, so a bare
# machine with Python 3.11+ and make is enough.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
# Two installs: hoist alone (what `make demo` needs), and hoist with the dev tools (tests,
# linters, pyspark, Playwright, MkDocs: what every other target needs).
RUNTIME := $(VENV)/.installed
STAMP   := $(VENV)/.installed-dev
# pytest-xdist workers for `make test` (tests/conftest.py groups and orders the tests).
WORKERS ?= 2
PYTEST  := $(BIN)/python -m pytest

.PHONY: venv check test lint typecheck pytest test-fast test-warehouses test-spark test-ui \
	docs demo emulator bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hoist needs Python 3.11+; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

# uv installs the packages (pip only fetches uv): it links files from its cache where pip
# unpacks every wheel again, so the dev install (pyspark, dbt, Playwright) takes about a
# minute instead of several (measured side by side on this machine: 1 min 17 s against 9 min 46 s
# under the same load). Pinned below 1.0 so a breaking release cannot land unannounced.
$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.9,<1"

$(RUNTIME): pyproject.toml | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -e .
	@touch $(RUNTIME)

$(STAMP): pyproject.toml | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -e ".[dev]"
	@touch $(RUNTIME) $(STAMP)

venv: $(STAMP)

## the whole test suite: lint, types, every test with coverage (pytest exits non-zero when it
## collects nothing, and when line coverage falls under the floor in pyproject.toml)
test: lint typecheck pytest

## the fast path while you work: lint, types, unit and emulator tests (about a minute)
check: lint typecheck
	$(BIN)/python -m pytest tests/unit tests/emulator -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy  # src, tests, bench and examples, strict (see pyproject.toml)

pytest: $(STAMP)
	$(PYTEST) -n $(WORKERS) --dist loadgroup --durations=15 --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

## one tier at a time (the tier markers are set in tests/conftest.py), without coverage
test-fast: $(STAMP)
	$(PYTEST) -m fast -q $(PYTEST_ARGS)

test-warehouses: $(STAMP)
	$(PYTEST) -m warehouses -q $(PYTEST_ARGS)

test-spark: $(STAMP)
	$(PYTEST) -m spark -q $(PYTEST_ARGS)

test-ui: $(STAMP)
	$(PYTEST) -m ui -q $(PYTEST_ARGS)

## the user documentation (docs/) as a static site in site/, offline; docs/cli.md rewritten
## from the commands' --help first
docs: $(STAMP)
	$(BIN)/python -m hoist.cli.reference docs/cli.md
	$(BIN)/mkdocs build --strict

## run the bundled example project against a local Intercom emulator (hoist alone, no dev tools)
demo: $(RUNTIME)
	$(BIN)/python examples/demo.py

## a local Intercom API on http://127.0.0.1:8765
emulator: $(RUNTIME)
	$(BIN)/hoist emulator --host 127.0.0.1 --port 8765

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache examples/.hoist site
