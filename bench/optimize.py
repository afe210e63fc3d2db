"""Benchmark: monthly re-optimisation (minimum variance, maximum Sharpe) with mltt vs rebuilding vs PyPortfolioOpt.

For N=20 (the bundled S&P 500 stocks) and N=200 (a synthetic 3-factor market from `mltt.synth.gbm`), every 21 rows
over `--years` years, from the trailing 252 returns (sample mean and covariance of simple returns, annualised by 252,
long-only, fully invested, risk-free rate 0), it times:

- `mltt`: `MeanVarianceAllocator(objective, lookback=252, rebalance_every=21)`: all windows' moments in one tensor op,
  one compiled problem re-solved with new parameter values (warm active set, Clarabel fallback);
- `rebuild`: the same windows, a fresh problem built and solved every step (`mltt.optimize.min_variance` /
  `max_sharpe` on `mltt.optimize.moments` estimates: same formulation, same solver, cvxpy problem built and compiled anew
  each step, no warm start; it still calls Clarabel through mltt's direct path, so the ratio isolates compile reuse,
  batched moments and the warm active set);
- `pypfopt`: PyPortfolioOpt doing the same loop (`mean_historical_return(compounding=False)`, `sample_cov`,
  `EfficientFrontier(...).min_volatility()` / `.max_sharpe()`), with its default solver and with CLARABEL at mltt's
  tolerances (the default, OSQP, stops ~1e-3 short of the optimum on these problems, so only the CLARABEL run can
  agree to 1e-4).

It prints seconds per loop, milliseconds per solve, the speed-up of mltt over each, and the largest absolute weight
difference from mltt over all rebalance dates. The CPU may be shared with other jobs, so two speed-ups are shown:
`raw` (total loop times; mltt: median of 3 runs, the others: one run) and `robust` (median time of one step x number
of steps for the loops, against mltt's median of 3), which is much less sensitive to load spikes. The last lines check
the issue's target at the largest N: mltt >= 5x faster than the PyPortfolioOpt loop with weights within 1e-4 of
PyPortfolioOpt's (CLARABEL) weights.

Usage: OMP_NUM_THREADS=1 python bench/optimize.py [--years 20] [--n-large 200] [--skip-default]
"""
import argparse, time, warnings
import numpy as np, pandas as pd
from mltt.optimize.allocator import MeanVarianceAllocator
from mltt.optimize.problems import min_variance, max_sharpe, SOLVER_OPTIONS
from mltt.optimize.moments import expected_returns, covariance
from mltt.core import OptimizationError

LOOKBACK, EVERY = 252, 21

def sp500_log_prices(years):
    "Last `years` years (+ one lookback) of the bundled 20-stock dataset, as log-prices."
    from mltt.data import load_dataset
    prices = load_dataset('sp500')
    return np.log(prices.iloc[-(years * 252 + LOOKBACK + 1):])

def factor_log_prices(years, n, seed=0):
    "Synthetic log-prices of `n` assets driven by 3 factors plus idiosyncratic noise (correlated GBMs)."
    from mltt.synth import gbm
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((n, 3)) * np.array([0.6, 0.3, 0.2])
    cov = B @ B.T + np.diag(rng.uniform(0.3, 0.6, n))
    d = np.sqrt(np.diag(cov))
    prices = gbm(years * 252 + LOOKBACK, mu=rng.uniform(0.0, 0.15, n), sigma=rng.uniform(0.15, 0.4, n),
                 corr=cov / np.outer(d, d), seed=seed + 1, s0=1.0)
    return np.log(prices)

def run_mltt(x, objective, repeats=3):
    "Median of `repeats` runs of a fresh allocator (the estimation of all windows included)."
    times = []
    for _ in range(repeats):
        model = MeanVarianceAllocator(objective, lookback=LOOKBACK, rebalance_every=EVERY, on_failure='hold')
        t = time.perf_counter(); W = model(x); times.append(time.perf_counter() - t)
    t = float(np.median(times))
    return t, W.iloc[LOOKBACK::EVERY].values, 0, [t / len(W.iloc[LOOKBACK::EVERY])]

def run_rebuild(x, objective):
    out, fails, prev, steps = [], 0, np.zeros(x.shape[1]), []
    t = time.perf_counter()
    for e in range(LOOKBACK, len(x), EVERY):
        t1 = time.perf_counter()
        win = x.iloc[e - LOOKBACK:e + 1]
        try:
            w = min_variance(covariance(win)) if objective == 'min_variance' else max_sharpe(expected_returns(win), covariance(win))
            prev = w.values
        except OptimizationError: fails += 1
        out.append(prev); steps.append(time.perf_counter() - t1)
    return time.perf_counter() - t, np.array(out), fails, steps

