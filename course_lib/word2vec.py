"""Learning word embeddings with word2vec: training pairs, losses, negative sampling, a trainer.

Notation (the lecture notes, note 004 "Word2Vec")
-------------------------------------------------
* The vocabulary has |V| words; word j has the one-hot **column** O_j of length |V|.
* The embedding matrix E has shape (d, |V|): its column j is the embedding e_j = E · O_j.
  (:class:`course_lib.embeddings.WordVectors`, like every library, stores the transpose: one
  **row** per word. :func:`train_sgns` returns a ``WordVectors``.)
* Every word j also has an *output* vector theta_j of length d, the parameter of "is j the
  target?"; the columns theta_j form the matrix ``theta`` of shape (d, |V|).
* A training example is a pair (c, t): the **context** word c and a **target** word t within
  ``window`` positions of it. Batches of m examples are columns: ``e_c`` has shape (d, m).

**The notes' "context" and "target" are the reverse of the paper's.** In the notes (and the
deep-learning course they follow) the *context* c is the word in the middle, the one whose
embedding e_c is the input, and the *target* t is a word near it to be predicted. Mikolov et
al. (2013) call the middle word the *input* or *centre* word and the words around it its
*context* (skip-gram predicts the context from the centre word; CBOW predicts the centre word
from its context). This module follows the notes: ``c`` is always the middle word.

Models
------
* skip-gram with the full softmax: p(t | c) = exp(theta_t^T e_c) / sum_j exp(theta_j^T e_c),
  loss -log p(t | c) (:func:`softmax_loss_and_gradients`);
* skip-gram with negative sampling (SGNS): P(y = 1 | c, t) = sigma(theta_t^T e_c), loss
  -log sigma(theta_t^T e_c) - sum_{i=1..k} log sigma(-theta_{n_i}^T e_c) for k negative words
  n_i drawn from P(w) proportional to f(w)^{3/4} (:func:`negative_sampling_loss_and_gradients`,
  :func:`unigram_table`, :func:`draw_negatives`);
* hierarchical softmax only as far as its tree: :func:`huffman_code_lengths`.

The numpy functions teach the formulas and are checked against torch autograd and centred
differences in the tests; :func:`train_sgns` trains SGNS on a real corpus with torch.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from ._checks import check_array
from .embeddings import WordVectors
from .rnn import sigmoid, softmax
from .text import Vocabulary


# --------------------------------------------------------------------------- input checks
def _check_positive_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {value!r}")
    return int(value)


def _as_sentences(token_ids) -> list[np.ndarray]:
    """One int64 array per sentence; a flat sequence of ints is one sentence."""
    if isinstance(token_ids, np.ndarray) and token_ids.ndim == 1:
        token_ids = [token_ids]
    else:
        token_ids = list(token_ids)
        if not token_ids:
            raise ValueError("token_ids is empty: there is no word to make training examples from")
        if all(isinstance(t, (int, np.integer)) for t in token_ids):
            token_ids = [token_ids]
    sentences = []
    for i, sentence in enumerate(token_ids):
        if isinstance(sentence, str):
            raise TypeError("token_ids must hold integer word ids, not strings; "
                            "encode the words first (see encode_corpus)")
        arr = np.asarray(sentence)
        if arr.size and (arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer)):
            raise TypeError(f"sentence {i} of token_ids must be a 1-D sequence of integer word ids, "
                            f"got dtype {arr.dtype} and shape {arr.shape}")
        if arr.size and arr.min() < 0:
            raise ValueError(f"sentence {i} of token_ids has a negative word id {int(arr.min())}")
        sentences.append(arr.astype(np.int64).reshape(-1))
    if sum(s.size for s in sentences) == 0:
        raise ValueError("token_ids is empty: there is no word to make training examples from")
    return sentences


# --------------------------------------------------------------------------- training examples
def skipgram_pairs(token_ids, window: int, rng: np.random.Generator | None = None,
                   shrink: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """All (context c, target t) pairs of skip-gram, in the notes' naming.

    For every position i of a sentence, the word at i is the context c and every word at a
    position i + o with 1 <= |o| <= ``window`` (inside the same sentence) is a target t.
    In the paper's naming (Mikolov et al., 2013) the word at i is the *input* (centre) word
    and the targets are its *context*: the notes swap the two names (see the module
    docstring). A word is never paired with its own position; it can be paired with another
    occurrence of the same word ("the ... the").

    Parameters
    ----------
    token_ids : sequence of int, or sequence of sequences of int
        One sentence of word ids, or several (pairs never cross a sentence boundary).
    window : int
        The largest distance |o| between c and t, >= 1.
    rng : numpy.random.Generator, optional
        Needed only with ``shrink=True``.
    shrink : bool, default False
        As in the original word2vec: for every position draw b uniformly from
        {1, ..., window} and use b as that position's window. Near words are then kept
        more often than far ones (distance o survives with probability
        (window - o + 1) / window).

    Returns
    -------
    contexts, targets : ndarray of shape (n_pairs,), int64
        Pair p is (contexts[p], targets[p]). Pairs are ordered by the position of c, then by
        offset o = -window, ..., -1, 1, ..., window.

    Raises
    ------
    ValueError
        If ``window < 1``, the corpus is empty, or ``shrink`` is set without ``rng``.
    """
    window = _check_positive_int("window", window)
    if shrink and rng is None:
        raise ValueError("shrink=True draws a window per position: pass rng=np.random.default_rng(seed)")
    ids, sentence_of = _flatten(_as_sentences(token_ids))
    return _flat_pairs(ids, sentence_of, window, rng if shrink else None)


def _flatten(sentences: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All word ids in one array, and the sentence number of each."""
    ids = np.concatenate(sentences) if sentences else np.zeros(0, dtype=np.int64)
    sentence_of = np.repeat(np.arange(len(sentences)), [s.size for s in sentences])
    return ids, sentence_of


