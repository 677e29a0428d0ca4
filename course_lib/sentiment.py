"""Sentence-level sentiment classification with pretrained word embeddings.

Data: the sentence-level ground truth of Hutto & Gilbert (ICWSM 2014), vendored in
``course_lib/data`` (MIT, see ``LICENSE.vader``): 10,605 Rotten Tomatoes sentences (Pang & Lee)
and 3,708 Amazon product-review sentences, each with the mean of several human ratings on a
-4 .. +4 scale. The label is 1 (positive) if that mean is > 0 and 0 (negative) if it is < 0;
the sentences with a mean of exactly 0 (37 movie, 98 Amazon) are dropped.
:func:`load_sentiment` gives fixed train / validation / test splits of the movie sentences and
the Amazon sentences as a separate out-of-domain test set.

Two models from the notes, both on GloVe 6B 50d (:func:`course_lib.embeddings.load_glove`):

* the **averaging model**: ``avg = mean of e_w over the known words``, then
  ``ŷ = softmax(W avg + b)`` (numpy, column vectors: ``avg`` is (n_e, m), ``W`` (n_y, n_e),
  ``b`` (n_y, 1), ``ŷ`` (n_y, m));
* a **many-to-one RNN** (:class:`SentimentRNN`, torch, ``batch_first``): embedding look-up,
  LSTM / GRU / RNN, the activation at each sentence's *last real* word (padding is skipped with
  ``pack_padded_sequence``), a linear layer.
"""

from __future__ import annotations

import gzip
import re
import time
import unicodedata
from functools import lru_cache
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_lib._checks import check_array, check_keys
from course_lib.datasets import DATA_DIR, seeded_shuffle
from course_lib.text import PAD, UNK, Vocabulary, pad_batch, tokenize

SENTIMENT_SPLITS = ("train", "validation", "test", "amazon")
MOVIE_FILE = "movieReviewSnippets_GroundTruth.txt.gz"
AMAZON_FILE = "amazonReviewSnippets_GroundTruth.txt.gz"

# Seed and fractions of the movie-sentence split. Changing either moves sentences between the
# splits (and changes every number in the book): don't.
SENTIMENT_SEED = 2014
SENTIMENT_FRACTIONS = (0.8, 0.1, 0.1)  # train, validation, test

CLASS_NAMES = ("negative", "positive")
CELLS = ("rnn", "gru", "lstm")
POOLINGS = ("last", "max")

# GloVe was trained on Stanford-tokenised text: "didn't" is two tokens "did" + "n't", "film's"
# is "film" + "'s". The course's tokenize keeps such words whole, and GloVe has no vector for
# them, so the clitics are split off afterwards.
_NOT_CLITIC = re.compile(r"^([a-z0-9]+)(n't)$")
_OTHER_CLITIC = re.compile(r"^([a-z0-9]+)('s|'re|'ve|'ll|'d|'m)$")


# ---------------------------------------------------------------------------------------
# data


