"""The Chinese edition's message catalogues: extract, update, report and check them.

The English MyST sources are the only source. Sphinx's ``gettext`` builder extracts their
messages (one catalogue per document, code cells excluded), Babel merges them into the
translations under ``locales/zh_CN/LC_MESSAGES/`` as sphinx-intl does (a changed English message
keeps its old translation but is marked fuzzy, with its old English in ``#|`` lines; a removed
one is dropped), and the book is then built a second time with ``language = zh_CN``.

    python scripts/translations.py update    # extract + merge (+ model answers), then the status
    python scripts/translations.py status    # per catalogue: messages, translated, stale
    python scripts/translations.py check     # every problem, one line each; exit 1 if any
    python scripts/translations.py export chapters/07_char_models > todo.txt
    python scripts/translations.py import chapters/07_char_models done.txt
    python scripts/translations.py notebooks # solutions/<a>_zh/<a>_zh.ipynb from the catalogues

``export`` writes the catalogue's stale messages as blocks: a line ``#### N`` (the message's
number in the catalogue), then the English text as it is; a fuzzy message also has its old
English after a line ``#### N old English`` and its old translation after a line ``#### N old``
(what changed in the English is what the translation must change). A translator replaces
each English text by its translation (keeping the ``#### N`` lines, dropping the old ones),
and ``import`` stores them:
it checks each one first and keeps a message that fails the check untranslated, saying why.
Texts are verbatim (no quoting or escaping), so math with backslashes is written as it is.

A message is *stale* when it is untranslated, fuzzy or obsolete. ``check`` also compares each
translation with its English message: the same roles with the same targets ({term}, {ref},
{doc}, {numref}, {eq}), the same glued values and literal numbers, the same math spans, inline
code and link targets; and every {term} shows the glossary's Chinese name of its term.

``check`` also reads the glued values of the last build (``_build/jupyter_execute``): a string
that the code glues in English ("worse than", "3 of 5") must not appear in a Chinese sentence;
the code glues a Chinese variant under ``<key>_zh``, which the translation shows instead (see
``glue_language_problems``).

``notebooks`` writes each assignment's Chinese source notebook, ``solutions/<a>_zh/<a>_zh.ipynb``,
which nbgrader releases and grades like the English one: the same cells, code and metadata, with
each Markdown cell translated. MyST's own parser finds the cell's text elements (paragraphs,
headings, list items, table cells: what Sphinx makes a message of), and each element's source
lines are replaced by the translation of its message (its source with line breaks as spaces),
keeping the line's prefix (``## ``, ``1. ``, ``> ``, indentation); code, display math and HTML
stay as they are. The messages are those of the assignment's book page, the release; the model
answers of the manually graded Markdown cells (the release shows ``YOUR ANSWER HERE`` instead)
are in ``locales/zh_CN/model_answers/<a>.po``, which ``update`` refreshes from the sources
(outside LC_MESSAGES: they are no page of the book). A message with no translation stops the
command, naming the cell and the message.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALES = REPO / "locales"
CATALOGUES = LOCALES / LANGUAGE / "LC_MESSAGES"
NO_WRAP = 2**31  # a line width that no message reaches
ANSWERS = LOCALES / LANGUAGE / "model_answers"
SOLUTIONS = REPO / "solutions"
# The Chinese copy of assignment <a> is the assignment <a>_zh.
CHINESE_SUFFIX = "_zh"
POT_DIR = REPO / "_build" / "gettext"
EXECUTED = REPO / "_build" / "jupyter_execute"  # where myst-nb writes the executed pages
BIN = Path(sys.executable).parent

# Sphinx settings of the extraction: one catalogue per document, no source locations or uuids
# (they would change every catalogue whenever a line moves).
GETTEXT_OVERRIDES = {
    "gettext_compact": False,
    "gettext_location": False,
    "gettext_uuid": False,
    "gettext_last_translator": "",
    "nb_execution_mode": "off",  # messages are text: no cell runs
    "latex_individualpages": False,  # a key jupyter-book's Python API expects
}

# --- what a translation must keep ------------------------------------------------------------

ROLE_RE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
# Sphinx's own split of "shown text <target>" (sphinx.util.nodes.explicit_title_re): the target
# may itself contain <...>, as in "end of sentence, <EOS> (句子结尾标记)".
TARGET_RE = re.compile(r"^(.+?)\s*(?<!\x00)<(.*?)>$", re.S)
MATH_RE = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
CODE_RE = re.compile(r"(?<![}`])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
LINK_RE = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")
CJK_RE = re.compile(r"[\u3400-\u9fff]")
# Roles whose target must stay; the shown text (before <target>) is translated.
TARGET_ROLES = {"term", "ref", "doc", "numref", "eq", "download", "prf:ref"}


def _roles(text: str) -> list[tuple[str, str, str]]:
    """(role, shown text, target) of every role in ``text``."""
    found = []
    for role, content in ROLE_RE.findall(text):
        match = TARGET_RE.match(content)
        if role in TARGET_ROLES and match:
            found.append((role, match.group(1), match.group(2)))
        else:
            found.append((role, content, content))
    return found


def kept_parts(text: str) -> dict[str, Counter]:
    """The parts of a message that its translation must contain unchanged."""
    roles = _roles(text)
    without_roles = ROLE_RE.sub(" ", text)
    math = MATH_RE.findall(without_roles)
    without_math = MATH_RE.sub(" ", without_roles)
    return {
        "role target": Counter(f"{{{r}}} {t}" for r, _, t in roles if r in TARGET_ROLES),
        "value": Counter(f"{{{r}}}`{english_key(c)}`" for r, c, _ in roles
                         if r not in TARGET_ROLES),
        "math": Counter(m.strip() for m in math),
        "inline code": Counter(m[1] for m in CODE_RE.findall(without_math)),
        "link": Counter(a or b for a, b in LINK_RE.findall(without_math)),
    }


def english_key(glued: str) -> str:
    """``ch07_verdict_zh:.1f`` → ``ch07_verdict:.1f``: a translation may show a value's Chinese
    variant, which the page's code glues under the English key plus ``_zh``."""
    key, colon, fmt = glued.partition(":")
    return key.removesuffix(CHINESE_SUFFIX) + colon + fmt


