"""Benchmark: walk-forward evaluation against one backtest of the same allocator.

On the bundled S&P 500 data (`mltt.data.load_dataset('sp500')`, 20 stocks, log-prices), with rolling windows of
`train_size=756` rows and test windows of `test_size=63` rows:

- **fit-less**: `MeanVarianceAllocator("min_variance", lookback=252)`, re-optimised every day. `walk_forward` evaluates an
  allocator without `fit` once on the whole history and keeps its test rows, so it should cost one `backtest_model`
  of the same allocator (target: ratio <= 1.2). The per-split evaluation of the previous driver (the model called on the
  history up to the end of each test window, once per split) is timed on `--per-split` splits spread over the history
  and extrapolated to all of them, for reference; the largest weight difference between the two is printed.
- **trainable**: time-series momentum whose look-back (5, 20, 60, 120 or 250 days) is chosen on each training window
  by the Sharpe ratio of its backtest. It prints the walk-forward time, the time of one `backtest_model` with a fixed
  look-back, and the time to resume after one more test window of data (only the new period is trained).

All timings are medians of `--repeat` runs (the CPU may be shared), with mltt's cache disabled.

Usage: OMP_NUM_THREADS=1 python bench/walk_forward.py [--repeat 3] [--per-split 4] [--years 0 (all)]
"""
import argparse, statistics, time
import numpy as np, torch
from mltt.cache import cache_mode
from mltt.data import load_dataset
from mltt.allocation.classical import TimeSeriesMomentum
from mltt.allocation.backtesting import backtest, backtest_model
from mltt.optimize.allocator import MeanVarianceAllocator
from mltt.validation.splitters import WalkForward
from mltt.validation.walkforward import walk_forward

TRAIN, TEST = 756, 63

class BestLookback:
    "Time-series momentum whose look-back is chosen in sample (highest mean log-return of its backtest)."
    min_observations = 1
    def __init__(self, choices=(5, 20, 60, 120, 250)): self.choices, self.lookback = choices, None
    def fit(self, x):
        sr = [float(backtest(TimeSeriesMomentum(k)(x), x).log_returns.mean()) for k in self.choices]
        self.lookback = self.choices[int(np.argmax(sr))]
        return self
    def __call__(self, x): return TimeSeriesMomentum(self.lookback)(x)

def timed(fn, repeat:int):
    "(median seconds, last result) of `repeat` calls."
    ts, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out

def per_split(model_factory, lp, k:int):
    "Seconds of the per-split evaluation, measured on `k` splits spread over the history and scaled to all; max |dw| vs `ref`."
    splits = list(WalkForward(TEST, TRAIN, reduce_test=True).split(lp))
    pick = np.unique(np.linspace(0, len(splits) - 1, k).round().astype(int))
    t, rows = 0., []
    for i in pick:
        _, test = splits[i]
        t0 = time.perf_counter(); w = model_factory()(lp.iloc[:test[-1] + 1]); t += time.perf_counter() - t0
        rows.append((test, w.to_numpy()[test]))
    return t * len(splits) / len(pick), rows

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repeat', type=int, default=3); ap.add_argument('--per-split', type=int, default=4)
    ap.add_argument('--years', type=int, default=0, help='last years of data only (0: all)')
    a = ap.parse_args()
    lp = np.log(load_dataset('sp500'))
    if a.years: lp = lp.iloc[-(a.years * 252 + TRAIN):]
    n_splits = WalkForward(TEST, TRAIN, reduce_test=True).get_n_splits(lp)
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}; {lp.shape[0]} rows x {lp.shape[1]} assets '
          f'({lp.index[0].date()} .. {lp.index[-1].date()}), train_size={TRAIN}, test_size={TEST}: {n_splits} splits')
    mv = lambda: MeanVarianceAllocator('min_variance', lookback=252)
    with cache_mode('DISABLED'):
        t_bm, _ = timed(lambda: backtest_model(mv(), lp), a.repeat)
        t_wf, wf = timed(lambda: walk_forward(mv(), lp, train_size=TRAIN, test_size=TEST, progress=False), a.repeat)
        print(f'\nfit-less: MeanVarianceAllocator("min_variance", lookback=252)')
        print(f'  one backtest_model   {t_bm:8.2f} s')
        print(f'  walk_forward         {t_wf:8.2f} s   ratio walk-forward / backtest_model = {t_wf / t_bm:.2f} (target <= 1.2)')
        if a.per_split:
            t_ps, rows = per_split(mv, lp, a.per_split)
            dw = max(float(np.abs(wf.weights.to_numpy()[test] - w).max()) for test, w in rows)
            print(f'  per-split evaluation {t_ps:8.2f} s   (extrapolated from {len(rows)} splits; {t_ps / t_wf:.0f}x the one pass), '
                  f'max |dw| on those test rows = {dw:.1e}')
        t_tm, _ = timed(lambda: backtest_model(TimeSeriesMomentum(60), lp), a.repeat)
        t_tr, wf_tr = timed(lambda: walk_forward(BestLookback, lp.iloc[:-TEST], train_size=TRAIN, test_size=TEST, progress=False), a.repeat)
        drv = wf_tr.allocator
        t0 = time.perf_counter(); wf_more = walk_forward(drv, lp, progress=False); t_res = time.perf_counter() - t0
        print(f'\ntrainable: look-back chosen in sample among {BestLookback().choices}')
        print(f'  one backtest_model (fixed look-back 60)  {t_tm:8.3f} s')
        print(f'  walk_forward ({len(wf_tr.splits)} periods, {len(wf_tr.splits)} fits)   {t_tr:8.3f} s   ratio = {t_tr / t_tm:.0f}x one backtest')
        print(f'  resume with {TEST} more rows: {drv.n_fits} fit(s), {len(wf_more.splits)} periods  {t_res:8.3f} s   '
              f'= {t_res / t_tr:.2f} of the full walk-forward')

if __name__ == '__main__': main()
