"""The built book leaks nothing and works offline in a real browser.

Nothing of the instructor's is published in it (no solution or hidden-test line, no instructor
folder). Every page of _build/html is opened in headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright) over http://127.0.0.1 and the home page also from file://. Each page must
load, show no console error, make no request to a non-local host, and have its math typeset by
MathJax.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import REPO
from nbtools import all_secrets, find_leaks, visible_text

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # No name but the local ones resolves, so a request to another host fails inside Chromium
    # (the page's "request" event still records it). Cheaper than routing every request of
    # every page through Python, which doubled the time of a page load.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MATH_MARKERS = ('class="math', "\\(", "\\[")


def _pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts
                  and "_sources" not in p.parts)


@pytest.fixture(scope="module")
def server(built_book):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test` (it installs Debian's chromium) "
                    "or `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


# A typeset formula: MathJax's output inside its container (a lazy container not yet in view
# holds no mjx-math).
TYPESET = "mjx-container mjx-math"
SHOW_FIRST_FORMULA = """() => {
  const shown = [...document.querySelectorAll("mjx-container")].find(e => e.offsetParent !== null);
  if (shown) shown.scrollIntoView();
}"""

# True when the page's font draws Chinese characters: without a CJK font every one of them is
# the same empty box (the font's .notdef glyph), so two different characters draw the same.
CJK_GLYPHS = """() => {
  if (!document.body || !document.body.innerText.match(/[\u4e00-\u9fff]/)) return null;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext("2d");
  ctx.font = "40px " + getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.fillText(ch, 2, 40);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(",");
  };
  return draw("中") !== draw("国");
}"""


class Tab:
    """One browser tab that opens page after page, recording each page's console errors and
    requests to other hosts. (A new tab, that is a new browser context, for every page cost
    about 2.3 CPU-seconds more per page than navigating one tab: 130 CPU-s for the book.)"""

    def __init__(self, browser):
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._on_request)

    def _on_request(self, req):
        u = urlparse(req.url)
        if u.scheme in ("http", "https", "ws", "wss") and u.hostname not in LOCAL_HOSTS:
            self.foreign.append(req.url)

    def close(self):
        self.page.close()


def visit(tab: Tab, url: str, expect_math: bool) -> dict:
    """Open ``url`` in ``tab``; return its console errors, non-local requests and the count of
    typeset formulas."""
    page = tab.page
    tab.errors.clear()
    tab.foreign.clear()
    response = page.goto(url, wait_until="load")
    typeset = 0
    if expect_math:
        try:
            # "attached", not the default "visible": the first formula of a page may sit in a
            # closed toggle (exercise answers), and waiting for it to show cost 15 s a page.
            page.wait_for_selector("mjx-container", state="attached", timeout=15000)
            # MathJax typesets lazily (ui/lazy, _config.yml): a formula is typeset when it
            # comes into view. Bring the first visible one into view; it must then be typeset.
            page.evaluate(SHOW_FIRST_FORMULA)
            page.wait_for_selector(TYPESET, state="attached", timeout=15000)
        except Exception:
            pass
        typeset = page.locator(TYPESET).count()
    page.wait_for_timeout(200)
    return {"status": response.status if response else None, "errors": list(tab.errors),
            "foreign": list(tab.foreign), "typeset": typeset,
            "cjk_font": page.evaluate(CJK_GLYPHS) if "/zh/" in url else None}


def test_book_has_the_required_parts(built_book):
    names = {p.relative_to(built_book).as_posix() for p in _pages(built_book)}
    for required in ("index.html", "chapters/00_preface.html", "chapters/01_sequence_data.html",
                     "chapters/glossary.html", "assignments/a01_vocabulary/a01_vocabulary.html"):
        assert required in names, f"{required} missing from the book; pages: {sorted(names)}"


IMAGE = re.compile(r'<img\b[^>]*\bsrc="([^"]*_images/[^"]+)"')


def _figures_drawn(chapter: Path) -> int:
    """How many figures a chapter's code shows: the plt.show() calls of the code cells that the
    page keeps (not tagged remove-cell or remove-output)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(chapter.read_text(encoding="utf-8"))
    return sum(cell.source.count("plt.show()") for cell in notebook.cells
               if cell.cell_type == "code"
               and not {"remove-cell", "remove-output"} & set(cell.metadata.get("tags", [])))


def test_every_figure_the_code_draws_is_on_its_page_in_both_editions(built_book):
    """A figure is drawn by plt.show() through the notebook's inline backend: with another
    backend (MPLBACKEND=Agg) the cell runs without error and the page silently has no figure."""
    chapters = sorted((REPO / "chapters").glob("[0-9]*.md"))
    drawn = {c.stem: _figures_drawn(c) for c in chapters}
    assert sum(drawn.values()) >= 30, f"the chapters draw only {sum(drawn.values())} figures"
    for html in (built_book, built_book / ZH):
        for stem, n in drawn.items():
            page = html / "chapters" / f"{stem}.html"
            shown = IMAGE.findall(page.read_text(encoding="utf-8"))
            assert len(shown) >= n, (f"{page.relative_to(built_book)} shows {len(shown)} "
                                     f"figure(s), its code draws {n}")
            for src in shown:
                assert (page.parent / src).is_file(), f"{page.name}: {src} is missing"