def _flat_pairs(ids: np.ndarray, sentence_of: np.ndarray, window: int,
                rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray]:
    """Skip-gram pairs of a flattened corpus; a pair never joins two sentences."""
    n = ids.size
    # One window per position (the original draws b = window - (random % window)).
    reach = rng.integers(1, window + 1, size=n) if rng is not None else np.full(n, window)
    positions, offsets = [], []
    for o in itertools.chain(range(-window, 0), range(1, window + 1)):
        i = np.arange(max(0, -o), max(0, min(n, n - o)))   # i + o stays inside the corpus
        i = i[(reach[i] >= abs(o)) & (sentence_of[i] == sentence_of[i + o])]
        positions.append(i)
        offsets.append(np.full(i.size, o))
    positions, offsets = np.concatenate(positions), np.concatenate(offsets)
    order = np.lexsort((offsets, positions))       # by position, then by offset
    positions, offsets = positions[order], offsets[order]
    return ids[positions], ids[positions + offsets]


def cbow_examples(token_ids, window: int) -> tuple[np.ndarray, np.ndarray]:
    """CBOW examples: the bag of words around a position -> the word at that position.

    Parameters
    ----------
    token_ids : sequence of int, or sequence of sequences of int
        As in :func:`skipgram_pairs`.
    window : int
        Words at distance 1 .. ``window`` on either side form the bag, >= 1.

    Returns
    -------
    bags : ndarray of shape (n_examples, 2 * window), int64
        Row p lists the ids at offsets -window, ..., -1, 1, ..., window of example p;
        offsets that fall outside the sentence hold -1 (padding, not a word).
    centres : ndarray of shape (n_examples,), int64
        The word each bag predicts. Positions whose bag would be empty (one-word sentences)
        are left out.

    Raises
    ------
    ValueError
        If ``window < 1`` or the corpus is empty.
    """
    window = _check_positive_int("window", window)
    offsets = np.array([o for o in range(-window, window + 1) if o != 0])
    bags, centres = [], []
    for sentence in _as_sentences(token_ids):
        n = sentence.size
        if n < 2:
            continue
        where = np.arange(n)[:, None] + offsets[None, :]           # (n, 2 window)
        inside = (where >= 0) & (where < n)
        bags.append(np.where(inside, sentence[np.clip(where, 0, n - 1)], -1))
        centres.append(sentence)
    if not bags:
        return np.zeros((0, 2 * window), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(bags), np.concatenate(centres)


# --------------------------------------------------------------------------- skip-gram, full softmax
def embed(E: np.ndarray, word_ids) -> np.ndarray:
    """The embeddings e_c = E · O_c of a batch of words, as columns.

    Multiplying E by a one-hot column selects one column of E, so this is a column look-up,
    not a matrix product (the result is the same; the cost is d instead of d · |V|).

    Parameters
    ----------
    E : ndarray of shape (d, |V|)
    word_ids : int or sequence of m ints in 0 .. |V| - 1

    Returns
    -------
    ndarray of shape (d, m) (or (d,) for a single int)
    """
    if not isinstance(E, np.ndarray) or E.ndim != 2:
        raise ValueError(f"E must be a 2-D array of shape (d, |V|), got {getattr(E, 'shape', type(E))}")
    ids = np.asarray(word_ids)
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"word_ids must be integers, got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= E.shape[1]):
        raise IndexError(f"word id {int(ids.max() if ids.max() >= E.shape[1] else ids.min())} is "
                         f"outside 0 .. |V| - 1 = {E.shape[1] - 1}")
    return E[:, ids]


def _check_targets(target, m: int, n_words: int, name: str = "target") -> np.ndarray:
    target = np.asarray(target)
    if target.shape != (m,) or not np.issubdtype(target.dtype, np.integer):
        raise ValueError(f"{name} must be {m} integer word ids of shape (m,) = ({m},), "
                         f"got dtype {target.dtype} and shape {target.shape}")
    if m and (target.min() < 0 or target.max() >= n_words):
        raise IndexError(f"{name} holds a word id outside 0 .. |V| - 1 = {n_words - 1}")
    return target


def softmax_loss_and_gradients(e_c: np.ndarray, theta: np.ndarray, target) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram with the full softmax: loss -log p(t | c) and its gradients, for a batch.

    Implements, for each column e_c of the batch, z = theta^T e_c (one score per word),
    y_hat = softmax(z), p(t | c) = y_hat_t and the loss L = -log y_hat_t, averaged over the
    m examples. With y the one-hot column of t, dL/dz = (y_hat - y) / m, so

        dL/de_c = theta (y_hat - y) / m    and    dL/dtheta = e_c (y_hat - y)^T / m,

    which touches **every** column of theta: the cost of one example grows with |V|.

    Parameters
    ----------
    e_c : ndarray of shape (d, m)
        Embeddings of the m context words (columns).
    theta : ndarray of shape (d, |V|)
        Output vectors theta_j, one column per word.
    target : sequence of m ints
        The target word t of each example.

    Returns
    -------
    loss : float
        The mean over the batch of -log p(t | c).
    d_e_c : ndarray of shape (d, m)
    d_theta : ndarray of shape (d, |V|)

    Raises
    ------
    ValueError, IndexError, TypeError
        Shapes that do not match, or a target id outside 0 .. |V| - 1.
    """
    check_array("e_c", e_c, (None, None), "(d, m)")
    d, m = e_c.shape
    check_array("theta", theta, (d, None), "(d, |V|)")
    if m == 0:
        raise ValueError("e_c has no column: the batch is empty (m = 0)")
    target = _check_targets(target, m, theta.shape[1])
    z = theta.T @ e_c                                  # (|V|, m): one score per word and example
    y_hat = softmax(z)                                 # columns sum to 1
    cols = np.arange(m)
    # log y_hat_t computed from z (log-sum-exp) rather than log(y_hat): no log(0) for tiny y_hat.
    z_max = z.max(axis=0)
    log_norm = z_max + np.log(np.exp(z - z_max).sum(axis=0))
    loss = float(np.mean(log_norm - z[target, cols]))
    dz = y_hat.copy()
    dz[target, cols] -= 1.0                            # y_hat - y
    dz /= m
    return loss, theta @ dz, e_c @ dz.T


# --------------------------------------------------------------------------- negative sampling
def _check_counts(counts) -> np.ndarray:
    """Word counts as a float64 vector; errors for empty, negative, non-finite or all-zero counts."""
    f = np.asarray(counts, dtype=np.float64)
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D sequence (one count per word), got shape {f.shape}")
    if not np.all(np.isfinite(f)) or f.min() < 0:
        raise ValueError("counts must be finite and >= 0")
    if not f.any():
        raise ValueError("counts are all zero: there is no word to sample")
    return f


def unigram_table(counts, power: float = 0.75) -> np.ndarray:
    """The negative-sampling distribution P(w_i) = f(w_i)^power / sum_j f(w_j)^power.

    With ``power = 3/4`` (Mikolov et al., 2013) this sits between the corpus frequencies
    (power 1) and the uniform distribution (power 0): frequent words are drawn less often
    than their frequency, rare ones more often. The original C code fills a table of 10^8
    word ids in these proportions and draws uniform positions in it; here the table is the
    probability vector itself, and :func:`draw_negatives` samples it exactly.

    Parameters
    ----------
    counts : sequence of |V| numbers >= 0
        f(w_i): the count (or frequency) of every word; the scale does not matter.
    power : float, default 0.75
        The exponent, >= 0.

    Returns
    -------
    ndarray of shape (|V|,), float64
        Probabilities summing to 1. A word of count 0 gets probability 0 (even for power 0).

    Raises
    ------
    ValueError
        Empty or non-1-D counts, a negative or non-finite count, all counts zero, or a
        negative ``power``.
    """
    f = _check_counts(counts)
    if not np.isfinite(power) or power < 0:
        raise ValueError(f"power must be a finite number >= 0, got {power!r}")
    weights = np.where(f > 0, f, 1.0) ** power * (f > 0)
    return weights / weights.sum()


def draw_negatives(table: np.ndarray, k: int, size: int, rng: np.random.Generator,
                   exclude=None) -> np.ndarray:
    """Draw k negative words per example from the distribution ``table``.

    Parameters
    ----------
    table : ndarray of shape (|V|,)
        Probabilities, e.g. from :func:`unigram_table`.
    k : int
        Negatives per example, >= 1 (the notes: 5-20 for small data, 2-5 for large).
    size : int
        Number of examples m, >= 0.
    rng : numpy.random.Generator
        The only source of randomness.
    exclude : sequence of ``size`` ints, optional
        A word that must not be drawn for each example (usually its true target t). Such
        draws are redrawn, so every example gets exactly k negatives (the original C code and
        gensim instead skip a draw equal to the target, leaving one negative fewer).

    Returns
    -------
    ndarray of shape (size, k), int64
        Row p holds the k negatives of example p.

    Raises
    ------
    ValueError
        If ``k < 1``, the table is not a probability vector, ``exclude`` has the wrong shape,
        or an excluded word carries all the probability (nothing else could be drawn).
    """
    k = _check_positive_int("k", k)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise ValueError(f"size must be an integer >= 0, got {size!r}")
    table = np.asarray(table, dtype=np.float64)
    if table.ndim != 1 or table.size == 0 or table.min() < 0 or abs(table.sum() - 1.0) > 1e-9:
        raise ValueError("table must be a 1-D probability vector (>= 0, summing to 1); "
                         "build it with unigram_table(counts)")
    cdf = np.cumsum(table)
    cdf[-1] = 1.0
    last = int(np.flatnonzero(table)[-1])

    def draw(n):   # inverse-CDF sampling: exact, and vectorised
        return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), last)

    negatives = draw(size * k).reshape(size, k)
    if exclude is not None:
        exclude = np.asarray(exclude)
        if exclude.shape != (size,):
            raise ValueError(f"exclude must hold one word id per example, shape ({size},), got {exclude.shape}")
        if size and np.any(table[exclude] >= 1.0 - 1e-12):
            raise ValueError("an excluded word has probability 1 in table: no other word can be drawn")
        clash = negatives == exclude[:, None]
        while clash.any():
            negatives[clash] = draw(int(clash.sum()))
            clash = negatives == exclude[:, None]
    return negatives.astype(np.int64)


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log sigma(z) = -log(1 + e^{-z}), without overflow for large |z|."""
    return -np.logaddexp(0.0, -z)


def negative_sampling_loss_and_gradients(e_c: np.ndarray, theta_pos: np.ndarray,
                                         theta_negs: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Skip-gram with negative sampling: loss and gradients for a batch of m examples.

    For one example with context embedding e_c, true target vector theta_t and negative
    vectors theta_1 .. theta_k, the loss is

        L = -log sigma(theta_t^T e_c) - sum_i log sigma(-theta_i^T e_c),

    averaged over the batch: one logistic regression with label 1 (the true pair) and k with
    label 0 (sigma(-x) = 1 - sigma(x)). With s = theta_t^T e_c and s_i = theta_i^T e_c,
    dL/ds = sigma(s) - 1 and dL/ds_i = sigma(s_i), hence

        dL/de_c = (sigma(s) - 1) theta_t + sum_i sigma(s_i) theta_i,
        dL/dtheta_t = (sigma(s) - 1) e_c,     dL/dtheta_i = sigma(s_i) e_c     (each / m).

    Only k + 1 output vectors get a gradient, whatever |V| is.

    Parameters
    ----------
    e_c : ndarray of shape (d, m)
        Context embeddings (columns).
    theta_pos : ndarray of shape (d, m)
        theta_t of each example's true target.
    theta_negs : ndarray of shape (d, m, k)
        ``theta_negs[:, p, i]`` is theta of the i-th negative word of example p
        (``theta[:, negatives]`` for ``negatives`` of shape (m, k)).

    Returns
    -------
    loss : float
    d_e_c : ndarray of shape (d, m)
    d_theta_pos : ndarray of shape (d, m)
    d_theta_negs : ndarray of shape (d, m, k)
        If a word occurs several times among the columns (e.g. as two negatives), the
        gradient of its theta is the **sum** of its columns here (``np.add.at``).

    Raises
    ------
    ValueError, TypeError
        Shapes that do not match.
    """
    check_array("e_c", e_c, (None, None), "(d, m)")
    d, m = e_c.shape
    if m == 0:
        raise ValueError("e_c has no column: the batch is empty (m = 0)")
    check_array("theta_pos", theta_pos, (d, m), "(d, m)")
    check_array("theta_negs", theta_negs, (d, m, None), "(d, m, k)")
    s_pos = np.sum(theta_pos * e_c, axis=0)                       # (m,)
    s_neg = np.einsum("dmk,dm->mk", theta_negs, e_c)              # (m, k)
    loss = float(np.mean(-log_sigmoid(s_pos) - log_sigmoid(-s_neg).sum(axis=1)))
    g_pos = (sigmoid(s_pos) - 1.0) / m                            # dL/ds, (m,)
    g_neg = sigmoid(s_neg) / m                                    # dL/ds_i, (m, k)
    d_e_c = theta_pos * g_pos + np.einsum("dmk,mk->dm", theta_negs, g_neg)
    d_theta_pos = e_c * g_pos
    d_theta_negs = e_c[:, :, None] * g_neg[None, :, :]
    return loss, d_e_c, d_theta_pos, d_theta_negs


# --------------------------------------------------------------------------- hierarchical softmax
def huffman_code_lengths(counts) -> np.ndarray:
    """Depth of every word in the Huffman tree of hierarchical softmax.

    Hierarchical softmax replaces the |V|-way softmax by a walk from the root of a binary tree
    to the word's leaf, one logistic decision per inner node, so the cost of p(t | c) is the
    depth of t. word2vec builds the tree with Huffman's algorithm on the word counts: the two
    least frequent subtrees are merged first, so frequent words end near the root. The
    average depth weighted by frequency is within 1 of the entropy of the word distribution
    (in bits), and a balanced tree would give every word depth ceil(log2 |V|).

    Parameters
    ----------
    counts : sequence of |V| >= 1 positive numbers

    Returns
    -------
    ndarray of shape (|V|,), int64
        The number of binary decisions (inner nodes) on the path to each word; a
        one-word vocabulary has depth 0.

    Raises
    ------
    ValueError
        If ``counts`` is empty or has a count <= 0.
    """
    f = np.asarray(counts, dtype=np.float64)
    if f.ndim != 1 or f.size == 0 or not np.all(f > 0):
        raise ValueError("counts must be a non-empty 1-D sequence of positive counts")
    n = f.size
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    # Heap of (count, tie-breaker, node); leaves are 0 .. n-1, inner nodes n, n + 1, ...
    heap = [(float(c), i, i) for i, c in enumerate(f)]
    heapq.heapify(heap)
    parent = np.full(2 * n - 1, -1, dtype=np.int64)
    next_node = n
    while len(heap) > 1:
        c1, _, a = heapq.heappop(heap)
        c2, _, b = heapq.heappop(heap)
        parent[a] = parent[b] = next_node
        heapq.heappush(heap, (c1 + c2, next_node, next_node))
        next_node += 1
    depth = np.zeros(2 * n - 1, dtype=np.int64)
    for node in range(2 * n - 3, -1, -1):   # parents have larger ids: fill from the root down
        depth[node] = depth[parent[node]] + 1
    return depth[:n]


# --------------------------------------------------------------------------- vocabulary and data
def build_vocabulary(sentences: Iterable[Sequence[str]], min_count: int = 5) -> tuple[Vocabulary, np.ndarray]:
    """The word2vec vocabulary of a tokenised corpus: words seen >= ``min_count`` times.

    Uses :meth:`course_lib.text.Vocabulary.from_corpus` (words by decreasing count, ties
    alphabetical) without special tokens: word2vec has no <UNK>, it drops rare words.

    Parameters
    ----------
    sentences : iterable of lists of str
        E.g. ``course_lib.datasets.word_corpus(sotu_text("all"))``.
    min_count : int, default 5

    Returns
    -------
    vocabulary : course_lib.text.Vocabulary
        ``vocabulary.tokens[j]`` is word j.
    counts : ndarray of shape (|V|,), int64
        The corpus count of every word, in index order.

    Raises
    ------
    ValueError
        If the corpus is empty, ``min_count < 1``, or no word reaches ``min_count``.
    """
    sentences = [list(s) for s in sentences]
    min_count = _check_positive_int("min_count", min_count)
    counter = Counter(w for s in sentences for w in s)
    if not counter:
        raise ValueError("cannot build a vocabulary from an empty corpus")
    if max(counter.values()) < min_count:
        raise ValueError(f"no word occurs min_count = {min_count} times (the most frequent occurs "
                         f"{max(counter.values())} times)")
    vocabulary = Vocabulary.from_corpus(sentences, min_count=min_count, specials=())
    counts = np.array([counter[w] for w in vocabulary.tokens], dtype=np.int64)
    return vocabulary, counts


def encode_corpus(sentences: Iterable[Sequence[str]], vocabulary: Vocabulary) -> list[np.ndarray]:
    """Word ids of every sentence; words outside the vocabulary are **dropped**, as in word2vec.

    Dropping (rather than mapping to <UNK>) brings the words on either side of a rare word
    one position closer, exactly as word2vec and gensim do.
    """
    index = {w: i for i, w in enumerate(vocabulary.tokens)}
    encoded = []
    for s in sentences:
        if isinstance(s, str):
            raise TypeError("sentences must be lists of tokens, got a str; use word_corpus(text)")
        encoded.append(np.array([index[w] for w in s if w in index], dtype=np.int64))
    return encoded


def keep_probabilities(counts, sample: float) -> np.ndarray:
    """Probability of keeping each occurrence of a word under frequent-word subsampling.

    The formula of the word2vec C code and gensim, with f = count and T = sample x total:
    keep = (sqrt(f / T) + 1) T / f, clipped to 1. (The paper writes the discard probability
    as 1 - sqrt(T / f), which is close for frequent words.) ``sample = 0`` keeps everything.
    """
    f = np.asarray(counts, dtype=np.float64)
    if sample < 0:
        raise ValueError(f"sample must be >= 0, got {sample}")
    if sample == 0:
        return np.ones_like(f)
    threshold = sample * f.sum()
    return np.minimum(1.0, (np.sqrt(f / threshold) + 1.0) * threshold / f)


# --------------------------------------------------------------------------- torch trainer
def train_sgns(corpus, vocabulary: Vocabulary | None = None, counts=None, *, dim: int = 100,
               window: int = 5, k: int = 5, epochs: int = 5, lr: float = 0.025,
               min_count: int = 5, sample: float = 1e-3, batch_size: int = 1024,
               optimizer: str = "sgd", shrink_window: bool = True, seed: int = 0,
               progress: bool = False, return_history: bool = False):
    """Train skip-gram with negative sampling in torch; return the context embeddings E.

    Every epoch: subsample frequent words (``sample``), make the skip-gram pairs
    (:func:`skipgram_pairs`, with word2vec's random window shrink), shuffle them, and for each
    batch of pairs draw k negatives per pair from P(w) ~ f(w)^{3/4} (:func:`draw_negatives`,
    excluding the true target) and take one optimiser step on the loss of
    :func:`negative_sampling_loss_and_gradients` (written in torch: autograd gives the same
    gradients, see the tests). Two tables: E (context / input vectors, initialised uniform in
    +-0.5/d as in word2vec) and theta (output vectors, initialised to zero).

    Parameters
    ----------
    corpus : list of lists of str, or list of int arrays
        Tokenised sentences; or sentences of word ids (then ``vocabulary`` and ``counts``
        are required).
    vocabulary : Vocabulary, optional
        Built by :func:`build_vocabulary` with ``min_count`` if not given.
    counts : sequence of |V| ints, optional
        Word counts for the sampling table and subsampling (required with a vocabulary).
    dim, window, k, epochs : int
        Embedding size d, largest target distance, negatives per pair, passes over the corpus.
    lr : float, default 0.025
        ``"sgd"``: the starting learning rate, decayed linearly to lr x 1e-4 over training as
        in word2vec, on the **sum** of the batch's losses (each pair's update then has the
        size it has in word2vec). ``"adam"``: the learning rate of ``torch.optim.SparseAdam``
        on the **mean** loss of the batch (try 0.001-0.01).
    min_count : int, default 5
        Used only when the vocabulary is built here.
    sample : float, default 1e-3
        Subsampling threshold (:func:`keep_probabilities`); 0 switches it off.
    batch_size : int, default 1024
        Pairs per optimiser step.
    optimizer : {"sgd", "adam"}
        Both with sparse gradients (``nn.Embedding(sparse=True)``): a step touches only the
        rows of the batch.
    shrink_window : bool, default True
        word2vec's random window per position (see :func:`skipgram_pairs`).
    seed : int
        Fixes initialisation, subsampling, windows, shuffling and negatives: the same seed
        gives the same vectors.
    progress : bool, default False
        Show a tqdm progress bar over the batches.
    return_history : bool, default False
        Also return a dict with the mean loss of every epoch, the seconds, the raw words
        per epoch and the number of pairs.

    Returns
    -------
    WordVectors
        Rows = the words of the vocabulary, vectors = E^T (|V|, d) as float32.
    history : dict
        Only if ``return_history``.

    Raises
    ------
    ValueError
        Empty corpus, bad hyper-parameters, or ids without a vocabulary.
    """
    import torch  # imported here: only training needs it (importing torch costs ~2 s)
    from tqdm.auto import tqdm

    dim = _check_positive_int("dim", dim)
    window = _check_positive_int("window", window)
    k = _check_positive_int("k", k)
    epochs = _check_positive_int("epochs", epochs)
    batch_size = _check_positive_int("batch_size", batch_size)
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    corpus = list(corpus)
    if not corpus or all(len(s) == 0 for s in corpus):
        raise ValueError("corpus is empty: nothing to train on")
    token_input = any(len(s) and isinstance(s[0], str) for s in corpus)
    if token_input:
        if vocabulary is None:
            vocabulary, counts = build_vocabulary(corpus, min_count=min_count)
        elif counts is None:
            raise ValueError("pass counts together with vocabulary (build both with build_vocabulary)")
        sentences = encode_corpus(corpus, vocabulary)
    else:
        if vocabulary is None or counts is None:
            raise ValueError("a corpus of word ids needs vocabulary= and counts= (see build_vocabulary)")
        sentences = _as_sentences(corpus)
    n_words = len(vocabulary.tokens)
    counts = np.asarray(counts, dtype=np.float64)
    if counts.shape != (n_words,):
        raise ValueError(f"counts must have one entry per vocabulary word, shape ({n_words},), got {counts.shape}")
    if max((s.max() for s in sentences if s.size), default=-1) >= n_words:
        raise ValueError("the corpus holds a word id outside the vocabulary")

    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    table = unigram_table(counts, power=0.75)
    keep = keep_probabilities(counts, sample)
    raw_words = int(sum(s.size for s in sentences))

    E = torch.nn.Embedding(n_words, dim, sparse=True, dtype=torch.float32)
    theta = torch.nn.Embedding(n_words, dim, sparse=True, dtype=torch.float32)
    with torch.no_grad():
        E.weight.uniform_(-0.5 / dim, 0.5 / dim, generator=gen)
        theta.weight.zero_()
    params = list(E.parameters()) + list(theta.parameters())
    opt = (torch.optim.SGD(params, lr=lr) if optimizer == "sgd"
           else torch.optim.SparseAdam(params, lr=lr))

    # Pairs per epoch vary (subsampling, shrink); estimate the total for the lr schedule and bar.
    flat_ids, flat_sentence = _flatten(sentences)

    def epoch_pairs():
        kept = rng.random(flat_ids.size) < keep[flat_ids]
        c, t = _flat_pairs(flat_ids[kept], flat_sentence[kept], window, rng if shrink_window else None)
        order = rng.permutation(c.size)
        return c[order], t[order]

    history = {"epoch_loss": [], "pairs": [], "raw_words_per_epoch": raw_words}
    start = time.perf_counter()
    bar = tqdm(total=epochs, desc="SGNS epochs", disable=not progress, leave=False)
    expected_steps, step = None, 0
    for epoch in range(epochs):
        contexts, targets = epoch_pairs()
        n_pairs = contexts.size
        if n_pairs == 0:
            raise ValueError("no skip-gram pair: every sentence has fewer than 2 words in the vocabulary")
        steps_this_epoch = -(-n_pairs // batch_size)
        if expected_steps is None:
            expected_steps = steps_this_epoch * epochs
        negatives = draw_negatives(table, k, n_pairs, rng, exclude=targets)
        c_all, t_all, n_all = (torch.from_numpy(a) for a in (contexts, targets, negatives))
        total = 0.0
        for b in range(steps_this_epoch):
            sl = slice(b * batch_size, (b + 1) * batch_size)
            if optimizer == "sgd":   # linear decay to lr * 1e-4, as word2vec and gensim
                frac = min(step / expected_steps, 1.0)
                for group in opt.param_groups:
                    group["lr"] = lr * (1.0 - frac) + lr * 1e-4 * frac
            e_c = E(c_all[sl])                                   # (B, d)
            theta_pos = theta(t_all[sl])                         # (B, d)
            theta_neg = theta(n_all[sl])                         # (B, k, d)
            s_pos = (e_c * theta_pos).sum(dim=1)
            s_neg = torch.bmm(theta_neg, e_c.unsqueeze(2)).squeeze(2)
            per_pair = -torch.nn.functional.logsigmoid(s_pos) - torch.nn.functional.logsigmoid(-s_neg).sum(dim=1)
            loss = per_pair.sum() if optimizer == "sgd" else per_pair.mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(per_pair.detach().sum())
            step += 1
        history["epoch_loss"].append(total / n_pairs)
        history["pairs"].append(int(n_pairs))
        bar.update(1)
        bar.set_postfix(loss=f"{total / n_pairs:.3f}")
    bar.close()
    history["seconds"] = time.perf_counter() - start
    vectors = E.weight.detach().numpy().astype(np.float32, copy=True)
    wv = WordVectors(vocabulary.tokens, vectors, name=f"SGNS (d={dim}, window={window}, k={k}, seed={seed})")
    return (wv, history) if return_history else wv
