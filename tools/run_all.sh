#!/usr/bin/env bash
# "Run All" on every notebook in nbs/ with `jupyter nbconvert --execute` (slow cells included), offline and without
# a GPU, 2 at a time, into a temporary folder; fails if a notebook fails or leaves a file under nbs/.
# Options: --workers N, --timeout S (per cell), --keep, or notebook names (see tools/run_all.py).
set -euo pipefail
cd "$(dirname "$0")/.."
py=python3; [ -x .venv/bin/python ] && py=.venv/bin/python
exec "$py" tools/run_all.py "$@"
