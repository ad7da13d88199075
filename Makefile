# ektp-station — the whole gate in a few commands. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The exact, hashed set that CI, `make test` and the bundle install (docs/packaging.md,
# "Reproducible dependencies"); pyproject.toml keeps the ranges. `make lock` refreshes it.
LOCK := requirements/lock.txt
LOCK_WINDOWS := requirements/lock-windows.txt
LOCK_PIP := requirements/lock-pip.txt
LOCK_VENV ?= build/lock-venv
PIP_TOOLS ?= pip-tools==7.6.2
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: install lock run test lint typecheck unit bench bench-quick bench-store package clean

# The pinned pip, then the locked set (build backend included, so the editable install needs
# nothing unpinned), then the project itself without touching its dependencies.
$(STAMP): pyproject.toml $(LOCK) $(LOCK_PIP)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_PIP)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet '$(PIP_TOOLS)'

# Re-resolve after a change to pyproject.toml, keeping every pin that still fits; move pins
# with LOCK_ARGS=--upgrade (all) or LOCK_ARGS="--upgrade-package NAME[==VERSION]".
lock: $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) --all-build-deps --unsafe-package ektp-station \
		--extra gui --extra postgres --extra dev $(LOCK_ARGS) -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) -o $(LOCK_WINDOWS) requirements/windows.in
	$(PIP_COMPILE) --allow-unsafe $(LOCK_ARGS) -o $(LOCK_PIP) requirements/pip.in

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