# --- glued text in Chinese messages -----------------------------------------------------------
#
# A value glued from code appears in the Chinese page as the code made it. Numbers read the same
# in both editions, but a string the code builds in English ("worse than", "3 of 5", a verdict)
# would put English words inside a Chinese sentence: the code glues a Chinese variant under
# ``<key>_zh`` and the translation shows that. Strings of data (a word of the corpus, a model's
# name as its table shows it) are the same in both editions: their keys end in one of
# DATA_GLUE_SUFFIXES.

DATA_GLUE_SUFFIXES = ("_word", "_words", "_name", "_names")
GLUE_KEY_RE = re.compile(r"\{glue(?::[\w]+)?\}`([^`:]+)")
LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")


def glued_strings(glue_file: Path) -> dict[str, str]:
    """The strings a page glues, by key (numbers and figures left out), read from the
    ``<page>.glue.json`` that myst-nb writes beside the executed notebook
    (``_build/jupyter_execute/``)."""
    import ast
    import json

    found = {}
    for key, output in json.loads(glue_file.read_text(encoding="utf-8")).items():
        data = output.get("data", {})
        prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        plain = data.get("text/plain", data.get(prefix + "text/plain", ""))
        if plain[:1] in ("'", '"'):
            try:
                found[key] = ast.literal_eval(plain)
            except (ValueError, SyntaxError):
                found[key] = plain
    return found