def glove_tokenize(text: str) -> list[str]:
    """Tokens of ``text`` in the spelling of GloVe 6B's vocabulary.

    :func:`course_lib.text.tokenize` (lower case, punctuation dropped), with two adaptations:

    * accents are folded to ASCII first ("clichés" -> "cliches"; the course's tokeniser only
      knows ASCII letters and would cut the word in two), and the typographic apostrophe ’
      becomes ';
    * clitics are split off as in GloVe's training text: "didn't" -> "did", "n't";
      "can't" -> "ca", "n't"; "film's" -> "film", "'s" (also 're, 've, 'll, 'd, 'm).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = text.replace("\u2019", "'")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    tokens = []
    for token in tokenize(ascii_text):
        match = _NOT_CLITIC.match(token) or _OTHER_CLITIC.match(token)
        tokens.extend(match.groups() if match else (token,))
    return tokens


@lru_cache(maxsize=None)
def _read_snippets(filename: str) -> tuple[tuple[str, float, str], ...]:
    """(id, mean human score, sentence) of every line of a vendored ground-truth file."""
    with gzip.open(DATA_DIR / filename, "rb") as f:
        text = f.read().decode("utf-8")
    records = []
    for line in text.split("\r\n"):
        sentence_id, score, sentence = line.split("\t")
        records.append((sentence_id, float(score), sentence))
    return tuple(records)


def _labelled(records) -> tuple[list[str], np.ndarray]:
    kept = [(s, 1 if score > 0 else 0) for _, score, s in records if score != 0]
    return [s for s, _ in kept], np.array([y for _, y in kept], dtype=np.int64)


def load_sentiment(split: str = "train") -> tuple[list[str], np.ndarray]:
    """Labelled sentences: movie-review splits or the out-of-domain Amazon set.

    The 10,568 movie sentences with a non-zero mean score are shuffled by their ids with the
    fixed seed ``SENTIMENT_SEED`` (:func:`course_lib.datasets.seeded_shuffle`, which no library
    version can change) and cut 80 / 10 / 10 % into train / validation / test. ``"amazon"`` is
    the 3,610 Amazon sentences with a non-zero mean score (98 of the 3,708 are exactly 0).

    Parameters
    ----------
    split : {"train", "validation", "test", "amazon"}, default "train"

    Returns
    -------
    sentences : list of str
        The raw sentences, in the order of the source file.
    labels : ndarray of shape (m,), int64
        1 if the mean human score is > 0 (positive), 0 if it is < 0 (negative).
        Sizes: train 8,454, validation 1,057, test 1,057, amazon 3,610.

    Raises
    ------
    ValueError
        If ``split`` is not one of ``SENTIMENT_SPLITS``.
    """
    if split not in SENTIMENT_SPLITS:
        raise ValueError(f"split must be one of {SENTIMENT_SPLITS}, got {split!r}")
    if split == "amazon":
        return _labelled(_read_snippets(AMAZON_FILE))
    records = [r for r in _read_snippets(MOVIE_FILE) if r[1] != 0]
    order = seeded_shuffle([r[0] for r in records], SENTIMENT_SEED)
    n_train = round(SENTIMENT_FRACTIONS[0] * len(order))
    n_validation = round(SENTIMENT_FRACTIONS[1] * len(order))
    bounds = {"train": (0, n_train), "validation": (n_train, n_train + n_validation),
              "test": (n_train + n_validation, len(order))}[split]
    chosen = set(order[bounds[0]:bounds[1]])
    return _labelled([r for r in records if r[0] in chosen])


# ---------------------------------------------------------------------------------------
# the averaging model (numpy, the notes' column vectors)


def sentence_to_average(tokens: Sequence[str], wv) -> np.ndarray:
    """Mean of the word vectors of the tokens that ``wv`` knows.

    Implements ``avg = (1 / |K|) sum_{w in K} e_w`` where K are the in-vocabulary tokens (a
    word that occurs twice counts twice). Unknown tokens are skipped: they count neither in
    the sum nor in ``|K|``.

    Parameters
    ----------
    tokens : sequence of str
        A tokenised sentence (e.g. :func:`glove_tokenize`), not a raw string.
    wv : course_lib.embeddings.WordVectors

    Returns
    -------
    ndarray of shape (n_e,), float64

    Raises
    ------
    TypeError
        If ``tokens`` is a str.
    ValueError
        If no token is in the vocabulary (the mean of nothing is undefined).
    """
    if isinstance(tokens, str):
        raise TypeError("tokens must be a list of tokens, not a str; call glove_tokenize() first")
    rows = [wv.index[t] for t in tokens if t in wv.index]
    if not rows:
        raise ValueError(f"none of the tokens {list(tokens)[:8]} is in the vocabulary of "
                         f"{getattr(wv, 'name', 'the word vectors')}: their average is undefined")
    return np.asarray(wv.vectors[np.array(rows)], dtype=np.float64).mean(axis=0)


def average_embeddings(token_lists: Sequence[Sequence[str]], wv) -> tuple[np.ndarray, np.ndarray]:
    """Average embeddings of many sentences as columns, the notes' layout.

    Returns
    -------
    avg : ndarray of shape (n_e, m), float64
        Column i is ``sentence_to_average(token_lists[i], wv)``, or all zeros if sentence i has
        no known word (then only the bias decides its class).
    known : ndarray of shape (m,), bool
        False for the sentences with no known word.
    """
    avg = np.zeros((wv.dim, len(token_lists)))
    known = np.ones(len(token_lists), dtype=bool)
    for i, tokens in enumerate(token_lists):
        try:
            avg[:, i] = sentence_to_average(tokens, wv)
        except ValueError:
            known[i] = False
    return avg, known


def softmax(z: np.ndarray) -> np.ndarray:
    """Column-wise softmax of logits z (n_y, m), stabilised by subtracting each column's max."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def initialize_averaging_parameters(n_e: int, n_y: int = 2, seed: int = 0) -> dict:
    """``W`` (n_y, n_e) with N(0, 1/n_e) entries and ``b`` (n_y, 1) zeros, float64."""
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(0.0, 1.0 / np.sqrt(n_e), (n_y, n_e)), "b": np.zeros((n_y, 1))}


