"""Benchmark of the RL environments of `mltt.rl.envs`: environment steps per second on one core.

Times, in one process, K episodes stepped together by `BatchedEnv` (one tensor operation per step for all K) against
the reference run: the same K episodes stepped one by one by K single environments (`gymnasium.vector.SyncVectorEnv`,
what Gymnasium does for environments without a batched implementation), on the same prices, with the same actions
(drawn before timing, so drawing them is not timed). Both a one-asset `TradingEnv` (discrete actions) and a 10-asset
`PortfolioEnv` (continuous actions projected to the simplex) are measured, 10 bp commission, window 32, episodes of
256 steps with same-step restarts.

Target: at least 100,000 environment steps per second on one core with the batched environment.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/rl.py [--envs 1024] [--steps 200] [--repeat 5]
"""
from __future__ import annotations
import argparse, time
import numpy as np
import torch
import gymnasium as gym
from mltt.synth import synthetic_log_prices
from mltt.rl.envs import TradingEnv, PortfolioEnv

TARGET = 100_000


def best(fn, repeat):
    "Minimum wall time of `fn` over `repeat` runs (after one warm-up): the machine is shared, the minimum is the least disturbed."
    fn(); ts = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts)


def batched_run(env, K, actions):
    envs = env.batched(K)
    def run():
        envs.reset(seed=0)
        for a in actions: envs.step(a)
    return run


def sync_run(make, K, actions):
    envs = gym.vector.SyncVectorEnv([make] * K, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    def run():
        envs.reset(seed=0)
        for a in actions: envs.step(a)
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--envs', type=int, default=1024, help='K, episodes stepped together')
    ap.add_argument('--steps', type=int, default=200, help='steps of the batched environment per timed run')
    ap.add_argument('--ref-envs', type=int, default=16, help='K of the one-by-one reference (its steps/s do not depend on K)')
    ap.add_argument('--repeat', type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    lp = synthetic_log_prices(5000, 10, seed=0)
    rng = np.random.default_rng(0)
    cases = {
        'TradingEnv (1 asset, discrete)': (lambda: TradingEnv(lp.iloc[:, :1], window=32, commission=0.001, episode_length=256),
                                           lambda k, n: rng.integers(0, 4, (n, k))),
        'PortfolioEnv (10 assets, simplex)': (lambda: PortfolioEnv(lp, window=32, commission=0.001, episode_length=256),
                                              lambda k, n: rng.uniform(-1, 1, (n, k, 10)).astype(np.float32)),
    }
    ok = True
    for name, (make, draw) in cases.items():
        K, n = args.envs, args.steps
        tb = best(batched_run(make(), K, draw(K, n)), args.repeat)
        kr, nr = args.ref_envs, max(10, n // 4)
        tr = best(sync_run(make, kr, draw(kr, nr)), max(1, args.repeat // 2))
        sb, sr = K * n / tb, kr * nr / tr
        ok &= sb >= TARGET
        print(f"{name}\n  batched, K={K:<5d} {sb:12,.0f} steps/s   ({tb / n * 1e3:.3f} ms per batched step)"
              f"\n  one by one (SyncVectorEnv, K={kr}) {sr:10,.0f} steps/s\n  ratio batched / one by one: {sb / sr:8.1f}x"
              f"   target >= {TARGET:,} steps/s: {'met' if sb >= TARGET else 'MISSED'} ({sb / TARGET:.1f}x)")
    return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
