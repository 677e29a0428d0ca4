"""The glossary says truthfully which Chinese names come from the lecture notes.

Each entry of the ``{glossary}`` block in ``chapters/glossary.md`` has one or more heading lines
``english headword (中文名, 中文名)`` (the whole line is the target of the chapters' ``{term}``
roles) and a definition whose last paragraph starts with ``Chinese:``. In that paragraph every
name is followed by its source in parentheses:

``名 (book)``
    the book's own choice: the name does not occur in the notes;
``名 (note 003)`` or ``名 (notes 000, 004)``
    the name occurs in each note listed;
``名 (note 004 writes 名的形式)``
    the note uses a slightly different form of the name, which occurs in it.

Every Chinese name of the heading lines (or the English headword, for entries without one) has
exactly one such mark; further names, marked as the notes', give the notes' other wordings.
Matching ignores white space, Markdown emphasis, ``$``, backslashes and letter case, so that
``**Skip-Gram**模型`` in a note matches ``Skip-Gram模型``.

The notes live in ``../shared/notes`` beside the repository. A clone need not have them: the
checks against their text are skipped there, while the format checks and the self-tests run
everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "chapters" / "glossary.md"
NOTES_DIR = REPO.parent / "shared" / "notes"

FENCE_OPEN = "```{glossary}"
HEADING = re.compile(r"^(?P<head>.*?)(?: \((?P<names>[^()]*)\))?$")
SOURCE_GROUP = re.compile(r"(?P<before>\S*?)(?P<space> ?)\((?P<source>[^()]*)\)")
SOURCE = re.compile(
    r"(?:(?P<book>book)"
    r"|(?P<word>notes?) (?P<ids>\d{3}(?:, \d{3})*)(?: writes (?P<form>\S+))?)"
)
NAME_CHARS = re.compile(r"[^\s;,()]+$")
IGNORED_IN_MATCHING = re.compile(r"[\s*`$\\]")


class GlossaryFormatError(ValueError):
    """The glossary block or one of its *Chinese:* paragraphs does not have the documented form."""


@dataclass(frozen=True)
class Claim:
    """Where the glossary says one Chinese name comes from.

    Attributes
    ----------
    name : str
        The Chinese name as the glossary writes it.
    notes : tuple of str
        Ids (``"000"`` ... ) of the notes said to contain it; empty for the book's own choice.
    form : str or None
        The form the notes write, when it differs from ``name``.
    """

    name: str
    notes: tuple[str, ...]
    form: str | None = None

    @property
    def is_book(self) -> bool:
        return not self.notes


@dataclass(frozen=True)
class Entry:
    """One glossary entry.

    Attributes
    ----------
    headings : tuple of str
        The heading lines, exactly as written (the ``{term}`` targets).
    names : tuple of str
        The Chinese names in the headings, or the English headword where a heading has none.
    claims : tuple of Claim
        The marks of its *Chinese:* paragraph; empty if the entry has none.
    line : int
        1-based line of its first heading in the glossary file.
    """

    headings: tuple[str, ...]
    names: tuple[str, ...]
    claims: tuple[Claim, ...]
    line: int


def normalise(text: str) -> str:
    """Text as the name search sees it: no white space, emphasis, ``$``, backslashes; lower case."""
    return IGNORED_IN_MATCHING.sub("", text).casefold()


def _parse_claims(paragraph: str, line: int) -> tuple[Claim, ...]:
    claims = []
    for group in SOURCE_GROUP.finditer(paragraph):
        source = SOURCE.fullmatch(group["source"])
        name = group["before"]
        if source is None:
            raise GlossaryFormatError(
                f"entry at line {line}: '({group['source']})' is not a source; write (book), "
                f"(note NNN), (notes NNN, NNN) or (note NNN writes FORM)"
            )
        if not name or not group["space"] or not NAME_CHARS.match(name):
            raise GlossaryFormatError(
                f"entry at line {line}: '({group['source']})' must follow the name it marks, "
                f"with one space"
            )
        if source["book"]:
            claims.append(Claim(name, ()))
            continue
        ids = tuple(source["ids"].split(", "))
        if (source["word"] == "note") != (len(ids) == 1):
            raise GlossaryFormatError(
                f"entry at line {line}: '({group['source']})': write 'note' before one id, "
                f"'notes' before several"
            )
        claims.append(Claim(name, ids, source["form"]))
    return tuple(claims)


def parse_glossary(text: str) -> list[Entry]:
    """Read the entries of the ``{glossary}`` block of a glossary page.

    Parameters
    ----------
    text : str
        The whole Markdown page.

    Returns
    -------
    list of Entry
        In the order of the page.

    Raises
    ------
    GlossaryFormatError
        If the page has no closed glossary block, a definition comes before any heading, an entry
        has no definition, or a *Chinese:* paragraph has a source of another form.
    """
    lines = text.split("\n")
    try:
        start = lines.index(FENCE_OPEN)
        end = lines.index("```", start + 1)
    except ValueError:
        raise GlossaryFormatError(f"no '{FENCE_OPEN}' block closed by '```' in the page") from None
    raw: list[tuple[int, list[str], list[str]]] = []
    for number, line in enumerate(lines[start + 1 : end], start=start + 2):
        if line.startswith(":") and not raw:
            continue  # a directive option such as :sorted:
        if line and not line[0].isspace():
            if not raw or raw[-1][2]:
                raw.append((number, [], []))
            raw[-1][1].append(line)
        elif raw:
            raw[-1][2].append(line)
        elif line.strip():
            raise GlossaryFormatError(f"line {number}: a definition line before any term")
    entries = []
    for number, headings, body in raw:
        paragraphs, current = [], []
        for line in body:
            if line.strip():
                current.append(line.strip())
            elif current:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        if not paragraphs:
            raise GlossaryFormatError(f"line {number}: the entry {headings[0]!r} has no definition")
        names: list[str] = []
        for heading in headings:
            match = HEADING.match(heading)
            names += match["names"].split(", ") if match["names"] else [match["head"]]
        last = paragraphs[-1]
        claims = _parse_claims(last, number) if last.startswith("Chinese: ") else ()
        entries.append(Entry(tuple(headings), tuple(names), claims, number))
    return entries


def format_problems(entries: list[Entry]) -> list[str]:
    """Marks missing, doubled or out of place; needs no notes.

    Returns
    -------
    list of str
        One sentence per problem, naming the entry's line and heading.
    """
    problems = []
    for entry in entries:
        where = f"line {entry.line} ({entry.headings[0]})"
        if not entry.claims:
            problems.append(f"{where}: no last paragraph 'Chinese: NAME (SOURCE)'")
            continue
        for name in entry.names:
            count = sum(claim.name == name for claim in entry.claims)
            if count != 1:
                problems.append(f"{where}: {name} is marked {count} times, not once")
        for claim in entry.claims:
            if claim.name not in entry.names and claim.is_book:
                problems.append(
                    f"{where}: {claim.name} is marked (book) but is not a name of the heading"
                )
    return problems


def read_notes(folder: Path) -> dict[str, str]:
    """The notes' normalised text by id (the three digits that start each file name).

    Raises
    ------
    FileNotFoundError
        If the folder holds no ``NNN_*.txt`` file.
    """
    notes = {path.name[:3]: normalise(path.read_text(encoding="utf-8"))
             for path in sorted(folder.glob("[0-9][0-9][0-9]_*.txt"))}
    if not notes:
        raise FileNotFoundError(f"{folder} holds no lecture note named NNN_*.txt")
    return notes


def notes_problems(entries: list[Entry], notes: dict[str, str]) -> list[str]:
    """Marks that the notes' text contradicts.

    Parameters
    ----------
    entries : list of Entry
    notes : dict of str to str
        Normalised text of each note by id, as from `read_notes`.

    Returns
    -------
    list of str
        One sentence per problem: a name marked as a note's that the note lacks, an unknown note
        id, or a name marked (book) that a note contains.
    """
    problems = []
    for entry in entries:
        where = f"line {entry.line} ({entry.headings[0]})"
        for claim in entry.claims:
            wanted = normalise(claim.form or claim.name)
            if claim.is_book:
                found = [key for key, text in notes.items() if normalise(claim.name) in text]
                if found:
                    problems.append(
                        f"{where}: {claim.name} is marked (book) but occurs in note "
                        f"{', '.join(found)}: mark it as the notes'"
                    )
            for key in claim.notes:
                if key not in notes:
                    problems.append(f"{where}: {claim.name}: there is no note {key}")
                elif wanted not in notes[key]:
                    problems.append(
                        f"{where}: {claim.form or claim.name} is marked as note {key}'s "
                        f"but does not occur in it"
                    )
    return problems


@pytest.fixture(scope="module")
def glossary_text() -> str:
    return GLOSSARY.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def entries(glossary_text) -> list[Entry]:
    return parse_glossary(glossary_text)


@pytest.fixture(scope="module")
def notes() -> dict[str, str]:
    if not NOTES_DIR.is_dir():
        pytest.skip(f"the lecture notes ({NOTES_DIR}) are not beside this clone; "
                    f"the glossary's marks can only be checked against them there")
    return read_notes(NOTES_DIR)


def test_every_glossary_entry_marks_each_chinese_name_once(entries):
    assert len(entries) > 100, f"only {len(entries)} entries parsed: has the block's form changed?"
    assert format_problems(entries) == []


def test_names_marked_as_the_notes_occur_in_them_and_the_books_do_not(entries, notes):
    assert notes_problems(entries, notes) == []


def test_glossary_introduction_explains_the_marks(glossary_text):
    intro = glossary_text[: glossary_text.index(FENCE_OPEN)]
    assert "the Chinese term the notes use" not in intro
    for mark in ("*(book)*", "*(note 003)*", "writes"):
        assert mark in intro, f"the introduction does not explain the mark {mark}"


def test_chapter_term_roles_still_find_their_glossary_entry(entries):
    # Sphinx matches a role's target against the heading's text, without its Markdown.
    headings = {heading.replace("`", "").casefold()
                for entry in entries for heading in entry.headings}
    role = re.compile(r"\{term\}`([^`]*)`")
    sources = sorted(REPO.glob("chapters/*.md")) + sorted(REPO.glob("assignments/*/*.ipynb"))
    missing = set()
    for path in sources:
        for match in role.finditer(path.read_text(encoding="utf-8")):
            content = " ".join(match[1].split())  # Sphinx folds white space in targets
            explicit = content.endswith(">") and " <" in content
            target = content[content.index(" <") + 2 : -1] if explicit else content
            if target.strip().casefold() not in headings:
                missing.add(f"{path.relative_to(REPO)}: {target}")
    assert sorted(missing) == []


SYNTHETIC = """# Glossary