def averaging_forward(avg: np.ndarray, parameters: dict) -> tuple[np.ndarray, tuple]:
    """Class probabilities of the averaging model.

    Implements ``z = W avg + b``, ``ŷ = softmax(z)`` column by column.

    Parameters
    ----------
    avg : ndarray of shape (n_e, m)
        Average embeddings, one column per sentence.
    parameters : dict with ``W`` (n_y, n_e) and ``b`` (n_y, 1)

    Returns
    -------
    y_hat : ndarray of shape (n_y, m)
    cache : tuple ``(avg, y_hat)`` for :func:`averaging_backward`
    """
    check_keys("parameters", parameters, ("W", "b"))
    W, b = parameters["W"], parameters["b"]
    n_y, n_e = W.shape
    check_array("avg", avg, (n_e, None), "(n_e, m)")
    check_array("parameters['b']", b, (n_y, 1), "(n_y, 1)")
    y_hat = softmax(W @ avg + b)
    return y_hat, (avg, y_hat)


def averaging_loss(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy ``-(1/m) sum_i log ŷ_{y_i, i}`` for integer labels y (m,)."""
    y = _check_labels("y", y, y_hat.shape[1], y_hat.shape[0])
    return float(-np.mean(np.log(y_hat[y, np.arange(y.size)])))


def averaging_backward(y: np.ndarray, cache: tuple) -> dict:
    """Gradients of :func:`averaging_loss` with respect to W and b.

    With ``Y`` the one-hot labels (n_y, m): ``dz = (ŷ - Y) / m``, ``dW = dz avgᵀ``,
    ``db = sum of dz over the examples``.

    Returns
    -------
    dict with ``dW`` (n_y, n_e) and ``db`` (n_y, 1)
    """
    avg, y_hat = cache
    n_y, m = y_hat.shape
    y = _check_labels("y", y, m, n_y)
    dz = y_hat.copy()
    dz[y, np.arange(m)] -= 1.0
    dz /= m
    return {"dW": dz @ avg.T, "db": dz.sum(axis=1, keepdims=True)}


def predict_averaging(avg: np.ndarray, parameters: dict) -> np.ndarray:
    """Predicted classes (m,): the most probable class of each column."""
    y_hat, _ = averaging_forward(avg, parameters)
    return np.argmax(y_hat, axis=0)


def train_averaging_model(avg: np.ndarray, y: np.ndarray, n_y: int = 2, learning_rate: float = 0.05,
                          epochs: int = 300, l2: float = 0.0, seed: int = 0) -> tuple[dict, list]:
    """Fit the averaging model by full-batch Adam on the mean cross-entropy (+ l2/2 ||W||²).

    Parameters
    ----------
    avg : ndarray (n_e, m)
    y : ndarray (m,) of int labels in 0 .. n_y - 1
    learning_rate, epochs : Adam step size and number of full-batch steps
    l2 : float, default 0
        Weight decay on W (not on b).
    seed : int
        Seed of the initial W.

    Returns
    -------
    parameters : dict ``W``, ``b``
    losses : list of float, the training loss before each step
    """
    if not isinstance(avg, np.ndarray) or avg.ndim != 2:
        raise ValueError("avg must be a 2-D array of shape (n_e, m)")
    parameters = initialize_averaging_parameters(avg.shape[0], n_y, seed)
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in parameters.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    losses = []
    for step in range(1, epochs + 1):
        y_hat, cache = averaging_forward(avg, parameters)
        losses.append(averaging_loss(y_hat, y) + 0.5 * l2 * float(np.sum(parameters["W"] ** 2)))
        grads = averaging_backward(y, cache)
        grads["dW"] = grads["dW"] + l2 * parameters["W"]
        for k in ("W", "b"):
            m1, m2 = moments[k]
            g = grads["d" + k]
            m1[...] = beta1 * m1 + (1 - beta1) * g
            m2[...] = beta2 * m2 + (1 - beta2) * g ** 2
            m1_hat, m2_hat = m1 / (1 - beta1 ** step), m2 / (1 - beta2 ** step)
            parameters[k] = parameters[k] - learning_rate * m1_hat / (np.sqrt(m2_hat) + eps)
    return parameters, losses


def word_contributions(tokens: Sequence[str], wv, parameters: dict) -> list[tuple[str, float]]:
    """Each known word's share of the positive-minus-negative logit of the averaging model.

    For two classes, ``z_1 - z_0 = (w_1 - w_0) · avg + (b_1 - b_0)``, and since ``avg`` is a
    mean, the first term is the sum over the known words of ``(w_1 - w_0) · e_w / |K|``. The
    contributions plus ``b_1 - b_0`` add up exactly to ``z_1 - z_0``.

    Returns
    -------
    list of (word, contribution) in sentence order, unknown words left out
    """
    W = parameters["W"]
    if W.shape[0] != 2:
        raise ValueError(f"word_contributions needs a two-class model, W has {W.shape[0]} rows")
    known = [t for t in tokens if t in wv.index]
    if not known:
        raise ValueError("no token is in the vocabulary")
    direction = W[1] - W[0]
    return [(t, float(direction @ wv.vector(t)) / len(known)) for t in known]


def _check_labels(name: str, y, m: int, n_y: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (m,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array of shape (m,) = ({m},), "
                         f"got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_y):
        raise ValueError(f"{name} has labels outside 0 .. {n_y - 1}")
    return y


# ---------------------------------------------------------------------------------------
# metrics


def accuracy(y_true, y_pred) -> float:
    """Fraction of predictions equal to the labels."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of the same length, got "
                         f"{y_true.shape} and {y_pred.shape}")
    if y_true.size == 0:
        raise ValueError("accuracy of zero examples is undefined")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class i predicted as j (sklearn's convention).

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (m,)
    n_classes : int, optional
        Defaults to 1 + the largest label seen in either array.

    Returns
    -------
    ndarray of shape (n_classes, n_classes), int64
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of the same length, got "
                         f"{y_true.shape} and {y_pred.shape}")
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{name} must hold integer classes in 0 .. {n_classes - 1}")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


