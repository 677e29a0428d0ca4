"""Intake repairs a damaged notebook structure, so that every submission gets a grade.

Fast tests (no grading) over every assignment: each damage of tests/repair_cases.py is handed in
to a temporary ``submitted/`` folder and put through :func:`course_lib.grading.intake.intake_folder`;
the repaired notebook must have exactly the release's graded cells (grade_ids, order, types,
nbgrader metadata), the student's code in the answer cell it was written for, every cell the
student handed in still there, a note that names each repair, and a second intake must change
nothing. The last test reads the shared graded class (tests/grading_class.py): the repaired
students get a score for every task and feedback that says what was repaired.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from conftest import REPO
from nbtools import (assignments, cell_by_grade_id, completed_submission, nbgrader_meta,
                     visible_text)
import repair_cases as rc
from course_lib.grading import intake
from course_lib.grading.repair import repair_notebook

ASSIGNMENTS = assignments(REPO)
REPAIR_STUDENTS = ("repair_metadata", "repair_deleted_ends", "repair_deleted_middle")


@functools.lru_cache(maxsize=None)
def _notebooks(assignment: str):
    release = nbformat.read(REPO / "assignments" / assignment / f"{assignment}.ipynb",
                            as_version=4)
    source = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return release, completed_submission(release, source)


def notebooks(assignment: str):
    """(release, solved submission) of ``assignment``, fresh copies."""
    return tuple(copy.deepcopy(nb) for nb in _notebooks(assignment))


def _written_answer(release) -> str | None:
    return next((nbgrader_meta(c)["grade_id"] for c in release.cells
                 if nbgrader_meta(c).get("solution") and c.cell_type == "markdown"), None)


# name -> damage(release, solved) -> (damaged notebook, {answer grade_id: "stub"} for answers
# that must come back blank, grade_ids the note must name)
def _pair(release, which):
    pairs = rc.tasks(release)
    return pairs[{"first": 0, "middle": len(pairs) // 2, "last": -1}[which]]


def _stub(release, gid):
    return cell_by_grade_id(release, gid).source


def _without_metadata(nb, gid):
    nb = copy.deepcopy(nb)
    cell_by_grade_id(nb, gid).metadata.pop("nbgrader")
    return nb


def _moved_test_above_answer(nb, release):
    answer, test = _pair(release, "middle")
    nb = copy.deepcopy(nb)
    cell = cell_by_grade_id(nb, test)
    nb.cells.remove(cell)
    nb.cells.insert(nb.cells.index(cell_by_grade_id(nb, answer)), cell)
    return nb


CASES = {
    "answer_grade_id_changed": lambda r, s: (
        rc.change_grade_id(s, _pair(r, "middle")[0]), {}, [_pair(r, "middle")[0]]),
    "test_grade_id_changed": lambda r, s: (
        rc.change_grade_id(s, _pair(r, "middle")[1]), {}, [_pair(r, "middle")[1]]),
    "solution_flag_removed": lambda r, s: (
        rc.remove_flag(s, _pair(r, "first")[0], "solution"), {}, [_pair(r, "first")[0]]),
    "grade_flag_removed": lambda r, s: (
        rc.remove_flag(s, _pair(r, "first")[1], "grade"), {}, [_pair(r, "first")[1]]),
    "locked_flag_removed": lambda r, s: (
        rc.remove_flag(rc.remove_flag(s, rc.locked_setup(r), "locked"), _pair(r, "last")[1],
                       "locked"), {}, [rc.locked_setup(r), _pair(r, "last")[1]]),
    "answer_metadata_removed": lambda r, s: (
        _without_metadata(s, _pair(r, "last")[0]), {}, [_pair(r, "last")[0]]),
    "answer_duplicated_stub_below": lambda r, s: (
        rc.duplicate(s, _pair(r, "middle")[0], _stub(r, _pair(r, "middle")[0]), "first"), {},
        [_pair(r, "middle")[0]]),
    "answer_duplicated_stub_above": lambda r, s: (
        rc.duplicate(s, _pair(r, "first")[0], _stub(r, _pair(r, "first")[0]), "second"), {},
        [_pair(r, "first")[0]]),
    "deleted_pair_first": lambda r, s: (
        rc.delete(s, *_pair(r, "first")), {_pair(r, "first")[0]: "stub"}, list(_pair(r, "first"))),
    "deleted_pair_middle": lambda r, s: (
        rc.delete(s, *_pair(r, "middle")), {_pair(r, "middle")[0]: "stub"},
        list(_pair(r, "middle"))),
    "deleted_pair_last": lambda r, s: (
        rc.delete(s, *_pair(r, "last")), {_pair(r, "last")[0]: "stub"}, list(_pair(r, "last"))),
    "answer_to_markdown": lambda r, s: (
        rc.to_markdown(s, _pair(r, "first")[0]), {}, [_pair(r, "first")[0]]),
    "test_to_markdown": lambda r, s: (
        rc.to_markdown(s, _pair(r, "last")[1]), {}, [_pair(r, "last")[1]]),
    "notebook_metadata_stripped": lambda r, s: (
        rc.strip_notebook_metadata(s), {}, ["kernelspec"]),
    "test_moved_above_answer": lambda r, s: (
        _moved_test_above_answer(s, r), {}, [_pair(r, "middle")[1]]),
    "all_metadata_damages_at_once": lambda r, s: (
        rc.metadata_damages(s, r)[0], {}, sorted(rc.metadata_damages(s, r)[1])),
}


def _submit(tmp_path: Path, assignment: str, nb) -> tuple[Path, Path]:
    """Hand ``nb`` in as student "s"; returns (the student's folder, the release folder)."""
    folder = tmp_path / "submitted" / "s" / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    return folder, REPO / "assignments" / assignment


def _sources(nb) -> Counter:
    return Counter(c.source for c in nb.cells if c.source.strip()
                   and not c.metadata.get(intake.NOTE_KEY))


def assert_release_structure(nb, release, answers: dict[str, str]) -> None:
    """``nb`` has the release's graded cells, and each answer cell holds ``answers[gid]``."""
    assert rc.graded_structure(nb) == rc.graded_structure(release), (
        "graded cells differ from the release's:\n"
        + "\n".join(f"  {a[:2]} | {b[:2]}" for a, b in zip(rc.graded_structure(nb),
                                                          rc.graded_structure(release))))
    for gid, source in answers.items():
        got = cell_by_grade_id(nb, gid).source
        assert got == source, f"answer cell {gid} holds the wrong code:\n{got[:300]}"
    for key in ("kernelspec", "language_info"):
        assert nb.metadata.get(key) == release.metadata[key] or (
            nb.metadata[key]["name"] == release.metadata[key]["name"]), key


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_damaged_structure_is_repaired_with_a_note_and_only_once(assignment, case, tmp_path):
    release, solved = notebooks(assignment)
    damaged, blank, named = CASES[case](release, solved)
    # The check below must be able to fail: the damage is visible to it.
    assert (rc.graded_structure(damaged) != rc.graded_structure(release)
            or damaged.metadata != release.metadata), f"{case} damages nothing"

    folder, release_dir = _submit(tmp_path, assignment, damaged)
    actions = intake.intake_folder(folder, release_dir, "s")
    assert [a.kind for a in actions] == ["repaired"], actions
    path = folder / f"{assignment}.ipynb"
    repaired = nbformat.read(path, as_version=4)
    nbformat.validate(repaired)

    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in solved.cells
               if nbgrader_meta(c).get("solution")}
    answers.update({gid: _stub(release, gid) for gid in blank})
    assert_release_structure(repaired, release, answers)

    # Nothing the student handed in is lost, and the original file is kept.
    missing = _sources(damaged) - _sources(repaired)
    assert not missing, f"cells lost by the repair: {list(missing)[:2]}"
    kept = folder / f"{assignment}.ipynb.before_repair"
    assert nbformat.read(kept, as_version=4) == damaged

    note = repaired.cells[0]
    assert note.metadata.get(intake.NOTE_KEY), "no note at the top of the notebook"
    assert "repaired before grading" in note.source and "kept unchanged" in note.source
    for gid in named:
        assert f"`{gid}`" in note.source, f"the note does not name {gid}:\n{note.source}"

    before = path.read_bytes()
    assert intake.intake_folder(folder, release_dir, "s") == []
    assert path.read_bytes() == before, "a second intake changed the notebook"
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, kept.name])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_duplicated_answer_keeps_the_edited_copy_graded_below_the_other(assignment):
    release, solved = notebooks(assignment)
    answer = _pair(release, "middle")[0]
    for edited in ("first", "second"):
        nb = rc.duplicate(solved, answer, _stub(release, answer), edited)
        report = repair_notebook(nb, release)
        graded = cell_by_grade_id(nb, answer)
        assert graded.source == cell_by_grade_id(solved, answer).source
        copies = [c for c in nb.cells if c.source == _stub(release, answer)]
        assert len(copies) == 1 and not nbgrader_meta(copies[0]), "the stub copy is not plain"
        assert nb.cells.index(copies[0]) < nb.cells.index(graded), (
            "the pasted stub comes after the graded answer and would redefine it")
        assert any("appeared 2 times" in m for m in report.messages), report.messages


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_submissions_are_not_rewritten(assignment, tmp_path):
    release, solved = notebooks(assignment)
    scratch = copy.deepcopy(solved)
    answer = rc.tasks(release)[0][0]
    # A student's own cell below the answer, redefining the function: ordinary, not damage.
    scratch.cells.insert(scratch.cells.index(cell_by_grade_id(scratch, answer)) + 1,
                         nbformat.v4.new_code_cell(cell_by_grade_id(solved, answer).source))
    # Metadata nbgrader keeps up to date itself (a notebook of an earlier release), another
    # kernel, a fuller language_info: no damage either.
    nbgrader_meta(cell_by_grade_id(scratch, rc.tasks(release)[-1][1]))["checksum"] = "0" * 32
    scratch.metadata["kernelspec"] = {"display_name": "Python 3 (course)", "language": "python",
                                      "name": "course-env"}
    scratch.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    for nb in (release, solved, scratch):
        assert not repair_notebook(copy.deepcopy(nb), release).changed
    folder, release_dir = _submit(tmp_path, assignment, scratch)
    before = (folder / f"{assignment}.ipynb").read_bytes()
    assert intake.intake_folder(folder, release_dir, "s") == []
    assert (folder / f"{assignment}.ipynb").read_bytes() == before


