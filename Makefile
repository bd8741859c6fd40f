# One command each: `make test`, `make demo`, `make bench`. Each installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install lint test demo bench clean

$(BIN)/.installed: requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.13 (pyenv install 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

lint: install
	$(BIN)/ruff check handlers cli tests
	$(BIN)/ruff format --check handlers cli tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 -q

demo: install
	$(BIN)/wa-share sandbox

bench: install
	$(BIN)/python -m wa_share_cli.bench

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
