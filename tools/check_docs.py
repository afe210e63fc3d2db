"""Check the built docs site (`_docs/`) in a real browser: headless Chromium driven by Selenium.

    .venv/bin/python tools/check_docs.py [--site _docs] [--shots _docs/_screenshots]

Needs (installed by nothing here): Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium
chromium-driver`) and the `selenium` Python package (a dev requirement). Selenium is the W3C WebDriver client,
in the venv already used for the build; with Debian's chromedriver (the same version as Debian's chromium, given
by path, so Selenium Manager never downloads a driver) it reads the browser's console log and runs DevTools
commands (full-page screenshots) without Node.

It serves the site from a local HTTP server on 127.0.0.1, blocks every other host in the browser
(`--host-resolver-rules`), opens the index and every page, and fails when
- a page logs a console error (SEVERE: JS exceptions, failed loads, 404s),
- a page requests anything outside 127.0.0.1 (a CDN asset or a web font: the site must work offline),
- an internal link points at a missing page or a missing `#anchor`, or an image does not load,
- the page for a notebook in nbs/ is missing, or the search box finds nothing for a word on the site,
- a page's table of contents lists the same entry twice.
Screenshots of the index and of the backtest page go to `_docs/_screenshots/` (gitignored with `_docs/`).
"""
import argparse, functools, json, os, re, shutil, sys, tempfile, threading, time
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlparse, unquote

ROOT = Path(__file__).resolve().parent.parent
CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
               '--disable-component-update', '--no-first-run', '--disable-sync',
               '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1', '--window-size=1280,900',
               '--disable-dev-shm-usage']

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def serve(site:Path):
    "Serve `site` on 127.0.0.1 (a free port), in a daemon thread."
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f'http://127.0.0.1:{httpd.server_address[1]}/'

class _Links(HTMLParser):
    "hrefs/srcs and element ids of one HTML page."
    def __init__(self):
        super().__init__(); self.links, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k) and not (tag == 'link' and a.get('rel') in ('canonical',)): self.links.append((tag, a[k]))

class _Toc(HTMLParser):
    "Entries (link texts) of a page's table of contents: Material's `nav.md-nav--secondary`."
    def __init__(self):
        super().__init__(); self.entries, self.depth, self.text = [], 0, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'nav' and (self.depth or 'md-nav--secondary' in (a.get('class') or '').split()):
            if not self.depth: self.entries = []      # Material renders the TOC twice (primary nav for small screens): keep the last
            self.depth += 1
        elif tag == 'a' and self.depth and 'md-nav__link' in (a.get('class') or '').split(): self.text = []
    def handle_endtag(self, tag):
        if tag == 'nav' and self.depth: self.depth -= 1
        elif tag == 'a' and self.text is not None: self.entries.append(' '.join(''.join(self.text).split())); self.text = None
    def handle_data(self, data):
        if self.text is not None: self.text.append(data)

def check_toc(site:Path) -> list[str]:
    "No page's table of contents lists the same entry twice."
    errs = []
    for f in sorted(site.rglob('*.html')):
        if '_screenshots' in f.parts or f.name == '404.html': continue
        p = _Toc(); p.feed(f.read_text(encoding='utf-8', errors='replace'))
        seen, dup = set(), []
        for e in p.entries:
            if e in seen and e not in dup: dup.append(e)
            seen.add(e)
        if dup: errs.append(f'{f.relative_to(site).as_posix()}: table of contents lists {dup} more than once')
    return errs

def parse(path:Path):
    p = _Links(); p.feed(path.read_text(encoding='utf-8', errors='replace')); return p

def check_links(site:Path) -> list[str]:
    "Internal links and anchors of every page (static check of the HTML files themselves)."
    errs, cache = [], {}
    def page(f):
        if f not in cache: cache[f] = parse(f)
        return cache[f]
    for f in sorted(site.rglob('*.html')):
        # 404.html is what a web server returns for a missing path anywhere, so its links are root-relative by design
        if '_screenshots' in f.parts or f.relative_to(site).as_posix() == '404.html': continue
        rel = f.relative_to(site).as_posix()
        for tag, url in page(f).links:
            u = urlparse(url)
            if u.scheme in ('data', 'blob', 'mailto', 'javascript'): continue
            if u.scheme or u.netloc:                     # absolute: external unless it points at ourselves
                if tag != 'a': errs.append(f'{rel}: <{tag}> loads an external resource {url} (must work offline)')
                continue
            target = (f.parent/unquote(u.path)).resolve() if u.path else f
            if target.is_dir(): target = target/'index.html'
            if not target.exists() or not target.is_relative_to(site.resolve()):
                errs.append(f'{rel}: broken link {url!r} (no {target.relative_to(site.resolve()) if target.is_relative_to(site.resolve()) else target})')
                continue
            if u.fragment and target.suffix == '.html' and unquote(u.fragment) not in page(target).ids:
                errs.append(f'{rel}: link {url!r}: no id {u.fragment!r} in {target.relative_to(site.resolve()).as_posix()}')
    return errs

def expected_pages() -> dict:
    "notebook -> page, for every notebook nbdev publishes."
    sys.path.insert(0, str(ROOT/'tools'))
    from nbdocs import nb_order, out_name
    from nbdev.config import get_config
    os.chdir(ROOT)
    nbs = get_config().nbs_path
    return {nb.relative_to(nbs).as_posix(): out_name(nb, nbs) for nb in nb_order(nbs)}