def glue_language_problems(path: Path, strings: dict[str, str]) -> list[str]:
    """The messages of catalogue ``path`` whose translation shows a string glued in English:
    ``strings`` are the page's glued strings (:func:`glued_strings` of its executed notebook)."""
    page = path.stem
    out = []
    for entry in _pofile(path):
        if entry.obsolete or not entry.msgstr:
            continue
        for key in dict.fromkeys(GLUE_KEY_RE.findall(entry.msgstr)):
            value = strings.get(key)
            if (value is None or key.endswith(CHINESE_SUFFIX)
                    or key.endswith(DATA_GLUE_SUFFIXES) or not LATIN_WORD_RE.search(value)):
                continue
            out.append(f"{page}: the translation shows {key!r}, glued in English "
                       f"({value[:60]!r}): glue a Chinese variant {key + CHINESE_SUFFIX!r} "
                       "in the page's code and show that")
    return out


def glossary_chinese(target: str) -> list[str]:
    """The Chinese names in a glossary term such as ``perplexity (困惑度)`` or
    ``forward propagation (前向传播, 正向传播)`` (none if it has no Chinese name)."""
    match = re.search(r"\(([^()]*)\)\s*$", target)
    if match and CJK_RE.search(match.group(1)):
        return [name.strip() for name in re.split(r"[,，、]", match.group(1)) if name.strip()]
    return []


def message_problems(msgid: str, msgstr: str) -> list[str]:
    """What a translation lost or changed, one phrase each (empty: it keeps everything)."""
    problems = []
    want, got = kept_parts(msgid), kept_parts(msgstr)
    for kind in want:
        missing, extra = want[kind] - got[kind], got[kind] - want[kind]
        if missing:
            problems.append(f"{kind} missing: {', '.join(sorted(missing))}")
        if extra:
            problems.append(f"{kind} not in the English: {', '.join(sorted(extra))}")
    for role, shown, target in _roles(msgstr):
        names = glossary_chinese(target) if role == "term" else []
        if names and not any(name in shown for name in names):
            problems.append(f"{{term}} `{shown}` should show the glossary's name "
                            f"{' or '.join(names)}")
    return problems


# --- catalogues --------------------------------------------------------------------------------

@dataclass
class Status:
    catalogue: str
    messages: int
    translated: int
    untranslated: list
    fuzzy: list
    obsolete: list

    @property
    def stale(self) -> int:
        return len(self.untranslated) + len(self.fuzzy) + len(self.obsolete)


def catalogues() -> list[Path]:
    """The catalogues of the book's pages (what Sphinx reads)."""
    return sorted(CATALOGUES.rglob("*.po"))


def answer_catalogues() -> list[Path]:
    """The catalogues of the assignments' model answers (only the Chinese notebooks read them)."""
    return sorted(ANSWERS.glob("*.po"))


def _pofile(path: Path):
    import polib

    return polib.pofile(str(path), wrapwidth=0)


def status(path: Path) -> Status:
    po = _pofile(path)
    live = [e for e in po if not e.obsolete]
    return Status(
        catalogue=(path.relative_to(CATALOGUES) if path.is_relative_to(CATALOGUES)
                   else path.relative_to(ANSWERS.parent) if path.is_relative_to(ANSWERS.parent)
                   else Path(path.name)).with_suffix("").as_posix(),
        messages=len(live),
        translated=sum(1 for e in live if e.msgstr and "fuzzy" not in e.flags),
        untranslated=[e for e in live if not e.msgstr],
        fuzzy=[e for e in live if e.msgstr and "fuzzy" in e.flags],
        obsolete=[e for e in po if e.obsolete],
    )


