"""The Chinese assignments, ``solutions/<a>_zh/<a>_zh.ipynb``, are the English ones translated.

``python scripts/translations.py notebooks`` writes them from the English sources and the
catalogues (``make translations`` also releases them); nobody edits them. These tests fail when

* regenerating them does not give, byte for byte, the committed notebooks (an English cell or
  a translation changed, and the command was not run);
* a Chinese notebook's cells, code or metadata differ from the English one's (nbgrader would
  grade it with other tests), or one of its Markdown cells is not Chinese;
* a message without a translation goes unnoticed (one is removed from a copy of a catalogue);
* the Chinese release of Assignment 1 does not grade like the English one with nbgrader's own
  commands: the solution scores full marks, the blank release 0.

The release drift of the Chinese assignments is checked with the English ones, in
tests/test_release.py.
"""

from __future__ import annotations

import shutil
import sys

import nbformat
import polib
import pytest

from conftest import REPO, tool
from grading_class import class_id, run
from nbtools import (CHINESE_SUFFIX, assignments, auto_scores, chinese_assignments,
                     completed_submission, nbgrader_meta)

sys.path.insert(0, str(REPO / "scripts"))

import translations as tr  # noqa: E402

ENGLISH = assignments(REPO)
CJK = tr.CJK_RE


def _source(assignment: str):
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"


def test_every_english_assignment_has_exactly_one_chinese_copy():
    assert chinese_assignments(REPO) == [a + CHINESE_SUFFIX for a in ENGLISH], (
        "run `python scripts/translations.py notebooks`")


def test_regenerating_the_chinese_notebooks_gives_the_committed_bytes(tmp_path):
    written = tr.write_notebooks(out=tmp_path)
    assert [p.parent.name for p in written] == chinese_assignments(REPO)
    differ = [p.name for p in written
              if p.read_bytes() != (REPO / "solutions" / p.parent.name / p.name).read_bytes()]
    assert not differ, (f"{differ} are not what the catalogues give: run `python "
                        "scripts/translations.py notebooks` (never edit them by hand)")


@pytest.mark.parametrize("assignment", ENGLISH)
def test_a_chinese_notebook_has_the_english_code_and_metadata_cell_by_cell(assignment):
    english = nbformat.read(_source(assignment), as_version=4)
    chinese = nbformat.read(_source(assignment + CHINESE_SUFFIX), as_version=4)
    assert chinese.metadata == english.metadata
    assert len(chinese.cells) == len(english.cells)
    for index, (zh, en) in enumerate(zip(chinese.cells, english.cells)):
        where = f"{assignment}{CHINESE_SUFFIX} cell {index}"
        assert zh.cell_type == en.cell_type, where
        assert zh.metadata == en.metadata, f"{where}: metadata (nbgrader's) differs"
        assert zh.get("id") == en.get("id"), where
        if en.cell_type == "code":
            assert zh.source == en.source, f"{where}: code differs from the English"


@pytest.mark.parametrize("assignment", ENGLISH)
def test_every_markdown_cell_of_a_chinese_notebook_is_in_chinese(assignment):
    chinese = nbformat.read(_source(assignment + CHINESE_SUFFIX), as_version=4)
    for index, cell in enumerate(chinese.cells):
        if cell.cell_type == "markdown":
            assert CJK.search(cell.source), f"{assignment}{CHINESE_SUFFIX} cell {index}"


# --- the translation of one cell -------------------------------------------------------------

ZH = {"Title": "标题", "A paragraph on two lines.": "分两行的段落。", "one item": "一项",
      "an item that goes on": "一项，\n接着写", "a quote": "引文", "a": "甲", "`b`": "`b`",
      "x y": "x 与 y"}
CELL = ("## Title\n\nA paragraph\non two lines.\n\n- one item\n1. an item\n   that goes on\n\n"
        "> a quote\n\n```python\nprint('kept')\n```\n\n$$\nx = 1\n$$\n\n"
        "| a | `b` |\n|---|---|\n| x y | x y |\n")
WANT = ("## 标题\n\n分两行的段落。\n\n- 一项\n1. 一项，\n   接着写\n\n"
        "> 引文\n\n```python\nprint('kept')\n```\n\n$$\nx = 1\n$$\n\n"
        "| 甲 | `b` |\n|---|---|\n| x 与 y | x 与 y |\n")


def test_a_cell_keeps_its_prefixes_code_and_math_and_translates_each_element():
    assert tr.translate_markdown(CELL, ZH.__getitem__, tr.markdown_parser()) == WANT


def test_a_message_is_the_element_source_with_line_breaks_as_spaces():
    asked = []
    tr.translate_markdown(CELL, lambda m: asked.append(m) or ZH[m], tr.markdown_parser())
    assert asked == ["Title", "A paragraph on two lines.", "one item", "an item that goes on",
                     "a quote", "a", "`b`", "x y", "x y"]


