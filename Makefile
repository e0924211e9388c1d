# crampkg — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Debian packages the tests drive for real (browser, independent RDF parsers, the JDK for HermiT,
# the Virtuoso store).
SYSTEM_PACKAGES := chromium raptor2-utils serdi graphviz default-jre-headless virtuoso-opensource-7-bin
PYTEST_ARGS ?=
# The peers `make bench` measures against, in their own venv so they never touch crampkg's dependencies.
BENCH_VENV := .venv-bench
BENCH_PEERS := oxigraph==0.5.13 rdflib-endpoint==0.6.3 uvicorn==0.54.0
# The load generator `make bench` drives every server with (a Debian package).
BENCH_SYSTEM_PACKAGES := wrk

.PHONY: install install-test system-deps build run test check-shared bench bench-peers bench-server bench-corpus \
        bench-corpus-1000 bench-stores reliability lint fidelity clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

system-deps:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends \
	    -o DPkg::Lock::Timeout=600 $$missing; \
	fi

install-test: system-deps $(VENV)/.installed-test

build: install
	$(BIN)/crampkg build

run: build
	$(BIN)/crampkg serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/crampkg build
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# A maintainer's check, not a test: do the shipped article and allow-list still agree with ../shared?
SHARED ?= ../shared
check-shared: install
	$(BIN)/python scripts/check_shared.py --shared $(SHARED)

$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q $(BENCH_PEERS)
	touch $@

bench-peers: $(BENCH_VENV)/.installed
	@$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(BENCH_SYSTEM_PACKAGES)"

# Everything measured side by side with its peer: the server, the corpus build, the external stores.
bench: bench-server bench-corpus bench-stores

# Requests/s and latency against the Oxigraph server and rdflib-endpoint.
bench-server: install build bench-peers
	PEERS_BIN=$(BENCH_VENV)/bin $(BIN)/python -m bench

# Build time per stage and peak memory for synthetic corpora of 1, 10 and 100 articles.
bench-corpus: install
	$(BIN)/python -m bench.scale --articles 1 10 100 --reference 1 10

# The 1,000-article build alone (minutes): results in bench/results/corpus-1000.md.
bench-corpus-1000: install
	$(BIN)/python -m bench.scale --articles 1000 --reference --output corpus-1000

# Load time into, and latency over, the Oxigraph server and Virtuoso (both installed with the test extras).
bench-stores: install-test build
	$(BIN)/python -m bench.stores

# The README's picture of the query page, taken by its browser test.
screenshots: install-test build
	$(BIN)/python -m pytest -q tests/server/pages/test_query_page.py -k screenshot_for_the_readme
	mkdir -p docs && cp test-artifacts/query-page.png docs/query-page.png

# docs/fidelity.md: the article sentence by sentence with its claims, generated from the graph (tested as current)
fidelity: install
	$(BIN)/python scripts/fidelity.py

# What crampkg withstands (hostile inputs, 64-client load, faults, data lost), as one table; bounded, loopback only.
reliability: install-test
	$(BIN)/python -m bench.reliability

lint: install-test
	$(BIN)/ruff check kg server tests bench scripts

clean:
	rm -rf build build.old .pytest_cache test-artifacts
