"""course_lib.grading.similarity on a synthetic class of Assignment 2.

The class (tests/similarity_class/) has three honest students whose answers are correct and
differently built (ada, ben, chi), a copy of ada with renamed variables and reordered statements
(dan), a reformatted copy of course_lib (eve), a partial copy of ben (fay), and a student whose
notebook cannot be read (gus). The report must rank every copy above every pair of honest
answers, in every answer cell.
"""

from __future__ import annotations

import ast
import copy
import csv
import re
import shutil
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbtools import completed_submission, nbgrader_meta

from course_lib import gradcheck, rnn
from course_lib.grading import similarity

ASSIGNMENT = "a02_rnn_step_by_step"
CLASS_DIR = Path(__file__).resolve().parent / "similarity_class"
CELLS = ["rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward",
         "find_buggy_gradient"]
HONEST = ["ada", "ben", "chi"]
# Who copied from whom, per answer cell (eve left find_buggy_gradient as released, but pasted
# course_lib's numerical_gradient into the same cell).
COPIES = {cell: {("ada", "dan"), ("ben", "fay"), ("course_lib", "eve")} for cell in CELLS}
SECTION_RE = re.compile(r"^# %% (\w+)\n", re.M)


def student_cells(path: Path) -> dict[str, str]:
    """The ``# %% <grade_id>`` sections of one student's data file."""
    parts = SECTION_RE.split(path.read_text())
    return {parts[i]: parts[i + 1].strip() + "\n" for i in range(1, len(parts), 2)}


def with_released_docstrings(source: str, stub: str) -> str:
    """The student's code with each released ``def`` line replaced by the stub's def and
    docstring, as a student who only replaced ``raise NotImplementedError()`` has it."""
    lines = stub.splitlines()
    for node in ast.parse(stub).body:
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) is not None:
            header = "\n".join(lines[node.lineno - 1:node.body[0].end_lineno])
            pattern = re.compile(rf"^def {node.name}\(.*\):[ \t]*$", re.M)
            assert pattern.search(source), f"no `def {node.name}(...)` line in\n{source}"
            source = pattern.sub(lambda _: header, source, count=1)
    return source


def released_cells(release_nb) -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: c.source for c in release_nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("solution")}


@pytest.fixture(scope="module")
def klass(repo, tmp_path_factory):
    """A course directory with the release, the source and the class's submissions."""
    course = tmp_path_factory.mktemp("similarity_course")
    for folder in ("assignments", "solutions"):
        shutil.copytree(repo / folder / ASSIGNMENT, course / folder / ASSIGNMENT)
    name = f"{ASSIGNMENT}.ipynb"
    release_nb = nbformat.read(course / "assignments" / ASSIGNMENT / name, as_version=4)
    source_nb = nbformat.read(course / "solutions" / ASSIGNMENT / name, as_version=4)
    stubs = released_cells(release_nb)
    answers = {}
    for path in sorted(CLASS_DIR.glob("*.py")):
        cells = student_cells(path)
        assert sorted(cells) == sorted(CELLS), f"{path.name} has the cells {sorted(cells)}"
        answers[path.stem] = {gid: with_released_docstrings(src, stubs[gid])
                              for gid, src in cells.items()}
        folder = course / "submitted" / path.stem / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(completed_submission(release_nb, source_nb, answers[path.stem]),
                       folder / name)
    broken = course / "submitted" / "gus" / ASSIGNMENT
    broken.mkdir(parents=True)
    (broken / name).write_text('{"cells": [ this is not json')
    started = time.perf_counter()
    html_path, csv_path, report = similarity.write_report(ASSIGNMENT, course, course / "report")
    seconds = time.perf_counter() - started
    return {"course": course, "release": release_nb, "answers": answers, "report": report,
            "html": html_path, "csv": csv_path, "seconds": seconds}


# --------------------------------------------------------------------------- the data is genuine


