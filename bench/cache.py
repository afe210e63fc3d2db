"""Benchmark of `mltt.cache.fingerprint`, the content key of every cached call.

Times, in one process, the key of
1. an 8 MB float64 tensor (1,000,000 elements), and
2. a 5000 x 500 float64 DataFrame with a date index (20 MB),
against, on the same bytes, the SHA-256 digest the key used before (and `hash_pandas_object`, what the frame's
key used before) and `torch.clone` of the tensor (what the cache does anyway on every store and every hit); and
3. `backtest_model(InverseVolatility(60), lp, commission=0.001, rebalance="M")` on the bundled S&P 500 log-prices
   (8313 days x 20 stocks): a cache hit (the model's prediction and the backtest both read from the cache), a miss
   (cache emptied before each call: both computed, keyed and stored) and the same call with the cache DISABLED.

Target: the key of the 8 MB tensor well under 1 ms on one core, >= 10x faster than the SHA-256 digest. The key
reads every byte (no sampling): its floor is one streaming read of the data, the time of which is printed too
(`sum()` of the tensor). Repeated runs on the same 8 MB find it in the CPU's cache; the "cold" lines cycle through
a pool of distinct tensors larger than any cache (--pool-mb), so they read from main memory, as the key of a
freshly computed input does.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/cache.py
"""
from __future__ import annotations
import argparse, hashlib, itertools, os, statistics, time
import numpy as np
import pandas as pd
import torch
import xxhash
from mltt.cache import cache_info, cache_mode, clear_cache, fingerprint


def timeit(fn, repeat):
    "Median, min and max wall time of `fn` over `repeat` runs (after one warm-up)."
    fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts), max(ts)


def cycling(f, pool):
    "A call of `f` on the next tensor of `pool` each time, so that its data is not in the CPU's cache."
    it = itertools.cycle(pool)
    return lambda: f(next(it))


