# `make run` and `make test` set everything up on a fresh clone: .venv, torch first, then the
# project. A version pin does not pick PyTorch's CPU build: on Linux, PyPI's torch is the CUDA
# one (several GB of nvidia-* packages). Where pip offers no CPU build of its own (this
# machine's pip find-links do), set TORCH_INDEX to PyTorch's CPU index:
#   make run TORCH_INDEX=https://download.pytorch.org/whl/cpu
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
TORCH_INDEX ?=

.PHONY: install run test typecheck lint bench eval index clean postgres browser

RUN_STAMP := $(VENV)/.installed-run

install: $(STAMP)

# What `make run` needs: the project alone. `make test` adds the dev extras, among them
# llama-cpp-python, built from source the first time (minutes; pip caches the wheel).
$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet $(TORCH) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/pip install --quiet -e .
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# `qabot run` starts the Telegram bot, or the terminal chat when no TELEGRAM_BOT_TOKEN is set.
run: $(RUN_STAMP)
	@$(BIN)/qabot index
	@$(BIN)/qabot run

# The tests run a throwaway PostgreSQL cluster (tests/fakes/postgres.py): the server binaries
# come from Debian's packages, installed here on a fresh machine (root, as CI runs) without
# the packaged cluster that would otherwise start on port 5432.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		mkdir -p /etc/postgresql-common && \
		echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

# The editors' desk is tested in a real headless Chromium: Debian's browser and its driver
# (never a browser downloaded at install time).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }

# The type check (strict, tests and benchmarks included) holds the seams (front door, answerer,
# condenser) and the tests' fakes and fixtures to their types; then the suite.
test: $(STAMP) postgres browser
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

typecheck: $(STAMP)
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check .

index: $(STAMP)
	$(BIN)/qabot index

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_index.py
	$(BIN)/python benchmarks/bench_encoder.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/compare_langchain.py
	$(BIN)/python benchmarks/bench_local_llm.py

eval: $(STAMP)
	$(BIN)/qabot eval --questions ../shared/eval/dev.jsonl --corpus ../shared/eval/corpus --json var/eval/dev.json

clean:
	rm -rf $(VENV) var