def notebook_namespace(release_nb, answers: dict[str, str]) -> dict:
    """Run the release's setup cells, then this student's answer cells, as the notebook would."""
    namespace: dict = {}
    for cell in release_nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            exec(compile(answers[meta["grade_id"]], meta["grade_id"], "exec"), namespace)
        elif not meta.get("grade"):   # setup and the classmate's buggy backward pass
            exec(compile(cell.source, meta.get("grade_id", "setup"), "exec"), namespace)
    return namespace


def _problem(seed, n_x=3, n_a=5, n_y=2, m=4, T_x=6):
    rng = np.random.default_rng(seed)
    parameters = rnn.initialize_parameters(n_a, n_x, n_y, seed=seed, scale=0.6)
    parameters["ba"] = 0.5 * rng.standard_normal((n_a, 1))
    parameters["by"] = 0.5 * rng.standard_normal((n_y, 1))
    return (rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), parameters,
            rng.standard_normal((n_a, m, T_x)))


def check_correct(ns: dict, cells: list[str]) -> None:
    """Compare a student's functions with course_lib on random problems of several shapes."""
    for seed, sizes in [(1, (3, 5, 2, 4, 6)), (2, (1, 2, 3, 1, 1)), (3, (6, 3, 4, 2, 3))]:
        x, a0, parameters, da = _problem(seed, *sizes)
        xt = x[:, :, 0]
        ref_a, ref_y, ref_cache = rnn.rnn_cell_forward(xt, a0, parameters)
        if "rnn_cell_forward" in cells:
            a_next, yt_pred, cache = ns["rnn_cell_forward"](xt, a0, parameters)
            np.testing.assert_allclose(a_next, ref_a, atol=1e-12)
            np.testing.assert_allclose(yt_pred, ref_y, atol=1e-12)
            assert len(cache) == 4 and cache[0] is not None
        if "rnn_cell_backward" in cells:
            got = ns["rnn_cell_backward"](da[:, :, 0], ref_cache[:4])
            for key, value in rnn.rnn_cell_backward(da[:, :, 0], ref_cache).items():
                np.testing.assert_allclose(got[key], value, atol=1e-12, err_msg=key)
        ref_a, ref_y, ref_caches = rnn.rnn_forward(x, a0, parameters)
        if "rnn_forward" in cells:
            a, y_pred, (caches, cached_x) = ns["rnn_forward"](x, a0, parameters)
            np.testing.assert_allclose(a, ref_a, atol=1e-12)
            np.testing.assert_allclose(y_pred, ref_y, atol=1e-12)
            assert len(caches) == x.shape[2] and cached_x is x
        if "rnn_backward" in cells:
            got = ns["rnn_backward"](da, ([c[:4] for c in ref_caches], x))
            for key, value in rnn.rnn_backward(da, ref_caches).items():
                np.testing.assert_allclose(got[key], value, atol=1e-12, err_msg=key)
    if "numerical_gradient" in cells:
        w = np.random.default_rng(7).standard_normal((2, 3, 2))
        before = w.copy()
        got = ns["numerical_gradient"](lambda: float(np.sum(np.sin(w) * w)), w)
        np.testing.assert_array_equal(w, before)
        np.testing.assert_allclose(
            got, gradcheck.numerical_gradient(lambda: float(np.sum(np.sin(w) * w)), w), atol=1e-9)
    if "find_buggy_gradient" in cells:
        def correct(da_next, cache):
            return rnn.rnn_cell_backward(da_next, tuple(cache) + ("tanh",))

        def wrong_dba(da_next, cache):
            return {**correct(da_next, cache), "dba": correct(da_next, cache)["dba"] / 2}

        for seed in (0, 3):
            assert ns["find_buggy_gradient"](ns["buggy_rnn_cell_backward"], seed)[0] == "dWaa"
            assert ns["find_buggy_gradient"](correct, seed)[0] is None
            assert ns["find_buggy_gradient"](wrong_dba, seed)[0] == "dba"


@pytest.mark.parametrize("student", HONEST + ["dan", "fay"])
def test_every_answer_of_the_class_is_correct(klass, student):
    """The honest answers (and the copies) really solve the tasks, against course_lib.rnn."""
    ns = notebook_namespace(klass["release"], klass["answers"][student])
    check_correct(ns, CELLS[:4] + ["numerical_gradient", "find_buggy_gradient"])