# ---------------------------------------------------------------------------------------
# the many-to-one RNN (torch)


def build_embedding_matrix(token_lists: Sequence[Sequence[str]], wv,
                           min_count: int = 1) -> tuple[Vocabulary, np.ndarray]:
    """Vocabulary of a data set and the rows of GloVe it needs, nothing more.

    Only words seen at least ``min_count`` times in ``token_lists`` **and** known to ``wv``
    get a row; every other word becomes ``<UNK>``. The full 400,000 x 50 GloVe matrix stays
    memory-mapped on disk: only the selected rows are copied.

    Returns
    -------
    vocab : course_lib.text.Vocabulary with specials ``<PAD>`` (0) and ``<UNK>`` (1)
    E : ndarray of shape (len(vocab), n_e), float32
        Row i is the GloVe vector of ``vocab.tokens[i]``; the ``<PAD>`` and ``<UNK>`` rows are 0.
    """
    full = Vocabulary.from_corpus(token_lists, min_count=min_count, specials=(PAD, UNK))
    words = [w for w in full.tokens[2:] if w in wv.index]
    vocab = Vocabulary(words, specials=(PAD, UNK))
    E = np.zeros((len(vocab), wv.dim), dtype=np.float32)
    E[2:] = wv.vectors[np.array([wv.index[w] for w in words])]
    return vocab, E


def encode_sentences(token_lists: Sequence[Sequence[str]], vocab: Vocabulary) -> list[list[int]]:
    """Index lists; unknown words -> ``<UNK>``, an empty sentence -> ``[<UNK>]`` (length >= 1)."""
    return [vocab.encode(tokens) if len(tokens) else [vocab.unk_index] for tokens in token_lists]


