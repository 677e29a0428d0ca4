"""Text to numbers: tokenisation, vocabularies and one-hot batches.

Conventions (as in the lecture notes)
-------------------------------------
* A vocabulary of size ``n_x`` maps each token to an index ``0 .. n_x - 1``.
  The book writes positions 1-based ("Harry" is word 4075); code is 0-based.
* ``x^{<t>}`` is a one-hot **column** vector of shape ``(n_x, 1)``.
* A batch of ``m`` sentences padded to ``T_x`` steps is an array of shape
  ``(n_x, m, T_x)``: ``X[:, i, t]`` is ``x^{(i+1)<t+1>}`` (arrays are 0-based,
  the notation 1-based).
* Padded positions are all-zero columns, and ``mask[i, t]`` is ``True``
  exactly where sentence ``i`` has a real token at step ``t``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

PAD = "<PAD>"
UNK = "<UNK>"
EOS = "<EOS>"
SPECIAL_TOKENS = (PAD, UNK, EOS)

# Words (letters, digits, apostrophes inside words) or single punctuation marks.
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")


def tokenize(text: str, lower: bool = True, keep_punctuation: bool = False) -> list[str]:
    """Split a sentence into word tokens.

    Parameters
    ----------
    text : str
        The sentence.
    lower : bool, default True
        Lower-case every token ("Harry" and "harry" become one word).
    keep_punctuation : bool, default False
        Keep punctuation marks such as "." and "," as tokens of their own.

    Returns
    -------
    list of str
        Tokens in reading order.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str, got {type(text).__name__}")
    tokens = _TOKEN_RE.findall(text)
    if not keep_punctuation:
        tokens = [tok for tok in tokens if tok[0].isalnum()]
    if lower:
        tokens = [tok.lower() for tok in tokens]
    return tokens


