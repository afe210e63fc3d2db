"""Notebooks -> Markdown, offline, through nbdev's own processing.

Shared by `tools/build_docs.py` (the offline docs site) and `tools/make_readme.py` (README.md).
Per notebook, in a fresh process:
  1. execute it with execnb's `CaptureShell` exactly as `nbdev_test` does (same working directory, cells flagged
     with a `tst_flags` flag or `#| eval: false` skipped), so outputs and plots are current;
  2. run nbdev's doc processors on the executed notebook (`NBProcessor` with `FilterDefaults().procs()`, what
     `nbdev_proc_nbs` runs before Quarto): frontmatter, `show_doc` cells for exported names, `#| hide`,
     `#| export`, `hide_line`, magics, doc links...
Then `nb2md` renders the processed notebook the way Quarto does, honouring the Quarto cell options nbdev leaves in
place (`echo`, `output`, `include`, `eval`, `code-fold`), for two targets: 'mkdocs' (the site) and 'gfm' (README).
"""
from __future__ import annotations
import base64, html, json, os, re, subprocess, sys, tempfile, time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

class NotebookError(RuntimeError):
    "A notebook failed to execute or to process: the message names the notebook and the cell."

def atomic_write_text(path, text:str):
    "Write `text` to `path` through a temporary file in the same folder and a rename."
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f: f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

def atomic_write_bytes(path, data:bytes):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f: f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

# ---------------------------------------------------------------- which notebooks, in which order
# nbdev's sidebar and doc links follow two small rules that nbdev keeps in private helpers (`nbdev.quarto._sort`,
# `_def_file_re`, `nbdev.doclinks._nbpath2html`); they are restated here so that only public APIs are imported.
DOC_FILE_RE = r'\.(?:ipynb|qmd|html)$'        # the files nbdev publishes (as nbdev_sidebar's default)

def sidebar_key(path:Path) -> tuple:
    "Sort key of `nbdev_sidebar`: by folder, then by file name, with a folder's `index.*` first."
    return (str(path.parent), '00' if path.name.startswith('index.') else path.name)

def nb_order(nbs_path=None) -> list[Path]:
    "Notebooks in the order of nbdev's sidebar (`nbdev_sidebar`): index first, then by path; `_*`/`.*` skipped."
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    nbs_path = Path(nbs_path or get_config().nbs_path)
    files = [Path(f) for f in nbglob(nbs_path, file_re=DOC_FILE_RE, skip_folder_re=r'(?:^[_.]|^www\$)')]
    return [f for f in sorted(files, key=sidebar_key) if f.suffix == '.ipynb']

def page_name(rel:Path) -> Path:
    "The page of notebook `rel` as nbdev's doc links name it: lower case, leading `NN_` dropped, `.html`."
    rel = Path(rel)
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.html')

def out_name(nb_path, nbs_path) -> str:
    "The page nbdev/Quarto writes for a notebook (`06_backtest.ipynb` -> `backtest.html`), relative to the site root."
    rel = Path(nb_path).resolve().relative_to(Path(nbs_path).resolve())
    return page_name(rel).as_posix()

# ---------------------------------------------------------------- execute + process (run in a child process)
def _skip_cell(cell, flags:set) -> bool:
    "Same rule as `nbdev_test`: skip non-code cells, `nbdev_export()` calls, `#| eval: false`, flagged cells."
    from nbdev.process import extract_directives
    if cell.cell_type != 'code': return True
    if 'nbdev_export'+'(' in cell.source: return True
    d = extract_directives(cell, remove=False)
    if d.get('eval:', [''])[0].lower() == 'false': return True
    return bool(flags & d.keys())

def is_show_doc_cell(cell) -> bool:
    """A Python code cell (not `#| eval: false`) with a top-level `show_doc(...)` call: the cells nbdev's
    `exec_show_docs` runs besides exported and import cells (nbdev's test for it is private)."""
    import ast
    from nbdev.process import extract_directives
    if cell.cell_type != 'code' or cell.get('metadata', {}).get('language', 'python') != 'python': return False
    if extract_directives(cell, remove=False).get('eval:', [''])[0].lower() == 'false': return False
    src = '\n'.join(l for l in (cell.source or '').splitlines() if not l.lstrip().startswith(('%', '!')))
    try: tree = ast.parse(src)
    except SyntaxError: return False
    return any(isinstance(t, ast.Expr) and isinstance(t.value, ast.Call) and isinstance(t.value.func, ast.Name)
               and t.value.func.id == 'show_doc' for t in tree.body)

