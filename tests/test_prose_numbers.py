"""No number in the book's prose is typed by hand where the code computes it.

Every decimal number (``0.90``, ``6.736``) and every number written with thousands separators
(``1,250``) in a page's prose must be either

* glued from the code that computes it: ``{glue:text}`name:.3f``` (MyST-NB), or
* marked as coming from elsewhere (the notes, a paper, a version, a constant of a formula):
  ``{lit}`0.75``` in text, ``\\lit{0.75}`` in math (both defined in _ext/literal_numbers.py),
  in a sentence that says where the number comes from.

"Prose" is what a reader reads: paragraphs, headings, lists, tables, admonitions, exercise
answers, math. Code cells, code blocks and inline code are not prose (their numbers are code).
The pages are parsed with markdown-it and the MyST syntax plugins (the parser MyST itself uses),
so a number inside a directive (``{note}``, ``{dropdown}``) is found and one inside a code cell
is not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from conftest import REPO

# A decimal number, or an integer with thousands separators; not part of a longer word/number.
NUMBER = re.compile(r"(?<![\w.,])(?:\d+\.\d+|\d{1,3}(?:,\d{3})+)(?![\w]|\.\d)")
MATH_LITERAL = re.compile(r"\\lit\{[^{}]*\}")
# Roles whose content is not shown as a number to check: glued values, marked literals,
# and references (their content is a target).
SKIPPED_ROLES = {"glue", "glue:text", "glue:any", "glue:md", "glue:math", "glue:figure", "lit",
                 "ref", "doc", "numref", "eq", "download", "term", "abbr"}
# Directives whose body is code or data, not prose.
CODE_DIRECTIVES = {"code-cell", "code-block", "code", "sourcecode", "literalinclude",
                   "raw", "glue:figure", "glue:any", "glue:math", "glue:md"}
MATH_DIRECTIVES = {"math"}
HTML_TAG = re.compile(r"<!--.*?-->|<[^>]+>", re.S)


def _parser() -> MarkdownIt:
    return (MarkdownIt("commonmark").enable("table")
            .use(front_matter_plugin).use(myst_block_plugin).use(myst_role_plugin)
            .use(dollarmath_plugin).use(amsmath_plugin).use(colon_fence_plugin))


def _directive(info: str) -> str | None:
    m = re.match(r"\s*\{([^}]+)\}", info)
    return m.group(1).strip() if m else None


def _body(content: str) -> str:
    """A directive's content without its leading ``:option: value`` lines."""
    lines = content.splitlines()
    while lines and re.match(r"\s*:[\w-]+:", lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def prose_numbers(text: str, first_line: int = 0) -> list[tuple[int, str, str]]:
    """(line, number, context) of every unglued, unmarked number in MyST ``text``."""
    found: list[tuple[int, str, str]] = []

    def scan(chunk: str, line: int) -> None:
        for m in NUMBER.finditer(chunk):
            start = max(0, m.start() - 40)
            found.append((line, m.group(), " ".join(chunk[start:m.end() + 40].split())))

    def walk(tokens, offset: int) -> None:
        for tok in tokens:
            line = offset + (tok.map[0] + 1 if tok.map else 0)
            if tok.type in ("fence", "colon_fence"):
                name = _directive(tok.info)
                if name is None or name in CODE_DIRECTIVES:
                    continue  # a plain code block, a code cell
                if name in MATH_DIRECTIVES:
                    scan(MATH_LITERAL.sub("", _body(tok.content)), line)
                    continue
                scan(tok.info, line)  # a directive's title is prose too
                walk(_parser().parse(_body(tok.content)), line)
            elif tok.type in ("math_block", "math_block_label", "amsmath"):
                scan(MATH_LITERAL.sub("", tok.content), line)
            elif tok.type in ("code_block", "front_matter", "html_block", "myst_target",
                              "myst_line_comment"):
                continue
            elif tok.type == "inline":
                for child in tok.children or []:
                    if child.type == "text":
                        scan(child.content, line)
                    elif child.type == "math_inline":
                        scan(MATH_LITERAL.sub("", child.content), line)
                    elif child.type == "myst_role" and child.meta.get("name") not in SKIPPED_ROLES:
                        scan(child.content, line)
                    elif child.type == "html_inline":
                        scan(HTML_TAG.sub("", child.content), line)

    walk(_parser().parse(text), first_line)
    return found


PAGES = sorted((REPO / "chapters").glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_glued_or_marked(page: Path):
    found = prose_numbers(page.read_text(encoding="utf-8"))
    assert not found, (
        f"{page.relative_to(REPO)}: {len(found)} number(s) typed into the prose. Glue each one "
        "that a cell computes ({glue:text}`name:fmt`); mark one that comes from elsewhere with "
        "{lit}`x` (\\lit{x} in math) and say where it comes from:\n"
        + "\n".join(f"  line {line}: {number}   ...{context}..." for line, number, context in found))


def test_the_check_finds_typed_numbers_and_accepts_glued_and_marked_ones():
    page = """---
jupytext: {formats: md:myst}
---
# A heading with 0.25

The loss fell to 2.31, and {glue:text}`loss:.2f` is glued; {lit}`0.75` is from the paper.
Training took 1,250 steps; version numbers such as {lit}`3.11` are marked too; 12 is an integer.

```{code-cell} ipython3
x = 0.125  # code, not prose
```

```{note}
:class: tip
Inside a directive: 0.33.
```

:::{dropdown} Answer with 4.5
The answer is $1 - 0.19/2 \\approx 0.90$, and $\\sigma(\\lit{0.5})$ is marked; `0.6` is code.
:::

| step | value |
|---|---|
| 1 | 7.047 |

$$
p = 0.03
$$
"""
    numbers = [number for _, number, _ in prose_numbers(page)]
    assert numbers == ["0.25", "2.31", "1,250", "0.33", "4.5", "0.19", "0.90", "7.047", "0.03"]
