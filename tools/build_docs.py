"""Build the docs site offline into `_docs/` (run through `bash tools/build_docs.sh`; see tools/README.md).

Every notebook nbdev would publish (nbs/**/*.ipynb, `_*` skipped, in `nbdev_sidebar` order) is executed and
processed by nbdev's doc processors (tools/nbdocs.py), rendered to Markdown with its outputs and figures, and
built by Material for MkDocs (offline plugin, no web fonts, MathML math) into a static site: `_docs/index.html`
plus one page per notebook with the names Quarto gives them (`06_backtest.ipynb` -> `backtest.html`).
A notebook that fails to execute fails the build, naming the notebook and cell; `_docs/` is then left as it was.
"""
import argparse, os, shutil, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbdocs import ROOT, NotebookError, Renderer, nb_order, out_name, run_child, atomic_write_text

BUILD = ROOT/'build'/'docs'           # intermediate files (gitignored `build/`)
HERE = Path(__file__).resolve().parent/'docs'

def mkdocs_config(cfg, nav, md_dir, site_dir) -> dict:
    return {
        'site_name': cfg.get('title', cfg.lib_name),
        'site_description': cfg.get('description', ''),
        'copyright': f"Copyright {cfg.get('copyright', '')}",
        'docs_dir': str(md_dir), 'site_dir': str(site_dir),
        'use_directory_urls': False,
        'strict': True,
        'theme': {'name': 'material', 'font': False, 'language': 'en',
                  'features': ['navigation.top', 'navigation.tracking', 'search.highlight', 'search.suggest',
                               'content.code.copy', 'toc.follow'],
                  'palette': [{'scheme': 'default', 'primary': 'indigo', 'accent': 'indigo',
                               'toggle': {'icon': 'material/brightness-7', 'name': 'Switch to dark mode'}},
                              {'scheme': 'slate', 'primary': 'indigo', 'accent': 'indigo',
                               'toggle': {'icon': 'material/brightness-4', 'name': 'Switch to light mode'}}]},
        'plugins': ['search', 'offline'],
        'hooks': [str(HERE/'hooks.py')],
        'extra_css': ['_assets/extra.css'],
        'extra': {'polyfills': ['_assets/iframe-worker-shim.js'],   # local copy: the offline plugin's default is a CDN
                  'generator': False},
        'markdown_extensions': [
            {'toc': {'permalink': True}}, 'tables', 'attr_list', 'md_in_html', 'admonition', 'footnotes', 'def_list',
            'pymdownx.details', 'pymdownx.superfences', 'pymdownx.inlinehilite',
            {'pymdownx.highlight': {'use_pygments': True, 'anchor_linenums': False}},
            {'pymdownx.arithmatex': {'generic': True}}],
        'validation': {'omitted_files': 'warn', 'absolute_links': 'info', 'unrecognized_links': 'warn',
                       'anchors': 'warn'},
        'nav': nav,
    }

def _lib_key(cfg, skip, no_exec) -> str:
    "Hash of what every notebook's output depends on besides itself: the library, settings, these tools, flags."
    import hashlib
    h = hashlib.sha256(repr((sorted(skip), no_exec, sys.version)).encode())
    files = sorted(p for p in Path(cfg.lib_path).rglob('*') if p.is_file() and '__pycache__' not in p.parts)
    files += [cfg.config_file, Path(__file__), Path(__file__).with_name('nbdocs.py')]
    for f in files: h.update(str(f).encode()); h.update(f.read_bytes())
    import nbdev, execnb; h.update(f'{nbdev.__version__} {execnb.__version__}'.encode())
    return h.hexdigest()

def _key(nb:Path, lib_key:str) -> str:
    import hashlib
    return hashlib.sha256(lib_key.encode() + nb.read_bytes()).hexdigest()[:16]

