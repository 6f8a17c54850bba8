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

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL names one (CI sets it).
pytest:
	$(BIN)/pytest
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
		echo "== the same suite on PostgreSQL ($${TEST_DATABASE_URL})"; \
		POSTAL_HUB_TEST_ENGINE=postgresql $(BIN)/pytest; \
	fi

# Re-extract the UI strings after changing templates or code; then translate the new entries.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__ .venv' -o postal_hub/translations/messages.pot .
	$(BIN)/pybabel update -i postal_hub/translations/messages.pot -d postal_hub/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) build dist *.egg-info
