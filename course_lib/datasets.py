"""The course's text data sets, loaded offline from ``course_lib/data``.

Three corpora ship with the library (see ``course_lib/data/README.md`` for their
sources and licences):

* **names** -- 5,163 distinct first names of the 1990 U.S. Census, for character-level
  models (:func:`load_names`);
* **Moby Dick** -- Herman Melville's novel, chapters 1-135, about 210,000 words
  (:func:`load_moby_dick`);
* **State of the Union** -- 233 addresses of U.S. presidents, 1790-2021, about 1.8 million
  words (:func:`load_sotu`, :func:`sotu_text`).

Every loader takes a ``split``: ``"train"``, ``"validation"``, ``"test"`` or ``"all"``.
Splits are fixed (no argument changes them), pairwise disjoint, and together make up
``"all"``, so numbers reported by different chapters are comparable.

:func:`word_corpus` turns any of the texts into tokenised sentences, ready for
:class:`course_lib.text.Vocabulary` and :mod:`course_lib.ngram`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from course_lib.text import tokenize

DATA_DIR = Path(__file__).resolve().parent / "data"

SPLITS = ("train", "validation", "test", "all")

# Seed of the names shuffle. Changing it moves names between train and test: don't.
NAMES_SEED = 1990
NAMES_FRACTIONS = (0.8, 0.1, 0.1)  # train, validation, test

MOBY_DICK_FRACTIONS = (0.9, 0.05, 0.05)  # train, validation, test, in characters

# State of the Union: a split by time. The test set is the 21st century, validation the
# 1990s (with 2000), training everything before -- a model must generalise forwards in time.
SOTU_VALIDATION_FIRST_YEAR = 1990
SOTU_TEST_FIRST_YEAR = 2001


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return split


# ---------------------------------------------------------------------------------------
# names


def _read_names_file(path: Path) -> list[str]:
    """First column of a census ``dist.*.first`` file (``NAME freq cumfreq rank``), lower case."""
    names = []
    for line in path.read_text(encoding="ascii").splitlines():
        if line.strip():
            names.append(line.split()[0].lower())
    return names


@lru_cache(maxsize=1)
def _all_names() -> tuple[str, ...]:
    female = _read_names_file(DATA_DIR / "dist.female.first")
    male = _read_names_file(DATA_DIR / "dist.male.first")
    return tuple(sorted(set(female) | set(male)))


def seeded_shuffle(items, seed: int) -> list[str]:
    """Shuffle strings into an order fixed by ``seed`` alone.

    Each item is sorted by the SHA-256 digest of ``f"{seed}:{item}"``. Unlike a random
    number generator's stream (numpy does not promise the same ``permutation`` across
    versions), this order can never change, so a split made from it is stable forever.

    Parameters
    ----------
    items : iterable of str
        Distinct strings.
    seed : int
        Any integer; different seeds give unrelated orders.

    Returns
    -------
    list of str
        The same strings in shuffled order.
    """
    return sorted(items, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode("utf-8")).hexdigest())


def _split_sizes(n: int, fractions: tuple[float, float, float]) -> tuple[int, int, int]:
    n_train = round(fractions[0] * n)
    n_validation = round(fractions[1] * n)
    return n_train, n_validation, n - n_train - n_validation


def load_names(split: str = "train") -> list[str]:
    """First names of the 1990 U.S. Census, lower case, for character-level models.

    The female and male lists are merged; a name in both (e.g. "jean") appears once.
    The 5,163 names are shuffled with the fixed seed ``NAMES_SEED``
    (:func:`seeded_shuffle`) and cut 80 / 10 / 10 % into train / validation / test.

    Parameters
    ----------
    split : {"train", "validation", "test", "all"}, default "train"
        Which part to return.

    Returns
    -------
    list of str
        The names of that split in alphabetical order (``[a-z]+``, 2 to 11 letters).
        Sizes: train 4,130, validation 516, test 517, all 5,163.

    Raises
    ------
    ValueError
        If ``split`` is not one of ``SPLITS``.
    """
    _check_split(split)
    names = _all_names()
    if split == "all":
        return list(names)
    shuffled = seeded_shuffle(names, NAMES_SEED)
    n_train, n_validation, _ = _split_sizes(len(shuffled), NAMES_FRACTIONS)
    parts = {
        "train": shuffled[:n_train],
        "validation": shuffled[n_train : n_train + n_validation],
        "test": shuffled[n_train + n_validation :],
    }
    return sorted(parts[split])


# ---------------------------------------------------------------------------------------
# Moby Dick

_GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE)
_GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE)


def strip_boilerplate(text: str) -> str:
    """Remove a Project Gutenberg header and footer, if there are any.

    The shipped ``moby_dick.txt.gz`` has none (it starts at "CHAPTER 1. Loomings." and ends
    with the last line of chapter 135), so on it this is the identity; it is here so that a
    Gutenberg copy dropped in its place is cleaned the same way.

    Parameters
    ----------
    text : str
        A book, possibly between ``*** START OF ... ***`` and ``*** END OF ... ***`` lines.

    Returns
    -------
    str
        The text between the markers (without them), or ``text`` unchanged if it has none.
    """
    start = _GUTENBERG_START.search(text)
    if start:
        text = text[start.end() :].lstrip("\r\n")
    end = _GUTENBERG_END.search(text)
    if end:
        text = text[: end.start()].rstrip() + "\n"
    return text


@lru_cache(maxsize=1)
def _moby_dick_text() -> str:
    with gzip.open(DATA_DIR / "moby_dick.txt.gz", "rb") as f:
        return strip_boilerplate(f.read().decode("utf-8"))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def paragraph_cuts(text: str, fractions: tuple[float, ...]) -> list[int]:
    """Character offsets that cut ``text`` into contiguous parts at paragraph boundaries.

    Each cut is the paragraph start (the first character after a blank line) nearest to
    the cumulative fraction of the text's length, so the parts have roughly the requested
    sizes and no paragraph is split.

    Parameters
    ----------
    text : str
        Text whose paragraphs are separated by blank lines.
    fractions : sequence of float
        Sizes of the parts, summing to 1 (e.g. ``(0.9, 0.05, 0.05)``).

    Returns
    -------
    list of int
        ``len(fractions) + 1`` offsets starting with 0 and ending with ``len(text)``;
        part ``i`` is ``text[cuts[i]:cuts[i + 1]]``.

    Raises
    ------
    ValueError
        If the fractions do not sum to 1, or ``text`` has too few paragraphs to give every
        part at least one.
    """
    if abs(sum(fractions) - 1.0) > 1e-9 or any(f <= 0 for f in fractions):
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions}")
    starts = [m.end() for m in _PARAGRAPH_BREAK.finditer(text) if m.end() < len(text)]
    cuts = [0]
    cumulative = 0.0
    for fraction in fractions[:-1]:
        cumulative += fraction
        target = cumulative * len(text)
        candidates = [s for s in starts if s > cuts[-1]]
        if not candidates:
            raise ValueError(f"text has too few paragraphs to cut into {len(fractions)} parts")
        cuts.append(min(candidates, key=lambda s: abs(s - target)))
    if cuts[-1] >= len(text):
        raise ValueError(f"text has too few paragraphs to cut into {len(fractions)} parts")
    cuts.append(len(text))
    return cuts


def load_moby_dick(split: str = "train") -> str:
    """The text of *Moby Dick* (chapters 1-135), or a contiguous part of it.

    The book is cut at paragraph boundaries into the first ~90 % of its characters
    (train), the next ~5 % (validation) and the last ~5 % (test), so a model is
    evaluated on later chapters than it was trained on. ``train + validation + test``
    is exactly ``load_moby_dick("all")``.

    Parameters
    ----------
    split : {"train", "validation", "test", "all"}, default "train"
        Which part to return.

    Returns
    -------
    str
        The text as in the source (UTF-8, curly quotes and em dashes kept; lines are
        hard-wrapped at ~70 characters, paragraphs are separated by blank lines).

    Raises
    ------
    ValueError
        If ``split`` is not one of ``SPLITS``.
    """
    _check_split(split)
    text = _moby_dick_text()
    if split == "all":
        return text
    cuts = paragraph_cuts(text, MOBY_DICK_FRACTIONS)
    index = ("train", "validation", "test").index(split)
    return text[cuts[index] : cuts[index + 1]]


# ---------------------------------------------------------------------------------------
# State of the Union


@lru_cache(maxsize=1)
def _sotu_records() -> tuple[tuple[int, str, str, str], ...]:
    records = []
    with gzip.open(DATA_DIR / "sotu.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            records.append((int(d["year"]), d["president"], d["party"], d["text"]))
    # Stable sort: two speeches of one year (1953, 1961) stay in file-name order.
    records.sort(key=lambda r: r[0])
    return tuple(records)


def _sotu_split_of(year: int) -> str:
    if year >= SOTU_TEST_FIRST_YEAR:
        return "test"
    if year >= SOTU_VALIDATION_FIRST_YEAR:
        return "validation"
    return "train"


def load_sotu(split: str = "all") -> list[dict]:
    """U.S. State of the Union addresses, 1790-2021, one dict per speech, sorted by year.

    The split is by time: ``"train"`` is 1790-1989 (201 speeches), ``"validation"``
    1990-2000 (11), ``"test"`` 2001-2021 (21). Two years have two speeches (1953: Truman's
    last written message and Eisenhower's first address; 1961: Eisenhower and Kennedy);
    within a year the order is alphabetical by president, as in the source file names.

    Parameters
    ----------
    split : {"train", "validation", "test", "all"}, default "all"
        Which part to return.

    Returns
    -------
    list of dict
        Each ``{"year": int, "president": str, "party": str, "text": str}``; president and
        party are spelled as in the source package (``"William Mc Kinley"``,
        ``"Democratic-Republican"``, ``"none"`` for Washington). The text is the source
        file's content unchanged. Each call returns fresh dicts.

    Raises
    ------
    ValueError
        If ``split`` is not one of ``SPLITS``.
    """
    _check_split(split)
    return [
        {"year": year, "president": president, "party": party, "text": text}
        for year, president, party, text in _sotu_records()
        if split == "all" or _sotu_split_of(year) == split
    ]


def sotu_text(split: str = "all") -> str:
    """All State of the Union texts of a split, in year order, separated by blank lines.

    Parameters
    ----------
    split : {"train", "validation", "test", "all"}, default "all"
        As in :func:`load_sotu`.

    Returns
    -------
    str
        The speeches' stripped texts joined with ``"\\n\\n"`` (so :func:`word_corpus`
        never joins the end of one speech to the start of the next).

    Raises
    ------
    ValueError
        If ``split`` is not one of ``SPLITS``.
    """
    return "\n\n".join(speech["text"].strip() for speech in load_sotu(split))


# ---------------------------------------------------------------------------------------
# sentences

# Sentence ends: . ! ? (a run of them counts once) and blank lines (paragraph breaks).
# Not a sentence end: the dot of Mr. Mrs. Ms. Dr. St. and a decimal point (4,770,558.45).
# Single newlines are NOT sentence ends: Moby Dick is hard-wrapped at ~70 characters, so a
# newline there is just a space.
_SENTENCE_END = re.compile(
    r"(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bdr)(?<!\bst)\.(?!\d)[.!?]*"
    r"|[!?][.!?]*"
    r"|\n[ \t]*\n",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at ``.``, ``!``, ``?`` and blank lines.

    Parameters
    ----------
    text : str
        Running text.

    Returns
    -------
    list of str
        The pieces between sentence ends, stripped, without empty ones. The punctuation
        that ended a sentence is dropped.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    pieces = (piece.strip() for piece in _SENTENCE_END.split(text))
    return [piece for piece in pieces if piece]


def word_corpus(text: str, lower: bool = True) -> list[list[str]]:
    """Tokenised sentences of a text, for word-level language models.

    Sentences come from :func:`split_sentences`; tokens from
    :func:`course_lib.text.tokenize` (words only, no punctuation). The typographic
    apostrophe ’ is read as ``'`` first, so "Ahab’s" is the one token "ahab's" as in a
    plain-ASCII text. Sentences with no word are dropped. No ``<EOS>`` is added: a
    caller adds it per sentence (``Vocabulary.encode(tokens, add_eos=True)``), and
    :mod:`course_lib.ngram` pads sentences itself.

    Parameters
    ----------
    text : str
        Running text, e.g. ``load_moby_dick("train")`` or ``sotu_text("train")``.
    lower : bool, default True
        Lower-case every token.

    Returns
    -------
    list of list of str
        One list of tokens per sentence, in reading order.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = text.replace("\u2019", "'")
    sentences = (tokenize(sentence, lower=lower) for sentence in split_sentences(text))
    return [tokens for tokens in sentences if tokens]
