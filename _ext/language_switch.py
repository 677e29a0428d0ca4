"""Sphinx extension: a link on every page to the same page in the other edition.

The English edition is built into ``_build/html`` and the Chinese one into ``_build/html/zh``
(scripts/build_book.py), from the same sources. Each page starts with a small link: "中文" on
an English page, "English" on a Chinese one, to the same page of the other edition. The link is
relative, so it works from a web server and from ``file://`` alike.

On the Chinese edition's assignment pages (``assignments/<a>/<a>``, the English release read
through the catalogues) a second link downloads the Chinese notebook of that assignment,
``<a>_zh.ipynb`` (scripts/translations.py writes it, nbgrader releases it into
``assignments/<a>_zh/``): at the end of the build the extension copies each one next to the
page's own folder, ``assignments/<a>_zh/<a>_zh.ipynb`` of the Chinese edition. The Chinese
notebooks are no pages of either edition (only the files of _toc.yml are built).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

# The folder of the Chinese edition inside the English one, and the two labels.
EDITION_FOLDER = "zh"
LABELS = {"en": ("中文", "zh-CN", "本页的中文版"),
          "zh_CN": ("English", "en", "This page in English")}
# An assignment page, and the name of its Chinese copy (tests/nbtools.py: CHINESE_SUFFIX).
ASSIGNMENT_PAGE_RE = re.compile(r"^assignments/([^/]+)/\1$")
CHINESE_SUFFIX = "_zh"


def chinese_notebook(pagename: str) -> str | None:
    """``assignments/<a>_zh/<a>_zh.ipynb`` for the page ``assignments/<a>/<a>``, else None."""
    match = ASSIGNMENT_PAGE_RE.match(pagename)
    if not match or match.group(1).endswith(CHINESE_SUFFIX):
        return None
    name = match.group(1) + CHINESE_SUFFIX
    return f"assignments/{name}/{name}.ipynb"


def _download_link(pagename: str) -> str:
    """The paragraph that downloads an assignment page's Chinese notebook (relative URL)."""
    notebook = chinese_notebook(pagename)
    url = html.escape("../" * pagename.count("/") + notebook)
    name = html.escape(Path(notebook).name)
    return (f'<p class="chinese-notebook"><a href="{url}" download="{name}" '
            f'type="application/x-ipynb+json">下载中文版 notebook（{name}）</a></p>\n')


def other_edition_url(pagename: str, language: str) -> str:
    """Relative URL of ``pagename`` in the other edition, seen from ``pagename`` itself."""
    up = "../" * pagename.count("/")
    if language == "zh_CN":  # from _build/html/zh/<page> to _build/html/<page>
        return f"../{up}{pagename}.html"
    return f"{up}{EDITION_FOLDER}/{pagename}.html"


def _add_switch(app, pagename, templatename, context, doctree):
    if doctree is None or "body" not in context:
        return  # search page, genindex: no document of their own
    language = app.config.language or "en"
    label, hreflang, title = LABELS.get(language, LABELS["en"])
    url = html.escape(other_edition_url(pagename, language))
    switch = (f'<p class="language-switch" style="text-align: right; margin: 0 0 0.5rem">'
              f'<a href="{url}" hreflang="{hreflang}" lang="{hreflang}" title="{title}" '
              f'style="padding: 0.1rem 0.6rem; border: 1px solid #bbb; border-radius: 0.3rem; '
              f'text-decoration: none">{label}</a></p>\n')
    if language == "zh_CN" and chinese_notebook(pagename):
        switch += _download_link(pagename)
    context["body"] = switch + context["body"]


def _publish_chinese_notebooks(app, exception):
    """Copy the Chinese notebook of every assignment page into the Chinese edition; a missing
    one is a warning (an error in the strict build): run `make translations`."""
    if exception is not None or app.builder.format != "html" or app.config.language != "zh_CN":
        return
    for pagename in sorted(app.env.found_docs):
        notebook = chinese_notebook(pagename)
        if notebook is None:
            continue
        source = Path(app.srcdir) / notebook
        if not source.is_file():
            logger.warning(f"{notebook} is missing (the Chinese notebook of {pagename}): "
                           "run `make translations`")
            continue
        target = Path(app.outdir) / notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def setup(app):
    app.connect("html-page-context", _add_switch)
    app.connect("build-finished", _publish_chinese_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
