"""Speed-up of `mltt.runner.run_jobs` on CPU-bound trainings: serial against loky processes.

64 jobs, each training a small torch MLP single-threaded (full-batch Adam on a synthetic regression, about 0.2-0.5 s
each on a quiet core), seeded from its configuration. Timed: the serial run, then `n_jobs=2` with loky, once cold
(the worker processes start and import torch) and once warm (joblib reuses its workers, as a session running
several sweeps does). The results of the three runs must be identical bit for bit.

Target: >= 1.8x on 2 cores (warm). The figure depends on the machine being otherwise idle: the load average is
printed beside it (on a shared machine, two workers cannot get two cores' worth of time).

Usage (from the repository root):
    .venv/bin/python bench/runner.py                 # 64 jobs, 2 workers
    .venv/bin/python bench/runner.py --jobs 16 --steps 100 --workers 4
"""
from __future__ import annotations
import argparse, os, time
import torch
from mltt.runner import run_jobs


def train(width, lr, steps, seed):
    "Train a 2-layer MLP on a synthetic regression (its own data from `seed`); the final training loss."
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(512, 32, generator=g)
    y = torch.sin(X @ torch.randn(32, 1, generator=g)) + 0.1 * torch.randn(512, 1, generator=g)
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(32, width), torch.nn.Tanh(), torch.nn.Linear(width, 1))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad(); loss = torch.nn.functional.mse_loss(net(X), y); loss.backward(); opt.step()
    return float(loss.detach())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--jobs', type=int, default=64); ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--steps', type=int, default=600, help='Adam steps per training')
    a = ap.parse_args()
    configs = [dict(width=64, lr=1e-3 * (1 + i % 4), steps=a.steps, job=i) for i in range(a.jobs)]
    fn = lambda width, lr, steps, job, seed: train(width, lr, steps, seed)
    load0 = os.getloadavg()
    t0 = time.perf_counter(); c0 = time.process_time()
    serial = run_jobs(fn, configs, backend='serial', progress=False)
    t_serial, c_serial = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter(); cold = run_jobs(fn, configs, n_jobs=a.workers, backend='loky', progress=False); t_cold = time.perf_counter() - t0
    t0 = time.perf_counter(); warm = run_jobs(fn, configs, n_jobs=a.workers, backend='loky', progress=False); t_warm = time.perf_counter() - t0
    load1 = os.getloadavg()
    same = serial.results == cold.results == warm.results
    sp = t_serial / t_warm
    print(f"{a.jobs} trainings ({a.steps} Adam steps of a 32-64-1 MLP on 512 rows, one torch thread each), "
          f"{os.cpu_count()} CPUs, load average {load0[0]:.1f} before, {load1[0]:.1f} after")
    print(f"  serial          {t_serial:7.2f} s  ({t_serial / a.jobs:.3f} s per training; CPU {c_serial:.2f} s)")
    print(f"  loky x{a.workers}, cold   {t_cold:7.2f} s  speed-up {t_serial / t_cold:.2f}x (workers start and import torch)")
    print(f"  loky x{a.workers}, warm   {t_warm:7.2f} s  speed-up {sp:.2f}x   (target >= 1.8x on 2 cores: {'OK' if sp >= 1.8 else 'MISSED'}"
          f"{'' if sp >= 1.8 or load0[0] < os.cpu_count() else '; the machine is busier than its cores, re-measure on a quiet one'})")
    print(f"  results identical bit for bit across serial and loky: {same}")


if __name__ == '__main__':
    main()
