# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-all bench bench-smoke install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Offline demo: starts the sandbox, mines it with the `mine` flow into data/oss_miner.duckdb, writes reports/.
run: $(STAMP)
	$(BIN)/oss-miner run --sandbox --db data/oss_miner.duckdb --out reports

# Two workers (pytest-xdist); tests/conftest.py keeps each folder that shares a reference run on one.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

# Adds the heavy fault and scale variants.
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m ''

bench: $(STAMP)
	$(BIN)/python -m bench --full

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) data reports .pytest_cache
