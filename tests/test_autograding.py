"""Autograding end to end with nbgrader's own commands, in a temporary copy of the course.

For every assignment: the solution scores full marks, the untouched release scores 0, every
plausible wrong implementation (tests/mutants/<assignment>.py) loses exactly its own cell's
points, a deleted cell is still graded, the cell timeout applies, and `nbgrader export` and
`nbgrader generate_feedback` work.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, tool
from nbtools import (assignments, auto_scores, cell_by_grade_id, completed_submission, free_port,
                     generate_release, load_mutants, nbgrader_meta, strip_markers)

CELL_TIMEOUT = 20  # seconds; passed to nbgrader_config.py through COURSE_CELL_TIMEOUT


def mutant_groups(mutants: list[dict]) -> list[list[dict]]:
    """Pack the mutants into as few submissions as possible, at most one per answer cell.

    The graded cells are independent by design (each test puts the reference implementation in
    place of the student's other functions), so a submission carrying wrong answers in several
    cells must lose exactly those cells' points. Grading 5 submissions instead of 25 keeps the
    suite within its time budget; a failure still names the mutant responsible.
    """
    groups: list[list[dict]] = []
    for m in mutants:
        for group in groups:
            if all(x["answer_cell"] != m["answer_cell"] and x["test_cell"] != m["test_cell"]
                   for x in group):
                group.append(m)
                break
        else:
            groups.append([m])
    return groups


def run(cmd: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, COURSE_CELL_TIMEOUT=str(CELL_TIMEOUT))
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


class Graded:
    """One assignment graded for a synthetic class; results read back from the gradebook.

    The class is graded the way an instructor grades it in parallel: in one course directory
    with one gradebook, by ``python -m course_lib.grading.parallel`` (``workers`` nbgrader
    processes at once). ``slow_course``, a copy, holds the student whose cell never ends: it
    waits for the timeout without using the CPU, so it is graded alongside.
    """

    def __init__(self, assignment: str, root: Path, workers: int = 2):
        self.assignment = assignment
        self.workers = workers
        self.course = root / "course"
        self.slow_course = root / "course_slow"
        generate_release(REPO, assignment, self.course, tool("nbgrader"))
        shutil.copytree(self.course, self.slow_course)
        self.where: dict[str, Path] = {}
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
        self.mutants = load_mutants(REPO, assignment)
        self.elapsed: dict[str, float] = {}

    def submit(self, student: str, nb, course: Path | None = None) -> None:
        course = course or self.course
        folder = course / "submitted" / student / self.assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{self.nb_name}.ipynb")
        self.where[student] = course

    def autograde_all(self) -> dict[Path, float]:
        """Grade the class in parallel and the slow course at the same time.

        Returns the seconds each course took.
        """
        commands = {
            self.course: [sys.executable, "-m", "course_lib.grading.parallel", self.assignment,
                          "--force", f"--workers={self.workers}"],
            self.slow_course: [tool("nbgrader"), "autograde", self.assignment, "--force"],
        }

        def grade(course: Path) -> float:
            t0 = time.monotonic()
            run(commands[course], course, timeout=1800)
            return time.monotonic() - t0

        with ThreadPoolExecutor(len(commands)) as pool:
            return dict(zip(commands, pool.map(grade, commands)))

    def scores(self, student: str) -> dict[str, float | None]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.where[student] / 'gradebook.db'}") as gb:
            nb = gb.find_submission_notebook(self.nb_name, self.assignment, student)
            return {g.name: g.score for g in nb.grades}


@pytest.fixture(scope="module", params=assignments(REPO))
def graded(request, tmp_path_factory) -> Graded:
    g = Graded(request.param, tmp_path_factory.mktemp(request.param), workers=os.cpu_count() or 1)
    g.submit("solution", completed_submission(g.release, g.source))
    g.submit("blank", g.release)
    g.mutant_groups = mutant_groups(g.mutants)
    for i, group in enumerate(g.mutant_groups):
        g.submit(f"mutants_{i}", completed_submission(
            g.release, g.source, replace={m["answer_cell"]: m["source"] for m in group}))

    # A student who deletes the first answer cell, and one who deletes the first test cell.
    # (nbgrader 0.9.6 cannot restore both of an adjacent pair: it re-inserts a missing cell
    # after its predecessor in the source and raises KeyError when that one is missing too.)
    first_test = next(iter(g.test_cells))
    first_answer = next(nbgrader_meta(c)["grade_id"] for c in g.source.cells
                        if nbgrader_meta(c).get("solution") and c.cell_type == "code")
    for student, gone in (("deleted_answer", first_answer), ("deleted_test", first_test)):
        nb = completed_submission(g.release, g.source)
        nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") != gone]
        g.submit(student, nb)
    g.first_test = first_test

    # A student whose first answer cell never finishes: the cell timeout must stop it.
    sleeper = completed_submission(g.release, g.source, replace={
        first_answer: strip_markers(cell_by_grade_id(g.source, first_answer).source)
        + "\nimport time\ntime.sleep(3600)\n"})
    g.submit("sleeper", sleeper, course=g.slow_course)
    g.elapsed["sleeper"] = g.autograde_all()[g.slow_course]
    return g


def test_solution_scores_full_marks(graded):
    scores = graded.scores("solution")
    for cell, points in graded.test_cells.items():
        assert scores[cell] == points, f"solution lost points in {cell}: {scores[cell]}/{points}"


def test_untouched_release_scores_zero(graded):
    scores = graded.scores("blank")
    assert all(not s for s in scores.values()), f"blank release scored points: {scores}"


def test_there_is_a_mutant_for_every_graded_answer(graded):
    answers = {nbgrader_meta(c)["grade_id"] for c in graded.source.cells
               if nbgrader_meta(c).get("solution") and c.cell_type == "code"}
    covered = {m["answer_cell"] for m in graded.mutants}
    assert answers <= covered, f"no plausible-mistake submission for {sorted(answers - covered)}"


def test_each_mutant_loses_exactly_its_cells_points(graded):
    for i, group in enumerate(graded.mutant_groups):
        scores = graded.scores(f"mutants_{i}")
        wrong = {m["test_cell"]: m["name"] for m in group}
        for cell, points in graded.test_cells.items():
            expected = 0 if cell in wrong else points
            why = (f"mutant {wrong[cell]} was not caught by {cell}" if cell in wrong else
                   f"{cell} lost points although only {sorted(wrong.values())} were wrong "
                   "(the graded cells are not independent)")
            assert scores[cell] == expected, f"{why}: scored {scores[cell]}, expected {expected}"


def test_deleted_answer_cell_scores_zero_for_that_task_only(graded):
    scores = graded.scores("deleted_answer")
    for cell, points in graded.test_cells.items():
        expected = 0 if cell == graded.first_test else points
        assert scores[cell] == expected, f"{cell}: {scores[cell]} != {expected}"


def test_deleted_test_cell_is_restored_and_graded(graded):
    scores = graded.scores("deleted_test")
    assert scores == graded.scores("solution")
    out = (graded.course / "autograded" / "deleted_test" / graded.assignment
           / f"{graded.nb_name}.ipynb")
    restored = nbformat.read(out, as_version=4)
    assert cell_by_grade_id(restored, graded.first_test) is not None


def test_cell_timeout_is_applied(graded):
    # Without the configured timeout the sleeper would run for an hour.
    assert graded.elapsed["sleeper"] < 120, graded.elapsed
    out = (graded.slow_course / "autograded" / "sleeper" / graded.assignment
           / f"{graded.nb_name}.ipynb")
    text = out.read_text()
    assert "CellTimeoutError" in text or "KeyboardInterrupt" in text, \
        "the autograded notebook shows no timeout"


def test_export_csv_and_feedback(graded):
    # The instructor grades the manual question of the solution in the gradebook ...
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded.course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(graded.nb_name, graded.assignment, "solution")
        for grade in nb.grades:
            if grade.needs_manual_grade:
                grade.manual_score = grade.max_score
        gb.db.commit()
        max_score = gb.find_assignment(graded.assignment).max_score

    run([tool("nbgrader"), "export", "--to", "grades.csv"], graded.course)
    with open(graded.course / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == graded.assignment}
    submitted = {p.name for p in (graded.course / "submitted").iterdir()}
    assert set(rows) == submitted
    assert float(rows["solution"]["score"]) == pytest.approx(max_score)
    assert float(rows["solution"]["max_score"]) == pytest.approx(max_score)
    assert float(rows["blank"]["score"]) == 0

    run([tool("nbgrader"), "generate_feedback", graded.assignment, "--student", "solution",
         "--force"], graded.course)
    feedback = list((graded.course / "feedback" / "solution" / graded.assignment).glob("*.html"))
    assert feedback, "nbgrader generate_feedback wrote no HTML"
    assert f"Score: {max_score:g}" in feedback[0].read_text() or str(max_score) in feedback[0].read_text()


@pytest.mark.parametrize("graded", [assignments(REPO)[0]], indirect=True)
def test_formgrader_shows_the_class_in_a_browser(graded):
    """The instructor's view: nbgrader's formgrader, served from the graded course on
    127.0.0.1, lists every submission with the score that the gradebook holds."""
    from nbgrader.api import Gradebook
    from playwright.sync_api import sync_playwright

    from test_book import CHROMIUM, CHROMIUM_ARGS

    with Gradebook(f"sqlite:///{graded.course / 'gradebook.db'}") as gb:
        expected = {s.student.id: (s.score, s.max_score)
                    for s in gb.find_assignment(graded.assignment).submissions}
    assert {"solution", "blank"} <= set(expected)

    port = free_port()
    server = subprocess.Popen(
        [tool("jupyter"), "server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.open_browser=False",
         "--allow-root"],
        cwd=graded.course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/formgrader"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/assignments", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, f"jupyter server exited:\n{server.stdout.read()[-3000:]}"
            assert time.monotonic() < deadline, "the formgrader did not answer within 90 s"
            time.sleep(0.5)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/manage_submissions/{graded.assignment}",
                      wait_until="networkidle")
            page.wait_for_selector("text=solution", timeout=30000)
            rows = page.locator("table tbody tr").all_inner_texts()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    shown = {}
    for row in rows:
        cells = [c.strip() for c in row.split("\t")]
        student = next((c for c in cells if c in expected), None)
        if student:
            shown[student] = next(c for c in cells if re.fullmatch(r"[\d.]+ / [\d.]+", c))
    assert set(shown) == set(expected), f"formgrader lists {sorted(shown)}, gradebook {sorted(expected)}"
    for student, (score, max_score) in expected.items():
        assert shown[student] == f"{score:g} / {max_score:g}", (
            f"{student}: formgrader shows {shown[student]}, gradebook has {score}/{max_score}")
    assert not errors, f"JavaScript errors in the formgrader: {errors[:3]}"


@pytest.mark.parametrize("graded", [assignments(REPO)[0]], indirect=True)
def test_parallel_grading_equals_serial_grading_and_keeps_the_gradebook_sound(graded, tmp_path):
    """The class graded by the parallel command gets exactly the grades of nbgrader's serial
    autograde, and the shared SQLite gradebook is intact, one submission per student."""
    serial = tmp_path / "serial"
    generate_release(REPO, graded.assignment, serial, tool("nbgrader"))
    shutil.copytree(graded.course / "submitted", serial / "submitted")
    run([tool("nbgrader"), "autograde", graded.assignment], serial, timeout=1800)

    parallel_scores = auto_scores(graded.course, graded.assignment)
    serial_scores = auto_scores(serial, graded.assignment)
    students = {p.name for p in (graded.course / "submitted").iterdir()}
    assert set(parallel_scores) == students, "the parallel run missed or invented students"
    assert parallel_scores == serial_scores

    import sqlite3

    with sqlite3.connect(graded.course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = db.execute("SELECT student_id, COUNT(*) FROM submitted_assignment "
                            "GROUP BY student_id").fetchall()
    assert counts and all(n == 1 for _, n in counts), counts