# Sidebar sections by notebook number: the stages of the package map (index.ipynb, "What is inside")
# (a title met again later gathers its pages into the first section of that title)
STAGES = [(10, 'Foundations'), (20, 'Data'), (25, 'Technical indicators'), (28, 'Formulaic alphas'), (30, 'Order books'),
          (33, 'Allocators'), (38, 'Optimisation'), (40, 'Strategy models'), (44, 'Neural networks'), (46, 'Strategy models'),
          (50, 'Forecasting'), (60, 'Backtesting'), (65, 'Reports'), (70, 'Binary options'), (77, 'Validation'),
          (78, 'Formulaic alphas'), (79, 'Forecasting'), (80, 'Formulaic alphas'), (85, 'Event-driven execution'),
          (90, 'Reinforcement learning'), (99, 'Tutorials and how-to guides'), (100, 'Package top levels')]

def _section(name:str) -> str|None:
    "The sidebar section of notebook `name` from its leading number (None: no number, e.g. index)."
    num = name.split('_', 1)[0]
    if not num.isdigit(): return None
    return next(title for end, title in STAGES if int(num) < end)

def _nav(pages):
    "MkDocs nav from (relative .md path, title, notebook name) in sidebar order: sections by folder, else by stage."
    nav, sections = [], {}
    for md, title, nb in pages:
        parts = Path(md).parts
        sec = parts[0].replace('_', ' ').title() if len(parts) > 1 else _section(nb)
        if sec is None: nav.append({title: md}); continue
        if sec not in sections:
            sections[sec] = []
            nav.append({sec: sections[sec]})
        sections[sec].append({title: md})
    return nav

