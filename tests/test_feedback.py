"""Student feedback shows no hidden test (course_lib/grading/feedback.py).

``nbgrader generate_feedback`` renders the autograded notebook, hidden-test blocks and
traceback source lines included (nbgrader issues #917, #1363). The course's configuration adds
``HideHiddenTests``; these tests prove, first on a small notebook run by a real kernel and then
on every feedback page of every graded class, that no hidden-test line reaches a student while
the visible tests, the scores and the reason of each failure (exception type and message) do,
and that the instructor's autograded notebook still holds everything.
"""

from __future__ import annotations

import copy
import html as html_lib
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import REPO
from course_lib.grading.feedback import (PLACEHOLDER, TRACEBACK_NOTE, HideHiddenTests,
                                         split_hidden, strip_ansi)
from nbtools import (HIDDEN_RE, find_leaks, hidden_test_lines, nbgrader_meta, public_lines,
                     visible_text)

# --- a small notebook, executed by a real IPython kernel -------------------------------------

ANSWER = '''\
def add(a, b):
    return a + b if a < 100 else 0


def peek():
    """A cheating answer: print the source of the cell that is running (the test cell)."""
    print(get_ipython().user_ns["In"][-1])
'''

# name -> (source, what the feedback must say about it). Every hidden line is unique to this
# notebook (SECRET_...), so any trace of one in the page is a leak.
TEST_CELLS = {
    "hidden_fails_with_message": ('''\
assert add(1, 2) == 3, "add(1, 2) should be 3"
### BEGIN HIDDEN TESTS
secret_total = add(100, 1)  # SECRET_A
assert secret_total == 101, f"add(100, 1) returned {secret_total}, expected 101"
### END HIDDEN TESTS
''', ["AssertionError", "add(100, 1) returned 0, expected 101"]),
    "hidden_fails_without_message": ('''\
assert add(1, 1) == 2
### BEGIN HIDDEN TESTS
assert add(250, 250) == 500  # SECRET_B
### END HIDDEN TESTS
''', ["AssertionError"]),
    "visible_fails_next_to_hidden": ('''\
assert add(2, 2) == 4
assert add(200, 0) == 200, "add(200, 0) should be 200"
### BEGIN HIDDEN TESTS
secret_value_c = add(300, 3)  # SECRET_C
assert secret_value_c == 303  # SECRET_C2
### END HIDDEN TESTS
''', ["AssertionError", "add(200, 0) should be 200"]),
    "passes": ('''\
assert add(2, 3) == 5
### BEGIN HIDDEN TESTS
assert add(4, 5) == 9  # SECRET_D
### END HIDDEN TESTS
''', []),
    "hidden_helper_raises": ('''\
assert add(0, 0) == 0
### BEGIN HIDDEN TESTS
def secret_helper_e(n):  # SECRET_E
    return add(n, n) / (add(n, n) - add(n, n))  # SECRET_E2
secret_helper_e(7)  # SECRET_E3
### END HIDDEN TESTS
''', ["ZeroDivisionError", "division by zero"]),
    "student_code_fails_under_hidden_test": ('''\
assert add(3, 4) == 7
### BEGIN HIDDEN TESTS
add("seven", 1)  # SECRET_F
### END HIDDEN TESTS
''', ["TypeError", "not supported between instances of", "return a + b if a < 100 else 0"]),
    "student_prints_the_running_cell": ('''\
assert add(5, 5) == 10
### BEGIN HIDDEN TESTS
peek()  # SECRET_G: the student's code prints this cell's source
### END HIDDEN TESTS
''', []),
}


@pytest.fixture(scope="module")
def executed():
    """The notebook run by a kernel, errors kept (as nbgrader autograde keeps them)."""
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell(ANSWER)] + [
        new_code_cell(src, metadata={"nbgrader": {"grade": True, "grade_id": name,
                                                  "points": 1, "solution": False}})
        for name, (src, _) in TEST_CELLS.items()])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=60, allow_errors=True).execute()
    return nb


