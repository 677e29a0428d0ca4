"""Damaged notebook structures, and the students of the shared graded class who hand them in.

A damage is what a student (or an editor extension) does to the *structure* of a notebook:
an answer or test cell's ``grade_id`` changed, nbgrader flags removed, an answer cell
duplicated, a graded cell turned into Markdown, an answer cell deleted together with its test
cell, the notebook's metadata stripped. Each function here takes a notebook and returns a
damaged deep copy, so the unit tests (tests/test_intake_repair.py) and the graded class use the
same damages. Plain nbgrader 0.9.6 fails on most of them (no score for the student);
:mod:`course_lib.grading.intake` repairs them before grading.
"""

from __future__ import annotations

import copy
import uuid

from nbtools import cell_by_grade_id, delete, nbgrader_meta, tasks  # noqa: F401  (re-exported)

COPY_SUFFIX = "_copy"


def locked_setup(release_nb) -> str:
    """grade_id of the first locked cell that is not a test (the setup cell)."""
    return next(nbgrader_meta(c)["grade_id"] for c in release_nb.cells
                if nbgrader_meta(c).get("locked") and not nbgrader_meta(c).get("grade"))


def graded_structure(nb) -> list[tuple[str, str, dict]]:
    """(cell type, grade_id, nbgrader metadata) of every graded cell, in notebook order."""
    return [(c.cell_type, nbgrader_meta(c)["grade_id"], dict(nbgrader_meta(c)))
            for c in nb.cells
            if any(nbgrader_meta(c).get(k) for k in ("solution", "grade", "locked", "task"))]


def change_grade_id(nb, grade_id: str, new_id: str | None = None):
    """The cell ``grade_id`` gets another id (as a copied cell or a metadata editor does)."""
    nb = copy.deepcopy(nb)
    nbgrader_meta(cell_by_grade_id(nb, grade_id))["grade_id"] = new_id or grade_id + COPY_SUFFIX
    return nb


def remove_flag(nb, grade_id: str, flag: str):
    """The nbgrader flag ``flag`` ("locked", "grade" or "solution") is removed from a cell."""
    nb = copy.deepcopy(nb)
    nbgrader_meta(cell_by_grade_id(nb, grade_id)).pop(flag)
    return nb


def duplicate(nb, grade_id: str, stub: str, edited: str = "first"):
    """A copy of the cell ``grade_id`` with metadata intact is pasted just below it.

    The copy that is not ``edited`` ("first" = the upper one, "second" = the lower one) holds
    ``stub`` (the release's source); the other one holds the student's code.
    """
    if edited not in ("first", "second"):
        raise ValueError(f"edited must be 'first' or 'second', got {edited!r}")
    nb = copy.deepcopy(nb)
    cell = cell_by_grade_id(nb, grade_id)
    twin = copy.deepcopy(cell)
    twin["id"] = uuid.uuid4().hex[:8]
    (twin if edited == "first" else cell).source = stub
    nb.cells.insert(nb.cells.index(cell) + 1, twin)
    return nb


def to_markdown(nb, grade_id: str):
    """The cell is turned into a Markdown cell (Jupyter's "M" key): outputs are dropped."""
    nb = copy.deepcopy(nb)
    cell = cell_by_grade_id(nb, grade_id)
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return nb


def strip_notebook_metadata(nb):
    """The notebook's metadata (kernelspec, language_info) is removed."""
    nb = copy.deepcopy(nb)
    nb.metadata = {}
    return nb


def metadata_damages(nb, release_nb):
    """Every metadata damage at once, each on a different cell (needs >= 4 code tasks).

    Returns the damaged notebook and what was done, as {grade_id: damage name}. The tasks stay
    answerable: a correct submission damaged this way must still score full marks.
    """
    (a1, t1), (a2, t2), (a3, t3), (a4, t4) = tasks(release_nb)[:4]
    done = {a1: "grade_id changed", t2: "grade_id changed", a2: "turned into Markdown",
            a3: "solution flag removed", t3: "grade flag removed",
            t4: "locked flag removed", a4: "duplicated"}
    nb = change_grade_id(nb, a1)
    nb = change_grade_id(nb, t2)
    nb = to_markdown(nb, a2)
    nb = remove_flag(nb, a3, "solution")
    nb = remove_flag(nb, t3, "grade")
    nb = remove_flag(nb, t4, "locked")
    nb = duplicate(nb, a4, cell_by_grade_id(release_nb, a4).source, edited="first")
    nb = strip_notebook_metadata(nb)
    return nb, done


def add_repair_students(g) -> None:
    """Three students of the shared graded class whose notebook structure is damaged (each also
    carries mutants in the tasks its damage leaves alone, see tests/grading_class.py):

    * ``repair_metadata``: :func:`metadata_damages` on a solved notebook: its four tasks keep
      full marks;
    * ``repair_deleted_ends``: the first and the last task's answer and test cells deleted:
      those two tasks score 0;
    * ``repair_deleted_middle``: a middle task's answer and test cells deleted: that task 0.
    """
    pairs = tasks(g.release)
    g.hand_in_damaged("repair_metadata", lambda nb: metadata_damages(nb, g.release)[0],
                      lost=set(), touched={gid for pair in pairs[:4] for gid in pair})

    (first_a, first_t), (last_a, last_t) = pairs[0], pairs[-1]
    g.hand_in_damaged("repair_deleted_ends",
                      lambda nb: delete(nb, first_a, first_t, last_a, last_t),
                      lost={first_t, last_t}, touched={first_a, first_t, last_a, last_t})

    mid_a, mid_t = pairs[len(pairs) // 2]
    g.hand_in_damaged("repair_deleted_middle", lambda nb: delete(nb, mid_a, mid_t),
                      lost={mid_t}, touched={mid_a, mid_t})
