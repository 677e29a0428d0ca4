"""Autograding end to end with nbgrader's own commands, in a temporary copy of the course.

For every assignment (its class is graded once, in tests/grading_class.py): the solution scores
full marks, the untouched release scores 0, every plausible wrong implementation and every liar
(tests/mutants/<assignment>.py) loses exactly its own cell's points, a deleted cell is still
graded, the cell timeout applies, and `nbgrader export` and `nbgrader generate_feedback` work.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import time
import urllib.request

import nbformat
import pytest

from conftest import REPO, tool
from grading_class import class_id, run
from nbtools import assignments, auto_scores, cell_by_grade_id, free_port, nbgrader_meta


def test_every_student_scores_as_expected(graded):
    """Every student that a builder of the shared class added gets, per test cell, the score it
    expected: nobody is dropped, and no case changes anybody else's points."""
    from nbgrader.api import Gradebook

    graded_students = set()
    for course in set(graded.where.values()):
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            graded_students |= {s.student.id
                                for s in gb.find_assignment(graded.assignment).submissions}
    missing = sorted(set(graded.expected) - graded_students)
    assert not missing, f"no grade at all for {missing}"
    got = {student: {cell: score for cell, score in graded.scores(student).items()
                     if cell in graded.test_cells} for student in graded.expected}
    wrong = {student: (got[student], want) for student, want in graded.expected.items()
             if got[student] != want}
    assert not wrong, "\n".join(f"{s}: scored {got}, expected {want}"
                                 for s, (got, want) in wrong.items())


def test_every_student_gets_feedback(graded):
    """The parallel command's --feedback wrote one HTML file per graded student."""
    students = sorted(p.name for p in (graded.course / "submitted").iterdir())
    missing = [s for s in students if not graded.feedback(s).exists()]
    assert students and not missing, f"no feedback for {missing}"


def test_solution_scores_full_marks(graded):
    scores = graded.scores("solution")
    for cell, points in graded.test_cells.items():
        assert scores[cell] == points, f"solution lost points in {cell}: {scores[cell]}/{points}"