def test_the_course_lib_copy_is_correct_where_it_answered(klass):
    ns = notebook_namespace(klass["release"], klass["answers"]["eve"])
    check_correct(ns, CELLS[:4] + ["numerical_gradient"])


def test_the_correctness_check_fails_on_a_wrong_answer(klass):
    """The check above can fail: ada's backward pass with a^<t> in place of a^<t-1> in dWaa."""
    answers = dict(klass["answers"]["ada"])
    answers["rnn_cell_backward"] = answers["rnn_cell_backward"].replace(
        "np.dot(dtanh, a_prev.T)", "np.dot(dtanh, a_next.T)")
    assert answers["rnn_cell_backward"] != klass["answers"]["ada"]["rnn_cell_backward"]
    ns = notebook_namespace(klass["release"], answers)
    with pytest.raises(AssertionError, match="dWaa"):
        check_correct(ns, ["rnn_cell_backward"])


def test_the_honest_answers_are_differently_built(klass):
    """No two honest answers of a cell share more than half of their canonical statements."""
    release = released_cells(klass["release"])
    for cell in CELLS:
        boiler = similarity.Boilerplate([release[cell]])
        codes = {s: boiler.code(s, klass["answers"][s][cell]) for s in HONEST}
        for i, a in enumerate(HONEST):
            for b in HONEST[i + 1:]:
                pair = similarity.compare(cell, codes[a], codes[b])
                assert pair.statement_score < 0.5, (cell, a, b, pair.statement_score)


# --------------------------------------------------------------------------- the ranking


def _key(pair) -> tuple[str, str]:
    return tuple(sorted((pair.a, pair.b)))


def copy_and_honest_extremes(pairs, copies):
    """The lowest-scoring copy pair and the highest-scoring pair of honest students.

    Raises AssertionError if a copy pair is missing or a copy does not rank above every
    honest pair.
    """
    ranked = [p for p in pairs if p.rank is not None]
    found = [p for p in ranked if _key(p) in copies]
    assert {_key(p) for p in found} == copies, "a copy pair was not compared"
    honest = [p for p in ranked if p.a in HONEST and p.b in HONEST]
    assert honest, "no honest pair was compared"
    lowest_copy = min(found, key=lambda p: p.score)
    highest_honest = max(honest, key=lambda p: p.score)
    assert lowest_copy.score > highest_honest.score and lowest_copy.rank < highest_honest.rank, (
        f"the copy {_key(lowest_copy)} scores {lowest_copy.score:.3f} (rank {lowest_copy.rank}), "
        f"the honest pair {_key(highest_honest)} {highest_honest.score:.3f} "
        f"(rank {highest_honest.rank})")
    return lowest_copy, highest_honest


def test_every_copy_ranks_above_every_honest_pair(klass):
    for cell in CELLS:
        pairs = klass["report"].pairs[cell]
        assert len([p for p in pairs if p.a in HONEST and p.b in HONEST]) == 3
        lowest_copy, highest_honest = copy_and_honest_extremes(pairs, COPIES[cell])
        print(f"{cell}: lowest copy {_key(lowest_copy)} {lowest_copy.score:.3f}, "
              f"highest honest {_key(highest_honest)} {highest_honest.score:.3f}")


def test_the_ranking_check_fails_when_a_copy_hides(klass):
    """The check above can fail: scored as if dan had written his own answer, it complains."""
    pairs = copy.deepcopy(klass["report"].pairs["rnn_forward"])
    for pair in pairs:
        if _key(pair) == ("ada", "dan"):
            pair.token_score = pair.statement_score = 0.0
            pair.rank = len(pairs)
    with pytest.raises(AssertionError, match=r"the copy \('ada', 'dan'\) scores 0.000"):
        copy_and_honest_extremes(pairs, COPIES["rnn_forward"])