def problems(path: Path) -> list[str]:
    """Every problem of one catalogue, one line each, naming the message."""
    s = status(path)
    short = lambda e: (e.msgid[:70] + "…") if len(e.msgid) > 70 else e.msgid  # noqa: E731
    out = [f"{s.catalogue}: untranslated: {short(e)!r}" for e in s.untranslated]
    out += [f"{s.catalogue}: fuzzy (English changed): {short(e)!r}" for e in s.fuzzy]
    out += [f"{s.catalogue}: obsolete (English removed): {short(e)!r}" for e in s.obsolete]
    for entry in _pofile(path):
        if entry.obsolete or not entry.msgstr or "fuzzy" in entry.flags:
            continue
        for problem in message_problems(entry.msgid, entry.msgstr):
            out.append(f"{s.catalogue}: {problem}: in {short(entry)!r}")
    return out


def extract(root: Path = REPO, pot_dir: Path | None = None) -> Path:
    """The English messages of the book in ``root``, one .pot per document, into ``pot_dir``
    (default: ``root``/_build/gettext); returns that folder."""
    from jupyter_book.sphinx import build_sphinx

    pot_dir = pot_dir or root / "_build" / "gettext"
    result = build_sphinx(root, pot_dir, noconfig=True, path_config=str(root / "_config.yml"),
                          confoverrides=dict(GETTEXT_OVERRIDES), builder="gettext",
                          doctreedir=pot_dir.parent / f".doctrees-{pot_dir.name}", quiet=True,
                          really_quiet=True, freshenv=True)
    if result != 0:
        raise SystemExit(f"the gettext build failed ({result})")
    return pot_dir


def merge(pot_dir: Path = POT_DIR, locales: Path = LOCALES) -> None:
    """Merge the .pot files into the catalogues under ``locales``: a changed message becomes
    fuzzy with its old translation and, in ``#|`` lines, its old English (so that a translator
    sees what changed), a new one untranslated, a removed one is dropped; unwrapped lines.

    This is sphinx-intl's ``update`` (Babel's ``Catalog.update``, a catalogue rewritten only
    when its messages changed), except that sphinx-intl drops the previous English and keeps
    the obsolete messages of a catalogue whose template did not change."""
    from babel.messages import pofile

    out = locales / LANGUAGE / "LC_MESSAGES"
    for pot in sorted(pot_dir.rglob("*.pot")):
        path = out / pot.relative_to(pot_dir).with_suffix(".po")
        with open(pot, "rb") as f:
            template = pofile.read_po(f)
        if path.exists():
            with open(path, "rb") as f:
                catalogue = pofile.read_po(f)
            before = {m.id for m in catalogue if m.id}
            obsolete = bool(catalogue.obsolete)
            catalogue.update(template)
            if {m.id for m in catalogue if m.id} == before and not obsolete:
                continue
        else:
            catalogue, template.locale = template, LANGUAGE
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            # No wrapping. Not width=0: Babel then wraps comments at 76 columns, and a long
            # previous msgid (#| lines) comes out as unquoted lines that no reader parses.
            pofile.write_po(f, catalogue, width=NO_WRAP, ignore_obsolete=True,
                            include_previous=True)


def print_status() -> int:
    rows = [status(p) for p in catalogues() + answer_catalogues()]
    width = max(len(r.catalogue) for r in rows)
    print(f"{'catalogue':<{width}}  messages  translated  untranslated  fuzzy  obsolete")
    for r in rows:
        print(f"{r.catalogue:<{width}}  {r.messages:8d}  {r.translated:10d}  "
              f"{len(r.untranslated):12d}  {len(r.fuzzy):5d}  {len(r.obsolete):8d}")
    total = sum(r.messages for r in rows)
    done = sum(r.translated for r in rows)
    print(f"{'total':<{width}}  {total:8d}  {done:10d}  "
          f"{sum(len(r.untranslated) for r in rows):12d}  {sum(len(r.fuzzy) for r in rows):5d}  "
          f"{sum(len(r.obsolete) for r in rows):8d}")
    return sum(r.stale for r in rows)


BLOCK_RE = re.compile(r"^#### (\d+)( old(?: English)?)?$", re.M)


