# The commands of this repository:
#   make demo   generate a project with the default answers into demo/ and train it
#   make test   run the template's whole test suite (slow tests included)
#   make docs   serve the documentation (docs/, mkdocs.yml) at http://127.0.0.1:8000
# Each creates .venv and installs what it needs. Override TORCH to pick another build.

VENV ?= .venv
PY := $(VENV)/bin/python
TORCH ?= torch==2.14.1 torchvision==0.29.1
DEMO ?= demo

.PHONY: venv demo test docs clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch and torchvision first, as a pinned pair: the ranges below then keep them, and a torch
	# without its own torchvision fails at import (torchvision::nms does not exist)
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q --group dev
	touch $@

demo: venv
	rm -rf $(DEMO)
	$(VENV)/bin/copier copy --defaults --vcs-ref HEAD . $(DEMO)
	$(PY) -m pip install -q -r $(DEMO)/requirements.txt
	cd $(DEMO) && ../$(PY) main.py

test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

docs: venv
	$(VENV)/bin/mkdocs serve

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
