#!/usr/bin/env bash
# Fetches the wheels of MLTT 1.19.7 (the library mltt succeeds) and of allocation-o2, which it builds on, into a folder
# (default: $MLTT1_WHEELS, else ~/.cache/mltt1-wheels). The mltt.models notebooks compare their numbers with MLTT 1.x
# by unpacking these wheels into a temporary folder (never `pip install`: MLTT's distribution name is this package's);
# without them, those comparisons are skipped with a message. The tests themselves never download anything.
set -euo pipefail
dir=${1:-${MLTT1_WHEELS:-$HOME/.cache/mltt1-wheels}}
mkdir -p "$dir"
py=python3; [ -x .venv/bin/python ] && py=.venv/bin/python
"$py" -m pip download --quiet --no-deps "MLTT==1.19.7" allocation-o2 -d "$dir"
ls "$dir"
