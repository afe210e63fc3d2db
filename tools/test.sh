#!/usr/bin/env bash
# Runs the whole test suite: every notebook in nbs/ is executed by nbdev_test (cells flagged
# slow/net/cuda are skipped unless their flag is passed, e.g. `bash tools/test.sh --flags slow`).
# Thread limits keep 2 workers from oversubscribing a 2-core machine.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=""; [ -x .venv/bin/nbdev_test ] && bin=".venv/bin/"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export MPLBACKEND=Agg PYTHONHASHSEED=0
workers=${MLTT_TEST_WORKERS:-2}
log=$(mktemp)
"${bin}nbdev_test" --n_workers "$workers" --timing --do_print "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
total=$(grep -c 'Starting ' "$log" || true)
failed=$(awk '/Tests Failed On The Following Notebooks/{f=1;next} f && /^\t/{c++} END{print c+0}' "$log")
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
rm -f "$log"
echo "nbdev_test: $((total - failed)) passed, $failed failed"
exit "$rc"
