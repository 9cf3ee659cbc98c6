# The two commands of README.md: `make demo` and `make test`. Each creates .venv and installs on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install demo test up down ui bench-ingest bench-embed bench-match clean

# torch is pinned by constraints.txt (a local CPU wheel on our machines; no CUDA downloads).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing revops-assets into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt -e . > $(VENV)/install.log 2>&1 \
		|| { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/revops demo

test: install
	$(BIN)/pytest -q

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

clean:
	-$(BIN)/revops down
	rm -rf .revops