REMOTE_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)


def test_pages_load_no_remote_resources_and_mathjax_is_local(built_book):
    assert list((built_book / "_static").rglob("tex-chtml*.js")), "no local MathJax in _static"
    for page in _pages(built_book):
        text = page.read_text()
        hit = REMOTE_RESOURCE.search(text)
        assert not hit, f"{page.name} loads a remote resource: {text[hit.start():hit.start() + 160]}"
        for src in re.findall(r"<script[^>]*src=\"([^\"]*mathjax[^\"]*)\"", text, re.I):
            assert "_static/mathjax/" in src, f"{page.name} loads MathJax from {src}"


def test_assignment_page_offers_the_notebook_download(built_book):
    page = (built_book / "assignments/a01_vocabulary/a01_vocabulary.html").read_text()
    assert "a01_vocabulary.ipynb" in page, "no download link to the assignment notebook"
    assert list(built_book.rglob("_sources/**/a01_vocabulary.ipynb")), "notebook not published"


# --- the two editions ---------------------------------------------------------------------------

ZH = "zh"  # the Chinese edition's folder inside the English one (scripts/build_book.py)
SWITCH = re.compile(r'<p class="language-switch"[^>]*>\s*<a href="([^"]+)"')


def _editions(html: Path) -> tuple[set[str], set[str]]:
    pages = {p.relative_to(html).as_posix() for p in _pages(html)}
    english = {p for p in pages if not p.startswith(f"{ZH}/")}
    chinese = {p[len(ZH) + 1:] for p in pages if p.startswith(f"{ZH}/")}
    return english, chinese