def export(path: Path, everything: bool = False) -> str:
    """The stale messages of a catalogue (all of them with ``everything``) as blocks."""
    out = []
    for number, entry in enumerate(e for e in _pofile(path) if not e.obsolete):
        stale = not entry.msgstr or "fuzzy" in entry.flags
        if stale or everything:
            out.append(f"#### {number}\n{entry.msgid}\n")
            if entry.msgstr and "fuzzy" in entry.flags:
                if entry.previous_msgid:
                    out.append(f"#### {number} old English\n{entry.previous_msgid}\n")
                out.append(f"#### {number} old\n{entry.msgstr}\n")
    return "".join(out)


def read_blocks(text: str) -> dict[int, str]:
    """``#### N`` blocks -> {N: text}; ``#### N old`` (``old English``) blocks are ignored."""
    found, marks = {}, list(BLOCK_RE.finditer(text))
    for mark, following in zip(marks, marks[1:] + [None]):
        body = text[mark.end() + 1: following.start() if following else len(text)]
        if not mark.group(2):
            found[int(mark.group(1))] = body.strip("\n")
    return found


def import_blocks(path: Path, text: str) -> tuple[int, list[str]]:
    """Store the translations of ``text`` (blocks) in the catalogue; returns (stored, refused:
    one line per refused message, saying why)."""
    po = _pofile(path)
    live = [e for e in po if not e.obsolete]
    stored, refused = 0, []
    for number, translation in sorted(read_blocks(text).items()):
        if not 0 <= number < len(live):
            refused.append(f"#### {number}: the catalogue has {len(live)} messages")
            continue
        entry = live[number]
        if not translation.strip():
            refused.append(f"#### {number}: empty translation")
            continue
        found = message_problems(entry.msgid, translation)
        if found:
            refused.append(f"#### {number}: {'; '.join(found)}")
            continue
        # The block format cannot show a message's leading or trailing line breaks (display
        # math has them): the translation gets the English message's own.
        lead = entry.msgid[:len(entry.msgid) - len(entry.msgid.lstrip("\n"))]
        trail = entry.msgid[len(entry.msgid.rstrip("\n")):]
        entry.msgstr = lead + translation + trail
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        stored += 1
    po.save(str(path))
    return stored, refused


# --- the Chinese notebooks ---------------------------------------------------------------------

class MissingTranslation(Exception):
    """A Markdown cell of an assignment has a message that its catalogue does not translate."""


def markdown_parser():
    """MyST's Markdown parser with the book's extensions (the parser MyST-NB reads cells with)."""
    import yaml
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config.get("parse", {}).get("myst_enable_extensions", []))
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


def text_elements(text: str, parser) -> list[tuple[str, object]]:
    """(opening token type, inline token) of every text element of ``text`` that Sphinx makes a
    message of: the text of a paragraph, heading, definition term or table cell. Code, display
    math and HTML blocks have no inline token; empty table cells are left out."""
    tokens = parser.parse(text)
    return [(before.type, token) for before, token in zip(tokens, tokens[1:])
            if token.type == "inline" and token.map and token.content.strip()]


def message_of(element) -> str:
    """The msgid Sphinx extracts for a text element: its source with line breaks as spaces."""
    return element.content.replace("\n", " ")


TABLE_CELLS = ("th_open", "td_open")