def _reuse_state_showdocs(nb, k):
    "Like nbdev's `exec_show_docs`, but runs only the show_doc cells, in shell `k` that executed the whole notebook."
    from nbdev.processors import exec_show_docs
    from fastcore.basics import str2bool
    class reuse_show_docs(exec_show_docs):
        def begin(self): self.k = k; self.k.run_cell('from nbdev.showdoc import show_doc')
        def __call__(self, cell):
            if not self.nb.has_docs_: return
            fm = getattr(self.nb, 'frontmatter_', {})
            if str2bool(fm.get('skip_showdoc', False)): return
            if is_show_doc_cell(cell): self.k.cell(cell)
            if self.k.exc: raise Exception(f"Error in notebook: {fm.get('title', '')} in cell {cell.idx_} :\n{cell.source}") from self.k.exc
    return reuse_show_docs(nb)

def execute_and_process(src, dst, skip_flags=(), execute=True, timeout=None, reuse_state=False):
    """Execute notebook `src` (unless `execute=False`), run nbdev's doc processors on it, write the result to `dst`.
    `reuse_state`: run show_doc cells in the executed notebook's shell instead of nbdev's fresh one (see build_docs)."""
    os.environ.setdefault('MPLBACKEND', 'Agg')
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.foundation import working_directory
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults
    from nbdev.frontmatter import FrontmatterProc
    src, dst = Path(src).resolve(), Path(dst).resolve()
    nb = read_nb(src)
    fm = getattr(NBProcessor(src, procs=FrontmatterProc, process=True).nb, 'frontmatter_', {})
    if str(fm.get('skip_exec', '')).lower() in ('true', '1', 'yes'): execute = False   # as nbdev_test: saved outputs
    k = None
    if execute:
        k = CaptureShell(src, timeout=timeout)
        flags = set(skip_flags)
        try:
            with working_directory(src.parent): k.run_all(nb, exc_stop=True, preproc=lambda c: _skip_cell(c, flags))
        except BaseException as e:
            raise NotebookError(f'{src.name} failed to execute:\n{k.prettytb(fname=src)}') from None
    with tempfile.TemporaryDirectory() as td:   # round-trip so outputs are plain notebook JSON, with `path_` set
        tmp = Path(td)/src.name
        write_nb(nb, tmp)
        nb = read_nb(tmp)
        nb.path_ = str(src)
        os.environ['IN_TEST'] = '1'        # as nbdev's serve_drv does while processing
        import warnings
        try:
            with warnings.catch_warnings(record=True) as ws, working_directory(src.parent):
                warnings.simplefilter('always')
                from nbdev.processors import exec_show_docs
                procs = FilterDefaults().procs()
                if reuse_state and k is not None:
                    k.exc = None
                    procs = [_reuse_state_showdocs(nb, k) if p is exec_show_docs else p for p in procs]
                NBProcessor(nb=nb, procs=procs).process()
        except BaseException as e:
            cause = e.__cause__
            msg = f'{src.name}: nbdev doc processing failed: {e}'
            if cause is not None: msg += f'\n{type(cause).__name__}: {cause}'
            if 'Error in' in str(e) and re.search(r'^\s*(import|from)\s', str(e), re.M): msg += _SHOWDOC_HINT
            raise NotebookError(msg) from None
        finally: os.environ.pop('IN_TEST', None)
        for w in ws:
            m = str(w.message)
            if m.startswith('Found cells containing imports'):
                cell = m.split('---')[1].strip().splitlines()[0] if '---' in m else ''
                sys.stderr.write(f'warning: {src.name}: a cell mixes imports with other code (starts {cell!r}); '
                                 'nbdev_docs runs it alone to build show_doc: move the import to its own cell\n')
            elif not issubclass(w.category, DeprecationWarning): sys.stderr.write(f'warning: {src.name}: {w.category.__name__}: {m}\n')
        write_nb(nb, tmp)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dst) if tmp.stat().st_dev == dst.parent.stat().st_dev else atomic_write_text(dst, tmp.read_text())

_SHOWDOC_HINT = '''
(nbdev's `exec_show_docs` processor, which `nbdev_docs`/`nbdev_proc_nbs` run too, executes in a fresh shell only the
exported cells, the show_doc cells and every cell that contains an import. This cell contains an import and code
that needs names defined by earlier, non-import cells: put the import in its own cell, e.g. the `#| hide` import
cell at the top (nbdev FAQ: "cells containing imports and other code").)'''

