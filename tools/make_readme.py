"""Build README.md from nbs/index.ipynb offline, as `nbdev_readme` would (it needs Quarto, which can't be installed here).

    .venv/bin/python tools/make_readme.py            # execute the notebook, then render
    .venv/bin/python tools/make_readme.py --no-exec  # render the outputs saved in the notebook

The notebook is executed with execnb (as `nbdev_test` does; cells flagged slow/net/cuda are skipped), processed by
nbdev's own doc processors (`#| hide` cells and directive lines dropped, doc links added), and rendered to
GitHub-flavoured Markdown: title, description blockquote, markdown cells, code cells as ```python blocks, outputs
as fenced blocks, DataFrames as Markdown tables, figures as PNG files in `index_files/`. README.md is written atomically.
"""
import argparse, os, sys, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbdocs import ROOT, NotebookError, Renderer, run_child, atomic_write_text

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--no-exec', action='store_true', help="don't execute: use the outputs saved in the notebook")
    ap.add_argument('--flags', default='', help='test flags to run anyway (space separated, e.g. "slow")')
    ap.add_argument('-o', '--output', default=str(ROOT/'README.md'))
    a = ap.parse_args(argv)
    os.chdir(ROOT)
    from nbdev.config import get_config
    from execnb.nbio import read_nb
    cfg = get_config()
    src = cfg.nbs_path/cfg.get('readme_nb', 'index.ipynb')
    skip = [f for f in cfg.get('tst_flags', '').split() if f not in a.flags.split()]
    out = Path(a.output).resolve()
    with tempfile.TemporaryDirectory() as td:
        dst = Path(td)/src.name
        try: run_child(src, dst, skip_flags=skip, execute=not a.no_exec)
        except NotebookError as e:
            sys.exit(f'make_readme: {e}')
        nb = read_nb(dst)
    assets = out.parent/f'{src.stem}_files'
    from nbdocs import nb_order, out_name
    link_map = {nb.name: out_name(nb, cfg.nbs_path) for nb in nb_order(cfg.nbs_path)}   # notebook links -> the site
    r = Renderer('gfm', link_map=link_map, site_url=cfg.doc_host + cfg.doc_baseurl,
                 assets_dir=assets, assets_rel=f'{src.stem}_files/')
    md, _ = r.render(nb)
    atomic_write_text(out, md)
    print(f'wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} ({len(md.splitlines())} lines'
          + (f', {r.n_img} figure(s) in {assets.name}/' if r.n_img else '') + ')')

if __name__ == '__main__': main()