def translate_markdown(text: str, translate, parser) -> str:
    """``text`` with every text element replaced by ``translate(msgid)``.

    A paragraph or heading loses its source lines to one line: the first line's prefix (list
    marker, ``#``, ``>``, indentation) and the translation, whose own line breaks (if any) go
    on under the same prefix with its markers blanked. A table cell is replaced inside its row,
    the row's cells from left to right.
    """
    lines = text.split("\n")
    dropped: set[int] = set()
    searched_to: dict[int, int] = {}   # table row -> where its next cell is looked for
    for kind, element in text_elements(text, parser):
        translation = translate(message_of(element))
        first_line, *more = element.content.split("\n")
        start = element.map[0]
        if kind in TABLE_CELLS:
            row = lines[start]
            at = row.index(first_line, searched_to.get(start, 0))
            lines[start] = row[:at] + translation + row[at + len(first_line):]
            searched_to[start] = at + len(translation)
            continue
        prefix = lines[start][:lines[start].index(first_line)]
        # Continuation lines keep the prefix's blockquote markers; list markers and heading
        # hashes become spaces.
        more_prefix = re.sub(r"[^\s>]", " ", prefix)
        first, *rest = translation.strip("\n").split("\n")
        lines[start] = "\n".join([prefix + first] + [more_prefix + line if line else line
                                                    for line in rest])
        dropped.update(range(start + 1, start + 1 + len(more)))
    return "\n".join(line for number, line in enumerate(lines) if number not in dropped)


def translations_in(path: Path) -> dict[str, str]:
    """msgid -> translation of a catalogue (untranslated and fuzzy messages left out)."""
    if not path.exists():
        return {}
    return {e.msgid: e.msgstr for e in _pofile(path)
            if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}


def page_catalogue(assignment: str, locales: Path = LOCALES) -> Path:
    """The catalogue of an assignment's book page (its release notebook)."""
    return locales / LANGUAGE / "LC_MESSAGES" / "assignments" / assignment / f"{assignment}.po"


def answer_catalogue(assignment: str, locales: Path = LOCALES) -> Path:
    """The catalogue of an assignment's model answers (manually graded Markdown cells)."""
    return locales / LANGUAGE / "model_answers" / f"{assignment}.po"