def run_child(src, dst, skip_flags=(), execute=True, timeout=None, log=None, reuse_state=False) -> float:
    "`execute_and_process` in a fresh Python process (one notebook's state never leaks into another's)."
    cmd = [sys.executable, str(Path(__file__).resolve()), '_child', str(src), str(dst), ','.join(skip_flags),
           '1' if execute else '0', str(timeout or 0), '1' if reuse_state else '0']
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'),
           'MKL_NUM_THREADS': os.environ.get('MKL_NUM_THREADS', '1'), 'MPLBACKEND': 'Agg', 'PYTHONHASHSEED': '0'}
    t0 = time.time()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        tail = '\n'.join(r.stderr.strip().splitlines()[-80:])
        raise NotebookError(f'{Path(src).name}: docs build failed (exit {r.returncode}):\n{tail}')
    if log is not None: log.extend(l for l in r.stderr.splitlines() if l.startswith('warning: '))
    return time.time() - t0

# ---------------------------------------------------------------- Markdown rendering
_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')
_qopt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')

def _src(x): return ''.join(x) if isinstance(x, list) else (x or '')

def cell_options(source:str):
    "Split leading Quarto `#| key: value` lines (left in place by nbdev) from the code."
    import yaml
    opts, lines = {}, source.splitlines()
    i = 0
    while i < len(lines):
        m = _qopt.match(lines[i])
        if not m: break
        try: v = yaml.safe_load(m.group(2)) if m.group(2) else None
        except Exception: v = m.group(2)
        opts[m.group(1)] = v
        i += 1
    return opts, '\n'.join(lines[i:]).strip('\n')

def fence(text:str, info:str='') -> str:
    "A fenced block longer than any backtick run inside `text`."
    n = max([3] + [len(m) + 1 for m in re.findall(r'`{3,}', text)])
    return f"{'`'*n}{info}\n{text.rstrip()}\n{'`'*n}"

class _Table(HTMLParser):
    "Minimal HTML table reader (pandas' `_repr_html_`) for the GFM README."
    def __init__(self):
        super().__init__(); self.rows, self.row, self.cell, self.in_cell, self.head = [], None, None, False, 0
    def handle_starttag(self, tag, attrs):
        if tag == 'tr': self.row = []
        elif tag in ('td', 'th'): self.cell, self.in_cell = [], True
        elif tag == 'thead': self.head = 1
    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.row is not None:
            self.row.append(' '.join(''.join(self.cell).split())); self.in_cell = False
        elif tag == 'tr' and self.row is not None: self.rows.append((self.head, self.row)); self.row = None
        elif tag == 'thead': self.head = 0
    def handle_data(self, data):
        if self.in_cell: self.cell.append(data)

def html_table_to_md(s:str):
    "GFM table from an HTML table (pandas DataFrame output); None if `s` has no single simple table."
    if s.count('<table') != 1: return None
    p = _Table(); p.feed(s)
    rows = [r for _, r in p.rows]
    if len(rows) < 2: return None
    heads = [r for h, r in p.rows if h]
    w = max(len(r) for r in rows)
    if heads:                                   # merge multi-row headers (e.g. the index name row) into one
        hdr = [' '.join(filter(None, (h[i] if i < len(h) else '' for h in heads))) for i in range(w)]
        body = [r for h, r in p.rows if not h]
    else: hdr, body = rows[0], rows[1:]
    esc = lambda c: c.replace('|', r'\|')
    line = lambda r: '| ' + ' | '.join(esc(c) for c in list(r) + ['']*(w - len(r))) + ' |'
    return '\n'.join([line(hdr), '|' + '|'.join(['---']*w) + '|'] + [line(r) for r in body])

_WARN_TEXT = re.compile(r'Traceback|\w*Warning:|warnings\.warn')

def output_problems(o) -> list[str]:
    "What in output `o` is a traceback or a warning that must not reach a page: a stderr stream, an error, their text."
    ot, res = o.get('output_type'), []
    def excerpt(t):
        t = _ansi.sub('', t)
        m = _WARN_TEXT.search(t)
        line = t[t.rfind('\n', 0, m.start()) + 1:].split('\n')[0] if m else t.strip().split('\n')[0]
        return line.strip()[:200]
    if ot == 'error': return [f"error output: {o.get('ename', '')}: {_ansi.sub('', str(o.get('evalue', '')))[:200]}"]
    if ot == 'stream':
        t = _src(o.get('text'))
        if o.get('name') == 'stderr': return [f'stderr: {excerpt(t)}'] if t.strip() else []
        return [f'stdout: {excerpt(t)}'] if _WARN_TEXT.search(_ansi.sub('', t)) else []
    data = o.get('data', {})
    t = _src(data.get('text/plain', ''))
    if _WARN_TEXT.search(_ansi.sub('', t)): res.append(f'text: {excerpt(t)}')
    for mime in ('text/html', 'text/markdown'):   # prose may say "warning"; only a traceback counts here
        if 'Traceback (most recent call last)' in _src(data.get(mime, '')): res.append(f'{mime}: a traceback')
    return res

