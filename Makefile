# Two commands matter: `make run` and `make test`. Everything else is what they stand on.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CATALOGS := $(wildcard postal_hub/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test install lint typecheck pytest translations extract-messages clean

$(STAMP): pyproject.toml hatch_build.py
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP) $(CATALOGS:.po=.mo)

postal_hub/translations/%/LC_MESSAGES/messages.mo: postal_hub/translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

run: install
	$(BIN)/postal-hub db upgrade
	$(BIN)/postal-hub load-places
	$(BIN)/postal-hub seed-demo
	$(BIN)/postal-hub run --host 127.0.0.1 --port 5000

test: install lint typecheck pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL names one (CI sets it). The two runs share
# nothing (each has its own database and pytest temp folder), so they run side by side, each into
# its own log; the SQLite log is shown when that run ends, then the PostgreSQL one, then both exit
# codes. Ctrl-C or a kill stops both.
pytest:
	@if [ -z "$${TEST_DATABASE_URL:-}" ]; then exec $(BIN)/pytest; fi; \
	logs=$$(mktemp -d); sqlite=; postgresql=; \
	trap 'kill $$sqlite $$postgresql 2>/dev/null; rm -rf "$$logs"' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/pytest >"$$logs/sqlite.log" 2>&1 & sqlite=$$!; \
	POSTAL_HUB_TEST_ENGINE=postgresql $(BIN)/pytest >"$$logs/postgresql.log" 2>&1 & postgresql=$$!; \
	echo "== the suite on SQLite and, alongside, on PostgreSQL ($${TEST_DATABASE_URL})"; \
	wait $$sqlite; sqlite_rc=$$?; sqlite=; \
	echo "== SQLite (exit code $$sqlite_rc)"; cat "$$logs/sqlite.log"; \
	wait $$postgresql; postgresql_rc=$$?; postgresql=; \
	echo "== PostgreSQL, $${TEST_DATABASE_URL} (exit code $$postgresql_rc)"; cat "$$logs/postgresql.log"; \
	echo "== exit codes: SQLite $$sqlite_rc, PostgreSQL $$postgresql_rc"; \
	[ $$sqlite_rc -eq 0 ] && [ $$postgresql_rc -eq 0 ]

# Re-extract the UI strings after changing templates or code; then translate the new entries.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__ .venv' -o postal_hub/translations/messages.pot .
	$(BIN)/pybabel update -i postal_hub/translations/messages.pot -d postal_hub/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) build dist *.egg-info
