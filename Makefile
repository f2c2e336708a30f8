# Tandem: `make run` serves the portal locally, `make test` runs the suite on SQLite and
# on PostgreSQL, `make bench` measures pages against a hello-world, `make lint` runs ruff.
# Each target works on a fresh Debian 12 machine: it makes .venv and installs what it needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp is remade when pyproject.toml changes, so `make` reinstalls after a dep bump.
STAMP  := $(VENV)/.installed

TEST_PACKAGES  := chromium postgresql redis-server wrk
BENCH_PACKAGES := wrk
PYTEST_ARGS    ?=
# The suite runs in parallel: two pytest-xdist workers per core, at most 8, as a worker
# spends much of its time waiting (each runs its own Chromium, gunicorns and huey
# consumers, and gets its own PostgreSQL database).
# `--dist loadgroup` keeps tests marked `xdist_group` on one worker. PYTEST_ARGS comes after,
# so `PYTEST_ARGS='-n 0'` runs serially.
PYTEST_XDIST   ?= -n $(WORKERS) --dist loadgroup
WORKERS        := $(shell n=$$(( $$(nproc) * 2 )); [ $$n -gt 8 ] && n=8; echo $$n)
PYTEST         := $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

export DEBIAN_FRONTEND := noninteractive

.PHONY: run test test-sqlite test-postgres bench lint venv db

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || scripts/ensure-packages python3-venv
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# A local run uses the development defaults (loopback address, email in the log, a key
# generated here), which any other start refuses.
db run: export TANDEM_ENV := development

db: $(STAMP)
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo

run: db
	COOKIE_SECURE=0 scripts/serve

# Both runs always happen, each in parallel; the target fails if either failed. They share
# one directory of the page shapes axe has passed (see tests/browser/conftest.py), made for
# this run only, so a page the SQLite run audited is not audited again on PostgreSQL.
test: $(STAMP)
	@scripts/ensure-packages $(TEST_PACKAGES)
	@status=0; \
	export TANDEM_AXE_PASSED=$$(mktemp -d -t tandem-axe-XXXXXX); \
	trap 'rm -rf "$$TANDEM_AXE_PASSED"' EXIT; \
	echo; echo "===== pytest on SQLite (temporary files) ====="; \
	env -u DATABASE_URL $(PYTEST) || status=1; \
	echo; echo "===== pytest on PostgreSQL (temporary server on 127.0.0.1) ====="; \
	scripts/with-postgres $(PYTEST) || status=1; \
	echo; \
	if [ $$status -eq 0 ]; then echo "make test: SQLite and PostgreSQL runs passed"; \
	else echo "make test: FAILED (see the runs above)"; fi; \
	exit $$status

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(PYTEST)

test-postgres: $(STAMP)
	@scripts/ensure-packages postgresql
	scripts/with-postgres $(PYTEST)

bench: $(STAMP)
	@scripts/ensure-packages $(BENCH_PACKAGES)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/newsletter.py

lint: $(STAMP)
	$(BIN)/ruff check .