@pytest.mark.parametrize("assignment", [a for a in ASSIGNMENTS
                                        if _written_answer(_notebooks(a)[0])])
def test_written_answer_without_metadata_is_recognised_by_its_position(assignment):
    release, solved = notebooks(assignment)
    gid = _written_answer(release)
    nb = _without_metadata(solved, gid)
    report = repair_notebook(nb, release)
    assert_release_structure(nb, release, {gid: cell_by_grade_id(solved, gid).source})
    assert any("recognised by its position" in m for m in report.messages), report.messages


def test_an_answer_that_cannot_be_told_apart_gets_a_clear_message_and_is_still_graded(tmp_path):
    assignment = ASSIGNMENTS[0]
    release, solved = notebooks(assignment)
    answer = _pair(release, "middle")[0]
    nb = _without_metadata(solved, answer)
    cell = cell_by_grade_id(solved, answer)
    # No `def` line the release knows, and two candidate cells between the graded cells.
    renamed = cell.source.replace(f"def {answer}(", "def my_version(")
    i = next(k for k, c in enumerate(nb.cells) if c.source == cell.source)
    nb.cells[i].source = renamed
    nb.cells.insert(i, nbformat.v4.new_code_cell("def helper(x):\n    return x"))
    folder, release_dir = _submit(tmp_path, assignment, nb)
    actions = intake.intake_folder(folder, release_dir, "s")
    assert [a.kind for a in actions] == ["repaired", "not repaired"], actions
    assert "Could not tell which" in actions[1].detail and f"`{answer}`" in actions[1].detail
    repaired = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    assert_release_structure(repaired, release, {answer: _stub(release, answer)})
    stub_at = repaired.cells.index(cell_by_grade_id(repaired, answer))
    assert stub_at < [c.source for c in repaired.cells].index(renamed), (
        "the blank answer cell must come before the student's cells, not redefine them")
    assert "Could not tell which" in repaired.cells[0].source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_scratch_cell_is_not_taken_for_a_deleted_answer(assignment):
    release, solved = notebooks(assignment)
    answer, test = _pair(release, "middle")
    nb = rc.delete(solved, answer)
    scratch = nbformat.v4.new_code_cell("print('checking my work')")
    nb.cells.insert(nb.cells.index(cell_by_grade_id(nb, test)), scratch)
    report = repair_notebook(nb, release)
    assert_release_structure(nb, release, {answer: _stub(release, answer)})
    assert scratch in nb.cells and not nbgrader_meta(scratch)
    assert report.tags == [f"missing:{answer}"], report.messages


