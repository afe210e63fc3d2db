"""Peak memory (RSS) of three large calls, each in a fresh process, against their targets.

1. `VolatilityTarget(EqualWeight())(X)`, X log-prices (T=2520, N=500): target < 1 GB.
2. `mltt.optimize.moments.rolling_moments(X, 252, cov="ledoit_wolf")`, X (2520, 500): target < 2 GB beyond its output.
   Every daily window's covariance is 2,268 x 500 x 500 float64 numbers, 4.2 GiB by itself: no implementation can
   return it in under 2 GB, so the target is on the memory the call needs beyond what it returns (case 2) and on the
   whole peak when only month ends are asked for (`ends=`, what `MeanVarianceAllocator` asks for; case 4).
3. `mltt.validation.overfitting.probability_of_backtest_overfitting(R, n_partitions=30)`, R returns (2520, 20):
   target < 2 GB (comb(30, 15) = 155 million combinations: the function has to cap them).

Each case runs in its own subprocess, which reports its own peak RSS (`resource.getrusage(RUSAGE_SELF).ru_maxrss`).
Beside each case is the baseline: the peak RSS of a subprocess that only imports mltt and builds the same inputs, so
that `peak / baseline` and `peak - baseline` (what the call itself added) can be read directly. A case passes when
its whole peak (less its output, for cases marked "beyond output") is under the target.

A process is stopped when its RSS passes `--cap-gb` (default 6 GB; the parent polls it with psutil), so that a
case that still blows up is reported as "> cap" instead of taking the machine down.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python bench/memory.py              # all three cases
    .venv/bin/python bench/memory.py --cases 1 --cap-gb 4            # one case
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, time

CASES = {
    1: dict(name='VolatilityTarget(EqualWeight())(X), X (2520, 500)', target_gb=1.0, inputs='prices',
            call='from mltt.allocation.overlays import VolatilityTarget\n'
                 'from mltt.allocation.classical import EqualWeight\n'
                 'out = VolatilityTarget(EqualWeight())(X)'),
    2: dict(name='rolling_moments(X (2520, 500), 252, cov="ledoit_wolf"), beyond output', target_gb=2.0, inputs='prices',
            beyond_output=True, call='from mltt.optimize.moments import rolling_moments\n'
                 'out = rolling_moments(X, 252, cov="ledoit_wolf")'),
    3: dict(name='probability_of_backtest_overfitting(R (2520, 20), n_partitions=30)', target_gb=2.0, inputs='returns',
            call='from mltt.validation.overfitting import probability_of_backtest_overfitting\n'
                 'out = probability_of_backtest_overfitting(X, n_partitions=30)'),
    4: dict(name='rolling_moments(..., ledoit_wolf, ends=month ends)', target_gb=2.0, inputs='prices',
            call='from mltt.optimize.moments import rolling_moments\n'
                 'out = rolling_moments(X, 252, cov="ledoit_wolf", ends=list(range(272, 2520, 21)))'),
}

INPUTS = {
    'prices': 'X = torch.as_tensor(np.cumsum(np.random.default_rng(0).normal(0.0003, 0.015, (2520, 500)), 0) + np.log(50.0))',
    'returns': 'X = torch.as_tensor(np.random.default_rng(0).normal(0.0003, 0.01, (2520, 20)))',
}

CHILD = '''
import resource, json, time
import numpy as np, torch
import mltt, mltt.core
{inputs}
t0 = time.perf_counter()
{call}
dt = time.perf_counter() - t0
nbytes = sum(t.nbytes for t in (out if isinstance(out, tuple) else [out]) if isinstance(t, torch.Tensor))
print(json.dumps(dict(maxrss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, seconds=dt, out_bytes=nbytes)))
'''


def run_child(code:str, cap_gb:float, timeout:float) -> dict:
    "Run `code` in a fresh interpreter; its own peak RSS (GB) and time, or what stopped it."
    import psutil
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get('PYTHONPATH', ''))
    p = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    proc, seen, stopped, t0 = psutil.Process(p.pid), 0, None, time.time()
    while p.poll() is None:
        try: seen = max(seen, proc.memory_info().rss)
        except psutil.Error: break
        if seen > cap_gb * 2**30: stopped = f'> {cap_gb:g} GB (stopped)'
        elif time.time() - t0 > timeout: stopped = f'> {timeout:g} s (stopped)'
        if stopped: p.kill(); break
        time.sleep(0.02)
    out, err = p.communicate()
    if stopped: return dict(peak_gb=seen / 2**30, error=stopped)
    if p.returncode != 0:
        return dict(peak_gb=seen / 2**30, error=(err.strip().splitlines() or ['exit %d' % p.returncode])[-1][:200])
    r = json.loads(out.strip().splitlines()[-1])
    return dict(peak_gb=r['maxrss_kb'] / 2**20, seconds=r['seconds'], out_gb=r['out_bytes'] / 2**30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cases', default='1,2,3,4', help='comma-separated case numbers (1 to 4)')
    ap.add_argument('--cap-gb', type=float, default=6.0, help='stop a process whose RSS passes this (GB)')
    ap.add_argument('--timeout', type=float, default=600.0, help='stop a process that runs longer (s)')
    a = ap.parse_args()
    cases = [int(c) for c in a.cases.split(',') if c.strip()]
    baselines = {}
    print(f"{'case':<70} {'peak GB':>9} {'baseline GB':>12} {'added GB':>9} {'ratio':>6} {'target':>7} {'time s':>7}  verdict")
    for c in cases:
        spec = CASES[c]
        if spec['inputs'] not in baselines:
            baselines[spec['inputs']] = run_child(CHILD.format(inputs=INPUTS[spec['inputs']], call='out = None'), a.cap_gb, a.timeout)
        base = baselines[spec['inputs']]
        r = run_child(CHILD.format(inputs=INPUTS[spec['inputs']], call=spec['call']), a.cap_gb, a.timeout)
        measured = r['peak_gb'] - (r.get('out_gb', 0) if spec.get('beyond_output') else 0)
        ok = 'error' not in r and measured < spec['target_gb']
        verdict = ('PASS' if ok else 'FAIL') + (f" ({r['error']})" if 'error' in r else '')
        secs = f"{r['seconds']:.2f}" if 'seconds' in r else '-'
        print(f"{c}. {spec['name']:<67} {r['peak_gb']:>9.3f} {base['peak_gb']:>12.3f} {r['peak_gb'] - base['peak_gb']:>9.3f} "
              f"{r['peak_gb'] / base['peak_gb']:>6.2f} {'< %g' % spec['target_gb']:>7} {secs:>7}  {verdict}"
              + (f" (output {r['out_gb']:.2f} GB; peak less output {measured:.2f} GB)" if spec.get('beyond_output') and 'out_gb' in r else ''), flush=True)


if __name__ == '__main__':
    main()