def fmt(name, t, nbytes):
    "One line of timings in ms, with the throughput of the median."
    return (f"  {name:<34s} median {t[0]*1e3:8.3f} ms  (min {t[1]*1e3:.3f}, max {t[2]*1e3:.3f})"
            f"  {nbytes / t[0] / 1e9:6.1f} GB/s")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per measurement (median reported)")
    ap.add_argument("--n", type=int, default=1_000_000, help="elements of the float64 tensor")
    ap.add_argument("--pool-mb", type=int, default=512, help="total size of the tensors the cold runs cycle through")
    ap.add_argument("--T", type=int, default=5000); ap.add_argument("--N", type=int, default=500)
    a = ap.parse_args(argv)
    print(f"torch {torch.__version__}, numpy {np.__version__}, pandas {pd.__version__}, xxhash {xxhash.VERSION}, "
          f"threads {torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    # 1. a tensor
    x = torch.randn(a.n, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    nb = x.numel() * x.element_size()
    raw = x.numpy()
    t_key = timeit(lambda: fingerprint(x), a.repeat)
    t_sha = timeit(lambda: hashlib.sha256(raw).hexdigest(), a.repeat)
    t_b2 = timeit(lambda: hashlib.blake2b(raw, digest_size=16).hexdigest(), a.repeat)
    t_clone = timeit(lambda: x.clone(), a.repeat)
    t_read = timeit(lambda: x.sum(), a.repeat)
    pool = [torch.randn(a.n, dtype=torch.float64) for _ in range(max(2, a.pool_mb * 2**20 // nb))]
    t_key_cold = timeit(cycling(fingerprint, pool), a.repeat)
    t_sha_cold = timeit(cycling(lambda t: hashlib.sha256(t.numpy()).hexdigest(), pool), a.repeat)
    t_clone_cold = timeit(cycling(torch.clone, pool), a.repeat)
    t_read_cold = timeit(cycling(torch.sum, pool), a.repeat)
    del pool
    print(f"\n[1] tensor of {a.n} float64 ({nb / 1e6:.0f} MB)")
    print(fmt("fingerprint (xxh3-128)", t_key, nb))
    print(fmt("SHA-256 of the bytes (the old key)", t_sha, nb))
    print(fmt("blake2b-128 of the bytes", t_b2, nb))
    print(fmt("torch.clone", t_clone, nb))
    print(fmt("sum() (one read of the data)", t_read, nb))
    print(fmt("fingerprint, cold", t_key_cold, nb))
    print(fmt("SHA-256 of the bytes, cold", t_sha_cold, nb))
    print(fmt("torch.clone, cold", t_clone_cold, nb))
    print(fmt("sum(), cold", t_read_cold, nb))
    sp = t_sha[0] / t_key[0]
    spc, worst = t_sha_cold[0] / t_key_cold[0], max(t_key[0], t_key_cold[0])
    print(f"  SHA-256 / fingerprint = {sp:.0f}x in cache, {spc:.0f}x cold   (target >= 10x: {'OK' if min(sp, spc) >= 10 else 'MISSED'});"
          f" fingerprint {t_key[0] * 1e3:.3f} ms in cache, {t_key_cold[0] * 1e3:.3f} ms cold (target < 1 ms: {'OK' if worst < 1e-3 else 'MISSED'});"
          f" clone / fingerprint = {t_clone[0] / t_key[0]:.1f}x in cache, {t_clone_cold[0] / t_key_cold[0]:.1f}x cold")

    # 2. a DataFrame
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(a.T, a.N)), index=pd.date_range("2000-01-03", periods=a.T, freq="B"),
                      columns=[f"A{j}" for j in range(a.N)])
    nb = df.shape[0] * df.shape[1] * 8
    vals = df.to_numpy().T                                       # a view: the bytes the key reads
    t_fkey = timeit(lambda: fingerprint(df), a.repeat)
    t_fsha = timeit(lambda: hashlib.sha256(vals).hexdigest(), a.repeat)
    t_hpo = timeit(lambda: hashlib.sha256(pd.util.hash_pandas_object(df).to_numpy()).hexdigest(), max(3, a.repeat // 4))
    t_fclone = timeit(lambda: df.copy(), a.repeat)
    print(f"\n[2] DataFrame {a.T} x {a.N} float64, dates x tickers ({nb / 1e6:.0f} MB)")
    print(fmt("fingerprint", t_fkey, nb))
    print(fmt("SHA-256 of the values", t_fsha, nb))
    print(fmt("hash_pandas_object (the old key)", t_hpo, nb))
    print(fmt("DataFrame.copy", t_fclone, nb))
    print(f"  SHA-256 / fingerprint = {t_fsha[0] / t_fkey[0]:.0f}x, hash_pandas_object / fingerprint = "
          f"{t_hpo[0] / t_fkey[0]:.0f}x, copy / fingerprint = {t_fclone[0] / t_fkey[0]:.1f}x")


    # 3. backtest_model through the cache
    from mltt.data import load_dataset, log_prices
    from mltt.allocation.classical import InverseVolatility
    from mltt.allocation.backtesting import backtest_model
    lp = log_prices(load_dataset("sp500"))
    run = lambda: backtest_model(InverseVolatility(60), lp, commission=0.001, rebalance="M")
    def miss():
        clear_cache(); t0 = time.perf_counter(); run(); return time.perf_counter() - t0
    miss(); ts = sorted(miss() for _ in range(a.repeat)); t_miss = (statistics.median(ts), ts[0], ts[-1])
    clear_cache(); run()
    h0 = cache_info().hits
    t_hit = timeit(run, a.repeat)
    assert cache_info().hits - h0 == 2 * (a.repeat + 1), cache_info()          # every timed call: two hits
    with cache_mode("DISABLED"): t_off = timeit(run, a.repeat)
    t_fp = timeit(lambda: fingerprint(lp), a.repeat)
    print(f"\n[3] backtest_model(InverseVolatility(60), S&P 500 log-prices {lp.shape[0]} x {lp.shape[1]}, commission=0.001, rebalance='M')")
    ms = lambda name, t: print(f"  {name:<38s} median {t[0]*1e3:8.3f} ms  (min {t[1]*1e3:.3f}, max {t[2]*1e3:.3f})")
    ms("cache hit (prediction + backtest)", t_hit)
    ms("cache miss (computed, keyed, stored)", t_miss)
    ms("cache DISABLED (computed)", t_off)
    ms("fingerprint of the log-prices", t_fp)
    print(f"  DISABLED / hit = {t_off[0] / t_hit[0]:.1f}x (medians), {t_off[1] / t_hit[1]:.1f}x (minima); miss - DISABLED = "
          f"{(t_miss[0] - t_off[0]) * 1e3:.2f} ms (medians), {(t_miss[1] - t_off[1]) * 1e3:.2f} ms (minima): keying and storing on a miss")


if __name__ == "__main__":
    main()