class SentimentRNN(nn.Module):
    """Many-to-one sentiment classifier over pretrained embeddings.

    ``e^{<t>} = E[x^{<t>}]``, ``a^{<t>} = cell(a^{<t-1>}, e^{<t>})`` for t = 1 .. T_x^{(i)}
    (each sentence's own length: padding is never read), logits ``W_y a^{<T_x^{(i)}>} + b_y``.

    With ``bidirectional=True`` a second cell reads the sentence from its last real word back to
    its first, and the sentence vector is ``[a_fwd^{<T_x^{(i)}>}; a_bwd^{<1>}]`` (2 n_a numbers:
    each direction after it has read the whole sentence). With ``pooling="max"`` the sentence
    vector is instead the element-wise maximum of the activations (both directions concatenated)
    over the sentence's real time steps. ``dropout`` is applied to the embeddings and to the
    sentence vector during training only (``model.train()``; ``model.eval()`` turns it off).

    Parameters
    ----------
    embedding_matrix : ndarray or tensor of shape (n_vocab, n_e)
        Row 0 must be the ``<PAD>`` row. The model keeps a copy: training never changes it.
    n_a : int
        Hidden units (per direction).
    n_y : int, default 2
    cell : {"lstm", "gru", "rnn"}, default "lstm"
    freeze : bool, default True
        Keep the embeddings fixed (True) or fine-tune them with the rest (False).
    seed : int, default 0
        Seed of the initial weights.
    bidirectional : bool, default False
    dropout : float in [0, 1), default 0
        Probability of zeroing an embedding coordinate and a sentence-vector coordinate.
    pooling : {"last", "max"}, default "last"

    The defaults build exactly the model of earlier versions (same parameters, same initial
    values for the same seed).
    """

    def __init__(self, embedding_matrix, n_a: int, n_y: int = 2, cell: str = "lstm",
                 freeze: bool = True, seed: int = 0, bidirectional: bool = False,
                 dropout: float = 0.0, pooling: str = "last"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
        if isinstance(n_a, bool) or not isinstance(n_a, int) or n_a < 1:
            raise ValueError(f"n_a must be a positive int, got {n_a!r}")
        if not isinstance(bidirectional, bool):
            raise ValueError(f"bidirectional must be a bool, got {bidirectional!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        # a copy: fine-tuning (freeze=False) must not write into the caller's matrix, which
        # the next model built from it would otherwise start from
        E = torch.tensor(np.asarray(embedding_matrix), dtype=torch.float32)
        if E.ndim != 2:
            raise ValueError(f"embedding_matrix must have shape (n_vocab, n_e), got {tuple(E.shape)}")
        self.cell, self.bidirectional, self.pooling = cell, bidirectional, pooling
        n_directions = 2 if bidirectional else 1
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        try:
            self.embedding = nn.Embedding.from_pretrained(E, freeze=freeze, padding_idx=0)
            kind = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell]
            self.rnn = kind(E.shape[1], n_a, batch_first=True, bidirectional=bidirectional)
            self.out = nn.Linear(n_directions * n_a, n_y)
        finally:
            torch.random.set_rng_state(generator_state)
        # no parameters and no random draws at construction: the defaults stay the old model
        self.dropout = nn.Dropout(float(dropout))

    def _check(self, ids: torch.Tensor, lengths) -> torch.Tensor:
        if ids.ndim != 2:
            raise ValueError(f"ids must have shape (m, T_x), got {tuple(ids.shape)}")
        lengths = torch.as_tensor(lengths, dtype=torch.int64).cpu()
        if lengths.shape != (ids.shape[0],) or lengths.min() < 1 or lengths.max() > ids.shape[1]:
            raise ValueError(f"lengths must be (m,) = ({ids.shape[0]},) with values in 1 .. T_x "
                             f"= {ids.shape[1]}, got {lengths.tolist()[:8]}")
        return lengths

    def _run(self, ids: torch.Tensor, lengths: torch.Tensor):
        packed = pack_padded_sequence(self._drop(self.embedding(ids)), lengths,
                                      batch_first=True, enforce_sorted=False)
        return self.rnn(packed)

    def last_activation(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """a^{<T_x^{(i)}>} of every sentence, shape (m, n_a), read at its last real word.

        Bidirectional: ``[a_fwd^{<T_x^{(i)}>}; a_bwd^{<1>}]``, shape (m, 2 n_a).
        """
        lengths = self._check(ids, lengths)
        _, state = self._run(ids, lengths)
        h_n = state[0] if self.cell == "lstm" else state   # (directions, m, n_a); LSTM: (h, c)
        if self.bidirectional:
            return torch.cat([h_n[-2], h_n[-1]], dim=1)
        return h_n[-1]

    def max_pooled_activation(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """max over t = 1 .. T_x^{(i)} of a^{<t>} (both directions), shape (m, directions * n_a)."""
        lengths = self._check(ids, lengths)
        outputs, _ = self._run(ids, lengths)
        a, _ = pad_packed_sequence(outputs, batch_first=True, total_length=ids.shape[1])
        padding = torch.arange(ids.shape[1])[None, :] >= lengths[:, None]   # (m, T_x)
        return a.masked_fill(padding[:, :, None], float("-inf")).max(dim=1).values

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (m, n_y) for padded ids (m, T_x) and the true lengths (m,)."""
        if self.pooling == "max":
            sentence = self.max_pooled_activation(ids, lengths)
        else:
            sentence = self.last_activation(ids, lengths)
        return self.out(self._drop(sentence))

    def _drop(self, x: torch.Tensor) -> torch.Tensor:
        # skipped at p = 0, so that the default model draws no random numbers in training
        return self.dropout(x) if self.dropout.p > 0 else x


def batch_tensors(sequences: Sequence[Sequence[int]], pad_index: int = 0):
    """(ids (m, T_x) int64 tensor, lengths (m,) int64 tensor) of index lists, padded on the right."""
    ids, mask = pad_batch(sequences, pad_index=pad_index)
    return torch.from_numpy(ids), torch.from_numpy(mask.sum(axis=1))


def predict_rnn(model: nn.Module, sequences: Sequence[Sequence[int]], batch_size: int = 256) -> np.ndarray:
    """Predicted classes (m,) of a many-to-one model taking ``(ids, lengths)``."""
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(sequences), batch_size):
            ids, lengths = batch_tensors(sequences[start:start + batch_size])
            out.append(model(ids, lengths).argmax(dim=1).numpy())
    model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def train_sentiment_rnn(model: nn.Module, sequences: Sequence[Sequence[int]], labels, epochs: int = 5,
                        batch_size: int = 32, learning_rate: float = 3e-3, seed: int = 0,
                        validation=None, progress: bool = False) -> dict:
    """Train with Adam on the mean cross-entropy, minibatches in a seeded random order.

    Parameters
    ----------
    model : nn.Module taking ``(ids, lengths)`` and returning logits (m, n_y)
    sequences : list of m index lists; labels : (m,) int
    epochs, batch_size, learning_rate : optimisation settings
    seed : int
        Seed of the minibatch order (the weights are seeded by the model).
    validation : (sequences, labels), optional
        Scored after every epoch.
    progress : bool, default False
        Show a tqdm bar over the minibatches.

    Returns
    -------
    dict with ``losses`` (one per minibatch), ``validation_accuracy`` (one per epoch, if
    ``validation`` is given) and ``seconds`` (training wall time)
    """
    from tqdm.auto import tqdm

    labels = np.asarray(labels)
    if len(sequences) != labels.shape[0]:
        raise ValueError(f"{len(sequences)} sequences but {labels.shape[0]} labels")
    rng = np.random.default_rng(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=learning_rate)
    history = {"losses": [], "validation_accuracy": []}
    n_batches = -(-len(sequences) // batch_size)
    start = time.perf_counter()
    bar = tqdm(total=epochs * n_batches, disable=not progress, desc=type(model).__name__, leave=False)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(sequences))
        for b in range(n_batches):
            chosen = order[b * batch_size:(b + 1) * batch_size]
            ids, lengths = batch_tensors([sequences[i] for i in chosen])
            loss = F.cross_entropy(model(ids, lengths), torch.from_numpy(labels[chosen]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["losses"].append(loss.item())
            bar.update(1)
        if validation is not None:
            history["validation_accuracy"].append(accuracy(validation[1], predict_rnn(model, validation[0])))
    bar.close()
    history["seconds"] = time.perf_counter() - start
    return history