_display_math = re.compile(r'^[ \t]*\$\$.*?\$\$[ \t]*$', re.M | re.S)

def display_math_blocks(md:str) -> str:
    """Blank lines around `$$...$$` display math that starts and ends a line: pandoc (Quarto) reads it inside a
    paragraph, pymdownx.arithmatex only as a block of its own (else a stray `$` shows). Code fences are left alone."""
    parts = re.split(r'(^```.*?^```[ \t]*$)', md, flags=re.M | re.S)
    return ''.join(p if i % 2 else _display_math.sub(lambda m: '\n\n' + m.group(0).strip() + '\n\n', p)
                   for i, p in enumerate(parts))

class Renderer:
    """Render a processed notebook to Markdown.
    target='mkdocs': Python-Markdown + pymdownx (attr_list, md_in_html, superfences, details, arithmatex);
    target='gfm': GitHub-flavoured Markdown, as `nbdev_readme` (Quarto `-t gfm`) produces."""
    def __init__(self, target='mkdocs', link_map=None, site_url='', assets_dir=None, assets_rel='', page='index.html'):
        self.target, self.link_map, self.site_url = target, link_map or {}, site_url.rstrip('/') + '/'
        self.page_dir = os.path.dirname(page)   # links to other pages are relative to this page's folder
        self.assets_dir, self.assets_rel, self.n_img = Path(assets_dir) if assets_dir else None, assets_rel, 0
        self.problems = []      # (cell id, first source line, what): tracebacks and warnings rendered into the page

    # links: nbdev's doc links point at the published site; notebook links at .ipynb files
    def links(self, md:str) -> str:
        def nb_link(m):
            target, anchor = m.group(2), m.group(3) or ''
            name = Path(target).name
            if name not in self.link_map: return m.group(0)
            page = self.link_map[name]
            url = self._rel(page[:-5] + '.md') if self.target == 'mkdocs' else self.site_url + page
            return f'{m.group(1)}{url}{anchor})'
        md = re.sub(r'(\]\()((?:\./)?[\w./-]*?\.ipynb)(#[^)\s]*)?\)', nb_link, md)
        if self.target == 'mkdocs' and self.site_url != '/':     # only pages of this build; others stay absolute
            pages = set(self.link_map.values())
            md = re.sub(re.escape(self.site_url) + r'([\w/-]+\.html)',
                        lambda m: self._rel(m.group(1)[:-5] + '.md') if m.group(1) in pages else m.group(0), md)
        return md

    def _rel(self, target:str) -> str: return os.path.relpath(target, self.page_dir or '.').replace(os.sep, '/')

    def image(self, data:bytes, ext:str, width=None) -> str:
        if self.assets_dir is None: return ''
        self.n_img += 1
        name = f'figure-{self.n_img}.{ext}'
        atomic_write_bytes(self.assets_dir/name, data)
        src = f'{self.assets_rel}{name}'
        wa = f' width="{int(width)}"' if width else ''
        return f'<img src="{src}"{wa} alt="output figure {self.n_img}" class="cell-output-image">'

    def text_out(self, text:str, kind='stdout') -> str:
        text = _ansi.sub('', text).rstrip()
        if not text: return ''
        if self.target == 'gfm': return fence(text)
        return fence(text, f' {{ .text .cell-output .cell-output-{kind} }}')

    def output(self, o, asis=False) -> str:
        ot = o.get('output_type')
        if ot == 'stream': return (_ansi.sub('', _src(o.get('text'))) if asis else self.text_out(_src(o.get('text')), o.get('name', 'stdout')))
        if ot == 'error': return self.text_out('\n'.join(o.get('traceback', [])), 'error')
        data, meta = o.get('data', {}), o.get('metadata', {})
        if 'text/markdown' in data: return self.links(_src(data['text/markdown']))
        if self.target == 'gfm':
            for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg')):
                if mime in data:
                    return self.image(base64.b64decode(_src(data[mime])), ext, (meta.get(mime) or {}).get('width'))
            if 'text/html' in data:
                t = html_table_to_md(_src(data['text/html']))
                if t: return t
            if 'text/plain' in data: return self.text_out(_src(data['text/plain']), 'plain')
            return ''
        if 'text/html' in data:
            h = _src(data['text/html']).strip()
            h = re.sub(r'\n\s*\n', '\n', h)          # a blank line would end Python-Markdown's raw HTML block
            return f'<div class="cell-output cell-output-display">\n{h}\n</div>'
        for mime, ext in (('image/svg+xml', 'svg'), ('image/png', 'png'), ('image/jpeg', 'jpg')):
            if mime in data:
                raw = _src(data[mime])
                b = raw.encode() if ext == 'svg' else base64.b64decode(raw)
                return self.image(b, ext, (meta.get(mime) or {}).get('width'))
        if 'text/latex' in data: return _src(data['text/latex'])
        if 'text/plain' in data:
            t = _src(data['text/plain'])
            return _ansi.sub('', t) if asis else self.text_out(t, 'plain')
        return ''

    def code(self, cell) -> str:
        opts, src = cell_options(_src(cell.get('source')))
        if opts.get('include') is False: return ''
        parts = []
        if src.strip() and opts.get('echo', True) is not False:
            lang = cell.get('metadata', {}).get('language', 'python')
            block = fence(src, f' {lang}' if self.target == 'gfm' else lang)
            fold = opts.get('code-fold')
            if fold in (True, 'show', 'true') and self.target == 'mkdocs':
                summary = str(opts.get('code-summary', 'Code')).strip('"')
                mark = '???+' if fold == 'show' else '???'
                block = f'{mark} source "{summary}"\n\n' + '\n'.join('    ' + l if l else '' for l in block.splitlines())
            parts.append(block)
        if opts.get('output', True) is not False:
            asis = opts.get('output') == 'asis'
            for o in cell.get('outputs', []):
                r = self.output(o, asis=asis)
                if r.strip():
                    parts.append(r.strip('\n'))
                    self.problems += [(cell.get('id'), src.strip().split('\n')[0], w) for w in output_problems(o)]
        return '\n\n'.join(parts)

    def markdown(self, cell) -> str:
        src = _src(cell.get('source'))
        for name, d in (cell.get('attachments') or {}).items():
            for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg'), ('image/gif', 'gif'), ('image/svg+xml', 'svg')):
                if mime in d and self.assets_dir is not None:
                    raw = _src(d[mime])
                    fn = f'attachment-{re.sub(r"[^A-Za-z0-9_.-]", "_", name)}'
                    if not fn.endswith('.' + ext): fn += '.' + ext
                    atomic_write_bytes(self.assets_dir/fn, raw.encode() if ext == 'svg' else base64.b64decode(raw))
                    src = src.replace(f'attachment:{name}', f'{self.assets_rel}{fn}')
                    break
        return self.links(display_math_blocks(src) if self.target == 'mkdocs' else src)

    def frontmatter(self, fm:dict) -> str:
        title, desc = fm.get('title'), fm.get('description')
        res = []
        if title: res.append(f'# {title}')
        if desc:
            if self.target == 'gfm': res.append('<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->')
            res.append(f'> {desc}' if self.target == 'gfm' else f'<div class="description" markdown>\n{self.links(desc)}\n</div>')
        return '\n\n'.join(res)

    def render(self, nb) -> tuple[str, dict]:
        "Markdown for notebook `nb` (processed, as nbformat dict) and its frontmatter."
        import yaml
        fm, parts = {}, []
        for cell in nb['cells']:
            ct, src = cell['cell_type'], _src(cell.get('source'))
            if ct == 'raw':
                m = re.match(r'^---\s*\n(.*?)\n---\s*$', src.strip(), re.S)
                if m and not fm:
                    fm = yaml.safe_load(m.group(1)) or {}
                    parts.append(self.frontmatter(fm))
                continue                                 # other raw cells are for other formats
            if ct == 'markdown':
                if self.target == 'gfm' and 'THIS FILE WAS AUTOGENERATED' in src: continue
                parts.append(self.markdown(cell))
            elif ct == 'code': parts.append(self.code(cell))
        md = '\n\n'.join(p.strip('\n') for p in parts if p and p.strip())
        return md + '\n', fm

if __name__ == '__main__' and len(sys.argv) > 1 and sys.argv[1] == '_child':
    _, _, src, dst, flags, execute, timeout, reuse = sys.argv
    try: execute_and_process(src, dst, [f for f in flags.split(',') if f], execute == '1', int(timeout) or None, reuse == '1')
    except NotebookError as e:
        sys.stderr.write(str(e) + '\n'); sys.exit(1)