def run_pypfopt(x, objective, solver):
    from pypfopt import EfficientFrontier, expected_returns as er, risk_models as rm
    from pypfopt.exceptions import OptimizationError as PfoError
    prices, out, fails, prev, steps = np.exp(x), [], 0, np.zeros(x.shape[1]), []
    opts = SOLVER_OPTIONS['CLARABEL'] if solver == 'CLARABEL' else None
    t = time.perf_counter()
    for e in range(LOOKBACK, len(x), EVERY):
        t1 = time.perf_counter()
        win = prices.iloc[e - LOOKBACK:e + 1]
        ef = EfficientFrontier(er.mean_historical_return(win, compounding=False), rm.sample_cov(win), solver=solver, solver_options=opts)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                ef.min_volatility() if objective == 'min_variance' else ef.max_sharpe(risk_free_rate=0.0)
            prev = np.array(list(ef.weights))
        except (PfoError, ValueError): fails += 1
        out.append(prev); steps.append(time.perf_counter() - t1)
    return time.perf_counter() - t, np.array(out), fails, steps

def bench(name, x, skip_default):
    n_solves, t0s, summary = len(range(LOOKBACK, len(x), EVERY)), {}, {}
    print(f'\n== {name}: N={x.shape[1]}, {len(x)} rows, {n_solves} monthly re-optimisations ==')
    for objective in ('min_variance', 'max_sharpe'):
        t0, W0, _, _ = run_mltt(x, objective); t0s[objective] = t0
        rows = [('mltt allocator (median of 3)', t0, W0, 0, [t0 / n_solves])]
        rows.append(('rebuild each step', *run_rebuild(x, objective)))
        if not skip_default: rows.append(('PyPortfolioOpt (default solver)', *run_pypfopt(x, objective, None)))
        rows.append(('PyPortfolioOpt (CLARABEL)', *run_pypfopt(x, objective, 'CLARABEL')))
        print(f'-- {objective}')
        for label, dt, W, fails, steps in rows:
            ratio = '' if label.startswith('mltt') else f'  mltt faster: raw {dt / t0:5.1f}x, robust {np.median(steps) * n_solves / t0:5.1f}x'
            diff = '' if label.startswith('mltt') else f'  max|dw| vs mltt {np.abs(W - W0).max():.1e}'
            print(f'   {label:32s} {dt:7.2f} s  {dt / n_solves * 1e3:7.1f} ms/solve{ratio}{diff}'
                  + (f'  ({fails} failed solves)' if fails else ''))
        summary[objective] = {label: (dt, np.median(steps) * n_solves, np.abs(W - W0).max()) for label, dt, W, _, steps in rows[1:]}
    return t0s, summary

def verdict(summary, t0s, n):
    "The issue's target: >= 5x faster than the PyPortfolioOpt loop, weights within 1e-4 (of its CLARABEL run)."
    print(f'\n== target at N={n}: >= 5x faster than PyPortfolioOpt, max|dw| <= 1e-4 vs PyPortfolioOpt (CLARABEL) ==')
    print("   (PyPortfolioOpt's default solver, OSQP, stops short of the optimum at its default tolerances, so its weights")
    print('    are compared but only the CLARABEL run, same problem at the same tolerances, can agree to 1e-4)')
    for objective, res in summary.items():
        for label in [l for l in res if l.startswith('PyPortfolioOpt')]:
            dt, robust, dw = res[label]
            ok = min(dt, robust) / t0s[objective] >= 5 and (dw <= 1e-4 or 'default' in label)
            print(f'   {objective:12s} vs {label:32s} raw {dt / t0s[objective]:5.1f}x  robust {robust / t0s[objective]:5.1f}x  '
                  f'max|dw| {dw:.1e}  {"PASS" if ok else "FAIL"}{" (speed only)" if "default" in label else ""}')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--years', type=int, default=20)
    ap.add_argument('--n-large', type=int, default=200)
    ap.add_argument('--skip-default', action='store_true', help="skip PyPortfolioOpt's default-solver run")
    args = ap.parse_args()
    bench('S&P 500 (bundled)', sp500_log_prices(args.years), args.skip_default)
    summary, t0s = bench('synthetic factor market', factor_log_prices(args.years, args.n_large), args.skip_default)[::-1]
    verdict(summary, t0s, args.n_large)
