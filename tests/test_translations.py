"""The Chinese edition's catalogues: complete, current, and faithful to the English.

The English MyST sources are the only source; ``locales/zh_CN/LC_MESSAGES/<page>.po`` holds the
translation of each of their messages (scripts/translations.py). These tests fail, naming the
page and the message, when

* the catalogues are not those of the current English text (an English sentence changed and
  ``make translations`` was not run): the messages are extracted again here and compared;
* a message is untranslated, fuzzy (its English changed) or obsolete;
* a translation lost or changed what it must keep: a role's target, a glued value, a literal
  number, a math span, inline code, a link target; or a ``{term}`` that does not show the
  glossary's Chinese name.

The last test changes one sentence of a small book and checks that exactly its message goes
stale, with its old translation kept for the translator.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import translations as tr  # noqa: E402


def _live(path: Path) -> set[str]:
    return {e.msgid for e in tr._pofile(path) if not e.obsolete}


def test_there_is_a_catalogue_for_every_page_and_nothing_else(tmp_path_factory):
    pot_dir = tr.extract(REPO, tmp_path_factory.mktemp("gettext") / "gettext")
    templates = {p.relative_to(pot_dir).with_suffix("").as_posix(): p
                 for p in pot_dir.rglob("*.pot")}
    catalogues = {p.relative_to(tr.CATALOGUES).with_suffix("").as_posix(): p
                  for p in tr.catalogues()}
    assert set(catalogues) == set(templates), (
        f"pages without a catalogue: {sorted(set(templates) - set(catalogues))}; catalogues "
        f"of no page: {sorted(set(catalogues) - set(templates))} (run `make translations`)")
    stale = []
    for name, template in sorted(templates.items()):
        english = _live(template)
        held = _live(catalogues[name])
        stale += [f"{name}: not in the catalogue: {m[:80]!r}" for m in sorted(english - held)]
        stale += [f"{name}: no longer in the English: {m[:80]!r}" for m in sorted(held - english)]
    assert not stale, ("the catalogues are not those of the English text; run `make "
                       "translations` and translate what it lists:\n" + "\n".join(stale))


def test_no_message_is_untranslated_fuzzy_or_obsolete():
    stale = []
    for path in tr.catalogues():
        s = tr.status(path)
        stale += [f"{s.catalogue}: untranslated: {e.msgid[:80]!r}" for e in s.untranslated]
        stale += [f"{s.catalogue}: fuzzy: {e.msgid[:80]!r}" for e in s.fuzzy]
        stale += [f"{s.catalogue}: obsolete: {e.msgid[:80]!r}" for e in s.obsolete]
    assert not stale, f"{len(stale)} stale message(s):\n" + "\n".join(stale[:60])


def test_every_translation_keeps_its_roles_values_math_code_and_terms():
    found = []
    for path in tr.catalogues():
        name = path.relative_to(tr.CATALOGUES).with_suffix("").as_posix()
        for entry in tr._pofile(path):
            if entry.msgstr and not entry.obsolete:
                found += [f"{name}: {p}: in {entry.msgid[:60]!r}"
                          for p in tr.message_problems(entry.msgid, entry.msgstr)]
    assert not found, "\n".join(found[:60])


ENGLISH = ("A {term}`character-level language model <character-level language model "
           "(基于字符的语言模型)>` reads $a^{\\langle t \\rangle}$ with `np.eye` "
           "({ref}`ch6-names`, {doc}`../assignments/a01/a01`): {glue:text}`ch07_ppl:.2f`, "
           "{lit}`0.75` and [nbgrader](https://nbgrader.readthedocs.io).")
GOOD = ("{term}`基于字符的语言模型 <character-level language model (基于字符的语言模型)>`用 "
        "`np.eye` 读取 $a^{\\langle t \\rangle}$（{ref}`第 6 章 <ch6-names>`，"
        "{doc}`../assignments/a01/a01`）：{glue:text}`ch07_ppl:.2f`、{lit}`0.75`，见 "
        "[nbgrader 文档](https://nbgrader.readthedocs.io)。")


def test_a_faithful_translation_passes():
    assert tr.message_problems(ENGLISH, GOOD) == []


@pytest.mark.parametrize("before, after, kind", [
    ("<character-level language model (基于字符的语言模型)>", "<character model>", "role target"),
    ("{ref}`第 6 章 <ch6-names>`", "第 6 章", "role target"),
    ("{doc}`../assignments/a01/a01`", "作业 1", "role target"),
    ("{glue:text}`ch07_ppl:.2f`", "{glue:text}`ch07_ppl:.1f`", "value"),
    ("{glue:text}`ch07_ppl:.2f`", "6.74", "value"),
    ("{lit}`0.75`", "0.75", "value"),
    ("$a^{\\langle t \\rangle}$", "$a^{t}$", "math"),
    ("`np.eye`", "np.eye", "inline code"),
    ("(https://nbgrader.readthedocs.io)", "(https://example.org)", "link"),
    ("{term}`基于字符的语言模型 <", "{term}`字符模型 <", "should show the glossary's name"),
])
def test_a_translation_that_loses_or_changes_a_kept_part_is_refused(before, after, kind):
    assert before in GOOD
    problems = tr.message_problems(ENGLISH, GOOD.replace(before, after))
    assert any(kind in p for p in problems), problems


def test_a_translation_may_show_the_chinese_variant_of_a_glued_value():
    assert tr.message_problems(ENGLISH, GOOD.replace("`ch07_ppl:.2f`", "`ch07_ppl_zh:.2f`")) == []
    assert tr.message_problems(ENGLISH, GOOD.replace("`ch07_ppl:.2f`", "`ch07_pp_zh:.2f`"))


def _catalogue_showing(tmp_path, *keys: str) -> Path:
    import polib

    po = polib.POFile()
    for key in keys:
        po.append(polib.POEntry(msgid=f"It is {{glue:text}}`{key}`.",
                                msgstr=f"它{{glue:text}}`{key}`。"))
    path = tmp_path / "07_char_models.po"
    po.save(str(path))
    return path


def test_a_string_glued_in_english_into_a_chinese_message_is_found(tmp_path):
    import json

    glue = tmp_path / "07_char_models.glue.json"
    outputs = {"verdict": "'worse than'", "verdict_zh": "'更差'", "best_name": "'LSTM, frozen'",
               "ppl": "6.74", "share": "'12.5%'"}
    glue.write_text(json.dumps({key: {"data": {"text/plain": plain}} for key, plain
                                in outputs.items()}), encoding="utf-8")
    strings = tr.glued_strings(glue)
    assert strings == {"verdict": "worse than", "verdict_zh": "更差",
                       "best_name": "LSTM, frozen", "share": "12.5%"}
    shown = _catalogue_showing(tmp_path, "verdict", "verdict_zh", "best_name", "ppl", "share")
    problems = tr.glue_language_problems(shown, strings)
    assert len(problems) == 1 and "'verdict'" in problems[0] and "verdict_zh" in problems[0]


def test_no_chinese_page_shows_english_in_a_glued_string(built_book):
    """Numbers read the same in both editions; a string the code builds in English (a verdict,
    "3 of 5") is glued a second time in Chinese (``<key>_zh``), and the translation shows that.
    Read from the executed pages of this run's build."""
    executed = built_book.parent / "jupyter_execute"
    found, pages = [], 0
    for path in tr.catalogues():
        glue = executed / path.relative_to(tr.CATALOGUES).with_suffix(".glue.json")
        if glue.exists():
            pages += 1
            found += tr.glue_language_problems(path, tr.glued_strings(glue))
    assert pages >= 10, f"only {pages} executed pages with glued values in {executed}"
    assert not found, f"{len(found)} English string(s) in Chinese pages:\n" + "\n".join(found)