def test_unknown_grader_metadata_is_removed_and_the_cell_kept():
    release, solved = notebooks(ASSIGNMENTS[0])
    stray = nbformat.v4.new_code_cell("x = 1")
    stray.metadata["nbgrader"] = {"grade_id": "cell-9f2", "solution": True, "grade": False,
                                  "locked": False, "schema_version": 3}
    solved.cells.append(stray)
    report = repair_notebook(solved, release)
    assert solved.cells[-1].source == "x = 1" and "nbgrader" not in solved.cells[-1].metadata
    assert any("`cell-9f2`" in m for m in report.messages), report.messages
    assert rc.graded_structure(solved) == rc.graded_structure(release)


def test_a_renamed_and_damaged_notebook_gets_one_note_with_both(tmp_path):
    assignment = ASSIGNMENTS[0]
    release, solved = notebooks(assignment)
    folder = tmp_path / "submitted" / "s" / assignment
    folder.mkdir(parents=True)
    nbformat.write(rc.delete(solved, *_pair(release, "middle")), folder / "mine.ipynb")
    actions = intake.intake_folder(folder, REPO / "assignments" / assignment, "s")
    assert [a.kind for a in actions] == ["renamed", "repaired"]
    nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    notes = [c for c in nb.cells if c.metadata.get(intake.NOTE_KEY)]
    assert len(notes) == 1 and "was named `mine.ipynb`" in notes[0].source
    assert "repaired before grading" in notes[0].source
    assert intake.intake_folder(folder, REPO / "assignments" / assignment, "s") == []


