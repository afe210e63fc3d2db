"""MkDocs hooks for the offline docs site (referenced by the mkdocs.yml that tools/build_docs.py writes).

- Heading ids as pandoc/Quarto makes them (`BTResult.to_pandas` -> `btresult.to_pandas`), so nbdev's doc links
  (`backtest.html#btresult.to_pandas`, from `_modidx.py`) land on the same anchors as on the Quarto site.
- Math: pymdownx.arithmatex marks `$...$`/`$$...$$` (code-aware); here it becomes MathML with latex2mathml, which
  browsers render natively: no MathJax/KaTeX download, so the site works with the network blocked.
- Table of contents without doubled entries: a section named after a function (`## backtest`) is followed by the
  function's `show_doc` heading (`### backtest`), so the same name appeared twice in a row in the page's table of
  contents. The `show_doc` heading stays on the page (nbdev's doc links point at its anchor) but leaves the table
  of contents when its title repeats an ancestor's or an earlier sibling's (a section heading further up).
"""
import html, re, unicodedata, logging
log = logging.getLogger('mkdocs.hooks.mltt')

def pandoc_slugify(value, separator='-'):
    "Pandoc's auto identifier: keep alphanumerics, `_`, `-`, `.`; spaces to hyphens; lower case; start at a letter."
    v = unicodedata.normalize('NFKC', value).strip().lower()
    v = re.sub(r'[^\w\s.-]', '', v)
    v = re.sub(r'\s+', '-', v)
    v = re.sub(r'^[^a-z]+', '', v)
    return v or 'section'

def on_config(config, **kw):
    config.mdx_configs.setdefault('toc', {})['slugify'] = pandoc_slugify
    return config

_inline = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
_block = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.S)

def _mathml(tex, display, page):
    from latex2mathml.converter import convert
    tex = html.unescape(tex).strip()
    try: out = convert(tex, display=display)
    except Exception as e:
        log.warning(f'{page.file.src_uri}: cannot convert LaTeX {tex!r} to MathML ({type(e).__name__}: {e})')
        return f'<code class="tex">{html.escape(tex)}</code>'
    # latex2mathml keeps text-mode escapes (`\text{log\_returns}`) verbatim in <mtext>
    return re.sub(r'<mtext>(.*?)</mtext>', lambda m: '<mtext>' + re.sub(r'\\([_%$&#{}])', lambda e: '&amp;' if e.group(1) == '&' else e.group(1), m.group(1)) + '</mtext>', out)

def _toc_title(t): return re.sub(r'<[^>]+>', '', html.unescape(t)).strip().strip('`')

def dedupe_toc(items, parents=()):
    """Drop an entry whose title repeats an ancestor's or an earlier sibling's; its children move to the entry kept.
    `parents`: the ancestors' entries (the page title, not shown in the TOC, excluded)."""
    res = []
    for it in items:
        it.children = dedupe_toc(it.children, parents + ((it,) if it.level > 1 else ()))
        same = [k for k in (*parents, *res) if _toc_title(k.title) == _toc_title(it.title)]
        if same: same[0].children.extend(it.children)
        else: res.append(it)
    return res

def on_page_content(content, page, **kw):
    if page.toc: page.toc.items = dedupe_toc(list(page.toc.items))
    content = _block.sub(lambda m: f'<div class="math-display">{_mathml(m.group(1), "block", page)}</div>', content)
    return _inline.sub(lambda m: _mathml(m.group(1), 'inline', page), content)

_href = re.compile(r'href="([^"#:]*)#([^"]+)"')
_autolink = re.compile(r'<a href="([^"#:]*)#([^"]+)">(<code>([^<]+)</code>)</a>')
_id = re.compile(r'\sid="([^"]+)"')

def on_post_build(config, **kw):
    """nbdev links a method to `page.html#class.method`; where the notebook shows no doc for the method (nbdev
    adds `show_doc` for top-level names only), point the link at the class's doc instead of a missing anchor.
    Links to `#_private` names go to the id pandoc gives their heading (`#private`)."""
    from pathlib import Path
    site = Path(config.site_dir)
    files = [f for f in site.rglob('*.html') if f.name != '404.html']
    ids = {f.resolve(): set(_id.findall(f.read_text(encoding='utf-8'))) for f in files}
    for f in files:
        s = f.read_text(encoding='utf-8')
        def fix(m):
            target = (f.parent/m.group(1)).resolve() if m.group(1) else f.resolve()
            anchor, have = html.unescape(m.group(2)), ids.get(target)
            if have is None or anchor in have: return m.group(0)
            # nbdev links `_Private` names to `#_private`; pandoc (and so this site) drops leading punctuation
            for cand in (pandoc_slugify(anchor), anchor.rsplit('.', 1)[0] if '.' in anchor else None):
                if cand and cand in have: return f'href="{m.group(1)}#{html.escape(cand)}"'
            return m.group(0)
        def unlink(m):   # an nbdev doc link (`name` -> #name) to a name the site documents nowhere: keep the code
            target = (f.parent/m.group(1)).resolve() if m.group(1) else f.resolve()
            have, anchor = ids.get(target), html.unescape(m.group(2))
            if have is None or anchor in have or html.unescape(m.group(4)).lower() != anchor: return m.group(0)
            return m.group(3)
        new = _autolink.sub(unlink, _href.sub(fix, s))
        if new != s: f.write_text(new, encoding='utf-8')