def test_a_term_may_show_any_of_its_names_and_a_target_may_contain_angle_brackets():
    english = ("the {term}`end-of-sentence token <end of sentence, <EOS> (句子结尾标记)>` and "
               "{term}`clipping <gradient clipping (梯度修剪, 梯度裁剪)>`")
    good = ("{term}`句子结尾标记 <end of sentence, <EOS> (句子结尾标记)>`和"
            "{term}`梯度裁剪 <gradient clipping (梯度修剪, 梯度裁剪)>`")
    assert tr.message_problems(english, good) == []
    assert tr.message_problems(english, good.replace("`梯度裁剪 <", "`裁剪 <"))


def test_blocks_round_trip_and_a_refused_translation_stays_untranslated(tmp_path):
    import polib

    po = polib.POFile(wrapping=False)
    po.append(polib.POEntry(msgid="Hello $x$."))
    po.append(polib.POEntry(msgid="\n\\frac{a}{b}\n"))
    po.append(polib.POEntry(msgid="Use `np.eye`."))
    path = tmp_path / "page.po"
    po.save(str(path))
    blocks = tr.export(path)
    assert tr.read_blocks(blocks) == {0: "Hello $x$.", 1: "\\frac{a}{b}", 2: "Use `np.eye`."}
    stored, refused = tr.import_blocks(path, "#### 0\n你好 $x$。\n#### 1\n\\frac{a}{b}\n"
                                             "#### 2\n用 np.eye。\n")
    assert (stored, len(refused)) == (2, 1) and "inline code" in refused[0]
    entries = list(tr._pofile(path))
    assert entries[1].msgstr == "\n\\frac{a}{b}\n"  # the English message's line breaks kept
    assert entries[2].msgstr == ""


