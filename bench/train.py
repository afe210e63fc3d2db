"""Training benchmark: mltt.nn walk-forward LSTM training vs a straightforward reimplementation of seed 002.

The workload is the paper replication's training (nbs/90_paper_replication.ipynb): the LSTM allocator
(50-day window of the 4 instruments' prices and returns, 64 units, softmax), retrained every two years from
2011 on all data before each block (5 models), mini-batches of 64 samples, Adam(lr=1e-3).

- `seed002`: the seed notebook's approach, rewritten as plain functions: a Python loop builds the windows
  (`.tolist()` per sample), raw prices and returns as features, a DataLoader of consecutive batches of 64,
  the loss minus mean/std of `sum(w * next_returns)` per batch (no costs, no drift, no validation).
- `mltt`: `mltt.validation.WalkForwardAllocator` + `mltt.nn.fit` + `LSTMAllocator`: unfold-built causal features, the loss through the
  differentiable backtest's kernel (1 bp costs, drift; inputs validated once per `fit`, not per step), a
  validation pass every epoch (counted in mltt's train_s), checkpoint-free.

Both networks have the same shape and see the same number of windows per step (mltt's stretch of 64 periods
forwards 65 windows: the extra one prices the first trade; samples count windows through the network), so on
a CPU both are bound by the same LSTM kernel (about 85% of a step): what separates them is the per-step
overhead (loss, optimiser, data loading) and, in wall time, the data preparation.

Both train the same number of epochs per block (`--epochs`, no early stopping), so samples/s compare the same
work; `--full` instead runs the replication's own settings (up to 100 epochs, early stopping with patience
20) for mltt and gives seed002 the same number of epochs per block that mltt ran.

The CPU of the development machine is shared, so the runs are interleaved and repeated (`--repeat`) and the
fastest of each is reported; CPU seconds (`time.process_time`, one thread) of the whole run, preparation
included, are reported beside wall seconds, since they count only this process's work. Columns: prep_s
(data preparation; for mltt everything outside the epochs), train_s (the epochs, validation passes included
for mltt), valid_s (mltt's validation passes: work the seed does not do), wall_s, cpu_s, samples (training
windows processed), samples_per_s (samples / (train_s - valid_s): the training steps of both, like for like)
and samples_per_cpu_s (samples / cpu_s, the whole run).

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/train.py                 # CPU, 3 epochs per block
    OMP_NUM_THREADS=1 .venv/bin/python bench/train.py --full          # the full replication training
    .venv/bin/python bench/train.py --device cuda [--full]            # on a GPU
"""
from __future__ import annotations
import argparse, time
import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from mltt.data import load_dataset, log_prices
from mltt.nn.models import LSTMAllocator
from mltt.nn.training import fit
from mltt.validation.splitters import WalkForward
from mltt.validation.walkforward import WalkForwardAllocator

# The replication's periods: retrain every 2 years from 2011 on everything before, the last period to the end
PERIODS = WalkForward(1, freq='2YS', start='2011-01-01', expand_train=True, reduce_test=True)

LOOKBACK, HIDDEN, BATCH, LR = 50, 64, 64, 1e-3

# ---------------------------------------------------------------- seed 002, straightforwardly
def seed_dataset(prices: pd.DataFrame, lookback: int = LOOKBACK):
    "Seed 002's `create_nn_dataset`: a Python loop over time, one `.tolist()` window per sample."
    returns = prices.pct_change().dropna()
    feature_df = pd.concat([prices, returns], axis=1).dropna().values
    X, y = [], []
    for i in range(len(feature_df) - lookback):
        X.append(feature_df[i:i + lookback].tolist())
        y.append(returns.iloc[i + lookback].values.tolist())
    return torch.Tensor(X), torch.Tensor(y)

class SeedLSTM(nn.Module):
    "Seed 002's network: LSTM(2N -> hidden), linear, softmax."
    def __init__(self, n_assets, hidden_size):
        super().__init__()
        self.lstm = nn.LSTM(2 * n_assets, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, n_assets)
    def forward(self, x):
        _, (hn, _) = self.lstm(x)
        return torch.softmax(self.fc(hn[-1]), -1)

def seed_train(X, y, epochs, device, seed=0):
    "Seed 002's loop: consecutive batches of 64, loss -mean/std of the batch's portfolio returns."
    torch.manual_seed(seed)
    model = SeedLSTM(y.shape[1], HIDDEN).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH, shuffle=False)
    n = 0
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad()
            rets = (model(xb) * yb).sum(1)
            std, mean = torch.std_mean(rets)
            (-mean / std).backward()
            opt.step(); n += len(xb)
    return model, n