@pytest.fixture(scope="module")
def feedback(executed) -> tuple[nbformat.NotebookNode, str]:
    """The filtered copy of the executed notebook and the visible text of its HTML page."""
    from nbconvert import HTMLExporter

    filtered, _ = HideHiddenTests().preprocess(copy.deepcopy(executed), {})
    page, _ = HTMLExporter(template_name="classic").from_notebook_node(filtered)
    return filtered, visible_text(page)


def all_hidden_lines(nb) -> list[str]:
    """Every non-blank line of the hidden blocks of ``nb``, whitespace-normalised, however short."""
    return [" ".join(line.split()) for cell in nb.cells for block in HIDDEN_RE.findall(cell.source)
            for line in block.splitlines() if line.strip()]


def test_the_kernel_really_shows_hidden_lines_without_the_filter(executed):
    # The problem is real: nbgrader's rendering of the same notebook shows them, in the
    # source and in tracebacks (a visible failure prints the hidden lines after it as context).
    from nbconvert import HTMLExporter

    text = visible_text(HTMLExporter(template_name="classic").from_notebook_node(executed)[0])
    assert len(find_leaks(all_hidden_lines(executed), text)) == len(all_hidden_lines(executed))
    tracebacks = "\n".join(strip_ansi("\n".join(out.traceback)) for cell in executed.cells
                           for out in cell.outputs if out.output_type == "error")
    assert "secret_value_c = add(300, 3) # SECRET_C" in " ".join(tracebacks.split())


def test_feedback_shows_no_hidden_line(executed, feedback):
    filtered, text = feedback
    assert find_leaks(all_hidden_lines(executed), text) == []
    assert "SECRET" not in text and "HIDDEN TESTS" not in text
    # Nor in the notebook the page came from (outputs' metadata, evalue fields, ...).
    assert "SECRET" not in nbformat.writes(filtered)


def test_feedback_keeps_visible_tests_and_says_hidden_tests_ran(feedback):
    filtered, text = feedback
    for cell, (name, (source, _)) in zip(filtered.cells[1:], TEST_CELLS.items()):
        visible = source.split("### BEGIN HIDDEN TESTS")[0].splitlines()
        assert cell.source.splitlines() == visible + [PLACEHOLDER], name
    assert text.count(PLACEHOLDER) == len(TEST_CELLS)


@pytest.mark.parametrize("name", [n for n, (_, says) in TEST_CELLS.items() if says])
def test_feedback_says_why_a_test_failed(executed, feedback, name):
    # The exception type and its message (what was expected, what came back) stay.
    filtered, _ = feedback
    index = list(TEST_CELLS).index(name) + 1
    errors = [out for out in filtered.cells[index].outputs if out.output_type == "error"]
    assert len(errors) == 1, f"{name}: one error output expected: {filtered.cells[index].outputs}"
    shown = strip_ansi("\n".join(errors[0].traceback))
    original = next(out for out in executed.cells[index].outputs if out.output_type == "error")
    assert errors[0].ename == original.ename and errors[0].evalue == original.evalue
    assert shown.rstrip().endswith(f"{original.ename}: {original.evalue}".rstrip()), shown
    for words in TEST_CELLS[name][1]:
        assert words in shown, f"{name}: {words!r} missing from\n{shown}"


def test_traceback_keeps_visible_context_and_marks_hidden_lines(feedback):
    filtered, _ = feedback
    index = list(TEST_CELLS).index("visible_fails_next_to_hidden") + 1
    shown = strip_ansi("\n".join(filtered.cells[index].outputs[0].traceback))
    assert "----> 2 assert add(200, 0) == 200" in shown      # the failing visible line
    assert "      1 assert add(2, 2) == 4" in shown           # visible context before it
    assert TRACEBACK_NOTE in shown                            # in place of the hidden context


def test_a_passing_test_cell_has_no_output(feedback):
    filtered, _ = feedback
    assert filtered.cells[list(TEST_CELLS).index("passes") + 1].outputs == []


