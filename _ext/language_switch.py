"""Sphinx extension: a link on every page to the same page in the other edition.

The English edition is built into ``_build/html`` and the Chinese one into ``_build/html/zh``
(scripts/build_book.py), from the same sources. Each page starts with a small link: "中文" on
an English page, "English" on a Chinese one, to the same page of the other edition. The link is
relative, so it works from a web server and from ``file://`` alike.
"""

from __future__ import annotations

import html

# The folder of the Chinese edition inside the English one, and the two labels.
EDITION_FOLDER = "zh"
LABELS = {"en": ("中文", "zh-CN", "本页的中文版"),
          "zh_CN": ("English", "en", "This page in English")}


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
    context["body"] = switch + context["body"]


def setup(app):
    app.connect("html-page-context", _add_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
