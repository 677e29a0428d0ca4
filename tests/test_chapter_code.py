"""The code on a page can be read and is run.

* No line of a chapter's code is wider than 79 characters: the book's text column shows about
  80 characters of code, and a longer line is cut at the right edge and must be scrolled
  (chapters 7 and 10 had lines of up to 100). Checked: every code cell and every fenced code
  block (an exercise answer's code, a shell command) of every page.
* Python code shown in the text (an exercise answer's ```python block) is run by the build:
  its lines appear, in order, in one code cell of the page (usually hidden, ``remove-cell``),
  so an answer cannot be wrong, or stop working when course_lib changes, unnoticed.
"""

from __future__ import annotations

import re

import pytest

from conftest import REPO

MAX = 79
# A fenced block, also one that opens on a list item's line ("6. ```python"): its content is
# indented by the width of the item's marker, which ``indent`` then holds.
FENCE = re.compile(r"^(?P<indent>[ \t]*(?:(?:\d+[.)]|[-*+])[ \t]+)?)(?P<fence>`{3,}|~{3,})"
                   r"(?P<info>[^\n]*)\n(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$", re.M | re.S)
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


# --- code in the text is run ------------------------------------------------------------------

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


def _normalised(code: str) -> list[str]:
    """The code's non-blank lines without indentation, comments or spacing."""
    lines = []
    for line in code.splitlines():
        line = re.sub(r"\s+#.*$|^\s*#.*$", "", line)
        line = "".join(line.split())
        if line:
            lines.append(line)
    return lines


def unexecuted_code_blocks(text: str) -> list[tuple[int, str]]:
    """(line, first line) of each ```python block in the prose (an exercise answer's code)
    whose lines do not appear, in order, inside one code cell of the page: code shown to the
    reader must be code the build has run (usually a hidden cell, tag ``remove-cell``)."""
    cells = [_normalised(m.group(1)) for m in CODE_CELL.finditer(text)]
    if not cells:
        return []  # not a notebook page (the instructor guide's config snippets run elsewhere)
    missing = []
    for m in FENCE.finditer(text):
        if m.group("info").strip() not in ("python", "python3", "py"):
            continue
        block = _normalised(m.group("body"))
        if not block:
            continue

        def inside(cell: list[str]) -> bool:
            it = iter(cell)
            return all(line in it for line in block)  # a subsequence: in order

        if not any(inside(cell) for cell in cells):
            line = text.count("\n", 0, m.start()) + 1
            missing.append((line, m.group("body").strip().splitlines()[0]))
    return missing


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_code_shown_in_the_text_is_run_by_a_cell(page):
    missing = unexecuted_code_blocks(page.read_text(encoding="utf-8"))
    assert not missing, (
        f"{page.relative_to(REPO)}: Python code in the text that no cell runs (add it to a "
        "hidden cell, tag remove-cell, so the build checks it):\n"
        + "\n".join(f"  line {n}: {first}" for n, first in missing))


def test_the_check_finds_answer_code_that_no_cell_runs():
    page = ("```{code-cell} ipython3\n:tags: [remove-cell]\nx = 1\ny = x + 1  # two\n```\n\n"
            ":::{admonition} Answers\n1. ```python\n   y = x + 1\n   ```\n"
            "2. ```python\n   z = x * 3\n   ```\n:::\n")
    assert [first for _, first in unexecuted_code_blocks(page)] == ["z = x * 3"]
    long = "   w = " + "1 + " * 30 + "1"
    assert [n for n, _, _ in long_code_lines(f"6. ```python\n{long}\n   ```\n")] == [2]


# --- every figure has a caption that names its labels ------------------------------------------
#
# The figures are drawn once, in English, for both editions. A caption below each one says what
# it shows and names every text the code writes into it (axis labels, legend entries, titles)
# as inline code: the Chinese edition keeps inline code verbatim (scripts/translations.py
# checks it), so its caption shows each English label next to its explanation.