def make_driver(profile:str|None=None):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    os.environ['SE_OFFLINE'] = 'true'                   # never let Selenium Manager reach the network
    binary = os.environ.get('CHROMIUM', '/usr/bin/chromium')
    driver_path = os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')
    for p, pkg in ((binary, 'chromium'), (driver_path, 'chromium-driver')):
        if not Path(p).exists(): sys.exit(f'check_docs: {p} not found: apt-get install -y chromium chromium-driver ({pkg})')
    o = webdriver.ChromeOptions()
    o.binary_location = binary
    for a in CHROME_ARGS: o.add_argument(a)
    if profile: o.add_argument(f'--user-data-dir={profile}')   # a throw-away profile, removed afterwards
    o.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
    return webdriver.Chrome(options=o, service=Service(executable_path=driver_path))

def screenshot(d, path:Path):
    "Full-page PNG through the DevTools protocol."
    import base64
    m = d.execute_cdp_cmd('Page.getLayoutMetrics', {})
    size = m.get('cssContentSize') or m['contentSize']
    h = min(int(size['height']), 12000)
    d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {'width': 1280, 'height': h, 'deviceScaleFactor': 1, 'mobile': False})
    png = d.execute_cdp_cmd('Page.captureScreenshot', {'format': 'png', 'captureBeyondViewport': True})['data']
    d.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix('.tmp'); tmp.write_bytes(base64.b64decode(png)); os.replace(tmp, path)

def visit(d, url) -> list[str]:
    "Open `url`; console errors, external requests and broken images it shows."
    errs = []
    d.get(url)
    for _ in range(50):
        if d.execute_script('return document.readyState') == 'complete': break
        time.sleep(0.1)
    time.sleep(0.3)
    for e in d.get_log('browser'):
        if e.get('level') == 'SEVERE': errs.append(f'console error: {e.get("message")}')
    for e in d.get_log('performance'):
        msg = json.loads(e['message'])['message']
        if msg.get('method') == 'Network.requestWillBeSent':
            u = msg['params']['request']['url']
            if not re.match(r'^(https?://127\.0\.0\.1[:/]|data:|blob:|about:|chrome)', u): errs.append(f'external request: {u}')
    bad = d.execute_script("return [...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
    errs += [f'image does not load: {s}' for s in bad]
    if not d.execute_script("return document.querySelector('article h1, .md-content h1') !== null"):
        errs.append('no page title (h1) rendered')
    return errs

def check_search(d, base, word) -> list[str]:
    from selenium.webdriver.common.by import By
    d.get(base + 'index.html'); time.sleep(0.5)
    box = d.find_element(By.CSS_SELECTOR, 'input.md-search__input')
    if not box.is_displayed(): d.find_element(By.CSS_SELECTOR, 'label[for="__search"]').click()
    box.click()
    box.send_keys(word)
    for _ in range(60):
        n = len(d.find_elements(By.CSS_SELECTOR, '.md-search-result__item'))
        if n: return []
        time.sleep(0.1)
    return [f'search: no result for {word!r}']

def main(argv=None):
    ap = argparse.ArgumentParser(description='Check the docs site in headless Chromium.')
    ap.add_argument('--site', default=str(ROOT/'_docs'))
    ap.add_argument('--shots', default=None, help='screenshot folder (default: <site>/_screenshots)')
    ap.add_argument('--screenshot', action='append', default=[], metavar='PAGE',
                    help='also take a screenshot of PAGE (e.g. report.html); repeatable')
    ap.add_argument('--search', default='backtest', help='a word the search must find')
    a = ap.parse_args(argv)
    site = Path(a.site).resolve()
    shots = Path(a.shots).resolve() if a.shots else site/'_screenshots'
    if not (site/'index.html').exists(): sys.exit(f'check_docs: {site}/index.html missing: run `bash tools/build_docs.sh` first')
    t0 = time.time()
    errors = []
    want = expected_pages()
    errors += [f'{nb}: page {p} missing' for nb, p in want.items() if not (site/p).exists()]
    errors += check_links(site)
    errors += check_toc(site)
    pages = ['index.html'] + sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html')
                                    if p.name not in ('index.html', '404.html') and '_screenshots' not in p.parts)
    httpd, base = serve(site)
    profile = tempfile.mkdtemp(prefix='mltt-check-docs-')
    d = make_driver(profile)
    try:
        print(f'check_docs: {d.capabilities.get("browserName")} {d.capabilities.get("browserVersion")}, {len(pages)} pages at {base}')
        for p in pages:
            errs = visit(d, base + p)
            errors += [f'{p}: {e}' for e in errs]
            print(f'  {p}: {"ok" if not errs else f"{len(errs)} problem(s)"}', flush=True)
        shot_pages = {'index': 'index.html'}
        bt = [p for nb, p in want.items() if re.match(r'^(\d+_)?backtesting\.ipynb$', Path(nb).name)]
        if bt: shot_pages['backtest'] = bt[0]
        else: print('  (no backtest notebook yet: no backtest screenshot)')
        for p in a.screenshot: shot_pages[Path(p).stem] = p
        for name, p in shot_pages.items():
            if not (site/p).exists(): continue
            visit(d, base + p)
            screenshot(d, shots/f'{name}.png')
            print(f'  screenshot {shots/f"{name}.png"}')
        if a.search: errors += check_search(d, base, a.search)
        d.get_log('browser')
    finally:
        d.quit(); httpd.shutdown(); shutil.rmtree(profile, ignore_errors=True)
    for e in errors: print(f'FAIL {e}')
    bad_pages = {e.split(':')[0] for e in errors}
    print(f'check_docs: {len([p for p in pages if p not in bad_pages])} of {len(pages)} pages clean, '
          f'{len(errors)} problem(s) ({time.time()-t0:.0f}s)')
    sys.exit(1 if errors else 0)

if __name__ == '__main__': main()