def test_printed_hidden_source_is_removed_from_outputs(executed, feedback):
    # A student's function that prints the running cell: the test cell's output held the
    # hidden lines (the visible line it printed too stays).
    index = list(TEST_CELLS).index("student_prints_the_running_cell") + 1
    printed = "".join(out.get("text", "") for out in executed.cells[index].outputs)
    assert "SECRET_G" in printed
    filtered, _ = feedback
    shown = "".join(out.get("text", "") for out in filtered.cells[index].outputs)
    assert "SECRET_G" not in shown and "HIDDEN TESTS" not in shown
    assert "assert add(5, 5) == 10" in shown


def test_split_hidden_fails_safe_on_broken_markers():
    # An unterminated block hides the rest of the cell; a stray END marker is dropped;
    # the placeholder keeps the block's indentation.
    parts = split_hidden("a = 1\nif a:\n    ### BEGIN HIDDEN TESTS\n    secret()\n")
    assert parts.shown == f"a = 1\nif a:\n    {PLACEHOLDER}"
    assert parts.hidden_lines == {3, 4, 5}
    assert split_hidden("x = 1\n### END HIDDEN TESTS\ny = 2").shown == "x = 1\ny = 2"
    nested = split_hidden("### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\ns()\n"
                          "### END HIDDEN TESTS\nvisible()")
    assert nested.shown == f"{PLACEHOLDER}\nvisible()"


def test_course_configuration_keeps_nbgrader_steps_then_hides_hidden_tests():
    from nbgrader.converters import GenerateFeedback
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    configured = list(config.GenerateFeedback.preprocessors)
    defaults = [f"{c.__module__.split('.')[0]}.preprocessors.{c.__name__}"
                for c in GenerateFeedback.class_traits()["preprocessors"].default()]
    assert configured == defaults + ["course_lib.grading.feedback.HideHiddenTests"]


# --- every feedback page of every graded class -----------------------------------------------

def feedback_secrets(graded) -> list[str]:
    """Hidden-test lines of the class's source, except lines the student has anyway: lines
    course_lib publishes and lines of the release (a helper line of the visible tests, such
    as ``except AssertionError as error:``, may recur in the hidden block)."""
    public = public_lines(REPO)
    release = "\n".join(cell.source for cell in graded.release.cells)
    secrets = {s for s in hidden_test_lines(graded.source) if s not in public}
    return sorted(secrets - set(find_leaks(sorted(secrets), release)))


