"""Benchmark of `mltt.models.barriers.multivariate_barrier` (the barrier machine by a parallel prefix scan).

T=5000 days x N = 5, 50, 500 series of z-scores: minimum time over several repeats of
  (a) `multivariate_barrier` (log2(T) gathers over all dates and series),
  (b) the same rules as a plain Python loop over dates, vectorised over the series with numpy (the fastest loop
      one writes by hand), and
  (c) MLTT 1.x's `multivariate_barrier` (a Python loop over series and dates) on a slice of the columns, scaled
      up, when its wheel can be imported from a folder given as `--mltt1 PATH` (unpacked MLTT 1.19.7 and
      allocation-o2).
Prints the ratios and checks that (a) and (b) agree exactly. Targets: (a) at least 3x faster than (b) for N <= 50
(the universes the models trade), and hundreds of times faster than (c). On one CPU core, for hundreds of series a
loop over dates that is vectorised over the series catches up: each of its steps does enough work, while (a) makes
about 25 passes over the data; on a GPU (a) runs unchanged.

Run: OMP_NUM_THREADS=1 python bench/barriers.py [--T 5000] [--N 5 50 500] [--repeats 5] [--mltt1 /path]
"""
import argparse, sys, time, types
import numpy as np
import torch
from mltt.models.barriers import multivariate_barrier

def loop_reference(z:np.ndarray, up:float, lo:float, neu:float) -> np.ndarray:
    "The barrier rules as a loop over dates, numpy over series."
    out = np.zeros_like(z); prev = np.zeros(z.shape[1])
    for t in range(z.shape[0]):
        x = z[t]
        s = np.where(x > up, -1.0, np.where(x < lo, 1.0, prev))
        s = np.where((s == -1) & (x <= neu), 0.0, s)
        s = np.where((s == 1) & (x >= neu), 0.0, s)
        out[t] = prev = s
    return out

def best(fn, repeats:int) -> float:
    "Minimum wall time of `fn()` over `repeats` runs (the machine may be shared)."
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--T', type=int, default=5000); ap.add_argument('--N', type=int, nargs='+', default=[5, 50, 500])
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--mltt1', default=None)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    for N in a.N:
        z = np.cumsum(rng.normal(0, 0.3, (a.T, N)), 0); z -= np.cumsum(z, 0) / np.arange(1, a.T + 1)[:, None]
        zt = torch.tensor(z)
        got = multivariate_barrier(zt, 1.5, -1.5).numpy()
        assert np.array_equal(got, loop_reference(z, 1.5, -1.5, 0.0)), 'scan and loop disagree'
        t_scan = best(lambda: multivariate_barrier(zt, 1.5, -1.5), a.repeats)
        t_loop = best(lambda: loop_reference(z, 1.5, -1.5, 0.0), a.repeats)
        print(f'T={a.T} x N={N}: mltt {t_scan * 1e3:.1f} ms, numpy loop over dates {t_loop * 1e3:.1f} ms, '
              f'ratio {t_loop / t_scan:.1f}x' + (' (target >= 3x)' if N <= 50 else ''))
    if a.mltt1:
        for n in ('binance_historical_data', 'defillama'):
            m = types.ModuleType(n)
            m.__getattr__ = lambda k: (_ for _ in ()).throw(AttributeError(k)) if k.startswith('__') else type(k, (), {})
            sys.modules.setdefault(n, m)
        sys.path.insert(0, a.mltt1)
        from MLTT.utils import multivariate_barrier as mb1
        from MLTT.cache import cache_mode, CacheMode
        sys.path.remove(a.mltt1)
        k = min(5, N)
        with cache_mode(CacheMode.DISABLED):
            t1 = best(lambda: mb1(zt[:, :k].clone(), 1.5, -1.5), 1) * N / k
            assert np.array_equal(mb1(zt[:, :k].clone(), 1.5, -1.5).numpy(), got[:, :k])
        print(f'MLTT 1.x loop, T={a.T} x N={N} (estimated from {k} series): {t1:.1f} s, ratio {t1 / t_scan:.0f}x (target >= 100x)')

if __name__ == '__main__':
    main()
