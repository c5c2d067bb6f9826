# Sen — two commands: `make run` and `make test`. Both create or update .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint pytest demo migrate messages secret-key clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when the requirement files change.
$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt $(VENV)/.run-installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

secret-key:
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key

messages: $(VENV)/.run-installed
	@$(PY) -m sen.core.i18n_compile

migrate: $(VENV)/.run-installed secret-key
	$(PY) manage.py migrate --noinput

demo: migrate messages
	$(PY) manage.py demo

## make run [PORT=8123] — the demo province on the embedded default, at http://127.0.0.1:$(PORT)
run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Sen: http://127.0.0.1:$(PORT)"
	SEN_BASE_URL=http://127.0.0.1:$(PORT) $(VENV)/bin/gunicorn config.wsgi -b 127.0.0.1:$(PORT) -w 2 --threads 4 --access-logfile -

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy sen config

## make test — the whole suite (unit, API, browser). DATABASE_URL=postgres://... runs it on PostgreSQL.
test: $(VENV)/.test-installed messages lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/sen.sqlite3* var/staticfiles
