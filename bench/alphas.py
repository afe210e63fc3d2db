"""Benchmark of `mltt.alphas.registry.alpha101`: all 101 alphas of Kakushadze (2016) on one panel.

1. T=2500 days x N=500 stocks, float32 inputs (open, high, low, close, volume, vwap, cap, a synthetic industry map),
   one CPU thread: the minimum over `--repeats` runs of `alpha101(data)` (all 101 alphas in one pass, shared
   subexpressions computed once), on the default path (compiled numba kernels on the CPU). The first run, which also
   loads (or, on a fresh install, compiles) the kernels, is printed beside it, and so is one run of the torch code
   alone (`with torch_path():`, the path gradients and GPUs take).
2. Beside it, the time of the independent pandas reference of `nbs/26_alphas_101.ipynb` (the alphas transcribed by
   hand into pandas) on the same panel in float64, run once (it is slow), and per-alpha times of the slowest alphas
   when each is evaluated alone.

Target: all 101 alphas in < 5 s on one core. On a shared machine the wall time includes waiting for the core; the
process's CPU time is printed beside it.

The reference is read from the notebook's cell that defines it (the notebook is its only home), so the bench measures
exactly the code the tests compare against. The machine may be shared: several repeats, the minimum is reported.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/alphas.py                 # 2500 x 500, with the pandas reference
    OMP_NUM_THREADS=1 .venv/bin/python bench/alphas.py --no-reference  # mltt only
    OMP_NUM_THREADS=1 .venv/bin/python bench/alphas.py --T 1000 --N 200
"""
from __future__ import annotations
import argparse, json, math, time
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from mltt.alphas.registry import ALPHA101, alpha101
from mltt.alphas.language import evaluate, torch_path

def panel(T:int, N:int, seed:int=0):
    "Synthetic daily bars with gaps between close and next open, vwap inside the bar, volume and capitalisation."
    rng = np.random.default_rng(seed)
    close = np.exp(np.log(rng.uniform(20, 200, N)) + np.cumsum(rng.normal(0.0002, 0.02, (T, N)), 0))
    prev = np.vstack([close[:1], close[:-1]])
    open_ = prev * np.exp(rng.normal(0, 0.005, (T, N)))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.008, (T, N))))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.008, (T, N))))
    vwap = low + rng.uniform(0.2, 0.8, (T, N)) * (high - low)
    volume = rng.lognormal(13, 0.6, (T, N)) * rng.uniform(0.2, 5, N)
    cap = close * rng.uniform(1e7, 1e9, N)
    idx, cols = pd.bdate_range('2010-01-01', periods=T), [f'S{i:03d}' for i in range(N)]
    data = {k: pd.DataFrame(v, index=idx, columns=cols) for k, v in
            dict(open=open_, high=high, low=low, close=close, volume=volume, vwap=vwap, cap=cap).items()}
    sub = rng.integers(0, 16, N)
    groups = {'sector': pd.Series(sub // 4, cols), 'industry': pd.Series(sub // 2, cols), 'subindustry': pd.Series(sub, cols)}
    return data, groups

def load_reference(nb=Path(__file__).resolve().parents[1] / 'nbs' / '26_alphas_101.ipynb'):
    "The pandas reference: the namespace of the notebook cell that defines `reference`."
    cell = next(''.join(c['source']) for c in json.loads(nb.read_text())['cells']
                if c['cell_type'] == 'code' and 'def reference(' in ''.join(c['source']))
    ns = {'np': np, 'pd': pd, 'math': math}
    exec(compile(cell, str(nb), 'exec'), ns)      # the notebook's own test code, not user input
    return ns['reference']

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--T', type=int, default=2500); ap.add_argument('--N', type=int, default=500)
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--no-reference', action='store_true')
    ap.add_argument('--no-torch', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(1)
    data, groups = panel(a.T, a.N)
    d32 = {k: torch.tensor(v.to_numpy(), dtype=torch.float32) for k, v in data.items()}
    g = {k: v.to_numpy() for k, v in groups.items()}
    times, cpu = [], []
    for _ in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = alpha101(d32, groups=g)
        times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    t = min(times)
    print(f'mltt.alphas: all 101 alphas on {a.T} x {a.N} float32, one thread: {t:.2f} s (min of {a.repeats}: '
          f'{", ".join(f"{x:.2f}" for x in times)}; the first loads the compiled kernels)  target < 5 s: {"met" if t < 5 else "NOT met"}')
    print(f'  CPU time of the process (what a quiet core would take when the machine is shared): {min(cpu):.2f} s (min of {a.repeats})')
    if not a.no_torch:
        with torch_path():
            t0 = time.perf_counter(); out_t = alpha101(d32, groups=g); tt = time.perf_counter() - t0
        same = np.mean([bool(torch.equal(out[k].isnan(), out_t[k].isnan())) for k in out])
        print(f'  the torch code alone (torch_path()): {tt:.2f} s  ->  the compiled kernels are {tt / t:.1f}x faster; '
              f'same NaN masks on {same:.0%} of the alphas')
    print(f'  defined share of the last row, median over alphas: {np.median([float(v[-1].isfinite().float().mean()) for v in out.values()]):.2f}')
    alone = {}
    for k, e in ALPHA101.items():
        t0 = time.perf_counter(); evaluate(e, d32, g); alone[k] = time.perf_counter() - t0
    top = sorted(alone.items(), key=lambda kv: -kv[1])[:8]
    print(f'  each alpha alone: {sum(alone.values()):.2f} s in total (sharing saves {1 - t / sum(alone.values()):.0%}); '
          f'slowest: {", ".join(f"#{k} {v:.2f} s" for k, v in top)}')
    if a.no_reference: return
    reference = load_reference()
    t0 = time.perf_counter()
    for k in ALPHA101: reference(k, data, groups)
    tr = time.perf_counter() - t0
    print(f'pandas reference (float64, one alpha at a time): {tr:.2f} s  ->  mltt is {tr / t:.1f}x faster')

if __name__ == '__main__': main()