def feedback_leaks(page: str, secrets: list[str]) -> list[str]:
    """What of the hidden tests a feedback page shows: markers in the raw HTML, hidden lines
    in its visible text."""
    markers = [m for m in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS") if m in page]
    return markers + find_leaks(secrets, visible_text(page))


def class_feedback(graded) -> dict[str, str]:
    """Every student's feedback page (the class graded in ``graded.course``)."""
    students = sorted(s for s, course in graded.where.items() if course == graded.course)
    pages = {s: graded.feedback(s) for s in students}
    missing = [s for s, p in pages.items() if not p.exists()]
    assert not missing, f"no feedback written for {missing}"
    return {s: p.read_text() for s, p in pages.items()}


def own_lines(graded, student: str, secrets: list[str]) -> set[str]:
    """The secrets that the student's own answers contain (a mutant's
    ``AgreeingDict({"<PAD>": 0, "<UNK>": 1, "<EOS>": 2})`` ends like a hidden line): showing a
    student what they wrote is no leak."""
    nb = nbformat.read(graded.autograded(student), as_version=4)
    answers = "\n".join(c.source for c in nb.cells if nbgrader_meta(c).get("solution"))
    return set(find_leaks(secrets, answers))


def test_feedback_of_every_student_shows_no_hidden_test_line(graded):
    secrets = feedback_secrets(graded)
    assert len(secrets) >= 5, f"{graded.assignment}: found no hidden-test lines to look for"
    for student, page in class_feedback(graded).items():
        own = own_lines(graded, student, secrets)
        leaks = feedback_leaks(page, [s for s in secrets if s not in own])
        assert not leaks, f"{student}'s feedback shows {len(leaks)} hidden lines: {leaks[:3]}"


def test_feedback_of_every_student_shows_the_scores(graded):
    from nbgrader.api import Gradebook

    pages = class_feedback(graded)
    with Gradebook(f"sqlite:///{graded.course / 'gradebook.db'}") as gb:
        for student, page in pages.items():
            nb = gb.find_submission_notebook(graded.nb_name, graded.assignment, student)
            total = f"(Score: {round(nb.score, 2)} / {round(nb.max_score, 2)})"
            assert total in visible_text(page), f"{student}: {total} not in the feedback"
            for grade in nb.grades:
                if grade.name in graded.test_cells:
                    cell = (rf'href="#{re.escape(grade.name)}">Test cell</a> \(Score: '
                            rf'{re.escape(str(round(grade.score, 2)))} / '
                            rf'{re.escape(str(round(grade.max_score, 2)))}\)')
                    assert re.search(cell, page), f"{student}: no score for {grade.name}"


def hidden_failures(nb) -> list[tuple[str, str, str]]:
    """(test cell, ename, evalue) of each test cell of an autograded notebook that failed in
    its hidden block (its traceback's frame line in that cell is a hidden line)."""
    failures = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta.get("grade") or meta.get("solution") or cell.cell_type != "code":
            continue
        hidden = split_hidden(cell.source).hidden_lines
        for out in cell.outputs:
            if out.output_type != "error":
                continue
            frames = re.findall(rf"Cell In\[{cell.execution_count}\], line (\d+)",
                                strip_ansi("\n".join(out.traceback)))
            if frames and int(frames[0]) in hidden:
                failures.append((meta["grade_id"], out.ename, out.evalue))
    return failures


def test_feedback_says_why_a_hidden_test_failed(graded):
    # A mutant caught only by a hidden test learns what was wrong: the exception type and the
    # assertion message stay in the feedback, though the test's lines do not.
    pages = class_feedback(graded)
    seen = 0
    for student in (s for s in pages if graded.carried.get(s)):
        autograded = nbformat.read(graded.autograded(student), as_version=4)
        for cell, ename, evalue in hidden_failures(autograded):
            text = " ".join(visible_text(pages[student]).split())
            shown = " ".join(f"{ename}: {strip_ansi(evalue)}".split())
            assert shown in text, f"{student}, {cell}: the feedback lost {shown!r}"
            seen += bool(evalue)
    if seen == 0:
        pytest.skip(f"{graded.assignment}: no mutant fails in a hidden test with a message")


def test_leak_check_finds_a_hidden_line_planted_in_a_feedback_page(graded):
    # The check itself can fail: one hidden line pasted into a real page, split over
    # highlighting spans and HTML-escaped as nbconvert writes code, is found.
    secrets = feedback_secrets(graded)
    page = graded.feedback("solution").read_text()
    planted = secrets[len(secrets) // 2]
    half = len(planted) // 2
    span = (f'<span class="n">{html_lib.escape(planted[:half])}</span>'
            f'<span class="o">{html_lib.escape(planted[half:])}</span>')
    dirty = page.replace("</body>", f"<pre>{span}</pre></body>", 1)
    assert feedback_leaks(page, secrets) == []
    assert feedback_leaks(dirty, secrets) == [planted]


def test_autograded_notebook_keeps_the_hidden_tests(graded):
    # Only the feedback is filtered: the instructor's copy (formgrader) keeps every hidden line.
    source_hidden = [c.source for c in graded.source.cells if HIDDEN_RE.search(c.source)]
    assert source_hidden
    for student in ("solution", "blank"):
        autograded = nbformat.read(graded.autograded(student), as_version=4)
        kept = [c.source for c in autograded.cells if HIDDEN_RE.search(c.source)]
        assert kept == source_hidden, f"{student}'s autograded notebook lost hidden tests"
        assert PLACEHOLDER not in nbformat.writes(autograded)
