"""Benchmark of `mltt.allocation.backtesting.backtest`.

1. T=5000 days x N=500 assets, daily rebalancing, commission and drift: median time of `backtest` against
   (a) a plain numpy implementation of the same formulas, in this process, and
   (b) vectorbt `Portfolio.from_orders(size_type="targetpercent", call_seq="auto", cash_sharing=True, group_by=True)`
       on the same weights, with the relative difference of the total returns.
2. K=256 strategies x T=2520 x N=50: one batched call against 256 separate calls.

mltt's cache is disabled (repeated calls on the same inputs would otherwise be cache hits).

Targets: >= 100x faster than vectorbt, <= 1.5x the numpy reference, total return within 1e-3 (relative) of
vectorbt's, batched >= 10x faster than the loop.

vectorbt's time is `from_orders` plus `total_return()` (weights in, total return out, as for mltt, whose time
covers the whole equity curve); the time of `from_orders` alone is printed too.

The fused kernel (`mltt._kernels.portfolio`, a C99 loop compiled on first use, chosen automatically on the CPU for
float64/float32 without autograd): its time alone on the T x N case, against
  (a) the torch kernel (`kernel_mode("torch")`), the fallback, on the same inputs,
  (b) vectorbt's `from_orders` (target >= 100x, for the whole `backtest` call too),
  (c) the read-once floor: one streaming pass over the weights, `w.sum()` (target: the kernel within 2x). As the
      weights (20 MB) fit in this machine's L3 cache, repeated `w.sum()` is a cache-hot figure; the kernel must also
      read the prices (another 20 MB, so 40 MB do not fit) and take an `exp` of every price change. So a second,
      cold floor is printed: one pass over weights AND prices after evicting the cache, and the kernel timed cold
      the same way.

Why batching saves little on a CPU: a batched call runs the same kernel as a single call, with the same passes over
every element; all it saves is the fixed cost of each call (argument checks, schedule, result assembly, op
dispatch), so the speed-up is (fixed + compute) / compute per strategy. With the fused kernel the compute is close
to the cost of reading the batch, and the fixed cost of a `backtest` call dominates small strategies. The output
repeats this arithmetic with this machine's figures.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/backtest.py                 # CPU, float64
    .venv/bin/python bench/backtest.py --device cuda                     # on a GPU
    .venv/bin/python bench/backtest.py --vbt-python bench/.venv-vbt/bin/python   # vectorbt from another venv
vectorbt is optional: if it cannot be imported (here or via --vbt-python), that part is skipped and said so.
"""
from __future__ import annotations
import argparse, json, os, statistics, subprocess, sys, tempfile, time
import numpy as np
import torch
from mltt.allocation.backtesting import backtest
from mltt.cache import cache_mode
from mltt._kernels.portfolio import daily, fused_kernel_info, kernel_mode


def make_data(T, N, seed=0, K=None):
    "Synthetic log-prices (T, N) and slowly varying long-only weights with 5% cash ((K,) T, N)."
    rng = np.random.default_rng(seed)
    logp = np.cumsum(rng.normal(0.0003, 0.015, (T, N)), 0) + np.log(50.0)
    shape = (T, N) if K is None else (K, T, N)
    sig = np.exp(0.3 * np.cumsum(rng.normal(0, 0.1, shape), -2) / np.sqrt(np.arange(1, T + 1))[:, None])
    w = 0.95 * sig / sig.sum(-1, keepdims=True)
    return logp, w


def numpy_backtest(w, logp, fee, rc=0.0):
    "Plain numpy, same formulas as mltt: exact returns, drift, costs on traded notional, one-step lag."
    r = np.expm1(np.diff(logp, axis=0))
    h = w[:-1]
    R = (h * r).sum(1) + (1 - h.sum(1)) * rc
    d = h[:-1] * (1 + r[:-1]) / (1 + R[:-1, None])
    trade = np.concatenate([[np.abs(w[0]).sum()], np.abs(w[1:-1] - d).sum(1)])
    gross = np.concatenate([[0.0], np.log1p(R)])
    expenses = np.concatenate([[0.0], -np.log1p(-fee * trade)])
    return gross - expenses


def timeit(fn, repeat, sync=lambda: None):
    "Median, min and max wall time of `fn` over `repeat` runs (after one warm-up), and the median CPU time."
    fn(); sync()
    ts, cs = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter(); fn(); sync()
        ts.append(time.perf_counter() - t0); cs.append(time.process_time() - c0)
    return statistics.median(ts), min(ts), max(ts), statistics.median(cs)


def timeit_cold(fn, repeat, flush):
    "Like `timeit`, each run after `flush()` (untimed) has evicted the inputs from the CPU caches."
    fn()
    ts, cs = [], []
    for _ in range(repeat):
        flush(); c0, t0 = time.process_time(), time.perf_counter(); fn()
        ts.append(time.perf_counter() - t0); cs.append(time.process_time() - c0)
    return statistics.median(ts), min(ts), max(ts), statistics.median(cs)