def test_a_failing_repair_leaves_the_notebook_as_handed_in_and_says_so(tmp_path, monkeypatch):
    assignment = ASSIGNMENTS[0]
    release, solved = notebooks(assignment)
    folder, release_dir = _submit(tmp_path, assignment, rc.delete(solved, *_pair(release, "last")))
    before = (folder / f"{assignment}.ipynb").read_bytes()

    def broken(nb, release, skip):
        raise ValueError("a cell nobody expected")

    monkeypatch.setattr(intake, "repair_notebook", broken)
    actions = intake.intake_folder(folder, release_dir, "s")
    assert [(a.kind, a.detail.split(";")[0]) for a in actions] == [
        ("not repaired", "the structural repair failed (ValueError: a cell nobody expected)")]
    assert (folder / f"{assignment}.ipynb").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [f"{assignment}.ipynb"]


def test_the_command_line_reports_each_repair(tmp_path, capsys):
    assignment = ASSIGNMENTS[0]
    release, solved = notebooks(assignment)
    (tmp_path / "assignments").mkdir()
    (tmp_path / "assignments" / assignment).symlink_to(REPO / "assignments" / assignment)
    for student, nb in (("ok", solved), ("broken", rc.delete(solved, *_pair(release, "last")))):
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
    assert intake.main([assignment, "--course-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    answer, test = _pair(release, "last")
    assert f"broken: {assignment}.ipynb: repaired (missing:{answer}, missing:{test})" in out
    assert "ok:" not in out and "intake: 1 notebook(s) fixed" in out


# --- graded: the repaired students of the shared class ------------------------------------------

def test_repaired_students_are_graded_and_their_feedback_says_what_was_repaired(graded):
    pairs = rc.tasks(graded.release)
    named = {
        "repair_metadata": sorted(rc.metadata_damages(graded.solved(), graded.release)[1]),
        "repair_deleted_ends": [*pairs[0], *pairs[-1]],
        "repair_deleted_middle": list(pairs[len(pairs) // 2]),
    }
    for student in REPAIR_STUDENTS:
        scores = graded.scores(student)
        unscored = [cell for cell in graded.test_cells if scores.get(cell) is None]
        assert not unscored, f"{student} has no score for {unscored}"
        assert scores == {**scores, **graded.expected[student]}, student
        page = visible_text(graded.feedback(student).read_text())
        assert "repaired before grading" in page, f"{student}'s feedback says nothing"
        note = page.split("repaired before grading", 1)[1].split("kept unchanged", 1)[0]
        for gid in named[student]:
            assert re.search(rf"\b{gid}\b", note), (
                f"{student}'s feedback does not name the repair of {gid}:\n{note}")


def test_the_checks_catch_a_wrong_structure_a_misplaced_answer_and_a_lost_cell():
    """Self-test: the assertions above fail on notebooks that were not repaired right."""
    release, solved = notebooks(ASSIGNMENTS[0])
    (a1, _), (a2, _) = rc.tasks(release)[:2]
    answers = {a1: cell_by_grade_id(solved, a1).source, a2: cell_by_grade_id(solved, a2).source}
    swapped = copy.deepcopy(solved)
    cell_by_grade_id(swapped, a1).source, cell_by_grade_id(swapped, a2).source = \
        answers[a2], answers[a1]
    with pytest.raises(AssertionError, match="wrong code"):
        assert_release_structure(swapped, release, answers)
    with pytest.raises(AssertionError, match="graded cells differ"):
        assert_release_structure(rc.change_grade_id(solved, a1), release, answers)
    assert _sources(solved) - _sources(rc.delete(solved, a1)), "a lost cell went unnoticed"