def test_both_editions_have_the_same_pages_in_their_language(built_book):
    english, chinese = _editions(built_book)
    assert english == chinese, (f"only in English: {sorted(english - chinese)}; only in "
                                f"Chinese: {sorted(chinese - english)}")
    preface = (built_book / ZH / "chapters" / "00_preface.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]*lang="zh[-_]CN"', preface), "the Chinese pages say another lang"
    assert "序列模型" in preface and "循环神经网络" in preface


def test_every_page_links_to_itself_in_the_other_edition(built_book):
    english, _ = _editions(built_book)
    problems = []
    for rel in sorted(english):
        if rel in ("index.html", "genindex.html", "search.html"):
            continue  # a redirect and Sphinx's own pages, with no document of their own
        for page, other in ((built_book / rel, built_book / ZH / rel),
                            (built_book / ZH / rel, built_book / rel)):
            found = SWITCH.findall(page.read_text(encoding="utf-8"))
            if len(found) != 1:
                problems.append(f"{page.relative_to(built_book)}: {len(found)} language links")
            elif (page.parent / found[0]).resolve() != other.resolve():
                problems.append(f"{page.relative_to(built_book)} links to {found[0]}")
    assert not problems, "\n".join(problems[:20])


CHINESE_NOTEBOOK = re.compile(r'<p class="chinese-notebook"><a href="([^"]+)"[^>]*>([^<]+)</a>')


def test_chinese_assignment_pages_offer_the_chinese_notebook(built_book):
    """Each assignment page of the Chinese edition links to a copy of its Chinese release,
    ``assignments/<a>_zh/<a>_zh.ipynb`` (_ext/language_switch.py), which is no page of either
    edition; the English pages have no such link."""
    from nbtools import assignments

    for assignment in assignments(REPO):
        page = built_book / ZH / "assignments" / assignment / f"{assignment}.html"
        found = CHINESE_NOTEBOOK.search(page.read_text(encoding="utf-8"))
        assert found, f"{page.relative_to(built_book)} has no link to the Chinese notebook"
        name = f"{assignment}_zh.ipynb"
        assert found.group(2) == f"下载中文版 notebook（{name}）", found.group(2)
        target = (page.parent / found.group(1)).resolve()
        assert target == (built_book / ZH / "assignments" / f"{assignment}_zh" / name).resolve()
        assert target.read_bytes() == (REPO / "assignments" / f"{assignment}_zh" / name
                                       ).read_bytes(), f"{name}: not the committed release"
        english = built_book / "assignments" / assignment / f"{assignment}.html"
        assert not CHINESE_NOTEBOOK.search(english.read_text(encoding="utf-8"))
        for edition in (built_book, built_book / ZH):
            assert not list(edition.glob(f"assignments/{assignment}_zh/*.html")), \
                f"the Chinese notebook {name} became a page"


def test_the_chinese_edition_can_be_searched_in_chinese(built_book):
    import json

    text = (built_book / ZH / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(text[text.index("(") + 1:text.rindex(")")])["terms"]
    # jieba splits the Chinese text into words: whole terms are index entries
    for word in ("循环", "神经网络", "梯度", "困惑"):
        assert word in terms, f"{word} is not a word of the Chinese search index"


# --- nothing of the instructor's is published -------------------------------------------------

def test_built_book_contains_no_solution_or_hidden_test_line(built_book):
    secrets = all_secrets(REPO)
    published = [p for p in built_book.rglob("*") if p.is_file()
                 and p.suffix in {".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py"}
                 and "_static" not in p.parts]
    assert any(p.suffix == ".html" for p in published)
    for path in published:
        raw = path.read_text(errors="replace")
        assert "BEGIN SOLUTION" not in raw and "BEGIN HIDDEN TESTS" not in raw, path
        text = visible_text(raw) if path.suffix == ".html" else raw
        leaks = find_leaks(secrets, text)
        assert not leaks, f"{path.relative_to(built_book)} leaks instructor lines: {leaks[:3]}"


def test_built_book_publishes_no_instructor_folder(built_book):
    for name in ("solutions", "tests", "submitted", "autograded", "feedback", "gradebook.db"):
        hits = [p for p in built_book.rglob(f"*{name}*")]
        assert not hits, f"instructor material published in the book: {hits[:3]}"


HALVES = 2


@pytest.mark.parametrize("half", range(HALVES), ids=lambda h: f"spread-half{h}")
def test_every_page_loads_offline_with_math_and_no_errors(built_book, server, browser, half):
    """Every page of both editions, in two halves (every other page) that the two workers visit
    at once, each in one tab."""
    problems = []
    checked_math = checked_chinese = 0
    tab = Tab(browser)
    for path in _pages(built_book)[half::HALVES]:
        rel = path.relative_to(built_book).as_posix()
        expect_math = any(m in path.read_text() for m in MATH_MARKERS)
        r = visit(tab, f"{server}/{rel}", expect_math)
        if r["status"] != 200:
            problems.append(f"{rel}: HTTP {r['status']}")
        if r["errors"]:
            problems.append(f"{rel}: console errors {r['errors'][:3]}")
        if r["foreign"]:
            problems.append(f"{rel}: requests to other hosts {r['foreign'][:3]}")
        checked_chinese += r["cjk_font"] is not None
        if r["cjk_font"] is False:
            problems.append(f"{rel}: Chinese characters are drawn as empty boxes (no CJK font; "
                            "Debian: apt-get install fonts-noto-cjk)")
        if expect_math:
            checked_math += 1
            if r["typeset"] == 0:
                problems.append(f"{rel}: math present but not typeset by MathJax")
    tab.close()
    assert not problems, "\n".join(problems)
    assert checked_math >= 2, "expected math on the chapter pages of each half"
    assert checked_chinese >= 2, "expected pages of the Chinese edition in each half"


def test_math_typesets_from_file_url(built_book, browser):
    chapter = built_book / "chapters" / "01_sequence_data.html"
    tab = Tab(browser)
    r = visit(tab, chapter.as_uri(), expect_math=True)
    tab.close()
    assert r["typeset"] > 0, "MathJax did not typeset when opened from file://"
    assert not r["foreign"], r["foreign"]


@pytest.mark.parametrize("body, why", [
    ("```{code-cell} ipython3\nprint(1 + 1)\n```\n", None),  # control: a sound page builds
    ("```{code-cell} ipython3\nraise ValueError('a chapter that raises')\n```\n", "code error"),
    ("See {doc}`a_page_that_does_not_exist`.\n", "Sphinx warning"),
], ids=["spread-sound", "spread-code-error", "spread-sphinx-warning"])  # one unit each
def test_strict_build_fails_on_broken_chapter(tmp_path, body, why):
    """The book's own configuration turns a failing cell or any warning into a failed build."""
    import shutil as sh
    import subprocess

    from conftest import REPO, tool

    sh.copy(REPO / "_config.yml", tmp_path / "_config.yml")
    sh.copytree(REPO / "_ext", tmp_path / "_ext")
    import yaml

    favicon = yaml.safe_load((REPO / "_config.yml").read_text())["html"].get("favicon")
    if favicon:  # a file the configuration names
        (tmp_path / favicon).parent.mkdir(parents=True, exist_ok=True)
        sh.copy(REPO / favicon, tmp_path / favicon)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (tmp_path / "index.md").write_text(
        "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
        "jupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n---\n"
        "# Broken\n\n" + body)
    proc = subprocess.run([tool("jupyter-book"), "build", str(tmp_path), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600)
    if why is None:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    else:
        assert proc.returncode != 0, f"a {why} did not fail the strict build"
