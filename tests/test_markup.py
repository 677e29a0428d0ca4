"""Prose that Markdown reads differently from what its author meant.

A wrapped line that happens to start with ``* ``, ``+ ``, ``- `` or ``1. `` starts a list in
the middle of a paragraph: the sentence is cut in two, and an inline formula split across the
cut pairs its ``$`` wrongly, so text is typeset as math (found in chapters 8, 9 and 14 and in
assignment 6, each a formula or "length 1." wrapped at the wrong place; the translations had
to copy the broken halves). This test parses every chapter and every assignment's Markdown with
MyST's own parser, with the book's extensions, and fails on a list that interrupts a paragraph
line, unless that line ends with a colon (a list announced by its sentence) or belongs to the
list item above (indented more than the new marker).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import translations  # noqa: E402


def _parser():
    # the same parser the Chinese notebooks are made with (scripts/translations.py)
    return translations.markdown_parser()


def accidental_lists(text: str, parser) -> list[tuple[int, str]]:
    """(1-based line, line) of every list that starts inside a paragraph by accident."""
    lines = text.splitlines()
    found = []
    for token in parser.parse(text):
        if token.type not in ("bullet_list_open", "ordered_list_open") or not token.map:
            continue
        start = token.map[0]
        if start == 0:
            continue
        before, line = lines[start - 1], lines[start]
        marker_indent = len(line) - len(line.lstrip())
        if (not before.strip() or before.rstrip().endswith(":")
                or len(before) - len(before.lstrip()) > marker_indent
                or before.lstrip()[:1] in "-*+|#:`<$%" or before.lstrip()[:1].isdigit()):
            continue
        found.append((start + 1, line.strip()))
    return found


def _sources():
    for path in sorted((REPO / "chapters").glob("*.md")):
        yield path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8")
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                yield (f"{path.relative_to(REPO).as_posix()} (cell {index})",
                       "".join(cell["source"]))


def test_no_paragraph_is_cut_by_a_wrapped_line_that_starts_a_list():
    parser = _parser()
    problems = [f"{where}, line {n}: {line[:70]!r}"
                for where, text in _sources() for n, line in accidental_lists(text, parser)]
    assert not problems, ("a wrapped line starts a list in the middle of a paragraph (rewrap "
                          "it):\n" + "\n".join(problems))


@pytest.mark.parametrize("text, found", [
    ("gated new value, $c = a + (1 - b)\n* c'$ in the GRU.\n", 1),     # chapter 8's slip
    ("scale both words to length\n1. With $u$ the unit vector\n", 1),   # assignment 6's
    ("sum_j e^{x\n+ b}$, and the common factor\n", 1),                 # chapter 14's
    ("After this chapter you can:\n- build a vocabulary\n", 0),        # announced by a colon
    ("- an item whose text goes on\n  on the next line\n- a second item\n", 0),
    ("A paragraph.\n\n- a list after a blank line\n", 0),
    ("$$\nx = a\n+ b\n$$\n", 0),                                       # inside display math
])
def test_the_check_finds_the_slips_and_leaves_real_lists_alone(text, found):
    assert len(accidental_lists(text, _parser())) == found
