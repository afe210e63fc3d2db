"""Peak memory of many strategies backtested block by block: `mltt.allocation.backtesting.backtest_batches`.

K = 10,000 strategies x T = 2,520 days x N = 50 assets: 1.26e9 weights, 10.1 GB in float64 if materialised. The
weights are made block by block by a function f(start, stop) (as a parameter search would: each strategy's weights
from its own parameters and seed), so no more than one block exists at a time; only the per-strategy statistics
(and, with --keep-equity, the log-equity curves, 8 T bytes per strategy) are kept.

Printed: the peak RSS of this process (`resource.getrusage(RUSAGE_SELF).ru_maxrss`), the baseline before the run
(after importing mltt, building the prices and a warm-up call that loads the kernel), what the run added, and the
stated bound: about three blocks of weights (the block the source makes, its tensor copy when the dtype differs,
the kernel's outputs and temporaries) plus the results. Target: the run completes and the added memory stays
within the bound, whatever K.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/batches.py                   # K = 10,000 (about a minute or more)
    .venv/bin/python bench/batches.py --K 1000 --chunk 32                  # smaller
"""
from __future__ import annotations
import argparse, os, resource, time
import numpy as np
import torch
from mltt.allocation.backtesting import backtest_batches, _BLOCK_BYTES
from mltt._kernels.portfolio import fused_kernel_info


def rss_peak_gb() -> float:
    "Peak resident memory of this process so far (GB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--K', type=int, default=10_000); ap.add_argument('--T', type=int, default=2520)
    ap.add_argument('--N', type=int, default=50)
    ap.add_argument('--chunk', type=int, default=None, help='strategies per block (default: blocks of about 64 MB)')
    ap.add_argument('--keep-equity', action='store_true')
    a = ap.parse_args()
    K, T, N = a.K, a.T, a.N
    rng = np.random.default_rng(0)
    logp = np.cumsum(rng.normal(0.0003, 0.012, (T, N)), 0)
    base = np.cumsum(rng.normal(0, 0.05, (T, N)), 0)                   # a slowly moving score shared by all strategies

    def make_weights(start, stop):
        "Weights (stop - start, T, N) of strategies start..stop-1: each tilts the shared score by its own parameter."
        k = np.arange(start, stop, dtype=np.float64)[:, None, None]
        s = np.exp(np.sin(k) * base)                                   # strategy k's own exposure to the score
        return 0.95 * s / s.sum(-1, keepdims=True)

    backtest_batches(make_weights, logp, n_strategies=2, commission=0.001)    # warm-up: kernel loaded, caches made
    chunk = a.chunk or max(1, _BLOCK_BYTES // (8 * T * N))
    block_gb = chunk * T * N * 8 / 2**30
    base_gb = rss_peak_gb()
    print(f"K={K} x T={T} x N={N}: {K * T * N * 8 / 1e9:.1f} GB of float64 weights if materialised; blocks of {chunk} "
          f"strategies ({block_gb * 1024:.0f} MiB); fused kernel {'on' if fused_kernel_info()['available'] else 'off'}; "
          f"threads {torch.get_num_threads()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    t0, c0 = time.perf_counter(), time.process_time()
    res = backtest_batches(make_weights, logp, n_strategies=K, chunk=chunk, commission=0.001, keep_equity=a.keep_equity)
    dt, ct = time.perf_counter() - t0, time.process_time() - c0
    peak = rss_peak_gb()
    results_gb = (res.stats.memory_usage().sum() + (res.log_equity.nbytes if res.log_equity is not None else 0)) / 2**30
    bound = 3 * block_gb + 2 * results_gb + 0.05
    print(f"  done in {dt:.1f} s wall ({ct:.1f} s CPU): {K / dt:.0f} strategies/s, {K * T * N / ct / 1e6:.0f} M weights per CPU second")
    print(f"  peak RSS {peak:.3f} GB; baseline {base_gb:.3f} GB; added {peak - base_gb:.3f} GB; results {results_gb * 1024:.1f} MiB")
    print(f"  bound on the added memory: 3 blocks + results = {bound:.3f} GB   "
          f"({'OK' if peak - base_gb <= bound else 'MISSED'}; materialised it would be {K * T * N * 8 / 2**30:.1f} GiB)")
    s = res.stats
    print(f"  {len(s)} strategies; Sharpe from {s['sharpe'].min():.2f} to {s['sharpe'].max():.2f}, median turnover {s['turnover'].median():.3f}")


if __name__ == '__main__':
    main()