def fmt(name, t):
    "One line of timings in ms."
    return f"  {name:<20s} median {t[0]*1e3:9.1f} ms  (min {t[1]*1e3:.1f}, max {t[2]*1e3:.1f}; CPU {t[3]*1e3:.1f})"


VBT_CODE = r'''
import json, sys, time, statistics, numpy as np, pandas as pd, vectorbt as vbt
d = np.load(sys.argv[1]); fee = float(sys.argv[2]); repeat = int(sys.argv[3])
price = pd.DataFrame(np.exp(d["logp"])); size = d["w"].copy(); size[-1] = np.nan   # the final row's trade is never executed
size = pd.DataFrame(size)
run = lambda p, s: vbt.Portfolio.from_orders(p, size=s, size_type="targetpercent", call_seq="auto", cash_sharing=True,
                                             group_by=True, fees=fee, init_cash=1.0, freq="1D")
run(price.iloc[:50, :5], size.iloc[:50, :5])             # numba compilation, not timed
ts, cs, sim, tr = [], [], [], None
for _ in range(repeat):
    c0, t0 = time.process_time(), time.perf_counter(); pf = run(price, size); t1 = time.perf_counter(); tr = float(pf.total_return())
    ts.append(time.perf_counter() - t0); cs.append(time.process_time() - c0); sim.append(t1 - t0)
print(json.dumps(dict(t=[statistics.median(ts), min(ts), max(ts), statistics.median(cs)], t_sim=statistics.median(sim), total_return=tr)))
'''


