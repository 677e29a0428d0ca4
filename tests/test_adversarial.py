"""A class of adversarial submissions, graded by the real pipeline.

Assignment 1 is handed in by students who make every mistake and a few who try to cheat. The
class is graded the way the instructor guide says, in the sandbox: ``COURSE_SANDBOX=1 python -m
course_lib.grading.parallel --feedback`` (intake, then one ``nbgrader autograde`` per core,
sharing the gradebook, then ``nbgrader generate_feedback``, also one per core). Every case must
get the right score, its feedback must show the reason, and the well-behaved students next to
them must keep full marks.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, tool
from nbtools import cell_by_grade_id, completed_submission, nbgrader_meta

ASSIGNMENT = "a01_vocabulary"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
CELL_TIMEOUT = 10
FIRST_ANSWER, FIRST_TEST = "tokenize_sentence", "test_tokenize_sentence"


def _prepend(nb, grade_id: str, code: str):
    cell = cell_by_grade_id(nb, grade_id)
    cell.source = code + "\n" + cell.source
    return nb


def _append(nb, grade_id: str, code: str):
    cell = cell_by_grade_id(nb, grade_id)
    cell.source = cell.source + "\n" + code
    return nb


def _move_before(nb, moved: str, anchor: str):
    cell = cell_by_grade_id(nb, moved)
    nb.cells.remove(cell)
    nb.cells.insert(nb.cells.index(cell_by_grade_id(nb, anchor)), cell)
    return nb


def _edit_tests(nb):
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            cell.source = "pass  # all good"
    return nb


def _replace_answer(nb, grade_id: str, source: str):
    cell_by_grade_id(nb, grade_id).source = source
    return nb


# A one_hot with the right shape, dtype and errors, and the wrong values (all zeros): only a
# comparison of the values catches it, so a student may try to disable that comparison.
WRONG_ONE_HOT = """def one_hot(indices, n_x):
    indices = np.asarray(indices, dtype=int)
    for index in indices:
        if not 0 <= index < n_x:
            raise IndexError(index)
    return np.zeros((n_x, indices.shape[0]))
"""


# name -> (how the submission is made from (solution, blank), expected, text in the feedback)
# expected: "full" (every test cell full marks), "zero", "first" (only the first task lost), or
# the name(s) of the answer cell(s) whose tasks are lost.
CASES = {
    "syntax_error": (lambda good, blank: _prepend(good, FIRST_ANSWER, "def broken(:"),
                     "first", "SyntaxError"),
    "exception_at_import": (lambda good, blank: _prepend(good, FIRST_ANSWER,
                                                         "import no_such_module_here"),
                            "first", "ModuleNotFoundError"),
    "infinite_loop": (lambda good, blank: _prepend(good, FIRST_ANSWER, "while True:\n    pass"),
                      "first", "CellTimeoutError"),
    "memory_bomb": (lambda good, blank: _prepend(good, FIRST_ANSWER,
                                                 "hog = bytearray(64 * 1024**3)"),
                    "first", "MemoryError"),
    "sys_exit": (lambda good, blank: _prepend(good, FIRST_ANSWER, "import sys\nsys.exit(3)"),
                 "first", "SystemExit"),
    "os_exit": (lambda good, blank: _prepend(good, FIRST_ANSWER, "import os\nos._exit(1)"),
                "first", "KernelDied"),
    "segfault": (lambda good, blank: _prepend(good, FIRST_ANSWER,
                                              "import ctypes\nctypes.string_at(0)"),
                 "first", "KernelDied"),
    "enormous_output": (lambda good, blank: _append(good, FIRST_ANSWER,
                                                    "for _ in range(40):\n"
                                                    "    print('spam ' * 20_000)"),
                        "full", "output cut"),
    "waits_for_input": (lambda good, blank: _prepend(good, FIRST_ANSWER,
                                                     "name = input('your name? ')"),
                        "first", "StdinNotImplementedError"),
    "opens_a_gui": (lambda good, blank: _append(good, FIRST_ANSWER,
                                                "import matplotlib.pyplot as plt\n"
                                                "plt.plot([1, 2])\nplt.show(block=True)"),
                    "full", None),
    "forks": (lambda good, blank: _append(good, FIRST_ANSWER,
                                          "import os, time\nif os.fork() == 0:\n"
                                          "    time.sleep(3600)\n    os._exit(0)"),
              "full", None),
    "edited_test_cells": (lambda good, blank: _edit_tests(blank), "zero", "NotImplementedError"),
    # intake's structural repair moves a graded cell that left the release's order back to its
    # place (deleted cells, a sleeping cell and the rest of the structural damage are cases of
    # every assignment's graded class: tests/grading_class.py, tests/repair_cases.py)
    "cells_reordered": (lambda good, blank: _move_before(good, FIRST_TEST, FIRST_ANSWER),
                        "full", "moved back to its place"),
    "hides_its_errors": (lambda good, blank: _prepend(
        blank, FIRST_ANSWER,
        "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)"),
        "zero", None),
    "patches_numpy_to_agree": (lambda good, blank: _replace_answer(_prepend(
        good, FIRST_ANSWER, "import numpy\nnumpy.array_equal = lambda *args, **kwargs: True"),
        "one_hot", WRONG_ONE_HOT), "one_hot", None),
    "patches_builtins": (lambda good, blank: _replace_answer(_append(
        good, FIRST_ANSWER, "import builtins, numpy\n"
        "builtins.isinstance = lambda obj, kind: True\n"
        "numpy.array_equal = lambda *args, **kwargs: True"),
        "one_hot", WRONG_ONE_HOT),
        # A builtin that lies breaks the kernel itself: that cell never answers, is stopped and
        # skipped, and the restored builtins then judge one_hot.
        ("tokenize_sentence", "one_hot"), "CellTimeoutError"),
    "old_nbformat": (None, "full", None),
    "renamed_notebook": (None, "full", "was named"),
    "missing_notebook": (None, "zero", "No notebook named"),
    "corrupt_json": (None, "zero", "could not be read"),
    "extra_files": (None, "full", None),
    "writes_into_other_folders": (lambda good, blank: _append(good, FIRST_ANSWER, """
