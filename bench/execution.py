"""Speed of the event-driven engine (mltt.execution).

1. 10,000 bars x 500 assets, signals with stops (hard, trailing, target, time), fixed-fractional sizing and the seven risk checks:
   target under 2 s on one core.
2. One asset, 2,000 bars, a moving-average crossover with a stop-loss and a commission: mltt against backtrader in the same
   process, target at least 50x faster.
Times are the minimum of several repeats of the process CPU time (`time.process_time`: the time spent on one core, which
other users of a shared machine do not inflate the way they inflate wall time); wall times are printed too.
Both scenarios run in the compiled loop (numba, the default) and in the numpy loop (`engine='numpy'`, the reference); the first
call of the compiled loop in a process compiles it, or loads it from numba's on-disk cache, and is timed on its own.
Run: `OMP_NUM_THREADS=1 python bench/execution.py`.
"""
import math, os, sys, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np
import pandas as pd
import torch
torch.set_num_threads(1)
from mltt.synth import ohlcv
from mltt.execution.orders import Bars
from mltt.execution.risk import RiskManager
from mltt.execution.sizing import FixedFractionalSizing
from mltt.execution.engine import BacktestEngine

def best_of(f, n):
    "(min CPU seconds, min wall seconds) over n runs."
    cpu, wall = [], []
    for _ in range(n):
        c0, t0 = time.process_time(), time.perf_counter(); f()
        cpu.append(time.process_time() - c0); wall.append(time.perf_counter() - t0)
    return min(cpu), min(wall)

def panel(T=10_000, N=500, seed=0):
    rng = np.random.default_rng(seed)
    lr = rng.normal(0.0002, 0.015, (T, N)); c = 100 * np.exp(np.cumsum(lr, 0))
    o = np.vstack([np.full((1, N), 100.0), c[:-1]]) * np.exp(rng.normal(0, 0.003, (T, N)))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0, 0.006, (T, N)))); l = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0, 0.006, (T, N))))
    v = rng.uniform(1e5, 1e6, (T, N))
    bars = Bars(o, h, l, c, v, index=pd.bdate_range('1990-01-01', periods=T))
    fast = pd.DataFrame(c).rolling(10).mean().to_numpy(); slow = pd.DataFrame(c).rolling(40).mean().to_numpy()
    sig = np.nan_to_num(np.sign(fast - slow))
    return bars, sig

def run_panel(bars, sig, engine='auto'):
    rm = RiskManager(1e7, max_portfolio_heat=0.5, hard_stop_pct=0.05, trailing_stop_pct=0.08, take_profit_pct=0.2, time_stop_days=60)
    eng = BacktestEngine(1e7, rm, FixedFractionalSizing(0.002, 0.01), commission_pct=0.0005, slippage_bps=2, engine=engine)
    return eng, eng.run_backtest(bars, sig)

def main(repeats=3):
    b0, s0 = panel(50, 2)
    c0, w0 = time.process_time(), time.perf_counter(); run_panel(b0, s0)
    print(f'first call of the compiled loop (compile, or load from the cache): {time.process_time() - c0:.2f} s CPU, {time.perf_counter() - w0:.2f} s wall')
    bars, sig = panel()
    eng, res = run_panel(bars, sig)
    c0, w0 = time.process_time(), time.perf_counter(); eng_np, res_np = run_panel(bars, sig, 'numpy')
    t_np, w_np = time.process_time() - c0, time.perf_counter() - w0
    same = all(len(getattr(eng, g)()) == len(getattr(eng_np, g)()) for g in ('get_fills', 'get_trades', 'get_rejections'))
    assert same and np.allclose(eng.get_equity_curve(), eng_np.get_equity_curve(), rtol=1e-12, atol=0), 'the two loops disagree'
    t_panel, w_panel = best_of(lambda: run_panel(bars, sig), repeats)
    print(f'panel 10,000 x 500, numpy loop: {t_np:.2f} s CPU, {w_np:.2f} s wall (same fills, trades, refusals and equity to 1e-12)')
    print(f'panel 10,000 x 500: {t_panel:.2f} s CPU (target < 2 s), {w_panel:.2f} s wall; {res["n_fills"]:,} fills, {res["n_trades"]:,} trades, '
          f'{res["n_rejected"]:,} refused entries; exits by reason: {eng.get_trades().exit_reason.value_counts().to_dict()}')
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
    import backtrader as bt
    one = ohlcv(2000, mu=0.05, sigma=0.3, seed=11).droplevel('ticker', axis=1)
    def run_bt():
        class S(bt.Strategy):
            def __init__(self):
                self.fast, self.slow = bt.ind.SMA(period=10), bt.ind.SMA(period=30); self.prev, self.so = 0, None
            def notify_order(self, o):
                if o.status == o.Completed and o.isbuy(): self.so = self.sell(size=o.executed.size, exectype=bt.Order.Stop, price=o.executed.price * 0.97)
            def next(self):
                s = 1 if self.fast[0] > self.slow[0] else 0
                if s != self.prev:
                    if s == 1 and not self.position:
                        e, c = self.broker.getvalue(), self.data.close[0]
                        n = math.floor(min(e * 0.01 / (c * 0.03), 0.25 * e / c) + 1e-9)
                        if n > 0: self.buy(size=n)
                    elif s == 0 and self.position:
                        if self.so is not None: self.cancel(self.so); self.so = None
                        self.close()
                self.prev = s
        cb = bt.Cerebro(stdstats=False); cb.broker.setcash(1e5); cb.broker.setcommission(commission=0.001)
        cb.adddata(bt.feeds.PandasData(dataname=one)); cb.addstrategy(S); cb.run()
        return cb.broker.getvalue()
    def run_ml(engine='auto'):
        c = one['close']; sig1 = (c.rolling(10).mean() > c.rolling(30).mean()).astype(float); sig1[c.rolling(30).mean().isna()] = 0
        rm = RiskManager(1e5, hard_stop_pct=0.03, trailing_stop_pct=None, take_profit_pct=None, time_stop_days=None, max_portfolio_heat=1.0,
                         daily_loss_limit_pct=0.99, max_drawdown_pct=0.99, zone_bounds=(0.97, 0.98, None), max_position_pct=1.0)
        eng = BacktestEngine(1e5, rm, FixedFractionalSizing(0.01, 0.25), commission_pct=0.001, slippage_bps=0, allow_short=False, stops_active='next_bar', engine=engine)
        eng.run_backtest(one, sig1); return eng.get_equity_curve().iloc[-1]
    v_bt, v_ml = run_bt(), run_ml()
    (t_bt, w_bt), (t_ml, w_ml), (t_np1, w_np1) = best_of(run_bt, repeats), best_of(run_ml, repeats * 10), best_of(lambda: run_ml('numpy'), repeats * 3)
    assert abs(run_ml('numpy') / v_ml - 1) < 1e-12
    print(f'single asset 2,000 bars, numpy loop: {t_np1 * 1e3:.1f} ms CPU ({t_bt / t_np1:.0f}x faster than backtrader)')
    print(f'single asset 2,000 bars: backtrader {t_bt * 1e3:.0f} ms, mltt {t_ml * 1e3:.1f} ms CPU: {t_bt / t_ml:.0f}x faster (target >= 50x; wall {w_bt / w_ml:.0f}x); '
          f'final values {v_bt:,.6f} vs {v_ml:,.6f}')

if __name__ == '__main__': main()
