# `make run` and `make test` work on a fresh clone: the venv is created on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYBABEL_KEYWORDS := -k _ -k __ -k gettext -k lazy_gettext -k N_ -k t

.PHONY: run test lint typecheck messages catalogs clean-venv

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/zorgroute run

# Parallel workers (pytest-xdist; TEST_WORKERS=0 runs in one process); the slowest tests are listed so the
# next slow one is seen.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy bot flows storage

# Extract msgids from the code into locales/messages.pot and merge them into the nl and en catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F locales/babel.cfg $(PYBABEL_KEYWORDS) --no-wrap --omit-header --no-location --sort-output \
		-o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-wrap --no-fuzzy-matching --ignore-obsolete

# Compile the .po catalogs to the .mo files the bot loads (committed, so a fresh clone works).
catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile -d locales -D messages --statistics
