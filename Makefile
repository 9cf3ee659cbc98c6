# The two commands of README.md: `make demo` and `make test`. Each creates .venv and installs on first use, from
# the lock files only (pip --no-deps: nothing is resolved on the user's machine). `make lock` refreshes them.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
LOCK   ?= requirements-dev.lock
# torch 2.13.0+cpu: a local wheel on our machines (/opt/wheels), else PyTorch's CPU index.
TORCH_SOURCE ?= $(if $(wildcard /opt/wheels/torch-2.13.0*),--find-links /opt/wheels,--extra-index-url https://download.pytorch.org/whl/cpu)

.PHONY: install lock demo test faults up down ui bench-ingest bench-embed bench-match clean

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing revops-assets into $(VENV) from $(LOCK) (log: $(VENV)/install.log)"
	@{ $(BIN)/python -m pip install --disable-pip-version-check --no-deps $(TORCH_SOURCE) -r $(LOCK) \
		&& $(BIN)/python -m pip install --disable-pip-version-check --no-deps --no-build-isolation -e . \
		&& $(BIN)/python -m pip check; } > $(VENV)/install.log 2>&1 \
		|| { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

# Refresh both locks (runtime; runtime + every extra) after editing pyproject.toml: keeps current pins where they
# still fit; `make lock UPGRADE=--upgrade` moves everything to the newest versions the ranges allow.
lock: install
	$(BIN)/uv pip compile pyproject.toml --all-extras -c constraints.txt $(TORCH_SOURCE) --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 $(UPGRADE) -q -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml --extra demo --extra k8s -c requirements-dev.lock $(TORCH_SOURCE) --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -q -o requirements.lock

demo: install
	$(BIN)/revops demo

test: install
	$(BIN)/pytest -q

# The fault suite alone (`make test` runs it too): real faults on real Postgres (servers stopped mid-COPY, backends
# terminated, a worker SIGKILLed, concurrent syncs, drift, hostile data and names, a password grep), ending with
# "N scenarios, 0 rows lost, 0 duplicated, 0 half-written tables, 0 secrets seen"; non-zero exit otherwise.
faults: install
	$(BIN)/pytest -q revops_assets_tests/faults

up: install
	$(BIN)/revops up

down: install
	$(BIN)/revops down

# The Dagster UI on http://127.0.0.1:3000 over the embedded warehouse.
ui: up
	eval "$$($(BIN)/revops env)" && $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench-ingest: install
	$(BIN)/revops bench ingest

bench-embed: install
	$(BIN)/revops bench embed

bench-match: install
	$(BIN)/revops bench match

# .revops holds the embedded servers' data, and in it people's review decisions: `make clean` exports them first
# (decisions-<time>.csv here; `revops review import` restores them) and deletes nothing if it cannot.
# FORCE=1 deletes without exporting.
CLEAN_ENV = env -u WAREHOUSE_DSN -u ODOO_DSN -u APN_DSN REVOPS_HOME=$(CURDIR)/.revops
DECISIONS_BACKUP ?= decisions-$(shell date +%Y%m%d-%H%M%S).csv
clean:
	@if [ -d .revops ] && [ "$(FORCE)" != 1 ]; then \
		if [ ! -x $(BIN)/revops ]; then \
			echo "make clean: refusing: .venv is missing, so the review decisions in .revops cannot be exported" \
				"(make install first, or FORCE=1 to delete them)"; exit 1; fi; \
		$(CLEAN_ENV) $(BIN)/revops up > /dev/null \
			&& $(CLEAN_ENV) $(BIN)/revops review export decisions $(DECISIONS_BACKUP) \
			|| { echo "make clean: refusing: could not export the review decisions from .revops; nothing was" \
				"deleted (FORCE=1 deletes without exporting)"; exit 1; }; \
	fi
	-@[ -d .revops ] && [ -x $(BIN)/revops ] && $(CLEAN_ENV) $(BIN)/revops down
	rm -rf .revops