def test_a_cell_left_as_released_scores_zero(klass):
    """eve left find_buggy_gradient as released: the stub is boilerplate, so two students who
    both leave a cell blank do not look alike."""
    release = released_cells(klass["release"])
    boiler = similarity.Boilerplate([release["rnn_forward"]])
    blank = [boiler.code(s, release["rnn_forward"]) for s in ("x", "y")]
    pair = similarity.compare("rnn_forward", *blank)
    assert pair.score == 0 and "no code of its own" in pair.note
    # Without the subtraction the two blank cells would look like a perfect copy.
    nothing = similarity.Boilerplate([])
    unsubtracted = similarity.compare("rnn_forward", *[nothing.code(s, release["rnn_forward"])
                                                      for s in ("x", "y")])
    assert unsubtracted.score == 1.0


def test_renaming_and_reordering_do_not_change_the_statement_measure():
    original = "def f(a, b):\n    c = a + b * 2\n    d = {'x': a, 'y': b}\n    return c, d\n"
    renamed = "def f(p, q):\n    e = {'y': q, 'x': p}\n    r = 2 * q + p\n    return r, e\n"
    assert similarity.statement_fingerprints(original)[0] == similarity.statement_fingerprints(renamed)[0]
    other = "def f(a, b):\n    c = a - b * 2\n    return c, None\n"
    assert similarity.statement_fingerprints(original)[0] != similarity.statement_fingerprints(other)[0]


def test_the_reference_comes_from_the_modules_the_tests_import(klass):
    cells = {c.label: c for c in klass["report"].cells}
    assert cells["rnn_cell_forward"].reference_note == "rnn_cell_forward: course_lib.rnn.rnn_cell_forward"
    assert "def rnn_backward(da, caches)" in cells["rnn_backward"].reference
    # numerical_gradient: only the hidden tests import course_lib.gradcheck; they also refuse
    # gradient_check for find_buggy_gradient, which has no namesake in course_lib.
    assert cells["find_buggy_gradient"].reference_note == (
        "numerical_gradient: course_lib.gradcheck.numerical_gradient; "
        "find_buggy_gradient: course_lib.gradcheck.gradient_check, "
        "course_lib.gradcheck.numerical_gradient")
    assert cells["find_buggy_gradient"].reference.count("def numerical_gradient(") == 1


def test_references_refused_by_the_hidden_tests_are_found(repo):
    """Assignment 1's hidden tests refuse methods (Vocabulary.encode, the from_corpus
    classmethod) whose names differ from the task's: they are the reference all the same."""
    nb = nbformat.read(repo / "solutions" / "a01_vocabulary" / "a01_vocabulary.ipynb", as_version=4)
    tests = [c.source for c in nb.cells if c.cell_type == "code" and not nbgrader_meta(c).get("solution")]
    refused = similarity.refused_references(tests)
    assert refused["encode"] == ["course_lib.text:Vocabulary.encode", "course_lib.text:Vocabulary.index"]
    source, note = similarity.find_reference(["build_vocabulary"], [], refused)
    assert "def from_corpus(" in source and "Vocabulary.from_corpus" in note
    source, note = similarity.find_reference(["no_such_task"], ["course_lib.rnn"], refused)
    assert source == "" and note == "no_such_task: no course_lib reference"


def pairs_of(report) -> dict[tuple[str, str, str], object]:
    """Every pair of the report by (cell, first name, second name), names sorted."""
    return {(p.cell,) + _key(p): p for cells in report.pairs.values() for p in cells}