def run_seed(prices, starts, epochs_per_block, device):
    "Walk-forward with the seed's data preparation and loop; (prep s, train s, samples, CPU s)."
    prep = train = 0.; samples = 0; c0 = time.process_time()
    for b, ep in zip(starts, epochs_per_block):
        t0 = time.perf_counter(); X, y = seed_dataset(prices.iloc[:b]); t1 = time.perf_counter()
        _, n = seed_train(X, y, ep, device); _sync(device); t2 = time.perf_counter()
        prep += t1 - t0; train += t2 - t1; samples += n
    return prep, train, samples, time.process_time() - c0

# ---------------------------------------------------------------- mltt
def run_mltt(x, epochs, patience, device, dtype):
    "The replication's walk-forward training; (wall s, train s, validation s, samples, epochs per block, CPU s)."
    kw = dict(progress=False, epochs=epochs, batch_size=BATCH, lr=LR, valid_frac=0.1, patience=patience, commission=1e-4,
              dtype=dtype, device=device, seed=0)
    wf = WalkForwardAllocator(lambda: LSTMAllocator(4, lookback=LOOKBACK, hidden_size=HIDDEN, seed=0), PERIODS, fit_fn=fit,
                              fit_kwargs=kw, progress=False)
    t0, c0 = time.perf_counter(), time.process_time()
    wf.fit(x); _sync(torch.device(device))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    hs = wf.histories
    return wall, sum(h.seconds for h in hs), sum(h.valid_seconds for h in hs), sum(h.samples for h in hs), [len(h.train_loss) for h in hs], cpu

def _sync(device):
    if torch.device(device).type == 'cuda': torch.cuda.synchronize()

def _best(runs):
    "The fastest of repeated runs (the CPU is shared: slower repeats measure the neighbours, not the code)."
    return max(runs, key=lambda r: r['samples_per_s'])

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu'); ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--full', action='store_true'); ap.add_argument('--skip-seed', action='store_true')
    ap.add_argument('--repeat', type=int, default=2, help='interleaved repeats; the best of each is reported')
    ap.add_argument('--float64', action='store_true', help='also time mltt in float64 (the library default)')
    a = ap.parse_args()
    prices = load_dataset('vti_agg_dbc_vix'); x = log_prices(prices)
    starts = [int(te[0]) for _, te in PERIODS.split(x)]
    print(f'torch {torch.__version__}, device {a.device}, threads {torch.get_num_threads()}, blocks {list(x.index[starts].year)}')
    fit(LSTMAllocator(4), x.iloc[:400], epochs=1, progress=False, dtype='float32', device=a.device); seed_train(*seed_dataset(prices.iloc[:200]), 1, a.device)   # warm-up
    ep, pat = (100, 20) if a.full else (a.epochs, None)
    runs = {}
    for r in range(a.repeat):
        wall, tr, va, n, eps, cpu = run_mltt(x, ep, pat, a.device, 'float32')
        runs.setdefault('mltt float32', []).append(dict(prep_s=wall - tr, train_s=tr, valid_s=va, wall_s=wall, cpu_s=cpu, samples=n,
                                                        samples_per_s=n / (tr - va), samples_per_cpu_s=n / cpu))
        print(f'repeat {r}: mltt epochs per block {eps}, {n / (tr - va):,.0f} samples/s', flush=True)
        if a.float64:
            wall, tr, va, n, _, cpu = run_mltt(x, ep, pat, a.device, 'float64')
            runs.setdefault('mltt float64', []).append(dict(prep_s=wall - tr, train_s=tr, valid_s=va, wall_s=wall, cpu_s=cpu, samples=n,
                                                            samples_per_s=n / (tr - va), samples_per_cpu_s=n / cpu))
        if not a.skip_seed:
            prep, tr, n, cpu = run_seed(prices, starts, eps, a.device)
            runs.setdefault('seed002 float32', []).append(dict(prep_s=prep, train_s=tr, valid_s=0., wall_s=prep + tr, cpu_s=cpu, samples=n,
                                                               samples_per_s=n / tr, samples_per_cpu_s=n / cpu))
            print(f'repeat {r}: seed002 {n / tr:,.0f} samples/s', flush=True)
    rows = {k: _best(v) for k, v in runs.items()}
    print(pd.DataFrame(rows).T.to_string(float_format=lambda v: f'{v:,.2f}'))
    if 'seed002 float32' in rows:
        s, m = rows['seed002 float32'], rows['mltt float32']
        print(f"ratios mltt/seed002: throughput {m['samples_per_s'] / s['samples_per_s']:.2f}x "
              f"({(m['samples'] / m['train_s']) / (s['samples'] / s['train_s']):.2f}x counting mltt's validation passes), "
              f"wall time {m['wall_s'] / s['wall_s']:.2f}x, CPU time {m['cpu_s'] / s['cpu_s']:.2f}x, "
              f"samples per CPU second {m['samples_per_cpu_s'] / s['samples_per_cpu_s']:.2f}x, data preparation {m['prep_s'] / s['prep_s']:.3f}x "
              "(mltt's prep_s is everything outside the epochs: features, model construction, restoring the best epoch)")

if __name__ == '__main__': main()
