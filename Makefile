# The two commands: `make demo` runs the portal with demo data; `make test` runs every check.
PYTHON ?= python3
# The demo's port: `make demo PORT=8100` (email links follow it unless PORTAL_BASE_URL is set).
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test install browser lock lint clean

demo: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py run_portal --port $(PORT)

test: $(INSTALLED) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=portal.settings.test
	# pytest exits 5 when it collected no test; that is not a failure of the checks above.
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; if [ $$status -eq 5 ]; then exit 0; fi; exit $$status

install: $(INSTALLED)

$(INSTALLED): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

# Browser tests drive Debian's Chromium (never a downloaded browser) with Korean fonts, and
# inject axe-core (pinned in package-lock.json) to check each page's accessibility.
browser:
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_axe.sh

# Re-pin dependencies after editing pyproject.toml.
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

lint: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/celery var/test-db.sqlite3 var/test-media artifacts node_modules