def test_broken_submissions_are_reported_not_fatal(klass, tmp_path):
    """Invalid Python, a renamed notebook, a deleted answer cell, lost metadata, no folder for
    the assignment, a notebook that intake replaced: each is noted, and every comparison that
    can be made is."""
    course = tmp_path / "course"
    for folder in ("assignments", "solutions"):
        shutil.copytree(klass["course"] / folder, course / folder)
    name = f"{ASSIGNMENT}.ipynb"
    release_nb, answers = klass["release"], klass["answers"]

    def hand_in(student, nb, filename=name):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / filename)
        return folder

    source_nb = nbformat.read(course / "solutions" / ASSIGNMENT / name, as_version=4)
    for student in ("ada", "dan"):
        hand_in(student, completed_submission(release_nb, source_nb, answers[student]))
    broken = dict(answers["ada"], rnn_cell_forward="%timeit 1\ndef rnn_cell_forward(xt, a_prev, parameters):\n    return (\n")
    hand_in("kim", completed_submission(release_nb, source_nb, broken))
    hand_in("lee", completed_submission(release_nb, source_nb, answers["ben"]), "my_rnn.ipynb")
    deleted = completed_submission(release_nb, source_nb, answers["chi"])
    deleted.cells = [c for c in deleted.cells if nbgrader_meta(c).get("grade_id") != "rnn_backward"]
    hand_in("max", deleted)
    stripped = completed_submission(release_nb, source_nb, answers["dan"])
    for cell in stripped.cells:                              # an editor that drops metadata
        if nbgrader_meta(cell).get("grade_id") == "rnn_forward":
            del cell.metadata["nbgrader"]
    hand_in("pia", stripped)
    (course / "submitted" / "ned" / "a01_vocabulary").mkdir(parents=True)
    folder = hand_in("ola", release_nb)                       # what intake leaves behind
    (folder / f"{name}.unreadable").write_text("not a notebook")

    report = similarity.build_report(ASSIGNMENT, course)
    notes = {s.name: "; ".join(s.notes) for s in report.students}
    assert notes["lee"] == f"{name} missing; read my_rnn.ipynb instead"
    assert notes["max"] == "answer cell rnn_backward missing"
    assert notes["pia"] == ("answer cell rnn_forward missing; compared the cell without nbgrader "
                            "metadata that defines rnn_forward")
    assert pairs_of(report)[("rnn_forward", "dan", "pia")].score == 1.0
    assert notes["ned"] == f"nothing handed in for {ASSIGNMENT}"
    assert "could not be read" in notes["ola"] and not notes["kim"]
    pairs = pairs_of(report)
    kim = pairs[("rnn_cell_forward", "ada", "kim")]
    assert kim.score is not None and "kim: not valid Python, tokens only" in kim.note
    assert pairs[("rnn_backward", "ada", "max")].score is None
    assert pairs[("rnn_forward", "ada", "max")].score is not None
    assert pairs[("rnn_forward", "lee", "ola")].score == 0
    assert pairs[("rnn_forward", "ada", "dan")].rank == 1
    similarity.write_html(report, tmp_path / "r.html")            # renders with all of them


def test_every_import_form_of_a_refused_reference_is_resolved():
    tests = ["import course_lib.rnn\n"
             "from course_lib.gradcheck import numerical_gradient as ng\n"
             "import course_lib.grading.refuse as R\n"
             "R.refusing(course_lib.rnn.rnn_forward, ng, R.refusing, task='t')\n"]
    assert similarity.refused_references(tests) == {
        "t": ["course_lib:rnn.rnn_forward", "course_lib.gradcheck:numerical_gradient"]}
    modules = similarity._imported_course_modules(tests)
    assert modules == ["course_lib.rnn", "course_lib.gradcheck"]
    source, note = similarity.find_reference(["t"], modules, similarity.refused_references(tests))
    assert note == "t: course_lib.rnn.rnn_forward, course_lib.gradcheck.numerical_gradient"
    assert "def rnn_forward(" in source and "def numerical_gradient(" in source


# --------------------------------------------------------------------------- the files