def is_model_answer(cell) -> bool:
    """A manually graded Markdown answer: the release replaces it by ``YOUR ANSWER HERE``."""
    return (cell.cell_type == "markdown"
            and bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution")))


def model_answer_messages(source: Path, parser) -> list[str]:
    """The messages of the model answers of an English source notebook, in order."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    found = []
    for cell in nb.cells:
        if is_model_answer(cell):
            for _, element in text_elements(cell.source, parser):
                if message_of(element) not in found:
                    found.append(message_of(element))
    return found


def update_answers(solutions: Path = SOLUTIONS, locales: Path = LOCALES) -> None:
    """Write the model-answer catalogues again from the English sources, in the answers' order:
    a message that is still there keeps its translation, a new or changed one is untranslated
    (the answers are a few paragraphs: a changed one is translated again, with no fuzzy copy),
    a removed one is dropped, and an assignment without model answers has no catalogue."""
    import polib

    parser = markdown_parser()
    for source in english_sources(solutions):
        assignment = source.parent.name
        messages = model_answer_messages(source, parser)
        path = answer_catalogue(assignment, locales)
        if not messages:
            path.unlink(missing_ok=True)
            continue
        old = translations_in(path)
        po = polib.POFile(wrapwidth=0)
        po.metadata = {"Project-Id-Version": "Sequence Models", "Language": LANGUAGE,
                       "MIME-Version": "1.0", "Content-Type": "text/plain; charset=utf-8",
                       "Content-Transfer-Encoding": "8bit"}
        for msgid in messages:
            po.append(polib.POEntry(msgid=msgid, msgstr=old.get(msgid, "")))
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))


def english_sources(solutions: Path = SOLUTIONS) -> list[Path]:
    """The English assignment sources ``solutions/<a>/<a>.ipynb`` (not the Chinese copies)."""
    return sorted(p for p in solutions.glob("*/*.ipynb")
                  if p.stem == p.parent.name and not p.stem.endswith(CHINESE_SUFFIX))


def chinese_notebook(source: Path, locales: Path = LOCALES, parser=None):
    """The Chinese copy of an English source notebook: the same notebook, every Markdown cell
    translated (see :func:`translate_markdown`).

    Raises
    ------
    MissingTranslation
        naming the notebook, the cell and the first message its catalogue does not translate.
    """
    import copy

    import nbformat

    parser = parser or markdown_parser()
    assignment = source.parent.name
    page = page_catalogue(assignment, locales)
    answers = answer_catalogue(assignment, locales)
    page_messages = translations_in(page)
    answer_messages = dict(page_messages, **translations_in(answers))
    nb = copy.deepcopy(nbformat.read(source, as_version=4))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        model_answer = is_model_answer(cell)
        known = answer_messages if model_answer else page_messages
        catalogue = answers if model_answer else page

        def translate(msgid: str) -> str:
            if msgid not in known:
                raise MissingTranslation(
                    f"{source.relative_to(source.parents[2])} cell {index} "
                    f"(id {cell.get('id', '?')}): no translation in "
                    f"{catalogue.relative_to(locales.parent)} of the message {msgid[:80]!r}: "
                    "run `python scripts/translations.py update`, translate, then regenerate")
            return known[msgid]

        cell.source = translate_markdown(cell.source, translate, parser)
    return nb


def write_notebooks(solutions: Path = SOLUTIONS, out: Path | None = None,
                    locales: Path = LOCALES) -> list[Path]:
    """Write ``<out>/<a>_zh/<a>_zh.ipynb`` for every English source ``<solutions>/<a>/<a>.ipynb``
    (``out`` defaults to ``solutions``); returns the paths written. Written as the sources are
    (nbformat's JSON: indent 1, sorted keys, UTF-8 text, a final newline), so the same
    catalogues give the same bytes. Nothing is written unless every notebook translates."""
    import nbformat

    out = out or solutions
    parser = markdown_parser()
    notebooks = {}
    for source in english_sources(solutions):
        name = source.stem + CHINESE_SUFFIX
        notebooks[out / name / f"{name}.ipynb"] = chinese_notebook(source, locales, parser)
    for path, nb in notebooks.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return sorted(notebooks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "status", "check", "export", "import",
                                            "notebooks"])
    parser.add_argument("catalogues", nargs="*",
                        help="check only these (e.g. chapters/07_char_models); default: all. "
                             "export: one catalogue; import: one catalogue and a file")
    parser.add_argument("--all", action="store_true", help="export: every message, not only "
                        "the stale ones")
    args = parser.parse_args(argv)
    if args.command == "export":
        sys.stdout.write(export(CATALOGUES / f"{args.catalogues[0]}.po", args.all))
        return 0
    if args.command == "import":
        catalogue, blocks = args.catalogues
        stored, refused = import_blocks(CATALOGUES / f"{catalogue}.po",
                                        Path(blocks).read_text(encoding="utf-8"))
        for line in refused:
            print(line)
        print(f"{stored} translation(s) stored, {len(refused)} refused", file=sys.stderr)
        return 1 if refused else 0
    if args.command == "notebooks":
        try:
            written = write_notebooks(SOLUTIONS, locales=LOCALES)
        except MissingTranslation as error:
            print(error, file=sys.stderr)
            return 1
        for path in written:
            print(path.relative_to(REPO))
        return 0
    if args.command == "update":
        extract()
        merge()
        update_answers()
        stale = print_status()
        if stale:
            print(f"\n{stale} message(s) to translate: `python scripts/translations.py check` "
                  "lists them; edit the .po files under locales/ (polib, or a PO editor).")
        return 0
    if args.command == "status":
        print_status()
        return 0
    paths = catalogues() + answer_catalogues()
    if args.catalogues:
        paths = [CATALOGUES / f"{c}.po" for c in args.catalogues]
    found = [line for p in paths for line in problems(p)]
    # The glued strings of the last build's executed pages (absent before a first `make book`).
    for path in paths:
        if path.is_relative_to(CATALOGUES):
            glue = EXECUTED / path.relative_to(CATALOGUES).with_suffix(".glue.json")
            if glue.exists():
                found += glue_language_problems(path, glued_strings(glue))
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) in {len(paths)} catalogue(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