def main(argv=None):
    ap = argparse.ArgumentParser(description='Build the offline docs site into _docs/ from the notebooks.')
    ap.add_argument('--no-exec', action='store_true', help="don't execute notebooks: render their saved outputs")
    ap.add_argument('--flags', default=os.environ.get('MLTT_DOCS_FLAGS', ''),
                    help='test flags whose cells run anyway (e.g. "slow"); others in tst_flags are skipped as in nbdev_test')
    ap.add_argument('--workers', type=int, default=int(os.environ.get('MLTT_DOCS_WORKERS', '2')))
    ap.add_argument('--timeout', type=int, default=int(os.environ.get('MLTT_DOCS_CELL_TIMEOUT', '900')),
                    help='seconds one cell may run')
    ap.add_argument('--no-cache', action='store_true',
                    help='execute every notebook even if it, the library (mltt/) and the tools are unchanged since the last build')
    ap.add_argument('--reuse-state', action='store_true', default=os.environ.get('MLTT_DOCS_REUSE_STATE') == '1',
                    help="run show_doc cells in the executed notebook's state instead of nbdev's fresh shell: faster, "
                         "and tolerates cells that mix imports with other code (which `nbdev_docs` rejects)")
    ap.add_argument('--only', nargs='*', default=None, metavar='NB',
                    help='build only these notebooks (names or stems, e.g. 06_backtest), for working on one page')
    a = ap.parse_args(argv)
    os.chdir(ROOT)
    from nbdev.config import get_config
    from execnb.nbio import read_nb
    import yaml
    cfg = get_config()
    t0 = time.time()
    nbs = nb_order(cfg.nbs_path)
    if a.only is not None:
        want = {Path(o).stem for o in a.only}
        nbs = [nb for nb in nbs if nb.stem in want]
        if not nbs: sys.exit(f'docs: --only {a.only} matches no notebook')
    pages = {nb: out_name(nb, cfg.nbs_path) for nb in nbs}
    skip = [f for f in cfg.get('tst_flags', '').split() if f not in a.flags.split()]
    print(f'docs: {len(nbs)} notebooks, {"not executed" if a.no_exec else f"executed with {a.workers} workers"}'
          f'{f" (cells flagged {skip} skipped)" if skip and not a.no_exec else ""}', flush=True)

    proc_dir, md_dir = BUILD/'proc', BUILD/'md'
    shutil.rmtree(proc_dir, ignore_errors=True)
    lib_key = _lib_key(cfg, skip, (a.no_exec, a.reuse_state))
    def job(nb):
        dst = proc_dir/nb.relative_to(cfg.nbs_path)
        cached = BUILD/'cache'/f'{nb.stem}-{_key(nb, lib_key)}.ipynb'
        if cached.exists() and not a.no_cache:
            dst.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(cached, dst)
            print(f'  {nb.relative_to(cfg.nbs_path)}: unchanged (cached)', flush=True)
            return None
        try:
            log = []
            dt = run_child(nb, dst, skip_flags=skip, execute=not a.no_exec, timeout=a.timeout, log=log,
                           reuse_state=a.reuse_state)
            print(f'  {nb.relative_to(cfg.nbs_path)}: {dt:.1f}s' + ''.join(f'\n    {l}' for l in log), flush=True)
            for old in cached.parent.glob(f'{nb.stem}-*.ipynb'): old.unlink(missing_ok=True)
            cached.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(dst, cached)
            return None
        except NotebookError as e:
            print(f'  {nb.relative_to(cfg.nbs_path)}: FAILED', flush=True)
            return str(e)
    with ThreadPoolExecutor(max(1, a.workers)) as ex: errs = [e for e in ex.map(job, nbs) if e]
    if errs:
        sys.stderr.write('\n\n'.join(errs) + '\n')
        sys.exit(f'docs: {len(errs)} of {len(nbs)} notebooks failed (execution or nbdev processing); _docs/ left unchanged')

    shutil.rmtree(md_dir, ignore_errors=True)
    link_map = {nb.name: page for nb, page in pages.items()}
    nav_pages, problems = [], []
    for nb in nbs:
        page = pages[nb]
        md_rel = page[:-5] + '.md'
        stem = Path(md_rel).stem
        r = Renderer('mkdocs', link_map=link_map, site_url=cfg.doc_host + cfg.doc_baseurl,
                     assets_dir=md_dir/Path(md_rel).parent/f'{stem}_files', assets_rel=f'{stem}_files/', page=page)
        md, fm = r.render(read_nb(proc_dir/nb.relative_to(cfg.nbs_path)))
        if r.problems:
            idx = {c.get('id'): i for i, c in enumerate(read_nb(nb).cells, 1)}
            for cid, first, what in r.problems:
                where = f'cell {idx[cid]}' if cid in idx else 'a cell'
                problems.append(f'  {nb.relative_to(cfg.nbs_path)}, {where} (starts {first!r}): {what}')
        if not md.strip(): sys.exit(f'docs: {nb.name} rendered to an empty page')
        title = str(fm.get('title') or stem)
        atomic_write_text(md_dir/md_rel, f'---\ntitle: {yaml.safe_dump(title).splitlines()[0]}\n---\n\n' + md)
        nav_pages.append((md_rel, title, nb.name))
    if problems:   # a page must not show a traceback or a warning: fix its cause, or catch an expected warning in the cell
        sys.stderr.write('\n'.join(problems) + '\n')
        sys.exit(f'docs: {len(problems)} traceback(s) or warning(s) rendered into pages (listed above); _docs/ left unchanged')
    (md_dir/'_assets').mkdir(parents=True, exist_ok=True)
    for f in ('extra.css', 'iframe-worker-shim.js'): shutil.copy2(HERE/f, md_dir/'_assets'/f)

    site_tmp = BUILD/'site'
    shutil.rmtree(site_tmp, ignore_errors=True)
    conf = BUILD/'mkdocs.yml'
    atomic_write_text(conf, yaml.safe_dump(mkdocs_config(cfg, _nav(nav_pages), md_dir, site_tmp), sort_keys=False))
    mk = [sys.executable, '-m', 'mkdocs', 'build', '--strict', '--quiet', '-f', str(conf)]
    r = subprocess.run(mk, cwd=ROOT, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.returncode != 0: sys.exit(f'docs: mkdocs build failed (exit {r.returncode}); _docs/ left unchanged')
    missing = [p for p in pages.values() if not (site_tmp/p).exists()]
    if missing: sys.exit(f'docs: pages missing from the site: {missing}')

    docs = ROOT/cfg.doc_path.name
    old = docs.with_name(docs.name + '.old')
    shutil.rmtree(old, ignore_errors=True)
    if docs.exists(): docs.rename(old)
    site_tmp.rename(docs)
    shutil.rmtree(old, ignore_errors=True)
    print(f'docs: wrote {docs.relative_to(ROOT)}/ ({len(pages)} pages: {", ".join(pages.values())}) in {time.time()-t0:.0f}s')

if __name__ == '__main__': main()
