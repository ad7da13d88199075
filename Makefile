# ektp-station — the whole gate in a few commands. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck unit bench bench-quick bench-store package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/ektp-station $(or $(ARGS),demo)

lint: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

typecheck: install
	$(VENV)/bin/mypy

unit: install
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# save and status latency against the disk's fsync floor (docs/performance.md)
bench-store: install
	$(PY) bench/bench_store.py

# every benchmark, with baselines measured in the same run (docs/performance.md)
bench: install
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

bench-quick: install
	QT_QPA_PLATFORM=offscreen $(PY) -m bench --quick

# one-folder bundle + archive for counter PCs (docs/packaging.md)
package: install
	$(PY) packaging/build.py

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
