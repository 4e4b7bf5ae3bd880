# One entry point for setup, the service, the tests and the linters; CI runs `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
QA := $(VENV)/bin/qa
PYTHON ?= python3
export HF_HUB_OFFLINE ?= 1

.PHONY: setup run index serve test lint browser audit

setup: $(VENV)/.installed

# torch is pinned to the CPU wheel first: an unpinned torch would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

index: setup
	$(QA) index seeds

run: index
	$(QA) serve

# The browser tests drive Debian's Chromium; install it, the compose client that validates
# docker-compose.yml and wrk (the benches' load generator) when missing. Needs root, as on
# the dev and CI machines.
browser:
	@command -v chromium >/dev/null && command -v docker-compose >/dev/null && \
	  command -v wrk >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq chromium docker-compose wrk >/dev/null; }

# pytest's exit code 5 means it collected no tests: a broken suite, never a pass. make turns
# any failing recipe into its own exit code 2, so the reason is said here, where it is known.
test: setup browser
	@$(PY) -m pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a broken suite" >&2; fi; \
	  exit $$status

lint: setup
	$(VENV)/bin/ruff check qa index api tests bench .ci/audit.py
	$(VENV)/bin/mypy

# Known vulnerabilities in the installed (locked) dependency set: pip-audit, else PyPI's pages.
audit: setup
	$(PY) -m pip freeze --exclude-editable > $(VENV)/requirements.lock
	$(PY) .ci/audit.py $(VENV)/requirements.lock
