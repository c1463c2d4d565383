# `make run` and `make test` set everything up on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench check golden

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python run.py run

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check tracker tests benchmarks
	$(BIN)/mypy

golden: setup
	$(BIN)/python -m pytest --update-golden

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_extract.py

check: lint test