SMALL_BOOK = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A small page

The first paragraph stays as it is.

The second paragraph is the one that changes, and it is long enough (with "quotes" and `code`)
that a catalogue wrapped at 76 columns would split its old English over several lines.

The third paragraph stays too.
"""


def test_changing_one_english_sentence_makes_exactly_its_message_stale(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(REPO / "_config.yml", book / "_config.yml")
    shutil.copytree(REPO / "_ext", book / "_ext")
    favicon = REPO / "chapters" / "images" / "favicon.svg"
    (book / "chapters" / "images").mkdir(parents=True)
    shutil.copy(favicon, book / "chapters" / "images" / favicon.name)
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (book / "index.md").write_text(SMALL_BOOK)
    locales = book / "locales"

    tr.merge(tr.extract(book), locales)
    catalogue = locales / tr.LANGUAGE / "LC_MESSAGES" / "index.po"
    po = tr._pofile(catalogue)
    for entry in po:
        entry.msgstr = f"译：{entry.msgid}"
    po.save(str(catalogue))

    (book / "index.md").write_text(SMALL_BOOK.replace("the one that changes", "the changed one"))
    tr.merge(tr.extract(book), locales)
    s = tr.status(catalogue)
    old = ("The second paragraph is the one that changes, and it is long enough (with \"quotes\""
           " and `code`) that a catalogue wrapped at 76 columns would split its old English over"
           " several lines.")
    new = old.replace("the one that changes", "the changed one")
    assert [e.msgid for e in s.fuzzy] == [new]
    assert s.fuzzy[0].msgstr == "译：" + old
    # the translator sees what changed: the old English is kept (#| lines) and exported
    assert s.fuzzy[0].previous_msgid == old
    assert f"old English\n{old}\n" in tr.export(catalogue)
    assert not s.untranslated and not s.obsolete
    assert s.translated == s.messages - 1
    # once translated again, the old English is gone
    msgids = [e.msgid for e in tr._pofile(catalogue)]
    number = msgids.index(new)
    assert tr.import_blocks(catalogue, f"#### {number}\n译：第二段（`code`）改了。\n") == (1, [])
    assert "#|" not in catalogue.read_text(encoding="utf-8")
    assert tr.status(catalogue).fuzzy == []
