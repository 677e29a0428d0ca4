"""The instructor notebooks are stored clean (no outputs), and their test cells are well formed."""

import pytest

from conftest import REPO
from nbtools import source_notebooks

NOTEBOOKS = source_notebooks(REPO)


def test_there_is_at_least_one_assignment():
    assert NOTEBOOKS, "no notebooks found under solutions/*/"


# The source notebooks are not run here (neither nbval nor `nbgrader validate`): the completed
# release is autograded in the shared class, which runs exactly these cells, hidden tests
# included, and tests/test_autograding.py checks that no cell of it ends in an error and that it
# scores full marks. A student's use of validate is checked by tests/test_packaging.py.


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_source_notebooks_carry_no_outputs(nb):
    import nbformat

    for i, cell in enumerate(nbformat.read(nb, as_version=4).cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{nb.name} cell {i} has stored outputs; clear them"


HIDDEN_MARKER = "### BEGIN HIDDEN TESTS"


def trailing_expression(source: str) -> str | None:
    """The bare expression a cell ends with (its value would be displayed), if any."""
    import ast

    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr):
        return None
    rest = source.splitlines()[last.end_lineno - 1].encode()[last.end_col_offset:].decode()
    if rest.lstrip().startswith(";"):  # IPython shows nothing after a trailing semicolon
        return None
    value = last.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print":
        return None
    return ast.unparse(last)


@pytest.mark.parametrize("folder", ["solutions", "assignments"])
def test_no_test_cell_shows_a_value_that_nbgrader_would_take_for_partial_credit(folder):
    """nbgrader reads a number that a test cell displays as its partial credit (a cell ending
    with `check_scalar(...)` would score the checked value), and `nbgrader validate` shows
    students a confusing 'partial credit' line: every test cell, in the source (the hidden
    tests run last) and in the release (the visible part runs last), ends with a statement."""
    import nbformat

    found = []
    for path in sorted((REPO / folder).glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            parts = [cell.source]
            if HIDDEN_MARKER in cell.source:
                parts.append(cell.source.split(HIDDEN_MARKER)[0])
            for part in parts:
                shown = trailing_expression(part)
                if shown:
                    found.append(f"{path.parent.name}/{meta['grade_id']}: {shown[:80]}")
    assert not found, ("test cells end with an expression (end them with a statement, or "
                       "add ';'):\n" + "\n".join(sorted(set(found))))


def test_the_partial_credit_check_finds_a_trailing_value():
    assert trailing_expression("x = 1\ncheck_scalar('x', x, 1)") == "check_scalar('x', x, 1)"
    assert trailing_expression("x = 1\ncheck_scalar('x', x, 1);") is None
    assert trailing_expression("print('ok')") is None
    assert trailing_expression("assert True") is None