def run_vectorbt(logp, w, fee, repeat, python):
    "Time vectorbt in `python` (a subprocess, so another venv works) on the same arrays."
    with tempfile.TemporaryDirectory() as tmp:
        f = os.path.join(tmp, "data.npz"); np.savez(f, logp=logp, w=w)
        out = subprocess.run([python, "-c", VBT_CODE, f, str(fee), str(repeat)], capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
    return json.loads(out.stdout.strip().splitlines()[-1]), None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (median reported)")
    ap.add_argument("--vbt-repeat", type=int, default=3)
    ap.add_argument("--vbt-python", default=sys.executable, help="python interpreter that has vectorbt")
    ap.add_argument("--skip-vbt", action="store_true")
    ap.add_argument("--T", type=int, default=5000); ap.add_argument("--N", type=int, default=500)
    ap.add_argument("--K", type=int, default=256); ap.add_argument("--TK", type=int, default=2520)
    ap.add_argument("--NK", type=int, default=50)
    a = ap.parse_args(argv)
    dev, dtype = torch.device(a.device), getattr(torch, a.dtype)
    if dev.type == "cuda" and not torch.cuda.is_available(): sys.exit("--device cuda: no CUDA device is visible")
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    fee = 0.001
    print(f"torch {torch.__version__}, numpy {np.__version__}, device {dev}, dtype {a.dtype}, "
          f"threads {torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("(wall-clock medians decide the targets; CPU time is less disturbed by other processes on a shared machine)")

    # 1. one big backtest
    info = fused_kernel_info()
    print(f"fused kernel: {'available' if info['available'] else 'UNAVAILABLE (' + str(info['reason']) + ')'}"
          f" (built or loaded in {info['seconds']:.2f} s{', ' + info['path'] if info['path'] else ''})")
    logp, w = make_data(a.T, a.N)
    wt, pt = torch.tensor(w, dtype=dtype, device=dev), torch.tensor(logp, dtype=dtype, device=dev)
    res = backtest(wt, pt, commission=fee); sync()
    ref = numpy_backtest(w, logp, fee)
    err = np.abs(res.log_returns.double().cpu().numpy() - ref).max()
    t_mltt = timeit(lambda: backtest(wt, pt, commission=fee), a.repeat, sync)
    with kernel_mode('torch'):
        t_mltt_torch = timeit(lambda: backtest(wt, pt, commission=fee), a.repeat, sync)
        res_torch = backtest(wt, pt, commission=fee)
    t_np = timeit(lambda: numpy_backtest(w, logp, fee), a.repeat)
    tr_mltt = float(torch.expm1(res.log_equity[-1]))
    print(f"\n[1] T={a.T} x N={a.N}, daily rebalancing, commission={fee}")
    print(fmt("mltt backtest", t_mltt) + f"   (kernel: {'fused' if info['available'] and dev.type == 'cpu' else 'torch'})")
    print(fmt("  same, torch kernel", t_mltt_torch) + f"   max |log-return diff| fused vs torch = "
          f"{float((res.log_returns - res_torch.log_returns).abs().max()):.2e}")
    print(fmt("numpy reference", t_np) + f"   max |log-return diff| = {err:.2e}")
    ratio_np = t_mltt[0] / t_np[0]
    print(f"  mltt / numpy = {ratio_np:.2f}x wall, {t_mltt[3] / t_np[3]:.2f}x CPU   (target <= 1.5x: {'OK' if ratio_np <= 1.5 else 'MISSED'})")
    # the kernel alone, against the read-once floor
    w3 = wt.reshape(1, *wt.shape)
    t_kf = None
    if info['available'] and dev.type == 'cpu':
        with kernel_mode('fused'): t_kf = timeit(lambda: daily(w3, pt, 0.0), a.repeat)
    with kernel_mode('torch'): t_kt = timeit(lambda: daily(w3, pt, 0.0), a.repeat, sync)
    t_floor = timeit(lambda: wt.sum(), max(a.repeat, 15), sync)
    print(fmt("torch kernel", t_kt))
    if t_kf is not None:
        print(fmt("fused kernel", t_kf) + f"   {t_kt[1] / t_kf[1]:.1f}x faster than the torch kernel (fastest runs)")
    print(fmt("floor: w.sum()", t_floor) + f"   ({wt.numel() * wt.element_size() / 1e6:.0f} MB, cache-hot)")
    if t_kf is not None:
        r_hot = t_kf[1] / t_floor[1]
        print(f"  fused kernel / floor = {r_hot:.1f}x (fastest runs; target <= 2x: {'OK' if r_hot <= 2 else 'MISSED'})")
        junk = torch.ones(64 << 20 >> 3, dtype=torch.float64)      # 64 MB: more than the L3 cache
        flush = lambda: junk.add_(1.0)
        t_cf = timeit_cold(lambda: (wt.sum(), pt.sum()), max(a.repeat, 15), flush)
        with kernel_mode('fused'): t_kc = timeit_cold(lambda: daily(w3, pt, 0.0), max(a.repeat, 15), flush)
        print(fmt("cold floor: w+p sum", t_cf) + "   (weights and prices, caches evicted before each run)")
        print(fmt("fused kernel, cold", t_kc) + f"   / cold floor = {t_kc[1] / t_cf[1]:.1f}x (fastest runs)")
    if not a.skip_vbt:
        v, why = run_vectorbt(logp, w, fee, a.vbt_repeat, a.vbt_python)
        if v is None: print(f"  vectorbt: skipped ({why}); pass --vbt-python to a venv that has it")
        else:
            speed = v["t"][0] / t_mltt[0]
            rel = abs(tr_mltt - v["total_return"]) / abs(v["total_return"])
            print(fmt("vectorbt", v["t"]) + f"   (from_orders alone: median {v['t_sim'] * 1e3:.1f} ms)")
            print(f"  speed-up vs vectorbt = {speed:.0f}x wall, {v['t'][3] / t_mltt[3]:.0f}x CPU   (target >= 100x: {'OK' if speed >= 100 else 'MISSED'});"
                  f" vs from_orders alone {v['t_sim'] / t_mltt[0]:.0f}x wall")
            if t_kf is not None:
                print(f"  fused kernel vs vectorbt from_orders alone = {v['t_sim'] / t_kf[0]:.0f}x wall (medians)")
            print(f"  total return: mltt {tr_mltt:.6f}, vectorbt {v['total_return']:.6f}, relative difference {rel:.2e}"
                  f"   (target <= 1e-3: {'OK' if rel <= 1e-3 else 'MISSED'})")
    del wt, pt, res

    # 2. a batch of K strategies in one call vs K calls
    logp, w = make_data(a.TK, a.NK, seed=1, K=a.K)
    wt, pt = torch.tensor(w, dtype=dtype, device=dev), torch.tensor(logp, dtype=dtype, device=dev)
    t_b = timeit(lambda: backtest(wt, pt, commission=fee), a.repeat, sync)
    t_l = timeit(lambda: [backtest(wt[k], pt, commission=fee) for k in range(a.K)], max(1, a.repeat // 2), sync)
    same = torch.allclose(backtest(wt, pt, commission=fee).log_returns[-1], backtest(wt[-1], pt, commission=fee).log_returns)
    sp = t_l[0] / t_b[0]
    print(f"\n[2] K={a.K} x T={a.TK} x N={a.NK}")
    print(fmt("one batched call", t_b)); print(fmt(f"{a.K} separate calls", t_l) + f"   same results: {same}")
    print(f"  batched speed-up = {sp:.1f}x wall, {t_l[3] / t_b[3]:.1f}x CPU   (target >= 10x: {'OK' if sp >= 10 else 'MISSED'})")
    t_read = timeit(lambda: wt.sum(), a.repeat, sync)
    per_call = (t_l[1] - t_b[1]) / a.K                            # from the fastest runs: the least disturbed by other load
    print(fmt("one read of the batch", t_read) + f"   ({wt.numel() * wt.element_size() / 1e6:.0f} MB: the least any batched call must do)")
    ns = lambda t: t / wt.numel() * 1e9
    print(f"  per strategy (fastest runs): {t_l[1] / a.K * 1e3:.2f} ms alone = {per_call * 1e3:.2f} ms fixed cost + {t_b[1] / a.K * 1e3:.2f} ms "
          f"compute ({ns(t_b[1]):.1f} ns per element; one read of the batch: {ns(t_read[1]):.2f} ns per element)")
    print(f"  batching saves at most the fixed cost; 10x would need the batched call to take {ns(t_l[1] / 10):.2f} ns per element,"
          f" {t_l[1] / 10 / t_read[1]:.1f} times one read of the batch")


if __name__ == "__main__":
    with cache_mode("DISABLED"):     # the engine is timed, not the cache: repeated calls on the same inputs would be hits
        main()
