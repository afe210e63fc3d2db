#!/usr/bin/env bash
# Offline docs site: executes every notebook, runs nbdev's doc processors on it, renders with Material for MkDocs
# into _docs/ (index.html + one page per notebook). Options: --no-exec, --flags slow, --workers N (see tools/README.md).
# Check it in headless Chromium afterwards with: .venv/bin/python tools/check_docs.py
set -euo pipefail
cd "$(dirname "$0")/.."
py=python3; [ -x .venv/bin/python ] && py=.venv/bin/python
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export MPLBACKEND=Agg PYTHONHASHSEED=0
exec "$py" tools/build_docs.py "$@"
