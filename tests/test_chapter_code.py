"""The code on a page fits the page: no line of a chapter's code is wider than 79 characters.

The book's text column shows about 80 characters of code; a longer line is cut at the right
edge and must be scrolled (chapters 7 and 10 had lines of up to 100). Checked: every code cell
and every fenced code block (an exercise answer's code, a shell command) of every page.
"""

from __future__ import annotations

import re

import pytest

from conftest import REPO

MAX = 79
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n"
                   r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$", re.M | re.S)
PROSE_DIRECTIVES = re.compile(r"\s*\{(?!code-cell|code-block|code\b|sourcecode)[^}]*\}")
PAGES = sorted((REPO / "chapters").glob("*.md"))


def long_code_lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, length, line) of each code line longer than MAX in MyST ``text``."""
    found = []

    def scan(chunk: str, first_line: int) -> None:
        for m in FENCE.finditer(chunk):
            start = first_line + chunk.count("\n", 0, m.start("body"))
            if PROSE_DIRECTIVES.match(m.group("info")):
                scan(m.group("body"), start)  # an admonition or a dropdown: look inside
                continue
            indent = len(m.group("indent"))
            for i, line in enumerate(m.group("body").splitlines()):
                if len(line) - indent > MAX:
                    found.append((start + i, len(line) - indent, line.strip()))

    scan(text, 1)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_code_line_is_wider_than_the_page(page):
    found = long_code_lines(page.read_text(encoding="utf-8"))
    assert not found, f"{page.relative_to(REPO)}: code lines over {MAX} characters:\n" + "\n".join(
        f"  line {n} ({length}): {line[:60]}..." for n, length, line in found)


def test_the_check_finds_a_long_line_in_a_cell_and_in_an_answer():
    long = "x = " + "1 + " * 30 + "1"
    page = (f"```{{code-cell}} ipython3\nshort = 1\n{long}\n```\n\n"
            f":::{{dropdown}} Answer\n```python\n{long}\n```\n:::\n\n"
            f"````{{admonition}} Note\n```python\nfine = 2\n```\n````\n")
    assert [n for n, _, _ in long_code_lines(page)] == [3, 8]
