# One command to run the app, one to test it; both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test install translations messages bench clean

# make run is the single-machine setup: development mode (plain http on 127.0.0.1) unless told otherwise.
run: export SELLERKIT_ENV ?= development
# Links in mails (password resets, opt-outs) lead back to this server, so it needs to know its own address.
run: export SELLERKIT_PUBLIC_URL ?= http://$(or $(HOST),127.0.0.1):$(or $(PORT),5000)
# A database that holds data gets a backup in instance/backups before migrations change it (none when up to date).
run: $(RUN_STAMP) translations
	$(BIN)/sellerkit db upgrade --backup-first
	$(BIN)/sellerkit serve

test: $(TEST_STAMP) translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# PERFORMANCE.md's benchmark at size M (SIZE=L for the large one) on SQLite, then on PostgreSQL at 127.0.0.1.
bench: $(TEST_STAMP) translations
	$(BIN)/python -m benchmarks --size $(or $(SIZE),M) --db sqlite
	$(BIN)/python -m benchmarks --size $(or $(SIZE),M) --db postgresql

install: $(RUN_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit("sellerkit needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: $(MO)

%.mo: %.po $(RUN_STAMP)
	$(BIN)/pybabel compile -i $< -o $@

# For developers: pull new strings, with their '# Translators:' comments, from the code into every catalog.
messages: $(RUN_STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_pgettext:1c,2 -c Translators: --no-location --sort-output \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) build *.egg-info
