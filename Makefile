# Cpro — make demo (set up everything and serve on http://127.0.0.1:8000), make test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_ENV := DEBUG=1 DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/db.sqlite3}
PORT ?= 8000
# The demo's background tasks run in a real Celery worker, on an embedded broker (kombu's
# SQLAlchemy transport on a SQLite file): no Redis needed, pages never wait for an export.
DEMO_BROKER := sqla+sqlite:///$(CURDIR)/celery-demo.sqlite3

.PHONY: demo test test-fast lint format worker run migrate bench charge install clean

$(VENV)/.installed: pyproject.toml
	@PYBIN=$$(scripts/find-python) && echo "Python : $$PYBIN" && "$$PYBIN" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py charger_referentiels
	$(DEMO_ENV) $(PY) manage.py creer_demo --port $(PORT)
	@echo "Tâches de fond : worker Celery sur le broker embarqué $(DEMO_BROKER)"
	$(DEMO_ENV) CELERY_BROKER_URL=$(DEMO_BROKER) $(VENV)/bin/celery -A cpro worker --beat \
	  --pool=solo --loglevel=warning --schedule=$(CURDIR)/celerybeat-demo & \
	  WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(DEMO_ENV) CELERY_BROKER_URL=$(DEMO_BROKER) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: install
	$(VENV)/bin/celery -A cpro worker --loglevel=info --pool=solo

run: install
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn cpro.wsgi --bind 127.0.0.1:8000 --workers 3

# Large and small establishments + timed pages and workers (bench/README.md). Own database,
# never the demo's: make bench BENCH_DB=postgres://postgres@127.0.0.1:5432/cpro_bench
BENCH_DB ?= sqlite:///$(CURDIR)/bench.sqlite3
BENCH_ENV := DEBUG=1 DATABASE_URL=$(BENCH_DB)

# make bench: before (commit caa6ed0, git worktree) / after (working tree) over HTTP against
# gunicorn with production settings, PostgreSQL cpro_bench_avant / cpro_bench, the targets table
# of issue 14 in one run (bench/README.md). APPRENANTS=70 ANNEES=2 for a small run,
# BENCH_ARGS="--reutiliser" to keep the generated databases, "--sans-avant", "--tours 20"...
# The in-process bench stays: $(BENCH_ENV) $(PY) -m bench.scenarios --etablissement lp-grand
bench: install
	$(PY) -m bench.http --apprenants $${APPRENANTS:-1500} --annees $${ANNEES:-3} $(BENCH_ARGS)

# Load test: gunicorn + PostgreSQL on loopback, 100 simulated teachers, 4 min (bench/CHARGE.md).
charge: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench.run_charge $(CHARGE_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* bench.sqlite3* celery-demo.sqlite3* celerybeat-demo* media staticfiles
