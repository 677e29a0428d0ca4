"""Sphinx extension: keep the built book fully offline and free of console errors.

jupyter-book 1 always loads sphinx-thebe (live code through a remote Binder), which
(1) injects a configuration script naming a CDN URL and (2) injects it twice, so every page
logs "Identifier 'THEBE_JS_URL' has already been declared". The course has no live-code
buttons, so this extension drops sphinx-thebe's scripts from every page.
"""

from __future__ import annotations


def _is_thebe(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = getattr(script, "attributes", {}).get("body", "") or ""
    return "thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def _redirect_with_icon(app, exception):
    """The root index.html that sphinx-external-toc writes is a bare redirect without a page
    icon, so a browser may ask the server for /favicon.ico (a 404 in the console) before the
    redirect happens. Give it the book's icon."""
    if exception is not None or app.builder.format != "html" or not app.config.html_favicon:
        return
    from pathlib import Path

    index = Path(app.outdir) / "index.html"
    if not index.exists():
        return
    text = index.read_text(encoding="utf-8")
    icon = f'<link rel="icon" href="_static/{Path(app.config.html_favicon).name}" />'
    if 'http-equiv="Refresh"' in text and 'rel="icon"' not in text:
        index.write_text(icon + "\n" + text, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    # after sphinx-external-toc's own build-finished handler (priority 500) writes the redirect
    app.connect("build-finished", _redirect_with_icon, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