import os
for target in ['../../good/a01_vocabulary/a01_vocabulary.ipynb', '../../../gradebook.db',
               '../../../solutions/a01_vocabulary/a01_vocabulary.ipynb', '/tmp/planted']:
    try:
        with open(target, 'w') as f:
            f.write('overwritten by a student')
    except OSError as exc:
        print('refused:', target, type(exc).__name__)
"""), "full", None),
    "José María Ñúñez": (lambda good, blank: good, "full", None),
    "good": (lambda good, blank: good, "full", None),
}


def _submit(course: Path, name: str, release, source) -> None:
    folder = course / "submitted" / name / ASSIGNMENT
    folder.mkdir(parents=True)
    good = completed_submission(release, source)
    make, _, _ = CASES[name]
    if make is not None:
        nbformat.write(make(good, copy.deepcopy(release)), folder / NOTEBOOK)
    elif name == "old_nbformat":
        nbformat.write(nbformat.convert(good, 3), folder / NOTEBOOK, version=3)
    elif name == "renamed_notebook":
        nbformat.write(good, folder / "my solution (final).ipynb")
    elif name == "missing_notebook":
        (folder / "notes.txt").write_text("I could not finish")
    elif name == "corrupt_json":
        (folder / NOTEBOOK).write_text('{"cells": [{"cell_type": "code", "source": ')
    elif name == "extra_files":
        nbformat.write(good, folder / NOTEBOOK)
        # Modules that would shadow what the tests import, and an IPython config file.
        for shadow in ("numpy.py", "course_lib.py", "ipython_kernel_config.py"):
            (folder / shadow).write_text("raise ImportError('a shadow module ran')\n")
        (folder / "data.csv").write_text("a,b\n1,2\n")


def _run(cmd: list[str], cwd: Path, **env) -> str:
    full_env = dict(os.environ, COURSE_CELL_TIMEOUT=str(CELL_TIMEOUT), **env)
    full_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full_env['PATH']}"
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, fresh_release):
    course = tmp_path_factory.mktemp("adversarial") / "course"
    shutil.copytree(fresh_release(ASSIGNMENT), course)
    release_dir = course / "assignments" / ASSIGNMENT
    release = nbformat.read(release_dir / NOTEBOOK, as_version=4)
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for name in CASES:
        _submit(course, name, release, source)
    gradebook_before = (course / "gradebook.db").stat().st_mtime
    log = _run([sys.executable, "-m", "course_lib.grading.parallel", ASSIGNMENT, "--workers=2",
                "--feedback"], course, COURSE_SANDBOX="1")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {sub.student.id: {g.name: g.auto_score for nb in sub.notebooks
                                   for g in nb.grades if g.name.startswith("test_")}
                  for sub in gb.find_assignment(ASSIGNMENT).submissions}
    tests = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
             if nbgrader_meta(c).get("grade_id", "").startswith("test_")}
    return {"course": course, "scores": scores, "tests": tests, "log": log,
            "gradebook_before": gradebook_before}


def test_every_case_is_graded(graded_class):
    assert set(graded_class["scores"]) == set(CASES), (
        f"not graded: {sorted(set(CASES) - set(graded_class['scores']))}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gets_the_right_score_and_a_reason_in_its_feedback(graded_class, name):
    _, expected, reason = CASES[name]
    got = graded_class["scores"][name]
    tests = graded_class["tests"]
    if expected == "full":
        want = dict(tests)
    elif expected == "zero":
        want = {cell: 0 for cell in tests}
    else:
        answers = {"first": (FIRST_ANSWER,)}.get(expected, expected)
        lost = {f"test_{a}" for a in ((answers,) if isinstance(answers, str) else answers)}
        want = {cell: (0 if cell in lost else points) for cell, points in tests.items()}
    assert got == want, f"{name}: scored {got}, expected {want}"
    feedback = graded_class["course"] / "feedback" / name / ASSIGNMENT / NOTEBOOK.replace(
        ".ipynb", ".html")
    assert feedback.exists(), f"{name}: no feedback was generated"
    if reason:
        assert reason in feedback.read_text(), f"{name}: the feedback does not say {reason!r}"


def test_what_students_wrote_outside_their_folder_went_nowhere(graded_class):
    course = graded_class["course"]
    assert "overwritten by a student" not in (
        course / "submitted" / "good" / ASSIGNMENT / NOTEBOOK).read_text()
    assert "overwritten by a student" not in (
        course / "solutions" / ASSIGNMENT / NOTEBOOK).read_text()
    assert b"overwritten by a student" not in (course / "gradebook.db").read_bytes()
    assert not Path("/tmp/planted").exists()


def test_shadow_modules_are_neither_copied_nor_lost(graded_class):
    course = graded_class["course"]
    for shadow in ("numpy.py", "course_lib.py", "ipython_kernel_config.py"):
        assert not (course / "autograded" / "extra_files" / ASSIGNMENT / shadow).exists()
        assert (course / "submitted" / "extra_files" / ASSIGNMENT / shadow).exists()
    assert (course / "submitted" / "corrupt_json" / ASSIGNMENT / (NOTEBOOK + ".unreadable")).exists()
    assert (course / "submitted" / "renamed_notebook" / ASSIGNMENT /
            "my solution (final).ipynb").exists()


def test_enormous_output_is_cut_in_the_graded_copy(graded_class):
    graded = (graded_class["course"] / "autograded" / "enormous_output" / ASSIGNMENT / NOTEBOOK)
    assert graded.stat().st_size < 1_000_000, f"{graded.stat().st_size} bytes kept"


def test_a_resubmission_replaces_the_grade_without_duplicates(graded_class):
    course = graded_class["course"]
    folder = course / "submitted" / "edited_test_cells" / ASSIGNMENT
    release = nbformat.read(course / "assignments" / ASSIGNMENT / NOTEBOOK, as_version=4)
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    nbformat.write(completed_submission(release, source), folder / NOTEBOOK)
    _run([tool("nbgrader"), "autograde", ASSIGNMENT, "--student", "edited_test_cells", "--force"],
         course)
    import sqlite3

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(ASSIGNMENT, "edited_test_cells")
        assert sub.code_score == sub.max_code_score > 0
    with sqlite3.connect(course / "gradebook.db") as db:
        n = db.execute("SELECT COUNT(*) FROM submitted_assignment WHERE student_id = ?",
                       ("edited_test_cells",)).fetchone()[0]
        assert n == 1, f"{n} submissions recorded for one student"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
