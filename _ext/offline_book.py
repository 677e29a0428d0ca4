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


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