def test_solution_runs_without_an_error_in_any_cell(graded):
    """The completed notebook runs clean from top to bottom in the grader, hidden tests
    included: no cell, graded or not (a demonstration, a plot), shows an error."""
    nb = nbformat.read(graded.autograded("solution"), as_version=4)
    errors = [(i, nbgrader_meta(c).get("grade_id"), o.get("ename"), o.get("evalue"))
              for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"the solution notebook has errors: {errors}"
    assert all(c.get("execution_count") for c in nb.cells
               if c.cell_type == "code" and c.source.strip()), (
        "a code cell of the solution was not run")


def test_untouched_release_scores_zero(graded):
    scores = graded.scores("blank")
    assert all(not s for s in scores.values()), f"blank release scored points: {scores}"


def test_there_is_a_mutant_for_every_graded_answer(graded):
    answers = {nbgrader_meta(c)["grade_id"] for c in graded.source.cells
               if nbgrader_meta(c).get("solution") and c.cell_type == "code"}
    covered = {m["answer_cell"] for m in graded.mutants}
    assert answers <= covered, f"no plausible-mistake submission for {sorted(answers - covered)}"


def test_each_mutant_loses_exactly_its_cells_points(graded):
    """Every mutant is handed in (by a ``mutants_<i>`` student or in a damaged notebook's other
    cells) and costs exactly its own test cell; nothing else in that notebook loses points
    except what its damage costs."""
    carried = [m["name"] for group in graded.carried.values() for m in group]
    assert sorted(carried) == sorted(m["name"] for m in graded.mutants), "a mutant was not handed in"
    for student, group in graded.carried.items():
        scores = graded.scores(student)
        wrong = {m["test_cell"]: m["name"] for m in group}
        for cell, expected in graded.expected[student].items():
            why = (f"{student}: mutant {wrong[cell]} was not caught by {cell}" if cell in wrong
                   else f"{student}: {cell} scored {scores[cell]} although only "
                   f"{sorted(wrong.values())} were wrong (the graded cells are not independent)")
            assert scores[cell] == expected, f"{why}: scored {scores[cell]}, expected {expected}"


def test_deleted_answer_cell_scores_zero_for_that_task_only(graded):
    scores = graded.scores("deleted_answer")
    test = graded.deleted_answer_task[1]
    assert scores[test] == 0, "a deleted answer cell still scored"
    assert scores == {**scores, **graded.expected["deleted_answer"]}, (
        f"deleted_answer: {scores}, expected {graded.expected['deleted_answer']}")


def test_deleted_test_cell_is_restored_and_graded(graded):
    scores = graded.scores("deleted_test")
    test = graded.deleted_test_task[1]
    assert scores[test] == graded.test_cells[test], (
        "the restored test cell did not give the correct answer its points")
    assert scores == {**scores, **graded.expected["deleted_test"]}
    restored = nbformat.read(graded.autograded("deleted_test"), as_version=4)
    assert cell_by_grade_id(restored, test) is not None


def test_cell_timeout_is_applied(graded):
    # Without the configured timeout the sleeper would run for an hour; with it, its course
    # takes the limit plus the rest of the notebook (up to two minutes on a loaded machine).
    assert graded.elapsed["sleeper"] < 600, graded.elapsed
    out = (graded.slow_course / "autograded" / "sleeper" / graded.assignment
           / f"{graded.nb_name}.ipynb")
    text = out.read_text()
    assert "CellTimeoutError" in text or "KeyboardInterrupt" in text, \
        "the autograded notebook shows no timeout"


def test_export_csv_and_feedback(graded):
    """``nbgrader export`` lists every student with the gradebook's score. For the first
    assignment the instructor also grades the solution's manual question, and the solution's
    feedback, written again, shows the full score (nbgrader's own command, the same for every
    assignment: once is enough; the other classes keep the feedback that --feedback wrote, which
    test_feedback.py compares with their gradebook, so their gradebook is left as graded)."""
    from nbgrader.api import Gradebook

    manual_grading = graded.assignment == assignments(REPO)[0]
    with Gradebook(f"sqlite:///{graded.course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(graded.nb_name, graded.assignment, "solution")
        manual_points = 0.0
        for grade in nb.grades:
            if grade.needs_manual_grade:
                manual_points += grade.max_score
                if manual_grading:
                    grade.manual_score = grade.max_score
        gb.db.commit()
        max_score = gb.find_assignment(graded.assignment).max_score
    solution_score = max_score if manual_grading else max_score - manual_points

    run([tool("nbgrader"), "export", "--to", "grades.csv"], graded.course)
    with open(graded.course / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == graded.assignment}
    submitted = {p.name for p in (graded.course / "submitted").iterdir()}
    assert set(rows) == submitted
    assert float(rows["solution"]["score"]) == pytest.approx(solution_score)
    assert float(rows["solution"]["max_score"]) == pytest.approx(max_score)
    assert float(rows["blank"]["score"]) == 0

    if not manual_grading:
        return
    run([tool("nbgrader"), "generate_feedback", graded.assignment, "--student", "solution",
         "--force"], graded.course)
    feedback = list((graded.course / "feedback" / "solution" / graded.assignment).glob("*.html"))
    assert feedback, "nbgrader generate_feedback wrote no HTML"
    assert f"Score: {max_score:g}" in feedback[0].read_text() or str(max_score) in feedback[0].read_text()


@pytest.mark.parametrize("graded", [assignments(REPO)[0]], indirect=True, ids=class_id)
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


@pytest.mark.parametrize("graded", [assignments(REPO)[0]], indirect=True, ids=class_id)
def test_parallel_grading_equals_serial_grading_and_keeps_the_gradebook_sound(graded, tmp_path,
                                                                               fresh_release):
    """The class graded by the parallel command gets exactly the grades of nbgrader's serial
    autograde, and the shared SQLite gradebook is intact, one submission per student.

    Serial grading is slow, so it grades a sample of the class: a student of every kind that
    plain nbgrader can grade (full marks, zero, deleted cells with wrong answers in others)."""
    serial = tmp_path / "serial"
    shutil.copytree(fresh_release(graded.assignment), serial)
    sample = ["solution", "blank", "deleted_answer", "deleted_test"]  # these two carry mutants
    for student in sample:
        shutil.copytree(graded.course / "submitted" / student, serial / "submitted" / student)
    run([tool("nbgrader"), "autograde", graded.assignment], serial, timeout=1800)

    parallel_scores = auto_scores(graded.course, graded.assignment)
    serial_scores = auto_scores(serial, graded.assignment)
    students = {p.name for p in (graded.course / "submitted").iterdir()}
    assert set(parallel_scores) == students, "the parallel run missed or invented students"
    assert set(serial_scores) == set(sample)
    assert {s: parallel_scores[s] for s in sample} == serial_scores

    import sqlite3

    with sqlite3.connect(graded.course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = db.execute("SELECT student_id, COUNT(*) FROM submitted_assignment "
                            "GROUP BY student_id").fetchall()
    assert counts and all(n == 1 for _, n in counts), counts
