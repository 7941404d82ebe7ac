# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST_WORKERS ?= 2

.PHONY: run test stop setup lint format messages bench clean-var system-packages backup restore

$(BIN)/activate:
	$(PYTHON) -c 'import sys; sys.exit("helpdesk needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements-dev.txt $(VENV)/.requirements
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.requirements
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0

run: setup
	scripts/run.sh

# Debian's chromium for the browser tests, CJK fonts so that Chinese renders in screenshots and
# appraisal PDFs, gettext for the test that keeps the zh_Hans catalogue complete, and the
# libraries WeasyPrint (appraisal PDFs) loads: Pango, HarfBuzz (with its subsetter) and fontconfig.
# Dovecot for the IMAP polling tests: each test starts its own on a free port in a temporary
# directory, so the system service the package starts is stopped and disabled again.
PDF_LIBRARIES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v xgettext >/dev/null 2>&1 \
		|| ! dpkg -s fonts-noto-cjk dovecot-imapd $(PDF_LIBRARIES) >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "Installing chromium, fonts-noto-cjk, gettext, dovecot-imapd and WeasyPrint's libraries with apt-get"; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk gettext dovecot-imapd $(PDF_LIBRARIES) >/dev/null; \
		if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then \
			$$SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true; \
		elif [ -x /usr/sbin/dovecot ]; then $$SUDO /usr/sbin/dovecot stop >/dev/null 2>&1 || true; fi; \
	fi

test: $(VENV)/.requirements-dev system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py compile_translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The database (one pg_dump snapshot) and the attachments in one file under var/backups/;
# restore refuses a database holding data unless FORCE=1 (docs/operations.md, "Backup and restore").
backup: $(VENV)/.requirements
	$(PY) manage.py backup

restore: $(VENV)/.requirements
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=var/backups/helpdesk-....tar [FORCE=1]" >&2; exit 2; fi
	$(PY) manage.py restore "$(FILE)" $(if $(filter 1 yes true,$(FORCE)),--force)

stop:
	@if [ -x $(PY) ]; then $(PY) -m helpdesk.embedded stop; else echo "nothing to stop"; fi

lint: $(VENV)/.requirements-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.requirements-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs GNU gettext (apt-get install gettext); compiling does not.
messages: $(VENV)/.requirements
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compile_translations

bench: $(VENV)/.requirements-dev
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(PY) "$$script" || exit 1; done