def test_csv_has_one_ranked_row_per_cell_and_pair(klass):
    with open(klass["csv"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    students = sorted(klass["answers"]) + ["gus"]
    per_cell = len(students) * (len(students) - 1) // 2 + len(students)
    assert len(rows) == len(CELLS) * per_cell
    named = {row["student_a"] for row in rows} | {row["student_b"] for row in rows}
    assert named == set(students) | {"course_lib"}
    for cell in CELLS:
        mine = [row for row in rows if row["cell"] == cell]
        ranks = [int(row["rank"]) for row in mine if row["rank"]]
        assert ranks == list(range(1, len(ranks) + 1))
        scores = [float(row["score"]) for row in mine if row["rank"]]
        assert scores == sorted(scores, reverse=True)
        unscored = [row for row in mine if not row["rank"]]
        assert unscored and all("gus" in (row["student_a"], row["student_b"])
                                and "not compared" in row["note"] for row in unscored)


def test_html_escapes_student_code_and_names_every_student(klass):
    text = klass["html"].read_text()
    assert "<script>" not in text
    assert "&lt;/pre&gt;&lt;script&gt;alert(&quot;fay&quot;)&lt;/script&gt;" in text
    for student in list(klass["answers"]) + ["gus"]:
        assert f"<td>{student}</td>" in text
    assert "could not be read" in text                 # gus is reported, not a crash
    assert "evidence for a person to judge, not a verdict" in text
    assert "winnowing" in text and "Dice coefficient" in text and "boilerplate" in text.lower()
    assert "course_lib reference: rnn_cell_forward: course_lib.rnn.rnn_cell_forward" in text
    assert text.count('<div class=\'side\'>') == len(CELLS) * 10
    assert 'class="tok"' in text and 'class="stm"' in text


def test_the_command_in_the_instructor_guide_writes_the_report(klass, repo, capsys):
    """The guide's command, run in the course directory, writes into similarity/<assignment>/
    with a .gitignore, so the students' code cannot be committed by accident."""
    guide = (repo / "chapters" / "instructor_guide.md").read_text()
    shown = re.search(r"^python -m course_lib\.grading\.similarity (\S+)", guide, re.M)
    assert shown and shown.group(1) == ASSIGNMENT
    assert similarity.main([shown.group(1), "--course-dir", str(klass["course"])]) == 0
    printed = capsys.readouterr().out
    out = klass["course"] / "similarity" / ASSIGNMENT
    assert "note: gus:" in printed and str(out / "similarity.csv") in printed
    assert (out / "similarity.html").exists()
    assert (out / ".gitignore").read_text().splitlines()[-1] == "*"


def test_csv_fields_cannot_become_spreadsheet_formulas(tmp_path):
    report = similarity.Report("a", [similarity.AnswerCell("c", "n.ipynb", "c", "", [], [])], [],
                               {"c": [similarity.Pair("c", "=HYPERLINK(1)", "ok", 0.5, 0.5, 1)]},
                               {}, {})
    report.pairs["c"][0].rank = 1
    similarity.write_csv(report, tmp_path / "r.csv")
    with open(tmp_path / "r.csv", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["student_a"] == "'=HYPERLINK(1)" and row["student_b"] == "ok"


def test_a_course_without_a_release_is_a_clear_error(tmp_path, capsys):
    assert similarity.main([ASSIGNMENT, "--course-dir", str(tmp_path)]) == 2
    assert "no released notebook" in capsys.readouterr().err


def test_the_report_takes_seconds(klass):
    assert klass["seconds"] < 20, f"the report took {klass['seconds']:.1f} s for 7 students"


def test_the_report_reads_every_graded_class(graded):
    """On each assignment's shared graded class (tests/grading_class.py), after intake and
    grading: every student is in the report, a cell left as released matches nobody, and the
    solution matches fully any other student whose cell holds the solution's code unchanged
    (in each answer cell where there is one: the class hands in few plain copies)."""
    report = similarity.build_report(graded.assignment, graded.course)
    names = {s.name for s in report.students}
    submitted = {p.name for p in (graded.course / "submitted").iterdir() if p.is_dir()}
    assert submitted <= names, f"missing from the report: {sorted(submitted - names)}"
    compared = 0
    for cell, ranked in report.pairs.items():
        scores = {frozenset((p.a, p.b)): p.score for p in ranked}
        twins = [s for s in sorted(graded.untouched) if s != "solution"
                 and cell in graded.untouched[s] and graded.where[s] == graded.course]
        for twin in twins[:1]:
            copy = scores[frozenset(("solution", twin))]
            assert copy is not None and copy > 0.99, (
                f"{cell}: identical answers (solution, {twin}) scored {copy}")
            compared += 1
        blank = [p for p in ranked if "blank" in (p.a, p.b) and p.score]
        assert not blank, f"{cell}: the untouched release matched {[(p.a, p.b, p.score) for p in blank][:3]}"
    assert compared, "no answer cell of the class holds the solution's code twice"