class Vocabulary:
    """A fixed, ordered list of tokens with special tokens first.

    Index ``i`` is the position of the one in the one-hot vector of token
    ``tokens[i]``. Special tokens take the first indices, in the order given
    (by default ``<PAD>`` = 0, ``<UNK>`` = 1, ``<EOS>`` = 2), then the words.

    Parameters
    ----------
    words : iterable of str
        The ordinary tokens, in the order they get indices. Duplicates and
        special-token look-alikes (``"<...>"``) are rejected.
    specials : sequence of str, default ``(PAD, UNK, EOS)``
        Special tokens to include; each must be one of ``SPECIAL_TOKENS``.

    Raises
    ------
    ValueError
        Empty vocabulary, duplicated word, unknown special token, or a word
        that looks like a special token.
    """

    def __init__(self, words: Iterable[str], specials: Sequence[str] = SPECIAL_TOKENS):
        specials = tuple(specials)
        for sp in specials:
            if sp not in SPECIAL_TOKENS:
                raise ValueError(
                    f"unknown special token {sp!r}; allowed special tokens are {SPECIAL_TOKENS}"
                )
        if len(set(specials)) != len(specials):
            raise ValueError(f"special tokens repeated in {specials}")
        words = list(words)
        for w in words:
            if not isinstance(w, str) or not w:
                raise ValueError(f"vocabulary words must be non-empty strings, got {w!r}")
            if w.startswith("<") and w.endswith(">"):
                raise ValueError(
                    f"word {w!r} looks like a special token; pass special tokens through "
                    f"`specials` (allowed: {SPECIAL_TOKENS})"
                )
        seen = Counter(words)
        dups = sorted(w for w, c in seen.items() if c > 1)
        if dups:
            raise ValueError(f"duplicated words in vocabulary: {dups[:5]}")
        if not words:
            raise ValueError("a vocabulary needs at least one ordinary word (got none)")
        self.specials = specials
        self.tokens = list(specials) + words
        self._index = {tok: i for i, tok in enumerate(self.tokens)}

    @classmethod
    def from_corpus(
        cls,
        sentences: Iterable[Sequence[str]],
        max_size: int | None = None,
        min_count: int = 1,
        specials: Sequence[str] = SPECIAL_TOKENS,
    ) -> "Vocabulary":
        """Build a vocabulary from tokenised sentences.

        Words are ordered by decreasing frequency, ties broken alphabetically,
        so the same corpus always gives the same indices.

        Parameters
        ----------
        sentences : iterable of sequences of str
            Tokenised sentences, e.g. ``[tokenize(s) for s in corpus]``.
        max_size : int, optional
            Keep at most this many tokens **including** the special tokens.
        min_count : int, default 1
            Drop words seen fewer times than this (they become ``<UNK>``).

        Raises
        ------
        ValueError
            If the corpus is empty, a sentence is a bare string, or
            ``max_size`` leaves no room for a word.
        """
        counts: Counter[str] = Counter()
        n_sentences = 0
        for sent in sentences:
            if isinstance(sent, str):
                raise ValueError(
                    "from_corpus expects tokenised sentences (lists of tokens), got a str; "
                    "use [tokenize(s) for s in corpus]"
                )
            counts.update(tok for tok in sent if tok not in SPECIAL_TOKENS)
            n_sentences += 1
        if n_sentences == 0 or not counts:
            raise ValueError("cannot build a vocabulary from an empty corpus")
        if min_count < 1:
            raise ValueError(f"min_count must be >= 1, got {min_count}")
        words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        if max_size is not None:
            room = max_size - len(tuple(specials))
            if room < 1:
                raise ValueError(
                    f"max_size={max_size} leaves no room for words after {len(tuple(specials))} special tokens"
                )
            words = words[:room]
        return cls(words, specials=specials)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __repr__(self) -> str:
        head = ", ".join(self.tokens[:6])
        return f"Vocabulary(n_x={len(self)}: {head}{', ...' if len(self) > 6 else ''})"

    @property
    def n_x(self) -> int:
        """Size of the vocabulary = length of a one-hot vector."""
        return len(self.tokens)

    def _special_index(self, special: str) -> int:
        if special not in self._index:
            raise ValueError(f"this vocabulary has no {special} token (specials: {self.specials})")
        return self._index[special]

    @property
    def pad_index(self) -> int:
        return self._special_index(PAD)

    @property
    def unk_index(self) -> int:
        return self._special_index(UNK)

    @property
    def eos_index(self) -> int:
        return self._special_index(EOS)

    def index(self, token: str) -> int:
        """Index of ``token``; unknown words map to ``<UNK>``.

        Raises
        ------
        ValueError
            If the word is unknown and the vocabulary has no ``<UNK>``, or if
            ``token`` looks like a special token this vocabulary lacks.
        """
        if token in self._index:
            return self._index[token]
        if isinstance(token, str) and token.startswith("<") and token.endswith(">"):
            raise ValueError(
                f"unknown special token {token!r}; this vocabulary's specials are {self.specials}"
            )
        if UNK not in self._index:
            raise ValueError(f"word {token!r} is not in the vocabulary and there is no {UNK} token")
        return self._index[UNK]

    def token(self, index: int) -> str:
        """Token at ``index`` (0-based).

        Raises
        ------
        IndexError
            If ``index`` is outside ``0 .. n_x - 1`` (negative indices are refused).
        """
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer, got {type(index).__name__}")
        if not 0 <= index < len(self.tokens):
            raise IndexError(f"index {index} out of range for a vocabulary of size {len(self.tokens)}")
        return self.tokens[int(index)]

    def encode(self, tokens: Sequence[str], add_eos: bool = False) -> list[int]:
        """Map tokens to indices (unknown words -> ``<UNK>``), optionally ending with ``<EOS>``."""
        if isinstance(tokens, str):
            raise TypeError("encode expects a list of tokens, not a str; call tokenize() first")
        ids = [self.index(tok) for tok in tokens]
        if add_eos:
            ids.append(self.eos_index)
        return ids

    def decode(self, indices: Iterable[int], strip_pad: bool = True) -> list[str]:
        """Map indices back to tokens, dropping ``<PAD>`` unless ``strip_pad=False``."""
        out = [self.token(int(i)) if isinstance(i, np.integer) else self.token(i) for i in indices]
        if strip_pad and PAD in self._index:
            out = [tok for tok in out if tok != PAD]
        return out


