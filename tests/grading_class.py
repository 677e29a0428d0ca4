"""One graded class per assignment, shared by every grading-level test.

Grading is the slow part of the suite (each student's notebook runs in a sandboxed kernel), so
each assignment's synthetic class is graded **once** per test session, the way an instructor
grades: ``python -m course_lib.grading.parallel --feedback`` (intake and structural repair, then
one ``nbgrader autograde`` per core into one gradebook, in the sandbox, then ``nbgrader
generate_feedback`` for the whole class, also one process per core). Tests in several files
read the results through the session-scoped ``graded`` fixture (imported by conftest.py):

* tests/test_autograding.py: solution full marks, blank 0, mutants (plausible mistakes and liars)
  lose exactly their cell, deleted cells, the cell timeout, export, formgrader, parallel = serial;
* tests/test_feedback.py: no feedback file shows a hidden-test line;
* tests/test_intake_repair.py: damaged notebooks are repaired and graded.

Students are added by *builders*, functions ``builder(g)`` listed in ``CLASS_BUILDERS`` that call
``g.submit(student, nb)`` and ``g.expect(student, {test cell: score})``; after grading,
``test_every_student_scores_as_expected`` checks every expectation. Under pytest-xdist all tests
of one assignment's class run on the same worker (their ids carry ``class-<assignment>``, and
conftest.py's scheduler groups by it), so each class is graded once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, tool
from nbtools import (CHINESE_SUFFIX, assignments, cell_by_grade_id, chinese_assignments,
                     completed_submission, delete, generate_release, load_mutants,
                     nbgrader_meta, tasks)

# Seconds a cell may run, passed to nbgrader_config.py through COURSE_CELL_TIMEOUT: the class is
# graded with the course's own limit (heavy hidden tests, such as analogies over all of GloVe,
# need it on a loaded machine); the student whose cell never ends waits for a shorter one.
CELL_TIMEOUT = 60
SLEEPER_CELL_TIMEOUT = 30


def run(cmd: list[str], cwd: Path, timeout: int = 900,
        cell_timeout: int = CELL_TIMEOUT) -> subprocess.CompletedProcess:
    """Run an instructor command in a course folder; fail with its output if it fails."""
    env = dict(os.environ, COURSE_CELL_TIMEOUT=str(cell_timeout))
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def pack_mutants(mutants: list[dict], carriers: dict[str, set[str]]) -> dict[str, list[dict]]:
    """Share the mutants out over as few submissions as possible.

    ``carriers`` maps the students who already hand in something else (a damaged notebook) to
    the graded cells their damage touches; they carry mutants in their other cells first, and
    the rest go to new students ``mutants_0``, ``mutants_1``, ... A submission holds at most one
    mutant per answer cell and per test cell. The graded cells are independent by design (each
    test puts the reference implementation in place of the student's other functions), so a
    submission carrying wrong answers in several cells must lose exactly those cells' points,
    plus what its damage costs. A failure still names the mutant responsible.
    """
    packed: dict[str, list[dict]] = {student: [] for student in carriers}
    blocked = dict(carriers)
    for m in mutants:
        for student, group in packed.items():
            touched = blocked.get(student, set())
            if (m["answer_cell"] not in touched and m["test_cell"] not in touched
                    and all(x["answer_cell"] != m["answer_cell"]
                            and x["test_cell"] != m["test_cell"] for x in group)):
                group.append(m)
                break
        else:
            packed[f"mutants_{len(packed) - len(carriers)}"] = [m]
    return packed


class Graded:
    """One assignment's synthetic class: who handed in what, what each should score, and after
    grading the gradebook's scores and the feedback files.

    ``slow_course``, a copy of the course, holds the student whose cell never ends: it waits for
    the timeout without using the CPU, so it is graded alongside the class by plain nbgrader.
    """

    def __init__(self, assignment: str, root: Path, released: Path, workers: int = 2):
        """``released``: a course folder just after ``nbgrader generate_assignment`` of
        ``assignment`` (see :func:`fresh_release`); the class gets copies of it."""
        self.assignment = assignment
        self.workers = workers
        self.course = root / "course"
        self.slow_course = root / "course_slow"
        shutil.copytree(released, self.course)
        shutil.copytree(released, self.slow_course)
        self.where: dict[str, Path] = {}
        self.expected: dict[str, dict[str, float]] = {}
        self.release_dir = self.course / "assignments" / assignment
        self.notebooks = sorted(p.stem for p in self.release_dir.glob("*.ipynb"))
        assert len(self.notebooks) == 1, "these tests assume one notebook per assignment"
        self.nb_name = self.notebooks[0]
        self.release = nbformat.read(self.release_dir / f"{self.nb_name}.ipynb", as_version=4)
        self.source = nbformat.read(
            REPO / "solutions" / assignment / f"{self.nb_name}.ipynb", as_version=4)
        self.test_cells = {
            nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"]
            for c in self.source.cells
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
        }
        self.answer_cells = [nbgrader_meta(c)["grade_id"] for c in self.source.cells
                             if nbgrader_meta(c).get("solution") and c.cell_type == "code"]
        self.mutants = load_mutants(REPO, assignment)
        self.elapsed: dict[str, float] = {}
        # Damaged submissions, handed in by add_mutant_students once it knows which mutants
        # each of them carries: student -> (damage, cells it costs, cells it touches).
        self.damaged: dict[str, tuple] = {}
        self.damaged_course: dict[str, Path | None] = {}
        self.carried: dict[str, list[dict]] = {}     # student -> the mutants in their notebook
        self.untouched: dict[str, set[str]] = {}     # student -> answer cells holding the solution

    # --- building the class -------------------------------------------------------------------

    def solved(self, replace: dict[str, str] | None = None):
        """The release with every answer cell filled from the source (``replace``: other code)."""
        return completed_submission(self.release, self.source, replace=replace)

    def submit(self, student: str, nb, course: Path | None = None) -> None:
        course = course or self.course
        folder = course / "submitted" / student / self.assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{self.nb_name}.ipynb")
        self.where[student] = course

    def hand_in_damaged(self, student: str, damage, lost: set[str], touched: set[str],
                        course: Path | None = None) -> None:
        """``student`` hands in ``damage(solved notebook)``, which costs the test cells ``lost``
        and alters the graded cells ``touched``; the notebook also carries mutants in cells the
        damage leaves alone (see :func:`pack_mutants`), so that no extra student is graded.
        ``course``: where it is handed in (default: the class's course)."""
        assert lost <= touched, f"{student}: a damage can only cost cells it touches"
        self.damaged[student] = (damage, set(lost), set(touched))
        self.damaged_course[student] = course

    def expect(self, student: str, scores: dict[str, float]) -> None:
        """What ``student`` must score, per test cell (every test cell must be named)."""
        assert set(scores) == set(self.test_cells), (
            f"expectation for {student} names {sorted(scores)}, the test cells are "
            f"{sorted(self.test_cells)}")
        self.expected[student] = dict(scores)

    def full_marks(self, lost: set[str] | frozenset = frozenset()) -> dict[str, float]:
        """Full marks on every test cell except those in ``lost`` (0 there)."""
        return {cell: (0 if cell in lost else points) for cell, points in self.test_cells.items()}

    # --- grading and results ------------------------------------------------------------------

    def autograde_all(self) -> dict[Path, float]:
        """Grade the class in parallel, then write every student's feedback (the parallel
        command's ``--feedback``), and grade the slow course at the same time. Returns the
        seconds each course took."""
        commands = {
            self.course: [sys.executable, "-m", "course_lib.grading.parallel", self.assignment,
                          "--force", f"--workers={self.workers}", "--feedback"],
            self.slow_course: [tool("nbgrader"), "autograde", self.assignment, "--force"],
        }

        def grade(course: Path) -> float:
            t0 = time.monotonic()
            run(commands[course], course, timeout=1800, cell_timeout=(
                SLEEPER_CELL_TIMEOUT if course == self.slow_course else CELL_TIMEOUT))
            return time.monotonic() - t0

        with ThreadPoolExecutor(len(commands)) as pool:
            return dict(zip(commands, pool.map(grade, commands)))

    def scores(self, student: str) -> dict[str, float | None]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.where[student] / 'gradebook.db'}") as gb:
            nb = gb.find_submission_notebook(self.nb_name, self.assignment, student)
            return {g.name: g.score for g in nb.grades}

    def feedback(self, student: str) -> Path:
        """The HTML feedback file of ``student``."""
        return self.course / "feedback" / student / self.assignment / f"{self.nb_name}.html"

    def autograded(self, student: str) -> Path:
        """The instructor's autograded copy of ``student``'s notebook."""
        return (self.where[student] / "autograded" / student / self.assignment
                / f"{self.nb_name}.ipynb")


# --- builders ---------------------------------------------------------------------------------

def add_reference_students(g: Graded) -> None:
    """The solution (full marks) and the untouched release (0 everywhere)."""
    g.submit("solution", g.solved())
    g.expect("solution", g.full_marks())
    g.untouched["solution"] = set(g.answer_cells)
    g.submit("blank", g.release)
    g.expect("blank", g.full_marks(lost=set(g.test_cells)))
    g.untouched["blank"] = set()


def damaged_tasks(g: Graded) -> list[tuple[str, str]]:
    """The tasks (answer cell, test cell) in the order the damaged students below hit them:
    the tasks with the fewest mutants first. A damaged notebook carries mutants in every other
    task (see :func:`pack_mutants`), so the class needs the fewest extra students when the
    damage falls where there is least to carry."""
    n_mutants = {a: sum(m["answer_cell"] == a for m in g.mutants) for a in g.answer_cells}
    pairs = tasks(g.release)
    return sorted(pairs, key=lambda pair: (n_mutants.get(pair[0], 0), pairs.index(pair)))


def add_deletion_students(g: Graded) -> None:
    """A student who deletes an answer cell, and one who deletes a test cell (nbgrader puts a
    deleted test cell back, so that one loses nothing), each in a task of its own."""
    order = damaged_tasks(g)
    g.deleted_answer_task, g.deleted_test_task = order[0], order[1 % len(order)]
    answer, test = g.deleted_answer_task
    g.hand_in_damaged("deleted_answer", lambda nb: delete(nb, answer), {test}, {answer, test})
    answer2, test2 = g.deleted_test_task
    g.hand_in_damaged("deleted_test", lambda nb: delete(nb, test2), set(), {answer2, test2})


def add_sleeper(g: Graded) -> None:
    """A student one of whose answer cells never finishes: the cell timeout must stop it. The
    cell sleeps before it defines anything, so its task is lost however the grader stops it
    (an interrupt, or a new kernel that skips the cell); the other tasks carry mutants."""
    order = damaged_tasks(g)
    answer, test = g.sleeper_task = order[2 % len(order)]

    def sleep_first(nb):
        cell = cell_by_grade_id(nb, answer)
        cell.source = "import time\ntime.sleep(3600)\n" + cell.source
        return nb

    g.hand_in_damaged("sleeper", sleep_first, {test}, {answer, test}, course=g.slow_course)


def add_mutant_students(g: Graded) -> None:
    """Plausible mistakes and liars (tests/mutants/<assignment>.py): first carried by the
    damaged submissions in the cells their damage leaves alone, the rest packed one per answer
    cell into as few ``mutants_<i>`` submissions as possible. Each mutant loses exactly its own
    test cell. Runs after the builders that hand in damaged notebooks."""
    g.carried = pack_mutants(g.mutants, {s: touched for s, (_, _, touched) in g.damaged.items()})
    for student, group in g.carried.items():
        damage, lost, touched = g.damaged.get(student, (None, set(), set()))
        nb = g.solved(replace={m["answer_cell"]: m["source"] for m in group})
        g.submit(student, damage(nb) if damage else nb, course=g.damaged_course.get(student))
        g.expect(student, g.full_marks(lost=lost | {m["test_cell"] for m in group}))
        g.untouched[student] = (set(g.answer_cells) - touched
                                - {m["answer_cell"] for m in group})


def _optional_builders() -> list:
    """Builders that live with the tests of the feature they exercise."""
    builders = []
    try:
        from repair_cases import add_repair_students
    except ImportError:
        pass
    else:
        builders.append(add_repair_students)
    return builders


# Builders that hand in damaged notebooks come before add_mutant_students, which fills them.
CLASS_BUILDERS = ([add_reference_students, add_deletion_students, add_sleeper]
                  + _optional_builders() + [add_mutant_students])


CLASS_ID_PREFIX = "class-"


def class_id(assignment: str) -> str:
    """The test id of an assignment's graded class (``test_x[class-a01_vocabulary]``): the xdist
    scheduler in conftest.py keeps every test with the same class id on one worker."""
    return f"{CLASS_ID_PREFIX}{assignment}"


@pytest.fixture(scope="session")
def fresh_release(tmp_path_factory):
    """``fresh_release(assignment)``: a course folder in which ``nbgrader generate_assignment``
    has just made the release of ``assignment`` from solutions/ (the release and its gradebook).

    Made once per test process and shared: the graded class, the release-drift test and the
    serial grading test of an assignment all start from it (they run on one worker, see
    :func:`class_id`), so nbgrader generates each release once. Read it or copy it; never
    change it."""
    made: dict[str, Path] = {}

    def get(assignment: str) -> Path:
        if assignment not in made:
            # The Chinese releases are made all at once, in one course folder (one class
            # scope, see class_scope): eight nbgrader runs would cost eight start-ups.
            chinese = chinese_assignments(REPO) if assignment in chinese_assignments(REPO) else []
            together = tuple(a for a in chinese if a != assignment)
            course = tmp_path_factory.mktemp(f"release-{assignment}") / "course"
            generate_release(REPO, assignment, course, tool("nbgrader"), together)
            for name in (assignment, *together):
                made[name] = course
        return made[assignment]

    return get


@pytest.fixture(scope="session", params=assignments(REPO), ids=class_id)
def graded(request, tmp_path_factory, fresh_release) -> Graded:
    g = Graded(request.param, tmp_path_factory.mktemp(request.param),
               fresh_release(request.param), workers=os.cpu_count() or 1)
    for build in CLASS_BUILDERS:
        build(g)
    g.elapsed["sleeper"] = g.autograde_all()[g.slow_course]
    return g


def class_scope(nodeid: str) -> str | None:
    """The graded class a test id belongs to (``class-a01_vocabulary``), or None."""
    if "[" not in nodeid:
        return None
    params = nodeid[nodeid.index("[") + 1:].rstrip("]").split("-")
    for i, part in enumerate(params[:-1]):
        if part + "-" == CLASS_ID_PREFIX:
            if params[i + 1].endswith(CHINESE_SUFFIX):  # released together by fresh_release
                return CLASS_ID_PREFIX + "chinese"
            return CLASS_ID_PREFIX + params[i + 1]
    return None
