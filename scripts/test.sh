#!/usr/bin/env bash
# The README's test command: install everything, then lint, type-check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q -e ".[all,test]"
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
# One worker per core keeps the suite inside CI's 15-minute budget on two cores.
python3 -m pytest -n auto
