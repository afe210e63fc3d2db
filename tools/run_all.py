""""Run All" on every notebook, as a user does in Jupyter: `jupyter nbconvert --to notebook --execute`.

    bash tools/run_all.sh [--workers 2] [--timeout 1800] [--keep] [NB ...]

Every notebook in nbs/ (or the ones named) is executed from top to bottom in its own kernel, slow cells included
(nbconvert knows nothing of nbdev's `#| slow`/`#| net`/`#| cuda` flags: cells that need a GPU or the network must
check for it themselves), with
- no GPU visible (`CUDA_VISIBLE_DEVICES=""`),
- no network: a `sitecustomize` put first on the kernel's `PYTHONPATH` makes name resolution and connections to any
  host but the loopback fail at once, as on an offline machine (the kernel still talks to Jupyter over 127.0.0.1),
- the executed copies written into a temporary folder, never into nbs/ (the notebooks run from nbs/, as in Jupyter).
It prints each notebook's time and a summary, and fails if a notebook fails, leaves a file under nbs/ (ignored files
included) or changes what `git status` shows elsewhere in the checkout.
"""
import argparse, os, re, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OFFLINE = '''\
# Written by tools/run_all.py: no network for the notebooks it runs (loopback only).
import ipaddress, socket
_LOCAL = {"localhost", "localhost.localdomain", "ip6-localhost", socket.gethostname().lower()}   # this machine's own name is not the network
def _local(host):
    if host is None: return True
    host = host.decode() if isinstance(host, bytes) else str(host)
    if host.lower() in _LOCAL: return True
    try: return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError: return False
def _refuse(host): return OSError(101, f"Network is unreachable (offline run: {host})")
_getaddrinfo, _connect, _connect_ex = socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex
def getaddrinfo(host, *a, **k):
    if not _local(host): raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known (offline run: {host})")
    return _getaddrinfo(host, *a, **k)
def _host(address): return address[0] if isinstance(address, tuple) else None
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(_host(address)): raise _refuse(_host(address))
    return _connect(self, address)
def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(_host(address)): return 101
    return _connect_ex(self, address)
socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = getaddrinfo, connect, connect_ex
'''

def notebooks(names) -> list[Path]:
    nbs = ROOT/'nbs'
    if names: return [p if p.exists() else nbs/p.name for p in (Path(n if n.endswith('.ipynb') else n + '.ipynb') for n in names)]
    return sorted(p for p in nbs.rglob('*.ipynb') if not any(q.startswith('.') for q in p.relative_to(nbs).parts))

def git_state(*args) -> set[str]:
    "`git status --porcelain` lines (untracked files listed one by one) for `args` (options and paths)."
    r = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all', *args], cwd=ROOT, capture_output=True,
                       text=True, check=True)
    return set(r.stdout.splitlines())

def nbs_state() -> set[str]:
    "Files under nbs/ that git does not track as unchanged: untracked, ignored and modified ones."
    return git_state('--ignored', '--', 'nbs')

def main(argv=None):
    ap = argparse.ArgumentParser(description='Execute every notebook as Run All does, offline and without a GPU.')
    ap.add_argument('names', nargs='*', help='notebooks to run (default: all of nbs/)')
    ap.add_argument('--workers', type=int, default=2, help='notebooks run at the same time')
    ap.add_argument('--timeout', type=int, default=1800, help='seconds one cell may run')
    ap.add_argument('--keep', action='store_true', help='keep the executed copies (their folder is printed)')
    a = ap.parse_args(argv)
    nbs = notebooks(a.names)
    missing = [str(n) for n in nbs if not n.exists()]
    if missing: sys.exit(f'run_all: no such notebook: {missing}')
    out = Path(tempfile.mkdtemp(prefix='mltt-run-all-'))
    site = out/'_offline'; site.mkdir()
    (site/'sitecustomize.py').write_text(OFFLINE)
    env = {**os.environ, 'CUDA_VISIBLE_DEVICES': '', 'PYTHONPATH': os.pathsep.join(
        [str(site), str(ROOT)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]),
        'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'MKL_NUM_THREADS': os.environ.get('MKL_NUM_THREADS', '1'),
        'PYTHONWARNINGS': os.environ.get('PYTHONWARNINGS', ''), 'MLTT_OFFLINE_RUN': '1'}   # cells that cannot run offline read it
    env.pop('MPLBACKEND', None)                     # the kernel's own inline backend, as in Jupyter
    before, repo_before = nbs_state(), git_state()
    print(f'run_all: {len(nbs)} notebooks, {a.workers} at a time, no GPU, no network; executed copies in {out}', flush=True)
    t0 = time.time()
    def run(nb):
        rel = nb.relative_to(ROOT/'nbs')
        dest = out/rel.parent
        cmd = [sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--output-dir', str(dest),
               f'--ExecutePreprocessor.timeout={a.timeout}', str(nb)]
        t = time.time()
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        dt = time.time() - t
        print(f'  {rel}: {"ok" if r.returncode == 0 else "FAILED"} {dt:.1f}s', flush=True)
        return rel, dt, r.returncode, r.stderr
    with ThreadPoolExecutor(max(1, a.workers)) as ex: res = list(ex.map(run, nbs))
    failed = [(rel, err) for rel, _, rc, err in res if rc != 0]
    for rel, err in failed:
        err = re.sub(r'\x1B\[[0-?]*[ -/]*[@-~]', '', err)          # no terminal colours in the log
        print(f'\n--- {rel} failed:\n' + '\n'.join(err.strip().splitlines()[-40:]))
    left = sorted(nbs_state() - before)
    changed = sorted(l for l in git_state() - repo_before if l[3:] not in {x[3:] for x in left})   # elsewhere in the checkout
    if changed: print('\nrun_all: the notebooks changed files of the checkout (git status):\n  ' + '\n  '.join(changed))
    if left: print('\nrun_all: the notebooks left files under nbs/ (they must write into a temporary folder):\n  ' + '\n  '.join(left))
    slow = sorted(res, key=lambda r: -r[1])[:5]
    print(f'\nrun_all: {len(nbs) - len(failed)} of {len(nbs)} notebooks ran in {time.time()-t0:.0f}s '
          f'(sum of notebook times {sum(r[1] for r in res):.0f}s; slowest: '
          + ', '.join(f'{r[0]} {r[1]:.0f}s' for r in slow) + ')')
    if a.keep: print(f'run_all: executed copies kept in {out}')
    else:
        import shutil; shutil.rmtree(out, ignore_errors=True)
    if failed or left or changed:
        sys.exit(f'run_all: {len(failed)} notebook(s) failed, {len(left)} file(s) left under nbs/, {len(changed)} other change(s) to the checkout')

if __name__ == '__main__': main()
