# One command each: `make test`, `make demo`, `make bench`. Each installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
# checkov pins an old boto3: its own venv, cached like the main one (rebuilt when its requirements change).
CHECKOV_VENV := .venv-checkov
TEMPLATES := template.yaml $(wildcard member_stackset/*.yaml)
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install lint checkov docs test unit demo bench clean

$(BIN)/.installed: requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.13 (pyenv install 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

$(CHECKOV_VENV)/.installed: .ci/checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r .ci/checkov-requirements.txt
	touch $@

# Offline: --skip-download (no Prisma Cloud policies or guides), no update check. Zero failed checks; each
# skip is a `# checkov:skip=<ID>:<reason>` comment inside its resource (tests/integration/security checks the reasons).
checkov: $(CHECKOV_VENV)/.installed
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(CHECKOV_VENV)/bin/checkov --skip-download --framework cloudformation \
		--quiet --compact $(addprefix --file ,$(TEMPLATES))

lint: install
	$(BIN)/ruff check handlers cli sandbox tests bench docs
	$(BIN)/ruff format --check handlers cli sandbox tests bench docs
	$(BIN)/mypy

# The docs site into site/: --strict fails on a broken link or anchor, a page missing from the nav, or a
# generated table (docs/hooks/generated.py) that cannot be rendered from the templates.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: lint checkov docs
	$(BIN)/pytest -n 2 -q

# The fast room alone: pure logic, no moto, a few seconds.
unit: install
	$(BIN)/pytest -q tests/unit

demo: install
	$(BIN)/wa-share sandbox

bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench.burst
	$(BIN)/python -m bench.coldstart

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) site .aws-sam .pytest_cache .mypy_cache .ruff_cache