# --- a missing translation ---------------------------------------------------------------------

@pytest.mark.parametrize("planted", ["removed", "fuzzy", "model answer removed"])
def test_a_missing_translation_stops_the_generator_naming_the_cell_and_message(
        tmp_path, planted):
    locales = tmp_path / "locales"
    shutil.copytree(tr.LOCALES, locales)
    assignment = "a01_vocabulary"
    catalogue = (tr.answer_catalogue(assignment, locales) if planted.startswith("model")
                 else tr.page_catalogue(assignment, locales))
    po = polib.pofile(str(catalogue), wrapwidth=0)
    entry = [e for e in po if e.msgstr][-1]
    if planted == "fuzzy":
        entry.flags.append("fuzzy")
    else:
        po.remove(entry)
    po.save(str(catalogue))
    with pytest.raises(tr.MissingTranslation) as info:
        tr.write_notebooks(out=tmp_path / "out", locales=locales)
    message = str(info.value)
    assert entry.msgid[:60] in message and " cell " in message, message
    assert "run `python scripts/translations.py update`, translate, then regenerate" in message
    assert not (tmp_path / "out").exists(), "a notebook was written although one failed"


def test_the_notebooks_command_fails_on_a_missing_translation(tmp_path, monkeypatch, capsys):
    locales = tmp_path / "locales"
    shutil.copytree(tr.LOCALES, locales)
    catalogue = tr.page_catalogue("a08_sentiment", locales)
    po = polib.pofile(str(catalogue), wrapwidth=0)
    po.remove([e for e in po if e.msgstr][0])
    po.save(str(catalogue))
    monkeypatch.setattr(tr, "LOCALES", locales)  # nothing is written when one cell fails
    assert tr.main(["notebooks"]) == 1
    assert "a08_sentiment" in capsys.readouterr().err


# --- graded end to end -------------------------------------------------------------------------

GRADED = "a01_vocabulary" + CHINESE_SUFFIX


# The class id puts this test on the worker that checks the Chinese releases' drift
# (tests/test_release.py): fresh_release generates them once, together, for both.
@pytest.mark.parametrize("assignment", [GRADED], ids=class_id)
def test_the_chinese_assignment_grades_like_the_english_one(assignment, fresh_release,
                                                             tmp_path):
    """nbgrader's own commands on the Chinese release, in the sandbox: the solution scores
    every test cell's points, the untouched release 0 (one autograde run, two students)."""
    course = tmp_path / "course"
    shutil.copytree(fresh_release(assignment), course)
    release = nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb",
                            as_version=4)
    source = nbformat.read(_source(assignment), as_version=4)
    for student, nb in (("solution", completed_submission(release, source)),
                        ("blank", release)):
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
    run([tool("nbgrader"), "autograde", assignment, "--force"], course)
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
              if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")}
    assert points, "the Chinese source has no test cell"
    scores = auto_scores(course, assignment)
    assert {g: scores["solution"][g] for g in points} == points
    assert {g: scores["blank"][g] for g in points} == dict.fromkeys(points, 0)


# --- the model answers' catalogues ---------------------------------------------------------------

def test_the_model_answer_catalogues_are_current_translated_and_faithful(tmp_path):
    """``locales/zh_CN/model_answers/<a>.po`` holds exactly the messages of the English model
    answers (``update`` writes them again here), each translated, keeping its math and code."""
    shutil.copytree(tr.LOCALES, tmp_path / "locales")
    tr.update_answers(locales=tmp_path / "locales")
    answers = tmp_path / "locales" / tr.LANGUAGE / "model_answers"
    assert sorted(p.name for p in answers.glob("*.po")) == [p.name for p in tr.answer_catalogues()]
    for path in tr.answer_catalogues():
        regenerated = answers / path.name
        assert regenerated.read_bytes() == path.read_bytes(), (
            f"{path.name}: the model answers changed: run `python scripts/translations.py "
            "update` and translate")
        assert tr.problems(path) == [], tr.problems(path)


# --- the Chinese edition's download link -------------------------------------------------------

def test_only_assignment_pages_link_to_a_chinese_notebook():
    sys.path.insert(0, str(REPO / "_ext"))
    import language_switch as switch

    assert (switch.chinese_notebook("assignments/a01_vocabulary/a01_vocabulary")
            == "assignments/a01_vocabulary_zh/a01_vocabulary_zh.ipynb")
    for page in ("chapters/01_sequence_data", "assignments/a01_vocabulary/other",
                 "assignments/a01_vocabulary_zh/a01_vocabulary_zh"):
        assert switch.chinese_notebook(page) is None, page
    link = switch._download_link("assignments/a01_vocabulary/a01_vocabulary")
    assert 'href="../../assignments/a01_vocabulary_zh/a01_vocabulary_zh.ipynb"' in link
    assert "下载中文版 notebook（a01_vocabulary_zh.ipynb）" in link
