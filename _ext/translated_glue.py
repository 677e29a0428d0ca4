"""Sphinx extension: glued values in translated messages.

Sphinx translates a paragraph by parsing its translation as a small document of its own
(``sphinx.transforms.i18n.Locale``). MyST-NB looks a ``{glue:text}`` key up in the notebook of
the document being parsed, and that small document has none, so every glued number of a
translated paragraph would be lost ("No key ... found in glue data for this document"). And by
the time the Locale transform runs, MyST-NB has already removed the page's notebook renderer
from the page (it keeps it only while it parses). This extension keeps each page's renderer
until the Locale transform has run on the page, and makes a failed lookup in a translated
message fall back to the page's notebook: the translation shows the number that the page's
code computed, as the English does.

It also parses each translated message with MyST's Markdown parser rather than MyST-NB's
notebook parser: a message is a paragraph, not a notebook, and reading each of ~3,800 messages as
a notebook (jupytext, a notebook renderer each) made the Chinese build several times slower.
"""

from __future__ import annotations

import contextvars

_PAGE = contextvars.ContextVar("translated_page", default=None)
_RENDERERS: list = []  # the MyST-NB element renderers of the pages read so far


def _install() -> None:
    import myst_nb.sphinx_ as mystnb_sphinx
    from myst_nb.ext.glue import directives, roles, utils
    from sphinx.transforms import i18n

    if getattr(utils, "_course_translated_glue", False):
        return
    original = utils.retrieve_glue_data

    def retrieve_glue_data(document, key):
        try:
            return original(document, key)
        except utils.RetrievalError:
            page = _PAGE.get()
            if page is None or page is document:
                raise
            return original(page, key)

    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve_glue_data

    load_renderer = mystnb_sphinx.load_renderer

    def load_keeping_renderer(name):
        renderer_class = load_renderer(name)

        def make(*args, **kwargs):
            renderer = renderer_class(*args, **kwargs)
            _RENDERERS.append(renderer)
            return renderer

        return make

    mystnb_sphinx.load_renderer = load_keeping_renderer

    apply = i18n.Locale.apply

    def apply_with_page(self, **kwargs):
        page = self.document
        renderer = next((r for r in _RENDERERS if _document_of(r) is page), None)
        # what is left belongs to this page or to the small documents of its translations
        _RENDERERS.clear()
        if renderer is not None and "nb_renderer" not in page:
            page["nb_renderer"] = renderer
        token = _PAGE.set(page)
        try:
            return apply(self, **kwargs)
        finally:
            _PAGE.reset(token)
            if renderer is not None and page.get("nb_renderer") is renderer:
                del page["nb_renderer"]

    i18n.Locale.apply = apply_with_page

    get_filetype = i18n.get_filetype

    def message_filetype(source_suffix, filename):
        filetype = get_filetype(source_suffix, filename)
        return "markdown" if filetype == "myst-nb" else filetype

    i18n.get_filetype = message_filetype  # used by i18n.publish_msgstr only
    utils._course_translated_glue = True


def _document_of(renderer):
    try:
        return renderer.renderer.document
    except AttributeError:  # the renderer was made but never set up
        return None


def setup(app):
    from myst_parser.parsers.sphinx_ import MystParser

    # MyST-NB maps .md to its notebook parser and does not register MyST's own (filetype
    # "markdown"), which the translated messages are parsed with.
    if "markdown" not in app.registry.source_parsers:
        app.add_source_parser(MystParser)
    _install()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