```{glossary}
:sorted:

alpha (甲乙, 甲丙)
  First definition.

  Chinese: 甲乙 (note 000); 甲丙 (notes 000, 001).

beta (丙丁)
gamma (戊己)
  Second definition,
  on two lines.

  Chinese: 丙丁 (book); 戊己 (note 001 writes 戊的己); the notes also say 庚辛 (note 000).

delta
  A name written in English in Chinese text too.

  Chinese: delta (note 001).
```
"""
SYNTHETIC_NOTES = {"000": normalise("这里有甲乙和 **甲丙**，还有庚辛。"),
                   "001": normalise("甲丙、戊的己，以及 DELTA。")}


def test_self_check_synthetic_glossary_is_clean():
    entries = parse_glossary(SYNTHETIC)
    assert [entry.names for entry in entries] == [("甲乙", "甲丙"), ("丙丁", "戊己"), ("delta",)]
    assert format_problems(entries) == []
    assert notes_problems(entries, SYNTHETIC_NOTES) == []


CHECKS = {"notes": lambda entries: notes_problems(entries, SYNTHETIC_NOTES),
          "format": format_problems}


@pytest.mark.parametrize(
    ("check", "old", "new", "expected"),
    [
        ("notes", "丙丁 (book)", "丙丁 (note 001)",
         "丙丁 is marked as note 001's but does not occur in it"),
        ("notes", "甲乙 (note 000)", "甲乙 (book)", "甲乙 is marked (book) but occurs in note 000"),
        ("notes", "戊的己", "戊之己", "戊之己 is marked as note 001's but does not occur in it"),
        ("notes", "甲丙 (notes 000, 001)", "甲丙 (notes 000, 007)", "甲丙: there is no note 007"),
        ("format", "\n  Chinese: delta (note 001).\n", "\n", "no last paragraph"),
        ("format", "; 甲丙 (notes 000, 001)", "", "甲丙 is marked 0 times"),
        ("format", "the notes also say 庚辛 (note 000)", "庚辛 (book)",
         "庚辛 is marked (book) but is not"),
    ],
)
def test_self_check_planted_false_or_missing_mark_is_detected(check, old, new, expected):
    planted = SYNTHETIC.replace(old, new)
    assert planted != SYNTHETIC
    problems = CHECKS[check](parse_glossary(planted))
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize("bad", ["丙丁 (books)", "丙丁 (notes 001)", "丙丁 (note 000, 001)",
                                 "丙丁 (note 1)", "丙丁(book)"])
def test_self_check_malformed_source_is_refused(bad):
    with pytest.raises(GlossaryFormatError, match="line 11"):
        parse_glossary(SYNTHETIC.replace("丙丁 (book)", bad))


def test_self_check_false_notes_mark_in_the_real_glossary_is_detected(glossary_text, notes):
    book_mark = "混淆矩阵 (book)"
    assert book_mark in glossary_text, "the planted mark needs an entry marked (book)"
    planted = glossary_text.replace(book_mark, "混淆矩阵 (note 003)")
    problems = notes_problems(parse_glossary(planted), notes)
    assert len(problems) == 1 and "混淆矩阵 is marked as note 003's" in problems[0], problems
