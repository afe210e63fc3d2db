"""Benchmark of the order-book features and the binary-option closed forms.

1. VAMP at one target and the order-flow imbalance on T=200,000 snapshots x 10 levels: `vamp` + `order_flow_imbalance`
   against the same two features in a plain per-snapshot Python loop (timed on 5,000 snapshots and scaled), in this
   process; the results are compared on those 5,000 snapshots. Target: >= 20x faster. The time of `all_features`
   (every feature, about 60 columns) on the same book is printed for reference.
2. `cash_or_nothing` + `greeks` on 1,000,000 points against QuantLib's `AnalyticEuropeanEngine` (price and the
   same greeks) timed on 5,000 points and scaled. Target: >= 50x faster per point.

Times are the minimum of several repeats (the machine may be shared). Run: python bench/orderbook_options.py
"""
import math, time
import numpy as np
import torch
from mltt.orderbook.features import Orderbook, all_features
from mltt.options.closed_form import cash_or_nothing, greeks

torch.set_num_threads(1)

def best(f, repeats=5):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)

def random_book(T, L, seed=0):
    g = np.random.default_rng(seed)
    mid = 100 + np.cumsum(g.integers(-1, 2, T)) * 0.01
    half = g.integers(1, 3, T) * 0.005
    steps = g.integers(1, 3, (T, L)).cumsum(1) * 0.01 - 0.01
    bid, ask = (mid - half)[:, None] - steps, (mid + half)[:, None] + steps
    return np.stack([bid, g.integers(1, 50, (T, L)), ask, g.integers(1, 50, (T, L))], -1).astype(np.float64)

def loop_features(d, target):
    "VAMP at one target and OFI, snapshot by snapshot in plain Python."
    out = []
    for t in range(len(d)):
        vw = []
        for pc, qc in ((0, 1), (2, 3)):
            need, qty = target, 0.0
            for l in range(d.shape[1]):
                p, q = d[t, l, pc], d[t, l, qc]
                take = min(need, p * q); qty += take / p; need -= take
                if need <= 0: break
            vw.append(target / qty if need <= 1e-12 else float('nan'))
        if t == 0: ofi = float('nan')
        else:
            b0, qb0, a0, qa0 = d[t - 1, 0]; b1, qb1, a1, qa1 = d[t, 0]
            ofi = (b1 >= b0) * qb1 - (b1 <= b0) * qb0 - (a1 <= a0) * qa1 + (a1 >= a0) * qa0
        out.append(((vw[0] + vw[1]) / 2, ofi))
    return out

if __name__ == '__main__':
    T, L = 200_000, 10
    d = random_book(T, L)
    book = Orderbook(torch.from_numpy(d))
    from mltt.orderbook.features import vamp, order_flow_imbalance
    t_vec = best(lambda: (vamp(book, 2000.), order_flow_imbalance(book)), 5)
    t_all = best(lambda: all_features(book, vamp_levels=[500., 2000., 8000.], rv_window=100), 3)
    n_loop = 5_000
    t_loop = best(lambda: loop_features(d[:n_loop], 2000.), 3) * T / n_loop
    ref = np.array(loop_features(d[:n_loop], 2000.))
    err = max(np.nanmax(np.abs(ref[:, 0] - vamp(book, 2000.)[:n_loop].numpy())), np.nanmax(np.abs(ref[1:, 1] - order_flow_imbalance(book)[1:n_loop].numpy())))
    print(f'VAMP + OFI, {T:,} snapshots x {L} levels: torch {t_vec:.3f} s; per-snapshot Python loop (scaled): {t_loop:.2f} s; '
          f'ratio {t_loop / t_vec:.1f}x (target >= 20x); max |difference| {err:.1e}')
    print(f'all_features (every feature, 3 VAMP targets) on the same book: {t_all:.3f} s ({t_all / T * 1e6:.1f} us per snapshot)')

    import QuantLib as ql
    n = 1_000_000
    g = np.random.default_rng(1)
    S, K, V, Tm = (torch.tensor(g.uniform(a, b, n)) for a, b in ((80, 120), (80, 120), (0.1, 0.5), (0.1, 2)))
    t_torch = best(lambda: greeks(cash_or_nothing, S, K, V, Tm, 0.03, 0.01), 3)
    today = ql.Date(15, 1, 2025); ql.Settings.instance().evaluationDate = today; dc = ql.Actual365Fixed()
    s, v = ql.SimpleQuote(100.), ql.SimpleQuote(0.2)
    proc = ql.BlackScholesMertonProcess(ql.QuoteHandle(s), ql.YieldTermStructureHandle(ql.FlatForward(today, 0.01, dc)),
                                        ql.YieldTermStructureHandle(ql.FlatForward(today, 0.03, dc)),
                                        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), ql.QuoteHandle(v), dc)))
    eng = ql.AnalyticEuropeanEngine(proc)
    m = 5_000
    def ql_run():
        for i in range(m):
            s.setValue(float(S[i])); v.setValue(float(V[i]))
            o = ql.VanillaOption(ql.CashOrNothingPayoff(ql.Option.Call, float(K[i]), 1.0), ql.EuropeanExercise(today + max(1, int(Tm[i] * 365))))
            o.setPricingEngine(eng); o.NPV(); o.delta(); o.gamma(); o.vega(); o.theta(); o.rho()
    t_ql = best(ql_run, 3) * n / m
    print(f'cash_or_nothing + greeks, {n:,} points: torch {t_torch:.3f} s; QuantLib (scaled from {m:,}): {t_ql:.2f} s; '
          f'ratio {t_ql / t_torch:.1f}x (target >= 50x)')
