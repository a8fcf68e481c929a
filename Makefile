# `make run` and `make test` work on a fresh clone: the venv is created on first use. `make run` installs
# only what the bot needs; `make test` and the checks add the dev tools (two stamps). The installs use uv
# (the one on PATH, else one pip puts into the venv): a fresh clone's `make run` shows the page in under a
# minute, where pip took 100 s (README). If uv fails for any reason, pip does the install.
# --compile-bytecode: uv, unlike pip, leaves the .pyc files out by default, and where PYTHONDONTWRITEBYTECODE
# is set (this CI machine) Python then compiles SQLAlchemy, aiogram & co. from source in every process: 2 s
# to import SQLAlchemy instead of 0.5, in each test worker, each CLI command and each bot start.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# The edge translates one way, `t(msgid, **params)` (bot/render/text.py); ids kept as data are marked `N_`.
# Babel's default keywords (_, gettext, ...) are off: a call in another style finds no msgid, and the
# catalogs test says so.
PYBABEL_KEYWORDS := --no-default-keywords -k N_ -k t

.PHONY: run test test-clock-ahead lint typecheck messages catalogs schemas

# $(call install,REQUIREMENT): the project, editable, into the venv.
define install
	test -x $(PY) || python3 -m venv $(VENV)
	UV=$$(command -v uv || echo $(BIN)/uv); \
	{ test -x "$$UV" || $(PY) -m pip install -q uv; } && "$$UV" pip install -q --compile-bytecode --python $(PY) -e '$(1)' \
		|| $(PY) -m pip install -q -e '$(1)'
endef

$(VENV)/.installed-run: pyproject.toml
	$(call install,.)
	touch $@

# The dev extras hold everything the bot needs too, so this stamp stands for both. deduce's lookup tables
# are built here, once (1-2 min the first time), so no test waits for them. Not in the run stamp: that
# would keep a newcomer's page away for minutes; where the bot loads the guard it does so in a thread and a
# free-text answer waits for it (bot/services/name_guard.py), so the first demo builds them while it runs.
$(VENV)/.installed: pyproject.toml
	$(call install,.[dev])
	$(PY) -m bot.services.name_guard  # builds deduce's lookup tables once (1-2 min the first time)
	touch $@ $(VENV)/.installed-run

# The demo: the built-in Bot API emulator's page and demo schools on data/demo/ (never the product's
# database; `zorgroute run` needs TELEGRAM_BOT_TOKEN).
run: $(VENV)/.installed-run
	$(BIN)/zorgroute demo

# Parallel workers (pytest-xdist; TEST_WORKERS=0 runs in one process); the slowest tests are listed so the
# next slow one is seen. One more worker than cores: a test waits about half its time on PostgreSQL, a
# subprocess or Chromium (in-process CPU 306 s of 706 s of test time), and the extra worker fills those
# waits. On this 2-core machine, quiet, one run each: -n 2 333 s, -n 3 264 s, -n 4 260 s.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(VENV)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

# The same tests with the machine's clock moved ahead (tests/conftest.py --clock-ahead): a test that compares
# its frozen clock with the real one fails here before the calendar makes it fail for everyone.
CLOCK_AHEAD_TESTS ?= tests/test_cli.py tests/test_cli_routes.py tests/test_subject_rights.py tests/test_audit.py \
	tests/test_retention.py tests/test_offboarding.py tests/notifications tests/follow_ups tests/channels
test-clock-ahead: $(VENV)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --clock-ahead=400 $(PYTEST_ARGS) $(CLOCK_AHEAD_TESTS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy bot flows storage emulator

# Rewrite docs/route.schema.json and docs/calendar.schema.json from the models in flows/ (review the diff).
schemas: $(VENV)/.installed
	$(PY) -m flows.schemas

# Extract msgids from the code into locales/messages.pot and merge them into the nl and en catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F locales/babel.cfg $(PYBABEL_KEYWORDS) --no-wrap --omit-header --no-location --sort-output \
		-o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-wrap --no-fuzzy-matching --ignore-obsolete

# Compile the .po catalogs to the .mo files the bot loads (committed, so a fresh clone works).
catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile -d locales -D messages --statistics
