"""Sphinx extension: the ``{lit}`` role marks a number that the book does not compute.

A number in the prose either comes from the code (MyST-NB's ``{glue:text}``) or from elsewhere:
the lecture notes, a paper, a version, a constant of a formula. The second kind is written
``{lit}`0.75``` in text and ``\\lit{0.75}`` in math (a MathJax macro that shows its argument);
both render as the plain number. tests/test_prose_numbers.py fails on any decimal number in a
chapter's prose that is neither glued nor marked, so a measured number cannot be typed by hand.
"""

from __future__ import annotations

from docutils import nodes


def literal_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{lit}`text``` -> the text as it is (marked with the class ``lit``)."""
    return [nodes.inline(rawtext, text, classes=["lit"])], []


# MathJax 3: \lit{x} typesets x. Merged into any mathjax3_config that _config.yml sets.
MATH_MACROS = {"lit": ["{#1}", 1]}


def _add_math_macro(app, config):
    mathjax = dict(config.mathjax3_config or {})
    tex = dict(mathjax.get("tex", {}))
    tex["macros"] = {**tex.get("macros", {}), **MATH_MACROS}
    mathjax["tex"] = tex
    config.mathjax3_config = mathjax


def setup(app):
    app.add_role("lit", literal_role)
    app.connect("config-inited", _add_math_macro)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
