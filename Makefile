# The two commands: `make run` and `make test`. Each builds .venv itself.

# Any Python from 3.11 on will do; the newest found on PATH is taken. A name on PATH
# may be a pyenv shim for a version that isn't selected, so each candidate is run,
# not merely looked up. PYTHON=... on the command line or in the environment wins.
SUPPORTED := python3.13 python3.12 python3.11 python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in $(SUPPORTED); do \
    $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; \
  done)
endif
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# A .venv made earlier, with whichever Python, is kept while its interpreter runs;
# one whose Python was removed or upgraded away is built again.
VENV_WORKS := $(shell $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo yes)

.PHONY: run test lint typecheck pytest bench clean FORCE

ifeq ($(VENV_WORKS),yes)
$(BIN)/python: ;
else
$(BIN)/python: FORCE
	@if [ -z "$(PYTHON)" ]; then \
	  echo "postgate needs Python 3.11 or newer, and found none on PATH (looked for $(SUPPORTED))."; \
	  echo "  Debian/Ubuntu: sudo apt install python3 python3-venv"; \
	  echo "  macOS:         brew install python@3.13"; \
	  echo "  Or name one:   make run PYTHON=/path/to/python3.12"; \
	  exit 1; \
	fi
	@if [ -e $(VENV) ]; then echo "$(VENV) no longer works (its Python is gone); building it again with $(PYTHON)"; fi
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
endif

# Reinstall whenever pyproject.toml changes, so a pulled dependency bump is picked up.
$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/postgate run

test: $(STAMP)
	@$(BIN)/python -c 'import sys; print("Python", sys.version.split()[0], "in $(VENV)")'
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf .venv .venv-* .mypy_cache .ruff_cache .pytest_cache