def one_hot(indices: Sequence[int], n_x: int) -> np.ndarray:
    """One-hot encode a single sequence.

    Parameters
    ----------
    indices : sequence of int, length T
        Token indices, each in ``0 .. n_x - 1``.
    n_x : int
        Vocabulary size.

    Returns
    -------
    ndarray of shape (n_x, T), float64
        Column ``t`` is ``x^{<t+1>}``: a single 1 at row ``indices[t]``.

    Raises
    ------
    ValueError
        If ``n_x < 1`` or ``indices`` is not one-dimensional.
    IndexError
        If an index is outside ``0 .. n_x - 1``.
    """
    if n_x < 1:
        raise ValueError(f"n_x must be a positive vocabulary size, got {n_x}")
    idx = np.asarray(indices)
    if idx.ndim != 1:
        raise ValueError(f"indices must be one-dimensional, got shape {idx.shape}")
    if idx.size and not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
    bad = idx[(idx < 0) | (idx >= n_x)] if idx.size else idx
    if bad.size:
        raise IndexError(f"index {int(bad[0])} out of range for n_x={n_x}")
    out = np.zeros((n_x, idx.size))
    out[idx, np.arange(idx.size)] = 1.0
    return out


def pad_batch(sequences: Sequence[Sequence[int]], pad_index: int = 0, T_x: int | None = None):
    """Pad index sequences of different lengths to one length.

    Parameters
    ----------
    sequences : sequence of m sequences of int
        ``sequences[i]`` has length ``T_x^{(i)}``.
    pad_index : int, default 0
        Index written into padded positions.
    T_x : int, optional
        Length to pad to; defaults to the longest sequence. Longer sequences
        are an error, not silently cut.

    Returns
    -------
    ids : ndarray of shape (m, T_x), int64
    mask : ndarray of shape (m, T_x), bool
        ``True`` at real tokens, ``False`` at padding.

    Raises
    ------
    ValueError
        Empty batch, or a sequence longer than ``T_x``.
    """
    seqs = [list(s) for s in sequences]
    if not seqs:
        raise ValueError("cannot pad an empty batch (m = 0)")
    lengths = [len(s) for s in seqs]
    if T_x is None:
        T_x = max(lengths)
    too_long = [i for i, n in enumerate(lengths) if n > T_x]
    if too_long:
        i = too_long[0]
        raise ValueError(f"sequence {i} has length {lengths[i]} > T_x={T_x}")
    ids = np.full((len(seqs), T_x), pad_index, dtype=np.int64)
    mask = np.zeros((len(seqs), T_x), dtype=bool)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = True
    return ids, mask


def batch_one_hot(sequences: Sequence[Sequence[int]], n_x: int, T_x: int | None = None):
    """One-hot encode a batch of index sequences into the notes' ``(n_x, m, T_x)`` layout.

    Parameters
    ----------
    sequences : sequence of m sequences of int
        Token indices of each sentence (lengths may differ).
    n_x : int
        Vocabulary size.
    T_x : int, optional
        Number of time steps; defaults to the longest sentence.

    Returns
    -------
    X : ndarray of shape (n_x, m, T_x), float64
        ``X[:, i, t]`` is the one-hot vector of token ``t`` of sentence ``i``;
        padded positions are all-zero columns (no token, not even ``<PAD>``).
    mask : ndarray of shape (m, T_x), bool
        ``True`` where sentence ``i`` has a token at step ``t``.

    Raises
    ------
    ValueError, IndexError
        As :func:`pad_batch` and :func:`one_hot`.
    """
    ids, mask = pad_batch(sequences, pad_index=0, T_x=T_x)
    if n_x < 1:
        raise ValueError(f"n_x must be a positive vocabulary size, got {n_x}")
    real = ids[mask]
    if real.size and (real.min() < 0 or real.max() >= n_x):
        bad = real[(real < 0) | (real >= n_x)][0]
        raise IndexError(f"index {int(bad)} out of range for n_x={n_x}")
    m, T = ids.shape
    X = np.zeros((n_x, m, T))
    i_idx, t_idx = np.nonzero(mask)
    X[ids[i_idx, t_idx], i_idx, t_idx] = 1.0
    return X, mask


def sequence_lengths(mask: np.ndarray) -> np.ndarray:
    """``T_x^{(i)}`` for every example: the number of real tokens per row of ``mask``."""
    mask = np.asarray(mask)
    if mask.ndim != 2 or mask.dtype != bool:
        raise ValueError(f"mask must be a 2-D bool array of shape (m, T_x), got {mask.dtype} {mask.shape}")
    return mask.sum(axis=1)
