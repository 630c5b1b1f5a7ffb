# Netwerkleren Monitor — everything a fresh machine needs, in two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8501

.PHONY: run test test-fast lint bench browser clean help

help:
	@echo "make run    - install (first time) and open the app on http://$(HOST):$(PORT)"
	@echo "make test   - install test tools (and Chromium when possible) and run every test"
	@echo "make bench  - print the benchmark table"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(PIP) install --disable-pip-version-check -q -r requirements.txt
	-$(BIN)/python -m analytics.draw.tie_map static  # vis-network for the app's maps (static/); without it they carry their own
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

run: $(VENV)/.installed
	$(BIN)/streamlit run serve.py --server.address $(HOST) --server.port $(PORT)

# Debian's Chromium for the real-browser tests. Installed when we are root (CI); otherwise the
# browser tests say why they skip (and under CI=true they fail instead of skipping).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian chromium for the browser tests…"; \
	  (apt-get install -y -q chromium fonts-liberation >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-liberation >/dev/null)) \
	  || echo "could not install chromium; browser tests will report it"; \
	else echo "chromium not installed and not root: browser tests will skip (run: sudo apt-get install chromium)"; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# The tests without a browser run on every core (pytest-xdist): most are one Python thread each (AppTest,
# pandas), so two workers on two cores take 5.7 instead of about 9.5 minutes. The browser tests run one at a
# time after them: each drives Chromium and a Streamlit server, which already fill the cores.
test: $(VENV)/.installed-dev browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n auto -m "not browser" --durations=10
	$(BIN)/python -m pytest -q -m browser --durations=10

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n auto -m "not browser"

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/_artifacts bench/_out
