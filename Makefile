# The few commands people type. Everything installs into .venv from pyproject.toml, so a bare
# machine with Python 3.11+ and make is enough.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: venv check test lint typecheck pytest demo emulator bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hoist needs Python 3.11+; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

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
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

## run the bundled example activation against a local Intercom emulator
demo: $(STAMP)
	$(BIN)/python examples/demo.py

## a local Intercom API on http://127.0.0.1:8765
emulator: $(STAMP)
	$(BIN)/hoist emulator --host 127.0.0.1 --port 8765

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache examples/.hoist