CAPTION = "**Figure.**"
LABEL_KEYWORDS = {"label", "xlabel", "ylabel", "title"}
LABEL_CALLS = {"set_xlabel", "set_ylabel", "set_title", "suptitle", "xlabel", "ylabel",
               "title", "text"}
MATH_SPAN = re.compile(r"\$[^$]+\$")
INLINE_CODE = re.compile(r"`([^`]+)`")


def figure_labels(code: str) -> list[str]:
    """The literal texts that a cell's code writes into its figures, each split into the parts
    outside its math ("$\\log n_x$ (uniform guess)" -> "uniform guess"); only parts with a
    word in them."""
    import ast

    texts = []
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        values = [k.value for k in node.keywords if k.arg in LABEL_KEYWORDS]
        name = getattr(node.func, "attr", getattr(node.func, "id", None))
        if name in LABEL_CALLS and node.args:
            values.append(node.args[-1] if name == "text" else node.args[0])
        texts += [v.value for v in values
                  if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    parts = []
    for text in texts:
        for part in MATH_SPAN.split(text):
            part = " ".join(part.split()).strip(" ()[],:;.=")
            if re.search(r"[A-Za-z]{2,}", part):
                parts.append(part)
    return parts


def figure_captions(text: str) -> list[tuple[int, str, str | None]]:
    """(cell number, code, caption or None) for each code cell of MyST ``text`` that shows a
    figure (plt.show(), in a cell the page keeps): its caption is the first paragraph of the
    Markdown right after it, if that paragraph starts with **Figure.**"""
    from myst_nb.core.read import read_myst_markdown_notebook

    cells = read_myst_markdown_notebook(text).cells
    found = []
    for i, cell in enumerate(cells):
        tags = set(cell.metadata.get("tags", []))
        if (cell.cell_type != "code" or "plt.show()" not in cell.source
                or tags & {"remove-cell", "remove-output"}):
            continue
        after = cells[i + 1].source.strip() if i + 1 < len(cells) else ""
        first = after.split("\n\n", 1)[0] if cells[i + 1].cell_type == "markdown" else ""
        found.append((i, cell.source, first if first.startswith(CAPTION) else None))
    return found


def caption_problems(text: str) -> list[str]:
    problems = []
    for i, code, caption in figure_captions(text):
        where = f"the cell that starts {code.strip().splitlines()[0][:50]!r}"
        if caption is None:
            problems.append(f"{where}: its figure has no caption (a paragraph starting "
                            f"{CAPTION} right below the cell)")
            continue
        quoted = {" ".join(c.split()).strip(" ()[],:;.=") for c in INLINE_CODE.findall(caption)}
        missing = [p for p in figure_labels(code) if p not in quoted]
        if missing:
            problems.append(f"{where}: the caption does not name the figure's "
                            f"{', '.join(repr(p) for p in missing)} (as inline code)")
    return problems


@pytest.mark.parametrize("page", [p for p in PAGES if "plt.show()" in p.read_text()],
                         ids=lambda p: p.stem)
def test_every_figure_has_a_caption_naming_its_labels(page):
    found = caption_problems(page.read_text(encoding="utf-8"))
    assert not found, f"{page.relative_to(REPO)}:\n  " + "\n  ".join(found)


def test_the_caption_check_finds_a_missing_caption_and_an_unnamed_label():
    cell = ('```{code-cell} ipython3\nax.plot(x, label="$\\\\log n_x$ (uniform guess)")\n'
            'ax.set(xlabel="update")\nplt.show()\n```\n\n')
    assert figure_labels('ax.set(xlabel="update", title=f"{n} passes")\n'
                         'ax.plot(y, label="$k$")') == ["update"]
    assert "no caption" in caption_problems(cell + "The loss falls.\n")[0]
    named = cell + "**Figure.** The loss per `update`, against `uniform guess` ($\\log n_x$).\n"
    assert caption_problems(named) == []
    assert "'uniform guess'" in caption_problems(named.replace("`uniform guess`", "it"))[0]
